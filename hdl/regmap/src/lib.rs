//! The mapdma register map, described once as data.
//!
//! Everything else derives from this crate: the HDL address decode (`mapdma-hdl`), the host
//! library's register accesses (`mapdma-host`), the Markdown and C-header documentation and the
//! JSON description (`mapdma verilog`). It depends on nothing, so the host side never pulls in
//! rust-hdl.
//!
//! Layout (byte offsets on a 32-bit AXI4-Lite slave):
//! - `0x000..0x040`: the sixteen 8237A ports, port *p* at `4·p`, data in bits 7:0, so an 8237
//!   driver ports over unchanged;
//! - `0x040..0x1000`: native 32-bit registers (page registers, unit widths, ID/config,
//!   interrupts, faults, atomic counter snapshots);
//! - `0x1000..0x2000`: the map-register file, entry *i* at `0x1000 + 4·i`.

pub mod axi;
mod channel;
mod config;
pub mod export;
pub mod link;
pub mod svd;

pub use channel::{units_left, ChannelProgram};
pub use config::*;

/// How software may access a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Read only; writes are ignored.
    R,
    /// Write only; reads return 0.
    W,
    /// Read and write.
    RW,
    /// Read only; a read clears the field (8237 status TC bits).
    RC,
    /// Read; writing 1 to a bit clears it.
    W1C,
    /// A write of any value triggers an action (strobe); reads return 0.
    Strobe,
}

impl Access {
    /// The conventional short name used in the generated documentation.
    pub fn name(self) -> &'static str {
        match self {
            Access::R => "R",
            Access::W => "W",
            Access::RW => "RW",
            Access::RC => "RC",
            Access::W1C => "W1C",
            Access::Strobe => "W (strobe)",
        }
    }

    /// Whether a write has any effect.
    pub fn writable(self) -> bool {
        matches!(self, Access::W | Access::RW | Access::W1C | Access::Strobe)
    }

    /// Whether a read returns the field's value.
    pub fn readable(self) -> bool {
        matches!(self, Access::R | Access::RW | Access::RC | Access::W1C)
    }
}

/// A bit field of a register. `width` may depend on the configuration; see [`Field::width`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub lsb: u32,
    pub width: Width,
    pub access: Access,
    /// Reset value for the default configuration; see [`Field::reset_value`].
    pub reset: u32,
    /// Where a configuration-dependent reset value comes from.
    pub derived: Derived,
    pub doc: &'static str,
}

/// Reset values that depend on the configuration (ID/config registers, per-channel enables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derived {
    /// `reset` as written.
    Fixed,
    Channels,
    PageShift,
    LogicalBits,
    PhysicalBits,
    MapRegisters,
    DataBits,
    /// Outstanding transactions, 256 encoded as 0.
    Outstanding,
    /// One bit set per configured channel.
    ChannelMask,
    /// 1 with the bus-master translation port, 0 without.
    BusMasterPort,
    /// 1 with the memory-to-memory pair, 0 without.
    MemoryToMemory,
}

/// A field width: fixed, or derived from the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    Bits(u32),
    /// One bit per channel.
    Channels,
    /// Page-register bits (`logical_bits - 16`).
    PageRegister,
    /// Logical address bits.
    Logical,
    /// Physical frame bits (`physical_bits - page_shift`).
    Frame,
}

impl Field {
    /// Reset value of the field for a configuration.
    pub fn reset_value(&self, cfg: &Config) -> u32 {
        match self.derived {
            Derived::Fixed => self.reset,
            Derived::Channels => cfg.channels as u32,
            Derived::PageShift => cfg.page_shift,
            Derived::LogicalBits => cfg.logical_bits,
            Derived::PhysicalBits => cfg.physical_bits,
            Derived::MapRegisters => cfg.map_registers as u32,
            Derived::DataBits => DATA_BITS,
            Derived::Outstanding => cfg.outstanding as u32 & 0xFF,
            Derived::ChannelMask => (1u32 << cfg.channels) - 1,
            Derived::BusMasterPort => cfg.bus_master_port as u32,
            Derived::MemoryToMemory => cfg.memory_to_memory as u32,
        }
    }

    /// Same field with a configuration-derived reset value.
    pub const fn derived(self, derived: Derived) -> Field {
        Field { derived, ..self }
    }

    /// Width in bits for a configuration.
    #[inline]
    pub fn width(&self, cfg: &Config) -> u32 {
        match self.width {
            Width::Bits(n) => n,
            Width::Channels => cfg.channels as u32,
            Width::PageRegister => cfg.page_register_bits(),
            Width::Logical => cfg.logical_bits,
            Width::Frame => cfg.frame_bits(),
        }
    }

