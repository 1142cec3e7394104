//! System memory of a board: block RAM behind two ports.
//!
//! - An AXI4 slave for the DMA's master. Single-beat transactions, as mapdma issues them:
//!   AxLEN, AxSIZE and AxBURST are ignored (every access is one 32-bit word, written under
//!   WSTRB). Addresses at or above the size answer DECERR (reads return 0, writes do nothing).
//! - A simple request port for the UART bridge (`b_*`): hold `b_req` until the one-clock
//!   `b_ack`, which carries the read data and the response. Whole-word writes.
//!
//! Storage is four byte lanes of `2^A` bytes each (so WSTRB maps onto separate memories and
//! Yosys infers `SB_RAM40_4K` for each); one read and one write per clock, as the block RAM
//! allows. The bridge wins a port over the DMA: it asks at most once per few UART bytes, so the
//! DMA cannot starve, and the bridge never waits more than a clock.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct SystemRam<const A: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    // AXI4 slave.
    pub awaddr: Signal<In, Bits<32>>,
    pub awvalid: Signal<In, Bit>,
    pub awready: Signal<Out, Bit>,
    pub wdata: Signal<In, Bits<32>>,
    pub wstrb: Signal<In, Bits<4>>,
    pub wvalid: Signal<In, Bit>,
    pub wready: Signal<Out, Bit>,
    pub bresp: Signal<Out, Bits<2>>,
    pub bvalid: Signal<Out, Bit>,
    pub bready: Signal<In, Bit>,
    pub araddr: Signal<In, Bits<32>>,
    pub arvalid: Signal<In, Bit>,
    pub arready: Signal<Out, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub rlast: Signal<Out, Bit>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,

    // Bridge port.
    pub b_req: Signal<In, Bit>,
    pub b_we: Signal<In, Bit>,
    pub b_addr: Signal<In, Bits<32>>,
    pub b_wdata: Signal<In, Bits<32>>,
    pub b_ack: Signal<Out, Bit>,
    pub b_rdata: Signal<Out, Bits<32>>,
    pub b_resp: Signal<Out, Bits<2>>,

    /// Size in bytes (4 · 2^A).
    size: Constant<Bits<32>>,
    lane0: RAM<Bits<8>, A>,
    lane1: RAM<Bits<8>, A>,
    lane2: RAM<Bits<8>, A>,
    lane3: RAM<Bits<8>, A>,
    // DMA read path: `r_pending` = a read was issued last clock, its data is on the RAM output
    // now; `r_hold_*` keeps it when R stalls.
    r_pending: DFF<Bit>,
    r_pending_err: DFF<Bit>,
    r_hold_valid: DFF<Bit>,
    r_hold_data: DFF<Bits<32>>,
    r_hold_err: DFF<Bit>,
    b_valid: DFF<Bit>,
    b_err: DFF<Bit>,
    // Bridge: acknowledged the clock after its grant.
    ack: DFF<Bit>,
    ack_err: DFF<Bit>,

    word: Signal<Local, Bits<32>>,
    rd_word: Signal<Local, Bits<32>>,
    ram_out: Signal<Local, Bits<32>>,
    wr_addr: Signal<Local, Bits<32>>,
    wr_data: Signal<Local, Bits<32>>,
    wr_lanes: Signal<Local, Bits<4>>,
    wr_go: Signal<Local, Bit>,
    rd_addr: Signal<Local, Bits<32>>,
    b_grant: Signal<Local, Bit>,
    dma_w_go: Signal<Local, Bit>,
    dma_r_go: Signal<Local, Bit>,
    r_free: Signal<Local, Bit>,
    aw_in_range: Signal<Local, Bit>,
    ar_in_range: Signal<Local, Bit>,
    b_in_range: Signal<Local, Bit>,
    // Values of output ports and sub-module inputs chosen by conditions: each such signal is
    // assigned once per evaluation from one of these, so event-driven simulators settle.
    c_bresp: Signal<Local, Bits<2>>,
    c_rdata: Signal<Local, Bits<32>>,
    c_rresp: Signal<Local, Bits<2>>,
    c_b_rdata: Signal<Local, Bits<32>>,
    c_b_resp: Signal<Local, Bits<2>>,
}

impl<const A: usize> SystemRam<A> {
    /// Size in bytes of this memory.
    pub const BYTES: u64 = 4 << A;

