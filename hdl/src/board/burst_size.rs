//! The test master's burst sizing: how many words the next burst moves.
//!
//! ```text
//!  left ─────────────── clip at 16 ──► len_c ────┐
//!  src page offset ──── words to page end, ──► src_room ─┼─ least ──► beats
//!  dst page offset ──── clipped at 16      ──► dst_room ─┘
//!                  (registered while `plan`)          (read the clock after)
//! ```
//!
//! Why it exists: a burst may not cross a map page (the bus-master port refuses one that
//! leaves its page) nor move more than is left or than the longest burst, so its length is the
//! least of three numbers. Clipping each at 16 first and registering them keeps the carry
//! chains short (an 8-bit compare after a register rather than 32-bit subtractions and compares
//! in one clock); the price is one clock per burst, nothing for a test.

use mapdma_regmap::link;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct BurstSize {
    pub clock: Signal<In, Clock>,
    /// Source and destination of the next burst (byte addresses) and the words left to copy.
    pub src: Signal<In, Bits<32>>,
    pub dst: Signal<In, Bits<32>>,
    pub left: Signal<In, Bits<32>>,
    /// Take the clipped values this clock.
    pub plan: Signal<In, Bit>,
    /// The burst's length in words (1 to 16 while `left` is not 0), the clock after `plan`.
    pub beats: Signal<Out, Bits<8>>,

    /// Words of a page minus one (page offsets of word addresses).
    page_mask: Constant<Bits<16>>,
    /// Words of a page.
    page_words: Constant<Bits<16>>,
    /// Page offsets (in words) above this leave less than a longest burst to the page end.
    near_end: Constant<Bits<16>>,
    /// Longest burst (`link::test_master::MAX_BEATS`), for `left` and for the result.
    max_beats: Constant<Bits<32>>,
    max_beats8: Constant<Bits<8>>,

    // Each at most 16.
    len_c: DFF<Bits<8>>,
    src_room: DFF<Bits<8>>,
    dst_room: DFF<Bits<8>>,

    // Page offsets in words, the words to the page end, the least of the clipped values.
    src_off: Signal<Local, Bits<16>>,
    dst_off: Signal<Local, Bits<16>>,
    src_left: Signal<Local, Bits<16>>,
    dst_left: Signal<Local, Bits<16>>,
    m_src: Signal<Local, Bits<8>>,
    m_dst: Signal<Local, Bits<8>>,
}

impl BurstSize {
    /// Sizing for map pages of `1 << page_shift` bytes (64 bytes to 128 KiB: a page holds a
    /// longest burst, and page offsets in words fit 16 bits).
    pub fn new(page_shift: u32) -> Self {
        let max = link::test_master::MAX_BEATS as u64;
        assert!(
            (6..=17).contains(&page_shift),
            "page shift {page_shift} outside 6..=17"
        );
        let words = 1u64 << (page_shift - 2);
        BurstSize {
            clock: Default::default(),
            src: Default::default(),
            dst: Default::default(),
            left: Default::default(),
            plan: Default::default(),
            beats: Default::default(),
            page_mask: Constant::new((words - 1).to_bits()),
            page_words: Constant::new(words.to_bits()),
            near_end: Constant::new((words - max).to_bits()),
            max_beats: Constant::new(max.to_bits()),
            max_beats8: Constant::new(max.to_bits()),
            len_c: Default::default(),
            src_room: Default::default(),
            dst_room: Default::default(),
            src_off: Default::default(),
            dst_off: Default::default(),
            src_left: Default::default(),
            dst_left: Default::default(),
            m_src: Default::default(),
            m_dst: Default::default(),
        }
    }
}

impl Logic for BurstSize {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, len_c, src_room, dst_room);
        self.src_off.next = self.src.val().get_bits::<16>(2) & self.page_mask.val();
        self.dst_off.next = self.dst.val().get_bits::<16>(2) & self.page_mask.val();
        self.src_left.next = self.page_words.val() - self.src_off.val();
        self.dst_left.next = self.page_words.val() - self.dst_off.val();
        if self.plan.val() {
            self.len_c.d.next = self.max_beats8.val();
            if self.left.val() < self.max_beats.val() {
                self.len_c.d.next = self.left.val().get_bits::<8>(0);
            }
            self.src_room.d.next = self.max_beats8.val();
            if self.src_off.val() > self.near_end.val() {
                self.src_room.d.next = self.src_left.val().get_bits::<8>(0);
            }
            self.dst_room.d.next = self.max_beats8.val();
            if self.dst_off.val() > self.near_end.val() {
                self.dst_room.d.next = self.dst_left.val().get_bits::<8>(0);
            }
        }
        self.m_src.next = self.len_c.q.val();
        if self.src_room.q.val() < self.len_c.q.val() {
            self.m_src.next = self.src_room.q.val();
        }
        self.m_dst.next = self.m_src.val();
        if self.dst_room.q.val() < self.m_src.val() {
            self.m_dst.next = self.dst_room.q.val();
        }
        self.beats.next = self.m_dst.val();
    }
}
