//! Hash maps keyed by the HAL's own identifiers (adapter, grant, base and buffer ids, channel
//! keys, channel numbers). The keys are counters and indices this library hands out, never
//! chosen by a caller, so the standard library's flood-resistant SipHash buys nothing here,
//! and it cost a fifth of an adapter cycle in `mapdma bench host`; one multiply per word does.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` over HAL identifiers.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Multiplicative hashing of whole words: identifiers are small integers, so spreading their
/// bits with an odd constant (2^64 / golden ratio) is all the table needs.
#[derive(Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(SPREAD);
    }
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(n as u64);
    }

    fn write_u32(&mut self, n: u32) {
        self.add(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.add(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ids_spread_over_the_table_and_keys_stay_distinct() {
        let mut m: IdMap<u64, u64> = IdMap::default();
        for id in 0..10_000u64 {
            m.insert(id, id * 3);
        }
        assert_eq!(m.len(), 10_000);
        assert!((0..10_000u64).all(|id| m[&id] == id * 3));
        // Low bits of the hash (the bucket index) differ for neighbouring ids.
        let h = |id: u64| {
            let mut s = IdHasher::default();
            s.write_u64(id);
            s.finish() & 0xFF
        };
        let buckets: std::collections::BTreeSet<u64> = (0..256u64).map(h).collect();
        assert!(buckets.len() > 150, "{} distinct buckets", buckets.len());
    }
}
