//! Runs a program on the transaction-level reference model (`mapdma-host`).
//!
//! The reference model also decides whether a program is *meaningful*: at the end of every
//! round nothing may be left eligible for service (a channel that waits forever for device
//! data, or an auto-initialize channel that never stops). Such a program's outcome would depend
//! on how far the RTL got before the comparison, so the generator rejects it.

use crate::outcome::{Access, Outcome};
use crate::program::{readback, Program, Request, Step};
use mapdma_host::backend::reference::{decode, Device, ErrorRange, ReferenceModel};
use mapdma_host::backend::{BackendError, BusResponse, DeviceHarness, RegisterBus};
use mapdma_regmap::MAX_CHANNELS;
use std::fmt;

/// Unit-times a round may take before the program counts as endless.
pub const MAX_UNIT_TIMES_PER_ROUND: u64 = 1_000_000;
/// Unit-times per quiescence probe.
const PROBE: u64 = 64;

/// Why the reference model could not give a comparable outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReferenceError {
    /// At the end of `round`, `channel` was still eligible but could not move (waiting for
    /// device data): its final state would depend on timing.
    Stuck { round: usize, channel: usize },
    /// `round` kept moving units past [`MAX_UNIT_TIMES_PER_ROUND`].
    Endless { round: usize },
    /// The bench could not be set up (a generator bug).
    Setup(String),
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceError::Stuck { round, channel } => write!(
                f,
                "round {round}: channel {channel} stays eligible without being able to move"
            ),
            ReferenceError::Endless { round } => write!(
                f,
                "round {round}: still moving after {MAX_UNIT_TIMES_PER_ROUND} unit-times"
            ),
            ReferenceError::Setup(m) => write!(f, "reference bench: {m}"),
        }
    }
}

impl std::error::Error for ReferenceError {}

fn setup(e: impl fmt::Display) -> ReferenceError {
    ReferenceError::Setup(e.to_string())
}

/// The DREQ pin level a device drives when it does not follow its data.
fn forced_pin(request: Request, active_low: bool) -> Option<bool> {
    match request {
        Request::WhileData => None,
        Request::Software => Some(active_low),
        Request::Always => Some(!active_low),
    }
}

/// Runs `p` on the reference model.
pub fn run_reference(p: &Program) -> Result<Outcome, ReferenceError> {
    let cfg = p.config;
    let mut m = ReferenceModel::new(cfg).map_err(setup)?;
    let fill = p.memory.initial_fill();
    m.memory_mut()
        .write(p.memory.region.start, &fill)
        .map_err(setup)?;
    for e in &p.memory.bus_errors {
        m.memory_mut().add_error_range(ErrorRange {
            start: e.range.start,
            end: e.range.end,
            response: if e.decode {
                BusResponse::DecodeError
            } else {
                BusResponse::SlaveError
            },
        });
    }
    let mut pushed = vec![0u64; p.devices.len()];
    for (ch, d) in p.devices.iter().enumerate() {
        if d.request == Request::WhileData && d.dreq_active_low {
            return Err(setup(format!(
                "channel {ch}: a data-driven DREQ cannot be active low on the reference device"
            )));
        }
        m.push_source(ch, &d.source_bytes(0, d.source_units))
            .map_err(setup)?;
        pushed[ch] = d.source_units;
        m.device_mut(ch)
            .force_dreq(forced_pin(d.request, d.dreq_active_low));
    }

    let mut out = Outcome::default();
    for (r, round) in p.rounds.iter().enumerate() {
        for (i, step) in round.steps.iter().enumerate() {
            match *step {
                Step::Eop { channel } => m.pulse_eop(channel).map_err(setup)?,
                Step::Burst(b) => {
                    let (result, memory_error) =
                        crate::bm::reference_burst(&mut m, &b).map_err(setup)?;
                    if memory_error {
                        out.bm_memory_errors.push(out.bursts.len());
                    }
                    out.bursts.push(result);
                }
                Step::Refill { channel, units } => {
                    let d = &p.devices[channel];
                    m.push_source(channel, &d.source_bytes(pushed[channel], units))
                        .map_err(setup)?;
                    pushed[channel] += units;
                }
                _ => out.accesses.push(access(&mut m, r, i, step)?),
            }
        }
        quiesce(&mut m, r)?;
        out.irq.push(m.irq());
    }
    let last = p.rounds.len();
    for (i, step) in readback(&cfg).iter().enumerate() {
        out.accesses.push(access(&mut m, last, i, step)?);
    }

    let mut memory = vec![0; fill.len()];
    m.memory()
        .read(p.memory.region.start, &mut memory)
        .map_err(setup)?;
    out.memory = memory;
    for (ch, d) in p.devices.iter().enumerate() {
        out.sink.push(m.take_sink(ch).map_err(setup)?);
        let pending = m.source_pending(ch).map_err(setup)? as u64;
        out.consumed
            .push(pushed[ch] - pending.div_ceil(d.unit_bytes as u64));
        out.eop_pulses.push(m.controller().channels[ch].eop_pulses);
    }
    out.time = m.now();
    Ok(out)
}

fn access(
    m: &mut ReferenceModel,
    round: usize,
    step: usize,
    s: &Step,
) -> Result<Access, ReferenceError> {
    let answered = |r: Result<u32, BackendError>| match r {
        Ok(v) => Ok((true, v)),
        Err(BackendError::Register { .. }) => Ok((false, 0)),
        Err(e) => Err(setup(e)),
    };
    let (offset, write, (ok, data)) = match *s {
        Step::Write {
            offset,
            value,
            strb,
        } => {
            let res = if strb == 0 {
                // Ignored by the slave; only whether a register exists shows in the response.
                (decode(m.config(), offset).is_some(), 0)
            } else {
                answered(m.write32(offset, value).map(|_| 0))?
            };
            (offset, Some(value), res)
        }
        Step::Read { offset } => (offset, None, answered(m.read32(offset))?),
        _ => return Err(setup("not a register access")),
    };
    Ok(Access {
        round,
        step,
        offset,
        write,
        ok,
        data,
    })
}

/// Advances until nothing moves; a channel still eligible then is stuck.
fn quiesce(m: &mut ReferenceModel, round: usize) -> Result<(), ReferenceError> {
    let start = m.now();
    loop {
        let before = m.units_moved();
        m.advance(PROBE);
        if m.units_moved() == before {
            return match eligible(m) {
                Some(channel) => Err(ReferenceError::Stuck { round, channel }),
                None => Ok(()),
            };
        }
        if m.now() - start > MAX_UNIT_TIMES_PER_ROUND {
            return Err(ReferenceError::Endless { round });
        }
    }
}

/// The channel the engine would select now, if any (on a copy: selection updates ownership).
fn eligible(m: &ReferenceModel) -> Option<usize> {
    let devices: Vec<Device> = (0..MAX_CHANNELS).map(|c| m.device(c).clone()).collect();
    m.controller().clone().select(&devices)
}
