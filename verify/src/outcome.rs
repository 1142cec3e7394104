//! What a run of a program produced, on either model, and how two runs are compared.

use crate::bm::BurstResult;
use crate::program::{register_name, Program};
use std::fmt;

/// One register access and its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// Round index; `program.rounds.len()` is the final read-back.
    pub round: usize,
    /// Step index within the round.
    pub step: usize,
    pub offset: u32,
    /// The value written, for writes.
    pub write: Option<u32>,
    /// OKAY (true) or an error response.
    pub ok: bool,
    /// Read data (0 for writes).
    pub data: u32,
}

/// Everything observable at the end of a program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Every register access, in program order (read-back included).
    pub accesses: Vec<Access>,
    /// Interrupt level at the end of each round.
    pub irq: Vec<bool>,
    /// The memory region's final contents.
    pub memory: Vec<u8>,
    /// Bytes each channel's device received (memory → device), in order.
    pub sink: Vec<Vec<u8>>,
    /// Units each channel's device handed over (device → memory).
    pub consumed: Vec<u64>,
    /// `eop_out` pulses each channel produced.
    pub eop_pulses: Vec<u64>,
    /// What the bus-master device got back for each burst, in program order.
    pub bursts: Vec<BurstResult>,
    /// Indices (in `bursts`) of the bursts the port translated and the memory answered with an
    /// error (reference model only: a statistic, not compared; the responses in `bursts` are).
    pub bm_memory_errors: Vec<usize>,
    /// Device writes outside the permitted ranges, as the simulated memory recorded them.
    pub write_violations: Vec<String>,
    /// Clocks (RTL) or unit-times (reference) the program took.
    pub time: u64,
}

/// One difference between the RTL and the reference model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    Register {
        round: usize,
        step: usize,
        name: String,
        offset: u32,
        write: Option<u32>,
        rtl: (bool, u32),
        reference: (bool, u32),
    },
    AccessCount {
        rtl: usize,
        reference: usize,
    },
    Irq {
        round: usize,
        rtl: bool,
        reference: bool,
    },
    Memory {
        address: u64,
        rtl: u8,
        reference: u8,
        differing_bytes: usize,
    },
    Sink {
        channel: usize,
        rtl: Vec<u8>,
        reference: Vec<u8>,
    },
    Consumed {
        channel: usize,
        rtl: u64,
        reference: u64,
    },
    EopPulses {
        channel: usize,
        rtl: u64,
        reference: u64,
    },
    /// The device's responses or read data for a bus-master burst (`index` in program order).
    Burst {
        index: usize,
        rtl: Option<BurstResult>,
        reference: Option<BurstResult>,
    },
}

fn resp(ok: bool, data: u32, write: bool) -> String {
    match (ok, write) {
        (true, true) => "OKAY".into(),
        (false, _) => "error response".into(),
        (true, false) => format!("{data:#010x}"),
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Register {
                round,
                step,
                name,
                offset,
                write,
                rtl,
                reference,
            } => {
                let what = match write {
                    Some(v) => format!("write {v:#x} to"),
                    None => "read of".into(),
                };
                write!(
                    f,
                    "round {round} step {step}: {what} {name} ({offset:#06x}): RTL {}, reference {}",
                    resp(rtl.0, rtl.1, write.is_some()),
                    resp(reference.0, reference.1, write.is_some())
                )
            }
            Mismatch::AccessCount { rtl, reference } => {
                write!(f, "register accesses: RTL {rtl}, reference {reference}")
            }
            Mismatch::Irq {
                round,
                rtl,
                reference,
            } => write!(
                f,
                "interrupt level after round {round}: RTL {rtl}, reference {reference}"
            ),
            Mismatch::Memory {
                address,
                rtl,
                reference,
                differing_bytes,
            } => write!(
                f,
                "memory at {address:#x}: RTL {rtl:#04x}, reference {reference:#04x} \
                 ({differing_bytes} byte(s) differ in all)"
            ),
            Mismatch::Sink {
                channel,
                rtl,
                reference,
            } => {
                let first = rtl.iter().zip(reference).position(|(a, b)| a != b);
                write!(
                    f,
                    "channel {channel} device received {} bytes on the RTL, {} on the reference",
                    rtl.len(),
                    reference.len()
                )?;
                if let Some(i) = first {
                    write!(
                        f,
                        "; first difference at byte {i}: {:#04x} vs {:#04x}",
                        rtl[i], reference[i]
                    )?;
                }
                Ok(())
            }
            Mismatch::Consumed {
                channel,
                rtl,
                reference,
            } => write!(
                f,
                "channel {channel} device sent {rtl} units on the RTL, {reference} on the reference"
            ),
            Mismatch::EopPulses {
                channel,
                rtl,
                reference,
            } => write!(
                f,
                "channel {channel} eop_out pulses: RTL {rtl}, reference {reference}"
            ),
            Mismatch::Burst {
                index,
                rtl,
                reference,
            } => {
                let show = |r: &Option<BurstResult>| {
                    r.as_ref().map_or("no burst".to_string(), |r| r.to_string())
                };
                write!(
                    f,
                    "bus-master burst {index}: RTL {}, reference {}",
                    show(rtl),
                    show(reference)
                )
            }
        }
    }
}

