//! The Verilator models linked into this crate (generated bindings, see `build.rs`).

/// The small test design of `mapdma-sim-testdesign` (exercises the binding itself).
#[allow(clippy::all)]
pub mod testdesign {
    include!(env!("MAPDMA_SIM_TESTDESIGN_RS"));
}

/// mapdma in `Config::default()`.
#[allow(clippy::all)]
pub mod mapdma_default {
    include!(env!("MAPDMA_SIM_DEFAULT_RS"));
}

/// mapdma in `Config::small()`.
#[allow(clippy::all)]
pub mod mapdma_small {
    include!(env!("MAPDMA_SIM_SMALL_RS"));
}

/// The board design (`mapdma_hdl::board`): mapdma, system RAM, built-in devices, UART bridge.
#[allow(clippy::all)]
pub mod mapdma_board {
    include!(env!("MAPDMA_SIM_BOARD_RS"));
}
