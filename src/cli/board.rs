//! Boards described in `constraints/NAME/board.toml` (see constraints/README.md), and the
//! check that the pins it names agree with the `.pcf` that nextpnr reads.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mapdma_hdl::board::{ClockPlan, PllParams, PllPrimitive};

/// The repository's board folder, for a binary run from the source tree (`cargo run`).
pub fn default_constraints_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("constraints")
}

/// Device names nextpnr-ice40 accepts as `--<device>`.
const DEVICES: &[&str] = &[
    "lp384", "lp1k", "lp4k", "lp8k", "hx1k", "hx4k", "hx8k", "up3k", "up5k", "u1k", "u2k", "u4k",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    pub name: String,
    pub device: String,
    pub package: String,
    /// Relative to the board's folder.
    pub pcf: PathBuf,
    pub clock: Clock,
    pub uart: Option<Uart>,
    #[serde(default)]
    pub leds: Vec<Pin>,
    #[serde(default)]
    pub buttons: Vec<Pin>,
    /// `[design]`: what the generated board design carries on this board.
    #[serde(default)]
    pub design: Design,
    /// The folder board.toml was read from.
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    pub port: String,
    pub pin: String,
    /// The oscillator on the clock pin.
    pub mhz: f64,
    /// When present the design runs from the iCE40 PLL instead of the oscillator.
    pub pll: Option<Pll>,
}

/// `[design]`: optional parts of the generated board design (`mapdma_hdl::board::BoardOptions`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// The built-in test bus master on mapdma's bus-master port (needs room: on the HX8K
    /// breakout, not on the 94 %-full iCEBreaker).
    #[serde(default)]
    pub test_master: bool,
}

impl Design {
    pub fn options(&self) -> mapdma_hdl::board::BoardOptions {
        mapdma_hdl::board::BoardOptions {
            test_master: self.test_master,
        }
    }
}

/// `[clock.pll]`: the design's clock made by the iCE40 PLL from the oscillator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pll {
    /// Wanted output; the dividers are computed (`mapdma_hdl::board::PllParams`) and the achieved
    /// frequency is what the design, its UART divisor and the timing target use.
    pub mhz: f64,
    /// `core` (SB_PLL40_CORE, reference from the fabric) or `pad` (SB_PLL40_PAD, the oscillator
    /// is on the PLL's own input pad).
    pub primitive: String,
}

