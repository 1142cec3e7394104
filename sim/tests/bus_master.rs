//! The bus-master translation port on the Verilator model (hdl/DESIGN.md §8): a bus-master
//! device (`mapdma_sim::bus_master`) moves packets at logical addresses through many map
//! registers, with random bursts and backpressure on every channel of both of the port's buses;
//! the memory's write-permission map allows only the mapped frames (guard frames between
//! them), and the AXI4 checkers watch both buses. Refused bursts must reach the device as
//! errors and the fault record, and the DMA engine must keep working beside the port. Logical
//! page p maps to frame `bm_frame(p)`: every other frame, so guard frames sit between them.

mod common;

use common::*;
use mapdma_regmap as rm;
use mapdma_regmap::{Config, FaultCause, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi::Resp;
use mapdma_sim::axi_slave::AxiSlaveConfig;
use mapdma_sim::bm_scenario::{bm_frame, map_guarded};
use mapdma_sim::bus_master::{BusMasterConfig, Job};
use mapdma_sim::device::DeviceConfig;
use mapdma_sim::rate::Rate;
use mapdma_sim::SystemConfig;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn busy_config(seed: u64) -> SystemConfig {
    SystemConfig {
        bus_master: BusMasterConfig {
            seed,
            ..BusMasterConfig::default().with_random_backpressure(0.6)
        },
        bm_memory: AxiSlaveConfig {
            seed: seed ^ 0x55,
            read_latency: 3,
            write_latency: 2,
            ..AxiSlaveConfig::default().with_random_backpressure(0.6)
        },
        ..base_config()
    }
}

fn map_scattered(s: &mut Sys, pages: std::ops::Range<u32>) {
    map_guarded(s, pages).unwrap();
}

fn run_idle(s: &mut Sys, what: &str) {
    s.run_until(200_000, what, |s| s.bus_master.idle()).unwrap();
}

#[test]
fn packets_cross_many_map_registers_both_ways_inside_guarded_pages() {
    let cfg = Config::default();
    let ps = cfg.page_size() as u32;
    for seed in 0..3u64 {
        let mut s = verilator(&cfg, busy_config(seed));
        assert!(s.has_bus_master_port());
        map_scattered(&mut s, 1..31);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut packets = vec![];
        for _ in 0..6 {
            let start = rng.gen_range(1..20u32) * ps + 4 * rng.gen_range(0..1024u32);
            let len = 4 * rng.gen_range(1..(3 * ps / 4));
            let data: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            let job = s
                .bus_master
                .push(Job::Write {
                    addr: start,
                    data: data.clone(),
                })
                .unwrap();
            packets.push((start, data, job));
        }
        run_idle(&mut s, "device writes");
        for (start, _, job) in &packets {
            let r = s.bus_master.result(*job).unwrap();
            assert_eq!((r.resp, r.refused), (Resp::Okay, 0), "write at {start:#x}");
        }
        // Later packets may overwrite earlier ones: check the final image page by page.
        let mut image = std::collections::BTreeMap::new();
        for (start, data, _) in &packets {
            for (k, b) in data.iter().enumerate() {
                image.insert(start + k as u32, *b);
            }
        }
        for (&l, &b) in &image {
            let phys = bm_frame(l / ps) as u64 * ps as u64 + (l % ps) as u64;
            assert_eq!(s.memory.memory.read_u8(phys), b, "logical {l:#x}");
        }
        assert_eq!(s.memory.permissions.violations(), &[]);
        // Read every packet back through the map.
        let jobs: Vec<_> = packets
            .iter()
            .map(|(start, data, _)| {
                let job = s
                    .bus_master
                    .push(Job::Read {
                        addr: *start,
                        len: data.len() as u32,
                    })
                    .unwrap();
                (*start, data.len(), job)
            })
            .collect();
        run_idle(&mut s, "device reads");
        for (start, len, job) in jobs {
            let r = s.bus_master.result(job).unwrap();
            assert_eq!(r.resp, Resp::Okay);
            let want: Vec<u8> = (0..len as u32).map(|k| image[&(start + k)]).collect();
            assert_eq!(r.data, want, "read at {start:#x}");
        }
        let (dev, mem) = s.bm_checked_handshakes();
        assert!(dev > 1000 && mem > 1000, "{dev} {mem} handshakes");
    }
}

#[test]
fn refused_bursts_reach_the_device_as_errors_and_the_fault_record() {
    let cfg = Config::default();
    let ps = cfg.page_size() as u32;
    let mut s = verilator(&cfg, busy_config(9));
    map_scattered(&mut s, 1..3);
    // Page 3 read-only, page 4 invalid (never written), page 40 beyond the map registers.
    s.map_pages(3, 1, bm_frame(3), false).unwrap();
    let ro_frame = bm_frame(3) as u64 * ps as u64;
    s.memory.memory.write(ro_frame, &[0x5A; 16]);
    let good = s
        .bus_master
        .push(Job::Write {
            addr: ps + 16,
            data: vec![7; 64],
        })
        .unwrap();
    let ro = s
        .bus_master
        .push(Job::Write {
            addr: 3 * ps,
            data: vec![1; 16],
        })
        .unwrap();
    let invalid = s
        .bus_master
        .push(Job::Read {
            addr: 4 * ps + 8,
            len: 32,
        })
        .unwrap();
    let out = s
        .bus_master
        .push(Job::Read {
            addr: 40 * ps,
            len: 4,
        })
        .unwrap();
    let ro_read = s
        .bus_master
        .push(Job::Read {
            addr: 3 * ps,
            len: 16,
        })
        .unwrap();
    run_idle(&mut s, "device jobs");
    let r = |s: &Sys, j| s.bus_master.result(j).unwrap().clone();
    assert_eq!(r(&s, good).resp, Resp::Okay);
    let ro_r = r(&s, ro);
    assert_eq!(ro_r.resp, Resp::SlvErr);
    assert!(ro_r.refused >= 1);
    assert_eq!(r(&s, invalid).resp, Resp::DecErr);
    assert_eq!(r(&s, out).resp, Resp::DecErr);
    // A read-only page may be read.
    let rr = r(&s, ro_read);
    assert_eq!((rr.resp, rr.data), (Resp::Okay, vec![0x5A; 16]));
    // Nothing reached the read-only frame, and no write left the mapped frames.
    let mut buf = [0u8; 16];
    s.memory.memory.read(ro_frame, &mut buf);
    assert_eq!(buf, [0x5A; 16]);
    assert_eq!(s.memory.permissions.violations(), &[]);
    // The fault record holds the first refusal: the write to the read-only page (the reads
    // were issued after it on their own channel, but AW and AR race: accept either).
    let rec = s.axil_read(rm::BM_FAULT.offset).unwrap();
    let addr = s.axil_read(rm::BM_FAULT_ADDR.offset).unwrap();
    let cause = rm::bm_fault::CAUSE.get(&cfg, rec);
    let write = rm::bm_fault::WRITE.get(&cfg, rec) == 1;
    assert!(
        [
            (FaultCause::ReadOnly as u32, true, 3 * ps),
            (FaultCause::Invalid as u32, false, 4 * ps + 8),
        ]
        .contains(&(cause, write, addr)),
        "{cause} {write} {addr:#x}"
    );
    let int = s.axil_read(rm::INT_STATUS.offset).unwrap();
    assert_eq!(rm::int_status::BM_FAULT.get(&cfg, int), 1);
    assert!(s.irq.level(), "interrupt raised");
    s.axil_write(rm::INT_STATUS.offset, rm::int_status::BM_FAULT.put(&cfg, 1))
        .unwrap();
    assert_eq!(s.axil_read(rm::BM_FAULT.offset).unwrap(), 0);
    s.run(4).unwrap();
    assert!(!s.irq.level(), "interrupt cleared");
}

#[test]
fn the_dma_engine_and_the_bus_master_run_at_once() {
    let cfg = Config::default();
    let ps = cfg.page_size() as u32;
    let mut sys = busy_config(5);
    sys.devices = vec![DeviceConfig::source(
        Rate::Random(0.8),
        None,
        ServiceMode::Demand,
    )];
    let mut s = verilator(&cfg, sys);
    // Channel 0 writes 2000 bytes at logical page 0 (frame FRAME); the device at pages 8..16.
    let units = 500;
    let base = phys(&cfg, 0);
    s.memory.permissions.allow(base..base + 4 * units as u64);
    s.map_pages(0, 1, FRAME, true).unwrap();
    map_scattered(&mut s, 8..16);
    s.program_channel(&setup(
        0,
        units,
        UnitWidth::Bits32,
        TransferType::Write,
        false,
        ServiceMode::Demand,
    ))
    .unwrap();
    let data: Vec<u8> = (0..6 * ps).map(|k| (k * 7 + 3) as u8).collect();
    let job = s
        .bus_master
        .push(Job::Write {
            addr: 9 * ps + 256,
            data: data.clone(),
        })
        .unwrap();
    s.set_mask(0, false).unwrap();
    s.run_until(100_000, "both done", |s| {
        s.bus_master.idle() && !s.devices[0].eop_out().is_empty()
    })
    .unwrap();
    assert_eq!(s.bus_master.result(job).unwrap().resp, Resp::Okay);
    for (k, b) in data.iter().enumerate() {
        let l = 9 * ps + 256 + k as u32;
        let phys = bm_frame(l / ps) as u64 * ps as u64 + (l % ps) as u64;
        assert_eq!(s.memory.memory.read_u8(phys), *b);
    }
    let sent = s.devices[0].sent().to_vec();
    assert_eq!(sent.len(), units as usize);
    for (k, &(_, v)) in sent.iter().enumerate() {
        assert_eq!(s.memory.memory.read_u32(base + 4 * k as u64), v);
    }
    assert_eq!(s.memory.permissions.violations(), &[]);
}
