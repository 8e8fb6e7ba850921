//! A keyword classifier for listings: what a listing sells (a class of the taxonomy), and the three
//! flags investigators prioritise on (fentanyl, counterfeit pills, products aimed at young buyers).
//!
//! The words are data: `data/taxonomy.toml` (see [`Taxonomy`]), matched by [`crate::matcher`] whole
//! word, case-insensitive, through leetspeak, accents and spacing tricks, and within a small edit
//! distance for the long terms the taxonomy marks fuzzy. The rules below are code.
//!
//! Decisions worth knowing when reading the output:
//! - The class comes from the title when the title names anything; the description is used only for
//!   titles that name nothing, because descriptions compare products ("better than the fetty on other
//!   markets"). The fentanyl, counterfeit and youth flags read both fields: a heroin listing whose
//!   description says "cut with fent" is a heroin listing that carries fentanyl.
//! - A listing naming several drugs takes the most harmful (lowest `harm_rank`); drugs beat harm
//!   reduction, which beats non-drug goods.
//! - Negated mentions ("no fent", "not pressed", "fentanyl-free", "0% fentanyl") are reported with
//!   `negated: true` and count for nothing.
//! - Fentanyl test strips, reagent kits and naloxone are harm-reduction items: class `harm_reduction`,
//!   and no flag even when the description explains what the strips detect. A listing that also
//!   names a drug in its title ("M30s + free test strip") is classified by the drug.
//! - An M30-type pill ("M30", "blues", "perc 30", "oxy 30", "M box 30", "A215") is a counterfeit pill
//!   carrying fentanyl; "pressed", or fentanyl sold as pills/tabs, also makes a counterfeit pill.
//!   "Pressed" ecstasy is not counterfeit: ecstasy pills are always pressed.
//! - Candy colours ("rainbow", "skittles", "multicolor") and cartoon or candy shapes ("Hello Kitty",
//!   "gummy bears") mark youth appeal on pills and hard drugs, not on cannabis ("Rainbow Kush") nor on
//!   non-drug goods. Candy-coloured pills that name no other drug ("Skittles 100 pcs"), or only an
//!   oxycodone brand ("Rainbow Percs"), are taken for the pressed fentanyl pills public warnings
//!   describe: no pharmacy makes rainbow oxycodone. Shapes alone do not make that inference: cartoon
//!   pills are as often ecstasy.
//! - Street names that are also ordinary words ("Boy", "Apache", "Ice", "Tesla", "Gelato") name a
//!   class only in a title that sizes an amount ("Boy 7g", "20 pcs Tesla"), never in descriptions,
//!   only when no plain drug name is there, and not next to non-drug goods; "K9" counts only with its
//!   30 mg strength, since "K9-proof packaging" is a shipping claim. Single letters ("H") are no
//!   street names: they are too often abbreviations ("S/H", "100mcg/h").
//! - M30-type names on a listing that names cannabis mean a strain ("Derailed Blues Indica").
//! - Guides and e-books ("How to hack credit cards") rank before the other non-drug goods; a drug
//!   name still beats them ("Secrets of Methamphetamine Manufacture" stays meth: the words cannot
//!   tell a book about a drug from the drug).
//! - Fuzzy matches (a misspelt "fentanly") count like exact ones; how each term matched is recorded.
//! - Some names changed meaning over time: the taxonomy's eras say from which day an M30-type name on
//!   its own means a counterfeit pill pressed with fentanyl (before it: a genuine oxycodone tablet,
//!   class `oxycodone`, no flag) and from which day "China White" means fentanyl (before it: heroin).
//!   [`Classifier::classify_at`] takes the listing's date; a listing without one gets today's reading,
//!   the side that misses no fentanyl. Each such match records its reading in [`TermMatch::era`].

use std::sync::LazyLock;

use crate::matcher::{Found, RawMatch};
use crate::taxonomy::{ClassGroup, Cue, Meaning, Taxonomy};

