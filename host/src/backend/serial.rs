//! A board reached over its UART: the framed protocol (version 2) of
//! `hdl/src/board/PROTOCOL.md` spoken to the board design's bridge, giving the register bus (the
//! bridge's register window) and the board's system RAM as physical memory (allocated here,
//! page by page, in the hardware's page size).
//!
//! Layers, each usable alone:
//! - [`encode`]: request frames, and [`Reply`] for reply frames;
//! - [`Bridge`]: one operation at a time over any [`Link`] (a byte pipe whose reads time out),
//!   with the retry rules that make a lost or corrupt frame either harmless or a typed
//!   [`LinkFault`];
//! - [`SerialBackend`]: the [`Backend`] traits on top, plus the board window;
//! - [`Tty`]: a serial port (or pseudo-terminal) in raw 8N1 mode, via termios (Linux).
//!
//! A board has no [`DeviceHarness`](super::DeviceHarness): its devices are built in (see the
//! board window words in [`window`]).

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read, Write};

use mapdma_regmap as rm;

use super::{Backend, BackendError, BusResponse, PhysicalMemory, RegisterBus};

/// The protocol's numbers (`PROTOCOL.md`), shared with the board design.
pub use mapdma_regmap::link;
/// Word indices of the board window.
pub use mapdma_regmap::link::window;

/// The link CRC: CRC-16/IBM-3740 (CCITT-FALSE), sent most significant byte first.
pub const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);

/// Request frame encoders. A frame moves 1..=[`link::MAX_WORDS`] words.
pub mod encode {
    use super::{link, BackendError, CRC};

    fn frame(seq: u8, op: u8, addr: u32, words: usize, data: &[u32]) -> Vec<u8> {
        let mut v = Vec::with_capacity(link::REQUEST_OVERHEAD + 4 * data.len());
        v.extend([link::REQUEST_SOF, seq, op, (words - 1) as u8]);
        v.extend(addr.to_le_bytes());
        v.extend(data.iter().flat_map(|w| w.to_le_bytes()));
        let crc = CRC.checksum(&v[1..]);
        v.extend(crc.to_be_bytes());
        v
    }

    fn check(n: usize) -> Result<(), BackendError> {
        if (1..=link::MAX_WORDS).contains(&n) {
            Ok(())
        } else {
            Err(BackendError::Link(format!(
                "a frame moves 1..={} words, not {n}",
                link::MAX_WORDS
            )))
        }
    }

    /// Writes `words` to `addr`, `addr + 4`, ...
    pub fn write(seq: u8, addr: u32, words: &[u32]) -> Result<Vec<u8>, BackendError> {
        check(words.len())?;
        Ok(frame(seq, link::OP_WRITE, addr, words.len(), words))
    }

    /// Reads `words` words from `addr` on.
    pub fn read(seq: u8, addr: u32, words: usize) -> Result<Vec<u8>, BackendError> {
        check(words)?;
        Ok(frame(seq, link::OP_READ, addr, words, &[]))
    }
}

/// A reply frame whose CRC checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub seq: u8,
    pub words: Vec<u32>,
    pub status: u8,
}

/// What a reply says about the request it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Executed now; the first error response, if any.
    Executed(Option<BusResponse>),
    /// A repeat of the last executed frame, not executed again; its cached response.
    Duplicate(Option<BusResponse>),
    /// Refused, nothing executed (`link::NAK_*` reason).
    Rejected(u8),
    /// A version reply.
    Version { valid: bool },
}

fn response(resp: u8) -> Option<BusResponse> {
    match resp & 3 {
        mapdma_regmap::axi::RESP_SLVERR => Some(BusResponse::SlaveError),
        mapdma_regmap::axi::RESP_DECERR => Some(BusResponse::DecodeError),
        _ => None,
    }
}

impl Reply {
    /// The status byte decoded; `None` for a status byte the protocol does not define.
    pub fn outcome(&self) -> Option<Outcome> {
        let s = self.status;
        match s & 0xF0 {
            link::STATUS if s & 0x08 == 0 && s & 3 != 1 => {
                Some(if s & link::STATUS_DUPLICATE != 0 {
                    Outcome::Duplicate(response(s))
                } else {
                    Outcome::Executed(response(s))
                })
            }
            link::NAK if (1..=3).contains(&(s & 0x0F)) => Some(Outcome::Rejected(s & 0x0F)),
            link::STATUS_VERSION if s & 0x0E == 0 => Some(Outcome::Version { valid: s & 1 == 1 }),
            _ => None,
        }
    }
}

