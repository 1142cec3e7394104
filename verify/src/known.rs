//! Differences between the RTL and `hdl/DESIGN.md` that the differential tests found and that
//! are reported but not fixed yet. A campaign counts them apart from new failures, so that one
//! open bug does not hide the next; each has a regression test in `tests/regressions.rs`
//! (ignored until the RTL is fixed; remove the entry and the `#[ignore]` together).

use crate::outcome::Mismatch;
use mapdma_regmap::{self as rm, MAX_CHANNELS};

/// A known RTL deviation.
#[derive(Clone, Copy, Debug)]
pub struct KnownDeviation {
    pub id: &'static str,
    pub what: &'static str,
    matches: fn(&Mismatch) -> bool,
}

impl KnownDeviation {
    pub fn matches(&self, m: &Mismatch) -> bool {
        (self.matches)(m)
    }
}

/// FAULT_ADDR keeps the faulting address after INT_STATUS.FAULT is written 1 (DESIGN §4: the
/// write "clears the halt, the cause and the address").
fn fault_addr_not_cleared(m: &Mismatch) -> bool {
    match m {
        Mismatch::Register {
            offset,
            write: None,
            rtl: (true, _),
            reference: (true, 0),
            ..
        } => (0..MAX_CHANNELS).any(|c| rm::FAULT_ADDR.at(c) == *offset),
        _ => false,
    }
}

/// Every known deviation.
pub const KNOWN: &[KnownDeviation] = &[KnownDeviation {
    id: "fault-addr-not-cleared",
    what: "FAULT_ADDR is not cleared by writing 1 to INT_STATUS.FAULT",
    matches: fault_addr_not_cleared,
}];

/// The known deviation a mismatch is an instance of, if any.
pub fn known(m: &Mismatch) -> Option<&'static KnownDeviation> {
    KNOWN.iter().find(|k| k.matches(m))
}
