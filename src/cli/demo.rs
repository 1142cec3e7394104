//! `mapdma demo`: the seed scenario ("Using Common-Buffer System DMA": common buffer,
//! auto-initialize, one map_transfer, ReadDmaCounter polling while the ring is drained or
//! refilled) on the Verilator model of the default configuration, device → memory and then
//! memory → device, every byte checked. A progress bar while it runs, then a short report.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use mapdma_host::backend::verilator::{
    Activity, CounterSample, Progress, VerilatorBackend, VerilatorOptions,
};
use mapdma_host::scenario::{run_seed, SeedParams, SeedReport};
use mapdma_host::{DmaSystem, DmaWidth, TransferType};
use mapdma_regmap::{self as rm, Config};

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Write a VCD waveform of the whole run (open it with GTKWave)
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// DMA channel of the device (0..=3)
    #[arg(long, default_value_t = 1)]
    channel: u32,
    /// Unit width in bits: 8, 16 or 32
    #[arg(long, default_value_t = 8)]
    width: u32,
    /// Memory latency in clocks
    #[arg(long, default_value_t = 1)]
    latency: u32,
    /// No progress bar
    #[arg(long)]
    quiet: bool,
}

/// One direction of the demo.
#[derive(Clone, Debug)]
pub struct DirectionReport {
    pub seed: SeedReport,
    pub ring_bytes: u32,
    pub unit_bytes: u32,
    pub activity: Activity,
    pub samples: Vec<CounterSample>,
}

/// Everything the demo measured.
#[derive(Clone, Debug)]
pub struct DemoReport {
    pub directions: Vec<DirectionReport>,
    pub clocks: u64,
    pub elapsed: Duration,
    /// (AXI4 memory bus, AXI4-Lite register bus) handshakes the protocol checkers inspected.
    pub handshakes: (u64, u64),
    pub fault_cause: u32,
    pub write_violations: usize,
}

/// The demo's parameters, separate from clap so tests can run it.
#[derive(Clone, Debug)]
pub struct DemoSetup {
    pub channel: u32,
    pub width: DmaWidth,
    pub latency: u32,
    pub vcd: Option<PathBuf>,
}

pub fn width_from_bits(bits: u32) -> anyhow::Result<DmaWidth> {
    Ok(match bits {
        8 => DmaWidth::Width8Bits,
        16 => DmaWidth::Width16Bits,
        32 => DmaWidth::Width32Bits,
        other => bail!("a unit is 8, 16 or 32 bits wide, not {other}"),
    })
}

/// Runs `f` on the Verilator backend inside `system`.
pub fn with_verilator<R>(
    system: &DmaSystem,
    f: impl FnOnce(&mut VerilatorBackend) -> R,
) -> anyhow::Result<R> {
    system.with_backend(|b| {
        let v = b
            .as_any_mut()
            .and_then(|a| a.downcast_mut::<VerilatorBackend>())
            .context("the system does not run on the Verilator backend")?;
        Ok(f(v))
    })
}

pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    super::checks::latency(args.latency)?;
    if let Some(vcd) = &args.vcd {
        super::checks::vcd_file(vcd)?;
    }
    let setup = DemoSetup {
        channel: args.channel,
        width: width_from_bits(args.width)?,
        latency: args.latency,
        vcd: args.vcd.clone(),
    };
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(ProgressBar::new);
    let report = run_demo(&setup, bar)?;
    print_report(&setup, &report);
    Ok(())
}

