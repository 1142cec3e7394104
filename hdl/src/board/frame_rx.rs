//! Frame receiver of the board link (protocol version 2, `PROTOCOL.md`): finds request frames
//! in the received bytes, checks them, and keeps a write frame's payload in block RAM, so
//! that the executor never starts on a partial or corrupt frame.
//!
//! ```text
//!            ┌──────────────────────────── any error: drop the frame, hunt again ─────┐
//!            ▼                                                                        │
//!  bytes ─▶ Hunt ─0x5A─▶ Seq ─▶ Op ─▶ Count ─▶ Addr×4 ─┬─(write)─▶ Data×4n ─┬─▶ CrcHi ─▶ CrcLo ─▶ ok / bad CRC
//!            │                                          └─(read)─────────────┘
//!            └─0x56─▶ query                 Data bytes ─▶ RAM[0..512) ─▶ rd_addr/rd_data
//!                       crc = Crc16(crc, byte) over every byte after the 0x5A
//! ```
//!
//! Outcomes are one-clock pulses: `frame_ok` (header fields held until the next frame),
//! `frame_bad` with `bad_reason` (1 bad header, 2 framing error, 3 CRC mismatch), `query`.
//! Silence in the middle of a frame drops it without a pulse. Bytes arriving while `enable`
//! is low (the executor is busy) are ignored, and the receiver hunts again afterwards.

use super::crc16::Crc16;
use mapdma_regmap::link;
use rust_hdl::prelude::*;

// The count byte is words − 1, so "count bit 7 set" is the test for a count beyond the
// payload buffer of `link::MAX_WORDS` words.
const _: () = assert!(link::MAX_WORDS == 128);

#[derive(Copy, Clone, Debug, PartialEq, Eq, LogicState)]
pub enum RxFrameState {
    Hunt,
    Seq,
    Op,
    Count,
    Addr,
    Data,
    CrcHi,
    CrcLo,
}

#[derive(LogicBlock)]
pub struct FrameRx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Bytes from the UART receiver (`rx_error`: a framing error).
    pub rx_data: Signal<In, Bits<8>>,
    pub rx_valid: Signal<In, Bit>,
    pub rx_error: Signal<In, Bit>,
    /// The executor is idle: frames are received.
    pub enable: Signal<In, Bit>,

    /// The last frame's header, valid from its `frame_ok` until the next SOF.
    pub seq: Signal<Out, Bits<8>>,
    pub op_write: Signal<Out, Bit>,
    /// Words − 1.
    pub count: Signal<Out, Bits<8>>,
    pub addr: Signal<Out, Bits<32>>,
    pub frame_ok: Signal<Out, Bit>,
    pub frame_bad: Signal<Out, Bit>,
    pub bad_reason: Signal<Out, Bits<2>>,
    pub query: Signal<Out, Bit>,
    /// Payload byte `rd_addr`, one clock after the address (block RAM read).
    pub rd_addr: Signal<In, Bits<9>>,
    pub rd_data: Signal<Out, Bits<8>>,

    /// Clocks without a byte after which a half-received frame is dropped.
    timeout: Constant<Bits<24>>,
    /// Protocol bytes and refusal reasons (`mapdma_regmap::link`).
    k_sof: Constant<Bits<8>>,
    k_query: Constant<Bits<8>>,
    k_op_write: Constant<Bits<8>>,
    k_op_read: Constant<Bits<8>>,
    k_nak_header: Constant<Bits<2>>,
    k_nak_framing: Constant<Bits<2>>,
    k_nak_crc: Constant<Bits<2>>,
    crc: Crc16,
    payload: RAM<Bits<8>, 9>,
    state: DFF<RxFrameState>,
    r_seq: DFF<Bits<8>>,
    r_op_write: DFF<Bit>,
    r_count: DFF<Bits<8>>,
    r_addr: DFF<Bits<32>>,
    r_crc: DFF<Bits<16>>,
    byte_ix: DFF<Bits<2>>,
    data_ix: DFF<Bits<10>>,
    timer: DFF<Bits<24>>,

    take: Signal<Local, Bit>,
    hunting: Signal<Local, Bit>,
    data_last: Signal<Local, Bits<10>>,
    // Values of output ports and sub-module inputs chosen by conditions: each such signal is
    // assigned once per evaluation from one of these, so event-driven simulators settle.
    c_frame_ok: Signal<Local, Bit>,
    c_frame_bad: Signal<Local, Bit>,
    c_bad_reason: Signal<Local, Bits<2>>,
    c_query: Signal<Local, Bit>,
}

