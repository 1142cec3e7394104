//! The core as a drop-in IP folder (`mapdma ip`): everything an FPGA engineer needs to put one
//! configuration of the core into a design, generated from the same two sources as the core
//! itself (the rust-hdl description and `mapdma-regmap`), so the folder can never disagree with
//! the Verilog beside it.
//!
//! ```text
//!   Config + NAME ──► NAME.v            core (names::rename)
//!               ├──► NAME_inst.v       Verilog instantiation template   (template)
//!               ├──► NAME_pkg.vhd      VHDL component declaration       (template)
//!               ├──► NAME_tb.v         self-checking Icarus testbench   (testbench)
//!               ├──► NAME.core         FuseSoC CAPI2: lint + sim        (fusesoc)
//!               ├──► NAME_waivers.vlt  Verilator waivers, with reasons
//!               ├──► NAME.svd          CMSIS-SVD                        (regmap::svd)
//!               ├──► NAME_regmap.{md,h,json}                            (regmap::export)
//!               └──► README.md         configuration, files, port table (readme)
//! ```

mod fusesoc;
mod readme;
mod template;
mod testbench;

use crate::{names, ports, verilog_named, Config, HdlError, Port};
use mapdma_regmap::{export, svd};

/// The project's Verilator waivers for the generated Verilog, each with its reason.
const WAIVERS: &str = include_str!("../../../ci/verilator-waivers.vlt");

/// One file of the folder: its name (no directories) and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpFile {
    pub name: String,
    pub text: String,
}

/// The file names of the folder for module `module`, in the order [`ip_files`] returns them.
pub fn file_names(module: &str) -> Vec<String> {
    [
        ".v",
        "_inst.v",
        "_pkg.vhd",
        "_tb.v",
        ".core",
        "_waivers.vlt",
        ".svd",
        "_regmap.md",
        "_regmap.h",
        "_regmap.json",
    ]
    .iter()
    .map(|suffix| format!("{module}{suffix}"))
    .chain(["README.md".to_string()])
    .collect()
}

/// Every file of the IP folder for `cfg` under the top-module name `module`.
pub fn ip_files(cfg: &Config, module: &str) -> Result<Vec<IpFile>, HdlError> {
    names::check_module_name(module)?;
    let verilog = verilog_named(cfg, module)?;
    let ports: Vec<Port> = ports(cfg)?;
    let texts = [
        verilog,
        template::verilog_instance(module, &ports),
        template::vhdl_package(module, &ports),
        testbench::testbench(cfg, module, &ports),
        fusesoc::core_file(cfg, module),
        WAIVERS.to_string(),
        svd::svd(cfg, module),
        export::markdown(cfg),
        export::c_header(cfg),
        export::json(cfg),
        readme::readme(cfg, module, &ports),
    ];
    Ok(file_names(module)
        .into_iter()
        .zip(texts)
        .map(|(name, text)| IpFile { name, text })
        .collect())
}

/// `[7:0]` for an 8-bit port, nothing for a 1-bit one.
fn verilog_range(width: usize) -> String {
    match width {
        1 => String::new(),
        w => format!("[{}:0]", w - 1),
    }
}

/// A one-line summary of a configuration, for file headers.
fn summary(cfg: &Config) -> String {
    format!(
        "{} channel(s), {} map registers, {} KiB pages, {}-bit logical / {}-bit physical \
         addresses, {} outstanding",
        cfg.channels,
        cfg.map_registers,
        cfg.page_size() / 1024,
        cfg.logical_bits,
        cfg.physical_bits,
        cfg.outstanding
    )
}
