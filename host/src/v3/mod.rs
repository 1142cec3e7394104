//! Version 3 of `DMA_OPERATIONS` (Windows 8, made for system DMA controllers in SoCs): what an
//! adapter obtained with `DEVICE_DESCRIPTION_VERSION3` offers beyond versions 1 and 2.
//!
//! | WDK routine | here |
//! |---|---|
//! | `GetDmaAdapterInfo` | [`DmaAdapter::get_dma_adapter_info`] |
//! | `GetDmaTransferInfo` | [`DmaAdapter::get_dma_transfer_info`] |
//! | `InitializeDmaTransferContext` | [`DmaAdapter::initialize_dma_transfer_context`] |
//! | `AllocateAdapterChannelEx` | [`DmaAdapter::allocate_adapter_channel_ex`] |
//! | `CancelAdapterChannel` | [`DmaAdapter::cancel_adapter_channel`] |
//! | `FreeAdapterObject` | [`DmaAdapter::free_adapter_object`] |
//! | `MapTransferEx` | [`DmaAdapter::map_transfer_ex`] (completion routine on TC / fault) |
//! | `FlushAdapterBuffersEx` | [`DmaAdapter::flush_adapter_buffers_ex`] |
//! | `CancelMappedTransfer` | [`DmaAdapter::cancel_mapped_transfer`] |
//! | `AllocateCommonBufferEx` | [`DmaAdapter::allocate_common_buffer_ex`] |
//! | `GetScatterGatherListEx` | [`DmaAdapter::get_scatter_gather_list_ex`], [`DmaAdapter::get_scatter_gather_list_ex_now`] (synchronous, no routine) |
//! | `BuildScatterGatherListEx` | [`DmaAdapter::build_scatter_gather_list_ex`] |
//! | `ConfigureAdapterChannel` | not supported (no vendor functions; see the routine) |
//! | DMA domains, common-buffer vectors | not supported (see [`DOMAIN_REASON`], [`VECTOR_REASON`]) |
//!
//! An MDL chain (`Mdl->Next`) is a slice of [`Mdl`](crate::Mdl)s. Calling one of these routines
//! on an adapter whose table is version 1 or 2 fails with
//! [`DmaError::OperationsVersion`], the Rust form of the
//! missing function pointer.

mod buffers;
mod chain;
mod channel;
mod transfer;

pub use chain::ChainWindow;
pub use channel::{AllocateFlags, AllocationStatusEx};
pub use transfer::MappedTransferEx;

use crate::adapter::DmaAdapter;
use crate::error::{DmaError, Result};

/// Why the DMA-domain routines (`JoinDmaDomain`, `LeaveDmaDomain`, `GetDmaDomain`,
/// `AllocateDomainCommonBuffer`) are not supported.
pub const DOMAIN_REASON: &str = "a DMA domain shares one IOMMU page table among adapters; \
    mapdma has one map-register file that every adapter shares already and no IOMMU, so \
    there is no second translation context to join";

/// Why the common-buffer-vector routines (`AllocateCommonBufferVector`,
/// `GetCommonBufferFromVectorByIndex`, `FreeCommonBufferFromVector`,
/// `FreeCommonBufferVector`) are not supported.
pub const VECTOR_REASON: &str = "common-buffer vectors serve devices with many small \
    buffers behind an IOMMU; every mapdma common buffer holds map registers of its own out of \
    a few dozen, so a vector would exhaust them: allocate the buffers one by one";

/// Why `ConfigureAdapterChannel` is not supported.
pub const CONFIGURE_REASON: &str = "mapdma's channels have no controller-specific functions: \
    everything a channel can be set to (width, auto-initialize, demand mode) comes from the \
    DEVICE_DESCRIPTION, and the 8237 registers belong to the HAL";

/// `DMA_ADAPTER_INFO_V1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaAdapterInfo {
    /// `ReadDmaCounter` works (system DMA).
    pub read_dma_counter_available: bool,
    /// Most scatter/gather elements one transfer may have: the adapter's map registers.
    pub scatter_gather_limit: u32,
    /// Bits of the addresses the device is given (logical addresses, through the map
    /// registers).
    pub dma_address_width: u32,
    /// `ADAPTER_INFO_SYNCHRONOUS_CALLBACK`: `DMA_SYNCHRONOUS_CALLBACK` is honoured.
    pub synchronous_callback: bool,
    /// `ADAPTER_INFO_API_BYPASS`: never; every transfer goes through the map registers.
    pub api_bypass: bool,
    /// Bytes per unit; transfers are whole units.
    pub minimum_transfer_unit: u32,
}

/// `DMA_TRANSFER_INFO_V1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaTransferInfo {
    pub map_register_count: u32,
    pub scatter_gather_element_count: u32,
    /// Bytes of the `SCATTER_GATHER_LIST` (64-bit layout).
    pub scatter_gather_list_size: u32,
}

