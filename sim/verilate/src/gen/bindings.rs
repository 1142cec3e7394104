//! The Rust side of a model: port tables, index constants, `Inputs`/`Outputs` word arrays with
//! named accessors, the `extern "C"` declarations and a `Model` owning the C++ object.
//!
//! A model may have two builds linked in: the untraced one every `Model` starts on, and a
//! traced one it switches to when a VCD file is opened before its first evaluation.

use super::{check, rust_name, split, GenError};
use crate::Port;
use std::fmt::Write;

/// What the generated Rust needs to know about a model's builds.
#[derive(Clone, Copy, Debug)]
pub struct BindingSpec<'a> {
    /// The C++ class of the untraced build; the traced build is `<prefix>_traced`.
    pub prefix: &'a str,
    pub ports: &'a [Port],
    pub clock: &'a str,
    /// A traced build is linked in.
    pub traceable: bool,
    /// The untraced build's clock call can skip the redundant input-driven pass.
    pub edge_shortcut: bool,
}

fn port_table(w: &mut String, name: &str, ports: &[&Port]) {
    let _ = writeln!(w, "pub const {name}: &[::mapdma_verilate::PortInfo] = &[");
    for (i, p) in ports.iter().enumerate() {
        let _ = writeln!(
            w,
            "    ::mapdma_verilate::PortInfo {{ name: {:?}, rust_name: {:?}, width: {}, index: {i} }},",
            p.name,
            rust_name(&p.name),
            p.width
        );
    }
    let _ = writeln!(w, "];\n");
}

fn words_type(w: &mut String, ty: &str, doc: &str, ports: &[&Port], setters: bool) {
    let n = ports.len();
    let _ = writeln!(
        w,
        "/// {doc}, one `u32` word per port in port-list order.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq)]\n\
         pub struct {ty} {{\n\
         \x20   pub words: [u32; {n}],\n\
         }}\n\
         \n\
         impl Default for {ty} {{\n\
         \x20   fn default() -> Self {{\n\
         \x20       {ty} {{ words: [0; {n}] }}\n\
         \x20   }}\n\
         }}\n\
         \n\
         impl ::mapdma_verilate::Words for {ty} {{\n\
         \x20   fn words(&self) -> &[u32] {{\n\
         \x20       &self.words\n\
         \x20   }}\n\
         \x20   fn words_mut(&mut self) -> &mut [u32] {{\n\
         \x20       &mut self.words\n\
         \x20   }}\n\
         }}\n\
         \n\
         #[allow(non_snake_case)]\n\
         impl {ty} {{"
    );
    for (i, p) in ports.iter().enumerate() {
        let r = rust_name(&p.name);
        let _ = writeln!(
            w,
            "    /// `{}` ({} bit{}).\n    pub fn {r}(&self) -> u32 {{\n        self.words[{i}]\n    }}",
            p.name,
            p.width,
            if p.width == 1 { "" } else { "s" }
        );
        if setters {
            let _ = writeln!(
                w,
                "    /// Sets `{}`.\n    pub fn set_{r}(&mut self, value: u32) {{\n        self.words[{i}] = value;\n    }}",
                p.name
            );
        }
    }
    let _ = writeln!(w, "}}\n");
}

fn index_module(w: &mut String, name: &str, doc: &str, ports: &[&Port]) {
    let _ = writeln!(w, "/// {doc}\npub mod {name} {{");
    for (i, p) in ports.iter().enumerate() {
        let _ = writeln!(
            w,
            "    pub const {}: usize = {i};",
            rust_name(&p.name).to_ascii_uppercase()
        );
    }
    let _ = writeln!(w, "}}\n");
}

fn externs(w: &mut String, class: &str, traced: bool) {
    let h = "handle: *mut ::std::ffi::c_void";
    let _ = writeln!(
        w,
        "    fn {class}_new() -> *mut ::std::ffi::c_void;\n\
         \x20   fn {class}_delete({h});\n\
         \x20   fn {class}_eval({h}, inputs: *const u32, outputs: *mut u32);\n\
         \x20   fn {class}_clock({h}, inputs: *const u32, low: *mut u32, high: *mut u32, time: u64, half: u64, shortcut: ::std::ffi::c_int);"
    );
    if traced {
        let _ = writeln!(
            w,
            "    fn {class}_trace_open({h}, path: *const ::std::ffi::c_char) -> ::std::ffi::c_int;\n\
             \x20   fn {class}_trace_dump({h}, time: u64);\n\
             \x20   fn {class}_trace_close({h});"
        );
    }
}

