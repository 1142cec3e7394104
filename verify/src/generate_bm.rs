//! Bus-master bursts for random programs (configurations with the translation port,
//! hdl/DESIGN.md §8): a round at the end of the program, while the engine is quiescent, that
//! maps a few pages of its own, sends bursts of every kind through the port and reads the
//! port's fault record.
//!
//! Kinds of bursts: translated reads and writes (single and multi-beat, narrow reads,
//! unaligned reads, random write strobes) through the round's own pages and reads through the
//! channels' pages; translated reads and writes aimed at a bus-error range (the memory's
//! error reaches the device, per R beat or in the B, and the port records nothing); refused
//! ones: out of range, invalid entry, a write through a read-only entry, unsupported shapes
//! the AXI4 rules allow (FIXED, WRAP, INCR longer than 16 beats).
//! A burst that crosses a page is an AXI4 violation with 4 KiB pages (it crosses 4 KiB too),
//! so the bus-master device's protocol checker would stop the run: the formal harness
//! (`formal/bm_port_formal.sv`) covers that refusal.
//!
//! Bus errors: in some rounds a few bytes of one of the round's own frames answer SLVERR or
//! DECERR (added to the program's bus-error ranges, which both the engine's and the port's
//! memory front-ends answer); the channels' bus-error ranges are reachable through their pages.
//!
//! Memory safety stays checkable: translated writes land only in the round's own frames
//! (placed after the program's region with guard frames between, and listed as writable),
//! except writes that meet a bus-error range, which the memory refuses whole (nothing lands,
//! not listed); reads may go anywhere the map points, guard frames included.

use crate::bm::BurstStep;
use crate::program::{BusError, Round, Step};
use mapdma_host::backend::reference::{BmBurst, BURST_FIXED, BURST_INCR, BURST_WRAP};
use mapdma_regmap::{self as rm, Config};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use std::ops::Range;

/// A map entry as the program leaves it before the bus-master round.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MappedPage {
    pub page: usize,
    pub frame: u32,
    pub valid: bool,
    pub writable: bool,
}

/// What the round may use and must respect.
pub(crate) struct BmContext<'a> {
    pub cfg: &'a Config,
    /// The channels' pages with their final entries.
    pub channel_pages: Vec<MappedPage>,
    /// The compared region: the round appends its frames (and guards) to it.
    pub region: &'a mut Range<u64>,
    /// Bytes devices may write: the round adds where its writes land.
    pub writable: &'a mut Vec<Range<u64>>,
    /// The program's bus-error ranges: the round may add one in its own frames.
    pub bus_errors: &'a mut Vec<BusError>,
}

/// Most pages the round maps for itself.
const OWN_PAGES: usize = 3;
/// Chance that a round puts a bus-error range in one of its own valid frames.
const OWN_BUS_ERROR: f64 = 0.5;
/// Most bytes of such a range.
const BUS_ERROR_BYTES: u64 = 24;

/// The bus-master round, or `None` when no page is free for it.
pub(crate) fn bus_master_round(rng: &mut StdRng, ctx: BmContext<'_>) -> Option<Round> {
    let cfg = *ctx.cfg;
    let used: Vec<usize> = ctx.channel_pages.iter().map(|p| p.page).collect();
    let mut free: Vec<usize> = (0..cfg.map_registers)
        .filter(|p| !used.contains(p))
        .collect();
    free.shuffle(rng);
    free.truncate(rng.gen_range(1..=OWN_PAGES));
    if free.is_empty() {
        return None;
    }
    let mut steps = vec![];
    if rng.gen_bool(0.3) {
        read_record(&mut steps);
    }
    // The round's own pages: new frames after the region, a guard frame after each.
    let mut frame = (ctx.region.end >> cfg.page_shift) as u32;
    let mut pages = ctx.channel_pages.clone();
    for &page in &free {
        let (valid, writable) = match rng.gen_range(0..10) {
            0..=5 => (true, true),
            6..=7 => (true, false),
            _ => (false, rng.gen_bool(0.5)),
        };
        let entry = rm::map::VALID.put(&cfg, valid as u32)
            | rm::map::WRITABLE.put(&cfg, writable as u32)
            | rm::map::FRAME.put(&cfg, frame);
        steps.push(Step::write(rm::MAP.at(page), entry));
        pages.push(MappedPage {
            page,
            frame,
            valid,
            writable,
        });
        frame += 2;
    }
    *ctx.region = ctx.region.start..(frame as u64) << cfg.page_shift;
    let own = &pages[ctx.channel_pages.len()..];
    if rng.gen_bool(OWN_BUS_ERROR) {
        if let Some(p) = own
            .iter()
            .filter(|p| p.valid)
            .collect::<Vec<_>>()
            .choose(rng)
        {
            ctx.bus_errors.push(error_in_frame(&cfg, rng, p.frame));
        }
    }
    let targets = reachable_errors(&cfg, &pages, ctx.bus_errors);
    let mut gen = Bursts {
        cfg,
        rng,
        pages: &pages,
        own,
        writable: ctx.writable,
        bus_errors: ctx.bus_errors,
        targets,
    };
    let n = gen.rng.gen_range(2..=8);
    for _ in 0..n {
        steps.push(Step::Burst(gen.burst()));
    }
    read_record(&mut steps);
    if gen.rng.gen_bool(0.5) {
        steps.push(Step::write(
            rm::INT_STATUS.offset,
            rm::int_status::BM_FAULT.put(&cfg, 1),
        ));
        for _ in 0..gen.rng.gen_range(1..=3) {
            steps.push(Step::Burst(gen.burst()));
        }
        read_record(&mut steps);
    }
    if gen.rng.gen_bool(0.2) {
        let enable = gen.rng.gen::<u32>();
        steps.push(Step::write(rm::INT_ENABLE.offset, enable));
    }
    *ctx.writable = crate::generate::merge(std::mem::take(ctx.writable));
    Some(Round { steps })
}

