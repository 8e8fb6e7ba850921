//! The key → value tables of a profile's `[[lookup]]`s (joins such as purchases → offers → products),
//! built as the rows of one table stream by and consulted by the rows of another.
//!
//! A lookup is consulted once for every row that joins through it (every order of a market), at random
//! keys, while the rest of the ingest streams a gigabyte through the caches: a hash map of boxed strings
//! cost three cache misses a consultation (bucket, key, value), each from memory, on a 1.1 GB dump about
//! 300 ns an order. Market databases key their rows by auto-increment integers, so while every key is one
//! (written without sign or leading zeros), a table finds a value by its key as an index, in a slot of one
//! cache line that holds the value itself when it fits (ids and names do): one miss, which the mapper asks
//! for ahead of time ([`LookupTable::prefetch`]). The first key that is not such an integer, or one too
//! far beyond the others, turns the table into a hash map of texts for good.

use std::collections::HashMap;

/// One lookup's values by key. The last value given for a key is the one found.
#[derive(Debug)]
pub(crate) struct LookupTable(Table);

#[derive(Debug)]
enum Table {
    ByNumber {
        /// `slots[key]`: the key's value.
        slots: Vec<Slot>,
        /// Values too long for a slot.
        long: String,
        /// Keys with a value.
        len: usize,
        /// Bytes of `long` no slot points at any more (values given again for their key), cleared
        /// away once they outweigh the live ones: a key given a value on every row of a table would
        /// otherwise keep all of them.
        dead: usize,
    },
    /// Std's hasher (SipHash, keyed per process): these keys come from seized data, which may have been
    /// made to collide under a weaker hash.
    ByText(HashMap<Box<str>, Box<str>>),
}

/// Bytes of a value a slot holds itself.
const INLINE: usize = 60;

/// One cache line: a value of up to [`INLINE`] bytes, or where in `long` a longer one is, or nothing.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Slot {
    bytes: [u8; INLINE],
    /// The value's length when it is in `bytes`; [`Slot::LONG`] when it is in `long`, at the start and
    /// length `bytes` begins with; [`Slot::NONE`] for no value.
    tag: u32,
}

impl Slot {
    const NONE: u32 = u32::MAX;
    const LONG: u32 = u32::MAX - 1;
    const EMPTY: Slot = Slot {
        bytes: [0; INLINE],
        tag: Slot::NONE,
    };

    fn inline(value: &str) -> Slot {
        let mut bytes = [0; INLINE];
        bytes[..value.len()].copy_from_slice(value.as_bytes());
        Slot {
            bytes,
            tag: value.len() as u32,
        }
    }

    fn long(start: u32, len: u32) -> Slot {
        let mut bytes = [0; INLINE];
        bytes[..4].copy_from_slice(&start.to_le_bytes());
        bytes[4..8].copy_from_slice(&len.to_le_bytes());
        Slot {
            bytes,
            tag: Slot::LONG,
        }
    }

    /// Where in `long` the value is, for a [`Slot::LONG`] slot.
    fn span(&self) -> (usize, usize) {
        let word = |at: usize| {
            let mut b = [0; 4];
            b.copy_from_slice(&self.bytes[at..at + 4]);
            u32::from_le_bytes(b) as usize
        };
        (word(0), word(4))
    }

    fn value<'a>(&'a self, long: &'a str) -> Option<&'a str> {
        match self.tag {
            Slot::NONE => None,
            Slot::LONG => {
                let (start, len) = self.span();
                long.get(start..start + len)
            }
            // Copied from a `str` whole, so this is UTF-8; checking costs a few ns a lookup.
            len => std::str::from_utf8(self.bytes.get(..len as usize)?).ok(),
        }
    }
}

/// Dead bytes tolerated before `long` is compacted, however few the live ones.
const DEAD_BYTES_KEPT: usize = 1 << 20;

/// The largest key a table keyed by number holds, so that one outsized key cannot make it allocate
/// much: keys up to 8 times the number of values, or up to 262,144 (16 MB of slots).
fn key_fits(key: usize, len: usize) -> bool {
    key <= (len.saturating_mul(8)).max(1 << 18)
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
            slots: Vec::new(),
            long: String::new(),
            len: 0,
            dead: 0,
        })
    }
}

impl LookupTable {
    pub(crate) fn insert(&mut self, key: &str, value: &str) {
        if let Table::ByNumber {
            slots,
            long,
            len,
            dead,
        } = &mut self.0
        {
            let at = as_index(key).filter(|&k| key_fits(k, *len + 1));
            // Spans are 32-bit.
            let fits = long.len() + value.len() < Slot::LONG as usize;
            match at {
                Some(k) if fits => {
                    if k >= slots.len() {
                        slots.resize(k + 1, Slot::EMPTY);
                    }
                    match slots[k].tag {
                        Slot::NONE => *len += 1,
                        Slot::LONG => *dead += slots[k].span().1,
                        _ => {}
                    }
                    slots[k] = if value.len() <= INLINE {
                        Slot::inline(value)
                    } else {
                        let slot = Slot::long(long.len() as u32, value.len() as u32);
                        long.push_str(value);
                        slot
                    };
                    if *dead > DEAD_BYTES_KEPT && *dead > long.len() - *dead {
                        compact(slots, long);
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
            Table::ByNumber { slots, long, .. } => slots.get(as_index(key)?)?.value(long),
            Table::ByText(map) => map.get(key).map(|v| &**v),
        }
    }

    /// Starts bringing `key`'s slot into the cache, for a [`Self::get`] a little later.
    pub(crate) fn prefetch(&self, key: &str) {
        if let Table::ByNumber { slots, .. } = &self.0
            && let Some(slot) = as_index(key).and_then(|k| slots.get(k))
        {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a prefetch reads nothing and cannot fault, whatever the address; SSE, the target
            // feature `_mm_prefetch` is declared with, is part of every x86-64 processor.
            unsafe {
                use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
                _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(slot).cast());
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = slot;
        }
    }

    #[cfg(test)]
    fn text_bytes(&self) -> usize {
        match &self.0 {
            Table::ByNumber { long, .. } => long.len(),
            Table::ByText(map) => map.values().map(|v| v.len()).sum(),
        }
    }

    /// From numbers to texts, with every value it holds.
    fn by_text(&mut self) {
        let Table::ByNumber { slots, long, .. } = &self.0 else {
            return;
        };
        let mut map = HashMap::default();
        for (key, slot) in slots.iter().enumerate() {
            if let Some(value) = slot.value(long) {
                map.insert(key.to_string().into(), value.into());
            }
        }
        self.0 = Table::ByText(map);
    }
}

/// `long` with only the values slots point at, in their order.
fn compact(slots: &mut [Slot], long: &mut String) {
    let mut kept = String::with_capacity(long.len() / 2);
    for slot in slots.iter_mut().filter(|slot| slot.tag == Slot::LONG) {
        let (start, len) = slot.span();
        *slot = Slot::long(kept.len() as u32, len as u32);
        kept.push_str(&long[start..start + len]);
    }
    *long = kept;
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
                (prop_oneof![(0u32..300).prop_map(|n| n.to_string()), "[0-9]{1,3}", "[a-z0-9]{1,4}"], prop_oneof!["[a-z0-9]{0,6}", "[a-zé]{55,65}"]),
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
                // Asked for ahead, as the mapper does; it changes nothing of what is found.
                table.prefetch(k);
                prop_assert_eq!(table.get(k), map.get(k).map(String::as_str), "{:?}", k);
            }
        }
    }
}
