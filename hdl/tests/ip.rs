//! The IP folder (`mapdma_hdl::ip`) as an FPGA engineer uses it: two configurations of the core
//! under two module names in one design, through Verilator lint, Yosys and Icarus; the
//! instantiation template compiled against the generated module; the VHDL component analysed by
//! GHDL; the FuseSoC core file run by FuseSoC itself (lint and simulation targets). A missing
//! tool fails the test with the command that installs it.

use mapdma_hdl::ip::{ip_files, IpFile};
use mapdma_hdl::regmap::Config;
use mapdma_hdl::{ports, Port, PortDir};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn require(tool: &str) {
    let found = Command::new(tool).arg("--version").output().is_ok();
    assert!(
        found,
        "`{tool}` is not installed: run `ci/setup` (installs Verilator, Yosys, Icarus, GHDL, FuseSoC)"
    );
}

fn work_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ip").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_folder(dir: &Path, cfg: &Config, module: &str) -> Vec<IpFile> {
    let files = ip_files(cfg, module).unwrap();
    for f in &files {
        std::fs::write(dir.join(&f.name), &f.text).unwrap();
    }
    files
}

fn run(dir: &Path, cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `module NAME_wrap(<the core's ports>)` whose body is the folder's instantiation template, so
/// the template is compiled exactly as a user pastes it.
fn template_wrapper(module: &str, ports: &[Port], template: &str) -> String {
    let decls: Vec<String> = ports
        .iter()
        .map(|p| {
            let dir = match p.dir {
                PortDir::In => "input wire",
                PortDir::Out => "output wire",
            };
            match p.width {
                1 => format!("    {dir} {}", p.name),
                w => format!("    {dir} [{}:0] {}", w - 1, p.name),
            }
        })
        .collect();
    format!(
        "module {module}_wrap(\n{}\n);\n{template}endmodule\n",
        decls.join(",\n")
    )
}

/// `module dual`: both wrapped cores side by side, every port of each brought out under a
/// prefix (`a_`, `b_`), so nothing is undriven or unused.
fn dual(cores: &[(&str, &[Port]); 2]) -> String {
    let mut ports = vec![];
    let mut body = String::new();
    for ((module, core_ports), prefix) in cores.iter().zip(["a_", "b_"]) {
        let mut conns = vec![];
        for p in core_ports.iter() {
            let dir = match p.dir {
                PortDir::In => "input wire",
                PortDir::Out => "output wire",
            };
            let range = match p.width {
                1 => String::new(),
                w => format!("[{}:0] ", w - 1),
            };
            ports.push(format!("    {dir} {range}{prefix}{}", p.name));
            conns.push(format!(".{0}({prefix}{0})", p.name));
        }
        let _ = writeln!(body, "    {module}_wrap u_{module}({});", conns.join(", "));
    }
    format!("module dual(\n{}\n);\n{body}endmodule\n", ports.join(",\n"))
}

#[test]
fn two_configurations_under_two_names_live_in_one_design() {
    for tool in ["verilator", "yosys", "iverilog"] {
        require(tool);
    }
    let dir = work_dir("dual");
    let configs = [
        ("dma_main", Config::default()),
        ("dma_audio", Config::small()),
    ];
    let mut sources = vec![];
    let port_lists: Vec<Vec<Port>> = configs.iter().map(|(_, c)| ports(c).unwrap()).collect();
    for ((module, cfg), core_ports) in configs.iter().zip(&port_lists) {
        let files = write_folder(&dir, cfg, module);
        let template = &files
            .iter()
            .find(|f| f.name.ends_with("_inst.v"))
            .unwrap()
            .text;
        let wrap = format!("{module}_wrap.v");
        std::fs::write(
            dir.join(&wrap),
            template_wrapper(module, core_ports, template),
        )
        .unwrap();
        sources.push(format!("{module}.v"));
        sources.push(wrap);
    }
    std::fs::write(
        dir.join("dual.v"),
        dual(&[
            (configs[0].0, &port_lists[0]),
            (configs[1].0, &port_lists[1]),
        ]),
    )
    .unwrap();
    sources.push("dual.v".into());
    let src: Vec<&str> = sources.iter().map(String::as_str).collect();

    let waivers = "dma_main_waivers.vlt";
    let mut lint = vec!["--lint-only", "-Wall", "--top-module", "dual", waivers];
    lint.extend(&src);
    let o = run(&dir, "verilator", &lint);
    assert!(o.status.success(), "verilator lint:\n{}", text(&o));

    let script = format!(
        "read_verilog {}; hierarchy -check -top dual; proc; flatten; opt -fast; check -assert; \
         tee -o stat.txt stat",
        src.join(" ")
    );
    let o = run(&dir, "yosys", &["-q", "-p", &script]);
    assert!(o.status.success(), "yosys:\n{}", text(&o));
    let stat = std::fs::read_to_string(dir.join("stat.txt")).unwrap();
    assert!(stat.contains("Number of cells"), "{stat}");

    // Icarus: the whole design elaborates, and each core answers its own testbench (ID and
    // configuration registers of *its* configuration) with the other core's file loaded too.
    let mut all = src.clone();
    all.extend(["dma_main_tb.v", "dma_audio_tb.v"]);
    for tb in ["dual", "dma_main_tb", "dma_audio_tb"] {
        let mut args = vec!["-g2012", "-o", tb, "-s", tb];
        args.extend(&all);
        let o = run(&dir, "iverilog", &args);
        assert!(o.status.success(), "iverilog -s {tb}:\n{}", text(&o));
    }
    for tb in ["dma_main_tb", "dma_audio_tb"] {
        let o = run(&dir, "vvp", &["-n", tb]);
        let out = text(&o);
        assert!(
            o.status.success() && out.contains("PASS"),
            "vvp {tb}:\n{out}"
        );
    }
}

#[test]
fn one_name_twice_is_refused_by_the_tools_so_the_dual_test_can_fail() {
    require("yosys");
    let dir = work_dir("same_name");
    for (sub, cfg) in [("a", Config::default()), ("b", Config::small())] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        write_folder(&dir.join(sub), &cfg, "dma");
    }
    let o = run(
        &dir,
        "yosys",
        &[
            "-q",
            "-p",
            "read_verilog a/dma.v b/dma.v; hierarchy -top dma",
        ],
    );
    assert!(
        !o.status.success(),
        "yosys accepted two definitions of `dma`"
    );
    assert!(text(&o).contains("dma"), "{}", text(&o));
}

