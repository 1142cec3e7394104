//! The Verilator binding and the rust-hdl engine, on the small test design: named accessors,
//! `$` names, masking, identical behaviour cycle for cycle, and VCD output.

use mapdma_sim::engine::{
    Engine, InputFn, OutputFn, PortBinder, RustHdlEngine, VerilatorEngine, Word,
};
use mapdma_sim::verilated::testdesign::{self, Inputs, Model, Outputs};
use mapdma_sim_testdesign::{new_top, TestTop, CHANNELS};
use mapdma_verilate::VerilatedModel;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Binder;

fn dev_field(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("dev$")?;
    let (i, f) = rest.split_once('$')?;
    let i: usize = i.parse().ok()?;
    (i < CHANNELS).then_some((i, f))
}

impl PortBinder<TestTop> for Binder {
    fn input(&self, name: &str) -> Option<InputFn<TestTop>> {
        let f: InputFn<TestTop> = match name {
            "clock" => Box::new(|t, v| t.clock.next = Word::from_word(v)),
            "reset" => Box::new(|t, v| t.reset.next = Word::from_word(v)),
            "bus$addr" => Box::new(|t, v| t.bus.addr.next = Word::from_word(v)),
            "bus$wdata" => Box::new(|t, v| t.bus.wdata.next = Word::from_word(v)),
            "bus$write" => Box::new(|t, v| t.bus.write.next = Word::from_word(v)),
            _ => {
                let (i, f) = dev_field(name)?;
                match f {
                    "enable" => Box::new(move |t, v| t.dev[i].enable.next = Word::from_word(v)),
                    "step" => Box::new(move |t, v| t.dev[i].step.next = Word::from_word(v)),
                    _ => return None,
                }
            }
        };
        Some(f)
    }

    fn output(&self, name: &str) -> Option<OutputFn<TestTop>> {
        let f: OutputFn<TestTop> = match name {
            "bus$rdata" => Box::new(|t| t.bus.rdata.val().to_word()),
            "sum" => Box::new(|t| t.sum.val().to_word()),
            _ => {
                let (i, f) = dev_field(name)?;
                match f {
                    "count" => Box::new(move |t| t.dev[i].count.val().to_word()),
                    "wrap" => Box::new(move |t| t.dev[i].wrap.val().to_word()),
                    _ => return None,
                }
            }
        };
        Some(f)
    }
}

fn cycle(m: &mut Model, i: &mut Inputs, o: &mut Outputs) {
    i.set_clock(0);
    m.eval(i, o);
    i.set_clock(1);
    m.eval(i, o);
}

#[test]
fn generated_accessors_drive_the_verilated_design() {
    let mut m = Model::new();
    let mut i = Inputs::default();
    let mut o = Outputs::default();
    i.set_bus_write(1);
    i.set_bus_addr(2);
    i.set_bus_wdata(0xDEAD_BEEF);
    cycle(&mut m, &mut i, &mut o);
    i.set_bus_write(0);
    i.set_dev_1_enable(1);
    i.set_dev_1_step(0x80);
    for _ in 0..3 {
        cycle(&mut m, &mut i, &mut o);
    }
    i.set_clock(0);
    m.eval(&i, &mut o);
    assert_eq!(o.bus_rdata(), 0xDEAD_BEEF);
    assert_eq!(o.dev_1_count(), 0x180);
    assert_eq!(o.dev_0_count(), 0);
    // `sum` is 13 bits: 0xBEEF & 0x1FFF = 0x1EEF, + dev$0$step (0).
    assert_eq!(o.sum(), 0x1EEF);
    // Inputs are masked to their width: bit 8 of an 8-bit step is ignored.
    i.set_dev_0_step(0x1FF);
    i.set_dev_0_enable(1);
    cycle(&mut m, &mut i, &mut o);
    i.set_clock(0);
    m.eval(&i, &mut o);
    assert_eq!(o.dev_0_count(), 0xFF);
    assert_eq!(
        <Model as VerilatedModel>::input("dev$0$step").map(|p| (p.width, p.index)),
        Some((8, testdesign::input::DEV_0_STEP))
    );
    assert_eq!(testdesign::PREFIX, "Vtestdesign");
}

#[test]
fn verilator_and_rust_hdl_agree_cycle_for_cycle() {
    let mut vl = VerilatorEngine::new(Model::new());
    let ports = vl.ports().clone();
    let mut rh = RustHdlEngine::new(new_top(), ports.clone(), &Binder).unwrap();
    let clock = ports.input("clock").unwrap();
    let mut rng = StdRng::seed_from_u64(42);
    let mut inputs = vec![0u32; ports.inputs.len()];
    let mut a = vec![0u32; ports.outputs.len()];
    let mut b = a.clone();
    let mut wraps = 0;
    for n in 0..6000 {
        for (w, p) in inputs.iter_mut().zip(&ports.inputs) {
            // Unmasked random words: both engines must mask them the same way.
            *w = rng.gen();
            if p.name == "reset" {
                *w = (n < 2 || rng.gen_ratio(1, 3000)) as u32;
            }
        }
        for phase in [0, 1] {
            inputs[clock] = phase;
            vl.eval(&inputs, &mut a).unwrap();
            rh.eval(&inputs, &mut b).unwrap();
            assert_eq!(a, b, "clock {n} phase {phase}: {:?}", ports.outputs);
        }
        wraps += a[ports.output("dev$0$wrap").unwrap()];
    }
    assert!(wraps >= 2, "the comparison exercised carries ({wraps})");
}

#[test]
fn both_engines_write_vcd_files() {
    let dir = std::env::temp_dir().join(format!("mapdma-sim-vcd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut vl = VerilatorEngine::new(Model::new());
    let ports = vl.ports().clone();
    let mut rh = RustHdlEngine::new(new_top(), ports.clone(), &Binder).unwrap();
    let engines: [(&mut dyn Engine, &str); 2] = [(&mut vl, "vl.vcd"), (&mut rh, "rh.vcd")];
    for (e, file) in engines {
        let path = dir.join(file);
        e.trace_open(&path).unwrap();
        assert!(e.tracing());
        let mut inputs = vec![0u32; ports.inputs.len()];
        let mut out = vec![0u32; ports.outputs.len()];
        inputs[ports.input("dev$0$enable").unwrap()] = 1;
        inputs[ports.input("dev$0$step").unwrap()] = 3;
        for n in 0..10u64 {
            for phase in [0, 1] {
                inputs[ports.input("clock").unwrap()] = phase;
                e.eval(&inputs, &mut out).unwrap();
                e.trace_dump(n * 10_000 + phase as u64 * 5_000).unwrap();
            }
        }
        e.trace_close().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("$timescale"), "{file}");
        assert!(text.contains("$enddefinitions"), "{file}");
        assert!(text.contains("#95000"), "{file}: last time stamp");
        assert!(text.contains("count"), "{file}: port names");
    }
    let mut short = vec![0u32; 1];
    assert!(
        vl.eval(&[0], &mut short).is_err(),
        "wrong word counts are refused"
    );
    assert!(rh.eval(&[0], &mut short).is_err());
    let bad = dir.join("no/such/dir/x.vcd");
    assert!(vl.trace_open(&bad).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
