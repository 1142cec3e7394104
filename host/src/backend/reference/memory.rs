//! Physical memory of the reference model: a RAM window with a page allocator, stored sparsely,
//! plus address ranges that answer bus errors to DMA accesses (to exercise fault handling).

use std::collections::HashMap;

use bitvec::prelude::*;

use crate::backend::{BackendError, BusResponse};

/// An address range whose DMA accesses answer `response`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorRange {
    pub start: u64,
    /// Exclusive end.
    pub end: u64,
    pub response: BusResponse,
}

/// RAM at `[base, base + pages·page_size)`. DMA outside it answers DECERR, as a bus with no
/// slave there would.
#[derive(Clone, Debug)]
pub struct Memory {
    page_shift: u32,
    base: u64,
    allocated: BitVec,
    contents: HashMap<u64, Box<[u8]>>,
    error_ranges: Vec<ErrorRange>,
    /// Where the scattering allocator looks next; it steps by a stride co-prime with the page
    /// count so that consecutive allocations are rarely physically adjacent.
    scatter_cursor: usize,
}

const SCATTER_STRIDE: usize = 3;

impl Memory {
    pub fn new(page_shift: u32, base: u64, pages: usize) -> Self {
        Memory {
            page_shift,
            base,
            allocated: bitvec![0; pages],
            contents: HashMap::new(),
            error_ranges: Vec::new(),
            scatter_cursor: 0,
        }
    }

    pub fn page_size(&self) -> u64 {
        1 << self.page_shift
    }

    pub fn base(&self) -> u64 {
        self.base
    }

    pub fn pages(&self) -> usize {
        self.allocated.len()
    }

    pub fn end(&self) -> u64 {
        self.base + ((self.pages() as u64) << self.page_shift)
    }

    /// Pages currently allocated.
    pub fn allocated_pages(&self) -> usize {
        self.allocated.count_ones()
    }

    pub fn add_error_range(&mut self, range: ErrorRange) {
        self.error_ranges.push(range);
    }

    pub fn clear_error_ranges(&mut self) {
        self.error_ranges.clear();
    }

    /// The response a DMA access of `len` bytes at `address` gets, if not OKAY.
    pub fn dma_response(&self, address: u64, len: u64) -> Option<BusResponse> {
        let end = address + len;
        if let Some(r) = self
            .error_ranges
            .iter()
            .find(|r| address < r.end && r.start < end)
        {
            return Some(r.response);
        }
        if address < self.base || end > self.end() {
            return Some(BusResponse::DecodeError);
        }
        None
    }

    fn check_cpu(&self, address: u64, len: usize) -> Result<(), BackendError> {
        if address < self.base || address + len as u64 > self.end() {
            return Err(BackendError::BadPhysicalAddress {
                address,
                reason: "outside the reference model's RAM",
            });
        }
        Ok(())
    }

    fn index(&self, address: u64) -> usize {
        ((address - self.base) >> self.page_shift) as usize
    }

    fn address(&self, index: usize) -> u64 {
        self.base + ((index as u64) << self.page_shift)
    }

    /// Reads RAM without permission checks (RAM only; callers check the range).
    pub fn read_raw(&self, address: u64, buf: &mut [u8]) {
        let mask = self.page_size() - 1;
        for (i, b) in buf.iter_mut().enumerate() {
            let a = address + i as u64;
            *b = self
                .contents
                .get(&(a >> self.page_shift))
                .map_or(0, |p| p[(a & mask) as usize]);
        }
    }

    /// Writes RAM without permission checks.
    pub fn write_raw(&mut self, address: u64, data: &[u8]) {
        let mask = self.page_size() - 1;
        let size = self.page_size() as usize;
        for (i, b) in data.iter().enumerate() {
            let a = address + i as u64;
            let page = self
                .contents
                .entry(a >> self.page_shift)
                .or_insert_with(|| vec![0; size].into_boxed_slice());
            page[(a & mask) as usize] = *b;
        }
    }

