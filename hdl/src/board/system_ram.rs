//! System memory of a board: block RAM behind two or three ports.
//!
//! - An AXI4 slave for the DMA's master. Single-beat transactions, as mapdma issues them:
//!   AxLEN, AxSIZE and AxBURST are ignored (every access is one 32-bit word, written under
//!   WSTRB). Addresses at or above the size answer DECERR (reads return 0, writes do nothing).
//! - A simple request port for the UART bridge (`b_*`): hold `b_req` until the one-clock
//!   `b_ack`, which carries the read data and the response. Whole-word writes.
//! - Optionally ([`SystemRam::new`] with `burst_port`) a second AXI4 slave (`p_*`) that takes
//!   INCR bursts, for the translated traffic of the bus-master port ([`RamBurstPort`]); without
//!   it the `p_*` inputs are ignored and its outputs stay 0.
//!
//! ```text
//!  DMA m_axi ──► single-beat port ──┐ RamArbiter   read port:  bridge > round robin(DMA, burst)
//!  bridge ─────► b_* ───────────────┼────────────► ByteLanes (block RAM, 1 read + 1 write/clock)
//!  m_bm_axi ───► RamBurstPort ──────┘              write port: bridge > round robin(DMA, burst)
//!  R of both AXI ports: a ReadHold each (the RAM's data comes a clock after the read)
//! ```
//!
//! This block holds the DMA's write response and the bridge's acknowledge and wires the others:
//! [`RamArbiter`] grants the ports, [`ByteLanes`] is the storage (four byte lanes of `2^A`
//! bytes each, so WSTRB maps onto separate memories and Yosys infers `SB_RAM40_4K` for each),
//! [`ReadHold`] answers the DMA's reads as it does the burst port's. The bridge wins a port over the DMA: it asks at most once per few UART bytes, so the
//! DMA cannot starve, and the bridge never waits more than a clock.
//!
//! Why a second port rather than an AXI arbiter in front of one burst slave: the RAM already
//! arbitrates per clock, so the two masters share it beat by beat. An arbiter in front would
//! grant whole bursts and answer in one order, so a master that does not take its R beats (the
//! DMA waiting on a device) or has not sent its W beats (a bus master copying read data) would
//! hold up the other: with the board's test master that is a deadlock. Beat by beat each master
//! only ever waits on itself, the DMA keeps its single-beat path (one unit per clock when the
//! burst port is idle; every other clock in a tie: the two alternate), and the logic is one
//! burst counter per direction plus two turn bits.

