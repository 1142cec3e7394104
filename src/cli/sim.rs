//! `mapdma sim`: one named scenario on the co-simulation with the bench chosen on the command
//! line (memory latency, memory backpressure, device rate), with the protocol checkers on and an
//! optional waveform.
//!
//! - `seed`: the host library's seed scenario (common buffer, auto-initialize, ReadDmaCounter
//!   polling) on the Verilator backend, both directions or one;
//! - `streaming`: channel 0 streaming an auto-initialize ring in block mode for a number of
//!   clocks, programmed at register level (mapdma-sim's streaming bench);
//! - `mixed`: mapdma-sim's short mixed scenario (two channels, translation, terminal count,
//!   interrupt) with random register timing;
//! - `bus-master`: a bus-master device moves random packets through the bus-master port's map
//!   (guard frames between the mapped pages) and reads them back (mapdma-sim's `bm_scenario`);
//! - `mem-to-mem`: random memory-to-memory block copies (channel 0 the source, channel 1 the
//!   destination; some with channel 0's address held), each checked against the source, with
//!   writes allowed only inside the destination (mapdma-sim's `m2m_scenario`).

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use mapdma_host::backend::verilator::{VerilatorBackend, VerilatorOptions};
use mapdma_host::scenario::{run_seed, SeedParams};
use mapdma_host::{DmaSystem, TransferType};
use mapdma_regmap::Config;
use mapdma_sim::bm_scenario::{bus_master_config, bus_master_packets};
use mapdma_sim::m2m_scenario::{mem_to_mem_config, mem_to_mem_copies};
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::rate::Rate;
use mapdma_sim::scenario::{mixed, mixed_config, start_streaming, streaming_config};

use super::checks;
use super::config_args::ConfigArgs;
use super::demo::{width_from_bits, with_verilator};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// The seed scenario of the host library (Verilator backend)
    Seed,
    /// An auto-initialize ring streamed in block mode on channel 0
    Streaming,
    /// The short mixed scenario: two channels, translation, terminal count, interrupt
    Mixed,
    /// Packets written and read back by a bus-master device through the bus-master port
    BusMaster,
    /// Memory-to-memory block copies: channel 0 the source, channel 1 the destination
    MemToMem,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Device → memory (8237 write transfer)
    Write,
    /// Memory → device (8237 read transfer)
    Read,
    /// Device → memory, then memory → device (seed only)
    Both,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineArg {
    Verilator,
    RustHdl,
}

#[derive(Args, Debug)]
pub struct SimArgs {
    /// The scenario to run
    #[arg(long, value_enum, default_value_t = Scenario::Seed)]
    scenario: Scenario,
    /// Memory read and write latency in clocks (default: the scenario's own, 1 for seed and
    /// streaming; mixed runs a fixed 500 clocks and fails if a channel has not finished by then)
    #[arg(long, value_name = "N")]
    latency: Option<u32>,
    /// Probability (0 ≤ P < 1) that the memory stalls a handshake or response in a clock
    #[arg(long, value_name = "P")]
    backpressure: Option<f64>,
    /// Device rate (seed, streaming; default 1): `1` (a unit every clock), `1/N` (one every N
    /// clocks, N ≤ 256), `random:P` (streaming) or `bursty:ON:OFF` (streaming)
    #[arg(long, value_name = "RATE")]
    rate: Option<String>,
    /// Transfer direction (seed: default both; streaming: write or read, default write)
    #[arg(long, value_enum)]
    transfer: Option<Direction>,
    /// Unit width in bits for the seed scenario: 8, 16 or 32 (default 8)
    #[arg(long)]
    width: Option<u32>,
    /// Clocks to stream (streaming; default 50000)
    #[arg(long)]
    clocks: Option<u64>,
    /// Ring size in bytes (streaming; default 16384)
    #[arg(long)]
    buffer: Option<u32>,
    /// Simulation engine (streaming and mixed; seed runs on Verilator)
    #[arg(long, value_enum, default_value_t = EngineArg::Verilator)]
    engine: EngineArg,
    /// Seeds the bench's random choices
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write a VCD waveform (open it with GTKWave)
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
}

/// The slowest `1/N` device rate: one unit every 256 clocks already stretches the seed
/// scenario's 36 KiB to nine million clocks; slower rates would run for hours.
pub const MAX_RATE_PERIOD: u32 = 256;

