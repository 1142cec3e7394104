//! The top-level port list, read from the block itself (so bindings never drift from the HDL).

use crate::{build, Config, HdlError};
use rust_hdl::core::ast::VerilogLiteral;
use rust_hdl::core::atom::{Atom, AtomKind};
use rust_hdl::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortDir {
    In,
    Out,
}

/// One port of the core's top module: its Verilog name (`dev0_dreq`, as [`crate::names::plain`]
/// writes it), direction and width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub dir: PortDir,
    pub width: usize,
}

#[derive(Default)]
struct PortCollector {
    depth: usize,
    path: Vec<String>,
    ports: Vec<Port>,
}

impl Probe for PortCollector {
    fn visit_start_scope(&mut self, name: &str, _node: &dyn Block) {
        self.depth += 1;
        if self.depth > 1 {
            self.path.push(name.to_string());
        }
    }

    fn visit_start_namespace(&mut self, name: &str, _node: &dyn Block) {
        self.path.push(name.to_string());
    }

    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        if self.depth != 1 {
            return;
        }
        let dir = match signal.kind() {
            AtomKind::InputParameter => PortDir::In,
            AtomKind::OutputParameter => PortDir::Out,
            _ => return,
        };
        let mut full = self.path.clone();
        full.push(name.to_string());
        self.ports.push(Port {
            name: crate::names::plain(&full.join("$")),
            dir,
            width: signal.bits(),
        });
    }

    fn visit_end_namespace(&mut self, _name: &str, _node: &dyn Block) {
        self.path.pop();
    }

    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        if self.depth > 1 {
            self.path.pop();
        }
        self.depth -= 1;
    }
}

/// The prefix of channel `c`'s device ports (`dev0_` for `dev0_dreq`): the `dev` array of
/// [`crate::MapDma`] as [`crate::names::plain`] spells it.
pub fn device_port_prefix(c: usize) -> String {
    crate::names::plain(&format!("dev${c}$"))
}

/// The channel and field of a device port name (`dev2_src_data` → `(2, "src_data")`).
pub fn device_port_field(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("dev")?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let c: usize = rest[..digits].parse().ok()?;
    let field = name.strip_prefix(&device_port_prefix(c))?;
    Some((c, field))
}

/// What a top-level port carries, for generated port tables (the behaviour behind each is
/// `hdl/DESIGN.md` §1).
pub fn port_doc(name: &str) -> &'static str {
    if let Some((_, field)) = device_port_field(name) {
        return match field {
            "dreq" => "DREQ (polarity per COMMAND.DREQ_SENSE_LOW; active high after reset)",
            "dack" => "DACK (polarity per COMMAND.DACK_SENSE_HIGH; active low after reset)",
            "src_data" => "device → DMA unit (write transfers), in the low bits",
            "src_valid" => "device → DMA unit valid",
            "src_ready" => "device → DMA unit taken",
            "snk_data" => "DMA → device unit (read transfers), in the low bits, upper bits zero",
            "snk_valid" => "DMA → device unit valid",
            "snk_ready" => "DMA → device unit taken",
            "snk_last" => "DMA → device unit is the one that reached terminal count",
            "eop_in" => "external EOP, active high: ends the channel's service",
            "eop_out" => "one-clock pulse at terminal count",
            "moved" => "one-clock pulse when a unit of the channel commits (either direction)",
            _ => "device port",
        };
    }
    match name {
        "clock" => "clock (rising edge)",
        "reset" => "synchronous reset, active high",
        "irq" => "level interrupt: OR of INT_STATUS & INT_ENABLE",
        n if n.starts_with("s_axil_") => "AXI4-Lite register slave",
        n if n.starts_with("m_axi_") => "AXI4 memory master",
        n if n.starts_with("s_bm_axi_") => "bus-master port: AXI4 slave for the bus-master device",
        n if n.starts_with("m_bm_axi_") => "bus-master port: AXI4 master to memory (translated)",
        _ => "",
    }
}

/// Ports of the top module of a configuration, in declaration order.
pub fn ports(cfg: &Config) -> Result<Vec<Port>, HdlError> {
    let uut = build(cfg)?;
    let mut c = PortCollector::default();
    uut.accept("top", &mut c);
    let _unused: Option<VerilogLiteral> = None;
    Ok(c.ports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ports_of_every_channel_are_found_by_their_prefix() {
        let cfg = Config::default();
        let ports = ports(&cfg).unwrap();
        for c in 0..cfg.channels {
            let fields: Vec<&str> = ports
                .iter()
                .filter_map(|p| device_port_field(&p.name))
                .filter(|(ch, _)| *ch == c)
                .map(|(_, f)| f)
                .collect();
            assert!(
                fields.contains(&"dreq") && fields.contains(&"dack"),
                "{fields:?}"
            );
            assert_eq!(fields.len(), 12, "{fields:?}");
            for f in fields {
                let doc = port_doc(&format!("{}{f}", device_port_prefix(c)));
                assert_ne!(doc, "device port", "{f} has no doc of its own");
            }
        }
        assert_eq!(device_port_prefix(3), "dev3_");
        assert_eq!(device_port_field("dev12_eop_in"), Some((12, "eop_in")));
        assert_eq!(device_port_field("devx_eop_in"), None);
        assert!(ports.iter().all(|p| !p.name.contains('$')));
        assert!(
            ports.iter().all(|p| !port_doc(&p.name).is_empty()),
            "a port without a doc"
        );
    }
}
