use super::*;
use crate::taxonomy::Taxonomy;

fn class(title: &str) -> Option<String> {
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
        assert_eq!(c.class.as_deref(), Some("fentanyl"), "{title}");
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
        assert_eq!(c.class.as_deref(), Some("fentanyl_pressed_pill"), "{title}");
        assert!(c.fentanyl && c.counterfeit_pill, "{title}");
    }
}

#[test]
fn rainbow_pills_appeal_to_youth_but_strains_do_not() {
    let c = classify_listing("Rainbow M30s - skittles", None);
    assert!(c.youth_appeal && c.fentanyl && c.counterfeit_pill);
    assert!(classify_listing("Rainbow fentanyl pills x20", None).youth_appeal);
    let weed = classify_listing("Rainbow Kush 28g", None);
    assert_eq!(weed.class.as_deref(), Some("cannabis"));
    assert!(!weed.youth_appeal);
    assert!(!classify_listing("Rainbow Six account", None).youth_appeal);
}

#[test]
fn other_drug_classes() {
    assert_eq!(class("Afghan Heroin #4 10g").as_deref(), Some("heroin"));
    assert_eq!(class("Black tar 1g").as_deref(), Some("heroin"));
    assert_eq!(
        class("Oxycodone 10mg pharma x30").as_deref(),
        Some("oxycodone")
    );
    assert_eq!(class("Crystal Meth shards 7g").as_deref(), Some("meth"));
    assert_eq!(
        class("Peruvian cocaine 90% - 3.5g").as_deref(),
        Some("cocaine")
    );
    assert_eq!(
        class("Xanax bars G3722 x100").as_deref(),
        Some("benzodiazepine")
    );
    assert_eq!(class("MDMA crystal 84%").as_deref(), Some("mdma"));
    assert_eq!(class("Amnesia Haze 1oz").as_deref(), Some("cannabis"));
    assert_eq!(class("Isotonitazene 1g").as_deref(), Some("nitazene"));
    let c = classify_listing("Fake passport (EU) + ID card", None);
    assert_eq!(c.class.as_deref(), Some("counterfeit_document"));
    assert_eq!(c.group, Some(ClassGroup::NonDrug));
    let c = classify_listing("Fullz USA x10 with SSN", None);
    assert_eq!(c.class.as_deref(), Some("fraud_data"));
    assert_eq!(c.group, Some(ClassGroup::NonDrug));
}

#[test]
fn harm_reduction_items_are_not_fentanyl() {
    let c = classify_listing(
        "Fentanyl test strips x10",
        Some("Test your pills and powders for fentanyl before use."),
    );
    assert_eq!(c.class.as_deref(), Some("harm_reduction"));
    assert!(!c.fentanyl && !c.counterfeit_pill);
    assert_eq!(
        class("Narcan nasal spray").as_deref(),
        Some("harm_reduction")
    );
    // A drug in the title still decides.
    assert_eq!(
        class("M30 x100 + free test strip").as_deref(),
        Some("fentanyl_pressed_pill")
    );
    assert!(classify_listing("M30 free shipping", None).fentanyl);
}

#[test]
fn negations_count_for_nothing() {
    let c = classify_listing("Heroin #3, no fent", Some("100% fentanyl-free, tested"));
    assert_eq!(c.class.as_deref(), Some("heroin"));
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
    assert_eq!(c.class.as_deref(), Some("heroin"));
    assert!(c.fentanyl);
    let c = classify_listing("Special offer", Some("blues, pressed in the USA"));
    assert_eq!(c.class.as_deref(), Some("fentanyl_pressed_pill"));
}

#[test]
fn word_boundaries_and_case() {
    // "meth" is not read inside "methylone", a cathinone.
    let c = classify_listing("Methylone 10g", None);
    assert_eq!(c.class.as_deref(), Some("cathinone"));
    assert!(c.matched.iter().all(|m| m.term != "methamphetamine"));
    assert_eq!(class("Clothing with fentastic prints").as_deref(), None);
    assert_eq!(class("SHATTER 1G").as_deref(), Some("cannabis"));
    assert_eq!(class("Ecstasy pressed pills x10").as_deref(), Some("mdma"));
    assert!(!classify_listing("Ecstasy pressed pills x10", None).counterfeit_pill);
    assert_eq!(class("").as_deref(), None);
}

