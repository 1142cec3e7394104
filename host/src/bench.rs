//! Host-side throughput of the adapter routines: allocate-channel → map → flush → free cycles
//! per second on a backend (what `mapdma bench host` reports). The cost includes every
//! register access the routines make, so a slow backend shows up as fewer cycles.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mapdma_regmap::TransferType;

use crate::adapter::{AllocationStatus, DeviceObject, IoAllocationAction};
use crate::description::{DeviceDescription, DmaWidth};
use crate::error::{DmaError, Result};
use crate::map_registers::MapRegisterBase;
use crate::system::DmaSystem;

#[derive(Clone, Debug)]
pub struct BenchReport {
    pub backend: String,
    pub cycles: u64,
    pub buffer_bytes: u32,
    pub elapsed: Duration,
}

impl BenchReport {
    pub fn cycles_per_second(&self) -> f64 {
        self.cycles as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Runs `cycles` allocate_adapter_channel → map_transfer → flush_adapter_buffers →
/// free_adapter_channel cycles on channel 0 over a `buffer_bytes` common buffer.
pub fn adapter_cycles(system: &DmaSystem, cycles: u64, buffer_bytes: u32) -> Result<BenchReport> {
    let description = DeviceDescription::system_dma(0, DmaWidth::Width8Bits, buffer_bytes);
    let (adapter, registers) = system.get_dma_adapter(&description)?;
    let buffer = adapter.allocate_common_buffer(buffer_bytes, false)?;
    let mdl = Arc::new(buffer.mdl()?);
    let device = DeviceObject::new();
    type Slot = Arc<Mutex<Option<Result<(MapRegisterBase, usize)>>>>;
    let slot: Slot = Arc::new(Mutex::new(None));
    let start = Instant::now();
    for _ in 0..cycles {
        let (s, m) = (slot.clone(), mdl.clone());
        let status = adapter.allocate_adapter_channel(&device, registers, move |a, base| {
            let r = a.map_transfer(&m, base, 0, m.byte_count(), TransferType::Read);
            *s.lock().unwrap_or_else(|e| e.into_inner()) = Some(r.map(|(_, n)| (base, n)));
            IoAllocationAction::KeepObject
        })?;
        if status != AllocationStatus::Executed {
            return Err(DmaError::Timeout(
                "the channel was busy during the benchmark",
            ));
        }
        let taken = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        let (base, n) = taken.ok_or(DmaError::Timeout("the execution routine did not run"))??;
        adapter.flush_adapter_buffers(&mdl, base, 0, n, TransferType::Read)?;
        adapter.free_adapter_channel()?;
    }
    let elapsed = start.elapsed();
    let backend = system.with_backend(|b| b.name().to_string());
    adapter.free_common_buffer(buffer)?;
    adapter.put_dma_adapter().map_err(|e| e.error)?;
    Ok(BenchReport {
        backend,
        cycles,
        buffer_bytes,
        elapsed,
    })
}
