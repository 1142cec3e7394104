//! The seed scenario written with version 3 of DMA_OPERATIONS, on the reference model:
//! `allocate_adapter_channel_ex` and `map_transfer_ex` with a completion routine that the
//! controller's terminal-count interrupt calls once per pass of the ring.
//!
//! Run: `cargo run -p mapdma-host --example seed_scenario_v3`

use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::scenario::v3::run_seed_v3;
use mapdma_host::scenario::SeedParams;
use mapdma_host::{DmaSystem, DmaWidth, TransferType};
use mapdma_regmap::Config;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = ReferenceModel::new(Config::default())?;
    let system = DmaSystem::open(Box::new(model))?;
    for transfer in [TransferType::Write, TransferType::Read] {
        let params = SeedParams::new(1, DmaWidth::Width16Bits, transfer);
        let r = run_seed_v3(&system, &params)?;
        println!(
            "{transfer:?}: {} bytes checked, {} wraps seen by the counter, {} passes completed \
             by the interrupt, last completion status {:?}",
            r.report.bytes_checked, r.report.wraps, r.completed_passes, r.final_status,
        );
    }
    Ok(())
}
