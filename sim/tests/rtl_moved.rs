//! The `moved` pulse on the rust-hdl engine: one clock per committed unit, in either direction,
//! and enough for a memory → device sink to take exactly the units it wants while memory stalls
//! (DACK alone cannot say how many units are still owed: DESIGN §3).

mod common;

use common::rtl::*;
use common::Sys;
use mapdma_regmap::{self as regmap, Config, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::device::DeviceConfig;
use mapdma_sim::rate::Rate;

const FRAME: u32 = 0x80;

/// Memory with `latency` and `stall`, `dev` on channel 0, logical page 0 mapped.
fn bench(latency: u32, stall: f64, seed: u64, dev: DeviceConfig) -> Sys {
    let mut s = rtl(
        &Config::default(),
        memory(latency, stall, seed),
        &[(0, dev)],
    );
    map(&mut s, 0, FRAME, true);
    s
}

/// A device taking a delivered unit one clock in `k`.
fn slow_sink(k: u32) -> DeviceConfig {
    DeviceConfig {
        sink: Some(Rate::Every(k)),
        ..hand_device()
    }
}

fn program_units(s: &mut Sys, t: TransferType, service: ServiceMode, units: u32) {
    program(s, &chan(0, 0, units, UnitWidth::Bits8, t, service));
}

#[test]
fn moved_pulses_once_per_unit_with_the_write_handshake_and_before_read_data() {
    // Writes: the pulse is the clock the device's unit is taken.
    let mut s = bench(3, 0.3, 5, hand_source(0, 40));
    program_units(&mut s, TransferType::Write, ServiceMode::Demand, 40);
    s.devices[0].hold_dreq(true);
    unmask(&mut s, 0);
    run_until(&mut s, 3000, "40 units taken", |s| {
        s.devices[0].sent_total() == 40
    });
    run(&mut s, 50);
    assert_eq!(s.devices[0].moved(), taken_at(&s, 0));

    // Reads: one pulse per unit delivered, each before its data.
    let mut s = bench(16, 0.5, 6, slow_sink(3));
    program_units(&mut s, TransferType::Read, ServiceMode::Block, 40);
    s.devices[0].hold_dreq(true);
    unmask(&mut s, 0);
    run_until(&mut s, 5000, "40 units delivered", |s| {
        s.devices[0].received().len() == 40
    });
    run(&mut s, 50);
    assert_eq!(s.devices[0].moved().len(), 40);
    let reads = access_cycles(&s, true);
    assert_eq!(reads.len(), 40);
    for (m, r) in s.devices[0].moved().iter().zip(&reads) {
        assert!(m < r, "unit moved at {m}, its read accepted at {r}");
    }

    // Verify: units move without data.
    let mut s = bench(1, 0.0, 7, hand_device());
    program_units(&mut s, TransferType::Verify, ServiceMode::Block, 9);
    wr(&mut s, regmap::REQUEST.offset, 0b100);
    unmask(&mut s, 0);
    run(&mut s, 40);
    assert_eq!(s.devices[0].moved().len(), 9);
}

/// A sink that wants `budget` units counts `moved` and a unit held in the issue stage (DACK
/// without `moved`), and drops DREQ when they reach its budget.
fn sink_with_budget(service: ServiceMode, budget: usize, latency: u32, stall: f64, seed: u64) {
    let mut s = bench(latency, stall, seed, slow_sink(2));
    program_units(&mut s, TransferType::Read, service, 1000);
    unmask(&mut s, 0);
    for _ in 0..4000 {
        let o = s.dev_out(0);
        // DACK is active low after reset.
        let held = !o.dack && !o.moved;
        let wanted = s.devices[0].moved().len() + usize::from(held) < budget;
        s.devices[0].hold_dreq(wanted);
        step(&mut s);
    }
    let got = s.devices[0].received().len();
    assert_eq!(
        (got, s.devices[0].moved().len()),
        (budget, budget),
        "{service:?} latency {latency} stall {stall}: the sink wanted {budget} units"
    );
    assert_eq!(
        snap(&mut s, 0).0 as usize,
        999 - budget,
        "the count moved by the budget"
    );
}

#[test]
fn a_sink_counting_moved_gets_exactly_its_budget_under_memory_stalls() {
    for (k, (latency, stall)) in [(1, 0.0), (16, 0.0), (3, 0.5), (16, 0.7)]
        .into_iter()
        .enumerate()
    {
        sink_with_budget(ServiceMode::Demand, 37, latency, stall, k as u64);
        sink_with_budget(ServiceMode::Single, 11, latency, stall, k as u64 + 10);
    }
}
