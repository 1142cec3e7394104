//! The adapter object and its `DMA_OPERATIONS` routines (WDK names in snake_case).
//!
//! Direction vocabulary: this crate uses the **8237's** words through
//! [`mapdma_regmap::TransferType`]: `Write` = device → memory, `Read` = memory → device.
//! The WDK's `WriteToDevice = TRUE` is therefore `TransferType::Read`; [`write_to_device`]
//! converts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use mapdma_regmap::{self as rm, mode_byte, ServiceMode, TransferType, UnitWidth};

use crate::description::DeviceDescription;
use crate::error::{DmaError, Result};
use crate::map_registers::MapRegisterBase;
use crate::mdl::{span_pages, Mdl};
use crate::system::{ChannelKey, Hal, HalState, Holding, Mapping, Request};

/// The WDK's `WriteToDevice` flag in the 8237's vocabulary.
pub fn write_to_device(flag: bool) -> TransferType {
    if flag {
        TransferType::Read
    } else {
        TransferType::Write
    }
}

/// `IO_ALLOCATION_ACTION`: what an execution routine wants done with the adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IoAllocationAction {
    /// Keep the channel and the map registers (system DMA); free with `free_adapter_channel`.
    KeepObject = 1,
    /// Release the channel and the map registers now.
    DeallocateObject = 2,
    /// Release the channel, keep the map registers; free with `free_map_registers`.
    DeallocateObjectKeepRegisters = 3,
}

/// The execution routine (`DRIVER_CONTROL`): runs when the channel and map registers are the
/// caller's, maybe inside `allocate_adapter_channel`, maybe later on another thread.
pub type ExecutionRoutine =
    Box<dyn FnOnce(&DmaAdapter, MapRegisterBase) -> IoAllocationAction + Send>;

/// Whether `allocate_adapter_channel` ran the routine already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocationStatus {
    /// The routine ran before the call returned.
    Executed,
    /// The routine will run when the channel or the map registers free up (FIFO).
    Queued,
}

/// A device object: the identity behind "one pending request per device".
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DeviceObject {
    id: u64,
}

static NEXT_DEVICE: AtomicU64 = AtomicU64::new(1);

impl DeviceObject {
    pub fn new() -> Self {
        DeviceObject {
            id: NEXT_DEVICE.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Default for DeviceObject {
    fn default() -> Self {
        Self::new()
    }
}

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

pub(crate) struct AdapterInner {
    pub id: u64,
    pub hal: Arc<Hal>,
    pub description: DeviceDescription,
    pub granted: u32,
}

impl AdapterInner {
    pub fn channel(&self) -> Option<usize> {
        (!self.description.master).then_some(self.description.dma_channel as usize)
    }

    pub fn key(&self) -> ChannelKey {
        match self.channel() {
            Some(c) => ChannelKey::Dma(c),
            None => ChannelKey::Adapter(self.id),
        }
    }

    pub fn unit(&self) -> UnitWidth {
        self.description
            .dma_width
            .unit()
            .unwrap_or(UnitWidth::Bits8)
    }

    /// Bytes per unit for system DMA, 1 for a bus master.
    pub fn alignment(&self) -> usize {
        match self.channel() {
            Some(_) => self.unit().bytes() as usize,
            None => 1,
        }
    }
}

/// The adapter object (`DMA_ADAPTER`). Dropping it is `put_dma_adapter` with everything still
/// held released by force; [`DmaAdapter::put_dma_adapter`] insists that it was freed first.
pub struct DmaAdapter {
    pub(crate) inner: Arc<AdapterInner>,
    /// Only the value `get_dma_adapter` returned puts the adapter; the views that execution
    /// routines get do not.
    owner: bool,
}

/// `put_dma_adapter` refused: resources are outstanding. The adapter is handed back.
pub struct PutError {
    pub adapter: DmaAdapter,
    pub error: DmaError,
}

impl std::fmt::Debug for PutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PutError({})", self.error)
    }
}

impl std::fmt::Debug for DmaAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DmaAdapter")
            .field("id", &self.inner.id)
            .field("channel", &self.inner.channel())
            .field("map_registers", &self.inner.granted)
            .finish()
    }
}

