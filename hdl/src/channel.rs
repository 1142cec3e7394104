//! One 8237 channel: base/current address and count, page, mode, mask, software request,
//! unit width, pass counter and fault halt.
//!
//! Its outputs depend on its registers only (no input-to-output path, so simulators order it
//! cleanly). It holds no unit arithmetic: the engine keeps the working copy of the unit it
//! issues (address, count, terminal count) and computes the following unit itself (base and
//! base count at an auto-initialize terminal count), so auto-initialize is gap-free; the
//! channel loads the new address and count (`advance`, `next_addr`, `next_count`) the clock
//! after the unit commits, as one register stage off the commit decision.

use mapdma_regmap as regmap;
use rust_hdl::prelude::*;

/// The mode byte is stored without its channel-select bits (stored bit 0 = mode byte bit 2);
/// the fields below are decoded here with positions taken from `mapdma-regmap`'s MODE.
fn stored_lsb(f: regmap::Field) -> u64 {
    (f.lsb - regmap::mode::TRANSFER.lsb) as u64
}

#[derive(LogicBlock)]
pub struct Channel {
    pub clock: Signal<In, Clock>,
    /// Hardware reset: everything cleared, mask set.
    pub reset: Signal<In, Bit>,
    /// Master clear: mask set, software request cleared (8237 port 13).
    pub master_clear: Signal<In, Bit>,

    /// Register-write strobes from the controller's decode; `wr_byte`/`wr_data` carry the value.
    pub wr_addr_lo: Signal<In, Bit>,
    pub wr_addr_hi: Signal<In, Bit>,
    pub wr_count_lo: Signal<In, Bit>,
    pub wr_count_hi: Signal<In, Bit>,
    pub wr_byte: Signal<In, Bits<8>>,
    pub wr_page: Signal<In, Bit>,
    pub wr_mode: Signal<In, Bit>,
    pub wr_width: Signal<In, Bit>,
    pub wr_data: Signal<In, Bits<16>>,
    pub set_mask: Signal<In, Bit>,
    pub clear_mask: Signal<In, Bit>,
    pub set_request: Signal<In, Bit>,
    pub clear_request: Signal<In, Bit>,
    /// Stop the channel (a fault was latched) / release it (the fault was cleared).
    pub halt: Signal<In, Bit>,
    pub unhalt: Signal<In, Bit>,

    /// Apply the unit committed last clock at the current address (one memory access issued,
    /// or a verify unit): load `next_addr`/`next_count`; `advance_tc`: it was the
    /// terminal-count unit.
    pub advance: Signal<In, Bit>,
    pub advance_tc: Signal<In, Bit>,
    /// The address and count after the unit (current ± unit size, count − 1), computed once by
    /// the engine: only one channel moves a unit per clock, as on the 8237.
    pub next_addr: Signal<In, Bits<16>>,
    pub next_count: Signal<In, Bits<16>>,
    /// External EOP: terminal-count actions without moving a unit.
    pub eop: Signal<In, Bit>,

    pub cur_addr: Signal<Out, Bits<16>>,
    pub cur_count: Signal<Out, Bits<16>>,
    pub page: Signal<Out, Bits<16>>,
    /// Stored mode bits 5:0 (= mode byte bits 7:2), and its decoded fields: transfer type
    /// (`regmap::TransferType`), service mode (`regmap::ServiceMode`), address decrement.
    pub mode: Signal<Out, Bits<6>>,
    pub transfer: Signal<Out, Bits<2>>,
    pub service: Signal<Out, Bits<2>>,
    pub decrement: Signal<Out, Bit>,
    pub width: Signal<Out, Bits<2>>,
    pub masked: Signal<Out, Bit>,
    pub sw_request: Signal<Out, Bit>,
    pub halted: Signal<Out, Bit>,
    pub passes: Signal<Out, Bits<16>>,
    /// The current unit is the terminal-count unit (count is 0).
    pub at_tc: Signal<Out, Bit>,
    /// Base address and count (`reload_count`), and auto-initialize: where the next unit is after a terminal
    /// count.
    pub base: Signal<Out, Bits<16>>,
    pub reload_count: Signal<Out, Bits<16>>,
    pub autoinit: Signal<Out, Bit>,
    /// Registered summaries of the registers above, for the engine's commit decision (one
    /// flip-flop instead of a decode of mask, halt and mode in front of it; DESIGN §6):
    /// `runs` = not masked, not halted, not cascade mode; `stopped` = masked or halted.
    /// Each is loaded with the next state of the registers it summarizes, so it always equals
    /// that decode of them.
    pub runs: Signal<Out, Bit>,
    pub stopped: Signal<Out, Bit>,

