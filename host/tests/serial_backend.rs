//! The serial backend against an in-process fake of the board's UART bridge: discovery,
//! registers, memory (unaligned, split into bulk commands), page allocation, the driver API on
//! top, and link failures.

mod serial_fake;

use mapdma_host::backend::serial::{self, link, window, SerialBackend};
use mapdma_host::backend::{BackendError, BusResponse, PhysicalMemory, RegisterBus};
use mapdma_host::{DeviceDescription, DmaSystem, DmaWidth};
use mapdma_regmap as rm;
use serial_fake::{board_config, FakeBridge, RAM_BYTES};

fn backend() -> SerialBackend<FakeBridge> {
    SerialBackend::new(FakeBridge::new()).expect("the fake board answers")
}

fn link(b: &mut SerialBackend<FakeBridge>) -> &mut FakeBridge {
    b.bridge().link_mut()
}

#[test]
fn opening_discovers_the_board() {
    let b = backend();
    let info = b.info();
    assert_eq!(info.ram_bytes, RAM_BYTES);
    assert_eq!(info.page_shift, 8);
    assert_eq!(info.clock_hz, serial_fake::CLOCK_HZ);
    assert_eq!(info.uart_divisor, serial_fake::DIVISOR);
    assert_eq!(b.page_size(), 256);
}

#[test]
fn registers_go_through_the_register_window() {
    let mut b = backend();
    assert_eq!(b.read32(rm::ID.offset).unwrap(), rm::ID_MAGIC);
    assert_eq!(
        b.read32(rm::CONFIG0.offset).unwrap(),
        board_config().config0()
    );
    let cfg = board_config();
    let entry = rm::map::VALID.put(&cfg, 1) | rm::map::FRAME.put(&cfg, 7);
    b.write32(rm::MAP.at(3), entry).unwrap();
    assert_eq!(b.read32(rm::MAP.at(3)).unwrap(), entry);
    assert_eq!(link(&mut b).model.read32(rm::MAP.at(3)).unwrap(), entry);
}

#[test]
fn register_errors_are_typed_and_bad_offsets_never_reach_the_link() {
    let mut b = backend();
    let beyond = rm::MAP.at(board_config().map_registers);
    assert_eq!(
        b.read32(beyond),
        Err(BackendError::Register {
            offset: beyond,
            response: BusResponse::SlaveError
        })
    );
    let before = link(&mut b).bytes_in;
    assert_eq!(
        b.read32(0x82),
        Err(BackendError::Misaligned { offset: 0x82 })
    );
    assert!(matches!(
        b.write32(0x2000, 0),
        Err(BackendError::Register { .. })
    ));
    assert_eq!(link(&mut b).bytes_in, before);
}

#[test]
fn unaligned_memory_writes_keep_their_neighbours() {
    let mut b = backend();
    b.write(0x100, &[0xEE; 16]).unwrap();
    b.write(0x103, &[1, 2, 3, 4, 5, 6]).unwrap();
    let mut got = [0u8; 16];
    b.read(0x100, &mut got).unwrap();
    assert_eq!(
        got,
        [0xEE, 0xEE, 0xEE, 1, 2, 3, 4, 5, 6, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE]
    );
    let mut one = [0u8; 1];
    b.read(0x105, &mut one).unwrap();
    assert_eq!(one, [3]);
    // The fake's memory (the DMA's view) agrees.
    let mut direct = [0u8; 6];
    link(&mut b).model.read(0x103, &mut direct).unwrap();
    assert_eq!(direct, [1, 2, 3, 4, 5, 6]);
}

#[test]
fn large_transfers_are_split_into_bulk_commands() {
    let mut b = backend();
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 + 3) as u8).collect();
    let before = link(&mut b).commands;
    b.write(0x402, &data).unwrap();
    let writes = link(&mut b).commands - before;
    // 3000 bytes from 0x402 touch 751 words: 6 frames of up to 128 words plus the two edge
    // reads.
    assert_eq!(writes, 751usize.div_ceil(link::MAX_WORDS) + 2);
    let mut back = vec![0u8; data.len()];
    b.read(0x402, &mut back).unwrap();
    assert_eq!(back, data);
}

#[test]
fn memory_outside_the_ram_is_refused_before_the_link() {
    let mut b = backend();
    let before = link(&mut b).bytes_in;
    let mut buf = [0u8; 8];
    assert!(matches!(
        b.read(RAM_BYTES as u64 - 4, &mut buf),
        Err(BackendError::BadPhysicalAddress { .. })
    ));
    assert!(matches!(
        b.write(u64::MAX - 2, &[1, 2, 3, 4]),
        Err(BackendError::BadPhysicalAddress { .. })
    ));
    assert_eq!(link(&mut b).bytes_in, before);
    b.write(RAM_BYTES as u64 - 4, &[9; 4]).unwrap();
}

