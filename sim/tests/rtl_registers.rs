//! 8237A register semantics and the native registers, on the rust-hdl engine.

mod common;

use common::rtl::*;
use mapdma_regmap::{self as regmap, Config, ServiceMode, TransferType, UnitWidth};

#[test]
fn id_and_config_registers_describe_the_hardware() {
    for cfg in [Config::default(), Config::small()] {
        let mut s = rtl_plain(&cfg);
        assert_eq!(rd(&mut s, regmap::ID.offset), regmap::ID_MAGIC);
        assert_eq!(
            rd(&mut s, regmap::HW_VERSION.offset),
            regmap::HW_VERSION.reset(&cfg)
        );
        let c0 = rd(&mut s, regmap::CONFIG0.offset);
        let c1 = rd(&mut s, regmap::CONFIG1.offset);
        assert_eq!(Config::from_registers(c0, c1).unwrap(), cfg);
    }
}

#[test]
fn reset_values_match_the_register_map() {
    let cfg = Config::default();
    let mut s = rtl_plain(&cfg);
    for r in [
        &regmap::ALL_MASK,
        &regmap::INT_STATUS,
        &regmap::INT_ENABLE,
        &regmap::FAULT_CAUSE,
    ] {
        assert_eq!(rd(&mut s, r.offset), r.reset(&cfg), "{}", r.name);
    }
    for ch in 0..cfg.channels {
        assert_eq!(rd(&mut s, regmap::PAGE.at(ch)), 0);
        assert_eq!(
            rd(&mut s, regmap::CH_CONFIG.at(ch)),
            regmap::CH_CONFIG.reset(&cfg)
        );
        assert_eq!(rd(&mut s, regmap::SNAP_COUNT.at(ch)), 0);
    }
}

/// SNAP_ADDR and SNAP_INFLIGHT read zero until their channel's first SNAP_COUNT read, hold each
/// channel's own snapshot, and read zero again after a reset.
#[test]
fn snapshot_registers_read_zero_until_a_snapshot_and_again_after_reset() {
    let cfg = Config::default();
    let mut s = rtl_plain(&cfg);
    let logical = |ch: usize| 0x12_0000 + 0x111 * (ch as u32 + 1);
    for ch in 0..cfg.channels {
        let c = chan(
            ch,
            logical(ch),
            4,
            UnitWidth::Bits8,
            TransferType::Write,
            ServiceMode::Single,
        );
        program(&mut s, &c);
    }
    for ch in 0..cfg.channels {
        assert_eq!(
            rd(&mut s, regmap::SNAP_ADDR.at(ch)),
            0,
            "channel {ch} before"
        );
        assert_eq!(
            rd(&mut s, regmap::SNAP_INFLIGHT.at(ch)),
            0,
            "channel {ch} before"
        );
    }
    // Each channel's own snapshot, read back after every channel took one.
    for ch in 0..cfg.channels {
        assert_eq!(
            rd(&mut s, regmap::SNAP_COUNT.at(ch)),
            3,
            "channel {ch}: count 4 - 1"
        );
    }
    for ch in (0..cfg.channels).rev() {
        assert_eq!(
            rd(&mut s, regmap::SNAP_ADDR.at(ch)),
            logical(ch),
            "channel {ch}"
        );
        assert_eq!(rd(&mut s, regmap::SNAP_INFLIGHT.at(ch)), 0, "channel {ch}");
    }
    s.reset(4).expect("reset");
    for ch in 0..cfg.channels {
        assert_eq!(
            rd(&mut s, regmap::SNAP_ADDR.at(ch)),
            0,
            "channel {ch} after reset"
        );
    }
}

