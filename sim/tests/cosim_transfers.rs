//! DMA transfers on the Verilator model, end to end: device streams, memory contents, counters,
//! interrupts, faults and EOP, under latency and random backpressure (checkers always on).

mod common;

use common::*;
use mapdma_regmap as rm;
use mapdma_regmap::{Config, FaultCause, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi::Resp;
use mapdma_sim::axi_slave::{Access, AxiSlaveConfig, ErrorRange};
use mapdma_sim::axil_master::AxilTiming;
use mapdma_sim::device::{DataPattern, DeviceConfig, EopTrigger};
use mapdma_sim::rate::Rate;

fn writes(s: &Sys) -> Vec<(u32, u32)> {
    s.memory
        .log()
        .iter()
        .filter(|b| b.access == Access::Write)
        .map(|b| (b.addr, b.data))
        .collect()
}

#[test]
fn block_autoinit_write_fills_the_buffer_pass_after_pass() {
    let cfg = Config::default();
    let units = 100;
    let mut sys = base_config();
    sys.devices = vec![DeviceConfig::source(Rate::Always, None, ServiceMode::Block)];
    let mut s = verilator(&cfg, sys);
    let base = phys(&cfg, 0);
    s.memory.permissions.allow(base..base + 4 * units as u64);
    s.map_pages(0, 1, FRAME, true).unwrap();
    s.program_channel(&setup(
        0,
        units,
        UnitWidth::Bits32,
        TransferType::Write,
        true,
        ServiceMode::Block,
    ))
    .unwrap();
    let tc_enable = rm::int_enable::TC.put(&cfg, 1) | rm::int_enable::FAULT.put(&cfg, 0xF);
    s.axil_write(rm::INT_ENABLE.offset, tc_enable).unwrap();
    s.set_mask(0, false).unwrap();
    s.run_until(5000, "three terminal counts", |s| {
        s.devices[0].eop_out().len() >= 3
    })
    .unwrap();

    let sent = s.devices[0].sent().to_vec();
    assert!(sent.len() >= 3 * units as usize);
    // Unit k of the stream lands at base + 4 * (k mod units).
    for (addr, data) in writes(&s) {
        let k = sent
            .iter()
            .position(|&(_, v)| v == data)
            .expect("data came from the device");
        assert_eq!(
            addr as u64,
            base + 4 * (k as u64 % units as u64),
            "unit {k}"
        );
    }
    assert_eq!(s.memory.memory.read_u32(base), sent[2 * units as usize].1);
    assert!(s.memory.permissions.violations().is_empty());
    let snap = s.snapshot(0).unwrap();
    assert!(snap.passes >= 3, "{snap:?}");
    assert!(s.irq.level(), "TC interrupt enabled and pending");
    let status = s.axil_read(rm::INT_STATUS.offset).unwrap();
    assert_eq!(rm::int_status::TC.get(&cfg, status), 1);
    s.axil_write(rm::INT_STATUS.offset, status).unwrap();
    s.run(1).unwrap();
    assert!(!s.irq.level(), "write-1-to-clear dropped the interrupt");
    assert!(s.checked_handshakes().0 > 3 * units as u64);
}

#[test]
fn demand_read_delivers_memory_to_a_slow_sink_with_last_at_terminal_count() {
    let cfg = Config::small();
    let units = 40u32;
    let mut sys = base_config();
    sys.memory = AxiSlaveConfig::default().with_latency(6);
    sys.devices = vec![DeviceConfig::sink(Rate::Random(0.4), ServiceMode::Demand)];
    let mut s = verilator(&cfg, sys);
    s.memory.permissions.forbid_all();
    let base = phys(&cfg, 0x10);
    for i in 0..units as u64 {
        s.memory
            .memory
            .write(base + 2 * i, &(0xA000 + i as u16).to_le_bytes());
    }
    s.map_pages(0, 1, FRAME, false).unwrap();
    let mut c = setup(
        0,
        units,
        UnitWidth::Bits16,
        TransferType::Read,
        false,
        ServiceMode::Demand,
    );
    c.logical = 0x10;
    s.program_channel(&c).unwrap();
    s.set_mask(0, false).unwrap();
    s.run_until(3000, "all units delivered", |s| {
        s.devices[0].received().len() >= units as usize
    })
    .unwrap();
    s.run(50).unwrap();
    let got = s.devices[0].received();
    assert_eq!(got.len(), units as usize, "nothing beyond terminal count");
    for (i, r) in got.iter().enumerate() {
        assert_eq!(r.data, 0xA000 + i as u32, "unit {i}");
        assert_eq!(r.last, i == units as usize - 1, "snk_last on unit {i}");
    }
    let ch = s.axil_read(rm::CH_CONFIG.at(0)).unwrap();
    assert_eq!(
        rm::ch_config::MASKED.get(&cfg, ch),
        1,
        "no autoinit: masked at TC"
    );
    let st = s.axil_read(rm::STATUS.offset).unwrap();
    assert_eq!(rm::status::TC.get(&cfg, st), 1);
    assert_eq!(
        rm::status::TC.get(&cfg, s.axil_read(rm::STATUS.offset).unwrap()),
        0,
        "read clears TC"
    );
    assert!(s.memory.permissions.violations().is_empty(), "reads only");
}

#[test]
fn single_mode_bytes_survive_random_backpressure_everywhere() {
    let cfg = Config::default();
    for seed in 0..3 {
        let units = 150u32;
        let mut sys = base_config();
        sys.memory = AxiSlaveConfig {
            seed,
            read_latency: 3,
            write_latency: 9,
            max_writes: 3,
            ..AxiSlaveConfig::default().with_random_backpressure(0.5)
        };
        sys.axil = AxilTiming {
            max_valid_delay: 3,
            max_ready_delay: 3,
            seed,
        };
        let mut dev =
            DeviceConfig::source(Rate::Random(0.6), Some(units as u64), ServiceMode::Single);
        dev.pattern = DataPattern::Random;
        dev.seed = seed + 100;
        sys.devices = vec![DeviceConfig::default(), dev];
        let mut s = verilator(&cfg, sys);
        let base = phys(&cfg, 0);
        s.memory.permissions.allow(base..base + units as u64);
        s.map_pages(0, 1, FRAME, true).unwrap();
        s.program_channel(&setup(
            1,
            units,
            UnitWidth::Bits8,
            TransferType::Write,
            false,
            ServiceMode::Single,
        ))
        .unwrap();
        s.set_mask(1, false).unwrap();
        s.run_until(20_000, "terminal count", |s| {
            !s.devices[1].eop_out().is_empty()
        })
        .unwrap();
        s.run_until(200, "writes answered", |s| s.memory.in_flight().1 == 0)
            .unwrap();
        let sent = s.devices[1].sent();
        assert_eq!(sent.len(), units as usize, "seed {seed}");
        for (i, &(_, v)) in sent.iter().enumerate() {
            assert_eq!(
                s.memory.memory.read_u8(base + i as u64),
                v as u8,
                "seed {seed} unit {i}"
            );
        }
        assert!(s.memory.permissions.violations().is_empty(), "seed {seed}");
        assert!(s.memory.stats().peak_writes <= 3);
    }
}

#[test]
fn invalid_map_entry_halts_the_channel_without_a_bus_access() {
    let cfg = Config::small();
    let mut sys = base_config();
    sys.devices = vec![DeviceConfig::source(
        Rate::Always,
        None,
        ServiceMode::Demand,
    )];
    let mut s = verilator(&cfg, sys);
    // Page 1 is valid, page 0 (where the channel starts) is not.
    s.map_pages(1, 1, FRAME, true).unwrap();
    s.program_channel(&setup(
        0,
        8,
        UnitWidth::Bits32,
        TransferType::Write,
        false,
        ServiceMode::Demand,
    ))
    .unwrap();
    s.set_mask(0, false).unwrap();
    s.run(100).unwrap();
    assert!(s.memory.log().is_empty(), "no bus access");
    assert_eq!(s.devices[0].sent_total(), 0, "source data not consumed");
    let cause = s.axil_read(rm::FAULT_CAUSE.offset).unwrap();
    assert_eq!(
        FaultCause::from_code(cause & 0xF),
        Some(FaultCause::Invalid)
    );
    assert_eq!(s.axil_read(rm::FAULT_ADDR.at(0)).unwrap(), 0);
    let ch = s.axil_read(rm::CH_CONFIG.at(0)).unwrap();
    assert_eq!(rm::ch_config::HALTED.get(&cfg, ch), 1);
    assert!(s.irq.level(), "fault interrupts are enabled at reset");

    // Fix the entry, clear the fault: the channel resumes where it stopped.
    s.map_pages(0, 1, FRAME, true).unwrap();
    let fault = rm::int_status::FAULT.put(&cfg, 1);
    s.axil_write(rm::INT_STATUS.offset, fault).unwrap();
    s.run_until(500, "terminal count", |s| {
        !s.devices[0].eop_out().is_empty()
    })
    .unwrap();
    assert_eq!(s.devices[0].sent_total(), 8);
    // Terminal count is signalled when the last unit is issued; it lands a few clocks later.
    s.run(20).unwrap();
    assert_eq!(s.memory.memory.read_u32(phys(&cfg, 28)), 8);
}

#[test]
fn slave_and_decode_errors_are_latched_as_faults() {
    for (resp, cause) in [
        (Resp::SlvErr, FaultCause::SlaveError),
        (Resp::DecErr, FaultCause::DecodeError),
    ] {
        let cfg = Config::small();
        let mut sys = base_config();
        let base = phys(&cfg, 0);
        sys.memory.error_ranges = vec![ErrorRange {
            range: base + 8..base + 12,
            resp,
        }];
        sys.devices = vec![DeviceConfig::sink(Rate::Always, ServiceMode::Demand)];
        let mut s = verilator(&cfg, sys);
        for i in 0..8 {
            s.memory.memory.write_u32(base + 4 * i, 0x5000 + i as u32);
        }
        s.map_pages(0, 1, FRAME, false).unwrap();
        s.program_channel(&setup(
            0,
            8,
            UnitWidth::Bits32,
            TransferType::Read,
            false,
            ServiceMode::Demand,
        ))
        .unwrap();
        s.set_mask(0, false).unwrap();
        s.run(200).unwrap();
        let c = s.axil_read(rm::FAULT_CAUSE.offset).unwrap();
        assert_eq!(FaultCause::from_code(c & 0xF), Some(cause), "{resp:?}");
        assert_eq!(s.axil_read(rm::FAULT_ADDR.at(0)).unwrap(), 8, "{resp:?}");
        // Unit 2's data is discarded; units issued before the error returned complete normally.
        let got: Vec<u32> = s.devices[0].received().iter().map(|r| r.data).collect();
        assert!(
            got.len() >= 2 && got[..2] == [0x5000, 0x5001],
            "{resp:?}: {got:x?}"
        );
        for (k, v) in got[2..].iter().enumerate() {
            assert_eq!(*v, 0x5003 + k as u32, "{resp:?}: {got:x?}");
        }
        let ch = s.axil_read(rm::CH_CONFIG.at(0)).unwrap();
        assert_eq!(rm::ch_config::HALTED.get(&cfg, ch), 1);
        assert!(s.memory.log().iter().any(|b| b.resp == resp));
    }
}

#[test]
fn external_eop_ends_the_service_like_terminal_count() {
    let cfg = Config::small();
    let mut sys = base_config();
    let mut dev = DeviceConfig::source(Rate::Every(3), None, ServiceMode::Demand);
    dev.eop = vec![EopTrigger::AfterUnits(10)];
    sys.devices = vec![dev];
    let mut s = verilator(&cfg, sys);
    s.map_pages(0, 1, FRAME, true).unwrap();
    s.program_channel(&setup(
        0,
        100,
        UnitWidth::Bits32,
        TransferType::Write,
        false,
        ServiceMode::Demand,
    ))
    .unwrap();
    s.set_mask(0, false).unwrap();
    s.run_until(2000, "EOP", |s| !s.devices[0].eop_out().is_empty())
        .unwrap();
    s.run(100).unwrap();
    let moved = s.devices[0].sent_total();
    assert!(
        (10..=11).contains(&moved),
        "stopped right after the EOP ({moved})"
    );
    assert_eq!(writes(&s).len() as u64, moved);
    let ch = s.axil_read(rm::CH_CONFIG.at(0)).unwrap();
    assert_eq!(rm::ch_config::MASKED.get(&cfg, ch), 1);
    let st = s.axil_read(rm::STATUS.offset).unwrap();
    assert_eq!(rm::status::TC.get(&cfg, st), 1);
    assert_eq!(s.snapshot(0).unwrap().passes, 1);
}

#[test]
fn writes_outside_the_permitted_buffer_are_recorded() {
    let cfg = Config::small();
    let mut sys = base_config();
    sys.devices = vec![DeviceConfig::source(
        Rate::Always,
        None,
        ServiceMode::Demand,
    )];
    let mut s = verilator(&cfg, sys);
    let base = phys(&cfg, 0);
    s.memory.permissions.allow(base..base + 16); // 4 of the 8 units
    s.map_pages(0, 1, FRAME, true).unwrap();
    s.program_channel(&setup(
        0,
        8,
        UnitWidth::Bits32,
        TransferType::Write,
        false,
        ServiceMode::Demand,
    ))
    .unwrap();
    s.set_mask(0, false).unwrap();
    s.run_until(500, "terminal count", |s| {
        !s.devices[0].eop_out().is_empty()
    })
    .unwrap();
    s.run(20).unwrap();
    let v = s.memory.permissions.violations();
    assert_eq!(v.len(), 4);
    assert_eq!(v[0].addr, base + 16);
}

#[test]
fn a_reset_in_the_middle_of_a_stream_leaves_the_bus_clean() {
    let cfg = Config::default();
    let mut sys = base_config();
    sys.memory = AxiSlaveConfig::default().with_latency(20);
    sys.devices = vec![DeviceConfig::sink(Rate::Always, ServiceMode::Block)];
    let mut s = verilator(&cfg, sys);
    s.map_pages(0, 1, FRAME, false).unwrap();
    s.program_channel(&setup(
        0,
        256,
        UnitWidth::Bits32,
        TransferType::Read,
        true,
        ServiceMode::Block,
    ))
    .unwrap();
    s.set_mask(0, false).unwrap();
    s.run_until(500, "reads in flight", |s| s.memory.in_flight().0 > 5)
        .unwrap();
    s.reset(3).unwrap();
    s.run(100).unwrap();
    assert_eq!(s.memory.in_flight(), (0, 0));
    let all = s.axil_read(rm::ALL_MASK.offset).unwrap();
    assert_eq!(all & 0xF, 0xF, "reset masked every channel");
}
