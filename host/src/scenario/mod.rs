//! The seed scenario, "Using Common-Buffer System DMA", as a library function that runs on any
//! backend with devices:
//!
//! 1. `get_dma_adapter` (system DMA, auto-initialize), `allocate_common_buffer`, an MDL over it;
//! 2. `allocate_adapter_channel`, whose execution routine calls `map_transfer` **once** over the
//!    whole common buffer and returns `KeepObject`;
//! 3. while the device streams, poll `read_dma_counter` and drain (device → memory) or refill
//!    (memory → device) the ring behind or ahead of the controller, for several wraps;
//! 4. `flush_adapter_buffers`, `free_adapter_channel`, `free_common_buffer`, `put_dma_adapter`.
//!
//! Every byte is checked against a known stream.

pub mod v3;

use std::sync::{Arc, Mutex};

use mapdma_regmap::TransferType;

use crate::adapter::{DeviceObject, DmaAdapter, IoAllocationAction};
use crate::common_buffer::CommonBuffer;
use crate::description::{DeviceDescription, DmaWidth};
use crate::error::{DmaError, Result};
use crate::map_registers::MapRegisterBase;
use crate::mdl::span_pages;
use crate::system::DmaSystem;

/// Parameters of one run.
#[derive(Clone, Copy, Debug)]
pub struct SeedParams {
    pub channel: u32,
    pub width: DmaWidth,
    /// Direction in the 8237's words: `Write` = device → memory, `Read` = memory → device.
    pub transfer: TransferType,
    /// Size of the common buffer (the ring).
    pub ring_bytes: u32,
    /// Bytes streamed in total (several times the ring, so it wraps).
    pub total_bytes: u32,
    /// The device moves at most one unit every `device_period` unit-times.
    pub device_period: u32,
    /// Unit-times the driver lets pass between two polls.
    pub poll_interval: u64,
    /// Seeds the byte stream.
    pub seed: u8,
}