/// Runs the seed scenario both ways and collects the figures.
pub fn run_demo(setup: &DemoSetup, bar: Option<ProgressBar>) -> anyhow::Result<DemoReport> {
    let cfg = Config::default();
    let opts = VerilatorOptions {
        memory_latency: setup.latency,
        vcd: setup.vcd.clone(),
        ..Default::default()
    };
    let backend = VerilatorBackend::with_options(cfg, opts)?;
    let system = DmaSystem::open(Box::new(backend))?;
    let params: Vec<SeedParams> = [TransferType::Write, TransferType::Read]
        .into_iter()
        .map(|t| SeedParams::new(setup.channel, setup.width, t))
        .collect();
    let unit_bytes = setup
        .width
        .unit()
        .map(|u| u.bytes())
        .context("the demo moves 8-, 16- or 32-bit units")?;
    let total_units: u64 = params
        .iter()
        .map(|p| (p.total_bytes / unit_bytes) as u64)
        .sum();
    let done_before = Arc::new(AtomicU64::new(0));
    let showing = bar.is_some();
    if let Some(mut bar) = bar {
        let done = done_before.clone();
        with_verilator(&system, |v| {
            v.set_progress(Some(Box::new(move |p: &Progress| {
                bar.show(done.load(Ordering::Relaxed) + p.units, total_units, p.clock)
            })))
        })?;
    }

    let start = Instant::now();
    let ch = setup.channel as usize;
    let mut directions = Vec::new();
    for p in &params {
        let from = with_verilator(&system, |v| {
            v.clear_activity();
            v.counter_samples().len()
        })?;
        let seed = run_seed(&system, p).with_context(|| {
            format!(
                "the seed scenario ({:?} transfer, memory latency {} clock(s))",
                p.transfer, setup.latency
            )
        })?;
        let (activity, samples) = with_verilator(&system, |v| {
            let samples: Vec<CounterSample> = v.counter_samples()[from..]
                .iter()
                .filter(|s| s.channel == ch)
                .copied()
                .collect();
            (v.activity(ch), samples)
        })?;
        let activity = activity?;
        done_before.fetch_add(activity.units, Ordering::Relaxed);
        directions.push(DirectionReport {
            seed,
            ring_bytes: p.ring_bytes,
            unit_bytes,
            activity,
            samples,
        });
    }
    let elapsed = start.elapsed();
    let fault_cause = system.with_backend(|b| b.read32(rm::FAULT_CAUSE.offset))?;
    let (clocks, handshakes, write_violations) = with_verilator(&system, |v| {
        v.set_progress(None);
        let closed = v.trace_close();
        closed.map(|()| {
            (
                v.cycle(),
                v.checked_handshakes(),
                v.write_violations().len(),
            )
        })
    })??;
    if showing {
        eprint!("{}", ProgressBar::finish());
    }
    Ok(DemoReport {
        directions,
        clocks,
        elapsed,
        handshakes,
        fault_cause,
        write_violations,
    })
}

fn direction_name(t: TransferType) -> &'static str {
    match t {
        TransferType::Write => "device → memory (8237 write transfer)",
        TransferType::Read => "memory → device (8237 read transfer)",
        TransferType::Verify => "verify",
    }
}

/// Bytes left in the pass, by the rule `read_dma_counter` uses (the demo's channel
/// auto-initializes).
fn bytes_left(s: &CounterSample, unit: u32) -> u64 {
    rm::units_left(s.count, s.passes, true) as u64 * unit as u64
}

/// The first sample and the first of every later pass: where the ring wrapped.
fn wrap_samples(samples: &[CounterSample]) -> Vec<CounterSample> {
    let mut out: Vec<CounterSample> = Vec::new();
    for s in samples {
        if out.last().is_none_or(|l| l.passes != s.passes) {
            out.push(*s);
        }
    }
    out
}

fn print_report(setup: &DemoSetup, r: &DemoReport) {
    let cfg = Config::default();
    println!("mapdma demo: the seed scenario (\"Using Common-Buffer System DMA\") on the Verilator model");
    println!(
        "hardware   Config::default(): {} channels, {} map registers of {} bytes, {}-bit logical / {}-bit physical addresses",
        cfg.channels,
        cfg.map_registers,
        cfg.page_size(),
        cfg.logical_bits,
        cfg.physical_bits
    );
    println!(
        "bench      memory latency {} clock(s), AXI4 and AXI4-Lite protocol checkers on",
        setup.latency
    );
    for d in &r.directions {
        let s = &d.seed;
        println!();
        println!("{}", direction_name(s.transfer));
        println!(
            "  bytes moved      {} on channel {}, {}-bit units, every byte checked",
            s.bytes_checked,
            setup.channel,
            d.unit_bytes * 8
        );
        println!(
            "  passes           {} wraps of the {}-byte common buffer (logical {:#08x}, {} map registers)",
            s.wraps, d.ring_bytes, s.logical_address, s.map_registers
        );
        if let (Some(a), Some(b)) = (d.activity.first_clock, d.activity.last_clock) {
            println!(
                "  clocks           {} units in {} clocks (first to last unit): {:.3} units per clock",
                d.activity.units,
                b - a + 1,
                d.activity.units_per_clock()
            );
        }
        println!(
            "  counter samples  {} ReadDmaCounter reads; at each wrap:",
            d.samples.len()
        );
        for w in wrap_samples(&d.samples) {
            println!(
                "    clock {:>7}  pass {}  {:>5} bytes left",
                w.clock,
                w.passes,
                bytes_left(&w, d.unit_bytes)
            );
        }
    }
    println!();
    if r.fault_cause == 0 && r.write_violations == 0 {
        println!(
            "faults: none (FAULT_CAUSE 0, no DMA write outside allocated pages, {} AXI4 and {} AXI4-Lite handshakes checked)",
            r.handshakes.0, r.handshakes.1
        );
    } else {
        println!(
            "faults: FAULT_CAUSE {:#x}, {} DMA write(s) outside allocated pages",
            r.fault_cause, r.write_violations
        );
    }
    println!(
        "simulated  {} clocks in {:.2} s ({:.0} clocks/s)",
        r.clocks,
        r.elapsed.as_secs_f64(),
        r.clocks as f64 / r.elapsed.as_secs_f64().max(1e-9)
    );
    if let Some(vcd) = &setup.vcd {
        println!(
            "waveform   {} (open it with: gtkwave {})",
            vcd.display(),
            vcd.display()
        );
    }
}

