//! Per-table and per-column statistics gathered in one streaming pass, in memory bounded by the number of
//! columns, never by the number of rows.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use serde::Serialize;

use super::classes::{ContentClass, classify};
use crate::Value;

/// How many hashes a [`Sketch`] keeps.
pub const SKETCH_SIZE: usize = 4096;
/// An enumeration is a column with at most this many distinct values.
pub const MAX_ENUM_VALUES: usize = 40;
/// Enumeration values longer than this are not enumeration values.
const MAX_ENUM_LEN: usize = 40;
/// Sample values kept per column, and the longest kept.
const COLUMN_SAMPLES: usize = 3;
const SAMPLE_CHARS: usize = 60;

/// A bottom-k ("k minimum values") sketch of a column's distinct values: the `SKETCH_SIZE` smallest 64-bit
/// hashes. Below `SKETCH_SIZE` distinct values it is exact. Above, it still estimates the distinct count,
/// and estimates how much of one column is contained in another: every hash of the other column not above
/// this sketch's largest is in this sketch exactly when the value occurs in this column.
#[derive(Debug, Clone, Default)]
pub struct Sketch {
    hashes: BTreeSet<u64>,
    /// Whether some hash was dropped: the set is then a sample.
    overflowed: bool,
}

pub fn hash_value(s: &str) -> u64 {
    // SipHash with fixed keys: deterministic within one build, which is all a draft needs.
    let mut h = std::hash::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

impl Sketch {
    pub fn insert(&mut self, h: u64) {
        if self.hashes.len() < SKETCH_SIZE {
            self.hashes.insert(h);
            return;
        }
        let Some(&max) = self.hashes.last() else {
            return;
        };
        if h < max && self.hashes.insert(h) {
            self.hashes.pop_last();
            self.overflowed = true;
        } else if h > max {
            self.overflowed = true;
        }
    }

    pub fn is_exact(&self) -> bool {
        !self.overflowed
    }

    /// Distinct values: exact below `SKETCH_SIZE`, else the bottom-k estimate.
    pub fn distinct(&self) -> u64 {
        if !self.overflowed {
            return self.hashes.len() as u64;
        }
        let Some(&max) = self.hashes.last() else {
            return 0;
        };
        let fraction = (max as f64 + 1.0) / (u64::MAX as f64 + 1.0);
        ((self.hashes.len() as f64 - 1.0) / fraction).round() as u64
    }

    /// The share of `self`'s distinct values that `other` also holds (1.0 when all of them), estimated on the
    /// hashes both sketches cover. `None` when there is nothing to compare.
    pub fn contained_in(&self, other: &Sketch) -> Option<f64> {
        let limit = if other.overflowed {
            *other.hashes.last()?
        } else {
            u64::MAX
        };
        let mut seen = 0u64;
        let mut found = 0u64;
        for h in self.hashes.iter().take_while(|h| **h <= limit) {
            seen += 1;
            if other.hashes.contains(h) {
                found += 1;
            }
        }
        (seen > 0).then(|| found as f64 / seen as f64)
    }
}

/// What a draft knows of one column after the pass.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnStats {
    /// Rows that had this column.
    pub rows: u64,
    pub nulls: u64,
    /// Empty or blank strings.
    pub empty: u64,
    pub min_len: Option<usize>,
    pub max_len: usize,
    total_len: u64,
    /// Distinct non-empty values (exact when `distinct_exact`).
    pub distinct: u64,
    pub distinct_exact: bool,
    /// How many non-empty values of each class (filled by `finish`).
    pub classes: BTreeMap<ContentClass, u64>,
    #[serde(skip)]
    class_counts: [u64; ContentClass::ALL.len()],
    /// Non-empty values whose number was larger than the one before (ids in insertion order).
    pub increasing: u64,
    pub min_number: Option<f64>,
    pub max_number: Option<f64>,
    /// Distinct values with their counts, while there are few (an enumeration), else empty.
    pub enum_values: Vec<EnumValue>,
    pub samples: Vec<String>,
    #[serde(skip)]
    pub(crate) sketch: Sketch,
    #[serde(skip)]
    enum_map: Option<BTreeMap<String, EnumValue>>,
    #[serde(skip)]
    last_number: Option<f64>,
    #[serde(skip)]
    number_sum: f64,
    #[serde(skip)]
    numbers: u64,
}

