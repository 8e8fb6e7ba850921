//! Following the money through a synthetic world whose chain follows its orders (`spector synth --chain`):
//! clusters against the truth of who owns each address, traces from vendors' payout addresses to the
//! exchanges where they cashed out, and a persona's page, all against `truth/chain_*.csv`.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use spector_chain::TraceOptions;
use spector_pipeline::{
    ChainImportOptions, LinkRunOptions, NoProgress, import_chain, import_tags, persona_money,
    run_link_with, trace_money,
};
use spector_store::Case;
use spector_synth::{SynthConfig, generate_with_chain};

fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("truth file");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

struct Fixture {
    _dir: tempfile::TempDir,
    world: std::path::PathBuf,
    case: Case,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world");
    generate_with_chain(
        &SynthConfig {
            seed: 7,
            scale: 1.0,
            markets: 3,
        },
        &world,
        &|_| {},
    )
    .unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    common::ingest_all(&case, &world);
    run_link_with(&case, &LinkRunOptions::hard_only(), &NoProgress).unwrap();
    let r = import_chain(
        &case,
        &[world.join("chain")],
        &ChainImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    assert!(r.problems.is_empty() && r.segments == 1, "{r:?}");
    let tags = import_tags(&case, &[world.join("attribution")]).unwrap();
    assert!(tags.tags > 0 && tags.rejects.is_empty(), "{tags:?}");
    Fixture {
        _dir: dir,
        world,
        case,
    }
}

#[test]
fn clusters_join_one_owner_only_and_coinjoins_are_left_apart() {
    let f = fixture();
    let owner: HashMap<String, String> = csv_rows(&f.world.join("truth/chain_addresses.csv"))
        .into_iter()
        .map(|r| {
            (
                r["chain_address"].clone(),
                format!("{}:{}", r["owner_kind"], r["owner_id"]),
            )
        })
        .collect();
    let addresses = f.case.chain_addresses().unwrap();
    let mut members: HashMap<&str, Vec<&str>> = HashMap::new();
    for a in &addresses {
        members
            .entry(a.cluster.as_str())
            .or_default()
            .push(&a.address);
    }
    // Pairs within clusters, and how many of them share an owner.
    let (mut pairs, mut same) = (0u64, 0u64);
    for group in members.values() {
        let owners: Vec<&String> = group.iter().filter_map(|a| owner.get(*a)).collect();
        let mut by_owner: HashMap<&String, u64> = HashMap::new();
        for o in &owners {
            *by_owner.entry(o).or_default() += 1;
        }
        let n = owners.len() as u64;
        pairs += n * n.saturating_sub(1) / 2;
        same += by_owner.values().map(|k| k * (k - 1) / 2).sum::<u64>();
    }
    let precision = same as f64 / pairs.max(1) as f64;
    assert!(pairs > 1_000, "{pairs} pairs");
    assert!(
        precision >= 0.99,
        "pairwise precision {precision:.4} ({same} of {pairs})"
    );
    // Every CoinJoin of the truth was recognised and left apart.
    let skipped: HashSet<String> = f
        .case
        .chain_skips()
        .unwrap()
        .into_iter()
        .filter(|s| s.rule.starts_with("coinjoin"))
        .map(|s| s.txid)
        .collect();
    let coinjoins = csv_rows(&f.world.join("truth/chain_coinjoins.csv"));
    assert!(!coinjoins.is_empty());
    for c in &coinjoins {
        assert!(
            skipped.contains(&c["txid"]),
            "CoinJoin {} joined",
            c["txid"]
        );
    }
}

#[test]
fn payouts_are_traced_to_the_exchange_each_vendor_cashed_out_at() {
    let f = fixture();
    let flows = csv_rows(&f.world.join("truth/chain_flows.csv"));
    let vendors = csv_rows(&f.world.join("truth/chain_vendors.csv"));
    let mut checked = 0;
    for v in vendors.iter().filter(|v| v["coinjoin"] == "no") {
        let cashed: f64 = v["cashed_out_sats"].parse().unwrap();
        if cashed == 0.0 {
            continue;
        }
        let payout_addresses: HashSet<&String> = flows
            .iter()
            .filter(|r| r["vendor_persona"] == v["persona"] && !r["payout_address"].is_empty())
            .map(|r| &r["payout_address"])
            .collect();
        let mut reached = 0.0;
        for address in payout_addresses {
            let r = trace_money(&f.case, address, &TraceOptions::default()).unwrap();
            reached += r.trace.by_label.get(&v["exchange"]).copied().unwrap_or(0.0);
            // Each label reached says which tag stated it.
            for (label, grounds) in &r.label_grounds {
                assert!(
                    grounds.iter().any(|g| g.contains("exchanges.yaml line")),
                    "{label}: {grounds:?}"
                );
            }
            // Each label reached says which tag stated it.
            for (label, grounds) in &r.label_grounds {
                assert!(
                    grounds.iter().any(|g| g.contains("exchanges.yaml line")),
                    "{label}: {grounds:?}"
                );
            }
            assert!(r.by_label_usd.is_empty() || r.trace.by_label.len() == r.by_label_usd.len());
        }
        // Haircut: each output carries its share; what reaches the exchange is what the vendor sent.
        let ratio = reached / cashed;
        assert!(
            (0.99..=1.01).contains(&ratio),
            "{}: {reached} of {cashed}",
            v["persona"]
        );
        checked += 1;
    }
    assert!(checked >= 5, "{checked} vendors checked");
}

#[test]
fn a_vendor_persona_page_shows_its_addresses_clusters_and_cash_out_point() {
    let f = fixture();
    let vendors = csv_rows(&f.world.join("truth/chain_vendors.csv"));
    let accounts = f.case.accounts().unwrap();
    let truth = common::truth_personas(&f.world);
    let members = f.case.personas().unwrap();
    let v = vendors
        .iter()
        .find(|v| v["coinjoin"] == "no" && v["cashed_out_sats"] != "0")
        .expect("a vendor who cashed out");
    // The case's persona holding one of this vendor's accounts.
    let persona = members
        .iter()
        .find(|m| {
            accounts.iter().any(|a| {
                a.id == m.account_id
                    && truth.get(&(a.market.clone(), a.name.clone())) == Some(&v["persona"])
            })
        })
        .map(|m| m.persona_id.clone())
        .expect("the vendor's persona");
    let money = persona_money(&f.case, &persona)
        .unwrap()
        .expect("chain data");
    assert!(
        money
            .addresses
            .iter()
            .any(|a| a.cluster.is_some() && a.received > 0)
    );
    let cash_outs = money.cash_outs.expect("a trace");
    assert!(
        cash_outs.trace.by_label.contains_key(&v["exchange"]),
        "{:?} lacks {}",
        cash_outs.trace.by_label,
        v["exchange"]
    );
}