use super::byte_lanes::ByteLanes;
use super::ram_arbiter::RamArbiter;
use super::ram_port::RamBurstPort;
use super::read_hold::ReadHold;
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

    // Burst port (AXI4 slave, INCR bursts; only with `burst_port`).
    pub p_awaddr: Signal<In, Bits<32>>,
    pub p_awlen: Signal<In, Bits<8>>,
    pub p_awvalid: Signal<In, Bit>,
    pub p_awready: Signal<Out, Bit>,
    pub p_wdata: Signal<In, Bits<32>>,
    pub p_wstrb: Signal<In, Bits<4>>,
    pub p_wvalid: Signal<In, Bit>,
    pub p_wready: Signal<Out, Bit>,
    pub p_bresp: Signal<Out, Bits<2>>,
    pub p_bvalid: Signal<Out, Bit>,
    pub p_bready: Signal<In, Bit>,
    pub p_araddr: Signal<In, Bits<32>>,
    pub p_arlen: Signal<In, Bits<8>>,
    pub p_arvalid: Signal<In, Bit>,
    pub p_arready: Signal<Out, Bit>,
    pub p_rdata: Signal<Out, Bits<32>>,
    pub p_rresp: Signal<Out, Bits<2>>,
    pub p_rlast: Signal<Out, Bit>,
    pub p_rvalid: Signal<Out, Bit>,
    pub p_rready: Signal<In, Bit>,

    /// The burst port: one with `burst_port`, none without.
    burst: Vec<RamBurstPort>,
    /// Who gets the read and the write port this clock.
    arbiter: RamArbiter,
    /// The storage.
    lanes: ByteLanes<A>,

    /// Size in bytes (4 · 2^A).
    size: Constant<Bits<32>>,
    /// DECERR (`mapdma_regmap::axi`): the answer outside the RAM.
    k_decerr: Constant<Bits<2>>,
    /// The DMA port's R channel: a read's data, kept while R stalls.
    r_hold: ReadHold,
    b_valid: DFF<Bit>,
    b_err: DFF<Bit>,
    // Bridge: acknowledged the clock after its grant.
    ack: DFF<Bit>,
    ack_err: DFF<Bit>,

    b_grant: Signal<Local, Bit>,
    dma_w_want: Signal<Local, Bit>,
    // The burst port's requests and grants (0 without it).
    p_rd_want: Signal<Local, Bit>,
    p_rd_addr: Signal<Local, Bits<32>>,
    p_wr_want: Signal<Local, Bit>,
    p_wr_addr: Signal<Local, Bits<32>>,
    p_wr_data: Signal<Local, Bits<32>>,
    p_wr_lanes: Signal<Local, Bits<4>>,
    p_wr_in_range: Signal<Local, Bit>,
    l_p_awready: Signal<Local, Bit>,
    l_p_wready: Signal<Local, Bit>,
    l_p_bresp: Signal<Local, Bits<2>>,
    l_p_bvalid: Signal<Local, Bit>,
    l_p_arready: Signal<Local, Bit>,
    l_p_rdata: Signal<Local, Bits<32>>,
    l_p_rresp: Signal<Local, Bits<2>>,
    l_p_rlast: Signal<Local, Bit>,
    l_p_rvalid: Signal<Local, Bit>,
    aw_in_range: Signal<Local, Bit>,
    ar_in_range: Signal<Local, Bit>,
    b_in_range: Signal<Local, Bit>,
    // Values of output ports and sub-module inputs chosen by conditions: each such signal is
    // assigned once per evaluation from one of these, so event-driven simulators settle.
    c_bresp: Signal<Local, Bits<2>>,
    c_b_rdata: Signal<Local, Bits<32>>,
    c_b_resp: Signal<Local, Bits<2>>,
}

impl<const A: usize> SystemRam<A> {
    /// Size in bytes of this memory.
    pub const BYTES: u64 = 4 << A;

    /// The RAM with the DMA's port and the bridge's; with `burst_port` also the burst port.
    pub fn new(burst_port: bool) -> Self {
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
            p_awaddr: Default::default(),
            p_awlen: Default::default(),
            p_awvalid: Default::default(),
            p_awready: Default::default(),
            p_wdata: Default::default(),
            p_wstrb: Default::default(),
            p_wvalid: Default::default(),
            p_wready: Default::default(),
            p_bresp: Default::default(),
            p_bvalid: Default::default(),
            p_bready: Default::default(),
            p_araddr: Default::default(),
            p_arlen: Default::default(),
            p_arvalid: Default::default(),
            p_arready: Default::default(),
            p_rdata: Default::default(),
            p_rresp: Default::default(),
            p_rlast: Default::default(),
            p_rvalid: Default::default(),
            p_rready: Default::default(),
            burst: (0..burst_port as usize)
                .map(|_| RamBurstPort::new(Self::BYTES))
                .collect(),
            arbiter: Default::default(),
            lanes: Default::default(),
            size: Constant::new(Self::BYTES.to_bits()),
            k_decerr: Constant::new((mapdma_regmap::axi::RESP_DECERR as u64).to_bits()),
            r_hold: Default::default(),
            b_valid: Default::default(),
            b_err: Default::default(),
            ack: Default::default(),
            ack_err: Default::default(),
            b_grant: Default::default(),
            dma_w_want: Default::default(),
            p_rd_want: Default::default(),
            p_rd_addr: Default::default(),
            p_wr_want: Default::default(),
            p_wr_addr: Default::default(),
            p_wr_data: Default::default(),
            p_wr_lanes: Default::default(),
            p_wr_in_range: Default::default(),
            l_p_awready: Default::default(),
            l_p_wready: Default::default(),
            l_p_bresp: Default::default(),
            l_p_bvalid: Default::default(),
            l_p_arready: Default::default(),
            l_p_rdata: Default::default(),
            l_p_rresp: Default::default(),
            l_p_rlast: Default::default(),
            l_p_rvalid: Default::default(),
            aw_in_range: Default::default(),
            ar_in_range: Default::default(),
            b_in_range: Default::default(),
            c_bresp: Default::default(),
            c_b_rdata: Default::default(),
            c_b_resp: Default::default(),
        }
    }
}

