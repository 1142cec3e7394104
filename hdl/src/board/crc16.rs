//! CRC-16/IBM-3740 (CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final
//! xor) advanced by one byte, combinationally. The frame receiver and the reply transmitter
//! each use one; the host computes the same CRC with the `crc` crate.
//!
//! ```text
//!   crc_in ──┬──▶ x = (crc_in >> 8) ^ data ──▶ y = x ^ (x >> 4) ──┐
//!   data ────┘                                                     ▼
//!   crc_out = (crc_in << 8) ^ (y << 12) ^ (y << 5) ^ y   (16 bits)
//! ```
//!
//! A frame followed by its CRC, most significant byte first, leaves the register at 0, so the
//! receiver checks a frame without storing the CRC it received.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Crc16 {
    pub crc_in: Signal<In, Bits<16>>,
    pub data: Signal<In, Bits<8>>,
    pub crc_out: Signal<Out, Bits<16>>,
    x: Signal<Local, Bits<16>>,
    y: Signal<Local, Bits<16>>,
}

impl Logic for Crc16 {
    #[hdl_gen]
    fn update(&mut self) {
        self.x.next = ((self.crc_in.val() >> 8) ^ bit_cast::<16, 8>(self.data.val())) & 0xFF;
        self.y.next = self.x.val() ^ (self.x.val() >> 4);
        self.crc_out.next =
            (self.crc_in.val() << 8) ^ (self.y.val() << 12) ^ (self.y.val() << 5) ^ self.y.val();
    }
}
