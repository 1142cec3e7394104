//! Fields: the registers of the two channels the engine works on, selected from all channels.
//!
//! ```text
//!  channel c: page, address, count, transfer, mode, width, direction, at TC ─┐
//!  pick_ch ──► one-hot ─────────────────────────────────────────────────────┴─► p_* ─► issue
//!  channel c: base, base count, auto-initialize; device c: source data ─────┐   (registered
//!  issue_onehot (the issue-stage unit's channel) ───────────────────────────┴─► b_*    there)
//!                                                                    ─► stepper, AXI requests
//! ```
//!
//! Why a block of its own: each channel keeps its registers in its own flip-flops, so the
//! engine reaches them through these multiplexers (one per field, AND-OR over one-hot
//! selects), the largest share of the engine's logic outside its blocks. Kept here, the parent
//! only wires, and the cost of per-channel registers shows as one row of `synth --blocks`.

use mapdma_regmap as regmap;
use rust_hdl::prelude::*;

/// The registers of one channel (and its device's source data) the engine reads.
#[derive(LogicInterface, Default)]
pub struct ChannelFields {
    pub page: Signal<In, Bits<16>>,
    pub cur_addr: Signal<In, Bits<16>>,
    pub cur_count: Signal<In, Bits<16>>,
    /// Transfer type and service mode (stored mode fields), width code, address decrement,
    /// the next unit is the terminal-count unit.
    pub transfer: Signal<In, Bits<2>>,
    pub service: Signal<In, Bits<2>>,
    pub width: Signal<In, Bits<2>>,
    pub decrement: Signal<In, Bit>,
    pub at_tc: Signal<In, Bit>,
    /// Base address, the count reloaded at an auto-initialize terminal count, auto-initialize.
    pub base: Signal<In, Bits<16>>,
    pub reload_count: Signal<In, Bits<16>>,
    pub autoinit: Signal<In, Bit>,
    /// The device's unit for a write transfer.
    pub src_data: Signal<In, Bits<32>>,
}

#[derive(LogicBlock)]
pub struct Fields {
    pub ch: Vec<ChannelFields>,
    /// The channel the select stage picks this clock (its unit enters the issue stage).
    pub pick_ch: Signal<In, Bits<2>>,
    /// The issue-stage unit's channel, one-hot (zero when the stage is empty).
    pub issue_onehot: Signal<In, Bits<4>>,
    /// COMMAND.MEM_TO_MEM with a pair configured: a pick of channel 0 is the pair's unit, a
    /// read of channel 0's address with channel 1's width (DESIGN §3a).
    pub pair_enable: Signal<In, Bit>,

    /// The picked channel's fields.
    pub p_page: Signal<Out, Bits<16>>,
    pub p_addr: Signal<Out, Bits<16>>,
    pub p_count: Signal<Out, Bits<16>>,
    pub p_type: Signal<Out, Bits<2>>,
    pub p_mode: Signal<Out, Bits<2>>,
    pub p_width: Signal<Out, Bits<2>>,
    pub p_decrement: Signal<Out, Bit>,
    pub p_at_tc: Signal<Out, Bit>,
    /// The issue-stage channel's fields.
    pub b_base: Signal<Out, Bits<16>>,
    pub b_base_count: Signal<Out, Bits<16>>,
    pub b_autoinit: Signal<Out, Bit>,
    pub b_src_data: Signal<Out, Bits<32>>,

    k_read: Constant<Bits<2>>,
    /// The pair's source and destination channels (one-hot).
    k_source: Constant<Bits<4>>,
    k_dest: Constant<Bits<4>>,

    // Combinational scratch: every output is assigned once, at the end (Icarus settles).
    pick_onehot: Signal<Local, Bits<4>>,
    dest_width: Signal<Local, Bits<2>>,
    page: Signal<Local, Bits<16>>,
    addr: Signal<Local, Bits<16>>,
    count: Signal<Local, Bits<16>>,
    transfer: Signal<Local, Bits<2>>,
    service: Signal<Local, Bits<2>>,
    width: Signal<Local, Bits<2>>,
    decrement: Signal<Local, Bit>,
    at_tc: Signal<Local, Bit>,
    base: Signal<Local, Bits<16>>,
    base_count: Signal<Local, Bits<16>>,
    autoinit: Signal<Local, Bit>,
    src_data: Signal<Local, Bits<32>>,
}

