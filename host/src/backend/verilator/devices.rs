//! The devices on the channels of the Verilator backend, driven at the design's pins.
//!
//! mapdma-sim's own device model produces data *patterns*; the host's test bench needs devices
//! that send exactly the bytes a test queued and ask for exactly the units it granted
//! ([`DeviceHarness`](crate::backend::DeviceHarness)). [`DeviceEngine`] wraps the simulation
//! engine and drives every channel's `dev$n$*` inputs from a [`PinDevice`], so the rest of
//! mapdma-sim's `System` (register master, memory slave, protocol checkers, waveform) runs
//! unchanged around it.
//!
//! A device is Moore-style like every sim model: what it drives in a clock is decided at the
//! previous rising edge from what it saw then.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use mapdma_sim::device::{DeviceIn, DeviceOut};
use mapdma_sim::engine::{Engine, EngineError, PortTable};
use mapdma_sim::pins::PinMap;

/// The pin polarities the controller was programmed with (COMMAND.DREQ_SENSE_LOW and
/// COMMAND.DACK_SENSE_HIGH; both clear after reset and master clear).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Polarity {
    pub dreq_active_low: bool,
    pub dack_active_high: bool,
}

/// What a device did, for throughput figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// Units the controller moved for this device (committed, either direction).
    pub units: u64,
    /// Clock of the first and of the last of those units.
    pub first_clock: Option<u64>,
    pub last_clock: Option<u64>,
}

impl Activity {
    /// Units per clock from the first unit to the last (0 without units).
    pub fn units_per_clock(&self) -> f64 {
        match (self.first_clock, self.last_clock) {
            (Some(a), Some(b)) => self.units as f64 / (b - a + 1) as f64,
            _ => 0.0,
        }
    }
}

/// One channel's device: a byte source (device → memory), a byte sink (memory → device) with a
/// unit budget, a rate, and an EOP input.
#[derive(Clone, Debug)]
pub struct PinDevice {
    source: VecDeque<u8>,
    sink: Vec<u8>,
    /// Sink units granted and not yet committed by the controller.
    budget: u64,
    /// Unit size in bytes (the channel's CH_CONFIG.WIDTH, which the device shares).
    unit_bytes: usize,
    /// The channel moves memory → device (its mode's TRANSFER is read).
    reads: bool,
    period: u32,
    /// First clock in which DREQ may be active again after the last unit (rate limit).
    next_allowed: u64,
    eop_pending: bool,
    /// What the device drives now, and the source bytes it offers with it.
    out: DeviceIn,
    offered: usize,
    /// DACK was active in the last clock and `moved` was not: a read unit of this channel is
    /// held in the issue stage, waiting for room on the bus. It may still move (DREQ or no
    /// DREQ), so the device counts it as taken until `moved` says so or DACK goes, and never
    /// asks for more units than it was granted; the price is a clock of hesitation at the end
    /// of a grant, never a unit too many.
    read_may_commit: bool,
    reads_committed: u64,
    delivered: u64,
    activity: Activity,
}

impl Default for PinDevice {
    fn default() -> Self {
        PinDevice {
            source: VecDeque::new(),
            sink: Vec::new(),
            budget: 0,
            unit_bytes: 1,
            reads: false,
            period: 1,
            next_allowed: 0,
            eop_pending: false,
            out: DeviceIn::default(),
            offered: 0,
            read_may_commit: false,
            reads_committed: 0,
            delivered: 0,
            activity: Activity::default(),
        }
    }
}

impl PinDevice {
    pub fn push_source(&mut self, data: &[u8]) {
        self.source.extend(data);
    }

    pub fn source_pending(&self) -> usize {
        self.source.len()
    }

    pub fn grant_sink(&mut self, units: u64) {
        self.budget += units;
    }

