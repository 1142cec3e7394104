//! A short request queue in front of one AXI channel (AW, W or AR): the engine pushes a payload
//! when `space` is high, the queue presents the oldest one with VALID held until READY.
//!
//! ```text
//!   push ─┬──────────────(staged: in_valid)─┐   ┌──────────────┐
//!  data ──┴──────────────(staged: in_data)──┴──►│ slot[0..N-1] │──► valid / data (head) ──► AXI
//!  space ◄──────────────────────────────────────│ count (reg)  │◄── ready               ◄── AXI
//!                                               └──────────────┘
//! ```
//!
//! Why a queue and not one output register: AW and W (and AR) stall independently. With one
//! register per channel a write unit can only be committed in a clock where *both* AW and W
//! have room, so two independent 25 % stall patterns cut a stream to ~0.56 units per clock;
//! a few entries of slack per channel let each drain at its own pace.
//!
//! With two or more entries `space` is a register (the count after this clock's push and pop is
//! below the depth), so no AXI READY input reaches the engine's commit decision
//! combinationally; it ignores a pop in the same clock, which costs nothing while the queue is
//! not full. A one-entry queue is the plain output register: `space` = empty or READY, so the
//! request appears on the bus exactly one clock after its push.
//!
//! A *staged* queue (`AxiQueue::staged`) takes the push into an input register first: `push`
//! sets one flip-flop and the payload register loads whatever `push` is (it keeps its entry
//! only while every slot is full and none leaves), and the slots are written from these
//! registers a clock later. Why: the engine's `push` is its commit decision, the latest signal
//! of its clock; staged, it does not fan out into the slots' write enables. The request reaches
//! the bus two clocks after its push; the input register is one entry more than `depth`.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct AxiQueue<const W: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub push: Signal<In, Bit>,
    pub data_in: Signal<In, Bits<W>>,
    /// A push this clock is accepted.
    pub space: Signal<Out, Bit>,
    pub valid: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<W>>,
    pub ready: Signal<In, Bit>,
    /// `depth - 1` and the mask of the one-hot pointers.
    k_last: Constant<Bits<4>>,
    /// Entries a queue may hold after a clock for `space` to stay high: `depth - 1` (plain) or
    /// `depth` (staged: the slots and the input register together hold `depth + 1`).
    k_cap: Constant<Bits<4>>,
    k_depth: Constant<Bits<3>>,
    k_mask: Constant<Bits<4>>,
    k_single: Constant<Bit>,
    k_staged: Constant<Bit>,
    in_valid: DFF<Bit>,
    in_data: DFF<Bits<W>>,
    slots: Vec<DFF<Bits<W>>>,
    /// One-hot pointers: slot i is read/written with `get_bit(i)`, no index compares.
    head: DFF<Bits<4>>,
    tail: DFF<Bits<4>>,
    count: DFF<Bits<3>>,
    space_r: DFF<Bit>,
    pop: Signal<Local, Bit>,
    space_now: Signal<Local, Bit>,
    count_next: Signal<Local, Bits<3>>,
    /// Slot entries after this clock apart from this clock's push (plain queue).
    count_base: Signal<Local, Bits<3>>,
    /// The entry written into a slot this clock (the push, or the staged push).
    wr_en: Signal<Local, Bit>,
    /// Staged: the input register's entry waits, every slot being full and none leaving.
    hold: Signal<Local, Bit>,
    wr_data: Signal<Local, Bits<W>>,
    head_data: Signal<Local, Bits<W>>,
}

impl<const W: usize> AxiQueue<W> {
    /// A queue of `depth` entries (1..=4).
    pub fn new(depth: usize) -> Self {
        Self::build(depth, false)
    }

    /// A queue of `depth` slots (2..=4) whose pushes pass through an input register (see the
    /// module comment).
    pub fn staged(depth: usize) -> Self {
        assert!(depth >= 2, "a staged queue needs two slots");
        Self::build(depth, true)
    }

    fn build(depth: usize, staged: bool) -> Self {
        assert!((1..=4).contains(&depth), "queue depth {depth}");
        AxiQueue {
            clock: Default::default(),
            reset: Default::default(),
            push: Default::default(),
            data_in: Default::default(),
            space: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            ready: Default::default(),
            k_last: Constant::new(((depth - 1) as u64).to_bits()),
            // A one-slot queue ignores `space_r`; 1 keeps its compares from being constant.
            k_cap: Constant::new(((depth - 1 + staged as usize).max(1) as u64).to_bits()),
            k_depth: Constant::new((depth as u64).to_bits()),
            k_mask: Constant::new(((1u64 << depth) - 1).to_bits()),
            k_single: Constant::new(depth == 1),
            k_staged: Constant::new(staged),
            in_valid: Default::default(),
            in_data: Default::default(),
            slots: (0..depth).map(|_| DFF::default()).collect(),
            head: Default::default(),
            tail: Default::default(),
            count: Default::default(),
            space_r: Default::default(),
            pop: Default::default(),
            space_now: Default::default(),
            count_next: Default::default(),
            count_base: Default::default(),
            wr_en: Default::default(),
            hold: Default::default(),
            wr_data: Default::default(),
            head_data: Default::default(),
        }
    }
}

