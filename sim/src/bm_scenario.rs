//! The bus-master port's scenario and throughput bench (hdl/DESIGN.md §8), shared by
//! `mapdma sim --scenario bus-master`, `mapdma bench sim` and the tests.
//!
//! Logical page `p` of the scenario maps to physical frame [`bm_frame`]`(p)`: every other
//! frame, so each mapped page sits between two unmapped guard frames, and the memory's
//! write-permission map allows the mapped frames only.

use crate::axi::Resp;
use crate::axi_slave::AxiSlaveConfig;
use crate::bus_master::{BusMasterConfig, Job};
use crate::engine::Engine;
use crate::system::{SimError, System, SystemConfig};
use mapdma_regmap::Config;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// Physical frame of logical page `p`: every other frame from 0x200.
pub fn bm_frame(p: u32) -> u32 {
    0x200 + 2 * p
}

/// The bench of the scenario: memory latency, and the probability that each READY/VALID the
/// device and the memory control is high in a clock (1.0: no backpressure).
pub fn bus_master_config(seed: u64, latency: u32, ready: f64) -> SystemConfig {
    let mut dev = BusMasterConfig {
        seed,
        ..BusMasterConfig::default()
    };
    let mut mem = AxiSlaveConfig {
        seed: seed ^ 0x55,
        log: false,
        ..AxiSlaveConfig::default().with_latency(latency)
    };
    if ready < 1.0 {
        dev = dev.with_random_backpressure(ready);
        mem = mem.with_random_backpressure(ready);
    }
    SystemConfig {
        bus_master: dev,
        bm_memory: mem,
        ..SystemConfig::default()
    }
}

/// The bench of [`bus_master_beats_per_clock`]: no backpressure, memory latency `latency`,
/// every burst 16 beats.
pub fn bench_config(latency: u32) -> SystemConfig {
    let mut sys = bus_master_config(1, latency, 1.0);
    sys.bus_master.min_beats = 16;
    sys.bus_master.max_beats = 16;
    sys
}

/// Maps logical pages `pages` writable to [`bm_frame`] and allows writes to those frames only.
pub fn map_guarded<E: Engine>(
    s: &mut System<E>,
    pages: std::ops::Range<u32>,
) -> Result<(), SimError> {
    let ps = s.config().page_size();
    for p in pages {
        s.map_pages(p as usize, 1, bm_frame(p), true)?;
        let base = bm_frame(p) as u64 * ps;
        s.memory.permissions.allow(base..base + ps);
    }
    Ok(())
}

/// What the scenario moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusMasterRecord {
    pub packets: usize,
    pub bytes: u64,
    pub clocks: u64,
    /// Handshakes the port's two checkers saw (device side, memory side).
    pub handshakes: (u64, u64),
}

fn unsupported(m: String) -> SimError {
    SimError::Unsupported(m)
}

/// Writes `packets` random packets (up to three pages each, at random word offsets) through
/// the port, reads them back, and checks the device's data, the physical memory behind the
/// map, and that no write left the mapped frames.
pub fn bus_master_packets<E: Engine>(
    s: &mut System<E>,
    seed: u64,
    packets: usize,
) -> Result<BusMasterRecord, SimError> {
    if !s.has_bus_master_port() {
        return Err(unsupported(
            "this configuration has no bus-master port (--bus-master-port true)".into(),
        ));
    }
    let cfg: Config = *s.config();
    let ps = cfg.page_size() as u32;
    let pages = cfg.map_registers as u32;
    if pages < 8 {
        return Err(unsupported(format!(
            "the bus-master scenario needs 8 map registers or more, not {pages}"
        )));
    }
    map_guarded(s, 0..pages)?;
    let start_clock = s.cycle();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut image: BTreeMap<u32, u8> = BTreeMap::new();
    let mut jobs = vec![];
    for _ in 0..packets {
        let len = 4 * rng.gen_range(1..=(3 * ps / 4).min((pages - 1) * ps / 4));
        let last_start = pages * ps - len;
        let start = 4 * rng.gen_range(0..=last_start / 4);
        let data: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        for (k, b) in data.iter().enumerate() {
            image.insert(start + k as u32, *b);
        }
        let job = s
            .bus_master
            .push(Job::Write { addr: start, data })
            .map_err(unsupported)?;
        jobs.push((start, len, job));
    }
    let limit = 400 * image.len() as u64 + 10_000;
    s.run_until(limit, "bus-master writes", |s| s.bus_master.idle())?;
    let mut reads = vec![];
    for &(start, len, job) in &jobs {
        let r = s.bus_master.result(job).expect("finished");
        if r.resp != Resp::Okay {
            return Err(unsupported(format!(
                "write of {len} bytes at logical {start:#x} answered {:?}",
                r.resp
            )));
        }
        let j = s
            .bus_master
            .push(Job::Read { addr: start, len })
            .map_err(unsupported)?;
        reads.push((start, len, j));
    }
    s.run_until(limit, "bus-master reads", |s| s.bus_master.idle())?;
    for (start, len, job) in reads {
        let r = s.bus_master.result(job).expect("finished");
        let want: Vec<u8> = (0..len).map(|k| image[&(start + k)]).collect();
        if r.resp != Resp::Okay || r.data != want {
            return Err(unsupported(format!(
                "read of {len} bytes at logical {start:#x}: {:?}, data {}",
                r.resp,
                if r.data == want { "right" } else { "wrong" }
            )));
        }
    }
    for (&l, &b) in &image {
        let phys = bm_frame(l / ps) as u64 * ps as u64 + (l % ps) as u64;
        if s.memory.memory.read_u8(phys) != b {
            return Err(unsupported(format!(
                "logical {l:#x} (physical {phys:#x}) does not hold the byte written"
            )));
        }
    }
    if let Some(v) = s.memory.permissions.violations().first() {
        return Err(unsupported(format!(
            "a write outside the mapped frames: {v:?}"
        )));
    }
    Ok(BusMasterRecord {
        packets,
        bytes: 2 * jobs.iter().map(|j| j.1 as u64).sum::<u64>(),
        clocks: s.cycle() - start_clock,
        handshakes: s.bm_checked_handshakes(),
    })
}

/// Beats per clock through the port with no backpressure: the device reads (or writes)
/// `pages` whole pages (in the bursts its configuration gives it: [`bench_config`] makes them
/// 16 beats); beats over the clocks from the first address to the last response.
pub fn bus_master_beats_per_clock<E: Engine>(
    s: &mut System<E>,
    write: bool,
    pages: u32,
) -> Result<(u64, u64), SimError> {
    let ps = s.config().page_size() as u32;
    map_guarded(s, 0..pages)?;
    let len = pages * ps;
    let job = if write {
        Job::Write {
            addr: 0,
            data: vec![0xA5; len as usize],
        }
    } else {
        Job::Read { addr: 0, len }
    };
    let beats0 = s.bus_master.r_beats + s.bus_master.w_beats;
    s.bus_master.push(job).map_err(unsupported)?;
    let clocks = s.run_until(100 * len as u64, "bus-master stream", |s| {
        s.bus_master.idle()
    })?;
    let beats = s.bus_master.r_beats + s.bus_master.w_beats - beats0;
    Ok((beats, clocks))
}
