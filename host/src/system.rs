//! The HAL side shared by all adapters of one piece of hardware (ReactOS calls it the master
//! adapter): the backend, the map-register pool, channel ownership and the wait queues.
//!
//! One mutex guards all of it, as one spin lock guards the HAL's DMA state; it is never held
//! while a driver's execution routine runs, so routines may call any adapter routine.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use mapdma_regmap::{self as rm, Config};

use crate::adapter::{AdapterInner, DmaAdapter, ExecutionRoutine, IoAllocationAction};
use crate::backend::{Backend, BackendError, DeviceHarness};
use crate::buffer::PageBuffer;
use crate::description::DeviceDescription;
use crate::error::{DmaError, Result};
use crate::map_registers::{segment_pages, MapRegisterBase, MapRegisterPool};
use crate::mdl::bytes_to_pages;
use mapdma_regmap::TransferType;

/// What a map-register allocation is held for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holding {
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
}

#[derive(Debug)]
pub(crate) struct Allocation {
    pub adapter: u64,
    pub first: usize,
    pub count: usize,
    pub holding: Holding,
    pub mappings: Vec<Mapping>,
}

impl Allocation {
    /// Registers already used by mappings (bus-master adapters map several pieces).
    pub fn used(&self) -> usize {
        self.mappings.iter().map(|m| m.registers).sum()
    }
}

/// What `allocate_adapter_channel` waits for: an 8237 channel (shared by every adapter of that
/// channel) or, for a bus master, the adapter object itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ChannelKey {
    Dma(usize),
    Adapter(u64),
}

#[derive(Debug)]
pub(crate) struct Holder {
    pub adapter: u64,
    pub device: u64,
    /// The routine has run and returned `KeepObject`.
    pub granted: bool,
    pub base: Option<MapRegisterBase>,
}

pub(crate) struct Request {
    pub adapter: Arc<AdapterInner>,
    pub device: u64,
    pub registers: usize,
    pub in_segment: bool,
    pub key: ChannelKey,
    pub routine: ExecutionRoutine,
}

pub(crate) struct CommonRecord {
    pub adapter: u64,
    pub physical: u64,
    pub pages: usize,
    pub first_register: usize,
}

pub(crate) struct HalState {
    pub backend: Box<dyn Backend>,
    pub pool: MapRegisterPool,
    pub bases: HashMap<u64, Allocation>,
    pub holders: HashMap<ChannelKey, Holder>,
    /// Requests waiting for their channel, oldest first.
    pub channel_waiters: VecDeque<Request>,
    /// Requests holding their channel and waiting for map registers; strictly FIFO.
    pub register_waiters: VecDeque<Request>,
    pub common_buffers: HashMap<u64, CommonRecord>,
    pub page_buffers: HashMap<u64, Vec<u64>>,
    next_id: u64,
}

pub(crate) struct Hal {
    pub cfg: Config,
    state: Mutex<HalState>,
}

impl Hal {
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
    pub fn pump(self: &Arc<Self>) {
        loop {
            let Some((request, base)) = self.lock().next_grant() else {
                return;
            };
            let Request {
                adapter,
                key,
                routine,
                ..
            } = request;
            let view = DmaAdapter::borrowed(adapter);
            let action = routine(&view, base);
            self.lock().apply_action(key, base, action);
        }
    }
}

impl HalState {
    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn rd(&mut self, offset: u32) -> Result<u32> {
        Ok(self.backend.read32(offset)?)
    }

    pub fn wr(&mut self, offset: u32, value: u32) -> Result<()> {
        Ok(self.backend.write32(offset, value)?)
    }

    /// Writes map entry `index` invalid: nothing the device does can reach freed memory.
    pub fn invalidate(&mut self, first: usize, count: usize) -> Result<()> {
        for i in first..first + count {
            self.wr(rm::MAP.at(i), 0)?;
        }
        Ok(())
    }