/// A few bytes at a random place in `frame` that answer SLVERR or DECERR.
fn error_in_frame(cfg: &Config, rng: &mut StdRng, frame: u32) -> BusError {
    let ps = cfg.page_size();
    let len = rng.gen_range(1..=BUS_ERROR_BYTES);
    let start = ((frame as u64) << cfg.page_shift) + rng.gen_range(0..=ps - len);
    BusError {
        range: start..start + len,
        decode: rng.gen_bool(0.5),
    }
}

/// Every (valid page, bus-error range starting in its frame) pair: where a translated burst
/// can meet the memory's error.
fn reachable_errors(
    cfg: &Config,
    pages: &[MappedPage],
    errors: &[BusError],
) -> Vec<(MappedPage, Range<u64>)> {
    let mut v = vec![];
    for p in pages.iter().filter(|p| p.valid) {
        for e in errors {
            if e.range.start >> cfg.page_shift == p.frame as u64 {
                v.push((*p, e.range.clone()));
            }
        }
    }
    v
}

fn read_record(steps: &mut Vec<Step>) {
    for r in [rm::INT_STATUS, rm::BM_FAULT, rm::BM_FAULT_ADDR] {
        steps.push(Step::Read { offset: r.offset });
    }
}

struct Bursts<'a> {
    cfg: Config,
    rng: &'a mut StdRng,
    /// Every page the round knows the entry of; `own`: the round's own pages.
    pages: &'a [MappedPage],
    own: &'a [MappedPage],
    writable: &'a mut Vec<Range<u64>>,
    bus_errors: &'a [BusError],
    /// Bus-error ranges a translated burst can reach, with the page that reaches each.
    targets: Vec<(MappedPage, Range<u64>)>,
}

