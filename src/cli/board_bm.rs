//! `mapdma board run`'s bus-master step: the board's built-in test bus master (board window
//! FEATURES.TEST_MASTER, `hdl/src/board/test_master.rs`) copies between two buffers that a
//! bus-master adapter mapped, through mapdma's bus-master port.

use std::sync::{Arc, Mutex};

use anyhow::{bail, ensure, Context};
use mapdma_host::backend::serial::{link, window};
use mapdma_host::scenario::stream_byte;
use mapdma_host::{
    DeviceDescription, DeviceObject, DmaAdapter, DmaSystem, IoAllocationAction, MapRegisterBase,
    TransferType,
};

use super::board_cmd::serial;

/// What the bus-master step measured.
#[derive(Debug)]
pub struct BusMasterReport {
    pub bytes: u32,
    pub src_logical: u64,
    pub dst_logical: u64,
    pub polls: u32,
    /// TM_CONTROL of the copy after the flush: refused (ERROR, DECERR).
    pub refused_status: u32,
}

/// Starts a test-master copy of `bytes` from logical `src` to logical `dst` and polls
/// TM_CONTROL until it is no longer busy; returns TM_CONTROL, TM_MOVED and the polls.
fn test_master_run(
    system: &DmaSystem,
    src: u64,
    dst: u64,
    bytes: u32,
) -> anyhow::Result<(u32, u32, u32)> {
    use link::test_master as tm;
    let mut polls = 0;
    let (status, moved) = serial(system, |s| -> anyhow::Result<(u32, u32)> {
        s.window_write(window::TM_SRC, src as u32)?;
        s.window_write(window::TM_DST, dst as u32)?;
        s.window_write(window::TM_LENGTH, bytes / 4)?;
        s.window_write(window::TM_CONTROL, tm::START)?;
        loop {
            let status = s.window_read(window::TM_CONTROL)?;
            polls += 1;
            if status & tm::BUSY == 0 {
                ensure!(
                    status & tm::DONE != 0,
                    "TM_CONTROL {status:#x}: idle, not done"
                );
                return Ok((status, s.window_read(window::TM_MOVED)?));
            }
            ensure!(polls < 100, "the test master's copy does not end");
        }
    })??;
    Ok((status, moved, polls))
}

