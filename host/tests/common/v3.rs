//! Interrupt-driven completion scenarios shared by the reference-model and Verilator tests:
//! version-3 calls on any backend with devices.

use std::sync::{Arc, Mutex};

use mapdma_host::{
    AllocateFlags, AllocationStatusEx, DeviceDescription, DeviceObject, DmaAdapter,
    DmaCompletionRoutine, DmaCompletionStatus, DmaError, DmaSystem, DmaWidth, FaultCause,
    IoAllocationAction, MapRegisterBase, Mdl, PageBuffer, TransferType,
};

pub const PAGE: usize = 4096;
/// What every byte outside the transfer's pages holds before and after.
pub const GUARD: u8 = 0xEE;

pub type Log = Arc<Mutex<Vec<DmaCompletionStatus>>>;

/// A completion routine that records every status it is called with.
pub fn recorder() -> (Log, DmaCompletionRoutine) {
    let log: Log = Arc::default();
    let l = log.clone();
    let routine: DmaCompletionRoutine = Box::new(move |_, status| l.lock().unwrap().push(status));
    (log, routine)
}

pub fn statuses(log: &Log) -> Vec<DmaCompletionStatus> {
    log.lock().unwrap().clone()
}

/// A version-3 system-DMA description.
pub fn v3(channel: u32, maximum_length: u32, auto_initialize: bool) -> DeviceDescription {
    DeviceDescription {
        version: 3,
        auto_initialize,
        demand_mode: true,
        ..DeviceDescription::system_dma(channel, DmaWidth::Width8Bits, maximum_length)
    }
}

pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed ^ (i >> 8) as u8)
        .collect()
}

/// Channel and registers granted synchronously.
pub fn grant(adapter: &DmaAdapter, registers: u32) -> MapRegisterBase {
    let ctx = adapter.initialize_dma_transfer_context().unwrap();
    match adapter
        .allocate_adapter_channel_ex(
            &DeviceObject::new(),
            &ctx,
            registers,
            AllocateFlags::SynchronousCallback,
            None,
        )
        .unwrap()
    {
        AllocationStatusEx::Granted(base) => base,
        other => panic!("synchronous allocation answered {other:?}"),
    }
}

/// A buffer of `pages` pages, every byte the guard value.
pub fn guarded_buffer(system: &DmaSystem, pages: usize) -> PageBuffer {
    let buffer = system.allocate_nonpaged(pages * PAGE).unwrap();
    buffer.write(0, &vec![GUARD; pages * PAGE]).unwrap();
    buffer
}

/// Pages 1..=3 of a 5-page buffer as a chain of two MDLs (page 1, pages 2–3): pages 0 and 4
/// are guards.
pub fn chain_of(buffer: &PageBuffer) -> Vec<Mdl> {
    vec![
        buffer.mdl(PAGE, PAGE).unwrap(),
        buffer.mdl(2 * PAGE, 2 * PAGE).unwrap(),
    ]
}

/// Lets time pass (servicing the interrupt after each step) until `done` or `limit` steps.
pub fn run_until(system: &DmaSystem, step: u64, limit: usize, done: impl Fn() -> bool) {
    for _ in 0..limit {
        if done() {
            return;
        }
        system.with_devices(|d| d.idle(step)).unwrap();
    }
    assert!(done(), "nothing happened in {limit} steps of {step}");
}

/// Asserts that two byte strings are equal, naming the first difference (not printing them).
pub fn same(got: &[u8], want: &[u8], what: &str) {
    let first = got.iter().zip(want).position(|(a, b)| a != b);
    assert!(
        got.len() == want.len() && first.is_none(),
        "{what}: {} bytes, {} expected, first difference at {first:?}",
        got.len(),
        want.len()
    );
}

fn read(buffer: &PageBuffer, from: usize, len: usize) -> Vec<u8> {
    let mut got = vec![0; len];
    buffer.read(from, &mut got).unwrap();
    got
}

