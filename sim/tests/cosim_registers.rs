//! Register accesses through the AXI4-Lite master model with random timing, on the Verilator
//! model (checkers on): read-back of every writable register, the byte-pointer flip-flop, and
//! SLVERR for holes in the map.

mod common;

use common::*;
use mapdma_regmap as rm;
use mapdma_regmap::Config;
use mapdma_sim::axi::Resp;
use mapdma_sim::axil_master::{AxilOp, AxilTiming};
use mapdma_sim::SystemConfig;

fn random_timing(seed: u64) -> SystemConfig {
    SystemConfig {
        axil: AxilTiming {
            max_valid_delay: 4,
            max_ready_delay: 4,
            seed,
        },
        ..SystemConfig::default()
    }
}

#[test]
fn identification_and_reset_values() {
    for cfg in [Config::default(), Config::small()] {
        let mut s = verilator(&cfg, random_timing(1));
        assert_eq!(s.axil_read(rm::ID.offset).unwrap(), rm::ID_MAGIC);
        assert_eq!(s.axil_read(rm::CONFIG0.offset).unwrap(), cfg.config0());
        assert_eq!(s.axil_read(rm::CONFIG1.offset).unwrap(), cfg.config1());
        let v = rm::HW_VERSION.reset(&cfg);
        assert_eq!(s.axil_read(rm::HW_VERSION.offset).unwrap(), v);
        let all = s.axil_read(rm::ALL_MASK.offset).unwrap();
        assert_eq!(all & 0xFF, 0xFF, "all masks set at reset");
        let ie = s.axil_read(rm::INT_ENABLE.offset).unwrap();
        assert_eq!(ie, rm::INT_ENABLE.reset(&cfg));
        assert!(!s.irq.level());
    }
}

#[test]
fn native_registers_read_back_what_was_written() {
    let cfg = Config::default();
    for seed in 0..4 {
        let mut s = verilator(&cfg, random_timing(seed));
        let mut expect = vec![];
        for ch in 0..cfg.channels {
            let page = (0x5A + ch as u32 * 3) & ((1 << cfg.page_register_bits()) - 1);
            s.axil_write(rm::PAGE.at(ch), page | 0xFFFF_FF00).unwrap();
            expect.push((rm::PAGE.at(ch), page));
            let w = rm::ch_config::WIDTH.put(&cfg, (ch as u32 + seed as u32) % 3);
            s.axil_write(rm::CH_CONFIG.at(ch), w).unwrap();
            expect.push((rm::CH_CONFIG.at(ch), w | rm::ch_config::MASKED.put(&cfg, 1)));
        }
        for i in [0, 1, cfg.map_registers - 1] {
            let v = rm::map::VALID.put(&cfg, 1)
                | rm::map::WRITABLE.put(&cfg, (i % 2) as u32)
                | rm::map::FRAME.put(&cfg, 0xABC00 + i as u32);
            s.axil_write(rm::MAP.at(i), v).unwrap();
            expect.push((rm::MAP.at(i), v));
        }
        let ie = rm::int_enable::TC.put(&cfg, 0b0101);
        s.axil_write(rm::INT_ENABLE.offset, ie).unwrap();
        expect.push((rm::INT_ENABLE.offset, ie));
        for (addr, v) in expect {
            assert_eq!(
                s.axil_read(addr).unwrap(),
                v,
                "seed {seed} register {addr:#x}"
            );
        }
        let log = s.axil_log();
        assert!(log.windows(2).all(|w| w[0].finished < w[1].finished));
        assert!(s.checked_handshakes().1 > 0);
    }
}

#[test]
fn address_and_count_go_through_the_byte_pointer_flip_flop() {
    let cfg = Config::default();
    let mut s = verilator(&cfg, random_timing(9));
    s.axil_write(rm::CLEAR_FLIP_FLOP.offset, 0).unwrap();
    s.write_port(rm::DMA_ADDR.at(2), 0x34).unwrap();
    s.write_port(rm::DMA_ADDR.at(2), 0x12).unwrap();
    s.write_port(rm::DMA_COUNT.at(2), 0xCD).unwrap();
    s.write_port(rm::DMA_COUNT.at(2), 0xAB).unwrap();
    let lo = s.axil_read(rm::DMA_ADDR.at(2)).unwrap();
    let hi = s.axil_read(rm::DMA_ADDR.at(2)).unwrap();
    assert_eq!((hi << 8) | lo, 0x1234);
    let lo = s.axil_read(rm::DMA_COUNT.at(2)).unwrap();
    let hi = s.axil_read(rm::DMA_COUNT.at(2)).unwrap();
    assert_eq!((hi << 8) | lo, 0xABCD);
    let snap = s.snapshot(2).unwrap();
    assert_eq!((snap.count, snap.passes, snap.addr), (0xABCD, 0, 0x1234));
}

#[test]
fn holes_in_the_register_map_answer_slverr() {
    let cfg = Config::small();
    let taken: Vec<u32> = rm::REGISTERS
        .iter()
        .flat_map(|r| (0..r.instances(&cfg)).map(move |i| r.at(i)))
        .collect();
    let hole = (0x40..0x1000)
        .step_by(4)
        .find(|a| !taken.contains(a))
        .expect("the native area has unused offsets");
    let mut s = verilator(&cfg, random_timing(3));
    let r = s.axil_access(AxilOp::Read { addr: hole }).unwrap();
    assert_eq!((r.resp, r.data), (Resp::SlvErr, 0), "read {hole:#x}");
    let w = s
        .axil_access(AxilOp::Write {
            addr: hole,
            data: 1,
            strb: 0xF,
        })
        .unwrap();
    assert_eq!(w.resp, Resp::SlvErr, "write {hole:#x}");
    assert!(
        s.axil_read(hole).is_err(),
        "axil_read turns SLVERR into an error"
    );
}
