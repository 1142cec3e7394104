//! The mapdma top level: the 8237 register file and native registers behind an AXI4-Lite slave,
//! the channels, the arbiter, the select/issue engine with map-register translation, and the
//! AXI4 memory master. Behaviour is specified in `hdl/DESIGN.md`.
//!
//! Engine pipeline (one unit per clock):
//! - **select** (combinational): the arbiter picks the next channel from the channel state *as it
//!   will be after this clock's commit* (forwarding), and starts the map-RAM lookup of that
//!   unit's logical page;
//! - **issue** (register `b_*`): with the translation in hand, the unit either commits (channel
//!   registers advance, the AXI request is loaded into the output registers, a response tag is
//!   queued), faults (no bus access, nothing moves, channel halted), is dropped (the channel is no
//!   longer eligible, or a register write happened: re-selected from fresh state), or waits
//!   (device data or AXI space missing).
//!
//! Nothing becomes architectural before commit, so faults are precise and drops are free.

use crate::axil_slave::AxiLiteSlave;
use crate::channel::Channel;
use crate::device_port::DevicePort;
use crate::map_ram::{MapRam, ENTRY_VALID_BIT, ENTRY_WRITABLE_BIT};
use crate::reg_decode::RegDecode;
use crate::tag_fifo::{Tag, TagFifo};
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

    pub dev: Vec<DevicePort>,
    pub irq: Signal<Out, Bit>,

    axil: AxiLiteSlave,
    wdec: RegDecode,
    rdec: RegDecode,
    channels: Vec<Channel>,
    map: MapRam,
    rd_tags: TagFifo,
    wr_tags: TagFifo,

    // Configuration, fixed at generation.
    k_channel_mask: Constant<Bits<4>>,
    k_page_shift: Constant<Bits<5>>,
    k_map_count: Constant<Bits<32>>,
    k_offset_mask: Constant<Bits<32>>,
    k_outstanding: Constant<Bits<6>>,
    k_id: Constant<Bits<32>>,
    k_version: Constant<Bits<32>>,
    k_config0: Constant<Bits<32>>,
    k_config1: Constant<Bits<32>>,
    k_fault_enable_reset: Constant<Bits<4>>,
    k_frame_mask: Constant<Bits<32>>,
    k_fc_range: Constant<Bits<4>>,
    k_fc_invalid: Constant<Bits<4>>,
    k_fc_read_only: Constant<Bits<4>>,
    // Register decode, from mapdma-regmap.
    k_p_command: Constant<Bits<4>>,
    k_p_request: Constant<Bits<4>>,
    k_p_single_mask: Constant<Bits<4>>,
    k_p_mode: Constant<Bits<4>>,
    k_p_clear_ff: Constant<Bits<4>>,
    k_p_master_clear: Constant<Bits<4>>,
    k_p_clear_mask: Constant<Bits<4>>,
    k_p_all_mask: Constant<Bits<4>>,

    // Controller-wide 8237 state.
    command: DFF<Bits<8>>,
    flip_flop: DFF<Bit>,
    status_tc: DFF<Bits<4>>,
    // Native registers.
    int_tc: DFF<Bits<4>>,
    int_fault: DFF<Bits<4>>,
    en_tc: DFF<Bits<4>>,
    en_fault: DFF<Bits<4>>,
    fault_cause: Vec<DFF<Bits<4>>>,
    fault_addr: Vec<DFF<Bits<32>>>,
    snap_addr: Vec<DFF<Bits<32>>>,
    irq_r: DFF<Bit>,
    eop_pulse: DFF<Bits<4>>,
    // Read path: data and verdict of the read strobed last clock.
    rd_hold: DFF<Bits<32>>,
    rd_err_q: DFF<Bit>,
    rd_was_map: DFF<Bit>,
    // Engine.
    b_valid: DFF<Bit>,
    b_ch: DFF<Bits<2>>,
    owner_valid: DFF<Bit>,
    owner_ch: DFF<Bits<2>>,
    last_ch: DFF<Bits<2>>,
    in_service: DFF<Bits<4>>,
    ar_valid: DFF<Bit>,
    ar_addr: DFF<Bits<32>>,
    ar_size: DFF<Bits<3>>,
    aw_valid: DFF<Bit>,
    aw_addr: DFF<Bits<32>>,
    aw_size: DFF<Bits<3>>,
    w_valid: DFF<Bit>,
    w_data: DFF<Bits<32>>,
    w_strb: DFF<Bits<4>>,
    rd_out: DFF<Bits<6>>,
    wr_out: DFF<Bits<6>>,
    rd_discard: DFF<Bits<6>>,
    wr_discard: DFF<Bits<6>>,

    // Combinational scratch (rust-hdl kernels have no `let`).
    wr: Signal<Local, Bit>,
    wa: Signal<Local, Bits<13>>,
    wd: Signal<Local, Bits<32>>,
    wr_data_ch: Signal<Local, Bits<4>>,
    master_clear: Signal<Local, Bit>,
    rd: Signal<Local, Bit>,
    ra: Signal<Local, Bits<13>>,
    tc_events: Signal<Local, Bits<4>>,
    rd_mux: Signal<Local, Bits<32>>,
    rd_bad: Signal<Local, Bit>,
    dreq_act: Signal<Local, Bits<4>>,
    requesting: Signal<Local, Bits<4>>,
    masks: Signal<Local, Bits<4>>,
    eop_act: Signal<Local, Bits<4>>,
    eligible: Signal<Local, Bits<4>>,
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
    b_in_range: Signal<Local, Bit>,
    b_phys: Signal<Local, Bits<32>>,
    b_lane: Signal<Local, Bits<2>>,
    b_src_valid: Signal<Local, Bit>,
    b_src_data: Signal<Local, Bits<32>>,
    b_elig: Signal<Local, Bit>,
    b_needs_map: Signal<Local, Bit>,
    b_fault: Signal<Local, Bit>,
    b_fault_cause: Signal<Local, Bits<4>>,
    b_io_ready: Signal<Local, Bit>,
    b_commit: Signal<Local, Bit>,
    b_drop: Signal<Local, Bit>,
    commit_oh: Signal<Local, Bits<4>>,
    tc_commit_oh: Signal<Local, Bits<4>>,
    elig_f: Signal<Local, Bits<4>>,
    owner_f_valid: Signal<Local, Bit>,
    owner_f_ch: Signal<Local, Bits<2>>,
    base_ch: Signal<Local, Bits<2>>,
    rotated: Signal<Local, Bits<8>>,
    a_found: Signal<Local, Bit>,
    a_ch: Signal<Local, Bits<2>>,
    a_go: Signal<Local, Bit>,
    a_page: Signal<Local, Bits<16>>,
    a_addr: Signal<Local, Bits<16>>,
    lookup_logical: Signal<Local, Bits<32>>,
    unit_strb: Signal<Local, Bits<4>>,
    tag_in: Signal<Local, Tag>,
    r_head_ch: Signal<Local, Bits<4>>,
    r_take: Signal<Local, Bit>,
    r_err: Signal<Local, Bit>,
    r_fault_oh: Signal<Local, Bits<4>>,
    r_lane_shift: Signal<Local, Bits<5>>,
    r_unit: Signal<Local, Bits<32>>,
    w_head_ch: Signal<Local, Bits<4>>,
    w_fault_oh: Signal<Local, Bits<4>>,
    fault_new: Signal<Local, Bits<4>>,
    fault_clear: Signal<Local, Bits<4>>,
    a_onehot: Signal<Local, Bits<4>>,
    fault_word: Signal<Local, Bits<32>>,
    fault_shift: Signal<Local, Bits<5>>,
    map_word: Signal<Local, Bits<32>>,
    dack_act: Signal<Local, Bit>,
    lookup_page: Signal<Local, Bits<32>>,
    owner_onehot: Signal<Local, Bits<4>>,
    t_page: Signal<Local, Bits<16>>,
    t_word: Signal<Local, Bits<16>>,
    t_cause: Signal<Local, Bits<4>>,
    t_flags: Signal<Local, Bits<4>>,
    t_mode: Signal<Local, Bits<6>>,
    t_width: Signal<Local, Bits<2>>,
}

