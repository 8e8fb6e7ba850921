//! A large chain of everyday shapes for benchmarks, written as it is made: N transactions in regtest blk
//! files, in memory only a bounded set of spendable outputs and a ring of recent addresses.
//!
//! Shapes: mostly 1–3 inputs paying one output plus change; some consolidations (5–30 inputs, one
//! output), some batch payouts (10–50 outputs); a fifth of payments go to a recently used address, change
//! usually matches the script type of the first input. Every input spends an output written before it.

use std::collections::VecDeque;
use std::path::Path;

use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, Transaction, TxOut, Txid, absolute};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::blk::{BlkWriter, COINBASE_MATURITY, ChainSummary, subsidy};
use super::script::{self, Kind};
use crate::SynthError;
use crate::clock::WORLD_START;
use crate::seed::stream;

/// What bulk chain to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkConfig {
    pub seed: u64,
    /// Transactions in all, the genesis block's and every coinbase included.
    pub transactions: u64,
    /// Transactions per block besides the coinbase (mainnet blocks of 2019–2021 held about 2,000).
    pub per_block: usize,
}

impl Default for BulkConfig {
    fn default() -> Self {
        BulkConfig {
            seed: 1,
            transactions: 1_000_000,
            per_block: 2_000,
        }
    }
}

/// Spendable outputs kept for later spends; above this, new outputs are left unspent for good (and
/// consolidations made more often, so that it is rarely reached).
const POOL_MAX: usize = 400_000;
const POOL_TARGET: usize = 200_000;
const RECENT: usize = 1 << 16;
const DUST: u64 = 1_000;

#[derive(Debug, Clone, Copy)]
struct Utxo {
    outpoint: OutPoint,
    value: u64,
    kind: Kind,
    hash: [u8; 20],
}

/// Writes `config.transactions` transactions into `dir` (`blk00000.dat`, ...); `progress` gets the count
/// written after each block.
pub fn write_bulk_chain(
    config: &BulkConfig,
    dir: &Path,
    progress: &dyn Fn(u64),
) -> Result<ChainSummary, SynthError> {
    if config.transactions == 0 || config.per_block == 0 {
        return Err(SynthError::InvalidConfig(
            "a bulk chain needs at least one transaction (the genesis block's) and one per block"
                .into(),
        ));
    }
    let mut writer = BlkWriter::create(dir)?;
    let mut maker = Maker {
        rng: stream(config.seed, "bulk-chain", 0, 0),
        pool: Vec::with_capacity(POOL_TARGET),
        recent: Vec::with_capacity(RECENT),
        recent_next: 0,
        feerate: 1,
    };
    let miners: Vec<(Kind, [u8; 20])> = (0..8).map(|_| maker.new_address()).collect();
    let mut immature: VecDeque<(u32, Utxo)> = VecDeque::new();
    let mut written = 1u64;
    let mut txs = Vec::with_capacity(config.per_block);
    let mut txids = Vec::with_capacity(config.per_block);
    while written < config.transactions {
        let height = writer.next_height();
        while immature.front().is_some_and(|(h, _)| *h <= height) {
            if let Some((_, utxo)) = immature.pop_front() {
                maker.pool.push(utxo);
            }
        }
        let room = (config.transactions - written - 1).min(config.per_block as u64);
        let r: f64 = maker.rng.r#gen();
        maker.feerate = 1 + (r.powi(3) * 60.0) as u64;
        let mut fees = 0;
        for _ in 0..room {
            let Some((tx, fee)) = maker.transaction() else {
                break;
            };
            let txid = tx.compute_txid();
            maker.keep_outputs(&tx, txid);
            fees += fee;
            txs.push(tx);
            txids.push(txid);
        }
        let (kind, hash) = miners[height as usize % miners.len()];
        let miner = script::script_of(kind, hash);
        let time = WORLD_START + i64::from(height) * 600;
        let count = txs.len() as u64;
        let coinbase = writer.write_block(
            u32::try_from(time).unwrap_or(u32::MAX),
            &miner,
            std::mem::take(&mut txs),
            &txids,
            fees,
        )?;
        txids.clear();
        let reward = subsidy(height) + fees;
        // Regtest's subsidy is gone after 9,600 blocks: an empty coinbase pays nobody anything to spend.
        if reward >= DUST {
            immature.push_back((
                height + COINBASE_MATURITY,
                Utxo {
                    outpoint: OutPoint::new(coinbase, 0),
                    value: reward,
                    kind,
                    hash,
                },
            ));
        }
        written += 1 + count;
        progress(written);
    }
    writer.finish()
}

struct Maker {
    rng: ChaCha8Rng,
    pool: Vec<Utxo>,
    recent: Vec<(Kind, [u8; 20])>,
    recent_next: usize,
    feerate: u64,
}

