//! A differential-test program: everything both models are given, as plain data.
//!
//! A program is a list of *rounds*. Each round is a list of steps (register accesses, device
//! actions) followed by a run to quiescence; only then does the next round start. Results are
//! compared at round boundaries and after a fixed final read-back ([`readback`]), never
//! mid-transfer, so the RTL's clock-level timing and the reference model's transaction-level
//! timing do not have to agree, only their outcomes.

use mapdma_regmap::{self as rm, Config, MAX_CHANNELS};
use mapdma_sim::rate::Rate;
use std::ops::Range;

/// One random program.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The seed it was generated from (reproduces it exactly).
    pub seed: u64,
    pub config: Config,
    /// Timing of the simulated bench (the reference model has no timing).
    pub bench: Bench,
    /// One device per configured channel.
    pub devices: Vec<DevicePlan>,
    pub memory: MemoryPlan,
    pub rounds: Vec<Round>,
}

/// Memory and register-bus timing of the simulated bench.
#[derive(Clone, Debug, PartialEq)]
pub struct Bench {
    pub read_latency: u32,
    pub write_latency: u32,
    pub aw_ready: Rate,
    pub w_ready: Rate,
    pub ar_ready: Rate,
    pub r_valid: Rate,
    pub b_valid: Rate,
    /// Requests the memory accepts before answering, per direction.
    pub max_reads: usize,
    pub max_writes: usize,
    /// AXI4-Lite master: VALID and READY delays (clocks, random up to these).
    pub axil_valid_delay: u32,
    pub axil_ready_delay: u32,
    pub seed: u64,
}

/// When a device asks for service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// DREQ stays inactive: the channel runs on software requests only.
    Software,
    /// DREQ is active while the device's source still has units (write transfers).
    WhileData,
    /// DREQ is always active (read, verify and cascade channels).
    Always,
}

/// The device on one channel.
#[derive(Clone, Debug, PartialEq)]
pub struct DevicePlan {
    pub request: Request,
    /// Block-mode handshake: DREQ is withdrawn once DACK is seen (simulated device only; the
    /// block runs to terminal count either way).
    pub block_handshake: bool,
    /// The device withdraws DREQ combinationally in the clock it sees DACK (otherwise a clock
    /// later); both are legal 8237 devices. Never for cascade channels (DACK follows DREQ).
    pub dreq_in_dack_clock: bool,
    /// Bytes of the unit the channel moves (the device's data is cut to it).
    pub unit_bytes: u32,
    /// Units the source holds at the start.
    pub source_units: u64,
    /// Source values: `start + step·k` for the k-th unit.
    pub pattern_start: u32,
    pub pattern_step: u32,
    pub source_rate: Rate,
    pub sink_rate: Rate,
    /// Pin polarities, matching what the program writes into COMMAND.
    pub dreq_active_low: bool,
    pub dack_active_high: bool,
    /// The channel is in cascade mode: DACK follows DREQ, which is not a transfer in progress.
    pub cascade: bool,
    pub seed: u64,
}

impl DevicePlan {
    /// The k-th unit the source offers, as the 32-bit stream word.
    pub fn unit_value(&self, k: u64) -> u32 {
        self.pattern_start
            .wrapping_add(self.pattern_step.wrapping_mul(k as u32))
    }

    /// Bytes of units `first..first + count`, as the reference model's byte queue holds them.
    pub fn source_bytes(&self, first: u64, count: u64) -> Vec<u8> {
        (first..first + count)
            .flat_map(|k| self.unit_value(k).to_le_bytes()[..self.unit_bytes as usize].to_vec())
            .collect()
    }

    /// Whether the device drives DREQ active while it has nothing to ask for.
    pub fn pin_active_when_idle(&self) -> bool {
        self.request == Request::Always
    }
}

/// Physical memory: the compared region, its initial contents, where devices may write, and
/// which addresses answer bus errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryPlan {
    /// Bytes filled at the start and compared at the end (buffers with guard frames between).
    pub region: Range<u64>,
    pub fill_seed: u64,
    /// Bytes a device → memory unit may write (sorted, disjoint). Every other byte of the
    /// region is a guard byte and must keep its initial value.
    pub writable: Vec<Range<u64>>,
    pub bus_errors: Vec<BusError>,
}

impl MemoryPlan {
    /// The region's initial contents.
    pub fn initial_fill(&self) -> Vec<u8> {
        use rand::{RngCore, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(self.fill_seed);
        let mut v = vec![0; (self.region.end - self.region.start) as usize];
        rng.fill_bytes(&mut v);
        v
    }

    pub fn is_writable(&self, addr: u64) -> bool {
        self.writable.iter().any(|r| r.contains(&addr))
    }
}

/// An address range whose accesses the memory answers with an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusError {
    pub range: Range<u64>,
    /// DECERR instead of SLVERR.
    pub decode: bool,
}

/// Steps, then a run to quiescence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub steps: Vec<Step>,
}

/// One thing that happens on the bench.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A register write; `strb == 0` is a write the slave must ignore.
    Write { offset: u32, value: u32, strb: u32 },
    /// A register read (with its side effects); the value is compared.
    Read { offset: u32 },
    /// The device on `channel` pulses its external EOP input for one clock.
    Eop { channel: usize },
    /// The device on `channel` gets `units` more units to send.
    Refill { channel: usize, units: u64 },
    /// The bus-master device makes one burst through the translation port and waits for its
    /// response (only at the start of a round, while the engine is quiescent).
    Burst(crate::bm::BurstStep),
}