    /// The field's bits in place, for a configuration.
    #[inline]
    pub fn mask(&self, cfg: &Config) -> u32 {
        let w = self.width(cfg);
        let ones = if w >= 32 { u32::MAX } else { (1u32 << w) - 1 };
        ones << self.lsb
    }

    /// Extracts the field from a register value.
    #[inline]
    pub fn get(&self, cfg: &Config, reg: u32) -> u32 {
        (reg & self.mask(cfg)) >> self.lsb
    }

    /// Places `value` in the field (other bits zero).
    #[inline]
    pub fn put(&self, cfg: &Config, value: u32) -> u32 {
        (value << self.lsb) & self.mask(cfg)
    }
}

/// How many instances of a register exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    One,
    /// A fixed number, e.g. the four 8237 channel ports.
    Fixed(usize),
    /// One per configured channel.
    Channels,
    /// One per map register.
    MapRegisters,
}

/// A register (or an array of identical registers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Register {
    pub name: &'static str,
    pub offset: u32,
    pub count: Count,
    /// Bytes between array instances.
    pub stride: u32,
    pub fields: &'static [Field],
    pub doc: &'static str,
}

impl Register {
    /// Number of instances for a configuration.
    pub fn instances(&self, cfg: &Config) -> usize {
        match self.count {
            Count::One => 1,
            Count::Fixed(n) => n,
            Count::Channels => cfg.channels,
            Count::MapRegisters => cfg.map_registers,
        }
    }

    /// Byte offset of instance `i`. Panics if `i` is beyond every configuration's range,
    /// which is a programming error, not an input error.
    pub const fn at(&self, i: usize) -> u32 {
        self.offset + self.stride * i as u32
    }

    /// Reset value of the whole register.
    pub fn reset(&self, cfg: &Config) -> u32 {
        self.fields
            .iter()
            .fold(0, |acc, f| acc | f.put(cfg, f.reset_value(cfg)))
    }

    /// Bits that a read returns.
    #[inline]
    pub fn read_mask(&self, cfg: &Config) -> u32 {
        self.fields
            .iter()
            .filter(|f| f.access.readable())
            .fold(0, |acc, f| acc | f.mask(cfg))
    }

    /// Looks a field up by name.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const fn f(
    name: &'static str,
    lsb: u32,
    width: Width,
    access: Access,
    reset: u32,
    doc: &'static str,
) -> Field {
    Field {
        name,
        lsb,
        width,
        access,
        reset,
        derived: Derived::Fixed,
        doc,
    }
}

use Access::*;
use Width::*;

// ---------------------------------------------------------------------------------------------
// 8237A ports (offset 4·p, data bits 7:0)
// ---------------------------------------------------------------------------------------------

/// The byte every 8237 port moves.
pub const BYTE: Field = f(
    "DATA",
    0,
    Bits(8),
    RW,
    0,
    "One byte; 16-bit registers go LSB then MSB, selected by the byte-pointer flip-flop.",
);

/// 8237 ports 0, 2, 4, 6: channel address. A write loads base and current address (one byte,
/// selected by the flip-flop); a read returns the current address.
pub const DMA_ADDR: Register = Register {
    name: "DMA_ADDR",
    offset: 0x00,
    count: Count::Fixed(4),
    stride: 8,
    fields: &[BYTE],
    doc: "8237 port 2n: write base and current address, read current address (byte address, steps by the unit size).",
};

/// 8237 ports 1, 3, 5, 7: channel count (units − 1).
pub const DMA_COUNT: Register = Register {
    name: "DMA_COUNT",
    offset: 0x04,
    count: Count::Fixed(4),
    stride: 8,
    fields: &[BYTE],
    doc: "8237 port 2n+1: write base and current count (units − 1), read current count. Writing it clears the channel's pass counter.",
};

pub mod command {
    use super::*;
    pub const MEM_TO_MEM: Field = f(
        "MEM_TO_MEM",
        0,
        Bits(1),
        W,
        0,
        "Memory-to-memory enable: channel 0 is the source, channel 1 the destination and length (DESIGN §3a). No effect with one channel.",
    );
    pub const CH0_HOLD: Field = f(
        "CH0_ADDRESS_HOLD",
        1,
        Bits(1),
        W,
        0,
        "Channel 0 address hold (memory-to-memory only): channel 0's address does not step, one unit fills the block.",
    );
    pub const DISABLE: Field = f(
        "CONTROLLER_DISABLE",
        2,
        Bits(1),
        W,
        0,
        "1 = no new units are started; units already issued complete.",
    );
    pub const COMPRESSED: Field = f(
        "COMPRESSED_TIMING",
        3,
        Bits(1),
        W,
        0,
        "Stored, no effect: mapdma always moves up to one unit per clock.",
    );
    pub const ROTATING: Field = f(
        "ROTATING_PRIORITY",
        4,
        Bits(1),
        W,
        0,
        "0 = fixed priority (channel 0 highest), 1 = rotating (last served lowest).",
    );
    pub const EXTENDED_WRITE: Field = f("EXTENDED_WRITE", 5, Bits(1), W, 0, "Stored, no effect.");
    pub const DREQ_LOW: Field = f(
        "DREQ_SENSE_LOW",
        6,
        Bits(1),
        W,
        0,
        "1 = DREQ inputs are active low.",
    );
    pub const DACK_HIGH: Field = f(
        "DACK_SENSE_HIGH",
        7,
        Bits(1),
        W,
        0,
        "1 = DACK outputs are active high (reset: active low, as on the 8237).",
    );
}

