//! The names of the generated Verilog's top modules and ports (hdl/DESIGN.md §1): the one place
//! the build script (Verilator binding), the pin map and the rust-hdl port binder take them from,
//! so a change of naming in the generator is a change here alone.
//!
//! `build.rs` includes this file as a module of its own, so it uses nothing from the crate.

/// Top module of mapdma's generated Verilog.
pub const TOP_MODULE: &str = mapdma_hdl::names::DEFAULT_MODULE;
/// Top module of the board design's generated Verilog.
pub const BOARD_TOP_MODULE: &str = mapdma_hdl::board::BOARD_MODULE;

pub const CLOCK: &str = "clock";
pub const RESET: &str = "reset";
pub const IRQ: &str = "irq";

/// Board design ports (besides [`CLOCK`]).
pub const BOARD_UART_RX: &str = "uart_rx";
/// Holds the board design in reset (the board wrapper drives it until the PLL locks).
pub const BOARD_HOLD: &str = "hold";
pub const BOARD_UART_TX: &str = "uart_tx";
pub const BOARD_LEDS: &str = "leds";

const S_AXIL: &str = "s_axil_";
const M_AXI: &str = "m_axi_";
const S_BM_AXI: &str = "s_bm_axi_";
const M_BM_AXI: &str = "m_bm_axi_";

/// AXI4-Lite register slave: the signals the master drives, in the pin map's order.
pub const S_AXIL_IN: [&str; 9] = [
    "awaddr", "awvalid", "wdata", "wstrb", "wvalid", "bready", "araddr", "arvalid", "rready",
];
/// AXI4-Lite register slave: the signals the design drives.
pub const S_AXIL_OUT: [&str; 8] = [
    "awready", "wready", "bresp", "bvalid", "arready", "rdata", "rresp", "rvalid",
];
/// AXI4 memory master: the signals the design drives.
pub const M_AXI_OUT: [&str; 16] = [
    "awaddr", "awlen", "awsize", "awburst", "awvalid", "wdata", "wstrb", "wlast", "wvalid",
    "bready", "araddr", "arlen", "arsize", "arburst", "arvalid", "rready",
];
/// AXI4 memory master: the signals the memory drives.
pub const M_AXI_IN: [&str; 9] = [
    "awready", "wready", "bresp", "bvalid", "arready", "rdata", "rresp", "rlast", "rvalid",
];
/// Device port of each channel: the signals the device drives.
pub const DEV_IN: [&str; 5] = ["dreq", "src_data", "src_valid", "snk_ready", "eop_in"];
/// Device port of each channel: the signals the design drives.
pub const DEV_OUT: [&str; 7] = [
    "dack",
    "src_ready",
    "snk_data",
    "snk_valid",
    "snk_last",
    "eop_out",
    "moved",
];

/// The port of AXI4-Lite signal `signal`.
pub fn s_axil(signal: &str) -> String {
    format!("{S_AXIL}{signal}")
}

/// The port of AXI4 signal `signal`.
pub fn m_axi(signal: &str) -> String {
    format!("{M_AXI}{signal}")
}

/// The bus-master port's AXI4 slave signal `signal` (the device drives [`M_AXI_OUT`]'s
/// signals there and receives [`M_AXI_IN`]'s).
pub fn s_bm_axi(signal: &str) -> String {
    format!("{S_BM_AXI}{signal}")
}

/// The bus-master port's AXI4 master signal `signal` (same signals as [`m_axi`]).
pub fn m_bm_axi(signal: &str) -> String {
    format!("{M_BM_AXI}{signal}")
}

/// The port of device signal `signal` of channel `channel` (`dev0_dreq`, as the generator
/// names it: `mapdma_hdl::device_port_prefix`).
pub fn dev(channel: usize, signal: &str) -> String {
    format!("{}{signal}", mapdma_hdl::device_port_prefix(channel))
}

/// A port name taken apart: which bundle it belongs to and the signal within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortName<'a> {
    /// Clock, reset, irq and anything else outside a bundle.
    Plain(&'a str),
    SAxil(&'a str),
    MAxi(&'a str),
    SBmAxi(&'a str),
    MBmAxi(&'a str),
    Dev(usize, &'a str),
}

/// Inverse of [`s_axil`], [`m_axi`] and [`dev`].
pub fn parse(name: &str) -> PortName<'_> {
    if let Some(s) = name.strip_prefix(S_AXIL) {
        return PortName::SAxil(s);
    }
    if let Some(s) = name.strip_prefix(M_AXI) {
        return PortName::MAxi(s);
    }
    if let Some(s) = name.strip_prefix(S_BM_AXI) {
        return PortName::SBmAxi(s);
    }
    if let Some(s) = name.strip_prefix(M_BM_AXI) {
        return PortName::MBmAxi(s);
    }
    match mapdma_hdl::device_port_field(name) {
        Some((c, s)) => PortName::Dev(c, s),
        None => PortName::Plain(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_composed_and_parsed_back() {
        for (ch, sig) in [(0, "dreq"), (3, "snk_data")] {
            assert_eq!(parse(&dev(ch, sig)), PortName::Dev(ch, sig));
        }
        assert_eq!(parse(&s_axil("wstrb")), PortName::SAxil("wstrb"));
        assert_eq!(parse(&m_axi("rlast")), PortName::MAxi("rlast"));
        assert_eq!(parse(&s_bm_axi("wlast")), PortName::SBmAxi("wlast"));
        assert_eq!(parse(&m_bm_axi("arlen")), PortName::MBmAxi("arlen"));
        assert_eq!(parse(CLOCK), PortName::Plain(CLOCK));
        assert_eq!(dev(2, "dack"), "dev2_dack");
        assert_eq!(parse("devx_dreq"), PortName::Plain("devx_dreq"));
    }
}
