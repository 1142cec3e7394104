//! mapdma on either engine: the Verilator models built into this crate, or the rust-hdl block
//! from `mapdma-hdl` simulated directly.

use crate::engine::{
    Engine, InputFn, OutputFn, PortBinder, PortTable, RustHdlEngine, VerilatorEngine, Word,
};
use crate::port_names::{self as names, PortName};
use crate::system::{SimError, System, SystemConfig};
use crate::verilated::{mapdma_default, mapdma_small};
use mapdma_hdl::MapDma;
use mapdma_regmap::Config;
use mapdma_verilate::VerilatedModel;
use std::fmt;

/// Which simulator evaluates the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// The Verilator model compiled into this crate (fast; only the built configurations).
    Verilator,
    /// rust-hdl's own evaluation of the `mapdma-hdl` block (slow; any configuration).
    RustHdl,
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EngineKind::Verilator => "verilator",
            EngineKind::RustHdl => "rust-hdl",
        })
    }
}

/// The configurations that have a Verilator model in this build.
pub fn verilated_configs() -> [Config; 2] {
    [Config::default(), Config::small()]
}

/// A Verilator engine for `cfg`.
pub fn verilator_engine(cfg: &Config) -> Result<Box<dyn Engine>, SimError> {
    verilator_engine_with(cfg, true)
}

/// A Verilator engine for `cfg`, its rising edge taking the shortcut past the input-driven pass
/// or not (where the build allows it; see `mapdma_verilate::edge`), to compare the two.
pub fn verilator_engine_with(
    cfg: &Config,
    edge_shortcut: bool,
) -> Result<Box<dyn Engine>, SimError> {
    fn boxed<M: VerilatedModel + 'static>(mut m: M, edge_shortcut: bool) -> Box<dyn Engine> {
        m.set_edge_shortcut(edge_shortcut);
        Box::new(VerilatorEngine::new(m))
    }
    if *cfg == Config::default() {
        Ok(boxed(mapdma_default::Model::new(), edge_shortcut))
    } else if *cfg == Config::small() {
        Ok(boxed(mapdma_small::Model::new(), edge_shortcut))
    } else {
        Err(SimError::Unsupported(format!(
            "no Verilator model was built for {cfg:?}; built: Config::default() and Config::small() \
             (use the rust-hdl engine for other configurations)"
        )))
    }
}

/// A rust-hdl engine for `cfg`.
pub fn rust_hdl_engine(cfg: &Config) -> Result<Box<dyn Engine>, SimError> {
    let hdl = |e: mapdma_hdl::HdlError| SimError::Unsupported(e.to_string());
    let top = mapdma_hdl::build(cfg).map_err(hdl)?;
    let ports = mapdma_hdl::ports(cfg).map_err(hdl)?;
    let table = PortTable::from_list(ports.iter().map(|p| {
        (
            p.name.as_str(),
            p.width as u32,
            p.dir == mapdma_hdl::PortDir::In,
        )
    }));
    Ok(Box::new(RustHdlEngine::new(top, table, &MapDmaPorts)?))
}

/// An engine of either kind.
pub fn engine(kind: EngineKind, cfg: &Config) -> Result<Box<dyn Engine>, SimError> {
    match kind {
        EngineKind::Verilator => verilator_engine(cfg),
        EngineKind::RustHdl => rust_hdl_engine(cfg),
    }
}

/// A [`System`] around mapdma on the chosen engine.
pub fn system(
    kind: EngineKind,
    cfg: &Config,
    sys: SystemConfig,
) -> Result<System<Box<dyn Engine>>, SimError> {
    System::new(engine(kind, cfg)?, cfg, sys)
}

/// Reaches the `MapDma` block's ports by their Verilog names ([`crate::port_names`]); the match
/// arms name the block's signals within each bundle.
pub struct MapDmaPorts;

macro_rules! field_inputs {
    ($signal:expr; $($n:literal => $f:ident),* $(,)?) => {
        match $signal {
            $($n => Some(Box::new(|t: &mut MapDma, v: u32| t.$f.next = Word::from_word(v)) as InputFn<MapDma>),)*
            _ => None,
        }
    };
}

macro_rules! field_outputs {
    ($signal:expr; $($n:literal => $f:ident),* $(,)?) => {
        match $signal {
            $($n => Some(Box::new(|t: &MapDma| t.$f.val().to_word()) as OutputFn<MapDma>),)*
            _ => None,
        }
    };
}

