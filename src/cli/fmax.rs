//! `mapdma synth --core --fmax`: the core's post-route fmax on an iCE40, with the I/O harness of
//! `harness` as the top so the core fits a package. Yosys `synth_ice40` → nextpnr-ice40 once per
//! placer seed, sequentially (the tools are single-threaded and CI machines have few cores);
//! the spread over seeds is part of the figure, since one seed can be lucky.

use super::harness::{self, HARNESS_TOP};
use super::report::PnrReport;
use super::tools;
use anyhow::{bail, Context};
use clap::ValueEnum;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

/// The iCE40 parts of the supported boards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Device {
    /// iCE40 HX8K, ct256 package (the HX8K breakout board)
    Hx8k,
    /// iCE40 UltraPlus 5K, sg48 package (the iCEBreaker)
    Up5k,
}

impl Device {
    fn arch(self) -> &'static str {
        match self {
            Device::Hx8k => "hx8k",
            Device::Up5k => "up5k",
        }
    }

    fn package(self) -> &'static str {
        match self {
            Device::Hx8k => "ct256",
            Device::Up5k => "sg48",
        }
    }

    /// nextpnr's `--freq`, deliberately above what the core can reach: the placer and router
    /// weigh each path by its slack against this target, so an unreachable target keeps them
    /// working on the critical path instead of settling once an easy target is met.
    fn target_mhz(self) -> u32 {
        match self {
            Device::Hx8k => 200,
            Device::Up5k => 80,
        }
    }
}

/// One placement and routing.
#[derive(Debug)]
struct SeedRun {
    seed: u64,
    fmax_mhz: f64,
    report: PnrReport,
}

/// Minimum, median and maximum of a set of figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (the median of an even count is the mean of the middle two);
    /// `None` when empty.
    pub fn of(values: &[f64]) -> Option<Spread> {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = match n {
            0 => return None,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        };
        Some(Spread {
            min: v[0],
            median,
            max: v[n - 1],
        })
    }
}

/// Places and routes `core_verilog` (module `module`, clock port `clock`) inside the harness on
/// `device` with seeds 1..=`seeds`, writing the harness, logs and reports to `out`, and prints
/// the fmax per seed, the spread and the critical path of the median seed.
pub fn run(
    core_verilog: &str,
    module: &str,
    out: &Path,
    device: Device,
    seeds: u64,
) -> anyhow::Result<()> {
    let ports = harness::module_ports(core_verilog, module)?;
    let h = harness::generate(module, &ports, "clock")?;
    std::fs::write(out.join("top.v"), core_verilog).context("writing top.v")?;
    std::fs::write(out.join("fmax_harness.v"), &h.verilog).context("writing fmax_harness.v")?;
    println!(
        "fmax harness {} input bits shifted in from `sin`, {} output bits registered and \
         XOR-reduced to `sout` in {} registered levels",
        h.input_bits, h.output_bits, h.xor_levels
    );
    let script = format!(
        "read_verilog top.v fmax_harness.v; synth_ice40 -top {HARNESS_TOP} -json fmax_harness.json"
    );
    tools::run(
        "yosys",
        &["-q", "-p", &script],
        out,
        &out.join("yosys_fmax.log"),
    )?;
    println!(
        "place and route (nextpnr-ice40 --{} --package {}, target {} MHz, seeds 1..={seeds}):",
        device.arch(),
        device.package(),
        device.target_mhz()
    );
    let mut runs = vec![];
    for seed in 1..=seeds {
        let started = Instant::now();
        let run = place_and_route(out, device, seed)?;
        if seed == 1 {
            println!(
                "  harness and core use {} logic cells, {} block RAMs",
                run.report.logic_cells, run.report.bram
            );
        }
        println!(
            "  seed {seed:<3}     {:>7.2} MHz  ({} s)",
            run.fmax_mhz,
            started.elapsed().as_secs()
        );
        std::io::stdout().flush()?;
        runs.push(run);
    }
    let fmax: Vec<f64> = runs.iter().map(|r| r.fmax_mhz).collect();
    let spread = Spread::of(&fmax).context("no seeds were run")?;
    println!(
        "  fmax         min {:.2}  median {:.2}  max {:.2} MHz over {seeds} seed(s)",
        spread.min, spread.median, spread.max
    );
    // The median seed (the slower middle one for an even count) represents the design better
    // than the luckiest placement.
    runs.sort_by(|a, b| a.fmax_mhz.total_cmp(&b.fmax_mhz));
    let shown = &runs[(runs.len() - 1) / 2];
    print_critical_path(shown)?;
    println!(
        "reports      {} (report_S.json, nextpnr_S.log per seed S)",
        out.display()
    );
    Ok(())
}

/// nextpnr-ice40 with seed `seed` on `fmax_harness.json` in `out`: `report_{seed}.json`,
/// `nextpnr_{seed}.log`.
fn place_and_route(out: &Path, device: Device, seed: u64) -> anyhow::Result<SeedRun> {
    let report = format!("report_{seed}.json");
    // A stale report must never be read as this run's.
    let _ = std::fs::remove_file(out.join(&report));
    let freq = device.target_mhz().to_string();
    let seed_arg = seed.to_string();
    // Only clk, sin and sout are pins, so placing them is left to nextpnr. Missing the
    // (unreachable) target is the expected outcome, hence --timing-allow-fail.
    tools::run(
        "nextpnr-ice40",
        &[
            &format!("--{}", device.arch()),
            "--package",
            device.package(),
            "--json",
            "fmax_harness.json",
            "--pcf-allow-unconstrained",
            "--freq",
            &freq,
            "--seed",
            &seed_arg,
            "--report",
            &report,
            "--timing-allow-fail",
        ],
        out,
        &out.join(format!("nextpnr_{seed}.log")),
    )?;
    let path = out.join(&report);
    let json =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let report =
        PnrReport::from_nextpnr(&json).with_context(|| format!("in {}", path.display()))?;
    let fmax_mhz = match report.clocks.as_slice() {
        [clock] => clock.achieved_mhz,
        clocks => bail!(
            "{}: the harness has one clock, nextpnr timed {}",
            path.display(),
            clocks.len()
        ),
    };
    Ok(SeedRun {
        seed,
        fmax_mhz,
        report,
    })
}

fn print_critical_path(run: &SeedRun) -> anyhow::Result<()> {
    let clock = &run.report.clocks[0].clock;
    let Some(path) = run.report.critical_path(clock) else {
        bail!(
            "report_{}.json has no register-to-register critical path for {clock}",
            run.seed
        );
    };
    println!(
        "critical path of seed {} ({:.2} ns; arrival time, net):",
        run.seed,
        path.delay_ns()
    );
    for line in path.lines() {
        println!("  {line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_gives_min_median_max() {
        let s = Spread::of(&[48.0, 46.5, 50.25]).unwrap();
        assert_eq!((s.min, s.median, s.max), (46.5, 48.0, 50.25));
        assert_eq!(Spread::of(&[2.0, 1.0]).unwrap().median, 1.5);
        assert_eq!(Spread::of(&[7.0]).unwrap().median, 7.0);
        assert!(Spread::of(&[]).is_none());
    }
}
