//! The board design: UART, bridge, system RAM, mapdma, and built-in devices on the four
//! channels, so that transfers run with nothing attached to the board.
//!
//! | channel | device | DREQ |
//! |---|---|---|
//! | 0 | loop-back sink: units read from memory go into a 32-entry FIFO | while the FIFO has room for a full set of outstanding reads (fill < 24) |
//! | 1 | loop-back source: units come out of that FIFO, written to memory | while the FIFO holds a unit |
//! | 2 | pattern source: consecutive 32-bit numbers, the next one readable and writable in the board window | always |
//! | 3 | checksum sink: sums the units it receives and counts them | always |
//!
//! Channels 0 → 1 therefore copy memory to memory through a device, channel 2 produces a stream
//! the host can predict and channel 3 consumes one it can check. The board window (see
//! [`window`]) shows the sink's sum and count, the pattern and the FIFO.
//!
//! | option | block | on | window |
//! |---|---|---|---|
//! | `Config::bus_master_port` ([`super::BoardOptions::test_master`]) | test bus master on `s_bm_axi`, `m_bm_axi` into the system RAM's burst port | HX8K breakout, virtual board; not the iCEBreaker (94 % full) | FEATURES.TEST_MASTER, TM_SRC, TM_DST, TM_LENGTH, TM_CONTROL, TM_MOVED, TM_FAULT_ADDR |
//!
//! LEDs ([`BoardLeds`]), in this order: fault (a DMA bus error or a UART framing error,
//! stretched), alive (blinks about once a second), DMA activity (memory traffic, stretched),
//! interrupt (the level of `irq`), UART activity (stretched).
//!
//! This block wires the others and keeps the built-in devices' few registers; the window's
//! decode is [`BoardWindow`].
//!
//! Reset: the flops power up at 0 and a 16-clock power-on counter holds everything in reset;
//! `hold` (the wrapper drives it while the PLL has not locked, 0 without a PLL) restarts the
//! counter, so the design leaves reset 16 clocks after the clock is stable.

use super::board_window::BoardWindow;
use super::bridge::UartBridge;
use super::leds::BoardLeds;
use super::loop_fifo::LoopFifo;
use super::system_ram::SystemRam;
use super::test_master::TestMaster;
use super::uart_rx::UartRx;
use super::uart_tx::UartTx;
use crate::MapDma;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

/// Word indices of the board window (bridge addresses `0x4000_0000 + 4·index`).
pub use mapdma_regmap::link::window;

/// Value of the board window's ID word: "MDBD".
pub const BOARD_ID: u32 = mapdma_regmap::link::BOARD_ID;
/// Version of the link protocol in `PROTOCOL.md`.
pub const PROTOCOL_VERSION: u32 = mapdma_regmap::link::VERSION;

/// LEDs the design drives (fault, alive, DMA activity, interrupt, UART activity).
pub const LED_COUNT: usize = 5;

#[derive(LogicBlock)]
pub struct BoardTop<const A: usize> {
    pub clock: Signal<In, Clock>,
    pub uart_rx: Signal<In, Bit>,
    /// Keeps the design in reset (synchronous to `clock`; the wrapper synchronises PLL LOCK).
    pub hold: Signal<In, Bit>,
    pub uart_tx: Signal<Out, Bit>,
    /// fault, alive, DMA activity, interrupt, UART activity (active high).
    pub leds: Signal<Out, Bits<5>>,

    rx: UartRx,
    tx: UartTx,
    bridge: UartBridge,
    ram: SystemRam<A>,
    dma: MapDma,
    loopback: LoopFifo,
    /// The test bus master: one with `Config::bus_master_port`, none without.
    tm: Vec<TestMaster>,

    /// The board window's decode.
    window: BoardWindow,
    /// The LEDs' stretchers.
    indicators: BoardLeds,

    por: DFF<Bits<4>>,
    pattern: DFF<Bits<32>>,
    sum: DFF<Bits<32>>,
    count: DFF<Bits<32>>,
    flushing: DFF<Bit>,

