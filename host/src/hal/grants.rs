//! Channel grants: the wait queues, which routine runs on which thread, and what a routine's
//! return does to its own grant (and to nobody else's).

use std::thread;

use super::{ChannelKey, Grant, HalState, Holder, Holding, Request, Running};
use crate::action::IoAllocationAction;
use crate::error::{DmaError, Result};
use crate::map_registers::MapRegisterBase;

impl HalState {
    fn start_routine(&mut self, req: Request, first: usize) -> Grant {
        let base = self.new_base(req.adapter, first, req.registers);
        let mut grant = 0;
        if let Some(h) = self.holders.get_mut(&req.key) {
            h.base = Some(base);
            grant = h.grant;
        }
        self.running.insert(
            req.adapter,
            Running {
                thread: thread::current().id(),
                orphaned: false,
            },
        );
        Grant {
            adapter: req.adapter,
            key: req.key,
            grant,
            base,
            routine: req.routine,
        }
    }

    /// The next request whose channel and map registers are both available, marked running.
    pub(super) fn next_grant(&mut self) -> Option<Grant> {
        if let Some(head) = self.register_waiters.front() {
            if let Some(first) = self.pool.allocate(head.registers, head.in_segment) {
                let req = self.register_waiters.pop_front()?;
                return Some(self.start_routine(req, first));
            }
        }
        let mut i = 0;
        while i < self.channel_waiters.len() {
            let key = self.channel_waiters[i].key;
            if self.holders.contains_key(&key) {
                i += 1;
                continue;
            }
            let req = self.channel_waiters.remove(i)?;
            let grant = self.fresh_id();
            self.holders.insert(
                key,
                Holder {
                    adapter: req.adapter,
                    device: req.device,
                    grant,
                    granted: false,
                    base: None,
                    context: req.context,
                    cancelled: false,
                },
            );
            // Strict FIFO on map registers: nobody overtakes a waiting request.
            let fits = if self.register_waiters.is_empty() {
                self.pool.allocate(req.registers, req.in_segment)
            } else {
                None
            };
            match fits {
                Some(first) => return Some(self.start_routine(req, first)),
                None => self.register_waiters.push_back(req),
            }
        }
        None
    }

    /// The synchronous grant: only when nobody waits for the channel or for registers, the
    /// channel is free and the registers fit now.
    pub(super) fn grant_now(&mut self, req: Request) -> Option<Grant> {
        let contended = self.holders.contains_key(&req.key)
            || !self.register_waiters.is_empty()
            || self.channel_waiters.iter().any(|r| r.key == req.key);
        if contended {
            return None;
        }
        let first = self.pool.allocate(req.registers, req.in_segment)?;
        let grant = self.fresh_id();
        self.holders.insert(
            req.key,
            Holder {
                adapter: req.adapter,
                device: req.device,
                grant,
                granted: false,
                base: None,
                context: req.context,
                cancelled: false,
            },
        );
        Some(self.start_routine(req, first))
    }

    /// `cancel_adapter_channel`: removes `adapter`'s queued request of `context`; false when
    /// there is none (its routine ran already, or it never was queued).
    pub fn cancel_request(&mut self, adapter: u64, context: u64) -> bool {
        let mine = |r: &Request| r.adapter == adapter && r.context == Some(context);
        if let Some(i) = self.channel_waiters.iter().position(mine) {
            self.channel_waiters.remove(i);
            return true;
        }
        if let Some(i) = self.register_waiters.iter().position(mine) {
            // It holds its channel while it waits for registers: let the channel go too.
            if let Some(r) = self.register_waiters.remove(i) {
                self.holders.remove(&r.key);
            }
            return true;
        }
        false
    }

    /// Whether `context` is queued or holds a channel (a context serves one request at a time).
    pub fn context_in_use(&self, context: u64) -> bool {
        self.channel_waiters
            .iter()
            .chain(self.register_waiters.iter())
            .any(|r| r.context == Some(context))
            || self.holders.values().any(|h| h.context == Some(context))
    }

    /// The channel key `adapter` holds under `context`.
    pub fn context_key(&self, adapter: u64, context: u64) -> Option<ChannelKey> {
        self.holders
            .iter()
            .find(|(_, h)| h.adapter == adapter && h.context == Some(context))
            .map(|(k, _)| *k)
    }

    /// Marks the grant on `key` cancelled: `map_transfer_ex` refuses to map under it again.
    pub fn cancel_grant(&mut self, key: ChannelKey) {
        if let Some(h) = self.holders.get_mut(&key) {
            h.cancelled = true;
        }
    }

    /// Whether `adapter`'s grant on `key` was cancelled by `cancel_mapped_transfer`.
    pub fn grant_cancelled(&self, adapter: u64, key: ChannelKey) -> Option<bool> {
        self.holders
            .get(&key)
            .filter(|h| h.adapter == adapter)
            .map(|h| h.cancelled)
    }

    /// `free_adapter_object(DeallocateObjectKeepRegisters)` of a bus master: the adapter
    /// object goes, the map registers stay for `free_map_registers`.
    pub fn release_object_keep_registers(&mut self, adapter: u64, key: ChannelKey) -> Result<()> {
        let base = self
            .granted_base(adapter, key)
            .ok_or(DmaError::ChannelNotAllocated)?;
        self.holders.remove(&key);
        if let Some(a) = base.and_then(|b| self.bases.get_mut(&b.0)) {
            a.holding = Holding::Kept;
        }
        Ok(())
    }

