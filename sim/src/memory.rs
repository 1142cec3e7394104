//! Physical memory: sparse (4 KiB pages allocated on first write), little-endian, plus the map
//! of ranges devices are allowed to write.

use std::collections::HashMap;
use std::ops::Range;

const PAGE: u64 = 4096;

/// Sparse byte-addressed memory. Unwritten bytes read as zero without allocating.
#[derive(Clone, Debug, Default)]
pub struct PhysMemory {
    pages: HashMap<u64, Box<[u8; PAGE as usize]>>,
}

impl PhysMemory {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn read_u8(&self, addr: u64) -> u8 {
        self.pages
            .get(&(addr / PAGE))
            .map_or(0, |p| p[(addr % PAGE) as usize])
    }

    pub fn write_u8(&mut self, addr: u64, v: u8) {
        let page = self
            .pages
            .entry(addr / PAGE)
            .or_insert_with(|| Box::new([0; PAGE as usize]));
        page[(addr % PAGE) as usize] = v;
    }

    pub fn read(&self, addr: u64, buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = self.read_u8(addr + i as u64);
        }
    }

    pub fn write(&mut self, addr: u64, data: &[u8]) {
        for (i, &b) in data.iter().enumerate() {
            self.write_u8(addr + i as u64, b);
        }
    }

    pub fn read_u32(&self, addr: u64) -> u32 {
        let mut b = [0; 4];
        self.read(addr, &mut b);
        u32::from_le_bytes(b)
    }

    pub fn write_u32(&mut self, addr: u64, v: u32) {
        self.write(addr, &v.to_le_bytes());
    }

    /// Pages (4 KiB) that have been allocated.
    pub fn allocated_pages(&self) -> usize {
        self.pages.len()
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
        !self.enforced
            || (addr..addr + len as u64).all(|a| self.allowed.iter().any(|r| r.contains(&a)))
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
    }

    #[test]
    fn permissions_record_writes_outside_the_allowed_ranges() {
        let mut p = WritePermissions::default();
        assert!(p.check(0, 0x1234, 4), "nothing declared: all allowed");
        p.allow(0x1000..0x2000);
        assert!(p.check(1, 0x1FFC, 4));
        assert!(!p.check(2, 0x1FFE, 4), "straddles the end");
        assert!(!p.check(3, 0x0, 1));
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
