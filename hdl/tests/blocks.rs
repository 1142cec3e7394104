//! Unit tests of each block on its own, in the rust-hdl simulator: map-register RAM, AXI4-Lite
//! slave, response-tag FIFO and AXI request queue (the channel's are in `channel.rs`).

mod block_sim;

use block_sim::{ready, tick};
use mapdma_hdl::axi_queue::AxiQueue;
use mapdma_hdl::axil_slave::AxiLiteSlave;
use mapdma_hdl::map_ram::MapRam;
use mapdma_hdl::reg_decode::RegDecode;
use mapdma_hdl::regmap::{self, Config, Count};
use mapdma_hdl::tag_fifo::{self, TagFifo};
use rust_hdl::prelude::*;

// ---- Map-register RAM ---------------------------------------------------------------------------

#[test]
fn map_ram_reads_are_synchronous_and_both_ports_see_writes() {
    let mut m = ready(MapRam::new(32));
    let t = |m: &mut MapRam| tick(m, |m| &mut m.clock);
    m.write_enable.next = true;
    m.write_index.next = 5.into();
    m.write_data.next = 0x2ABCDE.into();
    m.read_index_a.next = 5.into();
    t(&mut m);
    assert_eq!(
        m.read_data_a.val().to_u32(),
        0,
        "read in the write clock returns the old entry"
    );
    m.write_enable.next = false;
    m.read_index_b.next = 5.into();
    assert!(simulate(&mut m, 100));
    assert_eq!(
        m.read_data_b.val().to_u32(),
        0,
        "no read before the clock edge"
    );
    t(&mut m);
    assert_eq!(m.read_data_a.val().to_u32(), 0x2ABCDE);
    assert_eq!(m.read_data_b.val().to_u32(), 0x2ABCDE);
    m.read_index_a.next = 6.into();
    t(&mut m);
    assert_eq!(
        m.read_data_a.val().to_u32(),
        0,
        "power-up entries are zero (invalid)"
    );
}

// ---- AXI4-Lite slave ---------------------------------------------------------------------------

fn axil() -> AxiLiteSlave {
    let mut s = ready(AxiLiteSlave::default());
    s.reset.next = true;
    tick(&mut s, |s| &mut s.clock);
    s.reset.next = false;
    s
}

#[test]
fn axil_write_in_either_order_strobes_once_and_holds_b_until_ready() {
    for aw_first in [true, false] {
        let mut s = axil();
        let t = |s: &mut AxiLiteSlave| tick(s, |s| &mut s.clock);
        // An unaligned address above the 13 bits' word range: the slave keeps it word-aligned,
        // with the mask `WriteDecode` applies to the address it decodes.
        s.awaddr.next = 0x1F97.into();
        s.wdata.next = 0xDEAD_BEEF_u32.to_bits();
        s.wstrb.next = 0xF.into();
        s.bready.next = false;
        s.wr_err.next = false;
        if aw_first {
            s.awvalid.next = true;
            // The address taken now is the held address of the next clock.
            assert!(simulate(&mut s, 100));
            assert_eq!(s.wr_addr_next.val().to_u32(), 0x1F94);
        } else {
            s.wvalid.next = true;
        }
        t(&mut s);
        s.awvalid.next = !aw_first;
        s.wvalid.next = aw_first;
        t(&mut s);
        s.awvalid.next = false;
        s.wvalid.next = false;
        let mut strobes = 0;
        for _ in 0..5 {
            assert!(simulate(&mut s, 100));
            if s.wr_en.val() {
                strobes += 1;
                assert_eq!(s.wr_addr_next.val().to_u32(), 0x1F94);
                assert_eq!(
                    s.wr_addr_next.val().to_u32() as u64,
                    0x1F97 & mapdma_hdl::axil_slave::WORD_ADDR_MASK
                );
                assert_eq!(s.wr_data.val().to_u32(), 0xDEAD_BEEF);
            }
            t(&mut s);
        }
        assert_eq!(strobes, 1);
        assert!(s.bvalid.val(), "B held while BREADY is low");
        s.bready.next = true;
        t(&mut s);
        assert!(!s.bvalid.val());
    }
}

