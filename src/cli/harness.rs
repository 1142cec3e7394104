//! The I/O harness that lets a core with hundreds of ports be placed and routed on a package
//! with a few pins, for an fmax figure. The harness must never be the critical path: every core
//! input bit comes from a flip-flop of a shift chain loaded from one pin, every output bit is
//! registered and XOR-reduced four bits per LUT with a register after every level, so each
//! harness path is one flip-flop to one LUT at most.
//!
//! The core's ports are read back from the generated Verilog rather than from the HDL crate, so
//! the harness follows whatever the generator emits (plain or `$`-separated names, ANSI or
//! port-list headers).

use anyhow::{anyhow, bail};
use std::fmt::Write as _;

/// Name of the harness module (the top of the fmax flow).
pub const HARNESS_TOP: &str = "fmax_harness";
/// Bits XOR-ed by one LUT4 per reduction level.
const XOR_FAN_IN: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Input,
    Output,
}

/// One port of the core: its name as written (without the `\` of an escaped identifier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub dir: Direction,
    pub width: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A simple identifier, keyword or number (`[A-Za-z0-9_$']` runs).
    Word(String),
    /// An escaped identifier, without its `\` and terminating white space.
    Escaped(String),
    Punct(char),
}

impl Tok {
    fn is(&self, w: &str) -> bool {
        matches!(self, Tok::Word(x) if x == w)
    }
    fn ident(&self) -> Option<&str> {
        match self {
            Tok::Word(w) if !is_keyword(w) && !w.starts_with(|c: char| c.is_ascii_digit()) => {
                Some(w)
            }
            Tok::Escaped(w) => Some(w),
            _ => None,
        }
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "input" | "output" | "inout" | "wire" | "reg" | "logic" | "signed" | "unsigned" | "var"
    )
}

/// Splits Verilog into tokens, dropping comments, white space and string literals.
fn tokens(src: &str) -> Vec<Tok> {
    let mut out = vec![];
    let mut chars = src.char_indices().peekable();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '\'';
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if src[i + 1..].starts_with('/') => {
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
            }
            '/' if src[i + 1..].starts_with('*') => {
                let end = src[i + 2..].find("*/").map_or(src.len(), |e| i + 2 + e + 2);
                while chars.next_if(|&(j, _)| j < end).is_some() {}
            }
            '"' => while chars.next().is_some_and(|(_, c)| c != '"') {},
            '\\' => {
                let mut name = String::new();
                while let Some((_, c)) = chars.next_if(|&(_, c)| !c.is_whitespace()) {
                    name.push(c);
                }
                out.push(Tok::Escaped(name));
            }
            c if word(c) => {
                let mut w = String::from(c);
                while let Some((_, c)) = chars.next_if(|&(_, c)| word(c)) {
                    w.push(c);
                }
                out.push(Tok::Word(w));
            }
            c => out.push(Tok::Punct(c)),
        }
    }
    out
}

