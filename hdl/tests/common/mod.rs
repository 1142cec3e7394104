//! A cycle-by-cycle testbench for the rust-hdl simulation of the mapdma top block: an AXI4-Lite
//! master, an AXI4 memory slave with latency, backpressure and error ranges, per-channel device
//! models, and a recorder of every memory transaction. Each `step` is one clock: models drive
//! inputs, the design settles, handshakes are observed, then the rising edge.

#![allow(dead_code)]

pub mod bm;

use mapdma_hdl::regmap::{self, Config};
use mapdma_hdl::MapDma;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::collections::{BTreeMap, VecDeque};

/// One memory transaction the design issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    Read {
        addr: u32,
        size: u32,
        cycle: u64,
    },
    Write {
        addr: u32,
        data: u32,
        strb: u32,
        cycle: u64,
    },
}

#[derive(Default)]
pub struct Device {
    /// Units the device will hand to the DMA (write transfers).
    pub source: VecDeque<u32>,
    /// Units the DMA delivered (read transfers), with their `last` flag.
    pub sink: Vec<(u32, bool)>,
    pub dreq: bool,
    /// 0 = ready every clock; k = ready one clock in k (sink) / valid one clock in k (source).
    pub sink_every: u64,
    pub source_every: u64,
    pub eop_in: bool,
    pub eop_out_pulses: Vec<u64>,
    /// Cycles at which the device handed over a unit.
    pub taken_at: Vec<u64>,
    /// Cycles in which `moved` pulsed (a unit of the channel committed).
    pub moved_at: Vec<u64>,
    /// The DACK pin level and `moved` in the last clock observed.
    pub dack_pin: bool,
    pub moved: bool,
}

pub struct MemConfig {
    /// Clocks from request acceptance to response.
    pub latency: u64,
    /// Probability (0..1) that a READY/VALID of the memory is withheld in a clock.
    pub stall: f64,
    /// Address ranges answering SLVERR (resp 2) / DECERR (resp 3).
    pub slverr: Vec<(u32, u32)>,
    pub decerr: Vec<(u32, u32)>,
}

impl Default for MemConfig {
    fn default() -> Self {
        MemConfig {
            latency: 1,
            stall: 0.0,
            slverr: vec![],
            decerr: vec![],
        }
    }
}

pub struct Bench {
    pub uut: MapDma,
    pub cfg: Config,
    pub cycle: u64,
    pub mem: BTreeMap<u32, u8>,
    pub mem_cfg: MemConfig,
    pub accesses: Vec<Access>,
    pub devices: Vec<Device>,
    rng: StdRng,
    // Memory slave state.
    ar_q: VecDeque<(u64, u32, u32)>,
    aw_q: VecDeque<(u32, u32)>,
    w_q: VecDeque<(u32, u32)>,
    b_q: VecDeque<(u64, u32)>,
    r_q: VecDeque<(u64, u32, u32)>,
    // Protocol checks: a VALID seen without READY must stay with the same payload.
    pending_ar: Option<u64>,
    pending_aw: Option<u64>,
    pending_w: Option<(u32, u32)>,
    pub irq_history: Vec<bool>,
    /// The bus-master device and its memory front-end (designs with the port; idle if `None`).
    pub bm: Option<bm::BmSide>,
}

fn set(sig: &mut Signal<In, Bit>, v: bool) {
    sig.next = v;
}

impl Bench {
    pub fn new(cfg: Config) -> Self {
        Self::with_memory(cfg, MemConfig::default(), 1)
    }

    pub fn with_memory(cfg: Config, mem_cfg: MemConfig, seed: u64) -> Self {
        let uut = mapdma_hdl::build(&cfg).expect("configuration builds");
        let devices = (0..cfg.channels).map(|_| Device::default()).collect();
        let mut b = Bench {
            uut,
            cfg,
            cycle: 0,
            mem: BTreeMap::new(),
            mem_cfg,
            accesses: vec![],
            devices,
            rng: StdRng::seed_from_u64(seed),
            ar_q: VecDeque::new(),
            aw_q: VecDeque::new(),
            w_q: VecDeque::new(),
            b_q: VecDeque::new(),
            r_q: VecDeque::new(),
            pending_ar: None,
            pending_aw: None,
            pending_w: None,
            irq_history: vec![],
            bm: None,
        };
        b.uut.clock.next = Clock { clk: false };
        b.uut.s_axil_bready.next = true;
        b.uut.s_axil_rready.next = true;
        b.settle();
        b.uut.reset.next = true;
        b.step();
        b.step();
        b.uut.reset.next = false;
        b
    }

    fn settle(&mut self) {
        assert!(simulate(&mut self.uut, 10_000), "design failed to settle");
    }

