//! A thin keyword classifier for listings: what drug class a listing sells, and the three flags
//! investigators prioritise on (fentanyl, counterfeit pills, products aimed at teenagers).
//!
//! All vocabulary sits in `TERMS`, one row per term, so that the later taxonomy-as-data can replace
//! the table without touching the rules. Matching is case-insensitive on whole words.
//!
//! Decisions worth knowing when reading the output:
//! - The class comes from the title when the title names anything; the description is used only for
//!   titles that name nothing, because descriptions compare products ("better than the fetty on other
//!   markets"). The fentanyl, counterfeit and youth flags read both fields: a heroin listing whose
//!   description says "cut with fent" is a heroin listing that carries fentanyl.
//! - Negated mentions ("no fent", "not pressed", "fentanyl-free", "0% fentanyl") are reported with
//!   `negated: true` and count for nothing.
//! - Fentanyl test strips, reagent kits and naloxone are harm-reduction items: class `harm_reduction`,
//!   and no fentanyl flag even when the description explains what the strips detect. A listing that
//!   also names a drug in its title ("M30s + free test strip") is classified by the drug.
//! - An M30-type pill ("M30", "blues", "perc 30", "oxy 30", "M box 30", "A215") is a counterfeit pill
//!   carrying fentanyl; "pressed", or fentanyl sold as pills/tabs, also makes a counterfeit pill.
//!   "Pressed" ecstasy is not counterfeit: ecstasy pills are always pressed.
//! - "rainbow"/"skittles"/"multicolor" mark youth appeal on pills and hard drugs, not on cannabis
//!   strains ("Rainbow Kush", "Skittlez") nor on non-drug goods. Candy-coloured pills that name no
//!   other drug ("Skittles 100 pcs"), or only an oxycodone brand ("Rainbow Percs"), are taken for the
//!   pressed fentanyl pills public warnings describe: no pharmacy makes rainbow oxycodone.
//! - Street names that are also ordinary words ("Boy", "Apache", "Ice", "Tesla", "Gelato") name a
//!   class only in a title that sizes an amount ("Boy 7g", "20 pcs Tesla"), never in descriptions,
//!   and only when no plain drug name is there; "K9" counts only with its 30 mg strength, since
//!   "K9-proof packaging" is a shipping claim.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// What a listing is, as far as its words tell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductClass {
    /// fentanyl, fentanyl_pressed_pill, nitazene, heroin, oxycodone, meth, cocaine, benzodiazepine,
    /// mdma, cannabis, harm_reduction, non_drug; `None` when no term matched.
    pub class: Option<&'static str>,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermMatch {
    /// The table's canonical name of the term ("m30" for "M-30s").
    pub term: &'static str,
    pub field: TextField,
    /// Byte offsets in that field.
    pub start: usize,
    pub end: usize,
    /// Written as absent: "no fent", "fentanyl-free".
    pub negated: bool,
}

