//! Completion of system-DMA transfers started by `map_transfer_ex`: the WDK's
//! `DMA_COMPLETION_ROUTINE` and `DMA_COMPLETION_STATUS`, driven by the controller's interrupt.
//!
//! The controller raises `irq` at terminal count (INT_STATUS.TC, when INT_ENABLE.TC is set for
//! the channel) and when a channel halts on a fault (INT_STATUS.FAULT). The dispatcher,
//! [`DmaSystem::dispatch_interrupts`](crate::DmaSystem::dispatch_interrupts), plays the
//! HAL's interrupt service routine and DPC: on `irq` it reads INT_STATUS, acknowledges the bits
//! of channels with a completion routine armed (write 1 to clear) and runs each routine once
//! per event, without the HAL lock held (a routine may call any adapter routine).
//!
//! A routine runs exactly once with a final status (`Complete` for a transfer without
//! auto-initialize, `Error`, `Aborted` or `Cancelled`), and, in auto-initialize mode, once
//! more with `Complete` for every serviced terminal count before that: the ring keeps running,
//! so every pass completes. The interrupt is a level, so terminal counts that happen while the
//! previous one is still unacknowledged are serviced as one (read the pass counter with
//! `read_dma_counter_ex` where every pass matters).

use mapdma_regmap::FaultCause;

use crate::adapter::DmaAdapter;

/// `DMA_COMPLETION_STATUS`, with the fault that ended a transfer in error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DmaCompletionStatus {
    /// `DmaComplete`: terminal count (or the device's EOP) ended the transfer or, with
    /// auto-initialize, a pass.
    Complete,
    /// `DmaAborted`: flushed (`flush_adapter_buffers[_ex]`) before it completed.
    Aborted,
    /// `DmaError`: the channel halted on a translation fault or a bus error; no unit went to
    /// a page it was not mapped to.
    Error {
        cause: FaultCause,
        logical_address: u32,
    },
    /// `DmaCancelled`: stopped by `cancel_mapped_transfer`.
    Cancelled,
}

impl DmaCompletionStatus {
    /// Whether this status ends the transfer (no further calls for it).
    pub fn is_final(self, auto_initialize: bool) -> bool {
        !(auto_initialize && self == DmaCompletionStatus::Complete)
    }
}

/// `DMA_COMPLETION_ROUTINE`: the adapter (a view, as execution routines get) and the status.
/// The completion context of the WDK is whatever the closure captures.
pub type DmaCompletionRoutine = Box<dyn FnMut(&DmaAdapter, DmaCompletionStatus) + Send>;
