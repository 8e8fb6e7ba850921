//! What each account shows of its owner, reduced to compact features that pairs of accounts are compared on.

use std::collections::HashMap;

use spector_model::{Account, AccountRole, Listing, ListingFacts, Message, RecordId};

use super::habits::Habits;
use super::names::{NameAffixes, name_stem};
use super::sketch::{CommonPieces, MinHash, PieceCounts, piece_hash};

/// The records soft evidence is read from.
pub struct SoftLinkInput<'a> {
    pub accounts: &'a [Account],
    pub listings: &'a [Listing],
    /// Enrichment of the listings (class, USD price, countries); may be empty when enrichment was not run.
    pub listing_facts: &'a [ListingFacts],
    pub messages: &'a [Message],
    /// What the accounts' PGP keys say about how they were made; may be empty.
    pub keys: &'a [super::keys::KeyFacts],
    /// The photos each account's listings show (may be empty: the case holds no images).
    pub photos: &'a [super::photos::AccountPhoto],
}

/// Authored events fewer than this say nothing about working hours.
pub const MIN_EVENTS_FOR_HOURS: u32 = 5;

/// Authored events fewer than this say nothing about days off: with fewer, a working day is often empty
/// by chance.
pub const MIN_EVENTS_FOR_WEEKDAYS: u32 = 28;

/// One account's features. Every field is optional because markets show different things.
#[derive(Debug, Clone)]
pub struct AccountFeatures {
    pub market: u16,
    pub name: Box<str>,
    pub stem: Box<str>,
    /// Character 5-grams of everything the account wrote (profile, listing descriptions, messages sent)
    /// that few other sellers wrote: copied descriptions, catchphrases, sign-offs and formatting habits.
    pub style: Option<Box<MinHash>>,
    /// Words of its listing titles, digits folded (quantities change, wording does not).
    pub titles: Option<Box<MinHash>>,
    /// The same two sketches before common pieces are dropped ([`common_piece_limit`]): blocking uses
    /// them, so that a seller whose texts are mostly common phrases is still compared.
    pub blocking_style: Option<Box<MinHash>>,
    pub blocking_titles: Option<Box<MinHash>>,
    /// Share of its listings in each taxonomy class, sorted by class.
    pub products: Vec<(u16, f32)>,
    /// Median of its listings' USD price per gram or unit, each divided by the case-wide median of its
    /// class: 1.0 is a typical price level, 2.0 twice it.
    pub price_level: Option<f32>,
    /// The country it ships from most (ISO 3166 alpha-2), from enrichment.
    pub ships_from: Option<[u8; 2]>,
    /// Where it ships to most: ISO codes as enrichment lists them, or a kind ("worldwide", "region").
    pub ships_to: Option<Box<str>>,
    /// UTC hours of authored events (account creation, listings, messages sent).
    pub hours: [u32; 24],
    /// UTC weekdays of the same events, Monday first.
    pub weekdays: [u32; 7],
    /// Formatting and punctuation habits of everything it wrote (sellers only).
    pub habits: Option<Habits>,
    /// First and last authored event, Unix seconds.
    pub active: Option<(i64, i64)>,
    /// Its PGP keys, as far as they show how they were made (sellers only).
    pub keys: Box<[super::keys::KeyFeature]>,
    /// Its listings' photos that few other sellers show ([`super::photos`]).
    pub photos: super::photos::Photos,
}

impl AccountFeatures {
    /// An account known by its market, role and name only; everything else is filled as it is read.
    pub fn new(market: u16, name: &str, stem: &str) -> AccountFeatures {
        AccountFeatures {
            market,
            name: name.into(),
            stem: stem.into(),
            style: None,
            titles: None,
            blocking_style: None,
            blocking_titles: None,
            products: Vec::new(),
            price_level: None,
            ships_from: None,
            ships_to: None,
            hours: [0; 24],
            weekdays: [0; 7],
            habits: None,
            active: None,
            keys: Box::default(),
            photos: Box::default(),
        }
    }

    pub fn hour_events(&self) -> u32 {
        self.hours.iter().sum()
    }

    /// Weekdays (bit 0 Monday) on which the account is almost never active, when it has been active
    /// often enough to tell a habit from chance; `None` otherwise.
    pub fn rest_days(&self) -> Option<u8> {
        let events = self.hour_events();
        if events < MIN_EVENTS_FOR_WEEKDAYS {
            return None;
        }
        // A day with under a quarter of its fair share: with 28 events or more, a working day falls
        // this low by chance about once in 200 accounts.
        let quiet = f64::from(events) / 7.0 * 0.25;
        Some(
            self.weekdays
                .iter()
                .enumerate()
                .filter(|(_, n)| f64::from(**n) <= quiet)
                .fold(0u8, |mask, (d, _)| mask | (1 << d)),
        )
    }
}

