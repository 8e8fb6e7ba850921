//! Shared product photos: two accounts whose listings show the same shot, re-uploaded (resized, re-encoded,
//! cropped, watermarked by another market), are likely one seller. Photos are compared by their 64-bit
//! perceptual hashes (read from the image files by ingest; a few bits apart for one shot, about 32 for
//! unrelated pictures) and by the file's own hash (the very same file).
//!
//! Stock pictures (a manufacturer's pill photo, a picture copied from another shop) are shown by many
//! unrelated sellers: like the common pieces of writing ([`super::features::common_piece_limit`]), a picture
//! held by more sellers than the limit is left out, counted over near-identical copies, so that re-encoded
//! copies of one stock picture count as one picture.

use spector_model::RecordId;

use super::features::AccountFeatures;

/// One photo a seller shows, as the pipeline resolves it: a listing (or the account itself) references a
/// file name, and the market's seized image file of that name has been decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPhoto {
    pub account: RecordId,
    /// The picture's 64-bit perceptual hash (DCT median hash, see `spector_ingest::image`).
    pub phash: u64,
    /// The first 64 bits of the file's SHA-256: equal for the very same file, byte for byte.
    pub file: u64,
}

/// A seller's photos as compared: `(phash, file)`, sorted, without repeats and without common pictures.
pub type Photos = Box<[(u64, u64)]>;

/// Two hashes this close are taken for copies of one picture when counting how many sellers show it: the
/// widest level of the comparison, so that a picture too common to count is left out at every level.
pub const SAME_PICTURE_BITS: u32 = 10;

/// Bits per band of the blocking keys: 4 bands of 16 bits. Two hashes at most 3 bits apart agree on at
/// least one band (pigeonhole), so every such pair becomes a candidate.
const BAND_BITS: u32 = 16;
const BANDS: u32 = 64 / BAND_BITS;

/// The blocking keys of a hash: band number in the top bits, the band's bits below.
pub fn band_keys(phash: u64) -> impl Iterator<Item = u64> {
    (0..BANDS).map(move |b| {
        let band = (phash >> (b * BAND_BITS)) & ((1 << BAND_BITS) - 1);
        (u64::from(b) << BAND_BITS) | band
    })
}

/// Blocking keys of an account's compared photos.
pub fn block_keys(f: &AccountFeatures) -> impl Iterator<Item = u64> + '_ {
    f.photos.iter().flat_map(|&(phash, _)| band_keys(phash))
}

/// Gives each seller in `features` its photos, leaving out pictures shown by more than `limit` sellers.
/// `index` finds a seller's position; photos of other accounts (buyers, unknown ids) are ignored. Returns how
/// many distinct pictures were left out as common.
pub fn attach(
    features: &mut [AccountFeatures],
    index: &crate::FastMap<&RecordId, usize>,
    photos: &[AccountPhoto],
    limit: usize,
) -> usize {
    // (account, phash, file), one row per distinct photo of a seller.
    let mut rows: Vec<(u32, u64, u64)> = photos
        .iter()
        .filter_map(|p| {
            let &i = index.get(&p.account)?;
            (i < features.len()).then_some((i as u32, p.phash, p.file))
        })
        .collect();
    rows.sort_unstable();
    rows.dedup();
    if rows.is_empty() {
        return 0;
    }
    let picture = pictures(&rows);
    // Sellers per picture: (picture, account) pairs, deduplicated and counted.
    let mut held: Vec<(u32, u32)> = rows
        .iter()
        .zip(&picture)
        .map(|(&(account, _, _), &p)| (p, account))
        .collect();
    held.sort_unstable();
    held.dedup();
    let mut holders = vec![0usize; rows.len()];
    for run in held.chunk_by(|x, y| x.0 == y.0) {
        if let Some(&(p, _)) = run.first() {
            holders[p as usize] = run.len();
        }
    }
    let common = holders.iter().filter(|&&n| n > limit).count();
    // Rows are sorted by account: each run is one seller's photos.
    let mut start = 0;
    while let Some(&(account, _, _)) = rows.get(start) {
        let end = start + rows[start..].partition_point(|r| r.0 == account);
        let kept: Vec<(u64, u64)> = (start..end)
            .filter(|&r| holders[picture[r] as usize] <= limit)
            .map(|r| (rows[r].1, rows[r].2))
            .collect();
        if let Some(f) = features.get_mut(account as usize) {
            f.photos = kept.into_boxed_slice();
        }
        start = end;
    }
    common
}

