//! The per-channel device interface: DREQ/DACK, a stream in each direction, EOP in and out.

use rust_hdl::prelude::*;

#[derive(LogicInterface, Default)]
pub struct DevicePort {
    /// DMA request (polarity per COMMAND.DREQ_SENSE_LOW).
    pub dreq: Signal<In, Bit>,
    /// DMA acknowledge (polarity per COMMAND.DACK_SENSE_HIGH; active low after reset).
    pub dack: Signal<Out, Bit>,
    /// Device → DMA units (write transfers), unit in the low bits.
    pub src_data: Signal<In, Bits<32>>,
    pub src_valid: Signal<In, Bit>,
    pub src_ready: Signal<Out, Bit>,
    /// DMA → device units (read transfers), unit in the low bits, upper bits zero.
    pub snk_data: Signal<Out, Bits<32>>,
    pub snk_valid: Signal<Out, Bit>,
    pub snk_ready: Signal<In, Bit>,
    /// The unit on `snk` is the one that reached terminal count.
    pub snk_last: Signal<Out, Bit>,
    /// External end of process (active high).
    pub eop_in: Signal<In, Bit>,
    /// One-clock pulse at terminal count or external EOP.
    pub eop_out: Signal<Out, Bit>,
    /// One-clock pulse in the clock a unit of the channel commits, whatever its direction: a
    /// write transfer's unit is taken from `src` in it, a read transfer's data follows on `snk`
    /// later. DACK alone cannot tell a device how many units are still owed to it (DACK stays
    /// active while a unit waits for the bus, and across back-to-back units), so a device that
    /// wants an exact number of units counts these.
    pub moved: Signal<Out, Bit>,
}
