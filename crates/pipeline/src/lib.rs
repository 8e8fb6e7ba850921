//! The stages of spector run over a case, in the order data flows: ingest (read → map → enrich → store),
//! link, measure.
//!
//! Architecture invariant: the pipeline knows no terminal, HTTP or JSON. It reports progress through the
//! [`Progress`] trait and returns plain reports; the CLI and the server decide how to show them.

mod chain;
mod enrich;
mod images;
mod ingest;
mod judge;
mod link;
mod measure;
mod money;

pub use chain::{
    ChainImportOptions, ChainImportReport, TagImportReport, chain_files, import_chain, import_tags,
};
pub use enrich::{
    EnrichOptions, EnrichReport, ListingReading, listing_facts, read_listing, run_enrich,
};
pub use images::{ImageIngestReport, account_photos, ingest_images, is_image_file};
pub use ingest::{
    IngestOptions, IngestReport, ProfileChoice, RejectInfo, RejectStage, ingest_source,
};
pub use judge::{Verdict, judge};
pub use link::{
    AccountView, LinkReport, LinkRunOptions, PersonaDetail, PersonaView, persona_detail, personas,
    run_link, run_link_with,
};
pub use measure::targets;
pub use money::{
    PersonaAddress, PersonaMoney, TraceReport, WhyJoined, on_network, persona_money, trace_money,
    why_joined,
};
/// The rule soft links carry in `link_evidence` (their comparisons: `soft:<comparison>`).
pub use spector_link::soft::SOFT_RULE;
/// Named by [`LinkReport`].
pub use spector_link::{Overruled, PersonaChange};

use std::path::PathBuf;

/// Progress of a long step. Implementations must be cheap: `set` is called often.
pub trait Progress {
    /// A step starts; `total`, when known, is in bytes (the steps that count are reads of source files).
    fn begin(&self, step: &str, total: Option<u64>);
    /// A step that counts items (listings, orders) rather than bytes.
    fn begin_items(&self, step: &str, total: u64) {
        self.begin(step, Some(total));
    }
    fn set(&self, done: u64);
    fn end(&self);
}

/// For callers that show nothing (tests, scripts).
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _: &str, _: Option<u64>) {}
    fn set(&self, _: u64) {}
    fn end(&self) {}
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] spector_store::StoreError),
    #[error(transparent)]
    Read(#[from] spector_ingest::ReadError),
    #[error("soft-evidence linking: {0}")]
    LinkModel(#[from] spector_link::LinkModelError),
    #[error(transparent)]
    Detect(#[from] spector_ingest::DetectError),
    #[error(transparent)]
    Profile(#[from] spector_ingest::ProfileError),
    #[error("{file}: cannot read profile: {source}")]
    ProfileFile {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    ChainRead(#[from] spector_chain::ChainError),
    #[error("{0}")]
    Chain(String),
    #[error("{}: cannot list the files of blocks: {source}", dir.display())]
    ChainDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot list the image files: {source}", dir.display())]
    ImageDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "no shipped profile is named {0:?} and no such file exists (shipped: laravel, pgmarket, scrape, agora-products, agora-vendors, panacea, grams)"
    )]
    UnknownProfile(String),
    #[error(
        "no account {0:?} in this case (name accounts by id as `spector personas --json` prints them, or as market:name)"
    )]
    UnknownAccount(String),
    #[error("{0:?} names several accounts ({1}); give the account's id instead")]
    AmbiguousAccount(String, String),
    #[error(
        "no persona {0} in the last link run (see `spector personas`; run `spector link` first)"
    )]
    UnknownPersona(String),
    #[error(
        "{file}: {count} row(s) rejected, so nothing from this file was stored (fix the profile, or pass --allow-rejects to store the rest and quarantine these). First: {first}"
    )]
    Rejected {
        file: PathBuf,
        count: usize,
        first: String,
    },
}
