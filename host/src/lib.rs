//! mapdma-host: the Windows WDK adapter-object DMA API over mapdma hardware.
//!
//! A driver writer finds the WDK routines under their snake_case names:
//! [`DmaSystem::get_dma_adapter`] (`IoGetDmaAdapter`) returns a [`DmaAdapter`] whose methods
//! are the `DMA_OPERATIONS`: `allocate_common_buffer`, `allocate_adapter_channel`,
//! `map_transfer`, `read_dma_counter`, `flush_adapter_buffers`, `free_adapter_channel`,
//! `free_map_registers`, `get_dma_alignment`, `get_scatter_gather_list`,
//! `put_scatter_gather_list`, `calculate_scatter_gather_list`, `build_scatter_gather_list`,
//! and `put_dma_adapter` (also on drop).
//!
//! An adapter from a version-3 description also has version 3 of the table ([`v3`]):
//! `allocate_adapter_channel_ex` (asynchronous or `DMA_SYNCHRONOUS_CALLBACK`),
//! `map_transfer_ex` over an MDL chain with a completion routine that the controller's
//! terminal-count and fault interrupts drive ([`completion`],
//! [`DmaSystem::dispatch_interrupts`]), `flush_adapter_buffers_ex`, the cancel routines,
//! `get_dma_adapter_info`, `get_dma_transfer_info` and the rest; routines that make no sense
//! for this controller return [`DmaError::RoutineNotSupported`] with the reason.
//!
//! Directions use the 8237's vocabulary ([`TransferType`]): `Write` = device → memory,
//! `Read` = memory → device (the WDK's `WriteToDevice = TRUE`); see [`write_to_device`]. The
//! WDK's form takes the flag itself: [`DmaAdapter::map_transfer_wdk`],
//! [`DmaAdapter::flush_adapter_buffers_wdk`]. The register map is re-exported as [`regmap`]
//! ([`Config`], [`FaultCause`]), so a driver needs no second dependency.
//!
//! The hardware is reached through a [`backend::Backend`]: the pure-Rust
//! [`backend::reference::ReferenceModel`] here, a Verilator model or a board elsewhere.
//!
//! ```
//! use mapdma_host::backend::reference::ReferenceModel;
//! use mapdma_host::*;
//!
//! let system = DmaSystem::open(Box::new(ReferenceModel::new(Config::default())?))?;
//! let description = DeviceDescription {
//!     auto_initialize: true,
//!     ..DeviceDescription::system_dma(1, DmaWidth::Width8Bits, 4096)
//! };
//! let (adapter, map_registers) = system.get_dma_adapter(&description)?;
//! let buffer = adapter.allocate_common_buffer(4096, false)?;
//! let mdl = buffer.mdl()?;
//! let base = std::sync::Arc::new(std::sync::Mutex::new(None));
//! let (slot, ring) = (base.clone(), mdl.clone());
//! adapter.allocate_adapter_channel(&DeviceObject::new(), map_registers, move |a, b| {
//!     // WDK WriteToDevice = TRUE: memory -> device, an 8237 read transfer.
//!     let r = a.map_transfer(&ring, b, 0, 4096, write_to_device(true));
//!     *slot.lock().unwrap() = Some((b, r));
//!     IoAllocationAction::KeepObject
//! })?;
//! let (b, mapped) = base.lock().unwrap().take().unwrap();
//! let (_logical, length) = mapped?;
//! assert_eq!(adapter.read_dma_counter()?, 4096); // not started yet
//! adapter.flush_adapter_buffers(&mdl, b, 0, length, TransferType::Read)?;
//! adapter.free_adapter_channel()?;
//! adapter.free_common_buffer(buffer)?;
//! adapter.put_dma_adapter()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The seed scenario's driver code
//!
//! "Using Common-Buffer System DMA" as a driver writes it (`examples/seed_driver.rs`, run with
//! `cargo run -p mapdma-host --example seed_driver`; [`scenario::run_seed`] is the same driver
//! with more checks, on any backend with devices):
//!
//! ```
#![doc = include_str!("../examples/seed_driver.rs")]
//! ```

mod action;
pub mod adapter;
pub mod backend;
pub mod bench;
pub mod buffer;
pub mod common_buffer;
pub mod completion;
pub mod counter;
pub mod description;
pub mod error;
mod hal;
pub mod map_registers;
pub mod mdl;
pub mod scatter_gather;
pub mod scenario;
pub mod system;
mod system_dma;
pub mod v3;

pub use adapter::{
    write_to_device, AllocationStatus, DeviceObject, DmaAdapter, ExecutionRoutine,
    IoAllocationAction, PutError,
};
pub use buffer::PageBuffer;
pub use common_buffer::{CommonBuffer, FreeBufferError};
pub use completion::{DmaCompletionRoutine, DmaCompletionStatus};
pub use description::{DescriptionError, DeviceDescription, DmaSpeed, DmaWidth, InterfaceType};
pub use error::{DmaError, MappedTransfer, Result};
pub use map_registers::MapRegisterBase;
/// The register map this library drives (re-exported so drivers need no second dependency).
pub use mapdma_regmap as regmap;
pub use mapdma_regmap::{Config, FaultCause, TransferType};
pub use mdl::Mdl;
pub use scatter_gather::{ScatterGatherElement, ScatterGatherList, ScatterGatherSize};
pub use system::DmaSystem;
pub use system_dma::DmaCounter;
pub use v3::{
    AllocateFlags, AllocationStatusEx, DmaAdapterInfo, DmaTransferContext, DmaTransferInfo,
    MappedTransferEx,
};
