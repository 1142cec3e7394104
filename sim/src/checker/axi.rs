//! The AXI4 checker (single ID): channel handshakes plus transaction order, burst shape and
//! outstanding limits.

use super::{valid_after_reset, Channels, Violation};
use crate::axi::{active_lanes, burst, AxiMasterSignals, AxiSlaveSignals};
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug)]
struct Burst {
    addr: u32,
    len: u32,
    size: u32,
    kind: u32,
}

fn burst_rule(b: Burst, data_bytes: u32) -> Result<(), String> {
    if b.kind == 3 {
        return Err("reserved burst type 3".into());
    }
    if (1u32 << b.size) > data_bytes {
        return Err(format!("size {} is wider than the bus", b.size));
    }
    let bytes = 1u32 << b.size;
    match b.kind {
        burst::WRAP => {
            if ![1, 3, 7, 15].contains(&b.len) {
                return Err(format!("WRAP burst of {} beats", b.len + 1));
            }
            if b.addr & (bytes - 1) != 0 {
                return Err("unaligned WRAP burst".into());
            }
        }
        burst::INCR => {
            let start = (b.addr & !(bytes - 1)) as u64;
            let end = start + bytes as u64 * (b.len as u64 + 1) - 1;
            if start >> 12 != end >> 12 {
                return Err(format!(
                    "INCR burst at {:#x} of {} beats crosses a 4 KiB boundary",
                    b.addr,
                    b.len + 1
                ));
            }
        }
        _ => {
            if b.len > 15 {
                return Err("FIXED burst longer than 16 beats".into());
            }
        }
    }
    Ok(())
}

/// Checker for an AXI4 bus (single ID).
#[derive(Clone, Debug)]
pub struct AxiChecker {
    bus: &'static str,
    data_bytes: u32,
    max_outstanding: Option<usize>,
    ch: Channels,
    after_reset: bool,
    /// AWs whose W burst has not completed yet, in order.
    aw_waiting_data: VecDeque<Burst>,
    /// Beats of the W burst in progress.
    w_beats: u32,
    /// W bursts completed before their AW (beat counts), in order.
    w_early: VecDeque<u32>,
    /// Writes with AW and all W accepted and no B yet.
    writes_complete: u64,
    writes_in_flight: usize,
    /// Beats still expected per accepted AR, in order.
    r_expect: VecDeque<u32>,
    reads_in_flight: usize,
    handshakes: u64,
}

impl AxiChecker {
    /// `max_outstanding`: the most reads (and, separately, writes) the master may have in flight.
    pub fn new(bus: &'static str, max_outstanding: Option<usize>) -> Self {
        AxiChecker {
            bus,
            data_bytes: 4,
            max_outstanding,
            ch: Channels::new(),
            after_reset: false,
            aw_waiting_data: VecDeque::new(),
            w_beats: 0,
            w_early: VecDeque::new(),
            writes_complete: 0,
            writes_in_flight: 0,
            r_expect: VecDeque::new(),
            reads_in_flight: 0,
            handshakes: 0,
        }
    }

    /// Handshakes seen on all channels (to show a test really exercised the bus).
    pub fn handshakes(&self) -> u64 {
        self.handshakes
    }

    fn fail(&self, cycle: u64, channel: &'static str, rule: String) -> Violation {
        Violation {
            cycle,
            bus: self.bus,
            channel,
            rule,
        }
    }

    /// Checks one clock. `reset` is the reset input in this clock (it takes effect at the edge).
    #[inline]
    pub fn observe(
        &mut self,
        m: &AxiMasterSignals,
        s: &AxiSlaveSignals,
        reset: bool,
        cycle: u64,
    ) -> Result<(), Violation> {
        // Fast path: nothing offered, nothing waiting, no reset around: no rule can fire and
        // no state changes.
        let any_valid = m.awvalid || m.wvalid || m.arvalid || s.bvalid || s.rvalid;
        if !any_valid && !reset && !self.after_reset && self.ch.settled() {
            return Ok(());
        }
        self.observe_busy(m, s, reset, cycle)
    }

    fn observe_busy(
        &mut self,
        m: &AxiMasterSignals,
        s: &AxiSlaveSignals,
        reset: bool,
        cycle: u64,
    ) -> Result<(), Violation> {
        if self.after_reset {
            let valids = [m.awvalid, m.wvalid, m.arvalid, s.bvalid, s.rvalid];
            if let Some(ch) = valid_after_reset(valids) {
                return Err(self.fail(cycle, ch, "VALID high in the clock after reset".into()));
            }
        }
        let c = &mut self.ch;
        let results = [
            (
                "AW",
                c.aw.observe(
                    m.awvalid,
                    s.awready,
                    [m.awaddr, m.awlen, m.awsize, m.awburst],
                ),
            ),
            (
                "W",
                c.w.observe(m.wvalid, s.wready, [m.wdata, m.wstrb, m.wlast as u32, 0]),
            ),
            ("B", c.b.observe(s.bvalid, m.bready, [s.bresp, 0, 0, 0])),
            (
                "AR",
                c.ar.observe(
                    m.arvalid,
                    s.arready,
                    [m.araddr, m.arlen, m.arsize, m.arburst],
                ),
            ),
            (
                "R",
                c.r.observe(s.rvalid, m.rready, [s.rdata, s.rresp, s.rlast as u32, 0]),
            ),
        ];
        for (ch, r) in results {
            if let Err(rule) = r {
                return Err(self.fail(cycle, ch, rule.to_string()));
            }
        }
        self.transactions(m, s, cycle)?;
        if reset {
            self.clear();
        }
        self.after_reset = reset;
        Ok(())
    }

