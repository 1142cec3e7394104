//! Interrupts reach the host on the Verilator model: the `irq` pin sampled every clock drives
//! the completion routines of `map_transfer_ex`, once per event, with the right status; a
//! fault mid-transfer completes with an error and no DMA write lands outside the mapped pages.

mod common;

use common::v3::*;
use mapdma_host::backend::verilator::{VerilatorBackend, VerilatorOptions};
use mapdma_host::{DmaSystem, TransferType};
use mapdma_regmap::Config;

fn open(opts: VerilatorOptions) -> DmaSystem {
    let backend = VerilatorBackend::with_options(Config::default(), opts).unwrap();
    DmaSystem::open(Box::new(backend)).unwrap()
}

fn verilator<R>(system: &DmaSystem, f: impl FnOnce(&mut VerilatorBackend) -> R) -> R {
    system.with_backend(|b| f(b.as_any_mut().unwrap().downcast_mut().unwrap()))
}

#[test]
fn transfers_complete_once_from_the_irq_pin_in_both_directions() {
    let system = open(VerilatorOptions::default());
    single_transfer_completes_once(&system, 0, TransferType::Write);
    single_transfer_completes_once(&system, 2, TransferType::Read);
    let rises = verilator(&system, |v| v.system().irq.rises().len());
    assert_eq!(rises, 2, "one interrupt per transfer");
    assert!(verilator(&system, |v| v.write_violations()).is_empty());
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn a_fault_mid_transfer_completes_with_an_error_and_writes_nothing_outside() {
    for opts in [
        VerilatorOptions::default(),
        VerilatorOptions {
            memory_latency: 16,
            memory_ready: 0.6,
            seed: 7,
            ..VerilatorOptions::default()
        },
    ] {
        let system = open(opts);
        fault_mid_transfer_completes_with_error(&system, 1, TransferType::Read);
        fault_mid_transfer_completes_with_error(&system, 3, TransferType::Write);
        // The channel works again (memory → device: the device's source still holds the
        // units the fault stopped).
        single_transfer_completes_once(&system, 3, TransferType::Read);
        single_transfer_completes_once(&system, 0, TransferType::Write);
        assert!(verilator(&system, |v| v.write_violations()).is_empty());
    }
}

#[test]
fn cancel_mapped_transfer_stops_a_running_ring() {
    let system = open(VerilatorOptions {
        memory_latency: 8,
        ..VerilatorOptions::default()
    });
    cancel_mapped_transfer_stops_the_ring(&system, 2);
    assert!(verilator(&system, |v| v.write_violations()).is_empty());
    assert_eq!(system.map_registers_in_use(), 0);
}
