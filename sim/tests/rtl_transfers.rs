//! Transfers on the rust-hdl engine: types, modes, widths, auto-initialize, translation,
//! priority and EOP, clock by clock. Addresses: logical page i is mapped to physical frame
//! FRAME_BASE + i.

mod common;

use common::rtl::*;
use common::Sys;
use mapdma_regmap::{self as regmap, Config, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi_slave::AxiSlaveConfig;
use mapdma_sim::device::DeviceConfig;
use mapdma_sim::rate::Rate;
use mapdma_sim::ChannelSetup;

/// Every map register pointing at FRAME_BASE + i.
fn bench(cfg: &Config, mem: AxiSlaveConfig, devices: &[(usize, DeviceConfig)]) -> Sys {
    let mut s = rtl(cfg, mem, devices);
    s.map_pages(0, cfg.map_registers, FRAME_BASE, true)
        .expect("map");
    s
}

fn status(s: &mut Sys) -> u32 {
    rd(s, regmap::STATUS.offset)
}

fn gapless(t: &[u64]) -> bool {
    t.windows(2).all(|w| w[1] == w[0] + 1)
}

#[test]
fn block_write_transfer_moves_one_byte_per_clock_and_masks_at_terminal_count() {
    let cfg = Config::default();
    let mut s = bench(
        &cfg,
        AxiSlaveConfig::default(),
        &[(1, hand_source(0xA0, 16))],
    );
    let c = chan(
        1,
        0x0100,
        16,
        UnitWidth::Bits8,
        TransferType::Write,
        ServiceMode::Block,
    );
    program(&mut s, &c);
    s.devices[1].hold_dreq(true);
    unmask(&mut s, 1);
    // Block mode: DREQ is held until the first unit is acknowledged, then may drop.
    run_until(&mut s, 20, "the first unit", |s| {
        s.devices[1].sent_total() > 0
    });
    s.devices[1].hold_dreq(false);
    run_until(&mut s, 200, "the source drained", |s| {
        source_left(s, 1) == 0
    });
    run(&mut s, 10);
    for i in 0..16u32 {
        assert_eq!(mem_read(&s, phys(0x100 + i)), (0xA0 + i) as u8);
    }
    assert_eq!(mem_read(&s, phys(0x110)), 0, "nothing past the last unit");
    // One unit per clock: the device was drained on consecutive clocks.
    let t = taken_at(&s, 1);
    assert!(gapless(&t), "gaps in {t:?}");
    // Terminal count: counter wrapped, channel masked, status TC set and cleared by the read.
    assert_eq!(snap(&mut s, 1), (0xFFFF, 1));
    assert_eq!(rd(&mut s, regmap::SNAP_ADDR.at(1)), 0x0110);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset) & 2, 2);
    assert_eq!(status(&mut s) & 0xF, 0b0010);
    assert_eq!(status(&mut s) & 0xF, 0);
    assert_eq!(s.devices[1].eop_out().len(), 1);
    assert_eq!(rd(&mut s, regmap::INT_STATUS.offset), 0b0010);
    assert_eq!(writes(&s).len(), 16);
    for (k, (addr, data, strb)) in writes(&s).into_iter().enumerate() {
        assert_eq!(addr, phys(0x100 + k as u32));
        assert_eq!(strb, 1 << (addr & 3));
        assert_eq!((data >> (8 * (addr & 3))) & 0xFF, 0xA0 + k as u32);
    }
}

