use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use spector_enrich::PriceTable;
use spector_pipeline::{
    EnrichOptions, IngestOptions, ProfileChoice, ingest_images, ingest_source, run_enrich,
    run_link, targets,
};
use spector_store::Case;
use spector_synth::{SynthConfig, generate};

use crate::output::Output;
use crate::progress::Bar;

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    #[arg(long, default_value_t = 9)]
    pub markets: usize,
    /// Keep the synthetic world and the case in this directory instead of a temporary one.
    #[arg(long)]
    pub keep: Option<PathBuf>,
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// Every regular file below `dir`, sorted, so ingest order is reproducible.
fn files_below(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

pub fn run(args: DemoArgs, out: &Output) -> anyhow::Result<()> {
    let started = Instant::now();
    let temp;
    let root = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let world = root.join("world");
    let case_dir = root.join("case");

    out.line(&format!(
        "1. synthesising {} seized markets (seed {}) …",
        args.markets, args.seed
    ));
    let bar = indicatif::ProgressBar::new_spinner();
    let summary = generate(
        &SynthConfig {
            seed: args.seed,
            scale: args.scale,
            markets: args.markets,
        },
        &world,
        &|_| bar.tick(),
    )?;
    bar.finish_and_clear();
    out.line(&format!(
        "   {} personas, {} accounts, {} orders",
        summary.personas, summary.accounts, summary.orders
    ));

    out.line("2. ingesting every dump and the product photos into a new case …");
    let case = Case::init(&case_dir)?;
    let mut markets: Vec<PathBuf> = std::fs::read_dir(world.join("markets"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    markets.sort();
    for market_dir in &markets {
        let market = market_dir
            .file_name()
            .and_then(|n| n.to_str())
            .context("market folder name")?
            .to_string();
        for file in files_below(market_dir)? {
            let r = ingest_source(
                &case,
                &market,
                &file,
                &ProfileChoice::Auto,
                &IngestOptions::default(),
                &Bar::new(),
            )?;
            let stored: u64 = r.stored.values().sum();
            out.line(&format!(
                "   {market:<11} {:<22} {:<10} profile {:<9} {:>7} records",
                file.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
                r.format.as_str(),
                r.profile,
                stored
            ));
        }
        // The market server's product photos, after the dump that names them.
        let images = market_dir.join("images");
        if images.is_dir() {
            let r = ingest_images(&case, &market, &images, &Bar::new())?;
            out.line(&format!(
                "   {market:<11} {:<22} {:<10} {:>7} files, {} undecodable",
                "images/",
                "images",
                r.stored,
                r.undecodable.len()
            ));
        }
    }

    out.line("3. enriching listings and orders …");
    let enriched = run_enrich(&case, &EnrichOptions::default(), &Bar::new())?;
    out.line(&format!(
        "   {} listings: {} fentanyl-related, {} counterfeit pills, {} aimed at young buyers; {} of {} orders valued in USD",
        enriched.listings,
        enriched.fentanyl,
        enriched.counterfeit_pill,
        enriched.youth_appeal,
        enriched.orders_valued_usd,
        enriched.orders
    ));

    out.line("4. linking accounts across markets …");
    let link = run_link(&case, &Bar::new())?;
    out.line(&format!(
        "   {} accounts → {} personas ({} on several markets); {} shared identifiers set aside",
        link.accounts,
        link.personas,
        link.multi_account_personas,
        link.ignored.len()
    ));

    out.line("5. top targets by sales:");
    let ranked = targets(&case, PriceTable::shipped(), &Bar::new())?;
    super::targets::print_targets(&ranked, args.top, out)?;
    out.line(&format!(
        "done in {:.1} s{}",
        started.elapsed().as_secs_f64(),
        match &args.keep {
            Some(d) => format!("; case kept in {}", d.join("case").display()),
            None => String::new(),
        }
    ));
    Ok(())
}
