//! Shared pieces of the board tests: clocking a rust-hdl block by hand (much faster than the
//! threaded `Simulation`), and a UART line model for the host side.

#![allow(dead_code)]

use rust_hdl::prelude::*;
use std::collections::VecDeque;

/// Propagates combinational logic until nothing changes.
pub fn settle<T: Block>(uut: &mut T) {
    assert!(simulate(uut, 10_000), "design failed to settle");
}

/// One clock: settle with the current inputs, rising edge, falling edge.
#[macro_export]
macro_rules! tick {
    ($uut:expr) => {{
        $crate::board_common::settle(&mut $uut);
        $uut.clock.next = Clock { clk: true };
        $crate::board_common::settle(&mut $uut);
        $uut.clock.next = Clock { clk: false };
        $crate::board_common::settle(&mut $uut);
    }};
}

/// The line levels of one 8N1 frame, one entry per bit: start, d0..d7, stop.
pub fn frame(byte: u8, stop: bool) -> Vec<bool> {
    let mut v = vec![false];
    v.extend((0..8).map(|i| byte >> i & 1 == 1));
    v.push(stop);
    v
}

/// Host side of a UART: a queue of line levels to drive (one per clock) and a receiver that
/// samples the other line in the middle of each bit.
pub struct LineModel {
    /// Clocks per bit of the receiver.
    pub divisor: u32,
    out: VecDeque<bool>,
    rx_state: Option<(u32, u32, u8)>,
    last: bool,
    pub received: Vec<u8>,
    pub framing_errors: usize,
}

impl LineModel {
    pub fn new(divisor: u32) -> Self {
        LineModel {
            divisor,
            out: VecDeque::new(),
            rx_state: None,
            last: true,
            received: vec![],
            framing_errors: 0,
        }
    }

    /// Queues whole bits, each `clocks_per_bit` clocks long.
    pub fn push_bits(&mut self, bits: &[bool], clocks_per_bit: u32) {
        for &b in bits {
            for _ in 0..clocks_per_bit {
                self.out.push_back(b);
            }
        }
    }

    /// Queues bytes as 8N1 frames at the model's own rate.
    pub fn send(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.push_bits(&frame(b, true), self.divisor);
        }
    }

    /// Queues the line held at `level` for `clocks`.
    pub fn hold(&mut self, level: bool, clocks: u32) {
        for _ in 0..clocks {
            self.out.push_back(level);
        }
    }

    pub fn idle(&self) -> bool {
        self.out.is_empty()
    }

    /// The level to drive in this clock (idle high when nothing is queued).
    pub fn next_level(&mut self) -> bool {
        self.out.pop_front().unwrap_or(true)
    }

    /// Observes the design's transmit line once per clock.
    pub fn observe(&mut self, line: bool) {
        let d = self.divisor;
        match self.rx_state {
            None => {
                if self.last && !line {
                    // Falling edge: sample the start bit half a bit from now.
                    self.rx_state = Some((d / 2, 0, 0));
                }
            }
            Some((wait, bit, acc)) => {
                if wait > 1 {
                    self.rx_state = Some((wait - 1, bit, acc));
                } else {
                    // Sample point of bit number `bit` (0 = start, 1..=8 data, 9 stop).
                    match bit {
                        0 if line => self.rx_state = None,
                        0 => self.rx_state = Some((d, 1, 0)),
                        1..=8 => {
                            let acc = acc | ((line as u8) << (bit - 1));
                            self.rx_state = Some((d, bit + 1, acc));
                        }
                        _ => {
                            if line {
                                self.received.push(acc);
                            } else {
                                self.framing_errors += 1;
                            }
                            self.rx_state = None;
                        }
                    }
                }
            }
        }
        self.last = line;
    }
}

use mapdma_hdl::board::{board_config, BoardTop};
use mapdma_hdl::regmap::link;

/// CRC-16/IBM-3740, as the host computes it (the `crc` crate, not the design's own).
pub fn crc16(bytes: &[u8]) -> u16 {
    crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740).checksum(bytes)
}

/// A request frame: SOF, seq, op, words − 1, addr, payload, CRC (most significant byte first).
pub fn request(seq: u8, op: u8, addr: u32, words: usize, data: &[u32]) -> Vec<u8> {
    assert!((1..=link::MAX_WORDS + 1).contains(&words));
    let mut v = vec![link::REQUEST_SOF, seq, op, (words - 1) as u8];
    v.extend(addr.to_le_bytes());
    for w in data {
        v.extend(w.to_le_bytes());
    }
    let crc = crc16(&v[1..]);
    v.extend(crc.to_be_bytes());
    v
}

/// A reply frame, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub seq: u8,
    pub words: Vec<u32>,
    pub status: u8,
}

/// Checks a reply frame's shape and CRC and takes it apart.
pub fn parse_reply(r: &[u8]) -> Reply {
    assert!(r.len() >= link::REPLY_OVERHEAD, "{r:02x?}");
    assert_eq!(r[0], link::REPLY_SOF, "{r:02x?}");
    let n = r[2] as usize;
    assert_eq!(r.len(), link::REPLY_OVERHEAD + 4 * n, "{r:02x?}");
    assert_eq!(crc16(&r[1..]), 0, "reply CRC: {r:02x?}");
    Reply {
        seq: r[1],
        words: r[3..3 + 4 * n]
            .chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        status: r[3 + 4 * n],
    }
}

