//! A burst-capable AXI4 slave port of the system RAM: INCR bursts of any length are served one
//! word per clock, each beat a request for the RAM's read or write port that [`SystemRam`]
//! grants or not in that clock.
//!
//! ```text
//!  AR ─► (first beat: ARADDR; then rb_addr += 4, rb_left −= 1) ─► rd_want / rd_addr ─► grant?
//!                                                                   │ granted
//!  R  ◄─ ReadHold ◄── RAM output (next clock), RLAST on the burst's last beat ◄──────┘
//!  AW + W ─► (first beat: AWADDR; then wb_addr += 4) ─► wr_want / wr_addr / wr_data ─► grant?
//!  B  ◄─ one response after the last beat: DECERR if any beat was outside the RAM
//! ```
//!
//! Why beats rather than whole bursts: the RAM's ports are shared per clock with the DMA's
//! single-beat port and the bridge, so a burst never holds the RAM, and one master's stalled
//! channel (R not taken, W not yet arriving) never stops the other master. That is what keeps
//! the board's bus master from deadlocking against the DMA, whatever either does.
//!
//! Beats are 32-bit words (AxSIZE and AxBURST are not looked at: the bus-master port only
//! forwards INCR bursts of 32-bit beats); a write beat lands under its WSTRB. The burst length
//! is taken from AxLEN (WLAST is not needed). A beat at or above the RAM's size is not
//! performed: a read beat answers DECERR with data 0, a write burst with such a beat answers
//! DECERR.
//!
//! [`SystemRam`]: super::SystemRam

use super::read_hold::ReadHold;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct RamBurstPort {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    // AXI4 slave.
    pub awaddr: Signal<In, Bits<32>>,
    pub awlen: Signal<In, Bits<8>>,
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
    pub arlen: Signal<In, Bits<8>>,
    pub arvalid: Signal<In, Bit>,
    pub arready: Signal<Out, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub rlast: Signal<Out, Bit>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,

    // Toward the RAM: one beat per clock and direction, performed when granted.
    pub rd_want: Signal<Out, Bit>,
    pub rd_addr: Signal<Out, Bits<32>>,
    pub rd_grant: Signal<In, Bit>,
    /// The RAM's read data, valid the clock after a granted read.
    pub ram_out: Signal<In, Bits<32>>,
    pub wr_want: Signal<Out, Bit>,
    pub wr_addr: Signal<Out, Bits<32>>,
    pub wr_data: Signal<Out, Bits<32>>,
    pub wr_lanes: Signal<Out, Bits<4>>,
    /// Whether the beat is inside the RAM (the RAM writes nothing otherwise).
    pub wr_in_range: Signal<Out, Bit>,
    pub wr_grant: Signal<In, Bit>,

    size: Constant<Bits<32>>,
    /// DECERR (`mapdma_regmap::axi`): the answer outside the RAM.
    k_decerr: Constant<Bits<2>>,
    // Read burst in progress: the next beat's address and the beats after it.
    rb_active: DFF<Bit>,
    rb_addr: DFF<Bits<32>>,
    rb_left: DFF<Bits<8>>,
    /// The R channel: a granted read's data, kept while R stalls.
    r_hold: ReadHold,
    // Write burst in progress.
    wb_active: DFF<Bit>,
    wb_addr: DFF<Bits<32>>,
    wb_left: DFF<Bits<8>>,
    wb_err: DFF<Bit>,
    b_valid: DFF<Bit>,
    b_err: DFF<Bit>,

    r_addr: Signal<Local, Bits<32>>,
    r_last: Signal<Local, Bit>,
    w_addr: Signal<Local, Bits<32>>,
    w_last: Signal<Local, Bit>,
    w_in_range: Signal<Local, Bit>,
    // Values of outputs chosen by conditions, assigned once (event-driven simulators settle).
    c_bresp: Signal<Local, Bits<2>>,
}

impl RamBurstPort {
    /// A port in front of a RAM of `bytes` bytes at address 0.
    pub fn new(bytes: u64) -> Self {
        RamBurstPort {
            clock: Default::default(),
            reset: Default::default(),
            awaddr: Default::default(),
            awlen: Default::default(),
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
            arlen: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rlast: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            rd_want: Default::default(),
            rd_addr: Default::default(),
            rd_grant: Default::default(),
            ram_out: Default::default(),
            wr_want: Default::default(),
            wr_addr: Default::default(),
            wr_data: Default::default(),
            wr_lanes: Default::default(),
            wr_in_range: Default::default(),
            wr_grant: Default::default(),
            size: Constant::new(bytes.to_bits()),
            k_decerr: Constant::new((mapdma_regmap::axi::RESP_DECERR as u64).to_bits()),
            rb_active: Default::default(),
            rb_addr: Default::default(),
            rb_left: Default::default(),
            r_hold: Default::default(),
            wb_active: Default::default(),
            wb_addr: Default::default(),
            wb_left: Default::default(),
            wb_err: Default::default(),
            b_valid: Default::default(),
            b_err: Default::default(),
            r_addr: Default::default(),
            r_last: Default::default(),
            w_addr: Default::default(),
            w_last: Default::default(),
            w_in_range: Default::default(),
            c_bresp: Default::default(),
        }
    }
}

