use std::collections::{BTreeMap, BTreeSet, HashMap};

use spector_enrich::{PriceTable, classify_listing};
use spector_model::{Account, AccountRole, Feedback, Listing, Order, PersonaMember, RecordId};

pub struct TargetInput<'a> {
    pub members: &'a [PersonaMember],
    pub accounts: &'a [Account],
    pub listings: &'a [Listing],
    pub orders: &'a [Order],
    pub feedback: &'a [Feedback],
    pub prices: &'a PriceTable,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetAccount {
    pub market: String,
    pub name: String,
    pub role: AccountRole,
}

/// One persona measured. USD figures are rounded to cents only for display.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub rank: usize,
    pub persona_id: String,
    pub accounts: Vec<TargetAccount>,
    pub markets: Vec<String>,
    /// Orders that count as sales, from market databases.
    pub sales_orders: u64,
    pub sales_usd: f64,
    /// Feedback on markets without order data, each counted as one sale at the listing price (a lower bound).
    pub feedback_sales: u64,
    pub feedback_sales_usd: f64,
    /// Distinct buyer accounts over the persona's sales orders.
    pub buyers: u64,
    pub fentanyl_listings: u64,
    pub fentanyl_sales_usd: f64,
    /// Sales whose amount could not be converted to USD (date outside the price table, unknown currency).
    pub unconverted_sales: u64,
    pub first_sale: Option<i64>,
    pub last_sale: Option<i64>,
    /// Why the persona ranks where it does, in words.
    pub explanation: String,
}

impl Target {
    pub fn total_usd(&self) -> f64 {
        self.sales_usd + self.feedback_sales_usd
    }
}

#[derive(Default)]
struct Tally {
    sales_orders: u64,
    sales_usd: f64,
    feedback_sales: u64,
    feedback_sales_usd: f64,
    buyers: BTreeSet<RecordId>,
    fentanyl_listings: u64,
    fentanyl_sales_usd: f64,
    unconverted: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl Tally {
    fn seen_at(&mut self, t: Option<i64>) {
        if let Some(t) = t {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }
}

/// Measures every persona that sold anything and ranks them by USD sales (orders plus feedback estimates).
/// Each record once: the same listing, order or feedback entry arrives again from every source that saw it
/// (the crawls of one market in several files), and counting it twice would inflate sales.
fn distinct<'a, T>(items: &'a [T], id: impl Fn(&T) -> &RecordId) -> impl Iterator<Item = &'a T> {
    let mut seen: std::collections::HashSet<&'a RecordId> = std::collections::HashSet::new();
    items.iter().filter(move |item| seen.insert(id(item)))
}

