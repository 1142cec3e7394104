//! Memory-to-memory rounds for random programs (configurations with two or more channels,
//! hdl/DESIGN.md §3a): after the channels' rounds, with every channel masked, the round maps a
//! source and a destination page of its own, programs channel 0 (source) and channel 1
//! (destination and length), sets COMMAND.MEM_TO_MEM (sometimes with CH0_ADDRESS_HOLD) and
//! starts the pair with a software request on channel 0.
//!
//! Why its own round: the pair takes both channels, so it cannot run beside the device rounds,
//! and the reference model moves the block unit by unit while the RTL overlaps reads and
//! writes; only the outcome at quiescence is compared, like every round.
//!
//! Memory safety stays checkable: the pages get new frames after the region, each followed by
//! a guard frame, and only the bytes the destination's units cover are listed as writable, so
//! a write anywhere else (a guard byte, the source, a neighbour) is a difference. Entries are
//! sometimes invalid or read-only, so translation faults on either side (each precise, on the
//! side that faulted) are generated too. No bus error range reaches the new frames.

use super::{Chan, Gen, PagePlan, PageState, Request, ServiceMode, COUNTER_BITS};
use crate::program::{MemoryPlan, Round};
use mapdma_regmap::{self as rm, Config};
use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::BTreeMap;
use std::ops::Range;

/// Most units one pair block moves (keeps the rounds short).
const MAX_UNITS: u32 = 96;

/// The memory-to-memory round, or `None` when the configuration has no pair or no two pages
/// are free. `command` is the program's COMMAND word (pin polarities, priority); the round
/// adds MEM_TO_MEM to it. The pages it maps join `claimed`, the destination's bytes
/// `memory.writable`, its frames `memory.region`.
pub(super) fn mem_to_mem_round(
    g: &mut Gen<'_>,
    claimed: &mut BTreeMap<usize, PagePlan>,
    memory: &mut MemoryPlan,
    command: u32,
) -> Option<Round> {
    let cfg = g.cfg;
    if !cfg.has_memory_to_memory() {
        return None;
    }
    let mut free: Vec<usize> = (0..cfg.map_registers)
        .filter(|p| !claimed.contains_key(p))
        .collect();
    free.shuffle(g.rng);
    let (src_page, dst_page) = match free[..] {
        [a, b, ..] => (a, b),
        _ => return None,
    };
    let src_state = match g.rng.gen_range(0..20) {
        0..=11 => PageState::Writable,
        12..=17 => PageState::ReadOnly,
        _ => PageState::Invalid,
    };
    let dst_state = match g.rng.gen_range(0..20) {
        0..=16 => PageState::Writable,
        17..=18 => PageState::ReadOnly,
        _ => PageState::Invalid,
    };

    // Every channel masked and the pair's faults cleared (a cleared fault unhalts).
    g.w(rm::ALL_MASK.offset, 0xF);
    g.w(rm::INT_STATUS.offset, rm::int_status::FAULT.put(&cfg, 0b11));
    let first_frame = (memory.region.end >> cfg.page_shift) as u32;
    for (k, (page, state)) in [(src_page, src_state), (dst_page, dst_state)]
        .into_iter()
        .enumerate()
    {
        let frame = first_frame + 2 * k as u32;
        let entry = rm::map::VALID.put(&cfg, (state != PageState::Invalid) as u32)
            | rm::map::WRITABLE.put(&cfg, (state == PageState::Writable) as u32)
            | rm::map::FRAME.put(&cfg, frame);
        g.w(rm::MAP.at(page), entry);
        claimed.insert(
            page,
            PagePlan {
                frame,
                state,
                fix_later: false,
                ever_writable: state == PageState::Writable,
            },
        );
    }
    memory.region = memory.region.start..((first_frame + 4) as u64) << cfg.page_shift;

    // Channel 1: the destination, the length and the unit width.
    let width = g.rng.gen_range(0..4u32);
    // At most a page of 32-bit units, so the block fits in its page at every width.
    let units = g
        .rng
        .gen_range(1..=MAX_UNITS.min(cfg.page_size() as u32 / 4));
    let dst = within_page(g, &cfg, dst_page, units, width);
    let ch1 = Chan {
        ch: 1,
        transfer: g.rng.gen_range(0..4),
        service: ServiceMode::Block,
        autoinit: g.rng.gen_bool(0.3),
        ..dst
    };
    // Channel 0: the source; its count does not end the block (any value), its width is
    // not used (the pair moves channel 1's units).
    let src = within_page(g, &cfg, src_page, units, width);
    let ch0 = Chan {
        ch: 0,
        transfer: g.rng.gen_range(0..4),
        service: ServiceMode::Block,
        units: g.rng.gen_range(1..=0x1_0000),
        width: g.rng.gen_range(0..4),
        ..src
    };
    g.program_channel(&ch0);
    g.program_channel(&ch1);
    let hold = g.rng.gen_bool(0.2);
    g.w(
        rm::COMMAND.offset,
        (command & !rm::command::CH0_HOLD.put(&cfg, 1))
            | rm::command::MEM_TO_MEM.put(&cfg, 1)
            | rm::command::CH0_HOLD.put(&cfg, hold as u32),
    );
    if src_state != PageState::Invalid && dst_state == PageState::Writable {
        let frame = (first_frame + 2) as u64;
        memory
            .writable
            .extend((0..units).map(|k| unit_bytes(&cfg, &ch1, frame, k)));
        memory.writable = super::merge(std::mem::take(&mut memory.writable));
    }
    g.request(0);
    g.unmask(&[0, 1], false);
    Some(Round {
        steps: std::mem::take(&mut g.steps),
    })
}

