//! Faults and disruptions on the rust-hdl engine: translation faults issue no bus access and are
//! precise; bus errors halt the channel; master clear and reset mid-transfer leave the AXI buses
//! idle and protocol-clean (the system's checkers watch VALID/payload stability every clock).

mod common;

use common::rtl::*;
use common::Sys;
use mapdma_regmap::{self as regmap, Config, FaultCause, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi::Resp;
use mapdma_sim::axi_slave::{Access, AxiSlaveConfig};
use mapdma_sim::axil_master::AxilOp;
use mapdma_sim::ChannelSetup;

fn cause(s: &mut Sys, ch: usize) -> FaultCause {
    let v = rd(s, regmap::FAULT_CAUSE.offset) >> (regmap::FAULT_CAUSE_BITS * ch as u32);
    FaultCause::from_code(v & 0xF).expect("known cause")
}

/// A 32-bit write stream on channel `ch` from logical 0x0FF0 across into page 1 (the device on
/// `ch` must be a source).
fn stream_into_page_one(s: &mut Sys, ch: usize, units: u32) {
    let c = chan(
        ch,
        0x0FF0,
        units,
        UnitWidth::Bits32,
        TransferType::Write,
        ServiceMode::Demand,
    );
    program(s, &c);
    s.devices[ch].hold_dreq(true);
    unmask(s, ch);
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
        let out_of_range = want == FaultCause::OutOfRange;
        let start = if out_of_range { 0 } else { 0x1000 };
        let mut s = rtl(
            &cfg,
            AxiSlaveConfig::default(),
            &[(0, hand_source(start, 8))],
        );
        map(&mut s, 0, 0x40, true);
        if want == FaultCause::ReadOnly {
            map(&mut s, 1, 0x41, false);
        }
        if out_of_range {
            // Page register 1 puts the transfer at logical 0x1_0FF0: page 0x10, beyond 2 entries.
            let c = chan(
                0,
                0x1_0FF0,
                8,
                UnitWidth::Bits32,
                TransferType::Write,
                ServiceMode::Demand,
            );
            program(&mut s, &c);
            s.devices[0].hold_dreq(true);
            unmask(&mut s, 0);
        } else {
            stream_into_page_one(&mut s, 0, 8);
        }
        run(&mut s, 40);
        let good_units = if out_of_range { 0 } else { 4 };
        assert_eq!(
            writes(&s).len(),
            good_units,
            "{what}: only units before the fault reach the bus"
        );
        assert!(s
            .memory
            .log()
            .iter()
            .all(|b| b.access == Access::Write && b.addr >> 12 == 0x40));
        assert_eq!(cause(&mut s, 0), want, "{what}");
        let fault_addr = rd(&mut s, regmap::FAULT_ADDR.at(0));
        let expect = if out_of_range { 0x1_0FF0 } else { 0x1000 };
        assert_eq!(fault_addr, expect, "{what}");
        // Precise: the counters point at the faulting unit; its data was not consumed.
        assert_eq!(snap(&mut s, 0).0, 7 - good_units as u16, "{what}");
        assert_eq!(source_left(&s, 0), 8 - good_units as u64, "{what}");
        assert_eq!(
            regmap::ch_config::HALTED.get(&cfg, rd(&mut s, regmap::CH_CONFIG.at(0))),
            1
        );
        assert_eq!(rd(&mut s, regmap::INT_STATUS.offset), 1 << 8);
        assert!(s.irq.level(), "{what}: fault interrupt enabled at reset");
    }
}

#[test]
fn clearing_the_fault_after_repairing_the_map_resumes_where_it_stopped() {
    let cfg = Config::default();
    let mut s = rtl(
        &cfg,
        AxiSlaveConfig::default(),
        &[(0, hand_source(0x1000, 8))],
    );
    map(&mut s, 0, 0x40, true);
    stream_into_page_one(&mut s, 0, 8);
    run(&mut s, 30);
    assert_eq!(cause(&mut s, 0), FaultCause::Invalid);
    map(&mut s, 1, 0x77, true);
    wr(&mut s, regmap::INT_STATUS.offset, 1 << 8);
    assert_eq!(cause(&mut s, 0), FaultCause::None);
    assert_eq!(
        rd(&mut s, regmap::FAULT_ADDR.at(0)),
        0,
        "clearing the fault clears its address"
    );
    run(&mut s, 30);
    let w: Vec<u32> = writes(&s).iter().map(|w| w.0).collect();
    assert_eq!(
        w,
        vec![0x40FF0, 0x40FF4, 0x40FF8, 0x40FFC, 0x77000, 0x77004, 0x77008, 0x7700C]
    );
    assert_eq!(snap(&mut s, 0), (0xFFFF, 1));
    assert_eq!(source_left(&s, 0), 0);
}

