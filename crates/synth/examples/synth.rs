//! `cargo run --release -p spector-synth --example synth -- SEED SCALE OUT [MARKETS]`: writes a world and
//! prints per-market sizes and the time taken.

use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seed = args.get(1).map_or(Ok(1), |s| s.parse())?;
    let scale = args.get(2).map_or(Ok(1.0), |s| s.parse())?;
    let out = PathBuf::from(args.get(3).map_or("synth-out", String::as_str));
    let markets = args.get(4).map_or(Ok(9), |s| s.parse())?;
    let config = spector_synth::SynthConfig {
        seed,
        scale,
        markets,
    };
    let started = Instant::now();
    let summary = spector_synth::generate(&config, &out, &|_| {})?;
    let elapsed = started.elapsed();
    for m in &summary.markets {
        let c = &m.counts;
        println!(
            "{:<11} {:<8} accounts {:>7} listings {:>6} orders {:>9} feedback {:>8} messages {:>7} keys {:>5} addresses {:>7} handles {:>5} {:>9.2} MB",
            m.name,
            format!("{:?}", m.family),
            c.accounts,
            c.listings,
            c.orders,
            c.feedback,
            c.messages,
            c.pgp_keys,
            c.crypto_addresses,
            c.contact_handles,
            m.bytes_written as f64 / 1e6
        );
    }
    println!(
        "personas {} accounts {} orders {} bytes {:.2} MB in {:.2?}",
        summary.personas,
        summary.accounts,
        summary.orders,
        summary.bytes_written as f64 / 1e6,
        elapsed
    );
    Ok(())
}
