//! The `moved` pulse in the rust-hdl simulator: one clock per committed unit, in either
//! direction, and enough for a memory → device sink to take exactly the units it wants while
//! memory stalls (DACK alone cannot say how many units are still owed: DESIGN §3).

mod common;

use common::{Bench, MemConfig};
use mapdma_hdl::regmap::{self, Config, ServiceMode, TransferType, UnitWidth};

const FRAME: u32 = 0x80;

fn bench(latency: u64, stall: f64, seed: u64) -> Bench {
    let mem = MemConfig {
        latency,
        stall,
        ..Default::default()
    };
    let mut b = Bench::with_memory(Config::default(), mem, seed);
    b.map(0, FRAME, true);
    b
}

fn program(b: &mut Bench, t: TransferType, service: ServiceMode, units: u16) {
    let mode = regmap::mode_byte(0, t, false, false, service);
    b.program(0, 0x0000, units - 1, 0, UnitWidth::Bits8, mode);
}

#[test]
fn moved_pulses_once_per_unit_with_the_write_handshake_and_before_read_data() {
    // Writes: the pulse is the clock the device's unit is taken.
    let mut b = bench(3, 0.3, 5);
    program(&mut b, TransferType::Write, ServiceMode::Demand, 40);
    b.devices[0].source = (0..40).collect();
    b.devices[0].dreq = true;
    b.unmask(0);
    b.run_until(3000, |b| b.devices[0].taken_at.len() == 40);
    b.run(50);
    assert_eq!(b.devices[0].moved_at, b.devices[0].taken_at);

    // Reads: one pulse per unit delivered, each before its data.
    let mut b = bench(16, 0.5, 6);
    program(&mut b, TransferType::Read, ServiceMode::Block, 40);
    b.devices[0].dreq = true;
    b.devices[0].sink_every = 3;
    b.unmask(0);
    b.run_until(5000, |b| b.devices[0].sink.len() == 40);
    b.run(50);
    assert_eq!(b.devices[0].moved_at.len(), 40);
    let reads = b.access_cycles(true);
    assert_eq!(reads.len(), 40);
    for (m, r) in b.devices[0].moved_at.iter().zip(&reads) {
        assert!(m < r, "unit moved at {m}, its read accepted at {r}");
    }

    // Verify: units move without data.
    let mut b = bench(1, 0.0, 7);
    program(&mut b, TransferType::Verify, ServiceMode::Block, 9);
    b.write(regmap::REQUEST.offset, 0b100);
    b.unmask(0);
    b.run(40);
    assert_eq!(b.devices[0].moved_at.len(), 9);
}

/// A sink that wants `budget` units counts `moved` and a unit held in the issue stage (DACK
/// without `moved`), and drops DREQ when they reach its budget.
fn sink_with_budget(service: ServiceMode, budget: usize, latency: u64, stall: f64, seed: u64) {
    let mut b = bench(latency, stall, seed);
    program(&mut b, TransferType::Read, service, 1000);
    b.devices[0].sink_every = 2;
    b.unmask(0);
    for _ in 0..4000 {
        let d = &b.devices[0];
        // DACK is active low after reset.
        let held = !d.dack_pin && !d.moved;
        b.devices[0].dreq = d.moved_at.len() + usize::from(held) < budget;
        b.step();
    }
    let got = b.devices[0].sink.len();
    assert_eq!(
        (got, b.devices[0].moved_at.len()),
        (budget, budget),
        "{service:?} latency {latency} stall {stall}: the sink wanted {budget} units"
    );
    assert_eq!(
        b.snap(0).0 as usize,
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
