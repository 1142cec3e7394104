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
    /// Name of the top module (and the file `NAME.v`); every submodule is called `NAME_…`, so
    /// cores of different configurations under different names live in one design
    #[arg(long, value_name = "NAME", default_value = mapdma_hdl::names::DEFAULT_MODULE)]
    module: String,
    #[command(flatten)]
    config: ConfigArgs,
}

/// The files written, in order: the Verilog (`NAME.v`, top module `NAME`) and the three register
/// views.
pub fn files(module: &str) -> [String; 4] {
    [
        format!("{module}.v"),
        "regmap.md".into(),
        "regmap.h".into(),
        "regmap.json".into(),
    ]
}

pub fn run(args: &VerilogArgs) -> anyhow::Result<()> {
    let cfg = args.config.config()?;
    let verilog = mapdma_hdl::verilog_named(&cfg, &args.module)
        .map_err(|e| anyhow::anyhow!("--module: {e}"))?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let contents = [
        verilog,
        Format::Md.render(&cfg),
        Format::C.render(&cfg),
        Format::Json.render(&cfg),
    ];
    for (name, text) in files(&args.module).iter().zip(contents) {
        let path = args.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}
