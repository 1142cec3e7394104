//! `MDL`: a buffer described as a byte offset into its first page, a byte count and the page
//! frame numbers of every page it touches. CurrentVa in `map_transfer` is an offset into it.

use crate::error::{DmaError, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mdl {
    page_shift: u32,
    byte_offset: usize,
    byte_count: usize,
    frames: Vec<u64>,
}

/// `BYTES_TO_PAGES`.
pub fn bytes_to_pages(bytes: u64, page_shift: u32) -> u64 {
    bytes.div_ceil(1 << page_shift)
}

/// `ADDRESS_AND_SIZE_TO_SPAN_PAGES`: pages touched by `length` bytes starting `offset` bytes
/// into a page (an unaligned start costs one more page).
pub fn span_pages(offset: u64, length: u64, page_shift: u32) -> u64 {
    let in_page = offset & ((1 << page_shift) - 1);
    bytes_to_pages(in_page + length, page_shift)
}

impl Mdl {
    /// An MDL over `frames` (page frame numbers), starting `byte_offset` bytes into the first.
    pub fn new(
        page_shift: u32,
        byte_offset: usize,
        byte_count: usize,
        frames: Vec<u64>,
    ) -> Result<Self> {
        let page = 1usize << page_shift;
        if byte_count == 0 {
            return Err(DmaError::ZeroLength);
        }
        if byte_offset >= page {
            return Err(DmaError::BadMdl(format!(
                "byte offset {byte_offset} is not inside the first page ({page} bytes)"
            )));
        }
        let needed = span_pages(byte_offset as u64, byte_count as u64, page_shift) as usize;
        if frames.len() != needed {
            return Err(DmaError::BadMdl(format!(
                "{byte_count} bytes at offset {byte_offset} span {needed} pages, {} frames given",
                frames.len()
            )));
        }
        Ok(Mdl {
            page_shift,
            byte_offset,
            byte_count,
            frames,
        })
    }

    /// An MDL over physical page addresses (page-aligned).
    pub fn from_pages(
        page_shift: u32,
        byte_offset: usize,
        byte_count: usize,
        pages: &[u64],
    ) -> Result<Self> {
        let mask = (1u64 << page_shift) - 1;
        if let Some(bad) = pages.iter().find(|p| *p & mask != 0) {
            return Err(DmaError::BadMdl(format!(
                "page address {bad:#x} is not page-aligned"
            )));
        }
        let frames = pages.iter().map(|p| p >> page_shift).collect();
        Self::new(page_shift, byte_offset, byte_count, frames)
    }

    pub fn page_shift(&self) -> u32 {
        self.page_shift
    }

    /// `MmGetMdlByteOffset`.
    pub fn byte_offset(&self) -> usize {
        self.byte_offset
    }

    /// `MmGetMdlByteCount`.
    pub fn byte_count(&self) -> usize {
        self.byte_count
    }

    /// The page frame numbers (`MmGetMdlPfnArray`).
    pub fn frames(&self) -> &[u64] {
        &self.frames
    }

    /// Physical address of the byte at `offset` into the buffer.
    pub fn physical(&self, offset: usize) -> u64 {
        let at = self.byte_offset + offset;
        (self.frames[at >> self.page_shift] << self.page_shift)
            + (at as u64 & ((1 << self.page_shift) - 1))
    }

    /// Checks that `[current_va, current_va + length)` is a non-empty range inside the MDL.
    pub fn check_range(&self, current_va: usize, length: usize) -> Result<()> {
        if length == 0 {
            return Err(DmaError::ZeroLength);
        }
        if current_va >= self.byte_count || length > self.byte_count - current_va {
            return Err(DmaError::OutsideMdl {
                current_va,
                length,
                byte_count: self.byte_count,
            });
        }
        Ok(())
    }

    /// Physically contiguous pieces of `[offset, offset + length)`: (physical address, length).
    pub fn runs(&self, offset: usize, length: usize) -> Vec<(u64, usize)> {
        let page = 1usize << self.page_shift;
        let mut out: Vec<(u64, usize)> = Vec::new();
        let mut at = offset;
        let end = offset + length;
        while at < end {
            let in_page = (self.byte_offset + at) % page;
            let n = (page - in_page).min(end - at);
            let phys = self.physical(at);
            match out.last_mut() {
                Some((p, l)) if *p + *l as u64 == phys => *l += n,
                _ => out.push((phys, n)),
            }
            at += n;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_and_ranges() {
        assert_eq!(bytes_to_pages(4097, 12), 2);
        assert_eq!(span_pages(4095, 2, 12), 2);
        assert_eq!(span_pages(0, 4096, 12), 1);
        let m = Mdl::new(12, 100, 8000, vec![7, 3]).unwrap();
        assert_eq!(m.physical(0), 7 * 4096 + 100);
        assert_eq!(m.physical(4000), 3 * 4096 + 4);
        assert_eq!(
            m.runs(0, 8000),
            vec![(7 * 4096 + 100, 3996), (3 * 4096, 4004)]
        );
        assert!(m.check_range(7999, 1).is_ok());
        assert!(matches!(
            m.check_range(8000, 1),
            Err(DmaError::OutsideMdl { .. })
        ));
        assert!(matches!(m.check_range(10, 0), Err(DmaError::ZeroLength)));
        assert!(Mdl::new(12, 100, 8000, vec![7]).is_err());
        assert!(Mdl::new(12, 4096, 1, vec![7]).is_err());
        let c = Mdl::new(12, 0, 8192, vec![4, 5]).unwrap();
        assert_eq!(c.runs(0, 8192), vec![(4 * 4096, 8192)]);
    }
}
