//! The board's built-in test bus master: an AXI4 master on mapdma's bus-master port
//! (`s_bm_axi_*`) that copies words from one logical address to another through the map
//! registers, started and watched from the board window.
//!
//! ```text
//!  board window ─► SRC, DST, LENGTH, CONTROL.START          STATUS, MOVED, FAULT_ADDR ─► window
//!                        │                                         ▲
//!                        ▼                                         │ first non-OKAY: stop
//!   PLAN: LENGTH left, words to SRC's page end, words to DST's page end, each clipped at 16
//!   SIZE: beats = the least of the three                          (BurstSize, two steps)
//!                        │
//!   BURST: AR(SRC, beats) ─► s_bm_axi ─► map ─► RAM ─► R ─► BeatCopy ─► W ─► s_bm_axi ─► map ─► RAM
//!          AW(DST, beats) ─►                                     B ◄─────────────────────────┘
//!                        │ B: both OKAY → SRC, DST += 4·beats, MOVED += beats, next PLAN
//! ```
//!
//! Why a bus master on the board at all: the bus-master port translates a device's bursts
//! through the same map registers as the 8237 channels, and a board without a device that
//! masters it could only ever test it in simulation. This block is that device: the host maps a
//! buffer with the adapter API (a bus-master adapter's `map_transfer` returns the logical
//! address), writes SRC, DST and LENGTH, starts the copy and checks every byte. Bursts never
//! cross a page (the board's pages are 256 bytes; the port refuses a burst that leaves its
//! page), so a copy between differently aligned addresses is cut where either side's page ends.
//!
//! Why it streams R into W ([`BeatCopy`], one register): the read burst and the write burst are
//! issued together and each read beat becomes a write beat, so no burst buffer (block RAM) is
//! needed. A read beat that comes back with an error is written with WSTRB 0, so the
//! destination keeps its bytes; the burst's outcome is the read's response, else the write's,
//! and the first burst that is not OKAY on both ends the copy. This block is the copy's state
//! machine and the window's words; [`BurstSize`] sizes each burst.
//!
//! Window words (indices in `mapdma_regmap::link::window`, bits in `link::test_master`):
//! TM_SRC, TM_DST (logical byte addresses, bits 1:0 ignored), TM_LENGTH (words), TM_CONTROL
//! (write START to start when idle; read BUSY, DONE, ERROR, ERROR_WRITE, RESP), TM_MOVED
//! (words copied by bursts that were OKAY on both ends), TM_FAULT_ADDR (the logical address of
//! the failed burst's first word: its SRC for a read error, its DST for a write error).

use super::beat_copy::BeatCopy;
use super::burst_size::BurstSize;
use rust_hdl::prelude::*;

/// States of the copy.
#[derive(Copy, Clone, Debug, PartialEq, Eq, LogicState)]
pub enum TmState {
    /// Waiting for START.
    Idle,
    /// Words to either page end and left, each clipped at 16 (or finishing when no words are
    /// left).
    Plan,
    /// The burst's length: the least of the three.
    Size,
    /// AR and AW out, read beats becoming write beats, waiting for B.
    Burst,
}

#[derive(LogicBlock)]
pub struct TestMaster {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// Board window access: word index, write strobe and data; `reg_rdata` is this block's
    /// word at `reg_addr` (0 for words that are not its own).
    pub reg_addr: Signal<In, Bits<4>>,
    pub reg_we: Signal<In, Bit>,
    pub reg_wdata: Signal<In, Bits<32>>,
    pub reg_rdata: Signal<Out, Bits<32>>,
    /// A copy is running.
    pub busy: Signal<Out, Bit>,

    // AXI4 master (to the bus-master port), one ID, INCR bursts of 32-bit beats.
    pub awaddr: Signal<Out, Bits<32>>,
    pub awlen: Signal<Out, Bits<8>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awburst: Signal<Out, Bits<2>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    pub wdata: Signal<Out, Bits<32>>,
    pub wstrb: Signal<Out, Bits<4>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    pub bresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
    pub araddr: Signal<Out, Bits<32>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    pub rdata: Signal<In, Bits<32>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,

    /// The next burst's length.
    size: BurstSize,
    /// Read beats into write beats.
    copy: BeatCopy,

