//! Zero-delay settling of the generated Verilog: in every module with an `always @(*)` block, a
//! signal that crosses a module boundary combinationally is assigned at most once in that block.
//!
//! Crossing combinationally means an output port of the module, or a signal wired to an input
//! port of a sub-module instance whose module has an `always @(*)` itself (edge-only DFF and RAM
//! modules sample their inputs at clock edges, so intermediate values there are harmless).
//!
//! Why: an event-driven simulator such as Icarus wakes the other block on every intermediate
//! value of such a signal. A default-then-override assignment (`x = 0; if (c) x = 1;`) on a signal
//! that loops back through another block re-triggers both blocks forever at zero delay, and the
//! simulation hangs (found with Icarus on an earlier version of the design). Assigning once, from
//! a local computed first, settles.

use mapdma_hdl::board::{board_verilog, BoardOptions, BoardPins, PinMap};
use mapdma_hdl::regmap::Config;
use regex::Regex;
use std::collections::{BTreeMap, HashMap, HashSet};

const COMB: &str = "always @(*)";

/// What the check found in one Verilog source.
#[derive(Debug)]
struct Report {
    /// Modules parsed.
    modules: usize,
    /// Modules with an `always @(*)` block.
    comb_modules: usize,
    /// Cross-module combinational signals over all modules with an `always @(*)` block.
    cross_signals: usize,
    /// `module: signal assigned Nx` for every such signal assigned more than once.
    offenders: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Input,
    Output,
}

/// Port directions of a module body, from rust-hdl's `input wire [w:0] name;` declarations.
fn ports(body: &str) -> HashMap<&str, Dir> {
    let re =
        Regex::new(r"(?m)^\s*(input|output)\s+(?:wire|reg)\s+(?:\[[^\]]*\]\s*)?(\S+);").unwrap();
    re.captures_iter(body)
        .map(|c| {
            let dir = if &c[1] == "input" {
                Dir::Input
            } else {
                Dir::Output
            };
            (c.get(2).unwrap().as_str(), dir)
        })
        .collect()
}

/// The check: signals crossing a module boundary combinationally that the module's `always @(*)`
/// block assigns more than once.
fn check(src: &str) -> Report {
    let module_re = Regex::new(r"(?ms)^module (\S+?)\((.*?)\);(.*?)^endmodule").unwrap();
    let instance_re = Regex::new(r"(?ms)^\s*(\S+) (\S+)\(\n(.*?)\n\s*\);").unwrap();
    let conn_re = Regex::new(r"\.([\w$]+)\(([^)]*)\)").unwrap();
    // A bit or part select counts as an assignment of the whole signal: it changes it too.
    let assign_re = Regex::new(r"(?m)^\s*([^\s\[]+)(?:\[[^\]]*\])* = ").unwrap();

    let mods: Vec<(&str, &str)> = module_re
        .captures_iter(src)
        .map(|c| (c.get(1).unwrap().as_str(), c.get(3).unwrap().as_str()))
        .collect();
    let modports: HashMap<&str, HashMap<&str, Dir>> =
        mods.iter().map(|&(n, b)| (n, ports(b))).collect();
    let comb: HashSet<&str> = mods
        .iter()
        .filter(|(_, b)| b.contains(COMB))
        .map(|&(n, _)| n)
        .collect();

    let mut report = Report {
        modules: mods.len(),
        comb_modules: comb.len(),
        cross_signals: 0,
        offenders: vec![],
    };
    for &(name, body) in &mods {
        let Some(at) = body.find(COMB) else { continue };
        let mut cross: HashSet<&str> = modports[name]
            .iter()
            .filter(|(_, &d)| d == Dir::Output)
            .map(|(&s, _)| s)
            .collect();
        for inst in instance_re.captures_iter(body) {
            let sub = inst.get(1).unwrap().as_str();
            let Some(sub_ports) = modports.get(sub) else {
                continue;
            };
            if !comb.contains(sub) {
                continue;
            }
            for c in conn_re.captures_iter(inst.get(3).unwrap().as_str()) {
                if sub_ports.get(&c[1]) == Some(&Dir::Input) {
                    cross.insert(c.get(2).unwrap().as_str().trim());
                }
            }
        }
        report.cross_signals += cross.len();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for a in assign_re.captures_iter(&body[at..]) {
            *counts.entry(a.get(1).unwrap().as_str()).or_default() += 1;
        }
        for (signal, n) in counts {
            if n > 1 && cross.contains(signal) {
                report
                    .offenders
                    .push(format!("{name}: {signal} assigned {n}x"));
            }
        }
    }
    report
}

