//! The 8237 register file: the controller-wide registers (COMMAND, byte-pointer flip-flop,
//! STATUS TC bits, the EOP pulse), the per-channel write strobes decoded from ports 0–15,
//! PAGE and CH_CONFIG, and the register-read multiplexer with its one-clock hold.
//!
//! ```text
//!  wr/wd + write decode ──► flip-flop, COMMAND ──► strobes[c] ──► channel c
//!  rd + read decode ──┬─► 8237 ports, PAGE, CH_CONFIG, ID/CONFIG ─┐
//!  native_rd ─────────┼───────────────────────────────────────────┴─ OR ─► rd_hold ─┐
//!  map_word ──────────┴──────────────────────────────(read was a map register)─► mux ─► rd_data
//! ```
//!
//! Why a block of its own: everything a register access does to the 8237 state is decided here
//! from the decoded address, so the engine only sees the per-channel strobes and COMMAND. Every
//! read source is selected by exclusive address decodes, so the read multiplexer is an OR of
//! gated values (AND-OR trees) rather than a priority chain. Read data is held one clock (the
//! AXI4-Lite slave samples it then), which is when the map RAM's synchronous read answers.

use mapdma_regmap as regmap;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

/// The channel registers the 8237 ports, PAGE and CH_CONFIG read back.
#[derive(LogicInterface, Default)]
pub struct ChannelRegs {
    pub cur_addr: Signal<In, Bits<16>>,
    pub cur_count: Signal<In, Bits<16>>,
    pub page: Signal<In, Bits<16>>,
    /// Stored mode bits (mode byte bits 7:2).
    pub mode: Signal<In, Bits<6>>,
    pub width: Signal<In, Bits<2>>,
    pub masked: Signal<In, Bit>,
    pub sw_request: Signal<In, Bit>,
    pub halted: Signal<In, Bit>,
}

#[derive(LogicBlock)]
pub struct Regs8237 {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// The register write of this clock (address decoded by the parent's `wdec`).
    pub wr: Signal<In, Bit>,
    pub wd: Signal<In, Bits<32>>,
    pub w_in_ports: Signal<In, Bit>,
    pub w_port: Signal<In, Bits<4>>,
    pub w_port_ch: Signal<In, Bits<4>>,
    pub w_arr_ch: Signal<In, Bits<4>>,
    pub w_page: Signal<In, Bit>,
    pub w_ch_config: Signal<In, Bit>,
    /// The register read strobed this clock (address decoded by the parent's `rdec`).
    pub rd: Signal<In, Bit>,
    pub r_in_ports: Signal<In, Bit>,
    pub r_port: Signal<In, Bits<4>>,
    pub r_port_ch: Signal<In, Bits<4>>,
    pub r_arr_ch: Signal<In, Bits<4>>,
    pub r_page: Signal<In, Bit>,
    pub r_ch_config: Signal<In, Bit>,
    pub r_id: Signal<In, Bit>,
    pub r_version: Signal<In, Bit>,
    pub r_config0: Signal<In, Bit>,
    pub r_config1: Signal<In, Bit>,
    pub r_map: Signal<In, Bit>,
    pub r_known: Signal<In, Bit>,

    pub ch: Vec<ChannelRegs>,
    /// Request bits (DREQ active or software request) and CH_CONFIG.BUSY, per channel.
    pub requesting: Signal<In, Bits<4>>,
    pub busy: Signal<In, Bits<4>>,
    /// Terminal count or external EOP per channel, this clock.
    pub tc_events: Signal<In, Bits<4>>,
    /// Read words of the other register blocks: native registers (OR-ed in, same clock) and
    /// the map entry (its RAM answers a clock later, when the read data is taken).
    pub native_rd: Signal<In, Bits<32>>,
    pub map_word: Signal<In, Bits<32>>,
    /// The temporary register (last unit of a memory-to-memory transfer), read at port 13.
    pub temporary: Signal<In, Bits<32>>,

