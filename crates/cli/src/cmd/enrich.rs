use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use spector_enrich::PriceTable;
use spector_pipeline::{EnrichOptions, EnrichReport, run_enrich};
use spector_store::Case;

use crate::output::Output;
use crate::progress::Bar;

#[derive(Args)]
pub struct EnrichArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    /// Convert with your own daily price table for a coin, as COIN=FILE: a CSV with a `date` column
    /// (YYYY-MM-DD) and a `<coin>_usd` or `<coin>_usd_close` column, like the shipped tables. It replaces the
    /// shipped table for that coin (BTC 2011–2024 and XMR 2014-09-17 to 2021-04-29 are shipped). Repeatable.
    #[arg(long = "prices", value_name = "COIN=FILE")]
    pub prices: Vec<String>,
}

pub fn run(args: EnrichArgs, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(&args.case)?;
    let mut prices = PriceTable::shipped().clone();
    for spec in &args.prices {
        let (coin, file) = spec
            .split_once('=')
            .with_context(|| format!("--prices {spec:?}: expected COIN=FILE, e.g. xmr=xmr.csv"))?;
        let reader = std::fs::File::open(file).with_context(|| format!("opening {file}"))?;
        let table = PriceTable::from_csv_reader(coin, reader)
            .with_context(|| format!("price table {file}"))?;
        prices.merge(table);
    }
    let report = run_enrich(&case, &EnrichOptions { prices }, &Bar::new())?;
    print_report(&report, out)
}

pub fn print_report(r: &EnrichReport, out: &Output) -> anyhow::Result<()> {
    if out.json {
        return out.print_json(&serde_json::json!({
            "taxonomy": r.taxonomy,
            "enrichment": r.enrichment,
            "listings": r.listings,
            "listing_copies": r.listing_copies,
            "by_class": r.by_class,
            "fentanyl": r.fentanyl,
            "counterfeit_pill": r.counterfeit_pill,
            "youth_appeal": r.youth_appeal,
            "with_amount": r.with_amount,
            "listings_priced_usd": r.listings_priced_usd,
            "orders": r.orders,
            "orders_read": r.orders_read,
            "orders_valued_usd": r.orders_valued_usd,
            "not_converted": r.not_converted,
            "unknown_origins": r.unknown_origins,
        }));
    }
    out.line(&format!(
        "{} listings enriched (taxonomy {}, rules {}): {} fentanyl-related, {} counterfeit pills, {} aimed at young buyers; {} with an amount, {} priced in USD",
        r.listings,
        r.taxonomy,
        r.enrichment,
        r.fentanyl,
        r.counterfeit_pill,
        r.youth_appeal,
        r.with_amount,
        r.listings_priced_usd
    ));
    if r.listing_copies > 0 || r.orders_read > r.orders {
        out.line(&format!(
            "  (further copies stored by other sources, enriched once: {} listings, {} orders)",
            r.listing_copies,
            r.orders_read - r.orders
        ));
    }
    let mut classes: Vec<(&String, &usize)> = r.by_class.iter().collect();
    classes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (class, n) in classes {
        out.line(&format!("  {class:<24} {n:>8}"));
    }
    out.line(&format!(
        "{} orders, {} valued in USD at their date",
        r.orders, r.orders_valued_usd
    ));
    if !r.not_converted.is_empty() {
        out.line("not converted (never guessed):");
        for (why, n) in &r.not_converted {
            out.line(&format!("  {n:>8}  {why}"));
        }
    }
    if r.unknown_origins > 0 {
        out.line(&format!(
            "{} listings ship from a place enrichment does not know (kept as written; see listing_facts.ships_from_kind = 'unknown')",
            r.unknown_origins
        ));
    }
    out.line(
        "query them: spector sql --case DIR \"SELECT * FROM listing_facts\" (also order_values)",
    );
    Ok(())
}
