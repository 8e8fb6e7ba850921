//! Analysts' judgements and stable persona ids, end to end over a synthetic world: judgements survive
//! re-runs and newly ingested markets, and persona ids only change where personas do.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use spector_link::{CONFIRMED_RULE, PersonaChange, persona_id_for};
use spector_model::{JudgementId, RecordId};
use spector_pipeline::{
    LinkReport, LinkRunOptions, NoProgress, PipelineError, Verdict, judge, run_link_with,
};
use spector_store::Case;
use spector_synth::{SynthConfig, generate};

mod common;

struct Fixture {
    _dir: tempfile::TempDir,
    world: PathBuf,
    case: Case,
}

fn fixture(seed: u64, markets: usize) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let world = dir.path().join("world");
    generate(
        &SynthConfig {
            seed,
            scale: 0.5,
            markets,
        },
        &world,
        &|_| {},
    )
    .expect("synth");
    let case = Case::init(&dir.path().join("case")).expect("case");
    Fixture {
        _dir: dir,
        world,
        case,
    }
}

/// The world's markets in name order, each with its files.
fn markets(world: &Path) -> Vec<(String, Vec<PathBuf>)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(world.join("markets"))
        .expect("markets dir")
        .map(|e| e.expect("entry").path())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
                .expect("market dir")
                .map(|e| e.expect("entry").path())
                .collect();
            files.sort();
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            (name, files)
        })
        .collect()
}

fn ingest_market(case: &Case, market: &str, files: &[PathBuf]) {
    for file in files {
        common::ingest_file(case, market, file);
    }
}

fn link(case: &Case) -> LinkReport {
    // Hard identifiers only: these tests pin down what judgements and stable ids do to links whose
    // evidence does not change when data is added (soft scores move with every new market).
    run_link_with(case, &LinkRunOptions::hard_only(), &NoProgress).expect("link")
}

/// Persona id → its accounts, as stored.
fn personas(case: &Case) -> BTreeMap<String, BTreeSet<RecordId>> {
    let mut out: BTreeMap<String, BTreeSet<RecordId>> = BTreeMap::new();
    for m in case.personas().expect("personas") {
        out.entry(m.persona_id).or_default().insert(m.account_id);
    }
    out
}

fn persona_of(personas: &BTreeMap<String, BTreeSet<RecordId>>, account: &RecordId) -> String {
    personas
        .iter()
        .find(|(_, accounts)| accounts.contains(account))
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("{account} has no persona"))
}

