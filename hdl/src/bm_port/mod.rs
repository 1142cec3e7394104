//! The bus-master translation port (DESIGN §10): a translating AXI4 bridge that lets a
//! bus-master device use the logical addresses the map registers define.
//!
//! ```text
//!               ┌──────────────────────── bm_port ───────────────────────────┐
//!  s_bm_axi AR ─┼─► lookup (AR) ──► translated AR ──────────────────────────►─┼─ m_bm_axi AR
//!               │      │ └─► order ─► read_return ◄── R ◄────────────────────◄┼─ m_bm_axi R
//!  s_bm_axi R  ◄┼──────┼──────────────────┘ (memory beats or error beats)     │
//!  s_bm_axi AW ─┼─► lookup (AW) ──► translated AW ──────────────────────────►─┼─ m_bm_axi AW
//!  s_bm_axi W  ─┼──────┴─► write_path (route W, order B) ──► W ─────────────►─┼─ m_bm_axi W
//!  s_bm_axi B  ◄┼────────────────────────────────────── B ◄──────────────────◄┼─ m_bm_axi B
//!  MAP writes ──┼─► map copy (port a: AR, port b: AW)                          │
//!  faults ──────┼─► fault_record ──► BM_FAULT, BM_FAULT_ADDR, INT bit, irq      │
//!               └────────────────────────────────────────────────────────────┘
//! ```
//!
//! Why a bridge with its own copy of the map: the engine's map RAM read port is busy every
//! clock with the engine's own lookup, and sharing it would put an arbiter on the engine's
//! select → issue path. A second copy, written by the same MAP register writes (the entry as
//! `translation` packs it), costs one block RAM and keeps the port off every engine timing
//! path. A second AXI4 master (rather than arbitration inside the core) leaves the choice of
//! the memory interconnect to the user and keeps the engine's request queues unchanged.
//! One AXI ID (no ID signals): every response comes back in request order.

pub mod fault_record;
pub mod lookup;
pub mod read_return;
pub mod write_path;

use crate::map_ram::{Entry, MapRam, INDEX_BITS};
use fault_record::BmFaultRecord;
use lookup::BmLookup;
use mapdma_regmap::Config;
use read_return::BmReadReturn;
use rust_hdl::prelude::*;
use write_path::BmWritePath;

#[derive(LogicBlock)]
pub struct BmPort {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// AXI4 slave (the bus-master device), one ID.
    pub s_awaddr: Signal<In, Bits<32>>,
    pub s_awlen: Signal<In, Bits<8>>,
    pub s_awsize: Signal<In, Bits<3>>,
    pub s_awburst: Signal<In, Bits<2>>,
    pub s_awvalid: Signal<In, Bit>,
    pub s_awready: Signal<Out, Bit>,
    pub s_wdata: Signal<In, Bits<32>>,
    pub s_wstrb: Signal<In, Bits<4>>,
    pub s_wlast: Signal<In, Bit>,
    pub s_wvalid: Signal<In, Bit>,
    pub s_wready: Signal<Out, Bit>,
    pub s_bresp: Signal<Out, Bits<2>>,
    pub s_bvalid: Signal<Out, Bit>,
    pub s_bready: Signal<In, Bit>,
    pub s_araddr: Signal<In, Bits<32>>,
    pub s_arlen: Signal<In, Bits<8>>,
    pub s_arsize: Signal<In, Bits<3>>,
    pub s_arburst: Signal<In, Bits<2>>,
    pub s_arvalid: Signal<In, Bit>,
    pub s_arready: Signal<Out, Bit>,
    pub s_rdata: Signal<Out, Bits<32>>,
    pub s_rresp: Signal<Out, Bits<2>>,
    pub s_rlast: Signal<Out, Bit>,
    pub s_rvalid: Signal<Out, Bit>,
    pub s_rready: Signal<In, Bit>,

    /// AXI4 master (memory), one ID, INCR bursts only.
    pub m_awaddr: Signal<Out, Bits<32>>,
    pub m_awlen: Signal<Out, Bits<8>>,
    pub m_awsize: Signal<Out, Bits<3>>,
    pub m_awvalid: Signal<Out, Bit>,
    pub m_awready: Signal<In, Bit>,
    pub m_wdata: Signal<Out, Bits<32>>,
    pub m_wstrb: Signal<Out, Bits<4>>,
    pub m_wlast: Signal<Out, Bit>,
    pub m_wvalid: Signal<Out, Bit>,
    pub m_wready: Signal<In, Bit>,
    pub m_bresp: Signal<In, Bits<2>>,
    pub m_bvalid: Signal<In, Bit>,
    pub m_bready: Signal<Out, Bit>,
    pub m_araddr: Signal<Out, Bits<32>>,
    pub m_arlen: Signal<Out, Bits<8>>,
    pub m_arsize: Signal<Out, Bits<3>>,
    pub m_arvalid: Signal<Out, Bit>,
    pub m_arready: Signal<In, Bit>,
    pub m_rdata: Signal<In, Bits<32>>,
    pub m_rresp: Signal<In, Bits<2>>,
    pub m_rlast: Signal<In, Bit>,
    pub m_rvalid: Signal<In, Bit>,
    pub m_rready: Signal<Out, Bit>,