/// Hz from a frequency in MHz given in a board description.
fn hz(what: &str, mhz: f64) -> anyhow::Result<u32> {
    let hz = mhz * 1e6;
    if !(mhz.is_finite() && (1.0..=u32::MAX as f64).contains(&hz)) {
        bail!("{what} = {mhz} MHz (must be a positive frequency up to 4294 MHz)");
    }
    Ok(hz.round() as u32)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uart {
    /// Into the FPGA.
    pub rx: Pin,
    /// Out of the FPGA.
    pub tx: Pin,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    pub port: String,
    pub pin: String,
    #[serde(default)]
    pub active_low: bool,
}

impl Board {
    /// Reads `constraints/NAME/board.toml` and checks it against its `.pcf`.
    pub fn load(constraints: &Path, name: &str) -> anyhow::Result<Board> {
        let dir = constraints.join(name);
        let file = dir.join("board.toml");
        if !file.is_file() {
            bail!(
                "no board `{name}` (no {}); boards: {}",
                file.display(),
                available(constraints).join(", ")
            );
        }
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let mut board: Board =
            toml::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
        board.dir = dir;
        board.check().with_context(|| format!("board `{name}`"))?;
        Ok(board)
    }

    /// How the design is clocked: the oscillator directly, or the PLL's dividers for
    /// `[clock.pll]`.
    pub fn clock_plan(&self) -> anyhow::Result<ClockPlan> {
        let input_hz = hz("clock.mhz", self.clock.mhz)?;
        let pll = match &self.clock.pll {
            None => None,
            Some(p) => {
                let primitive = PllPrimitive::parse(&p.primitive)?;
                let params = PllParams::for_output(input_hz, hz("clock.pll.mhz", p.mhz)?)?;
                Some((primitive, params))
            }
        };
        Ok(ClockPlan { input_hz, pll })
    }

    /// The design's clock in MHz (the PLL's achieved output, or the oscillator).
    pub fn design_mhz(&self) -> anyhow::Result<f64> {
        Ok(self.clock_plan()?.design_hz() as f64 / 1e6)
    }

    /// One line describing the clock: `12 MHz on clk (pin J3), PLL SB_PLL40_CORE → 36 MHz`.
    pub fn clock_summary(&self) -> anyhow::Result<String> {
        let mut s = format!(
            "{} MHz on {} (pin {})",
            self.clock.mhz, self.clock.port, self.clock.pin
        );
        if let Some((primitive, params)) = self.clock_plan()?.pll {
            s.push_str(&format!(
                ", PLL {} → {} MHz",
                primitive.name(),
                params.output_hz() as f64 / 1e6
            ));
        }
        Ok(s)
    }

    /// Absolute path of the constraints file.
    pub fn pcf_path(&self) -> PathBuf {
        self.dir.join(&self.pcf)
    }

    /// Every named pin, with its role, for the consistency check.
    fn pins(&self) -> Vec<(&'static str, &str, &str)> {
        let mut v = vec![("clock", self.clock.port.as_str(), self.clock.pin.as_str())];
        if let Some(u) = &self.uart {
            v.push(("uart rx", &u.rx.port, &u.rx.pin));
            v.push(("uart tx", &u.tx.port, &u.tx.pin));
        }
        v.extend(
            self.leds
                .iter()
                .map(|p| ("led", p.port.as_str(), p.pin.as_str())),
        );
        v.extend(
            self.buttons
                .iter()
                .map(|p| ("button", p.port.as_str(), p.pin.as_str())),
        );
        v
    }

    fn check(&self) -> anyhow::Result<()> {
        if !DEVICES.contains(&self.device.as_str()) {
            bail!(
                "device `{}` is not an iCE40 device nextpnr-ice40 knows ({})",
                self.device,
                DEVICES.join(", ")
            );
        }
        self.clock_plan()?;
        let pcf_path = self.pcf_path();
        let text = std::fs::read_to_string(&pcf_path)
            .with_context(|| format!("reading {}", pcf_path.display()))?;
        let pcf = parse_pcf(&text).with_context(|| format!("in {}", pcf_path.display()))?;
        for (role, port, pin) in self.pins() {
            match pcf.get(port) {
                Some(p) if p == pin => {}
                Some(p) => bail!(
                    "{role} `{port}` is on pin {pin} in board.toml but on {p} in {}",
                    self.pcf.display()
                ),
                None => bail!(
                    "{role} `{port}` (pin {pin}) is missing from {}",
                    self.pcf.display()
                ),
            }
        }
        Ok(())
    }
}

/// Board folders under `constraints` (those holding a board.toml), sorted.
pub fn available(constraints: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(constraints)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("board.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `set_io` lines of a PCF: port → pin. Options (`-nowarn`, `-pullup yes`,
/// `-pullup_resistor 10K`) are skipped; anything else is an error, as nextpnr would make it.
pub fn parse_pcf(text: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        match words.next() {
            None => continue,
            Some("set_io") => {}
            Some("set_frequency") => continue,
            Some(cmd) => bail!("line {}: unsupported PCF command `{cmd}`", n + 1),
        }
        let mut operands = vec![];
        while let Some(w) = words.next() {
            match w {
                "-nowarn" => {}
                "-pullup" | "-pullup_resistor" => {
                    words.next();
                }
                opt if opt.starts_with('-') => bail!("line {}: unknown option `{opt}`", n + 1),
                w => operands.push(w),
            }
        }
        let [port, pin] = operands[..] else {
            bail!("line {}: expected `set_io PORT PIN`, got `{line}`", n + 1);
        };
        if map.insert(port.to_string(), pin.to_string()).is_some() {
            bail!("line {}: port `{port}` constrained twice", n + 1);
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_board_in_the_repository_loads_and_agrees_with_its_pcf() {
        let dir = default_constraints_dir();
        let boards = available(&dir);
        assert!(boards.contains(&"icebreaker".to_string()), "{boards:?}");
        assert!(boards.contains(&"hx8k-breakout".to_string()), "{boards:?}");
        for name in boards {
            let b = Board::load(&dir, &name).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert!(b.pcf_path().is_file());
        }
    }

    #[test]
    fn the_two_boards_have_the_documented_devices_and_clocks() {
        let dir = default_constraints_dir();
        let ib = Board::load(&dir, "icebreaker").unwrap();
        assert_eq!((ib.device.as_str(), ib.package.as_str()), ("up5k", "sg48"));
        assert_eq!((ib.clock.pin.as_str(), ib.clock.mhz), ("35", 12.0));
        let hx = Board::load(&dir, "hx8k-breakout").unwrap();
        assert_eq!((hx.device.as_str(), hx.package.as_str()), ("hx8k", "ct256"));
        assert_eq!((hx.clock.pin.as_str(), hx.clock.mhz), ("J3", 12.0));
    }

    /// The HX8K breakout carries the test bus master, the full iCEBreaker does not, and the
    /// virtual board mirrors the HX8K breakout.
    #[test]
    fn the_test_master_is_on_the_hx8k_breakout_and_the_virtual_board_only() {
        let dir = default_constraints_dir();
        let ib = Board::load(&dir, "icebreaker").unwrap();
        let hx = Board::load(&dir, "hx8k-breakout").unwrap();
        assert!(!ib.design.options().test_master);
        assert!(hx.design.options().test_master);
        assert_eq!(hx.design.options(), mapdma_hdl::board::VIRTUAL_BOARD);
    }

    #[test]
    fn an_unknown_board_lists_the_known_ones() {
        let e = Board::load(&default_constraints_dir(), "nope").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("icebreaker") && msg.contains("hx8k-breakout"),
            "{msg}"
        );
    }

    #[test]
    fn pcf_parsing_skips_options_and_comments() {
        let m =
            parse_pcf("# c\nset_io -nowarn clk 35 # osc\nset_io -pullup yes btn 10\n\n").unwrap();
        assert_eq!(m["clk"], "35");
        assert_eq!(m["btn"], "10");
        assert!(parse_pcf("set_io a").is_err());
        assert!(parse_pcf("set_io a 1\nset_io a 2").is_err());
        assert!(parse_pcf("set_location a 1").is_err());
    }

    #[test]
    fn a_pin_that_disagrees_with_the_pcf_is_caught() {
        let dir = std::env::temp_dir().join(format!("mapdma-board-{}", std::process::id()));
        let b = dir.join("bad");
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(b.join("bad.pcf"), "set_io clk 35\n").unwrap();
        std::fs::write(
            b.join("board.toml"),
            "name='x'\ndevice='up5k'\npackage='sg48'\npcf='bad.pcf'\n\
             [clock]\nport='clk'\npin='36'\nmhz=12.0\n",
        )
        .unwrap();
        let e = Board::load(&dir, "bad").unwrap_err();
        assert!(
            format!("{e:#}").contains("on pin 36 in board.toml but on 35"),
            "{e:#}"
        );
    }

    #[test]
    fn a_pll_the_chip_cannot_make_or_an_unknown_primitive_is_an_error() {
        let dir = std::env::temp_dir().join(format!("mapdma-pll-{}", std::process::id()));
        for (name, pll, expect) in [
            ("slow", "{ mhz = 8.0, primitive = 'core' }", "16–275 MHz"),
            ("odd", "{ mhz = 36.0, primitive = 'pll2' }", "use `core`"),
            ("ok", "{ mhz = 48.0, primitive = 'pad' }", ""),
        ] {
            let b = dir.join(name);
            std::fs::create_dir_all(&b).unwrap();
            std::fs::write(b.join("b.pcf"), "set_io clk 35\n").unwrap();
            std::fs::write(
                b.join("board.toml"),
                format!(
                    "name='x'\ndevice='up5k'\npackage='sg48'\npcf='b.pcf'\n\
                     [clock]\nport='clk'\npin='35'\nmhz=12.0\npll={pll}\n"
                ),
            )
            .unwrap();
            match Board::load(&dir, name) {
                Ok(board) => {
                    assert!(expect.is_empty(), "{name} loaded");
                    assert_eq!(board.design_mhz().unwrap(), 48.0);
                    assert!(board
                        .clock_summary()
                        .unwrap()
                        .contains("SB_PLL40_PAD → 48 MHz"));
                }
                Err(e) => assert!(format!("{e:#}").contains(expect), "{name}: {e:#}"),
            }
        }
    }
}