/// A link failure the retries could not hide. Each says what the caller may assume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkFault {
    /// No usable reply after `attempts` tries. A write may have been applied once, or not at
    /// all; a read changed nothing, or (if it has side effects) possibly once.
    NoReply {
        addr: u32,
        write: bool,
        attempts: u32,
        /// The last thing that went wrong.
        last: String,
    },
    /// A read with side effects (see [`link::register_read_has_side_effects`]) was executed,
    /// but its data was lost on the way back. Its side effect happened; it is not repeated.
    ReadLost { addr: u32 },
    /// The other end is not a version 2 board (`found`: the version it reported, 1 for a
    /// board that answered the version query with its unknown-command byte).
    Version { found: u32 },
}

impl fmt::Display for LinkFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkFault::NoReply {
                addr,
                write,
                attempts,
                last,
            } => write!(
                f,
                "no good reply to the {} at {addr:#010x} after {attempts} attempts ({last}){}",
                if *write { "write" } else { "read" },
                if *write {
                    "; the write may or may not have been applied"
                } else {
                    ""
                }
            ),
            LinkFault::ReadLost { addr } => write!(
                f,
                "the read at {addr:#010x} was executed but its reply was lost; its side effect \
                 happened, so it is not repeated"
            ),
            LinkFault::Version { found } => write!(
                f,
                "the board speaks link protocol version {found}, this library {}: rebuild \
                 the board design",
                link::VERSION
            ),
        }
    }
}

impl From<LinkFault> for BackendError {
    fn from(f: LinkFault) -> Self {
        BackendError::LinkFault(f)
    }
}

/// A byte pipe to the board. Reads must not block forever: a read that finds nothing within
/// the link's timeout returns `Ok(0)` or an error of kind `TimedOut`/`WouldBlock`.
pub trait Link: Read + Write + Send {}
impl<T: Read + Write + Send> Link for T {}

/// What the protocol client saw, for reports and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Operations completed (a result or a typed error).
    pub operations: u64,
    /// Request frames sent, retries included.
    pub frames_sent: u64,
    /// Request frames sent again.
    pub retries: u64,
    /// Reply frames refused by the board (NAK).
    pub rejected: u64,
    /// Duplicate replies (a retried frame the board had already executed).
    pub duplicates: u64,
    /// Start bytes whose frame failed its CRC or shape check.
    pub bad_frames: u64,
    /// Good frames for another request (stale), skipped.
    pub stale: u64,
    /// Waits that ended in silence.
    pub timeouts: u64,
    /// Operations that ended in a [`LinkFault`].
    pub faults: u64,
}

/// Tries per operation before a [`LinkFault::NoReply`].
pub const ATTEMPTS: u32 = 6;

/// The protocol client: one operation at a time, retried by the rules of `PROTOCOL.md`.
pub struct Bridge<L: Link> {
    link: L,
    /// The last sequence number used.
    seq: u8,
    /// Received bytes not yet taken apart.
    input: VecDeque<u8>,
    stats: LinkStats,
}

/// Why a wait for a reply ended without one.
enum Miss {
    Silent,
    Io(String),
}

impl<L: Link> Bridge<L> {
    /// A client on `link`; call [`Bridge::hello`] before the first operation so that its
    /// sequence numbers follow the board's last executed one.
    pub fn new(link: L) -> Self {
        Bridge {
            link,
            seq: 0,
            input: VecDeque::new(),
            stats: LinkStats::default(),
        }
    }