    state: DFF<TmState>,
    src: DFF<Bits<32>>,
    dst: DFF<Bits<32>>,
    length: DFF<Bits<32>>,
    left: DFF<Bits<32>>,
    moved: DFF<Bits<32>>,
    fault_addr: DFF<Bits<32>>,
    done: DFF<Bit>,
    error: DFF<Bit>,
    error_write: DFF<Bit>,
    resp: DFF<Bits<2>>,
    // The burst in flight.
    beats: DFF<Bits<8>>,
    ar_pend: DFF<Bit>,
    aw_pend: DFF<Bit>,

    step_bytes: Signal<Local, Bits<32>>,
    running: Signal<Local, Bit>,
    b_take: Signal<Local, Bit>,
    status: Signal<Local, Bits<32>>,
    // Values of outputs chosen by conditions, assigned once (event-driven simulators settle).
    c_reg_rdata: Signal<Local, Bits<32>>,
}

impl TestMaster {
    /// A test master for map pages of `1 << page_shift` bytes (64 bytes to 128 KiB: a page
    /// holds a longest burst, and page offsets in words fit 16 bits).
    pub fn new(page_shift: u32) -> Self {
        TestMaster {
            clock: Default::default(),
            reset: Default::default(),
            reg_addr: Default::default(),
            reg_we: Default::default(),
            reg_wdata: Default::default(),
            reg_rdata: Default::default(),
            busy: Default::default(),
            awaddr: Default::default(),
            awlen: Default::default(),
            awsize: Default::default(),
            awburst: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
            wlast: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            bresp: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            araddr: Default::default(),
            arlen: Default::default(),
            arsize: Default::default(),
            arburst: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rlast: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            size: BurstSize::new(page_shift),
            copy: Default::default(),
            state: Default::default(),
            src: Default::default(),
            dst: Default::default(),
            length: Default::default(),
            left: Default::default(),
            moved: Default::default(),
            fault_addr: Default::default(),
            done: Default::default(),
            error: Default::default(),
            error_write: Default::default(),
            resp: Default::default(),
            beats: Default::default(),
            ar_pend: Default::default(),
            aw_pend: Default::default(),
            step_bytes: Default::default(),
            running: Default::default(),
            b_take: Default::default(),
            status: Default::default(),
            c_reg_rdata: Default::default(),
        }
    }
}

