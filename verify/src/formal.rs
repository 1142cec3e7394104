//! Bounded model checking of the generated Verilog with Yosys' SMT flow.
//!
//! The harness lives in `formal/`: `mapdma_formal.sv` wraps module `mapdma` (assumptions on its
//! inputs, protocol and translation assertions on its outputs) and `top_props.vh` is included
//! at the end of module `mapdma` for the white-box 8237 counter rules. This module writes the
//! Verilog of a configuration next to them, runs `yosys` to get an SMT-LIB2 model and
//! `yosys-smtbmc` with z3 to check every assertion in every clock up to a depth.
//!
//! One transformation sits between the two tools: the model's internal wire definitions
//! (`define-fun`) become declared functions constrained by equalities in the module's
//! hierarchy predicate, which yosys-smtbmc asserts in every step. The meaning is unchanged;
//! z3 4.8 (Debian's) expands chains of nested `define-fun` bodies eagerly and does not finish
//! loading this design otherwise.

use mapdma_regmap::Config;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The wrapper module (assumptions and port-level assertions).
pub const HARNESS: &str = include_str!("../../formal/mapdma_formal.sv");
/// The white-box properties included into module `mapdma`.
pub const TOP_PROPS: &str = include_str!("../../formal/top_props.vh");
/// The bus-master port's wrapper module (assumptions on the device, the memory and the
/// register bus; port-level assertions).
pub const BM_HARNESS: &str = include_str!("../../formal/bm_port_formal.sv");
/// The AXI4 handshake rules both wrappers instantiate on a master port.
pub const AXI4_HANDSHAKE: &str = include_str!("../../formal/axi4_handshake_props.sv");

/// Which harness a run checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Harness {
    /// `mapdma_formal.sv` with `top_props.vh`: the engine, the register bus and the map, for
    /// `Config::small()` (any `outstanding`).
    Core,
    /// `bm_port_formal.sv`: the bus-master translation port, for `Config::small()` with
    /// `bus_master_port`.
    BusMasterPort,
}

impl Harness {
    /// The configuration shape the harness is written for (`outstanding` may differ).
    pub fn shape(self) -> Config {
        match self {
            Harness::Core => Config::small(),
            Harness::BusMasterPort => Config {
                bus_master_port: true,
                ..Config::small()
            },
        }
    }

    /// The wrapper's file name, module name and text.
    fn wrapper(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Harness::Core => ("mapdma_formal.sv", "mapdma_formal", HARNESS),
            Harness::BusMasterPort => ("bm_port_formal.sv", "mapdma_bm_formal", BM_HARNESS),
        }
    }
}
/// Where the include goes: the end of module `mapdma` in the generated Verilog.
const TOP_END: &str = "endmodule // mapdma\n";

/// Why a formal run could not produce a verdict.
#[derive(Debug)]
pub enum FormalError {
    /// A tool is not on PATH.
    MissingTool(&'static str),
    /// The harness is written for one shape of design.
    Unsupported(String),
    /// The Verilog generator failed or its output has an unexpected shape.
    Verilog(String),
    /// A tool ran but failed; its output.
    Tool {
        tool: &'static str,
        output: String,
    },
    Io(std::io::Error),
}

impl fmt::Display for FormalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormalError::MissingTool(t) => write!(
                f,
                "`{t}` was not found on PATH: the formal checks need yosys, yosys-smtbmc and z3; \
                 run `ci/setup` to install them"
            ),
            FormalError::Unsupported(m) => write!(f, "formal harness: {m}"),
            FormalError::Verilog(m) => write!(f, "generated Verilog: {m}"),
            FormalError::Tool { tool, output } => {
                let tail: Vec<&str> = output.lines().rev().take(30).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                write!(f, "{tool} failed:\n{}", tail.join("\n"))
            }
            FormalError::Io(e) => write!(f, "formal run: {e}"),
        }
    }
}

impl std::error::Error for FormalError {}

impl From<std::io::Error> for FormalError {
    fn from(e: std::io::Error) -> Self {
        FormalError::Io(e)
    }
}

/// The outcome of a bounded check.
#[derive(Clone, Debug)]
pub struct Bmc {
    /// Clocks checked.
    pub depth: u32,
    pub passed: bool,
    /// For a failure: the assertion's source location and text, and the clock it failed in.
    pub failed: Option<FailedAssertion>,
    /// Counterexample waveform (on failure).
    pub vcd: Option<PathBuf>,
    /// Wall time of yosys and yosys-smtbmc together.
    pub elapsed: Duration,
    /// yosys-smtbmc's output.
    pub log: String,
}

