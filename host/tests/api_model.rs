//! Property test: random sequences of adapter calls against a model of the rules (channel
//! exclusivity, one pending request per device, FIFO map-register waiters with head-of-line
//! blocking, first fit, the three allocation actions, flush before free).
//!
//! After every call the outcome, the order in which execution routines ran, the first-fit
//! placement (through the logical address map_transfer returns), the pool occupancy, the queue
//! length and the valid bits of every hardware map register must agree with the model.
mod common;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use mapdma_host::{
    DeviceDescription, DeviceObject, DmaAdapter, DmaError, DmaSystem, DmaWidth, IoAllocationAction,
    MapRegisterBase, MappedTransfer, Mdl, TransferType,
};
use mapdma_regmap::{self as rm, Config};
use proptest::prelude::*;

const REGISTERS: usize = 8;
const ADAPTERS: usize = 3; // 0 and 1 share 8237 channel 0; 2 is a bus master
const DEVICES: usize = 4;

#[derive(Clone, Debug)]
enum Op {
    Alloc {
        adapter: usize,
        device: usize,
        registers: u32,
        action: u8,
        map: bool,
    },
    FreeChannel(usize),
    FreeKept {
        adapter: usize,
        pick: usize,
        wrong_count: bool,
    },
    Flush(usize),
    ReadCounter(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..ADAPTERS, 0..DEVICES, 0u32..6, 0u8..3, any::<bool>()).prop_map(
            |(adapter, device, registers, action, map)| Op::Alloc { adapter, device, registers, action, map }
        ),
        2 => (0..ADAPTERS).prop_map(Op::FreeChannel),
        1 => (0..ADAPTERS, 0usize..4, any::<bool>()).prop_map(|(adapter, pick, wrong_count)| Op::FreeKept { adapter, pick, wrong_count }),
        2 => (0..ADAPTERS).prop_map(Op::Flush),
        1 => (0..ADAPTERS).prop_map(Op::ReadCounter),
    ]
}

fn action_of(a: u8) -> IoAllocationAction {
    match a {
        0 => IoAllocationAction::KeepObject,
        1 => IoAllocationAction::DeallocateObject,
        _ => IoAllocationAction::DeallocateObjectKeepRegisters,
    }
}

fn key(adapter: usize) -> usize {
    if adapter < 2 {
        0
    } else {
        100 + adapter
    }
}

#[derive(Clone, Debug)]
struct Req {
    id: usize,
    adapter: usize,
    device: usize,
    registers: usize,
    action: IoAllocationAction,
    map: bool,
}

#[derive(Clone, Debug)]
struct Base {
    id: usize,
    adapter: usize,
    first: usize,
    count: usize,
    mapped: bool,
}

#[derive(Debug)]
struct Holder {
    adapter: usize,
    device: usize,
    granted: bool,
    base: Option<usize>,
}

/// The rules, written down independently of the implementation.
#[derive(Default, Debug)]
struct Model {
    used: [bool; REGISTERS],
    bases: Vec<Base>,
    /// Base ids held as Kept (after DeallocateObjectKeepRegisters or a mapped DeallocateObject).
    kept: Vec<usize>,
    holders: HashMap<usize, Holder>,
    chan_q: VecDeque<Req>,
    reg_q: VecDeque<Req>,
    ran: Vec<usize>,
}

impl Model {
    fn first_fit(&self, n: usize) -> Option<usize> {
        if n == 0 {
            return Some(0);
        }
        (0..=REGISTERS.saturating_sub(n)).find(|&s| self.used[s..s + n].iter().all(|u| !u))
    }

    fn take(&mut self, n: usize) -> Option<usize> {
        let f = self.first_fit(n)?;
        self.used[f..f + n].iter_mut().for_each(|u| *u = true);
        Some(f)
    }

    fn base(&self, id: usize) -> &Base {
        self.bases.iter().find(|b| b.id == id).unwrap()
    }

    fn base_mut(&mut self, id: usize) -> &mut Base {
        self.bases.iter_mut().find(|b| b.id == id).unwrap()
    }

    fn release(&mut self, id: usize) {
        let b = self.base(id).clone();
        self.used[b.first..b.first + b.count]
            .iter_mut()
            .for_each(|u| *u = false);
        self.bases.retain(|x| x.id != id);
        self.kept.retain(|x| *x != id);
    }

    fn device_busy(&self, device: usize, k: usize) -> bool {
        self.chan_q
            .iter()
            .chain(self.reg_q.iter())
            .any(|r| r.device == device)
            || self.holders.get(&k).is_some_and(|h| h.device == device)
    }

