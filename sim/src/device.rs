//! A DMA device on one channel: a stream source (device → DMA, for write transfers), a stream
//! sink (DMA → device, for read transfers), DREQ driven per 8237 service mode, DACK observed,
//! and EOP injection. Moore-style like every model here.

use crate::rate::{Rate, RateGen};
use mapdma_regmap::ServiceMode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Signals the device drives into the DMA channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceIn {
    /// The DREQ *pin* level (already inverted when DREQ is active low).
    pub dreq: bool,
    pub src_data: u32,
    pub src_valid: bool,
    pub snk_ready: bool,
    pub eop_in: bool,
}

/// Signals the DMA channel drives towards the device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceOut {
    /// The DACK *pin* level.
    pub dack: bool,
    pub src_ready: bool,
    pub snk_data: u32,
    pub snk_valid: bool,
    pub snk_last: bool,
    pub eop_out: bool,
    /// A unit of the channel committed in this clock (either direction).
    pub moved: bool,
}

/// Values a source produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataPattern {
    /// `start`, `start + step`, … (wrapping).
    Counter { start: u32, step: u32 },
    /// From the device's seeded RNG.
    Random,
}

/// When the device asserts DREQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DreqMode {
    /// Never (software-requested or unused channels).
    Off,
    /// Always active.
    Always,
    /// Active while the device wants service: its source has units left to offer (or, for a
    /// sink-only device, always). Demand and single mode.
    WhileWanted,
    /// Raised while the device wants service, dropped from the clock after DACK is seen
    /// active, raised again once DACK has gone inactive (the service ended). Block mode: one
    /// request starts the whole block.
    UntilDack,
}

impl DreqMode {
    /// The usual device behaviour for an 8237 service mode.
    pub fn for_service(mode: ServiceMode) -> Self {
        match mode {
            ServiceMode::Demand | ServiceMode::Single | ServiceMode::Cascade => {
                DreqMode::WhileWanted
            }
            ServiceMode::Block => DreqMode::UntilDack,
        }
    }
}

/// How fast the device withdraws DREQ once it sees DACK. Both are legal on an 8237 (DREQ need
/// only be held until DACK goes active), and the controller must move the acknowledged unit
/// either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DreqTiming {
    /// Registered: DREQ reacts to DACK (and to handshakes) at the next clock edge.
    #[default]
    ClockAfterDack,
    /// Combinational: DREQ is inactive in every clock in which DACK is active
    /// (`dreq = want & !dack`), on top of the [`DreqMode`] rule.
    InDackClock,
}

/// When the device pulses EOP (one clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EopTrigger {
    /// In this clock.
    AtCycle(u64),
    /// In the clock after the device has moved this many units (sent + received).
    AfterUnits(u64),
}

/// The device's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceConfig {
    /// Offer units on `src` at this rate; `None` = no source.
    pub source: Option<Rate>,
    pub pattern: DataPattern,
    /// Units the source offers in total (`None` = endless).
    pub source_units: Option<u64>,
    /// Accept units on `snk` at this rate; `None` = never ready.
    pub sink: Option<Rate>,
    pub dreq: DreqMode,
    pub dreq_timing: DreqTiming,
    /// COMMAND.DREQ_SENSE_LOW as programmed in the controller.
    pub dreq_active_low: bool,
    /// COMMAND.DACK_SENSE_HIGH as programmed (DACK is active low after reset).
    pub dack_active_high: bool,
    pub eop: Vec<EopTrigger>,
    pub seed: u64,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            source: None,
            pattern: DataPattern::Counter { start: 1, step: 1 },
            source_units: None,
            sink: None,
            dreq: DreqMode::Off,
            dreq_timing: DreqTiming::ClockAfterDack,
            dreq_active_low: false,
            dack_active_high: false,
            eop: vec![],
            seed: 3,
        }
    }
}

