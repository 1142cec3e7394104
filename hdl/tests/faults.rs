//! Faults and disruptions in the rust-hdl simulator: translation faults issue no bus access and
//! are precise; bus errors halt the channel; master clear and reset mid-transfer leave the AXI
//! buses idle and protocol-clean (the bench asserts VALID/payload stability on every clock).

mod common;

use common::{Access, Bench, MemConfig};
use mapdma_hdl::regmap::{self, Config, FaultCause, ServiceMode, TransferType, UnitWidth};

fn mode(ch: usize, t: TransferType, auto: bool, m: ServiceMode) -> u8 {
    regmap::mode_byte(ch, t, auto, false, m)
}

fn cause(b: &mut Bench, ch: usize) -> FaultCause {
    let v = b.read(regmap::FAULT_CAUSE.offset) >> (regmap::FAULT_CAUSE_BITS * ch as u32);
    FaultCause::from_code(v & 0xF).expect("known cause")
}

/// A 32-bit write stream on channel `ch` from logical 0x0FF0 across into page 1.
fn stream_into_page_one(b: &mut Bench, ch: usize, units: u16) {
    b.program(
        ch,
        0x0FF0,
        units - 1,
        0,
        UnitWidth::Bits32,
        mode(ch, TransferType::Write, false, ServiceMode::Demand),
    );
    b.devices[ch].source = (0..units as u32).map(|i| 0x1000 + i).collect();
    b.devices[ch].dreq = true;
    b.unmask(ch);
}

#[test]
fn each_translation_fault_stops_the_channel_precisely_with_no_bus_access() {
    let cases: [(&str, FaultCause); 3] = [
        ("invalid", FaultCause::Invalid),
        ("read-only", FaultCause::ReadOnly),
        ("out of range", FaultCause::OutOfRange),
    ];
    for (what, want) in cases {
        let cfg = Config {
            map_registers: 2,
            ..Config::default()
        };
        let mut b = Bench::new(cfg);
        b.map(0, 0x40, true);
        match want {
            FaultCause::ReadOnly => b.map(1, 0x41, false),
            FaultCause::Invalid => {}
            _ => {}
        }
        if want == FaultCause::OutOfRange {
            // Page register 1 puts the transfer at logical 0x1_0FF0: page 0x10, beyond 2 entries.
            b.program(
                0,
                0x0FF0,
                7,
                1,
                UnitWidth::Bits32,
                mode(0, TransferType::Write, false, ServiceMode::Demand),
            );
            b.devices[0].source = (0..8u32).collect();
            b.devices[0].dreq = true;
            b.unmask(0);
        } else {
            stream_into_page_one(&mut b, 0, 8);
        }
        b.run(40);
        let good_units = if want == FaultCause::OutOfRange { 0 } else { 4 };
        assert_eq!(
            b.writes().len(),
            good_units,
            "{what}: only units before the fault reach the bus"
        );
        assert!(b
            .accesses
            .iter()
            .all(|a| matches!(a, Access::Write { addr, .. } if addr >> 12 == 0x40)));
        assert_eq!(cause(&mut b, 0), want, "{what}");
        let fault_addr = b.read(regmap::FAULT_ADDR.at(0));
        let expect = if want == FaultCause::OutOfRange {
            0x1_0FF0
        } else {
            0x1000
        };
        assert_eq!(fault_addr, expect, "{what}");
        // Precise: the counters point at the faulting unit; its data was not consumed.
        assert_eq!(b.snap(0).0, 7 - good_units as u16, "{what}");
        assert_eq!(b.devices[0].source.len(), 8 - good_units, "{what}");
        assert_eq!(
            regmap::ch_config::HALTED.get(&cfg, b.read(regmap::CH_CONFIG.at(0))),
            1
        );
        assert_eq!(b.read(regmap::INT_STATUS.offset), 1 << 8);
        assert!(
            b.irq_history.last().copied().unwrap(),
            "{what}: fault interrupt enabled at reset"
        );
    }
}

#[test]
fn clearing_the_fault_after_repairing_the_map_resumes_where_it_stopped() {
    let cfg = Config::default();
    let mut b = Bench::new(cfg);
    b.map(0, 0x40, true);
    stream_into_page_one(&mut b, 0, 8);
    b.run(30);
    assert_eq!(cause(&mut b, 0), FaultCause::Invalid);
    b.map(1, 0x77, true);
    b.write(regmap::INT_STATUS.offset, 1 << 8);
    assert_eq!(cause(&mut b, 0), FaultCause::None);
    assert_eq!(
        b.read(regmap::FAULT_ADDR.at(0)),
        0,
        "clearing the fault clears its address"
    );
    b.run(30);
    let w: Vec<u32> = b.writes().iter().map(|w| w.0).collect();
    assert_eq!(
        w,
        vec![0x40FF0, 0x40FF4, 0x40FF8, 0x40FFC, 0x77000, 0x77004, 0x77008, 0x7700C]
    );
    assert_eq!(b.snap(0), (0xFFFF, 1));
    assert!(b.devices[0].source.is_empty());
}

