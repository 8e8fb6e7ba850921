//! An ingest killed at any moment leaves the case exactly as it was before the ingest began, or exactly as a
//! completed ingest leaves it: never anything in between.
//!
//! The test re-runs its own binary as a child that ingests one synthetic MySQL dump into a case already
//! holding another market, SIGKILLs it after delays spread over the whole ingest (evidence copy, parsing,
//! Parquet writing, commit), reopens the case and compares everything an analyst could see (manifest,
//! evidence area, table files, records) with the two allowed states. Finally an ingest that is left to finish
//! must produce the completed state.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use spector_store::Case;
use spector_synth::{SynthConfig, generate};

const CHILD_CASE: &str = "SPECTOR_KILL_INGEST_CASE";
const CHILD_FILE: &str = "SPECTOR_KILL_INGEST_FILE";

mod common;
use common::ingest_file as ingest;

/// Not a test on its own: the body of the child process, which only runs when the parent sets the variables.
#[test]
fn kill_ingest_child() {
    let (Ok(case), Ok(file)) = (std::env::var(CHILD_CASE), std::env::var(CHILD_FILE)) else {
        return;
    };
    let case = Case::open(Path::new(&case)).expect("open case");
    ingest(&case, "abyss", Path::new(&file));
}

/// Everything about a case that an analyst can observe, in a comparable form.
#[derive(Debug, PartialEq, Eq)]
struct CaseState {
    sources: Vec<(String, String, u64)>,
    /// Every file below the case directory except the SQLite manifest (compared through `sources`) and
    /// writers' private staging areas, with its size. Table parts have writer-chosen unique names, so they
    /// count by directory and size; evidence files are named by their hash and count by name.
    files: Vec<(PathBuf, u64)>,
    records_per_table: BTreeMap<&'static str, usize>,
    rejects: usize,
}

fn files_below(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, u64)>) {
    for entry in fs::read_dir(dir).expect("read dir") {
        let entry = entry.expect("entry");
        let path = entry.path();
        let rel = path.strip_prefix(root).expect("below root").to_path_buf();
        let name = rel.to_string_lossy();
        if name.starts_with("case.db") || name.contains(".staging") {
            continue;
        }
        let meta = entry.metadata().expect("metadata");
        if meta.is_dir() {
            files_below(root, &path, out);
        } else if rel.starts_with("tables") {
            out.push((rel.parent().expect("in a table dir").join("*"), meta.len()));
        } else {
            out.push((rel, meta.len()));
        }
    }
}

fn state(case_dir: &Path) -> CaseState {
    let case = Case::open(case_dir).expect("reopen case");
    let mut files = Vec::new();
    files_below(case_dir, case_dir, &mut files);
    files.sort();
    let records_per_table = BTreeMap::from([
        ("accounts", case.accounts().expect("accounts").len()),
        ("listings", case.listings().expect("listings").len()),
        ("orders", case.orders().expect("orders").len()),
        ("feedback", case.feedback().expect("feedback").len()),
        ("messages", case.messages().expect("messages").len()),
        ("pgp_keys", case.pgp_keys().expect("keys").len()),
        (
            "crypto_addresses",
            case.crypto_addresses().expect("addresses").len(),
        ),
        (
            "shipping_info",
            case.shipping_info().expect("shipping").len(),
        ),
    ]);
    for s in case.sources().expect("sources") {
        assert!(
            case.verify_evidence(&s.sha256).expect("verify"),
            "evidence of {} no longer matches its hash",
            s.sha256
        );
    }
    CaseState {
        sources: case
            .sources()
            .expect("sources")
            .into_iter()
            .map(|s| (s.sha256, s.market, s.records_stored))
            .collect(),
        files,
        records_per_table,
        rejects: case.rejects().expect("rejects").len(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.metadata().expect("metadata").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
            // Evidence files are read-only; the copy must be deletable by the test.
            let mut perms = fs::metadata(&target).expect("metadata").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            fs::set_permissions(&target, perms).expect("chmod");
        }
    }
}

fn sql_file(world: &Path, market: &str) -> PathBuf {
    let dir = world.join("markets").join(market);
    fs::read_dir(&dir)
        .expect("market dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "sql"))
        .unwrap_or_else(|| panic!("no .sql in {}", dir.display()))
}

#[test]
fn an_ingest_killed_at_any_moment_leaves_the_case_before_or_after_never_between() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let world = tmp.path().join("world");
    // Big enough (some MB) that the evidence copy, the parse and the Parquet writing each take a while.
    generate(
        &SynthConfig {
            seed: 7,
            scale: 12.0,
            markets: 3,
        },
        &world,
        &|_| {},
    )
    .expect("synth");
    let victim = sql_file(&world, "abyss");

    // The state before: the case already holds another market.
    let pristine = tmp.path().join("pristine");
    Case::init(&pristine).expect("init");
    ingest(
        &Case::open(&pristine).expect("open"),
        "tortuga",
        &sql_file(&world, "tortuga"),
    );
    let before = state(&pristine);

    // The state after, and how long a whole ingest takes here.
    let done = tmp.path().join("done");
    copy_dir(&pristine, &done);
    let started = Instant::now();
    ingest(&Case::open(&done).expect("open"), "abyss", &victim);
    let took = started.elapsed();
    let after = state(&done);
    assert_ne!(before, after, "the ingest must change the case");

    let me = std::env::current_exe().expect("current exe");
    let mut outcomes = BTreeMap::from([("before", 0), ("after", 0)]);
    // Twelve points spread over the ingest's duration (plus a little: the child also starts up).
    for step in 0..12u32 {
        let delay = took.mul_f64(f64::from(step) / 10.0);
        let case_dir = tmp.path().join(format!("killed-{step}"));
        copy_dir(&pristine, &case_dir);
        let mut child = Command::new(&me)
            .args(["--exact", "kill_ingest_child", "--test-threads=1"])
            .env(CHILD_CASE, &case_dir)
            .env(CHILD_FILE, &victim)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        std::thread::sleep(delay);
        child.kill().expect("kill");
        child.wait().expect("wait");

        let seen = state(&case_dir);
        let which = if seen == before {
            "before"
        } else if seen == after {
            "after"
        } else {
            panic!(
                "killed after {delay:?} (of {took:?}): the case is neither as before nor as after\n\
                 before: {before:#?}\nafter: {after:#?}\nseen: {seen:#?}"
            );
        };
        *outcomes.entry(which).or_default() += 1;

        // Whatever the kill left, a new ingest completes it to the same final state.
        ingest(&Case::open(&case_dir).expect("open"), "abyss", &victim);
        assert_eq!(
            state(&case_dir),
            after,
            "re-ingest after a kill at {delay:?}"
        );
    }
    eprintln!("kill outcomes over 12 points: {outcomes:?} (one ingest took {took:?})");
    assert!(
        outcomes["before"] > 0,
        "no kill landed before the commit: the test did not test interruption"
    );
}