impl Logic for RamBurstPort {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, rb_active, rb_addr, rb_left, wb_active, wb_addr, wb_left, wb_err, b_valid,
            b_err
        );
        clock!(self, clock, r_hold);

        // ---- Read: the beat of this clock (a burst's next one, or a new burst's first).
        self.r_addr.next = self.araddr.val();
        self.r_last.next = !self.arlen.val().any();
        if self.rb_active.q.val() {
            self.r_addr.next = self.rb_addr.q.val();
            self.r_last.next = !self.rb_left.q.val().any();
        }
        // The R path must be free next clock.
        self.rd_want.next = (self.rb_active.q.val() | self.arvalid.val()) & self.r_hold.free.val();
        self.rd_addr.next = self.r_addr.val();
        self.arready.next = self.rd_grant.val() & !self.rb_active.q.val();
        if self.rd_grant.val() {
            self.rb_addr.d.next = self.r_addr.val() + 4;
            if self.rb_active.q.val() {
                self.rb_left.d.next = self.rb_left.q.val() - 1;
            } else {
                self.rb_left.d.next = self.arlen.val() - 1;
            }
            self.rb_active.d.next = !self.r_last.val();
        }
        self.r_hold.reset.next = self.reset.val();
        self.r_hold.issue.next = self.rd_grant.val();
        self.r_hold.issue_err.next = self.r_addr.val() >= self.size.val();
        self.r_hold.issue_last.next = self.r_last.val();
        self.r_hold.ram_out.next = self.ram_out.val();
        self.r_hold.rready.next = self.rready.val();
        self.rvalid.next = self.r_hold.rvalid.val();
        self.rdata.next = self.r_hold.rdata.val();
        self.rresp.next = self.r_hold.rresp.val();
        self.rlast.next = self.r_hold.rlast.val();

        // ---- Write: a beat needs its burst's address (AW, or the burst in progress) and W;
        // the last one also a free B.
        self.w_addr.next = self.awaddr.val();
        self.w_last.next = !self.awlen.val().any();
        if self.wb_active.q.val() {
            self.w_addr.next = self.wb_addr.q.val();
            self.w_last.next = !self.wb_left.q.val().any();
        }
        self.w_in_range.next = self.w_addr.val() < self.size.val();
        self.wr_want.next = self.wvalid.val()
            & (self.wb_active.q.val() | self.awvalid.val())
            & (!self.w_last.val() | !self.b_valid.q.val() | self.bready.val());
        self.wr_addr.next = self.w_addr.val();
        self.wr_data.next = self.wdata.val();
        self.wr_lanes.next = self.wstrb.val();
        self.wr_in_range.next = self.w_in_range.val();
        self.awready.next = self.wr_grant.val() & !self.wb_active.q.val();
        self.wready.next = self.wr_grant.val();
        if self.b_valid.q.val() & self.bready.val() {
            self.b_valid.d.next = false;
        }
        if self.wr_grant.val() {
            self.wb_addr.d.next = self.w_addr.val() + 4;
            if self.wb_active.q.val() {
                self.wb_left.d.next = self.wb_left.q.val() - 1;
                self.wb_err.d.next = self.wb_err.q.val() | !self.w_in_range.val();
            } else {
                self.wb_left.d.next = self.awlen.val() - 1;
                self.wb_err.d.next = !self.w_in_range.val();
            }
            self.wb_active.d.next = !self.w_last.val();
            if self.w_last.val() {
                self.b_valid.d.next = true;
                self.b_err.d.next =
                    (self.wb_err.q.val() & self.wb_active.q.val()) | !self.w_in_range.val();
            }
        }
        self.bvalid.next = self.b_valid.q.val();
        self.c_bresp.next = 0.into();
        if self.b_err.q.val() {
            self.c_bresp.next = self.k_decerr.val();
        }

        if self.reset.val() {
            self.rb_active.d.next = false;
            self.wb_active.d.next = false;
            self.b_valid.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.bresp.next = self.c_bresp.val();
    }
}
