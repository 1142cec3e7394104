//! The board window's decode: which word the bridge's local access reads, and which device
//! register a write there touches.
//!
//! ```text
//!  addr ─┬─ 0..4, 9: ID, VERSION, RAM_BYTES, CLOCK_HZ, DIVISOR, FEATURES (constants)
//!        ├─ 5 LOOP (empty, full; write: flush)  6 PATTERN (write: set)  7 SUM (write: clear)
//!        ├─ 8 COUNT
//!        ├─ 10..15 with FEATURES.TEST_MASTER: the test master's word (it decodes them itself)
//!        └─ else: SLVERR
//! ```
//!
//! Why a block of its own: the words are the host's view of the board (`PROTOCOL.md`,
//! `mapdma_regmap::link::window`), kept apart from the devices that own the registers so that
//! [`BoardTop`] only wires. The devices apply the write strobes after their own updates, so a
//! window write wins over a device's change in the same clock.
//!
//! [`BoardTop`]: super::BoardTop

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct BoardWindow {
    /// The bridge's local access: word index, write strobe; read data and response back.
    pub addr: Signal<In, Bits<4>>,
    pub we: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub resp: Signal<Out, Bits<2>>,

    /// The devices' words.
    pub loop_empty: Signal<In, Bit>,
    pub loop_full: Signal<In, Bit>,
    pub pattern: Signal<In, Bits<32>>,
    pub sum: Signal<In, Bits<32>>,
    pub count: Signal<In, Bits<32>>,
    /// The test master's word at `addr` (0 without it).
    pub tm_rdata: Signal<In, Bits<32>>,
    /// Writes: flush the loop-back FIFO, set the pattern (to the write data), clear the sum
    /// and the count.
    pub flush: Signal<Out, Bit>,
    pub pattern_we: Signal<Out, Bit>,
    pub sum_clear: Signal<Out, Bit>,

    k_id: Constant<Bits<32>>,
    k_version: Constant<Bits<32>>,
    k_ram_bytes: Constant<Bits<32>>,
    k_clock_hz: Constant<Bits<32>>,
    k_divisor: Constant<Bits<32>>,
    k_features: Constant<Bits<32>>,
    /// SLVERR (`mapdma_regmap::axi`): the answer for a word the board does not have.
    k_slverr: Constant<Bits<2>>,

    // Values of outputs chosen by conditions, assigned once (event-driven simulators settle).
    c_rdata: Signal<Local, Bits<32>>,
    c_resp: Signal<Local, Bits<2>>,
}

impl BoardWindow {
    /// The window of a board with `ram_bytes` of system RAM, a clock of `clock_hz`, a UART
    /// divisor and the FEATURES word `features`.
    pub fn new(ram_bytes: u64, clock_hz: u32, divisor: u32, features: u32) -> Self {
        let k = |v: u64| Constant::new(v.to_bits());
        BoardWindow {
            addr: Default::default(),
            we: Default::default(),
            rdata: Default::default(),
            resp: Default::default(),
            loop_empty: Default::default(),
            loop_full: Default::default(),
            pattern: Default::default(),
            sum: Default::default(),
            count: Default::default(),
            tm_rdata: Default::default(),
            flush: Default::default(),
            pattern_we: Default::default(),
            sum_clear: Default::default(),
            k_id: k(mapdma_regmap::link::BOARD_ID as u64),
            k_version: k(mapdma_regmap::link::VERSION as u64),
            k_ram_bytes: k(ram_bytes),
            k_clock_hz: k(clock_hz as u64),
            k_divisor: k(divisor as u64),
            k_features: k(features as u64),
            k_slverr: Constant::new((mapdma_regmap::axi::RESP_SLVERR as u64).to_bits()),
            c_rdata: Default::default(),
            c_resp: Default::default(),
        }
    }
}

impl Logic for BoardWindow {
    #[hdl_gen]
    fn update(&mut self) {
        self.flush.next = self.we.val() & (self.addr.val() == 5);
        self.pattern_we.next = self.we.val() & (self.addr.val() == 6);
        self.sum_clear.next = self.we.val() & (self.addr.val() == 7);
        self.c_rdata.next = 0.into();
        self.c_resp.next = 0.into();
        if self.addr.val() == 0 {
            self.c_rdata.next = self.k_id.val();
        } else if self.addr.val() == 1 {
            self.c_rdata.next = self.k_version.val();
        } else if self.addr.val() == 2 {
            self.c_rdata.next = self.k_ram_bytes.val();
        } else if self.addr.val() == 3 {
            self.c_rdata.next = self.k_clock_hz.val();
        } else if self.addr.val() == 4 {
            self.c_rdata.next = self.k_divisor.val();
        } else if self.addr.val() == 5 {
            self.c_rdata.next = bit_cast::<32, 1>(self.loop_empty.val().into())
                | (bit_cast::<32, 1>(self.loop_full.val().into()) << 1);
        } else if self.addr.val() == 6 {
            self.c_rdata.next = self.pattern.val();
        } else if self.addr.val() == 7 {
            self.c_rdata.next = self.sum.val();
        } else if self.addr.val() == 8 {
            self.c_rdata.next = self.count.val();
        } else if self.addr.val() == 9 {
            self.c_rdata.next = self.k_features.val();
        } else if (self.addr.val() >= 10) & self.k_features.val().get_bit(0) {
            // Words 10..=15: the test master's (its block decodes them).
            self.c_rdata.next = self.tm_rdata.val();
        } else {
            self.c_resp.next = self.k_slverr.val();
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.rdata.next = self.c_rdata.val();
        self.resp.next = self.c_resp.val();
    }
}
