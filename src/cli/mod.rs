//! Command-line interface: one module per subcommand, plus the pieces they share.

mod board;
mod boards;
mod config_args;
mod regs;
mod report;
mod synth;
mod tools;
mod verilog;

use clap::{Parser, Subcommand};

/// mapdma: an 8237A-compatible auto-initialize DMA controller with map-register address
/// translation, for FPGAs.
#[derive(Parser, Debug)]
#[command(name = "mapdma", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the Verilog of a configuration (mapdma.v, top module `top`) and its register map
    /// (regmap.md, regmap.h, regmap.json).
    Verilog(verilog::VerilogArgs),
    /// Print the register map (Markdown, C header or JSON) of a configuration.
    Regs(regs::RegsArgs),
    /// List the boards under constraints/ with their clock, UART, LED and button pins.
    Boards(boards::BoardsArgs),
    /// Synthesize for iCE40: a board design through Yosys → nextpnr-ice40 → icepack, or the
    /// DMA core alone (--core) for its cell counts.
    Synth(synth::SynthArgs),
    // `demo`, `sim`, `bench` and `verify` join here as they are built.
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Verilog(args) => verilog::run(&args),
        Command::Regs(args) => regs::run(&args),
        Command::Boards(args) => boards::run(&args),
        Command::Synth(args) => synth::run(&args),
    }
}
