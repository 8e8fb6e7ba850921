//! Synthetic chains, timed.
//!
//! `cargo run --release -p spector-synth --example chain -- world SEED SCALE OUT [MARKETS]`: a world with
//! its chain (`OUT/chain/`, `OUT/truth/chain_*.csv`, `OUT/attribution/exchanges.yaml`).
//!
//! `cargo run --release -p spector-synth --example chain -- bulk TRANSACTIONS OUT [SEED]`: a bulk chain of
//! that many transactions in `OUT/` (`blk00000.dat`, ...), for benchmarks.

use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("world") => {
            let config = spector_synth::SynthConfig {
                seed: arg(1).map_or(Ok(1), str::parse)?,
                scale: arg(2).map_or(Ok(1.0), str::parse)?,
                markets: arg(4).map_or(Ok(9), str::parse)?,
            };
            let out = PathBuf::from(arg(3).unwrap_or("synth-out"));
            let started = Instant::now();
            let (world, chain) = spector_synth::generate_with_chain(&config, &out, &|_| {})?;
            println!(
                "world: {} orders, {:.2} MB; chain: {} blocks, {} transactions, {:.2} MB in {} files; {:.2?} in all",
                world.orders,
                world.bytes_written as f64 / 1e6,
                chain.blocks,
                chain.transactions,
                chain.bytes as f64 / 1e6,
                chain.files.len(),
                started.elapsed()
            );
        }
        Some("bulk") => {
            let config = spector_synth::chain::BulkConfig {
                transactions: arg(1).map_or(Ok(1_000_000), str::parse)?,
                seed: arg(3).map_or(Ok(1), str::parse)?,
                ..Default::default()
            };
            let out = PathBuf::from(arg(2).unwrap_or("bulk-chain"));
            let started = Instant::now();
            let chain = spector_synth::chain::write_bulk_chain(&config, &out, &|_| {})?;
            let elapsed = started.elapsed();
            println!(
                "{} blocks, {} transactions, {:.1} MB in {} files in {:.2?}: {:.0} tx/s, {:.0} MB/s",
                chain.blocks,
                chain.transactions,
                chain.bytes as f64 / 1e6,
                chain.files.len(),
                elapsed,
                chain.transactions as f64 / elapsed.as_secs_f64(),
                chain.bytes as f64 / 1e6 / elapsed.as_secs_f64()
            );
        }
        _ => {
            eprintln!(
                "usage: chain world SEED SCALE OUT [MARKETS] | chain bulk TRANSACTIONS OUT [SEED]"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
