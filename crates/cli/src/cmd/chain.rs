use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use spector_chain::bitcoin::Network;
use spector_pipeline::{ChainImportOptions, ChainImportReport, import_chain, why_joined};
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
    /// Count what the case holds of the chain: files, blocks, transactions, inputs, outputs, addresses,
    /// clusters.
    Stats(StatsArgs),
    /// Which transactions put two addresses in one cluster, union by union.
    ///
    /// Each step names the transaction and the rule ("common_input": spent together in it; or a change
    /// heuristic's name when one was asked for at import), so that the claim "these addresses have one
    /// owner" can be checked transaction by transaction in any block explorer.
    ///
    ///   spector chain why --case CASE 1HB5XMLmzFVj8ALj6mfBsbifRoD4miY36v 1Dt6Mq...
    #[command(verbatim_doc_comment)]
    Why(WhyArgs),
    /// Follow value from an address or a persona through transactions to labelled clusters.
    ///
    /// START is a persona id (its accounts' Bitcoin addresses from the market records) or an address.
    /// Forward (--direction out) shows where the coins went: an exchange that cashed them out, a mixer,
    /// a market; backward (in) where they came from. Labels come from `spector chain tags`; a tag on any
    /// address labels its whole cluster. Amounts are in BTC and in USD at each transaction's date.
    ///
    /// The policy decides how much of an output counts: haircut (each output carries the traced share
    /// of its transaction's inputs) or poison (any traced input taints every output in full: an upper
    /// bound). Reports name the policy.
    ///
    ///   spector chain trace --case CASE P-3fa1c0d2e9b4 --hops 6
    ///   spector chain trace --case CASE bc1q... --direction in --policy poison
    #[command(verbatim_doc_comment)]
    Trace(TraceArgs),
    /// Import public attribution: GraphSense TagPacks (*.yaml) and sanctions lists
    /// (sanctioned_addresses_<COIN>.txt, one address a line), files or directories of them.
    ///
    /// Each file becomes evidence; the table chain_tags is rebuilt from every file of tags the case holds.
    /// A tag on any address labels that address's whole cluster in traces and persona pages. A tag that
    /// cannot be read (no label or source, an invalid Bitcoin address) is listed with its file and line,
    /// and the command exits non-zero unless --allow-rejects; ActorPacks are skipped with the reason.
    ///
    ///   spector chain tags --case CASE ../shared/data/attribution/graphsense_tagpacks
    #[command(verbatim_doc_comment)]
    Tags(TagsArgs),
}

#[derive(Args)]
pub struct TagsArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Exit 0 even when some tags could not be read (the others are stored).
    #[arg(long)]
    pub allow_rejects: bool,
}

#[derive(Args)]
pub struct TraceArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    /// A persona id (P-...) or a Bitcoin address.
    pub start: String,
    /// Transactions to follow at most.
    #[arg(long, default_value_t = 5)]
    pub hops: usize,
    /// out: where the coins went; in: where they came from.
    #[arg(long, default_value = "out", value_parser = ["out", "in"])]
    pub direction: String,
    /// haircut (proportional) or poison (full taint).
    #[arg(long, default_value = "haircut", value_parser = ["haircut", "poison"])]
    pub policy: String,
}

