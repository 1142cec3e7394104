//! The generated C header and JSON are checked against `mapdma_regmap::REGISTERS` itself: the
//! header by a C compiler evaluating static assertions, the JSON by parsing it back.

mod common;
use common::*;
use mapdma_regmap::{Config, Count, FaultCause, REGISTERS};
use serde_json::Value;
use std::fmt::Write;
use std::process::Command;

fn configs() -> Vec<(Vec<&'static str>, Config)> {
    vec![
        (vec![], Config::default()),
        (
            vec![
                "--channels",
                "1",
                "--map-registers",
                "4",
                "--bus-master-port",
                "false",
            ],
            Config::small(),
        ),
        (
            vec![
                "--channels",
                "3",
                "--map-registers",
                "1024",
                "--page-shift",
                "14",
            ],
            Config {
                channels: 3,
                map_registers: 1024,
                page_shift: 14,
                ..Config::default()
            },
        ),
    ]
}

/// C11 static assertions of every offset, field mask, value macro and reset value.
fn assertions(cfg: &Config) -> String {
    let mut c = String::from("#include \"regmap.h\"\n");
    let mut check = |expr: String, want: u32| {
        writeln!(c, "_Static_assert(({expr}) == 0x{want:08X}u, \"{expr}\");").unwrap();
    };
    for r in REGISTERS {
        let name = format!("MAPDMA_{}", r.name);
        match r.count {
            Count::One => check(name.clone(), r.offset),
            _ => {
                for i in 0..r.instances(cfg) {
                    check(format!("{name}({i})"), r.at(i));
                }
                check(format!("{name}_INSTANCES"), r.instances(cfg) as u32);
            }
        }
        check(format!("{name}_RESET"), r.reset(cfg));
        for f in r.fields.iter().filter(|f| f.width(cfg) > 0) {
            let fname = format!("{name}_{}", f.name);
            check(format!("{fname}_MASK"), f.mask(cfg));
            check(format!("{fname}_SHIFT"), f.lsb);
            check(format!("{fname}(0xFFFFFFFFu)"), f.put(cfg, u32::MAX));
            check(format!("{fname}_GET(0xFFFFFFFFu)"), f.get(cfg, u32::MAX));
        }
    }
    check("MAPDMA_CHANNELS".into(), cfg.channels as u32);
    check("MAPDMA_MAP_REGISTERS".into(), cfg.map_registers as u32);
    check("MAPDMA_PAGE_SIZE".into(), cfg.page_size() as u32);
    check(
        "MAPDMA_FAULT_OUT_OF_RANGE".into(),
        FaultCause::OutOfRange as u32,
    );
    check(
        "MAPDMA_FAULT_DECODE_ERROR".into(),
        FaultCause::DecodeError as u32,
    );
    c
}

#[test]
fn c_header_compiles_and_agrees_with_the_register_data() {
    for (i, (args, cfg)) in configs().into_iter().enumerate() {
        let dir = fresh_dir(&format!("c_header_{i}"));
        let mut cmd = vec!["regs", "--format", "c"];
        cmd.extend(&args);
        std::fs::write(dir.join("regmap.h"), mapdma_ok(&cmd)).unwrap();
        std::fs::write(dir.join("check.c"), assertions(&cfg)).unwrap();
        let out = Command::new("cc")
            .args(["-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror"])
            .args(["-fsyntax-only", "check.c"])
            .current_dir(&dir)
            .output()
            .expect("cc (gcc) is needed for this test: run ci/setup");
        assert!(
            out.status.success(),
            "config {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn c_header_assertions_can_fail() {
    // The check above is only worth something if a wrong value fails to compile.
    let dir = fresh_dir("c_header_wrong");
    std::fs::write(dir.join("regmap.h"), mapdma_ok(&["regs", "--format", "c"])).unwrap();
    let wrong = format!(
        "#include \"regmap.h\"\n_Static_assert(MAPDMA_MAP(1) == 0x{:X}u, \"x\");\n",
        mapdma_regmap::MAP.at(1) + 4
    );
    std::fs::write(dir.join("wrong.c"), wrong).unwrap();
    let ok = Command::new("cc")
        .args(["-std=c11", "-fsyntax-only", "wrong.c"])
        .current_dir(&dir)
        .output()
        .unwrap()
        .status
        .success();
    assert!(!ok);
}

fn num(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn json_parses_and_matches_the_register_data() {
    for (args, cfg) in configs() {
        let mut cmd = vec!["regs", "--format", "json"];
        cmd.extend(&args);
        let v: Value = serde_json::from_str(&mapdma_ok(&cmd)).expect("valid JSON");
        let c = &v["config"];
        assert_eq!(num(c, "channels"), cfg.channels as u64);
        assert_eq!(num(c, "map_registers"), cfg.map_registers as u64);
        assert_eq!(num(c, "page_shift"), cfg.page_shift as u64);
        assert_eq!(num(c, "logical_bits"), cfg.logical_bits as u64);
        assert_eq!(num(c, "physical_bits"), cfg.physical_bits as u64);
        assert_eq!(num(c, "outstanding"), cfg.outstanding as u64);
        assert_eq!(c["bus_master_port"], cfg.bus_master_port);
        let regs = v["registers"].as_array().expect("registers array");
        assert_eq!(regs.len(), REGISTERS.len());
        for (j, r) in regs.iter().zip(REGISTERS) {
            assert_eq!(j["name"], r.name);
            assert_eq!(j["doc"], r.doc);
            assert_eq!(num(j, "offset"), r.offset as u64, "{}", r.name);
            assert_eq!(num(j, "instances"), r.instances(&cfg) as u64, "{}", r.name);
            assert_eq!(num(j, "stride"), r.stride as u64, "{}", r.name);
            assert_eq!(num(j, "reset"), r.reset(&cfg) as u64, "{}", r.name);
            let fields: Vec<_> = r.fields.iter().filter(|f| f.width(&cfg) > 0).collect();
            let jf = j["fields"].as_array().expect("fields array");
            assert_eq!(jf.len(), fields.len(), "{}", r.name);
            for (jf, f) in jf.iter().zip(fields) {
                assert_eq!(jf["name"], f.name);
                assert_eq!(jf["access"], f.access.name());
                assert_eq!(num(jf, "lsb"), f.lsb as u64);
                assert_eq!(num(jf, "width"), f.width(&cfg) as u64);
                assert_eq!(num(jf, "mask"), f.mask(&cfg) as u64);
                assert_eq!(num(jf, "reset"), f.reset_value(&cfg) as u64);
            }
        }
        let causes = v["fault_causes"].as_array().expect("fault_causes");
        assert_eq!(causes.len(), FaultCause::ALL.len());
        for (j, c) in causes.iter().zip(FaultCause::ALL) {
            assert_eq!(num(j, "code"), c as u64);
        }
    }
}
