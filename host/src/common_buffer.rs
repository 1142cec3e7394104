//! `AllocateCommonBuffer` / `FreeCommonBuffer`: physically contiguous, page-granular memory
//! that the CPU and the device share.
//!
//! The logical address is real: the buffer gets its own map registers (valid, device may
//! write) for as long as it lives, inside one 64 KiB logical segment for system-DMA adapters
//! as an 8237 needs. A system-DMA driver ignores it (the seed says so) and reaches the buffer
//! through `map_transfer` on an MDL built over it.

use std::sync::Arc;

use mapdma_regmap as rm;

use crate::adapter::DmaAdapter;
use crate::error::{DmaError, Result};
use crate::mdl::{bytes_to_pages, Mdl};
use crate::system::{CommonRecord, Hal, HalState};

/// A common buffer. Dropping it frees it (if its adapter has not already).
pub struct CommonBuffer {
    id: u64,
    hal: Arc<Hal>,
    logical_address: u64,
    physical_address: u64,
    length: usize,
    cache_enabled: bool,
}

impl std::fmt::Debug for CommonBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommonBuffer")
            .field("logical_address", &self.logical_address)
            .field("physical_address", &self.physical_address)
            .field("length", &self.length)
            .finish()
    }
}

/// Frees a recorded common buffer: registers invalidated and returned, pages freed.
pub(crate) fn release(st: &mut HalState, id: u64) -> Result<()> {
    let r = st
        .common_buffers
        .remove(&id)
        .ok_or(DmaError::UnknownCommonBuffer)?;
    st.release_registers(r.first_register, r.pages)?;
    let page = st.backend.page_size();
    let pages: Vec<u64> = (0..r.pages as u64).map(|i| r.physical + i * page).collect();
    st.backend.free_pages(&pages)?;
    Ok(())
}

impl CommonBuffer {
    /// The device's (logical) address.
    pub fn logical_address(&self) -> u64 {
        self.logical_address
    }

    pub fn physical_address(&self) -> u64 {
        self.physical_address
    }

    /// Bytes asked for (the allocation is rounded up to whole pages).
    pub fn len(&self) -> usize {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    pub fn cache_enabled(&self) -> bool {
        self.cache_enabled
    }

    /// `IoAllocateMdl` + `MmBuildMdlForNonPagedPool` over the whole buffer.
    pub fn mdl(&self) -> Result<Mdl> {
        let shift = self.hal.cfg.page_shift;
        let pages = bytes_to_pages(self.length as u64, shift);
        let first = self.physical_address >> shift;
        Mdl::new(shift, 0, self.length, (first..first + pages).collect())
    }

    fn check(&self, offset: usize, len: usize) -> Result<()> {
        if offset > self.length || len > self.length - offset {
            return Err(DmaError::OutsideMdl {
                current_va: offset,
                length: len,
                byte_count: self.length,
            });
        }
        Ok(())
    }

    /// CPU read at `offset` into the buffer.
    pub fn read(&self, offset: usize, buf: &mut [u8]) -> Result<()> {
        self.check(offset, buf.len())?;
        let mut st = self.hal.lock();
        if !st.common_buffers.contains_key(&self.id) {
            return Err(DmaError::UnknownCommonBuffer);
        }
        Ok(st
            .backend
            .read(self.physical_address + offset as u64, buf)?)
    }

    /// CPU write at `offset` into the buffer.
    pub fn write(&self, offset: usize, data: &[u8]) -> Result<()> {
        self.check(offset, data.len())?;
        let mut st = self.hal.lock();
        if !st.common_buffers.contains_key(&self.id) {
            return Err(DmaError::UnknownCommonBuffer);
        }
        Ok(st
            .backend
            .write(self.physical_address + offset as u64, data)?)
    }
}

impl Drop for CommonBuffer {
    fn drop(&mut self) {
        let mut st = self.hal.lock();
        if st.common_buffers.contains_key(&self.id) {
            let _ = release(&mut st, self.id);
        }
    }
}

impl DmaAdapter {
    /// `AllocateCommonBuffer`: at least one page, physically contiguous, zeroed, with map
    /// registers of its own. Fails (the WDK's NULL) when memory or map registers run out.
    pub fn allocate_common_buffer(&self, length: u32, cache_enabled: bool) -> Result<CommonBuffer> {
        if length == 0 {
            return Err(DmaError::ZeroLength);
        }
        let hal = self.inner.hal.clone();
        let cfg = hal.cfg;
        let pages = bytes_to_pages(length as u64, cfg.page_shift).max(1) as usize;
        let mut st = hal.lock();
        let in_segment = self.channel().is_some();
        let first =
            st.pool
                .allocate(pages, in_segment)
                .ok_or_else(|| DmaError::InsufficientResources {
                    what: format!("no free run of {pages} map registers for a common buffer"),
                })?;
        let physical = match st.backend.allocate_contiguous(pages) {
            Ok(p) => p,
            Err(e) => {
                st.pool.free(first, pages);
                return Err(e.into());
            }
        };
        let id = st.fresh_id();
        st.common_buffers.insert(
            id,
            CommonRecord {
                adapter: self.inner.id,
                physical,
                pages,
                first_register: first,
            },
        );
        let page = cfg.page_size();
        for k in 0..pages {
            let frame = (physical >> cfg.page_shift) + k as u64;
            if frame >> cfg.frame_bits() != 0 {
                let _ = release(&mut st, id);
                return Err(DmaError::FrameOutOfRange {
                    address: frame << cfg.page_shift,
                });
            }
            let entry = rm::map::VALID.put(&cfg, 1)
                | rm::map::WRITABLE.put(&cfg, 1)
                | rm::map::FRAME.put(&cfg, frame as u32);
            st.wr(rm::MAP.at(first + k), entry)?;
        }
        st.backend
            .write(physical, &vec![0; pages * page as usize])?;
        drop(st);
        Ok(CommonBuffer {
            id,
            hal,
            logical_address: (first as u64) << cfg.page_shift,
            physical_address: physical,
            length: length as usize,
            cache_enabled,
        })
    }

    /// `FreeCommonBuffer`. Freeing another adapter's buffer is an error (the buffer is still
    /// released when it drops).
    pub fn free_common_buffer(&self, buffer: CommonBuffer) -> Result<()> {
        let mut st = self.inner.hal.lock();
        match st.common_buffers.get(&buffer.id) {
            Some(r) if r.adapter == self.inner.id => release(&mut st, buffer.id),
            _ => Err(DmaError::UnknownCommonBuffer),
        }
    }
}
