//! The mapdma top level: wires the sub-blocks and holds the select/issue engine.
//! Behaviour is specified in `hdl/DESIGN.md` (§6 for the pipeline).
//!
//! ```text
//!  AXI4-Lite ─► axil ─► wdec/rdec ─┬─► regs (8237 register file) ─► strobes ─► channels[c]
//!                                  ├─► native (INT_*, FAULT_*, SNAP_*, irq)  ─► halt/unhalt
//!                                  └─► translation (map RAM, MAP read-back)
//!  rd_data ◄── regs ◄── native read word, map word
//!
//!  channels ──► select (a_) ──► translation lookup ──► issue (b_/u_) ──► requests ──► AW/W/AR
//!     ▲          arb_hold ┐                            │ commit   responses ◄── R / B
//!     └── advance ◄───────┴ arb_commit ◄───────────────┘            │ snk, bus faults ─► native
//! ```
//!
//! Engine pipeline (one unit per clock):
//! - **select** (combinational, `a_*`): two arbiters pick the next channel from the channel
//!   state *as it will be after this clock's commit* — `arb_hold`/`h_*` if the issue-stage unit
//!   does not commit, `arb_commit`/`c_*` if it does — and the commit decision picks one late;
//!   the pick starts the map-RAM lookup of that unit's logical page;
//! - **issue** (`b_*`, from the registers `u_*` loaded at select): with the translation in hand,
//!   the unit either commits (channel registers advance, the AXI request is queued, a response
//!   tag is written), faults (no bus access, nothing moves, channel halted), is dropped (the
//!   channel is no longer runnable, a back-to-back demand unit lost its DREQ, or a register
//!   write happened: re-selected from fresh state), or waits (device data or AXI space missing).
//!
//! Nothing becomes architectural before commit, so faults are precise and drops are free.
//! Other prefixes: `k_` constants fixed at generation, `t_` scratch values inside loops
//! (rust-hdl kernels have no `let`).

