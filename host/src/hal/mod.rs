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

use std::collections::VecDeque;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};

mod grants;
mod id_map;
mod interrupts;
mod memory;

use id_map::IdMap;

pub(crate) use interrupts::{Armed, BoundCompletion, Call};
pub(crate) use memory::Mapping;

use mapdma_regmap::{self as rm, ChannelProgram, Config};

use crate::action::IoAllocationAction;
use crate::backend::Backend;
use crate::error::{DmaError, Result};
use crate::map_registers::{MapRegisterBase, MapRegisterPool};

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

#[derive(Debug)]
struct Allocation {
    adapter: u64,
    first: usize,
    count: usize,
    holding: Holding,
    mappings: Vec<Mapping>,
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
    /// The transfer context of the request, and whether `cancel_mapped_transfer` cancelled it.
    context: Option<u64>,
    cancelled: bool,
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
    /// The `DmaTransferContext` of `allocate_adapter_channel_ex` (cancellation finds it).
    pub context: Option<u64>,
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
    bases: IdMap<u64, Allocation>,
    holders: IdMap<ChannelKey, Holder>,
    /// Requests waiting for their channel, oldest first.
    channel_waiters: VecDeque<Request>,
    /// Requests holding their channel and waiting for map registers; strictly FIFO.
    register_waiters: VecDeque<Request>,
    /// Execution routines running now, by adapter (an adapter has one channel key, so at most
    /// one routine of it runs at a time).
    running: IdMap<u64, Running>,
    /// Misuse detected while applying a routine's result, reported by the adapter's next call.
    violations: IdMap<u64, DmaError>,
    common_buffers: IdMap<u64, CommonRecord>,
    page_buffers: IdMap<u64, Vec<u64>>,
    /// Pages whose owner let go of them while a mapped transfer still pointed at them: freed
    /// when the last such transfer is flushed.
    doomed_pages: Vec<u64>,
    /// Completion routines armed per channel and faults the dispatcher took.
    interrupts: interrupts::Interrupts,
    next_id: u64,
    /// Threads blocked in `wait_routine`: a returning routine signals only when there are
    /// any (a Condvar signal is a system call even with nobody waiting).
    routine_waiters: usize,
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
                bases: IdMap::default(),
                holders: IdMap::default(),
                channel_waiters: VecDeque::new(),
                register_waiters: VecDeque::new(),
                running: IdMap::default(),
                violations: IdMap::default(),
                common_buffers: IdMap::default(),
                page_buffers: IdMap::default(),
                doomed_pages: Vec::new(),
                interrupts: Default::default(),
                next_id: 0,
                routine_waiters: 0,
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
            self.run_grant(g);
        }
    }

    /// Runs a granted request's routine without the lock and applies what it returned.
    fn run_grant(&self, g: Grant) {
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
        let waiters = {
            let mut st = self.lock();
            st.apply_action(adapter, key, grant, base, action);
            st.routine_waiters
        };
        if waiters > 0 {
            self.routine_returned.notify_all();
        }
        if let Err(panic) = outcome {
            resume_unwind(panic);
        }
    }

    /// `DMA_SYNCHRONOUS_CALLBACK`: grants `request` now and runs its routine before returning
    /// the base, or fails without queuing when the channel or the registers are not free now
    /// (or someone is waiting for them: nobody is overtaken).
    pub fn grant_now(&self, request: Request) -> Result<MapRegisterBase> {
        let g = {
            let mut st = self.lock();
            let registers = request.registers;
            st.grant_now(request)
                .ok_or_else(|| DmaError::InsufficientResources {
                    what: format!(
                        "DMA_SYNCHRONOUS_CALLBACK: the channel or {registers} map registers are \
                         not free now"
                    ),
                })?
        };
        let base = g.base;
        self.run_grant(g);
        self.pump();
        Ok(base)
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
                    st.routine_waiters += 1;
                    st = self
                        .routine_returned
                        .wait(st)
                        .unwrap_or_else(|p| p.into_inner());
                    st.routine_waiters -= 1;
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

    pub(crate) fn mask_channel(&mut self, c: usize) -> Result<()> {
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
        self.disarm_adapter(adapter);
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
