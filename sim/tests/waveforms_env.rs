//! `MAPDMA_VCD=path` turns waveforms on without touching the code. Its own test binary, since
//! it sets a process-wide environment variable.

#[path = "common/vcd_check.rs"]
mod vcd_check;

use mapdma_regmap::Config;
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::{SystemConfig, VCD_ENV};

#[test]
fn the_environment_variable_names_the_vcd_file() {
    let path = std::env::temp_dir().join(format!("mapdma-sim-env-{}.vcd", std::process::id()));
    std::env::set_var(VCD_ENV, &path);
    {
        let mut s = system(
            EngineKind::Verilator,
            &Config::small(),
            SystemConfig::default(),
        )
        .unwrap();
        s.run(20).unwrap();
    }
    std::env::remove_var(VCD_ENV);
    let w = vcd_check::summarise(&path);
    assert!(w.vars.contains("irq"), "{:?}", w.vars);
    assert!(w.timestamps >= 2 * 20);
    std::fs::remove_file(&path).unwrap();
}
