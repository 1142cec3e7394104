//! Unit tests of the 8237 channel block in the rust-hdl simulator.

mod block_sim;

use block_sim::{ready, tick};
use mapdma_hdl::channel::Channel;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

// ---- Channel ----------------------------------------------------------------------------------

/// Picks one of the channel's strobe inputs.
type Strobe = fn(&mut Channel) -> &mut Signal<In, Bit>;

fn ch_tick(c: &mut Channel) {
    tick(c, |c| &mut c.clock);
}

fn ch_clear_strobes(c: &mut Channel) {
    for s in [
        &mut c.reset,
        &mut c.master_clear,
        &mut c.wr_addr_lo,
        &mut c.wr_addr_hi,
        &mut c.wr_count_lo,
        &mut c.wr_count_hi,
        &mut c.wr_page,
        &mut c.wr_mode,
        &mut c.wr_width,
        &mut c.set_mask,
        &mut c.clear_mask,
        &mut c.set_request,
        &mut c.clear_request,
        &mut c.halt,
        &mut c.unhalt,
        &mut c.advance,
        &mut c.advance_tc,
        &mut c.eop,
    ] {
        s.next = false;
    }
}

fn ch_strobe(c: &mut Channel, f: Strobe) {
    ch_clear_strobes(c);
    f(c).next = true;
    ch_tick(c);
    ch_clear_strobes(c);
}

fn ch_write_word(c: &mut Channel, count: bool, v: u16) {
    c.wr_byte.next = (v as u64 & 0xFF).to_bits();
    ch_strobe(
        c,
        if count {
            |c| &mut c.wr_count_lo
        } else {
            |c| &mut c.wr_addr_lo
        },
    );
    c.wr_byte.next = ((v >> 8) as u64).to_bits();
    ch_strobe(
        c,
        if count {
            |c| &mut c.wr_count_hi
        } else {
            |c| &mut c.wr_addr_hi
        },
    );
}

/// Commits one unit the way the engine does: with the stepped address supplied.
/// Applies one unit as the engine does: the new address and count computed outside, and
/// whether it was the terminal-count unit.
fn ch_set_unit(c: &mut Channel, step: i32) {
    assert!(simulate(c, 1000));
    c.next_addr.next = ((c.cur_addr.val().to_u32() as i32 + step) as u64 & 0xFFFF).to_bits();
    c.next_count.next = (c.cur_count.val().to_u32().wrapping_sub(1) as u64 & 0xFFFF).to_bits();
}

fn ch_advance(c: &mut Channel, step: i32) {
    ch_set_unit(c, step);
    let tc = c.at_tc.val();
    ch_clear_strobes(c);
    c.advance.next = true;
    c.advance_tc.next = tc;
    ch_tick(c);
    ch_clear_strobes(c);
}

fn new_channel() -> Channel {
    let mut c = ready(Channel::new(8));
    ch_clear_strobes(&mut c);
    ch_strobe(&mut c, |c| &mut c.reset);
    c
}

#[test]
fn channel_byte_writes_load_base_and_current_and_reset_masks() {
    let mut c = new_channel();
    assert!(c.masked.val());
    ch_write_word(&mut c, false, 0x1234);
    ch_write_word(&mut c, true, 0x0002);
    assert_eq!(c.cur_addr.val().to_u32(), 0x1234);
    assert_eq!(c.cur_count.val().to_u32(), 2);
    c.wr_data.next = 0x1FF.into();
    ch_strobe(&mut c, |c| &mut c.wr_page);
    assert_eq!(
        c.page.val().to_u32(),
        0xFF,
        "page register is 8 bits wide here"
    );
}

#[test]
fn channel_terminal_count_masks_without_autoinit_and_reloads_with_it() {
    for autoinit in [false, true] {
        let mut c = new_channel();
        ch_write_word(&mut c, false, 0x0100);
        ch_write_word(&mut c, true, 2);
        c.wr_data.next = ((autoinit as u64) << 4 | 0b01 << 2).to_bits(); // write transfer
        ch_strobe(&mut c, |c| &mut c.wr_mode);
        ch_strobe(&mut c, |c| &mut c.clear_mask);
        // Count 2 = three units; the third is the terminal count.
        for k in 0..3 {
            assert_eq!(c.at_tc.val(), k == 2, "unit {k}");
            assert_eq!(c.passes.val().to_u32(), 0);
            ch_advance(&mut c, 1);
        }
        assert_eq!(c.passes.val().to_u32(), 1);
        if autoinit {
            assert_eq!(
                (c.cur_addr.val().to_u32(), c.cur_count.val().to_u32()),
                (0x0100, 2)
            );
            assert!(!c.masked.val());
        } else {
            assert_eq!(
                (c.cur_addr.val().to_u32(), c.cur_count.val().to_u32()),
                (0x0103, 0xFFFF)
            );
            assert!(c.masked.val());
        }
    }
}

#[test]
fn channel_outputs_predict_the_commit_from_registers_alone() {
    let mut c = new_channel();
    ch_write_word(&mut c, false, 0x0040);
    ch_write_word(&mut c, true, 0);
    c.wr_data.next = (1u64 << 4).to_bits();
    ch_strobe(&mut c, |c| &mut c.wr_mode);
    ch_strobe(&mut c, |c| &mut c.clear_mask);
    assert!(simulate(&mut c, 1000));
    assert!(c.at_tc.val());
    assert!(c.autoinit.val());
    assert_eq!(
        c.base.val().to_u32(),
        0x40,
        "auto-initialize: next unit is base"
    );
    assert_eq!(c.reload_count.val().to_u32(), 0);
    // No input reaches an output combinationally: a commit strobe changes nothing until the edge.
    c.advance.next = true;
    c.advance_tc.next = true;
    c.next_addr.next = 0x41.into();
    assert!(simulate(&mut c, 1000));
    assert_eq!(c.cur_addr.val().to_u32(), 0x40);
    assert!(c.at_tc.val());
    ch_clear_strobes(&mut c);
}

