//! A device on one channel of the reference model: a byte source (device → memory), a byte
//! sink (memory → device) and a rate. It drives DREQ as a real peripheral would: high while it
//! has something to send or room to receive, and only once per `period` unit-times.

use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct Device {
    source: VecDeque<u8>,
    sink: Vec<u8>,
    sink_budget: u64,
    period: u32,
    /// Unit-times until the device is ready again.
    wait: u32,
    /// Overrides the DREQ pin (for register-level tests).
    forced_dreq: Option<bool>,
    /// Units delivered to or taken from this device since creation.
    units_moved: u64,
}

impl Default for Device {
    fn default() -> Self {
        Device {
            source: VecDeque::new(),
            sink: Vec::new(),
            sink_budget: 0,
            period: 1,
            wait: 0,
            forced_dreq: None,
            units_moved: 0,
        }
    }
}

impl Device {
    /// Level of the DREQ pin as the device drives it (active high, before COMMAND.DREQ_SENSE_LOW).
    pub fn dreq_pin(&self) -> bool {
        self.forced_dreq
            .unwrap_or(self.wait == 0 && (!self.source.is_empty() || self.sink_budget > 0))
    }

    pub fn force_dreq(&mut self, level: Option<bool>) {
        self.forced_dreq = level;
    }

    pub fn push_source(&mut self, data: &[u8]) {
        self.source.extend(data);
    }

    pub fn source_pending(&self) -> usize {
        self.source.len()
    }

    /// Takes one unit of `bytes` bytes from the source, if the device has a whole unit.
    pub fn take_unit(&mut self, bytes: usize) -> Option<Vec<u8>> {
        if self.source.len() < bytes {
            return None;
        }
        Some(self.source.drain(..bytes).collect())
    }

    pub fn deliver(&mut self, unit: &[u8]) {
        self.sink.extend_from_slice(unit);
        self.sink_budget = self.sink_budget.saturating_sub(1);
    }

    pub fn grant_sink(&mut self, units: u64) {
        self.sink_budget += units;
    }

    pub fn take_sink(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.sink)
    }

    pub fn set_period(&mut self, period: u32) {
        self.period = period.max(1);
    }

    pub fn units_moved(&self) -> u64 {
        self.units_moved
    }

    /// One unit-time passes.
    pub fn tick(&mut self) {
        self.wait = self.wait.saturating_sub(1);
    }

    /// A unit was moved for this device: it needs `period` unit-times until the next one.
    pub fn moved(&mut self) {
        self.units_moved += 1;
        self.wait = self.period;
    }
}
