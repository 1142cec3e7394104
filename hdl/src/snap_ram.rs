//! The snapshot store: per channel, the logical address and the units in flight latched by the
//! last SNAP_COUNT read, one write port and one synchronous read port, in block RAM.
//!
//! ```text
//!  entry c (logical_bits + 8 bits wide): { in flight [7:0], logical address [L-1:0] }
//!  write: the SNAP_COUNT read of channel c ──► mem[c]
//!  read:  SNAP_ADDR / SNAP_INFLIGHT of channel c ──► mem[c] a clock later (with the map word)
//! ```
//!
//! Why a RAM: as flip-flops the snapshots were 160 bits that only register reads look at, and
//! each bit was an input of the native registers' read multiplexer. Written as custom Verilog
//! (like `tag_ram`) to size the stored word to the configuration and to carry
//! `(* no_rw_check *)` and `(* ram_style = "block" *)` (four entries are below the size Yosys
//! puts in block RAM on its own, and as flip-flops they would be the multiplexer again): the
//! read port is only used in a clock with no write (one register read
//! per clock, and a snapshot is written by a SNAP_COUNT read, never by a SNAP_ADDR or
//! SNAP_INFLIGHT read), so Yosys need not add its read/write-collision bypass.

use rust_hdl::prelude::*;

/// Entries: one per channel (the address ports are 2 bits wide).
pub const ENTRIES: usize = 4;
/// Bit of `write_data` / `read_data` where the in-flight count starts (the address is below).
pub const INFLIGHT_LSB: usize = 32;

/// One entry as the ports carry it: in-flight count at bits 39:32, logical address at 31:0
/// (bits at and above `logical_bits` are zero and not stored).
pub type SnapWord = Bits<40>;

#[derive(LogicBlock)]
pub struct SnapRam {
    pub clock: Signal<In, Clock>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<2>>,
    pub write_data: Signal<In, SnapWord>,
    pub read_address: Signal<In, Bits<2>>,
    pub read_data: Signal<Out, SnapWord>,
    /// Stored address bits (the configuration's logical address width).
    _logical_bits: usize,
    _mem: Vec<SnapWord>,
}

impl SnapRam {
    /// A store for addresses of `logical_bits` bits (17..=32).
    pub fn new(logical_bits: u32) -> Self {
        assert!(
            (17..=32).contains(&logical_bits),
            "logical_bits {logical_bits}"
        );
        SnapRam {
            clock: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            _logical_bits: logical_bits as usize,
            _mem: vec![SnapWord::default(); ENTRIES],
        }
    }

    /// The bits of a port word that are stored (the in-flight byte and the address bits).
    fn stored(&self, word: SnapWord) -> SnapWord {
        let address_mask: SnapWord = ((1u64 << self._logical_bits) - 1).to_bits();
        let inflight_mask: SnapWord = (0xFFu64 << INFLIGHT_LSB).to_bits();
        word & (address_mask | inflight_mask)
    }
}

impl Logic for SnapRam {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.read_data.next = self._mem[self.read_address.val().index()];
            if self.write_enable.val() {
                let i = self.write_address.val().index();
                self._mem[i] = self.stored(self.write_data.val());
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let l = self._logical_bits;
        let msb = l + 8 - 1;
        let i = INFLIGHT_LSB;
        // The address bits above `logical_bits` read as zero.
        let zeros = if l < 32 {
            format!("{}'b0, ", 32 - l)
        } else {
            String::new()
        };
        Verilog::Custom(format!(
            "\
(* no_rw_check *) (* ram_style = \"block\" *) reg [{msb}:0] mem [0:{last}];
always @(posedge clock) begin
    read_data <= {{mem[read_address][{msb}:{l}], {zeros}mem[read_address][{lm1}:0]}};
    if (write_enable) mem[write_address] <= {{write_data[{im}:{i}], write_data[{lm1}:0]}};
end
",
            last = ENTRIES - 1,
            lm1 = l - 1,
            im = i + 7,
        ))
    }
}
