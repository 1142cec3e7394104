//! `mapdma board`: a board (or the virtual one) over its serial port.
//!
//! - `run --port PATH [--baud N]`: discovers the board through the link, then runs, with the
//!   adapter API and every byte checked: the seed scenario's shape (a common buffer, one
//!   auto-initialize `map_transfer`, `ReadDmaCounter` polling) device → memory on the pattern
//!   source and memory → device on the checksum sink, and the loop-back copy through the
//!   board's FIFO; on a board with the test bus master (board window FEATURES) also a copy by
//!   that bus master between two buffers mapped with a bus-master adapter (`map_transfer`
//!   returns the logical addresses it is given), every byte and the guard bytes checked, and
//!   the same copy after `flush_adapter_buffers`, which the bus-master port must refuse; then
//!   a report in the demo's style, with the link's figures.
//! - `virtual`: the Verilated board design clocked in real time behind a pseudo-terminal; it
//!   prints the path to give `run`, and serves until stopped.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::board_bm::{bus_master_copy, BusMasterReport};
use anyhow::{bail, ensure, Context};
use clap::{Args, Subcommand};
use mapdma_host::backend::serial::{link, window, LinkStats, SerialBackend, Tty};
use mapdma_host::counter::StreamPosition;
use mapdma_host::mdl::span_pages;
use mapdma_host::scenario::stream_byte;
use mapdma_host::{
    DeviceDescription, DeviceObject, DmaAdapter, DmaCounter, DmaSystem, DmaWidth,
    IoAllocationAction, MapRegisterBase, Mdl, TransferType,
};

#[derive(Args, Debug)]
pub struct BoardArgs {
    #[command(subcommand)]
    command: BoardCommand,
}

#[derive(Subcommand, Debug)]
enum BoardCommand {
    /// Run the seed scenario (both directions) and the loop-back copy on a board over its
    /// serial port, every byte checked, and report
    Run {
        /// The board's serial port (/dev/ttyUSB1 on the iCEBreaker and the HX8K breakout), or
        /// the path `mapdma board virtual` printed
        #[arg(long, value_name = "PATH")]
        port: PathBuf,
        /// The rate the board design was built for (`mapdma synth --baud`)
        #[arg(long, default_value_t = mapdma_hdl::board::DEFAULT_BAUD)]
        baud: u32,
    },
    /// Start the Verilated board design behind a pseudo-terminal and print its path; serves
    /// until stopped (Ctrl-C) or for --seconds
    Virtual {
        /// Stop after this many seconds
        #[arg(long, value_name = "N")]
        seconds: Option<u64>,
    },
}

pub fn run(args: &BoardArgs) -> anyhow::Result<()> {
    match &args.command {
        BoardCommand::Run { port, baud } => {
            let report = run_board(port, *baud)?;
            print!("{report}");
            Ok(())
        }
        BoardCommand::Virtual { seconds } => run_virtual(*seconds),
    }
}

fn run_virtual(seconds: Option<u64>) -> anyhow::Result<()> {
    use mapdma_sim::board::{Pace, PtyBoard, BAUD, CLOCK_HZ};
    let board = PtyBoard::start(Pace::RealTime).context("starting the virtual board")?;
    let path = board.path().display().to_string();
    println!(
        "virtual board: the Verilated board design (clock {CLOCK_HZ} Hz, {BAUD} baud) on {path}"
    );
    println!("run: mapdma board run --port {path}");
    println!("stop: Ctrl-C");
    std::io::stdout().flush()?;
    let until = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    while until.is_none_or(|t| Instant::now() < t) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let report = board.stop().map_err(anyhow::Error::msg)?;
    println!("virtual board stopped: {report}");
    Ok(())
}

/// The board's built-in devices (hdl/src/board/PROTOCOL.md).
const LOOP_SINK: u32 = 0;
const LOOP_SOURCE: u32 = 1;
const PATTERN_SOURCE: u32 = 2;
const CHECKSUM_SINK: u32 = 3;

