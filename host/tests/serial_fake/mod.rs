//! An in-process fake of the board's UART bridge, byte for byte as `hdl/src/board/PROTOCOL.md`
//! specifies it: registers are the host's reference model of mapdma (in the board
//! configuration), memory is that model's RAM at physical 0, plus the board window. Knobs inject
//! the link faults a real cable produces.

#![allow(dead_code)]

use mapdma_host::backend::reference::ReferenceModel;
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
    /// Replace the next status byte with this one.
    pub corrupt_status: Option<u8>,
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
                1 => 1,
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

    fn reply(&mut self, bytes: &[u8]) {
        if self.mute {
            return;
        }
        let noise = std::mem::take(&mut self.noise);
        self.output.extend(noise);
        self.output.extend(bytes);
    }

    fn status(&mut self, resp: u8) -> u8 {
        self.corrupt_status.take().unwrap_or(0xA0 | resp)
    }

    /// Executes every complete command in the input buffer.
    fn run(&mut self) {
        loop {
            let Some(&op) = self.input.first() else {
                return;
            };
            let need = match op {
                b'W' => 9,
                b'R' => 5,
                b'r' => 6,
                b'w' => {
                    if self.input.len() < 6 {
                        return;
                    }
                    6 + 4 * (self.input[5] as usize + 1)
                }
                _ => {
                    self.input.remove(0);
                    self.reply(&[0xE1]);
                    continue;
                }
            };
            if self.input.len() < need {
                return;
            }
            let cmd: Vec<u8> = self.input.drain(..need).collect();
            self.commands += 1;
            let word =
                |at: usize| u32::from_le_bytes([cmd[at], cmd[at + 1], cmd[at + 2], cmd[at + 3]]);
            let addr = word(1);
            let mut first_err = 0u8;
            let mut out = vec![];
            match op {
                b'W' => {
                    first_err = self.access(addr, Some(word(5))).1;
                }
                b'R' => {
                    let (v, r) = self.access(addr, None);
                    out.extend(v.to_le_bytes());
                    first_err = r;
                }
                b'w' => {
                    for i in 0..=cmd[5] as usize {
                        let (_, r) = self.access(addr + 4 * i as u32, Some(word(6 + 4 * i)));
                        if first_err == 0 {
                            first_err = r;
                        }
                    }
                }
                _ => {
                    for i in 0..=cmd[5] as usize {
                        let (v, r) = self.access(addr + 4 * i as u32, None);
                        out.extend(v.to_le_bytes());
                        if first_err == 0 {
                            first_err = r;
                        }
                    }
                }
            }
            let s = self.status(first_err);
            out.push(s);
            self.reply(&out);
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
