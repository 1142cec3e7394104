//! The bus-master port's fault record and interrupt: BM_FAULT, BM_FAULT_ADDR, INT_STATUS.BM_FAULT
//! and INT_ENABLE.BM_FAULT (`mapdma-regmap`), with their read word.
//!
//! ```text
//!  AR lookup fault ─┐
//!  AW lookup fault ─┴─► first since clear? ──► cause, write, addr ──► BM_FAULT, BM_FAULT_ADDR
//!                                                 cause ≠ 0 ──► INT_STATUS.BM_FAULT ─┐
//!  INT_ENABLE.BM_FAULT ──────────────────────────────────────────────────────────────┴─► irq
//! ```
//!
//! Why apart from the channels' fault record (`native_regs`): a refused burst halts nothing (the
//! device got its error response and goes on), so the record only informs software; keeping it
//! here leaves the engine's registers untouched by the port.

use mapdma_regmap as regmap;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct BmFaultRecord {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub r_fault: Signal<In, Bit>,
    pub r_cause: Signal<In, Bits<4>>,
    pub r_addr: Signal<In, Bits<32>>,
    pub w_fault: Signal<In, Bit>,
    pub w_cause: Signal<In, Bits<4>>,
    pub w_addr: Signal<In, Bits<32>>,
    /// Register write of this clock and its decode.
    pub wr: Signal<In, Bit>,
    pub wd: Signal<In, Bits<32>>,
    pub w_int_status: Signal<In, Bit>,
    pub w_int_enable: Signal<In, Bit>,
    /// Register read decode of this clock.
    pub r_int_status: Signal<In, Bit>,
    pub r_int_enable: Signal<In, Bit>,
    pub r_bm_fault: Signal<In, Bit>,
    pub r_bm_fault_addr: Signal<In, Bit>,
    pub rd_data: Signal<Out, Bits<32>>,
    /// Registered: INT_STATUS.BM_FAULT & INT_ENABLE.BM_FAULT.
    pub irq: Signal<Out, Bit>,

    cause: DFF<Bits<4>>,
    write: DFF<Bit>,
    addr: DFF<Bits<32>>,
    enable: DFF<Bit>,
    irq_r: DFF<Bit>,
    clear: Signal<Local, Bit>,
    has_fault: Signal<Local, Bit>,
    rd_mux: Signal<Local, Bits<32>>,
}

/// Field positions used as literals below, against `mapdma-regmap`.
pub fn check_layout() {
    use regmap::*;
    assert_eq!(int_status::BM_FAULT.lsb, 16);
    assert_eq!(int_enable::BM_FAULT.lsb, 16);
    assert_eq!((bm_fault::CAUSE.lsb, bm_fault::WRITE.lsb), (0, 4));
}

impl Logic for BmFaultRecord {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, cause, write, addr, enable, irq_r);
        self.has_fault.next = self.cause.q.val() != 0;
        self.clear.next = self.wr.val() & self.w_int_status.val() & self.wd.val().get_bit(16);
        if self.clear.val() {
            self.cause.d.next = 0.into();
            self.write.d.next = false;
            self.addr.d.next = 0.into();
        } else if self.cause.q.val() == 0 {
            if self.r_fault.val() {
                self.cause.d.next = self.r_cause.val();
                self.write.d.next = false;
                self.addr.d.next = self.r_addr.val();
            } else if self.w_fault.val() {
                self.cause.d.next = self.w_cause.val();
                self.write.d.next = true;
                self.addr.d.next = self.w_addr.val();
            }
        }
        if self.wr.val() & self.w_int_enable.val() {
            self.enable.d.next = self.wd.val().get_bit(16);
        }
        self.irq_r.d.next = self.has_fault.val() & self.enable.q.val();
        if self.reset.val() {
            self.cause.d.next = 0.into();
            self.write.d.next = false;
            self.addr.d.next = 0.into();
            self.enable.d.next = true;
            self.irq_r.d.next = false;
        }
        self.irq.next = self.irq_r.q.val();

        self.rd_mux.next = 0.into();
        if self.r_int_status.val() {
            self.rd_mux.next = bit_cast::<32, 1>(self.has_fault.val().into()) << 16;
        }
        if self.r_int_enable.val() {
            self.rd_mux.next = bit_cast::<32, 1>(self.enable.q.val().into()) << 16;
        }
        if self.r_bm_fault.val() {
            self.rd_mux.next = bit_cast::<32, 4>(self.cause.q.val())
                | (bit_cast::<32, 1>(self.write.q.val().into()) << 4);
        }
        if self.r_bm_fault_addr.val() {
            self.rd_mux.next = self.addr.q.val();
        }
        self.rd_data.next = self.rd_mux.val();
    }
}
