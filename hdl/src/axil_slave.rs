//! AXI4-Lite slave front end: turns AXI4-Lite transactions into one-clock register strobes.
//!
//! Write: AW and W are accepted independently (each into a one-entry holding register), the
//! register write strobes when both are held and the B channel is free. Read: AR is accepted
//! when no read is pending; `rd_en` strobes in that clock (read side effects happen then), the
//! data is sampled one clock later (`rd_data`, so synchronous-read memories can answer) and
//! presented on R the clock after. One read at a time; a second write's AW and W are taken
//! while the first's B waits, and that write strobes once B is taken.
//!
//! Every output is assigned exactly once per evaluation of the block (conditional values go
//! through a `Local` first). An event-driven simulator wakes the parent's `always @(*)` on each
//! change of an output, including an intermediate default that is overridden later in the same
//! evaluation; the parent's block assigns this block's inputs, so such glitches in both
//! directions made Icarus Verilog spin without advancing time.

use rust_hdl::prelude::*;

/// The address bits the slave keeps: a 13-bit byte address, word-aligned (the literal
/// `0x1FFC` below; rust-hdl's generator takes no Rust paths, and `blocks.rs` checks the two
/// agree). `WriteDecode` masks its address with it.
pub const WORD_ADDR_MASK: u64 = 0x1FFC;

#[derive(LogicBlock, Default)]
pub struct AxiLiteSlave {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    pub awaddr: Signal<In, Bits<13>>,
    pub awvalid: Signal<In, Bit>,
    pub awready: Signal<Out, Bit>,
    pub wdata: Signal<In, Bits<32>>,
    pub wstrb: Signal<In, Bits<4>>,
    pub wvalid: Signal<In, Bit>,
    pub wready: Signal<Out, Bit>,
    pub bresp: Signal<Out, Bits<2>>,
    pub bvalid: Signal<Out, Bit>,
    pub bready: Signal<In, Bit>,
    pub araddr: Signal<In, Bits<13>>,
    pub arvalid: Signal<In, Bit>,
    pub arready: Signal<Out, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,

    /// Register write strobe (one clock); its word-aligned byte address and data.
    pub wr_en: Signal<Out, Bit>,
    /// The held write address as it is next clock (AWADDR when AW is taken now; in the clock
    /// of `wr_en`, the address written): a decoder registers its verdict on it
    /// (`WriteDecode`), so the write's decode is ready in the write's clock.
    pub wr_addr_next: Signal<Out, Bits<13>>,
    pub wr_data: Signal<Out, Bits<32>>,
    /// The decoder's verdict for the address written: no register there (answer SLVERR).
    pub wr_err: Signal<In, Bit>,
    /// Register read strobe (one clock) with its address; side effects happen in this clock.
    pub rd_en: Signal<Out, Bit>,
    pub rd_addr: Signal<Out, Bits<13>>,
    /// Read data and verdict, sampled the clock after `rd_en`.
    pub rd_data: Signal<In, Bits<32>>,
    pub rd_err: Signal<In, Bit>,

    aw_full: DFF<Bit>,
    aw_addr: DFF<Bits<13>>,
    w_full: DFF<Bit>,
    w_data: DFF<Bits<32>>,
    w_strb: DFF<Bits<4>>,
    b_valid: DFF<Bit>,
    b_resp: DFF<Bits<2>>,
    rd_wait: DFF<Bit>,
    r_valid: DFF<Bit>,
    r_data: DFF<Bits<32>>,
    r_resp: DFF<Bits<2>>,
    /// The write strobe, a register: loaded with the next clock's `wr_go & |WSTRB`, so the
    /// strobe that fans out to every register block starts at a flip-flop.
    wr_en_r: DFF<Bit>,
    /// Both write halves held and B free: the register write happens in this clock.
    wr_go: Signal<Local, Bit>,
    aw_next: Signal<Local, Bits<13>>,
    /// Next states of the holding flags and WSTRB (what `wr_en_r` is computed from).
    aw_full_nx: Signal<Local, Bit>,
    w_full_nx: Signal<Local, Bit>,
    b_valid_nx: Signal<Local, Bit>,
    strb_nx: Signal<Local, Bits<4>>,
}