    /// Drives the models' inputs for this clock.
    fn drive(&mut self) {
        let stall = self.mem_cfg.stall;
        let cycle = self.cycle;
        if let Some(bm) = &mut self.bm {
            bm.drive(&mut self.uut, cycle);
        }
        // Memory slave: READYs with random stalls, responses when due.
        let r1: f64 = self.rng.gen();
        let r2: f64 = self.rng.gen();
        let r3: f64 = self.rng.gen();
        let r4: f64 = self.rng.gen();
        let r5: f64 = self.rng.gen();
        self.uut.m_axi_arready.next = r1 >= stall;
        self.uut.m_axi_awready.next = r2 >= stall;
        self.uut.m_axi_wready.next = r3 >= stall;
        let r_due = self.r_q.front().map(|r| r.0 <= cycle).unwrap_or(false) && r4 >= stall;
        self.uut.m_axi_rvalid.next = r_due;
        if let Some(&(_, data, resp)) = self.r_q.front() {
            self.uut.m_axi_rdata.next = data.to_bits();
            self.uut.m_axi_rresp.next = (resp as u64).to_bits();
        }
        self.uut.m_axi_rlast.next = true;
        let b_due = self.b_q.front().map(|b| b.0 <= cycle).unwrap_or(false) && r5 >= stall;
        self.uut.m_axi_bvalid.next = b_due;
        if let Some(&(_, resp)) = self.b_q.front() {
            self.uut.m_axi_bresp.next = (resp as u64).to_bits();
        }
        // Devices.
        for (i, d) in self.devices.iter().enumerate() {
            let port = &mut self.uut.dev[i];
            set(&mut port.dreq, d.dreq);
            set(&mut port.eop_in, d.eop_in);
            let src_ok = d.source_every == 0 || cycle.is_multiple_of(d.source_every);
            port.src_valid.next = src_ok && !d.source.is_empty();
            port.src_data.next = d.source.front().copied().unwrap_or(0).to_bits();
            port.snk_ready.next = d.sink_every == 0 || cycle.is_multiple_of(d.sink_every);
        }
    }

    fn resp_for(&self, addr: u32) -> u32 {
        if self
            .mem_cfg
            .slverr
            .iter()
            .any(|&(a, b)| addr >= a && addr < b)
        {
            2
        } else if self
            .mem_cfg
            .decerr
            .iter()
            .any(|&(a, b)| addr >= a && addr < b)
        {
            3
        } else {
            0
        }
    }

    /// Observes the handshakes of this clock (after settling with this clock's inputs).
    fn observe(&mut self) {
        if let Some(bm) = &mut self.bm {
            bm.observe(&self.uut, &mut self.mem, self.cycle);
        }
        let u = &self.uut;
        let cycle = self.cycle;
        // Protocol: VALID held with a stable payload until READY.
        let arv = u.m_axi_arvalid.val();
        let ar_addr = u.m_axi_araddr.val().to_u32();
        if let Some(a) = self.pending_ar {
            assert!(
                arv && a == ar_addr as u64,
                "cycle {cycle}: ARVALID/ARADDR changed before ARREADY"
            );
        }
        self.pending_ar = if arv && !u.m_axi_arready.val() {
            Some(ar_addr as u64)
        } else {
            None
        };
        let awv = u.m_axi_awvalid.val();
        let aw_addr = u.m_axi_awaddr.val().to_u32();
        if let Some(a) = self.pending_aw {
            assert!(
                awv && a == aw_addr as u64,
                "cycle {cycle}: AWVALID/AWADDR changed before AWREADY"
            );
        }
        self.pending_aw = if awv && !u.m_axi_awready.val() {
            Some(aw_addr as u64)
        } else {
            None
        };
        let wv = u.m_axi_wvalid.val();
        let wd = (u.m_axi_wdata.val().to_u32(), u.m_axi_wstrb.val().to_u32());
        if let Some(p) = self.pending_w {
            assert!(
                wv && p == wd,
                "cycle {cycle}: WVALID/WDATA changed before WREADY"
            );
        }
        self.pending_w = if wv && !u.m_axi_wready.val() {
            Some(wd)
        } else {
            None
        };
        assert!(u.m_axi_bready.val(), "BREADY is always high");

        let lat = self.mem_cfg.latency.max(1);
        if arv && u.m_axi_arready.val() {
            assert_eq!(u.m_axi_arlen.val().to_u32(), 0);
            let size = u.m_axi_arsize.val().to_u32();
            self.accesses.push(Access::Read {
                addr: ar_addr,
                size,
                cycle,
            });
            let word = ar_addr & !3;
            let data = (0..4).fold(0u32, |acc, k| {
                acc | (*self.mem.get(&(word + k)).unwrap_or(&0) as u32) << (8 * k)
            });
            let resp = self.resp_for(ar_addr);
            self.r_q.push_back((cycle + lat, data, resp));
        }
        if awv && u.m_axi_awready.val() {
            assert_eq!(u.m_axi_awlen.val().to_u32(), 0);
            self.aw_q
                .push_back((aw_addr, u.m_axi_awsize.val().to_u32()));
        }
        if wv && u.m_axi_wready.val() {
            assert!(u.m_axi_wlast.val());
            self.w_q.push_back(wd);
        }
        while !self.aw_q.is_empty() && !self.w_q.is_empty() {
            let (addr, _size) = self.aw_q.pop_front().unwrap();
            let (data, strb) = self.w_q.pop_front().unwrap();
            let resp = self.resp_for(addr);
            if resp == 0 {
                for k in 0..4 {
                    if strb & (1 << k) != 0 {
                        self.mem.insert((addr & !3) + k, (data >> (8 * k)) as u8);
                    }
                }
            }
            self.accesses.push(Access::Write {
                addr,
                data,
                strb,
                cycle,
            });
            self.b_q.push_back((cycle + lat, resp));
        }
        if u.m_axi_rvalid.val() && u.m_axi_rready.val() {
            self.r_q.pop_front();
        }
        if u.m_axi_bvalid.val() {
            self.b_q.pop_front();
        }
        for i in 0..self.devices.len() {
            let port = &u.dev[i];
            if port.src_valid.val() && port.src_ready.val() {
                self.devices[i].source.pop_front();
                self.devices[i].taken_at.push(cycle);
            }
            if port.snk_valid.val() && port.snk_ready.val() {
                self.devices[i]
                    .sink
                    .push((port.snk_data.val().to_u32(), port.snk_last.val()));
            }
            if port.eop_out.val() {
                self.devices[i].eop_out_pulses.push(cycle);
            }
            self.devices[i].dack_pin = port.dack.val();
            self.devices[i].moved = port.moved.val();
            if port.moved.val() {
                self.devices[i].moved_at.push(cycle);
            }
        }
        self.irq_history.push(u.irq.val());
    }