/// One value of an enumeration column.
#[derive(Debug, Clone, Serialize)]
pub struct EnumValue {
    pub value: String,
    pub count: u64,
    /// Rows with this value whose row also held a PGP public key (tells vendors from buyers).
    pub with_pgp_key: u64,
}

impl Default for ColumnStats {
    fn default() -> Self {
        ColumnStats {
            rows: 0,
            nulls: 0,
            empty: 0,
            min_len: None,
            max_len: 0,
            total_len: 0,
            distinct: 0,
            distinct_exact: true,
            classes: BTreeMap::new(),
            class_counts: [0; ContentClass::ALL.len()],
            increasing: 0,
            min_number: None,
            max_number: None,
            enum_values: Vec::new(),
            samples: Vec::new(),
            sketch: Sketch::default(),
            enum_map: Some(BTreeMap::new()),
            last_number: None,
            number_sum: 0.0,
            numbers: 0,
        }
    }
}

/// The text of a value for classification: bytes that are not UTF-8 are decoded lossily.
pub fn value_text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::Null => None,
        Value::Text(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
        Value::Bytes(b) => Some(String::from_utf8_lossy(b)),
    }
}

/// Empty, or a word exports write for "no value" (`NA`, `NULL`, `\N`, `-`).
pub fn is_null_word(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 4
            && ["na", "n/a", "null", "none", "nil", "-", "\\n", "nan"]
                .iter()
                .any(|w| s.eq_ignore_ascii_case(w)))
}

/// A value shortened for display in comments and tables.
pub fn shorten(s: &str, max_chars: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    if one_line.chars().count() <= max_chars {
        return one_line.to_string();
    }
    let mut out: String = one_line.chars().take(max_chars).collect();
    out.push('…');
    out
}

impl ColumnStats {
    /// Non-null, non-empty values.
    pub fn present(&self) -> u64 {
        self.rows - self.nulls - self.empty
    }

    /// Share of present values of a class (0 when the column is empty).
    pub fn share(&self, c: ContentClass) -> f64 {
        let present = self.present();
        if present == 0 {
            return 0.0;
        }
        self.class_counts[c.index()] as f64 / present as f64
    }

    /// Share of rows that are NULL or empty.
    pub fn null_ratio(&self) -> f64 {
        if self.rows == 0 {
            return 1.0;
        }
        (self.nulls + self.empty) as f64 / self.rows as f64
    }

    /// Distinct values over present values: 1.0 for a key.
    pub fn distinct_ratio(&self) -> f64 {
        let present = self.present();
        if present == 0 {
            return 0.0;
        }
        (self.distinct as f64 / present as f64).min(1.0)
    }

    pub fn mean_len(&self) -> f64 {
        let present = self.present();
        if present == 0 {
            return 0.0;
        }
        self.total_len as f64 / present as f64
    }

    pub fn mean_number(&self) -> Option<f64> {
        (self.numbers > 0).then(|| self.number_sum / self.numbers as f64)
    }

    /// Share of present values larger than the one before them.
    pub fn increasing_ratio(&self) -> f64 {
        let present = self.present();
        if present < 2 {
            return 0.0;
        }
        self.increasing as f64 / (present - 1) as f64
    }

    /// Whether the column is an enumeration: few distinct values, each repeated.
    pub fn is_enumeration(&self) -> bool {
        !self.enum_values.is_empty()
            && self.distinct_exact
            && self.present() >= 2 * self.distinct.max(1)
    }