/// 8237 port 8 (write): command register.
pub const COMMAND: Register = Register {
    name: "COMMAND",
    offset: 0x20,
    count: Count::One,
    stride: 0,
    fields: &[
        command::MEM_TO_MEM,
        command::CH0_HOLD,
        command::DISABLE,
        command::COMPRESSED,
        command::ROTATING,
        command::EXTENDED_WRITE,
        command::DREQ_LOW,
        command::DACK_HIGH,
    ],
    doc: "8237 port 8, write: command register. Cleared by master clear.",
};

pub mod status {
    use super::*;
    pub const TC: Field = f(
        "TC",
        0,
        Channels,
        RC,
        0,
        "Terminal count (or external EOP) reached, per channel; cleared by reading this register.",
    );
    pub const REQUEST: Field = f(
        "REQUEST",
        4,
        Channels,
        R,
        0,
        "Request pending (active DREQ or software request), per channel.",
    );
}

/// 8237 port 8 (read): status register.
pub const STATUS: Register = Register {
    name: "STATUS",
    offset: 0x20,
    count: Count::One,
    stride: 0,
    fields: &[status::TC, status::REQUEST],
    doc: "8237 port 8, read: status. Bits 3:0 are sticky and cleared by the read.",
};

pub mod request {
    use super::*;
    pub const CHANNEL: Field = f("CHANNEL", 0, Bits(2), W, 0, "Channel.");
    pub const SET: Field = f(
        "SET",
        2,
        Bits(1),
        W,
        0,
        "1 = set the software request, 0 = clear it.",
    );
}

/// 8237 port 9: software request.
pub const REQUEST: Register = Register {
    name: "REQUEST",
    offset: 0x24,
    count: Count::One,
    stride: 0,
    fields: &[request::CHANNEL, request::SET],
    doc: "8237 port 9: software DREQ. A request is cleared at terminal count or EOP.",
};

pub mod single_mask {
    use super::*;
    pub const CHANNEL: Field = f("CHANNEL", 0, Bits(2), W, 0, "Channel.");
    pub const SET: Field = f(
        "SET",
        2,
        Bits(1),
        W,
        0,
        "1 = mask the channel, 0 = unmask it.",
    );
}

/// 8237 port 10: single mask bit.
pub const SINGLE_MASK: Register = Register {
    name: "SINGLE_MASK",
    offset: 0x28,
    count: Count::One,
    stride: 0,
    fields: &[single_mask::CHANNEL, single_mask::SET],
    doc: "8237 port 10: set or clear one channel's mask bit.",
};

pub mod mode {
    use super::*;
    pub const CHANNEL: Field = f("CHANNEL", 0, Bits(2), W, 0, "Channel.");
    pub const TRANSFER: Field = f(
        "TRANSFER",
        2,
        Bits(2),
        W,
        0,
        "00 verify, 01 write (device → memory), 10 read (memory → device), 11 treated as verify.",
    );
    pub const AUTOINIT: Field = f("AUTOINIT", 4, Bits(1), W, 0, "Auto-initialize: at terminal count reload current from base in the same clock; the mask stays clear.");
    pub const DECREMENT: Field = f(
        "DECREMENT",
        5,
        Bits(1),
        W,
        0,
        "1 = the address steps down by the unit size.",
    );
    pub const MODE: Field = f(
        "MODE",
        6,
        Bits(2),
        W,
        0,
        "00 demand, 01 single, 10 block, 11 cascade.",
    );
}

/// 8237 port 11: mode register.
pub const MODE: Register = Register {
    name: "MODE",
    offset: 0x2C,
    count: Count::One,
    stride: 0,
    fields: &[
        mode::CHANNEL,
        mode::TRANSFER,
        mode::AUTOINIT,
        mode::DECREMENT,
        mode::MODE,
    ],
    doc: "8237 port 11: channel mode. Read it back through CH_CONFIG.MODE.",
};

