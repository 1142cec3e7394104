//! The register map as a CMSIS-SVD file (schema 1.3), the register description that debuggers,
//! `svd2rust` and IDE peripheral views read. Like [`crate::export`] it walks
//! [`crate::REGISTERS`] and knows no register by name.
//!
//! Mapping choices:
//! - the core is one device with one peripheral at base address 0 (the integrator's
//!   interconnect places it; SVD users set `baseAddress` or rebase in their tool);
//! - an array register (one per channel, per map register, the four 8237 address ports) is an
//!   SVD array `NAME[%s]` with `dim` / `dimIncrement`;
//! - where two registers share an address (an 8237 port that is one register when written and
//!   another when read), the later one names the first in `alternateRegister`;
//! - `RC` is `read-only` with `readAction` clear, `W1C` is `read-write` with `oneToClear`, a strobe
//!   is `write-only`; fields whose width is zero in this configuration are left out.

use crate::{Access, Config, FaultCause, Field, Register, DATA_BITS, REGISTERS, VERSION};
use crate::{FAULT_CAUSE, REGISTER_ADDRESS_BITS};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text for an XML element: `&`, `<` and `>` escaped.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// SVD's `access` value of a field or register.
fn svd_access(access: Access) -> &'static str {
    match access {
        Access::R | Access::RC => "read-only",
        Access::W | Access::Strobe => "write-only",
        Access::RW | Access::W1C => "read-write",
    }
}

/// A register's access from its fields: readable and writable fields together make it
/// read-write.
fn register_access(r: &Register) -> &'static str {
    let read = r.fields.iter().any(|f| f.access.readable());
    let write = r.fields.iter().any(|f| f.access.writable());
    match (read, write) {
        (true, true) => "read-write",
        (false, true) => "write-only",
        _ => "read-only",
    }
}

/// For every register that shares an address with an earlier one, that earlier register's name.
fn alternates(cfg: &Config) -> BTreeMap<&'static str, &'static str> {
    let mut owner: BTreeMap<u32, &'static str> = BTreeMap::new();
    let mut alt = BTreeMap::new();
    for r in REGISTERS {
        for i in 0..r.instances(cfg) {
            match owner.get(&r.at(i)) {
                Some(first) if *first != r.name => {
                    alt.entry(r.name).or_insert(*first);
                }
                Some(_) => {}
                None => {
                    owner.insert(r.at(i), r.name);
                }
            }
        }
    }
    alt
}

/// One field; `causes` adds the fault codes as its enumerated values (FAULT_CAUSE's fields).
fn write_field(s: &mut String, f: &Field, cfg: &Config, causes: bool) {
    let _ = writeln!(s, "            <field>");
    let _ = writeln!(s, "              <name>{}</name>", f.name);
    let _ = writeln!(s, "              <description>{}</description>", xml(f.doc));
    let _ = writeln!(s, "              <bitOffset>{}</bitOffset>", f.lsb);
    let _ = writeln!(s, "              <bitWidth>{}</bitWidth>", f.width(cfg));
    let _ = writeln!(s, "              <access>{}</access>", svd_access(f.access));
    if f.access == Access::W1C {
        let _ = writeln!(
            s,
            "              <modifiedWriteValues>oneToClear</modifiedWriteValues>"
        );
    }
    if f.access == Access::RC {
        let _ = writeln!(s, "              <readAction>clear</readAction>");
    }
    if causes {
        write_fault_causes(s);
    }
    let _ = writeln!(s, "            </field>");
}

/// The fault codes as enumerated values of a FAULT_CAUSE field.
fn write_fault_causes(s: &mut String) {
    let _ = writeln!(s, "              <enumeratedValues>");
    for c in FaultCause::ALL {
        let _ = writeln!(s, "                <enumeratedValue>");
        let _ = writeln!(
            s,
            "                  <name>{}</name>",
            crate::export::screaming_snake(&format!("{c:?}"))
        );
        let _ = writeln!(s, "                  <value>{}</value>", c as u32);
        let _ = writeln!(s, "                </enumeratedValue>");
    }
    let _ = writeln!(s, "              </enumeratedValues>");
}

