use mapdma_regmap as rm;
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::SystemConfig;

#[test]
fn id_and_config_read_back() {
    for kind in [EngineKind::Verilator, EngineKind::RustHdl] {
        for cfg in [rm::Config::default(), rm::Config::small()] {
            let mut s = system(kind, &cfg, SystemConfig::default()).unwrap();
            assert_eq!(s.axil_read(rm::ID.offset).unwrap(), rm::ID_MAGIC, "{kind}");
            assert_eq!(
                s.axil_read(rm::CONFIG0.offset).unwrap(),
                cfg.config0(),
                "{kind}"
            );
            assert_eq!(
                s.axil_read(rm::CONFIG1.offset).unwrap(),
                cfg.config1(),
                "{kind}"
            );
            println!("{kind} {:?} cycles {}", cfg.channels, s.cycle());
        }
    }
}
