//! Unit tests of the engine's blocks on their own, in the rust-hdl simulator: the address
//! stepper, the channel field selection, the channels' demand decode, channel selection (eligibility, ownership, priority, "stays") and the issue stage
//! (loading, commit / fault / drop / wait, the lookup address).

mod block_sim;

use block_sim::{ready, settle, tick};
use mapdma_hdl::engine::demand::Demand;
use mapdma_hdl::engine::fields::Fields;
use mapdma_hdl::engine::issue::Issue;
use mapdma_hdl::engine::pair::Pair;
use mapdma_hdl::engine::select::Select;
use mapdma_hdl::engine::stepper::Stepper;
use rust_hdl::prelude::*;

fn b4(v: u64) -> Bits<4> {
    v.to_bits()
}

// ---- Fields -----------------------------------------------------------------------------------

#[test]
fn fields_come_from_the_picked_and_from_the_issue_stage_channel() {
    let mut f = ready(Fields::new(4));
    f.pair_enable.next = false;
    // Channel c's fields all differ from every other channel's.
    for c in 0..4u64 {
        let ch = &mut f.ch[c as usize];
        ch.page.next = (0x10 + c).to_bits();
        ch.cur_addr.next = (0x1000 + c).to_bits();
        ch.cur_count.next = (0x2000 + c).to_bits();
        ch.transfer.next = (c % 3).to_bits();
        ch.service.next = (3 - c).to_bits();
        ch.width.next = (c % 3).to_bits();
        ch.decrement.next = c % 2 == 1;
        ch.at_tc.next = c == 2;
        ch.base.next = (0x3000 + c).to_bits();
        ch.reload_count.next = (0x4000 + c).to_bits();
        ch.autoinit.next = c != 1;
        ch.src_data.next = (0x5000_0000 + c).to_bits();
    }
    for pick in 0..4u64 {
        for issue in 0..5u64 {
            f.pick_ch.next = pick.to_bits();
            // 4: the issue stage is empty (no channel).
            f.issue_onehot.next = if issue < 4 { b4(1 << issue) } else { b4(0) };
            settle(&mut f);
            assert_eq!(f.p_page.val().index() as u64, 0x10 + pick);
            assert_eq!(f.p_addr.val().index() as u64, 0x1000 + pick);
            assert_eq!(f.p_count.val().index() as u64, 0x2000 + pick);
            assert_eq!(f.p_type.val().index() as u64, pick % 3);
            assert_eq!(f.p_mode.val().index() as u64, 3 - pick);
            assert_eq!(f.p_width.val().index() as u64, pick % 3);
            assert_eq!(f.p_decrement.val(), pick % 2 == 1);
            assert_eq!(f.p_at_tc.val(), pick == 2);
            let (base, reload, autoinit, data) = if issue < 4 {
                (
                    0x3000 + issue,
                    0x4000 + issue,
                    issue != 1,
                    0x5000_0000 + issue,
                )
            } else {
                (0, 0, false, 0)
            };
            assert_eq!(f.b_base.val().index() as u64, base);
            assert_eq!(f.b_base_count.val().index() as u64, reload);
            assert_eq!(f.b_autoinit.val(), autoinit);
            assert_eq!(f.b_src_data.val().index() as u64, data);
        }
    }
}

// ---- Stepper ----------------------------------------------------------------------------------

#[test]
fn a_pick_of_channel_0_under_a_pair_is_a_read_with_channel_1s_width() {
    let mut f = ready(Fields::new(4));
    for c in 0..4u64 {
        let ch = &mut f.ch[c as usize];
        ch.transfer.next = 1u64.to_bits(); // write
        ch.width.next = c.min(2).to_bits();
    }
    f.issue_onehot.next = b4(0);
    for (pair, pick, ty, width) in [
        (false, 0u64, 1u64, 0u64),
        (true, 0, 2, 1),
        (true, 1, 1, 1),
        (true, 2, 1, 2),
    ] {
        f.pair_enable.next = pair;
        f.pick_ch.next = pick.to_bits();
        settle(&mut f);
        assert_eq!(f.p_type.val().index() as u64, ty, "pair {pair} pick {pick}");
        assert_eq!(
            f.p_width.val().index() as u64,
            width,
            "pair {pair} pick {pick}"
        );
    }
}

