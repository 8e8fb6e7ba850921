//! What is sold: product kinds, their packages and price curves, and the words used to list them.

use rand::Rng;
use rand::seq::SliceRandom;

use crate::money::Cents;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProductKind {
    FentanylPowder,
    FentanylAnalogue,
    Nitazene,
    PressedM30,
    RainbowPills,
    Heroin,
    Meth,
    Cocaine,
    Cannabis,
    BenzoBars,
    Mdma,
    FakeDocuments,
    FraudData,
}

impl ProductKind {
    /// The name `truth/listings.csv` gives the kind.
    pub fn truth_name(self) -> &'static str {
        match self {
            ProductKind::FentanylPowder => "fentanyl_powder",
            ProductKind::FentanylAnalogue => "fentanyl_analogue",
            ProductKind::Nitazene => "nitazene",
            ProductKind::PressedM30 => "pressed_m30",
            ProductKind::RainbowPills => "rainbow_pills",
            ProductKind::Heroin => "heroin",
            ProductKind::Meth => "meth",
            ProductKind::Cocaine => "cocaine",
            ProductKind::Cannabis => "cannabis",
            ProductKind::BenzoBars => "benzo_bars",
            ProductKind::Mdma => "mdma",
            ProductKind::FakeDocuments => "fake_documents",
            ProductKind::FraudData => "fraud_data",
        }
    }

    /// Sold as fentanyl or pressed with it: powder, analogues, and the counterfeit pills of the world (M30s,
    /// rainbow pills). Nitazenes are another opioid.
    pub fn is_fentanyl(self) -> bool {
        matches!(
            self,
            ProductKind::FentanylPowder
                | ProductKind::FentanylAnalogue
                | ProductKind::PressedM30
                | ProductKind::RainbowPills
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Gram,
    Pill,
    Piece,
}

/// Static facts about a product kind.
pub struct KindInfo {
    pub kind: ProductKind,
    /// Index into [`CATEGORIES`].
    pub category: usize,
    pub unit: Unit,
    /// Package sizes in units.
    pub packages: &'static [f64],
    /// USD for one unit bought alone; a package of q units costs `unit_usd * q^(1 - bulk)`.
    pub unit_usd: f64,
    pub bulk: f64,
    /// How vendors call it in titles.
    pub names: &'static [&'static str],
    /// Claims made about it.
    pub claims: &'static [&'static str],
    /// Share of vendor product lines.
    pub weight: u32,
    /// Physical goods ship from the vendor's country; digital ones "ship" from Torland/Worldwide.
    pub digital: bool,
}

/// (name, parent index): the category tree shared by the laravel markets; ids are index + 1.
pub const CATEGORIES: &[(&str, Option<usize>)] = &[
    ("Drugs", None),
    ("Opioids", Some(0)),
    ("Fentanyl", Some(1)),
    ("Heroin", Some(1)),
    ("Prescription", Some(0)),
    ("Pills", Some(4)),
    ("Benzos", Some(4)),
    ("Stimulants", Some(0)),
    ("Cocaine", Some(7)),
    ("Meth", Some(7)),
    ("Cannabis", Some(0)),
    ("Ecstasy", Some(0)),
    ("Research Chemicals", Some(0)),
    ("Fraud", None),
    ("Documents", Some(13)),
    ("Data", Some(13)),
];

/// The category's path from the root, e.g. `["Drugs", "Opioids", "Fentanyl"]`.
pub fn category_path(index: usize) -> Vec<&'static str> {
    let mut path = vec![CATEGORIES[index].0];
    let mut at = CATEGORIES[index].1;
    while let Some(parent) = at {
        path.push(CATEGORIES[parent].0);
        at = CATEGORIES[parent].1;
    }
    path.reverse();
    path
}

const GRAMS_HARD: &[f64] = &[
    0.5, 1.0, 3.5, 7.0, 14.0, 28.0, 56.0, 112.0, 250.0, 500.0, 1000.0,
];
const GRAMS_WEED: &[f64] = &[3.5, 7.0, 14.0, 28.0, 56.0, 112.0, 224.0, 448.0, 1000.0];
const PILLS: &[f64] = &[10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0, 1000.0];
const PIECES: &[f64] = &[1.0, 2.0, 5.0, 10.0];
const RECORDS: &[f64] = &[1.0, 10.0, 25.0, 50.0, 100.0];

