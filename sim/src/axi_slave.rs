//! An AXI4 slave in front of [`PhysMemory`]: configurable latency, seeded random READY and VALID
//! backpressure, outstanding-request limits, address ranges that answer SLVERR or DECERR, and the
//! device write-permission map.
//!
//! The model is Moore-style: what it drives in a clock depends only on its state (decided at the
//! previous edge), never combinationally on the master's signals in the same clock, so it can
//! never form a loop with the design.

use crate::axi::{active_lanes, beat_address, AxiMasterSignals, AxiSlaveSignals, Resp};
use crate::memory::{PhysMemory, WritePermissions};
use crate::rate::{Rate, RateGen};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::VecDeque;
use std::ops::Range;

/// An address range that answers with an error instead of reaching memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorRange {
    pub range: Range<u64>,
    /// `Resp::SlvErr` or `Resp::DecErr`.
    pub resp: Resp,
}

/// Timing and behaviour of the slave.
#[derive(Clone, Debug, PartialEq)]
pub struct AxiSlaveConfig {
    /// Clocks from an accepted AR to its first R beat being offered (≥ 1).
    pub read_latency: u32,
    /// Clocks from a write's last accepted beat (AW and all W) to its B being offered (≥ 1).
    pub write_latency: u32,
    pub aw_ready: Rate,
    pub w_ready: Rate,
    pub ar_ready: Rate,
    /// When a due R beat or B response may be offered (gaps in the response streams).
    pub r_valid: Rate,
    pub b_valid: Rate,
    /// Reads accepted but not fully answered, at most.
    pub max_reads: usize,
    /// Writes accepted (AW) but not yet answered (B), at most.
    pub max_writes: usize,
    pub error_ranges: Vec<ErrorRange>,
    pub seed: u64,
    /// Record every beat in [`AxiSlave::log`] (turn off for long benchmarks).
    pub log: bool,
    /// Deliberate protocol breakage, to prove the checkers are watching.
    pub fault: Option<SlaveFault>,
}

/// A protocol rule the slave can be told to break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaveFault {
    /// An R beat not taken in the clock it is first offered is withdrawn for a clock.
    WithdrawRValid,
    /// A B response nobody asked for, offered in this clock.
    UnsolicitedB { cycle: u64 },
}

impl Default for AxiSlaveConfig {
    fn default() -> Self {
        AxiSlaveConfig {
            read_latency: 1,
            write_latency: 1,
            aw_ready: Rate::Always,
            w_ready: Rate::Always,
            ar_ready: Rate::Always,
            r_valid: Rate::Always,
            b_valid: Rate::Always,
            max_reads: 64,
            max_writes: 64,
            error_ranges: vec![],
            seed: 1,
            log: true,
            fault: None,
        }
    }
}

impl AxiSlaveConfig {
    /// Random backpressure on every channel with probability `p` of being ready/valid.
    pub fn with_random_backpressure(mut self, p: f64) -> Self {
        for r in [
            &mut self.aw_ready,
            &mut self.w_ready,
            &mut self.ar_ready,
            &mut self.r_valid,
            &mut self.b_valid,
        ] {
            *r = Rate::Random(p);
        }
        self
    }

    /// The same read and write latency.
    pub fn with_latency(mut self, clocks: u32) -> Self {
        self.read_latency = clocks;
        self.write_latency = clocks;
        self
    }
}

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Write,
}

/// One beat as the memory saw it (for logs and cross-engine comparison).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemBeat {
    /// Clock in which the request (AR, or the write's last part) was accepted.
    pub cycle: u64,
    pub access: Access,
    pub addr: u32,
    pub data: u32,
    /// WSTRB for writes; 0 for reads.
    pub strb: u32,
    pub resp: Resp,
}

#[derive(Clone, Copy, Debug)]
struct Burst {
    addr: u32,
    len: u32,
    size: u32,
    kind: u32,
}

#[derive(Clone, Copy, Debug)]
struct WBeat {
    data: u32,
    strb: u32,
}

#[derive(Clone, Copy, Debug)]
struct RBeat {
    due: u64,
    data: u32,
    resp: Resp,
    last: bool,
}

/// Counters for throughput measurements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxiSlaveStats {
    pub reads: u64,
    pub writes: u64,
    pub r_beats: u64,
    pub w_beats: u64,
    /// Most reads in flight at once.
    pub peak_reads: usize,
    /// Most writes in flight at once.
    pub peak_writes: usize,
}

