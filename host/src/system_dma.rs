//! What only system-DMA adapters do with their 8237 channel: program it (`map_transfer`),
//! stop it (`flush_adapter_buffers`) and read its counter (`ReadDmaCounter`).

use mapdma_regmap::{self as rm, ChannelProgram, ServiceMode, TransferType};

use crate::adapter::DmaAdapter;
use crate::error::{DmaError, Result};
use crate::hal::{ChannelKey, HalState};

/// `ReadDmaCounter` with the pass counter: enough to tell "not started" from "just wrapped".
///
/// Every figure is about *landed* units: a unit counts as done when its memory access has
/// completed (device → memory: the write response is back, so the bytes are in memory; memory →
/// device: the device has the data, so the ring slot may be refilled). The controller's own
/// count runs ahead by the units in flight ([`DmaCounter::in_flight`]); see
/// [`crate::counter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaCounter {
    /// Bytes of the current pass not yet landed (what `read_dma_counter` returns).
    pub remaining: u32,
    /// Passes whose every unit has landed since `map_transfer` programmed the channel
    /// (16-bit, wraps).
    pub passes: u16,
    /// Bytes per pass (the length `map_transfer` mapped).
    pub transfer_length: u32,
    /// Logical address of the first byte not yet landed.
    pub logical_address: u32,
    /// Bytes the controller has counted (issued) that had not landed at the snapshot.
    pub in_flight: u32,
}

impl DmaCounter {
    /// Bytes done in the current pass.
    pub fn done_in_pass(&self) -> u32 {
        self.transfer_length - self.remaining
    }
}

impl DmaAdapter {
    /// Programs the 8237 the way an ISA HAL does, masked throughout, unmasked last.
    pub(crate) fn program_channel(
        &self,
        st: &mut HalState,
        c: usize,
        transfer: TransferType,
        logical: u32,
        units: usize,
    ) -> Result<()> {
        let cfg = self.hal().cfg();
        let d = &self.inner.description;
        let program = ChannelProgram {
            channel: c,
            transfer,
            auto_initialize: d.auto_initialize,
            decrement: false,
            service: if d.uses_demand_mode() {
                ServiceMode::Demand
            } else {
                ServiceMode::Single
            },
            width: self.inner.unit(),
            logical,
            units: units as u32,
        };
        // A stale TC or fault of an earlier transfer must not be mistaken for this one's.
        st.take_serviced_fault(c);
        let bit = 1 << c;
        let clear_status = (
            rm::INT_STATUS.offset,
            rm::int_status::TC.put(&cfg, bit) | rm::int_status::FAULT.put(&cfg, bit),
        );
        // Chained, not pushed: growing the program's vector cost a reallocation per transfer.
        let writes = program.writes(&cfg).into_iter();
        for (offset, value) in writes.chain([clear_status, program.unmask(&cfg)]) {
            st.wr(offset, value)?;
        }
        Ok(())
    }

    /// Masks channel `c`, waits for its in-flight units, collects and clears its fault.
    pub(crate) fn stop_channel(
        &self,
        st: &mut HalState,
        c: usize,
    ) -> Result<Option<(rm::FaultCause, u32)>> {
        const BUSY_POLLS: usize = 100_000;
        let cfg = self.hal().cfg();
        let (offset, value) = ChannelProgram::mask(&cfg, c);
        st.wr(offset, value)?;
        let mut idle = false;
        for _ in 0..BUSY_POLLS {
            if rm::ch_config::BUSY.get(&cfg, st.rd(rm::CH_CONFIG.at(c))?) == 0 {
                idle = true;
                break;
            }
        }
        if !idle {
            return Err(DmaError::Timeout(
                "units still in flight after masking the channel",
            ));
        }
        let causes = st.rd(rm::FAULT_CAUSE.offset)?;
        let code =
            (causes >> (c as u32 * rm::FAULT_CAUSE_BITS)) & ((1 << rm::FAULT_CAUSE_BITS) - 1);
        let cause = rm::FaultCause::from_code(code).unwrap_or(rm::FaultCause::None);
        let mut fault = None;
        if cause != rm::FaultCause::None {
            fault = Some((cause, st.rd(rm::FAULT_ADDR.at(c))?));
        }
        // A fault the interrupt dispatcher acknowledged is reported here all the same.
        let serviced = st.take_serviced_fault(c);
        fault = fault.or(serviced);
        let bit = 1 << c;
        st.wr(
            rm::INT_STATUS.offset,
            rm::int_status::TC.put(&cfg, bit) | rm::int_status::FAULT.put(&cfg, bit),
        )?;
        Ok(fault)
    }

    /// `ReadDmaCounter`: bytes left in the current transfer (or pass, in auto-initialize mode).
    /// With nothing mapped (before `map_transfer` or after the flush) it fails with
    /// `NothingMapped`.
    pub fn read_dma_counter(&self) -> Result<u32> {
        Ok(self.read_dma_counter_ex()?.remaining)
    }

    /// `ReadDmaCounter` with the pass counter, read atomically through SNAP_COUNT (no
    /// flip-flop race between the two count bytes), with SNAP_ADDR and SNAP_INFLIGHT latched
    /// in the same clock; the figures are of landed units (see [`DmaCounter`]).
    pub fn read_dma_counter_ex(&self) -> Result<DmaCounter> {
        let c = self.channel().ok_or(DmaError::NotSupported(
            "read_dma_counter is for system-DMA (subordinate) adapters",
        ))?;
        let cfg = self.hal().cfg();
        let mut st = self.hal().lock();
        st.take_violation(self.id())?;
        let mapped = st.channel_mapping(self.id(), ChannelKey::Dma(c))?;
        let snap = st.rd(rm::SNAP_COUNT.at(c))?;
        let logical_address = st.rd(rm::SNAP_ADDR.at(c))?;
        let in_flight = st.rd(rm::SNAP_INFLIGHT.at(c))?;
        let unit = self.inner.alignment() as u32;
        let snapshot = crate::counter::Snapshot {
            count: rm::snap_count::COUNT.get(&cfg, snap),
            passes: rm::snap_count::PASSES.get(&cfg, snap) as u16,
            logical_address,
            in_flight,
        };
        let l = crate::counter::landed(
            snapshot,
            mapped.length as u32 / unit,
            unit,
            self.inner.description.auto_initialize,
        );
        Ok(DmaCounter {
            remaining: l.remaining_units * unit,
            passes: l.passes,
            transfer_length: mapped.length as u32,
            logical_address: l.logical_address,
            in_flight: in_flight * unit,
        })
    }
}