/// A channel on logical `page` whose `units` units of `width` stay inside the page, in a
/// random direction, from a random (possibly unaligned) start.
fn within_page(g: &mut Gen<'_>, cfg: &Config, page: usize, units: u32, width: u32) -> Chan {
    let w = match width {
        1 => 2,
        2 => 4,
        _ => 1,
    };
    let span = units * w;
    let page_size = cfg.page_size() as u32;
    let decrement = g.rng.gen_bool(0.3);
    // Offset of the first unit's aligned address: the block fits in the page either way.
    let first = if decrement {
        g.rng.gen_range(span - w..page_size - w + 1) & !(w - 1)
    } else {
        g.rng.gen_range(0..page_size - span + 1) & !(w - 1)
    };
    let logical = ((page as u32) << cfg.page_shift) | first | g.rng.gen_range(0..w);
    Chan {
        ch: 0,
        transfer: 0,
        service: ServiceMode::Block,
        autoinit: false,
        decrement,
        width,
        page: logical >> COUNTER_BITS,
        address: logical as u16,
        units,
        request: Request::Software,
        source_units: 0,
    }
}

/// The physical bytes of unit `k` of channel `c` on the page placed at `frame`.
fn unit_bytes(cfg: &Config, c: &Chan, frame: u64, k: u32) -> Range<u64> {
    let offset = c.unit_logical(k) as u64 & (cfg.page_size() - 1);
    let phys = (frame << cfg.page_shift) | offset;
    phys..phys + c.bytes() as u64
}

#[cfg(test)]
mod tests {
    use super::super::generate;
    use crate::program::Step;
    use mapdma_regmap as rm;

    /// Of the programs of `seeds`: how many run with COMMAND.MEM_TO_MEM set, and how many of those
    /// end (in the reference model) with a non-zero TEMPORARY, i.e. moved units.
    fn with_pair(seeds: std::ops::Range<u64>) -> (usize, usize) {
        let (mut pairs, mut moved) = (0, 0);
        for seed in seeds {
            let g = generate(seed).expect("generates");
            let p = &g.program;
            // The round's COMMAND write is its last, with no master clear after it (register
            // noise writes random COMMAND values, then a master clear).
            let pair = p.rounds.iter().any(|r| {
                let last = r.steps.iter().rposition(|s| {
                    matches!(*s, Step::Write { offset, .. }
                        if offset == rm::COMMAND.offset || offset == rm::MASTER_CLEAR.offset)
                });
                matches!(last.map(|i| r.steps[i]), Some(Step::Write { offset, value, .. })
                    if offset == rm::COMMAND.offset
                        && rm::command::MEM_TO_MEM.get(&p.config, value) == 1)
            });
            if pair {
                pairs += 1;
                let temporary = g.reference.accesses.iter().rev().find(|a| {
                    a.round == p.rounds.len()
                        && a.offset == rm::TEMPORARY.offset
                        && a.write.is_none()
                });
                if temporary.is_some_and(|a| a.data != 0) {
                    moved += 1;
                }
            }
        }
        (pairs, moved)
    }

    #[test]
    fn a_share_of_the_programs_end_with_a_memory_to_memory_round_that_moves_units() {
        // Half of the three quarters with four channels, give or take; most blocks move
        // (faults on either side stop a few at their first unit).
        let (pairs, moved) = with_pair(0..200);
        assert!((40..=110).contains(&pairs), "{pairs} of 200");
        assert!(moved * 10 >= pairs * 6, "{moved} of {pairs} moved units");
    }
}
