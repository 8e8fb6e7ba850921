//! The real scraped markets in `../shared/data/markets` ingest with the shipped profiles, and every figure of
//! the ingest report matches a count made here independently of the readers and profiles: physical records
//! with the `csv` crate or a line scan, listings, vendors and feedback entries with plain string handling.
//! Nothing vanishes: every physical record is a row read or a quarantined reject.
//!
//! `cargo test -p spector-pipeline --test real_data -- --nocapture` prints the table in README.md.
//! Skips with a one-line message when the data is absent (a fresh clone); `SPECTOR_SHARED_DATA` names
//! another `shared/data` folder.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use spector_pipeline::{
    IngestOptions, IngestReport, NoProgress, ProfileChoice, RejectStage, ingest_source,
};
use spector_store::Case;

/// `shared/data/markets` beside the project (or an ancestor folder of it, as for git worktrees).
fn markets_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SPECTOR_SHARED_DATA") {
        return Some(PathBuf::from(dir).join("markets")).filter(|d| d.is_dir());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.ancestors()
        .skip(1)
        .map(|a| a.join("shared/data/markets"))
        .find(|d| d.is_dir())
}

macro_rules! data_or_skip {
    () => {
        match markets_dir() {
            Some(dir) => dir,
            None => {
                eprintln!("skipped: ../shared/data/markets is absent");
                return;
            }
        }
    };
}

/// What a file should give, counted here.
#[derive(Debug, Default)]
struct Expected {
    physical: u64,
    stored: BTreeMap<&'static str, u64>,
    duplicates: BTreeMap<&'static str, u64>,
    recovered: u64,
    /// Rows read that the profile cannot map (quarantined).
    unmappable: u64,
}

fn ingest(dir: &Path, market: &str, file: &Path, profile: Option<&str>) -> (Case, IngestReport) {
    let case = Case::init(&dir.join("case")).expect("case");
    let choice = match profile {
        Some(p) => ProfileChoice::Named(p),
        None => ProfileChoice::Auto,
    };
    let options = IngestOptions {
        allow_rejects: true,
    };
    let report = ingest_source(&case, market, file, &choice, &options, &NoProgress)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    (case, report)
}

