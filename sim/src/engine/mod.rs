//! Simulation engines: the things that evaluate the design. The testbench (models, checkers,
//! [`crate::System`]) only sees port words, so one scenario runs unchanged on Verilator and on
//! rust-hdl's own simulator.

mod rust_hdl;
mod verilator;

pub use self::rust_hdl::{InputFn, OutputFn, PortBinder, RustHdlEngine, Word};
pub use self::verilator::VerilatorEngine;

use std::fmt;
use std::path::Path;

/// A port as an engine exposes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec {
    pub name: String,
    pub width: u32,
}

/// Input and output ports, in word order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortTable {
    pub inputs: Vec<PortSpec>,
    pub outputs: Vec<PortSpec>,
}

impl PortTable {
    /// Word index of an input.
    pub fn input(&self, name: &str) -> Option<usize> {
        self.inputs.iter().position(|p| p.name == name)
    }
    /// Word index of an output.
    pub fn output(&self, name: &str) -> Option<usize> {
        self.outputs.iter().position(|p| p.name == name)
    }
}

/// Something an engine could not do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// The design kept changing after this many delta cycles (a combinational loop).
    NoConvergence(usize),
    /// A port the testbench needs does not exist in the design, or cannot be driven.
    UnknownPort(String),
    Trace(String),
    /// `eval` was given the wrong number of words.
    WordCount {
        expected: usize,
        got: usize,
    },
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::NoConvergence(n) => {
                write!(f, "the design did not settle within {n} delta cycles")
            }
            EngineError::UnknownPort(p) => write!(f, "the design has no usable port `{p}`"),
            EngineError::Trace(e) => write!(f, "waveform trace: {e}"),
            EngineError::WordCount { expected, got } => {
                write!(f, "expected {expected} port words, got {got}")
            }
        }
    }
}

impl std::error::Error for EngineError {}

/// Checks the lengths of the word slices handed to [`Engine::eval`].
pub(crate) fn check_words(
    t: &PortTable,
    inputs: &[u32],
    outputs: &[u32],
) -> Result<(), EngineError> {
    for (expected, got) in [
        (t.inputs.len(), inputs.len()),
        (t.outputs.len(), outputs.len()),
    ] {
        if expected != got {
            return Err(EngineError::WordCount { expected, got });
        }
    }
    Ok(())
}

/// A design evaluated from port words.
pub trait Engine {
    /// Short name for reports ("verilator", "rust-hdl").
    fn name(&self) -> &'static str;
    fn ports(&self) -> &PortTable;
    /// Applies every input word (clock included) and settles the design; fills `outputs`.
    fn eval(&mut self, inputs: &[u32], outputs: &mut [u32]) -> Result<(), EngineError>;
    /// One whole clock: with input `clock` low, evaluate into `low` and trace at `time_ps`; with
    /// it high, evaluate (into `high` if given) and trace at `time_ps + half_ps`. Engines that
    /// can do this in one step (the Verilator shim) override it; the default is two
    /// [`Engine::eval`] calls.
    fn clock(
        &mut self,
        inputs: &mut [u32],
        clock: usize,
        low: &mut [u32],
        high: Option<&mut [u32]>,
        time_ps: u64,
        half_ps: u64,
    ) -> Result<(), EngineError> {
        inputs[clock] = 0;
        self.eval(inputs, low)?;
        self.trace_dump(time_ps)?;
        inputs[clock] = 1;
        let mut spare = [0u32; 128];
        let mut heap = vec![];
        let high = match high {
            Some(h) => h,
            None if low.len() <= spare.len() => &mut spare[..low.len()],
            None => {
                heap.resize(low.len(), 0);
                &mut heap[..]
            }
        };
        self.eval(inputs, high)?;
        self.trace_dump(time_ps + half_ps)
    }
    /// Starts a VCD waveform file.
    fn trace_open(&mut self, path: &Path) -> Result<(), EngineError>;
    /// Records the current values at `time_ps` (picoseconds), if tracing.
    fn trace_dump(&mut self, time_ps: u64) -> Result<(), EngineError>;
    /// Flushes and closes the waveform file, if any.
    fn trace_close(&mut self) -> Result<(), EngineError>;
    fn tracing(&self) -> bool;
}

impl<E: Engine + ?Sized> Engine for Box<E> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn ports(&self) -> &PortTable {
        (**self).ports()
    }
    fn eval(&mut self, inputs: &[u32], outputs: &mut [u32]) -> Result<(), EngineError> {
        (**self).eval(inputs, outputs)
    }
    fn clock(
        &mut self,
        inputs: &mut [u32],
        clock: usize,
        low: &mut [u32],
        high: Option<&mut [u32]>,
        time_ps: u64,
        half_ps: u64,
    ) -> Result<(), EngineError> {
        (**self).clock(inputs, clock, low, high, time_ps, half_ps)
    }
    fn trace_open(&mut self, path: &Path) -> Result<(), EngineError> {
        (**self).trace_open(path)
    }
    fn trace_dump(&mut self, time_ps: u64) -> Result<(), EngineError> {
        (**self).trace_dump(time_ps)
    }
    fn trace_close(&mut self) -> Result<(), EngineError> {
        (**self).trace_close()
    }
    fn tracing(&self) -> bool {
        (**self).tracing()
    }
}
