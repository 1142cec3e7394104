//! The native (non-8237) registers: INT_STATUS / INT_ENABLE and the `irq` output, the
//! per-channel fault record (FAULT_CAUSE, FAULT_ADDR) and the snapshot registers (SNAP_COUNT,
//! SNAP_ADDR, SNAP_INFLIGHT), with their read word.
//!
//! ```text
//!  issue-stage fault ─┐                         ┌─► halt[c] / unhalt[c] ──► channel c
//!  bus faults (R, B) ─┴─► first fault of c? ────┴─► FAULT_CAUSE[c], FAULT_ADDR[c], INT.FAULT
//!  tc_events ──────────────────────────────────────► INT.TC ─┐
//!  INT_ENABLE ───────────────────────────────────────────────┴─► irq (registered)
//!  SNAP_COUNT read ──► latch SNAP_ADDR[c], SNAP_INFLIGHT[c] in the read clock
//! ```
//!
//! Why a block of its own: these registers describe the engine's outcome (interrupts, faults,
//! snapshots) rather than 8237 state, and their write side effects (a fault clear releases the
//! channel) feed back into the channels, so they sit between the engine and the register file.

use mapdma_regmap as regmap;
use rust_hdl::prelude::*;

/// The channel registers the fault record and snapshots read.
#[derive(LogicInterface, Default)]
pub struct ChannelPosition {
    pub cur_addr: Signal<In, Bits<16>>,
    pub cur_count: Signal<In, Bits<16>>,
    pub page: Signal<In, Bits<16>>,
    pub passes: Signal<In, Bits<16>>,
}

#[derive(LogicBlock)]
pub struct NativeRegs {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// The register write of this clock and its decode (INT_STATUS, INT_ENABLE).
    pub wr: Signal<In, Bit>,
    pub wd: Signal<In, Bits<32>>,
    pub w_int_status: Signal<In, Bit>,
    pub w_int_enable: Signal<In, Bit>,
    /// The register read strobed this clock and its decode.
    pub rd: Signal<In, Bit>,
    pub r_arr_ch: Signal<In, Bits<4>>,
    pub r_pair_ch: Signal<In, Bits<4>>,
    pub r_fault_addr: Signal<In, Bit>,
    pub r_snap_count: Signal<In, Bit>,
    pub r_snap_addr: Signal<In, Bit>,
    pub r_snap_inflight: Signal<In, Bit>,
    pub r_int_status: Signal<In, Bit>,
    pub r_int_enable: Signal<In, Bit>,
    pub r_fault_cause: Signal<In, Bit>,

    pub ch: Vec<ChannelPosition>,
    /// Terminal count or external EOP per channel, this clock.
    pub tc_events: Signal<In, Bits<4>>,
    /// The issue-stage unit faults (translation): its channel (one-hot), logical address and
    /// cause.
    pub unit_fault: Signal<In, Bit>,
    pub unit_onehot: Signal<In, Bits<4>>,
    pub unit_logical: Signal<In, Bits<32>>,
    pub unit_cause: Signal<In, Bits<4>>,
    /// Bus errors reported by `responses` (one-hot channel, address register, response code).
    pub r_fault: Signal<In, Bits<4>>,
    pub r_fault_addr_in: Signal<In, Bits<16>>,
    pub r_fault_resp: Signal<In, Bits<2>>,
    pub w_fault: Signal<In, Bits<4>>,
    pub w_fault_addr_in: Signal<In, Bits<16>>,
    pub w_fault_resp: Signal<In, Bits<2>>,
    /// Units in flight per channel (8 bits each), from `responses`.
    pub inflight: Signal<In, Bits<32>>,

    /// A channel latches its first fault (halt it) / software clears its fault (release it).
    pub fault_new: Signal<Out, Bits<4>>,
    pub fault_clear: Signal<Out, Bits<4>>,
    pub irq: Signal<Out, Bit>,
    /// INT_STATUS.TC, for the formal properties (`formal/`).
    pub int_tc: Signal<Out, Bits<4>>,
    /// The read word of this clock's read (zero unless one of these registers is read).
    pub rd_data: Signal<Out, Bits<32>>,

