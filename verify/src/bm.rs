//! Bus-master bursts in differential programs (hdl/DESIGN.md §8): one burst of the bus-master
//! device through the translation port, run to completion on each model before the program's
//! next step, and what the device got back.
//!
//! A burst step runs while the engine is quiescent (the generator puts bursts at the start of
//! a round) and completes before the next step, so its outcome does not depend on timing: the
//! reference model answers it at once, the RTL bench pushes it to the bus-master device and
//! runs until the device has its response.

use mapdma_host::backend::reference::{BmBurst, BmRoute, ReferenceModel};
use mapdma_host::backend::{BackendError, BusResponse};
use mapdma_sim::axi::Resp;
use mapdma_sim::bus_master::Job;
use mapdma_sim::engine::Engine;
use mapdma_sim::{SimError, System};
use std::fmt;

/// Clocks a burst may take on the RTL bench (256 beats at the slowest random rates fit).
pub const MAX_CLOCKS_PER_BURST: u64 = 50_000;

/// One burst of the program: its address channel and how its W data is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BurstStep {
    pub burst: BmBurst,
    /// W data of beat k: `data_seed · (k + 1)` rotated by k.
    pub data_seed: u32,
    /// Strobes of every beat; 0 picks a nonzero strobe per beat from the data.
    pub strobe: u8,
}

impl BurstStep {
    /// The (data, strobe) of each beat of a write.
    pub fn beats(&self) -> Vec<(u32, u8)> {
        (0..self.burst.beats())
            .map(|k| {
                let word = self.data_seed.wrapping_mul(k + 1).rotate_left(k);
                let strobe = match self.strobe {
                    0 => (word >> 7) as u8 & 0xF | 1,
                    s => s,
                };
                (word, strobe)
            })
            .collect()
    }
}

/// What the device got back: read data (one word per beat) and every response (each R beat,
/// or the B), as AXI codes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BurstResult {
    pub data: Vec<u32>,
    pub responses: Vec<u8>,
}

impl fmt::Display for BurstResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |r: &u8| match r {
            0 => "OKAY",
            1 => "EXOKAY",
            2 => "SLVERR",
            _ => "DECERR",
        };
        let resps: Vec<&str> = self.responses.iter().map(name).collect();
        write!(f, "responses [{}]", resps.join(" "))?;
        if !self.data.is_empty() {
            let words: Vec<String> = self.data.iter().map(|w| format!("{w:#010x}")).collect();
            write!(f, ", data [{}]", words.join(" "))?;
        }
        Ok(())
    }
}

fn code(r: Option<BusResponse>) -> u8 {
    match r {
        None => Resp::Okay.bits() as u8,
        Some(BusResponse::SlaveError) => Resp::SlvErr.bits() as u8,
        Some(BusResponse::DecodeError) => Resp::DecErr.bits() as u8,
    }
}

/// The burst on the reference model, and whether the port translated it and the memory
/// answered an error (a statistic of the campaign: the device sees only the responses).
pub fn reference_burst(
    m: &mut ReferenceModel,
    s: &BurstStep,
) -> Result<(BurstResult, bool), BackendError> {
    let o = if s.burst.write {
        m.bm_write(&s.burst, &s.beats())?
    } else {
        m.bm_read(&s.burst)?
    };
    let memory_error =
        matches!(o.route, BmRoute::Memory(_)) && o.responses.iter().any(Option::is_some);
    let result = BurstResult {
        data: o.data,
        responses: o.responses.into_iter().map(code).collect(),
    };
    Ok((result, memory_error))
}

/// The burst on the RTL bench: pushed to the bus-master device, run until it is answered.
pub fn rtl_burst<E: Engine>(s: &mut System<E>, b: &BurstStep) -> Result<BurstResult, SimError> {
    if !s.has_bus_master_port() {
        return Err(SimError::Unsupported(
            "a bus-master burst on a design without the port".into(),
        ));
    }
    let job = Job::Burst {
        write: b.burst.write,
        addr: b.burst.addr,
        len: b.burst.len,
        size: b.burst.size,
        burst: b.burst.burst,
        beats: if b.burst.write { b.beats() } else { vec![] },
    };
    let id = s.bus_master.push(job).map_err(SimError::Unsupported)?;
    s.run_until(
        MAX_CLOCKS_PER_BURST,
        "the bus-master burst's response",
        |s| s.bus_master.idle(),
    )?;
    let r = s
        .bus_master
        .result(id)
        .expect("an idle bus master has finished every job");
    Ok(BurstResult {
        data: r
            .data
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect(),
        responses: r.responses.iter().map(|x| x.bits() as u8).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapdma_host::backend::reference::BURST_INCR;

    #[test]
    fn write_beats_have_nonzero_strobes_and_differ() {
        let s = BurstStep {
            burst: BmBurst {
                write: true,
                addr: 0,
                len: 3,
                size: 2,
                burst: BURST_INCR,
            },
            data_seed: 0x1234_5679,
            strobe: 0,
        };
        let b = s.beats();
        assert_eq!(b.len(), 4);
        assert!(b.iter().all(|&(_, st)| st != 0 && st <= 0xF));
        assert_ne!(b[0].0, b[1].0);
        let full = BurstStep { strobe: 0xF, ..s };
        assert!(full.beats().iter().all(|&(_, st)| st == 0xF));
    }
}
