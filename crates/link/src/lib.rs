//! Persona linking.
//!
//! The first rule set joins accounts that share a hard identifier: the same PGP fingerprint, the same payout
//! or refund address, the same contact handle. Markets share some identifiers among all their users (escrow and
//! hot wallets, a bond address, an address quoted in every vendor page): those link nobody, and are set aside
//! by the guard in [`SharedIdentifierGuard`] before any union is made, each with the reason.
//!
//! Links become personas through one step every linker shares ([`resolve_personas`]): analysts' judgements
//! are applied while clustering ([`cluster`]: confirmations join, rejections and splits refuse the weakest
//! links that would join what they keep apart), and personas keep the ids of the last run
//! ([`assign_stable_ids`]).
//!
//! Architecture invariant: linking reads model records and returns personas plus evidence; it never touches
//! storage, and every union it makes is backed by a [`LinkEvidence`] naming the rule and the shared value
//! (for an analyst's confirmation, the judgement).
//!
//! [`LinkEvidence`]: spector_model::LinkEvidence

/// Hash maps and sets keyed by ids: std's, with foldhash instead of SipHash (SipHash was a tenth of linking a
/// million accounts), seeded fixed so that an iteration order, where one matters, is the same on every run.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

mod cluster;
pub mod evaluate;
pub mod fellegi_sunter;
mod hard;
mod linker;
pub mod soft;
mod stable;

pub use cluster::{
    CandidateLink, CannotLink, Clustering, Confirmed, Constraints, MustLink, Overruled, Refusal,
    cluster,
};
pub use fellegi_sunter::{
    Comparison, ComparisonVectors, ComparisonWeight, EmOptions, ErrorEstimate, FsModel,
    LinkModelError, Patterns, Scorer, TrainingReport,
};
pub use hard::{
    CONFIRMED_RULE, Continuity, HardLinkInput, HolderLimit, IdentifierKind, IgnoredIdentifier,
    LinkGraph, LinkResult, Persona, SharedIdentifierGuard, hard_link_graph, link_hard,
    resolve_personas,
};
pub use linker::{
    CONTRADICTION_BITS, LinkInput, LinkOptions, LinkOutcome, SoftSummary, link_accounts,
};
pub use stable::{PersonaChange, StableIds, assign_stable_ids, persona_id_for};