/// What a listing is, as far as its words tell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductClass {
    /// The version of the taxonomy whose words made this classification.
    pub taxonomy_version: String,
    /// A class id of the taxonomy ("fentanyl_pressed_pill", "heroin", "weapon", "harm_reduction"...);
    /// `None` when no term said what the listing sells.
    pub class: Option<String>,
    pub group: Option<ClassGroup>,
    pub fentanyl: bool,
    pub counterfeit_pill: bool,
    pub youth_appeal: bool,
    /// Every term found, in title then description order, including negated ones (the audit trail).
    pub matched: Vec<TermMatch>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Title,
    Description,
}

/// How the written text came to match a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// As written, up to case, accents and the separators the variant allows ("M-30").
    Exact,
    /// With digits or symbols read as letters ("fent@nyl", "h3roin").
    Leetspeak,
    /// With a word split to hide it ("f e n t", "fent.anyl").
    Spacing,
    LeetspeakAndSpacing,
    /// Within this Damerau-Levenshtein distance of a variant ("fentanly").
    Fuzzy {
        distance: u8,
    },
}

impl MatchKind {
    /// How the term was found, for the audit trail: `exact`, `leetspeak`, `spacing`, `leetspeak+spacing`
    /// or `fuzzy:<distance>`.
    pub fn describe(self) -> String {
        match self {
            MatchKind::Exact => "exact".into(),
            MatchKind::Leetspeak => "leetspeak".into(),
            MatchKind::Spacing => "spacing".into(),
            MatchKind::LeetspeakAndSpacing => "leetspeak+spacing".into(),
            MatchKind::Fuzzy { distance } => format!("fuzzy:{distance}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermMatch {
    /// The taxonomy's canonical name of the term ("m30" for "M-30s"), or "quantity" / "pill count"
    /// for a number with a unit.
    pub term: String,
    pub field: TextField,
    /// Byte offsets in that field.
    pub start: usize,
    pub end: usize,
    /// Written as absent: "no fent", "fentanyl-free".
    pub negated: bool,
    pub how: MatchKind,
    /// For a term whose meaning depends on the listing's date: which reading was applied and why.
    pub era: Option<EraReading>,
}

/// Where the listing's date falls against an era's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EraSide {
    /// Dated before the era: the earlier reading.
    Before,
    /// Dated on or after its first day: today's reading.
    From,
    /// No date: today's reading, which misses no fentanyl.
    Undated,
}

/// The dated reading applied to one match ("before 2015-01-01: oxycodone").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EraReading {
    /// The taxonomy's era id ("counterfeit_m30").
    pub era: String,
    /// The era's first day, YYYY-MM-DD.
    pub from: String,
    pub side: EraSide,
    /// What the term was read as: a class id ("oxycodone", "heroin", "fentanyl"), or the cue
    /// `fentanyl_pill` (an M30-type counterfeit pill).
    pub read_as: String,
}

impl EraReading {
    /// For the audit trail: `before 2015-01-01: oxycodone`, `from 2015-01-01: fentanyl_pill`,
    /// `undated, read as from 2015-01-01: fentanyl_pill`.
    pub fn describe(&self) -> String {
        match self.side {
            EraSide::Before => format!("before {}: {}", self.from, self.read_as),
            EraSide::From => format!("from {}: {}", self.from, self.read_as),
            EraSide::Undated => format!("undated, read as from {}: {}", self.from, self.read_as),
        }
    }
}

/// What a match tells the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    /// Names a class (an index into the taxonomy's classes).
    Names(usize),
    /// A street name: names the class only in a title with an amount.
    StreetName(usize),
    /// An M30-type name read, by its date, as the pharmaceutical tablet of this class; like the
    /// M30 cue it says nothing on a cannabis listing ("Derailed Blues Indica").
    PillName(usize),
    Cue(Cue),
}

/// An era as the rules use it.
#[derive(Debug, Clone)]
struct Era {
    id: String,
    from: String,
    from_unix: i64,
    earlier_class: usize,
}

/// Class indices the rules refer to.
#[derive(Debug, Clone, Copy)]
struct RuleClasses {
    fentanyl: Option<usize>,
    fentanyl_pressed_pill: Option<usize>,
    oxycodone: Option<usize>,
    mdma: Option<usize>,
    cannabis: Option<usize>,
}

