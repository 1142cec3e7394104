//! Memory-to-memory transfers in the rust-hdl simulator (DESIGN §3a): channel 0 is the source,
//! channel 1 the destination and length. Logical page i is mapped to frame FRAME_BASE + i.

mod common;

use common::{Bench, MemConfig};
use mapdma_hdl::regmap::{self, Config, FaultCause, ServiceMode, TransferType, UnitWidth};

const FRAME_BASE: u32 = 0x80;

fn phys(logical: u32) -> u32 {
    ((FRAME_BASE + (logical >> 12)) << 12) | (logical & 0xFFF)
}

fn bench_with(mem: MemConfig, seed: u64) -> Bench {
    bench_of(Config::default(), mem, seed)
}

fn bench_of(cfg: Config, mem: MemConfig, seed: u64) -> Bench {
    let mut b = Bench::with_memory(cfg, mem, seed);
    for i in 0..cfg.map_registers {
        b.map(i, FRAME_BASE + i as u32, true);
    }
    b
}

fn mode(ch: usize, auto: bool, dec: bool) -> u8 {
    regmap::mode_byte(ch, TransferType::Read, auto, dec, ServiceMode::Block)
}

/// Source at logical `src`, destination at `dst`, `units` units of `width`; the command
/// (MEM_TO_MEM plus `extra` bits), then the software request on channel 0.
fn start(b: &mut Bench, src: u16, dst: u16, units: u16, width: UnitWidth, auto1: bool, extra: u32) {
    b.program(0, src, 0xFFFF, 0, UnitWidth::Bits8, mode(0, false, false));
    b.program(1, dst, units - 1, 0, width, mode(1, auto1, false));
    b.write(regmap::COMMAND.offset, 1 | extra);
    b.unmask(1);
    b.unmask(0);
    b.write(regmap::REQUEST.offset, 0b100);
}

fn fill(b: &mut Bench, logical: u32, len: u32, seed: u32) {
    for i in 0..len {
        b.mem
            .insert(phys(logical + i), (i.wrapping_mul(7) ^ seed) as u8);
    }
}

fn fault_cause(b: &mut Bench, ch: usize) -> u32 {
    (b.read(regmap::FAULT_CAUSE.offset) >> (regmap::FAULT_CAUSE_BITS * ch as u32)) & 0xF
}

#[test]
fn block_copy_of_bytes_streams_one_unit_per_clock_and_ends_at_channel_1s_count() {
    let mut b = bench_with(MemConfig::default(), 1);
    fill(&mut b, 0x1000, 0x80, 0x5A);
    // Guard bytes around the destination.
    fill(&mut b, 0x3000 - 4, 4, 0xEE);
    fill(&mut b, 0x3040, 4, 0xEE);
    let guards: Vec<(u32, u8)> = (0x3000 - 4..0x3000)
        .chain(0x3040..0x3044)
        .map(|a| (a, b.mem_read(phys(a))))
        .collect();
    start(&mut b, 0x1000, 0x3000, 64, UnitWidth::Bits8, false, 0);
    b.run_until(400, |b| b.writes().len() == 64);
    b.run(20);
    for i in 0..64 {
        assert_eq!(
            b.mem_read(phys(0x3000 + i)),
            b.mem_read(phys(0x1000 + i)),
            "byte {i}"
        );
    }
    for (a, v) in guards {
        assert_eq!(b.mem_read(phys(a)), v, "guard {a:#x}");
    }
    assert_eq!(b.writes().len(), 64, "nothing past the block");
    assert_eq!(b.reads().len(), 64);
    // Pipelined: 64 reads on consecutive clocks.
    let r = b.access_cycles(true);
    assert_eq!(r[63] - r[0], 63, "reads at {r:?}");
    // TC on both channels, channel 1 (no auto-init) masks itself, channel 0 too.
    assert_eq!(b.read(regmap::STATUS.offset) & 0xF, 0b0011);
    assert_eq!(b.read(regmap::INT_STATUS.offset) & 0xF, 0b0011);
    assert_eq!(b.read(regmap::ALL_MASK.offset) & 3, 3);
    assert_eq!(b.snap(1), (0xFFFF, 1));
    assert_eq!(b.read(regmap::SNAP_ADDR.at(1)), 0x3040);
    // Channel 0's count counted the units too.
    assert_eq!(b.snap(0).0, 0xFFFF - 64);
    assert_eq!(b.read(regmap::SNAP_ADDR.at(0)), 0x1040);
    assert_eq!(
        b.read(regmap::TEMPORARY.offset),
        b.mem_read(phys(0x1000 + 63)) as u32
    );
    assert_eq!(b.devices[1].eop_out_pulses.len(), 1);
    // Every unit of the pair shows on channel 0's `moved`, none on channel 1's.
    assert_eq!(b.devices[0].moved_at.len(), 64);
    assert!(b.devices[1].moved_at.is_empty());
}

