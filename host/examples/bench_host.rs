//! Adapter-routine throughput on the reference model:
//! `cargo run --release -p mapdma-host --example bench_host [cycles]`.

use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::{bench, DmaSystem};
use mapdma_regmap::Config;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cycles = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let system = DmaSystem::open(Box::new(ReferenceModel::new(Config::default())?))?;
    let r = bench::adapter_cycles(&system, cycles, 8192)?;
    println!(
        "{}: {} allocate→map→flush→free cycles over an {}-byte buffer in {:.3} s = {:.0} cycles/s",
        r.backend,
        r.cycles,
        r.buffer_bytes,
        r.elapsed.as_secs_f64(),
        r.cycles_per_second()
    );
    Ok(())
}
