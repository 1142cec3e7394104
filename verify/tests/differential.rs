//! A few hundred random programs on the RTL (Verilator) and on the reference model: register
//! read-backs, memory, device data, interrupt and fault state must agree, and no device write
//! may land outside its buffer. `MAPDMA_VERIFY_SEED` and `MAPDMA_VERIFY_PROGRAMS` override the
//! seed range; `mapdma verify --programs 1 --seed S` reruns one program.

use mapdma_verify::known::KNOWN;
use mapdma_verify::{campaign, campaign_on, check_seed};

const FIRST_SEED: u64 = 0x5EED_0000;
const PROGRAMS: u64 = 2000;

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

#[test]
fn random_programs_agree_on_rtl_and_reference() {
    let first = env_u64("MAPDMA_VERIFY_SEED").unwrap_or(FIRST_SEED);
    let n = env_u64("MAPDMA_VERIFY_PROGRAMS").unwrap_or(PROGRAMS);
    println!("seeds {first:#x}..{:#x}", first + n - 1);
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let s = campaign_on(first..first + n, false, jobs, |v, _| {
        if !v.passed() {
            println!("{v}");
        }
    });
    println!("{s}");
    assert!(
        s.failed.is_empty(),
        "{} of {} programs failed (seeds {:x?}); rerun one with `mapdma verify --programs 1 --seed S`",
        s.failed.len(),
        s.programs,
        s.failed.iter().map(|v| v.seed).collect::<Vec<_>>()
    );
    // The programs must exercise something: registers, clocks, both configurations.
    assert!(s.accesses > 50 * n as usize, "{s}");
    assert!(s.clocks > 500 * n, "{s}");
    for (id, _, _) in &s.known {
        assert!(KNOWN.iter().any(|k| k.id == *id));
    }
}

#[test]
fn a_failing_seed_reruns_identically() {
    // Same seed, same program, same verdict and the same clock count on the RTL.
    let a = check_seed(FIRST_SEED + 7, None, true);
    let b = check_seed(FIRST_SEED + 7, None, true);
    assert_eq!(a.clocks, b.clocks);
    assert_eq!(a.failures, b.failures);
    assert_eq!(a.accesses, b.accesses);
}

#[test]
fn a_campaign_on_several_threads_adds_up_to_the_same_totals() {
    let seeds = FIRST_SEED + 100..FIRST_SEED + 124;
    let one = campaign(seeds.start, seeds.end - seeds.start, false, |_, _| {});
    let mut seen = vec![];
    let three = campaign_on(seeds.clone(), false, 3, |v, _| seen.push(v.seed));
    seen.sort_unstable();
    assert_eq!(seen, seeds.collect::<Vec<_>>(), "every seed exactly once");
    assert_eq!(
        (one.programs, one.clocks, one.accesses, one.rejected),
        (three.programs, three.clocks, three.accesses, three.rejected)
    );
    let failed = |s: &mapdma_verify::Summary| s.failed.iter().map(|v| v.seed).collect::<Vec<_>>();
    assert_eq!(failed(&one), failed(&three));
    assert_eq!(one.known, three.known);
}
