//! Bounded model checking of the bus-master translation port (`formal/bm_port_formal.sv`) on
//! `Config::small()` with the port, with yosys-smtbmc and z3. Needs yosys, yosys-smtbmc and z3
//! on PATH (`ci/setup` installs them); a missing tool fails with that message.
//! `MAPDMA_FORMAL_BM_DEPTH` overrides the depth.

use mapdma_regmap::Config;
use mapdma_verify::formal::{self, FormalError, Harness};
use std::path::PathBuf;

/// Clocks checked in CI: reset in clock 0, a map write acknowledged by clock 3, a burst
/// through it on the memory side two clocks after its address is taken, its beats and its
/// response. Measured on the 2-core machine shared with other builds (load average 5-6):
/// depth 9 in 233 s, depth 10 in 352 s.
const DEPTH: u32 = 9;
/// Clocks the mutants are checked to (each fails well within it).
const MUTANT_DEPTH: u32 = 8;

fn depth() -> u32 {
    std::env::var("MAPDMA_FORMAL_BM_DEPTH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEPTH)
}

fn config() -> Config {
    Harness::BusMasterPort.shape()
}

fn run(
    name: &str,
    depth: u32,
    edit: impl FnOnce(&str) -> Result<String, FormalError>,
) -> formal::Bmc {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    match formal::check_harness(Harness::BusMasterPort, &config(), &dir, depth, edit) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    }
}

/// Replaces the one occurrence of `from` in module `module` of the generated Verilog.
fn mutate(v: &str, module: &str, from: &str, to: &str) -> Result<String, FormalError> {
    let stale = |what: String| {
        FormalError::Verilog(format!(
            "{what} in the generated Verilog: update this mutation"
        ))
    };
    let head = format!("module {module}(");
    let start = v
        .find(&head)
        .ok_or_else(|| stale(format!("no module `{module}`")))?;
    let end = start
        + v[start..]
            .find(&format!("endmodule // {module}\n"))
            .ok_or_else(|| stale(format!("no end of module `{module}`")))?;
    let body = &v[start..end];
    match body.matches(from).count() {
        1 => Ok(format!(
            "{}{}{}",
            &v[..start],
            body.replacen(from, to, 1),
            &v[end..]
        )),
        n => Err(stale(format!(
            "`{from}` {n} times in `{module}` (expected once)"
        ))),
    }
}

/// Runs the harness on a design with one check broken; it must fail on one of `props`.
fn expect_caught(name: &str, module: &str, from: &str, to: &str, props: &[&str]) {
    let depth = MUTANT_DEPTH;
    let b = run(name, depth, |v| mutate(v, module, from, to));
    let f = b
        .failed
        .unwrap_or_else(|| panic!("{name}: the mutant must fail within {depth} clocks"));
    println!("{name}: caught in {:.1} s: {f}", b.elapsed.as_secs_f64());
    assert!(f.location.contains("bm_port_formal.sv"), "{f}");
    assert!(props.iter().any(|p| f.source.contains(p)), "{name}: {f}");
}

#[test]
fn bus_master_port_holds_every_property_to_the_ci_depth() {
    let d = depth();
    run("formal-bm", d, |v| Ok(v.to_string()))
        .expect_passed("bus-master port (Config::small() with the port)");
}

/// The lookups' checks (module `mapdma_bm0_ar` / `_aw`, `hdl/src/bm_port/lookup.rs`), each
/// broken in turn: the harness finds a counterexample for every one.
#[test]
fn a_read_through_an_invalid_entry_is_caught() {
    expect_caught(
        "formal-bm-mutant-valid",
        "mapdma_bm0_ar",
        "else if (~|(entry_now & k_entry_valid)) begin",
        "else if (1'b0) begin",
        // An entry never written is invalid and holds frame 0, so the read it lets through
        // also leaves at the wrong address: both checks break in the same clock and the
        // solver names either.
        &["f_valid_any", "rd_expect", "m_bm_axi_araddr == rd_addr"],
    );
}

#[test]
fn a_write_through_a_read_only_entry_is_caught() {
    expect_caught(
        "formal-bm-mutant-writable",
        "mapdma_bm0_aw",
        "else if (k_write & ~|(entry_now & k_entry_writable)) begin",
        "else if (1'b0) begin",
        &["f_wr_any", "wr_expect"],
    );
}

#[test]
fn a_burst_outside_the_mapped_range_is_caught() {
    expect_caught(
        "formal-bm-mutant-range",
        "mapdma_bm0_ar",
        "p_out_of_range__d = (addr >> k_range_shift) != 32'h0;",
        "p_out_of_range__d = 1'b0;",
        &["f_out_of_range", "rd_addr", "rd_expect"],
    );
}

#[test]
fn a_burst_leaving_its_page_is_caught() {
    expect_caught(
        "formal-bm-mutant-cross",
        "mapdma_bm0_aw",
        "p_cross__d = (first_byte + burst_bytes) > k_page_size;",
        "p_cross__d = 1'b0;",
        &["f_crosses", "wr_expect"],
    );
}

#[test]
fn a_wrong_error_response_is_caught() {
    expect_caught(
        "formal-bm-mutant-decerr",
        "mapdma_bm0_ar",
        "localparam  k_decerr = 2'b11;",
        "localparam  k_decerr = 2'b10;",
        &["rd_expect"],
    );
}
