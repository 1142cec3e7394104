//! The random program generator.
//!
//! A program is legal register programming of random channels (transfer type, service mode,
//! unit width, increment/decrement, auto-initialize, masks, software requests, page registers,
//! map registers that are valid, read-only, invalid or missing), preceded by random harmless
//! register traffic and a master clear, and followed by up to two more rounds (external EOP,
//! map fixes, fault clears, refills, reprogramming, master clear). A configuration with the
//! bus-master port usually gets a last round of bursts through the port (`generate_bm`).
//!
//! Constraints that keep the comparison meaningful, where `hdl/DESIGN.md` lets the RTL's timing
//! show in the final state:
//! - every channel owns the logical pages it touches and every page its own physical frame, so
//!   channels running at the same time never share memory and their interleaving does not
//!   matter;
//! - map entries, channel registers and COMMAND change only while every channel is masked (at
//!   the start of a round, after a run to quiescence): "a map register written while units are
//!   in flight" never happens;
//! - a bus-error range covers only the last unit of a pass of a channel without
//!   auto-initialize: units issued after an erroring one are counted by the RTL (they were in
//!   flight), while the reference model, which has no flight, stops at once;
//! - a channel driven by data-following DREQ uses active-high DREQ (the reference model's device
//!   has no polarity); channels with active-low DREQ run on software requests or on a constant
//!   DREQ level;
//! - a program in which, at the end of a round, a channel would stay eligible but unable to move
//!   (waiting for device data that never comes), or would never stop (auto-initialize on a
//!   constant DREQ), is rejected by running it on the reference model and generated anew from
//!   the same random stream: its final state would depend on how far the RTL got.

use crate::generate_bm::{self, BmContext, MappedPage};
use crate::outcome::Outcome;
use crate::program::{
    Bench, BusError, DevicePlan, MemoryPlan, Program, Request, Round, Step, NO_REGISTER,
};
use crate::reference::{run_reference, ReferenceError};
use mapdma_regmap::{self as rm, Config, ServiceMode, COUNTER_BITS, MAX_CHANNELS};
use mapdma_sim::rate::Rate;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

#[path = "generate_m2m.rs"]
mod m2m;

/// Candidates tried per seed before giving up.
pub const MAX_ATTEMPTS: usize = 64;

/// A generated program with its reference outcome.
#[derive(Clone, Debug)]
pub struct Generated {
    pub program: Program,
    pub reference: Outcome,
    /// Why earlier candidates of this seed were rejected.
    pub rejected: Vec<ReferenceError>,
}

/// The generator could not produce a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenerateError {
    /// Every candidate was rejected; the last reason.
    Rejected { seed: u64, last: ReferenceError },
    /// The reference bench refused a candidate (a generator bug).
    Bench { seed: u64, error: ReferenceError },
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::Rejected { seed, last } => write!(
                f,
                "seed {seed:#x}: all {MAX_ATTEMPTS} candidates rejected (last: {last})"
            ),
            GenerateError::Bench { seed, error } => write!(f, "seed {seed:#x}: {error}"),
        }
    }
}

impl std::error::Error for GenerateError {}

/// Generates the program of `seed` and runs it on the reference model.
pub fn generate(seed: u64) -> Result<Generated, GenerateError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rejected = vec![];
    for _ in 0..MAX_ATTEMPTS {
        let program = candidate(seed, &mut rng);
        match run_reference(&program) {
            Ok(reference) => {
                return Ok(Generated {
                    program,
                    reference,
                    rejected,
                })
            }
            Err(e @ ReferenceError::Setup(_)) => {
                return Err(GenerateError::Bench { seed, error: e })
            }
            Err(e) => rejected.push(e),
        }
    }
    Err(GenerateError::Rejected {
        seed,
        last: rejected.pop().expect("MAX_ATTEMPTS > 0"),
    })
}

/// Mode-register transfer codes (bits 3:2).
const VERIFY: u32 = 0;
const WRITE: u32 = 1;
const READ: u32 = 2;
/// Transfer code 3, which the hardware treats as verify.
const VERIFY_ALIAS: u32 = 3;

/// Most logical pages one channel may touch (keeps programs short and frames few).
const MAX_PAGES_PER_CHANNEL: usize = 4;

/// One channel's programming.
#[derive(Clone, Debug)]
struct Chan {
    ch: usize,
    transfer: u32,
    service: ServiceMode,
    autoinit: bool,
    decrement: bool,
    /// CH_CONFIG.WIDTH code (3 moves 8-bit units).
    width: u32,
    page: u32,
    address: u16,
    units: u32,
    request: Request,
    source_units: u64,
}

impl Chan {
    fn bytes(&self) -> u32 {
        match self.width {
            1 => 2,
            2 => 4,
            _ => 1,
        }
    }

    fn mode_byte(&self, cfg: &Config) -> u32 {
        rm::mode::CHANNEL.put(cfg, self.ch as u32)
            | rm::mode::TRANSFER.put(cfg, self.transfer)
            | rm::mode::AUTOINIT.put(cfg, self.autoinit as u32)
            | rm::mode::DECREMENT.put(cfg, self.decrement as u32)
            | rm::mode::MODE.put(cfg, self.service as u32)
    }

