//! Transfers in the rust-hdl simulator: types, modes, widths, auto-initialize, translation,
//! priority and EOP. Addresses: logical page i is mapped to physical frame FRAME_BASE + i.

mod common;

use common::{Bench, MemConfig};
use mapdma_hdl::regmap::{self, Config, ServiceMode, TransferType, UnitWidth};

const FRAME_BASE: u32 = 0x80;

fn phys(logical: u32) -> u32 {
    ((FRAME_BASE + (logical >> 12)) << 12) | (logical & 0xFFF)
}

fn bench(cfg: Config) -> Bench {
    let mut b = Bench::new(cfg);
    for i in 0..cfg.map_registers {
        b.map(i, FRAME_BASE + i as u32, true);
    }
    b
}

fn mode(ch: usize, t: TransferType, auto: bool, dec: bool, m: ServiceMode) -> u8 {
    regmap::mode_byte(ch, t, auto, dec, m)
}

fn status(b: &mut Bench) -> u32 {
    b.read(regmap::STATUS.offset)
}

#[test]
fn block_write_transfer_moves_one_byte_per_clock_and_masks_at_terminal_count() {
    let cfg = Config::default();
    let mut b = bench(cfg);
    b.program(
        1,
        0x0100,
        15,
        0,
        UnitWidth::Bits8,
        mode(1, TransferType::Write, false, false, ServiceMode::Block),
    );
    b.devices[1].source = (0..16u32).map(|i| 0xA0 + i).collect();
    b.devices[1].dreq = true;
    b.unmask(1);
    // Block mode: DREQ is held until the first unit is acknowledged, then may drop.
    b.run_until(20, |b| !b.devices[1].taken_at.is_empty());
    b.devices[1].dreq = false;
    b.run_until(200, |b| b.devices[1].source.is_empty());
    b.run(10);
    for i in 0..16u32 {
        assert_eq!(b.mem_read(phys(0x100 + i)), (0xA0 + i) as u8);
    }
    assert_eq!(b.mem_read(phys(0x110)), 0, "nothing past the last unit");
    // One unit per clock: the device was drained on consecutive clocks.
    let t = &b.devices[1].taken_at;
    assert!(t.windows(2).all(|w| w[1] == w[0] + 1), "gaps in {t:?}");
    // Terminal count: counter wrapped, channel masked, status TC set and cleared by the read.
    assert_eq!(b.snap(1), (0xFFFF, 1));
    assert_eq!(b.read(regmap::SNAP_ADDR.at(1)), 0x0110);
    assert_eq!(b.read(regmap::ALL_MASK.offset) & 2, 2);
    assert_eq!(status(&mut b) & 0xF, 0b0010);
    assert_eq!(status(&mut b) & 0xF, 0);
    assert_eq!(b.devices[1].eop_out_pulses.len(), 1);
    assert_eq!(b.read(regmap::INT_STATUS.offset), 0b0010);
    assert_eq!(b.writes().len(), 16);
    for (k, (addr, data, strb)) in b.writes().into_iter().enumerate() {
        assert_eq!(addr, phys(0x100 + k as u32));
        assert_eq!(strb, 1 << (addr & 3));
        assert_eq!((data >> (8 * (addr & 3))) & 0xFF, 0xA0 + k as u32);
    }
}

#[test]
fn block_read_transfer_delivers_32_bit_units_in_order_with_last_marked() {
    let cfg = Config::default();
    let mut b = bench(cfg);
    for i in 0..64u32 {
        b.mem.insert(phys(0x2000 + i), i as u8);
    }
    b.program(
        0,
        0x2000,
        15,
        0,
        UnitWidth::Bits32,
        mode(0, TransferType::Read, false, false, ServiceMode::Block),
    );
    b.write(regmap::REQUEST.offset, 0b100); // software request starts it
    b.unmask(0);
    b.run_until(300, |b| b.devices[0].sink.len() == 16);
    let sink = &b.devices[0].sink;
    for (k, &(v, last)) in sink.iter().enumerate() {
        let k = k as u32;
        let want = (4 * k) | (4 * k + 1) << 8 | (4 * k + 2) << 16 | (4 * k + 3) << 24;
        assert_eq!(v, want, "unit {k}");
        assert_eq!(last, k == 15);
    }
    assert!(b.reads().iter().all(|a| a % 4 == 0));
    assert_eq!(b.snap(0), (0xFFFF, 1));
    // The software request is cleared at terminal count.
    assert_eq!(
        regmap::ch_config::SW_REQUEST.get(&cfg, b.read(regmap::CH_CONFIG.at(0))),
        0
    );
}

