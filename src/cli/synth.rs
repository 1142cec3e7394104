//! `mapdma synth`: the open iCE40 flow. Yosys `synth_ice40` → nextpnr-ice40 at the board's real
//! clock → icepack, every step's exit code checked and its log kept in the output folder.
//! Figures are read from the tools' JSON reports (see `report`).
//!
//! For a board the design is generated: mapdma with system RAM, built-in devices and the UART
//! bridge (`mapdma_hdl::board`), its ports named and its `.pcf` written from the board's
//! `board.toml`, the UART divisor from the board clock.

use super::board::{default_constraints_dir, Board, Pin};
use super::config_args::ConfigArgs;
use super::fmax::{self, Device};
use super::report::{CellCounts, PnrReport};
use super::tools;
use anyhow::{bail, Context};
use clap::Args;
use mapdma_hdl::board::{self as hdl_board, BoardPins, PinMap};
use mapdma_regmap::Config;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// Board folder under the constraints directory (e.g. icebreaker, hx8k-breakout)
    #[arg(long, required_unless_present = "core", conflicts_with = "core")]
    board: Option<String>,
    /// Build this Verilog (module `top`, ports named as in the board's .pcf) instead of the
    /// generated board design; timing is checked at the oscillator's frequency
    #[arg(long, value_name = "FILE", requires = "board")]
    verilog: Option<PathBuf>,
    /// UART rate of the generated board design (the host must use the same)
    #[arg(long, default_value_t = mapdma_hdl::board::DEFAULT_BAUD, requires = "board", conflicts_with = "verilog")]
    baud: u32,
    /// Synthesize the DMA core of a configuration alone: Yosys synth_ice40 cell counts (place
    /// and route only with --fmax: the core's bus ports outnumber any package's pins)
    #[arg(long)]
    core: bool,
    /// With --core: also place and route the core inside an I/O harness (a shift chain in, an
    /// XOR tree out, three pins) and report its post-route fmax and critical path
    #[arg(long, requires = "core", conflicts_with = "board")]
    fmax: bool,
    /// With --core: also synthesize each block of the core as its own module and print its
    /// cell counts beside the flat total (where the area goes)
    #[arg(long, requires = "core")]
    blocks: bool,
    /// The iCE40 the fmax is measured on (with --fmax)
    #[arg(long, value_enum, default_value_t = Device::Hx8k, requires = "fmax")]
    device: Device,
    /// nextpnr placer seeds 1..=N, run one after the other (with --fmax)
    #[arg(long, value_name = "N", default_value_t = 3, requires = "fmax",
          value_parser = clap::value_parser!(u64).range(1..))]
    seeds: u64,
    /// Output folder: the Verilog, the tools' logs and reports, and for a board top.bin
    #[arg(long, value_name = "DIR", default_value = "out/synth")]
    out: PathBuf,
    /// Folder holding one sub-folder per board [default: the repository's constraints/]
    #[arg(long, value_name = "DIR", conflicts_with = "core")]
    constraints: Option<PathBuf>,
    /// nextpnr placer seed (fixed so that figures can be reproduced)
    #[arg(long, default_value_t = 1, conflicts_with = "core")]
    seed: u64,
    #[command(flatten, next_help_heading = "Configuration (with --core)")]
    config: ConfigArgs,
}

pub fn run(args: &SynthArgs) -> anyhow::Result<()> {
    let cfg = args.config.config()?;
    match &args.board {
        None => {
            let fmax = args.fmax.then_some((args.device, args.seeds));
            core(&cfg, &args.out, args.blocks, fmax)
        }
        Some(name) => {
            if cfg != Config::default() {
                bail!(
                    "the configuration options apply to --core; a board uses the board \
                     configuration (mapdma_hdl::board::board_config)"
                );
            }
            board(args, name)
        }
    }
}

