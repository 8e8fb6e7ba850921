//! Linking at scale: N accounts over 10 markets, generated in memory with the shape of seized markets
//! (a few percent sellers, each with a profile, listings, a few messages and often a PGP key; buyers with a
//! name and little else; each seller makes its keys its own way: algorithm, user id form, one sitting or
//! one key per account, drawn from a stream of their own so the rest of the world is as before; sellers running up to nine accounts under name variants, some under unrelated
//! names), then `link_accounts` with hard and soft evidence, timed stage by stage, scored against the
//! generator's truth; optionally exported as a table for Splink (`bench/link.sh`).
//!
//!   cargo run --release -p spector-link --example link_speed -- [N] [--export accounts.csv] [--json]

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spector_link::evaluate::evaluate;
use spector_link::soft::{KeyFacts, UserIdForm};
use spector_link::{Continuity, HardLinkInput, LinkInput, LinkOptions, link_accounts};
use spector_model::{
    Account, AccountRole, ContactHandle, CryptoAddress, Listing, ListingFacts, Message, PgpKey,
    Provenance, RecordId,
};

// The allocator the `spector` binary links, so that the figures are those of `spector link` (bench/link.sh
// also gives it the binary's settings, by mimalloc's environment variables).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MARKETS: usize = 10;
const DAY: i64 = 86_400;
const CLASSES: [&str; 12] = [
    "fentanyl",
    "heroin",
    "oxycodone",
    "cocaine",
    "meth",
    "mdma",
    "cannabis",
    "benzodiazepine",
    "ketamine",
    "psychedelic",
    "amphetamine",
    "steroid",
];
const COUNTRIES: [&str; 12] = [
    "US", "GB", "DE", "NL", "CA", "AU", "FR", "ES", "PL", "CN", "IN", "BE",
];
const AFFIXES: [&str; 10] = [
    "_official",
    "UK",
    "_US",
    "Shop",
    "_real",
    "Direct",
    "2",
    "NL",
    "_store",
    "247",
];

struct Words {
    syllables: Vec<String>,
    vocabulary: Vec<String>,
}

impl Words {
    fn new(rng: &mut ChaCha8Rng) -> Words {
        let consonants = "bcdfghjklmnprstvwz".as_bytes();
        let vowels = "aeiou".as_bytes();
        let mut syllables = Vec::new();
        for &c in consonants {
            for &v in vowels {
                syllables.push(format!("{}{}", c as char, v as char));
            }
        }
        let vocabulary = (0..4000)
            .map(|_| {
                let n = rng.gen_range(1..4);
                (0..n)
                    .map(|_| syllables.choose(rng).unwrap().as_str())
                    .collect::<String>()
            })
            .collect();
        Words {
            syllables,
            vocabulary,
        }
    }

    fn name(&self, rng: &mut ChaCha8Rng) -> String {
        let n = rng.gen_range(2..5);
        let mut s: String = (0..n)
            .map(|_| self.syllables.choose(rng).unwrap().as_str())
            .collect();
        if rng.gen_bool(0.5) {
            s = s[..1].to_uppercase() + &s[1..];
        }
        if rng.gen_bool(0.3) {
            s.push_str(&rng.gen_range(1..9999).to_string());
        }
        s
    }

