use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use spector_chain::bitcoin::Network;
use spector_pipeline::{ChainImportOptions, ChainImportReport, import_chain};
use spector_store::Case;

use crate::output::Output;
use crate::progress::Bar;

#[derive(Subcommand)]
pub enum ChainAction {
    /// Bring files of Bitcoin blocks into the case: Bitcoin Core's blk?????.dat files (or its blocks/
    /// directory), files of one raw block, getblock answers at verbosity 2 (JSON).
    ///
    /// Each file is copied into the evidence area and hashed. The chain tables (chain_blocks, chain_txs,
    /// chain_inputs, chain_outputs, chain_addresses; see `spector sql`) are then rebuilt from every file of
    /// blocks the case holds, on the best chain (most work; side chains and orphans left out), each input
    /// with the value and address of the output it spends when that output was read. A truncated or
    /// corrupt file is reported with its byte offset and the blocks before the fault are kept; the command
    /// then exits non-zero unless --allow-problems. Importing the same files again does nothing.
    ///
    ///   spector chain import --case CASE ~/.bitcoin/blocks
    ///   spector chain import --case CASE block_481829.raw getblock-50001.json
    #[command(verbatim_doc_comment)]
    Import(ImportArgs),
    /// Count what the case holds of the chain: files, blocks, transactions, inputs, outputs, addresses.
    Stats(StatsArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    /// Files of blocks, or directories of them (their blk*.dat, *.raw and *.json files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The network of raw blocks and getblock answers, which do not say: bitcoin, testnet, testnet4,
    /// signet or regtest (blk files say it by their magic).
    #[arg(long, default_value = "bitcoin")]
    pub network: String,
    /// Exit 0 even when a file was truncated or held something not a block (the blocks read are kept).
    #[arg(long)]
    pub allow_problems: bool,
}

#[derive(Args)]
pub struct StatsArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
}

pub fn run(action: ChainAction, out: &Output) -> anyhow::Result<()> {
    match action {
        ChainAction::Import(args) => import(args, out),
        ChainAction::Stats(args) => stats(&args.case, out),
    }
}

fn import(args: ImportArgs, out: &Output) -> anyhow::Result<()> {
    let network = Network::from_core_arg(&args.network)
        .or_else(|_| args.network.parse::<Network>())
        .with_context(|| {
            format!(
                "--network {:?}: expected bitcoin, testnet, testnet4, signet or regtest",
                args.network
            )
        })?;
    let case = Case::open(&args.case)?;
    let report = import_chain(
        &case,
        &args.paths,
        &ChainImportOptions { network },
        &Bar::new(),
    )?;
    print_import(&report, out)?;
    if !report.problems.is_empty() && !args.allow_problems {
        anyhow::bail!(
            "{} file(s) could not be read to the end (see above); the blocks before each fault were stored. Pass --allow-problems to exit 0.",
            report.problems.len()
        );
    }
    Ok(())
}

fn print_import(r: &ChainImportReport, out: &Output) -> anyhow::Result<()> {
    if out.json {
        return out.print_json(&serde_json::json!({
            "files_given": r.files_given,
            "files_new": r.files_new,
            "files_in_case": r.files_in_case,
            "rebuilt": r.rebuilt,
            "network": r.network,
            "blocks_found": r.blocks_found,
            "blocks_on_chain": r.blocks_on_chain,
            "segments": r.segments,
            "side_blocks": r.side_blocks,
            "duplicate_blocks": r.duplicate_blocks,
            "transactions": r.transactions,
            "inputs": r.inputs,
            "inputs_resolved": r.inputs_resolved,
            "outputs": r.outputs,
            "addresses": r.addresses,
            "problems": r.problems,
        }));
    }
    if !r.rebuilt {
        out.line(&format!(
            "{} file(s) given, none new: the case's chain tables are unchanged ({} file(s) of blocks held).",
            r.files_given, r.files_in_case
        ));
        return Ok(());
    }
    out.line(&format!(
        "{} new file(s) of blocks ({} in the case), {}: {} blocks read, {} on the best chain in {} segment(s), {} on side chains, {} read twice",
        r.files_new,
        r.files_in_case,
        r.network,
        r.blocks_found,
        r.blocks_on_chain,
        r.segments,
        r.side_blocks,
        r.duplicate_blocks
    ));
    out.line(&format!(
        "{} transactions, {} inputs ({} resolved to the output they spend), {} outputs, {} addresses",
        r.transactions, r.inputs, r.inputs_resolved, r.outputs, r.addresses
    ));
    for p in &r.problems {
        out.line(&format!("problem: {p}"));
    }
    Ok(())
}

fn stats(case: &std::path::Path, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(case)?;
    let files = case.chain_sources()?.len();
    let [blocks, txs, inputs, outputs, addresses] = case.chain_counts()?;
    if out.json {
        return out.print_json(&serde_json::json!({
            "files": files,
            "blocks": blocks,
            "transactions": txs,
            "inputs": inputs,
            "outputs": outputs,
            "addresses": addresses,
        }));
    }
    out.line(&format!(
        "{files} file(s) of blocks: {blocks} blocks on the best chain, {txs} transactions, {inputs} inputs, {outputs} outputs, {addresses} addresses"
    ));
    Ok(())
}
