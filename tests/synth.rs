//! The board flow end to end (Yosys → nextpnr-ice40 → icepack) on small designs, one per board.

mod common;
use common::*;

fn board_flow(board: &str, fixture_name: &str) {
    let out = fresh_dir(&format!("synth_{board}"));
    let v = fixture(fixture_name);
    let report = mapdma_ok(&[
        "synth",
        "--board",
        board,
        "--verilog",
        v.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    for what in [
        "LUT4",
        "FF",
        "BRAM",
        "logic cells",
        "fmax",
        "target 12.00 MHz: met",
    ] {
        assert!(report.contains(what), "{what} missing:\n{report}");
    }
    let bin = std::fs::metadata(out.join("top.bin")).expect("bitstream written");
    assert!(bin.len() > 1000);
    // The counter's flip-flops are in the report, read from Yosys.
    let ff: u64 = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("FF"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("FF count");
    assert!(ff >= 24, "{report}");
}

#[test]
fn icebreaker_flow_writes_a_bitstream() {
    board_flow("icebreaker", "blinky_icebreaker.v");
}

#[test]
fn hx8k_breakout_flow_writes_a_bitstream() {
    board_flow("hx8k-breakout", "blinky_hx8k.v");
}

#[test]
fn missed_timing_fails_and_writes_no_bitstream() {
    // A copy of the iCEBreaker whose oscillator is far beyond what the fabric can do.
    let dir = fresh_dir("synth_too_fast");
    let boards = dir.join("boards");
    let fast = boards.join("fast");
    std::fs::create_dir_all(&fast).unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("constraints/icebreaker");
    std::fs::copy(src.join("icebreaker.pcf"), fast.join("icebreaker.pcf")).unwrap();
    let toml = std::fs::read_to_string(src.join("board.toml"))
        .unwrap()
        .replace("mhz = 12.0", "mhz = 900.0");
    std::fs::write(fast.join("board.toml"), toml).unwrap();
    let out = dir.join("out");
    let v = fixture("blinky_icebreaker.v");
    let e = mapdma_err(&[
        "synth",
        "--board",
        "fast",
        "--constraints",
        boards.to_str().unwrap(),
        "--verilog",
        v.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(e.contains("timing not met"), "{e}");
    assert!(!out.join("top.bin").exists());
}

#[test]
fn an_unknown_board_names_the_known_ones() {
    let v = fixture("blinky_icebreaker.v");
    let e = mapdma_err(&["synth", "--board", "nope", "--verilog", v.to_str().unwrap()]);
    assert!(
        e.contains("icebreaker") && e.contains("hx8k-breakout"),
        "{e}"
    );
}

#[test]
fn a_port_missing_from_the_pcf_fails_with_the_tool_message() {
    let dir = fresh_dir("synth_bad_port");
    let v = dir.join("bad.v");
    std::fs::write(
        &v,
        std::fs::read_to_string(fixture("blinky_icebreaker.v"))
            .unwrap()
            .replace("ledg_n", "led_nowhere"),
    )
    .unwrap();
    let out = dir.join("out");
    let e = mapdma_err(&[
        "synth",
        "--board",
        "icebreaker",
        "--verilog",
        v.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        e.contains("nextpnr-ice40") && e.contains("led_nowhere"),
        "{e}"
    );
}

#[test]
fn core_synthesis_reports_cells_of_the_configuration_and_of_each_block() {
    let out = fresh_dir("synth_core_blocks");
    let report = mapdma_ok(&[
        "synth",
        "--core",
        "--blocks",
        "--channels",
        "1",
        "--map-registers",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    // One row per block: name, LUT4, FF, BRAM, CARRY.
    let row = |name: &str| -> Vec<u64> {
        report
            .lines()
            .find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next() == Some(name)).then(|| w.filter_map(|n| n.parse().ok()).collect())
            })
            .unwrap_or_else(|| panic!("row {name} missing:\n{report}"))
    };
    for block in [
        "channels0",
        "regs",
        "native",
        "translation",
        "requests",
        "responses",
    ] {
        assert_eq!(row(block).len(), 4, "{report}");
    }
    assert!(report.contains("mapdma (parent)"), "{report}");
    let (sum, flat) = (row("sum"), row("flat"));
    // Blocks kept apart lose no block RAM and keep every register the flat design keeps.
    assert_eq!(sum[2], flat[2], "{report}");
    assert!(sum[1] >= flat[1], "{report}");
    // A channel's 16-bit address and count registers (base and current) alone are 64
    // flip-flops.
    assert!(
        row("channels0")[1] >= 64 && flat[1] >= 64 && flat[0] > 0,
        "{report}"
    );
    assert!(report.contains("1 channel(s), 4 map registers"), "{report}");
    assert!(out.join("stat.json").is_file() && out.join("blocks.json").is_file());
}

#[test]
fn core_fmax_places_and_routes_the_core_in_its_harness() {
    // The smallest configuration and one seed: about a minute, most of it Yosys and nextpnr.
    let out = fresh_dir("synth_core_fmax");
    let report = mapdma_ok(&[
        "synth",
        "--core",
        "--fmax",
        "--seeds",
        "1",
        "--channels",
        "1",
        "--map-registers",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    // The cell counts are the core's alone, as without --fmax.
    assert!(report.contains("LUT4"), "{report}");
    let fmax: f64 = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("fmax")?.trim().strip_prefix("min"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("fmax line missing:\n{report}"));
    assert!(fmax > 0.0, "{report}");
    let path: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.starts_with("critical path of seed 1"))
        .skip(1)
        .take_while(|l| l.contains(" ns  "))
        .collect();
    assert!(path.len() >= 3, "critical path missing:\n{report}");
    assert!(path[0].contains("(launch)") && path.last().unwrap().contains("(setup)"));
    // Named with the design's nets (the core's instance is `core` in the harness).
    assert!(path.iter().any(|l| l.contains("core.")), "{report}");
    for f in [
        "fmax_harness.v",
        "report_1.json",
        "nextpnr_1.log",
        "stat.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
}

#[test]
fn fmax_options_need_core() {
    let e = mapdma_err(&["synth", "--core", "--seeds", "2"]);
    assert!(e.contains("--fmax"), "{e}");
    let e = mapdma_err(&["synth", "--board", "icebreaker", "--fmax"]);
    assert!(e.contains("--fmax") && e.contains("--board"), "{e}");
}
