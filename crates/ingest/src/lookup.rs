//! The key → value tables of a profile's `[[lookup]]`s (joins such as purchases → offers → products),
//! built as the rows of one table stream by and consulted by the rows of another.
//!
//! A lookup is consulted once for every row that joins through it (every order of a market), at random
//! keys, while the rest of the ingest streams a gigabyte through the caches: a hash map of boxed strings
//! cost three cache misses a consultation (bucket, key, value), each from memory, on a 1.1 GB dump about
//! 300 ns an order. Market databases key their rows by auto-increment integers, so while every key is one
//! (written without sign or leading zeros), a table holds the values' texts in one buffer and finds them
//! by the key as an index: one miss into a few hundred kilobytes, instead of several into megabytes. The
//! first key that is not such an integer, or one too far beyond the others, turns the table into a hash
//! map of texts for good.

use std::collections::HashMap;

/// One lookup's values by key. The last value given for a key is the one found.
#[derive(Debug)]
pub(crate) struct LookupTable(Table);

#[derive(Debug)]
enum Table {
    ByNumber {
        /// `spans[key]`: where the key's value is in `texts`, or [`ABSENT`].
        spans: Vec<(u32, u32)>,
        texts: String,
        /// Keys with a value.
        len: usize,
        /// Bytes of `texts` no span points at any more (values given again for their key), cleared
        /// away once they outweigh the live ones: a key given a value on every row of a table would
        /// otherwise keep all of them.
        dead: usize,
    },
    /// Std's hasher (SipHash, keyed per process): these keys come from seized data, which may have been
    /// made to collide under a weaker hash.
    ByText(HashMap<Box<str>, Box<str>>),
}

/// Dead bytes tolerated before `texts` is compacted, however few the live ones.
const DEAD_BYTES_KEPT: usize = 1 << 20;

const ABSENT: (u32, u32) = (u32::MAX, 0);

/// The largest key a table keyed by number holds, so that one outsized key cannot make it allocate
/// gigabytes: keys up to 16 times the number of values, or up to a million.
fn key_fits(key: usize, len: usize) -> bool {
    key <= (len.saturating_mul(16)).max(1 << 20)
}

/// `s` as an index if it is a non-negative integer written as an auto-increment id is: digits only, no
/// leading zero (`"007"` is a different key from `"7"`), at most 9 of them.
fn as_index(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 9 || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    b.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + usize::from(d - b'0'))
    })
}

impl Default for LookupTable {
    fn default() -> Self {
        LookupTable(Table::ByNumber {
            spans: Vec::new(),
            texts: String::new(),
            len: 0,
            dead: 0,
        })
    }
}

