//! Physical memory: sparse (4 KiB pages allocated on first write), little-endian, plus the map
//! of ranges devices are allowed to write.
//!
//! The simulation touches memory every clock a unit moves, almost always in the page it touched
//! last, so lookups go through a one-entry page cache before the page table, and the AXI slave
//! writes whole words with a lane mask instead of byte by byte.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

const PAGE: u64 = 4096;
const NO_PAGE: u64 = u64::MAX;

/// Hashes page numbers by multiplication: they are not adversarial, and SipHash cost more than
/// the rest of a memory access.
#[derive(Clone, Copy, Debug, Default)]
struct PageHasher(u64);

impl Hasher for PageHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        let h = (n ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
}

/// Sparse byte-addressed memory. Unwritten bytes read as zero without allocating.
#[derive(Clone, Debug)]
pub struct PhysMemory {
    /// Page number → index in `frames`.
    table: HashMap<u64, usize, BuildHasherDefault<PageHasher>>,
    frames: Vec<Box<[u8; PAGE as usize]>>,
    /// The page looked up last and its frame ([`NO_PAGE`] when none).
    last: Cell<(u64, usize)>,
}

impl Default for PhysMemory {
    fn default() -> Self {
        PhysMemory {
            table: HashMap::default(),
            frames: vec![],
            last: Cell::new((NO_PAGE, 0)),
        }
    }
}

impl PhysMemory {
    pub fn new() -> Self {
        Self::default()
    }

    /// The frame holding page `page`, if it was ever written.
    #[inline]
    fn frame(&self, page: u64) -> Option<usize> {
        let (p, f) = self.last.get();
        if p == page {
            return Some(f);
        }
        let f = *self.table.get(&page)?;
        self.last.set((page, f));
        Some(f)
    }

    /// The frame of page `page`, allocated (zeroed) on first use.
    #[inline]
    fn frame_mut(&mut self, page: u64) -> usize {
        if let Some(f) = self.frame(page) {
            return f;
        }
        let f = self.frames.len();
        self.frames.push(Box::new([0; PAGE as usize]));
        self.table.insert(page, f);
        self.last.set((page, f));
        f
    }

    pub fn read_u8(&self, addr: u64) -> u8 {
        self.frame(addr / PAGE)
            .map_or(0, |f| self.frames[f][(addr % PAGE) as usize])
    }

    pub fn write_u8(&mut self, addr: u64, v: u8) {
        let f = self.frame_mut(addr / PAGE);
        self.frames[f][(addr % PAGE) as usize] = v;
    }

    /// Calls `each(offset in buf, page, offset in page, length)` for the page pieces of a range.
    fn pieces(addr: u64, len: usize, mut each: impl FnMut(usize, u64, usize, usize)) {
        let mut done = 0;
        while done < len {
            let a = addr.wrapping_add(done as u64);
            let off = (a % PAGE) as usize;
            let n = (PAGE as usize - off).min(len - done);
            each(done, a / PAGE, off, n);
            done += n;
        }
    }

    pub fn read(&self, addr: u64, buf: &mut [u8]) {
        Self::pieces(addr, buf.len(), |i, page, off, n| {
            let dst = &mut buf[i..i + n];
            match self.frame(page) {
                Some(f) => dst.copy_from_slice(&self.frames[f][off..off + n]),
                None => dst.fill(0),
            }
        });
    }

    pub fn write(&mut self, addr: u64, data: &[u8]) {
        Self::pieces(addr, data.len(), |i, page, off, n| {
            let f = self.frame_mut(page);
            self.frames[f][off..off + n].copy_from_slice(&data[i..i + n]);
        });
    }

    pub fn read_u32(&self, addr: u64) -> u32 {
        let mut b = [0; 4];
        self.read(addr, &mut b);
        u32::from_le_bytes(b)
    }

    pub fn write_u32(&mut self, addr: u64, v: u32) {
        self.write(addr, &v.to_le_bytes());
    }

    /// Writes the byte lanes of `data` selected by `lanes` (bit k: byte k, little-endian) to the
    /// aligned word at `word`; no lane, no write (and no page allocated).
    pub fn write_lanes(&mut self, word: u64, data: u32, lanes: u32) {
        if lanes & 0xF == 0 {
            return;
        }
        debug_assert_eq!(word % 4, 0, "lanes are written to aligned words");
        let f = self.frame_mut(word / PAGE);
        let off = (word % PAGE) as usize;
        let bytes = data.to_le_bytes();
        let dst = &mut self.frames[f][off..off + 4];
        for (lane, (d, b)) in dst.iter_mut().zip(bytes).enumerate() {
            if lanes & (1 << lane) != 0 {
                *d = b;
            }
        }
    }

