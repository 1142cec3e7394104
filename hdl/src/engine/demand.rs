//! Demand: what each channel asks of the engine this clock, packed into per-channel vectors
//! (bit c is channel c) for `select` and `issue`, and each device's DACK.
//!
//! ```text
//!  device c: DREQ, EOP, source valid, sink ready ─┐
//!  channel c: mask, halt, service, software request,├─► dreq, requesting, eop, masked, halted,
//!             auto-initialize, runs, stopped      ─┘    can_run, block, sw_request, noauto,
//!  COMMAND: DREQ / DACK polarity, disable, pair ──────►  src_valid, snk_ready, dack
//!  issue: the applying unit's mask / TC, its channel ─┘
//! ```
//!
//! Why a block of its own: these are the per-channel decodes on the front of the commit
//! decision (`can_run` reaches it through `select`), written once here rather than spread
//! through the parent's wiring. Mask and software request are *forwarded*: a unit that
//! commits at terminal count is applied to its channel's registers a clock later
//! (`Issue::apply_mask_oh`, `Issue::apply_tc_oh`), so the engine must see its effect now.
//! `can_run` is the same as `!halted & !pair_halt & !cascade & !eop & !masked` under
//! COMMAND's enable, built from the channels' summary flip-flops (`Channel::runs`,
//! `Channel::stopped`) so that it is a short decode (an EOP of a masked channel does not
//! matter: the channel is masked anyway).

use mapdma_regmap as regmap;
use rust_hdl::prelude::*;

/// One channel's inputs: its device's pins and its registers' summaries.
#[derive(LogicInterface, Default)]
pub struct ChannelDemand {
    /// Device pins: DREQ (COMMAND's polarity not yet applied), EOP in, the source's unit is
    /// valid, the sink takes a unit.
    pub dreq: Signal<In, Bit>,
    pub eop_in: Signal<In, Bit>,
    pub src_valid: Signal<In, Bit>,
    pub snk_ready: Signal<In, Bit>,
    /// The channel's registers: mask, halt (fault), service mode, software request,
    /// auto-initialize, and the summary flip-flops `runs` (`!mask & !halt & !cascade`) and
    /// `stopped` (`mask | halt`).
    pub masked: Signal<In, Bit>,
    pub halted: Signal<In, Bit>,
    pub service: Signal<In, Bits<2>>,
    pub sw_request: Signal<In, Bit>,
    pub autoinit: Signal<In, Bit>,
    pub runs: Signal<In, Bit>,
    pub stopped: Signal<In, Bit>,
}

#[derive(LogicBlock)]
pub struct Demand {
    pub ch: Vec<ChannelDemand>,
    /// COMMAND: DREQ active low, DACK active high, controller disabled, memory-to-memory
    /// (only with a pair configured).
    pub cmd_dreq_low: Signal<In, Bit>,
    pub cmd_dack_high: Signal<In, Bit>,
    pub cmd_disable: Signal<In, Bit>,
    pub pair_enable: Signal<In, Bit>,
    /// The unit applied to its channel this clock masks it (terminal count without
    /// auto-initialize) / reached terminal count; the issue stage's channel (one-hot).
    pub apply_mask_oh: Signal<In, Bits<4>>,
    pub apply_tc_oh: Signal<In, Bits<4>>,
    pub issue_onehot: Signal<In, Bits<4>>,

    /// DREQ with COMMAND's polarity applied; DREQ or software request (STATUS's request bits).
    pub dreq: Signal<Out, Bits<4>>,
    pub requesting: Signal<Out, Bits<4>>,
    /// EOP of an unmasked channel; the mask with this clock's applied unit forwarded.
    pub eop: Signal<Out, Bits<4>>,
    pub masked: Signal<Out, Bits<4>>,
    /// Halted by a fault, or kept from running on its own by a pair (channel 1 always,
    /// channel 0 while channel 1 cannot take units).
    pub halted: Signal<Out, Bits<4>>,
    /// May move a unit now (see the module comment).
    pub can_run: Signal<Out, Bits<4>>,
    /// Block service; software request after this clock's applied unit; no auto-initialize.
    pub block: Signal<Out, Bits<4>>,
    pub sw_request: Signal<Out, Bits<4>>,
    pub noauto: Signal<Out, Bits<4>>,
    pub src_valid: Signal<Out, Bits<4>>,
    pub snk_ready: Signal<Out, Bits<4>>,
    /// DACK pin levels (COMMAND's polarity applied): the issue stage holds a unit of the
    /// channel, or a cascade channel's DREQ is active and unmasked.
    pub dack: Signal<Out, Bits<4>>,

