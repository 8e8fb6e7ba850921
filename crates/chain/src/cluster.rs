//! Address clusters: addresses spent together in one transaction have one owner (common-input ownership,
//! Nakamoto 2008; Meiklejohn et al. 2013), except in a CoinJoin, where many owners sign one transaction on
//! purpose. Each union remembers the transaction and the rule that made it, so that "why are these two
//! addresses one cluster?" has an answer a court can check, transaction by transaction; each CoinJoin
//! skipped and each union refused by the super-cluster guard is recorded with its reason.
//!
//! Change-address heuristics (an output that is the spender's change joins the inputs' cluster) are
//! available by name and off by default: they are guesses about the payer's wallet, not facts of the
//! transaction.

use crate::chunked::Chunked;

/// Why a transaction's inputs were not joined: which CoinJoin pattern it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoinJoinRule {
    /// Samourai Whirlpool: five inputs, five outputs of one pool denomination.
    Whirlpool,
    /// Wasabi and other coordinated rounds: ten or more outputs of one value from five or more inputs
    /// (Wasabi 1 mixed about 0.1 BTC, others any denomination, several outputs per participant), or fifty
    /// or more inputs and outputs with five of one value (Wasabi 2's many standard denominations).
    Wasabi,
    /// The general pattern (JoinMarket and others): at least two outputs of one value, at least as many
    /// inputs as such outputs, and those outputs at least half of all outputs.
    EqualOutputs,
}

impl CoinJoinRule {
    pub fn name(self) -> &'static str {
        match self {
            CoinJoinRule::Whirlpool => "coinjoin_whirlpool",
            CoinJoinRule::Wasabi => "coinjoin_wasabi",
            CoinJoinRule::EqualOutputs => "coinjoin_equal_outputs",
        }
    }
}

/// Whirlpool's pool denominations, satoshis.
const WHIRLPOOL_POOLS: [u64; 4] = [100_000, 1_000_000, 5_000_000, 50_000_000];

/// Outputs this small are dust and change, never a CoinJoin's mixed output.
const DUST: u64 = 10_000;

/// The CoinJoin pattern a transaction with `inputs` inputs and these output values matches, if any.
pub fn coinjoin(inputs: usize, outputs: &[u64]) -> Option<CoinJoinRule> {
    coinjoin_of(inputs, outputs.iter().copied(), &mut Vec::new())
}

/// [`coinjoin`], sorting the values in `values` (cleared first), kept by the caller from one transaction
/// to the next: an allocation per transaction was 2% of the walk.
fn coinjoin_of(
    inputs: usize,
    outputs: impl ExactSizeIterator<Item = u64>,
    values: &mut Vec<u64>,
) -> Option<CoinJoinRule> {
    let count = outputs.len();
    if inputs < 2 || count < 2 {
        return None;
    }
    values.clear();
    values.extend(outputs.filter(|v| *v > DUST));
    values.sort_unstable();
    let (value, equal) = values
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len()))
        .max_by_key(|&(v, n)| (n, v))?;
    if inputs == 5 && count == 5 && equal == 5 && WHIRLPOOL_POOLS.contains(&value) {
        return Some(CoinJoinRule::Whirlpool);
    }
    if (equal >= 10 && inputs >= 5) || (inputs >= 50 && count >= 50 && equal >= 5) {
        return Some(CoinJoinRule::Wasabi);
    }
    if equal >= 2 && inputs >= equal && 2 * equal >= count {
        return Some(CoinJoinRule::EqualOutputs);
    }
    None
}

/// A change heuristic, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeRule {
    /// Of two outputs, the only one whose script type is that of every input.
    ScriptType,
    /// Of two outputs, the one that is not a round amount (the payment is round: 0.05 BTC, 1.2 BTC).
    RoundAmount,
    /// Of two outputs, the only one smaller than every input (a wallet would not have spent an input the
    /// payment did not need).
    OptimalChange,
    /// Of two outputs, the only one to an address never seen before (wallets make fresh change addresses;
    /// payees' addresses have usually been given out before).
    FreshAddress,
}