impl DeviceConfig {
    /// A device → memory device that offers `units` units at `rate`.
    pub fn source(rate: Rate, units: Option<u64>, mode: ServiceMode) -> Self {
        DeviceConfig {
            source: Some(rate),
            source_units: units,
            dreq: DreqMode::for_service(mode),
            ..Default::default()
        }
    }

    /// A memory → device device accepting at `rate`.
    pub fn sink(rate: Rate, mode: ServiceMode) -> Self {
        DeviceConfig {
            sink: Some(rate),
            dreq: DreqMode::for_service(mode),
            ..Default::default()
        }
    }
}

/// A unit the sink received.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Received {
    pub cycle: u64,
    pub data: u32,
    pub last: bool,
}

/// One channel's device.
pub struct Device {
    cfg: DeviceConfig,
    rng: StdRng,
    src_rate: RateGen,
    snk_rate: RateGen,
    /// The value offered now, or next when nothing is offered.
    value: u32,
    out: DeviceIn,
    /// UntilDack: DACK has been seen since DREQ rose; wait for it to go inactive.
    dack_seen: bool,
    sent_total: u64,
    received_total: u64,
    sent: Vec<(u64, u32)>,
    received: Vec<Received>,
    eop_fired: Vec<bool>,
    eop_out: Vec<u64>,
    moved: Vec<u64>,
    moved_total: u64,
    dack_cycles: u64,
    record: bool,
    /// Drives nothing but inactive levels, ever (no source, sink, DREQ or EOP): its clock only
    /// counts what it sees.
    passive: bool,
}

impl Device {
    pub fn new(cfg: DeviceConfig) -> Self {
        let mut d = Device {
            rng: StdRng::seed_from_u64(cfg.seed),
            src_rate: RateGen::new(cfg.source.unwrap_or(Rate::Never)),
            snk_rate: RateGen::new(cfg.sink.unwrap_or(Rate::Never)),
            value: 0,
            out: DeviceIn::default(),
            dack_seen: false,
            sent_total: 0,
            received_total: 0,
            sent: vec![],
            received: vec![],
            eop_fired: vec![false; cfg.eop.len()],
            eop_out: vec![],
            moved: vec![],
            moved_total: 0,
            dack_cycles: 0,
            record: true,
            passive: Self::is_passive(&cfg),
            cfg,
        };
        d.value = d.produce();
        d.out.dreq = d.cfg.dreq_active_low; // the inactive level
        d
    }

    fn is_passive(cfg: &DeviceConfig) -> bool {
        cfg.source.is_none()
            && cfg.sink.is_none()
            && cfg.dreq == DreqMode::Off
            && cfg.eop.is_empty()
    }

    /// A device that does nothing (unused channel).
    pub fn idle() -> Self {
        Device::new(DeviceConfig::default())
    }

    pub fn config(&self) -> &DeviceConfig {
        &self.cfg
    }

    /// Stops recording sent/received units (long benchmarks); the counts are still kept.
    pub fn set_recording(&mut self, on: bool) {
        self.record = on;
    }

    fn produce(&mut self) -> u32 {
        match self.cfg.pattern {
            DataPattern::Counter { start, step } => {
                start.wrapping_add(step.wrapping_mul(self.sent_total as u32))
            }
            DataPattern::Random => self.rng.gen(),
        }
    }

    #[inline]
    pub fn drive(&self) -> DeviceIn {
        self.out
    }

    /// Units handed to the DMA: (clock, value), if recording.
    pub fn sent(&self) -> &[(u64, u32)] {
        &self.sent
    }

    /// Units taken from the DMA, if recording.
    pub fn received(&self) -> &[Received] {
        &self.received
    }

    pub fn sent_total(&self) -> u64 {
        self.sent_total
    }

    pub fn received_total(&self) -> u64 {
        self.received_total
    }

    /// Clocks in which `eop_out` was high.
    pub fn eop_out(&self) -> &[u64] {
        &self.eop_out
    }

    /// Clocks in which the channel's `moved` pulsed (a unit of it committed), if recording.
    pub fn moved(&self) -> &[u64] {
        &self.moved
    }

