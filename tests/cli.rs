//! The `mapdma` binary as a user meets it: help, the register map, errors.

mod common;
use common::*;
use mapdma_regmap::{Config, REGISTERS};

#[test]
fn help_is_available_for_every_subcommand() {
    let top = mapdma_ok(&["--help"]);
    assert!(top.contains("Usage: mapdma"), "{top}");
    // Every subcommand the top-level help lists answers --help itself.
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    for expected in ["verilog", "regs", "boards", "synth"] {
        assert!(
            commands.contains(&expected),
            "{expected} missing from {commands:?}"
        );
    }
    for c in commands {
        let h = mapdma_ok(&[c, "--help"]);
        assert!(h.contains(&format!("Usage: mapdma {c}")), "{c}: {h}");
    }
}

#[test]
fn regs_markdown_has_a_section_per_register() {
    let md = mapdma_ok(&["regs"]);
    assert!(md.starts_with("# mapdma register map"));
    for r in REGISTERS {
        assert!(md.contains(&format!("\n## {} (", r.name)), "{}", r.name);
    }
    // The default configuration is the documented one.
    let d = Config::default();
    assert!(md.contains(&format!("{} map registers", d.map_registers)));
}

#[test]
fn regs_follows_the_configuration_options() {
    let md = mapdma_ok(&["regs", "--channels", "2", "--map-registers", "8"]);
    assert!(md.contains("for 2 channel(s), 8 map registers"), "{md}");
    let h = mapdma_ok(&["regs", "--format", "c", "--map-registers", "8"]);
    assert!(h.contains("#define MAPDMA_MAP_INSTANCES 8u"));
}

#[test]
fn an_invalid_configuration_is_a_clear_error() {
    let e = mapdma_err(&["regs", "--map-registers", "24"]);
    assert!(e.contains("invalid mapdma configuration"), "{e}");
    assert!(e.contains("--map-registers = 24"), "{e}");
    let e = mapdma_err(&["regs", "--channels", "0"]);
    assert!(e.contains("--channels = 0"), "{e}");
    let e = mapdma_err(&["regs", "--physical-bits", "12"]);
    assert!(e.contains("--physical-bits = 12 (must be 13..=32"), "{e}");
}

#[test]
fn an_unknown_format_is_rejected_with_the_choices() {
    let e = mapdma_err(&["regs", "--format", "yaml"]);
    assert!(e.contains("md") && e.contains("json"), "{e}");
}

#[test]
fn boards_lists_the_repository_boards() {
    let out = mapdma_ok(&["boards"]);
    assert!(out.contains("icebreaker: iCEBreaker"), "{out}");
    assert!(
        out.contains("hx8k-breakout: iCE40-HX8K Breakout Board"),
        "{out}"
    );
    assert!(out.contains("12 MHz on clk (pin 35)"), "{out}");
    assert!(
        out.contains("12 MHz on clk (pin J3), PLL SB_PLL40_CORE → 36 MHz"),
        "{out}"
    );
}

#[test]
fn verilog_writes_the_design_and_its_register_map_together() {
    let out = fresh_dir("verilog_default");
    let listed = mapdma_ok(&["verilog", "--out", out.to_str().unwrap()]);
    for name in ["mapdma.v", "regmap.md", "regmap.h", "regmap.json"] {
        assert!(listed.contains(name), "{name} not listed:\n{listed}");
        let len = std::fs::metadata(out.join(name)).expect(name).len();
        assert!(len > 0, "{name} is empty");
    }
    let v = std::fs::read_to_string(out.join("mapdma.v")).unwrap();
    assert!(v.contains("module mapdma("), "no top module");
    // The documents are those of the same configuration as `regs` prints.
    let h = std::fs::read_to_string(out.join("regmap.h")).unwrap();
    assert_eq!(h, mapdma_ok(&["regs", "--format", "c"]));
}

