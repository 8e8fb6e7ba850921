//! Blocks of the best chain, in chain order, flattened into the model's rows; each input resolved against
//! the outputs of the blocks flattened before it (its value, address and script type), so that what a
//! transaction spent from whom can be read without the rest of the chain.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use bitcoin::hashes::{Hash, hash160};
use bitcoin::{Address, Block, Network, NetworkKind, OutPoint, PubkeyHash, Script, ScriptBuf};
use spector_model::{ChainBlock, ChainInput, ChainOutput, ChainTx, Provenance};

use crate::cluster::{ClusterOptions, Clusters, TxInput, TxOutput};
use crate::read::RawBlock;

/// Maps keyed by outpoints and scripts: fixed-seed foldhash, several times faster than SipHash on the
/// tens of millions of lookups of a large chain (the keys are public chain data, so there is no secret
/// to protect against flooding).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// The longest script an address is kept for: a 32-byte witness program after its version and length
/// (P2WSH, P2TR). Longer witness programs are undefined by consensus and have never held coins.
const MAX_ADDRESS_SCRIPT: usize = 34;

/// What identifies an address: the script it pays to, a pay-to-pubkey script read as the P2PKH script of
/// its key (the same owner spends both). Kept inline: no allocation per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct AddressKey {
    len: u8,
    bytes: [u8; MAX_ADDRESS_SCRIPT],
}

impl AddressKey {
    fn of(script: &Script, kind: ScriptType) -> Option<AddressKey> {
        let p2pkh;
        let bytes = match kind {
            ScriptType::Pubkey => {
                // `is_p2pk` guarantees one push of the key, then OP_CHECKSIG.
                let s = script.as_bytes();
                let hash = PubkeyHash::from_raw_hash(hash160::Hash::hash(&s[1..s.len() - 1]));
                p2pkh = ScriptBuf::new_p2pkh(&hash);
                p2pkh.as_bytes()
            }
            ScriptType::PubkeyHash
            | ScriptType::ScriptHash
            | ScriptType::WitnessV0KeyHash
            | ScriptType::WitnessV0ScriptHash
            | ScriptType::WitnessV1Taproot
            | ScriptType::WitnessUnknown => script.as_bytes(),
            _ => return None,
        };
        if bytes.len() > MAX_ADDRESS_SCRIPT {
            return None;
        }
        let mut key = AddressKey {
            len: bytes.len() as u8,
            bytes: [0; MAX_ADDRESS_SCRIPT],
        };
        key.bytes[..bytes.len()].copy_from_slice(bytes);
        Some(key)
    }

    fn script(&self) -> &Script {
        Script::from_bytes(&self.bytes[..usize::from(self.len)])
    }
}

/// Every address seen, numbered in order of first sight by the script it pays to: unspent outputs and
/// clusters refer to an address by number, so memory grows with the addresses, not with the chain. Each
/// key is stored once, in `keys`; the hash table holds only numbers into it (about 41 bytes an address
/// in all). Its text (base58 or bech32 for the network) is written only when asked for.
pub struct AddressBook {
    network: Network,
    numbers: hashbrown::HashTable<u32>,
    keys: Vec<AddressKey>,
    hasher: foldhash::fast::FixedState,
}

impl std::fmt::Debug for AddressBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "AddressBook({} addresses, {})",
            self.keys.len(),
            self.network
        )
    }
}

impl AddressBook {
    pub fn new(network: Network) -> Self {
        AddressBook {
            network,
            numbers: hashbrown::HashTable::new(),
            keys: Vec::new(),
            hasher: foldhash::fast::FixedState::default(),
        }
    }

    fn lookup(&self, key: &AddressKey) -> (u64, Option<u32>) {
        let hash = self.hasher.hash_one(key);
        let keys = &self.keys;
        let found = self
            .numbers
            .find(hash, |&n| keys[n as usize] == *key)
            .copied();
        (hash, found)
    }

    /// The number of the address `script` pays to (`None` when it has none), and whether it had one
    /// already.
    fn number_seen(&mut self, script: &Script, kind: ScriptType) -> Option<(u32, bool)> {
        let key = AddressKey::of(script, kind)?;
        let (hash, found) = self.lookup(&key);
        if let Some(n) = found {
            return Some((n, true));
        }
        let n = self.keys.len() as u32;
        self.keys.push(key);
        let (keys, hasher) = (&self.keys, &self.hasher);
        self.numbers
            .insert_unique(hash, n, |&m| hasher.hash_one(keys[m as usize]));
        Some((n, false))
    }