#[test]
fn channel_eop_or_a_byte_write_in_the_clock_a_unit_is_applied_comes_after_the_unit() {
    // EOP with the terminal-count unit: two passes, reload once.
    let mut c = new_channel();
    ch_write_word(&mut c, false, 0x0200);
    ch_write_word(&mut c, true, 0);
    c.wr_data.next = (1u64 << 4).to_bits(); // auto-initialize
    ch_strobe(&mut c, |c| &mut c.wr_mode);
    ch_strobe(&mut c, |c| &mut c.clear_mask);
    ch_set_unit(&mut c, 1);
    c.advance.next = true;
    c.advance_tc.next = true;
    c.eop.next = true;
    ch_tick(&mut c);
    ch_clear_strobes(&mut c);
    assert_eq!(c.passes.val().to_u32(), 2);
    assert_eq!(
        (c.cur_addr.val().to_u32(), c.cur_count.val().to_u32()),
        (0x0200, 0)
    );
    // EOP with an ordinary unit: the unit moves, then the EOP reloads.
    ch_write_word(&mut c, true, 5);
    ch_advance(&mut c, 1);
    ch_set_unit(&mut c, 1);
    c.advance.next = true;
    c.eop.next = true;
    ch_tick(&mut c);
    ch_clear_strobes(&mut c);
    assert_eq!(
        c.passes.val().to_u32(),
        1,
        "count write cleared it; the EOP counts one"
    );
    assert_eq!(
        (c.cur_addr.val().to_u32(), c.cur_count.val().to_u32()),
        (0x0200, 5)
    );
    // A count LSB write in the apply clock keeps the high byte of the count after the unit.
    ch_write_word(&mut c, true, 0x0100);
    ch_set_unit(&mut c, 1);
    c.advance.next = true;
    c.wr_byte.next = 0x05.into();
    c.wr_count_lo.next = true;
    ch_tick(&mut c);
    ch_clear_strobes(&mut c);
    assert_eq!(
        c.cur_count.val().to_u32(),
        0x0005,
        "0x0100 - 1 = 0x00FF, then LSB 05"
    );
    assert_eq!(c.cur_addr.val().to_u32(), 0x0201, "the address moved");
}

#[test]
fn channel_eop_counts_a_pass_and_master_clear_masks_and_drops_the_request() {
    let mut c = new_channel();
    ch_strobe(&mut c, |c| &mut c.clear_mask);
    ch_strobe(&mut c, |c| &mut c.set_request);
    assert!(c.sw_request.val());
    ch_strobe(&mut c, |c| &mut c.eop);
    assert_eq!(c.passes.val().to_u32(), 1);
    assert!(!c.sw_request.val(), "EOP clears the software request");
    assert!(c.masked.val(), "no auto-initialize: EOP masks");
    ch_strobe(&mut c, |c| &mut c.clear_mask);
    ch_strobe(&mut c, |c| &mut c.set_request);
    ch_strobe(&mut c, |c| &mut c.master_clear);
    assert!(c.masked.val() && !c.sw_request.val());
    ch_strobe(&mut c, |c| &mut c.halt);
    assert!(c.halted.val());
    ch_strobe(&mut c, |c| &mut c.unhalt);
    assert!(!c.halted.val());
}

/// `runs` and `stopped` are flip-flops loaded with the next state of mask, halt and mode; the
/// engine's commit decision trusts them to equal the decode of those registers in every
/// clock. Random strobes (writes, mask, request, halt, EOP, applied units, master clear,
/// reset), several at once, for 4000 clocks.
#[test]
fn channel_run_summaries_equal_the_decode_of_mask_halt_and_mode_every_clock() {
    let mut c = new_channel();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let strobes: [Strobe; 11] = [
        |c| &mut c.master_clear,
        |c| &mut c.wr_mode,
        |c| &mut c.set_mask,
        |c| &mut c.clear_mask,
        |c| &mut c.set_request,
        |c| &mut c.halt,
        |c| &mut c.unhalt,
        |c| &mut c.advance,
        |c| &mut c.eop,
        |c| &mut c.wr_count_lo,
        |c| &mut c.reset,
    ];
    let (mut masked_seen, mut runs_seen, mut cascade_seen) = (0, 0, 0);
    for _ in 0..4000 {
        ch_clear_strobes(&mut c);
        for (k, s) in strobes.iter().enumerate() {
            // Reset rarely, everything else often enough to meet the others in one clock.
            let p = if k == strobes.len() - 1 { 0.005 } else { 0.15 };
            if rng.gen_bool(p) {
                s(&mut c).next = true;
            }
        }
        c.wr_data.next = (rng.gen::<u16>() as u64).to_bits();
        c.wr_byte.next = (rng.gen::<u8>() as u64).to_bits();
        c.advance_tc.next = rng.gen_bool(0.3);
        ch_set_unit(&mut c, 1);
        ch_tick(&mut c);
        let cascade = c.service.val().to_u32() == 3;
        let (masked, halted) = (c.masked.val(), c.halted.val());
        assert_eq!(c.runs.val(), !masked && !halted && !cascade);
        assert_eq!(c.stopped.val(), masked || halted);
        masked_seen += masked as u32;
        runs_seen += c.runs.val() as u32;
        cascade_seen += cascade as u32;
    }
    // The run went through every state the summaries distinguish.
    assert!(masked_seen > 100 && runs_seen > 100 && cascade_seen > 100);
}
