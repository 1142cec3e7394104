//! Passive observers.

/// Watches the level interrupt: rising edges and clocks spent high.
#[derive(Clone, Debug, Default)]
pub struct IrqObserver {
    level: bool,
    rises: Vec<u64>,
    high_cycles: u64,
}

impl IrqObserver {
    #[inline]
    pub fn observe(&mut self, level: bool, cycle: u64) {
        if level && !self.level {
            self.rises.push(cycle);
        }
        if level {
            self.high_cycles += 1;
        }
        self.level = level;
    }

    /// The level in the last clock observed.
    pub fn level(&self) -> bool {
        self.level
    }

    /// Clocks in which the interrupt went from low to high.
    pub fn rises(&self) -> &[u64] {
        &self.rises
    }

    pub fn high_cycles(&self) -> u64 {
        self.high_cycles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_edges_and_high_time() {
        let mut o = IrqObserver::default();
        for (c, l) in [false, true, true, false, true].into_iter().enumerate() {
            o.observe(l, c as u64);
        }
        assert_eq!(o.rises(), [1, 4]);
        assert_eq!(o.high_cycles(), 3);
        assert!(o.level());
    }
}
