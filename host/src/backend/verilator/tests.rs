//! The backend at register level: bus errors, memory checks, devices at the pins.

use super::*;
use mapdma_regmap::{ChannelProgram, ServiceMode, UnitWidth};

fn backend() -> VerilatorBackend {
    VerilatorBackend::new(Config::default()).unwrap()
}

/// Programs `ch` the way an 8237 driver does and unmasks it.
fn program(b: &mut VerilatorBackend, ch: usize, transfer: TransferType, logical: u32, units: u32) {
    let cfg = *b.config();
    let p = ChannelProgram {
        channel: ch,
        transfer,
        auto_initialize: false,
        decrement: false,
        service: ServiceMode::Demand,
        width: UnitWidth::Bits8,
        logical,
        units,
    };
    for (offset, value) in p.writes(&cfg).into_iter().chain([p.unmask(&cfg)]) {
        b.write32(offset, value).unwrap();
    }
}

fn map(b: &mut VerilatorBackend, index: usize, physical: u64, writable: bool) {
    let cfg = *b.config();
    let v = rm::map::VALID.put(&cfg, 1)
        | rm::map::WRITABLE.put(&cfg, writable as u32)
        | rm::map::FRAME.put(&cfg, (physical >> cfg.page_shift) as u32);
    b.write32(rm::MAP.at(index), v).unwrap();
}

#[test]
fn discovery_registers_read_through_the_bus_and_cost_clocks() {
    let mut b = backend();
    let cfg = *b.config();
    let before = b.cycle();
    assert_eq!(b.read32(rm::CONFIG0.offset).unwrap(), cfg.config0());
    assert_eq!(b.read32(rm::CONFIG1.offset).unwrap(), cfg.config1());
    assert!(b.cycle() >= before + 4, "two AXI4-Lite reads take clocks");
    assert!(b.checked_handshakes().1 >= 4);
}

#[test]
fn bad_register_accesses_are_typed_errors() {
    let mut b = backend();
    assert_eq!(b.read32(2), Err(BackendError::Misaligned { offset: 2 }));
    let beyond = rm::MAP.at(Config::default().map_registers);
    assert_eq!(
        b.write32(beyond, 1),
        Err(BackendError::Register {
            offset: beyond,
            response: BusResponse::SlaveError
        })
    );
}

#[test]
fn memory_outside_ram_and_double_free_are_refused() {
    let mut b = backend();
    let mut buf = [0; 4];
    assert!(matches!(
        b.read(0, &mut buf),
        Err(BackendError::BadPhysicalAddress { .. })
    ));
    assert!(b
        .write(DEFAULT_RAM_BASE + DEFAULT_RAM_BYTES - 2, &buf)
        .is_err());
    let p = b.allocate_contiguous(2).unwrap();
    b.write(p, &[1, 2, 3, 4]).unwrap();
    b.free_pages(&[p, p + 4096]).unwrap();
    assert!(b.free_pages(&[p]).is_err());
    let again = b.allocate_contiguous(1).unwrap();
    assert_eq!(again, p, "first fit hands the page out again");
    b.read(p, &mut buf).unwrap();
    assert_eq!(buf, [0; 4], "freed pages read as zero");
}

#[test]
fn unsupported_configurations_and_benches_are_refused() {
    let cfg = Config {
        map_registers: 64,
        ..Config::default()
    };
    assert!(!VerilatorBackend::supports(&cfg));
    assert!(matches!(
        VerilatorBackend::new(cfg),
        Err(VerilatorError::Sim(SimError::Unsupported(_)))
    ));
    let bad = VerilatorOptions {
        memory_latency: 0,
        ..Default::default()
    };
    assert!(matches!(
        VerilatorBackend::with_options(Config::default(), bad),
        Err(VerilatorError::Options(_))
    ));
    let odd_ram = VerilatorOptions {
        ram_base: 100,
        ..Default::default()
    };
    assert!(VerilatorBackend::with_options(Config::default(), odd_ram).is_err());
}

#[test]
fn a_source_device_moves_exactly_its_bytes_into_memory() {
    let mut b = backend();
    let page = b.allocate_contiguous(1).unwrap();
    map(&mut b, 0, page, true);
    let data: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37)).collect();
    b.push_source(2, &data).unwrap();
    program(&mut b, 2, TransferType::Write, 0x10, 64);
    b.idle(200).unwrap();
    assert_eq!(b.source_pending(2).unwrap(), 0);
    let mut got = vec![0; 64];
    b.read(page + 0x10, &mut got).unwrap();
    assert_eq!(&got[..40], &data[..]);
    assert!(
        got[40..].iter().all(|&x| x == 0),
        "nothing beyond the source"
    );
    let a = b.activity(2).unwrap();
    assert_eq!(a.units, 40);
    assert_eq!(
        a.last_clock.unwrap() - a.first_clock.unwrap(),
        39,
        "one unit per clock"
    );
    assert!(b.write_violations().is_empty());
}

