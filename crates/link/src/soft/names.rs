//! Usernames as sellers carry them across markets: the same stem under leetspeak, case, separators, digits
//! and affixes ("GhostPharma", "gh0st_pharma_UK", "TheRealGhostPharma2").

use std::sync::LazyLock;

/// The affix lists (`data/name_affixes.toml`), longest first so that "thereal" is tried before "the".
#[derive(Debug, Clone)]
pub struct NameAffixes {
    pub version: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

#[derive(serde::Deserialize)]
struct AffixFile {
    version: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl NameAffixes {
    /// Reads a file of the shape of `data/name_affixes.toml`.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let file: AffixFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let fold = |list: Vec<String>| {
            let mut v: Vec<String> = list
                .iter()
                .map(|a| fold_chars(a))
                .filter(|a| !a.is_empty())
                .collect();
            v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            v.dedup();
            v
        };
        Ok(NameAffixes {
            version: file.version,
            prefixes: fold(file.prefixes),
            suffixes: fold(file.suffixes),
        })
    }

    /// The shipped lists.
    pub fn embedded() -> &'static NameAffixes {
        static EMBEDDED: LazyLock<NameAffixes> = LazyLock::new(|| {
            NameAffixes::from_toml(include_str!("../../data/name_affixes.toml"))
                .unwrap_or_else(|e| panic!("the embedded name_affixes.toml is invalid: {e}"))
        });
        &EMBEDDED
    }
}

/// Lower case, leetspeak digits read back as letters, everything but letters dropped.
fn fold_chars(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            let c = c.to_lowercase().next().unwrap_or(c);
            match c {
                '4' | '@' => Some('a'),
                '3' => Some('e'),
                '1' | '!' => Some('i'),
                '0' => Some('o'),
                '5' | '$' => Some('s'),
                '7' => Some('t'),
                c if c.is_alphabetic() => Some(c),
                _ => None,
            }
        })
        .collect()
}

/// The stem of a username: [`fold_chars`] after trailing digits are dropped (they are counters, "vendor2",
/// not leetspeak), then known affixes removed from both ends while a stem of at least four letters remains.
pub fn name_stem(name: &str, affixes: &NameAffixes) -> String {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_' || c == '-');
    if !trimmed.chars().any(char::is_alphanumeric) {
        // A name of digits only ("1234") is its own stem: there is no leetspeak to read back.
        return name.chars().filter(char::is_ascii_digit).collect();
    }
    let mut stem = fold_chars(trimmed);
    const MIN_STEM: usize = 4;
    loop {
        let before = stem.len();
        if let Some(p) = affixes
            .prefixes
            .iter()
            .find(|p| stem.starts_with(p.as_str()) && stem.len() - p.len() >= MIN_STEM)
        {
            stem.drain(..p.len());
        }
        if let Some(s) = affixes
            .suffixes
            .iter()
            .find(|s| stem.ends_with(s.as_str()) && stem.len() - s.len() >= MIN_STEM)
        {
            stem.truncate(stem.len() - s.len());
        }
        if stem.len() == before {
            return stem;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(n: &str) -> String {
        name_stem(n, NameAffixes::embedded())
    }

    #[test]
    fn variants_a_seller_uses_share_a_stem() {
        for n in [
            "GhostPharma",
            "ghostpharma",
            "GHOSTPHARMA",
            "Ghost_Pharma",
            "gh0st_pharma",
            "GhostPharma_official",
            "GhostPharmaUK",
            "TheRealGhostPharma",
            "GhostPharma2",
            "ghost-pharma_",
        ] {
            assert_eq!(stem(n), "ghostpharma", "{n}");
        }
    }

    #[test]
    fn a_short_name_keeps_its_letters() {
        // "theuk": removing "the" or "uk" would leave fewer than four letters.
        assert_eq!(stem("TheUK"), "theuk");
        assert_eq!(stem("shop"), "shop");
        assert_eq!(stem("1234"), "1234");
        assert_eq!(stem("__"), "");
    }

    #[test]
    fn different_sellers_keep_different_stems() {
        assert_ne!(stem("GhostPharma"), stem("HostPharma"));
        assert_ne!(stem("DrugsUK"), stem("DrugsUSA_x"));
    }

    proptest::proptest! {
        // Usernames are seized text: any string, any script.
        #[test]
        fn any_name_has_a_stem_of_letters_and_digits(name in ".{0,40}") {
            let s = stem(&name);
            proptest::prop_assert!(s.chars().all(|c| c.is_alphanumeric()), "{s:?}");
            proptest::prop_assert!(s.chars().count() <= name.chars().count());
        }
    }

    #[test]
    fn embedded_affixes_parse_and_a_bad_file_is_refused() {
        assert!(NameAffixes::embedded().version.starts_with("name-affixes-"));
        assert!(NameAffixes::from_toml("prefixes = 3").is_err());
    }
}
