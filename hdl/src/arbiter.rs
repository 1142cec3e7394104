//! Channel priority (DESIGN §3): which eligible channel gets the next unit.
//!
//! ```text
//!  eligible[3:0] ─┐
//!  rotating ──────┤  owner eligible? ──► owner
//!  last[1:0] ─────┤  else rotate so (last+1) or 0 is bit 0, lowest set bit ──► channel
//!  owner, owner_valid
//! ```
//!
//! Combinational. `engine::select` uses two: one on the present state (the pick for an empty
//! issue stage), one on the state a commit of the issue-stage unit would leave (whether its
//! channel keeps the engine).

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Arbiter {
    /// Channels that may take a unit.
    pub eligible: Signal<In, Bits<4>>,
    /// COMMAND.ROTATING: the channel that moved the last unit becomes lowest.
    pub rotating: Signal<In, Bit>,
    pub last: Signal<In, Bits<2>>,
    /// A channel that owns the engine (block service, demand service) keeps it while eligible.
    pub owner_valid: Signal<In, Bit>,
    pub owner: Signal<In, Bits<2>>,
    pub found: Signal<Out, Bit>,
    pub channel: Signal<Out, Bits<2>>,
    /// The owner is eligible and keeps the engine.
    pub owner_keeps: Signal<Out, Bit>,
    base: Signal<Local, Bits<2>>,
    pick: Signal<Local, Bits<2>>,
    keeps: Signal<Local, Bit>,
    rotated: Signal<Local, Bits<8>>,
}

impl Logic for Arbiter {
    #[hdl_gen]
    fn update(&mut self) {
        self.base.next = 0.into();
        if self.rotating.val() {
            self.base.next = self.last.val() + 1;
        }
        // Rotate the eligible set so `base` is bit 0, then take the lowest set bit.
        self.rotated.next = (bit_cast::<8, 4>(self.eligible.val())
            | (bit_cast::<8, 4>(self.eligible.val()) << 4))
            >> self.base.val();
        self.pick.next = self.base.val() + 3;
        if self.rotated.val().get_bit(2) {
            self.pick.next = self.base.val() + 2;
        }
        if self.rotated.val().get_bit(1) {
            self.pick.next = self.base.val() + 1;
        }
        if self.rotated.val().get_bit(0) {
            self.pick.next = self.base.val();
        }
        self.keeps.next = self.owner_valid.val()
            & (self.eligible.val() & (bits::<4>(1) << self.owner.val())).any();
        if self.keeps.val() {
            self.pick.next = self.owner.val();
        }
        // Outputs are assigned once per evaluation (event-driven simulators wake the reader on
        // every intermediate value).
        self.channel.next = self.pick.val();
        self.owner_keeps.next = self.keeps.val();
        self.found.next = self.eligible.val().any();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pick for every input, against a plain software model of DESIGN §3.
    #[test]
    fn picks_owner_then_rotating_or_fixed_priority() {
        let mut uut = Arbiter::default();
        uut.connect_all();
        for eligible in 0u64..16 {
            for rotating in [false, true] {
                for last in 0u64..4 {
                    for owner_valid in [false, true] {
                        for owner in 0u64..4 {
                            uut.eligible.next = eligible.to_bits();
                            uut.rotating.next = rotating;
                            uut.last.next = last.to_bits();
                            uut.owner_valid.next = owner_valid;
                            uut.owner.next = owner.to_bits();
                            for _ in 0..4 {
                                uut.update_all();
                            }
                            let keeps = owner_valid && eligible >> owner & 1 == 1;
                            let base = if rotating { (last + 1) % 4 } else { 0 };
                            let want = if keeps {
                                Some(owner)
                            } else {
                                (0..4)
                                    .map(|k| (base + k) % 4)
                                    .find(|c| eligible >> c & 1 == 1)
                            };
                            assert_eq!(uut.found.val(), want.is_some());
                            assert_eq!(uut.owner_keeps.val(), keeps);
                            if let Some(c) = want {
                                assert_eq!(
                                    uut.channel.val().index() as u64,
                                    c,
                                    "eligible {eligible:04b} rotating {rotating} last {last} \
                                     owner {owner_valid}/{owner}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
