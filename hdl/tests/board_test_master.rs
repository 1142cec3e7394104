//! The board's test bus master on mapdma's bus-master port, with the system RAM's burst port
//! behind it, driven only through the UART bridge as a host would: copies through mapped pages
//! (bursts cut at page ends, guard words around the destination untouched), copies that meet an
//! unmapped or read-only page (the error response recorded, BM_FAULT latched), and the DMA
//! channels streaming at the same time.

mod board_common;

use board_common::BoardBench;
use mapdma_hdl::board::{board_config_with, window, VIRTUAL_BOARD};
use mapdma_hdl::regmap::link::{features, test_master as tm};
use mapdma_hdl::regmap::{self, mode, FaultCause, UnitWidth};

const OK: u8 = 0xA0;
const SLVERR: u8 = 0xA2;
const PAGE: u32 = 256;
const WIN: u32 = 0x4000_0000;
const GUARD: u32 = 0xEEEE_EEEE;
/// AXI responses in TM_CONTROL.RESP.
const RESP_SLVERR: u32 = mapdma_hdl::regmap::axi::RESP_SLVERR as u32;
const RESP_DECERR: u32 = mapdma_hdl::regmap::axi::RESP_DECERR as u32;

fn bench() -> BoardBench {
    BoardBench::with_config(&board_config_with(VIRTUAL_BOARD))
}

fn map(b: &mut BoardBench, index: usize, frame: u32, writable: bool) {
    let cfg = board_config_with(VIRTUAL_BOARD);
    let v = regmap::map::FRAME.put(&cfg, frame)
        | regmap::map::WRITABLE.put(&cfg, writable as u32)
        | regmap::map::VALID.put(&cfg, 1);
    b.reg_write(regmap::MAP.at(index), v);
}

fn win_write(b: &mut BoardBench, word: u32, value: u32) {
    assert_eq!(b.write32(WIN | (word * 4), value), OK, "window word {word}");
}

/// Starts a copy and waits (through the link, as a host polls) until it is no longer busy;
/// returns TM_CONTROL.
fn copy(b: &mut BoardBench, src: u32, dst: u32, words: u32) -> u32 {
    win_write(b, window::TM_SRC, src);
    win_write(b, window::TM_DST, dst);
    win_write(b, window::TM_LENGTH, words);
    win_write(b, window::TM_CONTROL, tm::START);
    for _ in 0..50 {
        let status = b.window(window::TM_CONTROL);
        if status & tm::BUSY == 0 {
            assert_ne!(status & tm::DONE, 0, "{status:#x}");
            return status;
        }
    }
    panic!("the copy did not finish");
}

fn words(b: &mut BoardBench, addr: u32, n: usize) -> Vec<u32> {
    let (w, s) = b.read_bulk(addr, n);
    assert_eq!(s, OK);
    w
}

fn source() -> Vec<u32> {
    (0..64u32).map(|i| 0x5100_0000 | (i * 0x0101) | 7).collect()
}

/// Source data in frame 1 (logical page 0, read-only), guard words in frames 2 and 3 (logical
/// pages 5 and 6).
fn setup(b: &mut BoardBench, page6_writable: bool) -> Vec<u32> {
    let src = source();
    assert_eq!(b.write_bulk(PAGE, &src), OK);
    assert_eq!(b.write_bulk(2 * PAGE, &[GUARD; 128]), OK);
    map(b, 0, 1, false);
    map(b, 5, 2, true);
    map(b, 6, 3, page6_writable);
    src
}

#[test]
fn the_board_reports_its_test_master() {
    let mut b = bench();
    assert_eq!(b.window(window::FEATURES), features::TEST_MASTER);
    assert_eq!(b.window(window::TM_CONTROL), 0, "idle, nothing done yet");
    win_write(&mut b, window::TM_SRC, 0x1237);
    assert_eq!(b.window(window::TM_SRC), 0x1234, "word addresses");
    // The board without it answers SLVERR there (board_bridge checks FEATURES = 0).
    let mut plain = BoardBench::new();
    assert_eq!(
        plain.write32(WIN | (window::TM_CONTROL * 4), tm::START),
        SLVERR
    );
}

