//! The board design (`mapdma_hdl::board`) as a Verilated model, and a pseudo-terminal in front
//! of its UART, so that a host program talks to the simulated board exactly as to a real one:
//! by opening a serial device.
//!
//! - [`BoardModel`]: one clock at a time, the UART pins and the LEDs;
//! - [`UartSender`] / [`UartReceiver`]: the host end of the 8N1 line, one level per clock;
//! - [`LockstepBoard`]: the model on its own thread, clocked only when a test asks, so that
//!   the test controls (and corrupts) the line;
//! - [`PtyBoard`]: a thread that clocks the model in real time (the board's clock rate, so the
//!   serial rate, the bridge's frame timeout and a host's read timeouts relate as on
//!   hardware), moving bytes between the pty master and the UART pins.

use crate::verilated::mapdma_board::{Inputs, Model, Outputs};
use mapdma_verilate::VerilatedModel;
use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::io::{AsRawFd, FromRawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

include!(env!("MAPDMA_SIM_BOARD_RATES_RS"));

/// The model's RAM size, for hosts that check what they discover.
pub use mapdma_hdl::board::RAM_BYTES;

/// The model's mapdma configuration, for hosts that check what they discover: the virtual board
/// mirrors the HX8K breakout ([`mapdma_hdl::board::VIRTUAL_BOARD`]), so it has the bus-master
/// port with the test bus master on it.
pub fn board_config() -> mapdma_regmap::Config {
    mapdma_hdl::board::board_config_with(mapdma_hdl::board::VIRTUAL_BOARD)
}

/// The Verilated board design: clock, UART pins, LEDs.
pub struct BoardModel {
    model: Model,
    inputs: Inputs,
    outputs: Outputs,
    cycles: u64,
}

impl Default for BoardModel {
    fn default() -> Self {
        Self::new()
    }
}

impl BoardModel {
    /// A board just powered up (its own power-on counter holds reset for the first clocks),
    /// with the receive line idle (high).
    pub fn new() -> Self {
        let mut b = BoardModel {
            model: Model::new(),
            inputs: Inputs::default(),
            outputs: Outputs::default(),
            cycles: 0,
        };
        b.inputs.set_uart_rx(1);
        b.model.eval(&b.inputs, &mut b.outputs);
        b
    }

    /// One clock: evaluate with the clock low (inputs applied), then the rising edge.
    pub fn step(&mut self) {
        self.inputs.set_clock(0);
        self.model.eval(&self.inputs, &mut self.outputs);
        self.inputs.set_clock(1);
        self.model.eval(&self.inputs, &mut self.outputs);
        self.cycles += 1;
    }

    /// Drives the board's receive line from the next clock on.
    pub fn set_uart_rx(&mut self, level: bool) {
        self.inputs.set_uart_rx(level as u32);
    }

    /// Holds the design in reset from the next clock on (the board wrapper drives this pin
    /// until the PLL has locked); released, the power-on counter runs again from 0.
    pub fn set_hold(&mut self, hold: bool) {
        self.inputs.set_hold(hold as u32);
    }

    /// The board's transmit line after the last clock.
    pub fn uart_tx(&self) -> bool {
        self.outputs.uart_tx() != 0
    }

    /// LEDs, bit 0 first: fault, alive, DMA activity, interrupt, UART activity.
    pub fn leds(&self) -> u32 {
        self.outputs.leds()
    }

    /// Clocks run since power-up.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}

/// Host → board: turns queued bytes into 8N1 line levels, one per clock.
pub struct UartSender {
    divisor: u32,
    /// Frames to send: start bit, data LSB first, stop bit (bit 9; 0 for a framing error).
    queue: VecDeque<u16>,
    /// The frame in progress and the clock within.
    frame: Option<(u16, u32)>,
}

impl UartSender {
    pub fn new(divisor: u32) -> Self {
        UartSender {
            divisor,
            queue: VecDeque::new(),
            frame: None,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.queue
            .extend(bytes.iter().map(|&b| (b as u16) << 1 | 1 << 9));
    }

    /// Queues one frame whose stop bit is low (a framing error at the receiver).
    pub fn push_framing_error(&mut self, byte: u8) {
        self.queue.push_back((byte as u16) << 1);
    }

    /// Bytes not yet started on the line.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    pub fn idle(&self) -> bool {
        self.frame.is_none() && self.queue.is_empty()
    }

    /// The line level for the next clock (high when idle).
    pub fn next_level(&mut self) -> bool {
        if self.frame.is_none() {
            self.frame = self.queue.pop_front().map(|bits| (bits, 0));
        }
        let Some((bits, clock)) = self.frame else {
            return true;
        };
        let level = bits >> (clock / self.divisor) & 1 == 1;
        let clock = clock + 1;
        // A missing stop bit is followed by one bit time of idle line, so the next start bit
        // is seen.
        let frame_clocks = if bits >> 9 & 1 == 1 { 10 } else { 11 };
        self.frame = (clock < frame_clocks * self.divisor).then_some((bits, clock));
        level
    }
}

/// Board → host: samples the line once per clock, in the middle of each bit.
pub struct UartReceiver {
    divisor: u32,
    /// Clocks to the next sample, the bit number to sample (0 start, 1..=8 data, 9 stop) and
    /// the data so far; `None` while waiting for a start bit.
    state: Option<(u32, u32, u8)>,
    last: bool,
    /// Frames whose stop bit was low.
    pub framing_errors: u64,
}

impl UartReceiver {
    pub fn new(divisor: u32) -> Self {
        UartReceiver {
            divisor,
            state: None,
            last: true,
            framing_errors: 0,
        }
    }

    /// Observes the line after one clock; returns a byte when its stop bit was sampled high.
    pub fn observe(&mut self, line: bool) -> Option<u8> {
        let mut byte = None;
        self.state = match self.state {
            // A falling edge: sample the start bit half a bit from now.
            None if self.last && !line => Some((self.divisor / 2, 0, 0)),
            None => None,
            Some((wait, bit, acc)) if wait > 1 => Some((wait - 1, bit, acc)),
            Some((_, 0, _)) if line => None,
            Some((_, bit, acc)) if bit <= 8 => {
                let acc = if bit == 0 {
                    0
                } else {
                    acc | (line as u8) << (bit - 1)
                };
                Some((self.divisor, bit + 1, acc))
            }
            Some((_, _, acc)) => {
                if line {
                    byte = Some(acc);
                } else {
                    self.framing_errors += 1;
                }
                None
            }
        };
        self.last = line;
        byte
    }
}

/// What a [`PtyBoard`] did, returned when it stops.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PumpReport {
    /// Board clocks run.
    pub cycles: u64,
    /// Bytes sent to the board's receive line / received from its transmit line.
    pub bytes_to_board: u64,
    pub bytes_from_board: u64,
    /// Frames from the board with a low stop bit.
    pub framing_errors: u64,
    /// Wall time the pump ran.
    pub elapsed: Duration,
    /// The longest the simulation fell behind the board's clock (it catches up no further:
    /// a slow simulation runs slower than real time instead of in bursts).
    pub max_lag: Duration,
}

impl PumpReport {
    /// Simulated clocks per wall-clock second.
    pub fn clocks_per_second(&self) -> f64 {
        self.cycles as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for PumpReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} clocks in {:.2} s ({:.0} clocks/s, board clock {CLOCK_HZ} Hz), {} bytes to the \
             board, {} from it, {} framing errors, largest lag {:.1} ms",
            self.cycles,
            self.elapsed.as_secs_f64(),
            self.clocks_per_second(),
            self.bytes_to_board,
            self.bytes_from_board,
            self.framing_errors,
            self.max_lag.as_secs_f64() * 1e3
        )
    }
}

