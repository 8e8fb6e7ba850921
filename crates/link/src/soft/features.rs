//! What each account shows of its owner, reduced to compact features that pairs of accounts are compared on.

use std::collections::HashMap;

use spector_model::{Account, AccountRole, Listing, ListingFacts, Message, RecordId};

use super::names::{NameAffixes, name_stem};
use super::sketch::{MinHash, piece_hash};

/// The records soft evidence is read from.
pub struct SoftLinkInput<'a> {
    pub accounts: &'a [Account],
    pub listings: &'a [Listing],
    /// Enrichment of the listings (class, USD price, countries); may be empty when enrichment was not run.
    pub listing_facts: &'a [ListingFacts],
    pub messages: &'a [Message],
}

/// Authored events fewer than this say nothing about working hours.
pub const MIN_EVENTS_FOR_HOURS: u32 = 5;

/// One account's features. Every field is optional because markets show different things.
#[derive(Debug, Clone)]
pub struct AccountFeatures {
    pub market: u16,
    pub seller: bool,
    pub name: Box<str>,
    pub stem: Box<str>,
    /// Character 5-grams of everything the account wrote (profile, listing descriptions, messages sent)
    /// that few other sellers wrote: copied descriptions, catchphrases, sign-offs and formatting habits.
    pub style: Option<MinHash>,
    /// Words of its listing titles, digits folded (quantities change, wording does not).
    pub titles: Option<MinHash>,
    /// The same two sketches before common pieces are dropped ([`common_piece_limit`]): blocking uses
    /// them, so that a seller whose texts are mostly common phrases is still compared.
    pub blocking_style: Option<MinHash>,
    pub blocking_titles: Option<MinHash>,
    /// Share of its listings in each taxonomy class, sorted by class.
    pub products: Vec<(u16, f32)>,
    /// Median of its listings' USD price per gram or unit, each divided by the case-wide median of its
    /// class: 1.0 is a typical price level, 2.0 twice it.
    pub price_level: Option<f32>,
    /// The country it ships from most (ISO 3166 alpha-2), from enrichment.
    pub ships_from: Option<[u8; 2]>,
    /// UTC hours of authored events (account creation, listings, messages sent).
    pub hours: [u32; 24],
    /// First and last authored event, Unix seconds.
    pub active: Option<(i64, i64)>,
}

impl AccountFeatures {
    pub fn hour_events(&self) -> u32 {
        self.hours.iter().sum()
    }
}

/// Features of every account, in the order of `input.accounts`; plus the market names indexed by
/// [`AccountFeatures::market`] and the class names indexed by the product classes.
pub struct FeatureSet {
    pub features: Vec<AccountFeatures>,
    pub markets: Vec<String>,
    pub classes: Vec<String>,
}

