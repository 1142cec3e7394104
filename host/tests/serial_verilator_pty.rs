//! End to end over a real pseudo-terminal: the Verilated board design (UART bridge, mapdma,
//! system RAM, built-in devices) clocked at its own rate behind a pty, and the host library's
//! serial backend opening the pty slave as it would open `/dev/ttyUSB1`. The driver discovers
//! the hardware through the bridge, then runs transfers with the adapter API on the board's
//! built-in devices and checks every byte it reads back.

#![cfg(all(target_os = "linux", feature = "verilator"))]

use mapdma_host::backend::serial::{window, SerialBackend, Tty};
use mapdma_host::counter::StreamPosition;
use mapdma_host::mdl::span_pages;
use mapdma_host::scenario::stream_byte;
use mapdma_host::{
    DeviceDescription, DeviceObject, DmaAdapter, DmaCounter, DmaSystem, DmaWidth,
    IoAllocationAction, MapRegisterBase, Mdl, TransferType,
};
use mapdma_sim::board::{board_config, Pace, PtyBoard, BAUD, CLOCK_HZ, DIVISOR, RAM_BYTES};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Board channels of the built-in devices (hdl/src/board/PROTOCOL.md).
const LOOP_SINK: u32 = 0;
const LOOP_SOURCE: u32 = 1;
const PATTERN_SOURCE: u32 = 2;

/// LED bits: fault, alive, DMA activity, interrupt, UART activity.
const LED_FAULT: u32 = 1 << 0;

/// Opens the board behind the pty and checks what it says about itself.
fn open(board: &PtyBoard) -> DmaSystem {
    let backend = SerialBackend::open(board.path(), BAUD).expect("the board answers on the pty");
    let info = backend.info().clone();
    assert_eq!(info.clock_hz, CLOCK_HZ);
    assert_eq!(info.uart_divisor, DIVISOR);
    assert_eq!(info.ram_bytes as u64, RAM_BYTES);
    let cfg = board_config();
    assert_eq!(info.page_shift, cfg.page_shift);
    // The virtual board mirrors the HX8K breakout: the bus-master port with the test master.
    assert!(info.has_test_master() && cfg.bus_master_port);
    // DmaSystem::open checks the ID and version registers and reads the configuration.
    let system = DmaSystem::open(Box::new(backend)).expect("mapdma behind the bridge");
    assert_eq!(system.config(), cfg, "configuration read from CONFIG0/1");
    system
}

fn serial<R>(system: &DmaSystem, f: impl FnOnce(&mut SerialBackend<Tty>) -> R) -> R {
    system.with_backend(|b| {
        let any = b.as_any_mut().expect("the serial backend exposes itself");
        f(any.downcast_mut().expect("a serial backend over a tty"))
    })
}

/// `allocate_adapter_channel` whose execution routine maps `length` bytes of `mdl` once and
/// keeps the channel, as the seed's clients do; returns the base and the logical address.
fn map_once(
    adapter: &DmaAdapter,
    mdl: &Mdl,
    length: usize,
    transfer: TransferType,
    page_shift: u32,
) -> (MapRegisterBase, u64) {
    type Mapped = Option<mapdma_host::Result<(MapRegisterBase, u64, usize)>>;
    let slot: Arc<Mutex<Mapped>> = Arc::new(Mutex::new(None));
    let registers = span_pages(0, length as u64, page_shift) as u32;
    {
        let (slot, mdl) = (slot.clone(), mdl.clone());
        adapter
            .allocate_adapter_channel(&DeviceObject::new(), registers, move |a, base| {
                let r = a.map_transfer(&mdl, base, 0, length, transfer);
                let keep = r.is_ok();
                *slot.lock().unwrap() = Some(r.map(|(l, n)| (base, l, n)));
                if keep {
                    IoAllocationAction::KeepObject
                } else {
                    IoAllocationAction::DeallocateObject
                }
            })
            .unwrap();
    }
    let (base, logical, mapped) = slot
        .lock()
        .unwrap()
        .take()
        .expect("the channel was free: the routine ran at once")
        .expect("map_transfer");
    assert_eq!(mapped, length);
    (base, logical)
}

