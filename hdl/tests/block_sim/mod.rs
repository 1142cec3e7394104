//! Clocking one block by hand in the rust-hdl simulator, shared by the block tests.

#![allow(dead_code)]

use rust_hdl::prelude::*;

/// Settles, applies a rising edge, settles again (inputs set beforehand via `.next`).
pub fn tick<B: Block>(uut: &mut B, clock: fn(&mut B) -> &mut Signal<In, Clock>) {
    assert!(simulate(uut, 1000));
    clock(uut).next = Clock { clk: true };
    assert!(simulate(uut, 1000));
    clock(uut).next = Clock { clk: false };
    assert!(simulate(uut, 1000));
}

/// Propagates combinational logic until nothing changes.
pub fn settle<B: Block>(uut: &mut B) {
    assert!(simulate(uut, 1000));
}

/// Connects the block and runs rust-hdl's checks on it.
pub fn ready<B: Block>(mut uut: B) -> B {
    uut.connect_all();
    check_all(&uut).expect("block passes rust-hdl's checks");
    uut
}
