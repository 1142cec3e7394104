//! The HAL state shared by all adapters of one piece of hardware (ReactOS calls it the master
//! adapter): the backend, the map-register pool, channel ownership, the wait queues and the
//! memory handed out to drivers.
//!
//! One mutex guards all of it, as one spin lock guards the HAL's DMA state. It is never held
//! while a driver's execution routine runs, so routines may call any adapter routine. Every
//! grant carries its own identity (a grant number) and the HAL records which routine is
//! running on which thread: a routine's result is applied only to the grant it was given, and
//! an adapter is never released under a routine that is still using it (the drop waits on a
//! condition variable, or, when the routine itself drops its adapter, the release follows the
//! routine's return).
//!
//! The fields are private: the adapter, buffer and system modules change the state only through
//! the methods here, which keep its invariants (a register is in the pool's used set exactly
//! when a base or a common buffer holds it; a map entry is valid only while mapped or held by
//! a common buffer; a channel is unmasked only while its holder has a transfer mapped).

use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};

use mapdma_regmap::{self as rm, ChannelProgram, Config, TransferType};

use crate::backend::Backend;
use crate::error::{DmaError, MappedTransfer, Result};
use crate::map_registers::{MapRegisterBase, MapRegisterPool};

/// `IO_ALLOCATION_ACTION`: what an execution routine wants done with the adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IoAllocationAction {
    /// Keep the channel and the map registers; free with `free_adapter_channel`. The only
    /// action a system-DMA routine may return.
    KeepObject = 1,
    /// Release the channel and the map registers now (bus masters only).
    DeallocateObject = 2,
    /// Release the channel, keep the map registers; free with `free_map_registers`.
    DeallocateObjectKeepRegisters = 3,
}

/// What `allocate_adapter_channel` waits for: an 8237 channel (shared by every adapter of that
/// channel) or, for a bus master, the adapter object itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ChannelKey {
    Dma(usize),
    Adapter(u64),
}

/// What a map-register allocation is held for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holding {
    /// Part of a channel grant (`KeepObject`): freed by `free_adapter_channel`.
    Channel,
    /// Kept after `DeallocateObjectKeepRegisters`: freed by `free_map_registers`.
    Kept,
}

/// One transfer programmed by `map_transfer` and not yet flushed.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    pub current_va: usize,
    pub length: usize,
    pub first_register: usize,
    pub registers: usize,
    pub transfer: TransferType,
    /// Physical page frames the map entries point at (to refuse freeing them under DMA).
    pub frames: Vec<u64>,
}

impl Mapping {
    fn described(&self) -> MappedTransfer {
        MappedTransfer {
            current_va: self.current_va,
            length: self.length,
            transfer: self.transfer,
        }
    }
}

#[derive(Debug)]
struct Allocation {
    adapter: u64,
    first: usize,
    count: usize,
    holding: Holding,
    mappings: Vec<Mapping>,
}

/// Where a base's next mapping may go.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BaseRoom {
    /// First register not used by a mapping yet.
    pub next_register: usize,
    /// Registers left.
    pub free: usize,
    pub count: usize,
    pub mapped: usize,
}

#[derive(Debug)]
struct Holder {
    adapter: u64,
    device: u64,
    /// The grant's identity: results of routines of other grants never touch this one.
    grant: u64,
    /// The routine has returned `KeepObject`.
    granted: bool,
    base: Option<MapRegisterBase>,
}

/// The execution routine as the HAL sees it: the adapter view is bound in already.
pub(crate) type GrantRoutine = Box<dyn FnOnce(MapRegisterBase) -> IoAllocationAction + Send>;

/// A request of `allocate_adapter_channel`, queued until channel and registers are free.
pub(crate) struct Request {
    pub adapter: u64,
    pub device: u64,
    pub registers: usize,
    pub in_segment: bool,
    pub key: ChannelKey,
    pub routine: GrantRoutine,
}

/// A request that has been granted: its routine is about to run.
struct Grant {
    adapter: u64,
    key: ChannelKey,
    grant: u64,
    base: MapRegisterBase,
    routine: GrantRoutine,
}

