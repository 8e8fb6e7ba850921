//! The `spector` binary end to end, as an analyst or a script drives it.

use std::path::Path;
use std::process::Command;

mod support;
use support::{json, ok, spector};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A synthetic world of three markets under `dir/world` and an empty case at `dir/case`, made by the CLI.
fn synth_world_and_case(
    dir: &Path,
    seed: &str,
    scale: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let world = dir.join("world");
    let case = dir.join("case");
    ok(&[
        "synth",
        "--seed",
        seed,
        "--scale",
        scale,
        "--markets",
        "3",
        "--out",
        s(&world),
    ]);
    ok(&["case", "init", s(&case)]);
    (world, case)
}

#[test]
fn a_case_from_synth_to_targets_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (world, case) = synth_world_and_case(dir.path(), "3", "0.5");

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
        // The market's images/ directory is ingested with the dumps, every photo decoded.
        let images = reports
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["format"] == "images")
            .unwrap_or_else(|| panic!("no images report: {reports}"));
        assert!(images["stored"].as_u64().unwrap() > 0, "{images}");
        assert_eq!(
            images["undecodable"].as_array().unwrap().len(),
            0,
            "{images}"
        );
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
    // Persona sizes add up to the personas, and every rule comes with its estimated error.
    let sized: u64 = link["persona_sizes"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(sized, link["personas"].as_u64().unwrap());
    let rules = link["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["rule"] == "soft_model" && r["basis"].as_str().is_some()),
        "{link}"
    );
    // The largest persona explains itself: its accounts and the evidence between them.
    let largest = personas
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|p| p["accounts"].as_array().unwrap().len())
        .unwrap();
    let id = largest["persona"].as_str().unwrap();
    let shown = json(&["persona", "show", "--case", s(&case), "--json", id]);
    assert_eq!(shown["persona"], id);
    assert_eq!(shown["accounts"], largest["accounts"]);
    let members: Vec<&str> = shown["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let evidence = shown["evidence"].as_array().unwrap();
    assert!(!evidence.is_empty(), "{shown}");
    for e in evidence {
        assert!(members.contains(&e["account_a"].as_str().unwrap()), "{e}");
        assert!(members.contains(&e["account_b"].as_str().unwrap()), "{e}");
    }
    let text = ok(&["persona", "show", "--case", s(&case), id]);
    assert!(
        text.contains(id) && (text.contains("held by") || text.contains("bits")),
        "{text}"
    );

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

    let enriched = json(&["enrich", "--json", "--case", s(&case)]);
    let listings = enriched["listings"].as_u64().unwrap();
    assert!(listings > 0, "{enriched}");
    let classified: u64 = enriched["by_class"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(
        classified, listings,
        "every listing counted once: {enriched}"
    );
    assert!(enriched["fentanyl"].as_u64().unwrap() > 0, "{enriched}");

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
        // The question enrichment exists for: who sold fentanyl, for how much.
        let rows = json(&[
            "sql",
            "--case",
            s(&case),
            "--json",
            "SELECT count(*) AS n, sum(v.usd) AS usd FROM order_values v \
             JOIN listing_facts f ON f.listing_id = v.listing_id WHERE f.fentanyl",
        ]);
        assert!(rows[0]["n"].as_u64().unwrap() > 0, "{rows}");
        assert!(rows[0]["usd"].as_f64().unwrap() > 0.0, "{rows}");
        let rows = json(&[
            "sql",
            "--case",
            s(&case),
            "--json",
            "SELECT count(*) AS n FROM listing_facts",
        ]);
        assert_eq!(rows[0]["n"].as_u64().unwrap(), listings);
    }
}

