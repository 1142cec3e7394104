//! The map-register pool as the HAL keeps it: one bit per register (set = in use), first-fit
//! runs, shared by every adapter and channel.
//!
//! Map register *i* translates logical page *i*, so a run of registers is a run of logical
//! pages. An 8237 channel's address register does not carry into its page register, so a
//! system-DMA run must stay inside one 64 KiB logical segment; bus-master runs need not.

use bitvec::prelude::*;
use mapdma_regmap::{Config, COUNTER_BITS};

/// An opaque handle to map registers handed to an execution routine (`MapRegisterBase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MapRegisterBase(pub(crate) u64);

#[derive(Clone, Debug)]
pub struct MapRegisterPool {
    used: BitVec,
    segment_pages: usize,
}

/// Logical pages in one 64 KiB segment (what the 16-bit address register spans).
pub fn segment_pages(cfg: &Config) -> usize {
    1usize << (COUNTER_BITS.saturating_sub(cfg.page_shift))
}

impl MapRegisterPool {
    pub fn new(cfg: &Config) -> Self {
        MapRegisterPool {
            used: bitvec![0; cfg.map_registers],
            segment_pages: segment_pages(cfg),
        }
    }

    pub fn len(&self) -> usize {
        self.used.len()
    }

    pub fn is_empty(&self) -> bool {
        self.used.is_empty()
    }

    pub fn free_count(&self) -> usize {
        self.used.count_zeros()
    }

    pub fn is_used(&self, index: usize) -> bool {
        self.used[index]
    }

    /// Whether a run of `count` could ever be allocated (on an empty pool).
    pub fn can_ever_fit(&self, count: usize, in_segment: bool) -> bool {
        count <= self.len() && (!in_segment || count <= self.segment_pages)
    }

    /// First fit: the lowest index of `count` free registers (inside one segment if asked).
    pub fn find(&self, count: usize, in_segment: bool) -> Option<usize> {
        if count == 0 {
            return Some(0);
        }
        if !self.can_ever_fit(count, in_segment) {
            return None;
        }
        let mut start = 0;
        while start + count <= self.len() {
            if in_segment {
                let seg_end = (start / self.segment_pages + 1) * self.segment_pages;
                if start + count > seg_end {
                    start = seg_end;
                    continue;
                }
            }
            match self.used[start..start + count].last_one() {
                None => return Some(start),
                Some(k) => start += k + 1,
            }
        }
        None
    }

    pub fn allocate(&mut self, count: usize, in_segment: bool) -> Option<usize> {
        let first = self.find(count, in_segment)?;
        self.used[first..first + count].fill(true);
        Some(first)
    }

    pub fn free(&mut self, first: usize, count: usize) {
        self.used[first..first + count].fill(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_respects_segments_for_system_dma() {
        let cfg = Config::default(); // 32 registers, 16 per 64 KiB segment
        let mut p = MapRegisterPool::new(&cfg);
        assert_eq!(p.allocate(10, true), Some(0));
        // 10 more do not fit in segment 0 (6 left): they start at 16.
        assert_eq!(p.allocate(10, true), Some(16));
        assert_eq!(p.allocate(6, false), Some(10));
        assert_eq!(p.allocate(4, true), Some(26));
        assert_eq!(p.free_count(), 2);
        assert_eq!(p.allocate(3, false), None);
        p.free(10, 6);
        assert_eq!(p.allocate(5, true), Some(10));
        // A bus-master run may straddle a segment boundary, a system-DMA run may not.
        let mut q = MapRegisterPool::new(&cfg);
        assert_eq!(q.allocate(14, true), Some(0));
        assert_eq!(q.find(4, true), Some(16));
        assert_eq!(q.allocate(4, false), Some(14));
        assert!(!p.can_ever_fit(17, true));
        assert!(p.can_ever_fit(17, false));
        assert_eq!(p.find(0, true), Some(0));
    }
}
