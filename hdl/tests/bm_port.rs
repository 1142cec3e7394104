//! The bus-master translation port (`bm_port`) on its own in the rust-hdl simulator: a device
//! model issues AXI4 bursts on the slave side (random gaps, W before or after AW, random READY
//! on R and B), a memory model answers on the master side (random READY and VALID), and every
//! check is against what the map says: the physical addresses memory saw, the data, the error
//! responses, the fault record and the interrupt.

use mapdma_hdl::bm_port::BmPort;
use mapdma_hdl::map_ram::{ENTRY_VALID_BIT, ENTRY_WRITABLE_BIT};
use mapdma_hdl::regmap::{self, Config, FaultCause};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::collections::{BTreeMap, VecDeque};

const OKAY: u32 = 0;
const SLVERR: u32 = 2;
const DECERR: u32 = 3;

#[derive(Clone, Debug)]
struct Burst {
    write: bool,
    addr: u32,
    len: u32,
    size: u32,
    burst: u32,
    data: Vec<u32>,
}

impl Burst {
    fn read(addr: u32, beats: u32) -> Self {
        Burst {
            write: false,
            addr,
            len: beats - 1,
            size: 2,
            burst: 1,
            data: vec![],
        }
    }
    fn write(addr: u32, data: Vec<u32>) -> Self {
        Burst {
            write: true,
            addr,
            len: data.len() as u32 - 1,
            size: 2,
            burst: 1,
            data,
        }
    }
}

struct Bench {
    uut: BmPort,
    rng: StdRng,
    /// Probability in percent that a READY/VALID the models control is high in a clock.
    busy: u32,
    // Device side.
    ar: VecDeque<Burst>,
    aw: VecDeque<Burst>,
    w: VecDeque<(u32, bool)>,
    ar_valid: bool,
    aw_valid: bool,
    w_valid: bool,
    reads_open: VecDeque<Vec<(u32, u32, bool)>>,
    pub responses_r: Vec<Vec<(u32, u32, bool)>>,
    pub responses_b: Vec<u32>,
    // Memory side.
    mem: BTreeMap<u32, u32>,
    m_ar: VecDeque<(u32, u32, u32)>,
    m_r_beat: u32,
    m_aw: VecDeque<(u32, u32, u32)>,
    m_w: VecDeque<(u32, u32, bool)>,
    m_w_beat: u32,
    m_b: u32,
    r_valid: bool,
    b_valid: bool,
    /// Every physical address memory saw (AR or AW burst start) with its burst bytes.
    pub accesses: Vec<(bool, u32, u32)>,
    pub cycles: u64,
    pub r_beats: u64,
    /// Memory keeps AR READY low.
    hold_ar: bool,
}

fn entry(frame: u32, writable: bool) -> u32 {
    frame | ((writable as u32) << ENTRY_WRITABLE_BIT) | (1 << ENTRY_VALID_BIT)
}

impl Bench {
    fn new(cfg: Config, seed: u64, busy: u32) -> Self {
        let mut uut = BmPort::new(&cfg);
        uut.connect_all();
        check_all(&uut).expect("bm_port passes rust-hdl's checks");
        let mut b = Bench {
            uut,
            rng: StdRng::seed_from_u64(seed),
            busy,
            ar: VecDeque::new(),
            aw: VecDeque::new(),
            w: VecDeque::new(),
            ar_valid: false,
            aw_valid: false,
            w_valid: false,
            reads_open: VecDeque::new(),
            responses_r: vec![],
            responses_b: vec![],
            mem: BTreeMap::new(),
            m_ar: VecDeque::new(),
            m_r_beat: 0,
            m_aw: VecDeque::new(),
            m_w: VecDeque::new(),
            m_w_beat: 0,
            m_b: 0,
            r_valid: false,
            b_valid: false,
            accesses: vec![],
            cycles: 0,
            r_beats: 0,
            hold_ar: false,
        };
        b.uut.reset.next = true;
        b.clear_regs();
        b.step();
        b.step();
        b.uut.reset.next = false;
        b
    }

