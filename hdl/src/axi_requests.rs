//! The AXI4 request side of the issue stage: a committed unit becomes one single-beat INCR
//! request, its address aligned to the unit and its data and strobes placed on the byte lanes
//! of that address, queued per AXI channel (DESIGN §5, §6).
//!
//! ```text
//!  phys, addr[1:0], width ──► lane, aligned address ──┬─► aw_q (size ‖ address) ──► AW
//!                                                     └─► ar_q (size ‖ address) ──► AR
//!  src_data, width, lane ──► data << 8·lane, strobes << lane ──► w_q ──► W
//! ```
//!
//! Why a block of its own: the request formatting and queues are the one place that knows the
//! AXI4 encoding of a unit; the engine only asks "is there room" (`write_space`, `read_space`,
//! registered inside the queues) and pushes.

use crate::axi_queue::AxiQueue;
use rust_hdl::prelude::*;

/// Slots of the AW and W request queues (staged: the input register holds one entry more):
/// enough slack for AW and W to stall independently under random backpressure (`axi_queue`).
pub const WRITE_QUEUE_DEPTH: usize = 4;
/// AR keeps a single output register (READY passes through to `space`), so a read request
/// reaches the bus the clock after its commit: the smallest choice, and ARREADY is not on the
/// critical path. Nothing outside depends on that timing: devices count read units by their
/// `moved` pulse (a deeper AR queue once broke a test device that inferred commits from new
/// requests on the bus; `host/tests/verilator_seed.rs` passes with 2 entries since it counts
/// `moved`).
pub const READ_QUEUE_DEPTH: usize = 1;

#[derive(LogicBlock)]
pub struct AxiRequests {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// The issue-stage unit: its translated (byte-exact) address, address register bits 1:0,
    /// width code (0/1/2 = 8/16/32 bits) and, for a write transfer, the device's unit.
    pub phys: Signal<In, Bits<32>>,
    pub addr_lo: Signal<In, Bits<2>>,
    pub width: Signal<In, Bits<2>>,
    pub src_data: Signal<In, Bits<32>>,
    /// A write from elsewhere this clock (`alt`: the memory-to-memory writer) in place of the
    /// issue-stage unit: its translated address, width code and unit (at bit 0).
    pub alt: Signal<In, Bit>,
    pub alt_phys: Signal<In, Bits<32>>,
    pub alt_width: Signal<In, Bits<2>>,
    pub alt_data: Signal<In, Bits<32>>,
    /// The unit's byte lane in the data word (also tagged for its response).
    pub lane: Signal<Out, Bits<2>>,
    /// Queue a write (AW + W) / read (AR) request for the unit this clock.
    pub push_write: Signal<In, Bit>,
    pub push_read: Signal<In, Bit>,
    /// Room for one more write / read request (registered).
    pub write_space: Signal<Out, Bit>,
    pub read_space: Signal<Out, Bit>,

    pub awaddr: Signal<Out, Bits<32>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    pub wdata: Signal<Out, Bits<32>>,
    pub wstrb: Signal<Out, Bits<4>>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    pub araddr: Signal<Out, Bits<32>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,

    /// Request queues (AW and AR payloads: size ‖ address; W: strobes ‖ data).
    aw_q: AxiQueue<35>,
    w_q: AxiQueue<36>,
    ar_q: AxiQueue<35>,

    // Combinational scratch (rust-hdl kernels have no `let`).
    lane_v: Signal<Local, Bits<2>>,
    request: Signal<Local, Bits<35>>,
    w_lanes: Signal<Local, Bits<32>>,
    w_strobes: Signal<Local, Bits<4>>,
    /// The write's inputs (the unit's or `alt_*`), lane, strobes and address.
    wr_phys: Signal<Local, Bits<32>>,
    wr_lo: Signal<Local, Bits<2>>,
    wr_width: Signal<Local, Bits<2>>,
    wr_data: Signal<Local, Bits<32>>,
    wr_lane: Signal<Local, Bits<2>>,
    wr_strb: Signal<Local, Bits<4>>,
    wr_request: Signal<Local, Bits<35>>,
}

