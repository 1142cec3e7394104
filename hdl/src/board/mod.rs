//! A complete design for a real board: the DMA controller with on-chip system memory, built-in
//! devices, and a UART bridge through which a host drives registers and memory (framed protocol
//! with CRC: `PROTOCOL.md` beside this file).
//!
//! ```text
//!  ser_rx ─▶ UartRx ─▶ UartBridge ─▶ (AXI4-Lite) ─▶ MapDma ── m_axi (AXI4) ──▶ SystemRam
//!  ser_tx ◀─ UartTx ◀─┘   │  │                       │  │                     ▲   ▲ burst port
//!                         │  └──────── memory port ──┼──┼─────────────────────┘   │ (RamBurstPort)
//!                         │                          │  └ m_bm_axi (AXI4) ────────┘
//!                         │   board window           │ ▲ s_bm_axi (AXI4)
//!                         └──▶ FEATURES, TM_* ─▶ TestMaster          (with the test master)
//!                                                    └ devices: loop-back FIFO, pattern, checksum
//! ```
//!
//! With [`BoardOptions::test_master`] (the HX8K breakout, the virtual board) mapdma has its
//! bus-master port, a built-in test bus master drives it, and the translated bursts reach the
//! system RAM through a second, burst-capable port that shares the block RAM with the DMA's
//! port beat by beat (chosen over an AXI arbiter in front of one burst slave: see
//! [`system_ram`]). Without it (the iCEBreaker: 94 % of its logic cells already) none of the
//! three is built and the window's FEATURES word reads 0.
//!
//! [`board_verilog`] generates the board's module `top`: the board design (module
//! [`BOARD_MODULE`], its submodules `mapdma_board_…`) plus a wrapper whose ports carry the board's own names, and [`board_pcf`] the
//! matching constraints. Pins are never written here: they come in through [`BoardPins`], which
//! the CLI fills from `constraints/NAME/board.toml`.

pub mod beat_copy;
pub mod board_window;
pub mod bridge;
pub mod burst_size;
pub mod byte_lanes;
pub mod crc16;
pub mod frame_rx;
pub mod leds;
pub mod loop_fifo;
pub mod pll;
pub mod ram_arbiter;
pub mod ram_port;
pub mod read_hold;
pub mod reply_tx;
pub mod system_ram;
pub mod test_master;
pub mod top;
pub mod uart_rx;
pub mod uart_tx;
mod wrapper;

pub use beat_copy::BeatCopy;
pub use board_window::BoardWindow;
pub use bridge::UartBridge;
pub use burst_size::BurstSize;
pub use byte_lanes::ByteLanes;
pub use crc16::Crc16;
pub use frame_rx::FrameRx;
pub use leds::BoardLeds;
pub use loop_fifo::LoopFifo;
pub use pll::{ClockPlan, PllParams, PllPrimitive};
pub use ram_arbiter::RamArbiter;
pub use ram_port::RamBurstPort;
pub use read_hold::ReadHold;
pub use reply_tx::ReplyTx;
pub use system_ram::SystemRam;
pub use test_master::TestMaster;
pub use top::{window, BoardTop, BOARD_ID, PROTOCOL_VERSION};
pub use uart_rx::UartRx;
pub use uart_tx::UartTx;
pub use wrapper::{BoardPins, PinMap};

use mapdma_regmap::Config;
use rust_hdl::prelude::*;
use std::fmt;

/// log2 of the system RAM's size in 32-bit words on the boards: 2^11 words = 8 KiB, 16 of the
/// iCE40's 4 kbit block RAMs (the UP5K has 30, the HX8K 32).
pub const RAM_WORD_BITS: usize = 11;
/// System RAM of the boards, in bytes.
pub const RAM_BYTES: u64 = SystemRam::<RAM_WORD_BITS>::BYTES;
/// The UART rate the boards use unless told otherwise (the FT2232H handles it everywhere).
pub const DEFAULT_BAUD: u32 = 115_200;
/// Largest relative error between the requested and the achieved baud rate: 8N1 receivers
/// tolerate about 4 % in total, leave half for the other end.
const MAX_BAUD_ERROR: f64 = 0.02;

/// The DMA configuration on the boards: four channels (one per built-in device), 256-byte pages
/// so that the 8 KiB RAM is 32 pages and 32 map registers cover it, 16-bit physical addresses
/// (the RAM sits at 0), and 4 outstanding transactions (the RAM answers in one clock). No
/// bus-master port: that comes with the test master ([`board_config_with`]), which only the
/// boards with room carry. No memory-to-memory pair: with it the design needs 106 % of the
/// iCEBreaker's logic cells and 33 of its 30 block RAMs.
pub fn board_config() -> Config {
    Config {
        channels: 4,
        map_registers: 32,
        page_shift: 8,
        logical_bits: 24,
        physical_bits: 16,
        outstanding: 4,
        bus_master_port: false,
        memory_to_memory: false,
    }
}

/// What a board design carries beyond the common part, chosen per board (`[design]` in the
/// board's `board.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BoardOptions {
    /// mapdma's bus-master port with the built-in test bus master on it ([`TestMaster`]) and
    /// the system RAM's burst port behind it ([`RamBurstPort`]); the board window's FEATURES
    /// word says so. On the HX8K breakout (the design without it fills 64 % of the logic
    /// cells); off on the iCEBreaker (94 % full without it: no room).
    pub test_master: bool,
}

