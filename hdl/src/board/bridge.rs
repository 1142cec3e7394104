//! The UART-to-bus bridge, protocol version 2 (`PROTOCOL.md`): request frames come in
//! through the [`FrameRx`] (which buffers and checks a whole frame), are executed here as
//! 32-bit accesses on one of three targets chosen by the address, and are answered through
//! the [`ReplyTx`] (which frames the reply and computes its CRC on the way out).
//!
//! ```text
//!  UART rx ─▶ FrameRx ──ok/bad/query──▶ executor ──▶ reg_* (AXI4-Lite) / mem_* / local_*
//!               │ payload RAM ◀─rd_addr──┘  │ ▲ last seq, last resp (duplicate detection)
//!               └───────────────rd_data──▶  │ │
//!                           start, seq, n, word, status ▼ │ want_word, status_sent, done
//!  UART tx ◀──────────── A5 seq n [data×4n] status crc16 ◀── ReplyTx
//! ```
//!
//! Executor states: `Idle` (waiting for a frame), `Load` (a write word from the payload RAM),
//! `Access` (one bus access), `Reply` (the reply is going out; a read frame's words are read
//! as the transmitter asks for them).
//!
//! | address | target |
//! |---|---|
//! | bit 31 set | mapdma registers: an AXI4-Lite master, offset = address bits 12:0 |
//! | bit 31 clear, bit 30 set | the board window (`local_*`): word = address bits 5:2 |
//! | both clear | system memory (`mem_*`): the byte address as the DMA sees it |
//!
//! The bridge remembers the sequence number and response of the last frame it executed: a
//! frame repeating that number (the host retrying after a lost reply) is answered from the
//! cache instead of executed again, so a write never lands twice. Reads stream their words
//! straight into the reply, so only write payloads need the buffer.

use super::frame_rx::FrameRx;
use super::reply_tx::ReplyTx;
use mapdma_regmap::link;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, Debug, PartialEq, Eq, LogicState)]
pub enum BridgeState {
    Idle,
    Load,
    Access,
    Reply,
}

#[derive(LogicBlock)]
pub struct UartBridge {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,

    /// Bytes from the UART receiver (`rx_error`: a framing error).
    pub rx_data: Signal<In, Bits<8>>,
    pub rx_valid: Signal<In, Bit>,
    pub rx_error: Signal<In, Bit>,
    /// Bytes to the UART transmitter.
    pub tx_data: Signal<Out, Bits<8>>,
    pub tx_valid: Signal<Out, Bit>,
    pub tx_ready: Signal<In, Bit>,

    // AXI4-Lite master to the mapdma register slave.
    pub reg_awaddr: Signal<Out, Bits<13>>,
    pub reg_awvalid: Signal<Out, Bit>,
    pub reg_awready: Signal<In, Bit>,
    pub reg_wdata: Signal<Out, Bits<32>>,
    pub reg_wstrb: Signal<Out, Bits<4>>,
    pub reg_wvalid: Signal<Out, Bit>,
    pub reg_wready: Signal<In, Bit>,
    pub reg_bresp: Signal<In, Bits<2>>,
    pub reg_bvalid: Signal<In, Bit>,
    pub reg_bready: Signal<Out, Bit>,
    pub reg_araddr: Signal<Out, Bits<13>>,
    pub reg_arvalid: Signal<Out, Bit>,
    pub reg_arready: Signal<In, Bit>,
    pub reg_rdata: Signal<In, Bits<32>>,
    pub reg_rresp: Signal<In, Bits<2>>,
    pub reg_rvalid: Signal<In, Bit>,
    pub reg_rready: Signal<Out, Bit>,

    /// System memory port: `mem_req` is held until the one-clock `mem_ack`, which carries the
    /// read data and the response.
    pub mem_req: Signal<Out, Bit>,
    pub mem_we: Signal<Out, Bit>,
    pub mem_addr: Signal<Out, Bits<32>>,
    pub mem_wdata: Signal<Out, Bits<32>>,
    pub mem_ack: Signal<In, Bit>,
    pub mem_rdata: Signal<In, Bits<32>>,
    pub mem_resp: Signal<In, Bits<2>>,