impl FrameRx {
    /// A receiver that drops a half-received frame after `timeout_clocks` of silence.
    pub fn new(timeout_clocks: u32) -> Self {
        FrameRx {
            clock: Default::default(),
            reset: Default::default(),
            rx_data: Default::default(),
            rx_valid: Default::default(),
            rx_error: Default::default(),
            enable: Default::default(),
            seq: Default::default(),
            op_write: Default::default(),
            count: Default::default(),
            addr: Default::default(),
            frame_ok: Default::default(),
            frame_bad: Default::default(),
            bad_reason: Default::default(),
            query: Default::default(),
            rd_addr: Default::default(),
            rd_data: Default::default(),
            timeout: Constant::new((timeout_clocks as u64).to_bits()),
            k_sof: Constant::new((link::REQUEST_SOF as u64).to_bits()),
            k_query: Constant::new((link::QUERY as u64).to_bits()),
            k_op_write: Constant::new((link::OP_WRITE as u64).to_bits()),
            k_op_read: Constant::new((link::OP_READ as u64).to_bits()),
            k_nak_header: Constant::new((link::NAK_HEADER as u64).to_bits()),
            k_nak_framing: Constant::new((link::NAK_FRAMING as u64).to_bits()),
            k_nak_crc: Constant::new((link::NAK_CRC as u64).to_bits()),
            crc: Default::default(),
            payload: Default::default(),
            state: Default::default(),
            r_seq: Default::default(),
            r_op_write: Default::default(),
            r_count: Default::default(),
            r_addr: Default::default(),
            r_crc: Default::default(),
            byte_ix: Default::default(),
            data_ix: Default::default(),
            timer: Default::default(),
            take: Default::default(),
            hunting: Default::default(),
            data_last: Default::default(),
            c_frame_ok: Default::default(),
            c_frame_bad: Default::default(),
            c_bad_reason: Default::default(),
            c_query: Default::default(),
        }
    }
}

