//! The DMA-efficiency harness on short streams (not timed: clocks are counted, not seconds).
//! SPEC §2: auto-initialize reloads in the same clock, so the next unit may go out on the very
//! next clock; with enough outstanding transactions the stream moves one unit per clock.

use mapdma_regmap::TransferType;
use mapdma_sim::bench::dma_efficiency;

#[test]
fn auto_initialize_streams_wrap_without_idle_clocks() {
    for transfer in [TransferType::Write, TransferType::Read] {
        for latency in [1, 16] {
            let e = dma_efficiency(transfer, latency, 4096, 3).unwrap();
            assert_eq!(e.units, 3 * 1024);
            assert_eq!(e.wrap_idle.len(), 2);
            assert_eq!(e.wrap_idle, [0, 0], "{transfer:?} latency {latency}");
            assert!(
                e.units_per_clock() > 0.99,
                "{transfer:?} latency {latency}: {e:?}"
            );
            assert!(e.units_per_clock() <= 1.0);
        }
    }
}

#[test]
fn impossible_streams_are_refused() {
    assert!(dma_efficiency(TransferType::Write, 1, 6, 1).is_err());
    assert!(dma_efficiency(TransferType::Write, 1, 4096, 0).is_err());
    assert!(dma_efficiency(TransferType::Write, 1, 1 << 20, 1).is_err());
}
