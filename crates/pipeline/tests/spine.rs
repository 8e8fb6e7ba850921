//! End to end over a synthetic world: synth → ingest → link, checked against the world's ground truth.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use spector_model::Record;
use spector_pipeline::{
    IngestOptions, LinkRunOptions, NoProgress, PipelineError, ProfileChoice, ingest_source,
    personas, run_link_with,
};
use spector_store::Case;

mod common;
use common::{ingest_all, market_files, truth_personas, world};

fn truth_counts(world: &Path) -> BTreeMap<(String, String), u64> {
    let mut rdr = csv::Reader::from_path(world.join("truth/counts.csv")).expect("counts.csv");
    rdr.records()
        .map(|r| {
            let r = r.expect("row");
            (
                (r[0].to_string(), r[1].to_string()),
                r[2].parse().expect("count"),
            )
        })
        .collect()
}

/// Records per (market, table) as stored in the case.
fn stored_counts(case: &Case) -> BTreeMap<(String, String), u64> {
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut add = |market: &str, table: &str| {
        *counts
            .entry((market.to_string(), table.to_string()))
            .or_default() += 1;
    };
    for r in case.accounts().unwrap() {
        add(&r.market, "accounts");
    }
    for r in case.listings().unwrap() {
        add(&r.market, "listings");
    }
    for r in case.orders().unwrap() {
        add(&r.market, "orders");
    }
    for r in case.feedback().unwrap() {
        add(&r.market, "feedback");
    }
    for r in case.messages().unwrap() {
        add(&r.market, "messages");
    }
    for r in case.pgp_keys().unwrap() {
        add(&r.market, "pgp_keys");
    }
    for r in case.crypto_addresses().unwrap() {
        add(&r.market, "crypto_addresses");
    }
    for r in case.contact_handles().unwrap() {
        add(&r.market, "contact_handles");
    }
    for r in case.shipping_info().unwrap() {
        assert!(
            r.encrypted,
            "{}: the synthetic world encrypts every address",
            r.id
        );
        add(&r.market, "shipping_info");
    }
    for r in case.images().unwrap() {
        assert!(r.phash.is_some(), "{}: {:?}", r.path, r.decode_error);
        add(&r.market, "images");
    }
    for r in case.photo_refs().unwrap() {
        add(&r.market, "photo_refs");
    }
    counts
}

#[test]
fn ingest_counts_equal_ground_truth_for_every_entity_and_market() {
    let w = world(11, 1.0, 6);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    ingest_all(&case, &w.root);
    let truth = truth_counts(&w.root);
    let stored = stored_counts(&case);
    let truth_nonzero: BTreeMap<_, _> = truth.into_iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(stored, truth_nonzero);
    let markets: BTreeSet<String> = case
        .markets()
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(markets.len(), 6);
}

fn all_records(case: &Case) -> Vec<Record> {
    let mut v: Vec<Record> = Vec::new();
    v.extend(case.accounts().unwrap().into_iter().map(Record::Account));
    v.extend(case.listings().unwrap().into_iter().map(Record::Listing));
    v.extend(case.orders().unwrap().into_iter().map(Record::Order));
    v.extend(case.feedback().unwrap().into_iter().map(Record::Feedback));
    v.extend(case.messages().unwrap().into_iter().map(Record::Message));
    v.extend(case.pgp_keys().unwrap().into_iter().map(Record::PgpKey));
    v.extend(
        case.crypto_addresses()
            .unwrap()
            .into_iter()
            .map(Record::CryptoAddress),
    );
    v.extend(
        case.contact_handles()
            .unwrap()
            .into_iter()
            .map(Record::ContactHandle),
    );
    v.extend(
        case.shipping_info()
            .unwrap()
            .into_iter()
            .map(Record::ShippingInfo),
    );
    v
}

/// What a record's source row must contain, as text: its own key (or, for records found in text, the value).
fn expected_in_row(r: &Record) -> String {
    match r {
        Record::CryptoAddress(a) if a.found_in.is_some() => a.address.clone(),
        // An address in a key's user id is inside the armor's base64: the row holds the key block.
        Record::ContactHandle(h) if h.found_in.as_deref() == Some("pgp_keys.user_id") => {
            "BEGIN PGP PUBLIC KEY BLOCK".to_string()
        }
        Record::ContactHandle(h) => h.raw.clone(),
        Record::PgpKey(_) => "BEGIN PGP PUBLIC KEY BLOCK".to_string(),
        Record::ShippingInfo(_) => "BEGIN PGP MESSAGE".to_string(),
        other => other.id().native_key().to_string(),
    }
}

