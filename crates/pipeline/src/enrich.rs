//! The enrichment stage over a whole case: what each listing sells, how much, for how much in USD, from
//! where to where; and each order's value in USD. Recomputed whole and swapped in (`listing_facts`,
//! `order_values`), so a new taxonomy or price table is one re-run away.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use spector_enrich::{Classifier, PriceError, PriceTable};
use spector_model::{Listing, ListingFacts, Order, OrderValue, RecordId};
use spector_store::Case;

use crate::{PipelineError, Progress};

/// What `run_enrich` did, for the analyst's summary.
#[derive(Debug, Clone, Default)]
pub struct EnrichReport {
    pub taxonomy: String,
    pub enrichment: String,
    /// Distinct listings enriched.
    pub listings: usize,
    /// Further copies of those listings, stored by other sources (crawls), not enriched again.
    pub listing_copies: usize,
    /// Listings per class id (`unclassified` for none).
    pub by_class: BTreeMap<String, usize>,
    pub fentanyl: usize,
    pub counterfeit_pill: usize,
    pub youth_appeal: usize,
    pub with_amount: usize,
    pub listings_priced_usd: usize,
    /// Distinct orders valued, and order records read (copies included).
    pub orders: usize,
    pub orders_read: usize,
    pub orders_valued_usd: usize,
    /// Why amounts could not be converted, with how many listings and orders each reason held back.
    pub not_converted: BTreeMap<String, usize>,
    /// Listings whose ships-from named no country, region or "worldwide" that enrichment knows.
    pub unknown_origins: usize,
}

/// Enrichment options: the price tables to convert with (the shipped ones by default).
#[derive(Debug, Clone)]
pub struct EnrichOptions {
    pub prices: PriceTable,
}

impl Default for EnrichOptions {
    fn default() -> Self {
        EnrichOptions {
            prices: PriceTable::shipped().clone(),
        }
    }
}

/// Listings and orders read, enriched and written per batch: memory stays bounded by the batch (and the
/// map of listing → vendor that orders need), not by the case.
const ENRICH_BATCH: usize = 65_536;

/// Enriches every listing and order of the case and stores the results, replacing the last run's.
pub fn run_enrich(
    case: &Case,
    options: &EnrichOptions,
    progress: &dyn Progress,
) -> Result<EnrichReport, PipelineError> {
    let mut report = EnrichReport {
        taxonomy: spector_enrich::Taxonomy::embedded().version().to_string(),
        enrichment: spector_enrich::enrichment_version().to_string(),
        ..EnrichReport::default()
    };
    let mut writer = case.begin_enrichment()?;
    // Every listing id seen, with its vendor: orders without a vendor of their own are their listing's.
    // A listing or order stored by several sources (the same page crawled in two months) gets one row,
    // from the first source that stored it, so that joins on the facts count it once.
    let mut listing_vendor: HashMap<RecordId, Option<RecordId>> = HashMap::new();
    let mut read = 0usize;

    progress.begin_items("enrich: listings", case.listing_count()?);
    case.listings_in_batches(ENRICH_BATCH, &mut |batch| {
        read += batch.len();
        let mut fresh = Vec::with_capacity(batch.len());
        for listing in batch {
            if !listing_vendor.contains_key(&listing.id) {
                listing_vendor.insert(listing.id.clone(), listing.vendor_id.clone());
                fresh.push(listing);
            }
        }
        let readings = read_in_parallel(&fresh, &options.prices, &|n| {
            progress.set((read - fresh.len() + n) as u64)
        });
        for (reading, listing) in readings.iter().zip(&fresh) {
            count_listing(&mut report, reading, listing);
            writer.push_listing(&reading.facts)?;
        }
        report.listings += fresh.len();
        Ok(())
    })?;
    progress.end();
    report.listing_copies = read - report.listings;

    progress.begin_items("enrich: orders", case.order_count()?);
    let mut orders_seen: HashSet<RecordId> = HashSet::new();
    case.orders_in_batches(ENRICH_BATCH, &mut |batch| {
        for order in &batch {
            report.orders_read += 1;
            if !orders_seen.insert(order.id.clone()) {
                continue;
            }
            report.orders += 1;
            let (v, unconverted) = order_value(order, &listing_vendor, &options.prices);
            if v.usd.is_some() {
                report.orders_valued_usd += 1;
            }
            if let Some(reason) = unconverted {
                *report.not_converted.entry(reason).or_default() += 1;
            }
            writer.push_order(&v)?;
        }
        progress.set(report.orders_read as u64);
        Ok(())
    })?;
    progress.end();

    progress.begin("enrich: storing", None);
    writer.commit()?;
    progress.end();
    Ok(report)
}

