//! Pair: the memory-to-memory pair as the rest of the engine sees it (DESIGN §3a), with or
//! without `Mem2Mem` in the configuration.
//!
//! ```text
//!  issue stage: at TC, applied TC, channel, logical address ─┐
//!  translation: ok, cause ───────────────────────────────────┤  pair unit in the stage?
//!  m2m (0 or 1): pair_loaded, at_tc, dest_ok, dest_*, apply*, ├─► at_tc, apply_tc, dest_ok,
//!                beat_* (the writer's held beat) ─────────────┘   fault record, push, ...
//!  write queues' space, write responses' room ──► push (the writer writes its beat)
//! ```
//!
//! Why a block of its own: rust-hdl has no optional sub-block, and every input and output must
//! be driven once either way, so the choice between the pair's values and the issue stage's
//! (a pair unit's terminal count is channel 1's, its destination must translate, a destination
//! fault is channel 1's, the writer's writes go out beside the engine's) is made here, and the
//! top level only wires. Without `Mem2Mem` every output is the issue stage's value or idle.
//! `Mem2Mem`'s own outputs are all registers; the merge reads them and this clock's issue-stage
//! and translation values.

use crate::engine::mem2mem::Mem2Mem;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

/// The inputs only `Mem2Mem` reads: one set with it, none without (an input nothing reads
/// would be a lint error, and rust-hdl drives every declared input).
#[derive(LogicInterface, Default)]
pub struct PairInputs {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub master_clear: Signal<In, Bit>,
    /// COMMAND.MEM_TO_MEM and COMMAND.CH0_ADDRESS_HOLD.
    pub cmd_mem_to_mem: Signal<In, Bit>,
    pub cmd_ch0_hold: Signal<In, Bit>,
    /// MAP register writes (the destination's copy of the map).
    pub wr: Signal<In, Bit>,
    pub wd: Signal<In, Bits<32>>,
    pub w_map: Signal<In, Bit>,
    pub w_map_index: Signal<In, Bits<10>>,
    /// The issue stage (see `Issue`): valid, takes the pick, the pick's channel, keeps its
    /// unit, commits it; the unit's width.
    pub stage_valid: Signal<In, Bit>,
    pub load_pick: Signal<In, Bit>,
    pub pick_ch: Signal<In, Bits<2>>,
    pub keep: Signal<In, Bit>,
    pub commit: Signal<In, Bit>,
    pub width: Signal<In, Bits<2>>,
    /// The translation of the issue-stage unit (the source of a pair unit) has no fault.
    pub unit_ok: Signal<In, Bit>,
    /// Room for a write request (both queues) and for a write response (registered flags).
    pub write_space: Signal<In, Bit>,
    pub wr_room: Signal<In, Bit>,
    /// Memory-to-memory read beats from `Responses` (see `Mem2Mem`).
    pub r_valid: Signal<In, Bit>,
    pub r_take: Signal<In, Bit>,
    pub r_data: Signal<In, Bits<32>>,
    pub r_width: Signal<In, Bits<2>>,
    /// Channel 1's registers, the pair's destination.
    pub c1_addr: Signal<In, Bits<16>>,
    pub c1_count: Signal<In, Bits<16>>,
    pub c1_page: Signal<In, Bits<16>>,
    pub c1_at_tc: Signal<In, Bit>,
    pub c1_base: Signal<In, Bits<16>>,
    pub c1_base_count: Signal<In, Bits<16>>,
    pub c1_autoinit: Signal<In, Bit>,
    pub c1_decrement: Signal<In, Bit>,
}

#[derive(LogicBlock)]
pub struct Pair {
    /// The inputs only the pair reads (one set with `Mem2Mem`).
    pub inputs: Vec<PairInputs>,

    /// The issue-stage unit: its address register, channel (binary and one-hot), page ‖
    /// address, terminal count, translation fault cause; the applied unit's terminal count,
    /// channel and whether it had a bus access.
    pub unit_addr: Signal<In, Bits<16>>,
    pub unit_ch: Signal<In, Bits<2>>,
    pub unit_onehot: Signal<In, Bits<4>>,
    pub unit_logical: Signal<In, Bits<32>>,
    pub unit_at_tc: Signal<In, Bit>,
    pub unit_cause: Signal<In, Bits<4>>,
    pub unit_apply_tc: Signal<In, Bit>,
    pub unit_apply_oh: Signal<In, Bits<4>>,
    pub unit_apply_io: Signal<In, Bit>,

