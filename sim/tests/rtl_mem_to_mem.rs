//! Memory-to-memory transfers on the rust-hdl engine (hdl/DESIGN.md §3a), clock by clock:
//! channel 0 is the source, channel 1 the destination and length. Logical page i is mapped to
//! frame FRAME_BASE + i.

mod common;

use common::rtl::*;
use common::Sys;
use mapdma_regmap::{self as regmap, Config, FaultCause, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi_slave::AxiSlaveConfig;
use mapdma_sim::ChannelSetup;

fn bench_of(cfg: &Config, mem: AxiSlaveConfig) -> Sys {
    let mut s = rtl(cfg, mem, &[]);
    s.map_pages(0, cfg.map_registers, FRAME_BASE, true)
        .expect("map");
    s
}

fn bench() -> Sys {
    bench_of(&Config::default(), AxiSlaveConfig::default())
}

/// A block-mode read of `units` units on channel `ch` (how both channels of the pair are
/// programmed).
fn pair_channel(ch: usize, logical: u32, units: u32, width: UnitWidth, auto: bool) -> ChannelSetup {
    ChannelSetup {
        autoinit: auto,
        ..chan(
            ch,
            logical,
            units,
            width,
            TransferType::Read,
            ServiceMode::Block,
        )
    }
}

/// Source at logical `src`, destination at `dst`, `units` units of `width`; the command
/// (MEM_TO_MEM plus `extra` bits), then the software request on channel 0.
fn start(s: &mut Sys, src: u32, dst: u32, units: u32, width: UnitWidth, auto1: bool, extra: u32) {
    program(s, &pair_channel(0, src, 0x1_0000, UnitWidth::Bits8, false));
    program(s, &pair_channel(1, dst, units, width, auto1));
    wr(s, regmap::COMMAND.offset, 1 | extra);
    unmask(s, 1);
    unmask(s, 0);
    wr(s, regmap::REQUEST.offset, 0b100);
}

fn fill(s: &mut Sys, logical: u32, len: u32, seed: u32) {
    for i in 0..len {
        mem_write(s, phys(logical + i), (i.wrapping_mul(7) ^ seed) as u8);
    }
}

fn fault_cause(s: &mut Sys, ch: usize) -> u32 {
    (rd(s, regmap::FAULT_CAUSE.offset) >> (regmap::FAULT_CAUSE_BITS * ch as u32)) & 0xF
}

fn snap_addr(s: &mut Sys, ch: usize) -> u32 {
    s.snapshot(ch).expect("snapshot").addr
}

#[test]
fn block_copy_of_bytes_streams_one_unit_per_clock_and_ends_at_channel_1s_count() {
    let mut s = bench();
    fill(&mut s, 0x1000, 0x80, 0x5A);
    // Guard bytes around the destination.
    fill(&mut s, 0x3000 - 4, 4, 0xEE);
    fill(&mut s, 0x3040, 4, 0xEE);
    let guards: Vec<(u32, u8)> = (0x3000 - 4..0x3000)
        .chain(0x3040..0x3044)
        .map(|a| (a, mem_read(&s, phys(a))))
        .collect();
    start(&mut s, 0x1000, 0x3000, 64, UnitWidth::Bits8, false, 0);
    run_until(&mut s, 400, "64 writes", |s| writes(s).len() == 64);
    run(&mut s, 20);
    for i in 0..64 {
        assert_eq!(
            mem_read(&s, phys(0x3000 + i)),
            mem_read(&s, phys(0x1000 + i)),
            "byte {i}"
        );
    }
    for (a, v) in guards {
        assert_eq!(mem_read(&s, phys(a)), v, "guard {a:#x}");
    }
    assert_eq!(writes(&s).len(), 64, "nothing past the block");
    assert_eq!(reads(&s).len(), 64);
    // Pipelined: 64 reads on consecutive clocks.
    let r = access_cycles(&s, true);
    assert_eq!(r[63] - r[0], 63, "reads at {r:?}");
    // TC on both channels, channel 1 (no auto-init) masks itself, channel 0 too.
    assert_eq!(rd(&mut s, regmap::STATUS.offset) & 0xF, 0b0011);
    assert_eq!(rd(&mut s, regmap::INT_STATUS.offset) & 0xF, 0b0011);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset) & 3, 3);
    assert_eq!(snap(&mut s, 1), (0xFFFF, 1));
    assert_eq!(rd(&mut s, regmap::SNAP_ADDR.at(1)), 0x3040);
    // Channel 0's count counted the units too.
    assert_eq!(snap(&mut s, 0).0, 0xFFFF - 64);
    assert_eq!(rd(&mut s, regmap::SNAP_ADDR.at(0)), 0x1040);
    assert_eq!(
        rd(&mut s, regmap::TEMPORARY.offset),
        mem_read(&s, phys(0x1000 + 63)) as u32
    );
    assert_eq!(s.devices[1].eop_out().len(), 1);
    // Every unit of the pair shows on channel 0's `moved`, none on channel 1's.
    assert_eq!(s.devices[0].moved().len(), 64);
    assert!(s.devices[1].moved().is_empty());
}