    pub fn read(&self, address: u64, buf: &mut [u8]) -> Result<(), BackendError> {
        self.check_cpu(address, buf.len())?;
        self.read_raw(address, buf);
        Ok(())
    }

    pub fn write(&mut self, address: u64, data: &[u8]) -> Result<(), BackendError> {
        self.check_cpu(address, data.len())?;
        self.write_raw(address, data);
        Ok(())
    }

    pub fn allocate_pages(&mut self, count: usize) -> Result<Vec<u64>, BackendError> {
        let n = self.pages();
        if count > n - self.allocated_pages() {
            return Err(BackendError::OutOfMemory {
                requested_pages: count,
            });
        }
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            // A co-prime stride visits every page before repeating, so this ends.
            let i = self.scatter_cursor % n;
            self.scatter_cursor = (self.scatter_cursor + SCATTER_STRIDE) % n;
            if !self.allocated[i] {
                self.allocated.set(i, true);
                out.push(self.address(i));
            }
        }
        Ok(out)
    }

    pub fn allocate_contiguous(&mut self, count: usize) -> Result<u64, BackendError> {
        let oom = BackendError::OutOfMemory {
            requested_pages: count,
        };
        if count == 0 {
            return Err(oom);
        }
        let mut run = 0;
        for i in 0..self.pages() {
            run = if self.allocated[i] { 0 } else { run + 1 };
            if run == count {
                let first = i + 1 - count;
                self.allocated[first..=i].fill(true);
                return Ok(self.address(first));
            }
        }
        Err(oom)
    }

    pub fn free_pages(&mut self, pages: &[u64]) -> Result<(), BackendError> {
        for &a in pages {
            self.check_cpu(a, 1)?;
            let aligned = a & (self.page_size() - 1) == 0;
            if !aligned || !self.allocated[self.index(a)] {
                return Err(BackendError::BadPhysicalAddress {
                    address: a,
                    reason: "not an allocated page (double free?)",
                });
            }
        }
        for &a in pages {
            let i = self.index(a);
            self.allocated.set(i, false);
            self.contents.remove(&(a >> self.page_shift));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scattered_pages_are_distinct_and_mostly_not_adjacent() {
        let mut m = Memory::new(12, 0x10_0000, 64);
        let pages = m.allocate_pages(10).unwrap();
        let mut sorted = pages.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 10);
        let adjacent = pages.windows(2).filter(|w| w[1] == w[0] + 4096).count();
        assert_eq!(adjacent, 0);
        assert_eq!(m.allocated_pages(), 10);
    }

    #[test]
    fn contiguous_allocation_skips_used_pages_and_double_free_fails() {
        let mut m = Memory::new(12, 0, 8);
        let a = m.allocate_contiguous(3).unwrap();
        let b = m.allocate_contiguous(3).unwrap();
        assert_eq!(b, a + 3 * 4096);
        assert!(m.allocate_contiguous(3).is_err());
        m.free_pages(&[a]).unwrap();
        assert!(m.free_pages(&[a]).is_err());
    }

    #[test]
    fn dma_outside_ram_is_a_decode_error_and_ranges_override() {
        let mut m = Memory::new(12, 0x1000, 4);
        assert_eq!(m.dma_response(0, 4), Some(BusResponse::DecodeError));
        assert_eq!(m.dma_response(0x1000, 4), None);
        m.add_error_range(ErrorRange {
            start: 0x2000,
            end: 0x2004,
            response: BusResponse::SlaveError,
        });
        assert_eq!(m.dma_response(0x2002, 1), Some(BusResponse::SlaveError));
        m.write(0x1ffe, &[1, 2, 3, 4]).unwrap();
        let mut b = [0; 4];
        m.read(0x1ffe, &mut b).unwrap();
        assert_eq!(b, [1, 2, 3, 4]);
        assert!(m.read(0x5000, &mut b).is_err());
    }
}
