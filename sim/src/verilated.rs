//! The Verilator models linked into this crate (generated bindings, see `build.rs`).

/// The small test design of `mapdma-sim-testdesign` (exercises the binding itself).
#[allow(clippy::all)]
pub mod testdesign {
    include!(env!("MAPDMA_SIM_TESTDESIGN_RS"));
}
