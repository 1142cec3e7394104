//! Register address decode, built from `mapdma-regmap`. One instance decodes the write address,
//! another the read address, so reads and writes agree on which addresses hold a register (an
//! address without one answers SLVERR both ways).
//!
//! The decode compares masked addresses against register-map offsets held in `Constant`s; the
//! layout properties that makes valid are checked in [`check_layout`] when the block is built.

use mapdma_regmap as regmap;
use mapdma_regmap::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct RegDecode {
    /// Word-aligned byte address.
    pub addr: Signal<In, Bits<13>>,
    /// An 8237 port (offsets 0x00..0x40), and which.
    pub in_ports: Signal<Out, Bit>,
    pub port: Signal<Out, Bits<4>>,
    /// Channel of ports 0–7 (port bits 2:1), one-hot.
    pub port_ch: Signal<Out, Bits<4>>,
    /// Channel of a 4-byte-stride per-channel register, one-hot.
    pub arr_ch: Signal<Out, Bits<4>>,
    /// Channel of an 8-byte-stride per-channel register pair, one-hot.
    pub pair_ch: Signal<Out, Bits<4>>,
    pub page: Signal<Out, Bit>,
    pub ch_config: Signal<Out, Bit>,
    pub fault_addr: Signal<Out, Bit>,
    pub snap_count: Signal<Out, Bit>,
    pub snap_addr: Signal<Out, Bit>,
    pub snap_inflight: Signal<Out, Bit>,
    pub id: Signal<Out, Bit>,
    pub version: Signal<Out, Bit>,
    pub config0: Signal<Out, Bit>,
    pub config1: Signal<Out, Bit>,
    pub int_status: Signal<Out, Bit>,
    pub int_enable: Signal<Out, Bit>,
    pub fault_cause: Signal<Out, Bit>,
    /// The bus-master port's fault record (reads 0 without the port).
    pub bm_fault: Signal<Out, Bit>,
    pub bm_fault_addr: Signal<Out, Bit>,
    /// A map register of this configuration, and its index.
    pub map: Signal<Out, Bit>,
    pub map_index: Signal<Out, Bits<10>>,
    /// Some register lives at this address.
    pub known: Signal<Out, Bit>,

    /// Address bits that must be 0 for an 8237 port.
    k_ports_mask: Constant<Bits<13>>,
    k_page: Constant<Bits<13>>,
    k_ch_config: Constant<Bits<13>>,
    k_fault_addr: Constant<Bits<13>>,
    k_snap_count: Constant<Bits<13>>,
    k_snap_addr: Constant<Bits<13>>,
    k_snap_inflight: Constant<Bits<13>>,
    k_id: Constant<Bits<13>>,
    k_version: Constant<Bits<13>>,
    k_config0: Constant<Bits<13>>,
    k_config1: Constant<Bits<13>>,
    k_int_status: Constant<Bits<13>>,
    k_int_enable: Constant<Bits<13>>,
    k_fault_cause: Constant<Bits<13>>,
    k_bm_fault: Constant<Bits<13>>,
    k_bm_fault_addr: Constant<Bits<13>>,
    k_map_base: Constant<Bits<13>>,
    /// The map area's address bits above its largest index (compared with `k_map_base`), and
    /// the index bits at or above this configuration's map-register count (must be 0).
    k_map_area: Constant<Bits<13>>,
    k_map_beyond: Constant<Bits<13>>,
}

impl RegDecode {
    pub fn new(cfg: &Config) -> Self {
        check_layout();
        let k = |o: u32| Constant::new((o as u64).to_bits());
        RegDecode {
            addr: Default::default(),
            in_ports: Default::default(),
            port: Default::default(),
            port_ch: Default::default(),
            arr_ch: Default::default(),
            pair_ch: Default::default(),
            page: Default::default(),
            ch_config: Default::default(),
            fault_addr: Default::default(),
            snap_count: Default::default(),
            snap_addr: Default::default(),
            snap_inflight: Default::default(),
            id: Default::default(),
            version: Default::default(),
            config0: Default::default(),
            config1: Default::default(),
            int_status: Default::default(),
            int_enable: Default::default(),
            fault_cause: Default::default(),
            bm_fault: Default::default(),
            bm_fault_addr: Default::default(),
            map: Default::default(),
            map_index: Default::default(),
            known: Default::default(),
            k_ports_mask: k(!(regmap::ALL_MASK.offset + 4 - 1) & ADDR_MASK),
            k_page: k(regmap::PAGE.offset),
            k_ch_config: k(regmap::CH_CONFIG.offset),
            k_fault_addr: k(regmap::FAULT_ADDR.offset),
            k_snap_count: k(regmap::SNAP_COUNT.offset),
            k_snap_addr: k(regmap::SNAP_ADDR.offset),
            k_snap_inflight: k(regmap::SNAP_INFLIGHT.offset),
            k_id: k(regmap::ID.offset),
            k_version: k(regmap::HW_VERSION.offset),
            k_config0: k(regmap::CONFIG0.offset),
            k_config1: k(regmap::CONFIG1.offset),
            k_int_status: k(regmap::INT_STATUS.offset),
            k_int_enable: k(regmap::INT_ENABLE.offset),
            k_fault_cause: k(regmap::FAULT_CAUSE.offset),
            k_bm_fault: k(regmap::BM_FAULT.offset),
            k_bm_fault_addr: k(regmap::BM_FAULT_ADDR.offset),
            k_map_base: k(regmap::MAP.offset),
            k_map_area: k(!(MAP_AREA - 1) & ADDR_MASK),
            k_map_beyond: k((MAP_AREA - 1) & !(4 * cfg.map_registers as u32 - 1)),
        }
    }
}

