//! Bus-master bursts through the translation port in differential programs: a hand-written
//! program of every outcome agrees on the RTL and the reference model, a burst writing outside
//! the declared buffers fails the memory-safety checks, the memory's bus errors on translated
//! bursts reach the device and record nothing, and the generator's programs contain every kind
//! of burst, memory bus errors included.

mod common;

use common::*;
use mapdma_host::backend::reference::{BmBurst, BURST_FIXED, BURST_INCR, BURST_WRAP};
use mapdma_regmap::{self as rm, Config};
use mapdma_verify::bm::BurstStep;
use mapdma_verify::program::{BusError, MemoryPlan, Program, Round, Step};
use mapdma_verify::{check_program, generate, Failure};

const OKAY: u8 = 0;
const SLVERR: u8 = 2;
const DECERR: u8 = 3;

fn burst(write: bool, addr: u32, len: u8) -> Step {
    Step::Burst(BurstStep {
        burst: BmBurst {
            write,
            addr,
            len,
            size: 2,
            burst: BURST_INCR,
        },
        data_seed: 0x9E37_79B9 ^ addr,
        strobe: 0,
    })
}

fn shaped(write: bool, addr: u32, len: u8, kind: u8) -> Step {
    match burst(write, addr, len) {
        Step::Burst(mut b) => {
            b.burst.burst = kind;
            Step::Burst(b)
        }
        _ => unreachable!(),
    }
}

/// The default configuration (with the port): logical page 1 → frame 0x301 (writable),
/// page 2 → frame 0x303 (read-only), page 3 invalid; frames 0x300..0x305 compared, the even
/// ones guards. `writable`: the one range the bursts may write.
fn program(writable: std::ops::Range<u64>, steps: Vec<Step>) -> Program {
    let cfg = Config::default();
    let entry = |valid, writable, frame| {
        rm::map::VALID.put(&cfg, valid)
            | rm::map::WRITABLE.put(&cfg, writable)
            | rm::map::FRAME.put(&cfg, frame)
    };
    let map = Round {
        steps: vec![
            w(rm::MAP.at(1), entry(1, 1, 0x301)),
            w(rm::MAP.at(2), entry(1, 0, 0x303)),
            w(rm::MAP.at(3), entry(0, 1, 0x302)),
        ],
    };
    Program {
        seed: 0,
        config: cfg,
        bench: bench(),
        devices: (0..cfg.channels).map(|_| device(1, 0)).collect(),
        memory: MemoryPlan {
            region: frame(&cfg, 0x300).start..frame(&cfg, 0x304).end,
            fill_seed: 11,
            writable: vec![writable],
            bus_errors: vec![],
        },
        rounds: vec![map, Round { steps }],
    }
}

fn record() -> Vec<Step> {
    [rm::INT_STATUS, rm::BM_FAULT, rm::BM_FAULT_ADDR]
        .iter()
        .map(|r| Step::Read { offset: r.offset })
        .collect()
}