/// What a term says about the listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// Names a drug class.
    Drug(&'static str),
    /// A street name that means a drug class only in a title that also gives an amount ("Boy 7g",
    /// "1g Apache", "20 pcs Tesla"), and only when no plain drug name is there.
    StreetName(&'static str),
    /// An amount by weight ("3.5g", "1 oz", "8ball").
    Quantity,
    /// An M30-type counterfeit pill, which in this trade means fentanyl.
    FentanylPill,
    /// "pressed": a counterfeit of a pharmaceutical pill.
    Pressed,
    /// Sold as pills or tablets, or counted in pieces ("x100", "20 pcs").
    PillForm,
    YouthAppeal,
    HarmReduction,
    NonDrug,
}

struct Term {
    term: &'static str,
    /// Regex fragment, matched case-insensitively between word boundaries.
    pattern: &'static str,
    cue: Cue,
}

const fn term(term: &'static str, pattern: &'static str, cue: Cue) -> Term {
    Term { term, pattern, cue }
}

use Cue::*;

/// The vocabulary. Where two rows can match at the same position, the longer phrase must come first
/// ("fentanyl test strips" before "fentanyl", "crystal meth" before the street name "crystal"): the
/// first row that matches wins.
const TERMS: &[Term] = &[
    // Harm reduction first: its phrases contain drug names.
    term(
        "fentanyl test strips",
        r"(?:fent(?:anyl)?|fetty)[\s-]*test(?:ing)?[\s-]*(?:strips?|kits?)",
        HarmReduction,
    ),
    term("test strips", r"test(?:ing)?[\s-]*strips?", HarmReduction),
    term(
        "reagent test",
        r"reagent(?:s|[\s-]*(?:tests?|kits?))?",
        HarmReduction,
    ),
    term("naloxone", r"naloxone|narcan", HarmReduction),
    // Counterfeit pills that in this trade carry fentanyl.
    term(
        "m box 30",
        r"m[\s-]*box(?:es)?[\s-]*30(?:\s*mg)?s?",
        FentanylPill,
    ),
    term("m30", r"m[\s-]?30(?:\s*mg)?s?", FentanylPill),
    term("perc 30", r"percs?[\s-]?30(?:\s*mg)?s?", FentanylPill),
    term("oxy 30", r"r?oxys?[\s-]?30(?:\s*mg)?s?", FentanylPill),
    term("a215", r"a[\s-]?215s?", FentanylPill),
    // "K9" alone is as often "K9-proof packaging"; with the 30 mg strength it is the pill.
    term("k9 30", r"k[\s-]?9s?[\s-]+30(?:\s*mg)?s?", FentanylPill),
    term("blues", r"blues", FentanylPill),
    term("pressed", r"pressed|pressies", Pressed),
    // Fentanyl and analogues.
    term(
        "carfentanil",
        r"carfentan[iy]l|carfent|wildnil",
        Drug("fentanyl"),
    ),
    term(
        "fentanyl analogue",
        r"(?:acetyl|acryl|butyr|furanyl|valeryl|cyclopropyl|methoxyacetyl|(?:para|p|4)-?fluoro(?:isobutyr)?|fluoro|ocfent)[\s-]?fentan[iy]l|(?:su|al|remi|oc)fentanil",
        Drug("fentanyl"),
    ),
    term("fentanyl", r"fentan[iy]le?s?", Drug("fentanyl")),
    term("fent", r"fent", Drug("fentanyl")),
    term("fetty", r"fett?y", Drug("fentanyl")),
    term("fenty", r"fenty", Drug("fentanyl")),
    term("china white", r"china[\s-]*white", Drug("fentanyl")),
    term(
        "tango & cash",
        r"tango\s*(?:&|and|n)\s*cash",
        Drug("fentanyl"),
    ),
    term("sublimaze", r"sublimaze", Drug("fentanyl")),
    term("duragesic", r"duragesic", Drug("fentanyl")),
    term("actiq", r"actiq", Drug("fentanyl")),
    term("nitazene", r"[a-z]*nitazenes?", Drug("nitazene")),
    // Other opioids.
    term(
        "heroin",
        r"heroine?|diamorphine|black[\s-]*tar|afghan[\s-]*brown|brown[\s-]*sugar",
        Drug("heroin"),
    ),
    term(
        "oxycodone",
        r"oxycodone|oxycontin|roxicodone|roxys?|percocets?|percs?|oxys?",
        Drug("oxycodone"),
    ),
    // Stimulants.
    term(
        "meth",
        r"(?:crystal[\s-]*)?meth(?:amphetamine)?",
        Drug("meth"),
    ),
    term(
        "cocaine",
        r"cocaine|coca[ií]na|kokain|coke|crack|fish[\s-]?scale",
        Drug("cocaine"),
    ),
    // Benzodiazepines.
    term("xanax bars", r"xanax[\s-]*bars?", Drug("benzodiazepine")),
    term(
        "benzodiazepine",
        r"benzos?|benzodiazepines?|xanax|alprazolam|valium|diazepam|clonazepam|klonopin|etizolam|bromazolam|flualprazolam|lorazepam|ativan|g[\s-]?3722|s[\s-]?903|footballs",
        Drug("benzodiazepine"),
    ),
    term("mdma", r"mdma|ecstasy|xtc|molly|mandy", Drug("mdma")),
    term(
        "cannabis",
        r"cannabis|marihuana|marijuana|weed|kush|haze|skunk|hash(?:ish)?|thc|sativa|indica|shatter|pre[\s-]?rolls?|zkittlez",
        Drug("cannabis"),
    ),
    // Form, amount and appeal.
    term(
        "pills",
        r"pills?|tabs?|tablets?|x\d{1,4}|\d{1,4}\s*x|\d{1,4}\s*(?:pcs|pieces)",
        PillForm,
    ),
    term(
        "quantity",
        r"\d+(?:[.,]\d+)?\s*(?:g|gr|grams?|kg|kilos?|oz|ounces?|lbs?|mg|mcg|ug|µg)|8[\s-]?ball|teenth|qp",
        Quantity,
    ),
    term(
        "rainbow",
        r"rainbows?|multi[\s-]?colou?r(?:ed)?",
        YouthAppeal,
    ),
    term("skittles", r"skittles", YouthAppeal),
    // Goods that are not drugs.
    term(
        "documents",
        r"passports?|fake[\s-]*ids?|id[\s-]*cards?|driver'?s?[\s-]*licen[cs]es?|counterfeit[\s-]*(?:bills|notes|money|banknotes|documents)|documents?|templates?",
        NonDrug,
    ),
    term(
        "fraud data",
        r"fullz|cvvs?|dumps|bank[\s-]*logs?|ssn|credit[\s-]*cards?|gift[\s-]*cards?|accounts|tutorials?|ebooks?|guides?",
        NonDrug,
    ),
    // Street names last, so that a plain name sharing their words wins ("crystal meth").
    term(
        "street fentanyl",
        r"apache|tnt|dance[\s-]*fever|goodfellas?|china[\s-]*girl|murder[\s-]*8",
        StreetName("fentanyl"),
    ),
    term(
        "street heroin",
        r"boy|dope|brown|smack|h",
        StreetName("heroin"),
    ),
    term(
        "street meth",
        r"ice|glass|shards?|tina|crystal|crank",
        StreetName("meth"),
    ),
    term(
        "street cocaine",
        r"(?:bolivian|peruvian|colombian)?[\s-]*flake|blow|snow|yayo",
        StreetName("cocaine"),
    ),
    term(
        "street mdma",
        r"tesla|punisher|champagne",
        StreetName("mdma"),
    ),
    term(
        "street benzodiazepine",
        r"(?:yellow[\s-]*)?school[\s-]*bus(?:es)?|(?:green[\s-]*)?hulks?|bars",
        StreetName("benzodiazepine"),
    ),
    term(
        "cannabis strain",
        r"girl[\s-]*scout[\s-]*cookies|gelato|wedding[\s-]*cake|runtz|gorilla[\s-]*glue|white[\s-]*widow|northern[\s-]*lights|sour[\s-]*diesel|blue[\s-]*dream|pineapple[\s-]*express|buds?|flowers?",
        StreetName("cannabis"),
    ),
];

/// Highest harm first: a listing naming two drugs takes the more harmful class.
const DRUG_PRIORITY: &[&str] = &[
    "fentanyl",
    "nitazene",
    "heroin",
    "oxycodone",
    "meth",
    "cocaine",
    "benzodiazepine",
    "mdma",
    "cannabis",
];

/// All terms in one pass; which row matched is then asked of [`ROWS`] on the matched text only,
/// which is several times faster than capture groups over the whole description.
static VOCABULARY: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = TERMS.iter().map(|t| format!("(?:{})", t.pattern)).collect();
    let pattern = format!(r"(?i)\b(?:{})\b", alternatives.join("|"));
    Regex::new(&pattern).expect("the term table compiles")
});
/// Each row anchored to a whole match. The first row matching the text `VOCABULARY` found is the row
/// the leftmost-first search chose: an earlier row matching the same text would have been chosen.
static ROWS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(TERMS.iter().map(|t| format!(r"(?i)^(?:{})$", t.pattern)))
        .expect("the term table compiles")
});