#[test]
fn stepper_steps_by_the_unit_size_both_ways_and_follows_to_base_at_an_autoinit_tc() {
    let mut s = ready(Stepper::default());
    let mut x: u64 = 0x9E37_79B9;
    for _ in 0..400 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let addr = (x >> 16) & 0xFFFF;
        let base = (x >> 32) & 0xFFFF;
        let width = (x >> 48) % 3;
        let decrement = x >> 51 & 1 == 1;
        let at_tc = x >> 52 & 1 == 1;
        let autoinit = x >> 53 & 1 == 1;
        let count = (x >> 24) & 0xFFFF;
        let base_count = (x >> 40) & 0xFFFF;
        s.count.next = count.to_bits();
        s.base_count.next = base_count.to_bits();
        s.addr.next = addr.to_bits();
        s.base.next = base.to_bits();
        s.width.next = width.to_bits();
        s.decrement.next = decrement;
        s.at_tc.next = at_tc;
        s.autoinit.next = autoinit;
        settle(&mut s);
        let step = 1u64 << width;
        let next = if decrement {
            addr.wrapping_sub(step) & 0xFFFF
        } else {
            (addr + step) & 0xFFFF
        };
        assert_eq!(
            s.next_addr.val().index() as u64,
            next,
            "{addr:#x} w{width} d{decrement}"
        );
        let follow = if at_tc && autoinit { base } else { next };
        assert_eq!(s.follow_addr.val().index() as u64, follow);
        let next_count = count.wrapping_sub(1) & 0xFFFF;
        assert_eq!(s.next_count.val().index() as u64, next_count);
        let follow_count = if at_tc && autoinit {
            base_count
        } else {
            next_count
        };
        assert_eq!(s.follow_count.val().index() as u64, follow_count);
        assert_eq!(s.follow_at_tc.val(), follow_count == 0);
    }
    // The unit before the terminal count is followed by the terminal-count unit; an
    // auto-initialize terminal count by base count's.
    s.count.next = 1u64.to_bits();
    s.at_tc.next = false;
    settle(&mut s);
    assert!(s.follow_at_tc.val());
    s.count.next = 0u64.to_bits();
    s.at_tc.next = true;
    s.autoinit.next = true;
    s.base_count.next = 0u64.to_bits();
    settle(&mut s);
    assert!(
        s.follow_at_tc.val(),
        "a one-unit ring is at terminal count again"
    );
    assert_eq!(s.next_count.val().index(), 0xFFFF);
    // The 16-bit wrap does not carry into the page.
    s.addr.next = 0xFFFEu64.to_bits();
    s.width.next = 2u64.to_bits();
    s.decrement.next = false;
    s.at_tc.next = false;
    settle(&mut s);
    assert_eq!(s.next_addr.val().index(), 0x0002);
}

// ---- Demand -----------------------------------------------------------------------------------

/// One channel's raw state for `Demand`: the summaries `runs`/`stopped` are derived as the
/// channel's flip-flops hold them, so the short decode can be checked against the long form.
#[derive(Clone, Copy, Debug)]
struct ChState {
    dreq: bool,
    eop_in: bool,
    masked: bool,
    halted: bool,
    service: u64,
    sw_request: bool,
    autoinit: bool,
}

fn bit(v: u64, i: usize) -> bool {
    v >> i & 1 == 1
}

