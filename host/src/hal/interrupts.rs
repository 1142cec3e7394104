//! The interrupt side of the HAL: completion routines armed per channel by `map_transfer_ex`,
//! and the dispatcher that services the controller's `irq` (see [`crate::completion`]).
//!
//! Only channels with a routine armed are serviced. A fault on any other channel stays latched
//! in the hardware for `flush_adapter_buffers` to report, as before interrupts reached the host.

use super::id_map::IdMap;
use std::sync::{Arc, Mutex};

use mapdma_regmap::{self as rm, FaultCause};

use super::{Hal, HalState};
use crate::completion::DmaCompletionStatus;
use crate::error::Result;

/// A completion routine with its adapter view bound in.
pub(crate) type BoundCompletion = Box<dyn FnMut(DmaCompletionStatus) + Send>;

/// A routine waiting for its channel's terminal count or fault.
pub(crate) struct Armed {
    pub adapter: u64,
    pub auto_initialize: bool,
    /// Shared so that it runs outside the HAL lock and stays armed (auto-initialize) meanwhile.
    pub routine: Arc<Mutex<BoundCompletion>>,
}

/// A routine call decided under the lock, made after it is released.
pub(crate) struct Call {
    routine: Arc<Mutex<BoundCompletion>>,
    status: DmaCompletionStatus,
}

impl Call {
    pub fn new(armed: &Armed, status: DmaCompletionStatus) -> Self {
        Call {
            routine: armed.routine.clone(),
            status,
        }
    }

    /// The calls a flush makes to a routine still armed: a terminal count not serviced yet
    /// completes (a transfer, or one more pass), then, unless that was final, the transfer
    /// ends stopped early (`Aborted`) or by a fault not serviced yet (`Error`).
    pub fn at_flush(
        armed: &Armed,
        tc_pending: bool,
        fault: Option<(FaultCause, u32)>,
    ) -> Vec<Call> {
        let mut calls = Vec::new();
        if tc_pending {
            calls.push(Call::new(armed, DmaCompletionStatus::Complete));
        }
        let status = match fault {
            Some((cause, logical_address)) => DmaCompletionStatus::Error {
                cause,
                logical_address,
            },
            None => DmaCompletionStatus::Aborted,
        };
        if armed.auto_initialize || !tc_pending || fault.is_some() {
            calls.push(Call::new(armed, status));
        }
        calls
    }

    /// Runs the routine (the HAL lock must not be held).
    pub fn run(self) {
        let mut r = self.routine.lock().unwrap_or_else(|e| e.into_inner());
        (r)(self.status)
    }
}

/// Interrupt state of the HAL: armed routines and faults taken by the dispatcher.
#[derive(Default)]
pub(crate) struct Interrupts {
    armed: IdMap<usize, Armed>,
    /// Faults the dispatcher acknowledged (which clears them in the hardware), kept for the
    /// flush to report.
    faults: IdMap<usize, (FaultCause, u32)>,
}

impl HalState {
    /// Arms `armed` on channel `c` and enables its terminal-count interrupt.
    pub fn arm_completion(&mut self, c: usize, armed: Armed) -> Result<()> {
        self.interrupts.armed.insert(c, armed);
        self.set_tc_enable(c, true)
    }

    /// Takes the routine armed on `c` (if any) and disables its terminal-count interrupt.
    pub fn disarm_completion(&mut self, c: usize) -> Option<Armed> {
        let armed = self.interrupts.armed.remove(&c)?;
        let _ = self.set_tc_enable(c, false);
        Some(armed)
    }

    /// Whether channel `c` has a routine armed and an unacknowledged terminal count.
    pub fn tc_pending(&mut self, c: usize) -> bool {
        if !self.interrupts.armed.contains_key(&c) {
            return false;
        }
        let cfg = self.cfg;
        self.rd(rm::INT_STATUS.offset)
            .is_ok_and(|s| rm::int_status::TC.get(&cfg, s) & (1 << c) != 0)
    }

