//! Mem2Mem: the destination side of a memory-to-memory pair (DESIGN §3a): channel 1's working
//! copy beside the issue stage, its translation, and the writer that turns returning read data
//! into writes.
//!
//! ```text
//!  issue stage (ch0 unit = read of the source) ──► AR ──► memory ──► R ──► responses
//!    │ load_pick / keep / commit                                            │ m2m tag
//!    ▼                                                                      ▼
//!  d_addr, d_count, d_at_tc (ch1) ─► stepper ─► follow ─► map copy ─► dest phys ─► dest FIFO
//!    │                                    └─► next addr/count ─► ap_* ─► channel 1 │ (in order)
//!    └─► at_tc (the pair's terminal count: channel 1's count)                      ▼
//!                                                  writer: R data + head ─► AW + W (alt)
//! ```
//!
//! Why a block of its own: the engine already issues one unit per clock; a memory-to-memory
//! unit is issued as a read of channel 0's address, so the read side needs nothing new. What
//! is new is the destination, and it must be known when the read is issued (a fault is
//! precise only if it is found before the unit moves): channel 1 advances with channel 0, one
//! unit each, so this block keeps channel 1's address and count beside the issue stage, loaded
//! and stepped exactly when the stage loads and steps channel 0 (`load_pick`, `commit`),
//! and looks its page up a clock ahead in its own copy of the map (the engine's map RAM has one
//! lookup port). The translated destination waits in a FIFO, in issue order, for its read data;
//! reads return in order, so the head always belongs to the returning beat.
//!
//! The writer holds the returning beat and its destination in a register (`beat_*`) and the
//! parent writes it from there: a beat taken in one clock is written in the next, and a new
//! beat is taken in the clock the held one is written, so the stream keeps one unit per clock.
//! Why a register: the write request and the response tracker's write tag must not depend on
//! the read beat in the same clock. rust-hdl writes each block as one `always @(*)`; a path
//! from the response tracker's beat through the parent back into the tracker's write push is a
//! loop between two blocks that Verilator (5.006) does not settle correctly, though no bit
//! depends on itself. Every output of this block comes from a register.

use crate::engine::stepper::Stepper;
use crate::tag_fifo::TagFifo;
use crate::translation::Translation;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Mem2Mem {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub master_clear: Signal<In, Bit>,
    /// COMMAND.MEM_TO_MEM.
    pub enable: Signal<In, Bit>,
    /// MAP register writes (mirrored into this block's copy of the map).
    pub wr: Signal<In, Bit>,
    pub wd: Signal<In, Bits<32>>,
    pub w_map: Signal<In, Bit>,
    pub w_map_index: Signal<In, Bits<10>>,

    /// The issue stage: holds a unit; takes the pick (of `pick_ch`) into the next clock; keeps
    /// its unit (waits); commits it (the copy steps to the following unit, as the stage's
    /// does); the unit's width code.
    pub stage_valid: Signal<In, Bit>,
    pub load_pick: Signal<In, Bit>,
    pub pick_ch: Signal<In, Bits<2>>,
    pub keep: Signal<In, Bit>,
    pub commit: Signal<In, Bit>,
    pub width: Signal<In, Bits<2>>,
    /// Channel 1's registers.
    pub c1_addr: Signal<In, Bits<16>>,
    pub c1_count: Signal<In, Bits<16>>,
    pub c1_page: Signal<In, Bits<16>>,
    pub c1_at_tc: Signal<In, Bit>,
    pub c1_base: Signal<In, Bits<16>>,
    pub c1_base_count: Signal<In, Bits<16>>,
    pub c1_autoinit: Signal<In, Bit>,
    pub c1_decrement: Signal<In, Bit>,

    /// The unit loaded into the issue stage is a memory-to-memory unit (a register: the parent
    /// ANDs it with the stage's valid, so no path runs through this block's inputs); it is
    /// the pair's terminal count
    /// (channel 1's count is 0); its destination translates (else the cause, and its logical
    /// address).
    pub pair_loaded: Signal<Out, Bit>,
    pub at_tc: Signal<Out, Bit>,
    pub dest_ok: Signal<Out, Bit>,
    pub dest_cause: Signal<Out, Bits<4>>,
    pub dest_logical: Signal<Out, Bits<32>>,
    /// The unit committed last clock, for channel 1: valid, new address and count, TC.
    pub apply: Signal<Out, Bit>,
    pub apply_addr: Signal<Out, Bits<16>>,
    pub apply_count: Signal<Out, Bits<16>>,
    pub apply_tc: Signal<Out, Bit>,

    /// Writer: a memory-to-memory read beat is delivered (`r_valid`, its data at bit 0 and
    /// width code), a memory-to-memory head is taken (`r_take`: delivered, or dropped for an
    /// error or as owed from before a master clear); the held beat is written this clock
    /// (`push`: the parent's decision from `beat_valid` and the write queues' registered room).
    pub r_valid: Signal<In, Bit>,
    pub r_take: Signal<In, Bit>,
    pub r_data: Signal<In, Bits<32>>,
    pub r_width: Signal<In, Bits<2>>,
    pub push: Signal<In, Bit>,
    /// The held beat: valid, its destination's physical address and channel 1's address
    /// register value, the unit (at bit 0) and its width code.
    pub beat_valid: Signal<Out, Bit>,
    pub beat_phys: Signal<Out, Bits<32>>,
    pub beat_addr: Signal<Out, Bits<16>>,
    pub beat_data: Signal<Out, Bits<32>>,
    pub beat_width: Signal<Out, Bits<2>>,
    /// Writes of the pair are still to be issued (a destination queued or a beat held).
    pub pending: Signal<Out, Bit>,
    pub temporary: Signal<Out, Bits<32>>,

    stepper: Stepper,
    translation: Translation,
    /// The destination queue, 48 bits in two tag FIFOs: physical address bits 23:0, and bits
    /// 31:24 with channel 1's address register value (for a bus error's FAULT_ADDR).
    dest_lo: TagFifo,
    dest_hi: TagFifo,
    pair: DFF<Bit>,
    d_addr: DFF<Bits<16>>,
    d_count: DFF<Bits<16>>,
    d_at_tc: DFF<Bit>,
    d_page: DFF<Bits<16>>,
    ap_valid: DFF<Bit>,
    ap_addr: DFF<Bits<16>>,
    ap_count: DFF<Bits<16>>,
    ap_tc: DFF<Bit>,
    temp: DFF<Bits<32>>,
    bv: DFF<Bit>,
    b_phys: DFF<Bits<32>>,
    b_addr: DFF<Bits<16>>,
    b_data: DFF<Bits<32>>,
    b_width: DFF<Bits<2>>,

    unit_v: Signal<Local, Bit>,
    phys_v: Signal<Local, Bits<32>>,
    head_hi: Signal<Local, Bits<24>>,
    lookup: Signal<Local, Bits<32>>,
}

