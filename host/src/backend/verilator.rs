//! The Verilator backend: mapdma's generated Verilog, compiled by Verilator, inside
//! mapdma-sim's [`System`] (AXI4-Lite register master, AXI4 memory slave with latency and
//! backpressure, protocol checkers on both buses, optional VCD waveform).
//!
//! - Every register access is a real AXI4-Lite transaction and costs simulated clocks, during
//!   which the devices keep streaming.
//! - Physical memory is the memory slave's: the CPU reads and writes it directly, DMA outside
//!   the RAM window answers DECERR, and a DMA write outside the pages allocated at that moment
//!   is caught by the slave's write-permission map and fails the next backend call.
//! - A unit-time of [`DeviceHarness::idle`] is one clock (the engine's best case is one unit
//!   per clock).
//! - Devices are driven at the pins by the `devices` module: exact byte queues and unit budgets, as the
//!   [`DeviceHarness`] promises. They learn their unit width, direction and the pin polarities
//!   from the driver's own register writes (CH_CONFIG, MODE, COMMAND), as a device configured
//!   by the same driver would know them.
//!
//! Only configurations with a compiled model run here (`Config::default()` and
//! `Config::small()`, see [`VerilatorBackend::supports`]).

mod devices;

pub use devices::{Activity, DeviceBank, DeviceEngine, PinDevice, Polarity};

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use mapdma_regmap::{self as rm, Config, ConfigError, ServiceMode, TransferType};
use mapdma_sim::axi::Resp;
use mapdma_sim::axi_slave::{AxiSlaveConfig, AxiSlaveStats, ErrorRange};
use mapdma_sim::axil_master::{AxilOp, AxilTiming};
use mapdma_sim::mapdma::{verilated_configs, verilator_engine};
use mapdma_sim::memory::{WritePermissions, WriteViolation};
use mapdma_sim::{SimError, System, SystemConfig};

use super::reference::{decode, Memory, Reg, DEFAULT_RAM_BASE, DEFAULT_RAM_BYTES};
use super::{Backend, BackendError, BusResponse, DeviceHarness, PhysicalMemory, RegisterBus};

/// The test bench around the design.
#[derive(Clone, Debug, PartialEq)]
pub struct VerilatorOptions {
    /// Memory read and write latency in clocks (≥ 1).
    pub memory_latency: u32,
    /// Probability that the memory is ready (AW, W, AR) or offers a response (R, B) in a
    /// clock; 1.0 = no backpressure.
    pub memory_ready: f64,
    /// The register master delays VALID and READY by up to this many clocks (random).
    pub register_delay: u32,
    /// Seeds every random choice of the bench.
    pub seed: u64,
    /// RAM window `[ram_base, ram_base + ram_bytes)`; page-aligned.
    pub ram_base: u64,
    pub ram_bytes: u64,
    /// Write a VCD waveform of the whole run here.
    pub vcd: Option<PathBuf>,
}

impl Default for VerilatorOptions {
    /// The reference model's RAM, memory latency 1, no backpressure, fastest register timing.
    fn default() -> Self {
        VerilatorOptions {
            memory_latency: 1,
            memory_ready: 1.0,
            register_delay: 0,
            seed: 1,
            ram_base: DEFAULT_RAM_BASE,
            ram_bytes: DEFAULT_RAM_BYTES,
            vcd: None,
        }
    }
}

/// Why a Verilator backend could not be built.
#[derive(Clone, Debug, PartialEq)]
pub enum VerilatorError {
    Config(ConfigError),
    /// The options describe an impossible bench.
    Options(String),
    Sim(SimError),
}

impl fmt::Display for VerilatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerilatorError::Config(e) => write!(f, "configuration: {e}"),
            VerilatorError::Options(m) => write!(f, "Verilator bench: {m}"),
            VerilatorError::Sim(e) => write!(f, "simulation: {e}"),
        }
    }
}

impl std::error::Error for VerilatorError {}

/// One `SNAP_COUNT` read the driver made: what `read_dma_counter` saw, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterSample {
    /// Clock in which the read finished.
    pub clock: u64,
    pub channel: usize,
    /// Current count (units − 1; 0xFFFF after terminal count without auto-initialize).
    pub count: u32,
    pub passes: u32,
}

