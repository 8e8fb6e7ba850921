//! Following the money over the chain tables: traces from an address or a persona to labelled clusters,
//! with amounts in BTC and in USD at the date, and what a persona's market addresses show on chain.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use spector_chain::bitcoin::{Address, Network};
use spector_chain::{Trace, TraceOptions, TxGraph, trace, union_path};
use spector_enrich::PriceTable;
use spector_store::Case;

use crate::PipelineError;

/// `address` as the chain's network writes it: market dumps hold mainnet addresses, a test chain may be
/// regtest; the same script is the same owner. `None` when it is not a Bitcoin address at all.
pub fn on_network(address: &str, network: Network) -> Option<String> {
    let parsed: Address<spector_chain::bitcoin::address::NetworkUnchecked> =
        address.trim().parse().ok()?;
    let script = parsed.assume_checked_ref().script_pubkey();
    Address::from_script(&script, network)
        .ok()
        .map(|a| a.to_string())
}

fn chain_network(case: &Case) -> Result<Option<Network>, PipelineError> {
    Ok(case
        .first_chain_block()?
        .and_then(|b| b.network.parse::<Network>().ok()))
}

/// Address → its cluster (for the addresses of clusters holding a tagged address), and cluster (or lone
/// tagged address) → label.
struct Labels {
    cluster_of: HashMap<String, String>,
    label: HashMap<String, String>,
    /// Label → where each tag behind it comes from: "source (confidence; file line N)".
    grounds: HashMap<String, BTreeSet<String>>,
}

impl Labels {
    fn of(&self, address: &str) -> Option<String> {
        let cluster = self.cluster_of.get(address).map_or(address, String::as_str);
        self.label
            .get(cluster)
            .or_else(|| self.label.get(address))
            .cloned()
    }
}

/// The labels of clusters: a tag on any address labels the address's whole cluster. Several labels of one
/// cluster are joined with "; ".
fn cluster_labels(case: &Case, network: Network) -> Result<Labels, PipelineError> {
    // Only the clusters holding a tagged address can label anything: the map from address to cluster is
    // kept for their addresses alone (a large chain has tens of millions of addresses, few of them
    // labelled).
    let tags: Vec<_> = case
        .chain_tags()?
        .into_iter()
        .filter(|t| t.currency == "BTC")
        .map(|t| {
            // Tags name mainnet addresses; a test chain writes the same scripts for its own network.
            let address = on_network(&t.address, network).unwrap_or_else(|| t.address.clone());
            (address, t)
        })
        .collect();
    let tagged: HashSet<&str> = tags.iter().map(|(a, _)| a.as_str()).collect();
    // Two passes over the addresses, neither holding them: the clusters of the tagged addresses, then
    // the addresses of those clusters.
    let mut labelled_clusters: HashSet<String> = HashSet::new();
    if !tagged.is_empty() {
        case.visit_chain_address_clusters(&mut |address, cluster, _| {
            if tagged.contains(address) {
                labelled_clusters.insert(cluster.to_string());
            }
        })?;
    }
    let mut cluster_of: HashMap<String, String> = HashMap::new();
    if !labelled_clusters.is_empty() {
        case.visit_chain_address_clusters(&mut |address, cluster, _| {
            if labelled_clusters.contains(cluster) {
                cluster_of.insert(address.to_string(), cluster.to_string());
            }
        })?;
    }
    let mut labels: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut grounds: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (address, tag) in tags {
        let key = cluster_of.get(&address).cloned().unwrap_or(address);
        grounds
            .entry(tag.label.clone())
            .or_default()
            .insert(format!(
                "{} ({}; {} line {})",
                tag.source,
                tag.confidence.as_deref().unwrap_or("confidence not stated"),
                tag.file,
                tag.position
            ));
        labels.entry(key).or_default().insert(tag.label);
    }
    let label = labels
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().collect::<Vec<_>>().join("; ")))
        .collect();
    Ok(Labels {
        cluster_of,
        label,
        grounds,
    })
}

/// The persona's BTC addresses as its accounts' market records state them.
fn persona_addresses(case: &Case, persona: &str) -> Result<Option<Vec<String>>, PipelineError> {
    let members: HashSet<spector_model::RecordId> = case
        .personas()?
        .into_iter()
        .filter(|m| m.persona_id == persona)
        .map(|m| m.account_id)
        .collect();
    if members.is_empty() {
        return Ok(None);
    }
    let mut out: Vec<String> = case
        .crypto_addresses()?
        .into_iter()
        .filter(|a| a.coin.eq_ignore_ascii_case("btc"))
        .filter(|a| a.account_id.as_ref().is_some_and(|id| members.contains(id)))
        .map(|a| a.address)
        .collect();
    out.sort();
    out.dedup();
    Ok(Some(out))
}

