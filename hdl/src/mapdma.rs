//! The mapdma top level: wires the sub-blocks. Behaviour is specified in `hdl/DESIGN.md` (§6
//! for the pipeline).
//!
//! ```text
//!  AXI4-Lite ─► axil ─► wdec/rdec ─┬─► regs (8237 register file) ─► strobes ─► channels[c]
//!                                  ├─► native (INT_*, FAULT_*, SNAP_*, irq)  ─► halt/unhalt
//!                                  └─► translation (map RAM, MAP read-back)
//!  rd_data ◄── regs ◄── native read word, map word
//!
//!  channels, DREQ, EOP ─► demand ─► select ── pick ──► fields (p_*) ─┐
//!          ▲             (DACK)        │ stays                        ▼
//!          │                           └──────────────────────────► issue ◄── stepper
//!          │                                                          │ lookup ─► translation
//!          │                                                          │ commit ─► requests
//!          └── advance (apply_*: a clock after commit) ◄──────────────┘   AW/W/AR; responses
//!  pair (m2m with two or more channels): channel 1's copy, its translation and the writer
//! ```
//!
//! Engine (`crate::engine`, one unit per clock):
//! - **demand** packs what the channels ask (DREQ, software request, EOP, mask, halt) into
//!   per-channel vectors, with this clock's applied unit forwarded, and drives DACK;
//! - **select** chooses (registered) the channel for an empty issue stage, and says
//!   whether the issue-stage channel `stays` (its following unit goes next if its unit
//!   commits); neither depends on this clock's commit decision;
//! - **issue** holds the acknowledged unit (DACK) with its own address, count and fields and
//!   commits it (AXI request queued, response tag written, device data taken), faults it (no
//!   bus access, channel halted), drops it (no longer runnable, a back-to-back demand unit lost
//!   its DREQ, or a register write: selected again from fresh state), or lets it wait; the
//!   map-RAM lookup address is the following unit's (stage full) or the pick's (stage empty);
//! - **stepper** is the one address adder and count decrementer;
//! - **pair** merges the memory-to-memory destination (`Mem2Mem`, when configured) into the
//!   issue stage's values (terminal count, destination check, fault record, writer's push);
//! - the channel registers take the committed unit's new address and count a clock later
//!   (`ap_*` in `issue`); until then `demand` forwards the channel's mask and software
//!   request. The pick is registered (made while the stage is
//!   empty, its fields read a clock later), so it never reads a channel a clock behind.
//!
//! Nothing becomes architectural before commit, so faults are precise and drops are free.
//!
//! Besides wiring, this kernel keeps the bus-master port's tie-offs (rust-hdl has no optional
//! sub-block, and every output must be driven once either way; a slot block like `Pair` with
//! the port's inputs in a `Vec` would have no input at all without the port, and Icarus never
//! runs an `always @(*)` without sensitivities, so its outputs would stay X) and single gates
//! joining block outputs: a unit's map fault from both translations, the TC events, the AXI
//! push strobes, channel 1's applied unit, the device strobes, the OR of the read words and
//! interrupts. Scratch values are `Local` signals (rust-hdl kernels have no `let`).