fn write_register(s: &mut String, r: &Register, cfg: &Config, alternate: Option<&str>) {
    let n = r.instances(cfg);
    if n == 0 {
        return;
    }
    let _ = writeln!(s, "        <register>");
    let array = r.count != crate::Count::One;
    if array {
        let _ = writeln!(s, "          <dim>{n}</dim>");
        let _ = writeln!(s, "          <dimIncrement>0x{:X}</dimIncrement>", r.stride);
        let _ = writeln!(s, "          <name>{}[%s]</name>", r.name);
    } else {
        let _ = writeln!(s, "          <name>{}</name>", r.name);
    }
    let _ = writeln!(s, "          <description>{}</description>", xml(r.doc));
    if let Some(first) = alternate {
        let _ = writeln!(
            s,
            "          <alternateRegister>{first}</alternateRegister>"
        );
    }
    let _ = writeln!(
        s,
        "          <addressOffset>0x{:X}</addressOffset>",
        r.offset
    );
    let _ = writeln!(s, "          <size>{DATA_BITS}</size>");
    let _ = writeln!(s, "          <access>{}</access>", register_access(r));
    let _ = writeln!(
        s,
        "          <resetValue>0x{:08X}</resetValue>",
        r.reset(cfg)
    );
    let _ = writeln!(s, "          <resetMask>0xFFFFFFFF</resetMask>");
    let _ = writeln!(s, "          <fields>");
    for f in r.fields.iter().filter(|f| f.width(cfg) > 0) {
        write_field(s, f, cfg, r.name == FAULT_CAUSE.name);
    }
    let _ = writeln!(s, "          </fields>");
    let _ = writeln!(s, "        </register>");
}

/// The register map of `cfg` as CMSIS-SVD, for a core whose top module is `module` (the device
/// and peripheral are named after it, upper-cased, so two configurations in one system get two
/// descriptions that do not clash).
pub fn svd(cfg: &Config, module: &str) -> String {
    let name = module.to_ascii_uppercase();
    let mut s = String::new();
    let _ = writeln!(s, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = writeln!(
        s,
        "<!-- Generated from mapdma-regmap by `mapdma ip`; do not edit. -->"
    );
    let _ = writeln!(
        s,
        "<device schemaVersion=\"1.3\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xs:noNamespaceSchemaLocation=\"CMSIS-SVD.xsd\">"
    );
    let _ = writeln!(s, "  <vendor>mapdma</vendor>");
    let _ = writeln!(s, "  <name>{name}</name>");
    let _ = writeln!(s, "  <version>{}.{}</version>", VERSION.0, VERSION.1);
    let _ = writeln!(
        s,
        "  <description>mapdma: 8237A-compatible auto-initializing DMA controller with {} \
         channel(s) and {} map registers ({} KiB pages, {}-bit logical, {}-bit physical \
         addresses)</description>",
        cfg.channels,
        cfg.map_registers,
        cfg.page_size() / 1024,
        cfg.logical_bits,
        cfg.physical_bits
    );
    let _ = writeln!(s, "  <addressUnitBits>8</addressUnitBits>");
    let _ = writeln!(s, "  <width>{DATA_BITS}</width>");
    let _ = writeln!(s, "  <size>{DATA_BITS}</size>");
    let _ = writeln!(s, "  <resetValue>0x00000000</resetValue>");
    let _ = writeln!(s, "  <resetMask>0xFFFFFFFF</resetMask>");
    let _ = writeln!(s, "  <peripherals>");
    let _ = writeln!(s, "    <peripheral>");
    let _ = writeln!(s, "      <name>{name}</name>");
    let _ = writeln!(
        s,
        "      <description>mapdma register slave (AXI4-Lite)</description>"
    );
    let _ = writeln!(s, "      <baseAddress>0x00000000</baseAddress>");
    let _ = writeln!(s, "      <addressBlock>");
    let _ = writeln!(s, "        <offset>0x0</offset>");
    let _ = writeln!(
        s,
        "        <size>0x{:X}</size>",
        1u32 << REGISTER_ADDRESS_BITS
    );
    let _ = writeln!(s, "        <usage>registers</usage>");
    let _ = writeln!(s, "      </addressBlock>");
    let _ = writeln!(s, "      <registers>");
    let alt = alternates(cfg);
    for r in REGISTERS {
        write_register(&mut s, r, cfg, alt.get(r.name).copied());
    }
    let _ = writeln!(s, "      </registers>");
    let _ = writeln!(s, "    </peripheral>");
    let _ = writeln!(s, "  </peripherals>");
    let _ = writeln!(s, "</device>");
    s
}
