//! Memory-to-memory transfers (hdl/DESIGN.md §3a): channel 0 reads the source, channel 1
//! writes the destination. Shared by `mapdma sim --scenario mem-to-mem`, `mapdma bench sim`
//! and the tests.
//!
//! Logical page `p` maps to physical frame [`m2m_frame`]`(p)`: every other frame, so each
//! mapped page sits between two unmapped guard frames; the memory's write-permission map allows
//! only the destination's bytes of the copy being made, so any stray write is reported.

use crate::axi_slave::{Access, AxiSlaveConfig};
use crate::bench::{EfficiencyReport, Stream};
use crate::device::{DeviceConfig, DreqMode};
use crate::engine::Engine;
use crate::rate::Rate;
use crate::system::{SimError, System, SystemConfig};
use crate::ChannelSetup;
use mapdma_regmap::{self as rm, Config, ServiceMode, TransferType, UnitWidth};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Physical frame of logical page `p`: every other frame from 0x300.
pub fn m2m_frame(p: u32) -> u32 {
    0x300 + 2 * p
}

/// One block copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct M2mCopy {
    /// Logical addresses (page ‖ 16-bit address) of the source and the destination.
    pub src: u32,
    pub dst: u32,
    pub units: u32,
    pub width: UnitWidth,
    /// Channel 0's and channel 1's auto-initialize bits.
    pub autoinit: bool,
    /// COMMAND.CH0_ADDRESS_HOLD.
    pub hold: bool,
    /// Start from DREQ0 held active (a stream of blocks) instead of a software request.
    pub dreq: bool,
}

impl M2mCopy {
    pub fn unit_bytes(&self) -> u32 {
        1 << (self.width as u32).min(2)
    }
}

/// Maps logical pages `pages` writable to [`m2m_frame`].
pub fn map_pairs<E: Engine>(
    s: &mut System<E>,
    pages: std::ops::Range<u32>,
) -> Result<(), SimError> {
    for p in pages {
        s.map_pages(p as usize, 1, m2m_frame(p), true)?;
    }
    Ok(())
}

/// Physical address of a logical address under [`m2m_frame`].
pub fn m2m_phys(cfg: &Config, logical: u32) -> u64 {
    let ps = cfg.page_size();
    m2m_frame(logical >> cfg.page_shift) as u64 * ps + (logical as u64 & (ps - 1))
}

/// Programs the pair (channel 0 source, channel 1 destination, both block mode), sets
/// COMMAND.MEM_TO_MEM (and CH0_ADDRESS_HOLD), unmasks both and starts it with a software
/// request on channel 0 (or DREQ0, `dreq`).
pub fn start_mem_to_mem<E: Engine>(s: &mut System<E>, c: &M2mCopy) -> Result<(), SimError> {
    let cfg = *s.config();
    for (ch, logical, units) in [(0, c.src, 65536), (1, c.dst, c.units)] {
        s.program_channel(&ChannelSetup {
            channel: ch,
            logical,
            units,
            width: c.width,
            transfer: TransferType::Read,
            autoinit: c.autoinit,
            decrement: false,
            mode: ServiceMode::Block,
        })?;
    }
    let command =
        rm::command::MEM_TO_MEM.put(&cfg, 1) | rm::command::CH0_HOLD.put(&cfg, c.hold as u32);
    s.axil_write(rm::COMMAND.offset, command)?;
    s.set_mask(1, false)?;
    s.set_mask(0, false)?;
    if !c.dreq {
        s.software_request(0, true)?;
    }
    Ok(())
}

/// The scenario's bench: memory latency, and the probability that each memory channel is
/// ready/valid in a clock (1.0: no backpressure); device 0 holds DREQ for `dreq` copies.
pub fn mem_to_mem_config(seed: u64, latency: u32, ready: f64, dreq: bool) -> SystemConfig {
    let mut mem = AxiSlaveConfig {
        seed: seed ^ 0x3C,
        ..AxiSlaveConfig::default().with_latency(latency)
    };
    if ready < 1.0 {
        mem = mem.with_random_backpressure(ready);
    }
    let mut dev0 = DeviceConfig::sink(Rate::Always, ServiceMode::Block);
    dev0.dreq = if dreq {
        DreqMode::Always
    } else {
        DreqMode::Off
    };
    SystemConfig {
        memory: mem,
        devices: vec![dev0],
        ..SystemConfig::default()
    }
}

/// What the scenario moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemToMemRecord {
    pub copies: usize,
    pub units: u64,
    pub bytes: u64,
    pub clocks: u64,
    /// The temporary register after the last copy, and the last unit that copy moved.
    pub temporary: u32,
    pub last_unit: u32,
}

fn unsupported(m: String) -> SimError {
    SimError::Unsupported(m)
}