/// Every difference between two outcomes of the same program.
pub fn compare(p: &Program, rtl: &Outcome, reference: &Outcome) -> Vec<Mismatch> {
    let mut out = vec![];
    if rtl.accesses.len() != reference.accesses.len() {
        out.push(Mismatch::AccessCount {
            rtl: rtl.accesses.len(),
            reference: reference.accesses.len(),
        });
    }
    for (a, b) in rtl.accesses.iter().zip(&reference.accesses) {
        let same = a.ok == b.ok && (a.write.is_some() || a.data == b.data);
        if !same {
            out.push(Mismatch::Register {
                round: a.round,
                step: a.step,
                name: register_name(&p.config, a.offset, a.write.is_some()),
                offset: a.offset,
                write: a.write,
                rtl: (a.ok, a.data),
                reference: (b.ok, b.data),
            });
        }
    }
    for (round, (a, b)) in rtl.irq.iter().zip(&reference.irq).enumerate() {
        if a != b {
            out.push(Mismatch::Irq {
                round,
                rtl: *a,
                reference: *b,
            });
        }
    }
    let differing: Vec<usize> = (0..rtl.memory.len().min(reference.memory.len()))
        .filter(|&i| rtl.memory[i] != reference.memory[i])
        .collect();
    if let Some(&i) = differing.first() {
        out.push(Mismatch::Memory {
            address: p.memory.region.start + i as u64,
            rtl: rtl.memory[i],
            reference: reference.memory[i],
            differing_bytes: differing.len(),
        });
    }
    for index in 0..rtl.bursts.len().max(reference.bursts.len()) {
        let (a, b) = (rtl.bursts.get(index), reference.bursts.get(index));
        if a != b {
            out.push(Mismatch::Burst {
                index,
                rtl: a.cloned(),
                reference: b.cloned(),
            });
        }
    }
    for ch in 0..p.devices.len() {
        if rtl.sink[ch] != reference.sink[ch] {
            out.push(Mismatch::Sink {
                channel: ch,
                rtl: rtl.sink[ch].clone(),
                reference: reference.sink[ch].clone(),
            });
        }
        if rtl.consumed[ch] != reference.consumed[ch] {
            out.push(Mismatch::Consumed {
                channel: ch,
                rtl: rtl.consumed[ch],
                reference: reference.consumed[ch],
            });
        }
        if rtl.eop_pulses[ch] != reference.eop_pulses[ch] {
            out.push(Mismatch::EopPulses {
                channel: ch,
                rtl: rtl.eop_pulses[ch],
                reference: reference.eop_pulses[ch],
            });
        }
    }
    out
}

/// A guard byte (outside every writable range) that no longer holds its initial value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuardDamage {
    pub address: u64,
    pub initial: u8,
    pub now: u8,
}

/// Guard bytes of the region that changed, given its initial and final contents.
pub fn guard_damage(p: &Program, initial: &[u8], now: &[u8]) -> Vec<GuardDamage> {
    let base = p.memory.region.start;
    initial
        .iter()
        .zip(now)
        .enumerate()
        .filter(|(i, (a, b))| a != b && !p.memory.is_writable(base + *i as u64))
        .map(|(i, (a, b))| GuardDamage {
            address: base + i as u64,
            initial: *a,
            now: *b,
        })
        .collect()
}
