//! A board reached over its UART: the byte protocol of `hdl/src/board/PROTOCOL.md` spoken to
//! the board design's bridge, giving the register bus (the bridge's register window) and the
//! board's system RAM as physical memory (allocated here, page by page, in the hardware's page
//! size).
//!
//! Layers, each usable alone:
//! - [`encode`]: command bytes, and [`decode_status`] for the status byte;
//! - [`Bridge`]: one command at a time over any [`Link`] (a byte pipe whose reads time out);
//! - [`SerialBackend`]: the [`Backend`] traits on top, plus the board window;
//! - [`Tty`]: a serial port (or pseudo-terminal) in raw 8N1 mode, via termios (Linux).
//!
//! A board has no [`DeviceHarness`](super::DeviceHarness): its devices are built in (see the
//! board window words in [`window`]).

use std::io::{self, Read, Write};

use mapdma_regmap as rm;

use super::{Backend, BackendError, BusResponse, PhysicalMemory, RegisterBus};

/// Protocol bytes and addresses (`PROTOCOL.md` is the specification).
pub mod codes {
    pub const WRITE: u8 = b'W';
    pub const READ: u8 = b'R';
    pub const WRITE_BULK: u8 = b'w';
    pub const READ_BULK: u8 = b'r';
    /// Status byte: `STATUS | OVERRUN? | resp`.
    pub const STATUS: u8 = 0xA0;
    pub const STATUS_OVERRUN: u8 = 0x04;
    pub const ERR_OPCODE: u8 = 0xE1;
    pub const ERR_FRAMING: u8 = 0xE2;
    /// Bridge address of mapdma register offset 0.
    pub const REGISTER_WINDOW: u32 = 0x8000_0000;
    /// Bridge address of board window word 0.
    pub const BOARD_WINDOW: u32 = 0x4000_0000;
    /// Words one bulk command moves at most.
    pub const MAX_BULK_WORDS: usize = 256;
    /// The register window spans offsets below this.
    pub const REGISTER_SPAN: u32 = 0x2000;
    /// The board window's ID word: "MDBD".
    pub const BOARD_ID: u32 = 0x4D44_4244;
    /// The protocol version this module speaks.
    pub const PROTOCOL_VERSION: u32 = 1;
}

/// Word indices of the board window.
pub mod window {
    pub const ID: u32 = 0;
    pub const VERSION: u32 = 1;
    pub const RAM_BYTES: u32 = 2;
    pub const CLOCK_HZ: u32 = 3;
    pub const UART_DIVISOR: u32 = 4;
    pub const LOOP_STATUS: u32 = 5;
    pub const PATTERN: u32 = 6;
    pub const SUM: u32 = 7;
    pub const COUNT: u32 = 8;
}

/// Command encoders. Bulk commands take 1..=256 words.
pub mod encode {
    use super::codes::*;
    use super::BackendError;

    fn head(op: u8, addr: u32) -> Vec<u8> {
        let mut v = vec![op];
        v.extend(addr.to_le_bytes());
        v
    }

    fn bulk_count(n: usize) -> Result<u8, BackendError> {
        if (1..=MAX_BULK_WORDS).contains(&n) {
            Ok((n - 1) as u8)
        } else {
            Err(BackendError::Link(format!(
                "a bulk command moves 1..={MAX_BULK_WORDS} words, not {n}"
            )))
        }
    }

    pub fn write(addr: u32, value: u32) -> Vec<u8> {
        let mut v = head(WRITE, addr);
        v.extend(value.to_le_bytes());
        v
    }

    pub fn read(addr: u32) -> Vec<u8> {
        head(READ, addr)
    }

    pub fn write_bulk(addr: u32, words: &[u32]) -> Result<Vec<u8>, BackendError> {
        let mut v = head(WRITE_BULK, addr);
        v.push(bulk_count(words.len())?);
        for w in words {
            v.extend(w.to_le_bytes());
        }
        Ok(v)
    }

