//! Where each mapdma signal sits in an engine's port words, looked up once by the Verilog
//! names of hdl/DESIGN.md §1 ([`crate::port_names`]), so the testbench works for any
//! configuration and either engine.

use crate::axi::{AxiMasterSignals, AxiSlaveSignals, AxilMasterSignals, AxilSlaveSignals};
use crate::device::{DeviceIn, DeviceOut};
use crate::engine::{EngineError, PortTable};
use crate::port_names::{
    self as names, DEV_IN, DEV_OUT, M_AXI_IN, M_AXI_OUT, S_AXIL_IN, S_AXIL_OUT,
};

/// Word indices of the bus-master port's two AXI4 buses (hdl/DESIGN.md §8).
#[derive(Clone, Debug)]
pub struct BmPins {
    /// What the bus-master device drives / receives on `s_bm_axi_*`.
    s_in: [usize; 16],
    s_out: [usize; 9],
    /// What the design drives / the memory answers on `m_bm_axi_*`.
    m_out: [usize; 16],
    m_in: [usize; 9],
}

/// Word indices of every mapdma port.
#[derive(Clone, Debug)]
pub struct PinMap {
    pub clock: usize,
    pub reset: usize,
    s_axil_in: [usize; 9],
    s_axil_out: [usize; 8],
    m_axi_out: [usize; 16],
    m_axi_in: [usize; 9],
    dev_in: Vec<[usize; DEV_IN.len()]>,
    dev_out: Vec<[usize; DEV_OUT.len()]>,
    irq: usize,
    /// The bus-master port's buses, when the design has them.
    pub bm: Option<BmPins>,
}

fn find<const N: usize>(
    lookup: impl Fn(&str) -> Option<usize>,
    port: impl Fn(&str) -> String,
    signals: [&str; N],
) -> Result<[usize; N], EngineError> {
    let mut out = [0; N];
    for (o, n) in out.iter_mut().zip(signals) {
        let full = port(n);
        *o = lookup(&full).ok_or(EngineError::UnknownPort(full))?;
    }
    Ok(out)
}

impl PinMap {
    pub fn new(t: &PortTable, channels: usize) -> Result<Self, EngineError> {
        let i = |n: &str| t.input(n);
        let o = |n: &str| t.output(n);
        let one = |idx: Option<usize>, n: &str| idx.ok_or(EngineError::UnknownPort(n.into()));
        Ok(PinMap {
            clock: one(t.input(names::CLOCK), names::CLOCK)?,
            reset: one(t.input(names::RESET), names::RESET)?,
            s_axil_in: find(i, names::s_axil, S_AXIL_IN)?,
            s_axil_out: find(o, names::s_axil, S_AXIL_OUT)?,
            m_axi_out: find(o, names::m_axi, M_AXI_OUT)?,
            m_axi_in: find(i, names::m_axi, M_AXI_IN)?,
            dev_in: (0..channels)
                .map(|c| find(i, |s| names::dev(c, s), DEV_IN))
                .collect::<Result<_, _>>()?,
            dev_out: (0..channels)
                .map(|c| find(o, |s| names::dev(c, s), DEV_OUT))
                .collect::<Result<_, _>>()?,
            irq: one(t.output(names::IRQ), names::IRQ)?,
            bm: match t.input(&names::s_bm_axi("awaddr")) {
                None => None,
                Some(_) => Some(BmPins {
                    s_in: find(i, names::s_bm_axi, M_AXI_OUT)?,
                    s_out: find(o, names::s_bm_axi, M_AXI_IN)?,
                    m_out: find(o, names::m_bm_axi, M_AXI_OUT)?,
                    m_in: find(i, names::m_bm_axi, M_AXI_IN)?,
                }),
            },
        })
    }

    #[inline]
    pub fn channels(&self) -> usize {
        self.dev_in.len()
    }

    #[inline]
    pub fn put_axil(&self, w: &mut [u32], m: &AxilMasterSignals) {
        let v = [
            m.awaddr,
            m.awvalid as u32,
            m.wdata,
            m.wstrb,
            m.wvalid as u32,
            m.bready as u32,
            m.araddr,
            m.arvalid as u32,
            m.rready as u32,
        ];
        for (&i, v) in self.s_axil_in.iter().zip(v) {
            w[i] = v;
        }
    }

    #[inline]
    pub fn get_axil(&self, w: &[u32]) -> AxilSlaveSignals {
        let g = |k: usize| w[self.s_axil_out[k]];
        AxilSlaveSignals {
            awready: g(0) != 0,
            wready: g(1) != 0,
            bresp: g(2),
            bvalid: g(3) != 0,
            arready: g(4) != 0,
            rdata: g(5),
            rresp: g(6),
            rvalid: g(7) != 0,
        }
    }

    #[inline]
    pub fn put_axi(&self, w: &mut [u32], s: &AxiSlaveSignals) {
        put_slave(&self.m_axi_in, w, s);
    }

