//! A short request queue in front of one AXI channel (AW, W or AR): the engine pushes a payload
//! when `space` is high, the queue presents the oldest one with VALID held until READY.
//!
//! ```text
//!   push ─┐   ┌──────────────┐
//!  data ──┴──►│ slot[0..N-1] │──► valid / data (head)   ──► AXI
//!  space ◄────│ count (reg)  │◄── ready                 ◄── AXI
//!             └──────────────┘
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
    k_mask: Constant<Bits<4>>,
    k_single: Constant<Bit>,
    slots: Vec<DFF<Bits<W>>>,
    /// One-hot pointers: slot i is read/written with `get_bit(i)`, no index compares.
    head: DFF<Bits<4>>,
    tail: DFF<Bits<4>>,
    count: DFF<Bits<3>>,
    space_r: DFF<Bit>,
    pop: Signal<Local, Bit>,
    space_now: Signal<Local, Bit>,
    count_next: Signal<Local, Bits<3>>,
    head_data: Signal<Local, Bits<W>>,
}

impl<const W: usize> AxiQueue<W> {
    /// A queue of `depth` entries (1..=4).
    pub fn new(depth: usize) -> Self {
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
            k_mask: Constant::new(((1u64 << depth) - 1).to_bits()),
            k_single: Constant::new(depth == 1),
            slots: (0..depth).map(|_| DFF::default()).collect(),
            head: Default::default(),
            tail: Default::default(),
            count: Default::default(),
            space_r: Default::default(),
            pop: Default::default(),
            space_now: Default::default(),
            count_next: Default::default(),
            head_data: Default::default(),
        }
    }
}

impl<const W: usize> Logic for AxiQueue<W> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, head, tail, count, space_r);
        self.pop.next = (self.count.q.val() != 0) & self.ready.val();
        self.head_data.next = 0.into();
        for i in 0..self.slots.len() {
            self.slots[i].clock.next = self.clock.val();
            self.slots[i].d.next = self.slots[i].q.val();
            if self.push.val() & self.tail.q.val().get_bit(i) {
                self.slots[i].d.next = self.data_in.val();
            }
            if self.head.q.val().get_bit(i) {
                self.head_data.next = self.slots[i].q.val();
            }
        }
        if self.push.val() {
            self.tail.d.next = ((self.tail.q.val() << 1)
                | (self.tail.q.val() >> self.k_last.val()))
                & self.k_mask.val();
        }
        if self.pop.val() {
            self.head.d.next = ((self.head.q.val() << 1)
                | (self.head.q.val() >> self.k_last.val()))
                & self.k_mask.val();
        }
        self.count_next.next = self.count.q.val() + bit_cast::<3, 1>(self.push.val().into())
            - bit_cast::<3, 1>(self.pop.val().into());
        self.count.d.next = self.count_next.val();
        self.space_r.d.next = bit_cast::<4, 3>(self.count_next.val()) <= self.k_last.val();
        if self.reset.val() {
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