    pub fn read_bulk(addr: u32, words: usize) -> Result<Vec<u8>, BackendError> {
        let mut v = head(READ_BULK, addr);
        v.push(bulk_count(words)?);
        Ok(v)
    }
}

/// The outcome a status byte reports: `Ok(None)` = OKAY, `Ok(Some(r))` = the command's first
/// error response. Error replies, an overrun and bytes that are no status are `Err`.
pub fn decode_status(byte: u8) -> Result<Option<BusResponse>, BackendError> {
    use codes::*;
    match byte {
        ERR_OPCODE => Err(BackendError::Link(
            "the board did not understand the command (0xE1): the link is out of step".into(),
        )),
        ERR_FRAMING => Err(BackendError::Link(
            "the board saw a framing error and dropped the command (0xE2): check the baud rate"
                .into(),
        )),
        b if b & 0xF8 != STATUS => Err(BackendError::Link(format!(
            "expected a status byte, got {b:#04x}: the link is out of step"
        ))),
        b if b & STATUS_OVERRUN != 0 => Err(BackendError::Link(
            "the board lost a byte (overrun): was a command sent before the last reply?".into(),
        )),
        b => match b & 3 {
            0 => Ok(None),
            2 => Ok(Some(BusResponse::SlaveError)),
            3 => Ok(Some(BusResponse::DecodeError)),
            _ => Err(BackendError::Link(format!(
                "status byte {b:#04x} carries the reserved response EXOKAY"
            ))),
        },
    }
}

/// A byte pipe to the board. Reads must not block forever: a read that finds nothing within
/// the link's timeout returns `Ok(0)` or an error of kind `TimedOut`/`WouldBlock`.
pub trait Link: Read + Write + Send {}
impl<T: Read + Write + Send> Link for T {}

/// The protocol client: one command at a time, each reply read in full.
pub struct Bridge<L: Link> {
    link: L,
}

impl<L: Link> Bridge<L> {
    pub fn new(link: L) -> Self {
        Bridge { link }
    }

