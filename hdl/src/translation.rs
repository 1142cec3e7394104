//! Translation: the map registers (in `map_ram`) and the check of a unit against its entry,
//! giving the physical address or the fault cause (DESIGN §4).
//!
//! ```text
//!  lookup_logical ──► page ──► map RAM port a ──(1 clock)──► entry ─┬─► frame ‖ offset ──► phys
//!            └──► page < map_registers? ──► in_range (register) ───┴─► cause (0 = none)
//!  wr + MAP decode ──► entry packing ──► write port;  MAP read index ──► port b ──► map_word
//! ```
//!
//! Why a block of its own: the lookup starts a clock before its answer is used at issue, so the
//! range check is registered beside the RAM read (the issue stage then decides from registers
//! and the entry alone), and the packing between the MAP register view and the stored entry
//! lives in one place.
//!
//! The lookup address never waits for the issue stage's commit decision: while a unit is in the
//! stage, the lookup is already for the unit that follows it. If the unit waits instead of
//! committing (`keep`), its own entry and range check are kept in `held_*` and used in place of
//! the RAM output (`fresh` low) until it leaves the stage.

use crate::map_ram::{MapRam, ENTRY_FRAME_BITS, ENTRY_VALID_BIT, ENTRY_WRITABLE_BIT};
use mapdma_regmap as regmap;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Translation {
    pub clock: Signal<In, Clock>,
    /// A MAP register write (`wr` and the decode) and its value.
    pub wr: Signal<In, Bit>,
    pub wd: Signal<In, Bits<32>>,
    pub w_map: Signal<In, Bit>,
    pub w_map_index: Signal<In, Bits<10>>,
    /// MAP register read-back: the index read this clock; its word is ready next clock.
    pub r_map_index: Signal<In, Bits<10>>,
    pub map_word: Signal<Out, Bits<32>>,
    /// The entry this clock's MAP write stores, for other copies of the map (`bm_port`).
    pub map_entry: Signal<Out, Bits<22>>,

    /// The logical address whose entry the issue stage needs next clock.
    pub lookup_logical: Signal<In, Bits<32>>,
    /// The issue-stage unit (looked up last clock): logical address, and a write transfer
    /// (which needs DEVICE_MAY_WRITE).
    pub unit_logical: Signal<In, Bits<32>>,
    pub unit_write: Signal<In, Bit>,
    /// The issue-stage unit stays into the next clock: keep its entry.
    pub keep: Signal<In, Bit>,
    /// The unit in the stage next clock (if it is a new one: the pick or the following unit)
    /// is a write transfer.
    pub next_write: Signal<In, Bit>,
    /// Its physical address (byte-exact, not yet unit-aligned) and fault cause (0: none).
    pub phys: Signal<Out, Bits<32>>,
    pub cause: Signal<Out, Bits<4>>,
    /// No fault (`cause` = 0), computed apart on a short path: the commit decision needs it.
    pub ok: Signal<Out, Bit>,

    map: MapRam,
    /// The issue-stage unit's page has a map register: computed at lookup time beside the map
    /// RAM read, so the range check is off the select → commit path.
    in_range: DFF<Bit>,
    /// The RAM output is the issue-stage unit's entry (it entered the stage this clock);
    /// otherwise `held_entry`/`held_range` are.
    fresh: DFF<Bit>,
    held_entry: DFF<Bits<22>>,
    held_range: DFF<Bit>,
    /// Last clock's `ok`, the result while the unit waits (`fresh` low).
    held_ok: DFF<Bit>,
    /// `ok` as a sum of registered terms and two entry bits: a fresh entry in range, for a
    /// read (`valid` suffices) or a write (`valid` and `writable`), or the held result. So the
    /// RAM output passes one LUT on its way into the commit decision, not three.
    ok_read: DFF<Bit>,
    ok_write: DFF<Bit>,

    k_page_shift: Constant<Bits<5>>,
    /// log2(page size × map registers): logical addresses at or above `1 << k_range_shift`
    /// have no map register (map registers are a power of two).
    k_range_shift: Constant<Bits<6>>,
    k_offset_mask: Constant<Bits<32>>,
    k_frame_mask: Constant<Bits<20>>,
    /// Entry bit masks, and where the two flag bits sit in the entry and in the MAP register.
    k_entry_valid: Constant<Bits<22>>,
    k_entry_writable: Constant<Bits<22>>,
    k_entry_flags: Constant<Bits<5>>,
    k_reg_flags: Constant<Bits<5>>,
    k_fc_range: Constant<Bits<4>>,
    k_fc_invalid: Constant<Bits<4>>,
    k_fc_read_only: Constant<Bits<4>>,

    lookup_page: Signal<Local, Bits<32>>,
    /// The MAP register's flag bits at bit 0, and the read-back entry's.
    wd_flags: Signal<Local, Bits<32>>,
    entry_flags: Signal<Local, Bits<22>>,
    fault_cause: Signal<Local, Bits<4>>,
    entry: Signal<Local, Bits<22>>,
    range_ok: Signal<Local, Bit>,
    ok_v: Signal<Local, Bit>,
    in_range_v: Signal<Local, Bit>,
}

