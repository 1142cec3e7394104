//! Register-level programming helpers for scenarios: what a driver does to set up a channel,
//! written once against the register map (`mapdma-regmap`), so tests and benchmarks do not
//! repeat offsets or encodings.

use crate::engine::Engine;
use crate::system::{SimError, System};
use mapdma_regmap as rm;
use mapdma_regmap::{ServiceMode, TransferType, UnitWidth};

/// One channel's programming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelSetup {
    pub channel: usize,
    /// Logical start address: page register ‖ 16-bit address register.
    pub logical: u32,
    /// Units per pass (1..=65536); the count register gets `units - 1`.
    pub units: u32,
    pub width: UnitWidth,
    pub transfer: TransferType,
    pub autoinit: bool,
    pub decrement: bool,
    pub mode: ServiceMode,
}

/// The atomic counter snapshot of a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// Current count (units − 1).
    pub count: u32,
    /// Terminal counts since the count was last written.
    pub passes: u32,
    /// Current logical address.
    pub addr: u32,
}

impl<E: Engine> System<E> {
    /// Writes the low byte of an 8237 port register.
    pub fn write_port(&mut self, offset: u32, byte: u8) -> Result<(), SimError> {
        self.axil_write(offset, byte as u32)
    }

    /// Masks (`true`) or unmasks one channel through the single-mask port.
    pub fn set_mask(&mut self, channel: usize, masked: bool) -> Result<(), SimError> {
        let c = *self.config();
        let v = rm::single_mask::CHANNEL.put(&c, channel as u32)
            | rm::single_mask::SET.put(&c, masked as u32);
        self.axil_write(rm::SINGLE_MASK.offset, v)
    }

    /// Sets or clears a channel's software request.
    pub fn software_request(&mut self, channel: usize, on: bool) -> Result<(), SimError> {
        let c = *self.config();
        let v = rm::request::CHANNEL.put(&c, channel as u32) | rm::request::SET.put(&c, on as u32);
        self.axil_write(rm::REQUEST.offset, v)
    }

    /// Programs a channel the way an 8237 driver does (masked while it is changed), leaving it
    /// masked; unmask it with [`System::set_mask`] to start.
    pub fn program_channel(&mut self, s: &ChannelSetup) -> Result<(), SimError> {
        if s.channel >= self.config().channels || !(1..=65536).contains(&s.units) {
            return Err(SimError::Unsupported(format!(
                "channel {} with {} units cannot be programmed on {} channel(s)",
                s.channel,
                s.units,
                self.config().channels
            )));
        }
        let c = *self.config();
        let ch = s.channel;
        self.set_mask(ch, true)?;
        self.axil_write(rm::CLEAR_FLIP_FLOP.offset, 0)?;
        let addr = s.logical & 0xFFFF;
        self.write_port(rm::DMA_ADDR.at(ch), addr as u8)?;
        self.write_port(rm::DMA_ADDR.at(ch), (addr >> 8) as u8)?;
        let count = s.units - 1;
        self.write_port(rm::DMA_COUNT.at(ch), count as u8)?;
        self.write_port(rm::DMA_COUNT.at(ch), (count >> 8) as u8)?;
        self.axil_write(rm::PAGE.at(ch), s.logical >> 16)?;
        self.axil_write(
            rm::CH_CONFIG.at(ch),
            rm::ch_config::WIDTH.put(&c, s.width as u32),
        )?;
        let mode = rm::mode_byte(ch, s.transfer, s.autoinit, s.decrement, s.mode);
        self.write_port(rm::MODE.offset, mode)
    }

    /// Points map registers `first..` at consecutive physical frames starting at `frame`.
    pub fn map_pages(
        &mut self,
        first: usize,
        pages: usize,
        frame: u32,
        writable: bool,
    ) -> Result<(), SimError> {
        let c = *self.config();
        if first + pages > c.map_registers {
            return Err(SimError::Unsupported(format!(
                "map registers {first}..{} do not exist ({} configured)",
                first + pages,
                c.map_registers
            )));
        }
        for i in 0..pages {
            let v = rm::map::VALID.put(&c, 1)
                | rm::map::WRITABLE.put(&c, writable as u32)
                | rm::map::FRAME.put(&c, frame + i as u32);
            self.axil_write(rm::MAP.at(first + i), v)?;
        }
        Ok(())
    }

    /// Reads a channel's atomic count/pass snapshot and the address latched with it.
    pub fn snapshot(&mut self, channel: usize) -> Result<Snapshot, SimError> {
        let c = *self.config();
        let v = self.axil_read(rm::SNAP_COUNT.at(channel))?;
        let addr = self.axil_read(rm::SNAP_ADDR.at(channel))?;
        Ok(Snapshot {
            count: rm::snap_count::COUNT.get(&c, v),
            passes: rm::snap_count::PASSES.get(&c, v),
            addr,
        })
    }
}