    /// The link, e.g. to inspect a test double.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.link
    }

    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), BackendError> {
        self.stats.frames_sent += 1;
        // Whatever arrived before this request cannot answer it.
        self.input.clear();
        self.link
            .write_all(bytes)
            .and_then(|_| self.link.flush())
            .map_err(|e| BackendError::Link(format!("writing to the board: {e}")))
    }

    /// Reads more bytes into `input`; `Err` when the link stays silent.
    fn fill(&mut self) -> Result<(), Miss> {
        let mut buf = [0u8; 1024];
        loop {
            match self.link.read(&mut buf) {
                Ok(0) => return Err(Miss::Silent),
                Ok(k) => {
                    self.input.extend(&buf[..k]);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    return Err(Miss::Silent)
                }
                Err(e) => return Err(Miss::Io(format!("reading from the board: {e}"))),
            }
        }
    }

    /// The next reply frame with a good CRC: bytes before a start byte are skipped, and a
    /// candidate that fails costs only its start byte (a real frame may begin inside it).
    fn next_frame(&mut self) -> Result<Reply, Miss> {
        loop {
            while let Some(&b) = self.input.front() {
                if b == link::REPLY_SOF {
                    break;
                }
                self.input.pop_front();
            }
            if self.input.len() >= 3 {
                let n = self.input[2] as usize;
                let len = link::REPLY_OVERHEAD + 4 * n;
                if n > link::MAX_WORDS {
                    self.stats.bad_frames += 1;
                    self.input.pop_front();
                    continue;
                }
                if self.input.len() >= len {
                    let f: Vec<u8> = self.input.range(..len).copied().collect();
                    if CRC.checksum(&f[1..]) != 0 {
                        self.stats.bad_frames += 1;
                        self.input.pop_front();
                        continue;
                    }
                    self.input.drain(..len);
                    return Ok(Reply {
                        seq: f[1],
                        words: f[3..3 + 4 * n]
                            .chunks_exact(4)
                            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                            .collect(),
                        status: f[3 + 4 * n],
                    });
                }
            }
            if let Err(miss) = self.fill() {
                // Silence: a candidate still waiting for bytes was none; look past it.
                if self.input.len() > 1 {
                    self.stats.bad_frames += 1;
                    self.input.pop_front();
                    continue;
                }
                return Err(miss);
            }
        }
    }

    /// The reply to request `seq` (or a rejection, whose number is not trusted), skipping
    /// stale frames.
    fn reply_to(&mut self, seq: u8) -> Result<(Reply, Outcome), Miss> {
        loop {
            let r = self.next_frame()?;
            match r.outcome() {
                Some(o @ Outcome::Rejected(_)) => return Ok((r, o)),
                Some(o @ (Outcome::Executed(_) | Outcome::Duplicate(_))) if r.seq == seq => {
                    return Ok((r, o))
                }
                _ => self.stats.stale += 1,
            }
        }
    }

    fn next_seq(&mut self) -> u8 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Asks the board for its protocol version (the query byte, outside the framing) and
    /// continues its sequence numbers. A version 1 board is a [`LinkFault::Version`].
    pub fn hello(&mut self) -> Result<(), BackendError> {
        for _ in 0..ATTEMPTS {
            self.send(&[link::QUERY])?;
            // A version 1 bridge answers the query byte alone with its unknown-command byte.
            match self.fill() {
                Ok(())
                    if self.input.front() == Some(&link::V1_UNKNOWN_COMMAND)
                        && self.input.len() == 1 =>
                {
                    if let Err(Miss::Silent) = self.fill() {
                        return Err(LinkFault::Version { found: 1 }.into());
                    }
                }
                Ok(()) => {}
                Err(Miss::Silent) => {
                    self.stats.timeouts += 1;
                    continue;
                }
                Err(Miss::Io(e)) => return Err(BackendError::Link(e)),
            }
            loop {
                match self.next_frame() {
                    Ok(r) => match r.outcome() {
                        Some(Outcome::Version { .. }) if r.words.len() == 1 => {
                            let version = r.words[0] & 0xFF;
                            if version != link::VERSION {
                                return Err(LinkFault::Version { found: version }.into());
                            }
                            self.seq = r.seq;
                            return Ok(());
                        }
                        _ => self.stats.stale += 1,
                    },
                    Err(Miss::Silent) => {
                        self.stats.timeouts += 1;
                        break;
                    }
                    Err(Miss::Io(e)) => return Err(BackendError::Link(e)),
                }
            }
            self.stats.retries += 1;
        }
        Err(BackendError::Link(
            "the board did not answer the version query: is the board programmed, the port \
             right and the baud rate the one it was built for?"
                .into(),
        ))
    }

    fn fault(&mut self, f: LinkFault) -> BackendError {
        self.stats.faults += 1;
        self.stats.operations += 1;
        f.into()
    }

    /// Writes `words` to `addr`, `addr + 4`, ... (at most [`link::MAX_WORDS`]); the first
    /// error response, if any. Retries reuse the sequence number, so the board executes the
    /// write at most once.
    pub fn write_words(
        &mut self,
        addr: u32,
        words: &[u32],
    ) -> Result<Option<BusResponse>, BackendError> {
        let seq = self.next_seq();
        let frame = encode::write(seq, addr, words)?;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                self.stats.retries += 1;
            }
            self.send(&frame)?;
            match self.reply_to(seq) {
                Ok((reply, Outcome::Executed(r))) if reply.words.is_empty() => {
                    self.stats.operations += 1;
                    return Ok(r);
                }
                Ok((_, Outcome::Duplicate(r))) => {
                    self.stats.duplicates += 1;
                    self.stats.operations += 1;
                    return Ok(r);
                }
                Ok((_, o)) => {
                    self.stats.rejected += 1;
                    last = format!("{o:?}");
                }
                Err(Miss::Silent) => {
                    self.stats.timeouts += 1;
                    last = "no reply".into();
                }
                Err(Miss::Io(e)) => return Err(BackendError::Link(e)),
            }
        }
        Err(self.fault(LinkFault::NoReply {
            addr,
            write: true,
            attempts: ATTEMPTS,
            last,
        }))
    }

    /// Reads `n` words from `addr` on (at most [`link::MAX_WORDS`]); the first error
    /// response, if any. `side_effects`: the read changes state, so it is never executed
    /// twice (a lost reply becomes [`LinkFault::ReadLost`]); otherwise it is simply retried.
    pub fn read_words(
        &mut self,
        addr: u32,
        n: usize,
        side_effects: bool,
    ) -> Result<(Vec<u32>, Option<BusResponse>), BackendError> {
        let mut seq = self.next_seq();
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                self.stats.retries += 1;
            }
            let frame = encode::read(seq, addr, n)?;
            self.send(&frame)?;
            match self.reply_to(seq) {
                Ok((r, Outcome::Executed(resp))) if r.words.len() == n => {
                    self.stats.operations += 1;
                    return Ok((r.words, resp));
                }
                Ok((_, Outcome::Duplicate(_))) => {
                    self.stats.duplicates += 1;
                    if side_effects {
                        return Err(self.fault(LinkFault::ReadLost { addr }));
                    }
                    last = "duplicate".into();
                }
                Ok((r, o)) => {
                    self.stats.rejected += 1;
                    last = format!("{o:?} with {} words", r.words.len());
                }
                Err(Miss::Silent) => {
                    self.stats.timeouts += 1;
                    last = "no reply".into();
                }
                Err(Miss::Io(e)) => return Err(BackendError::Link(e)),
            }
            // A read without side effects goes again as a new request.
            if !side_effects {
                seq = self.next_seq();
            }
        }
        Err(self.fault(LinkFault::NoReply {
            addr,
            write: false,
            attempts: ATTEMPTS,
            last,
        }))
    }

    /// One word written; its bus response.
    pub fn write32(&mut self, addr: u32, value: u32) -> Result<Option<BusResponse>, BackendError> {
        self.write_words(addr, &[value])
    }

    /// One word read (0 after an error) and its bus response; `side_effects` as in
    /// [`Bridge::read_words`].
    pub fn read32(
        &mut self,
        addr: u32,
        side_effects: bool,
    ) -> Result<(u32, Option<BusResponse>), BackendError> {
        let (w, r) = self.read_words(addr, 1, side_effects)?;
        Ok((w[0], r))
    }
}