#[test]
fn block_read_transfer_delivers_32_bit_units_in_order_with_last_marked() {
    let cfg = Config::default();
    let mut s = bench(&cfg, AxiSlaveConfig::default(), &[]);
    for i in 0..64u32 {
        mem_write(&mut s, phys(0x2000 + i), i as u8);
    }
    let c = chan(
        0,
        0x2000,
        16,
        UnitWidth::Bits32,
        TransferType::Read,
        ServiceMode::Block,
    );
    program(&mut s, &c);
    wr(&mut s, regmap::REQUEST.offset, 0b100); // software request starts it
    unmask(&mut s, 0);
    run_until(&mut s, 300, "16 units delivered", |s| {
        s.devices[0].received().len() == 16
    });
    for (k, &(v, last)) in sink(&s, 0).iter().enumerate() {
        let k = k as u32;
        let want = (4 * k) | (4 * k + 1) << 8 | (4 * k + 2) << 16 | (4 * k + 3) << 24;
        assert_eq!(v, want, "unit {k}");
        assert_eq!(last, k == 15);
    }
    assert!(reads(&s).iter().all(|a| a % 4 == 0));
    assert_eq!(snap(&mut s, 0), (0xFFFF, 1));
    // The software request is cleared at terminal count.
    assert_eq!(
        regmap::ch_config::SW_REQUEST.get(&cfg, rd(&mut s, regmap::CH_CONFIG.at(0))),
        0
    );
}

#[test]
fn sixteen_bit_units_decrementing_cross_a_page_boundary_through_the_map() {
    let cfg = Config::default();
    let mut s = rtl(
        &cfg,
        AxiSlaveConfig::default(),
        &[(2, hand_source(0xBEE0, 8))],
    );
    // Logical pages 1 and 2 go to scattered frames.
    map(&mut s, 1, 0x311, true);
    map(&mut s, 2, 0x155, true);
    let c = ChannelSetup {
        decrement: true,
        ..chan(
            2,
            0x2004,
            8,
            UnitWidth::Bits16,
            TransferType::Write,
            ServiceMode::Demand,
        )
    };
    program(&mut s, &c);
    s.devices[2].hold_dreq(true);
    unmask(&mut s, 2);
    run_until(&mut s, 200, "the source drained", |s| {
        source_left(s, 2) == 0
    });
    run(&mut s, 8);
    let w = writes(&s);
    let expect_logical: Vec<u32> = (0..8u32).map(|i| 0x2004 - 2 * i).collect();
    for (k, l) in expect_logical.iter().enumerate() {
        let frame = if l >> 12 == 2 { 0x155 } else { 0x311 };
        assert_eq!(w[k].0, (frame << 12) | (l & 0xFFF), "unit {k}");
        assert_eq!(w[k].2, 0b11 << (l & 2));
        assert_eq!((w[k].1 >> (8 * (l & 2))) & 0xFFFF, 0xBEE0 + k as u32);
    }
}

#[test]
fn auto_initialize_reloads_in_the_same_clock_with_zero_idle_clocks_over_several_passes() {
    let cfg = Config::default();
    let units = 8u32;
    let passes = 4;
    let dev = hand_source(0, (units * passes) as u64);
    let mut s = bench(&cfg, AxiSlaveConfig::default(), &[(3, dev)]);
    let c = ChannelSetup {
        autoinit: true,
        ..chan(
            3,
            0x0400,
            units,
            UnitWidth::Bits32,
            TransferType::Write,
            ServiceMode::Block,
        )
    };
    program(&mut s, &c);
    s.devices[3].hold_dreq(true);
    unmask(&mut s, 3);
    run_until(&mut s, 500, "the source drained", |s| {
        source_left(s, 3) == 0
    });
    run(&mut s, 6);
    // Every unit on a consecutive clock, across all wraps.
    let t = taken_at(&s, 3);
    assert_eq!(t.len() as u32, units * passes);
    assert!(gapless(&t), "idle clocks at a wrap: {t:?}");
    // Addresses wrap to base after every terminal count; the last pass's data is in memory.
    for (k, &(addr, _, _)) in writes(&s).iter().enumerate() {
        assert_eq!(addr, phys(0x400 + 4 * (k as u32 % units)));
    }
    for i in 0..units {
        let v = s.memory.memory.read_u32(phys(0x400 + 4 * i) as u64);
        assert_eq!(v, (passes - 1) * units + i);
    }
    // Still unmasked, counters reloaded, pass counter = passes, one EOP pulse per pass.
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset) & 8, 0);
    assert_eq!(snap(&mut s, 3), ((units - 1) as u16, passes as u16));
    assert_eq!(s.devices[3].eop_out().len() as u32, passes);
}

