//! Text generation: the `extern "C"` C++ shim and the Rust bindings of one model, both derived
//! from the port list alone.
//!
//! Ports travel as two `u32` arrays (inputs, outputs) in a fixed order: the order of the port
//! list, split by direction. The C++ side masks every input to its width, because Verilator
//! assumes unused high bits of a port are zero.

use crate::{Dir, Port};
use std::collections::HashSet;
use std::fmt::{self, Write};

/// A port list or prefix that cannot be bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenError(pub String);

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot generate a Verilator binding: {}", self.0)
    }
}

impl std::error::Error for GenError {}

/// The name Verilator gives a Verilog identifier in C++ (its `AstNode::encodeName`): letters,
/// digits and single underscores stay; the second of two underscores becomes `__05F`; any other
/// character becomes `__0` and its two upper-case hex digits (`$` → `__024`).
pub fn cpp_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let keep = if i == 0 {
            c.is_ascii_alphabetic()
        } else {
            c.is_ascii_alphanumeric()
        };
        if keep {
            out.push(c as char);
        } else if c == b'_' {
            if bytes.get(i + 1) == Some(&b'_') {
                out.push_str("___05F");
                i += 1;
            } else {
                out.push('_');
            }
        } else {
            let _ = write!(out, "__0{c:02X}");
        }
        i += 1;
    }
    out
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// The Rust identifier for a port: every character that cannot appear in an identifier becomes
/// `_` (`dev$0$src_data` → `dev_0_src_data`); keywords get a trailing `_`.
pub fn rust_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if RUST_KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

fn is_c_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks that a prefix and port list can be bound: the prefix is a C identifier, every port is
/// 1..=32 bits, and names are unique in Verilog, C++ and Rust.
pub fn check(prefix: &str, ports: &[Port]) -> Result<(), GenError> {
    if !is_c_identifier(prefix) {
        return Err(GenError(format!("prefix `{prefix}` is not a C identifier")));
    }
    let mut names = HashSet::new();
    let mut cpp = HashSet::new();
    let mut rust = HashSet::new();
    for p in ports {
        if p.name.is_empty() || p.name.starts_with(|c: char| c.is_ascii_digit() || c == '$') {
            return Err(GenError(format!(
                "`{}` is not a Verilog identifier",
                p.name
            )));
        }
        if !(1..=32).contains(&p.width) {
            return Err(GenError(format!(
                "port `{}` is {} bits wide; only 1..=32 bits are supported",
                p.name, p.width
            )));
        }
        if !names.insert(p.name.as_str()) {
            return Err(GenError(format!("port `{}` is listed twice", p.name)));
        }
        if !cpp.insert(cpp_name(&p.name)) {
            return Err(GenError(format!(
                "port `{}` collides with another port in C++",
                p.name
            )));
        }
        if !rust.insert(rust_name(&p.name).to_ascii_lowercase()) {
            return Err(GenError(format!(
                "port `{}` collides with another port as a Rust identifier ({})",
                p.name,
                rust_name(&p.name)
            )));
        }
    }
    Ok(())
}

fn split(ports: &[Port]) -> (Vec<&Port>, Vec<&Port>) {
    ports.iter().partition(|p| p.dir == Dir::In)
}