#[test]
fn demand_matches_the_long_form_of_every_channel_decode_on_random_states() {
    let mut d = ready(Demand::new(4));
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..4000 {
        let st: Vec<ChState> = (0..4)
            .map(|_| {
                let r = rnd();
                ChState {
                    dreq: bit(r, 0),
                    eop_in: r & 0x30 == 0x30,
                    masked: bit(r, 6),
                    halted: r & 0x180 == 0x180,
                    service: r >> 9 & 3,
                    sw_request: bit(r, 11),
                    autoinit: bit(r, 12),
                }
            })
            .collect();
        let r = rnd();
        let (dreq_low, dack_high, disable, pair) =
            (bit(r, 0), bit(r, 1), r & 0x1C == 0x1C, bit(r, 5));
        let apply_mask = r >> 8 & 0xF & (r >> 12);
        let apply_tc = r >> 16 & 0xF;
        let issue_oh = [0, 1, 2, 4, 8][(r >> 20) as usize % 5];
        for (c, s) in st.iter().enumerate() {
            let ch = &mut d.ch[c];
            ch.dreq.next = s.dreq;
            ch.eop_in.next = s.eop_in;
            ch.src_valid.next = c % 2 == 0;
            ch.snk_ready.next = c >= 2;
            ch.masked.next = s.masked;
            ch.halted.next = s.halted;
            ch.service.next = s.service.to_bits();
            ch.sw_request.next = s.sw_request;
            ch.autoinit.next = s.autoinit;
            ch.runs.next = !s.masked && !s.halted && s.service != 3;
            ch.stopped.next = s.masked || s.halted;
        }
        d.cmd_dreq_low.next = dreq_low;
        d.cmd_dack_high.next = dack_high;
        d.cmd_disable.next = disable;
        d.pair_enable.next = pair;
        d.apply_mask_oh.next = b4(apply_mask);
        d.apply_tc_oh.next = b4(apply_tc);
        d.issue_onehot.next = b4(issue_oh);
        settle(&mut d);

        let masked = |c: usize| st[c].masked || bit(apply_mask, c);
        // The pair: channel 1 never alone; channel 0 while channel 1 cannot take units.
        let c1_blocked = st[1].halted || masked(1) || st[1].eop_in;
        let pair_halt = |c: usize| pair && (c == 1 || (c == 0 && c1_blocked));
        let ctx = format!("{st:?} r={r:#x}");
        for (c, s) in st.iter().enumerate() {
            let dreq = s.dreq != dreq_low;
            let eop = s.eop_in && !masked(c);
            let can_run =
                !disable && !s.halted && !pair_halt(c) && s.service != 3 && !eop && !masked(c);
            let dack = bit(issue_oh, c) || (s.service == 3 && dreq && !s.masked);
            let got = |v: &Signal<Out, Bits<4>>| bit(v.val().index() as u64, c);
            assert_eq!(got(&d.dreq), dreq, "dreq {c} {ctx}");
            assert_eq!(
                got(&d.requesting),
                dreq || s.sw_request,
                "requesting {c} {ctx}"
            );
            assert_eq!(got(&d.masked), masked(c), "masked {c} {ctx}");
            assert_eq!(got(&d.eop), eop, "eop {c} {ctx}");
            assert_eq!(got(&d.halted), s.halted || pair_halt(c), "halted {c} {ctx}");
            assert_eq!(got(&d.can_run), can_run, "can_run {c} {ctx}");
            assert_eq!(got(&d.block), s.service == 2, "block {c} {ctx}");
            assert_eq!(
                got(&d.sw_request),
                s.sw_request && !bit(apply_tc, c),
                "sw {c} {ctx}"
            );
            assert_eq!(got(&d.noauto), !s.autoinit, "noauto {c} {ctx}");
            assert_eq!(got(&d.src_valid), c % 2 == 0, "src_valid {c}");
            assert_eq!(got(&d.snk_ready), c >= 2, "snk_ready {c}");
            assert_eq!(got(&d.dack), dack == dack_high, "dack {c} {ctx}");
        }
    }
}

#[test]
fn demand_of_one_channel_leaves_the_other_bits_clear() {
    let mut d = ready(Demand::new(1));
    let ch = &mut d.ch[0];
    ch.dreq.next = true;
    ch.eop_in.next = false;
    ch.src_valid.next = true;
    ch.snk_ready.next = true;
    ch.masked.next = false;
    ch.halted.next = false;
    ch.service.next = 1u64.to_bits();
    ch.sw_request.next = true;
    ch.autoinit.next = false;
    ch.runs.next = true;
    ch.stopped.next = false;
    d.cmd_dreq_low.next = false;
    d.cmd_dack_high.next = true;
    d.cmd_disable.next = false;
    d.pair_enable.next = false;
    d.apply_mask_oh.next = b4(0);
    d.apply_tc_oh.next = b4(0);
    d.issue_onehot.next = b4(1);
    settle(&mut d);
    for v in [
        &d.dreq,
        &d.requesting,
        &d.can_run,
        &d.sw_request,
        &d.noauto,
        &d.dack,
    ] {
        assert_eq!(v.val().index(), 1);
    }
    for v in [&d.masked, &d.halted, &d.eop, &d.block] {
        assert_eq!(v.val().index(), 0);
    }
}

