//! Blocking: which pairs of accounts are compared at all. Every pair that shares a blocking key is a
//! candidate; keys are the username stem and its first letters, and bands of the writing and title sketches
//! (so that a seller who changed name but kept his texts is still compared). A key held by too many
//! accounts says nothing and would cost quadratic time; it is skipped and counted.

use std::collections::{HashMap, HashSet};

use super::features::AccountFeatures;

#[derive(Debug, Clone)]
pub struct BlockingOptions {
    /// Keys held by more accounts than this are skipped.
    pub max_block: usize,
    /// Letters of the stem used as a key of their own, catching spelling variants of one name.
    pub stem_prefix: usize,
    /// Rows per band of the MinHash sketches (16 bands of 4 rows for 64 slots).
    pub band_rows: usize,
}

impl Default for BlockingOptions {
    fn default() -> Self {
        BlockingOptions {
            max_block: 200,
            stem_prefix: 5,
            band_rows: 4,
        }
    }
}

/// The blocking rules, as named in the report.
pub const BLOCKING_RULES: [&str; 4] = ["same_stem", "stem_prefix", "writing_band", "title_band"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockingReport {
    /// Distinct candidate pairs.
    pub pairs: usize,
    /// Pairs each rule produced (a pair may come from several).
    pub pairs_by_rule: [usize; 4],
    /// Keys skipped for holding more than `max_block` accounts, and the accounts they held.
    pub oversized_keys: usize,
    pub oversized_accounts: usize,
}

/// Candidate pairs `(i, j)` with `i < j`, sorted, indices into `features`.
pub fn candidate_pairs(
    features: &[AccountFeatures],
    options: &BlockingOptions,
) -> (Vec<(u32, u32)>, BlockingReport) {
    let mut report = BlockingReport::default();
    // (rule, key) → accounts. Keys are hashed strings or sketch band hashes.
    let mut blocks: HashMap<(u8, u64), Vec<u32>> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let i = i as u32;
        if f.stem.chars().count() >= 3 {
            blocks
                .entry((0, super::sketch::piece_hash(f.stem.as_bytes())))
                .or_default()
                .push(i);
            let prefix: String = f.stem.chars().take(options.stem_prefix).collect();
            if prefix.chars().count() == options.stem_prefix && prefix.as_str() != &*f.stem {
                blocks
                    .entry((1, super::sketch::piece_hash(prefix.as_bytes())))
                    .or_default()
                    .push(i);
            }
        }
        if let Some(s) = &f.blocking_style {
            for k in s.band_keys(options.band_rows) {
                blocks.entry((2, k)).or_default().push(i);
            }
        }
        if let Some(t) = &f.blocking_titles {
            for k in t.band_keys(options.band_rows) {
                blocks.entry((3, k)).or_default().push(i);
            }
        }
    }
    let mut seen: HashSet<u64> = HashSet::new();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut keys: Vec<(&(u8, u64), &Vec<u32>)> = blocks.iter().collect();
    // Deterministic order of work (the result is sorted anyway; this keeps counts stable too).
    keys.sort_unstable_by_key(|(k, _)| **k);
    for ((rule, _), members) in keys {
        if members.len() < 2 {
            continue;
        }
        if members.len() > options.max_block {
            report.oversized_keys += 1;
            report.oversized_accounts += members.len();
            continue;
        }
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if a == b {
                    continue;
                }
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                report.pairs_by_rule[*rule as usize] += 1;
                if seen.insert((u64::from(a) << 32) | u64::from(b)) {
                    pairs.push((a, b));
                }
            }
        }
    }
    pairs.sort_unstable();
    report.pairs = pairs.len();
    (pairs, report)
}
