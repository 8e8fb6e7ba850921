//! First enrichment of model records, run by the ingest pipeline on every record before it is stored.
//!
//! - [`pgp`]: fingerprint, key id, algorithm, creation time and e-mails of an armored public key.
//! - [`addresses`]: checksum-valid Bitcoin addresses in free text.
//! - [`handles`]: e-mail, Wickr, Telegram, Session and Signal handles in free text.
//! - [`classify`]: a thin keyword classifier for listings (drug class, fentanyl, counterfeit pill, youth appeal).
//! - [`prices`]: coin amounts in USD from daily price tables.
//! - [`pipeline`]: [`enrich_record`], which applies the above to a [`spector_model::Record`].
//!
//! Everything here is a pure function of its input (the price tables are embedded), so results are
//! reproducible from the evidence alone; [`enrichment_version`] names the rules that produced them.
//!
//! # Fuzzing
//! The entry points take untrusted text from seized databases and never panic; each is a ready fuzz
//! target (the fuzz crate lives in `/fuzz`, owned separately):
//! [`parse_public_key`], [`find_crypto_addresses`], [`find_contact_handles`], [`classify_listing`],
//! [`PriceTable::from_csv_reader`]. Property tests in `tests/` check the same on arbitrary strings.

pub mod addresses;
pub mod classify;
pub mod handles;
pub mod pgp;
pub mod pipeline;
pub mod prices;

pub use addresses::{FoundAddress, find_crypto_addresses};
pub use classify::{ProductClass, TermMatch, TextField, classify_listing};
pub use handles::{FoundHandle, HandleKind, find_contact_handles};
pub use pgp::{PgpError, PgpInfo, parse_public_key};
pub use pipeline::{enrich_record, enrichment_version};
pub use prices::{PriceError, PriceTable};
