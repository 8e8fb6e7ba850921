use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where a record came from, precise enough to show a court the exact bytes.
///
/// `byte_offset`/`byte_len` address the row inside the source as stored in the case's evidence area
/// (after decompression, when the source was compressed). For records derived from another record's text
/// (an address found in a profile), the provenance is that of the record the text came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Provenance {
    /// Lower-case hex SHA-256 of the source file as received.
    // Shared, not owned: every record of a source carries the same two strings, and a copy of each per
    // record was two allocations per record on the ingest's busiest thread.
    pub src_sha256: Arc<str>,
    /// Table name in a dump, or file name for a CSV/JSON export.
    pub src_table: Arc<str>,
    /// 1-based row number within `src_table` in that source.
    pub src_row: u64,
    /// Byte offset of the row's first byte in the source.
    pub src_offset: u64,
    /// Length in bytes of the row in the source.
    pub src_len: u64,
}