#[derive(Debug, Clone)]
pub struct TraceReport {
    /// The persona traced, when the start named one.
    pub persona: Option<String>,
    /// The start addresses as the chain writes them.
    pub addresses: Vec<String>,
    pub trace: Trace,
    /// USD at the date of each arrival (same order as `trace.arrivals`), where the price table covers it.
    pub arrivals_usd: Vec<Option<f64>>,
    pub by_label_usd: BTreeMap<String, f64>,
    /// For each label reached, what says so: each tag's source, confidence, file and line (a cluster's
    /// label may join several, "A; B").
    pub label_grounds: BTreeMap<String, Vec<String>>,
}

/// Traces from `start`: a persona id (its accounts' BTC addresses from the market dumps) or an address.
pub fn trace_money(
    case: &Case,
    start: &str,
    options: &TraceOptions,
) -> Result<TraceReport, PipelineError> {
    let network = chain_network(case)?.ok_or_else(|| {
        PipelineError::Chain("the case holds no blocks: run `spector chain import` first".into())
    })?;
    let (persona, given) = match persona_addresses(case, start)? {
        Some(addresses) => (Some(start.to_string()), addresses),
        None => (None, vec![start.to_string()]),
    };
    let addresses: Vec<String> = given
        .iter()
        .filter_map(|a| on_network(a, network))
        .collect();
    if addresses.is_empty() {
        return Err(PipelineError::Chain(match &persona {
            Some(p) => format!("persona {p} has no Bitcoin address in the market records"),
            None => {
                format!("{start:?} is neither a persona of the last link run nor a Bitcoin address")
            }
        }));
    }
    let labels = cluster_labels(case, network)?;
    trace_with(case, persona, addresses, &labels, options)
}

/// The trace from `addresses` (as the chain writes them), labelled by `labels`, with USD at the dates.
fn trace_with(
    case: &Case,
    persona: Option<String>,
    addresses: Vec<String>,
    labels: &Labels,
    options: &TraceOptions,
) -> Result<TraceReport, PipelineError> {
    let graph = tx_graph(case)?;
    let trace = trace(&graph, &addresses, &|a| labels.of(a), options);
    let prices = PriceTable::shipped();
    let usd = |sat: f64, time: i64| prices.to_usd(sat / 1e8, "BTC", time).ok();
    let arrivals_usd: Vec<Option<f64>> =
        trace.arrivals.iter().map(|a| usd(a.sat, a.time)).collect();
    let mut by_label_usd: BTreeMap<String, f64> = BTreeMap::new();
    for (a, u) in trace.arrivals.iter().zip(&arrivals_usd) {
        if let (Some(label), Some(u)) = (&a.label, u) {
            *by_label_usd.entry(label.clone()).or_default() += u;
        }
    }
    let label_grounds = trace
        .by_label
        .keys()
        .map(|joined| {
            let grounds: BTreeSet<String> = joined
                .split("; ")
                .flat_map(|l| labels.grounds.get(l).into_iter().flatten().cloned())
                .collect();
            (joined.clone(), grounds.into_iter().collect())
        })
        .collect();
    Ok(TraceReport {
        persona,
        addresses,
        trace,
        arrivals_usd,
        by_label_usd,
        label_grounds,
    })
}

/// The transaction graph of the case's chain tables, read column by column without holding their rows.
fn tx_graph(case: &Case) -> Result<TxGraph, PipelineError> {
    let mut graph = TxGraph::builder();
    case.visit_chain_tx_times(&mut |txid, time| graph.tx(txid, time))?;
    case.visit_chain_output_edges(&mut |o| graph.output(o.txid, o.vout, o.value, o.address))?;
    case.visit_chain_input_edges(&mut |i| graph.input(i.txid, i.vin, i.prev))?;
    graph
        .finish()
        .map_err(|e| PipelineError::Chain(e.to_string()))
}

/// One of a persona's market addresses, as the chain shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonaAddress {
    /// As the market records state it, and as the chain writes it.
    pub market_address: String,
    pub chain_address: Option<String>,
    /// `None` when no block read pays it.
    pub cluster: Option<String>,
    pub cluster_size: u64,
    pub received: u64,
    pub spent: u64,
}

/// What the chain shows of a persona: its addresses and their clusters, the volume its clusters received,
/// and where its coins went (a haircut trace to labelled clusters).
#[derive(Debug, Clone)]
pub struct PersonaMoney {
    pub addresses: Vec<PersonaAddress>,
    /// Its clusters: name, size, satoshis all their addresses received, label.
    pub clusters: Vec<(String, u64, u64, Option<String>)>,
    pub cash_outs: Option<TraceReport>,
}