#[test]
fn every_record_leads_back_to_its_exact_source_bytes_and_the_evidence_hash_verifies() {
    let w = world(12, 0.5, 3);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    ingest_all(&case, &w.root);
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    for s in case.sources().unwrap() {
        assert!(
            case.verify_evidence(&s.sha256).unwrap(),
            "{} verifies",
            s.name
        );
        let bytes = std::fs::read(case.evidence_path(&s.sha256)).unwrap();
        files.insert(s.sha256.clone(), bytes);
    }
    let records = all_records(&case);
    assert!(records.len() > 1000, "a real world: {}", records.len());
    for r in &records {
        let p = r.provenance();
        let bytes = files
            .get(&*p.src_sha256)
            .unwrap_or_else(|| panic!("{}: source {} is in the manifest", r.id(), p.src_sha256));
        let (start, end) = (p.src_offset as usize, (p.src_offset + p.src_len) as usize);
        assert!(
            end <= bytes.len() && start < end,
            "{}: range {start}..{end}",
            r.id()
        );
        let row = String::from_utf8_lossy(&bytes[start..end]);
        // Dumps escape text; the key and values checked here are plain ASCII in the synthetic world.
        let needle = expected_in_row(r);
        assert!(
            row.contains(&needle),
            "{} ({}#{}): {needle:?} not in bytes {start}..{end}: {row:?}",
            r.id(),
            p.src_table,
            p.src_row
        );
    }
}

type Snapshot = (
    Vec<String>,
    BTreeMap<(String, String), u64>,
    BTreeMap<String, Vec<PathBuf>>,
    Vec<PathBuf>,
);

/// Everything that defines the state of a case, for before/after comparisons: the manifest, the stored
/// records, the live table parts and the files of the evidence area.
fn snapshot(case: &Case) -> Snapshot {
    let sources = case
        .sources()
        .unwrap()
        .into_iter()
        .map(|s| s.sha256)
        .collect();
    let mut evidence: Vec<PathBuf> = std::fs::read_dir(case.root().join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    evidence.sort();
    (
        sources,
        stored_counts(case),
        case.table_files().unwrap(),
        evidence,
    )
}

#[test]
fn reingesting_a_file_or_a_directory_of_images_changes_nothing() {
    let w = world(13, 0.3, 3);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    ingest_all(&case, &w.root);
    let before = snapshot(&case);
    for (market, file) in market_files(&w.root) {
        if file.is_dir() {
            let r = spector_pipeline::ingest_images(&case, &market, &file, &NoProgress).unwrap();
            assert!(r.files > 0, "{}", file.display());
            assert_eq!(
                (r.stored, r.already_ingested),
                (0, r.files),
                "{}",
                file.display()
            );
            continue;
        }
        let r = ingest_source(
            &case,
            &market,
            &file,
            &ProfileChoice::Auto,
            &IngestOptions::default(),
            &NoProgress,
        )
        .unwrap();
        assert!(r.already_ingested, "{}", file.display());
    }
    assert_eq!(snapshot(&case), before);
}

fn first_file_named(world: &Path, suffix: &str) -> (String, PathBuf) {
    market_files(world)
        .into_iter()
        .find(|(_, f)| f.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} file in the world"))
}

fn assert_refused_and_unchanged(case: &Case, market: &str, bad: &Path, expect: &[&str]) {
    let before = snapshot(case);
    let err = ingest_source(
        case,
        market,
        bad,
        &ProfileChoice::Auto,
        &IngestOptions::default(),
        &NoProgress,
    )
    .expect_err("bad input is refused");
    let msg = err.to_string();
    for e in expect {
        assert!(msg.contains(e), "error {msg:?} should mention {e:?}");
    }
    assert_eq!(snapshot(case), before, "the case is unchanged after: {msg}");
    drop(err);
    // The case still opens cleanly and has no staged leftovers that would be committed later.
    let reopened = Case::open(case.root()).unwrap();
    assert_eq!(snapshot(&reopened), before);
}

#[test]
fn truncated_dumps_wrong_formats_and_corrupt_rows_are_refused_leaving_the_case_unchanged() {
    let w = world(14, 0.3, 3);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    // A good market first, so there is something that must survive.
    let (good_market, good) = first_file_named(&w.root, ".pgdump.sql");
    ingest_source(
        &case,
        &good_market,
        &good,
        &ProfileChoice::Auto,
        &IngestOptions::default(),
        &NoProgress,
    )
    .unwrap();

    let (market, sql) = first_file_named(&w.root, ".sql");
    let bytes = std::fs::read(&sql).unwrap();

    // Truncated in the middle of an INSERT (a copy cut short).
    let truncated = dir.path().join("truncated.sql");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let cut = bytes.len() / 2
        + text[bytes.len() / 2..]
            .find("INSERT INTO")
            .expect("an insert in the second half")
        + 40;
    std::fs::write(&truncated, &bytes[..cut]).unwrap();
    assert_refused_and_unchanged(&case, &market, &truncated, &["truncated.sql", "truncated"]);

    // Not a dump at all.
    let png = dir.path().join("photo.sql");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01").unwrap();
    assert_refused_and_unchanged(&case, &market, &png, &["photo.sql"]);

    // One corrupt row: a tuple with a value missing, deep inside the file.
    let at = text
        .find("INSERT INTO `purchases` VALUES (")
        .expect("purchases insert")
        + "INSERT INTO `purchases` VALUES (".len();
    let comma = at + text[at..].find(',').unwrap();
    let mut corrupt = text.clone();
    corrupt.replace_range(at..comma + 1, "");
    let corrupt_path = dir.path().join("corrupt.sql");
    std::fs::write(&corrupt_path, corrupt).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    assert_refused_and_unchanged(
        &case,
        &market,
        &corrupt_path,
        &["corrupt.sql", &format!("line {line}"), "rejected"],
    );
}

#[test]
fn hard_identifier_linking_is_precise_against_the_truth() {
    let w = world(15, 1.0, 9);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    ingest_all(&case, &w.root);
    run_link_with(&case, &LinkRunOptions::hard_only(), &NoProgress).unwrap();

    let truth = truth_personas(&w.root);
    let (mut predicted_pairs, mut true_positive) = (0u64, 0u64);
    let mut accounts_seen = 0usize;
    for p in personas(&case).unwrap() {
        accounts_seen += p.accounts.len();
        let owners: Vec<&String> = p
            .accounts
            .iter()
            .map(|a| {
                truth
                    .get(&(a.market.clone(), a.name.clone()))
                    .unwrap_or_else(|| panic!("{a:?} is in the truth"))
            })
            .collect();
        for i in 0..owners.len() {
            for j in i + 1..owners.len() {
                predicted_pairs += 1;
                true_positive += u64::from(owners[i] == owners[j]);
            }
        }
    }
    assert_eq!(
        accounts_seen,
        truth.len(),
        "every account is in exactly one persona"
    );
    // Truth pairs, for recall.
    let mut by_persona: HashMap<&String, u64> = HashMap::new();
    for p in truth.values() {
        *by_persona.entry(p).or_default() += 1;
    }
    let true_pairs: u64 = by_persona.values().map(|n| n * (n - 1) / 2).sum();
    let precision = true_positive as f64 / predicted_pairs.max(1) as f64;
    let recall = true_positive as f64 / true_pairs.max(1) as f64;
    eprintln!("hard links: {predicted_pairs} pairs, precision {precision:.4}, recall {recall:.4}");
    assert!(
        predicted_pairs > 50,
        "the world has linkable personas: {predicted_pairs}"
    );
    assert!(precision >= 0.99, "pairwise precision {precision:.4}");
    assert!(
        recall > 0.3,
        "hard identifiers find a real share of the pairs: {recall:.4}"
    );
}

#[test]
fn an_unknown_profile_name_is_a_clear_error() {
    let w = world(16, 0.2, 3);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    let (market, file) = first_file_named(&w.root, ".sql");
    let err = ingest_source(
        &case,
        &market,
        &file,
        &ProfileChoice::Named("hansa"),
        &IngestOptions::default(),
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, PipelineError::UnknownProfile(_)), "{err}");
}

