//! 8237A conformance on the Verilator model: behaviours a register-compatible driver or device
//! relies on, each found missing by a side-by-side run against an 8237 core.

mod common;

use common::*;
use mapdma_regmap as rm;
use mapdma_regmap::{Config, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::device::{DeviceConfig, DreqMode, DreqTiming};
use mapdma_sim::rate::Rate;
use mapdma_sim::ChannelSetup;

/// Both legal device reactions to DACK.
const TIMINGS: [DreqTiming; 2] = [DreqTiming::InDackClock, DreqTiming::ClockAfterDack];

/// Reads a 16-bit address or count port through the byte-pointer flip-flop (LSB first).
fn read_word(s: &mut Sys, offset: u32) -> u16 {
    s.axil_write(rm::CLEAR_FLIP_FLOP.offset, 0).unwrap();
    let lo = s.axil_read(offset).unwrap() & 0xFF;
    let hi = s.axil_read(offset).unwrap() & 0xFF;
    (hi << 8 | lo) as u16
}

/// Writes only the LSB of an address or count port.
fn write_lsb(s: &mut Sys, offset: u32, byte: u8) {
    s.axil_write(rm::CLEAR_FLIP_FLOP.offset, 0).unwrap();
    s.write_port(offset, byte).unwrap();
}

/// A write-transfer source device that wants `units` units in `mode`.
fn source(units: u64, mode: ServiceMode, timing: DreqTiming) -> DeviceConfig {
    DeviceConfig {
        dreq_timing: timing,
        ..DeviceConfig::source(Rate::Always, Some(units), mode)
    }
}

fn channel(ch: usize, logical: u32, units: u32, mode: ServiceMode) -> ChannelSetup {
    ChannelSetup {
        logical,
        ..setup(
            ch,
            units,
            UnitWidth::Bits8,
            TransferType::Write,
            false,
            mode,
        )
    }
}

/// A bench with `devices` on channels 0.., logical pages 0..4 mapped writable.
fn bench(devices: Vec<DeviceConfig>) -> (Config, Sys) {
    let cfg = Config::default();
    let mut sys = base_config();
    sys.devices = devices;
    let mut s = verilator(&cfg, sys);
    let base = phys(&cfg, 0);
    s.memory.permissions.allow(base..base + 4 * cfg.page_size());
    s.map_pages(0, 4, FRAME, true).unwrap();
    (cfg, s)
}

#[test]
fn a_single_unit_moves_when_dreq_falls_in_the_dack_clock_and_dack_shows_once() {
    for timing in TIMINGS {
        let idle = DeviceConfig::default();
        let (cfg, mut s) = bench(vec![idle, source(1, ServiceMode::Single, timing)]);
        s.program_channel(&channel(1, 0x1000, 5, ServiceMode::Single))
            .unwrap();
        s.set_mask(1, false).unwrap();
        s.run(100).unwrap();

        assert_eq!(s.devices[1].sent_total(), 1, "{timing:?}: the unit moved");
        assert_eq!(
            s.devices[1].dack_cycles(),
            1,
            "{timing:?}: DACK active for exactly the one unit"
        );
        assert_eq!(read_word(&mut s, rm::DMA_ADDR.at(1)), 0x1001, "{timing:?}");
        assert_eq!(read_word(&mut s, rm::DMA_COUNT.at(1)), 0x0003, "{timing:?}");
        let value = s.devices[1].sent()[0].1 as u8;
        assert_eq!(s.memory.memory.read_u8(phys(&cfg, 0x1000)), value);
    }
}

#[test]
fn single_mode_with_dreq_held_moves_one_unit_per_request_cycle() {
    for timing in TIMINGS {
        let (_, mut s) = bench(vec![source(8, ServiceMode::Single, timing)]);
        s.program_channel(&channel(0, 0, 8, ServiceMode::Single))
            .unwrap();
        s.set_mask(0, false).unwrap();
        s.run(100).unwrap();
        assert_eq!(s.devices[0].sent_total(), 8, "{timing:?}");
        assert_eq!(
            s.devices[0].dack_cycles(),
            8,
            "{timing:?}: one DACK clock per unit, never a DACK without a unit"
        );
        // Single mode releases the engine after every unit: no two units back to back.
        let clocks: Vec<u64> = s.devices[0].sent().iter().map(|&(c, _)| c).collect();
        assert!(
            clocks.windows(2).all(|w| w[1] - w[0] >= 2),
            "{timing:?}: {clocks:?}"
        );
    }
}

#[test]
fn a_single_byte_count_write_keeps_the_current_counters_other_byte() {
    // Count 0x0100, one unit moves: current count 0x00FF over base 0x0100.
    let (_, mut s) = bench(vec![source(
        1,
        ServiceMode::Single,
        DreqTiming::ClockAfterDack,
    )]);
    s.program_channel(&channel(0, 0x1000, 0x101, ServiceMode::Single))
        .unwrap();
    s.set_mask(0, false).unwrap();
    s.run(50).unwrap();
    s.set_mask(0, true).unwrap();
    assert_eq!(read_word(&mut s, rm::DMA_COUNT.at(0)), 0x00FF);
    write_lsb(&mut s, rm::DMA_COUNT.at(0), 0x05);
    assert_eq!(read_word(&mut s, rm::DMA_COUNT.at(0)), 0x0005);
}

#[test]
fn a_single_byte_address_or_count_write_keeps_current_bytes_not_base_bytes() {
    // 0x100 units move from 0x1000 with count 0xFFFF: current 0x1100 / 0xFEFF over base
    // 0x1000 / 0xFFFF.
    let (_, mut s) = bench(vec![source(
        0x100,
        ServiceMode::Demand,
        DreqTiming::ClockAfterDack,
    )]);
    s.program_channel(&channel(0, 0x1000, 0x10000, ServiceMode::Demand))
        .unwrap();
    s.set_mask(0, false).unwrap();
    s.run(1000).unwrap();
    s.set_mask(0, true).unwrap();
    assert_eq!(s.devices[0].sent_total(), 0x100);
    assert_eq!(read_word(&mut s, rm::DMA_ADDR.at(0)), 0x1100);
    assert_eq!(read_word(&mut s, rm::DMA_COUNT.at(0)), 0xFEFF);
    write_lsb(&mut s, rm::DMA_ADDR.at(0), 0x56);
    assert_eq!(read_word(&mut s, rm::DMA_ADDR.at(0)), 0x1156);
    write_lsb(&mut s, rm::DMA_COUNT.at(0), 0x34);
    assert_eq!(read_word(&mut s, rm::DMA_COUNT.at(0)), 0xFE34);
}

#[test]
fn a_block_needs_a_request_even_after_units_in_another_mode() {
    let idle = DeviceConfig::default;
    let dev = DeviceConfig {
        dreq: DreqMode::WhileWanted,
        ..source(1, ServiceMode::Single, DreqTiming::ClockAfterDack)
    };
    let (cfg, mut s) = bench(vec![idle(), idle(), dev]);
    s.program_channel(&channel(2, 0, 4, ServiceMode::Single))
        .unwrap();
    s.set_mask(2, false).unwrap();
    s.run(50).unwrap();
    assert_eq!(s.devices[2].sent_total(), 1, "the single-mode unit moved");

    // Block mode, verify, 0x2000 / 0x0010: the device asks for nothing, so nothing moves.
    let block = ChannelSetup {
        transfer: TransferType::Verify,
        ..channel(2, 0x2000, 0x11, ServiceMode::Block)
    };
    s.program_channel(&block).unwrap();
    s.axil_read(rm::STATUS.offset).unwrap(); // clears old TC bits
    s.set_mask(2, false).unwrap();
    s.run(200).unwrap();
    assert_eq!(read_word(&mut s, rm::DMA_ADDR.at(2)), 0x2000);
    assert_eq!(read_word(&mut s, rm::DMA_COUNT.at(2)), 0x0010);
    let status = s.axil_read(rm::STATUS.offset).unwrap();
    assert_eq!(rm::status::TC.get(&cfg, status), 0, "no terminal count");

    // A software request starts it and it runs to terminal count.
    s.software_request(2, true).unwrap();
    s.run(100).unwrap();
    assert_eq!(read_word(&mut s, rm::DMA_COUNT.at(2)), 0xFFFF);
    let status = s.axil_read(rm::STATUS.offset).unwrap();
    assert_eq!(rm::status::TC.get(&cfg, status), 1 << 2);
}