#[test]
fn judgements_apply_to_hard_links_and_survive_re_runs() {
    let f = fixture(41, 3);
    for (market, files) in markets(&f.world) {
        ingest_market(&f.case, &market, &files);
    }
    let first = link(&f.case);
    assert_eq!(first.judgements_applied, 0);
    let before = personas(&f.case);
    let evidence = f.case.link_evidence().unwrap();

    // A linked pair to reject: two accounts joined by evidence in a persona of exactly two, so that the
    // rejection must split it.
    let (pair_persona, a, b) = before
        .iter()
        .filter(|(_, accs)| accs.len() == 2)
        .find_map(|(id, accs)| {
            let mut it = accs.iter();
            let (a, b) = (it.next()?.clone(), it.next()?.clone());
            evidence
                .iter()
                .any(|e| {
                    (e.account_a == a && e.account_b == b) || (e.account_a == b && e.account_b == a)
                })
                .then(|| (id.clone(), a, b))
        })
        .expect("the world has a persona of two linked accounts");
    // A persona of three or more to split one account off.
    let (big_persona, big_accounts) = before
        .iter()
        .find(|(id, accs)| accs.len() >= 3 && **id != pair_persona)
        .map(|(id, accs)| (id.clone(), accs.clone()))
        .expect("the world has a persona of three or more accounts");
    let split_off = big_accounts.iter().next_back().unwrap().clone();
    // Two accounts alone in their personas to confirm as one seller.
    let singles: Vec<RecordId> = before
        .values()
        .filter(|accs| accs.len() == 1)
        .filter_map(|accs| accs.iter().next().cloned())
        .take(2)
        .collect();
    assert_eq!(singles.len(), 2);

    let reject = judge(
        &f.case,
        &Verdict::Reject {
            a: a.to_string(),
            b: b.to_string(),
        },
        "ana",
        "the shared key is a market's",
    )
    .unwrap();
    let split = judge(
        &f.case,
        &Verdict::Split {
            persona: big_persona.clone(),
            accounts: vec![split_off.to_string()],
        },
        "ana",
        "writes differently",
    )
    .unwrap();
    let confirm = judge(
        &f.case,
        &Verdict::Confirm {
            a: singles[0].to_string(),
            b: singles[1].to_string(),
        },
        "bob",
        "same photos",
    )
    .unwrap();
    // Judgements take effect at the next run, not before.
    assert_eq!(personas(&f.case), before);

    let second = link(&f.case);
    assert_eq!(second.judgements_applied, 3);
    assert!(second.overruled.is_empty() && second.unmatched.is_empty());
    let after = personas(&f.case);

    // The rejected pair is apart; the evidence that joined them is kept, refused by the judgement.
    assert_ne!(persona_of(&after, &a), persona_of(&after, &b));
    let refused = f.case.refused_links().unwrap();
    assert!(
        refused.iter().any(|r| r.judgement == reject.id
            && [&r.evidence.account_a, &r.evidence.account_b].contains(&&a)
            && [&r.evidence.account_a, &r.evidence.account_b].contains(&&b)),
        "{refused:?}"
    );
    assert!(
        refused
            .iter()
            .all(|r| [reject.id, split.id].contains(&r.judgement))
    );
    assert_eq!(second.refused.len(), refused.len());
    // The split-off account is apart from every other account of the persona as judged; the rest keep the id.
    let split_id = persona_of(&after, &split_off);
    for other in big_accounts.iter().filter(|x| **x != split_off) {
        assert_ne!(persona_of(&after, other), split_id, "{other}");
    }
    let rest = big_accounts.iter().find(|x| **x != split_off).unwrap();
    assert_eq!(persona_of(&after, rest), big_persona);
    assert!(
        second
            .changes
            .iter()
            .any(|c| matches!(c, PersonaChange::Split { from, .. } if *from == big_persona)),
        "{:?}",
        second.changes
    );
    // The confirmed accounts are one persona, joined by evidence naming the judgement.
    assert_eq!(
        persona_of(&after, &singles[0]),
        persona_of(&after, &singles[1])
    );
    let confirmation = f
        .case
        .link_evidence()
        .unwrap()
        .into_iter()
        .find(|e| e.rule == CONFIRMED_RULE)
        .expect("the confirmation is evidence");
    assert_eq!(confirmation.value, confirm.id.to_string());
    let merged_ids: BTreeSet<String> = singles.iter().map(|s| persona_of(&before, s)).collect();
    assert!(merged_ids.contains(&persona_of(&after, &singles[0])));
    assert!(
        second.changes.iter().any(
            |c| matches!(c, PersonaChange::Merged { from, .. } if from.iter().cloned().collect::<BTreeSet<_>>() == merged_ids)
        ),
        "{:?}",
        second.changes
    );
    // Every persona no judgement touched kept its id.
    let touched: BTreeSet<&RecordId> = [&a, &b, &singles[0], &singles[1]]
        .into_iter()
        .chain(&big_accounts)
        .collect();
    for (id, accounts) in &before {
        if accounts.iter().all(|x| !touched.contains(x)) {
            assert_eq!(after.get(id), Some(accounts), "{id} changed");
        }
    }

    // A re-run changes nothing: same personas, same ids, nothing to report.
    let third = link(&f.case);
    assert_eq!(personas(&f.case), after);
    assert_eq!(third.judgements_applied, 3);
    assert!(third.changes.is_empty(), "{:?}", third.changes);
    assert_eq!(third.kept_ids, third.personas);
    // The judgements are all there, in order.
    let stored = f.case.judgements().unwrap();
    assert_eq!(stored, vec![reject.clone(), split, confirm]);

    // Withdrawing the rejection lets the evidence join the pair again, under the id it had.
    f.case
        .withdraw_judgement(reject.id, "ana", "it was the seller's own key after all")
        .unwrap();
    let fourth = link(&f.case);
    assert_eq!(fourth.judgements_applied, 2);
    let last = personas(&f.case);
    assert_eq!(persona_of(&last, &a), persona_of(&last, &b));
    assert_eq!(persona_of(&last, &a), pair_persona);
    assert_eq!(
        f.case.judgements().unwrap().len(),
        3,
        "withdrawn, not deleted"
    );
}

