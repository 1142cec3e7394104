//! `mapdma verify`: random differential testing of the RTL (Verilator) against the reference
//! model, with memory-safety guards. Every program is a function of its seed; failures print
//! the seed and the command that reruns exactly that program.

use anyhow::bail;
use clap::Args;
use mapdma_verify::{campaign_on, check_seed, Shard};
use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Programs of the campaign (with --shard, of the whole campaign, all shards together)
    #[arg(long, value_name = "N", default_value_t = 100)]
    programs: u64,
    /// Threads checking programs (default: every core)
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Run only shard K of N: the K-th of N disjoint, contiguous seed ranges of the campaign,
    /// so N machines given the same --seed and --programs run one campaign together
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// First seed (decimal or 0x hex); program i uses seed + i. Default: from the clock, printed
    #[arg(long, value_name = "S", value_parser = parse_seed)]
    seed: Option<u64>,
    /// Print every program's verdict, not only the failures
    #[arg(long)]
    verbose: bool,
    /// Write the RTL waveform of the program to this VCD file (with --programs 1)
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// Count known, reported RTL deviations as failures too
    #[arg(long)]
    strict: bool,
}

fn parse_seed(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16),
        None => s.replace('_', "").parse(),
    };
    parsed.map_err(|e| format!("`{s}` is not a seed (decimal or 0x hex): {e}"))
}

pub fn run(args: &VerifyArgs) -> anyhow::Result<()> {
    if args.programs == 0 {
        bail!("--programs must be at least 1");
    }
    let first = args.seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    });
    if first.checked_add(args.programs - 1).is_none() {
        bail!(
            "--seed {first:#x} with --programs {}: program i uses seed + i, which passes the \
             last seed {:#x}; the largest first seed for {} program(s) is {:#x}",
            args.programs,
            u64::MAX,
            args.programs,
            u64::MAX - (args.programs - 1)
        );
    }
    if let Some(vcd) = &args.vcd {
        if args.programs != 1 {
            bail!("--vcd writes one program's waveform: use it with --programs 1");
        }
        super::checks::vcd_file(vcd)?;
        let v = check_seed(first, Some(vcd.clone()), args.strict);
        println!("{v}");
        println!("waveform: {}", vcd.display());
        if !v.passed() {
            bail!("seed {first:#x} failed");
        }
        return Ok(());
    }
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let seeds = shard.seeds(first, args.programs);
    let total = seeds.end - seeds.start;
    if total == 0 {
        bail!(
            "shard {}/{} of {} program(s) has no seeds: use fewer shards",
            shard.index,
            shard.count,
            args.programs
        );
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let part = if shard == Shard::WHOLE {
        String::new()
    } else {
        format!(
            ", shard {}/{} of a {}-program campaign from seed {first:#x}",
            shard.index, shard.count, args.programs
        )
    };
    println!(
        "mapdma verify: {total} random program(s), seeds {:#x}..{:#x}{part}, {jobs} thread(s)",
        seeds.start,
        seeds.end - 1
    );
    let every = (total / 20).max(1);
    let mut last_line = Instant::now();
    let summary = campaign_on(seeds, args.strict, jobs, |v, s| {
        if !v.passed() || args.verbose {
            println!("{v}");
        }
        let n = s.programs as u64;
        if n.is_multiple_of(every) || n == total || last_line.elapsed().as_secs() >= 10 {
            eprintln!(
                "[{n}/{total}] {} failed, {:.1} s, {:.0} programs/s",
                s.failed.len(),
                s.elapsed.as_secs_f64(),
                s.programs_per_second()
            );
            last_line = Instant::now();
        }
    });
    println!("{summary}");
    if !summary.failed.is_empty() {
        let seeds: Vec<String> = summary
            .failed
            .iter()
            .map(|v| format!("{:#x}", v.seed))
            .collect();
        bail!(
            "{} of {} program(s) failed (seeds {}); rerun one with `mapdma verify --programs 1 --seed S`",
            summary.failed.len(),
            summary.programs,
            seeds.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_in_decimal_and_hex() {
        assert_eq!(parse_seed("42"), Ok(42));
        assert_eq!(parse_seed("0x2A"), Ok(42));
        assert_eq!(parse_seed("0x5eed_0000"), Ok(0x5EED_0000));
        assert!(parse_seed("seed").is_err());
    }
}