/// Groups near-identical photos into pictures: the picture of each row (the index of a row standing for
/// it). Rows at most [`SAME_PICTURE_BITS`] apart that share a band are joined, and joining is transitive,
/// so the many re-encoded copies of one stock picture, each near some other, end up as one picture.
fn pictures(rows: &[(u32, u64, u64)]) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..rows.len() as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    let mut keyed: Vec<(u64, u32)> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, &(_, phash, _))| band_keys(phash).map(move |k| (k, i as u32)))
        .collect();
    keyed.sort_unstable();
    keyed.dedup();
    for block in keyed.chunk_by(|x, y| x.0 == y.0) {
        // A band value most photos share (a blank background) says nothing; joining its block pairwise
        // would cost quadratic time. Its pairs are still found through their other bands.
        if block.len() > MAX_BAND_BLOCK {
            continue;
        }
        for (x, &(_, a)) in block.iter().enumerate() {
            for &(_, b) in &block[x + 1..] {
                let (ha, hb) = (rows[a as usize].1, rows[b as usize].1);
                if (ha ^ hb).count_ones() <= SAME_PICTURE_BITS {
                    let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                    if ra != rb {
                        parent[ra.max(rb) as usize] = ra.min(rb);
                    }
                }
            }
        }
    }
    (0..rows.len() as u32)
        .map(|i| root(&mut parent, i))
        .collect()
}

/// Photos sharing one band value beyond which the band is not used to group pictures.
const MAX_BAND_BLOCK: usize = 5_000;

