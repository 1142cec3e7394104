//! The seed scenario on the Verilator model: both directions, every width, several wraps, every
//! byte checked, with the AXI protocol checkers watching both buses.

use mapdma_host::backend::verilator::{VerilatorBackend, VerilatorOptions};
use mapdma_host::scenario::{run_seed, SeedParams};
use mapdma_host::{DmaError, DmaSystem, DmaWidth, TransferType};
use mapdma_regmap::Config;

fn open(cfg: Config, opts: VerilatorOptions) -> DmaSystem {
    DmaSystem::open(Box::new(VerilatorBackend::with_options(cfg, opts).unwrap())).unwrap()
}

fn verilator<R>(system: &DmaSystem, f: impl FnOnce(&mut VerilatorBackend) -> R) -> R {
    system.with_backend(|b| {
        let any = b
            .as_any_mut()
            .expect("the Verilator backend exposes itself");
        f(any.downcast_mut().expect("a Verilator backend"))
    })
}

#[test]
fn seed_scenario_both_directions_every_width_wraps_at_least_four_times() {
    let system = open(Config::default(), VerilatorOptions::default());
    for (channel, width) in [
        (0, DmaWidth::Width8Bits),
        (1, DmaWidth::Width16Bits),
        (3, DmaWidth::Width32Bits),
    ] {
        for transfer in [TransferType::Write, TransferType::Read] {
            let p = SeedParams::new(channel, width, transfer);
            verilator(&system, |v| v.clear_activity());
            let r = run_seed(&system, &p).unwrap();
            assert_eq!(r.bytes_checked, p.total_bytes as u64);
            assert!(r.wraps >= 4, "{r:?}");
            let unit = width.unit().unwrap().bytes() as u64;
            let a = verilator(&system, |v| v.activity(channel as usize)).unwrap();
            assert_eq!(
                a.units,
                p.total_bytes as u64 / unit,
                "the controller moved exactly the stream ({transfer:?}, {width:?})"
            );
            assert!(
                a.units_per_clock() > 0.8,
                "{transfer:?} {width:?}: {} units per clock",
                a.units_per_clock()
            );
        }
    }
    assert_eq!(system.map_registers_in_use(), 0);
    let (axi, axil) = verilator(&system, |v| v.checked_handshakes());
    assert!(axi > 100_000 && axil > 1_000, "checkers saw {axi} / {axil}");
    assert!(verilator(&system, |v| v.write_violations()).is_empty());
    let samples = verilator(&system, |v| v.counter_samples());
    assert!(samples.len() > 100, "the driver polled the counter");
}

#[test]
fn seed_scenario_with_slow_memory_backpressure_a_slow_device_and_the_small_model() {
    let opts = VerilatorOptions {
        memory_latency: 16,
        memory_ready: 0.6,
        register_delay: 2,
        seed: 7,
        ..Default::default()
    };
    for transfer in [TransferType::Read, TransferType::Write] {
        let p = SeedParams {
            device_period: 3,
            poll_interval: 500,
            total_bytes: 8192 * 5,
            ..SeedParams::new(0, DmaWidth::Width8Bits, transfer)
        };
        let system = open(Config::small(), opts.clone());
        let r = run_seed(&system, &p).unwrap();
        assert_eq!(r.wraps, 5, "{r:?}");
        assert_eq!(r.bytes_checked, p.total_bytes as u64);
    }
}

#[test]
fn a_driver_that_polls_too_rarely_is_caught() {
    let system = open(Config::default(), VerilatorOptions::default());
    for transfer in [TransferType::Write, TransferType::Read] {
        let p = SeedParams {
            poll_interval: 20_000,
            ..SeedParams::new(2, DmaWidth::Width8Bits, transfer)
        };
        match run_seed(&system, &p) {
            Err(DmaError::Hardware(m)) => assert!(m.contains("run"), "{m}"),
            other => panic!("expected an overrun/underrun, got {other:?}"),
        }
    }
}

/// The driver follows the WDK literally: it drains (device → memory) or refills (memory →
/// device) right up to the position `read_dma_counter` reports, with no safety margin, while the
/// memory takes 64 clocks to answer and stalls 80 % of the clocks on every channel, so many
/// units counted by the controller are still on the bus at every poll (the device asks for a
/// unit every third clock, so some twenty are in flight). Every byte is checked.
#[test]
fn wdk_literal_ring_driver_at_latency_64_with_80_percent_memory_stalls() {
    for (transfer, seed) in [
        (TransferType::Write, 11),
        (TransferType::Read, 11),
        (TransferType::Write, 12),
        (TransferType::Read, 12),
        (TransferType::Read, 13),
    ] {
        let opts = VerilatorOptions {
            memory_latency: 64,
            memory_ready: 0.2,
            seed,
            ..Default::default()
        };
        let p = SeedParams {
            ring_bytes: 1024,
            total_bytes: 1024 * 6,
            poll_interval: 16,
            device_period: 3,
            ..SeedParams::new(1, DmaWidth::Width32Bits, transfer)
        };
        let system = open(Config::default(), opts.clone());
        let r = run_seed(&system, &p).unwrap_or_else(|e| panic!("{transfer:?}: {e}"));
        assert_eq!(r.bytes_checked, p.total_bytes as u64, "{transfer:?}");
        assert!(r.wraps >= 5, "{transfer:?}: {r:?}");
        let samples = verilator(&system, |v| v.counter_samples());
        assert!(
            samples.len() > 20,
            "{transfer:?}: the driver polled the counter"
        );
    }
}

#[test]
fn seed_scenario_with_version_3_calls_counts_every_pass_from_the_irq_pin() {
    use mapdma_host::scenario::v3::run_seed_v3;
    use mapdma_host::DmaCompletionStatus;
    let system = open(Config::default(), VerilatorOptions::default());
    for transfer in [TransferType::Write, TransferType::Read] {
        let p = SeedParams::new(1, DmaWidth::Width16Bits, transfer);
        let rises_before = verilator(&system, |v| v.system().irq.rises().len());
        let r = run_seed_v3(&system, &p).unwrap();
        assert_eq!(r.report.bytes_checked, p.total_bytes as u64);
        assert!(r.report.wraps >= 4, "{r:?}");
        assert_eq!(r.completed_passes, r.report.wraps, "{transfer:?}");
        assert_eq!(r.final_status, Some(DmaCompletionStatus::Aborted));
        let rises = verilator(&system, |v| v.system().irq.rises().len()) - rises_before;
        assert_eq!(rises as u64, r.completed_passes, "one interrupt per pass");
    }
    assert!(verilator(&system, |v| v.write_violations()).is_empty());
    assert_eq!(system.map_registers_in_use(), 0);
}
