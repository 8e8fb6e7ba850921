//! Accuracy of the listing classifier against the categories Agora's vendors filed their listings
//! under (real data, Jan–Mar 2014), per class, on titles only (the product files have no
//! descriptions). Skips with a one-line message when the data is absent; `SPECTOR_SHARED_DATA` names
//! it elsewhere.
//!
//! `cargo test -p spector-enrich --test agora_accuracy -- --nocapture` prints the table, the effect of
//! fuzzy matching, and the fentanyl-flag sample judged by hand in `docs/fentanyl-flag-sample.md`.
//! Floors sit slightly below the measured figures (docs/classifier.md), so a regression fails.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use spector_enrich::{ClassGroup, Classifier, EraSide, MatchKind, ProductClass, Taxonomy};

mod support;

fn agora_dir() -> Option<PathBuf> {
    support::shared_data("markets/agora-2014")
}

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

struct Listing {
    vendor: String,
    title: String,
    /// cat/subcat/subsubcat without the "NA"/"None" placeholders.
    category: String,
    /// The first day the scrapes saw it (the files' `date` column, YYYY-MM-DD), as Unix seconds at
    /// 00:00 UTC: the listing was on sale that day, so that day's meaning of its words applies.
    listed_at: Option<i64>,
}

/// A `date` cell ("2014-01-09") as Unix seconds at 00:00 UTC.
fn unix_day(cell: &str) -> Option<i64> {
    let day = chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// Every listing of the monthly product files, once per vendor and title (the same listing is seen
/// in several files), and the number of rows read.
fn read_listings(dir: &Path) -> (Vec<Listing>, usize) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("products-2014-0") && n.ends_with(".csv"))
    });
    files.sort();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut listings: Vec<Listing> = Vec::new();
    let mut rows = 0;
    for file in files {
        let Ok(mut reader) = csv::ReaderBuilder::new().flexible(true).from_path(&file) else {
            continue;
        };
        let headers = reader.headers().cloned().unwrap_or_default();
        let column = |name: &str| headers.iter().position(|h| h == name);
        let date = column("date");
        let (Some(vendor), Some(product), Some(cat), Some(subcat), Some(subsubcat)) = (
            column("vendor"),
            column("product"),
            column("cat"),
            column("subcat"),
            column("subsubcat"),
        ) else {
            continue;
        };
        for record in reader.records().filter_map(Result::ok) {
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
            let (vendor, title) = (field(vendor), field(product));
            rows += 1;
            let listed_at = date.and_then(|d| unix_day(&field(d)));
            if title.is_empty() {
                continue;
            }
            if let Some(&known) = seen.get(&(vendor.clone(), title.clone())) {
                // Files are read in date order, but a file spans several scrape days.
                if let Some(listing) = listings.get_mut(known) {
                    listing.listed_at = match (listing.listed_at, listed_at) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                continue;
            }
            seen.insert((vendor.clone(), title.clone()), listings.len());
            let category = [field(cat), field(subcat), field(subsubcat)]
                .into_iter()
                .filter(|part| !part.is_empty() && part != "NA" && part != "None")
                .collect::<Vec<_>>()
                .join("/");
            listings.push(Listing {
                vendor,
                title,
                category,
                listed_at,
            });
        }
    }
    (listings, rows)
}

/// The category table: the most specific prefix wins.
fn category_map() -> Vec<(String, Option<String>)> {
    let text =
        std::fs::read_to_string(repo_file("crates/enrich/tests/data/agora/category_map.tsv"))
            .expect("the category map ships with the tests");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("agora_category\t") && !l.is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let category = cols.next()?.to_string();
            let class = cols.next()?;
            Some((category, (class != "-").then(|| class.to_string())))
        })
        .collect()
}

/// `None`: the category is left out of the measurement (listed as "-" or not listed at all).
fn agora_class(map: &[(String, Option<String>)], category: &str) -> Option<String> {
    map.iter()
        .filter(|(prefix, _)| {
            category == prefix
                || category
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|(prefix, _)| prefix.len())
        .and_then(|(_, class)| class.clone())
}

#[derive(Default, Clone, Copy)]
struct Counts {
    truth: usize,
    predicted: usize,
    both: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        self.both as f64 / self.predicted.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.both as f64 / self.truth.max(1) as f64
    }
}

