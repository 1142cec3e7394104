//! Hand-written programs for the regression and memory-safety tests.

#![allow(dead_code)]

use mapdma_regmap::{self as rm, Config};
use mapdma_sim::rate::Rate;
use mapdma_verify::program::{Bench, DevicePlan, MemoryPlan, Program, Request, Round, Step};

/// A quiet bench: latency 2, no backpressure, register accesses as fast as possible.
pub fn bench() -> Bench {
    Bench {
        read_latency: 2,
        write_latency: 2,
        aw_ready: Rate::Always,
        w_ready: Rate::Always,
        ar_ready: Rate::Always,
        r_valid: Rate::Always,
        b_valid: Rate::Always,
        max_reads: 8,
        max_writes: 8,
        axil_valid_delay: 0,
        axil_ready_delay: 0,
        seed: 1,
    }
}

/// A device that only answers software requests, with `units` source units of `bytes` each.
pub fn device(bytes: u32, units: u64) -> DevicePlan {
    DevicePlan {
        request: Request::Software,
        block_handshake: false,
        dreq_in_dack_clock: false,
        unit_bytes: bytes,
        source_units: units,
        pattern_start: 0x11,
        pattern_step: 0x22,
        source_rate: Rate::Always,
        sink_rate: Rate::Always,
        dreq_active_low: false,
        dack_active_high: false,
        cascade: false,
        seed: 1,
    }
}

/// Frame `f` as a physical byte range.
pub fn frame(cfg: &Config, f: u32) -> std::ops::Range<u64> {
    let a = (f as u64) << cfg.page_shift;
    a..a + cfg.page_size()
}

/// A program of `rounds` on the small configuration with one software-requested device and
/// memory frames 0x200 (guard), 0x201 (buffer), 0x202 (guard).
pub fn small_program(
    units: u64,
    writable: Vec<std::ops::Range<u64>>,
    rounds: Vec<Round>,
) -> Program {
    let cfg = Config::small();
    Program {
        seed: 0,
        config: cfg,
        bench: bench(),
        devices: vec![device(1, units)],
        memory: MemoryPlan {
            region: frame(&cfg, 0x200).start..frame(&cfg, 0x202).end,
            fill_seed: 7,
            writable,
            bus_errors: vec![],
        },
        rounds,
    }
}

pub fn w(offset: u32, value: u32) -> Step {
    Step::write(offset, value)
}

/// Steps that program channel 0 (masked, flip-flop cleared, address, count, mode) and start
/// it with a software request.
pub fn start_channel0(cfg: &Config, address: u16, units: u32, mode: u8) -> Vec<Step> {
    let count = units - 1;
    vec![
        w(rm::CLEAR_FLIP_FLOP.offset, 0),
        w(rm::DMA_ADDR.at(0), address as u32 & 0xFF),
        w(rm::DMA_ADDR.at(0), address as u32 >> 8),
        w(rm::DMA_COUNT.at(0), count & 0xFF),
        w(rm::DMA_COUNT.at(0), count >> 8),
        w(rm::MODE.offset, mode as u32),
        w(rm::SINGLE_MASK.offset, rm::single_mask::CHANNEL.put(cfg, 0)),
        w(
            rm::REQUEST.offset,
            rm::request::CHANNEL.put(cfg, 0) | rm::request::SET.put(cfg, 1),
        ),
    ]
}
