//! Version 3 of DMA_OPERATIONS on the reference model: every routine, its errors, and the
//! routines that are not supported (with their reasons).
mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use common::v3::*;
use mapdma_host::{
    AllocateFlags, AllocationStatus, AllocationStatusEx, DeviceDescription, DeviceObject, DmaError,
    DmaWidth, IoAllocationAction, ScatterGatherElement, TransferType,
};

fn master_v3(maximum_length: u32) -> DeviceDescription {
    DeviceDescription {
        version: 3,
        dma_address_width: 32,
        ..DeviceDescription::bus_master(maximum_length, true)
    }
}

#[test]
fn version_3_routines_need_a_version_3_description() {
    let system = common::default_system();
    let v2 = DeviceDescription::system_dma(0, DmaWidth::Width8Bits, 4096);
    let (old, _) = system.get_dma_adapter(&v2).unwrap();
    assert_eq!(old.operations_version(), 2);
    for result in [
        old.get_dma_adapter_info().map(|_| ()),
        old.initialize_dma_transfer_context().map(|_| ()),
        old.free_adapter_object(IoAllocationAction::DeallocateObject),
        old.configure_adapter_channel(0),
    ] {
        match result {
            Err(DmaError::OperationsVersion {
                needed: 3,
                version: 2,
                ..
            }) => {}
            other => panic!("expected the version error, got {other:?}"),
        }
    }
    let (new, _) = system.get_dma_adapter(&v3(0, 4096, false)).unwrap();
    assert_eq!(new.operations_version(), 3);
}

#[test]
fn adapter_info_and_transfer_info() {
    let system = common::default_system();
    let d = DeviceDescription {
        version: 3,
        ..DeviceDescription::system_dma(1, DmaWidth::Width16Bits, 3 * 4096)
    };
    let (adapter, regs) = system.get_dma_adapter(&d).unwrap();
    let info = adapter.get_dma_adapter_info().unwrap();
    assert!(info.read_dma_counter_available && info.synchronous_callback && !info.api_bypass);
    assert_eq!(info.minimum_transfer_unit, 2);
    assert_eq!(info.scatter_gather_limit, regs);
    assert_eq!(info.dma_address_width, system.config().logical_bits);
    let (master, _) = system.get_dma_adapter(&master_v3(8192)).unwrap();
    let m = master.get_dma_adapter_info().unwrap();
    assert!(!m.read_dma_counter_available);
    assert_eq!(m.minimum_transfer_unit, 1);

    let buffer = system.allocate_nonpaged(4 * 4096).unwrap();
    let aligned = chain_of_pages(&buffer);
    let t = adapter
        .get_dma_transfer_info(&aligned, 100, 8000, false)
        .unwrap();
    assert_eq!(
        (t.map_register_count, t.scatter_gather_element_count),
        (2, 1)
    );
    assert_eq!(t.scatter_gather_list_size, 16 + 24);
    // An MDL ending mid-page cannot be joined to the next: two elements.
    let ragged = vec![buffer.mdl(0, 100).unwrap(), buffer.mdl(4096, 4096).unwrap()];
    let t = adapter
        .get_dma_transfer_info(&ragged, 0, 4196, true)
        .unwrap();
    assert_eq!(
        (t.map_register_count, t.scatter_gather_element_count),
        (2, 2)
    );
    assert!(matches!(
        adapter.get_dma_transfer_info(&ragged, 0, 4197, false),
        Err(DmaError::OutsideMdl { .. })
    ));
}

fn chain_of_pages(buffer: &mapdma_host::PageBuffer) -> Vec<mapdma_host::Mdl> {
    vec![
        buffer.mdl(0, 4096).unwrap(),
        buffer.mdl(4096, 8192).unwrap(),
    ]
}

