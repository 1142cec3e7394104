//! The adapter object and its `DMA_OPERATIONS` routines (WDK names in snake_case).
//!
//! Direction vocabulary: this crate uses the **8237's** words through
//! [`mapdma_regmap::TransferType`]: `Write` = device → memory, `Read` = memory → device.
//! The WDK's `WriteToDevice = TRUE` is therefore `TransferType::Read`; [`write_to_device`]
//! converts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use mapdma_regmap::{self as rm, TransferType, UnitWidth};

pub use crate::action::IoAllocationAction;
use crate::description::DeviceDescription;
use crate::error::{DmaError, MappedTransfer, Result};
use crate::hal::{Call, ChannelKey, GrantRoutine, Hal, HalState, Mapping, Request, RoutineWait};
use crate::map_registers::MapRegisterBase;
use crate::mdl::{span_pages, Mdl};

/// The WDK's `WriteToDevice` flag in the 8237's vocabulary.
pub fn write_to_device(flag: bool) -> TransferType {
    if flag {
        TransferType::Read
    } else {
        TransferType::Write
    }
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

impl std::fmt::Display for PutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)
    }
}

/// Displays as its `error` (which is therefore not repeated as a source).
impl std::error::Error for PutError {}

/// For `?` in functions returning [`DmaError`]: the adapter is dropped, which releases what it
/// still holds.
impl From<PutError> for DmaError {
    fn from(e: PutError) -> Self {
        e.error
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

    pub(crate) fn hal(&self) -> &Arc<Hal> {
        &self.inner.hal
    }

    pub(crate) fn id(&self) -> u64 {
        self.inner.id
    }

    /// `GetDmaAlignment`: start and length of a transfer must be multiples of this.
    pub fn get_dma_alignment(&self) -> u32 {
        self.inner.alignment() as u32
    }

    /// `AllocateAdapterChannel`: asks for the channel (system DMA) or the adapter (bus master)
    /// and `number_of_map_registers` (at least one: every transfer goes through map
    /// registers); `routine` runs when both are the caller's, now or later in FIFO order.
    /// Zero or more registers than granted fails at once, as does a second request from a
    /// device object that has one queued or holds the channel. A system-DMA routine must
    /// return `KeepObject`; any other action stops the channel, releases the grant and makes
    /// the adapter's next call fail with `SystemDmaMustKeepObject`.
    pub fn allocate_adapter_channel(
        &self,
        device: &DeviceObject,
        number_of_map_registers: u32,
        routine: impl FnOnce(&DmaAdapter, MapRegisterBase) -> IoAllocationAction + Send + 'static,
    ) -> Result<AllocationStatus> {
        if number_of_map_registers == 0 {
            return Err(DmaError::ZeroMapRegisters);
        }
        self.allocate_internal(device.id, number_of_map_registers, Box::new(routine), None)
    }

    pub(crate) fn allocate_internal(
        &self,
        device: u64,
        registers: u32,
        routine: ExecutionRoutine,
        context: Option<u64>,
    ) -> Result<AllocationStatus> {
        {
            let mut st = self.hal().lock();
            let request = self.channel_request(&mut st, device, registers, routine, context)?;
            st.enqueue(request);
        }
        self.hal().pump();
        let mut st = self.hal().lock();
        st.take_violation(self.id())?;
        Ok(if st.is_waiting(device) {
            AllocationStatus::Queued
        } else {
            AllocationStatus::Executed
        })
    }

    /// Checks a channel request against the grant and the state, and binds the adapter view
    /// into its routine.
    pub(crate) fn channel_request(
        &self,
        st: &mut HalState,
        device: u64,
        registers: u32,
        routine: ExecutionRoutine,
        context: Option<u64>,
    ) -> Result<Request> {
        if registers > self.inner.granted {
            return Err(DmaError::TooManyMapRegisters {
                requested: registers,
                granted: self.inner.granted,
            });
        }
        let key = self.inner.key();
        st.take_violation(self.id())?;
        if st.device_busy(device, key) {
            return Err(DmaError::RequestPending { device });
        }
        let in_segment = self.channel().is_some();
        if !st.can_ever_fit(registers as usize, in_segment) {
            return Err(DmaError::InsufficientResources {
                what: format!("no run of {registers} map registers exists"),
            });
        }
        let inner = self.inner.clone();
        let bound: GrantRoutine = Box::new(move |base| routine(&DmaAdapter::borrowed(inner), base));
        Ok(Request {
            adapter: self.id(),
            device,
            registers: registers as usize,
            in_segment,
            key,
            routine: bound,
            context,
        })
    }

    /// `FreeAdapterChannel`: releases the channel and the map registers of the grant, then
    /// runs queued requests. Every mapped transfer must have been flushed. An execution
    /// routine that is still returning on another thread is waited for (it may hand out its
    /// results before its `KeepObject` is recorded); called from inside the routine itself it
    /// fails, since the routine has not kept the channel yet.
    pub fn free_adapter_channel(&self) -> Result<()> {
        let key = self.inner.key();
        {
            let st = self.hal().lock();
            let (mut st, wait) = self.hal().wait_routine(st, self.id());
            st.take_violation(self.id())?;
            if wait == RoutineWait::InsideRoutine {
                return Err(DmaError::ChannelNotAllocated);
            }
            st.free_channel(self.id(), key)?;
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
        self.hal()
            .lock()
            .free_kept(self.id(), base, number_of_map_registers as usize)?;
        self.hal().pump();
        Ok(())
    }

    /// `MapTransfer`: loads map registers for `[current_va, current_va + length)` of `mdl`
    /// (CurrentVa is an offset into the MDL) and, for system DMA, programs and unmasks the
    /// 8237 channel. Returns the logical address and the bytes mapped, which is less than
    /// `length` when the map registers end first: map the rest after flushing.
    ///
    /// `transfer` is `Write` (device → memory) or `Read` (memory → device); see
    /// [`DmaAdapter::map_transfer_wdk`] for the WDK's `WriteToDevice` form. `Verify` moves no
    /// data and is refused.
    pub fn map_transfer(
        &self,
        mdl: &Mdl,
        base: MapRegisterBase,
        current_va: usize,
        length: usize,
        transfer: TransferType,
    ) -> Result<(u64, usize)> {
        if transfer == TransferType::Verify {
            return Err(DmaError::NotSupported(
                "TransferType::Verify moves no data: map Write (device → memory) or Read \
                 (memory → device)",
            ));
        }
        let cfg = self.hal().cfg();
        let shift = cfg.page_shift;
        let page = 1usize << shift;
        let mut st = self.hal().lock();
        st.take_violation(self.id())?;
        let room = st.base_room(self.id(), base)?;
        if let Some(c) = self.channel() {
            match st.held_base(self.id(), ChannelKey::Dma(c)) {
                Some(b) if b == Some(base) => {}
                _ => return Err(DmaError::ChannelNotAllocated),
            }
            if room.mapped > 0 {
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
        let in_page = start % page;
        let fits = (room.free * page).saturating_sub(in_page);
        let mapped = length.min(fits) / align * align;
        if mapped == 0 {
            return Err(DmaError::InsufficientResources {
                what: format!("all {} map registers of this base are mapped", room.count),
            });
        }
        let pages = span_pages(in_page as u64, mapped as u64, shift) as usize;
        let frames = &mdl.frames()[start / page..start / page + pages];
        if let Some(&frame) = frames.iter().find(|f| *f >> cfg.frame_bits() != 0) {
            return Err(DmaError::FrameOutOfRange {
                address: frame << shift,
            });
        }
        let register = room.next_register;
        let writable = transfer == TransferType::Write;
        for (k, &frame) in frames.iter().enumerate() {
            let entry = rm::map::VALID.put(&cfg, 1)
                | rm::map::WRITABLE.put(&cfg, writable as u32)
                | rm::map::FRAME.put(&cfg, frame as u32);
            st.wr(rm::MAP.at(register + k), entry)?;
        }
        let logical = ((register << shift) + in_page) as u32;
        let mapping = Mapping {
            current_va,
            length: mapped,
            first_register: register,
            registers: pages,
            transfer,
            frames: frames.to_vec(),
        };
        if let Some(c) = self.channel() {
            if let Err(e) = self.program_channel(&mut st, c, transfer, logical, mapped / align) {
                let _ = st.unmap(&mapping);
                return Err(e);
            }
        }
        st.add_mapping(base, mapping);
        Ok((logical as u64, mapped))
    }

    /// [`DmaAdapter::map_transfer`] with the WDK's direction flag: `write_to_device = true` is
    /// memory → device.
    pub fn map_transfer_wdk(
        &self,
        mdl: &Mdl,
        base: MapRegisterBase,
        current_va: usize,
        length: usize,
        write_to_device: bool,
    ) -> Result<(u64, usize)> {
        let transfer = self::write_to_device(write_to_device);
        self.map_transfer(mdl, base, current_va, length, transfer)
    }

    /// `FlushAdapterBuffers`: completes a mapped transfer. For system DMA it masks the channel
    /// (which stops an auto-initialize ring) and waits until no unit is in flight; the map
    /// registers of the transfer are invalidated. CurrentVa, length and direction must be the
    /// ones `map_transfer` used and returned (the error lists what is mapped otherwise). A
    /// hardware fault during the transfer is reported as `Err(TransferFault)` after the
    /// transfer has been completed all the same. A completion routine that `map_transfer_ex`
    /// armed and that has not had its final call runs now, with `Aborted` (or `Error`).
    pub fn flush_adapter_buffers(
        &self,
        _mdl: &Mdl,
        base: MapRegisterBase,
        current_va: usize,
        length: usize,
        transfer: TransferType,
    ) -> Result<()> {
        let mut st = self.hal().lock();
        st.take_violation(self.id())?;
        let wanted = MappedTransfer {
            current_va,
            length,
            transfer,
        };
        let m = st.take_mapping(self.id(), base, wanted)?;
        let mut fault = Ok(None);
        let mut calls = Vec::new();
        if let Some(c) = self.channel() {
            if st.held_base(self.id(), ChannelKey::Dma(c)).is_some() {
                // A terminal count the dispatcher has not serviced yet still completes.
                let tc_pending = st.tc_pending(c);
                fault = self.stop_channel(&mut st, c);
                if let Some(a) = st.disarm_completion(c) {
                    let fault = fault.as_ref().ok().copied().flatten();
                    calls = Call::at_flush(&a, tc_pending, fault);
                }
            }
        }
        let unmapped = st.unmap(&m);
        drop(st);
        for call in calls {
            call.run();
        }
        unmapped?;
        match fault? {
            Some((cause, logical_address)) => Err(DmaError::TransferFault {
                channel: self.channel().unwrap_or(0),
                cause,
                logical_address,
            }),
            None => Ok(()),
        }
    }

    /// [`DmaAdapter::flush_adapter_buffers`] with the WDK's direction flag.
    pub fn flush_adapter_buffers_wdk(
        &self,
        mdl: &Mdl,
        base: MapRegisterBase,
        current_va: usize,
        length: usize,
        write_to_device: bool,
    ) -> Result<()> {
        let transfer = self::write_to_device(write_to_device);
        self.flush_adapter_buffers(mdl, base, current_va, length, transfer)
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
        let violation = self.hal().lock().take_violation(self.id());
        if let Err(error) = violation {
            return Err(PutError {
                adapter: self,
                error,
            });
        }
        self.owner = false;
        Ok(())
    }

    /// What `put_dma_adapter` would complain about.
    pub fn outstanding(&self) -> Vec<String> {
        self.hal().lock().outstanding(self.id())
    }
}

impl Drop for DmaAdapter {
    /// Releases everything the adapter still holds, after its execution routine (if one is
    /// running on another thread) has returned.
    fn drop(&mut self) {
        if self.owner {
            self.hal().release_adapter(self.id());
        }
    }
}