/// The mixed scenario runs a fixed 500 clocks: the slowest memory with which every channel
/// still finishes its units, with margin (measured: latency 16 with 90 % stalls finishes,
/// latency 300 with 90 % stalls or 95 % stalls at latency 1 leave the sink channel short).
pub const MIXED_MAX_LATENCY: u32 = 16;
pub const MIXED_MAX_BACKPRESSURE: f64 = 0.8;

/// A device rate from the command line.
pub fn parse_rate(s: &str) -> anyhow::Result<Rate> {
    let s = s.trim();
    let bad = || anyhow::anyhow!("--rate {s}: expected 1, 1/N, random:P or bursty:ON:OFF");
    if s == "1" || s == "always" {
        return Ok(Rate::Always);
    }
    if let Some(n) = s.strip_prefix("1/") {
        let n: u32 = n.parse().map_err(|_| bad())?;
        if !(1..=MAX_RATE_PERIOD).contains(&n) {
            bail!("--rate {s}: N must be 1..={MAX_RATE_PERIOD}");
        }
        return Ok(if n == 1 { Rate::Always } else { Rate::Every(n) });
    }
    if let Some(p) = s.strip_prefix("random:") {
        let p: f64 = p.parse().map_err(|_| bad())?;
        if !(p > 0.0 && p <= 1.0) {
            bail!("--rate {s}: P must be in (0, 1]");
        }
        return Ok(Rate::Random(p));
    }
    if let Some(rest) = s.strip_prefix("bursty:") {
        let (on, off) = rest.split_once(':').ok_or_else(bad)?;
        let on: u32 = on.parse().map_err(|_| bad())?;
        let off: u32 = off.parse().map_err(|_| bad())?;
        if on == 0 {
            bail!("--rate {s}: ON must be at least 1");
        }
        return Ok(Rate::Bursty { on, off });
    }
    Err(bad())
}

/// Probability that the memory is ready, from the stall probability.
fn readiness(backpressure: Option<f64>) -> anyhow::Result<Option<f64>> {
    match backpressure {
        None => Ok(None),
        Some(p) if (0.0..1.0).contains(&p) => Ok(Some(1.0 - p)),
        Some(p) => bail!("--backpressure {p}: a stall probability must be in [0, 1)"),
    }
}

/// Flags the scenario does not use: refused, never silently ignored.
fn refuse_unused(args: &SimArgs) -> anyhow::Result<()> {
    let given = [
        ("--rate", args.rate.is_some()),
        ("--transfer", args.transfer.is_some()),
        ("--width", args.width.is_some()),
        ("--clocks", args.clocks.is_some()),
        ("--buffer", args.buffer.is_some()),
    ];
    let unused: &[&str] = match args.scenario {
        Scenario::Seed => &["--clocks", "--buffer"],
        Scenario::Streaming => &["--width"],
        Scenario::Mixed => &["--rate", "--transfer", "--width", "--clocks", "--buffer"],
        Scenario::BusMaster => &["--rate", "--transfer", "--width", "--clocks", "--buffer"],
        Scenario::MemToMem => &["--rate", "--transfer", "--width", "--clocks", "--buffer"],
    };
    for (flag, set) in given {
        if set && unused.contains(&flag) {
            bail!(
                "{flag} does not apply to --scenario {}: {}",
                format!("{:?}", args.scenario).to_lowercase(),
                match args.scenario {
                    Scenario::Seed => "the seed scenario streams its own 36 KiB ring",
                    Scenario::Streaming => "the streaming bench moves 32-bit units",
                    Scenario::Mixed =>
                        "the mixed scenario has its own devices, directions, units and length",
                    Scenario::BusMaster =>
                        "the bus-master scenario's device moves its own random packets",
                    Scenario::MemToMem =>
                        "the memory-to-memory scenario draws its own widths and lengths",
                }
            );
        }
    }
    Ok(())
}

