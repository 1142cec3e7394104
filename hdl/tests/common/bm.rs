//! The bus-master side of the rust-hdl bench: a bus-master device on `s_bm_axi_*` (one burst
//! per direction at a time, INCR, 32-bit beats, VALID held until READY) and the memory
//! front-end on `m_bm_axi_*`, which reads and writes the bench's memory (the same memory the
//! engine uses, as an interconnect would merge the two masters) with a fixed latency.

use mapdma_hdl::MapDma;
use rust_hdl::prelude::*;
use std::collections::{BTreeMap, VecDeque};

/// One burst of the device; `data` holds the W words of a write.
#[derive(Clone, Debug)]
pub struct BmJob {
    pub write: bool,
    pub addr: u32,
    pub beats: u32,
    pub data: Vec<u32>,
}

/// What came back for a burst: read words and every response (R beats or the B).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BmDone {
    pub data: Vec<u32>,
    pub resps: Vec<u32>,
}

#[derive(Default)]
pub struct BmSide {
    /// Memory latency in clocks.
    pub latency: u64,
    reads: VecDeque<BmJob>,
    writes: VecDeque<BmJob>,
    /// The burst offered or in progress per direction, and what came back so far.
    read_now: Option<(BmJob, BmDone)>,
    /// The read burst's address was taken (AR stays low until its last beat).
    ar_sent: bool,
    write_now: Option<(BmJob, BmDone, bool, usize)>,
    pub read_done: Vec<BmDone>,
    pub write_done: Vec<BmDone>,
    // Memory front-end: translated bursts (address, beats left) and due responses.
    mem_aw: VecDeque<(u32, u32)>,
    mem_r: VecDeque<(u64, u32, bool)>,
    mem_b: VecDeque<u64>,
    /// Physical addresses of every translated burst (reads, writes).
    pub translated: Vec<(bool, u32, u32)>,
    /// Clocks in which a W beat reached memory through the port.
    pub w_cycles: Vec<u64>,
}

impl BmSide {
    pub fn new(latency: u64) -> Self {
        BmSide {
            latency,
            ..Default::default()
        }
    }

    pub fn push(&mut self, job: BmJob) {
        if job.write {
            self.writes.push_back(job);
        } else {
            self.reads.push_back(job);
        }
    }

    pub fn idle(&self) -> bool {
        self.reads.is_empty()
            && self.writes.is_empty()
            && self.read_now.is_none()
            && self.write_now.is_none()
    }

    /// Drives the device's and the memory's inputs for this clock.
    pub fn drive(&mut self, u: &mut MapDma, cycle: u64) {
        if self.read_now.is_none() {
            self.read_now = self.reads.pop_front().map(|j| (j, BmDone::default()));
        }
        if self.write_now.is_none() {
            self.write_now = self
                .writes
                .pop_front()
                .map(|j| (j, BmDone::default(), false, 0));
        }
        u.s_bm_axi_arvalid.next = self.read_now.is_some() && !self.ar_sent;
        if let Some((j, _)) = &self.read_now {
            u.s_bm_axi_araddr.next = j.addr.to_bits();
            u.s_bm_axi_arlen.next = ((j.beats - 1) as u64).to_bits();
        }
        u.s_bm_axi_arsize.next = 2.into();
        u.s_bm_axi_arburst.next = 1.into();
        u.s_bm_axi_rready.next = true;
        u.s_bm_axi_bready.next = true;
        u.s_bm_axi_awsize.next = 2.into();
        u.s_bm_axi_awburst.next = 1.into();
        u.s_bm_axi_awvalid.next = false;
        u.s_bm_axi_wvalid.next = false;
        if let Some((j, _, aw_taken, sent)) = &self.write_now {
            u.s_bm_axi_awvalid.next = !aw_taken;
            u.s_bm_axi_awaddr.next = j.addr.to_bits();
            u.s_bm_axi_awlen.next = ((j.beats - 1) as u64).to_bits();
            if *sent < j.data.len() {
                u.s_bm_axi_wvalid.next = true;
                u.s_bm_axi_wdata.next = j.data[*sent].to_bits();
                u.s_bm_axi_wstrb.next = 0xF.into();
                u.s_bm_axi_wlast.next = *sent + 1 == j.data.len();
            }
        }
        // Memory: always ready; responses when due.
        u.m_bm_axi_arready.next = true;
        u.m_bm_axi_awready.next = true;
        u.m_bm_axi_wready.next = !self.mem_aw.is_empty();
        let r = self.mem_r.front().filter(|r| r.0 <= cycle);
        u.m_bm_axi_rvalid.next = r.is_some();
        if let Some(&(_, data, last)) = r {
            u.m_bm_axi_rdata.next = data.to_bits();
            u.m_bm_axi_rlast.next = last;
        }
        u.m_bm_axi_rresp.next = 0.into();
        u.m_bm_axi_bvalid.next = self.mem_b.front().is_some_and(|&t| t <= cycle);
        u.m_bm_axi_bresp.next = 0.into();
    }