impl MapDma {
    /// Builds the hardware for a configuration (checked with [`Config::validate`] first).
    pub fn new(cfg: &Config) -> Self {
        check_decode_layout();
        let n = cfg.channels;
        let cause = |c: regmap::FaultCause| Constant::new((c as u64).to_bits());
        let port = |o: u32| Constant::new(((o / 4) as u64).to_bits());
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
            axil: Default::default(),
            wdec: RegDecode::new(cfg),
            rdec: RegDecode::new(cfg),
            channels: (0..n)
                .map(|_| Channel::new(cfg.page_register_bits()))
                .collect(),
            map: MapRam::new(cfg.map_registers),
            rd_tags: Default::default(),
            wr_tags: Default::default(),
            k_channel_mask: Constant::new(((1u64 << n) - 1).to_bits()),
            k_page_shift: Constant::new((cfg.page_shift as u64).to_bits()),
            k_map_count: Constant::new((cfg.map_registers as u64).to_bits()),
            k_offset_mask: Constant::new((cfg.page_size() - 1).to_bits()),
            k_outstanding: Constant::new((cfg.outstanding as u64).to_bits()),
            k_id: Constant::new((regmap::ID_MAGIC as u64).to_bits()),
            k_version: Constant::new((regmap::HW_VERSION.reset(cfg) as u64).to_bits()),
            k_config0: Constant::new((cfg.config0() as u64).to_bits()),
            k_config1: Constant::new((cfg.config1() as u64).to_bits()),
            k_fault_enable_reset: Constant::new(((1u64 << n) - 1).to_bits()),
            k_fc_range: cause(regmap::FaultCause::OutOfRange),
            k_fc_invalid: cause(regmap::FaultCause::Invalid),
            k_fc_read_only: cause(regmap::FaultCause::ReadOnly),
            k_frame_mask: Constant::new(((1u64 << cfg.frame_bits()) - 1).to_bits()),
            k_p_command: port(regmap::COMMAND.offset),
            k_p_request: port(regmap::REQUEST.offset),
            k_p_single_mask: port(regmap::SINGLE_MASK.offset),
            k_p_mode: port(regmap::MODE.offset),
            k_p_clear_ff: port(regmap::CLEAR_FLIP_FLOP.offset),
            k_p_master_clear: port(regmap::MASTER_CLEAR.offset),
            k_p_clear_mask: port(regmap::CLEAR_MASK.offset),
            k_p_all_mask: port(regmap::ALL_MASK.offset),
            command: Default::default(),
            flip_flop: Default::default(),
            status_tc: Default::default(),
            int_tc: Default::default(),
            int_fault: Default::default(),
            en_tc: Default::default(),
            en_fault: Default::default(),
            fault_cause: (0..n).map(|_| DFF::default()).collect(),
            fault_addr: (0..n).map(|_| DFF::default()).collect(),
            snap_addr: (0..n).map(|_| DFF::default()).collect(),
            irq_r: Default::default(),
            eop_pulse: Default::default(),
            rd_hold: Default::default(),
            rd_err_q: Default::default(),
            rd_was_map: Default::default(),
            b_valid: Default::default(),
            b_ch: Default::default(),
            owner_valid: Default::default(),
            owner_ch: Default::default(),
            last_ch: Default::default(),
            in_service: Default::default(),
            ar_valid: Default::default(),
            ar_addr: Default::default(),
            ar_size: Default::default(),
            aw_valid: Default::default(),
            aw_addr: Default::default(),
            aw_size: Default::default(),
            w_valid: Default::default(),
            w_data: Default::default(),
            w_strb: Default::default(),
            rd_out: Default::default(),
            wr_out: Default::default(),
            rd_discard: Default::default(),
            wr_discard: Default::default(),
            wr: Default::default(),
            wa: Default::default(),
            wd: Default::default(),
            wr_data_ch: Default::default(),
            master_clear: Default::default(),
            rd: Default::default(),
            ra: Default::default(),
            tc_events: Default::default(),
            rd_mux: Default::default(),
            rd_bad: Default::default(),
            dreq_act: Default::default(),
            requesting: Default::default(),
            masks: Default::default(),
            eop_act: Default::default(),
            eligible: Default::default(),
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
            b_in_range: Default::default(),
            b_phys: Default::default(),
            b_lane: Default::default(),
            b_src_valid: Default::default(),
            b_src_data: Default::default(),
            b_elig: Default::default(),
            b_needs_map: Default::default(),
            b_fault: Default::default(),
            b_fault_cause: Default::default(),
            b_io_ready: Default::default(),
            b_commit: Default::default(),
            b_drop: Default::default(),
            commit_oh: Default::default(),
            tc_commit_oh: Default::default(),
            elig_f: Default::default(),
            owner_f_valid: Default::default(),
            owner_f_ch: Default::default(),
            base_ch: Default::default(),
            rotated: Default::default(),
            a_found: Default::default(),
            a_ch: Default::default(),
            a_go: Default::default(),
            a_page: Default::default(),
            a_addr: Default::default(),
            lookup_logical: Default::default(),
            unit_strb: Default::default(),
            tag_in: Default::default(),
            r_head_ch: Default::default(),
            r_take: Default::default(),
            r_err: Default::default(),
            r_fault_oh: Default::default(),
            r_lane_shift: Default::default(),
            r_unit: Default::default(),
            w_head_ch: Default::default(),
            w_fault_oh: Default::default(),
            fault_new: Default::default(),
            fault_clear: Default::default(),
            a_onehot: Default::default(),
            fault_word: Default::default(),
            fault_shift: Default::default(),
            map_word: Default::default(),
            dack_act: Default::default(),
            lookup_page: Default::default(),
            owner_onehot: Default::default(),
            t_page: Default::default(),
            t_word: Default::default(),
            t_cause: Default::default(),
            t_flags: Default::default(),
            t_mode: Default::default(),
            t_width: Default::default(),
        }
    }
}