/// One transfer without auto-initialize over a two-MDL chain, with a completion routine:
/// it runs once, with `Complete`, and the data moved exactly.
pub fn single_transfer_completes_once(system: &DmaSystem, channel: u32, transfer: TransferType) {
    let len = 3 * PAGE;
    let (adapter, regs) = system
        .get_dma_adapter(&v3(channel, len as u32, false))
        .unwrap();
    let buffer = guarded_buffer(system, 5);
    let chain = chain_of(&buffer);
    let data = pattern(len, channel as u8);
    let ch = channel as usize;
    if transfer == TransferType::Read {
        buffer.write(PAGE, &data).unwrap();
    }
    let base = grant(&adapter, regs);
    let (log, routine) = recorder();
    let mapped = adapter
        .map_transfer_ex(&chain, base, 0, 0, len, transfer, Some(routine))
        .unwrap();
    assert_eq!(
        mapped.length, len,
        "one map_transfer_ex maps the whole chain"
    );
    match transfer {
        TransferType::Write => system.with_devices(|d| d.push_source(ch, &data)).unwrap(),
        _ => system
            .with_devices(|d| d.grant_sink(ch, len as u64))
            .unwrap(),
    }
    run_until(system, 500, 200, || !statuses(&log).is_empty());
    system.with_devices(|d| d.idle(5_000)).unwrap();
    assert_eq!(statuses(&log), vec![DmaCompletionStatus::Complete]);
    assert!(!system.irq().unwrap(), "the interrupt was acknowledged");
    adapter
        .flush_adapter_buffers_ex(&chain, base, 0, len, transfer)
        .unwrap();
    assert_eq!(statuses(&log).len(), 1, "the flush does not call it again");
    match transfer {
        TransferType::Write => same(&read(&buffer, PAGE, len), &data, "memory"),
        _ => same(
            &system.with_devices(|d| d.take_sink(ch)).unwrap(),
            &data,
            "device",
        ),
    }
    same(&read(&buffer, 0, PAGE), &[GUARD; PAGE], "guard page 0");
    same(
        &read(&buffer, 4 * PAGE, PAGE),
        &[GUARD; PAGE],
        "guard page 4",
    );
    adapter
        .free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
    adapter.put_dma_adapter().unwrap();
}

/// A transfer over pages 1–3 whose middle map register is invalidated after the mapping: the
/// channel halts at the first byte of that page, the routine runs once with `Error`, the flush
/// reports the same fault. Device → memory: nothing outside page 1 changes and the device
/// keeps the units that did not move; memory → device: the device gets page 1 exactly and
/// memory is untouched.
pub fn fault_mid_transfer_completes_with_error(
    system: &DmaSystem,
    channel: u32,
    transfer: TransferType,
) {
    let len = 3 * PAGE;
    let (adapter, regs) = system
        .get_dma_adapter(&v3(channel, len as u32, false))
        .unwrap();
    let buffer = guarded_buffer(system, 5);
    let chain = chain_of(&buffer);
    let data = pattern(len, 0x3C);
    let ch = channel as usize;
    if transfer == TransferType::Read {
        buffer.write(PAGE, &data).unwrap();
    }
    let base = grant(&adapter, regs);
    let (log, routine) = recorder();
    let mapped = adapter
        .map_transfer_ex(&chain, base, 0, 0, len, transfer, Some(routine))
        .unwrap();
    // Unmap the second page under the running transfer.
    let hole = (mapped.logical_address as usize / PAGE) + 1;
    system
        .with_backend(|b| b.write32(mapdma_host::regmap::MAP.at(hole), 0))
        .unwrap();
    match transfer {
        TransferType::Write => system.with_devices(|d| d.push_source(ch, &data)).unwrap(),
        _ => system
            .with_devices(|d| d.grant_sink(ch, len as u64))
            .unwrap(),
    }
    run_until(system, 500, 200, || !statuses(&log).is_empty());
    system.with_devices(|d| d.idle(5_000)).unwrap();
    let at = (hole * PAGE) as u32;
    let expected = DmaCompletionStatus::Error {
        cause: FaultCause::Invalid,
        logical_address: at,
    };
    assert_eq!(statuses(&log), vec![expected]);
    assert!(!system.irq().unwrap(), "the fault was acknowledged");
    if transfer == TransferType::Write {
        let pending = system.with_devices(|d| d.source_pending(ch)).unwrap();
        assert_eq!(pending, 2 * PAGE, "no unit moved past the unmapped page");
    }
    match adapter.flush_adapter_buffers_ex(&chain, base, 0, len, transfer) {
        Err(DmaError::TransferFault {
            cause: FaultCause::Invalid,
            logical_address,
            ..
        }) => assert_eq!(logical_address, at),
        other => panic!("the flush reports the fault, got {other:?}"),
    }
    assert_eq!(statuses(&log).len(), 1, "once, not again at the flush");
    let mut untouched = vec![0, 4];
    match transfer {
        TransferType::Write => {
            same(
                &read(&buffer, PAGE, PAGE),
                &data[..PAGE],
                "the page before the hole",
            );
            untouched.extend([2, 3]);
        }
        _ => {
            let got = system.with_devices(|d| d.take_sink(ch)).unwrap();
            same(&got, &data[..PAGE], "what the device received");
            same(&read(&buffer, PAGE, len), &data, "the pages read");
        }
    }
    for page in untouched {
        let what = format!("page {page}");
        same(&read(&buffer, page * PAGE, PAGE), &[GUARD; PAGE], &what);
    }
    adapter
        .free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
    adapter.put_dma_adapter().unwrap();
}

