//! Builds the Verilator models linked into this crate: the small test design (binding tests)
//! and mapdma in its default and small configurations. See `mapdma-verilate`.

use mapdma_verilate::build::{Builder, ModuleSpec, Options};
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if let Err(e) = run() {
        // One readable message instead of a panic backtrace.
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut options = Options::default();
    // rust-hdl writes literals as 32- or 64-bit constants and masks casts explicitly.
    options.verilator_args.push("-Wno-WIDTH".into());
    let mut b = Builder::new(&out, options)?;

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