#[derive(Args)]
pub struct WhyArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    pub a: String,
    pub b: String,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    /// Files of blocks, or directories of them (their blk*.dat, *.raw and *.json files).
    #[arg(required_unless_present = "rpc_url")]
    pub paths: Vec<PathBuf>,
    /// Also fetch blocks from a node's JSON-RPC (e.g. http://127.0.0.1:8332), the heights of --heights;
    /// they are stored as one blk file named after the node and the heights.
    #[arg(long, requires = "heights")]
    pub rpc_url: Option<String>,
    /// Heights to fetch over RPC, as FIRST..LAST (inclusive).
    #[arg(long, value_name = "FIRST..LAST")]
    pub heights: Option<String>,
    /// The node's .cookie file (in its data directory), for RPC credentials.
    #[arg(long)]
    pub rpc_cookie: Option<PathBuf>,
    #[arg(long, env = "SPECTOR_RPC_USER")]
    pub rpc_user: Option<String>,
    #[arg(long, env = "SPECTOR_RPC_PASSWORD", hide_env_values = true)]
    pub rpc_password: Option<String>,
    /// The network of raw blocks and getblock answers, which do not say: bitcoin, testnet, testnet4,
    /// signet or regtest (blk files say it by their magic).
    #[arg(long, default_value = "bitcoin")]
    pub network: String,
    /// Exit 0 even when a file was truncated or held something not a block (the blocks read are kept).
    #[arg(long)]
    pub allow_problems: bool,
    /// Also join a two-output transaction's change to its inputs, by a named heuristic (repeatable; off
    /// by default, as these are guesses about the payer's wallet): script-type, round-amount,
    /// optimal, fresh-address.
    #[arg(long = "change", value_name = "RULE")]
    pub change: Vec<String>,
    /// Refuse (and record) a union of two clusters that both hold at least this many addresses.
    #[arg(long, default_value_t = spector_chain::ClusterOptions::default().guard_size)]
    pub guard_size: usize,
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
        ChainAction::Why(args) => why(&args, out),
        ChainAction::Trace(args) => trace(&args, out),
        ChainAction::Tags(args) => tags(&args, out),
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
    let mut change = Vec::new();
    for name in &args.change {
        change.push(spector_chain::ChangeRule::from_name(name).with_context(|| {
            format!(
                "--change {name:?}: expected script-type, round-amount, optimal or fresh-address"
            )
        })?);
    }
    let case = Case::open(&args.case)?;
    let fetched = tempfile::tempdir()?;
    let mut paths = args.paths.clone();
    if let (Some(url), Some(heights)) = (&args.rpc_url, &args.heights) {
        let (from, to) = heights
            .split_once("..")
            .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
            .with_context(|| {
                format!("--heights {heights:?}: expected FIRST..LAST, e.g. 800000..800143")
            })?;
        let node = super::chain_rpc::Node::new(
            url,
            super::chain_rpc::credentials(
                args.rpc_cookie.as_deref(),
                args.rpc_user.as_deref(),
                args.rpc_password.as_deref(),
            )?,
        );
        let bar = Bar::new();
        spector_pipeline::Progress::begin_items(
            &bar,
            "fetching blocks over RPC",
            to.saturating_sub(from) + 1,
        );
        let file = super::chain_rpc::fetch_blocks(&node, from, to, fetched.path(), &|n| {
            spector_pipeline::Progress::set(&bar, n)
        })?;
        spector_pipeline::Progress::end(&bar);
        paths.push(file);
    }
    let options = ChainImportOptions {
        network,
        cluster: spector_chain::ClusterOptions {
            change,
            guard_size: args.guard_size,
        },
    };
    let report = import_chain(&case, &paths, &options, &Bar::new())?;
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
            "clusters": r.clusters,
            "largest_cluster": r.largest_cluster,
            "unions": r.unions,
            "coinjoins_skipped": r.coinjoins,
            "guarded_unions": r.guarded_unions,
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
    out.line(&format!(
        "{} clusters (largest {} addresses) from {} unions; {} CoinJoin transactions left apart, {} unions refused by the large-cluster guard",
        r.clusters, r.largest_cluster, r.unions, r.coinjoins, r.guarded_unions
    ));
    for p in &r.problems {
        out.line(&format!("problem: {p}"));
    }
    Ok(())
}

fn why(args: &WhyArgs, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(&args.case)?;
    let why = why_joined(&case, &args.a, &args.b)?;
    if out.json {
        return out.print_json(&serde_json::json!({
            "a": args.a,
            "b": args.b,
            "same_cluster": why.path.is_some(),
            "unions": why.path.iter().flatten().map(|u| {
                serde_json::json!({"from": u.address_a, "to": u.address_b, "txid": u.txid, "rule": u.rule})
            }).collect::<Vec<_>>(),
        }));
    }
    match &why.path {
        None => {
            let cluster = |row: &Option<spector_model::ChainAddress>| {
                row.as_ref()
                    .map_or("never seen on the chain read".to_string(), |x| {
                        format!("cluster {} ({} addresses)", x.cluster, x.cluster_size)
                    })
            };
            out.line(&format!(
                "{} and {} are not in one cluster: {} is in {}, {} in {}",
                args.a,
                args.b,
                args.a,
                cluster(&why.a),
                args.b,
                cluster(&why.b)
            ));
        }
        Some(path) if path.is_empty() => out.line("the same address"),
        Some(path) => {
            out.line(&format!(
                "{} and {} are one cluster through {} union(s):",
                args.a,
                args.b,
                path.len()
            ));
            for u in path {
                out.line(&format!(
                    "  {} joins {} and {} ({})",
                    u.txid, u.address_a, u.address_b, u.rule
                ));
            }
        }
    }
    Ok(())
}

fn stats(case: &std::path::Path, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(case)?;
    let files = case.chain_sources()?.len();
    let [blocks, txs, inputs, outputs, addresses, unions] = case.chain_counts()?;
    // Every address starts a cluster of its own and each union recorded joined two: counted, not read.
    let clusters = addresses.saturating_sub(unions);
    let skips = case.chain_skips()?;
    let coinjoins = skips
        .iter()
        .filter(|k| k.rule.starts_with("coinjoin"))
        .count();
    if out.json {
        return out.print_json(&serde_json::json!({
            "files": files,
            "blocks": blocks,
            "transactions": txs,
            "inputs": inputs,
            "outputs": outputs,
            "addresses": addresses,
            "clusters": clusters,
            "coinjoins_skipped": coinjoins,
            "guarded_unions": skips.len() - coinjoins,
        }));
    }
    out.line(&format!(
        "{files} file(s) of blocks: {blocks} blocks on the best chain, {txs} transactions, {inputs} inputs, {outputs} outputs, {addresses} addresses in {clusters} clusters ({coinjoins} CoinJoins left apart)"
    ));
    Ok(())
}