/// Per evaluated class: a listing is positive when Agora's class is (under) it, predicted when ours
/// is, and left out when Agora's label is less specific than the class (a "Stimulants" listing says
/// nothing about cocaine).
fn score(
    taxonomy: &Taxonomy,
    labelled: &[(&Listing, String, ProductClass)],
    classes: &[String],
) -> BTreeMap<String, Counts> {
    let mut table = BTreeMap::new();
    for class in classes {
        let mut counts = Counts::default();
        for (_, truth, predicted) in labelled {
            let positive = taxonomy.is_a(truth, class);
            if !positive && taxonomy.is_a(class, truth) {
                continue;
            }
            let said = predicted
                .class
                .as_deref()
                .is_some_and(|p| taxonomy.is_a(p, class));
            counts.truth += usize::from(positive);
            counts.predicted += usize::from(said);
            counts.both += usize::from(positive && said);
        }
        table.insert(class.clone(), counts);
    }
    table
}

/// A stable order that does not follow the files' order (which groups a vendor's listings).
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn reasons(c: &ProductClass) -> String {
    let mut terms: Vec<String> = c
        .matched
        .iter()
        .filter(|m| !m.negated)
        .map(|m| match m.how {
            MatchKind::Exact => m.term.clone(),
            how => format!("{} ({how:?})", m.term),
        })
        .collect();
    terms.dedup();
    terms.join(", ")
}

const SAMPLE_SIZE: usize = 60;

/// Floors: (class, precision, recall), a little under the figures measured with taxonomy-2025.2
/// (docs/classifier.md).
const FLOORS: &[(&str, f64, f64)] = &[
    ("opioid", 0.95, 0.88),
    ("cocaine", 0.95, 0.91),
    ("meth", 0.85, 0.80),
    ("amphetamine", 0.88, 0.92),
    ("stimulant", 0.93, 0.87),
    ("benzodiazepine", 0.97, 0.81),
    ("cannabis", 0.97, 0.73),
    ("mdma", 0.97, 0.87),
    ("psychedelic", 0.96, 0.82),
    ("steroid", 0.97, 0.83),
    ("ketamine", 0.95, 0.97),
    ("ghb", 0.95, 0.84),
    ("dissociative", 0.95, 0.96),
    ("weapon", 0.92, 0.70),
    ("counterfeit", 0.92, 0.74),
    ("fraud_data", 0.75, 0.73),
    ("information", 0.89, 0.31),
];