    page_mask: Constant<Bits<16>>,
    k_transfer_lsb: Constant<Bits<3>>,
    k_service_lsb: Constant<Bits<3>>,
    k_autoinit: Constant<Bits<6>>,
    k_decrement: Constant<Bits<6>>,
    k_cascade: Constant<Bits<2>>,
    base_addr: DFF<Bits<16>>,
    addr: DFF<Bits<16>>,
    base_count: DFF<Bits<16>>,
    count: DFF<Bits<16>>,
    page_r: DFF<Bits<16>>,
    mode_r: DFF<Bits<6>>,
    width_r: DFF<Bits<2>>,
    mask_r: DFF<Bit>,
    request_r: DFF<Bit>,
    halted_r: DFF<Bit>,
    passes_r: DFF<Bits<16>>,
    runs_r: DFF<Bit>,
    stopped_r: DFF<Bit>,
    /// The next state of mask, halt and mode (what their flip-flops load), which `runs_r` and
    /// `stopped_r` summarize.
    mask_nx: Signal<Local, Bit>,
    halted_nx: Signal<Local, Bit>,
    mode_nx: Signal<Local, Bits<6>>,
    service_nx: Signal<Local, Bits<6>>,
    autoinit_v: Signal<Local, Bit>,
    /// Address and count after the applied unit (what a byte write in the same clock keeps),
    /// terminal-count actions this clock, and the pass counter's increment (2 when an EOP
    /// arrives in the clock a terminal-count unit is applied: two events).
    addr_after: Signal<Local, Bits<16>>,
    count_after: Signal<Local, Bits<16>>,
    tc_action: Signal<Local, Bit>,
    passes_inc: Signal<Local, Bits<16>>,
    /// Auto-initialize again, for the next-state logic only: a local shared with the outputs
    /// would tie the outputs to the inputs in Verilator's eyes (UNOPTFLAT).
    reload: Signal<Local, Bit>,
    transfer_v: Signal<Local, Bits<6>>,
    service_v: Signal<Local, Bits<6>>,
}