#[test]
fn address_hold_fills_the_block_with_one_unit_of_sixteen_bits() {
    let mut b = bench_with(MemConfig::default(), 2);
    b.mem.insert(phys(0x1002), 0x34);
    b.mem.insert(phys(0x1003), 0x12);
    start(&mut b, 0x1002, 0x2000, 16, UnitWidth::Bits16, false, 2);
    b.run_until(300, |b| b.writes().len() == 16);
    b.run(20);
    for i in 0..16 {
        assert_eq!(b.mem_read(phys(0x2000 + 2 * i)), 0x34);
        assert_eq!(b.mem_read(phys(0x2001 + 2 * i)), 0x12);
    }
    assert_eq!(b.mem_read(phys(0x2020)), 0);
    assert!(b
        .reads()
        .iter()
        .all(|&a| a == phys(0x1000) || a == phys(0x1002)));
    b.snap(0);
    assert_eq!(b.read(regmap::SNAP_ADDR.at(0)), 0x1002, "address held");
    assert_eq!(b.read(regmap::TEMPORARY.offset), 0x1234);
}

#[test]
fn channel_1_auto_initialize_rewinds_the_destination_under_backpressure() {
    let mem = MemConfig {
        latency: 16,
        stall: 0.3,
        ..Default::default()
    };
    let mut b = bench_with(mem, 3);
    fill(&mut b, 0x4000, 0x100, 0x33);
    // 32-bit units, 8 per pass: two passes rewind the destination, the source goes on.
    b.program(
        0,
        0x4000,
        0xFFFF,
        0,
        UnitWidth::Bits8,
        mode(0, false, false),
    );
    b.program(1, 0x6000, 7, 0, UnitWidth::Bits32, mode(1, true, false));
    b.write(regmap::COMMAND.offset, 1);
    b.unmask(1);
    b.unmask(0);
    b.write(regmap::REQUEST.offset, 0b100);
    b.run_until(2000, |b| b.writes().len() == 8);
    b.run(200);
    assert_eq!(b.writes().len(), 8, "the software request ends at TC");
    assert_eq!(b.snap(1), (7, 1), "reloaded, one pass");
    assert_eq!(b.read(regmap::SNAP_ADDR.at(1)), 0x6000);
    assert_eq!(
        b.read(regmap::ALL_MASK.offset) & 2,
        0,
        "channel 1 stays unmasked"
    );
    // Channel 0 is not auto-initialize: masked; unmask and request again for pass 2.
    b.unmask(0);
    b.write(regmap::REQUEST.offset, 0b100);
    b.run_until(2000, |b| b.writes().len() == 16);
    b.run(200);
    for i in 0..32 {
        assert_eq!(
            b.mem_read(phys(0x6000 + i)),
            b.mem_read(phys(0x4020 + i)),
            "byte {i}"
        );
    }
    assert_eq!(b.snap(1), (7, 2));
}