/// The pattern source (channel 2) writes consecutive 32-bit numbers into an auto-initialized
/// ring in system RAM; the driver polls `read_dma_counter` over the serial link and drains the
/// ring: unit `k` of the stream is the number `k` at ring index `k mod N`, so every word read
/// tells which pass wrote it, and that must lie between the counter readings taken before and
/// after the read. The device is far faster than the link, so the ring wraps many times
/// between two drains; the driver checks every word of every drain.
#[test]
fn pattern_source_fills_an_auto_initialized_ring_while_the_driver_polls_over_the_pty() {
    let started = Instant::now();
    let board = PtyBoard::start(Pace::RealTime).expect("pty");
    let system = open(&board);
    let cfg = system.config();
    const RING: u32 = 512;
    const UNIT: u64 = 4;
    let n_units = RING as u64 / UNIT;

    let description = DeviceDescription {
        auto_initialize: true,
        ..DeviceDescription::system_dma(PATTERN_SOURCE, DmaWidth::Width32Bits, RING)
    };
    let (adapter, granted) = system.get_dma_adapter(&description).unwrap();
    assert!(granted >= RING >> cfg.page_shift);
    let buffer = adapter.allocate_common_buffer(RING, false).unwrap();
    buffer.write(0, &[0xEE; RING as usize]).unwrap();
    // The stream starts at 0, so that unit k carries the number k.
    serial(&system, |s| s.window_write(window::PATTERN, 0)).unwrap();
    let mdl = buffer.mdl().unwrap();
    let (base, logical) = map_once(
        &adapter,
        &mdl,
        RING as usize,
        TransferType::Write,
        cfg.page_shift,
    );
    assert_eq!(logical % (1 << cfg.page_shift), 0);

    // Position in stream bytes from the pass counter (16 bits, wraps) and the count.
    let mut stream = StreamPosition::new();
    let mut position = |c: DmaCounter| -> u64 {
        assert_eq!(c.transfer_length, RING);
        assert!(
            c.remaining <= RING && c.remaining.is_multiple_of(UNIT as u32),
            "{c:?}"
        );
        stream.update(&c)
    };
    let mut before = position(adapter.read_dma_counter_ex().unwrap());
    let mut drains = 0;
    let mut words_checked = 0u64;
    let mut polls = 1u64;
    while drains < 16 || before < 2 * RING as u64 {
        let mut ring = vec![0u8; RING as usize];
        buffer.read(0, &mut ring).unwrap();
        let after = position(adapter.read_dma_counter_ex().unwrap());
        polls += 1;
        assert!(after >= before, "the counter went back: {before} → {after}");
        for (i, w) in ring.chunks_exact(4).enumerate() {
            let v = u32::from_le_bytes(w.try_into().unwrap()) as u64;
            assert_eq!(
                v % n_units,
                i as u64,
                "word {i} holds {v:#x}: wrong ring slot"
            );
            // Written before the later reading (the counter counts landed units) ...
            assert!(
                UNIT * (v + 1) <= after,
                "word {i} = {v} is ahead of the counter {after}"
            );
            // ... and not older than the last pass the earlier reading had already completed.
            assert!(
                UNIT * (v + 1) + RING as u64 > before,
                "word {i} = {v} is stale: the counter was at {before} before the read"
            );
            words_checked += 1;
        }
        drains += 1;
        before = after;
        assert!(started.elapsed() < Duration::from_secs(50), "too slow");
    }
    let wraps = stream.passes();
    assert!(wraps >= 2, "{wraps} wraps");

    // Stop the ring: afterwards it holds exactly the last N units the source produced.
    adapter
        .flush_adapter_buffers(&mdl, base, 0, RING as usize, TransferType::Write)
        .unwrap();
    let next = serial(&system, |s| s.window_read(window::PATTERN)).unwrap() as u64;
    let mut ring = vec![0u8; RING as usize];
    buffer.read(0, &mut ring).unwrap();
    let mut values: Vec<u64> = ring
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes(w.try_into().unwrap()) as u64)
        .collect();
    values.sort_unstable();
    assert_eq!(values, (next - n_units..next).collect::<Vec<_>>());
    assert!(
        next * UNIT >= before,
        "the source produced at least what was counted"
    );
    adapter.free_adapter_channel().unwrap();
    adapter.free_common_buffer(buffer).unwrap();
    adapter.put_dma_adapter().map_err(|e| e.error).unwrap();
    assert_eq!(system.map_registers_in_use(), 0);
    assert_eq!(board.leds() & LED_FAULT, 0, "no fault LED");
    drop(system);
    let report = board.stop().unwrap();
    eprintln!(
        "pattern ring: {drains} drains, {polls} counter polls, {words_checked} words checked, \
         {wraps} wraps, {next} units produced, {:.1} s; pump: {report}",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(report.framing_errors, 0);
}

