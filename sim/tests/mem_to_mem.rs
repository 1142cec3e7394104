//! Memory-to-memory transfers in co-simulation (hdl/DESIGN.md §3a), checkers always on:
//! random copies under random memory backpressure with guard bytes, channel 0 address hold,
//! channel 1 auto-initialize, destination faults (unmapped, read-only) with nothing written
//! outside, the temporary register, and the stream's throughput.
//!
//! These run on the Verilator model; one test runs the same copies on rust-hdl's own
//! evaluation of the block too and compares the two clock for clock (the record's clock count
//! and values).

mod common;

use common::Sys;
use mapdma_regmap as rm;
use mapdma_regmap::{Config, FaultCause, UnitWidth};
use mapdma_sim::m2m_scenario::{
    m2m_phys, map_pairs, mem_to_mem_config, mem_to_mem_copies, mem_to_mem_efficiency,
    start_mem_to_mem, M2mCopy,
};
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::SystemConfig;

fn engine(cfg: &Config, sys: SystemConfig) -> Sys {
    system(EngineKind::Verilator, cfg, sys).expect("system")
}

#[test]
fn random_copies_under_backpressure_land_exactly_in_their_destination() {
    let cfg = Config::default();
    for (seed, latency, ready) in [(1, 1, 1.0), (2, 7, 0.6), (3, 16, 0.8)] {
        let mut s = engine(&cfg, mem_to_mem_config(seed, latency, ready, false));
        let r = mem_to_mem_copies(&mut s, seed, 3).expect("copies");
        assert_eq!(r.copies, 3);
        assert!(r.units > 0);
        assert_eq!(r.temporary, r.last_unit);
        assert!(s.checked_handshakes().0 > 2 * r.units);
    }
}

#[test]
fn both_engines_copy_the_same_blocks_in_the_same_clocks() {
    let cfg = Config::default();
    let run = |kind| {
        let mut s = system(kind, &cfg, mem_to_mem_config(9, 5, 0.7, false)).expect("system");
        mem_to_mem_copies(&mut s, 9, 2).expect("copies")
    };
    assert_eq!(run(EngineKind::Verilator), run(EngineKind::RustHdl));
}

fn fill(s: &mut Sys, cfg: &Config, logical: u32, len: u32) {
    for k in 0..len {
        let v = (k.wrapping_mul(29) ^ 0xA5) as u8;
        s.memory.memory.write(m2m_phys(cfg, logical + k), &[v]);
    }
}

#[test]
fn address_hold_fills_the_destination_with_one_unit() {
    let cfg = Config::default();
    let mut s = engine(&cfg, mem_to_mem_config(4, 3, 0.7, false));
    map_pairs(&mut s, 0..4).unwrap();
    fill(&mut s, &cfg, 0x10, 4);
    let dst = 0x2000;
    let a = m2m_phys(&cfg, dst);
    s.memory.permissions.allow(a..a + 4 * 50);
    let c = M2mCopy {
        src: 0x10,
        dst,
        units: 50,
        width: UnitWidth::Bits32,
        autoinit: false,
        hold: true,
        dreq: false,
    };
    start_mem_to_mem(&mut s, &c).unwrap();
    s.run(1500).unwrap();
    let want = s.memory.memory.read_u32(m2m_phys(&cfg, 0x10));
    for k in 0..50 {
        assert_eq!(s.memory.memory.read_u32(a + 4 * k), want, "unit {k}");
    }
    assert!(s.memory.permissions.violations().is_empty());
    assert_eq!(s.axil_read(rm::TEMPORARY.offset).unwrap(), want);
    let snap = s.snapshot(0).unwrap();
    assert_eq!(snap.addr, 0x10, "channel 0's address held");
    assert_eq!(s.snapshot(1).unwrap().count, 0xFFFF);
}

#[test]
fn channel_1_auto_initialize_streams_blocks_at_full_speed() {
    let cfg = Config::default();
    for latency in [1, 16] {
        let mut s = engine(&cfg, mem_to_mem_config(5, latency, 1.0, true));
        let e = mem_to_mem_efficiency(&mut s, 4096, 4).unwrap();
        let upc = e.units_per_clock();
        let floor = if latency == 1 { 0.95 } else { 0.90 };
        assert!(upc >= floor, "latency {latency}: {upc} units per clock");
        assert_eq!(e.wrap_idle.len(), 3);
        // Both channels rewound at each block: four passes on channel 1.
        s.run(200).unwrap();
        assert!(s.snapshot(1).unwrap().passes >= 4);
    }
}

#[test]
fn destination_faults_write_nothing_outside_and_halt_the_pair_on_channel_1() {
    let cfg = Config::default();
    for (what, writable, valid, cause) in [
        ("unmapped", false, false, FaultCause::Invalid),
        ("read-only", false, true, FaultCause::ReadOnly),
    ] {
        let mut s = engine(&cfg, mem_to_mem_config(6, 4, 0.7, false));
        map_pairs(&mut s, 0..3).unwrap();
        // Page 3 (the destination's second page) unmapped or read-only.
        let entry = rm::map::VALID.put(&cfg, valid as u32)
            | rm::map::WRITABLE.put(&cfg, writable as u32)
            | rm::map::FRAME.put(&cfg, 0x3F0);
        s.axil_write(rm::MAP.at(3), entry).unwrap();
        fill(&mut s, &cfg, 0x0F00, 0x200);
        let dst = 0x2F80;
        let a = m2m_phys(&cfg, dst);
        s.memory.permissions.allow(a..a + 0x80);
        let c = M2mCopy {
            src: 0x0F00,
            dst,
            units: 0x100,
            width: UnitWidth::Bits8,
            autoinit: false,
            hold: false,
            dreq: false,
        };
        start_mem_to_mem(&mut s, &c).unwrap();
        s.run(1500).unwrap();
        assert!(s.memory.permissions.violations().is_empty(), "{what}");
        for k in 0..0x80 {
            let mut want = [0u8];
            s.memory.memory.read(m2m_phys(&cfg, 0x0F00 + k), &mut want);
            let mut got = [0u8];
            s.memory.memory.read(a + k as u64, &mut got);
            assert_eq!(got, want, "{what}: byte {k}");
        }
        let causes = s.axil_read(rm::FAULT_CAUSE.offset).unwrap();
        assert_eq!(causes >> rm::FAULT_CAUSE_BITS & 0xF, cause as u32, "{what}");
        assert_eq!(causes & 0xF, 0, "{what}: channel 0 did not fault");
        assert_eq!(s.axil_read(rm::FAULT_ADDR.at(1)).unwrap(), 0x3000, "{what}");
        assert!(s.irq.level(), "{what}: fault interrupt");
        let snap = s.snapshot(1).unwrap();
        assert_eq!((snap.addr, snap.count), (0x3000, 0x7F), "{what}: precise");
        assert_eq!(s.snapshot(0).unwrap().addr, 0x0F80, "{what}");
    }
}
