//! FEBRL4 (dataset4a × dataset4b) linked with spector's Fellegi–Sunter engine: reading, blocking, comparing,
//! training, scoring against the truth. Shared by `examples/febrl.rs` and `tests/febrl.rs`, so the test runs
//! exactly the benchmark's code path.
//!
//! Items here serve the example and the test, each of which reads part of the report.
//!
//! The model mirrors the "detailed model" of Splink's FEBRL4 example where the brief allows: the same
//! prediction blocking rules, u from random pairs, m and lambda by EM with u fixed.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::path::Path;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spector_link::fellegi_sunter::{
    Comparison, ComparisonVectors, EmOptions, ErrorEstimate, FsModel, TrainingReport,
};
use strsim::{jaro_winkler, levenshtein, osa_distance};

/// Fields in file order after `rec_id`.
const FIELDS: [&str; 10] = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
];

#[derive(Clone, Copy)]
enum Field {
    GivenName = 0,
    Surname = 1,
    StreetNumber = 2,
    Address1 = 3,
    Suburb = 5,
    Postcode = 6,
    State = 7,
    DateOfBirth = 8,
    SocSecId = 9,
}

/// One FEBRL record; blank fields are `None`.
pub struct Record {
    pub id: String,
    fields: [Option<String>; FIELDS.len()],
}

impl Record {
    fn get(&self, f: Field) -> Option<&str> {
        self.fields.get(f as usize)?.as_deref()
    }
}

/// Reads one FEBRL CSV file (header `rec_id, given_name, ...`: a space after each comma).
pub fn read(path: &Path) -> Result<Vec<Record>, Box<dyn Error>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)?;
    let header = reader.headers()?.clone();
    let position = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no column {name}", path.display()))
    };
    let id_at = position("rec_id")?;
    let at: Vec<usize> = FIELDS
        .iter()
        .map(|f| position(f))
        .collect::<Result<_, _>>()?;
    let mut records = Vec::new();
    for row in reader.records() {
        let row = row?;
        let value = |i: usize| row.get(i).filter(|v| !v.is_empty()).map(str::to_string);
        records.push(Record {
            id: row.get(id_at).unwrap_or_default().to_string(),
            fields: std::array::from_fn(|k| at.get(k).and_then(|&i| value(i))),
        });
    }
    Ok(records)
}

/// The entity number of a FEBRL id: `rec-123-org` and `rec-123-dup-0` are the same person.
fn entity(id: &str) -> Option<&str> {
    id.split('-').nth(1)
}

/// A blocking rule: pairs whose keys are equal (and present) are candidates. Keys differ by side for the
/// rule that catches swapped names.
struct BlockingRule {
    name: &'static str,
    left: fn(&Record) -> Option<String>,
    right: fn(&Record) -> Option<String>,
}

fn key(r: &Record, fields: &[Field]) -> Option<String> {
    let mut out = String::new();
    for &f in fields {
        out.push_str(r.get(f)?);
        out.push('\u{1f}');
    }
    Some(out)
}

/// Splink's FEBRL4 prediction rules.
fn blocking_rules() -> Vec<BlockingRule> {
    use Field::*;
    vec![
        BlockingRule {
            name: "given_name+surname",
            left: |r| key(r, &[GivenName, Surname]),
            right: |r| key(r, &[GivenName, Surname]),
        },
        BlockingRule {
            name: "names swapped",
            left: |r| key(r, &[GivenName, Surname]),
            right: |r| key(r, &[Surname, GivenName]),
        },
        BlockingRule {
            name: "date_of_birth",
            left: |r| key(r, &[DateOfBirth]),
            right: |r| key(r, &[DateOfBirth]),
        },
        BlockingRule {
            name: "soc_sec_id",
            left: |r| key(r, &[SocSecId]),
            right: |r| key(r, &[SocSecId]),
        },
        BlockingRule {
            name: "state+address_1",
            left: |r| key(r, &[State, Address1]),
            right: |r| key(r, &[State, Address1]),
        },
        BlockingRule {
            name: "street_number+address_1",
            left: |r| key(r, &[StreetNumber, Address1]),
            right: |r| key(r, &[StreetNumber, Address1]),
        },
        BlockingRule {
            name: "postcode",
            left: |r| key(r, &[Postcode]),
            right: |r| key(r, &[Postcode]),
        },
    ]
}