/// Checks a report against the counts made here; returns its line of the table.
fn check(report: &IngestReport, expected: &Expected) -> String {
    let name = report.file.file_name().unwrap().to_string_lossy();
    let read_rejects: Vec<_> = (report.rejects.iter())
        .filter(|r| r.stage == RejectStage::Read)
        .collect();
    let map_rejects: Vec<_> = (report.rejects.iter())
        .filter(|r| r.stage == RejectStage::Map)
        .collect();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for r in &report.rejects {
        // The reason without positions, to group them.
        let reason = r.reason.split(" (at byte").next().unwrap_or(&r.reason);
        *reasons.entry(reason.to_string()).or_default() += 1;
    }
    let fmt = |m: &BTreeMap<&'static str, u64>| {
        if m.is_empty() {
            return "0".to_string();
        }
        m.iter()
            .map(|(t, n)| format!("{n} {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let line = format!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} |",
        report.profile,
        report.rows_read,
        fmt(&report.stored),
        report.recovered,
        if reasons.is_empty() {
            "0".to_string()
        } else {
            reasons
                .iter()
                .map(|(r, n)| format!("{n}: {r}"))
                .collect::<Vec<_>>()
                .join("; ")
        },
        fmt(&report.duplicates),
        expected.physical,
    );

    assert_eq!(
        report.rows_read + read_rejects.len() as u64,
        expected.physical,
        "{name}: every physical record is a row read or a quarantined reject"
    );
    assert_eq!(
        map_rejects.len() as u64,
        expected.unmappable,
        "{name}: rows the profile could not map: {:?}",
        &map_rejects[..map_rejects.len().min(5)]
    );
    assert_eq!(report.recovered, expected.recovered, "{name}: recovered");
    for (table, n) in &expected.stored {
        assert_eq!(
            report.stored.get(table).copied().unwrap_or(0),
            *n,
            "{name}: {table} stored"
        );
    }
    assert_eq!(report.duplicates, expected.duplicates, "{name}: duplicates");
    line
}

fn print_table(lines: &[String]) {
    println!(
        "| file | profile | rows read | stored | recovered | quarantined | duplicates dropped | physical records |\n|---|---|---|---|---|---|---|---|\n{}",
        lines.join("\n")
    );
}

fn count(n: usize) -> u64 {
    n as u64
}

/// Drops `n - distinct` into `duplicates` when there are any.
fn dedup_figures(e: &mut Expected, table: &'static str, rows: usize, distinct: usize) {
    e.stored.insert(table, count(distinct));
    if rows > distinct {
        e.duplicates.insert(table, count(rows - distinct));
    }
}

/// Agora's `list` column: `2014-01-01__a1BkWEipyk.html` → `a1BkWEipyk`.
fn listing_key(list: &str) -> &str {
    let key = list.split_once("__").map_or(list, |(_, k)| k);
    key.strip_suffix(".html").unwrap_or(key)
}

/// One feedback entry of an Agora page, found by its age line ("5 days ago") that follows a blank line.
struct Entry {
    rating: String,
    comment: String,
}

/// Splits a feedback cell into entries by lines, without regular expressions: an entry is a rating line
/// `N/5`, comment lines, a line of spaces, an empty line, an age line `N days ago`, a buyer line.
fn feedback_entries(cell: &str) -> Vec<Entry> {
    let lines: Vec<&str> = cell.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let is_age = |l: &str| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words.len() == 3 && words[0].bytes().all(|b| b.is_ascii_digit()) && words[2] == "ago"
    };
    let is_rating = |l: &str| {
        let t = l.trim();
        t.strip_suffix("/5")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut out = Vec::new();
    let mut from = 0;
    for a in 2..lines.len() {
        if !(is_age(lines[a]) && lines[a - 1].is_empty() && lines[a - 2].trim().is_empty()) {
            continue;
        }
        let Some(r) = (from..a).find(|&i| is_rating(lines[i])) else {
            continue;
        };
        out.push(Entry {
            rating: lines[r].trim().trim_end_matches("/5").to_string(),
            comment: lines[r + 1..a - 2].join("\n").trim().to_string(),
        });
        from = a + 2;
    }
    out
}

fn agora_products_expected(file: &Path) -> Expected {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .expect("csv");
    let headers = csv.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (list, vendor, feedback) = (col("list"), col("vendor"), col("feedback"));
    let mut e = Expected::default();
    let (mut listings, mut vendors, mut entries) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut entry_rows = 0;
    for record in csv.records() {
        let record = record.expect("record");
        e.physical += 1;
        let key = listing_key(&record[list]).to_string();
        listings.insert(key.clone());
        vendors.insert(record[vendor].trim().to_string());
        let mut occurrence: HashMap<(String, String), u64> = HashMap::new();
        for entry in feedback_entries(&record[feedback]) {
            entry_rows += 1;
            let n = occurrence
                .entry((entry.rating.clone(), entry.comment.clone()))
                .or_default();
            *n += 1;
            entries.insert((key.clone(), entry.rating, entry.comment, *n));
        }
    }
    let rows = e.physical as usize;
    dedup_figures(&mut e, "listings", rows, listings.len());
    dedup_figures(&mut e, "accounts", rows, vendors.len());
    dedup_figures(&mut e, "feedback", entry_rows, entries.len());
    e
}

fn agora_vendors_expected(file: &Path) -> Expected {
    let mut csv = csv::Reader::from_path(file).expect("csv");
    let mut e = Expected::default();
    let (mut listings, mut vendors) = (BTreeSet::new(), BTreeSet::new());
    for record in csv.records() {
        let r = record.expect("record");
        e.physical += 1;
        let description = Some(r[3].trim()).filter(|d| !d.is_empty() && *d != "NA");
        listings.insert((
            r[1].trim().to_string(),
            r[2].trim().to_string(),
            description.map(str::to_string),
        ));
        vendors.insert(r[1].trim().to_string());
    }
    let rows = e.physical as usize;
    dedup_figures(&mut e, "listings", rows, listings.len());
    dedup_figures(&mut e, "accounts", rows, vendors.len());
    e
}

#[test]
fn agora_product_pages_ingest_with_every_figure_accounted_for() {
    let markets = data_or_skip!();
    let mut files: Vec<PathBuf> = std::fs::read_dir(markets.join("agora-2014"))
        .expect("agora-2014")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("products-"))
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "the five Agora product batches");
    let mut lines = Vec::new();
    for file in files {
        let dir = tempfile::tempdir().expect("tmp");
        let (case, report) = ingest(dir.path(), "agora", &file, None);
        assert_eq!(
            report.profile, "agora-products",
            "recognised from its header"
        );
        let expected = agora_products_expected(&file);
        lines.push(check(&report, &expected));
        // Feedback dates are the crawl date minus the age, and the listing key leaves the crawl date out.
        let feedback = case.feedback().expect("feedback");
        assert!(
            feedback
                .iter()
                .all(|f| f.created_at.is_some() && f.rating.is_some())
        );
        let listings = case.listings().expect("listings");
        assert!(listings.iter().all(|l| !l.id.native_key().contains("__")
            && l.currency.as_deref() == Some("BTC")
            && l.created_at.is_some()));
    }
    print_table(&lines);
}

