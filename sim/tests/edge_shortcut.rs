//! The rising-edge shortcut (the model skips Verilator's redundant input-driven pass when only
//! the clock changed) must not change anything observable: the same scenarios with and without
//! it give identical records, clock for clock.

use mapdma_regmap::Config;
use mapdma_sim::mapdma::verilator_engine_with;
use mapdma_sim::scenario::{mixed, mixed_config, register_soup, Record};
use mapdma_sim::verilated::{mapdma_default, mapdma_small};
use mapdma_sim::System;
use mapdma_verilate::VerilatedModel;

fn mixed_run(cfg: &Config, seed: u64, shortcut: bool) -> Record {
    let engine = verilator_engine_with(cfg, shortcut).unwrap();
    let mut s = System::new(engine, cfg, mixed_config(cfg, seed)).unwrap();
    mixed(&mut s).unwrap_or_else(|e| panic!("shortcut {shortcut}: {e}"))
}

#[test]
fn the_models_of_this_build_take_the_shortcut_by_default() {
    // Verilator 5.006 generates the `_eval` the shortcut mirrors; another version may not, and
    // then the build falls back to `eval()` (the constants say which happened).
    let m = mapdma_default::Model::new();
    assert_eq!(m.edge_shortcut(), mapdma_default::EDGE_SHORTCUT);
    let mut m = mapdma_small::Model::new();
    assert_eq!(m.edge_shortcut(), mapdma_small::EDGE_SHORTCUT);
    m.set_edge_shortcut(false);
    assert!(!m.edge_shortcut());
}

#[test]
fn mixed_scenarios_are_identical_with_and_without_the_shortcut() {
    for (cfg, seed) in [
        (Config::default(), 3),
        (Config::small(), 4),
        (Config::default(), 9),
    ] {
        let with = mixed_run(&cfg, seed, true);
        let without = mixed_run(&cfg, seed, false);
        assert!(with.memory.len() > 20, "the scenario moved data");
        assert_eq!(with, without, "{cfg:?}, seed {seed}");
    }
}

#[test]
fn register_traffic_is_identical_with_and_without_the_shortcut() {
    let cfg = Config::default();
    let run = |shortcut| {
        let engine = verilator_engine_with(&cfg, shortcut).unwrap();
        let mut s = System::new(engine, &cfg, mixed_config(&cfg, 21)).unwrap();
        register_soup(&mut s, 21, 400).unwrap()
    };
    let with = run(true);
    assert_eq!(with.axil.len(), 400);
    assert_eq!(with, run(false));
}