#[test]
fn synchronous_allocation_runs_now_or_fails_without_queuing() {
    let system = common::default_system();
    let (a, regs) = system.get_dma_adapter(&v3(0, 4096, false)).unwrap();
    let (b, _) = system.get_dma_adapter(&v3(0, 4096, false)).unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let ctx = a.initialize_dma_transfer_context().unwrap();
    let status = a
        .allocate_adapter_channel_ex(
            &DeviceObject::new(),
            &ctx,
            regs,
            AllocateFlags::SynchronousCallback,
            Some(Box::new(move |_, _| {
                r.store(true, Ordering::SeqCst);
                IoAllocationAction::KeepObject
            })),
        )
        .unwrap();
    assert!(matches!(status, AllocationStatusEx::Granted(_)));
    assert!(
        ran.load(Ordering::SeqCst),
        "the routine ran before the call returned"
    );
    // The channel is a's: b's synchronous request fails at once and leaves nothing queued.
    let ctx_b = b.initialize_dma_transfer_context().unwrap();
    let refused = b.allocate_adapter_channel_ex(
        &DeviceObject::new(),
        &ctx_b,
        1,
        AllocateFlags::SynchronousCallback,
        None,
    );
    assert!(matches!(
        refused,
        Err(DmaError::InsufficientResources { .. })
    ));
    assert_eq!(system.waiting_requests(), 0);
    // The same context cannot serve a second request; another adapter's is refused.
    let again =
        a.allocate_adapter_channel_ex(&DeviceObject::new(), &ctx, 1, AllocateFlags::None, None);
    assert_eq!(again, Err(DmaError::ContextInUse));
    let foreign = a.cancel_adapter_channel(&DeviceObject::new(), &ctx_b);
    assert_eq!(foreign, Err(DmaError::UnknownContext));
    // An asynchronous request needs a routine.
    assert!(matches!(
        b.allocate_adapter_channel_ex(&DeviceObject::new(), &ctx_b, 1, AllocateFlags::None, None),
        Err(DmaError::NotSupported(_))
    ));
    a.free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
    // Now free: granted synchronously without a routine.
    let base = grant(&b, 1);
    let _ = base;
    b.free_adapter_channel().unwrap();
}

#[test]
fn asynchronous_allocation_queues_and_cancel_adapter_channel_withdraws() {
    let system = common::default_system();
    let (a, regs) = system.get_dma_adapter(&v3(2, 4096, false)).unwrap();
    let (b, _) = system.get_dma_adapter(&v3(2, 4096, false)).unwrap();
    let ctx = a.initialize_dma_transfer_context().unwrap();
    let status = a
        .allocate_adapter_channel_ex(
            &DeviceObject::new(),
            &ctx,
            regs,
            AllocateFlags::None,
            Some(Box::new(|_, _| IoAllocationAction::KeepObject)),
        )
        .unwrap();
    assert_eq!(status, AllocationStatusEx::Executed);
    let runs = Arc::new(AtomicUsize::new(0));
    let (r1, r2) = (runs.clone(), runs.clone());
    let (cancelled, kept) = (
        b.initialize_dma_transfer_context().unwrap(),
        b.initialize_dma_transfer_context().unwrap(),
    );
    let device = DeviceObject::new();
    let queued = b
        .allocate_adapter_channel_ex(
            &device,
            &cancelled,
            1,
            AllocateFlags::None,
            Some(Box::new(move |_, _| {
                r1.fetch_add(1, Ordering::SeqCst);
                IoAllocationAction::KeepObject
            })),
        )
        .unwrap();
    assert_eq!(queued, AllocationStatusEx::Queued);
    assert_eq!(b.cancel_adapter_channel(&device, &cancelled), Ok(true));
    assert_eq!(system.waiting_requests(), 0);
    let queued = b
        .allocate_adapter_channel_ex(
            &device,
            &kept,
            1,
            AllocateFlags::None,
            Some(Box::new(move |_, _| {
                r2.fetch_add(10, Ordering::SeqCst);
                IoAllocationAction::KeepObject
            })),
        )
        .unwrap();
    assert_eq!(queued, AllocationStatusEx::Queued);
    a.free_adapter_channel().unwrap();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        10,
        "only the request not cancelled ran"
    );
    assert_eq!(b.cancel_adapter_channel(&device, &kept), Ok(false));
    b.free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
}

#[test]
fn free_adapter_object_actions() {
    let system = common::default_system();
    let (sys, regs) = system.get_dma_adapter(&v3(0, 4096, false)).unwrap();
    grant(&sys, regs);
    assert!(sys
        .free_adapter_object(IoAllocationAction::KeepObject)
        .is_err());
    assert!(sys
        .free_adapter_object(IoAllocationAction::DeallocateObjectKeepRegisters)
        .is_err());
    sys.free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
    assert_eq!(
        sys.free_adapter_object(IoAllocationAction::DeallocateObject),
        Err(DmaError::ChannelNotAllocated)
    );
    // A bus master keeps its registers for free_map_registers.
    let (master, _) = system.get_dma_adapter(&master_v3(8192)).unwrap();
    let base = grant(&master, 2);
    master
        .free_adapter_object(IoAllocationAction::DeallocateObjectKeepRegisters)
        .unwrap();
    assert_eq!(system.map_registers_in_use(), 2);
    master.free_map_registers(base, 2).unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
    master.put_dma_adapter().unwrap();
    sys.put_dma_adapter().unwrap();
}