/// Written absence just before a term: "no fent", "not cut with fentanyl", "0% fent", "free of fent".
static NEGATION_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b(?:no|not|non|zero|without|never|nor|free\s+of)|\b0\s*%)(?:[\s:-]+(?:any|added|cut|with|traces?|of|real|in))*[\s:-]+$",
    )
    .expect("valid")
});
/// Written absence just after a term: "fent free", "fentanyl-free", but not "M30 free shipping".
static NEGATION_AFTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^[\s-]*free\b(?:[\s-]+([a-z]+))?").expect("valid"));
/// Words after "free" that make it a sales pitch rather than an absence.
const FREE_OFFERS: &[&str] = &[
    "bonus", "delivery", "express", "gift", "reship", "reships", "sample", "samples", "shipping",
    "stealth", "test", "testing", "tracking",
];

/// Classifies one listing from its title and description.
pub fn classify_listing(title: &str, description: Option<&str>) -> ProductClass {
    let mut matched = find_terms(title, TextField::Title);
    if let Some(description) = description {
        matched.extend(find_terms(description, TextField::Description));
    }
    // Street names are read in titles only: descriptions are long enough to say "ice" or "snow".
    let cues_in = |field: Option<TextField>| -> Vec<Cue> {
        matched
            .iter()
            .filter(|m| !m.negated && field.is_none_or(|f| m.field == f))
            .map(|m| (m.field, cue_of(m.term)))
            .filter(|(f, cue)| *f == TextField::Title || !matches!(cue, StreetName(_)))
            .map(|(_, cue)| cue)
            .collect()
    };
    let title_cues = cues_in(Some(TextField::Title));
    let all_cues = cues_in(None);

    let class = class_of(&title_cues).or_else(|| class_of(&all_cues));
    let has = |cue: Cue| all_cues.contains(&cue);
    let fentanyl_term = has(Drug("fentanyl"));
    let fentanyl_pill = has(FentanylPill);
    let pill_form = has(PillForm);

    let mut result = ProductClass {
        class,
        matched,
        ..ProductClass::default()
    };
    if class == Some("harm_reduction") {
        return result;
    }
    let fentanyl_class = matches!(class, Some("fentanyl" | "fentanyl_pressed_pill"));
    result.fentanyl = fentanyl_pill || fentanyl_term || fentanyl_class;
    result.counterfeit_pill = fentanyl_pill
        || class == Some("fentanyl_pressed_pill")
        || (has(Pressed) && class != Some("mdma"))
        || (fentanyl_term && pill_form);
    let hard_drug = class.is_some_and(|c| !matches!(c, "cannabis" | "non_drug"));
    result.youth_appeal = has(YouthAppeal)
        && class != Some("cannabis")
        && class != Some("non_drug")
        && (hard_drug || pill_form || result.counterfeit_pill);
    result
}

