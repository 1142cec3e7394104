//! Bounded model checking of the small configuration's Verilog with yosys-smtbmc and z3
//! (`formal/`). Needs yosys, yosys-smtbmc and z3 on PATH (`ci/setup` installs them); a missing
//! tool fails with that message. `MAPDMA_FORMAL_DEPTH` overrides the depth.

use mapdma_regmap::Config;
use mapdma_verify::formal::{self, FormalError};
use std::path::PathBuf;

/// Clocks checked in CI: reset in clock 0, then room for about four register writes (two
/// clocks each) and the units they start; the translation mutant below fails at clock 7.
/// Measured on the 2-core machine (yosys + yosys-smtbmc + z3 4.8.12): depth 8 in 14 s,
/// depth 10 in 56 s, depth 12 in 371 s.
const DEPTH: u32 = 10;

fn depth(default: u32) -> u32 {
    std::env::var("MAPDMA_FORMAL_DEPTH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn work_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(
    cfg: &Config,
    name: &str,
    depth: u32,
    edit: impl FnOnce(&str) -> Result<String, FormalError>,
) -> formal::Bmc {
    match formal::check_verilog(cfg, &work_dir(name), depth, edit) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn small_configuration_holds_every_property_to_the_ci_depth() {
    let d = depth(DEPTH);
    run(&Config::small(), "formal-small", d, |v| Ok(v.to_string()))
        .expect_passed("Config::small()");
}

/// The harness must be able to fail: a design whose translation ignores the VALID bit issues
/// a memory access through an invalid map entry, and the check finds it.
#[test]
fn a_translation_that_ignores_valid_is_caught() {
    const VALID_CHECK: &str = "(|(map__read_data_a & k_entry_valid) & (ok_read__q";
    let b = run(&Config::small(), "formal-mutant", 9, |v| {
        if !v.contains(VALID_CHECK) {
            return Err(FormalError::Verilog(format!(
                "the generated Verilog no longer contains `{VALID_CHECK}`: update this mutation"
            )));
        }
        Ok(v.replacen(VALID_CHECK, "((ok_read__q", 1))
    });
    let f = b.failed.expect("the mutant must fail");
    println!("mutant caught in {:.1} s: {f}", b.elapsed.as_secs_f64());
    assert!(f.location.contains("mapdma_formal.sv"), "{f}");
    assert!(
        f.source.contains("f_valid_recent")
            || f.source.contains("f_wr_recent")
            || f.source.contains("MAP_COUNT"),
        "{f}"
    );
}
