//! Blocking: which pairs of accounts are compared at all. Every pair that shares a blocking key is a
//! candidate; keys are the username stem and its first letters, bands of the writing and title sketches
//! (so that a seller who changed name but kept his texts is still compared), and bands of photo hashes (a
//! seller who shows the same shots under another name and with other texts). A key held by too many
//! accounts says nothing and would cost quadratic time; it is skipped and counted.

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
pub const BLOCKING_RULES: [&str; 5] = [
    "same_stem",
    "stem_prefix",
    "writing_band",
    "title_band",
    "photo_band",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockingReport {
    /// Distinct candidate pairs.
    pub pairs: usize,
    /// Pairs each rule produced (a pair may come from several).
    pub pairs_by_rule: [usize; BLOCKING_RULES.len()],
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
    // (rule, key, account) for every key of every seller, sorted: each run of equal (rule, key) is a block.
    // Sorting one flat list is much cheaper than a hash map of growing lists for millions of keys.
    let mut keyed: Vec<(u8, u64, u32)> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let i = i as u32;
        if f.stem.chars().count() >= 3 {
            keyed.push((0, super::sketch::piece_hash(f.stem.as_bytes()), i));
            let prefix: String = f.stem.chars().take(options.stem_prefix).collect();
            if prefix.chars().count() == options.stem_prefix && prefix.as_str() != &*f.stem {
                keyed.push((1, super::sketch::piece_hash(prefix.as_bytes()), i));
            }
        }
        if let Some(s) = &f.blocking_style {
            keyed.extend(s.band_keys(options.band_rows).map(|k| (2, k, i)));
        }
        if let Some(t) = &f.blocking_titles {
            keyed.extend(t.band_keys(options.band_rows).map(|k| (3, k, i)));
        }
        keyed.extend(super::photos::block_keys(f).map(|k| (4, k, i)));
    }
    keyed.sort_unstable();
    keyed.dedup();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for block in keyed.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        if block.len() < 2 {
            continue;
        }
        if block.len() > options.max_block {
            report.oversized_keys += 1;
            report.oversized_accounts += block.len();
            continue;
        }
        let rule = block[0].0 as usize;
        // Accounts in a block are sorted, so every pair comes out as (smaller, larger).
        for (x, &(_, _, a)) in block.iter().enumerate() {
            for &(_, _, b) in &block[x + 1..] {
                report.pairs_by_rule[rule] += 1;
                pairs.push((a, b));
            }
        }
    }
    // A pair several blocks share is compared once.
    pairs.sort_unstable();
    pairs.dedup();
    report.pairs = pairs.len();
    (pairs, report)
}