    /// The number of an address (as text, for any network) already seen.
    pub fn find(&self, address: &str) -> Option<u32> {
        let parsed: Address<bitcoin::address::NetworkUnchecked> = address.trim().parse().ok()?;
        let script = parsed.assume_checked_ref().script_pubkey();
        let key = AddressKey::of(&script, script_type(&script))?;
        self.lookup(&key).1
    }

    /// The address's text for the network.
    pub fn name(&self, number: u32) -> Option<String> {
        let key = self.keys.get(number as usize)?;
        Address::from_script(key.script(), self.network)
            .ok()
            .map(|a| a.to_string())
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
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
    /// The address number ([`AddressBook`]) of each input's spent output and of each output, in the order
    /// of `inputs` and `outputs`.
    pub input_addresses: Vec<Option<u32>>,
    pub output_addresses: Vec<Option<u32>>,
}

/// What a block added to the chain read, when only counts are wanted ([`Flattener::cluster_block`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockCounts {
    pub txs: u64,
    pub inputs: u64,
    pub inputs_resolved: u64,
    pub outputs: u64,
}

/// Flattens blocks given in chain order, keeping the outputs not yet spent.
pub struct Flattener {
    network: Network,
    unspent: FastMap<OutPoint, Unspent>,
    pub addresses: AddressBook,
    /// Address clusters, built as the transactions pass when asked for.
    pub clusters: Option<Clusters>,
    next_tx: u64,
}

