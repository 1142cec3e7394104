//! Generator parameters: every size of the hardware, shared by the HDL generator, the
//! simulation models and the host library (which discovers them from the ID/config registers).

use std::fmt;

/// Sizes of one mapdma instance. The defaults are SPEC §2's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// DMA channels, 8237 numbering 0..channels (1..=4: the 8237 port encoding has 2 channel bits).
    pub channels: usize,
    /// Map registers; entry *i* translates logical page *i* (1..=1024, a power of two).
    pub map_registers: usize,
    /// log2 of the page size in bytes (12 = 4 KiB).
    pub page_shift: u32,
    /// Logical (device) address bits: page register ‖ 16-bit address (17..=32).
    pub logical_bits: u32,
    /// Physical address bits of the AXI4 master (page_shift+1..=32).
    pub physical_bits: u32,
    /// Outstanding AXI transactions per direction (reads, writes); a power of two, 2..=32
    /// (the response-tag FIFOs hold 32). Streaming one unit per clock needs at least the memory
    /// latency plus two.
    pub outstanding: usize,
    /// The bus-master translation port (`s_bm_axi_*` slave, `m_bm_axi_*` master; DESIGN §10):
    /// a bus-master device's AXI4 bursts go through the map registers. Off: the ports stay in
    /// the module, tied off (READY and VALID low).
    pub bus_master_port: bool,
    /// The 8237 memory-to-memory pair of channels 0 and 1 (COMMAND.MEM_TO_MEM, DESIGN §3a),
    /// with its writer and its own copy of the map for the destination. Off (or with one
    /// channel): COMMAND bits 0–1 are stored with no effect, and the core is that much
    /// smaller (the board designs leave it out to fit the iCEBreaker).
    pub memory_to_memory: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            channels: 4,
            map_registers: 32,
            page_shift: 12,
            logical_bits: 24,
            physical_bits: 32,
            outstanding: 32,
            bus_master_port: true,
            memory_to_memory: true,
        }
    }
}

/// Width of the memory data bus and of the device streams, in bits.
pub const DATA_BITS: u32 = 32;
/// Width of the 8237 address and count registers.
pub const COUNTER_BITS: u32 = 16;
/// Channels the 8237 register encoding can name.
pub const MAX_CHANNELS: usize = 4;
/// Outstanding transactions per direction the response-tag FIFOs can track.
pub const MAX_OUTSTANDING: usize = 32;
/// Map registers the register window (0x1000..0x2000) can hold.
pub const MAX_MAP_REGISTERS: usize = 1024;
/// CONFIG1 bit that reports [`Config::bus_master_port`] (`config1::BUS_MASTER_PORT`).
pub const CONFIG1_BUS_MASTER_PORT_BIT: u32 = 15;
/// CONFIG1 bit that reports [`Config::memory_to_memory`] (`config1::MEMORY_TO_MEMORY`); the
/// map-register count below it needs 11 bits at most.
pub const CONFIG1_MEMORY_TO_MEMORY_BIT: u32 = 14;
/// Hardware version reported in the VERSION register: (major, minor).
pub const VERSION: (u16, u16) = (1, 3);
/// Value of the ID register: "MDMA" in ASCII.
pub const ID_MAGIC: u32 = 0x4D44_4D41;