#[test]
fn agora_vendor_pages_ingest_with_every_figure_accounted_for() {
    let markets = data_or_skip!();
    let file = markets.join("agora-2014/vendorall_0114.csv");
    let dir = tempfile::tempdir().expect("tmp");
    let (case, report) = ingest(dir.path(), "agora", &file, None);
    assert_eq!(
        report.profile, "agora-vendors",
        "recognised from its header"
    );
    let line = check(&report, &agora_vendors_expected(&file));
    let listings = case.listings().expect("listings");
    assert!(listings.iter().all(|l| l.id.native_key().len() == 16));
    print_table(&[line]);
}

/// Panacea lines are `"panacea","<vendor>","<text>","<unix>"`; the text is what lies between the third
/// `","` and the last one.
fn panacea_expected(file: &Path) -> (Expected, u64) {
    let text = std::fs::read_to_string(file).expect("panacea");
    let mut e = Expected::default();
    let (mut listings, mut vendors) = (BTreeSet::new(), BTreeSet::new());
    let mut quoted_field_boundaries = 0;
    for line in text.lines() {
        e.physical += 1;
        let rest = line.strip_prefix("\"panacea\",\"").expect("market");
        let (vendor, rest) = rest.split_once("\",\"").expect("vendor");
        let (body, _unix) = rest.rsplit_once("\",\"").expect("unix");
        if body.contains('"') {
            e.recovered += 1;
            // A `","` inside the text would make the line ambiguous (it could end one field and start
            // another).
            if body.contains("\",\"") {
                quoted_field_boundaries += 1;
            }
        }
        listings.insert((vendor.to_string(), body.trim().to_string()));
        vendors.insert(vendor.to_string());
    }
    let rows = e.physical as usize;
    dedup_figures(&mut e, "listings", rows, listings.len());
    dedup_figures(&mut e, "accounts", rows, vendors.len());
    (e, quoted_field_boundaries)
}

#[test]
fn panacea_listing_texts_ingest_with_broken_quotes_recovered() {
    let markets = data_or_skip!();
    let file = markets.join("panacea-2014/panacea_scrape.csv");
    let dir = tempfile::tempdir().expect("tmp");
    let (case, report) = ingest(dir.path(), "panacea", &file, None);
    assert_eq!(report.profile, "panacea", "recognised from its first line");
    let (expected, ambiguous) = panacea_expected(&file);
    assert_eq!(ambiguous, 0, "no text in this file holds \",\"");
    let line = check(&report, &expected);
    // A recovered text keeps its inner quotes.
    let listings = case.listings().expect("listings");
    assert!(listings.iter().any(|l| {
        l.description
            .as_deref()
            .is_some_and(|d| d.contains("a little \"chemically\" which"))
    }));
    print_table(&[line]);
}

#[test]
fn grams_vendor_index_ingests_into_the_markets_it_names() {
    let markets = data_or_skip!();
    let file = markets.join("grams-vendors-2014/userDate.tsv");
    let dir = tempfile::tempdir().expect("tmp");
    let (case, report) = ingest(dir.path(), "grams", &file, None);
    assert_eq!(report.profile, "grams", "recognised from its first line");
    let text = std::fs::read_to_string(&file).expect("grams");
    let mut per_market: BTreeMap<String, u64> = BTreeMap::new();
    let mut pairs = BTreeSet::new();
    let mut expected = Expected::default();
    for line in text.lines() {
        expected.physical += 1;
        let (market, rest) = line.split_once("<==>").expect("<==>");
        let (vendor, _seen) = rest.split_once('\t').expect("tab");
        if vendor.is_empty() {
            // A line without a vendor name is no account.
            expected.unmappable += 1;
            continue;
        }
        *per_market
            .entry(market.to_lowercase().replace(' ', ""))
            .or_default() += 1;
        pairs.insert((market.to_string(), vendor.to_string()));
    }
    let rows = (expected.physical - expected.unmappable) as usize;
    dedup_figures(&mut expected, "accounts", rows, pairs.len());
    let line = check(&report, &expected);

    let accounts = case.accounts().expect("accounts");
    let mut stored: BTreeMap<String, u64> = BTreeMap::new();
    for a in &accounts {
        assert_eq!(a.id.market(), a.market, "{}", a.id);
        *stored.entry(a.market.clone()).or_default() += 1;
    }
    assert_eq!(stored, per_market, "accounts per market");
    // The markets table lists every market the file's records belong to, and the one it was ingested as.
    let listed: BTreeSet<String> = case
        .markets()
        .expect("markets")
        .into_iter()
        .map(|m| m.name)
        .collect();
    let mut want: BTreeSet<String> = per_market.keys().cloned().collect();
    want.insert("grams".into());
    assert_eq!(listed, want);
    print_table(&[line]);
}