    /// One clock.
    pub fn step(&mut self) {
        self.drive();
        self.settle();
        self.observe();
        self.uut.clock.next = Clock { clk: true };
        self.settle();
        self.uut.clock.next = Clock { clk: false };
        self.settle();
        self.cycle += 1;
    }

    /// System reset in the middle of whatever is going on: the design and the memory slave
    /// (which, as on a real AXI interconnect, shares the reset) both forget in-flight work.
    pub fn reset_system(&mut self) {
        self.uut.reset.next = true;
        self.step();
        self.ar_q.clear();
        self.aw_q.clear();
        self.w_q.clear();
        self.r_q.clear();
        self.b_q.clear();
        self.pending_ar = None;
        self.pending_aw = None;
        self.pending_w = None;
        self.step();
        self.uut.reset.next = false;
        self.step();
    }

    pub fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.step();
        }
    }

    /// Runs until `f` holds, at most `limit` clocks; panics otherwise.
    pub fn run_until(&mut self, limit: u64, mut f: impl FnMut(&Bench) -> bool) {
        for _ in 0..limit {
            if f(self) {
                return;
            }
            self.step();
        }
        panic!("condition not reached within {limit} clocks");
    }

    /// AXI4-Lite write; returns BRESP.
    pub fn write(&mut self, addr: u32, data: u32) -> u32 {
        self.uut.s_axil_awaddr.next = (addr as u64).to_bits();
        self.uut.s_axil_wdata.next = data.to_bits();
        self.uut.s_axil_wstrb.next = 0xF.into();
        self.uut.s_axil_awvalid.next = true;
        self.uut.s_axil_wvalid.next = true;
        let (mut aw_done, mut w_done) = (false, false);
        for _ in 0..100 {
            self.drive();
            self.settle();
            if self.uut.s_axil_awvalid.val() && self.uut.s_axil_awready.val() {
                aw_done = true;
            }
            if self.uut.s_axil_wvalid.val() && self.uut.s_axil_wready.val() {
                w_done = true;
            }
            let bvalid = self.uut.s_axil_bvalid.val();
            let bresp = self.uut.s_axil_bresp.val().to_u32();
            self.observe();
            self.uut.clock.next = Clock { clk: true };
            self.settle();
            self.uut.clock.next = Clock { clk: false };
            if aw_done {
                self.uut.s_axil_awvalid.next = false;
            }
            if w_done {
                self.uut.s_axil_wvalid.next = false;
            }
            self.settle();
            self.cycle += 1;
            if bvalid {
                return bresp;
            }
        }
        panic!("AXI4-Lite write to {addr:#x} never completed");
    }

    /// AXI4-Lite read; returns (RDATA, RRESP).
    pub fn read_resp(&mut self, addr: u32) -> (u32, u32) {
        self.uut.s_axil_araddr.next = (addr as u64).to_bits();
        self.uut.s_axil_arvalid.next = true;
        for _ in 0..100 {
            self.drive();
            self.settle();
            let ar_done = self.uut.s_axil_arvalid.val() && self.uut.s_axil_arready.val();
            let rvalid = self.uut.s_axil_rvalid.val();
            let r = (
                self.uut.s_axil_rdata.val().to_u32(),
                self.uut.s_axil_rresp.val().to_u32(),
            );
            self.observe();
            self.uut.clock.next = Clock { clk: true };
            self.settle();
            self.uut.clock.next = Clock { clk: false };
            if ar_done {
                self.uut.s_axil_arvalid.next = false;
            }
            self.settle();
            self.cycle += 1;
            if rvalid {
                return r;
            }
        }
        panic!("AXI4-Lite read of {addr:#x} never completed");
    }

    pub fn read(&mut self, addr: u32) -> u32 {
        let (d, resp) = self.read_resp(addr);
        assert_eq!(resp, 0, "read of {addr:#x} answered {resp}");
        d
    }

    // ---- 8237-level helpers, all offsets from the register map -------------------------------

    pub fn port_write(&mut self, reg: &regmap::Register, value: u8) {
        self.write(reg.offset, value as u32);
    }

    /// Programs a channel: clear flip-flop, address, count (units−1), page, width, mode.
    pub fn program(
        &mut self,
        ch: usize,
        addr: u16,
        count: u16,
        page: u32,
        width: regmap::UnitWidth,
        mode: u8,
    ) {
        self.write(regmap::CLEAR_FLIP_FLOP.offset, 0);
        self.write(regmap::DMA_ADDR.at(ch), (addr & 0xFF) as u32);
        self.write(regmap::DMA_ADDR.at(ch), (addr >> 8) as u32);
        self.write(regmap::DMA_COUNT.at(ch), (count & 0xFF) as u32);
        self.write(regmap::DMA_COUNT.at(ch), (count >> 8) as u32);
        self.write(regmap::PAGE.at(ch), page);
        self.write(regmap::CH_CONFIG.at(ch), width as u32);
        self.write(regmap::MODE.offset, mode as u32 | ch as u32);
    }

    /// Maps logical page `index` to physical `frame`.
    pub fn map(&mut self, index: usize, frame: u32, writable: bool) {
        let cfg = self.cfg;
        let v = regmap::map::FRAME.put(&cfg, frame)
            | regmap::map::WRITABLE.put(&cfg, writable as u32)
            | regmap::map::VALID.put(&cfg, 1);
        self.write(regmap::MAP.at(index), v);
    }

    pub fn unmask(&mut self, ch: usize) {
        self.write(regmap::SINGLE_MASK.offset, ch as u32);
    }

    /// (count, passes) read atomically.
    pub fn snap(&mut self, ch: usize) -> (u16, u16) {
        let v = self.read(regmap::SNAP_COUNT.at(ch));
        (v as u16, (v >> 16) as u16)
    }

    pub fn mem_read(&self, addr: u32) -> u8 {
        *self.mem.get(&addr).unwrap_or(&0)
    }

    pub fn reads(&self) -> Vec<u32> {
        self.accesses
            .iter()
            .filter_map(|a| match a {
                Access::Read { addr, .. } => Some(*addr),
                _ => None,
            })
            .collect()
    }

    /// Clocks at which the memory accepted each read (`reads`) or write transaction.
    pub fn access_cycles(&self, reads: bool) -> Vec<u64> {
        self.accesses
            .iter()
            .filter_map(|a| match a {
                Access::Read { cycle, .. } if reads => Some(*cycle),
                Access::Write { cycle, .. } if !reads => Some(*cycle),
                _ => None,
            })
            .collect()
    }

    pub fn writes(&self) -> Vec<(u32, u32, u32)> {
        self.accesses
            .iter()
            .filter_map(|a| match a {
                Access::Write {
                    addr, data, strb, ..
                } => Some((*addr, *data, *strb)),
                _ => None,
            })
            .collect()
    }

    /// Memory-bus idle: nothing valid, nothing outstanding.
    pub fn bus_idle(&self) -> bool {
        !self.uut.m_axi_arvalid.val()
            && !self.uut.m_axi_awvalid.val()
            && !self.uut.m_axi_wvalid.val()
            && self.r_q.is_empty()
            && self.b_q.is_empty()
    }
}
