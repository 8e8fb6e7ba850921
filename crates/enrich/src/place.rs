//! Free-text origins and destinations ("USA", "Deutschland", "EU except Sweden", "Torland") as ISO 3166-1
//! alpha-2 codes and region groups, keeping the raw text and what matched where.
//!
//! The ISO table (codes and English names) comes from the `celes` crate; native names, short forms,
//! misspellings, regions and placeholders from `data/places.toml` ([`PlaceVocab::from_toml`] reads a
//! user's own file of that shape).
//!
//! Decisions worth knowing when reading the output:
//! - Names match case-insensitively as whole words, longest first ("North America" before "America").
//!   ISO codes match only in capitals; codes that are also words ("NO", "IN", "CAN") only when alone
//!   between separators ("EU, CH, NO" but not "NO US", where "No" excludes).
//! - A name that the ISO table gives to two countries ("Congo") names neither.
//! - After "except", "but", "not", "no"…, every place is excluded: "Worldwide except Australia" is
//!   worldwide with AU excluded; excluded countries are removed from `countries`. A text that only
//!   excludes ("We do not ship to USA") reads as worldwide with exclusions: that is what such a
//!   "ships to" field tells a buyer.
//! - Kind: worldwide if a worldwide word is included; else a region if one is named; else countries;
//!   else undeclared if a market placeholder ("Torland", "Internet", "Undeclared") or nothing at all is
//!   written; else unknown. Words not understood are listed in `unrecognised`, never guessed at: a
//!   text with no word understood is [`PlaceKind::Unknown`].
//! - Regions list their members in `countries` only where the group is well defined (EU: the 27 member
//!   states; Scandinavia: DK, NO, SE).
//! - A field holding both labels ("From: USA To: Worldwide", as one Agora scrape writes) is split with
//!   [`split_from_to`] before normalising.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;
use thiserror::Error;

pub const EMBEDDED_PLACES: &str = include_str!("../data/places.toml");

static EMBEDDED: LazyLock<PlaceVocab> = LazyLock::new(|| {
    // The embedded file is checked by a unit test; an empty vocabulary keeps a broken build harmless.
    PlaceVocab::from_toml(EMBEDDED_PLACES).unwrap_or_default()
});

/// Normalises a free-text place with the embedded vocabulary. Never panics.
pub fn normalise_place(raw: &str) -> Place {
    EMBEDDED.normalise(raw)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    Countries,
    Region,
    Worldwide,
    Undeclared,
    Unknown,
}

