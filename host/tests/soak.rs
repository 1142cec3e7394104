//! Concurrency soak: threads allocate → map → flush → free on shared 8237 channels while
//! adapters are dropped at random moments, including while their execution routine runs on
//! another thread. Afterwards nothing may be left behind.
//!
//! `MAPDMA_SOAK=THREADSxSECONDS` sets the load (default `4x3`, so CI stays fast); for example
//! `MAPDMA_SOAK=6x20 cargo test -p mapdma-host --release --test soak -- --nocapture`.
//! A watchdog fails the test when any thread has made no progress for 20 s (a deadlock).
mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use mapdma_host::{
    AllocationStatus, DeviceDescription, DeviceObject, DmaSystem, DmaWidth, IoAllocationAction,
    MapRegisterBase, TransferType,
};
use mapdma_regmap::{self as rm, Config};

/// Threads and seconds from `MAPDMA_SOAK` (`THREADSxSECONDS`).
fn load() -> (usize, u64) {
    let spec = std::env::var("MAPDMA_SOAK").unwrap_or_else(|_| "4x3".into());
    let (t, s) = spec
        .split_once('x')
        .unwrap_or_else(|| panic!("MAPDMA_SOAK={spec}: expected THREADSxSECONDS, e.g. 6x20"));
    let threads = t.parse().expect("MAPDMA_SOAK threads");
    let seconds = s.parse().expect("MAPDMA_SOAK seconds");
    assert!(threads >= 1 && seconds >= 1, "MAPDMA_SOAK={spec}");
    (threads, seconds)
}

struct Counters {
    /// Allocate → map → flush → free → put cycles completed.
    cycles: AtomicU64,
    /// Adapters dropped on purpose before their cycle finished.
    drops: AtomicU64,
    /// Any routine call that should have succeeded and did not.
    failures: AtomicU64,
    /// Bumped by every step of each thread: the watchdog's heartbeats, one per thread.
    progress: Vec<AtomicU64>,
}