use crate::axi_requests::AxiRequests;
use crate::axil_slave::AxiLiteSlave;
use crate::bm_port::BmPort;
use crate::channel::Channel;
use crate::device_port::DevicePort;
use crate::engine::demand::Demand;
use crate::engine::fields::Fields;
use crate::engine::issue::Issue;
use crate::engine::pair::Pair;
use crate::engine::select::Select;
use crate::engine::stepper::Stepper;
use crate::native_regs::NativeRegs;
use crate::reg_decode::RegDecode;
use crate::regs8237::Regs8237;
use crate::responses::Responses;
use crate::translation::Translation;
use crate::write_decode::WriteDecode;
use mapdma_regmap as regmap;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct MapDma {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    // AXI4-Lite slave (registers).
    pub s_axil_awaddr: Signal<In, Bits<13>>,
    pub s_axil_awvalid: Signal<In, Bit>,
    pub s_axil_awready: Signal<Out, Bit>,
    pub s_axil_wdata: Signal<In, Bits<32>>,
    pub s_axil_wstrb: Signal<In, Bits<4>>,
    pub s_axil_wvalid: Signal<In, Bit>,
    pub s_axil_wready: Signal<Out, Bit>,
    pub s_axil_bresp: Signal<Out, Bits<2>>,
    pub s_axil_bvalid: Signal<Out, Bit>,
    pub s_axil_bready: Signal<In, Bit>,
    pub s_axil_araddr: Signal<In, Bits<13>>,
    pub s_axil_arvalid: Signal<In, Bit>,
    pub s_axil_arready: Signal<Out, Bit>,
    pub s_axil_rdata: Signal<Out, Bits<32>>,
    pub s_axil_rresp: Signal<Out, Bits<2>>,
    pub s_axil_rvalid: Signal<Out, Bit>,
    pub s_axil_rready: Signal<In, Bit>,

    // AXI4 master (memory).
    pub m_axi_awaddr: Signal<Out, Bits<32>>,
    pub m_axi_awlen: Signal<Out, Bits<8>>,
    pub m_axi_awsize: Signal<Out, Bits<3>>,
    pub m_axi_awburst: Signal<Out, Bits<2>>,
    pub m_axi_awvalid: Signal<Out, Bit>,
    pub m_axi_awready: Signal<In, Bit>,
    pub m_axi_wdata: Signal<Out, Bits<32>>,
    pub m_axi_wstrb: Signal<Out, Bits<4>>,
    pub m_axi_wlast: Signal<Out, Bit>,
    pub m_axi_wvalid: Signal<Out, Bit>,
    pub m_axi_wready: Signal<In, Bit>,
    pub m_axi_bresp: Signal<In, Bits<2>>,
    pub m_axi_bvalid: Signal<In, Bit>,
    pub m_axi_bready: Signal<Out, Bit>,
    pub m_axi_araddr: Signal<Out, Bits<32>>,
    pub m_axi_arlen: Signal<Out, Bits<8>>,
    pub m_axi_arsize: Signal<Out, Bits<3>>,
    pub m_axi_arburst: Signal<Out, Bits<2>>,
    pub m_axi_arvalid: Signal<Out, Bit>,
    pub m_axi_arready: Signal<In, Bit>,
    pub m_axi_rdata: Signal<In, Bits<32>>,
    pub m_axi_rresp: Signal<In, Bits<2>>,
    pub m_axi_rlast: Signal<In, Bit>,
    pub m_axi_rvalid: Signal<In, Bit>,
    pub m_axi_rready: Signal<Out, Bit>,

    // AXI4 slave (bus-master device) and AXI4 master (memory) of the bus-master port
    // (`bm_port`, DESIGN §10); tied off without the port.
    pub s_bm_axi_awaddr: Signal<In, Bits<32>>,
    pub s_bm_axi_awlen: Signal<In, Bits<8>>,
    pub s_bm_axi_awsize: Signal<In, Bits<3>>,
    pub s_bm_axi_awburst: Signal<In, Bits<2>>,
    pub s_bm_axi_awvalid: Signal<In, Bit>,
    pub s_bm_axi_wdata: Signal<In, Bits<32>>,
    pub s_bm_axi_wstrb: Signal<In, Bits<4>>,
    pub s_bm_axi_wlast: Signal<In, Bit>,
    pub s_bm_axi_wvalid: Signal<In, Bit>,
    pub s_bm_axi_bready: Signal<In, Bit>,
    pub s_bm_axi_araddr: Signal<In, Bits<32>>,
    pub s_bm_axi_arlen: Signal<In, Bits<8>>,
    pub s_bm_axi_arsize: Signal<In, Bits<3>>,
    pub s_bm_axi_arburst: Signal<In, Bits<2>>,
    pub s_bm_axi_arvalid: Signal<In, Bit>,
    pub s_bm_axi_rready: Signal<In, Bit>,
    pub s_bm_axi_awready: Signal<Out, Bit>,
    pub s_bm_axi_wready: Signal<Out, Bit>,
    pub s_bm_axi_bresp: Signal<Out, Bits<2>>,
    pub s_bm_axi_bvalid: Signal<Out, Bit>,
    pub s_bm_axi_arready: Signal<Out, Bit>,
    pub s_bm_axi_rdata: Signal<Out, Bits<32>>,
    pub s_bm_axi_rresp: Signal<Out, Bits<2>>,
    pub s_bm_axi_rlast: Signal<Out, Bit>,
    pub s_bm_axi_rvalid: Signal<Out, Bit>,
    pub m_bm_axi_awaddr: Signal<Out, Bits<32>>,
    pub m_bm_axi_awlen: Signal<Out, Bits<8>>,
    pub m_bm_axi_awsize: Signal<Out, Bits<3>>,
    pub m_bm_axi_awburst: Signal<Out, Bits<2>>,
    pub m_bm_axi_awvalid: Signal<Out, Bit>,
    pub m_bm_axi_wdata: Signal<Out, Bits<32>>,
    pub m_bm_axi_wstrb: Signal<Out, Bits<4>>,
    pub m_bm_axi_wlast: Signal<Out, Bit>,
    pub m_bm_axi_wvalid: Signal<Out, Bit>,
    pub m_bm_axi_bready: Signal<Out, Bit>,
    pub m_bm_axi_araddr: Signal<Out, Bits<32>>,
    pub m_bm_axi_arlen: Signal<Out, Bits<8>>,
    pub m_bm_axi_arsize: Signal<Out, Bits<3>>,
    pub m_bm_axi_arburst: Signal<Out, Bits<2>>,
    pub m_bm_axi_arvalid: Signal<Out, Bit>,
    pub m_bm_axi_rready: Signal<Out, Bit>,
    pub m_bm_axi_awready: Signal<In, Bit>,
    pub m_bm_axi_wready: Signal<In, Bit>,
    pub m_bm_axi_bresp: Signal<In, Bits<2>>,
    pub m_bm_axi_bvalid: Signal<In, Bit>,
    pub m_bm_axi_arready: Signal<In, Bit>,
    pub m_bm_axi_rdata: Signal<In, Bits<32>>,
    pub m_bm_axi_rresp: Signal<In, Bits<2>>,
    pub m_bm_axi_rlast: Signal<In, Bit>,
    pub m_bm_axi_rvalid: Signal<In, Bit>,

    pub dev: Vec<DevicePort>,
    pub irq: Signal<Out, Bit>,

    /// The bus-master port: one with `Config::bus_master_port`, none without.
    bm: Vec<BmPort>,
    /// The port's outputs, chosen (or tied off) and assigned once.
    l_s_bm_axi_awready: Signal<Local, Bit>,
    l_s_bm_axi_wready: Signal<Local, Bit>,
    l_s_bm_axi_bresp: Signal<Local, Bits<2>>,
    l_s_bm_axi_bvalid: Signal<Local, Bit>,
    l_s_bm_axi_arready: Signal<Local, Bit>,
    l_s_bm_axi_rdata: Signal<Local, Bits<32>>,
    l_s_bm_axi_rresp: Signal<Local, Bits<2>>,
    l_s_bm_axi_rlast: Signal<Local, Bit>,
    l_s_bm_axi_rvalid: Signal<Local, Bit>,
    l_m_bm_axi_awaddr: Signal<Local, Bits<32>>,
    l_m_bm_axi_awlen: Signal<Local, Bits<8>>,
    l_m_bm_axi_awsize: Signal<Local, Bits<3>>,
    l_m_bm_axi_awburst: Signal<Local, Bits<2>>,
    l_m_bm_axi_awvalid: Signal<Local, Bit>,
    l_m_bm_axi_wdata: Signal<Local, Bits<32>>,
    l_m_bm_axi_wstrb: Signal<Local, Bits<4>>,
    l_m_bm_axi_wlast: Signal<Local, Bit>,
    l_m_bm_axi_wvalid: Signal<Local, Bit>,
    l_m_bm_axi_bready: Signal<Local, Bit>,
    l_m_bm_axi_araddr: Signal<Local, Bits<32>>,
    l_m_bm_axi_arlen: Signal<Local, Bits<8>>,
    l_m_bm_axi_arsize: Signal<Local, Bits<3>>,
    l_m_bm_axi_arburst: Signal<Local, Bits<2>>,
    l_m_bm_axi_arvalid: Signal<Local, Bit>,
    l_m_bm_axi_rready: Signal<Local, Bit>,
    bm_rd: Signal<Local, Bits<32>>,
    bm_irq: Signal<Local, Bit>,

    axil: AxiLiteSlave,
    /// The write address's decode, registered (its input is the held address's next state).
    wdec: WriteDecode,
    rdec: RegDecode,
    channels: Vec<Channel>,
    /// The engine (DESIGN §6): which channel goes next, the acknowledged unit and its commit
    /// decision, the one address adder.
    select: Select,
    demand: Demand,
    fields: Fields,
    issue: Issue,
    stepper: Stepper,
    /// The destination side of a memory-to-memory pair (DESIGN §3a): one with two or more
    /// channels, none with one.
    pair: Pair,
    translation: Translation,
    responses: Responses,
    /// AXI4 requests of committed units (AW, W, AR queues).
    requests: AxiRequests,

    /// 8237 register file (controller-wide registers, channel strobes, read multiplexer) and
    /// native registers (interrupts, fault records, snapshots).
    regs: Regs8237,
    native: NativeRegs,

    // Combinational scratch (rust-hdl kernels have no `let`). Per-channel vectors: bit c is
    // channel c.
    wr: Signal<Local, Bit>,
    wd: Signal<Local, Bits<32>>,
    rd: Signal<Local, Bit>,
    ra: Signal<Local, Bits<13>>,
    tc_events: Signal<Local, Bits<4>>,
    /// The channels the unit committed last clock is applied to this clock (one-hot; channel
    /// 1 too for a pair unit).
    apply_oh: Signal<Local, Bits<4>>,
    /// The issue-stage unit commits a read (AR) / a write (AW + W).
    push_read: Signal<Local, Bit>,
    push_write: Signal<Local, Bit>,
    busy: Signal<Local, Bits<4>>,
    /// A channel's new address and count (channel 1's from the pair when its unit applies).
    t_next_addr: Signal<Local, Bits<16>>,
    t_next_count: Signal<Local, Bits<16>>,
}