#[test]
fn sixteen_bit_units_decrementing_cross_a_page_boundary_through_the_map() {
    let cfg = Config::default();
    let mut b = Bench::new(cfg);
    // Logical pages 1 and 2 go to scattered frames.
    b.map(1, 0x311, true);
    b.map(2, 0x155, true);
    let src: Vec<u32> = (0..8u32).map(|i| 0xBEE0 + i).collect();
    b.program(
        2,
        0x2004,
        7,
        0,
        UnitWidth::Bits16,
        mode(2, TransferType::Write, false, true, ServiceMode::Demand),
    );
    b.devices[2].source = src.iter().copied().collect();
    b.devices[2].dreq = true;
    b.unmask(2);
    b.run_until(200, |b| b.devices[2].source.is_empty());
    b.run(8);
    let w = b.writes();
    let expect_logical: Vec<u32> = (0..8u32).map(|i| 0x2004 - 2 * i).collect();
    for (k, l) in expect_logical.iter().enumerate() {
        let frame = if l >> 12 == 2 { 0x155 } else { 0x311 };
        assert_eq!(w[k].0, (frame << 12) | (l & 0xFFF), "unit {k}");
        assert_eq!(w[k].2, 0b11 << (l & 2));
        assert_eq!((w[k].1 >> (8 * (l & 2))) & 0xFFFF, src[k]);
    }
}

#[test]
fn auto_initialize_reloads_in_the_same_clock_with_zero_idle_clocks_over_several_passes() {
    let cfg = Config::default();
    let mut b = bench(cfg);
    let units = 8u32;
    let passes = 4;
    b.program(
        3,
        0x0400,
        (units - 1) as u16,
        0,
        UnitWidth::Bits32,
        mode(3, TransferType::Write, true, false, ServiceMode::Block),
    );
    b.devices[3].source = (0..units * passes).collect();
    b.devices[3].dreq = true;
    b.unmask(3);
    b.run_until(500, |b| b.devices[3].source.is_empty());
    b.run(6);
    // Every unit on a consecutive clock, across all wraps.
    let t = &b.devices[3].taken_at;
    assert_eq!(t.len() as u32, units * passes);
    assert!(
        t.windows(2).all(|w| w[1] == w[0] + 1),
        "idle clocks at a wrap: {t:?}"
    );
    // Addresses wrap to base after every terminal count; the last pass's data is in memory.
    let w = b.writes();
    for (k, &(addr, _, _)) in w.iter().enumerate() {
        assert_eq!(addr, phys(0x400 + 4 * (k as u32 % units)));
    }
    for i in 0..units {
        let v = (0..4).fold(0u32, |a, j| {
            a | (b.mem_read(phys(0x400 + 4 * i + j)) as u32) << (8 * j)
        });
        assert_eq!(v, (passes - 1) * units + i);
    }
    // Still unmasked, counters reloaded, pass counter = passes, one EOP pulse per pass.
    assert_eq!(b.read(regmap::ALL_MASK.offset) & 8, 0);
    assert_eq!(b.snap(3), ((units - 1) as u16, passes as u16));
    assert_eq!(b.devices[3].eop_out_pulses.len() as u32, passes);
}

#[test]
fn a_switch_to_another_channel_costs_one_idle_clock() {
    // Channels 0 and 2 both request block services of 4 units; fixed priority serves channel 0
    // first. At channel 0's terminal count the engine hands over to channel 2 with one idle
    // clock (DESIGN §6): the pick is made in the terminal-count unit's commit clock.
    let cfg = Config::default();
    let mut b = bench(cfg);
    for ch in [0usize, 2] {
        b.program(
            ch,
            0x1000 * ch as u16,
            3,
            0,
            UnitWidth::Bits32,
            mode(ch, TransferType::Write, false, false, ServiceMode::Block),
        );
        b.devices[ch].source = (0..4u32).map(|i| (ch as u32) << 8 | i).collect();
        b.devices[ch].dreq = true;
    }
    b.write(regmap::CLEAR_MASK.offset, 0);
    b.run_until(200, |b| b.devices[2].source.is_empty());
    let t0 = &b.devices[0].taken_at;
    let t2 = &b.devices[2].taken_at;
    assert_eq!((t0.len(), t2.len()), (4, 4));
    assert!(t0.windows(2).all(|w| w[1] == w[0] + 1), "{t0:?}");
    assert!(t2.windows(2).all(|w| w[1] == w[0] + 1), "{t2:?}");
    assert_eq!(
        t2[0],
        t0[3] + 2,
        "one idle clock between channel 0's last unit and channel 2's first: {t0:?} {t2:?}"
    );
}

