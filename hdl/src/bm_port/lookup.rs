//! One address channel (AR or AW) of the bus-master port: the burst's page is looked up in the
//! port's map copy, the burst is checked against its entry, and it leaves either translated
//! (towards memory) or refused (an error response queued for the device).
//!
//! ```text
//!  s_a*  ──take──► p_* (request) ───────────────┐
//!    └─► page ──► map RAM read ──(1 clock)──► entry ─► check ─┬─ ok ──► out queue ──► m_a*
//!                     p_entry (kept while p waits) ◄──┘        ├─► order push (resp, len)
//!                                                              └─ fault ─► fault record
//! ```
//!
//! The checks that need no entry (burst shape, map range, page crossing) are made as the
//! address is taken and kept as flags beside `p_*`, so the entry, which leaves the RAM late in
//! its clock, passes only its two flag bits before the advance decision.
//!
//! Why this shape: the map RAM is synchronous, so the entry arrives the clock after the address
//! is taken; one request register beside it holds the burst while it waits, and the entry is
//! captured the clock it arrives (`p_entry`), so a MAP write after the address was taken never
//! changes this burst: only later bursts see it. A MAP write in the clock an address would be
//! taken holds the address one clock (`hold`), so a read of the RAM never meets a write of it.
//! The request register advances whenever the translated burst has room in the output register
//! (or is refused) and the response order queue has room, so the port takes one address per
//! clock under no backpressure.

use crate::axi_queue::AxiQueue;
use crate::map_ram::{Entry, ENTRY_VALID_BIT, ENTRY_WRITABLE_BIT, INDEX_BITS};
use mapdma_regmap as regmap;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

/// The translated request: physical address (bits 31:0), length (39:32), size (42:40).
pub const REQUEST_BITS: usize = 43;
/// Beats of the longest burst the port translates.
pub const MAX_BEATS: u64 = 16;
/// log2 of the widest beat in bytes (the 32-bit bus).
pub const MAX_SIZE: u64 = 2;
/// AXI burst type INCR.
pub const BURST_INCR: u64 = mapdma_regmap::axi::BURST_INCR as u64;
/// AXI response codes the port answers a refused burst with.
pub const RESP_SLVERR: u64 = mapdma_regmap::axi::RESP_SLVERR as u64;
pub const RESP_DECERR: u64 = mapdma_regmap::axi::RESP_DECERR as u64;

#[derive(LogicBlock)]
pub struct BmLookup {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The device's address channel.
    pub addr: Signal<In, Bits<32>>,
    pub len: Signal<In, Bits<8>>,
    pub size: Signal<In, Bits<3>>,
    pub burst: Signal<In, Bits<2>>,
    pub valid: Signal<In, Bit>,
    pub ready: Signal<Out, Bit>,
    /// A MAP register is written this clock: take no address.
    pub hold: Signal<In, Bit>,
    /// The map copy's read port: the page of `addr`, and next clock its entry.
    pub read_index: Signal<Out, Bits<INDEX_BITS>>,
    pub entry: Signal<In, Entry>,
    /// The translated burst towards memory.
    pub out_valid: Signal<Out, Bit>,
    pub out_addr: Signal<Out, Bits<32>>,
    pub out_len: Signal<Out, Bits<8>>,
    pub out_size: Signal<Out, Bits<3>>,
    pub out_ready: Signal<In, Bit>,
    /// Every burst, translated or refused, in order: its response (0 = memory answers, else
    /// the error the port answers with) and length. `order_space`: the order queues have room.
    pub order_push: Signal<Out, Bit>,
    pub order_resp: Signal<Out, Bits<2>>,
    pub order_len: Signal<Out, Bits<8>>,
    pub order_space: Signal<In, Bit>,
    /// A refused burst this clock: cause (`regmap::FaultCause`) and logical address.
    pub fault: Signal<Out, Bit>,
    pub fault_cause: Signal<Out, Bits<4>>,
    pub fault_addr: Signal<Out, Bits<32>>,

    out: AxiQueue<REQUEST_BITS>,
    p_valid: DFF<Bit>,
    p_addr: DFF<Bits<32>>,
    p_len: DFF<Bits<8>>,
    p_size: DFF<Bits<3>>,
    p_burst: DFF<Bits<2>>,
    /// The RAM output holds p's entry this clock (p was taken last clock).
    p_fresh: DFF<Bit>,
    p_entry: DFF<Entry>,
    /// The checks that do not need the entry, made as the address is taken (so the entry,
    /// which arrives from the RAM late in its clock, passes only two flags before the
    /// advance decision): unsupported shape, no map register, bytes beyond the page.
    p_bad: DFF<Bit>,
    p_out_of_range: DFF<Bit>,
    p_cross: DFF<Bit>,