/// A configuration that the generator cannot build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid mapdma configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The small configuration pinned by the snapshot tests: 1 channel, 4 map registers, no
    /// bus-master port.
    pub fn small() -> Self {
        Config {
            channels: 1,
            map_registers: 4,
            bus_master_port: false,
            ..Config::default()
        }
    }

    /// Whether the memory-to-memory pair is built: asked for, and channels 0 and 1 exist.
    pub fn has_memory_to_memory(&self) -> bool {
        self.memory_to_memory && self.channels >= 2
    }

    /// Checks every parameter against what the hardware and its register map can express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |m: String| Err(ConfigError(m));
        if !(1..=MAX_CHANNELS).contains(&self.channels) {
            return err(format!("channels = {} (must be 1..=4)", self.channels));
        }
        if !self.map_registers.is_power_of_two() || self.map_registers > MAX_MAP_REGISTERS {
            return err(format!(
                "map_registers = {} (must be a power of two, at most {MAX_MAP_REGISTERS})",
                self.map_registers
            ));
        }
        if !(8..=16).contains(&self.page_shift) {
            return err(format!("page_shift = {} (must be 8..=16)", self.page_shift));
        }
        if !(17..=32).contains(&self.logical_bits) {
            return err(format!(
                "logical_bits = {} (must be 17..=32)",
                self.logical_bits
            ));
        }
        if self.physical_bits <= self.page_shift || self.physical_bits > 32 {
            return err(format!(
                "physical_bits = {} (must be {}..=32 with page_shift {})",
                self.physical_bits,
                self.page_shift + 1,
                self.page_shift
            ));
        }
        if self.frame_bits() > 20 {
            return err(format!(
                "physical_bits - page_shift = {} (a map entry holds at most 20 frame bits)",
                self.frame_bits()
            ));
        }
        if !self.outstanding.is_power_of_two() || !(2..=MAX_OUTSTANDING).contains(&self.outstanding)
        {
            return err(format!(
                "outstanding = {} (must be a power of two, 2..={MAX_OUTSTANDING})",
                self.outstanding
            ));
        }
        Ok(())
    }

    /// Page size in bytes.
    pub fn page_size(&self) -> u64 {
        1 << self.page_shift
    }

    /// Bits of a physical page frame number held in a map entry.
    #[inline]
    pub fn frame_bits(&self) -> u32 {
        self.physical_bits - self.page_shift
    }

    /// Bits of the page register (logical address bits above the 16-bit address register).
    #[inline]
    pub fn page_register_bits(&self) -> u32 {
        self.logical_bits - COUNTER_BITS
    }

    /// Bits needed to index the map registers.
    pub fn map_index_bits(&self) -> u32 {
        self.map_registers.trailing_zeros()
    }

    /// Encodes CONFIG0 as the hardware reports it.
    pub fn config0(&self) -> u32 {
        (self.channels as u32)
            | (self.page_shift << 8)
            | (self.logical_bits << 16)
            | (self.physical_bits << 24)
    }

    /// Encodes CONFIG1 as the hardware reports it.
    pub fn config1(&self) -> u32 {
        (self.map_registers as u32)
            | ((self.bus_master_port as u32) << CONFIG1_BUS_MASTER_PORT_BIT)
            | ((self.memory_to_memory as u32) << CONFIG1_MEMORY_TO_MEMORY_BIT)
            | (DATA_BITS << 16)
            | ((self.outstanding as u32 & 0xFF) << 24)
    }

    /// Decodes CONFIG0/CONFIG1 read from hardware (the host's discovery path).
    pub fn from_registers(config0: u32, config1: u32) -> Result<Self, ConfigError> {
        let outstanding = match (config1 >> 24) & 0xFF {
            0 => 256,
            n => n as usize,
        };
        let cfg = Config {
            channels: (config0 & 0xFF) as usize,
            page_shift: (config0 >> 8) & 0xFF,
            logical_bits: (config0 >> 16) & 0xFF,
            physical_bits: (config0 >> 24) & 0xFF,
            map_registers: (config1 & ((1 << CONFIG1_MEMORY_TO_MEMORY_BIT) - 1)) as usize,
            outstanding,
            bus_master_port: (config1 >> CONFIG1_BUS_MASTER_PORT_BIT) & 1 != 0,
            memory_to_memory: (config1 >> CONFIG1_MEMORY_TO_MEMORY_BIT) & 1 != 0,
        };
        let data_bits = (config1 >> 16) & 0xFF;
        if data_bits != DATA_BITS {
            return Err(ConfigError(format!(
                "data bus of {data_bits} bits is not supported"
            )));
        }
        cfg.validate()?;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip_through_registers() {
        for cfg in [Config::default(), Config::small()] {
            cfg.validate().unwrap();
            assert_eq!(
                Config::from_registers(cfg.config0(), cfg.config1()).unwrap(),
                cfg
            );
        }
        let big = Config {
            outstanding: 2,
            map_registers: 1024,
            bus_master_port: false,
            memory_to_memory: false,
            ..Config::default()
        };
        assert_eq!(
            Config::from_registers(big.config0(), big.config1()).unwrap(),
            big
        );
    }

    #[test]
    fn bad_parameters_are_rejected_with_the_parameter_named() {
        let bad = [
            Config {
                channels: 0,
                ..Config::default()
            },
            Config {
                channels: 5,
                ..Config::default()
            },
            Config {
                map_registers: 24,
                ..Config::default()
            },
            Config {
                map_registers: 2048,
                ..Config::default()
            },
            Config {
                page_shift: 7,
                ..Config::default()
            },
            Config {
                logical_bits: 16,
                ..Config::default()
            },
            Config {
                physical_bits: 33,
                ..Config::default()
            },
            Config {
                physical_bits: 12,
                ..Config::default()
            },
            Config {
                outstanding: 3,
                ..Config::default()
            },
        ];
        for cfg in bad {
            let e = cfg.validate().unwrap_err();
            assert!(
                e.to_string().contains("invalid mapdma configuration"),
                "{e}"
            );
        }
    }
}
