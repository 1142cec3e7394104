//! `AllocateCommonBufferEx`, `GetScatterGatherListEx` and `BuildScatterGatherListEx`.

use mapdma_regmap::TransferType;

use std::sync::{Arc, Mutex};

use super::chain::chain_windows;
use super::{AllocateFlags, DmaTransferContext};
use crate::adapter::{AllocationStatus, DmaAdapter};
use crate::common_buffer::CommonBuffer;
use crate::error::{DmaError, Result};
use crate::mdl::Mdl;
use crate::scatter_gather::{ScatterGatherElement, ScatterGatherList};

impl DmaAdapter {
    /// `AllocateCommonBufferEx`: `allocate_common_buffer` whose logical address range (what
    /// the device is given) ends at or below `maximum_address`, when one is given; otherwise
    /// it fails with `InsufficientResources` and nothing stays allocated. `preferred_node` is
    /// ignored: mapdma's memory is one node, so there is no nearer memory to prefer.
    pub fn allocate_common_buffer_ex(
        &self,
        maximum_address: Option<u64>,
        length: u32,
        cache_enabled: bool,
        preferred_node: u32,
    ) -> Result<CommonBuffer> {
        self.require_version3("AllocateCommonBufferEx")?;
        let _ = preferred_node;
        let buffer = self.allocate_common_buffer(length, cache_enabled)?;
        let last = buffer.logical_address() + length as u64 - 1;
        match maximum_address {
            Some(max) if last > max => {
                self.free_common_buffer(buffer).map_err(|e| e.error)?;
                Err(DmaError::InsufficientResources {
                    what: format!(
                        "a common buffer of {length} bytes would end at logical address \
                         {last:#x}, above the maximum {max:#x}"
                    ),
                })
            }
            _ => Ok(buffer),
        }
    }

    /// `GetScatterGatherListEx`: `get_scatter_gather_list` over an MDL chain, under a transfer
    /// context (so `cancel_adapter_channel` can withdraw it while it waits for map
    /// registers). Bus masters only, as the version-1 routine. The list has one element per
    /// logically contiguous run of the chain (see [`super::ChainWindow`]: MDLs joined where
    /// their junction falls on page boundaries), the count `get_dma_transfer_info` reports;
    /// the map registers of every run are allocated together.
    ///
    /// `flags` as in `allocate_adapter_channel_ex`: with
    /// [`AllocateFlags::SynchronousCallback`] `list_control` has run when the call returns, or
    /// the call fails with `InsufficientResources` and nothing is queued. Without a routine,
    /// use [`DmaAdapter::get_scatter_gather_list_ex_now`]. Left out of the WDK's parameters:
    /// the device object (a list request does not use a device's single wait block, as with
    /// `get_scatter_gather_list`) and the completion routine (for system DMA, which has no
    /// lists here).
    #[allow(clippy::too_many_arguments)]
    pub fn get_scatter_gather_list_ex(
        &self,
        context: &DmaTransferContext,
        chain: &[Mdl],
        offset: usize,
        length: usize,
        transfer: TransferType,
        flags: AllocateFlags,
        list_control: impl FnOnce(&DmaAdapter, Result<ScatterGatherList>) + Send + 'static,
    ) -> Result<AllocationStatus> {
        self.require_version3("GetScatterGatherListEx")?;
        self.list_ex(
            context,
            chain,
            offset,
            length,
            transfer,
            None,
            flags,
            Box::new(list_control),
        )
    }

    /// `GetScatterGatherListEx` with `DMA_SYNCHRONOUS_CALLBACK` and no execution routine: the
    /// list is built now and returned (the WDK's `*ScatterGatherList`), or the call fails with
    /// `InsufficientResources` when the map registers are not free now, and nothing is
    /// queued. Release it with `put_scatter_gather_list`.
    pub fn get_scatter_gather_list_ex_now(
        &self,
        context: &DmaTransferContext,
        chain: &[Mdl],
        offset: usize,
        length: usize,
        transfer: TransferType,
    ) -> Result<ScatterGatherList> {
        self.require_version3("GetScatterGatherListEx")?;
        let slot = Arc::new(Mutex::new(None));
        let filled = slot.clone();
        self.list_ex(
            context,
            chain,
            offset,
            length,
            transfer,
            None,
            AllocateFlags::SynchronousCallback,
            Box::new(move |_: &DmaAdapter, list| {
                *filled.lock().unwrap_or_else(|e| e.into_inner()) = Some(list)
            }),
        )?;
        let list = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        list.expect("a synchronous grant runs the list routine before it returns")
    }

    /// `BuildScatterGatherListEx`: as `get_scatter_gather_list_ex`, into caller storage (its
    /// capacity is the buffer size, in elements: one per run of the chain).
    #[allow(clippy::too_many_arguments)]
    pub fn build_scatter_gather_list_ex(
        &self,
        context: &DmaTransferContext,
        chain: &[Mdl],
        offset: usize,
        length: usize,
        transfer: TransferType,
        flags: AllocateFlags,
        storage: Vec<ScatterGatherElement>,
        list_control: impl FnOnce(&DmaAdapter, Result<ScatterGatherList>) + Send + 'static,
    ) -> Result<AllocationStatus> {
        self.require_version3("BuildScatterGatherListEx")?;
        self.list_ex(
            context,
            chain,
            offset,
            length,
            transfer,
            Some(storage),
            flags,
            Box::new(list_control),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn list_ex(
        &self,
        context: &DmaTransferContext,
        chain: &[Mdl],
        offset: usize,
        length: usize,
        transfer: TransferType,
        storage: Option<Vec<ScatterGatherElement>>,
        flags: AllocateFlags,
        list_control: crate::scatter_gather::ListControl,
    ) -> Result<AllocationStatus> {
        self.check_context(context)?;
        self.require_master()?;
        let runs = chain_windows(chain, offset, length)?;
        let storage = match storage {
            Some(s) if s.capacity() < runs.len() => {
                return Err(DmaError::BufferTooSmall {
                    needed: runs.len(),
                    given: s.capacity(),
                })
            }
            Some(s) => s,
            None => Vec::with_capacity(runs.len()),
        };
        let mut regs = 0u32;
        for run in &runs {
            regs += self.sg_registers(&run.mdl, run.current_va, run.length)?;
        }
        if regs > self.map_registers() {
            return Err(DmaError::TooManyMapRegisters {
                requested: regs,
                granted: self.map_registers(),
            });
        }
        if self.hal().lock().context_in_use(context.id) {
            return Err(DmaError::ContextInUse);
        }
        self.start_list(
            runs,
            transfer,
            regs,
            storage,
            list_control,
            Some(context.id),
            flags,
        )
    }
}