    /// MAP register writes: enable, index and the entry as `translation` packs it.
    pub map_we: Signal<In, Bit>,
    pub map_index: Signal<In, Bits<INDEX_BITS>>,
    pub map_entry: Signal<In, Entry>,
    /// Register access of this clock (fault record, interrupt bit).
    pub wr: Signal<In, Bit>,
    pub wd: Signal<In, Bits<32>>,
    pub w_int_status: Signal<In, Bit>,
    pub w_int_enable: Signal<In, Bit>,
    pub r_int_status: Signal<In, Bit>,
    pub r_int_enable: Signal<In, Bit>,
    pub r_bm_fault: Signal<In, Bit>,
    pub r_bm_fault_addr: Signal<In, Bit>,
    pub rd_data: Signal<Out, Bits<32>>,
    pub irq: Signal<Out, Bit>,

    map: MapRam,
    ar: BmLookup,
    aw: BmLookup,
    rret: BmReadReturn,
    wpath: BmWritePath,
    record: BmFaultRecord,
}

impl BmPort {
    pub fn new(cfg: &Config) -> Self {
        fault_record::check_layout();
        BmPort {
            clock: Default::default(),
            reset: Default::default(),
            s_awaddr: Default::default(),
            s_awlen: Default::default(),
            s_awsize: Default::default(),
            s_awburst: Default::default(),
            s_awvalid: Default::default(),
            s_awready: Default::default(),
            s_wdata: Default::default(),
            s_wstrb: Default::default(),
            s_wlast: Default::default(),
            s_wvalid: Default::default(),
            s_wready: Default::default(),
            s_bresp: Default::default(),
            s_bvalid: Default::default(),
            s_bready: Default::default(),
            s_araddr: Default::default(),
            s_arlen: Default::default(),
            s_arsize: Default::default(),
            s_arburst: Default::default(),
            s_arvalid: Default::default(),
            s_arready: Default::default(),
            s_rdata: Default::default(),
            s_rresp: Default::default(),
            s_rlast: Default::default(),
            s_rvalid: Default::default(),
            s_rready: Default::default(),
            m_awaddr: Default::default(),
            m_awlen: Default::default(),
            m_awsize: Default::default(),
            m_awvalid: Default::default(),
            m_awready: Default::default(),
            m_wdata: Default::default(),
            m_wstrb: Default::default(),
            m_wlast: Default::default(),
            m_wvalid: Default::default(),
            m_wready: Default::default(),
            m_bresp: Default::default(),
            m_bvalid: Default::default(),
            m_bready: Default::default(),
            m_araddr: Default::default(),
            m_arlen: Default::default(),
            m_arsize: Default::default(),
            m_arvalid: Default::default(),
            m_arready: Default::default(),
            m_rdata: Default::default(),
            m_rresp: Default::default(),
            m_rlast: Default::default(),
            m_rvalid: Default::default(),
            m_rready: Default::default(),
            map_we: Default::default(),
            map_index: Default::default(),
            map_entry: Default::default(),
            wr: Default::default(),
            wd: Default::default(),
            w_int_status: Default::default(),
            w_int_enable: Default::default(),
            r_int_status: Default::default(),
            r_int_enable: Default::default(),
            r_bm_fault: Default::default(),
            r_bm_fault_addr: Default::default(),
            rd_data: Default::default(),
            irq: Default::default(),
            map: MapRam::new(cfg.map_registers),
            ar: BmLookup::new(cfg, false),
            aw: BmLookup::new(cfg, true),
            rret: Default::default(),
            wpath: Default::default(),
            record: Default::default(),
        }
    }
}