impl PortBinder<MapDma> for MapDmaPorts {
    fn input(&self, name: &str) -> Option<InputFn<MapDma>> {
        match names::parse(name) {
            PortName::Dev(i, f) => {
                let set: InputFn<MapDma> = match f {
                    "dreq" => Box::new(move |t, v| t.dev[i].dreq.next = Word::from_word(v)),
                    "src_data" => Box::new(move |t, v| t.dev[i].src_data.next = Word::from_word(v)),
                    "src_valid" => {
                        Box::new(move |t, v| t.dev[i].src_valid.next = Word::from_word(v))
                    }
                    "snk_ready" => {
                        Box::new(move |t, v| t.dev[i].snk_ready.next = Word::from_word(v))
                    }
                    "eop_in" => Box::new(move |t, v| t.dev[i].eop_in.next = Word::from_word(v)),
                    _ => return None,
                };
                Some(set)
            }
            PortName::Plain(n) if n == names::CLOCK => field_inputs!("clock"; "clock" => clock),
            PortName::Plain(n) if n == names::RESET => field_inputs!("reset"; "reset" => reset),
            PortName::SAxil(s) => field_inputs!(s;
                "awaddr" => s_axil_awaddr,
                "awvalid" => s_axil_awvalid,
                "wdata" => s_axil_wdata,
                "wstrb" => s_axil_wstrb,
                "wvalid" => s_axil_wvalid,
                "bready" => s_axil_bready,
                "araddr" => s_axil_araddr,
                "arvalid" => s_axil_arvalid,
                "rready" => s_axil_rready,
            ),
            PortName::MAxi(s) => field_inputs!(s;
                "awready" => m_axi_awready,
                "wready" => m_axi_wready,
                "bresp" => m_axi_bresp,
                "bvalid" => m_axi_bvalid,
                "arready" => m_axi_arready,
                "rdata" => m_axi_rdata,
                "rresp" => m_axi_rresp,
                "rlast" => m_axi_rlast,
                "rvalid" => m_axi_rvalid,
            ),
            PortName::SBmAxi(s) => field_inputs!(s;
                "awaddr" => s_bm_axi_awaddr,
                "awlen" => s_bm_axi_awlen,
                "awsize" => s_bm_axi_awsize,
                "awburst" => s_bm_axi_awburst,
                "awvalid" => s_bm_axi_awvalid,
                "wdata" => s_bm_axi_wdata,
                "wstrb" => s_bm_axi_wstrb,
                "wlast" => s_bm_axi_wlast,
                "wvalid" => s_bm_axi_wvalid,
                "bready" => s_bm_axi_bready,
                "araddr" => s_bm_axi_araddr,
                "arlen" => s_bm_axi_arlen,
                "arsize" => s_bm_axi_arsize,
                "arburst" => s_bm_axi_arburst,
                "arvalid" => s_bm_axi_arvalid,
                "rready" => s_bm_axi_rready,
            ),
            PortName::MBmAxi(s) => field_inputs!(s;
                "awready" => m_bm_axi_awready,
                "wready" => m_bm_axi_wready,
                "bresp" => m_bm_axi_bresp,
                "bvalid" => m_bm_axi_bvalid,
                "arready" => m_bm_axi_arready,
                "rdata" => m_bm_axi_rdata,
                "rresp" => m_bm_axi_rresp,
                "rlast" => m_bm_axi_rlast,
                "rvalid" => m_bm_axi_rvalid,
            ),
            PortName::Plain(_) => None,
        }
    }

    fn output(&self, name: &str) -> Option<OutputFn<MapDma>> {
        match names::parse(name) {
            PortName::Dev(i, f) => {
                let get: OutputFn<MapDma> = match f {
                    "dack" => Box::new(move |t| t.dev[i].dack.val().to_word()),
                    "src_ready" => Box::new(move |t| t.dev[i].src_ready.val().to_word()),
                    "snk_data" => Box::new(move |t| t.dev[i].snk_data.val().to_word()),
                    "snk_valid" => Box::new(move |t| t.dev[i].snk_valid.val().to_word()),
                    "snk_last" => Box::new(move |t| t.dev[i].snk_last.val().to_word()),
                    "eop_out" => Box::new(move |t| t.dev[i].eop_out.val().to_word()),
                    "moved" => Box::new(move |t| t.dev[i].moved.val().to_word()),
                    _ => return None,
                };
                Some(get)
            }
            PortName::Plain(n) if n == names::IRQ => field_outputs!("irq"; "irq" => irq),
            PortName::SAxil(s) => field_outputs!(s;
                "awready" => s_axil_awready,
                "wready" => s_axil_wready,
                "bresp" => s_axil_bresp,
                "bvalid" => s_axil_bvalid,
                "arready" => s_axil_arready,
                "rdata" => s_axil_rdata,
                "rresp" => s_axil_rresp,
                "rvalid" => s_axil_rvalid,
            ),
            PortName::MAxi(s) => field_outputs!(s;
                "awaddr" => m_axi_awaddr,
                "awlen" => m_axi_awlen,
                "awsize" => m_axi_awsize,
                "awburst" => m_axi_awburst,
                "awvalid" => m_axi_awvalid,
                "wdata" => m_axi_wdata,
                "wstrb" => m_axi_wstrb,
                "wlast" => m_axi_wlast,
                "wvalid" => m_axi_wvalid,
                "bready" => m_axi_bready,
                "araddr" => m_axi_araddr,
                "arlen" => m_axi_arlen,
                "arsize" => m_axi_arsize,
                "arburst" => m_axi_arburst,
                "arvalid" => m_axi_arvalid,
                "rready" => m_axi_rready,
            ),
            PortName::SBmAxi(s) => field_outputs!(s;
                "awready" => s_bm_axi_awready,
                "wready" => s_bm_axi_wready,
                "bresp" => s_bm_axi_bresp,
                "bvalid" => s_bm_axi_bvalid,
                "arready" => s_bm_axi_arready,
                "rdata" => s_bm_axi_rdata,
                "rresp" => s_bm_axi_rresp,
                "rlast" => s_bm_axi_rlast,
                "rvalid" => s_bm_axi_rvalid,
            ),
            PortName::MBmAxi(s) => field_outputs!(s;
                "awaddr" => m_bm_axi_awaddr,
                "awlen" => m_bm_axi_awlen,
                "awsize" => m_bm_axi_awsize,
                "awburst" => m_bm_axi_awburst,
                "awvalid" => m_bm_axi_awvalid,
                "wdata" => m_bm_axi_wdata,
                "wstrb" => m_bm_axi_wstrb,
                "wlast" => m_bm_axi_wlast,
                "wvalid" => m_bm_axi_wvalid,
                "bready" => m_bm_axi_bready,
                "araddr" => m_bm_axi_araddr,
                "arlen" => m_bm_axi_arlen,
                "arsize" => m_bm_axi_arsize,
                "arburst" => m_bm_axi_arburst,
                "arvalid" => m_bm_axi_arvalid,
                "rready" => m_bm_axi_rready,
            ),
            PortName::Plain(_) => None,
        }
    }
}
