//! AXI4 and AXI4-Lite signal bundles, as the models and checkers exchange them every clock.

/// An AXI response code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Resp {
    #[default]
    Okay,
    ExOkay,
    SlvErr,
    DecErr,
}

impl Resp {
    pub fn bits(self) -> u32 {
        self as u32
    }
    pub fn from_bits(v: u32) -> Resp {
        match v & 3 {
            0 => Resp::Okay,
            1 => Resp::ExOkay,
            2 => Resp::SlvErr,
            _ => Resp::DecErr,
        }
    }
}

/// AXI burst types.
pub mod burst {
    pub const FIXED: u32 = 0;
    pub const INCR: u32 = 1;
    pub const WRAP: u32 = 2;
}

/// Everything an AXI4 master drives (single ID, so no ID signals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxiMasterSignals {
    pub awaddr: u32,
    pub awlen: u32,
    pub awsize: u32,
    pub awburst: u32,
    pub awvalid: bool,
    pub wdata: u32,
    pub wstrb: u32,
    pub wlast: bool,
    pub wvalid: bool,
    pub bready: bool,
    pub araddr: u32,
    pub arlen: u32,
    pub arsize: u32,
    pub arburst: u32,
    pub arvalid: bool,
    pub rready: bool,
}

/// Everything an AXI4 slave drives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxiSlaveSignals {
    pub awready: bool,
    pub wready: bool,
    pub bresp: u32,
    pub bvalid: bool,
    pub arready: bool,
    pub rdata: u32,
    pub rresp: u32,
    pub rlast: bool,
    pub rvalid: bool,
}

/// Everything an AXI4-Lite master drives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxilMasterSignals {
    pub awaddr: u32,
    pub awvalid: bool,
    pub wdata: u32,
    pub wstrb: u32,
    pub wvalid: bool,
    pub bready: bool,
    pub araddr: u32,
    pub arvalid: bool,
    pub rready: bool,
}

/// Everything an AXI4-Lite slave drives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxilSlaveSignals {
    pub awready: bool,
    pub wready: bool,
    pub bresp: u32,
    pub bvalid: bool,
    pub arready: bool,
    pub rdata: u32,
    pub rresp: u32,
    pub rvalid: bool,
}

/// Byte address of beat `beat` of a burst (AXI4 A3.4.1), for FIXED, INCR and WRAP.
pub fn beat_address(addr: u32, len: u32, size: u32, burst_type: u32, beat: u32) -> u32 {
    let bytes = 1u32 << size;
    let aligned = addr & !(bytes - 1);
    match burst_type {
        burst::FIXED => addr,
        burst::WRAP => {
            let total = bytes * (len + 1);
            let base = addr & !(total - 1);
            let offset = (aligned - base + beat * bytes) % total;
            base + offset
        }
        _ => {
            if beat == 0 {
                addr
            } else {
                aligned.wrapping_add(beat * bytes)
            }
        }
    }
}

/// The byte lanes (WSTRB bits) a beat may use on a `data_bytes`-wide bus.
pub fn active_lanes(addr: u32, size: u32, data_bytes: u32) -> u32 {
    let bytes = 1u32 << size;
    let first = addr % data_bytes;
    let aligned_first = first & !(bytes - 1);
    let end = aligned_first + bytes;
    // Lanes first..min(end, data_bytes), as a mask; first < end always (the beat covers its
    // own address).
    let below = |n: u32| if n >= 32 { u32::MAX } else { (1u32 << n) - 1 };
    below(end.min(data_bytes)) & !below(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_addresses_follow_the_axi_rules() {
        assert_eq!(beat_address(0x1002, 3, 1, burst::INCR, 1), 0x1004);
        assert_eq!(beat_address(0x1003, 3, 2, burst::INCR, 0), 0x1003);
        assert_eq!(beat_address(0x1003, 3, 2, burst::INCR, 1), 0x1004);
        assert_eq!(beat_address(0x1008, 3, 2, burst::FIXED, 3), 0x1008);
        // 4 beats of 4 bytes wrap at a 16-byte boundary.
        assert_eq!(beat_address(0x1038, 3, 2, burst::WRAP, 1), 0x103C);
        assert_eq!(beat_address(0x1038, 3, 2, burst::WRAP, 2), 0x1030);
    }

    #[test]
    fn lanes_cover_the_addressed_bytes_only() {
        assert_eq!(active_lanes(0x101, 0, 4), 0b0010);
        assert_eq!(active_lanes(0x102, 1, 4), 0b1100);
        assert_eq!(active_lanes(0x103, 1, 4), 0b1000);
        assert_eq!(active_lanes(0x100, 2, 4), 0b1111);
        assert_eq!(active_lanes(0x102, 2, 4), 0b1100);
        assert_eq!(Resp::from_bits(2), Resp::SlvErr);
    }
}