impl Flattener {
    pub fn new(network: Network) -> Self {
        Flattener {
            network,
            unspent: FastMap::default(),
            addresses: AddressBook::new(network),
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

    /// The block's rows (and its transactions clustered, when clustering).
    pub fn flatten(
        &mut self,
        block: &Block,
        raw: &RawBlock,
        height: Option<u64>,
        source_sha256: &Arc<str>,
    ) -> FlatBlock {
        let mut rows = Rows::default();
        let first_tx = self.next_tx;
        self.walk(block, None, height, Some(&mut rows));
        let location = &raw.location;
        let chain_block = ChainBlock {
            hash: block.block_hash().to_string(),
            prev_hash: block.header.prev_blockhash.to_string(),
            height,
            time: i64::from(block.header.time),
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
            txs: rows.txs,
            inputs: rows.inputs,
            outputs: rows.outputs,
            input_addresses: rows.input_addresses,
            output_addresses: rows.output_addresses,
        }
    }

    /// Resolves and clusters the block's transactions without making rows: what clustering a chain
    /// costs, as the benchmark measures it.
    pub fn cluster_block(&mut self, block: &crate::DecodedBlock) -> BlockCounts {
        self.walk(&block.block, Some(&block.txids), None, None)
    }

    /// `txids`, when given, are those of the block's transactions (as decoding computed them).
    fn walk(
        &mut self,
        block: &Block,
        txids: Option<&[bitcoin::Txid]>,
        height: Option<u64>,
        mut rows: Option<&mut Rows>,
    ) -> BlockCounts {
        let mut counts = BlockCounts::default();
        let block_hash = rows.as_ref().map(|_| block.block_hash().to_string());
        let time = i64::from(block.header.time);
        let mut cluster_inputs: Vec<TxInput> = Vec::new();
        let mut cluster_outputs: Vec<TxOutput> = Vec::new();
        for (index, tx) in block.txdata.iter().enumerate() {
            cluster_inputs.clear();
            cluster_outputs.clear();
            let txid_hash = txids
                .and_then(|t| t.get(index).copied())
                .unwrap_or_else(|| tx.compute_txid());
            let txid = rows.as_ref().map(|_| txid_hash.to_string());
            let coinbase = tx.is_coinbase();
            let mut input_value = Some(0u64);
            for (vin, input) in tx.input.iter().enumerate() {
                let spent = if coinbase {
                    None
                } else {
                    self.unspent.remove(&input.previous_output)
                };
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
                counts.inputs += 1;
                counts.inputs_resolved += u64::from(spent.is_some());
                if let (Some(rows), Some(txid)) = (rows.as_deref_mut(), &txid) {
                    let address = spent.and_then(|s| s.address);
                    rows.inputs.push(ChainInput {
                        txid: txid.clone(),
                        vin: vin as u32,
                        prev_txid: (!coinbase).then(|| input.previous_output.txid.to_string()),
                        prev_vout: (!coinbase).then_some(input.previous_output.vout),
                        sequence: input.sequence.to_consensus_u32(),
                        value: spent.map(|s| s.value),
                        address: address.and_then(|n| self.addresses.name(n)),
                        script_type: spent.map(|s| s.script_type.name().to_string()),
                    });
                    rows.input_addresses.push(address);
                }
            }
            let mut output_value = 0u64;
            for (vout, output) in tx.output.iter().enumerate() {
                let value = output.value.to_sat();
                output_value += value;
                let kind = script_type(&output.script_pubkey);
                let numbered = self.addresses.number_seen(&output.script_pubkey, kind);
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
                counts.outputs += 1;
                if let (Some(rows), Some(txid)) = (rows.as_deref_mut(), &txid) {
                    rows.outputs.push(ChainOutput {
                        txid: txid.clone(),
                        vout: vout as u32,
                        value,
                        script_type: kind.name().to_string(),
                        address: address_of(&output.script_pubkey, kind, self.network),
                    });
                    rows.output_addresses.push(number);
                }
            }
            if let Some(clusters) = &mut self.clusters {
                clusters.add_tx(self.next_tx, &cluster_inputs, &cluster_outputs);
            }
            self.next_tx += 1;
            counts.txs += 1;
            let input_value = if coinbase { None } else { input_value };
            if let (Some(rows), Some(txid), Some(block_hash)) =
                (rows.as_deref_mut(), txid, &block_hash)
            {
                rows.txs.push(ChainTx {
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
        }
        counts
    }
}

#[derive(Default)]
struct Rows {
    txs: Vec<ChainTx>,
    inputs: Vec<ChainInput>,
    outputs: Vec<ChainOutput>,
    input_addresses: Vec<Option<u32>>,
    output_addresses: Vec<Option<u32>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(hex: &str) -> ScriptBuf {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        ScriptBuf::from_bytes(bytes)
    }

    #[test]
    fn every_standard_script_has_core_s_type_name_and_address() {
        // (script, type, mainnet address): BIP 350's and BIP 173's test vectors, and block 170's P2PK key.
        let cases = [
            (
                "5120a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c",
                "witness_v1_taproot",
                Some("bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"),
            ),
            (
                "0014751e76e8199196d454941c45d1b3a323f1433bd6",
                "witness_v0_keyhash",
                Some("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
            ),
            (
                "410411db93e1dcdb8a016b49840f8c53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f82e160bfa9b8b64f9d4c03f999b8643f656b412a3ac",
                "pubkey",
                Some("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S"),
            ),
            ("6a0b68656c6c6f20776f726c64", "nulldata", None),
        ];
        let mut book = AddressBook::new(Network::Bitcoin);
        for (hex, kind_name, address) in cases {
            let s = script(hex);
            let kind = script_type(&s);
            assert_eq!(kind.name(), kind_name, "{hex}");
            assert_eq!(
                address_of(&s, kind, Network::Bitcoin).as_deref(),
                address,
                "{hex}"
            );
            // The address book names the address by the same text, and finds it again by it.
            if let Some(address) = address {
                let (n, seen) = book.number_seen(&s, kind).unwrap();
                assert!(!seen);
                assert_eq!(book.name(n).as_deref(), Some(address));
                assert_eq!(book.find(address), Some(n));
                assert_eq!(book.number_seen(&s, kind), Some((n, true)));
            }
        }
        // A pay-to-pubkey output and a P2PKH output to the same key are one address.
        let p2pkh = script("76a91411b366edfc0a8b66feebae5c2e25a7b6a5d1cf3188ac");
        let (n, seen) = book.number_seen(&p2pkh, script_type(&p2pkh)).unwrap();
        assert!(seen);
        assert_eq!(
            book.name(n).as_deref(),
            Some("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S")
        );
    }
}
