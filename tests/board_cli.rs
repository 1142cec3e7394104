//! `mapdma board` end to end: `board virtual` serves the Verilated board design behind a
//! pseudo-terminal and prints its path; `board run` drives it through that path like a real
//! board's serial port and must report every scenario passed (the virtual board has the test
//! bus master, so the bus-master copy is among them).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn mapdma() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mapdma"))
}

/// Kills the virtual board however the test ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn board_run_drives_the_virtual_board_through_its_printed_path() {
    let mut child = Child(
        mapdma()
            .args(["board", "virtual", "--seconds", "300"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawning mapdma board virtual"),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let started = Instant::now();
    let port = loop {
        let line = lines
            .next()
            .expect("board virtual ended before printing its path")
            .unwrap();
        if let Some(p) = line.strip_prefix("run: mapdma board run --port ") {
            break p.trim().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no path printed"
        );
    };
    assert!(port.starts_with("/dev/"), "{port}");

    let out = mapdma()
        .args(["board", "run", "--port", &port, "--baud", "115200"])
        .output()
        .expect("running mapdma board run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "board run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "link protocol 2",
        "1024 words checked against the counter",
        "their sum matches the buffer's",
        "1536 copied, every byte checked",
        // The virtual board mirrors the HX8K breakout: it has the test bus master.
        "1024 bytes from logical",
        "every byte and the guards checked",
        "the same copy refused",
        "faults     none",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}`:\n{stdout}");
    }
    drop(child);
}

#[test]
fn board_run_on_a_missing_port_names_it() {
    let out = mapdma()
        .args(["board", "run", "--port", "/dev/mapdma-no-such-port"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/dev/mapdma-no-such-port"), "{err}");
}