/// The memory slave.
pub struct AxiSlave {
    cfg: AxiSlaveConfig,
    pub memory: PhysMemory,
    pub permissions: WritePermissions,
    rng: StdRng,
    aw_rate: RateGen,
    w_rate: RateGen,
    ar_rate: RateGen,
    r_rate: RateGen,
    b_rate: RateGen,
    aw_q: VecDeque<Burst>,
    w_q: VecDeque<WBeat>,
    b_q: VecDeque<(u64, Resp)>,
    r_q: VecDeque<RBeat>,
    writes_in_flight: usize,
    reads_in_flight: usize,
    out: AxiSlaveSignals,
    log: Vec<MemBeat>,
    stats: AxiSlaveStats,
}

/// W beats buffered ahead of their AW, at most.
const W_BUFFER: usize = 256;
const DATA_BYTES: u32 = 4;

impl AxiSlave {
    pub fn new(cfg: AxiSlaveConfig) -> Self {
        let rng = StdRng::seed_from_u64(cfg.seed);
        AxiSlave {
            aw_rate: RateGen::new(cfg.aw_ready),
            w_rate: RateGen::new(cfg.w_ready),
            ar_rate: RateGen::new(cfg.ar_ready),
            r_rate: RateGen::new(cfg.r_valid),
            b_rate: RateGen::new(cfg.b_valid),
            cfg,
            memory: PhysMemory::new(),
            permissions: WritePermissions::default(),
            rng,
            aw_q: VecDeque::new(),
            w_q: VecDeque::new(),
            b_q: VecDeque::new(),
            r_q: VecDeque::new(),
            writes_in_flight: 0,
            reads_in_flight: 0,
            out: AxiSlaveSignals::default(),
            log: vec![],
            stats: AxiSlaveStats::default(),
        }
    }

    pub fn config(&self) -> &AxiSlaveConfig {
        &self.cfg
    }

    /// What the slave drives this clock.
    #[inline]
    pub fn drive(&self) -> AxiSlaveSignals {
        self.out
    }

    /// Turns the beat log on or off (long benchmarks); statistics are always kept.
    pub fn set_logging(&mut self, on: bool) {
        self.cfg.log = on;
    }

    pub fn log(&self) -> &[MemBeat] {
        &self.log
    }

    pub fn take_log(&mut self) -> Vec<MemBeat> {
        std::mem::take(&mut self.log)
    }

    pub fn stats(&self) -> AxiSlaveStats {
        self.stats
    }

    /// Forgets every transaction in progress (the bus was reset); memory contents, the
    /// permission map, the log and the statistics stay.
    pub fn reset_bus(&mut self) {
        self.aw_q.clear();
        self.w_q.clear();
        self.b_q.clear();
        self.r_q.clear();
        self.writes_in_flight = 0;
        self.reads_in_flight = 0;
        self.out = AxiSlaveSignals::default();
    }

    /// Requests accepted and not yet fully answered: (reads, writes).
    pub fn in_flight(&self) -> (usize, usize) {
        (self.reads_in_flight, self.writes_in_flight)
    }

    fn error_for(&self, addr: u64, len: u64) -> Option<Resp> {
        self.cfg
            .error_ranges
            .iter()
            .find(|e| e.range.start < addr + len && addr < e.range.end)
            .map(|e| e.resp)
    }

    /// The rising edge: takes the handshakes of this clock (`m` = what the master drove while
    /// the slave drove [`AxiSlave::drive`]) and decides what to drive in the next clock.
    pub fn clock(&mut self, m: &AxiMasterSignals, cycle: u64) {
        let o = self.out;
        if m.awvalid && o.awready {
            self.aw_q.push_back(Burst {
                addr: m.awaddr,
                len: m.awlen,
                size: m.awsize,
                kind: m.awburst,
            });
            self.writes_in_flight += 1;
            self.stats.peak_writes = self.stats.peak_writes.max(self.writes_in_flight);
        }
        if m.wvalid && o.wready {
            self.w_q.push_back(WBeat {
                data: m.wdata,
                strb: m.wstrb,
            });
            self.stats.w_beats += 1;
        }
        if o.bvalid && m.bready {
            self.b_q.pop_front();
            self.writes_in_flight -= 1;
        }
        if m.arvalid && o.arready {
            self.accept_read(m, cycle);
        }
        if o.rvalid && m.rready {
            if let Some(beat) = self.r_q.pop_front() {
                self.stats.r_beats += 1;
                if beat.last {
                    self.reads_in_flight -= 1;
                }
            }
        }
        self.complete_writes(cycle);

        // Next clock's outputs. Every rate generator ticks once per clock.
        let aw = self.aw_rate.tick(&mut self.rng);
        let w = self.w_rate.tick(&mut self.rng);
        let ar = self.ar_rate.tick(&mut self.rng);
        let r = self.r_rate.tick(&mut self.rng);
        let b = self.b_rate.tick(&mut self.rng);
        let next = cycle + 1;
        let mut out = AxiSlaveSignals {
            awready: aw && self.writes_in_flight < self.cfg.max_writes,
            wready: w && self.w_q.len() < W_BUFFER,
            arready: ar && self.reads_in_flight < self.cfg.max_reads,
            ..AxiSlaveSignals::default()
        };
        // A response once offered stays offered (VALID held until READY).
        let b_held = o.bvalid && !m.bready;
        if let Some(&(due, resp)) = self.b_q.front() {
            if b_held || (due <= next && b) {
                out.bvalid = true;
                out.bresp = resp.bits();
            }
        }
        let r_held = o.rvalid && !m.rready;
        if r_held && self.cfg.fault == Some(SlaveFault::WithdrawRValid) {
            self.out = out;
            return;
        }
        if let Some(beat) = self.r_q.front() {
            if r_held || (beat.due <= next && r) {
                out.rvalid = true;
                out.rdata = beat.data;
                out.rresp = beat.resp.bits();
                out.rlast = beat.last;
            }
        }
        if let Some(SlaveFault::UnsolicitedB { cycle: c }) = self.cfg.fault {
            if c == next && !out.bvalid {
                out.bvalid = true;
            }
        }
        self.out = out;
    }