    /// Units of the channel committed (`moved` pulses), recorded or not.
    pub fn moved_total(&self) -> u64 {
        self.moved_total
    }

    /// From the next clock on, holds DREQ active (`true`, [`DreqMode::Always`]) or inactive
    /// (`false`, [`DreqMode::Off`]): a device whose driver starts or stops its requests by
    /// hand, in a clock the test chooses.
    pub fn hold_dreq(&mut self, active: bool) {
        self.cfg.dreq = if active {
            DreqMode::Always
        } else {
            DreqMode::Off
        };
        self.out.dreq = active != self.cfg.dreq_active_low;
        self.passive &= Self::is_passive(&self.cfg);
    }

    /// Pulses EOP in the next clock only (an external end of process at a clock the test
    /// chooses, rather than one fixed in [`DeviceConfig::eop`]).
    pub fn pulse_eop(&mut self) {
        self.out.eop_in = true;
        // A passive device never recomputes its outputs, which would leave EOP high.
        self.passive = false;
    }

    /// Clocks in which DACK was active.
    pub fn dack_cycles(&self) -> u64 {
        self.dack_cycles
    }

    fn wants_service(&self) -> bool {
        match self.cfg.source {
            Some(_) => self.cfg.source_units.is_none_or(|n| self.sent_total < n),
            None => self.cfg.sink.is_some(),
        }
    }

    /// Whether [`Device::see_dack`] must be called every clock.
    #[inline]
    pub fn watches_dack(&self) -> bool {
        self.cfg.dreq_timing == DreqTiming::InDackClock
    }

    /// After the rising edge: the DACK pin level the channel shows in the coming clock (it
    /// depends on the controller's registers only). A [`DreqTiming::InDackClock`] device
    /// withdraws DREQ in that same clock.
    #[inline]
    pub fn see_dack(&mut self, dack_pin: bool) {
        if self.watches_dack() && dack_pin == self.cfg.dack_active_high {
            self.out.dreq = self.cfg.dreq_active_low;
        }
    }