/// `{prefix}_{call}` on the build the model runs, as an expression.
fn dispatch(s: &BindingSpec, call: &str) -> String {
    let p = s.prefix;
    if s.traceable {
        format!("if self.traced {{ {p}_traced_{call} }} else {{ {p}_{call} }}")
    } else {
        format!("{p}_{call}")
    }
}

fn model_struct(w: &mut String, s: &BindingSpec) {
    let p = s.prefix;
    let delete = dispatch(s, "delete(self.handle.as_ptr())");
    let _ = writeln!(
        w,
        "/// The Verilated model `{p}`; dropping it runs `final()` and closes any trace.\n\
         #[allow(dead_code)]\n\
         pub struct Model {{\n\
         \x20   handle: ::std::ptr::NonNull<::std::ffi::c_void>,\n\
         \x20   /// Runs on the traced build.\n\
         \x20   traced: bool,\n\
         \x20   evaluated: bool,\n\
         \x20   tracing: bool,\n\
         \x20   shortcut: ::std::ffi::c_int,\n\
         }}\n\
         \n\
         impl Model {{\n\
         \x20   /// A fresh model (untraced build) in its own `VerilatedContext`; initial blocks run at\n\
         \x20   /// the first evaluation.\n\
         \x20   pub fn new() -> Self {{\n\
         \x20       // SAFETY: the constructor has no preconditions; it returns a heap object or aborts.\n\
         \x20       let raw = unsafe {{ {p}_new() }};\n\
         \x20       Model {{\n\
         \x20           handle: ::std::ptr::NonNull::new(raw).expect(\"Verilated model allocation failed\"),\n\
         \x20           traced: false,\n\
         \x20           evaluated: false,\n\
         \x20           tracing: false,\n\
         \x20           shortcut: EDGE_SHORTCUT as ::std::ffi::c_int,\n\
         \x20       }}\n\
         \x20   }}\n\
         }}\n\
         \n\
         impl Default for Model {{\n\
         \x20   fn default() -> Self {{\n\
         \x20       Self::new()\n\
         \x20   }}\n\
         }}\n\
         \n\
         impl Drop for Model {{\n\
         \x20   fn drop(&mut self) {{\n\
         \x20       // SAFETY: the handle came from `_new` of this build and is freed exactly once, here.\n\
         \x20       unsafe {{ {delete} }}\n\
         \x20   }}\n\
         }}\n"
    );
}

