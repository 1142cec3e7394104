//! A pure-Rust model of the mapdma hardware at transaction level, following `hdl/DESIGN.md`:
//! registers with their 8237 side effects, map-register translation and faults, the service
//! engine (one unit per unit-time), devices with a rate, RAM, and the bus-master translation
//! port's bursts (`bm_read`, `bm_write`: DESIGN §8). No clocks: a "unit-time" is
//! the time the engine needs to move one unit, the hardware's best case of one per clock.
//!
//! Time passes only when asked: [`ReferenceModel::advance`], [`DeviceHarness::idle`], or
//! `ticks_per_access` unit-times before every register access (so that a driver that only polls
//! registers sees the counter move, as it would on real hardware). `ticks_per_access` is **0 by
//! default**: registers are free, and a driver that busy-polls `read_dma_counter` without
//! letting time pass (`idle`) never sees progress. Set it with
//! [`ReferenceModel::set_ticks_per_access`] to run such a driver unchanged.
//!
//! For comparisons against the RTL the model exposes everything: [`ReferenceModel::dump`]
//! reads every register without side effects, [`ReferenceModel::controller`] the raw state.

mod bus_master;
mod controller;
mod decode;
mod device;
mod memory;

pub use bus_master::{
    BmBurst, BmOutcome, BmRoute, BM_MAX_BEATS, BM_MAX_SIZE, BURST_FIXED, BURST_INCR, BURST_WRAP,
};
pub use controller::{ChannelState, Controller};
pub use decode::{decode, Reg};
pub use device::Device;
pub use memory::{ErrorRange, Memory};

use mapdma_regmap::{self as rm, Config, MAX_CHANNELS};

use super::{Backend, BackendError, BusResponse, DeviceHarness, PhysicalMemory, RegisterBus};

/// Default RAM of the model: 16 MiB at 1 MiB.
pub const DEFAULT_RAM_BASE: u64 = 0x0010_0000;
pub const DEFAULT_RAM_BYTES: u64 = 16 << 20;

/// One register value of a dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterValue {
    pub name: &'static str,
    pub instance: usize,
    pub offset: u32,
    pub value: u32,
}

/// The reference model: controller, devices and memory.
#[derive(Clone, Debug)]
pub struct ReferenceModel {
    controller: Controller,
    devices: Vec<Device>,
    memory: Memory,
    ticks_per_access: u64,
    now: u64,
    units_moved: u64,
}

impl ReferenceModel {
    /// A model of `cfg` with the default RAM and `ticks_per_access` 0 (time passes only
    /// through `advance` or `idle`). The configuration must be valid.
    pub fn new(cfg: Config) -> Result<Self, rm::ConfigError> {
        Self::with_ram(
            cfg,
            DEFAULT_RAM_BASE,
            (DEFAULT_RAM_BYTES >> cfg.page_shift) as usize,
        )
    }

    /// A model with RAM at `[base, base + pages·page)`.
    pub fn with_ram(cfg: Config, base: u64, pages: usize) -> Result<Self, rm::ConfigError> {
        cfg.validate()?;
        Ok(ReferenceModel {
            controller: Controller::new(cfg),
            devices: vec![Device::default(); MAX_CHANNELS],
            memory: Memory::new(cfg.page_shift, base, pages),
            ticks_per_access: 0,
            now: 0,
            units_moved: 0,
        })
    }

    pub fn config(&self) -> &Config {
        self.controller.config()
    }

    /// Unit-times that pass before each register access (default 0: registers are free, so a
    /// driver that only polls registers sees no progress; 1 or more lets it see the engine move).
    pub fn set_ticks_per_access(&mut self, ticks: u64) {
        self.ticks_per_access = ticks;
    }

    /// Unit-times since creation.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Units moved by the engine since creation.
    pub fn units_moved(&self) -> u64 {
        self.units_moved
    }

    /// Lets `ticks` unit-times pass: each the engine may move one unit, then devices age.
    pub fn advance(&mut self, ticks: u64) {
        for _ in 0..ticks {
            if self
                .controller
                .step(&mut self.memory, &mut self.devices)
                .is_some()
            {
                self.units_moved += 1;
            }
            for d in &mut self.devices {
                d.tick();
            }
            self.now += 1;
        }
    }

    /// Hardware reset (map registers keep their contents).
    pub fn reset(&mut self) {
        self.controller.reset();
    }

    pub fn irq(&self) -> bool {
        self.controller.irq()
    }

