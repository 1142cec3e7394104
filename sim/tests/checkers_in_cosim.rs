//! The protocol checkers are live in co-simulation: a memory model told to break a rule makes
//! the very clock that breaks it fail, with the rule named.

mod common;

use common::*;
use mapdma_regmap::{Config, ServiceMode, TransferType, UnitWidth};
use mapdma_sim::axi_slave::SlaveFault;
use mapdma_sim::device::DeviceConfig;
use mapdma_sim::rate::Rate;
use mapdma_sim::SimError;

fn read_with_slow_sink(fault: SlaveFault) -> SimError {
    let cfg = Config::small();
    let mut sys = base_config();
    sys.memory.fault = Some(fault);
    sys.devices = vec![DeviceConfig::sink(Rate::Every(5), ServiceMode::Demand)];
    let mut s = verilator(&cfg, sys);
    let mut go = || -> Result<(), SimError> {
        s.map_pages(0, 1, FRAME, false)?;
        s.program_channel(&setup(
            0,
            32,
            UnitWidth::Bits32,
            TransferType::Read,
            false,
            ServiceMode::Demand,
        ))?;
        s.set_mask(0, false)?;
        s.run(1000)
    };
    go().expect_err("the broken rule must stop the simulation")
}

#[test]
fn withdrawn_read_data_is_caught() {
    match read_with_slow_sink(SlaveFault::WithdrawRValid) {
        SimError::Protocol(v) => {
            assert_eq!((v.bus, v.channel), ("m_axi", "R"), "{v}");
            assert!(v.rule.contains("VALID dropped before READY"), "{v}");
        }
        e => panic!("expected a protocol violation, got {e}"),
    }
}

#[test]
fn a_response_without_a_request_is_caught() {
    match read_with_slow_sink(SlaveFault::UnsolicitedB { cycle: 60 }) {
        SimError::Protocol(v) => {
            assert_eq!((v.channel, v.cycle), ("B", 60), "{v}");
            assert!(v.rule.contains("without a write"), "{v}");
        }
        e => panic!("expected a protocol violation, got {e}"),
    }
}