/// What `board run` measured.
#[derive(Debug)]
pub struct BoardReport {
    pub port: PathBuf,
    pub baud: u32,
    pub ram_bytes: u32,
    pub clock_hz: u32,
    pub divisor: u32,
    pub config: mapdma_regmap::Config,
    pub ring: RingReport,
    pub sink: SinkReport,
    pub copy_bytes: u32,
    pub copy_polls: u32,
    /// The test bus master's copy (None: the board has no test master).
    pub bus_master: Option<BusMasterReport>,
    pub link: LinkStats,
    pub fault_cause: u32,
    pub elapsed: Duration,
}

#[derive(Debug)]
pub struct RingReport {
    pub ring_bytes: u32,
    pub drains: u32,
    pub polls: u64,
    pub words_checked: u64,
    pub wraps: u64,
    pub units_produced: u64,
}

#[derive(Debug)]
pub struct SinkReport {
    pub ring_bytes: u32,
    pub units: u64,
    pub wraps: u64,
    pub polls: u64,
}

impl std::fmt::Display for BoardReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.config;
        writeln!(
            f,
            "mapdma board run: the seed scenario and the loop-back copy on the board at {} ({} baud)",
            self.port.display(),
            self.baud
        )?;
        writeln!(
            f,
            "board      ID \"MDBD\", link protocol {}, {} bytes of RAM, clock {} Hz, UART divisor {}",
            link::VERSION,
            self.ram_bytes,
            self.clock_hz,
            self.divisor
        )?;
        writeln!(
            f,
            "hardware   {} channels, {} map registers of {} bytes, {}-bit logical / {}-bit physical addresses",
            c.channels,
            c.map_registers,
            c.page_size(),
            c.logical_bits,
            c.physical_bits
        )?;
        let r = &self.ring;
        writeln!(f)?;
        writeln!(
            f,
            "device → memory (8237 write transfer, pattern source on channel {PATTERN_SOURCE})"
        )?;
        writeln!(
            f,
            "  ring             {}-byte common buffer, auto-initialize, {} wraps, {} units produced",
            r.ring_bytes, r.wraps, r.units_produced
        )?;
        writeln!(
            f,
            "  driver           {} drains, {} ReadDmaCounter polls, {} words checked against the counter",
            r.drains, r.polls, r.words_checked
        )?;
        let s = &self.sink;
        writeln!(f)?;
        writeln!(
            f,
            "memory → device (8237 read transfer, checksum sink on channel {CHECKSUM_SINK})"
        )?;
        writeln!(
            f,
            "  ring             {}-byte common buffer, auto-initialize, {} wraps, {} ReadDmaCounter polls",
            s.ring_bytes, s.wraps, s.polls
        )?;
        writeln!(
            f,
            "  device           {} units received, their sum matches the buffer's",
            s.units
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "loop-back copy (channel {LOOP_SINK} → FIFO → channel {LOOP_SOURCE})"
        )?;
        writeln!(
            f,
            "  bytes            {} copied, every byte checked, {} counter polls",
            self.copy_bytes, self.copy_polls
        )?;
        writeln!(f)?;
        match &self.bus_master {
            Some(b) => {
                writeln!(
                    f,
                    "bus master (the board's test master on the bus-master port, through the map)"
                )?;
                writeln!(
                    f,
                    "  copy             {} bytes from logical {:#x} to logical {:#x}, every byte and the guards checked, {} status polls",
                    b.bytes, b.src_logical, b.dst_logical, b.polls
                )?;
                writeln!(
                    f,
                    "  after the flush  the same copy refused (TM_CONTROL {:#x}: DECERR), BM_FAULT latched and cleared",
                    b.refused_status
                )?;
            }
            None => writeln!(
                f,
                "bus master       none on this board (FEATURES.TEST_MASTER clear)"
            )?,
        }
        writeln!(f)?;
        let l = &self.link;
        writeln!(
            f,
            "link       {} operations, {} frames sent, {} retries, {} rejected, {} duplicates, {} bad and {} stale reply frames, {} timeouts, {} faults",
            l.operations, l.frames_sent, l.retries, l.rejected, l.duplicates, l.bad_frames, l.stale, l.timeouts, l.faults
        )?;
        writeln!(
            f,
            "faults     {} (FAULT_CAUSE {:#x})",
            if self.fault_cause == 0 {
                "none"
            } else {
                "FAULT"
            },
            self.fault_cause
        )?;
        writeln!(f, "time       {:.1} s", self.elapsed.as_secs_f64())
    }
}

