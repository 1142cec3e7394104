//! An in-process fake of the board's UART bridge, frame for frame as `hdl/src/board/PROTOCOL.md`
//! (version 2) specifies it: registers are the host's reference model of mapdma (in the board
//! configuration), memory is that model's RAM at physical 0, plus the board window. Knobs inject
//! the link faults a real cable produces.

#![allow(dead_code)]

use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::backend::serial::{link, CRC};
use mapdma_host::backend::{PhysicalMemory, RegisterBus};
use mapdma_regmap::Config;
use std::collections::VecDeque;
use std::io::{self, Read, Write};

/// The mapdma configuration of the board design.
pub fn board_config() -> Config {
    Config {
        channels: 4,
        map_registers: 32,
        page_shift: 8,
        logical_bits: 24,
        physical_bits: 16,
        outstanding: 4,
        bus_master_port: false,
        memory_to_memory: false,
    }
}

pub const RAM_BYTES: u32 = 8192;
pub const CLOCK_HZ: u32 = 12_000_000;
pub const DIVISOR: u32 = 104;

pub struct FakeBridge {
    pub model: ReferenceModel,
    input: Vec<u8>,
    output: VecDeque<u8>,
    /// Commands executed.
    pub commands: usize,
    /// Bytes received in total.
    pub bytes_in: usize,
    // Fault knobs.
    /// Answer nothing at all (board not programmed, wrong port).
    pub mute: bool,
    /// Replace the next executed frame's status byte with this one (CRC still good).
    pub corrupt_status: Option<u8>,
    /// Flip this bit of the next reply frame (CRC then bad).
    pub corrupt_reply: Option<usize>,
    /// The version reply's data word.
    pub version_word: u32,
    /// The last executed frame's sequence number and response.
    last: Option<(u8, u8)>,
    /// Board ID to report.
    pub board_id: u32,
    /// Bytes queued for output before the next reply (line noise, a stale reply).
    pub noise: Vec<u8>,
}

impl Default for FakeBridge {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeBridge {
    pub fn new() -> Self {
        FakeBridge {
            model: ReferenceModel::with_ram(board_config(), 0, (RAM_BYTES >> 8) as usize).unwrap(),
            input: vec![],
            output: VecDeque::new(),
            commands: 0,
            bytes_in: 0,
            mute: false,
            corrupt_status: None,
            corrupt_reply: None,
            version_word: link::version_word(),
            last: None,
            board_id: 0x4D44_4244,
            noise: vec![],
        }
    }

    /// One access; returns (data, resp) with resp 0 OKAY, 2 SLVERR, 3 DECERR.
    fn access(&mut self, addr: u32, write: Option<u32>) -> (u32, u8) {
        if addr & 0x8000_0000 != 0 {
            let off = addr & 0x1FFF;
            match write {
                Some(v) => match self.model.write32(off, v) {
                    Ok(()) => (0, 0),
                    Err(_) => (0, 2),
                },
                None => match self.model.read32(off) {
                    Ok(v) => (v, 0),
                    Err(_) => (0, 2),
                },
            }
        } else if addr & 0x4000_0000 != 0 {
            let value = match (addr >> 2) & 0xF {
                0 => self.board_id,
                1 => link::VERSION,
                2 => RAM_BYTES,
                3 => CLOCK_HZ,
                4 => DIVISOR,
                5..=8 => 0,
                _ => return (0, 2),
            };
            (if write.is_some() { 0 } else { value }, 0)
        } else {
            let a = (addr & !3) as u64;
            if a + 4 > RAM_BYTES as u64 {
                return (0, 3);
            }
            match write {
                Some(v) => {
                    self.model.write(a, &v.to_le_bytes()).unwrap();
                    (0, 0)
                }
                None => {
                    let mut b = [0u8; 4];
                    self.model.read(a, &mut b).unwrap();
                    (u32::from_le_bytes(b), 0)
                }
            }
        }
    }

    fn reply(&mut self, seq: u8, words: &[u32], status: u8) {
        if self.mute {
            return;
        }
        let noise = std::mem::take(&mut self.noise);
        self.output.extend(noise);
        let mut f = vec![link::REPLY_SOF, seq, words.len() as u8];
        f.extend(words.iter().flat_map(|w| w.to_le_bytes()));
        f.push(status);
        let crc = CRC.checksum(&f[1..]);
        f.extend(crc.to_be_bytes());
        if let Some(bit) = self.corrupt_reply.take() {
            f[bit / 8] ^= 1 << (bit % 8);
        }
        self.output.extend(f);
    }

    /// Executes every complete frame in the input buffer, as the bridge does: hunt for the
    /// start byte, check the CRC, answer repeats from the cache.
    fn run(&mut self) {
        loop {
            while let Some(&b) = self.input.first() {
                if b == link::REQUEST_SOF {
                    break;
                }
                self.input.remove(0);
                if b == link::QUERY {
                    let status = link::STATUS_VERSION | self.last.is_some() as u8;
                    let seq = self.last.map_or(0, |(s, _)| s);
                    self.reply(seq, &[self.version_word], status);
                }
            }
            if self.input.len() < 4 {
                return;
            }
            let (seq, op, count) = (self.input[1], self.input[2], self.input[3] as usize);
            if !matches!(op, link::OP_WRITE | link::OP_READ) || count >= link::MAX_WORDS {
                self.input.drain(..4);
                self.reply(seq, &[], link::NAK | link::NAK_HEADER);
                continue;
            }
            let words = count + 1;
            let need = link::REQUEST_OVERHEAD + if op == link::OP_WRITE { 4 * words } else { 0 };
            if self.input.len() < need {
                return;
            }
            let frame: Vec<u8> = self.input.drain(..need).collect();
            if CRC.checksum(&frame[1..]) != 0 {
                self.reply(seq, &[], link::NAK | link::NAK_CRC);
                continue;
            }
            if let Some((last, resp)) = self.last {
                if last == seq {
                    self.reply(seq, &[], link::STATUS | link::STATUS_DUPLICATE | resp);
                    continue;
                }
            }
            self.commands += 1;
            let word = |at: usize| {
                u32::from_le_bytes([frame[at], frame[at + 1], frame[at + 2], frame[at + 3]])
            };
            let addr = word(4);
            let mut first_err = 0u8;
            let mut out = vec![];
            for i in 0..words {
                let a = addr.wrapping_add(4 * i as u32);
                let (v, r) = if op == link::OP_WRITE {
                    self.access(a, Some(word(8 + 4 * i)))
                } else {
                    self.access(a, None)
                };
                if op == link::OP_READ {
                    out.push(v);
                }
                if first_err == 0 {
                    first_err = r;
                }
            }
            self.last = Some((seq, first_err));
            let status = self
                .corrupt_status
                .take()
                .unwrap_or(link::STATUS | first_err);
            self.reply(seq, &out, status);
        }
    }
}

impl Write for FakeBridge {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes_in += buf.len();
        self.input.extend_from_slice(buf);
        self.run();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for FakeBridge {
    /// Nothing queued reads as a timeout (0 bytes), as a tty in VMIN=0 mode does.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.output.len());
        for b in buf.iter_mut().take(n) {
            *b = self.output.pop_front().unwrap();
        }
        Ok(n)
    }
}
