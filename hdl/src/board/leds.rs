//! The board's LEDs: one-clock events stretched so that an eye sees them.
//!
//! ```text
//!  bus_error | frame_error ─► stretch (2^20 clocks) ─► led 0 fault
//!  heartbeat counter bit 23 ─────────────────────────► led 1 alive (blinks about once a second)
//!  dma_act ────────────────► stretch ────────────────► led 2 DMA activity
//!  irq (level) ──────────────────────────────────────► led 3 interrupt
//!  uart_act ───────────────► stretch ────────────────► led 4 UART activity
//! ```
//!
//! Why stretch: a bus error or a memory access lasts a clock, some 80 ns; a down-counter
//! reloaded by each event keeps its LED lit for about 90 ms after the last one.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct BoardLeds {
    pub clock: Signal<In, Clock>,
    /// A response that was not OKAY reached the DMA, or the UART saw a framing error.
    pub fault_event: Signal<In, Bit>,
    /// The DMA's port took a read or a write.
    pub dma_act: Signal<In, Bit>,
    /// The interrupt line's level.
    pub irq: Signal<In, Bit>,
    /// A byte was received or sent.
    pub uart_act: Signal<In, Bit>,
    /// fault, alive, DMA activity, interrupt, UART activity (active high).
    pub leds: Signal<Out, Bits<5>>,

    heartbeat: DFF<Bits<24>>,
    act: DFF<Bits<20>>,
    uart: DFF<Bits<20>>,
    fault: DFF<Bits<20>>,
}

impl Logic for BoardLeds {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, heartbeat, act, uart, fault);
        self.heartbeat.d.next = self.heartbeat.q.val() + 1;
        if self.act.q.val().any() {
            self.act.d.next = self.act.q.val() - 1;
        }
        if self.dma_act.val() {
            self.act.d.next = 0xFFFFF.into();
        }
        if self.uart.q.val().any() {
            self.uart.d.next = self.uart.q.val() - 1;
        }
        if self.uart_act.val() {
            self.uart.d.next = 0xFFFFF.into();
        }
        if self.fault.q.val().any() {
            self.fault.d.next = self.fault.q.val() - 1;
        }
        if self.fault_event.val() {
            self.fault.d.next = 0xFFFFF.into();
        }
        self.leds.next = bit_cast::<5, 1>(self.fault.q.val().any().into())
            | (bit_cast::<5, 1>(self.heartbeat.q.val().get_bit(23).into()) << 1)
            | (bit_cast::<5, 1>(self.act.q.val().any().into()) << 2)
            | (bit_cast::<5, 1>(self.irq.val().into()) << 3)
            | (bit_cast::<5, 1>(self.uart.q.val().any().into()) << 4);
    }
}