    #[inline]
    pub fn get_axi(&self, w: &[u32]) -> AxiMasterSignals {
        get_master(&self.m_axi_out, w)
    }

    /// The bus-master device's signals into `s_bm_axi_*` (no-op without the port).
    #[inline]
    pub fn put_bm_device(&self, w: &mut [u32], m: &AxiMasterSignals) {
        if let Some(bm) = &self.bm {
            put_master(&bm.s_in, w, m);
        }
    }

    /// What `s_bm_axi_*` answers the device.
    #[inline]
    pub fn get_bm_device(&self, w: &[u32]) -> AxiSlaveSignals {
        self.bm
            .as_ref()
            .map_or_else(AxiSlaveSignals::default, |bm| get_slave(&bm.s_out, w))
    }

    /// The memory's answer into `m_bm_axi_*`.
    #[inline]
    pub fn put_bm_memory(&self, w: &mut [u32], s: &AxiSlaveSignals) {
        if let Some(bm) = &self.bm {
            put_slave(&bm.m_in, w, s);
        }
    }

    /// What the port drives on `m_bm_axi_*`.
    #[inline]
    pub fn get_bm_memory(&self, w: &[u32]) -> AxiMasterSignals {
        self.bm
            .as_ref()
            .map_or_else(AxiMasterSignals::default, |bm| get_master(&bm.m_out, w))
    }
}

#[inline]
fn put_slave(pins: &[usize; 9], w: &mut [u32], s: &AxiSlaveSignals) {
    let v = [
        s.awready as u32,
        s.wready as u32,
        s.bresp,
        s.bvalid as u32,
        s.arready as u32,
        s.rdata,
        s.rresp,
        s.rlast as u32,
        s.rvalid as u32,
    ];
    for (&i, v) in pins.iter().zip(v) {
        w[i] = v;
    }
}

#[inline]
fn get_slave(pins: &[usize; 9], w: &[u32]) -> AxiSlaveSignals {
    let g = |k: usize| w[pins[k]];
    AxiSlaveSignals {
        awready: g(0) != 0,
        wready: g(1) != 0,
        bresp: g(2),
        bvalid: g(3) != 0,
        arready: g(4) != 0,
        rdata: g(5),
        rresp: g(6),
        rlast: g(7) != 0,
        rvalid: g(8) != 0,
    }
}

#[inline]
fn put_master(pins: &[usize; 16], w: &mut [u32], m: &AxiMasterSignals) {
    let v = [
        m.awaddr,
        m.awlen,
        m.awsize,
        m.awburst,
        m.awvalid as u32,
        m.wdata,
        m.wstrb,
        m.wlast as u32,
        m.wvalid as u32,
        m.bready as u32,
        m.araddr,
        m.arlen,
        m.arsize,
        m.arburst,
        m.arvalid as u32,
        m.rready as u32,
    ];
    for (&i, v) in pins.iter().zip(v) {
        w[i] = v;
    }
}

#[inline]
fn get_master(pins: &[usize; 16], w: &[u32]) -> AxiMasterSignals {
    let g = |k: usize| w[pins[k]];
    AxiMasterSignals {
        awaddr: g(0),
        awlen: g(1),
        awsize: g(2),
        awburst: g(3),
        awvalid: g(4) != 0,
        wdata: g(5),
        wstrb: g(6),
        wlast: g(7) != 0,
        wvalid: g(8) != 0,
        bready: g(9) != 0,
        araddr: g(10),
        arlen: g(11),
        arsize: g(12),
        arburst: g(13),
        arvalid: g(14) != 0,
        rready: g(15) != 0,
    }
}

impl PinMap {
    #[inline]
    pub fn put_dev(&self, w: &mut [u32], ch: usize, d: &DeviceIn) {
        let v = [
            d.dreq as u32,
            d.src_data,
            d.src_valid as u32,
            d.snk_ready as u32,
            d.eop_in as u32,
        ];
        for (&i, v) in self.dev_in[ch].iter().zip(v) {
            w[i] = v;
        }
    }

    #[inline]
    pub fn get_dev(&self, w: &[u32], ch: usize) -> DeviceOut {
        let g = |k: usize| w[self.dev_out[ch][k]];
        DeviceOut {
            dack: self.get_dack(w, ch),
            src_ready: g(1) != 0,
            snk_data: g(2),
            snk_valid: g(3) != 0,
            snk_last: g(4) != 0,
            eop_out: g(5) != 0,
            moved: g(6) != 0,
        }
    }

    /// The DACK pin alone (read every clock for devices that react to DACK in its own clock).
    #[inline]
    pub fn get_dack(&self, w: &[u32], ch: usize) -> bool {
        w[self.dev_out[ch][0]] != 0
    }

    #[inline]
    pub fn get_irq(&self, w: &[u32]) -> bool {
        w[self.irq] != 0
    }
}
