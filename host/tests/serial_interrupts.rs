//! Interrupts through the board link: the serial backend has no irq wire, so `irq` polls
//! INT_STATUS and INT_ENABLE through the link, and the dispatcher runs a `map_transfer_ex`
//! completion routine from it (board = the in-process fake of the UART bridge).

mod serial_fake;

use std::sync::{Arc, Mutex};

use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::backend::serial::SerialBackend;
use mapdma_host::backend::DeviceHarness;
use mapdma_host::{
    AllocateFlags, AllocationStatusEx, DeviceDescription, DeviceObject, DmaCompletionRoutine,
    DmaCompletionStatus, DmaSystem, DmaWidth, IoAllocationAction, TransferType,
};
use serial_fake::FakeBridge;

/// Runs `f` on the fake board's model (its devices and its clock).
fn board<R>(system: &DmaSystem, f: impl FnOnce(&mut ReferenceModel) -> R) -> R {
    system.with_backend(|b| {
        let serial: &mut SerialBackend<FakeBridge> =
            b.as_any_mut().unwrap().downcast_mut().unwrap();
        f(&mut serial.bridge().link_mut().model)
    })
}

fn commands(system: &DmaSystem) -> usize {
    system.with_backend(|b| {
        let serial: &mut SerialBackend<FakeBridge> =
            b.as_any_mut().unwrap().downcast_mut().unwrap();
        serial.bridge().link_mut().commands
    })
}

#[test]
fn a_completion_routine_runs_from_the_polled_interrupt_of_a_board() {
    let backend = SerialBackend::new(FakeBridge::new()).unwrap();
    let system = DmaSystem::open(Box::new(backend)).unwrap();
    assert!(!system.irq().unwrap());
    let len = 512;
    let d = DeviceDescription {
        version: 3,
        ..DeviceDescription::system_dma(0, DmaWidth::Width8Bits, len as u32)
    };
    let (adapter, regs) = system.get_dma_adapter(&d).unwrap();
    let buffer = system.allocate_nonpaged(len).unwrap();
    let chain = vec![buffer.mdl(0, len).unwrap()];
    let ctx = adapter.initialize_dma_transfer_context().unwrap();
    let status = adapter
        .allocate_adapter_channel_ex(
            &DeviceObject::new(),
            &ctx,
            regs,
            AllocateFlags::SynchronousCallback,
            None,
        )
        .unwrap();
    let AllocationStatusEx::Granted(base) = status else {
        panic!("{status:?}")
    };
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let routine: DmaCompletionRoutine = Box::new(move |_, s| l.lock().unwrap().push(s));
    adapter
        .map_transfer_ex(&chain, base, 0, 0, len, TransferType::Write, Some(routine))
        .unwrap();
    // Nothing has happened on the board yet: the dispatcher polls and finds irq low.
    assert_eq!(system.dispatch_interrupts().unwrap(), 0);
    let data: Vec<u8> = (0..len).map(|i| (i * 13 + 5) as u8).collect();
    board(&system, |m| {
        m.push_source(0, &data).unwrap();
        m.advance(4 * len as u64);
        assert!(m.controller().irq(), "the board's irq pin is high");
    });
    let before = commands(&system);
    assert!(system.irq().unwrap());
    assert_eq!(
        commands(&system) - before,
        2,
        "INT_STATUS and INT_ENABLE, over the link"
    );
    assert_eq!(system.dispatch_interrupts().unwrap(), 1);
    assert_eq!(*log.lock().unwrap(), vec![DmaCompletionStatus::Complete]);
    assert!(!system.irq().unwrap(), "acknowledged through the link");
    assert_eq!(system.dispatch_interrupts().unwrap(), 0, "once only");
    adapter
        .flush_adapter_buffers_ex(&chain, base, 0, len, TransferType::Write)
        .unwrap();
    let mut got = vec![0; len];
    buffer.read(0, &mut got).unwrap();
    assert_eq!(got, data);
    assert_eq!(log.lock().unwrap().len(), 1);
    adapter
        .free_adapter_object(IoAllocationAction::DeallocateObject)
        .unwrap();
}