#[test]
fn verilog_follows_the_configuration_options() {
    let small = fresh_dir("verilog_small");
    let default = fresh_dir("verilog_default_cmp");
    mapdma_ok(&[
        "verilog",
        "--out",
        small.to_str().unwrap(),
        "--channels",
        "1",
        "--map-registers",
        "4",
    ]);
    mapdma_ok(&["verilog", "--out", default.to_str().unwrap()]);
    let a = std::fs::read_to_string(small.join("mapdma.v")).unwrap();
    let b = std::fs::read_to_string(default.join("mapdma.v")).unwrap();
    assert!(a.len() < b.len(), "one channel is not smaller than four");
    let json = std::fs::read_to_string(small.join("regmap.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["config"]["channels"], 1);
    assert_eq!(v["config"]["map_registers"], 4);
}

#[test]
fn verilog_with_an_invalid_configuration_writes_nothing() {
    let out = fresh_dir("verilog_bad").join("never");
    let e = mapdma_err(&[
        "verilog",
        "--out",
        out.to_str().unwrap(),
        "--outstanding",
        "3",
    ]);
    assert!(e.contains("outstanding = 3"), "{e}");
    assert!(!out.exists());
}

/// Bad values are refused before anything runs, naming the flag; none runs forever or does
/// nothing and succeeds.
#[test]
fn bad_command_line_values_are_refused_by_flag() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["sim", "--rate", "1/4294967295"],
            "--rate 1/4294967295: N must be 1..=256",
        ),
        (&["sim", "--latency", "0"], "--latency 0"),
        (&["bench", "sim", "--latency", "0"], "--latency 0"),
        (&["bench", "sim", "--latency", "1,0"], "--latency 0"),
        (&["demo", "--latency", "0"], "--latency 0"),
        (
            &["verify", "--seed", "0xFFFFFFFFFFFFFFFF", "--programs", "2"],
            "the largest first seed for 2 program(s) is 0xfffffffffffffffe",
        ),
        (
            &["sim", "--scenario", "mixed", "--rate", "1/2"],
            "--rate does not apply to --scenario mixed",
        ),
        (
            &["sim", "--scenario", "mixed", "--width", "16"],
            "--width does not apply",
        ),
        (
            &["sim", "--scenario", "mixed", "--transfer", "read"],
            "--transfer does not apply",
        ),
        (
            &["sim", "--scenario", "mixed", "--latency", "600"],
            "--latency 600: the mixed scenario",
        ),
        (
            &["sim", "--scenario", "mixed", "--backpressure", "0.95"],
            "--backpressure 0.95",
        ),
        (
            &["sim", "--scenario", "seed", "--buffer", "4096"],
            "--buffer does not apply",
        ),
        (
            &["sim", "--scenario", "streaming", "--buffer", "6"],
            "--buffer 6:",
        ),
        (
            &["sim", "--scenario", "streaming", "--buffer", "1048576"],
            "--buffer 1048576:",
        ),
        (&["bench", "sim", "--buffer", "6"], "--buffer 6:"),
        (&["sim", "--map-registers", "24"], "--map-registers = 24"),
    ];
    for (args, expected) in cases {
        let e = mapdma_err(args);
        assert!(e.contains(expected), "mapdma {args:?}: {e}");
        assert!(!e.contains("map_registers"), "internal names: {e}");
    }
}

#[test]
fn a_waveform_into_a_missing_folder_is_a_file_error_with_the_os_reason() {
    for args in [
        &[
            "verify",
            "--programs",
            "1",
            "--seed",
            "1",
            "--vcd",
            "no-such-dir/x.vcd",
        ][..],
        &["sim", "--vcd", "no-such-dir/x.vcd"],
        &["demo", "--vcd", "no-such-dir/x.vcd"],
    ] {
        let e = mapdma_err(args);
        assert!(
            e.contains("--vcd no-such-dir/x.vcd: cannot create"),
            "{args:?}: {e}"
        );
        assert!(e.contains("No such file or directory"), "{args:?}: {e}");
        assert!(!e.contains("FAILED"), "not a verdict: {e}");
    }
}