    fn uses_memory(&self) -> bool {
        matches!(self.transfer, WRITE | READ) && self.service != ServiceMode::Cascade
    }

    /// Logical address of unit `k` of a pass (unit-aligned, as the bus sees it).
    fn unit_logical(&self, k: u32) -> u32 {
        let w = self.bytes();
        let step = k.wrapping_mul(w);
        let a = if self.decrement {
            (self.address as u32).wrapping_sub(step)
        } else {
            (self.address as u32).wrapping_add(step)
        } & 0xFFFF;
        (self.page << COUNTER_BITS) | (a & !(w - 1))
    }

    /// Logical pages a pass touches, in order of first use.
    fn pages(&self, cfg: &Config) -> Vec<usize> {
        let mut v: Vec<usize> = vec![];
        for k in 0..self.units {
            let p = (self.unit_logical(k) >> cfg.page_shift) as usize;
            if v.last() != Some(&p) && !v.contains(&p) {
                v.push(p);
            }
        }
        v
    }
}

/// What a map entry of a claimed page says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PageState {
    Writable,
    ReadOnly,
    Invalid,
}

#[derive(Clone, Debug)]
struct PagePlan {
    frame: u32,
    state: PageState,
    /// May be made writable in a later round.
    fix_later: bool,
    ever_writable: bool,
}

struct Gen<'a> {
    cfg: Config,
    rng: &'a mut StdRng,
    /// Byte-pointer flip-flop as the steps so far leave it (true = next access is the MSB).
    ff: bool,
    steps: Vec<Step>,
    /// Whether the noise may read STATUS. Not when a device withdraws DREQ on DACK (block
    /// handshake): its DACK polarity is the program's final COMMAND's, so before that COMMAND
    /// is written it takes the idle DACK level for an acknowledge and holds DREQ back, which
    /// the request bits would show (a bench artifact, not the design's behaviour).
    status_in_noise: bool,
}

