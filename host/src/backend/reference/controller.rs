//! The controller of the reference model: 8237 registers, native registers, map registers and
//! the service engine, at transaction level (one unit per unit-time, no clocks), following
//! `hdl/DESIGN.md` §2–§6.

use mapdma_regmap::{self as rm, Config, FaultCause, ServiceMode, TransferType, MAX_CHANNELS};

use super::decode::{Decoder, Reg};
use super::device::Device;
use super::memory::Memory;
use crate::backend::BusResponse;

/// State of one channel, public so that comparisons against the RTL can read all of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelState {
    pub base_address: u16,
    pub current_address: u16,
    pub base_count: u16,
    pub current_count: u16,
    pub page: u32,
    /// Mode byte as written, channel bits zero.
    pub mode: u8,
    /// CH_CONFIG.WIDTH code (0 = 8, 1 = 16, 2 = 32 bits, 3 = 8 bits).
    pub width: u32,
    pub masked: bool,
    pub sw_request: bool,
    pub passes: u16,
    pub halted: bool,
    pub fault_cause: FaultCause,
    pub fault_address: u32,
    /// A block service is in progress (runs until TC or EOP regardless of DREQ).
    pub block_active: bool,
    /// `eop_out` pulses so far (terminal counts and external EOPs).
    pub eop_pulses: u64,
}

impl Default for ChannelState {
    fn default() -> Self {
        ChannelState {
            base_address: 0,
            current_address: 0,
            base_count: 0,
            current_count: 0,
            page: 0,
            mode: 0,
            width: 0,
            masked: true,
            sw_request: false,
            passes: 0,
            halted: false,
            fault_cause: FaultCause::None,
            fault_address: 0,
            block_active: false,
            eop_pulses: 0,
        }
    }
}

impl ChannelState {
    fn field(&self, f: &rm::Field) -> u32 {
        f.get(&Config::default(), self.mode as u32)
    }

    pub fn transfer(&self) -> TransferType {
        match self.field(&rm::mode::TRANSFER) {
            1 => TransferType::Write,
            2 => TransferType::Read,
            _ => TransferType::Verify,
        }
    }

    pub fn service(&self) -> ServiceMode {
        match self.field(&rm::mode::MODE) {
            0 => ServiceMode::Demand,
            1 => ServiceMode::Single,
            2 => ServiceMode::Block,
            _ => ServiceMode::Cascade,
        }
    }

    pub fn autoinit(&self) -> bool {
        self.field(&rm::mode::AUTOINIT) != 0
    }

    pub fn decrement(&self) -> bool {
        self.field(&rm::mode::DECREMENT) != 0
    }

    /// Bytes per unit (width code 3 moves 8-bit units).
    pub fn unit_bytes(&self) -> u32 {
        match self.width {
            1 => 2,
            2 => 4,
            _ => 1,
        }
    }
}

/// Everything the controller holds.
#[derive(Clone, Debug)]
pub struct Controller {
    cfg: Config,
    decoder: Decoder,
    pub channels: [ChannelState; MAX_CHANNELS],
    pub command: u8,
    /// Status TC bits (sticky, cleared by a status read).
    pub tc_status: u8,
    /// Byte-pointer flip-flop: false = next access is the LSB.
    pub flip_flop: bool,
    pub int_status: u32,
    pub int_enable: u32,
    pub snap_address: [u32; MAX_CHANNELS],
    pub map: Vec<u32>,
    /// The bus-master port's fault record: BM_FAULT (cause, write) and BM_FAULT_ADDR
    /// (`bus_master.rs`).
    pub bm_fault: u32,
    pub bm_fault_addr: u32,
    /// Channel that owns the engine (block service, or demand service while DREQ holds).
    pub owner: Option<usize>,
    /// Last channel that moved a unit (for rotating priority).
    pub last_served: Option<usize>,
    /// Temporary register: the last unit of a memory-to-memory transfer (DESIGN §3a).
    pub temporary: u32,
}

