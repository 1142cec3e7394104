//! A small, generic Verilator 5 binding for Rust.
//!
//! The published verilated-rs crates hard-code Verilator 4 file names and shim APIs and do not
//! build against Verilator 5. This crate takes the other road: it is given Verilog *text* and the
//! top-level port list (both produced by a Rust HDL generator, so nothing is parsed), and
//!
//! - [`gen`] turns the port list into an `extern "C"` C++ shim and matching Rust bindings
//!   (one FFI call per evaluation, or per whole clock: every input is copied in and every output
//!   copied out);
//! - [`build`] (feature `build`, for build scripts) runs `verilator --cc`, reads the file lists
//!   from `V<prefix>_classes.mk` (file names change between Verilator versions), and compiles the
//!   model, the shim and Verilator's runtime with the `cc` crate: an untraced build at `-O3` that
//!   every model runs on, and optionally a traced build used only when a VCD file is opened;
//! - [`edge`] decides from the generated C++ whether a clock's rising edge may skip Verilator's
//!   redundant input-driven pass.
//!
//! Each model is built under its own `--prefix`, so several designs (or configurations of one
//! design) link into one binary, sharing a single copy of the runtime.
//!
//! At run time the generated code implements [`VerilatedModel`]; ports are `u32` words (every
//! port must be 1..=32 bits wide), addressed by generated constants, named accessors or, for
//! generic code, by looking names up in [`VerilatedModel::INPUTS`]/[`VerilatedModel::OUTPUTS`].

use std::fmt;
use std::path::Path;

#[cfg(any(feature = "build", test))]
pub mod build;
pub mod edge;
pub mod gen;

/// Direction of a top-level port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    In,
    Out,
}

/// A top-level port as the HDL generator names it (`$` and all).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Port {
    pub name: String,
    pub dir: Dir,
    pub width: usize,
}

impl Port {
    pub fn new(name: impl Into<String>, dir: Dir, width: usize) -> Self {
        Port {
            name: name.into(),
            dir,
            width,
        }
    }
}

/// One port of a generated binding: its HDL name, its Rust name and its word index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortInfo {
    /// The name in the Verilog (e.g. `dev$0$src_data`).
    pub name: &'static str,
    /// The identifier used in the generated Rust (e.g. `dev_0_src_data`).
    pub rust_name: &'static str,
    pub width: u32,
    /// Index of the port's word in the model's input or output array.
    pub index: usize,
}

impl PortInfo {
    /// The bits a value of this port may carry.
    pub fn mask(&self) -> u32 {
        if self.width >= 32 {
            u32::MAX
        } else {
            (1 << self.width) - 1
        }
    }
}

/// Fixed-size arrays of port words: the generated `Inputs` and `Outputs` types.
pub trait Words: Default + Clone {
    fn words(&self) -> &[u32];
    fn words_mut(&mut self) -> &mut [u32];
}

/// Failure to start a waveform trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError(pub String);

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot open waveform trace: {}", self.0)
    }
}

impl std::error::Error for TraceError {}

/// A Verilated model behind a generated binding.
pub trait VerilatedModel {
    /// The `--prefix` the model was built with (its C++ class is `V<prefix>`-style, as given).
    const PREFIX: &'static str;
    const INPUTS: &'static [PortInfo];
    const OUTPUTS: &'static [PortInfo];
    /// Word index of the clock among the inputs.
    const CLOCK: usize;
    /// A traced build is linked in, so [`VerilatedModel::trace_open`] can work.
    const TRACEABLE: bool;
    /// The build found the rising-edge shortcut safe (see [`edge`]).
    const EDGE_SHORTCUT: bool;
    type Inputs: Words;
    type Outputs: Words;

    /// Copies `inputs` into the model (masked to each port's width), evaluates it, and copies
    /// every output into `outputs`.
    fn eval(&mut self, inputs: &Self::Inputs, outputs: &mut Self::Outputs);

    /// One whole clock in one call: `inputs` in with the clock low (the clock word itself is
    /// ignored), evaluate, outputs into `low`, trace at `time`; clock high, evaluate, outputs into
    /// `high` if given, trace at `time + half_period`. Panics if a slice has the wrong length.
    fn clock(
        &mut self,
        inputs: &[u32],
        low: &mut [u32],
        high: Option<&mut [u32]>,
        time: u64,
        half_period: u64,
    );

    /// Uses the rising-edge shortcut in [`VerilatedModel::clock`] (on by default where the build
    /// allows it; turning it off gives plain `eval()`, to compare the two).
    fn set_edge_shortcut(&mut self, on: bool);
    fn edge_shortcut(&self) -> bool;

    /// Starts writing a VCD file (`$timescale` is the model's time precision, 1 ps unless the
    /// Verilog says otherwise). Replaces a trace already open. A model runs its untraced build
    /// until a trace is opened, so the first trace must be opened before the first evaluation.
    fn trace_open(&mut self, path: &Path) -> Result<(), TraceError>;
    /// Records the current signal values at `time` if a trace is open.
    fn trace_dump(&mut self, time: u64);
    /// Flushes and closes the trace, if one is open.
    fn trace_close(&mut self);
    fn tracing(&self) -> bool;

    /// Looks an input up by its HDL name.
    fn input(name: &str) -> Option<&'static PortInfo> {
        Self::INPUTS.iter().find(|p| p.name == name)
    }
    /// Looks an output up by its HDL name.
    fn output(name: &str) -> Option<&'static PortInfo> {
        Self::OUTPUTS.iter().find(|p| p.name == name)
    }
}
