//! The AXI4-Lite checker: channel handshakes plus responses only to accepted requests.

use super::{valid_after_reset, Channels, Violation};
use crate::axi::{AxilMasterSignals, AxilSlaveSignals};

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
