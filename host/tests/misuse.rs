//! Misuse of the adapter routines: each a clear `Err`, never a panic or a silent transfer.
mod common;

use std::sync::{Arc, Mutex};

use mapdma_host::description::DescriptionError;
use mapdma_host::{
    AllocationStatus, DeviceDescription, DeviceObject, DmaAdapter, DmaError, DmaSystem, DmaWidth,
    IoAllocationAction, MapRegisterBase, MappedTransfer, Mdl, TransferType,
};
use mapdma_regmap::{Config, FaultCause};

fn adapter(system: &DmaSystem, channel: u32, width: DmaWidth) -> (DmaAdapter, u32) {
    system
        .get_dma_adapter(&DeviceDescription::system_dma(channel, width, 16384))
        .unwrap()
}

fn grab(
    a: &DmaAdapter,
    device: &DeviceObject,
    n: u32,
    action: IoAllocationAction,
) -> (AllocationStatus, Option<MapRegisterBase>) {
    let slot = Arc::new(Mutex::new(None));
    let s = slot.clone();
    let status = a
        .allocate_adapter_channel(device, n, move |_, base| {
            *s.lock().unwrap() = Some(base);
            action
        })
        .unwrap();
    let base = *slot.lock().unwrap();
    (status, base)
}

fn keep(a: &DmaAdapter, device: &DeviceObject, n: u32) -> MapRegisterBase {
    grab(a, device, n, IoAllocationAction::KeepObject)
        .1
        .unwrap()
}

fn one_page(system: &DmaSystem) -> (mapdma_host::PageBuffer, Mdl) {
    let b = system.allocate_nonpaged(8192).unwrap();
    let m = b.mdl(0, 8192).unwrap();
    (b, m)
}

#[test]
fn double_free_of_channel_and_map_registers() {
    let system = common::default_system();
    let (a, _) = adapter(&system, 0, DmaWidth::Width8Bits);
    keep(&a, &DeviceObject::new(), 2);
    a.free_adapter_channel().unwrap();
    assert_eq!(a.free_adapter_channel(), Err(DmaError::ChannelNotAllocated));

    let (m, _) = system
        .get_dma_adapter(&DeviceDescription::bus_master(65536, true))
        .unwrap();
    let (_, base) = grab(
        &m,
        &DeviceObject::new(),
        3,
        IoAllocationAction::DeallocateObjectKeepRegisters,
    );
    let base = base.unwrap();
    assert_eq!(
        m.free_map_registers(base, 2),
        Err(DmaError::MapRegisterCountMismatch {
            allocated: 3,
            given: 2
        })
    );
    m.free_map_registers(base, 3).unwrap();
    assert_eq!(
        m.free_map_registers(base, 3),
        Err(DmaError::UnknownMapRegisterBase)
    );
}

#[test]
fn flush_of_an_unmapped_transfer_or_with_other_parameters() {
    let system = common::default_system();
    let (a, _) = adapter(&system, 1, DmaWidth::Width8Bits);
    let (_b, mdl) = one_page(&system);
    let base = keep(&a, &DeviceObject::new(), 2);
    let mapped = MappedTransfer {
        current_va: 0,
        length: 8192,
        transfer: TransferType::Write,
    };
    assert_eq!(
        a.flush_adapter_buffers(&mdl, base, 0, 8192, TransferType::Write),
        Err(DmaError::NotMapped {
            wanted: mapped,
            mapped: vec![]
        })
    );
    a.map_transfer(&mdl, base, 0, 8192, TransferType::Write)
        .unwrap();
    // Other CurrentVa, length or direction than map_transfer's: not that transfer, and the
    // error says what is mapped.
    for (current_va, length, transfer) in [
        (4, 8188, TransferType::Write),
        (0, 4096, TransferType::Write),
        (0, 8192, TransferType::Read),
    ] {
        let e = a
            .flush_adapter_buffers(&mdl, base, current_va, length, transfer)
            .unwrap_err();
        let wanted = MappedTransfer {
            current_va,
            length,
            transfer,
        };
        assert_eq!(
            e,
            DmaError::NotMapped {
                wanted,
                mapped: vec![mapped]
            }
        );
        assert!(
            e.to_string()
                .contains("mapped: CurrentVa 0, length 8192, Write"),
            "{e}"
        );
    }
    a.flush_adapter_buffers(&mdl, base, 0, 8192, TransferType::Write)
        .unwrap();
    // After the flush the counter says that nothing is mapped, not where.
    let e = a.read_dma_counter().unwrap_err();
    assert_eq!(e, DmaError::NothingMapped { channel: 1 });
    assert!(e.to_string().contains("after flush_adapter_buffers"), "{e}");
    a.free_adapter_channel().unwrap();
}

