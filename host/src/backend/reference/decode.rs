//! Register-offset decoding for the reference model, derived from `mapdma_regmap` alone.

use mapdma_regmap::{self as rm, Config, Register};
use std::cell::RefCell;
use std::sync::Arc;

/// A decoded register (the 8237 ports that share an offset have one variant for both views).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    Address(usize),
    Count(usize),
    CommandStatus,
    Request,
    SingleMask,
    Mode,
    ClearFlipFlop,
    MasterClearTemporary,
    ClearMask,
    AllMask,
    Page(usize),
    ChConfig(usize),
    Id,
    Version,
    Config0,
    Config1,
    IntStatus,
    IntEnable,
    FaultCause,
    FaultAddr(usize),
    /// The bus-master port's fault record (BM_FAULT, BM_FAULT_ADDR).
    BmFault,
    BmFaultAddr,
    SnapCount(usize),
    SnapAddr(usize),
    SnapInflight(usize),
    Map(usize),
}

/// Instance of `reg` at `offset`, if any.
pub fn instance(reg: &Register, cfg: &Config, offset: u32) -> Option<usize> {
    if offset < reg.offset {
        return None;
    }
    let delta = offset - reg.offset;
    if reg.stride == 0 {
        return (delta == 0).then_some(0);
    }
    let i = (delta / reg.stride) as usize;
    (delta.is_multiple_of(reg.stride) && i < reg.instances(cfg)).then_some(i)
}

/// One configuration's register decode: a table of the whole register space by word offset,
/// made once. Every register access decodes, and searching the register list costs a
/// division per register; the controller keeps its own `Decoder` so the hot path is one
/// indexed load (no per-access configuration compare or thread-local).
#[derive(Clone, Debug)]
pub struct Decoder {
    cfg: Config,
    words: Arc<[Option<Reg>]>,
}

impl Decoder {
    pub fn new(cfg: &Config) -> Self {
        Decoder {
            cfg: *cfg,
            words: table(cfg).into(),
        }
    }

    /// Decodes a byte offset, `None` where there is no register (the bus answers SLVERR).
    pub fn decode(&self, offset: u32) -> Option<Reg> {
        if !offset.is_multiple_of(4) {
            return search(&self.cfg, offset);
        }
        match self.words.get((offset / 4) as usize) {
            Some(r) => *r,
            None => search(&self.cfg, offset),
        }
    }
}

/// Decodes a byte offset, `None` where there is no register (the bus answers SLVERR), for
/// callers without a `Decoder`: one is made on first use on each thread (and remade when the
/// configuration changes).
pub fn decode(cfg: &Config, offset: u32) -> Option<Reg> {
    thread_local! {
        static DECODER: RefCell<Option<Decoder>> = const { RefCell::new(None) };
    }
    DECODER.with(|d| {
        let mut d = d.borrow_mut();
        if d.as_ref().is_none_or(|d| d.cfg != *cfg) {
            *d = Some(Decoder::new(cfg));
        }
        d.as_ref().expect("made above").decode(offset)
    })
}

/// [`search`] of every word offset up to the end of the last register instance.
fn table(cfg: &Config) -> Vec<Option<Reg>> {
    let end = rm::REGISTERS
        .iter()
        .map(|r| r.at(r.instances(cfg).saturating_sub(1)) + 4)
        .max()
        .unwrap_or(0);
    (0..end / 4).map(|w| search(cfg, w * 4)).collect()
}

/// Decodes a byte offset by trying every register in turn.
fn search(cfg: &Config, offset: u32) -> Option<Reg> {
    type Make = fn(usize) -> Reg;
    let table: [(&Register, Make); 26] = [
        (&rm::DMA_ADDR, Reg::Address),
        (&rm::DMA_COUNT, Reg::Count),
        (&rm::COMMAND, |_| Reg::CommandStatus),
        (&rm::REQUEST, |_| Reg::Request),
        (&rm::SINGLE_MASK, |_| Reg::SingleMask),
        (&rm::MODE, |_| Reg::Mode),
        (&rm::CLEAR_FLIP_FLOP, |_| Reg::ClearFlipFlop),
        (&rm::MASTER_CLEAR, |_| Reg::MasterClearTemporary),
        (&rm::CLEAR_MASK, |_| Reg::ClearMask),
        (&rm::ALL_MASK, |_| Reg::AllMask),
        (&rm::PAGE, Reg::Page),
        (&rm::CH_CONFIG, Reg::ChConfig),
        (&rm::ID, |_| Reg::Id),
        (&rm::HW_VERSION, |_| Reg::Version),
        (&rm::CONFIG0, |_| Reg::Config0),
        (&rm::CONFIG1, |_| Reg::Config1),
        (&rm::INT_STATUS, |_| Reg::IntStatus),
        (&rm::INT_ENABLE, |_| Reg::IntEnable),
        (&rm::FAULT_CAUSE, |_| Reg::FaultCause),
        (&rm::FAULT_ADDR, Reg::FaultAddr),
        (&rm::BM_FAULT, |_| Reg::BmFault),
        (&rm::BM_FAULT_ADDR, |_| Reg::BmFaultAddr),
        (&rm::SNAP_COUNT, Reg::SnapCount),
        (&rm::SNAP_ADDR, Reg::SnapAddr),
        (&rm::SNAP_INFLIGHT, Reg::SnapInflight),
        (&rm::MAP, Reg::Map),
    ];
    table
        .iter()
        .find_map(|(r, make)| instance(r, cfg, offset).map(make))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_register_instance_decodes_and_gaps_do_not() {
        let cfg = Config::default();
        for r in rm::REGISTERS {
            for i in 0..r.instances(&cfg) {
                assert!(decode(&cfg, r.at(i)).is_some(), "{} {i}", r.name);
            }
        }
        assert_eq!(decode(&cfg, rm::DMA_COUNT.at(1)), Some(Reg::Count(1)));
        assert_eq!(decode(&cfg, rm::MAP.at(31)), Some(Reg::Map(31)));
        assert_eq!(decode(&cfg, rm::MAP.at(32)), None);
        assert_eq!(decode(&cfg, rm::ID.offset + 0x100), None);
    }

    #[test]
    fn the_table_agrees_with_the_search_in_every_configuration() {
        for cfg in [Config::default(), Config::small(), Config::default()] {
            let decoder = Decoder::new(&cfg);
            for offset in 0..0x2000 {
                assert_eq!(decode(&cfg, offset), search(&cfg, offset), "{offset:#x}");
                assert_eq!(decoder.decode(offset), search(&cfg, offset), "{offset:#x}");
            }
        }
    }
}
