//! The named comparisons of two accounts. Each gives a level: 0 when either account lacks the feature
//! (the comparison is then silent), 1 for the most similar, rising as the accounts differ. The model turns
//! levels into weights of evidence; the levels' names and the values behind them are the explanation an
//! analyst reads.

use super::features::{AccountFeatures, MIN_EVENTS_FOR_HOURS};
use super::habits::Habits;

/// One comparison's name and the names of its levels (index 0 is always `null`).
#[derive(Debug, Clone, Copy)]
pub struct ComparisonDef {
    pub name: &'static str,
    pub levels: &'static [&'static str],
}

pub const USERNAME: usize = 0;
pub const STYLE: usize = 1;
pub const TITLES: usize = 2;
pub const PRODUCTS: usize = 3;
pub const PRICE: usize = 4;
pub const SHIPPING: usize = 5;
pub const HOURS: usize = 6;
pub const ACTIVITY: usize = 7;
pub const MARKET: usize = 8;
pub const HABITS: usize = 9;
pub const WEEKDAYS: usize = 10;
pub const PGP_KEY: usize = 11;
pub const PHOTOS: usize = 12;
pub const COMPARISON_COUNT: usize = 13;

pub const COMPARISONS: [ComparisonDef; COMPARISON_COUNT] = [
    ComparisonDef {
        name: "username",
        levels: &[
            "null",
            "exact",
            "same_stem",
            "jaro_winkler>=0.92",
            "jaro_winkler>=0.80",
            "else",
        ],
    },
    ComparisonDef {
        name: "writing",
        levels: &[
            "null",
            "jaccard>=0.60",
            "jaccard>=0.40",
            "jaccard>=0.20",
            "jaccard>=0.10",
            "else",
        ],
    },
    ComparisonDef {
        name: "listing_titles",
        levels: &[
            "null",
            "jaccard>=0.60",
            "jaccard>=0.35",
            "jaccard>=0.15",
            "else",
        ],
    },
    ComparisonDef {
        name: "product_mix",
        levels: &[
            "null",
            "cosine>=0.95",
            "cosine>=0.70",
            "cosine>=0.30",
            "else",
        ],
    },
    ComparisonDef {
        name: "price_level",
        levels: &["null", "ratio<=1.10", "ratio<=1.30", "ratio<=2.00", "else"],
    },
    // Ships-to is read together with ships-from: sellers of one country mostly ship to the same places, so
    // two comparisons would count one fact twice.
    ComparisonDef {
        name: "shipping",
        levels: &["null", "same_from_and_to", "same_from", "different_from"],
    },
    ComparisonDef {
        name: "active_hours",
        levels: &[
            "null",
            "overlap>=0.80",
            "overlap>=0.50",
            "overlap>=0.25",
            "else",
        ],
    },
    ComparisonDef {
        name: "activity_window",
        levels: &["null", "overlapping", "successive<=90d", "else"],
    },
    ComparisonDef {
        name: "market",
        levels: &["null", "different_markets", "same_market"],
    },
    ComparisonDef {
        name: "writing_habits",
        levels: &[
            "null",
            "all_agree_of_3+",
            "agree>=0.75",
            "agree>=0.50",
            "else",
        ],
    },
    ComparisonDef {
        name: "days_off",
        levels: &[
            "null",
            "same_days_off",
            "overlapping_days_off",
            "neither_takes_days_off",
            "different",
        ],
    },
    ComparisonDef {
        name: "pgp_key",
        levels: super::keys::LEVELS,
    },
    // The closest pair of the two sellers' photos, pictures many sellers show left out (`photos.rs`).
    ComparisonDef {
        name: "photos",
        levels: &["null", "same_file", "hamming<=4", "hamming<=10", "else"],
    },
];

/// Levels of every comparison for one pair.
pub type Levels = [u8; COMPARISON_COUNT];

/// A comparison's level with the measured value behind it, for the evidence of a link.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub level: u8,
    /// The similarity or distance the level was cut from (`None` for exact/categorical comparisons).
    pub value: Option<f64>,
}

fn cut(value: f64, at_least: &[f64]) -> u8 {
    at_least
        .iter()
        .position(|t| value >= *t)
        .map_or(at_least.len() as u8 + 1, |p| p as u8 + 1)
}

pub fn username(a: &AccountFeatures, b: &AccountFeatures) -> Measured {
    if a.name.is_empty() || b.name.is_empty() {
        return Measured {
            level: 0,
            value: None,
        };
    }
    if a.name.to_lowercase() == b.name.to_lowercase() {
        return Measured {
            level: 1,
            value: Some(1.0),
        };
    }
    if !a.stem.is_empty() && a.stem == b.stem {
        return Measured {
            level: 2,
            value: Some(1.0),
        };
    }
    let jw = strsim::jaro_winkler(&a.stem, &b.stem);
    Measured {
        level: match cut(jw, &[0.92, 0.80]) {
            1 => 3,
            2 => 4,
            _ => 5,
        },
        value: Some(jw),
    }
}

