//! Select: which channel gets the next unit (DESIGN §3 eligibility, ownership and priority),
//! with the arbitration state (owner, last served channel, block services in progress).
//!
//! ```text
//!  channel state, DREQ, EOP ──► eligible now ─────────► arb_now ──► pick (register, for an
//!                                                                     empty issue stage)
//!            │                  runnable now ──────────────────────► issue (re-check of its unit)
//!            └─► eligible after a commit of the issue-stage unit ──► arb_after ──► stays
//!  b_ch, b_mode, b_at_tc (registers) ──────────────────────────────┘
//!  commit ──► owner, last, in_service (registers)
//! ```
//!
//! The pick is registered: arbitrated in a clock in which the issue stage is empty (or in which
//! its unit commits and hands the engine to another channel), looked up in the next one,
//! acknowledged (DACK) in the one after. So a channel switch costs one idle clock, a start from
//! an idle engine two, and a single-mode channel that keeps DREQ active, alone, gets a unit
//! every third clock.
//!
//! Why a block of its own, and why two arbiters: neither arbiter looks at this clock's commit
//! decision. `arb_now` arbitrates the present state; its pick is used only when the issue stage
//! is empty, so it never waits for a commit. `arb_after` arbitrates the state the issue-stage
//! unit's commit would leave (its channel stepped, maybe at terminal count and masked, the new
//! owner and last channel); two things are taken from it: `stays` ("if the unit commits, the
//! next unit is its channel's following unit") and, when it names another channel, the pick
//! for the clock after the commit (a switch). The commit decision only gates them into
//! registers (one AND each), instead of choosing between two picks, their fields and their
//! map-RAM addresses. A switch goes through one empty issue-stage clock, in which the new
//! channel's page is looked up (DESIGN §6).

use crate::arbiter::Arbiter;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Select {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub master_clear: Signal<In, Bit>,

    /// Per-channel state (bit c = channel c): may move a unit now (unmasked, not halted, not
    /// cascade, no EOP, controller enabled: the parent's short decode of registered
    /// summaries), mask, fault halt, block service mode, software request, active DREQ,
    /// external EOP this clock (mask and request as they are after a unit committed last
    /// clock: the parent forwards them).
    pub can_run: Signal<In, Bits<4>>,
    pub masked: Signal<In, Bits<4>>,
    pub halted: Signal<In, Bits<4>>,
    pub block: Signal<In, Bits<4>>,
    pub sw_request: Signal<In, Bits<4>>,
    pub dreq: Signal<In, Bits<4>>,
    pub eop: Signal<In, Bits<4>>,
    /// COMMAND.ROTATING_PRIORITY.
    pub rotating: Signal<In, Bit>,
    /// A register write this clock: no pick is made from this clock's state.
    pub wr: Signal<In, Bit>,

    /// The issue-stage unit (registers of `Issue`): present, channel, service mode, terminal
    /// count; and whether it commits this clock.
    pub b_valid: Signal<In, Bit>,
    pub b_ch: Signal<In, Bits<2>>,
    pub b_mode: Signal<In, Bits<2>>,
    pub b_at_tc: Signal<In, Bit>,
    pub b_autoinit: Signal<In, Bit>,
    pub commit: Signal<In, Bit>,

    /// Channels that may move a unit now (unmasked, running, enabled, not cascade, no EOP) and,
    /// of those, the ones requesting (or in a block service).
    pub runnable: Signal<Out, Bits<4>>,
    pub eligible: Signal<Out, Bits<4>>,
    /// The channel for an empty issue stage (registered: arbitrated last clock, with the stage
    /// empty and no register write).
    pub pick_found: Signal<Out, Bit>,
    pub pick_ch: Signal<Out, Bits<2>>,
    /// If the issue-stage unit commits, its channel's following unit goes next (back to back):
    /// not single mode, and the channel wins the arbitration of the state after the commit.
    pub stays: Signal<Out, Bit>,
    /// The channel that owns the engine (CH_CONFIG.BUSY).
    pub owner_onehot: Signal<Out, Bits<4>>,

    arb_now: Arbiter,
    arb_after: Arbiter,
    owner_valid: DFF<Bit>,
    owner_ch: DFF<Bits<2>>,
    last_ch: DFF<Bits<2>>,
    in_service: DFF<Bits<4>>,
    pick_valid: DFF<Bit>,
    pick_r: DFF<Bits<2>>,

    b_onehot: Signal<Local, Bits<4>>,
    runnable_v: Signal<Local, Bits<4>>,
    eligible_v: Signal<Local, Bits<4>>,
    elig_b: Signal<Local, Bits<4>>,
    not_tc: Signal<Local, Bits<4>>,
    commit_oh: Signal<Local, Bits<4>>,
    tc_commit_oh: Signal<Local, Bits<4>>,
    service_set: Signal<Local, Bits<4>>,
    owner_next: Signal<Local, Bit>,
    owner_oh: Signal<Local, Bits<4>>,
    /// The committing unit hands the engine to another channel: pick it now.
    switch: Signal<Local, Bit>,
}

