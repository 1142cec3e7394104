//! `GetDmaTransferInfo`, `MapTransferEx`, `FlushAdapterBuffersEx` and `CancelMappedTransfer`.

use std::sync::{Arc, Mutex};

use mapdma_regmap::TransferType;

use super::chain::{chain_window, chain_windows};
use super::{DmaTransferContext, DmaTransferInfo};
use crate::adapter::DmaAdapter;
use crate::completion::{DmaCompletionRoutine, DmaCompletionStatus};
use crate::error::{DmaError, Result};
use crate::hal::{Armed, BoundCompletion, Call, ChannelKey};
use crate::map_registers::MapRegisterBase;
use crate::mdl::{span_pages, Mdl};
use crate::scatter_gather::{SG_ELEMENT_BYTES, SG_LIST_HEADER_BYTES};

/// What `map_transfer_ex` mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MappedTransferEx {
    /// Logical address of the first byte (for a bus master, its one scatter/gather element).
    pub logical_address: u64,
    /// Bytes mapped (the WDK's `*Length` on return): less than asked when the map registers
    /// or an unaligned junction of the chain end first; map the rest after the flush.
    pub length: usize,
}

impl DmaAdapter {
    /// `GetDmaTransferInfo`: map registers and scatter/gather list size a transfer of
    /// `[offset, offset + length)` of `chain` needs. Each run of the chain that the map
    /// registers make contiguous is one element (one, for a chain of page-aligned MDLs).
    /// `write_only` changes nothing: no buffer is ever bounced, so no copy is saved.
    pub fn get_dma_transfer_info(
        &self,
        chain: &[Mdl],
        offset: usize,
        length: usize,
        write_only: bool,
    ) -> Result<DmaTransferInfo> {
        self.require_version3("GetDmaTransferInfo")?;
        let _ = write_only;
        let windows = chain_windows(chain, offset, length)?;
        let registers: u64 = windows
            .iter()
            .map(|w| {
                let start = (w.mdl.byte_offset() + w.current_va) as u64;
                span_pages(start, w.length as u64, w.mdl.page_shift())
            })
            .sum();
        let elements = windows.len();
        Ok(DmaTransferInfo {
            map_register_count: registers as u32,
            scatter_gather_element_count: elements as u32,
            scatter_gather_list_size: (SG_LIST_HEADER_BYTES + elements * SG_ELEMENT_BYTES) as u32,
        })
    }

    /// `MapTransferEx`: maps `[offset, offset + length)` of the MDL chain through the map
    /// registers of `base` and, for system DMA, programs and starts the channel. With a
    /// `completion` routine (system DMA only) the controller's terminal-count and fault
    /// interrupts drive it (see [`crate::completion`]); without one the driver polls, as with
    /// `map_transfer`.
    ///
    /// `device_offset` addresses one of several device FIFOs; mapdma's devices have one data
    /// stream per channel, so it must be 0. The mapped length may be shorter than `length`
    /// (see [`MappedTransferEx::length`]).
    #[allow(clippy::too_many_arguments)]
    pub fn map_transfer_ex(
        &self,
        chain: &[Mdl],
        base: MapRegisterBase,
        offset: usize,
        device_offset: u32,
        length: usize,
        transfer: TransferType,
        completion: Option<DmaCompletionRoutine>,
    ) -> Result<MappedTransferEx> {
        self.require_version3("MapTransferEx")?;
        if device_offset != 0 {
            return Err(DmaError::NotSupported(
                "DeviceOffset: a mapdma device has one data stream per channel; pass 0",
            ));
        }
        let channel = self.channel();
        if completion.is_some() && channel.is_none() {
            return Err(DmaError::NotSupported(
                "a completion routine is for system DMA: a bus master's transfer ends when \
                 its device says so, the controller has no terminal count for it",
            ));
        }
        if let Some(c) = channel {
            let key = ChannelKey::Dma(c);
            match self.hal().lock().grant_cancelled(self.id(), key) {
                Some(true) => return Err(DmaError::TransferCancelled),
                Some(false) => {}
                None => return Err(DmaError::ChannelNotAllocated),
            }
        }
        let w = chain_window(chain, offset, length)?;
        let (logical_address, mapped) =
            self.map_transfer(&w.mdl, base, w.current_va, w.length, transfer)?;
        if let (Some(c), Some(routine)) = (channel, completion) {
            let armed = Armed {
                adapter: self.id(),
                auto_initialize: self.description().auto_initialize,
                routine: Arc::new(Mutex::new(self.bind_completion(routine))),
            };
            self.hal().lock().arm_completion(c, armed)?;
        }
        Ok(MappedTransferEx {
            logical_address,
            length: mapped,
        })
    }

    fn bind_completion(&self, mut routine: DmaCompletionRoutine) -> BoundCompletion {
        let inner = self.inner.clone();
        Box::new(move |status| routine(&DmaAdapter::borrowed(inner.clone()), status))
    }

    /// `FlushAdapterBuffersEx`: `flush_adapter_buffers` for what `map_transfer_ex` mapped:
    /// the same chain, offset, the length it returned and the direction. Stops a system-DMA
    /// channel; a completion routine without its final call gets `Aborted` (or `Error`).
    pub fn flush_adapter_buffers_ex(
        &self,
        chain: &[Mdl],
        base: MapRegisterBase,
        offset: usize,
        length: usize,
        transfer: TransferType,
    ) -> Result<()> {
        self.require_version3("FlushAdapterBuffersEx")?;
        let w = chain_window(chain, offset, length)?;
        self.flush_adapter_buffers(&w.mdl, base, w.current_va, w.length, transfer)
    }

    /// `CancelMappedTransfer`: stops the system-DMA transfer mapped under `context` (the
    /// channel is masked), runs its completion routine, if one is armed, with `Cancelled`,
    /// and refuses further `map_transfer_ex` under the context. The driver still flushes and
    /// frees the channel.
    pub fn cancel_mapped_transfer(&self, context: &DmaTransferContext) -> Result<()> {
        self.require_version3("CancelMappedTransfer")?;
        self.check_context(context)?;
        let Some(c) = self.channel() else {
            return Err(DmaError::NotSupported(
                "cancel_mapped_transfer is for system DMA: a bus master's device stops its own \
                 transfer",
            ));
        };
        let armed = {
            let mut st = self.hal().lock();
            let key = st
                .context_key(self.id(), context.id)
                .ok_or(DmaError::ChannelNotAllocated)?;
            st.channel_mapping(self.id(), key)?;
            st.mask_channel(c)?;
            st.cancel_grant(key);
            st.disarm_completion(c)
        };
        if let Some(a) = armed {
            Call::new(&a, DmaCompletionStatus::Cancelled).run();
        }
        Ok(())
    }
}
