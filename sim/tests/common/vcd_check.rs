//! Parses a VCD file the way a waveform viewer does and summarises it.

use std::collections::BTreeSet;

pub struct VcdSummary {
    /// Every variable's reference name, any scope.
    pub vars: BTreeSet<String>,
    pub timestamps: u64,
    pub last_time: u64,
    pub changes: u64,
}

fn collect(items: &[vcd::ScopeItem], out: &mut BTreeSet<String>) {
    for i in items {
        match i {
            vcd::ScopeItem::Var(v) => {
                out.insert(v.reference.clone());
            }
            vcd::ScopeItem::Scope(s) => collect(&s.children, out),
        }
    }
}

pub fn summarise(path: &std::path::Path) -> VcdSummary {
    let f = std::io::BufReader::new(std::fs::File::open(path).expect("VCD file exists"));
    let mut p = vcd::Parser::new(f);
    let header = p.parse_header().expect("well-formed VCD header");
    let mut vars = BTreeSet::new();
    collect(&header.items, &mut vars);
    let mut s = VcdSummary {
        vars,
        timestamps: 0,
        last_time: 0,
        changes: 0,
    };
    for cmd in p {
        match cmd.expect("well-formed VCD body") {
            vcd::Command::Timestamp(t) => {
                s.timestamps += 1;
                s.last_time = t;
            }
            vcd::Command::ChangeScalar(..) | vcd::Command::ChangeVector(..) => s.changes += 1,
            _ => {}
        }
    }
    s
}
