//! What an execution routine returns: the WDK's `IO_ALLOCATION_ACTION`.

/// `IO_ALLOCATION_ACTION`: what an execution routine wants done with the adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IoAllocationAction {
    /// Keep the channel and the map registers; free with `free_adapter_channel`. The only
    /// action a system-DMA routine may return.
    KeepObject = 1,
    /// Release the channel and the map registers now (bus masters only).
    DeallocateObject = 2,
    /// Release the channel, keep the map registers; free with `free_map_registers`.
    DeallocateObjectKeepRegisters = 3,
}
