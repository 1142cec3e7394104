//! `mapdma bench`: figures anyone can rerun, timings always measured side by side in one run,
//! over several samples, in thread CPU time (what the simulation costs) and wall time (what
//! the machine's other load made of it).
//!
//! - `sim`: simulation speed of the full streaming bench on both engines (Verilator vs rust-hdl)
//!   and of the Verilator model alone, and DMA efficiency of auto-initialize streams (units per
//!   clock, idle clocks at each wrap) at memory latency 1 and 16, and the bus-master port's
//!   beats per clock with no backpressure, and memory-to-memory block streams (units per clock
//!   at each latency).
//! - `host`: allocate-channel → map → flush → free cycles per second of the host library on the
//!   reference model and on the Verilator model, and their ratio.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::backend::verilator::VerilatorBackend;
use mapdma_host::bench::adapter_cycles;
use mapdma_host::DmaSystem;
use mapdma_regmap::{Config, TransferType};
use mapdma_sim::bench::{
    compare_engines, dma_efficiency, Bench, EfficiencyReport, SpeedPlan, SpeedReport, Spread,
    Stream, Timing,
};
use mapdma_sim::bm_scenario::{bench_config as bm_bench_config, bus_master_beats_per_clock};
use mapdma_sim::m2m_scenario::{mem_to_mem_config, mem_to_mem_efficiency};
use mapdma_sim::mapdma::{system, EngineKind};

use super::checks;
use super::demo::with_verilator;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchCommand,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Simulation speed (Verilator vs rust-hdl, side by side) and DMA efficiency (units per
    /// clock, idle clocks at wraps) at memory latency 1 and 16
    Sim(SimBenchArgs),
    /// Adapter cycles per second (allocate channel → map → flush → free) on the reference
    /// model and on the Verilator model, side by side
    Host(HostBenchArgs),
}

#[derive(Args, Debug)]
pub struct SimBenchArgs {
    /// Clocks timed per sample of the full bench on Verilator
    #[arg(long, default_value_t = 400_000)]
    verilator_clocks: u64,
    /// Clocks timed per sample of the Verilator model alone (its inputs recorded from the
    /// full bench and replayed)
    #[arg(long, default_value_t = 400_000)]
    bare_model_clocks: u64,
    /// Clocks timed per sample on rust-hdl (far slower)
    #[arg(long, default_value_t = 5_000)]
    rust_hdl_clocks: u64,
    /// Samples of each speed figure (min / median / max are printed)
    #[arg(long, default_value_t = 5)]
    samples: usize,
    /// Buffer of the efficiency streams in bytes (32-bit units)
    #[arg(long, default_value_t = 65536)]
    buffer: u32,
    /// Auto-initialize passes of the efficiency streams
    #[arg(long, default_value_t = 4)]
    passes: u32,
    /// Memory latencies of the efficiency streams
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    latency: Vec<u32>,
    /// Probability that each memory channel (AW, W, B, AR, R) is ready/valid in a clock, for
    /// the streams under random backpressure (the bound on units per clock)
    #[arg(long, default_value_t = 0.75)]
    ready: f64,
}

#[derive(Args, Debug)]
pub struct HostBenchArgs {
    /// Samples of each figure (min / median / max are printed)
    #[arg(long, default_value_t = 5)]
    samples: usize,
    /// Adapter cycles timed on the reference model
    #[arg(long, default_value_t = 200_000)]
    reference_cycles: u64,
    /// Adapter cycles timed on the Verilator model
    #[arg(long, default_value_t = 5_000)]
    verilator_cycles: u64,
    /// Size of the common buffer mapped in every cycle, in bytes
    #[arg(long, default_value_t = 4096)]
    buffer: u32,
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    match &args.what {
        BenchCommand::Sim(a) => sim(a),
        BenchCommand::Host(a) => host(a),
    }
}

/// `min / median / max` of a rate, in millions or thousands as fits.
fn spread(s: &Spread) -> String {
    let (scale, unit) = if s.median >= 1e6 {
        (1e6, "M")
    } else {
        (1e3, "k")
    };
    format!(
        "{:.2} / {:.2} / {:.2} {unit}",
        s.min / scale,
        s.median / scale,
        s.max / scale
    )
}

fn speed_row(r: &SpeedReport) {
    let what = match r.bench {
        Bench::Full(EngineKind::Verilator) => "verilator, full bench",
        Bench::Full(EngineKind::RustHdl) => "rust-hdl, full bench",
        Bench::BareModel => "verilator, model alone",
    };
    println!(
        "  {:<23} {:>8} {:>26} {:>26}",
        what,
        r.cycles,
        spread(&r.cpu_rate()),
        spread(&r.wall_rate())
    );
}