/// How fast the pump clocks the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// At most [`CLOCK_HZ`] clocks per wall-clock second, as the board itself.
    RealTime,
    /// As fast as the simulation runs.
    Free,
}

/// The board model behind a pseudo-terminal: open [`PtyBoard::path`] as a serial port at
/// [`BAUD`]. The model lives in the pump thread (a Verilated model stays on its thread).
pub struct PtyBoard {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    leds: Arc<AtomicU32>,
    thread: Option<JoinHandle<Result<PumpReport, String>>>,
}

/// Clocks run between two looks at the pty: 1 ms of board time at real-time pace.
const BATCH: u64 = (CLOCK_HZ / 1000) as u64;
/// Bytes read from the pty master ahead of the line (the host waits for each reply, so this
/// only bounds a host that does not).
const READ_AHEAD: usize = 4096;

fn os_error(what: &str) -> io::Error {
    let e = io::Error::last_os_error();
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// A pty pair: the master and the slave (kept open here so that the master never reads EOF
/// while no client has the slave open), the slave in raw mode so that nothing is echoed
/// before a client configures it.
fn open_pty() -> io::Result<(File, File, PathBuf)> {
    let (mut master, mut slave) = (0, 0);
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: openpty writes two descriptors and a NUL-terminated name of at most 128 bytes
    // (glibc's limit for the name buffer it fills) into the buffers given.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            name.as_mut_ptr(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(os_error("openpty"));
    }
    // SAFETY: both descriptors are fresh and owned by nothing else; `name` is NUL-terminated.
    let (master, slave, path) = unsafe {
        (
            File::from_raw_fd(master),
            File::from_raw_fd(slave),
            std::ffi::CStr::from_ptr(name.as_ptr())
                .to_string_lossy()
                .into_owned(),
        )
    };
    // SAFETY: fcntl and termios calls on descriptors owned by `master` and `slave`; `t` is
    // filled completely by tcgetattr before it is used.
    unsafe {
        let fd = master.as_raw_fd();
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) != 0 {
            return Err(os_error("making the pty master non-blocking"));
        }
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(slave.as_raw_fd(), &mut t) != 0 {
            return Err(os_error("reading the pty's terminal settings"));
        }
        libc::cfmakeraw(&mut t);
        if libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, &t) != 0 {
            return Err(os_error("putting the pty in raw mode"));
        }
    }
    Ok((master, slave, path.into()))
}