#[test]
fn street_names_need_a_title_with_an_amount() {
    assert_eq!(class("[USA] Boy 7g | no fent").as_deref(), Some("heroin"));
    assert_eq!(class("1g Apache pharma grade").as_deref(), Some("fentanyl"));
    assert!(classify_listing("1g Apache pharma grade", None).fentanyl);
    assert_eq!(
        class("[USA] Ice 0.5g | big shards").as_deref(),
        Some("meth")
    );
    assert_eq!(
        class("bolivian flake - 7g - pure fire").as_deref(),
        Some("cocaine")
    );
    assert_eq!(class("x10 Tesla lab tested").as_deref(), Some("mdma"));
    assert_eq!(
        class("YELLOW SCHOOL BUS - x10 - 2mg").as_deref(),
        Some("benzodiazepine")
    );
    assert_eq!(
        class("★ 7 gram Girl Scout Cookies ★ top shelf").as_deref(),
        Some("cannabis")
    );
    // Without an amount, or next to a plain drug name, or in a description, they say nothing.
    assert_eq!(class("Apache web server exploit").as_deref(), None);
    assert_eq!(
        class("Ice cream vouchers x10 gift cards").as_deref(),
        Some("fraud_data")
    );
    assert_eq!(
        class("Cocaine 3.5g, ships in 24 h").as_deref(),
        Some("cocaine")
    );
    assert_eq!(
        classify_listing("Special offer", Some("snow 10g, dope stealth"))
            .class
            .as_deref(),
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
        assert_eq!(c.class.as_deref(), Some("fentanyl_pressed_pill"), "{title}");
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
        assert_eq!(c.class.as_deref(), Some("fentanyl_pressed_pill"), "{title}");
        assert!(
            c.fentanyl && c.counterfeit_pill && c.youth_appeal,
            "{title}"
        );
    }
    let mdma = classify_listing("Rainbow MDMA pills x10", None);
    assert_eq!(mdma.class.as_deref(), Some("mdma"));
    assert!(mdma.youth_appeal && !mdma.fentanyl);
    assert_eq!(class("Rainbow Kush 28g").as_deref(), Some("cannabis"));
    assert_eq!(class("K9-proof vacuum bags x100").as_deref(), None);
}

#[test]
fn offsets_point_at_the_term() {
    let title = "Pure FENTANYL (HCl)";
    let c = classify_listing(title, None);
    let m = &c.matched[0];
    assert_eq!(
        (m.term.as_str(), &title[m.start..m.end]),
        ("fentanyl", "FENTANYL")
    );
}

#[test]
fn every_variant_is_reachable() {
    // A variant shadowed by a longer one, or claimed by no term, could never be reported: catch it
    // when the taxonomy is edited.
    let taxonomy = Taxonomy::embedded();
    for term in taxonomy.terms() {
        for variant in &term.variants {
            let sample = match term.affix {
                crate::taxonomy::Affix::Suffix => format!("zz{}", variant.trim_start_matches('-')),
                _ => variant.clone(),
            };
            let c = classify_listing(&sample, None);
            let first = c.matched.first();
            assert_eq!(
                first.map(|m| m.term.as_str()),
                Some(term.term.as_str()),
                "{sample}"
            );
            assert_eq!(
                first.map(|m| (m.start, m.end)),
                Some((0, sample.len())),
                "{sample}"
            );
            assert_eq!(first.map(|m| m.how), Some(MatchKind::Exact), "{sample}");
        }
    }
    let mut names: Vec<&str> = taxonomy.terms().iter().map(|t| t.term.as_str()).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "term names identify terms");
}

/// 2014-12-31 12:00 UTC and 2015-01-01 00:00 UTC: either side of both eras' first day.
const LATE_2014: i64 = 1_420_027_200;
const ERA_START: i64 = 1_420_070_400;