impl MapDma {
    /// Builds the hardware for a configuration (checked with [`Config::validate`] first).
    pub fn new(cfg: &Config) -> Self {
        check_decode_layout();
        let n = cfg.channels;
        MapDma {
            clock: Default::default(),
            reset: Default::default(),
            s_axil_awaddr: Default::default(),
            s_axil_awvalid: Default::default(),
            s_axil_awready: Default::default(),
            s_axil_wdata: Default::default(),
            s_axil_wstrb: Default::default(),
            s_axil_wvalid: Default::default(),
            s_axil_wready: Default::default(),
            s_axil_bresp: Default::default(),
            s_axil_bvalid: Default::default(),
            s_axil_bready: Default::default(),
            s_axil_araddr: Default::default(),
            s_axil_arvalid: Default::default(),
            s_axil_arready: Default::default(),
            s_axil_rdata: Default::default(),
            s_axil_rresp: Default::default(),
            s_axil_rvalid: Default::default(),
            s_axil_rready: Default::default(),
            m_axi_awaddr: Default::default(),
            m_axi_awlen: Default::default(),
            m_axi_awsize: Default::default(),
            m_axi_awburst: Default::default(),
            m_axi_awvalid: Default::default(),
            m_axi_awready: Default::default(),
            m_axi_wdata: Default::default(),
            m_axi_wstrb: Default::default(),
            m_axi_wlast: Default::default(),
            m_axi_wvalid: Default::default(),
            m_axi_wready: Default::default(),
            m_axi_bresp: Default::default(),
            m_axi_bvalid: Default::default(),
            m_axi_bready: Default::default(),
            m_axi_araddr: Default::default(),
            m_axi_arlen: Default::default(),
            m_axi_arsize: Default::default(),
            m_axi_arburst: Default::default(),
            m_axi_arvalid: Default::default(),
            m_axi_arready: Default::default(),
            m_axi_rdata: Default::default(),
            m_axi_rresp: Default::default(),
            m_axi_rlast: Default::default(),
            m_axi_rvalid: Default::default(),
            m_axi_rready: Default::default(),
            dev: (0..n).map(|_| DevicePort::default()).collect(),
            irq: Default::default(),
            s_bm_axi_awaddr: Default::default(),
            s_bm_axi_awlen: Default::default(),
            s_bm_axi_awsize: Default::default(),
            s_bm_axi_awburst: Default::default(),
            s_bm_axi_awvalid: Default::default(),
            s_bm_axi_wdata: Default::default(),
            s_bm_axi_wstrb: Default::default(),
            s_bm_axi_wlast: Default::default(),
            s_bm_axi_wvalid: Default::default(),
            s_bm_axi_bready: Default::default(),
            s_bm_axi_araddr: Default::default(),
            s_bm_axi_arlen: Default::default(),
            s_bm_axi_arsize: Default::default(),
            s_bm_axi_arburst: Default::default(),
            s_bm_axi_arvalid: Default::default(),
            s_bm_axi_rready: Default::default(),
            s_bm_axi_awready: Default::default(),
            s_bm_axi_wready: Default::default(),
            s_bm_axi_bresp: Default::default(),
            s_bm_axi_bvalid: Default::default(),
            s_bm_axi_arready: Default::default(),
            s_bm_axi_rdata: Default::default(),
            s_bm_axi_rresp: Default::default(),
            s_bm_axi_rlast: Default::default(),
            s_bm_axi_rvalid: Default::default(),
            m_bm_axi_awaddr: Default::default(),
            m_bm_axi_awlen: Default::default(),
            m_bm_axi_awsize: Default::default(),
            m_bm_axi_awburst: Default::default(),
            m_bm_axi_awvalid: Default::default(),
            m_bm_axi_wdata: Default::default(),
            m_bm_axi_wstrb: Default::default(),
            m_bm_axi_wlast: Default::default(),
            m_bm_axi_wvalid: Default::default(),
            m_bm_axi_bready: Default::default(),
            m_bm_axi_araddr: Default::default(),
            m_bm_axi_arlen: Default::default(),
            m_bm_axi_arsize: Default::default(),
            m_bm_axi_arburst: Default::default(),
            m_bm_axi_arvalid: Default::default(),
            m_bm_axi_rready: Default::default(),
            m_bm_axi_awready: Default::default(),
            m_bm_axi_wready: Default::default(),
            m_bm_axi_bresp: Default::default(),
            m_bm_axi_bvalid: Default::default(),
            m_bm_axi_arready: Default::default(),
            m_bm_axi_rdata: Default::default(),
            m_bm_axi_rresp: Default::default(),
            m_bm_axi_rlast: Default::default(),
            m_bm_axi_rvalid: Default::default(),
            bm: (0..cfg.bus_master_port as usize)
                .map(|_| BmPort::new(cfg))
                .collect(),
            l_s_bm_axi_awready: Default::default(),
            l_s_bm_axi_wready: Default::default(),
            l_s_bm_axi_bresp: Default::default(),
            l_s_bm_axi_bvalid: Default::default(),
            l_s_bm_axi_arready: Default::default(),
            l_s_bm_axi_rdata: Default::default(),
            l_s_bm_axi_rresp: Default::default(),
            l_s_bm_axi_rlast: Default::default(),
            l_s_bm_axi_rvalid: Default::default(),
            l_m_bm_axi_awaddr: Default::default(),
            l_m_bm_axi_awlen: Default::default(),
            l_m_bm_axi_awsize: Default::default(),
            l_m_bm_axi_awburst: Default::default(),
            l_m_bm_axi_awvalid: Default::default(),
            l_m_bm_axi_wdata: Default::default(),
            l_m_bm_axi_wstrb: Default::default(),
            l_m_bm_axi_wlast: Default::default(),
            l_m_bm_axi_wvalid: Default::default(),
            l_m_bm_axi_bready: Default::default(),
            l_m_bm_axi_araddr: Default::default(),
            l_m_bm_axi_arlen: Default::default(),
            l_m_bm_axi_arsize: Default::default(),
            l_m_bm_axi_arburst: Default::default(),
            l_m_bm_axi_arvalid: Default::default(),
            l_m_bm_axi_rready: Default::default(),
            bm_rd: Default::default(),
            bm_irq: Default::default(),
            axil: Default::default(),
            wdec: WriteDecode::new(cfg),
            rdec: RegDecode::new(cfg),
            channels: (0..n)
                .map(|_| Channel::new(cfg.page_register_bits()))
                .collect(),
            select: Default::default(),
            demand: Demand::new(n),
            fields: Fields::new(n),
            issue: Default::default(),
            stepper: Default::default(),
            pair: Pair::new(cfg),
            translation: Translation::new(cfg),
            responses: Responses::new(cfg.outstanding),
            requests: Default::default(),
            regs: Regs8237::new(cfg),
            native: NativeRegs::new(n),
            wr: Default::default(),
            wd: Default::default(),
            rd: Default::default(),
            ra: Default::default(),
            tc_events: Default::default(),
            apply_oh: Default::default(),
            push_read: Default::default(),
            push_write: Default::default(),
            busy: Default::default(),
            t_next_addr: Default::default(),
            t_next_count: Default::default(),
        }
    }
}