pub const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: ProductKind::FentanylPowder,
        category: 2,
        unit: Unit::Gram,
        packages: GRAMS_HARD,
        unit_usd: 120.0,
        bulk: 0.25,
        names: &[
            "Fentanyl",
            "fent",
            "China White",
            "fetty",
            "Fentanyl HCL",
            "Apache",
            "TNT",
            "Dance Fever",
            "fenty powder",
        ],
        claims: &[
            "95% purity",
            "lab tested",
            "cut for nothing",
            "pharma grade",
            "very strong, dose in mcg",
            "direct from the lab",
        ],
        weight: 14,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::FentanylAnalogue,
        category: 2,
        unit: Unit::Gram,
        packages: GRAMS_HARD,
        unit_usd: 150.0,
        bulk: 0.3,
        names: &[
            "Carfentanil",
            "Acetylfentanyl",
            "Furanylfentanyl",
            "Acrylfentanyl",
            "Ocfentanil",
            "Wildnil carfent",
        ],
        claims: &[
            "research use only",
            "99% pure",
            "handle with gloves",
            "extremely potent",
            "reagent tested",
        ],
        weight: 4,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::Nitazene,
        category: 12,
        unit: Unit::Gram,
        packages: GRAMS_HARD,
        unit_usd: 180.0,
        bulk: 0.3,
        names: &[
            "Isotonitazene",
            "iso",
            "Protonitazene",
            "Metonitazene",
            "Etonitazene",
        ],
        claims: &[
            "not for human consumption",
            "99.5% HPLC",
            "new batch",
            "research chemical",
        ],
        weight: 2,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::PressedM30,
        category: 5,
        unit: Unit::Pill,
        packages: PILLS,
        unit_usd: 35.0,
        bulk: 0.3,
        names: &[
            "M30",
            "M box 30",
            "Blues",
            "Perc 30s",
            "Oxy 30mg",
            "A215",
            "K9 30mg",
            "Pressed M30 Blues",
        ],
        claims: &[
            "pressed",
            "perfect press",
            "hit hard",
            "same as pharma",
            "consistent dose",
            "no crumbling",
        ],
        weight: 16,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::RainbowPills,
        category: 5,
        unit: Unit::Pill,
        packages: PILLS,
        unit_usd: 30.0,
        bulk: 0.3,
        names: &[
            "Rainbow M30",
            "Skittles",
            "Rainbow Blues",
            "Rainbow Percs",
            "Multicolor M30",
        ],
        claims: &[
            "all colors",
            "pressed",
            "party pack",
            "strong",
            "mixed colors",
        ],
        weight: 5,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::Heroin,
        category: 3,
        unit: Unit::Gram,
        packages: GRAMS_HARD,
        unit_usd: 130.0,
        bulk: 0.25,
        names: &[
            "Heroin",
            "#4 Heroin",
            "Afghan Brown",
            "Black Tar",
            "H",
            "Dope",
            "Boy",
        ],
        claims: &[
            "no fent",
            "strong smell",
            "uncut",
            "top quality",
            "fresh batch",
        ],
        weight: 10,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::Meth,
        category: 9,
        unit: Unit::Gram,
        packages: GRAMS_HARD,
        unit_usd: 60.0,
        bulk: 0.35,
        names: &[
            "Crystal Meth",
            "Ice",
            "Shards",
            "Tina",
            "Glass",
            "Methamphetamine",
        ],
        claims: &[
            "big shards",
            "clear as glass",
            "P2P",
            "very clean",
            "long lasting",
        ],
        weight: 12,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::Cocaine,
        category: 8,
        unit: Unit::Gram,
        packages: GRAMS_HARD,
        unit_usd: 110.0,
        bulk: 0.25,
        names: &[
            "Cocaine",
            "Fishscale",
            "Peruvian Flake",
            "Colombian Coke",
            "Coke",
            "Bolivian Flake",
        ],
        claims: &[
            "90%+",
            "uncut",
            "straight off the brick",
            "shiny",
            "pure fire",
        ],
        weight: 12,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::Cannabis,
        category: 10,
        unit: Unit::Gram,
        packages: GRAMS_WEED,
        unit_usd: 12.0,
        bulk: 0.2,
        names: &[
            "OG Kush",
            "Gelato",
            "Girl Scout Cookies",
            "Amnesia Haze",
            "Wedding Cake",
            "Gorilla Glue #4",
            "Runtz",
            "Zkittlez",
        ],
        claims: &[
            "top shelf",
            "AAA+",
            "indoor",
            "cured 4 weeks",
            "THC 27%",
            "loud",
        ],
        weight: 14,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::BenzoBars,
        category: 6,
        unit: Unit::Pill,
        packages: PILLS,
        unit_usd: 6.0,
        bulk: 0.35,
        names: &[
            "Xanax Bars",
            "G3722",
            "S 903",
            "Footballs",
            "Yellow School Bus",
            "Green Hulks",
            "Alprazolam 2mg",
        ],
        claims: &["2mg", "pressed", "pharma", "scored", "strong"],
        weight: 8,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::Mdma,
        category: 11,
        unit: Unit::Pill,
        packages: PILLS,
        unit_usd: 15.0,
        bulk: 0.35,
        names: &[
            "MDMA pills",
            "XTC",
            "Blue Punisher",
            "Tesla",
            "Molly",
            "Champagne MDMA",
        ],
        claims: &["220mg", "lab tested", "strong", "clean roll"],
        weight: 8,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::FakeDocuments,
        category: 14,
        unit: Unit::Piece,
        packages: PIECES,
        unit_usd: 450.0,
        bulk: 0.1,
        names: &[
            "Fake ID",
            "Drivers License",
            "Passport",
            "ID card scan",
            "Utility bill template",
        ],
        claims: &["scannable", "with hologram", "passes UV", "any state"],
        weight: 3,
        digital: false,
    },
    KindInfo {
        kind: ProductKind::FraudData,
        category: 15,
        unit: Unit::Piece,
        packages: RECORDS,
        unit_usd: 25.0,
        bulk: 0.3,
        names: &["Fullz", "CC dumps", "CVV", "Bank logs", "SSN + DOB"],
        claims: &["fresh", "valid", "high balance", "replacement if dead"],
        weight: 4,
        digital: true,
    },
];