    /// Applies what a routine returned, to its own grant only.
    pub(super) fn apply_action(
        &mut self,
        adapter: u64,
        key: ChannelKey,
        grant: u64,
        base: MapRegisterBase,
        action: IoAllocationAction,
    ) {
        let orphaned = self.running.remove(&adapter).is_some_and(|r| r.orphaned);
        if orphaned {
            // The routine dropped its own adapter: release it now that the routine is done.
            self.release_adapter(adapter);
            return;
        }
        if self.holders.get(&key).is_none_or(|h| h.grant != grant) {
            // The grant is no longer this routine's: its result applies to nobody else.
            if let Some(a) = self.bases.remove(&base.0) {
                let _ = self.release_registers(a.first, a.count);
            }
            return;
        }
        let mapped = self
            .bases
            .get(&base.0)
            .is_some_and(|a| !a.mappings.is_empty());
        match (action, key) {
            (IoAllocationAction::KeepObject, _) => {
                if let Some(h) = self.holders.get_mut(&key) {
                    h.granted = true;
                }
            }
            // The WDK requires KeepObject of a system-DMA routine: the HAL owns the channel
            // until `free_adapter_channel`. Anything else stops the channel and releases the
            // grant, and the adapter's next call reports the misuse.
            (action, ChannelKey::Dma(c)) => {
                let _ = self.mask_channel(c);
                self.holders.remove(&key);
                if let Some(a) = self.bases.remove(&base.0) {
                    for m in &a.mappings {
                        let _ = self.invalidate(m.first_register, m.registers);
                    }
                    let _ = self.release_registers(a.first, a.count);
                }
                self.free_doomed_pages();
                self.violations.insert(
                    adapter,
                    DmaError::SystemDmaMustKeepObject { channel: c, action },
                );
            }
            (IoAllocationAction::DeallocateObject, _) if !mapped => {
                self.holders.remove(&key);
                if let Some(a) = self.bases.remove(&base.0) {
                    // The backend failing here leaves stale (but unreachable) entries.
                    let _ = self.release_registers(a.first, a.count);
                }
            }
            // DeallocateObject with a transfer still mapped would free registers the device
            // is using: they are kept instead, to be freed after the flush.
            (_, ChannelKey::Adapter(_)) => {
                self.holders.remove(&key);
                if let Some(a) = self.bases.get_mut(&base.0) {
                    a.holding = Holding::Kept;
                }
            }
        }
    }

    /// The misuse recorded for `adapter`, once.
    pub fn take_violation(&mut self, adapter: u64) -> Result<()> {
        match self.violations.remove(&adapter) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Whether `device` has a queued request or holds `key`.
    pub fn device_busy(&self, device: u64, key: ChannelKey) -> bool {
        self.is_waiting(device) || self.holders.get(&key).is_some_and(|h| h.device == device)
    }

    pub fn can_ever_fit(&self, registers: usize, in_segment: bool) -> bool {
        self.pool.can_ever_fit(registers, in_segment)
    }

    pub fn enqueue(&mut self, request: Request) {
        self.channel_waiters.push_back(request);
    }

    pub fn is_waiting(&self, device: u64) -> bool {
        self.channel_waiters
            .iter()
            .chain(self.register_waiters.iter())
            .any(|r| r.device == device)
    }

    /// The base of `adapter`'s grant on `key` once its routine returned `KeepObject`.
    pub fn granted_base(&self, adapter: u64, key: ChannelKey) -> Option<Option<MapRegisterBase>> {
        match self.holders.get(&key) {
            Some(h) if h.adapter == adapter && h.granted => Some(h.base),
            _ => None,
        }
    }

    /// The base of `adapter`'s grant on `key`, while its routine runs or after `KeepObject`.
    pub fn held_base(&self, adapter: u64, key: ChannelKey) -> Option<Option<MapRegisterBase>> {
        match self.holders.get(&key) {
            Some(h) if h.adapter == adapter => Some(h.base),
            _ => None,
        }
    }

    /// `free_adapter_channel` once the routine has returned: frees the grant's registers.
    pub fn free_channel(&mut self, adapter: u64, key: ChannelKey) -> Result<()> {
        let base = self
            .granted_base(adapter, key)
            .ok_or(DmaError::ChannelNotAllocated)?;
        if let Some(b) = base {
            if let Some(a) = self.bases.get(&b.0) {
                if !a.mappings.is_empty() {
                    return Err(DmaError::StillMapped {
                        transfers: a.mappings.len(),
                    });
                }
            }
            if let Some(a) = self.bases.remove(&b.0) {
                self.holders.remove(&key);
                return self.release_registers(a.first, a.count);
            }
        }
        self.holders.remove(&key);
        Ok(())
    }

    /// `free_map_registers` of a base kept after `DeallocateObjectKeepRegisters`.
    pub fn free_kept(&mut self, adapter: u64, base: MapRegisterBase, count: usize) -> Result<()> {
        let a = self.owned_base(adapter, base)?;
        if a.holding == Holding::Channel {
            return Err(DmaError::RegistersHeldByChannel);
        }
        if a.count != count {
            return Err(DmaError::MapRegisterCountMismatch {
                allocated: a.count as u32,
                given: count as u32,
            });
        }
        if !a.mappings.is_empty() {
            return Err(DmaError::StillMapped {
                transfers: a.mappings.len(),
            });
        }
        let (first, count) = (a.first, a.count);
        self.bases.remove(&base.0);
        self.release_registers(first, count)
    }
}