impl Bmc {
    /// Prints what was checked (`what`: the design) and panics, naming the broken property and
    /// its counterexample, unless every property held: the verdict of a test that expects a
    /// design to pass.
    pub fn expect_passed(&self, what: &str) {
        println!(
            "{what}: {} clocks checked in {:.1} s: {}",
            self.depth,
            self.elapsed.as_secs_f64(),
            if self.passed { "PASSED" } else { "FAILED" }
        );
        if let Some(f) = &self.failed {
            let vcd = self.vcd.as_ref().map(|p| p.display().to_string());
            panic!(
                "property broken: {f}\ncounterexample: {}",
                vcd.unwrap_or_default()
            );
        }
        assert!(self.passed, "{what}: not passed\n{}", self.log);
    }
}

/// An assertion that a counterexample breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedAssertion {
    pub step: Option<u32>,
    /// `file:line`.
    pub location: String,
    /// The source line.
    pub source: String,
}

impl fmt::Display for FailedAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.step {
            write!(f, "clock {s}: ")?;
        }
        write!(f, "{}: {}", self.location, self.source.trim())
    }
}

/// Checks that the three tools are on PATH.
pub fn check_tools() -> Result<(), FormalError> {
    for tool in ["yosys", "yosys-smtbmc", "z3"] {
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
            .unwrap_or(false);
        if !found {
            return Err(FormalError::MissingTool(tool));
        }
    }
    Ok(())
}

/// The core harness is written for one channel and four map registers of 4 KiB pages, 24-bit
/// logical and 32-bit physical addresses (`Config::small()`; `outstanding` may differ).
pub fn supported(cfg: &Config) -> Result<(), FormalError> {
    supported_by(Harness::Core, cfg)
}

/// Whether `harness` is written for `cfg` ([`Harness::shape`], any `outstanding`).
pub fn supported_by(harness: Harness, cfg: &Config) -> Result<(), FormalError> {
    let want = harness.shape();
    let shape = Config {
        outstanding: want.outstanding,
        ..*cfg
    };
    if shape != want {
        return Err(FormalError::Unsupported(format!(
            "the {harness:?} harness is written for {want:?} (any `outstanding`), not {cfg:?}"
        )));
    }
    cfg.validate()
        .map_err(|e| FormalError::Unsupported(e.to_string()))
}

/// The generated Verilog with the white-box properties included into module `mapdma`.
pub fn design_with_props(verilog: &str) -> Result<String, FormalError> {
    let at = verilog
        .find(TOP_END)
        .ok_or_else(|| FormalError::Verilog(format!("no `{}` in the output", TOP_END.trim())))?;
    Ok(format!(
        "{}`include \"top_props.vh\"\n{}",
        &verilog[..at],
        &verilog[at..]
    ))
}

/// Writes the design and the core harness into `dir`.
pub fn prepare(dir: &Path, cfg: &Config, verilog: &str) -> Result<(), FormalError> {
    prepare_harness(Harness::Core, dir, cfg, verilog)
}

/// Writes the design and `harness` into `dir`, with the Yosys script `model.ys`.
pub fn prepare_harness(
    harness: Harness,
    dir: &Path,
    cfg: &Config,
    verilog: &str,
) -> Result<(), FormalError> {
    supported_by(harness, cfg)?;
    std::fs::create_dir_all(dir)?;
    let (file, top, text) = harness.wrapper();
    let chparam = match harness {
        Harness::Core => {
            std::fs::write(dir.join("mapdma.v"), design_with_props(verilog)?)?;
            std::fs::write(dir.join("top_props.vh"), TOP_PROPS)?;
            format!("chparam -set OUTSTANDING {} {top}\n", cfg.outstanding)
        }
        Harness::BusMasterPort => {
            std::fs::write(dir.join("mapdma.v"), verilog)?;
            String::new()
        }
    };
    std::fs::write(dir.join(file), text)?;
    std::fs::write(dir.join("axi4_handshake_props.sv"), AXI4_HANDSHAKE)?;
    let script = format!(
        "read_verilog -formal -sv -I. mapdma.v\n\
         read_verilog -formal -sv axi4_handshake_props.sv\n\
         read_verilog -formal -sv {file}\n\
         {chparam}\
         prep -top {top}\n\
         flatten\n\
         memory_map\n\
         opt -fast\n\
         async2sync\n\
         dffunmap\n\
         write_smt2 -wires model.smt2\n"
    );
    std::fs::write(dir.join("model.ys"), script)?;
    Ok(())
}