impl SeedParams {
    /// An 8 KiB ring streamed four and a half times.
    pub fn new(channel: u32, width: DmaWidth, transfer: TransferType) -> Self {
        SeedParams {
            channel,
            width,
            transfer,
            ring_bytes: 8192,
            total_bytes: 8192 * 9 / 2,
            device_period: 1,
            poll_interval: 64,
            seed: 0x5A,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedReport {
    pub transfer: TransferType,
    pub bytes_checked: u64,
    /// Auto-initialize wraps observed through the pass counter.
    pub wraps: u64,
    pub polls: u64,
    /// Logical address `map_transfer` returned.
    pub logical_address: u64,
    pub map_registers: u32,
}

/// Byte `i` of the test stream: not periodic in any power of two, so a wrong ring offset shows.
pub fn stream_byte(seed: u8, i: u64) -> u8 {
    let x = (i ^ (seed as u64) << 32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 56) as u8 ^ (i as u8).wrapping_mul(3)
}

pub(crate) fn stream(seed: u8, from: u64, len: usize) -> Vec<u8> {
    (from..from + len as u64)
        .map(|i| stream_byte(seed, i))
        .collect()
}

/// Runs the seed scenario once on `system` (whose backend must have devices).
pub fn run_seed(system: &DmaSystem, p: &SeedParams) -> Result<SeedReport> {
    check_params(p)?;
    let ring = p.ring_bytes as u64;

    // A streaming device asks for demand mode: units go back to back while DREQ holds. (Single
    // mode releases the bus after every unit, as on the 8237: at most one unit every other
    // clock.)
    let description = DeviceDescription {
        auto_initialize: true,
        demand_mode: true,
        ..DeviceDescription::system_dma(p.channel, p.width, p.ring_bytes)
    };
    let (adapter, map_registers) = system.get_dma_adapter(&description)?;
    let buffer = adapter.allocate_common_buffer(p.ring_bytes, false)?;
    let mdl = buffer.mdl()?;
    let filled = prepare_ring(system, &buffer, p)?;

    // The execution routine: map the whole common buffer once, keep the channel.
    type Mapped = Option<Result<(MapRegisterBase, u64, usize)>>;
    let slot: Arc<Mutex<Mapped>> = Arc::new(Mutex::new(None));
    let device = DeviceObject::new();
    {
        let slot = slot.clone();
        let mdl = mdl.clone();
        let (len, transfer) = (p.ring_bytes as usize, p.transfer);
        // As the seed's clients do: ADDRESS_AND_SIZE_TO_SPAN_PAGES of the buffer.
        let needed = span_pages(0, ring, system.config().page_shift) as u32;
        // A system-DMA routine keeps the channel even when mapping failed: the error goes back
        // to the driver, whose adapter (dropped on the error path) releases the channel.
        adapter.allocate_adapter_channel(&device, needed, move |a, base| {
            let r = a.map_transfer(&mdl, base, 0, len, transfer);
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r.map(|(l, n)| (base, l, n)));
            IoAllocationAction::KeepObject
        })?;
    }
    let mut waited = 0;
    let (base, logical_address, mapped) = loop {
        if let Some(r) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
            break r?;
        }
        waited += 1;
        if waited > 10_000 {
            return Err(DmaError::Timeout("the execution routine never ran"));
        }
        system.with_devices(|d| d.idle(p.poll_interval))?;
    };
    if mapped as u64 != ring {
        return Err(DmaError::InsufficientResources {
            what: format!("map_transfer mapped {mapped} of {ring} bytes"),
        });
    }

    start_device(system, p)?;
    let streamed = stream_ring(system, &adapter, &buffer, p, filled)?;
    adapter.flush_adapter_buffers(&mdl, base, 0, mapped, p.transfer)?;
    let bytes_checked = check_after_flush(system, &buffer, p, streamed.drained)?;
    adapter.free_adapter_channel()?;
    adapter.free_common_buffer(buffer)?;
    adapter.put_dma_adapter().map_err(|e| e.error)?;
    Ok(SeedReport {
        transfer: p.transfer,
        bytes_checked,
        wraps: streamed.wraps,
        polls: streamed.polls,
        logical_address,
        map_registers,
    })
}

/// Bytes per unit, once the ring and the stream are checked to be whole units.
pub(crate) fn check_params(p: &SeedParams) -> Result<u64> {
    let unit = p
        .width
        .unit()
        .ok_or(DmaError::NotSupported("64-bit units"))?
        .bytes() as u64;
    let (ring, total) = (p.ring_bytes as u64, p.total_bytes as u64);
    if !ring.is_multiple_of(unit) || !total.is_multiple_of(unit) {
        return Err(DmaError::NotSupported("ring and total must be whole units"));
    }
    Ok(unit)
}

/// Sets the device's rate and, memory → device, fills the ring ahead; returns the bytes filled.
pub(crate) fn prepare_ring(
    system: &DmaSystem,
    buffer: &CommonBuffer,
    p: &SeedParams,
) -> Result<u64> {
    let ch = p.channel as usize;
    system.with_devices(|d| d.set_period(ch, p.device_period))?;
    let mut filled = 0u64;
    if p.transfer == TransferType::Read {
        filled = (p.ring_bytes as u64).min(p.total_bytes as u64);
        buffer.write(0, &stream(p.seed, 0, filled as usize))?;
    }
    Ok(filled)
}

/// Starts the device: the whole stream in its source, or a sink budget for all of it.
pub(crate) fn start_device(system: &DmaSystem, p: &SeedParams) -> Result<()> {
    let unit = check_params(p)?;
    let (ch, total) = (p.channel as usize, p.total_bytes as u64);
    match p.transfer {
        TransferType::Write => {
            system.with_devices(|d| d.push_source(ch, &stream(p.seed, 0, total as usize)))
        }
        _ => system.with_devices(|d| d.grant_sink(ch, total / unit)),
    }
}

/// Where streaming left off.
pub(crate) struct Streamed {
    /// Device → memory: stream bytes checked in the ring so far.
    pub drained: u64,
    pub wraps: u64,
    pub polls: u64,
}

/// The driver's loop while the device streams: poll `read_dma_counter_ex`, drain (device →
/// memory) or refill (memory → device) the ring, until the whole stream has landed.
pub(crate) fn stream_ring(
    system: &DmaSystem,
    adapter: &DmaAdapter,
    buffer: &CommonBuffer,
    p: &SeedParams,
    mut filled: u64,
) -> Result<Streamed> {
    let ring = p.ring_bytes as u64;
    let total = p.total_bytes as u64;
    let mut drained = 0u64;
    let mut stream_position = crate::counter::StreamPosition::new();
    let mut polls = 0u64;
    let mut stalled = 0u64;
    let mut last_position = 0;
    loop {
        let c = adapter.read_dma_counter_ex()?;
        polls += 1;
        let position = stream_position.update(&c);
        match p.transfer {
            TransferType::Write => {
                if position - drained > ring {
                    return Err(DmaError::Hardware(format!(
                        "ring overrun: device at {position}, driver drained {drained}"
                    )));
                }
                // `read_dma_counter` counts landed units: everything below is in memory.
                let safe = position.max(drained);
                check_ring(buffer, p, drained, safe)?;
                drained = safe;
            }
            _ => {
                if position > filled {
                    return Err(DmaError::Hardware(format!(
                        "ring underrun: device at {position}, driver filled {filled}"
                    )));
                }
                // Every unit below `position` has reached the device: its slot may be refilled.
                let target = total.min(position + ring);
                while filled < target {
                    let off = filled % ring;
                    let n = (ring - off).min(target - filled) as usize;
                    buffer.write(off as usize, &stream(p.seed, filled, n))?;
                    filled += n as u64;
                }
            }
        }
        if position >= total {
            break;
        }
        stalled = if position == last_position {
            stalled + 1
        } else {
            0
        };
        last_position = position;
        if stalled > 10_000 {
            return Err(DmaError::Timeout("the device stopped streaming"));
        }
        system.with_devices(|d| d.idle(p.poll_interval))?;
    }
    Ok(Streamed {
        drained,
        wraps: stream_position.passes(),
        polls,
    })
}

/// Checks stream bytes `[from, to)` where they sit in the ring.
fn check_ring(buffer: &CommonBuffer, p: &SeedParams, from: u64, to: u64) -> Result<()> {
    let ring = p.ring_bytes as u64;
    let mut at = from;
    while at < to {
        let off = at % ring;
        let n = (ring - off).min(to - at) as usize;
        let mut got = vec![0; n];
        buffer.read(off as usize, &mut got)?;
        if got != stream(p.seed, at, n) {
            return Err(DmaError::Hardware(format!(
                "device → memory data wrong in stream bytes {at}..{}",
                at + n as u64
            )));
        }
        at += n as u64;
    }
    Ok(())
}

/// After the flush: the rest of the ring (device → memory) or everything the device received
/// (memory → device) is the stream. Returns the bytes checked.
pub(crate) fn check_after_flush(
    system: &DmaSystem,
    buffer: &CommonBuffer,
    p: &SeedParams,
    drained: u64,
) -> Result<u64> {
    let total = p.total_bytes as u64;
    if p.transfer == TransferType::Write {
        check_ring(buffer, p, drained, total)?;
        return Ok(total);
    }
    let got = system.with_devices(|d| d.take_sink(p.channel as usize))?;
    if got != stream(p.seed, 0, total as usize) {
        let first = got
            .iter()
            .zip(stream(p.seed, 0, total as usize))
            .position(|(a, b)| *a != b)
            .unwrap_or(got.len().min(total as usize));
        return Err(DmaError::Hardware(format!(
            "memory → device data wrong from stream byte {first} ({} bytes received)",
            got.len()
        )));
    }
    Ok(total)
}

/// Both directions on `channel`: device → memory, then memory → device.
pub fn run_seed_both(system: &DmaSystem, channel: u32, width: DmaWidth) -> Result<[SeedReport; 2]> {
    let write = run_seed(
        system,
        &SeedParams::new(channel, width, TransferType::Write),
    )?;
    let read = run_seed(system, &SeedParams::new(channel, width, TransferType::Read))?;
    Ok([write, read])
}
