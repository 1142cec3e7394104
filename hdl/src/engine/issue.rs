//! Issue: the one-unit stage whose unit is acknowledged (DACK) and, when everything it needs is
//! there, committed (DESIGN §3, §6).
//!
//! ```text
//!            pick (empty stage) ──┐            ┌──► commit ──► AXI request, response tag,
//!  following unit (commit & stays)┼─► u_* regs ┤                src_ready, ap_* ──► channel
//!                                 │            │                (applied next clock)
//!            own fields (waits) ──┘   │        ├──► fault  ──► halt, fault record (no bus access)
//!                                     │        └──► drop   ──► nothing moved; selected again
//!                                     └─► lookup: following unit's page (stage full) or the
//!                                         pick's page (stage empty) ──► map RAM (1 clock)
//! ```
//!
//! Why a block of its own: it is the commit decision, and the commit decision must stay short.
//! Everything it reads is a register (its own `u_*`, the map entry, the queues' space and
//! room flags) or the device's DREQ/`src_valid`; what it writes goes only into registers. The
//! channel's own registers are not among them: the stage keeps the working copy of its unit
//! (address, count, terminal count) and the new address and count reach the channel through
//! the `ap_*` registers, a clock after the commit (`Select` keeps that channel out of the
//! next pick, and the parent forwards its mask and request, until they land). The
//! map-RAM address never depends on this clock's decision: with a unit in the stage the lookup
//! is for the unit that follows it on its channel (the stepper's `follow_addr`), used if the
//! unit commits and its channel `stays`; if the unit waits instead, it keeps its own entry
//! (held in `Translation`). With the stage empty the lookup is for the pick of `Select`.
//!
//! Decisions for the unit in the stage:
//! - *commit*: runnable (re-checked every clock; a back-to-back unit, `cont`, needs its request
//!   in its own DACK clock), no register write this clock, translation without fault, device
//!   data (write transfer) and AXI space and response room;
//! - *fault*: translation fault of a write/read unit that may otherwise move;
//! - *drop*: not runnable, request gone (`cont`), register write, or fault;
//! - otherwise it waits, keeping DACK.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Issue {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// A register write this clock (drops the unit, selects none).
    pub wr: Signal<In, Bit>,

    /// `Select`'s pick for an empty stage and that channel's fields (transfer type, service
    /// mode, width code, page, address, terminal-count unit, address decrement).
    pub pick_found: Signal<In, Bit>,
    pub pick_ch: Signal<In, Bits<2>>,
    pub p_type: Signal<In, Bits<2>>,
    pub p_mode: Signal<In, Bits<2>>,
    pub p_width: Signal<In, Bits<2>>,
    pub p_page: Signal<In, Bits<16>>,
    pub p_addr: Signal<In, Bits<16>>,
    pub p_at_tc: Signal<In, Bit>,
    pub p_count: Signal<In, Bits<16>>,
    pub p_decrement: Signal<In, Bit>,
    /// After a commit the channel's following unit enters the stage (`Select::stays`), at
    /// `follow_addr` (stepper) with `follow_at_tc` (the channel's `at_tc_after`).
    pub stays: Signal<In, Bit>,
    pub follow_addr: Signal<In, Bits<16>>,
    pub follow_at_tc: Signal<In, Bit>,
    pub follow_count: Signal<In, Bits<16>>,
    /// The unit's address and count after it moves (stepper), for its channel.
    pub next_addr: Signal<In, Bits<16>>,
    pub next_count: Signal<In, Bits<16>>,

    /// Per channel: runnable, eligible (`Select`), device data valid.
    pub runnable: Signal<In, Bits<4>>,
    pub eligible: Signal<In, Bits<4>>,
    pub src_valid: Signal<In, Bits<4>>,
    /// The unit's translation faults (`Translation::cause` ≠ 0); AXI request space and
    /// response room (registered flags).
    pub map_fault: Signal<In, Bit>,
    pub write_space: Signal<In, Bit>,
    pub read_space: Signal<In, Bit>,
    pub wr_room: Signal<In, Bit>,
    pub rd_room: Signal<In, Bit>,
    /// The other channels the unit is applied to (channel 1 for a memory-to-memory pair's
    /// unit) and whether it is the terminal-count unit of them all (the pair's is channel 1's).
    pub also_oh: Signal<In, Bits<4>>,
    pub unit_tc: Signal<In, Bit>,
    /// Per channel: auto-initialize is off (a terminal count masks the channel).
    pub noauto: Signal<In, Bits<4>>,

    /// The unit in the stage (registers).
    pub valid: Signal<Out, Bit>,
    pub ch: Signal<Out, Bits<2>>,
    pub onehot: Signal<Out, Bits<4>>,
    pub transfer: Signal<Out, Bits<2>>,
    pub mode: Signal<Out, Bits<2>>,
    pub width: Signal<Out, Bits<2>>,
    pub addr: Signal<Out, Bits<16>>,
    pub at_tc: Signal<Out, Bit>,
    pub count: Signal<Out, Bits<16>>,
    pub decrement: Signal<Out, Bit>,
    /// Page ‖ address of the unit, and of the unit whose map entry is needed next clock.
    pub logical: Signal<Out, Bits<32>>,
    pub lookup_logical: Signal<Out, Bits<32>>,
    pub commit: Signal<Out, Bit>,
    pub commit_oh: Signal<Out, Bits<4>>,
    /// The channels whose terminal-count unit commits this clock (with `also_oh`): the TC
    /// events of STATUS and INT_STATUS.
    pub tc_commit_oh: Signal<Out, Bits<4>>,
    pub fault: Signal<Out, Bit>,
    /// The unit stays in the stage into the next clock (waits): `Translation` keeps its entry.
    pub keep: Signal<Out, Bit>,
    /// The unit committed last clock, applied to its channel this clock: channel (one-hot),
    /// its new address and count, terminal count, and whether it had a bus access.
    pub apply_oh: Signal<Out, Bits<4>>,
    pub apply_addr: Signal<Out, Bits<16>>,
    pub apply_count: Signal<Out, Bits<16>>,
    pub apply_tc: Signal<Out, Bit>,
    pub apply_io: Signal<Out, Bit>,
    /// The channels applying a terminal-count unit this clock (with `also_oh`), registered at
    /// the commit: the parent's forwarded mask and request read a register, not a decode of
    /// the apply registers of two blocks, on their way into the next commit decision.
    pub apply_tc_oh: Signal<Out, Bits<4>>,
    /// Of those, the channels without auto-initialize: masked from this clock on (their mask
    /// flip-flop is set at its end). Registered at the commit, in which no register write can
    /// change auto-initialize.
    pub apply_mask_oh: Signal<Out, Bits<4>>,
    /// The stage takes the pick into the next clock (for blocks that keep a copy beside the
    /// stage, `mem2mem`; they step their copy at every `commit`, as the stage does).
    pub load_pick: Signal<Out, Bit>,
    /// The unit in the stage next clock, if it enters it, is a write transfer: the pick's type
    /// when the stage takes the pick, else this unit's (the following unit's is the same).
    pub next_write: Signal<Out, Bit>,

    b_valid: DFF<Bit>,
    b_ch: DFF<Bits<2>>,
    /// `b_ch` one-hot, loaded with it: the per-channel inputs (requests, device data) are
    /// selected by a register rather than through a decoder (one LUT level off the commit).
    b_oh: DFF<Bits<4>>,
    /// The unit was selected back to back, in its channel's own DACK clock, from a DREQ the
    /// device may not have withdrawn yet: it moves only if the request still holds.
    b_cont: DFF<Bit>,
    u_type: DFF<Bits<2>>,
    u_mode: DFF<Bits<2>>,
    u_width: DFF<Bits<2>>,
    u_page: DFF<Bits<16>>,
    u_addr: DFF<Bits<16>>,
    u_at_tc: DFF<Bit>,
    u_count: DFF<Bits<16>>,
    u_decrement: DFF<Bit>,
    ap_oh: DFF<Bits<4>>,
    ap_addr: DFF<Bits<16>>,
    ap_count: DFF<Bits<16>>,
    ap_tc: DFF<Bit>,
    ap_io: DFF<Bit>,
    ap_tc_oh: DFF<Bits<4>>,
    ap_mask_oh: DFF<Bits<4>>,

    onehot_v: Signal<Local, Bits<4>>,
    elig: Signal<Local, Bit>,
    needs_map: Signal<Local, Bit>,
    fault_v: Signal<Local, Bit>,
    io_ready: Signal<Local, Bit>,
    commit_v: Signal<Local, Bit>,
    commit_oh_v: Signal<Local, Bits<4>>,
    tc_oh_v: Signal<Local, Bits<4>>,
    next_type: Signal<Local, Bits<2>>,
    drop_v: Signal<Local, Bit>,
    take_pick: Signal<Local, Bit>,
    take_follow: Signal<Local, Bit>,
    lookup: Signal<Local, Bits<32>>,
}

