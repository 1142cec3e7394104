//! The DMA engine and the bus-master translation port at once in the rust-hdl simulator
//! (default configuration): a block-mode channel streams device data into memory while the
//! bus-master device writes and reads other pages through the port, one of its writes going to
//! a read-only page. Both see the same map; neither disturbs the other.

mod common;

use common::bm::{BmJob, BmSide};
use common::Bench;
use mapdma_hdl::regmap::{self, Config, FaultCause, ServiceMode, TransferType, UnitWidth};

const ENGINE_FRAME: u32 = 0x80;
const BM_WRITE_FRAME: u32 = 0x90;
const BM_READ_FRAME: u32 = 0x92;

#[test]
fn a_block_transfer_and_bus_master_bursts_run_at_once() {
    let cfg = Config::default();
    let page = cfg.page_size() as u32;
    let mut b = Bench::new(cfg);
    b.bm = Some(BmSide::new(2));
    b.map(0, ENGINE_FRAME, true);
    b.map(8, BM_WRITE_FRAME, true);
    b.map(9, BM_READ_FRAME, false);
    for k in 0..256u32 {
        b.mem.insert((BM_READ_FRAME << 12) + k, (k * 7) as u8);
    }
    // Channel 1: 128 bytes from the device into logical 0x0100, block mode, 8-bit units.
    b.program(
        1,
        0x0100,
        127,
        0,
        UnitWidth::Bits8,
        regmap::mode_byte(1, TransferType::Write, false, false, ServiceMode::Block),
    );
    b.devices[1].source = (0..128u32).map(|i| 0x40 + i).collect();
    b.devices[1].dreq = true;
    // The device: 4 writes of 16 words to page 8, 4 reads of 8 words from page 9, a write to
    // the read-only page 9.
    let words = |j: u32| {
        (0..16)
            .map(|k| 0xC0DE_0000 | (j << 8) | k)
            .collect::<Vec<u32>>()
    };
    let bm = b.bm.as_mut().expect("bus-master side");
    for j in 0..4 {
        bm.push(BmJob {
            write: true,
            addr: 8 * page + 64 * j,
            beats: 16,
            data: words(j),
        });
        bm.push(BmJob {
            write: false,
            addr: 9 * page + 32 * j,
            beats: 8,
            data: vec![],
        });
    }
    bm.push(BmJob {
        write: true,
        addr: 9 * page + 0x10,
        beats: 2,
        data: vec![1, 2],
    });
    b.unmask(1);
    b.run_until(20, |b| !b.devices[1].taken_at.is_empty());
    b.devices[1].dreq = false;
    b.run_until(2000, |b| {
        b.devices[1].source.is_empty() && b.bm.as_ref().is_some_and(|m| m.idle())
    });
    b.run(10);

    // The engine: every byte in place, one unit per clock, terminal count.
    for i in 0..128u32 {
        assert_eq!(
            b.mem_read((ENGINE_FRAME << 12) + 0x100 + i),
            (0x40 + i) as u8
        );
    }
    let t = b.devices[1].taken_at.clone();
    assert!(t.windows(2).all(|w| w[1] == w[0] + 1), "gaps in {t:?}");
    assert_eq!(b.snap(1), (0xFFFF, 1));
    // The port: translated writes landed, reads returned the frame, the refused write left
    // it alone and was recorded.
    let bm = b.bm.take().expect("bus-master side");
    for j in 0..4u32 {
        for (k, w) in words(j).iter().enumerate() {
            let a = (BM_WRITE_FRAME << 12) + 64 * j + 4 * k as u32;
            let got = (0..4).fold(0u32, |v, l| v | (b.mem_read(a + l) as u32) << (8 * l));
            assert_eq!(got, *w, "word {k} of write {j}");
        }
    }
    assert_eq!(bm.read_done.len(), 4);
    for (j, d) in bm.read_done.iter().enumerate() {
        assert_eq!(d.resps, [0; 8]);
        for (k, w) in d.data.iter().enumerate() {
            let a = 32 * j as u32 + 4 * k as u32;
            let want = (0..4).fold(0u32, |v, l| v | (((a + l) * 7) as u8 as u32) << (8 * l));
            assert_eq!(*w, want, "word {k} of read {j}");
        }
    }
    let resps: Vec<Vec<u32>> = bm.write_done.iter().map(|d| d.resps.clone()).collect();
    assert_eq!(resps, [vec![0], vec![0], vec![0], vec![0], vec![2]]);
    assert_eq!(b.mem_read((BM_READ_FRAME << 12) + 0x10), 0x70);
    let fault = b.read(regmap::BM_FAULT.offset);
    assert_eq!(
        regmap::bm_fault::CAUSE.get(&cfg, fault),
        FaultCause::ReadOnly as u32
    );
    assert_eq!(regmap::bm_fault::WRITE.get(&cfg, fault), 1);
    assert_eq!(b.read(regmap::BM_FAULT_ADDR.offset), 9 * page + 0x10);
    // Only the mapped frames were reached through the port, and the two masters overlapped.
    assert!(bm
        .translated
        .iter()
        .all(|&(w, a, _)| a >> 12 == if w { BM_WRITE_FRAME } else { BM_READ_FRAME }));
    let (first, last) = (t[0], t[t.len() - 1]);
    let overlap = bm
        .w_cycles
        .iter()
        .filter(|&&c| c >= first && c <= last)
        .count();
    assert!(
        overlap >= 16,
        "port W beats during the block transfer: {overlap}"
    );
}
