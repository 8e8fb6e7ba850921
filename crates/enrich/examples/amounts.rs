//! Speed of `parse_amounts` and `normalise_place` on the titles and places of an Agora-shaped CSV
//! (columns `product`, `from`, `to`), and, with `--show`, the titles in which nothing was found.
//!
//! `cargo run --release -p spector-enrich --example amounts -- <products.csv> [rounds] [--show]`

use std::hint::black_box;
use std::time::Instant;

use spector_enrich::{normalise_place, parse_amounts};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: amounts <products.csv> [rounds] [--show]");
        std::process::exit(2);
    };
    let rest: Vec<String> = args.collect();
    let rounds: usize = rest.iter().find_map(|a| a.parse().ok()).unwrap_or(20);
    let show = rest.iter().any(|a| a == "--show");
    let mut reader = match csv::ReaderBuilder::new().flexible(true).from_path(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let headers = reader.headers().cloned().unwrap_or_default();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (product, from, to, cat) = (col("product"), col("from"), col("to"), col("cat"));
    let mut titles = Vec::new();
    let mut places = Vec::new();
    for record in reader.records().flatten() {
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        titles.push((get(product), get(cat)));
        places.push(get(from));
        places.push(get(to));
    }
    if show {
        for (title, category) in &titles {
            let a = parse_amounts(title);
            if a.summary.grams.is_none() && a.summary.count.is_none() {
                println!("{category:12} | {title}");
            }
        }
        return;
    }
    black_box(parse_amounts("warm up 1g"));
    black_box(normalise_place("warm up"));
    let start = Instant::now();
    let mut found = 0usize;
    for _ in 0..rounds {
        for (title, _) in &titles {
            found += parse_amounts(black_box(title)).matches.len();
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let n = (titles.len() * rounds) as f64;
    println!(
        "parse_amounts: {n} titles in {elapsed:.2} s: {:.0} titles/s, {:.2} µs/title ({found} matches)",
        n / elapsed,
        1e6 * elapsed / n
    );
    let start = Instant::now();
    let mut known = 0usize;
    for _ in 0..rounds {
        for place in &places {
            known += usize::from(!normalise_place(black_box(place)).countries.is_empty());
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let n = (places.len() * rounds) as f64;
    println!(
        "normalise_place: {n} values in {elapsed:.2} s: {:.0} values/s, {:.2} µs/value ({known} with countries)",
        n / elapsed,
        1e6 * elapsed / n
    );
}
