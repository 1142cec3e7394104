//! Shared set-ups for the co-simulation tests. Every `System` carries the AXI4 and AXI4-Lite
//! protocol checkers; any violation fails the step that saw it.

#![allow(dead_code)]

use mapdma_regmap::{Config, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::engine::Engine;
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::{ChannelSetup, System, SystemConfig};

pub mod rtl;

pub type Sys = System<Box<dyn Engine>>;

/// Physical frame the tests map logical page 0 to.
pub const FRAME: u32 = 0x100;

pub fn phys(cfg: &Config, logical: u32) -> u64 {
    ((FRAME as u64) << cfg.page_shift) + logical as u64
}

pub fn verilator(cfg: &Config, sys: SystemConfig) -> Sys {
    system(EngineKind::Verilator, cfg, sys).expect("system")
}

pub fn setup(
    channel: usize,
    units: u32,
    width: UnitWidth,
    transfer: TransferType,
    autoinit: bool,
    mode: ServiceMode,
) -> ChannelSetup {
    ChannelSetup {
        channel,
        logical: 0,
        units,
        width,
        transfer,
        autoinit,
        decrement: false,
        mode,
    }
}

/// The test bench defaults (no latency, no backpressure, idle devices), to be adjusted.
pub fn base_config() -> SystemConfig {
    SystemConfig::default()
}