/// What the board says about itself (board window and mapdma configuration registers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardInfo {
    pub ram_bytes: u32,
    pub clock_hz: u32,
    pub uart_divisor: u32,
    pub page_shift: u32,
    /// The board window's FEATURES word (`link::features`); 0 on a board that answers it
    /// SLVERR (built before the word existed).
    pub features: u32,
}

impl BoardInfo {
    /// The board has the built-in test bus master on mapdma's bus-master port.
    pub fn has_test_master(&self) -> bool {
        self.features & link::features::TEST_MASTER != 0
    }
}

/// A board as a [`Backend`]: registers and system RAM through the UART bridge.
pub struct SerialBackend<L: Link> {
    bridge: Bridge<L>,
    info: BoardInfo,
    /// One flag per RAM page.
    allocated: Vec<bool>,
}

fn memory_error(address: u64, response: BusResponse) -> BackendError {
    BackendError::BadPhysicalAddress {
        address,
        reason: match response {
            BusResponse::SlaveError => "the board's memory answered SLVERR",
            BusResponse::DecodeError => "the board's memory answered DECERR",
        },
    }
}

impl<L: Link> SerialBackend<L> {
    /// Talks to the board behind `link`: checks the board ID and protocol version, reads the
    /// RAM size from the board window and the page size from mapdma's CONFIG0.
    pub fn new(link: L) -> Result<Self, BackendError> {
        let mut bridge = Bridge::new(link);
        bridge.hello()?;
        let mut win = |word: u32| -> Result<u32, BackendError> {
            match bridge.read32(link::BOARD_WINDOW + 4 * word, false)? {
                (v, None) => Ok(v),
                (_, Some(r)) => Err(BackendError::Link(format!(
                    "board window word {word} answered {r:?}"
                ))),
            }
        };
        let id = win(window::ID)?;
        if id != link::BOARD_ID {
            return Err(BackendError::Link(format!(
                "not a mapdma board: board ID {id:#010x}, expected {:#010x}",
                link::BOARD_ID
            )));
        }
        let version = win(window::VERSION)?;
        if version != link::VERSION {
            return Err(LinkFault::Version { found: version }.into());
        }
        let ram_bytes = win(window::RAM_BYTES)?;
        let clock_hz = win(window::CLOCK_HZ)?;
        let uart_divisor = win(window::UART_DIVISOR)?;
        // Added to the window after its first boards: SLVERR there means "nothing".
        let features = match bridge.read32(link::BOARD_WINDOW + 4 * window::FEATURES, false)? {
            (v, None) => v,
            (_, Some(BusResponse::SlaveError)) => 0,
            (_, Some(r)) => {
                return Err(BackendError::Link(format!(
                    "board window word {} answered {r:?}",
                    window::FEATURES
                )))
            }
        };
        let mut backend = SerialBackend {
            bridge,
            info: BoardInfo {
                ram_bytes,
                clock_hz,
                uart_divisor,
                page_shift: 0,
                features,
            },
            allocated: vec![],
        };
        let config0 = backend.read32(rm::CONFIG0.offset)?;
        let page_shift = (config0 >> 8) & 0xFF;
        if !(8..=16).contains(&page_shift) || !ram_bytes.is_multiple_of(1 << page_shift) {
            return Err(BackendError::Link(format!(
                "implausible board: page shift {page_shift}, {ram_bytes} bytes of RAM"
            )));
        }
        backend.info.page_shift = page_shift;
        backend.allocated = vec![false; (ram_bytes >> page_shift) as usize];
        Ok(backend)
    }

