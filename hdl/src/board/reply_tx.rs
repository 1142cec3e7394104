//! The bridge's reply transmitter (`PROTOCOL.md` v2): start-of-frame, sequence number, word
//! count, the data words least significant byte first, the status byte and the CRC-16 of all
//! of it, most significant byte first. It frames; the executor ([`super::UartBridge`]) decides
//! what to say. Data words are pulled one at a time (`want_word` / `word_valid`), so a read
//! frame's words stream from the bus into the reply without a buffer, and the status byte is
//! sampled only when it is sent, after the last access has answered.
//!
//! ```text
//!  start ─▶ Sof ─▶ Seq ─▶ Words ─┬─(n = 0)──────────────────────────▶ Status ─▶ CrcHi ─▶ CrcLo ─▶ done
//!  (seq, n latched)              └─▶ WaitWord ─word_valid─▶ Data ×4 ─┤ (words left)
//!                                      ▲ want_word                   │
//!                                      └─────────────────────────────┘
//!  every byte: tx_valid until tx_ready; tx_crc ◀── Crc16(tx_crc, byte)
//! ```

use super::crc16::Crc16;
use mapdma_regmap::link;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, Debug, PartialEq, Eq, LogicState)]
pub enum ReplyState {
    Idle,
    Sof,
    Seq,
    Words,
    WaitWord,
    Data,
    Status,
    CrcHi,
    CrcLo,
}

#[derive(LogicBlock)]
pub struct ReplyTx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// Begins a reply (taken only while idle) with this sequence number and word count.
    pub start: Signal<In, Bit>,
    pub seq: Signal<In, Bits<8>>,
    pub n_words: Signal<In, Bits<8>>,
    /// The next data word, taken in the clock `word_valid` is high while `want_word` is.
    pub want_word: Signal<Out, Bit>,
    pub word: Signal<In, Bits<32>>,
    pub word_valid: Signal<In, Bit>,
    /// The status byte, read while it is being sent; `status_sent` pulses when it has left.
    pub status: Signal<In, Bits<8>>,
    pub status_sent: Signal<Out, Bit>,
    /// Pulses when the last CRC byte has left.
    pub done: Signal<Out, Bit>,
    pub idle: Signal<Out, Bit>,

    /// Bytes to the UART transmitter.
    pub tx_data: Signal<Out, Bits<8>>,
    pub tx_valid: Signal<Out, Bit>,
    pub tx_ready: Signal<In, Bit>,

    crc: Crc16,
    k_sof: Constant<Bits<8>>,
    state: DFF<ReplyState>,
    seq_q: DFF<Bits<8>>,
    words: DFF<Bits<8>>,
    data: DFF<Bits<32>>,
    byte_ix: DFF<Bits<2>>,
    tx_crc: DFF<Bits<16>>,

    out_byte: Signal<Local, Bits<8>>,
    /// The byte is taken this clock (`tx_valid` and `tx_ready`).
    sent: Signal<Local, Bit>,
}

impl Default for ReplyTx {
    fn default() -> Self {
        ReplyTx {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            seq: Default::default(),
            n_words: Default::default(),
            want_word: Default::default(),
            word: Default::default(),
            word_valid: Default::default(),
            status: Default::default(),
            status_sent: Default::default(),
            done: Default::default(),
            idle: Default::default(),
            tx_data: Default::default(),
            tx_valid: Default::default(),
            tx_ready: Default::default(),
            crc: Default::default(),
            k_sof: Constant::new((link::REPLY_SOF as u64).to_bits()),
            state: Default::default(),
            seq_q: Default::default(),
            words: Default::default(),
            data: Default::default(),
            byte_ix: Default::default(),
            tx_crc: Default::default(),
            out_byte: Default::default(),
            sent: Default::default(),
        }
    }
}

