//! The iCE40 sysCLOCK PLL: divider settings for a wanted output frequency, and the primitive's
//! instance in the board wrapper.
//!
//! In the simple feedback mode the PLL makes `f_out = f_in · (DIVF + 1) / ((DIVR + 1) · 2^DIVQ)`
//! within the limits of the iCE40 sysCLOCK PLL design guide (TN1251): the phase detector runs at
//! 10–133 MHz, the VCO at 533–1066 MHz, the output at 16–275 MHz, and the loop filter range is
//! picked from the phase detector frequency. [`PllParams::for_output`] searches every legal
//! setting and keeps the closest output (the lowest VCO among equals, for less jitter and power).

use super::BoardError;
use std::fmt::Write;

/// Phase-detector input range (after DIVR), Hz.
const PFD_HZ: (f64, f64) = (10e6, 133e6);
/// VCO range, Hz.
const VCO_HZ: (f64, f64) = (533e6, 1066e6);
/// Output range, Hz.
const OUT_HZ: (f64, f64) = (16e6, 275e6);
/// Largest relative error between the wanted and the achieved output accepted: the UART divisor
/// and the timing constraint use the achieved frequency, so this only guards against a board
/// description asking for something the PLL cannot come near.
const MAX_ERROR: f64 = 0.01;

/// Which PLL primitive feeds the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PllPrimitive {
    /// `SB_PLL40_CORE`: reference from the fabric (any clock pin).
    Core,
    /// `SB_PLL40_PAD`: reference straight from the PLL's own input pad (needed when the board
    /// oscillator sits on that pad, which then cannot also be an ordinary input).
    Pad,
}

impl PllPrimitive {
    pub fn name(self) -> &'static str {
        match self {
            PllPrimitive::Core => "SB_PLL40_CORE",
            PllPrimitive::Pad => "SB_PLL40_PAD",
        }
    }

    /// The primitive named `name` (`core`/`pad` or the primitive's own name).
    pub fn parse(name: &str) -> Result<Self, BoardError> {
        match name {
            "core" | "SB_PLL40_CORE" => Ok(PllPrimitive::Core),
            "pad" | "SB_PLL40_PAD" => Ok(PllPrimitive::Pad),
            _ => Err(BoardError::Pins(format!(
                "PLL primitive `{name}`: use `core` (SB_PLL40_CORE) or `pad` (SB_PLL40_PAD)"
            ))),
        }
    }
}

/// One legal setting of the PLL in simple feedback mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PllParams {
    pub input_hz: u32,
    pub divr: u8,
    pub divf: u8,
    pub divq: u8,
    pub filter_range: u8,
}

impl PllParams {
    /// The setting whose output is closest to `wanted_hz` for a reference of `input_hz`; an error
    /// when nothing legal comes within 1 %.
    pub fn for_output(input_hz: u32, wanted_hz: u32) -> Result<Self, BoardError> {
        let fin = input_hz as f64;
        let want = wanted_hz as f64;
        if !(OUT_HZ.0..=OUT_HZ.1).contains(&want) {
            return Err(BoardError::Pins(format!(
                "PLL output {:.3} MHz is outside the iCE40 PLL's {:.0}–{:.0} MHz",
                want / 1e6,
                OUT_HZ.0 / 1e6,
                OUT_HZ.1 / 1e6
            )));
        }
        let mut best: Option<(f64, f64, PllParams)> = None;
        for divr in 0..=15u8 {
            let pfd = fin / (divr as f64 + 1.0);
            if !(PFD_HZ.0..=PFD_HZ.1).contains(&pfd) {
                continue;
            }
            for divf in 0..=127u8 {
                let vco = pfd * (divf as f64 + 1.0);
                if !(VCO_HZ.0..=VCO_HZ.1).contains(&vco) {
                    continue;
                }
                for divq in 1..=6u8 {
                    let out = vco / f64::from(1u32 << divq);
                    if !(OUT_HZ.0..=OUT_HZ.1).contains(&out) {
                        continue;
                    }
                    let p = PllParams {
                        input_hz,
                        divr,
                        divf,
                        divq,
                        filter_range: filter_range(pfd),
                    };
                    let key = ((out - want).abs(), vco);
                    if best.is_none_or(|(e, v, _)| key.0 < e || (key.0 == e && key.1 < v)) {
                        best = Some((key.0, key.1, p));
                    }
                }
            }
        }
        match best {
            Some((err, _, p)) if err / want <= MAX_ERROR => Ok(p),
            Some((_, _, p)) => Err(BoardError::Pins(format!(
                "the iCE40 PLL cannot make {:.3} MHz from {:.3} MHz within {:.0} % (nearest {:.3} MHz)",
                want / 1e6,
                fin / 1e6,
                MAX_ERROR * 100.0,
                p.output_hz_f64() / 1e6
            ))),
            None => Err(BoardError::Pins(format!(
                "the iCE40 PLL has no legal setting for a {:.3} MHz reference",
                fin / 1e6
            ))),
        }
    }

    fn output_hz_f64(&self) -> f64 {
        self.input_hz as f64 * (self.divf as f64 + 1.0)
            / ((self.divr as f64 + 1.0) * f64::from(1u32 << self.divq))
    }

    /// The achieved output frequency, rounded to a hertz.
    pub fn output_hz(&self) -> u32 {
        self.output_hz_f64().round() as u32
    }