    k_channel_mask: Constant<Bits<4>>,

    int_tc_r: DFF<Bits<4>>,
    int_fault: DFF<Bits<4>>,
    en_tc: DFF<Bits<4>>,
    en_fault: DFF<Bits<4>>,
    irq_r: DFF<Bit>,
    fault_cause: Vec<DFF<Bits<4>>>,
    fault_addr: Vec<DFF<Bits<32>>>,
    snap_addr: Vec<DFF<Bits<32>>>,
    /// Zero-extended to 32 bits (the upper bits are constant and synthesize away).
    snap_inflight: Vec<DFF<Bits<32>>>,

    // Combinational scratch (rust-hdl kernels have no `let`).
    f_new: Signal<Local, Bits<4>>,
    f_clear: Signal<Local, Bits<4>>,
    rd_mux: Signal<Local, Bits<32>>,
    fault_word: Signal<Local, Bits<32>>,
    fault_shift: Signal<Local, Bits<5>>,
    /// The in-flight counts shifted so the loop's channel is bits 7:0.
    t_inflight: Signal<Local, Bits<32>>,
    t_page: Signal<Local, Bits<16>>,
    t_word: Signal<Local, Bits<16>>,
    t_cause: Signal<Local, Bits<4>>,
}

impl NativeRegs {
    pub fn new(channels: usize) -> Self {
        check_layout();
        NativeRegs {
            clock: Default::default(),
            reset: Default::default(),
            wr: Default::default(),
            wd: Default::default(),
            w_int_status: Default::default(),
            w_int_enable: Default::default(),
            rd: Default::default(),
            r_arr_ch: Default::default(),
            r_pair_ch: Default::default(),
            r_fault_addr: Default::default(),
            r_snap_count: Default::default(),
            r_snap_addr: Default::default(),
            r_snap_inflight: Default::default(),
            r_int_status: Default::default(),
            r_int_enable: Default::default(),
            r_fault_cause: Default::default(),
            ch: (0..channels).map(|_| ChannelPosition::default()).collect(),
            tc_events: Default::default(),
            unit_fault: Default::default(),
            unit_onehot: Default::default(),
            unit_logical: Default::default(),
            unit_cause: Default::default(),
            r_fault: Default::default(),
            r_fault_addr_in: Default::default(),
            r_fault_resp: Default::default(),
            w_fault: Default::default(),
            w_fault_addr_in: Default::default(),
            w_fault_resp: Default::default(),
            inflight: Default::default(),
            fault_new: Default::default(),
            fault_clear: Default::default(),
            irq: Default::default(),
            int_tc: Default::default(),
            rd_data: Default::default(),
            k_channel_mask: Constant::new(((1u64 << channels) - 1).to_bits()),
            int_tc_r: Default::default(),
            int_fault: Default::default(),
            en_tc: Default::default(),
            en_fault: Default::default(),
            irq_r: Default::default(),
            fault_cause: (0..channels).map(|_| DFF::default()).collect(),
            fault_addr: (0..channels).map(|_| DFF::default()).collect(),
            snap_addr: (0..channels).map(|_| DFF::default()).collect(),
            snap_inflight: (0..channels).map(|_| DFF::default()).collect(),
            f_new: Default::default(),
            f_clear: Default::default(),
            rd_mux: Default::default(),
            fault_word: Default::default(),
            fault_shift: Default::default(),
            t_inflight: Default::default(),
            t_page: Default::default(),
            t_word: Default::default(),
            t_cause: Default::default(),
        }
    }
}