impl Logic for TestMaster {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            src,
            dst,
            length,
            left,
            moved,
            fault_addr,
            done,
            error,
            error_write,
            resp,
            beats,
            ar_pend,
            aw_pend
        );
        clock!(self, clock, size, copy);
        self.size.src.next = self.src.q.val();
        self.size.dst.next = self.dst.q.val();
        self.size.left.next = self.left.q.val();
        self.size.plan.next = self.state.q.val() == TmState::Plan;
        self.copy.reset.next = self.reset.val();
        self.copy.active.next = self.state.q.val() == TmState::Burst;
        self.copy.start.next = self.state.q.val() == TmState::Size;
        self.copy.beats.next = self.beats.q.val();
        self.copy.rdata.next = self.rdata.val();
        self.copy.rresp.next = self.rresp.val();
        self.copy.rvalid.next = self.rvalid.val();
        self.copy.wready.next = self.wready.val();
        self.copy.bvalid.next = self.bvalid.val();
        self.step_bytes.next = bit_cast::<32, 8>(self.beats.q.val()) << 2;

        // ---- AXI outputs of the burst in flight.
        self.araddr.next = self.src.q.val();
        self.awaddr.next = self.dst.q.val();
        self.arlen.next = self.beats.q.val() - 1;
        self.awlen.next = self.beats.q.val() - 1;
        self.arsize.next = 2.into();
        self.awsize.next = 2.into();
        self.arburst.next = 1.into();
        self.awburst.next = 1.into();
        self.arvalid.next = self.ar_pend.q.val();
        self.awvalid.next = self.aw_pend.q.val();
        self.rready.next = self.copy.rready.val();
        self.wvalid.next = self.copy.wvalid.val();
        self.wdata.next = self.copy.wdata.val();
        self.wstrb.next = self.copy.wstrb.val();
        self.wlast.next = self.copy.wlast.val();
        self.bready.next = self.copy.w_done.val();
        self.running.next = self.state.q.val() != TmState::Idle;
        self.busy.next = self.running.val();
        self.b_take.next =
            (self.state.q.val() == TmState::Burst) & self.copy.w_done.val() & self.bvalid.val();
        if self.arready.val() {
            self.ar_pend.d.next = false;
        }
        if self.awready.val() {
            self.aw_pend.d.next = false;
        }

        // ---- The copy.
        if self.state.q.val() == TmState::Plan {
            if self.left.q.val().any() {
                self.state.d.next = TmState::Size;
            } else {
                self.done.d.next = true;
                self.state.d.next = TmState::Idle;
            }
        }
        if self.state.q.val() == TmState::Size {
            self.beats.d.next = self.size.beats.val();
            self.ar_pend.d.next = true;
            self.aw_pend.d.next = true;
            self.state.d.next = TmState::Burst;
        }
        if self.b_take.val() {
            if self.copy.r_err.val() {
                self.error.d.next = true;
                self.error_write.d.next = false;
                self.resp.d.next = self.copy.r_resp.val();
                self.fault_addr.d.next = self.src.q.val();
                self.done.d.next = true;
                self.state.d.next = TmState::Idle;
            } else if self.bresp.val().any() {
                self.error.d.next = true;
                self.error_write.d.next = true;
                self.resp.d.next = self.bresp.val();
                self.fault_addr.d.next = self.dst.q.val();
                self.done.d.next = true;
                self.state.d.next = TmState::Idle;
            } else {
                self.src.d.next = self.src.q.val() + self.step_bytes.val();
                self.dst.d.next = self.dst.q.val() + self.step_bytes.val();
                self.left.d.next = self.left.q.val() - bit_cast::<32, 8>(self.beats.q.val());
                self.moved.d.next = self.moved.q.val() + bit_cast::<32, 8>(self.beats.q.val());
                self.state.d.next = TmState::Plan;
            }
        }

        // ---- Board window: TM_SRC 10, TM_DST 11, TM_LENGTH 12, TM_CONTROL 13, TM_MOVED 14,
        // TM_FAULT_ADDR 15 (`mapdma_regmap::link::window`; CONTROL bits in `link::test_master`).
        self.status.next = bit_cast::<32, 1>(self.running.val().into())
            | (bit_cast::<32, 1>(self.done.q.val().into()) << 1)
            | (bit_cast::<32, 1>(self.error.q.val().into()) << 2)
            | (bit_cast::<32, 1>(self.error_write.q.val().into()) << 3)
            | (bit_cast::<32, 2>(self.resp.q.val()) << 4);
        self.c_reg_rdata.next = 0.into();
        if self.reg_addr.val() == 10 {
            self.c_reg_rdata.next = self.src.q.val();
        } else if self.reg_addr.val() == 11 {
            self.c_reg_rdata.next = self.dst.q.val();
        } else if self.reg_addr.val() == 12 {
            self.c_reg_rdata.next = self.length.q.val();
        } else if self.reg_addr.val() == 13 {
            self.c_reg_rdata.next = self.status.val();
        } else if self.reg_addr.val() == 14 {
            self.c_reg_rdata.next = self.moved.q.val();
        } else if self.reg_addr.val() == 15 {
            self.c_reg_rdata.next = self.fault_addr.q.val();
        }
        // Writes while a copy runs are ignored.
        if self.reg_we.val() & (self.state.q.val() == TmState::Idle) {
            if self.reg_addr.val() == 10 {
                self.src.d.next = (self.reg_wdata.val() >> 2) << 2;
            } else if self.reg_addr.val() == 11 {
                self.dst.d.next = (self.reg_wdata.val() >> 2) << 2;
            } else if self.reg_addr.val() == 12 {
                self.length.d.next = self.reg_wdata.val();
            } else if (self.reg_addr.val() == 13) & self.reg_wdata.val().get_bit(0) {
                self.left.d.next = self.length.q.val();
                self.moved.d.next = 0.into();
                self.fault_addr.d.next = 0.into();
                self.done.d.next = false;
                self.error.d.next = false;
                self.error_write.d.next = false;
                self.resp.d.next = 0.into();
                self.state.d.next = TmState::Plan;
            }
        }

        if self.reset.val() {
            self.state.d.next = TmState::Idle;
            self.ar_pend.d.next = false;
            self.aw_pend.d.next = false;
            self.done.d.next = false;
            self.error.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.reg_rdata.next = self.c_reg_rdata.val();
    }
}
