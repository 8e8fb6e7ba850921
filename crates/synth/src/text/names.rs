//! Account names: a vendor's base name, the variants it uses on other markets, and buyer names.

use rand::Rng;
use rand::seq::SliceRandom;

use super::catalog::{self, ProductKind};
use super::lexicon::*;

fn pick<R: Rng>(rng: &mut R, bank: &[&'static str]) -> &'static str {
    bank.choose(rng).copied().unwrap_or("x")
}

/// A short product word some vendors build their name on ("Fent", "Kush", "Coke"...).
fn product_stem(kind: ProductKind) -> &'static str {
    match kind {
        ProductKind::FentanylPowder | ProductKind::FentanylAnalogue => "Fent",
        ProductKind::Nitazene => "Nitro",
        ProductKind::PressedM30 => "M30",
        ProductKind::RainbowPills => "Rainbow",
        ProductKind::Heroin => "Dope",
        ProductKind::Meth => "Ice",
        ProductKind::Cocaine => "Coke",
        ProductKind::Cannabis => "Kush",
        ProductKind::BenzoBars => "Bars",
        ProductKind::Mdma => "Molly",
        ProductKind::FakeDocuments => "Docs",
        ProductKind::FraudData => "Fullz",
    }
}

/// A fresh vendor name.
pub fn vendor_name<R: Rng>(rng: &mut R, main_product: ProductKind) -> String {
    let adj = pick(rng, NAME_ADJECTIVES);
    let noun = pick(rng, NAME_NOUNS);
    match rng.gen_range(0..100) {
        0..=29 => format!("{adj}{noun}"),
        30..=44 => format!("{}_{}", adj.to_lowercase(), noun.to_lowercase()),
        45..=59 => format!("{}{}", pick(rng, NAME_TITLES), pick(rng, &[adj, noun])),
        60..=71 => format!("{}{}", product_stem(main_product), noun),
        72..=81 => format!("{}{}", noun.to_lowercase(), rng.gen_range(1..1000)),
        82..=89 => format!("The{adj}{noun}"),
        _ => format!("{}{}", adj, catalog_word(rng, main_product)),
    }
}

fn catalog_word<R: Rng>(rng: &mut R, kind: ProductKind) -> String {
    let name = pick(rng, catalog::info(kind).names);
    name.split_whitespace()
        .next()
        .unwrap_or("Plug")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// A variant of `base`: an affix, a prefix, leetspeak, different case or separators, digits.
pub fn variant<R: Rng>(rng: &mut R, base: &str) -> String {
    let out = match rng.gen_range(0..100) {
        0..=34 => format!("{base}{}", pick(rng, NAME_AFFIXES)),
        35..=47 => format!("{}{base}", pick(rng, NAME_PREFIXES)),
        48..=64 => leetspeak(rng, base),
        65..=74 => {
            if base.chars().any(|c| c.is_ascii_uppercase()) {
                base.to_lowercase()
            } else {
                base.to_uppercase()
            }
        }
        75..=84 => swap_separators(base),
        _ => format!("{base}{}", rng.gen_range(1..100)),
    };
    if out == base { format!("{base}_") } else { out }
}

fn leetspeak<R: Rng>(rng: &mut R, base: &str) -> String {
    let mut changed = false;
    let out: String = base
        .chars()
        .map(|c| {
            let leet = match c.to_ascii_lowercase() {
                'a' => Some('4'),
                'e' => Some('3'),
                'i' => Some('1'),
                'o' => Some('0'),
                's' => Some('5'),
                't' => Some('7'),
                _ => None,
            };
            match leet {
                Some(l) if rng.gen_bool(0.6) => {
                    changed = true;
                    l
                }
                _ => c,
            }
        })
        .collect();
    if changed { out } else { format!("{base}_x") }
}

/// `GhostPharma` ⇄ `ghost_pharma`.
fn swap_separators(base: &str) -> String {
    if base.contains('_') {
        base.split('_')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut cs = p.chars();
                match cs.next() {
                    Some(f) => f.to_uppercase().chain(cs).collect::<String>(),
                    None => String::new(),
                }
            })
            .collect()
    } else {
        let mut out = String::new();
        for (i, c) in base.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }
}

/// A buyer's name: word + digits, a made-up word, two words, or a random string.
pub fn buyer_name<R: Rng>(rng: &mut R) -> String {
    match rng.gen_range(0..100) {
        0..=39 => format!("{}{}", pick(rng, BUYER_WORDS), rng.gen_range(1..10_000)),
        40..=64 => {
            let n = rng.gen_range(2..4);
            (0..n).map(|_| pick(rng, SYLLABLES)).collect()
        }
        65..=84 => format!(
            "{}{}{}",
            pick(rng, BUYER_WORDS),
            pick(rng, &["_", "", "."]),
            pick(rng, BUYER_WORDS)
        ),
        _ => {
            const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
            let n = rng.gen_range(6..11);
            (0..n)
                .map(|_| char::from(ALNUM[rng.gen_range(0..ALNUM.len())]))
                .collect()
        }
    }
}

/// A staff account name.
pub fn staff_name<R: Rng>(rng: &mut R) -> String {
    let role = pick(
        rng,
        &["admin", "mod", "support", "escrow", "staff", "dispute"],
    );
    format!("{role}{}", pick(rng, &["", "_", "-"])) + &rng.gen_range(1..100).to_string()
}

/// How scrapes show a buyer: first and last character around `***` (`b***r`).
pub fn masked(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().unwrap_or('a');
    let last = chars.next_back().unwrap_or(first);
    format!("{first}***{last}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn variants_differ_from_base() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..500 {
            let base = vendor_name(&mut rng, ProductKind::PressedM30);
            assert!(!base.is_empty());
            assert_ne!(variant(&mut rng, &base), base);
        }
        assert_eq!(swap_separators("GhostPharma"), "ghost_pharma");
        assert_eq!(swap_separators("ghost_pharma"), "GhostPharma");
        assert_eq!(masked("buyer"), "b***r");
    }
}
