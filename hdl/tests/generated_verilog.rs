//! The generated Verilog: pinned by insta snapshots (default and small configuration), linted by
//! `verilator --lint-only -Wall` with the project's one waiver file, checked for block-level
//! loops through the memory-to-memory path, and synthesized by `yosys synth_ice40`. A missing tool fails the test with the command that installs it.

use mapdma_hdl::regmap::Config;
use std::path::{Path, PathBuf};
use std::process::Command;

fn configs() -> [(&'static str, Config); 2] {
    [("default", Config::default()), ("small", Config::small())]
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("generated_verilog")
        .join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn require(tool: &str) {
    let found = Command::new(tool).arg("-V").output().is_ok()
        || Command::new(tool).arg("--version").output().is_ok();
    assert!(found, "`{tool}` is not installed: run `ci/setup` (installs Verilator, Yosys, nextpnr-ice40, icestorm)");
}

#[test]
fn snapshots_of_the_generated_verilog() {
    for (name, cfg) in configs() {
        let v = mapdma_hdl::verilog(&cfg).unwrap();
        insta::assert_snapshot!(format!("mapdma_{name}"), v);
    }
}

#[test]
fn generation_is_deterministic() {
    let cfg = Config::default();
    assert_eq!(
        mapdma_hdl::verilog(&cfg).unwrap(),
        mapdma_hdl::verilog(&cfg).unwrap()
    );
}

#[test]
fn invalid_configurations_are_errors_not_panics() {
    let bad = Config {
        channels: 7,
        ..Config::default()
    };
    let e = mapdma_hdl::verilog(&bad).unwrap_err();
    assert!(e.to_string().contains("channels = 7"), "{e}");
}

#[test]
fn verilator_lint_wall_passes_with_the_listed_waivers() {
    require("verilator");
    let waivers = workspace().join("ci/verilator-waivers.vlt");
    for (name, cfg) in configs() {
        let dir = out_dir(name);
        let v = dir.join("mapdma.v");
        std::fs::write(&v, mapdma_hdl::verilog(&cfg).unwrap()).unwrap();
        let out = Command::new("verilator")
            .args(["--lint-only", "-Wall", "--top-module", "mapdma"])
            .arg(&waivers)
            .arg(&v)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: verilator lint failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Verilator reports combinational loops between blocks (UNOPTFLAT) only when it builds a
/// model, not with `--lint-only`. rust-hdl writes each block as one `always @(*)`, so a path
/// from a block's output through the parent back into the block looks like a loop; the waiver
/// file names the engine's known ones. Verilator 5.006 mis-evaluated such a loop through the
/// response tracker's memory-to-memory beat and the writer's push, so this builds the model
/// with no waiver at all and requires that no reported loop names the memory-to-memory block
/// (`m2m0`, the parent's `m2m_*` and `alt_*`), the response tracker or the request block.
#[test]
fn no_block_level_loop_runs_through_the_memory_to_memory_writer() {
    require("verilator");
    let dir = out_dir("loops");
    let v = dir.join("mapdma.v");
    std::fs::write(&v, mapdma_hdl::verilog(&Config::default()).unwrap()).unwrap();
    let out = Command::new("verilator")
        .args([
            "--cc",
            "-Wall",
            "-Wno-fatal",
            "--top-module",
            "mapdma",
            "--Mdir",
        ])
        .arg(dir.join("obj"))
        .arg(&v)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "verilator failed:\n{log}");
    // The signals on the loops Verilator reports (its first line and example path of each).
    let names: Vec<&str> = log
        .lines()
        .filter_map(|l| {
            l.split_once("Example path: ")
                .or_else(|| l.split_once("Circular combinational logic: "))
                .map(|(_, name)| name.trim().trim_matches('\''))
        })
        .collect();
    // The engine's own (waived) loops are there: the check reads real warnings.
    assert!(
        names.iter().any(|n| n.contains("issue__")),
        "no loop reported at all:\n{log}"
    );
    let through: Vec<&&str> = names
        .iter()
        .filter(|n| {
            ["m2m", "alt_", "responses__", "requests__"]
                .iter()
                .any(|k| n.contains(k))
        })
        .collect();
    assert!(
        through.is_empty(),
        "loops through the memory-to-memory path: {through:?}\n{log}"
    );
}

#[test]
fn yosys_synthesizes_for_ice40_without_latches() {
    require("yosys");
    for (name, cfg) in configs() {
        let dir = out_dir(name);
        let v = dir.join("synth.v");
        std::fs::write(&v, mapdma_hdl::verilog(&cfg).unwrap()).unwrap();
        let script = format!(
            "read_verilog -sv {v}; hierarchy -check -top mapdma; proc; \
             select -assert-none t:$dlatch t:$adlatch t:$dlatchsr; \
             synth_ice40 -top mapdma; stat",
            v = v.display()
        );
        let out = Command::new("yosys")
            .args(["-q", "-p", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: yosys failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