/// An execution routine between grant and return.
struct Running {
    thread: ThreadId,
    /// The adapter was dropped by the routine's own thread: release it once the routine returns.
    orphaned: bool,
}

struct CommonRecord {
    adapter: u64,
    physical: u64,
    pages: usize,
    first_register: usize,
}

/// Whether the caller is the thread running the adapter's own execution routine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RoutineWait {
    /// No routine of the adapter is running (any more).
    Idle,
    /// The caller is inside that routine: waiting would deadlock.
    InsideRoutine,
}

pub(crate) struct HalState {
    cfg: Config,
    backend: Box<dyn Backend>,
    pool: MapRegisterPool,
    bases: HashMap<u64, Allocation>,
    holders: HashMap<ChannelKey, Holder>,
    /// Requests waiting for their channel, oldest first.
    channel_waiters: VecDeque<Request>,
    /// Requests holding their channel and waiting for map registers; strictly FIFO.
    register_waiters: VecDeque<Request>,
    /// Execution routines running now, by adapter (an adapter has one channel key, so at most
    /// one routine of it runs at a time).
    running: HashMap<u64, Running>,
    /// Misuse detected while applying a routine's result, reported by the adapter's next call.
    violations: HashMap<u64, DmaError>,
    common_buffers: HashMap<u64, CommonRecord>,
    page_buffers: HashMap<u64, Vec<u64>>,
    /// Pages whose owner let go of them while a mapped transfer still pointed at them: freed
    /// when the last such transfer is flushed.
    doomed_pages: Vec<u64>,
    next_id: u64,
}

pub(crate) struct Hal {
    cfg: Config,
    state: Mutex<HalState>,
    /// Signalled whenever an execution routine returns.
    routine_returned: Condvar,
}

impl Hal {
    pub fn new(cfg: Config, backend: Box<dyn Backend>) -> Self {
        Hal {
            cfg,
            state: Mutex::new(HalState {
                cfg,
                backend,
                pool: MapRegisterPool::new(&cfg),
                bases: HashMap::new(),
                holders: HashMap::new(),
                channel_waiters: VecDeque::new(),
                register_waiters: VecDeque::new(),
                running: HashMap::new(),
                violations: HashMap::new(),
                common_buffers: HashMap::new(),
                page_buffers: HashMap::new(),
                doomed_pages: Vec::new(),
                next_id: 0,
            }),
            routine_returned: Condvar::new(),
        }
    }

    pub fn cfg(&self) -> Config {
        self.cfg
    }

    pub fn lock(&self) -> MutexGuard<'_, HalState> {
        // A panic inside a routine poisons nothing we rely on: the state is updated under the
        // lock only by code that does not panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn id(&self) -> u64 {
        self.lock().fresh_id()
    }

    /// Grants whatever can be granted now and runs the execution routines, oldest first,
    /// without holding the lock.
    pub fn pump(&self) {
        loop {
            let Some(g) = self.lock().next_grant() else {
                return;
            };
            let Grant {
                adapter,
                key,
                grant,
                base,
                routine,
            } = g;
            let outcome = catch_unwind(AssertUnwindSafe(|| routine(base)));
            let action = outcome
                .as_ref()
                .map_or(IoAllocationAction::DeallocateObject, |a| *a);
            self.lock().apply_action(adapter, key, grant, base, action);
            self.routine_returned.notify_all();
            if let Err(panic) = outcome {
                resume_unwind(panic);
            }
        }
    }

    /// Waits until no execution routine of `adapter` is running on another thread.
    pub fn wait_routine<'a>(
        &'a self,
        mut st: MutexGuard<'a, HalState>,
        adapter: u64,
    ) -> (MutexGuard<'a, HalState>, RoutineWait) {
        let me = thread::current().id();
        loop {
            match st.running.get(&adapter) {
                None => return (st, RoutineWait::Idle),
                Some(r) if r.thread == me => return (st, RoutineWait::InsideRoutine),
                Some(_) => {
                    st = self
                        .routine_returned
                        .wait(st)
                        .unwrap_or_else(|p| p.into_inner())
                }
            }
        }
    }

    /// The drop path of an adapter: once no routine of it runs any more, releases everything
    /// it holds (masking its channel) and grants what that frees. Dropped from inside its own
    /// routine, the release follows the routine's return.
    pub fn release_adapter(&self, adapter: u64) {
        let st = self.lock();
        let (mut st, wait) = self.wait_routine(st, adapter);
        if wait == RoutineWait::InsideRoutine {
            if let Some(r) = st.running.get_mut(&adapter) {
                r.orphaned = true;
            }
            return;
        }
        st.release_adapter(adapter);
        drop(st);
        self.pump();
    }
}