impl DmaAdapter {
    pub(crate) fn new(hal: Arc<Hal>, description: DeviceDescription, granted: u32) -> Self {
        let id = hal.id();
        DmaAdapter {
            inner: Arc::new(AdapterInner {
                id,
                hal,
                description,
                granted,
            }),
            owner: true,
        }
    }

    pub(crate) fn borrowed(inner: Arc<AdapterInner>) -> Self {
        DmaAdapter {
            inner,
            owner: false,
        }
    }

    /// The description the adapter was made from.
    pub fn description(&self) -> &DeviceDescription {
        &self.inner.description
    }

    /// Map registers one transfer may use (what `get_dma_adapter` returned).
    pub fn map_registers(&self) -> u32 {
        self.inner.granted
    }

    /// The 8237 channel of a system-DMA adapter.
    pub fn channel(&self) -> Option<usize> {
        self.inner.channel()
    }

    /// Version of the `DMA_OPERATIONS` table (1 for descriptions 0 and 1, else the version).
    pub fn operations_version(&self) -> u32 {
        self.inner.description.version.max(1)
    }

    fn hal(&self) -> &Arc<Hal> {
        &self.inner.hal
    }

    fn id(&self) -> u64 {
        self.inner.id
    }

    /// `GetDmaAlignment`: start and length of a transfer must be multiples of this.
    pub fn get_dma_alignment(&self) -> u32 {
        self.inner.alignment() as u32
    }

    /// `AllocateAdapterChannel`: asks for the channel (system DMA) or the adapter (bus master)
    /// and `number_of_map_registers`; `routine` runs when both are the caller's, now or later
    /// in FIFO order. More registers than granted fails at once, as does a second request from
    /// a device object that has one queued or holds the channel.
    pub fn allocate_adapter_channel(
        &self,
        device: &DeviceObject,
        number_of_map_registers: u32,
        routine: impl FnOnce(&DmaAdapter, MapRegisterBase) -> IoAllocationAction + Send + 'static,
    ) -> Result<AllocationStatus> {
        self.allocate_internal(device.id, number_of_map_registers, Box::new(routine))
    }

    pub(crate) fn allocate_internal(
        &self,
        device: u64,
        registers: u32,
        routine: ExecutionRoutine,
    ) -> Result<AllocationStatus> {
        if registers > self.inner.granted {
            return Err(DmaError::TooManyMapRegisters {
                requested: registers,
                granted: self.inner.granted,
            });
        }
        let key = self.inner.key();
        {
            let mut st = self.hal().lock();
            if st.device_busy(device, key) {
                return Err(DmaError::RequestPending { device });
            }
            if !st
                .pool
                .can_ever_fit(registers as usize, self.channel().is_some())
            {
                return Err(DmaError::InsufficientResources {
                    what: format!("no run of {registers} map registers exists"),
                });
            }
            st.enqueue(Request {
                adapter: self.inner.clone(),
                device,
                registers: registers as usize,
                in_segment: self.channel().is_some(),
                key,
                routine,
            });
        }
        self.hal().pump();
        let waiting = self.hal().lock().is_waiting(device);
        Ok(if waiting {
            AllocationStatus::Queued
        } else {
            AllocationStatus::Executed
        })
    }

