//! Following value through transactions, from the outputs paying some addresses forward to where the
//! coins went (`Direction::Out`: a vendor's payouts to the exchange that cashed them out), or backward to
//! where they came from (`Direction::In`: a market deposit back to the buyer's exchange), hop by hop,
//! stopping at labelled clusters (exchanges, mixers, markets) and reporting amounts and paths.
//!
//! How much of an output counts as the traced coins is a policy, named in every report because the amounts
//! depend on it: **poison** (any traced input taints every output in full: an upper bound, the view of a
//! seizure warrant) or **haircut** (each output carries the traced share of the inputs' value: the
//! proportional view of most tracing literature).

use std::collections::BTreeMap;

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

/// Strings end to end in one buffer: the millions of txids and addresses of a chain's tables without an
/// allocation (and its header) each.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Strings {
    fn push(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
        self.ends.push(self.bytes.len());
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        // Only whole `&str`s are pushed, so every range between two ends is UTF-8.
        std::str::from_utf8(&self.bytes[start..self.ends[i]]).unwrap_or_default()
    }
}

/// No transaction, no output: the marker of an absent `u32` index (`Option<u32>` would double the size of
/// the per-output arrays).
const NONE: u32 = u32::MAX;

/// The transaction graph of the chain tables: outputs, who spent them, and what each transaction spent.
/// Held as flat arrays of numbers (transactions and outputs numbered in table order), about 70 bytes an
/// output with its address's text, so that a chain of tens of millions of transactions can be traced in
/// memory.
pub struct TxGraph {
    txids: Strings,
    times: Vec<i64>,
    /// The outputs of transaction `t` are `out_start[t]..out_start[t + 1]`, in the order of their index.
    out_start: Vec<u32>,
    out_tx: Vec<u32>,
    out_value: Vec<u64>,
    /// Index into `addresses`, or `NONE` for an output without an address.
    out_address: Vec<u32>,
    addresses: Strings,
    /// The transaction spending each output, or `NONE`.
    spent_by: Vec<u32>,
    /// The outputs spent by the inputs of transaction `t` are `in_spent[in_start[t]..in_start[t + 1]]`,
    /// `NONE` for a coinbase or an input whose output was not read.
    in_start: Vec<u32>,
    in_spent: Vec<u32>,
}

/// Txids are public chain data (no secret to keep from a flooding attacker): fixed-seed foldhash.
fn hash_txid(txid: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(txid)
}

/// Builds a [`TxGraph`] from rows handed over one at a time (borrowed, as a table reader decodes them):
/// every transaction first, then outputs and inputs in any order (each transaction's are put in the order
/// of their vout and vin). An output or input of a transaction not given is left out.
#[derive(Default)]
pub struct TxGraphBuilder {
    txids: Strings,
    times: Vec<i64>,
    number: hashbrown::HashTable<u32>,
    /// (transaction, vout, value, address index), in the order given.
    outputs: Vec<(u32, u32, u64, u32)>,
    addresses: Strings,
    address_count: u32,
    /// (transaction, vin, spent transaction, spent vout); `NONE` when the input spends nothing read.
    inputs: Vec<(u32, u32, u32, u32)>,
    too_large: bool,
}

/// The graph would number more than `u32::MAX` transactions or outputs: more than any trace can hold.
#[derive(Debug, thiserror::Error)]
#[error("the chain tables hold more than {max} transactions, outputs or inputs, more than a trace can hold", max = u32::MAX - 1)]
pub struct GraphTooLarge;

impl TxGraphBuilder {
    fn number_of(&self, txid: &str) -> Option<u32> {
        let hash = hash_txid(txid);
        self.number
            .find(hash, |&n| self.txids.get(n as usize) == txid)
            .copied()
    }

    /// A transaction. A txid given twice names the later one, and the outputs and inputs given under it
    /// are the later one's: rows name a transaction by txid alone. (Bitcoin has two such pairs of
    /// coinbases, BIP 30's; the later overwrote the earlier's outputs, which nothing can spend.)
    pub fn tx(&mut self, txid: &str, time: i64) {
        let Ok(n) = u32::try_from(self.times.len()) else {
            self.too_large = true;
            return;
        };
        if n == NONE {
            self.too_large = true;
            return;
        }
        self.txids.push(txid);
        self.times.push(time);
        let hash = hash_txid(txid);
        let Self { txids, number, .. } = self;
        match number.find_mut(hash, |&m| txids.get(m as usize) == txid) {
            Some(slot) => *slot = n,
            None => {
                number.insert_unique(hash, n, |&m| hash_txid(txids.get(m as usize)));
            }
        }
    }