/// 8237 port 12: clear byte-pointer flip-flop.
pub const CLEAR_FLIP_FLOP: Register = Register {
    name: "CLEAR_FLIP_FLOP",
    offset: 0x30,
    count: Count::One,
    stride: 0,
    fields: &[f(
        "STROBE",
        0,
        Bits(8),
        Strobe,
        0,
        "Any write clears the byte-pointer flip-flop (next 16-bit access is the LSB).",
    )],
    doc: "8237 port 12: clear the byte-pointer flip-flop.",
};

/// 8237 port 13 (write): master clear.
pub const MASTER_CLEAR: Register = Register {
    name: "MASTER_CLEAR",
    offset: 0x34,
    count: Count::One,
    stride: 0,
    fields: &[f("STROBE", 0, Bits(8), Strobe, 0, "Any write: command, status, requests, temporary and flip-flop cleared, all masks set; the engine stops and in-flight reads are drained.")],
    doc: "8237 port 13, write: master clear (software reset of the 8237 state).",
};

/// 8237 port 13 (read): temporary register.
pub const TEMPORARY: Register = Register {
    name: "TEMPORARY",
    offset: 0x34,
    count: Count::One,
    stride: 0,
    fields: &[f(
        "DATA",
        0,
        Bits(32),
        R,
        0,
        "Last unit of a memory-to-memory transfer (zero-extended); master clear and reset clear it.",
    )],
    doc: "8237 port 13, read: temporary register.",
};

/// 8237 port 14: clear all mask bits.
pub const CLEAR_MASK: Register = Register {
    name: "CLEAR_MASK",
    offset: 0x38,
    count: Count::One,
    stride: 0,
    fields: &[f(
        "STROBE",
        0,
        Bits(8),
        Strobe,
        0,
        "Any write clears every channel's mask bit.",
    )],
    doc: "8237 port 14: clear all mask bits.",
};

/// 8237 port 15: write all mask bits; reads return them (0xF0 | mask).
pub const ALL_MASK: Register = Register {
    name: "ALL_MASK",
    offset: 0x3C,
    count: Count::One,
    stride: 0,
    fields: &[
        f(
            "MASK",
            0,
            Bits(4),
            RW,
            0xF,
            "One mask bit per channel (1 = masked). Set by reset and master clear.",
        ),
        f(
            "ONES",
            4,
            Bits(4),
            R,
            0xF,
            "Read as ones (the undocumented 8237 read-back, as Bochs and ao486 do it).",
        ),
    ],
    doc: "8237 port 15: write all four mask bits at once; reads return 0xF0 | mask.",
};

// ---------------------------------------------------------------------------------------------
// Native registers
// ---------------------------------------------------------------------------------------------

/// Page register per channel: logical address bits above the 16-bit address register.
pub const PAGE: Register = Register {
    name: "PAGE",
    offset: 0x40,
    count: Count::Fixed(4),
    stride: 4,
    fields: &[f("PAGE", 0, PageRegister, RW, 0, "Logical address bits 23:16 (logical_bits − 16 bits). The address register does not carry into it.")],
    doc: "Page register of channel n (the PC's 0x87/0x83/0x81/0x82).",
};

pub mod ch_config {
    use super::*;
    pub const WIDTH: Field = f("WIDTH", 0, Bits(2), RW, 0, "Unit width (EISA-style extended mode): 0 = 8, 1 = 16, 2 = 32 bits; 3 reads back 3 and moves 8-bit units.");
    pub const MODE: Field = f(
        "MODE",
        8,
        Bits(8),
        R,
        0,
        "Last byte written to the mode register for this channel (channel bits zero).",
    );
    pub const MASKED: Field = f("MASKED", 16, Bits(1), R, 1, "Mask bit.");
    pub const SW_REQUEST: Field = f("SW_REQUEST", 17, Bits(1), R, 0, "Software request bit.");
    pub const HALTED: Field = f(
        "HALTED",
        18,
        Bits(1),
        R,
        0,
        "Stopped by a fault; cleared with INT_STATUS.FAULT.",
    );
    pub const BUSY: Field = f(
        "BUSY",
        19,
        Bits(1),
        R,
        0,
        "The engine holds a selected unit of this channel, or the channel owns the engine (block or demand service).",
    );
}

/// Per-channel configuration and read-back of the 8237 state that the ports cannot read.
pub const CH_CONFIG: Register = Register {
    name: "CH_CONFIG",
    offset: 0x50,
    count: Count::Fixed(4),
    stride: 4,
    fields: &[
        ch_config::WIDTH,
        ch_config::MODE,
        ch_config::MASKED,
        ch_config::SW_REQUEST,
        ch_config::HALTED,
        ch_config::BUSY,
    ],
    doc: "Channel n: unit width, and read-back of mode, mask, request and fault state.",
};

