//! `spector link` with soft evidence over a synthetic world, scored against the world's ground truth: which
//! seller accounts belong to one persona.

use std::collections::{HashMap, HashSet};

use spector_link::evaluate::{blocking_recall, evaluate};
use spector_link::soft::SoftLinkInput;
use spector_model::{AccountRole, RecordId};
use spector_pipeline::{
    EnrichOptions, LinkRunOptions, NoProgress, Verdict, judge, run_enrich, run_link_with,
};
use spector_store::Case;

mod common;
use common::{ingest_all, truth_personas, world};

#[test]
fn soft_evidence_joins_a_sellers_accounts_across_markets_precisely() {
    let w = world(5, 4.0, 9);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    ingest_all(&case, &w.root);
    run_enrich(&case, &EnrichOptions::default(), &NoProgress).unwrap();
    let hard_only = run_link_with(&case, &LinkRunOptions::hard_only(), &NoProgress).unwrap();
    assert!(hard_only.soft.is_none());
    let hard_pairs: HashSet<(RecordId, RecordId)> = case
        .link_evidence()
        .unwrap()
        .into_iter()
        .map(|e| {
            if e.account_a < e.account_b {
                (e.account_a, e.account_b)
            } else {
                (e.account_b, e.account_a)
            }
        })
        .collect();
    let report = run_link_with(&case, &LinkRunOptions::default(), &NoProgress).unwrap();

    let truth_names = truth_personas(&w.root);
    let accounts = case.accounts().unwrap();
    let mut labels: HashMap<String, usize> = HashMap::new();
    let truth: HashMap<RecordId, usize> = accounts
        .iter()
        .filter(|a| a.role == AccountRole::Vendor)
        .map(|a| {
            let p = truth_names
                .get(&(a.market.clone(), a.name.clone()))
                .unwrap_or_else(|| panic!("{} is in the truth", a.id));
            let n = labels.len();
            (a.id.clone(), *labels.entry(p.clone()).or_insert(n))
        })
        .collect();
    let mut persona_labels: HashMap<String, usize> = HashMap::new();
    let predicted: HashMap<RecordId, usize> = case
        .personas()
        .unwrap()
        .into_iter()
        .map(|m| {
            let n = persona_labels.len();
            (
                m.account_id,
                *persona_labels.entry(m.persona_id).or_insert(n),
            )
        })
        .collect();
    let all = evaluate(&truth, &predicted, &HashSet::new());
    let soft_only = evaluate(&truth, &predicted, &hard_pairs);
    eprintln!("all seller pairs: {all:?}\nwithout a shared hard identifier: {soft_only:?}");
    assert!(
        all.true_pairs > 100 && soft_only.true_pairs > 50,
        "the world has pairs only soft evidence finds"
    );
    assert!(all.pairwise.f1 >= 0.97, "{all:?}");
    assert!(soft_only.pairwise.f1 >= 0.90, "{soft_only:?}");
    assert!(all.b_cubed.f1 >= 0.97, "{all:?}");

    // Recall lost by blocking: true pairs never proposed for comparison.
    let (listings, listing_facts, messages) = (
        case.listings().unwrap(),
        case.listing_facts().unwrap(),
        case.messages().unwrap(),
    );
    let blocking = blocking_recall(
        &SoftLinkInput {
            accounts: &accounts,
            listings: &listings,
            listing_facts: &listing_facts,
            messages: &messages,
            // Blocking does not read keys.
            keys: &[],
            photos: &spector_pipeline::account_photos(
                &listings,
                &case.photo_refs().unwrap(),
                &case.images().unwrap(),
            ),
        },
        &truth,
        &hard_pairs,
    );
    eprintln!("{blocking:?}");
    assert_eq!(blocking.true_pairs, all.true_pairs);
    assert!(
        blocking.proposed_not_excluded as f64 >= 0.95 * blocking.true_pairs_not_excluded as f64,
        "{blocking:?}"
    );

    // Every soft link that joined two groups explains itself, and the run's error estimates are stored.
    let evidence = case.link_evidence().unwrap();
    let soft = report.soft.expect("soft evidence ran");
    let model_rows = evidence
        .iter()
        .filter(|e| e.rule == spector_link::soft::SOFT_RULE)
        .count();
    assert_eq!(model_rows, soft.links_applied);
    assert!(evidence.iter().any(|e| e.rule == "soft:username"));
    let rules = case.link_rules().unwrap();
    let soft_rule = rules
        .iter()
        .find(|r| r.rule == spector_link::soft::SOFT_RULE)
        .expect("the soft model's error is stored");
    assert!(
        soft_rule.expected_precision.is_some_and(|p| p > 0.8),
        "{soft_rule:?}"
    );
    assert!(rules.iter().any(|r| r.rule == "same_pgp_fingerprint"));
    assert!(!case.link_model().unwrap().is_empty());

    // An analyst rejects a soft link: the next run keeps the two accounts apart and says which judgement
    // refused the link.
    let rejected = evidence
        .iter()
        .find(|e| e.rule == spector_link::soft::SOFT_RULE)
        .expect("a soft link");
    judge(
        &case,
        &Verdict::Reject {
            a: rejected.account_a.to_string(),
            b: rejected.account_b.to_string(),
        },
        "ana",
        "different photos",
    )
    .unwrap();
    run_link_with(&case, &LinkRunOptions::default(), &NoProgress).unwrap();
    let persona_of: HashMap<RecordId, String> = case
        .personas()
        .unwrap()
        .into_iter()
        .map(|m| (m.account_id, m.persona_id))
        .collect();
    assert_ne!(
        persona_of[&rejected.account_a],
        persona_of[&rejected.account_b]
    );
    assert!(
        case.refused_links()
            .unwrap()
            .iter()
            .any(|r| r.evidence.rule == spector_link::soft::SOFT_RULE),
        "the refused soft link is kept with its judgement"
    );
}