#[test]
fn measured_sales_match_each_vendors_true_sales() {
    use spector_analyze::{TargetInput, rank_targets};
    use spector_model::PersonaMember;

    let w = world(17, 1.0, 6);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    ingest_all(&case, &w.root);
    let accounts = case.accounts().unwrap();
    // Every account its own persona, so each target is one account, comparable with the truth.
    let members: Vec<PersonaMember> = accounts
        .iter()
        .map(|a| PersonaMember {
            persona_id: a.id.to_string(),
            account_id: a.id.clone(),
        })
        .collect();
    let (listings, orders, feedback) = (
        case.listings().unwrap(),
        case.orders().unwrap(),
        case.feedback().unwrap(),
    );
    let targets = rank_targets(&TargetInput {
        members: &members,
        accounts: &accounts,
        listings: &listings,
        orders: &orders,
        feedback: &feedback,
        prices: spector_enrich::PriceTable::shipped(),
    });
    let measured: HashMap<(String, String), (u64, f64)> = targets
        .iter()
        .map(|t| {
            let a = &t.accounts[0];
            (
                (a.market.clone(), a.name.clone()),
                (t.sales_orders, t.sales_usd),
            )
        })
        .collect();
    let markets_with_orders: BTreeSet<&str> = orders.iter().map(|o| o.market.as_str()).collect();
    let mut rdr = csv::Reader::from_path(w.root.join("truth/vendor_sales.csv")).unwrap();
    let mut compared = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        if !markets_with_orders.contains(&r[0]) {
            continue; // a crawl sees no orders: the truth counts sales it cannot see
        }
        let (true_orders, true_usd): (u64, f64) = (r[3].parse().unwrap(), r[4].parse().unwrap());
        let (orders, usd) = measured
            .get(&(r[0].to_string(), r[1].to_string()))
            .copied()
            .unwrap_or((0, 0.0));
        assert_eq!(orders, true_orders, "{}:{} sales orders", &r[0], &r[1]);
        // BTC amounts are rounded to satoshis and converted back at the day's close.
        assert!(
            (usd - true_usd).abs() <= 0.01 * true_usd.max(1.0),
            "{}:{} USD measured {usd:.2} vs true {true_usd:.2}",
            &r[0],
            &r[1]
        );
        compared += 1;
    }
    assert!(compared > 20, "compared {compared} vendors");
}
