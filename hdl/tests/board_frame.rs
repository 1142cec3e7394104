//! The link's building blocks alone in the rust-hdl simulator: the CRC against the host's CRC
//! crate, and the frame receiver fed byte by byte (outcome pulses, header fields, payload in
//! its block RAM, resynchronisation).

mod board_common;

use board_common::{crc16, request, settle};
use mapdma_hdl::board::{Crc16, FrameRx, ReplyTx};
use mapdma_hdl::regmap::link;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

#[test]
fn the_crc_block_agrees_with_the_crc_crate() {
    let mut uut = Crc16::default();
    uut.connect_all();
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    for len in [0usize, 1, 2, 9, 64] {
        for _ in 0..8 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            let mut crc = 0xFFFFu16;
            for &b in &bytes {
                uut.crc_in.next = (crc as u64).to_bits();
                uut.data.next = (b as u64).to_bits();
                settle(&mut uut);
                crc = uut.crc_out.val().index() as u16;
            }
            assert_eq!(crc, crc16(&bytes), "{bytes:02x?}");
        }
    }
    // The check value of CRC-16/IBM-3740, and the zero residue the receiver relies on.
    assert_eq!(crc16(b"123456789"), 0x29B1);
    let mut framed = b"123456789".to_vec();
    framed.extend(0x29B1u16.to_be_bytes());
    assert_eq!(crc16(&framed), 0);
}

/// What the receiver reported in one clock.
#[derive(Debug, PartialEq, Eq)]
enum Pulse {
    Ok,
    Bad(u8),
    Query,
}

struct Rx {
    uut: FrameRx,
}

impl Rx {
    const TIMEOUT: u32 = 50;

    fn new() -> Self {
        let mut uut = FrameRx::new(Self::TIMEOUT);
        uut.connect_all();
        uut.enable.next = true;
        let mut rx = Rx { uut };
        rx.uut.reset.next = true;
        rx.clock(None, false);
        rx.uut.reset.next = false;
        rx
    }

    /// One clock, with a byte (or a framing error) arriving in it; the pulse seen.
    fn clock(&mut self, byte: Option<u8>, error: bool) -> Option<Pulse> {
        self.uut.rx_valid.next = byte.is_some();
        self.uut.rx_data.next = (byte.unwrap_or(0) as u64).to_bits();
        self.uut.rx_error.next = error;
        settle(&mut self.uut);
        let pulse = if self.uut.frame_ok.val() {
            Some(Pulse::Ok)
        } else if self.uut.frame_bad.val() {
            Some(Pulse::Bad(self.uut.bad_reason.val().index() as u8))
        } else if self.uut.query.val() {
            Some(Pulse::Query)
        } else {
            None
        };
        self.uut.clock.next = Clock { clk: true };
        settle(&mut self.uut);
        self.uut.clock.next = Clock { clk: false };
        settle(&mut self.uut);
        self.uut.rx_valid.next = false;
        self.uut.rx_error.next = false;
        pulse
    }

    /// Bytes, with three idle clocks between them; every pulse seen.
    fn feed(&mut self, bytes: &[u8]) -> Vec<Pulse> {
        let mut out = vec![];
        for &b in bytes {
            out.extend(self.clock(Some(b), false));
            for _ in 0..3 {
                out.extend(self.clock(None, false));
            }
        }
        out
    }

    fn payload(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| {
                self.uut.rd_addr.next = (i as u64).to_bits();
                self.clock(None, false);
                self.uut.rd_data.val().index() as u8
            })
            .collect()
    }
}

#[test]
fn a_good_frame_pulses_ok_with_its_header_and_payload() {
    let mut rx = Rx::new();
    let words = [0x0403_0201u32, 0x0807_0605, 0xFFEE_DDCC];
    let f = request(0x3C, link::OP_WRITE, 0x8000_1004, 3, &words);
    assert_eq!(rx.feed(&f), vec![Pulse::Ok]);
    assert_eq!(rx.uut.seq.val().index(), 0x3C);
    assert!(rx.uut.op_write.val());
    assert_eq!(rx.uut.count.val().index(), 2);
    assert_eq!(rx.uut.addr.val().index(), 0x8000_1004);
    let expected: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    assert_eq!(rx.payload(12), expected);
    let r = request(0x3D, link::OP_READ, 0x40, 128, &[]);
    assert_eq!(rx.feed(&r), vec![Pulse::Ok]);
    assert!(!rx.uut.op_write.val());
    assert_eq!(rx.uut.count.val().index(), 127);
}