    pub fn take_sink(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.sink)
    }

    pub fn set_period(&mut self, period: u32) {
        self.period = period.max(1);
    }

    pub fn pulse_eop(&mut self) {
        self.eop_pending = true;
    }

    pub fn set_unit_bytes(&mut self, bytes: usize) {
        self.unit_bytes = bytes;
    }

    pub fn set_reads(&mut self, reads: bool) {
        self.reads = reads;
    }

    pub fn activity(&self) -> Activity {
        self.activity
    }

    pub fn clear_activity(&mut self) {
        self.activity = Activity::default();
    }

    /// Read units the controller committed for this device so far.
    pub fn reads_committed(&self) -> u64 {
        self.reads_committed
    }

    /// Units the sink has received so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    fn moved(&mut self, clock: u64) {
        let a = &mut self.activity;
        a.units += 1;
        a.first_clock.get_or_insert(clock);
        a.last_clock = Some(clock);
        // DREQ is sampled by the select stage one clock before the issue stage, so pacing
        // below one unit per clock needs DREQ low for at least the clock after a unit: the
        // spacing is max(period, 3) clocks for period ≥ 2.
        let low = if self.period >= 2 {
            (self.period - 2).max(1) as u64
        } else {
            0
        };
        self.next_allowed = clock + 1 + low;
    }

    /// The rising edge at the end of `clock`: takes the handshakes seen in it (`o`), then
    /// decides the next clock's pins. A read unit is counted by the controller's `moved` pulse,
    /// the only pin that says a unit committed: DACK stays active while a unit waits and
    /// across back-to-back units, and the unit's AXI read request may reach the bus later.
    fn edge(&mut self, clock: u64, o: &DeviceOut, pol: Polarity) {
        let drove = self.out;
        if self.reads && o.moved {
            self.budget = self.budget.saturating_sub(1);
            self.reads_committed += 1;
            self.moved(clock);
        }
        if drove.src_valid && o.src_ready {
            self.source.drain(..self.offered.min(self.source.len()));
            self.moved(clock);
        }
        if o.snk_valid && drove.snk_ready {
            let bytes = o.snk_data.to_le_bytes();
            self.sink
                .extend_from_slice(&bytes[..self.unit_bytes.min(4)]);
            self.delivered += 1;
        }
        if drove.eop_in {
            self.eop_pending = false;
        }
        // A unit held in the issue stage (DACK kept active while its request waits for room)
        // still moves after the device has dropped DREQ: DREQ need only be held until DACK.
        self.read_may_commit = self.reads && o.dack == pol.dack_active_high && !o.moved;
        self.decide(clock + 1, pol);
    }

    /// Decides the pins for clock `clock` from the device's state.
    fn decide(&mut self, clock: u64, pol: Polarity) {
        let has_unit = self.source.len() >= self.unit_bytes;
        // A read unit may be committing right now; it is only known next clock, so count it
        // as taken: the device never asks for more units than it was granted.
        let uncertain = self.read_may_commit as u64;
        let sink_wants = self.budget > uncertain;
        let paced = clock >= self.next_allowed && !(self.read_may_commit && self.period >= 2);
        let active = paced && (has_unit || sink_wants);
        let mut word = [0u8; 4];
        for (w, b) in word
            .iter_mut()
            .zip(self.source.iter().take(self.unit_bytes))
        {
            *w = *b;
        }
        self.offered = if has_unit { self.unit_bytes } else { 0 };
        self.out = DeviceIn {
            dreq: active != pol.dreq_active_low,
            src_data: if has_unit {
                u32::from_le_bytes(word)
            } else {
                0
            },
            src_valid: has_unit,
            snk_ready: true,
            eop_in: self.eop_pending,
        };
    }

    fn reset(&mut self, clock: u64, pol: Polarity) {
        self.read_may_commit = false;
        self.decide(clock, pol);
    }
}

/// The devices of every channel and the clock they count.
#[derive(Debug)]
pub struct DeviceBank {
    devices: Vec<PinDevice>,
    polarity: Polarity,
    /// The number of the clock about to run.
    clock: u64,
    /// ARVALID in the last clock.
    ar_valid: bool,
}

impl DeviceBank {
    pub fn new(channels: usize) -> Self {
        let mut bank = DeviceBank {
            devices: vec![PinDevice::default(); channels],
            polarity: Polarity::default(),
            clock: 0,
            ar_valid: false,
        };
        bank.refresh_all();
        bank
    }

    pub fn channels(&self) -> usize {
        self.devices.len()
    }

    pub fn device(&self, ch: usize) -> &PinDevice {
        &self.devices[ch]
    }

    /// Changes a device between clocks; its pins follow at once.
    pub fn with_device<R>(&mut self, ch: usize, f: impl FnOnce(&mut PinDevice) -> R) -> R {
        let (clock, pol) = (self.clock, self.polarity);
        let d = &mut self.devices[ch];
        let r = f(d);
        d.decide(clock, pol);
        r
    }

    pub fn polarity(&self) -> Polarity {
        self.polarity
    }

    pub fn set_polarity(&mut self, polarity: Polarity) {
        self.polarity = polarity;
        self.refresh_all();
    }

