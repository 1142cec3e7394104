//! Fuzzing of the host library's input handling on the reference backend: random
//! DEVICE_DESCRIPTIONs and random MapTransfer arguments. Nothing may panic; a description is
//! accepted exactly when it is valid; a transfer either fails with an error and moves
//! nothing, or moves exactly the bytes it reports as mapped, to or from exactly the right
//! place (no silent wrong transfer).

use mapdma_host::backend::reference::ReferenceModel;
use mapdma_host::{
    DeviceDescription, DeviceObject, DmaError, DmaSystem, DmaWidth, IoAllocationAction,
    TransferType,
};
use mapdma_regmap::Config;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

fn system() -> DmaSystem {
    let model = ReferenceModel::new(Config::default()).expect("valid configuration");
    DmaSystem::open(Box::new(model)).expect("reference model opens")
}

fn width(i: u8) -> DmaWidth {
    match i % 4 {
        0 => DmaWidth::Width8Bits,
        1 => DmaWidth::Width16Bits,
        2 => DmaWidth::Width32Bits,
        _ => DmaWidth::Width64Bits,
    }
}

fn description() -> impl Strategy<Value = DeviceDescription> {
    (
        (
            0u32..6,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            prop::bool::weighted(0.1),
            any::<bool>(),
        ),
        (
            0u32..8,
            any::<u8>(),
            prop_oneof![Just(0u32), 1u32..70_000, Just(u32::MAX)],
        ),
        (0u32..80, 0u32..8, any::<u32>(), any::<u64>()),
    )
        .prop_map(
            |(
                (version, master, scatter_gather, demand_mode, auto_initialize),
                (dma32, ignore_count, reserved1, dma64),
                (channel, w, maximum_length),
                (address_width, request_line, port, device_address),
            )| DeviceDescription {
                version,
                master,
                scatter_gather,
                demand_mode,
                auto_initialize,
                dma32_bit_addresses: dma32,
                ignore_count,
                reserved1,
                dma64_bit_addresses: dma64,
                dma_channel: channel,
                dma_width: width(w),
                maximum_length,
                dma_port: port,
                dma_address_width: address_width,
                dma_request_line: request_line,
                device_address,
                ..DeviceDescription::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn descriptions_are_accepted_exactly_when_valid(d in description()) {
        let s = system();
        let cfg = s.config();
        match s.get_dma_adapter(&d) {
            Ok((adapter, granted)) => {
                prop_assert!(d.validate(&cfg).is_ok(), "accepted an invalid {d:?}");
                prop_assert!(granted >= 1 && granted as usize <= cfg.map_registers, "{granted}");
                prop_assert!(adapter.put_dma_adapter().is_ok());
            }
            Err(DmaError::Description(e)) => {
                prop_assert_eq!(d.validate(&cfg), Err(e));
            }
            Err(e) => {
                // Resource limits may refuse a valid description, never with a panic.
                prop_assert!(matches!(e, DmaError::InsufficientResources { .. }), "{e}");
            }
        }
    }
}

/// The outcome of one MapTransfer attempt, seen from outside.
#[derive(Debug)]
struct Moved {
    mapped: Result<(u64, usize), DmaError>,
    buffer: Vec<u8>,
    sink: Vec<u8>,
}

#[allow(clippy::too_many_arguments)]
fn transfer(
    channel: u32,
    w: DmaWidth,
    autoinit: bool,
    buffer_len: u32,
    current_va: usize,
    length: usize,
    direction: TransferType,
    device_data: &[u8],
) -> Moved {
    let s = system();
    let d = DeviceDescription {
        auto_initialize: autoinit,
        ..DeviceDescription::system_dma(channel, w, buffer_len)
    };
    let (adapter, granted) = s.get_dma_adapter(&d).expect("valid description");
    let buffer = adapter
        .allocate_common_buffer(buffer_len, false)
        .expect("common buffer");
    let pattern: Vec<u8> = (0..buffer_len).map(|i| (i as u8) ^ 0x5A).collect();
    buffer.write(0, &pattern).expect("CPU write");
    let mdl = buffer.mdl().expect("MDL");
    let slot = Arc::new(Mutex::new(None));
    let (out, ring) = (slot.clone(), mdl.clone());
    adapter
        .allocate_adapter_channel(&DeviceObject::new(), granted, move |a, base| {
            let r = a.map_transfer(&ring, base, current_va, length, direction);
            *out.lock().unwrap() = Some((base, r));
            IoAllocationAction::KeepObject
        })
        .expect("channel is free");
    let (base, mapped) = slot.lock().unwrap().take().expect("routine ran at once");
    let unit = w.unit().map_or(1, |u| u.bytes() as usize);
    let mut sink = vec![];
    if let Ok((_, n)) = &mapped {
        let n = *n;
        s.with_devices(|dev| {
            match direction {
                TransferType::Write => dev.push_source(channel as usize, &device_data[..n])?,
                _ => dev.grant_sink(channel as usize, (n / unit) as u64)?,
            }
            dev.idle(n as u64 + 64)?;
            sink = dev.take_sink(channel as usize)?;
            Ok(())
        })
        .expect("devices");
        adapter
            .flush_adapter_buffers(&mdl, base, current_va, n, direction)
            .expect("flush of what was mapped");
    } else {
        s.with_devices(|dev| {
            dev.idle(64)?;
            sink = dev.take_sink(channel as usize)?;
            Ok(())
        })
        .expect("devices");
    }
    let mut now = vec![0; buffer_len as usize];
    buffer.read(0, &mut now).expect("CPU read");
    adapter.free_adapter_channel().expect("free channel");
    adapter.free_common_buffer(buffer).expect("free buffer");
    adapter.put_dma_adapter().map_err(|e| e.error).expect("put");
    Moved {
        mapped,
        buffer: now,
        sink,
    }
}

/// MapTransfer arguments: two thirds well-formed (aligned, inside the buffer), the rest anything.
fn placement(buffer_len: u32, unit: usize) -> impl Strategy<Value = (usize, usize)> {
    let len = buffer_len as usize;
    let units = (len / unit).max(1);
    prop_oneof![
        2 => (0..units, 1..=units).prop_map(move |(a, n)| {
            let va = a * unit;
            let n = n.min(units - a).max(1);
            (va, n * unit)
        }),
        1 => (0usize..len + 64, prop_oneof![Just(0usize), 1usize..64, 0usize..len + 64]),
    ]
}

fn case() -> impl Strategy<Value = (u32, u8, bool, u32, usize, usize, bool, u8)> {
    (
        0u32..4,
        0u8..3,
        any::<bool>(),
        1u32..(3 * 4096),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_flat_map(|(channel, w, autoinit, buffer_len, write, seed)| {
            let unit = width(w).unit().map_or(1, |u| u.bytes() as usize);
            placement(buffer_len, unit).prop_map(move |(va, length)| {
                (channel, w, autoinit, buffer_len, va, length, write, seed)
            })
        })
}

static TRANSFERS: AtomicUsize = AtomicUsize::new(0);

fn check_case(
    (channel, w, autoinit, buffer_len, va, length, write, seed): (
        u32,
        u8,
        bool,
        u32,
        usize,
        usize,
        bool,
        u8,
    ),
) -> Result<(), TestCaseError> {
    let w = width(w);
    let direction = if write {
        TransferType::Write
    } else {
        TransferType::Read
    };
    let data: Vec<u8> = (0..length.max(1))
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    let m = transfer(
        channel, w, autoinit, buffer_len, va, length, direction, &data,
    );
    let pattern: Vec<u8> = (0..buffer_len).map(|i| (i as u8) ^ 0x5A).collect();
    let unit = w.unit().map_or(1, |u| u.bytes() as usize);
    let valid =
        length > 0 && va + length <= buffer_len as usize && va % unit == 0 && length % unit == 0;
    match &m.mapped {
        Err(e) => {
            prop_assert!(
                !valid,
                "valid MapTransfer refused: va {va} length {length} unit {unit}: {e}"
            );
            prop_assert_eq!(
                &m.buffer,
                &pattern,
                "memory changed after a refused MapTransfer"
            );
            prop_assert!(
                m.sink.is_empty(),
                "device got data after a refused MapTransfer"
            );
        }
        Ok((_, n)) => {
            let n = *n;
            TRANSFERS.fetch_add(1, Ordering::Relaxed);
            prop_assert!(
                n > 0 && n <= length && n % unit == 0,
                "mapped {n} of {length}"
            );
            prop_assert!(va + n <= buffer_len as usize);
            match direction {
                TransferType::Write => {
                    prop_assert_eq!(&m.buffer[va..va + n], &data[..n]);
                    prop_assert_eq!(&m.buffer[..va], &pattern[..va]);
                    prop_assert_eq!(&m.buffer[va + n..], &pattern[va + n..]);
                    prop_assert!(m.sink.is_empty());
                }
                _ => {
                    prop_assert_eq!(&m.sink, &pattern[va..va + n]);
                    prop_assert_eq!(&m.buffer, &pattern);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn map_transfer_moves_exactly_what_it_maps_or_nothing(c in case()) {
        check_case(c)?;
    }
}

#[test]
fn well_formed_transfers_really_move_data() {
    // Both directions, every width, unaligned and page-crossing placements, checked byte for
    // byte by the same oracle as the fuzz cases.
    let before = TRANSFERS.load(Ordering::Relaxed);
    for (w, va, len) in [
        (0u8, 3usize, 5000usize),
        (1, 4094, 10),
        (2, 8, 4096),
        (2, 0, 12),
    ] {
        for write in [false, true] {
            check_case((1, w, write, 3 * 4096, va, len, write, 7)).unwrap();
        }
    }
    assert!(TRANSFERS.load(Ordering::Relaxed) >= before + 8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The reference backend's register bus takes any offset and value: misaligned offsets and
    /// offsets without a register are errors, nothing panics, and time can pass afterwards.
    #[test]
    fn the_register_bus_takes_any_access(
        ops in prop::collection::vec((any::<bool>(), prop_oneof![0u32..0x2000, any::<u32>()], any::<u32>()), 1..64),
        ticks in 0u64..2000,
    ) {
        use mapdma_host::backend::{BackendError, RegisterBus};
        let mut m = ReferenceModel::new(Config::small()).expect("valid configuration");
        for (write, offset, value) in ops {
            let r = if write { m.write32(offset, value).map(|_| 0) } else { m.read32(offset) };
            match r {
                Ok(_) => prop_assert!(offset % 4 == 0 && offset < 0x2000, "{offset:#x} answered OKAY"),
                Err(BackendError::Misaligned { .. }) => prop_assert!(offset % 4 != 0),
                Err(BackendError::Register { .. }) => prop_assert!(offset % 4 == 0),
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
        m.advance(ticks);
    }
}