    fn run(&mut self, r: Req, first: usize) {
        let k = key(r.adapter);
        self.bases.push(Base {
            id: r.id,
            adapter: r.adapter,
            first,
            count: r.registers,
            mapped: r.map && r.registers > 0,
        });
        if let Some(h) = self.holders.get_mut(&k) {
            h.base = Some(r.id);
        }
        self.ran.push(r.id);
        let mapped = self.base(r.id).mapped;
        match r.action {
            IoAllocationAction::KeepObject => {
                self.holders.get_mut(&k).unwrap().granted = true;
            }
            IoAllocationAction::DeallocateObject if !mapped => {
                self.holders.remove(&k);
                self.release(r.id);
            }
            _ => {
                self.holders.remove(&k);
                self.kept.push(r.id);
            }
        }
    }

    fn pump(&mut self) {
        'outer: loop {
            if let Some(head) = self.reg_q.front() {
                if let Some(f) = self.take(head.registers) {
                    let r = self.reg_q.pop_front().unwrap();
                    self.run(r, f);
                    continue;
                }
            }
            for i in 0..self.chan_q.len() {
                let k = key(self.chan_q[i].adapter);
                if self.holders.contains_key(&k) {
                    continue;
                }
                let r = self.chan_q.remove(i).unwrap();
                self.holders.insert(
                    k,
                    Holder {
                        adapter: r.adapter,
                        device: r.device,
                        granted: false,
                        base: None,
                    },
                );
                let fits = if r.registers == 0 || self.reg_q.is_empty() {
                    self.take(r.registers)
                } else {
                    None
                };
                match fits {
                    Some(f) => self.run(r, f),
                    None => self.reg_q.push_back(r),
                }
                continue 'outer;
            }
            return;
        }
    }

    /// The base `Flush`/`ReadCounter` use for an adapter: its channel grant's, else a kept one.
    fn flush_target(&self, adapter: usize) -> Option<usize> {
        let held = self
            .holders
            .get(&key(adapter))
            .filter(|h| h.adapter == adapter && h.granted)
            .and_then(|h| h.base);
        held.or_else(|| {
            self.kept
                .iter()
                .copied()
                .find(|id| self.base(*id).adapter == adapter && self.base(*id).mapped)
        })
    }
}

/// Routine runs: (request id, base, logical address if it mapped).
type RunLog = Arc<Mutex<Vec<(usize, MapRegisterBase, Option<u64>)>>>;

struct Bench {
    system: DmaSystem,
    adapters: Vec<DmaAdapter>,
    devices: Vec<DeviceObject>,
    mdl: Arc<Mdl>,
    _buffer: mapdma_host::PageBuffer,
    log: RunLog,
    real_bases: HashMap<usize, MapRegisterBase>,
}

fn bench() -> Bench {
    let system = common::system(Config {
        channels: 2,
        map_registers: REGISTERS,
        ..Config::default()
    });
    let sub = DeviceDescription::system_dma(0, DmaWidth::Width8Bits, 3 * 4096);
    let adapters = vec![
        system.get_dma_adapter(&sub).unwrap().0,
        system.get_dma_adapter(&sub).unwrap().0,
        system
            .get_dma_adapter(&DeviceDescription::bus_master(3 * 4096, true))
            .unwrap()
            .0,
    ];
    assert!(adapters.iter().all(|a| a.map_registers() == 4));
    let buffer = system.allocate_nonpaged(4096).unwrap();
    let mdl = Arc::new(buffer.mdl(0, 4096).unwrap());
    Bench {
        system,
        adapters,
        devices: (0..DEVICES).map(|_| DeviceObject::new()).collect(),
        mdl,
        _buffer: buffer,
        log: Arc::new(Mutex::new(Vec::new())),
        real_bases: HashMap::new(),
    }
}

fn kind(r: &Result<(), DmaError>) -> String {
    match r {
        Ok(()) => "Ok".into(),
        Err(e) => format!("{e:?}")
            .split([' ', '(', '{'])
            .next()
            .unwrap()
            .to_string(),
    }
}