    k_write: Constant<Bit>,
    k_page_shift: Constant<Bits<5>>,
    k_range_shift: Constant<Bits<6>>,
    k_offset_mask: Constant<Bits<32>>,
    k_page_size: Constant<Bits<32>>,
    k_frame_mask: Constant<Bits<20>>,
    k_entry_valid: Constant<Entry>,
    k_entry_writable: Constant<Entry>,
    k_fc_range: Constant<Bits<4>>,
    k_fc_invalid: Constant<Bits<4>>,
    k_fc_read_only: Constant<Bits<4>>,
    k_fc_cross: Constant<Bits<4>>,
    k_fc_bad: Constant<Bits<4>>,
    k_max_len: Constant<Bits<8>>,
    k_max_size: Constant<Bits<3>>,
    k_incr: Constant<Bits<2>>,
    k_slverr: Constant<Bits<2>>,
    k_decerr: Constant<Bits<2>>,

    entry_now: Signal<Local, Entry>,
    cause: Signal<Local, Bits<4>>,
    resp: Signal<Local, Bits<2>>,
    faulted: Signal<Local, Bit>,
    can_go: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    phys: Signal<Local, Bits<32>>,
    first_byte: Signal<Local, Bits<32>>,
    burst_bytes: Signal<Local, Bits<32>>,
    page_addr: Signal<Local, Bits<32>>,
}

impl BmLookup {
    /// The AR (`write` false) or AW (`write` true) lookup of a configuration.
    pub fn new(cfg: &Config, write: bool) -> Self {
        crate::translation::check_layout();
        let k4 = |c: regmap::FaultCause| Constant::new((c as u64).to_bits());
        BmLookup {
            clock: Default::default(),
            reset: Default::default(),
            addr: Default::default(),
            len: Default::default(),
            size: Default::default(),
            burst: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            hold: Default::default(),
            read_index: Default::default(),
            entry: Default::default(),
            out_valid: Default::default(),
            out_addr: Default::default(),
            out_len: Default::default(),
            out_size: Default::default(),
            out_ready: Default::default(),
            order_push: Default::default(),
            order_resp: Default::default(),
            order_len: Default::default(),
            order_space: Default::default(),
            fault: Default::default(),
            fault_cause: Default::default(),
            fault_addr: Default::default(),
            out: AxiQueue::new(1),
            p_valid: Default::default(),
            p_addr: Default::default(),
            p_len: Default::default(),
            p_size: Default::default(),
            p_burst: Default::default(),
            p_fresh: Default::default(),
            p_entry: Default::default(),
            p_bad: Default::default(),
            p_out_of_range: Default::default(),
            p_cross: Default::default(),
            k_write: Constant::new(write),
            k_page_shift: Constant::new((cfg.page_shift as u64).to_bits()),
            k_range_shift: Constant::new(
                ((cfg.page_shift + cfg.map_registers.trailing_zeros()) as u64).to_bits(),
            ),
            k_offset_mask: Constant::new((cfg.page_size() - 1).to_bits()),
            k_page_size: Constant::new(cfg.page_size().to_bits()),
            k_frame_mask: Constant::new(((1u64 << cfg.frame_bits()) - 1).to_bits()),
            k_entry_valid: Constant::new((1u64 << ENTRY_VALID_BIT).to_bits()),
            k_entry_writable: Constant::new((1u64 << ENTRY_WRITABLE_BIT).to_bits()),
            k_fc_range: k4(regmap::FaultCause::OutOfRange),
            k_fc_invalid: k4(regmap::FaultCause::Invalid),
            k_fc_read_only: k4(regmap::FaultCause::ReadOnly),
            k_fc_cross: k4(regmap::FaultCause::PageCross),
            k_fc_bad: k4(regmap::FaultCause::BadBurst),
            k_max_len: Constant::new((MAX_BEATS - 1).to_bits()),
            k_max_size: Constant::new(MAX_SIZE.to_bits()),
            k_incr: Constant::new(BURST_INCR.to_bits()),
            k_slverr: Constant::new(RESP_SLVERR.to_bits()),
            k_decerr: Constant::new(RESP_DECERR.to_bits()),
            entry_now: Default::default(),
            cause: Default::default(),
            resp: Default::default(),
            faulted: Default::default(),
            can_go: Default::default(),
            take: Default::default(),
            phys: Default::default(),
            first_byte: Default::default(),
            burst_bytes: Default::default(),
            page_addr: Default::default(),
        }
    }
}

