//! The bus-master translation port at transaction level (hdl/DESIGN.md §8): a burst at a
//! logical address is translated once through the map registers, or refused with its cause's
//! response and recorded in BM_FAULT / BM_FAULT_ADDR (the first refusal since INT_STATUS.BM_FAULT
//! was cleared), which raises INT_STATUS.BM_FAULT. A translated burst gets whatever the memory
//! answers (per R beat, or the B), errors included, and records nothing: the port translated it.

use super::{Controller, Memory, ReferenceModel};
use crate::backend::{BackendError, BusResponse};
use mapdma_regmap::{self as rm, FaultCause};

/// Longest burst the port translates, in beats.
pub const BM_MAX_BEATS: u32 = 16;
/// log2 of the widest beat in bytes (the 32-bit bus).
pub const BM_MAX_SIZE: u8 = 2;
/// AXI burst types.
pub use mapdma_regmap::axi::{BURST_FIXED, BURST_INCR, BURST_WRAP};

/// One burst of the bus-master device (AR or AW).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BmBurst {
    pub write: bool,
    /// Logical byte address.
    pub addr: u32,
    /// AXLEN: beats − 1.
    pub len: u8,
    /// AXSIZE: log2 of the beat's bytes.
    pub size: u8,
    /// AXBURST.
    pub burst: u8,
}

impl BmBurst {
    pub fn beats(&self) -> u32 {
        self.len as u32 + 1
    }
}

/// Where the port sends a burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BmRoute {
    /// Translated: the physical address of its first byte.
    Memory(u64),
    /// Refused: no memory access; the device gets `response` on every beat (reads) or its B.
    Refused {
        cause: FaultCause,
        response: BusResponse,
    },
}

/// What the device gets back for one burst.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BmOutcome {
    pub route: BmRoute,
    /// Read data, one word per beat (a refused read's beats, and beats the memory answers with
    /// an error, carry 0); empty for writes.
    pub data: Vec<u32>,
    /// The response of each beat (reads) or the B response (writes), the memory's for a
    /// translated burst; `None` is OKAY.
    pub responses: Vec<Option<BusResponse>>,
}

impl Controller {
    /// The port's decision for `b`, with the map as it is now (DESIGN §8, checks in order:
    /// unsupported burst, out of range, invalid, read-only, page crossed).
    pub fn bm_route(&self, b: &BmBurst) -> BmRoute {
        let cfg = self.config();
        let refuse = |cause, response| BmRoute::Refused { cause, response };
        if b.burst != BURST_INCR || b.beats() > BM_MAX_BEATS || b.size > BM_MAX_SIZE {
            return refuse(FaultCause::BadBurst, BusResponse::SlaveError);
        }
        let range_shift = cfg.page_shift + cfg.map_registers.trailing_zeros();
        if (b.addr as u64) >> range_shift != 0 {
            return refuse(FaultCause::OutOfRange, BusResponse::DecodeError);
        }
        let entry = self.map[(b.addr >> cfg.page_shift) as usize];
        if rm::map::VALID.get(cfg, entry) == 0 {
            return refuse(FaultCause::Invalid, BusResponse::DecodeError);
        }
        if b.write && rm::map::WRITABLE.get(cfg, entry) == 0 {
            return refuse(FaultCause::ReadOnly, BusResponse::SlaveError);
        }
        let offset = b.addr as u64 & (cfg.page_size() - 1);
        let first = offset & !((1u64 << b.size) - 1);
        if first + ((b.beats() as u64) << b.size) > cfg.page_size() {
            return refuse(FaultCause::PageCross, BusResponse::SlaveError);
        }
        let frame = rm::map::FRAME.get(cfg, entry) as u64;
        BmRoute::Memory((frame << cfg.page_shift) | offset)
    }

    /// Records a refusal if none is recorded since the last clear, and raises
    /// INT_STATUS.BM_FAULT.
    pub fn bm_record(&mut self, b: &BmBurst, cause: FaultCause) {
        let cfg = *self.config();
        if rm::bm_fault::CAUSE.get(&cfg, self.bm_fault) == 0 {
            self.bm_fault = rm::bm_fault::CAUSE.put(&cfg, cause as u32)
                | rm::bm_fault::WRITE.put(&cfg, b.write as u32);
            self.bm_fault_addr = b.addr;
        }
        self.int_status |= rm::int_status::BM_FAULT.put(&cfg, 1);
    }

    /// INT_STATUS.BM_FAULT written with 1: the record and the bit clear.
    pub(super) fn bm_clear(&mut self) {
        self.bm_fault = 0;
        self.bm_fault_addr = 0;
    }
}

/// The byte address of beat `k` of an INCR burst.
fn beat_address(start: u64, size: u8, k: u32) -> u64 {
    if k == 0 {
        start
    } else {
        (start & !((1u64 << size) - 1)) + ((k as u64) << size)
    }
}

fn read_word(memory: &Memory, address: u64) -> Result<u32, BackendError> {
    let mut w = [0u8; 4];
    memory.read(address & !3, &mut w)?;
    Ok(u32::from_le_bytes(w))
}