impl Logic for AxiLiteSlave {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, aw_full, aw_addr, w_full, w_data, w_strb, b_valid, b_resp, rd_wait,
            r_valid, r_data, r_resp, wr_en_r
        );

        // Write address and data channels, each into its holding register.
        self.awready.next = !self.aw_full.q.val();
        self.wready.next = !self.w_full.q.val();
        self.aw_next.next = self.aw_addr.q.val();
        self.aw_full_nx.next = self.aw_full.q.val();
        self.w_full_nx.next = self.w_full.q.val();
        self.b_valid_nx.next = self.b_valid.q.val();
        self.strb_nx.next = self.w_strb.q.val();
        if self.awvalid.val() & !self.aw_full.q.val() {
            self.aw_full_nx.next = true;
            self.aw_next.next = self.awaddr.val() & 0x1FFC;
        }
        self.aw_addr.d.next = self.aw_next.val();
        self.wr_addr_next.next = self.aw_next.val();
        if self.wvalid.val() & !self.w_full.q.val() {
            self.w_full_nx.next = true;
            self.w_data.d.next = self.wdata.val();
            self.strb_nx.next = self.wstrb.val();
        }
        // Perform the write when both halves are held and B is free; WSTRB = 0 writes nothing.
        // Outputs are assigned once per evaluation (see the module docs).
        self.wr_go.next = self.aw_full.q.val() & self.w_full.q.val() & !self.b_valid.q.val();
        self.wr_en.next = self.wr_en_r.q.val();
        self.wr_data.next = self.w_data.q.val();
        if self.wr_go.val() {
            self.aw_full_nx.next = false;
            self.w_full_nx.next = false;
            self.b_valid_nx.next = true;
            self.b_resp.d.next = 0.into();
            if self.wr_err.val() {
                self.b_resp.d.next = 2.into();
            }
        }
        if self.b_valid.q.val() & self.bready.val() {
            self.b_valid_nx.next = false;
        }
        if self.reset.val() {
            self.aw_full_nx.next = false;
            self.w_full_nx.next = false;
            self.b_valid_nx.next = false;
        }
        self.aw_full.d.next = self.aw_full_nx.val();
        self.w_full.d.next = self.w_full_nx.val();
        self.b_valid.d.next = self.b_valid_nx.val();
        self.w_strb.d.next = self.strb_nx.val();
        // Next clock's `wr_go & |WSTRB`: equal to it in every clock, from a flip-flop.
        self.wr_en_r.d.next = self.aw_full_nx.val()
            & self.w_full_nx.val()
            & !self.b_valid_nx.val()
            & self.strb_nx.val().any();
        self.bvalid.next = self.b_valid.q.val();
        self.bresp.next = self.b_resp.q.val();

        // Read: strobe on AR, sample the data a clock later, hold R until taken.
        self.arready.next = !self.rd_wait.q.val() & !self.r_valid.q.val();
        self.rd_en.next = self.arvalid.val() & !self.rd_wait.q.val() & !self.r_valid.q.val();
        self.rd_addr.next = self.araddr.val() & 0x1FFC;
        if self.arvalid.val() & !self.rd_wait.q.val() & !self.r_valid.q.val() {
            self.rd_wait.d.next = true;
        }
        if self.rd_wait.q.val() {
            self.rd_wait.d.next = false;
            self.r_valid.d.next = true;
            self.r_data.d.next = self.rd_data.val();
            self.r_resp.d.next = 0.into();
            if self.rd_err.val() {
                self.r_resp.d.next = 2.into();
                self.r_data.d.next = 0.into();
            }
        }
        if self.r_valid.q.val() & self.rready.val() {
            self.r_valid.d.next = false;
        }
        self.rvalid.next = self.r_valid.q.val();
        self.rdata.next = self.r_data.q.val();
        self.rresp.next = self.r_resp.q.val();

        if self.reset.val() {
            self.rd_wait.d.next = false;
            self.r_valid.d.next = false;
        }
    }
}