fn jaccard_levels(
    a: Option<&super::sketch::MinHash>,
    b: Option<&super::sketch::MinHash>,
    at_least: &[f64],
) -> Measured {
    match (a, b) {
        (Some(a), Some(b)) => {
            let j = f64::from(a.jaccard(b));
            Measured {
                level: cut(j, at_least),
                value: Some(j),
            }
        }
        _ => Measured {
            level: 0,
            value: None,
        },
    }
}

fn cosine(a: &[(u16, f32)], b: &[(u16, f32)]) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let norm = |v: &[(u16, f32)]| {
        v.iter()
            .map(|(_, x)| f64::from(*x).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let mut dot = 0.0;
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += f64::from(a[i].1) * f64::from(b[j].1);
                i += 1;
                j += 1;
            }
        }
    }
    Some(dot / (norm(a) * norm(b)))
}

/// Share of the two accounts' working hours that coincide, each histogram spread over the neighbouring
/// hours (a seller who lists at 09:50 one day lists at 10:10 another).
fn hours_overlap(a: &[u32; 24], b: &[u32; 24]) -> f64 {
    let spread = |h: &[u32; 24]| {
        let total: f64 = h.iter().map(|&n| f64::from(n)).sum::<f64>() * 2.0;
        let mut out = [0f64; 24];
        for (i, &n) in h.iter().enumerate() {
            let n = f64::from(n);
            out[i] += n;
            out[(i + 1) % 24] += n / 2.0;
            out[(i + 23) % 24] += n / 2.0;
        }
        out.map(|x| x / total)
    };
    let (a, b) = (spread(a), spread(b));
    a.iter().zip(&b).map(|(x, y)| x.min(*y)).sum()
}

const SUCCESSION_DAYS: i64 = 90;

fn habits_level(a: &Habits, b: &Habits) -> Measured {
    let (share, either) = a.agreement(b);
    Measured {
        level: if share >= 1.0 && either >= 3 {
            1
        } else if share >= 0.75 {
            2
        } else if share >= 0.5 {
            3
        } else {
            4
        },
        value: Some(share),
    }
}

/// Measures one comparison.
pub fn measure(which: usize, a: &AccountFeatures, b: &AccountFeatures) -> Measured {
    let silent = Measured {
        level: 0,
        value: None,
    };
    match which {
        USERNAME => username(a, b),
        STYLE => jaccard_levels(
            a.style.as_deref(),
            b.style.as_deref(),
            &[0.60, 0.40, 0.20, 0.10],
        ),
        TITLES => jaccard_levels(
            a.titles.as_deref(),
            b.titles.as_deref(),
            &[0.60, 0.35, 0.15],
        ),
        PRODUCTS => match cosine(&a.products, &b.products) {
            None => silent,
            Some(c) => Measured {
                level: cut(c, &[0.95, 0.70, 0.30]),
                value: Some(c),
            },
        },
        PRICE => match (a.price_level, b.price_level) {
            (Some(x), Some(y)) if x > 0.0 && y > 0.0 => {
                let ratio = f64::from(x.max(y) / x.min(y));
                Measured {
                    level: match ratio {
                        r if r <= 1.10 => 1,
                        r if r <= 1.30 => 2,
                        r if r <= 2.00 => 3,
                        _ => 4,
                    },
                    value: Some(ratio),
                }
            }
            _ => silent,
        },
        SHIPPING => match (a.ships_from, b.ships_from) {
            (Some(x), Some(y)) => Measured {
                level: match (x == y, &a.ships_to, &b.ships_to) {
                    (false, _, _) => 3,
                    (true, Some(p), Some(q)) if p == q => 1,
                    (true, _, _) => 2,
                },
                value: None,
            },
            _ => silent,
        },
        HOURS => {
            if a.hour_events() < MIN_EVENTS_FOR_HOURS || b.hour_events() < MIN_EVENTS_FOR_HOURS {
                return silent;
            }
            let o = hours_overlap(&a.hours, &b.hours);
            Measured {
                level: cut(o, &[0.80, 0.50, 0.25]),
                value: Some(o),
            }
        }
        ACTIVITY => match (a.active, b.active) {
            (Some((a0, a1)), Some((b0, b1))) => {
                let gap_days = (a0.max(b0) - a1.min(b1)) / 86_400;
                Measured {
                    level: if gap_days <= 0 {
                        1
                    } else if gap_days <= SUCCESSION_DAYS {
                        2
                    } else {
                        3
                    },
                    value: Some(gap_days.max(0) as f64),
                }
            }
            _ => silent,
        },
        MARKET => Measured {
            level: if a.market == b.market { 2 } else { 1 },
            value: None,
        },
        HABITS => match (&a.habits, &b.habits) {
            (Some(x), Some(y)) => habits_level(x, y),
            _ => silent,
        },
        WEEKDAYS => match (a.rest_days(), b.rest_days()) {
            (Some(x), Some(y)) => Measured {
                level: if x == y && x != 0 {
                    1
                } else if x & y != 0 {
                    2
                } else if x == 0 && y == 0 {
                    3
                } else {
                    4
                },
                value: None,
            },
            _ => silent,
        },
        PGP_KEY => super::keys::compare_keys(&a.keys, &b.keys),
        PHOTOS => {
            let (level, value) = super::photos::level(&a.photos, &b.photos);
            Measured { level, value }
        }

        _ => silent,
    }
}