#[test]
fn map_transfer_ex_maps_a_chain_and_refuses_what_this_controller_cannot_do() {
    let system = common::default_system();
    let (adapter, regs) = system.get_dma_adapter(&v3(1, 3 * 4096, false)).unwrap();
    let buffer = system.allocate_nonpaged(3 * 4096).unwrap();
    let chain = chain_of_pages(&buffer);
    let base = grant(&adapter, regs);
    assert!(matches!(
        adapter.map_transfer_ex(&chain, base, 0, 4, 4096, TransferType::Read, None),
        Err(DmaError::NotSupported(_))
    ));
    // A ragged chain maps up to the junction; the rest follows after the flush.
    let ragged = vec![buffer.mdl(0, 100).unwrap(), buffer.mdl(4096, 4096).unwrap()];
    let m = adapter
        .map_transfer_ex(&ragged, base, 0, 0, 4196, TransferType::Read, None)
        .unwrap();
    assert_eq!(m.length, 100);
    adapter
        .flush_adapter_buffers_ex(&ragged, base, 0, 100, TransferType::Read)
        .unwrap();
    let m = adapter
        .map_transfer_ex(&ragged, base, 100, 0, 4096, TransferType::Read, None)
        .unwrap();
    assert_eq!(m.length, 4096);
    // The flush must name what was mapped.
    assert!(matches!(
        adapter.flush_adapter_buffers_ex(&ragged, base, 100, 4000, TransferType::Read),
        Err(DmaError::NotMapped { .. })
    ));
    adapter
        .flush_adapter_buffers_ex(&ragged, base, 100, 4096, TransferType::Read)
        .unwrap();
    adapter.free_adapter_channel().unwrap();
    // A bus master has no terminal count to drive a completion routine.
    let (master, _) = system.get_dma_adapter(&master_v3(8192)).unwrap();
    let mbase = grant(&master, 3);
    let (_, routine) = recorder();
    assert!(matches!(
        master.map_transfer_ex(
            &chain,
            mbase,
            0,
            0,
            8192,
            TransferType::Write,
            Some(routine)
        ),
        Err(DmaError::NotSupported(_))
    ));
    let m = master
        .map_transfer_ex(&chain, mbase, 0, 0, 3 * 4096, TransferType::Write, None)
        .unwrap();
    assert_eq!(m.length, 3 * 4096);
    master
        .flush_adapter_buffers_ex(&chain, mbase, 0, 3 * 4096, TransferType::Write)
        .unwrap();
    master
        .free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
}

#[test]
fn cancel_mapped_transfer_stops_the_ring_and_completes_it_cancelled() {
    cancel_mapped_transfer_stops_the_ring(&common::default_system(), 0);
}

#[test]
fn allocate_common_buffer_ex_honours_the_maximum_logical_address() {
    let system = common::default_system();
    let (adapter, _) = system.get_dma_adapter(&v3(0, 4096, true)).unwrap();
    let low = adapter
        .allocate_common_buffer_ex(Some(0xFF_FFFF), 8192, false, 7)
        .unwrap();
    assert!(low.logical_address() + 8191 <= 0xFF_FFFF);
    assert_eq!(system.map_registers_in_use(), 2);
    // Every register run starts at or above page 2 now: a maximum below it cannot be met.
    let refused = adapter.allocate_common_buffer_ex(Some(0x1FFF), 4096, false, 0);
    assert!(matches!(
        refused,
        Err(DmaError::InsufficientResources { .. })
    ));
    assert_eq!(system.map_registers_in_use(), 2, "nothing stays allocated");
    adapter.free_common_buffer(low).unwrap();
}