#[test]
fn address_hold_fills_the_block_with_one_unit_of_sixteen_bits() {
    let mut s = bench();
    mem_write(&mut s, phys(0x1002), 0x34);
    mem_write(&mut s, phys(0x1003), 0x12);
    start(&mut s, 0x1002, 0x2000, 16, UnitWidth::Bits16, false, 2);
    run_until(&mut s, 300, "16 writes", |s| writes(s).len() == 16);
    run(&mut s, 20);
    for i in 0..16 {
        assert_eq!(mem_read(&s, phys(0x2000 + 2 * i)), 0x34);
        assert_eq!(mem_read(&s, phys(0x2001 + 2 * i)), 0x12);
    }
    assert_eq!(mem_read(&s, phys(0x2020)), 0);
    assert!(reads(&s)
        .iter()
        .all(|&a| a == phys(0x1000) || a == phys(0x1002)));
    assert_eq!(snap_addr(&mut s, 0), 0x1002, "address held");
    assert_eq!(rd(&mut s, regmap::TEMPORARY.offset), 0x1234);
}

#[test]
fn channel_1_auto_initialize_rewinds_the_destination_under_backpressure() {
    let mut s = bench_of(&Config::default(), memory(16, 0.3, 3));
    fill(&mut s, 0x4000, 0x100, 0x33);
    // 32-bit units, 8 per pass: two passes rewind the destination, the source goes on.
    program(
        &mut s,
        &pair_channel(0, 0x4000, 0x1_0000, UnitWidth::Bits8, false),
    );
    program(&mut s, &pair_channel(1, 0x6000, 8, UnitWidth::Bits32, true));
    wr(&mut s, regmap::COMMAND.offset, 1);
    unmask(&mut s, 1);
    unmask(&mut s, 0);
    wr(&mut s, regmap::REQUEST.offset, 0b100);
    run_until(&mut s, 2000, "8 writes", |s| writes(s).len() == 8);
    run(&mut s, 200);
    assert_eq!(writes(&s).len(), 8, "the software request ends at TC");
    assert_eq!(snap(&mut s, 1), (7, 1), "reloaded, one pass");
    assert_eq!(rd(&mut s, regmap::SNAP_ADDR.at(1)), 0x6000);
    assert_eq!(
        rd(&mut s, regmap::ALL_MASK.offset) & 2,
        0,
        "channel 1 stays unmasked"
    );
    // Channel 0 is not auto-initialize: masked; unmask and request again for pass 2.
    unmask(&mut s, 0);
    wr(&mut s, regmap::REQUEST.offset, 0b100);
    run_until(&mut s, 2000, "16 writes", |s| writes(s).len() == 16);
    run(&mut s, 200);
    for i in 0..32 {
        assert_eq!(
            mem_read(&s, phys(0x6000 + i)),
            mem_read(&s, phys(0x4020 + i)),
            "byte {i}"
        );
    }
    assert_eq!(snap(&mut s, 1), (7, 2));
}