fn trace_methods(w: &mut String, s: &BindingSpec) {
    let p = s.prefix;
    if !s.traceable {
        let _ = writeln!(
            w,
            "    fn trace_open(&mut self, path: &::std::path::Path) -> Result<(), ::mapdma_verilate::TraceError> {{\n\
             \x20       Err(::mapdma_verilate::TraceError(format!(\"{{}}: `{p}` was built without tracing\", path.display())))\n\
             \x20   }}\n\
             \x20   fn trace_dump(&mut self, _time: u64) {{}}\n\
             \x20   fn trace_close(&mut self) {{}}\n\
             \x20   fn tracing(&self) -> bool {{\n\
             \x20       false\n\
             \x20   }}\n\
             }}"
        );
        return;
    }
    let _ = writeln!(
        w,
        "    fn trace_open(&mut self, path: &::std::path::Path) -> Result<(), ::mapdma_verilate::TraceError> {{\n\
         \x20       let c = ::std::ffi::CString::new(path.as_os_str().as_encoded_bytes())\n\
         \x20           .map_err(|_| ::mapdma_verilate::TraceError(format!(\"{{}}: path contains a NUL byte\", path.display())))?;\n\
         \x20       if !self.traced {{\n\
         \x20           if self.evaluated {{\n\
         \x20               return Err(::mapdma_verilate::TraceError(format!(\"{{}}: open the trace before the first clock (the model runs its untraced build)\", path.display())));\n\
         \x20           }}\n\
         \x20           // SAFETY: the untraced handle is freed once and replaced by a fresh traced model.\n\
         \x20           let raw = unsafe {{\n\
         \x20               {p}_delete(self.handle.as_ptr());\n\
         \x20               {p}_traced_new()\n\
         \x20           }};\n\
         \x20           self.handle = ::std::ptr::NonNull::new(raw).expect(\"Verilated model allocation failed\");\n\
         \x20           self.traced = true;\n\
         \x20       }}\n\
         \x20       // SAFETY: valid traced handle; `c` outlives the call, which copies the string.\n\
         \x20       let ok = unsafe {{ {p}_traced_trace_open(self.handle.as_ptr(), c.as_ptr()) }};\n\
         \x20       self.tracing = ok != 0;\n\
         \x20       if self.tracing {{\n\
         \x20           Ok(())\n\
         \x20       }} else {{\n\
         \x20           Err(::mapdma_verilate::TraceError(format!(\"{{}}: cannot create the file\", path.display())))\n\
         \x20       }}\n\
         \x20   }}\n\
         \n\
         \x20   fn trace_dump(&mut self, time: u64) {{\n\
         \x20       if self.tracing {{\n\
         \x20           // SAFETY: valid traced handle (tracing implies the traced build).\n\
         \x20           unsafe {{ {p}_traced_trace_dump(self.handle.as_ptr(), time) }}\n\
         \x20       }}\n\
         \x20   }}\n\
         \n\
         \x20   fn trace_close(&mut self) {{\n\
         \x20       if self.traced {{\n\
         \x20           // SAFETY: valid traced handle.\n\
         \x20           unsafe {{ {p}_traced_trace_close(self.handle.as_ptr()) }}\n\
         \x20       }}\n\
         \x20       self.tracing = false;\n\
         \x20   }}\n\
         \n\
         \x20   fn tracing(&self) -> bool {{\n\
         \x20       self.tracing\n\
         \x20   }}\n\
         }}"
    );
}

fn model_impl(w: &mut String, s: &BindingSpec, clock: usize, ni: usize, no: usize) {
    let eval = dispatch(
        s,
        "eval(self.handle.as_ptr(), inputs.words.as_ptr(), outputs.words.as_mut_ptr())",
    );
    let clock_call = dispatch(
        s,
        "clock(self.handle.as_ptr(), inputs.as_ptr(), low.as_mut_ptr(), high_ptr, time, half_period, self.shortcut)",
    );
    let _ = writeln!(
        w,
        "impl ::mapdma_verilate::VerilatedModel for Model {{\n\
         \x20   const PREFIX: &'static str = PREFIX;\n\
         \x20   const INPUTS: &'static [::mapdma_verilate::PortInfo] = INPUTS;\n\
         \x20   const OUTPUTS: &'static [::mapdma_verilate::PortInfo] = OUTPUTS;\n\
         \x20   const CLOCK: usize = {clock};\n\
         \x20   const TRACEABLE: bool = TRACEABLE;\n\
         \x20   const EDGE_SHORTCUT: bool = EDGE_SHORTCUT;\n\
         \x20   type Inputs = Inputs;\n\
         \x20   type Outputs = Outputs;\n\
         \n\
         \x20   fn eval(&mut self, inputs: &Inputs, outputs: &mut Outputs) {{\n\
         \x20       self.evaluated = true;\n\
         \x20       // SAFETY: the shim reads exactly {ni} input words and writes exactly {no} output\n\
         \x20       // words, the lengths of these arrays (both generated from one port list).\n\
         \x20       unsafe {{ {eval} }}\n\
         \x20   }}\n\
         \n\
         \x20   fn clock(&mut self, inputs: &[u32], low: &mut [u32], high: Option<&mut [u32]>, time: u64, half_period: u64) {{\n\
         \x20       assert!(inputs.len() == {ni} && low.len() == {no} && high.as_ref().is_none_or(|h| h.len() == {no}), \"port word counts\");\n\
         \x20       let high_ptr = high.map_or(::std::ptr::null_mut(), |h| h.as_mut_ptr());\n\
         \x20       self.evaluated = true;\n\
         \x20       // SAFETY: lengths checked above against the shim's {ni} inputs and {no} outputs.\n\
         \x20       unsafe {{ {clock_call} }}\n\
         \x20   }}\n\
         \n\
         \x20   fn set_edge_shortcut(&mut self, on: bool) {{\n\
         \x20       self.shortcut = (on && EDGE_SHORTCUT) as ::std::ffi::c_int;\n\
         \x20   }}\n\
         \n\
         \x20   fn edge_shortcut(&self) -> bool {{\n\
         \x20       self.shortcut != 0\n\
         \x20   }}\n"
    );
    trace_methods(w, s);
}