    /// Board window: combinational read of word `local_addr`; `local_we` strobes a write.
    pub local_addr: Signal<Out, Bits<4>>,
    pub local_we: Signal<Out, Bit>,
    pub local_wdata: Signal<Out, Bits<32>>,
    pub local_rdata: Signal<In, Bits<32>>,
    pub local_resp: Signal<In, Bits<2>>,

    /// A frame is being executed or answered.
    pub busy: Signal<Out, Bit>,

    frame_rx: FrameRx,
    reply: ReplyTx,
    /// The version reply's data word.
    k_version: Constant<Bits<32>>,
    /// Status bytes (`mapdma_regmap::link`).
    k_status: Constant<Bits<8>>,
    k_duplicate: Constant<Bits<8>>,
    k_nak: Constant<Bits<8>>,
    k_version_status: Constant<Bits<8>>,

    state: DFF<BridgeState>,
    op_write: DFF<Bit>,
    /// The reply reports `resp` (an executed frame) rather than `status`.
    exec: DFF<Bit>,
    addr: DFF<Bits<32>>,
    wdata: DFF<Bits<32>>,
    rdata: DFF<Bits<32>>,
    remaining: DFF<Bits<8>>,
    byte_ix: DFF<Bits<2>>,
    phase: DFF<Bit>,
    ram_ix: DFF<Bits<9>>,
    resp: DFF<Bits<2>>,
    /// The status byte of a reply that executed nothing (duplicate, refusal, version).
    status: DFF<Bits<8>>,
    last_seq: DFF<Bits<8>>,
    last_valid: DFF<Bit>,
    last_resp: DFF<Bits<2>>,
    aw_done: DFF<Bit>,
    w_done: DFF<Bit>,
    ar_done: DFF<Bit>,

    tgt_reg: Signal<Local, Bit>,
    tgt_local: Signal<Local, Bit>,
    tgt_mem: Signal<Local, Bit>,
    done: Signal<Local, Bit>,
    done_resp: Signal<Local, Bits<2>>,
    done_data: Signal<Local, Bits<32>>,
    // Values of output ports and sub-module inputs chosen by conditions: each such signal is
    // assigned once per evaluation from one of these, so event-driven simulators settle.
    c_busy: Signal<Local, Bit>,
    c_rx_enable: Signal<Local, Bit>,
    c_local_we: Signal<Local, Bit>,
    c_mem_req: Signal<Local, Bit>,
    c_reg_arvalid: Signal<Local, Bit>,
    c_reg_awvalid: Signal<Local, Bit>,
    c_reg_wvalid: Signal<Local, Bit>,
    c_reply_start: Signal<Local, Bit>,
    c_reply_seq: Signal<Local, Bits<8>>,
    c_reply_words: Signal<Local, Bits<8>>,
    c_word: Signal<Local, Bits<32>>,
    c_word_valid: Signal<Local, Bit>,
    c_status: Signal<Local, Bits<8>>,
}

