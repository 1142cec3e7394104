//! The UART bridge's framed protocol (`hdl/src/board/PROTOCOL.md`, version 2) against the whole
//! board design in the rust-hdl simulator: board window, memory, mapdma registers, bulk
//! transfers, the version query, duplicate frames, corrupt, cut and half-sent frames, framing
//! errors and garbage on the line.

mod board_common;

use board_common::{parse_reply, request, BoardBench};
use mapdma_hdl::board::{board_config, window, BOARD_ID, PROTOCOL_VERSION};
use mapdma_hdl::regmap::{self, link};

const OK: u8 = 0xA0;
const SLVERR: u8 = 0xA2;
const DECERR: u8 = 0xA3;
const REG: u32 = 0x8000_0000;
const WIN: u32 = 0x4000_0000;
const RAM_BYTES: u32 = 1024;

#[test]
fn the_board_window_identifies_the_board() {
    let mut b = BoardBench::new();
    assert_eq!(b.window(window::ID), BOARD_ID);
    assert_eq!(b.window(window::VERSION), PROTOCOL_VERSION);
    assert_eq!(b.window(window::RAM_BYTES), RAM_BYTES);
    assert_eq!(b.window(window::CLOCK_HZ), BoardBench::CLOCK_HZ);
    assert_eq!(b.window(window::UART_DIVISOR), BoardBench::DIVISOR);
    assert_eq!(
        b.window(window::LOOP_STATUS),
        1,
        "loop-back FIFO empty, not full"
    );
    assert_eq!(
        b.window(window::FEATURES),
        0,
        "no test master on this board"
    );
    let (v, s) = b.read32(WIN | (window::TM_FAULT_ADDR * 4));
    assert_eq!(
        (v, s),
        (0, SLVERR),
        "without the test master no word 15 in the window"
    );
}

#[test]
fn memory_words_are_written_and_read_back() {
    let mut b = BoardBench::new();
    assert_eq!(b.write32(0x10, 0xDEAD_BEEF), OK);
    assert_eq!(b.write32(RAM_BYTES - 4, 0x0123_4567), OK);
    assert_eq!(b.read32(0x10), (0xDEAD_BEEF, OK));
    assert_eq!(b.read32(RAM_BYTES - 4), (0x0123_4567, OK));
    assert_eq!(b.read32(0x14), (0, OK), "untouched RAM powers up as zero");
}

#[test]
fn memory_outside_the_ram_answers_decode_error() {
    let mut b = BoardBench::new();
    assert_eq!(b.write32(RAM_BYTES, 0x5555_5555), DECERR);
    assert_eq!(b.read32(RAM_BYTES), (0, DECERR));
    // The write did not wrap around onto word 0.
    assert_eq!(b.read32(0), (0, OK));
}

#[test]
fn bulk_write_and_bulk_read() {
    let mut b = BoardBench::new();
    let words: Vec<u32> = (0..20u32).map(|i| i.wrapping_mul(0x9E37_79B9)).collect();
    assert_eq!(b.write_bulk(0x100, &words), OK);
    assert_eq!(b.read_bulk(0x100, 20), (words.clone(), OK));
    // Single reads agree with the bulk view.
    assert_eq!(b.read32(0x100 + 4 * 7), (words[7], OK));
    // A bulk read running off the end: in-range words arrive, the status reports DECERR.
    let (got, s) = b.read_bulk(RAM_BYTES - 8, 4);
    assert_eq!(s, DECERR);
    assert_eq!(&got[2..], &[0, 0]);
}

#[test]
fn mapdma_registers_are_reached_through_the_register_window() {
    let mut b = BoardBench::new();
    let cfg = board_config();
    assert_eq!(b.reg_read(regmap::ID.offset), regmap::ID_MAGIC);
    assert_eq!(b.reg_read(regmap::CONFIG0.offset), cfg.config0());
    assert_eq!(b.reg_read(regmap::CONFIG1.offset), cfg.config1());
    let entry = regmap::map::VALID.put(&cfg, 1) | regmap::map::FRAME.put(&cfg, 3);
    b.reg_write(regmap::MAP.at(5), entry);
    assert_eq!(b.reg_read(regmap::MAP.at(5)), entry);
    // A map register beyond the configuration has no register behind it.
    let beyond = regmap::MAP.offset + 4 * cfg.map_registers as u32;
    assert_eq!(b.read32(REG | beyond), (0, SLVERR));
    assert_eq!(b.write32(REG | beyond, 1), SLVERR);
}

