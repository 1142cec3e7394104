//! Register-level tests of the reference model against `hdl/DESIGN.md`.

use super::*;
use mapdma_regmap::{mode_byte, ChannelProgram, FaultCause, ServiceMode, TransferType, UnitWidth};

fn model() -> ReferenceModel {
    ReferenceModel::new(Config::default()).unwrap()
}

fn w(m: &mut ReferenceModel, off: u32, v: u32) {
    m.write32(off, v).unwrap();
}

fn r(m: &mut ReferenceModel, off: u32) -> u32 {
    m.read32(off).unwrap()
}

fn cfg() -> Config {
    Config::default()
}

/// Maps logical page `page` to a fresh RAM page; returns its physical address.
fn map_page(m: &mut ReferenceModel, page: usize, writable: bool) -> u64 {
    let phys = m.allocate_contiguous(1).unwrap();
    let c = cfg();
    let v = rm::map::VALID.put(&c, 1)
        | rm::map::WRITABLE.put(&c, writable as u32)
        | rm::map::FRAME.put(&c, (phys >> c.page_shift) as u32);
    w(m, rm::MAP.at(page), v);
    phys
}

/// Programs channel `ch` as an 8237 driver would (masked, flip-flop cleared first); `width` is
/// the raw CH_CONFIG.WIDTH value (3, reserved, included).
#[allow(clippy::too_many_arguments)]
fn program(
    m: &mut ReferenceModel,
    ch: usize,
    logical: u32,
    units: u32,
    width: u32,
    transfer: TransferType,
    autoinit: bool,
    service: ServiceMode,
) {
    let p = ChannelProgram {
        channel: ch,
        transfer,
        auto_initialize: autoinit,
        decrement: false,
        service,
        width: UnitWidth::Bits8,
        logical,
        units,
    };
    for (offset, value) in p.writes(&cfg()) {
        let value = if offset == rm::CH_CONFIG.at(ch) {
            rm::ch_config::WIDTH.put(&cfg(), width)
        } else {
            value
        };
        w(m, offset, value);
    }
}

fn unmask(m: &mut ReferenceModel, ch: usize) {
    w(m, rm::SINGLE_MASK.offset, ch as u32);
}

fn read16(m: &mut ReferenceModel, off: u32) -> u32 {
    w(m, rm::CLEAR_FLIP_FLOP.offset, 0);
    let lo = r(m, off);
    lo | (r(m, off) << 8)
}

#[test]
fn flip_flop_selects_bytes_and_toggles_on_reads_and_writes() {
    let mut m = model();
    w(&mut m, rm::DMA_ADDR.at(1), 0x34);
    w(&mut m, rm::DMA_ADDR.at(1), 0x12);
    assert_eq!(read16(&mut m, rm::DMA_ADDR.at(1)), 0x1234);
    // A read toggles too: LSB read, then a write lands in the MSB.
    w(&mut m, rm::CLEAR_FLIP_FLOP.offset, 0);
    assert_eq!(r(&mut m, rm::DMA_ADDR.at(1)), 0x34);
    w(&mut m, rm::DMA_ADDR.at(1), 0xAB);
    assert_eq!(read16(&mut m, rm::DMA_ADDR.at(1)), 0xAB34);
    assert_eq!(m.controller().channels[1].base_address, 0xAB34);
    // Master clear resets the flip-flop.
    w(&mut m, rm::DMA_COUNT.at(0), 0x01);
    w(&mut m, rm::MASTER_CLEAR.offset, 0);
    assert!(!m.controller().flip_flop);
}

