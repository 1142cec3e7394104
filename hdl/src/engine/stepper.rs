//! Stepper: the one address adder and count decrementer of the engine, for the unit in the
//! issue stage.
//!
//! ```text
//!  addr, width, decrement ──► addr ± (1 << width) ──► next_addr ──┬──────────► channel
//!  count ───────────────────► count − 1 ────────────► next_count ─┤            (applied a clock
//!  base, base count, autoinit, at_tc ──► reload? ─────────────────┴─► follow_addr,  after commit)
//!                                                                    follow_count,
//!                                                                    follow_at_tc ──► map-RAM
//!                                                                           lookup, issue stage
//! ```
//!
//! Why a block of its own: as on the 8237, only one channel moves a unit per clock, so one
//! adder and one decrementer serve all channels (the channel loads `next_addr`/`next_count`
//! when its unit is applied). The same arithmetic gives the unit that *follows* the
//! issue-stage unit on its channel (base and base count at an auto-initialize terminal count),
//! computed from registers only: the map-RAM lookup of a back-to-back unit starts before this
//! clock's commit decision is known, and the channel registers may still be a clock behind.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Stepper {
    /// The issue-stage unit: address register, width code (0/1/2 = 8/16/32 bits), direction,
    /// terminal-count unit; and its channel's base address and auto-initialize bit.
    pub addr: Signal<In, Bits<16>>,
    pub width: Signal<In, Bits<2>>,
    pub decrement: Signal<In, Bit>,
    /// The address does not step (COMMAND.CH0_ADDRESS_HOLD on a memory-to-memory source).
    pub hold: Signal<In, Bit>,
    pub at_tc: Signal<In, Bit>,
    pub base: Signal<In, Bits<16>>,
    pub autoinit: Signal<In, Bit>,
    /// The unit's count (units left − 1) and its channel's base count.
    pub count: Signal<In, Bits<16>>,
    pub base_count: Signal<In, Bits<16>>,
    /// `count − 1` (0xFFFF after the terminal-count unit).
    pub next_count: Signal<Out, Bits<16>>,
    /// The following unit's count, and whether it is the terminal-count unit.
    pub follow_count: Signal<Out, Bits<16>>,
    pub follow_at_tc: Signal<Out, Bit>,
    /// `addr ± unit size` (16-bit wrap, no carry into the page).
    pub next_addr: Signal<Out, Bits<16>>,
    /// Where the channel's next unit is after this one commits.
    pub follow_addr: Signal<Out, Bits<16>>,

    step: Signal<Local, Bits<16>>,
    sum: Signal<Local, Bits<16>>,
    follow: Signal<Local, Bits<16>>,
    dec: Signal<Local, Bits<16>>,
    follow_cnt: Signal<Local, Bits<16>>,
}

impl Logic for Stepper {
    #[hdl_gen]
    fn update(&mut self) {
        // One adder: +1/+2/+4, or −1/−2/−4 as 0xFFFF << width.
        self.step.next = bit_cast::<16, 3>(bits::<3>(1) << self.width.val());
        if self.decrement.val() {
            self.step.next = bits::<16>(0xFFFF) << self.width.val();
        }
        if self.hold.val() {
            self.step.next = 0.into();
        }
        self.sum.next = self.addr.val() + self.step.val();
        self.dec.next = self.count.val() - 1;
        self.follow.next = self.sum.val();
        self.follow_cnt.next = self.dec.val();
        if self.at_tc.val() & self.autoinit.val() {
            self.follow.next = self.base.val();
            self.follow_cnt.next = self.base_count.val();
        }
        self.next_addr.next = self.sum.val();
        self.follow_addr.next = self.follow.val();
        self.next_count.next = self.dec.val();
        self.follow_count.next = self.follow_cnt.val();
        self.follow_at_tc.next = self.follow_cnt.val() == 0;
    }
}
