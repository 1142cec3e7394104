//! The select/issue engine (DESIGN §6): [`select::Select`] decides which channel gets the next
//! unit, [`issue::Issue`] holds the acknowledged unit and decides its commit, [`stepper::Stepper`]
//! is the one address adder of the engine's unit, [`fields::Fields`] selects the registers of the
//! picked and the issue-stage channel, [`demand::Demand`] packs what the channels ask,
//! [`mem2mem::Mem2Mem`] is the destination side of a memory-to-memory pair and [`pair::Pair`]
//! merges it into the engine's values. `MapDma` wires them to the channels, the translation and
//! the AXI request and response blocks.

/// The memory-to-memory pair's channels as one-hot masks (DESIGN §3a): channel 0 the source,
/// channel 1 the destination. The blocks take them as `Constant`s (rust-hdl's generator takes
/// no Rust paths); `MapDma` indexes channel 1 directly.
pub const PAIR_SOURCE_ONEHOT: u64 = 0b0001;
pub const PAIR_DEST_ONEHOT: u64 = 0b0010;

pub mod demand;
pub mod fields;
pub mod issue;
pub mod mem2mem;
pub mod pair;
pub mod select;
pub mod stepper;