/// The read multiplexer and map-entry packing place fields at the positions `mapdma-regmap`
/// gives them; checked here (and the decode layout in `reg_decode`), so a register-map change
/// that breaks them fails at generation instead of silently mis-reading.
fn check_decode_layout() {
    use regmap::*;
    crate::reg_decode::check_layout();
    crate::regs8237::check_layout();
    crate::native_regs::check_layout();
    crate::translation::check_layout();
    // The codes the engine compares the channel's decoded mode with (type 1 write, 2 read;
    // service 0 demand, 1 single, 2 block, 3 cascade).
    assert_eq!(
        (
            TransferType::Verify as u32,
            TransferType::Write as u32,
            TransferType::Read as u32
        ),
        (0, 1, 2)
    );
    assert_eq!(
        (
            ServiceMode::Demand as u32,
            ServiceMode::Single as u32,
            ServiceMode::Block as u32,
            ServiceMode::Cascade as u32
        ),
        (0, 1, 2, 3)
    );
}

impl Logic for MapDma {
    // Every input of a sub-module (except flip-flop `d` inputs, which are only sampled at the
    // clock edge) and every output port is assigned exactly once per evaluation: a value chosen
    // by conditions is built in a `Local` and assigned at the end. An event-driven simulator
    // (Icarus) wakes the other module's `always @(*)` on each intermediate value, and two blocks
    // glitching into each other spin without advancing time.
    #[hdl_gen]
    fn update(&mut self) {
        clock!(
            self,
            clock,
            axil,
            wdec,
            translation,
            responses,
            requests,
            regs,
            native,
            select,
            issue
        );
        self.responses.reset.next = self.reset.val();
        self.regs.reset.next = self.reset.val();
        self.native.reset.next = self.reset.val();
        for i in 0..self.channels.len() {
            self.channels[i].clock.next = self.clock.val();
        }

        // Scratch values used inside loops start defined (no latches).
        self.t_next_addr.next = 0.into();
        self.t_next_count.next = 0.into();

        // ---- AXI4-Lite slave -------------------------------------------------------------
        self.axil.reset.next = self.reset.val();
        self.axil.awaddr.next = self.s_axil_awaddr.val();
        self.axil.awvalid.next = self.s_axil_awvalid.val();
        self.s_axil_awready.next = self.axil.awready.val();
        self.axil.wdata.next = self.s_axil_wdata.val();
        self.axil.wstrb.next = self.s_axil_wstrb.val();
        self.axil.wvalid.next = self.s_axil_wvalid.val();
        self.s_axil_wready.next = self.axil.wready.val();
        self.s_axil_bresp.next = self.axil.bresp.val();
        self.s_axil_bvalid.next = self.axil.bvalid.val();
        self.axil.bready.next = self.s_axil_bready.val();
        self.axil.araddr.next = self.s_axil_araddr.val();
        self.axil.arvalid.next = self.s_axil_arvalid.val();
        self.s_axil_arready.next = self.axil.arready.val();
        self.s_axil_rdata.next = self.axil.rdata.val();
        self.s_axil_rresp.next = self.axil.rresp.val();
        self.s_axil_rvalid.next = self.axil.rvalid.val();
        self.axil.rready.next = self.s_axil_rready.val();

        // ---- Register-write decode -------------------------------------------------------
        self.wr.next = self.axil.wr_en.val();
        self.wd.next = self.axil.wr_data.val();
        self.wdec.addr_next.next = self.axil.wr_addr_next.val();
        self.axil.wr_err.next = !self.wdec.known.val();

        // ---- Register-read strobe (side effects in this clock) ---------------------------
        self.rd.next = self.axil.rd_en.val();
        self.ra.next = self.axil.rd_addr.val();
        self.rdec.addr.next = self.ra.val();

        // ---- What each channel asks of the engine (`demand`) -------------------------------
        self.demand.cmd_dreq_low.next = self.regs.cmd_dreq_low.val();
        self.demand.cmd_dack_high.next = self.regs.cmd_dack_high.val();
        self.demand.cmd_disable.next = self.regs.cmd_disable.val();
        self.demand.pair_enable.next = self.pair.enable.val();
        self.demand.apply_mask_oh.next = self.issue.apply_mask_oh.val();
        self.demand.apply_tc_oh.next = self.issue.apply_tc_oh.val();
        self.demand.issue_onehot.next = self.issue.onehot.val();
        for i in 0..self.channels.len() {
            self.demand.ch[i].dreq.next = self.dev[i].dreq.val();
            self.demand.ch[i].eop_in.next = self.dev[i].eop_in.val();
            self.demand.ch[i].src_valid.next = self.dev[i].src_valid.val();
            self.demand.ch[i].snk_ready.next = self.dev[i].snk_ready.val();
            self.demand.ch[i].masked.next = self.channels[i].masked.val();
            self.demand.ch[i].halted.next = self.channels[i].halted.val();
            self.demand.ch[i].service.next = self.channels[i].service.val();
            self.demand.ch[i].sw_request.next = self.channels[i].sw_request.val();
            self.demand.ch[i].autoinit.next = self.channels[i].autoinit.val();
            self.demand.ch[i].runs.next = self.channels[i].runs.val();
            self.demand.ch[i].stopped.next = self.channels[i].stopped.val();
        }
        self.apply_oh.next = self.issue.apply_oh.val() | self.pair.dest_apply_oh.val();

        // ---- Engine: select → issue (DESIGN §6) -------------------------------------------
        self.select.reset.next = self.reset.val();
        self.select.master_clear.next = self.regs.master_clear.val();
        self.select.masked.next = self.demand.masked.val();
        self.select.wr.next = self.wr.val();
        self.select.halted.next = self.demand.halted.val();
        self.select.can_run.next = self.demand.can_run.val();
        self.select.block.next = self.demand.block.val();
        self.select.sw_request.next = self.demand.sw_request.val();
        self.select.dreq.next = self.demand.dreq.val();
        self.select.eop.next = self.demand.eop.val();
        self.select.rotating.next = self.regs.cmd_rotating.val();
        self.select.b_valid.next = self.issue.valid.val();
        self.select.b_ch.next = self.issue.ch.val();
        self.select.b_mode.next = self.issue.mode.val();
        self.select.b_at_tc.next = self.pair.at_tc.val();
        self.select.commit.next = self.issue.commit.val();

        // The pick's fields (for an empty issue stage) and the issue-stage channel's values,
        // each selected from the channels' registers by `fields`.
        self.fields.pick_ch.next = self.select.pick_ch.val();
        self.fields.issue_onehot.next = self.issue.onehot.val();
        for i in 0..self.channels.len() {
            self.fields.ch[i].page.next = self.channels[i].page.val();
            self.fields.ch[i].cur_addr.next = self.channels[i].cur_addr.val();
            self.fields.ch[i].cur_count.next = self.channels[i].cur_count.val();
            self.fields.ch[i].transfer.next = self.channels[i].transfer.val();
            self.fields.ch[i].service.next = self.channels[i].service.val();
            self.fields.ch[i].width.next = self.channels[i].width.val();
            self.fields.ch[i].decrement.next = self.channels[i].decrement.val();
            self.fields.ch[i].at_tc.next = self.channels[i].at_tc.val();
            self.fields.ch[i].base.next = self.channels[i].base.val();
            self.fields.ch[i].reload_count.next = self.channels[i].reload_count.val();
            self.fields.ch[i].autoinit.next = self.channels[i].autoinit.val();
            self.fields.ch[i].src_data.next = self.dev[i].src_data.val();
        }
        self.fields.pair_enable.next = self.pair.enable.val();
        self.select.b_autoinit.next = self.fields.b_autoinit.val();
        self.issue.reset.next = self.reset.val();
        self.issue.wr.next = self.wr.val();
        self.issue.pick_found.next = self.select.pick_found.val();
        self.issue.pick_ch.next = self.select.pick_ch.val();
        self.issue.p_type.next = self.fields.p_type.val();
        self.issue.p_mode.next = self.fields.p_mode.val();
        self.issue.p_width.next = self.fields.p_width.val();
        self.issue.p_page.next = self.fields.p_page.val();
        self.issue.p_addr.next = self.fields.p_addr.val();
        self.issue.p_at_tc.next = self.fields.p_at_tc.val();
        self.issue.p_decrement.next = self.fields.p_decrement.val();
        self.issue.p_count.next = self.fields.p_count.val();
        self.issue.stays.next = self.select.stays.val();
        self.issue.follow_addr.next = self.stepper.follow_addr.val();
        self.issue.follow_at_tc.next = self.stepper.follow_at_tc.val();
        self.issue.follow_count.next = self.stepper.follow_count.val();
        self.issue.next_addr.next = self.stepper.next_addr.val();
        self.issue.next_count.next = self.stepper.next_count.val();
        self.issue.runnable.next = self.select.runnable.val();
        self.issue.eligible.next = self.select.eligible.val();
        self.issue.src_valid.next = self.demand.src_valid.val();
        self.issue.map_fault.next = !self.translation.ok.val() | !self.pair.dest_ok.val();
        // Device writes wait while the pair's writer owns the AW/W queues.
        self.issue.write_space.next =
            self.requests.write_space.val() & !self.pair.write_pending.val();
        self.issue.read_space.next = self.requests.read_space.val();
        self.issue.wr_room.next = self.responses.wr_room.val();
        self.issue.rd_room.next = self.responses.rd_room.val();
        // A pair's unit is channel 1's too (assigned once: a cross-module signal, DESIGN §7).
        self.issue.also_oh.next = self.pair.also_oh.val();
        self.issue.unit_tc.next = self.pair.at_tc.val();
        self.issue.noauto.next = self.demand.noauto.val();

        self.stepper.addr.next = self.issue.addr.val();
        self.stepper.width.next = self.issue.width.val();
        self.stepper.decrement.next = self.issue.decrement.val();
        self.stepper.at_tc.next = self.pair.at_tc.val();
        self.stepper.hold.next = self.pair.hold.val();
        self.stepper.base.next = self.fields.b_base.val();
        self.stepper.autoinit.next = self.fields.b_autoinit.val();
        self.stepper.count.next = self.issue.count.val();
        self.stepper.base_count.next = self.fields.b_base_count.val();

        self.translation.lookup_logical.next = self.issue.lookup_logical.val();
        self.translation.unit_logical.next = self.issue.logical.val();
        self.translation.unit_write.next = self.issue.transfer.val() == 1;
        self.translation.keep.next = self.issue.keep.val();
        self.translation.next_write.next = self.issue.next_write.val();
        self.requests.phys.next = self.translation.phys.val();
        self.requests.addr_lo.next = self.issue.addr.val().get_bits::<2>(0);
        self.requests.width.next = self.issue.width.val();
        self.requests.src_data.next = self.fields.b_src_data.val();
        self.requests.alt.next = self.pair.push.val();
        self.requests.alt_phys.next = self.pair.push_phys.val();
        self.requests.alt_width.next = self.pair.push_width.val();
        self.requests.alt_data.next = self.pair.push_data.val();

        self.tc_events.next = self.issue.tc_commit_oh.val() | self.demand.eop.val();

        // ---- AXI4 master requests ----------------------------------------------------------
        self.push_write.next = self.issue.commit.val() & (self.issue.transfer.val() == 1);
        self.push_read.next = self.issue.commit.val() & (self.issue.transfer.val() == 2);
        self.responses.push_write.next = self.push_write.val() | self.pair.push.val();
        self.responses.push_read.next = self.push_read.val();
        self.responses.unit_m2m.next = self.pair.pair_unit.val();
        self.responses.wunit_addr.next = self.pair.wunit_addr.val();
        self.responses.wunit_channel.next = self.pair.wunit_ch.val();
        self.responses.unit_addr.next = self.issue.addr.val();
        self.responses.unit_channel.next = self.issue.ch.val();
        self.responses.applied_oh.next = self.pair.applied_io_oh.val();
        self.responses.unit_lane.next = self.requests.lane.val();
        self.responses.unit_width.next = self.issue.width.val();
        self.responses.unit_tc.next = self.pair.at_tc.val();
        self.requests.reset.next = self.reset.val();
        self.requests.push_write.next = self.push_write.val() | self.pair.push.val();
        self.requests.push_read.next = self.push_read.val();
        self.requests.awready.next = self.m_axi_awready.val();
        self.requests.wready.next = self.m_axi_wready.val();
        self.requests.arready.next = self.m_axi_arready.val();
        self.m_axi_awaddr.next = self.requests.awaddr.val();
        self.m_axi_awlen.next = 0.into();
        self.m_axi_awsize.next = self.requests.awsize.val();
        self.m_axi_awburst.next = 1.into();
        self.m_axi_awvalid.next = self.requests.awvalid.val();
        self.m_axi_wdata.next = self.requests.wdata.val();
        self.m_axi_wstrb.next = self.requests.wstrb.val();
        self.m_axi_wlast.next = true;
        self.m_axi_wvalid.next = self.requests.wvalid.val();
        self.m_axi_araddr.next = self.requests.araddr.val();
        self.m_axi_arlen.next = 0.into();
        self.m_axi_arsize.next = self.requests.arsize.val();
        self.m_axi_arburst.next = 1.into();
        self.m_axi_arvalid.next = self.requests.arvalid.val();

        // ---- AXI4 responses (see `responses`) --------------------------------------------------
        self.responses.master_clear.next = self.regs.master_clear.val();
        self.responses.rvalid.next = self.m_axi_rvalid.val();
        self.responses.rdata.next = self.m_axi_rdata.val();
        self.responses.rresp.next = self.m_axi_rresp.val();
        self.m_axi_rready.next = self.responses.rready.val();
        self.responses.bvalid.next = self.m_axi_bvalid.val();
        self.responses.bresp.next = self.m_axi_bresp.val();
        self.m_axi_bready.next = self.responses.bready.val();
        self.responses.snk_ready.next = self.demand.snk_ready.val();
        self.responses.m2m_ready.next = self.pair.beat_ready.val();
        // ---- Memory-to-memory pair (`pair`, DESIGN §3a) -------------------------------------
        for i in 0..self.pair.inputs.len() {
            self.pair.inputs[i].clock.next = self.clock.val();
            self.pair.inputs[i].reset.next = self.reset.val();
            self.pair.inputs[i].master_clear.next = self.regs.master_clear.val();
            self.pair.inputs[i].cmd_mem_to_mem.next = self.regs.cmd_mem_to_mem.val();
            self.pair.inputs[i].cmd_ch0_hold.next = self.regs.cmd_ch0_hold.val();
            self.pair.inputs[i].wr.next = self.wr.val();
            self.pair.inputs[i].wd.next = self.wd.val();
            self.pair.inputs[i].w_map.next = self.wdec.map.val();
            self.pair.inputs[i].w_map_index.next = self.wdec.map_index.val();
            self.pair.inputs[i].stage_valid.next = self.issue.valid.val();
            self.pair.inputs[i].load_pick.next = self.issue.load_pick.val();
            self.pair.inputs[i].pick_ch.next = self.select.pick_ch.val();
            self.pair.inputs[i].keep.next = self.issue.keep.val();
            self.pair.inputs[i].commit.next = self.issue.commit.val();
            self.pair.inputs[i].width.next = self.issue.width.val();
            self.pair.inputs[i].unit_ok.next = self.translation.ok.val();
            self.pair.inputs[i].write_space.next = self.requests.write_space.val();
            self.pair.inputs[i].wr_room.next = self.responses.wr_room.val();
            self.pair.inputs[i].r_valid.next = self.responses.m2m_valid.val();
            self.pair.inputs[i].r_take.next = self.responses.m2m_take.val();
            self.pair.inputs[i].r_data.next = self.responses.snk_data.val();
            self.pair.inputs[i].r_width.next = self.responses.m2m_width.val();
            self.pair.inputs[i].c1_addr.next = self.channels[1].cur_addr.val();
            self.pair.inputs[i].c1_count.next = self.channels[1].cur_count.val();
            self.pair.inputs[i].c1_page.next = self.channels[1].page.val();
            self.pair.inputs[i].c1_at_tc.next = self.channels[1].at_tc.val();
            self.pair.inputs[i].c1_base.next = self.channels[1].base.val();
            self.pair.inputs[i].c1_base_count.next = self.channels[1].reload_count.val();
            self.pair.inputs[i].c1_autoinit.next = self.channels[1].autoinit.val();
            self.pair.inputs[i].c1_decrement.next = self.channels[1].decrement.val();
        }
        self.pair.unit_addr.next = self.issue.addr.val();
        self.pair.unit_ch.next = self.issue.ch.val();
        self.pair.unit_onehot.next = self.issue.onehot.val();
        self.pair.unit_logical.next = self.issue.logical.val();
        self.pair.unit_at_tc.next = self.issue.at_tc.val();
        self.pair.unit_cause.next = self.translation.cause.val();
        self.pair.unit_apply_tc.next = self.issue.apply_tc.val();
        self.pair.unit_apply_oh.next = self.issue.apply_oh.val();
        self.pair.unit_apply_io.next = self.issue.apply_io.val();

        // ---- Translation: map-register writes and read-back ---------------------------------
        self.translation.wr.next = self.wr.val();
        self.translation.wd.next = self.wd.val();
        self.translation.w_map.next = self.wdec.map.val();
        self.translation.w_map_index.next = self.wdec.map_index.val();
        self.translation.r_map_index.next = self.rdec.map_index.val();

        // ---- Native registers: faults, interrupts, snapshots ----------------------------------
        self.native.wr.next = self.wr.val();
        self.native.wd.next = self.wd.val();
        self.native.w_int_status.next = self.wdec.int_status.val();
        self.native.w_int_enable.next = self.wdec.int_enable.val();
        self.native.rd.next = self.rd.val();
        self.native.r_arr_ch.next = self.rdec.arr_ch.val();
        self.native.r_pair_ch.next = self.rdec.pair_ch.val();
        self.native.r_fault_addr.next = self.rdec.fault_addr.val();
        self.native.r_snap_count.next = self.rdec.snap_count.val();
        self.native.r_snap_addr.next = self.rdec.snap_addr.val();
        self.native.r_snap_inflight.next = self.rdec.snap_inflight.val();
        self.native.r_int_status.next = self.rdec.int_status.val();
        self.native.r_int_enable.next = self.rdec.int_enable.val();
        self.native.r_fault_cause.next = self.rdec.fault_cause.val();
        self.native.tc_events.next = self.tc_events.val();
        self.native.unit_fault.next = self.issue.fault.val();
        self.native.unit_onehot.next = self.pair.fault_oh.val();
        self.native.unit_logical.next = self.pair.fault_logical.val();
        self.native.unit_cause.next = self.pair.fault_cause.val();
        self.native.r_fault.next = self.responses.r_fault.val();
        self.native.r_fault_addr_in.next = self.responses.r_fault_addr.val();
        self.native.r_fault_resp.next = self.responses.r_fault_resp.val();
        self.native.w_fault.next = self.responses.w_fault.val();
        self.native.w_fault_addr_in.next = self.responses.w_fault_addr.val();
        self.native.w_fault_resp.next = self.responses.w_fault_resp.val();
        // In-flight counts start at the apply stage, with the channel registers the snapshot
        // reads: a snapshot never counts a unit its registers do not show yet.
        self.native.inflight.next = self.responses.inflight.val();

        // ---- 8237 register file -----------------------------------------------------------------
        self.regs.wr.next = self.wr.val();
        self.regs.wd.next = self.wd.val();
        self.regs.w_in_ports.next = self.wdec.in_ports.val();
        self.regs.w_port.next = self.wdec.port.val();
        self.regs.w_port_ch.next = self.wdec.port_ch.val();
        self.regs.w_arr_ch.next = self.wdec.arr_ch.val();
        self.regs.w_page.next = self.wdec.page.val();
        self.regs.w_ch_config.next = self.wdec.ch_config.val();
        self.regs.rd.next = self.rd.val();
        self.regs.r_in_ports.next = self.rdec.in_ports.val();
        self.regs.r_port.next = self.rdec.port.val();
        self.regs.r_port_ch.next = self.rdec.port_ch.val();
        self.regs.r_arr_ch.next = self.rdec.arr_ch.val();
        self.regs.r_page.next = self.rdec.page.val();
        self.regs.r_ch_config.next = self.rdec.ch_config.val();
        self.regs.r_id.next = self.rdec.id.val();
        self.regs.r_version.next = self.rdec.version.val();
        self.regs.r_config0.next = self.rdec.config0.val();
        self.regs.r_config1.next = self.rdec.config1.val();
        self.regs.r_map.next = self.rdec.map.val();
        self.regs.r_known.next = self.rdec.known.val();
        self.regs.requesting.next = self.demand.requesting.val();
        self.regs.tc_events.next = self.tc_events.val();
        self.regs.map_word.next = self.translation.map_word.val();
        self.regs.temporary.next = self.pair.temporary.val();
        self.axil.rd_data.next = self.regs.rd_data.val();
        self.axil.rd_err.next = self.regs.rd_err.val();
        // CH_CONFIG.BUSY: the issue stage holds a unit of the channel, or the channel owns the
        // engine.
        self.busy.next = self.issue.onehot.val() | self.select.owner_onehot.val();
        self.regs.busy.next = self.busy.val();

        // ---- Channels and device outputs ------------------------------------------------------
        for i in 0..self.channels.len() {
            self.channels[i].reset.next = self.reset.val();
            self.channels[i].master_clear.next = self.regs.master_clear.val();
            self.channels[i].wr_byte.next = self.wd.val().get_bits::<8>(0);
            self.channels[i].wr_data.next = self.wd.val().get_bits::<16>(0);
            self.channels[i].wr_addr_lo.next = self.regs.wr_addr_lo.val().get_bit(i);
            self.channels[i].wr_addr_hi.next = self.regs.wr_addr_hi.val().get_bit(i);
            self.channels[i].wr_count_lo.next = self.regs.wr_count_lo.val().get_bit(i);
            self.channels[i].wr_count_hi.next = self.regs.wr_count_hi.val().get_bit(i);
            self.channels[i].wr_mode.next = self.regs.wr_mode.val().get_bit(i);
            self.channels[i].set_mask.next = self.regs.set_mask.val().get_bit(i);
            self.channels[i].clear_mask.next = self.regs.clear_mask.val().get_bit(i);
            self.channels[i].set_request.next = self.regs.set_request.val().get_bit(i);
            self.channels[i].clear_request.next = self.regs.clear_request.val().get_bit(i);
            self.channels[i].wr_page.next = self.regs.wr_page.val().get_bit(i);
            self.channels[i].wr_width.next = self.regs.wr_width.val().get_bit(i);
            self.channels[i].advance.next = self.apply_oh.val().get_bit(i);
            self.channels[i].advance_tc.next = self.pair.apply_tc.val();
            // Channel 1 of a pair takes its own unit (scratch locals: one assignment each).
            self.t_next_addr.next = self.issue.apply_addr.val();
            self.t_next_count.next = self.issue.apply_count.val();
            // (`i == 1` is decided at generation: the other channels get no multiplexer.)
            if self.pair.dest_apply_oh.val().get_bit(i) & (i == 1) {
                self.t_next_addr.next = self.pair.dest_addr.val();
                self.t_next_count.next = self.pair.dest_count.val();
            }
            self.channels[i].next_addr.next = self.t_next_addr.val();
            self.channels[i].next_count.next = self.t_next_count.val();
            self.channels[i].eop.next = self.demand.eop.val().get_bit(i);
            self.channels[i].halt.next = self.native.fault_new.val().get_bit(i);
            self.channels[i].unhalt.next = self.native.fault_clear.val().get_bit(i);
            self.regs.ch[i].cur_addr.next = self.channels[i].cur_addr.val();
            self.regs.ch[i].cur_count.next = self.channels[i].cur_count.val();
            self.regs.ch[i].page.next = self.channels[i].page.val();
            self.regs.ch[i].mode.next = self.channels[i].mode.val();
            self.regs.ch[i].width.next = self.channels[i].width.val();
            self.regs.ch[i].masked.next = self.channels[i].masked.val();
            self.regs.ch[i].sw_request.next = self.channels[i].sw_request.val();
            self.regs.ch[i].halted.next = self.channels[i].halted.val();
            self.native.ch[i].cur_addr.next = self.channels[i].cur_addr.val();
            self.native.ch[i].cur_count.next = self.channels[i].cur_count.val();
            self.native.ch[i].page.next = self.channels[i].page.val();
            self.native.ch[i].passes.next = self.channels[i].passes.val();

            self.dev[i].src_ready.next =
                self.issue.commit_oh.val().get_bit(i) & (self.issue.transfer.val() == 1);
            self.dev[i].moved.next = self.issue.commit_oh.val().get_bit(i);
            self.dev[i].snk_valid.next = self.responses.snk_valid.val().get_bit(i);
            self.dev[i].snk_data.next = self.responses.snk_data.val();
            self.dev[i].snk_last.next = self.responses.snk_last.val();
            self.dev[i].eop_out.next = self.regs.eop_out.val().get_bit(i);
            self.dev[i].dack.next = self.demand.dack.val().get_bit(i);
        }
        // ---- Bus-master port (`bm_port`): its own map copy, written with the engine's ----------
        // Without the port its outputs keep these tie-offs; each output is assigned once below.
        self.l_s_bm_axi_awready.next = false;
        self.l_s_bm_axi_wready.next = false;
        self.l_s_bm_axi_bresp.next = 0.into();
        self.l_s_bm_axi_bvalid.next = false;
        self.l_s_bm_axi_arready.next = false;
        self.l_s_bm_axi_rdata.next = 0.into();
        self.l_s_bm_axi_rresp.next = 0.into();
        self.l_s_bm_axi_rlast.next = false;
        self.l_s_bm_axi_rvalid.next = false;
        self.l_m_bm_axi_awaddr.next = 0.into();
        self.l_m_bm_axi_awlen.next = 0.into();
        self.l_m_bm_axi_awsize.next = 0.into();
        self.l_m_bm_axi_awburst.next = 0.into();
        self.l_m_bm_axi_awvalid.next = false;
        self.l_m_bm_axi_wdata.next = 0.into();
        self.l_m_bm_axi_wstrb.next = 0.into();
        self.l_m_bm_axi_wlast.next = false;
        self.l_m_bm_axi_wvalid.next = false;
        self.l_m_bm_axi_bready.next = false;
        self.l_m_bm_axi_araddr.next = 0.into();
        self.l_m_bm_axi_arlen.next = 0.into();
        self.l_m_bm_axi_arsize.next = 0.into();
        self.l_m_bm_axi_arburst.next = 0.into();
        self.l_m_bm_axi_arvalid.next = false;
        self.l_m_bm_axi_rready.next = false;
        self.bm_rd.next = 0.into();
        self.bm_irq.next = false;
        for i in 0..self.bm.len() {
            self.bm[i].clock.next = self.clock.val();
            self.bm[i].reset.next = self.reset.val();
            self.bm[i].s_awaddr.next = self.s_bm_axi_awaddr.val();
            self.bm[i].s_awlen.next = self.s_bm_axi_awlen.val();
            self.bm[i].s_awsize.next = self.s_bm_axi_awsize.val();
            self.bm[i].s_awburst.next = self.s_bm_axi_awburst.val();
            self.bm[i].s_awvalid.next = self.s_bm_axi_awvalid.val();
            self.bm[i].s_wdata.next = self.s_bm_axi_wdata.val();
            self.bm[i].s_wstrb.next = self.s_bm_axi_wstrb.val();
            self.bm[i].s_wlast.next = self.s_bm_axi_wlast.val();
            self.bm[i].s_wvalid.next = self.s_bm_axi_wvalid.val();
            self.bm[i].s_bready.next = self.s_bm_axi_bready.val();
            self.bm[i].s_araddr.next = self.s_bm_axi_araddr.val();
            self.bm[i].s_arlen.next = self.s_bm_axi_arlen.val();
            self.bm[i].s_arsize.next = self.s_bm_axi_arsize.val();
            self.bm[i].s_arburst.next = self.s_bm_axi_arburst.val();
            self.bm[i].s_arvalid.next = self.s_bm_axi_arvalid.val();
            self.bm[i].s_rready.next = self.s_bm_axi_rready.val();
            self.l_s_bm_axi_awready.next = self.bm[i].s_awready.val();
            self.l_s_bm_axi_wready.next = self.bm[i].s_wready.val();
            self.l_s_bm_axi_bresp.next = self.bm[i].s_bresp.val();
            self.l_s_bm_axi_bvalid.next = self.bm[i].s_bvalid.val();
            self.l_s_bm_axi_arready.next = self.bm[i].s_arready.val();
            self.l_s_bm_axi_rdata.next = self.bm[i].s_rdata.val();
            self.l_s_bm_axi_rresp.next = self.bm[i].s_rresp.val();
            self.l_s_bm_axi_rlast.next = self.bm[i].s_rlast.val();
            self.l_s_bm_axi_rvalid.next = self.bm[i].s_rvalid.val();
            self.l_m_bm_axi_awaddr.next = self.bm[i].m_awaddr.val();
            self.l_m_bm_axi_awlen.next = self.bm[i].m_awlen.val();
            self.l_m_bm_axi_awsize.next = self.bm[i].m_awsize.val();
            self.l_m_bm_axi_awburst.next = 1.into();
            self.l_m_bm_axi_awvalid.next = self.bm[i].m_awvalid.val();
            self.l_m_bm_axi_wdata.next = self.bm[i].m_wdata.val();
            self.l_m_bm_axi_wstrb.next = self.bm[i].m_wstrb.val();
            self.l_m_bm_axi_wlast.next = self.bm[i].m_wlast.val();
            self.l_m_bm_axi_wvalid.next = self.bm[i].m_wvalid.val();
            self.l_m_bm_axi_bready.next = self.bm[i].m_bready.val();
            self.l_m_bm_axi_araddr.next = self.bm[i].m_araddr.val();
            self.l_m_bm_axi_arlen.next = self.bm[i].m_arlen.val();
            self.l_m_bm_axi_arsize.next = self.bm[i].m_arsize.val();
            self.l_m_bm_axi_arburst.next = 1.into();
            self.l_m_bm_axi_arvalid.next = self.bm[i].m_arvalid.val();
            self.l_m_bm_axi_rready.next = self.bm[i].m_rready.val();
            self.bm[i].m_awready.next = self.m_bm_axi_awready.val();
            self.bm[i].m_wready.next = self.m_bm_axi_wready.val();
            self.bm[i].m_bresp.next = self.m_bm_axi_bresp.val();
            self.bm[i].m_bvalid.next = self.m_bm_axi_bvalid.val();
            self.bm[i].m_arready.next = self.m_bm_axi_arready.val();
            self.bm[i].m_rdata.next = self.m_bm_axi_rdata.val();
            self.bm[i].m_rresp.next = self.m_bm_axi_rresp.val();
            self.bm[i].m_rlast.next = self.m_bm_axi_rlast.val();
            self.bm[i].m_rvalid.next = self.m_bm_axi_rvalid.val();
            self.bm[i].map_we.next = self.wr.val() & self.wdec.map.val();
            self.bm[i].map_index.next = self.wdec.map_index.val();
            self.bm[i].map_entry.next = self.translation.map_entry.val();
            self.bm[i].wr.next = self.wr.val();
            self.bm[i].wd.next = self.wd.val();
            self.bm[i].w_int_status.next = self.wdec.int_status.val();
            self.bm[i].w_int_enable.next = self.wdec.int_enable.val();
            self.bm[i].r_int_status.next = self.rdec.int_status.val();
            self.bm[i].r_int_enable.next = self.rdec.int_enable.val();
            self.bm[i].r_bm_fault.next = self.rdec.bm_fault.val();
            self.bm[i].r_bm_fault_addr.next = self.rdec.bm_fault_addr.val();
            self.bm_rd.next = self.bm[i].rd_data.val();
            self.bm_irq.next = self.bm[i].irq.val();
        }
        self.s_bm_axi_awready.next = self.l_s_bm_axi_awready.val();
        self.s_bm_axi_wready.next = self.l_s_bm_axi_wready.val();
        self.s_bm_axi_bresp.next = self.l_s_bm_axi_bresp.val();
        self.s_bm_axi_bvalid.next = self.l_s_bm_axi_bvalid.val();
        self.s_bm_axi_arready.next = self.l_s_bm_axi_arready.val();
        self.s_bm_axi_rdata.next = self.l_s_bm_axi_rdata.val();
        self.s_bm_axi_rresp.next = self.l_s_bm_axi_rresp.val();
        self.s_bm_axi_rlast.next = self.l_s_bm_axi_rlast.val();
        self.s_bm_axi_rvalid.next = self.l_s_bm_axi_rvalid.val();
        self.m_bm_axi_awaddr.next = self.l_m_bm_axi_awaddr.val();
        self.m_bm_axi_awlen.next = self.l_m_bm_axi_awlen.val();
        self.m_bm_axi_awsize.next = self.l_m_bm_axi_awsize.val();
        self.m_bm_axi_awburst.next = self.l_m_bm_axi_awburst.val();
        self.m_bm_axi_awvalid.next = self.l_m_bm_axi_awvalid.val();
        self.m_bm_axi_wdata.next = self.l_m_bm_axi_wdata.val();
        self.m_bm_axi_wstrb.next = self.l_m_bm_axi_wstrb.val();
        self.m_bm_axi_wlast.next = self.l_m_bm_axi_wlast.val();
        self.m_bm_axi_wvalid.next = self.l_m_bm_axi_wvalid.val();
        self.m_bm_axi_bready.next = self.l_m_bm_axi_bready.val();
        self.m_bm_axi_araddr.next = self.l_m_bm_axi_araddr.val();
        self.m_bm_axi_arlen.next = self.l_m_bm_axi_arlen.val();
        self.m_bm_axi_arsize.next = self.l_m_bm_axi_arsize.val();
        self.m_bm_axi_arburst.next = self.l_m_bm_axi_arburst.val();
        self.m_bm_axi_arvalid.next = self.l_m_bm_axi_arvalid.val();
        self.m_bm_axi_rready.next = self.l_m_bm_axi_rready.val();
        self.regs.native_rd.next = self.native.rd_data.val() | self.bm_rd.val();
        self.irq.next = self.native.irq.val() | self.bm_irq.val();
    }
}