fn find_terms(text: &str, field: TextField) -> Vec<TermMatch> {
    VOCABULARY
        .find_iter(text)
        .filter_map(|whole| {
            let row = &TERMS[ROWS.matches(whole.as_str()).into_iter().next()?];
            // Amounts and pill counts are not claims that can be denied; skipping them saves most
            // of the negation look-ups in long descriptions.
            let deniable = !matches!(row.cue, Quantity | PillForm);
            Some(TermMatch {
                term: row.term,
                field,
                start: whole.start(),
                end: whole.end(),
                negated: deniable && is_negated(text, whole.start(), whole.end()),
            })
        })
        .collect()
}

fn is_negated(text: &str, start: usize, end: usize) -> bool {
    // A short window is enough for the phrasings above and keeps the look-behind O(1) per match.
    let mut from = start.saturating_sub(40);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (end + 24).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    if NEGATION_BEFORE.is_match(&text[from..start]) {
        return true;
    }
    NEGATION_AFTER.captures(&text[end..to]).is_some_and(|caps| {
        let next_word = caps.get(1).map(|m| m.as_str().to_ascii_lowercase());
        !next_word.is_some_and(|w| FREE_OFFERS.contains(&w.as_str()))
    })
}

fn cue_of(term_name: &str) -> Cue {
    TERMS
        .iter()
        .find(|t| t.term == term_name)
        .map(|t| t.cue)
        .expect("matched terms come from the table")
}

