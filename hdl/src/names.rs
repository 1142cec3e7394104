//! Names of the generated Verilog as an IP core: rust-hdl always calls the top module `top`, its
//! submodules `top$axil`, `top$channels$0`, … and the ports of sub-structs `dev$0$dreq`. A user's
//! design has its own `top`, and two configurations of the core in one design would define every
//! module twice, so the generated text is renamed here:
//!
//! - the top module becomes the user's `NAME` (default [`DEFAULT_MODULE`]);
//! - every submodule `top$path` becomes `NAME_path`, so each configuration owns its modules;
//! - every identifier loses its `$`: an index joins the name before it and the `$` after an
//!   index becomes `_` (`dev$0$dreq` → `dev0_dreq`, `channels$0$addr` → `channels0_addr`); any
//!   other `$` becomes `__` (`map$read_data` → `map__read_data`), so a child's net never meets
//!   a parent's own `map_read_data`.
//!
//! The renaming is checked to be one-to-one over every identifier of the text, so it can never
//! merge two nets; a clash is an error, not a silently different circuit.

use crate::HdlError;
use std::collections::{BTreeMap, BTreeSet};

/// The top module's name when the user does not choose one.
pub const DEFAULT_MODULE: &str = "mapdma";

/// The name rust-hdl gives every top module.
const RUST_HDL_TOP: &str = "top";

/// Verilog-2005 and SystemVerilog keywords a module name must not be (the ones a name chooser
/// could plausibly type; the full lists are longer but not plausible module names).
const KEYWORDS: &[&str] = &[
    "always",
    "and",
    "assign",
    "begin",
    "bit",
    "buf",
    "case",
    "cell",
    "class",
    "config",
    "default",
    "design",
    "else",
    "end",
    "endcase",
    "endmodule",
    "event",
    "for",
    "function",
    "generate",
    "if",
    "initial",
    "inout",
    "input",
    "int",
    "integer",
    "interface",
    "logic",
    "module",
    "nand",
    "nor",
    "not",
    "or",
    "output",
    "package",
    "parameter",
    "program",
    "real",
    "reg",
    "signed",
    "task",
    "time",
    "tri",
    "wire",
    "xor",
];

/// An identifier of the generated text without `$`: an index after `$` joins the name before it
/// and the `$` after it becomes `_`; any other `$` becomes `__` (`dev$0$dreq` → `dev0_dreq`,
/// `map$read_data` → `map__read_data`).
pub fn plain(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while let Some(d) = chars.next_if(|d| d.is_ascii_digit()) {
                out.push(d);
            }
            if chars.peek() == Some(&'$') {
                chars.next();
                out.push('_');
            }
        } else {
            out.push_str("__");
        }
    }
    out
}

/// Checks that `name` can be the top module of the core: a plain Verilog identifier, not a
/// keyword, short enough for every tool.
pub fn check_module_name(name: &str) -> Result<(), HdlError> {
    let mut chars = name.chars();
    let starts_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(HdlError::Name(format!(
            "module name `{name}`: use letters, digits and `_`, starting with a letter or `_`"
        )));
    }
    if KEYWORDS.contains(&name) {
        return Err(HdlError::Name(format!(
            "module name `{name}` is a Verilog keyword"
        )));
    }
    if name.len() > 64 {
        return Err(HdlError::Name(format!(
            "module name `{name}` is longer than 64 characters"
        )));
    }
    Ok(())
}

/// One lexical piece of the text: an identifier (renamed) or anything else (copied).
enum Piece<'a> {
    Ident(&'a str),
    Other(&'a str),
}

/// Splits Verilog text into identifiers and the rest. System tasks (`$display`) start with `$`
/// and so are never identifiers; number literals' base letters (`'h1f`) contain no `$` and are
/// never module names, so renaming leaves them alone; strings are copied untouched.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    let mut other = 0;
    let is_start = |b: u8| b.is_ascii_alphabetic() || b == b'_';
    let is_part = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if b == b'$' || b.is_ascii_digit() || b == b'\\' {
            // A system task, a number, or an escaped identifier: copied as it is.
            while i < bytes.len() && (is_part(bytes[i]) || (b == b'\\' && bytes[i] > b' ')) {
                i += 1;
            }
        } else if is_start(b) {
            if other < i {
                out.push(Piece::Other(&text[other..i]));
            }
            let start = i;
            while i < bytes.len() && is_part(bytes[i]) {
                i += 1;
            }
            out.push(Piece::Ident(&text[start..i]));
            other = i;
        } else {
            i += 1;
        }
    }
    let end = bytes.len().min(i);
    if other < end {
        out.push(Piece::Other(&text[other..end]));
    }
    out
}