// ---- Pair -------------------------------------------------------------------------------------

/// Drives the issue-stage inputs every `Pair` has with values that differ from each other.
fn pair_unit(p: &mut Pair, k: u64) {
    p.unit_addr.next = (0x1230 + k).to_bits();
    p.unit_ch.next = (k % 4).to_bits();
    p.unit_onehot.next = b4(1 << (k % 4));
    p.unit_logical.next = (0x0012_3400 + k).to_bits();
    p.unit_at_tc.next = k % 2 == 1;
    p.unit_cause.next = (k % 16).to_bits();
    p.unit_apply_tc.next = k % 3 == 1;
    p.unit_apply_oh.next = b4(1 << ((k + 1) % 4));
    p.unit_apply_io.next = !k.is_multiple_of(5);
}

/// Every output when no pair unit is in the stage and the writer is idle: the issue stage's
/// values, nothing of channel 1's.
fn assert_pair_passes_the_issue_stage(p: &Pair, k: u64) {
    assert!(!p.pair_unit.val() && !p.hold.val() && !p.push.val());
    assert_eq!(p.also_oh.val().index(), 0);
    assert_eq!(p.at_tc.val(), k % 2 == 1);
    assert_eq!(p.apply_tc.val(), k % 3 == 1);
    assert!(p.dest_ok.val());
    assert_eq!(p.dest_apply_oh.val().index(), 0);
    assert_eq!(p.fault_oh.val().index() as u64, 1 << (k % 4));
    assert_eq!(p.fault_logical.val().index() as u64, 0x0012_3400 + k);
    assert_eq!(p.fault_cause.val().index() as u64, k % 16);
    assert!(!p.write_pending.val());
    assert_eq!(p.wunit_addr.val().index() as u64, 0x1230 + k);
    assert_eq!(p.wunit_ch.val().index() as u64, k % 4);
    let io = if !k.is_multiple_of(5) {
        1 << ((k + 1) % 4)
    } else {
        0
    };
    assert_eq!(p.applied_io_oh.val().index() as u64, io);
}

#[test]
fn without_a_pair_every_output_is_the_issue_stages_value() {
    let mut p = ready(Pair::new(&mapdma_regmap::Config::small()));
    assert!(p.inputs.is_empty(), "one channel has no pair");
    for k in 0..20 {
        pair_unit(&mut p, k);
        settle(&mut p);
        assert!(!p.enable.val());
        assert!(!p.beat_ready.val());
        assert_pair_passes_the_issue_stage(&p, k);
    }
}

#[test]
fn an_idle_pair_passes_the_issue_stage_and_follows_command() {
    let mut p = ready(Pair::new(&mapdma_regmap::Config::default()));
    assert_eq!(p.inputs.len(), 1);
    let i = &mut p.inputs[0];
    for b in [
        &mut i.reset,
        &mut i.master_clear,
        &mut i.wr,
        &mut i.w_map,
        &mut i.stage_valid,
        &mut i.load_pick,
        &mut i.keep,
        &mut i.commit,
        &mut i.unit_ok,
        &mut i.write_space,
        &mut i.wr_room,
        &mut i.r_valid,
        &mut i.r_take,
        &mut i.c1_at_tc,
        &mut i.c1_autoinit,
        &mut i.c1_decrement,
        &mut i.cmd_ch0_hold,
    ] {
        b.next = false;
    }
    i.reset.next = true;
    tick(&mut p, |p| &mut p.inputs[0].clock);
    p.inputs[0].reset.next = false;
    for k in 0..20 {
        pair_unit(&mut p, k);
        p.inputs[0].cmd_mem_to_mem.next = k % 2 == 0;
        // The stage holds a unit that is not a pair unit (none was loaded as one).
        p.inputs[0].stage_valid.next = true;
        p.inputs[0].unit_ok.next = true;
        p.inputs[0].write_space.next = true;
        p.inputs[0].wr_room.next = true;
        settle(&mut p);
        assert_eq!(p.enable.val(), k % 2 == 0);
        assert!(p.beat_ready.val(), "no beat held: the writer takes one");
        assert_pair_passes_the_issue_stage(&p, k);
    }
}