    reset: Signal<Local, Bit>,
    loop_take: Signal<Local, Bit>,
    bus_error: Signal<Local, Bit>,
    /// The test master's window word and AXI4 master outputs (0 without it).
    tm_rdata: Signal<Local, Bits<32>>,
    l_bm_awaddr: Signal<Local, Bits<32>>,
    l_bm_awlen: Signal<Local, Bits<8>>,
    l_bm_awsize: Signal<Local, Bits<3>>,
    l_bm_awburst: Signal<Local, Bits<2>>,
    l_bm_awvalid: Signal<Local, Bit>,
    l_bm_wdata: Signal<Local, Bits<32>>,
    l_bm_wstrb: Signal<Local, Bits<4>>,
    l_bm_wlast: Signal<Local, Bit>,
    l_bm_wvalid: Signal<Local, Bit>,
    l_bm_bready: Signal<Local, Bit>,
    l_bm_araddr: Signal<Local, Bits<32>>,
    l_bm_arlen: Signal<Local, Bits<8>>,
    l_bm_arsize: Signal<Local, Bits<3>>,
    l_bm_arburst: Signal<Local, Bits<2>>,
    l_bm_arvalid: Signal<Local, Bit>,
    l_bm_rready: Signal<Local, Bit>,
}

impl<const A: usize> BoardTop<A> {
    /// The design for a `cfg` with four channels, a clock of `clock_hz` and a UART bit every
    /// `divisor` clocks; a half-received frame is dropped after about 50 ms. With
    /// `cfg.bus_master_port` the design has the test bus master on that port and the system
    /// RAM's burst port behind it (FEATURES.TEST_MASTER); without, neither.
    pub fn new(cfg: &Config, clock_hz: u32, divisor: u32) -> Self {
        assert_eq!(cfg.channels, 4, "the board devices occupy four channels");
        let test_master = cfg.bus_master_port;
        let features = if test_master {
            mapdma_regmap::link::features::TEST_MASTER
        } else {
            0
        };
        let timeout = (clock_hz / 20).clamp(64 * divisor, (1 << 24) - 1);
        BoardTop {
            clock: Default::default(),
            uart_rx: Default::default(),
            hold: Default::default(),
            uart_tx: Default::default(),
            leds: Default::default(),
            rx: UartRx::new(divisor),
            tx: UartTx::new(divisor),
            bridge: UartBridge::new(timeout),
            ram: SystemRam::new(test_master),
            dma: MapDma::new(cfg),
            loopback: Default::default(),
            tm: (0..test_master as usize)
                .map(|_| TestMaster::new(cfg.page_shift))
                .collect(),
            window: BoardWindow::new(SystemRam::<A>::BYTES, clock_hz, divisor, features),
            indicators: Default::default(),
            por: Default::default(),
            pattern: Default::default(),
            sum: Default::default(),
            count: Default::default(),
            flushing: Default::default(),
            reset: Default::default(),
            loop_take: Default::default(),
            bus_error: Default::default(),
            tm_rdata: Default::default(),
            l_bm_awaddr: Default::default(),
            l_bm_awlen: Default::default(),
            l_bm_awsize: Default::default(),
            l_bm_awburst: Default::default(),
            l_bm_awvalid: Default::default(),
            l_bm_wdata: Default::default(),
            l_bm_wstrb: Default::default(),
            l_bm_wlast: Default::default(),
            l_bm_wvalid: Default::default(),
            l_bm_bready: Default::default(),
            l_bm_araddr: Default::default(),
            l_bm_arlen: Default::default(),
            l_bm_arsize: Default::default(),
            l_bm_arburst: Default::default(),
            l_bm_arvalid: Default::default(),
            l_bm_rready: Default::default(),
        }
    }
}