#[test]
fn free_while_mapped_and_second_map_before_flush() {
    let system = common::default_system();
    let (a, _) = adapter(&system, 0, DmaWidth::Width8Bits);
    let (_b, mdl) = one_page(&system);
    let base = keep(&a, &DeviceObject::new(), 2);
    a.map_transfer(&mdl, base, 0, 4096, TransferType::Read)
        .unwrap();
    assert_eq!(
        a.map_transfer(&mdl, base, 4096, 4096, TransferType::Read),
        Err(DmaError::AlreadyMapped)
    );
    assert_eq!(
        a.free_adapter_channel(),
        Err(DmaError::StillMapped { transfers: 1 })
    );
    assert_eq!(
        a.free_map_registers(base, 2),
        Err(DmaError::RegistersHeldByChannel)
    );
    a.flush_adapter_buffers(&mdl, base, 0, 4096, TransferType::Read)
        .unwrap();
    a.free_adapter_channel().unwrap();

    // A bus master's kept registers cannot be freed while mapped either.
    let (m, _) = system
        .get_dma_adapter(&DeviceDescription::bus_master(8192, true))
        .unwrap();
    let mdl_slot = Arc::new(Mutex::new(None));
    let (s, md) = (mdl_slot.clone(), mdl.clone());
    m.allocate_adapter_channel(&DeviceObject::new(), 2, move |a, base| {
        *s.lock().unwrap() = Some((
            base,
            a.map_transfer(&md, base, 0, 8192, TransferType::Write),
        ));
        IoAllocationAction::DeallocateObjectKeepRegisters
    })
    .unwrap();
    let (base, mapped) = mdl_slot.lock().unwrap().take().unwrap();
    let (_, n) = mapped.unwrap();
    assert_eq!(
        m.free_map_registers(base, 2),
        Err(DmaError::StillMapped { transfers: 1 })
    );
    m.flush_adapter_buffers(&mdl, base, 0, n, TransferType::Write)
        .unwrap();
    m.free_map_registers(base, 2).unwrap();
}

