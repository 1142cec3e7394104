//! The rust-hdl engine: drives a rust-hdl block directly (inputs' `.next`, then `update_all()`
//! until nothing changes), exactly what rust-hdl's own simulator does between events, without
//! its thread-per-testbench machinery.

use super::{check_words, Engine, EngineError, PortSpec, PortTable};
use rust_hdl::prelude::*;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// Delta cycles allowed for one evaluation before declaring a combinational loop.
const MAX_DELTAS: usize = 1000;

/// Sets one input of a block from a port word.
pub type InputFn<T> = Box<dyn Fn(&mut T, u32)>;
/// Reads one output of a block as a port word.
pub type OutputFn<T> = Box<dyn Fn(&T) -> u32>;

/// Reaches the top-level ports of a rust-hdl block `T` by their Verilog names.
pub trait PortBinder<T> {
    fn input(&self, name: &str) -> Option<InputFn<T>>;
    fn output(&self, name: &str) -> Option<OutputFn<T>>;
}

/// Conversion between a signal value and a port word (values are masked to the width).
pub trait Word: Synth {
    fn from_word(v: u32) -> Self;
    fn to_word(self) -> u32;
}

impl<const N: usize> Word for Bits<N> {
    fn from_word(v: u32) -> Self {
        let mask = if N >= 32 { u32::MAX } else { (1u32 << N) - 1 };
        Bits::<N>::from((v & mask) as u64)
    }
    fn to_word(self) -> u32 {
        self.to_u32()
    }
}

impl Word for bool {
    fn from_word(v: u32) -> Self {
        v & 1 != 0
    }
    fn to_word(self) -> u32 {
        self as u32
    }
}

impl Word for Clock {
    fn from_word(v: u32) -> Self {
        Clock { clk: v & 1 != 0 }
    }
    fn to_word(self) -> u32 {
        self.clk as u32
    }
}

/// Runs a rust-hdl block.
pub struct RustHdlEngine<T: Block> {
    top: Box<T>,
    setters: Vec<InputFn<T>>,
    getters: Vec<OutputFn<T>>,
    ports: PortTable,
    vcd: Option<VcdProbe>,
}

type VcdProbe = rust_hdl::core::vcd_probe::VCDProbe<BufWriter<File>>;

impl<T: Block> RustHdlEngine<T> {
    /// `top` must already be connected (`connect_all`). `ports` lists the ports to expose, in
    /// word order (normally the same list the Verilator binding was generated from).
    pub fn new(top: T, ports: PortTable, binder: &dyn PortBinder<T>) -> Result<Self, EngineError> {
        let setters = ports
            .inputs
            .iter()
            .map(|p| {
                binder
                    .input(&p.name)
                    .ok_or_else(|| EngineError::UnknownPort(p.name.clone()))
            })
            .collect::<Result<_, _>>()?;
        let getters = ports
            .outputs
            .iter()
            .map(|p| {
                binder
                    .output(&p.name)
                    .ok_or_else(|| EngineError::UnknownPort(p.name.clone()))
            })
            .collect::<Result<_, _>>()?;
        Ok(RustHdlEngine {
            top: Box::new(top),
            setters,
            getters,
            ports,
            vcd: None,
        })
    }

    pub fn top(&self) -> &T {
        &self.top
    }
}

impl PortTable {
    /// A table from `(name, width, is_input)` triples in port-list order.
    pub fn from_list<'a>(list: impl IntoIterator<Item = (&'a str, u32, bool)>) -> Self {
        let mut t = PortTable::default();
        for (name, width, input) in list {
            let s = PortSpec {
                name: name.to_string(),
                width,
            };
            if input {
                t.inputs.push(s)
            } else {
                t.outputs.push(s)
            }
        }
        t
    }
}

impl<T: Block> Engine for RustHdlEngine<T> {
    fn name(&self) -> &'static str {
        "rust-hdl"
    }

    fn ports(&self) -> &PortTable {
        &self.ports
    }

    fn eval(&mut self, inputs: &[u32], outputs: &mut [u32]) -> Result<(), EngineError> {
        check_words(&self.ports, inputs, outputs)?;
        for (set, &v) in self.setters.iter().zip(inputs) {
            set(&mut self.top, v);
        }
        let mut settled = false;
        for _ in 0..MAX_DELTAS {
            self.top.update_all();
            if !self.top.has_changed() {
                settled = true;
                break;
            }
        }
        if !settled {
            return Err(EngineError::NoConvergence(MAX_DELTAS));
        }
        for (get, o) in self.getters.iter().zip(outputs.iter_mut()) {
            *o = get(&self.top);
        }
        Ok(())
    }

    fn trace_open(&mut self, path: &Path) -> Result<(), EngineError> {
        let f = File::create(path)
            .map_err(|e| EngineError::Trace(format!("{}: {e}", path.display())))?;
        self.vcd = Some(write_vcd_header(BufWriter::new(f), self.top.as_ref()));
        Ok(())
    }

    fn trace_dump(&mut self, time_ps: u64) -> Result<(), EngineError> {
        if let Some(mut v) = self.vcd.take() {
            v.timestamp(time_ps)
                .map_err(|e| EngineError::Trace(e.to_string()))?;
            self.vcd = Some(write_vcd_change(v, self.top.as_ref()));
        }
        Ok(())
    }

    fn trace_close(&mut self) -> Result<(), EngineError> {
        // Dropping the probe flushes its writer.
        self.vcd = None;
        Ok(())
    }

    fn tracing(&self) -> bool {
        self.vcd.is_some()
    }
}