/// The C++ shim: `extern "C"` functions `<prefix>_new`, `_delete`, `_eval`, `_trace_open`,
/// `_trace_dump` and `_trace_close` over the Verilated class `<prefix>`.
pub fn shim(prefix: &str, ports: &[Port]) -> Result<String, GenError> {
    check(prefix, ports)?;
    let (ins, outs) = split(ports);
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "// Generated by mapdma-verilate from the port list of `{prefix}`. Do not edit.\n\
         #include <cstdint>\n\
         #include <memory>\n\
         #include \"verilated.h\"\n\
         #include \"verilated_vcd_c.h\"\n\
         #include \"{prefix}.h\"\n\
         \n\
         namespace {{\n\
         struct Handle {{\n\
         \x20   std::unique_ptr<VerilatedContext> ctx;\n\
         \x20   std::unique_ptr<{prefix}> model;\n\
         \x20   std::unique_ptr<VerilatedVcdC> vcd;\n\
         }};\n\
         }}  // namespace\n\
         \n\
         extern \"C\" {{\n\
         \n\
         void* {prefix}_new() {{\n\
         \x20   Handle* h = new Handle;\n\
         \x20   h->ctx.reset(new VerilatedContext);\n\
         \x20   h->ctx->traceEverOn(true);\n\
         \x20   h->model.reset(new {prefix}(h->ctx.get(), \"TOP\"));\n\
         \x20   return h;\n\
         }}\n\
         \n\
         void {prefix}_delete(void* p) {{\n\
         \x20   Handle* h = static_cast<Handle*>(p);\n\
         \x20   if (h->vcd) h->vcd->close();\n\
         \x20   h->model->final();\n\
         \x20   h->vcd.reset();\n\
         \x20   h->model.reset();\n\
         \x20   h->ctx.reset();\n\
         \x20   delete h;\n\
         }}\n\
         \n\
         void {prefix}_eval(void* p, const uint32_t* in, uint32_t* out) {{\n\
         \x20   {prefix}* m = static_cast<Handle*>(p)->model.get();"
    );
    for (i, p) in ins.iter().enumerate() {
        let mask = if p.width == 32 {
            String::new()
        } else {
            format!(" & 0x{:X}u", (1u64 << p.width) - 1)
        };
        let _ = writeln!(w, "    m->{} = in[{i}]{mask};", cpp_name(&p.name));
    }
    let _ = writeln!(w, "    m->eval();");
    for (i, p) in outs.iter().enumerate() {
        let _ = writeln!(w, "    out[{i}] = m->{};", cpp_name(&p.name));
    }
    let _ = writeln!(
        w,
        "}}\n\
         \n\
         int {prefix}_trace_open(void* p, const char* path) {{\n\
         \x20   Handle* h = static_cast<Handle*>(p);\n\
         \x20   if (h->vcd) h->vcd->close();\n\
         \x20   h->vcd.reset(new VerilatedVcdC);\n\
         \x20   h->model->trace(h->vcd.get(), 99);\n\
         \x20   h->vcd->open(path);\n\
         \x20   if (!h->vcd->isOpen()) {{\n\
         \x20       h->vcd.reset();\n\
         \x20       return 0;\n\
         \x20   }}\n\
         \x20   return 1;\n\
         }}\n\
         \n\
         void {prefix}_trace_dump(void* p, uint64_t time) {{\n\
         \x20   Handle* h = static_cast<Handle*>(p);\n\
         \x20   if (h->vcd) h->vcd->dump(time);\n\
         }}\n\
         \n\
         void {prefix}_trace_close(void* p) {{\n\
         \x20   Handle* h = static_cast<Handle*>(p);\n\
         \x20   if (h->vcd) h->vcd->close();\n\
         \x20   h->vcd.reset();\n\
         }}\n\
         \n\
         }}  // extern \"C\""
    );
    Ok(s)
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