    /// COMMAND bits the engine uses (DISABLE, ROTATING, DREQ_SENSE_LOW, DACK_SENSE_HIGH).
    pub cmd_disable: Signal<Out, Bit>,
    pub cmd_rotating: Signal<Out, Bit>,
    pub cmd_dreq_low: Signal<Out, Bit>,
    pub cmd_dack_high: Signal<Out, Bit>,
    /// COMMAND.MEM_TO_MEM and COMMAND.CH0_ADDRESS_HOLD (DESIGN §3a).
    pub cmd_mem_to_mem: Signal<Out, Bit>,
    pub cmd_ch0_hold: Signal<Out, Bit>,
    pub master_clear: Signal<Out, Bit>,
    /// Per-channel strobes, bit c for channel c.
    pub wr_addr_lo: Signal<Out, Bits<4>>,
    pub wr_addr_hi: Signal<Out, Bits<4>>,
    pub wr_count_lo: Signal<Out, Bits<4>>,
    pub wr_count_hi: Signal<Out, Bits<4>>,
    pub wr_mode: Signal<Out, Bits<4>>,
    pub wr_page: Signal<Out, Bits<4>>,
    pub wr_width: Signal<Out, Bits<4>>,
    pub set_mask: Signal<Out, Bits<4>>,
    pub clear_mask: Signal<Out, Bits<4>>,
    pub set_request: Signal<Out, Bits<4>>,
    pub clear_request: Signal<Out, Bits<4>>,
    /// One-clock EOP pulse per channel, the clock after its terminal count or EOP.
    pub eop_out: Signal<Out, Bits<4>>,
    /// Byte-pointer flip-flop and STATUS TC bits, for the formal properties (`formal/`).
    pub flip_flop: Signal<Out, Bit>,
    pub status_tc: Signal<Out, Bits<4>>,
    /// Read data and verdict of the read strobed last clock, to the AXI4-Lite slave.
    pub rd_data: Signal<Out, Bits<32>>,
    pub rd_err: Signal<Out, Bit>,

    // 8237 port numbers (offset / 4) and read-back field positions, from mapdma-regmap.
    k_p_command: Constant<Bits<4>>,
    k_p_request: Constant<Bits<4>>,
    k_p_single_mask: Constant<Bits<4>>,
    k_p_mode: Constant<Bits<4>>,
    k_p_clear_ff: Constant<Bits<4>>,
    k_p_master_clear: Constant<Bits<4>>,
    k_p_clear_mask: Constant<Bits<4>>,
    k_p_all_mask: Constant<Bits<4>>,
    k_p_temporary: Constant<Bits<4>>,
    k_cmd_disable: Constant<Bits<8>>,
    k_cmd_rotating: Constant<Bits<8>>,
    k_cmd_dreq_low: Constant<Bits<8>>,
    k_cmd_dack_high: Constant<Bits<8>>,
    k_cmd_mem_to_mem: Constant<Bits<8>>,
    k_cmd_ch0_hold: Constant<Bits<8>>,
    k_id: Constant<Bits<32>>,
    k_version: Constant<Bits<32>>,
    k_config0: Constant<Bits<32>>,
    k_config1: Constant<Bits<32>>,

    command_r: DFF<Bits<8>>,
    flip_flop_r: DFF<Bit>,
    status_tc_r: DFF<Bits<4>>,
    eop_pulse: DFF<Bits<4>>,
    rd_hold: DFF<Bits<32>>,
    rd_err_q: DFF<Bit>,
    rd_was_map: DFF<Bit>,