#[test]
fn pages_are_allocated_and_freed_in_the_hardware_page_size() {
    let mut b = backend();
    let pages = RAM_BYTES as usize / 256;
    let a = b.allocate_pages(3).unwrap();
    assert_eq!(a.len(), 3);
    assert!(a.iter().all(|p| p % 256 == 0 && *p < RAM_BYTES as u64));
    let c = b.allocate_contiguous(4).unwrap();
    assert!(a.iter().all(|p| *p < c || *p >= c + 4 * 256));
    assert_eq!(
        b.allocate_pages(pages),
        Err(BackendError::OutOfMemory {
            requested_pages: pages
        })
    );
    b.free_pages(&a).unwrap();
    assert!(matches!(
        b.free_pages(&a[..1]),
        Err(BackendError::BadPhysicalAddress { .. })
    ));
    assert!(b.free_pages(&[c + 1]).is_err(), "not page aligned");
    assert_eq!(b.allocate_pages(pages - 4).unwrap().len(), pages - 4);
    assert!(b.allocate_contiguous(1).is_err());
}

#[test]
fn the_driver_api_runs_on_the_serial_backend() {
    let system = DmaSystem::open(Box::new(backend())).expect("discovery over the link");
    let description = DeviceDescription {
        auto_initialize: true,
        ..DeviceDescription::system_dma(1, DmaWidth::Width8Bits, 1024)
    };
    let (adapter, map_registers) = system.get_dma_adapter(&description).unwrap();
    assert_eq!(map_registers, 1024 / 256 + 1);
    let buffer = adapter.allocate_common_buffer(1024, false).unwrap();
    adapter.free_common_buffer(buffer).unwrap();
    adapter.put_dma_adapter().map_err(|e| e.error).unwrap();
}

#[test]
fn a_silent_board_is_a_link_error_naming_the_cause() {
    let mut fake = FakeBridge::new();
    fake.mute = true;
    let e = SerialBackend::new(fake).err().unwrap().to_string();
    assert!(e.contains("did not answer"), "{e}");
}

#[test]
fn something_else_than_a_board_is_refused() {
    let mut fake = FakeBridge::new();
    fake.board_id = 0x1234_5678;
    let e = SerialBackend::new(fake).err().unwrap().to_string();
    assert!(e.contains("not a mapdma board"), "{e}");
}

#[test]
fn corrupt_and_stale_replies_are_retried_and_the_link_stays_in_step() {
    let mut b = backend();
    // A flipped bit in a write's reply: the write is sent again with the same number and
    // answered as a duplicate, so it lands once.
    link(&mut b).corrupt_reply = Some(8 * 3);
    let before = link(&mut b).commands;
    b.write32(rm::MAP.at(2), 0x8000_0001).unwrap();
    assert_eq!(link(&mut b).commands - before, 1, "executed once");
    let stats = b.bridge().stats();
    assert_eq!((stats.retries, stats.duplicates), (1, 1));
    // A stale good frame and garbage before a reply are skipped.
    link(&mut b).noise = vec![0xA5, 0x00, 0x00, 0xA0, 0x12, 0x34, 0x77, 0xA5];
    assert_eq!(b.window_read(window::ID).unwrap(), link::BOARD_ID);
    // A status byte the protocol does not define is no answer: the read is repeated.
    link(&mut b).corrupt_status = Some(0x5A);
    assert_eq!(b.read32(rm::ID.offset).unwrap(), rm::ID_MAGIC);
}

#[test]
fn a_silent_board_after_opening_is_a_typed_fault() {
    let mut b = backend();
    link(&mut b).mute = true;
    match b.write32(rm::MAP.at(0), 0) {
        Err(BackendError::LinkFault(serial::LinkFault::NoReply {
            write: true,
            attempts,
            ..
        })) => assert_eq!(attempts, serial::ATTEMPTS),
        other => panic!("{other:?}"),
    }
    link(&mut b).mute = false;
    assert_eq!(b.read32(rm::ID.offset).unwrap(), rm::ID_MAGIC);
}

#[test]
fn a_lost_reply_to_a_read_with_side_effects_is_an_error_not_a_second_read() {
    let mut b = backend();
    // The 8237 status register clears its TC bits when read.
    link(&mut b).corrupt_reply = Some(8 * 4);
    match b.read32(rm::STATUS.offset) {
        Err(BackendError::LinkFault(serial::LinkFault::ReadLost { addr })) => {
            assert_eq!(addr, link::REGISTER_WINDOW | rm::STATUS.offset)
        }
        other => panic!("{other:?}"),
    }
    // A read without side effects is simply repeated.
    link(&mut b).corrupt_reply = Some(8 * 4);
    assert_eq!(b.read32(rm::ID.offset).unwrap(), rm::ID_MAGIC);
}

#[test]
fn a_version_1_board_is_told_apart_by_the_query_byte() {
    let mut fake = FakeBridge::new();
    fake.version_word = 1;
    match SerialBackend::new(fake).err().unwrap() {
        BackendError::LinkFault(serial::LinkFault::Version { found: 1 }) => {}
        other => panic!("{other:?}"),
    }
}