impl Maker {
    fn new_address(&mut self) -> (Kind, [u8; 20]) {
        let r: f64 = self.rng.r#gen();
        let kind = if r < 0.55 {
            Kind::P2wpkh
        } else if r < 0.9 {
            Kind::P2pkh
        } else {
            Kind::P2sh
        };
        let address = (kind, self.rng.r#gen());
        self.remember(address);
        address
    }

    fn remember(&mut self, address: (Kind, [u8; 20])) {
        if self.recent.len() < RECENT {
            self.recent.push(address);
        } else {
            self.recent[self.recent_next] = address;
            self.recent_next = (self.recent_next + 1) % RECENT;
        }
    }

    /// A payment's address: now and then one used before.
    fn payee(&mut self) -> (Kind, [u8; 20]) {
        if !self.recent.is_empty() && self.rng.gen_bool(0.2) {
            self.recent[self.rng.gen_range(0..self.recent.len())]
        } else {
            self.new_address()
        }
    }

    /// The next transaction and its fee, or none when nothing is spendable.
    fn transaction(&mut self) -> Option<(Transaction, u64)> {
        if self.pool.is_empty() {
            return None;
        }
        let pool = self.pool.len();
        let r: f64 = self.rng.r#gen();
        let consolidate = if pool > POOL_TARGET { 0.25 } else { 0.03 };
        let batch = if pool < 1_000 {
            0.5
        } else if pool < POOL_TARGET / 4 {
            0.1
        } else {
            0.03
        };
        let (inputs, mut outputs) = if r < consolidate {
            (self.rng.gen_range(5..=30), 1)
        } else if r < consolidate + batch {
            (self.rng.gen_range(1..=2), self.rng.gen_range(10..=50))
        } else {
            let inputs = match self.rng.gen_range(0..10) {
                0..=5 => 1,
                6..=8 => 2,
                _ => 3,
            };
            let outputs = match self.rng.gen_range(0..20) {
                0 => 1,
                1 => 3,
                _ => 2,
            };
            (inputs, outputs)
        };
        let mut spent: Vec<Utxo> = Vec::with_capacity(inputs);
        for _ in 0..inputs.min(self.pool.len()) {
            let i = self.rng.gen_range(0..self.pool.len());
            spent.push(self.pool.swap_remove(i));
        }
        let input_value: u64 = spent.iter().map(|u| u.value).sum();
        let vsize = |outputs: usize| {
            11 + spent
                .iter()
                .map(|u| match u.kind {
                    Kind::P2pkh => 148,
                    Kind::P2wpkh => 68,
                    Kind::P2sh => 91,
                })
                .sum::<u64>()
                + 33 * outputs as u64
        };
        while outputs > 1 && input_value < self.feerate * vsize(outputs) + outputs as u64 * DUST * 4
        {
            outputs = (outputs / 2).max(1);
        }
        let fee = (self.feerate * vsize(outputs)).min(input_value.saturating_sub(DUST));
        let available = input_value - fee;
        let mut values = Vec::with_capacity(outputs);
        if outputs == 1 {
            values.push(available);
        } else if outputs <= 3 {
            // A payment (round now and then), a second one for three outputs, and the change.
            let mut left = available;
            for j in 1..outputs {
                // Leaves at least dust for each output still to come.
                let most = left - (outputs - j) as u64 * DUST;
                let share = self.rng.gen_range(0.05..0.95);
                let mut pay = (most as f64 * share) as u64;
                if pay > 1_000_000 && self.rng.gen_bool(0.3) {
                    pay = pay / 100_000 * 100_000;
                }
                let pay = pay.max(DUST).min(most);
                values.push(pay);
                left -= pay;
            }
            values.push(left);
        } else {
            let weights: Vec<f64> = (0..outputs).map(|_| self.rng.gen_range(0.2..1.0)).collect();
            let total: f64 = weights.iter().sum();
            let spread = available - outputs as u64 * DUST;
            let mut left = available;
            for w in &weights[..outputs - 1] {
                let pay = DUST + (spread as f64 * w / total) as u64;
                values.push(pay);
                left -= pay;
            }
            values.push(left);
        }
        let first = spent[0];
        let mut output = Vec::with_capacity(outputs);
        for (i, value) in values.iter().enumerate() {
            let change = i + 1 == outputs && outputs > 1 && outputs <= 3;
            let (kind, hash) = if change {
                if self.rng.gen_bool(0.05) {
                    (first.kind, first.hash)
                } else {
                    let kind = if self.rng.gen_bool(0.8) {
                        first.kind
                    } else {
                        self.new_address().0
                    };
                    let address = (kind, self.rng.r#gen());
                    self.remember(address);
                    address
                }
            } else {
                self.payee()
            };
            output.push(TxOut {
                value: Amount::from_sat(*value),
                script_pubkey: script::script_of(kind, hash),
            });
        }
        let tx = Transaction {
            version: Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: spent
                .iter()
                .map(|u| script::spend(u.outpoint, &script::script_of(u.kind, u.hash)))
                .collect(),
            output,
        };
        let paid: u64 = values.iter().sum();
        Some((tx, input_value - paid))
    }

    fn keep_outputs(&mut self, tx: &Transaction, txid: Txid) {
        for (vout, out) in tx.output.iter().enumerate() {
            if self.pool.len() >= POOL_MAX {
                return;
            }
            let script = &out.script_pubkey;
            let bytes = script.as_bytes();
            let (kind, range) = if script.is_p2wpkh() {
                (Kind::P2wpkh, 2..22)
            } else if script.is_p2sh() {
                (Kind::P2sh, 2..22)
            } else {
                (Kind::P2pkh, 3..23)
            };
            let mut hash = [0u8; 20];
            if let Some(src) = bytes.get(range) {
                hash.copy_from_slice(src);
            }
            self.pool.push(Utxo {
                outpoint: OutPoint::new(txid, vout as u32),
                value: out.value.to_sat(),
                kind,
                hash,
            });
        }
    }
}