#[test]
fn every_outcome_of_a_burst_agrees_on_both_models() {
    let cfg = Config::default();
    let page = cfg.page_size() as u32;
    let buf = frame(&cfg, 0x301).start + 0x40;
    let mut steps = vec![
        burst(true, page + 0x40, 7),
        burst(false, page + 0x40, 7),
        burst(false, 2 * page + 0xFC0, 15),
    ];
    steps.extend(record());
    steps.extend([
        burst(true, 2 * page, 3),
        burst(false, 3 * page + 8, 2),
        burst(true, 0x0100_0000, 0),
        shaped(false, page, 3, BURST_FIXED),
        shaped(true, page, 3, BURST_WRAP),
        burst(false, page, 40),
    ]);
    steps.extend(record());
    steps.push(w(
        rm::INT_STATUS.offset,
        rm::int_status::BM_FAULT.put(&cfg, 1),
    ));
    steps.extend(record());
    steps.push(burst(false, 3 * page, 0));
    steps.extend(record());
    let p = program(buf..buf + 32, steps);
    let v = check_program(&p);
    assert!(v.passed(), "{v}");

    // The reference outcome: what the device got, burst by burst.
    let o = mapdma_verify::reference::run_reference(&p).unwrap();
    let resp: Vec<Vec<u8>> = o.bursts.iter().map(|b| b.responses.clone()).collect();
    assert_eq!(resp[0], [OKAY]);
    assert_eq!(resp[1], [OKAY; 8]);
    assert_eq!(resp[2], [OKAY; 16]);
    assert_eq!(resp[3], [SLVERR], "read-only");
    assert_eq!(resp[4], [DECERR; 3], "invalid");
    assert_eq!(resp[5], [DECERR], "out of range");
    assert_eq!(resp[6], [SLVERR; 4], "FIXED");
    assert_eq!(resp[7], [SLVERR], "WRAP");
    assert_eq!(resp[8], [SLVERR; 41], "41 beats");
    assert_eq!(resp[9], [DECERR]);
    // What was written is what is read back.
    let Step::Burst(first) = p.rounds[1].steps[0] else {
        unreachable!()
    };
    let written: Vec<u32> = first
        .beats()
        .iter()
        .map(|&(d, s)| {
            (0..4)
                .filter(|l| s >> l & 1 != 0)
                .fold(0, |w, l| w | d & 0xFF << (8 * l))
        })
        .collect();
    let masks: Vec<u32> = first
        .beats()
        .iter()
        .map(|&(_, s)| {
            (0..4)
                .filter(|l| s >> l & 1 != 0)
                .fold(0, |m, l| m | 0xFF << (8 * l))
        })
        .collect();
    for k in 0..8 {
        assert_eq!(o.bursts[1].data[k] & masks[k], written[k], "beat {k}");
    }
}

#[test]
fn memory_bus_errors_reach_the_device_beat_by_beat_and_record_nothing() {
    let cfg = Config::default();
    let page = cfg.page_size() as u32;
    let buf = frame(&cfg, 0x301).start;
    let ro = frame(&cfg, 0x303).start;
    let mut p = program(
        buf..buf + 0x100,
        vec![
            burst(true, page + 0x40, 7),
            burst(false, page + 0x40, 7),
            burst(false, 2 * page + 0x8, 3),
            burst(true, page + 0x80, 1),
        ],
    );
    p.memory.bus_errors = vec![
        BusError {
            range: buf + 0x49..buf + 0x4B,
            decode: false,
        },
        BusError {
            range: ro + 0x10..ro + 0x14,
            decode: true,
        },
    ];
    p.rounds[1].steps.extend(record());
    let v = check_program(&p);
    assert!(v.passed(), "{v}");

    let o = mapdma_verify::reference::run_reference(&p).unwrap();
    assert_eq!(o.bm_memory_errors, [0, 1, 2]);
    let resp: Vec<&[u8]> = o.bursts.iter().map(|b| &b.responses[..]).collect();
    assert_eq!(resp[0], [SLVERR], "the memory refuses the whole write");
    let mut beats = [OKAY; 8];
    beats[2] = SLVERR;
    assert_eq!(resp[1], beats);
    assert_eq!(o.bursts[1].data[2], 0);
    assert_eq!(resp[2], [OKAY, OKAY, DECERR, OKAY]);
    assert_eq!(resp[3], [OKAY]);
    // Nothing of the refused write landed.
    let at = (buf - p.memory.region.start) as usize;
    let initial = p.memory.initial_fill();
    assert_eq!(
        o.memory[at + 0x40..at + 0x60],
        initial[at + 0x40..at + 0x60]
    );
    assert_ne!(
        o.memory[at + 0x80..at + 0x88],
        initial[at + 0x80..at + 0x88]
    );
    // The port refused nothing: no record, no interrupt.
    for a in o
        .accesses
        .iter()
        .filter(|a| a.round == 1 && a.write.is_none())
    {
        let bit = rm::int_status::BM_FAULT.get(&cfg, a.data);
        let data = if a.offset == rm::INT_STATUS.offset {
            bit
        } else {
            a.data
        };
        assert_eq!(data, 0, "register {:#x}", a.offset);
    }
    assert_eq!(o.irq, [false, false]);
}