#[test]
fn bus_errors_on_reads_and_writes_halt_the_channel_with_the_unit_address() {
    for (read, slverr) in [(true, true), (true, false), (false, true), (false, false)] {
        let cfg = Config::default();
        let bad = (0x41008, 0x4100C);
        let mem = MemConfig {
            latency: 2,
            slverr: if slverr { vec![bad] } else { vec![] },
            decerr: if slverr { vec![] } else { vec![bad] },
            ..Default::default()
        };
        let mut b = Bench::with_memory(cfg, mem, 3);
        b.map(1, 0x41, true);
        let t = if read {
            TransferType::Read
        } else {
            TransferType::Write
        };
        b.program(
            2,
            0x1000,
            15,
            0,
            UnitWidth::Bits32,
            mode(2, t, false, ServiceMode::Block),
        );
        b.devices[2].source = (0..16).collect();
        b.devices[2].dreq = true;
        b.unmask(2);
        b.run(60);
        let want = if slverr {
            FaultCause::SlaveError
        } else {
            FaultCause::DecodeError
        };
        assert_eq!(cause(&mut b, 2), want, "read={read}");
        assert_eq!(b.read(regmap::FAULT_ADDR.at(2)), 0x1008);
        assert_eq!(
            regmap::ch_config::HALTED.get(&cfg, b.read(regmap::CH_CONFIG.at(2))),
            1
        );
        if read {
            // The erroring unit's data is not delivered; units before it are.
            assert!(b.devices[2].sink.len() >= 2);
            assert!(
                b.devices[2].sink.iter().all(|&(v, _)| v == 0),
                "memory is zero"
            );
            assert!(b.devices[2].sink.len() < 16);
        }
        b.run(20);
        assert!(b.bus_idle(), "read={read}: bus idle after the halt");
    }
}

#[test]
fn master_clear_mid_transfer_completes_the_bus_cleanly_and_discards_late_read_data() {
    let cfg = Config::default();
    let mut b = Bench::with_memory(
        cfg,
        MemConfig {
            latency: 16,
            stall: 0.2,
            ..Default::default()
        },
        11,
    );
    for i in 0..cfg.map_registers {
        b.map(i, 0x80 + i as u32, true);
    }
    b.program(
        0,
        0x0000,
        999,
        0,
        UnitWidth::Bits32,
        mode(0, TransferType::Read, true, ServiceMode::Block),
    );
    b.devices[0].dreq = true;
    b.unmask(0);
    b.run(40);
    let issued_before = b.reads().len();
    assert!(issued_before > 5);
    b.write(regmap::MASTER_CLEAR.offset, 0);
    let delivered_at_clear = b.devices[0].sink.len();
    b.run(60);
    assert!(b.bus_idle(), "all outstanding reads answered");
    assert_eq!(
        b.devices[0].sink.len(),
        delivered_at_clear,
        "late data discarded"
    );
    // Units committed before the clear still reach the bus: at most the staged AR queue's
    // slots and input register, and the unit committed in the write's clock.
    let queued = mapdma_hdl::axi_requests::READ_QUEUE_DEPTH + 2;
    assert!(
        b.reads().len() <= issued_before + queued,
        "no new units after the clear: {} then {}",
        issued_before,
        b.reads().len()
    );
    assert_eq!(b.read(regmap::ALL_MASK.offset), 0xFF);
    // The engine works again afterwards.
    b.devices[0].sink.clear();
    b.program(
        0,
        0x0000,
        3,
        0,
        UnitWidth::Bits8,
        mode(0, TransferType::Read, false, ServiceMode::Block),
    );
    b.unmask(0);
    b.run_until(100, |b| b.devices[0].sink.len() == 4);
}

#[test]
fn reset_in_the_middle_of_a_burst_drops_all_valids_and_forgets_outstanding_responses() {
    let cfg = Config::default();
    let mut b = Bench::with_memory(
        cfg,
        MemConfig {
            latency: 8,
            ..Default::default()
        },
        5,
    );
    b.map(0, 0x90, true);
    b.program(
        1,
        0x0000,
        255,
        0,
        UnitWidth::Bits8,
        mode(1, TransferType::Read, false, ServiceMode::Block),
    );
    b.devices[1].dreq = true;
    b.unmask(1);
    b.run(20);
    assert!(b.reads().len() > 4);
    b.reset_system();
    assert!(!b.uut.m_axi_arvalid.val() && !b.uut.m_axi_awvalid.val() && !b.uut.m_axi_wvalid.val());
    assert_eq!(b.read(regmap::ALL_MASK.offset), 0xFF);
    assert_eq!(
        b.read(regmap::MAP.at(0)) >> 31,
        1,
        "map registers survive reset"
    );
    // A fresh transfer after reset sees no stale response tags.
    for i in 0..4u32 {
        b.mem.insert(0x90000 + i, 0x10 + i as u8);
    }
    b.devices[1].sink.clear();
    b.program(
        1,
        0x0000,
        3,
        0,
        UnitWidth::Bits8,
        mode(1, TransferType::Read, false, ServiceMode::Block),
    );
    b.unmask(1);
    b.run_until(100, |b| b.devices[1].sink.len() == 4);
    let got: Vec<u32> = b.devices[1].sink.iter().map(|s| s.0).collect();
    assert_eq!(got, vec![0x10, 0x11, 0x12, 0x13]);
}

#[test]
fn rewriting_a_map_register_mid_transfer_affects_only_later_units() {
    let cfg = Config::default();
    let mut b = Bench::new(cfg);
    b.map(0, 0x50, true);
    b.program(
        0,
        0x0000,
        199,
        0,
        UnitWidth::Bits8,
        mode(0, TransferType::Write, false, ServiceMode::Demand),
    );
    b.devices[0].source = (0..200).collect();
    b.devices[0].dreq = true;
    b.unmask(0);
    b.run(20);
    b.map(0, 0x60, true);
    b.run(20);
    let w = b.writes();
    let first_new = w
        .iter()
        .position(|x| x.0 >> 12 == 0x60)
        .expect("remapped units");
    assert!(first_new > 0);
    assert!(
        w[first_new..].iter().all(|x| x.0 >> 12 == 0x60),
        "no unit goes back to the old frame"
    );
    // Addresses stay sequential across the switch: nothing lost, nothing repeated.
    for (k, x) in w.iter().enumerate() {
        assert_eq!(x.0 & 0xFFF, k as u32);
    }
}
