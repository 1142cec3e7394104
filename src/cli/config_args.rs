//! The generator parameters as command-line options, shared by every subcommand that builds or
//! describes one hardware configuration. Defaults are `Config::default()`'s.

use clap::Args;
use mapdma_regmap::Config;

#[derive(Args, Debug, Clone)]
pub struct ConfigArgs {
    /// DMA channels, 8237 numbering 0..N (1..=4)
    #[arg(long, value_name = "N", default_value_t = Config::default().channels)]
    pub channels: usize,
    /// Map registers: logical pages that can be translated (a power of two, at most 1024)
    #[arg(long, value_name = "N", default_value_t = Config::default().map_registers)]
    pub map_registers: usize,
    /// log2 of the page size in bytes (12 = 4 KiB pages; 8..=16)
    #[arg(long, value_name = "N", default_value_t = Config::default().page_shift)]
    pub page_shift: u32,
    /// Logical (device) address bits: page register ‖ 16-bit address (17..=32)
    #[arg(long, value_name = "N", default_value_t = Config::default().logical_bits)]
    pub logical_bits: u32,
    /// Physical address bits of the AXI4 master (13..=32 with 4 KiB pages: at least
    /// --page-shift + 1)
    #[arg(long, value_name = "N", default_value_t = Config::default().physical_bits)]
    pub physical_bits: u32,
    /// Outstanding AXI transactions per direction (a power of two, 2..=32)
    #[arg(long, value_name = "N", default_value_t = Config::default().outstanding)]
    pub outstanding: usize,
    /// The bus-master translation port (s_bm_axi_* slave, m_bm_axi_* master): a bus-master
    /// device's AXI4 bursts go through the map registers; false ties the ports off
    #[arg(long, value_name = "BOOL", default_value_t = Config::default().bus_master_port,
          action = clap::ArgAction::Set)]
    pub bus_master_port: bool,
    /// The 8237 memory-to-memory pair (COMMAND.MEM_TO_MEM; channels 0 and 1, so it needs two
    /// or more channels); false leaves it out (COMMAND bits 0-1 stored with no effect)
    #[arg(long, value_name = "BOOL", default_value_t = Config::default().memory_to_memory,
          action = clap::ArgAction::Set)]
    pub memory_to_memory: bool,
}

impl ConfigArgs {
    /// The configuration these options describe, checked; errors name the flags.
    pub fn config(&self) -> anyhow::Result<Config> {
        let cfg = Config {
            channels: self.channels,
            map_registers: self.map_registers,
            page_shift: self.page_shift,
            logical_bits: self.logical_bits,
            physical_bits: self.physical_bits,
            outstanding: self.outstanding,
            bus_master_port: self.bus_master_port,
            memory_to_memory: self.memory_to_memory,
        };
        cfg.validate()
            .map_err(|e| super::checks::config_error(&e))?;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        config: ConfigArgs,
    }

    /// The help text states the limit the configuration check enforces.
    #[test]
    fn outstanding_help_names_the_checked_limit() {
        let cmd = Cli::command();
        let arg = cmd
            .get_arguments()
            .find(|a| a.get_id() == "outstanding")
            .expect("--outstanding");
        let help = arg.get_help().expect("help").to_string();
        let limit = format!("2..={}", mapdma_regmap::MAX_OUTSTANDING);
        assert!(help.contains(&limit), "{help:?} should say {limit}");
        let over = ConfigArgs {
            outstanding: 2 * mapdma_regmap::MAX_OUTSTANDING,
            ..Cli::parse_from_args()
        };
        assert!(over.config().is_err());
    }

    impl Cli {
        fn parse_from_args() -> ConfigArgs {
            use clap::Parser;
            Cli::parse_from(["mapdma"]).config
        }
    }
}