/// Identification.
pub const ID: Register = Register {
    name: "ID",
    offset: 0x80,
    count: Count::One,
    stride: 0,
    fields: &[f(
        "MAGIC",
        0,
        Bits(32),
        R,
        ID_MAGIC,
        "\"MDMA\" (0x4D444D41).",
    )],
    doc: "Identification: reads 0x4D444D41.",
};

/// Hardware version.
pub const HW_VERSION: Register = Register {
    name: "VERSION",
    offset: 0x84,
    count: Count::One,
    stride: 0,
    fields: &[
        f("MINOR", 0, Bits(16), R, VERSION.1 as u32, "Minor version."),
        f("MAJOR", 16, Bits(16), R, VERSION.0 as u32, "Major version."),
    ],
    doc: "Hardware version.",
};

pub mod config0 {
    use super::*;
    pub const CHANNELS: Field =
        f("CHANNELS", 0, Bits(8), R, 4, "Channels.").derived(Derived::Channels);
    pub const PAGE_SHIFT: Field =
        f("PAGE_SHIFT", 8, Bits(8), R, 12, "log2 of the page size.").derived(Derived::PageShift);
    pub const LOGICAL_BITS: Field = f("LOGICAL_BITS", 16, Bits(8), R, 24, "Logical address bits.")
        .derived(Derived::LogicalBits);
    pub const PHYSICAL_BITS: Field = f(
        "PHYSICAL_BITS",
        24,
        Bits(8),
        R,
        32,
        "Physical address bits.",
    )
    .derived(Derived::PhysicalBits);
}

/// Configuration, part 0 (see [`Config::config0`]).
pub const CONFIG0: Register = Register {
    name: "CONFIG0",
    offset: 0x88,
    count: Count::One,
    stride: 0,
    fields: &[config0::CHANNELS, config0::PAGE_SHIFT, config0::LOGICAL_BITS, config0::PHYSICAL_BITS],
    doc: "Configuration: channels, page size, address widths (reset values shown for the default configuration).",
};

pub mod config1 {
    use super::*;
    pub const MAP_REGISTERS: Field =
        f("MAP_REGISTERS", 0, Bits(14), R, 32, "Map registers.").derived(Derived::MapRegisters);
    pub const MEMORY_TO_MEMORY: Field = f(
        "MEMORY_TO_MEMORY",
        CONFIG1_MEMORY_TO_MEMORY_BIT,
        Bits(1),
        R,
        1,
        "1 = the memory-to-memory pair (COMMAND.MEM_TO_MEM) is built (it acts with two or more channels).",
    )
    .derived(Derived::MemoryToMemory);
    pub const BUS_MASTER_PORT: Field = f(
        "BUS_MASTER_PORT",
        CONFIG1_BUS_MASTER_PORT_BIT,
        Bits(1),
        R,
        1,
        "1 = the bus-master translation port (s_bm_axi_* / m_bm_axi_*) is present.",
    )
    .derived(Derived::BusMasterPort);
    pub const DATA_BITS: Field =
        f("DATA_BITS", 16, Bits(8), R, 32, "Memory data bus width.").derived(Derived::DataBits);
    pub const OUTSTANDING: Field = f(
        "OUTSTANDING",
        24,
        Bits(8),
        R,
        32,
        "Outstanding AXI transactions per direction (0 = 256).",
    )
    .derived(Derived::Outstanding);
}

/// Configuration, part 1 (see [`Config::config1`]).
pub const CONFIG1: Register = Register {
    name: "CONFIG1",
    offset: 0x8C,
    count: Count::One,
    stride: 0,
    fields: &[
        config1::MAP_REGISTERS,
        config1::MEMORY_TO_MEMORY,
        config1::BUS_MASTER_PORT,
        config1::DATA_BITS,
        config1::OUTSTANDING,
    ],
    doc: "Configuration: map registers, memory-to-memory pair, bus-master port, data width, outstanding transactions.",
};

pub mod int_status {
    use super::*;
    pub const TC: Field = f(
        "TC",
        0,
        Channels,
        W1C,
        0,
        "Terminal count or EOP reached, per channel.",
    );
    pub const FAULT: Field = f(
        "FAULT",
        8,
        Channels,
        W1C,
        0,
        "Channel stopped by a fault; clearing it also clears FAULT_CAUSE and releases the channel.",
    );
    pub const BM_FAULT: Field = f(
        "BM_FAULT",
        16,
        Bits(1),
        W1C,
        0,
        "The bus-master port refused a burst (BM_FAULT, BM_FAULT_ADDR hold the first); clearing it clears the record.",
    );
}