pub fn rank_targets(input: &TargetInput<'_>) -> Vec<Target> {
    let persona_of: HashMap<&RecordId, &str> = input
        .members
        .iter()
        .map(|m| (&m.account_id, m.persona_id.as_str()))
        .collect();
    let listing_by_id: HashMap<&RecordId, &Listing> =
        input.listings.iter().map(|l| (&l.id, l)).collect();
    let fentanyl: BTreeSet<&RecordId> = input
        .listings
        .iter()
        .filter(|l| classify_listing(&l.title, l.description.as_deref()).fentanyl)
        .map(|l| &l.id)
        .collect();
    let markets_with_orders: BTreeSet<&str> =
        input.orders.iter().map(|o| o.market.as_str()).collect();

    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let persona_for = |account: Option<&RecordId>, listing: Option<&RecordId>| {
        let account = account.or_else(|| {
            listing
                .and_then(|l| listing_by_id.get(l))
                .and_then(|l| l.vendor_id.as_ref())
        })?;
        persona_of.get(account).copied()
    };

    for l in distinct(input.listings, |l| &l.id) {
        if fentanyl.contains(&l.id)
            && let Some(p) = persona_for(l.vendor_id.as_ref(), None)
        {
            tallies.entry(p).or_default().fentanyl_listings += 1;
        }
    }
    for o in distinct(input.orders, |o| &o.id).filter(|o| o.state.counts_as_sale()) {
        let Some(p) = persona_for(o.vendor_id.as_ref(), o.listing_id.as_ref()) else {
            continue;
        };
        let t = tallies.entry(p).or_default();
        t.sales_orders += 1;
        t.seen_at(o.created_at);
        if let Some(b) = &o.buyer_id {
            t.buyers.insert(b.clone());
        }
        match usd(input.prices, o.amount, o.currency.as_deref(), o.created_at) {
            Some(v) => {
                t.sales_usd += v;
                if o.listing_id.as_ref().is_some_and(|l| fentanyl.contains(l)) {
                    t.fentanyl_sales_usd += v;
                }
            }
            None => t.unconverted += 1,
        }
    }
    // Feedback stands in for orders only where the market gave us no orders at all.
    for f in distinct(input.feedback, |f| &f.id)
        .filter(|f| !markets_with_orders.contains(f.market.as_str()))
    {
        let Some(p) = persona_for(f.vendor_id.as_ref(), f.listing_id.as_ref()) else {
            continue;
        };
        let listing = f.listing_id.as_ref().and_then(|l| listing_by_id.get(l));
        let t = tallies.entry(p).or_default();
        t.feedback_sales += 1;
        t.seen_at(f.created_at);
        let price = listing.and_then(|l| {
            usd(
                input.prices,
                l.price,
                l.currency.as_deref(),
                f.created_at.or(l.created_at),
            )
        });
        match price {
            Some(v) => {
                t.feedback_sales_usd += v;
                if listing.is_some_and(|l| fentanyl.contains(&l.id)) {
                    t.fentanyl_sales_usd += v;
                }
            }
            None => t.unconverted += 1,
        }
    }

    let mut accounts_of: BTreeMap<&str, Vec<&Account>> = BTreeMap::new();
    for a in input.accounts {
        if let Some(p) = persona_of.get(&a.id) {
            accounts_of.entry(p).or_default().push(a);
        }
    }

    let mut targets: Vec<Target> = tallies
        .into_iter()
        .filter(|(_, t)| t.sales_orders + t.feedback_sales > 0)
        .map(|(persona, t)| {
            let accs = accounts_of.get(persona).cloned().unwrap_or_default();
            let markets: BTreeSet<String> = accs.iter().map(|a| a.market.clone()).collect();
            let mut target = Target {
                rank: 0,
                persona_id: persona.to_string(),
                accounts: accs
                    .iter()
                    .map(|a| TargetAccount {
                        market: a.market.clone(),
                        name: a.name.clone(),
                        role: a.role,
                    })
                    .collect(),
                markets: markets.into_iter().collect(),
                sales_orders: t.sales_orders,
                sales_usd: t.sales_usd,
                feedback_sales: t.feedback_sales,
                feedback_sales_usd: t.feedback_sales_usd,
                buyers: t.buyers.len() as u64,
                fentanyl_listings: t.fentanyl_listings,
                fentanyl_sales_usd: t.fentanyl_sales_usd,
                unconverted_sales: t.unconverted,
                first_sale: t.first,
                last_sale: t.last,
                explanation: String::new(),
            };
            target.explanation = explain(&target);
            target
        })
        .collect();
    targets.sort_by(|a, b| {
        b.total_usd()
            .total_cmp(&a.total_usd())
            .then_with(|| a.persona_id.cmp(&b.persona_id))
    });
    for (i, t) in targets.iter_mut().enumerate() {
        t.rank = i + 1;
    }
    targets
}

fn usd(
    prices: &PriceTable,
    amount: Option<f64>,
    currency: Option<&str>,
    at: Option<i64>,
) -> Option<f64> {
    let (amount, currency) = (amount?, currency?);
    if currency.eq_ignore_ascii_case("usd") {
        return Some(amount);
    }
    prices.to_usd(amount, currency, at?).ok()
}