fn trace(args: &TraceArgs, out: &Output) -> anyhow::Result<()> {
    use spector_chain::{ArrivalReason, Direction, TaintPolicy, TraceOptions};
    let case = Case::open(&args.case)?;
    let options = TraceOptions {
        direction: if args.direction == "in" {
            Direction::In
        } else {
            Direction::Out
        },
        hops: args.hops,
        policy: if args.policy == "poison" {
            TaintPolicy::Poison
        } else {
            TaintPolicy::Haircut
        },
        ..TraceOptions::default()
    };
    let r = spector_pipeline::trace_money(&case, &args.start, &options)?;
    let btc = |sat: f64| sat / 1e8;
    let reason = |r: ArrivalReason| match r {
        ArrivalReason::Labelled => "labelled",
        ArrivalReason::Unspent => "not spent in the blocks read",
        ArrivalReason::EdgeOfTrace => "edge of trace",
    };
    if out.json {
        return out.print_json(&serde_json::json!({
            "persona": r.persona,
            "addresses": r.addresses,
            "direction": args.direction,
            "policy": r.trace.policy.name(),
            "hops": args.hops,
            "start_btc": btc(r.trace.start_sat as f64),
            "truncated": r.trace.truncated,
            "by_label": r.trace.by_label.iter().map(|(l, sat)| serde_json::json!({
                "label": l, "btc": btc(*sat), "usd": r.by_label_usd.get(l),
                "grounds": r.label_grounds.get(l),
            })).collect::<Vec<_>>(),
            "arrivals": r.trace.arrivals.iter().zip(&r.arrivals_usd).map(|(a, usd)| serde_json::json!({
                "address": a.address, "label": a.label, "btc": btc(a.sat), "usd": usd, "time": a.time,
                "hops": a.hops, "reason": reason(a.reason), "path": a.path,
            })).collect::<Vec<_>>(),
        }));
    }
    out.line(&format!(
        "{} {} from {} address(es){}, {} hop(s), {} policy: {:.8} BTC at the start{}",
        if options.direction == Direction::In {
            "Tracing back"
        } else {
            "Tracing"
        },
        args.start,
        r.addresses.len(),
        r.persona
            .as_ref()
            .map_or(String::new(), |_| " of the persona's market records".into()),
        args.hops,
        r.trace.policy.name(),
        btc(r.trace.start_sat as f64),
        if r.trace.truncated {
            " (stopped early: too many outputs in one hop)"
        } else {
            ""
        }
    ));
    if r.trace.by_label.is_empty() {
        out.line("no labelled cluster reached (import tags with `spector chain tags`)");
    }
    for (label, sat) in &r.trace.by_label {
        out.line(&format!(
            "  {label}: {:.8} BTC{}",
            btc(*sat),
            r.by_label_usd
                .get(label)
                .map_or(String::new(), |u| format!(" (${u:.0} at the dates)"))
        ));
        for ground in r.label_grounds.get(label).into_iter().flatten() {
            out.line(&format!("      labelled by {ground}"));
        }
    }
    let rows = r
        .trace
        .arrivals
        .iter()
        .zip(&r.arrivals_usd)
        .map(|(a, usd)| {
            vec![
                a.label.clone().unwrap_or_default(),
                a.address.clone().unwrap_or_default(),
                format!("{:.8}", btc(a.sat)),
                usd.map_or(String::new(), |u| format!("{u:.0}")),
                a.hops.to_string(),
                reason(a.reason).to_string(),
                a.path.last().cloned().unwrap_or_default(),
            ]
        })
        .collect();
    out.table(
        &[
            "label",
            "address",
            "BTC",
            "USD",
            "hops",
            "ends",
            "last transaction",
        ],
        rows,
    );
    Ok(())
}

fn tags(args: &TagsArgs, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(&args.case)?;
    let r = spector_pipeline::import_tags(&case, &args.paths)?;
    if out.json {
        out.print_json(&serde_json::json!({
            "files_given": r.files_given,
            "files_new": r.files_new,
            "tags": r.tags,
            "btc_tags": r.btc_tags,
            "new_tags": r.new_tags,
            "rejects": r.rejects,
            "skipped": r.skipped,
        }))?;
    } else {
        out.line(&format!(
            "{} new file(s) of tags ({} given): {} tags read; the case holds {} tags, {} of Bitcoin addresses",
            r.files_new, r.files_given, r.new_tags, r.tags, r.btc_tags
        ));
        for s in &r.skipped {
            out.line(&format!("skipped: {s}"));
        }
        for reject in r.rejects.iter().take(20) {
            out.line(&format!("rejected: {reject}"));
        }
        if r.rejects.len() > 20 {
            out.line(&format!("... and {} more rejected", r.rejects.len() - 20));
        }
    }
    if !r.rejects.is_empty() && !args.allow_rejects {
        anyhow::bail!(
            "{} tag(s) could not be read (listed above); the others were stored. Pass --allow-rejects to exit 0.",
            r.rejects.len()
        );
    }
    Ok(())
}