#[test]
fn byte_pointer_flip_flop_sequences_lsb_then_msb_and_toggles_on_reads_too() {
    let mut s = rtl_plain(&Config::default());
    wr(&mut s, regmap::CLEAR_FLIP_FLOP.offset, 0);
    wr(&mut s, regmap::DMA_ADDR.at(2), 0x34);
    wr(&mut s, regmap::DMA_ADDR.at(2), 0x12);
    wr(&mut s, regmap::DMA_COUNT.at(2), 0xCD);
    wr(&mut s, regmap::DMA_COUNT.at(2), 0xAB);
    // Reads go through the same flip-flop.
    assert_eq!(rd(&mut s, regmap::DMA_ADDR.at(2)), 0x34);
    assert_eq!(rd(&mut s, regmap::DMA_ADDR.at(2)), 0x12);
    assert_eq!(rd(&mut s, regmap::DMA_COUNT.at(2)), 0xCD);
    // Odd number of accesses: clearing the flip-flop restarts at the LSB.
    wr(&mut s, regmap::CLEAR_FLIP_FLOP.offset, 0);
    assert_eq!(rd(&mut s, regmap::DMA_COUNT.at(2)), 0xCD);
    assert_eq!(rd(&mut s, regmap::DMA_COUNT.at(2)), 0xAB);
    // Other channels untouched.
    wr(&mut s, regmap::CLEAR_FLIP_FLOP.offset, 0);
    assert_eq!(rd(&mut s, regmap::DMA_ADDR.at(1)), 0);
    // Master clear also clears the flip-flop.
    rd(&mut s, regmap::DMA_ADDR.at(2));
    wr(&mut s, regmap::MASTER_CLEAR.offset, 0);
    assert_eq!(rd(&mut s, regmap::DMA_ADDR.at(2)), 0x34);
}

#[test]
fn masks_single_all_clear_and_master_clear() {
    let cfg = Config::default();
    let mut s = rtl_plain(&cfg);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xFF);
    wr(&mut s, regmap::CLEAR_MASK.offset, 0);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xF0);
    wr(&mut s, regmap::SINGLE_MASK.offset, 0b110); // set ch2
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xF4);
    wr(&mut s, regmap::SINGLE_MASK.offset, 0b010); // clear ch2
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xF0);
    wr(&mut s, regmap::ALL_MASK.offset, 0b1010);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xFA);
    let masked = regmap::ch_config::MASKED;
    assert_eq!(masked.get(&cfg, rd(&mut s, regmap::CH_CONFIG.at(1))), 1);
    assert_eq!(masked.get(&cfg, rd(&mut s, regmap::CH_CONFIG.at(0))), 0);
    wr(&mut s, regmap::MASTER_CLEAR.offset, 0);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xFF);
}

#[test]
fn unconfigured_channels_read_masked_and_ignore_writes() {
    let mut s = rtl_plain(&Config::small());
    wr(&mut s, regmap::CLEAR_MASK.offset, 0);
    assert_eq!(rd(&mut s, regmap::ALL_MASK.offset), 0xFE);
    wr(&mut s, regmap::CLEAR_FLIP_FLOP.offset, 0);
    wr(&mut s, regmap::DMA_ADDR.at(3), 0x55);
    wr(&mut s, regmap::CLEAR_FLIP_FLOP.offset, 0);
    assert_eq!(rd(&mut s, regmap::DMA_ADDR.at(3)), 0);
}