fn efficiency_header() {
    println!(
        "  {:<6} {:>7} {:>5} {:>7} {:>7} {:>11}  idle clocks at each wrap",
        "dir", "latency", "ready", "units", "clocks", "units/clock"
    );
}

fn efficiency_row(e: &EfficiencyReport) {
    let dir = match e.stream {
        Stream::Device(TransferType::Write) => "write",
        Stream::Device(TransferType::Read) => "read",
        Stream::Device(TransferType::Verify) => "verify",
        Stream::MemToMem => "m2m",
    };
    let idle: Vec<String> = e.wrap_idle.iter().map(u64::to_string).collect();
    let vs_bound = if e.memory_ready < 1.0 {
        format!("  {:.3} of the bound", e.units_per_clock() / e.memory_ready)
    } else {
        String::new()
    };
    println!(
        "  {:<6} {:>7} {:>5.2} {:>7} {:>7} {:>11.4}  {}{}",
        dir,
        e.memory_latency,
        e.memory_ready,
        e.units,
        e.cycles,
        e.units_per_clock(),
        idle.join(" "),
        vs_bound
    );
}

fn sim(a: &SimBenchArgs) -> anyhow::Result<()> {
    if a.verilator_clocks == 0 || a.rust_hdl_clocks == 0 {
        bail!("time at least one clock on each engine");
    }
    if a.bare_model_clocks == 0 {
        bail!("time at least one clock of the model alone");
    }
    let cfg = Config::default();
    for &latency in &a.latency {
        checks::latency(latency)?;
    }
    checks::ring_buffer(a.buffer, &cfg)?;
    println!(
        "simulation speed: streaming scenario (block-mode auto-initialize write, 32-bit units, \
         memory latency 4, every model and protocol checker on), Config::default(); {} samples \
         of each, interleaved",
        a.samples.max(1)
    );
    let plan = SpeedPlan {
        verilator_clocks: a.verilator_clocks,
        bare_model_clocks: a.bare_model_clocks,
        rust_hdl_clocks: a.rust_hdl_clocks,
        samples: a.samples,
    };
    let c = compare_engines(&cfg, &plan).context("timing the engines")?;
    println!(
        "  {:<23} {:>8} {:>26} {:>26}",
        "bench", "clocks", "clocks/s of CPU time", "clocks/s of wall time"
    );
    println!(
        "  {:<23} {:>8} {:>26} {:>26}",
        "", "", "min / median / max", "min / median / max"
    );
    speed_row(&c.verilator);
    speed_row(&c.bare_model);
    speed_row(&c.rust_hdl);
    println!(
        "  Verilator simulates the full bench {:.0}× as fast as rust-hdl (median CPU time, same \
         run); wall time exceeds CPU time by what the machine's other load took",
        c.speedup()
    );
    println!();
    println!(
        "DMA efficiency: block-mode auto-initialize streams of 32-bit units over a {}-byte \
         buffer, {} passes, no backpressure (units timed where the memory accepts them)",
        a.buffer, a.passes
    );
    efficiency_header();
    for &latency in &a.latency {
        for transfer in [TransferType::Write, TransferType::Read] {
            let e = dma_efficiency(transfer, latency, 1.0, a.buffer, a.passes)
                .with_context(|| format!("{transfer:?} stream at latency {latency}"))?;
            efficiency_row(&e);
        }
    }
    println!(
        "  under random backpressure: every memory channel (AW, W, B, AR, R) ready/valid with \
         probability {} in each clock, independently; the bound is {} units per clock",
        a.ready, a.ready
    );
    for &latency in &a.latency {
        for transfer in [TransferType::Write, TransferType::Read] {
            let e = dma_efficiency(transfer, latency, a.ready, a.buffer, a.passes)
                .with_context(|| format!("{transfer:?} stream at latency {latency}"))?;
            efficiency_row(&e);
        }
    }
    bus_master_rows(a)?;
    mem_to_mem_rows(a)
}

/// Memory-to-memory throughput: a stream of blocks (both channels auto-initialize, DREQ0
/// held), 32-bit units, no backpressure, at each memory latency.
fn mem_to_mem_rows(a: &SimBenchArgs) -> anyhow::Result<()> {
    let cfg = Config::default();
    println!();
    println!(
        "Memory-to-memory: block-mode auto-initialize stream of 32-bit units, channel 0 the \
         source, channel 1 a {}-byte destination block, {} blocks, no backpressure (units timed \
         where the memory accepts their writes; Verilator model)",
        a.buffer, a.passes
    );
    efficiency_header();
    for &latency in &a.latency {
        let sys = mem_to_mem_config(1, latency, 1.0, true);
        let mut s = system(EngineKind::Verilator, &cfg, sys)?;
        let e = mem_to_mem_efficiency(&mut s, a.buffer, a.passes)
            .with_context(|| format!("memory-to-memory stream at latency {latency}"))?;
        efficiency_row(&e);
    }
    Ok(())
}

