//! Protocol checkers for every AXI channel. They watch the wires (both directions) every clock
//! and report the first rule broken:
//! - VALID, once high, stays high until READY (every channel, both buses);
//! - the payload is stable while VALID waits for READY;
//! - no response without a request: B needs a write whose AW and every W beat were accepted,
//!   R needs an accepted AR;
//! - ordering and burst shape (single ID: responses in request order): W beats match AWLEN with
//!   WLAST on the last beat only, R beats match ARLEN with RLAST on the last only, WSTRB only on
//!   the lanes the beat addresses, no reserved burst type, no INCR burst across 4 KiB, size at
//!   most the bus width;
//! - no VALID in the clock after a reset edge;
//! - optionally, at most N reads and N writes in flight (the design's promise).

use crate::axi::{
    active_lanes, burst, AxiMasterSignals, AxiSlaveSignals, AxilMasterSignals, AxilSlaveSignals,
};
use std::collections::VecDeque;
use std::fmt;

/// A broken protocol rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub cycle: u64,
    /// "m_axi" or "s_axil".
    pub bus: &'static str,
    pub channel: &'static str,
    pub rule: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "clock {}: {} {}: {}",
            self.cycle, self.bus, self.channel, self.rule
        )
    }
}

impl std::error::Error for Violation {}

/// A VALID/READY rule broken on one channel; made into a message only when reported, so the
/// per-clock path allocates nothing.
#[derive(Clone, Copy, Debug)]
enum ChannelRule {
    Dropped,
    Changed { from: [u32; 4], to: [u32; 4] },
}

impl fmt::Display for ChannelRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelRule::Dropped => f.write_str("VALID dropped before READY"),
            ChannelRule::Changed { from, to } => write!(
                f,
                "payload changed while waiting for READY ({from:x?} -> {to:x?})"
            ),
        }
    }
}

/// VALID/READY/payload stability of one channel.
#[derive(Clone, Debug)]
struct Channel {
    waiting: bool,
    payload: [u32; 4],
}

impl Channel {
    fn new() -> Self {
        Channel {
            waiting: false,
            payload: [0; 4],
        }
    }

    #[inline]
    fn observe(&mut self, valid: bool, ready: bool, payload: [u32; 4]) -> Result<(), ChannelRule> {
        if self.waiting {
            if !valid {
                return Err(ChannelRule::Dropped);
            }
            if payload != self.payload {
                return Err(ChannelRule::Changed {
                    from: self.payload,
                    to: payload,
                });
            }
        }
        self.waiting = valid && !ready;
        self.payload = payload;
        Ok(())
    }

    fn reset(&mut self) {
        self.waiting = false;
    }
}

/// The five channels of a bus, in the order their rules are checked.
#[derive(Clone, Debug)]
struct Channels {
    aw: Channel,
    w: Channel,
    b: Channel,
    ar: Channel,
    r: Channel,
}

impl Channels {
    fn new() -> Self {
        Channels {
            aw: Channel::new(),
            w: Channel::new(),
            b: Channel::new(),
            ar: Channel::new(),
            r: Channel::new(),
        }
    }

    /// No channel is waiting for READY.
    #[inline]
    fn settled(&self) -> bool {
        !(self.aw.waiting || self.w.waiting || self.b.waiting || self.ar.waiting || self.r.waiting)
    }

    fn reset(&mut self) {
        for c in [
            &mut self.aw,
            &mut self.w,
            &mut self.b,
            &mut self.ar,
            &mut self.r,
        ] {
            c.reset();
        }
    }
}

/// VALID of (AW, W, AR, B, R): the order the after-reset rule reports them in.
fn valid_after_reset(valids: [bool; 5]) -> Option<&'static str> {
    ["AW", "W", "AR", "B", "R"]
        .into_iter()
        .zip(valids)
        .find_map(|(ch, v)| v.then_some(ch))
}

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

/// Checker for an AXI4-Lite bus.
#[derive(Clone, Debug)]
pub struct AxilChecker {
    bus: &'static str,
    ch: Channels,
    after_reset: bool,
    aw_accepted: u64,
    w_accepted: u64,
    b_done: u64,
    ar_accepted: u64,
    r_done: u64,
    handshakes: u64,
}

