//! Text generation: the `extern "C"` C++ shim ([`shim`]) and the Rust bindings ([`bindings`]) of
//! one model, both derived from the port list, plus the names both sides agree on.
//!
//! Ports travel as two `u32` arrays (inputs, outputs) in a fixed order: the order of the port
//! list, split by direction. The C++ side masks every input to its width, because Verilator
//! assumes unused high bits of a port are zero.

mod bindings;
mod shim;

pub use bindings::{bindings, BindingSpec};
pub use shim::{shim, ShimSpec};

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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn ports() -> Vec<Port> {
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
}
