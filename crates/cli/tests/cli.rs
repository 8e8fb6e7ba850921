//! The `spector` binary end to end, as an analyst or a script drives it.

use std::path::Path;
use std::process::{Command, Output};

fn spector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spector"))
        .args(args)
        .env_remove("SPECTOR_CASE")
        .env_remove("RUST_LOG")
        .output()
        .expect("run spector")
}

fn ok(args: &[&str]) -> String {
    let out = spector(args);
    assert!(
        out.status.success(),
        "spector {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

fn json(args: &[&str]) -> serde_json::Value {
    let text = ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn a_case_from_synth_to_targets_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world");
    let case = dir.path().join("case");
    ok(&[
        "synth",
        "--seed",
        "3",
        "--scale",
        "0.5",
        "--markets",
        "3",
        "--out",
        s(&world),
    ]);
    ok(&["case", "init", s(&case)]);

    let mut markets: Vec<_> = std::fs::read_dir(world.join("markets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    markets.sort();
    for m in &markets {
        let mut files: Vec<String> = std::fs::read_dir(m)
            .unwrap()
            .map(|e| e.unwrap().path().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let name = m.file_name().unwrap().to_str().unwrap();
        let mut args = vec!["ingest", "--json", "--case", s(&case), "--market", name];
        args.extend(files.iter().map(String::as_str));
        let reports = json(&args);
        for r in reports.as_array().unwrap() {
            assert_eq!(r["rejected"], 0, "{r}");
            assert!(r["profile"].as_str().is_some_and(|p| !p.is_empty()), "{r}");
        }
    }
    // Re-ingesting is a no-op, and says so.
    let first_file = std::fs::read_dir(&markets[0])
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let name = markets[0].file_name().unwrap().to_str().unwrap();
    let again = json(&[
        "ingest",
        "--json",
        "--case",
        s(&case),
        "--market",
        name,
        s(&first_file),
    ]);
    assert_eq!(again[0]["already_ingested"], true);

    let link = json(&["link", "--json", "--case", s(&case)]);
    assert!(link["personas"].as_u64().unwrap() > 0, "{link}");

    let personas = json(&["personas", "--case", s(&case), "--json"]);
    let accounts_in_personas: usize = personas
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert!(p["persona"].as_str().unwrap().starts_with("P-"));
            p["accounts"].as_array().unwrap().len()
        })
        .sum();
    let truth_accounts = std::fs::read_to_string(world.join("truth/accounts.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(accounts_in_personas, truth_accounts);

    let targets = json(&["targets", "--case", s(&case), "--top", "5", "--json"]);
    let targets = targets.as_array().unwrap();
    assert!(!targets.is_empty() && targets.len() <= 5);
    let totals: Vec<f64> = targets
        .iter()
        .map(|t| t["total_usd"].as_f64().unwrap())
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "ranked by USD: {totals:?}"
    );
    assert!(
        targets[0]["explanation"]
            .as_str()
            .unwrap()
            .contains("sales")
    );

    let table = ok(&["targets", "--case", s(&case), "--top", "3"]);
    assert!(table.contains("persona") && table.contains("P-"), "{table}");

    #[cfg(feature = "sql")]
    {
        let rows = json(&[
            "sql",
            "--case",
            s(&case),
            "--json",
            "SELECT count(*) AS n FROM accounts",
        ]);
        assert_eq!(rows[0]["n"].as_u64().unwrap() as usize, truth_accounts);
    }
}

#[test]
fn bad_input_is_refused_with_the_file_named_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    ok(&["case", "init", s(&case)]);
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let out = spector(&["ingest", "--case", s(&case), "--market", "m", s(&junk)]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("junk.bin"), "{err}");

    let out = spector(&[
        "ingest",
        "--case",
        s(&case),
        "--market",
        "bad/name",
        s(&junk),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("market name"));

    let out = spector(&["link", "--case", s(&dir.path().join("nope"))]);
    assert!(!out.status.success());
}

#[test]
fn help_teaches_the_workflow() {
    let help = ok(&["--help"]);
    for word in ["ingest", "link", "targets", "demo", "case init"] {
        assert!(help.contains(word), "--help mentions {word}: {help}");
    }
}