#[test]
fn verilog_module_names_the_core_and_its_file() {
    let out = fresh_dir("verilog_module");
    mapdma_ok(&[
        "verilog",
        "--out",
        out.to_str().unwrap(),
        "--module",
        "dma_audio",
        "--channels",
        "1",
    ]);
    let v = std::fs::read_to_string(out.join("dma_audio.v")).unwrap();
    assert!(v.contains("module dma_audio(clock,reset,"), "no top module");
    assert!(
        v.contains("module dma_audio_axil("),
        "submodules not prefixed"
    );
    assert!(
        !v.contains("module mapdma") && !v.contains('$'),
        "old names left"
    );
    assert!(v.contains("dev0_dreq") && !v.contains("dev1_dreq"));
    for bad in ["1dma", "my-dma", "module"] {
        let e = mapdma_err(&["verilog", "--out", out.to_str().unwrap(), "--module", bad]);
        assert!(e.contains("--module") && e.contains(bad), "{e}");
    }
}

#[test]
fn ip_writes_the_whole_folder_under_the_module_name() {
    let out = fresh_dir("ip_folder");
    let listed = mapdma_ok(&["ip", "--out", out.to_str().unwrap(), "--module", "dma_x"]);
    for name in mapdma_hdl::ip::file_names("dma_x") {
        assert!(listed.contains(&name), "{name} not listed:\n{listed}");
        let len = std::fs::metadata(out.join(&name)).expect(&name).len();
        assert!(len > 0, "{name} is empty");
    }
    let svd = std::fs::read_to_string(out.join("dma_x.svd")).unwrap();
    assert!(svd.contains("<name>DMA_X</name>"), "{svd}");
    assert_eq!(
        mapdma_ok(&["regs", "--format", "svd"]),
        mapdma_regmap::svd::svd(&Config::default(), "mapdma")
    );
    let e = mapdma_err(&["ip", "--out", out.to_str().unwrap(), "--module", "a b"]);
    assert!(e.contains("--module"), "{e}");
}

#[test]
fn the_bus_master_port_flag_shapes_the_core_and_its_scenario() {
    // The port's registers are in the map; CONFIG1 reports the port in its reset value.
    let md = mapdma_ok(&["regs"]);
    assert!(
        md.contains("\n## BM_FAULT (") && md.contains("BUS_MASTER_PORT"),
        "{md}"
    );
    let on = fresh_dir("verilog_bm_on");
    let off = fresh_dir("verilog_bm_off");
    mapdma_ok(&["verilog", "--out", on.to_str().unwrap()]);
    mapdma_ok(&[
        "verilog",
        "--out",
        off.to_str().unwrap(),
        "--bus-master-port",
        "false",
    ]);
    let with = std::fs::read_to_string(on.join("mapdma.v")).unwrap();
    let without = std::fs::read_to_string(off.join("mapdma.v")).unwrap();
    // The ports stay either way; only the configuration with the port has the bridge.
    assert!(with.contains("input wire  [31:0] s_bm_axi_araddr;"));
    assert!(without.contains("input wire  [31:0] s_bm_axi_araddr;"));
    assert!(with.contains("module mapdma_bm0_ar("), "bridge missing");
    assert!(
        !without.contains("module mapdma_bm0_"),
        "bridge present without the port"
    );
    let e = mapdma_err(&["regs", "--bus-master-port", "maybe"]);
    assert!(e.contains("--bus-master-port"), "{e}");
    let e = mapdma_err(&[
        "sim",
        "--scenario",
        "bus-master",
        "--bus-master-port",
        "false",
    ]);
    assert!(e.contains("needs the port"), "{e}");
    let out = mapdma_ok(&["sim", "--scenario", "bus-master", "--seed", "2"]);
    assert!(out.contains("no write outside the mapped frames"), "{out}");
    let e = mapdma_err(&["sim", "--scenario", "bus-master", "--clocks", "10"]);
    assert!(e.contains("does not apply to --scenario busmaster"), "{e}");
}