#[test]
fn mode_request_and_command_registers() {
    let cfg = Config::default();
    let mut s = rtl_plain(&cfg);
    let mode = regmap::mode_byte(3, TransferType::Read, true, true, ServiceMode::Block);
    wr(&mut s, regmap::MODE.offset, mode as u32);
    let v = rd(&mut s, regmap::CH_CONFIG.at(3));
    assert_eq!(regmap::ch_config::MODE.get(&cfg, v), (mode & !3) as u32);
    wr(&mut s, regmap::CH_CONFIG.at(3), UnitWidth::Bits32 as u32);
    assert_eq!(
        regmap::ch_config::WIDTH.get(&cfg, rd(&mut s, regmap::CH_CONFIG.at(3))),
        2
    );
    // Software request bit, visible in the status request nibble.
    wr(&mut s, regmap::REQUEST.offset, 0b101);
    assert_eq!(
        regmap::ch_config::SW_REQUEST.get(&cfg, rd(&mut s, regmap::CH_CONFIG.at(1))),
        1
    );
    let st = rd(&mut s, regmap::STATUS.offset);
    assert_eq!(regmap::status::REQUEST.get(&cfg, st), 0b0010);
    wr(&mut s, regmap::REQUEST.offset, 0b001);
    assert_eq!(
        regmap::ch_config::SW_REQUEST.get(&cfg, rd(&mut s, regmap::CH_CONFIG.at(1))),
        0
    );
    // DREQ shows in the status request nibble; DREQ sense low inverts it (the other devices'
    // DREQ pins are low).
    s.devices[2].hold_dreq(true);
    assert_eq!(
        regmap::status::REQUEST.get(&cfg, rd(&mut s, regmap::STATUS.offset)),
        0b0100
    );
    wr(
        &mut s,
        regmap::COMMAND.offset,
        regmap::command::DREQ_LOW.put(&cfg, 1),
    );
    assert_eq!(
        regmap::status::REQUEST.get(&cfg, rd(&mut s, regmap::STATUS.offset)),
        0b1011
    );
}

#[test]
fn map_registers_read_back_and_reject_out_of_range_with_slverr() {
    let cfg = Config::small();
    let mut s = rtl_plain(&cfg);
    map(&mut s, 3, 0xABCDE, true);
    map(&mut s, 1, 0x00042, false);
    let e3 = rd(&mut s, regmap::MAP.at(3));
    assert_eq!(regmap::map::FRAME.get(&cfg, e3), 0xABCDE);
    assert_eq!(regmap::map::VALID.get(&cfg, e3), 1);
    assert_eq!(regmap::map::WRITABLE.get(&cfg, e3), 1);
    let e1 = rd(&mut s, regmap::MAP.at(1));
    assert_eq!(regmap::map::WRITABLE.get(&cfg, e1), 0);
    assert_eq!(
        rd(&mut s, regmap::MAP.at(0)),
        0,
        "power-up entries are invalid"
    );
    // Beyond the configured map registers and in holes: SLVERR, reads return 0.
    assert_eq!(rd_resp(&mut s, regmap::MAP.at(4)), (0, 2));
    assert_eq!(wr_resp(&mut s, regmap::MAP.at(4), 0xFFFF_FFFF), 2);
    assert_eq!(rd_resp(&mut s, 0xFC).1, 2);
    // Holes answer SLVERR to writes too; writes to read-only registers are accepted and ignored.
    assert_eq!(wr_resp(&mut s, 0x60, 0x1234), 2);
    assert_eq!(wr_resp(&mut s, 0xFC, 0x1234), 2);
    assert_eq!(wr_resp(&mut s, regmap::ID.offset, 0), 0);
    assert_eq!(rd(&mut s, regmap::ID.offset), regmap::ID_MAGIC);
    // Reset leaves map registers alone.
    s.reset(1).unwrap();
    step(&mut s);
    assert_eq!(
        regmap::map::FRAME.get(&cfg, rd(&mut s, regmap::MAP.at(3))),
        0xABCDE
    );
}

#[test]
fn interrupt_enable_and_write_one_to_clear() {
    let cfg = Config::default();
    let mut s = rtl_plain(&cfg);
    // Channel faults and the bus-master port's faults are enabled at reset.
    assert_eq!(rd(&mut s, regmap::INT_ENABLE.offset), 0x1_0F00);
    wr(&mut s, regmap::INT_ENABLE.offset, 0xFFFF_FFFF);
    assert_eq!(rd(&mut s, regmap::INT_ENABLE.offset), 0x1_0F0F);
    let small = Config::small();
    let mut s = rtl_plain(&small);
    assert_eq!(rd(&mut s, regmap::INT_ENABLE.offset), 0x100);
    wr(&mut s, regmap::INT_ENABLE.offset, 0xFFFF_FFFF);
    assert_eq!(
        rd(&mut s, regmap::INT_ENABLE.offset),
        0x101,
        "no BM_FAULT bit without the port"
    );
}