    pub fn info(&self) -> &BoardInfo {
        &self.info
    }

    /// The protocol client, for raw commands.
    pub fn bridge(&mut self) -> &mut Bridge<L> {
        &mut self.bridge
    }

    /// Reads a board window word (see [`window`]).
    pub fn window_read(&mut self, word: u32) -> Result<u32, BackendError> {
        let addr = link::BOARD_WINDOW + 4 * word;
        match self.bridge.read32(addr, false)? {
            (v, None) => Ok(v),
            (_, Some(response)) => Err(BackendError::Register {
                offset: addr,
                response,
            }),
        }
    }

    /// Writes a board window word (see [`window`]).
    pub fn window_write(&mut self, word: u32, value: u32) -> Result<(), BackendError> {
        let addr = link::BOARD_WINDOW + 4 * word;
        match self.bridge.write32(addr, value)? {
            None => Ok(()),
            Some(response) => Err(BackendError::Register {
                offset: addr,
                response,
            }),
        }
    }

    fn check_register(offset: u32) -> Result<u32, BackendError> {
        if !offset.is_multiple_of(4) {
            return Err(BackendError::Misaligned { offset });
        }
        if offset >= link::REGISTER_SPAN {
            return Err(BackendError::Register {
                offset,
                response: BusResponse::DecodeError,
            });
        }
        Ok(link::REGISTER_WINDOW | offset)
    }

