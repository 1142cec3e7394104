//! `DEVICE_DESCRIPTION`, every field of versions 0–3, and its validation against the hardware.
//!
//! As in the WDK, start from [`DeviceDescription::default`] (the zeroed structure) and set the
//! fields that matter. Fields a version does not use are ignored, as the HAL ignores them:
//! `DemandMode` below version 2, `IgnoreCount` below version 1, `DmaAddressWidth` below 3.

use std::fmt;

use mapdma_regmap::{Config, UnitWidth};

pub const DEVICE_DESCRIPTION_VERSION: u32 = 0;
pub const DEVICE_DESCRIPTION_VERSION1: u32 = 1;
pub const DEVICE_DESCRIPTION_VERSION2: u32 = 2;
pub const DEVICE_DESCRIPTION_VERSION3: u32 = 3;

/// `INTERFACE_TYPE`. `Undefined` is the WDK's -1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum InterfaceType {
    #[default]
    Internal,
    Undefined,
    Isa,
    Eisa,
    MicroChannel,
    TurboChannel,
    PciBus,
    VmeBus,
    NuBus,
    PcmciaBus,
    CBus,
    MpiBus,
    MpsaBus,
    ProcessorInternal,
    InternalPowerBus,
    PnpIsaBus,
    PnpBus,
    Vmcs,
    Acpi,
}

/// `DMA_WIDTH`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DmaWidth {
    #[default]
    Width8Bits,
    Width16Bits,
    Width32Bits,
    Width64Bits,
}

impl DmaWidth {
    /// The hardware's unit width for this DMA width, if it has one.
    pub fn unit(self) -> Option<UnitWidth> {
        match self {
            DmaWidth::Width8Bits => Some(UnitWidth::Bits8),
            DmaWidth::Width16Bits => Some(UnitWidth::Bits16),
            DmaWidth::Width32Bits => Some(UnitWidth::Bits32),
            DmaWidth::Width64Bits => None,
        }
    }
}

/// `DMA_SPEED` (timing of ISA/EISA controllers; stored, mapdma always runs at full speed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DmaSpeed {
    #[default]
    Compatible,
    TypeA,
    TypeB,
    TypeC,
    TypeF,
}

/// `DEVICE_DESCRIPTION`, field for field (snake_case names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeviceDescription {
    pub version: u32,
    pub master: bool,
    pub scatter_gather: bool,
    pub demand_mode: bool,
    pub auto_initialize: bool,
    pub dma32_bit_addresses: bool,
    pub ignore_count: bool,
    pub reserved1: bool,
    pub dma64_bit_addresses: bool,
    pub bus_number: u32,
    pub dma_channel: u32,
    pub interface_type: InterfaceType,
    pub dma_width: DmaWidth,
    pub dma_speed: DmaSpeed,
    pub maximum_length: u32,
    pub dma_port: u32,
    pub dma_address_width: u32,
    pub dma_controller_instance: u32,
    pub dma_request_line: u32,
    pub device_address: u64,
}

/// One typed error per invalid field or combination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DescriptionError {
    UnknownVersion(u32),
    ZeroMaximumLength,
    MasterWithAutoInitialize,
    Reserved1Set,
    ChannelOutOfRange {
        channel: u32,
        channels: usize,
    },
    WidthUnsupported {
        width: DmaWidth,
        channel: u32,
    },
    /// Version 3: `DmaRequestLine` names a different channel than `DmaChannel`.
    ConflictingRequestLine {
        channel: u32,
        request_line: u32,
    },
    /// Version 3 bus master: `DmaAddressWidth` outside 1..=64.
    AddressWidthOutOfRange(u32),
    /// Version 3 bus master whose addresses cannot reach the logical address space.
    AddressWidthTooNarrow {
        width: u32,
        logical_bits: u32,
    },
}

impl fmt::Display for DescriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DescriptionError::*;
        match self {
            UnknownVersion(v) => write!(f, "unknown DEVICE_DESCRIPTION version {v} (0..=3)"),
            ZeroMaximumLength => write!(f, "MaximumLength is zero"),
            MasterWithAutoInitialize => {
                write!(
                    f,
                    "AutoInitialize is a system-DMA mode; a bus master cannot use it"
                )
            }
            Reserved1Set => write!(f, "Reserved1 must be FALSE"),
            ChannelOutOfRange { channel, channels } => write!(
                f,
                "DMA channel {channel} does not exist (the hardware has {channels})"
            ),
            WidthUnsupported { width, channel } => {
                write!(f, "channel {channel} cannot transfer {width:?} units")
            }
            ConflictingRequestLine {
                channel,
                request_line,
            } => write!(
                f,
                "DmaRequestLine {request_line} differs from DmaChannel {channel}"
            ),
            AddressWidthOutOfRange(w) => write!(f, "DmaAddressWidth {w} (must be 1..=64)"),
            AddressWidthTooNarrow {
                width,
                logical_bits,
            } => write!(
                f,
                "DmaAddressWidth {width} cannot reach the {logical_bits}-bit logical space"
            ),
        }
    }
}

impl std::error::Error for DescriptionError {}

impl DeviceDescription {
    /// A subordinate (system-DMA) device on `channel`, the seed's common-buffer shape.
    pub fn system_dma(channel: u32, width: DmaWidth, maximum_length: u32) -> Self {
        DeviceDescription {
            version: DEVICE_DESCRIPTION_VERSION2,
            dma_channel: channel,
            dma_width: width,
            maximum_length,
            interface_type: InterfaceType::Isa,
            ..Default::default()
        }
    }