/// The bus-master port's throughput: a device streaming whole pages in 16-beat bursts through
/// the map, no backpressure, at each memory latency.
fn bus_master_rows(a: &SimBenchArgs) -> anyhow::Result<()> {
    let cfg = Config::default();
    if !cfg.bus_master_port {
        return Ok(());
    }
    let pages = 16;
    println!();
    println!(
        "Bus-master port: a device reads / writes {pages} pages of 4 KiB in 16-beat INCR \
         bursts through the map registers, no backpressure (clocks from the first address to \
         the last response)"
    );
    println!(
        "  {:<6} {:>7} {:>7} {:>7} {:>14}",
        "dir", "latency", "beats", "clocks", "beats/clock"
    );
    for &latency in &a.latency {
        for write in [false, true] {
            let sys = bm_bench_config(latency);
            let mut s = system(EngineKind::Verilator, &cfg, sys)?;
            let (beats, clocks) = bus_master_beats_per_clock(&mut s, write, pages)
                .with_context(|| format!("bus-master stream at latency {latency}"))?;
            println!(
                "  {:<6} {:>7} {:>7} {:>7} {:>14.4}",
                if write { "write" } else { "read" },
                latency,
                beats,
                clocks,
                beats as f64 / clocks as f64
            );
        }
    }
    Ok(())
}

/// One backend's adapter cycles over several samples, and the simulated clocks they took
/// (Verilator only).
struct HostRow {
    backend: String,
    cycles: u64,
    samples: Vec<Timing>,
    clocks_per_cycle: Option<f64>,
}

impl HostRow {
    fn rate(&self, pick: impl Fn(&Timing) -> f64) -> Spread {
        Spread::of(
            self.samples
                .iter()
                .map(|t| self.cycles as f64 / pick(t).max(1e-9))
                .collect(),
        )
    }
}

fn host_row(
    system: &DmaSystem,
    cycles: u64,
    buffer: u32,
    samples: usize,
) -> anyhow::Result<HostRow> {
    let clocks = || with_verilator(system, |v| v.cycle()).ok();
    let backend = system.with_backend(|b| b.name().to_string());
    let before = clocks();
    let mut timings = vec![];
    for _ in 0..samples.max(1) {
        let (r, t) = Timing::of(|| adapter_cycles(system, cycles, buffer));
        r.with_context(|| format!("adapter cycles on {backend} with --buffer {buffer}"))?;
        timings.push(t);
    }
    let total = cycles * timings.len() as u64;
    let clocks_per_cycle = before
        .zip(clocks())
        .map(|(a, b)| (b - a) as f64 / total.max(1) as f64);
    Ok(HostRow {
        backend,
        cycles,
        samples: timings,
        clocks_per_cycle,
    })
}

fn host(a: &HostBenchArgs) -> anyhow::Result<()> {
    if a.reference_cycles == 0 || a.verilator_cycles == 0 {
        bail!("time at least one cycle on each backend");
    }
    let cfg = Config::default();
    let reference = DmaSystem::open(Box::new(ReferenceModel::new(cfg)?))?;
    let verilator = DmaSystem::open(Box::new(VerilatorBackend::new(cfg)?))?;
    let rows = [
        host_row(&reference, a.reference_cycles, a.buffer, a.samples)?,
        host_row(&verilator, a.verilator_cycles, a.buffer, a.samples)?,
    ];
    println!(
        "adapter cycles: allocate_adapter_channel → map_transfer → flush_adapter_buffers → \
         free_adapter_channel on channel 0 over a {}-byte common buffer, Config::default(); \
         {} samples of each",
        a.buffer,
        a.samples.max(1)
    );
    println!(
        "  {:<10} {:>8} {:>26} {:>26}  simulated clocks per cycle",
        "backend", "cycles", "cycles/s of CPU time", "cycles/s of wall time"
    );
    println!(
        "  {:<10} {:>8} {:>26} {:>26}",
        "", "", "min / median / max", "min / median / max"
    );
    for r in &rows {
        println!(
            "  {:<10} {:>8} {:>26} {:>26}  {}",
            r.backend,
            r.cycles,
            spread(&r.rate(|t| t.cpu.as_secs_f64())),
            spread(&r.rate(|t| t.wall.as_secs_f64())),
            r.clocks_per_cycle.map_or(
                "- (no clocks: registers are free)".to_string(),
                |c| format!("{c:.0}")
            )
        );
    }
    let cpu = |r: &HostRow| r.rate(|t| t.cpu.as_secs_f64()).median;
    println!(
        "  the reference model runs {:.0}× as many cycles per second as the Verilator model \
         (median CPU time, same run)",
        cpu(&rows[0]) / cpu(&rows[1]).max(1e-9)
    );
    Ok(())
}
