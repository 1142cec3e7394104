//! Rate patterns: when a model is willing (READY, VALID, a new unit) on a given clock.

use rand::rngs::StdRng;
use rand::Rng;

/// How often a model says yes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rate {
    /// Every clock.
    Always,
    Never,
    /// One clock in every `k` (k ≥ 1; `Every(1)` = `Always`).
    Every(u32),
    /// Each clock independently with probability `p` (0..=1), from the model's seeded RNG.
    Random(f64),
    /// `on` clocks yes, then `off` clocks no, repeating.
    Bursty {
        on: u32,
        off: u32,
    },
}

/// A [`Rate`] with its phase. Call [`RateGen::tick`] exactly once per clock, so the random
/// sequence depends only on the seed and the clock number.
#[derive(Clone, Debug)]
pub struct RateGen {
    rate: Rate,
    clock: u64,
}

impl RateGen {
    pub fn new(rate: Rate) -> Self {
        RateGen { rate, clock: 0 }
    }

    pub fn rate(&self) -> Rate {
        self.rate
    }

    #[inline]
    pub fn tick(&mut self, rng: &mut StdRng) -> bool {
        let n = self.clock;
        self.clock += 1;
        match self.rate {
            Rate::Always => true,
            Rate::Never => false,
            Rate::Every(k) => {
                let phase = n % k.max(1) as u64;
                phase == 0
            }
            Rate::Random(p) => rng.gen_bool(p.clamp(0.0, 1.0)),
            Rate::Bursty { on, off } => {
                let period = (on + off).max(1) as u64;
                n % period < on as u64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn pattern(rate: Rate, n: usize) -> Vec<bool> {
        let mut rng = StdRng::seed_from_u64(1);
        let mut g = RateGen::new(rate);
        (0..n).map(|_| g.tick(&mut rng)).collect()
    }

    #[test]
    fn patterns_have_the_documented_shape() {
        assert!(pattern(Rate::Always, 10).iter().all(|&b| b));
        assert!(pattern(Rate::Never, 10).iter().all(|&b| !b));
        assert_eq!(
            pattern(Rate::Every(3), 7),
            [true, false, false, true, false, false, true]
        );
        assert_eq!(
            pattern(Rate::Bursty { on: 2, off: 1 }, 6),
            [true, true, false, true, true, false]
        );
        let r = pattern(Rate::Random(0.5), 2000);
        let yes = r.iter().filter(|&&b| b).count();
        assert!((800..1200).contains(&yes), "{yes}");
        assert_eq!(
            r,
            pattern(Rate::Random(0.5), 2000),
            "same seed, same sequence"
        );
    }
}
