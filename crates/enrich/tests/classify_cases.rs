//! The classifier on a hand-checked corpus (`tests/data/classify/cases.tsv`: leetspeak, spacing
//! tricks, misspellings, negation, six languages, real Agora titles), and on arbitrary text.

use proptest::prelude::*;
use spector_enrich::{Classifier, MatchKind, classify_listing};

fn how(kind: MatchKind) -> String {
    match kind {
        MatchKind::Exact => "exact".into(),
        MatchKind::Leetspeak => "leet".into(),
        MatchKind::Spacing => "spacing".into(),
        MatchKind::LeetspeakAndSpacing => "leet+spacing".into(),
        MatchKind::Fuzzy { distance } => format!("fuzzy{distance}"),
    }
}

#[test]
fn the_corpus_classifies_as_checked_by_hand() {
    let corpus = include_str!("data/classify/cases.tsv");
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in corpus.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        cases += 1;
        let cols: Vec<&str> = line.split('\t').collect();
        let [title, description, class, flags, terms, ..] = cols[..] else {
            panic!("line {}: expected at least 5 columns: {line}", n + 1);
        };
        let description = (description != "-").then_some(description);
        let c = classify_listing(title, description);
        let got_class = c.class.clone().unwrap_or_else(|| "-".into());
        let got_flags: String = [
            (c.fentanyl, 'f'),
            (c.counterfeit_pill, 'c'),
            (c.youth_appeal, 'y'),
        ]
        .iter()
        .filter_map(|&(on, letter)| on.then_some(letter))
        .collect();
        let got_flags = if got_flags.is_empty() {
            "-".to_string()
        } else {
            got_flags
        };
        if got_class != class || got_flags != flags {
            failures.push(format!(
                "line {}: {title:?}: class {got_class} flags {got_flags}, expected {class} {flags} ({:?})",
                n + 1,
                c.matched
            ));
        }
        for expected in terms.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let found = c
                .matched
                .iter()
                .any(|m| format!("{}@{}", m.term, how(m.how)) == expected);
            if !found {
                let got: Vec<String> = c
                    .matched
                    .iter()
                    .map(|m| format!("{}@{}", m.term, how(m.how)))
                    .collect();
                failures.push(format!(
                    "line {}: {title:?}: no {expected} in {got:?}",
                    n + 1
                ));
            }
        }
        for m in &c.matched {
            let text = match m.field {
                spector_enrich::TextField::Title => title,
                spector_enrich::TextField::Description => description.unwrap_or(""),
            };
            assert!(
                text.get(m.start..m.end).is_some_and(|s| !s.is_empty()),
                "{line}"
            );
        }
    }
    assert!(cases >= 40, "{cases} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_fuzzy_matching_misspellings_are_not_read() {
    let exact = Classifier::embedded().clone().with_fuzzy(false);
    assert_eq!(exact.classify("Fentanly powder 1g", None).class, None);
    assert_eq!(
        Classifier::embedded()
            .classify("Fentanly powder 1g", None)
            .class
            .as_deref(),
        Some("fentanyl")
    );
    // Leetspeak and spacing tricks are normalisation, not fuzzy matching.
    assert_eq!(
        exact.classify("f.e.n.t 1g", None).class.as_deref(),
        Some("fentanyl")
    );
}

#[test]
fn every_classification_names_its_taxonomy_version() {
    let c = classify_listing("Heroin 1g", None);
    assert_eq!(
        c.taxonomy_version,
        spector_enrich::Taxonomy::embedded().version()
    );
    assert!(c.taxonomy_version.starts_with("taxonomy-"));
}

fn tricky() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "fent",
        "f",
        "e",
        "n",
        "t",
        "@",
        "$",
        "0",
        "1",
        "3",
        "4",
        "5",
        "7",
        "-",
        ".",
        " ",
        "  ",
        "m",
        "30",
        "mg",
        "x",
        "100",
        "heroin",
        "героин",
        "é",
        "\u{0301}",
        "ß",
        "İ",
        "no",
        "free",
        "0%",
        "%",
        "s",
        "rainbow",
        "pills",
        "china",
        "white",
        "g",
        "ґ",
        "\u{1F600}",
        "ﬁ",
    ]);
    prop::collection::vec(piece, 0..30).prop_map(|p| p.concat())
}

fn check(title: &str, description: &str) {
    let c = classify_listing(title, Some(description));
    for m in &c.matched {
        let text = match m.field {
            spector_enrich::TextField::Title => title,
            spector_enrich::TextField::Description => description,
        };
        assert!(m.start < m.end, "{m:?}");
        assert!(text.get(m.start..m.end).is_some(), "{m:?} in {text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn arbitrary_text_never_panics_and_positions_slice_the_field(title in any::<String>(), description in any::<String>()) {
        check(&title, &description);
    }

    #[test]
    fn disguised_terms_never_panic_and_positions_slice_the_field(title in tricky(), description in tricky()) {
        check(&title, &description);
    }
}
