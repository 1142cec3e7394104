//! AXI4 encodings that more than one side of the project uses (the hardware blocks, the host's
//! models, the board link's status byte, the tests): named once here.
//!
//! rust-hdl kernels cannot name a Rust constant in generated Verilog, so hardware blocks carry
//! these values in `Constant` fields built from the names below.

/// xRESP: the access completed.
pub const RESP_OKAY: u8 = 0;
/// xRESP: the slave exists but refused the access.
pub const RESP_SLVERR: u8 = 2;
/// xRESP: no slave at that address.
pub const RESP_DECERR: u8 = 3;

/// AxBURST: every beat at the same address.
pub const BURST_FIXED: u8 = 0;
/// AxBURST: incrementing addresses.
pub const BURST_INCR: u8 = 1;
/// AxBURST: incrementing, wrapping at the burst's aligned boundary.
pub const BURST_WRAP: u8 = 2;
