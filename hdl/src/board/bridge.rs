//! The UART-to-bus bridge: decodes the byte protocol of `PROTOCOL.md` from the UART receiver,
//! performs 32-bit accesses on one of three targets chosen by the address, and answers through
//! the UART transmitter.
//!
//! | address | target |
//! |---|---|
//! | bit 31 set | mapdma registers: an AXI4-Lite master, offset = address bits 12:0 |
//! | bit 31 clear, bit 30 set | the board window (`local_*`): word = address bits 5:2 |
//! | both clear | system memory (`mem_*`): the byte address as the DMA sees it |
//!
//! One access at a time; replies are sent only after the access completed, so the host never
//! needs more than one byte of buffering here (one received byte is held while the bridge is
//! busy; a second one would be an overrun, reported in the status byte).

use rust_hdl::prelude::*;

/// Command and reply bytes; `PROTOCOL.md` is their specification. (Kernels use the literal
/// values: rust-hdl cannot reference Rust constants in generated Verilog.)
pub mod codes {
    pub const WRITE: u8 = b'W';
    pub const READ: u8 = b'R';
    pub const WRITE_BULK: u8 = b'w';
    pub const READ_BULK: u8 = b'r';
    /// Status byte: `STATUS | OVERRUN? | resp` (resp = the first non-OKAY AXI response).
    pub const STATUS: u8 = 0xA0;
    pub const STATUS_OVERRUN: u8 = 0x04;
    pub const ERR_OPCODE: u8 = 0xE1;
    pub const ERR_FRAMING: u8 = 0xE2;
    /// Address bit selecting the register window, and the board window.
    pub const REGISTER_WINDOW: u32 = 0x8000_0000;
    pub const BOARD_WINDOW: u32 = 0x4000_0000;
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, LogicState)]
pub enum BridgeState {
    Idle,
    Addr,
    Count,
    Data,
    Access,
    SendData,
    SendStatus,
    SendError,
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

    /// A command is in progress (for an activity LED).
    pub busy: Signal<Out, Bit>,

    /// Clocks without a byte after which a half-received command is abandoned.
    timeout: Constant<Bits<24>>,

    state: DFF<BridgeState>,
    op_write: DFF<Bit>,
    op_bulk: DFF<Bit>,
    addr: DFF<Bits<32>>,
    wdata: DFF<Bits<32>>,
    rdata: DFF<Bits<32>>,
    remaining: DFF<Bits<8>>,
    byte_ix: DFF<Bits<2>>,
    resp: DFF<Bits<2>>,
    overrun: DFF<Bit>,
    err: DFF<Bits<8>>,
    rx_full: DFF<Bit>,
    rx_byte: DFF<Bits<8>>,
    timer: DFF<Bits<24>>,
    aw_done: DFF<Bit>,
    w_done: DFF<Bit>,
    ar_done: DFF<Bit>,

    receiving: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    got: Signal<Local, Bits<8>>,
    got_wide: Signal<Local, Bits<32>>,
    tgt_reg: Signal<Local, Bit>,
    tgt_local: Signal<Local, Bit>,
    tgt_mem: Signal<Local, Bit>,
    done: Signal<Local, Bit>,
    done_resp: Signal<Local, Bits<2>>,
    done_data: Signal<Local, Bits<32>>,
    status_byte: Signal<Local, Bits<8>>,
}

impl UartBridge {
    /// A bridge that abandons a half-received command after `timeout_clocks` clocks of silence
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
            timeout: Constant::new((timeout_clocks as u64).to_bits()),
            state: Default::default(),
            op_write: Default::default(),
            op_bulk: Default::default(),
            addr: Default::default(),
            wdata: Default::default(),
            rdata: Default::default(),
            remaining: Default::default(),
            byte_ix: Default::default(),
            resp: Default::default(),
            overrun: Default::default(),
            err: Default::default(),
            rx_full: Default::default(),
            rx_byte: Default::default(),
            timer: Default::default(),
            aw_done: Default::default(),
            w_done: Default::default(),
            ar_done: Default::default(),
            receiving: Default::default(),
            take: Default::default(),
            got: Default::default(),
            got_wide: Default::default(),
            tgt_reg: Default::default(),
            tgt_local: Default::default(),
            tgt_mem: Default::default(),
            done: Default::default(),
            done_resp: Default::default(),
            done_data: Default::default(),
            status_byte: Default::default(),
        }
    }
}

