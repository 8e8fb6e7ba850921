//! Blocks of the best chain, in chain order, flattened into the model's rows; each input resolved against
//! the outputs of the blocks flattened before it (its value, address and script type), so that what a
//! transaction spent from whom can be read without the rest of the chain.

use std::collections::HashMap;
use std::sync::Arc;

use bitcoin::hashes::{Hash, hash160};
use bitcoin::{Address, Block, Network, NetworkKind, OutPoint, PubkeyHash, Script};
use spector_model::{ChainBlock, ChainInput, ChainOutput, ChainTx, Provenance};

use crate::cluster::{ClusterOptions, Clusters, TxInput, TxOutput};
use crate::read::RawBlock;

/// Every address seen, numbered in order of first sight: unspent outputs and, later, clusters refer to an
/// address by number, so memory grows with the addresses, not with the chain.
#[derive(Debug, Default)]
pub struct AddressBook {
    numbers: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

impl AddressBook {
    pub fn number(&mut self, address: &str) -> u32 {
        self.number_seen(address).0
    }

    /// The address's number, and whether it had one already.
    pub fn number_seen(&mut self, address: &str) -> (u32, bool) {
        if let Some(&n) = self.numbers.get(address) {
            return (n, true);
        }
        let name: Arc<str> = address.into();
        let n = self.names.len() as u32;
        self.names.push(name.clone());
        self.numbers.insert(name, n);
        (n, false)
    }

    /// The number of an address already seen.
    pub fn find(&self, address: &str) -> Option<u32> {
        self.numbers.get(address).copied()
    }

    pub fn name(&self, number: u32) -> Option<&str> {
        self.names.get(number as usize).map(|a| &**a)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// An output not yet spent, as much of it as an input spending it needs.
#[derive(Debug, Clone, Copy)]
struct Unspent {
    value: u64,
    address: Option<u32>,
    script_type: ScriptType,
}

/// Bitcoin Core's kinds of output script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptType {
    Pubkey,
    PubkeyHash,
    ScriptHash,
    Multisig,
    NullData,
    WitnessV0KeyHash,
    WitnessV0ScriptHash,
    WitnessV1Taproot,
    WitnessUnknown,
    Nonstandard,
}

impl ScriptType {
    /// The name Bitcoin Core's RPC gives it.
    pub fn name(self) -> &'static str {
        match self {
            ScriptType::Pubkey => "pubkey",
            ScriptType::PubkeyHash => "pubkeyhash",
            ScriptType::ScriptHash => "scripthash",
            ScriptType::Multisig => "multisig",
            ScriptType::NullData => "nulldata",
            ScriptType::WitnessV0KeyHash => "witness_v0_keyhash",
            ScriptType::WitnessV0ScriptHash => "witness_v0_scripthash",
            ScriptType::WitnessV1Taproot => "witness_v1_taproot",
            ScriptType::WitnessUnknown => "witness_unknown",
            ScriptType::Nonstandard => "nonstandard",
        }
    }
}

pub fn script_type(script: &Script) -> ScriptType {
    if script.is_p2pkh() {
        ScriptType::PubkeyHash
    } else if script.is_p2sh() {
        ScriptType::ScriptHash
    } else if script.is_p2wpkh() {
        ScriptType::WitnessV0KeyHash
    } else if script.is_p2wsh() {
        ScriptType::WitnessV0ScriptHash
    } else if script.is_p2tr() {
        ScriptType::WitnessV1Taproot
    } else if script.is_witness_program() {
        ScriptType::WitnessUnknown
    } else if script.is_p2pk() {
        ScriptType::Pubkey
    } else if script.is_op_return() {
        ScriptType::NullData
    } else if script.is_multisig() {
        ScriptType::Multisig
    } else {
        ScriptType::Nonstandard
    }
}

/// The address an output script pays to, for `network`: its own for the standard kinds, the P2PKH address
/// of the key for pay-to-pubkey (the key's owner spends both), none for the rest.
pub fn address_of(script: &Script, kind: ScriptType, network: Network) -> Option<String> {
    match kind {
        ScriptType::Pubkey => {
            // `is_p2pk` guarantees one push of the key, then OP_CHECKSIG.
            let bytes = script.as_bytes();
            let key = &bytes[1..bytes.len() - 1];
            let hash = PubkeyHash::from_raw_hash(hash160::Hash::hash(key));
            Some(Address::p2pkh(hash, NetworkKind::from(network)).to_string())
        }
        ScriptType::PubkeyHash
        | ScriptType::ScriptHash
        | ScriptType::WitnessV0KeyHash
        | ScriptType::WitnessV0ScriptHash
        | ScriptType::WitnessV1Taproot
        | ScriptType::WitnessUnknown => Address::from_script(script, network)
            .ok()
            .map(|a| a.to_string()),
        _ => None,
    }
}

/// One block's rows.
#[derive(Debug, Clone)]
pub struct FlatBlock {
    /// Position of the block's first transaction among all transactions flattened (chain order), the
    /// numbering [`Clusters`] records unions and skips by.
    pub first_tx: u64,
    pub block: ChainBlock,
    pub txs: Vec<ChainTx>,
    pub inputs: Vec<ChainInput>,
    pub outputs: Vec<ChainOutput>,
}

/// Flattens blocks given in chain order, keeping the outputs not yet spent.
pub struct Flattener {
    network: Network,
    unspent: HashMap<OutPoint, Unspent>,
    pub addresses: AddressBook,
    /// Address clusters, built as the transactions pass when asked for.
    pub clusters: Option<Clusters>,
    next_tx: u64,
}

impl Flattener {
    pub fn new(network: Network) -> Self {
        Flattener {
            network,
            unspent: HashMap::new(),
            addresses: AddressBook::default(),
            clusters: None,
            next_tx: 0,
        }
    }