impl Gen<'_> {
    fn w(&mut self, offset: u32, value: u32) {
        self.steps.push(Step::write(offset, value));
        self.track(offset, true);
    }

    fn r(&mut self, offset: u32) {
        self.steps.push(Step::Read { offset });
        self.track(offset, false);
    }

    /// Follows the flip-flop through an access.
    fn track(&mut self, offset: u32, write: bool) {
        if offset < rm::COMMAND.offset {
            self.ff = !self.ff;
        } else if write
            && (offset == rm::CLEAR_FLIP_FLOP.offset || offset == rm::MASTER_CLEAR.offset)
        {
            self.ff = false;
        }
    }

    fn clear_ff(&mut self, always: bool) {
        if self.ff || always || self.rng.gen_bool(0.4) {
            let v = self.rng.gen::<u8>() as u32;
            self.w(rm::CLEAR_FLIP_FLOP.offset, v);
        }
    }

    /// Base/current address and count through the flip-flop, LSB then MSB.
    fn program_counters(&mut self, c: &Chan) {
        self.clear_ff(false);
        let count = c.units - 1;
        let addr = [
            (rm::DMA_ADDR.at(c.ch), c.address as u32 & 0xFF),
            (rm::DMA_ADDR.at(c.ch), c.address as u32 >> 8),
        ];
        let cnt = [
            (rm::DMA_COUNT.at(c.ch), count & 0xFF),
            (rm::DMA_COUNT.at(c.ch), count >> 8 & 0xFF),
        ];
        let order = if self.rng.gen_bool(0.5) {
            [addr, cnt]
        } else {
            [cnt, addr]
        };
        for (off, v) in order.into_iter().flatten() {
            let junk = if self.rng.gen_bool(0.1) {
                self.rng.gen::<u32>() & !0xFF
            } else {
                0
            };
            self.w(off, v | junk);
        }
    }

    fn program_channel(&mut self, c: &Chan) {
        let cfg = self.cfg;
        if self.rng.gen_bool(0.5) {
            let v =
                rm::single_mask::CHANNEL.put(&cfg, c.ch as u32) | rm::single_mask::SET.put(&cfg, 1);
            self.w(rm::SINGLE_MASK.offset, v);
        }
        self.program_counters(c);
        let junk = |g: &mut Self, mask: u32| {
            if g.rng.gen_bool(0.2) {
                g.rng.gen::<u32>() & !mask
            } else {
                0
            }
        };
        let page_mask = rm::PAGE.fields[0].mask(&cfg);
        let j = junk(self, page_mask);
        self.w(rm::PAGE.at(c.ch), c.page | j);
        let j = junk(self, rm::ch_config::WIDTH.mask(&cfg));
        self.w(
            rm::CH_CONFIG.at(c.ch),
            rm::ch_config::WIDTH.put(&cfg, c.width) | j,
        );
        self.w(rm::MODE.offset, c.mode_byte(&cfg));
    }

    /// Unmasks `chans` by one of the three 8237 ways (`clear_all`: port 14, which unmasks
    /// every channel, is allowed).
    fn unmask(&mut self, chans: &[usize], clear_all: bool) {
        let cfg = self.cfg;
        let ways = if clear_all { 3 } else { 2 };
        match self.rng.gen_range(0..ways) {
            0 => {
                for &ch in chans {
                    let v = rm::single_mask::CHANNEL.put(&cfg, ch as u32);
                    self.w(rm::SINGLE_MASK.offset, v);
                }
            }
            1 => {
                let keep = chans.iter().fold(0xF, |m, &c| m & !(1 << c));
                self.w(rm::ALL_MASK.offset, keep);
            }
            _ => {
                let v = self.rng.gen::<u8>() as u32;
                self.w(rm::CLEAR_MASK.offset, v)
            }
        }
    }

    fn request(&mut self, ch: usize) {
        let cfg = self.cfg;
        let v = rm::request::CHANNEL.put(&cfg, ch as u32) | rm::request::SET.put(&cfg, 1);
        self.w(rm::REQUEST.offset, v);
    }

    /// Register traffic that changes nothing a later step does not rewrite, while every
    /// channel is masked (a master clear follows it).
    fn noise(&mut self) {
        let cfg = self.cfg;
        let ch = self.rng.gen_range(0..MAX_CHANNELS);
        let v: u32 = self.rng.gen();
        let byte = v & 0xFF;
        match self.rng.gen_range(0..18) {
            0 => self.w(rm::DMA_ADDR.at(ch), byte),
            1 => self.w(rm::DMA_COUNT.at(ch), byte),
            2 => self.w(rm::PAGE.at(ch), v),
            3 => self.w(rm::CH_CONFIG.at(ch), v),
            4 => self.w(rm::MODE.offset, byte),
            5 => self.w(rm::COMMAND.offset, byte),
            6 => self.w(rm::REQUEST.offset, byte),
            7 => self.w(
                rm::SINGLE_MASK.offset,
                byte | rm::single_mask::SET.put(&cfg, 1),
            ),
            8 => self.w(rm::ALL_MASK.offset, v | 0xF),
            9 => self.w(rm::INT_ENABLE.offset, v),
            10 => self.w(rm::INT_STATUS.offset, v),
            11 => {
                let i = self.rng.gen_range(0..cfg.map_registers);
                self.w(rm::MAP.at(i), v)
            }
            12 => self.w(rm::CLEAR_FLIP_FLOP.offset, byte),
            13 => {
                let ro = [
                    rm::ID.offset,
                    rm::HW_VERSION.offset,
                    rm::CONFIG0.offset,
                    rm::CONFIG1.offset,
                    rm::FAULT_CAUSE.offset,
                    rm::FAULT_ADDR.at(ch),
                    rm::SNAP_COUNT.at(ch),
                    rm::SNAP_ADDR.at(ch),
                    rm::SNAP_INFLIGHT.at(ch),
                ];
                let off = *ro.choose(self.rng).expect("non-empty");
                self.w(off, v)
            }
            14 => {
                let holes = [NO_REGISTER, rm::MAP.at(cfg.map_registers), 0x1FFC];
                let off = *holes.choose(self.rng).expect("non-empty");
                self.w(off, v)
            }
            15 => {
                // WSTRB = 0: the slave must ignore it, even for strobes and unmasking.
                let offs = [
                    rm::MASTER_CLEAR.offset,
                    rm::CLEAR_MASK.offset,
                    rm::ALL_MASK.offset,
                    rm::SINGLE_MASK.offset,
                    rm::REQUEST.offset,
                    rm::COMMAND.offset,
                    rm::DMA_ADDR.at(ch),
                    rm::PAGE.at(ch),
                    rm::MAP.at(0),
                    NO_REGISTER,
                ];
                let offset = *offs.choose(self.rng).expect("non-empty");
                let value = if offset == rm::ALL_MASK.offset {
                    v & !0xF
                } else {
                    byte & 0xFB
                };
                self.steps.push(Step::Write {
                    offset,
                    value,
                    strb: 0,
                });
            }
            16 => {
                let offs = crate::program::readback(&cfg);
                if let Some(Step::Read { offset }) = offs
                    .iter()
                    .filter(|s| matches!(s, Step::Read { .. }))
                    .collect::<Vec<_>>()
                    .choose(self.rng)
                    .copied()
                    .copied()
                {
                    if offset != rm::STATUS.offset || self.status_in_noise {
                        self.r(offset)
                    }
                }
            }
            _ => {
                // A partial WSTRB writes the whole register.
                let offs = [rm::PAGE.at(ch), rm::INT_ENABLE.offset, rm::MAP.at(0)];
                let offset = *offs.choose(self.rng).expect("non-empty");
                let strb = self.rng.gen_range(1..0xF);
                self.steps.push(Step::Write {
                    offset,
                    value: v,
                    strb,
                });
            }
        }
    }
}

fn pick_rate(rng: &mut StdRng, min_p: f64) -> Rate {
    match rng.gen_range(0..10) {
        0..=3 => Rate::Always,
        4..=7 => Rate::Random(rng.gen_range(min_p..1.0)),
        8 => Rate::Every(rng.gen_range(1..=4)),
        _ => Rate::Bursty {
            on: rng.gen_range(1..=4),
            off: rng.gen_range(1..=6),
        },
    }
}