/// `copies` random block copies (random widths, lengths, offsets, some with channel 0's
/// address held), each checked: the destination holds the source (or the held unit), no byte
/// outside the destination was written, both channels reached terminal count, and the
/// temporary register holds the last unit.
pub fn mem_to_mem_copies<E: Engine>(
    s: &mut System<E>,
    seed: u64,
    copies: usize,
) -> Result<MemToMemRecord, SimError> {
    let cfg: Config = *s.config();
    let ps = cfg.page_size() as u32;
    if !cfg.has_memory_to_memory() || cfg.map_registers < 8 {
        return Err(unsupported(format!(
            "memory-to-memory needs the pair (2 channels, memory_to_memory) and 8 map \
             registers, not {} channel(s) {} the pair and {} map registers",
            cfg.channels,
            if cfg.memory_to_memory {
                "with"
            } else {
                "without"
            },
            cfg.map_registers
        )));
    }
    map_pairs(s, 0..8)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let start = s.cycle();
    let mut rec = MemToMemRecord {
        copies,
        units: 0,
        bytes: 0,
        clocks: 0,
        temporary: 0,
        last_unit: 0,
    };
    for _ in 0..copies {
        let width = [UnitWidth::Bits8, UnitWidth::Bits16, UnitWidth::Bits32][rng.gen_range(0..3)];
        let w = 1u32 << (width as u32);
        let units = rng.gen_range(1..=(2 * ps / w));
        // Source in pages 0..4, destination in pages 4..8, unit-aligned.
        let src = w * rng.gen_range(0..(4 * ps - units * w) / w + 1);
        let dst = 4 * ps + w * rng.gen_range(0..(4 * ps - units * w) / w + 1);
        let c = M2mCopy {
            src,
            dst,
            units,
            width,
            autoinit: false,
            hold: rng.gen_bool(0.15),
            dreq: false,
        };
        for k in 0..units * w {
            let b: u8 = rng.gen();
            s.memory.memory.write(m2m_phys(&cfg, src + k), &[b]);
        }
        s.memory.permissions.forbid_all();
        for k in 0..units {
            let a = m2m_phys(&cfg, dst + k * w);
            s.memory.permissions.allow(a..a + w as u64);
        }
        let eops = s.devices[1].eop_out().len();
        start_mem_to_mem(s, &c)?;
        let budget = 20 * units as u64 + 2000;
        s.run_until(
            budget,
            "the copy's terminal count (EOP on channel 1)",
            |s| s.devices[1].eop_out().len() > eops,
        )?;
        // Let the last writes land.
        s.run(200)?;
        let mut last = 0;
        for k in 0..units {
            let from = if c.hold { src } else { src + k * w };
            let mut want = vec![0; w as usize];
            let mut got = vec![0; w as usize];
            s.memory.memory.read(m2m_phys(&cfg, from), &mut want);
            s.memory.memory.read(m2m_phys(&cfg, dst + k * w), &mut got);
            if want != got {
                return Err(unsupported(format!(
                    "copy {c:?}: unit {k} is {got:02x?}, the source held {want:02x?}"
                )));
            }
            last = want.iter().rev().fold(0, |v, &b| (v << 8) | b as u32);
        }
        if let Some(v) = s.memory.permissions.violations().first() {
            return Err(unsupported(format!("copy {c:?}: stray write {v:?}")));
        }
        rec.temporary = s.axil_read(rm::TEMPORARY.offset)?;
        rec.last_unit = last;
        if rec.temporary != last {
            return Err(unsupported(format!(
                "copy {c:?}: TEMPORARY reads {:#x}, the last unit was {last:#x}",
                rec.temporary
            )));
        }
        rec.units += units as u64;
        rec.bytes += (units * w) as u64;
    }
    rec.clocks = s.cycle() - start;
    Ok(rec)
}

/// Block-mode auto-initialize memory-to-memory stream of 32-bit units: a `buffer_bytes`
/// destination block, both channels auto-initialize, DREQ0 held, `passes` blocks; units timed
/// where the memory accepts their writes (each write needs its read first).
pub fn mem_to_mem_efficiency<E: Engine>(
    s: &mut System<E>,
    buffer_bytes: u32,
    passes: u32,
) -> Result<EfficiencyReport, SimError> {
    let cfg = *s.config();
    let units_per_pass = (buffer_bytes / 4) as u64;
    if buffer_bytes & 3 != 0 || !(1..=65536).contains(&units_per_pass) || passes == 0 {
        return Err(unsupported(format!(
            "a {buffer_bytes}-byte block and {passes} passes cannot be streamed"
        )));
    }
    let pages = buffer_bytes.div_ceil(cfg.page_size() as u32);
    if !cfg.has_memory_to_memory() || 2 * pages > cfg.map_registers as u32 {
        return Err(unsupported(format!(
            "a {buffer_bytes}-byte memory-to-memory stream needs 2 channels and {} map registers",
            2 * pages
        )));
    }
    map_pairs(s, 0..2 * pages)?;
    s.devices[0].set_recording(false);
    let c = M2mCopy {
        src: 0,
        dst: pages * cfg.page_size() as u32,
        units: units_per_pass as u32,
        width: UnitWidth::Bits32,
        autoinit: true,
        hold: false,
        dreq: true,
    };
    start_mem_to_mem(s, &c)?;
    let units = units_per_pass * passes as u64;
    s.run_until(units * 4 + 10_000, "the stream's units", |s| {
        s.memory.stats().writes >= units
    })?;
    Ok(EfficiencyReport::from_log(
        s,
        Stream::MemToMem,
        Access::Write,
        1.0,
        buffer_bytes,
        passes,
    ))
}