/// A one-line progress bar on standard error, redrawn at most every 50 ms.
pub struct ProgressBar {
    last: Option<Instant>,
}

impl Default for ProgressBar {
    fn default() -> Self {
        Self::new()
    }
}

impl ProgressBar {
    const WIDTH: usize = 40;

    pub fn new() -> Self {
        ProgressBar { last: None }
    }

    /// The bar for `done` of `total`.
    pub fn render(done: u64, total: u64, clock: u64) -> String {
        let frac = if total == 0 {
            1.0
        } else {
            (done as f64 / total as f64).min(1.0)
        };
        let filled = (frac * Self::WIDTH as f64).round() as usize;
        format!(
            "\r[{}{}] {:>3.0}%  {done}/{total} units  clock {clock}",
            "#".repeat(filled),
            "-".repeat(Self::WIDTH - filled),
            frac * 100.0
        )
    }

    pub fn show(&mut self, done: u64, total: u64, clock: u64) {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(50))
        {
            return;
        }
        self.last = Some(now);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{}", Self::render(done, total, clock));
        let _ = err.flush();
    }

    /// Clears the bar's line.
    pub fn finish() -> String {
        format!("\r{}\r", " ".repeat(Self::WIDTH + 50))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_moves_and_checks_both_directions_fault_free() {
        let setup = DemoSetup {
            channel: 1,
            width: DmaWidth::Width8Bits,
            latency: 1,
            vcd: None,
        };
        let r = run_demo(&setup, None).unwrap();
        assert_eq!(r.directions.len(), 2);
        for d in &r.directions {
            assert_eq!(d.seed.bytes_checked, 8192 * 9 / 2);
            assert!(d.seed.wraps >= 4);
            assert_eq!(d.activity.units, d.seed.bytes_checked);
            assert!(d.activity.units_per_clock() > 0.8, "{:?}", d.activity);
            let wraps = wrap_samples(&d.samples);
            assert!(wraps.len() >= 4, "the counter was seen in every pass");
            assert!(wraps.windows(2).all(|w| w[1].passes > w[0].passes));
        }
        assert_eq!(r.fault_cause, 0);
        assert_eq!(r.write_violations, 0);
        assert!(r.handshakes.0 > 0 && r.handshakes.1 > 0);
    }

    #[test]
    fn the_bar_fills_with_progress() {
        let half = ProgressBar::render(50, 100, 7);
        assert!(half.contains(&format!("[{}{}]", "#".repeat(20), "-".repeat(20))));
        assert!(half.contains(" 50%"));
        assert!(ProgressBar::render(5, 0, 0).contains("100%"));
        assert!(width_from_bits(12).is_err());
    }

    #[test]
    fn counter_bytes_left_follow_the_unit() {
        let s = CounterSample {
            clock: 0,
            channel: 0,
            count: 9,
            passes: 0,
        };
        assert_eq!(bytes_left(&s, 2), 20);
        // Auto-initialize reloads the count: 0xFFFF is a full 65536-unit pass, not an end.
        let full = CounterSample {
            count: 0xFFFF,
            passes: 3,
            ..s
        };
        assert_eq!(bytes_left(&full, 2), 2 * 65536);
    }
}
