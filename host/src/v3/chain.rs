//! MDL chains: the version-3 routines take `Mdl->Next` chains, given here as slices.
//!
//! Map registers are page-granular, so they make the MDLs of a chain one logically contiguous
//! range only where each junction falls on page boundaries (the earlier MDL ends at a page
//! end, the next starts at byte offset 0) — as a chain of page-aligned buffers does. A window
//! is the longest such run from a given offset; a transfer across an unaligned junction is
//! mapped in pieces, as one larger than the map registers is.

use crate::error::{DmaError, Result};
use crate::mdl::Mdl;

/// Part of an MDL chain that one logical range covers: one MDL over the joined pages, and the
/// offset and length within it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainWindow {
    pub mdl: Mdl,
    pub current_va: usize,
    pub length: usize,
}

/// The window of `chain` starting `offset` bytes into it, at most `length` bytes long.
pub fn chain_window(chain: &[Mdl], offset: usize, length: usize) -> Result<ChainWindow> {
    let first = chain
        .first()
        .ok_or_else(|| DmaError::BadMdl("empty MDL chain".into()))?;
    let shift = first.page_shift();
    if let Some(m) = chain.iter().find(|m| m.page_shift() != shift) {
        return Err(DmaError::BadMdl(format!(
            "MDL chain mixes {}- and {}-byte pages",
            1usize << shift,
            1usize << m.page_shift()
        )));
    }
    if length == 0 {
        return Err(DmaError::ZeroLength);
    }
    let total: usize = chain.iter().map(Mdl::byte_count).sum();
    if offset >= total || length > total - offset {
        return Err(DmaError::OutsideMdl {
            current_va: offset,
            length,
            byte_count: total,
        });
    }
    let page = 1usize << shift;
    let mut start = 0;
    let mut i = 0;
    while offset >= start + chain[i].byte_count() {
        start += chain[i].byte_count();
        i += 1;
    }
    let current_va = offset - start;
    let head = &chain[i];
    let mut frames = head.frames().to_vec();
    let mut bytes = head.byte_count();
    for next in &chain[i + 1..] {
        if bytes - current_va >= length {
            break;
        }
        let ends_on_page = (head.byte_offset() + bytes).is_multiple_of(page);
        if !ends_on_page || next.byte_offset() != 0 {
            break;
        }
        frames.extend_from_slice(next.frames());
        bytes += next.byte_count();
    }
    Ok(ChainWindow {
        mdl: Mdl::new(shift, head.byte_offset(), bytes, frames)?,
        current_va,
        length: length.min(bytes - current_va),
    })
}

/// The windows that cover `[offset, offset + length)` of `chain`, in order.
pub fn chain_windows(chain: &[Mdl], offset: usize, length: usize) -> Result<Vec<ChainWindow>> {
    let mut out = Vec::new();
    let mut at = offset;
    let end = offset.checked_add(length).ok_or(DmaError::OutsideMdl {
        current_va: offset,
        length,
        byte_count: usize::MAX,
    })?;
    if length == 0 {
        return Err(DmaError::ZeroLength);
    }
    while at < end {
        let w = chain_window(chain, at, end - at)?;
        at += w.length;
        out.push(w);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_junctions_join_and_unaligned_ones_split() {
        // 100 bytes into page 7 up to its end, then pages 3 and 9 whole: one window.
        let a = Mdl::new(12, 100, 3996, vec![7]).unwrap();
        let b = Mdl::new(12, 0, 8192, vec![3, 9]).unwrap();
        let w = chain_window(&[a.clone(), b.clone()], 0, 3996 + 8192).unwrap();
        assert_eq!(w.mdl.frames(), &[7, 3, 9]);
        assert_eq!((w.current_va, w.length), (0, 12188));
        assert_eq!(w.mdl.physical(3996), 3 << 12);
        // Starting in the second MDL.
        let w = chain_window(&[a.clone(), b.clone()], 5000, 100).unwrap();
        assert_eq!(
            (w.mdl.frames(), w.current_va, w.length),
            (&[3u64, 9][..], 1004, 100)
        );
        // An MDL ending mid-page cannot be joined to the next.
        let c = Mdl::new(12, 0, 100, vec![5]).unwrap();
        let ws = chain_windows(&[c, b.clone()], 50, 1000).unwrap();
        assert_eq!(ws.len(), 2);
        assert_eq!((ws[0].current_va, ws[0].length), (50, 50));
        assert_eq!((ws[1].current_va, ws[1].length), (0, 950));
        assert!(matches!(
            chain_window(&[a, b], 12188, 1),
            Err(DmaError::OutsideMdl { .. })
        ));
        assert!(chain_window(&[], 0, 1).is_err());
    }
}
