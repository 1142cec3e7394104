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

/// One port of module `top`: its Verilog name (with `$` separators), direction and width.
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
            name: full.join("$"),
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

/// Ports of the top module of a configuration, in declaration order.
pub fn ports(cfg: &Config) -> Result<Vec<Port>, HdlError> {
    let uut = build(cfg)?;
    let mut c = PortCollector::default();
    uut.accept("top", &mut c);
    let _unused: Option<VerilogLiteral> = None;
    Ok(c.ports)
}
