//! AXI4 responses: which unit each R beat and B response belongs to, and what to do with it.
//!
//! ```text
//!  issue ──► tag (addr, channel, lane, width, TC) ──► rd_tags ──► R: shift lanes ──► snk[ch]
//!                                                 └─► wr_tags ──► B: error?  ──► w_fault[ch]
//!            outstanding counters ──► rd_room / wr_room (registered)
//!            per-channel units in flight (applied, response not yet taken) ──► inflight
//! ```
//!
//! Responses come back in order (one AXI ID), so a FIFO of tags written at issue names the
//! unit of every response. After a master clear the responses still owed are counted down and
//! discarded (DESIGN §2). The tag layout is private to this block.

use crate::tag_fifo::{Tag, TagFifo};
use rust_hdl::prelude::*;

/// Tag layout (bit positions in [`Tag`]), used through the `k_tag_*` constants (rust-hdl's
/// Verilog generator takes literals or constants, not Rust paths).
mod tag {
    /// 16-bit address register of the unit.
    pub const ADDR_LSB: u64 = 0;
    /// 2 bits.
    pub const CHANNEL_LSB: u64 = 16;
    /// 2 bits: byte lane of the unit in the data word.
    pub const LANE_LSB: u64 = 18;
    /// 2 bits: 0 = 8, 1 = 16, 2 = 32 bits.
    pub const WIDTH_LSB: u64 = 20;
    /// The unit that reached terminal count.
    pub const TC_BIT: u64 = 22;
    /// A memory-to-memory read: its data goes to the `mem2mem` writer, not to a device sink.
    pub const M2M_BIT: u64 = 23;
}

#[derive(LogicBlock)]
pub struct Responses {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub master_clear: Signal<In, Bit>,

    /// A read / write unit is issued this clock, with its description.
    pub push_read: Signal<In, Bit>,
    pub push_write: Signal<In, Bit>,
    pub unit_addr: Signal<In, Bits<16>>,
    pub unit_channel: Signal<In, Bits<2>>,
    pub unit_lane: Signal<In, Bits<2>>,
    pub unit_width: Signal<In, Bits<2>>,
    pub unit_tc: Signal<In, Bit>,
    /// The channel (one-hot) whose issued unit reaches its registers this clock (the apply
    /// stage, a clock after the issue): counted in flight from then, so the in-flight count
    /// and the channel's address and count registers show a unit from the same clock.
    pub applied_oh: Signal<In, Bits<4>>,
    /// The read unit is a memory-to-memory read (DESIGN §3a).
    pub unit_m2m: Signal<In, Bit>,
    /// The write pushed this clock (`push_write`): its address register and channel (a
    /// memory-to-memory write is pushed by the writer, beside a read pushed by the engine).
    pub wunit_addr: Signal<In, Bits<16>>,
    pub wunit_channel: Signal<In, Bits<2>>,
    /// Fewer than `outstanding` reads / writes in flight (registered).
    pub rd_room: Signal<Out, Bit>,
    pub wr_room: Signal<Out, Bit>,

    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
    pub rdata: Signal<In, Bits<32>>,
    pub rresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
    pub bresp: Signal<In, Bits<2>>,

    /// Device sinks: READY per channel in, the unit (shifted to bit 0) and VALID per channel out.
    pub snk_ready: Signal<In, Bits<4>>,
    pub snk_valid: Signal<Out, Bits<4>>,
    pub snk_data: Signal<Out, Bits<32>>,
    pub snk_last: Signal<Out, Bit>,
    /// Memory-to-memory reads: READY of the writer in; the beat (on `snk_data`) is valid for
    /// it (`m2m_valid`); a memory-to-memory head is taken this clock, delivered or not (error,
    /// owed from before a master clear: `m2m_take`); the unit's width code.
    pub m2m_ready: Signal<In, Bit>,
    pub m2m_valid: Signal<Out, Bit>,
    pub m2m_take: Signal<Out, Bit>,
    pub m2m_width: Signal<Out, Bits<2>>,

