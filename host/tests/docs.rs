//! The README shows the seed scenario's driver code as it is in `examples/seed_driver.rs`.

#[test]
fn the_readme_shows_the_seed_driver_verbatim() {
    let readme = include_str!("../README.md");
    let driver = include_str!("../examples/seed_driver.rs");
    assert!(
        readme.contains(&format!("```rust\n{driver}```")),
        "host/README.md must end with examples/seed_driver.rs verbatim in a rust block"
    );
}