    k_block: Constant<Bits<2>>,
    k_cascade: Constant<Bits<2>>,
    /// Channel 1, the pair's destination; both channels of the pair.
    k_dest: Constant<Bits<4>>,
    k_pair: Constant<Bits<4>>,

    // Combinational scratch: every output is assigned once, at the end (Icarus settles).
    dreq_v: Signal<Local, Bits<4>>,
    requesting_v: Signal<Local, Bits<4>>,
    eop_v: Signal<Local, Bits<4>>,
    eop_in_v: Signal<Local, Bits<4>>,
    masked_v: Signal<Local, Bits<4>>,
    halted_v: Signal<Local, Bits<4>>,
    runs_v: Signal<Local, Bits<4>>,
    stopped_v: Signal<Local, Bits<4>>,
    pair_halt: Signal<Local, Bits<4>>,
    can_run_v: Signal<Local, Bits<4>>,
    block_v: Signal<Local, Bits<4>>,
    sw_request_v: Signal<Local, Bits<4>>,
    noauto_v: Signal<Local, Bits<4>>,
    src_valid_v: Signal<Local, Bits<4>>,
    snk_ready_v: Signal<Local, Bits<4>>,
    dack_v: Signal<Local, Bits<4>>,
}

impl Demand {
    pub fn new(channels: usize) -> Self {
        assert!((1..=4).contains(&channels), "{channels} channels");
        Demand {
            ch: (0..channels).map(|_| ChannelDemand::default()).collect(),
            cmd_dreq_low: Default::default(),
            cmd_dack_high: Default::default(),
            cmd_disable: Default::default(),
            pair_enable: Default::default(),
            apply_mask_oh: Default::default(),
            apply_tc_oh: Default::default(),
            issue_onehot: Default::default(),
            dreq: Default::default(),
            requesting: Default::default(),
            eop: Default::default(),
            masked: Default::default(),
            halted: Default::default(),
            can_run: Default::default(),
            block: Default::default(),
            sw_request: Default::default(),
            noauto: Default::default(),
            src_valid: Default::default(),
            snk_ready: Default::default(),
            dack: Default::default(),
            k_block: Constant::new((regmap::ServiceMode::Block as u64).to_bits()),
            k_cascade: Constant::new((regmap::ServiceMode::Cascade as u64).to_bits()),
            k_dest: Constant::new(super::PAIR_DEST_ONEHOT.to_bits()),
            k_pair: Constant::new((super::PAIR_SOURCE_ONEHOT | super::PAIR_DEST_ONEHOT).to_bits()),
            dreq_v: Default::default(),
            requesting_v: Default::default(),
            eop_v: Default::default(),
            eop_in_v: Default::default(),
            masked_v: Default::default(),
            halted_v: Default::default(),
            runs_v: Default::default(),
            stopped_v: Default::default(),
            pair_halt: Default::default(),
            can_run_v: Default::default(),
            block_v: Default::default(),
            sw_request_v: Default::default(),
            noauto_v: Default::default(),
            src_valid_v: Default::default(),
            snk_ready_v: Default::default(),
            dack_v: Default::default(),
        }
    }
}

