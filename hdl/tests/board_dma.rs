//! mapdma on the board design, driven only through the UART bridge as a host would: the
//! built-in devices (loop-back FIFO, pattern source, checksum sink) move data between the
//! system RAM and themselves; faults and LEDs.

mod board_common;

use board_common::BoardBench;
use mapdma_hdl::board::{board_config, window};
use mapdma_hdl::regmap::{self, mode, UnitWidth};

const OK: u8 = 0xA0;
const PAGE: u32 = 256;

/// 8237 transfer types and service modes (mode-register field values).
const WRITE_TRANSFER: u32 = 1;
const READ_TRANSFER: u32 = 2;
const SINGLE: u32 = 1;

fn map(b: &mut BoardBench, index: usize, frame: u32, writable: bool) {
    let cfg = board_config();
    let v = regmap::map::FRAME.put(&cfg, frame)
        | regmap::map::WRITABLE.put(&cfg, writable as u32)
        | regmap::map::VALID.put(&cfg, 1);
    b.reg_write(regmap::MAP.at(index), v);
}

/// Programs channel `ch` (single mode) and unmasks it.
fn start(
    b: &mut BoardBench,
    ch: usize,
    logical: u32,
    units: u32,
    width: UnitWidth,
    transfer: u32,
    autoinit: bool,
) {
    let cfg = board_config();
    let addr = logical & 0xFFFF;
    let count = units - 1;
    b.reg_write(regmap::CLEAR_FLIP_FLOP.offset, 0);
    b.reg_write(regmap::DMA_ADDR.at(ch), addr & 0xFF);
    b.reg_write(regmap::DMA_ADDR.at(ch), addr >> 8);
    b.reg_write(regmap::DMA_COUNT.at(ch), count & 0xFF);
    b.reg_write(regmap::DMA_COUNT.at(ch), count >> 8);
    b.reg_write(regmap::PAGE.at(ch), logical >> 16);
    b.reg_write(regmap::CH_CONFIG.at(ch), width as u32);
    let m = mode::CHANNEL.put(&cfg, ch as u32)
        | mode::TRANSFER.put(&cfg, transfer)
        | mode::AUTOINIT.put(&cfg, autoinit as u32)
        | mode::MODE.put(&cfg, SINGLE);
    b.reg_write(regmap::MODE.offset, m);
    b.reg_write(regmap::SINGLE_MASK.offset, ch as u32);
}

fn words(b: &mut BoardBench, addr: u32, n: usize) -> Vec<u32> {
    let (w, s) = b.read_bulk(addr, n);
    assert_eq!(s, OK);
    w
}

#[test]
fn channels_0_and_1_copy_memory_through_the_loopback_fifo() {
    let mut b = BoardBench::new();
    let src: Vec<u32> = (0..16u32)
        .map(|i| 0x1111_1111u32.wrapping_mul(i + 1) ^ 0xA5)
        .collect();
    assert_eq!(b.write_bulk(PAGE, &src), OK);
    map(&mut b, 0, 1, false);
    map(&mut b, 1, 2, true);
    start(
        &mut b,
        1,
        PAGE,
        16,
        UnitWidth::Bits32,
        WRITE_TRANSFER,
        false,
    );
    start(&mut b, 0, 0, 16, UnitWidth::Bits32, READ_TRANSFER, false);
    b.run(200);
    assert_eq!(words(&mut b, 2 * PAGE, 16), src);
    let int = b.reg_read(regmap::INT_STATUS.offset);
    assert_eq!(regmap::int_status::TC.get(&board_config(), int) & 3, 3);
    assert_eq!(b.window(window::LOOP_STATUS), 1, "the FIFO is empty again");
    assert_ne!(b.leds() & 0b100, 0, "the DMA activity LED is lit");
}