impl HalState {
    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn backend(&mut self) -> &mut dyn Backend {
        self.backend.as_mut()
    }

    pub fn rd(&mut self, offset: u32) -> Result<u32> {
        Ok(self.backend.read32(offset)?)
    }

    pub fn wr(&mut self, offset: u32, value: u32) -> Result<()> {
        Ok(self.backend.write32(offset, value)?)
    }

    /// Map registers in use, of how many.
    pub fn registers_in_use(&self) -> usize {
        self.pool.len() - self.pool.free_count()
    }

    pub fn waiting(&self) -> usize {
        self.channel_waiters.len() + self.register_waiters.len()
    }

    /// Writes map entries `first..first + count` invalid: nothing the device does can reach
    /// memory through them any more.
    fn invalidate(&mut self, first: usize, count: usize) -> Result<()> {
        for i in first..first + count {
            self.wr(rm::MAP.at(i), 0)?;
        }
        Ok(())
    }

    /// Returns registers to the pool (invalidated first).
    fn release_registers(&mut self, first: usize, count: usize) -> Result<()> {
        let r = self.invalidate(first, count);
        self.pool.free(first, count);
        r
    }

    fn mask_channel(&mut self, c: usize) -> Result<()> {
        let (offset, value) = ChannelProgram::mask(&self.cfg, c);
        self.wr(offset, value)
    }