#[test]
fn a_switch_to_another_channel_costs_one_idle_clock() {
    // Channels 0 and 2 both request block services of 4 units; fixed priority serves channel 0
    // first. At channel 0's terminal count the engine hands over to channel 2 with one idle
    // clock (DESIGN §6): the pick is made in the terminal-count unit's commit clock.
    let cfg = Config::default();
    let devs = [(0, hand_source(0, 4)), (2, hand_source(2 << 8, 4))];
    let mut s = bench(&cfg, AxiSlaveConfig::default(), &devs);
    for ch in [0usize, 2] {
        let logical = 0x1000 * ch as u32;
        let c = chan(
            ch,
            logical,
            4,
            UnitWidth::Bits32,
            TransferType::Write,
            ServiceMode::Block,
        );
        program(&mut s, &c);
        s.devices[ch].hold_dreq(true);
    }
    wr(&mut s, regmap::CLEAR_MASK.offset, 0);
    run_until(&mut s, 200, "channel 2 drained", |s| source_left(s, 2) == 0);
    let t0 = taken_at(&s, 0);
    let t2 = taken_at(&s, 2);
    assert_eq!((t0.len(), t2.len()), (4, 4));
    assert!(gapless(&t0), "{t0:?}");
    assert!(gapless(&t2), "{t2:?}");
    assert_eq!(
        t2[0],
        t0[3] + 2,
        "one idle clock between channel 0's last unit and channel 2's first: {t0:?} {t2:?}"
    );
}

#[test]
fn verify_transfers_count_without_touching_memory() {
    let cfg = Config::default();
    let mut s = bench(&cfg, AxiSlaveConfig::default(), &[]);
    let c = chan(
        0,
        0,
        10,
        UnitWidth::Bits8,
        TransferType::Verify,
        ServiceMode::Block,
    );
    program(&mut s, &c);
    wr(&mut s, regmap::REQUEST.offset, 0b100);
    unmask(&mut s, 0);
    run(&mut s, 30);
    assert!(s.memory.log().is_empty());
    assert_eq!(snap(&mut s, 0), (0xFFFF, 1));
    assert_eq!(rd(&mut s, regmap::SNAP_ADDR.at(0)), 10);
}

#[test]
fn single_mode_moves_one_unit_per_request_and_demand_mode_stops_when_dreq_drops() {
    let cfg = Config::default();
    let mut s = bench(&cfg, AxiSlaveConfig::default(), &[(0, hand_source(0, 100))]);
    let c = chan(
        0,
        0,
        100,
        UnitWidth::Bits8,
        TransferType::Write,
        ServiceMode::Demand,
    );
    program(&mut s, &c);
    unmask(&mut s, 0);
    s.devices[0].hold_dreq(true);
    run(&mut s, 5);
    s.devices[0].hold_dreq(false);
    run(&mut s, 10);
    let moved = s.devices[0].sent_total();
    assert!((3..=6).contains(&moved), "demand moved {moved}");
    run(&mut s, 20);
    assert_eq!(
        s.devices[0].sent_total(),
        moved,
        "no units without DREQ in demand mode"
    );
    assert_eq!(snap(&mut s, 0).0 as u64, 99 - moved);
}

