//! Packet-based system DMA on the Verilator model: a scattered buffer larger than the map
//! registers cover, moved by repeated map_transfer / flush_adapter_buffers with CurrentVa
//! advancing, guard bytes at both ends, both directions.

mod common;

use mapdma_host::backend::verilator::{VerilatorBackend, VerilatorOptions};
use mapdma_host::{DmaSystem, DmaWidth, TransferType};
use mapdma_regmap::Config;

fn open(opts: VerilatorOptions) -> DmaSystem {
    let backend = VerilatorBackend::with_options(Config::default(), opts).unwrap();
    DmaSystem::open(Box::new(backend)).unwrap()
}

fn verilator<R>(system: &DmaSystem, f: impl FnOnce(&mut VerilatorBackend) -> R) -> R {
    system.with_backend(|b| f(b.as_any_mut().unwrap().downcast_mut().unwrap()))
}

fn run(opts: VerilatorOptions, width: DmaWidth, transfer: TransferType) {
    let system = open(opts);
    common::packet::run(&system, width, transfer);
    assert!(verilator(&system, |v| v.write_violations()).is_empty());
    assert!(verilator(&system, |v| v.checked_handshakes()).0 > 0);
}

#[test]
fn packet_dma_device_to_memory_8_bit() {
    run(
        VerilatorOptions::default(),
        DmaWidth::Width8Bits,
        TransferType::Write,
    );
}

#[test]
fn packet_dma_memory_to_device_8_bit() {
    run(
        VerilatorOptions::default(),
        DmaWidth::Width8Bits,
        TransferType::Read,
    );
}

#[test]
fn packet_dma_both_directions_32_bit_with_slow_memory_and_backpressure() {
    let opts = VerilatorOptions {
        memory_latency: 12,
        memory_ready: 0.5,
        register_delay: 3,
        seed: 11,
        ..Default::default()
    };
    run(opts.clone(), DmaWidth::Width32Bits, TransferType::Write);
    run(opts, DmaWidth::Width32Bits, TransferType::Read);
}