impl Step {
    pub fn write(offset: u32, value: u32) -> Step {
        Step::Write {
            offset,
            value,
            strb: 0xF,
        }
    }
}

/// The fixed read-back after the last round: every readable register (8237 ports through the
/// flip-flop, LSB then MSB), with unconfigured channel slots included, in a defined order, plus
/// two addresses that must answer an error.
pub fn readback(cfg: &Config) -> Vec<Step> {
    let mut v = vec![Step::write(rm::CLEAR_FLIP_FLOP.offset, 0)];
    let read = |offset| Step::Read { offset };
    for ch in 0..MAX_CHANNELS {
        for _ in 0..2 {
            v.push(read(rm::DMA_ADDR.at(ch)));
        }
        for _ in 0..2 {
            v.push(read(rm::DMA_COUNT.at(ch)));
        }
    }
    for r in [
        rm::STATUS,
        rm::REQUEST,
        rm::SINGLE_MASK,
        rm::MODE,
        rm::CLEAR_FLIP_FLOP,
        rm::TEMPORARY,
        rm::CLEAR_MASK,
        rm::ALL_MASK,
    ] {
        v.push(read(r.offset));
    }
    for ch in 0..MAX_CHANNELS {
        v.push(read(rm::PAGE.at(ch)));
        v.push(read(rm::CH_CONFIG.at(ch)));
    }
    for r in [
        rm::ID,
        rm::HW_VERSION,
        rm::CONFIG0,
        rm::CONFIG1,
        rm::INT_STATUS,
        rm::INT_ENABLE,
        rm::FAULT_CAUSE,
        rm::BM_FAULT,
        rm::BM_FAULT_ADDR,
    ] {
        v.push(read(r.offset));
    }
    for ch in 0..MAX_CHANNELS {
        v.push(read(rm::FAULT_ADDR.at(ch)));
    }
    for ch in 0..MAX_CHANNELS {
        v.push(read(rm::SNAP_COUNT.at(ch)));
        v.push(read(rm::SNAP_ADDR.at(ch)));
        v.push(read(rm::SNAP_INFLIGHT.at(ch)));
    }
    for i in 0..cfg.map_registers {
        v.push(read(rm::MAP.at(i)));
    }
    // No register: past the map file, and a gap in the native block.
    v.push(read(rm::MAP.at(cfg.map_registers)));
    v.push(read(NO_REGISTER));
    v
}

/// An offset in the native block with no register behind it.
pub const NO_REGISTER: u32 = 0x100;

/// The register at `offset`, by name and instance, for messages (`"DMA_COUNT[2]"`). Offsets
/// shared by a read and a write view name the view of the access.
pub fn register_name(cfg: &Config, offset: u32, write: bool) -> String {
    let view = |r: &&rm::Register| {
        r.fields.iter().any(|f| {
            if write {
                f.access.writable()
            } else {
                f.access.readable()
            }
        })
    };
    let name = |r: &rm::Register| {
        (0..r.instances(cfg)).find(|&i| r.at(i) == offset).map(|i| {
            if r.count == rm::Count::One {
                r.name.to_string()
            } else {
                format!("{}[{i}]", r.name)
            }
        })
    };
    rm::REGISTERS
        .iter()
        .filter(view)
        .find_map(name)
        .or_else(|| rm::REGISTERS.iter().find_map(name))
        .unwrap_or_else(|| format!("(no register at {offset:#06x})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_names_follow_the_register_map() {
        let cfg = Config::default();
        assert_eq!(
            register_name(&cfg, rm::DMA_COUNT.at(2), false),
            "DMA_COUNT[2]"
        );
        assert_eq!(register_name(&cfg, rm::STATUS.offset, false), "STATUS");
        assert_eq!(register_name(&cfg, rm::COMMAND.offset, true), "COMMAND");
        assert_eq!(register_name(&cfg, rm::MAP.at(5), false), "MAP[5]");
        assert_eq!(
            register_name(&cfg, rm::TEMPORARY.offset, false),
            "TEMPORARY"
        );
        assert_eq!(
            register_name(&cfg, rm::MASTER_CLEAR.offset, true),
            "MASTER_CLEAR"
        );
        assert!(register_name(&cfg, NO_REGISTER, false).contains("no register"));
    }

    #[test]
    fn readback_reads_every_map_register_and_two_holes() {
        let cfg = Config::small();
        let rb = readback(&cfg);
        let maps = rb
            .iter()
            .filter(|s| matches!(s, Step::Read { offset } if (rm::MAP.at(0)..rm::MAP.at(cfg.map_registers)).contains(offset)))
            .count();
        assert_eq!(maps, cfg.map_registers);
        assert_eq!(
            rb.last(),
            Some(&Step::Read {
                offset: NO_REGISTER
            })
        );
    }

    #[test]
    fn source_bytes_are_little_endian_units() {
        let d = DevicePlan {
            request: Request::WhileData,
            block_handshake: false,
            dreq_in_dack_clock: false,
            unit_bytes: 2,
            source_units: 2,
            pattern_start: 0x1122_3344,
            pattern_step: 1,
            source_rate: Rate::Always,
            sink_rate: Rate::Always,
            dreq_active_low: false,
            dack_active_high: false,
            cascade: false,
            seed: 0,
        };
        assert_eq!(d.source_bytes(0, 2), [0x44, 0x33, 0x45, 0x33]);
    }
}
