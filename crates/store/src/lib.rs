//! The case store: everything spector knows about one investigation, in one directory.
//!
//! # Layout
//! ```text
//! CASE/case.db                              SQLite: the manifest (evidence, sources, table parts) and analyst
//!                                           state. Authoritative: what it does not list is not in the case.
//! CASE/evidence/<sha256>                    source files as received, named by their SHA-256, read-only,
//!                                           never modified (write-once)
//! CASE/evidence/.incoming-<token>           a copy in progress (removed on open if its writer is gone)
//! CASE/tables/<table>/part-<token>.parquet  normalised records: one Parquet table per entity, one part per
//!                                           ingested source (or per run of a derived table's producer)
//! CASE/tables/.staging/<token>/             parts being written, private to one writer until its commit
//! ```
//! Tables: `markets, accounts, listings, orders, feedback, messages, pgp_keys, crypto_addresses,
//! contact_handles, shipping_info, photo_refs` (from sources), `images` (from seized image files), `rejects` (the quarantine), `persona_members, link_evidence,
//! refused_links` (derived by linking), `listing_facts, order_values` (derived by enrichment), `chain_blocks,
//! chain_txs, chain_inputs, chain_outputs, chain_addresses` (derived from every file of Bitcoin blocks the
//! case holds, `chain_sources` in case.db).
//! Their columns are flat and named for SQL; every record ends with its provenance
//! (`src_sha256, src_table, src_row, src_offset, src_len`). See [`table_schema`].
//! Paths in `case.db` are relative to the case root, so a case directory can be moved or copied whole.
//!
//! # Atomicity
//! A [`SourceWriter`] streams records into Parquet files in its own staging directory (a row group per
//! ~64k rows or 16 MB of values, so memory stays bounded whatever the source size). Its commit takes the case's SQLite write
//! lock, renames the files into `tables/`, and lists the source and its parts in one transaction. Readers
//! only ever open the parts `case.db` lists, never a directory listing. So a crash or kill at any moment
//! leaves the case as it was before the ingest: unlisted files are ignored, and [`Case::open`] removes
//! them (under the same write lock, so a commit in progress in another process is not disturbed).
//! Derived tables are replaced the same way: new parts listed and old ones unlisted in one transaction,
//! old files removed after.
//!
//! A directory of small files (seized images) is committed as one [`SourceBatch`]: each file is evidence
//! and a source of its own, but the whole batch is listed in one transaction and its records share one part
//! per table.
//!
//! Analyst state (judgements, notes) belongs in `case.db` tables, added by schema migrations, never in
//! rewritten Parquet: see [`Case::add_judgement`].

mod batch;
mod case;
mod chain;
mod columns;
mod db;
mod derived;
mod error;
mod evidence;
mod judgements;
mod part_file;
mod parts;
mod source;
mod staging;
mod tables;
mod uncached;

pub use batch::{BatchSummary, SourceBatch, StagedFile};
pub use case::{Case, SourceEntry};
pub use chain::{ChainWriter, InputEdge, OutputEdge};
pub use derived::{EnrichmentWriter, LinkRun};
pub use error::StoreError;
pub use evidence::{Evidence, Received, ReceivedBytes};
pub use source::{CommitSummary, Quarantined, Reject, SourceWriter};
pub use tables::{TABLES, table_schema};
pub use uncached::SequentialReader;

/// Re-exported so that users of [`table_schema`] name the same Arrow types.
pub use arrow;

#[cfg(test)]
mod tests;