impl Logic for Issue {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            b_valid,
            b_ch,
            b_oh,
            b_cont,
            u_type,
            u_mode,
            u_width,
            u_page,
            u_addr,
            u_at_tc,
            u_count,
            u_decrement,
            ap_oh,
            ap_addr,
            ap_count,
            ap_tc,
            ap_io,
            ap_tc_oh,
            ap_mask_oh
        );
        self.onehot_v.next = 0.into();
        if self.b_valid.q.val() {
            self.onehot_v.next = self.b_oh.q.val();
        }
        // A unit selected from a DREQ sampled while DACK was inactive moves even if the device
        // drops DREQ in the DACK clock (8237: DREQ need only be held until DACK); a back-to-back
        // unit needs the request to hold in its own DACK clock.
        // `b_oh` alone (not gated by `b_valid`): every decision below is.
        self.elig.next = (self.runnable.val() & self.b_oh.q.val()).any() & !self.wr.val();
        if self.b_cont.q.val() {
            self.elig.next = (self.eligible.val() & self.b_oh.q.val()).any() & !self.wr.val();
        }
        // Verify units (type 0, and the illegal type 3) touch no memory and need no translation.
        self.needs_map.next = (self.u_type.q.val() == 1) | (self.u_type.q.val() == 2);
        self.fault_v.next =
            self.b_valid.q.val() & self.elig.val() & self.needs_map.val() & self.map_fault.val();
        self.io_ready.next = true;
        if self.u_type.q.val() == 1 {
            self.io_ready.next = (self.src_valid.val() & self.b_oh.q.val()).any()
                & self.write_space.val()
                & self.wr_room.val();
        }
        if self.u_type.q.val() == 2 {
            self.io_ready.next = self.read_space.val() & self.rd_room.val();
        }
        self.commit_v.next =
            self.b_valid.q.val() & self.elig.val() & !self.fault_v.val() & self.io_ready.val();
        self.drop_v.next = self.b_valid.q.val() & (!self.elig.val() | self.fault_v.val());

        // Next clock's unit: the following unit of the channel after a commit (back to back),
        // the pick when the stage is empty, else the same unit (it waits) or none.
        self.take_follow.next = self.commit_v.val() & self.stays.val();
        // The pick was made last clock: its channel must still be runnable (an EOP or a halt
        // may have arrived since).
        self.take_pick.next = !self.b_valid.q.val()
            & self.pick_found.val()
            & !self.wr.val()
            & (self.runnable.val() & (bits::<4>(1) << self.pick_ch.val())).any();
        self.commit_oh_v.next = 0.into();
        if self.commit_v.val() {
            self.commit_oh_v.next = self.b_oh.q.val();
        }
        self.b_valid.d.next = (self.b_valid.q.val() & !self.commit_v.val() & !self.drop_v.val())
            | self.take_follow.val()
            | self.take_pick.val();
        // The working copy steps at every commit: with the following unit of its channel when
        // the channel stays, and to no effect when the stage empties (nothing reads `u_*` of
        // an empty stage; a pick loads them). So `stays`, the arbitration of the state after
        // the commit and the latest signal of the clock, reaches only `b_valid`, not these
        // registers' enables.
        // A commit needs a unit in the stage and a pick an empty one, so the registered
        // `b_valid` selects what the working copy loads: the commit and the pick reach only
        // the flip-flops' enables, not a multiplexer in front of each bit.
        if self.commit_v.val() | self.take_pick.val() {
            self.b_cont.d.next = self.b_valid.q.val();
            self.u_addr.d.next = self.p_addr.val();
            self.u_at_tc.d.next = self.p_at_tc.val();
            self.u_count.d.next = self.p_count.val();
            if self.b_valid.q.val() {
                self.u_addr.d.next = self.follow_addr.val();
                self.u_at_tc.d.next = self.follow_at_tc.val();
                self.u_count.d.next = self.follow_count.val();
            }
        }
        if self.take_pick.val() {
            self.b_ch.d.next = self.pick_ch.val();
            self.b_oh.d.next = bits::<4>(1) << self.pick_ch.val();
            self.u_type.d.next = self.p_type.val();
            self.u_mode.d.next = self.p_mode.val();
            // Width 3 is reserved and moves bytes.
            self.u_width.d.next = self.p_width.val();
            if self.p_width.val() == 3 {
                self.u_width.d.next = 0.into();
            }
            self.u_page.d.next = self.p_page.val();
            self.u_decrement.d.next = self.p_decrement.val();
        }
        // The apply stage: loaded every clock, valid by `ap_oh`.
        self.ap_oh.d.next = self.commit_oh_v.val();
        self.ap_addr.d.next = self.next_addr.val();
        self.ap_count.d.next = self.next_count.val();
        self.ap_tc.d.next = self.u_at_tc.q.val();
        self.ap_io.d.next = self.needs_map.val();
        self.tc_oh_v.next = 0.into();
        if self.commit_v.val() & self.unit_tc.val() {
            self.tc_oh_v.next = self.b_oh.q.val() | self.also_oh.val();
        }
        self.ap_tc_oh.d.next = self.tc_oh_v.val();
        self.ap_mask_oh.d.next = self.tc_oh_v.val() & self.noauto.val();
        if self.reset.val() {
            self.b_valid.d.next = false;
            self.ap_oh.d.next = 0.into();
            self.ap_tc_oh.d.next = 0.into();
            self.ap_mask_oh.d.next = 0.into();
        }

        self.lookup.next =
            (bit_cast::<32, 16>(self.p_page.val()) << 16) | bit_cast::<32, 16>(self.p_addr.val());
        if self.b_valid.q.val() {
            self.lookup.next = (bit_cast::<32, 16>(self.u_page.q.val()) << 16)
                | bit_cast::<32, 16>(self.follow_addr.val());
        }

        self.valid.next = self.b_valid.q.val();
        self.ch.next = self.b_ch.q.val();
        self.onehot.next = self.onehot_v.val();
        self.transfer.next = self.u_type.q.val();
        self.mode.next = self.u_mode.q.val();
        self.width.next = self.u_width.q.val();
        self.addr.next = self.u_addr.q.val();
        self.at_tc.next = self.u_at_tc.q.val();
        self.count.next = self.u_count.q.val();
        self.decrement.next = self.u_decrement.q.val();
        self.logical.next = (bit_cast::<32, 16>(self.u_page.q.val()) << 16)
            | bit_cast::<32, 16>(self.u_addr.q.val());
        self.lookup_logical.next = self.lookup.val();
        self.commit.next = self.commit_v.val();
        self.commit_oh.next = self.commit_oh_v.val();
        self.tc_commit_oh.next = self.tc_oh_v.val();
        self.fault.next = self.fault_v.val();
        self.keep.next = self.b_valid.q.val() & !self.commit_v.val() & !self.drop_v.val();
        self.apply_oh.next = self.ap_oh.q.val();
        self.apply_addr.next = self.ap_addr.q.val();
        self.apply_count.next = self.ap_count.q.val();
        self.apply_tc.next = self.ap_tc.q.val();
        self.apply_io.next = self.ap_io.q.val();
        self.apply_tc_oh.next = self.ap_tc_oh.q.val();
        self.apply_mask_oh.next = self.ap_mask_oh.q.val();
        self.load_pick.next = self.take_pick.val();
        self.next_type.next = self.u_type.q.val();
        if self.take_pick.val() {
            self.next_type.next = self.p_type.val();
        }
        self.next_write.next = self.next_type.val() == 1;
    }
}
