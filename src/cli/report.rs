//! Reading the tools' machine-readable reports: Yosys `stat -json` after `synth_ice40`, and
//! nextpnr-ice40 `--report`. Figures come from these files, never from scraping log text.

use anyhow::{anyhow, Context};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// iCE40 cells after `synth_ice40`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellCounts {
    /// `SB_LUT4`.
    pub lut4: u64,
    /// Every `SB_DFF*` flavour (enable, set/reset, negative edge).
    pub ff: u64,
    /// `SB_RAM40_4K` (4 kbit block RAM).
    pub bram: u64,
    /// `SB_CARRY` (fast carry; shares a logic cell with a LUT).
    pub carry: u64,
    /// Everything, by cell type.
    pub by_type: BTreeMap<String, u64>,
}

impl CellCounts {
    /// Parses the output of Yosys `stat -json` (the `design` totals, or the only module).
    pub fn from_yosys_stat(json: &str) -> anyhow::Result<Self> {
        let v: Value = serde_json::from_str(json).context("Yosys stat output is not JSON")?;
        let scope = match v.get("design") {
            Some(d) => d,
            None => {
                let modules = v.get("modules").and_then(Value::as_object).ok_or_else(|| {
                    anyhow!("Yosys stat output has neither `design` nor `modules`")
                })?;
                match modules.values().collect::<Vec<_>>().as_slice() {
                    [only] => *only,
                    _ => anyhow::bail!(
                        "Yosys stat output has {} modules and no `design` total: flatten first",
                        modules.len()
                    ),
                }
            }
        };
        Self::from_stat_scope(scope)
    }

    /// The counts of one scope of a `stat -json` output (`design` or one module).
    pub fn from_stat_scope(scope: &Value) -> anyhow::Result<Self> {
        let cells = scope
            .get("num_cells_by_type")
            .and_then(Value::as_object)
            .ok_or_else(|| anyhow!("Yosys stat output lacks `num_cells_by_type`"))?;
        let mut counts = CellCounts::default();
        for (ty, n) in cells {
            let n = n
                .as_u64()
                .ok_or_else(|| anyhow!("cell count of {ty} is not a number"))?;
            match ty.as_str() {
                "SB_LUT4" => counts.lut4 += n,
                "SB_RAM40_4K" => counts.bram += n,
                "SB_CARRY" => counts.carry += n,
                t if t.starts_with("SB_DFF") => counts.ff += n,
                _ => {}
            }
            counts.by_type.insert(ty.clone(), n);
        }
        Ok(counts)
    }
}

impl fmt::Display for CellCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "LUT4   {:>6}  (SB_LUT4)", self.lut4)?;
        writeln!(f, "FF     {:>6}  (SB_DFF*)", self.ff)?;
        writeln!(f, "BRAM   {:>6}  (SB_RAM40_4K)", self.bram)?;
        write!(f, "CARRY  {:>6}  (SB_CARRY)", self.carry)
    }
}

/// Used and available count of one kind of site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub used: u64,
    pub available: u64,
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = if self.available == 0 {
            0.0
        } else {
            100.0 * self.used as f64 / self.available as f64
        };
        write!(f, "{} / {} ({pct:.0} %)", self.used, self.available)
    }
}

/// Achieved and required frequency of one clock domain.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockTiming {
    pub clock: String,
    pub achieved_mhz: f64,
    pub constraint_mhz: f64,
}

impl ClockTiming {
    pub fn met(&self) -> bool {
        self.achieved_mhz >= self.constraint_mhz
    }
}

/// What nextpnr-ice40 reports after placing and routing.
#[derive(Debug, Clone, PartialEq)]
pub struct PnrReport {
    /// `ICESTORM_LC`: logic cells (one LUT4 + one FF + carry each).
    pub logic_cells: Usage,
    /// `ICESTORM_RAM`: block RAMs.
    pub bram: Usage,
    /// `SB_IO`: I/O pins.
    pub io: Usage,
    pub clocks: Vec<ClockTiming>,
    /// The worst path of each clock pair nextpnr timed (`posedge clk -> posedge clk`, and the
    /// paths to and from unconstrained I/O, which it calls `<async>`).
    pub critical_paths: Vec<CriticalPath>,
}

/// One step of a timed path: a cell's clock-to-output or logic delay, or the routing of a net.
#[derive(Debug, Clone, PartialEq)]
pub struct PathStep {
    /// nextpnr's step type: `clk-to-q`, `source`, `logic`, `routing` or `setup`.
    pub kind: String,
    pub delay_ns: f64,
    /// The net routed (routing steps only).
    pub net: Option<String>,
    /// The cell and port the step ends at.
    pub to_cell: String,
    pub to_port: String,
}

