//! The tag FIFO's storage: 32 entries, one write port, one synchronous read port, in block RAM.
//!
//! Written as custom Verilog (rather than rust-hdl's `RAM`) to carry `(* no_rw_check *)`: the
//! FIFO never uses a read of the entry being written in the same clock (a write becomes visible
//! two clocks later), so Yosys need not add its read/write-collision bypass, which sat on the
//! response path (tag → channel → RREADY → fault capture).

use crate::tag_fifo::Tag;
use rust_hdl::prelude::*;

/// Entries (the address ports are 5 bits wide).
pub const ENTRIES: usize = crate::tag_fifo::DEPTH;

#[derive(LogicBlock)]
pub struct TagRam {
    pub clock: Signal<In, Clock>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<5>>,
    pub write_data: Signal<In, Tag>,
    pub read_address: Signal<In, Bits<5>>,
    pub read_data: Signal<Out, Tag>,
    _mem: Vec<Tag>,
}

impl Default for TagRam {
    fn default() -> Self {
        TagRam {
            clock: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            _mem: vec![Tag::default(); ENTRIES],
        }
    }
}

impl Logic for TagRam {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.read_data.next = self._mem[self.read_address.val().index()];
            if self.write_enable.val() {
                let i = self.write_address.val().index();
                self._mem[i] = self.write_data.val();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
(* no_rw_check *) reg [{msb}:0] mem [0:{last}];
always @(posedge clock) begin
    read_data <= mem[read_address];
    if (write_enable) mem[write_address] <= write_data;
end
",
            msb = <Tag as Synth>::BITS - 1,
            last = ENTRIES - 1
        ))
    }
}
