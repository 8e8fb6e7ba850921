//! The enrichment stage over a synthetic world, measured against what each listing really sells
//! (`truth/listings.csv`) and what each vendor really earned (`truth/vendor_sales.csv`).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use spector_pipeline::{
    EnrichOptions, IngestOptions, NoProgress, ProfileChoice, ingest_source, run_enrich,
};
use spector_store::Case;
use spector_synth::{SynthConfig, generate};

/// The taxonomy class a synthetic product kind must be classified as (or a class below it).
fn expected_class(kind: &str) -> &'static str {
    match kind {
        "fentanyl_powder" | "fentanyl_analogue" => "fentanyl",
        "pressed_m30" | "rainbow_pills" => "fentanyl_pressed_pill",
        "nitazene" => "nitazene",
        "heroin" => "heroin",
        "meth" => "meth",
        "cocaine" => "cocaine",
        "cannabis" => "cannabis",
        "benzo_bars" => "benzodiazepine",
        "mdma" => "mdma",
        "fake_documents" => "counterfeit_document",
        "fraud_data" => "fraud_data",
        other => panic!("a product kind this test does not know: {other}"),
    }
}

struct Enriched {
    _dir: tempfile::TempDir,
    world: PathBuf,
    case: Case,
}

fn enriched_world(seed: u64, scale: f64) -> Enriched {
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world");
    generate(
        &SynthConfig {
            seed,
            scale,
            markets: 6,
        },
        &world,
        &|_| {},
    )
    .unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    let mut files = Vec::new();
    for market in std::fs::read_dir(world.join("markets")).unwrap() {
        let market = market.unwrap().path();
        let name = market.file_name().unwrap().to_string_lossy().into_owned();
        // The images are not read by enrichment.
        for f in std::fs::read_dir(&market).unwrap() {
            let f = f.unwrap().path();
            if f.is_file() {
                files.push((name.clone(), f));
            }
        }
    }
    files.sort();
    for (market, file) in files {
        ingest_source(
            &case,
            &market,
            &file,
            &ProfileChoice::Auto,
            &IngestOptions::default(),
            &NoProgress,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
    run_enrich(&case, &EnrichOptions::default(), &NoProgress).unwrap();
    Enriched {
        _dir: dir,
        world,
        case,
    }
}

#[test]
fn classes_and_fentanyl_flags_match_what_the_synthetic_listings_sell() {
    let e = enriched_world(23, 3.0);
    let taxonomy = spector_enrich::Taxonomy::embedded();
    let names: HashMap<String, String> = e
        .case
        .accounts()
        .unwrap()
        .into_iter()
        .map(|a| (a.id.to_string(), a.name))
        .collect();
    let listings: HashMap<String, (String, String, String)> = e
        .case
        .listings()
        .unwrap()
        .into_iter()
        .map(|l| {
            let vendor = l
                .vendor_id
                .as_ref()
                .and_then(|v| names.get(v.as_str()).cloned())
                .unwrap_or_default();
            (l.id.to_string(), (l.market, vendor, l.title))
        })
        .collect();
    let rows = e.case.listing_facts().unwrap();
    assert_eq!(rows.len(), listings.len(), "one row of facts a listing");
    // A vendor may list the same title twice; both are then classified alike.
    let facts: HashMap<(String, String, String), spector_model::ListingFacts> = rows
        .into_iter()
        .map(|f| (listings[f.listing_id.as_str()].clone(), f))
        .collect();

    let (mut tp, mut fp, mut fnn, mut right, mut total) = (0, 0, 0, 0, 0);
    let mut wrong: BTreeMap<String, usize> = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(e.world.join("truth/listings.csv")).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        let key = (r[0].to_string(), r[1].to_string(), r[2].to_string());
        let Some(f) = facts.get(&key) else {
            continue; // a listing of a market whose dump names no vendor for it
        };
        total += 1;
        let fentanyl = &r[4] == "true";
        match (fentanyl, f.fentanyl) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fnn += 1,
            (false, false) => {}
        }
        let expected = expected_class(&r[3]);
        let class = f.class.as_deref().unwrap_or("");
        if class == expected || taxonomy.is_a(class, expected) {
            right += 1;
        } else {
            *wrong
                .entry(format!("{} as {class:?}: {}", &r[3], &r[2]))
                .or_default() += 1;
        }
        assert!(
            !f.matched.is_empty() || f.class.is_none(),
            "a class without the words that decided it: {key:?}"
        );
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fnn).max(1) as f64;
    let accuracy = right as f64 / total.max(1) as f64;
    println!(
        "{total} listings: class accuracy {accuracy:.4}; fentanyl flag precision {precision:.4} recall {recall:.4} ({tp} true positives)"
    );
    for (w, n) in wrong.iter().take(20) {
        println!("  {n:>4} {w}");
    }
    assert!(total > 500, "compared {total} listings");
    assert!(tp > 50, "{tp} fentanyl listings found");
    assert!(precision >= 0.99, "fentanyl flag precision {precision:.4}");
    assert!(recall >= 0.99, "fentanyl flag recall {recall:.4}");
    assert!(accuracy >= 0.97, "class accuracy {accuracy:.4}");
}