impl Mem2Mem {
    pub fn new(cfg: &Config) -> Self {
        Mem2Mem {
            clock: Default::default(),
            reset: Default::default(),
            master_clear: Default::default(),
            enable: Default::default(),
            wr: Default::default(),
            wd: Default::default(),
            w_map: Default::default(),
            w_map_index: Default::default(),
            stage_valid: Default::default(),
            load_pick: Default::default(),
            pick_ch: Default::default(),
            keep: Default::default(),
            commit: Default::default(),
            width: Default::default(),
            c1_addr: Default::default(),
            c1_count: Default::default(),
            c1_page: Default::default(),
            c1_at_tc: Default::default(),
            c1_base: Default::default(),
            c1_base_count: Default::default(),
            c1_autoinit: Default::default(),
            c1_decrement: Default::default(),
            pair_loaded: Default::default(),
            at_tc: Default::default(),
            dest_ok: Default::default(),
            dest_cause: Default::default(),
            dest_logical: Default::default(),
            apply: Default::default(),
            apply_addr: Default::default(),
            apply_count: Default::default(),
            apply_tc: Default::default(),
            r_valid: Default::default(),
            r_take: Default::default(),
            r_data: Default::default(),
            r_width: Default::default(),
            push: Default::default(),
            beat_valid: Default::default(),
            beat_phys: Default::default(),
            beat_addr: Default::default(),
            beat_data: Default::default(),
            beat_width: Default::default(),
            pending: Default::default(),
            temporary: Default::default(),
            stepper: Default::default(),
            translation: Translation::new(cfg),
            dest_lo: Default::default(),
            dest_hi: Default::default(),
            pair: Default::default(),
            d_addr: Default::default(),
            d_count: Default::default(),
            d_at_tc: Default::default(),
            d_page: Default::default(),
            ap_valid: Default::default(),
            ap_addr: Default::default(),
            ap_count: Default::default(),
            ap_tc: Default::default(),
            temp: Default::default(),
            bv: Default::default(),
            b_phys: Default::default(),
            b_addr: Default::default(),
            b_data: Default::default(),
            b_width: Default::default(),
            unit_v: Default::default(),
            phys_v: Default::default(),
            head_hi: Default::default(),
            lookup: Default::default(),
        }
    }
}