    fn clear_regs(&mut self) {
        let u = &mut self.uut;
        u.map_we.next = false;
        u.wr.next = false;
        u.w_int_status.next = false;
        u.w_int_enable.next = false;
        u.r_int_status.next = false;
        u.r_int_enable.next = false;
        u.r_bm_fault.next = false;
        u.r_bm_fault_addr.next = false;
        u.map_index.next = 0.into();
        u.map_entry.next = 0.into();
        u.wd.next = 0.into();
    }

    fn map(&mut self, page: usize, value: Option<(u32, bool)>) {
        self.uut.map_we.next = true;
        self.uut.map_index.next = (page as u64).to_bits();
        let e = value.map_or(0, |(f, w)| entry(f, w));
        self.uut.map_entry.next = (e as u64).to_bits();
        self.step();
        self.uut.map_we.next = false;
    }

    fn chance(&mut self) -> bool {
        self.rng.gen_range(0..100) < self.busy
    }

    fn issue(&mut self, b: Burst) {
        if b.write {
            for (i, d) in b.data.iter().enumerate() {
                self.w.push_back((*d, i as u32 == b.len));
            }
            self.aw.push_back(b);
        } else {
            self.ar.push_back(b);
        }
    }

    /// One clock: models drive, the design settles, handshakes are taken, rising edge.
    fn step(&mut self) {
        // Device drives (VALID never waits for READY; once high it stays until taken).
        if !self.ar_valid && !self.ar.is_empty() {
            self.ar_valid = self.chance();
        }
        if !self.aw_valid && !self.aw.is_empty() {
            self.aw_valid = self.chance();
        }
        if !self.w_valid && !self.w.is_empty() {
            self.w_valid = self.chance();
        }
        let u = &mut self.uut;
        u.s_arvalid.next = self.ar_valid;
        if let Some(b) = self.ar.front() {
            u.s_araddr.next = (b.addr as u64).to_bits();
            u.s_arlen.next = (b.len as u64).to_bits();
            u.s_arsize.next = (b.size as u64).to_bits();
            u.s_arburst.next = (b.burst as u64).to_bits();
        }
        u.s_awvalid.next = self.aw_valid;
        if let Some(b) = self.aw.front() {
            u.s_awaddr.next = (b.addr as u64).to_bits();
            u.s_awlen.next = (b.len as u64).to_bits();
            u.s_awsize.next = (b.size as u64).to_bits();
            u.s_awburst.next = (b.burst as u64).to_bits();
        }
        u.s_wvalid.next = self.w_valid;
        if let Some(&(d, last)) = self.w.front() {
            u.s_wdata.next = (d as u64).to_bits();
            u.s_wstrb.next = 0xF.into();
            u.s_wlast.next = last;
        }
        let rr = self.chance();
        let br = self.chance();
        self.uut.s_rready.next = rr;
        self.uut.s_bready.next = br;
        // Memory drives.
        if !self.r_valid && !self.m_ar.is_empty() {
            self.r_valid = self.chance();
        }
        if !self.b_valid && self.m_b > 0 {
            self.b_valid = self.chance();
        }
        let arr = self.chance();
        let awr = self.chance();
        let wr = self.chance();
        let u = &mut self.uut;
        u.m_arready.next = arr && !self.hold_ar;
        u.m_awready.next = awr;
        u.m_wready.next = wr;
        u.m_rvalid.next = self.r_valid;
        if let Some(&(a, len, size)) = self.m_ar.front() {
            let addr = (a & !((1 << size) - 1)) + (self.m_r_beat << size);
            let word = self
                .mem
                .get(&(addr & !3))
                .copied()
                .unwrap_or(0xDEAD_0000 | addr);
            u.m_rdata.next = (word as u64).to_bits();
            u.m_rlast.next = self.m_r_beat == len;
        }
        u.m_rresp.next = 0.into();
        u.m_bvalid.next = self.b_valid;
        u.m_bresp.next = 0.into();
        assert!(simulate(&mut self.uut, 1000));

        // Handshakes.
        let u = &self.uut;
        let ar_hs = u.s_arvalid.val() && u.s_arready.val();
        let aw_hs = u.s_awvalid.val() && u.s_awready.val();
        let w_hs = u.s_wvalid.val() && u.s_wready.val();
        let r_hs = u.s_rvalid.val() && u.s_rready.val();
        let b_hs = u.s_bvalid.val() && u.s_bready.val();
        let mar = u.m_arvalid.val() && u.m_arready.val();
        let maw = u.m_awvalid.val() && u.m_awready.val();
        let mw = u.m_wvalid.val() && u.m_wready.val();
        let mr = u.m_rvalid.val() && u.m_rready.val();
        let mb = u.m_bvalid.val() && u.m_bready.val();
        let r_beat = (
            u.s_rdata.val().index() as u32,
            u.s_rresp.val().index() as u32,
            u.s_rlast.val(),
        );
        let bresp = u.s_bresp.val().index() as u32;
        let m_ar = (
            u.m_araddr.val().index() as u32,
            u.m_arlen.val().index() as u32,
            u.m_arsize.val().index() as u32,
        );
        let m_aw = (
            u.m_awaddr.val().index() as u32,
            u.m_awlen.val().index() as u32,
            u.m_awsize.val().index() as u32,
        );
        let m_wbeat = (
            u.m_wdata.val().index() as u32,
            u.m_wstrb.val().index() as u32,
            u.m_wlast.val(),
        );
        if ar_hs {
            let b = self.ar.pop_front().unwrap();
            self.reads_open
                .push_back(Vec::with_capacity(b.len as usize + 1));
            self.ar_valid = false;
        }
        if aw_hs {
            self.aw.pop_front();
            self.aw_valid = false;
        }
        if w_hs {
            self.w.pop_front();
            self.w_valid = false;
        }
        if r_hs {
            self.r_beats += 1;
            let open = self
                .reads_open
                .front_mut()
                .expect("R beat without a read burst");
            open.push(r_beat);
            if r_beat.2 {
                let done = self.reads_open.pop_front().unwrap();
                self.responses_r.push(done);
            }
        }
        if b_hs {
            self.responses_b.push(bresp);
        }
        if mar {
            self.accesses.push((false, m_ar.0, (m_ar.1 + 1) << m_ar.2));
            self.m_ar.push_back(m_ar);
        }
        if mr {
            let len = self.m_ar.front().unwrap().1;
            if self.m_r_beat == len {
                self.m_ar.pop_front();
                self.m_r_beat = 0;
            } else {
                self.m_r_beat += 1;
            }
            self.r_valid = false;
        }
        if maw {
            self.accesses.push((true, m_aw.0, (m_aw.1 + 1) << m_aw.2));
            self.m_aw.push_back(m_aw);
        }
        if mw {
            self.m_w.push_back(m_wbeat);
        }
        // Memory applies W beats to the AW at the head (W may have come first).
        while let (Some(&(a, len, size)), Some(&(d, strb, last))) =
            (self.m_aw.front(), self.m_w.front())
        {
            let addr = ((a & !((1 << size) - 1)) + (self.m_w_beat << size)) & !3;
            let old = self.mem.get(&addr).copied().unwrap_or(0);
            let mut mask = 0u32;
            for lane in 0..4 {
                if strb & (1 << lane) != 0 {
                    mask |= 0xFF << (8 * lane);
                }
            }
            self.mem.insert(addr, (old & !mask) | (d & mask));
            self.m_w.pop_front();
            assert_eq!(last, self.m_w_beat == len, "WLAST on the wrong beat");
            if last {
                self.m_aw.pop_front();
                self.m_w_beat = 0;
                self.m_b += 1;
            } else {
                self.m_w_beat += 1;
            }
        }
        if mb {
            self.m_b -= 1;
            self.b_valid = false;
        }

        self.uut.clock.next = Clock { clk: true };
        assert!(simulate(&mut self.uut, 1000));
        self.uut.clock.next = Clock { clk: false };
        assert!(simulate(&mut self.uut, 1000));
        self.cycles += 1;
    }

