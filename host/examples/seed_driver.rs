//! The seed scenario's driver code, "Using Common-Buffer System DMA", written out: a device on
//! 8237 channel 1 streams into a common buffer used as a ring (auto-initialize), and the driver
//! polls ReadDmaCounter and drains the ring behind the controller, every byte checked.
//! Run: `cargo run -p mapdma-host --example seed_driver`
use std::sync::mpsc;

use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::*;

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    const RING: usize = 8192;
    const TOTAL: usize = 4 * RING + 1000;
    let byte = |i: usize| (i * 7 + i / 251) as u8;
    let system = DmaSystem::open(Box::new(ReferenceModel::new(Config::default())?))?;

    // IoGetDmaAdapter: system DMA, channel 1, bytes, auto-initialize.
    let description = DeviceDescription {
        auto_initialize: true,
        demand_mode: true,
        ..DeviceDescription::system_dma(1, DmaWidth::Width8Bits, RING as u32)
    };
    let (adapter, map_registers) = system.get_dma_adapter(&description)?;
    let buffer = adapter.allocate_common_buffer(RING as u32, false)?;
    let mdl = buffer.mdl()?;

    // AllocateAdapterChannel: the execution routine maps the whole ring once (device → memory,
    // WriteToDevice = FALSE) and keeps the channel, as a system-DMA routine must.
    let (done, granted) = mpsc::channel();
    let ring = mdl.clone();
    adapter.allocate_adapter_channel(&DeviceObject::new(), map_registers, move |a, base| {
        let mapped = a.map_transfer_wdk(&ring, base, 0, RING, false);
        done.send((base, mapped))
            .expect("the driver waits for its routine");
        IoAllocationAction::KeepObject
    })?;
    let (base, mapped) = granted.recv()?;
    let (_logical, length) = mapped?;

    // The device starts streaming; the driver polls the counter and drains the ring behind it.
    let stream: Vec<u8> = (0..TOTAL).map(byte).collect();
    system.with_devices(|d| d.push_source(1, &stream))?;
    let (mut drained, mut wraps, mut last_passes) = (0, 0, 0u16);
    while drained < TOTAL {
        system.with_devices(|d| d.idle(64))?; // the driver does other work meanwhile
        let counter = adapter.read_dma_counter_ex()?;
        wraps += counter.passes.wrapping_sub(last_passes) as usize;
        last_passes = counter.passes;
        let written = (wraps * RING + counter.done_in_pass() as usize).min(TOTAL);
        while drained < written {
            let at = drained % RING;
            let n = (RING - at).min(written - drained);
            let mut got = vec![0; n];
            buffer.read(at, &mut got)?;
            assert_eq!(got, stream[drained..drained + n], "ring bytes {drained}..");
            drained += n;
        }
    }

    // Done: flush (masks the channel), free channel and buffer, put the adapter.
    adapter.flush_adapter_buffers_wdk(&mdl, base, 0, length, false)?;
    adapter.free_adapter_channel()?;
    adapter.free_common_buffer(buffer)?;
    adapter.put_dma_adapter()?;
    println!("{TOTAL} bytes through an {RING}-byte ring, {wraps} wraps, every byte checked");
    Ok(())
}