/// Features of every seller account, in the order of `input.accounts`; plus the market names indexed by
/// [`AccountFeatures::market`] and the class names indexed by the product classes.
///
/// Buyers get no features: they are joined by hard identifiers only (see `run.rs`), and a million-account
/// case is nineteen buyers to a seller, so reading them would be most of the work for nothing.
pub struct FeatureSet<'a> {
    pub features: Vec<AccountFeatures>,
    /// The position in `input.accounts` of each entry of `features`.
    pub accounts: Vec<u32>,
    /// Seller account id → its position in `features`.
    pub index: crate::FastMap<&'a RecordId, usize>,
    pub markets: Vec<String>,
    pub classes: Vec<String>,
}

pub fn account_features<'a>(input: &SoftLinkInput<'a>, affixes: &NameAffixes) -> FeatureSet<'a> {
    let started = std::time::Instant::now();
    let accounts: Vec<u32> = input
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.role == AccountRole::Vendor)
        .map(|(i, _)| i as u32)
        .collect();
    let index: crate::FastMap<&RecordId, usize> = accounts
        .iter()
        .enumerate()
        .map(|(slot, &i)| (&input.accounts[i as usize].id, slot))
        .collect();
    let mut markets: Vec<String> = Vec::new();
    let mut market_ids: HashMap<&str, u16> = HashMap::new();
    let mut features: Vec<AccountFeatures> = accounts
        .iter()
        .map(|&i| {
            let a = &input.accounts[i as usize];
            let market = *market_ids.entry(a.market.as_str()).or_insert_with(|| {
                markets.push(a.market.clone());
                (markets.len() - 1) as u16
            });
            let stem = name_stem(&a.name, affixes);
            let mut f = AccountFeatures::new(market, &a.name, &stem);
            if let Some(t) = a.created_at {
                note_event(&mut f, t);
            }
            f
        })
        .collect();

    super::keys::fill_key_features(input.keys, &index, &mut features);
    tracing::debug!(elapsed = ?started.elapsed(), "features: names and keys");
    // The texts each seller wrote, by reference: their pieces are cut when counted (in a large case, for a
    // sample of sellers only) and again when sketched, never stored, so memory does not grow with the text.
    let mut writing: Vec<Vec<&str>> = vec![Vec::new(); features.len()];
    let mut titles: Vec<Vec<&str>> = vec![Vec::new(); features.len()];
    for (slot, &i) in accounts.iter().enumerate() {
        if let Some(p) = &input.accounts[i as usize].profile {
            writing[slot].push(p);
        }
    }
    let facts: crate::FastMap<&RecordId, &ListingFacts> = input
        .listing_facts
        .iter()
        .map(|f| (&f.listing_id, f))
        .collect();
    let mut classes: Vec<String> = Vec::new();
    let mut class_ids: HashMap<&str, u16> = HashMap::new();
    // (account, class, USD per gram or unit) of every priced listing, for price levels.
    let mut unit_prices: Vec<(usize, u16, f64)> = Vec::new();
    let mut class_counts: Vec<HashMap<u16, u32>> = vec![HashMap::new(); features.len()];
    let mut countries: Vec<HashMap<[u8; 2], u32>> = vec![HashMap::new(); features.len()];
    let mut destinations: Vec<HashMap<&str, u32>> = vec![HashMap::new(); features.len()];
    for l in input.listings {
        let Some(&i) = l.vendor_id.as_ref().and_then(|v| index.get(v)) else {
            continue;
        };
        if let Some(t) = l.created_at {
            note_event(&mut features[i], t);
        }
        titles[i].push(&l.title);
        if let Some(d) = &l.description {
            writing[i].push(d);
        }
        let Some(f) = facts.get(&l.id) else { continue };
        if let Some(class) = &f.class {
            let c = *class_ids.entry(class.as_str()).or_insert_with(|| {
                classes.push(class.clone());
                (classes.len() - 1) as u16
            });
            *class_counts[i].entry(c).or_default() += 1;
            let per = f.grams.or(f.units).filter(|q| *q > 0.0);
            if let (Some(usd), Some(q)) = (f.price_usd, per)
                && usd > 0.0
            {
                unit_prices.push((i, c, usd / q));
            }
        }
        if let Some(code) = f
            .ships_from
            .as_deref()
            .and_then(|s| s.split(',').next())
            .and_then(|c| <[u8; 2]>::try_from(c.trim().as_bytes()).ok())
        {
            *countries[i].entry(code).or_default() += 1;
        }
        if let Some(to) = f.ships_to.as_deref().or(f.ships_to_kind.as_deref()) {
            *destinations[i].entry(to).or_default() += 1;
        }
    }
    for m in input.messages {
        let Some(&i) = m.sender_id.as_ref().and_then(|v| index.get(v)) else {
            continue;
        };
        if let Some(t) = m.created_at {
            note_event(&mut features[i], t);
        }
        writing[i].push(&m.body);
    }

    tracing::debug!(elapsed = ?started.elapsed(), "features: listings and messages");
    let limit = common_piece_limit(features.len()) as u32;
    // Habits are read with the writing sketches, while each seller's texts are in cache.
    for (texts, cut, rare, all, with_habits) in [
        (
            &writing,
            char_grams as fn(&str, &mut Vec<u64>),
            Sketch::Writing,
            Sketch::BlockingWriting,
            true,
        ),
        (
            &titles,
            title_words,
            Sketch::Titles,
            Sketch::BlockingTitles,
            false,
        ),
    ] {
        let common = common_pieces(texts, cut, limit);
        tracing::debug!(elapsed = ?started.elapsed(), "features: pieces counted");
        let mut work: Vec<(&mut AccountFeatures, &Vec<&str>)> =
            features.iter_mut().zip(texts).collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = work.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            for part in work.chunks_mut(chunk) {
                let common = &common;
                scope.spawn(move || {
                    let mut pieces = Vec::new();
                    for (f, texts) in part.iter_mut() {
                        pieces.clear();
                        for t in texts.iter() {
                            cut(t, &mut pieces);
                        }
                        *all.of(f) = MinHash::from_hashes(pieces.iter().copied()).map(Box::new);
                        *rare.of(f) = MinHash::from_hashes(
                            pieces.iter().copied().filter(|h| !common.contains(*h)),
                        )
                        .map(Box::new);
                        if with_habits {
                            f.habits = Habits::read(texts);
                        }
                    }
                });
            }
        });
    }
    tracing::debug!(elapsed = ?started.elapsed(), "features: sketches");
    let common_pictures =
        super::photos::attach(&mut features, &index, input.photos, limit as usize);
    tracing::debug!(common_pictures, "features: photos");
    let levels = price_levels(&unit_prices, classes.len(), features.len());
    for (i, f) in features.iter_mut().enumerate() {
        let total: u32 = class_counts[i].values().sum();
        let mut products: Vec<(u16, f32)> = class_counts[i]
            .iter()
            .map(|(c, n)| (*c, *n as f32 / total as f32))
            .collect();
        products.sort_by_key(|(c, _)| *c);
        f.products = products;
        f.price_level = levels[i];
        // The most frequent country; ties go to the smaller code, so that the choice is reproducible.
        f.ships_from = countries[i]
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(c, _)| *c);
        f.ships_to = destinations[i]
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(d, _)| (*d).into());
    }
    FeatureSet {
        features,
        accounts,
        index,
        markets,
        classes,
    }
}