pub(super) fn serial<R>(
    system: &DmaSystem,
    f: impl FnOnce(&mut SerialBackend<Tty>) -> R,
) -> anyhow::Result<R> {
    system.with_backend(|b| {
        let s = b
            .as_any_mut()
            .and_then(|a| a.downcast_mut::<SerialBackend<Tty>>())
            .context("not a serial backend")?;
        Ok(f(s))
    })
}

/// Opens the board at `port` and runs the three scenarios.
pub fn run_board(port: &std::path::Path, baud: u32) -> anyhow::Result<BoardReport> {
    let started = Instant::now();
    let backend = SerialBackend::open(port, baud)
        .with_context(|| format!("opening the board at {}", port.display()))?;
    let info = backend.info().clone();
    let system = DmaSystem::open(Box::new(backend)).context("mapdma behind the bridge")?;
    let config = system.config();
    let ring = pattern_ring(&system).context("device → memory on the pattern source")?;
    let sink = checksum_ring(&system).context("memory → device on the checksum sink")?;
    let (copy_bytes, copy_polls) = loopback_copy(&system).context("the loop-back copy")?;
    let bus_master = if info.has_test_master() {
        Some(bus_master_copy(&system).context("the test bus master's copy")?)
    } else {
        None
    };
    let fault_cause = system.with_backend(|b| b.read32(mapdma_regmap::FAULT_CAUSE.offset))?;
    ensure!(
        fault_cause == 0,
        "FAULT_CAUSE {fault_cause:#x} after the run"
    );
    let link = serial(&system, |s| s.bridge().stats())?;
    Ok(BoardReport {
        port: port.to_path_buf(),
        baud,
        ram_bytes: info.ram_bytes,
        clock_hz: info.clock_hz,
        divisor: info.uart_divisor,
        config,
        ring,
        sink,
        copy_bytes,
        copy_polls,
        bus_master,
        link,
        fault_cause,
        elapsed: started.elapsed(),
    })
}

/// `allocate_adapter_channel` whose execution routine maps `length` bytes of `mdl` once and
/// keeps the channel, as the seed scenario's driver does; the base and the logical address.
fn map_once(
    adapter: &DmaAdapter,
    mdl: &Mdl,
    length: usize,
    transfer: TransferType,
    page_shift: u32,
) -> anyhow::Result<(MapRegisterBase, u64)> {
    type Mapped = Option<mapdma_host::Result<(MapRegisterBase, u64)>>;
    let slot: Arc<Mutex<Mapped>> = Arc::new(Mutex::new(None));
    let registers = span_pages(0, length as u64, page_shift) as u32;
    {
        let (slot, mdl) = (slot.clone(), mdl.clone());
        adapter.allocate_adapter_channel(&DeviceObject::new(), registers, move |a, base| {
            let r = a.map_transfer(&mdl, base, 0, length, transfer);
            let keep = r.is_ok();
            *slot.lock().unwrap() = Some(r.map(|(logical, _)| (base, logical)));
            if keep {
                IoAllocationAction::KeepObject
            } else {
                IoAllocationAction::DeallocateObject
            }
        })?;
    }
    let mapped = slot.lock().unwrap().take();
    Ok(mapped.context("the channel was busy: the execution routine did not run")??)
}