impl UartBridge {
    /// A bridge that drops a half-received frame after `timeout_clocks` clocks of silence
    /// (1..2^24).
    ///
    /// # Panics
    /// If `timeout_clocks` is 0 or does not fit 24 bits.
    pub fn new(timeout_clocks: u32) -> Self {
        assert!(
            (1..1 << 24).contains(&timeout_clocks),
            "bridge timeout {timeout_clocks} out of range"
        );
        UartBridge {
            clock: Default::default(),
            reset: Default::default(),
            rx_data: Default::default(),
            rx_valid: Default::default(),
            rx_error: Default::default(),
            tx_data: Default::default(),
            tx_valid: Default::default(),
            tx_ready: Default::default(),
            reg_awaddr: Default::default(),
            reg_awvalid: Default::default(),
            reg_awready: Default::default(),
            reg_wdata: Default::default(),
            reg_wstrb: Default::default(),
            reg_wvalid: Default::default(),
            reg_wready: Default::default(),
            reg_bresp: Default::default(),
            reg_bvalid: Default::default(),
            reg_bready: Default::default(),
            reg_araddr: Default::default(),
            reg_arvalid: Default::default(),
            reg_arready: Default::default(),
            reg_rdata: Default::default(),
            reg_rresp: Default::default(),
            reg_rvalid: Default::default(),
            reg_rready: Default::default(),
            mem_req: Default::default(),
            mem_we: Default::default(),
            mem_addr: Default::default(),
            mem_wdata: Default::default(),
            mem_ack: Default::default(),
            mem_rdata: Default::default(),
            mem_resp: Default::default(),
            local_addr: Default::default(),
            local_we: Default::default(),
            local_wdata: Default::default(),
            local_rdata: Default::default(),
            local_resp: Default::default(),
            busy: Default::default(),
            frame_rx: FrameRx::new(timeout_clocks),
            reply: Default::default(),
            k_version: Constant::new((link::version_word() as u64).to_bits()),
            k_status: Constant::new((link::STATUS as u64).to_bits()),
            k_duplicate: Constant::new(((link::STATUS | link::STATUS_DUPLICATE) as u64).to_bits()),
            k_nak: Constant::new((link::NAK as u64).to_bits()),
            k_version_status: Constant::new((link::STATUS_VERSION as u64).to_bits()),
            state: Default::default(),
            op_write: Default::default(),
            exec: Default::default(),
            addr: Default::default(),
            wdata: Default::default(),
            rdata: Default::default(),
            remaining: Default::default(),
            byte_ix: Default::default(),
            phase: Default::default(),
            ram_ix: Default::default(),
            resp: Default::default(),
            status: Default::default(),
            last_seq: Default::default(),
            last_valid: Default::default(),
            last_resp: Default::default(),
            aw_done: Default::default(),
            w_done: Default::default(),
            ar_done: Default::default(),
            tgt_reg: Default::default(),
            tgt_local: Default::default(),
            tgt_mem: Default::default(),
            done: Default::default(),
            done_resp: Default::default(),
            done_data: Default::default(),
            c_busy: Default::default(),
            c_rx_enable: Default::default(),
            c_local_we: Default::default(),
            c_mem_req: Default::default(),
            c_reg_arvalid: Default::default(),
            c_reg_awvalid: Default::default(),
            c_reg_wvalid: Default::default(),
            c_reply_start: Default::default(),
            c_reply_seq: Default::default(),
            c_reply_words: Default::default(),
            c_word: Default::default(),
            c_word_valid: Default::default(),
            c_status: Default::default(),
        }
    }
}