pub fn run(args: &SimArgs) -> anyhow::Result<()> {
    let cfg = args.config.config()?;
    refuse_unused(args)?;
    let rate = parse_rate(args.rate.as_deref().unwrap_or("1"))?;
    let ready = readiness(args.backpressure)?;
    if let Some(l) = args.latency {
        checks::latency(l)?;
    }
    if args.scenario == Scenario::Mixed {
        mixed_bounds(args)?;
    }
    if let Some(vcd) = &args.vcd {
        checks::vcd_file(vcd)?;
    }
    match args.scenario {
        Scenario::Seed => seed(args, cfg, rate, ready),
        Scenario::Streaming => streaming(args, cfg, rate, ready),
        Scenario::Mixed => mixed_run(args, cfg, ready),
        Scenario::BusMaster => bus_master_run(args, cfg, ready),
        Scenario::MemToMem => mem_to_mem_run(args, cfg, ready),
    }?;
    if let Some(vcd) = &args.vcd {
        println!(
            "waveform   {} (open it with: gtkwave {})",
            vcd.display(),
            vcd.display()
        );
    }
    Ok(())
}

fn engine_kind(e: EngineArg) -> EngineKind {
    match e {
        EngineArg::Verilator => EngineKind::Verilator,
        EngineArg::RustHdl => EngineKind::RustHdl,
    }
}

/// What a failed seed run says about its bench: a time-out is read against the latency.
fn seed_context(transfer: TransferType, opts: &VerilatorOptions, period: u32) -> String {
    format!(
        "{transfer:?} transfer at memory latency {} clock(s), memory ready {:.0} % of clocks, \
         one unit every {period} clock(s)",
        opts.memory_latency,
        opts.memory_ready * 100.0
    )
}

fn seed(args: &SimArgs, cfg: Config, rate: Rate, ready: Option<f64>) -> anyhow::Result<()> {
    if args.engine != EngineArg::Verilator {
        bail!("the seed scenario runs on the Verilator backend (--engine verilator)");
    }
    let period = match rate {
        Rate::Always => 1,
        Rate::Every(n) => n,
        _ => bail!("the seed scenario's devices take a fixed rate: 1 or 1/N"),
    };
    let width = width_from_bits(args.width.unwrap_or(8))?;
    let opts = VerilatorOptions {
        memory_latency: args.latency.unwrap_or(1),
        memory_ready: ready.unwrap_or(1.0),
        seed: args.seed,
        vcd: args.vcd.clone(),
        ..Default::default()
    };
    let system = DmaSystem::open(Box::new(VerilatorBackend::with_options(cfg, opts.clone())?))?;
    let transfers = match args.transfer.unwrap_or(Direction::Both) {
        Direction::Write => vec![TransferType::Write],
        Direction::Read => vec![TransferType::Read],
        Direction::Both => vec![TransferType::Write, TransferType::Read],
    };
    println!(
        "seed scenario on Verilator: memory latency {}, memory ready {:.0} % of clocks, device \
         one unit every {period} clock(s), {}-bit units",
        opts.memory_latency,
        opts.memory_ready * 100.0,
        width.unit().map_or(64, |u| u.bytes() * 8)
    );
    for transfer in transfers {
        let p = SeedParams {
            device_period: period,
            // A slower device needs fewer polls to stay ahead of it.
            poll_interval: 64 * period as u64,
            ..SeedParams::new(0, width, transfer)
        };
        let from = with_verilator(&system, |v| {
            v.clear_activity();
            v.cycle()
        })?;
        let r = run_seed(&system, &p).with_context(|| seed_context(transfer, &opts, period))?;
        let (a, to) = with_verilator(&system, |v| (v.activity(0), v.cycle()))?;
        let a = a?;
        println!(
            "  {:<5} {} bytes checked, {} wraps, {} counter polls; {} units at {:.3} units per clock \
             (first to last unit), {} clocks in all",
            format!("{transfer:?}").to_lowercase(),
            r.bytes_checked,
            r.wraps,
            r.polls,
            a.units,
            a.units_per_clock(),
            to - from
        );
    }
    let (hs, violations) = with_verilator(&system, |v| {
        (v.checked_handshakes(), v.write_violations().len())
    })?;
    with_verilator(&system, |v| v.trace_close())??;
    println!(
        "  protocol checkers: {} AXI4 and {} AXI4-Lite handshakes, no violation; {} DMA writes outside allocated pages",
        hs.0, hs.1, violations
    );
    Ok(())
}