fn assert_settles(design: &str, verilog: &str) {
    let r = check(verilog);
    // Guard against a change in rust-hdl's output format turning the check vacuous.
    assert!(
        r.modules > 10 && r.comb_modules > 5 && r.cross_signals > 100,
        "{design}: the parser found only {} modules, {} with `{COMB}`, {} cross-module signals; \
         has the generated Verilog's format changed?",
        r.modules,
        r.comb_modules,
        r.cross_signals
    );
    assert!(
        r.offenders.is_empty(),
        "{design}: {} cross-module combinational signal(s) assigned more than once in an \
         `{COMB}` block (Icarus can loop forever at zero delay); assign each once:\n  {}",
        r.offenders.len(),
        r.offenders.join("\n  ")
    );
}

#[test]
fn the_checker_finds_a_reassigned_output_and_sub_module_input() {
    let v = "\
module top(clock,a,y,z);
    input wire  clock;
    input wire  a;
    output reg  y;
    output reg  [3:0] z;
    reg  c$i;
    wire  c$o;
    reg  r$d;
    wire  r$q;
    reg  r$clock;
    top$c c(
        .i(c$i),
        .o(c$o)
    );
    top$r r(
        .d(r$d),
        .q(r$q),
        .clock(r$clock)
    );
    always @(*) begin
        r$clock = clock;
        r$d = 1'b0;
        if (a) begin
            r$d = 1'b1;
        end
        c$i = 1'b0;
        if (a) begin
            c$i = r$q;
        end
        y = c$o;
        z = 4'h0;
        z[1] = a;
    end
endmodule // top

module top$c(i,o);
    input wire  i;
    output reg  o;
    always @(*) begin
        o = 1'b0;
        if (i) begin
            o = 1'b1;
        end
    end
endmodule // top$c

module top$r(d,q,clock);
    input wire  d;
    output reg  q;
    input wire  clock;
    always @(posedge clock) begin
       q <= d;
    end
endmodule // top$r
";
    let r = check(v);
    assert_eq!((r.modules, r.comb_modules), (3, 2));
    // top: y, z and c$i (r$d feeds an edge-only module); top$c: o.
    assert_eq!(r.cross_signals, 4);
    assert_eq!(
        r.offenders,
        [
            "top: c$i assigned 2x",
            "top: z assigned 2x",
            "top$c: o assigned 2x"
        ]
    );
}

#[test]
fn default_and_small_configurations_settle() {
    for (name, cfg) in [("default", Config::default()), ("small", Config::small())] {
        let v = mapdma_hdl::verilog(&cfg).unwrap();
        assert_settles(name, &v);
    }
}

/// The whole board design (UART, bridge, system RAM, loop-back FIFO, board top, mapdma) with
/// its wrapper: the board blocks choose their outputs in `c_` scratch signals and assign each
/// once, and the loop-back FIFO is the board's own (`board::loop_fifo`).
#[test]
fn the_board_design_settles() {
    let pin = |port: &str, pin: &str| PinMap {
        port: port.into(),
        pin: pin.into(),
        active_low: false,
    };
    let pins = BoardPins {
        board: "settle test".into(),
        clock: pin("clk", "1"),
        uart_rx: pin("rx", "2"),
        uart_tx: pin("tx", "3"),
        leds: vec![pin("led", "4")],
    };
    // Without the test master (iCEBreaker) and with it (HX8K breakout, the virtual board).
    for (name, test_master) in [("board", false), ("board_tm", true)] {
        let options = BoardOptions { test_master };
        let v = board_verilog(&pins, 12_000_000, 115_200, options).unwrap();
        assert_settles(name, &v);
    }
}
