//! FEBRL4 (dataset4a × dataset4b, 5,000 true pairs) through the benchmark's own code path
//! (`examples/support/febrl.rs`): F1 at 0.5 must be at least 0.99 (Splink 5 gets 0.9991).
//!
//! Skips with a one-line message when the data is absent; `SPECTOR_SHARED_DATA` names another
//! `shared/data` folder.

#[path = "../examples/support/febrl.rs"]
mod febrl;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn linkage_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SPECTOR_SHARED_DATA") {
        return Some(PathBuf::from(dir).join("linkage"))
            .filter(|d| d.join("dataset4a.csv").is_file());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.ancestors()
        .skip(1)
        .map(|a| a.join("shared/data/linkage"))
        .find(|d| d.join("dataset4a.csv").is_file())
}

#[test]
fn febrl4_links_with_f1_at_least_099() {
    let Some(dir) = linkage_dir() else {
        eprintln!("skipped: shared/data/linkage/dataset4a.csv is absent");
        return;
    };
    let r = febrl::run(&dir, &febrl::Options::default()).expect("FEBRL4 links");

    assert_eq!(r.records, (5000, 5000));
    assert_eq!(r.pairs_true, 5000);
    assert!(
        r.blocking_recall >= 0.99,
        "blocking recall {}",
        r.blocking_recall
    );
    let at = r.at_threshold;
    assert_eq!(at.tp + at.fn_, 5000);
    assert!(
        at.f1() >= 0.99,
        "P {} R {} F1 {}",
        at.precision(),
        at.recall(),
        at.f1()
    );

    // The misclassified list agrees with the counts: every false positive, and every false negative
    // except those blocking never produced.
    let fps = r.misclassified.iter().filter(|e| !e.is_match).count() as u64;
    let fns = r.misclassified.iter().filter(|e| e.is_match).count() as u64;
    assert_eq!(fps, at.fp);
    let never_blocked = r.pairs_true - (r.blocking_recall * r.pairs_true as f64).round() as u64;
    assert_eq!(fns + never_blocked, at.fn_);
    for e in &r.misclassified {
        assert_eq!(
            e.probability >= at.threshold,
            !e.is_match,
            "{} {}",
            e.a,
            e.b
        );
        let explained: f64 = r.model.explain(&e.levels).iter().map(|w| w.weight).sum();
        assert!((explained - r.model.match_weight(&e.levels)).abs() < 1e-9);
    }
    let distinct: HashSet<(&str, &str)> = r
        .misclassified
        .iter()
        .map(|e| (e.a.as_str(), e.b.as_str()))
        .collect();
    assert_eq!(distinct.len(), r.misclassified.len());

    // The model's own estimate at the threshold (over distinct patterns) accepts exactly the pairs scored
    // one by one, and believes in them about as much as the truth warrants.
    assert_eq!(r.expected.accepted, at.tp + at.fp);
    let expected_precision = r.expected.expected_precision.expect("pairs accepted");
    assert!(
        (expected_precision - at.precision()).abs() < 0.01,
        "expected precision {expected_precision} vs measured {}",
        at.precision()
    );
    assert!(r.best.f1() >= at.f1());
}

proptest::proptest! {
    /// The shortcuts that skip strsim on most random pairs never change a level: they are true bounds.
    #[test]
    fn similarity_shortcuts_are_bounds(x in "[a-e ]{0,12}", y in "[a-e ]{0,12}", t in 0.5..1.0f64) {
        let jw = strsim::jaro_winkler(&x, &y);
        proptest::prop_assert!(jw <= febrl::jaro_winkler_upper_bound(&x, &y) + 1e-12);
        let bound = febrl::edit_lower_bound(&x, &y);
        proptest::prop_assert!(bound <= strsim::levenshtein(&x, &y));
        proptest::prop_assert!(bound <= strsim::osa_distance(&x, &y));
        let level = febrl::jaro_winkler_level(Some(&x), Some(&y), &[t]);
        let want = if x == y { 1 } else if jw >= t { 2 } else { 3 };
        proptest::prop_assert_eq!(level, want);
    }
}