#[test]
fn scatter_gather_lists_ex_over_a_chain_and_cancelled_while_waiting() {
    let system = common::default_system();
    let (master, regs) = system.get_dma_adapter(&master_v3(3 * 4096)).unwrap();
    let buffer = system.allocate_nonpaged(3 * 4096).unwrap();
    let chain = chain_of_pages(&buffer);
    let got = Arc::new(std::sync::Mutex::new(None));
    let g = got.clone();
    let ctx = master.initialize_dma_transfer_context().unwrap();
    let status = master
        .get_scatter_gather_list_ex(
            &ctx,
            &chain,
            0,
            3 * 4096,
            TransferType::Write,
            AllocateFlags::None,
            move |_, l| *g.lock().unwrap() = Some(l),
        )
        .unwrap();
    assert_eq!(status, AllocationStatus::Executed);
    let list = got.lock().unwrap().take().unwrap().unwrap();
    assert_eq!(list.number_of_elements(), 1);
    assert_eq!(list.total_length(), 3 * 4096);
    master
        .put_scatter_gather_list(list, TransferType::Write)
        .unwrap();
    // Caller storage too small.
    assert!(matches!(
        master.build_scatter_gather_list_ex(
            &ctx,
            &chain,
            0,
            4096,
            TransferType::Read,
            AllocateFlags::None,
            Vec::new(),
            |_, _| {}
        ),
        Err(DmaError::BufferTooSmall { .. })
    ));
    // Hold every register in a common buffer but two, one fewer than the list needs: it
    // waits, and cancel_adapter_channel withdraws it.
    assert!(regs >= 3);
    let free = system.config().map_registers - system.map_registers_in_use();
    let hog = master
        .allocate_common_buffer(((free - 2) * 4096) as u32, false)
        .unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let storage = Vec::<ScatterGatherElement>::with_capacity(1);
    let status = master
        .build_scatter_gather_list_ex(
            &ctx,
            &chain,
            0,
            3 * 4096,
            TransferType::Read,
            AllocateFlags::None,
            storage,
            move |_, _| r.store(true, Ordering::SeqCst),
        )
        .unwrap();
    assert_eq!(status, AllocationStatus::Queued);
    assert_eq!(
        master.cancel_adapter_channel(&DeviceObject::new(), &ctx),
        Ok(true)
    );
    master.free_common_buffer(hog).unwrap();
    assert!(
        !ran.load(Ordering::SeqCst),
        "the cancelled list was never built"
    );
    assert_eq!(system.map_registers_in_use(), 0);
}

/// The logical address `address` of a list element translated through the map registers.
fn physical_of(system: &mapdma_host::DmaSystem, address: u64) -> u64 {
    let cfg = system.config();
    let entry = common::map_entry(system, (address >> 12) as usize);
    assert_eq!(mapdma_host::regmap::map::VALID.get(&cfg, entry), 1);
    ((mapdma_host::regmap::map::FRAME.get(&cfg, entry) as u64) << 12) | (address & 0xFFF)
}

#[test]
fn a_chain_with_an_unaligned_junction_lists_one_element_per_run() {
    let system = common::default_system();
    let (master, _) = system.get_dma_adapter(&master_v3(3 * 4096)).unwrap();
    let buffer = system.allocate_nonpaged(3 * 4096).unwrap();
    // 100 bytes at the start of page 0 (ending mid-page), then page 1 and the first half of
    // page 2: two logically contiguous runs.
    let ragged = vec![buffer.mdl(0, 100).unwrap(), buffer.mdl(4096, 6144).unwrap()];
    let info = master
        .get_dma_transfer_info(&ragged, 40, 60 + 6144, false)
        .unwrap();
    assert_eq!(
        (info.scatter_gather_element_count, info.map_register_count),
        (2, 3)
    );
    let ctx = master.initialize_dma_transfer_context().unwrap();
    // Storage for one element is too small for two runs.
    assert!(matches!(
        master.build_scatter_gather_list_ex(
            &ctx,
            &ragged,
            40,
            60 + 6144,
            TransferType::Write,
            AllocateFlags::None,
            Vec::with_capacity(1),
            |_, _| {}
        ),
        Err(DmaError::BufferTooSmall {
            needed: 2,
            given: 1
        })
    ));
    let list = master
        .get_scatter_gather_list_ex_now(&ctx, &ragged, 40, 60 + 6144, TransferType::Write)
        .unwrap();
    let e = list.elements();
    assert_eq!(e.len(), 2);
    assert_eq!((e[0].length, e[1].length), (60, 6144));
    assert_eq!(
        physical_of(&system, e[0].address),
        buffer.pages()[0] + 40,
        "the first run starts 40 bytes into the first MDL"
    );
    assert_eq!(physical_of(&system, e[1].address), buffer.pages()[1]);
    assert_eq!(
        physical_of(&system, e[1].address + 4096),
        buffer.pages()[2],
        "the second run's pages are contiguous through the map"
    );
    assert_eq!(system.map_registers_in_use(), 3);
    master
        .put_scatter_gather_list(list, TransferType::Write)
        .unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
    for i in 0..system.config().map_registers {
        assert_eq!(
            common::map_entry(&system, i),
            0,
            "map register {i} invalidated"
        );
    }
}