/// A piece of text written by more seller accounts than this is the market's or the trade's (a template,
/// a common phrase, a product word), not one seller's habit. One seller rarely runs more than about a dozen
/// accounts (KDD 2019 saw at most 11), so pieces of one seller are kept; in a large case the bar rises to
/// 1% of sellers.
pub fn common_piece_limit(sellers: usize) -> usize {
    (sellers / 100).max(12)
}

/// Which of an account's four sketches.
#[derive(Clone, Copy)]
enum Sketch {
    Writing,
    Titles,
    BlockingWriting,
    BlockingTitles,
}

impl Sketch {
    fn of(self, f: &mut AccountFeatures) -> &mut Option<Box<MinHash>> {
        match self {
            Sketch::Writing => &mut f.style,
            Sketch::Titles => &mut f.titles,
            Sketch::BlockingWriting => &mut f.blocking_style,
            Sketch::BlockingTitles => &mut f.blocking_titles,
        }
    }
}

/// Sellers a piece held by exactly [`common_piece_limit`] sellers is expected in, among the sellers whose
/// pieces are counted.
const SAMPLED_AT_LIMIT: f64 = 128.0;

/// The pieces of their texts more than `limit` sellers wrote (each seller counted once per piece), on all
/// cores.
///
/// Counting is the costly part of sketching (a cache miss per piece), and the question is only whether a
/// piece passes the limit. Where the limit is high (1% of tens of thousands of sellers) the counts of a
/// random sample of sellers answer it: the sample holds a piece at the limit [`SAMPLED_AT_LIMIT`] times
/// on average, so a piece written by 0.8% of sellers is called common, or one written by 1.25% missed,
/// about one time in 200 (0.9% and 1.1%: one time in nine and in seven). Up to that limit every seller
/// is counted.
fn common_pieces(texts: &[Vec<&str>], cut: fn(&str, &mut Vec<u64>), limit: u32) -> CommonPieces {
    let share = (SAMPLED_AT_LIMIT / f64::from(limit)).min(1.0);
    let (texts, bar): (Vec<&Vec<&str>>, u32) = if share >= 1.0 {
        (texts.iter().collect(), limit)
    } else {
        // The sample is chosen by a hash of the seller's position, so the same case gives the same one.
        let cut_off = (share * u64::MAX as f64) as u64;
        let sample = texts
            .iter()
            .enumerate()
            .filter(|(i, _)| mix64(*i as u64 ^ 0x5a3c_9e11) <= cut_off)
            .map(|(_, t)| t)
            .collect();
        (sample, SAMPLED_AT_LIMIT.round() as u32)
    };
    let bytes: usize = texts.iter().copied().flatten().map(|t| t.len()).sum();
    // Distinct pieces are at most the sampled windows, about a quarter of the bytes for writing.
    let counts = PieceCounts::new(bytes / GRAM_SAMPLING as usize + 1);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = texts.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for part in texts.chunks(chunk) {
            let counts = &counts;
            scope.spawn(move || {
                let mut pieces = Vec::new();
                for texts in part {
                    pieces.clear();
                    for t in texts.iter() {
                        cut(t, &mut pieces);
                    }
                    pieces.sort_unstable();
                    pieces.dedup();
                    for h in &pieces {
                        counts.add(*h);
                    }
                }
            });
        }
    });
    counts.above(bar)
}