#[test]
fn axil_read_strobes_once_samples_a_clock_later_and_reports_slverr() {
    let mut s = axil();
    let t = |s: &mut AxiLiteSlave| tick(s, |s| &mut s.clock);
    s.araddr.next = 0x1003.into();
    s.arvalid.next = true;
    s.rready.next = false;
    assert!(simulate(&mut s, 100));
    assert!(s.rd_en.val() && s.arready.val());
    assert_eq!(s.rd_addr.val().to_u32(), 0x1000, "word aligned");
    t(&mut s);
    s.arvalid.next = false;
    s.rd_data.next = 0x1234.into();
    s.rd_err.next = true;
    assert!(simulate(&mut s, 100));
    assert!(!s.rd_en.val());
    t(&mut s);
    assert!(s.rvalid.val());
    assert_eq!(s.rresp.val().to_u32(), 2);
    assert_eq!(s.rdata.val().to_u32(), 0, "errors read as zero");
    t(&mut s);
    assert!(s.rvalid.val(), "R held while RREADY is low");
    s.rready.next = true;
    t(&mut s);
    assert!(!s.rvalid.val());
}

// ---- Tag FIFO ----------------------------------------------------------------------------------

#[test]
fn tag_fifo_is_first_word_fall_through_in_order_and_reset_empties_it() {
    let mut f = ready(TagFifo::default());
    let t = |f: &mut TagFifo| tick(f, |f| &mut f.clock);
    f.reset.next = true;
    t(&mut f);
    f.reset.next = false;
    for v in 1..=5u64 {
        f.write.next = true;
        f.data_in.next = (v * 0x111).to_bits();
        t(&mut f);
    }
    f.write.next = false;
    t(&mut f);
    for v in 1..=5u64 {
        assert!(simulate(&mut f, 100));
        assert!(!f.empty.val());
        assert_eq!(f.data_out.val().to_u32() as u64, v * 0x111);
        f.read.next = true;
        t(&mut f);
        f.read.next = false;
    }
    assert!(simulate(&mut f, 100));
    assert!(f.empty.val());
    f.write.next = true;
    t(&mut f);
    f.write.next = false;
    t(&mut f);
    t(&mut f);
    assert!(!f.empty.val());
    f.reset.next = true;
    t(&mut f);
    f.reset.next = false;
    assert!(simulate(&mut f, 100));
    assert!(f.empty.val(), "reset forgets pending tags");
}

/// The RAM takes the input in every clock the FIFO is not full (`write` only moves the tail):
/// with junk on `data_in` between writes, random writes and reads, and a fill to all 32 entries
/// held for a while, every entry still comes out once, in order.
#[test]
fn tag_fifo_keeps_its_entries_with_junk_between_writes_and_when_full() {
    use std::collections::VecDeque;
    let mut f = ready(TagFifo::default());
    let t = |f: &mut TagFifo| tick(f, |f| &mut f.clock);
    f.reset.next = true;
    t(&mut f);
    f.reset.next = false;
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    // Entries written (in order) and the clock each becomes visible.
    let (mut queue, mut written, mut taken) = (VecDeque::new(), 0u64, 0u64);
    for clock in 0..3000u64 {
        // Clocks 1000..1100: fill, then hold full; otherwise random traffic.
        let filling = (1000..1100).contains(&clock);
        let r = next();
        let write = queue.len() < tag_fifo::DEPTH && (filling || r & 3 != 0);
        f.write.next = write;
        f.data_in.next = if write {
            (written + 1).to_bits()
        } else {
            0xDE_AD00u64.to_bits()
        };
        assert!(simulate(&mut f, 100));
        let visible = queue.front().is_some_and(|&(_, at)| at <= clock);
        assert_eq!(!f.empty.val(), visible, "clock {clock}: empty flag");
        let read = visible && !filling && r & 12 != 0;
        if visible {
            let (v, _) = *queue.front().unwrap();
            assert_eq!(f.data_out.val().to_u32() as u64, v, "clock {clock}: head");
        }
        f.read.next = read;
        if read {
            queue.pop_front();
            taken += 1;
        }
        if write {
            written += 1;
            queue.push_back((written, clock + 2));
        }
        t(&mut f);
        f.read.next = false;
    }
    assert!(written > 1000 && taken + queue.len() as u64 == written);
}

// ---- AXI request queue ------------------------------------------------------------------------