impl ReferenceModel {
    fn bm_port_present(&self) -> Result<(), BackendError> {
        if self.config().bus_master_port {
            Ok(())
        } else {
            Err(BackendError::Link(
                "this configuration has no bus-master port".to_string(),
            ))
        }
    }

    /// A read burst through the port: translated (per beat the memory's word and response; a
    /// beat whose bytes meet a bus-error range gets that error and 0) or refused (`ARLEN + 1`
    /// beats of 0 with the refusal's error).
    pub fn bm_read(&mut self, b: &BmBurst) -> Result<BmOutcome, BackendError> {
        self.bm_port_present()?;
        let route = self.controller.bm_route(b);
        let beats = b.beats() as usize;
        match route {
            BmRoute::Memory(phys) => {
                let bytes = 1u64 << b.size;
                let mut data = Vec::with_capacity(beats);
                let mut responses = Vec::with_capacity(beats);
                for k in 0..b.beats() {
                    let at = beat_address(phys, b.size, k);
                    let response = self.memory.dma_response(at & !(bytes - 1), bytes);
                    data.push(match response {
                        Some(_) => 0,
                        None => read_word(&self.memory, at)?,
                    });
                    responses.push(response);
                }
                Ok(BmOutcome {
                    route,
                    data,
                    responses,
                })
            }
            BmRoute::Refused { cause, response } => {
                self.controller.bm_record(b, cause);
                Ok(BmOutcome {
                    route,
                    data: vec![0; beats],
                    responses: vec![Some(response); beats],
                })
            }
        }
    }

