//! Who uses the system RAM's read port and its write port this clock: the bridge first, then
//! the DMA's single-beat port and the burst port, alternating when both ask.
//!
//! ```text
//!  bridge (b_grant, b_we) ──────────────────────┐ always wins its port
//!  DMA    (dma_w_want, dma_r_want) ──┐           ▼
//!                                    ├─ turn ─► write port: go, address, data, lanes
//!  burst  (p_wr_want, p_rd_want) ────┘  bits ─► read port: address
//!                                             ─► dma_w_go, dma_r_go, p_wr_go, p_rd_go
//! ```
//!
//! Why its own block: the grants are the one place where the RAM's masters meet, beat by beat
//! (see [`SystemRam`] for why not whole bursts). The bridge asks at most once per few UART
//! bytes, so it may always win; between the DMA and the burst port a turn bit per port gives a
//! tie to the one that waited, so neither starves. A write outside the RAM is granted (its
//! handshake completes) but `wr_go` stays low: nothing is written.
//!
//! [`SystemRam`]: super::SystemRam

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct RamArbiter {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// The bridge's request, granted (it then owns the port of its direction).
    pub b_grant: Signal<In, Bit>,
    pub b_we: Signal<In, Bit>,
    pub b_addr: Signal<In, Bits<32>>,
    pub b_wdata: Signal<In, Bits<32>>,
    pub b_in_range: Signal<In, Bit>,
    /// The DMA's single-beat port: a write (AW and W) and a read it could take now.
    pub dma_w_want: Signal<In, Bit>,
    pub dma_r_want: Signal<In, Bit>,
    pub awaddr: Signal<In, Bits<32>>,
    pub wdata: Signal<In, Bits<32>>,
    pub wstrb: Signal<In, Bits<4>>,
    pub aw_in_range: Signal<In, Bit>,
    pub araddr: Signal<In, Bits<32>>,
    /// The burst port's beats (all 0 without it).
    pub p_wr_want: Signal<In, Bit>,
    pub p_rd_want: Signal<In, Bit>,
    pub p_wr_addr: Signal<In, Bits<32>>,
    pub p_wr_data: Signal<In, Bits<32>>,
    pub p_wr_lanes: Signal<In, Bits<4>>,
    pub p_wr_in_range: Signal<In, Bit>,
    pub p_rd_addr: Signal<In, Bits<32>>,

    pub dma_w_go: Signal<Out, Bit>,
    pub dma_r_go: Signal<Out, Bit>,
    pub p_wr_go: Signal<Out, Bit>,
    pub p_rd_go: Signal<Out, Bit>,
    /// The write port: write `wr_data` under `wr_lanes` at byte address `wr_addr` when `wr_go`.
    pub wr_go: Signal<Out, Bit>,
    pub wr_addr: Signal<Out, Bits<32>>,
    pub wr_data: Signal<Out, Bits<32>>,
    pub wr_lanes: Signal<Out, Bits<4>>,
    /// The read port's byte address (its data is on the RAM output next clock).
    pub rd_addr: Signal<Out, Bits<32>>,

    /// Who wins a tie for the read / write port next: 1 the burst port, 0 the DMA.
    r_turn: DFF<Bit>,
    w_turn: DFF<Bit>,
    bridge_w: Signal<Local, Bit>,
    bridge_r: Signal<Local, Bit>,
    l_dma_w_go: Signal<Local, Bit>,
    l_p_wr_go: Signal<Local, Bit>,
    l_dma_r_go: Signal<Local, Bit>,
    l_p_rd_go: Signal<Local, Bit>,
    // Values of outputs chosen by conditions, assigned once (event-driven simulators settle).
    c_wr_go: Signal<Local, Bit>,
    c_wr_addr: Signal<Local, Bits<32>>,
    c_wr_data: Signal<Local, Bits<32>>,
    c_wr_lanes: Signal<Local, Bits<4>>,
    c_rd_addr: Signal<Local, Bits<32>>,
}

impl Logic for RamArbiter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, r_turn, w_turn);
        self.bridge_w.next = self.b_grant.val() & self.b_we.val();
        self.bridge_r.next = self.b_grant.val() & !self.b_we.val();
        self.l_dma_w_go.next = self.dma_w_want.val()
            & !self.bridge_w.val()
            & !(self.p_wr_want.val() & self.w_turn.q.val());
        self.l_p_wr_go.next = self.p_wr_want.val()
            & !self.bridge_w.val()
            & !(self.dma_w_want.val() & !self.w_turn.q.val());
        self.l_dma_r_go.next = self.dma_r_want.val()
            & !self.bridge_r.val()
            & !(self.p_rd_want.val() & self.r_turn.q.val());
        self.l_p_rd_go.next = self.p_rd_want.val()
            & !self.bridge_r.val()
            & !(self.dma_r_want.val() & !self.r_turn.q.val());
        if self.l_dma_w_go.val() & self.p_wr_want.val() {
            self.w_turn.d.next = true;
        }
        if self.l_p_wr_go.val() & self.dma_w_want.val() {
            self.w_turn.d.next = false;
        }
        if self.l_dma_r_go.val() & self.p_rd_want.val() {
            self.r_turn.d.next = true;
        }
        if self.l_p_rd_go.val() & self.dma_r_want.val() {
            self.r_turn.d.next = false;
        }
        self.dma_w_go.next = self.l_dma_w_go.val();
        self.p_wr_go.next = self.l_p_wr_go.val();
        self.dma_r_go.next = self.l_dma_r_go.val();
        self.p_rd_go.next = self.l_p_rd_go.val();

        // Write port.
        self.c_wr_go.next = false;
        self.c_wr_addr.next = self.awaddr.val();
        self.c_wr_data.next = self.wdata.val();
        self.c_wr_lanes.next = self.wstrb.val();
        if self.l_dma_w_go.val() {
            self.c_wr_go.next = self.aw_in_range.val();
        }
        if self.l_p_wr_go.val() {
            self.c_wr_go.next = self.p_wr_in_range.val();
            self.c_wr_addr.next = self.p_wr_addr.val();
            self.c_wr_data.next = self.p_wr_data.val();
            self.c_wr_lanes.next = self.p_wr_lanes.val();
        }
        if self.bridge_w.val() {
            self.c_wr_go.next = self.b_in_range.val();
            self.c_wr_addr.next = self.b_addr.val();
            self.c_wr_data.next = self.b_wdata.val();
            self.c_wr_lanes.next = 0xF.into();
        }

        // Read port.
        self.c_rd_addr.next = self.araddr.val();
        if self.l_p_rd_go.val() {
            self.c_rd_addr.next = self.p_rd_addr.val();
        }
        if self.bridge_r.val() {
            self.c_rd_addr.next = self.b_addr.val();
        }

        if self.reset.val() {
            self.r_turn.d.next = false;
            self.w_turn.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.wr_go.next = self.c_wr_go.val();
        self.wr_addr.next = self.c_wr_addr.val();
        self.wr_data.next = self.c_wr_data.val();
        self.wr_lanes.next = self.c_wr_lanes.val();
        self.rd_addr.next = self.c_rd_addr.val();
    }
}