    fn idle(&self) -> bool {
        self.ar.is_empty()
            && self.aw.is_empty()
            && self.w.is_empty()
            && self.reads_open.is_empty()
            && self.m_ar.is_empty()
            && self.m_aw.is_empty()
            && self.m_b == 0
            && !self.b_valid
    }

    fn run(&mut self, expected_b: usize) {
        for _ in 0..20_000 {
            if self.idle() && self.responses_b.len() == expected_b {
                // A few more clocks: nothing may move any more.
                for _ in 0..4 {
                    self.step();
                }
                return;
            }
            self.step();
        }
        panic!("the port did not finish");
    }

    fn read_reg(&mut self, which: fn(&mut BmPort) -> &mut Signal<In, Bit>) -> u32 {
        which(&mut self.uut).next = true;
        assert!(simulate(&mut self.uut, 1000));
        let v = self.uut.rd_data.val().index() as u32;
        which(&mut self.uut).next = false;
        v
    }
}

fn page_size(cfg: &Config) -> u32 {
    cfg.page_size() as u32
}

#[test]
fn bursts_translate_through_many_map_registers_both_ways_under_backpressure() {
    let cfg = Config::default();
    let ps = page_size(&cfg);
    for seed in 0..3 {
        let mut b = Bench::new(cfg, seed, 60);
        // Logical page p → frame 0x40 + 3p (scattered), writable.
        let frame = |p: u32| 0x40 + 3 * p;
        for p in 0..cfg.map_registers as u32 {
            b.map(p as usize, Some((frame(p), true)));
        }
        let mut expect: BTreeMap<u32, u32> = BTreeMap::new();
        let mut writes = 0;
        for i in 0..40u32 {
            let page = b.rng.gen_range(0..cfg.map_registers as u32);
            let beats = b.rng.gen_range(1..=16u32);
            let word = b.rng.gen_range(0..(ps / 4 - beats + 1));
            let logical = page * ps + word * 4;
            let data: Vec<u32> = (0..beats)
                .map(|k| (i << 16) | (seed as u32) << 8 | k)
                .collect();
            for (k, d) in data.iter().enumerate() {
                expect.insert(frame(page) * ps + word * 4 + 4 * k as u32, *d);
            }
            b.issue(Burst::write(logical, data));
            writes += 1;
        }
        b.run(writes);
        assert!(
            b.responses_b.iter().all(|&r| r == OKAY),
            "{:?}",
            b.responses_b
        );
        for (a, d) in &expect {
            assert_eq!(b.mem.get(a), Some(d), "physical {a:#x}");
        }
        // Read every written word back through the map, in random bursts.
        let mut reads = vec![];
        for _ in 0..40 {
            let page = b.rng.gen_range(0..cfg.map_registers as u32);
            let beats = b.rng.gen_range(1..=16u32);
            let word = b.rng.gen_range(0..(ps / 4 - beats + 1));
            reads.push((page, word, beats));
            b.issue(Burst::read(page * ps + word * 4, beats));
        }
        b.run(writes);
        assert_eq!(b.responses_r.len(), reads.len());
        for ((page, word, beats), got) in reads.iter().zip(&b.responses_r) {
            assert_eq!(got.len() as u32, *beats);
            for (k, &(d, resp, last)) in got.iter().enumerate() {
                let phys = frame(*page) * ps + word * 4 + 4 * k as u32;
                let want = b.mem.get(&phys).copied().unwrap_or(0xDEAD_0000 | phys);
                assert_eq!((d, resp, last), (want, OKAY, k as u32 == beats - 1));
            }
        }
        // Memory saw only mapped frames, each burst inside one page.
        for &(_, a, bytes) in &b.accesses {
            let f = a / ps;
            assert!(
                (f - 0x40).is_multiple_of(3) && (f - 0x40) / 3 < 32,
                "{a:#x}"
            );
            assert_eq!((a + bytes - 1) / ps, f, "burst at {a:#x} leaves its page");
        }
    }
}

