//! How the host library reaches mapdma hardware.
//!
//! The driver side needs exactly two things: a 32-bit register bus (the AXI4-Lite window of
//! `mapdma_regmap`) and physical memory (pages the device reaches through the map registers,
//! which the CPU reads and writes directly). A backend provides both; the reference model, a
//! cycle-accurate simulation and a board behind a link all fit, because nothing here assumes
//! that a register access is free: a simulation may run clocks on every access while its
//! devices stream.
//!
//! Tests and demos additionally need the *devices* at the other end of the channels and a way
//! to let time pass; [`DeviceHarness`] is that test-bench side, optional per backend.

pub mod reference;
pub mod serial;
#[cfg(feature = "verilator")]
pub mod verilator;

use std::fmt;

/// A memory-bus response other than OKAY (AXI SLVERR / DECERR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BusResponse {
    /// SLVERR: the slave exists but refused the access.
    SlaveError,
    /// DECERR: no slave at that address.
    DecodeError,
}

/// Why a backend operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendError {
    /// The register bus answered an error (no register at that offset, or misaligned).
    Register { offset: u32, response: BusResponse },
    /// A register offset that is not a multiple of four.
    Misaligned { offset: u32 },
    /// Not enough free physical pages.
    OutOfMemory { requested_pages: usize },
    /// A CPU access or free outside the backend's RAM or of pages not allocated.
    BadPhysicalAddress { address: u64, reason: &'static str },
    /// A device-harness request for a channel the hardware does not have.
    NoSuchChannel { channel: usize },
    /// The backend has no device models (a real board without a loop-back device).
    NoDevices,
    /// A link to a board or simulator failed.
    Link(String),
    /// The device wrote into physical memory no driver had allocated (or that was freed):
    /// the first such write since the last report.
    DmaOutsidePages {
        address: u64,
        bytes: u32,
        clock: u64,
    },
    /// The board link lost or refused frames beyond what its retries hide.
    LinkFault(serial::LinkFault),
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::Register { offset, response } => {
                write!(f, "register access at {offset:#06x} answered {response:?}")
            }
            BackendError::Misaligned { offset } => {
                write!(f, "register offset {offset:#x} is not 32-bit aligned")
            }
            BackendError::OutOfMemory { requested_pages } => {
                write!(
                    f,
                    "out of physical memory ({requested_pages} pages requested)"
                )
            }
            BackendError::BadPhysicalAddress { address, reason } => {
                write!(f, "physical address {address:#x}: {reason}")
            }
            BackendError::NoSuchChannel { channel } => {
                write!(f, "the hardware has no DMA channel {channel}")
            }
            BackendError::NoDevices => write!(f, "this backend has no device models"),
            BackendError::Link(m) => write!(f, "link error: {m}"),
            BackendError::DmaOutsidePages {
                address,
                bytes,
                clock,
            } => write!(
                f,
                "DMA wrote {bytes} byte(s) at {address:#x} in clock {clock}, outside the \
                 allocated pages"
            ),
            BackendError::LinkFault(e) => write!(f, "link error: {e}"),
        }
    }
}

impl std::error::Error for BackendError {}

/// The AXI4-Lite register window: 32-bit accesses at byte offsets from `mapdma_regmap`.
pub trait RegisterBus: Send {
    /// Reads the register at `offset`. Reads can have side effects (8237 status, flip-flop).
    fn read32(&mut self, offset: u32) -> Result<u32, BackendError>;
    /// Writes the register at `offset`.
    fn write32(&mut self, offset: u32, value: u32) -> Result<(), BackendError>;
}

/// Physical memory as the CPU sees it: page allocation and direct reads and writes.
/// Addresses are physical byte addresses; pages are the backend's (= the hardware's) page size.
pub trait PhysicalMemory: Send {
    /// Page size in bytes (must equal the hardware's map-register page size).
    fn page_size(&self) -> u64;
    /// Allocates `count` pages, not necessarily contiguous; returns their page-aligned addresses.
    fn allocate_pages(&mut self, count: usize) -> Result<Vec<u64>, BackendError>;
    /// Allocates `count` physically contiguous pages; returns the first page's address.
    fn allocate_contiguous(&mut self, count: usize) -> Result<u64, BackendError>;
    /// Frees pages obtained from either allocator (each page-aligned address once).
    fn free_pages(&mut self, pages: &[u64]) -> Result<(), BackendError>;
    /// CPU read.
    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), BackendError>;
    /// CPU write.
    fn write(&mut self, address: u64, data: &[u8]) -> Result<(), BackendError>;
}

/// The test-bench side of a backend: the devices on each channel and the passage of time.
///
/// A device has a *source* (units it sends, device → memory, an 8237 write transfer) and a
/// *sink* (units it accepts, memory → device, an 8237 read transfer). It requests service
/// (DREQ) while its source holds data or its sink still has budget.
pub trait DeviceHarness {
    /// Appends bytes to the channel device's source queue (whole units, little-endian).
    fn push_source(&mut self, channel: usize, data: &[u8]) -> Result<(), BackendError>;
    /// Bytes still waiting in the source queue.
    fn source_pending(&mut self, channel: usize) -> Result<usize, BackendError>;
    /// Lets the sink request `units` more units.
    fn grant_sink(&mut self, channel: usize, units: u64) -> Result<(), BackendError>;
    /// Removes and returns everything the sink has received so far.
    fn take_sink(&mut self, channel: usize) -> Result<Vec<u8>, BackendError>;
    /// The device offers or accepts at most one unit every `period` unit-times (≥ 1).
    fn set_period(&mut self, channel: usize, period: u32) -> Result<(), BackendError>;
    /// Pulses the device's external EOP input.
    fn pulse_eop(&mut self, channel: usize) -> Result<(), BackendError>;
    /// Lets `units` unit-times pass (a unit-time is what the engine needs to move one unit).
    fn idle(&mut self, units: u64) -> Result<(), BackendError>;
}

/// A complete backend: registers, memory and, where available, devices.
pub trait Backend: RegisterBus + PhysicalMemory {
    /// A short name for reports ("reference", "verilator", ...).
    fn name(&self) -> &str;
    /// The controller's `irq` output, a level: `INT_STATUS & INT_ENABLE != 0` (`hdl/DESIGN.md`
    /// §7). How a backend learns it differs (a pin sampled every clock, the model's state, or
    /// the two registers polled through a link), so the interrupt dispatcher asks here.
    fn irq(&mut self) -> Result<bool, BackendError>;
    /// The device models, if the backend has them.
    fn devices(&mut self) -> Option<&mut dyn DeviceHarness> {
        None
    }
    /// The concrete backend, for test benches that need its own controls.
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
}