    /// The rising edge: takes this clock's handshakes (`o` = what the channel drove), then
    /// decides the next clock's signals.
    pub fn clock(&mut self, o: &DeviceOut, cycle: u64) {
        let d = self.out;
        let dack = o.dack == self.cfg.dack_active_high;
        if dack {
            self.dack_cycles += 1;
        }
        if o.eop_out {
            self.eop_out.push(cycle);
        }
        if o.moved {
            self.moved_total += 1;
            if self.record {
                self.moved.push(cycle);
            }
        }
        if self.passive {
            // Its signals stay at the inactive levels set in `new`.
            return;
        }
        if d.src_valid && o.src_ready {
            if self.record {
                self.sent.push((cycle, d.src_data));
            }
            self.sent_total += 1;
            self.value = self.produce();
        }
        if o.snk_valid && d.snk_ready {
            if self.record {
                self.received.push(Received {
                    cycle,
                    data: o.snk_data,
                    last: o.snk_last,
                });
            }
            self.received_total += 1;
        }

        let src_tick = self.src_rate.tick(&mut self.rng);
        let snk_tick = self.snk_rate.tick(&mut self.rng);
        let mut next = DeviceIn::default();
        // Source: VALID and data held until taken; a new unit appears when the rate allows.
        let held = d.src_valid && !o.src_ready;
        let more = self.cfg.source_units.is_none_or(|n| self.sent_total < n);
        if held || (self.cfg.source.is_some() && more && src_tick) {
            next.src_valid = true;
            next.src_data = self.value;
        }
        next.snk_ready = self.cfg.sink.is_some() && snk_tick;

        let wanted = self.wants_service();
        let active = match self.cfg.dreq {
            DreqMode::Off => false,
            DreqMode::Always => true,
            DreqMode::WhileWanted => wanted,
            DreqMode::UntilDack => {
                if dack {
                    self.dack_seen = true;
                } else if self.dack_seen {
                    self.dack_seen = false;
                }
                wanted && !self.dack_seen && !dack
            }
        };
        next.dreq = active != self.cfg.dreq_active_low;

        let moved = self.sent_total + self.received_total;
        for (i, t) in self.cfg.eop.iter().enumerate() {
            if self.eop_fired[i] {
                continue;
            }
            let fire = match *t {
                EopTrigger::AtCycle(c) => c == cycle + 1,
                EopTrigger::AfterUnits(n) => moved >= n,
            };
            if fire {
                self.eop_fired[i] = true;
                next.eop_in = true;
            }
        }
        self.out = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle_out(dack_active: bool) -> DeviceOut {
        DeviceOut {
            dack: !dack_active, // active low by default
            ..Default::default()
        }
    }

    #[test]
    fn source_holds_data_until_taken_and_counts() {
        let mut d = Device::new(DeviceConfig::source(
            Rate::Always,
            Some(3),
            ServiceMode::Demand,
        ));
        let mut got = vec![];
        for c in 0..20 {
            let i = d.drive();
            let take = c % 3 == 2;
            if i.src_valid && take {
                got.push(i.src_data);
            }
            let o = DeviceOut {
                src_ready: take,
                ..idle_out(false)
            };
            d.clock(&o, c);
        }
        assert_eq!(got, [1, 2, 3]);
        assert_eq!(d.sent_total(), 3);
        assert!(!d.drive().src_valid, "no fourth unit");
        assert!(!d.drive().dreq, "demand DREQ drops when nothing is left");
    }

    #[test]
    fn block_mode_dreq_drops_after_dack() {
        let mut d = Device::new(DeviceConfig::source(Rate::Always, None, ServiceMode::Block));
        d.clock(&idle_out(false), 0);
        assert!(d.drive().dreq);
        d.clock(&idle_out(true), 1);
        assert!(!d.drive().dreq, "DACK seen: request withdrawn");
        d.clock(&idle_out(true), 2);
        assert!(!d.drive().dreq);
        d.clock(&idle_out(false), 3);
        assert!(d.drive().dreq, "service over: asks again");
    }

    #[test]
    fn dreq_and_eop_by_hand_and_moved_recorded() {
        let mut d = Device::idle();
        d.hold_dreq(true);
        assert!(d.drive().dreq, "held from the next clock");
        d.pulse_eop();
        let moved = DeviceOut {
            moved: true,
            ..idle_out(false)
        };
        d.clock(&moved, 0);
        assert!(d.drive().dreq, "still held after the edge");
        assert!(!d.drive().eop_in, "EOP lasts one clock");
        d.hold_dreq(false);
        assert!(!d.drive().dreq);
        d.clock(&idle_out(false), 1);
        d.clock(&moved, 2);
        assert!(!d.drive().dreq);
        assert_eq!(d.moved(), [0, 2]);
        assert_eq!(d.moved_total(), 2);
    }

    #[test]
    fn polarity_and_eop_injection() {
        let mut cfg = DeviceConfig::sink(Rate::Every(2), ServiceMode::Single);
        cfg.dreq_active_low = true;
        cfg.eop = vec![EopTrigger::AtCycle(4), EopTrigger::AfterUnits(2)];
        let mut d = Device::new(cfg);
        assert!(
            d.drive().dreq,
            "inactive level of an active-low DREQ is high"
        );
        let mut eops = vec![];
        let mut readies = vec![];
        for c in 0..10 {
            let i = d.drive();
            if i.eop_in {
                eops.push(c);
            }
            readies.push(i.snk_ready);
            let o = DeviceOut {
                snk_valid: c == 1 || c == 3,
                snk_data: c as u32,
                ..idle_out(false)
            };
            d.clock(&o, c);
            assert!(!d.drive().dreq, "wanted, active low");
        }
        assert_eq!(&readies[1..5], [true, false, true, false]);
        assert_eq!(d.received().len(), 2);
        assert_eq!(eops, [4], "both triggers land in clock 4 and pulse once");
    }
}