fn bench(rng: &mut StdRng) -> Bench {
    let latency = |rng: &mut StdRng| {
        if rng.gen_bool(0.1) {
            rng.gen_range(13..=40)
        } else {
            rng.gen_range(1..=12)
        }
    };
    let outstanding = |rng: &mut StdRng| *[1, 2, 3, 4, 8, 16, 64].choose(rng).expect("non-empty");
    Bench {
        read_latency: latency(rng),
        write_latency: latency(rng),
        aw_ready: pick_rate(rng, 0.3),
        w_ready: pick_rate(rng, 0.3),
        ar_ready: pick_rate(rng, 0.3),
        r_valid: pick_rate(rng, 0.3),
        b_valid: pick_rate(rng, 0.3),
        max_reads: outstanding(rng),
        max_writes: outstanding(rng),
        axil_valid_delay: rng.gen_range(0..=3),
        axil_ready_delay: rng.gen_range(0..=3),
        seed: rng.gen(),
    }
}

fn units(rng: &mut StdRng) -> u32 {
    match rng.gen_range(0..20) {
        0 => 1,
        1..=5 => rng.gen_range(2..=8),
        6..=13 => rng.gen_range(9..=64),
        14..=18 => rng.gen_range(65..=300),
        _ => rng.gen_range(301..=1500),
    }
}

/// A random channel with a region of its own, or `None` when no free region was found.
fn channel(
    cfg: &Config,
    rng: &mut StdRng,
    ch: usize,
    claimed: &BTreeMap<usize, PagePlan>,
) -> Option<Chan> {
    let transfer = match rng.gen_range(0..25) {
        0..=9 => WRITE,
        10..=19 => READ,
        20..=22 => VERIFY,
        _ => VERIFY_ALIAS,
    };
    let service = match rng.gen_range(0..25) {
        0..=7 => ServiceMode::Demand,
        8..=15 => ServiceMode::Single,
        16..=23 => ServiceMode::Block,
        _ => ServiceMode::Cascade,
    };
    let width = match rng.gen_range(0..25) {
        0..=7 => 0,
        8..=15 => 1,
        16..=23 => 2,
        _ => 3,
    };
    let mut c = Chan {
        ch,
        transfer,
        service,
        autoinit: rng.gen_bool(0.4),
        decrement: rng.gen_bool(0.3),
        width,
        page: 0,
        address: 0,
        units: units(rng),
        request: Request::Software,
        source_units: 0,
    };
    let page_bits = cfg.page_register_bits();
    let pages_per_segment = 1usize << (COUNTER_BITS - cfg.page_shift);
    let last_segment = ((cfg.map_registers - 1) / pages_per_segment) as u32;
    for attempt in 0..40 {
        if attempt == 20 {
            c.units = rng.gen_range(1..=16);
        }
        if rng.gen_bool(0.06) && last_segment + 1 < (1 << page_bits) {
            // Wholly outside the map registers: faults on the first unit (or, for verify,
            // moves without translation).
            c.page = rng.gen_range(last_segment + 1..(1 << page_bits));
            c.address = rng.gen();
            return Some(c);
        }
        c.page = rng.gen_range(0..=last_segment);
        let first = c.page as usize * pages_per_segment;
        let in_segment = pages_per_segment.min(cfg.map_registers - first);
        c.address = if rng.gen_bool(0.1) {
            // Near the 16-bit wrap (no carry into the page register).
            (0x1_0000 - rng.gen_range(1..=64u32)) as u16
        } else if rng.gen_bool(0.1) {
            rng.gen_range(0..64)
        } else {
            let p = rng.gen_range(0..in_segment) as u32;
            ((p << cfg.page_shift) + rng.gen_range(0..(1u32 << cfg.page_shift))) as u16
        };
        let pages: Vec<usize> = c
            .pages(cfg)
            .into_iter()
            .filter(|&p| p < cfg.map_registers)
            .collect();
        if pages.len() <= MAX_PAGES_PER_CHANNEL && pages.iter().all(|p| !claimed.contains_key(p)) {
            return Some(c);
        }
    }
    None
}

/// Source units and DREQ behaviour for a channel (`dreq_low`: DREQ is active low).
fn drive(rng: &mut StdRng, c: &mut Chan, dreq_low: bool) {
    let u = c.units as u64;
    let extra = |rng: &mut StdRng| rng.gen_range(1..=u.max(2));
    let cascade = c.service == ServiceMode::Cascade;
    if c.transfer == WRITE && !cascade {
        if !dreq_low && rng.gen_bool(0.6) {
            c.request = Request::WhileData;
            c.source_units = if c.autoinit {
                let passes = rng.gen_range(1..=3) * u;
                if c.service != ServiceMode::Block && rng.gen_bool(0.3) {
                    passes + extra(rng)
                } else {
                    passes
                }
            } else {
                match rng.gen_range(0..10) {
                    0..=3 => u,
                    4..=6 => u + extra(rng),
                    _ if c.service == ServiceMode::Block => u,
                    _ => rng.gen_range(1..=u),
                }
            };
        } else {
            c.request = Request::Software;
            c.source_units = if rng.gen_bool(0.5) { u } else { u + extra(rng) };
        }
    } else if c.autoinit || rng.gen_bool(0.4) {
        c.request = Request::Software;
    } else {
        c.request = Request::Always;
    }
}