/// `synth --core`: the configuration's Verilog through `synth_ice40`, cell counts; with `blocks`
/// also block by block (`blocks`); with `fmax` (device, seeds) also placed and routed inside
/// the harness. The cell counts are always the core's alone, so the harness's registers never
/// inflate them.
fn core(cfg: &Config, out: &Path, blocks: bool, fmax: Option<(Device, u64)>) -> anyhow::Result<()> {
    let verilog = mapdma_hdl::verilog(cfg)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let module = mapdma_hdl::names::DEFAULT_MODULE;
    let cells = yosys_synth(&verilog, module, out, false)?;
    println!(
        "core         mapdma: {} channel(s), {} map registers, {}-bit logical / {}-bit physical, \
         {} outstanding",
        cfg.channels, cfg.map_registers, cfg.logical_bits, cfg.physical_bits, cfg.outstanding
    );
    print_cells(&cells);
    println!("reports      {}", out.join("stat.json").display());
    if blocks {
        super::blocks::report(&verilog, module, out, &cells)?;
    }
    if let Some((device, seeds)) = fmax {
        fmax::run(&verilog, module, out, device, seeds)?;
    }
    Ok(())
}

fn board(args: &SynthArgs, name: &str) -> anyhow::Result<()> {
    let constraints = args
        .constraints
        .clone()
        .unwrap_or_else(default_constraints_dir);
    let board = Board::load(&constraints, name)?;
    let (verilog, pcf, design) = match &args.verilog {
        Some(file) => (
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?,
            board.pcf_path(),
            format!("{} (given)", file.display()),
        ),
        None => {
            let generated = generate_board_design(&board, args.baud)?;
            std::fs::create_dir_all(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            let pcf = args.out.join("board.pcf");
            std::fs::write(&pcf, &generated.pcf)
                .with_context(|| format!("writing {}", pcf.display()))?;
            (generated.verilog, pcf, generated.summary)
        }
    };
    // A given top is clocked from the oscillator pin (a PLL of its own is its business); the
    // generated design runs at the board's design clock (its PLL's output, if it has one).
    let target_mhz = match &args.verilog {
        Some(_) => board.clock.mhz,
        None => board.design_mhz()?,
    };
    let result = board_flow(&board, &verilog, &pcf, &args.out, args.seed, target_mhz)?;
    println!(
        "board        {} (iCE40 {}, {}), clock {}",
        board.name,
        board.device,
        board.package,
        board.clock_summary()?
    );
    println!("design       {design}");
    print_cells(&result.cells);
    println!("place and route (nextpnr-ice40, seed {}):", args.seed);
    println!("  logic cells  {}", result.pnr.logic_cells);
    println!("  block RAM    {}", result.pnr.bram);
    println!("  I/O          {}", result.pnr.io);
    for c in &result.pnr.clocks {
        println!(
            "  fmax         {:.2} MHz on {} (target {:.2} MHz: {})",
            c.achieved_mhz,
            c.clock,
            c.constraint_mhz,
            if c.met() { "met" } else { "FAILED" }
        );
    }
    if let Some(c) = result.pnr.failing_clocks().next() {
        bail!(
            "timing not met: {} reaches {:.2} MHz, the board runs it at {:.2} MHz; no bitstream written",
            c.clock,
            c.achieved_mhz,
            c.constraint_mhz
        );
    }
    let Some(bin) = result.bitstream.as_deref() else {
        bail!("icepack wrote no bitstream although timing was met");
    };
    let size = std::fs::metadata(bin)?.len();
    println!("bitstream    {} ({size} bytes)", bin.display());
    Ok(())
}

fn print_cells(c: &CellCounts) {
    println!("synthesis (Yosys synth_ice40):");
    for line in c.to_string().lines() {
        println!("  {line}");
    }
}

/// What one run of the board flow produced.
#[derive(Debug)]
pub struct BoardFlow {
    pub cells: CellCounts,
    pub pnr: PnrReport,
    /// `top.bin`, packed only when every clock met its constraint.
    pub bitstream: Option<PathBuf>,
}

/// The generated board design: Verilog (module `top`), its constraints, and a one-line summary.
pub struct BoardDesign {
    pub verilog: String,
    pub pcf: String,
    pub summary: String,
}

/// The board's pins as the generator takes them: all from board.toml, none written in Rust.
pub fn board_pins(board: &Board) -> anyhow::Result<BoardPins> {
    let map = |p: &Pin| PinMap {
        port: p.port.clone(),
        pin: p.pin.clone(),
        active_low: p.active_low,
    };
    let Some(uart) = &board.uart else {
        bail!(
            "board `{}` has no [uart] in board.toml: the board design is reached over the UART",
            board.name
        );
    };
    Ok(BoardPins {
        board: board.name.clone(),
        clock: PinMap {
            port: board.clock.port.clone(),
            pin: board.clock.pin.clone(),
            active_low: false,
        },
        uart_rx: map(&uart.rx),
        uart_tx: map(&uart.tx),
        leds: board.leds.iter().map(map).collect(),
    })
}

/// Generates the board design for `board` with a UART at `baud`.
pub fn generate_board_design(board: &Board, baud: u32) -> anyhow::Result<BoardDesign> {
    let pins = board_pins(board)?;
    let plan = board.clock_plan()?;
    let clock_hz = plan.design_hz();
    let options = board.design.options();
    let verilog = hdl_board::board_verilog(&pins, plan, baud, options)
        .with_context(|| format!("generating the design for {}", board.name))?;
    let divisor = hdl_board::uart_divisor(clock_hz, baud)?;
    let cfg = hdl_board::board_config_with(options);
    Ok(BoardDesign {
        verilog,
        pcf: hdl_board::board_pcf(&pins),
        summary: format!(
            "mapdma board design: {} channels, {} map registers of {} bytes, {} KiB RAM, \
             {}, UART {baud} baud (divisor {divisor} at {} MHz)",
            cfg.channels,
            cfg.map_registers,
            cfg.page_size(),
            hdl_board::RAM_BYTES / 1024,
            if options.test_master {
                "test bus master on the bus-master port"
            } else {
                "no bus-master port"
            },
            clock_hz as f64 / 1e6
        ),
    })
}

/// Runs Yosys (`stat.json`), writes `top.json`, then nextpnr-ice40 at `target_mhz` (for the
/// generated design the PLL's output where the board has one; the oscillator net then only
/// feeds the PLL) with the
/// constraints `pcf` (`report.json`, `top.asc`) and icepack (`top.bin`) in `out`.
pub fn board_flow(
    board: &Board,
    verilog: &str,
    pcf: &Path,
    out: &Path,
    seed: u64,
    target_mhz: f64,
) -> anyhow::Result<BoardFlow> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let out = out
        .canonicalize()
        .with_context(|| format!("resolving {}", out.display()))?;
    let bin = out.join("top.bin");
    // A stale bitstream must never look like the result of this run.
    if bin.exists() {
        std::fs::remove_file(&bin)?;
    }
    let cells = yosys_synth(verilog, "top", &out, true)?;
    let pcf = pcf
        .canonicalize()
        .with_context(|| format!("resolving {}", pcf.display()))?;
    let pcf = pcf.to_str().context("the .pcf path is not UTF-8")?;
    let freq = target_mhz.to_string();
    let seed = seed.to_string();
    // Timing is judged here from the report (so its figures are printed either way), hence
    // --timing-allow-fail; every other nextpnr failure still fails the run.
    tools::run(
        "nextpnr-ice40",
        &[
            &format!("--{}", board.device),
            "--package",
            &board.package,
            "--pcf",
            pcf,
            "--json",
            "top.json",
            "--asc",
            "top.asc",
            "--freq",
            &freq,
            "--seed",
            &seed,
            "--report",
            "report.json",
            "--timing-allow-fail",
        ],
        &out,
        &out.join("nextpnr.log"),
    )?;
    let report = std::fs::read_to_string(out.join("report.json")).context("reading report.json")?;
    let pnr = PnrReport::from_nextpnr(&report)?;
    if pnr.clocks.is_empty() {
        bail!(
            "nextpnr found no clock domain: does `top` use the board clock port `{}`?",
            board.clock.port
        );
    }
    let bitstream = if pnr.failing_clocks().next().is_none() {
        tools::run(
            "icepack",
            &["top.asc", "top.bin"],
            &out,
            &out.join("icepack.log"),
        )?;
        Some(bin)
    } else {
        None
    };
    Ok(BoardFlow {
        cells,
        pnr,
        bitstream,
    })
}

