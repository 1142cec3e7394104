//! `GetScatterGatherList` / `PutScatterGatherList` and version 2's
//! `CalculateScatterGatherList` / `BuildScatterGatherList`, for bus-master adapters.
//!
//! They are `allocate_adapter_channel` + a `map_transfer` loop + `DeallocateObjectKeepRegisters`
//! underneath, as in the HAL. Because map registers make any set of pages logically
//! contiguous, a list built here has one element per map-register run: one, when the adapter's
//! registers cover the request. System-DMA adapters use `map_transfer` instead: the HAL owns
//! their 8237 channel, so a list of addresses would be of no use to their drivers.

use mapdma_regmap::TransferType;

use crate::adapter::{AllocationStatus, DmaAdapter, IoAllocationAction};
use crate::error::{DmaError, MappedTransfer, Result};
use crate::map_registers::MapRegisterBase;
use crate::mdl::{bytes_to_pages, span_pages, Mdl};
use crate::v3::{AllocateFlags, ChainWindow};

/// Bytes of a `SCATTER_GATHER_LIST` header and of one element in the 64-bit WDK layout.
pub const SG_LIST_HEADER_BYTES: usize = 16;
pub const SG_ELEMENT_BYTES: usize = 24;

/// `SCATTER_GATHER_ELEMENT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScatterGatherElement {
    /// Logical (device) address.
    pub address: u64,
    pub length: u32,
}

/// `SCATTER_GATHER_LIST`: owns its map registers until `put_scatter_gather_list`.
#[derive(Debug)]
pub struct ScatterGatherList {
    elements: Vec<ScatterGatherElement>,
    base: MapRegisterBase,
    registers: u32,
    adapter: u64,
    transfer: TransferType,
    /// The MDL range of each `map_transfer` that built an element (one MDL for the version-1
    /// routines; one per logically contiguous run of an MDL chain for the version-3 ones).
    pieces: Vec<ChainWindow>,
}

impl ScatterGatherList {
    pub fn elements(&self) -> &[ScatterGatherElement] {
        &self.elements
    }

    pub fn number_of_elements(&self) -> usize {
        self.elements.len()
    }

    /// Total bytes described.
    pub fn total_length(&self) -> u64 {
        self.elements.iter().map(|e| e.length as u64).sum()
    }
}

/// What `calculate_scatter_gather_list` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScatterGatherSize {
    /// Bytes of the WDK structure for this list.
    pub list_bytes: usize,
    pub elements: usize,
    pub map_registers: u32,
}

/// The list-control routine (`DRIVER_LIST_CONTROL`); it gets the error if mapping failed.
pub type ListControl = Box<dyn FnOnce(&DmaAdapter, Result<ScatterGatherList>) + Send>;

impl DmaAdapter {
    pub(crate) fn require_master(&self) -> Result<()> {
        if self.channel().is_some() {
            return Err(DmaError::NotSupported(
                "scatter/gather lists are for bus-master adapters; system DMA uses map_transfer",
            ));
        }
        Ok(())
    }

    fn require_version2(&self) -> Result<()> {
        if self.operations_version() < 2 {
            return Err(DmaError::NotSupported(
                "this routine is in DMA_OPERATIONS version 2 (DEVICE_DESCRIPTION version 2 or 3)",
            ));
        }
        Ok(())
    }

    /// Map registers a list for `[current_va, +length)` of `mdl` needs.
    pub(crate) fn sg_registers(&self, mdl: &Mdl, current_va: usize, length: usize) -> Result<u32> {
        mdl.check_range(current_va, length)?;
        let regs = span_pages(
            (mdl.byte_offset() + current_va) as u64,
            length as u64,
            mdl.page_shift(),
        ) as u32;
        if regs > self.map_registers() {
            return Err(DmaError::TooManyMapRegisters {
                requested: regs,
                granted: self.map_registers(),
            });
        }
        Ok(regs)
    }

    /// `GetScatterGatherList`: maps the range and calls `list_control` with the list, now or
    /// when map registers free up.
    pub fn get_scatter_gather_list(
        &self,
        mdl: &Mdl,
        current_va: usize,
        length: usize,
        transfer: TransferType,
        list_control: impl FnOnce(&DmaAdapter, Result<ScatterGatherList>) + Send + 'static,
    ) -> Result<AllocationStatus> {
        self.require_master()?;
        let regs = self.sg_registers(mdl, current_va, length)?;
        self.start_list(
            vec![ChainWindow {
                mdl: mdl.clone(),
                current_va,
                length,
            }],
            transfer,
            regs,
            Vec::new(),
            Box::new(list_control),
            None,
            AllocateFlags::None,
        )
    }

