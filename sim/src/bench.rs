//! Benchmarks as library functions (the `mapdma bench sim` command prints them): simulation
//! speed per engine, the two engines side by side on the same scenario, and DMA efficiency of
//! an auto-initialize stream.

use crate::axi_slave::Access;
use crate::mapdma::{system, EngineKind};
use crate::scenario::{start_streaming, streaming_config};
use crate::system::SimError;
use mapdma_regmap::{Config, TransferType};
use std::time::Instant;

/// Simulation speed of one engine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpeedReport {
    pub engine: EngineKind,
    pub config: Config,
    /// Clocks timed (set-up excluded).
    pub cycles: u64,
    pub seconds: f64,
}

impl SpeedReport {
    pub fn cycles_per_second(&self) -> f64 {
        self.cycles as f64 / self.seconds.max(1e-9)
    }
}

/// Times `cycles` clocks of the streaming scenario (block-mode auto-initialize write of 32-bit
/// units, memory latency 4, every checker and model active) on one engine.
pub fn sim_speed(kind: EngineKind, cfg: &Config, cycles: u64) -> Result<SpeedReport, SimError> {
    let mut s = system(kind, cfg, streaming_config(TransferType::Write, 4))?;
    s.memory.set_logging(false);
    s.devices[0].set_recording(false);
    start_streaming(&mut s, TransferType::Write, 16 << 10)?;
    let t = Instant::now();
    s.run(cycles)?;
    let seconds = t.elapsed().as_secs_f64();
    if s.devices[0].sent_total() == 0 {
        return Err(SimError::Unsupported(
            "the speed scenario moved no data; the timing would be meaningless".into(),
        ));
    }
    Ok(SpeedReport {
        engine: kind,
        config: *cfg,
        cycles,
        seconds,
    })
}

/// Both engines on the same scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EngineComparison {
    pub verilator: SpeedReport,
    pub rust_hdl: SpeedReport,
}

impl EngineComparison {
    /// How many times faster Verilator simulates than rust-hdl.
    pub fn speedup(&self) -> f64 {
        self.verilator.cycles_per_second() / self.rust_hdl.cycles_per_second().max(1e-9)
    }
}

/// Runs [`sim_speed`] on both engines (rust-hdl is far slower, hence its own clock count).
pub fn compare_engines(
    cfg: &Config,
    verilator_cycles: u64,
    rust_hdl_cycles: u64,
) -> Result<EngineComparison, SimError> {
    Ok(EngineComparison {
        verilator: sim_speed(EngineKind::Verilator, cfg, verilator_cycles)?,
        rust_hdl: sim_speed(EngineKind::RustHdl, cfg, rust_hdl_cycles)?,
    })
}

/// DMA efficiency of an auto-initialize stream, measured on the memory bus.
#[derive(Clone, Debug, PartialEq)]
pub struct EfficiencyReport {
    pub transfer: TransferType,
    pub memory_latency: u32,
    /// Probability that each memory channel (AW, W, B, AR, R) is ready/valid in a clock; 1.0
    /// is no backpressure. It is also the bound on units per clock.
    pub memory_ready: f64,
    pub buffer_bytes: u32,
    pub passes: u32,
    /// Units moved (passes × units per pass).
    pub units: u64,
    /// Clocks from the first unit's bus acceptance to the last's, inclusive.
    pub cycles: u64,
    /// Clocks without a unit accepted between the last unit of pass k and the first of k+1.
    pub wrap_idle: Vec<u64>,
}

impl EfficiencyReport {
    /// Units per clock (1.0 = one unit every clock, the physical limit of one memory port).
    pub fn units_per_clock(&self) -> f64 {
        self.units as f64 / self.cycles.max(1) as f64
    }
}

/// Block-mode auto-initialize stream of 32-bit units over a `buffer_bytes` buffer for `passes`
/// passes (default configuration, Verilator), memory latency `latency`, every memory channel
/// ready/valid with probability `ready` in each clock, independently (1.0: no backpressure).
/// Units are timed where the memory accepts them (AW+W for writes, AR for reads).
pub fn dma_efficiency(
    transfer: TransferType,
    latency: u32,
    ready: f64,
    buffer_bytes: u32,
    passes: u32,
) -> Result<EfficiencyReport, SimError> {
    let cfg = Config::default();
    if buffer_bytes & 3 != 0 || !(4..=1 << 18).contains(&buffer_bytes) || passes == 0 {
        return Err(SimError::Unsupported(format!(
            "a buffer of {buffer_bytes} bytes and {passes} passes cannot be streamed \
             (32-bit units, at most 65536 per pass, at least one pass)"
        )));
    }
    let units_per_pass = (buffer_bytes / 4) as u64;
    let units = units_per_pass * passes as u64;
    if !(ready > 0.0 && ready <= 1.0) {
        return Err(SimError::Unsupported(format!(
            "memory ready probability {ready} (must be in (0, 1])"
        )));
    }
    let mut sys = streaming_config(transfer, latency);
    if ready < 1.0 {
        sys.memory = sys.memory.with_random_backpressure(ready);
    }
    let mut s = system(EngineKind::Verilator, &cfg, sys)?;
    s.devices[0].set_recording(false);
    let want = match transfer {
        TransferType::Read => Access::Read,
        _ => Access::Write,
    };
    start_streaming(&mut s, transfer, buffer_bytes)?;
    let budget = (units as f64 * 4.0 / ready) as u64 + 10_000;
    s.run_until(budget, "the stream's units", |s| {
        s.memory.stats().writes + s.memory.stats().reads >= units
    })?;
    let times: Vec<u64> = s
        .memory
        .log()
        .iter()
        .filter(|b| b.access == want)
        .map(|b| b.cycle)
        .take(units as usize)
        .collect();
    let wrap_idle = (1..passes as u64)
        .map(|k| {
            let i = (k * units_per_pass) as usize;
            times[i] - times[i - 1] - 1
        })
        .collect();
    Ok(EfficiencyReport {
        transfer,
        memory_latency: latency,
        memory_ready: ready,
        buffer_bytes,
        passes,
        units,
        cycles: times[times.len() - 1] - times[0] + 1,
        wrap_idle,
    })
}