/// The read multiplexer and map-entry packing place fields at the positions `mapdma-regmap`
/// gives them; checked here (and the decode layout in `reg_decode`), so a register-map change
/// that breaks them fails at generation instead of silently mis-reading.
fn check_decode_layout() {
    use regmap::*;
    crate::reg_decode::check_layout();
    // Field positions the read multiplexer and map-entry packing use.
    assert_eq!(ch_config::WIDTH.lsb, 0);
    assert_eq!(ch_config::MODE.lsb, 8);
    assert_eq!(ch_config::MASKED.lsb, 16);
    assert_eq!(ch_config::SW_REQUEST.lsb, 17);
    assert_eq!(ch_config::HALTED.lsb, 18);
    assert_eq!(ch_config::BUSY.lsb, 19);
    assert_eq!((status::TC.lsb, status::REQUEST.lsb), (0, 4));
    assert_eq!((int_status::TC.lsb, int_status::FAULT.lsb), (0, 8));
    assert_eq!((int_enable::TC.lsb, int_enable::FAULT.lsb), (0, 8));
    assert_eq!((snap_count::COUNT.lsb, snap_count::PASSES.lsb), (0, 16));
    assert_eq!(
        (map::FRAME.lsb, map::WRITABLE.lsb, map::VALID.lsb),
        (0, 30, 31)
    );
    assert_eq!((ENTRY_WRITABLE_BIT, ENTRY_VALID_BIT), (20, 21));
    assert_eq!(FAULT_CAUSE_BITS, 4);
    // Bus errors are latched as the AXI response code + 2 (SLVERR = 2, DECERR = 3).
    assert_eq!(FaultCause::SlaveError as u32, 2 + 2);
    assert_eq!(FaultCause::DecodeError as u32, 3 + 2);
    assert_eq!((request::SET.lsb, single_mask::SET.lsb), (2, 2));
}

