//! Two engines, one testbench: the same scenario on Verilator and on rust-hdl's own evaluation
//! of the `mapdma-hdl` block gives identical register read-backs, memory traffic, device
//! streams and interrupts, clock for clock (protocol checkers on in both).

use mapdma_regmap::Config;
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::scenario::{mixed, mixed_config, register_soup, Record};

fn run(kind: EngineKind, cfg: &Config, seed: u64) -> Record {
    let mut s = system(kind, cfg, mixed_config(cfg, seed)).unwrap();
    mixed(&mut s).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

fn compare(cfg: Config, seed: u64) {
    let v = run(EngineKind::Verilator, &cfg, seed);
    let r = run(EngineKind::RustHdl, &cfg, seed);
    assert!(
        v.memory.len() > 20,
        "the scenario moved data ({})",
        v.memory.len()
    );
    assert!(!v.irq_rises.is_empty(), "the scenario raised the interrupt");
    assert_eq!(v.axil, r.axil, "register accesses");
    assert_eq!(v.memory, r.memory, "memory traffic");
    assert_eq!(v.sent, r.sent, "device → DMA units");
    assert_eq!(v.received, r.received, "DMA → device units");
    assert_eq!(v.eop_out, r.eop_out);
    assert_eq!(v.irq_rises, r.irq_rises);
    assert_eq!(v.cycles, r.cycles);
}

#[test]
fn small_configuration_is_identical_on_both_engines() {
    compare(Config::small(), 5);
}

#[test]
fn default_configuration_is_identical_on_both_engines() {
    compare(Config::default(), 6);
}

#[test]
fn random_register_traffic_is_identical_on_both_engines() {
    let cfg = Config::default();
    let run = |kind| {
        let mut s = system(kind, &cfg, mixed_config(&cfg, 11)).unwrap();
        register_soup(&mut s, 11, 300).unwrap_or_else(|e| panic!("{kind}: {e}"))
    };
    let v = run(EngineKind::Verilator);
    let r = run(EngineKind::RustHdl);
    assert_eq!(v.axil.len(), 300);
    assert!(v.axil.iter().any(|d| d.data != 0), "reads returned values");
    assert_eq!(v, r);
}