impl Logic for UartBridge {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, op_write, op_bulk, addr, wdata, rdata, remaining, byte_ix, resp,
            overrun, err, rx_full, rx_byte, timer, aw_done, w_done, ar_done
        );
        // Combinational scratch, defaulted first (no latches).
        self.receiving.next = false;
        self.take.next = false;
        self.got.next = self.rx_byte.q.val();
        self.got_wide.next = bit_cast::<32, 8>(self.rx_byte.q.val()) << 24;
        self.tgt_reg.next = self.addr.q.val().get_bit(31);
        self.tgt_local.next = !self.addr.q.val().get_bit(31) & self.addr.q.val().get_bit(30);
        self.tgt_mem.next = !self.addr.q.val().get_bit(31) & !self.addr.q.val().get_bit(30);
        self.done.next = false;
        self.done_resp.next = 0.into();
        self.done_data.next = 0.into();
        self.status_byte.next = 0xA0.into();
        if self.overrun.q.val() {
            self.status_byte.next = bit_cast::<8, 2>(self.resp.q.val()) | 0xA4;
        } else {
            self.status_byte.next = bit_cast::<8, 2>(self.resp.q.val()) | 0xA0;
        }

        // Outputs, defaulted.
        self.busy.next = true;
        self.tx_valid.next = false;
        self.tx_data.next = 0.into();
        self.reg_awaddr.next = self.addr.q.val().get_bits::<13>(0);
        self.reg_araddr.next = self.addr.q.val().get_bits::<13>(0);
        self.reg_awvalid.next = false;
        self.reg_wvalid.next = false;
        self.reg_arvalid.next = false;
        self.reg_wdata.next = self.wdata.q.val();
        self.reg_wstrb.next = 0xF.into();
        self.reg_bready.next = true;
        self.reg_rready.next = true;
        self.mem_req.next = false;
        self.mem_we.next = self.op_write.q.val();
        self.mem_addr.next = self.addr.q.val();
        self.mem_wdata.next = self.wdata.q.val();
        self.local_addr.next = self.addr.q.val().get_bits::<4>(2);
        self.local_we.next = false;
        self.local_wdata.next = self.wdata.q.val();

        match self.state.q.val() {
            BridgeState::Idle => {
                self.receiving.next = true;
                self.busy.next = false;
            }
            BridgeState::Addr => {
                self.receiving.next = true;
            }
            BridgeState::Count => {
                self.receiving.next = true;
            }
            BridgeState::Data => {
                self.receiving.next = true;
            }
            _ => {}
        }

        // One received byte is held until a receiving state takes it.
        self.take.next = self.rx_full.q.val() & self.receiving.val();
        if self.take.val() {
            self.rx_full.d.next = false;
        }
        if self.rx_valid.val() {
            self.rx_full.d.next = true;
            self.rx_byte.d.next = self.rx_data.val();
            if self.rx_full.q.val() & !self.take.val() {
                self.overrun.d.next = true;
            }
        }

        // Silence in the middle of a command abandons it.
        self.timer.d.next = 0.into();
        if self.receiving.val() & self.busy.val() & !self.take.val() {
            self.timer.d.next = self.timer.q.val() + 1;
        }

        match self.state.q.val() {
            BridgeState::Idle => {
                if self.take.val() {
                    self.byte_ix.d.next = 0.into();
                    self.resp.d.next = 0.into();
                    self.overrun.d.next = false;
                    self.remaining.d.next = 0.into();
                    self.op_write.d.next = self.got.val().get_bit(2);
                    self.op_bulk.d.next = self.got.val().get_bit(5);
                    if (self.got.val() == 0x57)
                        | (self.got.val() == 0x52)
                        | (self.got.val() == 0x77)
                        | (self.got.val() == 0x72)
                    {
                        self.state.d.next = BridgeState::Addr;
                    } else {
                        self.err.d.next = 0xE1.into();
                        self.state.d.next = BridgeState::SendError;
                    }
                }
            }
            BridgeState::Addr => {
                if self.take.val() {
                    self.addr.d.next = self.got_wide.val() | (self.addr.q.val() >> 8);
                    self.byte_ix.d.next = self.byte_ix.q.val() + 1;
                    if self.byte_ix.q.val() == 3 {
                        if self.op_bulk.q.val() {
                            self.state.d.next = BridgeState::Count;
                        } else if self.op_write.q.val() {
                            self.state.d.next = BridgeState::Data;
                        } else {
                            self.state.d.next = BridgeState::Access;
                        }
                    }
                }
            }
            BridgeState::Count => {
                if self.take.val() {
                    self.remaining.d.next = self.got.val();
                    if self.op_write.q.val() {
                        self.state.d.next = BridgeState::Data;
                    } else {
                        self.state.d.next = BridgeState::Access;
                    }
                }
            }
            BridgeState::Data => {
                if self.take.val() {
                    self.wdata.d.next = self.got_wide.val() | (self.wdata.q.val() >> 8);
                    self.byte_ix.d.next = self.byte_ix.q.val() + 1;
                    if self.byte_ix.q.val() == 3 {
                        self.state.d.next = BridgeState::Access;
                    }
                }
            }
            BridgeState::Access => {
                if self.tgt_mem.val() {
                    self.mem_req.next = true;
                    if self.mem_ack.val() {
                        self.done.next = true;
                        self.done_resp.next = self.mem_resp.val();
                        self.done_data.next = self.mem_rdata.val();
                    }
                }
                if self.tgt_local.val() {
                    self.local_we.next = self.op_write.q.val();
                    self.done.next = true;
                    self.done_resp.next = self.local_resp.val();
                    self.done_data.next = self.local_rdata.val();
                }
                if self.tgt_reg.val() {
                    if self.op_write.q.val() {
                        self.reg_awvalid.next = !self.aw_done.q.val();
                        self.reg_wvalid.next = !self.w_done.q.val();
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
                        self.reg_arvalid.next = !self.ar_done.q.val();
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
                    if self.resp.q.val() == 0 {
                        self.resp.d.next = self.done_resp.val();
                    }
                    if self.op_write.q.val() {
                        if self.remaining.q.val() == 0 {
                            self.state.d.next = BridgeState::SendStatus;
                        } else {
                            self.remaining.d.next = self.remaining.q.val() - 1;
                            self.addr.d.next = self.addr.q.val() + 4;
                            self.state.d.next = BridgeState::Data;
                        }
                    } else {
                        self.rdata.d.next = self.done_data.val();
                        self.state.d.next = BridgeState::SendData;
                    }
                }
            }
            BridgeState::SendData => {
                self.tx_valid.next = true;
                self.tx_data.next = self.rdata.q.val().get_bits::<8>(0);
                if self.tx_ready.val() {
                    self.rdata.d.next = self.rdata.q.val() >> 8;
                    self.byte_ix.d.next = self.byte_ix.q.val() + 1;
                    if self.byte_ix.q.val() == 3 {
                        if self.remaining.q.val() == 0 {
                            self.state.d.next = BridgeState::SendStatus;
                        } else {
                            self.remaining.d.next = self.remaining.q.val() - 1;
                            self.addr.d.next = self.addr.q.val() + 4;
                            self.state.d.next = BridgeState::Access;
                        }
                    }
                }
            }
            BridgeState::SendStatus => {
                self.tx_valid.next = true;
                self.tx_data.next = self.status_byte.val();
                if self.tx_ready.val() {
                    self.state.d.next = BridgeState::Idle;
                }
            }
            BridgeState::SendError => {
                self.tx_valid.next = true;
                self.tx_data.next = self.err.q.val();
                if self.tx_ready.val() {
                    self.state.d.next = BridgeState::Idle;
                }
            }
            _ => {
                self.state.d.next = BridgeState::Idle;
            }
        }

        // A framing error or silence in the middle of a command abandons it.
        if self.receiving.val() & self.busy.val() {
            if self.rx_error.val() {
                self.err.d.next = 0xE2.into();
                self.state.d.next = BridgeState::SendError;
            } else if self.timer.q.val() == self.timeout.val() {
                self.state.d.next = BridgeState::Idle;
            }
        }

        if self.reset.val() {
            self.state.d.next = BridgeState::Idle;
            self.rx_full.d.next = false;
            self.aw_done.d.next = false;
            self.w_done.d.next = false;
            self.ar_done.d.next = false;
            self.timer.d.next = 0.into();
        }
    }
}