use crate::arbiter::Arbiter;
use crate::axi_requests::AxiRequests;
use crate::axil_slave::AxiLiteSlave;
use crate::bm_port::BmPort;
use crate::channel::Channel;
use crate::device_port::DevicePort;
use crate::native_regs::NativeRegs;
use crate::reg_decode::RegDecode;
use crate::regs8237::Regs8237;
use crate::responses::Responses;
use crate::translation::Translation;
use mapdma_regmap as regmap;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct MapDma {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    // AXI4-Lite slave (registers).
    pub s_axil_awaddr: Signal<In, Bits<13>>,
    pub s_axil_awvalid: Signal<In, Bit>,
    pub s_axil_awready: Signal<Out, Bit>,
    pub s_axil_wdata: Signal<In, Bits<32>>,
    pub s_axil_wstrb: Signal<In, Bits<4>>,
    pub s_axil_wvalid: Signal<In, Bit>,
    pub s_axil_wready: Signal<Out, Bit>,
    pub s_axil_bresp: Signal<Out, Bits<2>>,
    pub s_axil_bvalid: Signal<Out, Bit>,
    pub s_axil_bready: Signal<In, Bit>,
    pub s_axil_araddr: Signal<In, Bits<13>>,
    pub s_axil_arvalid: Signal<In, Bit>,
    pub s_axil_arready: Signal<Out, Bit>,
    pub s_axil_rdata: Signal<Out, Bits<32>>,
    pub s_axil_rresp: Signal<Out, Bits<2>>,
    pub s_axil_rvalid: Signal<Out, Bit>,
    pub s_axil_rready: Signal<In, Bit>,

    // AXI4 master (memory).
    pub m_axi_awaddr: Signal<Out, Bits<32>>,
    pub m_axi_awlen: Signal<Out, Bits<8>>,
    pub m_axi_awsize: Signal<Out, Bits<3>>,
    pub m_axi_awburst: Signal<Out, Bits<2>>,
    pub m_axi_awvalid: Signal<Out, Bit>,
    pub m_axi_awready: Signal<In, Bit>,
    pub m_axi_wdata: Signal<Out, Bits<32>>,
    pub m_axi_wstrb: Signal<Out, Bits<4>>,
    pub m_axi_wlast: Signal<Out, Bit>,
    pub m_axi_wvalid: Signal<Out, Bit>,
    pub m_axi_wready: Signal<In, Bit>,
    pub m_axi_bresp: Signal<In, Bits<2>>,
    pub m_axi_bvalid: Signal<In, Bit>,
    pub m_axi_bready: Signal<Out, Bit>,
    pub m_axi_araddr: Signal<Out, Bits<32>>,
    pub m_axi_arlen: Signal<Out, Bits<8>>,
    pub m_axi_arsize: Signal<Out, Bits<3>>,
    pub m_axi_arburst: Signal<Out, Bits<2>>,
    pub m_axi_arvalid: Signal<Out, Bit>,
    pub m_axi_arready: Signal<In, Bit>,
    pub m_axi_rdata: Signal<In, Bits<32>>,
    pub m_axi_rresp: Signal<In, Bits<2>>,
    pub m_axi_rlast: Signal<In, Bit>,
    pub m_axi_rvalid: Signal<In, Bit>,
    pub m_axi_rready: Signal<Out, Bit>,

    // AXI4 slave (bus-master device) and AXI4 master (memory) of the bus-master port
    // (`bm_port`, DESIGN §10); tied off without the port.
    pub s_bm_axi_awaddr: Signal<In, Bits<32>>,
    pub s_bm_axi_awlen: Signal<In, Bits<8>>,
    pub s_bm_axi_awsize: Signal<In, Bits<3>>,
    pub s_bm_axi_awburst: Signal<In, Bits<2>>,
    pub s_bm_axi_awvalid: Signal<In, Bit>,
    pub s_bm_axi_wdata: Signal<In, Bits<32>>,
    pub s_bm_axi_wstrb: Signal<In, Bits<4>>,
    pub s_bm_axi_wlast: Signal<In, Bit>,
    pub s_bm_axi_wvalid: Signal<In, Bit>,
    pub s_bm_axi_bready: Signal<In, Bit>,
    pub s_bm_axi_araddr: Signal<In, Bits<32>>,
    pub s_bm_axi_arlen: Signal<In, Bits<8>>,
    pub s_bm_axi_arsize: Signal<In, Bits<3>>,
    pub s_bm_axi_arburst: Signal<In, Bits<2>>,
    pub s_bm_axi_arvalid: Signal<In, Bit>,
    pub s_bm_axi_rready: Signal<In, Bit>,
    pub s_bm_axi_awready: Signal<Out, Bit>,
    pub s_bm_axi_wready: Signal<Out, Bit>,
    pub s_bm_axi_bresp: Signal<Out, Bits<2>>,
    pub s_bm_axi_bvalid: Signal<Out, Bit>,
    pub s_bm_axi_arready: Signal<Out, Bit>,
    pub s_bm_axi_rdata: Signal<Out, Bits<32>>,
    pub s_bm_axi_rresp: Signal<Out, Bits<2>>,
    pub s_bm_axi_rlast: Signal<Out, Bit>,
    pub s_bm_axi_rvalid: Signal<Out, Bit>,
    pub m_bm_axi_awaddr: Signal<Out, Bits<32>>,
    pub m_bm_axi_awlen: Signal<Out, Bits<8>>,
    pub m_bm_axi_awsize: Signal<Out, Bits<3>>,
    pub m_bm_axi_awburst: Signal<Out, Bits<2>>,
    pub m_bm_axi_awvalid: Signal<Out, Bit>,
    pub m_bm_axi_wdata: Signal<Out, Bits<32>>,
    pub m_bm_axi_wstrb: Signal<Out, Bits<4>>,
    pub m_bm_axi_wlast: Signal<Out, Bit>,
    pub m_bm_axi_wvalid: Signal<Out, Bit>,
    pub m_bm_axi_bready: Signal<Out, Bit>,
    pub m_bm_axi_araddr: Signal<Out, Bits<32>>,
    pub m_bm_axi_arlen: Signal<Out, Bits<8>>,
    pub m_bm_axi_arsize: Signal<Out, Bits<3>>,
    pub m_bm_axi_arburst: Signal<Out, Bits<2>>,
    pub m_bm_axi_arvalid: Signal<Out, Bit>,
    pub m_bm_axi_rready: Signal<Out, Bit>,
    pub m_bm_axi_awready: Signal<In, Bit>,
    pub m_bm_axi_wready: Signal<In, Bit>,
    pub m_bm_axi_bresp: Signal<In, Bits<2>>,
    pub m_bm_axi_bvalid: Signal<In, Bit>,
    pub m_bm_axi_arready: Signal<In, Bit>,
    pub m_bm_axi_rdata: Signal<In, Bits<32>>,
    pub m_bm_axi_rresp: Signal<In, Bits<2>>,
    pub m_bm_axi_rlast: Signal<In, Bit>,
    pub m_bm_axi_rvalid: Signal<In, Bit>,

    pub dev: Vec<DevicePort>,
    pub irq: Signal<Out, Bit>,

    /// The bus-master port: one with `Config::bus_master_port`, none without.
    bm: Vec<BmPort>,
    /// The port's outputs, chosen (or tied off) and assigned once.
    l_s_bm_axi_awready: Signal<Local, Bit>,
    l_s_bm_axi_wready: Signal<Local, Bit>,
    l_s_bm_axi_bresp: Signal<Local, Bits<2>>,
    l_s_bm_axi_bvalid: Signal<Local, Bit>,
    l_s_bm_axi_arready: Signal<Local, Bit>,
    l_s_bm_axi_rdata: Signal<Local, Bits<32>>,
    l_s_bm_axi_rresp: Signal<Local, Bits<2>>,
    l_s_bm_axi_rlast: Signal<Local, Bit>,
    l_s_bm_axi_rvalid: Signal<Local, Bit>,
    l_m_bm_axi_awaddr: Signal<Local, Bits<32>>,
    l_m_bm_axi_awlen: Signal<Local, Bits<8>>,
    l_m_bm_axi_awsize: Signal<Local, Bits<3>>,
    l_m_bm_axi_awburst: Signal<Local, Bits<2>>,
    l_m_bm_axi_awvalid: Signal<Local, Bit>,
    l_m_bm_axi_wdata: Signal<Local, Bits<32>>,
    l_m_bm_axi_wstrb: Signal<Local, Bits<4>>,
    l_m_bm_axi_wlast: Signal<Local, Bit>,
    l_m_bm_axi_wvalid: Signal<Local, Bit>,
    l_m_bm_axi_bready: Signal<Local, Bit>,
    l_m_bm_axi_araddr: Signal<Local, Bits<32>>,
    l_m_bm_axi_arlen: Signal<Local, Bits<8>>,
    l_m_bm_axi_arsize: Signal<Local, Bits<3>>,
    l_m_bm_axi_arburst: Signal<Local, Bits<2>>,
    l_m_bm_axi_arvalid: Signal<Local, Bit>,
    l_m_bm_axi_rready: Signal<Local, Bit>,
    bm_rd: Signal<Local, Bits<32>>,
    bm_irq: Signal<Local, Bit>,

    axil: AxiLiteSlave,
    wdec: RegDecode,
    /// Priority for the next unit if the issue-stage unit commits this clock, and if it does
    /// not: both are computed in parallel and the commit decision picks one late.
    arb_commit: Arbiter,
    arb_hold: Arbiter,
    rdec: RegDecode,
    channels: Vec<Channel>,
    translation: Translation,
    responses: Responses,
    /// AXI4 requests of committed units (AW, W, AR queues).
    requests: AxiRequests,

    /// 8237 register file (controller-wide registers, channel strobes, read multiplexer) and
    /// native registers (interrupts, fault records, snapshots).
    regs: Regs8237,
    native: NativeRegs,

    // Engine.
    b_valid: DFF<Bit>,
    b_ch: DFF<Bits<2>>,
    /// The issue-stage unit was selected back-to-back, in its channel's own DACK clock, from a
    /// DREQ the device may not have withdrawn yet: it moves only if the request still holds.
    b_cont: DFF<Bit>,
    /// The issue-stage unit's channel fields, registered at select (the channel's registers do
    /// not change while its unit waits: only a commit or a register write changes them, and a
    /// register write drops the unit).
    u_type: DFF<Bits<2>>,
    u_mode: DFF<Bits<2>>,
    u_width: DFF<Bits<2>>,
    u_page: DFF<Bits<16>>,
    u_addr: DFF<Bits<16>>,
    u_at_tc: DFF<Bit>,
    u_decrement: DFF<Bit>,
    owner_valid: DFF<Bit>,
    owner_ch: DFF<Bits<2>>,
    last_ch: DFF<Bits<2>>,
    in_service: DFF<Bits<4>>,

    // Combinational scratch (rust-hdl kernels have no `let`).
    wr: Signal<Local, Bit>,
    wa: Signal<Local, Bits<13>>,
    wd: Signal<Local, Bits<32>>,
    rd: Signal<Local, Bit>,
    ra: Signal<Local, Bits<13>>,
    tc_events: Signal<Local, Bits<4>>,
    dreq_act: Signal<Local, Bits<4>>,
    requesting: Signal<Local, Bits<4>>,
    eop_act: Signal<Local, Bits<4>>,
    eligible: Signal<Local, Bits<4>>,
    runnable: Signal<Local, Bits<4>>,
    h_onehot: Signal<Local, Bits<4>>,
    c_onehot: Signal<Local, Bits<4>>,
    same_c: Signal<Local, Bit>,
    h_logical: Signal<Local, Bits<32>>,
    c_logical: Signal<Local, Bits<32>>,
    h_page: Signal<Local, Bits<16>>,
    h_addr: Signal<Local, Bits<16>>,
    h_type: Signal<Local, Bits<2>>,
    h_mode: Signal<Local, Bits<2>>,
    h_width: Signal<Local, Bits<2>>,
    h_decrement: Signal<Local, Bit>,
    h_at_tc: Signal<Local, Bit>,
    c_page: Signal<Local, Bits<16>>,
    c_addr: Signal<Local, Bits<16>>,
    c_type: Signal<Local, Bits<2>>,
    c_mode: Signal<Local, Bits<2>>,
    c_width: Signal<Local, Bits<2>>,
    c_decrement: Signal<Local, Bit>,
    c_at_tc: Signal<Local, Bit>,
    elig_hold: Signal<Local, Bits<4>>,
    elig_b: Signal<Local, Bits<4>>,
    elig_commit: Signal<Local, Bits<4>>,
    b_base: Signal<Local, Bits<16>>,
    b_autoinit: Signal<Local, Bit>,
    b_at_tc_after: Signal<Local, Bit>,
    b_fwd_addr: Signal<Local, Bits<16>>,
    fwd: Signal<Local, Bit>,
    a_type: Signal<Local, Bits<2>>,
    a_mode: Signal<Local, Bits<2>>,
    a_width: Signal<Local, Bits<2>>,
    a_decrement: Signal<Local, Bit>,
    a_at_tc: Signal<Local, Bit>,
    a_keeps: Signal<Local, Bit>,
    push_read: Signal<Local, Bit>,
    push_write: Signal<Local, Bit>,
    snk_ready_v: Signal<Local, Bits<4>>,
    stopped: Signal<Local, Bits<4>>,
    service_set: Signal<Local, Bits<4>>,
    b_onehot: Signal<Local, Bits<4>>,
    b_type: Signal<Local, Bits<2>>,
    b_mode: Signal<Local, Bits<2>>,
    b_width: Signal<Local, Bits<2>>,
    b_page: Signal<Local, Bits<16>>,
    b_addr: Signal<Local, Bits<16>>,
    b_step: Signal<Local, Bits<16>>,
    b_next_addr: Signal<Local, Bits<16>>,
    b_decrement: Signal<Local, Bit>,
    b_at_tc: Signal<Local, Bit>,
    b_logical: Signal<Local, Bits<32>>,
    b_src_valid: Signal<Local, Bit>,
    b_src_data: Signal<Local, Bits<32>>,
    b_elig: Signal<Local, Bit>,
    b_needs_map: Signal<Local, Bit>,
    b_fault: Signal<Local, Bit>,
    b_io_ready: Signal<Local, Bit>,
    b_commit: Signal<Local, Bit>,
    b_drop: Signal<Local, Bit>,
    commit_oh: Signal<Local, Bits<4>>,
    tc_commit_oh: Signal<Local, Bits<4>>,
    a_found: Signal<Local, Bit>,
    a_ch: Signal<Local, Bits<2>>,
    a_go: Signal<Local, Bit>,
    a_page: Signal<Local, Bits<16>>,
    a_addr: Signal<Local, Bits<16>>,
    lookup_logical: Signal<Local, Bits<32>>,
    dack_act: Signal<Local, Bit>,
    owner_onehot: Signal<Local, Bits<4>>,
    busy: Signal<Local, Bits<4>>,
    // Values of sub-module inputs and output ports that are chosen by conditions: each such
    // signal is assigned once per evaluation, from one of these (see the `update` comment).
}

