//! Packet-based system DMA on the Verilator model: a scattered buffer larger than the map
//! registers cover, moved by repeated map_transfer / flush_adapter_buffers with CurrentVa
//! advancing, guard bytes at both ends, both directions.

use std::sync::{Arc, Mutex};

use mapdma_host::backend::verilator::{VerilatorBackend, VerilatorOptions};
use mapdma_host::scenario::stream_byte;
use mapdma_host::{
    DeviceDescription, DeviceObject, DmaAdapter, DmaSystem, DmaWidth, IoAllocationAction,
    MapRegisterBase, Mdl, TransferType,
};
use mapdma_regmap::Config;

const GUARD: usize = 100;
const GUARD_BYTE: u8 = 0xEE;

fn open(opts: VerilatorOptions) -> DmaSystem {
    let backend = VerilatorBackend::with_options(Config::default(), opts).unwrap();
    DmaSystem::open(Box::new(backend)).unwrap()
}

fn verilator<R>(system: &DmaSystem, f: impl FnOnce(&mut VerilatorBackend) -> R) -> R {
    system.with_backend(|b| f(b.as_any_mut().unwrap().downcast_mut().unwrap()))
}

/// Allocates the channel with `registers` map registers and returns the base (KeepObject).
fn allocate(adapter: &DmaAdapter, device: &DeviceObject, registers: u32) -> MapRegisterBase {
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
fn move_packets(
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

fn run(opts: VerilatorOptions, width: DmaWidth, transfer: TransferType) {
    let system = open(opts);
    let page = system.config().page_size() as usize;
    let description = DeviceDescription::system_dma(2, width, 4 * page as u32);
    let (adapter, registers) = system.get_dma_adapter(&description).unwrap();
    assert_eq!(registers, 5);
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
    let pieces = move_packets(&system, &adapter, &mdl, base, transfer);
    assert!(pieces.len() >= 8, "{pieces:?}");
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