#[test]
fn bus_errors_on_reads_and_writes_halt_the_channel_with_the_unit_address() {
    for (read, slverr) in [(true, true), (true, false), (false, true), (false, false)] {
        let cfg = Config::default();
        let resp = if slverr { Resp::SlvErr } else { Resp::DecErr };
        let mem = AxiSlaveConfig {
            error_ranges: vec![error_range(0x41008..0x4100C, resp)],
            ..memory(2, 0.0, 3)
        };
        let mut s = rtl(&cfg, mem, &[(2, hand_source(0, 16))]);
        map(&mut s, 1, 0x41, true);
        let t = if read {
            TransferType::Read
        } else {
            TransferType::Write
        };
        program(
            &mut s,
            &chan(2, 0x1000, 16, UnitWidth::Bits32, t, ServiceMode::Block),
        );
        s.devices[2].hold_dreq(true);
        unmask(&mut s, 2);
        run(&mut s, 60);
        let want = if slverr {
            FaultCause::SlaveError
        } else {
            FaultCause::DecodeError
        };
        assert_eq!(cause(&mut s, 2), want, "read={read}");
        assert_eq!(rd(&mut s, regmap::FAULT_ADDR.at(2)), 0x1008);
        assert_eq!(
            regmap::ch_config::HALTED.get(&cfg, rd(&mut s, regmap::CH_CONFIG.at(2))),
            1
        );
        if read {
            // The erroring unit's data is not delivered; units before it are.
            let got = sink(&s, 2);
            assert!(got.len() >= 2);
            assert!(got.iter().all(|&(v, _)| v == 0), "memory is zero");
            assert!(got.len() < 16);
        }
        run(&mut s, 20);
        assert!(s.memory_bus_idle(), "read={read}: bus idle after the halt");
    }
}

#[test]
fn master_clear_mid_transfer_completes_the_bus_cleanly_and_discards_late_read_data() {
    let cfg = Config::default();
    let mut s = rtl(&cfg, memory(16, 0.2, 11), &[]);
    s.map_pages(0, cfg.map_registers, 0x80, true).unwrap();
    let c = ChannelSetup {
        autoinit: true,
        ..chan(
            0,
            0,
            1000,
            UnitWidth::Bits32,
            TransferType::Read,
            ServiceMode::Block,
        )
    };
    program(&mut s, &c);
    s.devices[0].hold_dreq(true);
    unmask(&mut s, 0);
    run(&mut s, 40);
    // The register master drives an access from the clock after the one it is queued in:
    // count the reads issued up to then.
    let clear = AxilOp::Write {
        addr: regmap::MASTER_CLEAR.offset,
        data: 0,
        strb: 0xF,
    };
    s.axil.push(clear);
    step(&mut s);
    let issued_before = reads(&s).len();
    assert!(issued_before > 5);
    run_until(&mut s, 100, "the master clear written", |s| s.axil.idle());
    assert_eq!(s.axil.pop_done().map(|d| d.resp), Some(Resp::Okay));
    let delivered_at_clear = s.devices[0].received().len();
    run(&mut s, 60);
    assert!(s.memory_bus_idle(), "all outstanding reads answered");
    assert_eq!(
        s.devices[0].received().len(),
        delivered_at_clear,
        "late data discarded"
    );
    // Units committed before the clear still reach the bus: at most the staged AR queue's
    // slots and input register, and the unit committed in the write's clock.
    let queued = mapdma_hdl::axi_requests::READ_QUEUE_DEPTH + 2;
    assert!(
        reads(&s).len() <= issued_before + queued,
        "no new units after the clear: {} then {}",
        issued_before,
        reads(&s).len()
    );
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xFF);
    // The engine works again afterwards.
    let before = s.devices[0].received().len();
    program(
        &mut s,
        &chan(
            0,
            0,
            4,
            UnitWidth::Bits8,
            TransferType::Read,
            ServiceMode::Block,
        ),
    );
    unmask(&mut s, 0);
    run_until(&mut s, 100, "4 more units", |s| {
        s.devices[0].received().len() == before + 4
    });
}

#[test]
fn reset_in_the_middle_of_a_burst_drops_all_valids_and_forgets_outstanding_responses() {
    let cfg = Config::default();
    let mut s = rtl(&cfg, memory(8, 0.0, 5), &[]);
    map(&mut s, 0, 0x90, true);
    let c = chan(
        1,
        0,
        256,
        UnitWidth::Bits8,
        TransferType::Read,
        ServiceMode::Block,
    );
    program(&mut s, &c);
    s.devices[1].hold_dreq(true);
    unmask(&mut s, 1);
    run(&mut s, 20);
    assert!(reads(&s).len() > 4);
    // System reset: the design and the memory (sharing the reset, as on a real interconnect)
    // both forget in-flight work.
    s.reset(2).unwrap();
    step(&mut s);
    let m = s.m_axi();
    assert!(!m.arvalid && !m.awvalid && !m.wvalid);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xFF);
    assert_eq!(
        rd(&mut s, regmap::MAP.at(0)) >> 31,
        1,
        "map registers survive reset"
    );
    // A fresh transfer after reset sees no stale response tags.
    for i in 0..4u32 {
        mem_write(&mut s, 0x90000 + i, 0x10 + i as u8);
    }
    let before = s.devices[1].received().len();
    program(
        &mut s,
        &chan(
            1,
            0,
            4,
            UnitWidth::Bits8,
            TransferType::Read,
            ServiceMode::Block,
        ),
    );
    unmask(&mut s, 1);
    run_until(&mut s, 100, "4 units after reset", |s| {
        s.devices[1].received().len() == before + 4
    });
    let got: Vec<u32> = sink(&s, 1)[before..].iter().map(|r| r.0).collect();
    assert_eq!(got, vec![0x10, 0x11, 0x12, 0x13]);
}

#[test]
fn rewriting_a_map_register_mid_transfer_affects_only_later_units() {
    let cfg = Config::default();
    let mut s = rtl(&cfg, AxiSlaveConfig::default(), &[(0, hand_source(0, 200))]);
    map(&mut s, 0, 0x50, true);
    let c = chan(
        0,
        0,
        200,
        UnitWidth::Bits8,
        TransferType::Write,
        ServiceMode::Demand,
    );
    program(&mut s, &c);
    s.devices[0].hold_dreq(true);
    unmask(&mut s, 0);
    run(&mut s, 20);
    map(&mut s, 0, 0x60, true);
    run(&mut s, 20);
    let w = writes(&s);
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