impl<const A: usize> Logic for BoardTop<A> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, por, pattern, sum, count, flushing);
        clock!(self, clock, rx, tx, bridge, ram, dma, loopback, indicators);

        // Power-on reset.
        self.reset.next = !self.por.q.val().all();
        if self.hold.val() {
            self.por.d.next = 0.into();
        } else if !self.por.q.val().all() {
            self.por.d.next = self.por.q.val() + 1;
        }
        self.rx.reset.next = self.reset.val();
        self.tx.reset.next = self.reset.val();
        self.bridge.reset.next = self.reset.val();
        self.ram.reset.next = self.reset.val();
        self.dma.reset.next = self.reset.val();

        // UART ↔ bridge.
        self.rx.rx.next = self.uart_rx.val();
        self.uart_tx.next = self.tx.tx.val();
        self.bridge.rx_data.next = self.rx.data.val();
        self.bridge.rx_valid.next = self.rx.valid.val();
        self.bridge.rx_error.next = self.rx.frame_error.val();
        self.tx.data.next = self.bridge.tx_data.val();
        self.tx.valid.next = self.bridge.tx_valid.val();
        self.bridge.tx_ready.next = self.tx.ready.val();

        // Bridge → mapdma registers.
        self.dma.s_axil_awaddr.next = self.bridge.reg_awaddr.val();
        self.dma.s_axil_awvalid.next = self.bridge.reg_awvalid.val();
        self.bridge.reg_awready.next = self.dma.s_axil_awready.val();
        self.dma.s_axil_wdata.next = self.bridge.reg_wdata.val();
        self.dma.s_axil_wstrb.next = self.bridge.reg_wstrb.val();
        self.dma.s_axil_wvalid.next = self.bridge.reg_wvalid.val();
        self.bridge.reg_wready.next = self.dma.s_axil_wready.val();
        self.bridge.reg_bresp.next = self.dma.s_axil_bresp.val();
        self.bridge.reg_bvalid.next = self.dma.s_axil_bvalid.val();
        self.dma.s_axil_bready.next = self.bridge.reg_bready.val();
        self.dma.s_axil_araddr.next = self.bridge.reg_araddr.val();
        self.dma.s_axil_arvalid.next = self.bridge.reg_arvalid.val();
        self.bridge.reg_arready.next = self.dma.s_axil_arready.val();
        self.bridge.reg_rdata.next = self.dma.s_axil_rdata.val();
        self.bridge.reg_rresp.next = self.dma.s_axil_rresp.val();
        self.bridge.reg_rvalid.next = self.dma.s_axil_rvalid.val();
        self.dma.s_axil_rready.next = self.bridge.reg_rready.val();

        // Bridge → system RAM.
        self.ram.b_req.next = self.bridge.mem_req.val();
        self.ram.b_we.next = self.bridge.mem_we.val();
        self.ram.b_addr.next = self.bridge.mem_addr.val();
        self.ram.b_wdata.next = self.bridge.mem_wdata.val();
        self.bridge.mem_ack.next = self.ram.b_ack.val();
        self.bridge.mem_rdata.next = self.ram.b_rdata.val();
        self.bridge.mem_resp.next = self.ram.b_resp.val();

        // mapdma's AXI4 master → system RAM.
        self.ram.awaddr.next = self.dma.m_axi_awaddr.val();
        self.ram.awvalid.next = self.dma.m_axi_awvalid.val();
        self.dma.m_axi_awready.next = self.ram.awready.val();
        self.ram.wdata.next = self.dma.m_axi_wdata.val();
        self.ram.wstrb.next = self.dma.m_axi_wstrb.val();
        self.ram.wvalid.next = self.dma.m_axi_wvalid.val();
        self.dma.m_axi_wready.next = self.ram.wready.val();
        self.dma.m_axi_bresp.next = self.ram.bresp.val();
        self.dma.m_axi_bvalid.next = self.ram.bvalid.val();
        self.ram.bready.next = self.dma.m_axi_bready.val();
        self.ram.araddr.next = self.dma.m_axi_araddr.val();
        self.ram.arvalid.next = self.dma.m_axi_arvalid.val();
        self.dma.m_axi_arready.next = self.ram.arready.val();
        self.dma.m_axi_rdata.next = self.ram.rdata.val();
        self.dma.m_axi_rresp.next = self.ram.rresp.val();
        self.dma.m_axi_rlast.next = self.ram.rlast.val();
        self.dma.m_axi_rvalid.next = self.ram.rvalid.val();
        self.ram.rready.next = self.dma.m_axi_rready.val();

        // The bus-master port: the test master drives it (inputs held inactive without one);
        // its translated bursts go to the system RAM's burst port (both stay idle without).
        self.l_bm_awaddr.next = 0.into();
        self.l_bm_awlen.next = 0.into();
        self.l_bm_awsize.next = 0.into();
        self.l_bm_awburst.next = 0.into();
        self.l_bm_awvalid.next = false;
        self.l_bm_wdata.next = 0.into();
        self.l_bm_wstrb.next = 0.into();
        self.l_bm_wlast.next = false;
        self.l_bm_wvalid.next = false;
        self.l_bm_bready.next = false;
        self.l_bm_araddr.next = 0.into();
        self.l_bm_arlen.next = 0.into();
        self.l_bm_arsize.next = 0.into();
        self.l_bm_arburst.next = 0.into();
        self.l_bm_arvalid.next = false;
        self.l_bm_rready.next = false;
        self.tm_rdata.next = 0.into();
        for i in 0..self.tm.len() {
            self.tm[i].clock.next = self.clock.val();
            self.tm[i].reset.next = self.reset.val();
            self.tm[i].reg_addr.next = self.bridge.local_addr.val();
            self.tm[i].reg_we.next = self.bridge.local_we.val();
            self.tm[i].reg_wdata.next = self.bridge.local_wdata.val();
            self.tm_rdata.next = self.tm[i].reg_rdata.val();
            self.l_bm_awaddr.next = self.tm[i].awaddr.val();
            self.l_bm_awlen.next = self.tm[i].awlen.val();
            self.l_bm_awsize.next = self.tm[i].awsize.val();
            self.l_bm_awburst.next = self.tm[i].awburst.val();
            self.l_bm_awvalid.next = self.tm[i].awvalid.val();
            self.l_bm_wdata.next = self.tm[i].wdata.val();
            self.l_bm_wstrb.next = self.tm[i].wstrb.val();
            self.l_bm_wlast.next = self.tm[i].wlast.val();
            self.l_bm_wvalid.next = self.tm[i].wvalid.val();
            self.l_bm_bready.next = self.tm[i].bready.val();
            self.l_bm_araddr.next = self.tm[i].araddr.val();
            self.l_bm_arlen.next = self.tm[i].arlen.val();
            self.l_bm_arsize.next = self.tm[i].arsize.val();
            self.l_bm_arburst.next = self.tm[i].arburst.val();
            self.l_bm_arvalid.next = self.tm[i].arvalid.val();
            self.l_bm_rready.next = self.tm[i].rready.val();
            self.tm[i].awready.next = self.dma.s_bm_axi_awready.val();
            self.tm[i].wready.next = self.dma.s_bm_axi_wready.val();
            self.tm[i].bresp.next = self.dma.s_bm_axi_bresp.val();
            self.tm[i].bvalid.next = self.dma.s_bm_axi_bvalid.val();
            self.tm[i].arready.next = self.dma.s_bm_axi_arready.val();
            self.tm[i].rdata.next = self.dma.s_bm_axi_rdata.val();
            self.tm[i].rresp.next = self.dma.s_bm_axi_rresp.val();
            self.tm[i].rlast.next = self.dma.s_bm_axi_rlast.val();
            self.tm[i].rvalid.next = self.dma.s_bm_axi_rvalid.val();
        }
        self.dma.s_bm_axi_awaddr.next = self.l_bm_awaddr.val();
        self.dma.s_bm_axi_awlen.next = self.l_bm_awlen.val();
        self.dma.s_bm_axi_awsize.next = self.l_bm_awsize.val();
        self.dma.s_bm_axi_awburst.next = self.l_bm_awburst.val();
        self.dma.s_bm_axi_awvalid.next = self.l_bm_awvalid.val();
        self.dma.s_bm_axi_wdata.next = self.l_bm_wdata.val();
        self.dma.s_bm_axi_wstrb.next = self.l_bm_wstrb.val();
        self.dma.s_bm_axi_wlast.next = self.l_bm_wlast.val();
        self.dma.s_bm_axi_wvalid.next = self.l_bm_wvalid.val();
        self.dma.s_bm_axi_bready.next = self.l_bm_bready.val();
        self.dma.s_bm_axi_araddr.next = self.l_bm_araddr.val();
        self.dma.s_bm_axi_arlen.next = self.l_bm_arlen.val();
        self.dma.s_bm_axi_arsize.next = self.l_bm_arsize.val();
        self.dma.s_bm_axi_arburst.next = self.l_bm_arburst.val();
        self.dma.s_bm_axi_arvalid.next = self.l_bm_arvalid.val();
        self.dma.s_bm_axi_rready.next = self.l_bm_rready.val();
        self.ram.p_awaddr.next = self.dma.m_bm_axi_awaddr.val();
        self.ram.p_awlen.next = self.dma.m_bm_axi_awlen.val();
        self.ram.p_awvalid.next = self.dma.m_bm_axi_awvalid.val();
        self.dma.m_bm_axi_awready.next = self.ram.p_awready.val();
        self.ram.p_wdata.next = self.dma.m_bm_axi_wdata.val();
        self.ram.p_wstrb.next = self.dma.m_bm_axi_wstrb.val();
        self.ram.p_wvalid.next = self.dma.m_bm_axi_wvalid.val();
        self.dma.m_bm_axi_wready.next = self.ram.p_wready.val();
        self.dma.m_bm_axi_bresp.next = self.ram.p_bresp.val();
        self.dma.m_bm_axi_bvalid.next = self.ram.p_bvalid.val();
        self.ram.p_bready.next = self.dma.m_bm_axi_bready.val();
        self.ram.p_araddr.next = self.dma.m_bm_axi_araddr.val();
        self.ram.p_arlen.next = self.dma.m_bm_axi_arlen.val();
        self.ram.p_arvalid.next = self.dma.m_bm_axi_arvalid.val();
        self.dma.m_bm_axi_arready.next = self.ram.p_arready.val();
        self.dma.m_bm_axi_rdata.next = self.ram.p_rdata.val();
        self.dma.m_bm_axi_rresp.next = self.ram.p_rresp.val();
        self.dma.m_bm_axi_rlast.next = self.ram.p_rlast.val();
        self.dma.m_bm_axi_rvalid.next = self.ram.p_rvalid.val();
        self.ram.p_rready.next = self.dma.m_bm_axi_rready.val();

        // Channel 0: loop-back sink.
        self.dma.dev[0].dreq.next = !self.loopback.almost_full.val();
        self.dma.dev[0].src_data.next = 0.into();
        self.dma.dev[0].src_valid.next = false;
        self.dma.dev[0].snk_ready.next = !self.loopback.full.val();
        self.dma.dev[0].eop_in.next = false;
        self.loopback.data_in.next = self.dma.dev[0].snk_data.val();
        self.loopback.write.next = self.dma.dev[0].snk_valid.val() & !self.loopback.full.val();

        // Channel 1: loop-back source.
        self.dma.dev[1].dreq.next = !self.loopback.empty.val();
        self.dma.dev[1].src_data.next = self.loopback.data_out.val();
        self.dma.dev[1].src_valid.next = !self.loopback.empty.val();
        self.dma.dev[1].snk_ready.next = true;
        self.dma.dev[1].eop_in.next = false;
        self.loop_take.next =
            !self.loopback.empty.val() & (self.dma.dev[1].src_ready.val() | self.flushing.q.val());
        self.loopback.read.next = self.loop_take.val();
        if self.loopback.empty.val() {
            self.flushing.d.next = false;
        }

        // Channel 2: pattern source.
        self.dma.dev[2].dreq.next = true;
        self.dma.dev[2].src_data.next = self.pattern.q.val();
        self.dma.dev[2].src_valid.next = true;
        self.dma.dev[2].snk_ready.next = true;
        self.dma.dev[2].eop_in.next = false;
        if self.dma.dev[2].src_ready.val() {
            self.pattern.d.next = self.pattern.q.val() + 1;
        }

        // Channel 3: checksum sink.
        self.dma.dev[3].dreq.next = true;
        self.dma.dev[3].src_data.next = 0.into();
        self.dma.dev[3].src_valid.next = false;
        self.dma.dev[3].snk_ready.next = true;
        self.dma.dev[3].eop_in.next = false;
        if self.dma.dev[3].snk_valid.val() {
            self.sum.d.next = self.sum.q.val() + self.dma.dev[3].snk_data.val();
            self.count.d.next = self.count.q.val() + 1;
        }

        // Board window: its writes after the devices' own updates, so that they win.
        self.window.addr.next = self.bridge.local_addr.val();
        self.window.we.next = self.bridge.local_we.val();
        self.window.loop_empty.next = self.loopback.empty.val();
        self.window.loop_full.next = self.loopback.full.val();
        self.window.pattern.next = self.pattern.q.val();
        self.window.sum.next = self.sum.q.val();
        self.window.count.next = self.count.q.val();
        self.window.tm_rdata.next = self.tm_rdata.val();
        self.bridge.local_rdata.next = self.window.rdata.val();
        self.bridge.local_resp.next = self.window.resp.val();
        if self.window.flush.val() {
            self.flushing.d.next = true;
        }
        if self.window.pattern_we.val() {
            self.pattern.d.next = self.bridge.local_wdata.val();
        }
        if self.window.sum_clear.val() {
            self.sum.d.next = 0.into();
            self.count.d.next = 0.into();
        }

        // LEDs.
        self.bus_error.next = (self.ram.bvalid.val()
            & self.dma.m_axi_bready.val()
            & self.ram.bresp.val().any())
            | (self.ram.rvalid.val() & self.dma.m_axi_rready.val() & self.ram.rresp.val().any());
        self.indicators.fault_event.next = self.bus_error.val() | self.rx.frame_error.val();
        self.indicators.dma_act.next = self.ram.arready.val() | self.ram.awready.val();
        self.indicators.irq.next = self.dma.irq.val();
        self.indicators.uart_act.next =
            self.rx.valid.val() | (self.bridge.tx_valid.val() & self.tx.ready.val());
        self.leds.next = self.indicators.leds.val();
    }
}
