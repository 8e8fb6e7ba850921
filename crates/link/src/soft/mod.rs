//! Soft evidence: accounts that share no identifier but look like one seller (name, writing, titles,
//! products, prices, origin, hours, activity, product photos). Features are read from the records ([`features`]), pairs
//! chosen by blocking ([`block`]) and compared by named comparisons ([`compare`]).

pub mod block;
pub mod cluster;
pub mod compare;
pub mod features;
pub mod habits;
pub mod keys;
pub mod names;
pub mod photos;
pub mod run;
pub mod score;
pub mod sketch;

pub use block::{BlockingOptions, BlockingReport, candidate_pairs};
pub use compare::{COMPARISONS, ComparisonDef, Levels, compare, measure};
pub use features::{AccountFeatures, FeatureSet, SoftLinkInput, account_features};
pub use keys::{KeyFacts, UserIdForm};
pub use names::{NameAffixes, name_stem};
pub use photos::AccountPhoto;
pub use run::{SOFT_RULE, SoftLinkResult, SoftOptions, link_soft};