fn class_of(cues: &[Cue]) -> Option<&'static str> {
    let named: Vec<&'static str> = cues
        .iter()
        .filter_map(|cue| match cue {
            Drug(drug) => Some(*drug),
            _ => None,
        })
        .collect();
    let drugs = if named.is_empty() {
        street_names(cues)
    } else {
        named
    };
    let pill = cues.contains(&PillForm) || cues.contains(&Pressed);
    // No pharmacy makes rainbow oxycodone: candy-coloured pills that name no other drug, or only an
    // oxycodone brand ("Rainbow Percs"), are the pressed fentanyl pills sold to teenagers.
    let candy_opioid_pills = cues.contains(&YouthAppeal)
        && drugs.iter().all(|d| *d == "oxycodone")
        && (pill || !drugs.is_empty());
    if cues.contains(&FentanylPill) || (drugs.contains(&"fentanyl") && pill) || candy_opioid_pills {
        return Some("fentanyl_pressed_pill");
    }
    if let Some(drug) = DRUG_PRIORITY.iter().find(|d| drugs.contains(d)) {
        return Some(drug);
    }
    if cues.contains(&HarmReduction) {
        return Some("harm_reduction");
    }
    if cues.contains(&NonDrug) {
        return Some("non_drug");
    }
    None
}

