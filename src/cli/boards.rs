//! `mapdma boards`: the boards under constraints/ with their clock, UART, LEDs and buttons.

use super::board::{available, default_constraints_dir, Board, Pin};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct BoardsArgs {
    /// Folder holding one sub-folder per board [default: the repository's constraints/]
    #[arg(long, value_name = "DIR")]
    constraints: Option<PathBuf>,
}

fn pins(list: &[Pin]) -> String {
    list.iter()
        .map(|p| {
            let low = if p.active_low { ", active low" } else { "" };
            format!("{} (pin {}{low})", p.port, p.pin)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(args: &BoardsArgs) -> anyhow::Result<()> {
    let dir = args
        .constraints
        .clone()
        .unwrap_or_else(default_constraints_dir);
    let names = available(&dir);
    if names.is_empty() {
        anyhow::bail!("no boards under {}", dir.display());
    }
    for name in names {
        let b = Board::load(&dir, &name)?;
        println!("{name}: {}", b.name);
        println!("  device   iCE40 {} in {}", b.device, b.package);
        println!("  clock    {}", b.clock_summary()?);
        if let Some(u) = &b.uart {
            println!(
                "  uart     rx {} (pin {}), tx {} (pin {})",
                u.rx.port, u.rx.pin, u.tx.port, u.tx.pin
            );
        }
        if !b.leds.is_empty() {
            println!("  leds     {}", pins(&b.leds));
        }
        if !b.buttons.is_empty() {
            println!("  buttons  {}", pins(&b.buttons));
        }
        println!("  pcf      {}", b.pcf_path().display());
    }
    Ok(())
}
