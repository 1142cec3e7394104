//! The build half, for build scripts: runs `verilator --cc`, compiles its output, the generated
//! shim and Verilator's runtime with the `cc` crate, and prints the link directives.
//!
//! Work happens under `OUT_DIR/<prefix>/`. A model whose inputs (Verilator version, flags,
//! Verilog text, port list) have not changed since the last run is not rebuilt: the C++ compile
//! is the slow part of the build and the HDL crate changes far more often than its output.

use crate::gen::{self, GenError};
use crate::Port;
use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Anything that stops a model from being built.
#[derive(Debug)]
pub enum BuildError {
    /// `verilator` could not be run at all.
    VerilatorMissing(String),
    /// Verilator ran and refused the design.
    Verilator {
        prefix: String,
        log: String,
    },
    Gen(GenError),
    Io(String, io::Error),
    /// The C++ compiler failed.
    Compile(String),
    /// Verilator's output is not what this crate understands.
    Output(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::VerilatorMissing(why) => write!(
                f,
                "Verilator is needed to build the co-simulation models but {why}. \
                 Run `ci/setup` to install it (Verilator 5), or set VERILATOR to its path."
            ),
            BuildError::Verilator { prefix, log } => {
                write!(f, "verilator rejected the design `{prefix}`:\n{log}")
            }
            BuildError::Gen(e) => e.fmt(f),
            BuildError::Io(what, e) => write!(f, "{what}: {e}"),
            BuildError::Compile(e) => write!(f, "compiling the Verilated C++ failed: {e}"),
            BuildError::Output(e) => write!(f, "unexpected Verilator output: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<GenError> for BuildError {
    fn from(e: GenError) -> Self {
        BuildError::Gen(e)
    }
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> BuildError {
    let what = what.into();
    move |e| BuildError::Io(what, e)
}

/// One design to verilate.
#[derive(Clone, Copy, Debug)]
pub struct ModuleSpec<'a> {
    /// Verilator `--prefix`: the C++ class name and the namespace of every symbol. A traced
    /// build, if asked for, is `<prefix>_traced`.
    pub prefix: &'a str,
    /// Name of the top module in `verilog`.
    pub top: &'a str,
    pub verilog: &'a str,
    pub ports: &'a [Port],
    /// The clock input (the shim's one-call-per-clock function drives it).
    pub clock: &'a str,
    /// Also build a traced variant, for VCD files.
    pub traced: bool,
}

/// Verilator and compiler settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// Extra `verilator` arguments (besides `--cc [--trace] --prefix --top-module -Mdir`).
    pub verilator_args: Vec<String>,
    /// Optimisation of the per-cycle ("fast") code of the untraced build, as `cc` spells it
    /// ("0".."3", "s"): the code every simulation runs.
    pub fast_opt: String,
    /// Optimisation of the per-cycle code of the traced build (only VCD runs use it, so it is
    /// traded for build time).
    pub traced_opt: String,
    /// Optimisation of construction-time ("slow") model code.
    pub slow_opt: String,
    /// Optimisation of Verilator's runtime library.
    pub runtime_opt: String,
}

impl Default for Options {
    fn default() -> Self {
        let args = ["-O3", "--x-assign", "fast", "--x-initial", "fast"];
        Options {
            verilator_args: args.iter().map(|s| s.to_string()).collect(),
            fast_opt: "3".into(),
            traced_opt: "1".into(),
            slow_opt: "0".into(),
            runtime_opt: "2".into(),
        }
    }
}

/// A Verilator installation.
#[derive(Clone, Debug)]
pub struct Verilator {
    pub exe: PathBuf,
    /// `verilator --version`, e.g. "Verilator 5.006 2023-01-22 rev (Debian 5.006-3)".
    pub version: String,
    /// VERILATOR_ROOT: holds `include/verilated.cpp` and friends.
    pub root: PathBuf,
}

impl Verilator {
    /// Finds Verilator: `$VERILATOR` if set, otherwise `verilator` on the PATH.
    pub fn find() -> Result<Self, BuildError> {
        let exe = std::env::var_os("VERILATOR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("verilator"));
        let run = |args: &[&str]| -> Result<String, BuildError> {
            let out = Command::new(&exe).args(args).output().map_err(|e| {
                BuildError::VerilatorMissing(format!("`{}` cannot be run ({e})", exe.display()))
            })?;
            if !out.status.success() {
                return Err(BuildError::VerilatorMissing(format!(
                    "`{} {}` failed: {}",
                    exe.display(),
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        };
        let version = run(&["--version"])?;
        let major: u32 = version
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse().ok())
            .ok_or_else(|| {
                BuildError::VerilatorMissing(format!("`verilator --version` said `{version}`"))
            })?;
        if major < 5 {
            return Err(BuildError::VerilatorMissing(format!(
                "the installed one is too old ({version})"
            )));
        }
        let root = PathBuf::from(run(&["--getenv", "VERILATOR_ROOT"])?);
        if !root.join("include/verilated.cpp").is_file() {
            return Err(BuildError::VerilatorMissing(format!(
                "its runtime sources are missing ({} has no include/verilated.cpp)",
                root.display()
            )));
        }
        Ok(Verilator { exe, version, root })
    }
}

/// File lists read from `V<prefix>_classes.mk`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClassLists {
    /// Per-cycle model code (VM_CLASSES_FAST + VM_SUPPORT_FAST), without `.cpp`.
    pub fast: Vec<String>,
    /// Construction-time model code (VM_CLASSES_SLOW + VM_SUPPORT_SLOW).
    pub slow: Vec<String>,
    /// Runtime files from Verilator's include directory (VM_GLOBAL_FAST + VM_GLOBAL_SLOW).
    pub global: Vec<String>,
}

/// Parses the `VAR += \` continuation lists of a Verilator `_classes.mk`.
pub fn parse_classes_mk(text: &str) -> Result<ClassLists, BuildError> {
    let mut lists = ClassLists::default();
    let mut current: Option<&mut Vec<String>> = None;
    let mut seen_classes = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some((var, rest)) = line.split_once("+=") {
            let var = var.trim();
            current = match var {
                "VM_CLASSES_FAST" | "VM_SUPPORT_FAST" => Some(&mut lists.fast),
                "VM_CLASSES_SLOW" | "VM_SUPPORT_SLOW" => Some(&mut lists.slow),
                "VM_GLOBAL_FAST" | "VM_GLOBAL_SLOW" => Some(&mut lists.global),
                _ => None,
            };
            seen_classes |= var == "VM_CLASSES_FAST";
            if let Some(list) = current.as_deref_mut() {
                list.extend(
                    rest.split_whitespace()
                        .filter(|w| *w != "\\")
                        .map(str::to_string),
                );
            }
            if !line.ends_with('\\') {
                current = None;
            }
            continue;
        }
        if let Some(list) = current.as_deref_mut() {
            list.extend(
                line.split_whitespace()
                    .filter(|w| *w != "\\")
                    .map(str::to_string),
            );
            if !line.ends_with('\\') {
                current = None;
            }
        }
    }
    if !seen_classes || lists.fast.is_empty() {
        return Err(BuildError::Output("no VM_CLASSES_FAST list".into()));
    }
    Ok(lists)
}

/// FNV-1a: a hash that is the same in every build (std's hasher may change with the toolchain).
fn fnv1a(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.iter().chain(&[0xFF]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Builds any number of models into one link, then the runtime once.
pub struct Builder {
    out_dir: PathBuf,
    verilator: Verilator,
    options: Options,
    globals: BTreeSet<String>,
    /// (directory, library name) in link order.
    libs: Vec<(PathBuf, String)>,
    /// Lines to print at `finish` (link directives).
    rebuilt: Vec<String>,
}

impl Builder {
    pub fn new(out_dir: &Path, options: Options) -> Result<Self, BuildError> {
        Ok(Builder {
            out_dir: out_dir.to_path_buf(),
            verilator: Verilator::find()?,
            options,
            globals: BTreeSet::new(),
            libs: vec![],
            rebuilt: vec![],
        })
    }

    pub fn verilator(&self) -> &Verilator {
        &self.verilator
    }

    /// Prefixes of the models that were actually recompiled (not served from the cache).
    pub fn rebuilt(&self) -> &[String] {
        &self.rebuilt
    }

    fn cc_base(&self, mdir: Option<&Path>, opt: &str, out: &Path, traced: bool) -> cc::Build {
        let inc = self.verilator.root.join("include");
        let mut b = cc::Build::new();
        b.cpp(true)
            .std("c++17")
            .include(&inc)
            .include(inc.join("vltstd"))
            .define("VM_COVERAGE", "0")
            .define("VM_SC", "0")
            .define("VM_TRACE", if traced { "1" } else { "0" })
            .define("VM_TRACE_FST", "0")
            .define("VM_TRACE_VCD", "1")
            .opt_level_str(opt)
            .debug(false)
            .warnings(false)
            .cargo_metadata(false)
            .out_dir(out);
        // Verilator's own CFG_CXXFLAGS_NO_UNUSED warnings waivers (unknown -Wno-* are ignored).
        for flag in [
            "-Wno-bool-operation",
            "-Wno-sign-compare",
            "-Wno-uninitialized",
            "-Wno-unused-but-set-variable",
            "-Wno-unused-parameter",
            "-Wno-unused-variable",
            "-Wno-shadow",
        ] {
            b.flag(flag);
        }
        if let Some(m) = mdir {
            b.include(m);
        }
        b
    }

    /// Verilates and compiles one model (its untraced build and, if asked, its traced build);
    /// returns the path of its Rust bindings (to `include!`).
    pub fn add(&mut self, spec: &ModuleSpec) -> Result<PathBuf, BuildError> {
        let edge_shortcut = self.add_build(spec, spec.prefix, false)?;
        if spec.traced {
            self.add_build(spec, &format!("{}_traced", spec.prefix), true)?;
        }
        let bindings = gen::bindings(&gen::BindingSpec {
            prefix: spec.prefix,
            ports: spec.ports,
            clock: spec.clock,
            traceable: spec.traced,
            edge_shortcut,
        })?;
        let rs = self.out_dir.join(spec.prefix).join("bindings.rs");
        fs::write(&rs, bindings).map_err(io_err(format!("writing {}", rs.display())))?;
        Ok(rs)
    }

    /// Verilates and compiles one build of a model under the C++ class `class`; returns whether
    /// its clock call uses the rising-edge shortcut.
    fn add_build(
        &mut self,
        spec: &ModuleSpec,
        class: &str,
        traced: bool,
    ) -> Result<bool, BuildError> {
        let shim_spec = |edge_shortcut| gen::ShimSpec {
            class,
            ports: spec.ports,
            clock: spec.clock,
            traced,
            edge_shortcut,
        };
        let dir = self.out_dir.join(class);
        let mdir = dir.join("vl");
        let args = self.options.verilator_args.join(" ");
        let fast_opt = if traced {
            self.options.traced_opt.clone()
        } else {
            self.options.fast_opt.clone()
        };
        let key = fnv1a(&[
            b"mapdma-verilate 2",
            self.verilator.version.as_bytes(),
            args.as_bytes(),
            spec.top.as_bytes(),
            spec.verilog.as_bytes(),
            gen::shim(&shim_spec(false))?.as_bytes(),
            gen::shim(&shim_spec(true))?.as_bytes(),
            fast_opt.as_bytes(),
            self.options.slow_opt.as_bytes(),
        ]);
        let fast = format!("{class}_fast");
        let slow = format!("{class}_slow");
        let key_file = dir.join("key");
        let lib = |n: &str| dir.join(format!("lib{n}.a"));
        let classes_file = mdir.join(format!("{class}_classes.mk"));
        let cached = fs::read_to_string(&key_file).ok().as_deref() == Some(key.as_str())
            && lib(&fast).is_file()
            && lib(&slow).is_file()
            && classes_file.is_file();
        if !cached {
            let _ = fs::remove_file(&key_file);
            self.verilate(spec, class, traced, &dir)?;
        }
        let classes = fs::read_to_string(&classes_file)
            .map_err(io_err(format!("reading {}", classes_file.display())))?;
        let lists = parse_classes_mk(&classes)?;
        self.check_header(spec, class, &mdir)?;
        let edge_shortcut = self.edge_shortcut(spec, class, &mdir, &lists, &dir)?;
        if !cached {
            let shim_file = dir.join("shim.cpp");
            fs::write(&shim_file, gen::shim(&shim_spec(edge_shortcut))?)
                .map_err(io_err(format!("writing {}", shim_file.display())))?;
            let mut b = self.cc_base(Some(&mdir), &fast_opt, &dir, traced);
            for f in &lists.fast {
                b.file(mdir.join(format!("{f}.cpp")));
            }
            b.file(&shim_file);
            b.try_compile(&fast)
                .map_err(|e| BuildError::Compile(e.to_string()))?;
            let mut b = self.cc_base(Some(&mdir), &self.options.slow_opt, &dir, traced);
            for f in &lists.slow {
                b.file(mdir.join(format!("{f}.cpp")));
            }
            b.try_compile(&slow)
                .map_err(|e| BuildError::Compile(e.to_string()))?;
            fs::write(&key_file, &key)
                .map_err(io_err(format!("writing {}", key_file.display())))?;
            self.rebuilt.push(class.to_string());
        }
        self.globals.extend(lists.global);
        self.libs.push((dir.clone(), fast));
        self.libs.push((dir, slow));
        Ok(edge_shortcut)
    }

    /// Runs `verilator --cc` for one build into `dir/vl`.
    fn verilate(
        &self,
        spec: &ModuleSpec,
        class: &str,
        traced: bool,
        dir: &Path,
    ) -> Result<(), BuildError> {
        let mdir = dir.join("vl");
        if mdir.exists() {
            fs::remove_dir_all(&mdir).map_err(io_err(format!("removing {}", mdir.display())))?;
        }
        fs::create_dir_all(&mdir).map_err(io_err(format!("creating {}", mdir.display())))?;
        let vfile = dir.join(format!("{class}.v"));
        fs::write(&vfile, spec.verilog).map_err(io_err(format!("writing {}", vfile.display())))?;
        let out = Command::new(&self.verilator.exe)
            .arg("--cc")
            .args(traced.then_some("--trace"))
            .args(["--prefix", class, "--top-module", spec.top])
            .arg("-Mdir")
            .arg(&mdir)
            .args(&self.options.verilator_args)
            .arg(&vfile)
            .output()
            .map_err(|e| BuildError::VerilatorMissing(format!("it could not be started ({e})")))?;
        if !out.status.success() {
            return Err(BuildError::Verilator {
                prefix: class.into(),
                log: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(())
    }

    /// Whether this build's rising edge may skip the input-driven pass ([`crate::edge`]); the
    /// verdict and its reason are written to `dir/edge-shortcut.txt`.
    fn edge_shortcut(
        &self,
        spec: &ModuleSpec,
        class: &str,
        mdir: &Path,
        lists: &ClassLists,
        dir: &Path,
    ) -> Result<bool, BuildError> {
        let mut sources = vec![];
        for f in &lists.fast {
            let path = mdir.join(format!("{f}.cpp"));
            sources.push(
                fs::read_to_string(&path).map_err(io_err(format!("reading {}", path.display())))?,
            );
        }
        let verdict = crate::edge::check(&sources, class, &gen::cpp_name(spec.clock));
        let note = dir.join("edge-shortcut.txt");
        let text = match &verdict {
            Ok(()) => "on: the rising edge skips the input-driven pass\n".to_string(),
            Err(why) => format!("off (plain eval() on the rising edge): {why}\n"),
        };
        fs::write(&note, text).map_err(io_err(format!("writing {}", note.display())))?;
        Ok(verdict.is_ok())
    }

    /// Every port must exist in the generated class under the name [`gen::cpp_name`] predicts.
    fn check_header(&self, spec: &ModuleSpec, class: &str, mdir: &Path) -> Result<(), BuildError> {
        let h = mdir.join(format!("{class}.h"));
        let text = fs::read_to_string(&h).map_err(io_err(format!("reading {}", h.display())))?;
        for p in spec.ports {
            let c = gen::cpp_name(&p.name);
            if !text.contains(&format!("(&{c},")) {
                return Err(BuildError::Output(format!(
                    "port `{}` is not in {} as `{c}` (is the port list the one of this Verilog?)",
                    p.name,
                    h.display()
                )));
            }
        }
        Ok(())
    }

    /// Compiles the runtime once for all models and prints the link directives.
    pub fn finish(self) -> Result<(), BuildError> {
        let rt_dir = self.out_dir.join("verilated_runtime");
        let names: Vec<&str> = self.globals.iter().map(String::as_str).collect();
        let key = fnv1a(&[
            b"mapdma-verilate runtime 1",
            self.verilator.version.as_bytes(),
            names.join(" ").as_bytes(),
            self.options.runtime_opt.as_bytes(),
        ]);
        let key_file = rt_dir.join("key");
        let rt = "verilated_runtime";
        let cached = fs::read_to_string(&key_file).ok().as_deref() == Some(key.as_str())
            && rt_dir.join(format!("lib{rt}.a")).is_file();
        if !cached {
            fs::create_dir_all(&rt_dir)
                .map_err(io_err(format!("creating {}", rt_dir.display())))?;
            let mut b = self.cc_base(None, &self.options.runtime_opt, &rt_dir, true);
            for n in &names {
                b.file(self.verilator.root.join("include").join(format!("{n}.cpp")));
            }
            b.try_compile(rt)
                .map_err(|e| BuildError::Compile(e.to_string()))?;
            fs::write(&key_file, &key)
                .map_err(io_err(format!("writing {}", key_file.display())))?;
        }
        for (dir, name) in self
            .libs
            .iter()
            .map(|(d, n)| (d.as_path(), n.as_str()))
            .chain([(rt_dir.as_path(), rt)])
        {
            println!("cargo:rustc-link-search=native={}", dir.display());
            println!("cargo:rustc-link-lib=static={name}");
        }
        let target = std::env::var("TARGET").unwrap_or_default();
        let cxx = if target.contains("apple") || target.contains("freebsd") {
            "c++"
        } else {
            "stdc++"
        };
        println!("cargo:rustc-link-lib={cxx}");
        println!("cargo:rustc-link-lib=pthread");
        println!("cargo:rerun-if-env-changed=VERILATOR");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_mk_lists_are_read_with_continuations() {
        let mk = "\
VM_TRACE = 1
VM_CLASSES_FAST += \\
\tVfoo \\
\tVfoo___024root__DepSet_h0b5a34b4__0 \\

VM_CLASSES_SLOW += \\
\tVfoo___024root__Slow \\

VM_SUPPORT_FAST += \\
\tVfoo__Trace__0 \\

VM_SUPPORT_SLOW += \\
\tVfoo__Syms \\

VM_GLOBAL_FAST += \\
\tverilated \\
\tverilated_threads \\

VM_GLOBAL_SLOW += \\

";
        let l = parse_classes_mk(mk).unwrap();
        assert_eq!(
            l.fast,
            [
                "Vfoo",
                "Vfoo___024root__DepSet_h0b5a34b4__0",
                "Vfoo__Trace__0"
            ]
        );
        assert_eq!(l.slow, ["Vfoo___024root__Slow", "Vfoo__Syms"]);
        assert_eq!(l.global, ["verilated", "verilated_threads"]);
        assert!(parse_classes_mk("VM_TRACE = 1\n").is_err());
    }

    #[test]
    fn cache_keys_are_stable_and_separate_parts() {
        assert_eq!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"ab", b"c"]));
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
    }
}