impl MapDma {
    /// Builds the hardware for a configuration (checked with [`Config::validate`] first).
    pub fn new(cfg: &Config) -> Self {
        check_decode_layout();
        let n = cfg.channels;
        MapDma {
            clock: Default::default(),
            reset: Default::default(),
            s_axil_awaddr: Default::default(),
            s_axil_awvalid: Default::default(),
            s_axil_awready: Default::default(),
            s_axil_wdata: Default::default(),
            s_axil_wstrb: Default::default(),
            s_axil_wvalid: Default::default(),
            s_axil_wready: Default::default(),
            s_axil_bresp: Default::default(),
            s_axil_bvalid: Default::default(),
            s_axil_bready: Default::default(),
            s_axil_araddr: Default::default(),
            s_axil_arvalid: Default::default(),
            s_axil_arready: Default::default(),
            s_axil_rdata: Default::default(),
            s_axil_rresp: Default::default(),
            s_axil_rvalid: Default::default(),
            s_axil_rready: Default::default(),
            m_axi_awaddr: Default::default(),
            m_axi_awlen: Default::default(),
            m_axi_awsize: Default::default(),
            m_axi_awburst: Default::default(),
            m_axi_awvalid: Default::default(),
            m_axi_awready: Default::default(),
            m_axi_wdata: Default::default(),
            m_axi_wstrb: Default::default(),
            m_axi_wlast: Default::default(),
            m_axi_wvalid: Default::default(),
            m_axi_wready: Default::default(),
            m_axi_bresp: Default::default(),
            m_axi_bvalid: Default::default(),
            m_axi_bready: Default::default(),
            m_axi_araddr: Default::default(),
            m_axi_arlen: Default::default(),
            m_axi_arsize: Default::default(),
            m_axi_arburst: Default::default(),
            m_axi_arvalid: Default::default(),
            m_axi_arready: Default::default(),
            m_axi_rdata: Default::default(),
            m_axi_rresp: Default::default(),
            m_axi_rlast: Default::default(),
            m_axi_rvalid: Default::default(),
            m_axi_rready: Default::default(),
            dev: (0..n).map(|_| DevicePort::default()).collect(),
            irq: Default::default(),
            s_bm_axi_awaddr: Default::default(),
            s_bm_axi_awlen: Default::default(),
            s_bm_axi_awsize: Default::default(),
            s_bm_axi_awburst: Default::default(),
            s_bm_axi_awvalid: Default::default(),
            s_bm_axi_wdata: Default::default(),
            s_bm_axi_wstrb: Default::default(),
            s_bm_axi_wlast: Default::default(),
            s_bm_axi_wvalid: Default::default(),
            s_bm_axi_bready: Default::default(),
            s_bm_axi_araddr: Default::default(),
            s_bm_axi_arlen: Default::default(),
            s_bm_axi_arsize: Default::default(),
            s_bm_axi_arburst: Default::default(),
            s_bm_axi_arvalid: Default::default(),
            s_bm_axi_rready: Default::default(),
            s_bm_axi_awready: Default::default(),
            s_bm_axi_wready: Default::default(),
            s_bm_axi_bresp: Default::default(),
            s_bm_axi_bvalid: Default::default(),
            s_bm_axi_arready: Default::default(),
            s_bm_axi_rdata: Default::default(),
            s_bm_axi_rresp: Default::default(),
            s_bm_axi_rlast: Default::default(),
            s_bm_axi_rvalid: Default::default(),
            m_bm_axi_awaddr: Default::default(),
            m_bm_axi_awlen: Default::default(),
            m_bm_axi_awsize: Default::default(),
            m_bm_axi_awburst: Default::default(),
            m_bm_axi_awvalid: Default::default(),
            m_bm_axi_wdata: Default::default(),
            m_bm_axi_wstrb: Default::default(),
            m_bm_axi_wlast: Default::default(),
            m_bm_axi_wvalid: Default::default(),
            m_bm_axi_bready: Default::default(),
            m_bm_axi_araddr: Default::default(),
            m_bm_axi_arlen: Default::default(),
            m_bm_axi_arsize: Default::default(),
            m_bm_axi_arburst: Default::default(),
            m_bm_axi_arvalid: Default::default(),
            m_bm_axi_rready: Default::default(),
            m_bm_axi_awready: Default::default(),
            m_bm_axi_wready: Default::default(),
            m_bm_axi_bresp: Default::default(),
            m_bm_axi_bvalid: Default::default(),
            m_bm_axi_arready: Default::default(),
            m_bm_axi_rdata: Default::default(),
            m_bm_axi_rresp: Default::default(),
            m_bm_axi_rlast: Default::default(),
            m_bm_axi_rvalid: Default::default(),
            bm: (0..cfg.bus_master_port as usize)
                .map(|_| BmPort::new(cfg))
                .collect(),
            l_s_bm_axi_awready: Default::default(),
            l_s_bm_axi_wready: Default::default(),
            l_s_bm_axi_bresp: Default::default(),
            l_s_bm_axi_bvalid: Default::default(),
            l_s_bm_axi_arready: Default::default(),
            l_s_bm_axi_rdata: Default::default(),
            l_s_bm_axi_rresp: Default::default(),
            l_s_bm_axi_rlast: Default::default(),
            l_s_bm_axi_rvalid: Default::default(),
            l_m_bm_axi_awaddr: Default::default(),
            l_m_bm_axi_awlen: Default::default(),
            l_m_bm_axi_awsize: Default::default(),
            l_m_bm_axi_awburst: Default::default(),
            l_m_bm_axi_awvalid: Default::default(),
            l_m_bm_axi_wdata: Default::default(),
            l_m_bm_axi_wstrb: Default::default(),
            l_m_bm_axi_wlast: Default::default(),
            l_m_bm_axi_wvalid: Default::default(),
            l_m_bm_axi_bready: Default::default(),
            l_m_bm_axi_araddr: Default::default(),
            l_m_bm_axi_arlen: Default::default(),
            l_m_bm_axi_arsize: Default::default(),
            l_m_bm_axi_arburst: Default::default(),
            l_m_bm_axi_arvalid: Default::default(),
            l_m_bm_axi_rready: Default::default(),
            bm_rd: Default::default(),
            bm_irq: Default::default(),
            axil: Default::default(),
            wdec: RegDecode::new(cfg),
            arb_commit: Default::default(),
            arb_hold: Default::default(),
            rdec: RegDecode::new(cfg),
            channels: (0..n)
                .map(|_| Channel::new(cfg.page_register_bits()))
                .collect(),
            translation: Translation::new(cfg),
            responses: Responses::new(cfg.outstanding),
            requests: Default::default(),
            regs: Regs8237::new(cfg),
            native: NativeRegs::new(n),
            b_valid: Default::default(),
            b_ch: Default::default(),
            b_cont: Default::default(),
            u_type: Default::default(),
            u_mode: Default::default(),
            u_width: Default::default(),
            u_page: Default::default(),
            u_addr: Default::default(),
            u_at_tc: Default::default(),
            u_decrement: Default::default(),
            owner_valid: Default::default(),
            owner_ch: Default::default(),
            last_ch: Default::default(),
            in_service: Default::default(),
            wr: Default::default(),
            wa: Default::default(),
            wd: Default::default(),
            rd: Default::default(),
            ra: Default::default(),
            tc_events: Default::default(),
            dreq_act: Default::default(),
            requesting: Default::default(),
            eop_act: Default::default(),
            eligible: Default::default(),
            runnable: Default::default(),
            h_onehot: Default::default(),
            c_onehot: Default::default(),
            same_c: Default::default(),
            h_logical: Default::default(),
            c_logical: Default::default(),
            h_page: Default::default(),
            h_addr: Default::default(),
            h_type: Default::default(),
            h_mode: Default::default(),
            h_width: Default::default(),
            h_decrement: Default::default(),
            h_at_tc: Default::default(),
            c_page: Default::default(),
            c_addr: Default::default(),
            c_type: Default::default(),
            c_mode: Default::default(),
            c_width: Default::default(),
            c_decrement: Default::default(),
            c_at_tc: Default::default(),
            elig_hold: Default::default(),
            elig_b: Default::default(),
            elig_commit: Default::default(),
            b_base: Default::default(),
            b_autoinit: Default::default(),
            b_at_tc_after: Default::default(),
            b_fwd_addr: Default::default(),
            fwd: Default::default(),
            a_type: Default::default(),
            a_mode: Default::default(),
            a_width: Default::default(),
            a_decrement: Default::default(),
            a_at_tc: Default::default(),
            a_keeps: Default::default(),
            push_read: Default::default(),
            push_write: Default::default(),
            snk_ready_v: Default::default(),
            stopped: Default::default(),
            service_set: Default::default(),
            b_onehot: Default::default(),
            b_type: Default::default(),
            b_mode: Default::default(),
            b_width: Default::default(),
            b_page: Default::default(),
            b_addr: Default::default(),
            b_step: Default::default(),
            b_next_addr: Default::default(),
            b_decrement: Default::default(),
            b_at_tc: Default::default(),
            b_logical: Default::default(),
            b_src_valid: Default::default(),
            b_src_data: Default::default(),
            b_elig: Default::default(),
            b_needs_map: Default::default(),
            b_fault: Default::default(),
            b_io_ready: Default::default(),
            b_commit: Default::default(),
            b_drop: Default::default(),
            commit_oh: Default::default(),
            tc_commit_oh: Default::default(),
            a_found: Default::default(),
            a_ch: Default::default(),
            a_go: Default::default(),
            a_page: Default::default(),
            a_addr: Default::default(),
            lookup_logical: Default::default(),
            dack_act: Default::default(),
            owner_onehot: Default::default(),
            busy: Default::default(),
        }
    }
}