    // Combinational scratch (rust-hdl kernels have no `let`); `s_*` build the strobes, each
    // output is assigned once from them (see `MapDma::update` on settling).
    wr_ports: Signal<Local, Bit>,
    wr_data_ch: Signal<Local, Bits<4>>,
    mc: Signal<Local, Bit>,
    s_addr_lo: Signal<Local, Bits<4>>,
    s_addr_hi: Signal<Local, Bits<4>>,
    s_count_lo: Signal<Local, Bits<4>>,
    s_count_hi: Signal<Local, Bits<4>>,
    s_mode: Signal<Local, Bits<4>>,
    s_set_mask: Signal<Local, Bits<4>>,
    s_clear_mask: Signal<Local, Bits<4>>,
    s_set_request: Signal<Local, Bits<4>>,
    s_clear_request: Signal<Local, Bits<4>>,
    s_page: Signal<Local, Bits<4>>,
    s_width: Signal<Local, Bits<4>>,
    masks: Signal<Local, Bits<4>>,
    rd_mux: Signal<Local, Bits<32>>,
    rd_word: Signal<Local, Bits<32>>,
    t_word: Signal<Local, Bits<16>>,
    t_page: Signal<Local, Bits<16>>,
    t_mode: Signal<Local, Bits<6>>,
    t_width: Signal<Local, Bits<2>>,
    t_flags: Signal<Local, Bits<4>>,
}

impl Regs8237 {
    pub fn new(cfg: &Config) -> Self {
        check_layout();
        let port = |o: u32| Constant::new(((o / 4) as u64).to_bits());
        let k32 = |v: u32| Constant::new((v as u64).to_bits());
        let bit = |f: regmap::Field| Constant::new((1u64 << f.lsb).to_bits());
        Regs8237 {
            clock: Default::default(),
            reset: Default::default(),
            wr: Default::default(),
            wd: Default::default(),
            w_in_ports: Default::default(),
            w_port: Default::default(),
            w_port_ch: Default::default(),
            w_arr_ch: Default::default(),
            w_page: Default::default(),
            w_ch_config: Default::default(),
            rd: Default::default(),
            r_in_ports: Default::default(),
            r_port: Default::default(),
            r_port_ch: Default::default(),
            r_arr_ch: Default::default(),
            r_page: Default::default(),
            r_ch_config: Default::default(),
            r_id: Default::default(),
            r_version: Default::default(),
            r_config0: Default::default(),
            r_config1: Default::default(),
            r_map: Default::default(),
            r_known: Default::default(),
            ch: (0..cfg.channels).map(|_| ChannelRegs::default()).collect(),
            requesting: Default::default(),
            busy: Default::default(),
            tc_events: Default::default(),
            native_rd: Default::default(),
            map_word: Default::default(),
            cmd_disable: Default::default(),
            cmd_rotating: Default::default(),
            cmd_dreq_low: Default::default(),
            cmd_dack_high: Default::default(),
            cmd_mem_to_mem: Default::default(),
            cmd_ch0_hold: Default::default(),
            temporary: Default::default(),
            k_cmd_disable: bit(regmap::command::DISABLE),
            k_cmd_rotating: bit(regmap::command::ROTATING),
            k_cmd_dreq_low: bit(regmap::command::DREQ_LOW),
            k_cmd_dack_high: bit(regmap::command::DACK_HIGH),
            k_cmd_mem_to_mem: bit(regmap::command::MEM_TO_MEM),
            k_cmd_ch0_hold: bit(regmap::command::CH0_HOLD),
            master_clear: Default::default(),
            wr_addr_lo: Default::default(),
            wr_addr_hi: Default::default(),
            wr_count_lo: Default::default(),
            wr_count_hi: Default::default(),
            wr_mode: Default::default(),
            wr_page: Default::default(),
            wr_width: Default::default(),
            set_mask: Default::default(),
            clear_mask: Default::default(),
            set_request: Default::default(),
            clear_request: Default::default(),
            eop_out: Default::default(),
            flip_flop: Default::default(),
            status_tc: Default::default(),
            rd_data: Default::default(),
            rd_err: Default::default(),
            k_p_command: port(regmap::COMMAND.offset),
            k_p_request: port(regmap::REQUEST.offset),
            k_p_single_mask: port(regmap::SINGLE_MASK.offset),
            k_p_mode: port(regmap::MODE.offset),
            k_p_clear_ff: port(regmap::CLEAR_FLIP_FLOP.offset),
            k_p_master_clear: port(regmap::MASTER_CLEAR.offset),
            k_p_clear_mask: port(regmap::CLEAR_MASK.offset),
            k_p_all_mask: port(regmap::ALL_MASK.offset),
            k_p_temporary: port(regmap::TEMPORARY.offset),
            k_id: k32(regmap::ID_MAGIC),
            k_version: k32(regmap::HW_VERSION.reset(cfg)),
            k_config0: k32(cfg.config0()),
            k_config1: k32(cfg.config1()),
            command_r: Default::default(),
            flip_flop_r: Default::default(),
            status_tc_r: Default::default(),
            eop_pulse: Default::default(),
            rd_hold: Default::default(),
            rd_err_q: Default::default(),
            rd_was_map: Default::default(),
            wr_ports: Default::default(),
            wr_data_ch: Default::default(),
            mc: Default::default(),
            s_addr_lo: Default::default(),
            s_addr_hi: Default::default(),
            s_count_lo: Default::default(),
            s_count_hi: Default::default(),
            s_mode: Default::default(),
            s_set_mask: Default::default(),
            s_clear_mask: Default::default(),
            s_set_request: Default::default(),
            s_clear_request: Default::default(),
            s_page: Default::default(),
            s_width: Default::default(),
            masks: Default::default(),
            rd_mux: Default::default(),
            rd_word: Default::default(),
            t_word: Default::default(),
            t_page: Default::default(),
            t_mode: Default::default(),
            t_width: Default::default(),
            t_flags: Default::default(),
        }
    }
}

