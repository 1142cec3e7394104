//! Instantiation templates: the Verilog instance and the VHDL component a user pastes into their
//! own design, one line per port with its direction, width and meaning.

use super::verilog_range;
use crate::{port_doc, Port, PortDir};
use std::fmt::Write;

fn dir_word(d: PortDir) -> &'static str {
    match d {
        PortDir::In => "input",
        PortDir::Out => "output",
    }
}

/// `NAME u_NAME (.port(port), …);` with each port connected to a signal of its own name.
pub fn verilog_instance(module: &str, ports: &[Port]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// Instantiation template for {module} (mapdma core). Paste it into your module, declare"
    );
    let _ = writeln!(
        s,
        "// or rename the connected signals; the comments give direction, width and meaning."
    );
    let name_w = ports.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let _ = writeln!(s, "{module} u_{module} (");
    for (i, p) in ports.iter().enumerate() {
        let comma = if i + 1 < ports.len() { "," } else { " " };
        let _ = writeln!(
            s,
            "    .{:name_w$} ({:name_w$}){comma} // {:6} {:7} {}",
            p.name,
            p.name,
            dir_word(p.dir),
            verilog_range(p.width),
            port_doc(&p.name)
        );
    }
    let _ = writeln!(s, ");");
    s
}

/// A VHDL package `NAME_pkg` holding the component declaration of the Verilog module, for mixed
/// language designs (`use work.NAME_pkg.all;`).
pub fn vhdl_package(module: &str, ports: &[Port]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "-- Component declaration of the Verilog module {module} (mapdma core), for VHDL designs."
    );
    let _ = writeln!(s, "library ieee;\nuse ieee.std_logic_1164.all;\n");
    let _ = writeln!(s, "package {module}_pkg is");
    let _ = writeln!(s, "  component {module} is");
    let _ = writeln!(s, "    port (");
    let name_w = ports.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for (i, p) in ports.iter().enumerate() {
        let dir = match p.dir {
            PortDir::In => "in ",
            PortDir::Out => "out",
        };
        let ty = match p.width {
            1 => "std_logic".to_string(),
            w => format!("std_logic_vector({} downto 0)", w - 1),
        };
        let semi = if i + 1 < ports.len() { ";" } else { "" };
        let _ = writeln!(
            s,
            "      {:name_w$} : {dir} {ty}{semi} -- {}",
            p.name,
            port_doc(&p.name)
        );
    }
    let _ = writeln!(s, "    );");
    let _ = writeln!(s, "  end component;");
    let _ = writeln!(s, "end package;");
    s
}

/// Wire declarations for every port, named like the ports: what a design around
/// [`verilog_instance`] declares (used by the tests and by the testbench).
pub fn port_wires(ports: &[Port]) -> String {
    let mut s = String::new();
    for p in ports {
        let _ = writeln!(s, "    wire {:7} {};", verilog_range(p.width), p.name);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_port_is_connected_once_and_the_last_has_no_comma() {
        let ports = crate::ports(&crate::Config::small()).unwrap();
        let v = verilog_instance("dma_a", &ports);
        for p in &ports {
            assert_eq!(v.matches(&format!(".{} ", p.name)).count(), 1, "{}", p.name);
        }
        assert!(v.contains("dma_a u_dma_a ("), "{v}");
        let last = v.lines().rev().nth(1).unwrap();
        assert!(
            last.trim_start().starts_with(".irq") && !last.contains("),"),
            "{last}"
        );
        let h = vhdl_package("dma_a", &ports);
        assert!(h.contains("s_axil_awaddr") && h.contains("std_logic_vector(12 downto 0)"));
        let irq = h
            .lines()
            .find(|l| l.trim_start().starts_with("irq "))
            .unwrap();
        assert!(irq.contains(": out std_logic -- "), "{irq}");
    }
}