/// The board design in the simulator with a host on its UART. RAM: 2^8 words = 1 KiB.
pub struct BoardBench {
    pub uut: BoardTop<8>,
    pub line: LineModel,
    pub cycle: u64,
    /// Sequence number of the last request sent.
    pub seq: u8,
}

impl BoardBench {
    /// Clocks per UART bit in the tests (the protocol does not care about the rate).
    pub const DIVISOR: u32 = 4;
    /// A nominal clock, small so that the bridge's timeout (clock/20 = 1000 clocks) is short.
    pub const CLOCK_HZ: u32 = 20_000;
    pub const TIMEOUT: u64 = 1000;

    /// The board without the test master (the iCEBreaker's design).
    pub fn new() -> Self {
        Self::with_config(&board_config())
    }

    /// The board for the DMA configuration `cfg` (with `bus_master_port`: the test master).
    pub fn with_config(cfg: &mapdma_hdl::regmap::Config) -> Self {
        let mut uut = BoardTop::<8>::new(cfg, Self::CLOCK_HZ, Self::DIVISOR);
        uut.connect_all();
        let mut b = BoardBench {
            uut,
            line: LineModel::new(Self::DIVISOR),
            cycle: 0,
            seq: 0,
        };
        b.run(20);
        b
    }

    pub fn step(&mut self) {
        self.uut.uart_rx.next = self.line.next_level();
        settle(&mut self.uut);
        self.line.observe(self.uut.uart_tx.val());
        tick!(self.uut);
        self.cycle += 1;
    }

    pub fn run(&mut self, clocks: u64) {
        for _ in 0..clocks {
            self.step();
        }
    }

    pub fn leds(&self) -> u64 {
        self.uut.leds.val().index() as u64
    }

    /// Sends `bytes` and runs until `reply_len` bytes came back; panics after a generous bound.
    pub fn transact(&mut self, bytes: &[u8], reply_len: usize) -> Vec<u8> {
        self.line.received.clear();
        self.line.send(bytes);
        let bound = (bytes.len() + reply_len + 4) as u64 * 12 * Self::DIVISOR as u64 + 2000;
        let start = self.cycle;
        while self.line.received.len() < reply_len || !self.line.idle() {
            assert!(
                self.cycle - start < bound,
                "no reply: got {:02x?} of {reply_len} bytes",
                self.line.received
            );
            self.step();
        }
        // Nothing more may follow.
        self.run(12 * Self::DIVISOR as u64);
        assert_eq!(
            self.line.received.len(),
            reply_len,
            "{:02x?}",
            self.line.received
        );
        assert_eq!(self.line.framing_errors, 0);
        std::mem::take(&mut self.line.received)
    }

    /// Sends a request frame and returns the reply frame, checked (SOF, CRC).
    pub fn frame(&mut self, request: &[u8]) -> Reply {
        self.line.received.clear();
        self.line.send(request);
        let start = self.cycle;
        loop {
            let r = &self.line.received;
            if r.len() >= 3
                && r.len() >= link::REPLY_OVERHEAD + 4 * r[2] as usize
                && self.line.idle()
            {
                break;
            }
            assert!(
                self.cycle - start < (request.len() as u64 + 600) * 12 * Self::DIVISOR as u64,
                "no reply: got {r:02x?}"
            );
            self.step();
        }
        self.run(12 * Self::DIVISOR as u64);
        assert_eq!(self.line.framing_errors, 0);
        parse_reply(&std::mem::take(&mut self.line.received))
    }

    /// One operation with a fresh sequence number.
    pub fn op(&mut self, op: u8, addr: u32, words: usize, data: &[u32]) -> Reply {
        self.seq = self.seq.wrapping_add(1);
        let req = request(self.seq, op, addr, words, data);
        let r = self.frame(&req);
        assert_eq!(r.seq, self.seq, "the reply carries the request's number");
        r
    }

    /// A one-word write: returns the status byte.
    pub fn write32(&mut self, addr: u32, value: u32) -> u8 {
        self.op(link::OP_WRITE, addr, 1, &[value]).status
    }

    /// A one-word read: returns the data and the status byte.
    pub fn read32(&mut self, addr: u32) -> (u32, u8) {
        let r = self.op(link::OP_READ, addr, 1, &[]);
        (r.words[0], r.status)
    }

    /// Writes `words` from `addr` on; returns the status byte.
    pub fn write_bulk(&mut self, addr: u32, words: &[u32]) -> u8 {
        self.op(link::OP_WRITE, addr, words.len(), words).status
    }

    /// Reads `n` words from `addr` on; returns them and the status byte.
    pub fn read_bulk(&mut self, addr: u32, n: usize) -> (Vec<u32>, u8) {
        let r = self.op(link::OP_READ, addr, n, &[]);
        assert_eq!(r.words.len(), n);
        (r.words, r.status)
    }

    /// A mapdma register write that must succeed.
    pub fn reg_write(&mut self, offset: u32, value: u32) {
        let s = self.write32(0x8000_0000 | offset, value);
        assert_eq!(s, 0xA0, "register write at {offset:#x}");
    }

    pub fn reg_read(&mut self, offset: u32) -> u32 {
        let (v, s) = self.read32(0x8000_0000 | offset);
        assert_eq!(s, 0xA0, "register read at {offset:#x}");
        v
    }

    pub fn window(&mut self, word: u32) -> u32 {
        let (v, s) = self.read32(0x4000_0000 | (word * 4));
        assert_eq!(s, 0xA0, "board window word {word}");
        v
    }
}

impl Default for BoardBench {
    fn default() -> Self {
        Self::new()
    }
}
