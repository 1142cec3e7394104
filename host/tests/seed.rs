//! The seed scenario on the reference model, both directions, every width.
mod common;

use mapdma_host::scenario::{run_seed, SeedParams};
use mapdma_host::{DmaError, DmaWidth, TransferType};
use mapdma_regmap::Config;

#[test]
fn seed_scenario_both_directions_every_width_wraps_at_least_four_times() {
    let system = common::default_system();
    for (channel, width) in [
        (0, DmaWidth::Width8Bits),
        (1, DmaWidth::Width16Bits),
        (3, DmaWidth::Width32Bits),
    ] {
        for transfer in [TransferType::Write, TransferType::Read] {
            let p = SeedParams::new(channel, width, transfer);
            let r = run_seed(&system, &p).unwrap();
            assert_eq!(r.bytes_checked, p.total_bytes as u64);
            assert!(r.wraps >= 4, "{r:?}");
        }
    }
    // Everything was given back.
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn seed_scenario_with_a_slow_device_and_on_the_small_configuration() {
    let p = SeedParams {
        device_period: 3,
        poll_interval: 500,
        total_bytes: 8192 * 5,
        ..SeedParams::new(0, DmaWidth::Width8Bits, TransferType::Read)
    };
    let r = run_seed(&common::system(Config::small()), &p).unwrap();
    assert_eq!(r.wraps, 5);
    let w = SeedParams {
        transfer: TransferType::Write,
        ..p
    };
    run_seed(&common::system(Config::small()), &w).unwrap();
}

#[test]
fn a_driver_that_polls_too_rarely_is_caught() {
    let system = common::default_system();
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

#[test]
fn seed_scenario_with_version_3_calls_counts_every_pass_in_its_completion_routine() {
    use mapdma_host::scenario::v3::run_seed_v3;
    use mapdma_host::DmaCompletionStatus;
    let system = common::default_system();
    for (channel, width) in [(0, DmaWidth::Width8Bits), (3, DmaWidth::Width32Bits)] {
        for transfer in [TransferType::Write, TransferType::Read] {
            let p = SeedParams::new(channel, width, transfer);
            let r = run_seed_v3(&system, &p).unwrap();
            assert_eq!(r.report.bytes_checked, p.total_bytes as u64);
            assert!(r.report.wraps >= 4, "{r:?}");
            assert_eq!(
                r.completed_passes, r.report.wraps,
                "one completion per pass ({transfer:?}, {width:?})"
            );
            assert_eq!(r.final_status, Some(DmaCompletionStatus::Aborted));
        }
    }
    assert_eq!(system.map_registers_in_use(), 0);
}