#[test]
fn order_values_add_up_to_each_vendors_true_sales_in_usd() {
    let e = enriched_world(29, 1.0);
    let names: HashMap<String, (String, String)> = e
        .case
        .accounts()
        .unwrap()
        .into_iter()
        .map(|a| (a.id.to_string(), (a.market, a.name)))
        .collect();
    let orders: HashMap<String, spector_model::Order> = e
        .case
        .orders()
        .unwrap()
        .into_iter()
        .map(|o| (o.id.to_string(), o))
        .collect();
    let mut measured: HashMap<(String, String), f64> = HashMap::new();
    let mut unvalued = 0;
    for v in e.case.order_values().unwrap() {
        let order = &orders[v.order_id.as_str()];
        if !order.state.counts_as_sale() {
            continue;
        }
        let Some(usd) = v.usd else {
            unvalued += 1;
            assert!(v.usd_note.is_some(), "no value and no reason: {v:?}");
            continue;
        };
        let vendor = v.vendor_id.as_ref().map(|id| names[id.as_str()].clone());
        *measured.entry(vendor.unwrap()).or_default() += usd;
    }
    assert_eq!(
        unvalued, 0,
        "the synthetic orders are all inside the price tables"
    );
    let mut rdr = csv::Reader::from_path(e.world.join("truth/vendor_sales.csv")).unwrap();
    let mut compared = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let true_usd: f64 = r[4].parse().unwrap();
        let Some(usd) = measured.get(&(r[0].to_string(), r[1].to_string())) else {
            continue; // a crawled market: no orders to value
        };
        assert!(
            (usd - true_usd).abs() <= 0.01 * true_usd.max(1.0),
            "{}:{} order values {usd:.2} vs true {true_usd:.2}",
            &r[0],
            &r[1]
        );
        compared += 1;
    }
    assert!(compared > 20, "compared {compared} vendors");
}

