//! rust-hdl description of mapdma: an 8237A-compatible auto-initializing DMA controller with
//! map-register address translation, an AXI4-Lite register slave and an AXI4 memory master.
//!
//! [`verilog`] generates the Verilog of a configuration as an IP core (top module `mapdma`, or the
//! name given to [`verilog_named`]; submodules prefixed with it; `$`-free names, see [`names`]),
//! [`ports`] lists its top-level ports (the co-simulation binding is generated from it).
//! Behaviour: `hdl/DESIGN.md`.

pub mod arbiter;
pub mod axi_queue;
pub mod axi_requests;
pub mod axil_slave;
pub mod bm_port;
pub mod board;
pub mod channel;
pub mod device_port;
pub mod engine;
pub mod ip;
pub mod map_ram;
pub mod mapdma;
pub mod names;
pub mod native_regs;
mod ports;
pub mod reg_decode;
pub mod regs8237;
pub mod responses;
pub mod tag_fifo;
pub mod tag_ram;
pub mod translation;
pub mod write_decode;

pub use mapdma::MapDma;
pub use mapdma_regmap as regmap;
pub use mapdma_regmap::Config;
pub use ports::{device_port_field, device_port_prefix, port_doc, ports, Port, PortDir};

use rust_hdl::prelude::*;
use std::fmt;

/// Why the generator could not produce hardware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HdlError {
    Config(regmap::ConfigError),
    /// rust-hdl's structural checks (undriven nets, loops, written inputs) failed.
    Check(String),
    /// The module name is not usable, or renaming would clash (see [`names`]).
    Name(String),
}

impl fmt::Display for HdlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HdlError::Config(e) => write!(f, "{e}"),
            HdlError::Check(e) => write!(f, "generated hardware failed rust-hdl's checks: {e}"),
            HdlError::Name(e) => write!(f, "{e}"),
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

/// Verilog of a configuration; the top module is [`names::DEFAULT_MODULE`] (`mapdma`).
pub fn verilog(cfg: &Config) -> Result<String, HdlError> {
    verilog_named(cfg, names::DEFAULT_MODULE)
}

/// Verilog of a configuration with the top module called `module` and every submodule prefixed
/// with `module_`, so that several configurations can live in one design.
pub fn verilog_named(cfg: &Config, module: &str) -> Result<String, HdlError> {
    names::check_module_name(module)?;
    let uut = build(cfg)?;
    names::rename(&generate_verilog_unchecked(&uut), module)
}