    pub fn new() -> Self {
        SystemRam {
            clock: Default::default(),
            reset: Default::default(),
            awaddr: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            bresp: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            araddr: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rlast: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            b_req: Default::default(),
            b_we: Default::default(),
            b_addr: Default::default(),
            b_wdata: Default::default(),
            b_ack: Default::default(),
            b_rdata: Default::default(),
            b_resp: Default::default(),
            size: Constant::new(Self::BYTES.to_bits()),
            lane0: Default::default(),
            lane1: Default::default(),
            lane2: Default::default(),
            lane3: Default::default(),
            r_pending: Default::default(),
            r_pending_err: Default::default(),
            r_hold_valid: Default::default(),
            r_hold_data: Default::default(),
            r_hold_err: Default::default(),
            b_valid: Default::default(),
            b_err: Default::default(),
            ack: Default::default(),
            ack_err: Default::default(),
            word: Default::default(),
            rd_word: Default::default(),
            ram_out: Default::default(),
            wr_addr: Default::default(),
            wr_data: Default::default(),
            wr_lanes: Default::default(),
            wr_go: Default::default(),
            rd_addr: Default::default(),
            b_grant: Default::default(),
            dma_w_go: Default::default(),
            dma_r_go: Default::default(),
            r_free: Default::default(),
            aw_in_range: Default::default(),
            ar_in_range: Default::default(),
            b_in_range: Default::default(),
            c_bresp: Default::default(),
            c_rdata: Default::default(),
            c_rresp: Default::default(),
            c_b_rdata: Default::default(),
            c_b_resp: Default::default(),
        }
    }
}