/// `DMA_TRANSFER_CONTEXT`: names one channel request so that it can be cancelled. A context
/// serves one request at a time.
#[derive(Debug, PartialEq, Eq)]
pub struct DmaTransferContext {
    pub(crate) id: u64,
    pub(crate) adapter: u64,
}

impl DmaAdapter {
    /// Fails unless the adapter's table has `routine` (version 3).
    pub(crate) fn require_version3(&self, routine: &'static str) -> Result<()> {
        let version = self.operations_version();
        if version < 3 {
            return Err(DmaError::OperationsVersion {
                routine,
                needed: 3,
                version,
            });
        }
        Ok(())
    }

    pub(crate) fn check_context(&self, context: &DmaTransferContext) -> Result<()> {
        if context.adapter != self.id() {
            return Err(DmaError::UnknownContext);
        }
        Ok(())
    }

    /// `GetDmaAdapterInfo`.
    pub fn get_dma_adapter_info(&self) -> Result<DmaAdapterInfo> {
        self.require_version3("GetDmaAdapterInfo")?;
        let cfg = self.hal().cfg();
        Ok(DmaAdapterInfo {
            read_dma_counter_available: self.channel().is_some(),
            scatter_gather_limit: self.map_registers(),
            dma_address_width: cfg.logical_bits,
            synchronous_callback: true,
            api_bypass: false,
            minimum_transfer_unit: self.get_dma_alignment(),
        })
    }

    /// `InitializeDmaTransferContext`: a fresh context for `allocate_adapter_channel_ex` (and
    /// the S/G routines), later named by the cancel routines.
    pub fn initialize_dma_transfer_context(&self) -> Result<DmaTransferContext> {
        self.require_version3("InitializeDmaTransferContext")?;
        Ok(DmaTransferContext {
            id: self.hal().id(),
            adapter: self.id(),
        })
    }

    /// `ConfigureAdapterChannel`: always [`DmaError::RoutineNotSupported`] (the WDK's
    /// `STATUS_NOT_IMPLEMENTED` for an unknown function), see [`CONFIGURE_REASON`].
    pub fn configure_adapter_channel(&self, function_number: u32) -> Result<()> {
        self.require_version3("ConfigureAdapterChannel")?;
        let _ = function_number;
        Err(not_supported("ConfigureAdapterChannel", CONFIGURE_REASON))
    }

    /// `JoinDmaDomain`: not supported, see [`DOMAIN_REASON`].
    pub fn join_dma_domain(&self, domain: u64) -> Result<()> {
        let _ = domain;
        Err(not_supported("JoinDmaDomain", DOMAIN_REASON))
    }

    /// `LeaveDmaDomain`: not supported, see [`DOMAIN_REASON`].
    pub fn leave_dma_domain(&self) -> Result<()> {
        Err(not_supported("LeaveDmaDomain", DOMAIN_REASON))
    }

    /// `GetDmaDomain`: not supported, see [`DOMAIN_REASON`].
    pub fn get_dma_domain(&self) -> Result<u64> {
        Err(not_supported("GetDmaDomain", DOMAIN_REASON))
    }

    /// `AllocateDomainCommonBuffer`: not supported, see [`DOMAIN_REASON`].
    pub fn allocate_domain_common_buffer(&self, length: u32) -> Result<crate::CommonBuffer> {
        let _ = length;
        Err(not_supported("AllocateDomainCommonBuffer", DOMAIN_REASON))
    }

    /// `AllocateCommonBufferVector`: not supported, see [`VECTOR_REASON`].
    pub fn allocate_common_buffer_vector(&self, elements: u32, length: u32) -> Result<()> {
        let _ = (elements, length);
        Err(not_supported("AllocateCommonBufferVector", VECTOR_REASON))
    }

    /// `GetCommonBufferFromVectorByIndex`: not supported, see [`VECTOR_REASON`].
    pub fn get_common_buffer_from_vector_by_index(&self, index: u32) -> Result<()> {
        let _ = index;
        Err(not_supported(
            "GetCommonBufferFromVectorByIndex",
            VECTOR_REASON,
        ))
    }

    /// `FreeCommonBufferFromVector`: not supported, see [`VECTOR_REASON`].
    pub fn free_common_buffer_from_vector(&self, index: u32) -> Result<()> {
        let _ = index;
        Err(not_supported("FreeCommonBufferFromVector", VECTOR_REASON))
    }

    /// `FreeCommonBufferVector`: not supported, see [`VECTOR_REASON`].
    pub fn free_common_buffer_vector(&self) -> Result<()> {
        Err(not_supported("FreeCommonBufferVector", VECTOR_REASON))
    }
}

fn not_supported(routine: &'static str, reason: &'static str) -> DmaError {
    DmaError::RoutineNotSupported { routine, reason }
}
