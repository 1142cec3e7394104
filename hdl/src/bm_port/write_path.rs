//! The bus-master port's W and B channels: W beats follow the order of the device's AW bursts
//! and go to memory or, for a refused burst, are taken and dropped; B responses come back in
//! the same order, from memory or from the port.
//!
//! ```text
//!  AW lookup ─┬─► W route queue (resp) ──► head ─┬─ 0: s_w* ──► m_w*   (beats to memory)
//!             │                               └─ ≠0: s_w* taken, dropped ─► drained += 1
//!             └─► B order queue (resp) ──► head ─┬─ 0: m_b* ──► s_b*
//!                                             └─ ≠0: s_b* = resp once its beats are drained
//! ```
//!
//! Why two queues: W data of a burst may arrive before (or long after) its AW, and its route is
//! known only once the AW is looked up, so the W side waits on the route queue (READY low until
//! the route of the head burst is known, which never waits on W: no deadlock). A refused
//! burst's B must follow its last W beat (AXI), so the B side answers it only after the W side
//! has drained it (`drained` counts refused bursts whose beats are all taken but whose B is not
//! yet given; both queues are in AW order, so the counts match burst for burst).

use crate::axi_queue::AxiQueue;
use crate::bm_port::read_return::ORDER_DEPTH;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct BmWritePath {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub push: Signal<In, Bit>,
    pub push_resp: Signal<In, Bits<2>>,
    pub space: Signal<Out, Bit>,
    pub s_wdata: Signal<In, Bits<32>>,
    pub s_wstrb: Signal<In, Bits<4>>,
    pub s_wlast: Signal<In, Bit>,
    pub s_wvalid: Signal<In, Bit>,
    pub s_wready: Signal<Out, Bit>,
    pub m_wdata: Signal<Out, Bits<32>>,
    pub m_wstrb: Signal<Out, Bits<4>>,
    pub m_wlast: Signal<Out, Bit>,
    pub m_wvalid: Signal<Out, Bit>,
    pub m_wready: Signal<In, Bit>,
    pub m_bresp: Signal<In, Bits<2>>,
    pub m_bvalid: Signal<In, Bit>,
    pub m_bready: Signal<Out, Bit>,
    pub s_bresp: Signal<Out, Bits<2>>,
    pub s_bvalid: Signal<Out, Bit>,
    pub s_bready: Signal<In, Bit>,

    route: AxiQueue<2>,
    border: AxiQueue<2>,
    drained: DFF<Bits<3>>,
    drain_done: Signal<Local, Bit>,
    err_b_done: Signal<Local, Bit>,
    /// Outputs and the queues' pops, chosen below and assigned once.
    l_m_wvalid: Signal<Local, Bit>,
    l_s_wready: Signal<Local, Bit>,
    l_route_ready: Signal<Local, Bit>,
    l_s_bresp: Signal<Local, Bits<2>>,
    l_s_bvalid: Signal<Local, Bit>,
    l_m_bready: Signal<Local, Bit>,
    l_border_ready: Signal<Local, Bit>,
}

impl Default for BmWritePath {
    fn default() -> Self {
        BmWritePath {
            clock: Default::default(),
            reset: Default::default(),
            push: Default::default(),
            push_resp: Default::default(),
            space: Default::default(),
            s_wdata: Default::default(),
            s_wstrb: Default::default(),
            s_wlast: Default::default(),
            s_wvalid: Default::default(),
            s_wready: Default::default(),
            m_wdata: Default::default(),
            m_wstrb: Default::default(),
            m_wlast: Default::default(),
            m_wvalid: Default::default(),
            m_wready: Default::default(),
            m_bresp: Default::default(),
            m_bvalid: Default::default(),
            m_bready: Default::default(),
            s_bresp: Default::default(),
            s_bvalid: Default::default(),
            s_bready: Default::default(),
            route: AxiQueue::new(ORDER_DEPTH),
            border: AxiQueue::new(ORDER_DEPTH),
            drained: Default::default(),
            drain_done: Default::default(),
            err_b_done: Default::default(),
            l_m_wvalid: Default::default(),
            l_s_wready: Default::default(),
            l_route_ready: Default::default(),
            l_s_bresp: Default::default(),
            l_s_bvalid: Default::default(),
            l_m_bready: Default::default(),
            l_border_ready: Default::default(),
        }
    }
}

impl Logic for BmWritePath {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, drained);
        clock!(self, clock, route, border);
        self.route.reset.next = self.reset.val();
        self.border.reset.next = self.reset.val();
        self.route.push.next = self.push.val();
        self.border.push.next = self.push.val();
        self.route.data_in.next = self.push_resp.val();
        self.border.data_in.next = self.push_resp.val();
        self.space.next = self.route.space.val() & self.border.space.val();

        // W: route the head burst's beats. Outputs are chosen in locals and assigned once.
        self.m_wdata.next = self.s_wdata.val();
        self.m_wstrb.next = self.s_wstrb.val();
        self.m_wlast.next = self.s_wlast.val();
        if self.route.valid.val() & (self.route.data.val() == 0) {
            self.l_m_wvalid.next = self.s_wvalid.val();
            self.l_s_wready.next = self.m_wready.val();
            self.drain_done.next = false;
            self.l_route_ready.next =
                self.s_wvalid.val() & self.m_wready.val() & self.s_wlast.val();
        } else if self.route.valid.val() {
            self.l_m_wvalid.next = false;
            self.l_s_wready.next = true;
            self.drain_done.next = self.s_wvalid.val() & self.s_wlast.val();
            self.l_route_ready.next = self.s_wvalid.val() & self.s_wlast.val();
        } else {
            self.l_m_wvalid.next = false;
            self.l_s_wready.next = false;
            self.drain_done.next = false;
            self.l_route_ready.next = false;
        }

        // B: in AW order.
        if self.border.valid.val() & (self.border.data.val() == 0) {
            self.l_s_bresp.next = self.m_bresp.val();
            self.l_s_bvalid.next = self.m_bvalid.val();
            self.l_m_bready.next = self.s_bready.val();
            self.err_b_done.next = false;
            self.l_border_ready.next = self.m_bvalid.val() & self.s_bready.val();
        } else if self.border.valid.val() {
            self.l_s_bresp.next = self.border.data.val();
            self.l_s_bvalid.next = self.drained.q.val() != 0;
            self.l_m_bready.next = false;
            self.err_b_done.next = (self.drained.q.val() != 0) & self.s_bready.val();
            self.l_border_ready.next = (self.drained.q.val() != 0) & self.s_bready.val();
        } else {
            self.l_s_bresp.next = 0.into();
            self.l_s_bvalid.next = false;
            self.l_m_bready.next = false;
            self.err_b_done.next = false;
            self.l_border_ready.next = false;
        }
        self.m_wvalid.next = self.l_m_wvalid.val();
        self.s_wready.next = self.l_s_wready.val();
        self.route.ready.next = self.l_route_ready.val();
        self.s_bresp.next = self.l_s_bresp.val();
        self.s_bvalid.next = self.l_s_bvalid.val();
        self.m_bready.next = self.l_m_bready.val();
        self.border.ready.next = self.l_border_ready.val();
        self.drained.d.next = self.drained.q.val() + bit_cast::<3, 1>(self.drain_done.val().into())
            - bit_cast::<3, 1>(self.err_b_done.val().into());
        if self.reset.val() {
            self.drained.d.next = 0.into();
        }
    }
}