fn note_event(f: &mut AccountFeatures, unix: i64) {
    let hour = unix.rem_euclid(86_400) / 3_600;
    f.hours[hour as usize] += 1;
    // 1970-01-01 was a Thursday (index 3, Monday first).
    f.weekdays[(unix.div_euclid(86_400) + 3).rem_euclid(7) as usize] += 1;
    f.active = Some(match f.active {
        None => (unix, unix),
        Some((a, b)) => (a.min(unix), b.max(unix)),
    });
}

/// One in this many 5-grams is kept, chosen by its hash: the same 5-gram is kept in every text or in none,
/// so the Jaccard similarity of the kept sets estimates that of the whole sets (Broder 1997, "mod-m"
/// sampling), at a fraction of the work and memory. A seller writes thousands of 5-grams. One in four was
/// faster (5.96 s against 7.12 s for 1M accounts) but lost a point of F1 on synthetic worlds (BENCHMARKS.md).
const GRAM_SAMPLING: u64 = 2;

/// Byte 5-grams of a text (a sample of them, see [`GRAM_SAMPLING`]), with runs of spaces and tabs read as
/// one space (layout differs between markets' renderings; line breaks and everything else are the writer's
/// habit and stay).
fn char_grams(text: &str, out: &mut Vec<u64>) {
    const N: u32 = 5;
    // The last five bytes, packed: hashing a window is one multiply-and-mix, not a hasher run.
    let mut window = 0u64;
    let mut filled = 0u32;
    let mut last_space = false;
    for &b in text.as_bytes() {
        let b = if b == b'\t' { b' ' } else { b };
        if b == b' ' && last_space {
            continue;
        }
        last_space = b == b' ';
        window = ((window << 8) | u64::from(b)) & ((1 << (8 * N)) - 1);
        filled += 1;
        if filled >= N {
            let h = mix64(window);
            if h.is_multiple_of(GRAM_SAMPLING) {
                out.push(h);
            }
        }
    }
}

/// SplitMix64's finaliser (Steele, Lea & Flood 2014): every bit of the window moves every bit of the hash,
/// so its low bits can choose the sample and its high bits the sketch slot. Fixed: the same on every run.
fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Lower-case words of a title, digits folded to `#` ("10g" and "25g" are the same offer of another size).
fn title_words(title: &str, out: &mut Vec<u64>) {
    for word in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let folded: String = word
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    '#'
                } else {
                    c.to_lowercase().next().unwrap_or(c)
                }
            })
            .collect();
        out.push(piece_hash(folded.as_bytes()));
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

