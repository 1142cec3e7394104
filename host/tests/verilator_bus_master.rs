//! Bus-master DMA on the Verilator model through the bus-master port (hdl/DESIGN.md §8): the
//! host hands out logical addresses (`map_transfer` for a packet larger than the adapter's
//! NumberOfMapRegisters, `get_scatter_gather_list` for a scatter/gather master) and the
//! simulated bus-master device (`mapdma_sim::bus_master`) moves the data at exactly those
//! addresses. Guard bytes at both ends of the buffer; after `flush_adapter_buffers` the map
//! registers are invalid and the port refuses the same addresses.

use std::sync::{Arc, Mutex};

use mapdma_host::backend::verilator::VerilatorBackend;
use mapdma_host::scenario::stream_byte;
use mapdma_host::{
    DeviceDescription, DeviceObject, DmaAdapter, DmaSystem, IoAllocationAction, MapRegisterBase,
    TransferType,
};
use mapdma_regmap as rm;
use mapdma_regmap::Config;
use mapdma_sim::axi::Resp;
use mapdma_sim::bus_master::{Job, JobResult};

const GUARD: usize = 100;
const GUARD_BYTE: u8 = 0xEE;

fn open() -> DmaSystem {
    let backend = VerilatorBackend::new(Config::default()).unwrap();
    DmaSystem::open(Box::new(backend)).unwrap()
}

fn verilator<R>(system: &DmaSystem, f: impl FnOnce(&mut VerilatorBackend) -> R) -> R {
    system.with_backend(|b| f(b.as_any_mut().unwrap().downcast_mut().unwrap()))
}

/// Runs one job on the bus-master device to its end.
fn device_job(system: &DmaSystem, job: Job) -> JobResult {
    verilator(system, |v| {
        let s = v.system_mut();
        let j = s.bus_master.push(job).unwrap();
        s.run_until(200_000, "bus-master job", |s| s.bus_master.idle())
            .unwrap();
        s.bus_master.result(j).unwrap().clone()
    })
}

fn allocate(adapter: &DmaAdapter, device: &DeviceObject, registers: u32) -> MapRegisterBase {
    let slot = Arc::new(Mutex::new(None));
    let s = slot.clone();
    adapter
        .allocate_adapter_channel(device, registers, move |_, base| {
            *s.lock().unwrap() = Some(base);
            IoAllocationAction::DeallocateObjectKeepRegisters
        })
        .unwrap();
    let base = slot.lock().unwrap().take();
    base.expect("registers were free, so the routine ran at once")
}