// ---- Select -----------------------------------------------------------------------------------

/// Channel state as the parent gives it: `can_run` is its decode of mask, halt, cascade mode,
/// EOP and COMMAND.DISABLE (from the channels' `runs`/`stopped`).
fn select_state(s: &mut Select, masked: u64, halted: u64, cascade: u64, eop: u64, disable: bool) {
    s.masked.next = b4(masked);
    s.halted.next = b4(halted);
    s.eop.next = b4(eop);
    let run = !(masked | halted | cascade | eop) & 0xF;
    s.can_run.next = b4(if disable { 0 } else { run });
}

fn select() -> Select {
    let mut s = ready(Select::default());
    for v in [
        &mut s.masked,
        &mut s.halted,
        &mut s.block,
        &mut s.sw_request,
        &mut s.dreq,
        &mut s.eop,
    ] {
        v.next = b4(0);
    }
    s.can_run.next = b4(0xF);
    s.wr.next = false;
    s.rotating.next = false;
    s.b_valid.next = false;
    s.b_ch.next = 0u64.to_bits();
    s.b_mode.next = 0u64.to_bits();
    s.b_at_tc.next = false;
    s.b_autoinit.next = false;
    s.commit.next = false;
    s.master_clear.next = false;
    s.reset.next = true;
    tick(&mut s, |s| &mut s.clock);
    s.reset.next = false;
    settle(&mut s);
    s
}

#[test]
fn select_picks_eligible_channels_by_fixed_or_rotating_priority() {
    let mut s = select();
    assert!(!s.pick_found.val());
    // Channels 1 and 3 request; channel 2 requests but is masked; 0 is in cascade mode.
    s.dreq.next = b4(0b1111);
    select_state(&mut s, 0b0100, 0, 0b0001, 0, false);
    settle(&mut s);
    assert_eq!(s.runnable.val().index(), 0b1010);
    assert_eq!(s.eligible.val().index(), 0b1010);
    assert!(!s.pick_found.val(), "the pick is registered");
    tick(&mut s, |s| &mut s.clock);
    assert!(s.pick_found.val());
    assert_eq!(s.pick_ch.val().index(), 1, "fixed priority: lowest channel");
    // No pick from a register-write clock.
    s.wr.next = true;
    tick(&mut s, |s| &mut s.clock);
    assert!(!s.pick_found.val());
    s.wr.next = false;
    // Halt, EOP and COMMAND.DISABLE each take a channel out.
    select_state(&mut s, 0b0100, 0b0010, 0b0001, 0, false);
    tick(&mut s, |s| &mut s.clock);
    assert_eq!(s.pick_ch.val().index(), 3);
    select_state(&mut s, 0b0100, 0b0010, 0b0001, 0b1000, false);
    tick(&mut s, |s| &mut s.clock);
    assert!(!s.pick_found.val());
    select_state(&mut s, 0b0100, 0, 0b0001, 0, true);
    settle(&mut s);
    assert_eq!(s.runnable.val().index(), 0);
    select_state(&mut s, 0b0100, 0, 0b0001, 0, false);
    // Rotating: after channel 1 commits a single-mode unit, channel 3 goes first.
    s.rotating.next = true;
    s.b_valid.next = true;
    s.b_ch.next = 1u64.to_bits();
    s.b_mode.next = 1u64.to_bits();
    s.commit.next = true;
    settle(&mut s);
    assert!(
        !s.stays.val(),
        "single mode releases the engine after every unit"
    );
    tick(&mut s, |s| &mut s.clock);
    assert!(
        s.pick_found.val(),
        "a commit that hands the engine to another channel picks it in the same clock"
    );
    assert_eq!(s.pick_ch.val().index(), 3);
    // A full stage whose unit does not commit picks nothing.
    s.commit.next = false;
    tick(&mut s, |s| &mut s.clock);
    assert!(!s.pick_found.val(), "no pick while the issue stage is full");
    s.b_valid.next = false;
    tick(&mut s, |s| &mut s.clock);
    assert_eq!(s.pick_ch.val().index(), 3);
    s.rotating.next = false;
    tick(&mut s, |s| &mut s.clock);
    assert_eq!(s.pick_ch.val().index(), 1);
}