    /// COMMAND.MEM_TO_MEM with a pair configured.
    pub enable: Signal<Out, Bit>,
    /// The issue-stage unit is a pair unit; the other channels it applies to (channel 1);
    /// channel 0's address is held (the stepper keeps it).
    pub pair_unit: Signal<Out, Bit>,
    pub also_oh: Signal<Out, Bits<4>>,
    pub hold: Signal<Out, Bit>,
    /// The unit is the terminal-count unit (a pair unit's: channel 1's count); the applied
    /// unit is.
    pub at_tc: Signal<Out, Bit>,
    pub apply_tc: Signal<Out, Bit>,
    /// A pair unit's destination translates (1 for any other unit).
    pub dest_ok: Signal<Out, Bit>,
    /// Channel 1's applied unit: channel (one-hot, 0 if none), new address and count.
    pub dest_apply_oh: Signal<Out, Bits<4>>,
    pub dest_addr: Signal<Out, Bits<16>>,
    pub dest_count: Signal<Out, Bits<16>>,
    /// The fault record of the issue-stage unit: channel (one-hot), logical address, cause;
    /// the source is checked first, so a destination fault is channel 1's.
    pub fault_oh: Signal<Out, Bits<4>>,
    pub fault_logical: Signal<Out, Bits<32>>,
    pub fault_cause: Signal<Out, Bits<4>>,
    /// Writes of the pair are still to be issued (device writes wait: the writer owns the
    /// write queues); the writer takes a new beat.
    pub write_pending: Signal<Out, Bit>,
    pub beat_ready: Signal<Out, Bit>,
    /// The writer writes its held beat this clock: physical address, width code, data.
    pub push: Signal<Out, Bit>,
    pub push_phys: Signal<Out, Bits<32>>,
    pub push_width: Signal<Out, Bits<2>>,
    pub push_data: Signal<Out, Bits<32>>,
    /// The write tagged this clock (the writer's or the issue stage's): address register and
    /// channel.
    pub wunit_addr: Signal<Out, Bits<16>>,
    pub wunit_ch: Signal<Out, Bits<2>>,
    /// The units counted in flight from this clock (one-hot): the issue stage's applied unit
    /// with a bus access, the writer's write (channel 1).
    pub applied_io_oh: Signal<Out, Bits<4>>,
    /// The temporary register (the last unit of a memory-to-memory transfer).
    pub temporary: Signal<Out, Bits<32>>,

    m2m: Vec<Mem2Mem>,
    /// Channel 1, one-hot.
    k_dest: Constant<Bits<4>>,

    // Combinational scratch: every output is assigned once, at the end (Icarus settles).
    enable_v: Signal<Local, Bit>,
    pair_v: Signal<Local, Bit>,
    hold_v: Signal<Local, Bit>,
    at_tc_v: Signal<Local, Bit>,
    apply_tc_v: Signal<Local, Bit>,
    dest_ok_v: Signal<Local, Bit>,
    dest_apply_v: Signal<Local, Bits<4>>,
    dest_addr_v: Signal<Local, Bits<16>>,
    dest_count_v: Signal<Local, Bits<16>>,
    fault_oh_v: Signal<Local, Bits<4>>,
    fault_logical_v: Signal<Local, Bits<32>>,
    fault_cause_v: Signal<Local, Bits<4>>,
    pending_v: Signal<Local, Bit>,
    beat_ready_v: Signal<Local, Bit>,
    push_v: Signal<Local, Bit>,
    push_phys_v: Signal<Local, Bits<32>>,
    push_width_v: Signal<Local, Bits<2>>,
    push_data_v: Signal<Local, Bits<32>>,
    push_addr_v: Signal<Local, Bits<16>>,
    temporary_v: Signal<Local, Bits<32>>,
    wunit_addr_v: Signal<Local, Bits<16>>,
    wunit_ch_v: Signal<Local, Bits<2>>,
    applied_io_v: Signal<Local, Bits<4>>,
}

