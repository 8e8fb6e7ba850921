use std::path::PathBuf;

use clap::Args;
use spector_synth::{SynthConfig, generate, generate_with_chain};

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
    /// Also write the world's money as a regtest Bitcoin chain: chain/blk?????.dat (buyers paying market
    /// deposit addresses, payouts to the dumps' payout addresses, vendors cashing out at exchanges, some
    /// through a CoinJoin), truth/chain_*.csv (who holds each address, each order's transactions) and
    /// attribution/exchanges.yaml (a GraphSense TagPack of exchange addresses). The chain pays the scripts
    /// of the world's mainnet addresses: read it as mainnet to see the dumps' spellings.
    #[arg(long)]
    pub chain: bool,
}

pub fn run(args: SynthArgs, out: &Output) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("writing synthetic markets");
    let config = SynthConfig {
        seed: args.seed,
        scale: args.scale,
        markets: args.markets,
    };
    let (summary, chain) = if args.chain {
        let (summary, chain) = generate_with_chain(&config, &args.out, &|_| bar.tick())?;
        (summary, Some(chain))
    } else {
        (generate(&config, &args.out, &|_| bar.tick())?, None)
    };
    bar.finish_and_clear();
    if out.json {
        let mut json = serde_json::json!({
            "out": args.out,
            "markets": summary.markets.len(),
            "personas": summary.personas,
            "accounts": summary.accounts,
            "orders": summary.orders,
            "bytes_written": summary.bytes_written,
        });
        if let Some(chain) = &chain {
            json["chain"] = serde_json::json!({
                "blocks": chain.blocks,
                "transactions": chain.transactions,
                "bytes": chain.bytes,
                "files": chain.files,
            });
        }
        return out.print_json(&json);
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
    if let Some(chain) = chain {
        out.line(&format!(
            "wrote a regtest chain of {} blocks, {} transactions ({:.1} MB) to {}",
            chain.blocks,
            chain.transactions,
            chain.bytes as f64 / 1e6,
            args.out.join("chain").display()
        ));
    }
    Ok(())
}