/// A classifier for one taxonomy.
#[derive(Debug, Clone)]
pub struct Classifier {
    taxonomy: Taxonomy,
    /// Per term, what it signals.
    signals: Vec<Signal>,
    /// Per term, the index of the era that changes its meaning.
    term_era: Vec<Option<usize>>,
    eras: Vec<Era>,
    /// `is_a[class][ancestor]`, precomputed: the rules ask it per listing.
    is_a: Vec<Vec<bool>>,
    rule: RuleClasses,
    fuzzy: bool,
}

static EMBEDDED: LazyLock<Classifier> = LazyLock::new(|| Classifier::new(Taxonomy::embedded()));

impl Classifier {
    pub fn new(taxonomy: &Taxonomy) -> Classifier {
        let classes = taxonomy.classes();
        let position = |id: &str| classes.iter().position(|c| c.id == id);
        let signals = taxonomy
            .terms()
            .iter()
            .map(|term| match &term.meaning {
                // Validation guarantees the class exists; 0 would only misname, never panic.
                Meaning::Names {
                    class,
                    needs_amount,
                } => {
                    let c = position(class).unwrap_or(0);
                    if *needs_amount {
                        Signal::StreetName(c)
                    } else {
                        Signal::Names(c)
                    }
                }
                Meaning::Cue(cue) => Signal::Cue(*cue),
            })
            .collect();
        let eras: Vec<Era> = taxonomy
            .eras()
            .iter()
            .map(|e| Era {
                id: e.id.clone(),
                from: e.from.format("%Y-%m-%d").to_string(),
                from_unix: e.from_unix,
                // Validation guarantees the class exists.
                earlier_class: position(&e.earlier_class).unwrap_or(0),
            })
            .collect();
        let term_era = taxonomy
            .terms()
            .iter()
            .map(|t| {
                t.era
                    .as_deref()
                    .and_then(|id| eras.iter().position(|e| e.id == id))
            })
            .collect();
        let is_a = classes
            .iter()
            .map(|c| {
                classes
                    .iter()
                    .map(|a| taxonomy.is_a(&c.id, &a.id))
                    .collect()
            })
            .collect();
        Classifier {
            taxonomy: taxonomy.clone(),
            signals,
            term_era,
            eras,
            is_a,
            rule: RuleClasses {
                fentanyl: position("fentanyl"),
                fentanyl_pressed_pill: position("fentanyl_pressed_pill"),
                oxycodone: position("oxycodone"),
                mdma: position("mdma"),
                cannabis: position("cannabis"),
            },
            fuzzy: true,
        }
    }