#[test]
fn count_write_clears_the_pass_counter() {
    let mut m = model();
    map_page(&mut m, 0, true);
    program(
        &mut m,
        0,
        0,
        2,
        0,
        TransferType::Read,
        true,
        ServiceMode::Demand,
    );
    unmask(&mut m, 0);
    w(&mut m, rm::REQUEST.offset, rm::request::SET.put(&cfg(), 1));
    m.advance(2);
    // The software request cleared at TC; set it again for the second pass.
    w(&mut m, rm::REQUEST.offset, rm::request::SET.put(&cfg(), 1));
    m.advance(2);
    let snap = r(&mut m, rm::SNAP_COUNT.at(0));
    assert_eq!(rm::snap_count::PASSES.get(&cfg(), snap), 2);
    w(&mut m, rm::DMA_COUNT.at(0), 5);
    let snap = r(&mut m, rm::SNAP_COUNT.at(0));
    assert_eq!(rm::snap_count::PASSES.get(&cfg(), snap), 0);
}

#[test]
fn status_read_returns_tc_and_requests_then_clears_tc() {
    let mut m = model();
    map_page(&mut m, 0, true);
    program(
        &mut m,
        2,
        0,
        1,
        0,
        TransferType::Read,
        false,
        ServiceMode::Single,
    );
    unmask(&mut m, 2);
    w(
        &mut m,
        rm::REQUEST.offset,
        2 | rm::request::SET.put(&cfg(), 1),
    );
    m.device_mut(3).force_dreq(Some(true));
    m.advance(1);
    let s = r(&mut m, rm::STATUS.offset);
    assert_eq!(rm::status::TC.get(&cfg(), s), 0b0100);
    // Channel 2's request cleared at TC; channel 3's DREQ pin is high.
    assert_eq!(rm::status::REQUEST.get(&cfg(), s), 0b1000);
    let s = r(&mut m, rm::STATUS.offset);
    assert_eq!(rm::status::TC.get(&cfg(), s), 0);
    // INT_STATUS.TC is separate and sticky until written 1.
    let is = r(&mut m, rm::INT_STATUS.offset);
    assert_eq!(rm::int_status::TC.get(&cfg(), is), 0b0100);
    w(&mut m, rm::INT_STATUS.offset, is);
    assert_eq!(r(&mut m, rm::INT_STATUS.offset), 0);
}

#[test]
fn mask_registers_single_clear_all_and_write_all() {
    let mut m = model();
    assert_eq!(r(&mut m, rm::ALL_MASK.offset), 0xFF);
    w(&mut m, rm::CLEAR_MASK.offset, 0);
    assert_eq!(r(&mut m, rm::ALL_MASK.offset), 0xF0);
    w(
        &mut m,
        rm::SINGLE_MASK.offset,
        1 | rm::single_mask::SET.put(&cfg(), 1),
    );
    assert_eq!(r(&mut m, rm::ALL_MASK.offset), 0xF2);
    w(&mut m, rm::ALL_MASK.offset, 0b1001);
    assert_eq!(r(&mut m, rm::ALL_MASK.offset), 0xF9);
    let cc = r(&mut m, rm::CH_CONFIG.at(3));
    assert_eq!(rm::ch_config::MASKED.get(&cfg(), cc), 1);
    w(&mut m, rm::MASTER_CLEAR.offset, 0);
    assert_eq!(r(&mut m, rm::ALL_MASK.offset), 0xFF);
}

#[test]
fn unconfigured_channels_read_zero_ignore_writes_and_stay_masked() {
    let mut m = ReferenceModel::new(Config::small()).unwrap();
    w(&mut m, rm::CLEAR_MASK.offset, 0);
    assert_eq!(r(&mut m, rm::ALL_MASK.offset), 0xFE);
    w(&mut m, rm::PAGE.at(2), 0x12);
    assert_eq!(r(&mut m, rm::PAGE.at(2)), 0);
    w(&mut m, rm::CLEAR_FLIP_FLOP.offset, 0);
    w(&mut m, rm::DMA_ADDR.at(3), 0x55);
    assert_eq!(r(&mut m, rm::DMA_ADDR.at(3)), 0);
    assert_eq!(m.controller().channels[3].base_address, 0);
    assert!(m.read32(rm::MAP.at(4)).is_err(), "only 4 map registers");
}

