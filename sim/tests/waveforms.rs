//! Opt-in VCD waveforms through the `System` API flag, on both engines. The files are read
//! back with a VCD parser (what a viewer such as GTKWave does).

mod common;
#[path = "common/vcd_check.rs"]
mod vcd_check;

use mapdma_regmap::Config;
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::scenario::{mixed, mixed_config};
use mapdma_sim::CLOCK_PERIOD_PS;

#[test]
fn vcd_files_cover_every_clock_of_a_scenario_on_both_engines() {
    let dir = std::env::temp_dir().join(format!("mapdma-sim-waves-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = Config::small();
    for kind in [EngineKind::Verilator, EngineKind::RustHdl] {
        let path = dir.join(format!("{kind}.vcd"));
        let mut sys = mixed_config(&cfg, 1);
        sys.vcd = Some(path.clone());
        let cycles = {
            let mut s = system(kind, &cfg, sys).unwrap();
            mixed(&mut s).unwrap();
            s.cycle()
        }; // dropping the system closes the file
        let w = vcd_check::summarise(&path);
        assert!(
            w.vars.iter().any(|v| v.contains("s_axil_awaddr")),
            "{kind}: {:?}",
            w.vars.iter().take(20).collect::<Vec<_>>()
        );
        assert!(w.vars.iter().any(|v| v.contains("m_axi_wdata")), "{kind}");
        assert!(w.changes > cycles, "{kind}: {} changes", w.changes);
        assert_eq!(
            w.last_time,
            (cycles - 1) * CLOCK_PERIOD_PS + CLOCK_PERIOD_PS / 2,
            "{kind}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
