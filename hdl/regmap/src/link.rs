//! The board link (protocol version 2, `hdl/src/board/PROTOCOL.md`): the numbers both ends
//! agree on, in the one crate that the board design, the simulation and the host all depend
//! on. The design's kernels spell these as literals (rust-hdl kernels cannot name Rust
//! constants); its tests compare them with what is here.

use crate::{Access, Count, BYTE, REGISTERS};

/// The protocol version the board window and the version query report.
pub const VERSION: u32 = 2;
/// A lone byte, sent while the bridge waits for a frame, answered with a version reply. A
/// version 1 bridge answers it with [`V1_UNKNOWN_COMMAND`] instead.
pub const QUERY: u8 = 0x56;
/// What a version 1 bridge answers to [`QUERY`]: its unknown-command byte, alone.
pub const V1_UNKNOWN_COMMAND: u8 = 0xE1;
/// First byte of a request frame (host → board).
pub const REQUEST_SOF: u8 = 0x5A;
/// First byte of a reply frame (board → host).
pub const REPLY_SOF: u8 = 0xA5;
/// Request operations: write or read `count + 1` consecutive words.
pub const OP_WRITE: u8 = b'W';
pub const OP_READ: u8 = b'R';
/// Words one frame moves at most: the bridge holds a whole write frame's payload in one
/// 512-byte block RAM before it executes any of it.
pub const MAX_WORDS: usize = 128;
/// Bytes of a request frame around its payload: SOF, seq, op, count, addr[4], crc[2].
pub const REQUEST_OVERHEAD: usize = 10;
/// Bytes of a reply frame around its data words: SOF, seq, words, status, crc[2].
pub const REPLY_OVERHEAD: usize = 6;

/// Status byte of an executed frame: `STATUS | resp` (the first AXI response other than
/// OKAY among its accesses).
pub const STATUS: u8 = 0xA0;
/// Set in the status byte when the frame repeated the last executed sequence number: it was
/// not executed again, and `resp` is the one of its first execution.
pub const STATUS_DUPLICATE: u8 = 0x04;
/// Status byte of a version reply: `STATUS_VERSION | 1` when the sequence number in the
/// reply is that of an executed frame, `| 0` when none was executed since reset.
pub const STATUS_VERSION: u8 = 0xB0;
/// Status byte of a rejected frame: `NAK | reason`. Nothing of the frame was executed.
pub const NAK: u8 = 0xE0;
pub const NAK_HEADER: u8 = 1;
pub const NAK_FRAMING: u8 = 2;
pub const NAK_CRC: u8 = 3;

/// Bridge address of mapdma register offset 0 (the register window).
pub const REGISTER_WINDOW: u32 = 0x8000_0000;
/// Bridge address of board window word 0.
pub const BOARD_WINDOW: u32 = 0x4000_0000;
/// The register window spans offsets below this.
pub const REGISTER_SPAN: u32 = 1 << crate::REGISTER_ADDRESS_BITS;
/// The board window's ID word: "MDBD".
pub const BOARD_ID: u32 = 0x4D44_4244;

/// Word indices of the board window (bridge address `BOARD_WINDOW + 4·index`).
pub mod window {
    /// Reads [`BOARD_ID`](super::BOARD_ID).
    pub const ID: u32 = 0;
    /// Reads the protocol version ([`VERSION`](super::VERSION)).
    pub const VERSION: u32 = 1;
    /// Reads the system RAM size in bytes (RAM is at physical address 0).
    pub const RAM_BYTES: u32 = 2;
    /// Reads the board clock in Hz.
    pub const CLOCK_HZ: u32 = 3;
    /// Reads the UART divisor (clocks per bit).
    pub const UART_DIVISOR: u32 = 4;
    /// Reads bit 0 = loop-back FIFO empty, bit 1 = full; a write empties the FIFO.
    pub const LOOP_STATUS: u32 = 5;
    /// Reads/writes the next unit of the pattern source.
    pub const PATTERN: u32 = 6;
    /// Reads the checksum sink's 32-bit sum of units; a write clears sum and count.
    pub const SUM: u32 = 7;
    /// Reads the number of units the checksum sink received.
    pub const COUNT: u32 = 8;
    /// Reads what the board has beyond the words above: bits in
    /// [`features`](super::features). A board built before this word answers it SLVERR,
    /// which a host takes as 0.
    pub const FEATURES: u32 = 9;
    /// The test bus master (only with [`features::TEST_MASTER`](super::features::TEST_MASTER);
    /// otherwise these words answer SLVERR): the logical byte address it copies from
    /// (bits 1:0 read 0). Writes while a copy runs are ignored.
    pub const TM_SRC: u32 = 10;
    /// The logical byte address it copies to (bits 1:0 read 0).
    pub const TM_DST: u32 = 11;
    /// Words to copy.
    pub const TM_LENGTH: u32 = 12;
    /// Write [`test_master::START`](super::test_master::START) to start a copy (ignored while
    /// one runs); reads the status bits in [`test_master`](super::test_master).
    pub const TM_CONTROL: u32 = 13;
    /// Reads the words copied by bursts that were OKAY on both the read and the write.
    pub const TM_MOVED: u32 = 14;
    /// Reads the logical address of the first word of the burst that failed: its source for a
    /// read error, its destination for a write error.
    pub const TM_FAULT_ADDR: u32 = 15;
}