impl Bursts<'_> {
    /// One burst of a random kind.
    fn burst(&mut self) -> BurstStep {
        let b = match self.rng.gen_range(0..12) {
            0..=3 => self.through_own_page(),
            4..=5 => self.read_channel_page(),
            6 => self.out_of_range(),
            7..=9 => self.bad_shape(),
            _ if self.targets.is_empty() => self.through_own_page(),
            _ => self.at_bus_error(),
        };
        BurstStep {
            burst: b,
            data_seed: self.rng.gen::<u32>() | 1,
            strobe: if self.rng.gen_bool(0.7) { 0xF } else { 0 },
        }
    }

    fn incr(&mut self, write: bool, addr: u32, len: u8, size: u8) -> BmBurst {
        BmBurst {
            write,
            addr,
            len,
            size,
            burst: BURST_INCR,
        }
    }

    /// A word-aligned INCR burst of 32-bit beats inside the page at a random offset.
    fn inside(&mut self, write: bool, page: usize) -> BmBurst {
        let ps = self.cfg.page_size() as u32;
        let len = self.rng.gen_range(0..16u8);
        let bytes = (len as u32 + 1) * 4;
        let offset = 4 * self.rng.gen_range(0..=(ps - bytes) / 4);
        self.incr(write, (page as u32) * ps + offset, len, 2)
    }

    /// Where a burst through `p` would land, if translated.
    fn phys(&self, p: &MappedPage, b: &BmBurst) -> Range<u64> {
        let shift = self.cfg.page_shift;
        let start = ((p.frame as u64) << shift) | (b.addr as u64 & ((1 << shift) - 1));
        start..start + ((b.len as u64 + 1) << b.size)
    }

    fn hits_bus_error(&self, r: &Range<u64>) -> bool {
        self.bus_errors
            .iter()
            .any(|e| e.range.start < r.end && r.start < e.range.end)
    }

    /// Reads and writes through the round's own pages (valid, read-only or invalid).
    fn through_own_page(&mut self) -> BmBurst {
        let p = *self.own.choose(self.rng).expect("the round maps a page");
        let write = self.rng.gen_bool(0.5);
        let mut b = self.inside(write, p.page);
        if !write && self.rng.gen_bool(0.3) {
            // Narrow or unaligned reads: the port passes the size through.
            b.size = self.rng.gen_range(0..=2);
            b.addr += self.rng.gen_range(0..4) & !((1u32 << b.size) - 1);
            b.len = b.len.min(14);
        }
        if write && p.valid && p.writable {
            let r = self.phys(&p, &b);
            // A write that meets a bus-error range lands nowhere.
            if !self.hits_bus_error(&r) {
                self.writable.push(r);
            }
        }
        b
    }

    /// Reads through a channel's page (or one of the round's), bus-error ranges included.
    fn read_channel_page(&mut self) -> BmBurst {
        let p = *self.pages.choose(self.rng).expect("pages");
        self.inside(false, p.page)
    }

    /// A read or write of 32-bit beats whose bytes meet a reachable bus-error range (writes
    /// there land nowhere; through a read-only page the port refuses them first); reads are
    /// sometimes narrow, and then may miss it.
    fn at_bus_error(&mut self) -> BmBurst {
        let (p, e) = self.targets.choose(self.rng).expect("a target").clone();
        let ps = self.cfg.page_size();
        // The range's bytes in the page, as offsets.
        let e_start = e.start & (ps - 1);
        let e_end = ((e.end - 1).min(e.start | (ps - 1)) & (ps - 1)) + 1;
        let len = self.rng.gen_range(0..16u8);
        let bytes = (len as u64 + 1) * 4;
        // Word-aligned starts with start < e_end and start + bytes > e_start, inside the page.
        let lo = (e_start + 4).saturating_sub(bytes) / 4;
        let hi = (e_end - 1).min(ps - bytes) / 4;
        let offset = 4 * self.rng.gen_range(lo..=hi.max(lo));
        let write = self.rng.gen_bool(0.4);
        let mut b = self.incr(write, (p.page as u64 * ps + offset) as u32, len, 2);
        debug_assert!(self.hits_bus_error(&self.phys(&p, &b)));
        if !write && self.rng.gen_bool(0.3) {
            b.size = self.rng.gen_range(0..=1);
            b.len = b.len.min(14);
        }
        b
    }

    /// Any address with a bit above the mapped range, inside one 4 KiB block.
    fn out_of_range(&mut self) -> BmBurst {
        let range_shift = self.cfg.page_shift + self.cfg.map_registers.trailing_zeros();
        let addr = (self.rng.gen::<u32>() | (1 << range_shift)) & !3;
        let room = (4096 - (addr & 0xFFF)) / 4;
        let len = self.rng.gen_range(0..room.min(16)) as u8;
        let write = self.rng.gen_bool(0.5);
        self.incr(write, addr, len, 2)
    }

    /// Shapes the AXI4 rules allow and the port does not: FIXED, WRAP, INCR of 17..=256 beats.
    fn bad_shape(&mut self) -> BmBurst {
        let page = self.pages.choose(self.rng).expect("pages").page;
        let ps = self.cfg.page_size() as u32;
        let write = self.rng.gen_bool(0.5);
        match self.rng.gen_range(0..3) {
            0 => {
                let mut b = self.inside(write, page);
                b.burst = BURST_FIXED;
                b
            }
            1 => {
                let len = *[1u8, 3, 7, 15].choose(self.rng).expect("lengths");
                let bytes = (len as u32 + 1) * 4;
                let addr = page as u32 * ps + bytes * self.rng.gen_range(0..ps / bytes);
                BmBurst {
                    burst: BURST_WRAP,
                    ..self.incr(write, addr, len, 2)
                }
            }
            _ => {
                let len = self.rng.gen_range(16..=255u8);
                let bytes = (len as u32 + 1) * 4;
                let addr = page as u32 * ps + 4 * self.rng.gen_range(0..=(ps - bytes) / 4);
                self.incr(write, addr, len, 2)
            }
        }
    }
}