#[test]
fn packet_bus_master_dma_through_the_map_transfer_loop_both_ways() {
    let system = open();
    let page = system.config().page_size() as usize;
    let (adapter, registers) = system
        .get_dma_adapter(&DeviceDescription::bus_master(4 * page as u32, false))
        .unwrap();
    assert_eq!(registers, 5);
    let buffer = system.allocate_nonpaged(24 * page).unwrap();
    let len = buffer.len() - 2 * GUARD;
    buffer.write(0, &vec![GUARD_BYTE; buffer.len()]).unwrap();
    let payload: Vec<u8> = (0..len as u64).map(|i| stream_byte(3, i)).collect();
    let mdl = buffer.mdl(GUARD, len).unwrap();
    let device = DeviceObject::new();
    let base = allocate(&adapter, &device, registers);

    // Device → memory, piece by piece: map, let the device write, flush.
    let mut pieces = 0;
    let mut current_va = 0;
    while current_va < len {
        let want = (len - current_va).min(page * registers as usize);
        let (logical, n) = adapter
            .map_transfer(&mdl, base, current_va, want, TransferType::Write)
            .unwrap();
        let r = device_job(
            &system,
            Job::Write {
                addr: logical as u32,
                data: payload[current_va..current_va + n].to_vec(),
            },
        );
        assert_eq!(
            (r.resp, r.refused),
            (Resp::Okay, 0),
            "piece at {current_va}"
        );
        adapter
            .flush_adapter_buffers(&mdl, base, current_va, n, TransferType::Write)
            .unwrap();
        // The flushed registers are invalid: the same address is refused now.
        let again = device_job(
            &system,
            Job::Read {
                addr: logical as u32,
                len: 4,
            },
        );
        assert_eq!(again.resp, Resp::DecErr);
        current_va += n;
        pieces += 1;
    }
    assert!(pieces >= 5, "{pieces} pieces");
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
    assert!(all[GUARD..GUARD + len] == payload[..], "data");

    // Memory → device through the same loop.
    let mut got = Vec::new();
    let mut current_va = 0;
    while current_va < len {
        let want = (len - current_va).min(page * registers as usize);
        let (logical, n) = adapter
            .map_transfer(&mdl, base, current_va, want, TransferType::Read)
            .unwrap();
        // A read mapping is read-only for the device: a write is refused, memory untouched.
        let w = device_job(
            &system,
            Job::Write {
                addr: logical as u32,
                data: vec![0; 4],
            },
        );
        assert_eq!(w.resp, Resp::SlvErr);
        let r = device_job(
            &system,
            Job::Read {
                addr: logical as u32,
                len: n as u32,
            },
        );
        assert_eq!(r.resp, Resp::Okay);
        got.extend_from_slice(&r.data);
        adapter
            .flush_adapter_buffers(&mdl, base, current_va, n, TransferType::Read)
            .unwrap();
        current_va += n;
    }
    assert!(got == payload, "device read the buffer");
    buffer.read(0, &mut all).unwrap();
    assert!(
        all[GUARD..GUARD + len] == payload[..],
        "refused writes changed nothing"
    );
    // The refused bursts are on record.
    let cfg = system.config();
    let rec = verilator(&system, |v| {
        v.system_mut().axil_read(rm::BM_FAULT.offset).unwrap()
    });
    assert_ne!(rm::bm_fault::CAUSE.get(&cfg, rec), 0);
    assert!(verilator(&system, |v| v.write_violations()).is_empty());
    adapter.free_map_registers(base, registers).unwrap();
    adapter.put_dma_adapter().unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
}

#[test]
fn a_scatter_gather_list_for_a_bus_master_holds_logical_addresses_the_port_translates() {
    let system = open();
    let page = system.config().page_size() as usize;
    let (adapter, _) = system
        .get_dma_adapter(&DeviceDescription::bus_master(8 * page as u32, true))
        .unwrap();
    let buffer = system.allocate_nonpaged(6 * page).unwrap();
    let len = buffer.len() - 2 * GUARD;
    buffer.write(0, &vec![GUARD_BYTE; buffer.len()]).unwrap();
    let mdl = buffer.mdl(GUARD, len).unwrap();
    let slot = Arc::new(Mutex::new(None));
    let s = slot.clone();
    adapter
        .get_scatter_gather_list(&mdl, 0, len, TransferType::Write, move |_, list| {
            *s.lock().unwrap() = Some(list.unwrap());
        })
        .unwrap();
    let list = slot.lock().unwrap().take().expect("list built at once");
    let payload: Vec<u8> = (0..len as u64).map(|i| stream_byte(9, i)).collect();
    let mut at = 0;
    for e in list.elements() {
        let r = device_job(
            &system,
            Job::Write {
                addr: e.address as u32,
                data: payload[at..at + e.length as usize].to_vec(),
            },
        );
        assert_eq!(r.resp, Resp::Okay);
        at += e.length as usize;
    }
    assert_eq!(at, len);
    adapter
        .put_scatter_gather_list(list, TransferType::Write)
        .unwrap();
    let mut all = vec![0; buffer.len()];
    buffer.read(0, &mut all).unwrap();
    assert!(all[..GUARD].iter().all(|b| *b == GUARD_BYTE));
    assert!(all[GUARD + len..].iter().all(|b| *b == GUARD_BYTE));
    assert!(all[GUARD..GUARD + len] == payload[..]);
    assert!(verilator(&system, |v| v.write_violations()).is_empty());
    adapter.put_dma_adapter().unwrap();
}