impl Logic for Mem2Mem {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, pair, d_addr, d_count, d_at_tc, d_page, ap_valid, ap_addr, ap_count,
            ap_tc, temp, bv, b_phys, b_addr, b_data, b_width
        );
        clock!(self, clock, translation, dest_lo, dest_hi);

        // Channel 1's working copy follows the issue stage's unit of channel 0.
        self.unit_v.next = self.stage_valid.val() & self.pair.q.val();
        if self.load_pick.val() {
            self.pair.d.next = self.enable.val() & (self.pick_ch.val() == 0);
            self.d_page.d.next = self.c1_page.val();
        }
        // As in the issue stage: a pick loads an empty stage, a commit steps a full one, so
        // the registered stage valid selects the value and the two only enable the load.
        if self.load_pick.val() | (self.commit.val() & self.pair.q.val()) {
            self.d_addr.d.next = self.c1_addr.val();
            self.d_count.d.next = self.c1_count.val();
            self.d_at_tc.d.next = self.c1_at_tc.val();
            if self.stage_valid.val() {
                self.d_addr.d.next = self.stepper.follow_addr.val();
                self.d_count.d.next = self.stepper.follow_count.val();
                self.d_at_tc.d.next = self.stepper.follow_at_tc.val();
            }
        }
        self.stepper.addr.next = self.d_addr.q.val();
        self.stepper.width.next = self.width.val();
        self.stepper.decrement.next = self.c1_decrement.val();
        self.stepper.hold.next = false;
        self.stepper.at_tc.next = self.d_at_tc.q.val();
        self.stepper.base.next = self.c1_base.val();
        self.stepper.autoinit.next = self.c1_autoinit.val();
        self.stepper.count.next = self.d_count.q.val();
        self.stepper.base_count.next = self.c1_base_count.val();
        self.ap_valid.d.next = self.commit.val() & self.unit_v.val();
        self.ap_addr.d.next = self.stepper.next_addr.val();
        self.ap_count.d.next = self.stepper.next_count.val();
        self.ap_tc.d.next = self.d_at_tc.q.val();

        // The destination's map entry, a clock ahead (the same schedule as the engine's).
        self.translation.wr.next = self.wr.val();
        self.translation.wd.next = self.wd.val();
        self.translation.w_map.next = self.w_map.val();
        self.translation.w_map_index.next = self.w_map_index.val();
        self.translation.r_map_index.next = 0.into();
        // Stage empty: channel 1 as the pick will load it; full: the unit after the stage's.
        self.lookup.next =
            (bit_cast::<32, 16>(self.c1_page.val()) << 16) | bit_cast::<32, 16>(self.c1_addr.val());
        if self.stage_valid.val() {
            self.lookup.next = (bit_cast::<32, 16>(self.d_page.q.val()) << 16)
                | bit_cast::<32, 16>(self.stepper.follow_addr.val());
        }
        self.translation.lookup_logical.next = self.lookup.val();
        self.translation.unit_logical.next = (bit_cast::<32, 16>(self.d_page.q.val()) << 16)
            | bit_cast::<32, 16>(self.d_addr.q.val());
        self.translation.unit_write.next = true;
        self.translation.keep.next = self.keep.val();
        self.translation.next_write.next = true;
        self.phys_v.next = self.translation.phys.val();

        // Destinations in issue order; the writer pairs each with its returning read data.
        self.dest_lo.reset.next = self.reset.val();
        self.dest_hi.reset.next = self.reset.val();
        self.dest_lo.write.next = self.commit.val() & self.unit_v.val();
        self.dest_hi.write.next = self.commit.val() & self.unit_v.val();
        self.dest_lo.data_in.next = self.phys_v.val().get_bits::<24>(0);
        self.dest_hi.data_in.next = bit_cast::<24, 8>(self.phys_v.val().get_bits::<8>(24))
            | (bit_cast::<24, 16>(self.d_addr.q.val()) << 8);
        self.dest_lo.read.next = self.r_take.val();
        self.dest_hi.read.next = self.r_take.val();
        self.head_hi.next = self.dest_hi.data_out.val();

        // The beat register: written out (`push`) and refilled in one clock at full rate.
        if self.push.val() {
            self.bv.d.next = false;
            self.temp.d.next = self.b_data.q.val();
        }
        if self.r_valid.val() & self.r_take.val() {
            self.bv.d.next = true;
            self.b_phys.d.next = bit_cast::<32, 24>(self.dest_lo.data_out.val())
                | (bit_cast::<32, 8>(self.head_hi.val().get_bits::<8>(0)) << 24);
            self.b_addr.d.next = self.head_hi.val().get_bits::<16>(8);
            self.b_data.d.next = self.r_data.val();
            self.b_width.d.next = self.r_width.val();
        }
        // Master clear drops a held beat as it drops the reads still owed (DESIGN §3a).
        if self.reset.val() | self.master_clear.val() {
            self.temp.d.next = 0.into();
            self.bv.d.next = false;
        }
        if self.reset.val() {
            self.pair.d.next = false;
            self.ap_valid.d.next = false;
        }

        self.pair_loaded.next = self.pair.q.val();
        self.at_tc.next = self.d_at_tc.q.val();
        self.dest_ok.next = self.translation.ok.val();
        self.dest_cause.next = self.translation.cause.val();
        self.dest_logical.next = (bit_cast::<32, 16>(self.d_page.q.val()) << 16)
            | bit_cast::<32, 16>(self.d_addr.q.val());
        self.apply.next = self.ap_valid.q.val();
        self.apply_addr.next = self.ap_addr.q.val();
        self.apply_count.next = self.ap_count.q.val();
        self.apply_tc.next = self.ap_tc.q.val();
        self.beat_valid.next = self.bv.q.val();
        self.beat_phys.next = self.b_phys.q.val();
        self.beat_addr.next = self.b_addr.q.val();
        self.beat_data.next = self.b_data.q.val();
        self.beat_width.next = self.b_width.q.val();
        // The two halves are written and read together: either says the same.
        self.pending.next =
            !(self.dest_lo.empty.val() & self.dest_hi.empty.val()) | self.bv.q.val();
        self.temporary.next = self.temp.q.val();
    }
}