impl Counters {
    fn new(threads: usize) -> Self {
        Counters {
            cycles: AtomicU64::new(0),
            drops: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            progress: (0..threads).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn fail(&self, what: &str, e: impl std::fmt::Debug) {
        let n = self.failures.fetch_add(1, Ordering::Relaxed);
        if n < 10 {
            eprintln!("soak failure: {what}: {e:?}");
        }
    }
}

/// A small xorshift generator: each thread its own, seeded from its index.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

type Slot = Arc<Mutex<Option<Option<(MapRegisterBase, usize)>>>>;

fn worker(system: DmaSystem, index: usize, stop: Arc<AtomicBool>, c: Arc<Counters>) {
    let cfg = system.config();
    let page = cfg.page_size() as usize;
    let mut rng =
        Rng(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0x1234_5678_9ABC_DEF1));
    while !stop.load(Ordering::Relaxed) {
        c.progress[index].fetch_add(1, Ordering::Relaxed);
        let channel = rng.below(cfg.channels as u64) as u32;
        let description =
            DeviceDescription::system_dma(channel, DmaWidth::Width8Bits, 2 * page as u32);
        let (adapter, registers) = match system.get_dma_adapter(&description) {
            Ok(a) => a,
            Err(e) => {
                c.fail("get_dma_adapter", e);
                continue;
            }
        };
        let buffer = match system.allocate_nonpaged(2 * page) {
            Ok(b) => b,
            Err(e) => {
                c.fail("allocate_nonpaged", e);
                continue;
            }
        };
        let mdl = buffer
            .mdl(0, 2 * page)
            .expect("an MDL over the whole buffer");
        let slot: Slot = Arc::new(Mutex::new(None));
        let (s, m, counters) = (slot.clone(), mdl.clone(), c.clone());
        let device = DeviceObject::new();
        let status = adapter.allocate_adapter_channel(&device, registers, move |a, base| {
            let r = a.map_transfer(&m, base, 0, 2 * page, TransferType::Write);
            // Let another thread act while this routine is still running.
            thread::yield_now();
            let keep = match r {
                Ok((_, n)) => Some((base, n)),
                Err(e) => {
                    counters.fail("map_transfer in the execution routine", e);
                    None
                }
            };
            let action = if keep.is_some() {
                IoAllocationAction::KeepObject
            } else {
                IoAllocationAction::DeallocateObjectKeepRegisters
            };
            *s.lock().unwrap() = Some(keep);
            action
        });
        if let Err(e) = status {
            c.fail("allocate_adapter_channel", e);
            continue;
        }
        // One cycle in four drops the adapter at once: queued, running elsewhere or granted.
        if rng.below(4) == 0 {
            if status == Ok(AllocationStatus::Queued) && rng.below(2) == 0 {
                thread::yield_now();
            }
            drop(adapter);
            c.drops.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let granted = loop {
            if let Some(r) = slot.lock().unwrap().take() {
                break r;
            }
            if Instant::now() > deadline {
                c.fail("waiting for the execution routine", "30 s");
                break None;
            }
            c.progress[index].fetch_add(1, Ordering::Relaxed);
            thread::sleep(Duration::from_micros(50));
        };
        let Some((base, mapped)) = granted else {
            continue;
        };
        if let Err(e) = adapter.flush_adapter_buffers(&mdl, base, 0, mapped, TransferType::Write) {
            c.fail("flush_adapter_buffers", e);
        }
        if let Err(e) = adapter.free_adapter_channel() {
            c.fail("free_adapter_channel", e);
        }
        match adapter.put_dma_adapter() {
            Ok(()) => {
                c.cycles.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => c.fail("put_dma_adapter", e.error),
        }
    }
}

/// Everything the HAL and the hardware hold after the soak; all zero when nothing leaked.
fn leaks(system: &DmaSystem) -> Vec<String> {
    let cfg = system.config();
    let mut out = Vec::new();
    let in_use = system.map_registers_in_use();
    if in_use != 0 {
        out.push(format!("{in_use} map register(s) still allocated"));
    }
    let waiting = system.waiting_requests();
    if waiting != 0 {
        out.push(format!("{waiting} request(s) still queued"));
    }
    let valid = (0..cfg.map_registers)
        .filter(|&i| rm::map::VALID.get(&cfg, common::map_entry(system, i)) != 0)
        .count();
    if valid != 0 {
        out.push(format!("{valid} MAP entr(ies) still valid"));
    }
    for ch in 0..cfg.channels {
        let config = system
            .with_backend(|b| b.read32(rm::CH_CONFIG.at(ch)))
            .unwrap();
        if rm::ch_config::MASKED.get(&cfg, config) == 0 {
            out.push(format!("channel {ch} left unmasked"));
        }
        let d = DeviceDescription::system_dma(ch as u32, DmaWidth::Width8Bits, 4096);
        let (a, n) = system.get_dma_adapter(&d).unwrap();
        match a.allocate_adapter_channel(&DeviceObject::new(), n, |_, _| {
            IoAllocationAction::KeepObject
        }) {
            Ok(AllocationStatus::Executed) => {
                a.free_adapter_channel().unwrap();
                a.put_dma_adapter().unwrap();
            }
            other => out.push(format!("channel {ch} not grantable: {other:?}")),
        }
    }
    out
}

#[test]
fn channel_ownership_survives_drops_while_routines_run() {
    let (threads, seconds) = load();
    let system = common::system(Config::default());
    let stop = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(Counters::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (s, st, c) = (system.clone(), stop.clone(), counters.clone());
            thread::spawn(move || worker(s, i, st, c))
        })
        .collect();

    // Watchdog: the run lasts `seconds`; then every thread must finish, and at no time may
    // a running thread's heartbeat stand still for long.
    let start = Instant::now();
    let beat = |i: usize| counters.progress[i].load(Ordering::Relaxed);
    let mut beats: Vec<(u64, Instant)> = (0..threads).map(|i| (beat(i), Instant::now())).collect();
    loop {
        thread::sleep(Duration::from_millis(100));
        if start.elapsed() >= Duration::from_secs(seconds) {
            stop.store(true, Ordering::Relaxed);
        }
        if handles.iter().all(|h| h.is_finished()) {
            break;
        }
        for (i, (last, since)) in beats.iter_mut().enumerate() {
            if beat(i) != *last || handles[i].is_finished() {
                (*last, *since) = (beat(i), Instant::now());
            }
            assert!(
                since.elapsed() < Duration::from_secs(20),
                "deadlock: soak thread {i} made no progress for 20 s ({} cycles done)",
                counters.cycles.load(Ordering::Relaxed)
            );
        }
    }
    for h in handles {
        h.join().expect("a soak thread panicked");
    }
    let leaked = leaks(&system);
    let cycles = counters.cycles.load(Ordering::Relaxed);
    let failures = counters.failures.load(Ordering::Relaxed);
    println!(
        "soak {threads} threads x {seconds} s: {cycles} cycles done, {} adapters dropped \
         mid-cycle, {failures} failures, {} leak(s){}",
        counters.drops.load(Ordering::Relaxed),
        leaked.len(),
        if leaked.is_empty() {
            String::new()
        } else {
            format!(": {}", leaked.join("; "))
        }
    );
    assert!(cycles > 0, "no cycle completed");
    assert_eq!(failures, 0, "routine calls failed");
    assert!(leaked.is_empty(), "leaked: {leaked:?}");
}

/// The race the soak hunts, made deterministic: adapter A's routine runs on the thread that
/// freed the channel while A's owner drops it. The drop waits for the routine; the routine's
/// `KeepObject` applies to A's own grant, and the next waiter gets the channel with a base of
/// its own that maps.
#[test]
fn a_drop_waits_for_the_routine_running_on_another_thread() {
    use std::sync::mpsc;
    let system = common::system(Config::default());
    let d = DeviceDescription::system_dma(2, DmaWidth::Width8Bits, 4096);
    let page = system.allocate_nonpaged(4096).unwrap();
    let mdl = page.mdl(0, 4096).unwrap();
    let first = system.get_dma_adapter(&d).unwrap().0;
    first
        .allocate_adapter_channel(&DeviceObject::new(), 1, |_, _| {
            IoAllocationAction::KeepObject
        })
        .unwrap();
    let a = system.get_dma_adapter(&d).unwrap().0;
    let (entered, wait_entered) = mpsc::channel();
    let (release, wait_release) = mpsc::channel::<()>();
    let m = mdl.clone();
    let status = a
        .allocate_adapter_channel(&DeviceObject::new(), 1, move |a, base| {
            a.map_transfer(&m, base, 0, 4096, TransferType::Write)
                .unwrap();
            entered.send(()).unwrap();
            wait_release.recv().unwrap();
            IoAllocationAction::KeepObject
        })
        .unwrap();
    assert_eq!(status, AllocationStatus::Queued);
    let b = system.get_dma_adapter(&d).unwrap().0;
    let slot: Slot = Arc::new(Mutex::new(None));
    let (s, m) = (slot.clone(), mdl.clone());
    b.allocate_adapter_channel(&DeviceObject::new(), 1, move |b, base| {
        let r = b.map_transfer(&m, base, 0, 4096, TransferType::Write);
        *s.lock().unwrap() = Some(r.ok().map(|(_, n)| (base, n)));
        IoAllocationAction::KeepObject
    })
    .unwrap();

    // The freeing thread runs A's routine, which stops half-way.
    let freer = thread::spawn(move || first.free_adapter_channel());
    wait_entered.recv().unwrap();
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = dropped.clone();
    let dropper = thread::spawn(move || {
        drop(a);
        flag.store(true, Ordering::SeqCst);
    });
    thread::sleep(Duration::from_millis(200));
    assert!(
        !dropped.load(Ordering::SeqCst),
        "the drop waits for the running routine"
    );
    release.send(()).unwrap();
    dropper.join().unwrap();
    freer.join().unwrap().unwrap();
    // A was released after its routine returned; B got the channel and a base that maps.
    let (base, n) = slot
        .lock()
        .unwrap()
        .take()
        .flatten()
        .expect("B's routine mapped");
    b.flush_adapter_buffers(&mdl, base, 0, n, TransferType::Write)
        .unwrap();
    b.free_adapter_channel().unwrap();
    b.put_dma_adapter().unwrap();
    assert!(leaks(&system).is_empty(), "{:?}", leaks(&system));
}
