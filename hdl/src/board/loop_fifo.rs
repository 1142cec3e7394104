//! The board's loop-back FIFO: 32 units of 32 bits between the loop-back sink (channel 0) and
//! source (channel 1), first word falling through, with `almost_full` at 24 entries.
//!
//! The board's own block rather than rust-hdl's `SynchronousFIFO` because every output here is
//! assigned once per evaluation (rust-hdl's FIFO logic assigns its fill level and RAM controls
//! several times in one `always @(*)`, which event-driven simulators can chase forever; see
//! `hdl/tests/settle.rs`). Storage is rust-hdl's `RAM` (synchronous read, block RAM on iCE40).
//!
//! ```text
//!  write ─▶ RAM[wr_ptr] ──(read-ahead at rd_sel)──▶ data_out
//!           wr_ptr ─▶ wr_visible (a write is readable two clocks later: the RAM is never
//!                                 read at an entry written in the same clock)
//! ```

use rust_hdl::prelude::*;

/// log2 of the entries.
const ADDR_BITS: usize = 5;
/// Entries.
pub const DEPTH: u64 = 1 << ADDR_BITS;
/// `almost_full` from this fill on: the loop-back sink keeps room for the reads it may still
/// have in flight (the board allows four outstanding).
pub const ALMOST_FULL: u64 = 24;

#[derive(LogicBlock)]
pub struct LoopFifo {
    pub clock: Signal<In, Clock>,
    pub write: Signal<In, Bit>,
    pub data_in: Signal<In, Bits<32>>,
    pub read: Signal<In, Bit>,
    pub data_out: Signal<Out, Bits<32>>,
    pub empty: Signal<Out, Bit>,
    pub full: Signal<Out, Bit>,
    pub almost_full: Signal<Out, Bit>,
    ram: RAM<Bits<32>, ADDR_BITS>,
    k_depth: Constant<Bits<6>>,
    k_almost_full: Constant<Bits<6>>,
    /// Pointers carry one bit more than the address, so full and empty differ.
    wr_ptr: DFF<Bits<6>>,
    wr_visible: DFF<Bits<6>>,
    rd_ptr: DFF<Bits<6>>,
    /// Entries written and not yet read (including those not yet visible).
    fill: Signal<Local, Bits<6>>,
    /// The head pointer after this clock's read (if any).
    rd_sel: Signal<Local, Bits<6>>,
}

impl Default for LoopFifo {
    fn default() -> Self {
        LoopFifo {
            clock: Default::default(),
            write: Default::default(),
            data_in: Default::default(),
            read: Default::default(),
            data_out: Default::default(),
            empty: Default::default(),
            full: Default::default(),
            almost_full: Default::default(),
            ram: Default::default(),
            k_depth: Constant::new(DEPTH.to_bits()),
            k_almost_full: Constant::new(ALMOST_FULL.to_bits()),
            wr_ptr: Default::default(),
            wr_visible: Default::default(),
            rd_ptr: Default::default(),
            fill: Default::default(),
            rd_sel: Default::default(),
        }
    }
}

impl Logic for LoopFifo {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr_ptr, wr_visible, rd_ptr);
        self.ram.write_clock.next = self.clock.val();
        self.ram.read_clock.next = self.clock.val();
        self.fill.next = self.wr_ptr.q.val() - self.rd_ptr.q.val();
        self.full.next = self.fill.val() == self.k_depth.val();
        self.almost_full.next = self.fill.val() >= self.k_almost_full.val();
        self.ram.write_enable.next = self.write.val() & (self.fill.val() != self.k_depth.val());
        self.ram.write_address.next = self.wr_ptr.q.val().get_bits::<ADDR_BITS>(0);
        self.ram.write_data.next = self.data_in.val();
        if self.write.val() & (self.fill.val() != self.k_depth.val()) {
            self.wr_ptr.d.next = self.wr_ptr.q.val() + 1;
        }
        self.wr_visible.d.next = self.wr_ptr.q.val();
        self.empty.next = self.rd_ptr.q.val() == self.wr_visible.q.val();
        // Read ahead: the RAM output always holds the entry at the head.
        self.rd_sel.next = self.rd_ptr.q.val();
        if self.read.val() & (self.rd_ptr.q.val() != self.wr_visible.q.val()) {
            self.rd_sel.next = self.rd_ptr.q.val() + 1;
        }
        self.rd_ptr.d.next = self.rd_sel.val();
        self.ram.read_address.next = self.rd_sel.val().get_bits::<ADDR_BITS>(0);
        self.data_out.next = self.ram.read_data.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random writes and reads against a queue: order, `empty`, `full`, `almost_full` and the
    /// data at the head, clock by clock; writes into a full FIFO are ignored.
    #[test]
    fn the_fifo_matches_a_queue_under_random_traffic() {
        let mut uut = LoopFifo::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<LoopFifo>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut ep: Sim<LoopFifo>| {
            let mut x = ep.init()?;
            let mut model: std::collections::VecDeque<u32> = Default::default();
            // Written values not yet visible at the output (one per clock, in order).
            let mut pending: std::collections::VecDeque<(u64, u32)> = Default::default();
            let mut rng: u64 = 0x1234_5678;
            let mut next = 1u32;
            let (mut filled_up, mut read_any) = (false, false);
            for clock in 0..4000u64 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                // Phases: fill (writes mostly), drain (reads mostly), mixed.
                let phase = (clock / 300) % 3;
                let (pw, pr) = [(90, 20), (20, 90), (60, 60)][phase as usize];
                let want_w = rng % 100 < pw;
                let want_r = (rng >> 8) % 100 < pr;
                let visible = model.len();
                sim_assert_eq!(ep, x.empty.val(), visible == 0, x);
                let total = visible + pending.len();
                sim_assert_eq!(ep, x.full.val(), total as u64 == DEPTH, x);
                sim_assert_eq!(ep, x.almost_full.val(), total as u64 >= ALMOST_FULL, x);
                if visible > 0 {
                    sim_assert_eq!(ep, x.data_out.val(), Bits::<32>::from(model[0] as u64), x);
                }
                x.write.next = want_w;
                x.data_in.next = (next as u64).into();
                x.read.next = want_r;
                if want_r && visible > 0 {
                    model.pop_front();
                    read_any = true;
                }
                if want_w && (total as u64) < DEPTH {
                    pending.push_back((clock + 2, next));
                    next += 1;
                }
                filled_up |= total as u64 == DEPTH;
                wait_clock_cycle!(ep, clock, x);
                while pending.front().is_some_and(|(t, _)| *t <= clock + 1) {
                    model.push_back(pending.pop_front().unwrap().1);
                }
            }
            sim_assert!(ep, filled_up && read_any, x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }
}