/// [`read_listing`] of every listing, in order, on every core: each listing's reading depends on it alone.
fn read_in_parallel(
    listings: &[Listing],
    prices: &PriceTable,
    done_so_far: &dyn Fn(usize),
) -> Vec<ListingReading> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = listings.len().div_ceil(threads).max(1);
    let done = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = listings
            .chunks(chunk)
            .map(|part| {
                let done = &done;
                scope.spawn(move || {
                    let mut out = Vec::with_capacity(part.len());
                    for (i, listing) in part.iter().enumerate() {
                        out.push(read_listing(Classifier::embedded(), listing, prices));
                        if i % 1024 == 1023 {
                            done.fetch_add(1024, Ordering::Relaxed);
                        }
                    }
                    out
                })
            })
            .collect();
        // The progress bar is not shared with the workers (it need not be thread-safe): this thread
        // reports their count until they are done.
        while !workers.iter().all(|w| w.is_finished()) {
            done_so_far(done.load(Ordering::Relaxed));
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// An order's amount in USD at its date, or why not (with the reason without its particulars, for the
/// summary).
fn order_value(
    order: &Order,
    listing_vendor: &HashMap<RecordId, Option<RecordId>>,
    prices: &PriceTable,
) -> (OrderValue, Option<String>) {
    let (usd, unconverted) = match order.amount {
        None => (None, None),
        Some(amount) => split(convert(
            amount,
            order.currency.as_deref(),
            order.created_at,
            prices,
        )),
    };
    let vendor_id = order.vendor_id.clone().or_else(|| {
        let listing = order.listing_id.as_ref()?;
        listing_vendor.get(listing).cloned().flatten()
    });
    let value = OrderValue {
        order_id: order.id.clone(),
        market: order.market.clone(),
        listing_id: order.listing_id.clone(),
        vendor_id,
        usd,
        usd_note: unconverted.as_ref().map(|u| u.note.clone()),
        enrichment: spector_enrich::enrichment_version().to_string(),
    };
    (value, unconverted.map(|u| u.reason))
}

/// Why an amount has no USD value.
struct Unconverted {
    /// Stored with the row: the reason with its particulars (the date, the table's range).
    note: String,
    /// The reason alone, to count reasons in the summary.
    reason: String,
}

fn split(converted: Result<f64, Unconverted>) -> (Option<f64>, Option<Unconverted>) {
    match converted {
        Ok(usd) => (Some(usd), None),
        Err(why) => (None, Some(why)),
    }
}

/// `amount` of `currency` at `at` in USD, or the reason it cannot be said: never a guess.
fn convert(
    amount: f64,
    currency: Option<&str>,
    at: Option<i64>,
    prices: &PriceTable,
) -> Result<f64, Unconverted> {
    let same = |text: String| Unconverted {
        note: text.clone(),
        reason: text,
    };
    let Some(currency) = currency.map(str::trim).filter(|c| !c.is_empty()) else {
        return Err(same("no currency given".to_string()));
    };
    if currency.eq_ignore_ascii_case("usd") {
        return Ok(amount);
    }
    let Some(at) = at else {
        return Err(same(format!("no date to take the {currency} price of")));
    };
    prices.to_usd(amount, currency, at).map_err(|e| {
        let reason = match &e {
            PriceError::OutOfRange {
                coin, first, last, ..
            } => format!("a date outside the {coin} table ({first} to {last})"),
            PriceError::MissingDay { coin, .. } => format!("a day missing from the {coin} table"),
            other => other.to_string(),
        };
        Unconverted {
            note: e.to_string(),
            reason,
        }
    })
}

/// What enrichment reads in one listing: the classification and the amounts found (with their
/// positions), and the row of facts stored from them.
pub struct ListingReading {
    pub product: spector_enrich::ProductClass,
    /// Amounts in the title, then in the description.
    pub amounts: [(&'static str, spector_enrich::Amounts); 2],
    pub facts: ListingFacts,
    /// Why the price has no USD value, without its particulars (for the summary).
    pub price_unconverted: Option<String>,
}

/// The row of facts `spector enrich` stores for a listing (see [`read_listing`]).
pub fn listing_facts(listing: &Listing, prices: &PriceTable) -> ListingFacts {
    read_listing(spector_enrich::Classifier::embedded(), listing, prices).facts
}

/// Everything enrichment reads from one listing's words, with `classifier` (the embedded taxonomy for
/// `spector enrich`; `spector classify` may turn fuzzy matching off).
pub fn read_listing(
    classifier: &spector_enrich::Classifier,
    listing: &Listing,
    prices: &PriceTable,
) -> ListingReading {
    let description = listing.description.as_deref().unwrap_or("");
    // Some names changed meaning over the years (an "M30" of 2014 was oxycodone): read as of the listing's date.
    let product = classifier.classify_at(
        &listing.title,
        listing.description.as_deref(),
        listing.created_at,
    );
    let class_group = product.group.map(|g| g.as_str().to_string());
    let matched = product
        .matched
        .iter()
        .map(|m| {
            format!(
                "{}{} [{} {}-{} {}{}]",
                if m.negated { "not " } else { "" },
                m.term,
                field_name(m.field),
                m.start,
                m.end,
                m.how.describe(),
                m.era
                    .as_ref()
                    .map(|e| format!("; {}", e.describe()))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");

    // The title says what one listing offers; a description lists tiers, discounts and other products,
    // so it only fills what the title leaves open.
    let in_title = spector_enrich::parse_amounts(&listing.title);
    let in_description = spector_enrich::parse_amounts(description);
    let (t, d) = (&in_title.summary, &in_description.summary);
    // Grains of bullets and gigabytes of data are not drugs: masses and counts only for drug listings.
    let is_drug = class_group.as_deref() == Some("drug");
    // A title that sizes the offer ("100x M30") is the offer; the masses of a description's price tiers
    // are then other offers, not this one's.
    let title_sizes = t.grams.is_some() || t.count.is_some();
    let (grams, units) = match (is_drug, title_sizes) {
        (false, _) => (None, None),
        (true, true) => (t.grams, t.count.map(f64::from)),
        (true, false) => (d.grams, d.count.map(f64::from)),
    };
    let dose_mg = t.dose_mg.or(d.dose_mg);
    let purity_pct = t.purity_percent.or(d.purity_percent);
    let mut amounts: Vec<String> = Vec::new();
    for (field, found) in [("title", &in_title), ("description", &in_description)] {
        for m in &found.matches {
            amounts.push(format!(
                "{} {} [{field} {}-{}]",
                m.kind.as_str(),
                m.raw,
                m.start,
                m.end
            ));
        }
        for tier in &found.tiers {
            amounts.push(format!(
                "tier {} {} for {} {} [{field} {}-{}]",
                tier.quantity, tier.unit, tier.price, tier.currency, tier.start, tier.end
            ));
        }
    }

    let (price_usd, unconverted) = match listing.price {
        None => (None, None),
        Some(price) => split(convert(
            price,
            listing.currency.as_deref(),
            listing.created_at,
            prices,
        )),
    };

    // Some scrapes write both directions in one field ("From: USA To: Worldwide").
    let from_raw = listing
        .ships_from
        .as_deref()
        .and_then(|raw| spector_enrich::split_from_to(raw, true).0);
    let to_raw = match listing.ships_to.as_deref() {
        Some(raw) => spector_enrich::split_from_to(raw, false).1,
        None => listing
            .ships_from
            .as_deref()
            .and_then(|raw| spector_enrich::split_from_to(raw, true).1),
    };
    let (ships_from, ships_from_kind) = place_columns(from_raw);
    let (ships_to, ships_to_kind) = place_columns(to_raw);

    let facts = ListingFacts {
        listing_id: listing.id.clone(),
        market: listing.market.clone(),
        vendor_id: listing.vendor_id.clone(),
        class: product.class.clone(),
        class_group,
        fentanyl: product.fentanyl,
        counterfeit_pill: product.counterfeit_pill,
        youth_appeal: product.youth_appeal,
        matched,
        grams,
        units,
        dose_mg,
        purity_pct,
        amounts: amounts.join("; "),
        price_usd,
        price_usd_note: unconverted.as_ref().map(|u| u.note.clone()),
        ships_from,
        ships_from_kind,
        ships_to,
        ships_to_kind,
        taxonomy: product.taxonomy_version.clone(),
        enrichment: spector_enrich::enrichment_version().to_string(),
    };
    ListingReading {
        product,
        amounts: [("title", in_title), ("description", in_description)],
        facts,
        price_unconverted: unconverted.map(|u| u.reason),
    }
}

/// ISO codes joined by `,` and the kind of place, for a ships-from or ships-to text.
fn place_columns(raw: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return (None, None);
    };
    let place = spector_enrich::normalise_place(raw);
    let codes = (!place.countries.is_empty()).then(|| place.countries.join(","));
    (codes, Some(place.kind.as_str().to_string()))
}

fn field_name(field: spector_enrich::TextField) -> &'static str {
    match field {
        spector_enrich::TextField::Title => "title",
        spector_enrich::TextField::Description => "description",
    }
}

fn count_listing(report: &mut EnrichReport, reading: &ListingReading, listing: &Listing) {
    let facts = &reading.facts;
    let class = facts.class.as_deref().unwrap_or("unclassified");
    *report.by_class.entry(class.to_string()).or_default() += 1;
    report.fentanyl += usize::from(facts.fentanyl);
    report.counterfeit_pill += usize::from(facts.counterfeit_pill);
    report.youth_appeal += usize::from(facts.youth_appeal);
    report.with_amount += usize::from(facts.grams.is_some() || facts.units.is_some());
    report.listings_priced_usd += usize::from(facts.price_usd.is_some());
    if let Some(reason) = &reading.price_unconverted {
        *report.not_converted.entry(reason.clone()).or_default() += 1;
    }
    if listing.ships_from.is_some() && facts.ships_from_kind.as_deref() == Some("unknown") {
        report.unknown_origins += 1;
    }
}