/// Rewrites `(define-fun |m#N| ((state |m_s|)) T body)` into a declaration plus the equality
/// `(= (|m#N| state) body)` conjoined into the module's `|m_h|` predicate.
pub fn definitions_to_equalities(smt2: &str) -> Result<String, FormalError> {
    let mut out = String::with_capacity(smt2.len() + smt2.len() / 4);
    let mut equalities: Vec<String> = vec![];
    let bad = |l: &str| FormalError::Verilog(format!("unexpected SMT-LIB2 line: {l}"));
    for line in smt2.lines() {
        if let Some(rest) = line.strip_prefix("(define-fun |") {
            let (name, after) = rest.split_once('|').ok_or_else(|| bad(line))?;
            if let Some((module, _)) = name.split_once('#') {
                // Internal wire of `module`: `((state |m_s|)) TYPE BODY) ; comment`.
                let after = after.strip_prefix(" ((state |").ok_or_else(|| bad(line))?;
                let (sort, after) = after.split_once("|)) ").ok_or_else(|| bad(line))?;
                let code = after.split(" ; ").next().unwrap_or(after);
                let code = code.strip_suffix(')').ok_or_else(|| bad(line))?;
                let (ty, body) = if let Some(b) = code.strip_prefix("Bool ") {
                    ("Bool", b)
                } else {
                    let end = code.find(')').ok_or_else(|| bad(line))? + 1;
                    (&code[..end], code[end..].trim_start())
                };
                out.push_str(&format!("(declare-fun |{name}| (|{sort}|) {ty})\n"));
                equalities.push(format!("(= (|{name}| state) {body})"));
                let _ = module;
                continue;
            }
            if let Some(module) = name.strip_suffix("_h") {
                let head = format!("((state |{module}_s|)) Bool true)");
                if after.trim() == head {
                    out.push_str(&format!(
                        "(define-fun |{module}_h| ((state |{module}_s|)) Bool (and true {}))\n",
                        equalities.join(" ")
                    ));
                    equalities.clear();
                    continue;
                }
                return Err(FormalError::Verilog(format!(
                    "module {module} has a hierarchy predicate already: flatten the design"
                )));
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    if !equalities.is_empty() {
        return Err(FormalError::Verilog(
            "wire definitions after the last hierarchy predicate".into(),
        ));
    }
    Ok(out)
}

fn run(dir: &Path, tool: &'static str, args: &[&str]) -> Result<(bool, String), FormalError> {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FormalError::MissingTool(tool),
            _ => FormalError::Io(e),
        })?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), text))
}

/// Builds the SMT-LIB2 model in `dir` (after [`prepare`]).
pub fn build_model(dir: &Path) -> Result<(), FormalError> {
    let (ok, log) = run(dir, "yosys", &["-q", "-l", "yosys.log", "model.ys"])?;
    if !ok {
        let full = std::fs::read_to_string(dir.join("yosys.log")).unwrap_or(log);
        return Err(FormalError::Tool {
            tool: "yosys",
            output: full,
        });
    }
    let smt = std::fs::read_to_string(dir.join("model.smt2"))?;
    std::fs::write(dir.join("model_eq.smt2"), definitions_to_equalities(&smt)?)?;
    Ok(())
}

/// Runs yosys-smtbmc with z3 to `depth` clocks on the model in `dir`.
pub fn smtbmc(dir: &Path, depth: u32) -> Result<Bmc, FormalError> {
    let start = Instant::now();
    let depth_arg = depth.to_string();
    let (_, log) = run(
        dir,
        "yosys-smtbmc",
        &[
            "-s",
            "z3",
            "--noprogress",
            "-t",
            &depth_arg,
            "--dump-vcd",
            "trace.vcd",
            "model_eq.smt2",
        ],
    )?;
    let passed = log.contains("Status: PASSED");
    if !passed && !log.contains("Status: FAILED") {
        return Err(FormalError::Tool {
            tool: "yosys-smtbmc",
            output: log,
        });
    }
    let failed = (!passed).then(|| failed_assertion(dir, &log));
    Ok(Bmc {
        depth,
        passed,
        failed,
        vcd: (!passed).then(|| dir.join("trace.vcd")),
        elapsed: start.elapsed(),
        log,
    })
}