impl Logic for FrameRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, r_seq, r_op_write, r_count, r_addr, r_crc, byte_ix, data_ix, timer
        );
        self.payload.read_clock.next = self.clock.val();
        self.payload.write_clock.next = self.clock.val();
        self.payload.read_address.next = self.rd_addr.val();
        self.rd_data.next = self.payload.read_data.val();
        self.payload.write_address.next = self.data_ix.q.val().get_bits::<9>(0);
        self.payload.write_data.next = self.rx_data.val();
        self.payload.write_enable.next = false;

        self.crc.crc_in.next = self.r_crc.q.val();
        self.crc.data.next = self.rx_data.val();

        self.seq.next = self.r_seq.q.val();
        self.op_write.next = self.r_op_write.q.val();
        self.count.next = self.r_count.q.val();
        self.addr.next = self.r_addr.q.val();
        self.c_frame_ok.next = false;
        self.c_frame_bad.next = false;
        self.c_bad_reason.next = 0.into();
        self.c_query.next = false;

        self.take.next = self.rx_valid.val() & self.enable.val();
        // Index of the payload's last byte: 4·(count + 1) − 1.
        self.data_last.next = (bit_cast::<10, 8>(self.r_count.q.val()) << 2) | 3;
        if self.take.val() {
            self.r_crc.d.next = self.crc.crc_out.val();
        }
        self.hunting.next = self.state.q.val() == RxFrameState::Hunt;
        self.timer.d.next = 0.into();
        if !self.hunting.val() & !self.take.val() {
            self.timer.d.next = self.timer.q.val() + 1;
        }

        match self.state.q.val() {
            RxFrameState::Hunt => {
                if self.take.val() {
                    if self.rx_data.val() == self.k_sof.val() {
                        self.r_crc.d.next = 0xFFFF.into();
                        self.state.d.next = RxFrameState::Seq;
                    }
                    if self.rx_data.val() == self.k_query.val() {
                        self.c_query.next = true;
                    }
                }
            }
            RxFrameState::Seq => {
                if self.take.val() {
                    self.r_seq.d.next = self.rx_data.val();
                    self.state.d.next = RxFrameState::Op;
                }
            }
            RxFrameState::Op => {
                if self.take.val() {
                    self.r_op_write.d.next = false;
                    if self.rx_data.val() == self.k_op_write.val() {
                        self.r_op_write.d.next = true;
                    }
                    if (self.rx_data.val() == self.k_op_write.val())
                        | (self.rx_data.val() == self.k_op_read.val())
                    {
                        self.state.d.next = RxFrameState::Count;
                    } else {
                        self.c_frame_bad.next = true;
                        self.c_bad_reason.next = self.k_nak_header.val();
                        self.state.d.next = RxFrameState::Hunt;
                    }
                }
            }
            RxFrameState::Count => {
                if self.take.val() {
                    self.r_count.d.next = self.rx_data.val();
                    self.byte_ix.d.next = 0.into();
                    if self.rx_data.val().get_bit(7) {
                        // More than `link::MAX_WORDS` words.
                        self.c_frame_bad.next = true;
                        self.c_bad_reason.next = self.k_nak_header.val();
                        self.state.d.next = RxFrameState::Hunt;
                    } else {
                        self.state.d.next = RxFrameState::Addr;
                    }
                }
            }
            RxFrameState::Addr => {
                if self.take.val() {
                    self.r_addr.d.next =
                        (bit_cast::<32, 8>(self.rx_data.val()) << 24) | (self.r_addr.q.val() >> 8);
                    self.byte_ix.d.next = self.byte_ix.q.val() + 1;
                    self.data_ix.d.next = 0.into();
                    if self.byte_ix.q.val() == 3 {
                        if self.r_op_write.q.val() {
                            self.state.d.next = RxFrameState::Data;
                        } else {
                            self.state.d.next = RxFrameState::CrcHi;
                        }
                    }
                }
            }
            RxFrameState::Data => {
                if self.take.val() {
                    self.payload.write_enable.next = true;
                    self.data_ix.d.next = self.data_ix.q.val() + 1;
                    if self.data_ix.q.val() == self.data_last.val() {
                        self.state.d.next = RxFrameState::CrcHi;
                    }
                }
            }
            RxFrameState::CrcHi => {
                if self.take.val() {
                    self.state.d.next = RxFrameState::CrcLo;
                }
            }
            RxFrameState::CrcLo => {
                if self.take.val() {
                    self.state.d.next = RxFrameState::Hunt;
                    if self.crc.crc_out.val() == 0 {
                        self.c_frame_ok.next = true;
                    } else {
                        self.c_frame_bad.next = true;
                        self.c_bad_reason.next = self.k_nak_crc.val();
                    }
                }
            }
            _ => {
                self.state.d.next = RxFrameState::Hunt;
            }
        }

        // A framing error or silence in the middle of a frame drops it; in Hunt a framing
        // error is a line glitch or a break and is ignored.
        if !self.hunting.val() {
            if self.rx_error.val() & self.enable.val() {
                self.c_frame_ok.next = false;
                self.c_frame_bad.next = true;
                self.c_bad_reason.next = self.k_nak_framing.val();
                self.payload.write_enable.next = false;
                self.state.d.next = RxFrameState::Hunt;
            } else if self.timer.q.val() == self.timeout.val() {
                self.state.d.next = RxFrameState::Hunt;
            }
        }
        if self.reset.val() {
            self.state.d.next = RxFrameState::Hunt;
            self.timer.d.next = 0.into();
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.frame_ok.next = self.c_frame_ok.val();
        self.frame_bad.next = self.c_frame_bad.val();
        self.bad_reason.next = self.c_bad_reason.val();
        self.query.next = self.c_query.val();
    }
}
