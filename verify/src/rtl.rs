//! Runs a program on the RTL: the Verilator model of `mapdma-hdl`'s Verilog inside
//! `mapdma-sim`'s bench (memory with latency, backpressure and error ranges, devices, AXI
//! protocol checkers, the device write-permission map).

use crate::outcome::{Access, Outcome};
use crate::program::{readback, DevicePlan, Program, Request, Step};
use mapdma_sim::axi::Resp;
use mapdma_sim::axi_slave::{AxiSlaveConfig, ErrorRange};
use mapdma_sim::axil_master::{AxilOp, AxilTiming};
use mapdma_sim::bus_master::BusMasterConfig;
use mapdma_sim::device::{DataPattern, Device, DeviceConfig, DreqMode, DreqTiming, EopTrigger};
use mapdma_sim::engine::Engine;
use mapdma_sim::mapdma::{system, EngineKind};
use mapdma_sim::{SimError, System, SystemConfig};
use std::path::PathBuf;

/// Clocks without any activity that count as quiescence. Longer than any stall the bench's
/// random rates make with a meaningful probability (a 0.2 rate stays low for 96 clocks with
/// probability 0.8^96 ≈ 5·10⁻¹⁰).
pub const QUIET_CLOCKS: u64 = 96;
/// Clocks a round may take before the run is abandoned.
pub const MAX_CLOCKS_PER_ROUND: u64 = 2_000_000;

type Sys = System<Box<dyn Engine>>;

/// What the run accumulated per channel across device replacements.
#[derive(Clone, Debug, Default)]
struct Totals {
    /// Units pushed into the source so far (initial + refills).
    pushed: u64,
    /// Units handed over by devices already replaced.
    sent: u64,
    sink: Vec<u8>,
    eops: u64,
}

/// The bench configuration of a device that has sent `sent` of its `pushed` units.
fn device_config(d: &DevicePlan, pushed: u64, sent: u64, eop_at: Option<u64>) -> DeviceConfig {
    DeviceConfig {
        source: Some(d.source_rate),
        pattern: DataPattern::Counter {
            start: d.unit_value(sent),
            step: d.pattern_step,
        },
        source_units: Some(pushed - sent),
        sink: Some(d.sink_rate),
        dreq: match d.request {
            Request::Software => DreqMode::Off,
            Request::Always => DreqMode::Always,
            Request::WhileData if d.block_handshake => DreqMode::UntilDack,
            Request::WhileData => DreqMode::WhileWanted,
        },
        dreq_timing: if d.dreq_in_dack_clock {
            DreqTiming::InDackClock
        } else {
            DreqTiming::ClockAfterDack
        },
        dreq_active_low: d.dreq_active_low,
        dack_active_high: d.dack_active_high,
        eop: eop_at.map(EopTrigger::AtCycle).into_iter().collect(),
        seed: d.seed.wrapping_add(sent),
    }
}

/// The simulated bench for `p`.
pub fn bench_config(p: &Program, vcd: Option<PathBuf>) -> SystemConfig {
    let b = &p.bench;
    let error_ranges: Vec<ErrorRange> = p
        .memory
        .bus_errors
        .iter()
        .map(|e| ErrorRange {
            range: e.range.clone(),
            resp: if e.decode { Resp::DecErr } else { Resp::SlvErr },
        })
        .collect();
    SystemConfig {
        memory: AxiSlaveConfig {
            read_latency: b.read_latency,
            write_latency: b.write_latency,
            aw_ready: b.aw_ready,
            w_ready: b.w_ready,
            ar_ready: b.ar_ready,
            r_valid: b.r_valid,
            b_valid: b.b_valid,
            max_reads: b.max_reads,
            max_writes: b.max_writes,
            error_ranges: error_ranges.clone(),
            seed: b.seed,
            log: false,
            ..AxiSlaveConfig::default()
        },
        axil: AxilTiming {
            max_valid_delay: b.axil_valid_delay,
            max_ready_delay: b.axil_ready_delay,
            seed: b.seed ^ 0xA5A5,
        },
        devices: p
            .devices
            .iter()
            .map(|d| device_config(d, d.source_units, 0, None))
            .collect(),
        reset_cycles: 4,
        vcd,
        axil_timeout: 1000,
        bus_master: BusMasterConfig {
            seed: b.seed ^ 0x3C3C,
            ..BusMasterConfig::default().with_random_backpressure(0.7)
        },
        bm_memory: AxiSlaveConfig {
            read_latency: b.read_latency,
            write_latency: b.write_latency,
            aw_ready: b.aw_ready,
            w_ready: b.w_ready,
            ar_ready: b.ar_ready,
            r_valid: b.r_valid,
            b_valid: b.b_valid,
            // The same memory behind a second front-end: the same bus-error ranges.
            error_ranges,
            seed: b.seed ^ 0x5A5A,
            log: false,
            ..AxiSlaveConfig::default()
        },
    }
}

