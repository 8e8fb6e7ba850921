//! The product taxonomy as data: classes, the terms that name them, and the cue vocabularies the
//! classifier's rules read. The shipped file is `data/taxonomy.toml` (its header documents the format);
//! a user may load their own of the same shape with [`Taxonomy::from_toml`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use serde::Deserialize;
use thiserror::Error;

use crate::matcher::TermIndex;

static EMBEDDED_TOML: &str = include_str!("../data/taxonomy.toml");

static EMBEDDED: LazyLock<Taxonomy> = LazyLock::new(|| {
    // The shipped file is checked by a unit test; a failure here is a build defect, not bad input.
    Taxonomy::from_toml(EMBEDDED_TOML).expect("the embedded taxonomy is valid")
});

/// Classes the rules in `classify.rs` name; a taxonomy without them cannot drive the classifier.
pub(crate) const RULE_CLASSES: &[&str] = &[
    "fentanyl",
    "fentanyl_pressed_pill",
    "oxycodone",
    "mdma",
    "cannabis",
];

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TaxonomyError {
    #[error("taxonomy is not valid TOML for this format: {0}")]
    Toml(String),
    #[error("taxonomy has an empty version")]
    EmptyVersion,
    #[error("class `{0}` is defined twice")]
    DuplicateClass(String),
    #[error("class `{class}` has unknown parent `{parent}`")]
    UnknownParent { class: String, parent: String },
    #[error("class `{0}` is its own ancestor")]
    ParentCycle(String),
    #[error("term `{term}` names unknown class `{class}`")]
    UnknownClass { term: String, class: String },
    #[error("term `{term}` must have exactly one of `class` and `cue`")]
    ClassOrCue { term: String },
    #[error("term `{term}` has unknown cue `{cue}`")]
    UnknownCue { term: String, cue: String },
    #[error("term `{term}` has a variant with no letters or digits: {variant:?}")]
    EmptyVariant { term: String, variant: String },
    #[error("variant {variant:?} belongs to both `{first}` and `{second}`")]
    AmbiguousVariant {
        variant: String,
        first: String,
        second: String,
    },
    #[error("term `{0}` has no language")]
    NoLanguage(String),
    #[error("era `{0}` is defined twice")]
    DuplicateEra(String),
    #[error("era `{era}` starts on {date:?}, which is no YYYY-MM-DD date")]
    EraDate { era: String, date: String },
    #[error("era `{era}` has unknown earlier class `{class}`")]
    EraClass { era: String, class: String },
    #[error("term `{term}` names unknown era `{era}`")]
    UnknownEra { term: String, era: String },
    #[error("term `{term}` has an era but is neither a class name nor a `fentanyl_pill` cue")]
    EraOnCue { term: String },
    #[error("the rules need class `{0}`, which the taxonomy lacks")]
    MissingRuleClass(String),
    #[error("{0}")]
    Invalid(String),
}

/// What a class is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassGroup {
    Drug,
    NonDrug,
    HarmReduction,
}

impl ClassGroup {
    /// The name stored with results (`listing_facts.class_group`), as in the taxonomy file.
    pub fn as_str(self) -> &'static str {
        match self {
            ClassGroup::Drug => "drug",
            ClassGroup::NonDrug => "non_drug",
            ClassGroup::HarmReduction => "harm_reduction",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassDef {
    pub id: String,
    pub label: String,
    pub group: ClassGroup,
    pub parent: Option<String>,
    /// Lower wins when a listing names several classes.
    pub harm_rank: u32,
}

/// What a term tells the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cue {
    /// An M30-type counterfeit pill, which in this trade means fentanyl.
    FentanylPill,
    /// "pressed": a counterfeit of a pharmaceutical pill.
    Pressed,
    /// Sold as pills or tablets.
    PillForm,
    /// An amount ("8ball"); numbers with units are read from [`Amounts`].
    Quantity,
    /// Candy colours ("rainbow", "skittles").
    YouthColour,
    /// Cartoon characters and candy shapes.
    YouthShape,
}

impl Cue {
    fn parse(s: &str) -> Option<Cue> {
        Some(match s {
            "fentanyl_pill" => Cue::FentanylPill,
            "pressed" => Cue::Pressed,
            "pill_form" => Cue::PillForm,
            "quantity" => Cue::Quantity,
            "youth_colour" => Cue::YouthColour,
            "youth_shape" => Cue::YouthShape,
            _ => return None,
        })
    }
}

/// What a term says: it names a class, or it is a cue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    /// Names a class. A street name (`needs_amount`) counts only in a title that gives an amount.
    Names {
        class: String,
        needs_amount: bool,
    },
    Cue(Cue),
}