/// The pattern source writes consecutive 32-bit numbers into an auto-initialized ring; the
/// driver polls the counter and drains the ring: unit k of the stream is the number k at
/// ring index k mod N, so every word tells which pass wrote it, and that must lie between the
/// counter readings taken before and after the read.
fn pattern_ring(system: &DmaSystem) -> anyhow::Result<RingReport> {
    const RING: u32 = 512;
    const UNIT: u64 = 4;
    let cfg = system.config();
    let n_units = RING as u64 / UNIT;
    let description = DeviceDescription {
        auto_initialize: true,
        ..DeviceDescription::system_dma(PATTERN_SOURCE, DmaWidth::Width32Bits, RING)
    };
    let (adapter, _) = system.get_dma_adapter(&description)?;
    let buffer = adapter.allocate_common_buffer(RING, false)?;
    buffer.write(0, &[0xEE; RING as usize])?;
    serial(system, |s| s.window_write(window::PATTERN, 0))??;
    let mdl = buffer.mdl()?;
    let (base, _) = map_once(
        &adapter,
        &mdl,
        RING as usize,
        TransferType::Write,
        cfg.page_shift,
    )?;

    let mut stream = StreamPosition::new();
    let mut position = |c: DmaCounter| stream.update(&c);
    let mut before = position(adapter.read_dma_counter_ex()?);
    let (mut drains, mut polls, mut words_checked) = (0u32, 1u64, 0u64);
    while drains < 8 || before < 2 * RING as u64 {
        let mut ring = vec![0u8; RING as usize];
        buffer.read(0, &mut ring)?;
        let after = position(adapter.read_dma_counter_ex()?);
        polls += 1;
        ensure!(after >= before, "the counter went back: {before} → {after}");
        for (i, w) in ring.chunks_exact(4).enumerate() {
            let v = u32::from_le_bytes(w.try_into().unwrap()) as u64;
            ensure!(
                v % n_units == i as u64,
                "word {i} holds {v:#x}: wrong ring slot"
            );
            ensure!(
                UNIT * (v + 1) <= after,
                "word {i} = {v} is ahead of the counter {after}"
            );
            ensure!(
                UNIT * (v + 1) + RING as u64 > before,
                "word {i} = {v} is stale: the counter was at {before} before the read"
            );
            words_checked += 1;
        }
        drains += 1;
        before = after;
        ensure!(drains < 1000, "the ring does not fill");
    }
    adapter.flush_adapter_buffers(&mdl, base, 0, RING as usize, TransferType::Write)?;
    let next = serial(system, |s| s.window_read(window::PATTERN))?? as u64;
    let mut ring = vec![0u8; RING as usize];
    buffer.read(0, &mut ring)?;
    let mut values: Vec<u64> = ring
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes(w.try_into().unwrap()) as u64)
        .collect();
    values.sort_unstable();
    ensure!(
        values == (next - n_units..next).collect::<Vec<_>>(),
        "after the stop the ring does not hold the last {n_units} units"
    );
    adapter.free_adapter_channel()?;
    adapter.free_common_buffer(buffer)?;
    adapter.put_dma_adapter().map_err(|e| e.error)?;
    Ok(RingReport {
        ring_bytes: RING,
        drains,
        polls,
        words_checked,
        wraps: stream.passes(),
        units_produced: next,
    })
}

