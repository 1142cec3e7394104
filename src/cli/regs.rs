//! `mapdma regs`: the register map of one configuration on standard output.

use super::config_args::ConfigArgs;
use clap::{Args, ValueEnum};
use mapdma_regmap::{export, Config};

#[derive(Args, Debug)]
pub struct RegsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    #[command(flatten)]
    config: ConfigArgs,
}

/// The views `mapdma_regmap::export` and `mapdma_regmap::svd` generate.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Markdown tables
    Md,
    /// C header
    C,
    /// JSON
    Json,
    /// CMSIS-SVD (device and peripheral named MAPDMA)
    Svd,
}

impl Format {
    pub fn render(self, cfg: &Config) -> String {
        match self {
            Format::Md => export::markdown(cfg),
            Format::C => export::c_header(cfg),
            Format::Json => export::json(cfg),
            Format::Svd => mapdma_regmap::svd::svd(cfg, mapdma_hdl::names::DEFAULT_MODULE),
        }
    }
}

pub fn run(args: &RegsArgs) -> anyhow::Result<()> {
    let cfg = args.config.config()?;
    print!("{}", args.format.render(&cfg));
    Ok(())
}
