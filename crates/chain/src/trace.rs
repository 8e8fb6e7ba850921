//! Following value through transactions, from the outputs paying some addresses forward to where the
//! coins went (`Direction::Out`: a vendor's payouts to the exchange that cashed them out), or backward to
//! where they came from (`Direction::In`: a market deposit back to the buyer's exchange), hop by hop,
//! stopping at labelled clusters (exchanges, mixers, markets) and reporting amounts and paths.
//!
//! How much of an output counts as the traced coins is a policy, named in every report because the amounts
//! depend on it: **poison** (any traced input taints every output in full: an upper bound, the view of a
//! seizure warrant) or **haircut** (each output carries the traced share of the inputs' value: the
//! proportional view of most tracing literature).

use std::collections::{BTreeMap, HashMap};

use spector_model::{ChainInput, ChainOutput, ChainTx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Out,
    In,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaintPolicy {
    Poison,
    Haircut,
}

impl TaintPolicy {
    pub fn name(self) -> &'static str {
        match self {
            TaintPolicy::Poison => "poison",
            TaintPolicy::Haircut => "haircut",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TraceOptions {
    pub direction: Direction,
    pub hops: usize,
    pub policy: TaintPolicy,
    /// Shares below this many satoshis are not followed (haircut leaves crumbs everywhere).
    pub min_sat: f64,
    /// Outputs followed at most per hop; beyond it the trace stops and says so.
    pub max_frontier: usize,
}

impl Default for TraceOptions {
    fn default() -> Self {
        TraceOptions {
            direction: Direction::Out,
            hops: 5,
            policy: TaintPolicy::Haircut,
            min_sat: 1_000.0,
            max_frontier: 200_000,
        }
    }
}

/// An output, as tracing knows it.
#[derive(Debug, Clone)]
struct Out {
    txid: u32,
    vout: u32,
    value: u64,
    address: Option<String>,
}

/// Maps keyed by txids (public chain data: no secret to keep from a flooding attacker), fixed-seed
/// foldhash, several times faster than the default SipHash over millions of keys.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// The transaction graph of the chain tables: outputs, who spent them, and what each transaction spent.
pub struct TxGraph {
    txids: Vec<String>,
    times: Vec<i64>,
    /// Per transaction: its outputs (indices into `outputs`, by index in the transaction) and the outputs
    /// its inputs spent (`None` for a coinbase or an input whose output was not read).
    tx_outputs: Vec<Vec<usize>>,
    tx_inputs: Vec<Vec<Option<usize>>>,
    outputs: Vec<Out>,
    spent_by: FastMap<usize, u32>,
}

impl TxGraph {
    /// The graph of these rows, which it takes: each txid and address string is moved into the graph,
    /// not copied, and the rows are freed as they are read (a chain's tables are the largest thing a
    /// trace holds).
    pub fn new(txs: Vec<ChainTx>, inputs: Vec<ChainInput>, outputs: Vec<ChainOutput>) -> Self {
        let times: Vec<i64> = txs.iter().map(|t| t.time).collect();
        let txids: Vec<String> = txs.into_iter().map(|t| t.txid).collect();
        let number: FastMap<&str, u32> = txids
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u32))
            .collect();
        let mut tx_outputs: Vec<Vec<usize>> = vec![Vec::new(); txids.len()];
        let mut tx_inputs: Vec<Vec<Option<usize>>> = vec![Vec::new(); txids.len()];
        let mut graph_outputs: Vec<Out> = Vec::with_capacity(outputs.len());
        for o in outputs {
            let Some(&t) = number.get(o.txid.as_str()) else {
                continue;
            };
            tx_outputs[t as usize].push(graph_outputs.len());
            graph_outputs.push(Out {
                txid: t,
                vout: o.vout,
                value: o.value,
                address: o.address,
            });
        }
        // A transaction's outputs are listed in the order of their index, so an outpoint is found by
        // position; checked, and searched for should a table list them otherwise.
        let output_at = |t: u32, vout: u32| -> Option<usize> {
            let outs = &tx_outputs[t as usize];
            match outs.get(vout as usize) {
                Some(&i) if graph_outputs[i].vout == vout => Some(i),
                _ => outs
                    .iter()
                    .copied()
                    .find(|&i| graph_outputs[i].vout == vout),
            }
        };
        let mut spent_by = FastMap::default();
        for input in inputs {
            let Some(&t) = number.get(input.txid.as_str()) else {
                continue;
            };
            let spent = match (&input.prev_txid, input.prev_vout) {
                (Some(p), Some(v)) => number.get(p.as_str()).and_then(|&pt| output_at(pt, v)),
                _ => None,
            };
            if let Some(o) = spent {
                spent_by.insert(o, t);
            }
            tx_inputs[t as usize].push(spent);
        }
        drop(number);
        TxGraph {
            txids,
            times,
            tx_outputs,
            tx_inputs,
            outputs: graph_outputs,
            spent_by,
        }
    }
}

/// Where traced value ended: a labelled cluster reached, an output still unspent, or the edge of what was
/// followed (hops exhausted, or the chain read ends).
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub address: Option<String>,
    /// The label of the address's cluster, when it has one (an exchange, a mixer, a market).
    pub label: Option<String>,
    pub sat: f64,
    /// Time of the transaction at the arrival, Unix seconds.
    pub time: i64,
    pub hops: usize,
    /// The transactions from the start to here, in the direction followed.
    pub path: Vec<String>,
    pub reason: ArrivalReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrivalReason {
    Labelled,
    Unspent,
    /// Out of hops, or (going back) a coinbase or an input whose output was not read.
    EdgeOfTrace,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub policy: TaintPolicy,
    pub direction: Direction,
    /// Satoshis at the start: what the start addresses received.
    pub start_sat: u64,
    pub arrivals: Vec<Arrival>,
    /// Traced satoshis per label reached.
    pub by_label: BTreeMap<String, f64>,
    /// The trace stopped early because a hop had more outputs than allowed.
    pub truncated: bool,
}

/// Traces from the outputs paying `start` (addresses), labels by address (`label_of`: the label of the
/// address's cluster, if any). Addresses of `start` count as the traced owner's own and are not arrivals.
pub fn trace(
    graph: &TxGraph,
    start: &[String],
    label_of: &dyn Fn(&str) -> Option<String>,
    options: &TraceOptions,
) -> Trace {
    let own: std::collections::HashSet<&str> = start.iter().map(String::as_str).collect();
    // The outputs paying the start addresses, found by one pass over the outputs: a map of every
    // address would cost more than the trace.
    let mut frontier: Vec<(usize, f64, Vec<u32>)> = graph
        .outputs
        .iter()
        .enumerate()
        .filter(|(_, o)| o.address.as_deref().is_some_and(|a| own.contains(a)))
        .map(|(i, o)| (i, o.value as f64, vec![o.txid]))
        .collect();
    let start_sat = frontier.iter().map(|f| f.1 as u64).sum();
    let mut out = Trace {
        policy: options.policy,
        direction: options.direction,
        start_sat,
        arrivals: Vec::new(),
        by_label: BTreeMap::new(),
        truncated: false,
    };
    let names = |path: &[u32]| -> Vec<String> {
        path.iter()
            .map(|&t| graph.txids[t as usize].clone())
            .collect()
    };
    for hop in 1..=options.hops {
        if frontier.is_empty() {
            break;
        }
        if frontier.len() > options.max_frontier {
            out.truncated = true;
            break;
        }
        let mut next: Vec<(usize, f64, Vec<u32>)> = Vec::new();
        match options.direction {
            Direction::Out => {
                // Traced amounts per spending transaction, then shared among its outputs.
                let mut by_tx: BTreeMap<u32, (f64, Vec<u32>)> = BTreeMap::new();
                for (o, sat, path) in frontier {
                    match graph.spent_by.get(&o) {
                        Some(&t) => {
                            let e = by_tx.entry(t).or_insert((0.0, path));
                            e.0 += sat;
                        }
                        None => {
                            let output = &graph.outputs[o];
                            out.arrivals.push(Arrival {
                                address: output.address.clone(),
                                label: None,
                                sat,
                                time: graph.times[output.txid as usize],
                                hops: hop - 1,
                                path: names(&path),
                                reason: ArrivalReason::Unspent,
                            });
                        }
                    }
                }
                for (t, (traced, path)) in by_tx {
                    let total_in: u64 = graph.tx_inputs[t as usize]
                        .iter()
                        .flatten()
                        .map(|&i| graph.outputs[i].value)
                        .sum();
                    let share = if total_in == 0 {
                        1.0
                    } else {
                        (traced / total_in as f64).min(1.0)
                    };
                    let mut path = path;
                    path.push(t);
                    for &o in &graph.tx_outputs[t as usize] {
                        let value = graph.outputs[o].value as f64;
                        let sat = match options.policy {
                            TaintPolicy::Poison => value,
                            TaintPolicy::Haircut => value * share,
                        };
                        if sat < options.min_sat {
                            continue;
                        }
                        next.push((o, sat, path.clone()));
                    }
                }
            }
            Direction::In => {
                for (o, sat, path) in frontier {
                    let t = graph.outputs[o].txid;
                    let inputs = &graph.tx_inputs[t as usize];
                    let known: Vec<usize> = inputs.iter().flatten().copied().collect();
                    let known_in: u64 = known.iter().map(|&i| graph.outputs[i].value).sum();
                    // Inputs whose outputs were not read (or a coinbase) carried at least what the
                    // outputs hold beyond the known inputs; that share of the value ends here, unknown.
                    let paid: u64 = graph.tx_outputs[t as usize]
                        .iter()
                        .map(|&x| graph.outputs[x].value)
                        .sum();
                    let unknown_in = if known.len() < inputs.len() {
                        paid.saturating_sub(known_in).max(1)
                    } else {
                        0
                    };
                    let total = (known_in + unknown_in).max(1) as f64;
                    if unknown_in > 0 {
                        let output = &graph.outputs[o];
                        out.arrivals.push(Arrival {
                            address: output.address.clone(),
                            label: None,
                            sat: sat * unknown_in as f64 / total,
                            time: graph.times[t as usize],
                            hops: hop - 1,
                            path: names(&path),
                            reason: ArrivalReason::EdgeOfTrace,
                        });
                    }
                    for i in known {
                        let value = graph.outputs[i].value as f64;
                        let part = match options.policy {
                            TaintPolicy::Poison => value,
                            TaintPolicy::Haircut => sat * value / total,
                        };
                        if part < options.min_sat {
                            continue;
                        }
                        let mut p = path.clone();
                        p.push(graph.outputs[i].txid);
                        next.push((i, part, p));
                    }
                }
            }
        }
        // Outputs reaching a labelled cluster (not the traced owner's own) end there.
        frontier = Vec::new();
        for (o, sat, path) in next {
            let output = &graph.outputs[o];
            let label = output
                .address
                .as_deref()
                .filter(|a| !own.contains(a))
                .and_then(label_of);
            if let Some(label) = label {
                *out.by_label.entry(label.clone()).or_default() += sat;
                out.arrivals.push(Arrival {
                    address: output.address.clone(),
                    label: Some(label),
                    sat,
                    time: graph.times[output.txid as usize],
                    hops: hop,
                    path: names(&path),
                    reason: ArrivalReason::Labelled,
                });
            } else if hop == options.hops {
                out.arrivals.push(Arrival {
                    address: output.address.clone(),
                    label: None,
                    sat,
                    time: graph.times[output.txid as usize],
                    hops: hop,
                    path: names(&path),
                    reason: ArrivalReason::EdgeOfTrace,
                });
            } else {
                frontier.push((o, sat, path));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(txid: &str, time: i64) -> ChainTx {
        ChainTx {
            txid: txid.into(),
            block_hash: "b".into(),
            height: None,
            time,
            index: 0,
            version: 2,
            lock_time: 0,
            size: 0,
            vsize: 0,
            weight: 0,
            coinbase: false,
            input_count: 0,
            output_count: 0,
            input_value: None,
            output_value: 0,
            fee: None,
        }
    }
    fn output(txid: &str, vout: u32, value: u64, address: &str) -> ChainOutput {
        ChainOutput {
            txid: txid.into(),
            vout,
            value,
            script_type: "witness_v0_keyhash".into(),
            address: Some(address.into()),
        }
    }
    fn spend(txid: &str, vin: u32, prev: Option<(&str, u32)>) -> ChainInput {
        ChainInput {
            txid: txid.into(),
            vin,
            prev_txid: prev.map(|p| p.0.to_string()),
            prev_vout: prev.map(|p| p.1),
            sequence: 0,
            value: None,
            address: None,
            script_type: None,
        }
    }

    /// Coinbases A and C pay the vendor V and someone else X 10 BTC each; B spends both, paying the
    /// exchange E 15 BTC and W 4.9 BTC (0.1 fee); W never spends.
    fn graph() -> TxGraph {
        const BTC: u64 = 100_000_000;
        let txs = [tx("A", 1), tx("C", 2), tx("B", 3)];
        let outputs = [
            output("A", 0, 10 * BTC, "V"),
            output("C", 0, 10 * BTC, "X"),
            output("B", 0, 15 * BTC, "E"),
            output("B", 1, 49 * BTC / 10, "W"),
        ];
        let inputs = [
            spend("A", 0, None),
            spend("C", 0, None),
            spend("B", 0, Some(("A", 0))),
            spend("B", 1, Some(("C", 0))),
        ];
        TxGraph::new(txs.to_vec(), inputs.to_vec(), outputs.to_vec())
    }

    fn exchange(a: &str) -> Option<String> {
        (a == "E").then(|| "exchange".to_string())
    }

    #[test]
    fn haircut_passes_the_traced_share_and_poison_everything() {
        let g = graph();
        let haircut = trace(&g, &["V".into()], &exchange, &TraceOptions::default());
        assert_eq!(haircut.start_sat, 1_000_000_000);
        assert_eq!(haircut.by_label["exchange"], 750_000_000.0);
        let w = haircut
            .arrivals
            .iter()
            .find(|a| a.address.as_deref() == Some("W"))
            .unwrap();
        assert_eq!((w.sat, w.reason), (245_000_000.0, ArrivalReason::Unspent));
        let e = haircut.arrivals.iter().find(|a| a.label.is_some()).unwrap();
        assert_eq!(
            (e.hops, e.path.clone()),
            (1, vec!["A".to_string(), "B".to_string()])
        );
        let poison = trace(
            &g,
            &["V".into()],
            &exchange,
            &TraceOptions {
                policy: TaintPolicy::Poison,
                ..TraceOptions::default()
            },
        );
        assert_eq!(poison.by_label["exchange"], 1_500_000_000.0);
    }

    #[test]
    fn backward_the_deposit_splits_over_its_sources() {
        let g = graph();
        let x_is_labelled = |a: &str| (a == "X").then(|| "other exchange".to_string());
        let back = trace(
            &g,
            &["E".into()],
            &x_is_labelled,
            &TraceOptions {
                direction: Direction::In,
                ..TraceOptions::default()
            },
        );
        // 15 BTC from two inputs of 10: 7.5 each; X is labelled, V's coins come from a coinbase.
        assert_eq!(back.by_label["other exchange"], 750_000_000.0);
        let edge: f64 = back
            .arrivals
            .iter()
            .filter(|a| a.reason == ArrivalReason::EdgeOfTrace)
            .map(|a| a.sat)
            .sum();
        assert!((edge - 750_000_000.0).abs() < 1.0, "{edge}");
    }
}