/// The checksum sink reads an auto-initialized ring the driver filled; after the stop the
/// sink's count and sum must be those of the ring's words taken in order, pass after pass.
fn checksum_ring(system: &DmaSystem) -> anyhow::Result<SinkReport> {
    const RING: u32 = 256;
    let cfg = system.config();
    let words: Vec<u32> = (0..RING as u64 / 4)
        .map(|i| u32::from_le_bytes([0, 1, 2, 3].map(|k| stream_byte(0x5C, 4 * i + k))))
        .collect();
    let description = DeviceDescription {
        auto_initialize: true,
        ..DeviceDescription::system_dma(CHECKSUM_SINK, DmaWidth::Width32Bits, RING)
    };
    let (adapter, _) = system.get_dma_adapter(&description)?;
    let buffer = adapter.allocate_common_buffer(RING, false)?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    buffer.write(0, &bytes)?;
    serial(system, |s| s.window_write(window::SUM, 0))??;
    let mdl = buffer.mdl()?;
    let (base, _) = map_once(
        &adapter,
        &mdl,
        RING as usize,
        TransferType::Read,
        cfg.page_shift,
    )?;
    let mut polls = 0u64;
    let mut passes = 0u16;
    while passes < 4 {
        passes = adapter.read_dma_counter_ex()?.passes;
        polls += 1;
        ensure!(polls < 1000, "the sink does not consume the ring");
    }
    adapter.flush_adapter_buffers(&mdl, base, 0, RING as usize, TransferType::Read)?;
    let count = serial(system, |s| s.window_read(window::COUNT))?? as u64;
    let sum = serial(system, |s| s.window_read(window::SUM))??;
    let expected = (0..count).fold(0u32, |acc, k| {
        acc.wrapping_add(words[(k % words.len() as u64) as usize])
    });
    if sum != expected {
        bail!("the sink summed {sum:#010x} over {count} units, the buffer gives {expected:#010x}");
    }
    adapter.free_adapter_channel()?;
    adapter.free_common_buffer(buffer)?;
    adapter.put_dma_adapter().map_err(|e| e.error)?;
    Ok(SinkReport {
        ring_bytes: RING,
        units: count,
        wraps: count / words.len() as u64,
        polls,
    })
}

/// Channel 0 reads a buffer into the board's FIFO, channel 1 writes the FIFO into a second
/// buffer; every byte must arrive.
fn loopback_copy(system: &DmaSystem) -> anyhow::Result<(u32, u32)> {
    const LEN: u32 = 1536;
    let cfg = system.config();
    let source: Vec<u8> = (0..LEN as u64).map(|i| stream_byte(0x3C, i)).collect();
    let sink_desc = DeviceDescription::system_dma(LOOP_SINK, DmaWidth::Width32Bits, LEN);
    let source_desc = DeviceDescription::system_dma(LOOP_SOURCE, DmaWidth::Width32Bits, LEN);
    let (to_device, _) = system.get_dma_adapter(&sink_desc)?;
    let (from_device, _) = system.get_dma_adapter(&source_desc)?;
    let src = to_device.allocate_common_buffer(LEN, false)?;
    let dst = from_device.allocate_common_buffer(LEN, false)?;
    src.write(0, &source)?;
    dst.write(0, &vec![0x5A; LEN as usize])?;
    let (src_mdl, dst_mdl) = (src.mdl()?, dst.mdl()?);
    // The receiving channel first, so that no unit waits in the FIFO for it.
    let (dst_base, _) = map_once(
        &from_device,
        &dst_mdl,
        LEN as usize,
        TransferType::Write,
        cfg.page_shift,
    )?;
    let (src_base, _) = map_once(
        &to_device,
        &src_mdl,
        LEN as usize,
        TransferType::Read,
        cfg.page_shift,
    )?;
    let mut polls = 0;
    loop {
        let (a, b) = (
            to_device.read_dma_counter()?,
            from_device.read_dma_counter()?,
        );
        polls += 1;
        if a == 0 && b == 0 {
            break;
        }
        ensure!(polls < 1000, "the copy stalled: {a} / {b} bytes left");
    }
    from_device.flush_adapter_buffers(&dst_mdl, dst_base, 0, LEN as usize, TransferType::Write)?;
    to_device.flush_adapter_buffers(&src_mdl, src_base, 0, LEN as usize, TransferType::Read)?;
    let mut got = vec![0u8; LEN as usize];
    dst.read(0, &mut got)?;
    if let Some(i) = got.iter().zip(&source).position(|(a, b)| a != b) {
        bail!(
            "copied byte {i} is {:#04x}, the source's {:#04x}",
            got[i],
            source[i]
        );
    }
    for (adapter, buffer) in [(to_device, src), (from_device, dst)] {
        adapter.free_adapter_channel()?;
        adapter.free_common_buffer(buffer)?;
        adapter.put_dma_adapter().map_err(|e| e.error)?;
    }
    let fifo_empty = serial(system, |s| s.window_read(window::LOOP_STATUS))?? & 1 == 1;
    ensure!(fifo_empty, "the loop-back FIFO is not empty after the copy");
    Ok((LEN, polls))
}