impl Logic for BmPort {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, map, ar, aw, rret, wpath, record);
        self.ar.reset.next = self.reset.val();
        self.aw.reset.next = self.reset.val();
        self.rret.reset.next = self.reset.val();
        self.wpath.reset.next = self.reset.val();
        self.record.reset.next = self.reset.val();

        // The map copy: written with the engine's, read by the two lookups.
        self.map.write_enable.next = self.map_we.val();
        self.map.write_index.next = self.map_index.val();
        self.map.write_data.next = self.map_entry.val();
        self.map.read_index_a.next = self.ar.read_index.val();
        self.ar.entry.next = self.map.read_data_a.val();
        self.map.read_index_b.next = self.aw.read_index.val();
        self.aw.entry.next = self.map.read_data_b.val();
        self.ar.hold.next = self.map_we.val();
        self.aw.hold.next = self.map_we.val();

        // AR → memory; R back in order.
        self.ar.addr.next = self.s_araddr.val();
        self.ar.len.next = self.s_arlen.val();
        self.ar.size.next = self.s_arsize.val();
        self.ar.burst.next = self.s_arburst.val();
        self.ar.valid.next = self.s_arvalid.val();
        self.s_arready.next = self.ar.ready.val();
        self.m_araddr.next = self.ar.out_addr.val();
        self.m_arlen.next = self.ar.out_len.val();
        self.m_arsize.next = self.ar.out_size.val();
        self.m_arvalid.next = self.ar.out_valid.val();
        self.ar.out_ready.next = self.m_arready.val();
        self.rret.push.next = self.ar.order_push.val();
        self.rret.push_resp.next = self.ar.order_resp.val();
        self.rret.push_len.next = self.ar.order_len.val();
        self.ar.order_space.next = self.rret.space.val();
        self.rret.m_rdata.next = self.m_rdata.val();
        self.rret.m_rresp.next = self.m_rresp.val();
        self.rret.m_rlast.next = self.m_rlast.val();
        self.rret.m_rvalid.next = self.m_rvalid.val();
        self.m_rready.next = self.rret.m_rready.val();
        self.s_rdata.next = self.rret.s_rdata.val();
        self.s_rresp.next = self.rret.s_rresp.val();
        self.s_rlast.next = self.rret.s_rlast.val();
        self.s_rvalid.next = self.rret.s_rvalid.val();
        self.rret.s_rready.next = self.s_rready.val();

        // AW → memory; W routed and B back in order.
        self.aw.addr.next = self.s_awaddr.val();
        self.aw.len.next = self.s_awlen.val();
        self.aw.size.next = self.s_awsize.val();
        self.aw.burst.next = self.s_awburst.val();
        self.aw.valid.next = self.s_awvalid.val();
        self.s_awready.next = self.aw.ready.val();
        self.m_awaddr.next = self.aw.out_addr.val();
        self.m_awlen.next = self.aw.out_len.val();
        self.m_awsize.next = self.aw.out_size.val();
        self.m_awvalid.next = self.aw.out_valid.val();
        self.aw.out_ready.next = self.m_awready.val();
        self.wpath.push.next = self.aw.order_push.val();
        self.wpath.push_resp.next = self.aw.order_resp.val();
        self.aw.order_space.next = self.wpath.space.val();
        self.wpath.s_wdata.next = self.s_wdata.val();
        self.wpath.s_wstrb.next = self.s_wstrb.val();
        self.wpath.s_wlast.next = self.s_wlast.val();
        self.wpath.s_wvalid.next = self.s_wvalid.val();
        self.s_wready.next = self.wpath.s_wready.val();
        self.m_wdata.next = self.wpath.m_wdata.val();
        self.m_wstrb.next = self.wpath.m_wstrb.val();
        self.m_wlast.next = self.wpath.m_wlast.val();
        self.m_wvalid.next = self.wpath.m_wvalid.val();
        self.wpath.m_wready.next = self.m_wready.val();
        self.wpath.m_bresp.next = self.m_bresp.val();
        self.wpath.m_bvalid.next = self.m_bvalid.val();
        self.m_bready.next = self.wpath.m_bready.val();
        self.s_bresp.next = self.wpath.s_bresp.val();
        self.s_bvalid.next = self.wpath.s_bvalid.val();
        self.wpath.s_bready.next = self.s_bready.val();

        // Faults and registers.
        self.record.r_fault.next = self.ar.fault.val();
        self.record.r_cause.next = self.ar.fault_cause.val();
        self.record.r_addr.next = self.ar.fault_addr.val();
        self.record.w_fault.next = self.aw.fault.val();
        self.record.w_cause.next = self.aw.fault_cause.val();
        self.record.w_addr.next = self.aw.fault_addr.val();
        self.record.wr.next = self.wr.val();
        self.record.wd.next = self.wd.val();
        self.record.w_int_status.next = self.w_int_status.val();
        self.record.w_int_enable.next = self.w_int_enable.val();
        self.record.r_int_status.next = self.r_int_status.val();
        self.record.r_int_enable.next = self.r_int_enable.val();
        self.record.r_bm_fault.next = self.r_bm_fault.val();
        self.record.r_bm_fault_addr.next = self.r_bm_fault_addr.val();
        self.rd_data.next = self.record.rd_data.val();
        self.irq.next = self.record.irq.val();
    }
}