/// The board's test bus master copies a buffer into another through the map: both mapped with
/// a bus-master adapter (`map_transfer` hands out the logical addresses the master is given),
/// at different page offsets so that bursts are cut on either side's page ends; every byte and
/// the guard bytes around the destination are checked. After `flush_adapter_buffers` the map
/// registers are invalid, so the same copy must be refused (DECERR) and latch BM_FAULT.
pub fn bus_master_copy(system: &DmaSystem) -> anyhow::Result<BusMasterReport> {
    use link::test_master as tm;
    const LEN: usize = 1024;
    const GUARD: usize = 64;
    const GUARD_BYTE: u8 = 0xEE;
    let cfg = system.config();
    ensure!(
        cfg.bus_master_port,
        "FEATURES says test master, but CONFIG1 has no bus-master port"
    );
    let source: Vec<u8> = (0..LEN as u64).map(|i| stream_byte(0xB3, i)).collect();
    let description = DeviceDescription::bus_master(LEN as u32, false);
    let (reader, registers) = system.get_dma_adapter(&description)?;
    let (writer, _) = system.get_dma_adapter(&description)?;
    let src_buf = system.allocate_nonpaged(LEN + 2 * GUARD)?;
    let dst_buf = system.allocate_nonpaged(LEN + 2 * GUARD + 36)?;
    src_buf.write(GUARD, &source)?;
    dst_buf.write(0, &vec![GUARD_BYTE; dst_buf.len()])?;
    // The destination starts 36 bytes further into its page than the source.
    let dst_at = GUARD + 36;
    let (src_mdl, dst_mdl) = (src_buf.mdl(GUARD, LEN)?, dst_buf.mdl(dst_at, LEN)?);
    let device = DeviceObject::new();
    let keep = |adapter: &DmaAdapter| -> anyhow::Result<MapRegisterBase> {
        let slot = Arc::new(Mutex::new(None));
        let s = slot.clone();
        adapter.allocate_adapter_channel(&device, registers, move |_, base| {
            *s.lock().unwrap() = Some(base);
            IoAllocationAction::DeallocateObjectKeepRegisters
        })?;
        let base = slot.lock().unwrap().take();
        base.context("the map registers were busy: the execution routine did not run")
    };
    let (src_base, dst_base) = (keep(&reader)?, keep(&writer)?);
    let (src_logical, n) = reader.map_transfer(&src_mdl, src_base, 0, LEN, TransferType::Read)?;
    ensure!(n == LEN, "map_transfer mapped {n} of {LEN} source bytes");
    let (dst_logical, n) = writer.map_transfer(&dst_mdl, dst_base, 0, LEN, TransferType::Write)?;
    ensure!(
        n == LEN,
        "map_transfer mapped {n} of {LEN} destination bytes"
    );

    let (status, moved, polls) = test_master_run(system, src_logical, dst_logical, LEN as u32)?;
    ensure!(
        status & tm::ERROR == 0,
        "the copy stopped: TM_CONTROL {status:#x}, TM_FAULT_ADDR {:#x}",
        serial(system, |s| s.window_read(window::TM_FAULT_ADDR))??
    );
    ensure!(
        moved as usize * 4 == LEN,
        "TM_MOVED {moved} words of {}",
        LEN / 4
    );
    writer.flush_adapter_buffers(&dst_mdl, dst_base, 0, LEN, TransferType::Write)?;
    reader.flush_adapter_buffers(&src_mdl, src_base, 0, LEN, TransferType::Read)?;
    let mut got = vec![0u8; dst_buf.len()];
    dst_buf.read(0, &mut got)?;
    if let Some(i) = got[dst_at..dst_at + LEN]
        .iter()
        .zip(&source)
        .position(|(a, b)| a != b)
    {
        bail!(
            "copied byte {i} is {:#04x}, the source's {:#04x}",
            got[dst_at + i],
            source[i]
        );
    }
    let guards = got[..dst_at].iter().chain(&got[dst_at + LEN..]);
    ensure!(
        guards.into_iter().all(|b| *b == GUARD_BYTE),
        "a guard byte around the destination changed"
    );

    // Flushed: the registers are invalid, the port refuses the same copy.
    let (refused_status, moved, _) = test_master_run(system, src_logical, dst_logical, LEN as u32)?;
    let decerr = 3 << tm::RESP_SHIFT;
    ensure!(
        refused_status & (tm::ERROR | tm::ERROR_WRITE | tm::RESP_MASK) == tm::ERROR | decerr
            && moved == 0,
        "after the flush the copy was not refused: TM_CONTROL {refused_status:#x}, {moved} words"
    );
    let bm_fault = system.with_backend(|b| b.read32(mapdma_regmap::BM_FAULT.offset))?;
    ensure!(
        mapdma_regmap::bm_fault::CAUSE.get(&cfg, bm_fault) != 0,
        "BM_FAULT {bm_fault:#x}: the refusal was not latched"
    );
    let clear = mapdma_regmap::int_status::BM_FAULT.put(&cfg, 1);
    system.with_backend(|b| b.write32(mapdma_regmap::INT_STATUS.offset, clear))?;

    for (adapter, base) in [(reader, src_base), (writer, dst_base)] {
        adapter.free_map_registers(base, registers)?;
        adapter.put_dma_adapter().map_err(|e| e.error)?;
    }
    Ok(BusMasterReport {
        bytes: LEN as u32,
        src_logical,
        dst_logical,
        polls,
        refused_status,
    })
}