impl Channel {
    /// A channel whose page register holds `page_bits` bits (logical address bits − 16).
    pub fn new(page_bits: u32) -> Self {
        // A mode write stores mode byte bits 7:2 (`wr_data.get_bits::<6>(2)` below).
        assert_eq!(regmap::mode::TRANSFER.lsb, 2);
        assert_eq!(regmap::mode::CHANNEL.lsb, 0);
        let page_mask = if page_bits >= 16 {
            0xFFFF
        } else {
            (1u64 << page_bits) - 1
        };
        Channel {
            clock: Default::default(),
            reset: Default::default(),
            master_clear: Default::default(),
            wr_addr_lo: Default::default(),
            wr_addr_hi: Default::default(),
            wr_count_lo: Default::default(),
            wr_count_hi: Default::default(),
            wr_byte: Default::default(),
            wr_page: Default::default(),
            wr_mode: Default::default(),
            wr_width: Default::default(),
            wr_data: Default::default(),
            set_mask: Default::default(),
            clear_mask: Default::default(),
            set_request: Default::default(),
            clear_request: Default::default(),
            halt: Default::default(),
            unhalt: Default::default(),
            advance: Default::default(),
            advance_tc: Default::default(),
            next_addr: Default::default(),
            next_count: Default::default(),
            eop: Default::default(),
            cur_addr: Default::default(),
            cur_count: Default::default(),
            page: Default::default(),
            mode: Default::default(),
            transfer: Default::default(),
            service: Default::default(),
            decrement: Default::default(),
            width: Default::default(),
            masked: Default::default(),
            sw_request: Default::default(),
            halted: Default::default(),
            passes: Default::default(),
            at_tc: Default::default(),
            base: Default::default(),
            reload_count: Default::default(),
            autoinit: Default::default(),
            runs: Default::default(),
            stopped: Default::default(),
            page_mask: Constant::new(page_mask.to_bits()),
            k_transfer_lsb: Constant::new(stored_lsb(regmap::mode::TRANSFER).to_bits()),
            k_service_lsb: Constant::new(stored_lsb(regmap::mode::MODE).to_bits()),
            k_autoinit: Constant::new((1u64 << stored_lsb(regmap::mode::AUTOINIT)).to_bits()),
            k_decrement: Constant::new((1u64 << stored_lsb(regmap::mode::DECREMENT)).to_bits()),
            k_cascade: Constant::new((regmap::ServiceMode::Cascade as u64).to_bits()),
            base_addr: Default::default(),
            addr: Default::default(),
            base_count: Default::default(),
            count: Default::default(),
            page_r: Default::default(),
            mode_r: Default::default(),
            width_r: Default::default(),
            mask_r: DFF::default(),
            request_r: Default::default(),
            halted_r: Default::default(),
            passes_r: Default::default(),
            runs_r: Default::default(),
            stopped_r: Default::default(),
            mask_nx: Default::default(),
            halted_nx: Default::default(),
            mode_nx: Default::default(),
            service_nx: Default::default(),
            autoinit_v: Default::default(),
            addr_after: Default::default(),
            count_after: Default::default(),
            tc_action: Default::default(),
            passes_inc: Default::default(),
            reload: Default::default(),
            transfer_v: Default::default(),
            service_v: Default::default(),
        }
    }
}

