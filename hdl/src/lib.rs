//! rust-hdl description of mapdma: an 8237A-compatible auto-initializing DMA controller with
//! map-register address translation, an AXI4-Lite register slave and an AXI4 memory master.
//!
//! [`verilog`] generates the Verilog of a configuration (top module `top`), [`ports`] lists its
//! top-level ports (the co-simulation binding is generated from it). Behaviour: `hdl/DESIGN.md`.

pub mod arbiter;
pub mod axi_queue;
pub mod axil_slave;
pub mod board;
pub mod channel;
pub mod device_port;
pub mod map_ram;
pub mod mapdma;
mod ports;
pub mod reg_decode;
pub mod responses;
pub mod tag_fifo;
pub mod tag_ram;

pub use mapdma::MapDma;
pub use mapdma_regmap as regmap;
pub use mapdma_regmap::Config;
pub use ports::{ports, Port, PortDir};

use rust_hdl::prelude::*;
use std::fmt;

/// Why the generator could not produce hardware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HdlError {
    Config(regmap::ConfigError),
    /// rust-hdl's structural checks (undriven nets, loops, written inputs) failed.
    Check(String),
}

impl fmt::Display for HdlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HdlError::Config(e) => write!(f, "{e}"),
            HdlError::Check(e) => write!(f, "generated hardware failed rust-hdl's checks: {e}"),
        }
    }
}

impl std::error::Error for HdlError {}

impl From<regmap::ConfigError> for HdlError {
    fn from(e: regmap::ConfigError) -> Self {
        HdlError::Config(e)
    }
}

/// The top block of a configuration, connected and checked, ready to simulate.
pub fn build(cfg: &Config) -> Result<MapDma, HdlError> {
    cfg.validate()?;
    let mut uut = MapDma::new(cfg);
    uut.connect_all();
    check_all(&uut).map_err(|e| HdlError::Check(format!("{e:?}")))?;
    Ok(uut)
}

/// Verilog of a configuration; the top module is `top`.
pub fn verilog(cfg: &Config) -> Result<String, HdlError> {
    let uut = build(cfg)?;
    Ok(generate_verilog_unchecked(&uut))
}