/// An auto-initialize ring (device → memory) cancelled with `cancel_mapped_transfer` after its
/// first pass: the channel stops, the routine's calls are `Complete` then `Cancelled`, the
/// flush adds none, and the context maps no more.
pub fn cancel_mapped_transfer_stops_the_ring(system: &DmaSystem, channel: u32) {
    let ch = channel as usize;
    let ring = 8192;
    let (adapter, regs) = system
        .get_dma_adapter(&v3(channel, ring as u32, true))
        .unwrap();
    let buffer = system.allocate_nonpaged(ring).unwrap();
    let chain = vec![buffer.mdl(0, ring).unwrap()];
    let ctx = adapter.initialize_dma_transfer_context().unwrap();
    let status = adapter
        .allocate_adapter_channel_ex(
            &DeviceObject::new(),
            &ctx,
            regs,
            AllocateFlags::SynchronousCallback,
            None,
        )
        .unwrap();
    let AllocationStatusEx::Granted(base) = status else {
        panic!("{status:?}")
    };
    let (log, routine) = recorder();
    adapter
        .map_transfer_ex(&chain, base, 0, 0, ring, TransferType::Write, Some(routine))
        .unwrap();
    system
        .with_devices(|d| d.push_source(ch, &pattern(4 * ring, 2)))
        .unwrap();
    run_until(system, 256, 1000, || statuses(&log).len() == 1);
    adapter.cancel_mapped_transfer(&ctx).unwrap();
    let left = system.with_devices(|d| d.source_pending(ch)).unwrap();
    system.with_devices(|d| d.idle(20_000)).unwrap();
    assert_eq!(
        system.with_devices(|d| d.source_pending(ch)).unwrap(),
        left,
        "the channel stopped"
    );
    assert_eq!(
        statuses(&log),
        vec![
            DmaCompletionStatus::Complete,
            DmaCompletionStatus::Cancelled
        ]
    );
    adapter
        .flush_adapter_buffers_ex(&chain, base, 0, ring, TransferType::Write)
        .unwrap();
    assert_eq!(statuses(&log).len(), 2, "the flush does not call it again");
    assert_eq!(
        adapter.map_transfer_ex(&chain, base, 0, 0, ring, TransferType::Write, None),
        Err(DmaError::TransferCancelled)
    );
    assert!(matches!(
        adapter.cancel_mapped_transfer(&ctx),
        Err(DmaError::NothingMapped { .. })
    ));
    adapter.free_adapter_channel().unwrap();
    adapter.put_dma_adapter().unwrap();
}