    fn check_ram(&self, address: u64, len: usize) -> Result<(), BackendError> {
        if address
            .checked_add(len as u64)
            .is_none_or(|end| end > self.info.ram_bytes as u64)
        {
            return Err(BackendError::BadPhysicalAddress {
                address,
                reason: "outside the board's RAM",
            });
        }
        Ok(())
    }

    /// Reads the words covering `[address, address+len)`.
    fn read_span(&mut self, first_word: u64, words: usize) -> Result<Vec<u8>, BackendError> {
        let mut out = Vec::with_capacity(words * 4);
        let mut addr = first_word;
        let mut left = words;
        while left > 0 {
            let n = left.min(link::MAX_WORDS);
            let (w, r) = self.bridge.read_words(addr as u32, n, false)?;
            if let Some(r) = r {
                return Err(memory_error(addr, r));
            }
            out.extend(w.into_iter().flat_map(u32::to_le_bytes));
            addr += 4 * n as u64;
            left -= n;
        }
        Ok(out)
    }

    fn page_bytes(&self) -> u64 {
        1 << self.info.page_shift
    }

    fn page_index(&self, address: u64) -> Result<usize, BackendError> {
        let i = (address >> self.info.page_shift) as usize;
        if !address.is_multiple_of(self.page_bytes()) || i >= self.allocated.len() {
            return Err(BackendError::BadPhysicalAddress {
                address,
                reason: "not a page of the board's RAM",
            });
        }
        Ok(i)
    }
}

impl<L: Link> RegisterBus for SerialBackend<L> {
    fn read32(&mut self, offset: u32) -> Result<u32, BackendError> {
        let addr = Self::check_register(offset)?;
        let side_effects = link::register_read_has_side_effects(offset);
        match self.bridge.read32(addr, side_effects)? {
            (v, None) => Ok(v),
            (_, Some(response)) => Err(BackendError::Register { offset, response }),
        }
    }

    fn write32(&mut self, offset: u32, value: u32) -> Result<(), BackendError> {
        let addr = Self::check_register(offset)?;
        match self.bridge.write32(addr, value)? {
            None => Ok(()),
            Some(response) => Err(BackendError::Register { offset, response }),
        }
    }
}

impl<L: Link> PhysicalMemory for SerialBackend<L> {
    fn page_size(&self) -> u64 {
        self.page_bytes()
    }

    fn allocate_pages(&mut self, count: usize) -> Result<Vec<u64>, BackendError> {
        let free: Vec<usize> = (0..self.allocated.len())
            .filter(|&i| !self.allocated[i])
            .take(count)
            .collect();
        if count == 0 || free.len() < count {
            return Err(BackendError::OutOfMemory {
                requested_pages: count,
            });
        }
        for &i in &free {
            self.allocated[i] = true;
        }
        Ok(free
            .into_iter()
            .map(|i| (i as u64) << self.info.page_shift)
            .collect())
    }

    fn allocate_contiguous(&mut self, count: usize) -> Result<u64, BackendError> {
        let n = self.allocated.len();
        let start = (0..n.saturating_sub(count.saturating_sub(1)))
            .find(|&s| count > 0 && self.allocated[s..s + count].iter().all(|a| !a))
            .ok_or(BackendError::OutOfMemory {
                requested_pages: count,
            })?;
        self.allocated[start..start + count].fill(true);
        Ok((start as u64) << self.info.page_shift)
    }