/// `synth_ice40` of `verilog` (top module `top_module`) in `out`: writes `top.v`, `yosys.log`,
/// `stat.json` and, with `netlist`, `top.json` for nextpnr.
pub fn yosys_synth(
    verilog: &str,
    top_module: &str,
    out: &Path,
    netlist: bool,
) -> anyhow::Result<CellCounts> {
    std::fs::write(out.join("top.v"), verilog).context("writing top.v")?;
    let json = if netlist { " -json top.json" } else { "" };
    let script = format!(
        "read_verilog top.v; synth_ice40 -top {top_module}{json}; tee -q -o stat.json stat -json"
    );
    tools::run("yosys", &["-q", "-p", &script], out, &out.join("yosys.log"))?;
    let stat = std::fs::read_to_string(out.join("stat.json")).context("reading stat.json")?;
    CellCounts::from_yosys_stat(&stat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_board_design_takes_its_pins_from_board_toml() {
        let dir = default_constraints_dir();
        for name in super::super::board::available(&dir) {
            let board = Board::load(&dir, &name).unwrap();
            let design = generate_board_design(&board, 115_200).unwrap();
            let uart = board.uart.as_ref().unwrap();
            for p in [&uart.rx, &uart.tx] {
                let line = format!("set_io {} {}\n", p.port, p.pin);
                assert!(design.pcf.contains(&line), "{name}: {line}");
            }
            let clock = format!("set_io {} {}\n", board.clock.port, board.clock.pin);
            assert!(design.pcf.contains(&clock), "{name}");
            // The first five LEDs, with their polarity.
            for (i, led) in board.leds.iter().take(5).enumerate() {
                assert!(design
                    .pcf
                    .contains(&format!("set_io {} {}\n", led.port, led.pin)));
                let inv = if led.active_low { "~" } else { "" };
                let assign = format!("assign {} = {inv}board_leds[{i}];", led.port);
                assert!(design.verilog.contains(&assign), "{name}: {assign}");
            }
            assert_eq!(
                design.pcf.matches("set_io").count(),
                3 + board.leds.len().min(5)
            );
            assert_eq!(design.verilog.matches("module top(").count(), 1);
            assert!(design.verilog.contains("module mapdma_board("));
            // The divisor is the design clock's: 104 at 12 MHz, 313 at the HX8K's 36 MHz PLL.
            let mhz = board.design_mhz().unwrap();
            let divisor = (mhz * 1e6 / 115_200.0).round();
            assert!(
                design
                    .summary
                    .contains(&format!("divisor {divisor} at {mhz} MHz")),
                "{}",
                design.summary
            );
            match board.clock.pll {
                Some(_) => {
                    assert!(design.verilog.contains(".PLLOUTGLOBAL(design_clock)"));
                    assert!(design.verilog.contains(".hold(~lock_sync[1])"));
                }
                None => assert!(design.verilog.contains(".hold(1'b0)")),
            }
        }
    }

    #[test]
    fn a_baud_rate_the_clock_cannot_make_is_an_error() {
        let board = Board::load(&default_constraints_dir(), "icebreaker").unwrap();
        let e = format!(
            "{:#}",
            generate_board_design(&board, 5_000_000).err().unwrap()
        );
        assert!(e.contains("clocks per bit"), "{e}");
        let e = generate_board_design(&board, 1_000_000).err();
        assert!(e.is_none(), "12 MHz makes 1 Mbaud exactly");
    }
}
