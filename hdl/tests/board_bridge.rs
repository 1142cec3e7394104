//! The UART bridge's byte protocol (`hdl/src/board/PROTOCOL.md`) against the whole board
//! design in the rust-hdl simulator: board window, memory, mapdma registers, bulk transfers,
//! error replies, framing errors, timeouts and overruns.

mod board_common;

use board_common::BoardBench;
use mapdma_hdl::board::{board_config, window, BOARD_ID, PROTOCOL_VERSION};
use mapdma_hdl::regmap;

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
    let (v, s) = b.read32(WIN | 0x3C);
    assert_eq!((v, s), (0, SLVERR), "no word 15 in the window");
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

#[test]
fn an_unknown_opcode_is_answered_and_the_bridge_goes_on() {
    let mut b = BoardBench::new();
    assert_eq!(b.transact(b"?", 1), vec![0xE1]);
    assert_eq!(b.transact(&[0x00], 1), vec![0xE1]);
    assert_eq!(b.window(window::ID), BOARD_ID);
}

#[test]
fn a_framing_error_inside_a_command_abandons_it() {
    let mut b = BoardBench::new();
    let d = BoardBench::DIVISOR;
    b.line.received.clear();
    b.line.send(&[b'W', 0x10, 0x00]);
    b.line.push_bits(&board_common::frame(0x00, false), d);
    b.line.hold(true, 2 * d);
    let mut guard = 0;
    while b.line.received.is_empty() {
        b.step();
        guard += 1;
        assert!(guard < 2000, "no reply to the framing error");
    }
    assert_eq!(b.line.received, vec![0xE2]);
    assert_ne!(b.leds() & 1, 0, "the fault LED shows the framing error");
    b.run(20 * d as u64);
    b.line.received.clear();
    // Nothing was written, and the next command is understood.
    assert_eq!(b.read32(0x10), (0, OK));
}

#[test]
fn a_half_sent_command_is_dropped_after_the_timeout() {
    let mut b = BoardBench::new();
    b.line.send(&[b'W', 0x20, 0x00, 0x00]);
    b.run(BoardBench::TIMEOUT + 200);
    assert!(
        b.line.received.is_empty(),
        "an abandoned command has no reply"
    );
    assert_eq!(b.read32(0x20), (0, OK));
    assert_eq!(b.write32(0x20, 7), OK);
}

#[test]
fn bytes_sent_while_the_bridge_answers_are_an_overrun() {
    let mut b = BoardBench::new();
    assert_eq!(b.write32(0x30, 0xCAFE_F00D), OK);
    // A read followed at once by more bytes: one is held, the next ones overrun.
    let mut cmd = vec![b'R'];
    cmd.extend(0x30u32.to_le_bytes());
    cmd.extend([b'R', 0x30, 0x00, 0x00, 0x00]);
    b.line.received.clear();
    b.line.send(&cmd);
    let mut guard = 0;
    while b.line.received.len() < 5 {
        b.step();
        guard += 1;
        assert!(guard < 4000);
    }
    assert_eq!(&b.line.received[..4], &0xCAFE_F00Du32.to_le_bytes());
    assert_eq!(b.line.received[4], OK | 0x04, "status reports the overrun");
    // The held 'R' lost its address bytes: it times out, then the bridge works again.
    b.run(BoardBench::TIMEOUT + 400);
    b.line.received.clear();
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
