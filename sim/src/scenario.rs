//! Scripted scenarios shared by the tests, the engine comparison and the benchmarks. Each is
//! written once against [`System`] and therefore runs on either engine.

use crate::axi_slave::{AxiSlaveConfig, MemBeat};
use crate::axil_master::{AxilDone, AxilOp, AxilTiming};
use crate::device::{DataPattern, DeviceConfig, DreqMode, Received};
use crate::engine::Engine;
use crate::rate::Rate;
use crate::system::{SimError, System, SystemConfig};
use crate::ChannelSetup;
use mapdma_regmap as rm;
use mapdma_regmap::{Config, ServiceMode, TransferType, UnitWidth};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Everything observable a scenario produced, for comparing runs cycle for cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub axil: Vec<AxilDone>,
    pub memory: Vec<MemBeat>,
    pub sent: Vec<Vec<(u64, u32)>>,
    pub received: Vec<Vec<Received>>,
    pub eop_out: Vec<Vec<u64>>,
    pub irq_rises: Vec<u64>,
    pub cycles: u64,
}

impl Record {
    pub fn of<E: Engine>(s: &System<E>) -> Self {
        Record {
            axil: s.axil_log().to_vec(),
            memory: s.memory.log().to_vec(),
            sent: s.devices.iter().map(|d| d.sent().to_vec()).collect(),
            received: s.devices.iter().map(|d| d.received().to_vec()).collect(),
            eop_out: s.devices.iter().map(|d| d.eop_out().to_vec()).collect(),
            irq_rises: s.irq.rises().to_vec(),
            cycles: s.cycle(),
        }
    }
}

/// The bench of the short mixed scenario: random register timing, memory latency and
/// backpressure, a random-rate source on channel 0 and (with two or more channels) a sink on
/// the last channel.
pub fn mixed_config(cfg: &Config, seed: u64) -> SystemConfig {
    let mut src = DeviceConfig::source(Rate::Random(0.7), Some(24), ServiceMode::Demand);
    src.pattern = DataPattern::Random;
    src.seed = seed ^ 0x55;
    let mut devices = vec![src];
    if cfg.channels > 1 {
        devices.resize_with(cfg.channels - 1, DeviceConfig::default);
        devices.push(DeviceConfig::sink(
            Rate::Bursty { on: 3, off: 2 },
            ServiceMode::Single,
        ));
    }
    SystemConfig {
        memory: AxiSlaveConfig {
            seed,
            read_latency: 4,
            write_latency: 2,
            ..AxiSlaveConfig::default().with_random_backpressure(0.7)
        },
        axil: AxilTiming {
            max_valid_delay: 2,
            max_ready_delay: 2,
            seed,
        },
        devices,
        ..SystemConfig::default()
    }
}

/// A short scenario touching registers, translation, both transfer directions, terminal count
/// and the interrupt: about a thousand clocks. Use with [`mixed_config`].
pub fn mixed<E: Engine>(s: &mut System<E>) -> Result<Record, SimError> {
    let cfg = *s.config();
    s.map_pages(0, 2, 0x200, true)?;
    let ie = rm::int_enable::TC.put(&cfg, (1 << cfg.channels) - 1)
        | rm::int_enable::FAULT.put(&cfg, 0xF);
    s.axil_write(rm::INT_ENABLE.offset, ie)?;
    s.program_channel(&ChannelSetup {
        channel: 0,
        logical: 0x0FF0, // crosses from logical page 0 into page 1
        units: 16,
        width: UnitWidth::Bits16,
        transfer: TransferType::Write,
        autoinit: true,
        decrement: false,
        mode: ServiceMode::Demand,
    })?;
    let last = cfg.channels - 1;
    if last > 0 {
        for i in 0..8u64 {
            s.memory.memory.write_u32(
                (0x200 << cfg.page_shift) + 0x100 + 4 * i,
                0x1111_0000 + i as u32,
            );
        }
        s.program_channel(&ChannelSetup {
            channel: last,
            logical: 0x100,
            units: 8,
            width: UnitWidth::Bits32,
            transfer: TransferType::Read,
            autoinit: false,
            decrement: false,
            mode: ServiceMode::Single,
        })?;
        s.set_mask(last, false)?;
    }
    s.set_mask(0, false)?;
    s.run(400)?;
    for ch in 0..cfg.channels {
        s.snapshot(ch)?;
    }
    s.axil_read(rm::STATUS.offset)?;
    let st = s.axil_read(rm::INT_STATUS.offset)?;
    s.axil_write(rm::INT_STATUS.offset, st)?;
    s.run(100)?;
    Ok(Record::of(s))
}

/// The streaming bench: channel 0 in block mode with auto-initialize, 32-bit units, a device
/// that always requests and always has data (write) or room (read), memory with `latency`.
/// `pages` pages of the buffer are mapped from logical 0 to frame 0x100.
pub fn streaming_config(transfer: TransferType, latency: u32) -> SystemConfig {
    let mut dev = match transfer {
        TransferType::Read => DeviceConfig::sink(Rate::Always, ServiceMode::Block),
        _ => DeviceConfig::source(Rate::Always, None, ServiceMode::Block),
    };
    // Always requesting, so wrap gaps measure the controller, not the device's handshake.
    dev.dreq = DreqMode::Always;
    SystemConfig {
        memory: AxiSlaveConfig::default().with_latency(latency),
        devices: vec![dev],
        ..SystemConfig::default()
    }
}

/// Programs and starts the streaming bench over a `bytes`-byte buffer.
pub fn start_streaming<E: Engine>(
    s: &mut System<E>,
    transfer: TransferType,
    bytes: u32,
) -> Result<(), SimError> {
    let cfg = *s.config();
    let pages = bytes.div_ceil(1 << cfg.page_shift) as usize;
    s.map_pages(0, pages, 0x100, true)?;
    s.program_channel(&ChannelSetup {
        channel: 0,
        logical: 0,
        units: bytes / 4,
        width: UnitWidth::Bits32,
        transfer,
        autoinit: true,
        decrement: false,
        mode: ServiceMode::Block,
    })?;
    s.set_mask(0, false)
}

/// `accesses` random register reads and writes (random offsets among every register instance
/// of the configuration plus a few unmapped ones, random data and strobes), whatever their
/// side effects; the record shows every response and read value.
pub fn register_soup<E: Engine>(
    s: &mut System<E>,
    seed: u64,
    accesses: usize,
) -> Result<Record, SimError> {
    let cfg = *s.config();
    let mut offsets: Vec<u32> = rm::REGISTERS
        .iter()
        .flat_map(|r| (0..r.instances(&cfg)).map(move |i| r.at(i)))
        .collect();
    offsets.extend([0x60, 0xFFC, 0x1FFC]);
    let mut rng = StdRng::seed_from_u64(seed);
    for _ in 0..accesses {
        let addr = offsets[rng.gen_range(0..offsets.len())];
        let op = if rng.gen_bool(0.5) {
            AxilOp::Read { addr }
        } else {
            AxilOp::Write {
                addr,
                data: rng.gen(),
                strb: if rng.gen_bool(0.9) {
                    0xF
                } else {
                    rng.gen_range(0..16)
                },
            }
        };
        s.axil_access(op)?;
    }
    s.run(20)?;
    Ok(Record::of(s))
}