/// Progress of a run, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub clock: u64,
    /// Units moved on all channels since the activity was last cleared.
    pub units: u64,
}

/// Called after every [`DeviceHarness::idle`].
pub type ProgressHook = Box<dyn FnMut(&Progress) + Send>;

/// Longest wait, in clocks, for read units already counted to reach their device.
const DRAIN_CLOCKS: u64 = 100_000;

/// mapdma on Verilator, with memory and devices.
pub struct VerilatorBackend {
    sim: System<DeviceEngine>,
    bank: Arc<Mutex<DeviceBank>>,
    cfg: Config,
    /// The reference model's page allocator, so both backends hand out the same pages.
    pages: Memory,
    allocated: BTreeSet<u64>,
    ram_end: u64,
    /// Violations recorded by permission maps that have since been replaced.
    old_violations: Vec<WriteViolation>,
    violations_reported: usize,
    progress: Option<ProgressHook>,
}

// SAFETY: the only non-`Send` part is the Verilated C++ model inside `sim`. It is owned by this
// backend alone and only reached through `&mut self`, so it is never used from two threads at
// once; each model has its own `VerilatedContext`, and the generated design contains no
// `$display`/`$finish` or DPI that would touch the Verilator runtime's per-thread state.
// Moving it to another thread between calls is therefore sound.
unsafe impl Send for VerilatorBackend {}

impl VerilatorBackend {
    /// Whether a Verilator model of `cfg` is compiled in.
    pub fn supports(cfg: &Config) -> bool {
        verilated_configs().contains(cfg)
    }

    /// mapdma of `cfg` with the default bench.
    pub fn new(cfg: Config) -> Result<Self, VerilatorError> {
        Self::with_options(cfg, VerilatorOptions::default())
    }

