//! The adapter-cycle benchmark runs and cleans up (its figures are not checked: not a timed test).
mod common;

#[test]
fn adapter_cycle_benchmark_runs_the_requested_cycles_and_releases_everything() {
    let system = common::default_system();
    let r = mapdma_host::bench::adapter_cycles(&system, 50, 8192).unwrap();
    assert_eq!((r.cycles, r.backend.as_str()), (50, "reference"));
    assert!(r.cycles_per_second() > 0.0);
    assert_eq!(system.map_registers_in_use(), 0);
}
