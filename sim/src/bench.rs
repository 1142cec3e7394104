//! Benchmarks as library functions (the `mapdma bench sim` command prints them): simulation
//! speed per engine, the two engines side by side on the same scenario, and DMA efficiency of
//! an auto-initialize stream.

use crate::axi_slave::Access;
use crate::engine::{Engine, VerilatorEngine};
use crate::mapdma::{system, EngineKind};
use crate::scenario::{start_streaming, streaming_config};
use crate::system::{SimError, System, CLOCK_PERIOD_PS};
use crate::verilated::mapdma_default;
use mapdma_regmap::{Config, TransferType};
use std::time::{Duration, Instant};

/// CPU time of the calling thread. On a shared machine wall time swings with the other load;
/// the thread's own CPU time measures the simulation.
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the call only fills it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Thread CPU time and wall time of one measured stretch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timing {
    pub cpu: Duration,
    pub wall: Duration,
}

impl Timing {
    /// Times `f` in both clocks.
    pub fn of<T>(f: impl FnOnce() -> T) -> (T, Timing) {
        let (cpu, wall) = (thread_cpu_time(), Instant::now());
        let out = f();
        let t = Timing {
            cpu: thread_cpu_time().saturating_sub(cpu),
            wall: wall.elapsed(),
        };
        (out, t)
    }
}

/// What a speed sample ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bench {
    /// The streaming scenario with every model and checker on.
    Full(EngineKind),
    /// The Verilator model alone, replaying the full bench's recorded input words.
    BareModel,
}

/// Simulation speed: one bench timed over several samples.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedReport {
    pub bench: Bench,
    pub config: Config,
    /// Clocks timed per sample (set-up excluded).
    pub cycles: u64,
    pub samples: Vec<Timing>,
}

/// Minimum, median and maximum of a figure over the samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (empty: all zero).
    pub fn of(mut values: Vec<f64>) -> Spread {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        if n == 0 {
            return Spread {
                min: 0.0,
                median: 0.0,
                max: 0.0,
            };
        }
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Spread {
            min: values[0],
            median,
            max: values[n - 1],
        }
    }
}

impl SpeedReport {
    fn rate(&self, pick: impl Fn(&Timing) -> Duration) -> Spread {
        let per_second = |t: &Timing| self.cycles as f64 / pick(t).as_secs_f64().max(1e-9);
        Spread::of(self.samples.iter().map(per_second).collect())
    }
    /// Clocks per second of thread CPU time.
    pub fn cpu_rate(&self) -> Spread {
        self.rate(|t| t.cpu)
    }
    /// Clocks per second of wall time.
    pub fn wall_rate(&self) -> Spread {
        self.rate(|t| t.wall)
    }
}

/// One sample of the streaming scenario (block-mode auto-initialize write of 32-bit units,
/// memory latency 4, every checker and model active) on one engine: `cycles` clocks timed.
/// With `record`, also returns the input words of every clock since reset.
fn full_sample(
    kind: EngineKind,
    cfg: &Config,
    cycles: u64,
    record: bool,
) -> Result<(Timing, Vec<u32>), SimError> {
    let mut s = system(kind, cfg, streaming_config(TransferType::Write, 4))?;
    s.memory.set_logging(false);
    s.devices[0].set_recording(false);
    start_streaming(&mut s, TransferType::Write, 16 << 10)?;
    let mut words = vec![];
    let (ran, t) = Timing::of(|| {
        if !record {
            return s.run(cycles);
        }
        words.reserve(cycles as usize * s.input_words().len());
        for _ in 0..cycles {
            s.step()?;
            words.extend_from_slice(s.input_words());
        }
        Ok(())
    });
    ran?;
    if s.devices[0].sent_total() == 0 {
        return Err(SimError::Unsupported(
            "the speed scenario moved no data; the timing would be meaningless".into(),
        ));
    }
    Ok((t, words))
}

/// Times the streaming scenario on one engine, `samples` times.
pub fn sim_speed(
    kind: EngineKind,
    cfg: &Config,
    cycles: u64,
    samples: usize,
) -> Result<SpeedReport, SimError> {
    let samples = (0..samples.max(1))
        .map(|_| full_sample(kind, cfg, cycles, false).map(|(t, _)| t))
        .collect::<Result<_, _>>()?;
    Ok(SpeedReport {
        bench: Bench::Full(kind),
        config: *cfg,
        cycles,
        samples,
    })
}