impl Translation {
    pub fn new(cfg: &Config) -> Self {
        check_layout();
        assert!(cfg.frame_bits() as usize <= ENTRY_FRAME_BITS);
        let cause = |c: regmap::FaultCause| Constant::new((c as u64).to_bits());
        Translation {
            clock: Default::default(),
            wr: Default::default(),
            wd: Default::default(),
            w_map: Default::default(),
            w_map_index: Default::default(),
            r_map_index: Default::default(),
            map_word: Default::default(),
            map_entry: Default::default(),
            lookup_logical: Default::default(),
            unit_logical: Default::default(),
            unit_write: Default::default(),
            keep: Default::default(),
            next_write: Default::default(),
            phys: Default::default(),
            cause: Default::default(),
            ok: Default::default(),
            map: MapRam::new(cfg.map_registers),
            in_range: Default::default(),
            fresh: Default::default(),
            held_entry: Default::default(),
            held_range: Default::default(),
            ok_read: Default::default(),
            ok_write: Default::default(),
            held_ok: Default::default(),
            k_page_shift: Constant::new((cfg.page_shift as u64).to_bits()),
            k_range_shift: Constant::new(
                ((cfg.page_shift + cfg.map_registers.trailing_zeros()) as u64).to_bits(),
            ),
            k_offset_mask: Constant::new((cfg.page_size() - 1).to_bits()),
            k_frame_mask: Constant::new(((1u64 << cfg.frame_bits()) - 1).to_bits()),
            k_entry_valid: Constant::new((1u64 << ENTRY_VALID_BIT).to_bits()),
            k_entry_writable: Constant::new((1u64 << ENTRY_WRITABLE_BIT).to_bits()),
            k_entry_flags: Constant::new((ENTRY_WRITABLE_BIT as u64).to_bits()),
            k_reg_flags: Constant::new((regmap::map::WRITABLE.lsb as u64).to_bits()),
            k_fc_range: cause(regmap::FaultCause::OutOfRange),
            k_fc_invalid: cause(regmap::FaultCause::Invalid),
            k_fc_read_only: cause(regmap::FaultCause::ReadOnly),
            lookup_page: Default::default(),
            wd_flags: Default::default(),
            entry_flags: Default::default(),
            fault_cause: Default::default(),
            entry: Default::default(),
            range_ok: Default::default(),
            ok_v: Default::default(),
            in_range_v: Default::default(),
        }
    }
}

/// The entry keeps the MAP register's frame at bit 0 and its two flags (device-may-write,
/// valid) next to each other above the frame, in the same order as the register.
pub fn check_layout() {
    use regmap::map;
    assert_eq!(map::FRAME.lsb, 0);
    assert_eq!(map::VALID.lsb, map::WRITABLE.lsb + 1);
    assert_eq!(ENTRY_WRITABLE_BIT, ENTRY_FRAME_BITS);
    assert_eq!(ENTRY_VALID_BIT, ENTRY_WRITABLE_BIT + 1);
}