/// Reads the failing assertion and its clock from yosys-smtbmc's log.
fn failed_assertion(dir: &Path, log: &str) -> FailedAssertion {
    let step = log
        .lines()
        .rev()
        .filter_map(|l| l.split("Checking assertions in step ").nth(1))
        .find_map(|s| s.trim_end_matches('.').trim().parse().ok());
    // `Assert failed in mod: file.sv:269.44-270.52 (...)`: the assertion ends on line 270.
    let span = log
        .lines()
        .find_map(|l| l.split("Assert failed in ").nth(1))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("(unknown)");
    let (file, lines) = span.rsplit_once(':').unwrap_or((span, ""));
    let last_line: Option<usize> = lines
        .rsplit('-')
        .next()
        .and_then(|end| end.split('.').next())
        .and_then(|n| n.parse().ok());
    let source = last_line
        .and_then(|n| {
            let text = std::fs::read_to_string(dir.join(file)).ok()?;
            text.lines().nth(n.checked_sub(1)?).map(str::to_string)
        })
        .unwrap_or_default();
    let location = match last_line {
        Some(n) => format!("{file}:{n}"),
        None => span.to_string(),
    };
    FailedAssertion {
        step,
        location,
        source,
    }
}

/// Everything: generate the Verilog of `cfg`, prepare `dir`, build the model, check `depth`.
pub fn check(cfg: &Config, dir: &Path, depth: u32) -> Result<Bmc, FormalError> {
    check_verilog(cfg, dir, depth, |v| Ok(v.to_string()))
}

/// Like [`check`], with the generated Verilog passed through `edit` first (to prove that the
/// harness catches a broken design).
pub fn check_verilog(
    cfg: &Config,
    dir: &Path,
    depth: u32,
    edit: impl FnOnce(&str) -> Result<String, FormalError>,
) -> Result<Bmc, FormalError> {
    check_harness(Harness::Core, cfg, dir, depth, edit)
}

/// Like [`check_verilog`] with the harness named.
pub fn check_harness(
    harness: Harness,
    cfg: &Config,
    dir: &Path,
    depth: u32,
    edit: impl FnOnce(&str) -> Result<String, FormalError>,
) -> Result<Bmc, FormalError> {
    check_tools()?;
    supported_by(harness, cfg)?;
    let verilog = mapdma_hdl::verilog(cfg).map_err(|e| FormalError::Verilog(e.to_string()))?;
    let start = Instant::now();
    prepare_harness(harness, dir, cfg, &edit(&verilog)?)?;
    build_model(dir)?;
    let mut bmc = smtbmc(dir, depth)?;
    bmc.elapsed = start.elapsed();
    Ok(bmc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_definitions_become_equalities_in_the_hierarchy_predicate() {
        let smt = "(declare-sort |m_s| 0)\n\
                   (declare-fun |m#0| (|m_s|) (_ BitVec 4)) ; \\r\n\
                   (define-fun |m#1| ((state |m_s|)) (_ BitVec 4) (bvadd (|m#0| state) #x1)) ; \\n\n\
                   (define-fun |m#2| ((state |m_s|)) Bool (= (|m#1| state) #x0))\n\
                   (define-fun |m_n x| ((state |m_s|)) Bool (|m#2| state))\n\
                   (define-fun |m_h| ((state |m_s|)) Bool true)\n";
        let out = definitions_to_equalities(smt).unwrap();
        assert!(
            out.contains("(declare-fun |m#1| (|m_s|) (_ BitVec 4))"),
            "{out}"
        );
        assert!(out.contains("(declare-fun |m#2| (|m_s|) Bool)"), "{out}");
        assert!(out.contains(
            "(define-fun |m_h| ((state |m_s|)) Bool (and true (= (|m#1| state) (bvadd (|m#0| state) #x1)) (= (|m#2| state) (= (|m#1| state) #x0))))"
        ), "{out}");
        assert!(out.contains("(define-fun |m_n x| ((state |m_s|)) Bool (|m#2| state))"));
    }

    #[test]
    fn only_the_small_shape_is_supported() {
        assert!(supported(&Config::small()).is_ok());
        assert!(supported(&Config {
            outstanding: 2,
            ..Config::small()
        })
        .is_ok());
        assert!(supported(&Config::default()).is_err());
        let bm = Harness::BusMasterPort.shape();
        assert!(bm.bus_master_port && supported(&bm).is_err());
        assert!(supported_by(Harness::BusMasterPort, &bm).is_ok());
        assert!(supported_by(Harness::BusMasterPort, &Config::small()).is_err());
    }

    #[test]
    fn props_go_before_the_end_of_the_core_module() {
        let v =
            "module mapdma(a);\nendmodule // mapdma\nmodule mapdma_x();\nendmodule // mapdma_x\n";
        let d = design_with_props(v).unwrap();
        assert!(
            d.starts_with("module mapdma(a);\n`include \"top_props.vh\"\nendmodule // mapdma\n")
        );
        assert!(design_with_props("module x; endmodule").is_err());
    }
}