    /// The link, e.g. to inspect a test double.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.link
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), BackendError> {
        self.link
            .write_all(bytes)
            .and_then(|_| self.link.flush())
            .map_err(|e| BackendError::Link(format!("writing to the board: {e}")))
    }

    /// Reads exactly `n` reply bytes. An error byte (0xE1/0xE2) arriving first is decoded as
    /// such, so that the caller learns why instead of a timeout.
    fn receive(&mut self, n: usize) -> Result<Vec<u8>, BackendError> {
        let mut buf = vec![0u8; n];
        let mut got = 0;
        while got < n {
            match self.link.read(&mut buf[got..]) {
                Ok(0) => return Err(self.timeout(&buf[..got], n)),
                // A reply's first byte may be data that happens to equal an error code, so
                // nothing is judged until the reply is complete (its last byte is a status
                // byte, which callers decode) or the link falls silent.
                Ok(k) => got += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    return Err(self.timeout(&buf[..got], n))
                }
                Err(e) => return Err(BackendError::Link(format!("reading from the board: {e}"))),
            }
        }
        // Every reply ends with a status byte. If it does not, and the first byte was an error
        // code, the board rejected a command and the bytes after its code belong to something
        // else: report the board's own answer.
        if matches!(buf[0], codes::ERR_OPCODE | codes::ERR_FRAMING)
            && decode_status(buf[n - 1]).is_err()
        {
            decode_status(buf[0])?;
        }
        Ok(buf)
    }

    /// The link fell silent after `got` of `n` reply bytes. A lone error code is the board's
    /// whole answer (it did not take the command); anything else is a silent board.
    fn timeout(&self, got: &[u8], n: usize) -> BackendError {
        if let [code @ (codes::ERR_OPCODE | codes::ERR_FRAMING)] = got {
            if let Err(e) = decode_status(*code) {
                return e;
            }
        }
        BackendError::Link(format!(
            "the board did not answer: {} of {n} reply bytes arrived (is the board \
             programmed, and the baud rate right?)",
            got.len()
        ))
    }

    /// Discards input until the link stays silent for one read timeout; the board abandons a
    /// half-received command after 50 ms, shorter than any sensible read timeout, so the link
    /// is in step afterwards.
    pub fn resync(&mut self) -> Result<(), BackendError> {
        let mut sink = [0u8; 256];
        for _ in 0..1024 {
            match self.link.read(&mut sink) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    return Ok(())
                }
                Err(e) => return Err(BackendError::Link(format!("reading from the board: {e}"))),
            }
        }
        Err(BackendError::Link(
            "the board keeps sending: cannot resynchronise".into(),
        ))
    }

    /// Runs one command, resynchronising the link if it failed on the link level.
    fn command<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        let r = f(self);
        if let Err(BackendError::Link(_)) = &r {
            // Best effort: the original error is the one worth reporting.
            let _ = self.resync();
        }
        r
    }

    /// 'W': the bus response of the write.
    pub fn write32(&mut self, addr: u32, value: u32) -> Result<Option<BusResponse>, BackendError> {
        self.command(|b| {
            b.send(&encode::write(addr, value))?;
            decode_status(b.receive(1)?[0])
        })
    }

    /// 'R': the word and the bus response (the word is 0 after an error).
    pub fn read32(&mut self, addr: u32) -> Result<(u32, Option<BusResponse>), BackendError> {
        self.command(|b| {
            b.send(&encode::read(addr))?;
            let r = b.receive(5)?;
            let status = decode_status(r[4])?;
            Ok((u32::from_le_bytes([r[0], r[1], r[2], r[3]]), status))
        })
    }

    /// 'w': writes `words` to `addr`, `addr+4`, …; the first error response, if any.
    pub fn write_words(
        &mut self,
        addr: u32,
        words: &[u32],
    ) -> Result<Option<BusResponse>, BackendError> {
        let cmd = encode::write_bulk(addr, words)?;
        self.command(|b| {
            b.send(&cmd)?;
            decode_status(b.receive(1)?[0])
        })
    }

    /// 'r': reads `n` words from `addr` on; the first error response, if any.
    pub fn read_words(
        &mut self,
        addr: u32,
        n: usize,
    ) -> Result<(Vec<u32>, Option<BusResponse>), BackendError> {
        let cmd = encode::read_bulk(addr, n)?;
        self.command(|b| {
            b.send(&cmd)?;
            let r = b.receive(4 * n + 1)?;
            let status = decode_status(r[4 * n])?;
            let words = r[..4 * n]
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            Ok((words, status))
        })
    }
}