impl Controller {
    pub fn new(cfg: Config) -> Self {
        Controller {
            cfg,
            decoder: Decoder::new(&cfg),
            channels: Default::default(),
            command: 0,
            tc_status: 0,
            flip_flop: false,
            int_status: 0,
            int_enable: rm::INT_ENABLE.reset(&cfg),
            snap_address: [0; MAX_CHANNELS],
            // Power-up contents are invalid.
            map: vec![0; cfg.map_registers],
            bm_fault: 0,
            bm_fault_addr: 0,
            owner: None,
            last_served: None,
            temporary: 0,
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Hardware reset: everything but the map registers.
    pub fn reset(&mut self) {
        let map = std::mem::take(&mut self.map);
        *self = Controller::new(self.cfg);
        self.map = map;
    }

    fn configured(&self, c: usize) -> bool {
        c < self.cfg.channels
    }

    fn logical_mask(&self) -> u32 {
        rm::SNAP_ADDR.fields[0].mask(&self.cfg)
    }

    /// Logical address `page ‖ address` of a channel.
    pub fn logical(&self, c: usize) -> u32 {
        let ch = &self.channels[c];
        ((ch.page << rm::COUNTER_BITS) | ch.current_address as u32) & self.logical_mask()
    }

    pub fn irq(&self) -> bool {
        self.int_status & self.int_enable != 0
    }

    fn command_bit(&self, f: &rm::Field) -> bool {
        f.get(&self.cfg, self.command as u32) != 0
    }

    /// DREQ as the controller sees it (pin level after COMMAND.DREQ_SENSE_LOW).
    pub fn dreq(&self, c: usize, devices: &[Device]) -> bool {
        devices[c].dreq_pin() ^ self.command_bit(&rm::command::DREQ_LOW)
    }

    fn all_masks(&self) -> u32 {
        (0..MAX_CHANNELS).fold(0, |m, c| {
            m | (((!self.configured(c) || self.channels[c].masked) as u32) << c)
        })
    }

    /// Register read with its side effects (status clear, flip-flop toggle, snapshot latch).
    /// `None` where no register exists.
    pub fn read(&mut self, offset: u32, devices: &[Device]) -> Option<u32> {
        let reg = self.decoder.decode(offset)?;
        let v = self.peek_decoded(reg, devices);
        match reg {
            Reg::Address(_) | Reg::Count(_) => {
                self.flip_flop = !self.flip_flop;
            }
            Reg::CommandStatus => self.tc_status = 0,
            Reg::SnapCount(c) if self.configured(c) => self.snap_address[c] = self.logical(c),
            _ => {}
        }
        Some(v)
    }

    /// Register value without side effects (for dumps and comparisons). For the 8237 address
    /// and count ports it returns the byte the flip-flop selects.
    pub fn peek(&self, offset: u32, devices: &[Device]) -> Option<u32> {
        self.decoder
            .decode(offset)
            .map(|r| self.peek_decoded(r, devices))
    }

    fn peek_decoded(&self, reg: Reg, devices: &[Device]) -> u32 {
        let cfg = &self.cfg;
        let sel = |v: u16| if self.flip_flop { v >> 8 } else { v & 0xFF } as u32;
        match reg {
            Reg::Address(c) if self.configured(c) => sel(self.channels[c].current_address),
            Reg::Count(c) if self.configured(c) => sel(self.channels[c].current_count),
            Reg::CommandStatus => {
                let req = (0..self.cfg.channels).fold(0, |m, c| {
                    m | (((self.dreq(c, devices) || self.channels[c].sw_request) as u32) << c)
                });
                rm::status::TC.put(cfg, self.tc_status as u32) | rm::status::REQUEST.put(cfg, req)
            }
            Reg::AllMask => {
                let ones = rm::ALL_MASK
                    .field("ONES")
                    .map_or(0, |f| f.put(cfg, f.reset_value(cfg)));
                ones | self.all_masks()
            }
            Reg::Page(c) if self.configured(c) => self.channels[c].page,
            Reg::ChConfig(c) if self.configured(c) => {
                let ch = &self.channels[c];
                use rm::ch_config::*;
                WIDTH.put(cfg, ch.width)
                    | MODE.put(cfg, ch.mode as u32)
                    | MASKED.put(cfg, ch.masked as u32)
                    | SW_REQUEST.put(cfg, ch.sw_request as u32)
                    | HALTED.put(cfg, ch.halted as u32)
                    // Transaction level: nothing is ever in flight.
                    | BUSY.put(cfg, 0)
            }
            Reg::Id => rm::ID.reset(cfg),
            Reg::Version => rm::HW_VERSION.reset(cfg),
            Reg::Config0 => cfg.config0(),
            Reg::Config1 => cfg.config1(),
            Reg::IntStatus => self.int_status,
            Reg::IntEnable => self.int_enable,
            Reg::FaultCause => (0..self.cfg.channels).fold(0, |v, c| {
                v | ((self.channels[c].fault_cause as u32) << (c as u32 * rm::FAULT_CAUSE_BITS))
            }),
            Reg::FaultAddr(c) if self.configured(c) => self.channels[c].fault_address,
            Reg::SnapCount(c) if self.configured(c) => {
                let ch = &self.channels[c];
                rm::snap_count::COUNT.put(cfg, ch.current_count as u32)
                    | rm::snap_count::PASSES.put(cfg, ch.passes as u32)
            }
            Reg::SnapAddr(c) if self.configured(c) => self.snap_address[c],
            // Here a unit lands in the step that counts it: nothing is ever in flight.
            Reg::SnapInflight(_) => 0,
            Reg::BmFault => self.bm_fault,
            Reg::BmFaultAddr => self.bm_fault_addr,
            Reg::Map(i) => self.map[i],
            Reg::MasterClearTemporary => self.temporary,
            // Write-only ports and unconfigured channels read 0.
            _ => 0,
        }
    }

    /// Register write. `false` where no register exists.
    pub fn write(&mut self, offset: u32, value: u32) -> bool {
        let Some(reg) = self.decoder.decode(offset) else {
            return false;
        };
        let cfg = self.cfg;
        let byte = rm::BYTE.get(&cfg, value);
        let channel_of = |f: &rm::Field| f.get(&cfg, byte) as usize;
        match reg {
            // One byte into base *and* current; each keeps its own other byte.
            Reg::Address(c) => {
                let high = self.flip_flop;
                self.flip_flop = !high;
                if self.configured(c) {
                    let ch = &mut self.channels[c];
                    ch.base_address = set_byte(ch.base_address, byte, high);
                    ch.current_address = set_byte(ch.current_address, byte, high);
                }
            }
            Reg::Count(c) => {
                let high = self.flip_flop;
                self.flip_flop = !high;
                if self.configured(c) {
                    let ch = &mut self.channels[c];
                    ch.base_count = set_byte(ch.base_count, byte, high);
                    ch.current_count = set_byte(ch.current_count, byte, high);
                    ch.passes = 0;
                }
            }
            Reg::CommandStatus => self.command = byte as u8,
            Reg::Request => {
                let c = channel_of(&rm::request::CHANNEL);
                if self.configured(c) {
                    self.channels[c].sw_request = rm::request::SET.get(&cfg, byte) != 0;
                }
            }
            Reg::SingleMask => {
                let c = channel_of(&rm::single_mask::CHANNEL);
                if self.configured(c) {
                    self.set_mask(c, rm::single_mask::SET.get(&cfg, byte) != 0);
                }
            }
            Reg::Mode => {
                let c = channel_of(&rm::mode::CHANNEL);
                if self.configured(c) {
                    self.channels[c].mode = (byte & !rm::mode::CHANNEL.mask(&cfg)) as u8;
                }
            }
            Reg::ClearFlipFlop => self.flip_flop = false,
            Reg::MasterClearTemporary => self.master_clear(),
            Reg::ClearMask => {
                for c in 0..cfg.channels {
                    self.set_mask(c, false);
                }
            }
            Reg::AllMask => {
                let m = rm::ALL_MASK.field("MASK").map_or(0, |f| f.get(&cfg, byte));
                for c in 0..cfg.channels {
                    self.set_mask(c, m >> c & 1 != 0);
                }
            }
            Reg::Page(c) if self.configured(c) => {
                self.channels[c].page = rm::PAGE.fields[0].get(&cfg, value);
            }
            Reg::ChConfig(c) if self.configured(c) => {
                self.channels[c].width = rm::ch_config::WIDTH.get(&cfg, value);
            }
            Reg::IntStatus => {
                let clear = value & rm::INT_STATUS.read_mask(&cfg);
                self.int_status &= !clear;
                if rm::int_status::BM_FAULT.get(&cfg, clear) != 0 {
                    self.bm_clear();
                }
                let faults = rm::int_status::FAULT.get(&cfg, clear);
                for c in 0..cfg.channels {
                    if faults >> c & 1 != 0 {
                        let ch = &mut self.channels[c];
                        ch.halted = false;
                        ch.fault_cause = FaultCause::None;
                        ch.fault_address = 0;
                    }
                }
            }
            Reg::IntEnable => {
                let mut mask = rm::INT_ENABLE.read_mask(&cfg);
                if !cfg.bus_master_port {
                    mask &= !rm::int_enable::BM_FAULT.mask(&cfg);
                }
                self.int_enable = value & mask;
            }
            Reg::Map(i) => self.map[i] = value & rm::MAP.read_mask(&cfg),
            // Read-only registers exist (OKAY) but ignore writes.
            _ => {}
        }
        true
    }

    fn set_mask(&mut self, c: usize, masked: bool) {
        let ch = &mut self.channels[c];
        ch.masked = masked;
        if masked {
            ch.block_active = false;
            if self.owner == Some(c) {
                self.owner = None;
            }
        }
    }

    fn master_clear(&mut self) {
        self.command = 0;
        self.temporary = 0;
        self.tc_status = 0;
        self.flip_flop = false;
        self.owner = None;
        for ch in &mut self.channels {
            ch.sw_request = false;
            ch.masked = true;
            ch.block_active = false;
        }
    }

    /// Terminal count or external EOP: DESIGN §3.
    fn terminal(&mut self, c: usize) {
        let cfg = self.cfg;
        self.tc_status |= 1 << c;
        self.int_status |= rm::int_status::TC.put(&cfg, 1 << c);
        let ch = &mut self.channels[c];
        ch.passes = ch.passes.wrapping_add(1);
        ch.sw_request = false;
        ch.eop_pulses += 1;
        ch.block_active = false;
        if ch.autoinit() {
            ch.current_address = ch.base_address;
            ch.current_count = ch.base_count;
        } else {
            ch.masked = true;
        }
        if self.owner == Some(c) {
            self.owner = None;
        }
    }

    /// External EOP input of a channel (acts only while the channel is unmasked).
    pub fn external_eop(&mut self, c: usize) {
        if self.configured(c) && !self.channels[c].masked {
            self.terminal(c);
            // An EOP on the destination ends the pair's block (DESIGN §3a).
            if c == 1 && self.mem_to_mem() {
                self.channels[0].block_active = false;
            }
        }
    }

    fn fault(&mut self, c: usize, cause: FaultCause, address: u32) {
        let cfg = self.cfg;
        let ch = &mut self.channels[c];
        ch.halted = true;
        ch.block_active = false;
        if ch.fault_cause == FaultCause::None {
            ch.fault_cause = cause;
            ch.fault_address = address;
        }
        self.int_status |= rm::int_status::FAULT.put(&cfg, 1 << c);
        if self.owner == Some(c) {
            self.owner = None;
        }
    }

    fn requesting(&self, c: usize, devices: &[Device]) -> bool {
        let ch = &self.channels[c];
        let asked = self.dreq(c, devices) || ch.sw_request;
        match ch.service() {
            ServiceMode::Demand | ServiceMode::Single => asked,
            ServiceMode::Block => asked || ch.block_active,
            ServiceMode::Cascade => false,
        }
    }

    /// COMMAND.MEM_TO_MEM with at least two channels: channels 0 and 1 are a pair (§3a).
    pub fn mem_to_mem(&self) -> bool {
        self.cfg.has_memory_to_memory() && self.command_bit(&rm::command::MEM_TO_MEM)
    }

    fn eligible(&self, c: usize, devices: &[Device]) -> bool {
        let ch = &self.channels[c];
        // A pair: channel 1 never runs on its own, channel 0 only while channel 1 can take units.
        if self.mem_to_mem() && (c == 1 || self.channels[1].masked || self.channels[1].halted) {
            return false;
        }
        self.configured(c)
            && !ch.masked
            && !ch.halted
            && ch.service() != ServiceMode::Cascade
            && self.requesting(c, devices)
    }

    /// The channel the engine serves this unit-time, if any (DESIGN §3 ownership/priority).
    pub fn select(&mut self, devices: &[Device]) -> Option<usize> {
        if self.command_bit(&rm::command::DISABLE) {
            return None;
        }
        // A pair whose destination cannot take units ends channel 0's block service.
        if self.mem_to_mem() && (self.channels[1].masked || self.channels[1].halted) {
            self.channels[0].block_active = false;
        }
        if let Some(o) = self.owner {
            let ch = &self.channels[o];
            let holds = ch.block_active
                || (ch.service() == ServiceMode::Demand
                    && (self.dreq(o, devices) || ch.sw_request));
            if self.eligible(o, devices) && holds {
                return Some(o);
            }
            self.owner = None;
        }
        let n = MAX_CHANNELS;
        let start = if self.command_bit(&rm::command::ROTATING) {
            self.last_served.map_or(0, |l| (l + 1) % n)
        } else {
            0
        };
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&c| self.eligible(c, devices))
    }

    /// Translates a logical address for a unit; `Err` is the fault cause.
    pub fn translate(&self, logical: u32, write: bool) -> Result<u64, FaultCause> {
        let cfg = &self.cfg;
        let page = (logical >> cfg.page_shift) as usize;
        let entry = *self.map.get(page).ok_or(FaultCause::OutOfRange)?;
        if rm::map::VALID.get(cfg, entry) == 0 {
            return Err(FaultCause::Invalid);
        }
        if write && rm::map::WRITABLE.get(cfg, entry) == 0 {
            return Err(FaultCause::ReadOnly);
        }
        let frame = rm::map::FRAME.get(cfg, entry) as u64;
        Ok((frame << cfg.page_shift) | (logical as u64 & (cfg.page_size() - 1)))
    }

    /// One unit-time of the engine: select a channel and move (at most) one unit.
    /// Returns the channel that moved a unit.
    pub fn step(&mut self, memory: &mut Memory, devices: &mut [Device]) -> Option<usize> {
        let c = self.select(devices)?;
        if c == 0 && self.mem_to_mem() {
            return self.step_pair(memory, devices);
        }
        let (transfer, w) = {
            let ch = &self.channels[c];
            (ch.transfer(), ch.unit_bytes())
        };
        let logical = self.logical(c);
        let unit_address = logical & !(w - 1);
        // A write unit needs the device's data first; without it the engine waits.
        if transfer == TransferType::Write && devices[c].source_pending() < w as usize {
            return None;
        }
        let mut bus_error = None;
        if transfer != TransferType::Verify {
            let physical = match self.translate(unit_address, transfer == TransferType::Write) {
                Ok(p) => p,
                Err(cause) => {
                    // No bus access; the device's data stays where it is.
                    self.fault(c, cause, logical);
                    return None;
                }
            };
            let unit = if transfer == TransferType::Write {
                devices[c].take_unit(w as usize)
            } else {
                None
            };
            bus_error = memory.dma_response(physical, w as u64);
            match (transfer, bus_error) {
                (TransferType::Write, None) => {
                    memory.write_raw(physical, unit.as_deref().unwrap_or_default())
                }
                (TransferType::Read, None) => {
                    let mut data = vec![0; w as usize];
                    memory.read_raw(physical, &mut data);
                    devices[c].deliver(&data);
                }
                _ => {}
            }
        }
        devices[c].moved();
        let ch = &mut self.channels[c];
        ch.current_address = if ch.decrement() {
            ch.current_address.wrapping_sub(w as u16)
        } else {
            ch.current_address.wrapping_add(w as u16)
        };
        let tc = ch.current_count == 0;
        ch.current_count = ch.current_count.wrapping_sub(1);
        let service = ch.service();
        self.last_served = Some(c);
        self.owner = match service {
            ServiceMode::Block | ServiceMode::Demand => Some(c),
            _ => None,
        };
        if service == ServiceMode::Block {
            self.channels[c].block_active = true;
        }
        if tc {
            self.terminal(c);
        }
        if let Some(response) = bus_error {
            let cause = match response {
                BusResponse::SlaveError => FaultCause::SlaveError,
                BusResponse::DecodeError => FaultCause::DecodeError,
            };
            self.fault(c, cause, logical);
        }
        Some(c)
    }
}

impl Controller {
    /// One memory-to-memory unit (DESIGN §3a): read at channel 0's address, write at channel
    /// 1's, channel 1's width; channel 1's count gives the terminal count, which both channels
    /// take. Both sides translate before anything moves (the source first).
    fn step_pair(&mut self, memory: &mut Memory, devices: &mut [Device]) -> Option<usize> {
        let w = self.channels[1].unit_bytes();
        let (src, dst) = (self.logical(0), self.logical(1));
        let src_phys = match self.translate(src & !(w - 1), false) {
            Ok(p) => p,
            Err(cause) => {
                self.fault(0, cause, src);
                return None;
            }
        };
        let dst_phys = match self.translate(dst & !(w - 1), true) {
            Ok(p) => p,
            Err(cause) => {
                self.fault(1, cause, dst);
                return None;
            }
        };
        let read_error = memory.dma_response(src_phys, w as u64);
        let mut write_error = None;
        if read_error.is_none() {
            let mut data = vec![0; w as usize];
            memory.read_raw(src_phys, &mut data);
            self.temporary = data.iter().rev().fold(0, |v, &b| (v << 8) | b as u32);
            write_error = memory.dma_response(dst_phys, w as u64);
            if write_error.is_none() {
                memory.write_raw(dst_phys, &data);
            }
        }
        devices[0].moved();
        let hold = self.command_bit(&rm::command::CH0_HOLD);
        let step = |ch: &mut ChannelState, hold: bool| {
            if !hold {
                ch.current_address = if ch.decrement() {
                    ch.current_address.wrapping_sub(w as u16)
                } else {
                    ch.current_address.wrapping_add(w as u16)
                };
            }
            ch.current_count = ch.current_count.wrapping_sub(1);
        };
        step(&mut self.channels[0], hold);
        let tc = self.channels[1].current_count == 0;
        step(&mut self.channels[1], false);
        let service = self.channels[0].service();
        self.last_served = Some(0);
        self.owner = match service {
            ServiceMode::Block | ServiceMode::Demand => Some(0),
            _ => None,
        };
        if service == ServiceMode::Block {
            self.channels[0].block_active = true;
        }
        if tc {
            self.terminal(0);
            self.terminal(1);
        }
        for (c, error, logical) in [(0, read_error, src), (1, write_error, dst)] {
            if let Some(response) = error {
                let cause = match response {
                    BusResponse::SlaveError => FaultCause::SlaveError,
                    BusResponse::DecodeError => FaultCause::DecodeError,
                };
                self.fault(c, cause, logical);
            }
        }
        Some(0)
    }
}

/// `target` with its low (`high` false) or high byte replaced by `byte`.
fn set_byte(target: u16, byte: u32, high: bool) -> u16 {
    let byte = (byte & 0xFF) as u16;
    if high {
        (target & 0x00FF) | (byte << 8)
    } else {
        (target & 0xFF00) | byte
    }
}
