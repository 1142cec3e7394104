//! UART receiver, 8N1. The line passes a two-flop synchronizer (it comes from another clock
//! domain); a falling edge starts a frame, the start bit is checked again half a bit later, and
//! every following bit is sampled in its middle.
//!
//! Framing error: a stop bit that reads 0. The byte is discarded, `frame_error` pulses, and the
//! receiver waits for the line to return high before it looks for the next start bit, so a
//! break (line held low) yields one error, not a stream of 0x00 bytes.

use rust_hdl::prelude::*;

#[derive(Copy, Clone, Debug, PartialEq, Eq, LogicState)]
pub enum RxState {
    Idle,
    Start,
    Data,
    Stop,
    /// After a framing error: waiting for the line to go high.
    Break,
}

#[derive(LogicBlock)]
pub struct UartRx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The serial line (asynchronous).
    pub rx: Signal<In, Bit>,
    /// The received byte, valid in the clock `valid` pulses.
    pub data: Signal<Out, Bits<8>>,
    /// One-clock pulse per good byte.
    pub valid: Signal<Out, Bit>,
    /// One-clock pulse per frame whose stop bit was 0 (its byte is discarded).
    pub frame_error: Signal<Out, Bit>,
    /// Clocks per bit minus one, and half of that: the start bit is re-checked mid-bit.
    bit_last: Constant<Bits<16>>,
    half_last: Constant<Bits<16>>,
    // The synchronizer holds the inverted line, so that power-up (0) reads as idle (high).
    sync0_n: DFF<Bit>,
    sync1_n: DFF<Bit>,
    state: DFF<RxState>,
    baud: DFF<Bits<16>>,
    bits: DFF<Bits<3>>,
    shift: DFF<Bits<8>>,
    out_data: DFF<Bits<8>>,
    out_valid: DFF<Bit>,
    out_error: DFF<Bit>,
    line: Signal<Local, Bit>,
}

impl UartRx {
    /// A receiver for one bit every `divisor` clocks (clock frequency / baud rate).
    ///
    /// # Panics
    /// If `divisor` is not in 4..=65536; [`super::uart_divisor`] checks that with an error.
    pub fn new(divisor: u32) -> Self {
        assert!(
            (4..=65536).contains(&divisor),
            "UART divisor {divisor} out of range"
        );
        UartRx {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            frame_error: Default::default(),
            bit_last: Constant::new(((divisor - 1) as u64).to_bits()),
            // The synchronizer delays the edge and the samples alike, so half a bit after the
            // edge is seen is the middle of the start bit.
            half_last: Constant::new(((divisor / 2 - 1) as u64).to_bits()),
            sync0_n: Default::default(),
            sync1_n: Default::default(),
            state: Default::default(),
            baud: Default::default(),
            bits: Default::default(),
            shift: Default::default(),
            out_data: Default::default(),
            out_valid: Default::default(),
            out_error: Default::default(),
            line: Default::default(),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, sync0_n, sync1_n, state, baud, bits, shift, out_data, out_valid, out_error
        );
        self.line.next = !self.sync1_n.q.val();
        self.sync0_n.d.next = !self.rx.val();
        self.sync1_n.d.next = self.sync0_n.q.val();
        self.out_valid.d.next = false;
        self.out_error.d.next = false;
        self.data.next = self.out_data.q.val();
        self.valid.next = self.out_valid.q.val();
        self.frame_error.next = self.out_error.q.val();
        if self.baud.q.val() != 0 {
            self.baud.d.next = self.baud.q.val() - 1;
        }
        match self.state.q.val() {
            RxState::Idle => {
                if !self.line.val() {
                    self.state.d.next = RxState::Start;
                    self.baud.d.next = self.half_last.val();
                }
            }
            RxState::Start => {
                if self.baud.q.val() == 0 {
                    if self.line.val() {
                        // A glitch, not a start bit.
                        self.state.d.next = RxState::Idle;
                    } else {
                        self.state.d.next = RxState::Data;
                        self.baud.d.next = self.bit_last.val();
                        self.bits.d.next = 0.into();
                    }
                }
            }
            RxState::Data => {
                if self.baud.q.val() == 0 {
                    self.shift.d.next = self.shift.q.val() >> 1;
                    if self.line.val() {
                        self.shift.d.next = (self.shift.q.val() >> 1) | 0x80;
                    }
                    self.baud.d.next = self.bit_last.val();
                    self.bits.d.next = self.bits.q.val() + 1;
                    if self.bits.q.val() == 7 {
                        self.state.d.next = RxState::Stop;
                    }
                }
            }
            RxState::Stop => {
                if self.baud.q.val() == 0 {
                    if self.line.val() {
                        self.out_data.d.next = self.shift.q.val();
                        self.out_valid.d.next = true;
                        self.state.d.next = RxState::Idle;
                    } else {
                        self.out_error.d.next = true;
                        self.state.d.next = RxState::Break;
                    }
                }
            }
            RxState::Break => {
                if self.line.val() {
                    self.state.d.next = RxState::Idle;
                }
            }
            _ => {
                self.state.d.next = RxState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = RxState::Idle;
            self.out_valid.d.next = false;
            self.out_error.d.next = false;
        }
    }
}