#[test]
fn a_copy_through_mapped_pages_moves_every_word_and_nothing_else() {
    let mut b = bench();
    let src = setup(&mut b, true);
    // 40 words from logical 0x004 to 0x5E0: the destination's page ends after 8 words (the
    // first burst is cut there), the rest lands in logical page 6 = frame 3.
    let status = copy(&mut b, 0x004, 5 * PAGE + 0xE0, 40);
    assert_eq!(status, tm::DONE, "done, no error: {status:#x}");
    assert_eq!(b.window(window::TM_MOVED), 40);
    let dst = words(&mut b, 2 * PAGE, 128);
    let mut expected = vec![GUARD; 128];
    expected[56..96].copy_from_slice(&src[1..41]);
    assert_eq!(dst, expected, "the copy, guard words around it untouched");
    assert_eq!(words(&mut b, PAGE, 64), src, "the source is unchanged");
    assert_eq!(b.reg_read(regmap::BM_FAULT.offset), 0);
    // A second copy back over the first (both directions through the map).
    let status = copy(&mut b, 5 * PAGE + 0xE0, 6 * PAGE + 0xC0, 16);
    assert_eq!(status, tm::DONE);
    let dst = words(&mut b, 3 * PAGE + 0xC0, 16);
    assert_eq!(dst, src[1..17].to_vec());
}

#[test]
fn a_write_into_a_read_only_page_stops_the_copy_with_slverr_and_latches_bm_fault() {
    let mut b = bench();
    let cfg = board_config_with(VIRTUAL_BOARD);
    let src = setup(&mut b, false);
    let status = copy(&mut b, 0x004, 5 * PAGE + 0xE0, 40);
    assert_eq!(
        status,
        tm::DONE | tm::ERROR | tm::ERROR_WRITE | RESP_SLVERR << tm::RESP_SHIFT,
        "{status:#x}"
    );
    assert_eq!(
        b.window(window::TM_MOVED),
        8,
        "the burst before the page end"
    );
    assert_eq!(b.window(window::TM_FAULT_ADDR), 6 * PAGE);
    let dst = words(&mut b, 2 * PAGE, 128);
    let mut expected = vec![GUARD; 128];
    expected[56..64].copy_from_slice(&src[1..9]);
    assert_eq!(dst, expected, "nothing written into the read-only page");
    let fault = b.reg_read(regmap::BM_FAULT.offset);
    assert_eq!(
        regmap::bm_fault::CAUSE.get(&cfg, fault),
        FaultCause::ReadOnly as u32
    );
    assert_eq!(regmap::bm_fault::WRITE.get(&cfg, fault), 1);
    assert_eq!(b.reg_read(regmap::BM_FAULT_ADDR.offset), 6 * PAGE);
    let int = b.reg_read(regmap::INT_STATUS.offset);
    assert_eq!(regmap::int_status::BM_FAULT.get(&cfg, int), 1);
    assert_ne!(b.leds() & 0b1000, 0, "the interrupt LED is lit");
}

#[test]
fn a_read_from_an_unmapped_page_stops_the_copy_with_decerr_and_writes_nothing() {
    let mut b = bench();
    let cfg = board_config_with(VIRTUAL_BOARD);
    setup(&mut b, true);
    // Logical page 7 has no valid map register.
    let status = copy(&mut b, 7 * PAGE + 0x10, 5 * PAGE, 20);
    assert_eq!(
        status,
        tm::DONE | tm::ERROR | RESP_DECERR << tm::RESP_SHIFT,
        "{status:#x}"
    );
    assert_eq!(b.window(window::TM_MOVED), 0);
    assert_eq!(b.window(window::TM_FAULT_ADDR), 7 * PAGE + 0x10);
    assert_eq!(
        words(&mut b, 2 * PAGE, 128),
        vec![GUARD; 128],
        "error beats are written with no byte lanes"
    );
    let fault = b.reg_read(regmap::BM_FAULT.offset);
    assert_eq!(
        regmap::bm_fault::CAUSE.get(&cfg, fault),
        FaultCause::Invalid as u32
    );
    assert_eq!(regmap::bm_fault::WRITE.get(&cfg, fault), 0);
    assert_eq!(b.reg_read(regmap::BM_FAULT_ADDR.offset), 7 * PAGE + 0x10);
}

