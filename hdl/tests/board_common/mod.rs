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
