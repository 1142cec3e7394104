//! Packet-based system DMA: a scattered buffer larger than the map registers cover, moved by
//! repeated map_transfer / flush_adapter_buffers with CurrentVa advancing.
mod common;

use common::packet::{allocate, run as run_on};
use mapdma_host::{DeviceDescription, DeviceObject, DmaWidth, TransferType};

fn run(width: DmaWidth, transfer: TransferType) {
    run_on(&common::default_system(), width, transfer);
}

#[test]
fn packet_dma_device_to_memory_8_bit() {
    run(DmaWidth::Width8Bits, TransferType::Write);
}

#[test]
fn packet_dma_memory_to_device_8_bit() {
    run(DmaWidth::Width8Bits, TransferType::Read);
}

#[test]
fn packet_dma_both_directions_32_bit() {
    run(DmaWidth::Width32Bits, TransferType::Write);
    run(DmaWidth::Width32Bits, TransferType::Read);
}

#[test]
fn map_registers_are_invalid_after_each_flush() {
    let system = common::default_system();
    let (adapter, regs) = system
        .get_dma_adapter(&DeviceDescription::system_dma(
            0,
            DmaWidth::Width8Bits,
            4096,
        ))
        .unwrap();
    let buffer = system.allocate_nonpaged(4096).unwrap();
    let mdl = buffer.mdl(0, 4096).unwrap();
    let base = allocate(&adapter, &DeviceObject::new(), regs);
    let (logical, n) = adapter
        .map_transfer(&mdl, base, 0, 4096, TransferType::Read)
        .unwrap();
    let index = (logical >> 12) as usize;
    let cfg = system.config();
    let entry = common::map_entry(&system, index);
    assert_eq!(mapdma_regmap::map::VALID.get(&cfg, entry), 1);
    assert_eq!(
        mapdma_regmap::map::WRITABLE.get(&cfg, entry),
        0,
        "a read transfer's pages are read-only for the device"
    );
    assert_eq!(
        mapdma_regmap::map::FRAME.get(&cfg, entry) as u64,
        buffer.pages()[0] >> 12
    );
    adapter
        .flush_adapter_buffers(&mdl, base, 0, n, TransferType::Read)
        .unwrap();
    assert_eq!(common::map_entry(&system, index), 0);
    adapter.free_adapter_channel().unwrap();
}
