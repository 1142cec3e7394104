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
    for expected in ["regs", "boards", "synth"] {
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
    assert!(e.contains("map_registers = 24"), "{e}");
    let e = mapdma_err(&["regs", "--channels", "0"]);
    assert!(e.contains("channels = 0"), "{e}");
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
    assert!(out.contains("12 MHz on clk (pin J3)"), "{out}");
}