    fn free_pages(&mut self, pages: &[u64]) -> Result<(), BackendError> {
        let mut indices = Vec::with_capacity(pages.len());
        for &p in pages {
            let i = self.page_index(p)?;
            if !self.allocated[i] || indices.contains(&i) {
                return Err(BackendError::BadPhysicalAddress {
                    address: p,
                    reason: "not an allocated page (double free?)",
                });
            }
            indices.push(i);
        }
        for i in indices {
            self.allocated[i] = false;
        }
        Ok(())
    }

    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), BackendError> {
        self.check_ram(address, buf.len())?;
        if buf.is_empty() {
            return Ok(());
        }
        let first = address & !3;
        let end = (address + buf.len() as u64 + 3) & !3;
        let bytes = self.read_span(first, ((end - first) / 4) as usize)?;
        let skip = (address - first) as usize;
        buf.copy_from_slice(&bytes[skip..skip + buf.len()]);
        Ok(())
    }

    fn write(&mut self, address: u64, data: &[u8]) -> Result<(), BackendError> {
        self.check_ram(address, data.len())?;
        if data.is_empty() {
            return Ok(());
        }
        // Whole words only: partial words at either end are read, merged and written back.
        let first = address & !3;
        let end = (address + data.len() as u64 + 3) & !3;
        let words = ((end - first) / 4) as usize;
        let mut bytes = vec![0u8; words * 4];
        let skip = (address - first) as usize;
        if skip != 0 {
            bytes[..4].copy_from_slice(&self.read_span(first, 1)?);
        }
        if !(skip + data.len()).is_multiple_of(4) {
            let last = end - 4;
            let at = (last - first) as usize;
            bytes[at..at + 4].copy_from_slice(&self.read_span(last, 1)?);
        }
        bytes[skip..skip + data.len()].copy_from_slice(data);
        let all: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        for (k, chunk) in all.chunks(link::MAX_WORDS).enumerate() {
            let addr = first + (k * link::MAX_WORDS * 4) as u64;
            if let Some(r) = self.bridge.write_words(addr as u32, chunk)? {
                return Err(memory_error(addr, r));
            }
        }
        Ok(())
    }
}

impl<L: Link + 'static> Backend for SerialBackend<L> {
    fn name(&self) -> &str {
        "serial"
    }

    /// The board's `irq` pin is not wired to the link, and the link protocol has no
    /// notification: the level is polled as the design defines it, INT_STATUS & INT_ENABLE,
    /// with two register reads (neither has a side effect).
    fn irq(&mut self) -> Result<bool, BackendError> {
        let status = self.read32(rm::INT_STATUS.offset)?;
        let enable = self.read32(rm::INT_ENABLE.offset)?;
        Ok(status & enable != 0)
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

#[cfg(target_os = "linux")]
pub use tty::Tty;

#[cfg(target_os = "linux")]
mod tty {
    use super::BackendError;
    use std::fs::{File, OpenOptions};
    use std::io::{self, Read, Write};
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;
    use std::time::Duration;

    /// A serial port or pseudo-terminal in raw 8N1 mode; reads give up after the timeout.
    pub struct Tty {
        file: File,
    }

    fn speed(baud: u32) -> Option<libc::speed_t> {
        Some(match baud {
            9600 => libc::B9600,
            19200 => libc::B19200,
            38400 => libc::B38400,
            57600 => libc::B57600,
            115200 => libc::B115200,
            230400 => libc::B230400,
            460800 => libc::B460800,
            500000 => libc::B500000,
            921600 => libc::B921600,
            1000000 => libc::B1000000,
            2000000 => libc::B2000000,
            3000000 => libc::B3000000,
            _ => return None,
        })
    }

    fn os_error(path: &Path, what: &str) -> BackendError {
        BackendError::Link(format!(
            "{}: {what}: {}",
            path.display(),
            io::Error::last_os_error()
        ))
    }

    impl Tty {
        /// Opens `path` (e.g. `/dev/ttyUSB1`) at `baud`, raw, 8N1, no flow control; a read
        /// that sees no byte for `timeout` (0.1 s resolution, at most 25.5 s) returns 0.
        pub fn open(path: &Path, baud: u32, timeout: Duration) -> Result<Tty, BackendError> {
            let speed = speed(baud).ok_or_else(|| {
                BackendError::Link(format!("{baud} baud is not a standard serial rate"))
            })?;
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(libc::O_NOCTTY)
                .open(path)
                .map_err(|e| BackendError::Link(format!("opening {}: {e}", path.display())))?;
            let fd = file.as_raw_fd();
            // SAFETY: `fd` is an open descriptor owned by `file` for the whole block, and `t`
            // is a plain C struct that tcgetattr fills completely before it is read.
            unsafe {
                let mut t: libc::termios = std::mem::zeroed();
                if libc::tcgetattr(fd, &mut t) != 0 {
                    return Err(os_error(path, "not a terminal"));
                }
                libc::cfmakeraw(&mut t);
                t.c_cflag |= libc::CLOCAL | libc::CREAD;
                t.c_cflag &= !(libc::CSTOPB | libc::PARENB | libc::CRTSCTS);
                t.c_iflag &= !(libc::IXON | libc::IXOFF);
                t.c_cc[libc::VMIN] = 0;
                t.c_cc[libc::VTIME] = (timeout.as_millis() / 100).clamp(1, 255) as libc::cc_t;
                if libc::cfsetispeed(&mut t, speed) != 0 || libc::cfsetospeed(&mut t, speed) != 0 {
                    return Err(os_error(path, "setting the baud rate"));
                }
                if libc::tcsetattr(fd, libc::TCSANOW, &t) != 0 {
                    return Err(os_error(path, "setting raw mode"));
                }
                libc::tcflush(fd, libc::TCIOFLUSH);
            }
            Ok(Tty { file })
        }
    }

    impl Read for Tty {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.file.read(buf)
        }
    }

    impl Write for Tty {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.file.write(buf)
        }

        fn flush(&mut self) -> io::Result<()> {
            self.file.flush()
        }
    }
}