impl PlaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Countries => "countries",
            PlaceKind::Region => "region",
            PlaceKind::Worldwide => "worldwide",
            PlaceKind::Undeclared => "undeclared",
            PlaceKind::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub raw: String,
    pub kind: PlaceKind,
    /// ISO 3166-1 alpha-2, in the order written, region members included, excluded ones removed.
    pub countries: Vec<String>,
    /// Region names as `data/places.toml` spells them ("EU", "Scandinavia", "North America").
    pub regions: Vec<String>,
    pub excluded_countries: Vec<String>,
    pub excluded_regions: Vec<String>,
    /// Every term understood, in text order (the audit trail).
    pub matched: Vec<PlaceTerm>,
    /// Words not understood, as written.
    pub unrecognised: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceMeaning {
    Country(String),
    Region(String),
    Worldwide,
    Undeclared,
    Except,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceTerm {
    pub meaning: PlaceMeaning,
    /// Byte offsets in the raw text.
    pub start: usize,
    pub end: usize,
    /// After an exclusion word.
    pub excluded: bool,
}

/// The origin and destination parts of a field written "From: X To: Y"; a field without labels is all
/// `from` when `default_from`, else all `to`. Slices of `raw`.
pub fn split_from_to(raw: &str, default_from: bool) -> (Option<&str>, Option<&str>) {
    let lower = raw.to_ascii_lowercase();
    let from = lower.find("from:");
    let to = lower.find("to:");
    let part = |a: usize, b: usize| raw.get(a..b).map(str::trim);
    match (from, to) {
        (None, None) => {
            if default_from {
                (Some(raw.trim()), None)
            } else {
                (None, Some(raw.trim()))
            }
        }
        (Some(f), None) => (part(f + 5, raw.len()), None),
        (None, Some(t)) => (None, part(t + 3, raw.len())),
        (Some(f), Some(t)) if f < t => (part(f + 5, t), part(t + 3, raw.len())),
        (Some(f), Some(t)) => (part(f + 5, raw.len()), part(t + 3, f)),
    }
}

#[derive(Debug, Error)]
pub enum PlaceVocabError {
    #[error("places vocabulary: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("places vocabulary: {0:?} is listed twice")]
    Duplicate(String),
    #[error("places vocabulary: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacesFile {
    version: u32,
    missing: Vec<String>,
    undeclared: Vec<String>,
    worldwide: Vec<String>,
    filler: Vec<String>,
    except: Vec<String>,
    ambiguous_codes: Vec<String>,
    not_codes: Vec<String>,
    countries: HashMap<String, Vec<String>>,
    region: Vec<RegionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionEntry {
    name: String,
    names: Vec<String>,
    #[serde(default)]
    members: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Country(String),
    Region(usize),
    Worldwide,
    Undeclared,
    Filler,
    Except,
}

#[derive(Debug, Clone, Default)]
struct Region {
    name: String,
    members: Vec<String>,
}

/// A compiled places vocabulary.
#[derive(Debug, Clone, Default)]
pub struct PlaceVocab {
    missing: HashSet<String>,
    /// Names keyed by their lowercase words joined with a space.
    names: HashMap<String, Entry>,
    max_name_words: usize,
    /// Alpha-2 and alpha-3 codes in capitals → alpha-2.
    codes: HashMap<String, String>,
    ambiguous_codes: HashSet<String>,
    regions: Vec<Region>,
}

/// A name's words as the matcher sees them: lowercase letters, dotted initials joined ("U.S.A." → "usa").
fn name_key(name: &str) -> String {
    words(name)
        .into_iter()
        .map(|w| w.lower)
        .collect::<Vec<_>>()
        .join(" ")
}

fn split_camel(alias: &str) -> String {
    let mut out = String::new();
    for c in alias.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl PlaceVocab {
    pub fn embedded() -> &'static PlaceVocab {
        &EMBEDDED
    }

    /// Reads a vocabulary of the shape of `data/places.toml` and joins it with the ISO 3166-1 table.
    pub fn from_toml(text: &str) -> Result<PlaceVocab, PlaceVocabError> {
        let file: PlacesFile = toml::from_str(text)?;
        if file.version != 1 {
            return Err(PlaceVocabError::Invalid(format!(
                "version {} (expected 1)",
                file.version
            )));
        }
        let mut vocab = PlaceVocab::default();
        let iso = celes::Country::get_countries();
        let alpha2: HashSet<&str> = iso.iter().map(|c| c.alpha2).collect();

        // The ISO names first; a name two countries share is dropped, the file's names then win.
        let mut iso_names: HashMap<String, Option<String>> = HashMap::new();
        for country in &iso {
            let long = country
                .long_name
                .strip_prefix("The ")
                .unwrap_or(country.long_name);
            let mut names = vec![name_key(long)];
            names.extend(
                celes::LookupTable::iter(&country.aliases).map(|a| name_key(&split_camel(a))),
            );
            for name in names {
                iso_names
                    .entry(name)
                    .and_modify(|code| {
                        if code.as_deref() != Some(country.alpha2) {
                            *code = None;
                        }
                    })
                    .or_insert_with(|| Some(country.alpha2.to_string()));
            }
            vocab
                .codes
                .insert(country.alpha2.to_string(), country.alpha2.to_string());
            vocab
                .codes
                .insert(country.alpha3.to_string(), country.alpha2.to_string());
        }
        for (name, code) in iso_names {
            if let Some(code) = code
                && !name.is_empty()
            {
                vocab.names.insert(name, Entry::Country(code));
            }
        }

        let mut from_file: HashSet<String> = HashSet::new();
        let mut add = |vocab: &mut PlaceVocab, name: &str, entry: Entry| {
            let key = name_key(name);
            if key.is_empty() {
                return Err(PlaceVocabError::Invalid(format!(
                    "name {name:?} has no letters"
                )));
            }
            if !from_file.insert(key.clone()) {
                return Err(PlaceVocabError::Duplicate(name.to_string()));
            }
            vocab.max_name_words = vocab.max_name_words.max(key.split(' ').count());
            vocab.names.insert(key, entry);
            Ok(())
        };
        let check_code = |code: &str| {
            if alpha2.contains(code) {
                Ok(())
            } else {
                Err(PlaceVocabError::Invalid(format!(
                    "{code:?} is no ISO 3166-1 alpha-2 code"
                )))
            }
        };
        for (code, names) in &file.countries {
            check_code(code)?;
            for name in names {
                add(&mut vocab, name, Entry::Country(code.clone()))?;
            }
        }
        for (index, region) in file.region.iter().enumerate() {
            for member in &region.members {
                check_code(member)?;
            }
            vocab.regions.push(Region {
                name: region.name.clone(),
                members: region.members.clone(),
            });
            for name in &region.names {
                add(&mut vocab, name, Entry::Region(index))?;
            }
        }
        for (list, entry) in [
            (&file.undeclared, Entry::Undeclared),
            (&file.worldwide, Entry::Worldwide),
            (&file.except, Entry::Except),
            (&file.filler, Entry::Filler),
        ] {
            for name in list {
                add(&mut vocab, name, entry.clone())?;
            }
        }
        // ISO names may be longer than the file's.
        vocab.max_name_words = vocab
            .names
            .keys()
            .map(|k| k.split(' ').count())
            .max()
            .unwrap_or(1);
        vocab.missing = file
            .missing
            .iter()
            .map(|m| m.trim().to_lowercase())
            .collect();
        vocab.ambiguous_codes = file.ambiguous_codes.iter().cloned().collect();
        for code in &file.not_codes {
            vocab.codes.remove(code);
        }
        Ok(vocab)
    }

    pub fn normalise(&self, raw: &str) -> Place {
        let mut place = Place {
            raw: raw.to_string(),
            kind: PlaceKind::Unknown,
            countries: Vec::new(),
            regions: Vec::new(),
            excluded_countries: Vec::new(),
            excluded_regions: Vec::new(),
            matched: Vec::new(),
            unrecognised: Vec::new(),
        };
        if self.missing.contains(&raw.trim().to_lowercase()) {
            place.kind = PlaceKind::Undeclared;
            return place;
        }
        let words = words(raw);
        let mut excluding = false;
        let mut worldwide = false;
        let mut undeclared = false;
        let mut i = 0;
        while i < words.len() {
            let Some((entry, len)) = self.lookup(&words, i) else {
                if let Some(w) = words.get(i) {
                    place
                        .unrecognised
                        .push(raw.get(w.start..w.end).unwrap_or("").to_string());
                }
                i += 1;
                continue;
            };
            let (start, end) = match (words.get(i), words.get(i + len - 1)) {
                (Some(a), Some(b)) => (a.start, b.end),
                _ => break,
            };
            i += len;
            let meaning = match &entry {
                Entry::Filler => continue,
                Entry::Except => {
                    excluding = true;
                    PlaceMeaning::Except
                }
                Entry::Worldwide => {
                    worldwide |= !excluding;
                    PlaceMeaning::Worldwide
                }
                Entry::Undeclared => {
                    undeclared = true;
                    PlaceMeaning::Undeclared
                }
                Entry::Country(code) => {
                    let list = if excluding {
                        &mut place.excluded_countries
                    } else {
                        &mut place.countries
                    };
                    push_unique(list, code);
                    PlaceMeaning::Country(code.clone())
                }
                Entry::Region(index) => {
                    let region = self.regions.get(*index).cloned().unwrap_or_default();
                    let (regions, countries) = if excluding {
                        (&mut place.excluded_regions, &mut place.excluded_countries)
                    } else {
                        (&mut place.regions, &mut place.countries)
                    };
                    push_unique(regions, &region.name);
                    for member in &region.members {
                        push_unique(countries, member);
                    }
                    PlaceMeaning::Region(region.name)
                }
            };
            place.matched.push(PlaceTerm {
                meaning,
                start,
                end,
                excluded: excluding,
            });
        }
        let excluded = place.excluded_countries.clone();
        place.countries.retain(|c| !excluded.contains(c));
        let excludes = !place.excluded_countries.is_empty() || !place.excluded_regions.is_empty();
        place.kind = if worldwide {
            PlaceKind::Worldwide
        } else if !place.regions.is_empty() {
            PlaceKind::Region
        } else if !place.countries.is_empty() {
            PlaceKind::Countries
        } else if excludes {
            PlaceKind::Worldwide
        } else if undeclared || words.is_empty() {
            PlaceKind::Undeclared
        } else {
            PlaceKind::Unknown
        };
        place
    }

    /// The longest name starting at word `i`; capitals codes before one-word names ("US" the country,
    /// "us" the pronoun).
    fn lookup(&self, words: &[Word], i: usize) -> Option<(Entry, usize)> {
        let max = self.max_name_words.min(words.len().saturating_sub(i));
        let mut key = String::new();
        let mut best = None;
        for len in 1..=max {
            let w = words.get(i + len - 1)?;
            if len > 1 {
                // A name does not run across a separator ("Hong, Kong" is two words).
                if w.segment != words.get(i)?.segment {
                    break;
                }
                key.push(' ');
            }
            key.push_str(&w.lower);
            if let Some(entry) = self.names.get(&key) {
                best = Some((entry.clone(), len));
            }
        }
        if best.as_ref().is_some_and(|(_, len)| *len > 1) {
            return best;
        }
        let w = words.get(i)?;
        if w.capitals
            && let Some(code) = self.codes.get(&w.upper)
        {
            let alone = !words
                .iter()
                .any(|o| o.segment == w.segment && o.start != w.start);
            if !self.ambiguous_codes.contains(&w.upper) || alone {
                return Some((Entry::Country(code.clone()), 1));
            }
        }
        best
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

struct Word {
    lower: String,
    upper: String,
    /// Written in capitals (at least two letters, none lowercase).
    capitals: bool,
    start: usize,
    end: usize,
    /// Words between the same separators share a segment.
    segment: usize,
}

const SEGMENT_WORDS: &[&str] = &["and", "or", "und", "et", "y", "и"];

/// Letter runs; initials separated by dots are joined ("U.S.A." → "usa", "E.U." → "eu"); every other
/// symbol, and "and"/"or", separates segments.
fn words(text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut segment = 0;
    let mut chars = text.char_indices().peekable();
    // The previous word was a single letter followed by a dot: the next single letter joins it.
    let mut initials_open = false;
    while let Some(&(start, c)) = chars.peek() {
        if c.is_alphabetic() {
            let mut end = start;
            while let Some(&(i, w)) = chars.peek() {
                if !w.is_alphabetic() {
                    break;
                }
                end = i + w.len_utf8();
                chars.next();
            }
            let written = text.get(start..end).unwrap_or("");
            let single = written.chars().count() == 1;
            if let Some(last) = out.last_mut().filter(|_| initials_open && single) {
                last.lower.push_str(&written.to_lowercase());
                last.upper.push_str(&written.to_uppercase());
                last.capitals &= !written.chars().any(char::is_lowercase);
                last.end = end;
            } else {
                let separates = SEGMENT_WORDS.contains(&written.to_lowercase().as_str());
                segment += usize::from(separates);
                out.push(Word {
                    lower: written.to_lowercase(),
                    upper: written.to_uppercase(),
                    capitals: !written.chars().any(char::is_lowercase),
                    start,
                    end,
                    segment,
                });
                segment += usize::from(separates);
            }
            initials_open = false;
            if single && chars.peek().is_some_and(|&(_, d)| d == '.') {
                chars.next();
                initials_open = true;
                if let Some(last) = out.last_mut() {
                    last.end += 1;
                }
            }
            continue;
        }
        chars.next();
        if !c.is_whitespace() && c != '\'' {
            segment += 1;
        }
        initials_open = false;
    }
    // Single initials ("U.") count as capitals only when joined; a lone capital letter is no code.
    for w in &mut out {
        w.capitals &= w.lower.chars().count() >= 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_vocabulary_parses() {
        let vocab = PlaceVocab::from_toml(EMBEDDED_PLACES).expect("embedded places.toml");
        assert!(vocab.names.contains_key("deutschland"));
        assert_eq!(vocab.regions.first().map(|r| r.members.len()), Some(27));
    }

    #[test]
    fn unknown_region_members_are_refused() {
        let broken = EMBEDDED_PLACES.replace(
            "members = [\"DK\", \"NO\", \"SE\"]",
            "members = [\"DK\", \"XX\"]",
        );
        assert!(matches!(
            PlaceVocab::from_toml(&broken),
            Err(PlaceVocabError::Invalid(_))
        ));
    }
}
