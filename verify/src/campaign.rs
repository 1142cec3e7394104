//! Campaigns: many seeds checked on every core of this machine (`jobs` threads), and split
//! into disjoint shards so that several machines together run one large campaign whose
//! reports read alike.

use crate::differential::{check_seed, Verdict};
use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Totals of a campaign.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub programs: usize,
    /// Failed programs, by seed.
    pub failed: Vec<Verdict>,
    pub clocks: u64,
    pub accesses: usize,
    pub rejected: usize,
    /// Programs in which the memory answered a bus-master burst with an error, and such bursts.
    pub bm_error_programs: usize,
    pub bm_error_bursts: usize,
    pub elapsed: Duration,
    /// Known deviations seen: (id, mismatches, first seed).
    pub known: Vec<(&'static str, usize, u64)>,
}

impl Summary {
    /// Programs checked per second of wall time.
    pub fn programs_per_second(&self) -> f64 {
        self.programs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn add(&mut self, v: &Verdict) {
        for (id, _) in &v.known {
            match self.known.iter_mut().find(|(k, _, _)| k == id) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 = entry.2.min(v.seed);
                }
                None => self.known.push((id, 1, v.seed)),
            }
        }
        self.programs += 1;
        self.clocks += v.clocks;
        self.accesses += v.accesses;
        self.rejected += v.rejected;
        self.bm_error_programs += (v.bm_memory_errors > 0) as usize;
        self.bm_error_bursts += v.bm_memory_errors;
        if !v.passed() {
            self.failed.push(v.clone());
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} program(s), {} failed; {} register accesses, {} RTL clocks, {} candidate(s) \
             rejected by the reference model, {} program(s) with a bus-master burst answered \
             by a memory bus error ({} burst(s)), {:.1} s, {:.0} programs/s",
            self.programs,
            self.failed.len(),
            self.accesses,
            self.clocks,
            self.rejected,
            self.bm_error_programs,
            self.bm_error_bursts,
            self.elapsed.as_secs_f64(),
            self.programs_per_second()
        )?;
        for (id, n, seed) in &self.known {
            write!(
                f,
                "\nknown RTL deviation `{id}`: {n} mismatch(es), first at seed {seed:#x}"
            )?;
        }
        Ok(())
    }
}

/// Shard `index` (1-based) of `count`: a contiguous slice of a campaign's seeds. The shards of
/// one campaign are disjoint and together cover it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole campaign.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `K/N` (1 ≤ K ≤ N).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not a shard: write K/N, e.g. 2/8"))?;
        let num = |x: &str| {
            x.trim()
                .parse::<u64>()
                .map_err(|e| format!("`{s}` is not a shard ({x}: {e})"))
        };
        let (index, count) = (num(k)?, num(n)?);
        if index == 0 || index > count {
            return Err(format!("shard {index}/{count}: K must be in 1..={count}"));
        }
        Ok(Shard { index, count })
    }

    /// This shard's seeds of the campaign of `programs` seeds from `first`.
    pub fn seeds(&self, first: u64, programs: u64) -> Range<u64> {
        let at = |k: u64| (programs as u128 * k as u128 / self.count as u128) as u64;
        first.saturating_add(at(self.index - 1))..first.saturating_add(at(self.index))
    }
}

/// Checks seeds `first..first + n` on this thread, calling `progress` after each.
pub fn campaign(
    first: u64,
    n: u64,
    strict: bool,
    progress: impl FnMut(&Verdict, &Summary),
) -> Summary {
    campaign_on(first..first.saturating_add(n), strict, 1, progress)
}

/// Checks `seeds` on `jobs` threads (each takes the next unchecked seed), calling `progress`
/// on this thread after each verdict, in the order they finish. Totals do not depend on
/// `jobs`; failures are listed by seed.
pub fn campaign_on(
    seeds: Range<u64>,
    strict: bool,
    jobs: usize,
    mut progress: impl FnMut(&Verdict, &Summary),
) -> Summary {
    let start = Instant::now();
    let mut s = Summary::default();
    let next = AtomicU64::new(seeds.start);
    let jobs = jobs.clamp(1, (seeds.end - seeds.start).max(1) as usize);
    std::thread::scope(|scope| {
        // Bounded, so finished verdicts never pile up faster than they are summed.
        let (tx, rx) = mpsc::sync_channel::<Verdict>(4 * jobs);
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            let end = seeds.end;
            scope.spawn(move || loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= end || tx.send(check_seed(seed, None, strict)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for v in rx {
            s.add(&v);
            s.elapsed = start.elapsed();
            progress(&v, &s);
        }
    });
    s.failed.sort_by_key(|v| v.seed);
    s.elapsed = start.elapsed();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_disjoint_and_cover_the_campaign() {
        for (programs, count) in [(10, 3), (1_000_000, 7), (2, 5)] {
            let mut next = 100;
            for index in 1..=count {
                let r = Shard { index, count }.seeds(100, programs);
                assert_eq!(
                    r.start, next,
                    "shard {index}/{count} starts where the last ended"
                );
                next = r.end;
            }
            assert_eq!(next, 100 + programs);
        }
        assert_eq!(Shard::WHOLE.seeds(5, 9), 5..14);
    }

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        assert_eq!(Shard::parse("2/8"), Ok(Shard { index: 2, count: 8 }));
        assert!(Shard::parse("0/8").is_err());
        assert!(Shard::parse("9/8").is_err());
        assert!(Shard::parse("2").is_err());
        assert!(Shard::parse("a/b").is_err());
    }
}