#[test]
fn bad_judgements_are_refused_with_the_reason() {
    let f = fixture(43, 3);
    for (market, files) in markets(&f.world) {
        ingest_market(&f.case, &market, &files);
    }
    let unknown = judge(
        &f.case,
        &Verdict::Confirm {
            a: "nowhere/account/1".into(),
            b: "nowhere/account/2".into(),
        },
        "ana",
        "why",
    )
    .unwrap_err();
    assert!(
        matches!(unknown, PipelineError::UnknownAccount(_)),
        "{unknown}"
    );
    let no_link_yet = judge(
        &f.case,
        &Verdict::Split {
            persona: "P-000000000000".into(),
            accounts: vec![],
        },
        "ana",
        "why",
    )
    .unwrap_err();
    assert!(
        matches!(no_link_yet, PipelineError::UnknownPersona(_)),
        "{no_link_yet}"
    );
    link(&f.case);
    let accounts = f.case.accounts().unwrap();
    // By market:name as `spector personas` shows accounts, but not without a reason.
    let by_name = format!("{}:{}", accounts[0].market, accounts[0].name);
    let blank = judge(
        &f.case,
        &Verdict::Reject {
            a: by_name.clone(),
            b: accounts[1].id.to_string(),
        },
        "ana",
        " ",
    )
    .unwrap_err();
    assert!(blank.to_string().contains("reason"), "{blank}");
    let j = judge(
        &f.case,
        &Verdict::Reject {
            a: by_name,
            b: accounts[1].id.to_string(),
        },
        "ana",
        "different countries",
    )
    .unwrap();
    assert_eq!(j.id, JudgementId(1));
    assert_eq!(f.case.judgements().unwrap(), vec![j]);
}

#[test]
fn persona_ids_survive_a_newly_ingested_market() {
    let f = fixture(42, 4);
    let all = markets(&f.world);
    // The market held back is the first by name: its account ids sort before the others, so a persona it
    // joins would get a new id if ids came from the smallest account alone.
    let (late_market, late_files) = &all[0];
    for (market, files) in &all[1..] {
        ingest_market(&f.case, market, files);
    }
    link(&f.case);
    let before = personas(&f.case);
    let old_persona: HashMap<&RecordId, &String> = before
        .iter()
        .flat_map(|(id, accs)| accs.iter().map(move |a| (a, id)))
        .collect();

    ingest_market(&f.case, late_market, late_files);
    let report = link(&f.case);
    let after = personas(&f.case);

    let (mut grown_and_kept, mut unchanged) = (0, 0);
    let mut ids_taken_by_merges = BTreeSet::new();
    for (id, accounts) in &after {
        let olds: BTreeSet<&String> = accounts
            .iter()
            .filter_map(|a| old_persona.get(a).copied())
            .collect();
        let old_accounts: BTreeSet<&RecordId> = accounts
            .iter()
            .filter(|a| old_persona.contains_key(a))
            .collect();
        match olds.len() {
            // Only new accounts: a new persona, named after its smallest account.
            0 => {
                assert!(accounts.iter().all(|a| a.market() == late_market), "{id}");
                assert_eq!(*id, persona_id_for(accounts.iter().next().unwrap()));
            }
            // The accounts of one earlier persona, all of them, perhaps with new ones: same id.
            1 => {
                let old = olds.iter().next().unwrap();
                let old_members: BTreeSet<&RecordId> = before[*old].iter().collect();
                assert_eq!(
                    old_accounts, old_members,
                    "{id}: hard links never split a persona"
                );
                assert_eq!(id, *old, "a persona that only grew keeps its id");
                if accounts.len() > old_members.len() {
                    grown_and_kept += 1;
                    if *id != persona_id_for(accounts.iter().next().unwrap()) {
                        // Counted below: the case the old ids got wrong.
                        ids_taken_by_merges.insert(id.clone());
                    }
                } else {
                    unchanged += 1;
                }
            }
            // New accounts bridged earlier personas: one of their ids, and the merge is reported.
            _ => {
                assert!(olds.contains(id), "{id} is one of {olds:?}");
                assert!(
                    report.changes.iter().any(|c| matches!(c,
                        PersonaChange::Merged { into, from } if into == id
                            && from.iter().collect::<BTreeSet<_>>() == olds)),
                    "{id}: {:?}",
                    report.changes
                );
            }
        }
    }
    eprintln!(
        "after a new market: {unchanged} personas unchanged, {grown_and_kept} grew and kept their id \
         ({} of them would have changed id under smallest-account naming), {} merges",
        ids_taken_by_merges.len(),
        report.changes.len()
    );
    assert!(unchanged > 10, "{unchanged}");
    assert!(grown_and_kept > 0, "the new market joins some personas");
    assert!(
        !ids_taken_by_merges.is_empty(),
        "the test covers personas whose smallest account is new"
    );
    assert!(
        report
            .changes
            .iter()
            .all(|c| matches!(c, PersonaChange::Merged { .. }))
    );
}
