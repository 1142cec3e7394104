//! `mapdma verilog`: the Verilog of one configuration and its register-map documents, side by
//! side, so that the RTL and the software view always come from the same parameters.

use super::config_args::ConfigArgs;
use super::regs::Format;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct VerilogArgs {
    /// Output folder (created if missing)
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    #[command(flatten)]
    config: ConfigArgs,
}

/// The files written, in order: the Verilog (top module `top`) and the three register views.
pub const FILES: [&str; 4] = ["mapdma.v", "regmap.md", "regmap.h", "regmap.json"];

pub fn run(args: &VerilogArgs) -> anyhow::Result<()> {
    let cfg = args.config.config()?;
    let verilog = mapdma_hdl::verilog(&cfg)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let contents = [
        verilog,
        Format::Md.render(&cfg),
        Format::C.render(&cfg),
        Format::Json.render(&cfg),
    ];
    for (name, text) in FILES.iter().zip(contents) {
        let path = args.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}