impl Logic for RegDecode {
    #[hdl_gen]
    fn update(&mut self) {
        // Masks, not compares or subtractions: the 8237 ports and the map area are aligned to
        // their power-of-two sizes (`check_layout`), so no carry chain sits in the decode (it
        // lies on the register-write path into every channel).
        self.in_ports.next = (self.addr.val() & self.k_ports_mask.val()) == 0;
        self.port.next = self.addr.val().get_bits::<4>(2);
        self.port_ch.next = bits::<4>(1) << self.addr.val().get_bits::<2>(3);
        self.arr_ch.next = bits::<4>(1) << self.addr.val().get_bits::<2>(2);
        self.pair_ch.next = bits::<4>(1) << self.addr.val().get_bits::<2>(3);
        self.page.next = (self.addr.val() & 0x1FF0) == self.k_page.val();
        self.ch_config.next = (self.addr.val() & 0x1FF0) == self.k_ch_config.val();
        self.fault_addr.next = (self.addr.val() & 0x1FF0) == self.k_fault_addr.val();
        self.snap_count.next = (self.addr.val() & 0x1FE4) == self.k_snap_count.val();
        self.snap_addr.next = (self.addr.val() & 0x1FE4) == self.k_snap_addr.val();
        self.snap_inflight.next = (self.addr.val() & 0x1FF0) == self.k_snap_inflight.val();
        self.id.next = self.addr.val() == self.k_id.val();
        self.version.next = self.addr.val() == self.k_version.val();
        self.config0.next = self.addr.val() == self.k_config0.val();
        self.config1.next = self.addr.val() == self.k_config1.val();
        self.int_status.next = self.addr.val() == self.k_int_status.val();
        self.int_enable.next = self.addr.val() == self.k_int_enable.val();
        self.fault_cause.next = self.addr.val() == self.k_fault_cause.val();
        self.bm_fault.next = self.addr.val() == self.k_bm_fault.val();
        self.bm_fault_addr.next = self.addr.val() == self.k_bm_fault_addr.val();
        self.map_index.next = self.addr.val().get_bits::<10>(2);
        self.map.next = ((self.addr.val() & self.k_map_area.val()) == self.k_map_base.val())
            & ((self.addr.val() & self.k_map_beyond.val()) == 0);
        self.known.next = self.in_ports.val()
            | self.page.val()
            | self.ch_config.val()
            | self.fault_addr.val()
            | self.snap_count.val()
            | self.snap_addr.val()
            | self.snap_inflight.val()
            | self.id.val()
            | self.version.val()
            | self.config0.val()
            | self.config1.val()
            | self.int_status.val()
            | self.int_enable.val()
            | self.fault_cause.val()
            | self.bm_fault.val()
            | self.bm_fault_addr.val()
            | self.map.val();
    }
}

/// Register addresses are `REGISTER_ADDRESS_BITS` wide.
const ADDR_MASK: u32 = (1 << regmap::REGISTER_ADDRESS_BITS) - 1;
/// Bytes of the map area at its largest (4-byte entries).
const MAP_AREA: u32 = 4 * regmap::MAX_MAP_REGISTERS as u32;

/// The masks above rely on these layout properties of the register map; a register-map change
/// that breaks them fails when the hardware is built instead of silently mis-decoding.
pub fn check_layout() {
    use regmap::*;
    for r in [&PAGE, &CH_CONFIG, &FAULT_ADDR, &SNAP_INFLIGHT] {
        assert_eq!(r.stride, 4, "{}: decode expects stride 4", r.name);
        assert_eq!(
            r.offset % 16,
            0,
            "{}: decode expects 16-byte alignment",
            r.name
        );
        assert_eq!(r.count, Count::Fixed(4), "{}", r.name);
    }
    assert_eq!((DMA_ADDR.offset, DMA_ADDR.stride), (0, 8));
    assert_eq!((DMA_COUNT.offset, DMA_COUNT.stride), (4, 8));
    assert_eq!(ALL_MASK.offset + 4, 0x40, "8237 ports occupy 0x00..0x40");
    assert!(
        (ALL_MASK.offset + 4).is_power_of_two(),
        "ports decoded by a mask"
    );
    assert!(MAX_MAP_REGISTERS.is_power_of_two());
    assert_eq!(
        MAP.offset % MAP_AREA,
        0,
        "the map area is decoded by a mask: aligned to its largest size"
    );
    assert_eq!((SNAP_COUNT.offset % 32, SNAP_COUNT.stride), (0, 8));
    assert_eq!(
        (SNAP_ADDR.offset, SNAP_ADDR.stride),
        (SNAP_COUNT.offset + 4, 8)
    );
    assert!(REGISTERS
        .iter()
        .all(|r| r.offset < MAP.offset || r.name == MAP.name));
    assert_eq!(MAP.stride, 4);
    assert!(MAP.offset as usize + 4 * MAX_MAP_REGISTERS <= 1 << REGISTER_ADDRESS_BITS);
}
