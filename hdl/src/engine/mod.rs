//! The select/issue engine (DESIGN §6): [`select::Select`] decides which channel gets the next
//! unit, [`issue::Issue`] holds the acknowledged unit and decides its commit, [`stepper::Stepper`]
//! is the one address adder of the engine's unit, [`fields::Fields`] selects the registers of the
//! picked and the issue-stage channel, [`mem2mem::Mem2Mem`] is the destination side of a
//! memory-to-memory pair. `MapDma` wires them to the channels, the translation and the AXI
//! request and response blocks.

pub mod demand;
pub mod fields;
pub mod issue;
pub mod mem2mem;
pub mod pair;
pub mod select;
pub mod stepper;
