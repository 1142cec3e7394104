//! Stepper: the one address adder of the engine, for the unit in the issue stage.
//!
//! ```text
//!  addr ──────────────┐
//!  width, decrement ──┴─► addr ± (1 << width) ──► next_addr ──────────► channel (on commit)
//!  base, autoinit, at_tc ─────────────────────────► reload? ─► follow_addr ──► map-RAM lookup,
//!                                                                              issue stage
//! ```
//!
//! Why a block of its own: as on the 8237, only one channel moves a unit per clock, so one
//! adder serves all channels (the channel loads `next_addr` when its unit commits). The same
//! adder gives the address of the unit that *follows* the issue-stage unit on its channel
//! (base at an auto-initialize terminal count), computed from registers only: the map-RAM
//! lookup of a back-to-back unit starts before this clock's commit decision is known.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Stepper {
    /// The issue-stage unit: address register, width code (0/1/2 = 8/16/32 bits), direction,
    /// terminal-count unit; and its channel's base address and auto-initialize bit.
    pub addr: Signal<In, Bits<16>>,
    pub width: Signal<In, Bits<2>>,
    pub decrement: Signal<In, Bit>,
    pub at_tc: Signal<In, Bit>,
    pub base: Signal<In, Bits<16>>,
    pub autoinit: Signal<In, Bit>,
    /// `addr ± unit size` (16-bit wrap, no carry into the page).
    pub next_addr: Signal<Out, Bits<16>>,
    /// Where the channel's next unit is after this one commits.
    pub follow_addr: Signal<Out, Bits<16>>,

    step: Signal<Local, Bits<16>>,
    sum: Signal<Local, Bits<16>>,
    follow: Signal<Local, Bits<16>>,
}

impl Logic for Stepper {
    #[hdl_gen]
    fn update(&mut self) {
        // One adder: +1/+2/+4, or −1/−2/−4 as 0xFFFF << width.
        self.step.next = bit_cast::<16, 3>(bits::<3>(1) << self.width.val());
        if self.decrement.val() {
            self.step.next = bits::<16>(0xFFFF) << self.width.val();
        }
        self.sum.next = self.addr.val() + self.step.val();
        self.follow.next = self.sum.val();
        if self.at_tc.val() & self.autoinit.val() {
            self.follow.next = self.base.val();
        }
        self.next_addr.next = self.sum.val();
        self.follow_addr.next = self.follow.val();
    }
}