/// Levels of every comparison.
pub fn compare(a: &AccountFeatures, b: &AccountFeatures) -> Levels {
    let mut out = [0u8; COMPARISON_COUNT];
    for (i, level) in out.iter_mut().enumerate() {
        *level = measure(i, a, b).level;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, stem: &str) -> AccountFeatures {
        AccountFeatures::new(0, name, stem)
    }

    #[test]
    fn every_comparison_names_its_levels_starting_with_null() {
        for c in COMPARISONS {
            assert_eq!(c.levels[0], "null", "{}", c.name);
            assert!(c.levels.len() >= 3, "{}", c.name);
        }
    }

    #[test]
    fn username_levels() {
        let a = account("GhostPharma", "ghostpharma");
        assert_eq!(
            username(&a, &account("ghostpharma", "ghostpharma")).level,
            1
        );
        assert_eq!(
            username(&a, &account("gh0st_pharma_uk", "ghostpharma")).level,
            2
        );
        assert_eq!(
            username(&a, &account("GhostPharmacy", "ghostpharmacy")).level,
            3
        );
        assert_eq!(username(&a, &account("BlueLotus", "bluelotus")).level, 5);
        assert_eq!(username(&a, &account("", "")).level, 0);
    }

    #[test]
    fn missing_features_are_silent_and_levels_stay_in_range() {
        let a = account("a", "a");
        let b = account("b", "b");
        let levels = compare(&a, &b);
        for (i, c) in COMPARISONS.iter().enumerate() {
            assert!((levels[i] as usize) < c.levels.len(), "{}", c.name);
        }
        assert_eq!(levels[STYLE], 0);
        assert_eq!(levels[PRICE], 0);
        assert_eq!(levels[MARKET], 2);
    }

    #[test]
    fn hours_and_windows() {
        let mut a = account("a", "a");
        let mut b = account("b", "b");
        a.hours[9] = 10;
        b.hours[10] = 10;
        let near = measure(HOURS, &a, &b);
        b.hours = [0; 24];
        b.hours[21] = 10;
        let far = measure(HOURS, &a, &b);
        assert!(near.level < far.level, "{near:?} {far:?}");
        assert_eq!(far.level, 4);
        a.active = Some((0, 100 * 86_400));
        b.active = Some((130 * 86_400, 200 * 86_400));
        assert_eq!(measure(ACTIVITY, &a, &b).level, 2);
        b.active = Some((50 * 86_400, 60 * 86_400));
        assert_eq!(measure(ACTIVITY, &a, &b).level, 1);
    }

    #[test]
    fn days_off_need_enough_events_and_compare_as_sets() {
        let mut a = account("a", "a");
        let mut b = account("b", "b");
        // Monday to Friday, four events a day: Saturday and Sunday off.
        for d in 0..5 {
            a.weekdays[d] = 8;
            b.weekdays[d] = 8;
        }
        a.hours[9] = 40;
        b.hours[9] = 40;
        assert_eq!(a.rest_days(), Some(0b110_0000));
        assert_eq!(measure(WEEKDAYS, &a, &b).level, 1);
        b.weekdays[5] = 8;
        b.hours[9] = 48;
        assert_eq!(measure(WEEKDAYS, &a, &b).level, 2, "Sunday off for both");
        b.weekdays = [7; 7];
        b.hours[9] = 49;
        assert_eq!(measure(WEEKDAYS, &a, &b).level, 4);
        a.weekdays = [7; 7];
        a.hours[9] = 49;
        assert_eq!(measure(WEEKDAYS, &a, &b).level, 3);
        a.weekdays = [2; 7];
        a.hours[9] = 14;
        assert_eq!(measure(WEEKDAYS, &a, &b).level, 0, "too few events to tell");
    }

    #[test]
    fn product_mix_cosine() {
        let mut a = account("a", "a");
        let mut b = account("b", "b");
        a.products = vec![(0, 0.5), (1, 0.5)];
        b.products = vec![(0, 0.5), (1, 0.5)];
        assert_eq!(measure(PRODUCTS, &a, &b).level, 1);
        b.products = vec![(2, 1.0)];
        assert_eq!(measure(PRODUCTS, &a, &b).level, 4);
    }
}