    /// The classifier of the embedded taxonomy.
    pub fn embedded() -> &'static Classifier {
        &EMBEDDED
    }

    /// The same classifier with fuzzy matching on or off (on by default).
    pub fn with_fuzzy(mut self, fuzzy: bool) -> Classifier {
        self.fuzzy = fuzzy;
        self
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Classifies one listing from its title and description, with today's meaning of every term (as
    /// [`Classifier::classify_at`] with no date).
    pub fn classify(&self, title: &str, description: Option<&str>) -> ProductClass {
        self.classify_at(title, description, None)
    }

    /// Classifies one listing dated `listed_at` (Unix seconds, UTC; `None` when unknown). Terms whose
    /// meaning changed (the taxonomy's eras) get the meaning they had on that date; an undated listing
    /// gets today's.
    pub fn classify_at(
        &self,
        title: &str,
        description: Option<&str>,
        listed_at: Option<i64>,
    ) -> ProductClass {
        let index = &self.taxonomy.index;
        let mut raw: Vec<(TextField, RawMatch)> = index
            .find(title, self.fuzzy)
            .into_iter()
            .map(|m| (TextField::Title, m))
            .collect();
        if let Some(description) = description {
            raw.extend(
                index
                    .find(description, self.fuzzy)
                    .into_iter()
                    .map(|m| (TextField::Description, m)),
            );
        }
        // Street names are read in titles only: descriptions are long enough to say "ice" or "snow".
        let signals_in = |field: Option<TextField>| -> Vec<Signal> {
            raw.iter()
                .filter(|(f, m)| !m.negated && field.is_none_or(|want| *f == want))
                .map(|(f, m)| (*f, self.signal(m.found, listed_at)))
                .filter(|(f, s)| *f == TextField::Title || !matches!(s, Signal::StreetName(_)))
                .map(|(_, s)| s)
                .collect()
        };
        let title_signals = signals_in(Some(TextField::Title));
        let all_signals = signals_in(None);

        let class = self
            .class_of(&title_signals)
            .or_else(|| self.class_of(&all_signals));
        let has = |cue: Cue| all_signals.contains(&Signal::Cue(cue));
        let is = |class: Option<usize>, ancestor: Option<usize>| match (class, ancestor) {
            (Some(c), Some(a)) => self.is_a.get(c).and_then(|row| row.get(a)) == Some(&true),
            _ => false,
        };
        let group = class
            .and_then(|c| self.taxonomy.classes().get(c))
            .map(|c| c.group);

        let mut result = ProductClass {
            taxonomy_version: self.taxonomy.version().to_string(),
            class: class
                .and_then(|c| self.taxonomy.classes().get(c))
                .map(|c| c.id.clone()),
            group,
            matched: raw
                .iter()
                .map(|(field, m)| TermMatch {
                    term: self.term_name(m.found),
                    field: *field,
                    start: m.start,
                    end: m.end,
                    negated: m.negated,
                    how: m.kind,
                    era: self.era_reading(m.found, listed_at),
                })
                .collect(),
            ..ProductClass::default()
        };
        if group == Some(ClassGroup::HarmReduction) {
            return result;
        }
        let fentanyl_term = all_signals
            .iter()
            .any(|s| matches!(s, Signal::Names(c) if is(Some(*c), self.rule.fentanyl)));
        let cannabis = is(class, self.rule.cannabis);
        // "Blues" is also a cannabis strain: M30-type names say nothing on a cannabis listing.
        let fentanyl_pill = has(Cue::FentanylPill) && !cannabis;
        let pill_form = has(Cue::PillForm);
        let pressed_pill = class.is_some() && class == self.rule.fentanyl_pressed_pill;

        result.fentanyl = fentanyl_pill || fentanyl_term || is(class, self.rule.fentanyl);
        result.counterfeit_pill = fentanyl_pill
            || pressed_pill
            || (has(Cue::Pressed) && !is(class, self.rule.mdma))
            || (fentanyl_term && pill_form);
        let hard_drug = group == Some(ClassGroup::Drug) && !cannabis;
        result.youth_appeal = (has(Cue::YouthColour) || has(Cue::YouthShape))
            && !cannabis
            && group != Some(ClassGroup::NonDrug)
            && (hard_drug || pill_form || result.counterfeit_pill);
        result
    }

    fn signal(&self, found: Found, listed_at: Option<i64>) -> Signal {
        match found {
            Found::Term(t) => {
                let today = self
                    .signals
                    .get(t as usize)
                    .copied()
                    .unwrap_or(Signal::Cue(Cue::Quantity));
                match self.era_of(t) {
                    Some(era) if listed_at.is_some_and(|at| at < era.from_unix) => {
                        earlier_signal(today, era.earlier_class)
                    }
                    _ => today,
                }
            }
            Found::Amount => Signal::Cue(Cue::Quantity),
            Found::PillCount => Signal::Cue(Cue::PillForm),
        }
    }

    fn era_of(&self, term: u32) -> Option<&Era> {
        self.term_era
            .get(term as usize)
            .copied()
            .flatten()
            .and_then(|e| self.eras.get(e))
    }

    /// The audit record of a dated term's reading; `None` for terms no era changes.
    fn era_reading(&self, found: Found, listed_at: Option<i64>) -> Option<EraReading> {
        let Found::Term(t) = found else {
            return None;
        };
        let era = self.era_of(t)?;
        let side = match listed_at {
            None => EraSide::Undated,
            Some(at) if at < era.from_unix => EraSide::Before,
            Some(_) => EraSide::From,
        };
        let read_as = match self.signal(found, listed_at) {
            Signal::Names(c) | Signal::StreetName(c) | Signal::PillName(c) => self
                .taxonomy
                .classes()
                .get(c)
                .map(|c| c.id.clone())
                .unwrap_or_default(),
            Signal::Cue(_) => "fentanyl_pill".to_string(),
        };
        Some(EraReading {
            era: era.id.clone(),
            from: era.from.clone(),
            side,
            read_as,
        })
    }

    fn term_name(&self, found: Found) -> String {
        match found {
            Found::Term(t) => self
                .taxonomy
                .terms()
                .get(t as usize)
                .map(|t| t.term.clone())
                .unwrap_or_default(),
            Found::Amount => "quantity".to_string(),
            Found::PillCount => "pill count".to_string(),
        }
    }

    fn group_of(&self, class: usize) -> Option<ClassGroup> {
        self.taxonomy.classes().get(class).map(|c| c.group)
    }

    fn is_a(&self, class: usize, ancestor: Option<usize>) -> bool {
        ancestor.is_some_and(|a| self.is_a.get(class).and_then(|row| row.get(a)) == Some(&true))
    }

    /// The most harmful of `classes`.
    fn first_by_rank(&self, classes: impl Iterator<Item = usize>) -> Option<usize> {
        classes.min_by_key(|&c| {
            self.taxonomy
                .classes()
                .get(c)
                .map_or(u32::MAX, |c| c.harm_rank)
        })
    }

    fn class_of(&self, signals: &[Signal]) -> Option<usize> {
        let named = |group: ClassGroup| {
            signals.iter().filter_map(move |s| match s {
                Signal::Names(c) if self.group_of(*c) == Some(group) => Some(*c),
                _ => None,
            })
        };
        let has = |cue: Cue| signals.contains(&Signal::Cue(cue));
        let mut drugs: Vec<usize> = named(ClassGroup::Drug).collect();
        let non_drug = named(ClassGroup::NonDrug).next().is_some();
        if drugs.is_empty() {
            drugs = self.street_names(signals, non_drug);
        }
        let cannabis_named = drugs.iter().any(|&d| self.is_a(d, self.rule.cannabis));
        if !cannabis_named {
            drugs.extend(signals.iter().filter_map(|s| match s {
                Signal::PillName(c) => Some(*c),
                _ => None,
            }));
        }
        let pill = has(Cue::PillForm) || has(Cue::Pressed);
        // No pharmacy makes rainbow oxycodone: candy-coloured pills that name no other drug, or only an
        // oxycodone brand ("Rainbow Percs"), are the pressed fentanyl pills sold to teenagers.
        let candy_opioid_pills = has(Cue::YouthColour)
            && drugs.iter().all(|&d| self.is_a(d, self.rule.oxycodone))
            && (pill || !drugs.is_empty());
        let fentanyl_pills = drugs.iter().any(|&d| self.is_a(d, self.rule.fentanyl)) && pill;
        let m30_type = has(Cue::FentanylPill) && !cannabis_named;
        if m30_type || fentanyl_pills || candy_opioid_pills {
            return self.rule.fentanyl_pressed_pill;
        }
        self.first_by_rank(drugs.into_iter())
            .or_else(|| self.first_by_rank(named(ClassGroup::HarmReduction)))
            .or_else(|| self.first_by_rank(named(ClassGroup::NonDrug)))
    }

    /// The classes street names stand for, when the text sizes an amount and sells no non-drug goods.
    fn street_names(&self, signals: &[Signal], non_drug: bool) -> Vec<usize> {
        let sized = signals.contains(&Signal::Cue(Cue::Quantity))
            || signals.contains(&Signal::Cue(Cue::PillForm));
        if !sized || non_drug {
            return Vec::new();
        }
        signals
            .iter()
            .filter_map(|s| match s {
                Signal::StreetName(c) => Some(*c),
                _ => None,
            })
            .collect()
    }
}

/// What a term with an era means before it: a class name or street name names the earlier class, an
/// M30-type cue the pharmaceutical tablet.
fn earlier_signal(today: Signal, earlier_class: usize) -> Signal {
    match today {
        Signal::Names(_) => Signal::Names(earlier_class),
        Signal::StreetName(_) => Signal::StreetName(earlier_class),
        Signal::Cue(Cue::FentanylPill) | Signal::PillName(_) => Signal::PillName(earlier_class),
        other => other,
    }
}

/// Classifies one listing from its title and description with the embedded taxonomy.
pub fn classify_listing(title: &str, description: Option<&str>) -> ProductClass {
    Classifier::embedded().classify(title, description)
}

#[cfg(test)]
mod tests;