/// Interrupt status.
pub const INT_STATUS: Register = Register {
    name: "INT_STATUS",
    offset: 0x90,
    count: Count::One,
    stride: 0,
    fields: &[int_status::TC, int_status::FAULT, int_status::BM_FAULT],
    doc: "Interrupt status, write 1 to clear. The interrupt output is the OR of INT_STATUS & INT_ENABLE.",
};

pub mod int_enable {
    use super::*;
    pub const TC: Field = f(
        "TC",
        0,
        Channels,
        RW,
        0,
        "Enable the TC interrupt per channel.",
    );
    pub const FAULT: Field = f(
        "FAULT",
        8,
        Channels,
        RW,
        0xF,
        "Enable the fault interrupt per channel (enabled at reset).",
    )
    .derived(Derived::ChannelMask);
    pub const BM_FAULT: Field = f(
        "BM_FAULT",
        16,
        Bits(1),
        RW,
        1,
        "Enable the bus-master port's fault interrupt (enabled at reset when the port is present; reads 0 without it).",
    )
    .derived(Derived::BusMasterPort);
}

/// Interrupt enable.
pub const INT_ENABLE: Register = Register {
    name: "INT_ENABLE",
    offset: 0x94,
    count: Count::One,
    stride: 0,
    fields: &[int_enable::TC, int_enable::FAULT, int_enable::BM_FAULT],
    doc: "Interrupt enable.",
};

/// Fault causes, as encoded in FAULT_CAUSE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum FaultCause {
    None = 0,
    /// The logical page has no map register.
    OutOfRange = 1,
    /// The map register is not valid.
    Invalid = 2,
    /// A device → memory unit hit a map register without device-may-write.
    ReadOnly = 3,
    /// The memory answered SLVERR.
    SlaveError = 4,
    /// The memory answered DECERR.
    DecodeError = 5,
    /// Bus-master port: an INCR burst that leaves its page.
    PageCross = 6,
    /// Bus-master port: a burst the port does not translate (not INCR, more than 16 beats, or
    /// beats wider than the bus).
    BadBurst = 7,
}

impl FaultCause {
    pub const ALL: [FaultCause; 8] = [
        FaultCause::None,
        FaultCause::OutOfRange,
        FaultCause::Invalid,
        FaultCause::ReadOnly,
        FaultCause::SlaveError,
        FaultCause::DecodeError,
        FaultCause::PageCross,
        FaultCause::BadBurst,
    ];

    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| *c as u32 == code)
    }
}

/// Fault cause per channel, 4 bits each.
pub const FAULT_CAUSE: Register = Register {
    name: "FAULT_CAUSE",
    offset: 0x98,
    count: Count::One,
    stride: 0,
    fields: &[
        f("CH0", 0, Bits(4), R, 0, "Cause of channel 0's fault (0 none, 1 out of range, 2 invalid, 3 read-only, 4 SLVERR, 5 DECERR)."),
        f("CH1", 4, Bits(4), R, 0, "Channel 1."),
        f("CH2", 8, Bits(4), R, 0, "Channel 2."),
        f("CH3", 12, Bits(4), R, 0, "Channel 3."),
    ],
    doc: "Fault cause per channel. The first fault of a channel is latched until INT_STATUS.FAULT is cleared.",
};

/// Bits of FAULT_CAUSE per channel.
pub const FAULT_CAUSE_BITS: u32 = 4;

/// Faulting logical address per channel.
pub const FAULT_ADDR: Register = Register {
    name: "FAULT_ADDR",
    offset: 0xA0,
    count: Count::Fixed(4),
    stride: 4,
    fields: &[f(
        "ADDR",
        0,
        Logical,
        R,
        0,
        "Logical address (page ‖ address) of the unit that faulted.",
    )],
    doc: "Faulting logical address of channel n.",
};

pub mod bm_fault {
    use super::*;
    pub const CAUSE: Field = f(
        "CAUSE",
        0,
        Bits(4),
        R,
        0,
        "Cause of the bus-master port's first refused burst since INT_STATUS.BM_FAULT was cleared (0 none, 1 out of range, 2 invalid, 3 read-only, 6 page crossed, 7 unsupported burst).",
    );
    pub const WRITE: Field = f(
        "WRITE",
        4,
        Bits(1),
        R,
        0,
        "1 = the refused burst was a write (AW), 0 = a read (AR).",
    );
}

/// The bus-master port's fault record: cause and direction.
pub const BM_FAULT: Register = Register {
    name: "BM_FAULT",
    offset: 0xB0,
    count: Count::One,
    stride: 0,
    fields: &[bm_fault::CAUSE, bm_fault::WRITE],
    doc: "Bus-master port: the first refused burst (no memory access, SLVERR or DECERR to the device) since INT_STATUS.BM_FAULT was cleared. Reads 0 without the port.",
};

