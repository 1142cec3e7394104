//! UART transmitter and receiver in the rust-hdl simulator: frame shape, loop-back of
//! back-to-back bytes, framing errors and breaks, glitches, and baud-rate tolerance.

mod board_common;

use board_common::{frame, LineModel};
use mapdma_hdl::board::{UartRx, UartTx};
use rust_hdl::prelude::*;

fn tx(divisor: u32) -> UartTx {
    let mut t = UartTx::new(divisor);
    t.connect_all();
    t.reset.next = true;
    tick!(t);
    t.reset.next = false;
    t
}

fn rx(divisor: u32) -> UartRx {
    let mut r = UartRx::new(divisor);
    r.connect_all();
    r.rx.next = true;
    r.reset.next = true;
    tick!(r);
    tick!(r);
    r.reset.next = false;
    r
}

/// Drives `rx` from a line model until it is drained plus `tail` clocks; returns the bytes and
/// the number of framing-error pulses.
fn run_rx(r: &mut UartRx, line: &mut LineModel, tail: u32) -> (Vec<u8>, usize) {
    let (mut bytes, mut errors) = (vec![], 0);
    let mut extra = 0;
    while !line.idle() || extra < tail {
        if line.idle() {
            extra += 1;
        }
        r.rx.next = line.next_level();
        board_common::settle(r);
        if r.valid.val() {
            bytes.push(r.data.val().index() as u8);
        }
        if r.frame_error.val() {
            errors += 1;
        }
        assert!(!(r.valid.val() && r.frame_error.val()));
        tick!(*r);
    }
    (bytes, errors)
}

#[test]
fn the_transmitter_idles_high_even_before_reset() {
    let mut t = UartTx::new(8);
    t.connect_all();
    board_common::settle(&mut t);
    assert!(t.tx.val());
    tick!(t);
    assert!(t.tx.val());
}

#[test]
fn a_transmitted_frame_is_start_lsb_first_data_and_stop() {
    let d = 8;
    let mut t = tx(d);
    t.data.next = 0xA5.into();
    t.valid.next = true;
    board_common::settle(&mut t);
    assert!(t.ready.val());
    tick!(t);
    t.valid.next = false;
    let mut line = vec![];
    let mut ready_at = None;
    for c in 0..(12 * d) {
        board_common::settle(&mut t);
        line.push(t.tx.val());
        if t.ready.val() && ready_at.is_none() {
            ready_at = Some(c);
        }
        tick!(t);
    }
    let expected: Vec<bool> = frame(0xA5, true)
        .into_iter()
        .flat_map(|b| std::iter::repeat_n(b, d as usize))
        .collect();
    assert_eq!(&line[..expected.len()], &expected[..]);
    assert!(
        line[expected.len()..].iter().all(|&b| b),
        "idle high after the stop bit"
    );
    // Ready again exactly when the stop bit has been on the line for a full bit.
    assert_eq!(ready_at, Some(10 * d - 1));
}

#[test]
fn loopback_of_back_to_back_bytes() {
    let d = 6;
    let mut t = tx(d);
    let mut r = rx(d);
    let data: Vec<u8> = (0..=255u8).rev().chain([0x00, 0xFF, 0x55, 0xAA]).collect();
    let mut next = 0;
    let mut got = vec![];
    let mut busy_gaps = 0;
    for _ in 0..(data.len() as u32 + 1) * 10 * d + 2 * d {
        t.valid.next = next < data.len();
        if next < data.len() {
            t.data.next = (data[next] as u64).into();
        }
        board_common::settle(&mut t);
        if t.valid.val() && t.ready.val() {
            next += 1;
        } else if next < data.len() && t.ready.val() {
            busy_gaps += 1;
        }
        r.rx.next = t.tx.val();
        board_common::settle(&mut r);
        assert!(!r.frame_error.val());
        if r.valid.val() {
            got.push(r.data.val().index() as u8);
        }
        tick!(t);
        tick!(r);
    }
    assert_eq!(busy_gaps, 0, "the transmitter takes the next byte at once");
    assert_eq!(got, data);
}

#[test]
fn a_zero_stop_bit_is_a_framing_error_and_the_byte_is_dropped() {
    let d = 8;
    let mut r = rx(d);
    let mut line = LineModel::new(d);
    line.push_bits(&frame(0x3C, false), d);
    line.hold(true, 2 * d);
    line.send(&[0x42]);
    let (bytes, errors) = run_rx(&mut r, &mut line, 4 * d);
    assert_eq!(errors, 1);
    assert_eq!(
        bytes,
        vec![0x42],
        "the bad frame is dropped, the next one is received"
    );
}

#[test]
fn a_break_gives_one_framing_error_then_reception_resumes() {
    let d = 8;
    let mut r = rx(d);
    let mut line = LineModel::new(d);
    line.hold(false, 40 * d);
    line.hold(true, d);
    line.send(&[0x81, 0x7E]);
    let (bytes, errors) = run_rx(&mut r, &mut line, 4 * d);
    assert_eq!(
        errors, 1,
        "a long break is one error, not a stream of zero bytes"
    );
    assert_eq!(bytes, vec![0x81, 0x7E]);
}

#[test]
fn a_glitch_shorter_than_half_a_bit_is_not_a_start_bit() {
    let d = 16;
    let mut r = rx(d);
    let mut line = LineModel::new(d);
    line.hold(true, 5);
    line.hold(false, d / 2 - 3);
    line.hold(true, 3 * d);
    line.send(&[0x99]);
    let (bytes, errors) = run_rx(&mut r, &mut line, 4 * d);
    assert_eq!(errors, 0);
    assert_eq!(bytes, vec![0x99]);
}

#[test]
fn the_receiver_tolerates_a_few_percent_of_baud_error() {
    let d = 32;
    for sender_bit in [31u32, 33] {
        let mut r = rx(d);
        let mut line = LineModel::new(d);
        for b in [0x00u8, 0xFF, 0x5A, 0xC3] {
            line.push_bits(&frame(b, true), sender_bit);
        }
        let (bytes, errors) = run_rx(&mut r, &mut line, 4 * d);
        assert_eq!(errors, 0, "sender at {sender_bit} clocks per bit");
        assert_eq!(bytes, vec![0x00, 0xFF, 0x5A, 0xC3]);
    }
}