/// Runs `p` on the Verilator model; `vcd` writes a waveform.
pub fn run_rtl(p: &Program, vcd: Option<PathBuf>) -> Result<Outcome, SimError> {
    let cfg = p.config;
    let mut s = system(EngineKind::Verilator, &cfg, bench_config(p, vcd))?;
    let fill = p.memory.initial_fill();
    s.memory.memory.write(p.memory.region.start, &fill);
    if p.memory.writable.is_empty() {
        s.memory.permissions.forbid_all();
    }
    for r in &p.memory.writable {
        s.memory.permissions.allow(r.clone());
    }
    let mut totals: Vec<Totals> = p
        .devices
        .iter()
        .map(|d| Totals {
            pushed: d.source_units,
            ..Totals::default()
        })
        .collect();

    let mut out = Outcome::default();
    for (r, round) in p.rounds.iter().enumerate() {
        for (i, step) in round.steps.iter().enumerate() {
            match *step {
                Step::Eop { channel } => {
                    let at = s.cycle() + 1;
                    replace_device(&mut s, p, &mut totals, channel, 0, Some(at));
                    // Let the pulse happen before anything else replaces the device.
                    s.run(2)?;
                }
                Step::Refill { channel, units } => {
                    replace_device(&mut s, p, &mut totals, channel, units, None)
                }
                Step::Burst(b) => out.bursts.push(crate::bm::rtl_burst(&mut s, &b)?),
                _ => out.accesses.push(access(&mut s, r, i, step)?),
            }
        }
        quiesce(&mut s, p, r)?;
        out.irq.push(s.irq.level());
    }
    let last = p.rounds.len();
    for (i, step) in readback(&cfg).iter().enumerate() {
        out.accesses.push(access(&mut s, last, i, step)?);
    }

    let mut memory = vec![0; fill.len()];
    s.memory.memory.read(p.memory.region.start, &mut memory);
    out.memory = memory;
    for ch in 0..p.devices.len() {
        harvest(&s, p, &mut totals, ch);
        let t = &totals[ch];
        out.sink.push(t.sink.clone());
        out.consumed.push(t.sent);
        out.eop_pulses.push(t.eops);
    }
    out.write_violations = s
        .memory
        .permissions
        .violations()
        .iter()
        .map(|v| {
            format!(
                "clock {}: {} byte(s) at {:#x} outside every writable range",
                v.cycle, v.len, v.addr
            )
        })
        .collect();
    out.time = s.cycle();
    Ok(out)
}

/// Moves what the channel's current device recorded into the totals.
fn harvest(s: &Sys, p: &Program, totals: &mut [Totals], ch: usize) {
    let d = &s.devices[ch];
    let bytes = p.devices[ch].unit_bytes as usize;
    let t = &mut totals[ch];
    t.sent += d.sent_total();
    for r in d.received() {
        t.sink.extend_from_slice(&r.data.to_le_bytes()[..bytes]);
    }
    t.eops += d.eop_out().len() as u64;
}

/// Replaces a channel's device (the bench's way to add source units or schedule an EOP pulse),
/// carrying over what the old one did.
fn replace_device(
    s: &mut Sys,
    p: &Program,
    totals: &mut [Totals],
    ch: usize,
    extra_units: u64,
    eop_at: Option<u64>,
) {
    harvest(s, p, totals, ch);
    let t = &mut totals[ch];
    t.pushed += extra_units;
    s.devices[ch] = Device::new(device_config(&p.devices[ch], t.pushed, t.sent, eop_at));
}

fn access(s: &mut Sys, round: usize, step: usize, st: &Step) -> Result<Access, SimError> {
    let (op, write) = match *st {
        Step::Write {
            offset,
            value,
            strb,
        } => (
            AxilOp::Write {
                addr: offset,
                data: value,
                strb,
            },
            Some(value),
        ),
        Step::Read { offset } => (AxilOp::Read { addr: offset }, None),
        _ => return Err(SimError::Unsupported("not a register access".to_string())),
    };
    let done = s.axil_access(op)?;
    let offset = match op {
        AxilOp::Write { addr, .. } | AxilOp::Read { addr } => addr,
    };
    Ok(Access {
        round,
        step,
        offset,
        write,
        ok: done.resp == Resp::Okay,
        data: if write.is_some() { 0 } else { done.data },
    })
}

/// Everything whose change means the design is still working.
fn progress(s: &Sys) -> Vec<u64> {
    let st = s.memory.stats();
    let mut v = vec![st.reads, st.writes, st.r_beats, st.w_beats];
    for d in &s.devices {
        v.extend([d.sent_total(), d.received_total(), d.eop_out().len() as u64]);
    }
    v
}

/// Runs clocks until nothing has happened for [`QUIET_CLOCKS`]: no memory or device handshake,
/// nothing in flight, no transfer DACK (cascade channels' DACK follows DREQ and is not work).
fn quiesce(s: &mut Sys, p: &Program, round: usize) -> Result<(), SimError> {
    let start = s.cycle();
    let mut last = progress(s);
    let mut quiet = 0;
    while quiet < QUIET_CLOCKS {
        s.step()?;
        let now = progress(s);
        let dack = p
            .devices
            .iter()
            .enumerate()
            .any(|(ch, d)| !d.cascade && s.dev_out(ch).dack == d.dack_active_high);
        if now != last || s.memory.in_flight() != (0, 0) || dack {
            quiet = 0;
            last = now;
        } else {
            quiet += 1;
        }
        if s.cycle() - start > MAX_CLOCKS_PER_ROUND {
            let busy: Vec<usize> = p
                .devices
                .iter()
                .enumerate()
                .filter(|(ch, d)| !d.cascade && s.dev_out(*ch).dack == d.dack_active_high)
                .map(|(ch, _)| ch)
                .collect();
            let sent: Vec<u64> = s.devices.iter().map(|d| d.sent_total()).collect();
            return Err(SimError::Timeout {
                waiting_for: format!(
                    "quiescence at the end of round {round} (DACK active on channels {busy:?}, \
                     memory requests in flight {:?}, units sent by the current devices {sent:?})",
                    s.memory.in_flight()
                ),
                cycles: MAX_CLOCKS_PER_ROUND,
            });
        }
    }
    Ok(())
}
