//! The seed scenario ("Using Common-Buffer System DMA") on the Verilator model: the same driver
//! code as on the reference model, but every register access is an AXI4-Lite transaction of the
//! generated Verilog, the memory is an AXI4 slave with a latency, and the protocol checkers
//! watch both buses. Optionally writes a waveform.
//!
//! Run: `cargo run --release -p mapdma-host --example seed_verilator [LATENCY] [VCD]`

use mapdma_host::backend::verilator::{VerilatorBackend, VerilatorOptions};
use mapdma_host::scenario::{run_seed, SeedParams};
use mapdma_host::{DmaSystem, DmaWidth, TransferType};
use mapdma_regmap::Config;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let latency = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1);
    let opts = VerilatorOptions {
        memory_latency: latency,
        vcd: args.next().map(Into::into),
        ..Default::default()
    };
    let backend = VerilatorBackend::with_options(Config::default(), opts)?;
    let system = DmaSystem::open(Box::new(backend))?;
    for transfer in [TransferType::Write, TransferType::Read] {
        let params = SeedParams::new(1, DmaWidth::Width16Bits, transfer);
        let report = run_seed(&system, &params)?;
        let (clock, activity) = system.with_backend(|b| {
            let v: &mut VerilatorBackend = b
                .as_any_mut()
                .and_then(|a| a.downcast_mut())
                .expect("the Verilator backend");
            let activity = v.activity(1);
            v.clear_activity();
            (v.cycle(), activity)
        });
        let activity = activity?;
        println!(
            "{:?} transfer: {} bytes checked, {} wraps, {} polls, {:.3} units per clock \
             (memory latency {latency}); clock {clock}",
            report.transfer,
            report.bytes_checked,
            report.wraps,
            report.polls,
            activity.units_per_clock(),
        );
    }
    system.with_backend(|b| -> Result<(), Box<dyn std::error::Error>> {
        let v: &mut VerilatorBackend = b
            .as_any_mut()
            .and_then(|a| a.downcast_mut())
            .ok_or("not the Verilator backend")?;
        let (axi, axil) = v.checked_handshakes();
        println!("protocol checkers: {axi} AXI4 and {axil} AXI4-Lite handshakes, no violation");
        Ok(v.trace_close()?)
    })?;
    Ok(())
}