/// The module names declared in `text` (`module NAME(`).
fn declared_modules(pieces: &[Piece<'_>]) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let mut after_module = false;
    for p in pieces {
        if let Piece::Ident(id) = p {
            if after_module {
                set.insert(id.to_string());
            }
            after_module = *id == "module";
        }
    }
    set
}

/// rust-hdl's Verilog with the top module called `module` and every name `$`-free (see the
/// module documentation). Errors on an invalid `module` name, on text without rust-hdl's `top`,
/// and on a renaming that would join two different identifiers.
pub fn rename(verilog: &str, module: &str) -> Result<String, HdlError> {
    check_module_name(module)?;
    let pieces = pieces(verilog);
    let modules = declared_modules(&pieces);
    if !modules.contains(RUST_HDL_TOP) {
        return Err(HdlError::Name(
            "the generated Verilog has no module `top` to rename".into(),
        ));
    }
    let module_name = |id: &str| -> String {
        match id.strip_prefix(RUST_HDL_TOP) {
            Some("") => module.to_string(),
            Some(rest) => format!("{module}_{}", plain(rest.trim_start_matches('$'))),
            None => plain(id),
        }
    };
    let mut renamed: BTreeMap<&str, String> = BTreeMap::new();
    for p in &pieces {
        if let Piece::Ident(id) = p {
            renamed.entry(id).or_insert_with(|| {
                if modules.contains(*id) {
                    module_name(id)
                } else {
                    plain(id)
                }
            });
        }
    }
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (old, new) in &renamed {
        if let Some(first) = seen.insert(new, old) {
            return Err(HdlError::Name(format!(
                "`{first}` and `{old}` would both be called `{new}`"
            )));
        }
    }
    let mut out = String::with_capacity(verilog.len());
    for p in &pieces {
        match p {
            Piece::Ident(id) => out.push_str(&renamed[id]),
            Piece::Other(s) => out.push_str(s),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
module top(clock,dev$0$dreq,dev$10$src_data,irq);
    input wire  clock;
    input wire  dev$0$dreq;
    input wire  [31:0] dev$10$src_data;
    output reg  irq;
    reg  [3:0] q$x;
    reg  q_x;
    top$channels$0 channels$0(.d(dev$0$dreq), .q(q$x[0]), .clock(clock));
    always @(*) begin
        irq = 1'b0 | $signed(4'h1f) == 0;
    end
endmodule // top

module top$channels$0(d,q,clock);
endmodule // top$channels$0
";

    #[test]
    fn plain_joins_indices_and_replaces_other_dollars() {
        assert_eq!(plain("dev$0$dreq"), "dev0_dreq");
        assert_eq!(plain("dev$12$src_data"), "dev12_src_data");
        assert_eq!(plain("channels$3$addr"), "channels3_addr");
        assert_eq!(plain("aw_q$slots$0"), "aw_q__slots0");
        assert_eq!(plain("responses$rd_tags"), "responses__rd_tags");
        assert_eq!(plain("ram$read_address"), "ram__read_address");
        assert_eq!(plain("$0$x"), "0_x");
        assert_eq!(plain("irq"), "irq");
    }

    #[test]
    fn rename_names_the_top_prefixes_submodules_and_keeps_system_tasks_and_numbers() {
        let v = rename(SAMPLE, "dma_a").unwrap();
        assert!(
            v.contains("module dma_a(clock,dev0_dreq,dev10_src_data,irq);"),
            "{v}"
        );
        assert!(
            v.contains("dma_a_channels0 channels0(.d(dev0_dreq), .q(q__x[0])"),
            "{v}"
        );
        assert!(v.contains("reg  q_x;"), "{v}");
        assert!(v.contains("module dma_a_channels0(d,q,clock);"), "{v}");
        assert!(v.contains("$signed(4'h1f)"), "{v}");
        assert!(v.contains("endmodule // dma_a\n"), "{v}");
        assert!(
            !v.contains('$') || !v.replace("$signed", "").contains('$'),
            "{v}"
        );
    }

    #[test]
    fn a_clash_is_an_error() {
        let v = "module top(a$0$b, a0_b);\nendmodule\n";
        let e = rename(v, "m").unwrap_err().to_string();
        assert!(e.contains("`a$0$b`") && e.contains("`a0_b`"), "{e}");
    }

    #[test]
    fn bad_module_names_are_refused() {
        for bad in ["", "1x", "a-b", "my dma", "module", "wire", "a$b"] {
            assert!(rename(SAMPLE, bad).is_err(), "{bad:?} accepted");
        }
        assert!(rename("module x(); endmodule", "m").is_err());
        assert!(rename(SAMPLE, "_dma2").is_ok());
    }
}