/// The same listing and order stored by two sources (a market crawled twice): one row of facts and one
/// value each, so that a join of `order_values` with `listing_facts` counts a sale once.
#[test]
fn a_listing_and_an_order_stored_by_two_sources_are_enriched_once() {
    use spector_model::*;
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    for (n, crawl) in ["march.csv", "april.csv"].iter().enumerate() {
        let src = dir.path().join(crawl);
        std::fs::write(&src, format!("crawl {n}")).unwrap();
        let ev = case.add_evidence(&src, "agora").unwrap();
        let provenance = Provenance {
            src_sha256: ev.sha256.as_str().into(),
            src_table: (*crawl).into(),
            src_row: 1,
            src_offset: 0,
            src_len: 7,
        };
        let listing_id = RecordId::new("agora", EntityKind::Listing, "l1");
        let vendor_id = RecordId::new("agora", EntityKind::Account, "v1");
        let mut w = case.begin_source(&ev, "agora", "csv", "test").unwrap();
        w.push(Record::Listing(Listing {
            id: listing_id.clone(),
            market: "agora".into(),
            vendor_id: Some(vendor_id.clone()),
            title: "Fentanyl HCl 1g".into(),
            description: None,
            category: None,
            price: Some(100.0),
            currency: Some("USD".into()),
            ships_from: Some("USA".into()),
            ships_to: None,
            created_at: Some(1_600_000_000),
            provenance: provenance.clone(),
        }))
        .unwrap();
        w.push(Record::Order(Order {
            id: RecordId::new("agora", EntityKind::Order, "o1"),
            market: "agora".into(),
            listing_id: Some(listing_id),
            buyer_id: None,
            vendor_id: None,
            quantity: Some(1.0),
            amount: Some(100.0),
            currency: Some("USD".into()),
            state: OrderState::Finalized,
            state_raw: None,
            created_at: Some(1_600_000_000),
            provenance,
        }))
        .unwrap();
        w.commit(2).unwrap();
    }
    assert_eq!(case.listings().unwrap().len(), 2, "both crawls stored it");
    let report = run_enrich(&case, &EnrichOptions::default(), &NoProgress).unwrap();
    assert_eq!((report.listings, report.listing_copies), (1, 1));
    assert_eq!((report.orders, report.orders_read), (1, 2));
    let facts = case.listing_facts().unwrap();
    assert_eq!(facts.len(), 1);
    assert!(facts[0].fentanyl);
    assert_eq!(facts[0].ships_from.as_deref(), Some("US"));
    let values = case.order_values().unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].usd, Some(100.0));
    // The order names no vendor: it is its listing's.
    assert_eq!(
        values[0].vendor_id.as_ref().map(RecordId::as_str),
        Some("agora/account/v1")
    );
}

/// A Monero order after the shipped XMR table ends (April 2021) gets no USD value, the reason stored with
/// it, and the summary counts the reason.
#[test]
fn an_amount_outside_the_price_table_is_not_converted_and_says_why() {
    use spector_model::*;
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    let src = dir.path().join("orders.sql");
    std::fs::write(&src, "orders").unwrap();
    let ev = case.add_evidence(&src, "hydra").unwrap();
    let mut w = case
        .begin_source(&ev, "hydra", "mysql-dump", "test")
        .unwrap();
    for (n, at) in [(1, 1_600_000_000i64), (2, 1_650_000_000)] {
        w.push(Record::Order(Order {
            id: RecordId::new("hydra", EntityKind::Order, &n.to_string()),
            market: "hydra".into(),
            listing_id: None,
            buyer_id: None,
            vendor_id: None,
            quantity: None,
            amount: Some(2.0),
            currency: Some("XMR".into()),
            state: OrderState::Finalized,
            state_raw: None,
            created_at: Some(at),
            provenance: Provenance {
                src_sha256: ev.sha256.as_str().into(),
                src_table: "orders".into(),
                src_row: n,
                src_offset: 0,
                src_len: 6,
            },
        }))
        .unwrap();
    }
    w.commit(2).unwrap();
    let report = run_enrich(&case, &EnrichOptions::default(), &NoProgress).unwrap();
    assert_eq!(report.orders_valued_usd, 1);
    assert_eq!(
        report.not_converted.into_iter().collect::<Vec<_>>(),
        [(
            "a date outside the xmr table (2014-09-17 to 2021-04-29)".to_string(),
            1
        )]
    );
    let mut values = case.order_values().unwrap();
    values.sort_by(|a, b| a.order_id.as_str().cmp(b.order_id.as_str()));
    assert!(values[0].usd.is_some_and(|usd| usd > 0.0) && values[0].usd_note.is_none());
    assert_eq!(values[1].usd, None);
    let note = values[1].usd_note.as_deref().unwrap();
    assert!(
        note.contains("2022-04-15") && note.contains("2021-04-29"),
        "{note}"
    );
}
