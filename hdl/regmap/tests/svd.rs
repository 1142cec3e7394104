//! The CMSIS-SVD file, read back by a maintained SVD parser (`svd-parser`, strict validation):
//! every register and field of the map is there with its offset, array shape, bits, access and
//! reset value, in the default, the small and the largest configuration.

use mapdma_regmap::{svd::svd, Access, Config, Count, REGISTERS};
use svd_parser::svd::{self as s, MaybeArray};
use svd_parser::{Config as ParseConfig, ValidateLevel};

fn parse(cfg: &Config, module: &str) -> s::Device {
    let text = svd(cfg, module);
    let pc = ParseConfig::default().validate_level(ValidateLevel::Strict);
    svd_parser::parse_with_config(&text, &pc)
        .unwrap_or_else(|e| panic!("the SVD does not parse: {e:?}\n{text}"))
}

fn configs() -> Vec<Config> {
    vec![
        Config::default(),
        Config::small(),
        Config {
            map_registers: 1024,
            ..Config::default()
        },
    ]
}

fn access(a: Access) -> s::Access {
    match a {
        Access::R | Access::RC => s::Access::ReadOnly,
        Access::W | Access::Strobe => s::Access::WriteOnly,
        Access::RW | Access::W1C => s::Access::ReadWrite,
    }
}

#[test]
fn every_register_and_field_is_in_the_svd_as_the_map_describes_it() {
    for cfg in configs() {
        let dev = parse(&cfg, "dma_main");
        assert_eq!(dev.name, "DMA_MAIN");
        assert_eq!(dev.peripherals.len(), 1);
        let p = &dev.peripherals[0];
        let regs: Vec<&s::Register> = p.registers().collect();
        let listed: Vec<&mapdma_regmap::Register> =
            REGISTERS.iter().filter(|r| r.instances(&cfg) > 0).collect();
        assert_eq!(regs.len(), listed.len(), "{cfg:?}");
        for r in listed {
            let name = match r.count {
                Count::One => r.name.to_string(),
                _ => format!("{}[%s]", r.name),
            };
            let got = regs
                .iter()
                .find(|x| x.name == name)
                .unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(got.address_offset, r.offset, "{name}");
            assert_eq!(got.properties.size, Some(32), "{name}");
            assert_eq!(
                got.properties.reset_value,
                Some(r.reset(&cfg) as u64),
                "{name}"
            );
            match (got, r.count) {
                (MaybeArray::Single(_), Count::One) => {}
                (MaybeArray::Array(_, dim), _) => {
                    assert_eq!(dim.dim as usize, r.instances(&cfg), "{name}");
                    assert_eq!(dim.dim_increment, r.stride, "{name}");
                }
                _ => panic!("{name}: array shape differs"),
            }
            let fields: Vec<&s::Field> = got.fields().collect();
            let expected: Vec<_> = r.fields.iter().filter(|f| f.width(&cfg) > 0).collect();
            assert_eq!(fields.len(), expected.len(), "{name}");
            for f in expected {
                let g = fields
                    .iter()
                    .find(|x| x.name == f.name)
                    .unwrap_or_else(|| panic!("{name}.{} missing", f.name));
                assert_eq!(g.bit_range.offset, f.lsb, "{name}.{}", f.name);
                assert_eq!(g.bit_range.width, f.width(&cfg), "{name}.{}", f.name);
                assert_eq!(g.access, Some(access(f.access)), "{name}.{}", f.name);
            }
        }
    }
}

#[test]
fn shared_ports_name_their_alternate_and_fault_codes_are_enumerated() {
    let dev = parse(&Config::default(), "mapdma");
    let p = &dev.peripherals[0];
    let status = p.registers().find(|r| r.name == "STATUS").unwrap();
    assert_eq!(status.alternate_register.as_deref(), Some("COMMAND"));
    let cause = p.registers().find(|r| r.name == "FAULT_CAUSE").unwrap();
    let ch0 = cause.fields().find(|f| f.name == "CH0").unwrap();
    let names: Vec<&str> = ch0.enumerated_values[0]
        .values
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert!(names.contains(&"OUT_OF_RANGE"), "{names:?}");
    let w1c = p.registers().find(|r| r.name == "INT_STATUS").unwrap();
    assert!(w1c
        .fields()
        .any(|f| f.modified_write_values == Some(s::ModifiedWriteValues::OneToClear)));
}