impl Fields {
    pub fn new(channels: usize) -> Self {
        assert!((1..=4).contains(&channels), "{channels} channels");
        Fields {
            ch: (0..channels).map(|_| ChannelFields::default()).collect(),
            pick_ch: Default::default(),
            issue_onehot: Default::default(),
            pair_enable: Default::default(),
            p_page: Default::default(),
            p_addr: Default::default(),
            p_count: Default::default(),
            p_type: Default::default(),
            p_mode: Default::default(),
            p_width: Default::default(),
            p_decrement: Default::default(),
            p_at_tc: Default::default(),
            b_base: Default::default(),
            b_base_count: Default::default(),
            b_autoinit: Default::default(),
            b_src_data: Default::default(),
            k_read: Constant::new((regmap::TransferType::Read as u64).to_bits()),
            k_source: Constant::new(super::PAIR_SOURCE_ONEHOT.to_bits()),
            k_dest: Constant::new(super::PAIR_DEST_ONEHOT.to_bits()),
            pick_onehot: Default::default(),
            dest_width: Default::default(),
            page: Default::default(),
            addr: Default::default(),
            count: Default::default(),
            transfer: Default::default(),
            service: Default::default(),
            width: Default::default(),
            decrement: Default::default(),
            at_tc: Default::default(),
            base: Default::default(),
            base_count: Default::default(),
            autoinit: Default::default(),
            src_data: Default::default(),
        }
    }
}

impl Logic for Fields {
    #[hdl_gen]
    fn update(&mut self) {
        self.pick_onehot.next = bits::<4>(1) << self.pick_ch.val();
        self.page.next = 0.into();
        self.addr.next = 0.into();
        self.count.next = 0.into();
        self.transfer.next = 0.into();
        self.service.next = 0.into();
        self.width.next = 0.into();
        self.decrement.next = false;
        self.at_tc.next = false;
        self.base.next = 0.into();
        self.base_count.next = 0.into();
        self.autoinit.next = false;
        self.src_data.next = 0.into();
        self.dest_width.next = 0.into();
        for i in 0..self.ch.len() {
            if self.k_dest.val().get_bit(i) {
                self.dest_width.next = self.ch[i].width.val();
            }
            if self.pick_onehot.val().get_bit(i) {
                self.page.next = self.ch[i].page.val();
                self.addr.next = self.ch[i].cur_addr.val();
                self.count.next = self.ch[i].cur_count.val();
                self.transfer.next = self.ch[i].transfer.val();
                self.service.next = self.ch[i].service.val();
                self.width.next = self.ch[i].width.val();
                self.decrement.next = self.ch[i].decrement.val();
                self.at_tc.next = self.ch[i].at_tc.val();
            }
            if self.issue_onehot.val().get_bit(i) {
                self.base.next = self.ch[i].base.val();
                self.base_count.next = self.ch[i].reload_count.val();
                self.autoinit.next = self.ch[i].autoinit.val();
                self.src_data.next = self.ch[i].src_data.val();
            }
        }
        if self.pair_enable.val() & (self.pick_onehot.val() & self.k_source.val()).any() {
            self.transfer.next = self.k_read.val();
            self.width.next = self.dest_width.val();
        }
        self.p_page.next = self.page.val();
        self.p_addr.next = self.addr.val();
        self.p_count.next = self.count.val();
        self.p_type.next = self.transfer.val();
        self.p_mode.next = self.service.val();
        self.p_width.next = self.width.val();
        self.p_decrement.next = self.decrement.val();
        self.p_at_tc.next = self.at_tc.val();
        self.b_base.next = self.base.val();
        self.b_base_count.next = self.base_count.val();
        self.b_autoinit.next = self.autoinit.val();
        self.b_src_data.next = self.src_data.val();
    }
}