fn streaming(args: &SimArgs, cfg: Config, rate: Rate, ready: Option<f64>) -> anyhow::Result<()> {
    let transfer = match args.transfer.unwrap_or(Direction::Write) {
        Direction::Write => TransferType::Write,
        Direction::Read => TransferType::Read,
        Direction::Both => {
            bail!("--transfer both: the streaming bench streams one way (write or read)")
        }
    };
    let (clocks, buffer) = (args.clocks.unwrap_or(50_000), args.buffer.unwrap_or(16384));
    checks::ring_buffer(buffer, &cfg)?;
    let latency = args.latency.unwrap_or(1);
    let mut sys = streaming_config(transfer, latency);
    sys.memory.seed = args.seed;
    if let Some(p) = ready {
        sys.memory = sys.memory.with_random_backpressure(p);
    }
    if let Some(d) = sys.devices.first_mut() {
        d.seed = args.seed;
        match transfer {
            TransferType::Read => d.sink = Some(rate),
            _ => d.source = Some(rate),
        }
    }
    sys.vcd = args.vcd.clone();
    let kind = engine_kind(args.engine);
    let mut s = system(kind, &cfg, sys)?;
    s.memory.set_logging(false);
    s.devices[0].set_recording(false);
    start_streaming(&mut s, transfer, buffer).with_context(|| format!("--buffer {buffer}"))?;
    let moved = |s: &mapdma_sim::System<_>| {
        let stats = s.memory.stats();
        match transfer {
            TransferType::Read => stats.reads,
            _ => stats.writes,
        }
    };
    let before = moved(&s);
    let t = std::time::Instant::now();
    s.run(clocks)?;
    let seconds = t.elapsed().as_secs_f64();
    let units = moved(&s) - before;
    let stats = s.memory.stats();
    let snap = s.snapshot(0)?;
    let (axi, axil) = s.checked_handshakes();
    s.trace_close()?;
    println!(
        "streaming on {kind}: {:?} transfer, block-mode auto-initialize ring of {} bytes (32-bit units), \
         memory latency {latency}, memory ready {:.0} % of clocks, device rate {}",
        transfer,
        buffer,
        ready.unwrap_or(1.0) * 100.0,
        args.rate.as_deref().unwrap_or("1")
    );
    println!(
        "  {} units in {} clocks: {:.3} units per clock; {} passes; peak {} reads / {} writes in flight",
        units,
        clocks,
        units as f64 / clocks.max(1) as f64,
        snap.passes,
        stats.peak_reads,
        stats.peak_writes
    );
    println!(
        "  protocol checkers: {axi} AXI4 and {axil} AXI4-Lite handshakes, no violation; {:.0} clocks/s",
        clocks as f64 / seconds.max(1e-9)
    );
    Ok(())
}

/// The mixed scenario's fixed length must fit the memory: refuse a slower one than measured.
fn mixed_bounds(args: &SimArgs) -> anyhow::Result<()> {
    if let Some(l) = args.latency.filter(|&l| l > MIXED_MAX_LATENCY) {
        bail!(
            "--latency {l}: the mixed scenario runs a fixed 500 clocks, which a memory latency \
             above {MIXED_MAX_LATENCY} leaves unfinished (use --scenario streaming or seed)"
        );
    }
    if let Some(p) = args.backpressure.filter(|&p| p > MIXED_MAX_BACKPRESSURE) {
        bail!(
            "--backpressure {p}: the mixed scenario runs a fixed 500 clocks, which more than \
             {MIXED_MAX_BACKPRESSURE} stalls leave unfinished"
        );
    }
    Ok(())
}

fn mixed_run(args: &SimArgs, cfg: Config, ready: Option<f64>) -> anyhow::Result<()> {
    let mut sys = mixed_config(&cfg, args.seed);
    if let Some(l) = args.latency {
        sys.memory.read_latency = l;
        sys.memory.write_latency = l;
    }
    if let Some(p) = ready {
        sys.memory = sys.memory.with_random_backpressure(p);
    }
    sys.vcd = args.vcd.clone();
    let kind = engine_kind(args.engine);
    let mut s = system(kind, &cfg, sys)?;
    let r = mixed(&mut s)?;
    let (axi, axil) = s.checked_handshakes();
    s.trace_close()?;
    println!(
        "mixed scenario on {kind} (seed {}): {} clocks, {} register accesses, {} memory beats, {} interrupt(s)",
        args.seed,
        r.cycles,
        r.axil.len(),
        r.memory.len(),
        r.irq_rises.len()
    );
    for (ch, (sent, received)) in r.sent.iter().zip(&r.received).enumerate() {
        if !sent.is_empty() || !received.is_empty() {
            println!(
                "  channel {ch}: {} units sent to memory, {} received from memory",
                sent.len(),
                received.len()
            );
        }
    }
    println!("  protocol checkers: {axi} AXI4 and {axil} AXI4-Lite handshakes, no violation");
    Ok(())
}

