//! Running the external EDA tools: every exit code is checked, output goes to a log file, and a
//! failure quotes the end of that log so the cause is on screen.

use anyhow::{bail, Context};
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};

/// Lines of a failed tool's log repeated in the error.
const LOG_TAIL_LINES: usize = 25;

/// Runs `program args…` in `dir` with stdout and stderr appended to `log`.
pub fn run(program: &str, args: &[&str], dir: &Path, log: &Path) -> anyhow::Result<()> {
    let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone()?;
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow::anyhow!("`{program}` is not installed: run ci/setup")
            } else {
                anyhow::anyhow!("starting `{program}`: {e}")
            }
        })?;
    if !status.success() {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
        let overfull = overfull_resources(&text);
        let cause = if overfull.is_empty() {
            String::new()
        } else {
            format!(
                "the design does not fit the device ({}): choose a larger device or a smaller \
                 configuration (fewer channels or map registers, --memory-to-memory false, \
                 --bus-master-port false). ",
                overfull.join(", ")
            )
        };
        bail!(
            "{cause}`{program} {}` failed ({status}); last lines of {}:\n{tail}",
            args.join(" "),
            log.display()
        );
    }
    Ok(())
}

/// The resources nextpnr's "Device utilisation" lines show above 100 % (`ICESTORM_LC 5697 /
/// 5280`), so a placement failure says what did not fit before the log's last lines.
fn overfull_resources(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|line| {
            let (name, rest) = line.trim_start_matches("Info:").trim().split_once(':')?;
            let (used, rest) = rest.trim().split_once('/')?;
            let total = rest.split_whitespace().next()?;
            let (used, total): (u64, u64) = (used.trim().parse().ok()?, total.parse().ok()?);
            (used > total).then(|| format!("{name} {used} / {total}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("mapdma-tools-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_failing_tool_is_an_error_quoting_its_log() {
        let d = tmp("fail");
        let e = run(
            "sh",
            &["-c", "echo boom-detail; exit 3"],
            &d,
            &d.join("x.log"),
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("boom-detail"), "{msg}");
        assert!(msg.contains("exit status: 3"), "{msg}");
    }

    #[test]
    fn a_placer_that_runs_out_of_cells_is_reported_as_a_design_too_big() {
        let d = tmp("overfull");
        let script =
            "printf 'Info: Device utilisation:\\nInfo: \\t   ICESTORM_LC:  5697/ 5280   107%%\\n\
                      Info: \\t  ICESTORM_RAM:    18/   30    60%%\\nERROR: no BELs remaining\\n'; \
                      exit 255";
        let e = run("sh", &["-c", script], &d, &d.join("x.log")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("the design does not fit the device (ICESTORM_LC 5697 / 5280)"),
            "{msg}"
        );
        assert!(msg.contains("no BELs remaining"), "{msg}");
        let fits = overfull_resources("Info: \t ICESTORM_LC:  4988/ 5280    94%");
        assert!(fits.is_empty(), "{fits:?}");
    }

    #[test]
    fn a_missing_tool_points_at_the_setup_script() {
        let d = tmp("missing");
        let e = run("mapdma-no-such-tool", &[], &d, &d.join("x.log")).unwrap_err();
        assert!(e.to_string().contains("run ci/setup"), "{e}");
    }

    #[test]
    fn a_successful_tool_leaves_its_output_in_the_log() {
        let d = tmp("ok");
        run(
            "sh",
            &["-c", "echo hello; echo err >&2"],
            &d,
            &d.join("x.log"),
        )
        .unwrap();
        let log = std::fs::read_to_string(d.join("x.log")).unwrap();
        assert!(log.contains("hello") && log.contains("err"));
    }
}