impl PtyBoard {
    /// Opens a pty and starts clocking a freshly powered-up board behind it.
    pub fn start(pace: Pace) -> io::Result<PtyBoard> {
        let (master, slave, path) = open_pty()?;
        let stop = Arc::new(AtomicBool::new(false));
        let leds = Arc::new(AtomicU32::new(0));
        let (ready_tx, ready_rx) = mpsc::channel();
        let thread = {
            let (stop, leds) = (stop.clone(), leds.clone());
            std::thread::Builder::new()
                .name("pty-board".into())
                .spawn(move || {
                    // Powered up and out of reset before a host can open the port, as a
                    // board is configured before anyone talks to it: bytes sent during the
                    // power-on reset would be lost.
                    let mut board = BoardModel::new();
                    for _ in 0..BATCH {
                        board.step();
                    }
                    let _ = ready_tx.send(());
                    let r = pump(board, master, &stop, &leds, pace);
                    drop(slave);
                    r
                })?
        };
        // The path is handed out once the model is built (its constructor runs the Verilog
        // `initial` blocks) and out of reset.
        ready_rx
            .recv()
            .map_err(|_| io::Error::other("the board thread died while starting"))?;
        Ok(PtyBoard {
            path,
            stop,
            leds,
            thread: Some(thread),
        })
    }

    /// The pty slave: the board's "serial port".
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The LEDs at the end of the last batch of clocks (see [`BoardModel::leds`]).
    pub fn leds(&self) -> u32 {
        self.leds.load(Ordering::Relaxed)
    }

    /// Stops the pump and reports what it did.
    pub fn stop(mut self) -> Result<PumpReport, String> {
        self.finish()
    }

    fn finish(&mut self) -> Result<PumpReport, String> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| "the board thread panicked".to_string())?,
            None => Err("the board pump was already stopped".into()),
        }
    }
}

impl Drop for PtyBoard {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.finish();
        }
    }
}

/// The pump loop: batches of clocks, bytes in from the master before each, out after.
fn pump(
    mut board: BoardModel,
    mut master: File,
    stop: &AtomicBool,
    leds: &AtomicU32,
    pace: Pace,
) -> Result<PumpReport, String> {
    let mut sender = UartSender::new(DIVISOR);
    let mut receiver = UartReceiver::new(DIVISOR);
    let mut report = PumpReport::default();
    let mut buf = [0u8; 1024];
    let mut out = Vec::with_capacity(1024);
    let started = Instant::now();
    // Wall time at which board clock `base_cycles` is due.
    let (mut base_time, mut base_cycles) = (started, 0u64);
    while !stop.load(Ordering::Relaxed) {
        while sender.queued() < READ_AHEAD {
            match master.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    sender.push(&buf[..n]);
                    report.bytes_to_board += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // WouldBlock: nothing written; EIO: no client has the slave open right now.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock || e.raw_os_error() == Some(5) => {
                    break
                }
                Err(e) => return Err(format!("reading the pty master: {e}")),
            }
        }
        for _ in 0..BATCH {
            board.set_uart_rx(sender.next_level());
            board.step();
            if let Some(b) = receiver.observe(board.uart_tx()) {
                out.push(b);
            }
        }
        leds.store(board.leds(), Ordering::Relaxed);
        if !out.is_empty() {
            report.bytes_from_board += out.len() as u64;
            write_all_nonblocking(&mut master, &out, stop)?;
            out.clear();
        }
        if pace == Pace::RealTime {
            let due = base_time
                + Duration::from_nanos(
                    (board.cycles() - base_cycles) * 1_000_000_000 / CLOCK_HZ as u64,
                );
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            } else {
                let lag = now - due;
                report.max_lag = report.max_lag.max(lag);
                if lag > Duration::from_millis(20) {
                    // Fell behind: carry on from here rather than racing to catch up.
                    (base_time, base_cycles) = (now, board.cycles());
                }
            }
        }
    }
    report.cycles = board.cycles();
    report.framing_errors = receiver.framing_errors;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Writes everything to the non-blocking master, waiting while the pty's buffer is full.