#[test]
fn destination_faults_are_precise_and_latched_on_channel_1() {
    for (what, writable, valid, cause) in [
        ("read-only", false, true, FaultCause::ReadOnly),
        ("invalid", true, false, FaultCause::Invalid),
    ] {
        let mut b = bench_with(MemConfig::default(), 4);
        fill(&mut b, 0x1000, 0x40, 0x11);
        // Destination 0x2FF8..: 8 bytes in page 2, then page 3 faults.
        let cfg = b.cfg;
        let v = regmap::map::FRAME.put(&cfg, FRAME_BASE + 3)
            | regmap::map::WRITABLE.put(&cfg, writable as u32)
            | regmap::map::VALID.put(&cfg, valid as u32);
        b.write(regmap::MAP.at(3), v);
        start(&mut b, 0x1000, 0x2FF8, 32, UnitWidth::Bits8, false, 0);
        b.run(300);
        assert_eq!(b.writes().len(), 8, "{what}: units before the fault only");
        assert!(b.writes().iter().all(|w| w.0 < phys(0x3000)), "{what}");
        assert_eq!(b.reads().len(), 8, "{what}: the faulting unit was not read");
        assert_eq!(fault_cause(&mut b, 1), cause as u32, "{what}");
        assert_eq!(fault_cause(&mut b, 0), 0, "{what}");
        assert_eq!(b.read(regmap::FAULT_ADDR.at(1)), 0x3000, "{what}");
        assert_eq!(
            b.read(regmap::INT_STATUS.offset) >> 8 & 0xF,
            0b0010,
            "{what}"
        );
        b.snap(1);
        assert_eq!(b.read(regmap::SNAP_ADDR.at(1)), 0x3000, "{what}");
        b.snap(0);
        assert_eq!(b.read(regmap::SNAP_ADDR.at(0)), 0x1008, "{what}");
        // Repair the map, clear the fault: the pair resumes where it stopped.
        b.map(3, FRAME_BASE + 3, true);
        b.write(regmap::INT_STATUS.offset, 0b0010 << 8);
        b.run_until(400, |b| b.writes().len() == 32);
        b.run(20);
        for i in 0..32 {
            assert_eq!(
                b.mem_read(phys(0x2FF8 + i)),
                b.mem_read(phys(0x1000 + i)),
                "{what}: byte {i}"
            );
        }
    }
}

#[test]
fn source_fault_is_latched_on_channel_0() {
    let mut b = bench_with(MemConfig::default(), 5);
    b.write(regmap::MAP.at(1), 0);
    fill(&mut b, 0x0FFC, 4, 0x22);
    start(&mut b, 0x0FFC, 0x2000, 16, UnitWidth::Bits8, false, 0);
    b.run(300);
    assert_eq!(b.writes().len(), 4);
    assert_eq!(fault_cause(&mut b, 0), FaultCause::Invalid as u32);
    assert_eq!(fault_cause(&mut b, 1), 0);
    assert_eq!(b.read(regmap::FAULT_ADDR.at(0)), 0x1000);
}

#[test]
fn device_streams_are_unchanged_without_the_command_bit() {
    // COMMAND.MEM_TO_MEM clear: channel 0 reads to its device as before.
    let mut b = bench_with(MemConfig::default(), 6);
    fill(&mut b, 0x1000, 16, 0);
    b.program(0, 0x1000, 15, 0, UnitWidth::Bits8, mode(0, false, false));
    b.unmask(0);
    b.write(regmap::REQUEST.offset, 0b100);
    b.run_until(200, |b| b.devices[0].sink.len() == 16);
    assert!(b.writes().is_empty());
    assert_eq!(b.read(regmap::TEMPORARY.offset), 0);
}

#[test]
fn without_the_pair_the_command_bit_does_nothing() {
    // Generated without `memory_to_memory`: the request runs channel 0 as its mode says (a
    // read to its device), and channel 1 stays idle.
    let cfg = Config {
        memory_to_memory: false,
        ..Config::default()
    };
    let mut b = bench_of(cfg, MemConfig::default(), 7);
    fill(&mut b, 0x1000, 16, 0);
    start(&mut b, 0x1000, 0x3000, 16, UnitWidth::Bits8, false, 0);
    // Channel 0's block is 65 536 units (`start`): its first units reach its device.
    b.run_until(300, |b| b.devices[0].sink.len() >= 16);
    b.run(20);
    assert!(
        b.devices[0].sink.len() > 16,
        "the device gets channel 0's block"
    );
    assert!(b.writes().is_empty(), "no memory-to-memory write");
    assert_eq!(b.read(regmap::TEMPORARY.offset), 0);
    assert_eq!(b.snap(1).0, 15, "channel 1 did not move");
}
