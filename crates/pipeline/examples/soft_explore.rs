//! Exploration aid for soft linking on a synthetic world kept by `spector demo --keep DIR`: blocking recall
//! and the distribution of comparison levels among true and false candidate pairs.
//!
//! cargo run --release -p spector-pipeline --example soft_explore -- DIR

use std::collections::{HashMap, HashSet};

use spector_link::soft::{
    BlockingOptions, COMPARISONS, NameAffixes, SoftLinkInput, account_features, candidate_pairs,
    compare,
};
use spector_model::AccountRole;
use spector_store::Case;

fn main() -> anyhow::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("DIR"));
    let case = Case::open(&dir.join("case"))?;
    let accounts = case.accounts()?;
    let listings = case.listings()?;
    let facts = case.listing_facts()?;
    let messages = case.messages()?;
    let mut truth: HashMap<(String, String), String> = HashMap::new();
    let mut rdr = csv::Reader::from_path(dir.join("world/truth/accounts.csv"))?;
    for r in rdr.records() {
        let r = r?;
        truth.insert((r[0].to_string(), r[1].to_string()), r[2].to_string());
    }
    let persona: Vec<Option<&String>> = accounts
        .iter()
        .map(|a| truth.get(&(a.market.clone(), a.name.clone())))
        .collect();
    let t = std::time::Instant::now();
    let set = account_features(
        &SoftLinkInput {
            accounts: &accounts,
            listings: &listings,
            listing_facts: &facts,
            messages: &messages,
        },
        NameAffixes::embedded(),
    );
    let (pairs, report) = candidate_pairs(&set.features, &BlockingOptions::default());
    eprintln!("features + blocking {:?}: {report:?}", t.elapsed());
    let vendor = |i: usize| accounts[i].role == AccountRole::Vendor;
    // True pairs among vendor accounts.
    let mut by_persona: HashMap<&String, Vec<usize>> = HashMap::new();
    for (i, p) in persona.iter().enumerate() {
        if let Some(p) = p
            && vendor(i)
        {
            by_persona.entry(p).or_default().push(i);
        }
    }
    let true_pairs: HashSet<(u32, u32)> = by_persona
        .values()
        .flat_map(|v| {
            v.iter().enumerate().flat_map(move |(x, &a)| {
                v[x + 1..]
                    .iter()
                    .map(move |&b| (a.min(b) as u32, a.max(b) as u32))
            })
        })
        .collect();
    let found = pairs.iter().filter(|p| true_pairs.contains(p)).count();
    println!(
        "vendor accounts {}, true vendor pairs {}, found by blocking {} (recall {:.3}), candidates {}",
        accounts
            .iter()
            .filter(|a| a.role == AccountRole::Vendor)
            .count(),
        true_pairs.len(),
        found,
        found as f64 / true_pairs.len().max(1) as f64,
        pairs.len()
    );
    let mut hist_true = vec![vec![0usize; 8]; COMPARISONS.len()];
    let mut hist_false = vec![vec![0usize; 8]; COMPARISONS.len()];
    for &(a, b) in &pairs {
        if !(vendor(a as usize) && vendor(b as usize)) {
            continue;
        }
        let l = compare(&set.features[a as usize], &set.features[b as usize]);
        let h = if true_pairs.contains(&(a, b)) {
            &mut hist_true
        } else {
            &mut hist_false
        };
        for (c, &lv) in l.iter().enumerate() {
            h[c][lv as usize] += 1;
        }
    }
    let hard_pairs: Vec<(spector_model::RecordId, spector_model::RecordId)> = case
        .link_evidence()?
        .into_iter()
        .filter(|e| e.score >= 1.0)
        .map(|e| (e.account_a, e.account_b))
        .collect();
    let t = std::time::Instant::now();
    let result = spector_link::soft::link_soft(
        &SoftLinkInput {
            accounts: &accounts,
            listings: &listings,
            listing_facts: &facts,
            messages: &messages,
        },
        &hard_pairs,
        &spector_link::soft::SoftOptions::default(),
    )?;
    eprintln!("link_soft {:?}", t.elapsed());
    let idx: HashMap<&spector_model::RecordId, usize> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.id, i))
        .collect();
    let mut predicted: HashSet<(u32, u32)> = HashSet::new();
    let mut sizes: std::collections::BTreeMap<usize, usize> = Default::default();
    for g in &result.groups {
        let v: Vec<usize> = g.iter().map(|a| idx[a]).filter(|&i| vendor(i)).collect();
        *sizes.entry(g.len()).or_default() += 1;
        for (x, &a) in v.iter().enumerate() {
            for &b in &v[x + 1..] {
                predicted.insert((a.min(b) as u32, a.max(b) as u32));
            }
        }
    }
    let tp = predicted.intersection(&true_pairs).count();
    let p = tp as f64 / predicted.len().max(1) as f64;
    let r = tp as f64 / true_pairs.len().max(1) as f64;
    println!(
        "vendor pairs: predicted {} true {} tp {tp}: precision {p:.4} recall {r:.4} F1 {:.4}",
        predicted.len(),
        true_pairs.len(),
        2.0 * p * r / (p + r).max(1e-9)
    );
    let show = |a: u32, b: u32| {
        let (fa, fb) = (&set.features[a as usize], &set.features[b as usize]);
        let l = compare(fa, fb);
        format!(
            "{}:{} ~ {}:{} [{}/{}] p={:.3} levels {:?}",
            accounts[a as usize].market,
            accounts[a as usize].name,
            accounts[b as usize].market,
            accounts[b as usize].name,
            persona[a as usize].map_or("-", |s| s.as_str()),
            persona[b as usize].map_or("-", |s| s.as_str()),
            result.model.model.probability(&l),
            l
        )
    };
    for p in predicted.difference(&true_pairs).take(12) {
        println!("FP {}", show(p.0, p.1));
    }
    for p in true_pairs.difference(&predicted).take(12) {
        println!("FN {}", show(p.0, p.1));
    }
    println!(
        "persona sizes {sizes:?}; refused merges {}; expected {:?}",
        result.refused.len(),
        result.expected_error
    );
    println!(
        "lambda {:.5} training {:?}",
        result.model.model.lambda, result.model.training
    );
    for (c, def) in COMPARISONS.iter().enumerate() {
        let m = &result.model.model.m[c];
        let u = &result.model.model.u[c];
        println!(
            "{:<16} m {:?}",
            def.name,
            m.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>()
        );
        println!(
            "{:<16} u {:?}",
            "",
            u.iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>()
        );
    }
    for (c, def) in COMPARISONS.iter().enumerate().take(0) {
        println!("{}", def.name);
        for (lv, name) in def.levels.iter().enumerate() {
            println!(
                "  {name:<22} true {:>6}  false {:>8}",
                hist_true[c][lv], hist_false[c][lv]
            );
        }
    }
    Ok(())
}