fn bus_master_run(args: &SimArgs, cfg: Config, ready: Option<f64>) -> anyhow::Result<()> {
    if !cfg.bus_master_port {
        bail!("the bus-master scenario needs the port: drop --bus-master-port false");
    }
    let latency = args.latency.unwrap_or(1);
    let ready = ready.unwrap_or(1.0);
    let mut sys = bus_master_config(args.seed, latency, ready);
    sys.vcd = args.vcd.clone();
    let kind = engine_kind(args.engine);
    let mut s = system(kind, &cfg, sys)?;
    let r = bus_master_packets(&mut s, args.seed, 8).context("bus-master scenario")?;
    s.trace_close()?;
    println!(
        "bus-master scenario on {kind} (seed {}): {} packets, {} bytes written and read back \
         through the map, {} clocks; memory latency {latency}, device and memory ready/valid \
         {:.0} % of clocks",
        args.seed,
        r.packets,
        r.bytes,
        r.clocks,
        ready * 100.0
    );
    println!(
        "  no write outside the mapped frames; protocol checkers: {} handshakes on s_bm_axi, \
         {} on m_bm_axi, no violation",
        r.handshakes.0, r.handshakes.1
    );
    Ok(())
}

fn mem_to_mem_run(args: &SimArgs, cfg: Config, ready: Option<f64>) -> anyhow::Result<()> {
    let latency = args.latency.unwrap_or(1);
    let ready = ready.unwrap_or(1.0);
    let mut sys = mem_to_mem_config(args.seed, latency, ready, false);
    sys.vcd = args.vcd.clone();
    let kind = engine_kind(args.engine);
    let mut s = system(kind, &cfg, sys)?;
    let r = mem_to_mem_copies(&mut s, args.seed, 8).context("memory-to-memory scenario")?;
    s.trace_close()?;
    let (axi, axil) = s.checked_handshakes();
    println!(
        "mem-to-mem scenario on {kind} (seed {}): {} block copies, {} units, {} bytes, {} \
         clocks; memory latency {latency}, memory ready/valid {:.0} % of clocks",
        args.seed,
        r.copies,
        r.units,
        r.bytes,
        r.clocks,
        ready * 100.0
    );
    println!(
        "  every destination equals its source, no write outside the destinations, TEMPORARY = \
         last unit ({:#x}); protocol checkers: {axi} AXI4 and {axil} AXI4-Lite handshakes, no \
         violation",
        r.temporary
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_seed_run_names_the_latency() {
        let opts = VerilatorOptions {
            memory_latency: 64,
            memory_ready: 0.2,
            ..Default::default()
        };
        let e = anyhow::Error::new(mapdma_host::DmaError::Timeout(
            "the device stopped streaming",
        ))
        .context(seed_context(TransferType::Write, &opts, 1));
        let shown = format!("{e:#}");
        assert!(shown.contains("memory latency 64 clock(s)"), "{shown}");
        assert!(shown.contains("memory ready 20 %"), "{shown}");
        assert!(shown.contains("the device stopped streaming"), "{shown}");
    }

    #[test]
    fn rates_parse_and_bad_ones_are_explained() {
        assert_eq!(parse_rate("1").unwrap(), Rate::Always);
        assert_eq!(parse_rate("1/4").unwrap(), Rate::Every(4));
        assert_eq!(parse_rate("random:0.25").unwrap(), Rate::Random(0.25));
        assert_eq!(
            parse_rate("bursty:3:2").unwrap(),
            Rate::Bursty { on: 3, off: 2 }
        );
        for bad in ["fast", "1/0", "random:2", "bursty:3", "bursty:0:1"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        let slow = parse_rate("1/4294967295").unwrap_err().to_string();
        assert!(slow.contains(&format!("1..={MAX_RATE_PERIOD}")), "{slow}");
        assert_eq!(parse_rate("1/256").unwrap(), Rate::Every(256));
        assert!(readiness(Some(1.0)).is_err());
        assert_eq!(readiness(Some(0.25)).unwrap(), Some(0.75));
    }
}
