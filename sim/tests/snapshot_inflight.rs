//! SNAP_INFLIGHT on the Verilator model: the units SNAP_COUNT counts but whose memory access has
//! not completed. With a slow memory (latency 64, every channel ready or valid one clock in
//! five), the count runs well ahead of memory; the position moved back by SNAP_INFLIGHT must
//! never run ahead of what really landed (bytes in memory for a write transfer, units at the
//! device for a read transfer), while the count alone does.

mod common;

use common::*;
use mapdma_regmap as rm;
use mapdma_regmap::{Config, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi_slave::AxiSlaveConfig;
use mapdma_sim::device::DeviceConfig;
use mapdma_sim::rate::Rate;

const UNITS: u32 = 600;
const CH: usize = 1;

/// A bench whose memory answers after 64 clocks and is ready / valid 20 % of the clocks.
fn slow_bench(device: DeviceConfig) -> (Config, Sys) {
    let cfg = Config::default();
    let mut sys = base_config();
    sys.memory = AxiSlaveConfig {
        read_latency: 64,
        write_latency: 64,
        ..AxiSlaveConfig::default().with_random_backpressure(0.2)
    };
    sys.devices = vec![DeviceConfig::default(), device];
    let mut s = verilator(&cfg, sys);
    let base = phys(&cfg, 0);
    s.memory.permissions.allow(base..base + 4 * cfg.page_size());
    s.map_pages(0, 4, FRAME, true).unwrap();
    (cfg, s)
}

/// Units counted (issued) and in flight, from one atomic snapshot.
fn snapshot(s: &mut Sys, cfg: &Config) -> (u32, u32) {
    let snap = s.axil_read(rm::SNAP_COUNT.at(CH)).unwrap();
    let count = rm::snap_count::COUNT.get(cfg, snap);
    let inflight = s.axil_read(rm::SNAP_INFLIGHT.at(CH)).unwrap();
    let issued = (UNITS - 1).wrapping_sub(count) & 0xFFFF;
    (issued, inflight)
}

/// Runs until the transfer is done, sampling; `landed_now` says how many units really landed.
/// Returns (samples with units in flight, samples where the bare count ran ahead of memory).
fn sample(s: &mut Sys, cfg: &Config, landed_now: impl Fn(&Sys) -> u32) -> (u32, u32) {
    let (mut with_inflight, mut count_ahead) = (0, 0);
    for _ in 0..2000 {
        let (issued, inflight) = snapshot(s, cfg);
        let landed = landed_now(s);
        assert!(
            inflight <= issued,
            "{inflight} units in flight but only {issued} issued"
        );
        assert!(
            issued - inflight <= landed,
            "snapshot says {} landed, but only {landed} did (issued {issued}, in flight {inflight})",
            issued - inflight
        );
        with_inflight += (inflight > 0) as u32;
        count_ahead += (issued > landed) as u32;
        if issued == UNITS && inflight == 0 {
            return (with_inflight, count_ahead);
        }
        s.run(7).unwrap();
    }
    panic!("the transfer did not finish");
}

#[test]
fn device_to_memory_units_count_as_landed_only_when_their_write_response_returned() {
    let (cfg, mut s) = slow_bench(DeviceConfig::source(
        Rate::Always,
        Some(UNITS as u64),
        ServiceMode::Demand,
    ));
    let base = phys(&cfg, 0);
    s.program_channel(&setup(
        CH,
        UNITS,
        UnitWidth::Bits32,
        TransferType::Write,
        false,
        ServiceMode::Demand,
    ))
    .unwrap();
    s.set_mask(CH, false).unwrap();
    // The device's counter pattern starts at 1, so a unit not yet in memory reads 0.
    let (with_inflight, count_ahead) = sample(&mut s, &cfg, |s| {
        (0..UNITS)
            .take_while(|&k| s.memory.memory.read_u32(base + 4 * k as u64) == k + 1)
            .count() as u32
    });
    assert!(
        with_inflight > 10,
        "units were in flight in {with_inflight} samples only"
    );
    assert!(
        count_ahead > 10,
        "the bare count ran ahead in {count_ahead} samples only"
    );
}

#[test]
fn memory_to_device_units_count_as_landed_only_when_their_read_data_was_taken() {
    let (cfg, mut s) = slow_bench(DeviceConfig::sink(Rate::Always, ServiceMode::Demand));
    s.program_channel(&setup(
        CH,
        UNITS,
        UnitWidth::Bits32,
        TransferType::Read,
        false,
        ServiceMode::Demand,
    ))
    .unwrap();
    s.set_mask(CH, false).unwrap();
    let (with_inflight, count_ahead) =
        sample(&mut s, &cfg, |s| s.devices[CH].received_total() as u32);
    assert!(
        with_inflight > 10,
        "units were in flight in {with_inflight} samples only"
    );
    assert!(
        count_ahead > 10,
        "the bare count ran ahead in {count_ahead} samples only"
    );
}