impl Logic for BmLookup {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            p_valid,
            p_addr,
            p_len,
            p_size,
            p_burst,
            p_fresh,
            p_entry,
            p_bad,
            p_out_of_range,
            p_cross
        );
        clock!(self, clock, out);

        // The entry of the burst in p: from the RAM the clock after it was taken, then kept.
        self.entry_now.next = self.p_entry.q.val();
        if self.p_fresh.q.val() {
            self.entry_now.next = self.entry.val();
        }
        self.p_entry.d.next = self.entry_now.val();

        // Check. A refused burst never reaches memory: unsupported shape, no map register,
        // invalid entry, a write through a read-only entry, or bytes beyond its page (in this
        // order of precedence; the entry-free checks were made at take).
        self.cause.next = 0.into();
        self.resp.next = 0.into();
        if self.p_bad.q.val() {
            self.cause.next = self.k_fc_bad.val();
            self.resp.next = self.k_slverr.val();
        } else if self.p_out_of_range.q.val() {
            self.cause.next = self.k_fc_range.val();
            self.resp.next = self.k_decerr.val();
        } else if !(self.entry_now.val() & self.k_entry_valid.val()).any() {
            self.cause.next = self.k_fc_invalid.val();
            self.resp.next = self.k_decerr.val();
        } else if self.k_write.val() & !(self.entry_now.val() & self.k_entry_writable.val()).any() {
            self.cause.next = self.k_fc_read_only.val();
            self.resp.next = self.k_slverr.val();
        } else if self.p_cross.q.val() {
            self.cause.next = self.k_fc_cross.val();
            self.resp.next = self.k_slverr.val();
        }
        self.faulted.next = self.cause.val() != 0;
        self.phys.next =
            (bit_cast::<32, 20>(self.entry_now.val().get_bits::<20>(0) & self.k_frame_mask.val())
                << self.k_page_shift.val())
                | (self.p_addr.q.val() & self.k_offset_mask.val());

        // Advance: a refused burst needs only order room, a translated one the output too.
        self.can_go.next = self.p_valid.q.val()
            & self.order_space.val()
            & (self.faulted.val() | self.out.space.val());
        self.out.reset.next = self.reset.val();
        self.out.push.next = self.can_go.val() & !self.faulted.val();
        self.out.data_in.next = bit_cast::<REQUEST_BITS, 32>(self.phys.val())
            | (bit_cast::<REQUEST_BITS, 8>(self.p_len.q.val()) << 32)
            | (bit_cast::<REQUEST_BITS, 3>(self.p_size.q.val()) << 40);
        self.out.ready.next = self.out_ready.val();
        self.out_valid.next = self.out.valid.val();
        self.out_addr.next = self.out.data.val().get_bits::<32>(0);
        self.out_len.next = self.out.data.val().get_bits::<8>(32);
        self.out_size.next = self.out.data.val().get_bits::<3>(40);
        self.order_push.next = self.can_go.val();
        self.order_resp.next = self.resp.val();
        self.order_len.next = self.p_len.q.val();
        self.fault.next = self.can_go.val() & self.faulted.val();
        self.fault_cause.next = self.cause.val();
        self.fault_addr.next = self.p_addr.q.val();

        // Take the next address when p is empty or leaves this clock.
        self.ready.next =
            (!self.p_valid.q.val() | self.can_go.val()) & !self.hold.val() & !self.reset.val();
        self.take.next = self.valid.val()
            & (!self.p_valid.q.val() | self.can_go.val())
            & !self.hold.val()
            & !self.reset.val();
        self.page_addr.next = self.addr.val() >> self.k_page_shift.val();
        self.read_index.next = self.page_addr.val().get_bits::<10>(0);
        self.p_valid.d.next = self.take.val() | (self.p_valid.q.val() & !self.can_go.val());
        self.p_fresh.d.next = self.take.val();
        self.first_byte.next = (self.addr.val() & self.k_offset_mask.val())
            & !((bits::<32>(1) << self.size.val()) - 1);
        self.burst_bytes.next = (bit_cast::<32, 8>(self.len.val()) + 1) << self.size.val();
        if self.take.val() {
            self.p_addr.d.next = self.addr.val();
            self.p_len.d.next = self.len.val();
            self.p_size.d.next = self.size.val();
            self.p_burst.d.next = self.burst.val();
            self.p_bad.d.next = (self.burst.val() != self.k_incr.val())
                | (self.len.val() > self.k_max_len.val())
                | (self.size.val() > self.k_max_size.val());
            self.p_out_of_range.d.next = (self.addr.val() >> self.k_range_shift.val()) != 0;
            self.p_cross.d.next =
                (self.first_byte.val() + self.burst_bytes.val()) > self.k_page_size.val();
        }
        if self.reset.val() {
            self.p_valid.d.next = false;
            self.p_fresh.d.next = false;
        }
    }
}
