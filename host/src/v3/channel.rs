//! `AllocateAdapterChannelEx`, `CancelAdapterChannel` and `FreeAdapterObject`.

use super::DmaTransferContext;
use crate::action::IoAllocationAction;
use crate::adapter::{AllocationStatus, DeviceObject, DmaAdapter, ExecutionRoutine};
use crate::error::{DmaError, Result};
use crate::hal::ChannelKey;
use crate::map_registers::MapRegisterBase;

/// `Flags` of `allocate_adapter_channel_ex`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AllocateFlags {
    /// The execution routine runs now or later, in FIFO order, as with
    /// `allocate_adapter_channel`.
    #[default]
    None,
    /// `DMA_SYNCHRONOUS_CALLBACK`: the channel and map registers are granted now (the routine,
    /// if any, runs before the call returns), or the call fails with `InsufficientResources`
    /// and nothing is queued.
    SynchronousCallback,
}

/// What `allocate_adapter_channel_ex` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocationStatusEx {
    /// Asynchronous: the routine ran before the call returned.
    Executed,
    /// Asynchronous: the routine will run when the channel and registers free up.
    Queued,
    /// Synchronous: granted now; the WDK's `*MapRegisterBase`.
    Granted(MapRegisterBase),
}

impl DmaAdapter {
    /// `AllocateAdapterChannelEx`: `allocate_adapter_channel` with a transfer context (so a
    /// queued request can be cancelled) and the synchronous mode.
    ///
    /// Asynchronous (`AllocateFlags::None`) needs a routine. Synchronous without a routine
    /// holds channel and registers as `KeepObject` would; release them with
    /// `free_adapter_object` (or `free_adapter_channel`). The rules of
    /// `allocate_adapter_channel` apply (a system-DMA routine must return `KeepObject`, one
    /// request per device object, no more registers than granted); the context must be this
    /// adapter's and not serve another request.
    pub fn allocate_adapter_channel_ex(
        &self,
        device: &DeviceObject,
        context: &DmaTransferContext,
        number_of_map_registers: u32,
        flags: AllocateFlags,
        routine: Option<ExecutionRoutine>,
    ) -> Result<AllocationStatusEx> {
        self.require_version3("AllocateAdapterChannelEx")?;
        self.check_context(context)?;
        if number_of_map_registers == 0 {
            return Err(DmaError::ZeroMapRegisters);
        }
        if self.hal().lock().context_in_use(context.id) {
            return Err(DmaError::ContextInUse);
        }
        match flags {
            AllocateFlags::None => {
                let routine = routine.ok_or(DmaError::NotSupported(
                    "an asynchronous allocate_adapter_channel_ex needs an execution routine \
                     (or DMA_SYNCHRONOUS_CALLBACK)",
                ))?;
                let status = self.allocate_internal(
                    device.id(),
                    number_of_map_registers,
                    routine,
                    Some(context.id),
                )?;
                Ok(match status {
                    AllocationStatus::Executed => AllocationStatusEx::Executed,
                    AllocationStatus::Queued => AllocationStatusEx::Queued,
                })
            }
            AllocateFlags::SynchronousCallback => {
                let routine = routine.unwrap_or_else(|| {
                    Box::new(|_: &DmaAdapter, _| IoAllocationAction::KeepObject)
                });
                let request = self.channel_request(
                    &mut self.hal().lock(),
                    device.id(),
                    number_of_map_registers,
                    routine,
                    Some(context.id),
                )?;
                let base = self.hal().grant_now(request)?;
                self.hal().lock().take_violation(self.id())?;
                Ok(AllocationStatusEx::Granted(base))
            }
        }
    }

    /// `CancelAdapterChannel`: withdraws the queued request of `context`. `Ok(true)` when it
    /// was still waiting (its routine will never run); `Ok(false)` when its routine has run
    /// already (or it was never queued), in which case the driver frees what it got as usual.
    /// The context alone names the request; `device` is taken for the WDK's signature.
    pub fn cancel_adapter_channel(
        &self,
        device: &DeviceObject,
        context: &DmaTransferContext,
    ) -> Result<bool> {
        self.require_version3("CancelAdapterChannel")?;
        self.check_context(context)?;
        let _ = device;
        let cancelled = self.hal().lock().cancel_request(self.id(), context.id);
        // A request that held the channel while waiting for registers let it go.
        self.hal().pump();
        Ok(cancelled)
    }

    /// `FreeAdapterObject`: ends the adapter's hold on its channel (system DMA) or adapter
    /// object (bus master) after a synchronous `allocate_adapter_channel_ex` or a routine that
    /// returned `KeepObject`. `DeallocateObject` frees the map registers too (nothing may be
    /// mapped); `DeallocateObjectKeepRegisters` keeps them for `free_map_registers`, bus
    /// masters only (a system-DMA channel's registers go with it). `KeepObject` frees nothing
    /// and is refused.
    pub fn free_adapter_object(&self, action: IoAllocationAction) -> Result<()> {
        self.require_version3("FreeAdapterObject")?;
        match (action, self.channel()) {
            (IoAllocationAction::KeepObject, _) => Err(DmaError::NotSupported(
                "free_adapter_object(KeepObject) would free nothing: pass DeallocateObject or \
                 DeallocateObjectKeepRegisters",
            )),
            (IoAllocationAction::DeallocateObject, _) => self.free_adapter_channel(),
            (IoAllocationAction::DeallocateObjectKeepRegisters, Some(_)) => {
                Err(DmaError::NotSupported(
                    "a system-DMA channel's map registers are released with the channel: pass \
                     DeallocateObject",
                ))
            }
            (IoAllocationAction::DeallocateObjectKeepRegisters, None) => {
                let key = ChannelKey::Adapter(self.id());
                self.hal()
                    .lock()
                    .release_object_keep_registers(self.id(), key)?;
                self.hal().pump();
                Ok(())
            }
        }
    }
}
