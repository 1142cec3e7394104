//! The map-register file: one write port (register writes) and two synchronous read ports (`a`
//! for translation, `b` for register read-back), held in block RAM.
//!
//! Block RAM rather than flip-flops because a 32-entry × 22-bit file read through LUT
//! multiplexers costs ~700 iCE40 LUT4 per read port; two BRAM copies cost no LUTs. The
//! synchronous read is hidden by the engine's select/issue pipeline, so translation costs no
//! throughput. Written as two memories with the same write so every FPGA flow infers 1R1W RAMs.
//! Contents power up invalid (zero); reset does not touch them.
//!
//! Port `a` carries `(* no_rw_check *)`: the engine never uses a translation read in a clock in
//! which the map is written (a register write drops the issue-stage unit and selects none), so
//! Yosys need not add its read/write-collision bypass (a comparator on the lookup address and a
//! multiplexer on the entry, on the engine's critical path). Port `b` (register read-back) keeps
//! it: a read and a write of one map register can meet in one clock.

use rust_hdl::prelude::*;

/// Entry layout: the frame in the low `ENTRY_FRAME_BITS` bits, then device-may-write, then
/// valid (`translation` packs and checks it; `translation::check_layout` ties it to the MAP
/// register of `mapdma-regmap`).
pub const ENTRY_FRAME_BITS: usize = 20;
pub const ENTRY_WRITABLE_BIT: usize = ENTRY_FRAME_BITS;
pub const ENTRY_VALID_BIT: usize = ENTRY_FRAME_BITS + 1;
/// Width of the index ports (1024 entries at most).
pub const INDEX_BITS: usize = 10;

pub type Entry = Bits<22>;

#[derive(LogicBlock)]
pub struct MapRam {
    pub clock: Signal<In, Clock>,
    pub write_enable: Signal<In, Bit>,
    pub write_index: Signal<In, Bits<INDEX_BITS>>,
    pub write_data: Signal<In, Entry>,
    pub read_index_a: Signal<In, Bits<INDEX_BITS>>,
    pub read_data_a: Signal<Out, Entry>,
    pub read_index_b: Signal<In, Bits<INDEX_BITS>>,
    pub read_data_b: Signal<Out, Entry>,
    _entries: usize,
    _mem: Vec<Entry>,
}

impl MapRam {
    /// A file of `entries` map registers (a power of two, at most 1024).
    pub fn new(entries: usize) -> Self {
        assert!(entries.is_power_of_two() && entries <= 1 << INDEX_BITS);
        MapRam {
            clock: Default::default(),
            write_enable: Default::default(),
            write_index: Default::default(),
            write_data: Default::default(),
            read_index_a: Default::default(),
            read_data_a: Default::default(),
            read_index_b: Default::default(),
            read_data_b: Default::default(),
            _entries: entries,
            _mem: vec![Entry::default(); entries],
        }
    }

    fn slot(&self, index: Bits<INDEX_BITS>) -> usize {
        index.index() & (self._entries - 1)
    }
}

impl Logic for MapRam {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.read_data_a.next = self._mem[self.slot(self.read_index_a.val())];
            self.read_data_b.next = self._mem[self.slot(self.read_index_b.val())];
            if self.write_enable.val() {
                let i = self.slot(self.write_index.val());
                self._mem[i] = self.write_data.val();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data_a.connect();
        self.read_data_b.connect();
    }

    fn hdl(&self) -> Verilog {
        let last = self._entries - 1;
        let ib = self._entries.trailing_zeros().max(1);
        Verilog::Custom(format!(
            "\
(* no_rw_check *) reg [21:0] mem_a [0:{last}];
reg [21:0] mem_b [0:{last}];
integer i;
initial begin
    for (i = 0; i <= {last}; i = i + 1) begin
        mem_a[i] = 22'h0;
        mem_b[i] = 22'h0;
    end
end
always @(posedge clock) begin
    read_data_a <= mem_a[read_index_a[{ibm}:0]];
    if (write_enable) mem_a[write_index[{ibm}:0]] <= write_data;
end
always @(posedge clock) begin
    read_data_b <= mem_b[read_index_b[{ibm}:0]];
    if (write_enable) mem_b[write_index[{ibm}:0]] <= write_data;
end
",
            ibm = ib - 1
        ))
    }
}