/// Runs until `n` reply bytes arrived (or panics), then a little longer.
fn await_bytes(b: &mut BoardBench, n: usize) -> Vec<u8> {
    let mut guard = 0;
    while b.line.received.len() < n {
        b.step();
        guard += 1;
        assert!(guard < 20_000, "got {:02x?} of {n} bytes", b.line.received);
    }
    b.run(12 * BoardBench::DIVISOR as u64);
    std::mem::take(&mut b.line.received)
}

/// A rejected frame: a reply with no data and status NAK | reason.
fn nak(b: &mut BoardBench, bytes: &[u8]) -> u8 {
    let r = b.frame(bytes);
    assert!(r.words.is_empty(), "{r:?}");
    assert_eq!(r.status & 0xF0, link::NAK, "{r:?}");
    r.status & 0x0F
}

#[test]
fn the_version_query_is_answered_outside_the_framing() {
    let mut b = BoardBench::new();
    let r = parse_reply(&b.transact(&[link::QUERY], link::REPLY_OVERHEAD + 4));
    assert_eq!(r.status, link::STATUS_VERSION, "no frame executed yet");
    assert_eq!(r.words, vec![link::version_word()]);
    assert_eq!(r.words[0] & 0xFF, PROTOCOL_VERSION);
    b.seq = 0x41;
    b.write32(0x10, 5);
    let r = parse_reply(&b.transact(&[link::QUERY], link::REPLY_OVERHEAD + 4));
    assert_eq!((r.seq, r.status), (0x42, link::STATUS_VERSION | 1));
}

#[test]
fn a_repeated_sequence_number_is_answered_from_the_cache_not_executed() {
    let mut b = BoardBench::new();
    // The 8237 address port moves the byte-pointer flip-flop on every write: executing the
    // repeat would put 0x12 into the high byte and 0x34 into the low one.
    b.reg_write(regmap::CLEAR_FLIP_FLOP.offset, 0);
    let low = request(7, link::OP_WRITE, REG | regmap::DMA_ADDR.at(0), 1, &[0x12]);
    assert_eq!(b.frame(&low).status, OK);
    let again = b.frame(&low);
    assert_eq!((again.seq, again.status), (7, OK | link::STATUS_DUPLICATE));
    b.seq = 7;
    b.reg_write(regmap::DMA_ADDR.at(0), 0x34);
    b.reg_write(regmap::CLEAR_FLIP_FLOP.offset, 0);
    assert_eq!(b.reg_read(regmap::DMA_ADDR.at(0)), 0x12);
    assert_eq!(b.reg_read(regmap::DMA_ADDR.at(0)), 0x34);
    // The cached status is the first execution's, a failed write included; reads too.
    let bad = request(9, link::OP_WRITE, RAM_BYTES, 1, &[1]);
    assert_eq!(b.frame(&bad).status, DECERR);
    assert_eq!(b.frame(&bad).status, DECERR | link::STATUS_DUPLICATE);
    let read = request(10, link::OP_READ, 0x10, 2, &[]);
    assert_eq!(b.frame(&read).words.len(), 2);
    let dup = b.frame(&read);
    assert_eq!(
        (dup.words.len(), dup.status),
        (0, OK | link::STATUS_DUPLICATE)
    );
}

#[test]
fn a_frame_with_a_flipped_bit_anywhere_is_refused_and_nothing_is_written() {
    let mut b = BoardBench::new();
    let good = request(3, link::OP_WRITE, 0x40, 2, &[0x1111_1111, 0x2222_2222]);
    // Every bit after the SOF (a flipped SOF is no frame at all: tested below).
    for bit in 8..good.len() * 8 {
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let reason = if bit / 8 == 2 || bit / 8 == 3 && bit % 8 == 7 {
            link::NAK_HEADER // the op or a count beyond MAX_WORDS
        } else {
            link::NAK_CRC
        };
        if bit / 8 == 3 && bit % 8 != 7 {
            // Another count: a longer frame waits for more payload and times out silently, a
            // shorter one fails its CRC early (and its tail is hunted through). Either way
            // nothing is written: checked at the end.
            b.line.send(&bad);
            b.run(BoardBench::TIMEOUT + 2000);
            b.line.received.clear();
            continue;
        }
        assert_eq!(nak(&mut b, &bad), reason, "bit {bit}");
    }
    assert_eq!(b.read_bulk(0x40, 2), (vec![0, 0], OK));
    // A flipped SOF: the rest is not a frame and is not answered.
    let mut bad = good.clone();
    bad[0] ^= 0x10;
    b.line.send(&bad);
    b.run(BoardBench::TIMEOUT + 2000);
    assert!(b.line.received.is_empty());
    assert_eq!(b.frame(&good).status, OK);
    assert_eq!(b.read_bulk(0x40, 2), (vec![0x1111_1111, 0x2222_2222], OK));
}