#[test]
fn a_sink_asks_for_exactly_the_units_granted_even_with_slow_memory() {
    for latency in [1, 16] {
        let opts = VerilatorOptions {
            memory_latency: latency,
            ..Default::default()
        };
        let mut b = VerilatorBackend::with_options(Config::default(), opts).unwrap();
        let page = b.allocate_contiguous(1).unwrap();
        let data: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
        b.write(page, &data).unwrap();
        map(&mut b, 0, page, false);
        b.grant_sink(1, 50).unwrap();
        program(&mut b, 1, TransferType::Read, 0, 200);
        b.idle(300).unwrap();
        assert_eq!(b.take_sink(1).unwrap(), &data[..50], "latency {latency}");
        let cfg = *b.config();
        let left = b.read32(rm::SNAP_COUNT.at(1)).unwrap();
        assert_eq!(
            rm::snap_count::COUNT.get(&cfg, left),
            199 - 50,
            "the controller counted 50 units, no more (latency {latency})"
        );
        b.grant_sink(1, 10).unwrap();
        b.idle(100).unwrap();
        assert_eq!(b.take_sink(1).unwrap(), &data[50..60]);
    }
}

#[test]
fn a_slow_device_is_paced_and_eop_ends_the_service() {
    let mut b = backend();
    let page = b.allocate_contiguous(1).unwrap();
    map(&mut b, 0, page, true);
    b.set_period(0, 5).unwrap();
    b.push_source(0, &[9; 30]).unwrap();
    program(&mut b, 0, TransferType::Write, 0, 100);
    b.idle(200).unwrap();
    let a = b.activity(0).unwrap();
    assert_eq!(a.units, 30);
    let span = a.last_clock.unwrap() - a.first_clock.unwrap();
    assert!(span >= 29 * 5, "one unit every 5 clocks at most: {span}");
    b.pulse_eop(0).unwrap();
    b.idle(4).unwrap();
    let cfg = *b.config();
    let ch = b.read32(rm::CH_CONFIG.at(0)).unwrap();
    assert_eq!(
        rm::ch_config::MASKED.get(&cfg, ch),
        1,
        "EOP without auto-init masks"
    );
    let snap = b.read32(rm::SNAP_COUNT.at(0)).unwrap();
    assert_eq!(rm::snap_count::PASSES.get(&cfg, snap), 1);
}

#[test]
fn dma_outside_the_allocated_pages_is_caught() {
    let mut b = backend();
    let _ours = b.allocate_contiguous(1).unwrap();
    // A map register pointing at RAM nobody allocated: the write lands but is reported.
    map(&mut b, 0, DEFAULT_RAM_BASE + 0x80_0000, true);
    b.push_source(0, &[1; 8]).unwrap();
    program(&mut b, 0, TransferType::Write, 0, 8);
    let e = b.idle(100).unwrap_err();
    assert!(
        matches!(&e, BackendError::DmaOutsidePages { bytes: 1, .. }),
        "{e}"
    );
    assert_eq!(b.write_violations().len(), 8);
    // Reported once, not again on every call.
    b.idle(10).unwrap();
}

#[test]
fn dma_outside_ram_is_a_decode_error_fault() {
    let mut b = backend();
    map(&mut b, 0, 0, false);
    b.grant_sink(0, 4).unwrap();
    program(&mut b, 0, TransferType::Read, 0, 4);
    b.idle(50).unwrap();
    let cfg = *b.config();
    let cause = b.read32(rm::FAULT_CAUSE.offset).unwrap();
    let code = cause & ((1 << rm::FAULT_CAUSE_BITS) - 1);
    assert_eq!(
        rm::FaultCause::from_code(code),
        Some(rm::FaultCause::DecodeError),
        "{cause:#x} ({cfg:?})"
    );
    assert_eq!(b.take_sink(0).unwrap(), Vec::<u8>::new());
}

#[test]
fn counter_samples_and_progress_are_recorded() {
    let mut b = backend();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    b.set_progress(Some(Box::new(move |p: &Progress| {
        s.lock().unwrap().push(*p)
    })));
    let page = b.allocate_contiguous(1).unwrap();
    map(&mut b, 0, page, true);
    b.push_source(3, &[5; 16]).unwrap();
    program(&mut b, 3, TransferType::Write, 0, 32);
    b.idle(40).unwrap();
    let v = b.read32(rm::SNAP_COUNT.at(3)).unwrap();
    let samples = b.counter_samples();
    assert_eq!(samples.len(), 1);
    assert_eq!(samples[0].channel, 3);
    assert_eq!(samples[0].count, rm::snap_count::COUNT.get(b.config(), v));
    assert_eq!(samples[0].count, 31 - 16);
    let p = seen.lock().unwrap().clone();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].units, 16);
}
