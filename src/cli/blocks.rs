//! `mapdma synth --core --blocks`: where the core's area goes, block by block.
//!
//! The flat synthesis (`synth --core`) gives one total. To see which block to work on, the
//! same Verilog goes through `synth_ice40` a second time with every block the top module
//! instantiates kept as its own module (`keep_hierarchy`); everything inside a block (its
//! register wrappers, its own sub-blocks) is still flattened into it. Each block is then
//! optimized behind its ports: constants and unused outputs of the parent no longer cross
//! the boundary, so a block's figure is an upper bound and the column sums exceed the flat
//! total (both are printed). The top module's own row is the parent's logic: its wiring and
//! the glue between the blocks.

use super::report::CellCounts;
use super::tools;
use anyhow::{anyhow, Context};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// One block of the top module: its instance name and its module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub instance: String,
    pub module: String,
}

/// The blocks `top` instantiates, in Verilog order. rust-hdl names a block's module
/// `{top}_{instance}` and a register wrapper `{top}__{field}`, so only the former are blocks.
pub fn blocks_of(verilog: &str, top: &str) -> anyhow::Result<Vec<Block>> {
    let header = format!("module {top}(");
    let start = verilog
        .find(&header)
        .ok_or_else(|| anyhow!("module {top} not found in the Verilog"))?;
    let body = &verilog[start..];
    let body = &body[..body.find("endmodule").unwrap_or(body.len())];
    let prefix = format!("{top}_");
    let blocks = body
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let module = words.next()?;
            let instance = words.next()?.strip_suffix('(')?;
            (module.strip_prefix(&prefix) == Some(instance)).then(|| Block {
                instance: instance.to_string(),
                module: module.to_string(),
            })
        })
        .collect();
    Ok(blocks)
}

/// Cell counts per module from Yosys `stat -json` of a design with hierarchy.
pub fn counts_per_module(json: &str) -> anyhow::Result<BTreeMap<String, CellCounts>> {
    let v: Value = serde_json::from_str(json).context("Yosys stat output is not JSON")?;
    let modules = v
        .get("modules")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("Yosys stat output has no `modules`"))?;
    modules
        .iter()
        .map(|(name, scope)| {
            // Yosys writes module names of its own kind with a leading backslash.
            let name = name.trim_start_matches('\\').to_string();
            Ok((name, CellCounts::from_stat_scope(scope)?))
        })
        .collect()
}

/// Runs the hierarchical synthesis of `top.v` (already written to `out` by the flat run) and
/// prints one row per block, largest first, then the parent, the sums and the flat total.
pub fn report(verilog: &str, top: &str, out: &Path, flat: &CellCounts) -> anyhow::Result<()> {
    let blocks = blocks_of(verilog, top)?;
    let keep: Vec<&str> = blocks.iter().map(|b| b.module.as_str()).collect();
    let script = format!(
        "read_verilog top.v; hierarchy -top {top}; setattr -mod -set keep_hierarchy 1 {}; \
         synth_ice40 -top {top}; tee -q -o blocks.json stat -json",
        keep.join(" ")
    );
    tools::run(
        "yosys",
        &["-q", "-p", &script],
        out,
        &out.join("yosys_blocks.log"),
    )?;
    let stat = std::fs::read_to_string(out.join("blocks.json")).context("reading blocks.json")?;
    let counts = counts_per_module(&stat)?;
    let get = |module: &str| {
        counts
            .get(module)
            .cloned()
            .ok_or_else(|| anyhow!("Yosys reported no cells for module {module}"))
    };
    let mut rows = blocks
        .iter()
        .map(|b| Ok((b.instance.clone(), get(&b.module)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    rows.sort_by(|a, b| b.1.lut4.cmp(&a.1.lut4).then(a.0.cmp(&b.0)));
    rows.push((format!("{top} (parent)"), get(top)?));
    println!(
        "blocks (each synthesized behind its ports, so a block is an upper bound; {} kept):",
        out.join("blocks.json").display()
    );
    println!(
        "  {:<24} {:>6} {:>6} {:>5} {:>6}",
        "block", "LUT4", "FF", "BRAM", "CARRY"
    );
    let mut sum = CellCounts::default();
    for (name, c) in &rows {
        println!(
            "  {:<24} {:>6} {:>6} {:>5} {:>6}",
            name, c.lut4, c.ff, c.bram, c.carry
        );
        sum.lut4 += c.lut4;
        sum.ff += c.ff;
        sum.bram += c.bram;
        sum.carry += c.carry;
    }
    for (name, c) in [("sum", &sum), ("flat (above)", flat)] {
        println!(
            "  {:<24} {:>6} {:>6} {:>5} {:>6}",
            name, c.lut4, c.ff, c.bram, c.carry
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_instances_named_after_their_module_and_not_register_wrappers() {
        let v = "module other(a);\n    top_x x(\nendmodule\n\
                 module top(clock);\n    top__count count(\n    top_regs regs(\n\
                 \x20   top_channels0 channels0(\n    top_regs wrong(\n    wire top_a;\nendmodule\n\
                 module top_regs(a);\n    top_regs_inner inner(\nendmodule\n";
        let b = blocks_of(v, "top").unwrap();
        let names: Vec<_> = b
            .iter()
            .map(|b| (b.instance.as_str(), b.module.as_str()))
            .collect();
        assert_eq!(
            names,
            [("regs", "top_regs"), ("channels0", "top_channels0")]
        );
        assert!(blocks_of(v, "missing").is_err());
    }

    #[test]
    fn module_counts_come_from_each_module_of_the_stat() {
        let json = r#"{"modules": {
            "\\top": {"num_cells_by_type": {"SB_LUT4": 10, "SB_DFFE": 3}},
            "\\top_regs": {"num_cells_by_type": {"SB_LUT4": 7, "SB_CARRY": 2, "SB_RAM40_4K": 1}}
        }}"#;
        let c = counts_per_module(json).unwrap();
        assert_eq!((c["top"].lut4, c["top"].ff), (10, 3));
        assert_eq!(
            (c["top_regs"].lut4, c["top_regs"].carry, c["top_regs"].bram),
            (7, 2, 1)
        );
        assert!(counts_per_module("{}").is_err());
    }
}