#[test]
fn a_burst_writing_outside_the_declared_buffers_fails_the_memory_safety_checks() {
    let cfg = Config::default();
    let page = cfg.page_size() as u32;
    let buf = frame(&cfg, 0x301).start;
    // 16 bytes written at page offset 0x100, only 12 declared.
    let p = program(
        buf + 0x100..buf + 0x10C,
        vec![Step::Burst(BurstStep {
            strobe: 0xF,
            ..match burst(true, page + 0x100, 3) {
                Step::Burst(b) => b,
                _ => unreachable!(),
            }
        })],
    );
    let v = check_program(&p);
    let permission = v
        .failures
        .iter()
        .filter(|f| matches!(f, Failure::WriteOutsidePermissions(_)))
        .count();
    let guards: Vec<&str> = v
        .failures
        .iter()
        .filter_map(|f| match f {
            Failure::GuardDamage { model, .. } => Some(*model),
            _ => None,
        })
        .collect();
    assert!(permission >= 1, "{v}");
    assert_eq!(guards, ["reference model", "RTL"], "{v}");
}

#[test]
fn generated_programs_contain_every_kind_of_burst() {
    let mut with_bursts = 0;
    let (mut ok_reads, mut ok_writes, mut slverr, mut decerr, mut bad, mut long) =
        (0, 0, 0, 0, 0, 0);
    // Translated bursts the memory answered with an error: writes, reads, and reads with
    // OKAY and error beats both.
    let (mut mem_err_programs, mut mem_err_writes, mut mem_err_reads, mut mixed) = (0, 0, 0, 0);
    for seed in 0..150 {
        let g = generate(seed).expect("generates");
        let steps: Vec<BurstStep> = g
            .program
            .rounds
            .iter()
            .flat_map(|r| &r.steps)
            .filter_map(|s| match s {
                Step::Burst(b) => Some(*b),
                _ => None,
            })
            .collect();
        with_bursts += !steps.is_empty() as u32;
        assert_eq!(steps.len(), g.reference.bursts.len());
        for (s, r) in steps.iter().zip(&g.reference.bursts) {
            let ok = r.responses.iter().all(|&x| x == OKAY);
            ok_reads += (ok && !s.burst.write) as u32;
            ok_writes += (ok && s.burst.write) as u32;
            slverr += r.responses.contains(&SLVERR) as u32;
            decerr += r.responses.contains(&DECERR) as u32;
            bad += (s.burst.burst != BURST_INCR) as u32;
            long += (s.burst.len > 15) as u32;
        }
        mem_err_programs += !g.reference.bm_memory_errors.is_empty() as u32;
        for &i in &g.reference.bm_memory_errors {
            let r = &g.reference.bursts[i].responses;
            mem_err_writes += steps[i].burst.write as u32;
            mem_err_reads += !steps[i].burst.write as u32;
            mixed += (r.contains(&OKAY) && r.iter().any(|&x| x != OKAY)) as u32;
        }
    }
    println!(
        "150 seeds: {with_bursts} with bursts; translated reads {ok_reads}, writes {ok_writes}; \
         SLVERR {slverr}, DECERR {decerr}; FIXED/WRAP {bad}, longer than 16 beats {long}; \
         memory bus errors in {mem_err_programs} programs: {mem_err_writes} writes, \
         {mem_err_reads} reads ({mixed} with OKAY beats too)"
    );
    assert!(with_bursts >= 50, "{with_bursts}");
    assert!(mem_err_programs >= 10, "{mem_err_programs}");
    for n in [
        ok_reads,
        ok_writes,
        slverr,
        decerr,
        bad,
        long,
        mem_err_writes,
        mem_err_reads,
        mixed,
    ] {
        assert!(n >= 5, "too few of one kind: {n}");
    }
}