    pub fn has_armed_completions(&self) -> bool {
        !self.interrupts.armed.is_empty()
    }

    /// Drops every routine of `adapter` unrun (the adapter is going away).
    pub(super) fn disarm_adapter(&mut self, adapter: u64) {
        let channels: Vec<usize> = self
            .interrupts
            .armed
            .iter()
            .filter(|(_, a)| a.adapter == adapter)
            .map(|(c, _)| *c)
            .collect();
        for c in channels {
            self.disarm_completion(c);
            self.interrupts.faults.remove(&c);
        }
    }

    /// A fault of channel `c` that the dispatcher took from the hardware.
    pub fn take_serviced_fault(&mut self, c: usize) -> Option<(FaultCause, u32)> {
        self.interrupts.faults.remove(&c)
    }

    fn set_tc_enable(&mut self, c: usize, on: bool) -> Result<()> {
        let cfg = self.cfg;
        let enable = self.rd(rm::INT_ENABLE.offset)?;
        let bit = rm::int_enable::TC.put(&cfg, 1 << c);
        let value = if on { enable | bit } else { enable & !bit };
        self.wr(rm::INT_ENABLE.offset, value)
    }

    /// The interrupt service routine: if `irq` is high, acknowledges the armed channels'
    /// events and returns the routine calls they make, terminal counts before faults.
    fn service_interrupt(&mut self) -> Result<Vec<Call>> {
        if self.interrupts.armed.is_empty() || !self.backend.irq()? {
            return Ok(Vec::new());
        }
        let cfg = self.cfg;
        let status = self.rd(rm::INT_STATUS.offset)?;
        let tc = rm::int_status::TC.get(&cfg, status);
        let fault = rm::int_status::FAULT.get(&cfg, status);
        let mut channels: Vec<usize> = self.interrupts.armed.keys().copied().collect();
        channels.sort_unstable();
        let mut calls = Vec::new();
        for c in channels {
            let bit = 1 << c;
            if tc & bit != 0 {
                self.wr(rm::INT_STATUS.offset, rm::int_status::TC.put(&cfg, bit))?;
                if let Some(a) = self.interrupts.armed.get(&c) {
                    calls.push(Call::new(a, DmaCompletionStatus::Complete));
                    if !a.auto_initialize {
                        self.disarm_completion(c);
                    }
                }
            }
            if fault & bit != 0 {
                if let Some(status) = self.take_fault(c)? {
                    if let Some(a) = self.disarm_completion(c) {
                        calls.push(Call::new(&a, status));
                    }
                }
            }
        }
        Ok(calls)
    }

    /// Masks faulted channel `c` (acknowledging the fault resumes an unmasked channel), reads
    /// cause and address, and acknowledges the fault; the flush still reports it.
    fn take_fault(&mut self, c: usize) -> Result<Option<DmaCompletionStatus>> {
        let cfg = self.cfg;
        if !self.interrupts.armed.contains_key(&c) {
            return Ok(None);
        }
        self.mask_channel(c)?;
        let causes = self.rd(rm::FAULT_CAUSE.offset)?;
        let code =
            (causes >> (c as u32 * rm::FAULT_CAUSE_BITS)) & ((1 << rm::FAULT_CAUSE_BITS) - 1);
        let cause = FaultCause::from_code(code).unwrap_or(FaultCause::None);
        let logical_address = self.rd(rm::FAULT_ADDR.at(c))?;
        self.wr(
            rm::INT_STATUS.offset,
            rm::int_status::FAULT.put(&cfg, 1 << c),
        )?;
        self.interrupts.faults.insert(c, (cause, logical_address));
        Ok(Some(DmaCompletionStatus::Error {
            cause,
            logical_address,
        }))
    }
}

impl Hal {
    /// Services the interrupt once: runs the completion routines it completes, without the
    /// lock. Returns how many ran.
    pub fn dispatch_interrupts(&self) -> Result<usize> {
        let calls = self.lock().service_interrupt()?;
        let n = calls.len();
        for call in calls {
            call.run();
        }
        Ok(n)
    }
}
