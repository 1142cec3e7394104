//! Driver memory that is not a common buffer: scattered physical pages (what a locked-down
//! user buffer or non-paged pool looks like), readable and writable by the CPU.

use std::sync::Arc;

use crate::error::{DmaError, Result};
use crate::hal::Hal;
use crate::mdl::{bytes_to_pages, Mdl};

/// Scattered physical pages. Dropping it frees them (after the flush, if a transfer is mapped).
pub struct PageBuffer {
    id: u64,
    hal: Arc<Hal>,
    pages: Vec<u64>,
    len: usize,
}

impl PageBuffer {
    pub(crate) fn allocate(hal: Arc<Hal>, len: usize) -> Result<Self> {
        if len == 0 {
            return Err(DmaError::ZeroLength);
        }
        let n = bytes_to_pages(len as u64, hal.cfg().page_shift) as usize;
        let id;
        let pages;
        {
            let mut st = hal.lock();
            pages = st.backend().allocate_pages(n)?;
            id = st.add_page_buffer(pages.clone());
        }
        Ok(PageBuffer {
            id,
            hal,
            pages,
            len,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Physical addresses of the pages, in buffer order.
    pub fn pages(&self) -> &[u64] {
        &self.pages
    }

    /// An MDL over `[byte_offset, byte_offset + byte_count)` of the buffer.
    pub fn mdl(&self, byte_offset: usize, byte_count: usize) -> Result<Mdl> {
        let shift = self.hal.cfg().page_shift;
        let page = 1usize << shift;
        if byte_count == 0 {
            return Err(DmaError::ZeroLength);
        }
        if byte_offset + byte_count > self.len {
            return Err(DmaError::OutsideMdl {
                current_va: byte_offset,
                length: byte_count,
                byte_count: self.len,
            });
        }
        let first = byte_offset / page;
        let last = (byte_offset + byte_count - 1) / page;
        Mdl::from_pages(
            shift,
            byte_offset % page,
            byte_count,
            &self.pages[first..=last],
        )
    }

    fn each_piece(
        &self,
        offset: usize,
        len: usize,
        mut f: impl FnMut(u64, usize, usize) -> Result<()>,
    ) -> Result<()> {
        if offset > self.len || len > self.len - offset {
            return Err(DmaError::OutsideMdl {
                current_va: offset,
                length: len,
                byte_count: self.len,
            });
        }
        let page = 1usize << self.hal.cfg().page_shift;
        let mut done = 0;
        while done < len {
            let at = offset + done;
            let n = (page - at % page).min(len - done);
            f(self.pages[at / page] + (at % page) as u64, done, n)?;
            done += n;
        }
        Ok(())
    }

    /// CPU read.
    pub fn read(&self, offset: usize, buf: &mut [u8]) -> Result<()> {
        let mut st = self.hal.lock();
        self.each_piece(offset, buf.len(), |phys, at, n| {
            Ok(st.backend().read(phys, &mut buf[at..at + n])?)
        })
    }

    /// CPU write.
    pub fn write(&self, offset: usize, data: &[u8]) -> Result<()> {
        let mut st = self.hal.lock();
        self.each_piece(offset, data.len(), |phys, at, n| {
            Ok(st.backend().write(phys, &data[at..at + n])?)
        })
    }
}

impl Drop for PageBuffer {
    /// Frees the pages, or, while a mapped transfer still points at them, once it is flushed
    /// (the device must never write into pages handed to someone else).
    fn drop(&mut self) {
        self.hal.lock().drop_page_buffer(self.id);
    }
}