/// The loop-back pair: channel 0 reads a buffer into the board's FIFO, channel 1 writes the
/// FIFO into a second buffer (two adapters, single transfers); every byte must arrive.
#[test]
fn loopback_pair_copies_a_buffer_through_the_fifo_over_the_pty() {
    let started = Instant::now();
    let board = PtyBoard::start(Pace::RealTime).expect("pty");
    let system = open(&board);
    let cfg = system.config();
    const LEN: u32 = 1536;
    let source: Vec<u8> = (0..LEN as u64).map(|i| stream_byte(0x3C, i)).collect();

    let sink_desc = DeviceDescription::system_dma(LOOP_SINK, DmaWidth::Width32Bits, LEN);
    let source_desc = DeviceDescription::system_dma(LOOP_SOURCE, DmaWidth::Width32Bits, LEN);
    let (to_device, _) = system.get_dma_adapter(&sink_desc).unwrap();
    let (from_device, _) = system.get_dma_adapter(&source_desc).unwrap();
    let src = to_device.allocate_common_buffer(LEN, false).unwrap();
    let dst = from_device.allocate_common_buffer(LEN, false).unwrap();
    src.write(0, &source).unwrap();
    dst.write(0, &vec![0x5A; LEN as usize]).unwrap();
    let (src_mdl, dst_mdl) = (src.mdl().unwrap(), dst.mdl().unwrap());
    // The receiving channel first, so that no unit waits in the FIFO for it.
    let (dst_base, _) = map_once(
        &from_device,
        &dst_mdl,
        LEN as usize,
        TransferType::Write,
        cfg.page_shift,
    );
    let (src_base, _) = map_once(
        &to_device,
        &src_mdl,
        LEN as usize,
        TransferType::Read,
        cfg.page_shift,
    );
    // Both counters reach 0 (terminal count) once the copy is through.
    let mut polls = 0;
    loop {
        let (a, b) = (
            to_device.read_dma_counter().unwrap(),
            from_device.read_dma_counter().unwrap(),
        );
        polls += 1;
        if a == 0 && b == 0 {
            break;
        }
        assert!(polls < 1000, "the copy stalled: {a} / {b} bytes left");
    }
    from_device
        .flush_adapter_buffers(&dst_mdl, dst_base, 0, LEN as usize, TransferType::Write)
        .unwrap();
    to_device
        .flush_adapter_buffers(&src_mdl, src_base, 0, LEN as usize, TransferType::Read)
        .unwrap();
    let mut got = vec![0u8; LEN as usize];
    dst.read(0, &mut got).unwrap();
    let first_bad = got.iter().zip(&source).position(|(a, b)| a != b);
    assert_eq!(first_bad, None, "copied data differs");
    assert_eq!(
        serial(&system, |s| s.window_read(window::LOOP_STATUS)).unwrap() & 1,
        1,
        "the FIFO is empty again"
    );
    for (adapter, buffer) in [(to_device, src), (from_device, dst)] {
        adapter.free_adapter_channel().unwrap();
        adapter.free_common_buffer(buffer).unwrap();
        adapter.put_dma_adapter().map_err(|e| e.error).unwrap();
    }
    assert_eq!(system.map_registers_in_use(), 0);
    assert_eq!(board.leds() & LED_FAULT, 0, "no fault LED");
    drop(system);
    let report = board.stop().unwrap();
    eprintln!(
        "loop-back: {LEN} bytes copied and checked, {polls} polls, {:.1} s; pump: {report}",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(report.framing_errors, 0);
}