fn explain(t: &Target) -> String {
    let mut parts = vec![format!(
        "${:.0} in sales across {} market(s)",
        t.total_usd(),
        t.markets.len()
    )];
    if t.sales_orders > 0 {
        parts.push(format!(
            "{} sales orders (${:.0}) to {} buyers",
            t.sales_orders, t.sales_usd, t.buyers
        ));
    }
    if t.feedback_sales > 0 {
        parts.push(format!(
            "{} feedback-estimated sales (${:.0}, a lower bound)",
            t.feedback_sales, t.feedback_sales_usd
        ));
    }
    if t.fentanyl_listings > 0 {
        parts.push(format!(
            "fentanyl: {} listing(s), ${:.0} of sales",
            t.fentanyl_listings, t.fentanyl_sales_usd
        ));
    }
    if t.unconverted_sales > 0 {
        parts.push(format!(
            "{} sale(s) not converted to USD (no price for the date or currency)",
            t.unconverted_sales
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use spector_model::{EntityKind, OrderState, Provenance};

    fn prov(source: &str) -> Provenance {
        Provenance {
            src_sha256: source.into(),
            src_table: "t".into(),
            src_row: 1,
            src_offset: 0,
            src_len: 1,
        }
    }

    fn feedback(key: &str, source: &str) -> Feedback {
        Feedback {
            id: RecordId::new("agora", EntityKind::Feedback, key),
            market: "agora".into(),
            order_id: None,
            listing_id: Some(RecordId::new("agora", EntityKind::Listing, "l1")),
            vendor_id: Some(RecordId::new("agora", EntityKind::Account, "v")),
            buyer_id: None,
            rating: Some(5.0),
            comment: None,
            created_at: Some(1_391_212_800),
            provenance: prov(source),
        }
    }

    fn order(key: &str, source: &str) -> Order {
        Order {
            id: RecordId::new("abyss", EntityKind::Order, key),
            market: "abyss".into(),
            listing_id: None,
            buyer_id: Some(RecordId::new("abyss", EntityKind::Account, "b")),
            vendor_id: Some(RecordId::new("abyss", EntityKind::Account, "w")),
            quantity: Some(1.0),
            amount: Some(10.0),
            currency: Some("USD".into()),
            state: OrderState::Finalized,
            state_raw: None,
            created_at: Some(1_600_000_000),
            provenance: prov(source),
        }
    }

    #[test]
    fn a_record_seen_by_several_sources_counts_once() {
        let listing = Listing {
            id: RecordId::new("agora", EntityKind::Listing, "l1"),
            market: "agora".into(),
            vendor_id: Some(RecordId::new("agora", EntityKind::Account, "v")),
            title: "10x oxycodone 30mg".into(),
            description: None,
            category: None,
            price: Some(0.1),
            currency: Some("BTC".into()),
            ships_from: None,
            ships_to: None,
            created_at: Some(1_391_212_800),
            provenance: prov("jan"),
        };
        let members = [
            PersonaMember {
                persona_id: "P-1".into(),
                account_id: RecordId::new("agora", EntityKind::Account, "v"),
            },
            PersonaMember {
                persona_id: "P-2".into(),
                account_id: RecordId::new("abyss", EntityKind::Account, "w"),
            },
        ];
        // The January and February crawls both saw f1 and the listing; f2 only in February.
        let listings = [
            listing.clone(),
            Listing {
                provenance: prov("feb"),
                ..listing
            },
        ];
        let feedback = [
            feedback("f1", "jan"),
            feedback("f1", "feb"),
            feedback("f2", "feb"),
        ];
        let orders = [
            order("o1", "dump"),
            order("o1", "dump-again"),
            order("o2", "dump"),
        ];
        let prices = PriceTable::shipped();
        let targets = rank_targets(&TargetInput {
            members: &members,
            accounts: &[],
            listings: &listings,
            orders: &orders,
            feedback: &feedback,
            prices,
        });
        let by_persona: BTreeMap<&str, &Target> =
            targets.iter().map(|t| (t.persona_id.as_str(), t)).collect();
        assert_eq!(by_persona["P-1"].feedback_sales, 2);
        assert_eq!(by_persona["P-2"].sales_orders, 2);
        assert!((by_persona["P-2"].sales_usd - 20.0).abs() < 1e-9);
    }
}