/// The Rust bindings of a model. Meant to be `include!`d into a module of a crate that depends
/// on `mapdma_verilate`.
pub fn bindings(s: &BindingSpec) -> Result<String, GenError> {
    check(s.prefix, s.ports)?;
    let (ins, outs) = split(s.ports);
    let clock = ins
        .iter()
        .position(|p| p.name == s.clock)
        .ok_or_else(|| GenError(format!("the clock `{}` is not an input", s.clock)))?;
    let mut w = String::new();
    let _ = writeln!(
        w,
        "// Generated by mapdma-verilate from the port list of `{p}`. Do not edit.\n\
         \n\
         /// The Verilator `--prefix` (C++ class name) of this model's untraced build.\n\
         pub const PREFIX: &str = {p:?};\n\
         /// A traced build is linked in (a VCD file opened before the first clock switches to it).\n\
         pub const TRACEABLE: bool = {t};\n\
         /// The clock call may skip the input-driven pass on the rising edge (checked at build time).\n\
         pub const EDGE_SHORTCUT: bool = {e};\n",
        p = s.prefix,
        t = s.traceable,
        e = s.edge_shortcut,
    );
    index_module(
        &mut w,
        "input",
        "Word index of each input in [`Inputs`].",
        &ins,
    );
    index_module(
        &mut w,
        "output",
        "Word index of each output in [`Outputs`].",
        &outs,
    );
    port_table(&mut w, "INPUTS", &ins);
    port_table(&mut w, "OUTPUTS", &outs);
    words_type(&mut w, "Inputs", "Values driven into the model", &ins, true);
    words_type(
        &mut w,
        "Outputs",
        "Values read from the model",
        &outs,
        false,
    );
    w.push_str("unsafe extern \"C\" {\n");
    externs(&mut w, s.prefix, false);
    if s.traceable {
        externs(&mut w, &format!("{}_traced", s.prefix), true);
    }
    w.push_str("}\n\n");
    model_struct(&mut w, s);
    model_impl(&mut w, s, clock, ins.len(), outs.len());
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::tests::ports;

    #[test]
    fn bindings_have_tables_indices_and_accessors() {
        let p = ports();
        let spec = BindingSpec {
            prefix: "Vt",
            ports: &p,
            clock: "clock",
            traceable: true,
            edge_shortcut: false,
        };
        let r = bindings(&spec).unwrap();
        assert!(r.contains("pub const DEV_0_SRC_DATA: usize = 1;"), "{r}");
        assert!(r.contains("pub const IRQ: usize = 1;"), "{r}");
        assert!(
            r.contains("pub fn set_s_axil_awaddr(&mut self, value: u32)"),
            "{r}"
        );
        assert!(r.contains("pub words: [u32; 3]"), "{r}");
        assert!(r.contains("pub words: [u32; 2]"), "{r}");
        assert!(r.contains("fn Vt_eval("), "{r}");
        assert!(r.contains("fn Vt_traced_trace_open("), "{r}");
        assert!(r.contains("const CLOCK: usize = 0;"), "{r}");
        assert!(r.contains(
            "name: \"dev$0$src_data\", rust_name: \"dev_0_src_data\", width: 32, index: 1"
        ));
    }

    #[test]
    fn untraceable_models_refuse_traces_and_declare_no_traced_symbols() {
        let p = ports();
        let spec = BindingSpec {
            prefix: "Vt",
            ports: &p,
            clock: "clock",
            traceable: false,
            edge_shortcut: true,
        };
        let r = bindings(&spec).unwrap();
        assert!(!r.contains("Vt_traced"), "{r}");
        assert!(r.contains("was built without tracing"), "{r}");
        assert!(r.contains("pub const EDGE_SHORTCUT: bool = true;"), "{r}");
    }
}