    /// A bus error for a unit of channel c (one-hot), with the unit's address register value
    /// and the response code (SLVERR = 2, DECERR = 3). Registered: reported the clock after the
    /// response, which keeps the fault capture off the response path (a bus error halts its
    /// channel whenever its response returns, so one more clock changes nothing a program
    /// can rely on).
    pub r_fault: Signal<Out, Bits<4>>,
    pub r_fault_addr: Signal<Out, Bits<16>>,
    pub r_fault_resp: Signal<Out, Bits<2>>,
    pub w_fault: Signal<Out, Bits<4>>,
    pub w_fault_addr: Signal<Out, Bits<16>>,
    pub w_fault_resp: Signal<Out, Bits<2>>,
    /// Units of channel c issued and not yet landed (B taken for a write, R beat taken for a
    /// read), in bits 8c+7..8c: what SNAP_INFLIGHT shows. Responses owed from before a master
    /// clear are not counted.
    pub inflight: Signal<Out, Bits<32>>,

    k_outstanding: Constant<Bits<6>>,
    k_outstanding_m1: Constant<Bits<6>>,
    k_tag_addr: Constant<Bits<5>>,
    k_tag_channel: Constant<Bits<5>>,
    k_tag_lane: Constant<Bits<5>>,
    k_tag_width: Constant<Bits<5>>,
    k_tag_tc: Constant<Bits<5>>,
    k_tag_m2m: Constant<Bits<5>>,
    rd_tags: TagFifo,
    wr_tags: TagFifo,
    rd_out: DFF<Bits<6>>,
    wr_out: DFF<Bits<6>>,
    rd_discard: DFF<Bits<6>>,
    wr_discard: DFF<Bits<6>>,
    rd_room_r: DFF<Bit>,
    wr_room_r: DFF<Bit>,
    inflight_r: Vec<DFF<Bits<8>>>,
    r_fault_r: DFF<Bits<4>>,
    r_fault_addr_r: DFF<Bits<16>>,
    r_fault_resp_r: DFF<Bits<2>>,
    w_fault_r: DFF<Bits<4>>,
    w_fault_addr_r: DFF<Bits<16>>,
    w_fault_resp_r: DFF<Bits<2>>,
    tag_in: Signal<Local, Tag>,
    wtag_in: Signal<Local, Tag>,
    r_tag_m2m: Signal<Local, Tag>,
    r_is_m2m: Signal<Local, Bit>,
    /// Head tags shifted so the field sits at bit 0.
    r_tag_channel: Signal<Local, Tag>,
    r_tag_lane: Signal<Local, Tag>,
    r_tag_width: Signal<Local, Tag>,
    r_tag_tc: Signal<Local, Tag>,
    r_tag_addr: Signal<Local, Tag>,
    w_tag_channel: Signal<Local, Tag>,
    w_tag_addr: Signal<Local, Tag>,
    r_head: Signal<Local, Bits<4>>,
    r_err: Signal<Local, Bit>,
    r_deliver: Signal<Local, Bit>,
    r_take: Signal<Local, Bit>,
    r_shift: Signal<Local, Bits<5>>,
    r_word: Signal<Local, Bits<32>>,
    r_ready: Signal<Local, Bit>,
    r_unit: Signal<Local, Bits<32>>,
    r_valid_oh: Signal<Local, Bits<4>>,
    r_fault_oh: Signal<Local, Bits<4>>,
    w_fault_oh: Signal<Local, Bits<4>>,
    b_take: Signal<Local, Bit>,
    w_head: Signal<Local, Bits<4>>,
    rd_out_next: Signal<Local, Bits<6>>,
    wr_out_next: Signal<Local, Bits<6>>,
    /// One-hot: the channel of the unit issued this clock, of a landed read / write unit.
    u_applied_oh: Signal<Local, Bits<4>>,
    r_land_oh: Signal<Local, Bits<4>>,
    w_land_oh: Signal<Local, Bits<4>>,
    inflight_all: Signal<Local, Bits<32>>,
    /// Scratch: one channel's change of in-flight units this clock, and its next count.
    t_delta: Signal<Local, Bits<8>>,
    t_count: Signal<Local, Bits<8>>,
}