impl Pair {
    pub fn new(cfg: &Config) -> Self {
        let present = cfg.has_memory_to_memory() as usize;
        Pair {
            inputs: (0..present).map(|_| PairInputs::default()).collect(),
            unit_addr: Default::default(),
            unit_ch: Default::default(),
            unit_onehot: Default::default(),
            unit_logical: Default::default(),
            unit_at_tc: Default::default(),
            unit_apply_tc: Default::default(),
            unit_apply_oh: Default::default(),
            unit_apply_io: Default::default(),
            unit_cause: Default::default(),
            enable: Default::default(),
            pair_unit: Default::default(),
            also_oh: Default::default(),
            hold: Default::default(),
            at_tc: Default::default(),
            apply_tc: Default::default(),
            dest_ok: Default::default(),
            dest_apply_oh: Default::default(),
            dest_addr: Default::default(),
            dest_count: Default::default(),
            fault_oh: Default::default(),
            fault_logical: Default::default(),
            fault_cause: Default::default(),
            write_pending: Default::default(),
            beat_ready: Default::default(),
            push: Default::default(),
            push_phys: Default::default(),
            push_width: Default::default(),
            push_data: Default::default(),
            wunit_addr: Default::default(),
            wunit_ch: Default::default(),
            applied_io_oh: Default::default(),
            temporary: Default::default(),
            m2m: (0..present).map(|_| Mem2Mem::new(cfg)).collect(),
            k_dest: Constant::new(super::PAIR_DEST_ONEHOT.to_bits()),
            enable_v: Default::default(),
            pair_v: Default::default(),
            hold_v: Default::default(),
            at_tc_v: Default::default(),
            apply_tc_v: Default::default(),
            dest_ok_v: Default::default(),
            dest_apply_v: Default::default(),
            dest_addr_v: Default::default(),
            dest_count_v: Default::default(),
            fault_oh_v: Default::default(),
            fault_logical_v: Default::default(),
            fault_cause_v: Default::default(),
            pending_v: Default::default(),
            beat_ready_v: Default::default(),
            push_v: Default::default(),
            push_phys_v: Default::default(),
            push_width_v: Default::default(),
            push_data_v: Default::default(),
            push_addr_v: Default::default(),
            temporary_v: Default::default(),
            wunit_addr_v: Default::default(),
            wunit_ch_v: Default::default(),
            applied_io_v: Default::default(),
        }
    }
}