impl ChangeRule {
    pub const ALL: [ChangeRule; 4] = [
        ChangeRule::ScriptType,
        ChangeRule::RoundAmount,
        ChangeRule::OptimalChange,
        ChangeRule::FreshAddress,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChangeRule::ScriptType => "change_script_type",
            ChangeRule::RoundAmount => "change_round_amount",
            ChangeRule::OptimalChange => "change_optimal",
            ChangeRule::FreshAddress => "change_fresh_address",
        }
    }

    pub fn from_name(name: &str) -> Option<ChangeRule> {
        let name = name.trim().to_lowercase().replace('-', "_");
        ChangeRule::ALL
            .into_iter()
            .find(|r| r.name() == name || r.name().trim_start_matches("change_") == name)
    }
}

#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Change heuristics to apply (none by default).
    pub change: Vec<ChangeRule>,
    /// A union joining two clusters that both already hold at least this many addresses is refused and
    /// recorded: one transaction welding two large entities together is more often a missed CoinJoin or
    /// a service paying a service than one owner.
    pub guard_size: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            change: Vec::new(),
            guard_size: 1_000,
        }
    }
}

/// Why two addresses were put in one cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnionRule {
    /// Spent together as inputs of one transaction.
    CommonInput,
    /// One was the change output of a transaction spending the other, by this heuristic.
    Change(ChangeRule),
}

impl UnionRule {
    pub fn name(self) -> &'static str {
        match self {
            UnionRule::CommonInput => "common_input",
            UnionRule::Change(rule) => rule.name(),
        }
    }
}

impl std::fmt::Display for UnionRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A union made: two addresses (numbers of an [`crate::AddressBook`]) put in one cluster by a transaction.
/// 24 bytes: a large chain makes one for nearly every address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Union {
    pub a: u32,
    pub b: u32,
    /// Position of the transaction in the order given to [`Clusters::add_tx`].
    pub tx: u64,
    pub rule: UnionRule,
}

/// A transaction whose inputs were left apart, or a union refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub tx: u64,
    pub rule: &'static str,
    /// For a refused union: the two clusters' sizes.
    pub sizes: Option<(usize, usize)>,
}

/// What clustering needs of a transaction's output.
#[derive(Debug, Clone, Copy)]
pub struct TxOutput {
    pub address: Option<u32>,
    pub value: u64,
    pub script_type: crate::flatten::ScriptType,
    /// The address had been seen before this transaction.
    pub seen_before: bool,
}

/// What clustering needs of a resolved input.
#[derive(Debug, Clone, Copy)]
pub struct TxInput {
    pub address: u32,
    pub value: u64,
    pub script_type: crate::flatten::ScriptType,
}

/// An address's place in the union-find forest: its parent, and the size of its cluster when it is the
/// root. Side by side, so that a union reads both in one cache line.
#[derive(Debug, Clone, Copy)]
struct Node {
    parent: u32,
    size: u32,
}

/// Union-find over address numbers, fed transaction by transaction in chain order.
#[derive(Debug)]
pub struct Clusters {
    nodes: Chunked<Node>,
    /// The unions made since they were last taken ([`Clusters::drain_made`]).
    pub unions: Vec<Union>,
    /// The skips made since they were last taken.
    pub skips: Vec<Skip>,
    /// Unions made in all, taken or not.
    pub unions_made: u64,
    options: ClusterOptions,
    /// A transaction's output values, sorted for the CoinJoin rules (see [`coinjoin_of`]).
    values: Vec<u64>,
}

impl Clusters {
    pub fn new(options: &ClusterOptions) -> Self {
        Clusters {
            options: ClusterOptions {
                // A guard of one would refuse every union.
                guard_size: options.guard_size.max(2),
                ..options.clone()
            },
            nodes: Chunked::new(Node { parent: 0, size: 1 }),
            unions: Vec::new(),
            skips: Vec::new(),
            unions_made: 0,
            values: Vec::new(),
        }
    }

    /// Takes the unions and skips made since the last call, for a caller that writes them as they come
    /// (`spector chain import`, a block at a time): kept for the whole chain, the unions were a quarter of
    /// the walk's memory on 10M transactions (24 bytes each, two for every three addresses), and every
    /// doubling of their vector copied them into fresh pages.
    pub fn drain_made(&mut self) -> (std::vec::Drain<'_, Union>, std::vec::Drain<'_, Skip>) {
        (self.unions.drain(..), self.skips.drain(..))
    }

