//! Packet-based system DMA, shared by the reference-model and Verilator tests: a scattered
//! buffer larger than the map registers cover, moved by repeated map_transfer /
//! flush_adapter_buffers with CurrentVa advancing.

use std::sync::{Arc, Mutex};

use mapdma_host::scenario::stream_byte;
use mapdma_host::{
    DeviceDescription, DeviceObject, DmaAdapter, DmaSystem, DmaWidth, IoAllocationAction,
    MapRegisterBase, Mdl, TransferType,
};

pub const GUARD: usize = 100;
pub const GUARD_BYTE: u8 = 0xEE;

/// Allocates the channel with `registers` map registers and returns the base (KeepObject).
pub fn allocate(adapter: &DmaAdapter, device: &DeviceObject, registers: u32) -> MapRegisterBase {
    let slot = Arc::new(Mutex::new(None));
    let s = slot.clone();
    adapter
        .allocate_adapter_channel(device, registers, move |_, base| {
            *s.lock().unwrap() = Some(base);
            IoAllocationAction::KeepObject
        })
        .unwrap();
    let base = slot.lock().unwrap().take();
    base.expect("the channel was free, so the routine ran at once")
}

/// Moves the whole MDL piece by piece; returns the length of each piece.
pub fn move_packets(
    system: &DmaSystem,
    adapter: &DmaAdapter,
    mdl: &Mdl,
    base: MapRegisterBase,
    transfer: TransferType,
) -> Vec<usize> {
    let page = system.config().page_size() as usize;
    let mut pieces = Vec::new();
    let mut current_va = 0;
    while current_va < mdl.byte_count() {
        let want = (mdl.byte_count() - current_va).min(page * adapter.map_registers() as usize);
        let (logical, n) = adapter
            .map_transfer(mdl, base, current_va, want, transfer)
            .unwrap();
        assert!(n > 0 && n <= want);
        // The piece never crosses a 64 KiB logical boundary (the 8237 cannot carry).
        assert_eq!(logical >> 16, (logical + n as u64 - 1) >> 16);
        let mut polls = 0;
        while adapter.read_dma_counter().unwrap() != 0 {
            system.with_devices(|d| d.idle(16)).unwrap();
            polls += 1;
            assert!(polls < 100_000, "transfer never completed");
        }
        adapter
            .flush_adapter_buffers(mdl, base, current_va, n, transfer)
            .unwrap();
        pieces.push(n);
        current_va += n;
    }
    pieces
}

/// The packet scenario on `system`: 40 scattered pages with guard bytes, moved in pieces of at
/// most the granted map registers, every byte and both guards checked.
pub fn run(system: &DmaSystem, width: DmaWidth, transfer: TransferType) {
    let page = system.config().page_size() as usize;
    let description = DeviceDescription::system_dma(2, width, 4 * page as u32);
    let (adapter, registers) = system.get_dma_adapter(&description).unwrap();
    assert_eq!(registers, 5);
    // 40 scattered pages; the MDL leaves guard bytes at both ends.
    let buffer = system.allocate_nonpaged(40 * page).unwrap();
    let pages = buffer.pages();
    assert!(
        pages.windows(2).any(|w| w[1] != w[0] + page as u64),
        "scattered"
    );
    let len = buffer.len() - 2 * GUARD;
    buffer.write(0, &vec![GUARD_BYTE; buffer.len()]).unwrap();
    let payload: Vec<u8> = (0..len as u64).map(|i| stream_byte(7, i)).collect();
    let mdl = buffer.mdl(GUARD, len).unwrap();
    match transfer {
        TransferType::Write => system.with_devices(|d| d.push_source(2, &payload)).unwrap(),
        _ => {
            buffer.write(GUARD, &payload).unwrap();
            let units = (len / width.unit().unwrap().bytes() as usize) as u64;
            system.with_devices(|d| d.grant_sink(2, units)).unwrap();
        }
    }
    let device = DeviceObject::new();
    let base = allocate(&adapter, &device, registers);
    let pieces = move_packets(system, &adapter, &mdl, base, transfer);
    assert!(pieces.len() >= 8, "{pieces:?}");
    // The unaligned start costs a page: the first piece is shorter than 5 pages.
    assert_eq!(pieces[0], 5 * page - GUARD);
    adapter.free_adapter_channel().unwrap();

    let mut all = vec![0; buffer.len()];
    buffer.read(0, &mut all).unwrap();
    assert!(
        all[..GUARD].iter().all(|b| *b == GUARD_BYTE),
        "guard before"
    );
    assert!(
        all[GUARD + len..].iter().all(|b| *b == GUARD_BYTE),
        "guard after"
    );
    match transfer {
        TransferType::Write => assert!(all[GUARD..GUARD + len] == payload[..], "data"),
        _ => {
            let got = system.with_devices(|d| d.take_sink(2)).unwrap();
            assert!(got == payload, "device received the buffer");
        }
    }
    adapter.put_dma_adapter().unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
}