    /// Pages (4 KiB) that have been allocated.
    pub fn allocated_pages(&self) -> usize {
        self.frames.len()
    }
}

/// A write outside the permitted ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteViolation {
    pub cycle: u64,
    pub addr: u64,
    /// Bytes written.
    pub len: u32,
}

/// Where devices may write. With no ranges declared every write is permitted; once one is
/// declared, a write touching any byte outside all ranges is a violation (still performed,
/// so the test sees the damage, and recorded).
#[derive(Clone, Debug, Default)]
pub struct WritePermissions {
    allowed: Vec<Range<u64>>,
    enforced: bool,
    violations: Vec<WriteViolation>,
}

impl WritePermissions {
    /// Permits writes to `range` (and from now on forbids writes anywhere else).
    pub fn allow(&mut self, range: Range<u64>) {
        self.enforced = true;
        self.allowed.push(range);
    }

    /// Forbids every write (a read-only test).
    pub fn forbid_all(&mut self) {
        self.enforced = true;
        self.allowed.clear();
    }

    pub fn permits(&self, addr: u64, len: u32) -> bool {
        if !self.enforced {
            return true;
        }
        let end = addr + len as u64;
        // Fast path: one range holds the whole write. Otherwise byte by byte, since a write
        // may straddle two adjacent ranges.
        self.allowed
            .iter()
            .any(|r| r.start <= addr && end <= r.end && addr < end)
            || (addr..end).all(|a| self.allowed.iter().any(|r| r.contains(&a)))
    }

    /// Checks a write and records it if it is not permitted.
    pub fn check(&mut self, cycle: u64, addr: u64, len: u32) -> bool {
        let ok = self.permits(addr, len);
        if !ok {
            self.violations.push(WriteViolation { cycle, addr, len });
        }
        ok
    }

    pub fn violations(&self) -> &[WriteViolation] {
        &self.violations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_sparse_and_little_endian() {
        let mut m = PhysMemory::new();
        assert_eq!(m.read_u32(0xFFFF_0000), 0);
        assert_eq!(m.allocated_pages(), 0);
        m.write_u32(0x1FFE, 0x1122_3344); // straddles two pages
        assert_eq!(m.allocated_pages(), 2);
        assert_eq!(m.read_u8(0x1FFE), 0x44);
        assert_eq!(m.read_u8(0x2001), 0x11);
        assert_eq!(m.read_u32(0x1FFE), 0x1122_3344);
        let mut buf = [0xAA; 6];
        m.read(0x1FFD, &mut buf);
        assert_eq!(buf, [0, 0x44, 0x33, 0x22, 0x11, 0]);
    }

    #[test]
    fn word_writes_touch_only_the_selected_lanes() {
        let mut m = PhysMemory::new();
        m.write_lanes(0x3000, 0xAABB_CCDD, 0);
        assert_eq!(m.allocated_pages(), 0, "no lane, no page");
        m.write_u32(0x3000, 0x1111_1111);
        m.write_lanes(0x3000, 0xAABB_CCDD, 0b0110);
        assert_eq!(m.read_u32(0x3000), 0x11BB_CC11);
        // The page cache must not serve a stale page after switching back and forth.
        m.write_u8(0x5000, 7);
        m.write_lanes(0x3004, 0x0102_0304, 0xF);
        assert_eq!((m.read_u8(0x5000), m.read_u32(0x3004)), (7, 0x0102_0304));
        assert_eq!(m.allocated_pages(), 2);
    }

    #[test]
    fn permissions_record_writes_outside_the_allowed_ranges() {
        let mut p = WritePermissions::default();
        assert!(p.check(0, 0x1234, 4), "nothing declared: all allowed");
        p.allow(0x1000..0x2000);
        assert!(p.check(1, 0x1FFC, 4));
        assert!(!p.check(2, 0x1FFE, 4), "straddles the end");
        assert!(!p.check(3, 0x0, 1));
        p.allow(0x2000..0x3000);
        assert!(p.check(4, 0x1FFE, 4), "adjacent ranges together hold it");
        assert_eq!(
            p.violations(),
            [
                WriteViolation {
                    cycle: 2,
                    addr: 0x1FFE,
                    len: 4
                },
                WriteViolation {
                    cycle: 3,
                    addr: 0,
                    len: 1
                }
            ]
        );
    }
}