/// The bus-master port's faulting logical address.
pub const BM_FAULT_ADDR: Register = Register {
    name: "BM_FAULT_ADDR",
    offset: 0xB4,
    count: Count::One,
    stride: 0,
    fields: &[f(
        "ADDR",
        0,
        Bits(32),
        R,
        0,
        "Logical (device) address of the refused burst, as the device sent it.",
    )],
    doc: "Bus-master port: logical address of the burst recorded in BM_FAULT.",
};

pub mod snap_count {
    use super::*;
    pub const COUNT: Field = f(
        "COUNT",
        0,
        Bits(16),
        R,
        0,
        "Current count (units − 1; 0xFFFF after a terminal count without auto-initialize).",
    );
    pub const PASSES: Field = f(
        "PASSES",
        16,
        Bits(16),
        R,
        0,
        "Terminal counts since the count register was last written (wraps).",
    );
}

/// Atomic count + pass counter; the read also latches the current address into SNAP_ADDR.
pub const SNAP_COUNT: Register = Register {
    name: "SNAP_COUNT",
    offset: 0xC0,
    count: Count::Fixed(4),
    stride: 8,
    fields: &[snap_count::COUNT, snap_count::PASSES],
    doc: "Channel n: current count and pass counter, read atomically; the read latches the current address into SNAP_ADDR and the units in flight into SNAP_INFLIGHT.",
};

/// Current logical address latched by the last SNAP_COUNT read.
pub const SNAP_ADDR: Register = Register {
    name: "SNAP_ADDR",
    offset: 0xC4,
    count: Count::Fixed(4),
    stride: 8,
    fields: &[f(
        "ADDR",
        0,
        Logical,
        R,
        0,
        "Logical current address (page ‖ address) at the last SNAP_COUNT read.",
    )],
    doc: "Channel n: the current address captured in the same clock as the last SNAP_COUNT read.",
};

/// Units in flight latched by the last SNAP_COUNT read, so a driver can tell the units the
/// controller has *counted* (issued) from the units that have *landed* in memory or at the
/// device.
pub const SNAP_INFLIGHT: Register = Register {
    name: "SNAP_INFLIGHT",
    offset: 0xE0,
    count: Count::Fixed(4),
    stride: 4,
    fields: &[f(
        "UNITS",
        0,
        Bits(8),
        R,
        0,
        "Units of channel n issued but not yet landed at the last SNAP_COUNT read: a write \
         transfer's unit lands when its B response returns, a read transfer's when its R beat \
         is accepted.",
    )],
    doc: "Channel n: units counted by SNAP_COUNT whose memory access had not completed when \
          SNAP_COUNT was read (captured in the same clock). The landed position is the \
          SNAP_COUNT/SNAP_ADDR position moved back by this many units.",
};

pub mod map {
    use super::*;
    pub const FRAME: Field = f("FRAME", 0, Frame, RW, 0, "Physical page frame number.");
    pub const WRITABLE: Field = f(
        "DEVICE_MAY_WRITE",
        30,
        Bits(1),
        RW,
        0,
        "Device → memory units may write this page.",
    );
    pub const VALID: Field = f("VALID", 31, Bits(1), RW, 0, "Entry valid.");
}

/// Map-register file: entry i translates logical page i.
pub const MAP: Register = Register {
    name: "MAP",
    offset: 0x1000,
    count: Count::MapRegisters,
    stride: 4,
    fields: &[map::FRAME, map::WRITABLE, map::VALID],
    doc: "Map register i: translates logical page i to a physical frame. Power-up contents are invalid; reset and master clear leave them.",
};

/// Bits of the AXI4-Lite register address (byte address).
pub const REGISTER_ADDRESS_BITS: u32 = 13;

/// Every register, in address order (registers sharing an offset: write view first).
pub const REGISTERS: &[Register] = &[
    DMA_ADDR,
    DMA_COUNT,
    COMMAND,
    STATUS,
    REQUEST,
    SINGLE_MASK,
    MODE,
    CLEAR_FLIP_FLOP,
    MASTER_CLEAR,
    TEMPORARY,
    CLEAR_MASK,
    ALL_MASK,
    PAGE,
    CH_CONFIG,
    ID,
    HW_VERSION,
    CONFIG0,
    CONFIG1,
    INT_STATUS,
    INT_ENABLE,
    FAULT_CAUSE,
    FAULT_ADDR,
    BM_FAULT,
    BM_FAULT_ADDR,
    SNAP_COUNT,
    SNAP_ADDR,
    SNAP_INFLIGHT,
    MAP,
];

