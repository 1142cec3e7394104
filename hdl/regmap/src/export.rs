//! Documentation and software views generated from [`crate::REGISTERS`]: Markdown, a C header
//! and JSON. Nothing here knows a register by name; it walks the data, so a register added to
//! the map appears in all three without touching this file.

use crate::{
    Config, Count, FaultCause, Field, Register, DATA_BITS, REGISTERS, REGISTER_ADDRESS_BITS,
    VERSION,
};
use std::fmt::Write;

/// Fields that exist in this configuration (a configuration-dependent width may be zero).
fn fields<'a>(r: &'a Register, cfg: &'a Config) -> impl Iterator<Item = &'a Field> + 'a {
    r.fields.iter().filter(move |f| f.width(cfg) > 0)
}

/// `hi:lo`, or just the bit for a one-bit field.
fn bit_range(f: &Field, cfg: &Config) -> String {
    match f.width(cfg) {
        1 => format!("{}", f.lsb),
        w => format!("{}:{}", f.lsb + w - 1, f.lsb),
    }
}

/// `OutOfRange` → `OUT_OF_RANGE`, for C (and Verilog) identifiers built from Rust enum
/// variants.
pub fn screaming_snake(camel: &str) -> String {
    let mut s = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            s.push('_');
        }
        s.push(c.to_ascii_uppercase());
    }
    s
}

/// Table cells must not contain a bare `|` (docs say things like `0xF0 | mask`).
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The register map as Markdown: a summary table, then one field table per register.
pub fn markdown(cfg: &Config) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# mapdma register map\n");
    let _ = writeln!(
        s,
        "Generated from `mapdma-regmap` for {} channel(s), {} map registers, {} KiB pages, \
         {}-bit logical and {}-bit physical addresses, {} outstanding transactions per \
         direction, {} bus-master port, {} memory-to-memory pair. {}-bit AXI4-Lite, byte \
         offsets, a {}-bit register address.\n",
        cfg.channels,
        cfg.map_registers,
        cfg.page_size() / 1024,
        cfg.logical_bits,
        cfg.physical_bits,
        cfg.outstanding,
        if cfg.bus_master_port {
            "with the"
        } else {
            "no"
        },
        if cfg.has_memory_to_memory() {
            "with the"
        } else {
            "no"
        },
        DATA_BITS,
        REGISTER_ADDRESS_BITS,
    );
    let _ = writeln!(
        s,
        "Where two registers share an offset, the first is what a write reaches and the \
         second what a read returns.\n"
    );
    let _ = writeln!(s, "| offset | register | instances | reset | description |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    for r in REGISTERS {
        let _ = writeln!(
            s,
            "| {} | {} | {} | 0x{:08X} | {} |",
            md_cell(&offset_text(r, cfg)),
            r.name,
            r.instances(cfg),
            r.reset(cfg),
            md_cell(r.doc)
        );
    }
    for r in REGISTERS {
        let _ = writeln!(
            s,
            "\n## {} ({})\n\n{}\n",
            r.name,
            offset_text(r, cfg),
            r.doc
        );
        let _ = writeln!(s, "| bits | field | access | reset | description |");
        let _ = writeln!(s, "|---|---|---|---|---|");
        for f in fields(r, cfg) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | 0x{:X} | {} |",
                bit_range(f, cfg),
                f.name,
                md_cell(f.access.name()),
                f.reset_value(cfg),
                md_cell(f.doc)
            );
        }
    }
    let _ = writeln!(s, "\n## Fault causes (FAULT_CAUSE)\n");
    let _ = writeln!(s, "| code | cause |");
    let _ = writeln!(s, "|---|---|");
    for c in FaultCause::ALL {
        let _ = writeln!(
            s,
            "| {} | {} |",
            c as u32,
            screaming_snake(&format!("{c:?}"))
        );
    }
    s
}

/// `0x0040`, or for an array `0x0040 + 0x4·n (n < 4)`.
fn offset_text(r: &Register, cfg: &Config) -> String {
    match r.count {
        Count::One => format!("0x{:04X}", r.offset),
        _ => format!(
            "0x{:04X} + 0x{:X}·n (n < {})",
            r.offset,
            r.stride,
            r.instances(cfg)
        ),
    }
}

