//! Quantities, doses, purity and tiered prices in listing titles and descriptions.
//!
//! [`parse_amounts`] returns every amount found ([`AmountMatch`], with byte positions and the text as
//! written), the tiers of a listing that offers several quantities at several prices ([`Tier`]), and a
//! summary for the listing ([`AmountSummary`]). The vocabulary (unit words and factors, in several
//! languages) lives in `data/units.toml`; a user may load their own with [`UnitVocab::from_toml`].
//!
//! Decisions worth knowing when reading the output:
//! - A number glued to a letter before it is part of a name, never an amount: "M30", "A215", "PB22",
//!   "5F-PB22". "2C-B", "4-MMC", "25I-NBOMe" name no unit after their number, so they give nothing either.
//!   The one exception is the multiplication sign: "x100" counts 100.
//! - "M30" and "A215" are pill imprints of 30 mg oxycodone (what counterfeit fentanyl pills copy): each
//!   gives a dose of 30 mg with the imprint as unit, never a count or a mass.
//! - "mg" is a dose per unit when anything in the text speaks of pills (a count, "tabs", "bars", a
//!   pharmaceutical name, an imprint: see `pill_words`) or when the amount is under 100 mg; otherwise it
//!   is a mass ("500mg MDMA crystal" = 0.5 g). "mcg", "µg", "ug" are always doses.
//! - "10mg/10mL" and "2mg/ml" are concentrations (mg per ml); "5mg/tab" is a dose.
//! - Purity is a percentage between 0 and 100 (exclusive; "100%" only when "pure" follows), or "pure 85".
//!   A percentage followed by "off", "discount", "bonus"… is not a purity. A range "68-70%" keeps its lower
//!   bound, as does any range of amounts, so that nothing is overstated.
//! - Prices ("$100", "0.05 BTC", "50€") are never quantities; they only serve to build tiers. Numbers
//!   without a unit (years, list numbers, "#4" heroin) give nothing.
//! - Summary: the first amount of each kind written, since titles lead with what is sold; when a count
//!   is written right before the first mass ("5 x 1g"), the summary's grams are the product (5 g).
//!   Every other amount stays in [`Amounts::matches`].

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;
use thiserror::Error;

/// The vocabulary shipped with spector.
pub const EMBEDDED_UNITS: &str = include_str!("../data/units.toml");

static EMBEDDED: LazyLock<UnitVocab> = LazyLock::new(|| {
    // The embedded file is checked by a unit test; an empty vocabulary keeps a broken build harmless.
    UnitVocab::from_toml(EMBEDDED_UNITS).unwrap_or_default()
});

/// Parses the amounts in `text` with the embedded vocabulary. Never panics; every position is a char
/// boundary of `text`.
pub fn parse_amounts(text: &str) -> Amounts {
    EMBEDDED.parse(text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmountKind {
    /// Normalised to grams.
    Mass,
    /// Units sold (pills, tabs, patches, pieces); normalised to the count.
    Count,
    /// Active substance per unit; normalised to mg.
    Dose,
    /// Normalised to mg per ml.
    Concentration,
    /// Normalised to ml.
    Volume,
    /// Normalised to percent.
    Purity,
}

impl AmountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AmountKind::Mass => "mass",
            AmountKind::Count => "count",
            AmountKind::Dose => "dose",
            AmountKind::Concentration => "concentration",
            AmountKind::Volume => "volume",
            AmountKind::Purity => "purity",
        }
    }
}

/// One amount found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct AmountMatch {
    pub kind: AmountKind,
    /// The number as written ("1/2" gives 0.5, "68-70" gives 68); 1 for amounts written as words ("QP").
    pub value: f64,
    /// The unit as the vocabulary knows it, lowercase as written ("gramm", "oz", "x", "%", "mg/ml"), or the
    /// phrase or imprint ("half key", "qp", "M30").
    pub unit: String,
    /// In the kind's base unit: g, units, mg, mg/ml, ml or percent.
    pub normalised: f64,
    /// Byte offsets in the text.
    pub start: usize,
    pub end: usize,
    pub raw: String,
}

/// One quantity offered at one price, in a listing that offers several.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub kind: AmountKind,
    /// The quantity as written, with its unit (as in [`AmountMatch`]).
    pub quantity: f64,
    pub unit: String,
    /// The quantity in grams (mass) or units (count).
    pub normalised: f64,
    pub price: f64,
    /// "USD", "EUR", "GBP" or "BTC".
    pub currency: String,
    /// Byte offsets of the quantity and price together.
    pub start: usize,
    pub end: usize,
}