pub fn account_features(input: &SoftLinkInput<'_>, affixes: &NameAffixes) -> FeatureSet {
    let index: HashMap<&RecordId, usize> = input
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.id, i))
        .collect();
    let mut markets: Vec<String> = Vec::new();
    let mut market_ids: HashMap<&str, u16> = HashMap::new();
    let mut features: Vec<AccountFeatures> = input
        .accounts
        .iter()
        .map(|a| {
            let market = *market_ids.entry(a.market.as_str()).or_insert_with(|| {
                markets.push(a.market.clone());
                (markets.len() - 1) as u16
            });
            let mut f = AccountFeatures {
                market,
                seller: a.role == AccountRole::Vendor,
                name: a.name.as_str().into(),
                stem: name_stem(&a.name, affixes).into(),
                style: None,
                titles: None,
                blocking_style: None,
                blocking_titles: None,
                products: Vec::new(),
                price_level: None,
                ships_from: None,
                hours: [0; 24],
                active: None,
            };
            if let Some(t) = a.created_at {
                note_event(&mut f, t);
            }
            f
        })
        .collect();

    // Pieces of text per account, hashed as they are cut so that no text is copied.
    let mut style: Vec<Vec<u64>> = vec![Vec::new(); features.len()];
    let mut titles: Vec<Vec<u64>> = vec![Vec::new(); features.len()];
    for (i, a) in input.accounts.iter().enumerate() {
        if let Some(p) = &a.profile {
            char_grams(p, &mut style[i]);
        }
    }
    let facts: HashMap<&RecordId, &ListingFacts> = input
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
    for l in input.listings {
        let Some(&i) = l.vendor_id.as_ref().and_then(|v| index.get(v)) else {
            continue;
        };
        if let Some(t) = l.created_at {
            note_event(&mut features[i], t);
        }
        title_words(&l.title, &mut titles[i]);
        if let Some(d) = &l.description {
            char_grams(d, &mut style[i]);
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
    }
    for m in input.messages {
        let Some(&i) = m.sender_id.as_ref().and_then(|v| index.get(v)) else {
            continue;
        };
        if let Some(t) = m.created_at {
            note_event(&mut features[i], t);
        }
        char_grams(&m.body, &mut style[i]);
    }

    let sellers = features.iter().filter(|f| f.seller).count();
    for (i, f) in features.iter_mut().enumerate() {
        if f.seller {
            f.blocking_style = MinHash::from_hashes(style[i].iter().copied());
            f.blocking_titles = MinHash::from_hashes(titles[i].iter().copied());
        }
    }
    for pieces in [&mut style, &mut titles] {
        drop_common_pieces(pieces, &features, sellers);
    }
    let levels = price_levels(&unit_prices, classes.len(), features.len());
    for (i, f) in features.iter_mut().enumerate() {
        f.style = MinHash::from_hashes(style[i].drain(..));
        f.titles = MinHash::from_hashes(titles[i].drain(..));
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
    }
    FeatureSet {
        features,
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

/// Keeps, of each seller's pieces, those few other sellers wrote: what is left is what tells sellers apart.
/// Buyers' pieces are dropped (soft evidence is read for sellers only).
fn drop_common_pieces(pieces: &mut [Vec<u64>], features: &[AccountFeatures], sellers: usize) {
    let mut held_by: HashMap<u64, u32> = HashMap::new();
    for (p, f) in pieces.iter_mut().zip(features) {
        if !f.seller {
            *p = Vec::new();
            continue;
        }
        p.sort_unstable();
        p.dedup();
        for h in p.iter() {
            *held_by.entry(*h).or_default() += 1;
        }
    }
    let limit = common_piece_limit(sellers) as u32;
    for p in pieces.iter_mut() {
        p.retain(|h| held_by.get(h).is_some_and(|n| *n <= limit));
    }
}

fn note_event(f: &mut AccountFeatures, unix: i64) {
    let hour = unix.rem_euclid(86_400) / 3_600;
    f.hours[hour as usize] += 1;
    f.active = Some(match f.active {
        None => (unix, unix),
        Some((a, b)) => (a.min(unix), b.max(unix)),
    });
}

/// Byte 5-grams of a text, with runs of spaces and tabs read as one space (layout differs between markets'
/// renderings; line breaks and everything else are the writer's habit and stay).
fn char_grams(text: &str, out: &mut Vec<u64>) {
    const N: usize = 5;
    let mut window = [0u8; N];
    let mut filled = 0usize;
    let mut last_space = false;
    for &b in text.as_bytes() {
        let b = if b == b'\t' { b' ' } else { b };
        if b == b' ' && last_space {
            continue;
        }
        last_space = b == b' ';
        window.copy_within(1.., 0);
        window[N - 1] = b;
        filled += 1;
        if filled >= N {
            out.push(piece_hash(&window));
        }
    }
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
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut c = Vec::new();
        char_grams("stealth  shipping\tfast", &mut a);
        char_grams("stealth shipping fast", &mut b);
        char_grams("stealth\nshipping fast", &mut c);
        assert_eq!(a, b);
        assert_ne!(b, c);
        let mut short = Vec::new();
        char_grams("abcd", &mut short);
        assert!(short.is_empty());
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