#[test]
fn fixed_priority_serves_channel_zero_first_and_rotating_priority_alternates() {
    for rotating in [false, true] {
        let cfg = Config::default();
        let devs = [(0, hand_source(0, 4)), (1, hand_source(1 << 4, 4))];
        let mut s = bench(&cfg, AxiSlaveConfig::default(), &devs);
        if rotating {
            let v = regmap::command::ROTATING.put(&cfg, 1);
            wr(&mut s, regmap::COMMAND.offset, v);
        }
        for ch in 0..2 {
            let logical = 0x1000 * ch as u32;
            let c = chan(
                ch,
                logical,
                4,
                UnitWidth::Bits8,
                TransferType::Write,
                ServiceMode::Single,
            );
            program(&mut s, &c);
            s.devices[ch].hold_dreq(true);
        }
        wr(&mut s, regmap::CLEAR_MASK.offset, 0);
        run(&mut s, 40);
        let order: Vec<u32> = writes(&s).iter().map(|w| w.0 >> 12 & 1).collect();
        if rotating {
            assert_eq!(order, vec![0, 1, 0, 1, 0, 1, 0, 1], "rotating");
        } else {
            assert_eq!(order, vec![0, 0, 0, 0, 1, 1, 1, 1], "fixed");
        }
    }
}

#[test]
fn external_eop_ends_the_service_like_terminal_count() {
    let cfg = Config::default();
    let mut s = bench(
        &cfg,
        AxiSlaveConfig::default(),
        &[(1, hand_source(0, 1000))],
    );
    let c = ChannelSetup {
        autoinit: true,
        ..chan(
            1,
            0,
            1000,
            UnitWidth::Bits8,
            TransferType::Write,
            ServiceMode::Demand,
        )
    };
    program(&mut s, &c);
    s.devices[1].hold_dreq(true);
    unmask(&mut s, 1);
    run(&mut s, 12);
    s.devices[1].hold_dreq(false);
    run(&mut s, 3);
    let moved = s.devices[1].sent_total();
    s.devices[1].pulse_eop();
    run(&mut s, 4);
    // Auto-initialize: reloaded, pass counted, status TC set, still unmasked.
    assert_eq!(snap(&mut s, 1), (999, 1));
    assert_eq!(status(&mut s) & 0xF, 0b0010);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset) & 2, 0);
    assert!(moved > 0);
}

#[test]
fn memory_latency_and_backpressure_keep_data_exact() {
    let cfg = Config::default();
    for (latency, stall) in [(16, 0.0), (3, 0.3)] {
        let dev = DeviceConfig {
            sink: Some(if stall > 0.0 {
                Rate::Every(3)
            } else {
                Rate::Always
            }),
            ..hand_device()
        };
        let mut s = bench(&cfg, memory(latency, stall, 7), &[(0, dev)]);
        for i in 0..256u32 {
            mem_write(&mut s, phys(0x3000 + i), (i * 7) as u8);
        }
        let c = chan(
            0,
            0x3000,
            64,
            UnitWidth::Bits32,
            TransferType::Read,
            ServiceMode::Block,
        );
        program(&mut s, &c);
        s.devices[0].hold_dreq(true);
        unmask(&mut s, 0);
        run_until(&mut s, 2000, "64 units delivered", |s| {
            s.devices[0].received().len() == 64
        });
        for (k, &(v, _)) in sink(&s, 0).iter().enumerate() {
            let want = (0..4).fold(0u32, |a, j| {
                a | (((4 * k as u32 + j) * 7) & 0xFF) << (8 * j)
            });
            assert_eq!(v, want, "latency {latency} stall {stall} unit {k}");
        }
    }
}

/// Channel 0 programmed for a block transfer of `units` 32-bit units from logical 0, memory
/// answering 16 clocks after it accepts a request, DREQ held, the device offering `units`
/// units; not yet unmasked.
fn latency_16_block(cfg: Config, t: TransferType, units: u32) -> Sys {
    let mut s = rtl(
        &cfg,
        memory(16, 0.0, 1),
        &[(0, hand_source(0, units as u64))],
    );
    map(&mut s, 0, FRAME_BASE, true);
    program(
        &mut s,
        &chan(0, 0, units, UnitWidth::Bits32, t, ServiceMode::Block),
    );
    s.devices[0].hold_dreq(true);
    s
}