/// What the listing sells, as far as its amounts tell (see the module notes for which amount wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AmountSummary {
    pub grams: Option<f64>,
    pub count: Option<u32>,
    pub dose_mg: Option<f64>,
    pub concentration_mg_per_ml: Option<f64>,
    pub volume_ml: Option<f64>,
    pub purity_percent: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Amounts {
    /// In text order.
    pub matches: Vec<AmountMatch>,
    /// Empty unless at least two quantities are each written right next to a price.
    pub tiers: Vec<Tier>,
    pub summary: AmountSummary,
}

#[derive(Debug, Error)]
pub enum VocabError {
    #[error("units vocabulary: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("units vocabulary: the word {0:?} is listed twice")]
    Duplicate(String),
    #[error("units vocabulary: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    version: u32,
    mass: Vec<MassEntry>,
    milligram: MilligramEntry,
    dose: Vec<DoseEntry>,
    volume: Vec<VolumeEntry>,
    count: CountEntry,
    context: ContextEntry,
    phrase: Vec<PhraseEntry>,
    marker: Vec<MarkerEntry>,
    currency: Vec<CurrencyEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MassEntry {
    words: Vec<String>,
    grams: f64,
    #[serde(default)]
    not_after: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MilligramEntry {
    words: Vec<String>,
    mg_mass_min: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DoseEntry {
    words: Vec<String>,
    mg: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VolumeEntry {
    words: Vec<String>,
    ml: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountEntry {
    words: Vec<String>,
    prefix_words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextEntry {
    pill_words: Vec<String>,
    purity_words: Vec<String>,
    not_purity_after: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhraseEntry {
    words: Vec<String>,
    grams: f64,
    #[serde(default)]
    uppercase_only: bool,
    #[serde(default)]
    not_before: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkerEntry {
    word: String,
    number: u32,
    name: String,
    dose_mg: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CurrencyEntry {
    code: String,
    symbols: Vec<String>,
    words: Vec<String>,
}

#[derive(Debug, Clone)]
enum Unit {
    Mass { grams: f64, not_after: Vec<String> },
    Milligram,
    Dose { mg: f64 },
    Volume { ml: f64 },
    Count,
    Currency(String),
}

static COUNT: Unit = Unit::Count;

#[derive(Debug, Clone)]
struct Phrase {
    name: String,
    grams: f64,
    uppercase_only: bool,
    /// Words that, right after the phrase, make it something else ("8th Edition").
    not_before: Vec<String>,
}

#[derive(Debug, Clone)]
struct Marker {
    word: String,
    number: f64,
    name: String,
    dose_mg: f64,
}

/// A compiled units vocabulary.
#[derive(Debug, Clone, Default)]
pub struct UnitVocab {
    units: HashMap<String, Unit>,
    mg_mass_min: f64,
    prefix_count: HashSet<String>,
    pill_words: HashSet<String>,
    purity_words: HashSet<String>,
    not_purity_after: HashSet<String>,
    /// Keyed by the phrase's tokens joined with a space.
    phrases: HashMap<String, Phrase>,
    phrase_first: HashSet<String>,
    max_phrase_tokens: usize,
    markers: Vec<Marker>,
    currency_symbols: HashMap<char, String>,
}

fn lower_all(words: &[String]) -> impl Iterator<Item = String> + '_ {
    words.iter().map(|w| w.to_lowercase())
}

impl UnitVocab {
    /// The embedded vocabulary (`data/units.toml`).
    pub fn embedded() -> &'static UnitVocab {
        &EMBEDDED
    }

    /// Reads a vocabulary of the shape of `data/units.toml`. A word listed under two units is an error:
    /// the parse would otherwise depend on the file's order.
    pub fn from_toml(text: &str) -> Result<UnitVocab, VocabError> {
        let file: UnitsFile = toml::from_str(text)?;
        if file.version != 1 {
            return Err(VocabError::Invalid(format!(
                "version {} (expected 1)",
                file.version
            )));
        }
        let mut vocab = UnitVocab {
            mg_mass_min: file.milligram.mg_mass_min,
            ..UnitVocab::default()
        };
        let mut add = |word: String, unit: Unit| -> Result<(), VocabError> {
            if word.is_empty() || word.chars().any(|c| !is_word_char(c)) {
                return Err(VocabError::Invalid(format!(
                    "unit word {word:?} must be letters only"
                )));
            }
            match vocab.units.insert(word.clone(), unit) {
                Some(_) => Err(VocabError::Duplicate(word)),
                None => Ok(()),
            }
        };
        for entry in &file.mass {
            let not_after: Vec<String> = lower_all(&entry.not_after).collect();
            for w in lower_all(&entry.words) {
                add(
                    w,
                    Unit::Mass {
                        grams: entry.grams,
                        not_after: not_after.clone(),
                    },
                )?;
            }
        }
        for w in lower_all(&file.milligram.words) {
            add(w, Unit::Milligram)?;
        }
        for entry in &file.dose {
            for w in lower_all(&entry.words) {
                add(w, Unit::Dose { mg: entry.mg })?;
            }
        }
        for entry in &file.volume {
            for w in lower_all(&entry.words) {
                add(w, Unit::Volume { ml: entry.ml })?;
            }
        }
        for w in lower_all(&file.count.words) {
            add(w, Unit::Count)?;
        }
        for entry in &file.currency {
            for w in lower_all(&entry.words) {
                add(w, Unit::Currency(entry.code.clone()))?;
            }
            for s in &entry.symbols {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        vocab.currency_symbols.insert(c, entry.code.clone());
                    }
                    _ => {
                        return Err(VocabError::Invalid(format!(
                            "currency symbol {s:?} must be one character"
                        )));
                    }
                }
            }
        }
        vocab.prefix_count = lower_all(&file.count.prefix_words).collect();
        vocab.pill_words = lower_all(&file.context.pill_words).collect();
        vocab.purity_words = lower_all(&file.context.purity_words).collect();
        vocab.not_purity_after = lower_all(&file.context.not_purity_after).collect();
        for entry in &file.phrase {
            for words in &entry.words {
                let tokens = tokenize(words);
                let key = phrase_key(&tokens);
                let Some(first) = tokens.iter().find_map(|t| t.text_key()) else {
                    return Err(VocabError::Invalid(format!("empty phrase {words:?}")));
                };
                vocab.phrase_first.insert(first);
                vocab.max_phrase_tokens = vocab.max_phrase_tokens.max(tokens.len());
                let phrase = Phrase {
                    name: words.to_lowercase(),
                    grams: entry.grams,
                    uppercase_only: entry.uppercase_only,
                    not_before: lower_all(&entry.not_before).collect(),
                };
                // "8ball" and "8 ball" are one phrase to the matcher; only a second meaning is an error.
                if let Some(before) = vocab.phrases.insert(key, phrase)
                    && before.grams != entry.grams
                {
                    return Err(VocabError::Duplicate(words.clone()));
                }
            }
        }
        vocab.markers = file
            .marker
            .iter()
            .map(|m| Marker {
                word: m.word.to_lowercase(),
                number: f64::from(m.number),
                name: m.name.clone(),
                dose_mg: m.dose_mg,
            })
            .collect();
        Ok(vocab)
    }

    /// Parses the amounts in `text` with this vocabulary.
    pub fn parse(&self, text: &str) -> Amounts {
        let tokens = tokenize(text);
        Scan {
            vocab: self,
            text,
            tokens: &tokens,
            found: Vec::new(),
            prices: Vec::new(),
        }
        .run()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
}

#[derive(Debug, Clone, PartialEq)]
enum TokKind {
    Num(f64),
    Word(String),
    Sym(char),
}

#[derive(Debug, Clone)]
struct Tok {
    kind: TokKind,
    start: usize,
    end: usize,
    /// Whitespace between the previous token and this one (or this is the first).
    gap_before: bool,
}

impl Tok {
    fn word(&self) -> Option<&str> {
        match &self.kind {
            TokKind::Word(w) => Some(w),
            _ => None,
        }
    }
    fn num(&self) -> Option<f64> {
        match self.kind {
            TokKind::Num(n) => Some(n),
            _ => None,
        }
    }
    fn sym(&self) -> Option<char> {
        match self.kind {
            TokKind::Sym(c) => Some(c),
            _ => None,
        }
    }
    /// How the token takes part in a phrase key: hyphens are spacing, numbers keep their text.
    fn text_key(&self) -> Option<String> {
        match &self.kind {
            TokKind::Word(w) => Some(w.clone()),
            TokKind::Num(n) => Some(format!("{n}")),
            TokKind::Sym('-') => None,
            TokKind::Sym(c) => Some(c.to_string()),
        }
    }
}

fn phrase_key(tokens: &[Tok]) -> String {
    let mut key = String::new();
    for t in tokens {
        if let Some(k) = t.text_key() {
            if !key.is_empty() {
                key.push(' ');
            }
            key.push_str(&k);
        }
    }
    key
}

/// Splits text into numbers (ASCII digits with one decimal part; a comma followed by exactly three digits
/// after a non-zero integer is a thousands separator), words (letters) and single symbols.
fn tokenize(text: &str) -> Vec<Tok> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut gap = true;
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            gap = true;
            chars.next();
            continue;
        }
        // ".125g" is an eighth of a gram, not 125 g.
        let leading_dot = c == '.'
            && text
                .as_bytes()
                .get(start + 1)
                .is_some_and(u8::is_ascii_digit)
            && !tokens
                .last()
                .is_some_and(|t: &Tok| t.end == start && !matches!(t.kind, TokKind::Sym(_)));
        if leading_dot {
            chars.next();
            let frac_len = text
                .get(start + 1..)
                .map(|rest| rest.bytes().take_while(u8::is_ascii_digit).count())
                .unwrap_or(0);
            let end = start + 1 + frac_len;
            while chars.peek().is_some_and(|&(i, _)| i < end) {
                chars.next();
            }
            let kind = match text
                .get(start + 1..end)
                .and_then(|f| format!("0.{f}").parse::<f64>().ok())
            {
                Some(v) => TokKind::Num(v),
                None => TokKind::Sym('.'),
            };
            tokens.push(Tok {
                kind,
                start,
                end,
                gap_before: gap,
            });
        } else if c.is_ascii_digit() {
            let mut int_end = start;
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                int_end = i + 1;
                chars.next();
            }
            let mut end = int_end;
            let mut value = text.get(start..int_end).and_then(|s| s.parse::<f64>().ok());
            if let Some(&(sep_at, sep)) = chars.peek()
                && (sep == '.' || sep == ',')
            {
                let frac_start = sep_at + 1;
                let frac_len = text
                    .get(frac_start..)
                    .map(|rest| rest.bytes().take_while(u8::is_ascii_digit).count())
                    .unwrap_or(0);
                if frac_len > 0 {
                    let frac_end = frac_start + frac_len;
                    let int = text.get(start..int_end).unwrap_or("0");
                    let frac = text.get(frac_start..frac_end).unwrap_or("0");
                    let thousands =
                        sep == ',' && frac_len == 3 && !int.trim_start_matches('0').is_empty();
                    value = if thousands {
                        format!("{int}{frac}").parse().ok()
                    } else {
                        format!("{int}.{frac}").parse().ok()
                    };
                    end = frac_end;
                    while chars.peek().is_some_and(|&(i, _)| i < frac_end) {
                        chars.next();
                    }
                }
            }
            let kind = match value {
                Some(v) if v.is_finite() => TokKind::Num(v),
                _ => TokKind::Sym('#'),
            };
            tokens.push(Tok {
                kind,
                start,
                end,
                gap_before: gap,
            });
        } else if is_word_char(c) {
            let mut end = start;
            while let Some(&(i, w)) = chars.peek() {
                if !is_word_char(w) {
                    break;
                }
                end = i + w.len_utf8();
                chars.next();
            }
            let word = text.get(start..end).unwrap_or("").to_lowercase();
            tokens.push(Tok {
                kind: TokKind::Word(word),
                start,
                end,
                gap_before: gap,
            });
        } else {
            chars.next();
            tokens.push(Tok {
                kind: TokKind::Sym(c),
                start,
                end: start + c.len_utf8(),
                gap_before: gap,
            });
        }
        gap = false;
    }
    tokens
}

/// An amount while scanning: the match plus the tokens it covers, for tiers and for "5 x 1g".
struct Found {
    m: AmountMatch,
    first_tok: usize,
    /// One past the last token.
    end_tok: usize,
    /// A milligram amount whose reading (dose or mass) is settled once the whole text is seen.
    pending_mg: bool,
}

struct Price {
    value: f64,
    currency: String,
    start: usize,
    end: usize,
    first_tok: usize,
    end_tok: usize,
}

struct Scan<'a> {
    vocab: &'a UnitVocab,
    text: &'a str,
    tokens: &'a [Tok],
    found: Vec<Found>,
    prices: Vec<Price>,
}

/// Symbols that may stand between a quantity and its price in a tier ("1g - $50", "1g: 0.05 BTC").
const TIER_SEPARATORS: &[char] = &['-', '–', '—', ':', '=', '@', '>', '(', '[', '~', '/'];
const TIER_WORDS: &[&str] = &[
    "for", "at", "only", "just", "is", "per", "fuer", "für", "pour", "por",
];

impl<'a> Scan<'a> {
    fn tok(&self, i: usize) -> Option<&'a Tok> {
        self.tokens.get(i)
    }

