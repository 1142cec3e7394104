//! An AXI4-Lite master that performs register reads and writes with random (seeded) timing:
//! AW and W start after independent random delays, BREADY/RREADY rise after random delays.
//! One transaction at a time, in the order queued. Moore-style like every model here.

use crate::axi::{AxilMasterSignals, AxilSlaveSignals, Resp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

/// Random timing bounds (clocks). All zero = every signal as early as possible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxilTiming {
    /// AWVALID, WVALID and ARVALID rise 0..=this many clocks after the transaction starts.
    pub max_valid_delay: u32,
    /// BREADY and RREADY rise 0..=this many clocks after the transaction starts.
    pub max_ready_delay: u32,
    pub seed: u64,
}

impl Default for AxilTiming {
    fn default() -> Self {
        AxilTiming {
            max_valid_delay: 0,
            max_ready_delay: 0,
            seed: 2,
        }
    }
}

/// A register access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AxilOp {
    Write { addr: u32, data: u32, strb: u32 },
    Read { addr: u32 },
}

/// A finished access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AxilDone {
    pub op: AxilOp,
    pub resp: Resp,
    /// Read data (0 for writes).
    pub data: u32,
    /// Clock in which the transaction started driving.
    pub started: u64,
    /// Clock of the B or R handshake.
    pub finished: u64,
}

#[derive(Clone, Copy, Debug)]
struct Active {
    op: AxilOp,
    started: u64,
    addr_delay: u32,
    data_delay: u32,
    ready_delay: u32,
    addr_done: bool,
    data_done: bool,
}

/// The register-bus master.
pub struct AxilMaster {
    timing: AxilTiming,
    rng: StdRng,
    queue: VecDeque<AxilOp>,
    active: Option<Active>,
    done: VecDeque<AxilDone>,
    out: AxilMasterSignals,
}

impl AxilMaster {
    pub fn new(timing: AxilTiming) -> Self {
        AxilMaster {
            rng: StdRng::seed_from_u64(timing.seed),
            timing,
            queue: VecDeque::new(),
            active: None,
            done: VecDeque::new(),
            out: AxilMasterSignals::default(),
        }
    }

    #[inline]
    pub fn drive(&self) -> AxilMasterSignals {
        self.out
    }

    pub fn push(&mut self, op: AxilOp) {
        self.queue.push_back(op);
    }

    /// The oldest finished access, if any.
    pub fn pop_done(&mut self) -> Option<AxilDone> {
        self.done.pop_front()
    }

    /// Nothing queued or in progress.
    pub fn idle(&self) -> bool {
        self.queue.is_empty() && self.active.is_none()
    }

    /// Drops queued and in-progress accesses and their results (used at reset).
    pub fn clear(&mut self) {
        self.queue.clear();
        self.active = None;
        self.done.clear();
        self.out = AxilMasterSignals::default();
    }

    /// The rising edge: takes this clock's handshakes, then decides the next clock's signals.
    pub fn clock(&mut self, s: &AxilSlaveSignals, cycle: u64) {
        let o = self.out;
        if let Some(a) = self.active.as_mut() {
            let mut finished = None;
            match a.op {
                AxilOp::Write { .. } => {
                    a.addr_done |= o.awvalid && s.awready;
                    a.data_done |= o.wvalid && s.wready;
                    if o.bready && s.bvalid {
                        finished = Some((Resp::from_bits(s.bresp), 0));
                    }
                }
                AxilOp::Read { .. } => {
                    a.addr_done |= o.arvalid && s.arready;
                    if o.rready && s.rvalid {
                        finished = Some((Resp::from_bits(s.rresp), s.rdata));
                    }
                }
            }
            if let Some((resp, data)) = finished {
                self.done.push_back(AxilDone {
                    op: a.op,
                    resp,
                    data,
                    started: a.started,
                    finished: cycle,
                });
                self.active = None;
            }
        }
        if self.active.is_none() {
            if let Some(op) = self.queue.pop_front() {
                let v = self.timing.max_valid_delay;
                let r = self.timing.max_ready_delay;
                self.active = Some(Active {
                    op,
                    started: cycle + 1,
                    addr_delay: self.rng.gen_range(0..=v),
                    data_delay: self.rng.gen_range(0..=v),
                    ready_delay: self.rng.gen_range(0..=r),
                    addr_done: false,
                    data_done: false,
                });
            }
        }
        let mut out = AxilMasterSignals::default();
        if let Some(a) = self.active.as_mut() {
            let ready = a.ready_delay == 0;
            match a.op {
                AxilOp::Write { addr, data, strb } => {
                    out.awaddr = addr;
                    out.awvalid = !a.addr_done && a.addr_delay == 0;
                    out.wdata = data;
                    out.wstrb = strb;
                    out.wvalid = !a.data_done && a.data_delay == 0;
                    out.bready = ready;
                }
                AxilOp::Read { addr } => {
                    out.araddr = addr;
                    out.arvalid = !a.addr_done && a.addr_delay == 0;
                    out.rready = ready;
                }
            }
            a.addr_delay = a.addr_delay.saturating_sub(1);
            a.data_delay = a.data_delay.saturating_sub(1);
            a.ready_delay = a.ready_delay.saturating_sub(1);
        }
        self.out = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-register AXI4-Lite slave in Rust, Moore-style, to exercise the master.
    struct Reg {
        value: u32,
        out: AxilSlaveSignals,
        got_aw: bool,
        got_w: bool,
        wdata: u32,
    }

    impl Reg {
        fn clock(&mut self, m: &AxilMasterSignals) {
            let o = self.out;
            if m.awvalid && o.awready {
                self.got_aw = true;
            }
            if m.wvalid && o.wready {
                self.got_w = true;
                self.wdata = m.wdata;
            }
            if o.bvalid && m.bready {
                self.out.bvalid = false;
            }
            if o.rvalid && m.rready {
                self.out.rvalid = false;
            }
            if self.got_aw && self.got_w && !self.out.bvalid {
                self.value = self.wdata;
                self.got_aw = false;
                self.got_w = false;
                self.out.bvalid = true;
            }
            if m.arvalid && o.arready {
                self.out.rvalid = true;
                self.out.rdata = self.value;
            }
            self.out.awready = !self.got_aw;
            self.out.wready = !self.got_w;
            self.out.arready = !self.out.rvalid;
        }
    }

    #[test]
    fn writes_then_reads_back_with_random_timing() {
        for seed in 0..20 {
            let mut m = AxilMaster::new(AxilTiming {
                max_valid_delay: 3,
                max_ready_delay: 4,
                seed,
            });
            let mut r = Reg {
                value: 0,
                out: AxilSlaveSignals::default(),
                got_aw: false,
                got_w: false,
                wdata: 0,
            };
            m.push(AxilOp::Write {
                addr: 0,
                data: 0x1234_5678 ^ seed as u32,
                strb: 0xF,
            });
            m.push(AxilOp::Read { addr: 0 });
            let mut cycle = 0;
            while !m.idle() && cycle < 100 {
                let mo = m.drive();
                let so = r.out;
                m.clock(&so, cycle);
                r.clock(&mo);
                cycle += 1;
            }
            assert!(m.idle(), "seed {seed} hung");
            let w = m.pop_done().unwrap();
            assert_eq!(w.resp, Resp::Okay);
            let rd = m.pop_done().unwrap();
            assert_eq!(rd.data, 0x1234_5678 ^ seed as u32, "seed {seed}");
            assert!(rd.started > w.finished);
        }
    }
}
