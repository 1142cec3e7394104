//! Command-line values that several subcommands take, checked the same way everywhere before
//! anything runs, with the flag named in the message (never an internal field name).

use std::path::Path;

use anyhow::bail;
use mapdma_regmap::{Config, ConfigError, COUNTER_BITS};

/// `--latency`: every memory answers at the earliest one clock after the request.
pub fn latency(clocks: u32) -> anyhow::Result<u32> {
    if clocks == 0 {
        bail!("--latency 0: memory latency must be at least 1 clock");
    }
    Ok(clocks)
}

/// `--vcd FILE`: the file must be creatable now, not after a whole run (the reason from the OS).
pub fn vcd_file(path: &Path) -> anyhow::Result<()> {
    if let Err(e) = std::fs::File::create(path) {
        bail!(
            "--vcd {}: cannot create the waveform file: {e}",
            path.display()
        );
    }
    Ok(())
}

/// `--buffer BYTES` of a 32-bit auto-initialize ring mapped from logical page 0.
pub fn ring_buffer(bytes: u32, cfg: &Config) -> anyhow::Result<()> {
    let max_units = 1u64 << COUNTER_BITS;
    if bytes == 0 || !bytes.is_multiple_of(4) {
        bail!("--buffer {bytes}: the ring holds whole 32-bit units (a multiple of 4 bytes, at least 4)");
    }
    if bytes as u64 / 4 > max_units {
        bail!(
            "--buffer {bytes}: at most {} bytes ({max_units} 32-bit units, the 8237 count)",
            max_units * 4
        );
    }
    let pages = (bytes as u64).div_ceil(cfg.page_size());
    if pages > cfg.map_registers as u64 {
        bail!(
            "--buffer {bytes}: needs {pages} map registers of {} bytes, the hardware has {} \
             (--map-registers)",
            cfg.page_size(),
            cfg.map_registers
        );
    }
    Ok(())
}

/// The `Config` field names in a configuration error, as the flags that set them.
const FLAGS: [(&str, &str); 6] = [
    ("map_registers", "--map-registers"),
    ("page_shift", "--page-shift"),
    ("logical_bits", "--logical-bits"),
    ("physical_bits", "--physical-bits"),
    ("outstanding", "--outstanding"),
    ("channels", "--channels"),
];

/// A configuration error in the command line's words.
pub fn config_error(e: &ConfigError) -> anyhow::Error {
    let mut message = e.to_string();
    for (field, flag) in FLAGS {
        message = replace_word(&message, field, flag);
    }
    anyhow::anyhow!("{message}")
}

/// Replaces `word` where it stands alone (not inside a longer identifier).
fn replace_word(text: &str, word: &str, by: &str) -> String {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(ident) || after.is_some_and(ident) {
            out.push_str(word);
        } else {
            out.push_str(by);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_zero_is_refused_by_name() {
        assert_eq!(latency(3).unwrap(), 3);
        let e = latency(0).unwrap_err().to_string();
        assert!(e.starts_with("--latency 0"), "{e}");
    }

    #[test]
    fn a_waveform_into_a_missing_folder_names_the_flag_and_the_os_reason() {
        let e = vcd_file(Path::new("no-such-folder-here/x.vcd"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--vcd no-such-folder-here/x.vcd"), "{e}");
        assert!(e.contains("No such file or directory"), "{e}");
    }

    #[test]
    fn ring_buffers_are_checked_by_name() {
        let cfg = Config::default();
        ring_buffer(16384, &cfg).unwrap();
        for bad in [0, 6, 1 << 19, 1 << 18] {
            let e = ring_buffer(bad, &cfg).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--buffer {bad}:")), "{e}");
        }
    }

    #[test]
    fn configuration_errors_speak_of_flags() {
        let cfg = Config {
            map_registers: 24,
            ..Config::default()
        };
        let e = config_error(&cfg.validate().unwrap_err()).to_string();
        assert!(e.contains("--map-registers = 24"), "{e}");
        let cfg = Config {
            physical_bits: 12,
            ..Config::default()
        };
        let e = config_error(&cfg.validate().unwrap_err()).to_string();
        assert!(e.contains("--physical-bits = 12"), "{e}");
        assert!(e.contains("13..=32"), "numbers, not a formula: {e}");
        assert!(!e.contains("page_shift"), "{e}");
    }
}