#[test]
fn classify_explains_what_it_reads_in_any_text() {
    let out = json(&[
        "classify",
        "--json",
        "100x M30 blues - pressed",
        "f3nt@nyl 1g 98%",
        "Kokain 1 Gramm 90%",
        "fentanyl test strips x10",
    ]);
    let out = out.as_array().unwrap();
    assert_eq!(out.len(), 4);
    assert_eq!(out[0]["class"], "fentanyl_pressed_pill");
    assert_eq!(out[0]["fentanyl"], true);
    assert_eq!(out[0]["counterfeit_pill"], true);
    assert_eq!(out[0]["units"], 100.0);
    assert_eq!(out[0]["dose_mg"], 30.0);
    let m30 = out[0]["matched"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["term"] == "m30")
        .unwrap();
    assert_eq!(
        (m30["start"].as_u64(), m30["end"].as_u64()),
        (Some(5), Some(8))
    );
    assert_eq!(out[1]["class"], "fentanyl");
    assert_eq!(out[1]["matched"][0]["how"], "leetspeak");
    assert_eq!(out[1]["grams"], 1.0);
    assert_eq!(out[1]["purity_pct"], 98.0);
    assert_eq!(out[2]["class"], "cocaine");
    assert_eq!(out[2]["grams"], 1.0);
    assert_eq!(out[3]["class"], "harm_reduction");
    assert_eq!(out[3]["fentanyl"], false);

    let text = ok(&["classify", "Rainbow skittles x50"]);
    assert!(text.contains("aimed at young buyers"), "{text}");

    // An M30 of 2014 was genuine oxycodone; undated, it is read as today's counterfeit fentanyl pill.
    let dated = json(&[
        "classify",
        "--json",
        "--date",
        "2014-03-01",
        "Roxy 30mg x10 (M30)",
    ]);
    assert_eq!(dated[0]["class"], "oxycodone", "{dated}");
    assert_eq!(dated[0]["fentanyl"], false);
    let undated = json(&["classify", "--json", "Roxy 30mg x10 (M30)"]);
    assert_eq!(undated[0]["fentanyl"], true, "{undated}");
    let bad = spector(&["classify", "--date", "March 2014", "M30"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--date"));
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

/// The dump files of the synthetic market `name` in `world` (not its `images/` directory), sorted.
fn market_files(world: &Path, name: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(world.join("markets").join(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
}

#[test]
fn a_new_market_is_drafted_checked_and_ingested_with_its_profile() {
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world");
    ok(&[
        "synth",
        "--seed",
        "4",
        "--scale",
        "0.3",
        "--markets",
        "3",
        "--out",
        s(&world),
    ]);
    let case = dir.path().join("case");
    ok(&["case", "init", s(&case)]);
    for market in ["abyss", "tortuga", "nightshade"] {
        let files = market_files(&world, market);
        let profile = dir.path().join(format!("{market}.toml"));
        let mut args = vec!["profile", "draft", "-o", s(&profile), "--market", market];
        args.extend(files.iter().map(String::as_str));
        let summary = ok(&args);
        assert!(
            summary.contains("account") && summary.contains("listing"),
            "{summary}"
        );
        let text = std::fs::read_to_string(&profile).unwrap();
        assert!(text.contains(&format!("name = \"{market}\"")), "{text}");
        // Writing over an existing profile needs --force.
        let again = spector(&args);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

        let mut args = vec!["profile", "check", "--json", s(&profile)];
        args.extend(files.iter().map(String::as_str));
        let report = json(&args);
        assert_eq!(report["rows_rejected"], 0, "{report}");
        let entities = report["entities"].as_array().unwrap();
        assert!(entities.iter().any(|e| e["kind"] == "account"), "{report}");
        assert!(entities.iter().all(|e| e["rejected"] == 0), "{report}");

        let mut args = vec![
            "ingest",
            "--json",
            "--case",
            s(&case),
            "--market",
            market,
            "--profile",
            s(&profile),
        ];
        args.extend(files.iter().map(String::as_str));
        for r in json(&args).as_array().unwrap() {
            assert_eq!(r["rejected"], 0, "{r}");
            assert_eq!(r["profile"], market, "{r}");
        }
    }
    ok(&["link", "--case", s(&case)]);
    let personas = json(&["personas", "--case", s(&case), "--json"]);
    let accounts: usize = personas
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["accounts"].as_array().unwrap().len())
        .sum();
    let truth = std::fs::read_to_string(world.join("truth/accounts.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(
        accounts, truth,
        "every account arrived through drafted profiles"
    );

    // --json gives the whole draft, the profile text included.
    let files = market_files(&world, "tortuga");
    let d = json(&["profile", "draft", "--json", &files[0]]);
    assert!(d["toml"].as_str().unwrap().contains("[[entity]]"));
    let members = d["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "members")
        .unwrap();
    assert_eq!(members["kind"], "account");
    assert_eq!(members["key"], "member_id");
}

#[test]
fn profile_check_fails_on_rejects_and_output_is_terminal_safe() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("orders.sql");
    let mut text = String::from(
        "-- MySQL dump 10.13\nCREATE TABLE `orders` (\n  `id` int,\n  `buyer` varchar(9),\n  `status` varchar(9),\n  `total` decimal(9,2),\n  `note` text\n);\nINSERT INTO `orders` VALUES ",
    );
    let rows: Vec<String> = (1..=9)
        .map(|i| {
            // A market's own words are hostile too: an escape sequence in an order state.
            let status = ["shipped", "finalized", "limbo\u{1b}[31m"][i % 3];
            format!("({i},'b{i}','{status}',{i}.50,'note {i}')")
        })
        .collect();
    text.push_str(&rows.join(","));
    text.push_str(";\n");
    std::fs::write(&orders, text).unwrap();
    let profile = dir.path().join("orders.toml");
    let out = ok(&["profile", "draft", "-o", s(&profile), s(&orders)]);
    assert!(
        !out.contains('\u{1b}'),
        "raw escape reached the terminal: {out}"
    );
    let printed = ok(&["profile", "draft", s(&orders)]);
    assert!(
        printed.contains("\"limbo\\u001B[31m\" = \"?\""),
        "{printed}"
    );
    assert!(
        printed.contains("limbo\\u{1b}[31m"),
        "samples escaped: {printed}"
    );
    assert!(!printed.contains('\u{1b}'));

    let check = spector(&["profile", "check", s(&profile), s(&orders)]);
    assert!(!check.status.success());
    let stdout = String::from_utf8_lossy(&check.stdout);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stdout.contains("\"?\" is not a model order state"),
        "{stdout}"
    );
    assert!(stderr.contains("would quarantine 3 row(s)"), "{stderr}");
    assert!(!stdout.contains('\u{1b}'));
}

#[test]
fn profile_help_and_list() {
    let help = ok(&["profile", "draft", "--help"]);
    for step in [
        "spector profile draft",
        "spector profile check",
        "spector ingest",
        "--profile",
        "--max-bytes",
    ] {
        assert!(help.contains(step), "draft --help mentions {step}: {help}");
    }
    let list = ok(&["profile", "list"]);
    let shipped = spector_ingest::builtin_profiles();
    for p in &shipped {
        assert!(list.contains(&p.name), "{list}");
    }
    let listed = json(&["profile", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), shipped.len());
    assert!(ok(&["--help"]).contains("profile"));
}

#[test]
fn analysts_reject_a_link_and_the_next_run_obeys_until_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let (world, case) = synth_world_and_case(dir.path(), "5", "0.3");
    let mut names: Vec<String> = std::fs::read_dir(world.join("markets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let files = market_files(&world, name);
        let mut args = vec!["ingest", "--case", s(&case), "--market", name];
        args.extend(files.iter().map(String::as_str));
        ok(&args);
    }
    ok(&["link", "--case", s(&case)]);
    let personas = json(&["personas", "--case", s(&case), "--json"]);
    let pair = personas
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["accounts"].as_array().unwrap().len() == 2)
        .expect("a persona of two accounts");
    let persona = pair["persona"].as_str().unwrap().to_string();
    let ids: Vec<String> = pair["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();

    // A reason is required.
    let no_reason = spector(&["persona", "reject", "--case", s(&case), &ids[0], &ids[1]]);
    assert!(!no_reason.status.success());
    // The analyst defaults to USER.
    let out = Command::new(env!("CARGO_BIN_EXE_spector"))
        .args(["persona", "reject", "--case", s(&case), &ids[0], &ids[1]])
        .args(["--reason", "the shared address is an exchange's"])
        .env("USER", "inspector_k")
        .env_remove("SPECTOR_CASE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("recorded J-1") && text.contains("next `spector link`"),
        "{text}"
    );

    let listed = json(&["persona", "judgements", "--case", s(&case), "--json"]);
    assert_eq!(listed[0]["id"], "J-1");
    assert_eq!(listed[0]["kind"], "different_sellers");
    assert_eq!(listed[0]["analyst"], "inspector_k");
    assert_eq!(listed[0]["active"], true);

    let link = json(&["link", "--json", "--case", s(&case)]);
    assert_eq!(link["judgements_applied"], 1, "{link}");
    let refused = link["refused_links"].as_array().unwrap();
    assert!(
        !refused.is_empty() && refused.iter().all(|r| r["judgement"] == "J-1"),
        "{link}"
    );
    let apart = json(&["personas", "--case", s(&case), "--json"]);
    let persona_of = |personas: &serde_json::Value, id: &str| -> String {
        personas
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                p["accounts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["id"] == id)
            })
            .map(|p| p["persona"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_ne!(persona_of(&apart, &ids[0]), persona_of(&apart, &ids[1]));
    assert!([persona_of(&apart, &ids[0]), persona_of(&apart, &ids[1])].contains(&persona));
    let changes = link["persona_changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["change"] == "split" && c["from"][0] == persona.as_str()),
        "{link}"
    );

    let w = ok(&[
        "persona",
        "withdraw",
        "--case",
        s(&case),
        "J-1",
        "--reason",
        "wrong",
        "--analyst",
        "k",
    ]);
    assert!(w.contains("withdrew J-1"), "{w}");
    let text = ok(&["link", "--case", s(&case)]);
    assert!(text.contains("merged into"), "{text}");
    let together = json(&["personas", "--case", s(&case), "--json"]);
    assert_eq!(persona_of(&together, &ids[0]), persona);
    assert_eq!(persona_of(&together, &ids[1]), persona);
    let listed = ok(&["persona", "judgements", "--case", s(&case)]);
    assert!(
        listed.contains("withdrawn") && listed.contains("inspector_k"),
        "{listed}"
    );
    let bad = spector(&[
        "persona",
        "withdraw",
        "--case",
        s(&case),
        "J-1",
        "--reason",
        "again",
        "--analyst",
        "k",
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("already withdrawn"));
}