/// Field positions the read multiplexer and strobe decode use as literals (rust-hdl's
/// generator takes no Rust paths), against `mapdma-regmap`: a register-map change that breaks
/// them fails when the hardware is built instead of silently mis-reading.
pub fn check_layout() {
    use regmap::*;
    assert_eq!(ch_config::WIDTH.lsb, 0);
    // Stored mode bits 5:0 are mode byte bits 7:2; CH_CONFIG.MODE shows the byte at 15:8.
    assert_eq!((ch_config::MODE.lsb, mode::TRANSFER.lsb), (8, 2));
    assert_eq!(
        (
            ch_config::MASKED.lsb,
            ch_config::SW_REQUEST.lsb,
            ch_config::HALTED.lsb,
            ch_config::BUSY.lsb
        ),
        (16, 17, 18, 19)
    );
    assert_eq!((status::TC.lsb, status::REQUEST.lsb), (0, 4));
    assert_eq!((request::SET.lsb, single_mask::SET.lsb), (2, 2));
    assert_eq!((request::CHANNEL.lsb, single_mask::CHANNEL.lsb), (0, 0));
    // STATUS is read at COMMAND's port.
    assert_eq!(STATUS.offset, COMMAND.offset);
}

impl Logic for Regs8237 {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            command_r,
            flip_flop_r,
            status_tc_r,
            eop_pulse,
            rd_hold,
            rd_err_q,
            rd_was_map
        );
        self.t_word.next = 0.into();
        self.t_page.next = 0.into();
        self.t_mode.next = 0.into();
        self.t_width.next = 0.into();
        self.t_flags.next = 0.into();

        // ---- Write decode ---------------------------------------------------------------------
        self.wr_ports.next = self.wr.val() & self.w_in_ports.val();
        self.wr_data_ch.next = bits::<4>(1) << self.wd.val().get_bits::<2>(0);
        self.mc.next = self.wr_ports.val() & (self.w_port.val() == self.k_p_master_clear.val());
        self.s_addr_lo.next = 0.into();
        self.s_addr_hi.next = 0.into();
        self.s_count_lo.next = 0.into();
        self.s_count_hi.next = 0.into();
        self.s_mode.next = 0.into();
        self.s_set_mask.next = 0.into();
        self.s_clear_mask.next = 0.into();
        self.s_set_request.next = 0.into();
        self.s_clear_request.next = 0.into();
        // Ports 0–7: address (even) and count (odd) of channel port bits 2:1, byte by flip-flop.
        if self.wr_ports.val() & (self.w_port.val() < 8) {
            if self.w_port.val().get_bit(0) {
                if self.flip_flop_r.q.val() {
                    self.s_count_hi.next = self.w_port_ch.val();
                } else {
                    self.s_count_lo.next = self.w_port_ch.val();
                }
            } else if self.flip_flop_r.q.val() {
                self.s_addr_hi.next = self.w_port_ch.val();
            } else {
                self.s_addr_lo.next = self.w_port_ch.val();
            }
        }
        if self.wr_ports.val() {
            if self.w_port.val() == self.k_p_request.val() {
                if self.wd.val().get_bit(2) {
                    self.s_set_request.next = self.wr_data_ch.val();
                } else {
                    self.s_clear_request.next = self.wr_data_ch.val();
                }
            }
            if self.w_port.val() == self.k_p_single_mask.val() {
                if self.wd.val().get_bit(2) {
                    self.s_set_mask.next = self.wr_data_ch.val();
                } else {
                    self.s_clear_mask.next = self.wr_data_ch.val();
                }
            }
            if self.w_port.val() == self.k_p_mode.val() {
                self.s_mode.next = self.wr_data_ch.val();
            }
            if self.w_port.val() == self.k_p_clear_mask.val() {
                self.s_clear_mask.next = 0xF.into();
            }
            if self.w_port.val() == self.k_p_all_mask.val() {
                self.s_set_mask.next = self.wd.val().get_bits::<4>(0);
                self.s_clear_mask.next = !self.wd.val().get_bits::<4>(0);
            }
        }
        self.master_clear.next = self.mc.val();
        self.wr_addr_lo.next = self.s_addr_lo.val();
        self.wr_addr_hi.next = self.s_addr_hi.val();
        self.wr_count_lo.next = self.s_count_lo.val();
        self.wr_count_hi.next = self.s_count_hi.val();
        self.wr_mode.next = self.s_mode.val();
        self.set_mask.next = self.s_set_mask.val();
        self.clear_mask.next = self.s_clear_mask.val();
        self.set_request.next = self.s_set_request.val();
        self.clear_request.next = self.s_clear_request.val();
        self.s_page.next = 0.into();
        if self.wr.val() & self.w_page.val() {
            self.s_page.next = self.w_arr_ch.val();
        }
        self.s_width.next = 0.into();
        if self.wr.val() & self.w_ch_config.val() {
            self.s_width.next = self.w_arr_ch.val();
        }
        self.wr_page.next = self.s_page.val();
        self.wr_width.next = self.s_width.val();

        // ---- Controller-wide registers -------------------------------------------------------
        if (self.wr_ports.val() & (self.w_port.val() < 8))
            | (self.rd.val() & self.r_in_ports.val() & (self.r_port.val() < 8))
        {
            self.flip_flop_r.d.next = !self.flip_flop_r.q.val();
        }
        if self.wr_ports.val() {
            if self.w_port.val() == self.k_p_clear_ff.val() {
                self.flip_flop_r.d.next = false;
            }
            if self.w_port.val() == self.k_p_command.val() {
                self.command_r.d.next = self.wd.val().get_bits::<8>(0);
            }
        }
        self.status_tc_r.d.next = self.status_tc_r.q.val() | self.tc_events.val();
        // A STATUS read clears the TC bits it returns.
        if self.rd.val() & self.r_in_ports.val() & (self.r_port.val() == self.k_p_command.val()) {
            self.status_tc_r.d.next = self.tc_events.val();
        }
        self.eop_pulse.d.next = self.tc_events.val();
        if self.mc.val() {
            self.command_r.d.next = 0.into();
            self.flip_flop_r.d.next = false;
            self.status_tc_r.d.next = 0.into();
        }
        if self.reset.val() {
            self.command_r.d.next = 0.into();
            self.flip_flop_r.d.next = false;
            self.status_tc_r.d.next = 0.into();
            self.eop_pulse.d.next = 0.into();
        }
        self.cmd_disable.next = (self.command_r.q.val() & self.k_cmd_disable.val()).any();
        self.cmd_rotating.next = (self.command_r.q.val() & self.k_cmd_rotating.val()).any();
        self.cmd_dreq_low.next = (self.command_r.q.val() & self.k_cmd_dreq_low.val()).any();
        self.cmd_dack_high.next = (self.command_r.q.val() & self.k_cmd_dack_high.val()).any();
        self.cmd_mem_to_mem.next = (self.command_r.q.val() & self.k_cmd_mem_to_mem.val()).any();
        self.cmd_ch0_hold.next = (self.command_r.q.val() & self.k_cmd_ch0_hold.val()).any();
        self.flip_flop.next = self.flip_flop_r.q.val();
        self.status_tc.next = self.status_tc_r.q.val();
        self.eop_out.next = self.eop_pulse.q.val();

        // ---- Read multiplexer (sampled in the read-strobe clock) -----------------------------
        self.masks.next = 0xF.into();
        for i in 0..self.ch.len() {
            self.masks.next = self.masks.val().replace_bit(i, self.ch[i].masked.val());
        }
        self.rd_mux.next = 0.into();
        if self.r_in_ports.val() {
            if self.r_port.val() < 8 {
                for i in 0..self.ch.len() {
                    if self.r_port_ch.val().get_bit(i) {
                        self.t_word.next = self.ch[i].cur_addr.val();
                        if self.r_port.val().get_bit(0) {
                            self.t_word.next = self.ch[i].cur_count.val();
                        }
                    }
                }
                self.rd_mux.next = bit_cast::<32, 8>(self.t_word.val().get_bits::<8>(0));
                if self.flip_flop_r.q.val() {
                    self.rd_mux.next = bit_cast::<32, 8>(self.t_word.val().get_bits::<8>(8));
                }
            }
            if self.r_port.val() == self.k_p_command.val() {
                self.rd_mux.next = bit_cast::<32, 4>(self.status_tc_r.q.val())
                    | (bit_cast::<32, 4>(self.requesting.val()) << 4);
            }
            if self.r_port.val() == self.k_p_all_mask.val() {
                self.rd_mux.next = bit_cast::<32, 4>(self.masks.val()) | 0xF0;
            }
            if self.r_port.val() == self.k_p_temporary.val() {
                self.rd_mux.next = self.temporary.val();
            }
        }
        for i in 0..self.ch.len() {
            if self.r_arr_ch.val().get_bit(i) {
                if self.r_page.val() {
                    self.t_page.next = self.ch[i].page.val();
                    self.rd_mux.next = self.rd_mux.val() | bit_cast::<32, 16>(self.t_page.val());
                }
                if self.r_ch_config.val() {
                    self.t_width.next = self.ch[i].width.val();
                    self.t_mode.next = self.ch[i].mode.val();
                    self.t_flags.next = 0.into();
                    self.t_flags.next = self
                        .t_flags
                        .val()
                        .replace_bit(0, self.ch[i].masked.val())
                        .replace_bit(1, self.ch[i].sw_request.val())
                        .replace_bit(2, self.ch[i].halted.val())
                        .replace_bit(3, self.busy.val().get_bit(i));
                    self.rd_mux.next = self.rd_mux.val()
                        | bit_cast::<32, 2>(self.t_width.val())
                        | (bit_cast::<32, 6>(self.t_mode.val()) << 10)
                        | (bit_cast::<32, 4>(self.t_flags.val()) << 16);
                }
            }
        }
        if self.r_id.val() {
            self.rd_mux.next = self.rd_mux.val() | self.k_id.val();
        }
        if self.r_version.val() {
            self.rd_mux.next = self.rd_mux.val() | self.k_version.val();
        }
        if self.r_config0.val() {
            self.rd_mux.next = self.rd_mux.val() | self.k_config0.val();
        }
        if self.r_config1.val() {
            self.rd_mux.next = self.rd_mux.val() | self.k_config1.val();
        }
        self.rd_hold.d.next = self.rd_mux.val() | self.native_rd.val();
        self.rd_err_q.d.next = !self.r_known.val();
        self.rd_was_map.d.next = self.r_map.val();
        self.rd_word.next = self.rd_hold.q.val();
        if self.rd_was_map.q.val() {
            self.rd_word.next = self.map_word.val();
        }
        self.rd_data.next = self.rd_word.val();
        self.rd_err.next = self.rd_err_q.q.val();
    }
}