#[test]
fn the_vhdl_component_is_analysed_by_ghdl() {
    require("ghdl");
    let dir = work_dir("vhdl");
    write_folder(&dir, &Config::default(), "mapdma");
    let o = run(&dir, "ghdl", &["-a", "mapdma_pkg.vhd"]);
    assert!(o.status.success(), "ghdl -a:\n{}", text(&o));
}

#[test]
fn fusesoc_runs_the_core_file_lint_and_simulation_targets() {
    require("fusesoc");
    let dir = work_dir("fusesoc");
    let module = "dma_small";
    write_folder(&dir, &Config::small(), module);
    let vlnv = format!("mapdma:ip:{module}:{}", env!("CARGO_PKG_VERSION"));
    for (target, expect) in [("lint", ""), ("sim", "PASS")] {
        let build = dir.join(format!("build-{target}"));
        let o = run(
            &dir,
            "fusesoc",
            &[
                "--cores-root",
                ".",
                "run",
                "--build-root",
                build.to_str().unwrap(),
                "--target",
                target,
                &vlnv,
            ],
        );
        let out = text(&o);
        assert!(o.status.success(), "fusesoc --target {target}:\n{out}");
        assert!(out.contains(expect), "fusesoc --target {target}:\n{out}");
    }
    // The lint target really ran Verilator on the core with the waivers.
    let vc = std::fs::read_dir(dir.join("build-lint"))
        .unwrap()
        .flatten()
        .find_map(|e| {
            let d = e.path().join("lint-verilator");
            std::fs::read_dir(&d).ok().and_then(|mut r| {
                r.find_map(|f| {
                    let p = f.ok()?.path();
                    (p.extension()? == "vc").then(|| std::fs::read_to_string(p).unwrap())
                })
            })
        })
        .expect("no Verilator command file in the lint build");
    assert!(
        vc.contains(&format!("{module}.v")) && vc.contains("_waivers.vlt"),
        "{vc}"
    );
}