impl Responses {
    /// Tracks up to `outstanding` (≤ the tag FIFO depth) reads and writes.
    pub fn new(outstanding: usize) -> Self {
        assert!(outstanding <= crate::tag_fifo::DEPTH);
        Responses {
            inflight_r: (0..4).map(|_| DFF::default()).collect(),
            clock: Default::default(),
            reset: Default::default(),
            master_clear: Default::default(),
            push_read: Default::default(),
            push_write: Default::default(),
            unit_addr: Default::default(),
            unit_channel: Default::default(),
            applied_oh: Default::default(),
            unit_lane: Default::default(),
            unit_width: Default::default(),
            unit_tc: Default::default(),
            unit_m2m: Default::default(),
            wunit_addr: Default::default(),
            wunit_channel: Default::default(),
            m2m_ready: Default::default(),
            m2m_valid: Default::default(),
            m2m_take: Default::default(),
            m2m_width: Default::default(),
            rd_room: Default::default(),
            wr_room: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            bresp: Default::default(),
            snk_ready: Default::default(),
            snk_valid: Default::default(),
            snk_data: Default::default(),
            snk_last: Default::default(),
            r_fault: Default::default(),
            r_fault_addr: Default::default(),
            r_fault_resp: Default::default(),
            w_fault: Default::default(),
            w_fault_addr: Default::default(),
            w_fault_resp: Default::default(),
            k_outstanding: Constant::new((outstanding as u64).to_bits()),
            k_outstanding_m1: Constant::new((outstanding as u64 - 1).to_bits()),
            k_tag_addr: Constant::new(tag::ADDR_LSB.to_bits()),
            k_tag_channel: Constant::new(tag::CHANNEL_LSB.to_bits()),
            k_tag_lane: Constant::new(tag::LANE_LSB.to_bits()),
            k_tag_width: Constant::new(tag::WIDTH_LSB.to_bits()),
            k_tag_tc: Constant::new(tag::TC_BIT.to_bits()),
            k_tag_m2m: Constant::new(tag::M2M_BIT.to_bits()),
            rd_tags: Default::default(),
            wr_tags: Default::default(),
            rd_out: Default::default(),
            wr_out: Default::default(),
            rd_discard: Default::default(),
            wr_discard: Default::default(),
            rd_room_r: Default::default(),
            wr_room_r: Default::default(),
            r_fault_r: Default::default(),
            r_fault_addr_r: Default::default(),
            r_fault_resp_r: Default::default(),
            w_fault_r: Default::default(),
            w_fault_addr_r: Default::default(),
            w_fault_resp_r: Default::default(),
            tag_in: Default::default(),
            wtag_in: Default::default(),
            r_tag_m2m: Default::default(),
            r_is_m2m: Default::default(),
            r_tag_channel: Default::default(),
            r_tag_lane: Default::default(),
            r_tag_width: Default::default(),
            r_tag_tc: Default::default(),
            r_tag_addr: Default::default(),
            w_tag_channel: Default::default(),
            w_tag_addr: Default::default(),
            r_head: Default::default(),
            r_err: Default::default(),
            r_deliver: Default::default(),
            r_take: Default::default(),
            r_shift: Default::default(),
            r_word: Default::default(),
            r_ready: Default::default(),
            r_unit: Default::default(),
            r_valid_oh: Default::default(),
            r_fault_oh: Default::default(),
            w_fault_oh: Default::default(),
            b_take: Default::default(),
            w_head: Default::default(),
            rd_out_next: Default::default(),
            wr_out_next: Default::default(),
            u_applied_oh: Default::default(),
            r_land_oh: Default::default(),
            w_land_oh: Default::default(),
            inflight_all: Default::default(),
            t_delta: Default::default(),
            t_count: Default::default(),
            inflight: Default::default(),
        }
    }
}