#[cfg(target_os = "linux")]
impl SerialBackend<Tty> {
    /// Opens the board's serial port (`/dev/ttyUSB1` for channel B of the FT2232H on the
    /// iCEBreaker and the HX8K breakout) at `baud` (the rate of `mapdma synth --baud`).
    pub fn open(path: &std::path::Path, baud: u32) -> Result<Self, BackendError> {
        let tty = Tty::open(path, baud, std::time::Duration::from_millis(500))?;
        SerialBackend::new(tty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_little_endian_with_a_big_endian_crc() {
        let f = encode::read(0x01, 0x4000_0000, 1).unwrap();
        assert_eq!(f, [0x5A, 0x01, b'R', 0, 0, 0, 0, 0x40, 0xFA, 0xBF]);
        let f = encode::write(7, 4, &[1, 2]).unwrap();
        assert_eq!(&f[..12], &[0x5A, 7, b'W', 1, 4, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(CRC.checksum(&f[1..]), 0, "CRC over the frame and its CRC");
    }

    #[test]
    fn frame_sizes_outside_1_to_max_words_are_refused() {
        assert!(encode::read(0, 0, 0).is_err());
        assert!(encode::read(0, 0, link::MAX_WORDS + 1).is_err());
        assert!(encode::write(0, 0, &[]).is_err());
        assert!(encode::write(0, 0, &[0; link::MAX_WORDS + 1]).is_err());
        assert!(encode::write(0, 0, &[0; link::MAX_WORDS]).is_ok());
    }

    /// Answers every write with the bytes it was given, then falls silent.
    struct Answer(Vec<u8>);

    impl Read for Answer {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    impl Write for Answer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_version_1_bridge_answers_the_query_with_its_unknown_command_byte() {
        let mut b = Bridge::new(Answer(vec![link::V1_UNKNOWN_COMMAND]));
        assert_eq!(
            b.hello(),
            Err(BackendError::LinkFault(LinkFault::Version { found: 1 }))
        );
        let mut b = Bridge::new(Answer(vec![]));
        let e = b.hello().unwrap_err().to_string();
        assert!(e.contains("did not answer the version query"), "{e}");
    }

    #[test]
    fn status_bytes_decode_to_outcomes() {
        let r = |status| Reply {
            seq: 0,
            words: vec![],
            status,
        };
        assert_eq!(r(0xA0).outcome(), Some(Outcome::Executed(None)));
        assert_eq!(
            r(0xA3).outcome(),
            Some(Outcome::Executed(Some(BusResponse::DecodeError)))
        );
        assert_eq!(
            r(0xA6).outcome(),
            Some(Outcome::Duplicate(Some(BusResponse::SlaveError)))
        );
        assert_eq!(r(0xE3).outcome(), Some(Outcome::Rejected(link::NAK_CRC)));
        assert_eq!(r(0xB1).outcome(), Some(Outcome::Version { valid: true }));
        for bad in [0xA1, 0xA8, 0xE0, 0xE4, 0xB2, 0x00, 0xFF] {
            assert_eq!(r(bad).outcome(), None, "{bad:#x}");
        }
    }
}