/// Programs channel `ch` (single mode, 32-bit units, auto-initialize) and unmasks it.
fn start_ring(b: &mut BoardBench, ch: usize, logical: u32, units: u32, transfer: u32) {
    let cfg = board_config_with(VIRTUAL_BOARD);
    let count = units - 1;
    b.reg_write(regmap::CLEAR_FLIP_FLOP.offset, 0);
    b.reg_write(regmap::DMA_ADDR.at(ch), logical & 0xFF);
    b.reg_write(regmap::DMA_ADDR.at(ch), logical >> 8 & 0xFF);
    b.reg_write(regmap::DMA_COUNT.at(ch), count & 0xFF);
    b.reg_write(regmap::DMA_COUNT.at(ch), count >> 8);
    b.reg_write(regmap::PAGE.at(ch), logical >> 16);
    b.reg_write(regmap::CH_CONFIG.at(ch), UnitWidth::Bits32 as u32);
    let m = mode::CHANNEL.put(&cfg, ch as u32)
        | mode::TRANSFER.put(&cfg, transfer)
        | mode::AUTOINIT.put(&cfg, 1)
        | mode::MODE.put(&cfg, 1);
    b.reg_write(regmap::MODE.offset, m);
    b.reg_write(regmap::SINGLE_MASK.offset, ch as u32);
}

#[test]
fn dma_channels_stream_correctly_while_the_test_master_copies() {
    const WRITE_TRANSFER: u32 = 1;
    const READ_TRANSFER: u32 = 2;
    let mut b = bench();
    let src = setup(&mut b, true);
    // The loop-back pair, both auto-initialized over 16-unit rings in frame 0 (logical page 8):
    // channel 0 reads ring A (0x80) into the FIFO, channel 1 writes the FIFO into ring B (0x00),
    // over and over, while the test master copies.
    let ring_a: Vec<u32> = (0..16u32).map(|i| 0x0303_0303 * (i + 1)).collect();
    assert_eq!(b.write_bulk(0x80, &ring_a), OK);
    assert_eq!(b.write_bulk(0, &[GUARD; 16]), OK);
    map(&mut b, 8, 0, true);
    start_ring(&mut b, 1, 8 * PAGE, 16, WRITE_TRANSFER);
    start_ring(&mut b, 0, 8 * PAGE + 0x80, 16, READ_TRANSFER);
    let passes = |b: &mut BoardBench| b.reg_read(regmap::SNAP_COUNT.at(1)) >> 16;
    let before = passes(&mut b);
    let status = copy(&mut b, 0x004, 5 * PAGE + 0xE0, 40);
    assert_eq!(status, tm::DONE, "{status:#x}");
    let after = passes(&mut b);
    assert!(
        after > before + 2,
        "the channels kept streaming: {before} → {after} passes"
    );
    b.reg_write(regmap::ALL_MASK.offset, 0xF);
    b.run(50);
    let dst = words(&mut b, 2 * PAGE, 128);
    let mut expected = vec![GUARD; 128];
    expected[56..96].copy_from_slice(&src[1..41]);
    assert_eq!(dst, expected, "the test master's copy");
    assert_eq!(words(&mut b, 0, 16), ring_a, "ring B holds ring A's words");
    assert_eq!(words(&mut b, 0x80, 16), ring_a, "ring A unchanged");
    assert_eq!(
        words(&mut b, 0x40, 16),
        vec![0; 16],
        "nothing between the rings"
    );
    assert_eq!(b.reg_read(regmap::FAULT_CAUSE.offset), 0);
    assert_eq!(b.reg_read(regmap::BM_FAULT.offset), 0);
}