impl Logic for Demand {
    #[hdl_gen]
    fn update(&mut self) {
        self.dreq_v.next = 0.into();
        self.requesting_v.next = 0.into();
        self.eop_v.next = 0.into();
        self.eop_in_v.next = 0.into();
        self.masked_v.next = 0.into();
        self.halted_v.next = 0.into();
        self.runs_v.next = 0.into();
        self.stopped_v.next = 0.into();
        self.block_v.next = 0.into();
        self.sw_request_v.next = 0.into();
        self.noauto_v.next = 0.into();
        self.src_valid_v.next = 0.into();
        self.snk_ready_v.next = 0.into();
        self.dack_v.next = 0.into();
        for i in 0..self.ch.len() {
            self.dreq_v.next = self
                .dreq_v
                .val()
                .replace_bit(i, self.ch[i].dreq.val() ^ self.cmd_dreq_low.val());
            self.requesting_v.next = self.requesting_v.val().replace_bit(
                i,
                self.dreq_v.val().get_bit(i) | self.ch[i].sw_request.val(),
            );
            self.masked_v.next = self.masked_v.val().replace_bit(
                i,
                self.ch[i].masked.val() | self.apply_mask_oh.val().get_bit(i),
            );
            self.eop_v.next = self
                .eop_v
                .val()
                .replace_bit(i, self.ch[i].eop_in.val() & !self.masked_v.val().get_bit(i));
            self.eop_in_v.next = self.eop_in_v.val().replace_bit(i, self.ch[i].eop_in.val());
            self.halted_v.next = self.halted_v.val().replace_bit(i, self.ch[i].halted.val());
            self.runs_v.next = self.runs_v.val().replace_bit(i, self.ch[i].runs.val());
            self.stopped_v.next = self
                .stopped_v
                .val()
                .replace_bit(i, self.ch[i].stopped.val());
            self.block_v.next = self
                .block_v
                .val()
                .replace_bit(i, self.ch[i].service.val() == self.k_block.val());
            self.sw_request_v.next = self.sw_request_v.val().replace_bit(
                i,
                self.ch[i].sw_request.val() & !self.apply_tc_oh.val().get_bit(i),
            );
            self.noauto_v.next = self
                .noauto_v
                .val()
                .replace_bit(i, !self.ch[i].autoinit.val());
            self.src_valid_v.next = self
                .src_valid_v
                .val()
                .replace_bit(i, self.ch[i].src_valid.val());
            self.snk_ready_v.next = self
                .snk_ready_v
                .val()
                .replace_bit(i, self.ch[i].snk_ready.val());
            self.dack_v.next = self.dack_v.val().replace_bit(
                i,
                !((self.issue_onehot.val().get_bit(i)
                    | ((self.ch[i].service.val() == self.k_cascade.val())
                        & self.dreq_v.val().get_bit(i)
                        & !self.ch[i].masked.val()))
                    ^ self.cmd_dack_high.val()),
            );
        }

        // A pair: channel 1 never runs on its own, channel 0 only while channel 1 can take
        // units: not halted, not masked (forwarded), no EOP.
        self.pair_halt.next = 0.into();
        if self.pair_enable.val() {
            self.pair_halt.next = self.k_dest.val();
            if ((self.stopped_v.val() | self.apply_mask_oh.val() | self.eop_in_v.val())
                & self.k_dest.val())
            .any()
            {
                self.pair_halt.next = self.k_pair.val();
            }
        }
        self.can_run_v.next = self.runs_v.val()
            & !self.apply_mask_oh.val()
            & !self.eop_in_v.val()
            & !self.pair_halt.val();
        if self.cmd_disable.val() {
            self.can_run_v.next = 0.into();
        }

        self.dreq.next = self.dreq_v.val();
        self.requesting.next = self.requesting_v.val();
        self.eop.next = self.eop_v.val();
        self.masked.next = self.masked_v.val();
        self.halted.next = self.halted_v.val() | self.pair_halt.val();
        self.can_run.next = self.can_run_v.val();
        self.block.next = self.block_v.val();
        self.sw_request.next = self.sw_request_v.val();
        self.noauto.next = self.noauto_v.val();
        self.src_valid.next = self.src_valid_v.val();
        self.snk_ready.next = self.snk_ready_v.val();
        self.dack.next = self.dack_v.val();
    }
}