/// One candidate program from the random stream.
/// One random program: its channels and their pages, the physical layout with guard frames,
/// the command word, injected bus errors, the register rounds, the devices and the memory
/// plan. The steps draw from `rng` in a fixed order, so a seed always makes the same program.
fn candidate(seed: u64, rng: &mut StdRng) -> Program {
    let cfg = if rng.gen_bool(0.25) {
        Config::small()
    } else {
        Config::default()
    };
    let bench = bench(rng);
    let (mut chans, mut claimed) = plan_channels(&cfg, rng);
    let layout = lay_out(&cfg, rng, &mut claimed);
    let pins = pick_pins(rng, &mut chans);
    let command = command_word(&cfg, rng, pins);
    let bus_errors = plan_bus_errors(&cfg, rng, &chans, &claimed);
    let in_dack_clock = dreq_in_dack_clock(&cfg, rng, &chans);
    // Before COMMAND sets the pin polarities, a device that reacts to DACK can take the reset
    // DACK level for an acknowledge and move its DREQ pin: STATUS request bits read then are a
    // bench artifact, so such programs read no STATUS in the noise.
    let status_in_noise = !chans.iter().any(|c| {
        (c.request == Request::WhileData && c.service == ServiceMode::Block)
            || (in_dack_clock[c.ch] && c.request != Request::Software)
    });
    let mut g = Gen {
        cfg,
        rng,
        ff: false,
        steps: vec![],
        status_in_noise,
    };
    let mut rounds = vec![first_round(
        &mut g,
        &chans,
        &claimed,
        &layout.guard_frames,
        command,
    )];
    let extra_rounds = match g.rng.gen_range(0..20) {
        0..=9 => 0,
        10..=16 => 1,
        _ => 2,
    };
    for _ in 0..extra_rounds {
        later_round(&mut g, &chans, &mut claimed, command);
        rounds.push(Round {
            steps: std::mem::take(&mut g.steps),
        });
    }
    let devices = device_plans(&cfg, g.rng, &chans, pins, &in_dack_clock);
    let mut memory = MemoryPlan {
        region: layout.region,
        fill_seed: g.rng.gen(),
        writable: writable_ranges(&cfg, &chans, &claimed),
        bus_errors,
    };
    if g.rng.gen_bool(0.5) {
        rounds.extend(m2m::mem_to_mem_round(
            &mut g,
            &mut claimed,
            &mut memory,
            command,
        ));
    }
    if cfg.bus_master_port && g.rng.gen_bool(0.75) {
        rounds.extend(bus_master_round(&cfg, g.rng, &claimed, &mut memory));
    }
    Program {
        seed,
        config: cfg,
        bench,
        devices,
        memory,
        rounds,
    }
}

/// Up to `cfg.channels` programmed channels (sorted by number) and the state each of their
/// pages starts in, keyed by page.
fn plan_channels(cfg: &Config, rng: &mut StdRng) -> (Vec<Chan>, BTreeMap<usize, PagePlan>) {
    let n_active = rng.gen_range(1..=cfg.channels);
    let mut order: Vec<usize> = (0..cfg.channels).collect();
    order.shuffle(rng);
    let mut claimed: BTreeMap<usize, PagePlan> = BTreeMap::new();
    let mut chans: Vec<Chan> = vec![];
    for &ch in order.iter().take(n_active) {
        if let Some(c) = channel(cfg, rng, ch, &claimed) {
            for p in c.pages(cfg).into_iter().filter(|&p| p < cfg.map_registers) {
                let state = match rng.gen_range(0..20) {
                    0..=15 => PageState::Writable,
                    16..=17 => PageState::ReadOnly,
                    _ => PageState::Invalid,
                };
                claimed.insert(
                    p,
                    PagePlan {
                        frame: 0,
                        state,
                        fix_later: rng.gen_bool(0.6),
                        ever_writable: state == PageState::Writable,
                    },
                );
            }
            chans.push(c);
        }
    }
    chans.sort_by_key(|c| c.ch);
    (chans, claimed)
}

/// Where the pages live in physical memory.
struct Layout {
    /// Frames between (and around) the claimed frames: any access there is a stray.
    guard_frames: Vec<u32>,
    /// Physical bytes the program may touch, guards included.
    region: Range<u64>,
}