    fn phrase(&self, rng: &mut ChaCha8Rng, words: usize) -> String {
        (0..words)
            .map(|_| self.vocabulary.choose(rng).unwrap().as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Key algorithms of seized markets' sellers (percent; the 2014 scrapes are mostly RSA, newer keys ECC).
const KEY_ALGORITHMS: [(&str, u32); 7] = [
    ("rsa4096", 40),
    ("rsa2048", 25),
    ("eddsa-legacy-ed25519", 20),
    ("ecdsa-nistp256", 5),
    ("ecdsa-nistp384", 4),
    ("ecdsa-nistp521", 3),
    ("dsa1024", 3),
];
const USER_ID_FORMS: [(UserIdForm, u32); 3] = [
    (UserIdForm::Name, 55),
    (UserIdForm::WithEmail, 35),
    (UserIdForm::WithComment, 10),
];

fn draw<T: Copy>(rng: &mut ChaCha8Rng, shares: &[(T, u32)]) -> T {
    let total: u32 = shares.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total);
    for &(item, weight) in shares {
        if r < weight {
            return item;
        }
        r -= weight;
    }
    shares[0].0
}

/// How a seller makes its keys (see the synthetic world's `KeyHabit`).
struct KeyHabit {
    algorithm: &'static str,
    user_id: UserIdForm,
    /// Its keys' creation when it uses one key everywhere.
    shared_created: i64,
    /// Per-account keys made in one sitting from this time on.
    batch_from: Option<i64>,
}

impl KeyHabit {
    fn draw(rng: &mut ChaCha8Rng, start: i64) -> KeyHabit {
        KeyHabit {
            algorithm: draw(rng, &KEY_ALGORITHMS),
            user_id: draw(rng, &USER_ID_FORMS),
            shared_created: start - rng.gen_range(1..400) * DAY,
            batch_from: rng
                .gen_bool(0.35)
                .then(|| start - rng.gen_range(5..60) * DAY),
        }
    }

    /// Creation time, algorithm and user id form of the key an account created at `created` posts; now and
    /// then not the habitual ones.
    fn key(
        &self,
        rng: &mut ChaCha8Rng,
        shared: bool,
        created: i64,
    ) -> (i64, &'static str, UserIdForm) {
        if shared {
            return (self.shared_created, self.algorithm, self.user_id);
        }
        let at = match self.batch_from {
            Some(from) => from + rng.gen_range(0..3 * DAY),
            None => created - rng.gen_range(0..30) * DAY,
        };
        let algorithm = if rng.gen_bool(0.08) {
            draw(rng, &KEY_ALGORITHMS)
        } else {
            self.algorithm
        };
        let form = if rng.gen_bool(0.10) {
            draw(rng, &USER_ID_FORMS)
        } else {
            self.user_id
        };
        (at, algorithm, form)
    }
}

struct Seller {
    base: String,
    phrases: Vec<String>,
    products: Vec<usize>,
    price: f64,
    origin: usize,
    start_hour: i64,
    key: Option<String>,
    payout: Option<String>,
    handle: Option<String>,
}

#[derive(Default)]
struct World {
    accounts: Vec<Account>,
    listings: Vec<Listing>,
    facts: Vec<ListingFacts>,
    messages: Vec<Message>,
    keys: Vec<PgpKey>,
    key_facts: Vec<KeyFacts>,
    addresses: Vec<CryptoAddress>,
    handles: Vec<ContactHandle>,
    persona: HashMap<RecordId, usize>,
    fingerprint_of: HashMap<RecordId, String>,
}

fn provenance() -> Provenance {
    Provenance {
        src_sha256: "0".repeat(64).into(),
        src_table: "bench".into(),
        src_row: 0,
        src_offset: 0,
        src_len: 0,
    }
}

fn hex(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| {
            char::from_digit(rng.gen_range(0..16), 16)
                .unwrap()
                .to_ascii_uppercase()
        })
        .collect()
}

fn variant(rng: &mut ChaCha8Rng, words: &Words, base: &str) -> String {
    match rng.gen_range(0..100) {
        0..=44 => base.to_string(),
        45..=69 => format!("{base}{}", AFFIXES.choose(rng).unwrap()),
        70..=79 => base.replace('a', "4").replace('o', "0").replace('e', "3"),
        _ => words.name(rng),
    }
}

fn generate(n: usize, seed: u64) -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut habits = ChaCha8Rng::seed_from_u64(seed ^ 0x6b65_7973);
    let words = Words::new(&mut rng);
    let mut w = World::default();
    let mut next_id = [0u64; MARKETS];
    let start = 1_500_000_000i64;
    // About 4.5% of accounts are sellers' (1.8 accounts a seller).
    let seller_personas = n * 25 / 1000;
    let mut persona = 0usize;
    let mut add_account = |w: &mut World,
                           rng: &mut ChaCha8Rng,
                           market: usize,
                           name: String,
                           role,
                           created,
                           profile,
                           persona| {
        next_id[market] += 1;
        let id = RecordId::from_stored(format!("m{market}/account/{}", next_id[market]));
        w.persona.insert(id.clone(), persona);
        w.accounts.push(Account {
            id: id.clone(),
            market: format!("m{market}"),
            name,
            role,
            created_at: Some(created),
            profile,
            provenance: provenance(),
        });
        let _ = rng;
        id
    };
    for _ in 0..seller_personas {
        let s = Seller {
            base: words.name(&mut rng),
            phrases: (0..10)
                .map(|_| {
                    let len = rng.gen_range(4..9);
                    words.phrase(&mut rng, len)
                })
                .collect(),
            products: (0..rng.gen_range(1..4))
                .map(|_| rng.gen_range(0..CLASSES.len()))
                .collect(),
            price: rng.gen_range(0.6..1.6),
            origin: rng.gen_range(0..COUNTRIES.len()),
            start_hour: rng.gen_range(0..24),
            key: rng.gen_bool(0.45).then(|| hex(&mut rng, 40)),
            payout: rng
                .gen_bool(0.25)
                .then(|| format!("bc1q{}", hex(&mut rng, 38).to_lowercase())),
            handle: rng
                .gen_bool(0.3)
                .then(|| format!("{}@proton.me", words.name(&mut rng).to_lowercase())),
        };
        let habit = KeyHabit::draw(&mut habits, start);
        let k = match rng.gen_range(0..100) {
            0..=59 => 1,
            60..=79 => 2,
            80..=89 => 3,
            _ => rng.gen_range(4..=9),
        };
        let mut markets: Vec<usize> = (0..MARKETS).collect();
        markets.shuffle(&mut rng);
        for (slot, &m) in markets.iter().take(k).enumerate() {
            let name = if slot == 0 {
                s.base.clone()
            } else {
                variant(&mut rng, &words, &s.base)
            };
            let created = start + rng.gen_range(0..700) * DAY + (s.start_hour * 3600);
            let mut profile = String::new();
            for p in s.phrases.iter().take(6) {
                if rng.gen_bool(0.8) {
                    profile.push_str(p);
                    profile.push_str(".\n");
                }
            }
            profile.push_str(&words.phrase(&mut rng, 30));
            let id = add_account(
                &mut w,
                &mut rng,
                m,
                name,
                AccountRole::Vendor,
                created,
                Some(profile),
                persona,
            );
            let key = s.key.clone().unwrap_or_else(|| hex(&mut rng, 40));
            w.fingerprint_of.insert(id.clone(), key.clone());
            let (key_created, algorithm, user_id) =
                habit.key(&mut habits, s.key.is_some(), created);
            w.key_facts.push(KeyFacts {
                account_id: id.clone(),
                fingerprint: key.clone(),
                created_at: key_created,
                algorithm: algorithm.into(),
                user_id,
            });
            w.keys.push(PgpKey {
                id: RecordId::from_stored(format!("{id}/key")),
                market: format!("m{m}"),
                account_id: Some(id.clone()),
                armored: String::new(),
                fingerprint: Some(key),
                parse_error: None,
                found_in: None,
                provenance: provenance(),
            });
            if let Some(a) = &s.payout {
                w.addresses.push(CryptoAddress {
                    id: RecordId::from_stored(format!("{id}/payout")),
                    market: format!("m{m}"),
                    account_id: Some(id.clone()),
                    address: a.clone(),
                    coin: "btc".into(),
                    purpose: Some("payout".into()),
                    found_in: None,
                    provenance: provenance(),
                });
            }
            if let Some(h) = &s.handle {
                w.handles.push(ContactHandle {
                    id: RecordId::from_stored(format!("{id}/handle")),
                    market: format!("m{m}"),
                    account_id: Some(id.clone()),
                    kind: "email".into(),
                    handle: h.clone(),
                    raw: h.clone(),
                    found_in: None,
                    provenance: provenance(),
                });
            }
            for l in 0..rng.gen_range(3..9) {
                let class = *s.products.choose(&mut rng).unwrap();
                let t = created + rng.gen_range(0..300) * DAY;
                let lid = RecordId::from_stored(format!("{id}/listing/{l}"));
                let grams = [1.0, 3.5, 7.0, 14.0, 28.0][rng.gen_range(0..5)];
                let description = format!(
                    "{}. {}. {}",
                    s.phrases.choose(&mut rng).unwrap(),
                    s.phrases.choose(&mut rng).unwrap(),
                    words.phrase(&mut rng, 40)
                );
                w.listings.push(Listing {
                    id: lid.clone(),
                    market: format!("m{m}"),
                    vendor_id: Some(id.clone()),
                    title: format!(
                        "{grams}g {} {}",
                        CLASSES[class],
                        s.phrases[0].split(' ').next().unwrap_or("")
                    ),
                    description: Some(description),
                    category: None,
                    price: None,
                    currency: None,
                    ships_from: None,
                    ships_to: None,
                    created_at: Some(
                        t - t.rem_euclid(DAY) + s.start_hour * 3600 + rng.gen_range(0..6 * 3600),
                    ),
                    provenance: provenance(),
                });
                w.facts.push(ListingFacts {
                    listing_id: lid,
                    market: format!("m{m}"),
                    vendor_id: Some(id.clone()),
                    class: Some(CLASSES[class].into()),
                    class_group: Some("drug".into()),
                    fentanyl: class == 0,
                    counterfeit_pill: false,
                    youth_appeal: false,
                    matched: String::new(),
                    grams: Some(grams),
                    units: None,
                    dose_mg: None,
                    purity_pct: None,
                    amounts: String::new(),
                    price_usd: Some(
                        grams * 20.0 * (class as f64 + 1.0) * s.price * rng.gen_range(0.95..1.05),
                    ),
                    price_usd_note: None,
                    ships_from: Some(COUNTRIES[s.origin].into()),
                    ships_from_kind: Some("countries".into()),
                    ships_to: None,
                    ships_to_kind: None,
                    taxonomy: String::new(),
                    enrichment: String::new(),
                });
            }
            for j in 0..2 {
                let t = created + rng.gen_range(0..300) * DAY;
                w.messages.push(Message {
                    id: RecordId::from_stored(format!("{id}/message/{j}")),
                    market: format!("m{m}"),
                    sender_id: Some(id.clone()),
                    recipient_id: None,
                    subject: None,
                    body: format!(
                        "{} {}",
                        s.phrases.choose(&mut rng).unwrap(),
                        words.phrase(&mut rng, 15)
                    ),
                    created_at: Some(
                        t - t.rem_euclid(DAY) + s.start_hour * 3600 + rng.gen_range(0..6 * 3600),
                    ),
                    provenance: provenance(),
                });
            }
        }
        persona += 1;
    }
    while w.accounts.len() < n {
        let base = words.name(&mut rng);
        let k = (match rng.gen_range(0..100) {
            0..=59 => 1,
            60..=87 => 2,
            _ => 3,
        })
        .min(n - w.accounts.len());
        let mut markets: Vec<usize> = (0..MARKETS).collect();
        markets.shuffle(&mut rng);
        for (slot, &m) in markets.iter().take(k).enumerate() {
            let name = if slot == 0 || rng.gen_bool(0.5) {
                base.clone()
            } else {
                words.name(&mut rng)
            };
            let created = start + rng.gen_range(0..900) * DAY + rng.gen_range(0..DAY);
            add_account(
                &mut w,
                &mut rng,
                m,
                name,
                AccountRole::Buyer,
                created,
                None,
                persona,
            );
        }
        persona += 1;
    }
    w
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() -> std::io::Result<()> {
    // RUST_LOG=spector_link=debug shows the time of each stage.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let export = args
        .iter()
        .position(|a| a == "--export")
        .and_then(|i| args.get(i + 1));
    let json = args.iter().any(|a| a == "--json");

    let t = Instant::now();
    let w = generate(n, 2026);
    let generate_s = t.elapsed().as_secs_f64();
    let rss_after_generate = peak_rss_mb();
    if let Some(path) = export {
        // The table Splink deduplicates: what a Splink user would export from the same case.
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(
            out,
            "account_id,market,username,pgp_fingerprint,ships_from,first_seen,persona_id"
        )?;
        let origin: HashMap<&RecordId, &str> = w
            .facts
            .iter()
            .filter_map(|f| Some((f.vendor_id.as_ref()?, f.ships_from.as_deref()?)))
            .collect();
        for a in &w.accounts {
            let day = a
                .created_at
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(|d| d.date_naive().to_string());
            writeln!(
                out,
                "{},{},{},{},{},{},{}",
                a.id,
                a.market,
                a.name,
                w.fingerprint_of.get(&a.id).map_or("", |s| s.as_str()),
                origin.get(&a.id).copied().unwrap_or(""),
                day.unwrap_or_default(),
                w.persona[&a.id]
            )?;
        }
    }

    let t = Instant::now();
    let outcome = link_accounts(
        &LinkInput {
            hard: HardLinkInput {
                accounts: &w.accounts,
                pgp_keys: &w.keys,
                crypto_addresses: &w.addresses,
                contact_handles: &w.handles,
            },
            listings: &w.listings,
            listing_facts: &w.facts,
            messages: &w.messages,
            keys: &w.key_facts,
            photos: &[],
        },
        &LinkOptions::default(),
        &Continuity::default(),
    )
    .map_err(std::io::Error::other)?;
    let link_s = t.elapsed().as_secs_f64();

    let truth: HashMap<RecordId, usize> = w
        .accounts
        .iter()
        .filter(|a| a.role == AccountRole::Vendor)
        .map(|a| (a.id.clone(), w.persona[&a.id]))
        .collect();
    let predicted: HashMap<RecordId, usize> = outcome
        .result
        .personas
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.accounts.iter().map(move |a| (a.clone(), i)))
        .collect();
    let e = evaluate(&truth, &predicted, &Default::default());
    let soft = outcome.soft.as_ref();
    let line = format!(
        "{{\"accounts\": {}, \"seller_accounts\": {}, \"listings\": {}, \"generate_s\": {generate_s:.2}, \
         \"link_s\": {link_s:.2}, \"peak_rss_mb\": {:.0}, \"rss_after_generate_mb\": {rss_after_generate:.0}, \
         \"candidate_pairs\": {}, \"scored_pairs\": {}, \"personas\": {}, \"seller_precision\": {:.4}, \
         \"seller_recall\": {:.4}, \"seller_f1\": {:.4}, \"b_cubed_f1\": {:.4}}}",
        w.accounts.len(),
        truth.len(),
        w.listings.len(),
        peak_rss_mb(),
        soft.map_or(0, |s| s.blocking.pairs),
        soft.map_or(0, |s| s.scored_pairs),
        outcome.result.personas.len(),
        e.pairwise.precision,
        e.pairwise.recall,
        e.pairwise.f1,
        e.b_cubed.f1,
    );
    if json {
        println!("{line}");
    } else {
        println!("{line}");
        eprintln!(
            "soft: {:?}",
            soft.map(|s| (&s.blocking, s.links_applied, &s.expected_error))
        );
    }
    Ok(())
}