#[test]
fn one_beat_per_clock_without_backpressure() {
    let cfg = Config::default();
    let ps = page_size(&cfg);
    let mut b = Bench::new(cfg, 7, 100);
    b.map(0, Some((5, true)));
    b.map(1, Some((9, true)));
    for i in 0..32u32 {
        b.issue(Burst::read((i % 2) * ps + 64 * (i / 2 % 4), 16));
    }
    let start = b.cycles;
    b.run(0);
    let busy = b.cycles - start - 4;
    // 512 beats; the first needs the lookup and memory's turn-around.
    assert_eq!(b.r_beats, 512);
    eprintln!("{busy} clocks for 512 beats");
    assert!(busy <= 512 + 8, "{busy} clocks for 512 beats");
}

#[test]
fn refused_bursts_get_error_responses_and_never_reach_memory() {
    let cfg = Config::default();
    let ps = page_size(&cfg);
    let top = (cfg.map_registers as u32) * ps;
    let cases: [(Burst, u32, FaultCause); 7] = [
        (Burst::read(top + 8, 4), DECERR, FaultCause::OutOfRange),
        (Burst::read(2 * ps, 2), DECERR, FaultCause::Invalid),
        (
            Burst::write(3 * ps + 4, vec![1, 2, 3]),
            SLVERR,
            FaultCause::ReadOnly,
        ),
        (Burst::read(ps - 8, 4), SLVERR, FaultCause::PageCross),
        (
            Burst::write(2 * ps - 4, vec![7, 8]),
            SLVERR,
            FaultCause::PageCross,
        ),
        (
            Burst {
                burst: 2,
                ..Burst::read(ps, 4)
            },
            SLVERR,
            FaultCause::BadBurst,
        ),
        (Burst::read(ps, 17), SLVERR, FaultCause::BadBurst),
    ];
    for (seed, (bad, resp, cause)) in cases.into_iter().enumerate() {
        let mut b = Bench::new(cfg, seed as u64, 70);
        b.map(0, Some((0x10, true)));
        b.map(1, Some((0x11, true)));
        b.map(3, Some((0x13, false)));
        // A good burst before and after the refused one: order is kept, they still work.
        b.issue(Burst::write(16, vec![0xA, 0xB]));
        b.issue(Burst::read(ps + 32, 3));
        b.issue(bad.clone());
        b.issue(Burst::read(ps + 32, 1));
        b.issue(Burst::write(ps + 32, vec![0xC]));
        b.run(if bad.write { 3 } else { 2 });
        if bad.write {
            assert_eq!(b.responses_b, vec![OKAY, resp, OKAY], "{cause:?}");
            assert_eq!(b.responses_r.len(), 2);
        } else {
            assert_eq!(b.responses_b, vec![OKAY, OKAY]);
            assert_eq!(b.responses_r.len(), 3, "{cause:?}");
            let err = &b.responses_r[1];
            assert_eq!(
                err.len() as u32,
                bad.len + 1,
                "{cause:?}: one error beat per beat"
            );
            assert!(err.iter().all(|&(_, r, _)| r == resp), "{cause:?}: {err:?}");
            assert!(err.last().unwrap().2);
            assert!(b.responses_r[0].iter().all(|&(_, r, _)| r == OKAY));
        }
        // Memory saw the four good bursts only.
        assert_eq!(b.accesses.len(), 4, "{cause:?}: {:x?}", b.accesses);
        assert!(b
            .accesses
            .iter()
            .all(|&(_, a, _)| a / ps == 0x10 || a / ps == 0x11));
        assert_eq!(b.mem.get(&(0x11 * ps + 32)), Some(&0xC));
        // The record: cause, direction, logical address; the interrupt.
        let rec = b.read_reg(|u| &mut u.r_bm_fault);
        assert_eq!(rec & 0xF, cause as u32);
        assert_eq!(rec >> regmap::bm_fault::WRITE.lsb & 1, bad.write as u32);
        assert_eq!(b.read_reg(|u| &mut u.r_bm_fault_addr), bad.addr);
        assert_eq!(b.read_reg(|u| &mut u.r_int_status), 1 << 16);
        assert!(b.uut.irq.val());
        // Clearing INT_STATUS.BM_FAULT clears the record and the interrupt.
        b.uut.wr.next = true;
        b.uut.w_int_status.next = true;
        b.uut.wd.next = (1u64 << 16).to_bits();
        b.step();
        b.clear_regs();
        b.step();
        b.step();
        assert_eq!(b.read_reg(|u| &mut u.r_bm_fault), 0);
        assert!(!b.uut.irq.val());
    }
}

