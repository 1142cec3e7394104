//! A bus-master device on the port `s_bm_axi_*` (hdl/DESIGN.md §8): an AXI4 master (one ID)
//! that runs a list of jobs — read or write a logical byte range — as INCR bursts of random
//! length (1..=16 beats, never leaving a page), with random gaps on AR, AW and W, W data
//! sometimes ahead of its AW, and random RREADY/BREADY. It records every response, so a test
//! compares the data it read, and sees which bursts were refused.
//!
//! Moore-style like the other models: what it drives in a clock was decided at the previous
//! edge. The protocol checker on its bus is the system's, not the model's own opinion.

use crate::axi::{burst, AxiMasterSignals, AxiSlaveSignals, Resp};
use crate::rate::{Rate, RateGen};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

/// One transfer the device performs at logical addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    /// Read `len` bytes from logical `addr` (word aligned, a multiple of 4).
    Read { addr: u32, len: u32 },
    /// Write `data` (a multiple of 4 bytes) to logical `addr` (word aligned).
    Write { addr: u32, data: Vec<u8> },
    /// One burst exactly as given, for tests of the port's checks: any address, AXLEN, AXSIZE
    /// and AXBURST (the bus's protocol checker still applies its AXI4 rules); a write carries
    /// one (data, strobe) pair per beat, AXLEN + 1 of them.
    Burst {
        write: bool,
        addr: u32,
        len: u8,
        size: u8,
        burst: u8,
        beats: Vec<(u32, u8)>,
    },
}

/// Timing of the device.
#[derive(Clone, Debug, PartialEq)]
pub struct BusMasterConfig {
    /// When AR, AW and W offer a new request or beat.
    pub a_valid: Rate,
    pub w_valid: Rate,
    /// RREADY and BREADY.
    pub ready: Rate,
    /// Bytes of a page: no burst leaves one (the port refuses those).
    pub page_bytes: u32,
    /// Shortest and longest burst in beats (1..=16); each burst's length is random between
    /// them (a burst is cut shorter only where its page or its job ends).
    pub min_beats: u32,
    pub max_beats: u32,
    pub seed: u64,
}

impl Default for BusMasterConfig {
    fn default() -> Self {
        BusMasterConfig {
            a_valid: Rate::Always,
            w_valid: Rate::Always,
            ready: Rate::Always,
            page_bytes: 4096,
            min_beats: 1,
            max_beats: 16,
            seed: 1,
        }
    }
}

impl BusMasterConfig {
    /// Random gaps and backpressure on every channel, probability `p` of offering/accepting.
    pub fn with_random_backpressure(mut self, p: f64) -> Self {
        for r in [&mut self.a_valid, &mut self.w_valid, &mut self.ready] {
            *r = Rate::Random(p);
        }
        self
    }
}

/// One burst as the device issued it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BmBurst {
    pub write: bool,
    pub addr: u32,
    pub beats: u32,
    /// AXSIZE and AXBURST.
    pub size: u8,
    pub burst: u8,
    /// Index of the job it belongs to.
    pub job: usize,
}

/// What came back for one job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobResult {
    /// Bytes read (reads), in order; refused beats read as their data (0).
    pub data: Vec<u8>,
    /// The worst response of any of its bursts.
    pub resp: Resp,
    /// Bursts answered with an error.
    pub refused: u32,
    /// Every R beat's response (reads) or B response (writes), in order.
    pub responses: Vec<Resp>,
}

/// The device.
pub struct BusMaster {
    cfg: BusMasterConfig,
    rng: StdRng,
    a_rate: RateGen,
    w_rate: RateGen,
    ready_rate: RateGen,
    /// Bursts not yet offered, per direction.
    ar_q: VecDeque<BmBurst>,
    aw_q: VecDeque<BmBurst>,
    /// W beats not yet offered (data, strobe, last).
    w_q: VecDeque<(u32, u8, bool)>,
    /// Reads accepted, awaiting R beats; writes accepted (AW), awaiting B.
    r_wait: VecDeque<BmBurst>,
    b_wait: VecDeque<BmBurst>,
    r_beat: u32,
    results: Vec<JobResult>,
    bursts_left: Vec<u32>,
    out: AxiMasterSignals,
    pub r_beats: u64,
    pub w_beats: u64,
}

