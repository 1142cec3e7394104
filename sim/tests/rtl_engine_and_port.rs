//! The DMA engine and the bus-master translation port at once on the rust-hdl engine (default
//! configuration): a block-mode channel streams device data into memory while the bus-master
//! device writes and reads other pages through the port, one of its writes going to a read-only
//! page. Both see the same map; neither disturbs the other.

mod common;

use common::rtl::*;
use common::Sys;
use mapdma_regmap::{self as regmap, Config, FaultCause, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi::{burst, Resp};
use mapdma_sim::axi_slave::{Access, AxiSlaveConfig};
use mapdma_sim::axil_master::AxilOp;
use mapdma_sim::bus_master::Job;
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::SystemConfig;

const ENGINE_FRAME: u32 = 0x80;
const BM_WRITE_FRAME: u32 = 0x90;
const BM_READ_FRAME: u32 = 0x92;

/// One INCR burst of 32-bit beats exactly as given (`data` empty for a read of `beats`).
fn burst_job(write: bool, addr: u32, beats: u32, data: &[u32]) -> Job {
    Job::Burst {
        write,
        addr,
        len: (beats - 1) as u8,
        size: 2,
        burst: burst::INCR as u8,
        beats: data.iter().map(|&w| (w, 0xF)).collect(),
    }
}

fn words(j: u32) -> Vec<u32> {
    (0..16).map(|k| 0xC0DE_0000 | (j << 8) | k).collect()
}

fn word_at(s: &Sys, addr: u32) -> u32 {
    s.memory.memory.read_u32(addr as u64)
}

#[test]
fn a_block_transfer_and_bus_master_bursts_run_at_once() {
    let cfg = Config::default();
    let page = cfg.page_size() as u32;
    let sys = SystemConfig {
        bm_memory: AxiSlaveConfig::default().with_latency(2),
        devices: vec![hand_device(), hand_source(0x40, 128)],
        ..SystemConfig::default()
    };
    let mut s = system(EngineKind::RustHdl, &cfg, sys).expect("rust-hdl system");
    s.bm_memory.set_logging(true);
    map(&mut s, 0, ENGINE_FRAME, true);
    map(&mut s, 8, BM_WRITE_FRAME, true);
    map(&mut s, 9, BM_READ_FRAME, false);
    for k in 0..256u32 {
        mem_write(&mut s, (BM_READ_FRAME << 12) + k, (k * 7) as u8);
    }
    // Channel 1: 128 bytes from the device into logical 0x0100, block mode, 8-bit units.
    let c = chan(
        1,
        0x0100,
        128,
        UnitWidth::Bits8,
        TransferType::Write,
        ServiceMode::Block,
    );
    program(&mut s, &c);
    // The device: 4 writes of 16 words to page 8, 4 reads of 8 words from page 9, a write to
    // the read-only page 9.
    let mut write_jobs = vec![];
    let mut read_jobs = vec![];
    for j in 0..4 {
        let w = burst_job(true, 8 * page + 64 * j, 16, &words(j));
        write_jobs.push(s.bus_master.push(w).unwrap());
        let r = burst_job(false, 9 * page + 32 * j, 8, &[]);
        read_jobs.push(s.bus_master.push(r).unwrap());
    }
    let refused = burst_job(true, 9 * page + 0x10, 2, &[1, 2]);
    write_jobs.push(s.bus_master.push(refused).unwrap());

    // Unmask channel 1 and run clock by clock, keeping the port's W beats into memory after
    // every clock: w_after[i] counts those up to clock `base + i - 1`.
    s.devices[1].hold_dreq(true);
    s.axil.push(AxilOp::Write {
        addr: regmap::SINGLE_MASK.offset,
        data: 1,
        strb: 0xF,
    });
    let base = s.cycle();
    let mut w_after = vec![s.bm_memory.stats().w_beats];
    while !(source_left(&s, 1) == 0 && s.bus_master.idle() && s.axil.idle()) {
        assert!(w_after.len() < 2000, "transfer and bursts not done");
        step(&mut s);
        w_after.push(s.bm_memory.stats().w_beats);
        // Block mode: DREQ is held until the first unit is acknowledged, then may drop.
        if s.devices[1].sent_total() > 0 {
            s.devices[1].hold_dreq(false);
        }
    }
    assert_eq!(s.axil.pop_done().map(|d| d.resp), Some(Resp::Okay));
    run(&mut s, 10);

    // The engine: every byte in place, one unit per clock, terminal count.
    for i in 0..128u32 {
        let a = (ENGINE_FRAME << 12) + 0x100 + i;
        assert_eq!(mem_read(&s, a), (0x40 + i) as u8);
    }
    let t = taken_at(&s, 1);
    assert!(t.windows(2).all(|w| w[1] == w[0] + 1), "gaps in {t:?}");
    assert_eq!(snap(&mut s, 1), (0xFFFF, 1));
    // The port: translated writes landed, reads returned the frame, the refused write left
    // it alone and was recorded.
    for j in 0..4u32 {
        for (k, w) in words(j).iter().enumerate() {
            let a = (BM_WRITE_FRAME << 12) + 64 * j + 4 * k as u32;
            assert_eq!(word_at(&s, a), *w, "word {k} of write {j}");
        }
    }
    for (j, &job) in read_jobs.iter().enumerate() {
        let d = s.bus_master.result(job).expect("read finished");
        assert_eq!(d.responses, [Resp::Okay; 8]);
        for (k, w) in d.data.chunks(4).enumerate() {
            let got = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            let a = 32 * j as u32 + 4 * k as u32;
            let want = (0..4).fold(0u32, |v, l| v | (((a + l) * 7) as u8 as u32) << (8 * l));
            assert_eq!(got, want, "word {k} of read {j}");
        }
    }
    let resps: Vec<Vec<Resp>> = write_jobs
        .iter()
        .map(|&j| {
            s.bus_master
                .result(j)
                .expect("write finished")
                .responses
                .clone()
        })
        .collect();
    let ok = vec![Resp::Okay];
    assert_eq!(
        resps,
        [ok.clone(), ok.clone(), ok.clone(), ok, vec![Resp::SlvErr]]
    );
    assert_eq!(mem_read(&s, (BM_READ_FRAME << 12) + 0x10), 0x70);
    let fault = rd(&mut s, regmap::BM_FAULT.offset);
    assert_eq!(
        regmap::bm_fault::CAUSE.get(&cfg, fault),
        FaultCause::ReadOnly as u32
    );
    assert_eq!(regmap::bm_fault::WRITE.get(&cfg, fault), 1);
    assert_eq!(rd(&mut s, regmap::BM_FAULT_ADDR.offset), 9 * page + 0x10);
    // Only the mapped frames were reached through the port (every accepted beat: 4 × 16
    // written, 4 × 8 read), and the two masters overlapped.
    let log = s.bm_memory.log();
    assert_eq!(log.len(), 4 * 16 + 4 * 8);
    assert!(log.iter().all(|b| b.addr >> 12
        == if b.access == Access::Write {
            BM_WRITE_FRAME
        } else {
            BM_READ_FRAME
        }));
    let (first, last) = (t[0], t[t.len() - 1]);
    assert!(
        first >= base,
        "the first unit moved after the unmask was queued"
    );
    let at = |c: u64| w_after[(c - base) as usize];
    let overlap = at(last + 1) - at(first);
    assert!(
        overlap >= 16,
        "port W beats during the block transfer: {overlap}"
    );
}