#[test]
fn byte_units_write_only_their_byte_lanes() {
    let mut b = BoardBench::new();
    let src: Vec<u8> = (0..12u8).map(|i| 0xC0 | i).collect();
    let src_words: Vec<u32> = src
        .chunks(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(b.write_bulk(PAGE, &src_words), OK);
    let fill = vec![0xEEEE_EEEE; 5];
    assert_eq!(b.write_bulk(2 * PAGE, &fill), OK);
    map(&mut b, 0, 1, false);
    map(&mut b, 1, 2, true);
    // Ten bytes from logical 0x001 to logical 0x103: unaligned on both sides.
    start(
        &mut b,
        1,
        PAGE + 3,
        10,
        UnitWidth::Bits8,
        WRITE_TRANSFER,
        false,
    );
    start(&mut b, 0, 1, 10, UnitWidth::Bits8, READ_TRANSFER, false);
    b.run(300);
    let got: Vec<u8> = words(&mut b, 2 * PAGE, 5)
        .into_iter()
        .flat_map(u32::to_le_bytes)
        .collect();
    let mut expected = vec![0xEE; 20];
    expected[3..13].copy_from_slice(&src[1..11]);
    assert_eq!(got, expected);
}

#[test]
fn the_pattern_source_counts_units() {
    let mut b = BoardBench::new();
    map(&mut b, 0, 3, true);
    assert_eq!(b.write32(0x4000_0000 | (window::PATTERN * 4), 100), OK);
    start(&mut b, 2, 0, 8, UnitWidth::Bits32, WRITE_TRANSFER, false);
    b.run(100);
    assert_eq!(words(&mut b, 3 * PAGE, 8), (100..108).collect::<Vec<u32>>());
    assert_eq!(b.window(window::PATTERN), 108);
}

#[test]
fn the_pattern_source_fills_an_auto_initialized_ring() {
    let mut b = BoardBench::new();
    map(&mut b, 0, 3, true);
    start(&mut b, 2, 0, 8, UnitWidth::Bits32, WRITE_TRANSFER, true);
    b.run(400);
    // Read while the channel keeps running (the bridge and the DMA share the RAM).
    let running = words(&mut b, 3 * PAGE, 8);
    assert!(
        running.iter().enumerate().all(|(i, w)| w % 8 == i as u32),
        "{running:?}"
    );
    let snap = b.reg_read(regmap::SNAP_COUNT.at(2));
    assert!(snap >> 16 > 1, "several auto-initialize passes: {snap:#x}");
    b.reg_write(regmap::SINGLE_MASK.offset, 4 | 2);
    let ring = words(&mut b, 3 * PAGE, 8);
    assert!(
        ring.iter().enumerate().all(|(i, w)| w % 8 == i as u32),
        "{ring:?}"
    );
    assert_eq!(ring.iter().max().unwrap() + 1, b.window(window::PATTERN));
    assert_eq!(
        words(&mut b, 3 * PAGE + 32, 1),
        vec![0],
        "nothing beyond the ring"
    );
}

#[test]
fn the_checksum_sink_sums_what_it_receives() {
    let mut b = BoardBench::new();
    let data: Vec<u32> = (0..8u32).map(|i| 0x0101_0101 * (i + 3)).collect();
    assert_eq!(b.write_bulk(PAGE, &data), OK);
    map(&mut b, 0, 1, false);
    start(&mut b, 3, 0, 8, UnitWidth::Bits32, READ_TRANSFER, false);
    b.run(100);
    let sum = data.iter().fold(0u32, |a, &x| a.wrapping_add(x));
    assert_eq!(b.window(window::COUNT), 8);
    assert_eq!(b.window(window::SUM), sum);
    assert_eq!(b.write32(0x4000_0000 | (window::SUM * 4), 0), OK);
    assert_eq!((b.window(window::SUM), b.window(window::COUNT)), (0, 0));
}

#[test]
fn a_frame_outside_the_ram_is_a_bus_error_shown_on_the_leds() {
    let mut b = BoardBench::new();
    assert_eq!(b.leds() & 0b1001, 0, "no fault, no interrupt after reset");
    map(&mut b, 0, 0xF0, false);
    start(&mut b, 3, 0, 4, UnitWidth::Bits32, READ_TRANSFER, false);
    b.run(50);
    let cfg = board_config();
    let int = b.reg_read(regmap::INT_STATUS.offset);
    assert_eq!(regmap::int_status::FAULT.get(&cfg, int), 1 << 3);
    let causes = b.reg_read(regmap::FAULT_CAUSE.offset);
    assert_eq!(causes >> 12 & 0xF, regmap::FaultCause::DecodeError as u32);
    assert_eq!(b.leds() & 0b1001, 0b1001, "fault and interrupt LEDs lit");
    assert_eq!(b.window(window::COUNT), 0, "no data reached the sink");
}