pub fn info(kind: ProductKind) -> &'static KindInfo {
    KINDS.iter().find(|k| k.kind == kind).unwrap_or(&KINDS[0])
}

/// A product kind drawn by how common it is among vendors.
pub fn random_kind<R: Rng>(rng: &mut R) -> ProductKind {
    KINDS
        .choose_weighted(rng, |k| k.weight)
        .map(|k| k.kind)
        .unwrap_or(ProductKind::Cannabis)
}

/// The package price before the vendor's own price level.
pub fn list_price(info: &KindInfo, units: f64) -> f64 {
    info.unit_usd * units.powf(1.0 - info.bulk)
}

/// How a vendor writes quantities.
#[derive(Debug, Clone, Copy)]
pub enum QuantityForm {
    Compact,
    Spaced,
    Slang,
}

/// `100x`, `3.5g`, `1 oz`, `8ball`, `1kg`...
pub fn quantity_label(unit: Unit, units: f64, form: QuantityForm) -> String {
    let whole = units.fract() == 0.0;
    let number = if whole {
        format!("{}", units as u64)
    } else {
        format!("{units}")
    };
    match unit {
        Unit::Pill => match form {
            QuantityForm::Compact => format!("{number}x"),
            QuantityForm::Spaced => format!("{number} pcs"),
            QuantityForm::Slang => format!("x{number}"),
        },
        Unit::Piece => match form {
            QuantityForm::Compact | QuantityForm::Slang => format!("{number}x"),
            QuantityForm::Spaced => format!("{number} pcs"),
        },
        Unit::Gram => match (form, units as u64, whole) {
            (QuantityForm::Slang, 3, false) => "8ball".into(),
            (QuantityForm::Slang | QuantityForm::Spaced, 28, true) => "1 oz".into(),
            (QuantityForm::Slang, 56, true) => "2 oz".into(),
            (QuantityForm::Slang, 112, true) => "QP".into(),
            (QuantityForm::Slang, 224, true) => "HP".into(),
            (QuantityForm::Slang, 448, true) => "1 lb".into(),
            (QuantityForm::Slang, 1000, true) => "1 key".into(),
            (QuantityForm::Spaced, 1000, true) => "1 kg".into(),
            (QuantityForm::Compact, 1000, true) => "1kg".into(),
            (QuantityForm::Spaced, _, _) => format!("{number} gram"),
            _ => format!("{number}g"),
        },
    }
}

/// Rounds a price the way the vendor likes it.
#[derive(Debug, Clone, Copy)]
pub enum PriceEnding {
    Whole,
    NinetyNine,
    Exact,
}

pub fn round_price(usd: f64, ending: PriceEnding) -> Cents {
    let usd = usd.max(1.0);
    match ending {
        PriceEnding::Whole => Cents((usd.round() as i64).max(1) * 100),
        PriceEnding::NinetyNine => Cents((usd.ceil() as i64).max(1) * 100 - 1),
        PriceEnding::Exact => Cents((usd * 100.0).round() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_paths() {
        assert_eq!(
            quantity_label(Unit::Pill, 100.0, QuantityForm::Compact),
            "100x"
        );
        assert_eq!(
            quantity_label(Unit::Gram, 3.5, QuantityForm::Compact),
            "3.5g"
        );
        assert_eq!(
            quantity_label(Unit::Gram, 3.5, QuantityForm::Slang),
            "8ball"
        );
        assert_eq!(
            quantity_label(Unit::Gram, 28.0, QuantityForm::Spaced),
            "1 oz"
        );
        assert_eq!(category_path(2), vec!["Drugs", "Opioids", "Fentanyl"]);
        for k in KINDS {
            assert_eq!(info(k.kind).kind, k.kind);
        }
    }
}