    fn grow(&mut self, address: u32) {
        while self.nodes.len() <= address as usize {
            self.nodes.push(Node {
                parent: self.nodes.len() as u32,
                size: 1,
            });
        }
    }

    /// Asks for the memory of an address's node, ahead of a union with it.
    pub(crate) fn prefetch(&self, address: u32) {
        crate::flatten::prefetch(self.nodes.address_of(address as usize));
    }

    /// The cluster of an address: the number of the address that stands for it.
    pub fn find(&mut self, mut x: u32) -> u32 {
        self.grow(x);
        loop {
            let parent = self.nodes[x as usize].parent;
            if parent == x {
                return x;
            }
            // Path halving.
            let up = self.nodes[parent as usize].parent;
            self.nodes[x as usize].parent = up;
            x = up;
        }
    }

    pub fn size_of(&mut self, x: u32) -> usize {
        let root = self.find(x);
        self.nodes[root as usize].size as usize
    }

    fn union(&mut self, a: u32, b: u32, tx: u64, rule: UnionRule) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (sa, sb) = (self.nodes[ra as usize].size, self.nodes[rb as usize].size);
        let guard = self.options.guard_size as u32;
        if sa >= guard && sb >= guard {
            self.skips.push(Skip {
                tx,
                rule: "guard_large_clusters",
                sizes: Some((sa as usize, sb as usize)),
            });
            return;
        }
        let (keep, gone) = if sa >= sb { (ra, rb) } else { (rb, ra) };
        self.nodes[gone as usize].parent = keep;
        self.nodes[keep as usize].size = sa + sb;
        self.unions.push(Union { a, b, tx, rule });
        self.unions_made += 1;
    }

    /// Clusters one transaction (the `tx`-th, for the record): its resolved inputs, and its outputs.
    /// Coinbase transactions have no inputs to join.
    pub fn add_tx(&mut self, tx: u64, inputs: &[TxInput], outputs: &[TxOutput]) {
        for o in outputs.iter().filter_map(|o| o.address) {
            self.grow(o);
        }
        let Some(first) = inputs.first() else {
            return;
        };
        if inputs.len() >= 2
            && outputs.len() >= 2
            && let Some(rule) = coinjoin_of(
                inputs.len(),
                outputs.iter().map(|o| o.value),
                &mut self.values,
            )
        {
            self.skips.push(Skip {
                tx,
                rule: rule.name(),
                sizes: None,
            });
            return;
        }
        for input in &inputs[1..] {
            self.union(first.address, input.address, tx, UnionRule::CommonInput);
        }
        if let Some((rule, change)) = self.change_output(inputs, outputs) {
            self.union(first.address, change, tx, UnionRule::Change(rule));
        }
    }

    /// The change output of a two-output transaction, by the first enabled rule that finds exactly one.
    fn change_output(&self, inputs: &[TxInput], outputs: &[TxOutput]) -> Option<(ChangeRule, u32)> {
        let [x, y] = outputs else { return None };
        let (xa, ya) = (x.address?, y.address?);
        if xa == ya {
            return None;
        }
        let pick = |is_change: &dyn Fn(&TxOutput) -> bool| match (is_change(x), is_change(y)) {
            (true, false) => Some(xa),
            (false, true) => Some(ya),
            _ => None,
        };
        let round = |v: u64| v.is_multiple_of(100_000);
        let min_input = inputs.iter().map(|i| i.value).min().unwrap_or(0);
        self.options.change.iter().find_map(|&rule| {
            let found = match rule {
                ChangeRule::ScriptType => {
                    pick(&|o: &TxOutput| inputs.iter().all(|i| i.script_type == o.script_type))
                }
                ChangeRule::RoundAmount => pick(&|o: &TxOutput| !round(o.value)),
                ChangeRule::OptimalChange => pick(&|o: &TxOutput| o.value < min_input),
                ChangeRule::FreshAddress => pick(&|o: &TxOutput| !o.seen_before),
            };
            found.map(|a| (rule, a))
        })
    }

    /// The unions that join `a` and `b`, in order along the path between them; `None` when they are not
    /// in one cluster. See [`union_path`].
    pub fn why(unions: &[Union], a: u32, b: u32) -> Option<Vec<Union>> {
        let edges: Vec<(u32, u32)> = unions.iter().map(|u| (u.a, u.b)).collect();
        union_path(&edges, &a, &b).map(|path| path.into_iter().map(|i| unions[i].clone()).collect())
    }
}

