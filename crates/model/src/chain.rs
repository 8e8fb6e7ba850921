//! Bitcoin's public chain as a case holds it: the blocks of the best chain, their transactions, and each
//! transaction's inputs and outputs, flat and named as Bitcoin Core's RPC names them. Hashes are the
//! usual reversed hex ("txid" as explorers show it); values are satoshis.

use crate::Provenance;

/// A block of the best chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBlock {
    pub hash: String,
    pub prev_hash: String,
    /// Known when the block's segment reaches a genesis block or its coinbase states it (BIP 34).
    pub height: Option<u64>,
    /// Header time, Unix seconds.
    pub time: i64,
    pub version: i32,
    pub bits: u32,
    pub nonce: u32,
    pub merkle_root: String,
    pub tx_count: u64,
    /// Serialized size with witnesses, and weight units.
    pub size: u64,
    pub weight: u64,
    /// "bitcoin", "testnet", "testnet4", "signet" or "regtest"; from the blk file's magic, else as given.
    pub network: String,
    /// `src_table` names the framing ("blk", "raw" or "getblock"), `src_row` the block's place in its file.
    pub provenance: Provenance,
}

/// A transaction of a block of the best chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTx {
    pub txid: String,
    pub block_hash: String,
    pub height: Option<u64>,
    pub time: i64,
    /// Position in the block, 0 for the coinbase.
    pub index: u32,
    pub version: i32,
    pub lock_time: u32,
    pub size: u64,
    pub vsize: u64,
    pub weight: u64,
    pub coinbase: bool,
    pub input_count: u32,
    pub output_count: u32,
    /// Sum of the values spent; `None` when any spent output lies outside the blocks read.
    pub input_value: Option<u64>,
    pub output_value: u64,
    pub fee: Option<u64>,
}

/// An input: which output it spends and, when that output was read, its value and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainInput {
    pub txid: String,
    pub vin: u32,
    /// `None` for a coinbase input, which spends nothing.
    pub prev_txid: Option<String>,
    pub prev_vout: Option<u32>,
    pub sequence: u32,
    pub value: Option<u64>,
    pub address: Option<String>,
    pub script_type: Option<String>,
}

/// An output, with the address its script pays to where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainOutput {
    pub txid: String,
    pub vout: u32,
    pub value: u64,
    /// Bitcoin Core's names: "pubkey", "pubkeyhash", "scripthash", "multisig", "nulldata",
    /// "witness_v0_keyhash", "witness_v0_scripthash", "witness_v1_taproot", "witness_unknown", "nonstandard".
    pub script_type: String,
    /// Base58 or bech32(m) for the network; a pay-to-pubkey output is shown under the P2PKH address of its
    /// key, as Core's older RPC and explorers show it (the same owner spends both).
    pub address: Option<String>,
}

/// An address seen on the best chain, with what passed through it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainAddress {
    pub address: String,
    pub script_type: String,
    /// Time of the first and last block that paid it or spent from it, Unix seconds.
    pub first_seen: i64,
    pub last_seen: i64,
    /// Outputs paying it, and the satoshis they carried.
    pub outputs: u64,
    pub received: u64,
    /// Inputs spending from it that were resolved, and their satoshis.
    pub inputs: u64,
    pub spent: u64,
    /// Its cluster, named by the address that stands for it, and the cluster's size in addresses.
    pub cluster: String,
    pub cluster_size: u64,
}

/// Two addresses put in one cluster by a transaction, and the rule that read it so: "common_input"
/// (spent together) or a change heuristic's name. The unions of a cluster form a tree over its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainUnion {
    pub address_a: String,
    pub address_b: String,
    pub txid: String,
    pub rule: String,
}

/// A transaction whose inputs clustering left apart ("coinjoin_whirlpool", "coinjoin_wasabi",
/// "coinjoin_equal_outputs"), or a union it refused ("guard_large_clusters", with the two clusters' sizes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSkip {
    pub txid: String,
    pub rule: String,
    pub size_a: Option<u64>,
    pub size_b: Option<u64>,
}

/// A file of blocks the case holds as evidence (by SHA-256), with how it was framed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSource {
    pub sha256: String,
    pub original_name: String,
    /// "blk", "raw" or "getblock".
    pub framing: String,
    /// Blocks found in it when it was imported.
    pub blocks: u64,
    /// The obfuscation key of a blk file from a Bitcoin Core 28+ data directory (`xor.dat`), in hex.
    pub xor_key: Option<String>,
    pub imported_at: i64,
}

/// A public attribution of an address (a GraphSense TagPack entry, a sanctions list line): who it is said
/// to belong to, by whom, how sure. A tag on any address of a cluster labels the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTag {
    pub address: String,
    /// Upper-case ticker: "BTC", "ETH", "XMR" ...
    pub currency: String,
    pub label: String,
    /// "exchange", "market", "mixing_service", "ransomware" ... as the pack states it.
    pub category: Option<String>,
    pub actor: Option<String>,
    /// The tag's own source, as the pack states it (a URL or a text).
    pub source: String,
    pub confidence: Option<String>,
    /// The file the tag was read from (name as handed in), and the tag's position in it (1-based).
    pub file: String,
    pub position: u64,
    /// SHA-256 of that file as the case holds it.
    pub src_sha256: String,
}