    fn accept_read(&mut self, m: &AxiMasterSignals, cycle: u64) {
        self.reads_in_flight += 1;
        self.stats.reads += 1;
        self.stats.peak_reads = self.stats.peak_reads.max(self.reads_in_flight);
        let bytes = 1u64 << m.arsize;
        for beat in 0..=m.arlen {
            let addr = beat_address(m.araddr, m.arlen, m.arsize, m.arburst, beat);
            let aligned = (addr as u64) & !(bytes - 1);
            let (data, resp) = match self.error_for(aligned, bytes) {
                Some(e) => (0, e),
                None => {
                    let word = (addr & !(DATA_BYTES - 1)) as u64;
                    (self.memory.read_u32(word), Resp::Okay)
                }
            };
            self.r_q.push_back(RBeat {
                due: cycle + self.cfg.read_latency.max(1) as u64 + beat as u64,
                data,
                resp,
                last: beat == m.arlen,
            });
            if self.cfg.log {
                self.log.push(MemBeat {
                    cycle,
                    access: Access::Read,
                    addr,
                    data,
                    strb: 0,
                    resp,
                });
            }
        }
    }

    /// Writes whose AW and every W beat have arrived go to memory and get their B scheduled.
    fn complete_writes(&mut self, cycle: u64) {
        while let Some(&burst) = self.aw_q.front() {
            let beats = burst.len as usize + 1;
            if self.w_q.len() < beats {
                break;
            }
            self.aw_q.pop_front();
            let bytes = 1u64 << burst.size;
            let first = beat_address(burst.addr, burst.len, burst.size, burst.kind, 0) as u64;
            let span = bytes * beats as u64;
            let err = self.error_for(first & !(bytes - 1), span);
            for beat in 0..beats as u32 {
                let WBeat { data, strb } = self.w_q.pop_front().expect("counted above");
                let addr = beat_address(burst.addr, burst.len, burst.size, burst.kind, beat);
                let lanes = strb & active_lanes(addr, burst.size, DATA_BYTES);
                let lanes = lanes & ((1 << DATA_BYTES) - 1);
                if err.is_none() && lanes != 0 {
                    let word = (addr & !(DATA_BYTES - 1)) as u64;
                    self.memory.write_lanes(word, data, lanes);
                    // Checked as before: from the lowest written byte, as many bytes as lanes.
                    let low = word + lanes.trailing_zeros() as u64;
                    self.permissions.check(cycle, low, lanes.count_ones());
                }
                if self.cfg.log {
                    self.log.push(MemBeat {
                        cycle,
                        access: Access::Write,
                        addr,
                        data,
                        strb,
                        resp: err.unwrap_or(Resp::Okay),
                    });
                }
            }
            self.stats.writes += 1;
            self.b_q.push_back((
                cycle + self.cfg.write_latency.max(1) as u64,
                err.unwrap_or(Resp::Okay),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives the slave with a scripted master for `n` clocks; returns (cycle, slave outputs).
    fn run(
        s: &mut AxiSlave,
        n: u64,
        mut master: impl FnMut(u64, &AxiSlaveSignals) -> AxiMasterSignals,
    ) -> Vec<(u64, AxiSlaveSignals)> {
        let mut seen = vec![];
        for c in 0..n {
            let so = s.drive();
            let m = master(c, &so);
            seen.push((c, so));
            s.clock(&m, c);
        }
        seen
    }

    fn single_read(addr: u32) -> AxiMasterSignals {
        AxiMasterSignals {
            araddr: addr,
            arsize: 2,
            arburst: 1,
            rready: true,
            bready: true,
            ..Default::default()
        }
    }

    #[test]
    fn read_data_arrives_after_the_configured_latency() {
        for latency in [1, 5] {
            let mut s = AxiSlave::new(AxiSlaveConfig::default().with_latency(latency));
            s.memory.write_u32(0x100, 0xCAFE_F00D);
            let mut sent = false;
            let seen = run(&mut s, 20, |_, so| {
                let mut m = single_read(0x100);
                m.arvalid = !sent;
                if so.arready && !sent {
                    sent = true;
                }
                m
            });
            // AR accepted in clock 1 (ready is registered, so low in clock 0).
            let first_r = seen.iter().find(|(_, o)| o.rvalid).unwrap();
            assert_eq!(first_r.0, 1 + latency as u64, "latency {latency}");
            assert_eq!(first_r.1.rdata, 0xCAFE_F00D);
            assert!(first_r.1.rlast);
        }
    }

    #[test]
    fn writes_respect_strobes_error_ranges_and_permissions() {
        let cfg = AxiSlaveConfig {
            error_ranges: vec![ErrorRange {
                range: 0x8000..0x9000,
                resp: Resp::DecErr,
            }],
            ..Default::default()
        };
        let mut s = AxiSlave::new(cfg);
        s.permissions.allow(0x0..0x1000);
        s.memory.write_u32(0x10, 0x1111_1111);
        let writes = [
            (0x10u32, 0xAABB_CCDDu32, 0b0110u32),
            (0x8004, 1, 0xF),
            (0x2000, 7, 0xF),
        ];
        let mut i = 0;
        let seen = run(&mut s, 20, |_, so| {
            let mut m = AxiMasterSignals {
                bready: true,
                rready: true,
                ..Default::default()
            };
            if let Some(&(a, d, st)) = writes.get(i) {
                m.awvalid = true;
                m.wvalid = true;
                m.awaddr = a;
                m.awsize = 2;
                m.awburst = 1;
                m.wdata = d;
                m.wstrb = st;
                m.wlast = true;
                if so.awready && so.wready {
                    i += 1;
                }
            }
            m
        });
        assert_eq!(s.memory.read_u32(0x10), 0x11BB_CC11);
        assert_eq!(s.memory.read_u32(0x8004), 0, "error range is not written");
        let resps: Vec<u32> = seen
            .iter()
            .filter(|(_, o)| o.bvalid)
            .map(|(_, o)| o.bresp)
            .collect();
        assert_eq!(resps, [0, Resp::DecErr.bits(), 0]);
        assert_eq!(s.permissions.violations().len(), 1);
        assert_eq!(s.permissions.violations()[0].addr, 0x2000);
    }

    #[test]
    fn outstanding_reads_are_limited() {
        let cfg = AxiSlaveConfig {
            max_reads: 3,
            read_latency: 50,
            ..Default::default()
        };
        let mut s = AxiSlave::new(cfg);
        let mut accepted = 0;
        run(&mut s, 40, |_, so| {
            let mut m = single_read(0);
            m.arvalid = true;
            m.rready = false;
            if so.arready {
                accepted += 1;
            }
            m
        });
        assert_eq!(accepted, 3);
        assert_eq!(s.in_flight().0, 3);
    }

    #[test]
    fn backpressure_is_seeded_and_holds_valid_until_ready() {
        let cfg = AxiSlaveConfig::default().with_random_backpressure(0.4);
        let go = |seed: u64| {
            let mut s = AxiSlave::new(AxiSlaveConfig {
                seed,
                ..cfg.clone()
            });
            let mut issued = 0u32;
            let mut toggle = false;
            run(&mut s, 300, |_, so| {
                toggle = !toggle;
                let mut m = single_read(issued * 4);
                m.arvalid = issued < 50;
                m.rready = toggle;
                if so.arready && m.arvalid {
                    issued += 1;
                }
                m
            })
        };
        let a = go(7);
        assert_eq!(a, go(7));
        assert_ne!(a, go(8));
        // Once offered, a beat stays until taken (rready toggles every clock, starting high
        // in clock 0, so it is high in even clocks).
        for w in a.windows(2) {
            let (c, o) = &w[0];
            let taken = c % 2 == 0;
            if o.rvalid && !taken {
                assert!(w[1].1.rvalid && w[1].1.rdata == o.rdata, "clock {c}");
            }
        }
    }
}
