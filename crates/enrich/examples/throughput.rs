//! Rough throughput of classify + extract on synthetic listings.
//!
//! `cargo run --release -p spector-enrich --example throughput -- [listings]` (default 100000).

use std::hint::black_box;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spector_enrich::{
    Classifier, classify_listing, find_contact_handles, find_crypto_addresses, find_public_keys,
};

const TITLES: &[&str] = &[
    "100x M30 blues - pressed in USA",
    "Fentanyl HCl 98% 1g",
    "China White 3.5g",
    "Rainbow M30s x50 (skittles)",
    "Afghan Heroin #4 10g",
    "Crystal Meth shards 7g",
    "Peruvian cocaine 90% 3.5g",
    "Xanax bars G3722 x100",
    "MDMA crystal 84% 5g",
    "Amnesia Haze 1oz",
    "Fake passport (EU)",
    "Fentanyl test strips x10",
    "Oxycodone 10mg pharma x30",
    "Special offer - free shipping",
];
const WORDS: &[&str] = &[
    "stealth",
    "shipping",
    "from",
    "NL",
    "to",
    "worldwide",
    "10g",
    "$120",
    "escrow",
    "only",
    "quality",
    "tested",
    "reship",
    "once",
    "vacuum",
    "sealed",
    "tracking",
    "available",
    "please",
    "read",
    "our",
    "terms",
    "before",
    "ordering",
    "no",
    "FE",
    "for",
    "new",
    "buyers",
    "3.5g",
    "x100",
    "lab",
    "pure",
];

fn description(rng: &mut ChaCha8Rng) -> String {
    let mut words: Vec<String> = (0..rng.gen_range(40..120))
        .map(|_| WORDS[rng.gen_range(0..WORDS.len())].to_string())
        .collect();
    if rng.gen_bool(0.05) {
        let hash: [u8; 20] = rng.r#gen();
        words.push(bech32::segwit::encode_v0(bech32::hrp::BC, &hash).unwrap());
    }
    if rng.gen_bool(0.05) {
        words.push(format!("wickr: vendor{}", rng.gen_range(1..999)));
    }
    words.join(" ")
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let listings: Vec<(&str, String)> = (0..n)
        .map(|_| {
            (
                TITLES[rng.gen_range(0..TITLES.len())],
                description(&mut rng),
            )
        })
        .collect();
    let bytes: usize = listings.iter().map(|(t, d)| t.len() + d.len()).sum();

    // Compile the lazily built regexes outside the timing.
    black_box(classify_listing("warm up", Some("wickr: x")));
    black_box(find_contact_handles("warm up"));

    let total = Instant::now();
    let mut classified = 0;
    let start = Instant::now();
    for (title, desc) in &listings {
        classified += usize::from(classify_listing(title, Some(desc)).class.is_some());
    }
    let classify_time = start.elapsed();
    let start = Instant::now();
    let addresses: usize = listings
        .iter()
        .map(|(_, d)| find_crypto_addresses(d).len())
        .sum();
    let address_time = start.elapsed();
    let start = Instant::now();
    let handles: usize = listings
        .iter()
        .map(|(_, d)| find_contact_handles(d).len())
        .sum();
    let handle_time = start.elapsed();
    let start = Instant::now();
    let keys: usize = listings
        .iter()
        .map(|(_, d)| find_public_keys(d).len())
        .sum();
    let key_time = start.elapsed();
    let elapsed = total.elapsed();
    // Outside the total: how much of the classifier's time fuzzy matching takes.
    let exact_only = Classifier::embedded().clone().with_fuzzy(false);
    let start = Instant::now();
    let exact_classified: usize = listings
        .iter()
        .map(|(title, desc)| usize::from(exact_only.classify(title, Some(desc)).class.is_some()))
        .sum();
    let exact_time = start.elapsed();
    println!(
        "{n} listings ({:.1} MB): {:.2} s in all, {:.0} listings/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        bytes as f64 / 1e6 / elapsed.as_secs_f64(),
    );
    println!(
        "  classify {:.2} s ({classified} classified), addresses {:.2} s ({addresses}), handles {:.2} s ({handles}), keys {:.3} s ({keys})",
        classify_time.as_secs_f64(),
        address_time.as_secs_f64(),
        handle_time.as_secs_f64(),
        key_time.as_secs_f64(),
    );
    println!(
        "  classify without fuzzy matching {:.2} s ({exact_classified} classified); {:.1} µs per listing with, {:.1} without",
        exact_time.as_secs_f64(),
        classify_time.as_secs_f64() * 1e6 / n as f64,
        exact_time.as_secs_f64() * 1e6 / n as f64,
    );
}