impl Logic for Responses {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            rd_out,
            wr_out,
            rd_discard,
            wr_discard,
            rd_room_r,
            wr_room_r,
            r_fault_r,
            r_fault_addr_r,
            r_fault_resp_r,
            w_fault_r,
            w_fault_addr_r,
            w_fault_resp_r
        );
        clock!(self, clock, rd_tags, wr_tags);
        for i in 0..self.inflight_r.len() {
            self.inflight_r[i].clock.next = self.clock.val();
            self.inflight_r[i].d.next = self.inflight_r[i].q.val();
        }
        self.rd_tags.reset.next = self.reset.val();
        self.wr_tags.reset.next = self.reset.val();

        // Tags, written at issue.
        self.tag_in.next = (bit_cast::<24, 16>(self.unit_addr.val()) << self.k_tag_addr.val())
            | (bit_cast::<24, 2>(self.unit_channel.val()) << self.k_tag_channel.val())
            | (bit_cast::<24, 2>(self.unit_lane.val()) << self.k_tag_lane.val())
            | (bit_cast::<24, 2>(self.unit_width.val()) << self.k_tag_width.val())
            | (bit_cast::<24, 1>(self.unit_tc.val().into()) << self.k_tag_tc.val())
            | (bit_cast::<24, 1>(self.unit_m2m.val().into()) << self.k_tag_m2m.val());
        // A write's tag needs its address and channel only (the B response names them).
        self.wtag_in.next = (bit_cast::<24, 16>(self.wunit_addr.val()) << self.k_tag_addr.val())
            | (bit_cast::<24, 2>(self.wunit_channel.val()) << self.k_tag_channel.val());
        self.rd_tags.data_in.next = self.tag_in.val();
        self.wr_tags.data_in.next = self.wtag_in.val();
        self.rd_tags.write.next = self.push_read.val();
        self.wr_tags.write.next = self.push_write.val();

        self.r_tag_channel.next = self.rd_tags.data_out.val() >> self.k_tag_channel.val();
        self.r_tag_lane.next = self.rd_tags.data_out.val() >> self.k_tag_lane.val();
        self.r_tag_width.next = self.rd_tags.data_out.val() >> self.k_tag_width.val();
        self.r_tag_tc.next = self.rd_tags.data_out.val() >> self.k_tag_tc.val();
        self.r_tag_addr.next = self.rd_tags.data_out.val() >> self.k_tag_addr.val();
        self.r_tag_m2m.next = self.rd_tags.data_out.val() >> self.k_tag_m2m.val();
        self.r_is_m2m.next = !self.rd_tags.empty.val() & self.r_tag_m2m.val().get_bit(0);
        self.w_tag_channel.next = self.wr_tags.data_out.val() >> self.k_tag_channel.val();
        self.w_tag_addr.next = self.wr_tags.data_out.val() >> self.k_tag_addr.val();

        // Reads: the head tag names the channel; the beat goes to its sink unless it is an
        // error or owed from before a master clear (then it is taken and dropped).
        self.r_head.next = bits::<4>(1) << self.r_tag_channel.val().get_bits::<2>(0);
        self.r_err.next = self.rresp.val() != 0;
        self.r_deliver.next =
            !self.rd_tags.empty.val() & (self.rd_discard.q.val() == 0) & !self.r_err.val();
        self.r_ready.next = (self.snk_ready.val() & self.r_head.val()).any();
        if self.r_is_m2m.val() {
            self.r_ready.next = self.m2m_ready.val();
        }
        if !self.rd_tags.empty.val() & !self.r_deliver.val() {
            self.r_ready.next = true;
        }
        if self.rd_tags.empty.val() {
            self.r_ready.next = false;
        }
        self.rready.next = self.r_ready.val();
        self.r_take.next = self.rvalid.val() & self.r_ready.val();
        self.rd_tags.read.next = self.r_take.val();
        self.r_shift.next = bit_cast::<5, 2>(self.r_tag_lane.val().get_bits::<2>(0)) << 3;
        self.r_word.next = self.rdata.val() >> self.r_shift.val();
        self.r_unit.next = self.r_word.val();
        if self.r_tag_width.val().get_bits::<2>(0) == 0 {
            self.r_unit.next = self.r_word.val() & 0xFF;
        }
        if self.r_tag_width.val().get_bits::<2>(0) == 1 {
            self.r_unit.next = self.r_word.val() & 0xFFFF;
        }
        self.r_valid_oh.next = 0.into();
        if self.rvalid.val() & self.r_deliver.val() & !self.r_is_m2m.val() {
            self.r_valid_oh.next = self.r_head.val();
        }
        self.r_fault_oh.next = 0.into();
        if self.r_take.val() & self.r_err.val() & (self.rd_discard.q.val() == 0) {
            self.r_fault_oh.next = self.r_head.val();
        }
        // Outputs are assigned once per evaluation (event-driven simulators wake the reader on
        // every intermediate value).
        self.snk_data.next = self.r_unit.val();
        self.snk_valid.next = self.r_valid_oh.val();
        self.snk_last.next = self.r_tag_tc.val().get_bit(0);
        self.m2m_valid.next = self.rvalid.val() & self.r_deliver.val() & self.r_is_m2m.val();
        self.m2m_take.next = self.r_take.val() & self.r_is_m2m.val();
        self.m2m_width.next = self.r_tag_width.val().get_bits::<2>(0);
        self.r_fault_r.d.next = self.r_fault_oh.val();
        self.r_fault_addr_r.d.next = self.r_tag_addr.val().get_bits::<16>(0);
        self.r_fault_resp_r.d.next = self.rresp.val();
        self.r_fault.next = self.r_fault_r.q.val();
        self.r_fault_addr.next = self.r_fault_addr_r.q.val();
        self.r_fault_resp.next = self.r_fault_resp_r.q.val();

        // Writes: BREADY is always high; an error names the head tag's channel.
        self.bready.next = true;
        self.b_take.next = self.bvalid.val() & !self.wr_tags.empty.val();
        self.wr_tags.read.next = self.b_take.val();
        self.w_head.next = bits::<4>(1) << self.w_tag_channel.val().get_bits::<2>(0);
        self.w_fault_oh.next = 0.into();
        if self.b_take.val() & (self.bresp.val() != 0) & (self.wr_discard.q.val() == 0) {
            self.w_fault_oh.next = self.w_head.val();
        }
        self.w_fault_r.d.next = self.w_fault_oh.val();
        self.w_fault_addr_r.d.next = self.w_tag_addr.val().get_bits::<16>(0);
        self.w_fault_resp_r.d.next = self.bresp.val();
        self.w_fault.next = self.w_fault_r.q.val();
        self.w_fault_addr.next = self.w_fault_addr_r.q.val();
        self.w_fault_resp.next = self.w_fault_resp_r.q.val();

        // Outstanding counts (the room flags are registered: off the issue path) and the
        // responses owed from before a master clear.
        // The push (the engine's commit decision) only selects between two values computed
        // without it: the count and the room flag after the responses taken this clock, with
        // and without one more unit.
        self.rd_out_next.next = self.rd_out.q.val() - bit_cast::<6, 1>(self.r_take.val().into());
        self.wr_out_next.next = self.wr_out.q.val() - bit_cast::<6, 1>(self.b_take.val().into());
        self.rd_out.d.next = self.rd_out_next.val();
        self.wr_out.d.next = self.wr_out_next.val();
        self.rd_room_r.d.next = self.rd_out_next.val() < self.k_outstanding.val();
        self.wr_room_r.d.next = self.wr_out_next.val() < self.k_outstanding.val();
        if self.push_read.val() {
            self.rd_out.d.next = self.rd_out_next.val() + 1;
            self.rd_room_r.d.next = self.rd_out_next.val() < self.k_outstanding_m1.val();
        }
        if self.push_write.val() {
            self.wr_out.d.next = self.wr_out_next.val() + 1;
            self.wr_room_r.d.next = self.wr_out_next.val() < self.k_outstanding_m1.val();
        }
        if self.r_take.val() & (self.rd_discard.q.val() != 0) {
            self.rd_discard.d.next = self.rd_discard.q.val() - 1;
        }
        if self.b_take.val() & (self.wr_discard.q.val() != 0) {
            self.wr_discard.d.next = self.wr_discard.q.val() - 1;
        }
        if self.master_clear.val() {
            self.rd_discard.d.next =
                self.rd_out.q.val() - bit_cast::<6, 1>(self.r_take.val().into());
            self.wr_discard.d.next =
                self.wr_out.q.val() - bit_cast::<6, 1>(self.b_take.val().into());
        }
        if self.reset.val() {
            self.rd_out.d.next = 0.into();
            self.wr_out.d.next = 0.into();
            self.rd_discard.d.next = 0.into();
            self.wr_discard.d.next = 0.into();
            self.rd_room_r.d.next = true;
            self.wr_room_r.d.next = true;
            self.r_fault_r.d.next = 0.into();
            self.w_fault_r.d.next = 0.into();
        }
        self.rd_room.next = self.rd_room_r.q.val();
        self.wr_room.next = self.wr_room_r.q.val();

        // Units in flight per channel: +1 at issue, −1 when the response is taken (not for
        // responses owed from before a master clear, which restarts the counts at the units
        // issued in its own clock).
        // Counted from the apply stage, not the issue: the commit decision does not reach these
        // counters, and no response can land before its unit is applied (the request reaches
        // the bus two clocks after the issue).
        self.u_applied_oh.next = self.applied_oh.val();
        self.r_land_oh.next = 0.into();
        if self.r_take.val() & (self.rd_discard.q.val() == 0) {
            self.r_land_oh.next = self.r_head.val();
        }
        self.w_land_oh.next = 0.into();
        if self.b_take.val() & (self.wr_discard.q.val() == 0) {
            self.w_land_oh.next = self.w_head.val();
        }
        // One adder per channel: the clock's net change (+1, 0, −1 or −2, as 8-bit two's
        // complement) comes from three bits, so it is a few LUTs, not two more adders.
        for i in 0..self.inflight_r.len() {
            self.t_delta.next = 0.into();
            if self.u_applied_oh.val().get_bit(i) {
                self.t_delta.next = 1.into();
            }
            if self.r_land_oh.val().get_bit(i) ^ self.w_land_oh.val().get_bit(i) {
                self.t_delta.next = 0xFF.into();
                if self.u_applied_oh.val().get_bit(i) {
                    self.t_delta.next = 0.into();
                }
            }
            if self.r_land_oh.val().get_bit(i) & self.w_land_oh.val().get_bit(i) {
                self.t_delta.next = 0xFE.into();
                if self.u_applied_oh.val().get_bit(i) {
                    self.t_delta.next = 0xFF.into();
                }
            }
            self.t_count.next = self.inflight_r[i].q.val() + self.t_delta.val();
            // A master clear restarts the counts: units applied in its clock were issued before
            // it (a register write issues nothing in its clock), so their responses are owed.
            if self.master_clear.val() | self.reset.val() {
                self.t_count.next = 0.into();
            }
            self.inflight_r[i].d.next = self.t_count.val();
        }
        self.inflight_all.next = bit_cast::<32, 8>(self.inflight_r[0].q.val())
            | (bit_cast::<32, 8>(self.inflight_r[1].q.val()) << 8)
            | (bit_cast::<32, 8>(self.inflight_r[2].q.val()) << 16)
            | (bit_cast::<32, 8>(self.inflight_r[3].q.val()) << 24);
        self.inflight.next = self.inflight_all.val();
    }
}
