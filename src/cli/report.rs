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
        Ok(PnrReport {
            logic_cells: usage("ICESTORM_LC")?,
            bram: usage("ICESTORM_RAM")?,
            io: usage("SB_IO")?,
            clocks,
        })
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
}
