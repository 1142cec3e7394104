//! Command-line interface: one module per subcommand, plus the pieces they share.

mod bench;
mod blocks;
mod board;
mod board_bm;
mod board_cmd;
mod boards;
mod checks;
mod config_args;
mod demo;
mod fmax;
mod harness;
mod ip;
mod regs;
mod report;
mod sim;
mod synth;
mod tools;
mod verify;
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
    /// Write the Verilog of a configuration (mapdma.v, top module `mapdma`, or NAME.v with
    /// --module NAME) and its register map (regmap.md, regmap.h, regmap.json).
    Verilog(verilog::VerilogArgs),
    /// Write one configuration as a drop-in IP folder: Verilog under a chosen module name,
    /// instantiation templates (Verilog, VHDL), a self-checking testbench, a FuseSoC core file,
    /// Verilator waivers, CMSIS-SVD, the register map and a README with the port table.
    Ip(ip::IpArgs),
    /// Print the register map (Markdown, C header or JSON) of a configuration.
    Regs(regs::RegsArgs),
    /// List the boards under constraints/ with their clock, UART, LED and button pins.
    Boards(boards::BoardsArgs),
    /// Drive a board over its serial port (`run`), or start the Verilated board behind a
    /// pseudo-terminal (`virtual`) to run against without hardware.
    Board(board_cmd::BoardArgs),
    /// Synthesize for iCE40: a board design through Yosys → nextpnr-ice40 → icepack, or the
    /// DMA core alone (--core) for its cell counts and, with --fmax, its post-route fmax.
    Synth(synth::SynthArgs),
    /// Run the seed scenario (common buffer, auto-initialize, ReadDmaCounter polling) on the
    /// Verilator model, both directions, every byte checked; --vcd writes a waveform.
    Demo(demo::DemoArgs),
    /// Run a named scenario on the co-simulation with a chosen memory latency, memory
    /// backpressure and device rate.
    Sim(sim::SimArgs),
    /// Benchmarks: `sim` (Verilator vs rust-hdl speed, DMA efficiency) and `host` (adapter
    /// cycles per second, reference vs Verilator backend).
    Bench(bench::BenchArgs),
    /// Random differential testing: register programs on the RTL (Verilator) and on the
    /// reference model, compared; memory guards; seeds printed for reproduction.
    Verify(verify::VerifyArgs),
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Verilog(args) => verilog::run(&args),
        Command::Ip(args) => ip::run(&args),
        Command::Regs(args) => regs::run(&args),
        Command::Boards(args) => boards::run(&args),
        Command::Board(args) => board_cmd::run(&args),
        Command::Synth(args) => synth::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Sim(args) => sim::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Verify(args) => verify::run(&args),
    }
}