impl AxilChecker {
    pub fn new(bus: &'static str) -> Self {
        AxilChecker {
            bus,
            ch: Channels::new(),
            after_reset: false,
            aw_accepted: 0,
            w_accepted: 0,
            b_done: 0,
            ar_accepted: 0,
            r_done: 0,
            handshakes: 0,
        }
    }

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

    /// Checks one clock (the register bus is idle most clocks: that case returns at once).
    #[inline]
    pub fn observe(
        &mut self,
        m: &AxilMasterSignals,
        s: &AxilSlaveSignals,
        reset: bool,
        cycle: u64,
    ) -> Result<(), Violation> {
        let any_valid = m.awvalid || m.wvalid || m.arvalid || s.bvalid || s.rvalid;
        if !any_valid && !reset && !self.after_reset && self.ch.settled() {
            return Ok(());
        }
        self.observe_busy(m, s, reset, cycle)
    }

    fn observe_busy(
        &mut self,
        m: &AxilMasterSignals,
        s: &AxilSlaveSignals,
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
                c.aw.observe(m.awvalid, s.awready, [m.awaddr, 0, 0, 0]),
            ),
            (
                "W",
                c.w.observe(m.wvalid, s.wready, [m.wdata, m.wstrb, 0, 0]),
            ),
            ("B", c.b.observe(s.bvalid, m.bready, [s.bresp, 0, 0, 0])),
            (
                "AR",
                c.ar.observe(m.arvalid, s.arready, [m.araddr, 0, 0, 0]),
            ),
            (
                "R",
                c.r.observe(s.rvalid, m.rready, [s.rdata, s.rresp, 0, 0]),
            ),
        ];
        for (ch, r) in results {
            if let Err(rule) = r {
                return Err(self.fail(cycle, ch, rule.to_string()));
            }
        }
        let writes_complete = self.aw_accepted.min(self.w_accepted);
        if s.bvalid && writes_complete <= self.b_done {
            return Err(self.fail(cycle, "B", "response without an accepted AW and W".into()));
        }
        if s.rvalid && self.ar_accepted <= self.r_done {
            return Err(self.fail(cycle, "R", "read data without an accepted AR".into()));
        }
        for (hs, n) in [
            (m.awvalid && s.awready, &mut self.aw_accepted),
            (m.wvalid && s.wready, &mut self.w_accepted),
            (s.bvalid && m.bready, &mut self.b_done),
            (m.arvalid && s.arready, &mut self.ar_accepted),
            (s.rvalid && m.rready, &mut self.r_done),
        ] {
            if hs {
                *n += 1;
                self.handshakes += 1;
            }
        }
        if reset {
            self.ch.reset();
            self.aw_accepted = 0;
            self.w_accepted = 0;
            self.b_done = 0;
            self.ar_accepted = 0;
            self.r_done = 0;
        }
        self.after_reset = reset;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_m() -> AxiMasterSignals {
        AxiMasterSignals {
            awsize: 2,
            awburst: 1,
            arsize: 2,
            arburst: 1,
            bready: true,
            rready: true,
            ..Default::default()
        }
    }

    #[test]
    fn valid_must_hold_until_ready_with_a_stable_payload() {
        let mut c = AxiChecker::new("m_axi", None);
        let mut m = ok_m();
        m.arvalid = true;
        m.araddr = 0x10;
        let s = AxiSlaveSignals::default();
        c.observe(&m, &s, false, 0).unwrap();
        m.araddr = 0x14;
        let e = c.observe(&m, &s, false, 1).unwrap_err();
        assert_eq!(e.channel, "AR");
        assert!(e.rule.contains("payload changed"), "{e}");

        let mut c = AxiChecker::new("m_axi", None);
        let mut m = ok_m();
        m.awvalid = true;
        c.observe(&m, &s, false, 0).unwrap();
        m.awvalid = false;
        let e = c.observe(&m, &s, false, 1).unwrap_err();
        assert!(e.rule.contains("VALID dropped"), "{e}");
    }

    #[test]
    fn responses_need_requests_and_bursts_need_the_right_last() {
        let mut c = AxiChecker::new("m_axi", None);
        let s = AxiSlaveSignals {
            bvalid: true,
            ..Default::default()
        };
        let e = c.observe(&ok_m(), &s, false, 0).unwrap_err();
        assert_eq!(e.channel, "B");

        // A 2-beat read answered with RLAST on the first beat.
        let mut c = AxiChecker::new("m_axi", None);
        let mut m = ok_m();
        m.arvalid = true;
        m.arlen = 1;
        let ready = AxiSlaveSignals {
            arready: true,
            ..Default::default()
        };
        c.observe(&m, &ready, false, 0).unwrap();
        let r = AxiSlaveSignals {
            rvalid: true,
            rlast: true,
            ..Default::default()
        };
        let e = c.observe(&ok_m(), &r, false, 1).unwrap_err();
        assert!(e.rule.contains("RLAST"), "{e}");

        // A write whose data comes first, then AW: B is legal only after both.
        let mut c = AxiChecker::new("m_axi", None);
        let mut m = ok_m();
        m.wvalid = true;
        m.wlast = true;
        m.wstrb = 0xF;
        let wready = AxiSlaveSignals {
            wready: true,
            ..Default::default()
        };
        c.observe(&m, &wready, false, 0).unwrap();
        let b = AxiSlaveSignals {
            bvalid: true,
            ..Default::default()
        };
        assert!(c.observe(&ok_m(), &b, false, 1).is_err());
    }

    #[test]
    fn strobes_bursts_limits_and_reset() {
        let mut c = AxiChecker::new("m_axi", Some(1));
        let mut m = ok_m();
        m.awvalid = true;
        m.awaddr = 0x102;
        m.awsize = 1;
        m.wvalid = true;
        m.wlast = true;
        m.wstrb = 0b0011; // lanes 0-1 but the address is lane 2
        let rdy = AxiSlaveSignals {
            awready: true,
            wready: true,
            arready: true,
            ..Default::default()
        };
        let e = c.observe(&m, &rdy, false, 0).unwrap_err();
        assert!(e.rule.contains("WSTRB"), "{e}");

        let mut c = AxiChecker::new("m_axi", None);
        let mut m = ok_m();
        m.arvalid = true;
        m.araddr = 0xFFC;
        m.arlen = 1;
        let e = c.observe(&m, &rdy, false, 0).unwrap_err();
        assert!(e.rule.contains("4 KiB"), "{e}");

        let mut c = AxiChecker::new("m_axi", Some(1));
        let mut m = ok_m();
        m.arvalid = true;
        c.observe(&m, &rdy, false, 0).unwrap();
        let e = c.observe(&m, &rdy, false, 1).unwrap_err();
        assert!(e.rule.contains("more than 1 reads"), "{e}");

        let mut c = AxiChecker::new("m_axi", None);
        c.observe(&ok_m(), &AxiSlaveSignals::default(), true, 0)
            .unwrap();
        let mut m = ok_m();
        m.awvalid = true;
        let e = c
            .observe(&m, &AxiSlaveSignals::default(), false, 1)
            .unwrap_err();
        assert!(e.rule.contains("after reset"), "{e}");
    }

    #[test]
    fn axil_responses_need_requests() {
        let mut c = AxilChecker::new("s_axil");
        let m = AxilMasterSignals {
            awvalid: true,
            bready: true,
            ..Default::default()
        };
        let s = AxilSlaveSignals {
            awready: true,
            ..Default::default()
        };
        c.observe(&m, &s, false, 0).unwrap();
        let b = AxilSlaveSignals {
            bvalid: true,
            ..Default::default()
        };
        let idle = AxilMasterSignals {
            bready: true,
            ..Default::default()
        };
        let e = c.observe(&idle, &b, false, 1).unwrap_err();
        assert!(e.rule.contains("without an accepted AW and W"), "{e}");
    }
}