impl Logic for Pair {
    #[hdl_gen]
    fn update(&mut self) {
        // Without the pair: the issue stage's values, no writer.
        self.enable_v.next = false;
        self.pair_v.next = false;
        self.hold_v.next = false;
        self.at_tc_v.next = self.unit_at_tc.val();
        self.apply_tc_v.next = self.unit_apply_tc.val();
        self.dest_ok_v.next = true;
        self.dest_apply_v.next = 0.into();
        self.dest_addr_v.next = 0.into();
        self.dest_count_v.next = 0.into();
        self.fault_oh_v.next = self.unit_onehot.val();
        self.fault_logical_v.next = self.unit_logical.val();
        self.fault_cause_v.next = self.unit_cause.val();
        self.pending_v.next = false;
        self.beat_ready_v.next = false;
        self.push_v.next = false;
        self.push_phys_v.next = 0.into();
        self.push_width_v.next = 0.into();
        self.push_data_v.next = 0.into();
        self.push_addr_v.next = 0.into();
        self.temporary_v.next = 0.into();
        for i in 0..self.m2m.len() {
            self.m2m[i].clock.next = self.inputs[i].clock.val();
            self.m2m[i].reset.next = self.inputs[i].reset.val();
            self.m2m[i].master_clear.next = self.inputs[i].master_clear.val();
            self.m2m[i].enable.next = self.inputs[i].cmd_mem_to_mem.val();
            self.m2m[i].wr.next = self.inputs[i].wr.val();
            self.m2m[i].wd.next = self.inputs[i].wd.val();
            self.m2m[i].w_map.next = self.inputs[i].w_map.val();
            self.m2m[i].w_map_index.next = self.inputs[i].w_map_index.val();
            self.m2m[i].stage_valid.next = self.inputs[i].stage_valid.val();
            self.m2m[i].load_pick.next = self.inputs[i].load_pick.val();
            self.m2m[i].pick_ch.next = self.inputs[i].pick_ch.val();
            self.m2m[i].keep.next = self.inputs[i].keep.val();
            self.m2m[i].commit.next = self.inputs[i].commit.val();
            self.m2m[i].width.next = self.inputs[i].width.val();
            self.m2m[i].c1_addr.next = self.inputs[i].c1_addr.val();
            self.m2m[i].c1_count.next = self.inputs[i].c1_count.val();
            self.m2m[i].c1_page.next = self.inputs[i].c1_page.val();
            self.m2m[i].c1_at_tc.next = self.inputs[i].c1_at_tc.val();
            self.m2m[i].c1_base.next = self.inputs[i].c1_base.val();
            self.m2m[i].c1_base_count.next = self.inputs[i].c1_base_count.val();
            self.m2m[i].c1_autoinit.next = self.inputs[i].c1_autoinit.val();
            self.m2m[i].c1_decrement.next = self.inputs[i].c1_decrement.val();
            self.m2m[i].r_valid.next = self.inputs[i].r_valid.val();
            self.m2m[i].r_take.next = self.inputs[i].r_take.val();
            self.m2m[i].r_data.next = self.inputs[i].r_data.val();
            self.m2m[i].r_width.next = self.inputs[i].r_width.val();

            self.enable_v.next = self.inputs[i].cmd_mem_to_mem.val();
            self.pair_v.next = self.inputs[i].stage_valid.val() & self.m2m[i].pair_loaded.val();
            self.hold_v.next = self.pair_v.val() & self.inputs[i].cmd_ch0_hold.val();
            if self.pair_v.val() {
                self.at_tc_v.next = self.m2m[i].at_tc.val();
                self.dest_ok_v.next = self.m2m[i].dest_ok.val();
            }
            if self.m2m[i].apply.val() {
                self.apply_tc_v.next = self.m2m[i].apply_tc.val();
                self.dest_apply_v.next = self.k_dest.val();
            }
            self.dest_addr_v.next = self.m2m[i].apply_addr.val();
            self.dest_count_v.next = self.m2m[i].apply_count.val();
            // The source is checked first: a destination fault is channel 1's.
            if self.pair_v.val() & self.inputs[i].unit_ok.val() {
                self.fault_oh_v.next = self.k_dest.val();
                self.fault_logical_v.next = self.m2m[i].dest_logical.val();
                self.fault_cause_v.next = self.m2m[i].dest_cause.val();
            }
            self.pending_v.next = self.m2m[i].pending.val();
            // The writer: the held beat is written when both write queues and the write
            // responses have room (registered flags); a new beat is taken while none is held
            // or the held one is written.
            self.push_v.next = self.m2m[i].beat_valid.val()
                & self.inputs[i].write_space.val()
                & self.inputs[i].wr_room.val();
            self.beat_ready_v.next = !self.m2m[i].beat_valid.val() | self.push_v.val();
            self.push_phys_v.next = self.m2m[i].beat_phys.val();
            self.push_width_v.next = self.m2m[i].beat_width.val();
            self.push_data_v.next = self.m2m[i].beat_data.val();
            self.push_addr_v.next = self.m2m[i].beat_addr.val();
            self.temporary_v.next = self.m2m[i].temporary.val();
            self.m2m[i].push.next = self.push_v.val();
        }

        // The write tagged this clock: the writer's (channel 1) or the issue stage's.
        self.wunit_addr_v.next = self.unit_addr.val();
        self.wunit_ch_v.next = self.unit_ch.val();
        if self.push_v.val() {
            self.wunit_addr_v.next = self.push_addr_v.val();
            self.wunit_ch_v.next = 1.into();
        }
        // The engine's unit counts from its apply stage (a pair unit there is channel 0's
        // read); the writer's write of channel 1 from its push (its B lands clocks later).
        self.applied_io_v.next = 0.into();
        if self.unit_apply_io.val() {
            self.applied_io_v.next = self.unit_apply_oh.val();
        }
        if self.push_v.val() {
            self.applied_io_v.next = self.applied_io_v.val() | self.k_dest.val();
        }

        self.enable.next = self.enable_v.val();
        self.pair_unit.next = self.pair_v.val();
        self.also_oh.next = bit_cast::<4, 1>(self.pair_v.val().into()) << 1;
        self.hold.next = self.hold_v.val();
        self.at_tc.next = self.at_tc_v.val();
        self.apply_tc.next = self.apply_tc_v.val();
        self.dest_ok.next = self.dest_ok_v.val();
        self.dest_apply_oh.next = self.dest_apply_v.val();
        self.dest_addr.next = self.dest_addr_v.val();
        self.dest_count.next = self.dest_count_v.val();
        self.fault_oh.next = self.fault_oh_v.val();
        self.fault_logical.next = self.fault_logical_v.val();
        self.fault_cause.next = self.fault_cause_v.val();
        self.write_pending.next = self.pending_v.val();
        self.beat_ready.next = self.beat_ready_v.val();
        self.push.next = self.push_v.val();
        self.push_phys.next = self.push_phys_v.val();
        self.push_width.next = self.push_width_v.val();
        self.push_data.next = self.push_data_v.val();
        self.wunit_addr.next = self.wunit_addr_v.val();
        self.wunit_ch.next = self.wunit_ch_v.val();
        self.applied_io_oh.next = self.applied_io_v.val();
        self.temporary.next = self.temporary_v.val();
    }
}