    pub fn output(&mut self, txid: &str, vout: u32, value: u64, address: Option<&str>) {
        let Some(t) = self.number_of(txid) else {
            return;
        };
        if self.outputs.len() >= NONE as usize || self.address_count == NONE {
            self.too_large = true;
            return;
        }
        let address = match address {
            Some(a) => {
                self.addresses.push(a);
                self.address_count += 1;
                self.address_count - 1
            }
            None => NONE,
        };
        self.outputs.push((t, vout, value, address));
    }

    /// The input `vin` of `txid`, spending `prev` (none for a coinbase).
    pub fn input(&mut self, txid: &str, vin: u32, prev: Option<(&str, u32)>) {
        let Some(t) = self.number_of(txid) else {
            return;
        };
        if self.inputs.len() >= NONE as usize {
            self.too_large = true;
            return;
        }
        let (pt, pv) = prev
            .and_then(|(p, v)| Some((self.number_of(p)?, v)))
            .unwrap_or((NONE, 0));
        self.inputs.push((t, vin, pt, pv));
    }

    pub fn finish(self) -> Result<TxGraph, GraphTooLarge> {
        if self.too_large {
            return Err(GraphTooLarge);
        }
        let TxGraphBuilder {
            txids,
            times,
            number,
            mut outputs,
            addresses,
            mut inputs,
            ..
        } = self;
        drop(number);
        let txs = times.len();
        // Tables list a transaction's outputs together and in order; sorted should one list them otherwise.
        if !outputs.is_sorted_by_key(|o| (o.0, o.1)) {
            outputs.sort_by_key(|o| (o.0, o.1));
        }
        let out_start = starts(txs, outputs.iter().map(|o| o.0));
        let (mut out_tx, mut out_vout, mut out_value, mut out_address) = (
            Vec::with_capacity(outputs.len()),
            Vec::with_capacity(outputs.len()),
            Vec::with_capacity(outputs.len()),
            Vec::with_capacity(outputs.len()),
        );
        for (t, vout, value, address) in outputs {
            out_tx.push(t);
            out_vout.push(vout);
            out_value.push(value);
            out_address.push(address);
        }
        // An outpoint is found by its vout's position among the transaction's outputs; searched for
        // should a transaction's outputs not be numbered from 0 without gaps.
        let output_at = |t: u32, vout: u32| -> u32 {
            let (first, end) = (out_start[t as usize], out_start[t as usize + 1]);
            let at = first.saturating_add(vout);
            if at < end && out_vout[at as usize] == vout {
                return at;
            }
            (first..end)
                .find(|&o| out_vout[o as usize] == vout)
                .unwrap_or(NONE)
        };
        if !inputs.is_sorted_by_key(|i| (i.0, i.1)) {
            inputs.sort_by_key(|i| (i.0, i.1));
        }
        let in_start = starts(txs, inputs.iter().map(|i| i.0));
        let mut spent_by = vec![NONE; out_tx.len()];
        let in_spent: Vec<u32> = inputs
            .into_iter()
            .map(|(t, _, pt, pv)| {
                let spent = if pt == NONE { NONE } else { output_at(pt, pv) };
                if spent != NONE {
                    spent_by[spent as usize] = t;
                }
                spent
            })
            .collect();
        Ok(TxGraph {
            txids,
            times,
            out_start,
            out_tx,
            out_value,
            out_address,
            addresses,
            spent_by,
            in_start,
            in_spent,
        })
    }
}

/// The start of each transaction's run in a list sorted by transaction, and its end after the last.
fn starts(txs: usize, sorted: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut counts = vec![0u32; txs + 1];
    for t in sorted {
        counts[t as usize + 1] += 1;
    }
    for i in 1..counts.len() {
        counts[i] += counts[i - 1];
    }
    counts
}

impl TxGraph {
    /// The graph of these rows (see [`TxGraphBuilder`] to build one from rows read one at a time).
    pub fn new(txs: Vec<ChainTx>, inputs: Vec<ChainInput>, outputs: Vec<ChainOutput>) -> Self {
        let mut b = TxGraphBuilder::default();
        for t in &txs {
            b.tx(&t.txid, t.time);
        }
        for o in &outputs {
            b.output(&o.txid, o.vout, o.value, o.address.as_deref());
        }
        for i in &inputs {
            b.input(&i.txid, i.vin, i.prev_txid.as_deref().zip(i.prev_vout));
        }
        b.finish()
            .expect("rows held in memory number fewer than u32::MAX")
    }