/// One line of a printed critical path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathLine {
    /// Cumulative delay from the launching clock edge, ns.
    pub at_ns: f64,
    /// A net name, or the launching / capturing cell.
    pub what: String,
    /// Carry-chain hops folded into this line (0: not a carry chain).
    pub stages: usize,
}

impl fmt::Display for PathLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>7.2} ns  {}", self.at_ns, self.what)?;
        if self.stages > 0 {
            write!(f, " … carry chain, {} stage(s)", self.stages)?;
        }
        Ok(())
    }
}

/// The worst path between two clock edges as nextpnr reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalPath {
    /// Launching and capturing clock edge, e.g. `posedge clk$SB_IO_IN_$glb_clk`, or `<async>`.
    pub from: String,
    pub to: String,
    pub steps: Vec<PathStep>,
}

impl CriticalPath {
    /// Total delay of the path in ns (clock-to-output, logic, routing and setup).
    pub fn delay_ns(&self) -> f64 {
        self.steps.iter().map(|s| s.delay_ns).sum()
    }

    /// Whether the path starts and ends on an edge of `clock` (a register-to-register path).
    pub fn within(&self, clock: &str) -> bool {
        let on = |edge: &str| edge.split_whitespace().last() == Some(clock);
        on(&self.from) && on(&self.to)
    }

    /// The path as one line per net, for a terminal: each net with the arrival time at its sink
    /// (the logic delays fold into the next net's time). A carry chain's COUT → CIN hops are one
    /// line, since listing every stage of a 32-bit adder hides the rest of the path.
    pub fn lines(&self) -> Vec<PathLine> {
        let mut lines: Vec<PathLine> = vec![];
        let mut at = 0.0;
        let mut carry_run = false;
        for s in &self.steps {
            at += s.delay_ns;
            match s.kind.as_str() {
                "clk-to-q" | "source" => lines.push(PathLine {
                    at_ns: at,
                    what: format!("{} (launch)", s.to_cell),
                    stages: 0,
                }),
                "routing" => {
                    let net = s.net.as_deref().unwrap_or("?");
                    let carry = s.to_port == "CIN";
                    match lines.last_mut() {
                        Some(last) if carry && carry_run => {
                            last.at_ns = at;
                            last.stages += 1;
                            // Name the chain by a design net, not nextpnr's own (`$nextpnr…`).
                            if last.what.starts_with('$') {
                                last.what = net.to_owned();
                            }
                        }
                        _ => lines.push(PathLine {
                            at_ns: at,
                            what: net.to_owned(),
                            stages: usize::from(carry),
                        }),
                    }
                    carry_run = carry;
                }
                "setup" => lines.push(PathLine {
                    at_ns: at,
                    what: format!("{}.{} (setup)", s.to_cell, s.to_port),
                    stages: 0,
                }),
                _ => {} // logic: folded into the next line's arrival time
            }
        }
        lines
    }