fn worst(a: Resp, b: Resp) -> Resp {
    if b.bits() > a.bits() {
        b
    } else {
        a
    }
}

impl BusMaster {
    pub fn new(cfg: BusMasterConfig) -> Self {
        assert!(
            (1..=cfg.max_beats).contains(&cfg.min_beats) && cfg.max_beats <= 16,
            "1..=16 beats per burst"
        );
        BusMaster {
            rng: StdRng::seed_from_u64(cfg.seed),
            a_rate: RateGen::new(cfg.a_valid),
            w_rate: RateGen::new(cfg.w_valid),
            ready_rate: RateGen::new(cfg.ready),
            cfg,
            ar_q: VecDeque::new(),
            aw_q: VecDeque::new(),
            w_q: VecDeque::new(),
            r_wait: VecDeque::new(),
            b_wait: VecDeque::new(),
            r_beat: 0,
            results: vec![],
            bursts_left: vec![],
            out: AxiMasterSignals::default(),
            r_beats: 0,
            w_beats: 0,
        }
    }

    /// Queues a job; returns its index for [`BusMaster::result`]. Bad jobs (unaligned, empty)
    /// are refused with a message.
    pub fn push(&mut self, job: Job) -> Result<usize, String> {
        let (addr, len, write) = match &job {
            Job::Read { addr, len } => (*addr, *len, false),
            Job::Write { addr, data } => (*addr, data.len() as u32, true),
            Job::Burst { .. } => return self.push_burst(job),
        };
        if addr % 4 != 0 || len % 4 != 0 || len == 0 {
            return Err(format!(
                "bus-master job at {addr:#x} of {len} bytes: word-aligned whole words only"
            ));
        }
        let index = self.results.len();
        self.results.push(JobResult::default());
        self.bursts_left.push(0);
        let mut at = addr;
        let end = addr as u64 + len as u64;
        while (at as u64) < end {
            let page_left = self.cfg.page_bytes - at % self.cfg.page_bytes;
            let left = (end - at as u64) as u32;
            let want = self.rng.gen_range(self.cfg.min_beats..=self.cfg.max_beats) * 4;
            let bytes = want.min(page_left).min(left);
            let b = BmBurst {
                write,
                addr: at,
                beats: bytes / 4,
                size: 2,
                burst: burst::INCR as u8,
                job: index,
            };
            if let Job::Write { data, .. } = &job {
                let off = (at - addr) as usize;
                for k in 0..b.beats as usize {
                    let w = &data[off + 4 * k..off + 4 * k + 4];
                    let word = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                    self.w_q.push_back((word, 0xF, k as u32 + 1 == b.beats));
                }
                self.aw_q.push_back(b);
            } else {
                self.ar_q.push_back(b);
            }
            self.bursts_left[index] += 1;
            at += bytes;
        }
        Ok(index)
    }

    /// Queues a [`Job::Burst`]: one burst, as given.
    fn push_burst(&mut self, job: Job) -> Result<usize, String> {
        let Job::Burst {
            write,
            addr,
            len,
            size,
            burst,
            beats,
        } = job
        else {
            unreachable!("push_burst takes bursts");
        };
        if write && beats.len() != len as usize + 1 {
            return Err(format!(
                "a write burst with AWLEN {len} given {} beats",
                beats.len()
            ));
        }
        let index = self.results.len();
        self.results.push(JobResult::default());
        self.bursts_left.push(1);
        let b = BmBurst {
            write,
            addr,
            beats: len as u32 + 1,
            size,
            burst,
            job: index,
        };
        if write {
            let n = beats.len();
            for (k, (word, strobe)) in beats.into_iter().enumerate() {
                self.w_q.push_back((word, strobe, k + 1 == n));
            }
            self.aw_q.push_back(b);
        } else {
            self.ar_q.push_back(b);
        }
        Ok(index)
    }