#[test]
fn select_stays_with_a_demand_channel_while_it_requests_and_until_a_plain_terminal_count() {
    let mut s = select();
    s.dreq.next = b4(0b0101);
    s.b_valid.next = true;
    s.b_ch.next = 2u64.to_bits();
    s.b_mode.next = 0u64.to_bits(); // demand
    s.commit.next = true;
    settle(&mut s);
    assert!(
        s.stays.val(),
        "demand unit, DREQ still active: back to back"
    );
    // The channel owns the engine after the commit, although channel 0 has priority.
    tick(&mut s, |s| &mut s.clock);
    s.commit.next = false;
    s.b_valid.next = false;
    settle(&mut s);
    assert_eq!(s.owner_onehot.val().index(), 0b0100);
    tick(&mut s, |s| &mut s.clock);
    assert_eq!(s.owner_onehot.val().index(), 0b0100);
    assert_eq!(s.pick_ch.val().index(), 2, "the owner keeps the engine");
    // DREQ gone: no stay, and the owner lets go.
    s.b_valid.next = true;
    s.commit.next = true;
    s.dreq.next = b4(0b0001);
    settle(&mut s);
    assert!(!s.stays.val());
    // A terminal count that masks the channel (no auto-initialize) ends the stream ...
    s.dreq.next = b4(0b0100);
    s.b_at_tc.next = true;
    settle(&mut s);
    assert!(!s.stays.val());
    // ... with auto-initialize the channel may go on at once (no owner: priority decides).
    s.b_autoinit.next = true;
    settle(&mut s);
    assert!(
        s.stays.val(),
        "auto-initialize wrap, DREQ held, nobody else requesting"
    );
    s.dreq.next = b4(0b0101);
    settle(&mut s);
    assert!(
        !s.stays.val(),
        "channel 0 wins the arbitration at the terminal count"
    );
}

#[test]
fn select_block_service_runs_without_dreq_until_terminal_count() {
    let mut s = select();
    s.block.next = b4(0b0010);
    s.sw_request.next = b4(0b0010);
    tick(&mut s, |s| &mut s.clock);
    assert_eq!(s.pick_ch.val().index(), 1);
    // The first block unit commits; the software request is the only request.
    s.b_valid.next = true;
    s.b_ch.next = 1u64.to_bits();
    s.b_mode.next = 2u64.to_bits();
    s.commit.next = true;
    settle(&mut s);
    assert!(s.stays.val());
    tick(&mut s, |s| &mut s.clock);
    s.sw_request.next = b4(0);
    s.commit.next = false;
    s.b_valid.next = false;
    settle(&mut s);
    assert_eq!(
        s.eligible.val().index(),
        0b0010,
        "block service in progress"
    );
    // Terminal count ends it.
    s.b_valid.next = true;
    s.b_at_tc.next = true;
    s.commit.next = true;
    settle(&mut s);
    assert!(!s.stays.val());
    tick(&mut s, |s| &mut s.clock);
    s.commit.next = false;
    s.b_valid.next = false;
    s.b_at_tc.next = false;
    settle(&mut s);
    assert_eq!(s.eligible.val().index(), 0);
    // A unit moved in single mode never starts a block service.
    s.sw_request.next = b4(0b0010);
    s.b_valid.next = true;
    s.b_mode.next = 1u64.to_bits();
    s.commit.next = true;
    tick(&mut s, |s| &mut s.clock);
    s.sw_request.next = b4(0);
    s.commit.next = false;
    s.b_valid.next = false;
    settle(&mut s);
    assert_eq!(s.eligible.val().index(), 0);
}

// ---- Issue ------------------------------------------------------------------------------------