impl Logic for Translation {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, in_range, fresh, held_entry, held_range, held_ok, ok_read, ok_write
        );
        clock!(self, clock, map);

        // Register side: MAP writes and read-back.
        self.map.write_enable.next = self.wr.val() & self.w_map.val();
        self.map.write_index.next = self.w_map_index.val();
        self.wd_flags.next = self.wd.val() >> self.k_reg_flags.val();
        self.map_entry.next =
            bit_cast::<22, 20>(self.wd.val().get_bits::<20>(0) & self.k_frame_mask.val())
                | (bit_cast::<22, 2>(self.wd_flags.val().get_bits::<2>(0))
                    << self.k_entry_flags.val());
        self.map.write_data.next = self.map_entry.val();
        self.map.read_index_b.next = self.r_map_index.val();
        self.entry_flags.next = self.map.read_data_b.val() >> self.k_entry_flags.val();
        self.map_word.next = bit_cast::<32, 20>(self.map.read_data_b.val().get_bits::<20>(0))
            | (bit_cast::<32, 2>(self.entry_flags.val().get_bits::<2>(0))
                << self.k_reg_flags.val());

        // Lookup for next clock's issue-stage unit, with its range check.
        self.lookup_page.next = self.lookup_logical.val() >> self.k_page_shift.val();
        self.map.read_index_a.next = self.lookup_page.val().get_bits::<10>(0);
        self.in_range_v.next = (self.lookup_logical.val() >> self.k_range_shift.val()) == 0;
        self.in_range.d.next = self.in_range_v.val();

        // The issue-stage unit's entry: looked up last clock, or held while it waits.
        self.entry.next = self.held_entry.q.val();
        self.range_ok.next = self.held_range.q.val();
        if self.fresh.q.val() {
            self.entry.next = self.map.read_data_a.val();
            self.range_ok.next = self.in_range.q.val();
        }
        // The same check as `cause` below, as one flag: `fresh ? in_range & valid & (!write |
        // writable) : ok_v of last clock`, with everything but the two entry bits registered a clock
        // ahead (`fresh` is `!keep`, and the next unit's transfer type is known then).
        // (No term reads `keep` and this clock's `ok`: that would be a loop between this block
        // and the commit decision in Verilator's eyes.)
        self.ok_v.next = (!self.fresh.q.val() & self.held_ok.q.val())
            | ((self.map.read_data_a.val() & self.k_entry_valid.val()).any()
                & (self.ok_read.q.val()
                    | (self.ok_write.q.val()
                        & (self.map.read_data_a.val() & self.k_entry_writable.val()).any())));
        self.ok_read.d.next = !self.keep.val() & self.in_range_v.val() & !self.next_write.val();
        self.ok_write.d.next = !self.keep.val() & self.in_range_v.val() & self.next_write.val();
        self.held_ok.d.next = self.ok_v.val();
        self.held_entry.d.next = self.entry.val();
        self.held_range.d.next = self.range_ok.val();
        self.fresh.d.next = !self.keep.val();

        // Check of the issue-stage unit against its entry.
        self.phys.next = (bit_cast::<32, 20>(self.entry.val().get_bits::<20>(0))
            << self.k_page_shift.val())
            | (self.unit_logical.val() & self.k_offset_mask.val());
        self.fault_cause.next = 0.into();
        if !self.range_ok.val() {
            self.fault_cause.next = self.k_fc_range.val();
        } else if !(self.entry.val() & self.k_entry_valid.val()).any() {
            self.fault_cause.next = self.k_fc_invalid.val();
        } else if self.unit_write.val() & !(self.entry.val() & self.k_entry_writable.val()).any() {
            self.fault_cause.next = self.k_fc_read_only.val();
        }
        self.cause.next = self.fault_cause.val();
        self.ok.next = self.ok_v.val();
    }
}