    /// A job's outcome once finished (`None` while bursts are outstanding).
    pub fn result(&self, job: usize) -> Option<&JobResult> {
        (self.bursts_left.get(job) == Some(&0)).then(|| &self.results[job])
    }

    /// Every queued job is finished.
    pub fn idle(&self) -> bool {
        self.bursts_left.iter().all(|&b| b == 0)
    }

    /// What the device drives this clock.
    #[inline]
    pub fn drive(&self) -> AxiMasterSignals {
        self.out
    }

    /// Forgets everything in progress (the bus was reset); finished results stay.
    pub fn reset_bus(&mut self) {
        self.ar_q.clear();
        self.aw_q.clear();
        self.w_q.clear();
        self.r_wait.clear();
        self.b_wait.clear();
        self.r_beat = 0;
        for b in &mut self.bursts_left {
            *b = 0;
        }
        self.out = AxiMasterSignals::default();
    }

    /// The rising edge: takes this clock's handshakes, decides the next clock's outputs.
    pub fn clock(&mut self, s: &AxiSlaveSignals) {
        let o = self.out;
        if o.arvalid && s.arready {
            let b = self.ar_q.pop_front().expect("AR offered from the queue");
            self.r_wait.push_back(b);
        }
        if o.awvalid && s.awready {
            let b = self.aw_q.pop_front().expect("AW offered from the queue");
            self.b_wait.push_back(b);
        }
        if o.wvalid && s.wready {
            self.w_q.pop_front();
            self.w_beats += 1;
        }
        if s.rvalid && o.rready {
            self.take_r(s);
        }
        if s.bvalid && o.bready {
            if let Some(b) = self.b_wait.pop_front() {
                let r = &mut self.results[b.job];
                let resp = Resp::from_bits(s.bresp);
                r.resp = worst(r.resp, resp);
                r.refused += (resp != Resp::Okay) as u32;
                r.responses.push(resp);
                self.bursts_left[b.job] -= 1;
            }
        }

        // Next clock. A VALID once offered stays with its payload until taken.
        let a = self.a_rate.tick(&mut self.rng);
        let a2 = self.a_rate.tick(&mut self.rng);
        let w = self.w_rate.tick(&mut self.rng);
        let ready = self.ready_rate.tick(&mut self.rng);
        let mut out = AxiMasterSignals {
            rready: ready,
            bready: ready,
            ..AxiMasterSignals::default()
        };
        let ar_held = o.arvalid && !s.arready;
        if let Some(b) = self.ar_q.front() {
            if ar_held || a {
                out.arvalid = true;
                out.araddr = b.addr;
                out.arlen = b.beats - 1;
                out.arsize = b.size as u32;
                out.arburst = b.burst as u32;
            }
        }
        let aw_held = o.awvalid && !s.awready;
        if let Some(b) = self.aw_q.front() {
            if aw_held || a2 {
                out.awvalid = true;
                out.awaddr = b.addr;
                out.awlen = b.beats - 1;
                out.awsize = b.size as u32;
                out.awburst = b.burst as u32;
            }
        }
        let w_held = o.wvalid && !s.wready;
        if let Some(&(data, strobe, last)) = self.w_q.front() {
            if w_held || w {
                out.wvalid = true;
                out.wdata = data;
                out.wstrb = strobe as u32;
                out.wlast = last;
            }
        }
        self.out = out;
    }

    fn take_r(&mut self, s: &AxiSlaveSignals) {
        let Some(b) = self.r_wait.front().cloned() else {
            return;
        };
        self.r_beats += 1;
        let r = &mut self.results[b.job];
        let resp = Resp::from_bits(s.rresp);
        r.resp = worst(r.resp, resp);
        r.data.extend_from_slice(&s.rdata.to_le_bytes());
        r.responses.push(resp);
        self.r_beat += 1;
        if s.rlast {
            r.refused += (resp != Resp::Okay) as u32;
            self.r_beat = 0;
            self.r_wait.pop_front();
            self.bursts_left[b.job] -= 1;
        }
    }
}