#[test]
fn m30_names_before_the_counterfeit_era_are_oxycodone() {
    let c = Classifier::embedded();
    for title in [
        "Roxy 30mg x 5",
        "100x M30 blues",
        "A215 pills 50pcs",
        "K9 30mg x10",
    ] {
        let before = c.classify_at(title, None, Some(LATE_2014));
        assert_eq!(before.class.as_deref(), Some("oxycodone"), "{title}");
        assert!(!before.fentanyl && !before.counterfeit_pill, "{title}");
        let era = before.matched.iter().find_map(|m| m.era.as_ref());
        assert_eq!(
            era.map(EraReading::describe).as_deref(),
            Some("before 2015-01-01: oxycodone"),
            "{title}"
        );
        for at in [Some(ERA_START), None] {
            let today = c.classify_at(title, None, at);
            assert_eq!(
                today.class.as_deref(),
                Some("fentanyl_pressed_pill"),
                "{title}"
            );
            assert!(today.fentanyl && today.counterfeit_pill, "{title} {at:?}");
        }
    }
    let undated = c.classify_at("M30 x10", None, None);
    let era = undated.matched.iter().find_map(|m| m.era.as_ref());
    assert_eq!(era.map(|e| e.side), Some(EraSide::Undated));
    assert_eq!(
        era.map(EraReading::describe).as_deref(),
        Some("undated, read as from 2015-01-01: fentanyl_pill")
    );
    let from = c.classify_at("M30 x10", None, Some(ERA_START));
    assert_eq!(
        from.matched
            .iter()
            .find_map(|m| m.era.as_ref())
            .map(EraReading::describe)
            .as_deref(),
        Some("from 2015-01-01: fentanyl_pill")
    );
    // `classify` is the undated reading.
    assert_eq!(c.classify("M30 x10", None), undated);
}

#[test]
fn old_m30_names_keep_the_other_rules() {
    let c = Classifier::embedded();
    // "Pressed" still makes a counterfeit, but not a fentanyl flag.
    let pressed = c.classify_at("Pressed M30 x100", None, Some(LATE_2014));
    assert_eq!(pressed.class.as_deref(), Some("oxycodone"));
    assert!(pressed.counterfeit_pill && !pressed.fentanyl);
    // A fentanyl name still flags.
    let fent = c.classify_at("M30 x10", Some("pressed with fentanyl"), Some(LATE_2014));
    assert!(fent.fentanyl);
    // Strains stay cannabis; heroin outranks oxycodone.
    let weed = c.classify_at("Derailed Blues Indica 7g", None, Some(LATE_2014));
    assert_eq!(weed.class.as_deref(), Some("cannabis"));
    let h = c.classify_at("Heroin 1g + M30", None, Some(LATE_2014));
    assert_eq!(h.class.as_deref(), Some("heroin"));
}

#[test]
fn china_white_was_heroin_before_its_fentanyl_era() {
    let c = Classifier::embedded();
    let before = c.classify_at("10 Grams Uncut China White", None, Some(LATE_2014));
    assert_eq!(before.class.as_deref(), Some("heroin"));
    assert!(!before.fentanyl);
    assert_eq!(
        before
            .matched
            .iter()
            .find_map(|m| m.era.as_ref())
            .map(EraReading::describe)
            .as_deref(),
        Some("before 2015-01-01: heroin")
    );
    for at in [Some(ERA_START), None] {
        let today = c.classify_at("10 Grams Uncut China White", None, at);
        assert_eq!(today.class.as_deref(), Some("fentanyl"), "{at:?}");
        assert!(today.fentanyl);
    }
    // Still a street name: no amount, no class.
    assert_eq!(
        c.classify_at("China White", None, Some(LATE_2014)).class,
        None
    );
}

#[test]
fn terms_without_an_era_record_none() {
    let c = Classifier::embedded().classify_at("Heroin 1g", None, Some(LATE_2014));
    assert!(c.matched.iter().all(|m| m.era.is_none()));
}
