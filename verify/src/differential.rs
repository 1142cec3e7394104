//! Differential testing: one program on both models, compared.

use crate::generate::{generate, GenerateError};
use crate::known::known;
use crate::outcome::{compare, guard_damage, GuardDamage, Mismatch, Outcome};
use crate::program::Program;
use crate::reference::{run_reference, ReferenceError};
use crate::rtl::run_rtl;
use mapdma_sim::SimError;
use std::fmt;
use std::path::PathBuf;

/// Something wrong with one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Generate(GenerateError),
    /// The reference model refused a hand-written program.
    Reference(ReferenceError),
    /// The RTL run stopped: AXI protocol violation, timeout, bus error on a register access.
    Rtl(SimError),
    /// The models disagree.
    Mismatch(Mismatch),
    /// A guard byte changed: something wrote outside every buffer (`model` says which).
    GuardDamage {
        model: &'static str,
        first: GuardDamage,
        bytes: usize,
    },
    /// The simulated memory saw a device write outside the write-permission map.
    WriteOutsidePermissions(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Generate(e) => write!(f, "generator: {e}"),
            Failure::Reference(e) => write!(f, "reference model: {e}"),
            Failure::Rtl(e) => write!(f, "RTL simulation: {e}"),
            Failure::Mismatch(m) => write!(f, "mismatch: {m}"),
            Failure::GuardDamage {
                model,
                first,
                bytes,
            } => write!(
                f,
                "memory safety ({model}): guard byte at {:#x} changed {:#04x} -> {:#04x} \
                 ({bytes} guard byte(s) changed in all)",
                first.address, first.initial, first.now
            ),
            Failure::WriteOutsidePermissions(v) => write!(f, "memory safety (RTL): {v}"),
        }
    }
}

/// The result of one program.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub seed: u64,
    /// `"default"` or `"small"` (or another configuration's description).
    pub config: String,
    pub rounds: usize,
    /// Register accesses made.
    pub accesses: usize,
    /// Clocks the RTL ran (0 if it did not run).
    pub clocks: u64,
    /// Candidates of this seed that the reference model rejected before this one.
    pub rejected: usize,
    /// Bus-master bursts the memory answered with an error (as the reference model predicts).
    pub bm_memory_errors: usize,
    pub failures: Vec<Failure>,
    /// Mismatches that are instances of a known, reported RTL deviation (id, mismatch).
    pub known: Vec<(&'static str, Mismatch)>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.passed() {
            return write!(
                f,
                "seed {:#x}: ok ({} configuration, {} round(s), {} register accesses, {} clocks)",
                self.seed, self.config, self.rounds, self.accesses, self.clocks
            );
        }
        writeln!(
            f,
            "seed {:#x}: FAILED ({} configuration, {} round(s), {} problem(s))",
            self.seed,
            self.config,
            self.rounds,
            self.failures.len()
        )?;
        for x in self.failures.iter().take(12) {
            writeln!(f, "  - {x}")?;
        }
        if self.failures.len() > 12 {
            writeln!(f, "  - ... {} more", self.failures.len() - 12)?;
        }
        write!(
            f,
            "  reproduce: mapdma verify --programs 1 --seed {:#x}",
            self.seed
        )
    }
}

fn config_name(p: &Program) -> String {
    if p.config == mapdma_regmap::Config::default() {
        "default".into()
    } else if p.config == mapdma_regmap::Config::small() {
        "small".into()
    } else {
        format!("{:?}", p.config)
    }
}

/// Runs a generated program on the RTL and compares it with its reference outcome. With
/// `strict`, known deviations ([`crate::known`]) count as failures too.
pub fn check_against(
    p: &Program,
    reference: &Outcome,
    vcd: Option<PathBuf>,
    strict: bool,
) -> Verdict {
    let mut v = Verdict {
        seed: p.seed,
        config: config_name(p),
        rounds: p.rounds.len(),
        accesses: reference.accesses.len(),
        clocks: 0,
        rejected: 0,
        bm_memory_errors: reference.bm_memory_errors.len(),
        failures: vec![],
        known: vec![],
    };
    let initial = p.memory.initial_fill();
    let damage = |model: &'static str, o: &Outcome| {
        let d = guard_damage(p, &initial, &o.memory);
        d.first().map(|first| Failure::GuardDamage {
            model,
            first: *first,
            bytes: d.len(),
        })
    };
    v.failures.extend(damage("reference model", reference));
    match run_rtl(p, vcd) {
        Err(e) => v.failures.push(Failure::Rtl(e)),
        Ok(rtl) => {
            v.clocks = rtl.time;
            v.failures.extend(damage("RTL", &rtl));
            v.failures.extend(
                rtl.write_violations
                    .iter()
                    .cloned()
                    .map(Failure::WriteOutsidePermissions),
            );
            for m in compare(p, &rtl, reference) {
                match known(&m) {
                    Some(k) if !strict => v.known.push((k.id, m)),
                    _ => v.failures.push(Failure::Mismatch(m)),
                }
            }
        }
    }
    v
}

/// Runs a hand-written program on both models and compares them (strictly: known deviations
/// are failures).
pub fn check_program(p: &Program) -> Verdict {
    match run_reference(p) {
        Ok(reference) => check_against(p, &reference, None, true),
        Err(e) => Verdict {
            seed: p.seed,
            config: config_name(p),
            rounds: p.rounds.len(),
            accesses: 0,
            clocks: 0,
            rejected: 0,
            bm_memory_errors: 0,
            failures: vec![Failure::Reference(e)],
            known: vec![],
        },
    }
}

/// Generates, runs and compares the program of `seed`; `vcd` writes the RTL's waveform.
pub fn check_seed(seed: u64, vcd: Option<PathBuf>, strict: bool) -> Verdict {
    match generate(seed) {
        Ok(g) => {
            let mut v = check_against(&g.program, &g.reference, vcd, strict);
            v.rejected = g.rejected.len();
            v
        }
        Err(e) => Verdict {
            seed,
            config: "?".into(),
            rounds: 0,
            accesses: 0,
            clocks: 0,
            rejected: 0,
            bm_memory_errors: 0,
            failures: vec![Failure::Generate(e)],
            known: vec![],
        },
    }
}
