//! Time and memory of the step every linker shares, at the scale the issue asks for: 1M accounts, a link for
//! every other account, a thousand judgements, and a previous run to keep ids from.
//!
//!   cargo run --release -p spector-link --example resolve_speed [ACCOUNTS]

use std::time::Instant;

use spector_link::{
    CandidateLink, Constraints, Continuity, LinkGraph, assign_stable_ids, cluster, resolve_personas,
};
use spector_model::{
    EntityKind, Judgement, JudgementId, JudgementKind, LinkEvidence, PersonaMember, RecordId,
};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let accounts: Vec<RecordId> = {
        let mut v: Vec<RecordId> = (0..n)
            .map(|i| RecordId::new(&format!("m{}", i % 10), EntityKind::Account, &i.to_string()))
            .collect();
        v.sort();
        v
    };
    // Pairs (2k, 2k+1), and every 50th pair chained to the next, with varying scores.
    let mut links = Vec::new();
    let mut evidence = Vec::new();
    for k in (0..n.saturating_sub(1)).step_by(2) {
        links.push(CandidateLink {
            a: k,
            b: k + 1,
            score: 1.0,
        });
        if k % 100 == 0 && k + 2 < n {
            links.push(CandidateLink {
                a: k + 1,
                b: k + 2,
                score: 0.6,
            });
        }
    }
    for l in &links {
        evidence.push(LinkEvidence {
            account_a: accounts[l.a].clone(),
            account_b: accounts[l.b].clone(),
            rule: "same_pgp_fingerprint".into(),
            value: "FP".into(),
            score: l.score,
        });
    }
    let judgements: Vec<Judgement> = (0..1000usize)
        .map(|j| {
            let k = (j * 100) % n.saturating_sub(3).max(1);
            Judgement {
                id: JudgementId(j as i64 + 1),
                kind: JudgementKind::DifferentSellers {
                    a: accounts[k].clone(),
                    b: accounts[k + 2].clone(),
                },
                analyst: "bench".into(),
                reason: "bench".into(),
                made_at: 0,
                withdrawn: None,
            }
        })
        .collect();
    // The previous run: the same pairs without the chains.
    let previous: Vec<PersonaMember> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| PersonaMember {
            persona_id: format!("P-{:012}", i / 2),
            account_id: a.clone(),
        })
        .collect();

    let started = Instant::now();
    let constraints = Constraints::from_judgements(&judgements);
    let alone = cluster(&accounts, &links, &constraints);
    println!(
        "cluster alone: {} groups in {:.2} s",
        alone.groups.len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let groups: Vec<Vec<RecordId>> = alone
        .groups
        .iter()
        .map(|g| g.iter().map(|&i| accounts[i].clone()).collect())
        .collect();
    let named = assign_stable_ids(&previous, groups);
    println!(
        "stable ids alone: {} kept in {:.2} s",
        named.kept,
        started.elapsed().as_secs_f64()
    );

    let graph = LinkGraph {
        accounts,
        links,
        evidence,
    };
    let links = graph.links.len();
    let started = Instant::now();
    let r = resolve_personas(
        graph,
        &Continuity {
            judgements: &judgements,
            previous: &previous,
        },
    );
    let took = started.elapsed();
    println!(
        "{n} accounts, {links} links, {} judgements: {} personas, {} refused, {} changes in {:.2} s",
        judgements.len(),
        r.personas.len(),
        r.refused.len(),
        r.changes.len(),
        took.as_secs_f64()
    );
}
