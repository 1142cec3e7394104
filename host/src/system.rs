//! `DmaSystem`: one mapdma instance behind a backend, opened once (hardware discovery and
//! reset), the source of adapters (`IoGetDmaAdapter`) and of driver memory.

use std::sync::Arc;

use mapdma_regmap::{self as rm, Config};

use crate::adapter::DmaAdapter;
use crate::backend::{Backend, BackendError, DeviceHarness};
use crate::buffer::PageBuffer;
use crate::description::DeviceDescription;
use crate::error::{DmaError, Result};
use crate::hal::Hal;
use crate::map_registers::segment_pages;
use crate::mdl::bytes_to_pages;

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
        Ok(DmaSystem {
            hal: Arc::new(Hal::new(cfg, backend)),
        })
    }

    /// The hardware's configuration as discovered.
    pub fn config(&self) -> Config {
        self.hal.cfg()
    }

    /// `IoGetDmaAdapter`: validates the description and returns the adapter and the number of
    /// map registers one transfer may use: `BYTES_TO_PAGES(MaximumLength) + 1`, capped by the
    /// hardware's map registers and, for system DMA, by one 64 KiB logical segment.
    pub fn get_dma_adapter(&self, description: &DeviceDescription) -> Result<(DmaAdapter, u32)> {
        let cfg = self.hal.cfg();
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
        f(self.hal.lock().backend())
    }

    /// Runs `f` on the reference model, if that is the backend.
    pub fn with_reference_model<R>(
        &self,
        f: impl FnOnce(&mut crate::backend::reference::ReferenceModel) -> R,
    ) -> Option<R> {
        let mut st = self.hal.lock();
        st.backend()
            .as_any_mut()
            .and_then(|a| a.downcast_mut())
            .map(f)
    }

    /// Runs `f` on the backend's devices; `Err` if it has none. Time passes in `f` (devices
    /// stream, the controller moves units), so afterwards the interrupt is serviced as the
    /// CPU would take it: completion routines armed by `map_transfer_ex` run here (see
    /// [`DmaSystem::dispatch_interrupts`]).
    pub fn with_devices<R>(
        &self,
        f: impl FnOnce(&mut dyn DeviceHarness) -> std::result::Result<R, BackendError>,
    ) -> Result<R> {
        let (r, armed) = {
            let mut st = self.hal.lock();
            let armed = st.has_armed_completions();
            let devices = st.backend().devices().ok_or(BackendError::NoDevices)?;
            (f(devices)?, armed)
        };
        if armed {
            self.hal.dispatch_interrupts()?;
        }
        Ok(r)
    }

    /// The HAL's interrupt service routine and DPC in one: if the controller's `irq` is high,
    /// reads INT_STATUS, acknowledges the events of channels with a completion routine armed
    /// (write 1 to clear) and runs those routines, each once per event, on this thread and
    /// without the HAL lock (see [`crate::completion`]). Returns how many routines ran. A
    /// driver on a backend whose time runs by itself (a board) calls this from its loop; the
    /// test benches' [`DmaSystem::with_devices`] calls it after time has passed.
    pub fn dispatch_interrupts(&self) -> Result<usize> {
        self.hal.dispatch_interrupts()
    }

    /// The controller's `irq` line as the backend sees it now.
    pub fn irq(&self) -> Result<bool> {
        Ok(self.hal.lock().backend().irq()?)
    }

    /// Map registers in use (by channels, kept bases and common buffers).
    pub fn map_registers_in_use(&self) -> usize {
        self.hal.lock().registers_in_use()
    }

    /// Requests waiting for a channel or map registers.
    pub fn waiting_requests(&self) -> usize {
        self.hal.lock().waiting()
    }
}