/// Physical layout: guard, frame, guard, frame, ..., guard; fills in each page's frame.
fn lay_out(cfg: &Config, rng: &mut StdRng, claimed: &mut BTreeMap<usize, PagePlan>) -> Layout {
    let base_frame: u32 = rng.gen_range(0x200..0x800);
    let end_frame = base_frame + 2 * claimed.len() as u32 + 1;
    for (j, plan) in claimed.values_mut().enumerate() {
        plan.frame = base_frame + 1 + 2 * j as u32;
    }
    let guard_frames = (0..=claimed.len() as u32)
        .map(|j| base_frame + 2 * j)
        .collect();
    let shift = cfg.page_shift;
    Layout {
        guard_frames,
        region: (base_frame as u64) << shift..(end_frame as u64) << shift,
    }
}

/// DREQ and DACK polarities.
#[derive(Clone, Copy)]
struct Pins {
    dreq_low: bool,
    dack_high: bool,
}

/// Pin polarities, and each channel's request style (a device asking while it has data cannot
/// signal active-low DREQ before COMMAND sets it).
fn pick_pins(rng: &mut StdRng, chans: &mut [Chan]) -> Pins {
    let dreq_low = rng.gen_bool(0.3);
    for c in chans.iter_mut() {
        drive(rng, c, dreq_low);
    }
    let dreq_low = dreq_low && chans.iter().all(|c| c.request != Request::WhileData);
    let dack_high = rng.gen_bool(0.5);
    Pins {
        dreq_low,
        dack_high,
    }
}

/// The COMMAND value of the program (without DISABLE): stored-only bits at random, the
/// priority and the pin polarities. MEM_TO_MEM stays clear: these rounds are shaped for
/// device channels; memory-to-memory (DESIGN §3a) gets a round of its own at the end
/// (`generate_m2m.rs`). CH0_ADDRESS_HOLD acts only with MEM_TO_MEM, so it stays random.
fn command_word(cfg: &Config, rng: &mut StdRng, pins: Pins) -> u32 {
    rm::command::CH0_HOLD.put(cfg, rng.gen_bool(0.1) as u32)
        | rm::command::COMPRESSED.put(cfg, rng.gen_bool(0.2) as u32)
        | rm::command::ROTATING.put(cfg, rng.gen_bool(0.5) as u32)
        | rm::command::EXTENDED_WRITE.put(cfg, rng.gen_bool(0.2) as u32)
        | rm::command::DREQ_LOW.put(cfg, pins.dreq_low as u32)
        | rm::command::DACK_HIGH.put(cfg, pins.dack_high as u32)
}

/// Bus errors on the last unit of a pass without auto-initialize.
fn plan_bus_errors(
    cfg: &Config,
    rng: &mut StdRng,
    chans: &[Chan],
    claimed: &BTreeMap<usize, PagePlan>,
) -> Vec<BusError> {
    let shift = cfg.page_shift;
    let mut bus_errors = vec![];
    for c in chans {
        if c.uses_memory() && !c.autoinit && rng.gen_bool(0.12) {
            let last = c.unit_logical(c.units - 1);
            if let Some(plan) = claimed.get(&((last >> shift) as usize)) {
                let phys = ((plan.frame as u64) << shift) | (last as u64 & ((1 << shift) - 1));
                bus_errors.push(BusError {
                    range: phys..phys + c.bytes() as u64,
                    decode: rng.gen_bool(0.5),
                });
            }
        }
    }
    bus_errors
}

/// Per channel: its device withdraws DREQ in the DACK clock itself (the other half withdraw it
/// a clock later); never on cascade channels, where DACK follows DREQ.
fn dreq_in_dack_clock(cfg: &Config, rng: &mut StdRng, chans: &[Chan]) -> Vec<bool> {
    (0..cfg.channels)
        .map(|ch| {
            chans
                .iter()
                .any(|c| c.ch == ch && c.service != ServiceMode::Cascade)
                && rng.gen_bool(0.5)
        })
        .collect()
}

/// Round 0: noise, master clear, the map (with junk in unused bits and decoy entries that
/// point at guard frames), the interrupt enables, COMMAND, the channels, and the start.
fn first_round(
    g: &mut Gen<'_>,
    chans: &[Chan],
    claimed: &BTreeMap<usize, PagePlan>,
    guard_frames: &[u32],
    command: u32,
) -> Round {
    let cfg = g.cfg;
    let noise = if g.rng.gen_bool(0.3) {
        0
    } else {
        g.rng.gen_range(1..=10)
    };
    for _ in 0..noise {
        g.noise();
    }
    if noise > 0 || g.rng.gen_bool(0.3) {
        let v = g.rng.gen::<u8>() as u32;
        g.w(rm::MASTER_CLEAR.offset, v);
    }
    let entry = |cfg: &Config, valid: bool, writable: bool, frame: u32| {
        rm::map::VALID.put(cfg, valid as u32)
            | rm::map::WRITABLE.put(cfg, writable as u32)
            | rm::map::FRAME.put(cfg, frame)
    };
    let mut map_writes: Vec<(usize, u32)> = vec![];
    for (&page, plan) in claimed {
        let guard = *guard_frames.choose(g.rng).expect("non-empty");
        let v = match plan.state {
            PageState::Writable => entry(&cfg, true, true, plan.frame),
            PageState::ReadOnly => entry(&cfg, true, false, plan.frame),
            PageState::Invalid => entry(&cfg, false, g.rng.gen_bool(0.5), guard),
        };
        map_writes.push((page, v));
    }
    for page in 0..cfg.map_registers {
        if !claimed.contains_key(&page) && g.rng.gen_bool(0.3) {
            // A decoy: valid and writable, but no channel uses the page; it points at a guard
            // frame, so a stray access would show as guard damage.
            let guard = *guard_frames.choose(g.rng).expect("non-empty");
            map_writes.push((page, entry(&cfg, true, true, guard)));
        }
    }
    map_writes.shuffle(g.rng);
    for (page, v) in map_writes {
        let junk = if g.rng.gen_bool(0.3) {
            g.rng.gen::<u32>() & !rm::MAP.read_mask(&cfg)
        } else {
            0
        };
        g.w(rm::MAP.at(page), v | junk);
    }
    let int_enable = g.rng.gen::<u32>();
    g.w(rm::INT_ENABLE.offset, int_enable);
    let disabled = g.rng.gen_bool(0.2);
    g.w(
        rm::COMMAND.offset,
        command | rm::command::DISABLE.put(&cfg, disabled as u32),
    );
    for c in chans {
        g.program_channel(c);
    }
    start(g, chans, 1.0, true);
    if disabled {
        g.w(rm::COMMAND.offset, command);
    }
    Round {
        steps: std::mem::take(&mut g.steps),
    }
}