    fn new_base(&mut self, adapter: u64, first: usize, count: usize) -> MapRegisterBase {
        let id = self.fresh_id();
        self.bases.insert(
            id,
            Allocation {
                adapter,
                first,
                count,
                holding: Holding::Channel,
                mappings: Vec::new(),
            },
        );
        MapRegisterBase(id)
    }

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
    fn next_grant(&mut self) -> Option<Grant> {
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

    /// Applies what a routine returned, to its own grant only.
    fn apply_action(
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

    fn owned_base(&self, adapter: u64, base: MapRegisterBase) -> Result<&Allocation> {
        self.bases
            .get(&base.0)
            .filter(|a| a.adapter == adapter)
            .ok_or(DmaError::UnknownMapRegisterBase)
    }

    /// Room left in one of `adapter`'s bases.
    pub fn base_room(&self, adapter: u64, base: MapRegisterBase) -> Result<BaseRoom> {
        let a = self.owned_base(adapter, base)?;
        let used: usize = a.mappings.iter().map(|m| m.registers).sum();
        Ok(BaseRoom {
            next_register: a.first + used,
            free: a.count - used,
            count: a.count,
            mapped: a.mappings.len(),
        })
    }

    /// Records a mapping whose map entries (and channel) are programmed.
    pub fn add_mapping(&mut self, base: MapRegisterBase, mapping: Mapping) {
        if let Some(a) = self.bases.get_mut(&base.0) {
            a.mappings.push(mapping);
        }
    }

    /// Removes the mapping `flush_adapter_buffers` names; the error lists what is mapped.
    pub fn take_mapping(
        &mut self,
        adapter: u64,
        base: MapRegisterBase,
        wanted: MappedTransfer,
    ) -> Result<Mapping> {
        let a = self.owned_base(adapter, base)?;
        let Some(i) = a.mappings.iter().position(|m| m.described() == wanted) else {
            return Err(DmaError::NotMapped {
                wanted,
                mapped: a.mappings.iter().map(Mapping::described).collect(),
            });
        };
        let m = self
            .bases
            .get_mut(&base.0)
            .map(|a| a.mappings.remove(i))
            .ok_or(DmaError::UnknownMapRegisterBase)?;
        Ok(m)
    }

    /// Invalidates a flushed mapping's entries and frees pages that waited for it.
    pub fn unmap(&mut self, m: &Mapping) -> Result<()> {
        let r = self.invalidate(m.first_register, m.registers);
        self.free_doomed_pages();
        r
    }

    /// The transfer mapped on `adapter`'s grant on `key` (for the DMA counter).
    pub fn channel_mapping(&self, adapter: u64, key: ChannelKey) -> Result<MappedTransfer> {
        let base = self
            .held_base(adapter, key)
            .ok_or(DmaError::ChannelNotAllocated)?;
        let channel = match key {
            ChannelKey::Dma(c) => c,
            ChannelKey::Adapter(_) => 0,
        };
        base.and_then(|b| self.bases.get(&b.0))
            .and_then(|a| a.mappings.first())
            .map(Mapping::described)
            .ok_or(DmaError::NothingMapped { channel })
    }

    fn frames_mapped(&self) -> impl Iterator<Item = u64> + '_ {
        self.bases
            .values()
            .flat_map(|a| a.mappings.iter())
            .flat_map(|m| m.frames.iter().copied())
    }

    /// Mapped transfers whose pages include one of `pages` (physical addresses).
    fn transfers_using(&self, pages: &[u64]) -> usize {
        self.bases
            .values()
            .flat_map(|a| a.mappings.iter())
            .filter(|m| {
                pages
                    .iter()
                    .any(|p| m.frames.contains(&(p >> self.cfg.page_shift)))
            })
            .count()
    }

    /// Frees pages given up while mapped, once no mapped transfer points at them.
    fn free_doomed_pages(&mut self) {
        if self.doomed_pages.is_empty() {
            return;
        }
        let shift = self.cfg.page_shift;
        let in_use: Vec<u64> = self.frames_mapped().collect();
        let (free, keep): (Vec<u64>, Vec<u64>) = std::mem::take(&mut self.doomed_pages)
            .into_iter()
            .partition(|p| !in_use.contains(&(p >> shift)));
        self.doomed_pages = keep;
        if !free.is_empty() {
            let _ = self.backend.free_pages(&free);
        }
    }

    /// Frees pages now, or when the last mapped transfer using them is flushed.
    fn free_pages_when_unmapped(&mut self, pages: Vec<u64>) -> Result<()> {
        if self.transfers_using(&pages) == 0 {
            Ok(self.backend.free_pages(&pages)?)
        } else {
            self.doomed_pages.extend(pages);
            Ok(())
        }
    }

    pub fn add_page_buffer(&mut self, pages: Vec<u64>) -> u64 {
        let id = self.fresh_id();
        self.page_buffers.insert(id, pages);
        id
    }

    /// The drop of a page buffer: its pages go back once no transfer is mapped over them.
    pub fn drop_page_buffer(&mut self, id: u64) {
        if let Some(pages) = self.page_buffers.remove(&id) {
            let _ = self.free_pages_when_unmapped(pages);
        }
    }

    /// Takes map registers for a common buffer (`None` when no run is free).
    pub fn allocate_registers(&mut self, count: usize, in_segment: bool) -> Option<usize> {
        self.pool.allocate(count, in_segment)
    }

    /// Gives back registers taken by `allocate_registers` and never recorded.
    pub fn return_registers(&mut self, first: usize, count: usize) -> Result<()> {
        self.release_registers(first, count)
    }

    pub fn add_common_buffer(
        &mut self,
        adapter: u64,
        physical: u64,
        pages: usize,
        first_register: usize,
    ) -> u64 {
        let id = self.fresh_id();
        self.common_buffers.insert(
            id,
            CommonRecord {
                adapter,
                physical,
                pages,
                first_register,
            },
        );
        id
    }

    pub fn has_common_buffer(&self, id: u64) -> bool {
        self.common_buffers.contains_key(&id)
    }

    fn common_pages(&self, r: &CommonRecord) -> Vec<u64> {
        let page = self.cfg.page_size();
        (0..r.pages as u64).map(|i| r.physical + i * page).collect()
    }

    /// `free_common_buffer`: refused while a mapped transfer uses the buffer's pages.
    pub fn free_common_buffer(&mut self, adapter: u64, id: u64) -> Result<()> {
        let r = self
            .common_buffers
            .get(&id)
            .filter(|r| r.adapter == adapter)
            .ok_or(DmaError::UnknownCommonBuffer)?;
        let transfers = self.transfers_using(&self.common_pages(r));
        if transfers > 0 {
            return Err(DmaError::StillMapped { transfers });
        }
        self.release_common_buffer(id)
    }

    /// Frees a recorded common buffer: registers invalidated and returned, pages freed (when
    /// no mapped transfer uses them any more).
    pub fn release_common_buffer(&mut self, id: u64) -> Result<()> {
        let r = self
            .common_buffers
            .remove(&id)
            .ok_or(DmaError::UnknownCommonBuffer)?;
        let pages = self.common_pages(&r);
        let registers = self.release_registers(r.first_register, r.pages);
        self.free_pages_when_unmapped(pages)?;
        registers
    }

    /// What `put_dma_adapter` would complain about.
    pub fn outstanding(&self, adapter: u64) -> Vec<String> {
        let mut out = Vec::new();
        let queued = self
            .channel_waiters
            .iter()
            .chain(self.register_waiters.iter())
            .filter(|r| r.adapter == adapter)
            .count();
        if queued > 0 {
            out.push(format!("{queued} queued request(s)"));
        }
        if self.running.contains_key(&adapter) {
            out.push("its execution routine is running".into());
        }
        if self
            .holders
            .values()
            .any(|h| h.adapter == adapter && h.granted)
        {
            out.push("the channel is allocated".into());
        }
        let bases = self.bases.values().filter(|a| a.adapter == adapter).count();
        if bases > 0 {
            out.push(format!("{bases} map-register allocation(s)"));
        }
        let buffers = self
            .common_buffers
            .values()
            .filter(|b| b.adapter == adapter)
            .count();
        if buffers > 0 {
            out.push(format!("{buffers} common buffer(s)"));
        }
        out
    }

    /// Releases everything `adapter` holds: queued requests, its channel (masked first, so no
    /// unit moves after), map registers and common buffers.
    fn release_adapter(&mut self, adapter: u64) {
        self.violations.remove(&adapter);
        self.channel_waiters.retain(|r| r.adapter != adapter);
        let mut dropped = Vec::new();
        self.register_waiters.retain(|r| {
            let mine = r.adapter == adapter;
            if mine {
                dropped.push(r.key);
            }
            !mine
        });
        for k in dropped {
            self.holders.remove(&k);
        }
        let held: Vec<ChannelKey> = self
            .holders
            .iter()
            .filter(|(_, h)| h.adapter == adapter)
            .map(|(k, _)| *k)
            .collect();
        for k in held {
            self.holders.remove(&k);
            if let ChannelKey::Dma(c) = k {
                let _ = self.mask_channel(c);
            }
        }
        let bases: Vec<u64> = self
            .bases
            .iter()
            .filter(|(_, a)| a.adapter == adapter)
            .map(|(b, _)| *b)
            .collect();
        for b in bases {
            if let Some(a) = self.bases.remove(&b) {
                let _ = self.release_registers(a.first, a.count);
            }
        }
        let buffers: Vec<u64> = self
            .common_buffers
            .iter()
            .filter(|(_, r)| r.adapter == adapter)
            .map(|(b, _)| *b)
            .collect();
        for b in buffers {
            let _ = self.release_common_buffer(b);
        }
        self.free_doomed_pages();
    }
}