impl Logic for ReplyTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, seq_q, words, data, byte_ix, tx_crc);

        // The byte each state sends; every state but Idle and WaitWord sends one.
        self.out_byte.next = self.k_sof.val();
        match self.state.q.val() {
            ReplyState::Seq => {
                self.out_byte.next = self.seq_q.q.val();
            }
            ReplyState::Words => {
                self.out_byte.next = self.words.q.val();
            }
            ReplyState::Data => {
                self.out_byte.next = self.data.q.val().get_bits::<8>(0);
            }
            ReplyState::Status => {
                self.out_byte.next = self.status.val();
            }
            ReplyState::CrcHi => {
                self.out_byte.next = self.tx_crc.q.val().get_bits::<8>(8);
            }
            ReplyState::CrcLo => {
                self.out_byte.next = self.tx_crc.q.val().get_bits::<8>(0);
            }
            _ => {}
        }
        self.tx_valid.next =
            (self.state.q.val() != ReplyState::Idle) & (self.state.q.val() != ReplyState::WaitWord);
        self.sent.next = self.tx_valid.val() & self.tx_ready.val();
        self.tx_data.next = self.out_byte.val();
        self.crc.data.next = self.out_byte.val();
        self.crc.crc_in.next = self.tx_crc.q.val();
        // The CRC covers every byte from the sequence number to the status.
        if self.sent.val()
            & (self.state.q.val() != ReplyState::CrcHi)
            & (self.state.q.val() != ReplyState::CrcLo)
        {
            self.tx_crc.d.next = self.crc.crc_out.val();
        }
        if self.sent.val() & (self.state.q.val() == ReplyState::Sof) {
            self.tx_crc.d.next = 0xFFFF.into();
        }

        self.want_word.next = self.state.q.val() == ReplyState::WaitWord;
        self.status_sent.next = self.sent.val() & (self.state.q.val() == ReplyState::Status);
        self.done.next = self.sent.val() & (self.state.q.val() == ReplyState::CrcLo);
        self.idle.next = self.state.q.val() == ReplyState::Idle;

        match self.state.q.val() {
            ReplyState::Idle => {
                if self.start.val() {
                    self.seq_q.d.next = self.seq.val();
                    self.words.d.next = self.n_words.val();
                    self.state.d.next = ReplyState::Sof;
                }
            }
            ReplyState::Sof => {
                if self.sent.val() {
                    self.state.d.next = ReplyState::Seq;
                }
            }
            ReplyState::Seq => {
                if self.sent.val() {
                    self.state.d.next = ReplyState::Words;
                }
            }
            ReplyState::Words => {
                if self.sent.val() {
                    self.state.d.next = ReplyState::WaitWord;
                    if self.words.q.val() == 0 {
                        self.state.d.next = ReplyState::Status;
                    }
                }
            }
            ReplyState::WaitWord => {
                if self.word_valid.val() {
                    self.data.d.next = self.word.val();
                    self.byte_ix.d.next = 0.into();
                    self.state.d.next = ReplyState::Data;
                }
            }
            ReplyState::Data => {
                if self.sent.val() {
                    self.data.d.next = self.data.q.val() >> 8;
                    self.byte_ix.d.next = self.byte_ix.q.val() + 1;
                    if self.byte_ix.q.val() == 3 {
                        self.words.d.next = self.words.q.val() - 1;
                        self.state.d.next = ReplyState::WaitWord;
                        if self.words.q.val() == 1 {
                            self.state.d.next = ReplyState::Status;
                        }
                    }
                }
            }
            ReplyState::Status => {
                if self.sent.val() {
                    self.state.d.next = ReplyState::CrcHi;
                }
            }
            ReplyState::CrcHi => {
                if self.sent.val() {
                    self.state.d.next = ReplyState::CrcLo;
                }
            }
            ReplyState::CrcLo => {
                if self.sent.val() {
                    self.state.d.next = ReplyState::Idle;
                }
            }
            _ => {
                self.state.d.next = ReplyState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = ReplyState::Idle;
        }
    }
}
