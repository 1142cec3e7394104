//! The serial backend through a real pseudo-terminal: `Tty` puts the slave side in raw mode
//! and the fake board bridge answers on the master side, so every byte value (0x00, CR, XON,
//! XOFF, 0xFF, ...) must cross the terminal layer unchanged.

#![cfg(target_os = "linux")]

mod serial_fake;

use mapdma_host::backend::serial::SerialBackend;
use mapdma_host::backend::{PhysicalMemory, RegisterBus};
use mapdma_regmap as rm;
use serial_fake::FakeBridge;
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::io::FromRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Opens a pty pair; returns the master and the slave's path.
fn pty() -> (File, std::path::PathBuf) {
    let (mut master, mut slave) = (0, 0);
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: openpty writes two descriptors and a NUL-terminated name into the buffers given.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            name.as_mut_ptr(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: `name` is NUL-terminated by openpty; the slave fd is closed here because the
    // backend reopens the slave by path (the master keeps the pty alive).
    let path = unsafe {
        libc::close(slave);
        std::ffi::CStr::from_ptr(name.as_ptr())
    }
    .to_string_lossy()
    .into_owned();
    // SAFETY: `master` is a fresh descriptor that nothing else owns.
    (unsafe { File::from_raw_fd(master) }, path.into())
}

/// Pumps bytes between the pty master and the fake bridge until told to stop.
fn serve(mut master: File, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    // SAFETY: fcntl on an owned descriptor; non-blocking so the loop can notice `stop`.
    unsafe {
        use std::os::unix::io::AsRawFd;
        let fd = master.as_raw_fd();
        libc::fcntl(
            fd,
            libc::F_SETFL,
            libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK,
        );
    }
    std::thread::spawn(move || {
        let mut fake = FakeBridge::new();
        let mut buf = [0u8; 512];
        let deadline = Instant::now() + Duration::from_secs(60);
        while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
            match master.read(&mut buf) {
                Ok(n) if n > 0 => {
                    fake.write_all(&buf[..n]).unwrap();
                    let mut out = vec![];
                    let mut chunk = [0u8; 512];
                    loop {
                        let k = fake.read(&mut chunk).unwrap();
                        if k == 0 {
                            break;
                        }
                        out.extend_from_slice(&chunk[..k]);
                    }
                    master.write_all(&out).unwrap();
                }
                _ => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    })
}

#[test]
fn every_byte_value_crosses_a_raw_pseudo_terminal() {
    let (master, path) = pty();
    let stop = Arc::new(AtomicBool::new(false));
    let server = serve(master, stop.clone());
    let mut b = SerialBackend::open(&path, 115_200).expect("board over the pty");
    assert_eq!(b.read32(rm::ID.offset).unwrap(), rm::ID_MAGIC);
    let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    // Addresses and data full of control characters: 0x0D0A, 0x1113 (XON/XOFF), 0x04 (EOF).
    b.write(0x0D0A & !3, &data).unwrap();
    let mut back = vec![0u8; data.len()];
    b.read(0x0D0A & !3, &mut back).unwrap();
    assert_eq!(back, data);
    b.write32(rm::MAP.at(0x11), 0x8000_1304).unwrap();
    assert_eq!(b.read32(rm::MAP.at(0x11)).unwrap() & 0xFF, 0x04);
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap();
}

#[test]
fn a_path_that_is_not_a_terminal_is_refused() {
    let dir = std::env::temp_dir().join(format!("mapdma-serial-{}", std::process::id()));
    std::fs::write(&dir, b"").unwrap();
    let e = SerialBackend::open(&dir, 115_200)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("not a terminal"), "{e}");
    let e = SerialBackend::open(std::path::Path::new("/dev/pts/0"), 123)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("not a standard serial rate"), "{e}");
    std::fs::remove_file(&dir).unwrap();
}
