//! Calls that break a WDK rule the HAL could otherwise let pass silently: each is refused with
//! its own error, and nothing the device can reach is left behind.
mod common;

use std::error::Error;
use std::sync::{Arc, Mutex};

use mapdma_host::{
    AllocationStatus, DeviceDescription, DeviceObject, DmaAdapter, DmaError, DmaSystem, DmaWidth,
    IoAllocationAction, MapRegisterBase, TransferType,
};
use mapdma_regmap::{self as rm, Config};

fn adapter(system: &DmaSystem, channel: u32) -> DmaAdapter {
    let d = DeviceDescription::system_dma(channel, DmaWidth::Width8Bits, 16384);
    system.get_dma_adapter(&d).unwrap().0
}

/// Allocates the channel with a routine that keeps it; returns the base.
fn keep(a: &DmaAdapter, n: u32) -> MapRegisterBase {
    let slot = Arc::new(Mutex::new(None));
    let s = slot.clone();
    a.allocate_adapter_channel(&DeviceObject::new(), n, move |_, b| {
        *s.lock().unwrap() = Some(b);
        IoAllocationAction::KeepObject
    })
    .unwrap();
    let base = slot.lock().unwrap().take();
    base.unwrap()
}

fn masked(system: &DmaSystem, ch: usize) -> bool {
    let cfg = system.config();
    let v = system
        .with_backend(|b| b.read32(rm::CH_CONFIG.at(ch)))
        .unwrap();
    rm::ch_config::MASKED.get(&cfg, v) == 1
}

fn valid_entries(system: &DmaSystem) -> usize {
    let cfg = system.config();
    (0..cfg.map_registers)
        .filter(|&i| rm::map::VALID.get(&cfg, common::map_entry(system, i)) == 1)
        .count()
}

#[test]
fn freeing_a_common_buffer_under_a_mapped_transfer_is_refused_and_hands_it_back() {
    let system = common::default_system();
    let a = adapter(&system, 2);
    let buffer = a.allocate_common_buffer(8192, false).unwrap();
    buffer.write(0, b"kept").unwrap();
    let mdl = buffer.mdl().unwrap();
    let base = keep(&a, 3);
    let (_, n) = a
        .map_transfer(&mdl, base, 0, 8192, TransferType::Write)
        .unwrap();
    let refused = a.free_common_buffer(buffer).unwrap_err();
    assert_eq!(refused.error, DmaError::StillMapped { transfers: 1 });
    assert!(refused.to_string().contains("flush_adapter_buffers first"));
    let buffer = refused.buffer;
    let mut got = [0; 4];
    buffer.read(0, &mut got).unwrap();
    assert_eq!(&got, b"kept", "the buffer is still allocated and intact");
    a.flush_adapter_buffers(&mdl, base, 0, n, TransferType::Write)
        .unwrap();
    a.free_common_buffer(buffer).unwrap();
    a.free_adapter_channel().unwrap();
    a.put_dma_adapter().unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
    assert_eq!(valid_entries(&system), 0);
}