/// Pairs each blocking rule produces on its own, by rule name.
pub type RuleCounts = Vec<(&'static str, usize)>;

/// The union of the pairs the rules produce, sorted, plus each rule's own count.
fn block(a: &[Record], b: &[Record]) -> (Vec<(u32, u32)>, RuleCounts) {
    let mut pairs = Vec::new();
    let mut per_rule = Vec::new();
    for rule in blocking_rules() {
        let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
        for (j, r) in (0u32..).zip(b) {
            if let Some(k) = (rule.right)(r) {
                by_key.entry(k).or_default().push(j);
            }
        }
        let before = pairs.len();
        for (i, r) in (0u32..).zip(a) {
            if let Some(js) = (rule.left)(r).and_then(|k| by_key.get(&k)) {
                pairs.extend(js.iter().map(|&j| (i, j)));
            }
        }
        per_rule.push((rule.name, pairs.len() - before));
    }
    pairs.sort_unstable();
    pairs.dedup();
    (pairs, per_rule)
}

pub fn comparisons() -> Vec<Comparison> {
    let name = ["exact", "jaro_winkler>=0.92", "jaro_winkler>=0.8", "else"];
    vec![
        Comparison::new("given_name", &name),
        Comparison::new("surname", &name),
        Comparison::new("date_of_birth", &["exact", "one_char_off", "else"]),
        Comparison::new("soc_sec_id", &["exact", "levenshtein<=2", "else"]),
        Comparison::new("street_number", &["exact", "else"]),
        Comparison::new("address_1", &["exact", "jaro_winkler>=0.9", "else"]),
        Comparison::new("suburb", &["exact", "jaro_winkler>=0.9", "else"]),
        Comparison::new("postcode", &["exact", "one_char_off", "else"]),
        Comparison::new("state", &["exact", "else"]),
    ]
}

/// Level of a Jaro–Winkler comparison: 0 when either side is missing, 1 when equal, then 2.. for the first
/// of `thresholds` (descending) the similarity reaches, else the last level.
pub fn jaro_winkler_level(x: Option<&str>, y: Option<&str>, thresholds: &[f64]) -> u8 {
    let (Some(x), Some(y)) = (x, y) else {
        return 0;
    };
    let last = 2 + thresholds.len() as u8;
    if x == y {
        return 1;
    }
    // Almost every random pair is dissimilar: a cheap upper bound settles most of them without the
    // O(n^2) Jaro matching.
    if thresholds
        .last()
        .is_some_and(|&lowest| jaro_winkler_upper_bound(x, y) < lowest)
    {
        return last;
    }
    let similarity = jaro_winkler(x, y);
    (2u8..)
        .zip(thresholds)
        .find(|&(_, &t)| similarity >= t)
        .map_or(last, |(level, _)| level)
}

/// Level of an edit-distance comparison: 0 missing, 1 equal, 2 within `max` edits, 3 else.
fn edit_level(
    x: Option<&str>,
    y: Option<&str>,
    max: usize,
    distance: fn(&str, &str) -> usize,
) -> u8 {
    let (Some(x), Some(y)) = (x, y) else {
        return 0;
    };
    if x == y {
        return 1;
    }
    if edit_lower_bound(x, y) > max || distance(x, y) > max {
        3
    } else {
        2
    }
}

fn exact_level(x: Option<&str>, y: Option<&str>) -> u8 {
    match (x, y) {
        (Some(x), Some(y)) => 1 + u8::from(x != y),
        _ => 0,
    }
}

/// Characters two ASCII strings have in common, as multisets; `None` for non-ASCII text.
fn common_chars(x: &str, y: &str) -> Option<usize> {
    if !x.is_ascii() || !y.is_ascii() {
        return None;
    }
    let mut counts = [0u16; 128];
    for b in x.bytes() {
        counts[usize::from(b & 0x7f)] += 1;
    }
    let mut common = 0;
    for b in y.bytes() {
        let slot = &mut counts[usize::from(b & 0x7f)];
        if *slot > 0 {
            *slot -= 1;
            common += 1;
        }
    }
    Some(common)
}

/// Jaro matches are common characters, so Jaro <= (c/|x| + c/|y| + 1) / 3 with c the common characters,
/// and the Winkler boost only grows with Jaro.
pub fn jaro_winkler_upper_bound(x: &str, y: &str) -> f64 {
    let Some(common) = common_chars(x, y) else {
        return 1.0;
    };
    if common == 0 {
        // Two empty strings are identical (strsim says 1); otherwise nothing is shared.
        return if x.is_empty() && y.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    let c = common as f64;
    let jaro = ((c / x.len() as f64 + c / y.len() as f64 + 1.0) / 3.0).min(1.0);
    let prefix = x
        .bytes()
        .zip(y.bytes())
        .take(4)
        .take_while(|(a, b)| a == b)
        .count();
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

/// Every position of the longer string that is not a shared character costs at least one edit
/// (Levenshtein and optimal string alignment alike).
pub fn edit_lower_bound(x: &str, y: &str) -> usize {
    common_chars(x, y).map_or(0, |c| x.len().max(y.len()) - c)
}

/// Fills `out` (one level per comparison of [`comparisons`]) for the pair `a`, `b`.
fn compare(a: &Record, b: &Record, out: &mut [u8; 9]) {
    use Field::*;
    let f = |field| (a.get(field), b.get(field));
    let jw = |field, thresholds: &[f64]| {
        let (x, y) = f(field);
        jaro_winkler_level(x, y, thresholds)
    };
    // One insertion, deletion, substitution or adjacent transposition: optimal string alignment <= 1
    // (the same as Damerau-Levenshtein <= 1).
    let edits = |field, max, distance: fn(&str, &str) -> usize| {
        let (x, y) = f(field);
        edit_level(x, y, max, distance)
    };
    let exact = |field| {
        let (x, y) = f(field);
        exact_level(x, y)
    };
    *out = [
        jw(GivenName, &[0.92, 0.8]),
        jw(Surname, &[0.92, 0.8]),
        edits(DateOfBirth, 1, osa_distance),
        edits(SocSecId, 2, levenshtein),
        exact(StreetNumber),
        jw(Address1, &[0.9]),
        jw(Suburb, &[0.9]),
        edits(Postcode, 1, osa_distance),
        exact(State),
    ];
}

pub struct Options {
    pub random_pairs: usize,
    pub seed: u64,
    pub threshold: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            random_pairs: 1_000_000,
            seed: 42,
            threshold: 0.5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Confusion {
    pub threshold: f64,
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
}

impl Confusion {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// A pair the model got wrong at the threshold: a false positive or a false negative among candidates.
pub struct Misclassified {
    pub a: String,
    pub b: String,
    pub is_match: bool,
    pub probability: f64,
    pub levels: [u8; 9],
}

pub struct Report {
    pub records: (usize, usize),
    pub pairs_true: u64,
    pub candidates: usize,
    pub per_rule: RuleCounts,
    /// True pairs among the candidates / all true pairs.
    pub blocking_recall: f64,
    pub at_threshold: Confusion,
    /// The cut (over every scored pair) that maximises F1: an oracle figure, not the headline.
    pub best: Confusion,
    /// The model's own estimate of its error at the threshold (model-based, to compare with the truth).
    pub expected: ErrorEstimate,
    /// False positives and the false negatives that blocking did produce, in candidate order.
    pub misclassified: Vec<Misclassified>,
    pub model: FsModel,
    pub training: TrainingReport,
    pub seconds_load: f64,
    /// Blocking and comparison vectors of the candidates.
    pub seconds_block: f64,
    /// u from random pairs + EM.
    pub seconds_train: f64,
    /// Scoring every candidate.
    pub seconds_predict: f64,
}

/// Links `dir/dataset4a.csv` to `dir/dataset4b.csv` and scores the result against the truth.
pub fn run(dir: &Path, options: &Options) -> Result<Report, Box<dyn Error>> {
    let t = Instant::now();
    let a = read(&dir.join("dataset4a.csv"))?;
    let b = read(&dir.join("dataset4b.csv"))?;
    if a.is_empty() || b.is_empty() {
        return Err("a FEBRL file has no records".into());
    }
    let is_true = |i: u32, j: u32| -> bool {
        let (x, y) = (&a[i as usize].id, &b[j as usize].id);
        x.ends_with("-org") && y.ends_with("-dup-0") && entity(x) == entity(y)
    };
    let org: HashSet<&str> = a
        .iter()
        .filter(|r| r.id.ends_with("-org"))
        .filter_map(|r| entity(&r.id))
        .collect();
    let pairs_true = b
        .iter()
        .filter(|r| r.id.ends_with("-dup-0"))
        .filter_map(|r| entity(&r.id))
        .filter(|e| org.contains(e))
        .count() as u64;
    let seconds_load = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let (pairs, per_rule) = block(&a, &b);
    let mut candidates = ComparisonVectors::new(comparisons());
    candidates.reserve(pairs.len());
    let mut row = [0u8; 9];
    for &(i, j) in &pairs {
        compare(&a[i as usize], &b[j as usize], &mut row);
        candidates.push(&row);
    }
    let true_candidates = pairs.iter().filter(|&&(i, j)| is_true(i, j)).count() as u64;
    let seconds_block = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut random = ComparisonVectors::new(comparisons());
    random.reserve(options.random_pairs);
    for _ in 0..options.random_pairs {
        let (i, j) = (rng.gen_range(0..a.len()), rng.gen_range(0..b.len()));
        compare(&a[i], &b[j], &mut row);
        random.push(&row);
    }
    let u = FsModel::estimate_u(&random);
    // u comes from random pairs, so the prior must be the one over all pairs (as Splink scores).
    let em = EmOptions {
        population_pairs: Some(a.len() as u64 * b.len() as u64),
        ..EmOptions::default()
    };
    let (model, training) = FsModel::train(&candidates, u, None, &em)?;
    let seconds_train = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let scorer = model.scorer();
    let scores: Vec<f64> = candidates.rows().map(|r| scorer.probability(r)).collect();
    let seconds_predict = t.elapsed().as_secs_f64();

    let mut at = Confusion {
        threshold: options.threshold,
        tp: 0,
        fp: 0,
        fn_: 0,
    };
    let mut misclassified = Vec::new();
    for ((&p, &(i, j)), levels) in scores.iter().zip(&pairs).zip(candidates.rows()) {
        let is_match = is_true(i, j);
        let accepted = p >= options.threshold;
        match (accepted, is_match) {
            (true, true) => at.tp += 1,
            (true, false) => at.fp += 1,
            _ => {}
        }
        if accepted != is_match {
            let mut row = [0u8; 9];
            row.copy_from_slice(levels);
            misclassified.push(Misclassified {
                a: a[i as usize].id.clone(),
                b: b[j as usize].id.clone(),
                is_match,
                probability: p,
                levels: row,
            });
        }
    }
    at.fn_ = pairs_true - at.tp;

    // Best F1: accept every pair scoring at least p, for each distinct p (highest first).
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&x, &y| scores[y].total_cmp(&scores[x]));
    let mut best = Confusion {
        threshold: 1.0,
        tp: 0,
        fp: 0,
        fn_: pairs_true,
    };
    let (mut tp, mut fp) = (0u64, 0u64);
    for (k, &idx) in order.iter().enumerate() {
        let (i, j) = pairs[idx];
        if is_true(i, j) {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_score = order.get(k + 1).is_none_or(|&n| scores[n] != scores[idx]);
        let here = Confusion {
            threshold: scores[idx],
            tp,
            fp,
            fn_: pairs_true - tp,
        };
        if last_of_score && here.f1() > best.f1() {
            best = here;
        }
    }

    Ok(Report {
        records: (a.len(), b.len()),
        pairs_true,
        candidates: pairs.len(),
        per_rule,
        blocking_recall: ratio(true_candidates, pairs_true),
        at_threshold: at,
        best,
        expected: model.expected_error(&candidates, options.threshold),
        misclassified,
        model,
        training,
        seconds_load,
        seconds_block,
        seconds_train,
        seconds_predict,
    })
}