    pub fn builder() -> TxGraphBuilder {
        TxGraphBuilder::default()
    }

    fn outputs_of(&self, t: u32) -> std::ops::Range<usize> {
        self.out_start[t as usize] as usize..self.out_start[t as usize + 1] as usize
    }

    fn spent_by_inputs_of(&self, t: u32) -> &[u32] {
        &self.in_spent[self.in_start[t as usize] as usize..self.in_start[t as usize + 1] as usize]
    }

    fn address(&self, o: usize) -> Option<&str> {
        match self.out_address[o] {
            NONE => None,
            a => Some(self.addresses.get(a as usize)),
        }
    }

    fn spender(&self, o: usize) -> Option<u32> {
        match self.spent_by[o] {
            NONE => None,
            t => Some(t),
        }
    }

    fn txid(&self, t: u32) -> String {
        self.txids.get(t as usize).to_string()
    }

    /// Transactions in the graph.
    pub fn tx_count(&self) -> usize {
        self.times.len()
    }

    /// Outputs in the graph.
    pub fn output_count(&self) -> usize {
        self.out_tx.len()
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
    let mut frontier: Vec<(usize, f64, Vec<u32>)> = (0..graph.output_count())
        .filter(|&o| graph.address(o).is_some_and(|a| own.contains(a)))
        .map(|o| (o, graph.out_value[o] as f64, vec![graph.out_tx[o]]))
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
    let names = |path: &[u32]| -> Vec<String> { path.iter().map(|&t| graph.txid(t)).collect() };
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
                    match graph.spender(o) {
                        Some(t) => {
                            let e = by_tx.entry(t).or_insert((0.0, path));
                            e.0 += sat;
                        }
                        None => {
                            out.arrivals.push(Arrival {
                                address: graph.address(o).map(str::to_string),
                                label: None,
                                sat,
                                time: graph.times[graph.out_tx[o] as usize],
                                hops: hop - 1,
                                path: names(&path),
                                reason: ArrivalReason::Unspent,
                            });
                        }
                    }
                }
                for (t, (traced, path)) in by_tx {
                    let total_in: u64 = graph
                        .spent_by_inputs_of(t)
                        .iter()
                        .filter(|&&i| i != NONE)
                        .map(|&i| graph.out_value[i as usize])
                        .sum();
                    let share = if total_in == 0 {
                        1.0
                    } else {
                        (traced / total_in as f64).min(1.0)
                    };
                    let mut path = path;
                    path.push(t);
                    for o in graph.outputs_of(t) {
                        let value = graph.out_value[o] as f64;
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
                    let t = graph.out_tx[o];
                    let inputs = graph.spent_by_inputs_of(t);
                    let known: Vec<usize> = inputs
                        .iter()
                        .filter(|&&i| i != NONE)
                        .map(|&i| i as usize)
                        .collect();
                    let known_in: u64 = known.iter().map(|&i| graph.out_value[i]).sum();
                    // Inputs whose outputs were not read (or a coinbase) carried at least what the
                    // outputs hold beyond the known inputs; that share of the value ends here, unknown.
                    let paid: u64 = graph.outputs_of(t).map(|x| graph.out_value[x]).sum();
                    let unknown_in = if known.len() < inputs.len() {
                        paid.saturating_sub(known_in).max(1)
                    } else {
                        0
                    };
                    let total = (known_in + unknown_in).max(1) as f64;
                    if unknown_in > 0 {
                        out.arrivals.push(Arrival {
                            address: graph.address(o).map(str::to_string),
                            label: None,
                            sat: sat * unknown_in as f64 / total,
                            time: graph.times[t as usize],
                            hops: hop - 1,
                            path: names(&path),
                            reason: ArrivalReason::EdgeOfTrace,
                        });
                    }
                    for i in known {
                        let value = graph.out_value[i] as f64;
                        let part = match options.policy {
                            TaintPolicy::Poison => value,
                            TaintPolicy::Haircut => sat * value / total,
                        };
                        if part < options.min_sat {
                            continue;
                        }
                        let mut p = path.clone();
                        p.push(graph.out_tx[i]);
                        next.push((i, part, p));
                    }
                }
            }
        }
        // Outputs reaching a labelled cluster (not the traced owner's own) end there.
        frontier = Vec::new();
        for (o, sat, path) in next {
            let address = graph.address(o);
            let time = graph.times[graph.out_tx[o] as usize];
            let label = address.filter(|a| !own.contains(a)).and_then(label_of);
            if let Some(label) = label {
                *out.by_label.entry(label.clone()).or_default() += sat;
                out.arrivals.push(Arrival {
                    address: address.map(str::to_string),
                    label: Some(label),
                    sat,
                    time,
                    hops: hop,
                    path: names(&path),
                    reason: ArrivalReason::Labelled,
                });
            } else if hop == options.hops {
                out.arrivals.push(Arrival {
                    address: address.map(str::to_string),
                    label: None,
                    sat,
                    time,
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

    /// A random chain: transactions with gaps among their outputs' vouts, addresses reused, inputs
    /// spending earlier outputs, outputs never read (a vout without a row) and transactions never read.
    fn random_rows(n: usize, seed: u64) -> (Vec<ChainTx>, Vec<ChainInput>, Vec<ChainOutput>) {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut txs, mut inputs, mut outputs) = (Vec::new(), Vec::new(), Vec::new());
        let mut unspent: Vec<(String, u32)> = Vec::new();
        for i in 0..n {
            // Now and then a txid given twice (as Bitcoin's BIP 30 coinbases), and rows of a
            // transaction the txs table lacks.
            let duplicate = i > 0 && next() % 11 == 0;
            let txid = if duplicate {
                format!("t{}", i - 1)
            } else {
                format!("t{i}")
            };
            if next() % 13 == 0 {
                outputs.push(output(&format!("missing{i}"), 0, 5_000, "a2"));
                inputs.push(spend(
                    &format!("missing{i}"),
                    0,
                    unspent.last().map(|(t, v)| (t.as_str(), *v)),
                ));
            }
            txs.push(tx(&txid, i as i64));
            // A duplicate is a coinbase, its outputs never spent (as BIP 30's).
            let spends = if i == 0 || duplicate {
                0
            } else {
                1 + next() % 3
            };
            if spends == 0 {
                inputs.push(spend(&txid, 0, None));
            }
            for vin in 0..spends as u32 {
                let prev = if next() % 7 == 0 {
                    Some((format!("unread{i}"), 0))
                } else if unspent.is_empty() {
                    None
                } else {
                    let at = (next() % unspent.len() as u64) as usize;
                    Some(unspent.swap_remove(at))
                };
                inputs.push(spend(
                    &txid,
                    vin,
                    prev.as_ref().map(|(t, v)| (t.as_str(), *v)),
                ));
            }
            for vout in 0..(1 + next() % 3) as u32 {
                if !duplicate {
                    unspent.push((txid.clone(), vout));
                }
                if next() % 5 == 0 {
                    continue; // a vout whose row was not read
                }
                let value = 1_000 + next() % 100_000_000;
                let address = (next() % 6 != 0).then(|| format!("a{}", next() % 8));
                outputs.push(ChainOutput {
                    address,
                    ..output(&txid, vout, value, "")
                });
            }
        }
        (txs, inputs, outputs)
    }

    fn shuffled<T>(mut rows: Vec<T>, seed: u64) -> Vec<T> {
        let mut state = seed | 1;
        for i in (1..rows.len()).rev() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            rows.swap(i, (state >> 33) as usize % (i + 1));
        }
        rows
    }

    fn labels(a: &str) -> Option<String> {
        match a {
            "a0" => Some("exchange".into()),
            "a1" => Some("mixer".into()),
            _ => None,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever order the tables list outputs and inputs in, the graph spends each output by the
        /// transaction that spends it (found by brute force over the rows), and every trace is the same.
        #[test]
        fn rows_in_any_order_make_the_same_graph(n in 1usize..40, seed in proptest::prelude::any::<u64>()) {
            let (txs, inputs, outputs) = random_rows(n, seed);
            let ordered = TxGraph::new(txs.clone(), inputs.clone(), outputs.clone());
            let mixed = TxGraph::new(
                txs.clone(),
                shuffled(inputs.clone(), seed ^ 1),
                shuffled(outputs.clone(), seed ^ 2),
            );
            // Outputs are numbered by (transaction, vout); transactions by their row.
            let number = |t: &str| txs.iter().rposition(|x| x.txid == t);
            let mut sorted: Vec<&ChainOutput> = outputs.iter().collect();
            sorted.sort_by_key(|o| (number(&o.txid), o.vout));
            sorted.retain(|o| number(&o.txid).is_some());
            proptest::prop_assert_eq!(ordered.output_count(), sorted.len());
            // Each transaction's outputs (by vout) and the outputs its inputs spent (by vin), found by
            // brute force over the rows.
            let index_of = |txid: &str, vout: u32| {
                sorted.iter().position(|o| o.txid == txid && o.vout == vout).map(|o| o as u32).unwrap_or(NONE)
            };
            // A txid given twice leaves the order among its two transactions' rows to the table: the
            // graph of shuffled rows is compared only when every txid is one transaction's.
            let duplicated = (0..txs.len()).any(|t| number(&txs[t].txid) != Some(t));
            let graphs: &[&TxGraph] = if duplicated { &[&ordered] } else { &[&ordered, &mixed] };
            for &graph in graphs {
                for (t, row) in txs.iter().enumerate() {
                    let t32 = t as u32;
                    let latest = number(&row.txid) == Some(t);
                    let mut own: Vec<u32> = outputs
                        .iter()
                        .filter(|o| latest && o.txid == row.txid)
                        .map(|o| o.vout)
                        .collect();
                    own.sort();
                    let got: Vec<u32> = graph.outputs_of(t32).map(|o| sorted[o].vout).collect();
                    proptest::prop_assert_eq!(got, own);
                    // The outpoint each input spends, where its output was read; an outpoint of a
                    // txid given twice may be either transaction's output.
                    let mut spent: Vec<(u32, Option<(&str, u32)>)> = inputs
                        .iter()
                        .filter(|i| latest && i.txid == row.txid)
                        .map(|i| {
                            let o = match (&i.prev_txid, i.prev_vout) {
                                (Some(p), Some(v)) if number(p).is_some() && index_of(p, v) != NONE => {
                                    Some((p.as_str(), v))
                                }
                                _ => None,
                            };
                            (i.vin, o)
                        })
                        .collect();
                    spent.sort_by_key(|s| s.0);
                    let spent: Vec<Option<(&str, u32)>> = spent.into_iter().map(|(_, o)| o).collect();
                    let got: Vec<Option<(&str, u32)>> = graph
                        .spent_by_inputs_of(t32)
                        .iter()
                        .map(|&o| (o != NONE).then(|| (sorted[o as usize].txid.as_str(), sorted[o as usize].vout)))
                        .collect();
                    proptest::prop_assert_eq!(got, spent);
                    proptest::prop_assert_eq!(graph.times[t], row.time);
                }
            }
            for (o, row) in sorted.iter().enumerate() {
                let spenders: Vec<u32> = inputs
                    .iter()
                    .filter(|i| i.prev_txid.as_deref() == Some(row.txid.as_str()) && i.prev_vout == Some(row.vout))
                    .filter_map(|i| number(&i.txid))
                    .map(|t| t as u32)
                    .collect();
                let listed = sorted.iter().filter(|x| x.txid == row.txid && x.vout == row.vout).count();
                if listed == 1 {
                    proptest::prop_assert_eq!(ordered.spender(o), spenders.first().copied());
                    if !duplicated {
                        proptest::prop_assert_eq!(mixed.spender(o), spenders.first().copied());
                    }
                } else {
                    // An outpoint of a txid given twice: one of its outputs is the one spent.
                    proptest::prop_assert!(ordered.spender(o).is_none_or(|t| spenders.contains(&t)));
                }
                proptest::prop_assert_eq!(ordered.address(o), row.address.as_deref());
                proptest::prop_assert_eq!(ordered.txid(ordered.out_tx[o]), row.txid.clone());
            }
            for direction in [Direction::Out, Direction::In] {
                for policy in [TaintPolicy::Poison, TaintPolicy::Haircut] {
                    let options = TraceOptions { direction, policy, hops: 4, min_sat: 0.0, ..TraceOptions::default() };
                    for start in ["a2", "a3"] {
                        if duplicated {
                            break;
                        }
                        let a = trace(&ordered, &[start.into()], &labels, &options);
                        let b = trace(&mixed, &[start.into()], &labels, &options);
                        proptest::prop_assert_eq!(a, b);
                    }
                }
            }
        }
    }
}
