//! `AllocateCommonBufferEx`, `GetScatterGatherListEx` and `BuildScatterGatherListEx`.

use mapdma_regmap::TransferType;

use super::chain::chain_window;
use super::DmaTransferContext;
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
    /// registers). Bus masters only, as the version-1 routine. The range must lie in one run
    /// of page-aligned MDLs (see [`super::ChainWindow`]); the list then has one element.
    ///
    /// Left out of the WDK's parameters: the device object (a list request does not use a
    /// device's single wait block, as with `get_scatter_gather_list`), the flags and the
    /// completion routine (for system DMA, which has no lists here), and the synchronous form
    /// without a list-control routine.
    #[allow(clippy::too_many_arguments)]
    pub fn get_scatter_gather_list_ex(
        &self,
        context: &DmaTransferContext,
        chain: &[Mdl],
        offset: usize,
        length: usize,
        transfer: TransferType,
        list_control: impl FnOnce(&DmaAdapter, Result<ScatterGatherList>) + Send + 'static,
    ) -> Result<AllocationStatus> {
        self.require_version3("GetScatterGatherListEx")?;
        self.list_ex(
            context,
            chain,
            offset,
            length,
            transfer,
            Vec::new(),
            Box::new(list_control),
        )
    }

    /// `BuildScatterGatherListEx`: as `get_scatter_gather_list_ex`, into caller storage (its
    /// capacity is the buffer size, in elements).
    #[allow(clippy::too_many_arguments)]
    pub fn build_scatter_gather_list_ex(
        &self,
        context: &DmaTransferContext,
        chain: &[Mdl],
        offset: usize,
        length: usize,
        transfer: TransferType,
        storage: Vec<ScatterGatherElement>,
        list_control: impl FnOnce(&DmaAdapter, Result<ScatterGatherList>) + Send + 'static,
    ) -> Result<AllocationStatus> {
        self.require_version3("BuildScatterGatherListEx")?;
        if storage.capacity() < 1 {
            return Err(DmaError::BufferTooSmall {
                needed: 1,
                given: storage.capacity(),
            });
        }
        self.list_ex(
            context,
            chain,
            offset,
            length,
            transfer,
            storage,
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
        storage: Vec<ScatterGatherElement>,
        list_control: crate::scatter_gather::ListControl,
    ) -> Result<AllocationStatus> {
        self.check_context(context)?;
        self.require_master()?;
        let w = chain_window(chain, offset, length)?;
        if w.length < length {
            return Err(DmaError::BadMdl(format!(
                "the MDL chain is not page-aligned at byte {} of the range: a list covers one \
                 logically contiguous run",
                w.length
            )));
        }
        let regs = self.sg_registers(&w.mdl, w.current_va, w.length)?;
        if self.hal().lock().context_in_use(context.id) {
            return Err(DmaError::ContextInUse);
        }
        self.start_list(
            w.mdl,
            w.current_va,
            w.length,
            transfer,
            regs,
            storage,
            list_control,
            Some(context.id),
        )
    }
}