impl Logic for Select {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            owner_valid,
            owner_ch,
            last_ch,
            in_service,
            pick_valid,
            pick_r
        );

        self.b_onehot.next = 0.into();
        if self.b_valid.val() {
            self.b_onehot.next = bits::<4>(1) << self.b_ch.val();
        }
        self.runnable_v.next = self.can_run.val();
        self.eligible_v.next = self.runnable_v.val()
            & (self.dreq.val()
                | self.sw_request.val()
                | (self.block.val() & self.in_service.q.val()));
        // After a commit the issue-stage channel is masked if it reached terminal count without
        // auto-initialize, its software request and block service end at terminal count, and a
        // block-mode unit has started (or continues) a block service.
        self.not_tc.next = bits::<4>(0xF);
        if self.b_at_tc.val() {
            self.not_tc.next = 0.into();
        }
        // The issue-stage channel masks itself at a terminal count without auto-initialize.
        self.elig_b.next = self.runnable_v.val()
            & (self.dreq.val() | ((self.sw_request.val() | self.block.val()) & self.not_tc.val()));
        if self.b_at_tc.val() & !self.b_autoinit.val() {
            self.elig_b.next = 0.into();
        }

        self.arb_now.eligible.next = self.eligible_v.val();
        self.arb_now.rotating.next = self.rotating.val();
        self.arb_now.last.next = self.last_ch.q.val();
        self.arb_now.owner_valid.next = self.owner_valid.q.val();
        self.arb_now.owner.next = self.owner_ch.q.val();
        // After a commit, a demand or block unit that did not reach terminal count owns the
        // engine, and its channel is the last one served.
        self.arb_after.eligible.next = (self.eligible_v.val() & !self.b_onehot.val())
            | (self.elig_b.val() & self.b_onehot.val());
        self.arb_after.rotating.next = self.rotating.val();
        self.arb_after.last.next = self.b_ch.val();
        self.arb_after.owner_valid.next =
            ((self.b_mode.val() == 0) | (self.b_mode.val() == 2)) & !self.b_at_tc.val();
        self.arb_after.owner.next = self.b_ch.val();

        // ---- Arbitration state -----------------------------------------------------------
        self.owner_oh.next = 0.into();
        if self.owner_valid.q.val() {
            self.owner_oh.next = bits::<4>(1) << self.owner_ch.q.val();
        }
        self.commit_oh.next = 0.into();
        if self.commit.val() {
            self.commit_oh.next = self.b_onehot.val();
        }
        self.tc_commit_oh.next = 0.into();
        if self.b_at_tc.val() {
            self.tc_commit_oh.next = self.commit_oh.val();
        }
        // The owner keeps the engine while eligible.
        self.owner_next.next = self.arb_now.owner_keeps.val();
        if self.commit.val() {
            self.owner_next.next = self.arb_after.owner_keeps.val();
            self.last_ch.d.next = self.b_ch.val();
            self.owner_ch.d.next = self.b_ch.val();
        }
        self.owner_valid.d.next = self.owner_next.val();
        // A block service starts with a block-mode unit and ends at TC, EOP, mask or halt.
        self.service_set.next = 0.into();
        if self.b_mode.val() == 2 {
            self.service_set.next = self.commit_oh.val();
        }
        self.in_service.d.next = (self.in_service.q.val() | self.service_set.val())
            & !self.tc_commit_oh.val()
            & !self.eop.val()
            & !self.masked.val()
            & !self.halted.val();
        // The pick, registered: made while the issue stage is empty, used the next clock (its
        // fields are read then, from channel registers that have taken every committed unit).
        // In the clock the issue-stage unit commits, the arbitration of the state after the
        // commit picks too when it hands the engine to *another* channel (a switch): that
        // channel's registers are not the ones the commit updates, so its fields can be read
        // next clock and a switch costs one idle clock (the lookup), not two.
        self.switch.next = self.commit.val()
            & self.arb_after.found.val()
            & (self.arb_after.channel.val() != self.b_ch.val());
        self.pick_valid.d.next =
            (self.arb_now.found.val() & !self.b_valid.val() & !self.wr.val()) | self.switch.val();
        self.pick_r.d.next = self.arb_now.channel.val();
        if self.b_valid.val() {
            self.pick_r.d.next = self.arb_after.channel.val();
        }
        if self.master_clear.val() {
            self.owner_valid.d.next = false;
            self.in_service.d.next = 0.into();
        }
        if self.reset.val() {
            self.owner_valid.d.next = false;
            self.pick_valid.d.next = false;
            // Rotating priority starts with channel 0 highest, as after an 8237 reset.
            self.last_ch.d.next = 3.into();
            self.in_service.d.next = 0.into();
        }

        self.runnable.next = self.runnable_v.val();
        self.eligible.next = self.eligible_v.val();
        self.pick_found.next = self.pick_valid.q.val();
        self.pick_ch.next = self.pick_r.q.val();
        self.stays.next = self.arb_after.found.val()
            & (self.arb_after.channel.val() == self.b_ch.val())
            & (self.b_mode.val() != 1);
        self.owner_onehot.next = self.owner_oh.val();
    }
}