// The bridge passes address bits 5:2 to the board window: 16 words.
const _: () = assert!(window::TM_FAULT_ADDR < 16);

/// Bits of the board window's FEATURES word.
pub mod features {
    /// The board has the built-in test bus master on mapdma's bus-master port (window words
    /// `TM_*`).
    pub const TEST_MASTER: u32 = 1 << 0;
}

/// The test bus master's TM_CONTROL word.
pub mod test_master {
    /// Written: start a copy of TM_LENGTH words from TM_SRC to TM_DST.
    pub const START: u32 = 1 << 0;
    /// Read: a copy is running.
    pub const BUSY: u32 = 1 << 0;
    /// Read: the last copy ended (all words copied, or stopped at an error).
    pub const DONE: u32 = 1 << 1;
    /// Read: the last copy stopped at a burst that was not OKAY.
    pub const ERROR: u32 = 1 << 2;
    /// Read, with ERROR: the write burst failed (clear: the read burst did).
    pub const ERROR_WRITE: u32 = 1 << 3;
    /// Read, with ERROR: the failed burst's AXI response (2 SLVERR, 3 DECERR) in bits 5:4.
    pub const RESP_SHIFT: u32 = 4;
    pub const RESP_MASK: u32 = 0b11 << RESP_SHIFT;
    /// Longest burst the test master issues (beats of 32 bits); bursts are also cut where a
    /// map page ends on either side.
    pub const MAX_BEATS: u32 = 16;
}

/// The data word of a version reply: version in bits 7:0, [`MAX_WORDS`] in bits 15:8.
pub const fn version_word() -> u32 {
    VERSION | (MAX_WORDS as u32) << 8
}

/// Whether reading mapdma register `offset` changes state, so that a read whose reply was
/// lost must not be repeated: the 8237 ports that move the byte-pointer flip-flop and the
/// fields that a read clears. Derived from the register map.
pub fn register_read_has_side_effects(offset: u32) -> bool {
    REGISTERS.iter().any(|r| {
        let effects = r
            .fields
            .iter()
            .any(|f| f.access == Access::RC || (*f == BYTE && f.access.readable()));
        // Arrays sized by the configuration are taken at their largest.
        let instances = match r.count {
            Count::One => 1,
            Count::Fixed(n) => n as u32,
            Count::Channels | Count::MapRegisters => 1 << 12,
        };
        let stride = r.stride.max(4);
        effects
            && offset >= r.offset
            && (offset - r.offset).is_multiple_of(stride)
            && (offset - r.offset) / stride < instances
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ALL_MASK, CONFIG0, DMA_ADDR, DMA_COUNT, ID, INT_STATUS, MAP, PAGE, TEMPORARY};

    #[test]
    fn reads_with_side_effects_come_from_the_register_map() {
        for ch in 0..4 {
            assert!(register_read_has_side_effects(DMA_ADDR.at(ch)));
            assert!(register_read_has_side_effects(DMA_COUNT.at(ch)));
        }
        assert!(register_read_has_side_effects(crate::STATUS.offset));
        for quiet in [
            ID.offset,
            CONFIG0.offset,
            TEMPORARY.offset,
            ALL_MASK.offset,
            PAGE.at(1),
            MAP.at(3),
            INT_STATUS.offset,
        ] {
            assert!(!register_read_has_side_effects(quiet), "{quiet:#x}");
        }
    }

    #[test]
    fn frames_fit_the_bridge_buffer() {
        assert_eq!(MAX_WORDS * 4, 512, "one iCE40 block RAM");
        assert_ne!(QUERY, REQUEST_SOF);
        assert_eq!(version_word() & 0xFF, VERSION);
    }
}
