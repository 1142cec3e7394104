//! Write decode: the register decode of the write address, registered, so a register write's
//! strobes are one gate (`wr` and a flip-flop) from a register rather than behind the address
//! compares (DESIGN §6).
//!
//! ```text
//!  AW taken this clock? ─► AWADDR ─┐
//!                    held address ─┴─► next held address ─► word mask ─► RegDecode ─► registers
//! ```
//!
//! The input is the address the AXI4-Lite slave's holding register loads (its next state), so
//! the outputs always equal the decode of the held address, the one a write strobe uses.

use crate::axil_slave::WORD_ADDR_MASK;
use crate::reg_decode::RegDecode;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct WriteDecode {
    pub clock: Signal<In, Clock>,
    /// The held write address as it is next clock (before the word mask).
    pub addr_next: Signal<In, Bits<13>>,
    /// `RegDecode`'s outputs that the write side uses, for the held address.
    pub known: Signal<Out, Bit>,
    pub map: Signal<Out, Bit>,
    pub map_index: Signal<Out, Bits<10>>,
    pub int_status: Signal<Out, Bit>,
    pub int_enable: Signal<Out, Bit>,
    pub in_ports: Signal<Out, Bit>,
    pub port: Signal<Out, Bits<4>>,
    pub port_ch: Signal<Out, Bits<4>>,
    pub arr_ch: Signal<Out, Bits<4>>,
    pub page: Signal<Out, Bit>,
    pub ch_config: Signal<Out, Bit>,

    dec: RegDecode,
    k_word: Constant<Bits<13>>,
    known_r: DFF<Bit>,
    map_r: DFF<Bit>,
    map_index_r: DFF<Bits<10>>,
    int_status_r: DFF<Bit>,
    int_enable_r: DFF<Bit>,
    in_ports_r: DFF<Bit>,
    port_r: DFF<Bits<4>>,
    port_ch_r: DFF<Bits<4>>,
    arr_ch_r: DFF<Bits<4>>,
    page_r: DFF<Bit>,
    ch_config_r: DFF<Bit>,
}

impl WriteDecode {
    pub fn new(cfg: &Config) -> Self {
        WriteDecode {
            clock: Default::default(),
            addr_next: Default::default(),
            known: Default::default(),
            map: Default::default(),
            map_index: Default::default(),
            int_status: Default::default(),
            int_enable: Default::default(),
            in_ports: Default::default(),
            port: Default::default(),
            port_ch: Default::default(),
            arr_ch: Default::default(),
            page: Default::default(),
            ch_config: Default::default(),
            dec: RegDecode::new(cfg),
            k_word: Constant::new(WORD_ADDR_MASK.to_bits()),
            known_r: Default::default(),
            map_r: Default::default(),
            map_index_r: Default::default(),
            int_status_r: Default::default(),
            int_enable_r: Default::default(),
            in_ports_r: Default::default(),
            port_r: Default::default(),
            port_ch_r: Default::default(),
            arr_ch_r: Default::default(),
            page_r: Default::default(),
            ch_config_r: Default::default(),
        }
    }
}

impl Logic for WriteDecode {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            known_r,
            map_r,
            map_index_r,
            int_status_r,
            int_enable_r,
            in_ports_r,
            port_r,
            port_ch_r,
            arr_ch_r,
            page_r,
            ch_config_r
        );
        self.dec.addr.next = self.addr_next.val() & self.k_word.val();
        self.known_r.d.next = self.dec.known.val();
        self.map_r.d.next = self.dec.map.val();
        self.map_index_r.d.next = self.dec.map_index.val();
        self.int_status_r.d.next = self.dec.int_status.val();
        self.int_enable_r.d.next = self.dec.int_enable.val();
        self.in_ports_r.d.next = self.dec.in_ports.val();
        self.port_r.d.next = self.dec.port.val();
        self.port_ch_r.d.next = self.dec.port_ch.val();
        self.arr_ch_r.d.next = self.dec.arr_ch.val();
        self.page_r.d.next = self.dec.page.val();
        self.ch_config_r.d.next = self.dec.ch_config.val();
        self.known.next = self.known_r.q.val();
        self.map.next = self.map_r.q.val();
        self.map_index.next = self.map_index_r.q.val();
        self.int_status.next = self.int_status_r.q.val();
        self.int_enable.next = self.int_enable_r.q.val();
        self.in_ports.next = self.in_ports_r.q.val();
        self.port.next = self.port_r.q.val();
        self.port_ch.next = self.port_ch_r.q.val();
        self.arr_ch.next = self.arr_ch_r.q.val();
        self.page.next = self.page_r.q.val();
        self.ch_config.next = self.ch_config_r.q.val();
    }
}