    /// `FreeAdapterChannel`: releases the channel and the map registers of the grant, then
    /// runs queued requests. Every mapped transfer must have been flushed.
    pub fn free_adapter_channel(&self) -> Result<()> {
        let key = self.inner.key();
        // The execution routine may hand its results to another thread before it returns:
        // wait (briefly: a call from inside the routine itself must fail, not deadlock) until
        // its `KeepObject` is recorded.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        loop {
            let returning = {
                let st = self.hal().lock();
                st.holders
                    .get(&key)
                    .is_some_and(|h| h.adapter == self.id() && !h.granted)
            };
            if !returning || std::time::Instant::now() >= deadline {
                break;
            }
            std::thread::yield_now();
        }
        {
            let mut st = self.hal().lock();
            let base = match st.holders.get(&key) {
                Some(h) if h.adapter == self.id() && h.granted => h.base,
                _ => return Err(DmaError::ChannelNotAllocated),
            };
            if let Some(b) = base {
                if let Some(a) = st.bases.get(&b.0) {
                    if !a.mappings.is_empty() {
                        return Err(DmaError::StillMapped {
                            transfers: a.mappings.len(),
                        });
                    }
                }
                if let Some(a) = st.bases.remove(&b.0) {
                    st.release_registers(a.first, a.count)?;
                }
            }
            st.holders.remove(&key);
        }
        self.hal().pump();
        Ok(())
    }

    /// `FreeMapRegisters`: releases registers kept after `DeallocateObjectKeepRegisters`.
    pub fn free_map_registers(
        &self,
        base: MapRegisterBase,
        number_of_map_registers: u32,
    ) -> Result<()> {
        {
            let mut st = self.hal().lock();
            let a = st
                .bases
                .get(&base.0)
                .filter(|a| a.adapter == self.id())
                .ok_or(DmaError::UnknownMapRegisterBase)?;
            if a.holding == Holding::Channel {
                return Err(DmaError::RegistersHeldByChannel);
            }
            if a.count != number_of_map_registers as usize {
                return Err(DmaError::MapRegisterCountMismatch {
                    allocated: a.count as u32,
                    given: number_of_map_registers,
                });
            }
            if !a.mappings.is_empty() {
                return Err(DmaError::StillMapped {
                    transfers: a.mappings.len(),
                });
            }
            let (first, count) = (a.first, a.count);
            st.bases.remove(&base.0);
            st.release_registers(first, count)?;
        }
        self.hal().pump();
        Ok(())
    }

    /// `MapTransfer`: loads map registers for `[current_va, current_va + length)` of `mdl`
    /// (CurrentVa is an offset into the MDL) and, for system DMA, programs and unmasks the
    /// 8237 channel. Returns the logical address and the bytes mapped, which is less than
    /// `length` when the map registers end first: map the rest after flushing.
    pub fn map_transfer(
        &self,
        mdl: &Mdl,
        base: MapRegisterBase,
        current_va: usize,
        length: usize,
        transfer: TransferType,
    ) -> Result<(u64, usize)> {
        let cfg = self.hal().cfg;
        let shift = cfg.page_shift;
        let page = 1usize << shift;
        let mut st = self.hal().lock();
        let (first, count, used, mapped_now) = {
            let a = st
                .bases
                .get(&base.0)
                .filter(|a| a.adapter == self.id())
                .ok_or(DmaError::UnknownMapRegisterBase)?;
            (a.first, a.count, a.used(), a.mappings.len())
        };
        if let Some(c) = self.channel() {
            match st.holders.get(&ChannelKey::Dma(c)) {
                Some(h) if h.adapter == self.id() && h.base == Some(base) => {}
                _ => return Err(DmaError::ChannelNotAllocated),
            }
            if mapped_now > 0 {
                return Err(DmaError::AlreadyMapped);
            }
        }
        if mdl.page_shift() != shift {
            return Err(DmaError::BadMdl(format!(
                "MDL pages are {} bytes, the hardware's {page}",
                1usize << mdl.page_shift()
            )));
        }
        mdl.check_range(current_va, length)?;
        let align = self.inner.alignment();
        let start = mdl.byte_offset() + current_va;
        for value in [start, length] {
            if value % align != 0 {
                return Err(DmaError::Misaligned {
                    value,
                    alignment: align,
                });
            }
        }
        let free = count - used;
        let in_page = start % page;
        let room = (free * page).saturating_sub(in_page);
        let mapped = length.min(room) / align * align;
        if mapped == 0 {
            return Err(DmaError::InsufficientResources {
                what: format!("all {count} map registers of this base are mapped"),
            });
        }
        let pages = span_pages(in_page as u64, mapped as u64, shift) as usize;
        let register = first + used;
        let writable = transfer == TransferType::Write;
        for k in 0..pages {
            let frame = mdl.frames()[start / page + k];
            if frame >> cfg.frame_bits() != 0 {
                return Err(DmaError::FrameOutOfRange {
                    address: frame << shift,
                });
            }
            let entry = rm::map::VALID.put(&cfg, 1)
                | rm::map::WRITABLE.put(&cfg, writable as u32)
                | rm::map::FRAME.put(&cfg, frame as u32);
            st.wr(rm::MAP.at(register + k), entry)?;
        }
        let logical = ((register << shift) + in_page) as u32;
        if let Some(c) = self.channel() {
            self.program_channel(&mut st, c, transfer, logical, (mapped / align) as u32)?;
        }
        if let Some(a) = st.bases.get_mut(&base.0) {
            a.mappings.push(Mapping {
                current_va,
                length: mapped,
                first_register: register,
                registers: pages,
                transfer,
            });
        }
        Ok((logical as u64, mapped))
    }

    /// Programs the 8237 the way an ISA HAL does, masked throughout, unmasked last.
    fn program_channel(
        &self,
        st: &mut HalState,
        c: usize,
        transfer: TransferType,
        logical: u32,
        units: u32,
    ) -> Result<()> {
        let cfg = self.hal().cfg;
        let d = &self.inner.description;
        let byte = |v: u32| rm::BYTE.put(&cfg, v & 0xFF);
        let ch = rm::single_mask::CHANNEL.put(&cfg, c as u32);
        st.wr(
            rm::SINGLE_MASK.offset,
            ch | rm::single_mask::SET.put(&cfg, 1),
        )?;
        // A stale TC or fault of an earlier transfer must not be mistaken for this one's.
        let bit = 1 << c;
        st.wr(
            rm::INT_STATUS.offset,
            rm::int_status::TC.put(&cfg, bit) | rm::int_status::FAULT.put(&cfg, bit),
        )?;
        let service = if d.uses_demand_mode() {
            ServiceMode::Demand
        } else {
            ServiceMode::Single
        };
        let mode = mode_byte(c, transfer, d.auto_initialize, false, service);
        st.wr(rm::CLEAR_FLIP_FLOP.offset, 0)?;
        st.wr(rm::MODE.offset, mode as u32)?;
        st.wr(
            rm::CH_CONFIG.at(c),
            rm::ch_config::WIDTH.put(&cfg, self.inner.unit() as u32),
        )?;
        st.wr(rm::PAGE.at(c), logical >> rm::COUNTER_BITS)?;
        st.wr(rm::DMA_ADDR.at(c), byte(logical))?;
        st.wr(rm::DMA_ADDR.at(c), byte(logical >> 8))?;
        let count = units - 1;
        st.wr(rm::DMA_COUNT.at(c), byte(count))?;
        st.wr(rm::DMA_COUNT.at(c), byte(count >> 8))?;
        st.wr(rm::SINGLE_MASK.offset, ch)?;
        Ok(())
    }

    /// `FlushAdapterBuffers`: completes a mapped transfer. For system DMA it masks the channel
    /// (which stops an auto-initialize ring) and waits until no unit is in flight; the map
    /// registers of the transfer are invalidated. CurrentVa, length and direction must be the
    /// ones `map_transfer` used and returned. A hardware fault during the transfer is reported
    /// as `Err(TransferFault)` after the transfer has been completed all the same.
    pub fn flush_adapter_buffers(
        &self,
        _mdl: &Mdl,
        base: MapRegisterBase,
        current_va: usize,
        length: usize,
        transfer: TransferType,
    ) -> Result<()> {
        let cfg = self.hal().cfg;
        let mut st = self.hal().lock();
        let a = st
            .bases
            .get_mut(&base.0)
            .filter(|a| a.adapter == self.id())
            .ok_or(DmaError::UnknownMapRegisterBase)?;
        let i = a
            .mappings
            .iter()
            .position(|m| {
                m.current_va == current_va && m.length == length && m.transfer == transfer
            })
            .ok_or(DmaError::NotMapped { current_va })?;
        let m = a.mappings.remove(i);
        let mut fault = None;
        if let Some(c) = self.channel() {
            let ours = st
                .holders
                .get(&ChannelKey::Dma(c))
                .is_some_and(|h| h.adapter == self.id());
            if ours {
                fault = self.stop_channel(&mut st, c)?;
            }
        }
        st.invalidate(m.first_register, m.registers)?;
        let _ = cfg;
        match fault {
            Some((cause, logical_address)) => Err(DmaError::TransferFault {
                channel: self.channel().unwrap_or(0),
                cause,
                logical_address,
            }),
            None => Ok(()),
        }
    }

    /// Masks channel `c`, waits for its in-flight units, collects and clears its fault.
    fn stop_channel(&self, st: &mut HalState, c: usize) -> Result<Option<(rm::FaultCause, u32)>> {
        const BUSY_POLLS: usize = 100_000;
        let cfg = self.hal().cfg;
        st.wr(
            rm::SINGLE_MASK.offset,
            rm::single_mask::CHANNEL.put(&cfg, c as u32) | rm::single_mask::SET.put(&cfg, 1),
        )?;
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
        let bit = 1 << c;
        st.wr(
            rm::INT_STATUS.offset,
            rm::int_status::TC.put(&cfg, bit) | rm::int_status::FAULT.put(&cfg, bit),
        )?;
        Ok(fault)
    }

    /// `ReadDmaCounter`: bytes left in the current transfer (or pass, in auto-initialize mode).
    pub fn read_dma_counter(&self) -> Result<u32> {
        Ok(self.read_dma_counter_ex()?.remaining)
    }

    /// `ReadDmaCounter` with the pass counter, read atomically through SNAP_COUNT (no
    /// flip-flop race between the two count bytes), SNAP_ADDR and SNAP_INFLIGHT latched in the
    /// same clock; the figures are of landed units (see [`DmaCounter`]).
    pub fn read_dma_counter_ex(&self) -> Result<DmaCounter> {
        let c = self.channel().ok_or(DmaError::NotSupported(
            "read_dma_counter is for system-DMA (subordinate) adapters",
        ))?;
        let cfg = self.hal().cfg;
        let mut st = self.hal().lock();
        let base = match st.holders.get(&ChannelKey::Dma(c)) {
            Some(h) if h.adapter == self.id() => h.base,
            _ => return Err(DmaError::ChannelNotAllocated),
        };
        let length = base
            .and_then(|b| st.bases.get(&b.0))
            .and_then(|a| a.mappings.first())
            .map(|m| m.length)
            .ok_or(DmaError::NotMapped { current_va: 0 })?;
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
            length as u32 / unit,
            unit,
            self.inner.description.auto_initialize,
        );
        Ok(DmaCounter {
            remaining: l.remaining_units * unit,
            passes: l.passes,
            transfer_length: length as u32,
            logical_address: l.logical_address,
            in_flight: in_flight * unit,
        })
    }

    /// `PutDmaAdapter`: releases the adapter. Channels, map registers, common buffers and
    /// queued requests must have been freed; otherwise the adapter comes back in the error.
    ///
    /// Use after put is prevented by ownership:
    /// ```compile_fail
    /// # use mapdma_host::*;
    /// # use mapdma_host::backend::reference::ReferenceModel;
    /// # let model = ReferenceModel::new(Default::default()).unwrap();
    /// # let system = DmaSystem::open(Box::new(model)).unwrap();
    /// let d = DeviceDescription::system_dma(0, DmaWidth::Width8Bits, 4096);
    /// let (adapter, _) = system.get_dma_adapter(&d).unwrap();
    /// adapter.put_dma_adapter().unwrap();
    /// adapter.get_dma_alignment(); // the adapter was moved into put_dma_adapter
    /// ```
    /// and an execution routine cannot keep the adapter view it is given:
    /// ```compile_fail
    /// # use mapdma_host::*;
    /// # use mapdma_host::backend::reference::ReferenceModel;
    /// # let model = ReferenceModel::new(Default::default()).unwrap();
    /// # let system = DmaSystem::open(Box::new(model)).unwrap();
    /// # let d = DeviceDescription::system_dma(0, DmaWidth::Width8Bits, 4096);
    /// # let (adapter, _) = system.get_dma_adapter(&d).unwrap();
    /// let mut kept = None;
    /// adapter.allocate_adapter_channel(&DeviceObject::new(), 1, |a, _| {
    ///     kept = Some(a);
    ///     IoAllocationAction::KeepObject
    /// });
    /// ```
    pub fn put_dma_adapter(mut self) -> std::result::Result<(), PutError> {
        let outstanding = self.outstanding();
        if !outstanding.is_empty() {
            return Err(PutError {
                adapter: self,
                error: DmaError::Outstanding(outstanding.join(", ")),
            });
        }
        self.owner = false;
        Ok(())
    }

    /// What `put_dma_adapter` would complain about.
    pub fn outstanding(&self) -> Vec<String> {
        let st = self.hal().lock();
        let id = self.id();
        let mut out = Vec::new();
        let queued = st
            .channel_waiters
            .iter()
            .chain(st.register_waiters.iter())
            .filter(|r| r.adapter.id == id)
            .count();
        if queued > 0 {
            out.push(format!("{queued} queued request(s)"));
        }
        if st.holders.values().any(|h| h.adapter == id && h.granted) {
            out.push("the channel is allocated".into());
        }
        let bases = st.bases.values().filter(|a| a.adapter == id).count();
        if bases > 0 {
            out.push(format!("{bases} map-register allocation(s)"));
        }
        let buffers = st
            .common_buffers
            .values()
            .filter(|b| b.adapter == id)
            .count();
        if buffers > 0 {
            out.push(format!("{buffers} common buffer(s)"));
        }
        out
    }

    /// Releases everything the adapter still holds (the drop path).
    fn force_release(&self) {
        let id = self.id();
        let cfg = self.hal().cfg;
        {
            let mut st = self.hal().lock();
            let st = &mut *st;
            st.channel_waiters.retain(|r| r.adapter.id != id);
            let mut dropped = Vec::new();
            st.register_waiters.retain(|r| {
                let mine = r.adapter.id == id;
                if mine {
                    dropped.push(r.key);
                }
                !mine
            });
            for k in dropped {
                st.holders.remove(&k);
            }
            let held: Vec<ChannelKey> = st
                .holders
                .iter()
                .filter(|(_, h)| h.adapter == id)
                .map(|(k, _)| *k)
                .collect();
            for k in held {
                st.holders.remove(&k);
                if let ChannelKey::Dma(c) = k {
                    let _ = st.wr(
                        rm::SINGLE_MASK.offset,
                        rm::single_mask::CHANNEL.put(&cfg, c as u32)
                            | rm::single_mask::SET.put(&cfg, 1),
                    );
                }
            }
            let bases: Vec<u64> = st
                .bases
                .iter()
                .filter(|(_, a)| a.adapter == id)
                .map(|(b, _)| *b)
                .collect();
            for b in bases {
                if let Some(a) = st.bases.remove(&b) {
                    let _ = st.release_registers(a.first, a.count);
                }
            }
            let buffers: Vec<u64> = st
                .common_buffers
                .iter()
                .filter(|(_, r)| r.adapter == id)
                .map(|(b, _)| *b)
                .collect();
            for b in buffers {
                let _ = crate::common_buffer::release(st, b);
            }
        }
        self.hal().pump();
    }
}

impl Drop for DmaAdapter {
    fn drop(&mut self) {
        if self.owner {
            self.force_release();
        }
    }
}