/// Times the Verilator model of `Config::default()` alone: the input words of `cycles` clocks
/// of the full bench are recorded once, then replayed into a fresh model per sample (one shim
/// call per clock, as the bench makes them), so the model does exactly the bench's work
/// without any of its Rust models or checkers.
pub fn bare_model_speed(cycles: u64, samples: usize) -> Result<SpeedReport, SimError> {
    let cfg = Config::default();
    let (_, words) = full_sample(EngineKind::Verilator, &cfg, cycles, true)?;
    let mut timings = vec![];
    for _ in 0..samples.max(1) {
        let mut e = VerilatorEngine::new(mapdma_default::Model::new());
        let n_in = e.ports().inputs.len();
        let n_out = e.ports().outputs.len();
        let clock = e.ports().input(crate::port_names::CLOCK).unwrap_or(0);
        let reset = e.ports().input(crate::port_names::RESET);
        let mut inputs = vec![0u32; n_in];
        let mut out = vec![0u32; n_out];
        if let Some(r) = reset {
            inputs[r] = 1;
        }
        for c in 0..4 {
            e.clock(&mut inputs, clock, &mut out, None, c * CLOCK_PERIOD_PS, 0)?;
        }
        let (ran, t) = Timing::of(|| -> Result<(), SimError> {
            for (c, w) in words.chunks_exact(n_in).enumerate() {
                inputs.copy_from_slice(w);
                let time = c as u64 * CLOCK_PERIOD_PS;
                e.clock(&mut inputs, clock, &mut out, None, time, 0)?;
            }
            Ok(())
        });
        ran?;
        timings.push(t);
    }
    Ok(SpeedReport {
        bench: Bench::BareModel,
        config: cfg,
        cycles,
        samples: timings,
    })
}

/// The full bench on both engines and the bare model, all in one run.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineComparison {
    pub verilator: SpeedReport,
    pub bare_model: SpeedReport,
    pub rust_hdl: SpeedReport,
}

impl EngineComparison {
    /// How many times faster Verilator simulates the full bench than rust-hdl (medians of
    /// thread CPU time).
    pub fn speedup(&self) -> f64 {
        self.verilator.cpu_rate().median / self.rust_hdl.cpu_rate().median.max(1e-9)
    }
}

/// Clocks timed per sample on each bench.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpeedPlan {
    pub verilator_clocks: u64,
    pub bare_model_clocks: u64,
    pub rust_hdl_clocks: u64,
    pub samples: usize,
}

/// Runs every speed bench of [`SpeedPlan`] on `cfg`'s models, interleaving the samples so
/// that a change in the machine's load hits every bench alike.
pub fn compare_engines(cfg: &Config, plan: &SpeedPlan) -> Result<EngineComparison, SimError> {
    let mut c = EngineComparison {
        verilator: sim_speed(EngineKind::Verilator, cfg, plan.verilator_clocks, 1)?,
        bare_model: bare_model_speed(plan.bare_model_clocks, 1)?,
        rust_hdl: sim_speed(EngineKind::RustHdl, cfg, plan.rust_hdl_clocks, 1)?,
    };
    for _ in 1..plan.samples {
        let more = [
            sim_speed(EngineKind::Verilator, cfg, plan.verilator_clocks, 1)?,
            bare_model_speed(plan.bare_model_clocks, 1)?,
            sim_speed(EngineKind::RustHdl, cfg, plan.rust_hdl_clocks, 1)?,
        ];
        for (r, m) in [&mut c.verilator, &mut c.bare_model, &mut c.rust_hdl]
            .into_iter()
            .zip(more)
        {
            r.samples.extend(m.samples);
        }
    }
    Ok(c)
}

/// What an efficiency stream moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// One channel between its device and memory.
    Device(TransferType),
    /// The memory-to-memory pair: channel 0 reads the source, channel 1 writes the destination.
    MemToMem,
}

/// DMA efficiency of an auto-initialize stream, measured on the memory bus.
#[derive(Clone, Debug, PartialEq)]
pub struct EfficiencyReport {
    pub stream: Stream,
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

    /// The report of a stream that has run: its units are the first `passes × buffer_bytes / 4`
    /// accesses of kind `timed` in the memory's log (each unit is timed where the memory
    /// accepted it).
    pub(crate) fn from_log<E: Engine>(
        s: &System<E>,
        stream: Stream,
        timed: Access,
        memory_ready: f64,
        buffer_bytes: u32,
        passes: u32,
    ) -> EfficiencyReport {
        let units_per_pass = (buffer_bytes / 4) as u64;
        let units = units_per_pass * passes as u64;
        let times: Vec<u64> = s
            .memory
            .log()
            .iter()
            .filter(|b| b.access == timed)
            .map(|b| b.cycle)
            .take(units as usize)
            .collect();
        let wrap_idle = (1..passes as u64)
            .map(|k| {
                let i = (k * units_per_pass) as usize;
                times[i] - times[i - 1] - 1
            })
            .collect();
        EfficiencyReport {
            stream,
            memory_latency: s.memory.config().read_latency,
            memory_ready,
            buffer_bytes,
            passes,
            units,
            cycles: times[times.len() - 1] - times[0] + 1,
            wrap_idle,
        }
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
    Ok(EfficiencyReport::from_log(
        &s,
        Stream::Device(transfer),
        want,
        ready,
        buffer_bytes,
        passes,
    ))
}
