//! Mapped transfers and the memory handed to drivers: what `map_transfer` recorded, common
//! buffers and page buffers, and pages whose owner let go of them while a transfer still
//! pointed at them (freed at its flush, so the device never writes into reused memory).

use mapdma_regmap::TransferType;

use super::{Allocation, ChannelKey, CommonRecord, HalState};
use crate::error::{DmaError, MappedTransfer, Result};
use crate::map_registers::MapRegisterBase;

/// One transfer programmed by `map_transfer` and not yet flushed.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    pub current_va: usize,
    pub length: usize,
    pub first_register: usize,
    pub registers: usize,
    pub transfer: TransferType,
    /// Physical page frames the map entries point at (to refuse freeing them under DMA).
    pub frames: Vec<u64>,
}

impl Mapping {
    fn described(&self) -> MappedTransfer {
        MappedTransfer {
            current_va: self.current_va,
            length: self.length,
            transfer: self.transfer,
        }
    }
}

/// Where a base's next mapping may go.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BaseRoom {
    /// First register not used by a mapping yet.
    pub next_register: usize,
    /// Registers left.
    pub free: usize,
    pub count: usize,
    pub mapped: usize,
}

impl HalState {
    pub(super) fn owned_base(&self, adapter: u64, base: MapRegisterBase) -> Result<&Allocation> {
        self.bases
            .get(&base.0)
            .filter(|a| a.adapter == adapter)
            .ok_or(DmaError::UnknownMapRegisterBase)
    }

    /// Room left in one of `adapter`'s bases.
    pub fn base_room(&self, adapter: u64, base: MapRegisterBase) -> Result<BaseRoom> {
        let a = self.owned_base(adapter, base)?;
        let used: usize = a.mappings.iter().map(|m| m.registers).sum();
        Ok(BaseRoom {
            next_register: a.first + used,
            free: a.count - used,
            count: a.count,
            mapped: a.mappings.len(),
        })
    }

    /// Records a mapping whose map entries (and channel) are programmed.
    pub fn add_mapping(&mut self, base: MapRegisterBase, mapping: Mapping) {
        if let Some(a) = self.bases.get_mut(&base.0) {
            a.mappings.push(mapping);
        }
    }

    /// Removes the mapping `flush_adapter_buffers` names; the error lists what is mapped.
    pub fn take_mapping(
        &mut self,
        adapter: u64,
        base: MapRegisterBase,
        wanted: MappedTransfer,
    ) -> Result<Mapping> {
        let a = self.owned_base(adapter, base)?;
        let Some(i) = a.mappings.iter().position(|m| m.described() == wanted) else {
            return Err(DmaError::NotMapped {
                wanted,
                mapped: a.mappings.iter().map(Mapping::described).collect(),
            });
        };
        let m = self
            .bases
            .get_mut(&base.0)
            .map(|a| a.mappings.remove(i))
            .ok_or(DmaError::UnknownMapRegisterBase)?;
        Ok(m)
    }

    /// Invalidates a flushed mapping's entries and frees pages that waited for it.
    pub fn unmap(&mut self, m: &Mapping) -> Result<()> {
        let r = self.invalidate(m.first_register, m.registers);
        self.free_doomed_pages();
        r
    }

    /// The transfer mapped on `adapter`'s grant on `key` (for the DMA counter).
    pub fn channel_mapping(&self, adapter: u64, key: ChannelKey) -> Result<MappedTransfer> {
        let base = self
            .held_base(adapter, key)
            .ok_or(DmaError::ChannelNotAllocated)?;
        let channel = match key {
            ChannelKey::Dma(c) => c,
            ChannelKey::Adapter(_) => 0,
        };
        base.and_then(|b| self.bases.get(&b.0))
            .and_then(|a| a.mappings.first())
            .map(Mapping::described)
            .ok_or(DmaError::NothingMapped { channel })
    }