#[test]
fn agora_categories_agree_with_the_classifier() {
    let Some(dir) = agora_dir() else {
        eprintln!("skipped: ../shared/data/markets/agora-2014 is absent");
        return;
    };
    let (listings, rows) = read_listings(&dir);
    assert!(listings.len() > 5_000, "{} listings read", listings.len());
    let taxonomy = Taxonomy::embedded();
    let classifier = Classifier::embedded();
    let exact_only = classifier.clone().with_fuzzy(false);
    let map = category_map();

    let classified: Vec<(&Listing, ProductClass)> = listings
        .iter()
        .map(|l| (l, classifier.classify_at(&l.title, None, l.listed_at)))
        .collect();
    let labelled: Vec<(&Listing, String, ProductClass)> = classified
        .iter()
        .filter_map(|(l, c)| agora_class(&map, &l.category).map(|a| (*l, a, c.clone())))
        .collect();
    let mut classes: Vec<String> = map.iter().filter_map(|(_, c)| c.clone()).collect();
    classes.extend(["opioid", "stimulant", "counterfeit"].map(String::from));
    classes.sort();
    classes.dedup();
    let table = score(taxonomy, &labelled, &classes);

    println!(
        "Agora 2014: {rows} rows, {} distinct (vendor, title) listings, {} in mapped categories; taxonomy {}",
        listings.len(),
        labelled.len(),
        taxonomy.version()
    );
    println!(
        "| class | Agora listings | classified as | both | precision | recall |\n|---|---:|---:|---:|---:|---:|"
    );
    for (class, c) in &table {
        println!(
            "| {class} | {} | {} | {} | {:.3} | {:.3} |",
            c.truth,
            c.predicted,
            c.both,
            c.precision(),
            c.recall()
        );
    }
    // `AGORA_ERRORS=<class>` lists that class's false positives and negatives, for tuning.
    if let Ok(class) = std::env::var("AGORA_ERRORS") {
        for (l, truth, predicted) in &labelled {
            let positive = taxonomy.is_a(truth, &class);
            let said = predicted
                .class
                .as_deref()
                .is_some_and(|p| taxonomy.is_a(p, &class));
            let unknown = !positive && taxonomy.is_a(&class, truth);
            if positive != said && !unknown {
                let kind = if said { "FP" } else { "FN" };
                println!(
                    "  {kind} {:?} [{}] -> {:?} ({})",
                    l.title,
                    l.category,
                    predicted.class,
                    reasons(predicted)
                );
            }
        }
    }
    let unclassified = labelled
        .iter()
        .filter(|(_, _, c)| c.class.is_none())
        .count();
    println!(
        "unclassified: {unclassified} of {} mapped listings",
        labelled.len()
    );

    // What fuzzy matching changes.
    let changed: Vec<(&Listing, &ProductClass, ProductClass)> = classified
        .iter()
        .filter_map(|(l, with)| {
            let without = exact_only.classify_at(&l.title, None, l.listed_at);
            let differs = with.class != without.class
                || with.fentanyl != without.fentanyl
                || with.counterfeit_pill != without.counterfeit_pill
                || with.youth_appeal != without.youth_appeal;
            differs.then_some((*l, with, without))
        })
        .collect();
    println!(
        "\nfuzzy matching changes {} of {} listings:",
        changed.len(),
        listings.len()
    );
    for (l, with, without) in &changed {
        let fuzzy: Vec<String> = with
            .matched
            .iter()
            .filter(|m| matches!(m.how, MatchKind::Fuzzy { .. }))
            .map(|m| format!("{:?}→{}", &l.title[m.start..m.end], m.term))
            .collect();
        println!(
            "  {:?} [{}] {:?} -> {:?} via {}",
            l.title,
            l.category,
            without.class,
            with.class,
            fuzzy.join(", ")
        );
    }
    // Fuzzy matches that name a drug in listings of non-drug categories.
    let spurious: Vec<String> = classified
        .iter()
        .filter(|(l, _)| !l.category.starts_with("Drug"))
        .flat_map(|(l, c)| {
            c.matched
                .iter()
                .filter(|m| matches!(m.how, MatchKind::Fuzzy { .. }))
                .filter(|m| {
                    taxonomy
                        .terms()
                        .iter()
                        .find(|t| t.term == m.term)
                        .is_some_and(|t| match &t.meaning {
                            spector_enrich::taxonomy::Meaning::Names { class, .. } => {
                                taxonomy.class(class).map(|c| c.group) == Some(ClassGroup::Drug)
                            }
                            _ => false,
                        })
                })
                .map(|m| format!("{:?}→{} in {:?}", &l.title[m.start..m.end], m.term, l.title))
                .collect::<Vec<_>>()
        })
        .collect();
    let non_drug = listings
        .iter()
        .filter(|l| !l.category.starts_with("Drug"))
        .count();
    println!(
        "\nfuzzy drug matches in {non_drug} non-drug listings: {}",
        spurious.len()
    );
    for s in &spurious {
        println!("  {s}");
    }

    // The fentanyl-flag sample, judged by hand in docs/fentanyl-flag-sample.md.
    let mut flagged: Vec<&(&Listing, ProductClass)> =
        classified.iter().filter(|(_, c)| c.fentanyl).collect();
    println!("\nfentanyl-flagged: {} listings", flagged.len());
    flagged.sort_by_key(|(l, _)| fnv(&format!("{}\t{}", l.vendor, l.title)));
    let sample: Vec<_> = flagged.iter().take(SAMPLE_SIZE).collect();
    // What the dates changed: listings flagged undated (today's reading) but not on their 2014 date.
    // Each must owe it to an era read "before" (docs/fentanyl-flag-sample.md lists them).
    let mut unflagged: Vec<(&Listing, ProductClass)> = classified
        .iter()
        .filter(|(_, c)| !c.fentanyl)
        .filter_map(|(l, c)| {
            let today = classifier.classify(&l.title, None);
            today.fentanyl.then(|| (*l, c.clone()))
        })
        .collect();
    unflagged.sort_by_key(|(l, _)| fnv(&format!("{}\t{}", l.vendor, l.title)));
    println!(
        "\nflagged undated, not on their date: {} listings",
        unflagged.len()
    );
    for (l, c) in &unflagged {
        let eras: Vec<String> = c
            .matched
            .iter()
            .filter_map(|m| {
                m.era
                    .as_ref()
                    .map(|e| format!("{}: {}", m.term, e.describe()))
            })
            .collect();
        println!(
            "| {} | {} | {:?} | {} |",
            l.title.replace('|', "\\|"),
            l.vendor,
            c.class,
            eras.join("; ")
        );
        assert!(
            c.matched
                .iter()
                .any(|m| m.era.as_ref().is_some_and(|e| e.side == EraSide::Before)),
            "{:?} lost its flag without an era",
            l.title
        );
    }
    for (n, (l, c)) in sample.iter().enumerate() {
        println!(
            "| {} | {} | {} | {} | {} |",
            n + 1,
            l.title.replace('|', "\\|"),
            l.vendor,
            l.category,
            reasons(c)
        );
    }

    let mut failures = Vec::new();
    for &(class, precision, recall) in FLOORS {
        let c = table.get(class).copied().unwrap_or_default();
        if c.precision() < precision || c.recall() < recall {
            failures.push(format!(
                "{class}: precision {:.3} (floor {precision}), recall {:.3} (floor {recall})",
                c.precision(),
                c.recall()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "below the floors:\n{}",
        failures.join("\n")
    );
    // Fuzzy matching must stay a small correction, not a second classifier.
    assert!(
        changed.len() * 100 < listings.len(),
        "{} changed",
        changed.len()
    );
    assert!(
        spurious.len() * 200 < non_drug,
        "{} spurious",
        spurious.len()
    );

    check_judged_sample(
        &sample
            .iter()
            .map(|(l, _)| (l.vendor.as_str(), l.title.as_str()))
            .collect::<Vec<_>>(),
    );
}

/// The judged sample must be the one the classifier flags today (else it needs judging again), and its
/// precision must hold.
fn check_judged_sample(sample: &[(&str, &str)]) {
    let path = repo_file("docs/fentanyl-flag-sample.md");
    let Ok(doc) = std::fs::read_to_string(&path) else {
        panic!("{} is missing", path.display());
    };
    // Rows: | n | title | vendor | category | reasons | verdict | reasoning |
    let judged: Vec<(String, String, bool)> = doc
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| n ") && !l.starts_with("|---"))
        .filter_map(|l| {
            let cells: Vec<String> = split_row(l);
            let verdict = cells.get(5)?.trim().to_ascii_lowercase();
            Some((
                cells.get(2)?.trim().to_string(),
                cells.get(1)?.trim().to_string(),
                verdict == "right",
            ))
        })
        .collect();
    let listed: Vec<(&str, &str)> = judged
        .iter()
        .map(|(v, t, _)| (v.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        listed, sample,
        "the flagged sample changed: judge docs/fentanyl-flag-sample.md again"
    );
    let right = judged.iter().filter(|(_, _, r)| *r).count();
    let precision = right as f64 / judged.len().max(1) as f64;
    println!(
        "fentanyl-flag precision on the judged sample: {right}/{} = {precision:.3}",
        judged.len()
    );
    assert!(precision >= JUDGED_PRECISION_FLOOR, "{precision}");
}

/// Measured on the listings' dates 20/20 = 1.000 (docs/fentanyl-flag-sample.md; 20/32 undated).
const JUDGED_PRECISION_FLOOR: f64 = 0.95;

/// Fuzzy matching on text it was not tuned on: the vendor pages' descriptions (prose, in several
/// languages). Prints every word fuzzy matching took for a term, with its count, for judging by hand.
#[test]
fn fuzzy_matches_in_vendor_descriptions() {
    let Some(dir) = agora_dir() else {
        eprintln!("skipped: ../shared/data/markets/agora-2014 is absent");
        return;
    };
    let Ok(mut reader) = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(dir.join("vendorall_0114.csv"))
    else {
        eprintln!("skipped: vendorall_0114.csv is absent");
        return;
    };
    let headers = reader.headers().cloned().unwrap_or_default();
    let Some(column) = headers.iter().position(|h| h == "description") else {
        panic!("vendorall_0114.csv has no description column");
    };
    let classifier = Classifier::embedded();
    let mut seen = HashSet::new();
    let (mut texts, mut words, mut matches) = (0usize, 0usize, 0usize);
    let mut found: BTreeMap<(String, String), usize> = BTreeMap::new();
    for record in reader.records().filter_map(Result::ok) {
        let Some(text) = record.get(column) else {
            continue;
        };
        if !seen.insert(text.to_string()) {
            continue;
        }
        texts += 1;
        words += text.split_whitespace().count();
        for m in classifier.classify("", Some(text)).matched {
            if matches!(m.how, MatchKind::Fuzzy { .. }) {
                matches += 1;
                let word = text.get(m.start..m.end).unwrap_or("").to_lowercase();
                *found.entry((word, m.term)).or_default() += 1;
            }
        }
    }
    println!("fuzzy matches in {texts} distinct vendor descriptions ({words} words): {matches}");
    for ((word, term), count) in &found {
        println!("  {count:>4} {word:?} -> {term}");
    }
    assert!(texts > 1_000, "{texts} descriptions read");
    // Measured: see docs/classifier.md. A new fuzzy term that starts matching ordinary words fails here.
    assert!(
        matches * 10_000 < words * 5,
        "{matches} fuzzy matches in {words} words"
    );
}

/// Cells of a Markdown table row, with `\|` kept inside a cell.
fn split_row(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.trim().trim_start_matches('|').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.iter().map(|c| c.trim().to_string()).collect()
}
