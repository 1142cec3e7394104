//! The board blocks through Yosys: no latches anywhere, the bridge's frame buffer is one iCE40
//! block RAM and the system RAM maps onto block RAMs (8 KiB = 16 × SB_RAM40_4K). The board
//! wrapper's checks on pin descriptions.

use mapdma_hdl::board::{
    board_pcf, board_verilog, BoardError, BoardOptions, BoardPins, ClockPlan, PinMap, PllParams,
    PllPrimitive, SystemRam, TestMaster, UartBridge, UartRx, UartTx,
};
use rust_hdl::prelude::*;
use std::path::PathBuf;
use std::process::Command;

fn out_dir(name: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("board_synth")
        .join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Synthesizes `verilog` for iCE40 after asserting that `proc` made no latch; returns the
/// design's cell counts by type.
fn synth(name: &str, verilog: &str) -> serde_like::Stat {
    let dir = out_dir(name);
    std::fs::write(dir.join("top.v"), verilog).unwrap();
    let script = "read_verilog -sv top.v; hierarchy -check -top top; proc; \
                  select -assert-none t:$dlatch t:$adlatch t:$dlatchsr; \
                  synth_ice40 -top top; tee -q -o stat.txt stat";
    let out = Command::new("yosys")
        .args(["-q", "-p", script])
        .current_dir(&dir)
        .output()
        .expect("`yosys` is not installed: run `ci/setup`");
    assert!(
        out.status.success(),
        "{name}: yosys failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_like::Stat(std::fs::read_to_string(dir.join("stat.txt")).unwrap())
}

/// Reading cell counts from Yosys' text `stat` (the JSON one is parsed by the CLI).
mod serde_like {
    pub struct Stat(pub String);
    impl Stat {
        pub fn cells(&self, ty: &str) -> u64 {
            self.0
                .lines()
                .rev()
                .find_map(|l| {
                    let mut it = l.split_whitespace();
                    (it.next() == Some(ty)).then(|| it.next()?.parse().ok())?
                })
                .unwrap_or(0)
        }
    }
}

fn verilog_of<T: Block>(mut block: T) -> String {
    block.connect_all();
    generate_verilog(&block)
}

#[test]
fn uart_and_bridge_blocks_have_no_latches() {
    let rx = synth("uart_rx", &verilog_of(UartRx::new(104)));
    assert!(rx.cells("SB_LUT4") > 0);
    synth("uart_tx", &verilog_of(UartTx::new(104)));
    let bridge = synth("bridge", &verilog_of(UartBridge::new(600_000)));
    assert!(
        bridge.cells("SB_LUT4") < 700,
        "the bridge stays small: {}",
        bridge.0
    );
    assert_eq!(
        bridge.cells("SB_RAM40_4K"),
        1,
        "one block RAM holds a whole frame's payload"
    );
}

#[test]
fn the_system_ram_is_block_ram() {
    let ram = synth("system_ram", &verilog_of(SystemRam::<11>::new(false)));
    assert_eq!(ram.cells("SB_RAM40_4K"), 16, "{}", ram.0);
    // Measured 318 (Yosys 0.23): three 32-bit range checks and the port multiplexers.
    assert!(ram.cells("SB_LUT4") < 400, "{}", ram.0);
    // The burst port adds its counters and range checks, no block RAM.
    let with = synth("system_ram_burst", &verilog_of(SystemRam::<11>::new(true)));
    assert_eq!(with.cells("SB_RAM40_4K"), 16, "{}", with.0);
    assert!(with.cells("SB_LUT4") < BURST_RAM_LUTS, "{}", with.0);
}

/// Bound on the system RAM with its burst port: measured 702 (Yosys 0.23), +383 for the burst
/// port's 32-bit beat addresses, range checks and the wider port multiplexers.
const BURST_RAM_LUTS: u64 = 800;

#[test]
fn the_test_master_is_small_and_has_no_block_ram() {
    let tm = synth("test_master", &verilog_of(TestMaster::new(8)));
    assert_eq!(tm.cells("SB_RAM40_4K"), 0, "{}", tm.0);
    // Measured 582 (Yosys 0.23): 32-bit SRC/DST/LENGTH/MOVED counters, the burst sizing and
    // the window multiplexer.
    assert!(tm.cells("SB_LUT4") < 750, "{}", tm.0);
}

/// A board design without the test master (the iCEBreaker's).
const NONE: BoardOptions = BoardOptions { test_master: false };

fn pin(port: &str, pin: &str, active_low: bool) -> PinMap {
    PinMap {
        port: port.into(),
        pin: pin.into(),
        active_low,
    }
}

fn pins(leds: Vec<PinMap>) -> BoardPins {
    BoardPins {
        board: "test board".into(),
        clock: pin("clk", "1", false),
        uart_rx: pin("rx", "2", false),
        uart_tx: pin("tx", "3", false),
        leds,
    }
}

#[test]
fn the_wrapper_names_ports_as_the_board_does() {
    let p = pins(vec![
        pin("led[1]", "5", false),
        pin("led[0]", "4", true),
        pin("solo_n", "6", true),
    ]);
    let v = board_verilog(&p, 12_000_000, 115_200, NONE).unwrap();
    assert!(v.contains("output wire [1:0] led"), "{}", &v[..600]);
    assert!(v.contains("assign led[1] = board_leds[0];"));
    assert!(v.contains("assign led[0] = ~board_leds[1];"));
    assert!(v.contains("assign solo_n = ~board_leds[2];"));
    let pcf = board_pcf(&p);
    assert!(pcf.contains("set_io led[0] 4\n") && pcf.contains("set_io solo_n 6\n"));
}

#[test]
fn unusable_pin_descriptions_are_errors() {
    let gap = pins(vec![pin("led[0]", "4", false), pin("led[2]", "5", false)]);
    assert!(matches!(
        board_verilog(&gap, 12_000_000, 115_200, NONE),
        Err(BoardError::Pins(m)) if m.contains("gaps")
    ));
    let bad = pins(vec![pin("led-1", "4", false)]);
    assert!(matches!(
        board_verilog(&bad, 12_000_000, 115_200, NONE),
        Err(BoardError::Pins(m)) if m.contains("identifier")
    ));
    let twice = pins(vec![pin("rx", "4", false)]);
    assert!(matches!(
        board_verilog(&twice, 12_000_000, 115_200, NONE),
        Err(BoardError::Pins(m)) if m.contains("twice")
    ));
    assert!(matches!(
        board_verilog(&pins(vec![]), 1_000_000, 115_200, NONE),
        Err(BoardError::Baud(_))
    ));
}

/// With a PLL the wrapper instantiates the primitive, clocks the design from its global output
/// and holds it in reset until LOCK has passed two flops; Yosys resolves it against the iCE40
/// cell library and keeps exactly one PLL. The UART divisor follows the PLL's output.
#[test]
fn a_pll_clocks_the_design_and_holds_it_in_reset_until_locked() {
    let p = pins(vec![pin("led[0]", "4", false)]);
    for primitive in [PllPrimitive::Core, PllPrimitive::Pad] {
        let plan = ClockPlan {
            input_hz: 12_000_000,
            pll: Some((
                primitive,
                PllParams::for_output(12_000_000, 36_000_000).unwrap(),
            )),
        };
        let v = board_verilog(&p, plan, 115_200, NONE).unwrap();
        assert!(v.contains(&format!("{} #(", primitive.name())));
        assert!(v.contains(".PLLOUTGLOBAL(design_clock)"));
        assert!(v.contains("mapdma_board board(.clock(design_clock)"));
        assert!(v.contains(".hold(~lock_sync[1])"));
        let dir = out_dir(&format!("pll_{}", primitive.name()));
        std::fs::write(dir.join("top.v"), &v).unwrap();
        let script = format!(
            "read_verilog -lib +/ice40/cells_sim.v; read_verilog -sv top.v; \
             hierarchy -check -top top; select -assert-count 1 t:{}",
            primitive.name()
        );
        let out = Command::new("yosys")
            .args(["-q", "-p", &script])
            .current_dir(&dir)
            .output()
            .expect("`yosys` is not installed: run `ci/setup`");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Without a PLL the clock pin drives the design and nothing holds it.
    let direct = board_verilog(&p, 12_000_000, 115_200, NONE).unwrap();
    assert!(direct.contains("mapdma_board board(.clock(clk)") && direct.contains(".hold(1'b0)"));
    assert!(!direct.contains("SB_PLL40"));
    // The divisor is the design clock's: 313 clocks per bit at 36 MHz, 104 at 12 MHz.
    let at = |hz: u32| mapdma_hdl::board::uart_divisor(hz, 115_200).unwrap();
    assert_eq!((at(36_000_000), at(12_000_000)), (313, 104));
}

#[test]
fn a_port_may_not_take_a_name_of_the_wrapper() {
    for name in ["design_clock", "pll_lock", "lock_sync", "pll"] {
        let p = pins(vec![pin(name, "4", false)]);
        assert!(matches!(
            board_verilog(&p, 12_000_000, 115_200, NONE),
            Err(BoardError::Pins(m)) if m.contains("clashes")
        ));
    }
}
