//! Channel and map-register arbitration: FIFO order, head-of-line blocking, the three
//! IO_ALLOCATION_ACTIONs, threads, scatter/gather lists, the DMA counter and adapter discovery.
mod common;

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

use mapdma_host::scenario::stream_byte;
use mapdma_host::{
    AllocationStatus, DeviceDescription, DeviceObject, DmaError, DmaWidth, IoAllocationAction,
    TransferType,
};
use mapdma_regmap::{self as rm, Config};

#[test]
fn map_register_waiters_run_in_fifo_order_with_head_of_line_blocking() {
    // 8 map registers, all in one 64 KiB segment.
    let system = common::system(Config {
        map_registers: 8,
        ..Config::default()
    });
    let order = Arc::new(Mutex::new(Vec::new()));
    let d = |ch| DeviceDescription::system_dma(ch, DmaWidth::Width8Bits, 6 * 4096);
    let adapters: Vec<_> = (0..3)
        .map(|c| system.get_dma_adapter(&d(c)).unwrap().0)
        .collect();
    let devices: Vec<_> = (0..3).map(|_| DeviceObject::new()).collect();
    let ask = |i: usize, n: u32| {
        let o = order.clone();
        adapters[i]
            .allocate_adapter_channel(&devices[i], n, move |_, _| {
                o.lock().unwrap().push(i);
                IoAllocationAction::KeepObject
            })
            .unwrap()
    };
    assert_eq!(ask(0, 5), AllocationStatus::Executed);
    assert_eq!(ask(1, 5), AllocationStatus::Queued);
    // 3 registers are free, but request 2 does not overtake request 1.
    assert_eq!(ask(2, 2), AllocationStatus::Queued);
    assert_eq!(system.waiting_requests(), 2);
    adapters[0].free_adapter_channel().unwrap();
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
    assert_eq!(system.map_registers_in_use(), 7);
    adapters[1].free_adapter_channel().unwrap();
    adapters[2].free_adapter_channel().unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn allocation_actions_decide_what_stays_held() {
    let system = common::default_system();
    let (a, _) = system
        .get_dma_adapter(&DeviceDescription::bus_master(16384, true))
        .unwrap();
    let dev = DeviceObject::new();
    a.allocate_adapter_channel(&dev, 4, |_, _| IoAllocationAction::DeallocateObject)
        .unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
    assert_eq!(a.free_adapter_channel(), Err(DmaError::ChannelNotAllocated));
    let kept = Arc::new(Mutex::new(None));
    let k = kept.clone();
    a.allocate_adapter_channel(&dev, 4, move |_, b| {
        *k.lock().unwrap() = Some(b);
        IoAllocationAction::DeallocateObjectKeepRegisters
    })
    .unwrap();
    assert_eq!(system.map_registers_in_use(), 4);
    // The adapter itself is free again: another request runs at once.
    assert_eq!(
        a.allocate_adapter_channel(&dev, 1, |_, _| IoAllocationAction::KeepObject)
            .unwrap(),
        AllocationStatus::Executed
    );
    a.free_adapter_channel().unwrap();
    a.free_map_registers(kept.lock().unwrap().unwrap(), 4)
        .unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn threads_share_channels_and_the_pool() {
    let system = common::default_system();
    let mut handles = Vec::new();
    for t in 0..4u32 {
        let system = system.clone();
        handles.push(thread::spawn(move || {
            // Two threads per channel: they contend for it.
            let d = DeviceDescription::system_dma(t % 2, DmaWidth::Width8Bits, 3 * 4096);
            let (adapter, regs) = system.get_dma_adapter(&d).unwrap();
            let buffer = system.allocate_nonpaged(3 * 4096).unwrap();
            let mdl = Arc::new(buffer.mdl(0, 3 * 4096).unwrap());
            let device = DeviceObject::new();
            for _ in 0..200 {
                let (tx, rx) = mpsc::channel();
                let m = mdl.clone();
                adapter
                    .allocate_adapter_channel(&device, regs, move |a, base| {
                        let r = a.map_transfer(&m, base, 0, m.byte_count(), TransferType::Write);
                        tx.send((base, r)).unwrap();
                        IoAllocationAction::KeepObject
                    })
                    .unwrap();
                // The routine may run on the thread that frees the channel.
                let (base, r) = rx.recv().unwrap();
                let (_, n) = r.unwrap();
                adapter
                    .flush_adapter_buffers(&mdl, base, 0, n, TransferType::Write)
                    .unwrap();
                adapter.free_adapter_channel().unwrap();
            }
            adapter.put_dma_adapter().unwrap();
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(system.map_registers_in_use(), 0);
    assert_eq!(system.waiting_requests(), 0);
}

#[test]
fn scatter_gather_lists_map_scattered_pages_to_one_logical_run() {
    let system = common::default_system();
    let (a, regs) = system
        .get_dma_adapter(&DeviceDescription::bus_master(5 * 4096, true))
        .unwrap();
    assert_eq!(regs, 6);
    let buffer = system.allocate_nonpaged(5 * 4096).unwrap();
    let mdl = buffer.mdl(300, 4 * 4096).unwrap();
    let size = a
        .calculate_scatter_gather_list(Some(&mdl), 0, 4 * 4096)
        .unwrap();
    assert_eq!((size.elements, size.map_registers), (1, 5));
    assert_eq!(size.list_bytes, 16 + 24);
    let worst = a.calculate_scatter_gather_list(None, 0, 5 * 4096).unwrap();
    assert_eq!(worst.map_registers, 6);

    let got = Arc::new(Mutex::new(None));
    let g = got.clone();
    let status = a
        .get_scatter_gather_list(&mdl, 0, 4 * 4096, TransferType::Write, move |_, list| {
            *g.lock().unwrap() = Some(list.unwrap());
        })
        .unwrap();
    assert_eq!(status, AllocationStatus::Executed);
    let list = got.lock().unwrap().take().unwrap();
    assert_eq!(list.number_of_elements(), 1);
    assert_eq!(list.total_length(), 4 * 4096);
    let cfg = system.config();
    let e = list.elements()[0];
    assert_eq!(e.address & 0xFFF, 300);
    // Every page of the MDL sits behind a valid, device-writable map register.
    for (k, frame) in mdl.frames().iter().enumerate() {
        let entry = common::map_entry(&system, (e.address >> 12) as usize + k);
        assert_eq!(rm::map::FRAME.get(&cfg, entry) as u64, *frame);
        assert_eq!(rm::map::VALID.get(&cfg, entry), 1);
        assert_eq!(rm::map::WRITABLE.get(&cfg, entry), 1);
    }
    assert_eq!(system.map_registers_in_use(), 5);
    a.put_scatter_gather_list(list, TransferType::Write)
        .unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
    assert_eq!(common::map_entry(&system, (e.address >> 12) as usize), 0);

    // build_scatter_gather_list into caller storage.
    assert!(matches!(
        a.build_scatter_gather_list(&mdl, 0, 4096, TransferType::Read, Vec::new(), |_, _| {}),
        Err(DmaError::BufferTooSmall {
            needed: 1,
            given: 0
        })
    ));
    let g = got.clone();
    a.build_scatter_gather_list(
        &mdl,
        0,
        4096,
        TransferType::Read,
        Vec::with_capacity(1),
        move |_, list| *g.lock().unwrap() = Some(list.unwrap()),
    )
    .unwrap();
    let list = got.lock().unwrap().take().unwrap();
    assert_eq!(list.total_length(), 4096);
    assert!(a.put_scatter_gather_list(list, TransferType::Read).is_ok());
    assert!(matches!(
        a.get_scatter_gather_list(&mdl, 0, 4 * 4096 + 1, TransferType::Read, |_, _| {}),
        Err(DmaError::OutsideMdl { .. })
    ));
}

#[test]
fn the_dma_counter_tells_not_started_from_just_wrapped() {
    let system = common::default_system();
    let d = DeviceDescription {
        auto_initialize: true,
        ..DeviceDescription::system_dma(1, DmaWidth::Width16Bits, 4096)
    };
    let (a, _) = system.get_dma_adapter(&d).unwrap();
    let buffer = a.allocate_common_buffer(4096, false).unwrap();
    let mdl = buffer.mdl().unwrap();
    let slot = Arc::new(Mutex::new(None));
    let s = slot.clone();
    let m = mdl.clone();
    a.allocate_adapter_channel(&DeviceObject::new(), 1, move |a, base| {
        *s.lock().unwrap() = Some((base, a.map_transfer(&m, base, 0, 4096, TransferType::Read)));
        IoAllocationAction::KeepObject
    })
    .unwrap();
    let (base, r) = slot.lock().unwrap().take().unwrap();
    r.unwrap();
    let c = a.read_dma_counter_ex().unwrap();
    assert_eq!((c.remaining, c.passes), (4096, 0), "not started");
    system
        .with_devices(|dv| {
            dv.grant_sink(1, 2048)?;
            dv.idle(5000)
        })
        .unwrap();
    let c = a.read_dma_counter_ex().unwrap();
    assert_eq!((c.remaining, c.passes), (4096, 1), "just wrapped");
    system
        .with_devices(|dv| {
            dv.grant_sink(1, 100)?;
            dv.idle(5000)
        })
        .unwrap();
    assert_eq!(a.read_dma_counter().unwrap(), 4096 - 200);
    a.flush_adapter_buffers(&mdl, base, 0, 4096, TransferType::Read)
        .unwrap();
    // The device received the ring (zeroed) twice over, and 200 bytes more.
    let got = system.with_devices(|dv| dv.take_sink(1)).unwrap();
    assert_eq!(got.len(), 4096 + 200);
    a.free_adapter_channel().unwrap();
}

#[test]
fn adapters_get_one_more_map_register_than_pages_capped_by_the_hardware() {
    let system = common::default_system();
    let sys = |len| DeviceDescription::system_dma(0, DmaWidth::Width8Bits, len);
    let grant = |d: DeviceDescription| system.get_dma_adapter(&d).unwrap().1;
    assert_eq!(grant(sys(1)), 2);
    assert_eq!(grant(sys(4096)), 2);
    assert_eq!(grant(sys(4097)), 3);
    assert_eq!(grant(sys(1 << 20)), 16, "one 64 KiB segment for the 8237");
    assert_eq!(grant(DeviceDescription::bus_master(1 << 20, true)), 32);
    assert_eq!(grant(DeviceDescription::bus_master(u32::MAX, true)), 32);
}

#[test]
fn opening_the_hardware_invalidates_every_map_register() {
    let mut model =
        mapdma_host::backend::reference::ReferenceModel::new(Config::default()).unwrap();
    use mapdma_host::backend::RegisterBus;
    for i in 0..32 {
        model.write32(rm::MAP.at(i), u32::MAX).unwrap();
    }
    let system = mapdma_host::DmaSystem::open(Box::new(model)).unwrap();
    assert!((0..32).all(|i| common::map_entry(&system, i) == 0));
}

#[test]
fn common_buffers_are_contiguous_zeroed_and_reachable_by_their_logical_address() {
    let system = common::default_system();
    let (a, _) = system
        .get_dma_adapter(&DeviceDescription::system_dma(
            0,
            DmaWidth::Width8Bits,
            8192,
        ))
        .unwrap();
    let b = a.allocate_common_buffer(5000, false).unwrap();
    assert_eq!(b.logical_address() % 4096, 0);
    let mdl = b.mdl().unwrap();
    assert_eq!(mdl.runs(0, 5000).len(), 1, "physically contiguous");
    let mut z = vec![1; 5000];
    b.read(0, &mut z).unwrap();
    assert!(z.iter().all(|x| *x == 0));
    let data: Vec<u8> = (0..5000).map(|i| stream_byte(1, i)).collect();
    b.write(0, &data).unwrap();
    // The device's view: translate the logical address through the map registers.
    let cfg = system.config();
    let page = (b.logical_address() >> 12) as usize;
    for k in 0..2 {
        let entry = common::map_entry(&system, page + k);
        assert_eq!(
            (rm::map::FRAME.get(&cfg, entry) as u64) << 12,
            b.physical_address() + k as u64 * 4096
        );
    }
    assert_eq!(system.map_registers_in_use(), 2);
    a.free_common_buffer(b).unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
}