impl Logic for UartBridge {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, op_write, exec, addr, wdata, rdata, remaining, byte_ix, phase,
            ram_ix, resp, status, last_seq, last_valid, last_resp, aw_done, w_done, ar_done
        );
        clock!(self, clock, frame_rx, reply);
        self.frame_rx.reset.next = self.reset.val();
        self.frame_rx.rx_data.next = self.rx_data.val();
        self.frame_rx.rx_valid.next = self.rx_valid.val();
        self.frame_rx.rx_error.next = self.rx_error.val();
        self.c_rx_enable.next = false;
        self.frame_rx.rd_addr.next = self.ram_ix.q.val();

        // Combinational scratch, defaulted first (no latches).
        self.tgt_reg.next = self.addr.q.val().get_bit(31);
        self.tgt_local.next = !self.addr.q.val().get_bit(31) & self.addr.q.val().get_bit(30);
        self.tgt_mem.next = !self.addr.q.val().get_bit(31) & !self.addr.q.val().get_bit(30);
        self.done.next = false;
        self.done_resp.next = 0.into();
        self.done_data.next = 0.into();

        // Outputs, defaulted.
        self.c_busy.next = true;
        self.reg_awaddr.next = self.addr.q.val().get_bits::<13>(0);
        self.reg_araddr.next = self.addr.q.val().get_bits::<13>(0);
        self.c_reg_awvalid.next = false;
        self.c_reg_wvalid.next = false;
        self.c_reg_arvalid.next = false;
        self.reg_wdata.next = self.wdata.q.val();
        self.reg_wstrb.next = 0xF.into();
        self.reg_bready.next = true;
        self.reg_rready.next = true;
        self.c_mem_req.next = false;
        self.mem_we.next = self.op_write.q.val();
        self.mem_addr.next = self.addr.q.val();
        self.mem_wdata.next = self.wdata.q.val();
        self.local_addr.next = self.addr.q.val().get_bits::<4>(2);
        self.c_local_we.next = false;
        self.local_wdata.next = self.wdata.q.val();
        self.c_reply_start.next = false;
        self.c_reply_seq.next = self.frame_rx.seq.val();
        self.c_reply_words.next = 0.into();
        self.c_word.next = self.rdata.q.val();
        self.c_word_valid.next = false;

        match self.state.q.val() {
            BridgeState::Idle => {
                self.c_busy.next = false;
                self.c_rx_enable.next = true;
                self.resp.d.next = 0.into();
                self.byte_ix.d.next = 0.into();
                self.phase.d.next = false;
                self.ram_ix.d.next = 0.into();
                self.addr.d.next = self.frame_rx.addr.val();
                self.remaining.d.next = self.frame_rx.count.val();
                self.op_write.d.next = self.frame_rx.op_write.val();
                if self.frame_rx.frame_ok.val() {
                    if self.last_valid.q.val() & (self.frame_rx.seq.val() == self.last_seq.q.val())
                    {
                        // A repeat of the last executed frame: answered, not executed.
                        self.exec.d.next = false;
                        self.status.d.next =
                            bit_cast::<8, 2>(self.last_resp.q.val()) | self.k_duplicate.val();
                        self.c_reply_start.next = true;
                        self.state.d.next = BridgeState::Reply;
                    } else {
                        self.exec.d.next = true;
                        self.last_seq.d.next = self.frame_rx.seq.val();
                        self.last_valid.d.next = true;
                        if self.frame_rx.op_write.val() {
                            self.state.d.next = BridgeState::Load;
                        } else {
                            // Reads are made as the reply asks for their words.
                            self.c_reply_words.next = self.frame_rx.count.val() + 1;
                            self.c_reply_start.next = true;
                            self.state.d.next = BridgeState::Reply;
                        }
                    }
                } else if self.frame_rx.frame_bad.val() {
                    self.exec.d.next = false;
                    self.status.d.next =
                        bit_cast::<8, 2>(self.frame_rx.bad_reason.val()) | self.k_nak.val();
                    self.c_reply_start.next = true;
                    self.state.d.next = BridgeState::Reply;
                } else if self.frame_rx.query.val() {
                    self.exec.d.next = false;
                    self.status.d.next = self.k_version_status.val();
                    if self.last_valid.q.val() {
                        self.status.d.next = self.k_version_status.val() | 1;
                    }
                    self.c_reply_seq.next = self.last_seq.q.val();
                    self.c_reply_words.next = 1.into();
                    self.rdata.d.next = self.k_version.val();
                    self.c_reply_start.next = true;
                    self.state.d.next = BridgeState::Reply;
                }
            }
            BridgeState::Load => {
                // Two clocks per payload byte: address, then the block RAM's data.
                self.phase.d.next = !self.phase.q.val();
                if self.phase.q.val() {
                    self.wdata.d.next = (bit_cast::<32, 8>(self.frame_rx.rd_data.val()) << 24)
                        | (self.wdata.q.val() >> 8);
                    self.ram_ix.d.next = self.ram_ix.q.val() + 1;
                    self.byte_ix.d.next = self.byte_ix.q.val() + 1;
                    if self.byte_ix.q.val() == 3 {
                        self.state.d.next = BridgeState::Access;
                    }
                }
            }
            BridgeState::Access => {
                if self.tgt_mem.val() {
                    self.c_mem_req.next = true;
                    if self.mem_ack.val() {
                        self.done.next = true;
                        self.done_resp.next = self.mem_resp.val();
                        self.done_data.next = self.mem_rdata.val();
                    }
                }
                if self.tgt_local.val() {
                    self.c_local_we.next = self.op_write.q.val();
                    self.done.next = true;
                    self.done_resp.next = self.local_resp.val();
                    self.done_data.next = self.local_rdata.val();
                }
                if self.tgt_reg.val() {
                    if self.op_write.q.val() {
                        self.c_reg_awvalid.next = !self.aw_done.q.val();
                        self.c_reg_wvalid.next = !self.w_done.q.val();
                        if self.reg_awready.val() {
                            self.aw_done.d.next = true;
                        }
                        if self.reg_wready.val() {
                            self.w_done.d.next = true;
                        }
                        if self.reg_bvalid.val() {
                            self.done.next = true;
                            self.done_resp.next = self.reg_bresp.val();
                        }
                    } else {
                        self.c_reg_arvalid.next = !self.ar_done.q.val();
                        if self.reg_arready.val() {
                            self.ar_done.d.next = true;
                        }
                        if self.reg_rvalid.val() {
                            self.done.next = true;
                            self.done_resp.next = self.reg_rresp.val();
                            self.done_data.next = self.reg_rdata.val();
                        }
                    }
                }
                if self.done.val() {
                    self.aw_done.d.next = false;
                    self.w_done.d.next = false;
                    self.ar_done.d.next = false;
                    self.byte_ix.d.next = 0.into();
                    self.addr.d.next = self.addr.q.val() + 4;
                    if self.resp.q.val() == 0 {
                        self.resp.d.next = self.done_resp.val();
                    }
                    if self.op_write.q.val() {
                        self.remaining.d.next = self.remaining.q.val() - 1;
                        self.state.d.next = BridgeState::Load;
                        if self.remaining.q.val() == 0 {
                            self.c_reply_seq.next = self.last_seq.q.val();
                            self.c_reply_start.next = true;
                            self.state.d.next = BridgeState::Reply;
                        }
                    } else {
                        // The word goes straight to the waiting transmitter.
                        self.c_word.next = self.done_data.val();
                        self.c_word_valid.next = true;
                        self.state.d.next = BridgeState::Reply;
                    }
                }
            }
            BridgeState::Reply => {
                if self.reply.want_word.val() {
                    if self.exec.q.val() {
                        self.state.d.next = BridgeState::Access;
                    } else {
                        self.c_word_valid.next = true;
                    }
                }
                if self.reply.status_sent.val() & self.exec.q.val() {
                    self.last_resp.d.next = self.resp.q.val();
                }
                if self.reply.done.val() {
                    self.state.d.next = BridgeState::Idle;
                }
            }
            _ => {
                self.state.d.next = BridgeState::Idle;
            }
        }

        // The reply: an executed frame reports the first error response of its accesses.
        self.reply.reset.next = self.reset.val();
        self.c_status.next = self.status.q.val();
        if self.exec.q.val() {
            self.c_status.next = bit_cast::<8, 2>(self.resp.q.val()) | self.k_status.val();
        }
        self.reply.status.next = self.c_status.val();
        self.reply.tx_ready.next = self.tx_ready.val();
        self.tx_data.next = self.reply.tx_data.val();
        self.tx_valid.next = self.reply.tx_valid.val();

        if self.reset.val() {
            self.state.d.next = BridgeState::Idle;
            self.last_valid.d.next = false;
            self.aw_done.d.next = false;
            self.w_done.d.next = false;
            self.ar_done.d.next = false;
        }
        // Chosen above by conditions, assigned once (see the `c_` fields).
        self.busy.next = self.c_busy.val();
        self.frame_rx.enable.next = self.c_rx_enable.val();
        self.local_we.next = self.c_local_we.val();
        self.mem_req.next = self.c_mem_req.val();
        self.reg_arvalid.next = self.c_reg_arvalid.val();
        self.reg_awvalid.next = self.c_reg_awvalid.val();
        self.reg_wvalid.next = self.c_reg_wvalid.val();
        self.reply.start.next = self.c_reply_start.val();
        self.reply.seq.next = self.c_reply_seq.val();
        self.reply.n_words.next = self.c_reply_words.val();
        self.reply.word.next = self.c_word.val();
        self.reply.word_valid.next = self.c_word_valid.val();
    }
}