/// Where in a word a variant may sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Affix {
    /// The whole word (or words).
    #[default]
    Word,
    /// The start of a word: "героин" in "героина".
    Prefix,
    /// The end of a word: "fentanyl" in "ortho-methylfentanyl".
    Suffix,
}

/// A dated reading: from `from` on, the terms of the era mean what the taxonomy says today; before it,
/// they name `earlier_class` (an M30-type name was a genuine 30 mg oxycodone tablet before counterfeits
/// pressed with fentanyl took the name over; "China White" was a heroin grade).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EraDef {
    pub id: String,
    /// The first day (UTC) of today's reading.
    pub from: chrono::NaiveDate,
    /// `from` at 00:00 UTC, in Unix seconds: listings dated before it get the earlier reading.
    pub from_unix: i64,
    pub earlier_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermDef {
    /// Canonical name, reported in every match.
    pub term: String,
    pub meaning: Meaning,
    pub langs: Vec<String>,
    /// The term itself first, then its variants, as written in the file.
    pub variants: Vec<String>,
    pub fuzzy: bool,
    pub affix: Affix,
    /// The id of the era whose start changes this term's meaning, if any.
    pub era: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalise {
    pub separators: Vec<char>,
    pub max_gap: usize,
    pub leetspeak: HashMap<char, Vec<char>>,
    pub fold: HashMap<char, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzyParams {
    pub min_len_distance_1: usize,
    pub min_len_distance_2: usize,
    pub exclusions: HashSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amounts {
    pub weight_units: HashSet<String>,
    pub count_units: HashSet<String>,
    pub count_prefixes: Vec<String>,
    pub max_count_digits: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negation {
    pub before: Vec<String>,
    pub fillers: HashSet<String>,
    pub after: HashSet<String>,
    pub free_offers: HashSet<String>,
}

/// A validated taxonomy, with its variants compiled for matching.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    version: String,
    classes: Vec<ClassDef>,
    class_index: HashMap<String, usize>,
    terms: Vec<TermDef>,
    eras: Vec<EraDef>,
    pub(crate) normalise: Normalise,
    pub(crate) fuzzy: FuzzyParams,
    pub(crate) amounts: Amounts,
    pub(crate) negation: Negation,
    pub(crate) index: Arc<TermIndex>,
}

impl Taxonomy {
    /// The taxonomy shipped in `data/taxonomy.toml`.
    pub fn embedded() -> &'static Taxonomy {
        &EMBEDDED
    }

    /// Parses and validates a taxonomy file.
    pub fn from_toml(text: &str) -> Result<Taxonomy, TaxonomyError> {
        let raw: RawTaxonomy =
            toml::from_str(text).map_err(|e| TaxonomyError::Toml(e.to_string()))?;
        raw.validate()
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn classes(&self) -> &[ClassDef] {
        &self.classes
    }

    pub fn terms(&self) -> &[TermDef] {
        &self.terms
    }

    /// The dated readings, in file order.
    pub fn eras(&self) -> &[EraDef] {
        &self.eras
    }

    pub fn class(&self, id: &str) -> Option<&ClassDef> {
        self.class_index.get(id).map(|&i| &self.classes[i])
    }

    /// Whether `class` is `ancestor` or nested under it ("fentanyl_pressed_pill" is an "opioid").
    pub fn is_a(&self, class: &str, ancestor: &str) -> bool {
        let mut current = self.class(class);
        // Validation rejects cycles; the bound only guards against a taxonomy built some other way.
        for _ in 0..=self.classes.len() {
            match current {
                Some(c) if c.id == ancestor => return true,
                Some(c) => current = c.parent.as_deref().and_then(|p| self.class(p)),
                None => return false,
            }
        }
        false
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    version: String,
    normalise: RawNormalise,
    fuzzy: RawFuzzy,
    amounts: RawAmounts,
    negation: RawNegation,
    #[serde(rename = "class", default)]
    classes: Vec<RawClass>,
    #[serde(rename = "term", default)]
    terms: Vec<RawTerm>,
    #[serde(rename = "era", default)]
    eras: Vec<RawEra>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEra {
    id: String,
    from: String,
    earlier_class: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNormalise {
    separators: String,
    max_gap: usize,
    leetspeak: BTreeMap<String, String>,
    fold: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFuzzy {
    min_len_distance_1: usize,
    min_len_distance_2: usize,
    #[serde(default)]
    exclusions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmounts {
    weight_units: Vec<String>,
    count_units: Vec<String>,
    count_prefixes: Vec<String>,
    max_count_digits: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNegation {
    before: Vec<String>,
    fillers: Vec<String>,
    after: Vec<String>,
    free_offers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    id: String,
    label: String,
    group: ClassGroup,
    parent: Option<String>,
    harm_rank: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    term: String,
    class: Option<String>,
    cue: Option<String>,
    lang: Vec<String>,
    #[serde(default)]
    variants: Vec<String>,
    #[serde(default)]
    fuzzy: bool,
    #[serde(default, rename = "match")]
    affix: Affix,
    #[serde(default)]
    needs_amount: bool,
    era: Option<String>,
}

fn single_char(key: &str, what: &str) -> Result<char, TaxonomyError> {
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(TaxonomyError::Invalid(format!(
            "{what} key {key:?} must be one character"
        ))),
    }
}

fn lower_set(words: Vec<String>) -> HashSet<String> {
    words.into_iter().map(|w| w.to_lowercase()).collect()
}

impl RawTaxonomy {
    fn validate(self) -> Result<Taxonomy, TaxonomyError> {
        if self.version.trim().is_empty() {
            return Err(TaxonomyError::EmptyVersion);
        }
        let mut class_index = HashMap::new();
        let classes: Vec<ClassDef> = self
            .classes
            .into_iter()
            .map(|c| ClassDef {
                id: c.id,
                label: c.label,
                group: c.group,
                parent: c.parent,
                harm_rank: c.harm_rank,
            })
            .collect();
        for (i, c) in classes.iter().enumerate() {
            if class_index.insert(c.id.clone(), i).is_some() {
                return Err(TaxonomyError::DuplicateClass(c.id.clone()));
            }
        }
        for c in &classes {
            let mut seen = HashSet::new();
            let mut parent = c.parent.clone();
            while let Some(p) = parent {
                let Some(&pi) = class_index.get(&p) else {
                    return Err(TaxonomyError::UnknownParent {
                        class: c.id.clone(),
                        parent: p,
                    });
                };
                if p == c.id || !seen.insert(p) {
                    return Err(TaxonomyError::ParentCycle(c.id.clone()));
                }
                parent = classes[pi].parent.clone();
            }
        }
        for needed in RULE_CLASSES {
            if !class_index.contains_key(*needed) {
                return Err(TaxonomyError::MissingRuleClass((*needed).to_string()));
            }
        }

        let mut eras: Vec<EraDef> = Vec::with_capacity(self.eras.len());
        for e in self.eras {
            if eras.iter().any(|known| known.id == e.id) {
                return Err(TaxonomyError::DuplicateEra(e.id));
            }
            let from_unix = chrono::NaiveDate::parse_from_str(e.from.trim(), "%Y-%m-%d")
                .ok()
                .and_then(|d| Some((d, d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())));
            let Some((from, from_unix)) = from_unix else {
                return Err(TaxonomyError::EraDate {
                    era: e.id,
                    date: e.from,
                });
            };
            if !class_index.contains_key(&e.earlier_class) {
                return Err(TaxonomyError::EraClass {
                    era: e.id,
                    class: e.earlier_class,
                });
            }
            eras.push(EraDef {
                id: e.id,
                from,
                from_unix,
                earlier_class: e.earlier_class,
            });
        }

        let mut terms = Vec::with_capacity(self.terms.len());
        for t in self.terms {
            let meaning = match (t.class, t.cue) {
                (Some(class), None) => {
                    if !class_index.contains_key(&class) {
                        return Err(TaxonomyError::UnknownClass {
                            term: t.term,
                            class,
                        });
                    }
                    Meaning::Names {
                        class,
                        needs_amount: t.needs_amount,
                    }
                }
                (None, Some(cue)) => match Cue::parse(&cue) {
                    Some(cue) => Meaning::Cue(cue),
                    None => return Err(TaxonomyError::UnknownCue { term: t.term, cue }),
                },
                _ => return Err(TaxonomyError::ClassOrCue { term: t.term }),
            };
            if t.lang.is_empty() {
                return Err(TaxonomyError::NoLanguage(t.term));
            }
            if let Some(era) = &t.era {
                if !eras.iter().any(|e| &e.id == era) {
                    return Err(TaxonomyError::UnknownEra {
                        term: t.term,
                        era: era.clone(),
                    });
                }
                // Only these meanings have an earlier reading the rules know how to apply.
                if !matches!(
                    meaning,
                    Meaning::Names { .. } | Meaning::Cue(Cue::FentanylPill)
                ) {
                    return Err(TaxonomyError::EraOnCue { term: t.term });
                }
            }
            let mut variants = vec![t.term.clone()];
            variants.extend(t.variants);
            terms.push(TermDef {
                term: t.term,
                meaning,
                langs: t.lang,
                variants,
                fuzzy: t.fuzzy,
                affix: t.affix,
                era: t.era,
            });
        }

        let mut leetspeak = HashMap::new();
        for (k, v) in self.normalise.leetspeak {
            let letters: Vec<char> = v.chars().collect();
            if letters.is_empty() {
                return Err(TaxonomyError::Invalid(format!(
                    "leetspeak {k:?} maps to nothing"
                )));
            }
            leetspeak.insert(single_char(&k, "leetspeak")?, letters);
        }
        let mut fold = HashMap::new();
        for (k, v) in self.normalise.fold {
            fold.insert(single_char(&k, "fold")?, v);
        }
        let normalise = Normalise {
            separators: self.normalise.separators.chars().collect(),
            max_gap: self.normalise.max_gap,
            leetspeak,
            fold,
        };
        if self.fuzzy.min_len_distance_1 < 3
            || self.fuzzy.min_len_distance_2 <= self.fuzzy.min_len_distance_1
        {
            return Err(TaxonomyError::Invalid(
                "fuzzy lengths must satisfy 3 <= min_len_distance_1 < min_len_distance_2".into(),
            ));
        }
        let mut taxonomy = Taxonomy {
            version: self.version,
            classes,
            class_index,
            terms,
            eras,
            normalise,
            fuzzy: FuzzyParams {
                min_len_distance_1: self.fuzzy.min_len_distance_1,
                min_len_distance_2: self.fuzzy.min_len_distance_2,
                exclusions: lower_set(self.fuzzy.exclusions),
            },
            amounts: Amounts {
                weight_units: lower_set(self.amounts.weight_units),
                count_units: lower_set(self.amounts.count_units),
                count_prefixes: self
                    .amounts
                    .count_prefixes
                    .into_iter()
                    .map(|p| p.to_lowercase())
                    .collect(),
                max_count_digits: self.amounts.max_count_digits,
            },
            negation: Negation {
                before: self
                    .negation
                    .before
                    .into_iter()
                    .map(|p| p.to_lowercase())
                    .collect(),
                fillers: lower_set(self.negation.fillers),
                after: lower_set(self.negation.after),
                free_offers: lower_set(self.negation.free_offers),
            },
            index: Arc::new(TermIndex::empty()),
        };
        // Compiling the matcher checks the variants: empty keys and keys shared by two terms fail.
        taxonomy.index = Arc::new(TermIndex::build(&taxonomy)?);
        Ok(taxonomy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_taxonomy_parses() {
        let t = Taxonomy::embedded();
        assert!(!t.version().is_empty());
        assert!(t.is_a("fentanyl_pressed_pill", "opioid"));
        assert!(t.is_a("heroin", "opioid"));
        assert!(!t.is_a("cocaine", "opioid"));
        assert!(t.is_a("counterfeit_document", "counterfeit"));
        assert_eq!(
            t.class("weapon").map(|c| c.group),
            Some(ClassGroup::NonDrug)
        );
    }

    #[test]
    fn the_languages_of_the_top_classes_are_covered() {
        let t = Taxonomy::embedded();
        for class in [
            "fentanyl",
            "heroin",
            "cocaine",
            "meth",
            "amphetamine",
            "mdma",
            "cannabis",
            "oxycodone",
            "benzodiazepine",
        ] {
            let langs: HashSet<&str> = t
                .terms()
                .iter()
                .filter(
                    |term| matches!(&term.meaning, Meaning::Names { class: c, .. } if c == class),
                )
                .flat_map(|term| term.langs.iter().map(String::as_str))
                .collect();
            for lang in ["en", "de", "nl", "fr", "es", "ru"] {
                assert!(
                    langs.contains(lang) || has_cyrillic_variant(t, class) && lang == "ru",
                    "{class} lacks {lang}: {langs:?}"
                );
            }
        }
    }

    fn has_cyrillic_variant(t: &Taxonomy, class: &str) -> bool {
        t.terms().iter().any(|term| {
            matches!(&term.meaning, Meaning::Names { class: c, .. } if c == class)
                && term
                    .variants
                    .iter()
                    .any(|v| v.chars().any(|ch| ('\u{0400}'..='\u{04FF}').contains(&ch)))
        })
    }

    fn minimal(extra: &str) -> String {
        format!(
            r#"version = "t1"
[normalise]
separators = " -"
max_gap = 3
leetspeak = {{ "0" = "o" }}
fold = {{}}
[fuzzy]
min_len_distance_1 = 6
min_len_distance_2 = 10
[amounts]
weight_units = ["g"]
count_units = ["x"]
count_prefixes = ["x"]
max_count_digits = 4
[negation]
before = ["no"]
fillers = []
after = ["free"]
free_offers = []
[[class]]
id = "fentanyl"
label = "F"
group = "drug"
harm_rank = 1
[[class]]
id = "fentanyl_pressed_pill"
label = "FP"
group = "drug"
parent = "fentanyl"
harm_rank = 0
[[class]]
id = "oxycodone"
label = "O"
group = "drug"
harm_rank = 2
[[class]]
id = "mdma"
label = "M"
group = "drug"
harm_rank = 3
[[class]]
id = "cannabis"
label = "C"
group = "drug"
harm_rank = 4
{extra}"#
        )
    }

    #[test]
    fn a_user_taxonomy_loads_and_bad_ones_say_why() {
        let ok = Taxonomy::from_toml(&minimal(
            "[[term]]\nterm = \"fent\"\nclass = \"fentanyl\"\nlang = [\"en\"]\n",
        ));
        assert_eq!(ok.map(|t| t.version().to_string()), Ok("t1".to_string()));

        let cases = [
            (
                "[[term]]\nterm = \"x\"\nclass = \"nope\"\nlang = [\"en\"]\n",
                "unknown class",
            ),
            (
                "[[term]]\nterm = \"x\"\ncue = \"nope\"\nlang = [\"en\"]\n",
                "unknown cue",
            ),
            (
                "[[term]]\nterm = \"x\"\nclass = \"mdma\"\ncue = \"pressed\"\nlang = [\"en\"]\n",
                "exactly one",
            ),
            (
                "[[term]]\nterm = \"x\"\nclass = \"mdma\"\nlang = []\n",
                "no language",
            ),
            (
                "[[term]]\nterm = \"--\"\nclass = \"mdma\"\nlang = [\"en\"]\n",
                "no letters",
            ),
            (
                "[[term]]\nterm = \"ab\"\nclass = \"mdma\"\nlang = [\"en\"]\n[[term]]\nterm = \"a b\"\nclass = \"cannabis\"\nlang = [\"en\"]\n",
                "belongs to both",
            ),
            (
                "[[class]]\nid = \"x\"\nlabel = \"X\"\ngroup = \"drug\"\nparent = \"y\"\nharm_rank = 9\n",
                "unknown parent",
            ),
            (
                "[[class]]\nid = \"x\"\nlabel = \"X\"\ngroup = \"drug\"\nparent = \"x\"\nharm_rank = 9\n",
                "own ancestor",
            ),
        ];
        for (extra, expected) in cases {
            let err = Taxonomy::from_toml(&minimal(extra))
                .map(|_| ())
                .unwrap_err();
            assert!(err.to_string().contains(expected), "{extra}: {err}");
        }
        let era = "[[era]]\nid = \"e\"\nfrom = \"2015-01-01\"\nearlier_class = \"mdma\"\n";
        for (extra, expected) in [
            (
                format!(
                    "{era}[[term]]\nterm = \"x\"\nclass = \"fentanyl\"\nlang = [\"en\"]\nera = \"nope\"\n"
                ),
                "unknown era",
            ),
            (
                format!(
                    "{era}[[term]]\nterm = \"x\"\ncue = \"pressed\"\nlang = [\"en\"]\nera = \"e\"\n"
                ),
                "neither a class name",
            ),
            (era.replace("2015-01-01", "2015-13-01"), "no YYYY-MM-DD"),
            (era.replace("\"mdma\"", "\"nope\""), "unknown earlier class"),
            (format!("{era}{era}"), "defined twice"),
        ] {
            let err = Taxonomy::from_toml(&minimal(&extra))
                .map(|_| ())
                .unwrap_err();
            assert!(err.to_string().contains(expected), "{extra}: {err}");
        }
        let eras = Taxonomy::embedded().eras();
        assert!(
            eras.iter()
                .any(|e| e.id == "counterfeit_m30" && e.from_unix == 1_420_070_400)
        );
        let no_rule_class = minimal("").replace("id = \"mdma\"", "id = \"ecstasy\"");
        assert_eq!(
            Taxonomy::from_toml(&no_rule_class).map(|_| ()),
            Err(TaxonomyError::MissingRuleClass("mdma".into()))
        );
        assert!(matches!(
            Taxonomy::from_toml("version = 3"),
            Err(TaxonomyError::Toml(_))
        ));
    }
}
