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
use crate::hal::Hal;
use crate::mdl::{bytes_to_pages, Mdl};

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

/// `free_common_buffer` refused; the buffer is handed back, still allocated.
pub struct FreeBufferError {
    pub buffer: CommonBuffer,
    pub error: DmaError,
}

impl std::fmt::Debug for FreeBufferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FreeBufferError({:?})", self.error)
    }
}

impl std::fmt::Display for FreeBufferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "free_common_buffer refused: {}", self.error)
    }
}

/// Displays its `error` (which is therefore not repeated as a source).
impl std::error::Error for FreeBufferError {}

/// For `?` in functions returning [`DmaError`]: the buffer is dropped, which frees it once no
/// mapped transfer uses it any more.
impl From<FreeBufferError> for DmaError {
    fn from(e: FreeBufferError) -> Self {
        e.error
    }
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
        let shift = self.hal.cfg().page_shift;
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
        if !st.has_common_buffer(self.id) {
            return Err(DmaError::UnknownCommonBuffer);
        }
        Ok(st
            .backend()
            .read(self.physical_address + offset as u64, buf)?)
    }

    /// CPU write at `offset` into the buffer.
    pub fn write(&self, offset: usize, data: &[u8]) -> Result<()> {
        self.check(offset, data.len())?;
        let mut st = self.hal.lock();
        if !st.has_common_buffer(self.id) {
            return Err(DmaError::UnknownCommonBuffer);
        }
        Ok(st
            .backend()
            .write(self.physical_address + offset as u64, data)?)
    }
}

impl Drop for CommonBuffer {
    /// Frees the buffer if its adapter has not already; pages a mapped transfer still points
    /// at are freed after its flush.
    fn drop(&mut self) {
        let mut st = self.hal.lock();
        if st.has_common_buffer(self.id) {
            let _ = st.release_common_buffer(self.id);
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
        let cfg = hal.cfg();
        let pages = bytes_to_pages(length as u64, cfg.page_shift).max(1) as usize;
        let mut st = hal.lock();
        let in_segment = self.channel().is_some();
        let first = st.allocate_registers(pages, in_segment).ok_or_else(|| {
            DmaError::InsufficientResources {
                what: format!("no free run of {pages} map registers for a common buffer"),
            }
        })?;
        let physical = match st.backend().allocate_contiguous(pages) {
            Ok(p) => p,
            Err(e) => {
                let _ = st.return_registers(first, pages);
                return Err(e.into());
            }
        };
        let id = st.add_common_buffer(self.inner.id, physical, pages, first);
        let page = cfg.page_size();
        for k in 0..pages {
            let frame = (physical >> cfg.page_shift) + k as u64;
            if frame >> cfg.frame_bits() != 0 {
                let _ = st.release_common_buffer(id);
                return Err(DmaError::FrameOutOfRange {
                    address: frame << cfg.page_shift,
                });
            }
            let entry = rm::map::VALID.put(&cfg, 1)
                | rm::map::WRITABLE.put(&cfg, 1)
                | rm::map::FRAME.put(&cfg, frame as u32);
            st.wr(rm::MAP.at(first + k), entry)?;
        }
        st.backend()
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

    /// `FreeCommonBuffer`. Refused, with the buffer handed back, while a mapped transfer uses
    /// its pages (flush first: the device would otherwise keep writing into freed memory) or
    /// when the buffer belongs to another adapter.
    pub fn free_common_buffer(
        &self,
        buffer: CommonBuffer,
    ) -> std::result::Result<(), FreeBufferError> {
        let freed = self
            .inner
            .hal
            .lock()
            .free_common_buffer(self.inner.id, buffer.id);
        match freed {
            Ok(()) => Ok(()),
            Err(error) => Err(FreeBufferError { buffer, error }),
        }
    }
}