/// `None` when the case holds no blocks.
pub fn persona_money(case: &Case, persona: &str) -> Result<Option<PersonaMoney>, PipelineError> {
    let Some(network) = chain_network(case)? else {
        return Ok(None);
    };
    let Some(given) = persona_addresses(case, persona)? else {
        return Err(PipelineError::UnknownPersona(persona.to_string()));
    };
    let chain_address: Vec<Option<String>> = given.iter().map(|a| on_network(a, network)).collect();
    // The persona's own rows are read whole; of the others, only the columns summed below.
    let wanted: HashSet<&str> = chain_address.iter().flatten().map(String::as_str).collect();
    let rows = case.chain_addresses_where(&|a| wanted.contains(a))?;
    let by_address: HashMap<&str, &spector_model::ChainAddress> =
        rows.iter().map(|a| (a.address.as_str(), a)).collect();
    let labels = cluster_labels(case, network)?;
    let mut addresses = Vec::new();
    let mut clusters: BTreeSet<String> = BTreeSet::new();
    for (market_address, chain_address) in given.into_iter().zip(chain_address) {
        let seen = chain_address.as_deref().and_then(|a| by_address.get(a));
        if let Some(s) = seen {
            clusters.insert(s.cluster.clone());
        }
        addresses.push(PersonaAddress {
            market_address,
            chain_address: chain_address.clone(),
            cluster: seen.map(|s| s.cluster.clone()),
            cluster_size: seen.map_or(0, |s| s.cluster_size),
            received: seen.map_or(0, |s| s.received),
            spent: seen.map_or(0, |s| s.spent),
        });
    }
    // Each cluster's size, from any of its addresses' rows (the persona's own carry it).
    let size_of: HashMap<&str, u64> = rows
        .iter()
        .map(|a| (a.cluster.as_str(), a.cluster_size))
        .collect();
    let mut received: HashMap<String, u64> = HashMap::new();
    if !clusters.is_empty() {
        case.visit_chain_address_clusters(&mut |_, cluster, r| {
            if clusters.contains(cluster) {
                *received.entry(cluster.to_string()).or_default() += r;
            }
        })?;
    }
    let cluster_rows = clusters
        .iter()
        .map(|c| {
            let size = size_of.get(c.as_str()).copied().unwrap_or(1);
            (
                c.clone(),
                size,
                received.get(c.as_str()).copied().unwrap_or(0),
                labels.label.get(c).cloned(),
            )
        })
        .collect();
    let start: Vec<String> = addresses
        .iter()
        .filter_map(|a| a.chain_address.clone())
        .collect();
    let cash_outs = if addresses.iter().any(|a| a.cluster.is_some()) {
        Some(trace_with(
            case,
            Some(persona.to_string()),
            start,
            &labels,
            &TraceOptions::default(),
        )?)
    } else {
        None
    };
    Ok(Some(PersonaMoney {
        addresses,
        clusters: cluster_rows,
        cash_outs,
    }))
}

/// Why two addresses are one cluster (or are not).
#[derive(Debug, Clone, PartialEq)]
pub struct WhyJoined {
    /// The unions from the first address to the second, in order: the transactions that made them one
    /// cluster and the rule that read each. `None` when they are not one cluster.
    pub path: Option<Vec<spector_model::ChainUnion>>,
    /// Each address's row, when a block read pays or spends it.
    pub a: Option<spector_model::ChainAddress>,
    pub b: Option<spector_model::ChainAddress>,
}

/// The unions joining `a` and `b`. Only their cluster's unions are read (a large chain has tens of
/// millions): the cluster's addresses are found first, by one pass over two columns of `chain_addresses`.
pub fn why_joined(case: &Case, a: &str, b: &str) -> Result<WhyJoined, PipelineError> {
    let rows = case.chain_addresses_where(&|x| x == a || x == b)?;
    let row = |x: &str| rows.iter().find(|r| r.address == x).cloned();
    let (row_a, row_b) = (row(a), row(b));
    let path = match (&row_a, &row_b) {
        _ if a == b => Some(Vec::new()),
        (Some(x), Some(y)) if x.cluster == y.cluster => {
            let mut members: HashSet<String> = HashSet::new();
            case.visit_chain_address_clusters(&mut |address, cluster, _| {
                if cluster == x.cluster {
                    members.insert(address.to_string());
                }
            })?;
            // Both addresses of every union of the cluster are its members.
            let unions = case.chain_unions_where(&|first| members.contains(first))?;
            let edges: Vec<(&str, &str)> = unions
                .iter()
                .map(|u| (u.address_a.as_str(), u.address_b.as_str()))
                .collect();
            union_path(&edges, &a, &b)
                .map(|path| path.into_iter().map(|i| unions[i].clone()).collect())
        }
        _ => None,
    };
    Ok(WhyJoined {
        path,
        a: row_a,
        b: row_b,
    })
}