impl Logic for MapDma {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            command,
            flip_flop,
            status_tc,
            int_tc,
            int_fault,
            en_tc,
            en_fault,
            irq_r,
            eop_pulse,
            rd_hold,
            rd_err_q,
            rd_was_map,
            b_valid,
            b_ch,
            owner_valid,
            owner_ch,
            last_ch,
            in_service,
            ar_valid,
            ar_addr,
            ar_size,
            aw_valid,
            aw_addr,
            aw_size,
            w_valid,
            w_data,
            w_strb,
            rd_out,
            wr_out,
            rd_discard,
            wr_discard
        );
        clock!(self, clock, axil, map, rd_tags, wr_tags);
        self.rd_tags.reset.next = self.reset.val();
        self.wr_tags.reset.next = self.reset.val();
        for i in 0..self.channels.len() {
            self.channels[i].clock.next = self.clock.val();
            self.fault_addr[i].clock.next = self.clock.val();
            self.fault_addr[i].d.next = self.fault_addr[i].q.val();
            self.snap_addr[i].clock.next = self.clock.val();
            self.snap_addr[i].d.next = self.snap_addr[i].q.val();
        }

        // Scratch values used inside loops start defined (no latches).
        self.t_page.next = 0.into();
        self.t_word.next = 0.into();
        self.t_cause.next = 0.into();
        self.t_flags.next = 0.into();
        self.t_mode.next = 0.into();
        self.t_width.next = 0.into();
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
        self.wr_data_ch.next = bits::<4>(1) << self.wd.val().get_bits::<2>(0);
        self.master_clear.next = self.wr.val()
            & self.wdec.in_ports.val()
            & (self.wdec.port.val() == self.k_p_master_clear.val());
        self.axil.wr_err.next = !self.wdec.known.val();

        // ---- Register-read strobe (side effects in this clock) ---------------------------
        self.rd.next = self.axil.rd_en.val();
        self.ra.next = self.axil.rd_addr.val();
        self.rdec.addr.next = self.ra.val();

        // ---- Per-channel request state ---------------------------------------------------
        self.dreq_act.next = 0.into();
        self.requesting.next = 0.into();
        self.masks.next = 0xF.into();
        self.eop_act.next = 0.into();
        self.eligible.next = 0.into();
        for i in 0..self.channels.len() {
            if self.dev[i].dreq.val() ^ self.command.q.val().get_bit(6) {
                self.dreq_act.next = self.dreq_act.val().replace_bit(i, true);
            }
            if self.dreq_act.val().get_bit(i) | self.channels[i].sw_request.val() {
                self.requesting.next = self.requesting.val().replace_bit(i, true);
            }
            self.masks.next = self
                .masks
                .val()
                .replace_bit(i, self.channels[i].masked.val());
            if self.dev[i].eop_in.val() & !self.channels[i].masked.val() {
                self.eop_act.next = self.eop_act.val().replace_bit(i, true);
            }
            // Eligible now: unmasked, running, not cascade, and requesting (or mid-block).
            if !self.channels[i].masked.val()
                & !self.channels[i].halted.val()
                & !self.command.q.val().get_bit(2)
                & (self.channels[i].mode.val().get_bits::<2>(4) != 3)
                & !self.eop_act.val().get_bit(i)
                & (self.requesting.val().get_bit(i)
                    | ((self.channels[i].mode.val().get_bits::<2>(4) == 2)
                        & self.in_service.q.val().get_bit(i)))
            {
                self.eligible.next = self.eligible.val().replace_bit(i, true);
            }
        }

        // ---- Issue stage: the unit selected last clock ------------------------------------
        self.b_onehot.next = 0.into();
        if self.b_valid.q.val() {
            self.b_onehot.next = bits::<4>(1) << self.b_ch.q.val();
        }
        self.b_type.next = 0.into();
        self.b_mode.next = 0.into();
        self.b_width.next = 0.into();
        self.b_page.next = 0.into();
        self.b_addr.next = 0.into();
        self.b_at_tc.next = false;
        self.b_decrement.next = false;
        self.b_src_valid.next = false;
        self.b_src_data.next = 0.into();
        for i in 0..self.channels.len() {
            if self.b_onehot.val().get_bit(i) {
                self.b_type.next = self.channels[i].mode.val().get_bits::<2>(0);
                self.b_mode.next = self.channels[i].mode.val().get_bits::<2>(4);
                self.b_width.next = self.channels[i].width.val();
                self.b_page.next = self.channels[i].page.val();
                self.b_addr.next = self.channels[i].cur_addr.val();
                self.b_at_tc.next = self.channels[i].at_tc.val();
                self.b_decrement.next = self.channels[i].mode.val().get_bit(3);
                self.b_src_valid.next = self.dev[i].src_valid.val();
                self.b_src_data.next = self.dev[i].src_data.val();
            }
        }
        // Width 3 is reserved and moves bytes.
        if self.b_width.val() == 3 {
            self.b_width.next = 0.into();
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
        self.b_in_range.next =
            (self.b_logical.val() >> self.k_page_shift.val()) < self.k_map_count.val();
        self.b_lane.next = self.b_addr.val().get_bits::<2>(0);
        if self.b_width.val() == 1 {
            self.b_lane.next = self.b_addr.val().get_bits::<2>(0) & 2;
        }
        if self.b_width.val() == 2 {
            self.b_lane.next = 0.into();
        }
        self.b_phys.next = ((bit_cast::<32, 20>(self.map.read_data_a.val().get_bits::<20>(0))
            << self.k_page_shift.val())
            | (self.b_logical.val() & self.k_offset_mask.val()))
            & !bit_cast::<32, 2>(self.b_lane.val() ^ self.b_addr.val().get_bits::<2>(0));
        self.b_elig.next = (self.eligible.val() & self.b_onehot.val()).any() & !self.wr.val();
        // Verify units (type 0, and the illegal type 3) touch no memory and need no translation.
        self.b_needs_map.next = (self.b_type.val() == 1) | (self.b_type.val() == 2);
        self.b_fault_cause.next = 0.into();
        if !self.b_in_range.val() {
            self.b_fault_cause.next = self.k_fc_range.val();
        } else if !self.map.read_data_a.val().get_bit(21) {
            self.b_fault_cause.next = self.k_fc_invalid.val();
        } else if (self.b_type.val() == 1) & !self.map.read_data_a.val().get_bit(20) {
            self.b_fault_cause.next = self.k_fc_read_only.val();
        }
        self.b_fault.next = self.b_valid.q.val()
            & self.b_elig.val()
            & self.b_needs_map.val()
            & (self.b_fault_cause.val() != 0);
        self.b_io_ready.next = true;
        if self.b_type.val() == 1 {
            self.b_io_ready.next = self.b_src_valid.val()
                & (!self.aw_valid.q.val() | self.m_axi_awready.val())
                & (!self.w_valid.q.val() | self.m_axi_wready.val())
                & (self.wr_out.q.val() < self.k_outstanding.val());
        }
        if self.b_type.val() == 2 {
            self.b_io_ready.next = (!self.ar_valid.q.val() | self.m_axi_arready.val())
                & (self.rd_out.q.val() < self.k_outstanding.val());
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
        self.elig_f.next = 0.into();
        for i in 0..self.channels.len() {
            if !((self.commit_oh.val().get_bit(i) & self.channels[i].adv_masked.val())
                | (!self.commit_oh.val().get_bit(i) & self.channels[i].masked.val()))
                & !self.channels[i].halted.val()
                & !self.command.q.val().get_bit(2)
                & (self.channels[i].mode.val().get_bits::<2>(4) != 3)
                & !self.eop_act.val().get_bit(i)
                & (self.dreq_act.val().get_bit(i)
                    | (self.channels[i].sw_request.val() & !self.tc_commit_oh.val().get_bit(i))
                    | ((self.channels[i].mode.val().get_bits::<2>(4) == 2)
                        & (self.in_service.q.val().get_bit(i) | self.commit_oh.val().get_bit(i))
                        & !self.tc_commit_oh.val().get_bit(i)))
            {
                self.elig_f.next = self.elig_f.val().replace_bit(i, true);
            }
        }
        self.owner_f_valid.next = self.owner_valid.q.val();
        self.owner_f_ch.next = self.owner_ch.q.val();
        self.base_ch.next = 0.into();
        if self.b_commit.val() {
            self.owner_f_valid.next =
                ((self.b_mode.val() == 0) | (self.b_mode.val() == 2)) & !self.b_at_tc.val();
            self.owner_f_ch.next = self.b_ch.q.val();
            if self.command.q.val().get_bit(4) {
                self.base_ch.next = self.b_ch.q.val() + 1;
            }
        } else if self.command.q.val().get_bit(4) {
            self.base_ch.next = self.last_ch.q.val() + 1;
        }
        // Priority: rotate the eligible set so `base_ch` is bit 0, take the lowest set bit.
        self.rotated.next = (bit_cast::<8, 4>(self.elig_f.val())
            | (bit_cast::<8, 4>(self.elig_f.val()) << 4))
            >> self.base_ch.val();
        self.a_found.next = self.elig_f.val().any();
        self.a_ch.next = self.base_ch.val() + 3;
        if self.rotated.val().get_bit(2) {
            self.a_ch.next = self.base_ch.val() + 2;
        }
        if self.rotated.val().get_bit(1) {
            self.a_ch.next = self.base_ch.val() + 1;
        }
        if self.rotated.val().get_bit(0) {
            self.a_ch.next = self.base_ch.val();
        }
        if self.owner_f_valid.val()
            & (self.elig_f.val() & (bits::<4>(1) << self.owner_f_ch.val())).any()
        {
            self.a_ch.next = self.owner_f_ch.val();
        }
        self.a_go.next = (!self.b_valid.q.val() | self.b_commit.val()) & !self.wr.val();
        // The selected unit's address (forwarded through a commit of the same channel).
        self.a_page.next = 0.into();
        self.a_addr.next = 0.into();
        self.a_onehot.next = bits::<4>(1) << self.a_ch.val();
        for i in 0..self.channels.len() {
            if self.a_onehot.val().get_bit(i) {
                self.a_page.next = self.channels[i].page.val();
                self.a_addr.next = self.channels[i].cur_addr.val();
                if self.commit_oh.val().get_bit(i) {
                    self.a_addr.next = self.b_next_addr.val();
                    if self.channels[i].at_tc.val() & self.channels[i].autoinit.val() {
                        self.a_addr.next = self.channels[i].base.val();
                    }
                }
            }
        }
        // Translation lookup: the unit entering the issue stage, or the one waiting in it.
        self.lookup_logical.next = self.b_logical.val();
        if self.a_go.val() {
            self.lookup_logical.next = (bit_cast::<32, 16>(self.a_page.val()) << 16)
                | bit_cast::<32, 16>(self.a_addr.val());
        }
        self.lookup_page.next = self.lookup_logical.val() >> self.k_page_shift.val();
        self.map.read_index_a.next = self.lookup_page.val().get_bits::<10>(0);

        // ---- Engine state ---------------------------------------------------------------
        self.b_valid.d.next = self.b_valid.q.val() & !self.b_commit.val() & !self.b_drop.val();
        if self.a_go.val() & self.a_found.val() {
            self.b_valid.d.next = true;
            self.b_ch.d.next = self.a_ch.val();
        }
        if self.b_commit.val() {
            self.last_ch.d.next = self.b_ch.q.val();
        }
        self.owner_valid.d.next = self.owner_f_valid.val()
            & (self.elig_f.val() & (bits::<4>(1) << self.owner_f_ch.val())).any();
        self.owner_ch.d.next = self.owner_f_ch.val();
        self.in_service.d.next = (self.in_service.q.val() | self.commit_oh.val())
            & !self.tc_commit_oh.val()
            & !self.eop_act.val();

        // ---- AXI4 master requests ----------------------------------------------------------
        self.unit_strb.next = 1.into();
        if self.b_width.val() == 1 {
            self.unit_strb.next = 3.into();
        }
        if self.b_width.val() == 2 {
            self.unit_strb.next = 0xF.into();
        }
        if self.m_axi_awready.val() {
            self.aw_valid.d.next = false;
        }
        if self.m_axi_wready.val() {
            self.w_valid.d.next = false;
        }
        if self.m_axi_arready.val() {
            self.ar_valid.d.next = false;
        }
        self.tag_in.next = bit_cast::<24, 16>(self.b_addr.val())
            | (bit_cast::<24, 2>(self.b_ch.q.val()) << 16)
            | (bit_cast::<24, 2>(self.b_lane.val()) << 18)
            | (bit_cast::<24, 2>(self.b_width.val()) << 20)
            | (bit_cast::<24, 1>(self.b_at_tc.val().into()) << 22);
        self.wr_tags.data_in.next = self.tag_in.val();
        self.rd_tags.data_in.next = self.tag_in.val();
        self.wr_tags.write.next = self.b_commit.val() & (self.b_type.val() == 1);
        self.rd_tags.write.next = self.b_commit.val() & (self.b_type.val() == 2);
        if self.b_commit.val() & (self.b_type.val() == 1) {
            self.aw_valid.d.next = true;
            self.aw_addr.d.next = self.b_phys.val();
            self.aw_size.d.next = bit_cast::<3, 2>(self.b_width.val());
            self.w_valid.d.next = true;
            self.w_data.d.next =
                self.b_src_data.val() << (bit_cast::<5, 2>(self.b_lane.val()) << 3);
            self.w_strb.d.next = self.unit_strb.val() << self.b_lane.val();
        }
        if self.b_commit.val() & (self.b_type.val() == 2) {
            self.ar_valid.d.next = true;
            self.ar_addr.d.next = self.b_phys.val();
            self.ar_size.d.next = bit_cast::<3, 2>(self.b_width.val());
        }
        self.m_axi_awaddr.next = self.aw_addr.q.val();
        self.m_axi_awlen.next = 0.into();
        self.m_axi_awsize.next = self.aw_size.q.val();
        self.m_axi_awburst.next = 1.into();
        self.m_axi_awvalid.next = self.aw_valid.q.val();
        self.m_axi_wdata.next = self.w_data.q.val();
        self.m_axi_wstrb.next = self.w_strb.q.val();
        self.m_axi_wlast.next = true;
        self.m_axi_wvalid.next = self.w_valid.q.val();
        self.m_axi_araddr.next = self.ar_addr.q.val();
        self.m_axi_arlen.next = 0.into();
        self.m_axi_arsize.next = self.ar_size.q.val();
        self.m_axi_arburst.next = 1.into();
        self.m_axi_arvalid.next = self.ar_valid.q.val();

        // ---- AXI4 responses ----------------------------------------------------------------
        // Reads: the head tag names the channel; data goes to its sink unless discarded.
        self.r_head_ch.next = bits::<4>(1) << self.rd_tags.data_out.val().get_bits::<2>(16);
        self.r_err.next = self.m_axi_rresp.val() != 0;
        self.m_axi_rready.next = false;
        for i in 0..self.channels.len() {
            if self.r_head_ch.val().get_bit(i) & !self.rd_tags.empty.val() {
                self.m_axi_rready.next = self.dev[i].snk_ready.val();
            }
        }
        if !self.rd_tags.empty.val() & ((self.rd_discard.q.val() != 0) | self.r_err.val()) {
            self.m_axi_rready.next = true;
        }
        self.r_take.next = self.m_axi_rvalid.val() & self.m_axi_rready.val();
        self.rd_tags.read.next = self.r_take.val();
        self.r_lane_shift.next =
            bit_cast::<5, 2>(self.rd_tags.data_out.val().get_bits::<2>(18)) << 3;
        self.r_unit.next = self.m_axi_rdata.val() >> self.r_lane_shift.val();
        if self.rd_tags.data_out.val().get_bits::<2>(20) == 0 {
            self.r_unit.next = (self.m_axi_rdata.val() >> self.r_lane_shift.val()) & 0xFF;
        }
        if self.rd_tags.data_out.val().get_bits::<2>(20) == 1 {
            self.r_unit.next = (self.m_axi_rdata.val() >> self.r_lane_shift.val()) & 0xFFFF;
        }
        self.r_fault_oh.next = 0.into();
        if self.r_take.val() & self.r_err.val() & (self.rd_discard.q.val() == 0) {
            self.r_fault_oh.next = self.r_head_ch.val();
        }
        // Writes: BREADY is always high; an error names the head tag's channel.
        self.m_axi_bready.next = true;
        self.wr_tags.read.next = self.m_axi_bvalid.val() & !self.wr_tags.empty.val();
        self.w_head_ch.next = bits::<4>(1) << self.wr_tags.data_out.val().get_bits::<2>(16);
        self.w_fault_oh.next = 0.into();
        if self.m_axi_bvalid.val()
            & !self.wr_tags.empty.val()
            & (self.m_axi_bresp.val() != 0)
            & (self.wr_discard.q.val() == 0)
        {
            self.w_fault_oh.next = self.w_head_ch.val();
        }
        // Outstanding counts and post-master-clear discards.
        self.rd_out.d.next = self.rd_out.q.val()
            + bit_cast::<6, 1>(self.rd_tags.write.val().into())
            - bit_cast::<6, 1>(self.r_take.val().into());
        self.wr_out.d.next = self.wr_out.q.val()
            + bit_cast::<6, 1>(self.wr_tags.write.val().into())
            - bit_cast::<6, 1>(self.wr_tags.read.val().into());
        if self.r_take.val() & (self.rd_discard.q.val() != 0) {
            self.rd_discard.d.next = self.rd_discard.q.val() - 1;
        }
        if self.wr_tags.read.val() & (self.wr_discard.q.val() != 0) {
            self.wr_discard.d.next = self.wr_discard.q.val() - 1;
        }
        if self.master_clear.val() {
            self.rd_discard.d.next =
                self.rd_out.q.val() - bit_cast::<6, 1>(self.r_take.val().into());
            self.wr_discard.d.next =
                self.wr_out.q.val() - bit_cast::<6, 1>(self.wr_tags.read.val().into());
        }

        // ---- Faults ------------------------------------------------------------------------
        self.fault_clear.next = 0.into();
        if self.wr.val() & self.wdec.int_status.val() {
            self.fault_clear.next = self.wd.val().get_bits::<4>(8) & self.k_channel_mask.val();
        }
        self.fault_new.next = 0.into();
        for i in 0..self.channels.len() {
            self.fault_cause[i].clock.next = self.clock.val();
            self.fault_cause[i].d.next = self.fault_cause[i].q.val();
            if self.fault_clear.val().get_bit(i) {
                self.fault_cause[i].d.next = 0.into();
                self.fault_addr[i].d.next = 0.into();
            } else if self.fault_cause[i].q.val() == 0 {
                if self.b_fault.val() & self.b_onehot.val().get_bit(i) {
                    self.fault_new.next = self.fault_new.val().replace_bit(i, true);
                    self.fault_addr[i].d.next = self.b_logical.val();
                    self.fault_cause[i].d.next = self.b_fault_cause.val();
                } else if self.r_fault_oh.val().get_bit(i) {
                    self.fault_new.next = self.fault_new.val().replace_bit(i, true);
                    self.t_page.next = self.channels[i].page.val();
                    self.fault_addr[i].d.next = (bit_cast::<32, 16>(self.t_page.val()) << 16)
                        | bit_cast::<32, 16>(self.rd_tags.data_out.val().get_bits::<16>(0));
                    self.fault_cause[i].d.next = bit_cast::<4, 2>(self.m_axi_rresp.val()) + 2;
                } else if self.w_fault_oh.val().get_bit(i) {
                    self.fault_new.next = self.fault_new.val().replace_bit(i, true);
                    self.t_page.next = self.channels[i].page.val();
                    self.fault_addr[i].d.next = (bit_cast::<32, 16>(self.t_page.val()) << 16)
                        | bit_cast::<32, 16>(self.wr_tags.data_out.val().get_bits::<16>(0));
                    self.fault_cause[i].d.next = bit_cast::<4, 2>(self.m_axi_bresp.val()) + 2;
                }
            }
        }

        // ---- Channel strobes and device outputs -------------------------------------------
        for i in 0..self.channels.len() {
            self.channels[i].reset.next = self.reset.val();
            self.channels[i].master_clear.next = self.master_clear.val();
            self.channels[i].wr_byte.next = self.wd.val().get_bits::<8>(0);
            self.channels[i].wr_data.next = self.wd.val().get_bits::<16>(0);
            self.channels[i].wr_addr_lo.next = false;
            self.channels[i].wr_addr_hi.next = false;
            self.channels[i].wr_count_lo.next = false;
            self.channels[i].wr_count_hi.next = false;
            self.channels[i].wr_mode.next = false;
            self.channels[i].set_mask.next = false;
            self.channels[i].clear_mask.next = false;
            self.channels[i].set_request.next = false;
            self.channels[i].clear_request.next = false;
            if self.wr.val()
                & self.wdec.in_ports.val()
                & (self.wdec.port.val() < 8)
                & self.wdec.port_ch.val().get_bit(i)
            {
                if self.wdec.port.val().get_bit(0) {
                    self.channels[i].wr_count_lo.next = !self.flip_flop.q.val();
                    self.channels[i].wr_count_hi.next = self.flip_flop.q.val();
                } else {
                    self.channels[i].wr_addr_lo.next = !self.flip_flop.q.val();
                    self.channels[i].wr_addr_hi.next = self.flip_flop.q.val();
                }
            }
            if self.wr.val() & self.wdec.in_ports.val() & self.wr_data_ch.val().get_bit(i) {
                if self.wdec.port.val() == self.k_p_request.val() {
                    self.channels[i].set_request.next = self.wd.val().get_bit(2);
                    self.channels[i].clear_request.next = !self.wd.val().get_bit(2);
                }
                if self.wdec.port.val() == self.k_p_single_mask.val() {
                    self.channels[i].set_mask.next = self.wd.val().get_bit(2);
                    self.channels[i].clear_mask.next = !self.wd.val().get_bit(2);
                }
                if self.wdec.port.val() == self.k_p_mode.val() {
                    self.channels[i].wr_mode.next = true;
                }
            }
            if self.wr.val() & self.wdec.in_ports.val() {
                if self.wdec.port.val() == self.k_p_clear_mask.val() {
                    self.channels[i].clear_mask.next = true;
                }
                if self.wdec.port.val() == self.k_p_all_mask.val() {
                    self.channels[i].set_mask.next = self.wd.val().get_bit(i);
                    self.channels[i].clear_mask.next = !self.wd.val().get_bit(i);
                }
            }
            self.channels[i].wr_page.next =
                self.wr.val() & self.wdec.page.val() & self.wdec.arr_ch.val().get_bit(i);
            self.channels[i].wr_width.next =
                self.wr.val() & self.wdec.ch_config.val() & self.wdec.arr_ch.val().get_bit(i);
            self.channels[i].advance.next = self.commit_oh.val().get_bit(i);
            self.channels[i].next_addr.next = self.b_next_addr.val();
            self.channels[i].eop.next = self.eop_act.val().get_bit(i);
            self.channels[i].halt.next = self.fault_new.val().get_bit(i);
            self.channels[i].unhalt.next = self.fault_clear.val().get_bit(i);

            self.dev[i].src_ready.next = self.commit_oh.val().get_bit(i) & (self.b_type.val() == 1);
            self.dev[i].snk_valid.next = self.m_axi_rvalid.val()
                & !self.rd_tags.empty.val()
                & self.r_head_ch.val().get_bit(i)
                & (self.rd_discard.q.val() == 0)
                & !self.r_err.val();
            self.dev[i].snk_data.next = self.r_unit.val();
            self.dev[i].snk_last.next = self.rd_tags.data_out.val().get_bit(22);
            self.dev[i].eop_out.next = self.eop_pulse.q.val().get_bit(i);
            // DACK: the engine holds a unit of this channel; in cascade mode it follows DREQ.
            self.dack_act.next = self.b_onehot.val().get_bit(i)
                | ((self.channels[i].mode.val().get_bits::<2>(4) == 3)
                    & self.dreq_act.val().get_bit(i)
                    & !self.channels[i].masked.val());
            self.dev[i].dack.next = !(self.dack_act.val() ^ self.command.q.val().get_bit(7));

            if self.rd.val() & self.rdec.snap_count.val() & self.rdec.pair_ch.val().get_bit(i) {
                self.t_page.next = self.channels[i].page.val();
                self.t_word.next = self.channels[i].cur_addr.val();
                self.snap_addr[i].d.next = (bit_cast::<32, 16>(self.t_page.val()) << 16)
                    | bit_cast::<32, 16>(self.t_word.val());
            }
            if self.reset.val() {
                self.fault_addr[i].d.next = 0.into();
                self.snap_addr[i].d.next = 0.into();
                self.fault_cause[i].d.next = 0.into();
            }
        }

        // ---- Controller-wide registers ------------------------------------------------------
        if (self.wr.val() & self.wdec.in_ports.val() & (self.wdec.port.val() < 8))
            | (self.rd.val() & self.rdec.in_ports.val() & (self.rdec.port.val() < 8))
        {
            self.flip_flop.d.next = !self.flip_flop.q.val();
        }
        if self.wr.val() & self.wdec.in_ports.val() {
            if self.wdec.port.val() == self.k_p_clear_ff.val() {
                self.flip_flop.d.next = false;
            }
            if self.wdec.port.val() == self.k_p_command.val() {
                self.command.d.next = self.wd.val().get_bits::<8>(0);
            }
        }
        self.status_tc.d.next = self.status_tc.q.val() | self.tc_events.val();
        if self.rd.val()
            & self.rdec.in_ports.val()
            & (self.rdec.port.val() == self.k_p_command.val())
        {
            self.status_tc.d.next = self.tc_events.val();
        }
        self.int_tc.d.next = self.int_tc.q.val() | self.tc_events.val();
        self.int_fault.d.next =
            (self.int_fault.q.val() & !self.fault_clear.val()) | self.fault_new.val();
        if self.wr.val() & self.wdec.int_status.val() {
            self.int_tc.d.next =
                (self.int_tc.q.val() & !self.wd.val().get_bits::<4>(0)) | self.tc_events.val();
        }
        if self.wr.val() & self.wdec.int_enable.val() {
            self.en_tc.d.next = self.wd.val().get_bits::<4>(0) & self.k_channel_mask.val();
            self.en_fault.d.next = self.wd.val().get_bits::<4>(8) & self.k_channel_mask.val();
        }
        self.irq_r.d.next = ((self.int_tc.q.val() & self.en_tc.q.val())
            | (self.int_fault.q.val() & self.en_fault.q.val()))
        .any();
        self.irq.next = self.irq_r.q.val();
        self.eop_pulse.d.next = self.tc_events.val();
        if self.master_clear.val() {
            self.command.d.next = 0.into();
            self.flip_flop.d.next = false;
            self.status_tc.d.next = 0.into();
            self.owner_valid.d.next = false;
            self.in_service.d.next = 0.into();
        }

        // ---- Map-register file ---------------------------------------------------------------
        self.map.write_enable.next = self.wr.val() & self.wdec.map.val();
        self.map.write_index.next = self.wdec.map_index.val();
        // Entry layout (map_ram): frame 19:0, device-may-write 20, valid 21.
        self.map.write_data.next = bit_cast::<22, 20>(
            self.wd.val().get_bits::<20>(0) & self.k_frame_mask.val().get_bits::<20>(0),
        )
        .replace_bit(20, self.wd.val().get_bit(30))
        .replace_bit(21, self.wd.val().get_bit(31));
        self.map.read_index_b.next = self.rdec.map_index.val();
        self.map_word.next = bit_cast::<32, 20>(self.map.read_data_b.val().get_bits::<20>(0))
            | (bit_cast::<32, 1>(self.map.read_data_b.val().get_bits::<1>(20)) << 30)
            | (bit_cast::<32, 1>(self.map.read_data_b.val().get_bits::<1>(21)) << 31);

        // ---- Register-read multiplexer (sampled in the read-strobe clock) ---------------------
        self.owner_onehot.next = bits::<4>(1) << self.owner_ch.q.val();
        self.fault_word.next = 0.into();
        self.fault_shift.next = 0.into();
        for i in 0..self.channels.len() {
            self.t_cause.next = self.fault_cause[i].q.val();
            self.fault_word.next = self.fault_word.val()
                | (bit_cast::<32, 4>(self.t_cause.val()) << self.fault_shift.val());
            self.fault_shift.next = self.fault_shift.val() + 4;
        }
        // Sources are mutually exclusive by address, so the multiplexer is an OR of selected
        // values (AND-OR trees), not a priority chain of 2:1 muxes.
        self.rd_mux.next = 0.into();
        if self.rdec.in_ports.val() {
            if self.rdec.port.val() < 8 {
                for i in 0..self.channels.len() {
                    if self.rdec.port_ch.val().get_bit(i) {
                        self.t_word.next = self.channels[i].cur_addr.val();
                        if self.rdec.port.val().get_bit(0) {
                            self.t_word.next = self.channels[i].cur_count.val();
                        }
                    }
                }
                self.rd_mux.next = bit_cast::<32, 8>(self.t_word.val().get_bits::<8>(0));
                if self.flip_flop.q.val() {
                    self.rd_mux.next = bit_cast::<32, 8>(self.t_word.val().get_bits::<8>(8));
                }
            }
            if self.rdec.port.val() == self.k_p_command.val() {
                self.rd_mux.next = bit_cast::<32, 4>(self.status_tc.q.val())
                    | (bit_cast::<32, 4>(self.requesting.val()) << 4);
            }
            if self.rdec.port.val() == self.k_p_all_mask.val() {
                self.rd_mux.next = bit_cast::<32, 4>(self.masks.val()) | 0xF0;
            }
        }
        for i in 0..self.channels.len() {
            if self.rdec.arr_ch.val().get_bit(i) {
                if self.rdec.page.val() {
                    self.t_page.next = self.channels[i].page.val();
                    self.rd_mux.next = self.rd_mux.val() | bit_cast::<32, 16>(self.t_page.val());
                }
                if self.rdec.ch_config.val() {
                    self.t_width.next = self.channels[i].width.val();
                    self.t_mode.next = self.channels[i].mode.val();
                    self.t_flags.next = 0.into();
                    self.t_flags.next = self
                        .t_flags
                        .val()
                        .replace_bit(0, self.channels[i].masked.val())
                        .replace_bit(1, self.channels[i].sw_request.val())
                        .replace_bit(2, self.channels[i].halted.val())
                        .replace_bit(
                            3,
                            self.b_onehot.val().get_bit(i)
                                | (self.owner_valid.q.val() & self.owner_onehot.val().get_bit(i)),
                        );
                    self.rd_mux.next = self.rd_mux.val()
                        | bit_cast::<32, 2>(self.t_width.val())
                        | (bit_cast::<32, 6>(self.t_mode.val()) << 10)
                        | (bit_cast::<32, 4>(self.t_flags.val()) << 16);
                }
                if self.rdec.fault_addr.val() {
                    self.rd_mux.next = self.rd_mux.val() | self.fault_addr[i].q.val();
                }
            }
            if self.rdec.pair_ch.val().get_bit(i) {
                if self.rdec.snap_count.val() {
                    self.t_word.next = self.channels[i].cur_count.val();
                    self.t_page.next = self.channels[i].passes.val();
                    self.rd_mux.next = self.rd_mux.val()
                        | bit_cast::<32, 16>(self.t_word.val())
                        | (bit_cast::<32, 16>(self.t_page.val()) << 16);
                }
                if self.rdec.snap_addr.val() {
                    self.rd_mux.next = self.rd_mux.val() | self.snap_addr[i].q.val();
                }
            }
        }
        if self.rdec.id.val() {
            self.rd_mux.next = self.rd_mux.val() | self.k_id.val();
        }
        if self.rdec.version.val() {
            self.rd_mux.next = self.rd_mux.val() | self.k_version.val();
        }
        if self.rdec.config0.val() {
            self.rd_mux.next = self.rd_mux.val() | self.k_config0.val();
        }
        if self.rdec.config1.val() {
            self.rd_mux.next = self.rd_mux.val() | self.k_config1.val();
        }
        if self.rdec.int_status.val() {
            self.rd_mux.next = self.rd_mux.val()
                | bit_cast::<32, 4>(self.int_tc.q.val())
                | (bit_cast::<32, 4>(self.int_fault.q.val()) << 8);
        }
        if self.rdec.int_enable.val() {
            self.rd_mux.next = self.rd_mux.val()
                | bit_cast::<32, 4>(self.en_tc.q.val())
                | (bit_cast::<32, 4>(self.en_fault.q.val()) << 8);
        }
        if self.rdec.fault_cause.val() {
            self.rd_mux.next = self.rd_mux.val() | self.fault_word.val();
        }
        self.rd_bad.next = !self.rdec.known.val();
        self.rd_hold.d.next = self.rd_mux.val();
        self.rd_err_q.d.next = self.rd_bad.val();
        self.rd_was_map.d.next = self.rdec.map.val();
        self.axil.rd_data.next = self.rd_hold.q.val();
        if self.rd_was_map.q.val() {
            self.axil.rd_data.next = self.map_word.val();
        }
        self.axil.rd_err.next = self.rd_err_q.q.val();

        // ---- Hardware reset -------------------------------------------------------------------
        if self.reset.val() {
            self.command.d.next = 0.into();
            self.flip_flop.d.next = false;
            self.status_tc.d.next = 0.into();
            self.int_tc.d.next = 0.into();
            self.int_fault.d.next = 0.into();
            self.en_tc.d.next = 0.into();
            self.en_fault.d.next = self.k_fault_enable_reset.val();
            self.irq_r.d.next = false;
            self.eop_pulse.d.next = 0.into();
            self.b_valid.d.next = false;
            self.owner_valid.d.next = false;
            // Rotating priority starts with channel 0 highest, as after an 8237 reset.
            self.last_ch.d.next = 3.into();
            self.in_service.d.next = 0.into();
            self.ar_valid.d.next = false;
            self.aw_valid.d.next = false;
            self.w_valid.d.next = false;
            self.rd_out.d.next = 0.into();
            self.wr_out.d.next = 0.into();
            self.rd_discard.d.next = 0.into();
            self.wr_discard.d.next = 0.into();
        }
    }
}