/// The register map as a C header: offsets, field shifts, masks and value macros, reset values,
/// the configuration and the fault-cause codes. Every name starts with `MAPDMA_`; an array
/// register is a function-like macro of its index so that the C code never multiplies strides.
pub fn c_header(cfg: &Config) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "/* mapdma register map. Generated from mapdma-regmap by `mapdma verilog`; do not edit. */"
    );
    // The value macros cast to uint32_t.
    let _ = writeln!(
        s,
        "#ifndef MAPDMA_REGS_H\n#define MAPDMA_REGS_H\n\n#include <stdint.h>\n"
    );
    // The hardware version is MAPDMA_VERSION_RESET (the VERSION register's fields own the names).
    let _ = writeln!(s, "/* Configuration of this instance. */");
    for (name, value) in [
        ("CHANNELS", cfg.channels as u64),
        ("MAP_REGISTERS", cfg.map_registers as u64),
        ("PAGE_SHIFT", cfg.page_shift as u64),
        ("PAGE_SIZE", cfg.page_size()),
        ("LOGICAL_BITS", cfg.logical_bits as u64),
        ("PHYSICAL_BITS", cfg.physical_bits as u64),
        ("OUTSTANDING", cfg.outstanding as u64),
        ("BUS_MASTER_PORT", cfg.bus_master_port as u64),
        ("MEMORY_TO_MEMORY", cfg.memory_to_memory as u64),
        ("DATA_BITS", DATA_BITS as u64),
        ("REGISTER_ADDRESS_BITS", REGISTER_ADDRESS_BITS as u64),
    ] {
        let _ = writeln!(s, "#define MAPDMA_{name} {value}u");
    }
    let _ = writeln!(s, "\n/* FAULT_CAUSE codes. */");
    for c in FaultCause::ALL {
        let _ = writeln!(
            s,
            "#define MAPDMA_FAULT_{} {}u",
            screaming_snake(&format!("{c:?}")),
            c as u32
        );
    }
    let _ = writeln!(s);
    for r in REGISTERS {
        let _ = writeln!(s, "/* {}: {} */", r.name, r.doc.replace("*/", "* /"));
        match r.count {
            Count::One => {
                let _ = writeln!(s, "#define MAPDMA_{} 0x{:04X}u", r.name, r.offset);
            }
            _ => {
                let _ = writeln!(
                    s,
                    "#define MAPDMA_{}(n) (0x{:04X}u + 0x{:X}u * (n))",
                    r.name, r.offset, r.stride
                );
                let _ = writeln!(
                    s,
                    "#define MAPDMA_{}_INSTANCES {}u",
                    r.name,
                    r.instances(cfg)
                );
            }
        }
        let _ = writeln!(s, "#define MAPDMA_{}_RESET 0x{:08X}u", r.name, r.reset(cfg));
        for f in fields(r, cfg) {
            let p = format!("MAPDMA_{}_{}", r.name, f.name);
            let _ = writeln!(
                s,
                "/*   [{}] {} {}: {} */",
                bit_range(f, cfg),
                f.name,
                f.access.name(),
                f.doc.replace("*/", "* /")
            );
            let _ = writeln!(s, "#define {p}_SHIFT {}u", f.lsb);
            let _ = writeln!(s, "#define {p}_MASK 0x{:08X}u", f.mask(cfg));
            let _ = writeln!(
                s,
                "#define {p}(v) ((((uint32_t)(v)) << {p}_SHIFT) & {p}_MASK)"
            );
            let _ = writeln!(
                s,
                "#define {p}_GET(reg) ((((uint32_t)(reg)) & {p}_MASK) >> {p}_SHIFT)"
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "#endif /* MAPDMA_REGS_H */");
    s
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The register map as JSON (for scripts and other languages' tooling). Numbers are plain JSON
/// numbers (offsets, masks and resets in decimal); `access` uses [`crate::Access::name`].
pub fn json(cfg: &Config) -> String {
    let regs: Vec<String> = REGISTERS
        .iter()
        .map(|r| {
            let fields: Vec<String> = fields(r, cfg)
                .map(|f| {
                    format!(
                        "{{\"name\":{},\"lsb\":{},\"width\":{},\"mask\":{},\"access\":{},\"reset\":{},\"doc\":{}}}",
                        json_str(f.name),
                        f.lsb,
                        f.width(cfg),
                        f.mask(cfg),
                        json_str(f.access.name()),
                        f.reset_value(cfg),
                        json_str(f.doc)
                    )
                })
                .collect();
            format!(
                "{{\"name\":{},\"offset\":{},\"instances\":{},\"stride\":{},\"reset\":{},\"doc\":{},\"fields\":[{}]}}",
                json_str(r.name),
                r.offset,
                r.instances(cfg),
                r.stride,
                r.reset(cfg),
                json_str(r.doc),
                fields.join(",")
            )
        })
        .collect();
    let causes: Vec<String> = FaultCause::ALL
        .iter()
        .map(|c| {
            format!(
                "{{\"name\":{},\"code\":{}}}",
                json_str(&screaming_snake(&format!("{c:?}"))),
                *c as u32
            )
        })
        .collect();
    format!(
        "{{\"config\":{{\"channels\":{},\"map_registers\":{},\"page_shift\":{},\"logical_bits\":{},\"physical_bits\":{},\"outstanding\":{},\"bus_master_port\":{},\"memory_to_memory\":{}}},\
         \"data_bits\":{},\"register_address_bits\":{},\"version\":{{\"major\":{},\"minor\":{}}},\
         \"registers\":[{}],\"fault_causes\":[{}]}}\n",
        cfg.channels,
        cfg.map_registers,
        cfg.page_shift,
        cfg.logical_bits,
        cfg.physical_bits,
        cfg.outstanding,
        cfg.bus_master_port,
        cfg.memory_to_memory,
        DATA_BITS,
        REGISTER_ADDRESS_BITS,
        VERSION.0,
        VERSION.1,
        regs.join(","),
        causes.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn configs() -> [Config; 2] {
        [Config::default(), Config::small()]
    }

    /// Cells of a Markdown table row, honouring `\|` escapes.
    fn cells(row: &str) -> usize {
        row.replace("\\|", "").matches('|').count() - 1
    }

    #[test]
    fn markdown_rows_have_as_many_cells_as_their_header() {
        for cfg in configs() {
            let md = markdown(&cfg);
            let mut header_cells = None;
            for line in md.lines() {
                if !line.starts_with('|') {
                    header_cells = None;
                    continue;
                }
                let n = cells(line);
                match header_cells {
                    None => header_cells = Some(n),
                    Some(h) => assert_eq!(n, h, "row with a stray `|`: {line}"),
                }
            }
        }
    }

    #[test]
    fn markdown_names_every_register_and_field() {
        let cfg = Config::default();
        let md = markdown(&cfg);
        for r in REGISTERS {
            assert!(md.contains(&format!("\n## {} (", r.name)), "{}", r.name);
            for f in fields(r, &cfg) {
                assert!(
                    md.contains(&format!("| {} | {} |", bit_range(f, &cfg), f.name)),
                    "{}.{}",
                    r.name,
                    f.name
                );
            }
        }
    }

    #[test]
    fn c_macro_names_are_unique() {
        for cfg in configs() {
            let h = c_header(&cfg);
            let mut seen = HashSet::new();
            for line in h.lines().filter(|l| l.starts_with("#define ")) {
                let name = line["#define ".len()..].split([' ', '(']).next().unwrap();
                assert!(seen.insert(name.to_string()), "{name} defined twice");
            }
            assert!(seen.contains("MAPDMA_MAP"));
            assert!(seen.contains("MAPDMA_MAP_VALID_MASK"));
        }
    }

    #[test]
    fn c_header_offsets_follow_the_register_data() {
        let cfg = Config::default();
        let h = c_header(&cfg);
        for r in REGISTERS {
            let want = match r.count {
                Count::One => format!("#define MAPDMA_{} 0x{:04X}u\n", r.name, r.offset),
                _ => format!(
                    "#define MAPDMA_{}(n) (0x{:04X}u + 0x{:X}u * (n))\n",
                    r.name, r.offset, r.stride
                ),
            };
            assert!(h.contains(&want), "{want}");
        }
        assert!(h.contains(&format!(
            "#define MAPDMA_MAP_INSTANCES {}u\n",
            cfg.map_registers
        )));
    }

    #[test]
    fn widths_follow_the_configuration() {
        let small = Config::small();
        let h = c_header(&small);
        // INT_STATUS.TC is one bit per channel: one channel, one bit.
        assert!(h.contains("#define MAPDMA_INT_STATUS_TC_MASK 0x00000001u\n"));
        let h = c_header(&Config::default());
        assert!(h.contains("#define MAPDMA_INT_STATUS_TC_MASK 0x0000000Fu\n"));
    }

    #[test]
    fn names_from_enum_variants() {
        assert_eq!(screaming_snake("OutOfRange"), "OUT_OF_RANGE");
        assert_eq!(screaming_snake("None"), "NONE");
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_str("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
        assert_eq!(json_str("0xF0 | mask ‖"), "\"0xF0 | mask ‖\"");
    }
}