fn price_levels(prices: &[(usize, u16, f64)], classes: usize, accounts: usize) -> Vec<Option<f32>> {
    let mut by_class: Vec<Vec<f64>> = vec![Vec::new(); classes];
    for (_, c, p) in prices {
        by_class[*c as usize].push(*p);
    }
    let class_median: Vec<Option<f64>> = by_class.iter_mut().map(|v| median(v)).collect();
    let mut relative: Vec<Vec<f64>> = vec![Vec::new(); accounts];
    for (i, c, p) in prices {
        if let Some(m) = class_median[*c as usize].filter(|m| *m > 0.0) {
            relative[*i].push(p / m);
        }
    }
    relative
        .iter_mut()
        .map(|v| median(v).map(|m| m as f32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_ignore_runs_of_spaces_but_not_line_breaks() {
        let text = "stealth shipping fast, vacuum sealed twice, tracked worldwide, reship once, \
                    no refunds on customs seizures, finalize early only for trusted buyers";
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut c = Vec::new();
        char_grams(&text.replace(", ", ",  \t"), &mut a);
        char_grams(text, &mut b);
        char_grams(&text.replace(", ", ",\n"), &mut c);
        assert!(!b.is_empty());
        assert_eq!(a, b);
        assert_ne!(b, c);
        let mut short = Vec::new();
        char_grams("abcd", &mut short);
        assert!(short.is_empty());
    }

    #[test]
    fn one_gram_in_gram_sampling_is_kept_and_always_the_same_ones() {
        let text: String = (0..2000).map(|i| format!("w{i} ")).collect();
        let mut once = Vec::new();
        let mut again = Vec::new();
        char_grams(&text, &mut once);
        char_grams(&text, &mut again);
        assert_eq!(once, again);
        let windows = text.len() - 4;
        let kept = once.len() as f64 / windows as f64;
        let expected = 1.0 / GRAM_SAMPLING as f64;
        assert!(
            (kept - expected).abs() < 0.05,
            "{kept} kept, {expected} expected"
        );
    }

    proptest::proptest! {
        // Descriptions, messages and titles are seized text: no input may panic, and a text yields no
        // more pieces than it has windows or words.
        #[test]
        fn any_text_is_cut_into_pieces(text in ".{0,300}") {
            let mut grams = Vec::new();
            char_grams(&text, &mut grams);
            proptest::prop_assert!(grams.len() <= text.len());
            let mut words = Vec::new();
            title_words(&text, &mut words);
            proptest::prop_assert!(words.len() <= text.chars().count());
        }
    }

    #[test]
    fn common_pieces_of_a_large_case_are_found_from_a_sample_of_sellers() {
        // 30,000 sellers (limit 300: about 43% of them counted). Each writes a word of its own; "everyone"
        // is written by 3% of them, "few" by 0.3%, "nine" by nine sellers (one seller's accounts).
        let own: Vec<String> = (0..30_000).map(|i| format!("own{i}")).collect();
        let texts: Vec<Vec<&str>> = own
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let mut t = vec![w.as_str()];
                t.extend((i % 33 == 0).then_some("everyone"));
                t.extend((i % 333 == 0).then_some("few"));
                t.extend((i < 9).then_some("nine"));
                t
            })
            .collect();
        let limit = common_piece_limit(texts.len()) as u32;
        assert_eq!(limit, 300);
        let common = common_pieces(&texts, title_words, limit);
        let hash = |w: &str| piece_hash(w.as_bytes());
        assert!(common.contains(hash("everyone")));
        for rare in ["few", "nine", "own0", "own29999"] {
            assert!(!common.contains(hash(rare)), "{rare}");
        }
        // Below the sampling limit every seller is counted: 13 of 1,200 is over the limit of 12.
        let small: Vec<Vec<&str>> = (0..1_200)
            .map(|i| if i < 13 { vec!["thirteen"] } else { vec!["x"] })
            .collect();
        let common = common_pieces(&small, title_words, 12);
        assert!(common.contains(hash("thirteen")));
    }

    #[test]
    fn title_words_fold_digits_and_case() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        title_words("10g MDMA Crystal", &mut a);
        title_words("25g mdma crystal!", &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn price_levels_are_relative_to_the_class_median() {
        // Class 0: 10, 20, 30 per gram (median 20); account 0 sells at 10 and 20, account 1 at 30.
        let prices = [(0, 0, 10.0), (0, 0, 20.0), (1, 0, 30.0)];
        let levels = price_levels(&prices, 1, 3);
        assert_eq!(levels, vec![Some(0.75), Some(1.5), None]);
    }
}