    /// A write burst through the port with one word and strobe per beat (`AWLEN + 1` of
    /// them): translated (the strobed bytes land with OKAY, or, if any byte of the burst meets
    /// a bus-error range, nothing lands and B is that error) or refused (nothing lands, one
    /// error B).
    pub fn bm_write(
        &mut self,
        b: &BmBurst,
        beats: &[(u32, u8)],
    ) -> Result<BmOutcome, BackendError> {
        self.bm_port_present()?;
        if beats.len() != b.beats() as usize {
            return Err(BackendError::Link(format!(
                "a write burst of {} beats given {} data beats",
                b.beats(),
                beats.len()
            )));
        }
        let route = self.controller.bm_route(b);
        let response = match route {
            BmRoute::Memory(phys) => {
                let first = phys & !((1u64 << b.size) - 1);
                let error = self
                    .memory
                    .dma_response(first, (b.beats() as u64) << b.size);
                if error.is_some() {
                    return Ok(BmOutcome {
                        route,
                        data: vec![],
                        responses: vec![error],
                    });
                }
                for (k, &(word, strobe)) in beats.iter().enumerate() {
                    let word_addr = beat_address(phys, b.size, k as u32) & !3;
                    for (lane, byte) in word.to_le_bytes().iter().enumerate() {
                        if strobe >> lane & 1 != 0 {
                            self.memory.write(word_addr + lane as u64, &[*byte])?;
                        }
                    }
                }
                None
            }
            BmRoute::Refused { cause, response } => {
                self.controller.bm_record(b, cause);
                Some(response)
            }
        };
        Ok(BmOutcome {
            route,
            data: vec![],
            responses: vec![response],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::reference::ErrorRange;
    use crate::backend::RegisterBus;
    use mapdma_regmap::Config;

    fn model() -> ReferenceModel {
        let mut m = ReferenceModel::new(Config::default()).unwrap();
        let cfg = *m.config();
        let entry = |valid, writable, frame| {
            rm::map::VALID.put(&cfg, valid)
                | rm::map::WRITABLE.put(&cfg, writable)
                | rm::map::FRAME.put(&cfg, frame)
        };
        m.write32(rm::MAP.at(1), entry(1, 1, 0x300)).unwrap();
        m.write32(rm::MAP.at(2), entry(1, 0, 0x301)).unwrap();
        m.write32(rm::MAP.at(3), entry(0, 1, 0x302)).unwrap();
        m
    }

    fn burst(write: bool, addr: u32, len: u8) -> BmBurst {
        BmBurst {
            write,
            addr,
            len,
            size: 2,
            burst: BURST_INCR,
        }
    }

    #[test]
    fn bursts_translate_once_and_refusals_follow_design_order() {
        let m = model();
        let c = m.controller();
        assert_eq!(
            c.bm_route(&burst(true, 0x1010, 3)),
            BmRoute::Memory(0x30_0010)
        );
        assert_eq!(
            c.bm_route(&burst(false, 0x2ff0, 3)),
            BmRoute::Memory(0x30_1ff0)
        );
        let cause = |b: BmBurst| match c.bm_route(&b) {
            BmRoute::Refused { cause, response } => (cause, response),
            BmRoute::Memory(p) => panic!("translated to {p:#x}"),
        };
        use BusResponse::*;
        assert_eq!(
            cause(burst(true, 0x2000, 0)),
            (FaultCause::ReadOnly, SlaveError)
        );
        assert_eq!(
            cause(burst(false, 0x3000, 0)),
            (FaultCause::Invalid, DecodeError)
        );
        assert_eq!(
            cause(burst(false, 0x4000, 0)),
            (FaultCause::Invalid, DecodeError)
        );
        assert_eq!(
            cause(burst(false, 32 << 12, 0)),
            (FaultCause::OutOfRange, DecodeError)
        );
        assert_eq!(
            cause(burst(false, 0x1ffc, 1)),
            (FaultCause::PageCross, SlaveError)
        );
        let fixed = BmBurst {
            burst: BURST_FIXED,
            ..burst(false, 0x1000, 0)
        };
        assert_eq!(cause(fixed), (FaultCause::BadBurst, SlaveError));
        // An unsupported shape is named before an address that maps nowhere.
        assert_eq!(
            cause(burst(false, 0x4000, 16)),
            (FaultCause::BadBurst, SlaveError)
        );
    }

    #[test]
    fn the_first_refusal_is_recorded_until_cleared() {
        let mut m = model();
        let cfg = *m.config();
        m.bm_write(
            &burst(true, 0x1000, 1),
            &[(0x1122_3344, 0xF), (0x5566_7788, 0x3)],
        )
        .unwrap();
        assert!(!m.irq());
        let r = m.bm_read(&burst(false, 0x1000, 1)).unwrap();
        assert_eq!(r.data, [0x1122_3344, 0x7788]);
        let r = m.bm_read(&burst(false, 0x3004, 2)).unwrap();
        assert_eq!(r.data, [0; 3]);
        assert_eq!(r.responses, [Some(BusResponse::DecodeError); 3]);
        let w = m.bm_write(&burst(true, 0x2000, 0), &[(1, 0xF)]).unwrap();
        assert_eq!(w.responses, [Some(BusResponse::SlaveError)]);
        assert!(m.irq());
        let fault = m.read32(rm::BM_FAULT.offset).unwrap();
        assert_eq!(
            rm::bm_fault::CAUSE.get(&cfg, fault),
            FaultCause::Invalid as u32
        );
        assert_eq!(rm::bm_fault::WRITE.get(&cfg, fault), 0);
        assert_eq!(m.read32(rm::BM_FAULT_ADDR.offset).unwrap(), 0x3004);
        m.write32(rm::INT_STATUS.offset, rm::int_status::BM_FAULT.put(&cfg, 1))
            .unwrap();
        assert!(!m.irq());
        assert_eq!(m.read32(rm::BM_FAULT.offset).unwrap(), 0);
        assert_eq!(m.read32(rm::BM_FAULT_ADDR.offset).unwrap(), 0);
    }

    #[test]
    fn memory_errors_pass_through_per_beat_and_record_nothing() {
        let mut m = model();
        let page = 1u64 << m.config().page_shift;
        // Frame 0x300 (page 1): bytes 0x18..0x1a answer SLVERR, frame 0x301 DECERR from 0x800.
        let slv = 0x300 * page + 0x18;
        let dec = 0x301 * page + 0x800;
        m.memory_mut().add_error_range(ErrorRange {
            start: slv,
            end: slv + 2,
            response: BusResponse::SlaveError,
        });
        m.memory_mut().add_error_range(ErrorRange {
            start: dec,
            end: dec + 4,
            response: BusResponse::DecodeError,
        });
        m.memory_mut()
            .write(0x300 * page + 0x10, &[0xAA; 16])
            .unwrap();
        let r = m.bm_read(&burst(false, 0x1010, 3)).unwrap();
        assert_eq!(r.route, BmRoute::Memory(0x30_0010));
        use BusResponse::*;
        assert_eq!(r.responses, [None, None, Some(SlaveError), None]);
        assert_eq!(r.data, [0xAAAA_AAAA, 0xAAAA_AAAA, 0, 0xAAAA_AAAA]);
        // A narrow beat answers for its own bytes only.
        let narrow = BmBurst {
            size: 0,
            ..burst(false, 0x1017, 3)
        };
        let r = m.bm_read(&narrow).unwrap();
        assert_eq!(
            r.responses,
            [None, Some(SlaveError), Some(SlaveError), None]
        );
        // A write meeting the range anywhere lands nowhere and gets the memory's B.
        let w = m
            .bm_write(&burst(true, 0x1010, 3), &[(0x5555_5555, 0xF); 4])
            .unwrap();
        assert_eq!(w.responses, [Some(SlaveError)]);
        assert_eq!(
            m.bm_read(&burst(false, 0x1010, 0)).unwrap().data,
            [0xAAAA_AAAA]
        );
        let r = m.bm_read(&burst(false, 0x27fc, 1)).unwrap();
        assert_eq!(r.responses, [None, Some(DecodeError)]);
        // None of it is the port's refusal: no record, no interrupt.
        assert!(!m.irq());
        assert_eq!(m.read32(rm::BM_FAULT.offset).unwrap(), 0);
        assert_eq!(m.read32(rm::INT_STATUS.offset).unwrap(), 0);
    }

    #[test]
    fn a_configuration_without_the_port_has_no_bursts() {
        let mut m = ReferenceModel::new(Config::small()).unwrap();
        assert!(m.bm_read(&burst(false, 0, 0)).is_err());
    }
}
