//! The system RAM's storage: four byte lanes of `2^A` bytes, one read and one write per clock.
//!
//! ```text
//!  wr_addr >> 2, wr_data[8k+7:8k], wr_go & wr_lanes[k] ─► lane k (k = 0..3) ─┐
//!  rd_addr >> 2 ──────────────────────────────────────► lane k ──────────────┴─► read_data
//!                                                        (the clock after rd_addr)
//! ```
//!
//! Why four lanes rather than one 32-bit memory: each WSTRB bit then enables its own memory,
//! which Yosys maps onto `SB_RAM40_4K` blocks as they are (a byte-enabled 32-bit memory would
//! need read-modify-write or logic around the block RAM).

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct ByteLanes<const A: usize> {
    pub clock: Signal<In, Clock>,
    /// Write `wr_data` under `wr_lanes` at byte address `wr_addr` (bits 1:0 ignored).
    pub wr_go: Signal<In, Bit>,
    pub wr_addr: Signal<In, Bits<32>>,
    pub wr_data: Signal<In, Bits<32>>,
    pub wr_lanes: Signal<In, Bits<4>>,
    /// Read at byte address `rd_addr`; the word is on `read_data` the next clock.
    pub rd_addr: Signal<In, Bits<32>>,
    pub read_data: Signal<Out, Bits<32>>,

    lane0: RAM<Bits<8>, A>,
    lane1: RAM<Bits<8>, A>,
    lane2: RAM<Bits<8>, A>,
    lane3: RAM<Bits<8>, A>,
    word: Signal<Local, Bits<32>>,
    rd_word: Signal<Local, Bits<32>>,
}

impl<const A: usize> Logic for ByteLanes<A> {
    #[hdl_gen]
    fn update(&mut self) {
        self.lane0.read_clock.next = self.clock.val();
        self.lane1.read_clock.next = self.clock.val();
        self.lane2.read_clock.next = self.clock.val();
        self.lane3.read_clock.next = self.clock.val();
        self.lane0.write_clock.next = self.clock.val();
        self.lane1.write_clock.next = self.clock.val();
        self.lane2.write_clock.next = self.clock.val();
        self.lane3.write_clock.next = self.clock.val();
        self.read_data.next = bit_cast::<32, 8>(self.lane0.read_data.val())
            | (bit_cast::<32, 8>(self.lane1.read_data.val()) << 8)
            | (bit_cast::<32, 8>(self.lane2.read_data.val()) << 16)
            | (bit_cast::<32, 8>(self.lane3.read_data.val()) << 24);

        self.word.next = self.wr_addr.val() >> 2;
        self.lane0.write_address.next = bit_cast::<A, 32>(self.word.val());
        self.lane1.write_address.next = bit_cast::<A, 32>(self.word.val());
        self.lane2.write_address.next = bit_cast::<A, 32>(self.word.val());
        self.lane3.write_address.next = bit_cast::<A, 32>(self.word.val());
        self.lane0.write_data.next = self.wr_data.val().get_bits::<8>(0);
        self.lane1.write_data.next = self.wr_data.val().get_bits::<8>(8);
        self.lane2.write_data.next = self.wr_data.val().get_bits::<8>(16);
        self.lane3.write_data.next = self.wr_data.val().get_bits::<8>(24);
        self.lane0.write_enable.next = self.wr_go.val() & self.wr_lanes.val().get_bit(0);
        self.lane1.write_enable.next = self.wr_go.val() & self.wr_lanes.val().get_bit(1);
        self.lane2.write_enable.next = self.wr_go.val() & self.wr_lanes.val().get_bit(2);
        self.lane3.write_enable.next = self.wr_go.val() & self.wr_lanes.val().get_bit(3);

        self.rd_word.next = self.rd_addr.val() >> 2;
        self.lane0.read_address.next = bit_cast::<A, 32>(self.rd_word.val());
        self.lane1.read_address.next = bit_cast::<A, 32>(self.rd_word.val());
        self.lane2.read_address.next = bit_cast::<A, 32>(self.rd_word.val());
        self.lane3.read_address.next = bit_cast::<A, 32>(self.rd_word.val());
    }
}