    fn from_json(v: &Value) -> anyhow::Result<Self> {
        let text = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("nextpnr report: critical path lacks `{k}`"))
        };
        let steps = v
            .get("path")
            .and_then(Value::as_array)
            .ok_or_else(|| anyhow!("nextpnr report: critical path lacks `path`"))?
            .iter()
            .map(|s| {
                let to = s
                    .get("to")
                    .ok_or_else(|| anyhow!("nextpnr report: path step lacks `to`"))?;
                Ok(PathStep {
                    kind: text(s, "type")?,
                    delay_ns: s
                        .get("delay")
                        .and_then(Value::as_f64)
                        .ok_or_else(|| anyhow!("nextpnr report: path step lacks `delay`"))?,
                    net: s.get("net").and_then(Value::as_str).map(str::to_owned),
                    to_cell: text(to, "cell")?,
                    to_port: text(to, "port")?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(CriticalPath {
            from: text(v, "from")?,
            to: text(v, "to")?,
            steps,
        })
    }
}

impl PnrReport {
    /// Parses the JSON written by `nextpnr-ice40 --report`.
    pub fn from_nextpnr(json: &str) -> anyhow::Result<Self> {
        let v: Value = serde_json::from_str(json).context("nextpnr report is not JSON")?;
        let util = v
            .get("utilization")
            .ok_or_else(|| anyhow!("nextpnr report lacks `utilization`"))?;
        let usage = |site: &str| -> anyhow::Result<Usage> {
            let s = util
                .get(site)
                .ok_or_else(|| anyhow!("nextpnr report lacks utilization of {site}"))?;
            let num = |k: &str| {
                s.get(k)
                    .and_then(Value::as_u64)
                    .ok_or_else(|| anyhow!("nextpnr report: {site}.{k} is not a number"))
            };
            Ok(Usage {
                used: num("used")?,
                available: num("available")?,
            })
        };
        let mut clocks = vec![];
        if let Some(fmax) = v.get("fmax").and_then(Value::as_object) {
            for (clock, t) in fmax {
                let num = |k: &str| {
                    t.get(k)
                        .and_then(Value::as_f64)
                        .ok_or_else(|| anyhow!("nextpnr report: fmax of {clock}: {k} missing"))
                };
                clocks.push(ClockTiming {
                    clock: clock.clone(),
                    achieved_mhz: num("achieved")?,
                    constraint_mhz: num("constraint")?,
                });
            }
        }
        let critical_paths = match v.get("critical_paths").and_then(Value::as_array) {
            Some(paths) => paths
                .iter()
                .map(CriticalPath::from_json)
                .collect::<anyhow::Result<_>>()?,
            None => vec![],
        };
        Ok(PnrReport {
            logic_cells: usage("ICESTORM_LC")?,
            bram: usage("ICESTORM_RAM")?,
            io: usage("SB_IO")?,
            clocks,
            critical_paths,
        })
    }

    /// The register-to-register critical path of `clock`, if nextpnr reported one.
    pub fn critical_path(&self, clock: &str) -> Option<&CriticalPath> {
        self.critical_paths.iter().find(|p| p.within(clock))
    }

    /// Clocks that missed their constraint.
    pub fn failing_clocks(&self) -> impl Iterator<Item = &ClockTiming> {
        self.clocks.iter().filter(|c| !c.met())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shapes as Yosys 0.23 and nextpnr-ice40 0.4 write them (trimmed).
    const STAT: &str = r#"{"creator":"Yosys 0.23","modules":{"\\top":{"num_cells":9,
        "num_cells_by_type":{"SB_CARRY":2,"SB_DFF":3,"SB_DFFER":4,"SB_LUT4":7,"SB_RAM40_4K":1}}},
        "design":{"num_cells":9,"num_cells_by_type":{"SB_CARRY":2,"SB_DFF":3,"SB_DFFER":4,
        "SB_LUT4":7,"SB_RAM40_4K":1}}}"#;

    #[test]
    fn yosys_cells_are_grouped_into_luts_ffs_and_brams() {
        let c = CellCounts::from_yosys_stat(STAT).unwrap();
        assert_eq!((c.lut4, c.ff, c.bram, c.carry), (7, 7, 1, 2));
        assert_eq!(c.by_type["SB_DFFER"], 4);
    }

    #[test]
    fn yosys_stat_without_totals_uses_the_only_module() {
        let one = r#"{"modules":{"\\top":{"num_cells_by_type":{"SB_LUT4":5}}}}"#;
        assert_eq!(CellCounts::from_yosys_stat(one).unwrap().lut4, 5);
        let two = r#"{"modules":{"\\a":{"num_cells_by_type":{}},"\\b":{"num_cells_by_type":{}}}}"#;
        assert!(CellCounts::from_yosys_stat(two)
            .unwrap_err()
            .to_string()
            .contains("flatten"));
        assert!(CellCounts::from_yosys_stat("not json").is_err());
    }

    const PNR: &str = r#"{"fmax":{"clk$SB_IO_IN_$glb_clk":{"achieved":79.75,"constraint":12}},
        "utilization":{"ICESTORM_LC":{"available":5280,"used":29},
        "ICESTORM_RAM":{"available":30,"used":0},"SB_IO":{"available":96,"used":5}}}"#;

    #[test]
    fn nextpnr_report_gives_usage_and_fmax() {
        let r = PnrReport::from_nextpnr(PNR).unwrap();
        assert_eq!(
            r.logic_cells,
            Usage {
                used: 29,
                available: 5280
            }
        );
        assert_eq!(r.io.used, 5);
        assert_eq!(r.clocks.len(), 1);
        assert!(r.clocks[0].met());
        assert_eq!(r.failing_clocks().count(), 0);
        assert_eq!(r.logic_cells.to_string(), "29 / 5280 (1 %)");
    }

    #[test]
    fn a_slow_clock_is_reported_as_failing() {
        let slow = PNR.replace("79.75", "10.5");
        let r = PnrReport::from_nextpnr(&slow).unwrap();
        assert_eq!(r.failing_clocks().count(), 1);
    }

    #[test]
    fn a_report_missing_utilization_is_an_error() {
        assert!(PnrReport::from_nextpnr(r#"{"fmax":{}}"#).is_err());
    }

    // A register-to-register path through a LUT and two carry stages, and an I/O path, in the
    // shape nextpnr-ice40 0.4 writes them (locations dropped).
    const PATHS: &str = r#"{"fmax":{"clk$SB_IO_IN_$glb_clk":{"achieved":50.0,"constraint":200}},
        "utilization":{"ICESTORM_LC":{"available":7680,"used":40},
        "ICESTORM_RAM":{"available":32,"used":0},"SB_IO":{"available":206,"used":3}},
        "critical_paths":[
        {"from":"<async>","to":"<async>","path":[
          {"type":"source","delay":0,"from":{"cell":"a","port":"D"},"to":{"cell":"a","port":"D"}},
          {"type":"routing","delay":1,"net":"sin$SB_IO_IN","from":{"cell":"a","port":"D"},
           "to":{"cell":"b","port":"I0"}}]},
        {"from":"posedge clk$SB_IO_IN_$glb_clk","to":"posedge clk$SB_IO_IN_$glb_clk","path":[
          {"type":"clk-to-q","delay":0.5,"from":{"cell":"r_LC","port":"CLK"},
           "to":{"cell":"r_LC","port":"O"}},
          {"type":"routing","delay":1.0,"net":"core.count[0]","from":{"cell":"r_LC","port":"O"},
           "to":{"cell":"c0_LC","port":"I1"}},
          {"type":"logic","delay":0.25,"from":{"cell":"c0_LC","port":"I1"},
           "to":{"cell":"c0_LC","port":"COUT"}},
          {"type":"routing","delay":0,"net":"$nextpnr_LC_0$O","from":{"cell":"c0_LC","port":"COUT"},
           "to":{"cell":"c1_LC","port":"CIN"}},
          {"type":"logic","delay":0.125,"from":{"cell":"c1_LC","port":"CIN"},
           "to":{"cell":"c1_LC","port":"COUT"}},
          {"type":"routing","delay":0,"net":"carry[2]","from":{"cell":"c1_LC","port":"COUT"},
           "to":{"cell":"c2_LC","port":"CIN"}},
          {"type":"logic","delay":0.125,"from":{"cell":"c2_LC","port":"CIN"},
           "to":{"cell":"c2_LC","port":"COUT"}},
          {"type":"routing","delay":0.5,"net":"core.sum[2]","from":{"cell":"c2_LC","port":"COUT"},
           "to":{"cell":"d_LC","port":"I3"}},
          {"type":"setup","delay":0.5,"from":{"cell":"d_LC","port":"I3"},
           "to":{"cell":"d_LC","port":"I3"}}]}]}"#;

    #[test]
    fn the_register_to_register_path_of_a_clock_is_found() {
        let r = PnrReport::from_nextpnr(PATHS).unwrap();
        assert_eq!(r.critical_paths.len(), 2);
        let p = r.critical_path("clk$SB_IO_IN_$glb_clk").unwrap();
        assert_eq!(p.steps.len(), 9);
        assert!((p.delay_ns() - 3.0).abs() < 1e-9);
        assert_eq!(p.steps[1].net.as_deref(), Some("core.count[0]"));
        assert!(r.critical_path("other_clock").is_none());
        // A report without paths (older nextpnr, or nothing timed) has none.
        assert!(PnrReport::from_nextpnr(PNR)
            .unwrap()
            .critical_paths
            .is_empty());
    }

    #[test]
    fn a_critical_path_prints_one_line_per_net_with_carry_chains_folded() {
        let r = PnrReport::from_nextpnr(PATHS).unwrap();
        let lines = r.critical_path("clk$SB_IO_IN_$glb_clk").unwrap().lines();
        let text: Vec<String> = lines.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "   0.50 ns  r_LC (launch)",
                "   1.50 ns  core.count[0]",
                "   1.88 ns  carry[2] … carry chain, 2 stage(s)",
                "   2.50 ns  core.sum[2]",
                "   3.00 ns  d_LC.I3 (setup)",
            ]
        );
    }

    #[test]
    fn a_malformed_path_is_an_error() {
        let bad = PATHS.replace(r#""type":"setup","delay":0.5"#, r#""type":"setup""#);
        let e = PnrReport::from_nextpnr(&bad).unwrap_err();
        assert!(e.to_string().contains("delay"), "{e}");
    }
}