    /// Takes this clock's handshakes (after the design settled with this clock's inputs).
    pub fn observe(&mut self, u: &MapDma, mem: &mut BTreeMap<u32, u8>, cycle: u64) {
        let word = |mem: &BTreeMap<u32, u8>, a: u32| {
            (0..4).fold(0u32, |w, k| {
                w | (*mem.get(&(a + k)).unwrap_or(&0) as u32) << (8 * k)
            })
        };
        // Device side.
        if u.s_bm_axi_arvalid.val() && u.s_bm_axi_arready.val() {
            self.ar_sent = true;
        }
        if u.s_bm_axi_rvalid.val() {
            let (_, d) = self.read_now.as_mut().expect("R beat without a read");
            d.data.push(u.s_bm_axi_rdata.val().to_u32());
            d.resps.push(u.s_bm_axi_rresp.val().to_u32());
            if u.s_bm_axi_rlast.val() {
                let (_, d) = self.read_now.take().expect("read");
                self.read_done.push(d);
                self.ar_sent = false;
            }
        }
        if let Some((_, d, aw_taken, sent)) = &mut self.write_now {
            if u.s_bm_axi_awvalid.val() && u.s_bm_axi_awready.val() {
                *aw_taken = true;
            }
            if u.s_bm_axi_wvalid.val() && u.s_bm_axi_wready.val() {
                *sent += 1;
            }
            if u.s_bm_axi_bvalid.val() {
                d.resps.push(u.s_bm_axi_bresp.val().to_u32());
                let (_, d, _, _) = self.write_now.take().expect("write");
                self.write_done.push(d);
            }
        }
        // Memory side.
        if u.m_bm_axi_arvalid.val() {
            let a = u.m_bm_axi_araddr.val().to_u32();
            let beats = u.m_bm_axi_arlen.val().to_u32() + 1;
            self.translated.push((false, a, beats));
            for k in 0..beats {
                let data = word(mem, a + 4 * k);
                let due = cycle + self.latency + k as u64;
                self.mem_r.push_back((due, data, k + 1 == beats));
            }
        }
        if u.m_bm_axi_rvalid.val() && u.m_bm_axi_rready.val() {
            self.mem_r.pop_front();
        }
        if u.m_bm_axi_awvalid.val() {
            let a = u.m_bm_axi_awaddr.val().to_u32();
            let beats = u.m_bm_axi_awlen.val().to_u32() + 1;
            self.translated.push((true, a, beats));
            self.mem_aw.push_back((a, beats));
        }
        if u.m_bm_axi_wvalid.val() && u.m_bm_axi_wready.val() {
            let (a, left) = self.mem_aw.front_mut().expect("W beat without an AW");
            let data = u.m_bm_axi_wdata.val().to_u32();
            let strb = u.m_bm_axi_wstrb.val().to_u32();
            for k in 0..4 {
                if strb >> k & 1 != 0 {
                    mem.insert(*a + k, (data >> (8 * k)) as u8);
                }
            }
            self.w_cycles.push(cycle);
            *a += 4;
            *left -= 1;
            if *left == 0 {
                self.mem_aw.pop_front();
                self.mem_b.push_back(cycle + self.latency);
            }
        }
        if u.m_bm_axi_bvalid.val() && u.m_bm_axi_bready.val() {
            self.mem_b.pop_front();
        }
    }
}