impl<const A: usize> Default for SystemRam<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const A: usize> Logic for SystemRam<A> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            r_pending,
            r_pending_err,
            r_hold_valid,
            r_hold_data,
            r_hold_err,
            b_valid,
            b_err,
            ack,
            ack_err
        );
        self.lane0.read_clock.next = self.clock.val();
        self.lane1.read_clock.next = self.clock.val();
        self.lane2.read_clock.next = self.clock.val();
        self.lane3.read_clock.next = self.clock.val();
        self.lane0.write_clock.next = self.clock.val();
        self.lane1.write_clock.next = self.clock.val();
        self.lane2.write_clock.next = self.clock.val();
        self.lane3.write_clock.next = self.clock.val();
        self.aw_in_range.next = self.awaddr.val() < self.size.val();
        self.ar_in_range.next = self.araddr.val() < self.size.val();
        self.b_in_range.next = self.b_addr.val() < self.size.val();
        self.ram_out.next = bit_cast::<32, 8>(self.lane0.read_data.val())
            | (bit_cast::<32, 8>(self.lane1.read_data.val()) << 8)
            | (bit_cast::<32, 8>(self.lane2.read_data.val()) << 16)
            | (bit_cast::<32, 8>(self.lane3.read_data.val()) << 24);

        // Bridge first (granted only while its previous request is not being acknowledged).
        self.b_grant.next = self.b_req.val() & !self.ack.q.val();
        // DMA write: AW and W together, and B free (or being taken).
        self.dma_w_go.next = self.awvalid.val()
            & self.wvalid.val()
            & (!self.b_valid.q.val() | self.bready.val())
            & !(self.b_grant.val() & self.b_we.val());
        // DMA read: the R path must be free next clock.
        self.r_free.next =
            !self.r_hold_valid.q.val() & (!self.r_pending.q.val() | self.rready.val());
        self.dma_r_go.next =
            self.arvalid.val() & self.r_free.val() & !(self.b_grant.val() & !self.b_we.val());

        // Write port.
        self.wr_go.next = false;
        self.wr_addr.next = self.awaddr.val();
        self.wr_data.next = self.wdata.val();
        self.wr_lanes.next = self.wstrb.val();
        if self.dma_w_go.val() {
            self.wr_go.next = self.aw_in_range.val();
        }
        if self.b_grant.val() & self.b_we.val() {
            self.wr_go.next = self.b_in_range.val();
            self.wr_addr.next = self.b_addr.val();
            self.wr_data.next = self.b_wdata.val();
            self.wr_lanes.next = 0xF.into();
        }
        self.word.next = self.wr_addr.val() >> 2;
        self.lane0.write_address.next = bit_cast::<A, 32>(self.word.val());
        self.lane1.write_address.next = bit_cast::<A, 32>(self.word.val());
        self.lane2.write_address.next = bit_cast::<A, 32>(self.word.val());
        self.lane3.write_address.next = bit_cast::<A, 32>(self.word.val());
        self.lane0.write_data.next = self.wr_data.val().get_bits::<8>(0);
        self.lane1.write_data.next = self.wr_data.val().get_bits::<8>(8);
        self.lane2.write_data.next = self.wr_data.val().get_bits::<8>(16);
        self.lane3.write_data.next = self.wr_data.val().get_bits::<8>(24);
        self.lane0.write_enable.next = self.wr_go.val() & self.wr_lanes.val().get_bit(0);
        self.lane1.write_enable.next = self.wr_go.val() & self.wr_lanes.val().get_bit(1);
        self.lane2.write_enable.next = self.wr_go.val() & self.wr_lanes.val().get_bit(2);
        self.lane3.write_enable.next = self.wr_go.val() & self.wr_lanes.val().get_bit(3);

        // Read port.
        self.rd_addr.next = self.araddr.val();
        if self.b_grant.val() & !self.b_we.val() {
            self.rd_addr.next = self.b_addr.val();
        }
        self.rd_word.next = self.rd_addr.val() >> 2;
        self.lane0.read_address.next = bit_cast::<A, 32>(self.rd_word.val());
        self.lane1.read_address.next = bit_cast::<A, 32>(self.rd_word.val());
        self.lane2.read_address.next = bit_cast::<A, 32>(self.rd_word.val());
        self.lane3.read_address.next = bit_cast::<A, 32>(self.rd_word.val());

        // AXI write handshake and response.
        self.awready.next = self.dma_w_go.val();
        self.wready.next = self.dma_w_go.val();
        if self.b_valid.q.val() & self.bready.val() {
            self.b_valid.d.next = false;
        }
        if self.dma_w_go.val() {
            self.b_valid.d.next = true;
            self.b_err.d.next = !self.aw_in_range.val();
        }
        self.bvalid.next = self.b_valid.q.val();
        self.c_bresp.next = 0.into();
        if self.b_err.q.val() {
            self.c_bresp.next = 3.into();
        }

        // AXI read handshake and response.
        self.arready.next = self.dma_r_go.val();
        self.r_pending.d.next = self.dma_r_go.val();
        self.r_pending_err.d.next = !self.ar_in_range.val();
        if self.r_pending.q.val() & !self.rready.val() {
            self.r_hold_valid.d.next = true;
            self.r_hold_data.d.next = self.ram_out.val();
            self.r_hold_err.d.next = self.r_pending_err.q.val();
        }
        if self.r_hold_valid.q.val() & self.rready.val() {
            self.r_hold_valid.d.next = false;
        }
        self.rvalid.next = self.r_pending.q.val() | self.r_hold_valid.q.val();
        self.rlast.next = true;
        self.c_rdata.next = self.ram_out.val();
        self.c_rresp.next = 0.into();
        if self.r_pending_err.q.val() & self.r_pending.q.val() {
            self.c_rdata.next = 0.into();
            self.c_rresp.next = 3.into();
        }
        if self.r_hold_valid.q.val() {
            self.c_rdata.next = self.r_hold_data.q.val();
            self.c_rresp.next = 0.into();
            if self.r_hold_err.q.val() {
                self.c_rdata.next = 0.into();
                self.c_rresp.next = 3.into();
            }
        }

        // Bridge acknowledge.
        self.ack.d.next = self.b_grant.val();
        self.ack_err.d.next = !self.b_in_range.val();
        self.b_ack.next = self.ack.q.val();
        self.c_b_rdata.next = self.ram_out.val();
        self.c_b_resp.next = 0.into();
        if self.ack_err.q.val() {
            self.c_b_rdata.next = 0.into();
            self.c_b_resp.next = 3.into();
        }

        if self.reset.val() {
            self.r_pending.d.next = false;
            self.r_hold_valid.d.next = false;
            self.b_valid.d.next = false;
            self.ack.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.bresp.next = self.c_bresp.val();
        self.rdata.next = self.c_rdata.val();
        self.rresp.next = self.c_rresp.val();
        self.b_rdata.next = self.c_b_rdata.val();
        self.b_resp.next = self.c_b_resp.val();
    }
}