    /// Returns registers to the pool (invalidated first).
    pub fn release_registers(&mut self, first: usize, count: usize) -> Result<()> {
        self.invalidate(first, count)?;
        self.pool.free(first, count);
        Ok(())
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

    /// The next request whose channel and map registers are both available, with its base.
    fn next_grant(&mut self) -> Option<(Request, MapRegisterBase)> {
        if let Some(head) = self.register_waiters.front() {
            if let Some(first) = self.pool.allocate(head.registers, head.in_segment) {
                let req = self.register_waiters.pop_front()?;
                let base = self.new_base(req.adapter.id, first, req.registers);
                if let Some(h) = self.holders.get_mut(&req.key) {
                    h.base = Some(base);
                }
                return Some((req, base));
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
            self.holders.insert(
                key,
                Holder {
                    adapter: req.adapter.id,
                    device: req.device,
                    granted: false,
                    base: None,
                },
            );
            // Strict FIFO on map registers: nobody overtakes a waiting request.
            let fits = if req.registers == 0 || self.register_waiters.is_empty() {
                self.pool.allocate(req.registers, req.in_segment)
            } else {
                None
            };
            match fits {
                Some(first) => {
                    let base = self.new_base(req.adapter.id, first, req.registers);
                    if let Some(h) = self.holders.get_mut(&key) {
                        h.base = Some(base);
                    }
                    return Some((req, base));
                }
                None => self.register_waiters.push_back(req),
            }
        }
        None
    }

    fn apply_action(&mut self, key: ChannelKey, base: MapRegisterBase, action: IoAllocationAction) {
        let mapped = self
            .bases
            .get(&base.0)
            .is_some_and(|a| !a.mappings.is_empty());
        match action {
            IoAllocationAction::KeepObject => {
                if let Some(h) = self.holders.get_mut(&key) {
                    h.granted = true;
                    h.base = Some(base);
                }
            }
            IoAllocationAction::DeallocateObject if !mapped => {
                self.holders.remove(&key);
                if let Some(a) = self.bases.remove(&base.0) {
                    // The backend failing here leaves stale (but unreachable) entries.
                    let _ = self.release_registers(a.first, a.count);
                }
            }
            // DeallocateObject with a transfer still mapped would free registers the device
            // is using: they are kept instead, to be freed after the flush.
            IoAllocationAction::DeallocateObject
            | IoAllocationAction::DeallocateObjectKeepRegisters => {
                self.holders.remove(&key);
                if let Some(a) = self.bases.get_mut(&base.0) {
                    a.holding = Holding::Kept;
                }
            }
        }
    }

    /// Whether `device` has a queued request or holds `key`.
    pub fn device_busy(&self, device: u64, key: ChannelKey) -> bool {
        self.channel_waiters
            .iter()
            .chain(self.register_waiters.iter())
            .any(|r| r.device == device)
            || self.holders.get(&key).is_some_and(|h| h.device == device)
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
}

/// One mapdma instance behind a backend: open it once, then get adapters from it. Cheap to
/// clone and shareable across threads.
#[derive(Clone)]
pub struct DmaSystem {
    pub(crate) hal: Arc<Hal>,
}

impl DmaSystem {
    /// Discovers the hardware (ID, version, CONFIG0/1), resets the 8237 state (master clear),
    /// clears pending interrupts and invalidates every map register.
    pub fn open(mut backend: Box<dyn Backend>) -> Result<Self> {
        let id = backend.read32(rm::ID.offset)?;
        if id != rm::ID_MAGIC {
            return Err(DmaError::Hardware(format!(
                "ID register reads {id:#010x}, expected {:#010x}",
                rm::ID_MAGIC
            )));
        }
        let version = backend.read32(rm::HW_VERSION.offset)?;
        let major = rm::HW_VERSION
            .field("MAJOR")
            .map_or(0, |f| f.get(&Config::default(), version));
        if major != rm::VERSION.0 as u32 {
            return Err(DmaError::Hardware(format!(
                "hardware version {major} is not supported (expected {})",
                rm::VERSION.0
            )));
        }
        let cfg = Config::from_registers(
            backend.read32(rm::CONFIG0.offset)?,
            backend.read32(rm::CONFIG1.offset)?,
        )?;
        if backend.page_size() != cfg.page_size() {
            return Err(DmaError::Hardware(format!(
                "backend memory pages are {} bytes, the map registers' {}",
                backend.page_size(),
                cfg.page_size()
            )));
        }
        backend.write32(rm::MASTER_CLEAR.offset, 0)?;
        backend.write32(rm::INT_STATUS.offset, rm::INT_STATUS.read_mask(&cfg))?;
        for i in 0..cfg.map_registers {
            backend.write32(rm::MAP.at(i), 0)?;
        }
        let state = HalState {
            backend,
            pool: MapRegisterPool::new(&cfg),
            bases: HashMap::new(),
            holders: HashMap::new(),
            channel_waiters: VecDeque::new(),
            register_waiters: VecDeque::new(),
            common_buffers: HashMap::new(),
            page_buffers: HashMap::new(),
            next_id: 0,
        };
        Ok(DmaSystem {
            hal: Arc::new(Hal {
                cfg,
                state: Mutex::new(state),
            }),
        })
    }

    /// The hardware's configuration as discovered.
    pub fn config(&self) -> Config {
        self.hal.cfg
    }

    /// `IoGetDmaAdapter`: validates the description and returns the adapter and the number of
    /// map registers one transfer may use: `BYTES_TO_PAGES(MaximumLength) + 1`, capped by the
    /// hardware's map registers and, for system DMA, by one 64 KiB logical segment.
    pub fn get_dma_adapter(&self, description: &DeviceDescription) -> Result<(DmaAdapter, u32)> {
        let cfg = self.hal.cfg;
        description.validate(&cfg)?;
        let wanted = bytes_to_pages(description.maximum_length as u64, cfg.page_shift) + 1;
        let mut cap = cfg.map_registers as u64;
        if !description.master {
            cap = cap.min(segment_pages(&cfg) as u64);
        }
        let granted = wanted.min(cap) as u32;
        let adapter = DmaAdapter::new(self.hal.clone(), *description, granted);
        Ok((adapter, granted))
    }

    /// Allocates `bytes` of driver memory (non-paged pool) as scattered physical pages.
    pub fn allocate_nonpaged(&self, bytes: usize) -> Result<PageBuffer> {
        PageBuffer::allocate(self.hal.clone(), bytes)
    }

    /// Runs `f` on the backend (for test benches and tools; drivers never need it).
    pub fn with_backend<R>(&self, f: impl FnOnce(&mut dyn Backend) -> R) -> R {
        f(self.hal.lock().backend.as_mut())
    }

    /// Runs `f` on the reference model, if that is the backend.
    pub fn with_reference_model<R>(
        &self,
        f: impl FnOnce(&mut crate::backend::reference::ReferenceModel) -> R,
    ) -> Option<R> {
        let mut st = self.hal.lock();
        st.backend
            .as_any_mut()
            .and_then(|a| a.downcast_mut())
            .map(f)
    }

    /// Runs `f` on the backend's devices; `Err` if it has none.
    pub fn with_devices<R>(
        &self,
        f: impl FnOnce(&mut dyn DeviceHarness) -> std::result::Result<R, BackendError>,
    ) -> Result<R> {
        let mut st = self.hal.lock();
        let devices = st.backend.devices().ok_or(BackendError::NoDevices)?;
        Ok(f(devices)?)
    }

    /// Map registers in use (by channels, kept bases and common buffers).
    pub fn map_registers_in_use(&self) -> usize {
        let st = self.hal.lock();
        st.pool.len() - st.pool.free_count()
    }

    /// Requests waiting for a channel or map registers.
    pub fn waiting_requests(&self) -> usize {
        let st = self.hal.lock();
        st.channel_waiters.len() + st.register_waiters.len()
    }
}