#[cfg(feature = "verilator")]
#[test]
fn a_buffer_dropped_under_dma_keeps_its_pages_until_the_flush() {
    use mapdma_host::backend::verilator::VerilatorBackend;
    let backend = VerilatorBackend::new(Config::default()).unwrap();
    let system = DmaSystem::open(Box::new(backend)).unwrap();
    let a = adapter(&system, 1);
    let buffer = a.allocate_common_buffer(4096, false).unwrap();
    let pages = system.allocate_nonpaged(4096).unwrap();
    let mdl = pages.mdl(0, 4096).unwrap();
    let base = keep(&a, 2);
    let (_, n) = a
        .map_transfer(&mdl, base, 0, 4096, TransferType::Write)
        .unwrap();
    // The driver lets go of both while the device is still writing into the page buffer.
    drop(pages);
    drop(buffer);
    system
        .with_devices(|d| {
            d.push_source(1, &[0xA5; 4096])?;
            d.idle(2000)
        })
        .expect("no DMA write outside allocated pages");
    a.flush_adapter_buffers(&mdl, base, 0, n, TransferType::Write)
        .unwrap();
    a.free_adapter_channel().unwrap();
    // Freed now: the next allocation may reuse the pages.
    let again = system.allocate_nonpaged(4096).unwrap();
    assert_eq!(again.len(), 4096);
    a.put_dma_adapter().unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn a_system_dma_routine_must_keep_the_object() {
    let system = common::default_system();
    let a = adapter(&system, 1);
    let page = system.allocate_nonpaged(4096).unwrap();
    let mdl = page.mdl(0, 4096).unwrap();
    for action in [
        IoAllocationAction::DeallocateObject,
        IoAllocationAction::DeallocateObjectKeepRegisters,
    ] {
        let m = mdl.clone();
        let r = a.allocate_adapter_channel(&DeviceObject::new(), 1, move |a, base| {
            a.map_transfer(&m, base, 0, 4096, TransferType::Read)
                .unwrap();
            action
        });
        let e = r.unwrap_err();
        assert_eq!(e, DmaError::SystemDmaMustKeepObject { channel: 1, action });
        assert!(e.to_string().contains("must return KeepObject"), "{e}");
        // Stopped and released: masked, no valid entry, no register held.
        assert!(masked(&system, 1));
        assert_eq!(valid_entries(&system), 0);
        assert_eq!(system.map_registers_in_use(), 0);
        // Reported once; the channel is grantable again.
        assert_eq!(a.free_adapter_channel(), Err(DmaError::ChannelNotAllocated));
    }
    let other = adapter(&system, 1);
    keep(&other, 1);
    other.free_adapter_channel().unwrap();
}

#[test]
fn a_queued_system_dma_routine_that_deallocates_is_reported_by_the_next_call() {
    let system = common::default_system();
    let first = adapter(&system, 0);
    let late = adapter(&system, 0);
    keep(&first, 1);
    let status = late
        .allocate_adapter_channel(&DeviceObject::new(), 1, |_, _| {
            IoAllocationAction::DeallocateObject
        })
        .unwrap();
    assert_eq!(status, AllocationStatus::Queued);
    first.free_adapter_channel().unwrap();
    assert!(matches!(
        late.read_dma_counter(),
        Err(DmaError::SystemDmaMustKeepObject { channel: 0, .. })
    ));
    assert_eq!(late.read_dma_counter(), Err(DmaError::ChannelNotAllocated));
    // Put reports a violation nobody has seen yet, once.
    late.allocate_adapter_channel(&DeviceObject::new(), 1, |_, _| {
        IoAllocationAction::DeallocateObject
    })
    .unwrap_err();
    keep(&first, 1);
    first.free_adapter_channel().unwrap();
    first.put_dma_adapter().unwrap();
    late.put_dma_adapter().unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn zero_map_registers_are_refused_at_once() {
    let system = common::default_system();
    for a in [
        adapter(&system, 0),
        system
            .get_dma_adapter(&DeviceDescription::bus_master(8192, true))
            .unwrap()
            .0,
    ] {
        let r = a.allocate_adapter_channel(&DeviceObject::new(), 0, |_, _| {
            panic!("the routine of a refused request never runs")
        });
        assert_eq!(r, Err(DmaError::ZeroMapRegisters));
        assert_eq!(system.waiting_requests(), 0);
    }
}

#[test]
fn verify_transfers_are_refused_and_the_wdk_direction_form_maps() {
    let system = common::default_system();
    let a = adapter(&system, 3);
    let page = system.allocate_nonpaged(4096).unwrap();
    let mdl = page.mdl(0, 4096).unwrap();
    let base = keep(&a, 1);
    assert!(matches!(
        a.map_transfer(&mdl, base, 0, 4096, TransferType::Verify),
        Err(DmaError::NotSupported(m)) if m.contains("Verify")
    ));
    // WriteToDevice = TRUE is the 8237's read transfer.
    let (_, n) = a.map_transfer_wdk(&mdl, base, 0, 4096, true).unwrap();
    let mode = system
        .with_backend(|b| b.read32(rm::CH_CONFIG.at(3)))
        .unwrap();
    let cfg = system.config();
    let transfer = (rm::ch_config::MODE.get(&cfg, mode) >> 2) & 3;
    assert_eq!(transfer, TransferType::Read as u32);
    assert!(matches!(
        a.flush_adapter_buffers_wdk(&mdl, base, 0, n, false),
        Err(DmaError::NotMapped { .. })
    ));
    a.flush_adapter_buffers(&mdl, base, 0, n, TransferType::Read)
        .unwrap();
    a.free_adapter_channel().unwrap();
}

#[test]
fn put_errors_are_errors() {
    let system = common::default_system();
    let a = adapter(&system, 2);
    keep(&a, 1);
    let e = a.put_dma_adapter().unwrap_err();
    assert!(e.to_string().contains("the channel is allocated"), "{e}");
    assert!(
        e.source().is_none(),
        "the message says it all, no repeated cause"
    );
    let boxed: Box<dyn Error> = Box::new(e);
    assert!(boxed.to_string().contains("put_dma_adapter"));
    drop(boxed);
    // `?` turns it into a DmaError (dropping the adapter releases the channel).
    fn put(a: DmaAdapter) -> Result<(), DmaError> {
        a.put_dma_adapter()?;
        Ok(())
    }
    let a = adapter(&system, 2);
    keep(&a, 1);
    assert!(matches!(put(a), Err(DmaError::Outstanding(_))));
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn inside_its_own_routine_an_adapter_can_neither_free_nor_wait_for_itself() {
    let system = common::default_system();
    let a = adapter(&system, 0);
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    a.allocate_adapter_channel(&DeviceObject::new(), 1, move |a, _| {
        *s.lock().unwrap() = Some(a.free_adapter_channel());
        IoAllocationAction::KeepObject
    })
    .unwrap();
    let inside = seen.lock().unwrap().take();
    assert_eq!(inside, Some(Err(DmaError::ChannelNotAllocated)));
    a.free_adapter_channel().unwrap();

    // An adapter dropped by its own routine (the driver kept it where the routine finds it)
    // is released once the routine has returned, not under it.
    let holder = adapter(&system, 0);
    keep(&holder, 1);
    let slot: Arc<Mutex<Option<DmaAdapter>>> = Arc::new(Mutex::new(None));
    let owner = adapter(&system, 0);
    let s = slot.clone();
    let status = owner
        .allocate_adapter_channel(&DeviceObject::new(), 2, move |view, base| {
            let own = s.lock().unwrap().take();
            drop(own);
            // The view still works until the routine returns.
            assert!(view.outstanding().iter().any(|o| o.contains("running")));
            let _ = base;
            IoAllocationAction::KeepObject
        })
        .unwrap();
    assert_eq!(status, AllocationStatus::Queued);
    *slot.lock().unwrap() = Some(owner);
    holder.free_adapter_channel().unwrap();
    assert!(
        slot.lock().unwrap().is_none(),
        "the routine ran and dropped its adapter"
    );
    assert_eq!(system.map_registers_in_use(), 0);
    assert_eq!(system.waiting_requests(), 0);
    let next = adapter(&system, 0);
    keep(&next, 1);
    next.free_adapter_channel().unwrap();
}
