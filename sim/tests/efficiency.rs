//! The DMA-efficiency harness on short streams (not timed: clocks are counted, not seconds).
//! SPEC §2: auto-initialize reloads in the same clock, so the next unit may go out on the very
//! next clock; with enough outstanding transactions the stream moves one unit per clock.

use mapdma_regmap::TransferType;
use mapdma_sim::bench::dma_efficiency;

#[test]
fn auto_initialize_streams_wrap_without_idle_clocks() {
    for transfer in [TransferType::Write, TransferType::Read] {
        for latency in [1, 16] {
            let e = dma_efficiency(transfer, latency, 1.0, 4096, 3).unwrap();
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
    assert!(dma_efficiency(TransferType::Write, 1, 1.0, 6, 1).is_err());
    assert!(dma_efficiency(TransferType::Write, 1, 1.0, 4096, 0).is_err());
    assert!(dma_efficiency(TransferType::Write, 1, 1.0, 1 << 20, 1).is_err());
    assert!(dma_efficiency(TransferType::Write, 1, 0.0, 4096, 1).is_err());
}

/// AW, W and AR stall independently: each AXI channel has its own request queue, so a stream
/// under random backpressure on every memory channel stays close to the bound the memory sets.
/// (Counted clocks; the seeded backpressure makes the figure reproducible.)
#[test]
fn streams_under_random_backpressure_stay_near_the_memory_bound() {
    for transfer in [TransferType::Write, TransferType::Read] {
        let e = dma_efficiency(transfer, 4, 0.75, 4096, 2).unwrap();
        let ratio = e.units_per_clock() / e.memory_ready;
        assert!(
            ratio >= 0.95,
            "{transfer:?}: {:.3} of the bound ({e:?})",
            ratio
        );
    }
}