    /// The memory's read-request channel was idle in the last clock.
    pub fn read_requests_idle(&self) -> bool {
        !self.ar_valid
    }

    fn refresh_all(&mut self) {
        let (clock, pol) = (self.clock, self.polarity);
        for d in &mut self.devices {
            d.decide(clock, pol);
        }
    }

    fn edge(&mut self, seen: &Seen) {
        let clock = self.clock;
        let pol = self.polarity;
        if seen.reset {
            self.ar_valid = false;
            for d in &mut self.devices {
                d.reset(clock + 1, pol);
            }
        } else {
            self.ar_valid = seen.ar_valid;
            for (d, o) in self.devices.iter_mut().zip(&seen.dev) {
                d.edge(clock, o, pol);
            }
        }
        self.clock += 1;
    }
}

/// What the wrapper saw with the clock low, for the following edge.
#[derive(Clone, Debug, Default)]
struct Seen {
    reset: bool,
    ar_valid: bool,
    dev: Vec<DeviceOut>,
}

/// The simulation engine with the device pins driven from a [`DeviceBank`].
pub struct DeviceEngine {
    inner: Box<dyn Engine>,
    pins: PinMap,
    bank: Arc<Mutex<DeviceBank>>,
    words: Vec<u32>,
    seen: Option<Seen>,
}

impl DeviceEngine {
    /// Wraps `inner` (a mapdma design with `channels` channels).
    pub fn new(
        inner: Box<dyn Engine>,
        channels: usize,
        bank: Arc<Mutex<DeviceBank>>,
    ) -> Result<Self, EngineError> {
        let pins = PinMap::new(inner.ports(), channels)?;
        Ok(DeviceEngine {
            words: vec![0; inner.ports().inputs.len()],
            inner,
            pins,
            bank,
            seen: None,
        })
    }

    /// The input words with the device pins taken from the bank.
    fn put_devices(&mut self, inputs: &[u32]) {
        self.words.copy_from_slice(inputs);
        let bank = self.bank.lock().unwrap_or_else(|e| e.into_inner());
        for (ch, d) in bank.devices.iter().enumerate() {
            self.pins.put_dev(&mut self.words, ch, &d.out);
        }
    }

    /// What the devices see of the clock-low half: they act on it at the rising edge.
    fn sample(&self, inputs: &[u32], low: &[u32]) -> Seen {
        Seen {
            reset: inputs[self.pins.reset] != 0,
            ar_valid: self.pins.get_axi(low).arvalid,
            dev: (0..self.pins.channels())
                .map(|ch| self.pins.get_dev(low, ch))
                .collect(),
        }
    }

    fn bank(&self) -> MutexGuard<'_, DeviceBank> {
        // A panic elsewhere cannot leave the bank half-updated in a way that matters here.
        self.bank.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Engine for DeviceEngine {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn ports(&self) -> &PortTable {
        self.inner.ports()
    }

    fn eval(&mut self, inputs: &[u32], outputs: &mut [u32]) -> Result<(), EngineError> {
        self.put_devices(inputs);
        self.inner.eval(&self.words, outputs)?;
        if inputs[self.pins.clock] == 0 {
            self.seen = Some(self.sample(inputs, outputs));
        } else if let Some(seen) = self.seen.take() {
            self.bank().edge(&seen);
        }
        Ok(())
    }

    /// One whole clock in one call of the inner engine (the Verilator shim's single call with
    /// its rising-edge shortcut): the devices' pins do not change between the two halves, as
    /// they move only at the edge, after the high half.
    fn clock(
        &mut self,
        inputs: &mut [u32],
        clock: usize,
        low: &mut [u32],
        high: Option<&mut [u32]>,
        time_ps: u64,
        half_ps: u64,
    ) -> Result<(), EngineError> {
        inputs[clock] = 0;
        self.put_devices(inputs);
        self.inner
            .clock(&mut self.words, clock, low, high, time_ps, half_ps)?;
        let seen = self.sample(inputs, low);
        inputs[clock] = 1;
        self.seen = None;
        self.bank().edge(&seen);
        Ok(())
    }

    fn trace_open(&mut self, path: &Path) -> Result<(), EngineError> {
        self.inner.trace_open(path)
    }

    fn trace_dump(&mut self, time_ps: u64) -> Result<(), EngineError> {
        self.inner.trace_dump(time_ps)
    }

    fn trace_close(&mut self) -> Result<(), EngineError> {
        self.inner.trace_close()
    }

    fn tracing(&self) -> bool {
        self.inner.tracing()
    }
}