#[test]
fn destination_faults_are_precise_and_latched_on_channel_1() {
    for (what, writable, valid, cause) in [
        ("read-only", false, true, FaultCause::ReadOnly),
        ("invalid", true, false, FaultCause::Invalid),
    ] {
        let mut s = bench();
        fill(&mut s, 0x1000, 0x40, 0x11);
        // Destination 0x2FF8..: 8 bytes in page 2, then page 3 faults.
        let cfg = *s.config();
        let v = regmap::map::FRAME.put(&cfg, FRAME_BASE + 3)
            | regmap::map::WRITABLE.put(&cfg, writable as u32)
            | regmap::map::VALID.put(&cfg, valid as u32);
        wr(&mut s, regmap::MAP.at(3), v);
        start(&mut s, 0x1000, 0x2FF8, 32, UnitWidth::Bits8, false, 0);
        run(&mut s, 300);
        assert_eq!(writes(&s).len(), 8, "{what}: units before the fault only");
        assert!(writes(&s).iter().all(|w| w.0 < phys(0x3000)), "{what}");
        assert_eq!(reads(&s).len(), 8, "{what}: the faulting unit was not read");
        assert_eq!(fault_cause(&mut s, 1), cause as u32, "{what}");
        assert_eq!(fault_cause(&mut s, 0), 0, "{what}");
        assert_eq!(rd(&mut s, regmap::FAULT_ADDR.at(1)), 0x3000, "{what}");
        assert_eq!(
            rd(&mut s, regmap::INT_STATUS.offset) >> 8 & 0xF,
            0b0010,
            "{what}"
        );
        assert_eq!(snap_addr(&mut s, 1), 0x3000, "{what}");
        assert_eq!(snap_addr(&mut s, 0), 0x1008, "{what}");
        // Repair the map, clear the fault: the pair resumes where it stopped.
        map(&mut s, 3, FRAME_BASE + 3, true);
        wr(&mut s, regmap::INT_STATUS.offset, 0b0010 << 8);
        run_until(&mut s, 400, "32 writes", |s| writes(s).len() == 32);
        run(&mut s, 20);
        for i in 0..32 {
            assert_eq!(
                mem_read(&s, phys(0x2FF8 + i)),
                mem_read(&s, phys(0x1000 + i)),
                "{what}: byte {i}"
            );
        }
    }
}

#[test]
fn source_fault_is_latched_on_channel_0() {
    let mut s = bench();
    wr(&mut s, regmap::MAP.at(1), 0);
    fill(&mut s, 0x0FFC, 4, 0x22);
    start(&mut s, 0x0FFC, 0x2000, 16, UnitWidth::Bits8, false, 0);
    run(&mut s, 300);
    assert_eq!(writes(&s).len(), 4);
    assert_eq!(fault_cause(&mut s, 0), FaultCause::Invalid as u32);
    assert_eq!(fault_cause(&mut s, 1), 0);
    assert_eq!(rd(&mut s, regmap::FAULT_ADDR.at(0)), 0x1000);
}

#[test]
fn device_streams_are_unchanged_without_the_command_bit() {
    // COMMAND.MEM_TO_MEM clear: channel 0 reads to its device as before.
    let mut s = bench();
    fill(&mut s, 0x1000, 16, 0);
    program(
        &mut s,
        &pair_channel(0, 0x1000, 16, UnitWidth::Bits8, false),
    );
    unmask(&mut s, 0);
    wr(&mut s, regmap::REQUEST.offset, 0b100);
    run_until(&mut s, 200, "16 units delivered", |s| {
        s.devices[0].received().len() == 16
    });
    assert!(writes(&s).is_empty());
    assert_eq!(rd(&mut s, regmap::TEMPORARY.offset), 0);
}

#[test]
fn without_the_pair_the_command_bit_does_nothing() {
    // Generated without `memory_to_memory`: the request runs channel 0 as its mode says (a
    // read to its device), and channel 1 stays idle.
    let cfg = Config {
        memory_to_memory: false,
        ..Config::default()
    };
    let mut s = bench_of(&cfg, AxiSlaveConfig::default());
    fill(&mut s, 0x1000, 16, 0);
    start(&mut s, 0x1000, 0x3000, 16, UnitWidth::Bits8, false, 0);
    // Channel 0's block is 65 536 units (`start`): its first units reach its device.
    run_until(&mut s, 300, "16 units delivered", |s| {
        s.devices[0].received().len() >= 16
    });
    run(&mut s, 20);
    assert!(
        s.devices[0].received().len() > 16,
        "the device gets channel 0's block"
    );
    assert!(writes(&s).is_empty(), "no memory-to-memory write");
    assert_eq!(rd(&mut s, regmap::TEMPORARY.offset), 0);
    assert_eq!(snap(&mut s, 1).0, 15, "channel 1 did not move");
}
