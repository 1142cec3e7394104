//! The seed scenario ("Using Common-Buffer System DMA") on the reference model: an
//! auto-initializing 8237 channel streams through a common buffer while the driver polls
//! `read_dma_counter` and drains or refills the ring; both directions, every byte checked.
//!
//! Run: `cargo run -p mapdma-host --example seed_scenario`

use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::scenario::{run_seed, SeedParams};
use mapdma_host::{DmaSystem, DmaWidth, TransferType};
use mapdma_regmap::Config;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = ReferenceModel::new(Config::default())?;
    let system = DmaSystem::open(Box::new(model))?;
    for transfer in [TransferType::Write, TransferType::Read] {
        let params = SeedParams::new(1, DmaWidth::Width16Bits, transfer);
        let report = run_seed(&system, &params)?;
        println!(
            "{:?} transfer ({}): {} bytes checked through a {}-byte ring, {} wraps, {} polls, \
             logical address {:#x}, {} map registers",
            report.transfer,
            if transfer == TransferType::Write {
                "device → memory"
            } else {
                "memory → device"
            },
            report.bytes_checked,
            params.ring_bytes,
            report.wraps,
            report.polls,
            report.logical_address,
            report.map_registers,
        );
    }
    Ok(())
}
