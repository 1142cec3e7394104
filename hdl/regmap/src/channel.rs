//! Programming a channel and reading its count back, as every client of the register map does
//! it: the host library's `map_transfer`, test benches and tools use these two definitions
//! instead of their own copies of the sequence.

use crate::{
    mode_byte, single_mask, Config, ServiceMode, TransferType, UnitWidth, BYTE, CH_CONFIG,
    CLEAR_FLIP_FLOP, COUNTER_BITS, DMA_ADDR, DMA_COUNT, MODE, PAGE, SINGLE_MASK,
};

/// Everything one 8237 channel is programmed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelProgram {
    pub channel: usize,
    pub transfer: TransferType,
    pub auto_initialize: bool,
    pub decrement: bool,
    pub service: ServiceMode,
    pub width: UnitWidth,
    /// Logical address of the first unit (page register and address register together).
    pub logical: u32,
    /// Units to move, 1..=65536 (the count register holds `units − 1`).
    pub units: u32,
}

impl ChannelProgram {
    /// The register writes, `(offset, value)`, the way an ISA HAL programs an 8237: the
    /// channel masked first, the flip-flop cleared before the two-byte writes, mode, unit width,
    /// page, address and count. The channel stays masked: append [`Self::unmask`] to start it.
    pub fn writes(&self, cfg: &Config) -> Vec<(u32, u32)> {
        let c = self.channel;
        let byte = |v: u32| BYTE.put(cfg, v & 0xFF);
        let count = self.units.wrapping_sub(1);
        let mode = mode_byte(
            c,
            self.transfer,
            self.auto_initialize,
            self.decrement,
            self.service,
        );
        vec![
            Self::mask(cfg, c),
            (CLEAR_FLIP_FLOP.offset, 0),
            (MODE.offset, mode as u32),
            (
                CH_CONFIG.at(c),
                crate::ch_config::WIDTH.put(cfg, self.width as u32),
            ),
            (PAGE.at(c), self.logical >> COUNTER_BITS),
            (DMA_ADDR.at(c), byte(self.logical)),
            (DMA_ADDR.at(c), byte(self.logical >> 8)),
            (DMA_COUNT.at(c), byte(count)),
            (DMA_COUNT.at(c), byte(count >> 8)),
        ]
    }

    /// The write that masks channel `c` (stops it after the unit in progress).
    pub fn mask(cfg: &Config, c: usize) -> (u32, u32) {
        (
            SINGLE_MASK.offset,
            single_mask::CHANNEL.put(cfg, c as u32) | single_mask::SET.put(cfg, 1),
        )
    }

    /// The write that unmasks the channel: the last one of a programming sequence.
    pub fn unmask(&self, cfg: &Config) -> (u32, u32) {
        (
            SINGLE_MASK.offset,
            single_mask::CHANNEL.put(cfg, self.channel as u32),
        )
    }
}

/// Units left in the current transfer (or pass, in auto-initialize mode) from a SNAP_COUNT
/// reading's COUNT and PASSES fields.
///
/// The count register holds units − 1. Without auto-initialize it rests at 0xFFFF after
/// terminal count, where a full 65536-unit transfer also starts: the pass counter tells the
/// two apart. With auto-initialize the count reloads at terminal count, so 0xFFFF is a full
/// 65536-unit pass.
pub fn units_left(count: u32, passes: u32, auto_initialize: bool) -> u32 {
    if !auto_initialize && passes != 0 {
        0
    } else {
        (count & 0xFFFF) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_masked_throughout_and_byte_wide() {
        let cfg = Config::default();
        let p = ChannelProgram {
            channel: 2,
            transfer: TransferType::Read,
            auto_initialize: true,
            decrement: false,
            service: ServiceMode::Demand,
            width: UnitWidth::Bits16,
            logical: 0x12_3456,
            units: 0x1_0000,
        };
        let w = p.writes(&cfg);
        assert_eq!(w[0], ChannelProgram::mask(&cfg, 2));
        let masks = w.iter().filter(|(o, _)| *o == SINGLE_MASK.offset).count();
        assert_eq!(masks, 1, "masked once, at the start, never unmasked");
        assert!(w.contains(&(PAGE.at(2), 0x12)));
        assert!(w.contains(&(DMA_ADDR.at(2), 0x56)) && w.contains(&(DMA_ADDR.at(2), 0x34)));
        assert_eq!(
            w.iter()
                .filter(|(o, _)| *o == DMA_COUNT.at(2))
                .map(|x| x.1)
                .collect::<Vec<_>>(),
            vec![0xFF, 0xFF]
        );
        assert_eq!(p.unmask(&cfg), (SINGLE_MASK.offset, 2));
    }

    #[test]
    fn units_left_tells_terminal_count_from_a_full_transfer() {
        assert_eq!(units_left(9, 0, false), 10);
        assert_eq!(units_left(0xFFFF, 0, false), 65536);
        assert_eq!(units_left(0xFFFF, 1, false), 0);
        assert_eq!(units_left(0xFFFF, 3, true), 65536);
        assert_eq!(units_left(4, 3, true), 5);
    }
}
