//! Every way an adapter-object call can fail. Misuse that the WDK answers with a Driver
//! Verifier bug check is a typed error here, with the rule it broke in the message.

use std::fmt;

use mapdma_regmap::{ConfigError, FaultCause, TransferType};

use crate::action::IoAllocationAction;
use crate::backend::BackendError;
use crate::description::DescriptionError;

/// A transfer as `map_transfer` mapped it: what `flush_adapter_buffers` must name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MappedTransfer {
    pub current_va: usize,
    pub length: usize,
    pub transfer: TransferType,
}

impl fmt::Display for MappedTransfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CurrentVa {}, length {}, {:?}",
            self.current_va, self.length, self.transfer
        )
    }
}

/// The error of every fallible routine in this crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DmaError {
    /// The backend failed (register bus, memory, link).
    Backend(BackendError),
    /// The hardware does not identify as mapdma or reports a configuration we cannot use.
    Hardware(String),
    /// The device description was rejected.
    Description(DescriptionError),
    /// A request for more map registers than `get_dma_adapter` granted (fails at once).
    TooManyMapRegisters { requested: u32, granted: u32 },
    /// The pool cannot ever satisfy the request (no run of that size exists), or a common
    /// buffer needs more free map registers than there are now.
    InsufficientResources { what: String },
    /// The device object already has a queued request or holds this adapter's channel.
    RequestPending { device: u64 },
    /// The adapter does not hold its channel (not allocated, or already freed).
    ChannelNotAllocated,
    /// A map-register base that this adapter does not own (never allocated or freed already).
    UnknownMapRegisterBase,
    /// `free_map_registers` with a count that does not match the allocation.
    MapRegisterCountMismatch { allocated: u32, given: u32 },
    /// Map registers that belong to a channel grant are freed by `free_adapter_channel`.
    RegistersHeldByChannel,
    /// Resources still mapped (flush first).
    StillMapped { transfers: usize },
    /// A second `map_transfer` on a system-DMA channel before the first was flushed.
    AlreadyMapped,
    /// `flush_adapter_buffers` for a transfer that is not mapped (CurrentVa, length or
    /// direction differ from what `map_transfer` returned); `mapped` is what is.
    NotMapped {
        wanted: MappedTransfer,
        mapped: Vec<MappedTransfer>,
    },
    /// `read_dma_counter` with no transfer mapped on the channel (before `map_transfer`, or
    /// after `flush_adapter_buffers`).
    NothingMapped { channel: usize },
    /// `allocate_adapter_channel` for zero map registers: every transfer needs at least one.
    ZeroMapRegisters,
    /// A system-DMA execution routine returned something other than `KeepObject` (the WDK
    /// requires it: the HAL owns the 8237 channel until `free_adapter_channel`). The channel
    /// was masked and the grant released; reported by the adapter's next call.
    SystemDmaMustKeepObject {
        channel: usize,
        action: IoAllocationAction,
    },
    /// A zero-length transfer or buffer.
    ZeroLength,
    /// CurrentVa/Length outside the MDL.
    OutsideMdl {
        current_va: usize,
        length: usize,
        byte_count: usize,
    },
    /// An address or length that is not a multiple of the channel's unit.
    Misaligned { value: usize, alignment: usize },
    /// The routine does not exist for this kind of adapter or DMA_OPERATIONS version.
    NotSupported(&'static str),
    /// A physical page frame the map registers cannot hold.
    FrameOutOfRange { address: u64 },
    /// An MDL that is malformed.
    BadMdl(String),
    /// A common buffer that does not belong to this adapter or was freed with it.
    UnknownCommonBuffer,
    /// A caller buffer too small for a scatter/gather list.
    BufferTooSmall { needed: usize, given: usize },
    /// The hardware stopped the transfer: translation fault or bus error.
    TransferFault {
        channel: usize,
        cause: FaultCause,
        logical_address: u32,
    },
    /// Something the hardware should have done did not happen in time.
    Timeout(&'static str),
    /// `put_dma_adapter` with resources outstanding; the adapter is handed back.
    Outstanding(String),
    /// A routine of the `DMA_OPERATIONS` table that this controller cannot provide; `reason`
    /// says why (documented on the routine).
    RoutineNotSupported {
        routine: &'static str,
        reason: &'static str,
    },
    /// A routine of a later `DMA_OPERATIONS` version than the adapter's table (the version
    /// follows `DeviceDescription::version`).
    OperationsVersion {
        routine: &'static str,
        needed: u32,
        version: u32,
    },
    /// `map_transfer_ex` under a transfer context that `cancel_mapped_transfer` cancelled.
    TransferCancelled,
    /// A transfer context already serving a request (queued or holding the channel).
    ContextInUse,
    /// A transfer context of another adapter.
    UnknownContext,
}

impl fmt::Display for DmaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DmaError::*;
        match self {
            Backend(e) => write!(f, "backend: {e}"),
            Hardware(m) => write!(f, "hardware: {m}"),
            Description(e) => write!(f, "device description: {e}"),
            TooManyMapRegisters { requested, granted } => write!(
                f,
                "{requested} map registers requested but get_dma_adapter granted {granted}"
            ),
            InsufficientResources { what } => write!(f, "insufficient resources: {what}"),
            RequestPending { device } => write!(
                f,
                "device object {device} already has a pending request or holds the channel \
                 (one request per device object)"
            ),
            ChannelNotAllocated => write!(f, "the adapter does not hold its channel"),
            UnknownMapRegisterBase => {
                write!(
                    f,
                    "map-register base not owned by this adapter (freed already?)"
                )
            }
            MapRegisterCountMismatch { allocated, given } => write!(
                f,
                "free_map_registers with {given} registers but {allocated} were allocated"
            ),
            RegistersHeldByChannel => write!(
                f,
                "these map registers belong to the channel grant: free them with \
                 free_adapter_channel"
            ),
            StillMapped { transfers } => write!(
                f,
                "{transfers} transfer(s) still mapped: call flush_adapter_buffers first"
            ),
            AlreadyMapped => write!(
                f,
                "a transfer is already mapped on this channel: flush it before mapping another"
            ),
            NotMapped { wanted, mapped } => {
                write!(f, "no mapped transfer at {wanted}; ")?;
                if mapped.is_empty() {
                    write!(f, "nothing is mapped on this base (flushed already?)")
                } else {
                    let list: Vec<String> = mapped.iter().map(|m| m.to_string()).collect();
                    write!(f, "mapped: {}", list.join("; "))
                }
            }
            NothingMapped { channel } => write!(
                f,
                "no transfer is mapped on channel {channel} (before map_transfer or after \
                 flush_adapter_buffers)"
            ),
            ZeroMapRegisters => write!(
                f,
                "allocate_adapter_channel for 0 map registers: every transfer needs at least one"
            ),
            SystemDmaMustKeepObject { channel, action } => write!(
                f,
                "the execution routine of channel {channel} returned {action:?}: a system-DMA \
                 routine must return KeepObject (the channel was masked and released)"
            ),
            ZeroLength => write!(f, "length zero"),
            OutsideMdl {
                current_va,
                length,
                byte_count,
            } => write!(
                f,
                "CurrentVa {current_va} + length {length} is outside the MDL ({byte_count} bytes)"
            ),
            Misaligned { value, alignment } => {
                write!(f, "{value} is not a multiple of the {alignment}-byte unit")
            }
            NotSupported(m) => write!(f, "not supported: {m}"),
            FrameOutOfRange { address } => write!(
                f,
                "physical address {address:#x} is beyond what the map registers can hold"
            ),
            BadMdl(m) => write!(f, "bad MDL: {m}"),
            UnknownCommonBuffer => {
                write!(
                    f,
                    "common buffer not owned by this adapter (freed already?)"
                )
            }
            BufferTooSmall { needed, given } => write!(
                f,
                "scatter/gather buffer holds {given} elements, {needed} needed"
            ),
            TransferFault {
                channel,
                cause,
                logical_address,
            } => write!(
                f,
                "channel {channel} stopped by {cause:?} at logical address {logical_address:#x}"
            ),
            Timeout(m) => write!(f, "timeout: {m}"),
            Outstanding(m) => write!(f, "put_dma_adapter with resources outstanding: {m}"),
            RoutineNotSupported { routine, reason } => {
                write!(f, "{routine} is not supported by mapdma: {reason}")
            }
            OperationsVersion {
                routine,
                needed,
                version,
            } => write!(
                f,
                "{routine} is in DMA_OPERATIONS version {needed}, the adapter's table is version \
                 {version} (get the adapter with DEVICE_DESCRIPTION version {needed})"
            ),
            TransferCancelled => write!(
                f,
                "the transfer context was cancelled by cancel_mapped_transfer: flush, free the \
                 channel and start again"
            ),
            ContextInUse => write!(
                f,
                "the DMA transfer context already serves a request (one request per context)"
            ),
            UnknownContext => write!(f, "the DMA transfer context belongs to another adapter"),
        }
    }
}

impl std::error::Error for DmaError {}

impl From<BackendError> for DmaError {
    fn from(e: BackendError) -> Self {
        DmaError::Backend(e)
    }
}

impl From<DescriptionError> for DmaError {
    fn from(e: DescriptionError) -> Self {
        DmaError::Description(e)
    }
}

impl From<ConfigError> for DmaError {
    fn from(e: ConfigError) -> Self {
        DmaError::Hardware(e.to_string())
    }
}

pub type Result<T, E = DmaError> = std::result::Result<T, E>;
