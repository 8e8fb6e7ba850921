//! Measuring personas and ranking targets.
//!
//! Sales are counted from orders where the market's database has them (orders in a state that counts as a sale,
//! see [`spector_model::OrderState::counts_as_sale`]). For markets known only from crawled pages, each feedback is
//! counted as one sale at the listing's price (Soska & Christin 2015): a lower bound, and labelled as an estimate.
//! Amounts in BTC or XMR are converted to USD at the order's date; an amount that cannot be converted is counted
//! and reported, never guessed.
//!
//! Architecture invariant: analysis reads model records and returns plain values; it knows nothing of storage,
//! terminals or JSON.

mod targets;

pub use targets::{Target, TargetAccount, TargetInput, rank_targets};