#[test]
fn mode_reads_back_through_ch_config_without_channel_bits() {
    let mut m = model();
    let byte = mode_byte(3, TransferType::Write, true, true, ServiceMode::Block);
    w(&mut m, rm::MODE.offset, byte as u32);
    let cc = r(&mut m, rm::CH_CONFIG.at(3));
    assert_eq!(
        rm::ch_config::MODE.get(&cfg(), cc),
        (byte & !3) as u32,
        "channel bits read as zero"
    );
}

#[test]
fn identification_and_configuration_registers_describe_the_instance() {
    let c = Config {
        channels: 2,
        map_registers: 64,
        ..Config::default()
    };
    let mut m = ReferenceModel::new(c).unwrap();
    assert_eq!(r(&mut m, rm::ID.offset), rm::ID_MAGIC);
    let c0 = r(&mut m, rm::CONFIG0.offset);
    let c1 = r(&mut m, rm::CONFIG1.offset);
    assert_eq!(Config::from_registers(c0, c1).unwrap(), c);
    let v = r(&mut m, rm::HW_VERSION.offset);
    assert_eq!(v >> 16, rm::VERSION.0 as u32);
}

#[test]
fn unmapped_and_misaligned_offsets_are_errors() {
    let mut m = model();
    assert!(matches!(m.read32(0x9C), Err(BackendError::Register { .. })));
    assert!(matches!(
        m.write32(0x2, 0),
        Err(BackendError::Misaligned { .. })
    ));
}