    fn frames_mapped(&self) -> impl Iterator<Item = u64> + '_ {
        self.bases
            .values()
            .flat_map(|a| a.mappings.iter())
            .flat_map(|m| m.frames.iter().copied())
    }

    /// Mapped transfers whose pages include one of `pages` (physical addresses).
    fn transfers_using(&self, pages: &[u64]) -> usize {
        self.bases
            .values()
            .flat_map(|a| a.mappings.iter())
            .filter(|m| {
                pages
                    .iter()
                    .any(|p| m.frames.contains(&(p >> self.cfg.page_shift)))
            })
            .count()
    }

    /// Frees pages given up while mapped, once no mapped transfer points at them.
    pub(super) fn free_doomed_pages(&mut self) {
        if self.doomed_pages.is_empty() {
            return;
        }
        let shift = self.cfg.page_shift;
        let in_use: Vec<u64> = self.frames_mapped().collect();
        let (free, keep): (Vec<u64>, Vec<u64>) = std::mem::take(&mut self.doomed_pages)
            .into_iter()
            .partition(|p| !in_use.contains(&(p >> shift)));
        self.doomed_pages = keep;
        if !free.is_empty() {
            let _ = self.backend.free_pages(&free);
        }
    }

    /// Frees pages now, or when the last mapped transfer using them is flushed.
    fn free_pages_when_unmapped(&mut self, pages: Vec<u64>) -> Result<()> {
        if self.transfers_using(&pages) == 0 {
            Ok(self.backend.free_pages(&pages)?)
        } else {
            self.doomed_pages.extend(pages);
            Ok(())
        }
    }

    pub fn add_page_buffer(&mut self, pages: Vec<u64>) -> u64 {
        let id = self.fresh_id();
        self.page_buffers.insert(id, pages);
        id
    }

    /// The drop of a page buffer: its pages go back once no transfer is mapped over them.
    pub fn drop_page_buffer(&mut self, id: u64) {
        if let Some(pages) = self.page_buffers.remove(&id) {
            let _ = self.free_pages_when_unmapped(pages);
        }
    }

    /// Takes map registers for a common buffer (`None` when no run is free).
    pub fn allocate_registers(&mut self, count: usize, in_segment: bool) -> Option<usize> {
        self.pool.allocate(count, in_segment)
    }

    /// Gives back registers taken by `allocate_registers` and never recorded.
    pub fn return_registers(&mut self, first: usize, count: usize) -> Result<()> {
        self.release_registers(first, count)
    }

    pub fn add_common_buffer(
        &mut self,
        adapter: u64,
        physical: u64,
        pages: usize,
        first_register: usize,
    ) -> u64 {
        let id = self.fresh_id();
        self.common_buffers.insert(
            id,
            CommonRecord {
                adapter,
                physical,
                pages,
                first_register,
            },
        );
        id
    }

    pub fn has_common_buffer(&self, id: u64) -> bool {
        self.common_buffers.contains_key(&id)
    }

    fn common_pages(&self, r: &CommonRecord) -> Vec<u64> {
        let page = self.cfg.page_size();
        (0..r.pages as u64).map(|i| r.physical + i * page).collect()
    }

    /// `free_common_buffer`: refused while a mapped transfer uses the buffer's pages.
    pub fn free_common_buffer(&mut self, adapter: u64, id: u64) -> Result<()> {
        let r = self
            .common_buffers
            .get(&id)
            .filter(|r| r.adapter == adapter)
            .ok_or(DmaError::UnknownCommonBuffer)?;
        let transfers = self.transfers_using(&self.common_pages(r));
        if transfers > 0 {
            return Err(DmaError::StillMapped { transfers });
        }
        self.release_common_buffer(id)
    }

    /// Frees a recorded common buffer: registers invalidated and returned, pages freed (when
    /// no mapped transfer uses them any more).
    pub fn release_common_buffer(&mut self, id: u64) -> Result<()> {
        let r = self
            .common_buffers
            .remove(&id)
            .ok_or(DmaError::UnknownCommonBuffer)?;
        let pages = self.common_pages(&r);
        let registers = self.release_registers(r.first_register, r.pages);
        self.free_pages_when_unmapped(pages)?;
        registers
    }
}