fn issue() -> Issue {
    let mut u = ready(Issue::default());
    u.wr.next = false;
    u.pick_found.next = false;
    u.pick_ch.next = 0u64.to_bits();
    u.p_type.next = 0u64.to_bits();
    u.p_mode.next = 0u64.to_bits();
    u.p_width.next = 0u64.to_bits();
    u.p_page.next = 0u64.to_bits();
    u.p_addr.next = 0u64.to_bits();
    u.p_at_tc.next = false;
    u.p_decrement.next = false;
    u.stays.next = false;
    u.follow_addr.next = 0u64.to_bits();
    u.follow_at_tc.next = false;
    u.follow_count.next = 0u64.to_bits();
    u.next_addr.next = 0u64.to_bits();
    u.next_count.next = 0u64.to_bits();
    u.p_count.next = 0u64.to_bits();
    u.runnable.next = b4(0xF);
    u.eligible.next = b4(0xF);
    u.src_valid.next = b4(0);
    u.map_fault.next = false;
    u.write_space.next = true;
    u.read_space.next = true;
    u.wr_room.next = true;
    u.rd_room.next = true;
    u.reset.next = true;
    tick(&mut u, |u| &mut u.clock);
    u.reset.next = false;
    settle(&mut u);
    u
}

/// One of the issue stage's readiness inputs.
type Gate = fn(&mut Issue) -> &mut Signal<In, Bit>;

/// Offers channel `ch`'s unit (write transfer, demand mode, reserved width 3) as the pick.
fn offer(u: &mut Issue, ch: u64, page: u64, addr: u64) {
    u.pick_found.next = true;
    u.pick_ch.next = ch.to_bits();
    u.p_type.next = 1u64.to_bits();
    u.p_mode.next = 0u64.to_bits();
    u.p_width.next = 3u64.to_bits();
    u.p_page.next = page.to_bits();
    u.p_addr.next = addr.to_bits();
}

#[test]
fn issue_loads_the_pick_into_an_empty_stage_and_looks_up_its_page() {
    let mut u = issue();
    assert!(!u.valid.val());
    offer(&mut u, 2, 0x12, 0x3456);
    settle(&mut u);
    assert_eq!(u.lookup_logical.val().index(), 0x0012_3456);
    // Not taken if its channel stopped being runnable since it was picked.
    u.runnable.next = b4(0b1011);
    tick(&mut u, |u| &mut u.clock);
    assert!(!u.valid.val());
    u.runnable.next = b4(0xF);
    // No pick in a register-write clock.
    u.wr.next = true;
    tick(&mut u, |u| &mut u.clock);
    assert!(!u.valid.val());
    u.wr.next = false;
    tick(&mut u, |u| &mut u.clock);
    assert!(u.valid.val());
    assert_eq!(u.ch.val().index(), 2);
    assert_eq!(u.onehot.val().index(), 0b0100);
    assert_eq!(u.logical.val().index(), 0x0012_3456);
    assert_eq!(u.width.val().index(), 0, "reserved width moves bytes");
    // With a unit in the stage the lookup is for the unit that follows it.
    u.follow_addr.next = 0x3457u64.to_bits();
    settle(&mut u);
    assert_eq!(u.lookup_logical.val().index(), 0x0012_3457);
    // A write unit waits for device data (DACK held, entry kept), commits when it comes.
    assert!(!u.commit.val());
    assert!(u.keep.val());
    u.src_valid.next = b4(0b0001);
    settle(&mut u);
    assert!(!u.commit.val(), "another channel's data does not count");
    u.src_valid.next = b4(0b0100);
    settle(&mut u);
    assert!(u.commit.val());
    assert_eq!(u.commit_oh.val().index(), 0b0100);
    assert!(!u.keep.val());
    // No AXI space or response room: it waits.
    let gates: [Gate; 2] = [|u| &mut u.write_space, |u| &mut u.wr_room];
    for f in gates {
        f(&mut u).next = false;
        settle(&mut u);
        assert!(!u.commit.val() && u.keep.val());
        f(&mut u).next = true;
    }
    // Commit without `stays`: the stage empties (the pick is not taken in the commit clock),
    // and the channel's new address and count are presented for a clock.
    u.next_addr.next = 0x3457u64.to_bits();
    u.next_count.next = 0x0041u64.to_bits();
    tick(&mut u, |u| &mut u.clock);
    assert!(!u.valid.val());
    assert_eq!(u.apply_oh.val().index(), 0b0100);
    assert_eq!(u.apply_addr.val().index(), 0x3457);
    assert_eq!(u.apply_count.val().index(), 0x0041);
    assert!(u.apply_io.val());
    u.pick_found.next = false;
    tick(&mut u, |u| &mut u.clock);
    assert_eq!(u.apply_oh.val().index(), 0);
}

