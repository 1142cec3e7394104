//! `mapdma bench`: figures anyone can rerun, timings always measured side by side in one run.
//!
//! - `sim`: simulation speed of the two engines on the same scenario (Verilator vs rust-hdl,
//!   clocks per second and their ratio), and DMA efficiency of auto-initialize streams (units
//!   per clock, idle clocks at each wrap) at memory latency 1 and 16.
//! - `host`: allocate-channel → map → flush → free cycles per second of the host library on the
//!   reference model and on the Verilator model, and their ratio.

use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::backend::verilator::VerilatorBackend;
use mapdma_host::bench::{adapter_cycles, BenchReport};
use mapdma_host::DmaSystem;
use mapdma_regmap::{Config, TransferType};
use mapdma_sim::bench::{compare_engines, dma_efficiency, EfficiencyReport, SpeedReport};

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
    /// Clocks timed on Verilator
    #[arg(long, default_value_t = 400_000)]
    verilator_clocks: u64,
    /// Clocks timed on rust-hdl (far slower)
    #[arg(long, default_value_t = 10_000)]
    rust_hdl_clocks: u64,
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

fn speed_row(r: &SpeedReport) {
    println!(
        "  {:<10} {:>9} {:>9.3} {:>12.0}",
        r.engine.to_string(),
        r.cycles,
        r.seconds,
        r.cycles_per_second()
    );
}

fn efficiency_row(e: &EfficiencyReport) {
    let dir = match e.transfer {
        TransferType::Write => "write",
        TransferType::Read => "read",
        TransferType::Verify => "verify",
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
    let cfg = Config::default();
    for &latency in &a.latency {
        checks::latency(latency)?;
    }
    checks::ring_buffer(a.buffer, &cfg)?;
    println!(
        "simulation speed: streaming scenario (block-mode auto-initialize write, 32-bit units, \
         memory latency 4, every model and protocol checker on), Config::default()"
    );
    let c = compare_engines(&cfg, a.verilator_clocks, a.rust_hdl_clocks)
        .context("timing the engines")?;
    println!(
        "  {:<10} {:>9} {:>9} {:>12}",
        "engine", "clocks", "seconds", "clocks/s"
    );
    speed_row(&c.verilator);
    speed_row(&c.rust_hdl);
    println!(
        "  Verilator simulates {:.0}× as many clocks per second as rust-hdl (same run, same bench)",
        c.speedup()
    );
    println!();
    println!(
        "DMA efficiency: block-mode auto-initialize streams of 32-bit units over a {}-byte \
         buffer, {} passes, no backpressure (units timed where the memory accepts them)",
        a.buffer, a.passes
    );
    println!(
        "  {:<6} {:>7} {:>5} {:>7} {:>7} {:>11}  idle clocks at each wrap",
        "dir", "latency", "ready", "units", "clocks", "units/clock"
    );
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
    Ok(())
}

/// One backend's adapter cycles, and the simulated clocks they took (Verilator only).
struct HostRow {
    report: BenchReport,
    clocks_per_cycle: Option<f64>,
}

fn host_row(system: &DmaSystem, cycles: u64, buffer: u32) -> anyhow::Result<HostRow> {
    let clocks = || with_verilator(system, |v| v.cycle()).ok();
    let before = clocks();
    let report = adapter_cycles(system, cycles, buffer).with_context(|| {
        format!(
            "adapter cycles on {} with --buffer {buffer}",
            system.with_backend(|b| b.name().to_string())
        )
    })?;
    let clocks_per_cycle = before
        .zip(clocks())
        .map(|(a, b)| (b - a) as f64 / cycles.max(1) as f64);
    Ok(HostRow {
        report,
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
    let t = Instant::now();
    let rows = [
        host_row(&reference, a.reference_cycles, a.buffer)?,
        host_row(&verilator, a.verilator_cycles, a.buffer)?,
    ];
    let total = t.elapsed();
    println!(
        "adapter cycles: allocate_adapter_channel → map_transfer → flush_adapter_buffers → \
         free_adapter_channel on channel 0 over a {}-byte common buffer, Config::default()",
        a.buffer
    );
    println!(
        "  {:<10} {:>8} {:>9} {:>12}  simulated clocks per cycle",
        "backend", "cycles", "seconds", "cycles/s"
    );
    for r in &rows {
        println!(
            "  {:<10} {:>8} {:>9.3} {:>12.0}  {}",
            r.report.backend,
            r.report.cycles,
            r.report.elapsed.as_secs_f64(),
            r.report.cycles_per_second(),
            r.clocks_per_cycle.map_or(
                "- (no clocks: registers are free)".to_string(),
                |c| format!("{c:.0}")
            )
        );
    }
    let ratio = rows[0].report.cycles_per_second() / rows[1].report.cycles_per_second().max(1e-9);
    println!(
        "  the reference model runs {ratio:.0}× as many cycles per second as the Verilator model \
         (both measured in this run, {:.1} s)",
        total.as_secs_f64()
    );
    Ok(())
}
