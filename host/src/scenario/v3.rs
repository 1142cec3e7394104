//! The seed scenario again, written with version 3 of `DMA_OPERATIONS`, as a driver for a
//! Windows 8 SoC DMA controller would write it:
//!
//! 1. `get_dma_adapter` with `DEVICE_DESCRIPTION_VERSION3`, `get_dma_adapter_info` (is the
//!    counter readable?), `allocate_common_buffer_ex` below the device's address limit;
//! 2. `get_dma_transfer_info` for the map registers, `initialize_dma_transfer_context`,
//!    `allocate_adapter_channel_ex` whose execution routine calls `map_transfer_ex` **once**
//!    over the common buffer with a **completion routine that counts passes** (the
//!    controller's terminal-count interrupt, once per wrap of the ring);
//! 3. the same streaming loop as version 1 (poll `read_dma_counter_ex`, drain or refill);
//! 4. `flush_adapter_buffers_ex` (the routine's final call: `Aborted`, the ring was stopped),
//!    `free_adapter_object`, `free_common_buffer`, `put_dma_adapter`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{check_after_flush, check_params, prepare_ring, start_device, stream_ring};
use super::{SeedParams, SeedReport};
use crate::action::IoAllocationAction;
use crate::adapter::{DeviceObject, ExecutionRoutine};
use crate::completion::{DmaCompletionRoutine, DmaCompletionStatus};
use crate::description::{DeviceDescription, DEVICE_DESCRIPTION_VERSION3};
use crate::error::{DmaError, Result};
use crate::map_registers::MapRegisterBase;
use crate::system::DmaSystem;
use crate::v3::{AllocateFlags, MappedTransferEx};

/// What a version-3 run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedReportV3 {
    /// The same figures as the version-1 run.
    pub report: SeedReport,
    /// Calls of the completion routine with `Complete`: one per pass of the ring.
    pub completed_passes: u64,
    /// The routine's last call (`Aborted` after the flush).
    pub final_status: Option<DmaCompletionStatus>,
}

/// Runs the seed scenario with the version-3 routines on `system` (backend with devices).
pub fn run_seed_v3(system: &DmaSystem, p: &SeedParams) -> Result<SeedReportV3> {
    check_params(p)?;
    let ring = p.ring_bytes as usize;
    let description = DeviceDescription {
        version: DEVICE_DESCRIPTION_VERSION3,
        auto_initialize: true,
        demand_mode: true,
        ..DeviceDescription::system_dma(p.channel, p.width, p.ring_bytes)
    };
    let (adapter, map_registers) = system.get_dma_adapter(&description)?;
    let info = adapter.get_dma_adapter_info()?;
    if !info.read_dma_counter_available {
        return Err(DmaError::NotSupported(
            "the seed driver follows the ring with read_dma_counter",
        ));
    }
    let highest = (1u64 << info.dma_address_width) - 1;
    let buffer = adapter.allocate_common_buffer_ex(Some(highest), p.ring_bytes, false, 0)?;
    let chain = vec![buffer.mdl()?];
    let filled = prepare_ring(system, &buffer, p)?;
    let needed = adapter.get_dma_transfer_info(&chain, 0, ring, false)?;

    // The completion routine: count passes, remember the last status.
    let passes = Arc::new(AtomicU64::new(0));
    let last: Arc<Mutex<Option<DmaCompletionStatus>>> = Arc::default();
    let (counted, seen) = (passes.clone(), last.clone());
    let completion: DmaCompletionRoutine = Box::new(move |_, status| {
        if status == DmaCompletionStatus::Complete {
            counted.fetch_add(1, Ordering::SeqCst);
        }
        *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(status);
    });

    // The execution routine maps the whole common buffer once and keeps the channel.
    type Mapped = Option<Result<(MapRegisterBase, MappedTransferEx)>>;
    let slot: Arc<Mutex<Mapped>> = Arc::default();
    let context = adapter.initialize_dma_transfer_context()?;
    {
        let (slot, chain, transfer) = (slot.clone(), chain.clone(), p.transfer);
        let routine: ExecutionRoutine = Box::new(move |a, base| {
            let r = a.map_transfer_ex(&chain, base, 0, 0, ring, transfer, Some(completion));
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r.map(|m| (base, m)));
            IoAllocationAction::KeepObject
        });
        adapter.allocate_adapter_channel_ex(
            &DeviceObject::new(),
            &context,
            needed.map_register_count,
            AllocateFlags::None,
            Some(routine),
        )?;
    }
    let (base, mapped) = wait_mapped(system, &slot, p)?;
    if mapped.length != ring {
        return Err(DmaError::InsufficientResources {
            what: format!("map_transfer_ex mapped {} of {ring} bytes", mapped.length),
        });
    }

    start_device(system, p)?;
    let streamed = stream_ring(system, &adapter, &buffer, p, filled)?;
    adapter.flush_adapter_buffers_ex(&chain, base, 0, mapped.length, p.transfer)?;
    let bytes_checked = check_after_flush(system, &buffer, p, streamed.drained)?;
    adapter.free_adapter_object(IoAllocationAction::DeallocateObject)?;
    adapter.free_common_buffer(buffer)?;
    adapter.put_dma_adapter().map_err(|e| e.error)?;
    let final_status = *last.lock().unwrap_or_else(|e| e.into_inner());
    Ok(SeedReportV3 {
        report: SeedReport {
            transfer: p.transfer,
            bytes_checked,
            wraps: streamed.wraps,
            polls: streamed.polls,
            logical_address: mapped.logical_address,
            map_registers,
        },
        completed_passes: passes.load(Ordering::SeqCst),
        final_status,
    })
}

/// Waits (letting device time pass) until the execution routine has mapped the buffer.
fn wait_mapped(
    system: &DmaSystem,
    slot: &Mutex<Option<Result<(MapRegisterBase, MappedTransferEx)>>>,
    p: &SeedParams,
) -> Result<(MapRegisterBase, MappedTransferEx)> {
    for _ in 0..10_000 {
        if let Some(r) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return r;
        }
        system.with_devices(|d| d.idle(p.poll_interval))?;
    }
    Err(DmaError::Timeout("the execution routine never ran"))
}
