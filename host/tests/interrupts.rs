//! Interrupts reach the host (reference model): the irq line, the dispatcher, and completion
//! routines run once per event with the right status, including a fault mid-transfer.
mod common;

use common::v3::*;
use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::{
    Config, DeviceDescription, DmaCompletionStatus, DmaWidth, IoAllocationAction, TransferType,
};

#[test]
fn the_irq_line_is_int_status_and_int_enable() {
    let system = common::default_system();
    assert!(!system.irq().unwrap());
    // A transfer without auto-initialize ends in TC; TC interrupts are off after reset.
    let (adapter, regs) = system.get_dma_adapter(&v3(2, 4096, false)).unwrap();
    let buffer = guarded_buffer(&system, 1);
    let chain = vec![buffer.mdl(0, 4096).unwrap()];
    let base = grant(&adapter, regs);
    let m = adapter
        .map_transfer_ex(&chain, base, 0, 0, 4096, TransferType::Write, None)
        .unwrap();
    system
        .with_devices(|d| d.push_source(2, &[7; 4096]))
        .unwrap();
    system.with_devices(|d| d.idle(10_000)).unwrap();
    assert!(
        !system.irq().unwrap(),
        "TC happened with its interrupt disabled"
    );
    let tc_enable = mapdma_host::regmap::int_enable::TC.put(&system.config(), 1 << 2);
    let offset = mapdma_host::regmap::INT_ENABLE.offset;
    system
        .with_backend(|b| {
            let enable = b.read32(offset)?;
            b.write32(offset, enable | tc_enable)
        })
        .unwrap();
    assert!(
        system.irq().unwrap(),
        "the sticky TC bit raises irq once enabled"
    );
    let model = system.with_reference_model(|m| m.irq()).unwrap();
    assert!(model);
    // Nothing is armed: the dispatcher leaves the line alone.
    assert_eq!(system.dispatch_interrupts().unwrap(), 0);
    assert!(system.irq().unwrap());
    adapter
        .flush_adapter_buffers_ex(&chain, base, 0, m.length, TransferType::Write)
        .unwrap();
    assert!(!system.irq().unwrap(), "the flush cleared the channel's TC");
    adapter
        .free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
}

#[test]
fn a_transfer_completes_once_in_both_directions() {
    let system = common::default_system();
    single_transfer_completes_once(&system, 0, TransferType::Write);
    single_transfer_completes_once(&system, 3, TransferType::Read);
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn a_fault_mid_transfer_completes_with_an_error_and_writes_nothing_outside() {
    let system = common::default_system();
    fault_mid_transfer_completes_with_error(&system, 2, TransferType::Read);
    fault_mid_transfer_completes_with_error(&system, 1, TransferType::Write);
    // The channel works again afterwards (memory → device: the device's source still holds
    // the units the fault stopped).
    single_transfer_completes_once(&system, 1, TransferType::Read);
}

#[test]
fn auto_initialize_completes_every_pass_and_the_flush_aborts() {
    let system = common::default_system();
    let ring = 8192;
    let (adapter, regs) = system.get_dma_adapter(&v3(1, ring as u32, true)).unwrap();
    let buffer = system.allocate_nonpaged(ring).unwrap();
    let chain = vec![
        buffer.mdl(0, 4096).unwrap(),
        buffer.mdl(4096, 4096).unwrap(),
    ];
    let base = grant(&adapter, regs);
    let (log, routine) = recorder();
    adapter
        .map_transfer_ex(&chain, base, 0, 0, ring, TransferType::Write, Some(routine))
        .unwrap();
    system
        .with_devices(|d| d.push_source(1, &pattern(3 * ring + 100, 1)))
        .unwrap();
    run_until(&system, 256, 1000, || {
        system.with_devices(|d| d.source_pending(1)).unwrap() == 0
    });
    system.with_devices(|d| d.idle(1000)).unwrap();
    assert_eq!(statuses(&log), vec![DmaCompletionStatus::Complete; 3]);
    assert_eq!(adapter.read_dma_counter_ex().unwrap().passes, 3);
    adapter
        .flush_adapter_buffers_ex(&chain, base, 0, ring, TransferType::Write)
        .unwrap();
    let mut expected = vec![DmaCompletionStatus::Complete; 3];
    expected.push(DmaCompletionStatus::Aborted);
    assert_eq!(statuses(&log), expected);
    adapter.free_adapter_channel().unwrap();
    adapter.put_dma_adapter().unwrap();
}

#[test]
fn the_dispatcher_runs_on_explicit_calls_when_time_passes_elsewhere() {
    // A driver whose time runs by itself (here: registers cost time) calls the dispatcher.
    let mut model = ReferenceModel::new(Config::default()).unwrap();
    model.set_ticks_per_access(64);
    let system = mapdma_host::DmaSystem::open(Box::new(model)).unwrap();
    let description = DeviceDescription {
        version: 3,
        ..DeviceDescription::system_dma(0, DmaWidth::Width8Bits, 4096)
    };
    let (adapter, regs) = system.get_dma_adapter(&description).unwrap();
    let buffer = system.allocate_nonpaged(4096).unwrap();
    let chain = vec![buffer.mdl(0, 4096).unwrap()];
    system.with_devices(|d| d.grant_sink(0, 4096)).unwrap();
    let base = grant(&adapter, regs);
    let (log, routine) = recorder();
    adapter
        .map_transfer_ex(&chain, base, 0, 0, 4096, TransferType::Read, Some(routine))
        .unwrap();
    let mut calls = 0;
    for _ in 0..10_000 {
        // The driver's own register reads are what lets time pass on this model.
        adapter.read_dma_counter().unwrap();
        calls += system.dispatch_interrupts().unwrap();
        if calls > 0 {
            break;
        }
    }
    assert_eq!(calls, 1);
    assert_eq!(statuses(&log), vec![DmaCompletionStatus::Complete]);
    assert_eq!(system.dispatch_interrupts().unwrap(), 0, "once only");
    adapter
        .flush_adapter_buffers_ex(&chain, base, 0, 4096, TransferType::Read)
        .unwrap();
    adapter
        .free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
}