    fn clear(&mut self) {
        self.ch.reset();
        self.aw_waiting_data.clear();
        self.w_beats = 0;
        self.w_early.clear();
        self.writes_complete = 0;
        self.writes_in_flight = 0;
        self.r_expect.clear();
        self.reads_in_flight = 0;
    }

    fn transactions(
        &mut self,
        m: &AxiMasterSignals,
        s: &AxiSlaveSignals,
        cycle: u64,
    ) -> Result<(), Violation> {
        // Responses first: they must answer requests accepted in earlier clocks.
        if s.bvalid && self.writes_complete == 0 {
            return Err(self.fail(
                cycle,
                "B",
                "response without a write whose AW and W beats were all accepted".into(),
            ));
        }
        if s.rvalid && self.r_expect.is_empty() {
            return Err(self.fail(cycle, "R", "read data without an accepted AR".into()));
        }
        if s.bvalid && m.bready {
            self.handshakes += 1;
            self.writes_complete -= 1;
            self.writes_in_flight -= 1;
        }
        if s.rvalid && m.rready {
            self.handshakes += 1;
            let left = self.r_expect.front_mut().expect("checked above");
            *left -= 1;
            let left = *left;
            let last = left == 0;
            if s.rlast != last {
                return Err(self.fail(
                    cycle,
                    "R",
                    format!(
                        "RLAST {} on a beat with {} beat(s) still to come",
                        s.rlast, left
                    ),
                ));
            }
            if last {
                self.r_expect.pop_front();
                self.reads_in_flight -= 1;
            }
        }
        if m.awvalid && s.awready {
            self.handshakes += 1;
            let b = Burst {
                addr: m.awaddr,
                len: m.awlen,
                size: m.awsize,
                kind: m.awburst,
            };
            burst_rule(b, self.data_bytes).map_err(|e| self.fail(cycle, "AW", e))?;
            self.writes_in_flight += 1;
            if let Some(max) = self.max_outstanding {
                if self.writes_in_flight > max {
                    return Err(self.fail(
                        cycle,
                        "AW",
                        format!("more than {max} writes in flight"),
                    ));
                }
            }
            if let Some(beats) = self.w_early.pop_front() {
                if beats != b.len + 1 {
                    return Err(self.fail(
                        cycle,
                        "AW",
                        format!("AWLEN {} but the W burst had {beats} beats", b.len),
                    ));
                }
                self.writes_complete += 1;
            } else {
                self.aw_waiting_data.push_back(b);
            }
        }
        if m.wvalid && s.wready {
            self.handshakes += 1;
            self.w_beats += 1;
            if let Some(&b) = self.aw_waiting_data.front() {
                let beat = self.w_beats - 1;
                if beat > b.len {
                    return Err(self.fail(
                        cycle,
                        "W",
                        format!("more W beats than AWLEN {}", b.len),
                    ));
                }
                if m.wlast != (beat == b.len) {
                    return Err(self.fail(
                        cycle,
                        "W",
                        format!(
                            "WLAST {} on beat {beat} of a {}-beat burst",
                            m.wlast,
                            b.len + 1
                        ),
                    ));
                }
                let addr = crate::axi::beat_address(b.addr, b.len, b.size, b.kind, beat);
                let lanes = active_lanes(addr, b.size, self.data_bytes);
                if m.wstrb & !lanes != 0 {
                    return Err(self.fail(
                        cycle,
                        "W",
                        format!(
                            "WSTRB {:#06b} outside the lanes {lanes:#06b} of address {addr:#x}",
                            m.wstrb
                        ),
                    ));
                }
            }
            if m.wlast {
                let beats = self.w_beats;
                self.w_beats = 0;
                if self.aw_waiting_data.pop_front().is_some() {
                    self.writes_complete += 1;
                } else {
                    self.w_early.push_back(beats);
                }
            }
        }
        if m.arvalid && s.arready {
            self.handshakes += 1;
            let b = Burst {
                addr: m.araddr,
                len: m.arlen,
                size: m.arsize,
                kind: m.arburst,
            };
            burst_rule(b, self.data_bytes).map_err(|e| self.fail(cycle, "AR", e))?;
            self.r_expect.push_back(b.len + 1);
            self.reads_in_flight += 1;
            if let Some(max) = self.max_outstanding {
                if self.reads_in_flight > max {
                    return Err(self.fail(cycle, "AR", format!("more than {max} reads in flight")));
                }
            }
        }
        Ok(())
    }
}
