//! First-word-fall-through FIFO of AXI response tags, with synchronous reset.
//!
//! rust-hdl's `SynchronousFIFO` cannot be reset, and a reset in the middle of a burst must
//! forget the tags of transactions that will never be answered. Storage is a 32-entry block RAM
//! (`tag_ram`); a write becomes visible at the output two clocks later, which is always before
//! its AXI response can arrive (request register + at least one clock of latency).
//!
//! The RAM takes `data_in` into the tail slot in every clock in which the FIFO is not full, and
//! `write` only moves the tail past it. The tail slot holds no entry (nor the head's, unless
//! the FIFO is empty, when the head is not read), so the extra writes are harmless, and `write`
//! (the engine's commit decision, the latest signal of the clock) reaches the six pointer
//! flip-flops alone, not the block RAM's write enable.

use crate::tag_ram::TagRam;
use rust_hdl::prelude::*;

/// A tag (its layout belongs to `responses`).
pub type Tag = Bits<24>;
/// Entries; the engine never has more transactions outstanding than this.
pub const DEPTH: usize = 32;

#[derive(LogicBlock, Default)]
pub struct TagFifo {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub write: Signal<In, Bit>,
    pub data_in: Signal<In, Tag>,
    pub read: Signal<In, Bit>,
    pub data_out: Signal<Out, Tag>,
    pub empty: Signal<Out, Bit>,
    ram: TagRam,
    wr_ptr: DFF<Bits<6>>,
    wr_visible: DFF<Bits<6>>,
    rd_ptr: DFF<Bits<6>>,
    rd_next: Signal<Local, Bits<6>>,
    /// Every slot holds an entry: the tail slot is the head's.
    full: Signal<Local, Bit>,
    /// The head pointer after this clock's read (if any).
    rd_sel: Signal<Local, Bits<6>>,
}

impl Logic for TagFifo {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr_ptr, wr_visible, rd_ptr);
        self.ram.clock.next = self.clock.val();
        self.full.next = (self.wr_ptr.q.val().get_bits::<5>(0)
            == self.rd_ptr.q.val().get_bits::<5>(0))
            & (self.wr_ptr.q.val().get_bit(5) != self.rd_ptr.q.val().get_bit(5));
        self.ram.write_enable.next = !self.full.val();
        self.ram.write_address.next = self.wr_ptr.q.val().get_bits::<5>(0);
        self.ram.write_data.next = self.data_in.val();
        if self.write.val() {
            self.wr_ptr.d.next = self.wr_ptr.q.val() + 1;
        }
        self.wr_visible.d.next = self.wr_ptr.q.val();
        self.empty.next = self.rd_ptr.q.val() == self.wr_visible.q.val();
        // Read ahead: the RAM output always holds the entry at the head.
        // The RAM's read address is assigned once per evaluation (the sub-module's inputs must
        // not glitch in an event-driven simulator), so the choice goes through `rd_sel`.
        self.rd_next.next = self.rd_ptr.q.val() + 1;
        self.rd_sel.next = self.rd_ptr.q.val();
        if self.read.val() & (self.rd_ptr.q.val() != self.wr_visible.q.val()) {
            self.rd_sel.next = self.rd_next.val();
        }
        self.rd_ptr.d.next = self.rd_sel.val();
        self.ram.read_address.next = self.rd_sel.val().get_bits::<5>(0);
        self.data_out.next = self.ram.read_data.val();
        if self.reset.val() {
            self.wr_ptr.d.next = 0.into();
            self.wr_visible.d.next = 0.into();
            self.rd_ptr.d.next = 0.into();
        }
    }
}
