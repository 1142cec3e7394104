//! Minimal programs for the RTL deviations the random differential tests found. While a
//! deviation is open its test is `#[ignore]`d and listed in `mapdma_verify::known`; run the
//! ignored ones with `cargo test -p mapdma-verify --test regressions -- --ignored`.

mod common;

use common::*;
use mapdma_regmap::{self as rm, Config, ServiceMode, TransferType};
use mapdma_verify::check_program;
use mapdma_verify::program::Round;

/// First seen at seed 0x1 (`mapdma verify --programs 1 --seed 0x1`): after a translation
/// fault, writing 1 to INT_STATUS.FAULT must clear FAULT_ADDR (DESIGN §4); the RTL kept it
/// until hdl commit d1d2307.
#[test]
fn clearing_a_fault_clears_the_fault_address() {
    let cfg = Config::small();
    // Map register 0 is invalid (power-up): one read unit at logical 0x123 faults.
    let mode = rm::mode_byte(0, TransferType::Read, false, false, ServiceMode::Single);
    let round0 = Round {
        steps: start_channel0(&cfg, 0x123, 1, mode),
    };
    let round1 = Round {
        steps: vec![
            // Masked first, so that the channel does not fault again once released.
            w(
                rm::SINGLE_MASK.offset,
                rm::single_mask::CHANNEL.put(&cfg, 0) | rm::single_mask::SET.put(&cfg, 1),
            ),
            w(rm::INT_STATUS.offset, rm::int_status::FAULT.put(&cfg, 1)),
        ],
    };
    let p = small_program(0, vec![], vec![round0, round1]);
    let v = check_program(&p);
    assert!(v.passed(), "{v}");
}

/// The same program without the fault clear agrees on both models: the fault itself (cause,
/// address, halt, interrupt) is right, only the clear is not.
#[test]
fn a_translation_fault_latches_cause_and_address_on_both_models() {
    let cfg = Config::small();
    let mode = rm::mode_byte(0, TransferType::Read, false, false, ServiceMode::Single);
    let round0 = Round {
        steps: start_channel0(&cfg, 0x123, 1, mode),
    };
    let p = small_program(0, vec![], vec![round0]);
    let v = check_program(&p);
    assert!(v.passed(), "{v}");
}