#[test]
fn issue_takes_the_following_unit_back_to_back_and_rechecks_its_request() {
    let mut u = issue();
    offer(&mut u, 1, 0, 0x0100);
    u.src_valid.next = b4(0b0010);
    tick(&mut u, |u| &mut u.clock);
    u.pick_found.next = false;
    u.stays.next = true;
    u.follow_addr.next = 0x0101u64.to_bits();
    u.follow_at_tc.next = true;
    u.follow_count.next = 0u64.to_bits();
    settle(&mut u);
    assert!(u.commit.val());
    tick(&mut u, |u| &mut u.clock);
    assert!(u.valid.val());
    assert_eq!(u.addr.val().index(), 0x0101);
    assert!(u.at_tc.val());
    assert_eq!(u.count.val().index(), 0);
    // A back-to-back unit moves only if its channel still requests in its own DACK clock.
    u.eligible.next = b4(0b1101);
    settle(&mut u);
    assert!(!u.commit.val());
    assert!(!u.keep.val(), "dropped");
    u.eligible.next = b4(0xF);
    settle(&mut u);
    assert!(u.commit.val());
    // A register write drops it.
    u.wr.next = true;
    settle(&mut u);
    assert!(!u.commit.val() && !u.keep.val());
    u.wr.next = false;
    // A freshly picked unit moves while its channel is runnable, requesting or not.
    u.stays.next = false;
    tick(&mut u, |u| &mut u.clock);
    assert!(!u.valid.val());
    offer(&mut u, 1, 0, 0x0200);
    tick(&mut u, |u| &mut u.clock);
    u.pick_found.next = false;
    u.eligible.next = b4(0);
    settle(&mut u);
    assert!(u.commit.val());
    u.runnable.next = b4(0b1101);
    settle(&mut u);
    assert!(!u.commit.val() && !u.keep.val());
}

#[test]
fn issue_faults_a_translated_unit_but_not_a_verify_unit() {
    let mut u = issue();
    offer(&mut u, 0, 0, 0x10);
    u.src_valid.next = b4(1);
    tick(&mut u, |u| &mut u.clock);
    u.pick_found.next = false;
    u.map_fault.next = true;
    settle(&mut u);
    assert!(u.fault.val());
    assert!(!u.commit.val() && !u.keep.val());
    tick(&mut u, |u| &mut u.clock);
    assert!(!u.valid.val(), "a faulting unit leaves the stage");
    // A verify unit needs no translation.
    offer(&mut u, 0, 0, 0x10);
    u.p_type.next = 0u64.to_bits();
    tick(&mut u, |u| &mut u.clock);
    u.pick_found.next = false;
    settle(&mut u);
    assert!(!u.fault.val());
    assert!(u.commit.val());
    // A read unit needs AR space and read room, not device data.
    offer(&mut u, 3, 0, 0x10);
    u.p_type.next = 2u64.to_bits();
    u.map_fault.next = false;
    tick(&mut u, |u| &mut u.clock);
    u.pick_found.next = false;
    u.src_valid.next = b4(0);
    settle(&mut u);
    assert_eq!(
        u.ch.val().index(),
        0,
        "the pick is not taken while the stage is full"
    );
    tick(&mut u, |u| &mut u.clock);
    offer(&mut u, 3, 0, 0x10);
    u.p_type.next = 2u64.to_bits();
    tick(&mut u, |u| &mut u.clock);
    u.pick_found.next = false;
    settle(&mut u);
    assert_eq!(u.ch.val().index(), 3);
    assert!(u.commit.val());
    u.rd_room.next = false;
    settle(&mut u);
    assert!(!u.commit.val() && u.keep.val());
}