#[test]
fn write_transfer_moves_device_data_and_masks_at_terminal_count() {
    let mut m = model();
    let phys = map_page(&mut m, 1, true);
    let logical = 0x1000 + 0x10;
    program(
        &mut m,
        1,
        logical,
        8,
        0,
        TransferType::Write,
        false,
        ServiceMode::Demand,
    );
    m.push_source(1, &[1, 2, 3, 4, 5, 6, 7, 8, 9]).unwrap();
    unmask(&mut m, 1);
    m.advance(20);
    let mut got = [0; 8];
    m.read(phys + 0x10, &mut got).unwrap();
    assert_eq!(got, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(m.source_pending(1).unwrap(), 1, "ninth byte not taken");
    let ch = &m.controller().channels[1];
    assert!(ch.masked);
    assert_eq!(ch.current_count, 0xFFFF);
    assert_eq!(ch.current_address as u32, logical + 8);
    assert_eq!(ch.eop_pulses, 1);
}

#[test]
fn read_transfer_of_32_bit_units_with_decrement() {
    let mut m = model();
    let phys = map_page(&mut m, 0, false);
    m.write(phys, &(0u8..16).collect::<Vec<_>>()).unwrap();
    w(&mut m, rm::CLEAR_FLIP_FLOP.offset, 0);
    w(
        &mut m,
        rm::MODE.offset,
        mode_byte(0, TransferType::Read, false, true, ServiceMode::Block) as u32,
    );
    w(
        &mut m,
        rm::CH_CONFIG.at(0),
        rm::ch_config::WIDTH.put(&cfg(), 2),
    );
    w(&mut m, rm::DMA_ADDR.at(0), 12);
    w(&mut m, rm::DMA_ADDR.at(0), 0);
    w(&mut m, rm::DMA_COUNT.at(0), 3);
    w(&mut m, rm::DMA_COUNT.at(0), 0);
    unmask(&mut m, 0);
    // Block mode: one request starts the service, which runs to TC without DREQ.
    w(&mut m, rm::REQUEST.offset, rm::request::SET.put(&cfg(), 1));
    m.advance(10);
    let got = m.take_sink(0).unwrap();
    assert_eq!(got, [12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]);
}

#[test]
fn autoinit_reloads_in_the_same_unit_time_and_counts_passes() {
    let mut m = model();
    let phys = map_page(&mut m, 0, true);
    program(
        &mut m,
        0,
        0,
        4,
        1,
        TransferType::Write,
        true,
        ServiceMode::Demand,
    );
    let data: Vec<u8> = (0..24).collect();
    m.push_source(0, &data).unwrap();
    unmask(&mut m, 0);
    // 12 units of 16 bits = 3 passes of 4, with no gap between passes.
    m.advance(12);
    assert_eq!(m.units_moved(), 12);
    let mut ring = [0; 8];
    m.read(phys, &mut ring).unwrap();
    assert_eq!(ring, [16, 17, 18, 19, 20, 21, 22, 23]);
    let ch = &m.controller().channels[0];
    assert!(!ch.masked, "auto-initialize keeps the mask clear");
    assert_eq!(ch.passes, 3);
    assert_eq!((ch.current_address, ch.current_count), (0, 3));
}

#[test]
fn snapshot_reads_count_and_passes_atomically_and_latches_the_address() {
    let mut m = model();
    map_page(&mut m, 5, true);
    program(
        &mut m,
        0,
        0x5000,
        16,
        0,
        TransferType::Write,
        true,
        ServiceMode::Single,
    );
    m.push_source(0, &[0; 21]).unwrap();
    unmask(&mut m, 0);
    m.advance(21);
    let s = r(&mut m, rm::SNAP_COUNT.at(0));
    assert_eq!(rm::snap_count::COUNT.get(&cfg(), s), 16 - 5 - 1);
    assert_eq!(rm::snap_count::PASSES.get(&cfg(), s), 1);
    assert_eq!(r(&mut m, rm::SNAP_ADDR.at(0)), 0x5000 + 5);
}

fn fault_of(m: &mut ReferenceModel, ch: usize) -> (FaultCause, u32) {
    let fc = r(m, rm::FAULT_CAUSE.offset) >> (ch as u32 * rm::FAULT_CAUSE_BITS);
    let cause = FaultCause::from_code(fc & ((1 << rm::FAULT_CAUSE_BITS) - 1)).unwrap();
    (cause, r(m, rm::FAULT_ADDR.at(ch)))
}

#[test]
fn translation_faults_stop_the_channel_without_moving_and_resume_after_clear() {
    for (page, valid, writable, expected) in [
        (40usize, true, true, FaultCause::OutOfRange),
        (3, false, true, FaultCause::Invalid),
        (3, true, false, FaultCause::ReadOnly),
    ] {
        let mut m = model();
        let mut phys = 0;
        if page < 32 && valid {
            phys = map_page(&mut m, page, writable);
        }
        let logical = (page as u32) << 12 | 0x20;
        program(
            &mut m,
            2,
            logical,
            4,
            0,
            TransferType::Write,
            false,
            ServiceMode::Demand,
        );
        m.push_source(2, &[9, 8, 7, 6]).unwrap();
        unmask(&mut m, 2);
        m.advance(5);
        assert_eq!(fault_of(&mut m, 2), (expected, logical), "{expected:?}");
        assert_eq!(m.source_pending(2).unwrap(), 4, "no data consumed");
        assert_eq!(m.controller().channels[2].current_count, 3);
        let is = r(&mut m, rm::INT_STATUS.offset);
        assert_eq!(rm::int_status::FAULT.get(&cfg(), is), 0b100);
        assert!(m.irq(), "fault interrupt is enabled at reset");
        let cc = r(&mut m, rm::CH_CONFIG.at(2));
        assert_eq!(rm::ch_config::HALTED.get(&cfg(), cc), 1);
        if expected == FaultCause::ReadOnly {
            // Make the page writable, clear the fault: the channel resumes where it stopped.
            let c = cfg();
            let entry = r(&mut m, rm::MAP.at(page)) | rm::map::WRITABLE.put(&c, 1);
            w(&mut m, rm::MAP.at(page), entry);
            w(
                &mut m,
                rm::INT_STATUS.offset,
                rm::int_status::FAULT.put(&c, 0b100),
            );
            assert_eq!(fault_of(&mut m, 2), (FaultCause::None, 0));
            m.advance(5);
            let mut got = [0; 4];
            m.read(phys + 0x20, &mut got).unwrap();
            assert_eq!(got, [9, 8, 7, 6]);
        }
    }
}

#[test]
fn bus_errors_count_the_unit_and_halt_with_the_response_latched() {
    for response in [BusResponse::SlaveError, BusResponse::DecodeError] {
        let mut m = model();
        let phys = map_page(&mut m, 0, false);
        m.memory_mut().add_error_range(ErrorRange {
            start: phys + 2,
            end: phys + 3,
            response,
        });
        program(
            &mut m,
            0,
            0,
            8,
            0,
            TransferType::Read,
            false,
            ServiceMode::Demand,
        );
        m.grant_sink(0, 8).unwrap();
        unmask(&mut m, 0);
        m.advance(10);
        assert_eq!(m.take_sink(0).unwrap().len(), 2, "error data discarded");
        let ch = &m.controller().channels[0];
        assert_eq!(
            (ch.current_address, ch.current_count),
            (3, 4),
            "unit counted"
        );
        let expected = match response {
            BusResponse::SlaveError => FaultCause::SlaveError,
            BusResponse::DecodeError => FaultCause::DecodeError,
        };
        assert_eq!(fault_of(&mut m, 0), (expected, 2));
    }
}

#[test]
fn external_eop_acts_as_terminal_count_without_moving() {
    let mut m = model();
    map_page(&mut m, 0, true);
    program(
        &mut m,
        0,
        0,
        100,
        0,
        TransferType::Read,
        true,
        ServiceMode::Demand,
    );
    m.grant_sink(0, 1000).unwrap();
    unmask(&mut m, 0);
    m.advance(10);
    m.pulse_eop(0).unwrap();
    let ch = &m.controller().channels[0];
    assert_eq!(
        (ch.current_address, ch.current_count, ch.passes),
        (0, 99, 1)
    );
    assert_eq!(m.units_moved(), 10);
    assert_ne!(r(&mut m, rm::STATUS.offset) & 1, 0);
}

#[test]
fn irq_follows_int_status_and_enable() {
    let mut m = model();
    map_page(&mut m, 0, true);
    program(
        &mut m,
        1,
        0,
        1,
        0,
        TransferType::Verify,
        false,
        ServiceMode::Single,
    );
    unmask(&mut m, 1);
    w(
        &mut m,
        rm::REQUEST.offset,
        1 | rm::request::SET.put(&cfg(), 1),
    );
    m.advance(1);
    assert!(!m.irq(), "TC interrupt disabled at reset");
    w(
        &mut m,
        rm::INT_ENABLE.offset,
        rm::int_enable::TC.put(&cfg(), 0b10),
    );
    assert!(m.irq());
    w(
        &mut m,
        rm::INT_STATUS.offset,
        rm::int_status::TC.put(&cfg(), 0b10),
    );
    assert!(!m.irq());
}

#[test]
fn fixed_priority_serves_channel_zero_first_rotating_alternates() {
    for rotating in [false, true] {
        let mut m = model();
        map_page(&mut m, 0, true);
        for ch in [0, 1] {
            program(
                &mut m,
                ch,
                0,
                8,
                0,
                TransferType::Read,
                false,
                ServiceMode::Single,
            );
            m.grant_sink(ch, 8).unwrap();
            unmask(&mut m, ch);
        }
        w(
            &mut m,
            rm::COMMAND.offset,
            rm::command::ROTATING.put(&cfg(), rotating as u32),
        );
        m.advance(4);
        let served = (m.device(0).units_moved(), m.device(1).units_moved());
        assert_eq!(served, if rotating { (2, 2) } else { (4, 0) });
    }
}

#[test]
fn block_service_owns_the_engine_until_terminal_count() {
    let mut m = model();
    map_page(&mut m, 0, true);
    program(
        &mut m,
        1,
        0,
        3,
        0,
        TransferType::Read,
        false,
        ServiceMode::Block,
    );
    program(
        &mut m,
        0,
        0,
        3,
        0,
        TransferType::Read,
        false,
        ServiceMode::Single,
    );
    unmask(&mut m, 1);
    w(
        &mut m,
        rm::REQUEST.offset,
        1 | rm::request::SET.put(&cfg(), 1),
    );
    m.advance(1);
    // Channel 0 now requests with higher priority but channel 1 owns the engine.
    m.grant_sink(0, 3).unwrap();
    unmask(&mut m, 0);
    m.advance(2);
    assert_eq!(
        (m.device(1).units_moved(), m.device(0).units_moved()),
        (3, 0)
    );
    m.advance(3);
    assert_eq!(m.device(0).units_moved(), 3);
}

#[test]
fn disable_and_dreq_polarity_gate_service() {
    let mut m = model();
    map_page(&mut m, 0, true);
    program(
        &mut m,
        0,
        0,
        4,
        0,
        TransferType::Read,
        false,
        ServiceMode::Demand,
    );
    unmask(&mut m, 0);
    w(
        &mut m,
        rm::COMMAND.offset,
        rm::command::DREQ_LOW.put(&cfg(), 1),
    );
    // The idle device holds its DREQ pin low, which is now "active".
    m.advance(2);
    assert_eq!(m.units_moved(), 2);
    w(
        &mut m,
        rm::COMMAND.offset,
        rm::command::DREQ_LOW.put(&cfg(), 1) | rm::command::DISABLE.put(&cfg(), 1),
    );
    m.advance(2);
    assert_eq!(m.units_moved(), 2);
}

#[test]
fn master_clear_keeps_counters_and_map_registers() {
    let mut m = model();
    map_page(&mut m, 7, true);
    program(
        &mut m,
        0,
        0x1234,
        9,
        0,
        TransferType::Read,
        false,
        ServiceMode::Demand,
    );
    w(&mut m, rm::COMMAND.offset, 0x10);
    w(&mut m, rm::MASTER_CLEAR.offset, 0);
    let ch = &m.controller().channels[0];
    assert_eq!((ch.base_address, ch.base_count), (0x1234, 8));
    assert!(ch.masked);
    assert_eq!(m.controller().command, 0);
    assert_ne!(r(&mut m, rm::MAP.at(7)), 0);
    m.reset();
    assert_ne!(
        r(&mut m, rm::MAP.at(7)),
        0,
        "reset keeps the map registers too"
    );
    assert_eq!(m.controller().channels[0].base_address, 0);
}

#[test]
fn device_rate_limits_units_per_time() {
    let mut m = model();
    map_page(&mut m, 0, true);
    program(
        &mut m,
        0,
        0,
        100,
        0,
        TransferType::Read,
        false,
        ServiceMode::Demand,
    );
    m.grant_sink(0, 100).unwrap();
    m.set_period(0, 4).unwrap();
    unmask(&mut m, 0);
    m.advance(40);
    assert_eq!(m.units_moved(), 10);
}

#[test]
fn ticks_per_access_let_a_polling_driver_see_progress() {
    let mut m = model();
    map_page(&mut m, 0, true);
    program(
        &mut m,
        0,
        0,
        100,
        0,
        TransferType::Read,
        false,
        ServiceMode::Demand,
    );
    m.grant_sink(0, 100).unwrap();
    unmask(&mut m, 0);
    m.set_ticks_per_access(3);
    let a = r(&mut m, rm::SNAP_COUNT.at(0)) & 0xFFFF;
    let b = r(&mut m, rm::SNAP_COUNT.at(0)) & 0xFFFF;
    assert_eq!(a - b, 3);
}

#[test]
fn dump_lists_every_readable_register_without_side_effects() {
    let mut m = model();
    m.device_mut(0).force_dreq(Some(true));
    let d = m.dump();
    assert!(d.iter().any(|v| v.name == "ID" && v.value == rm::ID_MAGIC));
    assert_eq!(d.iter().filter(|v| v.name == "MAP").count(), 32);
    let flip_flop = m.controller().flip_flop;
    let _ = m.dump();
    assert_eq!(m.controller().flip_flop, flip_flop);
}

/// DESIGN §3a: channel 0 the source, channel 1 the destination and count (its width), the
/// pair's terminal count on both channels, the temporary register, ch0 address hold, and a
/// destination fault latched on channel 1 with nothing written.
#[test]
fn memory_to_memory_copies_with_channel_1_count_and_faults_on_the_destination() {
    let mut m = model();
    let src = map_page(&mut m, 0, false);
    let dst = map_page(&mut m, 1, true);
    let data: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) ^ 0x5A).collect();
    m.memory_mut().write_raw(src, &data);
    program(
        &mut m,
        0,
        0x0010,
        0x1_0000,
        0,
        TransferType::Read,
        false,
        ServiceMode::Block,
    );
    program(
        &mut m,
        1,
        0x1000,
        8,
        1,
        TransferType::Read,
        false,
        ServiceMode::Block,
    );
    w(
        &mut m,
        rm::COMMAND.offset,
        rm::command::MEM_TO_MEM.put(&cfg(), 1),
    );
    unmask(&mut m, 1);
    unmask(&mut m, 0);
    w(&mut m, rm::REQUEST.offset, 0b100);
    m.advance(100);
    let mut got = [0u8; 18];
    m.memory().read_raw(dst, &mut got);
    assert_eq!(&got[..16], &data[0x10..0x20], "eight 16-bit units");
    assert_eq!(&got[16..], &[0, 0], "nothing past the count");
    assert_eq!(
        r(&mut m, rm::STATUS.offset) & 0xF,
        0b0011,
        "TC on both channels"
    );
    assert_eq!(r(&mut m, rm::ALL_MASK.offset) & 3, 3);
    assert_eq!(read16(&mut m, rm::DMA_ADDR.at(0)), 0x0020);
    assert_eq!(
        read16(&mut m, rm::DMA_COUNT.at(0)),
        0xFFF7,
        "channel 0 counted too"
    );
    let last = u16::from_le_bytes([data[0x1E], data[0x1F]]) as u32;
    assert_eq!(r(&mut m, rm::TEMPORARY.offset), last);

    // Address hold, and a destination page that is read-only after two units.
    let ro = map_page(&mut m, 2, false);
    program(
        &mut m,
        0,
        0x0004,
        0x1_0000,
        0,
        TransferType::Read,
        false,
        ServiceMode::Block,
    );
    program(
        &mut m,
        1,
        0x1FFE,
        8,
        0,
        TransferType::Read,
        false,
        ServiceMode::Block,
    );
    let cmd = rm::command::MEM_TO_MEM.put(&cfg(), 1) | rm::command::CH0_HOLD.put(&cfg(), 1);
    w(&mut m, rm::COMMAND.offset, cmd);
    unmask(&mut m, 1);
    unmask(&mut m, 0);
    w(&mut m, rm::REQUEST.offset, 0b100);
    m.advance(100);
    let mut two = [0u8; 2];
    m.memory().read_raw(dst + 0xFFE, &mut two);
    assert_eq!(two, [data[4], data[4]], "one unit fills the block");
    let mut none = [0u8; 4];
    m.memory().read_raw(ro, &mut none);
    assert_eq!(none, [0; 4]);
    let causes = r(&mut m, rm::FAULT_CAUSE.offset);
    assert_eq!(
        causes >> rm::FAULT_CAUSE_BITS & 0xF,
        FaultCause::ReadOnly as u32
    );
    assert_eq!(causes & 0xF, 0);
    assert_eq!(r(&mut m, rm::FAULT_ADDR.at(1)), 0x2000);
    assert_eq!(read16(&mut m, rm::DMA_ADDR.at(0)), 0x0004, "held");
    assert_eq!(
        read16(&mut m, rm::DMA_COUNT.at(1)),
        5,
        "points at the faulting unit"
    );
}
