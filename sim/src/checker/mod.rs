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

mod axi;
mod axil;

pub use axi::AxiChecker;
pub use axil::AxilChecker;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axi::{AxiMasterSignals, AxiSlaveSignals, AxilMasterSignals, AxilSlaveSignals};

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
