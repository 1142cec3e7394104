//! The board link under fire: the host library's serial backend drives the Verilated board
//! design at line level (8N1 bit levels, clock by clock), through a line that corrupts frames
//! in both directions: bit flips anywhere, truncation, cut frames followed at once by valid
//! ones, garbage, dropped and repeated frames, framing errors. Every operation must return the
//! right result or a typed error, and a shadow copy of the board's memory and registers proves
//! that nothing else changed.
//!
//! `MAPDMA_LINK_FUZZ_CORRUPTIONS` (default 1000) sets how many corruptions to inject,
//! `MAPDMA_LINK_FUZZ_SEED` the seed.

#![cfg(feature = "verilator")]

use mapdma_host::backend::serial::{link, LinkFault, LinkStats, SerialBackend};
use mapdma_host::backend::{BackendError, PhysicalMemory, RegisterBus};
use mapdma_regmap as rm;
use mapdma_sim::board::{board_config, LockstepBoard, CLOCK_HZ, DIVISOR, RAM_BYTES};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::time::Instant;

/// SplitMix64: reproducible from the printed seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Clocks of silence after which a read gives up (the host's read timeout): longer than the
/// bridge's frame timeout (clock/20), as a real host's is (0.5 s against 50 ms), so that after
/// a silent wait the bridge hunts for a new frame and a retry is not swallowed by a cut one.
const SILENCE: u64 = CLOCK_HZ as u64 / 20 + 100 * DIVISOR as u64;

/// The host end of the serial line, corrupting what passes while `active`.
struct FaultyLine {
    board: LockstepBoard,
    rng: Rng,
    active: bool,
    /// Percent of request writes / reply bursts corrupted.
    to_board_rate: u64,
    from_board_rate: u64,
    pending: Vec<u8>,
    injected: BTreeMap<&'static str, u64>,
}

impl FaultyLine {
    fn count(&mut self, kind: &'static str) {
        *self.injected.entry(kind).or_default() += 1;
    }

    fn corruptions(&self) -> u64 {
        self.injected.values().sum()
    }
}