fn write_all_nonblocking(
    master: &mut File,
    mut data: &[u8],
    stop: &AtomicBool,
) -> Result<(), String> {
    while !data.is_empty() {
        match master.write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            Err(e) => return Err(format!("writing the pty master: {e}")),
        }
    }
    Ok(())
}

/// The board model on its own thread (a Verilated model stays on the thread that made it),
/// clocked only when asked: a test drives the line in lockstep, as fast as the simulation
/// runs, and can corrupt it at will on either side.
pub struct LockstepBoard {
    commands: mpsc::Sender<Command>,
    replies: mpsc::Receiver<Vec<u8>>,
    thread: Option<JoinHandle<u64>>,
}

enum Command {
    Send(Vec<u8>),
    FramingError(u8),
    Listen { silence: u64 },
    Stop,
}

impl LockstepBoard {
    /// A freshly powered-up board, out of reset.
    pub fn start() -> io::Result<LockstepBoard> {
        let (commands, command_rx) = mpsc::channel();
        let (reply_tx, replies) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("lockstep-board".into())
            .spawn(move || {
                let mut board = BoardModel::new();
                let mut sender = UartSender::new(DIVISOR);
                let mut receiver = UartReceiver::new(DIVISOR);
                for _ in 0..64 {
                    board.step();
                }
                // Two byte times of quiet line end a burst of reply bytes.
                let gap = 20 * DIVISOR as u64;
                while let Ok(c) = command_rx.recv() {
                    match c {
                        Command::Send(bytes) => sender.push(&bytes),
                        Command::FramingError(byte) => sender.push_framing_error(byte),
                        Command::Listen { silence } => {
                            let mut got = vec![];
                            let mut quiet = 0;
                            loop {
                                board.set_uart_rx(sender.next_level());
                                board.step();
                                match receiver.observe(board.uart_tx()) {
                                    Some(b) => {
                                        got.push(b);
                                        quiet = 0;
                                    }
                                    None if sender.idle() => quiet += 1,
                                    None => {}
                                }
                                if quiet >= if got.is_empty() { silence } else { gap } {
                                    break;
                                }
                            }
                            if reply_tx.send(got).is_err() {
                                break;
                            }
                        }
                        Command::Stop => break,
                    }
                }
                board.cycles()
            })?;
        Ok(LockstepBoard {
            commands,
            replies,
            thread: Some(thread),
        })
    }

    /// Queues bytes for the board's receive line.
    pub fn send(&self, bytes: &[u8]) {
        let _ = self.commands.send(Command::Send(bytes.to_vec()));
    }

    /// Queues a frame with a low stop bit.
    pub fn framing_error(&self, byte: u8) {
        let _ = self.commands.send(Command::FramingError(byte));
    }

    /// Clocks until everything queued is on the line, then until the board's reply bytes
    /// stop (two byte times of quiet) or `silence` clocks pass without any: what came back.
    pub fn listen(&self, silence: u64) -> Vec<u8> {
        if self.commands.send(Command::Listen { silence }).is_err() {
            return vec![];
        }
        self.replies.recv().unwrap_or_default()
    }