impl<const A: usize> Default for SystemRam<A> {
    /// Without the burst port.
    fn default() -> Self {
        Self::new(false)
    }
}

impl<const A: usize> Logic for SystemRam<A> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, b_valid, b_err, ack, ack_err);
        clock!(self, clock, arbiter, lanes, r_hold);
        self.aw_in_range.next = self.awaddr.val() < self.size.val();
        self.ar_in_range.next = self.araddr.val() < self.size.val();
        self.b_in_range.next = self.b_addr.val() < self.size.val();

        // The burst port's requests (none without it).
        self.p_rd_want.next = false;
        self.p_rd_addr.next = 0.into();
        self.p_wr_want.next = false;
        self.p_wr_addr.next = 0.into();
        self.p_wr_data.next = 0.into();
        self.p_wr_lanes.next = 0.into();
        self.p_wr_in_range.next = false;
        for i in 0..self.burst.len() {
            self.p_rd_want.next = self.burst[i].rd_want.val();
            self.p_rd_addr.next = self.burst[i].rd_addr.val();
            self.p_wr_want.next = self.burst[i].wr_want.val();
            self.p_wr_addr.next = self.burst[i].wr_addr.val();
            self.p_wr_data.next = self.burst[i].wr_data.val();
            self.p_wr_lanes.next = self.burst[i].wr_lanes.val();
            self.p_wr_in_range.next = self.burst[i].wr_in_range.val();
        }

        // The ports' requests to the arbiter: the bridge (granted only while its previous
        // request is not being acknowledged); a DMA write with AW and W together and B free
        // (or being taken); a DMA read when the R path is free next clock; the burst port.
        self.b_grant.next = self.b_req.val() & !self.ack.q.val();
        self.dma_w_want.next =
            self.awvalid.val() & self.wvalid.val() & (!self.b_valid.q.val() | self.bready.val());
        self.arbiter.reset.next = self.reset.val();
        self.arbiter.b_grant.next = self.b_grant.val();
        self.arbiter.b_we.next = self.b_we.val();
        self.arbiter.b_addr.next = self.b_addr.val();
        self.arbiter.b_wdata.next = self.b_wdata.val();
        self.arbiter.b_in_range.next = self.b_in_range.val();
        self.arbiter.dma_w_want.next = self.dma_w_want.val();
        self.arbiter.dma_r_want.next = self.arvalid.val() & self.r_hold.free.val();
        self.arbiter.awaddr.next = self.awaddr.val();
        self.arbiter.wdata.next = self.wdata.val();
        self.arbiter.wstrb.next = self.wstrb.val();
        self.arbiter.aw_in_range.next = self.aw_in_range.val();
        self.arbiter.araddr.next = self.araddr.val();
        self.arbiter.p_wr_want.next = self.p_wr_want.val();
        self.arbiter.p_rd_want.next = self.p_rd_want.val();
        self.arbiter.p_wr_addr.next = self.p_wr_addr.val();
        self.arbiter.p_wr_data.next = self.p_wr_data.val();
        self.arbiter.p_wr_lanes.next = self.p_wr_lanes.val();
        self.arbiter.p_wr_in_range.next = self.p_wr_in_range.val();
        self.arbiter.p_rd_addr.next = self.p_rd_addr.val();
        self.lanes.wr_go.next = self.arbiter.wr_go.val();
        self.lanes.wr_addr.next = self.arbiter.wr_addr.val();
        self.lanes.wr_data.next = self.arbiter.wr_data.val();
        self.lanes.wr_lanes.next = self.arbiter.wr_lanes.val();
        self.lanes.rd_addr.next = self.arbiter.rd_addr.val();

        // AXI write handshake and response.
        self.awready.next = self.arbiter.dma_w_go.val();
        self.wready.next = self.arbiter.dma_w_go.val();
        if self.b_valid.q.val() & self.bready.val() {
            self.b_valid.d.next = false;
        }
        if self.arbiter.dma_w_go.val() {
            self.b_valid.d.next = true;
            self.b_err.d.next = !self.aw_in_range.val();
        }
        self.bvalid.next = self.b_valid.q.val();
        self.c_bresp.next = 0.into();
        if self.b_err.q.val() {
            self.c_bresp.next = self.k_decerr.val();
        }

        // AXI read handshake and response.
        self.arready.next = self.arbiter.dma_r_go.val();
        self.r_hold.reset.next = self.reset.val();
        self.r_hold.issue.next = self.arbiter.dma_r_go.val();
        self.r_hold.issue_err.next = !self.ar_in_range.val();
        self.r_hold.issue_last.next = true;
        self.r_hold.ram_out.next = self.lanes.read_data.val();
        self.r_hold.rready.next = self.rready.val();
        self.rvalid.next = self.r_hold.rvalid.val();
        self.rdata.next = self.r_hold.rdata.val();
        self.rresp.next = self.r_hold.rresp.val();
        // Single beats: every one is the last (the hold's RLAST is left unused).
        self.rlast.next = true;

        // Bridge acknowledge.
        self.ack.d.next = self.b_grant.val();
        self.ack_err.d.next = !self.b_in_range.val();
        self.b_ack.next = self.ack.q.val();
        self.c_b_rdata.next = self.lanes.read_data.val();
        self.c_b_resp.next = 0.into();
        if self.ack_err.q.val() {
            self.c_b_rdata.next = 0.into();
            self.c_b_resp.next = self.k_decerr.val();
        }

        // Burst port: its grants and RAM output, its AXI channels out.
        self.l_p_awready.next = false;
        self.l_p_wready.next = false;
        self.l_p_bresp.next = 0.into();
        self.l_p_bvalid.next = false;
        self.l_p_arready.next = false;
        self.l_p_rdata.next = 0.into();
        self.l_p_rresp.next = 0.into();
        self.l_p_rlast.next = false;
        self.l_p_rvalid.next = false;
        for i in 0..self.burst.len() {
            self.burst[i].clock.next = self.clock.val();
            self.burst[i].reset.next = self.reset.val();
            self.burst[i].awaddr.next = self.p_awaddr.val();
            self.burst[i].awlen.next = self.p_awlen.val();
            self.burst[i].awvalid.next = self.p_awvalid.val();
            self.burst[i].wdata.next = self.p_wdata.val();
            self.burst[i].wstrb.next = self.p_wstrb.val();
            self.burst[i].wvalid.next = self.p_wvalid.val();
            self.burst[i].bready.next = self.p_bready.val();
            self.burst[i].araddr.next = self.p_araddr.val();
            self.burst[i].arlen.next = self.p_arlen.val();
            self.burst[i].arvalid.next = self.p_arvalid.val();
            self.burst[i].rready.next = self.p_rready.val();
            self.burst[i].rd_grant.next = self.arbiter.p_rd_go.val();
            self.burst[i].wr_grant.next = self.arbiter.p_wr_go.val();
            self.burst[i].ram_out.next = self.lanes.read_data.val();
            self.l_p_awready.next = self.burst[i].awready.val();
            self.l_p_wready.next = self.burst[i].wready.val();
            self.l_p_bresp.next = self.burst[i].bresp.val();
            self.l_p_bvalid.next = self.burst[i].bvalid.val();
            self.l_p_arready.next = self.burst[i].arready.val();
            self.l_p_rdata.next = self.burst[i].rdata.val();
            self.l_p_rresp.next = self.burst[i].rresp.val();
            self.l_p_rlast.next = self.burst[i].rlast.val();
            self.l_p_rvalid.next = self.burst[i].rvalid.val();
        }
        self.p_awready.next = self.l_p_awready.val();
        self.p_wready.next = self.l_p_wready.val();
        self.p_bresp.next = self.l_p_bresp.val();
        self.p_bvalid.next = self.l_p_bvalid.val();
        self.p_arready.next = self.l_p_arready.val();
        self.p_rdata.next = self.l_p_rdata.val();
        self.p_rresp.next = self.l_p_rresp.val();
        self.p_rlast.next = self.l_p_rlast.val();
        self.p_rvalid.next = self.l_p_rvalid.val();

        if self.reset.val() {
            self.b_valid.d.next = false;
            self.ack.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.bresp.next = self.c_bresp.val();
        self.b_rdata.next = self.c_b_rdata.val();
        self.b_resp.next = self.c_b_resp.val();
    }
}
