//! The board's built-in test bus master: an AXI4 master on mapdma's bus-master port
//! (`s_bm_axi_*`) that copies words from one logical address to another through the map
//! registers, started and watched from the board window.
//!
//! ```text
//!  board window ─► SRC, DST, LENGTH, CONTROL.START          STATUS, MOVED, FAULT_ADDR ─► window
//!                        │                                         ▲
//!                        ▼                                         │ first non-OKAY: stop
//!   PLAN: LENGTH left, words to SRC's page end, words to DST's page end, each clipped at 16
//!   SIZE: beats = the least of the three          (two registered steps: short carry chains)
//!                        │
//!   BURST: AR(SRC, beats) ─► s_bm_axi ─► map ─► RAM ─► R ─► hold ─► W ─► s_bm_axi ─► map ─► RAM
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
//! Why it streams R into W through one hold register: the read burst and the write burst are
//! issued together and each read beat becomes a write beat, so no burst buffer (block RAM) is
//! needed. One register between R and W keeps READY and VALID of the two sides apart (no
//! combinational path from the write side's WREADY back to RREADY); it moves a word every other
//! clock, which is plenty for a test. A read beat that comes back with an error is written with
//! WSTRB 0, so the destination keeps its bytes; the burst's outcome is the read's response,
//! else the write's, and the first burst that is not OKAY on both ends the copy.
//!
//! Window words (indices in `mapdma_regmap::link::window`, bits in `link::test_master`):
//! TM_SRC, TM_DST (logical byte addresses, bits 1:0 ignored), TM_LENGTH (words), TM_CONTROL
//! (write START to start when idle; read BUSY, DONE, ERROR, ERROR_WRITE, RESP), TM_MOVED
//! (words copied by bursts that were OKAY on both ends), TM_FAULT_ADDR (the logical address of
//! the failed burst's first word: its SRC for a read error, its DST for a write error).

use mapdma_regmap::link;
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

    /// Words of a page minus one (page offsets of word addresses).
    page_mask: Constant<Bits<16>>,
    /// Words of a page.
    page_words: Constant<Bits<16>>,
    /// Page offsets (in words) above this leave less than a longest burst to the page end.
    near_end: Constant<Bits<16>>,
    /// Longest burst (`link::test_master::MAX_BEATS`), for LENGTH and for the burst length.
    max_beats: Constant<Bits<32>>,
    max_beats8: Constant<Bits<8>>,

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
    // Burst sizing (state Plan), each at most 16.
    len_c: DFF<Bits<8>>,
    src_room: DFF<Bits<8>>,
    dst_room: DFF<Bits<8>>,
    // The burst in flight.
    beats: DFF<Bits<8>>,
    ar_pend: DFF<Bit>,
    aw_pend: DFF<Bit>,
    w_sent: DFF<Bits<8>>,
    w_done: DFF<Bit>,
    r_err: DFF<Bit>,
    r_resp: DFF<Bits<2>>,
    hold_valid: DFF<Bit>,
    hold_data: DFF<Bits<32>>,
    hold_ok: DFF<Bit>,

    // Burst sizing: page offsets in words, the least of the clipped values.
    src_off: Signal<Local, Bits<16>>,
    dst_off: Signal<Local, Bits<16>>,
    src_left: Signal<Local, Bits<16>>,
    dst_left: Signal<Local, Bits<16>>,
    m_src: Signal<Local, Bits<8>>,
    m_dst: Signal<Local, Bits<8>>,
    step_bytes: Signal<Local, Bits<32>>,
    running: Signal<Local, Bit>,
    r_take: Signal<Local, Bit>,
    w_take: Signal<Local, Bit>,
    status: Signal<Local, Bits<32>>,
    // Values of outputs chosen by conditions, assigned once (event-driven simulators settle).
    c_reg_rdata: Signal<Local, Bits<32>>,
    c_wstrb: Signal<Local, Bits<4>>,
}

impl TestMaster {
    /// A test master for map pages of `1 << page_shift` bytes (64 bytes to 128 KiB: a page
    /// holds a longest burst, and page offsets in words fit 16 bits).
    pub fn new(page_shift: u32) -> Self {
        let max = link::test_master::MAX_BEATS as u64;
        assert!(
            (6..=17).contains(&page_shift),
            "page shift {page_shift} outside 6..=17"
        );
        let words = 1u64 << (page_shift - 2);
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
            page_mask: Constant::new((words - 1).to_bits()),
            page_words: Constant::new(words.to_bits()),
            near_end: Constant::new((words - max).to_bits()),
            max_beats: Constant::new(max.to_bits()),
            max_beats8: Constant::new(max.to_bits()),
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
            len_c: Default::default(),
            beats: Default::default(),
            src_room: Default::default(),
            dst_room: Default::default(),
            ar_pend: Default::default(),
            aw_pend: Default::default(),
            w_sent: Default::default(),
            w_done: Default::default(),
            r_err: Default::default(),
            r_resp: Default::default(),
            hold_valid: Default::default(),
            hold_data: Default::default(),
            hold_ok: Default::default(),
            src_off: Default::default(),
            dst_off: Default::default(),
            src_left: Default::default(),
            dst_left: Default::default(),
            m_src: Default::default(),
            m_dst: Default::default(),
            step_bytes: Default::default(),
            running: Default::default(),
            r_take: Default::default(),
            w_take: Default::default(),
            status: Default::default(),
            c_reg_rdata: Default::default(),
            c_wstrb: Default::default(),
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
            len_c,
            src_room,
            dst_room,
            beats,
            ar_pend,
            aw_pend,
            w_sent,
            w_done,
            r_err,
            r_resp,
            hold_valid,
            hold_data,
            hold_ok
        );

