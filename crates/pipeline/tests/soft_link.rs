//! Soft-evidence linking over a synthetic world, scored against the world's ground truth: which seller
//! accounts belong to one persona.

use std::collections::{HashMap, HashSet};

use spector_link::soft::{SoftLinkInput, SoftOptions, link_soft};
use spector_model::{AccountRole, RecordId};
use spector_pipeline::{EnrichOptions, NoProgress, run_enrich, run_link};
use spector_store::Case;

mod common;
use common::{ingest_all, world};

/// Pairs `(a, b)` with `a < b` of accounts in one group.
fn pairs_of<'a>(
    groups: impl Iterator<Item = Vec<&'a RecordId>>,
) -> HashSet<(&'a RecordId, &'a RecordId)> {
    let mut out = HashSet::new();
    for g in groups {
        for (i, a) in g.iter().enumerate() {
            for b in &g[i + 1..] {
                out.insert(if a < b { (*a, *b) } else { (*b, *a) });
            }
        }
    }
    out
}

#[test]
fn soft_evidence_joins_a_sellers_accounts_across_markets_precisely() {
    let w = world(5, 4.0, 9);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    ingest_all(&case, &w.root);
    run_enrich(&case, &EnrichOptions::default(), &NoProgress).unwrap();
    run_link(&case, &NoProgress).unwrap();
    let accounts = case.accounts().unwrap();
    let listings = case.listings().unwrap();
    let facts = case.listing_facts().unwrap();
    let messages = case.messages().unwrap();
    let hard: Vec<(RecordId, RecordId)> = case
        .link_evidence()
        .unwrap()
        .into_iter()
        .map(|e| (e.account_a, e.account_b))
        .collect();
    let result = link_soft(
        &SoftLinkInput {
            accounts: &accounts,
            listings: &listings,
            listing_facts: &facts,
            messages: &messages,
        },
        &hard,
        &SoftOptions::default(),
    )
    .unwrap();

    let mut truth: HashMap<(String, String), String> = HashMap::new();
    let mut rdr = csv::Reader::from_path(w.root.join("truth/accounts.csv")).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        truth.insert((r[0].to_string(), r[1].to_string()), r[2].to_string());
    }
    let sellers: HashMap<&RecordId, &str> = accounts
        .iter()
        .filter(|a| a.role == AccountRole::Vendor)
        .map(|a| {
            let p = truth
                .get(&(a.market.clone(), a.name.clone()))
                .unwrap_or_else(|| panic!("{} is in the truth", a.id));
            (&a.id, p.as_str())
        })
        .collect();
    let mut by_persona: HashMap<&str, Vec<&RecordId>> = HashMap::new();
    for (a, p) in &sellers {
        by_persona.entry(p).or_default().push(a);
    }
    let true_pairs = pairs_of(by_persona.into_values());
    let predicted = pairs_of(result.groups.iter().map(|g| {
        g.iter()
            .filter(|a| sellers.contains_key(a))
            .collect::<Vec<_>>()
    }));
    let hard_pairs = pairs_of(
        hard.iter()
            .map(|(a, b)| vec![a, b])
            .collect::<Vec<_>>()
            .into_iter(),
    );
    let tp = predicted.intersection(&true_pairs).count() as f64;
    let precision = tp / predicted.len() as f64;
    let recall = tp / true_pairs.len() as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    let soft_only_truth = true_pairs.difference(&hard_pairs).count();
    eprintln!(
        "seller pairs: true {}, predicted {}, precision {precision:.4}, recall {recall:.4}, F1 {f1:.4}; \
         true pairs without a direct hard link {soft_only_truth}",
        true_pairs.len(),
        predicted.len()
    );
    assert!(
        true_pairs.len() > 100 && soft_only_truth > 50,
        "the world has pairs only soft evidence finds"
    );
    assert!(
        f1 >= 0.93,
        "F1 {f1:.4} (precision {precision:.4}, recall {recall:.4})"
    );
    // Hard links alone reach about a third of the true pairs in such worlds; soft evidence must add most of
    // the rest.
    assert!(recall >= 0.9, "recall {recall:.4}");
    // Every soft link that joined two groups explains itself: a model row and one row per comparison.
    let soft_rows = result
        .evidence
        .iter()
        .filter(|e| e.rule == spector_link::soft::SOFT_RULE)
        .count();
    assert!(soft_rows > 0);
    assert!(result.evidence.iter().any(|e| e.rule == "soft:username"));
    assert!(
        result
            .expected_error
            .expected_precision
            .is_some_and(|p| p > 0.8)
    );
}
