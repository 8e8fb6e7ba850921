//! Persona linking scored against a synthetic world's truth: `spector link` (hard identifiers and soft
//! evidence) over a case made by `spector demo --keep DIR`, seller accounts' pairwise precision, recall and
//! F1 overall and among pairs that share no hard identifier, and B-cubed; each rule's precision against
//! the truth beside the run's own estimate; the recall blocking loses (true pairs never compared); then the
//! learned model (m, u and weight of each level of each comparison, the `link_model` rows).
//!
//!   spector demo --seed 41 --scale 20 --keep DIR
//!   cargo run --release -p spector-pipeline --example link_quality -- DIR [THRESHOLD]

use std::collections::{HashMap, HashSet};

use spector_link::evaluate::{blocking_recall, evaluate};
use spector_link::soft::SoftLinkInput;
use spector_model::{AccountRole, RecordId};
use spector_pipeline::{LinkRunOptions, NoProgress, run_link_with};
use spector_store::Case;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DIR (from spector demo --keep DIR)"));
    let threshold: f64 = args.next().map_or(Ok(0.5), |t| t.parse())?;
    let case = Case::open(&dir.join("case"))?;

    run_link_with(&case, &LinkRunOptions::hard_only(), &NoProgress)?;
    let unordered = |a: RecordId, b: RecordId| if a < b { (a, b) } else { (b, a) };
    let hard_pairs: HashSet<(RecordId, RecordId)> = case
        .link_evidence()?
        .into_iter()
        .map(|e| unordered(e.account_a, e.account_b))
        .collect();
    let started = std::time::Instant::now();
    let report = run_link_with(
        &case,
        &LinkRunOptions {
            soft: true,
            threshold,
        },
        &NoProgress,
    )?;
    let seconds = started.elapsed().as_secs_f64();

    let mut truth_names: HashMap<(String, String), String> = HashMap::new();
    for r in csv::Reader::from_path(dir.join("world/truth/accounts.csv"))?.records() {
        let r = r?;
        truth_names.insert((r[0].to_string(), r[1].to_string()), r[2].to_string());
    }
    let mut labels: HashMap<String, usize> = HashMap::new();
    let mut truth: HashMap<RecordId, usize> = HashMap::new();
    for a in case.accounts()? {
        if a.role != AccountRole::Vendor {
            continue;
        }
        if let Some(p) = truth_names.get(&(a.market.clone(), a.name.clone())) {
            let n = labels.len();
            truth.insert(a.id, *labels.entry(p.clone()).or_insert(n));
        }
    }
    let mut personas: HashMap<String, usize> = HashMap::new();
    let predicted: HashMap<RecordId, usize> = case
        .personas()?
        .into_iter()
        .map(|m| {
            let n = personas.len();
            (m.account_id, *personas.entry(m.persona_id).or_insert(n))
        })
        .collect();
    let all = evaluate(&truth, &predicted, &HashSet::new());
    let soft_only = evaluate(&truth, &predicted, &hard_pairs);
    let mut sizes: std::collections::BTreeMap<usize, usize> = Default::default();
    let mut members: HashMap<usize, usize> = HashMap::new();
    for g in predicted.values() {
        *members.entry(*g).or_default() += 1;
    }
    for n in members.values() {
        *sizes.entry(*n).or_default() += 1;
    }
    println!("seller accounts {}, link {seconds:.2} s", truth.len());
    println!(
        "all seller pairs:       true {:>6} predicted {:>6}  precision {:.4} recall {:.4} F1 {:.4}  B-cubed F1 {:.4}",
        all.true_pairs,
        all.predicted_pairs,
        all.pairwise.precision,
        all.pairwise.recall,
        all.pairwise.f1,
        all.b_cubed.f1
    );
    println!(
        "no shared identifier:   true {:>6} predicted {:>6}  precision {:.4} recall {:.4} F1 {:.4}",
        soft_only.true_pairs,
        soft_only.predicted_pairs,
        soft_only.pairwise.precision,
        soft_only.pairwise.recall,
        soft_only.pairwise.f1
    );
    println!("persona sizes (accounts: personas): {sizes:?}");
    // Each rule's links between seller accounts of known persona, against the truth, beside the error the
    // run estimated for the rule without it.
    let mut by_rule: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    let mut seen: HashSet<(String, RecordId, RecordId)> = HashSet::new();
    for e in case.link_evidence()? {
        let rule = if e.rule.starts_with("soft") {
            spector_pipeline::SOFT_RULE.to_string()
        } else {
            e.rule.clone()
        };
        let (a, b) = unordered(e.account_a, e.account_b);
        if let (Some(x), Some(y)) = (truth.get(&a), truth.get(&b))
            && seen.insert((rule.clone(), a, b))
        {
            let tally = by_rule.entry(rule).or_default();
            tally.0 += 1;
            tally.1 += usize::from(x == y);
        }
    }
    for (rule, (links, right)) in &by_rule {
        let estimate = report
            .rules
            .iter()
            .find(|r| r.rule == *rule)
            .and_then(|r| r.expected_precision);
        println!(
            "rule {rule:<18} seller links {links:>6}  precision against the truth {:.4}  estimated {}",
            *right as f64 / *links as f64,
            estimate.map_or("-".to_string(), |p| format!("{p:.4}"))
        );
    }
    // Recall lost by blocking: true seller pairs that blocking never proposes, so no evidence could join
    // them (except a hard identifier).
    let accounts = case.accounts()?;
    let (listings, listing_facts, messages) =
        (case.listings()?, case.listing_facts()?, case.messages()?);
    let photos = spector_pipeline::account_photos(&listings, &case.photo_refs()?, &case.images()?);
    let input = SoftLinkInput {
        accounts: &accounts,
        listings: &listings,
        listing_facts: &listing_facts,
        messages: &messages,
        // Blocking does not read keys.
        keys: &[],
        photos: &photos,
    };
    let blocking = blocking_recall(&input, &truth, &hard_pairs);
    println!(
        "blocking recall: {} of {} true seller pairs proposed ({:.4}); sharing no hard identifier {} of {} ({:.4})",
        blocking.proposed,
        blocking.true_pairs,
        blocking.proposed as f64 / blocking.true_pairs.max(1) as f64,
        blocking.proposed_not_excluded,
        blocking.true_pairs_not_excluded,
        blocking.proposed_not_excluded as f64 / blocking.true_pairs_not_excluded.max(1) as f64
    );
    if let Some(s) = report.soft {
        println!(
            "model estimate at {threshold}: precision {:?} recall {:?}; blocking {:?}",
            s.expected_error.expected_precision, s.expected_error.expected_recall, s.blocking
        );
    }
    println!("model (comparison, level, m, u, weight bits):");
    for row in case.link_model()? {
        println!(
            "  {:<16} {:<40} m {:.5}  u {:.6}  {:+.2}",
            row.comparison, row.level_name, row.m, row.u, row.weight_bits
        );
    }
    Ok(())
}