#[test]
fn synchronous_lists_are_built_now_or_refused_without_queuing() {
    let system = common::default_system();
    let (master, _) = system.get_dma_adapter(&master_v3(3 * 4096)).unwrap();
    let buffer = system.allocate_nonpaged(3 * 4096).unwrap();
    let chain = chain_of_pages(&buffer);
    let ctx = master.initialize_dma_transfer_context().unwrap();
    // Registers free: the routine has run when the call returns.
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let got = Arc::new(std::sync::Mutex::new(None));
    let g = got.clone();
    let status = master
        .get_scatter_gather_list_ex(
            &ctx,
            &chain,
            0,
            3 * 4096,
            TransferType::Read,
            AllocateFlags::SynchronousCallback,
            move |_, l| {
                r.fetch_add(1, Ordering::SeqCst);
                *g.lock().unwrap() = Some(l);
            },
        )
        .unwrap();
    assert_eq!(status, AllocationStatus::Executed);
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    let list = got.lock().unwrap().take().unwrap().unwrap();
    assert_eq!(list.total_length(), 3 * 4096);
    // Hold the list's registers: a second synchronous list cannot be granted now, fails with
    // InsufficientResources and leaves nothing queued (its routine never runs).
    let free = system.config().map_registers - system.map_registers_in_use();
    let hog = master
        .allocate_common_buffer(((free - 2) * 4096) as u32, false)
        .unwrap();
    let ctx2 = master.initialize_dma_transfer_context().unwrap();
    let r = ran.clone();
    assert!(matches!(
        master.get_scatter_gather_list_ex(
            &ctx2,
            &chain,
            0,
            3 * 4096,
            TransferType::Read,
            AllocateFlags::SynchronousCallback,
            move |_, _| {
                r.fetch_add(1, Ordering::SeqCst);
            },
        ),
        Err(DmaError::InsufficientResources { .. })
    ));
    assert!(matches!(
        master.get_scatter_gather_list_ex_now(&ctx2, &chain, 0, 3 * 4096, TransferType::Read),
        Err(DmaError::InsufficientResources { .. })
    ));
    master
        .put_scatter_gather_list(list, TransferType::Read)
        .unwrap();
    master.free_common_buffer(hog).unwrap();
    assert_eq!(
        ran.load(Ordering::SeqCst),
        1,
        "the refused request was never queued"
    );
    assert_eq!(system.map_registers_in_use(), 0);
    // With the registers free again the list is built at once.
    let list = master
        .get_scatter_gather_list_ex_now(&ctx2, &chain, 0, 3 * 4096, TransferType::Read)
        .unwrap();
    assert_eq!(list.number_of_elements(), 1);
    master
        .put_scatter_gather_list(list, TransferType::Read)
        .unwrap();
}

#[test]
fn domain_vector_and_configure_routines_are_not_supported_with_a_reason() {
    let system = common::default_system();
    let (adapter, _) = system.get_dma_adapter(&v3(0, 4096, false)).unwrap();
    let results = [
        (
            "ConfigureAdapterChannel",
            adapter.configure_adapter_channel(1),
        ),
        ("JoinDmaDomain", adapter.join_dma_domain(1)),
        ("LeaveDmaDomain", adapter.leave_dma_domain()),
        ("GetDmaDomain", adapter.get_dma_domain().map(|_| ())),
        (
            "AllocateDomainCommonBuffer",
            adapter.allocate_domain_common_buffer(4096).map(|_| ()),
        ),
        (
            "AllocateCommonBufferVector",
            adapter.allocate_common_buffer_vector(4, 4096),
        ),
        (
            "GetCommonBufferFromVectorByIndex",
            adapter.get_common_buffer_from_vector_by_index(0),
        ),
        (
            "FreeCommonBufferFromVector",
            adapter.free_common_buffer_from_vector(0),
        ),
        (
            "FreeCommonBufferVector",
            adapter.free_common_buffer_vector(),
        ),
    ];
    for (name, result) in results {
        match result {
            Err(DmaError::RoutineNotSupported { routine, reason }) => {
                assert_eq!(routine, name);
                assert!(reason.len() > 40, "{name}: the reason is given");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}
