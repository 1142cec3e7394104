//! Running the built `mapdma` binary from integration tests.

#![allow(dead_code)] // each test file uses a different subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `mapdma args…` and returns its output.
pub fn mapdma(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mapdma"))
        .args(args)
        .output()
        .expect("running the mapdma binary")
}

/// Runs `mapdma args…`, asserts success, returns standard output.
pub fn mapdma_ok(args: &[&str]) -> String {
    let out = mapdma(args);
    assert!(
        out.status.success(),
        "mapdma {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs `mapdma args…`, asserts failure, returns standard error.
pub fn mapdma_err(args: &[&str]) -> String {
    let out = mapdma(args);
    assert!(
        !out.status.success(),
        "mapdma {args:?} should have failed; stdout:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).expect("UTF-8 output")
}

/// A fresh, empty folder under the target directory for one test.
pub fn fresh_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A file next to the tests.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
