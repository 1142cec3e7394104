//! Builds the Verilator models linked into this crate: mapdma in its default and small
//! configurations (`mapdma_regmap::Config::default()` and `Config::small()`), and the small test
//! design that exercises the binding itself, and the complete board design (UART bridge, system
//! RAM, built-in devices) that a host reaches over a serial line. Verilog and port lists come from
//! the generators; the bindings come from `mapdma-verilate`.

use mapdma_regmap::Config;
use mapdma_verilate::build::{Builder, ModuleSpec, Options};
use mapdma_verilate::{Dir, Port};
use std::path::PathBuf;

#[allow(dead_code)]
#[path = "src/port_names.rs"]
mod port_names;

/// The board model's clock and UART rate: 4 clocks per bit, the fewest the UART blocks allow,
/// so that a simulated second of serial traffic costs as few clocks as possible.
const BOARD_CLOCK_HZ: u32 = 460_800;
const BOARD_BAUD: u32 = 115_200;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if let Err(e) = run() {
        // One readable message instead of a panic backtrace.
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn mapdma_ports(cfg: &Config) -> Result<Vec<Port>, Box<dyn std::error::Error>> {
    Ok(mapdma_hdl::ports(cfg)?
        .into_iter()
        .map(|p| {
            let dir = match p.dir {
                mapdma_hdl::PortDir::In => Dir::In,
                mapdma_hdl::PortDir::Out => Dir::Out,
            };
            Port::new(p.name, dir, p.width)
        })
        .collect())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut options = Options::default();
    // The project's one list of Verilator waivers for the generated Verilog, each with its
    // reason (a Verilator configuration file, passed like a source file).
    let waivers = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?)
        .join("../ci/verilator-waivers.vlt")
        .canonicalize()?;
    println!("cargo:rerun-if-changed={}", waivers.display());
    options.verilator_args.push(waivers.display().to_string());
    let mut b = Builder::new(&out, options)?;

    for (prefix, env, cfg) in [
        (
            "Vmapdma_default",
            "MAPDMA_SIM_DEFAULT_RS",
            Config::default(),
        ),
        ("Vmapdma_small", "MAPDMA_SIM_SMALL_RS", Config::small()),
    ] {
        let verilog = mapdma_hdl::verilog(&cfg)?;
        let ports = mapdma_ports(&cfg)?;
        let rs = b.add(&ModuleSpec {
            prefix,
            top: port_names::TOP_MODULE,
            verilog: &verilog,
            ports: &ports,
            clock: port_names::CLOCK,
            traced: true,
        })?;
        println!("cargo:rustc-env={env}={}", rs.display());
    }

    // The board design's own ports (`BoardTop`): clock, the UART pair, hold and the LEDs.
    // The virtual board mirrors the HX8K breakout: with the test bus master.
    let board = mapdma_hdl::board::build_board::<{ mapdma_hdl::board::RAM_WORD_BITS }>(
        &mapdma_hdl::board::board_config_with(mapdma_hdl::board::VIRTUAL_BOARD),
        BOARD_CLOCK_HZ,
        BOARD_BAUD,
    )?;
    // Its Verilator waiver (a block-level UNOPTFLAT) is in ci/verilator-waivers.vlt.
    let verilog = mapdma_hdl::board::board_design_verilog(&board)?;
    let ports = [
        Port::new(port_names::CLOCK, Dir::In, 1),
        Port::new(port_names::BOARD_UART_RX, Dir::In, 1),
        Port::new(port_names::BOARD_HOLD, Dir::In, 1),
        Port::new(port_names::BOARD_UART_TX, Dir::Out, 1),
        Port::new(
            port_names::BOARD_LEDS,
            Dir::Out,
            mapdma_hdl::board::top::LED_COUNT,
        ),
    ];
    // Nothing traces the board model (its host drives it over a pseudo-terminal).
    let rs = b.add(&ModuleSpec {
        prefix: "Vmapdma_board",
        top: port_names::BOARD_TOP_MODULE,
        verilog: &verilog,
        ports: &ports,
        clock: port_names::CLOCK,
        traced: false,
    })?;
    println!("cargo:rustc-env=MAPDMA_SIM_BOARD_RS={}", rs.display());
    // The rates the model was generated for, as constants for `board.rs`.
    let divisor = mapdma_hdl::board::uart_divisor(BOARD_CLOCK_HZ, BOARD_BAUD)?;
    let rates = out.join("board_rates.rs");
    std::fs::write(
        &rates,
        format!(
            "/// The board model's clock in Hz.\npub const CLOCK_HZ: u32 = {BOARD_CLOCK_HZ};\n\
             /// The board model's UART rate in baud.\npub const BAUD: u32 = {BOARD_BAUD};\n\
             /// Clocks per UART bit.\npub const DIVISOR: u32 = {divisor};\n"
        ),
    )?;
    println!(
        "cargo:rustc-env=MAPDMA_SIM_BOARD_RATES_RS={}",
        rates.display()
    );

    let verilog = mapdma_sim_testdesign::verilog()?;
    let ports = mapdma_sim_testdesign::ports();
    let rs = b.add(&ModuleSpec {
        prefix: "Vtestdesign",
        top: "top",
        verilog: &verilog,
        ports: &ports,
        clock: "clock",
        traced: true,
    })?;
    println!("cargo:rustc-env=MAPDMA_SIM_TESTDESIGN_RS={}", rs.display());
    b.finish()?;
    Ok(())
}