/// The ports of module `module` in `verilog`, in declaration order.
pub fn module_ports(verilog: &str, module: &str) -> anyhow::Result<Vec<Port>> {
    let toks = tokens(verilog);
    let start = toks
        .windows(2)
        .position(|w| w[0].is("module") && w[1].ident() == Some(module))
        .ok_or_else(|| anyhow!("the Verilog has no module `{module}`"))?;
    let body = &toks[start + 2..];
    let end = body
        .iter()
        .position(|t| t.is("endmodule"))
        .ok_or_else(|| anyhow!("module `{module}` has no endmodule"))?;
    let body = &body[..end];
    let mut ports: Vec<Port> = vec![];
    let mut i = 0;
    while i < body.len() {
        let dir = match &body[i] {
            t if t.is("input") => Direction::Input,
            t if t.is("output") => Direction::Output,
            t if t.is("inout") => bail!("module `{module}` has an inout port: not supported"),
            // A function's or task's arguments are not ports.
            t if t.is("function") || t.is("task") => {
                let end = if t.is("task") {
                    "endtask"
                } else {
                    "endfunction"
                };
                i += body[i..]
                    .iter()
                    .position(|t| t.is(end))
                    .unwrap_or(body.len() - i);
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        i += 1;
        while body
            .get(i)
            .is_some_and(|t| matches!(t, Tok::Word(w) if is_keyword(w)))
        {
            i += 1;
        }
        let width = match body.get(i) {
            Some(Tok::Punct('[')) => {
                let (w, next) = range_width(body, i)?;
                i = next;
                w
            }
            _ => 1,
        };
        // Names up to `;`, `)` or the next direction keyword (ANSI headers).
        while let Some(name) = body.get(i).and_then(Tok::ident) {
            if ports.iter().any(|p| p.name == name) {
                bail!("port `{name}` of `{module}` is declared twice");
            }
            ports.push(Port {
                name: name.to_owned(),
                dir,
                width,
            });
            i += 1;
            if body.get(i) != Some(&Tok::Punct(',')) {
                break;
            }
            i += 1;
        }
    }
    check_header(body, &ports, module)?;
    Ok(ports)
}

/// Width of a `[msb:lsb]` range with literal bounds starting at `body[i]`; and the index after.
fn range_width(body: &[Tok], i: usize) -> anyhow::Result<(usize, usize)> {
    let num = |t: Option<&Tok>| match t {
        Some(Tok::Word(w)) => w.parse::<i64>().ok(),
        _ => None,
    };
    match (
        num(body.get(i + 1)),
        body.get(i + 2),
        num(body.get(i + 3)),
        body.get(i + 4),
    ) {
        (Some(msb), Some(Tok::Punct(':')), Some(lsb), Some(Tok::Punct(']'))) => {
            Ok(((msb - lsb).unsigned_abs() as usize + 1, i + 5))
        }
        _ => bail!("a port range is not `[number:number]`: the harness needs literal widths"),
    }
}

/// In a port-list header (`module top(a, b);`) every name must have been declared.
fn check_header(body: &[Tok], ports: &[Port], module: &str) -> anyhow::Result<()> {
    let Some(Tok::Punct('(')) = body.first() else {
        return Ok(()); // no header: nothing to compare
    };
    let close = body.iter().position(|t| *t == Tok::Punct(')')).unwrap_or(0);
    let header = &body[1..close];
    if header.iter().any(|t| t.is("input") || t.is("output")) {
        return Ok(()); // ANSI: the declarations are the header
    }
    for name in header.iter().filter_map(Tok::ident) {
        if !ports.iter().any(|p| p.name == name) {
            bail!("port `{name}` of `{module}` has no input/output declaration");
        }
    }
    Ok(())
}

/// `name` as a Verilog identifier: as is when it is a simple identifier, escaped otherwise.
fn ident(name: &str) -> String {
    let simple = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if simple {
        name.to_owned()
    } else {
        format!("\\{name} ")
    }
}

/// What the harness built around the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Harness {
    /// Verilog of module [`HARNESS_TOP`], instantiating `core` as `core`.
    pub verilog: String,
    /// Core input bits fed from the shift chain (the clock excluded).
    pub input_bits: usize,
    /// Core output bits registered and XOR-reduced.
    pub output_bits: usize,
    /// Registered XOR levels between the output registers and `sout`.
    pub xor_levels: usize,
}

/// The harness for module `core` with `ports`; `clock` (an input) gets the harness clock `clk`.
pub fn generate(core: &str, ports: &[Port], clock: &str) -> anyhow::Result<Harness> {
    match ports.iter().find(|p| p.name == clock) {
        Some(p) if p.dir == Direction::Input && p.width == 1 => {}
        _ => bail!("module `{core}` has no 1-bit input `{clock}` for the harness clock"),
    }
    let width = |d: Direction| -> usize {
        let ps = ports.iter().filter(|p| p.dir == d && p.name != clock);
        ps.map(|p| p.width).sum()
    };
    let (n_in, n_out) = (width(Direction::Input), width(Direction::Output));
    if n_out == 0 {
        bail!("module `{core}` has no outputs: there is nothing to time");
    }
    let mut v = String::new();
    let w = &mut v;
    writeln!(
        w,
        "// fmax harness for `{core}`, generated by `mapdma synth --core --fmax`:"
    )?;
    writeln!(w, "// {n_in} input bits from a shift chain on `sin`, {n_out} output bits registered and XOR-reduced to `sout`.")?;
    writeln!(
        w,
        "module {HARNESS_TOP}(input wire clk, input wire sin, output wire sout);"
    )?;
    if n_in > 0 {
        writeln!(w, "  reg [{}:0] chain;", n_in - 1)?;
        let shift = if n_in == 1 {
            "sin".to_owned()
        } else {
            format!("{{chain[{}:0], sin}}", n_in - 2)
        };
        writeln!(w, "  always @(posedge clk) chain <= {shift};")?;
    }
    writeln!(w, "  wire [{}:0] outs;", n_out - 1)?;
    writeln!(w, "  reg [{}:0] x0;", n_out - 1)?;
    writeln!(w, "  always @(posedge clk) x0 <= outs;")?;
    writeln!(w, "  {} core (", ident(core))?;
    let (mut at_in, mut at_out) = (0, 0);
    let mut conns = vec![];
    for p in ports {
        let source = if p.name == clock {
            "clk".to_owned()
        } else {
            let (bus, at) = match p.dir {
                Direction::Input => ("chain", &mut at_in),
                Direction::Output => ("outs", &mut at_out),
            };
            *at += p.width;
            format!("{bus}[{}:{}]", *at - 1, *at - p.width)
        };
        conns.push(format!("    .{}({source})", ident(&p.name)));
    }
    writeln!(w, "{}\n  );", conns.join(",\n"))?;
    let xor_levels = reduction(w, n_out)?;
    writeln!(w, "  assign sout = x{xor_levels}[0];\nendmodule")?;
    Ok(Harness {
        verilog: v,
        input_bits: n_in,
        output_bits: n_out,
        xor_levels,
    })
}

/// Writes registered XOR levels `x1`, `x2`, … reducing `x0` (`bits` wide) to one bit; returns
/// the number of levels.
fn reduction(w: &mut String, mut bits: usize) -> anyhow::Result<usize> {
    let mut level = 0;
    while bits > 1 {
        let next = bits.div_ceil(XOR_FAN_IN);
        let padded = next * XOR_FAN_IN;
        let (prev, cur) = (level, level + 1);
        writeln!(w, "  // level {cur}: {bits} -> {next} bits")?;
        let src = if padded > bits {
            let pad = padded - bits;
            writeln!(
                w,
                "  wire [{}:0] p{prev} = {{{pad}'b0, x{prev}}};",
                padded - 1
            )?;
            format!("p{prev}")
        } else {
            format!("x{prev}")
        };
        writeln!(w, "  reg [{}:0] x{cur};", next - 1)?;
        writeln!(w, "  integer i{cur};")?;
        writeln!(
            w,
            "  always @(posedge clk) for (i{cur} = 0; i{cur} < {next}; i{cur} = i{cur} + 1) \
             x{cur}[i{cur}] <= ^{src}[{XOR_FAN_IN}*i{cur} +: {XOR_FAN_IN}];"
        )?;
        bits = next;
        level = cur;
    }
    Ok(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shape rust-hdl 0.46 writes: a port-list header, then one declaration per port.
    const RUST_HDL: &str = "
module top$sub(d,q,clock);
    input wire [7:0] d; output reg q; input wire clock;
endmodule // top

module top(clock,reset,s_axil_awaddr,dev$0$dreq,dev$0$snk_data,irq);
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  [12:0] s_axil_awaddr;
    input wire  dev$0$dreq;
    output reg  [31:0] dev$0$snk_data;
    output reg  irq;
    /* input wire fake; */
    reg  [3:0] dev$0$state;
    top$sub sub(.d(s_axil_awaddr[7:0]), .q(irq), .clock(clock));
endmodule
";

    fn port(name: &str, dir: Direction, width: usize) -> Port {
        Port {
            name: name.into(),
            dir,
            width,
        }
    }

    #[test]
    fn rust_hdl_ports_are_read_with_their_widths() {
        use Direction::*;
        let ports = module_ports(RUST_HDL, "top").unwrap();
        assert_eq!(
            ports,
            [
                port("clock", Input, 1),
                port("reset", Input, 1),
                port("s_axil_awaddr", Input, 13),
                port("dev$0$dreq", Input, 1),
                port("dev$0$snk_data", Output, 32),
                port("irq", Output, 1),
            ]
        );
        assert_eq!(module_ports(RUST_HDL, "top$sub").unwrap().len(), 3);
    }

    #[test]
    fn ansi_headers_and_escaped_names_are_read() {
        use Direction::*;
        let v = r"module top(input wire clock, input [3:0] a, b,
                  output reg [0:7] \odd.name , output y);
                  function f; input x; f = x; endfunction
                  endmodule";
        assert_eq!(
            module_ports(v, "top").unwrap(),
            [
                port("clock", Input, 1),
                port("a", Input, 4),
                port("b", Input, 4),
                port("odd.name", Output, 8),
                port("y", Output, 1),
            ]
        );
    }

    #[test]
    fn unsupported_or_inconsistent_ports_are_errors() {
        let err = |v: &str| module_ports(v, "top").unwrap_err().to_string();
        assert!(err("module other(); endmodule").contains("no module `top`"));
        assert!(err("module top(a); inout a; endmodule").contains("inout"));
        assert!(err("module top(a); input [W-1:0] a; endmodule").contains("literal"));
        assert!(err("module top(a, b); input a; endmodule").contains("`b`"));
        assert!(err("module top(a); input a; output a; endmodule").contains("twice"));
    }

    #[test]
    fn the_harness_connects_every_core_port_once() {
        let ports = module_ports(RUST_HDL, "top").unwrap();
        let h = generate("top", &ports, "clock").unwrap();
        // reset 1 + awaddr 13 + dreq 1 in; 32 + 1 out.
        assert_eq!((h.input_bits, h.output_bits), (15, 33));
        // 33 -> 9 -> 3 -> 1.
        assert_eq!(h.xor_levels, 3);
        let v = &h.verilog;
        for p in &ports {
            assert_eq!(
                v.matches(&format!(".{}(", p.name)).count(),
                1,
                "{}\n{v}",
                p.name
            );
        }
        assert!(v.contains(".clock(clk)"), "{v}");
        assert!(v.contains(".reset(chain[0:0])"), "{v}");
        assert!(v.contains(".s_axil_awaddr(chain[13:1])"), "{v}");
        assert!(v.contains(".dev$0$dreq(chain[14:14])"), "{v}");
        assert!(v.contains(".irq(outs[32:32])"), "{v}");
        assert!(v.contains("chain <= {chain[13:0], sin};"), "{v}");
        assert!(v.contains("wire [35:0] p0 = {3'b0, x0};"), "{v}");
        assert!(v.contains("assign sout = x3[0];"), "{v}");
        assert!(v.starts_with("// fmax harness") && v.contains("module fmax_harness("));
    }

    #[test]
    fn names_that_are_not_simple_identifiers_are_escaped() {
        let ports = [
            port("clock", Direction::Input, 1),
            port("a.b[0]", Direction::Input, 1),
            port("q", Direction::Output, 1),
        ];
        let h = generate("top", &ports, "clock").unwrap();
        assert!(
            h.verilog.contains(r".\a.b[0] (chain[0:0])"),
            "{}",
            h.verilog
        );
        assert!(h.verilog.contains("chain <= sin;"), "{}", h.verilog);
        assert_eq!(h.xor_levels, 0);
        assert!(h.verilog.contains("assign sout = x0[0];"));
    }

    #[test]
    fn a_core_without_the_clock_or_outputs_is_an_error() {
        let clk = port("clock", Direction::Input, 1);
        let q = port("q", Direction::Output, 1);
        let e = generate("top", std::slice::from_ref(&q), "clock").unwrap_err();
        assert!(e.to_string().contains("`clock`"), "{e}");
        let e = generate("top", &[clk], "clock").unwrap_err();
        assert!(e.to_string().contains("no outputs"), "{e}");
    }
}
