//! `ReadDmaCounter` arithmetic: from one atomic hardware snapshot (count, pass counter, address,
//! units in flight) to the position a driver may trust.
//!
//! The controller counts a unit when it *issues* it (8237 semantics: the count register moves
//! at DACK); the unit *lands* later, when its memory access completes (SNAP_INFLIGHT,
//! `hdl/DESIGN.md` §5). A driver following the WDK reads the counter to learn which ring bytes
//! it may consume (device → memory) or refill (memory → device), so the counter it is given is
//! the issued position moved back by the units in flight, across a pass boundary if need be.

use mapdma_regmap as rm;

use crate::system_dma::DmaCounter;

/// Bytes a ring channel has moved since it was programmed, followed from successive
/// `read_dma_counter_ex` readings: the 16-bit pass counter wraps, so the passes are
/// accumulated reading by reading (read at least once every 65 535 passes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamPosition {
    last_passes: u16,
    passes: u64,
}

impl StreamPosition {
    pub fn new() -> Self {
        Self::default()
    }

    /// The stream position (landed bytes) after reading `c`.
    pub fn update(&mut self, c: &DmaCounter) -> u64 {
        self.passes += c.passes.wrapping_sub(self.last_passes) as u64;
        self.last_passes = c.passes;
        self.passes * c.transfer_length as u64 + c.done_in_pass() as u64
    }

    /// Whole passes completed so far.
    pub fn passes(&self) -> u64 {
        self.passes
    }
}

/// One SNAP_COUNT / SNAP_ADDR / SNAP_INFLIGHT snapshot of a channel, in units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// SNAP_COUNT.COUNT: units left − 1 (0xFFFF after terminal count without auto-initialize).
    pub count: u32,
    /// SNAP_COUNT.PASSES: terminal counts so far (16-bit, wraps).
    pub passes: u16,
    /// SNAP_ADDR: the logical address of the next unit to issue.
    pub logical_address: u32,
    /// SNAP_INFLIGHT: units issued and not yet landed.
    pub in_flight: u32,
}

/// The landed position derived from a [`Snapshot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Landed {
    /// Units of the current pass not yet landed.
    pub remaining_units: u32,
    /// Passes completed by landed units (16-bit, wraps).
    pub passes: u16,
    /// Logical address of the first unit not yet landed.
    pub logical_address: u32,
}

/// The landed position of a channel programmed for `pass_units` units per pass (the transfer
/// length, or the ring in auto-initialize mode) of `unit_bytes` bytes, counting up.
pub fn landed(s: Snapshot, pass_units: u32, unit_bytes: u32, auto_initialize: bool) -> Landed {
    let p = pass_units.max(1) as u64;
    let passes = s.passes as u64;
    // Units issued since the channel was programmed, on a 2^16-pass circle.
    let circle = p << 16;
    let left = rm::units_left(s.count, s.passes as u32, auto_initialize) as u64;
    let issued = if !auto_initialize && s.passes != 0 {
        p
    } else {
        passes * p + (p - left.min(p))
    };
    let in_flight = (s.in_flight as u64).min(circle);
    let landed = (issued + circle - in_flight) % circle;
    let (passes_l, pos) = if !auto_initialize {
        let landed = landed.min(p);
        ((landed == p && s.passes != 0) as u64, landed)
    } else {
        (landed / p, landed % p)
    };
    // The address moves one unit per issued unit and returns to the pass start at each
    // terminal count; without auto-initialize it stays one past the end.
    let issued_in_pass = if !auto_initialize { issued } else { issued % p };
    let start = s
        .logical_address
        .wrapping_sub((issued_in_pass as u32).wrapping_mul(unit_bytes));
    Landed {
        remaining_units: (p - pos) as u32,
        passes: passes_l as u16,
        logical_address: start.wrapping_add((pos as u32).wrapping_mul(unit_bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(count: u32, passes: u16, addr: u32, in_flight: u32) -> Snapshot {
        Snapshot {
            count,
            passes,
            logical_address: addr,
            in_flight,
        }
    }

    #[test]
    fn nothing_in_flight_is_the_counted_position() {
        // 8 units of 4 bytes from 0x1000, 3 issued.
        let l = landed(snap(4, 0, 0x100C, 0), 8, 4, true);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (5, 0, 0x100C)
        );
        let l = landed(snap(4, 0, 0x100C, 0), 8, 4, false);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (5, 0, 0x100C)
        );
    }

    #[test]
    fn units_in_flight_move_the_position_back() {
        let l = landed(snap(4, 0, 0x100C, 2), 8, 4, true);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (7, 0, 0x1004)
        );
    }

    #[test]
    fn in_flight_units_of_the_previous_pass_undo_the_wrap() {
        // Auto-initialize, pass 3 just begun (count reloaded to 7, one unit issued), 3 in flight:
        // two of them belong to the end of pass 2.
        let l = landed(snap(6, 3, 0x1004, 3), 8, 4, true);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (2, 2, 0x1018)
        );
        // Exactly at the boundary: all of pass 2 landed, nothing of pass 3.
        let l = landed(snap(6, 3, 0x1004, 1), 8, 4, true);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (8, 3, 0x1000)
        );
    }

    #[test]
    fn more_in_flight_than_a_small_ring_holds_goes_back_several_passes() {
        // 2-unit ring, 5 passes issued + 1 unit, 5 in flight: landed 6 units = 3 passes.
        let l = landed(snap(0, 5, 0x1001, 5), 2, 1, true);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (2, 3, 0x1000)
        );
    }

    #[test]
    fn a_finished_transfer_is_finished_only_when_its_last_unit_landed() {
        // Without auto-initialize, after terminal count: count 0xFFFF, passes 1, address one
        // past the end.
        let l = landed(snap(0xFFFF, 1, 0x1020, 0), 8, 4, false);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (0, 1, 0x1020)
        );
        let l = landed(snap(0xFFFF, 1, 0x1020, 2), 8, 4, false);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (2, 0, 0x1018)
        );
    }

    #[test]
    fn the_stream_position_follows_the_16_bit_pass_counter_across_its_wrap() {
        let reading = |passes, remaining| DmaCounter {
            remaining,
            passes,
            transfer_length: 100,
            logical_address: 0,
            in_flight: 0,
        };
        let mut p = StreamPosition::new();
        assert_eq!(p.update(&reading(0, 100)), 0);
        assert_eq!(p.update(&reading(0, 40)), 60);
        assert_eq!(p.update(&reading(0xFFFF, 100)), 65535 * 100);
        assert_eq!(p.update(&reading(1, 90)), 65537 * 100 + 10);
        assert_eq!(p.passes(), 65537);
    }

    #[test]
    fn the_pass_counter_wraps_like_the_hardware() {
        let l = landed(snap(7, 0, 0x1000, 1), 8, 4, true);
        assert_eq!(
            (l.remaining_units, l.passes, l.logical_address),
            (1, 0xFFFF, 0x101C)
        );
    }
}