/// The options of the Verilated board (`mapdma board virtual`, the board tests in CI): those
/// of the HX8K breakout, so that the test master is tested wherever the board is simulated
/// (`cargo test -p mapdma` checks that they match `constraints/hx8k-breakout/board.toml`).
pub const VIRTUAL_BOARD: BoardOptions = BoardOptions { test_master: true };

/// The DMA configuration of a board design with `options`: [`board_config`] with the
/// bus-master port when the board has the test master.
pub fn board_config_with(options: BoardOptions) -> Config {
    Config {
        bus_master_port: options.test_master,
        ..board_config()
    }
}

/// Why a board design could not be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardError {
    Config(mapdma_regmap::ConfigError),
    /// The clock cannot produce the baud rate closely enough, or the divisor is out of range.
    Baud(String),
    /// A pin description the wrapper cannot use.
    Pins(String),
    /// rust-hdl's structural checks failed.
    Check(String),
}

impl fmt::Display for BoardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoardError::Config(e) => write!(f, "{e}"),
            BoardError::Baud(m) => write!(f, "UART: {m}"),
            BoardError::Pins(m) => write!(f, "board pins: {m}"),
            BoardError::Check(m) => write!(f, "generated hardware failed rust-hdl's checks: {m}"),
        }
    }
}

impl std::error::Error for BoardError {}

/// Clocks per UART bit for `clock_hz` and `baud`, rounded; an error when the rate would be off
/// by more than 2 % or the divisor is outside what the UART blocks count (4..=65536).
pub fn uart_divisor(clock_hz: u32, baud: u32) -> Result<u32, BoardError> {
    if baud == 0 || clock_hz == 0 {
        return Err(BoardError::Baud(format!(
            "clock {clock_hz} Hz and baud rate {baud} must both be positive"
        )));
    }
    let divisor = (clock_hz as u64 + baud as u64 / 2) / baud as u64;
    if !(4..=65536).contains(&divisor) {
        return Err(BoardError::Baud(format!(
            "{baud} baud at {clock_hz} Hz needs {divisor} clocks per bit (must be 4..=65536)"
        )));
    }
    let achieved = clock_hz as f64 / divisor as f64;
    let error = (achieved - baud as f64).abs() / baud as f64;
    if error > MAX_BAUD_ERROR {
        return Err(BoardError::Baud(format!(
            "{baud} baud at {clock_hz} Hz: the nearest divisor {divisor} gives {achieved:.0} \
             baud ({:.1} % off, at most {:.0} % allowed)",
            error * 100.0,
            MAX_BAUD_ERROR * 100.0
        )));
    }
    Ok(divisor as u32)
}

/// The board design, connected and checked, ready to simulate or to turn into Verilog.
pub fn build_board<const A: usize>(
    cfg: &Config,
    clock_hz: u32,
    baud: u32,
) -> Result<BoardTop<A>, BoardError> {
    cfg.validate().map_err(BoardError::Config)?;
    if cfg.channels != 4 {
        return Err(BoardError::Config(mapdma_regmap::ConfigError(format!(
            "a board design needs 4 channels for its built-in devices, not {}",
            cfg.channels
        ))));
    }
    let divisor = uart_divisor(clock_hz, baud)?;
    let mut top = BoardTop::<A>::new(cfg, clock_hz, divisor);
    top.connect_all();
    check_all(&top).map_err(|e| BoardError::Check(format!("{e:?}")))?;
    Ok(top)
}

/// The module name of the board design inside the board's `top` wrapper (and of the board model
/// the co-simulation builds).
pub const BOARD_MODULE: &str = "mapdma_board";

/// Verilog of a built board design: module [`BOARD_MODULE`], submodules prefixed with it.
pub fn board_design_verilog<const A: usize>(top: &BoardTop<A>) -> Result<String, BoardError> {
    crate::names::rename(&generate_verilog_unchecked(top), BOARD_MODULE)
        .map_err(|e| BoardError::Check(e.to_string()))
}

/// Verilog of the board design for `pins`: module `top` with the board's port names, wrapping
/// the rust-hdl design (module `mapdma_board`, [`board_config_with`]`(options)`, 8 KiB of
/// RAM). `clock` is the oscillator's frequency in Hz (the design runs from it directly) or a
/// [`ClockPlan`] with the PLL; the UART divisor is computed for the design's clock.
pub fn board_verilog(
    pins: &BoardPins,
    clock: impl Into<ClockPlan>,
    baud: u32,
    options: BoardOptions,
) -> Result<String, BoardError> {
    let clock = clock.into();
    let cfg = board_config_with(options);
    let top = build_board::<RAM_WORD_BITS>(&cfg, clock.design_hz(), baud)?;
    let inner = board_design_verilog(&top)?;
    wrapper::wrap(&inner, pins, top::LED_COUNT, &clock)
}

/// Constraints for [`board_verilog`]'s ports: one `set_io` per pin the design uses.
pub fn board_pcf(pins: &BoardPins) -> String {
    wrapper::pcf(pins, top::LED_COUNT)
}