/// What the board says about itself (board window and mapdma configuration registers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardInfo {
    pub ram_bytes: u32,
    pub clock_hz: u32,
    pub uart_divisor: u32,
    pub page_shift: u32,
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
        bridge.resync()?;
        let mut win = |word: u32| -> Result<u32, BackendError> {
            match bridge.read32(codes::BOARD_WINDOW + 4 * word)? {
                (v, None) => Ok(v),
                (_, Some(r)) => Err(BackendError::Link(format!(
                    "board window word {word} answered {r:?}"
                ))),
            }
        };
        let id = win(window::ID)?;
        if id != codes::BOARD_ID {
            return Err(BackendError::Link(format!(
                "not a mapdma board: board ID {id:#010x}, expected {:#010x}",
                codes::BOARD_ID
            )));
        }
        let version = win(window::VERSION)?;
        if version != codes::PROTOCOL_VERSION {
            return Err(BackendError::Link(format!(
                "the board speaks protocol version {version}, this library {}",
                codes::PROTOCOL_VERSION
            )));
        }
        let ram_bytes = win(window::RAM_BYTES)?;
        let clock_hz = win(window::CLOCK_HZ)?;
        let uart_divisor = win(window::UART_DIVISOR)?;
        let mut backend = SerialBackend {
            bridge,
            info: BoardInfo {
                ram_bytes,
                clock_hz,
                uart_divisor,
                page_shift: 0,
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
        let addr = codes::BOARD_WINDOW + 4 * word;
        match self.bridge.read32(addr)? {
            (v, None) => Ok(v),
            (_, Some(response)) => Err(BackendError::Register {
                offset: addr,
                response,
            }),
        }
    }

    /// Writes a board window word (see [`window`]).
    pub fn window_write(&mut self, word: u32, value: u32) -> Result<(), BackendError> {
        let addr = codes::BOARD_WINDOW + 4 * word;
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
        if offset >= codes::REGISTER_SPAN {
            return Err(BackendError::Register {
                offset,
                response: BusResponse::DecodeError,
            });
        }
        Ok(codes::REGISTER_WINDOW | offset)
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
            let n = left.min(codes::MAX_BULK_WORDS);
            let (w, r) = self.bridge.read_words(addr as u32, n)?;
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
        match self.bridge.read32(addr)? {
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
        for (k, chunk) in all.chunks(codes::MAX_BULK_WORDS).enumerate() {
            let addr = first + (k * codes::MAX_BULK_WORDS * 4) as u64;
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
    fn commands_are_little_endian_with_the_opcode_first() {
        assert_eq!(
            encode::write(0x8000_0080, 0x1122_3344),
            vec![b'W', 0x80, 0, 0, 0x80, 0x44, 0x33, 0x22, 0x11]
        );
        assert_eq!(encode::read(0x10), vec![b'R', 0x10, 0, 0, 0]);
        assert_eq!(
            encode::write_bulk(4, &[1, 2]).unwrap(),
            vec![b'w', 4, 0, 0, 0, 1, 1, 0, 0, 0, 2, 0, 0, 0]
        );
        assert_eq!(
            encode::read_bulk(8, 256).unwrap(),
            vec![b'r', 8, 0, 0, 0, 255]
        );
    }

    /// Replays a fixed reply, then falls silent like a board that has said all it will.
    struct Replay(std::io::Cursor<Vec<u8>>);

    impl Read for Replay {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::ErrorKind::TimedOut.into()),
                k => Ok(k),
            }
        }
    }

    impl Write for Replay {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn read_data_that_looks_like_an_error_code_is_data() {
        for first in [codes::ERR_OPCODE, codes::ERR_FRAMING] {
            let mut b = Bridge::new(Replay(std::io::Cursor::new(vec![
                first, 0x22, 0x33, 0x44, 0xA0,
            ])));
            let (v, resp) = b.read32(0x8000_0080).expect("a complete reply is data");
            assert_eq!(v, u32::from_le_bytes([first, 0x22, 0x33, 0x44]));
            assert_eq!(resp, None);
        }
    }

    #[test]
    fn a_lone_error_code_is_reported_as_the_boards_answer() {
        let mut b = Bridge::new(Replay(std::io::Cursor::new(vec![codes::ERR_FRAMING])));
        let e = b.read32(0x8000_0080).unwrap_err().to_string();
        assert!(e.contains("framing error"), "{e}");
        let mut b = Bridge::new(Replay(std::io::Cursor::new(vec![0x11, 0x22])));
        let e = b.read32(0x8000_0080).unwrap_err().to_string();
        assert!(e.contains("2 of 5 reply bytes"), "{e}");
    }

    #[test]
    fn bulk_sizes_outside_1_to_256_are_refused() {
        assert!(encode::read_bulk(0, 0).is_err());
        assert!(encode::read_bulk(0, 257).is_err());
        assert!(encode::write_bulk(0, &[]).is_err());
        assert!(encode::write_bulk(0, &[0; 257]).is_err());
    }

    #[test]
    fn status_bytes_decode_to_responses_or_errors() {
        assert_eq!(decode_status(0xA0), Ok(None));
        assert_eq!(decode_status(0xA2), Ok(Some(BusResponse::SlaveError)));
        assert_eq!(decode_status(0xA3), Ok(Some(BusResponse::DecodeError)));
        for bad in [0xA1, 0xA4, 0xA6, 0xE1, 0xE2, 0x00, 0xFF, 0xB0] {
            assert!(decode_status(bad).is_err(), "{bad:#x}");
        }
        let e = decode_status(0xE2).unwrap_err().to_string();
        assert!(e.contains("framing"), "{e}");
    }
}