/// 8237 transfer types (mode bits 3:2), in the 8237's own vocabulary: a *write* transfer writes
/// memory (device → memory), a *read* transfer reads memory (memory → device). The WDK's
/// `WriteToDevice = true` is therefore [`TransferType::Read`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransferType {
    Verify = 0,
    /// Device → memory.
    Write = 1,
    /// Memory → device.
    Read = 2,
}

/// 8237 service modes (mode bits 7:6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceMode {
    Demand = 0,
    Single = 1,
    Block = 2,
    Cascade = 3,
}

/// Unit widths (CH_CONFIG.WIDTH).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitWidth {
    Bits8 = 0,
    Bits16 = 1,
    Bits32 = 2,
}

impl UnitWidth {
    pub fn bytes(self) -> u32 {
        1 << (self as u32)
    }
}

/// Encodes a mode-register byte.
pub fn mode_byte(
    channel: usize,
    transfer: TransferType,
    autoinit: bool,
    decrement: bool,
    mode: ServiceMode,
) -> u8 {
    (channel as u8 & 3)
        | ((transfer as u8) << 2)
        | ((autoinit as u8) << 4)
        | ((decrement as u8) << 5)
        | ((mode as u8) << 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_do_not_overlap_except_read_write_views() {
        let cfg = Config {
            map_registers: MAX_MAP_REGISTERS,
            ..Config::default()
        };
        let mut seen: Vec<(u32, &str, bool, bool)> = vec![];
        for r in REGISTERS {
            let rd = r.fields.iter().any(|f| f.access.readable());
            let wr = r.fields.iter().any(|f| f.access.writable());
            for i in 0..r.instances(&cfg) {
                let off = r.at(i);
                assert_eq!(off % 4, 0, "{} misaligned", r.name);
                assert!(
                    off < 1 << REGISTER_ADDRESS_BITS,
                    "{} outside the window",
                    r.name
                );
                for &(o, n, prd, pwr) in &seen {
                    if o == off {
                        let clash = (prd && rd) || (pwr && wr);
                        assert!(!clash, "{} overlaps {n}", r.name);
                    }
                }
                seen.push((off, r.name, rd, wr));
            }
        }
    }

    #[test]
    fn fields_fit_and_do_not_overlap() {
        for cfg in [Config::default(), Config::small()] {
            for r in REGISTERS {
                let mut used = 0u32;
                for fl in r.fields {
                    assert!(fl.lsb + fl.width(&cfg) <= 32, "{}.{}", r.name, fl.name);
                    assert_eq!(used & fl.mask(&cfg), 0, "{}.{} overlaps", r.name, fl.name);
                    used |= fl.mask(&cfg);
                }
            }
        }
    }

    #[test]
    fn eight_237_ports_sit_at_four_times_the_port_number() {
        let port = |p: u32| p * 4;
        assert_eq!(DMA_ADDR.at(2), port(4));
        assert_eq!(DMA_COUNT.at(3), port(7));
        assert_eq!(COMMAND.offset, port(8));
        assert_eq!(REQUEST.offset, port(9));
        assert_eq!(SINGLE_MASK.offset, port(10));
        assert_eq!(MODE.offset, port(11));
        assert_eq!(CLEAR_FLIP_FLOP.offset, port(12));
        assert_eq!(MASTER_CLEAR.offset, port(13));
        assert_eq!(CLEAR_MASK.offset, port(14));
        assert_eq!(ALL_MASK.offset, port(15));
    }

    #[test]
    fn configuration_dependent_reset_values_follow_the_configuration() {
        for cfg in [
            Config::default(),
            Config::small(),
            Config {
                outstanding: 16,
                page_shift: 13,
                ..Config::default()
            },
        ] {
            assert_eq!(CONFIG0.reset(&cfg), cfg.config0());
            assert_eq!(CONFIG1.reset(&cfg), cfg.config1());
            assert_eq!(int_enable::FAULT.reset_value(&cfg), (1 << cfg.channels) - 1);
        }
        assert_eq!(INT_ENABLE.reset(&Config::small()), 0x100);
    }

    #[test]
    fn field_helpers_round_trip() {
        let cfg = Config::default();
        let v = map::VALID.put(&cfg, 1) | map::FRAME.put(&cfg, 0xABCDE);
        assert_eq!(map::FRAME.get(&cfg, v), 0xABCDE);
        assert_eq!(map::VALID.get(&cfg, v), 1);
        assert_eq!(map::WRITABLE.get(&cfg, v), 0);
        assert_eq!(ALL_MASK.reset(&cfg), 0xFF);
        assert_eq!(
            mode_byte(2, TransferType::Read, true, false, ServiceMode::Block),
            0x9A
        );
    }
}