/// The Rust side: port tables, index constants, `Inputs`/`Outputs` word arrays with named
/// accessors, the `extern "C"` declarations and a `Model` owning the C++ object.
/// Meant to be `include!`d into a module of a crate that depends on `mapdma_verilate`.
pub fn bindings(prefix: &str, ports: &[Port]) -> Result<String, GenError> {
    check(prefix, ports)?;
    let (ins, outs) = split(ports);
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "// Generated by mapdma-verilate from the port list of `{prefix}`. Do not edit.\n\
         \n\
         /// The Verilator `--prefix` (C++ class name) of this model.\n\
         pub const PREFIX: &str = {prefix:?};\n"
    );
    index_module(w, "input", "Word index of each input in [`Inputs`].", &ins);
    index_module(
        w,
        "output",
        "Word index of each output in [`Outputs`].",
        &outs,
    );
    port_table(w, "INPUTS", &ins);
    port_table(w, "OUTPUTS", &outs);
    words_type(w, "Inputs", "Values driven into the model", &ins, true);
    words_type(w, "Outputs", "Values read from the model", &outs, false);
    let _ = writeln!(
        w,
        "unsafe extern \"C\" {{\n\
         \x20   fn {prefix}_new() -> *mut ::std::ffi::c_void;\n\
         \x20   fn {prefix}_delete(handle: *mut ::std::ffi::c_void);\n\
         \x20   fn {prefix}_eval(handle: *mut ::std::ffi::c_void, inputs: *const u32, outputs: *mut u32);\n\
         \x20   fn {prefix}_trace_open(handle: *mut ::std::ffi::c_void, path: *const ::std::ffi::c_char) -> ::std::ffi::c_int;\n\
         \x20   fn {prefix}_trace_dump(handle: *mut ::std::ffi::c_void, time: u64);\n\
         \x20   fn {prefix}_trace_close(handle: *mut ::std::ffi::c_void);\n\
         }}\n\
         \n\
         /// The Verilated model `{prefix}`; dropping it runs `final()` and closes any trace.\n\
         pub struct Model {{\n\
         \x20   handle: ::std::ptr::NonNull<::std::ffi::c_void>,\n\
         \x20   tracing: bool,\n\
         }}\n\
         \n\
         impl Model {{\n\
         \x20   /// A fresh model in its own `VerilatedContext` (initial blocks run at the first eval).\n\
         \x20   pub fn new() -> Self {{\n\
         \x20       // SAFETY: the constructor has no preconditions; it returns a heap object or aborts.\n\
         \x20       let raw = unsafe {{ {prefix}_new() }};\n\
         \x20       Model {{\n\
         \x20           handle: ::std::ptr::NonNull::new(raw).expect(\"Verilated model allocation failed\"),\n\
         \x20           tracing: false,\n\
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
         \x20       // SAFETY: the handle came from `_new` and is freed exactly once, here.\n\
         \x20       unsafe {{ {prefix}_delete(self.handle.as_ptr()) }}\n\
         \x20   }}\n\
         }}\n\
         \n\
         impl ::mapdma_verilate::VerilatedModel for Model {{\n\
         \x20   const PREFIX: &'static str = PREFIX;\n\
         \x20   const INPUTS: &'static [::mapdma_verilate::PortInfo] = INPUTS;\n\
         \x20   const OUTPUTS: &'static [::mapdma_verilate::PortInfo] = OUTPUTS;\n\
         \x20   type Inputs = Inputs;\n\
         \x20   type Outputs = Outputs;\n\
         \n\
         \x20   fn eval(&mut self, inputs: &Inputs, outputs: &mut Outputs) {{\n\
         \x20       // SAFETY: the shim reads exactly {ni} input words and writes exactly {no} output\n\
         \x20       // words, the lengths of these arrays (both generated from one port list).\n\
         \x20       unsafe {{ {prefix}_eval(self.handle.as_ptr(), inputs.words.as_ptr(), outputs.words.as_mut_ptr()) }}\n\
         \x20   }}\n\
         \n\
         \x20   fn trace_open(&mut self, path: &::std::path::Path) -> Result<(), ::mapdma_verilate::TraceError> {{\n\
         \x20       let c = ::std::ffi::CString::new(path.as_os_str().as_encoded_bytes())\n\
         \x20           .map_err(|_| ::mapdma_verilate::TraceError(format!(\"{{}}: path contains a NUL byte\", path.display())))?;\n\
         \x20       // SAFETY: valid handle; `c` outlives the call, which copies the string.\n\
         \x20       let ok = unsafe {{ {prefix}_trace_open(self.handle.as_ptr(), c.as_ptr()) }};\n\
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
         \x20           // SAFETY: valid handle.\n\
         \x20           unsafe {{ {prefix}_trace_dump(self.handle.as_ptr(), time) }}\n\
         \x20       }}\n\
         \x20   }}\n\
         \n\
         \x20   fn trace_close(&mut self) {{\n\
         \x20       // SAFETY: valid handle.\n\
         \x20       unsafe {{ {prefix}_trace_close(self.handle.as_ptr()) }}\n\
         \x20       self.tracing = false;\n\
         \x20   }}\n\
         \n\
         \x20   fn tracing(&self) -> bool {{\n\
         \x20       self.tracing\n\
         \x20   }}\n\
         }}",
        ni = ins.len(),
        no = outs.len()
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports() -> Vec<Port> {
        vec![
            Port::new("clock", Dir::In, 1),
            Port::new("dev$0$src_data", Dir::In, 32),
            Port::new("s_axil_awaddr", Dir::In, 13),
            Port::new("dev$0$snk_data", Dir::Out, 32),
            Port::new("irq", Dir::Out, 1),
        ]
    }

    #[test]
    fn cpp_names_follow_verilator_encoding() {
        // Checked against Verilator 5.006 output (V<prefix>.h).
        assert_eq!(cpp_name("dev$0$src_data"), "dev__0240__024src_data");
        assert_eq!(cpp_name("a__b"), "a___05Fb");
        assert_eq!(cpp_name("x__y"), "x___05Fy");
        assert_eq!(cpp_name("s_axil_awaddr"), "s_axil_awaddr");
        assert_eq!(cpp_name("a.b"), "a__02Eb");
    }

    #[test]
    fn rust_names_are_identifiers() {
        assert_eq!(rust_name("dev$0$src_data"), "dev_0_src_data");
        assert_eq!(rust_name("type"), "type_");
        assert_eq!(rust_name("s_axil_awaddr"), "s_axil_awaddr");
    }

    #[test]
    fn bad_port_lists_are_refused_with_the_port_named() {
        let wide = vec![Port::new("bus", Dir::In, 64)];
        let e = check("Vx", &wide).unwrap_err();
        assert!(e.0.contains("bus") && e.0.contains("64"), "{e}");
        let zero = vec![Port::new("z", Dir::Out, 0)];
        assert!(check("Vx", &zero).is_err());
        let twice = vec![Port::new("a", Dir::In, 1), Port::new("a", Dir::Out, 1)];
        assert!(check("Vx", &twice).unwrap_err().0.contains("twice"));
        let clash = vec![Port::new("a$b", Dir::In, 1), Port::new("a_b", Dir::In, 1)];
        assert!(check("Vx", &clash)
            .unwrap_err()
            .0
            .contains("Rust identifier"));
        assert!(check("V-x", &ports()).unwrap_err().0.contains("prefix"));
        assert!(check("Vx", &[Port::new("$a", Dir::In, 1)]).is_err());
    }

    #[test]
    fn shim_masks_inputs_and_copies_outputs_in_port_order() {
        let s = shim("Vt", &ports()).unwrap();
        assert!(s.contains("m->clock = in[0] & 0x1u;"), "{s}");
        assert!(s.contains("m->dev__0240__024src_data = in[1];"), "{s}");
        assert!(s.contains("m->s_axil_awaddr = in[2] & 0x1FFFu;"), "{s}");
        assert!(s.contains("out[0] = m->dev__0240__024snk_data;"), "{s}");
        assert!(s.contains("out[1] = m->irq;"), "{s}");
        for f in [
            "Vt_new",
            "Vt_delete",
            "Vt_eval",
            "Vt_trace_open",
            "Vt_trace_dump",
        ] {
            assert!(s.contains(f), "{f} missing");
        }
    }

    #[test]
    fn bindings_have_tables_indices_and_accessors() {
        let r = bindings("Vt", &ports()).unwrap();
        assert!(r.contains("pub const DEV_0_SRC_DATA: usize = 1;"), "{r}");
        assert!(r.contains("pub const IRQ: usize = 1;"), "{r}");
        assert!(
            r.contains("pub fn set_s_axil_awaddr(&mut self, value: u32)"),
            "{r}"
        );
        assert!(r.contains("pub words: [u32; 3]"), "{r}");
        assert!(r.contains("pub words: [u32; 2]"), "{r}");
        assert!(r.contains("fn Vt_eval("), "{r}");
        assert!(r.contains(
            "name: \"dev$0$src_data\", rust_name: \"dev_0_src_data\", width: 32, index: 1"
        ));
    }
}