/// The device of every channel (an idle software-request device where no channel runs).
fn device_plans(
    cfg: &Config,
    rng: &mut StdRng,
    chans: &[Chan],
    pins: Pins,
    in_dack_clock: &[bool],
) -> Vec<DevicePlan> {
    (0..cfg.channels)
        .map(|ch| {
            let c = chans.iter().find(|c| c.ch == ch);
            DevicePlan {
                request: c.map_or(Request::Software, |c| c.request),
                block_handshake: c.is_some_and(|c| c.service == ServiceMode::Block),
                unit_bytes: c.map_or(1, |c| c.bytes()),
                source_units: c.map_or(0, |c| c.source_units),
                pattern_start: rng.gen(),
                pattern_step: rng.gen::<u32>() | 1,
                source_rate: pick_rate(rng, 0.2),
                sink_rate: pick_rate(rng, 0.2),
                dreq_active_low: pins.dreq_low,
                dack_active_high: pins.dack_high,
                cascade: c.is_some_and(|c| c.service == ServiceMode::Cascade),
                seed: rng.gen(),
                dreq_in_dack_clock: in_dack_clock[ch],
            }
        })
        .collect()
}

/// Where device writes may land: every unit of every write channel on a page that is (or
/// becomes) writable.
fn writable_ranges(
    cfg: &Config,
    chans: &[Chan],
    claimed: &BTreeMap<usize, PagePlan>,
) -> Vec<Range<u64>> {
    let shift = cfg.page_shift;
    let mut writable: Vec<Range<u64>> = vec![];
    for c in chans
        .iter()
        .filter(|c| c.transfer == WRITE && c.uses_memory())
    {
        for k in 0..c.units {
            let l = c.unit_logical(k);
            if let Some(plan) = claimed.get(&((l >> shift) as usize)) {
                if plan.ever_writable {
                    let phys = ((plan.frame as u64) << shift) | (l as u64 & ((1 << shift) - 1));
                    writable.push(phys..phys + c.bytes() as u64);
                }
            }
        }
    }
    merge(writable)
}

/// Unmasks and requests: every channel of `chans` with probability `p` (`clear_all`: the
/// channels not in `chans` may be unmasked too).
fn start(g: &mut Gen<'_>, chans: &[Chan], p: f64, clear_all: bool) {
    let go: Vec<&Chan> = chans.iter().filter(|_| g.rng.gen_bool(p)).collect();
    let unmask: Vec<usize> = go.iter().map(|c| c.ch).collect();
    let requests: Vec<usize> = go
        .iter()
        .filter(|c| c.request == Request::Software && c.service != ServiceMode::Cascade)
        .map(|c| c.ch)
        .collect();
    // Requests before the unmask: the unmask is then the one event that starts a channel. A
    // request written after a channel started could land before or after its terminal count
    // (which clears the request), and so start a second pass on the RTL only.
    for &ch in &requests {
        g.request(ch);
    }
    if !unmask.is_empty() {
        g.unmask(&unmask, clear_all);
    }
}

