//! The whole test system: a mapdma design on some [`Engine`], its memory behind the AXI4 slave
//! model, the AXI4-Lite register master, one device per channel, the interrupt observer and the
//! protocol checkers (always on), advanced one clock at a time.
//!
//! One clock, as [`System::step`] does it: every model drives its inputs (decided at the previous
//! edge); the design is evaluated with the clock low and then the clock rises, in one engine
//! call ([`Engine::clock`]); the checkers inspect both directions of both buses as they were
//! with the clock low; every model takes the handshakes it saw. Models never react
//! combinationally, so the order of models does not matter and there are no loops.

use crate::axi::{AxiMasterSignals, Resp};
use crate::axi_slave::{AxiSlave, AxiSlaveConfig};
use crate::axil_master::{AxilDone, AxilMaster, AxilOp, AxilTiming};
use crate::bus_master::{BusMaster, BusMasterConfig};
use crate::checker::{AxiChecker, AxilChecker, Violation};
use crate::device::{Device, DeviceOut};
use crate::engine::{Engine, EngineError};
use crate::observe::IrqObserver;
use crate::pins::PinMap;
use mapdma_regmap::Config;
use std::fmt;
use std::path::{Path, PathBuf};

/// Clock period used for waveform time stamps: 10 ns (100 MHz).
pub const CLOCK_PERIOD_PS: u64 = 10_000;

/// Environment variable naming a VCD file to write for every [`System`] created.
pub const VCD_ENV: &str = "MAPDMA_VCD";