impl LookupTable {
    pub(crate) fn insert(&mut self, key: &str, value: &str) {
        if let Table::ByNumber {
            spans,
            texts,
            len,
            dead,
        } = &mut self.0
        {
            let at = as_index(key).filter(|&k| key_fits(k, *len + 1));
            // Spans are 32-bit, and `ABSENT` is none of them.
            let fits = texts.len() + value.len() < u32::MAX as usize;
            match at {
                Some(k) if fits => {
                    if k >= spans.len() {
                        spans.resize(k + 1, ABSENT);
                    }
                    match spans[k] {
                        ABSENT => *len += 1,
                        (_, old) => *dead += old as usize,
                    }
                    spans[k] = (texts.len() as u32, value.len() as u32);
                    texts.push_str(value);
                    if *dead > DEAD_BYTES_KEPT && *dead > texts.len() - *dead {
                        compact(spans, texts);
                        *dead = 0;
                    }
                    return;
                }
                _ => self.by_text(),
            }
        }
        if let Table::ByText(map) = &mut self.0 {
            map.insert(key.into(), value.into());
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        match &self.0 {
            Table::ByNumber { spans, texts, .. } => {
                let &(start, len) = spans.get(as_index(key)?)?;
                let start = usize::try_from(start).ok()?;
                texts.get(start..start + len as usize)
            }
            Table::ByText(map) => map.get(key).map(|v| &**v),
        }
    }

    #[cfg(test)]
    fn text_bytes(&self) -> usize {
        match &self.0 {
            Table::ByNumber { texts, .. } => texts.len(),
            Table::ByText(map) => map.values().map(|v| v.len()).sum(),
        }
    }

    /// From numbers to texts, with every value it holds.
    fn by_text(&mut self) {
        let Table::ByNumber { spans, texts, .. } = &self.0 else {
            return;
        };
        let mut map = HashMap::default();
        for (key, &(start, len)) in spans.iter().enumerate() {
            if (start, len) != ABSENT {
                let start = start as usize;
                map.insert(
                    key.to_string().into(),
                    texts[start..start + len as usize].into(),
                );
            }
        }
        self.0 = Table::ByText(map);
    }
}

/// `texts` with only the values `spans` point at, in their order.
fn compact(spans: &mut [(u32, u32)], texts: &mut String) {
    let mut kept = String::with_capacity(texts.len() / 2);
    for span in spans.iter_mut().filter(|span| **span != ABSENT) {
        let (start, len) = (span.0 as usize, span.1 as usize);
        span.0 = kept.len() as u32;
        kept.push_str(&texts[start..start + len]);
    }
    *texts = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integer_keys_are_found_by_index_and_others_by_text() {
        let mut t = LookupTable::default();
        t.insert("17", "404");
        t.insert("3", "p-9");
        t.insert("3", "p-10");
        assert!(matches!(t.0, Table::ByNumber { .. }));
        assert_eq!(t.get("3"), Some("p-10"));
        assert_eq!(t.get("17"), Some("404"));
        for absent in ["4", "017", "+17", "-3", "", "18", "99999999999"] {
            assert_eq!(t.get(absent), None, "{absent:?}");
        }
        t.insert("007", "bond");
        assert!(matches!(t.0, Table::ByText(_)));
        assert_eq!(t.get("007"), Some("bond"));
        assert_eq!(t.get("7"), None);
        assert_eq!(t.get("3"), Some("p-10"));
        assert_eq!(t.get("17"), Some("404"));
    }

    #[test]
    fn an_outsized_key_does_not_make_a_huge_table() {
        let mut t = LookupTable::default();
        t.insert("1", "a");
        t.insert("999999999", "b");
        assert!(matches!(t.0, Table::ByText(_)));
        assert_eq!(t.get("999999999"), Some("b"));
        assert_eq!(t.get("1"), Some("a"));
    }

    #[test]
    fn values_given_again_for_their_key_are_not_all_kept() {
        let mut t = LookupTable::default();
        let value = "x".repeat(1000);
        t.insert("7", "kept through every compaction");
        for row in 0..10_000 {
            t.insert(&(row % 3).to_string(), &format!("{row}{value}"));
        }
        assert!(matches!(t.0, Table::ByNumber { .. }));
        assert!(
            t.text_bytes() < 3 * DEAD_BYTES_KEPT,
            "{} bytes",
            t.text_bytes()
        );
        assert_eq!(t.get("0"), Some(format!("9999{value}").as_str()));
        assert_eq!(t.get("1"), Some(format!("9997{value}").as_str()));
        assert_eq!(t.get("2"), Some(format!("9998{value}").as_str()));
        assert_eq!(t.get("7"), Some("kept through every compaction"));
        assert_eq!(t.get("3"), None);
    }

    proptest! {
        /// Whatever its keys, a table finds what a map of texts would.
        #[test]
        fn a_table_finds_what_a_map_would(
            pairs in proptest::collection::vec(
                (prop_oneof![(0u32..300).prop_map(|n| n.to_string()), "[0-9]{1,3}", "[a-z0-9]{1,4}"], "[a-z0-9]{0,6}"),
                0..60,
            ),
            probes in proptest::collection::vec("[0-9a-z]{0,4}", 0..30),
        ) {
            let mut table = LookupTable::default();
            let mut map = std::collections::HashMap::new();
            for (k, v) in &pairs {
                table.insert(k, v);
                map.insert(k.clone(), v.clone());
            }
            for k in pairs.iter().map(|(k, _)| k).chain(&probes) {
                prop_assert_eq!(table.get(k), map.get(k).map(String::as_str), "{:?}", k);
            }
        }
    }
}