impl Logic for Channel {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, base_addr, addr, base_count, count, page_r, mode_r, width_r, mask_r,
            request_r, halted_r, passes_r, runs_r, stopped_r
        );
        self.mask_nx.next = self.mask_r.q.val();
        self.halted_nx.next = self.halted_r.q.val();
        self.mode_nx.next = self.mode_r.q.val();

        self.at_tc.next = self.count.q.val() == 0;
        self.base.next = self.base_addr.q.val();
        self.autoinit_v.next = (self.mode_r.q.val() & self.k_autoinit.val()).any();
        self.autoinit.next = self.autoinit_v.val();
        self.transfer_v.next = self.mode_r.q.val() >> self.k_transfer_lsb.val();
        self.service_v.next = self.mode_r.q.val() >> self.k_service_lsb.val();
        self.transfer.next = self.transfer_v.val().get_bits::<2>(0);
        self.service.next = self.service_v.val().get_bits::<2>(0);
        self.decrement.next = (self.mode_r.q.val() & self.k_decrement.val()).any();
        self.reload_count.next = self.base_count.q.val();

        // The unit committed last clock: load the engine's address and count; at terminal
        // count, or at an external EOP (also in the same clock, after the unit), reload
        // (auto-initialize) or mask.
        self.reload.next = (self.mode_r.q.val() & self.k_autoinit.val()).any();
        self.addr_after.next = self.addr.q.val();
        self.count_after.next = self.count.q.val();
        if self.advance.val() {
            self.addr_after.next = self.next_addr.val();
            self.count_after.next = self.next_count.val();
        }
        self.tc_action.next = (self.advance.val() & self.advance_tc.val()) | self.eop.val();
        if self.tc_action.val() & self.reload.val() {
            self.addr_after.next = self.base_addr.q.val();
            self.count_after.next = self.base_count.q.val();
        }
        self.addr.d.next = self.addr_after.val();
        self.count.d.next = self.count_after.val();
        self.passes_inc.next = 1.into();
        if self.advance.val() & self.advance_tc.val() & self.eop.val() {
            self.passes_inc.next = 2.into();
        }
        if self.tc_action.val() {
            self.passes_r.d.next = self.passes_r.q.val() + self.passes_inc.val();
            self.request_r.d.next = false;
            if !self.reload.val() {
                self.mask_nx.next = true;
            }
        }

        // Register writes (the controller never commits a unit in a register-write clock, but
        // one may meet the clock its unit is applied: the write comes after the unit).
        // Address/count writes load one byte into base *and* current; each keeps its own other
        // byte (as the 8237's paired byte registers do).
        if self.wr_addr_lo.val() {
            self.base_addr.d.next =
                (self.base_addr.q.val() & 0xFF00) | bit_cast::<16, 8>(self.wr_byte.val());
            self.addr.d.next =
                (self.addr_after.val() & 0xFF00) | bit_cast::<16, 8>(self.wr_byte.val());
        }
        if self.wr_addr_hi.val() {
            self.base_addr.d.next =
                (self.base_addr.q.val() & 0x00FF) | (bit_cast::<16, 8>(self.wr_byte.val()) << 8);
            self.addr.d.next =
                (self.addr_after.val() & 0x00FF) | (bit_cast::<16, 8>(self.wr_byte.val()) << 8);
        }
        if self.wr_count_lo.val() {
            self.base_count.d.next =
                (self.base_count.q.val() & 0xFF00) | bit_cast::<16, 8>(self.wr_byte.val());
            self.count.d.next =
                (self.count_after.val() & 0xFF00) | bit_cast::<16, 8>(self.wr_byte.val());
            self.passes_r.d.next = 0.into();
        }
        if self.wr_count_hi.val() {
            self.base_count.d.next =
                (self.base_count.q.val() & 0x00FF) | (bit_cast::<16, 8>(self.wr_byte.val()) << 8);
            self.count.d.next =
                (self.count_after.val() & 0x00FF) | (bit_cast::<16, 8>(self.wr_byte.val()) << 8);
            self.passes_r.d.next = 0.into();
        }
        if self.wr_page.val() {
            self.page_r.d.next = self.wr_data.val() & self.page_mask.val();
        }
        if self.wr_mode.val() {
            self.mode_nx.next = self.wr_data.val().get_bits::<6>(2);
        }
        if self.wr_width.val() {
            self.width_r.d.next = self.wr_data.val().get_bits::<2>(0);
        }
        if self.set_mask.val() {
            self.mask_nx.next = true;
        }
        if self.clear_mask.val() {
            self.mask_nx.next = false;
        }
        if self.set_request.val() {
            self.request_r.d.next = true;
        }
        if self.clear_request.val() {
            self.request_r.d.next = false;
        }
        if self.halt.val() {
            self.halted_nx.next = true;
        }
        if self.unhalt.val() {
            self.halted_nx.next = false;
        }
        if self.master_clear.val() {
            self.mask_nx.next = true;
            self.request_r.d.next = false;
        }
        if self.reset.val() {
            self.base_addr.d.next = 0.into();
            self.addr.d.next = 0.into();
            self.base_count.d.next = 0.into();
            self.count.d.next = 0.into();
            self.page_r.d.next = 0.into();
            self.mode_nx.next = 0.into();
            self.width_r.d.next = 0.into();
            self.mask_nx.next = true;
            self.request_r.d.next = false;
            self.halted_nx.next = false;
            self.passes_r.d.next = 0.into();
        }

        self.mask_r.d.next = self.mask_nx.val();
        self.halted_r.d.next = self.halted_nx.val();
        self.mode_r.d.next = self.mode_nx.val();
        self.service_nx.next = self.mode_nx.val() >> self.k_service_lsb.val();
        self.runs_r.d.next = !self.mask_nx.val()
            & !self.halted_nx.val()
            & (self.service_nx.val().get_bits::<2>(0) != self.k_cascade.val());
        self.stopped_r.d.next = self.mask_nx.val() | self.halted_nx.val();

        self.cur_addr.next = self.addr.q.val();
        self.cur_count.next = self.count.q.val();
        self.page.next = self.page_r.q.val();
        self.mode.next = self.mode_r.q.val();
        self.width.next = self.width_r.q.val();
        self.masked.next = self.mask_r.q.val();
        self.sw_request.next = self.request_r.q.val();
        self.halted.next = self.halted_r.q.val();
        self.passes.next = self.passes_r.q.val();
        self.runs.next = self.runs_r.q.val();
        self.stopped.next = self.stopped_r.q.val();
    }
}
