//! Quantities: the hand-checked corpus in `tests/data/quantities/cases.txt`, properties on arbitrary
//! text, and a measurement over a month of real Agora titles.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use spector_enrich::{AmountKind, Amounts, parse_amounts};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// What a case line expects, as `key=value` pairs in a fixed order so a mismatch prints readably.
fn describe(a: &Amounts) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let s = &a.summary;
    let mut put = |k: &'static str, v: Option<f64>| {
        if let Some(v) = v {
            out.insert(k, format!("{v}"));
        }
    };
    put("g", s.grams);
    put("n", s.count.map(f64::from));
    put("dose", s.dose_mg);
    put("conc", s.concentration_mg_per_ml);
    put("ml", s.volume_ml);
    put("pct", s.purity_percent);
    if !a.tiers.is_empty() {
        let tiers: Vec<String> = a
            .tiers
            .iter()
            .map(|t| {
                let unit = if t.kind == AmountKind::Mass { "g" } else { "n" };
                format!("{}{unit}@{}{}", t.normalised, t.price, t.currency)
            })
            .collect();
        out.insert("tiers", tiers.join("|"));
    }
    out
}

fn matches_expected(
    got: &BTreeMap<&'static str, String>,
    expected: &BTreeMap<String, String>,
) -> bool {
    got.len() == expected.len()
        && expected.iter().all(|(k, want)| {
            let Some(have) = got.get(k.as_str()) else {
                return false;
            };
            if k == "tiers" {
                let (h, w): (Vec<&str>, Vec<&str>) =
                    (have.split('|').collect(), want.split('|').collect());
                h.len() == w.len()
                    && h.iter().zip(&w).all(|(h, w)| {
                        let parse = |t: &str| -> Option<(f64, String, f64, String)> {
                            let (q, p) = t.split_once('@')?;
                            let qn = q.trim_end_matches(['g', 'n']);
                            let pn: String = p
                                .chars()
                                .take_while(|c| c.is_ascii_digit() || *c == '.')
                                .collect();
                            Some((
                                qn.parse().ok()?,
                                q[qn.len()..].to_string(),
                                pn.parse().ok()?,
                                p[pn.len()..].to_string(),
                            ))
                        };
                        match (parse(h), parse(w)) {
                            (Some(a), Some(b)) => {
                                close(a.0, b.0) && a.1 == b.1 && close(a.2, b.2) && a.3 == b.3
                            }
                            _ => false,
                        }
                    })
            } else {
                matches!((have.parse::<f64>(), want.parse::<f64>()), (Ok(a), Ok(b)) if close(a, b))
            }
        })
}

#[test]
fn corpus_cases_parse_as_checked_by_hand() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/quantities/cases.txt");
    let text = std::fs::read_to_string(&path).expect("cases.txt");
    let mut failures = Vec::new();
    let mut cases = 0;
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (input, want) = line
            .rsplit_once(" => ")
            .expect("a case is `input => expected`");
        let input = input.replace("\\n", "\n");
        let expected: BTreeMap<String, String> = want
            .split_whitespace()
            .filter(|f| *f != "none")
            .map(|f| {
                let (k, v) = f.split_once('=').expect("field is key=value");
                (k.to_string(), v.to_string())
            })
            .collect();
        let got = parse_amounts(&input);
        cases += 1;
        if !matches_expected(&describe(&got), &expected) {
            failures.push(format!(
                "{input:?}\n   want {expected:?}\n   got  {:?}",
                describe(&got)
            ));
        }
    }
    assert!(cases >= 100, "only {cases} cases");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_match_is_explained_by_its_text() {
    let a = parse_amounts("100x M30 blues, 1/2 oz, 25mcg patch x5, 10mg/10mL, 1GR 90%");
    let raws: Vec<(&str, &str, AmountKind)> = a
        .matches
        .iter()
        .map(|m| (m.raw.as_str(), m.unit.as_str(), m.kind))
        .collect();
    assert_eq!(
        raws,
        vec![
            ("100x", "x", AmountKind::Count),
            ("M30", "M30", AmountKind::Dose),
            ("1/2 oz", "oz", AmountKind::Mass),
            ("25mcg", "mcg", AmountKind::Dose),
            ("x5", "x", AmountKind::Count),
            ("10mg/10mL", "mg/ml", AmountKind::Concentration),
            ("1GR", "gr", AmountKind::Mass),
            ("90%", "%", AmountKind::Purity),
        ]
    );
    let text = "100x M30 blues, 1/2 oz, 25mcg patch x5, 10mg/10mL, 1GR 90%";
    for m in &a.matches {
        assert_eq!(text.get(m.start..m.end), Some(m.raw.as_str()));
    }
}

use support::shared_data;

/// Share of real Agora titles (January 2014) in which a mass or a count is found, per category. The
/// floor is the measured share less two points: a change that loses amounts fails here.
#[test]
fn agora_titles_have_amounts_found() {
    let Some(path) = shared_data("markets/agora-2014/products-2014-01-01.csv") else {
        eprintln!("skipped: ../shared/data/markets/agora-2014 is not here");
        return;
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .expect("open csv");
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let (product, cat) = (col("product"), col("cat"));
    // category → (titles, with mass or count, with any amount)
    let mut per_cat: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for record in reader.records().flatten() {
        let title = record.get(product).unwrap_or("");
        let category = if record.get(cat) == Some("Drugs") {
            "Drugs"
        } else {
            "other"
        };
        let a = parse_amounts(title);
        let entry = per_cat.entry(category.to_string()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(a.summary.grams.is_some() || a.summary.count.is_some());
        entry.2 += usize::from(!a.matches.is_empty());
    }
    for (category, (n, sized, any)) in &per_cat {
        eprintln!(
            "{category}: {n} titles, mass or count in {sized} ({:.1}%), any amount in {any} ({:.1}%)",
            100.0 * *sized as f64 / *n as f64,
            100.0 * *any as f64 / *n as f64
        );
    }
    let (n, sized, _) = per_cat.get("Drugs").copied().unwrap_or_default();
    let share = sized as f64 / n.max(1) as f64;
    assert!(
        share > MEASURED_DRUG_SHARE - 0.02,
        "drug titles with a mass or count: {share:.3}"
    );
}

/// Measured on products-2014-01-01.csv (see the test's output).
const MEASURED_DRUG_SHARE: f64 = 0.87;

proptest! {
    #[test]
    fn never_panics_and_positions_slice_the_text(text in "\\PC{0,200}") {
        let a = parse_amounts(&text);
        for m in &a.matches {
            prop_assert!(m.start <= m.end && m.end <= text.len());
            prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
            prop_assert_eq!(text.get(m.start..m.end), Some(m.raw.as_str()));
            prop_assert!(m.normalised.is_finite());
        }
        for t in &a.tiers {
            prop_assert!(t.start <= t.end && t.end <= text.len());
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        }
    }

    #[test]
    fn amounts_in_listing_shapes_never_panic(
        parts in prop::collection::vec(
            prop::sample::select(vec![
                "1", "0.5", "1,5", "100", "x", "×", "g", "mg", "µg", "/", "ml", "%", "$", "€", "BTC", "-",
                "M", "30", "half", "key", "QP", "8", "ball", "th", "oz", " ", " ", "pure", "+", ":", "\n",
                "шт", "г", "Stück", "1/2", "tabs",
            ]),
            0..30,
        )
    ) {
        let text: String = parts.concat();
        let a = parse_amounts(&text);
        for m in &a.matches {
            prop_assert_eq!(text.get(m.start..m.end), Some(m.raw.as_str()));
        }
    }
}