/// The unions (indices into `edges`, each the two addresses a union joined) on the path from `a` to `b`.
/// Each union joined two clusters, so the unions form a forest and the path is unique: it is the whole
/// answer to "which transactions made these two addresses one cluster". `None` when no path exists.
pub fn union_path<A: Eq + std::hash::Hash + Clone>(
    edges: &[(A, A)],
    a: &A,
    b: &A,
) -> Option<Vec<usize>> {
    use std::collections::{HashMap, HashSet, VecDeque};
    let mut adjacent: HashMap<&A, Vec<usize>> = HashMap::new();
    for (i, (x, y)) in edges.iter().enumerate() {
        adjacent.entry(x).or_default().push(i);
        adjacent.entry(y).or_default().push(i);
    }
    let mut came_by: HashMap<&A, usize> = HashMap::new();
    let mut queue = VecDeque::from([a]);
    let mut seen = HashSet::from([a]);
    while let Some(x) = queue.pop_front() {
        if x == b {
            let mut path = Vec::new();
            let mut at = b;
            while at != a {
                let i = *came_by.get(at)?;
                path.push(i);
                let (p, q) = &edges[i];
                at = if p == at { q } else { p };
            }
            path.reverse();
            return Some(path);
        }
        for &i in adjacent.get(x).into_iter().flatten() {
            let (p, q) = &edges[i];
            let next = if p == x { q } else { p };
            if seen.insert(next) {
                came_by.insert(next, i);
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flatten::ScriptType;

    fn input(address: u32, value: u64) -> TxInput {
        TxInput {
            address,
            value,
            script_type: ScriptType::WitnessV0KeyHash,
        }
    }
    fn output(address: u32, value: u64, seen_before: bool) -> TxOutput {
        TxOutput {
            address: Some(address),
            value,
            script_type: ScriptType::WitnessV0KeyHash,
            seen_before,
        }
    }

    #[test]
    fn coinjoin_patterns_are_named_and_ordinary_payments_are_not_coinjoins() {
        assert_eq!(coinjoin(5, &[1_000_000; 5]), Some(CoinJoinRule::Whirlpool));
        let mut wasabi = vec![10_000_000; 12];
        wasabi.extend([3_456_789, 77_000]);
        assert_eq!(coinjoin(14, &wasabi), Some(CoinJoinRule::Wasabi));
        // Several mixed outputs per participant: more equal outputs than inputs, any denomination.
        let mut round = vec![1_000_000; 29];
        round.extend((0..13).map(|i| 150_000 + i * 61_000));
        assert_eq!(coinjoin(26, &round), Some(CoinJoinRule::Wasabi));
        // JoinMarket: three equal outputs, two changes.
        assert_eq!(
            coinjoin(4, &[2_000_000, 2_000_000, 2_000_000, 513_000, 1_207_000]),
            Some(CoinJoinRule::EqualOutputs)
        );
        // A payment and its change; a consolidation; a batch payout of different amounts.
        assert_eq!(coinjoin(2, &[5_000_000, 1_234_567]), None);
        assert_eq!(coinjoin(30, &[99_000_000]), None);
        assert_eq!(coinjoin(1, &[1_000_000, 1_000_000]), None);
        assert_eq!(
            coinjoin(3, &[1_000_000, 2_000_000, 3_000_000, 4_000_000]),
            None
        );
        // Equal dust outputs are not mixed coins.
        assert_eq!(coinjoin(3, &[546, 546, 546]), None);
    }

    #[test]
    fn inputs_spent_together_join_and_the_path_names_the_transactions() {
        let mut c = Clusters::new(&ClusterOptions::default());
        c.add_tx(0, &[input(1, 5), input(2, 5)], &[output(9, 8, false)]);
        c.add_tx(1, &[input(2, 5), input(3, 5)], &[output(9, 8, true)]);
        // A CoinJoin of 4 and 5 with others: skipped and recorded.
        c.add_tx(
            2,
            &[input(4, 3_000_000), input(5, 3_000_000)],
            &[output(6, 2_000_000, false), output(7, 2_000_000, false)],
        );
        assert_eq!(c.find(1), c.find(3));
        assert_ne!(c.find(4), c.find(5));
        assert_ne!(c.find(9), c.find(1));
        assert_eq!(c.size_of(3), 3);
        assert_eq!(
            c.skips,
            vec![Skip {
                tx: 2,
                rule: "coinjoin_equal_outputs",
                sizes: None
            }]
        );
        let path = Clusters::why(&c.unions, 1, 3).unwrap();
        assert_eq!(path.iter().map(|u| u.tx).collect::<Vec<_>>(), vec![0, 1]);
        assert!(path.iter().all(|u| u.rule == UnionRule::CommonInput));
        assert!(Clusters::why(&c.unions, 1, 4).is_none());
    }

    #[test]
    fn unions_and_skips_are_taken_as_they_are_made_and_all_are_counted() {
        let mut c = Clusters::new(&ClusterOptions::default());
        c.add_tx(0, &[input(1, 5), input(2, 5)], &[output(9, 8, false)]);
        let (unions, skips) = c.drain_made();
        assert_eq!(
            unions.map(|u| (u.a, u.b, u.tx)).collect::<Vec<_>>(),
            vec![(1, 2, 0)]
        );
        assert_eq!(skips.count(), 0);
        c.add_tx(
            1,
            &[input(4, 3_000_000), input(5, 3_000_000)],
            &[output(6, 2_000_000, false), output(7, 2_000_000, false)],
        );
        c.add_tx(2, &[input(2, 5), input(3, 5)], &[output(9, 8, true)]);
        let (unions, skips) = c.drain_made();
        // Only what was made since the last call: the first union is not given twice.
        assert_eq!(
            unions.map(|u| (u.a, u.b, u.tx)).collect::<Vec<_>>(),
            vec![(2, 3, 2)]
        );
        assert_eq!(skips.map(|s| s.tx).collect::<Vec<_>>(), vec![1]);
        assert_eq!(c.unions_made, 2);
        assert!(c.unions.is_empty() && c.skips.is_empty());
        // Taking them changes no cluster.
        assert_eq!(c.find(1), c.find(3));
        assert_ne!(c.find(4), c.find(5));
    }

    #[test]
    fn change_heuristics_join_only_when_asked_and_only_one_output_fits() {
        let tx = (
            [input(1, 300_000_000)],
            [output(2, 150_000_000, true), output(3, 149_990_000, false)],
        );
        let mut off = Clusters::new(&ClusterOptions::default());
        off.add_tx(0, &tx.0, &tx.1);
        assert_ne!(off.find(1), off.find(3));
        for rule in [ChangeRule::RoundAmount, ChangeRule::FreshAddress] {
            let mut on = Clusters::new(&ClusterOptions {
                change: vec![rule],
                ..ClusterOptions::default()
            });
            on.add_tx(0, &tx.0, &tx.1);
            assert_eq!(on.find(1), on.find(3), "{}", rule.name());
            assert_ne!(on.find(1), on.find(2), "{}", rule.name());
            assert_eq!(on.unions[0].rule.name(), rule.name());
        }
        // Both outputs smaller than the input: optimal change cannot tell.
        let mut optimal = Clusters::new(&ClusterOptions {
            change: vec![ChangeRule::OptimalChange],
            ..ClusterOptions::default()
        });
        optimal.add_tx(0, &tx.0, &tx.1);
        assert!(optimal.unions.is_empty());
        assert_eq!(
            ChangeRule::from_name("round-amount"),
            Some(ChangeRule::RoundAmount)
        );
    }

    #[test]
    fn one_transaction_cannot_weld_two_large_clusters() {
        let mut c = Clusters::new(&ClusterOptions {
            guard_size: 3,
            ..ClusterOptions::default()
        });
        c.add_tx(0, &[input(1, 1), input(2, 1), input(3, 1)], &[]);
        c.add_tx(1, &[input(4, 1), input(5, 1), input(6, 1)], &[]);
        c.add_tx(2, &[input(1, 1), input(4, 1)], &[]);
        assert_ne!(c.find(1), c.find(4));
        assert_eq!(c.skips.last().unwrap().rule, "guard_large_clusters");
        assert_eq!(c.skips.last().unwrap().sizes, Some((3, 3)));
        // A small cluster may still join a large one.
        c.add_tx(3, &[input(1, 1), input(7, 1)], &[]);
        assert_eq!(c.size_of(7), 4);
    }
}