#[test]
fn verify_transfers_count_without_touching_memory() {
    let cfg = Config::default();
    let mut b = bench(cfg);
    b.program(
        0,
        0x0000,
        9,
        0,
        UnitWidth::Bits8,
        mode(0, TransferType::Verify, false, false, ServiceMode::Block),
    );
    b.write(regmap::REQUEST.offset, 0b100);
    b.unmask(0);
    b.run(30);
    assert!(b.accesses.is_empty());
    assert_eq!(b.snap(0), (0xFFFF, 1));
    assert_eq!(b.read(regmap::SNAP_ADDR.at(0)), 10);
}

#[test]
fn single_mode_moves_one_unit_per_request_and_demand_mode_stops_when_dreq_drops() {
    let cfg = Config::default();
    let mut b = bench(cfg);
    b.program(
        0,
        0x0000,
        99,
        0,
        UnitWidth::Bits8,
        mode(0, TransferType::Write, false, false, ServiceMode::Demand),
    );
    b.devices[0].source = (0..100).collect();
    b.unmask(0);
    b.devices[0].dreq = true;
    b.run(5);
    b.devices[0].dreq = false;
    b.run(10);
    let moved = b.devices[0].taken_at.len();
    assert!((3..=6).contains(&moved), "demand moved {moved}");
    b.run(20);
    assert_eq!(
        b.devices[0].taken_at.len(),
        moved,
        "no units without DREQ in demand mode"
    );
    assert_eq!(b.snap(0).0 as usize, 99 - moved);
}

