//! MinHash sketches of sets of text pieces, for Jaccard similarity and locality-sensitive blocking.
//!
//! One-permutation hashing (Li, Owen & Zhang, NIPS 2012) with rotation densification (Shrivastava & Li,
//! ICML 2014): each piece is hashed once and kept in one of [`SLOTS`] slots, so sketching a vendor's whole
//! text costs one hash per piece rather than one per piece and slot. Two sketches agree in a slot with
//! probability equal to the Jaccard similarity of the two sets.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU16, Ordering};

pub const SLOTS: usize = 64;
const EMPTY: u32 = u32::MAX;

/// Fixed seeds: sketches, and therefore which pairs blocking compares, are the same on every run.
fn hasher() -> impl Hasher {
    foldhash::quality::FixedState::with_seed(0x5bd1_e995_9e37_79b9).build_hasher()
}

/// Hashes pieces of text for [`MinHash::from_hashes`].
pub fn piece_hash(piece: &[u8]) -> u64 {
    let mut h = hasher();
    h.write(piece);
    h.finish()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHash {
    slots: [u32; SLOTS],
}

impl MinHash {
    /// The sketch of the set of pieces whose hashes are given (repeats do not matter); `None` for an empty
    /// set, which has no similarity to anything.
    pub fn from_hashes(hashes: impl IntoIterator<Item = u64>) -> Option<MinHash> {
        let mut slots = [EMPTY; SLOTS];
        let mut any = false;
        for h in hashes {
            // The top bits choose the slot, the low 32 bits are the value: independent parts of one hash.
            let slot = (h >> (64 - SLOTS.trailing_zeros())) as usize;
            let value = (h as u32).min(EMPTY - 1);
            if value < slots[slot] {
                slots[slot] = value;
            }
            any = true;
        }
        if !any {
            return None;
        }
        // A small set leaves slots empty; each borrows the value of the next full slot to its right (a
        // different offset per distance keeps borrowed values from agreeing by accident).
        let filled = slots;
        for (i, slot) in slots.iter_mut().enumerate() {
            if *slot != EMPTY {
                continue;
            }
            for d in 1..SLOTS {
                let v = filled[(i + d) % SLOTS];
                if v != EMPTY {
                    *slot = v.wrapping_add((d as u32).wrapping_mul(0x9e37_79b9)) % (EMPTY - 1);
                    break;
                }
            }
        }
        Some(MinHash { slots })
    }

    /// Estimated Jaccard similarity of the two sets (standard error about 0.06 at 64 slots).
    pub fn jaccard(&self, other: &MinHash) -> f32 {
        let same = self
            .slots
            .iter()
            .zip(&other.slots)
            .filter(|(a, b)| a == b)
            .count();
        same as f32 / SLOTS as f32
    }

    /// One key per band of `rows` slots: two sketches sharing any band key are compared by blocking. With
    /// 16 bands of 4 rows, sets of Jaccard 0.5 meet with probability 0.64, of 0.7 with 0.98, of 0.3 with 0.12.
    pub fn band_keys(&self, rows: usize) -> impl Iterator<Item = u64> + '_ {
        let rows = rows.clamp(1, SLOTS);
        self.slots.chunks(rows).enumerate().map(|(band, values)| {
            let mut h = hasher();
            h.write_usize(band);
            for v in values {
                h.write_u32(*v);
            }
            h.finish()
        })
    }
}

/// How many accounts wrote each piece, approximately and in bounded memory: a count-min sketch (Cormode &
/// Muthukrishnan 2005) whose three counters for a piece share one cache line, so that counting tens of
/// millions of pieces costs one cache miss each rather than three. A count is never under the truth and
/// seldom much over it, which suits the question asked of it ("did more than N sellers write this?"); an
/// exact table of a case's pieces would need gigabytes. Counters are atomic so that threads count
/// together, and saturate instead of wrapping.
pub struct PieceCounts {
    counters: Vec<AtomicU16>,
    lines: u64,
}

/// Counters in one 64-byte cache line.
const LINE: usize = 32;

/// The pieces a [`PieceCounts`] saw more often than a limit, one bit per counter: the same answer as
/// `estimate(h) > limit` from a sixteenth of the memory, which keeps the lookups in cache.
pub struct CommonPieces {
    bits: Vec<u64>,
    lines: u64,
}

/// The three counters of a piece: one line chosen by the hash, three positions in it from other bits.
fn slots(lines: u64, h: u64) -> [usize; 3] {
    let x = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    let line = ((x ^ (x >> 29)) % lines) as usize * LINE;
    let a = (h >> 5) as usize % LINE;
    let b = (h >> 10) as usize % (LINE - 1);
    let c = (h >> 15) as usize % (LINE - 2);
    // Three distinct positions: b skips a, c skips a and b.
    let b = if b >= a { b + 1 } else { b };
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let c = if c >= lo { c + 1 } else { c };
    let c = if c >= hi { c + 1 } else { c };
    [line + a, line + b, line + c]
}