/// A round after the first: look at the results, mask everything, change things, start again.
fn later_round(
    g: &mut Gen<'_>,
    chans: &[Chan],
    claimed: &mut BTreeMap<usize, PagePlan>,
    command: u32,
) {
    let cfg = g.cfg;
    // At quiescence: EOP, status, snapshots, interrupt acknowledge.
    if !chans.is_empty() && g.rng.gen_bool(0.3) {
        let c = chans.choose(g.rng).expect("non-empty");
        g.steps.push(Step::Eop { channel: c.ch });
    }
    if g.rng.gen_bool(0.3) {
        g.r(rm::STATUS.offset);
    }
    if g.rng.gen_bool(0.3) {
        let ch = g.rng.gen_range(0..MAX_CHANNELS);
        g.r(rm::SNAP_COUNT.at(ch));
        g.r(rm::SNAP_ADDR.at(ch));
        g.r(rm::SNAP_INFLIGHT.at(ch));
    }
    if g.rng.gen_bool(0.3) {
        g.r(rm::INT_STATUS.offset);
        let tc = rm::int_status::TC.put(&cfg, g.rng.gen());
        g.w(rm::INT_STATUS.offset, tc);
    }
    if g.rng.gen_bool(0.2) {
        let ch = g.rng.gen_range(0..MAX_CHANNELS);
        g.r(rm::DMA_ADDR.at(ch));
    }
    // Everything masked before anything changes.
    g.w(rm::ALL_MASK.offset, 0xF);
    if g.rng.gen_bool(0.15) {
        let v = g.rng.gen::<u8>() as u32;
        g.w(rm::MASTER_CLEAR.offset, v);
        g.w(rm::COMMAND.offset, command);
    }
    for (&page, plan) in claimed.iter_mut() {
        if plan.state != PageState::Writable && plan.fix_later && g.rng.gen_bool(0.7) {
            plan.state = PageState::Writable;
            plan.ever_writable = true;
            let v = rm::map::VALID.put(&cfg, 1)
                | rm::map::WRITABLE.put(&cfg, 1)
                | rm::map::FRAME.put(&cfg, plan.frame);
            g.w(rm::MAP.at(page), v);
        }
    }
    // A channel without auto-initialize that reached terminal count would run 65536 more
    // units from where it stopped, far outside its region: only a reprogrammed one restarts.
    let mut restartable = vec![];
    for c in chans {
        if c.transfer == WRITE && c.service != ServiceMode::Cascade && g.rng.gen_bool(0.5) {
            let units = g.rng.gen_range(1..=2 * c.units as u64);
            g.steps.push(Step::Refill {
                channel: c.ch,
                units,
            });
        }
        let reprogram = g.rng.gen_bool(0.35);
        if reprogram {
            g.program_counters(c);
        }
        if reprogram || c.autoinit {
            restartable.push(c.clone());
        }
    }
    if g.rng.gen_bool(0.6) {
        let all = rm::int_status::FAULT.put(&cfg, 0xF);
        g.w(rm::INT_STATUS.offset, all);
    }
    let all = restartable.len() == chans.len();
    start(g, &restartable, 0.85, all);
}

/// The bus-master round (`generate_bm`) with the channels' final map entries.
fn bus_master_round(
    cfg: &Config,
    rng: &mut StdRng,
    claimed: &BTreeMap<usize, PagePlan>,
    memory: &mut MemoryPlan,
) -> Option<Round> {
    let channel_pages = claimed
        .iter()
        .map(|(&page, p)| MappedPage {
            page,
            frame: p.frame,
            valid: p.state != PageState::Invalid,
            writable: p.state == PageState::Writable,
        })
        .collect();
    generate_bm::bus_master_round(
        rng,
        BmContext {
            cfg,
            channel_pages,
            region: &mut memory.region,
            writable: &mut memory.writable,
            bus_errors: &mut memory.bus_errors,
        },
    )
}

/// Sorts and merges overlapping or touching ranges.
pub(crate) fn merge(mut v: Vec<Range<u64>>) -> Vec<Range<u64>> {
    v.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = vec![];
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge() {
        assert_eq!(
            merge(vec![5..6, 0..2, 2..3, 7..9, 8..10]),
            vec![0..3, 5..6, 7..10]
        );
    }

    #[test]
    fn generation_is_a_function_of_the_seed() {
        let a = generate(42).unwrap();
        let b = generate(42).unwrap();
        assert_eq!(a.program, b.program);
        assert_eq!(a.reference, b.reference);
        let c = generate(43).unwrap();
        assert_ne!(a.program, c.program);
    }

    #[test]
    fn channels_never_share_a_page_or_a_frame() {
        for seed in 0..200 {
            let mut rng = StdRng::seed_from_u64(seed);
            let p = candidate(seed, &mut rng);
            let w = &p.memory.writable;
            for pair in w.windows(2) {
                assert!(pair[0].end < pair[1].start, "seed {seed}: {w:?}");
            }
            for r in w {
                assert!(p.memory.region.start <= r.start && r.end <= p.memory.region.end);
            }
        }
    }

    #[test]
    fn unit_addresses_wrap_in_sixteen_bits_without_carry() {
        let c = Chan {
            ch: 0,
            transfer: WRITE,
            service: ServiceMode::Single,
            autoinit: false,
            decrement: false,
            width: 2,
            page: 1,
            address: 0xFFFE,
            units: 2,
            request: Request::Software,
            source_units: 2,
        };
        assert_eq!(c.unit_logical(0), 0x1_FFFC, "low bits ignored on the bus");
        assert_eq!(c.unit_logical(1), 0x1_0000, "0xFFFE + 4 wraps to 0x0002");
        let d = Chan {
            decrement: true,
            address: 0x0001,
            width: 1,
            ..c
        };
        assert_eq!(d.unit_logical(1), 0x1_FFFE);
    }
}
