//! The test master's data path: each read beat of a burst becomes a write beat, through one
//! register.
//!
//! ```text
//!  R (RDATA, RRESP) ─► hold (data, ok) ─► W (WDATA, WSTRB = ok ? 0xF : 0, WLAST on beat `beats`)
//!        RREADY = hold empty        WVALID = hold full
//!  first R error: r_err, r_resp          all W sent: w_done → BREADY until B comes
//! ```
//!
//! Why one register and not a buffer: the read and the write burst run together, so a word
//! only has to wait for its write beat. The register keeps READY and VALID of the two sides
//! apart (no combinational path from WREADY back to RREADY); it moves a word every other clock,
//! plenty for a test. A read beat that comes back with an error is written with WSTRB 0, so the
//! destination keeps its bytes, and its response is kept for the burst's outcome.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct BeatCopy {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// A burst is under way (R may be taken).
    pub active: Signal<In, Bit>,
    /// A burst of `beats` words starts: clears the beat count and the read error.
    pub start: Signal<In, Bit>,
    pub beats: Signal<In, Bits<8>>,

    // AXI4 master's R, W and B handshakes.
    pub rdata: Signal<In, Bits<32>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
    pub wdata: Signal<Out, Bits<32>>,
    pub wstrb: Signal<Out, Bits<4>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    pub bvalid: Signal<In, Bit>,
    /// All W beats are sent: B is awaited (BREADY).
    pub w_done: Signal<Out, Bit>,
    /// A read beat of this burst was not OKAY, and the first such response.
    pub r_err: Signal<Out, Bit>,
    pub r_resp: Signal<Out, Bits<2>>,

    w_sent: DFF<Bits<8>>,
    w_done_r: DFF<Bit>,
    r_err_r: DFF<Bit>,
    r_resp_r: DFF<Bits<2>>,
    hold_valid: DFF<Bit>,
    hold_data: DFF<Bits<32>>,
    hold_ok: DFF<Bit>,

    r_take: Signal<Local, Bit>,
    w_take: Signal<Local, Bit>,
    // Values of outputs chosen by conditions, assigned once (event-driven simulators settle).
    c_wstrb: Signal<Local, Bits<4>>,
}

impl Logic for BeatCopy {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, w_sent, w_done_r, r_err_r, r_resp_r, hold_valid, hold_data, hold_ok
        );
        self.rready.next = self.active.val() & !self.hold_valid.q.val();
        self.wvalid.next = self.hold_valid.q.val();
        self.wdata.next = self.hold_data.q.val();
        self.c_wstrb.next = 0.into();
        if self.hold_ok.q.val() {
            self.c_wstrb.next = 0xF.into();
        }
        self.wlast.next = (self.w_sent.q.val() + 1) == self.beats.val();
        self.w_done.next = self.w_done_r.q.val();
        self.r_err.next = self.r_err_r.q.val();
        self.r_resp.next = self.r_resp_r.q.val();
        self.r_take.next = self.active.val() & !self.hold_valid.q.val() & self.rvalid.val();
        self.w_take.next = self.hold_valid.q.val() & self.wready.val();

        // R → hold → W; an error beat is written with no byte lanes.
        if self.w_take.val() {
            self.hold_valid.d.next = false;
            self.w_sent.d.next = self.w_sent.q.val() + 1;
            if (self.w_sent.q.val() + 1) == self.beats.val() {
                self.w_done_r.d.next = true;
            }
        }
        if self.r_take.val() {
            self.hold_valid.d.next = true;
            self.hold_data.d.next = self.rdata.val();
            self.hold_ok.d.next = !self.rresp.val().any();
            if self.rresp.val().any() & !self.r_err_r.q.val() {
                self.r_err_r.d.next = true;
                self.r_resp_r.d.next = self.rresp.val();
            }
        }
        if self.start.val() {
            self.w_sent.d.next = 0.into();
            self.w_done_r.d.next = false;
            self.r_err_r.d.next = false;
        }
        // B taken.
        if self.active.val() & self.w_done_r.q.val() & self.bvalid.val() {
            self.w_done_r.d.next = false;
        }

        if self.reset.val() {
            self.hold_valid.d.next = false;
            self.w_done_r.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.wstrb.next = self.c_wstrb.val();
    }
}