    pub fn controller(&self) -> &Controller {
        &self.controller
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn memory_mut(&mut self) -> &mut Memory {
        &mut self.memory
    }

    pub fn device(&self, channel: usize) -> &Device {
        &self.devices[channel]
    }

    pub fn device_mut(&mut self, channel: usize) -> &mut Device {
        &mut self.devices[channel]
    }

    /// Every readable register instance, read without side effects.
    pub fn dump(&self) -> Vec<RegisterValue> {
        let cfg = *self.config();
        let mut out = Vec::new();
        for r in rm::REGISTERS {
            if !r.fields.iter().any(|f| f.access.readable()) {
                continue;
            }
            for i in 0..r.instances(&cfg) {
                let offset = r.at(i);
                if let Some(value) = self.controller.peek(offset, &self.devices) {
                    out.push(RegisterValue {
                        name: r.name,
                        instance: i,
                        offset,
                        value,
                    });
                }
            }
        }
        out
    }

    fn check_channel(&self, channel: usize) -> Result<(), BackendError> {
        if channel < self.config().channels {
            Ok(())
        } else {
            Err(BackendError::NoSuchChannel { channel })
        }
    }
}

impl RegisterBus for ReferenceModel {
    fn read32(&mut self, offset: u32) -> Result<u32, BackendError> {
        if !offset.is_multiple_of(4) {
            return Err(BackendError::Misaligned { offset });
        }
        self.advance(self.ticks_per_access);
        self.controller
            .read(offset, &self.devices)
            .ok_or(BackendError::Register {
                offset,
                response: BusResponse::SlaveError,
            })
    }

    fn write32(&mut self, offset: u32, value: u32) -> Result<(), BackendError> {
        if !offset.is_multiple_of(4) {
            return Err(BackendError::Misaligned { offset });
        }
        self.advance(self.ticks_per_access);
        if self.controller.write(offset, value) {
            Ok(())
        } else {
            Err(BackendError::Register {
                offset,
                response: BusResponse::SlaveError,
            })
        }
    }
}

impl PhysicalMemory for ReferenceModel {
    fn page_size(&self) -> u64 {
        self.memory.page_size()
    }

    fn allocate_pages(&mut self, count: usize) -> Result<Vec<u64>, BackendError> {
        self.memory.allocate_pages(count)
    }

    fn allocate_contiguous(&mut self, count: usize) -> Result<u64, BackendError> {
        self.memory.allocate_contiguous(count)
    }

    fn free_pages(&mut self, pages: &[u64]) -> Result<(), BackendError> {
        self.memory.free_pages(pages)
    }

    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), BackendError> {
        self.memory.read(address, buf)
    }

    fn write(&mut self, address: u64, data: &[u8]) -> Result<(), BackendError> {
        self.memory.write(address, data)
    }
}

impl DeviceHarness for ReferenceModel {
    fn push_source(&mut self, channel: usize, data: &[u8]) -> Result<(), BackendError> {
        self.check_channel(channel)?;
        self.devices[channel].push_source(data);
        Ok(())
    }

    fn source_pending(&mut self, channel: usize) -> Result<usize, BackendError> {
        self.check_channel(channel)?;
        Ok(self.devices[channel].source_pending())
    }

    fn grant_sink(&mut self, channel: usize, units: u64) -> Result<(), BackendError> {
        self.check_channel(channel)?;
        self.devices[channel].grant_sink(units);
        Ok(())
    }

    fn take_sink(&mut self, channel: usize) -> Result<Vec<u8>, BackendError> {
        self.check_channel(channel)?;
        Ok(self.devices[channel].take_sink())
    }

    fn set_period(&mut self, channel: usize, period: u32) -> Result<(), BackendError> {
        self.check_channel(channel)?;
        self.devices[channel].set_period(period);
        Ok(())
    }

    fn pulse_eop(&mut self, channel: usize) -> Result<(), BackendError> {
        self.check_channel(channel)?;
        self.controller.external_eop(channel);
        Ok(())
    }

    fn idle(&mut self, units: u64) -> Result<(), BackendError> {
        self.advance(units);
        Ok(())
    }
}

impl Backend for ReferenceModel {
    fn name(&self) -> &str {
        "reference"
    }

    /// Computed from INT_STATUS and INT_ENABLE as the design defines it; no time passes.
    fn irq(&mut self) -> Result<bool, BackendError> {
        Ok(self.controller.irq())
    }

    fn devices(&mut self) -> Option<&mut dyn DeviceHarness> {
        Some(self)
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

#[cfg(test)]
mod tests;