impl<const W: usize> Logic for AxiQueue<W> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, head, tail, count, space_r, in_valid, in_data);
        self.pop.next = (self.count.q.val() != 0) & self.ready.val();
        self.in_valid.d.next = self.push.val();
        self.in_data.d.next = self.data_in.val();
        self.wr_en.next = self.push.val();
        self.wr_data.next = self.data_in.val();
        self.hold.next = false;
        if self.k_staged.val() {
            // No push can meet a held entry: `space` was low (the queue held depth + 1).
            self.hold.next = self.in_valid.q.val()
                & (self.count.q.val() == self.k_depth.val())
                & !self.pop.val();
            self.wr_en.next = self.in_valid.q.val() & !self.hold.val();
            self.wr_data.next = self.in_data.q.val();
            if self.hold.val() {
                self.in_valid.d.next = true;
                self.in_data.d.next = self.in_data.q.val();
            }
        }
        self.head_data.next = 0.into();
        for i in 0..self.slots.len() {
            self.slots[i].clock.next = self.clock.val();
            self.slots[i].d.next = self.slots[i].q.val();
            if self.wr_en.val() & self.tail.q.val().get_bit(i) {
                self.slots[i].d.next = self.wr_data.val();
            }
            if self.head.q.val().get_bit(i) {
                self.head_data.next = self.slots[i].q.val();
            }
        }
        // One slot: it is always the head and the tail. Said outright, because synthesis cannot
        // prove that the one-bit pointers stay 1 after reset and would gate every data bit.
        // It loads whenever it may take a push (empty, or leaving), pushed or not: an entry
        // loaded without a push is never valid, and the push (the engine's commit decision)
        // then reaches the count alone, not every data bit's enable.
        if self.k_single.val() {
            self.head_data.next = self.slots[0].q.val();
            self.slots[0].d.next = self.slots[0].q.val();
            if (self.count.q.val() == 0) | self.ready.val() {
                self.slots[0].d.next = self.wr_data.val();
            }
        }
        if self.wr_en.val() {
            self.tail.d.next = ((self.tail.q.val() << 1)
                | (self.tail.q.val() >> self.k_last.val()))
                & self.k_mask.val();
        }
        if self.pop.val() {
            self.head.d.next = ((self.head.q.val() << 1)
                | (self.head.q.val() >> self.k_last.val()))
                & self.k_mask.val();
        }
        // Entries after this clock without this clock's push (`count_base`); the push only
        // selects between the two `space` flags computed from it (it is the engine's commit
        // decision, the latest signal of the clock: one LUT level from it to the register).
        self.count_base.next = self.count.q.val() - bit_cast::<3, 1>(self.pop.val().into());
        if self.k_staged.val() {
            self.count_base.next = self.count.q.val() + bit_cast::<3, 1>(self.wr_en.val().into())
                - bit_cast::<3, 1>(self.pop.val().into());
        }
        self.count_next.next = self.count_base.val();
        if !self.k_staged.val() {
            self.count_next.next = self.count_base.val() + bit_cast::<3, 1>(self.push.val().into());
        }
        self.count.d.next = self.count_next.val();
        // One entry more with the push or, staged, with an entry held in the input register (a
        // push never meets it: `space` was low). Compares only: no adder after the push.
        self.space_r.d.next = bit_cast::<4, 3>(self.count_base.val()) <= self.k_cap.val();
        if self.push.val() | (self.k_staged.val() & self.hold.val()) {
            self.space_r.d.next = bit_cast::<4, 3>(self.count_base.val()) < self.k_cap.val();
        }
        if self.reset.val() {
            self.in_valid.d.next = false;
            self.head.d.next = 1.into();
            self.tail.d.next = 1.into();
            self.count.d.next = 0.into();
            self.space_r.d.next = true;
        }
        self.space_now.next = self.space_r.q.val();
        if self.k_single.val() {
            self.space_now.next = (self.count.q.val() == 0) | self.ready.val();
        }
        self.space.next = self.space_now.val();
        self.valid.next = self.count.q.val() != 0;
        self.data.next = self.head_data.val();
    }
}
