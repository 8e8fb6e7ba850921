//! What enrichment concludes about stored records. Derived, not evidence: recomputed whole by
//! `spector enrich` under a named version of its rules, each row pointing at the record it is about (whose
//! provenance says where the words came from).

use serde::{Deserialize, Serialize};

use crate::RecordId;

/// What the words of one listing say: its product class and flags with the terms that decided them, the
/// amounts it offers, its price in USD at the listing's date, and where it ships from and to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingFacts {
    pub listing_id: RecordId,
    pub market: String,
    pub vendor_id: Option<RecordId>,
    /// A class id of the taxonomy (`fentanyl`, `heroin`, `weapons` ...); `None` when no term matched.
    pub class: Option<String>,
    /// `drug` or `non_drug`.
    pub class_group: Option<String>,
    pub fentanyl: bool,
    pub counterfeit_pill: bool,
    pub youth_appeal: bool,
    /// Every term matched, negated ones included, as `term [field start-end how]` joined by `; `: why the
    /// class and flags are what they are.
    pub matched: String,
    /// Total mass offered, in grams.
    pub grams: Option<f64>,
    /// Pills, tabs, patches, blotters or pieces offered.
    pub units: Option<f64>,
    /// Dose of one unit, in milligrams.
    pub dose_mg: Option<f64>,
    pub purity_pct: Option<f64>,
    /// Every amount found, as `raw [field start-end]` joined by `; `.
    pub amounts: String,
    pub price_usd: Option<f64>,
    /// Why `price_usd` is empty although the listing has a price (no date, no table for its currency, a
    /// date outside the table): never a guess.
    pub price_usd_note: Option<String>,
    /// ISO 3166-1 alpha-2 codes joined by `,`.
    pub ships_from: Option<String>,
    /// countries, region, worldwide, undeclared or unknown.
    pub ships_from_kind: Option<String>,
    pub ships_to: Option<String>,
    pub ships_to_kind: Option<String>,
    /// The version of the taxonomy and of the enrichment rules that produced this row.
    pub taxonomy: String,
    pub enrichment: String,
}

/// An order's amount in USD at the order's date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderValue {
    pub order_id: RecordId,
    pub market: String,
    pub listing_id: Option<RecordId>,
    pub vendor_id: Option<RecordId>,
    pub usd: Option<f64>,
    /// Why `usd` is empty although the order has an amount; never a guess.
    pub usd_note: Option<String>,
    pub enrichment: String,
}
