//! A case survives its writer being killed at any moment: after reopening, it holds exactly the sources
//! whose commit completed, each complete, and no file that nothing lists.
//!
//! The test re-runs its own binary as a child that ingests sources (and replaces the derived tables) in a
//! loop, kills it with SIGKILL after a varying delay, reopens the case and checks it, many times over.

use spector_model::*;
use spector_store::{Case, Evidence};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const CHILD_ENV: &str = "SPECTOR_STORE_KILL_TEST_CASE";
const MARKETS: [&str; 3] = ["abyss", "tortuga", "nightshade"];

fn orders_in_source(k: u64) -> u64 {
    500 + (k % 4) * 1500
}

/// Not a test on its own: the body of the child process, which only runs when the parent sets the variable.
#[test]
fn kill_test_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let case = Case::open(Path::new(&dir)).unwrap();
    let inbox = Path::new(&dir).parent().unwrap().join("inbox");
    fs::create_dir_all(&inbox).unwrap();
    for k in 0u64.. {
        let market = MARKETS[(k % 3) as usize];
        let unique = format!("{}-{k}", std::process::id());
        // Big enough that the evidence copy itself takes a moment and can be interrupted too.
        let src = inbox.join(format!("{unique}.sql"));
        fs::write(&src, format!("{unique}\n").repeat(20_000)).unwrap();
        let ev = case.add_evidence(&src, market).unwrap();
        ingest(&case, &ev, market, k);
        if k % 2 == 1 {
            let generation = unique.clone();
            let members: Vec<PersonaMember> = (0..k % 7 + 1)
                .map(|i| PersonaMember {
                    persona_id: format!("{generation}/p{i}"),
                    account_id: RecordId::new(market, EntityKind::Account, &i.to_string()),
                })
                .collect();
            let links: Vec<LinkEvidence> = (0..k % 5 + 1)
                .map(|i| LinkEvidence {
                    account_a: RecordId::new(market, EntityKind::Account, &i.to_string()),
                    account_b: RecordId::new(market, EntityKind::Account, "x"),
                    rule: "pgp_fingerprint".into(),
                    value: generation.clone(),
                    score: 1.0,
                })
                .collect();
            case.replace_personas(&members, &links).unwrap();
        }
    }
}

fn ingest(case: &Case, ev: &Evidence, market: &str, k: u64) {
    let prov = |table: &str, row: u64| Provenance {
        src_sha256: ev.sha256.as_str().into(),
        src_table: table.into(),
        src_row: row,
        src_offset: row * 10,
        src_len: 10,
    };
    let mut w = case.begin_source(ev, market, "csv", "kill-test").unwrap();
    for n in 0..3 {
        w.push(Record::Account(Account {
            id: RecordId::new(market, EntityKind::Account, &format!("{k}-{n}")),
            market: market.into(),
            name: format!("v{k}-{n}"),
            role: AccountRole::Vendor,
            created_at: Some(1_600_000_000),
            profile: Some("x".repeat(200)),
            provenance: prov("users", n),
        }))
        .unwrap();
    }
    for n in 0..orders_in_source(k) {
        w.push(Record::Order(Order {
            id: RecordId::new(market, EntityKind::Order, &format!("{k}-{n}")),
            market: market.into(),
            listing_id: None,
            buyer_id: None,
            vendor_id: Some(RecordId::new(
                market,
                EntityKind::Account,
                &format!("{k}-0"),
            )),
            quantity: Some(1.0),
            amount: Some(n as f64),
            currency: Some("USD".into()),
            state: OrderState::Finalized,
            state_raw: None,
            created_at: Some(1_600_000_000),
            provenance: prov("purchases", n),
        }))
        .unwrap();
    }
    w.commit(3 + orders_in_source(k)).unwrap();
}

#[test]
fn a_writer_killed_at_any_moment_leaves_a_consistent_case() {
    let dir = tempfile::tempdir().unwrap();
    let case_dir = dir.path().join("case");
    Case::init(&case_dir).unwrap();
    let me = std::env::current_exe().unwrap();
    let mut committed_before = 0;
    let delays_ms = [
        0, 3, 10, 25, 40, 60, 90, 130, 180, 240, 320, 420, 550, 700, 900,
    ];
    for delay in delays_ms {
        let mut child = Command::new(&me)
            .args([
                "--exact",
                "kill_test_child",
                "--test-threads=1",
                "--nocapture",
            ])
            .env(CHILD_ENV, &case_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "the child must die by the kill, not finish or fail first"
        );

        let case = Case::open(&case_dir).unwrap();
        let committed = check_consistent(&case);
        assert!(committed >= committed_before, "a committed source was lost");
        committed_before = committed;
    }
    assert!(
        committed_before > 0,
        "no commit ever completed: the delays are too short for this machine"
    );
}

/// Checks every invariant of a case at rest; returns how many sources are committed.
fn check_consistent(case: &Case) -> usize {
    let root = case.root();
    let sources = case.sources().unwrap();
    let committed: BTreeMap<&str, u64> = sources
        .iter()
        .map(|s| (s.sha256.as_str(), s.records_stored))
        .collect();

    // Every committed source is there whole, and nothing of an uncommitted one.
    let mut stored: BTreeMap<String, u64> = BTreeMap::new();
    for a in case.accounts().unwrap() {
        *stored
            .entry(a.provenance.src_sha256.to_string())
            .or_default() += 1;
    }
    for o in case.orders().unwrap() {
        *stored
            .entry(o.provenance.src_sha256.to_string())
            .or_default() += 1;
    }
    let stored: BTreeMap<&str, u64> = stored.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        stored, committed,
        "records per source differ from the manifest"
    );

    // One market row per market with a committed source.
    let markets: Vec<String> = case
        .markets()
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    let expected: BTreeSet<String> = sources.iter().map(|s| s.market.clone()).collect();
    assert_eq!(markets.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(markets.len(), expected.len(), "duplicate market rows");

    // Derived tables are one generation, never a mix of two.
    let members = case.personas().unwrap();
    let links = case.link_evidence().unwrap();
    let generations: BTreeSet<&str> = members
        .iter()
        .map(|m| m.persona_id.split('/').next().unwrap())
        .chain(links.iter().map(|l| l.value.as_str()))
        .collect();
    assert!(
        generations.len() <= 1,
        "derived tables mix generations {generations:?}"
    );
    assert_eq!(members.is_empty(), links.is_empty());

    // On disk: exactly the listed parts, no staging, no half-copied evidence.
    let listed: BTreeSet<_> = case
        .table_files()
        .unwrap()
        .into_values()
        .flatten()
        .collect();
    let mut on_disk = BTreeSet::new();
    for table in fs::read_dir(root.join("tables")).unwrap() {
        let table = table.unwrap().path();
        for f in fs::read_dir(&table).unwrap() {
            on_disk.insert(f.unwrap().path());
        }
    }
    assert_eq!(
        on_disk, listed,
        "files under tables/ that nothing lists (or listed but missing)"
    );
    let stray_evidence: Vec<_> = fs::read_dir(root.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray_evidence.is_empty(), "{stray_evidence:?}");
    for s in &sources {
        assert!(
            case.verify_evidence(&s.sha256).unwrap(),
            "evidence {} damaged",
            s.sha256
        );
    }
    committed.len()
}