impl Default for AxiRequests {
    fn default() -> Self {
        AxiRequests {
            clock: Default::default(),
            reset: Default::default(),
            phys: Default::default(),
            addr_lo: Default::default(),
            width: Default::default(),
            src_data: Default::default(),
            alt: Default::default(),
            alt_phys: Default::default(),
            alt_width: Default::default(),
            alt_data: Default::default(),
            lane: Default::default(),
            push_write: Default::default(),
            push_read: Default::default(),
            write_space: Default::default(),
            read_space: Default::default(),
            awaddr: Default::default(),
            awsize: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            araddr: Default::default(),
            arsize: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            aw_q: AxiQueue::staged(WRITE_QUEUE_DEPTH),
            w_q: AxiQueue::staged(WRITE_QUEUE_DEPTH),
            ar_q: AxiQueue::new(READ_QUEUE_DEPTH),
            lane_v: Default::default(),
            request: Default::default(),
            w_lanes: Default::default(),
            w_strobes: Default::default(),
            wr_phys: Default::default(),
            wr_lo: Default::default(),
            wr_width: Default::default(),
            wr_data: Default::default(),
            wr_lane: Default::default(),
            wr_strb: Default::default(),
            wr_request: Default::default(),
        }
    }
}

impl Logic for AxiRequests {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, aw_q, w_q, ar_q);
        self.aw_q.reset.next = self.reset.val();
        self.w_q.reset.next = self.reset.val();
        self.ar_q.reset.next = self.reset.val();

        // Lane of the unit: the address bits below the unit size are ignored on the bus.
        self.lane_v.next = self.addr_lo.val();
        if self.width.val() == 1 {
            self.lane_v.next = self.addr_lo.val() & 2;
        }
        if self.width.val() == 2 {
            self.lane_v.next = 0.into();
        }
        self.lane.next = self.lane_v.val();
        self.request.next = bit_cast::<35, 32>(
            self.phys.val() & !bit_cast::<32, 2>(self.lane_v.val() ^ self.addr_lo.val()),
        ) | (bit_cast::<35, 2>(self.width.val()) << 32);
        // The write side: the same formatting of the unit's or the alternative write's fields.
        self.wr_phys.next = self.phys.val();
        self.wr_lo.next = self.addr_lo.val();
        self.wr_width.next = self.width.val();
        self.wr_data.next = self.src_data.val();
        if self.alt.val() {
            self.wr_phys.next = self.alt_phys.val();
            self.wr_lo.next = self.alt_phys.val().get_bits::<2>(0);
            self.wr_width.next = self.alt_width.val();
            self.wr_data.next = self.alt_data.val();
        }
        self.wr_lane.next = self.wr_lo.val();
        self.wr_strb.next = 1.into();
        if self.wr_width.val() == 1 {
            self.wr_lane.next = self.wr_lo.val() & 2;
            self.wr_strb.next = 3.into();
        }
        if self.wr_width.val() == 2 {
            self.wr_lane.next = 0.into();
            self.wr_strb.next = 0xF.into();
        }
        self.wr_request.next = bit_cast::<35, 32>(
            self.wr_phys.val() & !bit_cast::<32, 2>(self.wr_lane.val() ^ self.wr_lo.val()),
        ) | (bit_cast::<35, 2>(self.wr_width.val()) << 32);
        // Lane placement in locals of the lane width: Verilog would evaluate a shift inside the
        // wider concatenation at 36 bits and keep the bits shifted out.
        self.w_lanes.next = self.wr_data.val() << (bit_cast::<5, 2>(self.wr_lane.val()) << 3);
        self.w_strobes.next = self.wr_strb.val() << self.wr_lane.val();

        self.aw_q.push.next = self.push_write.val();
        self.w_q.push.next = self.push_write.val();
        self.ar_q.push.next = self.push_read.val();
        self.aw_q.data_in.next = self.wr_request.val();
        self.ar_q.data_in.next = self.request.val();
        self.w_q.data_in.next = bit_cast::<36, 32>(self.w_lanes.val())
            | (bit_cast::<36, 4>(self.w_strobes.val()) << 32);
        self.aw_q.ready.next = self.awready.val();
        self.w_q.ready.next = self.wready.val();
        self.ar_q.ready.next = self.arready.val();
        self.write_space.next = self.aw_q.space.val() & self.w_q.space.val();
        self.read_space.next = self.ar_q.space.val();

        self.awaddr.next = self.aw_q.data.val().get_bits::<32>(0);
        self.awsize.next = self.aw_q.data.val().get_bits::<3>(32);
        self.awvalid.next = self.aw_q.valid.val();
        self.wdata.next = self.w_q.data.val().get_bits::<32>(0);
        self.wstrb.next = self.w_q.data.val().get_bits::<4>(32);
        self.wvalid.next = self.w_q.valid.val();
        self.araddr.next = self.ar_q.data.val().get_bits::<32>(0);
        self.arsize.next = self.ar_q.data.val().get_bits::<3>(32);
        self.arvalid.next = self.ar_q.valid.val();
    }
}