/// Why a simulation stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// A protocol checker saw a broken rule.
    Protocol(Violation),
    Engine(EngineError),
    /// Something did not happen within the allowed clocks.
    Timeout {
        waiting_for: String,
        cycles: u64,
    },
    /// A register access answered with an error.
    Bus {
        op: AxilOp,
        resp: Resp,
    },
    /// The request cannot be simulated (no model for a configuration, bad argument).
    Unsupported(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Protocol(v) => write!(f, "protocol violation: {v}"),
            SimError::Engine(e) => write!(f, "simulation engine: {e}"),
            SimError::Timeout {
                waiting_for,
                cycles,
            } => write!(
                f,
                "timed out after {cycles} clocks waiting for {waiting_for}"
            ),
            SimError::Bus { op, resp } => write!(f, "register access {op:x?} answered {resp:?}"),
            SimError::Unsupported(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SimError {}

impl From<Violation> for SimError {
    fn from(v: Violation) -> Self {
        SimError::Protocol(v)
    }
}

impl From<EngineError> for SimError {
    fn from(e: EngineError) -> Self {
        SimError::Engine(e)
    }
}

/// Everything about the test bench that is not the design.
#[derive(Clone, Debug)]
pub struct SystemConfig {
    pub memory: AxiSlaveConfig,
    pub axil: AxilTiming,
    /// One device per channel; missing entries are idle devices.
    pub devices: Vec<crate::device::DeviceConfig>,
    /// Clocks of reset at start.
    pub reset_cycles: u32,
    /// Write a VCD file here (the `MAPDMA_VCD` environment variable does the same).
    pub vcd: Option<PathBuf>,
    /// Longest wait for one register access.
    pub axil_timeout: u64,
    /// The bus-master device on `s_bm_axi_*` (designs with the port; idle until given jobs).
    pub bus_master: BusMasterConfig,
    /// Timing of the memory front-end behind `m_bm_axi_*` (the same memory as `memory`).
    pub bm_memory: AxiSlaveConfig,
}

impl Default for SystemConfig {
    fn default() -> Self {
        SystemConfig {
            memory: AxiSlaveConfig::default(),
            axil: AxilTiming::default(),
            devices: vec![],
            reset_cycles: 4,
            vcd: None,
            axil_timeout: 1000,
            bus_master: BusMasterConfig::default(),
            bm_memory: AxiSlaveConfig::default(),
        }
    }
}

/// A mapdma design with its surroundings.
pub struct System<E: Engine> {
    engine: E,
    config: Config,
    pins: PinMap,
    inputs: Vec<u32>,
    outputs: Vec<u32>,
    scratch: Vec<u32>,
    cycle: u64,
    reset: bool,
    axil_timeout: u64,
    pub memory: AxiSlave,
    pub axil: AxilMaster,
    pub devices: Vec<Device>,
    pub irq: IrqObserver,
    /// The bus-master device and the memory front-end behind the port's master (both idle
    /// without the port). The front-end reaches `memory`'s contents and write-permission map:
    /// the two masters share one memory, as the user's interconnect would merge them.
    pub bus_master: BusMaster,
    pub bm_memory: AxiSlave,
    bm_device_check: AxiChecker,
    bm_memory_check: AxiChecker,
    axi_check: AxiChecker,
    axil_check: AxilChecker,
    axil_log: Vec<AxilDone>,
    dev_out: Vec<DeviceOut>,
    m_axi: AxiMasterSignals,
}

impl<E: Engine> System<E> {
    /// Builds the system around `engine` (a design of configuration `config`) and runs the
    /// reset clocks.
    pub fn new(engine: E, config: &Config, sys: SystemConfig) -> Result<Self, SimError> {
        let pins = PinMap::new(engine.ports(), config.channels)?;
        let n_in = engine.ports().inputs.len();
        let n_out = engine.ports().outputs.len();
        let mut devices: Vec<Device> = sys.devices.iter().cloned().map(Device::new).collect();
        if devices.len() > config.channels {
            return Err(SimError::Unsupported(format!(
                "{} devices for {} channels",
                devices.len(),
                config.channels
            )));
        }
        devices.resize_with(config.channels, Device::idle);
        let mut s = System {
            engine,
            config: *config,
            pins,
            inputs: vec![0; n_in],
            outputs: vec![0; n_out],
            scratch: vec![0; n_out],
            cycle: 0,
            reset: false,
            axil_timeout: sys.axil_timeout,
            memory: AxiSlave::new(sys.memory),
            axil: AxilMaster::new(sys.axil),
            devices,
            irq: IrqObserver::default(),
            bus_master: BusMaster::new(sys.bus_master),
            bm_memory: AxiSlave::new(AxiSlaveConfig {
                log: false,
                ..sys.bm_memory
            }),
            bm_device_check: AxiChecker::new("s_bm_axi", None),
            bm_memory_check: AxiChecker::new("m_bm_axi", None),
            axi_check: AxiChecker::new("m_axi", Some(config.outstanding)),
            axil_check: AxilChecker::new("s_axil"),
            axil_log: vec![],
            dev_out: vec![DeviceOut::default(); config.channels],
            m_axi: AxiMasterSignals::default(),
        };
        let vcd = sys
            .vcd
            .or_else(|| std::env::var_os(VCD_ENV).map(PathBuf::from));
        if let Some(path) = vcd {
            s.trace_open(&path)?;
        }
        s.reset(sys.reset_cycles.max(1))?;
        Ok(s)
    }

    /// The design's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn engine_name(&self) -> &'static str {
        self.engine.name()
    }

    /// Clocks simulated so far (the cycle counter).
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Starts a VCD waveform file (GTKWave opens it).
    pub fn trace_open(&mut self, path: &Path) -> Result<(), SimError> {
        Ok(self.engine.trace_open(path)?)
    }

    /// Flushes and closes the waveform file.
    pub fn trace_close(&mut self) -> Result<(), SimError> {
        Ok(self.engine.trace_close()?)
    }

    /// Holds reset for `cycles` clocks. Register accesses and memory transactions in progress
    /// are dropped (the whole bus is reset); memory contents and device state stay.
    pub fn reset(&mut self, cycles: u32) -> Result<(), SimError> {
        self.axil.clear();
        self.memory.reset_bus();
        self.bm_memory.reset_bus();
        self.bus_master.reset_bus();
        self.reset = true;
        for _ in 0..cycles {
            self.step()?;
        }
        self.reset = false;
        Ok(())
    }

    /// What channel `ch` drove towards its device in the last clock.
    pub fn dev_out(&self, ch: usize) -> DeviceOut {
        self.dev_out[ch]
    }

    /// What the design drove on its memory bus (`m_axi_*`) in the last clock.
    pub fn m_axi(&self) -> AxiMasterSignals {
        self.m_axi
    }

    /// The memory bus is quiet: the design offered no request or write beat in the last clock
    /// and the memory owes no response.
    pub fn memory_bus_idle(&self) -> bool {
        let m = self.m_axi;
        !(m.arvalid || m.awvalid || m.wvalid) && self.memory.in_flight() == (0, 0)
    }

    /// The input words the design saw in the last clock (benchmarks replay them).
    pub fn input_words(&self) -> &[u32] {
        &self.inputs
    }

    /// Every finished register access, in order.
    pub fn axil_log(&self) -> &[AxilDone] {
        &self.axil_log
    }

    /// Handshakes the checkers saw: (AXI4 master bus, AXI4-Lite bus).
    pub fn checked_handshakes(&self) -> (u64, u64) {
        (self.axi_check.handshakes(), self.axil_check.handshakes())
    }

    /// Handshakes the bus-master port's checkers saw: (device side, memory side).
    pub fn bm_checked_handshakes(&self) -> (u64, u64) {
        (
            self.bm_device_check.handshakes(),
            self.bm_memory_check.handshakes(),
        )
    }

    /// The design has the bus-master port.
    pub fn has_bus_master_port(&self) -> bool {
        self.pins.bm.is_some()
    }

    /// One clock.
    pub fn step(&mut self) -> Result<(), SimError> {
        let p = &self.pins;
        let axil_m = self.axil.drive();
        let mem_s = self.memory.drive();
        p.put_axil(&mut self.inputs, &axil_m);
        p.put_axi(&mut self.inputs, &mem_s);
        for (ch, d) in self.devices.iter().enumerate() {
            p.put_dev(&mut self.inputs, ch, &d.drive());
        }
        let bm_m = self.bus_master.drive();
        let bm_s = self.bm_memory.drive();
        p.put_bm_device(&mut self.inputs, &bm_m);
        p.put_bm_memory(&mut self.inputs, &bm_s);
        self.inputs[p.reset] = self.reset as u32;
        let t = self.cycle * CLOCK_PERIOD_PS;
        // Only devices that react to DACK in its own clock read the outputs after the edge.
        let after_edge = self
            .devices
            .iter()
            .any(Device::watches_dack)
            .then_some(&mut self.scratch[..]);
        self.engine.clock(
            &mut self.inputs,
            p.clock,
            &mut self.outputs,
            after_edge,
            t,
            CLOCK_PERIOD_PS / 2,
        )?;

        let axi_m = p.get_axi(&self.outputs);
        let axil_s = p.get_axil(&self.outputs);
        for (ch, o) in self.dev_out.iter_mut().enumerate() {
            *o = p.get_dev(&self.outputs, ch);
        }
        let irq = p.get_irq(&self.outputs);
        let cycle = self.cycle;
        self.axi_check.observe(&axi_m, &mem_s, self.reset, cycle)?;
        self.axil_check
            .observe(&axil_m, &axil_s, self.reset, cycle)?;
        if p.bm.is_some() {
            let dev_s = p.get_bm_device(&self.outputs);
            let mem_m = p.get_bm_memory(&self.outputs);
            // Fast path: no job, nothing in flight on either side, nothing offered.
            let quiet = self.bus_master.idle()
                && self.bm_memory.in_flight() == (0, 0)
                && !(mem_m.arvalid || mem_m.awvalid || mem_m.wvalid)
                && !(dev_s.rvalid || dev_s.bvalid)
                && !self.reset;
            if !quiet {
                self.bm_device_check
                    .observe(&bm_m, &dev_s, self.reset, cycle)?;
                self.bm_memory_check
                    .observe(&mem_m, &bm_s, self.reset, cycle)?;
                self.bus_master.clock(&dev_s);
                std::mem::swap(&mut self.memory.memory, &mut self.bm_memory.memory);
                std::mem::swap(
                    &mut self.memory.permissions,
                    &mut self.bm_memory.permissions,
                );
                self.bm_memory.clock(&mem_m, cycle);
                std::mem::swap(&mut self.memory.memory, &mut self.bm_memory.memory);
                std::mem::swap(
                    &mut self.memory.permissions,
                    &mut self.bm_memory.permissions,
                );
            }
        }

        self.memory.clock(&axi_m, cycle);
        self.m_axi = axi_m;
        self.axil.clock(&axil_s, cycle);
        for (ch, (d, o)) in self.devices.iter_mut().zip(&self.dev_out).enumerate() {
            d.clock(o, cycle);
            if d.watches_dack() {
                d.see_dack(p.get_dack(&self.scratch, ch));
            }
        }
        self.irq.observe(irq, cycle);
        self.cycle += 1;
        Ok(())
    }

    /// `cycles` clocks.
    pub fn run(&mut self, cycles: u64) -> Result<(), SimError> {
        for _ in 0..cycles {
            self.step()?;
        }
        Ok(())
    }

    /// Clocks until `done(self)` holds (checked before each clock); returns the clocks run.
    pub fn run_until(
        &mut self,
        max_cycles: u64,
        what: &str,
        mut done: impl FnMut(&Self) -> bool,
    ) -> Result<u64, SimError> {
        for n in 0..=max_cycles {
            if done(self) {
                return Ok(n);
            }
            if n < max_cycles {
                self.step()?;
            }
        }
        Err(SimError::Timeout {
            waiting_for: what.to_string(),
            cycles: max_cycles,
        })
    }

    /// Performs one register access, running clocks until it finishes; returns it whatever
    /// the response.
    pub fn axil_access(&mut self, op: AxilOp) -> Result<AxilDone, SimError> {
        self.axil.push(op);
        for _ in 0..self.axil_timeout {
            self.step()?;
            if let Some(d) = self.axil.pop_done() {
                self.axil_log.push(d);
                return Ok(d);
            }
        }
        Err(SimError::Timeout {
            waiting_for: format!("register access {op:x?}"),
            cycles: self.axil_timeout,
        })
    }

    /// Writes a 32-bit register; an error response is an `Err`.
    pub fn axil_write(&mut self, addr: u32, data: u32) -> Result<(), SimError> {
        let op = AxilOp::Write {
            addr,
            data,
            strb: 0xF,
        };
        let d = self.axil_access(op)?;
        match d.resp {
            Resp::Okay => Ok(()),
            resp => Err(SimError::Bus { op, resp }),
        }
    }

    /// Reads a 32-bit register; an error response is an `Err`.
    pub fn axil_read(&mut self, addr: u32) -> Result<u32, SimError> {
        let op = AxilOp::Read { addr };
        let d = self.axil_access(op)?;
        match d.resp {
            Resp::Okay => Ok(d.data),
            resp => Err(SimError::Bus { op, resp }),
        }
    }
}

impl<E: Engine> Drop for System<E> {
    fn drop(&mut self) {
        // Flush the waveform even when a test fails half-way.
        let _ = self.engine.trace_close();
    }
}