    pub fn with_options(cfg: Config, opts: VerilatorOptions) -> Result<Self, VerilatorError> {
        cfg.validate().map_err(VerilatorError::Config)?;
        let page = 1u64 << cfg.page_shift;
        let ram_end = opts.ram_base.saturating_add(opts.ram_bytes);
        let bad = |m: String| Err(VerilatorError::Options(m));
        if opts.ram_bytes == 0
            || !opts.ram_base.is_multiple_of(page)
            || !opts.ram_bytes.is_multiple_of(page)
            || ram_end > 1 << cfg.physical_bits
        {
            return bad(format!(
                "RAM {:#x}+{:#x} must be whole {page}-byte pages inside the {}-bit physical space",
                opts.ram_base, opts.ram_bytes, cfg.physical_bits
            ));
        }
        if opts.memory_latency == 0 {
            return bad("memory latency must be at least 1 clock".into());
        }
        if !(opts.memory_ready > 0.0 && opts.memory_ready <= 1.0) {
            return bad(format!(
                "memory readiness {} must be in (0, 1]",
                opts.memory_ready
            ));
        }
        let mut memory = AxiSlaveConfig {
            seed: opts.seed,
            log: false,
            ..AxiSlaveConfig::default().with_latency(opts.memory_latency)
        };
        if opts.memory_ready < 1.0 {
            memory = memory.with_random_backpressure(opts.memory_ready);
        }
        // DMA outside the RAM reaches no slave, as on the reference model.
        if opts.ram_base > 0 {
            memory.error_ranges.push(ErrorRange {
                range: 0..opts.ram_base,
                resp: Resp::DecErr,
            });
        }
        memory.error_ranges.push(ErrorRange {
            range: ram_end..1 << cfg.physical_bits,
            resp: Resp::DecErr,
        });
        let sys = SystemConfig {
            memory,
            axil: AxilTiming {
                max_valid_delay: opts.register_delay,
                max_ready_delay: opts.register_delay,
                seed: opts.seed,
            },
            vcd: opts.vcd.clone(),
            ..SystemConfig::default()
        };
        let bank = Arc::new(Mutex::new(DeviceBank::new(cfg.channels)));
        let inner = verilator_engine(&cfg).map_err(VerilatorError::Sim)?;
        let engine = DeviceEngine::new(inner, cfg.channels, bank.clone())
            .map_err(|e| VerilatorError::Sim(SimError::Engine(e)))?;
        let sim = System::new(engine, &cfg, sys).map_err(VerilatorError::Sim)?;
        let mut backend = VerilatorBackend {
            sim,
            bank,
            cfg,
            pages: Memory::new(
                cfg.page_shift,
                opts.ram_base,
                (opts.ram_bytes / page) as usize,
            ),
            allocated: BTreeSet::new(),
            ram_end,
            old_violations: Vec::new(),
            violations_reported: 0,
            progress: None,
        };
        backend.rebuild_permissions();
        Ok(backend)
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Clocks simulated so far.
    pub fn cycle(&self) -> u64 {
        self.sim.cycle()
    }

    /// The simulation itself (memory statistics, register log, interrupt observer, ...).
    pub fn system(&self) -> &System<DeviceEngine> {
        &self.sim
    }

    pub fn system_mut(&mut self) -> &mut System<DeviceEngine> {
        &mut self.sim
    }

    /// Handshakes the protocol checkers have inspected: (AXI4 memory bus, AXI4-Lite bus).
    pub fn checked_handshakes(&self) -> (u64, u64) {
        self.sim.checked_handshakes()
    }

    pub fn memory_stats(&self) -> AxiSlaveStats {
        self.sim.memory.stats()
    }

    /// Every DMA write that touched memory outside the pages allocated at the time.
    pub fn write_violations(&self) -> Vec<WriteViolation> {
        let mut v = self.old_violations.clone();
        v.extend_from_slice(self.sim.memory.permissions.violations());
        v
    }

    /// What channel `ch`'s device moved since the activity was last cleared.
    pub fn activity(&self, ch: usize) -> Result<Activity, BackendError> {
        self.check_channel(ch)?;
        Ok(self.bank().device(ch).activity())
    }

    pub fn clear_activity(&mut self) {
        let mut bank = self.bank();
        for ch in 0..bank.channels() {
            bank.with_device(ch, |d| d.clear_activity());
        }
    }

    /// Every counter snapshot (`SNAP_COUNT`) read so far, in order.
    pub fn counter_samples(&self) -> Vec<CounterSample> {
        let cfg = &self.cfg;
        self.sim
            .axil_log()
            .iter()
            .filter_map(|d| match (d.op, d.resp) {
                (AxilOp::Read { addr }, Resp::Okay) => match decode(cfg, addr) {
                    Some(Reg::SnapCount(channel)) => Some(CounterSample {
                        clock: d.finished,
                        channel,
                        count: rm::snap_count::COUNT.get(cfg, d.data),
                        passes: rm::snap_count::PASSES.get(cfg, d.data),
                    }),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Calls `hook` after every idle period (`None` removes it).
    pub fn set_progress(&mut self, hook: Option<ProgressHook>) {
        self.progress = hook;
    }

    /// Flushes and closes the waveform file, if one is being written.
    pub fn trace_close(&mut self) -> Result<(), BackendError> {
        self.sim.trace_close().map_err(sim_error)
    }

    fn bank(&self) -> MutexGuard<'_, DeviceBank> {
        self.bank.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn check_channel(&self, channel: usize) -> Result<(), BackendError> {
        if channel < self.cfg.channels {
            Ok(())
        } else {
            Err(BackendError::NoSuchChannel { channel })
        }
    }

    fn check_ram(&self, address: u64, len: usize) -> Result<(), BackendError> {
        let end = address.checked_add(len as u64);
        if address < self.pages.base() || end.is_none_or(|e| e > self.ram_end) {
            return Err(BackendError::BadPhysicalAddress {
                address,
                reason: "outside the Verilator backend's RAM",
            });
        }
        Ok(())
    }

    /// Devices may write exactly the pages allocated now.
    fn rebuild_permissions(&mut self) {
        let old = std::mem::take(&mut self.sim.memory.permissions);
        self.old_violations.extend_from_slice(old.violations());
        let mut p = WritePermissions::default();
        p.forbid_all();
        let page = self.pages.page_size();
        let mut run: Option<(u64, u64)> = None;
        for &a in &self.allocated {
            run = match run {
                Some((start, end)) if end == a => Some((start, a + page)),
                Some((start, end)) => {
                    p.allow(start..end);
                    Some((a, a + page))
                }
                None => Some((a, a + page)),
            };
        }
        if let Some((start, end)) = run {
            p.allow(start..end);
        }
        self.sim.memory.permissions = p;
    }

    /// Fails once for every DMA write outside the allocated pages since the last check.
    fn check_violations(&mut self) -> Result<(), BackendError> {
        let current = self.sim.memory.permissions.violations();
        let total = self.old_violations.len() + current.len();
        if total <= self.violations_reported {
            return Ok(());
        }
        let i = self.violations_reported;
        let v = if i < self.old_violations.len() {
            self.old_violations[i].clone()
        } else {
            current[i - self.old_violations.len()].clone()
        };
        self.violations_reported = total;
        Err(BackendError::DmaOutsidePages {
            address: v.addr,
            bytes: v.len,
            clock: v.cycle,
        })
    }

    /// Keeps the devices' view of the channel setup in step with the driver's writes.
    fn snoop_write(&mut self, offset: u32, value: u32) {
        let cfg = self.cfg;
        let mut bank = self.bank();
        match decode(&cfg, offset) {
            Some(Reg::ChConfig(ch)) if ch < bank.channels() => {
                // WIDTH 3 is reserved and moves bytes.
                let w = rm::ch_config::WIDTH.get(&cfg, value);
                let bytes = if w <= 2 { 1usize << w } else { 1 };
                bank.with_device(ch, |d| d.set_unit_bytes(bytes));
            }
            Some(Reg::Mode) => {
                let ch = rm::mode::CHANNEL.get(&cfg, value) as usize;
                // A cascade channel moves no units of its own.
                let reads = rm::mode::TRANSFER.get(&cfg, value) == TransferType::Read as u32
                    && rm::mode::MODE.get(&cfg, value) != ServiceMode::Cascade as u32;
                if ch < bank.channels() {
                    bank.with_device(ch, |d| d.set_reads(reads));
                }
            }
            Some(Reg::CommandStatus) => bank.set_polarity(Polarity {
                dreq_active_low: rm::command::DREQ_LOW.get(&cfg, value) != 0,
                dack_active_high: rm::command::DACK_HIGH.get(&cfg, value) != 0,
            }),
            Some(Reg::MasterClearTemporary) => bank.set_polarity(Polarity::default()),
            _ => {}
        }
    }

    fn report_progress(&mut self) {
        if let Some(hook) = self.progress.as_mut() {
            let bank = self.bank.lock().unwrap_or_else(|e| e.into_inner());
            let units = (0..bank.channels())
                .map(|ch| bank.device(ch).activity().units)
                .sum();
            drop(bank);
            hook(&Progress {
                clock: self.sim.cycle(),
                units,
            });
        }
    }
}

fn sim_error(e: SimError) -> BackendError {
    match e {
        SimError::Bus { op, resp } => {
            let offset = match op {
                AxilOp::Read { addr } | AxilOp::Write { addr, .. } => addr,
            };
            BackendError::Register {
                offset,
                response: match resp {
                    Resp::DecErr => BusResponse::DecodeError,
                    _ => BusResponse::SlaveError,
                },
            }
        }
        other => BackendError::Link(format!("simulation: {other}")),
    }
}

impl RegisterBus for VerilatorBackend {
    fn read32(&mut self, offset: u32) -> Result<u32, BackendError> {
        if !offset.is_multiple_of(4) {
            return Err(BackendError::Misaligned { offset });
        }
        let v = self.sim.axil_read(offset).map_err(sim_error)?;
        self.check_violations()?;
        Ok(v)
    }

    fn write32(&mut self, offset: u32, value: u32) -> Result<(), BackendError> {
        if !offset.is_multiple_of(4) {
            return Err(BackendError::Misaligned { offset });
        }
        self.sim.axil_write(offset, value).map_err(sim_error)?;
        self.snoop_write(offset, value);
        self.check_violations()
    }
}

impl PhysicalMemory for VerilatorBackend {
    fn page_size(&self) -> u64 {
        self.pages.page_size()
    }

    fn allocate_pages(&mut self, count: usize) -> Result<Vec<u64>, BackendError> {
        let pages = self.pages.allocate_pages(count)?;
        self.allocated.extend(&pages);
        self.rebuild_permissions();
        Ok(pages)
    }

    fn allocate_contiguous(&mut self, count: usize) -> Result<u64, BackendError> {
        let first = self.pages.allocate_contiguous(count)?;
        let page = self.page_size();
        self.allocated
            .extend((0..count as u64).map(|i| first + i * page));
        self.rebuild_permissions();
        Ok(first)
    }

    fn free_pages(&mut self, pages: &[u64]) -> Result<(), BackendError> {
        self.pages.free_pages(pages)?;
        // Freed pages read as zero again, as on the reference model.
        let zero = vec![0; self.page_size() as usize];
        for &a in pages {
            self.sim.memory.memory.write(a, &zero);
            self.allocated.remove(&a);
        }
        self.rebuild_permissions();
        Ok(())
    }

    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), BackendError> {
        self.check_ram(address, buf.len())?;
        self.sim.memory.memory.read(address, buf);
        Ok(())
    }

    fn write(&mut self, address: u64, data: &[u8]) -> Result<(), BackendError> {
        self.check_ram(address, data.len())?;
        self.sim.memory.memory.write(address, data);
        Ok(())
    }
}

impl DeviceHarness for VerilatorBackend {
    fn push_source(&mut self, channel: usize, data: &[u8]) -> Result<(), BackendError> {
        self.check_channel(channel)?;
        self.bank().with_device(channel, |d| d.push_source(data));
        Ok(())
    }

    fn source_pending(&mut self, channel: usize) -> Result<usize, BackendError> {
        self.check_channel(channel)?;
        Ok(self.bank().device(channel).source_pending())
    }

    fn grant_sink(&mut self, channel: usize, units: u64) -> Result<(), BackendError> {
        self.check_channel(channel)?;
        self.bank().with_device(channel, |d| d.grant_sink(units));
        Ok(())
    }

    /// Waits first for read units the controller has already counted to arrive (they are on
    /// the memory bus; the reference model delivers them at once), so the result matches the
    /// counter. Data the hardware discards (bus errors, master clear) is not waited for.
    fn take_sink(&mut self, channel: usize) -> Result<Vec<u8>, BackendError> {
        self.check_channel(channel)?;
        let target = self.bank().device(channel).reads_committed();
        let bank = self.bank.clone();
        self.sim
            .run_until(DRAIN_CLOCKS, "read units to reach the device", |s| {
                let b = bank.lock().unwrap_or_else(|e| e.into_inner());
                let bus_idle = s.memory.in_flight().0 == 0 && b.read_requests_idle();
                b.device(channel).delivered() >= target || bus_idle
            })
            .map_err(sim_error)?;
        self.check_violations()?;
        Ok(self.bank().with_device(channel, |d| d.take_sink()))
    }

    fn set_period(&mut self, channel: usize, period: u32) -> Result<(), BackendError> {
        self.check_channel(channel)?;
        self.bank().with_device(channel, |d| d.set_period(period));
        Ok(())
    }

    fn pulse_eop(&mut self, channel: usize) -> Result<(), BackendError> {
        self.check_channel(channel)?;
        self.bank().with_device(channel, |d| d.pulse_eop());
        Ok(())
    }

    fn idle(&mut self, units: u64) -> Result<(), BackendError> {
        self.sim.run(units).map_err(sim_error)?;
        self.check_violations()?;
        self.report_progress();
        Ok(())
    }
}

impl Backend for VerilatorBackend {
    fn name(&self) -> &str {
        "verilator"
    }

    /// The `irq` pin as sampled in the last simulated clock (the system observes it every
    /// clock); reading it costs no clock.
    fn irq(&mut self) -> Result<bool, BackendError> {
        Ok(self.sim.irq.level())
    }

    fn devices(&mut self) -> Option<&mut dyn DeviceHarness> {
        Some(self)
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

#[cfg(test)]
mod tests;