impl Write for FaultyLine {
    /// One call per frame (the client writes each frame whole).
    fn write(&mut self, frame: &[u8]) -> io::Result<usize> {
        if !self.active || !self.rng.chance(self.to_board_rate) {
            self.board.send(frame);
            return Ok(frame.len());
        }
        let at = self.rng.below(frame.len());
        match self.rng.below(7) {
            0 => {
                self.count("to board: bit flips");
                let mut f = frame.to_vec();
                for _ in 0..1 + self.rng.below(3) {
                    let bit = self.rng.below(8 * f.len());
                    f[bit / 8] ^= 1 << (bit % 8);
                }
                self.board.send(&f);
            }
            1 => {
                self.count("to board: truncated");
                self.board.send(&frame[..at]);
            }
            2 => {
                self.count("to board: cut frame, then the valid one at once");
                let mut f = frame[..at].to_vec();
                f.extend(frame);
                self.board.send(&f);
            }
            3 => {
                self.count("to board: garbage inserted");
                let mut f = frame.to_vec();
                let n = 1 + self.rng.below(12);
                let g = self.rng.bytes(n);
                let pos = self.rng.below(f.len() + 1);
                f.splice(pos..pos, g);
                self.board.send(&f);
            }
            4 => self.count("to board: frame lost"),
            5 => {
                self.count("to board: framing error");
                self.board.send(&frame[..at]);
                self.board.framing_error(self.rng.next() as u8);
                self.board.send(&frame[at..]);
            }
            _ => {
                self.count("to board: frame repeated");
                self.board.send(frame);
                self.board.send(frame);
            }
        }
        Ok(frame.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for FaultyLine {
    /// What the board sent, each burst possibly corrupted; 0 after `SILENCE` quiet clocks.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            let mut got = self.board.listen(SILENCE);
            if self.active && !got.is_empty() && self.rng.chance(self.from_board_rate) {
                let at = self.rng.below(got.len());
                match self.rng.below(5) {
                    0 => {
                        self.count("from board: bit flip");
                        let bit = self.rng.below(8);
                        got[at] ^= 1 << bit;
                    }
                    1 => {
                        self.count("from board: byte lost");
                        got.remove(at);
                    }
                    2 => {
                        self.count("from board: truncated");
                        got.truncate(at);
                    }
                    3 => {
                        self.count("from board: garbage inserted");
                        let n = 1 + self.rng.below(12);
                        let g = self.rng.bytes(n);
                        got.splice(at..at, g);
                    }
                    _ => {
                        self.count("from board: reply repeated (stale)");
                        let again = got.clone();
                        got.extend(again);
                    }
                }
            }
            self.pending = got;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

/// What the test knows the board holds.
struct Shadow {
    ram: Vec<u32>,
    map: Vec<u32>,
    page: Vec<u32>,
    /// 8237 current address per channel; `None` after a write of unknown outcome.
    dma_addr: Vec<Option<u16>>,
    pattern: u32,
}

#[derive(Default, Debug)]
struct Tally {
    operations: u64,
    ok: u64,
    typed_errors: BTreeMap<&'static str, u64>,
    /// Operations that returned success with wrong data, or state found changed: must be 0.
    silent: Vec<String>,
}

impl Tally {
    fn typed(&mut self, e: &BackendError) {
        let kind = match e {
            BackendError::LinkFault(LinkFault::NoReply { write: true, .. }) => "no reply (write)",
            BackendError::LinkFault(LinkFault::NoReply { write: false, .. }) => "no reply (read)",
            BackendError::LinkFault(LinkFault::ReadLost { .. }) => "read with side effects lost",
            // Every access in this test is valid: any other error is a wrong answer.
            other => {
                self.silent.push(format!("wrong error: {other}"));
                return;
            }
        };
        *self.typed_errors.entry(kind).or_default() += 1;
    }
}

type Board = SerialBackend<FaultyLine>;

fn line(b: &mut Board) -> &mut FaultyLine {
    b.bridge().link_mut()
}

/// Runs `f` on a clean line (to settle what an uncertain operation did).
fn clean<R>(b: &mut Board, f: impl FnOnce(&mut Board) -> R) -> R {
    line(b).active = false;
    let r = f(b);
    line(b).active = true;
    r
}

fn ram_words(b: &mut Board, addr: u64, words: usize) -> Vec<u32> {
    let mut bytes = vec![0u8; 4 * words];
    b.read(addr, &mut bytes).expect("clean read");
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

/// Everything the shadow knows, read back over a clean line and compared.
fn audit(b: &mut Board, s: &mut Shadow, t: &mut Tally, when: &str) {
    clean(b, |b| {
        let ram = ram_words(b, 0, s.ram.len());
        for (i, (got, want)) in ram.iter().zip(&s.ram).enumerate() {
            if got != want {
                t.silent.push(format!(
                    "{when}: RAM word {:#x} holds {got:#010x}, expected {want:#010x}",
                    4 * i
                ));
            }
        }
        for (i, want) in s.map.iter().enumerate() {
            let got = b.read32(rm::MAP.at(i)).unwrap();
            if got != *want {
                t.silent
                    .push(format!("{when}: MAP {i} = {got:#x}, expected {want:#x}"));
            }
        }
        for (ch, want) in s.page.iter().enumerate() {
            let got = b.read32(rm::PAGE.at(ch)).unwrap();
            if got != *want {
                t.silent
                    .push(format!("{when}: PAGE {ch} = {got:#x}, expected {want:#x}"));
            }
        }
        let got = b.window_read(link::window::PATTERN).unwrap();
        if got != s.pattern {
            t.silent.push(format!(
                "{when}: PATTERN = {got:#x}, expected {:#x}",
                s.pattern
            ));
        }
        for ch in 0..4 {
            b.write32(rm::CLEAR_FLIP_FLOP.offset, 0).unwrap();
            let lo = b.read32(rm::DMA_ADDR.at(ch)).unwrap();
            let hi = b.read32(rm::DMA_ADDR.at(ch)).unwrap();
            let got = (hi << 8 | lo) as u16;
            match s.dma_addr[ch] {
                Some(want) if want != got => t.silent.push(format!(
                    "{when}: channel {ch} address {got:#06x}, expected {want:#06x}"
                )),
                _ => s.dma_addr[ch] = Some(got),
            }
        }
    });
}

/// A written value after a write of unknown outcome must be the old or the new one.
fn settle_word(t: &mut Tally, what: &str, got: u32, old: u32, new: u32) -> u32 {
    if got != old && got != new {
        t.silent.push(format!(
            "{what} = {got:#x} after an uncertain write of {new:#x} over {old:#x}"
        ));
    }
    got
}

fn one_operation(b: &mut Board, s: &mut Shadow, t: &mut Tally, rng: &mut Rng) {
    let cfg = board_config();
    let ram_words_total = s.ram.len();
    t.operations += 1;
    match rng.below(10) {
        // Memory write, up to 300 words (split into frames of at most 128).
        0..=2 => {
            let words = 1 + rng.below(300);
            let first = rng.below(ram_words_total - words + 1);
            let data: Vec<u32> = (0..words).map(|_| rng.next() as u32).collect();
            let bytes: Vec<u8> = data.iter().flat_map(|w| w.to_le_bytes()).collect();
            match b.write(4 * first as u64, &bytes) {
                Ok(()) => {
                    t.ok += 1;
                    s.ram[first..first + words].copy_from_slice(&data);
                }
                Err(e) => {
                    t.typed(&e);
                    let got = clean(b, |b| ram_words(b, 4 * first as u64, words));
                    for (i, g) in got.into_iter().enumerate() {
                        let old = s.ram[first + i];
                        s.ram[first + i] =
                            settle_word(t, &format!("RAM {:#x}", 4 * (first + i)), g, old, data[i]);
                    }
                }
            }
        }
        // Memory read.
        3..=4 => {
            let words = 1 + rng.below(300);
            let first = rng.below(ram_words_total - words + 1);
            let mut bytes = vec![0u8; 4 * words];
            match b.read(4 * first as u64, &mut bytes) {
                Ok(()) => {
                    t.ok += 1;
                    for (i, c) in bytes.chunks_exact(4).enumerate() {
                        let got = u32::from_le_bytes(c.try_into().unwrap());
                        if got != s.ram[first + i] {
                            t.silent.push(format!(
                                "read of RAM {:#x} returned {got:#x}, it holds {:#x}",
                                4 * (first + i),
                                s.ram[first + i]
                            ));
                        }
                    }
                }
                Err(e) => t.typed(&e),
            }
        }
        // A map register or a page register: write, or read and compare.
        5..=6 => {
            let (offset, mask, slot): (u32, u32, &mut u32) = if rng.chance(70) {
                let i = rng.below(s.map.len());
                (rm::MAP.at(i), rm::MAP.read_mask(&cfg), &mut s.map[i])
            } else {
                let ch = rng.below(4);
                (rm::PAGE.at(ch), rm::PAGE.read_mask(&cfg), &mut s.page[ch])
            };
            if rng.chance(50) {
                let v = rng.next() as u32;
                match b.write32(offset, v) {
                    Ok(()) => {
                        t.ok += 1;
                        *slot = v & mask;
                    }
                    Err(e) => {
                        t.typed(&e);
                        let got = clean(b, |b| b.read32(offset).unwrap());
                        let old = *slot;
                        *slot =
                            settle_word(t, &format!("register {offset:#x}"), got, old, v & mask);
                    }
                }
            } else {
                match b.read32(offset) {
                    Ok(v) if v == *slot => t.ok += 1,
                    Ok(v) => t.silent.push(format!(
                        "register {offset:#x} read {v:#x}, it holds {:#x}",
                        *slot
                    )),
                    Err(e) => t.typed(&e),
                }
            }
        }
        // The pattern word of the board window.
        7 => {
            let v = rng.next() as u32;
            match b.window_write(link::window::PATTERN, v) {
                Ok(()) => {
                    t.ok += 1;
                    s.pattern = v;
                }
                Err(e) => {
                    t.typed(&e);
                    let got = clean(b, |b| b.window_read(link::window::PATTERN).unwrap());
                    s.pattern = settle_word(t, "PATTERN", got, s.pattern, v);
                }
            }
        }
        // The 8237 address port: every access moves the byte-pointer flip-flop, so a write
        // applied twice or a read repeated shows up as swapped bytes.
        _ => {
            let ch = rng.below(4);
            let v = rng.next() as u16;
            let step = |b: &mut Board, off: u32, val: u32| b.write32(off, val);
            let wrote = step(b, rm::CLEAR_FLIP_FLOP.offset, 0)
                .and_then(|_| step(b, rm::DMA_ADDR.at(ch), (v & 0xFF) as u32))
                .and_then(|_| step(b, rm::DMA_ADDR.at(ch), (v >> 8) as u32));
            match wrote {
                Ok(()) => s.dma_addr[ch] = Some(v),
                Err(e) => {
                    t.typed(&e);
                    s.dma_addr[ch] = None;
                    return;
                }
            }
            let read = step(b, rm::CLEAR_FLIP_FLOP.offset, 0).and_then(|_| {
                let lo = b.read32(rm::DMA_ADDR.at(ch))?;
                let hi = b.read32(rm::DMA_ADDR.at(ch))?;
                Ok((hi << 8 | lo) as u16)
            });
            match read {
                Ok(got) if got == v => t.ok += 1,
                Ok(got) => t.silent.push(format!(
                    "channel {ch} address read {got:#06x}, {v:#06x} was written"
                )),
                Err(e) => t.typed(&e),
            }
        }
    }
}

#[test]
fn every_operation_is_right_or_a_typed_error_under_line_corruption() {
    let target: u64 = std::env::var("MAPDMA_LINK_FUZZ_CORRUPTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = std::env::var("MAPDMA_LINK_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x11_4B);
    let started = Instant::now();
    let faulty = FaultyLine {
        board: LockstepBoard::start().expect("board thread"),
        rng: Rng(seed ^ 0xF00D),
        active: false,
        to_board_rate: 25,
        from_board_rate: 20,
        pending: vec![],
        injected: BTreeMap::new(),
    };
    let mut b = SerialBackend::new(faulty).expect("the board answers on a clean line");
    assert_eq!(b.info().ram_bytes as u64, RAM_BYTES);
    let cfg = board_config();
    let mut shadow = Shadow {
        ram: ram_words(&mut b, 0, RAM_BYTES as usize / 4),
        map: (0..cfg.map_registers)
            .map(|i| b.read32(rm::MAP.at(i)).unwrap())
            .collect(),
        page: (0..4)
            .map(|ch| b.read32(rm::PAGE.at(ch)).unwrap())
            .collect(),
        dma_addr: vec![None; 4],
        pattern: b.window_read(link::window::PATTERN).unwrap(),
    };
    let mut tally = Tally::default();
    audit(&mut b, &mut shadow, &mut tally, "start");
    let base = b.bridge().stats();
    line(&mut b).active = true;
    let mut rng = Rng(seed);
    while line(&mut b).corruptions() < target {
        one_operation(&mut b, &mut shadow, &mut tally, &mut rng);
        if tally.operations % 100 == 0 {
            audit(&mut b, &mut shadow, &mut tally, "audit");
        }
    }
    line(&mut b).active = false;
    audit(&mut b, &mut shadow, &mut tally, "end");
    let stats = b.bridge().stats();
    let delta = LinkStats {
        operations: stats.operations - base.operations,
        frames_sent: stats.frames_sent - base.frames_sent,
        retries: stats.retries - base.retries,
        rejected: stats.rejected - base.rejected,
        duplicates: stats.duplicates - base.duplicates,
        bad_frames: stats.bad_frames - base.bad_frames,
        stale: stats.stale - base.stale,
        timeouts: stats.timeouts - base.timeouts,
        faults: stats.faults - base.faults,
    };
    let injected = line(&mut b).injected.clone();
    let typed: u64 = tally.typed_errors.values().sum();
    eprintln!(
        "link fuzz (seed {seed}): {} operations ({} right, {typed} typed errors {:?}), \
         {} corruptions injected {injected:#?}\nlink: {delta:?}\nsilent corruptions: {}, \
         {:.1} s",
        tally.operations,
        tally.ok,
        tally.typed_errors,
        injected.values().sum::<u64>(),
        tally.silent.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        tally.silent.is_empty(),
        "silent corruptions:\n{}",
        tally.silent.join("\n")
    );
    assert!(injected.values().sum::<u64>() >= target);
    assert!(delta.retries > 0 && delta.duplicates > 0 && delta.rejected > 0);
    assert_eq!(
        tally.ok + typed,
        tally.operations,
        "every operation accounted for"
    );
}