        // ---- Burst sizing, in two registered steps (no long carry chain in one clock):
        // Plan clips LENGTH left and the words to either page end at 16, Size takes the least.
        self.src_off.next = self.src.q.val().get_bits::<16>(2) & self.page_mask.val();
        self.dst_off.next = self.dst.q.val().get_bits::<16>(2) & self.page_mask.val();
        self.src_left.next = self.page_words.val() - self.src_off.val();
        self.dst_left.next = self.page_words.val() - self.dst_off.val();
        self.m_src.next = self.len_c.q.val();
        if self.src_room.q.val() < self.len_c.q.val() {
            self.m_src.next = self.src_room.q.val();
        }
        self.m_dst.next = self.m_src.val();
        if self.dst_room.q.val() < self.m_src.val() {
            self.m_dst.next = self.dst_room.q.val();
        }
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
        self.rready.next = (self.state.q.val() == TmState::Burst) & !self.hold_valid.q.val();
        self.wvalid.next = self.hold_valid.q.val();
        self.wdata.next = self.hold_data.q.val();
        self.c_wstrb.next = 0.into();
        if self.hold_ok.q.val() {
            self.c_wstrb.next = 0xF.into();
        }
        self.wlast.next = (self.w_sent.q.val() + 1) == self.beats.q.val();
        self.bready.next = self.w_done.q.val();
        self.running.next = self.state.q.val() != TmState::Idle;
        self.busy.next = self.running.val();
        self.r_take.next =
            (self.state.q.val() == TmState::Burst) & !self.hold_valid.q.val() & self.rvalid.val();
        self.w_take.next = self.hold_valid.q.val() & self.wready.val();

        if self.arready.val() {
            self.ar_pend.d.next = false;
        }
        if self.awready.val() {
            self.aw_pend.d.next = false;
        }
        // R → hold → W; an error beat is written with no byte lanes.
        if self.w_take.val() {
            self.hold_valid.d.next = false;
            self.w_sent.d.next = self.w_sent.q.val() + 1;
            if (self.w_sent.q.val() + 1) == self.beats.q.val() {
                self.w_done.d.next = true;
            }
        }
        if self.r_take.val() {
            self.hold_valid.d.next = true;
            self.hold_data.d.next = self.rdata.val();
            self.hold_ok.d.next = !self.rresp.val().any();
            if self.rresp.val().any() & !self.r_err.q.val() {
                self.r_err.d.next = true;
                self.r_resp.d.next = self.rresp.val();
            }
        }

        // ---- The copy.
        if self.state.q.val() == TmState::Plan {
            self.len_c.d.next = self.max_beats8.val();
            if self.left.q.val() < self.max_beats.val() {
                self.len_c.d.next = self.left.q.val().get_bits::<8>(0);
            }
            self.src_room.d.next = self.max_beats8.val();
            if self.src_off.val() > self.near_end.val() {
                self.src_room.d.next = self.src_left.val().get_bits::<8>(0);
            }
            self.dst_room.d.next = self.max_beats8.val();
            if self.dst_off.val() > self.near_end.val() {
                self.dst_room.d.next = self.dst_left.val().get_bits::<8>(0);
            }
            if self.left.q.val().any() {
                self.state.d.next = TmState::Size;
            } else {
                self.done.d.next = true;
                self.state.d.next = TmState::Idle;
            }
        }
        if self.state.q.val() == TmState::Size {
            self.beats.d.next = self.m_dst.val();
            self.ar_pend.d.next = true;
            self.aw_pend.d.next = true;
            self.w_sent.d.next = 0.into();
            self.w_done.d.next = false;
            self.r_err.d.next = false;
            self.state.d.next = TmState::Burst;
        }
        if (self.state.q.val() == TmState::Burst) & self.w_done.q.val() & self.bvalid.val() {
            self.w_done.d.next = false;
            if self.r_err.q.val() {
                self.error.d.next = true;
                self.error_write.d.next = false;
                self.resp.d.next = self.r_resp.q.val();
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
            self.hold_valid.d.next = false;
            self.w_done.d.next = false;
            self.done.d.next = false;
            self.error.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.reg_rdata.next = self.c_reg_rdata.val();
        self.wstrb.next = self.c_wstrb.val();
    }
}
