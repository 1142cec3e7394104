//! Set-ups for the `rtl_*` tests: the design's behaviour, clock by clock, on the rust-hdl
//! engine (any configuration, no Verilator model needed). Devices are driven by hand: each one
//! always takes what a read transfer delivers, optionally offers a counter stream, and raises
//! DREQ only when the test says so ([`mapdma_sim::device::Device::hold_dreq`]), so a test
//! decides in which clock a request starts or stops.

use super::Sys;
use mapdma_regmap::{Config, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi::Resp;
use mapdma_sim::axi_slave::{Access, AxiSlaveConfig, ErrorRange};
use mapdma_sim::axil_master::AxilOp;
use mapdma_sim::device::{DataPattern, DeviceConfig, DreqMode};
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::rate::Rate;
use mapdma_sim::{ChannelSetup, SystemConfig};

/// The physical frame the benches map logical page 0 to; page `i` goes to `FRAME_BASE + i`.
pub const FRAME_BASE: u32 = 0x80;

/// The physical address of `logical` under that map, with the default configuration's pages.
pub fn phys(logical: u32) -> u32 {
    let shift = Config::default().page_shift;
    ((FRAME_BASE + (logical >> shift)) << shift) | (logical & ((1 << shift) - 1))
}

/// A device that takes every unit delivered to it and holds DREQ inactive until told.
pub fn hand_device() -> DeviceConfig {
    DeviceConfig {
        sink: Some(Rate::Always),
        dreq: DreqMode::Off,
        ..DeviceConfig::default()
    }
}

/// [`hand_device`] that also offers `units` units `start`, `start + 1`, … as fast as taken.
pub fn hand_source(start: u32, units: u64) -> DeviceConfig {
    DeviceConfig {
        source: Some(Rate::Always),
        source_units: Some(units),
        pattern: DataPattern::Counter { start, step: 1 },
        ..hand_device()
    }
}

/// Memory answering `latency` clocks after it accepts a request, withholding each READY and
/// response VALID with probability `stall` (seeded by `seed`).
pub fn memory(latency: u32, stall: f64, seed: u64) -> AxiSlaveConfig {
    let m = AxiSlaveConfig {
        seed,
        ..AxiSlaveConfig::default().with_latency(latency)
    };
    if stall > 0.0 {
        m.with_random_backpressure(1.0 - stall)
    } else {
        m
    }
}

/// An address range of the memory that answers `resp` (SLVERR or DECERR).
pub fn error_range(range: std::ops::Range<u64>, resp: Resp) -> ErrorRange {
    ErrorRange { range, resp }
}

/// The design of `cfg` on the rust-hdl engine, `memory` behind its bus, a [`hand_device`] on
/// every channel except those given in `devices` (channel, device).
pub fn rtl(cfg: &Config, memory: AxiSlaveConfig, devices: &[(usize, DeviceConfig)]) -> Sys {
    let mut all = vec![hand_device(); cfg.channels];
    for (ch, d) in devices {
        all[*ch] = d.clone();
    }
    let sys = SystemConfig {
        memory,
        devices: all,
        ..SystemConfig::default()
    };
    system(EngineKind::RustHdl, cfg, sys).expect("rust-hdl system")
}

/// [`rtl`] with an immediate memory (latency 1, no stalls) and hand devices everywhere.
pub fn rtl_plain(cfg: &Config) -> Sys {
    rtl(cfg, AxiSlaveConfig::default(), &[])
}

/// Channel `ch`: `units` units of `width` from `logical`, no auto-initialize, incrementing.
pub fn chan(
    ch: usize,
    logical: u32,
    units: u32,
    width: UnitWidth,
    transfer: TransferType,
    mode: ServiceMode,
) -> ChannelSetup {
    ChannelSetup {
        channel: ch,
        logical,
        units,
        width,
        transfer,
        autoinit: false,
        decrement: false,
        mode,
    }
}

pub fn program(s: &mut Sys, c: &ChannelSetup) {
    s.program_channel(c).expect("program the channel");
}

pub fn unmask(s: &mut Sys, ch: usize) {
    s.set_mask(ch, false).expect("unmask");
}

/// Maps logical page `index` to physical `frame`.
pub fn map(s: &mut Sys, index: usize, frame: u32, writable: bool) {
    s.map_pages(index, 1, frame, writable).expect("map");
}

pub fn rd(s: &mut Sys, addr: u32) -> u32 {
    s.axil_read(addr)
        .unwrap_or_else(|e| panic!("read {addr:#x}: {e}"))
}

pub fn wr(s: &mut Sys, addr: u32, data: u32) {
    s.axil_write(addr, data)
        .unwrap_or_else(|e| panic!("write {addr:#x}: {e}"))
}

/// A register write whatever its answer; returns BRESP.
pub fn wr_resp(s: &mut Sys, addr: u32, data: u32) -> u32 {
    let op = AxilOp::Write {
        addr,
        data,
        strb: 0xF,
    };
    s.axil_access(op).expect("register write").resp.bits()
}

/// A register read whatever its answer; returns (RDATA, RRESP).
pub fn rd_resp(s: &mut Sys, addr: u32) -> (u32, u32) {
    let d = s.axil_access(AxilOp::Read { addr }).expect("register read");
    (d.data, d.resp.bits())
}

/// A channel's (count, passes) from its atomic snapshot.
pub fn snap(s: &mut Sys, ch: usize) -> (u16, u16) {
    let v = s.snapshot(ch).expect("snapshot");
    (v.count as u16, v.passes as u16)
}

pub fn mem_read(s: &Sys, addr: u32) -> u8 {
    s.memory.memory.read_u8(addr as u64)
}

pub fn mem_write(s: &mut Sys, addr: u32, v: u8) {
    s.memory.memory.write_u8(addr as u64, v);
}

/// The memory's log, checked to hold single-beat transactions only (the engine never bursts):
/// as many beats logged as transactions counted.
fn single_beats(s: &Sys) -> &[mapdma_sim::axi_slave::MemBeat] {
    let log = s.memory.log();
    let st = s.memory.stats();
    let reads = log.iter().filter(|b| b.access == Access::Read).count() as u64;
    let writes = log.len() as u64 - reads;
    assert_eq!(
        (st.reads, st.writes),
        (reads, writes),
        "one beat per transaction"
    );
    log
}

/// Every write the memory took: (address, data, strobes), in order.
pub fn writes(s: &Sys) -> Vec<(u32, u32, u32)> {
    single_beats(s)
        .iter()
        .filter(|b| b.access == Access::Write)
        .map(|b| (b.addr, b.data, b.strb))
        .collect()
}

/// Every read address the memory accepted, in order.
pub fn reads(s: &Sys) -> Vec<u32> {
    single_beats(s)
        .iter()
        .filter(|b| b.access == Access::Read)
        .map(|b| b.addr)
        .collect()
}

/// Clocks in which the memory accepted each read (`reads`) or write transaction.
pub fn access_cycles(s: &Sys, reads: bool) -> Vec<u64> {
    let want = if reads { Access::Read } else { Access::Write };
    single_beats(s)
        .iter()
        .filter(|b| b.access == want)
        .map(|b| b.cycle)
        .collect()
}

/// Units the device on `ch` handed over: the clocks they were taken.
pub fn taken_at(s: &Sys, ch: usize) -> Vec<u64> {
    s.devices[ch].sent().iter().map(|&(c, _)| c).collect()
}

/// Units delivered to the device on `ch`: (data, last).
pub fn sink(s: &Sys, ch: usize) -> Vec<(u32, bool)> {
    s.devices[ch]
        .received()
        .iter()
        .map(|r| (r.data, r.last))
        .collect()
}

/// Units the source on `ch` still has to offer.
pub fn source_left(s: &Sys, ch: usize) -> u64 {
    let total = s.devices[ch].config().source_units.unwrap_or(0);
    total - s.devices[ch].sent_total()
}

/// One clock; the design keeps BREADY high on its memory bus (hdl/DESIGN.md §5: it always takes a
/// write response), checked in every clock these helpers run.
pub fn step(s: &mut Sys) {
    s.step().unwrap_or_else(|e| panic!("{e}"));
    assert!(s.m_axi().bready, "clock {}: BREADY low", s.cycle() - 1);
}

/// Runs until `done` holds (checked before each clock), at most `limit` clocks.
pub fn run_until(s: &mut Sys, limit: u64, what: &str, mut done: impl FnMut(&Sys) -> bool) {
    for _ in 0..limit {
        if done(s) {
            return;
        }
        step(s);
    }
    assert!(done(s), "{what}: not within {limit} clocks");
}

pub fn run(s: &mut Sys, clocks: u64) {
    for _ in 0..clocks {
        step(s);
    }
}
