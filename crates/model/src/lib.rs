//! The common model every seized market is mapped onto.
//!
//! Every record carries a [`Provenance`]: the SHA-256 of the source file it came from, the table (or file)
//! inside it, the row number and the exact byte range of the row in the (decompressed) source. Ids are
//! derived from the market name and the market's own key, so ingesting the same data twice yields the same
//! ids (see [`RecordId`]).
//!
//! Architecture invariant: this crate knows nothing of files, SQL, Parquet, JSON or terminals. It holds plain
//! data types and the few rules that belong to the data itself (how ids are formed, what an order state means).

mod chain;
mod entities;
mod facts;
mod ids;
mod judgements;
mod provenance;

pub use chain::*;
pub use entities::*;
pub use facts::*;
pub use ids::*;
pub use judgements::*;
pub use provenance::*;