    pub(crate) fn observe(&mut self, value: &Value, row_has_pgp_key: bool) {
        self.rows += 1;
        let Some(text) = value_text(value) else {
            self.nulls += 1;
            return;
        };
        let s = text.trim();
        if is_null_word(s) {
            self.empty += 1;
            return;
        }
        let len = s.chars().count();
        self.min_len = Some(self.min_len.map_or(len, |m| m.min(len)));
        self.max_len = self.max_len.max(len);
        self.total_len += len as u64;
        let classes = classify(s);
        for c in classes.iter() {
            self.class_counts[c.index()] += 1;
        }
        let number = if classes.has(ContentClass::Integer) || classes.has(ContentClass::Decimal) {
            s.parse::<f64>().ok().filter(|x| x.is_finite())
        } else {
            None
        };
        if let Some(x) = number {
            if self.last_number.is_some_and(|last| x > last) {
                self.increasing += 1;
            }
            self.min_number = Some(self.min_number.map_or(x, |m| m.min(x)));
            self.max_number = Some(self.max_number.map_or(x, |m| m.max(x)));
            self.number_sum += x;
            self.numbers += 1;
        }
        self.last_number = number;
        self.sketch.insert(hash_value(s));
        if let Some(map) = &mut self.enum_map {
            if len > MAX_ENUM_LEN || classes.has(ContentClass::LongText) {
                self.enum_map = None;
            } else {
                // Kept as written, padding included: a profile's map is matched against the raw value.
                let raw: &str = &text;
                let e = map.entry(raw.to_string()).or_insert_with(|| EnumValue {
                    value: raw.to_string(),
                    count: 0,
                    with_pgp_key: 0,
                });
                e.count += 1;
                e.with_pgp_key += u64::from(row_has_pgp_key);
                if map.len() > MAX_ENUM_VALUES {
                    self.enum_map = None;
                }
            }
        }
        if self.samples.len() < COLUMN_SAMPLES {
            let short = shorten(s, SAMPLE_CHARS);
            if !self.samples.contains(&short) {
                self.samples.push(short);
            }
        }
    }

    pub(crate) fn finish(&mut self) {
        self.classes = ContentClass::ALL
            .into_iter()
            .filter(|c| self.class_counts[c.index()] > 0)
            .map(|c| (c, self.class_counts[c.index()]))
            .collect();
        self.distinct = self.sketch.distinct();
        self.distinct_exact = self.sketch.is_exact();
        if let Some(map) = self.enum_map.take() {
            let mut values: Vec<EnumValue> = map.into_values().collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            self.enum_values = values;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_is_exact_when_small_and_estimates_when_large() {
        let mut a = Sketch::default();
        for i in 0..100 {
            a.insert(hash_value(&i.to_string()));
        }
        assert!(a.is_exact());
        assert_eq!(a.distinct(), 100);
        let mut big = Sketch::default();
        for i in 0..100_000 {
            big.insert(hash_value(&i.to_string()));
        }
        assert!(!big.is_exact());
        let d = big.distinct() as f64;
        assert!((d - 100_000.0).abs() / 100_000.0 < 0.05, "{d}");
        // Every 7th of 0..100000 is in 0..100000; a column of other values is not.
        let mut refs = Sketch::default();
        for i in (0..100_000).step_by(7) {
            refs.insert(hash_value(&i.to_string()));
        }
        let share = refs.contained_in(&big).unwrap();
        assert!(share > 0.99, "{share}");
        let mut strangers = Sketch::default();
        for i in 200_000..210_000 {
            strangers.insert(hash_value(&i.to_string()));
        }
        let share = strangers.contained_in(&big).unwrap();
        assert!(share < 0.01, "{share}");
    }

    #[test]
    fn column_statistics() {
        let mut c = ColumnStats::default();
        for v in ["1", "2", "3", "NA", "5"] {
            c.observe(&Value::Text(v.into()), false);
        }
        c.observe(&Value::Null, false);
        c.observe(&Value::Bytes(vec![b'7', 0xff]), true);
        c.finish();
        assert_eq!((c.rows, c.nulls, c.empty, c.present()), (7, 1, 1, 5));
        assert_eq!(c.distinct, 5);
        assert_eq!(c.increasing, 3);
        assert_eq!(c.share(ContentClass::Integer), 0.8);
        assert_eq!(c.max_number, Some(5.0));
        assert_eq!(c.samples, ["1", "2", "3"]);
        assert!(!c.is_enumeration(), "every value differs");
        let lossy = c
            .enum_values
            .iter()
            .find(|e| e.value.starts_with('7'))
            .unwrap();
        assert_eq!((lossy.count, lossy.with_pgp_key), (1, 1));
    }
}
