//! Benchmark of the enrichment stage end to end over a case: N listings (default 1,000,000) and as many
//! orders are written into a fresh case, then `run_enrich` reads them back, classifies, parses amounts,
//! converts prices, normalises places and stores `listing_facts` and `order_values`; its time is reported.
//!
//! `cargo run --release -p spector-pipeline --example enrich_listings -- [N]`
//!
//! Titles and descriptions are drawn from a fixed mix of realistic listing texts (drugs of every class, pills,
//! non-drug goods, several languages, prices in tiers, PGP and handle mentions), seeded, so runs compare.

use std::time::Instant;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spector_model::*;
use spector_pipeline::{EnrichOptions, NoProgress, run_enrich};
use spector_store::Case;

const TITLES: &[&str] = &[
    "100x M30 blues - pressed in USA",
    "Fentanyl HCl 98% 1g",
    "China White 3.5g",
    "Rainbow M30s x50 (skittles)",
    "Afghan Heroin #4 10g",
    "Crystal Meth shards 7g",
    "Peruvian cocaine 90% 3.5g",
    "Xanax bars G3722 x100",
    "MDMA crystal 84% 5g",
    "Amnesia Haze 1oz",
    "Fake passport (EU)",
    "Fentanyl test strips x10",
    "Oxycodone 10mg pharma x30",
    "Kokain 1 Gramm 85% - Versand aus Deutschland",
    "Speed Paste 100g Holland",
    "Мефедрон 5 г",
    "LSD 250ug blotters x10",
    "Testosterone Enanthate 250mg/ml 10ml",
    "CVV fullz USA x20",
    "Half key Bolivian flake",
    "QP OG Kush",
    "25mcg fentanyl patch x5",
    "1GR 90% Heroin",
    "Special offer - free shipping",
];
const WORDS: &[&str] = &[
    "stealth",
    "shipping",
    "from",
    "NL",
    "to",
    "worldwide",
    "10g",
    "$120",
    "escrow",
    "only",
    "quality",
    "tested",
    "reship",
    "once",
    "vacuum",
    "sealed",
    "tracking",
    "available",
    "please",
    "read",
    "our",
    "terms",
    "before",
    "ordering",
    "no",
    "FE",
    "for",
    "new",
    "buyers",
    "3.5g",
    "x100",
    "lab",
    "pure",
    "contact",
    "wickr:",
    "plugdirect",
    "telegram",
    "@fastplug",
    "1g",
    "-",
    "0.05",
    "BTC",
    "/",
    "5g",
    "0.2",
    "discount",
    "bulk",
    "USA",
    "UK",
    "Germany",
    "Torland",
    "EU",
];
const PLACES: &[&str] = &[
    "USA",
    "United States",
    "Germany",
    "Netherlands",
    "UK",
    "Torland",
    "Worldwide",
    "EU",
    "Canada",
    "Australia",
    "Deutschland",
    "China",
    "Undeclared",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |s| s.parse())?;
    let tmp = tempfile::tempdir()?;
    let case = Case::init(&tmp.path().join("case"))?;
    let src = tmp.path().join("listings.sql");
    std::fs::write(&src, format!("synthetic source of {n} listings"))?;
    let ev = case.add_evidence(&src, "abyss")?;
    let provenance = |table: &str, row: u64| Provenance {
        src_sha256: ev.sha256.as_str().into(),
        src_table: table.into(),
        src_row: row,
        src_offset: row * 200,
        src_len: 200,
    };

    let started = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut writer = case.begin_source(&ev, "abyss", "mysql-dump", "bench")?;
    let mut text_bytes = 0usize;
    for i in 0..n {
        let title = TITLES
            .choose(&mut rng)
            .copied()
            .unwrap_or_default()
            .to_string();
        let words = rng.gen_range(20..120);
        let description: Vec<&str> = (0..words)
            .map(|_| WORDS.choose(&mut rng).copied().unwrap_or_default())
            .collect();
        let description = description.join(" ");
        text_bytes += title.len() + description.len();
        let created_at = 1_388_534_400 + rng.gen_range(0..220_000_000i64);
        let listing_id = RecordId::new("abyss", EntityKind::Listing, &i.to_string());
        let vendor_id = RecordId::new("abyss", EntityKind::Account, &(i % 5_000).to_string());
        writer.push(Record::Listing(Listing {
            id: listing_id.clone(),
            market: "abyss".into(),
            vendor_id: Some(vendor_id.clone()),
            title,
            description: Some(description),
            category: None,
            price: Some(rng.gen_range(0.001..2.0)),
            currency: Some(if i % 4 == 0 { "XMR" } else { "BTC" }.into()),
            ships_from: PLACES.choose(&mut rng).map(|p| p.to_string()),
            ships_to: PLACES.choose(&mut rng).map(|p| p.to_string()),
            created_at: Some(created_at),
            provenance: provenance("products", i + 1),
        }))?;
        writer.push(Record::Order(Order {
            id: RecordId::new("abyss", EntityKind::Order, &i.to_string()),
            market: "abyss".into(),
            listing_id: Some(listing_id),
            buyer_id: None,
            vendor_id: Some(vendor_id),
            quantity: Some(1.0),
            amount: Some(rng.gen_range(0.001..2.0)),
            currency: Some(if i % 4 == 0 { "XMR" } else { "BTC" }.into()),
            state: OrderState::Finalized,
            state_raw: None,
            created_at: Some(created_at),
            provenance: provenance("purchases", i + 1),
        }))?;
    }
    writer.commit(2 * n)?;
    eprintln!(
        "wrote {n} listings ({:.0} MB of title and description text) and {n} orders in {:.1} s",
        text_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let report = run_enrich(&case, &EnrichOptions::default(), &NoProgress)?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "| enrich (read, classify, amounts, USD, places, store), {n} listings + {n} orders | {took:.1} s | {:.0} listings/s |",
        n as f64 / took
    );
    eprintln!(
        "fentanyl {} · counterfeit {} · youth {} · with amount {} · priced USD {} · orders valued {}",
        report.fentanyl,
        report.counterfeit_pill,
        report.youth_appeal,
        report.with_amount,
        report.listings_priced_usd,
        report.orders_valued_usd
    );
    Ok(())
}