    fn adjacent(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| !t.gap_before)
    }

    /// The token before `i` touches it and is a letter or digit: `i` is inside a name like "M30".
    fn glued_to_name(&self, i: usize) -> bool {
        i > 0
            && self.adjacent(i)
            && self.tok(i - 1).is_some_and(|t| match &t.kind {
                // "5x80mg": the multiplication sign, not a name.
                TokKind::Word(w) => !self.vocab.prefix_count.contains(w),
                TokKind::Num(_) => true,
                TokKind::Sym(_) => false,
            })
    }

    fn push(
        &mut self,
        kind: AmountKind,
        value: f64,
        unit: &str,
        normalised: f64,
        toks: (usize, usize),
    ) {
        let (first_tok, end_tok) = toks;
        let (Some(first), Some(last)) = (self.tok(first_tok), self.tok(end_tok.saturating_sub(1)))
        else {
            return;
        };
        let (start, end) = (first.start, last.end);
        self.found.push(Found {
            m: AmountMatch {
                kind,
                value,
                unit: unit.to_string(),
                normalised,
                start,
                end,
                raw: self.text.get(start..end).unwrap_or("").to_string(),
            },
            first_tok,
            end_tok,
            pending_mg: false,
        });
    }

    fn run(mut self) -> Amounts {
        let mut i = 0;
        while i < self.tokens.len() {
            let next = self
                .phrase_at(i)
                .or_else(|| self.marker_at(i))
                .or_else(|| self.prefix_count_at(i))
                .or_else(|| self.symbol_price_at(i))
                .or_else(|| self.number_at(i));
            i = next.unwrap_or(i + 1).max(i + 1);
        }
        self.settle_milligrams();
        let summary = self.summary();
        let tiers = self.tiers();
        Amounts {
            matches: self.found.into_iter().map(|f| f.m).collect(),
            tiers,
            summary,
        }
    }

    fn phrase_at(&mut self, i: usize) -> Option<usize> {
        let first = self.tok(i)?.text_key()?;
        if !self.vocab.phrase_first.contains(&first) || self.glued_to_name(i) {
            return None;
        }
        let max = self.vocab.max_phrase_tokens.min(self.tokens.len() - i);
        for len in (1..=max).rev() {
            let end = i + len;
            // A phrase ends at a word boundary: "8ball" but not "8balls"… nor "hpx".
            if self.adjacent(end)
                && self
                    .tok(end)
                    .is_some_and(|t| matches!(t.kind, TokKind::Word(_) | TokKind::Num(_)))
            {
                continue;
            }
            let key = phrase_key(self.tokens.get(i..end)?);
            let Some(phrase) = self.vocab.phrases.get(&key) else {
                continue;
            };
            let (start, stop) = (self.tok(i)?.start, self.tok(end - 1)?.end);
            let written = self.text.get(start..stop)?;
            if phrase.uppercase_only && written.chars().any(char::is_lowercase) {
                continue;
            }
            if let Some(after) = self.tok(end).and_then(Tok::word)
                && phrase.not_before.iter().any(|n| n == after)
            {
                continue;
            }
            let (name, grams) = (phrase.name.clone(), phrase.grams);
            self.push(AmountKind::Mass, 1.0, &name, grams, (i, end));
            return Some(end);
        }
        None
    }

    fn marker_at(&mut self, i: usize) -> Option<usize> {
        let word = self.tok(i)?.word()?;
        if self.glued_to_name(i) {
            return None;
        }
        let marker = self.vocab.markers.iter().find(|m| m.word == word)?.clone();
        let mut j = i + 1;
        if self.tok(j)?.sym() == Some('-') && self.adjacent(j) {
            j += 1;
        }
        let number = self.tok(j)?;
        if number.num()? != marker.number
            || number.end - number.start != marker.number.to_string().len()
        {
            return None;
        }
        // "M300" is another name; "M30s" and "M30mg" are the imprint.
        if self.adjacent(j + 1) && matches!(self.tok(j + 1)?.kind, TokKind::Num(_)) {
            return None;
        }
        self.push(
            AmountKind::Dose,
            marker.number,
            &marker.name,
            marker.dose_mg,
            (i, j + 1),
        );
        let mut end = j + 1;
        if self.adjacent(end)
            && self.tok(end).and_then(Tok::word).is_some_and(|w| {
                matches!(self.vocab.units.get(w), Some(Unit::Milligram)) || w == "s"
            })
        {
            end += 1;
            if let Some(f) = self.found.last_mut()
                && let Some(t) = self.tokens.get(end - 1)
            {
                f.m.end = t.end;
                f.m.raw = self.text.get(f.m.start..t.end).unwrap_or("").to_string();
                f.end_tok = end;
            }
        }
        Some(end)
    }

    /// "x100", "× 50".
    fn prefix_count_at(&mut self, i: usize) -> Option<usize> {
        let t = self.tok(i)?;
        let word = match &t.kind {
            TokKind::Word(w) => w.clone(),
            TokKind::Sym(c) => c.to_string(),
            TokKind::Num(_) => return None,
        };
        if !self.vocab.prefix_count.contains(&word) || self.glued_to_name(i) {
            return None;
        }
        let n = self.tok(i + 1)?.num()?;
        let count = as_count(n)?;
        // "x 2g" is a count of masses written the other way round; leave the number to its unit.
        let unit_follows = self
            .unit_after(i + 2)
            .is_some_and(|(u, _, _)| !matches!(u, Unit::Count));
        if unit_follows || (self.adjacent(i + 2) && self.tok(i + 2)?.sym() == Some('%')) {
            return None;
        }
        self.push(AmountKind::Count, n, &word, f64::from(count), (i, i + 2));
        Some(i + 2)
    }

    /// The unit word at `j`, if any, with the index after it.
    fn unit_after(&self, j: usize) -> Option<(&'a Unit, &'a str, usize)> {
        let mut k = j;
        // "200+mg": at least 200 mg.
        if self.tok(k)?.sym() == Some('+') && self.adjacent(k) {
            k += 1;
        }
        let t = self.tok(k)?;
        // "100×": the multiplication sign is a symbol, not a word.
        if let Some(c) = t.sym() {
            return self
                .vocab
                .prefix_count
                .iter()
                .find(|p| p.chars().eq(std::iter::once(c)))
                .map(|p| (&COUNT, p.as_str(), k + 1));
        }
        let w = t.word()?;
        let unit = self.vocab.units.get(w)?;
        // A unit glued to more letters or digits is a name ("10gx"? no; "4mmc": "mmc" is no unit anyway).
        // "5g5" is no unit we can read; "5x80mg" is five of 80 mg.
        if self.adjacent(k + 1)
            && self
                .tok(k + 1)
                .is_some_and(|n| matches!(n.kind, TokKind::Num(_)))
            && !self.vocab.prefix_count.contains(w)
        {
            return None;
        }
        Some((unit, w, k + 1))
    }

    fn symbol_price_at(&mut self, i: usize) -> Option<usize> {
        let c = self.tok(i)?.sym()?;
        let code = self.vocab.currency_symbols.get(&c)?.clone();
        let value = self.tok(i + 1)?.num()?;
        let (start, end) = (self.tok(i)?.start, self.tok(i + 1)?.end);
        self.prices.push(Price {
            value,
            currency: code,
            start,
            end,
            first_tok: i,
            end_tok: i + 2,
        });
        Some(i + 2)
    }

    fn number_at(&mut self, i: usize) -> Option<usize> {
        let first = self.tok(i)?;
        let mut value = first.num()?;
        if self.glued_to_name(i) {
            // Skip the rest of the name ("PB22", "5F-PB22") so its parts are not read as amounts.
            return Some(i + 1);
        }
        let mut j = i + 1;
        // "1/2 oz": a fraction, read only when a unit follows.
        if self.adjacent(j)
            && self.tok(j)?.sym() == Some('/')
            && self.adjacent(j + 1)
            && let Some(d) = self.tok(j + 1).and_then(Tok::num)
            && d > 0.0
        {
            value /= d;
            j += 2;
        } else if self.adjacent(j)
            && matches!(self.tok(j)?.sym(), Some('-' | '–'))
            && self.adjacent(j + 1)
            && self.tok(j + 1).and_then(Tok::num).is_some()
        {
            // "68-70%": the lower bound.
            j += 2;
        }
        let bare_end = j;
        // "100%", "90 %".
        if self.tok(j).and_then(Tok::sym) == Some('%') {
            return self.percent(i, value, j + 1);
        }
        if let Some(c) = self.tok(j).and_then(Tok::sym)
            && let Some(code) = self.vocab.currency_symbols.get(&c)
        {
            let (start, end) = (first.start, self.tok(j)?.end);
            self.prices.push(Price {
                value,
                currency: code.clone(),
                start,
                end,
                first_tok: i,
                end_tok: j + 1,
            });
            return Some(j + 1);
        }
        if let Some((unit, word, after)) = self.unit_after(j) {
            let (unit, word) = (unit.clone(), word.to_string());
            return self.with_unit(i, value, unit, &word, after);
        }
        if j == i + 1 && i > 0 {
            // "pure 85", "purity: 90".
            let mut k = i - 1;
            if self.tok(k)?.sym() == Some(':') && k > 0 {
                k -= 1;
            }
            if self
                .tok(k)
                .and_then(Tok::word)
                .is_some_and(|w| self.vocab.purity_words.contains(w))
                && value > 0.0
                && value <= 100.0
            {
                self.push(AmountKind::Purity, value, "pure", value, (k, i + 1));
                return Some(i + 1);
            }
        }
        Some(bare_end.min(i + 1))
    }

    fn percent(&mut self, i: usize, value: f64, after: usize) -> Option<usize> {
        let next_word = self.tok(after).and_then(Tok::word);
        if next_word.is_some_and(|w| self.vocab.not_purity_after.contains(w)) {
            return Some(after);
        }
        let pure_follows = next_word.is_some_and(|w| self.vocab.purity_words.contains(w));
        if value > 0.0 && (value < 100.0 || value == 100.0 && pure_follows) {
            self.push(AmountKind::Purity, value, "%", value, (i, after));
        }
        Some(after)
    }

    fn with_unit(
        &mut self,
        i: usize,
        value: f64,
        unit: Unit,
        word: &str,
        after: usize,
    ) -> Option<usize> {
        match unit {
            Unit::Mass { grams, not_after } => {
                let before = i
                    .checked_sub(1)
                    .and_then(|k| self.tok(k))
                    .and_then(Tok::word);
                if before.is_some_and(|b| not_after.iter().any(|n| n == b)) {
                    return Some(after);
                }
                self.push(AmountKind::Mass, value, word, value * grams, (i, after));
            }
            Unit::Milligram => {
                if let Some((per_ml, end)) = self.per_volume(after) {
                    self.push(
                        AmountKind::Concentration,
                        value,
                        &format!("{word}/ml"),
                        value / per_ml,
                        (i, end),
                    );
                    return Some(end);
                }
                if let Some(end) = self.per_unit(after) {
                    self.push(AmountKind::Dose, value, word, value, (i, end));
                    return Some(end);
                }
                self.push(AmountKind::Dose, value, word, value, (i, after));
                if let Some(f) = self.found.last_mut() {
                    f.pending_mg = true;
                }
            }
            Unit::Dose { mg } => {
                if let Some((per_ml, end)) = self.per_volume(after) {
                    self.push(
                        AmountKind::Concentration,
                        value,
                        &format!("{word}/ml"),
                        value * mg / per_ml,
                        (i, end),
                    );
                    return Some(end);
                }
                let end = self.per_unit(after).unwrap_or(after);
                self.push(AmountKind::Dose, value, word, value * mg, (i, end));
                return Some(end);
            }
            Unit::Volume { ml } => {
                self.push(AmountKind::Volume, value, word, value * ml, (i, after))
            }
            Unit::Count => {
                let count = as_count(value)?;
                self.push(AmountKind::Count, value, word, f64::from(count), (i, after));
            }
            Unit::Currency(code) => {
                let (start, end) = (self.tok(i)?.start, self.tok(after - 1)?.end);
                self.prices.push(Price {
                    value,
                    currency: code,
                    start,
                    end,
                    first_tok: i,
                    end_tok: after,
                });
            }
        }
        Some(after)
    }

    /// "/ml", "/10ml", "per ml" after a dose: the ml per which it is given, and the index after.
    fn per_volume(&self, j: usize) -> Option<(f64, usize)> {
        let per = self.tok(j)?;
        if per.sym() != Some('/') && per.word() != Some("per") {
            return None;
        }
        let mut k = j + 1;
        let mut amount = 1.0;
        if let Some(n) = self.tok(k).and_then(Tok::num) {
            amount = n;
            k += 1;
        }
        let w = self.tok(k)?.word()?;
        match self.vocab.units.get(w)? {
            Unit::Volume { ml } if amount * ml > 0.0 => Some((amount * ml, k + 1)),
            _ => None,
        }
    }

    /// "/tab", "/pill": a dose per unit.
    fn per_unit(&self, j: usize) -> Option<usize> {
        if self.tok(j)?.sym() != Some('/') {
            return None;
        }
        let w = self.tok(j + 1)?.word()?;
        matches!(self.vocab.units.get(w)?, Unit::Count).then_some(j + 2)
    }

    fn settle_milligrams(&mut self) {
        let pill_context = self.found.iter().any(|f| {
            f.m.kind == AmountKind::Count || f.m.kind == AmountKind::Dose && !f.pending_mg
        }) || self
            .tokens
            .iter()
            .any(|t| t.word().is_some_and(|w| self.vocab.pill_words.contains(w)));
        for f in &mut self.found {
            if f.pending_mg && !pill_context && f.m.value >= self.vocab.mg_mass_min {
                f.m.kind = AmountKind::Mass;
                f.m.normalised = f.m.value / 1000.0;
            }
            f.pending_mg = false;
        }
    }

    fn summary(&self) -> AmountSummary {
        let first = |kind: AmountKind| self.found.iter().position(|f| f.m.kind == kind);
        let value = |kind: AmountKind| {
            first(kind)
                .and_then(|k| self.found.get(k))
                .map(|f| f.m.normalised)
        };
        let grams = first(AmountKind::Mass).and_then(|k| {
            let mass = self.found.get(k)?;
            let times = k
                .checked_sub(1)
                .and_then(|p| self.found.get(p))
                .filter(|c| c.m.kind == AmountKind::Count && c.end_tok == mass.first_tok)
                .map_or(1.0, |c| c.m.normalised);
            Some(mass.m.normalised * times)
        });
        AmountSummary {
            grams,
            count: value(AmountKind::Count).and_then(as_count),
            dose_mg: value(AmountKind::Dose),
            concentration_mg_per_ml: value(AmountKind::Concentration),
            volume_ml: value(AmountKind::Volume),
            purity_percent: value(AmountKind::Purity),
        }
    }

    /// Quantities each written right next to a price ("1g - 0.05 BTC / 5g - 0.2 BTC"); price after the
    /// quantity first, else before it ("$100 - 10 pills"). Two or more pairs make tiers.
    fn tiers(&self) -> Vec<Tier> {
        let quantities: Vec<&Found> = self
            .found
            .iter()
            .filter(|f| matches!(f.m.kind, AmountKind::Mass | AmountKind::Count))
            .collect();
        let mut tiers = Vec::new();
        for q in &quantities {
            let at = self.skip_separators(q.end_tok);
            if let Some(p) = self.prices.iter().find(|p| p.first_tok == at) {
                tiers.push(tier(q, p));
            }
        }
        if tiers.len() < 2 {
            tiers.clear();
            for p in &self.prices {
                let at = self.skip_separators(p.end_tok);
                if let Some(q) = quantities.iter().find(|q| q.first_tok == at) {
                    tiers.push(tier(q, p));
                }
            }
        }
        if tiers.len() < 2 {
            tiers.clear();
        }
        tiers
    }

    fn skip_separators(&self, mut k: usize) -> usize {
        while let Some(t) = self.tok(k) {
            let skip = match &t.kind {
                TokKind::Sym(c) => TIER_SEPARATORS.contains(c),
                TokKind::Word(w) => TIER_WORDS.contains(&w.as_str()),
                TokKind::Num(_) => false,
            };
            if !skip {
                break;
            }
            k += 1;
        }
        k
    }
}

fn tier(q: &Found, p: &Price) -> Tier {
    Tier {
        kind: q.m.kind,
        quantity: q.m.value,
        unit: q.m.unit.clone(),
        normalised: q.m.normalised,
        price: p.value,
        currency: p.currency.clone(),
        start: q.m.start.min(p.start),
        end: q.m.end.max(p.end),
    }
}

/// A count is a whole number of units, at least one; a million and more is no listing's count.
fn as_count(n: f64) -> Option<u32> {
    ((1.0..1_000_000.0).contains(&n) && n.fract() == 0.0).then_some(n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_vocabulary_parses() {
        let vocab = UnitVocab::from_toml(EMBEDDED_UNITS).expect("embedded units.toml");
        assert!(vocab.units.contains_key("gramm"));
        assert!(vocab.phrases.contains_key("half key"));
    }

    #[test]
    fn duplicate_words_are_refused() {
        let doubled = EMBEDDED_UNITS.replace("\"zip\", \"zips\"", "\"zip\", \"g\"");
        assert!(
            matches!(UnitVocab::from_toml(&doubled), Err(VocabError::Duplicate(w)) if w == "g")
        );
    }
}