/// Field positions this block uses as literals (rust-hdl's generator takes no Rust paths),
/// against `mapdma-regmap`.
pub fn check_layout() {
    use regmap::*;
    assert_eq!((int_status::TC.lsb, int_status::FAULT.lsb), (0, 8));
    assert_eq!((int_enable::TC.lsb, int_enable::FAULT.lsb), (0, 8));
    assert_eq!((snap_count::COUNT.lsb, snap_count::PASSES.lsb), (0, 16));
    assert_eq!(FAULT_CAUSE_BITS, 4);
    // Bus errors are latched as the AXI response code + 2 (SLVERR = 2, DECERR = 3).
    assert_eq!(FaultCause::SlaveError as u32, 2 + 2);
    assert_eq!(FaultCause::DecodeError as u32, 3 + 2);
}

impl Logic for NativeRegs {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, int_tc_r, int_fault, en_tc, en_fault, irq_r);
        self.t_page.next = 0.into();
        self.t_word.next = 0.into();
        self.t_cause.next = 0.into();

        // ---- Faults: the first fault of a channel is latched; INT_STATUS.FAULT[c] = 1 clears.
        self.f_clear.next = 0.into();
        if self.wr.val() & self.w_int_status.val() {
            self.f_clear.next = self.wd.val().get_bits::<4>(8) & self.k_channel_mask.val();
        }
        self.f_new.next = 0.into();
        self.t_inflight.next = self.inflight.val();
        for i in 0..self.ch.len() {
            self.fault_cause[i].clock.next = self.clock.val();
            self.fault_addr[i].clock.next = self.clock.val();
            self.snap_addr[i].clock.next = self.clock.val();
            self.snap_inflight[i].clock.next = self.clock.val();
            self.fault_cause[i].d.next = self.fault_cause[i].q.val();
            self.fault_addr[i].d.next = self.fault_addr[i].q.val();
            self.snap_addr[i].d.next = self.snap_addr[i].q.val();
            self.snap_inflight[i].d.next = self.snap_inflight[i].q.val();
            if self.f_clear.val().get_bit(i) {
                self.fault_cause[i].d.next = 0.into();
                self.fault_addr[i].d.next = 0.into();
            } else if self.fault_cause[i].q.val() == 0 {
                if self.unit_fault.val() & self.unit_onehot.val().get_bit(i) {
                    self.f_new.next = self.f_new.val().replace_bit(i, true);
                    self.fault_addr[i].d.next = self.unit_logical.val();
                    self.fault_cause[i].d.next = self.unit_cause.val();
                } else if self.r_fault.val().get_bit(i) {
                    self.f_new.next = self.f_new.val().replace_bit(i, true);
                    self.t_page.next = self.ch[i].page.val();
                    self.fault_addr[i].d.next = (bit_cast::<32, 16>(self.t_page.val()) << 16)
                        | bit_cast::<32, 16>(self.r_fault_addr_in.val());
                    // Bus errors are latched as the AXI response code + 2 (`check_layout`).
                    self.fault_cause[i].d.next = bit_cast::<4, 2>(self.r_fault_resp.val()) + 2;
                } else if self.w_fault.val().get_bit(i) {
                    self.f_new.next = self.f_new.val().replace_bit(i, true);
                    self.t_page.next = self.ch[i].page.val();
                    self.fault_addr[i].d.next = (bit_cast::<32, 16>(self.t_page.val()) << 16)
                        | bit_cast::<32, 16>(self.w_fault_addr_in.val());
                    self.fault_cause[i].d.next = bit_cast::<4, 2>(self.w_fault_resp.val()) + 2;
                }
            }
            // A SNAP_COUNT read latches the channel's address and units in flight.
            if self.rd.val() & self.r_snap_count.val() & self.r_pair_ch.val().get_bit(i) {
                self.t_page.next = self.ch[i].page.val();
                self.t_word.next = self.ch[i].cur_addr.val();
                self.snap_addr[i].d.next = (bit_cast::<32, 16>(self.t_page.val()) << 16)
                    | bit_cast::<32, 16>(self.t_word.val());
                self.snap_inflight[i].d.next = self.t_inflight.val() & 0xFF;
            }
            self.t_inflight.next = self.t_inflight.val() >> 8;
            if self.reset.val() {
                self.fault_addr[i].d.next = 0.into();
                self.snap_addr[i].d.next = 0.into();
                self.snap_inflight[i].d.next = 0.into();
                self.fault_cause[i].d.next = 0.into();
            }
        }
        self.fault_new.next = self.f_new.val();
        self.fault_clear.next = self.f_clear.val();

        // ---- Interrupts ------------------------------------------------------------------------
        self.int_tc_r.d.next = self.int_tc_r.q.val() | self.tc_events.val();
        self.int_fault.d.next = (self.int_fault.q.val() & !self.f_clear.val()) | self.f_new.val();
        if self.wr.val() & self.w_int_status.val() {
            self.int_tc_r.d.next =
                (self.int_tc_r.q.val() & !self.wd.val().get_bits::<4>(0)) | self.tc_events.val();
        }
        if self.wr.val() & self.w_int_enable.val() {
            self.en_tc.d.next = self.wd.val().get_bits::<4>(0) & self.k_channel_mask.val();
            self.en_fault.d.next = self.wd.val().get_bits::<4>(8) & self.k_channel_mask.val();
        }
        self.irq_r.d.next = ((self.int_tc_r.q.val() & self.en_tc.q.val())
            | (self.int_fault.q.val() & self.en_fault.q.val()))
        .any();
        if self.reset.val() {
            self.int_tc_r.d.next = 0.into();
            self.int_fault.d.next = 0.into();
            self.en_tc.d.next = 0.into();
            // Fault interrupts are enabled after reset for every configured channel.
            self.en_fault.d.next = self.k_channel_mask.val();
            self.irq_r.d.next = false;
        }
        self.irq.next = self.irq_r.q.val();
        self.int_tc.next = self.int_tc_r.q.val();

        // ---- Read word -------------------------------------------------------------------------
        self.fault_word.next = 0.into();
        self.fault_shift.next = 0.into();
        self.rd_mux.next = 0.into();
        for i in 0..self.ch.len() {
            self.t_cause.next = self.fault_cause[i].q.val();
            self.fault_word.next = self.fault_word.val()
                | (bit_cast::<32, 4>(self.t_cause.val()) << self.fault_shift.val());
            self.fault_shift.next = self.fault_shift.val() + 4;
            if self.r_arr_ch.val().get_bit(i) {
                if self.r_fault_addr.val() {
                    self.rd_mux.next = self.rd_mux.val() | self.fault_addr[i].q.val();
                }
                if self.r_snap_inflight.val() {
                    self.rd_mux.next = self.rd_mux.val() | self.snap_inflight[i].q.val();
                }
            }
            if self.r_pair_ch.val().get_bit(i) {
                if self.r_snap_count.val() {
                    self.t_word.next = self.ch[i].cur_count.val();
                    self.t_page.next = self.ch[i].passes.val();
                    self.rd_mux.next = self.rd_mux.val()
                        | bit_cast::<32, 16>(self.t_word.val())
                        | (bit_cast::<32, 16>(self.t_page.val()) << 16);
                }
                if self.r_snap_addr.val() {
                    self.rd_mux.next = self.rd_mux.val() | self.snap_addr[i].q.val();
                }
            }
        }
        if self.r_int_status.val() {
            self.rd_mux.next = self.rd_mux.val()
                | bit_cast::<32, 4>(self.int_tc_r.q.val())
                | (bit_cast::<32, 4>(self.int_fault.q.val()) << 8);
        }
        if self.r_int_enable.val() {
            self.rd_mux.next = self.rd_mux.val()
                | bit_cast::<32, 4>(self.en_tc.q.val())
                | (bit_cast::<32, 4>(self.en_fault.q.val()) << 8);
        }
        if self.r_fault_cause.val() {
            self.rd_mux.next = self.rd_mux.val() | self.fault_word.val();
        }
        self.rd_data.next = self.rd_mux.val();
    }
}