    /// Stops the board; the clocks it ran.
    pub fn stop(mut self) -> u64 {
        let _ = self.commands.send(Command::Stop);
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for LockstepBoard {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes through sender → receiver directly: the two line models agree on 8N1.
    #[test]
    fn the_line_models_agree_on_every_byte_value() {
        let mut tx = UartSender::new(DIVISOR);
        let mut rx = UartReceiver::new(DIVISOR);
        let all: Vec<u8> = (0..=255).collect();
        tx.push(&all);
        let mut got = vec![];
        for _ in 0..(all.len() as u32 * 10 * DIVISOR + 10) {
            if let Some(b) = rx.observe(tx.next_level()) {
                got.push(b);
            }
        }
        assert!(tx.idle());
        assert_eq!(got, all);
        assert_eq!(rx.framing_errors, 0);
    }

    /// The board answers a read of its ID word over its own UART pins: the example frames of
    /// `PROTOCOL.md`, byte for byte (their CRCs computed independently of the design).
    #[test]
    fn the_board_model_answers_on_its_uart() {
        let mut board = BoardModel::new();
        let mut tx = UartSender::new(DIVISOR);
        let mut rx = UartReceiver::new(DIVISOR);
        // Let the power-on reset finish, then a one-word read of board window word 0.
        for _ in 0..64 {
            board.step();
        }
        tx.push(&[0x5A, 0x01, 0x52, 0x00, 0x00, 0x00, 0x00, 0x40, 0xFA, 0xBF]);
        let mut got = vec![];
        for _ in 0..4_000 {
            board.set_uart_rx(tx.next_level());
            board.step();
            got.extend(rx.observe(board.uart_tx()));
        }
        let id = mapdma_hdl::board::BOARD_ID.to_le_bytes();
        assert_eq!(
            got,
            [0xA5, 0x01, 0x01, id[0], id[1], id[2], id[3], 0xA0, 0x18, 0x82]
        );
        assert_eq!(board.cycles(), 4_064);
        assert_ne!(board.leds() & 1 << 4, 0, "UART activity LED");
    }

    /// `hold` (PLL not locked yet) keeps the board in reset: a frame sent meanwhile gets no
    /// answer, and the same frame sent once the hold is released and the power-on counter has
    /// run again gets the usual one.
    #[test]
    fn a_held_board_stays_in_reset_until_released() {
        let mut board = BoardModel::new();
        let frame = [0x5A, 0x01, 0x52, 0x00, 0x00, 0x00, 0x00, 0x40, 0xFA, 0xBF];
        let exchange = |board: &mut BoardModel| {
            let mut tx = UartSender::new(DIVISOR);
            let mut rx = UartReceiver::new(DIVISOR);
            tx.push(&frame);
            let mut got = vec![];
            for _ in 0..4_000 {
                board.set_uart_rx(tx.next_level());
                board.step();
                got.extend(rx.observe(board.uart_tx()));
            }
            got
        };
        board.set_hold(true);
        for _ in 0..64 {
            board.step();
        }
        assert_eq!(exchange(&mut board), Vec::<u8>::new(), "held in reset");
        assert_eq!(board.leds() & 1 << 4, 0, "no UART activity while held");
        board.set_hold(false);
        for _ in 0..64 {
            board.step();
        }
        assert_eq!(exchange(&mut board).len(), 10, "answers once released");
    }

    /// The whole path a host uses: bytes written to the pty slave reach the board's UART, its
    /// reply comes back on the slave, and every byte value crosses the terminal layer (0x0A,
    /// 0x11/0x13 and 0x7F would be touched by a cooked terminal: the slave is raw).
    #[test]
    fn the_pty_carries_frames_and_replies_unchanged() {
        let board = PtyBoard::start(Pace::Free).unwrap();
        let mut tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(board.path())
            .unwrap();
        // Write the pattern word with awkward bytes (seq 2), read it back (seq 3), then ask
        // for the version: the reply names seq 3 as the last executed frame.
        let exchanges: [(&[u8], &[u8]); 4] = [
            (
                &[0x56],
                &[0xA5, 0x00, 0x01, 0x02, 0x80, 0x00, 0x00, 0xB0, 0x8A, 0x0E],
            ),
            (
                &[
                    0x5A, 0x02, 0x57, 0x00, 0x18, 0x00, 0x00, 0x40, 0x0A, 0x11, 0x13, 0x7F, 0x79,
                    0x6C,
                ],
                &[0xA5, 0x02, 0x00, 0xA0, 0x17, 0x16],
            ),
            (
                &[0x5A, 0x03, 0x52, 0x00, 0x18, 0x00, 0x00, 0x40, 0x04, 0x38],
                &[0xA5, 0x03, 0x01, 0x0A, 0x11, 0x13, 0x7F, 0xA0, 0xF0, 0xEF],
            ),
            (
                &[0x56],
                &[0xA5, 0x03, 0x01, 0x02, 0x80, 0x00, 0x00, 0xB1, 0x42, 0xAD],
            ),
        ];
        for (request, reply) in exchanges {
            tty.write_all(request).unwrap();
            let mut r = vec![0u8; reply.len()];
            tty.read_exact(&mut r).unwrap();
            assert_eq!(r, reply);
        }
        drop(tty);
        let report = board.stop().unwrap();
        assert_eq!((report.bytes_to_board, report.bytes_from_board), (26, 36));
        assert_eq!(report.framing_errors, 0);
        // 62 frames of 10 bits at least, the replies after their requests.
        assert!(report.cycles >= 62 * 10 * DIVISOR as u64, "{report}");
    }
}
