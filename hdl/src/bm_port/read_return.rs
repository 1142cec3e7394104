//! The bus-master port's R channel: the device sees its bursts answered in the order it sent
//! them (one ID), each either passed through from memory or, for a refused burst, answered by
//! the port itself with `len + 1` error beats.
//!
//! ```text
//!  AR lookup ──► order queue (resp, len) ──► head ─┬─ resp = 0: m_r* ────────────► s_r*
//!                                                  └─ resp ≠ 0: error beats ─────► s_r*
//!                         pop ◄── last beat handed to the device
//! ```
//!
//! Why a queue in order: a refused burst must not overtake (or be overtaken by) a translated
//! burst still waiting for memory, so the port answers from the head of one queue of every
//! burst, translated or not. Pass-through beats go straight through (no register), so a burst
//! streams one beat per clock.

use crate::axi_queue::AxiQueue;
use rust_hdl::prelude::*;

/// Response (2 bits) ‖ length (8 bits) of a burst, as the lookup pushes it.
pub const ORDER_BITS: usize = 10;
/// Bursts the port keeps in order per direction.
pub const ORDER_DEPTH: usize = 4;

#[derive(LogicBlock)]
pub struct BmReadReturn {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub push: Signal<In, Bit>,
    pub push_resp: Signal<In, Bits<2>>,
    pub push_len: Signal<In, Bits<8>>,
    pub space: Signal<Out, Bit>,
    /// Memory's R channel.
    pub m_rdata: Signal<In, Bits<32>>,
    pub m_rresp: Signal<In, Bits<2>>,
    pub m_rlast: Signal<In, Bit>,
    pub m_rvalid: Signal<In, Bit>,
    pub m_rready: Signal<Out, Bit>,
    /// The device's R channel.
    pub s_rdata: Signal<Out, Bits<32>>,
    pub s_rresp: Signal<Out, Bits<2>>,
    pub s_rlast: Signal<Out, Bit>,
    pub s_rvalid: Signal<Out, Bit>,
    pub s_rready: Signal<In, Bit>,

    order: AxiQueue<ORDER_BITS>,
    /// Error beats already handed out of the head burst.
    beat: DFF<Bits<8>>,
    head_resp: Signal<Local, Bits<2>>,
    head_len: Signal<Local, Bits<8>>,
    err_last: Signal<Local, Bit>,
    /// Outputs and the queue's pop, chosen below and assigned once.
    l_s_rdata: Signal<Local, Bits<32>>,
    l_s_rresp: Signal<Local, Bits<2>>,
    l_s_rlast: Signal<Local, Bit>,
    l_s_rvalid: Signal<Local, Bit>,
    l_m_rready: Signal<Local, Bit>,
    l_order_ready: Signal<Local, Bit>,
}

impl Default for BmReadReturn {
    fn default() -> Self {
        BmReadReturn {
            clock: Default::default(),
            reset: Default::default(),
            push: Default::default(),
            push_resp: Default::default(),
            push_len: Default::default(),
            space: Default::default(),
            m_rdata: Default::default(),
            m_rresp: Default::default(),
            m_rlast: Default::default(),
            m_rvalid: Default::default(),
            m_rready: Default::default(),
            s_rdata: Default::default(),
            s_rresp: Default::default(),
            s_rlast: Default::default(),
            s_rvalid: Default::default(),
            s_rready: Default::default(),
            order: AxiQueue::new(ORDER_DEPTH),
            beat: Default::default(),
            head_resp: Default::default(),
            head_len: Default::default(),
            err_last: Default::default(),
            l_s_rdata: Default::default(),
            l_s_rresp: Default::default(),
            l_s_rlast: Default::default(),
            l_s_rvalid: Default::default(),
            l_m_rready: Default::default(),
            l_order_ready: Default::default(),
        }
    }
}

impl Logic for BmReadReturn {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, beat);
        clock!(self, clock, order);
        self.order.reset.next = self.reset.val();
        self.order.push.next = self.push.val();
        self.order.data_in.next =
            bit_cast::<10, 8>(self.push_len.val()) | (bit_cast::<10, 2>(self.push_resp.val()) << 8);
        self.space.next = self.order.space.val();
        self.head_len.next = self.order.data.val().get_bits::<8>(0);
        self.head_resp.next = self.order.data.val().get_bits::<2>(8);
        self.err_last.next = self.beat.q.val() == self.head_len.val();

        // Outputs are chosen in locals and assigned once (see `MapDma::update`).
        if self.order.valid.val() & (self.head_resp.val() == 0) {
            self.l_s_rdata.next = self.m_rdata.val();
            self.l_s_rresp.next = self.m_rresp.val();
            self.l_s_rlast.next = self.m_rlast.val();
            self.l_s_rvalid.next = self.m_rvalid.val();
            self.l_m_rready.next = self.s_rready.val();
            self.l_order_ready.next =
                self.m_rvalid.val() & self.s_rready.val() & self.m_rlast.val();
        } else if self.order.valid.val() {
            self.l_s_rdata.next = 0.into();
            self.l_s_rresp.next = self.head_resp.val();
            self.l_s_rlast.next = self.err_last.val();
            self.l_s_rvalid.next = true;
            self.l_m_rready.next = false;
            self.l_order_ready.next = self.s_rready.val() & self.err_last.val();
            if self.s_rready.val() {
                self.beat.d.next = self.beat.q.val() + 1;
                if self.err_last.val() {
                    self.beat.d.next = 0.into();
                }
            }
        } else {
            self.l_s_rdata.next = 0.into();
            self.l_s_rresp.next = 0.into();
            self.l_s_rlast.next = false;
            self.l_s_rvalid.next = false;
            self.l_m_rready.next = false;
            self.l_order_ready.next = false;
        }
        self.s_rdata.next = self.l_s_rdata.val();
        self.s_rresp.next = self.l_s_rresp.val();
        self.s_rlast.next = self.l_s_rlast.val();
        self.s_rvalid.next = self.l_s_rvalid.val();
        self.m_rready.next = self.l_m_rready.val();
        self.order.ready.next = self.l_order_ready.val();
        if self.reset.val() {
            self.beat.d.next = 0.into();
        }
    }
}
