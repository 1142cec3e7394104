#![allow(dead_code)]
pub mod packet;
pub mod v3;

use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::DmaSystem;
use mapdma_regmap::Config;

pub fn system(cfg: Config) -> DmaSystem {
    DmaSystem::open(Box::new(ReferenceModel::new(cfg).unwrap())).unwrap()
}

pub fn default_system() -> DmaSystem {
    system(Config::default())
}

/// Reads map register `i` through the register bus.
pub fn map_entry(system: &DmaSystem, i: usize) -> u32 {
    system
        .with_backend(|b| b.read32(mapdma_regmap::MAP.at(i)))
        .unwrap()
}