/// Runs a queue for `clocks` clocks: a push whenever `space` and `want(clock)`, payloads
/// 1, 2, 3, …; READY per `ready(clock)`. Returns (clock of each push, clock and payload of
/// each handshake on the output).
fn run_queue(
    mut q: AxiQueue<8>,
    clocks: u64,
    want: impl Fn(u64) -> bool,
    ready: impl Fn(u64) -> bool,
) -> (Vec<u64>, Vec<(u64, u64)>) {
    q.push.next = false;
    q.data_in.next = 0u64.to_bits();
    q.ready.next = false;
    q.reset.next = true;
    tick(&mut q, |q| &mut q.clock);
    q.reset.next = false;
    let (mut pushes, mut out, mut next) = (vec![], vec![], 1u64);
    for t in 0..clocks {
        q.ready.next = ready(t);
        q.push.next = false;
        // Without a push the payload is junk: a queue must not take it.
        q.data_in.next = 0xEEu64.to_bits();
        assert!(simulate(&mut q, 1000));
        if q.space.val() && want(t) {
            q.push.next = true;
            q.data_in.next = next.to_bits();
            pushes.push(t);
            next += 1;
        }
        assert!(simulate(&mut q, 1000));
        if q.valid.val() && q.ready.val() {
            out.push((t, q.data.val().index() as u64));
        }
        tick(&mut q, |q| &mut q.clock);
    }
    (pushes, out)
}

#[test]
fn queues_take_a_push_every_clock_and_keep_order_under_random_ready() {
    // (name, queue, clocks from push to the bus, entries held with READY low)
    for (name, make, delay, capacity) in [
        (
            "one slot",
            (|| AxiQueue::<8>::new(1)) as fn() -> AxiQueue<8>,
            1,
            1,
        ),
        (
            "plain depth 2",
            (|| AxiQueue::<8>::new(2)) as fn() -> AxiQueue<8>,
            1,
            2,
        ),
        ("staged depth 4", || AxiQueue::<8>::staged(4), 2, 5),
        ("staged depth 2", || AxiQueue::<8>::staged(2), 2, 3),
    ] {
        // READY always high: one push and one request per clock, `delay` clocks apart.
        let mut q = make();
        q.connect_all();
        let (pushes, out) = run_queue(q, 40, |_| true, |_| true);
        assert_eq!(
            pushes,
            (0..40).collect::<Vec<_>>(),
            "{name}: a push every clock"
        );
        for (k, &(t, v)) in out.iter().enumerate() {
            assert_eq!((t, v), (k as u64 + delay, k as u64 + 1), "{name}");
        }
        // READY low: the queue fills to its depth and refuses, nothing is lost or reordered.
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut bits = Vec::new();
        for _ in 0..400 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            bits.push(rng);
        }
        let mut q = make();
        q.connect_all();
        let (pushes, out) = run_queue(
            q,
            400,
            |t| bits[t as usize] & 1 == 0 || t < 10,
            |t| t >= 10 && bits[t as usize] & 6 != 0,
        );
        assert_eq!(
            pushes.iter().filter(|&&t| t < 10).count(),
            capacity,
            "{name}: fills to its capacity while READY is low"
        );
        let values: Vec<u64> = out.iter().map(|o| o.1).collect();
        assert_eq!(
            values,
            (1..=values.len() as u64).collect::<Vec<_>>(),
            "{name}"
        );
        assert!(
            values.len() + capacity >= pushes.len(),
            "{name}: lost entries"
        );
    }
}

// ---- Register decode --------------------------------------------------------------------------

#[test]
fn the_register_decode_knows_exactly_the_register_maps_addresses() {
    for map_registers in [1, 4, 32, regmap::MAX_MAP_REGISTERS] {
        let cfg = Config {
            map_registers,
            ..Config::default()
        };
        let mut d = RegDecode::new(&cfg);
        d.connect_all();
        for addr in (0..1u32 << regmap::REGISTER_ADDRESS_BITS).step_by(4) {
            // Per-channel registers decode for all four 8237 channels (unconfigured ones read 0).
            let known = regmap::REGISTERS.iter().any(|r| {
                let n = match r.count {
                    Count::Channels => 4,
                    _ => r.instances(&cfg),
                };
                (0..n).any(|i| r.at(i) == addr)
            });
            let map = (0..map_registers).position(|i| regmap::MAP.at(i) == addr);
            d.addr.next = (addr as u64).to_bits();
            assert!(simulate(&mut d, 100));
            assert_eq!(
                d.known.val(),
                known,
                "{map_registers} map registers: {addr:#x}"
            );
            assert_eq!(d.map.val(), map.is_some(), "{addr:#x}");
            if let Some(i) = map {
                assert_eq!(d.map_index.val().index(), i, "{addr:#x}");
            }
        }
    }
}