#[test]
fn a_second_pending_request_on_one_device_is_refused() {
    let system = common::default_system();
    let (a, _) = adapter(&system, 0, DmaWidth::Width8Bits);
    let (b, _) = adapter(&system, 0, DmaWidth::Width8Bits);
    let holder = DeviceObject::new();
    keep(&a, &holder, 1);
    // The holder asking again would wait for itself.
    assert!(matches!(
        a.allocate_adapter_channel(&holder, 1, |_, _| IoAllocationAction::KeepObject),
        Err(DmaError::RequestPending { .. })
    ));
    // Another device on the same channel (another adapter) queues...
    let waiter = DeviceObject::new();
    let (status, _) = grab(&b, &waiter, 1, IoAllocationAction::DeallocateObject);
    assert_eq!(status, AllocationStatus::Queued);
    // ...and may not queue a second request.
    assert_eq!(
        b.allocate_adapter_channel(&waiter, 1, |_, _| IoAllocationAction::DeallocateObject),
        Err(DmaError::RequestPending {
            device: waiter.id()
        })
    );
    a.free_adapter_channel().unwrap();
    assert_eq!(system.waiting_requests(), 0);
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn more_map_registers_than_granted_fail_at_once() {
    let system = common::default_system();
    let (a, granted) = adapter(&system, 0, DmaWidth::Width8Bits);
    assert_eq!(granted, 5);
    let ran = Arc::new(Mutex::new(false));
    let r = ran.clone();
    assert_eq!(
        a.allocate_adapter_channel(&DeviceObject::new(), 6, move |_, _| {
            *r.lock().unwrap() = true;
            IoAllocationAction::KeepObject
        }),
        Err(DmaError::TooManyMapRegisters {
            requested: 6,
            granted: 5
        })
    );
    assert!(!*ran.lock().unwrap(), "the routine is not called");
}

#[test]
fn channels_and_widths_the_hardware_lacks() {
    let system = common::system(Config::small());
    let d = DeviceDescription::system_dma(2, DmaWidth::Width8Bits, 4096);
    assert_eq!(
        system.get_dma_adapter(&d).unwrap_err(),
        DmaError::Description(DescriptionError::ChannelOutOfRange {
            channel: 2,
            channels: 1
        })
    );
    let d = DeviceDescription::system_dma(0, DmaWidth::Width64Bits, 4096);
    assert!(matches!(
        system.get_dma_adapter(&d),
        Err(DmaError::Description(
            DescriptionError::WidthUnsupported { .. }
        ))
    ));
    let d = DeviceDescription {
        maximum_length: 0,
        ..DeviceDescription::system_dma(0, DmaWidth::Width8Bits, 0)
    };
    assert_eq!(
        system.get_dma_adapter(&d).unwrap_err(),
        DmaError::Description(DescriptionError::ZeroMaximumLength)
    );
}

#[test]
fn zero_lengths_current_va_outside_the_mdl_and_misalignment() {
    let system = common::default_system();
    let (a, _) = adapter(&system, 0, DmaWidth::Width16Bits);
    assert_eq!(
        a.allocate_common_buffer(0, false).unwrap_err(),
        DmaError::ZeroLength
    );
    let (_b, mdl) = one_page(&system);
    let base = keep(&a, &DeviceObject::new(), 2);
    let map = |cv, len| a.map_transfer(&mdl, base, cv, len, TransferType::Read);
    assert_eq!(map(0, 0), Err(DmaError::ZeroLength));
    assert!(matches!(map(8192, 2), Err(DmaError::OutsideMdl { .. })));
    assert!(matches!(map(8190, 4), Err(DmaError::OutsideMdl { .. })));
    assert_eq!(
        map(1, 2),
        Err(DmaError::Misaligned {
            value: 1,
            alignment: 2
        })
    );
    assert_eq!(a.get_dma_alignment(), 2);
    assert_eq!(
        a.read_dma_counter(),
        Err(DmaError::NothingMapped { channel: 0 })
    );
    a.free_adapter_channel().unwrap();
    assert_eq!(a.read_dma_counter(), Err(DmaError::ChannelNotAllocated));
}

#[test]
fn routines_that_do_not_fit_the_adapter() {
    let system = common::default_system();
    let (m, _) = system
        .get_dma_adapter(&DeviceDescription::bus_master(8192, true))
        .unwrap();
    assert!(matches!(
        m.read_dma_counter(),
        Err(DmaError::NotSupported(_))
    ));
    let (s, _) = adapter(&system, 0, DmaWidth::Width8Bits);
    let (_b, mdl) = one_page(&system);
    assert!(matches!(
        s.get_scatter_gather_list(&mdl, 0, 8192, TransferType::Read, |_, _| {}),
        Err(DmaError::NotSupported(_))
    ));
    let v1 = DeviceDescription {
        version: 1,
        ..DeviceDescription::bus_master(8192, true)
    };
    let (m1, _) = system.get_dma_adapter(&v1).unwrap();
    assert!(matches!(
        m1.calculate_scatter_gather_list(Some(&mdl), 0, 8192),
        Err(DmaError::NotSupported(_))
    ));
    // A base from another adapter is not this adapter's.
    let base = keep(&s, &DeviceObject::new(), 2);
    assert_eq!(
        m.map_transfer(&mdl, base, 0, 4096, TransferType::Read),
        Err(DmaError::UnknownMapRegisterBase)
    );
    s.free_adapter_channel().unwrap();
}

#[test]
fn put_with_resources_outstanding_hands_the_adapter_back() {
    let system = common::default_system();
    let (a, _) = adapter(&system, 3, DmaWidth::Width8Bits);
    let buffer = a.allocate_common_buffer(4096, true).unwrap();
    keep(&a, &DeviceObject::new(), 1);
    let err = a.put_dma_adapter().unwrap_err();
    let msg = err.error.to_string();
    assert!(
        msg.contains("channel") && msg.contains("common buffer"),
        "{msg}"
    );
    let a = err.adapter;
    a.free_adapter_channel().unwrap();
    a.free_common_buffer(buffer).unwrap();
    a.put_dma_adapter().unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn dropping_an_adapter_releases_everything_and_runs_the_next_waiter() {
    let system = common::default_system();
    let (a, _) = adapter(&system, 0, DmaWidth::Width8Bits);
    let (b, _) = adapter(&system, 0, DmaWidth::Width8Bits);
    let buffer = a.allocate_common_buffer(8192, false).unwrap();
    keep(&a, &DeviceObject::new(), 3);
    let (status, _) = grab(&b, &DeviceObject::new(), 2, IoAllocationAction::KeepObject);
    assert_eq!(status, AllocationStatus::Queued);
    drop(a);
    assert_eq!(system.waiting_requests(), 0, "b's routine ran");
    assert_eq!(system.map_registers_in_use(), 2);
    // The buffer went with its adapter.
    assert_eq!(
        buffer.read(0, &mut [0; 4]),
        Err(DmaError::UnknownCommonBuffer)
    );
    b.free_adapter_channel().unwrap();
}

#[test]
fn a_bus_error_during_the_transfer_is_reported_by_flush() {
    let system = common::default_system();
    let (a, _) = adapter(&system, 0, DmaWidth::Width8Bits);
    let buffer = a.allocate_common_buffer(4096, false).unwrap();
    let mdl = buffer.mdl().unwrap();
    let physical = buffer.physical_address();
    system
        .with_reference_model(|m| {
            m.memory_mut()
                .add_error_range(mapdma_host::backend::reference::ErrorRange {
                    start: physical + 16,
                    end: physical + 17,
                    response: mapdma_host::backend::BusResponse::SlaveError,
                })
        })
        .unwrap();
    let base = keep(&a, &DeviceObject::new(), 1);
    let (logical, n) = a
        .map_transfer(&mdl, base, 0, 4096, TransferType::Read)
        .unwrap();
    system
        .with_devices(|d| {
            d.grant_sink(0, 4096)?;
            d.idle(100)
        })
        .unwrap();
    assert_eq!(
        a.flush_adapter_buffers(&mdl, base, 0, n, TransferType::Read),
        Err(DmaError::TransferFault {
            channel: 0,
            cause: FaultCause::SlaveError,
            logical_address: logical as u32 + 16
        })
    );
    // The transfer is complete all the same: the channel can be freed and reused.
    a.free_adapter_channel().unwrap();
}
