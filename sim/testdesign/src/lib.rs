//! A small rust-hdl design whose top-level ports look like mapdma's (`bus$addr`,
//! `dev$0$count`, widths from 1 to 32 bits, registered and combinational outputs). It lets the
//! Verilator binding and the two simulation engines be tested on something small and fully
//! understood, independent of the DMA controller.
//!
//! Behaviour (all synchronous to `clock`, `reset` synchronous and active high):
//! - four 32-bit registers: when `bus$write`, register `bus$addr` takes `bus$wdata`;
//!   `bus$rdata` is register `bus$addr` one clock later (registered read);
//! - per channel n: `dev$n$count` adds `dev$n$step` every clock `dev$n$enable` is high;
//!   `dev$n$wrap` (combinational) is high while enabled and the next add would carry out;
//! - `sum` (13 bits, combinational) = `bus$wdata[12:0] + dev$0$step`.

use mapdma_verilate::{Dir, Port};
use rust_hdl::prelude::*;

/// Channels in the design.
pub const CHANNELS: usize = 2;

#[derive(LogicInterface, Default)]
pub struct RegPort {
    pub addr: Signal<In, Bits<2>>,
    pub wdata: Signal<In, Bits<32>>,
    pub write: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
}

#[derive(LogicInterface, Default)]
pub struct DevPort {
    pub enable: Signal<In, Bit>,
    pub step: Signal<In, Bits<8>>,
    pub count: Signal<Out, Bits<16>>,
    pub wrap: Signal<Out, Bit>,
}

#[derive(LogicBlock, Default)]
pub struct TestTop {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub bus: RegPort,
    pub dev: [DevPort; CHANNELS],
    pub sum: Signal<Out, Bits<13>>,
    regs: [DFF<Bits<32>>; 4],
    rdata: DFF<Bits<32>>,
    chans: [Chan; CHANNELS],
}

/// One channel's counter (a sub-block, so the top's Verilog has a submodule too).
#[derive(LogicBlock, Default)]
pub struct Chan {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub enable: Signal<In, Bit>,
    pub step: Signal<In, Bits<8>>,
    pub count: Signal<Out, Bits<16>>,
    pub wrap: Signal<Out, Bit>,
    counter: DFF<Bits<16>>,
    carry: Signal<Local, Bits<17>>,
}

impl Logic for Chan {
    #[hdl_gen]
    fn update(&mut self) {
        self.counter.clock.next = self.clock.val();
        self.carry.next =
            bit_cast::<17, 16>(self.counter.q.val()) + bit_cast::<17, 8>(self.step.val());
        self.counter.d.next = self.counter.q.val();
        if self.enable.val() {
            self.counter.d.next = self.carry.val().get_bits::<16>(0);
        }
        if self.reset.val() {
            self.counter.d.next = 0.into();
        }
        self.count.next = self.counter.q.val();
        self.wrap.next = self.enable.val() & self.carry.val().get_bit(16);
    }
}

impl Logic for TestTop {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..4 {
            self.regs[i].clock.next = self.clock.val();
            self.regs[i].d.next = self.regs[i].q.val();
            if self.bus.write.val() & (self.bus.addr.val().index() == i) {
                self.regs[i].d.next = self.bus.wdata.val();
            }
            if self.reset.val() {
                self.regs[i].d.next = 0.into();
            }
        }
        self.rdata.clock.next = self.clock.val();
        self.rdata.d.next = self.regs[0].q.val();
        for i in 0..4 {
            if self.bus.addr.val().index() == i {
                self.rdata.d.next = self.regs[i].q.val();
            }
        }
        if self.reset.val() {
            self.rdata.d.next = 0.into();
        }
        self.bus.rdata.next = self.rdata.q.val();
        for i in 0..CHANNELS {
            self.chans[i].clock.next = self.clock.val();
            self.chans[i].reset.next = self.reset.val();
            self.chans[i].enable.next = self.dev[i].enable.val();
            self.chans[i].step.next = self.dev[i].step.val();
            self.dev[i].count.next = self.chans[i].count.val();
            self.dev[i].wrap.next = self.chans[i].wrap.val();
        }
        self.sum.next =
            self.bus.wdata.val().get_bits::<13>(0) + bit_cast::<13, 8>(self.dev[0].step.val());
    }
}

/// A connected instance, ready to simulate.
pub fn new_top() -> TestTop {
    let mut t = TestTop::default();
    t.connect_all();
    t
}

/// The design's Verilog (module `top`), or the rust-hdl check that failed.
pub fn verilog() -> Result<String, String> {
    let t = new_top();
    check_all(&t).map_err(|e| format!("{e:?}"))?;
    Ok(generate_verilog_unchecked(&t))
}

/// Collects the top-level ports of a rust-hdl block under the names rust-hdl gives them in
/// Verilog (namespaces and array indices joined with `$`).
struct PortProbe {
    depth: usize,
    namespace: Vec<String>,
    ports: Vec<Port>,
}

impl Probe for PortProbe {
    fn visit_start_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth += 1;
    }
    fn visit_start_namespace(&mut self, name: &str, _node: &dyn Block) {
        self.namespace.push(name.to_string());
    }
    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        if self.depth != 1 {
            return;
        }
        let dir = match signal.kind() {
            AtomKind::InputParameter => Dir::In,
            AtomKind::OutputParameter | AtomKind::OutputPassthrough => Dir::Out,
            _ => return,
        };
        let mut full = self.namespace.join("$");
        if !full.is_empty() {
            full.push('$');
        }
        full.push_str(name);
        self.ports.push(Port::new(full, dir, signal.bits()));
    }
    fn visit_end_namespace(&mut self, _name: &str, _node: &dyn Block) {
        self.namespace.pop();
    }
    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth -= 1;
    }
}

/// The top-level ports of any rust-hdl block, as they appear in its generated Verilog.
pub fn block_ports<B: Block>(block: &B) -> Vec<Port> {
    let mut p = PortProbe {
        depth: 0,
        namespace: vec![],
        ports: vec![],
    };
    block.accept("top", &mut p);
    p.ports
}

/// The design's top-level ports.
pub fn ports() -> Vec<Port> {
    block_ports(&new_top())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_carry_rust_hdl_names_and_widths() {
        let p = ports();
        let find = |n: &str| p.iter().find(|x| x.name == n).cloned();
        assert_eq!(find("clock"), Some(Port::new("clock", Dir::In, 1)));
        assert_eq!(find("bus$wdata"), Some(Port::new("bus$wdata", Dir::In, 32)));
        assert_eq!(
            find("dev$1$count"),
            Some(Port::new("dev$1$count", Dir::Out, 16))
        );
        assert_eq!(find("sum"), Some(Port::new("sum", Dir::Out, 13)));
        assert_eq!(p.len(), 2 + 4 + CHANNELS * 4 + 1);
        let v = verilog().unwrap();
        for port in &p {
            assert!(v.contains(&port.name), "{} not in the Verilog", port.name);
        }
    }
}
