//! UART transmitter, 8N1: one start bit, eight data bits LSB first, one stop bit, each bit
//! `divisor` clocks long, frames back to back when the next byte is offered in time. The line idles high, also before the first reset (the output flop is
//! stored inverted, and flops power up at 0).

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct UartTx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The byte to send, taken in a clock where `valid` and `ready` are both high.
    pub data: Signal<In, Bits<8>>,
    pub valid: Signal<In, Bit>,
    /// High while no frame is being sent, and in the last clock of a stop bit.
    pub ready: Signal<Out, Bit>,
    /// The serial line.
    pub tx: Signal<Out, Bit>,
    /// Clocks per bit minus one.
    bit_last: Constant<Bits<16>>,
    busy: DFF<Bit>,
    /// Bits still to send after the current one: data bits then the stop bit (a 1).
    shift: DFF<Bits<9>>,
    bits_left: DFF<Bits<4>>,
    baud: DFF<Bits<16>>,
    line_n: DFF<Bit>,
    /// The last clock of the stop bit: a new frame may start on the next clock.
    finishing: Signal<Local, Bit>,
}

impl UartTx {
    /// A transmitter sending one bit every `divisor` clocks (clock frequency / baud rate).
    ///
    /// # Panics
    /// If `divisor` is not in 2..=65536; [`super::uart_divisor`] checks that with an error.
    pub fn new(divisor: u32) -> Self {
        assert!(
            (2..=65536).contains(&divisor),
            "UART divisor {divisor} out of range"
        );
        UartTx {
            clock: Default::default(),
            reset: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            tx: Default::default(),
            bit_last: Constant::new(((divisor - 1) as u64).to_bits()),
            busy: Default::default(),
            shift: Default::default(),
            bits_left: Default::default(),
            baud: Default::default(),
            line_n: Default::default(),
            finishing: Default::default(),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, busy, shift, bits_left, baud, line_n);
        self.finishing.next =
            self.busy.q.val() & (self.baud.q.val() == 0) & (self.bits_left.q.val() == 0);
        self.ready.next = !self.busy.q.val() | self.finishing.val();
        self.tx.next = !self.line_n.q.val();
        if self.busy.q.val() {
            if self.baud.q.val() == 0 {
                self.baud.d.next = self.bit_last.val();
                if self.bits_left.q.val() == 0 {
                    self.busy.d.next = false;
                } else {
                    self.line_n.d.next = !self.shift.q.val().get_bit(0);
                    self.shift.d.next = self.shift.q.val() >> 1;
                    self.bits_left.d.next = self.bits_left.q.val() - 1;
                }
            } else {
                self.baud.d.next = self.baud.q.val() - 1;
            }
        }
        if self.valid.val() & self.ready.val() {
            // Start bit now; then d0..d7 and the stop bit.
            self.busy.d.next = true;
            self.line_n.d.next = true;
            self.shift.d.next = bit_cast::<9, 8>(self.data.val()) | 0x100;
            self.bits_left.d.next = 9.into();
            self.baud.d.next = self.bit_last.val();
        }
        if self.reset.val() {
            self.busy.d.next = false;
            self.line_n.d.next = false;
        }
    }
}