#[test]
fn the_first_fault_is_kept_and_a_disabled_interrupt_stays_low() {
    let cfg = Config::default();
    let ps = page_size(&cfg);
    let mut b = Bench::new(cfg, 1, 100);
    b.uut.wr.next = true;
    b.uut.w_int_enable.next = true;
    b.uut.wd.next = 0.into();
    b.step();
    b.clear_regs();
    b.issue(Burst::read(5 * ps, 1));
    b.issue(Burst::write(6 * ps, vec![1]));
    b.run(1);
    assert_eq!(b.responses_b, vec![DECERR]);
    assert_eq!(b.read_reg(|u| &mut u.r_bm_fault_addr), 5 * ps);
    assert_eq!(
        b.read_reg(|u| &mut u.r_bm_fault),
        FaultCause::Invalid as u32
    );
    assert_eq!(b.read_reg(|u| &mut u.r_int_status), 1 << 16);
    assert_eq!(b.read_reg(|u| &mut u.r_int_enable), 0);
    assert!(!b.uut.irq.val());
}

#[test]
fn a_map_rewrite_while_a_burst_is_in_flight_affects_only_later_bursts() {
    let cfg = Config::default();
    let ps = page_size(&cfg);
    let mut b = Bench::new(cfg, 3, 100);
    b.map(0, Some((0x20, true)));
    // Memory holds back AR so the first burst waits in the port.
    b.hold_ar = true;
    b.issue(Burst::read(8, 2));
    for _ in 0..4 {
        b.step();
    }
    assert!(b.ar.is_empty(), "the port took the address");
    // The map changes after the burst was taken; the next burst must see the new frame.
    b.map(0, Some((0x30, true)));
    b.issue(Burst::read(8, 2));
    for _ in 0..4 {
        b.step();
    }
    b.hold_ar = false;
    b.run(0);
    assert_eq!(
        b.accesses,
        vec![(false, 0x20 * ps + 8, 8), (false, 0x30 * ps + 8, 8)]
    );
    // Invalidating the entry refuses later bursts.
    b.map(0, None);
    b.issue(Burst::read(8, 1));
    b.run(0);
    assert_eq!(b.responses_r.last().unwrap(), &vec![(0, DECERR, true)]);
    assert_eq!(b.accesses.len(), 2);
}

#[test]
fn narrow_and_unaligned_bursts_keep_their_offset() {
    let cfg = Config::default();
    let ps = page_size(&cfg);
    let mut b = Bench::new(cfg, 4, 100);
    b.map(2, Some((0x77, false)));
    b.issue(Burst {
        size: 0,
        ..Burst::read(2 * ps + 0x123, 16)
    });
    b.issue(Burst {
        size: 1,
        ..Burst::read(2 * ps + 0xFFE, 1)
    });
    b.issue(Burst {
        size: 1,
        ..Burst::read(2 * ps + 0xFFE, 2)
    });
    b.run(0);
    assert_eq!(
        b.accesses,
        vec![
            (false, 0x77 * ps + 0x123, 16),
            (false, 0x77 * ps + 0xFFE, 2)
        ]
    );
    assert_eq!(
        b.responses_r[2],
        vec![(0, SLVERR, false), (0, SLVERR, true)]
    );
}
