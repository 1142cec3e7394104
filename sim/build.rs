//! Builds the Verilator models linked into this crate: mapdma in its default and small
//! configurations (`mapdma_regmap::Config::default()` and `Config::small()`), and the small test
//! design that exercises the binding itself. Verilog and port lists come from the generators;
//! the bindings come from `mapdma-verilate`.

use mapdma_regmap::Config;
use mapdma_verilate::build::{Builder, ModuleSpec, Options};
use mapdma_verilate::{Dir, Port};
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if let Err(e) = run() {
        // One readable message instead of a panic backtrace.
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn mapdma_ports(cfg: &Config) -> Result<Vec<Port>, Box<dyn std::error::Error>> {
    Ok(mapdma_hdl::ports(cfg)?
        .into_iter()
        .map(|p| {
            let dir = match p.dir {
                mapdma_hdl::PortDir::In => Dir::In,
                mapdma_hdl::PortDir::Out => Dir::Out,
            };
            Port::new(p.name, dir, p.width)
        })
        .collect())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut options = Options::default();
    // The project's one list of Verilator waivers for the generated Verilog, each with its
    // reason (a Verilator configuration file, passed like a source file).
    let waivers = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?)
        .join("../ci/verilator-waivers.vlt")
        .canonicalize()?;
    println!("cargo:rerun-if-changed={}", waivers.display());
    options.verilator_args.push(waivers.display().to_string());
    let mut b = Builder::new(&out, options)?;

    for (prefix, env, cfg) in [
        (
            "Vmapdma_default",
            "MAPDMA_SIM_DEFAULT_RS",
            Config::default(),
        ),
        ("Vmapdma_small", "MAPDMA_SIM_SMALL_RS", Config::small()),
    ] {
        let verilog = mapdma_hdl::verilog(&cfg)?;
        let ports = mapdma_ports(&cfg)?;
        let rs = b.add(&ModuleSpec {
            prefix,
            top: "top",
            verilog: &verilog,
            ports: &ports,
        })?;
        println!("cargo:rustc-env={env}={}", rs.display());
    }

    let verilog = mapdma_sim_testdesign::verilog()?;
    let ports = mapdma_sim_testdesign::ports();
    let rs = b.add(&ModuleSpec {
        prefix: "Vtestdesign",
        top: "top",
        verilog: &verilog,
        ports: &ports,
    })?;
    println!("cargo:rustc-env=MAPDMA_SIM_TESTDESIGN_RS={}", rs.display());
    b.finish()?;
    Ok(())
}