#[test]
fn an_unknown_op_or_a_count_beyond_the_buffer_is_a_bad_header() {
    let mut b = BoardBench::new();
    assert_eq!(
        nak(&mut b, &request(1, b'?', 0x10, 1, &[])),
        link::NAK_HEADER
    );
    let too_many = vec![7u32; link::MAX_WORDS + 1];
    let mut frame = request(2, link::OP_WRITE, 0x10, link::MAX_WORDS + 1, &too_many);
    frame.truncate(8);
    assert_eq!(nak(&mut b, &frame), link::NAK_HEADER);
    // The largest frame works.
    let words: Vec<u32> = (0..link::MAX_WORDS as u32)
        .map(|i| i * 0x0101_0101)
        .collect();
    assert_eq!(b.write_bulk(0, &words), OK);
    assert_eq!(b.read_bulk(0, link::MAX_WORDS), (words, OK));
}

#[test]
fn a_framing_error_inside_a_frame_drops_it() {
    let mut b = BoardBench::new();
    let d = BoardBench::DIVISOR;
    let good = request(5, link::OP_WRITE, 0x10, 1, &[0xAB]);
    b.line.received.clear();
    b.line.send(&good[..6]);
    b.line.push_bits(&board_common::frame(0x00, false), d);
    b.line.hold(true, 2 * d);
    let r = parse_reply(&await_bytes(&mut b, link::REPLY_OVERHEAD));
    assert_eq!(r.status, link::NAK | link::NAK_FRAMING);
    assert_ne!(b.leds() & 1, 0, "the fault LED shows the framing error");
    assert_eq!(b.read32(0x10), (0, OK), "nothing was written");
}

#[test]
fn a_half_sent_frame_is_dropped_after_the_timeout() {
    let mut b = BoardBench::new();
    let good = request(5, link::OP_WRITE, 0x20, 1, &[7]);
    b.line.send(&good[..9]);
    // The 9 bytes on the line, then the timeout.
    b.run(9 * 10 * BoardBench::DIVISOR as u64 + BoardBench::TIMEOUT + 200);
    assert!(b.line.received.is_empty(), "a dropped frame has no reply");
    assert_eq!(b.read32(0x20), (0, OK));
    assert_eq!(b.write32(0x20, 7), OK);
}

#[test]
fn a_cut_frame_followed_at_once_by_a_valid_one_executes_neither_partly() {
    let mut b = BoardBench::new();
    let cut = request(1, link::OP_WRITE, 0x80, 2, &[0xAAAA_AAAA, 0xBBBB_BBBB]);
    let next = request(2, link::OP_WRITE, 0x90, 1, &[0xCCCC_CCCC]);
    let mut stream = cut[..11].to_vec();
    stream.extend(&next);
    b.line.received.clear();
    b.line.send(&stream);
    b.run(BoardBench::TIMEOUT + 3000);
    // The cut frame swallowed the valid one as payload: one CRC error, nothing executed.
    let r = parse_reply(&std::mem::take(&mut b.line.received));
    assert_eq!(r.status, link::NAK | link::NAK_CRC);
    b.seq = 2;
    assert_eq!(b.read_bulk(0x80, 5), (vec![0; 5], OK));
    // The host's retry of the valid frame goes through.
    assert_eq!(b.frame(&next).status, OK);
    assert_eq!(b.read32(0x90), (0xCCCC_CCCC, OK));
}

#[test]
fn garbage_between_frames_is_skipped() {
    let mut b = BoardBench::new();
    b.line.send(&[0x00, 0xFF, 0xA5, 0x13, 0x57, 0x52]);
    b.run(400);
    assert!(b.line.received.is_empty());
    assert_eq!(b.write32(0x30, 0xCAFE_F00D), OK);
    // Bytes sent while the bridge answers are ignored, not taken for a frame.
    let read = request(0x77, link::OP_READ, 0x30, 1, &[]);
    let mut stream = read.clone();
    stream.extend(request(0x78, link::OP_WRITE, 0x30, 1, &[0]));
    let r = parse_reply(&b.transact(&stream, link::REPLY_OVERHEAD + 4));
    assert_eq!((r.words[0], r.status), (0xCAFE_F00D, OK));
    b.run(BoardBench::TIMEOUT + 400);
    b.line.received.clear();
    b.seq = 0x78;
    assert_eq!(b.read32(0x30), (0xCAFE_F00D, OK));
}

#[test]
fn the_board_design_passes_rust_hdls_checks() {
    let top = mapdma_hdl::board::build_board::<8>(&board_config(), 12_000_000, 115_200);
    assert!(top.is_ok(), "{:?}", top.err());
    let mut b = BoardBench::new();
    b.step();
    assert!(b.uut.uart_tx.val(), "the UART idles high");
}
