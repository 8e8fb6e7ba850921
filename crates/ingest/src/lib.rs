//! Ingest: streaming readers for every dump format a seizure arrives in, and the declarative profiles that
//! map a market's own schema onto the common model.
//!
//! Architecture invariant: readers yield rows plus errors, never abort a whole ingest on one bad row, and never
//! hold a whole file in memory (an image file, read whole to be decoded, is the one exception: photos are
//! small, and [`image::MAX_DECODED_BYTES`] caps what is read). Nothing here writes to a case: the caller decides what is committed.

pub mod check;
pub mod detect;
pub mod draft;
pub mod encoding;
pub mod formats;
pub mod image;
mod lookup;
pub mod mapper;
pub mod profile;
pub mod source;
pub mod transform;

pub use check::{CheckOptions, CheckReport, check};
pub use detect::{
    DetectError, Recognition, SourceScan, recognise, recognise_first_line, scan_schema,
    scan_source, scan_stream,
};
pub use draft::{Draft, DraftError, DraftOptions, draft};
pub use encoding::{DecodingStats, SourceEncodings, TextDecoder};
pub use mapper::{MapError, Mapper, RowRecords, parse_time};
pub use profile::{Profile, ProfileError, builtin_profiles};
pub use source::{Format, ReadError, ReadErrorKind, RowReader, SourceRow, Value};
