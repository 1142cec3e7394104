//! The R channel of a system RAM port: the read data of a block RAM comes out one clock after
//! the read, and the master may not take it then, so one register keeps it until R is taken.
//!
//! ```text
//!  issue (+ err, last) ──► pending ──┬──────────────────────► R: RVALID, RDATA, RRESP, RLAST
//!  RAM output (next clock) ──────────┤                          ▲
//!                                    └─ R not taken ─► hold ────┘ (the hold wins while full)
//!  free = hold empty and (nothing pending or R taken now): a read may be issued this clock
//! ```
//!
//! Why a block of its own: both AXI slaves of [`SystemRam`] (the DMA's single-beat port and the
//! [`RamBurstPort`]) answer reads this way, and the rule that keeps R from ever losing a word
//! (issue only while `free`) belongs in one place. A read outside the RAM is not performed: it
//! answers DECERR with data 0. `last` is carried for bursts (RLAST); a port without bursts
//! leaves `rlast` unconnected and drives its own.
//!
//! [`SystemRam`]: super::SystemRam
//! [`RamBurstPort`]: super::RamBurstPort

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct ReadHold {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// A read goes to the RAM this clock (only while `free`).
    pub issue: Signal<In, Bit>,
    /// That read is outside the RAM.
    pub issue_err: Signal<In, Bit>,
    /// That read is its burst's last beat.
    pub issue_last: Signal<In, Bit>,
    /// The RAM's read data, valid the clock after an issued read.
    pub ram_out: Signal<In, Bits<32>>,
    /// The R path can take a read issued this clock.
    pub free: Signal<Out, Bit>,

    pub rdata: Signal<Out, Bits<32>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub rlast: Signal<Out, Bit>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,

    /// DECERR (`mapdma_regmap::axi`): the answer outside the RAM.
    k_decerr: Constant<Bits<2>>,
    // A read was issued last clock: its data is on the RAM output now.
    pending: DFF<Bit>,
    pending_err: DFF<Bit>,
    pending_last: DFF<Bit>,
    // R stalled on it: kept here until taken.
    hold_valid: DFF<Bit>,
    hold_data: DFF<Bits<32>>,
    hold_err: DFF<Bit>,
    hold_last: DFF<Bit>,

    // Values of outputs chosen by conditions, assigned once (event-driven simulators settle).
    c_rdata: Signal<Local, Bits<32>>,
    c_rresp: Signal<Local, Bits<2>>,
    c_rlast: Signal<Local, Bit>,
}

impl Default for ReadHold {
    fn default() -> Self {
        ReadHold {
            clock: Default::default(),
            reset: Default::default(),
            issue: Default::default(),
            issue_err: Default::default(),
            issue_last: Default::default(),
            ram_out: Default::default(),
            free: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rlast: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            k_decerr: Constant::new((mapdma_regmap::axi::RESP_DECERR as u64).to_bits()),
            pending: Default::default(),
            pending_err: Default::default(),
            pending_last: Default::default(),
            hold_valid: Default::default(),
            hold_data: Default::default(),
            hold_err: Default::default(),
            hold_last: Default::default(),
            c_rdata: Default::default(),
            c_rresp: Default::default(),
            c_rlast: Default::default(),
        }
    }
}

impl Logic for ReadHold {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            pending,
            pending_err,
            pending_last,
            hold_valid,
            hold_data,
            hold_err,
            hold_last
        );
        self.free.next = !self.hold_valid.q.val() & (!self.pending.q.val() | self.rready.val());
        self.pending.d.next = self.issue.val();
        self.pending_err.d.next = self.issue_err.val();
        self.pending_last.d.next = self.issue_last.val();
        if self.pending.q.val() & !self.rready.val() {
            self.hold_valid.d.next = true;
            self.hold_data.d.next = self.ram_out.val();
            self.hold_err.d.next = self.pending_err.q.val();
            self.hold_last.d.next = self.pending_last.q.val();
        }
        if self.hold_valid.q.val() & self.rready.val() {
            self.hold_valid.d.next = false;
        }
        self.rvalid.next = self.pending.q.val() | self.hold_valid.q.val();
        self.c_rlast.next = self.pending_last.q.val();
        self.c_rdata.next = self.ram_out.val();
        self.c_rresp.next = 0.into();
        if self.pending_err.q.val() & self.pending.q.val() {
            self.c_rdata.next = 0.into();
            self.c_rresp.next = self.k_decerr.val();
        }
        if self.hold_valid.q.val() {
            self.c_rlast.next = self.hold_last.q.val();
            self.c_rdata.next = self.hold_data.q.val();
            self.c_rresp.next = 0.into();
            if self.hold_err.q.val() {
                self.c_rdata.next = 0.into();
                self.c_rresp.next = self.k_decerr.val();
            }
        }

        if self.reset.val() {
            self.pending.d.next = false;
            self.hold_valid.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.rdata.next = self.c_rdata.val();
        self.rresp.next = self.c_rresp.val();
        self.rlast.next = self.c_rlast.val();
    }
}