    /// Allocates `regs` map registers and, once granted, maps each run with `map_transfer`
    /// (one element per call) and hands the list to `list_control`. With
    /// `AllocateFlags::SynchronousCallback` the grant happens now (the routine has run when
    /// this returns) or the call fails with `InsufficientResources` and nothing is queued.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start_list(
        &self,
        runs: Vec<ChainWindow>,
        transfer: TransferType,
        regs: u32,
        storage: Vec<ScatterGatherElement>,
        list_control: ListControl,
        context: Option<u64>,
        flags: AllocateFlags,
    ) -> Result<AllocationStatus> {
        // A list request is not tied to a device object's single wait block.
        let device = self.inner.hal.id();
        let adapter_id = self.inner.id;
        let routine = move |adapter: &DmaAdapter, base: MapRegisterBase| {
            let mut elements = storage;
            elements.clear();
            let mut pieces = Vec::new();
            let mut failure = None;
            'runs: for run in &runs {
                let end = run.current_va + run.length;
                let mut at = run.current_va;
                while at < end {
                    match adapter.map_transfer(&run.mdl, base, at, end - at, transfer) {
                        Ok((address, n)) => {
                            elements.push(ScatterGatherElement {
                                address,
                                length: n as u32,
                            });
                            pieces.push(ChainWindow {
                                mdl: run.mdl.clone(),
                                current_va: at,
                                length: n,
                            });
                            at += n;
                        }
                        Err(e) => {
                            failure = Some(e);
                            break 'runs;
                        }
                    }
                }
            }
            let list = ScatterGatherList {
                elements,
                base,
                registers: regs,
                adapter: adapter_id,
                transfer,
                pieces,
            };
            match failure {
                None => list_control(adapter, Ok(list)),
                Some(e) => {
                    let _ = release_list(adapter, list);
                    list_control(adapter, Err(e));
                }
            }
            IoAllocationAction::DeallocateObjectKeepRegisters
        };
        match flags {
            AllocateFlags::None => self.allocate_internal(device, regs, Box::new(routine), context),
            AllocateFlags::SynchronousCallback => {
                let request = self.channel_request(
                    &mut self.hal().lock(),
                    device,
                    regs,
                    Box::new(routine),
                    context,
                )?;
                self.hal().grant_now(request)?;
                self.hal().lock().take_violation(self.id())?;
                Ok(AllocationStatus::Executed)
            }
        }
    }

    /// `PutScatterGatherList`: flushes every piece and frees the list's map registers.
    pub fn put_scatter_gather_list(
        &self,
        list: ScatterGatherList,
        transfer: TransferType,
    ) -> Result<()> {
        if list.adapter != self.inner.id {
            return Err(DmaError::UnknownMapRegisterBase);
        }
        if list.transfer != transfer {
            let mapped = |transfer| -> Vec<MappedTransfer> {
                list.pieces
                    .iter()
                    .map(|p| MappedTransfer {
                        current_va: p.current_va,
                        length: p.length,
                        transfer,
                    })
                    .collect()
            };
            return Err(DmaError::NotMapped {
                wanted: mapped(transfer).first().copied().unwrap_or(MappedTransfer {
                    current_va: 0,
                    length: 0,
                    transfer,
                }),
                mapped: mapped(list.transfer),
            });
        }
        release_list(self, list)
    }

    /// `CalculateScatterGatherList` (version 2): size of the list for a range of `mdl`, or,
    /// without an MDL, the worst case for `length` bytes.
    pub fn calculate_scatter_gather_list(
        &self,
        mdl: Option<&Mdl>,
        current_va: usize,
        length: usize,
    ) -> Result<ScatterGatherSize> {
        self.require_version2()?;
        self.require_master()?;
        if length == 0 {
            return Err(DmaError::ZeroLength);
        }
        let shift = self.inner.hal.cfg().page_shift;
        let regs = match mdl {
            Some(m) => self.sg_registers(m, current_va, length)?,
            None => {
                let worst = bytes_to_pages(length as u64, shift) as u32 + 1;
                if worst > self.map_registers() {
                    return Err(DmaError::TooManyMapRegisters {
                        requested: worst,
                        granted: self.map_registers(),
                    });
                }
                worst
            }
        };
        // The registers cover the whole range, so one map_transfer maps it: one element.
        let elements = 1;
        Ok(ScatterGatherSize {
            list_bytes: SG_LIST_HEADER_BYTES + elements * SG_ELEMENT_BYTES,
            elements,
            map_registers: regs,
        })
    }

    /// `BuildScatterGatherList` (version 2): as `get_scatter_gather_list`, into caller storage
    /// (its capacity is the buffer size, in elements).
    #[allow(clippy::too_many_arguments)]
    pub fn build_scatter_gather_list(
        &self,
        mdl: &Mdl,
        current_va: usize,
        length: usize,
        transfer: TransferType,
        storage: Vec<ScatterGatherElement>,
        list_control: impl FnOnce(&DmaAdapter, Result<ScatterGatherList>) + Send + 'static,
    ) -> Result<AllocationStatus> {
        let size = self.calculate_scatter_gather_list(Some(mdl), current_va, length)?;
        if storage.capacity() < size.elements {
            return Err(DmaError::BufferTooSmall {
                needed: size.elements,
                given: storage.capacity(),
            });
        }
        self.start_list(
            vec![ChainWindow {
                mdl: mdl.clone(),
                current_va,
                length,
            }],
            transfer,
            size.map_registers,
            storage,
            Box::new(list_control),
            None,
            AllocateFlags::None,
        )
    }
}

fn release_list(adapter: &DmaAdapter, list: ScatterGatherList) -> Result<()> {
    for p in &list.pieces {
        adapter.flush_adapter_buffers(&p.mdl, list.base, p.current_va, p.length, list.transfer)?;
    }
    adapter.free_map_registers(list.base, list.registers)
}