#[test]
fn corrupt_frames_pulse_bad_and_the_receiver_hunts_again() {
    let mut rx = Rx::new();
    let good = request(1, link::OP_WRITE, 0x10, 1, &[0xDEAD_BEEF]);
    let mut bad = good.clone();
    bad[9] ^= 0x40;
    assert_eq!(rx.feed(&bad), vec![Pulse::Bad(link::NAK_CRC)]);
    let mut bad = good.clone();
    bad[2] = b'X';
    assert_eq!(rx.feed(&bad[..3]), vec![Pulse::Bad(link::NAK_HEADER)]);
    // Garbage without a SOF or a query byte is skipped; the query byte is reported.
    assert_eq!(
        rx.feed(&[0x00, 0xA5, 0xFF, link::QUERY]),
        vec![Pulse::Query]
    );
    assert_eq!(rx.feed(&good), vec![Pulse::Ok]);
    // A framing error inside a frame.
    rx.feed(&good[..5]);
    assert_eq!(rx.clock(None, true), Some(Pulse::Bad(link::NAK_FRAMING)));
    // ... but not between frames.
    assert_eq!(rx.clock(None, true), None);
    assert_eq!(rx.feed(&good), vec![Pulse::Ok]);
}

#[test]
fn silence_drops_a_half_frame_and_a_busy_executor_ignores_bytes() {
    let mut rx = Rx::new();
    let good = request(2, link::OP_READ, 0x10, 1, &[]);
    rx.feed(&good[..4]);
    for _ in 0..2 * Rx::TIMEOUT {
        assert_eq!(rx.clock(None, false), None);
    }
    assert_eq!(
        rx.feed(&good),
        vec![Pulse::Ok],
        "hunting again after the timeout"
    );
    rx.uut.enable.next = false;
    assert_eq!(rx.feed(&good), vec![]);
    rx.uut.enable.next = true;
    assert_eq!(rx.feed(&good), vec![Pulse::Ok]);
}

/// The reply transmitter alone: `n` words pulled one by one (each offered a random number of
/// clocks after it is asked for), the UART taking bytes at random; the bytes it sent, and how
/// often `status_sent` and `done` pulsed.
fn reply_bytes(seq: u8, words: &[u32], status: u8, seed: u64) -> (Vec<u8>, usize, usize) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut uut = ReplyTx::default();
    uut.connect_all();
    let tick = |uut: &mut ReplyTx| {
        uut.clock.next = Clock { clk: true };
        settle(uut);
        uut.clock.next = Clock { clk: false };
        settle(uut);
    };
    uut.reset.next = true;
    tick(&mut uut);
    uut.reset.next = false;
    uut.start.next = true;
    uut.seq.next = (seq as u64).to_bits();
    uut.n_words.next = (words.len() as u64).to_bits();
    uut.status.next = (status as u64).to_bits();
    settle(&mut uut);
    tick(&mut uut);
    uut.start.next = false;
    let (mut out, mut status_pulses, mut done_pulses) = (vec![], 0, 0);
    let mut next_word = 0;
    let mut wait = 0;
    for _ in 0..2000 {
        uut.tx_ready.next = rng.gen_bool(0.4);
        uut.word_valid.next = false;
        settle(&mut uut);
        if uut.want_word.val() {
            if wait == 0 {
                uut.word.next = (words[next_word] as u64).to_bits();
                uut.word_valid.next = true;
                next_word += 1;
                wait = rng.gen_range(0..4);
            } else {
                wait -= 1;
            }
            settle(&mut uut);
        }
        if uut.tx_valid.val() && uut.tx_ready.val() {
            out.push(uut.tx_data.val().index() as u8);
        }
        status_pulses += uut.status_sent.val() as usize;
        done_pulses += uut.done.val() as usize;
        tick(&mut uut);
        if done_pulses > 0 {
            assert!(uut.idle.val(), "idle once the reply is out");
            break;
        }
    }
    (out, status_pulses, done_pulses)
}

#[test]
fn the_reply_transmitter_frames_pulled_words_and_ends_with_the_crc() {
    for (seed, words) in [
        (1u64, vec![]),
        (2, vec![0x4433_2211]),
        (3, vec![0xDEAD_BEEF, 0x0102_0304, 0xFFFF_0000]),
    ] {
        let (bytes, status_pulses, done_pulses) = reply_bytes(0x37, &words, link::STATUS, seed);
        let mut want = vec![link::REPLY_SOF, 0x37, words.len() as u8];
        for w in &words {
            want.extend(w.to_le_bytes());
        }
        want.push(link::STATUS);
        want.extend(crc16(&want[1..]).to_be_bytes());
        assert_eq!(bytes, want, "{words:x?}");
        assert_eq!((status_pulses, done_pulses), (1, 1));
    }
}