    /// A flattener that also clusters addresses ([`crate::cluster`]).
    pub fn with_clusters(network: Network, options: &ClusterOptions) -> Self {
        Flattener {
            clusters: Some(Clusters::new(options)),
            ..Flattener::new(network)
        }
    }

    /// Outputs read and not yet spent by a block flattened since.
    pub fn unspent_count(&self) -> usize {
        self.unspent.len()
    }

    pub fn flatten(
        &mut self,
        block: &Block,
        raw: &RawBlock,
        height: Option<u64>,
        source_sha256: &Arc<str>,
    ) -> FlatBlock {
        let block_hash = block.block_hash().to_string();
        let time = i64::from(block.header.time);
        let mut txs = Vec::with_capacity(block.txdata.len());
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        let first_tx = self.next_tx;
        let mut cluster_inputs: Vec<TxInput> = Vec::new();
        let mut cluster_outputs: Vec<TxOutput> = Vec::new();
        for (index, tx) in block.txdata.iter().enumerate() {
            cluster_inputs.clear();
            cluster_outputs.clear();
            let txid_hash = tx.compute_txid();
            let txid = txid_hash.to_string();
            let coinbase = tx.is_coinbase();
            let mut input_value = Some(0u64);
            for (vin, input) in tx.input.iter().enumerate() {
                let spent = (!coinbase)
                    .then(|| self.unspent.remove(&input.previous_output))
                    .flatten();
                if let Some(Unspent {
                    value,
                    address: Some(address),
                    script_type,
                }) = spent
                {
                    cluster_inputs.push(TxInput {
                        address,
                        value,
                        script_type,
                    });
                }
                input_value = match (input_value, spent) {
                    (Some(sum), Some(s)) => Some(sum + s.value),
                    _ if coinbase => Some(0),
                    _ => None,
                };
                inputs.push(ChainInput {
                    txid: txid.clone(),
                    vin: vin as u32,
                    prev_txid: (!coinbase).then(|| input.previous_output.txid.to_string()),
                    prev_vout: (!coinbase).then_some(input.previous_output.vout),
                    sequence: input.sequence.to_consensus_u32(),
                    value: spent.map(|s| s.value),
                    address: spent
                        .and_then(|s| s.address)
                        .and_then(|n| self.addresses.name(n))
                        .map(str::to_string),
                    script_type: spent.map(|s| s.script_type.name().to_string()),
                });
            }
            let mut output_value = 0u64;
            for (vout, output) in tx.output.iter().enumerate() {
                let value = output.value.to_sat();
                output_value += value;
                let kind = script_type(&output.script_pubkey);
                let address = address_of(&output.script_pubkey, kind, self.network);
                let numbered = address.as_deref().map(|a| self.addresses.number_seen(a));
                let number = numbered.map(|(n, _)| n);
                cluster_outputs.push(TxOutput {
                    address: number,
                    value,
                    script_type: kind,
                    seen_before: numbered.is_some_and(|(_, seen)| seen),
                });
                // An OP_RETURN output can never be spent.
                if kind != ScriptType::NullData {
                    self.unspent.insert(
                        OutPoint::new(txid_hash, vout as u32),
                        Unspent {
                            value,
                            address: number,
                            script_type: kind,
                        },
                    );
                }
                outputs.push(ChainOutput {
                    txid: txid.clone(),
                    vout: vout as u32,
                    value,
                    script_type: kind.name().to_string(),
                    address,
                });
            }
            if let Some(clusters) = &mut self.clusters {
                clusters.add_tx(self.next_tx, &cluster_inputs, &cluster_outputs);
            }
            self.next_tx += 1;
            let input_value = if coinbase { None } else { input_value };
            txs.push(ChainTx {
                txid,
                block_hash: block_hash.clone(),
                height,
                time,
                index: index as u32,
                version: tx.version.0,
                lock_time: tx.lock_time.to_consensus_u32(),
                size: tx.total_size() as u64,
                vsize: tx.vsize() as u64,
                weight: tx.weight().to_wu(),
                coinbase,
                input_count: tx.input.len() as u32,
                output_count: tx.output.len() as u32,
                input_value,
                output_value,
                fee: input_value.map(|i| i.saturating_sub(output_value)),
            });
        }
        let location = &raw.location;
        let chain_block = ChainBlock {
            hash: block_hash,
            prev_hash: block.header.prev_blockhash.to_string(),
            height,
            time,
            version: block.header.version.to_consensus(),
            bits: block.header.bits.to_consensus(),
            nonce: block.header.nonce,
            merkle_root: block.header.merkle_root.to_string(),
            tx_count: block.txdata.len() as u64,
            size: block.total_size() as u64,
            weight: block.weight().to_wu(),
            network: self.network.to_string(),
            provenance: Provenance {
                src_sha256: source_sha256.clone(),
                src_table: location.framing.name().into(),
                src_row: location.number,
                src_offset: location.offset,
                src_len: location.len,
            },
        };
        FlatBlock {
            first_tx,
            block: chain_block,
            txs,
            inputs,
            outputs,
        }
    }
}