impl PieceCounts {
    /// Sized for about `pieces` distinct pieces (between 64 Ki and 32 Mi counters).
    pub fn new(pieces: usize) -> PieceCounts {
        let counters = (pieces.saturating_mul(3))
            .next_power_of_two()
            .clamp(1 << 16, 1 << 25);
        PieceCounts {
            counters: (0..counters).map(|_| AtomicU16::new(0)).collect(),
            lines: (counters / LINE) as u64,
        }
    }

    /// Counts one more account holding the piece (call once per account: deduplicate first).
    pub fn add(&self, h: u64) {
        for slot in slots(self.lines, h) {
            // Relaxed: the counts are read only after every counting thread has been joined.
            let _ = self.counters[slot]
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| c.checked_add(1));
        }
    }

    /// At least the number of accounts that hold the piece.
    pub fn estimate(&self, h: u64) -> u32 {
        slots(self.lines, h)
            .into_iter()
            .map(|slot| u32::from(self.counters[slot].load(Ordering::Relaxed)))
            .min()
            .unwrap_or(0)
    }

    /// The pieces whose estimate is above `limit`.
    pub fn above(&self, limit: u32) -> CommonPieces {
        let mut bits = vec![0u64; self.counters.len().div_ceil(64)];
        for (i, c) in self.counters.iter().enumerate() {
            if u32::from(c.load(Ordering::Relaxed)) > limit {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        CommonPieces {
            bits,
            lines: self.lines,
        }
    }
}

impl CommonPieces {
    pub fn contains(&self, h: u64) -> bool {
        slots(self.lines, h)
            .into_iter()
            .all(|slot| self.bits[slot / 64] & (1 << (slot % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch(words: &[String]) -> MinHash {
        MinHash::from_hashes(words.iter().map(|w| piece_hash(w.as_bytes()))).unwrap()
    }

    fn words(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("w{i}")).collect()
    }

    #[test]
    fn jaccard_estimates_are_close_to_the_truth() {
        // |A ∩ B| / |A ∪ B| for overlapping ranges of 1,000 words.
        for (overlap, truth) in [
            (1000, 1.0),
            (600, 600.0 / 1400.0),
            (200, 200.0 / 1800.0),
            (0, 0.0),
        ] {
            let a = sketch(&words(0..1000));
            let b = sketch(&words(1000 - overlap..2000 - overlap));
            let est = a.jaccard(&b);
            assert!(
                (est - truth as f32).abs() < 0.2,
                "{overlap}: {est} vs {truth}"
            );
        }
    }

    #[test]
    fn small_sets_are_densified_and_still_compare() {
        let a = sketch(&words(0..3));
        let b = sketch(&words(0..3));
        let c = sketch(&words(10..13));
        assert_eq!(a.jaccard(&b), 1.0);
        assert!(a.jaccard(&c) < 0.3, "{}", a.jaccard(&c));
        assert!(a.slots.iter().all(|&v| v != EMPTY));
    }

    #[test]
    fn piece_counts_never_undercount_and_rarely_overcount() {
        // As in text: most pieces are one account's, a few are everyone's. Piece i is held by one account,
        // every 50th by 40.
        let held = |i: u64| if i.is_multiple_of(50) { 40 } else { 1 };
        let counts = PieceCounts::new(100_000);
        for i in 0..100_000u64 {
            for _ in 0..held(i) {
                counts.add(piece_hash(&i.to_le_bytes()));
            }
        }
        let common = counts.above(10);
        let mut over = 0;
        for i in 0..100_000u64 {
            let h = piece_hash(&i.to_le_bytes());
            let est = counts.estimate(h);
            assert!(est >= held(i), "{i}: {est} < {}", held(i));
            assert_eq!(common.contains(h), est > 10, "{i}");
            over += u32::from(est > held(i) + 2);
        }
        assert!(over < 100, "{over} of 100,000 overcounted by more than 2");
    }

    #[test]
    fn empty_sets_have_no_sketch() {
        assert!(MinHash::from_hashes(std::iter::empty()).is_none());
    }

    #[test]
    fn identical_sets_share_every_band_and_unrelated_ones_almost_none() {
        let a = sketch(&words(0..500));
        let b = sketch(&words(0..500));
        let c = sketch(&words(500..1000));
        let ka: Vec<u64> = a.band_keys(4).collect();
        assert_eq!(ka.len(), 16);
        assert_eq!(ka, b.band_keys(4).collect::<Vec<_>>());
        let shared = c.band_keys(4).filter(|k| ka.contains(k)).count();
        assert!(shared <= 1, "{shared}");
    }
}
