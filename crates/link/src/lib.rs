//! Persona linking.
//!
//! The first rule set joins accounts that share a hard identifier: the same PGP fingerprint, the same payout
//! or refund address, the same contact handle. Markets share some identifiers among all their users (escrow and
//! hot wallets, a bond address, an address quoted in every vendor page): those link nobody, and are set aside
//! by the guard in [`SharedIdentifierGuard`] before any union is made, each with the reason.
//!
//! Architecture invariant: linking reads model records and returns personas plus evidence; it never touches
//! storage, and every union it makes is backed by a [`LinkEvidence`] naming the rule and the shared value.

pub mod fellegi_sunter;
mod hard;
pub mod soft;

pub use fellegi_sunter::{
    Comparison, ComparisonVectors, ComparisonWeight, EmOptions, ErrorEstimate, FsModel,
    LinkModelError, Patterns, Scorer, TrainingReport,
};
pub use hard::{
    HardLinkInput, IdentifierKind, IgnoredIdentifier, LinkResult, Persona, SharedIdentifierGuard,
    link_hard, persona_id_for,
};