#[test]
fn fixed_priority_serves_channel_zero_first_and_rotating_priority_alternates() {
    for rotating in [false, true] {
        let cfg = Config::default();
        let mut b = bench(cfg);
        if rotating {
            b.write(
                regmap::COMMAND.offset,
                regmap::command::ROTATING.put(&cfg, 1),
            );
        }
        for ch in 0..2 {
            b.program(
                ch,
                0x1000 * ch as u16,
                3,
                0,
                UnitWidth::Bits8,
                mode(ch, TransferType::Write, false, false, ServiceMode::Single),
            );
            b.devices[ch].source = (0..4).map(|i| (ch as u32) << 4 | i).collect();
            b.devices[ch].dreq = true;
        }
        b.write(regmap::CLEAR_MASK.offset, 0);
        b.run(40);
        let order: Vec<u32> = b.writes().iter().map(|w| w.0 >> 12 & 1).collect();
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
    let mut b = bench(cfg);
    b.program(
        1,
        0x0000,
        999,
        0,
        UnitWidth::Bits8,
        mode(1, TransferType::Write, true, false, ServiceMode::Demand),
    );
    b.devices[1].source = (0..1000).collect();
    b.devices[1].dreq = true;
    b.unmask(1);
    b.run(12);
    b.devices[1].dreq = false;
    b.run(3);
    let moved = b.devices[1].taken_at.len();
    b.devices[1].eop_in = true;
    b.step();
    b.devices[1].eop_in = false;
    b.run(3);
    // Auto-initialize: reloaded, pass counted, status TC set, still unmasked.
    assert_eq!(b.snap(1), (999, 1));
    assert_eq!(status(&mut b) & 0xF, 0b0010);
    assert_eq!(b.read(regmap::ALL_MASK.offset) & 2, 0);
    assert!(moved > 0);
}

#[test]
fn memory_latency_and_backpressure_keep_data_exact() {
    let cfg = Config::default();
    for (latency, stall) in [(16, 0.0), (3, 0.3)] {
        let mut b = Bench::with_memory(
            cfg,
            MemConfig {
                latency,
                stall,
                ..Default::default()
            },
            7,
        );
        for i in 0..cfg.map_registers {
            b.map(i, FRAME_BASE + i as u32, true);
        }
        for i in 0..256u32 {
            b.mem.insert(phys(0x3000 + i), (i * 7) as u8);
        }
        b.program(
            0,
            0x3000,
            63,
            0,
            UnitWidth::Bits32,
            mode(0, TransferType::Read, false, false, ServiceMode::Block),
        );
        b.devices[0].dreq = true;
        b.devices[0].sink_every = if stall > 0.0 { 3 } else { 0 };
        b.unmask(0);
        b.run_until(2000, |b| b.devices[0].sink.len() == 64);
        for (k, &(v, _)) in b.devices[0].sink.iter().enumerate() {
            let want = (0..4).fold(0u32, |a, j| {
                a | (((4 * k as u32 + j) * 7) & 0xFF) << (8 * j)
            });
            assert_eq!(v, want, "latency {latency} stall {stall} unit {k}");
        }
    }
}

/// Channel 0 programmed for a block transfer of `units` 32-bit units from logical 0, memory
/// answering 16 clocks after it accepts a request, DREQ held; not yet unmasked.
fn latency_16_block(cfg: Config, t: TransferType, units: u16) -> Bench {
    let mem = MemConfig {
        latency: 16,
        ..Default::default()
    };
    let mut b = Bench::with_memory(cfg, mem, 1);
    b.map(0, FRAME_BASE, true);
    b.program(
        0,
        0x0000,
        units - 1,
        0,
        UnitWidth::Bits32,
        mode(0, t, false, false, ServiceMode::Block),
    );
    b.devices[0].dreq = true;
    b
}

#[test]
fn reads_and_writes_stream_one_unit_per_clock_at_memory_latency_16() {
    let cfg = Config::default();
    for t in [TransferType::Read, TransferType::Write] {
        let mut b = latency_16_block(cfg, t, 128);
        b.devices[0].source = (0..128).collect();
        b.unmask(0);
        b.run(200);
        let cycles = b.access_cycles(t == TransferType::Read);
        assert_eq!(cycles.len(), 128, "{t:?}");
        assert!(
            cycles.windows(2).all(|w| w[1] == w[0] + 1),
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
    let mut b = latency_16_block(cfg, TransferType::Read, 64);
    b.unmask(0);
    b.run(200);
    let cycles = b.access_cycles(true);
    assert_eq!(cycles.len(), 64);
    // Responses come 16 clocks after acceptance: at most 8 requests in any 16-clock window.
    for (k, &c) in cycles.iter().enumerate() {
        let in_window = cycles[k..].iter().take_while(|&&x| x < c + 16).count();
        assert!(
            in_window <= 8,
            "{in_window} reads within 16 clocks from cycle {c}"
        );
    }
    assert_eq!(b.devices[0].sink.len(), 64);
}

#[test]
fn cascade_mode_passes_dreq_to_dack_and_moves_nothing_and_dack_polarity_follows_the_command() {
    let cfg = Config::default();
    let mut b = bench(cfg);
    b.program(
        2,
        0x0000,
        9,
        0,
        UnitWidth::Bits8,
        mode(2, TransferType::Write, false, false, ServiceMode::Cascade),
    );
    b.devices[2].source = (0..10).collect();
    b.unmask(2);
    // DACK is active low after reset (8237 default): idle reads high.
    b.run(2);
    assert!(
        b.uut.dev[2].dack.val(),
        "inactive DACK is high when active low"
    );
    b.devices[2].dreq = true;
    b.run(3);
    assert!(!b.uut.dev[2].dack.val(), "cascade: DACK follows DREQ");
    b.run(20);
    assert!(b.accesses.is_empty(), "cascade moves no units");
    assert_eq!(b.snap(2), (9, 0));
    // DACK sense high: the same request now drives DACK high.
    b.write(
        regmap::COMMAND.offset,
        regmap::command::DACK_HIGH.put(&cfg, 1),
    );
    b.run(2);
    assert!(b.uut.dev[2].dack.val());
    b.devices[2].dreq = false;
    b.run(2);
    assert!(!b.uut.dev[2].dack.val());
}

#[test]
fn controller_disable_stops_new_units_and_masked_channels_never_move() {
    let cfg = Config::default();
    let mut b = bench(cfg);
    b.write(
        regmap::COMMAND.offset,
        regmap::command::DISABLE.put(&cfg, 1),
    );
    b.program(
        0,
        0x0000,
        9,
        0,
        UnitWidth::Bits8,
        mode(0, TransferType::Write, false, false, ServiceMode::Demand),
    );
    b.program(
        1,
        0x1000,
        9,
        0,
        UnitWidth::Bits8,
        mode(1, TransferType::Write, false, false, ServiceMode::Demand),
    );
    for ch in 0..2 {
        b.devices[ch].source = (0..10).collect();
        b.devices[ch].dreq = true;
    }
    b.unmask(0);
    b.run(20);
    assert!(b.accesses.is_empty(), "controller disabled");
    b.write(regmap::COMMAND.offset, 0);
    b.run(30);
    assert_eq!(
        b.writes().len(),
        10,
        "channel 0 only: channel 1 is still masked"
    );
    assert!(b.writes().iter().all(|w| w.0 >> 12 == FRAME_BASE));
    assert_eq!(b.devices[1].source.len(), 10);
}