/// The level of the `photos` comparison (see `compare.rs`) for two sellers' photos, with the Hamming
/// distance of their closest pair: `same_file` when they show one file byte for byte, else by distance.
pub fn level(a: &[(u64, u64)], b: &[(u64, u64)]) -> (u8, Option<f64>) {
    let nearest = a
        .iter()
        .flat_map(|&(ha, _)| b.iter().map(move |&(hb, _)| (ha ^ hb).count_ones()))
        .min();
    let Some(d) = nearest else {
        return (0, None);
    };
    if a.iter().any(|(_, fa)| b.iter().any(|(_, fb)| fa == fb)) {
        return (1, Some(0.0));
    }
    let level = match d {
        0..=4 => 2,
        5..=SAME_PICTURE_BITS => 3,
        _ => 4,
    };
    (level, Some(f64::from(d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soft::block::{BlockingOptions, candidate_pairs};
    use crate::soft::compare::{COMPARISONS, PHOTOS, measure};
    use proptest::prelude::*;

    fn seller(name: &str, photos: &[(u64, u64)]) -> AccountFeatures {
        let mut f = AccountFeatures::new(0, name, "");
        f.photos = photos.to_vec().into_boxed_slice();
        f
    }

    /// `base` with the lowest `n` bits flipped.
    fn flip(base: u64, n: u32) -> u64 {
        base ^ ((1u64 << n) - 1)
    }

    const SHOT: u64 = 0x9b3c_51e2_07fa_6d48;
    const OTHER: u64 = 0x5a0f_c3e1_7788_1d2b;
    const THIRD: u64 = 0xe1d2_0a4c_39b6_f570;

    #[test]
    fn levels_follow_the_closest_pair_of_photos() {
        let name = |a: &[(u64, u64)], b: &[(u64, u64)]| {
            let level = measure(PHOTOS, &seller("a", a), &seller("b", b)).level;
            COMPARISONS[PHOTOS].levels[level as usize]
        };
        assert_eq!(name(&[], &[(SHOT, 1)]), "null");
        assert_eq!(name(&[(SHOT, 1)], &[(SHOT, 1)]), "same_file");
        // Another file of the very same picture (re-encoded without visible change).
        assert_eq!(name(&[(SHOT, 1)], &[(SHOT, 2)]), "hamming<=4");
        assert_eq!(name(&[(SHOT, 1)], &[(flip(SHOT, 4), 2)]), "hamming<=4");
        assert_eq!(name(&[(SHOT, 1)], &[(flip(SHOT, 5), 2)]), "hamming<=10");
        assert_eq!(name(&[(SHOT, 1)], &[(flip(SHOT, 10), 2)]), "hamming<=10");
        assert_eq!(name(&[(SHOT, 1)], &[(flip(SHOT, 11), 2)]), "else");
        // The closest pair counts, whatever else the sellers show.
        assert_eq!(
            name(&[(OTHER, 7), (SHOT, 1)], &[(flip(SHOT, 3), 2), (THIRD, 8)]),
            "hamming<=4"
        );
        let measured = measure(
            PHOTOS,
            &seller("a", &[(SHOT, 1)]),
            &seller("b", &[(flip(SHOT, 7), 2)]),
        );
        assert_eq!(measured.value, Some(7.0));
    }

    #[test]
    fn a_picture_many_sellers_show_is_left_out_counting_its_near_copies() {
        let ids: Vec<RecordId> = (0..20)
            .map(|i| RecordId::new("m", spector_model::EntityKind::Account, &i.to_string()))
            .collect();
        let mut features: Vec<AccountFeatures> =
            (0..20).map(|i| seller(&format!("s{i}"), &[])).collect();
        let index: crate::FastMap<&RecordId, usize> =
            ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
        let mut photos = Vec::new();
        // A stock picture shown by 16 sellers, each copy re-encoded a little differently (up to 6 bits
        // from the original, so that no single hash is held by more than a few).
        for (i, id) in ids.iter().enumerate().take(16) {
            photos.push(AccountPhoto {
                account: id.clone(),
                phash: flip(SHOT, (i % 7) as u32),
                file: 100 + i as u64,
            });
        }
        // Two sellers' own shot, and a third seller's unrelated one.
        for i in [0, 1] {
            photos.push(AccountPhoto {
                account: ids[i].clone(),
                phash: OTHER,
                file: 7,
            });
        }
        photos.push(AccountPhoto {
            account: ids[19].clone(),
            phash: THIRD,
            file: 9,
        });
        let common = attach(&mut features, &index, &photos, 12);
        assert_eq!(common, 1, "the stock picture, counted once over its copies");
        assert_eq!(&*features[0].photos, &[(OTHER, 7)]);
        assert_eq!(&*features[1].photos, &[(OTHER, 7)]);
        assert!(features[5].photos.is_empty(), "only the stock picture");
        assert_eq!(&*features[19].photos, &[(THIRD, 9)]);
        // With a higher limit the stock picture is kept.
        let mut features: Vec<AccountFeatures> =
            (0..20).map(|i| seller(&format!("s{i}"), &[])).collect();
        assert_eq!(attach(&mut features, &index, &photos, 16), 0);
        assert_eq!(features[5].photos.len(), 1);
    }

    #[test]
    fn photos_of_accounts_without_features_are_ignored() {
        let ids: Vec<RecordId> = (0..2)
            .map(|i| RecordId::new("m", spector_model::EntityKind::Account, &i.to_string()))
            .collect();
        // Account 0 is a buyer: not in the index of sellers' features.
        let mut features = vec![seller("s", &[])];
        let index: crate::FastMap<&RecordId, usize> = [(&ids[1], 0)].into_iter().collect();
        let stranger = RecordId::new("m", spector_model::EntityKind::Account, "x");
        let photos = [ids[0].clone(), stranger]
            .into_iter()
            .map(|account| AccountPhoto {
                account,
                phash: SHOT,
                file: 1,
            })
            .collect::<Vec<_>>();
        assert_eq!(attach(&mut features, &index, &photos, 12), 0);
        assert!(features.iter().all(|f| f.photos.is_empty()));
    }

    #[test]
    fn sellers_sharing_only_a_near_identical_photo_become_a_candidate_pair() {
        // Nothing else in common: different names (no stems), no texts.
        let features = vec![
            seller("alpha", &[(SHOT, 1)]),
            seller("bravo", &[(OTHER, 2)]),
            seller("charlie", &[(flip(SHOT, 3), 3)]),
            seller("delta", &[(flip(SHOT, 12), 4)]),
        ];
        let (pairs, report) = candidate_pairs(&features, &BlockingOptions::default());
        assert!(pairs.contains(&(0, 2)), "{pairs:?}");
        assert!(!pairs.contains(&(0, 1)));
        assert!(report.pairs_by_rule[4] >= 1, "{report:?}");
    }

    proptest! {
        // Pigeonhole: two hashes at most 3 bits apart agree on at least one of the four 16-bit bands, so
        // blocking finds every such pair.
        #[test]
        fn hashes_three_bits_apart_share_a_band_key(
            base in any::<u64>(),
            bits in proptest::collection::btree_set(0u32..64, 0..=3),
        ) {
            let near = bits.iter().fold(base, |h, b| h ^ (1u64 << b));
            let keys: Vec<u64> = band_keys(base).collect();
            prop_assert!(band_keys(near).any(|k| keys.contains(&k)));
        }

        // Any photos compare without panic to a level the comparison names, and symmetrically.
        #[test]
        fn any_photos_give_a_named_level(
            a in proptest::collection::vec((any::<u64>(), 0u64..4), 0..6),
            b in proptest::collection::vec((any::<u64>(), 0u64..4), 0..6),
        ) {
            let (level, _) = level(&a, &b);
            prop_assert!((level as usize) < COMPARISONS[PHOTOS].levels.len());
            prop_assert_eq!(level, super::level(&b, &a).0);
            prop_assert_eq!(level == 0, a.is_empty() || b.is_empty());
        }
    }
}