fn step(b: &mut Bench, m: &mut Model, id: usize, op: &Op) -> Result<(), TestCaseError> {
    let (expected, got): (Result<(), DmaError>, Result<(), DmaError>) = match op.clone() {
        Op::Alloc {
            adapter,
            device,
            registers,
            action,
            map,
        } => {
            // A system-DMA routine must keep the channel (misuse.rs tests the other actions).
            let action = if adapter < 2 {
                IoAllocationAction::KeepObject
            } else {
                action_of(action)
            };
            let expected = if registers == 0 {
                Err(DmaError::ZeroMapRegisters)
            } else if registers > 4 {
                Err(DmaError::TooManyMapRegisters {
                    requested: registers,
                    granted: 4,
                })
            } else if m.device_busy(device, key(adapter)) {
                Err(DmaError::RequestPending {
                    device: b.devices[device].id(),
                })
            } else {
                m.chan_q.push_back(Req {
                    id,
                    adapter,
                    device,
                    registers: registers as usize,
                    action,
                    map,
                });
                m.pump();
                Ok(())
            };
            let (log, mdl) = (b.log.clone(), b.mdl.clone());
            let got = b.adapters[adapter]
                .allocate_adapter_channel(&b.devices[device], registers, move |a, base| {
                    let logical = if map && registers > 0 {
                        Some(
                            a.map_transfer(&mdl, base, 0, 4096, TransferType::Read)
                                .unwrap()
                                .0,
                        )
                    } else {
                        None
                    };
                    log.lock().unwrap().push((id, base, logical));
                    action
                })
                .map(|_| ());
            (expected, got)
        }
        Op::FreeChannel(a) => {
            let expected = match m.holders.get(&key(a)) {
                Some(h) if h.adapter == a && h.granted => {
                    let base = h.base.unwrap();
                    if m.base(base).mapped {
                        Err(DmaError::StillMapped { transfers: 1 })
                    } else {
                        m.holders.remove(&key(a));
                        m.release(base);
                        m.pump();
                        Ok(())
                    }
                }
                _ => Err(DmaError::ChannelNotAllocated),
            };
            (expected, b.adapters[a].free_adapter_channel())
        }
        Op::FreeKept {
            adapter,
            pick,
            wrong_count,
        } => {
            let mine: Vec<usize> = m
                .kept
                .iter()
                .copied()
                .filter(|i| m.base(*i).adapter == adapter)
                .collect();
            let Some(&bid) = mine.get(pick % mine.len().max(1)) else {
                return Ok(());
            };
            let base = m.base(bid).clone();
            let n = base.count as u32 + wrong_count as u32;
            let expected = if wrong_count {
                Err(DmaError::MapRegisterCountMismatch {
                    allocated: base.count as u32,
                    given: n,
                })
            } else if base.mapped {
                Err(DmaError::StillMapped { transfers: 1 })
            } else {
                m.release(bid);
                m.pump();
                Ok(())
            };
            let real = b.real_bases[&bid];
            (expected, b.adapters[adapter].free_map_registers(real, n))
        }
        Op::Flush(a) => {
            let Some(bid) = m.flush_target(a) else {
                return Ok(());
            };
            let expected = if m.base(bid).mapped {
                m.base_mut(bid).mapped = false;
                Ok(())
            } else {
                Err(DmaError::NotMapped {
                    wanted: MappedTransfer {
                        current_va: 0,
                        length: 4096,
                        transfer: TransferType::Read,
                    },
                    mapped: Vec::new(),
                })
            };
            let real = b.real_bases[&bid];
            let got =
                b.adapters[a].flush_adapter_buffers(&b.mdl, real, 0, 4096, TransferType::Read);
            (expected, got)
        }
        Op::ReadCounter(a) => {
            let expected = if a == 2 {
                Err(DmaError::NotSupported(""))
            } else {
                match m.holders.get(&key(a)) {
                    Some(h) if h.adapter == a => match h.base {
                        Some(bid) if m.base(bid).mapped => Ok(()),
                        _ => Err(DmaError::NothingMapped { channel: 0 }),
                    },
                    _ => Err(DmaError::ChannelNotAllocated),
                }
            };
            (expected, b.adapters[a].read_dma_counter().map(|_| ()))
        }
    };
    prop_assert_eq!(kind(&expected), kind(&got), "op {:?}: {:?}", op, got);

    // Routines ran in the model's order; map_transfer used the first-fit registers.
    let log = b.log.lock().unwrap().clone();
    let ran: Vec<usize> = log.iter().map(|e| e.0).collect();
    prop_assert_eq!(&ran, &m.ran);
    for (rid, base, logical) in log {
        b.real_bases.insert(rid, base);
        if let (Some(l), Some(mb)) = (logical, m.bases.iter().find(|x| x.id == rid)) {
            prop_assert_eq!(l >> 12, mb.first as u64, "first fit for request {}", rid);
        }
    }
    prop_assert_eq!(
        b.system.map_registers_in_use(),
        m.used.iter().filter(|u| **u).count()
    );
    prop_assert_eq!(b.system.waiting_requests(), m.chan_q.len() + m.reg_q.len());
    // Exactly the registers of mapped transfers are valid in the hardware.
    let cfg = b.system.config();
    for i in 0..REGISTERS {
        let valid = rm::map::VALID.get(&cfg, common::map_entry(&b.system, i)) == 1;
        let mapped = m
            .bases
            .iter()
            .any(|x| x.mapped && x.first == i && x.count > 0);
        prop_assert_eq!(valid, mapped, "map register {}", i);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn random_call_sequences_follow_the_rules(ops in proptest::collection::vec(op(), 1..60)) {
        let mut b = bench();
        let mut m = Model::default();
        for (i, op) in ops.iter().enumerate() {
            step(&mut b, &mut m, i + 1, op)?;
        }
    }
}
