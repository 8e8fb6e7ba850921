use std::path::PathBuf;

use clap::Args;
use spector_synth::{SynthConfig, generate};

use crate::output::Output;

#[derive(Args)]
pub struct SynthArgs {
    /// Seed: the same seed, scale and market count give byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Size: 1.0 is a few thousand records; orders grow linearly (about 10M orders needs a scale in the thousands).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Number of markets (at least 3), cycling through MySQL, PostgreSQL and crawler-CSV formats.
    #[arg(long, default_value_t = 9)]
    pub markets: usize,
    /// Output directory: markets/<market>/ and truth/ are written below it.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: SynthArgs, out: &Output) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("writing synthetic markets");
    let config = SynthConfig {
        seed: args.seed,
        scale: args.scale,
        markets: args.markets,
    };
    let summary = generate(&config, &args.out, &|_| bar.tick())?;
    bar.finish_and_clear();
    if out.json {
        return out.print_json(&serde_json::json!({
            "out": args.out,
            "markets": summary.markets.len(),
            "personas": summary.personas,
            "accounts": summary.accounts,
            "orders": summary.orders,
            "bytes_written": summary.bytes_written,
        }));
    }
    out.line(&format!(
        "wrote {} markets, {} personas, {} accounts, {} orders ({:.1} MB) to {}",
        summary.markets.len(),
        summary.personas,
        summary.accounts,
        summary.orders,
        summary.bytes_written as f64 / 1e6,
        args.out.display()
    ));
    Ok(())
}