/// The read multiplexer and map-entry packing place fields at the positions `mapdma-regmap`
/// gives them; checked here (and the decode layout in `reg_decode`), so a register-map change
/// that breaks them fails at generation instead of silently mis-reading.
fn check_decode_layout() {
    use regmap::*;
    crate::reg_decode::check_layout();
    crate::regs8237::check_layout();
    crate::native_regs::check_layout();
    crate::translation::check_layout();
    // The codes the engine compares the channel's decoded mode with (type 1 write, 2 read;
    // service 0 demand, 1 single, 2 block, 3 cascade).
    assert_eq!(
        (
            TransferType::Verify as u32,
            TransferType::Write as u32,
            TransferType::Read as u32
        ),
        (0, 1, 2)
    );
    assert_eq!(
        (
            ServiceMode::Demand as u32,
            ServiceMode::Single as u32,
            ServiceMode::Block as u32,
            ServiceMode::Cascade as u32
        ),
        (0, 1, 2, 3)
    );
}

impl Logic for MapDma {
    // Every input of a sub-module (except flip-flop `d` inputs, which are only sampled at the
    // clock edge) and every output port is assigned exactly once per evaluation: a value chosen
    // by conditions is built in a `Local` and assigned at the end. An event-driven simulator
    // (Icarus) wakes the other module's `always @(*)` on each intermediate value, and two blocks
    // glitching into each other spin without advancing time.
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            b_valid,
            b_ch,
            b_cont,
            u_type,
            u_mode,
            u_width,
            u_page,
            u_addr,
            u_at_tc,
            u_decrement,
            owner_valid,
            owner_ch,
            last_ch,
            in_service
        );
        clock!(
            self,
            clock,
            axil,
            translation,
            responses,
            requests,
            regs,
            native
        );
        self.responses.reset.next = self.reset.val();
        self.regs.reset.next = self.reset.val();
        self.native.reset.next = self.reset.val();
        for i in 0..self.channels.len() {
            self.channels[i].clock.next = self.clock.val();
        }

        // Scratch values used inside loops start defined (no latches).
        self.dack_act.next = false;

        // ---- AXI4-Lite slave -------------------------------------------------------------
        self.axil.reset.next = self.reset.val();
        self.axil.awaddr.next = self.s_axil_awaddr.val();
        self.axil.awvalid.next = self.s_axil_awvalid.val();
        self.s_axil_awready.next = self.axil.awready.val();
        self.axil.wdata.next = self.s_axil_wdata.val();
        self.axil.wstrb.next = self.s_axil_wstrb.val();
        self.axil.wvalid.next = self.s_axil_wvalid.val();
        self.s_axil_wready.next = self.axil.wready.val();
        self.s_axil_bresp.next = self.axil.bresp.val();
        self.s_axil_bvalid.next = self.axil.bvalid.val();
        self.axil.bready.next = self.s_axil_bready.val();
        self.axil.araddr.next = self.s_axil_araddr.val();
        self.axil.arvalid.next = self.s_axil_arvalid.val();
        self.s_axil_arready.next = self.axil.arready.val();
        self.s_axil_rdata.next = self.axil.rdata.val();
        self.s_axil_rresp.next = self.axil.rresp.val();
        self.s_axil_rvalid.next = self.axil.rvalid.val();
        self.axil.rready.next = self.s_axil_rready.val();

        // ---- Register-write decode -------------------------------------------------------
        self.wr.next = self.axil.wr_en.val();
        self.wa.next = self.axil.wr_addr.val();
        self.wd.next = self.axil.wr_data.val();
        self.wdec.addr.next = self.wa.val();
        self.axil.wr_err.next = !self.wdec.known.val();

        // ---- Register-read strobe (side effects in this clock) ---------------------------
        self.rd.next = self.axil.rd_en.val();
        self.ra.next = self.axil.rd_addr.val();
        self.rdec.addr.next = self.ra.val();

        // ---- Per-channel request state ---------------------------------------------------
        self.dreq_act.next = 0.into();
        self.requesting.next = 0.into();
        self.eop_act.next = 0.into();
        self.eligible.next = 0.into();
        self.runnable.next = 0.into();
        self.stopped.next = 0.into();
        for i in 0..self.channels.len() {
            self.stopped.next = self.stopped.val().replace_bit(
                i,
                self.channels[i].masked.val() | self.channels[i].halted.val(),
            );
            if self.dev[i].dreq.val() ^ self.regs.cmd_dreq_low.val() {
                self.dreq_act.next = self.dreq_act.val().replace_bit(i, true);
            }
            if self.dreq_act.val().get_bit(i) | self.channels[i].sw_request.val() {
                self.requesting.next = self.requesting.val().replace_bit(i, true);
            }
            if self.dev[i].eop_in.val() & !self.channels[i].masked.val() {
                self.eop_act.next = self.eop_act.val().replace_bit(i, true);
            }
            // Runnable now: unmasked, running, not cascade. Eligible: runnable and requesting
            // (or mid-block).
            if !self.channels[i].masked.val()
                & !self.channels[i].halted.val()
                & !self.regs.cmd_disable.val()
                & (self.channels[i].service.val() != 3)
                & !self.eop_act.val().get_bit(i)
            {
                self.runnable.next = self.runnable.val().replace_bit(i, true);
            }
            if self.runnable.val().get_bit(i)
                & (self.requesting.val().get_bit(i)
                    | ((self.channels[i].service.val() == 2) & self.in_service.q.val().get_bit(i)))
            {
                self.eligible.next = self.eligible.val().replace_bit(i, true);
            }
        }

        // ---- Issue stage: the unit selected last clock ------------------------------------
        self.b_onehot.next = 0.into();
        if self.b_valid.q.val() {
            self.b_onehot.next = bits::<4>(1) << self.b_ch.q.val();
        }
        self.b_type.next = self.u_type.q.val();
        self.b_mode.next = self.u_mode.q.val();
        self.b_width.next = self.u_width.q.val();
        self.b_page.next = self.u_page.q.val();
        self.b_addr.next = self.u_addr.q.val();
        self.b_at_tc.next = self.u_at_tc.q.val();
        self.b_decrement.next = self.u_decrement.q.val();
        // The issue-stage channel's device and reload values (selected by a register).
        self.b_src_valid.next = false;
        self.b_src_data.next = 0.into();
        self.b_base.next = 0.into();
        self.b_autoinit.next = false;
        self.b_at_tc_after.next = false;
        for i in 0..self.channels.len() {
            if self.b_onehot.val().get_bit(i) {
                self.b_src_valid.next = self.dev[i].src_valid.val();
                self.b_src_data.next = self.dev[i].src_data.val();
                self.b_base.next = self.channels[i].base.val();
                self.b_autoinit.next = self.channels[i].autoinit.val();
                self.b_at_tc_after.next = self.channels[i].at_tc_after.val();
            }
        }
        // The one address stepper: current ± unit size for the channel in the issue stage
        // (one adder: +1/+2/+4, or −1/−2/−4 as 0xFFFF << width).
        self.b_step.next = bit_cast::<16, 3>(bits::<3>(1) << self.b_width.val());
        if self.b_decrement.val() {
            self.b_step.next = bits::<16>(0xFFFF) << self.b_width.val();
        }
        self.b_next_addr.next = self.b_addr.val() + self.b_step.val();
        self.b_logical.next =
            (bit_cast::<32, 16>(self.b_page.val()) << 16) | bit_cast::<32, 16>(self.b_addr.val());
        self.translation.unit_logical.next = self.b_logical.val();
        self.translation.unit_write.next = self.b_type.val() == 1;
        self.requests.phys.next = self.translation.phys.val();
        self.requests.addr_lo.next = self.b_addr.val().get_bits::<2>(0);
        self.requests.width.next = self.b_width.val();
        self.requests.src_data.next = self.b_src_data.val();
        // A unit selected from a DREQ sampled while DACK was inactive moves even if the device
        // drops DREQ in the DACK clock (8237: DREQ need only be held until DACK); a back-to-back
        // unit needs the request to hold in its own DACK clock.
        self.b_elig.next = (self.runnable.val() & self.b_onehot.val()).any() & !self.wr.val();
        if self.b_cont.q.val() {
            self.b_elig.next = (self.eligible.val() & self.b_onehot.val()).any() & !self.wr.val();
        }
        // Verify units (type 0, and the illegal type 3) touch no memory and need no translation.
        self.b_needs_map.next = (self.b_type.val() == 1) | (self.b_type.val() == 2);
        self.b_fault.next = self.b_valid.q.val()
            & self.b_elig.val()
            & self.b_needs_map.val()
            & (self.translation.cause.val() != 0);
        self.b_io_ready.next = true;
        if self.b_type.val() == 1 {
            self.b_io_ready.next = self.b_src_valid.val()
                & self.requests.write_space.val()
                & self.responses.wr_room.val();
        }
        if self.b_type.val() == 2 {
            self.b_io_ready.next = self.requests.read_space.val() & self.responses.rd_room.val();
        }
        self.b_commit.next =
            self.b_valid.q.val() & self.b_elig.val() & !self.b_fault.val() & self.b_io_ready.val();
        self.b_drop.next = self.b_valid.q.val() & (!self.b_elig.val() | self.b_fault.val());
        self.commit_oh.next = 0.into();
        if self.b_commit.val() {
            self.commit_oh.next = self.b_onehot.val();
        }
        self.tc_commit_oh.next = 0.into();
        if self.b_commit.val() & self.b_at_tc.val() {
            self.tc_commit_oh.next = self.b_onehot.val();
        }
        self.tc_events.next = self.tc_commit_oh.val() | self.eop_act.val();

        // ---- Select stage: the next unit, from the state after this clock's commit ---------
        // Eligibility after this clock both ways: if the issue-stage unit does not commit
        // (`elig_hold`) and if it does (`elig_commit`: its channel steps, may reach terminal
        // count and mask itself).
        self.elig_hold.next = 0.into();
        self.elig_b.next = 0.into();
        for i in 0..self.channels.len() {
            if !self.channels[i].halted.val()
                & !self.regs.cmd_disable.val()
                & (self.channels[i].service.val() != 3)
                & !self.eop_act.val().get_bit(i)
            {
                if !self.channels[i].masked.val()
                    & (self.dreq_act.val().get_bit(i)
                        | self.channels[i].sw_request.val()
                        | ((self.channels[i].service.val() == 2)
                            & self.in_service.q.val().get_bit(i)))
                {
                    self.elig_hold.next = self.elig_hold.val().replace_bit(i, true);
                }
                if !self.channels[i].adv_masked.val()
                    & (self.dreq_act.val().get_bit(i)
                        | ((self.channels[i].sw_request.val()
                            | (self.channels[i].service.val() == 2))
                            & !self.b_at_tc.val()))
                {
                    self.elig_b.next = self.elig_b.val().replace_bit(i, true);
                }
            }
        }
        self.elig_commit.next = (self.elig_hold.val() & !self.b_onehot.val())
            | (self.elig_b.val() & self.b_onehot.val());
        self.arb_hold.eligible.next = self.elig_hold.val();
        self.arb_hold.rotating.next = self.regs.cmd_rotating.val();
        self.arb_hold.last.next = self.last_ch.q.val();
        self.arb_hold.owner_valid.next = self.owner_valid.q.val();
        self.arb_hold.owner.next = self.owner_ch.q.val();
        // After a commit, a demand or block unit that did not reach terminal count owns the
        // engine, and its channel is the last one served.
        self.arb_commit.eligible.next = self.elig_commit.val();
        self.arb_commit.rotating.next = self.regs.cmd_rotating.val();
        self.arb_commit.last.next = self.b_ch.q.val();
        self.arb_commit.owner_valid.next =
            ((self.b_mode.val() == 0) | (self.b_mode.val() == 2)) & !self.b_at_tc.val();
        self.arb_commit.owner.next = self.b_ch.q.val();
        self.a_found.next = self.arb_hold.found.val();
        self.a_ch.next = self.arb_hold.channel.val();
        self.a_keeps.next = self.arb_hold.owner_keeps.val();
        if self.b_commit.val() {
            self.a_found.next = self.arb_commit.found.val();
            self.a_ch.next = self.arb_commit.channel.val();
            self.a_keeps.next = self.arb_commit.owner_keeps.val();
        }
        // Single mode releases the engine after every unit, as the 8237 releases the bus: the
        // next unit (of any channel) is picked a clock later, from DREQs sampled while no DACK
        // is active (the device may not have reacted to this unit's DACK yet).
        self.a_go.next = (!self.b_valid.q.val() | (self.b_commit.val() & (self.b_mode.val() != 1)))
            & !self.wr.val();
        // The selected unit's fields, for both outcomes of this clock's commit decision (`h_*`:
        // the pick of `arb_hold`, `c_*`: the pick of `arb_commit`), chosen late like the channel.
        // A back-to-back unit of the committing channel takes the address and terminal-count
        // flag forwarded from the commit.
        self.h_onehot.next = bits::<4>(1) << self.arb_hold.channel.val();
        self.c_onehot.next = bits::<4>(1) << self.arb_commit.channel.val();
        self.h_page.next = 0.into();
        self.c_page.next = 0.into();
        self.h_addr.next = 0.into();
        self.c_addr.next = 0.into();
        self.h_type.next = 0.into();
        self.c_type.next = 0.into();
        self.h_mode.next = 0.into();
        self.c_mode.next = 0.into();
        self.h_width.next = 0.into();
        self.c_width.next = 0.into();
        self.h_decrement.next = false;
        self.c_decrement.next = false;
        self.h_at_tc.next = false;
        self.c_at_tc.next = false;
        for i in 0..self.channels.len() {
            if self.h_onehot.val().get_bit(i) {
                self.h_page.next = self.channels[i].page.val();
                self.h_addr.next = self.channels[i].cur_addr.val();
                self.h_type.next = self.channels[i].transfer.val();
                self.h_mode.next = self.channels[i].service.val();
                self.h_width.next = self.channels[i].width.val();
                self.h_decrement.next = self.channels[i].decrement.val();
                self.h_at_tc.next = self.channels[i].at_tc.val();
            }
            if self.c_onehot.val().get_bit(i) {
                self.c_page.next = self.channels[i].page.val();
                self.c_addr.next = self.channels[i].cur_addr.val();
                self.c_type.next = self.channels[i].transfer.val();
                self.c_mode.next = self.channels[i].service.val();
                self.c_width.next = self.channels[i].width.val();
                self.c_decrement.next = self.channels[i].decrement.val();
                self.c_at_tc.next = self.channels[i].at_tc.val();
            }
        }
        self.b_fwd_addr.next = self.b_next_addr.val();
        if self.b_at_tc.val() & self.b_autoinit.val() {
            self.b_fwd_addr.next = self.b_base.val();
        }
        self.same_c.next = self.arb_commit.channel.val() == self.b_ch.q.val();
        if self.same_c.val() {
            self.c_addr.next = self.b_fwd_addr.val();
            self.c_at_tc.next = self.b_at_tc_after.val();
        }
        self.fwd.next = self.b_commit.val() & self.same_c.val();
        self.a_page.next = self.h_page.val();
        self.a_addr.next = self.h_addr.val();
        self.a_type.next = self.h_type.val();
        self.a_mode.next = self.h_mode.val();
        self.a_width.next = self.h_width.val();
        self.a_decrement.next = self.h_decrement.val();
        self.a_at_tc.next = self.h_at_tc.val();
        if self.b_commit.val() {
            self.a_page.next = self.c_page.val();
            self.a_addr.next = self.c_addr.val();
            self.a_type.next = self.c_type.val();
            self.a_mode.next = self.c_mode.val();
            self.a_width.next = self.c_width.val();
            self.a_decrement.next = self.c_decrement.val();
            self.a_at_tc.next = self.c_at_tc.val();
        }
        // Width 3 is reserved and moves bytes.
        if self.a_width.val() == 3 {
            self.a_width.next = 0.into();
        }
        // Translation lookup: the unit entering the issue stage, or the one waiting in it.
        self.h_logical.next =
            (bit_cast::<32, 16>(self.h_page.val()) << 16) | bit_cast::<32, 16>(self.h_addr.val());
        self.c_logical.next =
            (bit_cast::<32, 16>(self.c_page.val()) << 16) | bit_cast::<32, 16>(self.c_addr.val());
        self.lookup_logical.next = self.b_logical.val();
        if !self.b_valid.q.val() & !self.wr.val() {
            self.lookup_logical.next = self.h_logical.val();
        }
        if self.b_commit.val() & (self.b_mode.val() != 1) & !self.wr.val() {
            self.lookup_logical.next = self.c_logical.val();
        }
        self.translation.lookup_logical.next = self.lookup_logical.val();

        // ---- Engine state ---------------------------------------------------------------
        self.b_valid.d.next = self.b_valid.q.val() & !self.b_commit.val() & !self.b_drop.val();
        if self.a_go.val() & self.a_found.val() {
            self.b_valid.d.next = true;
            self.b_ch.d.next = self.a_ch.val();
            self.b_cont.d.next = self.fwd.val();
            self.u_type.d.next = self.a_type.val();
            self.u_mode.d.next = self.a_mode.val();
            self.u_width.d.next = self.a_width.val();
            self.u_page.d.next = self.a_page.val();
            self.u_addr.d.next = self.a_addr.val();
            self.u_at_tc.d.next = self.a_at_tc.val();
            self.u_decrement.d.next = self.a_decrement.val();
        }
        if self.b_commit.val() {
            self.last_ch.d.next = self.b_ch.q.val();
        }
        self.owner_valid.d.next = self.a_keeps.val();
        if self.b_commit.val() {
            self.owner_ch.d.next = self.b_ch.q.val();
        }
        // A block service starts with a block-mode unit and ends at TC, EOP, mask or halt.
        self.service_set.next = 0.into();
        if self.b_mode.val() == 2 {
            self.service_set.next = self.commit_oh.val();
        }
        self.in_service.d.next = (self.in_service.q.val() | self.service_set.val())
            & !self.tc_commit_oh.val()
            & !self.eop_act.val()
            & !self.stopped.val();

        // ---- AXI4 master requests ----------------------------------------------------------
        self.push_write.next = self.b_commit.val() & (self.b_type.val() == 1);
        self.push_read.next = self.b_commit.val() & (self.b_type.val() == 2);
        self.responses.push_write.next = self.push_write.val();
        self.responses.push_read.next = self.push_read.val();
        self.responses.unit_addr.next = self.b_addr.val();
        self.responses.unit_channel.next = self.b_ch.q.val();
        self.responses.unit_lane.next = self.requests.lane.val();
        self.responses.unit_width.next = self.b_width.val();
        self.responses.unit_tc.next = self.b_at_tc.val();
        self.requests.reset.next = self.reset.val();
        self.requests.push_write.next = self.push_write.val();
        self.requests.push_read.next = self.push_read.val();
        self.requests.awready.next = self.m_axi_awready.val();
        self.requests.wready.next = self.m_axi_wready.val();
        self.requests.arready.next = self.m_axi_arready.val();
        self.m_axi_awaddr.next = self.requests.awaddr.val();
        self.m_axi_awlen.next = 0.into();
        self.m_axi_awsize.next = self.requests.awsize.val();
        self.m_axi_awburst.next = 1.into();
        self.m_axi_awvalid.next = self.requests.awvalid.val();
        self.m_axi_wdata.next = self.requests.wdata.val();
        self.m_axi_wstrb.next = self.requests.wstrb.val();
        self.m_axi_wlast.next = true;
        self.m_axi_wvalid.next = self.requests.wvalid.val();
        self.m_axi_araddr.next = self.requests.araddr.val();
        self.m_axi_arlen.next = 0.into();
        self.m_axi_arsize.next = self.requests.arsize.val();
        self.m_axi_arburst.next = 1.into();
        self.m_axi_arvalid.next = self.requests.arvalid.val();

        // ---- AXI4 responses (see `responses`) --------------------------------------------------
        self.responses.master_clear.next = self.regs.master_clear.val();
        self.responses.rvalid.next = self.m_axi_rvalid.val();
        self.responses.rdata.next = self.m_axi_rdata.val();
        self.responses.rresp.next = self.m_axi_rresp.val();
        self.m_axi_rready.next = self.responses.rready.val();
        self.responses.bvalid.next = self.m_axi_bvalid.val();
        self.responses.bresp.next = self.m_axi_bresp.val();
        self.m_axi_bready.next = self.responses.bready.val();
        self.snk_ready_v.next = 0.into();
        for i in 0..self.channels.len() {
            self.snk_ready_v.next = self
                .snk_ready_v
                .val()
                .replace_bit(i, self.dev[i].snk_ready.val());
        }
        self.responses.snk_ready.next = self.snk_ready_v.val();

        // ---- Translation: map-register writes and read-back ---------------------------------
        self.translation.wr.next = self.wr.val();
        self.translation.wd.next = self.wd.val();
        self.translation.w_map.next = self.wdec.map.val();
        self.translation.w_map_index.next = self.wdec.map_index.val();
        self.translation.r_map_index.next = self.rdec.map_index.val();

        // ---- Native registers: faults, interrupts, snapshots ----------------------------------
        self.native.wr.next = self.wr.val();
        self.native.wd.next = self.wd.val();
        self.native.w_int_status.next = self.wdec.int_status.val();
        self.native.w_int_enable.next = self.wdec.int_enable.val();
        self.native.rd.next = self.rd.val();
        self.native.r_arr_ch.next = self.rdec.arr_ch.val();
        self.native.r_pair_ch.next = self.rdec.pair_ch.val();
        self.native.r_fault_addr.next = self.rdec.fault_addr.val();
        self.native.r_snap_count.next = self.rdec.snap_count.val();
        self.native.r_snap_addr.next = self.rdec.snap_addr.val();
        self.native.r_snap_inflight.next = self.rdec.snap_inflight.val();
        self.native.r_int_status.next = self.rdec.int_status.val();
        self.native.r_int_enable.next = self.rdec.int_enable.val();
        self.native.r_fault_cause.next = self.rdec.fault_cause.val();
        self.native.tc_events.next = self.tc_events.val();
        self.native.unit_fault.next = self.b_fault.val();
        self.native.unit_onehot.next = self.b_onehot.val();
        self.native.unit_logical.next = self.b_logical.val();
        self.native.unit_cause.next = self.translation.cause.val();
        self.native.r_fault.next = self.responses.r_fault.val();
        self.native.r_fault_addr_in.next = self.responses.r_fault_addr.val();
        self.native.r_fault_resp.next = self.responses.r_fault_resp.val();
        self.native.w_fault.next = self.responses.w_fault.val();
        self.native.w_fault_addr_in.next = self.responses.w_fault_addr.val();
        self.native.w_fault_resp.next = self.responses.w_fault_resp.val();
        self.native.inflight.next = self.responses.inflight.val();

        // ---- 8237 register file -----------------------------------------------------------------
        self.regs.wr.next = self.wr.val();
        self.regs.wd.next = self.wd.val();
        self.regs.w_in_ports.next = self.wdec.in_ports.val();
        self.regs.w_port.next = self.wdec.port.val();
        self.regs.w_port_ch.next = self.wdec.port_ch.val();
        self.regs.w_arr_ch.next = self.wdec.arr_ch.val();
        self.regs.w_page.next = self.wdec.page.val();
        self.regs.w_ch_config.next = self.wdec.ch_config.val();
        self.regs.rd.next = self.rd.val();
        self.regs.r_in_ports.next = self.rdec.in_ports.val();
        self.regs.r_port.next = self.rdec.port.val();
        self.regs.r_port_ch.next = self.rdec.port_ch.val();
        self.regs.r_arr_ch.next = self.rdec.arr_ch.val();
        self.regs.r_page.next = self.rdec.page.val();
        self.regs.r_ch_config.next = self.rdec.ch_config.val();
        self.regs.r_id.next = self.rdec.id.val();
        self.regs.r_version.next = self.rdec.version.val();
        self.regs.r_config0.next = self.rdec.config0.val();
        self.regs.r_config1.next = self.rdec.config1.val();
        self.regs.r_map.next = self.rdec.map.val();
        self.regs.r_known.next = self.rdec.known.val();
        self.regs.requesting.next = self.requesting.val();
        self.regs.tc_events.next = self.tc_events.val();
        self.regs.map_word.next = self.translation.map_word.val();
        self.axil.rd_data.next = self.regs.rd_data.val();
        self.axil.rd_err.next = self.regs.rd_err.val();
        // CH_CONFIG.BUSY: the issue stage holds a unit of the channel, or the channel owns the
        // engine.
        self.owner_onehot.next = 0.into();
        if self.owner_valid.q.val() {
            self.owner_onehot.next = bits::<4>(1) << self.owner_ch.q.val();
        }
        self.busy.next = self.b_onehot.val() | self.owner_onehot.val();
        self.regs.busy.next = self.busy.val();

        // ---- Channels and device outputs ------------------------------------------------------
        for i in 0..self.channels.len() {
            self.channels[i].reset.next = self.reset.val();
            self.channels[i].master_clear.next = self.regs.master_clear.val();
            self.channels[i].wr_byte.next = self.wd.val().get_bits::<8>(0);
            self.channels[i].wr_data.next = self.wd.val().get_bits::<16>(0);
            self.channels[i].wr_addr_lo.next = self.regs.wr_addr_lo.val().get_bit(i);
            self.channels[i].wr_addr_hi.next = self.regs.wr_addr_hi.val().get_bit(i);
            self.channels[i].wr_count_lo.next = self.regs.wr_count_lo.val().get_bit(i);
            self.channels[i].wr_count_hi.next = self.regs.wr_count_hi.val().get_bit(i);
            self.channels[i].wr_mode.next = self.regs.wr_mode.val().get_bit(i);
            self.channels[i].set_mask.next = self.regs.set_mask.val().get_bit(i);
            self.channels[i].clear_mask.next = self.regs.clear_mask.val().get_bit(i);
            self.channels[i].set_request.next = self.regs.set_request.val().get_bit(i);
            self.channels[i].clear_request.next = self.regs.clear_request.val().get_bit(i);
            self.channels[i].wr_page.next = self.regs.wr_page.val().get_bit(i);
            self.channels[i].wr_width.next = self.regs.wr_width.val().get_bit(i);
            self.channels[i].advance.next = self.commit_oh.val().get_bit(i);
            self.channels[i].next_addr.next = self.b_next_addr.val();
            self.channels[i].eop.next = self.eop_act.val().get_bit(i);
            self.channels[i].halt.next = self.native.fault_new.val().get_bit(i);
            self.channels[i].unhalt.next = self.native.fault_clear.val().get_bit(i);
            self.regs.ch[i].cur_addr.next = self.channels[i].cur_addr.val();
            self.regs.ch[i].cur_count.next = self.channels[i].cur_count.val();
            self.regs.ch[i].page.next = self.channels[i].page.val();
            self.regs.ch[i].mode.next = self.channels[i].mode.val();
            self.regs.ch[i].width.next = self.channels[i].width.val();
            self.regs.ch[i].masked.next = self.channels[i].masked.val();
            self.regs.ch[i].sw_request.next = self.channels[i].sw_request.val();
            self.regs.ch[i].halted.next = self.channels[i].halted.val();
            self.native.ch[i].cur_addr.next = self.channels[i].cur_addr.val();
            self.native.ch[i].cur_count.next = self.channels[i].cur_count.val();
            self.native.ch[i].page.next = self.channels[i].page.val();
            self.native.ch[i].passes.next = self.channels[i].passes.val();

            self.dev[i].src_ready.next = self.commit_oh.val().get_bit(i) & (self.b_type.val() == 1);
            self.dev[i].snk_valid.next = self.responses.snk_valid.val().get_bit(i);
            self.dev[i].snk_data.next = self.responses.snk_data.val();
            self.dev[i].snk_last.next = self.responses.snk_last.val();
            self.dev[i].eop_out.next = self.regs.eop_out.val().get_bit(i);
            // DACK: the engine holds a unit of this channel; in cascade mode it follows DREQ.
            self.dack_act.next = self.b_onehot.val().get_bit(i)
                | ((self.channels[i].service.val() == 3)
                    & self.dreq_act.val().get_bit(i)
                    & !self.channels[i].masked.val());
            self.dev[i].dack.next = !(self.dack_act.val() ^ self.regs.cmd_dack_high.val());
        }
        if self.regs.master_clear.val() {
            self.owner_valid.d.next = false;
            self.in_service.d.next = 0.into();
        }

        // ---- Bus-master port (`bm_port`): its own map copy, written with the engine's ----------
        // Without the port its outputs keep these tie-offs; each output is assigned once below.
        self.l_s_bm_axi_awready.next = false;
        self.l_s_bm_axi_wready.next = false;
        self.l_s_bm_axi_bresp.next = 0.into();
        self.l_s_bm_axi_bvalid.next = false;
        self.l_s_bm_axi_arready.next = false;
        self.l_s_bm_axi_rdata.next = 0.into();
        self.l_s_bm_axi_rresp.next = 0.into();
        self.l_s_bm_axi_rlast.next = false;
        self.l_s_bm_axi_rvalid.next = false;
        self.l_m_bm_axi_awaddr.next = 0.into();
        self.l_m_bm_axi_awlen.next = 0.into();
        self.l_m_bm_axi_awsize.next = 0.into();
        self.l_m_bm_axi_awburst.next = 0.into();
        self.l_m_bm_axi_awvalid.next = false;
        self.l_m_bm_axi_wdata.next = 0.into();
        self.l_m_bm_axi_wstrb.next = 0.into();
        self.l_m_bm_axi_wlast.next = false;
        self.l_m_bm_axi_wvalid.next = false;
        self.l_m_bm_axi_bready.next = false;
        self.l_m_bm_axi_araddr.next = 0.into();
        self.l_m_bm_axi_arlen.next = 0.into();
        self.l_m_bm_axi_arsize.next = 0.into();
        self.l_m_bm_axi_arburst.next = 0.into();
        self.l_m_bm_axi_arvalid.next = false;
        self.l_m_bm_axi_rready.next = false;
        self.bm_rd.next = 0.into();
        self.bm_irq.next = false;
        for i in 0..self.bm.len() {
            self.bm[i].clock.next = self.clock.val();
            self.bm[i].reset.next = self.reset.val();
            self.bm[i].s_awaddr.next = self.s_bm_axi_awaddr.val();
            self.bm[i].s_awlen.next = self.s_bm_axi_awlen.val();
            self.bm[i].s_awsize.next = self.s_bm_axi_awsize.val();
            self.bm[i].s_awburst.next = self.s_bm_axi_awburst.val();
            self.bm[i].s_awvalid.next = self.s_bm_axi_awvalid.val();
            self.bm[i].s_wdata.next = self.s_bm_axi_wdata.val();
            self.bm[i].s_wstrb.next = self.s_bm_axi_wstrb.val();
            self.bm[i].s_wlast.next = self.s_bm_axi_wlast.val();
            self.bm[i].s_wvalid.next = self.s_bm_axi_wvalid.val();
            self.bm[i].s_bready.next = self.s_bm_axi_bready.val();
            self.bm[i].s_araddr.next = self.s_bm_axi_araddr.val();
            self.bm[i].s_arlen.next = self.s_bm_axi_arlen.val();
            self.bm[i].s_arsize.next = self.s_bm_axi_arsize.val();
            self.bm[i].s_arburst.next = self.s_bm_axi_arburst.val();
            self.bm[i].s_arvalid.next = self.s_bm_axi_arvalid.val();
            self.bm[i].s_rready.next = self.s_bm_axi_rready.val();
            self.l_s_bm_axi_awready.next = self.bm[i].s_awready.val();
            self.l_s_bm_axi_wready.next = self.bm[i].s_wready.val();
            self.l_s_bm_axi_bresp.next = self.bm[i].s_bresp.val();
            self.l_s_bm_axi_bvalid.next = self.bm[i].s_bvalid.val();
            self.l_s_bm_axi_arready.next = self.bm[i].s_arready.val();
            self.l_s_bm_axi_rdata.next = self.bm[i].s_rdata.val();
            self.l_s_bm_axi_rresp.next = self.bm[i].s_rresp.val();
            self.l_s_bm_axi_rlast.next = self.bm[i].s_rlast.val();
            self.l_s_bm_axi_rvalid.next = self.bm[i].s_rvalid.val();
            self.l_m_bm_axi_awaddr.next = self.bm[i].m_awaddr.val();
            self.l_m_bm_axi_awlen.next = self.bm[i].m_awlen.val();
            self.l_m_bm_axi_awsize.next = self.bm[i].m_awsize.val();
            self.l_m_bm_axi_awburst.next = 1.into();
            self.l_m_bm_axi_awvalid.next = self.bm[i].m_awvalid.val();
            self.l_m_bm_axi_wdata.next = self.bm[i].m_wdata.val();
            self.l_m_bm_axi_wstrb.next = self.bm[i].m_wstrb.val();
            self.l_m_bm_axi_wlast.next = self.bm[i].m_wlast.val();
            self.l_m_bm_axi_wvalid.next = self.bm[i].m_wvalid.val();
            self.l_m_bm_axi_bready.next = self.bm[i].m_bready.val();
            self.l_m_bm_axi_araddr.next = self.bm[i].m_araddr.val();
            self.l_m_bm_axi_arlen.next = self.bm[i].m_arlen.val();
            self.l_m_bm_axi_arsize.next = self.bm[i].m_arsize.val();
            self.l_m_bm_axi_arburst.next = 1.into();
            self.l_m_bm_axi_arvalid.next = self.bm[i].m_arvalid.val();
            self.l_m_bm_axi_rready.next = self.bm[i].m_rready.val();
            self.bm[i].m_awready.next = self.m_bm_axi_awready.val();
            self.bm[i].m_wready.next = self.m_bm_axi_wready.val();
            self.bm[i].m_bresp.next = self.m_bm_axi_bresp.val();
            self.bm[i].m_bvalid.next = self.m_bm_axi_bvalid.val();
            self.bm[i].m_arready.next = self.m_bm_axi_arready.val();
            self.bm[i].m_rdata.next = self.m_bm_axi_rdata.val();
            self.bm[i].m_rresp.next = self.m_bm_axi_rresp.val();
            self.bm[i].m_rlast.next = self.m_bm_axi_rlast.val();
            self.bm[i].m_rvalid.next = self.m_bm_axi_rvalid.val();
            self.bm[i].map_we.next = self.wr.val() & self.wdec.map.val();
            self.bm[i].map_index.next = self.wdec.map_index.val();
            self.bm[i].map_entry.next = self.translation.map_entry.val();
            self.bm[i].wr.next = self.wr.val();
            self.bm[i].wd.next = self.wd.val();
            self.bm[i].w_int_status.next = self.wdec.int_status.val();
            self.bm[i].w_int_enable.next = self.wdec.int_enable.val();
            self.bm[i].r_int_status.next = self.rdec.int_status.val();
            self.bm[i].r_int_enable.next = self.rdec.int_enable.val();
            self.bm[i].r_bm_fault.next = self.rdec.bm_fault.val();
            self.bm[i].r_bm_fault_addr.next = self.rdec.bm_fault_addr.val();
            self.bm_rd.next = self.bm[i].rd_data.val();
            self.bm_irq.next = self.bm[i].irq.val();
        }
        self.s_bm_axi_awready.next = self.l_s_bm_axi_awready.val();
        self.s_bm_axi_wready.next = self.l_s_bm_axi_wready.val();
        self.s_bm_axi_bresp.next = self.l_s_bm_axi_bresp.val();
        self.s_bm_axi_bvalid.next = self.l_s_bm_axi_bvalid.val();
        self.s_bm_axi_arready.next = self.l_s_bm_axi_arready.val();
        self.s_bm_axi_rdata.next = self.l_s_bm_axi_rdata.val();
        self.s_bm_axi_rresp.next = self.l_s_bm_axi_rresp.val();
        self.s_bm_axi_rlast.next = self.l_s_bm_axi_rlast.val();
        self.s_bm_axi_rvalid.next = self.l_s_bm_axi_rvalid.val();
        self.m_bm_axi_awaddr.next = self.l_m_bm_axi_awaddr.val();
        self.m_bm_axi_awlen.next = self.l_m_bm_axi_awlen.val();
        self.m_bm_axi_awsize.next = self.l_m_bm_axi_awsize.val();
        self.m_bm_axi_awburst.next = self.l_m_bm_axi_awburst.val();
        self.m_bm_axi_awvalid.next = self.l_m_bm_axi_awvalid.val();
        self.m_bm_axi_wdata.next = self.l_m_bm_axi_wdata.val();
        self.m_bm_axi_wstrb.next = self.l_m_bm_axi_wstrb.val();
        self.m_bm_axi_wlast.next = self.l_m_bm_axi_wlast.val();
        self.m_bm_axi_wvalid.next = self.l_m_bm_axi_wvalid.val();
        self.m_bm_axi_bready.next = self.l_m_bm_axi_bready.val();
        self.m_bm_axi_araddr.next = self.l_m_bm_axi_araddr.val();
        self.m_bm_axi_arlen.next = self.l_m_bm_axi_arlen.val();
        self.m_bm_axi_arsize.next = self.l_m_bm_axi_arsize.val();
        self.m_bm_axi_arburst.next = self.l_m_bm_axi_arburst.val();
        self.m_bm_axi_arvalid.next = self.l_m_bm_axi_arvalid.val();
        self.m_bm_axi_rready.next = self.l_m_bm_axi_rready.val();
        self.regs.native_rd.next = self.native.rd_data.val() | self.bm_rd.val();
        self.irq.next = self.native.irq.val() | self.bm_irq.val();

        // ---- Hardware reset -------------------------------------------------------------------
        if self.reset.val() {
            self.b_valid.d.next = false;
            self.owner_valid.d.next = false;
            // Rotating priority starts with channel 0 highest, as after an 8237 reset.
            self.last_ch.d.next = 3.into();
            self.in_service.d.next = 0.into();
        }
    }
}