    /// A bus-master device.
    pub fn bus_master(maximum_length: u32, scatter_gather: bool) -> Self {
        DeviceDescription {
            version: DEVICE_DESCRIPTION_VERSION2,
            master: true,
            scatter_gather,
            dma32_bit_addresses: true,
            maximum_length,
            interface_type: InterfaceType::PciBus,
            ..Default::default()
        }
    }

    /// Whether the HAL honours `DemandMode` (version 2 only uses it; later versions keep it).
    pub fn uses_demand_mode(&self) -> bool {
        self.demand_mode && self.version >= DEVICE_DESCRIPTION_VERSION2
    }

    /// Whether the HAL honours `IgnoreCount` (ignored when Version is 0).
    pub fn uses_ignore_count(&self) -> bool {
        self.ignore_count && self.version >= DEVICE_DESCRIPTION_VERSION1
    }

    /// Checks the description against the rules and the hardware; the first violation wins.
    pub fn validate(&self, hw: &Config) -> Result<(), DescriptionError> {
        use DescriptionError::*;
        if self.version > DEVICE_DESCRIPTION_VERSION3 {
            return Err(UnknownVersion(self.version));
        }
        if self.reserved1 {
            return Err(Reserved1Set);
        }
        if self.maximum_length == 0 {
            return Err(ZeroMaximumLength);
        }
        if self.master {
            if self.auto_initialize {
                return Err(MasterWithAutoInitialize);
            }
            if self.version == DEVICE_DESCRIPTION_VERSION3 {
                if !(1..=64).contains(&self.dma_address_width) {
                    return Err(AddressWidthOutOfRange(self.dma_address_width));
                }
                if self.dma_address_width < hw.logical_bits {
                    return Err(AddressWidthTooNarrow {
                        width: self.dma_address_width,
                        logical_bits: hw.logical_bits,
                    });
                }
            }
            return Ok(());
        }
        if self.dma_channel as usize >= hw.channels {
            return Err(ChannelOutOfRange {
                channel: self.dma_channel,
                channels: hw.channels,
            });
        }
        if self.version == DEVICE_DESCRIPTION_VERSION3
            && self.dma_request_line != 0
            && self.dma_request_line != self.dma_channel
        {
            return Err(ConflictingRequestLine {
                channel: self.dma_channel,
                request_line: self.dma_request_line,
            });
        }
        if self.dma_width.unit().is_none() {
            return Err(WidthUnsupported {
                width: self.dma_width,
                channel: self.dma_channel,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DescriptionError::*;

    fn hw() -> Config {
        Config::default()
    }

    #[test]
    fn the_seed_description_is_valid() {
        let d = DeviceDescription {
            auto_initialize: true,
            ..DeviceDescription::system_dma(1, DmaWidth::Width8Bits, 8192)
        };
        d.validate(&hw()).unwrap();
        DeviceDescription::bus_master(1 << 20, true)
            .validate(&hw())
            .unwrap();
    }

    #[test]
    fn each_bad_field_has_its_own_error() {
        let base = DeviceDescription::system_dma(0, DmaWidth::Width16Bits, 4096);
        let cases = [
            (DeviceDescription { version: 4, ..base }, UnknownVersion(4)),
            (
                DeviceDescription {
                    maximum_length: 0,
                    ..base
                },
                ZeroMaximumLength,
            ),
            (
                DeviceDescription {
                    reserved1: true,
                    ..base
                },
                Reserved1Set,
            ),
            (
                DeviceDescription {
                    master: true,
                    auto_initialize: true,
                    ..base
                },
                MasterWithAutoInitialize,
            ),
            (
                DeviceDescription {
                    dma_channel: 4,
                    ..base
                },
                ChannelOutOfRange {
                    channel: 4,
                    channels: 4,
                },
            ),
            (
                DeviceDescription {
                    dma_width: DmaWidth::Width64Bits,
                    ..base
                },
                WidthUnsupported {
                    width: DmaWidth::Width64Bits,
                    channel: 0,
                },
            ),
            (
                DeviceDescription {
                    version: 3,
                    dma_request_line: 2,
                    ..base
                },
                ConflictingRequestLine {
                    channel: 0,
                    request_line: 2,
                },
            ),
            (
                DeviceDescription {
                    version: 3,
                    dma_address_width: 0,
                    ..DeviceDescription::bus_master(4096, false)
                },
                AddressWidthOutOfRange(0),
            ),
            (
                DeviceDescription {
                    version: 3,
                    dma_address_width: 16,
                    ..DeviceDescription::bus_master(4096, false)
                },
                AddressWidthTooNarrow {
                    width: 16,
                    logical_bits: 24,
                },
            ),
        ];
        for (d, e) in cases {
            assert_eq!(d.validate(&hw()), Err(e.clone()), "{e}");
        }
        let one_channel = Config::small();
        assert!(matches!(
            DeviceDescription::system_dma(1, DmaWidth::Width8Bits, 1).validate(&one_channel),
            Err(ChannelOutOfRange { .. })
        ));
    }

    #[test]
    fn version_gated_fields_are_ignored_below_their_version() {
        let mut d = DeviceDescription {
            demand_mode: true,
            ignore_count: true,
            version: 0,
            ..DeviceDescription::system_dma(0, DmaWidth::Width8Bits, 1)
        };
        assert!(!d.uses_demand_mode() && !d.uses_ignore_count());
        d.version = 1;
        assert!(!d.uses_demand_mode() && d.uses_ignore_count());
        d.version = 2;
        assert!(d.uses_demand_mode());
    }
}