    /// The VCO frequency, Hz.
    pub fn vco_hz(&self) -> f64 {
        self.output_hz_f64() * f64::from(1u32 << self.divq)
    }

    /// The primitive instance: reference from `input` (a port of the wrapper), the global clock
    /// out on `clock_out`, LOCK on `lock`.
    pub fn instance(
        &self,
        primitive: PllPrimitive,
        input: &str,
        clock_out: &str,
        lock: &str,
    ) -> String {
        let reference = match primitive {
            PllPrimitive::Core => "REFERENCECLK",
            PllPrimitive::Pad => "PACKAGEPIN",
        };
        let mut v = String::new();
        let _ = writeln!(
            v,
            "    // {:.3} MHz → {:.3} MHz (VCO {:.1} MHz)",
            self.input_hz as f64 / 1e6,
            self.output_hz_f64() / 1e6,
            self.vco_hz() / 1e6
        );
        let _ = writeln!(v, "    {} #(", primitive.name());
        let _ = writeln!(v, "        .FEEDBACK_PATH(\"SIMPLE\"),");
        let _ = writeln!(v, "        .DIVR(4'd{}),", self.divr);
        let _ = writeln!(v, "        .DIVF(7'd{}),", self.divf);
        let _ = writeln!(v, "        .DIVQ(3'd{}),", self.divq);
        let _ = writeln!(v, "        .FILTER_RANGE(3'd{})", self.filter_range);
        let _ = writeln!(v, "    ) pll (");
        let _ = writeln!(v, "        .{reference}({input}),");
        let _ = writeln!(v, "        .PLLOUTGLOBAL({clock_out}),");
        let _ = writeln!(v, "        .LOCK({lock}),");
        let _ = writeln!(v, "        .RESETB(1'b1),");
        let _ = writeln!(v, "        .BYPASS(1'b0)");
        let _ = writeln!(v, "    );");
        v
    }
}

/// Loop-filter range for a phase-detector frequency (TN1251's table, as icepll picks it).
fn filter_range(pfd_hz: f64) -> u8 {
    let mhz = pfd_hz / 1e6;
    match mhz {
        m if m < 17.0 => 1,
        m if m < 26.0 => 2,
        m if m < 44.0 => 3,
        m if m < 66.0 => 4,
        m if m < 101.0 => 5,
        _ => 6,
    }
}

/// The clock the board design runs from: the board's oscillator, directly or through the PLL.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClockPlan {
    /// The oscillator on the board's clock pin, Hz.
    pub input_hz: u32,
    pub pll: Option<(PllPrimitive, PllParams)>,
}

impl ClockPlan {
    /// The design's clock, Hz (what the UART divisor and the timing target use).
    pub fn design_hz(&self) -> u32 {
        match &self.pll {
            Some((_, p)) => p.output_hz(),
            None => self.input_hz,
        }
    }
}

impl From<u32> for ClockPlan {
    /// The oscillator drives the design directly.
    fn from(input_hz: u32) -> Self {
        ClockPlan {
            input_hz,
            pll: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_to_thirty_six_is_exact_with_the_lowest_vco() {
        let p = PllParams::for_output(12_000_000, 36_000_000).unwrap();
        assert_eq!(p.output_hz(), 36_000_000);
        // 576 MHz is the only VCO in range that divides down to 36 MHz by a power of two.
        assert_eq!((p.divr, p.divf, p.divq, p.filter_range), (0, 47, 4, 1));
    }

    #[test]
    fn every_setting_found_obeys_the_limits() {
        for want in (16..=268).step_by(6) {
            let p = PllParams::for_output(12_000_000, want * 1_000_000).unwrap();
            let pfd = 12e6 / (p.divr as f64 + 1.0);
            assert!((10e6..=133e6).contains(&pfd));
            assert!((533e6..=1066e6).contains(&p.vco_hz()), "{p:?}");
            let err = (p.output_hz() as f64 - want as f64 * 1e6).abs() / (want as f64 * 1e6);
            assert!(err <= 0.01, "{want} MHz: {p:?}");
        }
    }

    #[test]
    fn outputs_the_pll_cannot_make_are_errors() {
        for want in [12_000_000, 300_000_000] {
            let e = PllParams::for_output(12_000_000, want)
                .unwrap_err()
                .to_string();
            assert!(e.contains("16–275 MHz"), "{e}");
        }
        // In range, but 12 MHz multiplies to 270 MHz at best below 275.
        let e = PllParams::for_output(12_000_000, 275_000_000)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nearest 270.000 MHz"), "{e}");
        // A 5 MHz reference is below the phase detector's 10 MHz minimum.
        let e = PllParams::for_output(5_000_000, 40_000_000)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no legal setting"), "{e}");
    }

    #[test]
    fn the_instance_names_the_primitive_and_its_dividers() {
        let p = PllParams::for_output(12_000_000, 36_000_000).unwrap();
        let core = p.instance(PllPrimitive::Core, "clk", "sys_clk", "lock");
        assert!(core.contains("SB_PLL40_CORE #(") && core.contains(".REFERENCECLK(clk)"));
        assert!(core.contains(".DIVF(7'd47)") && core.contains(".DIVQ(3'd4)"));
        let pad = p.instance(PllPrimitive::Pad, "clk", "sys_clk", "lock");
        assert!(pad.contains("SB_PLL40_PAD #(") && pad.contains(".PACKAGEPIN(clk)"));
    }
}
