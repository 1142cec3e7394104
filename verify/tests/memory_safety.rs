//! The memory-safety machinery itself: a device write outside the declared buffers must fail
//! the run, both through the simulated memory's write-permission map and through the guard
//! bytes around every buffer.

mod common;

use common::*;
use mapdma_regmap::{self as rm, Config, ServiceMode, TransferType};
use mapdma_verify::program::Round;
use mapdma_verify::{check_program, Failure};

/// Eight bytes from a device into frame 0x201 through map register 0; `writable` is the one
/// range declared writable.
fn eight_byte_write(writable: std::ops::Range<u64>) -> mapdma_verify::Program {
    let cfg = Config::small();
    let map0 = rm::map::VALID.put(&cfg, 1)
        | rm::map::WRITABLE.put(&cfg, 1)
        | rm::map::FRAME.put(&cfg, 0x201);
    let mode = rm::mode_byte(0, TransferType::Write, false, false, ServiceMode::Demand);
    let mut steps = vec![w(rm::MAP.at(0), map0)];
    steps.extend(start_channel0(&cfg, 0x10, 8, mode));
    small_program(8, vec![writable], vec![Round { steps }])
}

#[test]
fn writes_inside_the_declared_buffer_pass() {
    let cfg = Config::small();
    let buf = frame(&cfg, 0x201).start + 0x10;
    let v = check_program(&eight_byte_write(buf..buf + 8));
    assert!(v.passed(), "{v}");
}

#[test]
fn a_write_outside_the_declared_buffer_fails_on_both_checks() {
    let cfg = Config::small();
    let buf = frame(&cfg, 0x201).start + 0x10;
    // Declare one byte too few: the last unit lands on a guard byte.
    let v = check_program(&eight_byte_write(buf..buf + 7));
    let permission = v
        .failures
        .iter()
        .filter(|f| matches!(f, Failure::WriteOutsidePermissions(_)))
        .count();
    let guards: Vec<&'static str> = v
        .failures
        .iter()
        .filter_map(|f| match f {
            Failure::GuardDamage { model, first, .. } => {
                assert_eq!(first.address, buf + 7);
                Some(*model)
            }
            _ => None,
        })
        .collect();
    assert_eq!(permission, 1, "{v}");
    assert_eq!(guards, ["reference model", "RTL"], "{v}");
    // The models still agree with each other.
    assert!(
        !v.failures.iter().any(|f| matches!(f, Failure::Mismatch(_))),
        "{v}"
    );
}
