//! Verification in depth for mapdma.
//!
//! - [`differential`]: random register programs ([`generate`]) run on the RTL ([`rtl`], the
//!   Verilator model in `mapdma-sim`'s bench) and on the transaction-level reference model
//!   ([`reference`], from `mapdma-host`); register read-backs, memory, device data, interrupt
//!   and fault state must agree ([`outcome`]); in configurations with the bus-master port a
//!   last round of bursts through the port ([`bm`]) compares what the device got back;
//! - memory safety: every buffer sits between guard frames and every byte a device may write is
//!   listed; the simulated memory records writes outside that map and the guard bytes are
//!   checked on both models;
//! - [`formal`]: bounded model checking of the generated Verilog with Yosys and yosys-smtbmc.
//!
//! [`campaign`] runs many seeds on every core and splits a campaign into disjoint shards for
//! several machines. Every program is a function of its seed: a failure prints the seed, and
//! `mapdma verify --programs 1 --seed S` runs it again.

pub mod bm;
pub mod campaign;
pub mod differential;
pub mod formal;
pub mod generate;
mod generate_bm;
pub mod known;
pub mod outcome;
pub mod program;
pub mod reference;
pub mod rtl;

pub use campaign::{campaign, campaign_on, Shard, Summary};
pub use differential::{check_program, check_seed, Failure, Verdict};
pub use generate::generate;
pub use program::Program;