/// The classes street names stand for, when the text sizes an amount and sells no non-drug goods.
fn street_names(cues: &[Cue]) -> Vec<&'static str> {
    let sized = cues.contains(&Quantity) || cues.contains(&PillForm);
    if !sized || cues.contains(&NonDrug) {
        return Vec::new();
    }
    cues.iter()
        .filter_map(|cue| match cue {
            StreetName(drug) => Some(*drug),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(title: &str) -> Option<&'static str> {
        classify_listing(title, None).class
    }

    #[test]
    fn fentanyl_powder_and_analogues() {
        for title in [
            "Fentanyl HCl 98% 1g",
            "FENT powder - 5g",
            "Fetty 1g stealth",
            "China White 3.5g",
            "Carfentanil 0.1g",
            "Acetylfentanyl 1g",
            "para-fluorofentanyl 2g",
        ] {
            let c = classify_listing(title, None);
            assert_eq!(c.class, Some("fentanyl"), "{title}");
            assert!(c.fentanyl && !c.counterfeit_pill, "{title}");
        }
    }

    #[test]
    fn m30_type_pills_are_counterfeit_fentanyl() {
        for title in [
            "100x M30 blues",
            "M-30s pressed x50",
            "Perc 30s (blue) USA domestic",
            "Oxy 30 x100",
            "Roxy 30mg M box 30",
            "A215 pills 50pcs",
            "Fentanyl pills x100",
        ] {
            let c = classify_listing(title, None);
            assert_eq!(c.class, Some("fentanyl_pressed_pill"), "{title}");
            assert!(c.fentanyl && c.counterfeit_pill, "{title}");
        }
    }

    #[test]
    fn rainbow_pills_appeal_to_youth_but_strains_do_not() {
        let c = classify_listing("Rainbow M30s - skittles", None);
        assert!(c.youth_appeal && c.fentanyl && c.counterfeit_pill);
        assert!(classify_listing("Rainbow fentanyl pills x20", None).youth_appeal);
        let weed = classify_listing("Rainbow Kush 28g", None);
        assert_eq!(weed.class, Some("cannabis"));
        assert!(!weed.youth_appeal);
        assert!(!classify_listing("Rainbow Six account", None).youth_appeal);
    }

    #[test]
    fn other_drug_classes() {
        assert_eq!(class("Afghan Heroin #4 10g"), Some("heroin"));
        assert_eq!(class("Black tar 1g"), Some("heroin"));
        assert_eq!(class("Oxycodone 10mg pharma x30"), Some("oxycodone"));
        assert_eq!(class("Crystal Meth shards 7g"), Some("meth"));
        assert_eq!(class("Peruvian cocaine 90% - 3.5g"), Some("cocaine"));
        assert_eq!(class("Xanax bars G3722 x100"), Some("benzodiazepine"));
        assert_eq!(class("MDMA crystal 84%"), Some("mdma"));
        assert_eq!(class("Amnesia Haze 1oz"), Some("cannabis"));
        assert_eq!(class("Isotonitazene 1g"), Some("nitazene"));
        assert_eq!(class("Fake passport (EU) + ID card"), Some("non_drug"));
        assert_eq!(class("Fullz USA x10 with SSN"), Some("non_drug"));
    }

    #[test]
    fn harm_reduction_items_are_not_fentanyl() {
        let c = classify_listing(
            "Fentanyl test strips x10",
            Some("Test your pills and powders for fentanyl before use."),
        );
        assert_eq!(c.class, Some("harm_reduction"));
        assert!(!c.fentanyl && !c.counterfeit_pill);
        assert_eq!(class("Narcan nasal spray"), Some("harm_reduction"));
        // A drug in the title still decides.
        assert_eq!(
            class("M30 x100 + free test strip"),
            Some("fentanyl_pressed_pill")
        );
        assert!(classify_listing("M30 free shipping", None).fentanyl);
    }

    #[test]
    fn negations_count_for_nothing() {
        let c = classify_listing("Heroin #3, no fent", Some("100% fentanyl-free, tested"));
        assert_eq!(c.class, Some("heroin"));
        assert!(!c.fentanyl);
        assert_eq!(c.matched.iter().filter(|m| m.negated).count(), 2);
        let c = classify_listing("Real pharma Xanax, not pressed", None);
        assert!(!c.counterfeit_pill);
    }

    #[test]
    fn description_sets_flags_but_title_sets_class() {
        let c = classify_listing(
            "Brown heroin 5g",
            Some("our H is cut with fent for strength"),
        );
        assert_eq!(c.class, Some("heroin"));
        assert!(c.fentanyl);
        let c = classify_listing("Special offer", Some("blues, pressed in the USA"));
        assert_eq!(c.class, Some("fentanyl_pressed_pill"));
    }

    #[test]
    fn word_boundaries_and_case() {
        assert_eq!(class("Methylone 10g"), None);
        assert_eq!(class("Clothing with fentastic prints"), None);
        assert_eq!(class("SHATTER 1G"), Some("cannabis"));
        assert_eq!(class("Ecstasy pressed pills x10"), Some("mdma"));
        assert!(!classify_listing("Ecstasy pressed pills x10", None).counterfeit_pill);
        assert_eq!(class(""), None);
    }

    #[test]
    fn street_names_need_a_title_with_an_amount() {
        assert_eq!(class("[USA] Boy 7g | no fent"), Some("heroin"));
        assert_eq!(class("1g Apache pharma grade"), Some("fentanyl"));
        assert!(classify_listing("1g Apache pharma grade", None).fentanyl);
        assert_eq!(class("[USA] Ice 0.5g | big shards"), Some("meth"));
        assert_eq!(class("bolivian flake - 7g - pure fire"), Some("cocaine"));
        assert_eq!(class("x10 Tesla lab tested"), Some("mdma"));
        assert_eq!(
            class("YELLOW SCHOOL BUS - x10 - 2mg"),
            Some("benzodiazepine")
        );
        assert_eq!(
            class("★ 7 gram Girl Scout Cookies ★ top shelf"),
            Some("cannabis")
        );
        // Without an amount, or next to a plain drug name, or in a description, they say nothing.
        assert_eq!(class("Apache web server exploit"), None);
        assert_eq!(class("Ice cream vouchers x10 gift cards"), Some("non_drug"));
        assert_eq!(class("Cocaine 3.5g, ships in 24 h"), Some("cocaine"));
        assert_eq!(
            classify_listing("Special offer", Some("snow 10g, dope stealth")).class,
            None
        );
    }

    #[test]
    fn the_m30_family_with_strengths_and_colours() {
        for title in [
            "oxy 30mg - 25x - hit hard",
            "[AU] K9 30mg x20 | no crumbling",
            "PERC 30S - 20 pcs",
        ] {
            let c = classify_listing(title, None);
            assert_eq!(c.class, Some("fentanyl_pressed_pill"), "{title}");
            assert!(c.fentanyl && c.counterfeit_pill, "{title}");
        }
        assert!(classify_listing("[DE] Multicolor M30 20x | strong", None).youth_appeal);
        for title in [
            "100 pcs skittles all colors",
            "Skittles (x25) strong",
            "Rainbow Percs x10",
            "Rainbow Percs",
        ] {
            let c = classify_listing(title, None);
            assert_eq!(c.class, Some("fentanyl_pressed_pill"), "{title}");
            assert!(
                c.fentanyl && c.counterfeit_pill && c.youth_appeal,
                "{title}"
            );
        }
        let mdma = classify_listing("Rainbow MDMA pills x10", None);
        assert_eq!(mdma.class, Some("mdma"));
        assert!(mdma.youth_appeal && !mdma.fentanyl);
        assert_eq!(class("Rainbow Kush 28g"), Some("cannabis"));
        assert_eq!(class("K9-proof vacuum bags x100"), None);
    }

    #[test]
    fn offsets_point_at_the_term() {
        let title = "Pure FENTANYL (HCl)";
        let c = classify_listing(title, None);
        let m = &c.matched[0];
        assert_eq!((m.term, &title[m.start..m.end]), ("fentanyl", "FENTANYL"));
    }

    #[test]
    fn every_table_row_is_reachable() {
        // A row shadowed by an earlier one could never match: catch it when the table is edited.
        let samples = [
            "fentanyl test strips",
            "test strips",
            "reagent",
            "narcan",
            "m box 30",
            "m30",
            "perc 30",
            "oxy 30",
            "a215",
            "k9 30mg",
            "blues",
            "pressed",
            "carfentanil",
            "acetylfentanyl",
            "fentanyl",
            "fent",
            "fetty",
            "fenty",
            "china white",
            "tango & cash",
            "sublimaze",
            "duragesic",
            "actiq",
            "protonitazene",
            "heroin",
            "oxycodone",
            "meth",
            "cocaine",
            "xanax bars",
            "valium",
            "mdma",
            "kush",
            "pills",
            "3.5g",
            "rainbow",
            "skittles",
            "passport",
            "fullz",
            "apache",
            "boy",
            "shards",
            "flake",
            "tesla",
            "school bus",
            "gelato",
        ];
        for (row, sample) in TERMS.iter().zip(samples) {
            let c = classify_listing(sample, None);
            assert_eq!(
                c.matched.first().map(|m| m.term),
                Some(row.term),
                "{sample}"
            );
        }
        assert_eq!(samples.len(), TERMS.len());
        let mut names: Vec<&str> = TERMS.iter().map(|t| t.term).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TERMS.len(), "term names identify rows");
    }
}