#[test]
fn reads_and_writes_stream_one_unit_per_clock_at_memory_latency_16() {
    let cfg = Config::default();
    for t in [TransferType::Read, TransferType::Write] {
        let mut s = latency_16_block(cfg, t, 128);
        unmask(&mut s, 0);
        run(&mut s, 200);
        let cycles = access_cycles(&s, t == TransferType::Read);
        assert_eq!(cycles.len(), 128, "{t:?}");
        assert!(
            gapless(&cycles),
            "{t:?}: the bus was idle between units: {cycles:?}"
        );
    }
}

#[test]
fn the_outstanding_limit_is_honoured() {
    let cfg = Config {
        outstanding: 8,
        ..Config::default()
    };
    let mut s = latency_16_block(cfg, TransferType::Read, 64);
    unmask(&mut s, 0);
    run(&mut s, 200);
    let cycles = access_cycles(&s, true);
    assert_eq!(cycles.len(), 64);
    // Responses come 16 clocks after acceptance: at most 8 requests in any 16-clock window.
    for (k, &c) in cycles.iter().enumerate() {
        let in_window = cycles[k..].iter().take_while(|&&x| x < c + 16).count();
        assert!(
            in_window <= 8,
            "{in_window} reads within 16 clocks from cycle {c}"
        );
    }
    assert_eq!(s.devices[0].received().len(), 64);
}

#[test]
fn cascade_mode_passes_dreq_to_dack_and_moves_nothing_and_dack_polarity_follows_the_command() {
    let cfg = Config::default();
    let mut s = bench(&cfg, AxiSlaveConfig::default(), &[(2, hand_source(0, 10))]);
    let c = chan(
        2,
        0,
        10,
        UnitWidth::Bits8,
        TransferType::Write,
        ServiceMode::Cascade,
    );
    program(&mut s, &c);
    unmask(&mut s, 2);
    // DACK is active low after reset (8237 default): idle reads high.
    run(&mut s, 2);
    assert!(s.dev_out(2).dack, "inactive DACK is high when active low");
    s.devices[2].hold_dreq(true);
    run(&mut s, 3);
    assert!(!s.dev_out(2).dack, "cascade: DACK follows DREQ");
    run(&mut s, 20);
    assert!(s.memory.log().is_empty(), "cascade moves no units");
    assert_eq!(snap(&mut s, 2), (9, 0));
    // DACK sense high: the same request now drives DACK high.
    let v = regmap::command::DACK_HIGH.put(&cfg, 1);
    wr(&mut s, regmap::COMMAND.offset, v);
    run(&mut s, 2);
    assert!(s.dev_out(2).dack);
    s.devices[2].hold_dreq(false);
    run(&mut s, 2);
    assert!(!s.dev_out(2).dack);
}

#[test]
fn controller_disable_stops_new_units_and_masked_channels_never_move() {
    let cfg = Config::default();
    let devs = [(0, hand_source(0, 10)), (1, hand_source(0, 10))];
    let mut s = bench(&cfg, AxiSlaveConfig::default(), &devs);
    let v = regmap::command::DISABLE.put(&cfg, 1);
    wr(&mut s, regmap::COMMAND.offset, v);
    for ch in 0..2 {
        let logical = 0x1000 * ch as u32;
        let c = chan(
            ch,
            logical,
            10,
            UnitWidth::Bits8,
            TransferType::Write,
            ServiceMode::Demand,
        );
        program(&mut s, &c);
        s.devices[ch].hold_dreq(true);
    }
    unmask(&mut s, 0);
    run(&mut s, 20);
    assert!(s.memory.log().is_empty(), "controller disabled");
    wr(&mut s, regmap::COMMAND.offset, 0);
    run(&mut s, 30);
    assert_eq!(
        writes(&s).len(),
        10,
        "channel 0 only: channel 1 is still masked"
    );
    assert!(writes(&s).iter().all(|w| w.0 >> 12 == FRAME_BASE));
    assert_eq!(source_left(&s, 1), 10);
}
