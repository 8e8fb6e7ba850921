//! First enrichment of model records, run by the ingest pipeline on every record before it is stored.
//!
//! - [`pgp`]: fingerprint, key id, algorithm, size or curve, creation and expiry time, user ids and
//!   e-mails of an armored public key; [`find_public_keys`] finds key blocks inside free text.
//! - [`addresses`]: checksum-valid Bitcoin, Litecoin, Monero and Ethereum addresses in free text.
//! - [`handles`]: e-mail, Wickr, Telegram, Session, Signal, Threema, Jabber/XMPP and ICQ handles in free
//!   text, normalised.
//! - [`taxonomy`]: the product taxonomy as data (`data/taxonomy.toml`): classes, terms in several
//!   languages, and the cue vocabularies of the classifier's rules.
//! - [`classify`]: a taxonomy-driven keyword classifier for listings (class, fentanyl, counterfeit pill,
//!   youth appeal), robust to leetspeak, spacing tricks and misspellings, with every match's position.
//! - [`prices`]: coin amounts in USD from daily price tables.
//! - [`quantity`]: masses, counts, doses, concentrations, purity and tiered prices in listing text.
//! - [`place`]: free-text origins and destinations as ISO 3166-1 codes and region groups.
//! - [`pipeline`]: [`enrich_record`], which applies the above to a [`spector_model::Record`].
//!
//! Everything here is a pure function of its input (the price tables are embedded), so results are
//! reproducible from the evidence alone; [`enrichment_version`] names the rules that produced them.
//!
//! # Fuzzing
//! The entry points take untrusted text from seized databases and never panic; each is a ready fuzz
//! target (the fuzz crate lives in `/fuzz`, owned separately):
//! [`parse_public_key`], [`find_public_keys`], [`find_crypto_addresses`], [`find_contact_handles`],
//! [`classify_listing`] (and [`Classifier::classify`]), [`Taxonomy::from_toml`],
//! [`PriceTable::from_csv_reader`], [`parse_amounts`], [`normalise_place`].
//! Property tests in `tests/` check the same on arbitrary strings.

pub mod addresses;
pub mod classify;
pub mod handles;
mod matcher;
pub mod pgp;
pub mod pipeline;
pub mod place;
pub mod prices;
pub mod quantity;
pub mod taxonomy;

pub use addresses::{AddressChecksum, AddressKind, FoundAddress, Network, find_crypto_addresses};
pub use classify::{
    Classifier, EraReading, EraSide, MatchKind, ProductClass, TermMatch, TextField,
    classify_listing,
};
pub use handles::{FoundHandle, HandleDataError, HandleFinder, HandleKind, find_contact_handles};
pub use pgp::{ArmorRepair, FoundKey, PgpError, PgpInfo, find_public_keys, parse_public_key};
pub use pipeline::{enrich_record, enrichment_version};
pub use place::{
    Place, PlaceKind, PlaceMeaning, PlaceTerm, PlaceVocab, PlaceVocabError, normalise_place,
    split_from_to,
};
pub use prices::{PriceError, PriceTable};
pub use quantity::{
    AmountKind, AmountMatch, AmountSummary, Amounts, Tier, UnitVocab, VocabError, parse_amounts,
};
pub use taxonomy::{ClassGroup, EraDef, Taxonomy, TaxonomyError};
