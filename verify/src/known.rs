//! Differences between the RTL and `hdl/DESIGN.md` that the differential tests found and that
//! are reported but not fixed yet. A campaign counts them apart from new failures, so that one
//! open bug does not hide the next; each has a regression test in `tests/regressions.rs`
//! (ignored until the RTL is fixed; remove the entry and the `#[ignore]` together).

use crate::outcome::Mismatch;

/// A known RTL deviation.
#[derive(Clone, Copy, Debug)]
pub struct KnownDeviation {
    pub id: &'static str,
    pub what: &'static str,
    pub matches: fn(&Mismatch) -> bool,
}

impl KnownDeviation {
    pub fn matches(&self, m: &Mismatch) -> bool {
        (self.matches)(m)
    }
}

/// Every known deviation (none open; the first, FAULT_ADDR not cleared by INT_STATUS.FAULT,
/// was fixed in hdl commit d1d2307 and is covered by `tests/regressions.rs`). An entry is a
/// `KnownDeviation { id, what, matches }` whose `matches` recognises the mismatch.
pub const KNOWN: &[KnownDeviation] = &[];

/// The known deviation a mismatch is an instance of, if any.
pub fn known(m: &Mismatch) -> Option<&'static KnownDeviation> {
    KNOWN.iter().find(|k| k.matches(m))
}
