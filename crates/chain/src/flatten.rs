//! Blocks of the best chain, in chain order, flattened into the model's rows; each input resolved against
//! the outputs of the blocks flattened before it (its value, address and script type), so that what a
//! transaction spent from whom can be read without the rest of the chain.

use std::hash::BuildHasher;
use std::sync::Arc;

use bitcoin::hashes::{Hash, hash160};
use bitcoin::{Address, Network, NetworkKind, PubkeyHash, Script, ScriptBuf, Txid};
use spector_model::{ChainBlock, ChainInput, ChainOutput, ChainTx, Provenance};

use crate::chunked::Chunked;
use crate::cluster::{ClusterOptions, Clusters, TxInput, TxOutput};
use crate::view::BlockView;

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
/// key is stored once, in `keys`; the index is a table of 8-byte slots (about 70 bytes an address in
/// all). Its text (base58 or bech32 for the network) is written only when asked for.
///
/// Why not a `HashMap`: at tens of millions of addresses every lookup is a cache miss, and the walk of a
/// block knows its outputs ahead, so it asks for each slot to be fetched a few outputs before it is read
/// (`AddressBook::prefetch`); and growing the table must not read every key again (a second cache miss
/// per address), so each slot keeps the high half of its key's hash, from which its place is found.
pub struct AddressBook {
    network: Network,
    /// Linear probing; a slot is 0 when empty, else the high 32 bits of the key's hash above the
    /// address's number plus one.
    slots: Vec<u64>,
    keys: Chunked<AddressKey>,
    hasher: foldhash::fast::FixedState,
}

/// Asks the processor to bring the cache line at `at` in: a hint, which never faults whatever the address
/// (a pointer past a table's end included), so callers need not check it.
pub(crate) fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching reads nothing the program sees and cannot fault.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast::<i8>())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// `len` zeros, every page of them written once. Fresh memory from the system reads as one shared page of
/// zeros until it is written, so a table read before it is written (a probe finding an empty slot) faults
/// twice per page, and the second fault makes the other cores drop their address translations by an
/// interrupt, slow in a virtual machine (a tenth of the walk on a 1M-transaction chain). Written first,
/// each page faults once.
fn written_zeros(len: usize) -> Vec<u64> {
    const SLOTS_PER_PAGE: usize = 4096 / std::mem::size_of::<u64>();
    let mut slots = vec![0u64; len];
    // The last slot too: the table need not start on a page boundary, so its last page may hold no
    // multiple of a page's slots.
    for at in (0..len).step_by(SLOTS_PER_PAGE).chain(len.checked_sub(1)) {
        // An opaque zero, so that the store is not dropped as writing what is already there.
        slots[at] = std::hint::black_box(0);
    }
    slots
}

/// The base58 address of a P2PKH or P2SH script (`None` for any other script). The same text as the
/// `bitcoin` crate's `Address`, written by `bs58` (also used by enrichment): base58 through `Display`
/// was the costliest part of naming addresses in an import.
fn base58_name(script: &Script, network: Network) -> Option<String> {
    use bitcoin::constants::{
        PUBKEY_ADDRESS_PREFIX_MAIN, PUBKEY_ADDRESS_PREFIX_TEST, SCRIPT_ADDRESS_PREFIX_MAIN,
        SCRIPT_ADDRESS_PREFIX_TEST,
    };
    let main = NetworkKind::from(network) == NetworkKind::Main;
    let bytes = script.as_bytes();
    let (prefix, hash) = if script.is_p2pkh() {
        let prefix = if main {
            PUBKEY_ADDRESS_PREFIX_MAIN
        } else {
            PUBKEY_ADDRESS_PREFIX_TEST
        };
        (prefix, &bytes[3..23])
    } else if script.is_p2sh() {
        let prefix = if main {
            SCRIPT_ADDRESS_PREFIX_MAIN
        } else {
            SCRIPT_ADDRESS_PREFIX_TEST
        };
        (prefix, &bytes[2..22])
    } else {
        return None;
    };
    let mut payload = [0u8; 21];
    payload[0] = prefix;
    payload[1..].copy_from_slice(hash);
    Some(bs58::encode(payload).with_check().into_string())
}

/// A txid as Bitcoin shows it: its bytes reversed, in lower-case hex. Written straight into the string:
/// through `Display`, formatting the txid of every input and output row was a tenth of an import's
/// reading thread.
fn txid_text(txid: &[u8; 32]) -> String {
    let mut reversed = *txid;
    reversed.reverse();
    let mut text = [0u8; 64];
    match hex::encode_to_slice(reversed, &mut text) {
        Ok(()) => std::str::from_utf8(&text)
            .map_or_else(|_| Txid::from_byte_array(*txid).to_string(), str::to_owned),
        // Not reached: 32 bytes always fill 64 digits, and digits are ASCII.
        Err(_) => Txid::from_byte_array(*txid).to_string(),
    }
}

/// The table is grown when more than this share of its slots is used.
const MAX_LOAD: (usize, usize) = (3, 4);

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

/// An address key with the hash its slot is found by.
#[derive(Debug, Clone, Copy)]
struct HashedKey {
    key: AddressKey,
    tag: u32,
}

impl AddressBook {
    pub fn new(network: Network) -> Self {
        AddressBook {
            network,
            slots: written_zeros(1024),
            keys: Chunked::new(AddressKey {
                len: 0,
                bytes: [0; MAX_ADDRESS_SCRIPT],
            }),
            hasher: foldhash::fast::FixedState::default(),
        }
    }

    fn hashed(&self, key: AddressKey) -> HashedKey {
        HashedKey {
            key,
            tag: (self.hasher.hash_one(key) >> 32) as u32,
        }
    }

    /// Where a tag's probe starts: the tag scaled to the table (the table's size is a power of two).
    fn home(&self, tag: u32) -> usize {
        ((u64::from(tag) * self.slots.len() as u64) >> 32) as usize
    }

    /// Asks the processor to fetch the slot `key` starts at, ahead of [`AddressBook::number_hashed`].
    fn prefetch(&self, key: &HashedKey) {
        prefetch(self.slots.as_ptr().wrapping_add(self.home(key.tag)));
    }

    /// Once its slot has arrived: asks for the key the slot with `key`'s tag points to, if any.
    fn prefetch_key(&self, key: &HashedKey) {
        let mask = self.slots.len() - 1;
        let mut at = self.home(key.tag);
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return;
            }
            if (slot >> 32) as u32 == key.tag {
                let number = (slot as u32) - 1;
                prefetch(self.keys.address_of(number as usize));
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    fn probe(&self, key: &HashedKey) -> (usize, Option<u32>) {
        let mask = self.slots.len() - 1;
        let mut at = self.home(key.tag);
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return (at, None);
            }
            if (slot >> 32) as u32 == key.tag {
                let number = (slot as u32) - 1;
                if self.keys[number as usize] == key.key {
                    return (at, Some(number));
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The number of the address, and whether it had one already.
    fn number_hashed(&mut self, key: &HashedKey) -> (u32, bool) {
        let (at, found) = self.probe(key);
        if let Some(n) = found {
            return (n, true);
        }
        let n = self.keys.len() as u32;
        self.keys.push(key.key);
        self.slots[at] = (u64::from(key.tag) << 32) | u64::from(n + 1);
        if self.keys.len() * MAX_LOAD.1 > self.slots.len() * MAX_LOAD.0 {
            self.grow();
        }
        (n, false)
    }

    /// Twice the slots, each entry placed again by the tag it keeps: no key is read.
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, written_zeros(size));
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|&s| s != 0) {
            let mut at = self.home((slot >> 32) as u32);
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }

    /// The number of the address `script` pays to (`None` when it has none), and whether it had one
    /// already.
    #[cfg(test)]
    fn number_seen(&mut self, script: &Script, kind: ScriptType) -> Option<(u32, bool)> {
        let key = self.hashed(AddressKey::of(script, kind)?);
        Some(self.number_hashed(&key))
    }

    /// The number of an address (as text, for any network) already seen.
    pub fn find(&self, address: &str) -> Option<u32> {
        let parsed: Address<bitcoin::address::NetworkUnchecked> = address.trim().parse().ok()?;
        let script = parsed.assume_checked_ref().script_pubkey();
        let key = self.hashed(AddressKey::of(&script, script_type(&script))?);
        self.probe(&key).1
    }

    /// The address's text for the network.
    pub fn name(&self, number: u32) -> Option<String> {
        let key = self.keys.get(number as usize)?;
        let script = key.script();
        if let Some(text) = base58_name(script, self.network) {
            return Some(text);
        }
        Address::from_script(script, self.network)
            .ok()
            .map(|a| a.to_string())
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.len() == 0
    }
}

/// An output not yet spent, as much of it as an input spending it needs.
#[derive(Debug, Clone, Copy)]
struct Unspent {
    value: u64,
    address: Option<u32>,
    script_type: ScriptType,
}

/// A slot of [`UnspentSet`]: an outpoint and its output; `vout == EMPTY` when unused.
#[derive(Debug, Clone, Copy)]
struct UnspentSlot {
    txid: [u8; 32],
    vout: u32,
    output: Unspent,
}

/// No output has this index (a transaction cannot hold 2^32 outputs).
const EMPTY: u32 = u32::MAX;

const EMPTY_SLOT: UnspentSlot = UnspentSlot {
    txid: [0; 32],
    vout: EMPTY,
    output: Unspent {
        value: 0,
        address: None,
        script_type: ScriptType::Nonstandard,
    },
};

/// The outputs not yet spent, by outpoint: open addressing with linear probing and backward-shift
/// deletion, each outpoint stored whole (inputs are matched on the full txid, never on a part of it).
/// As for [`AddressBook`], a table of its own so that the walk of a block can fetch an input's slot a few
/// inputs ahead. The probe start comes from a hash of the txid's first eight bytes and the index, seeded
/// at random for each run: txids can be ground by whoever makes transactions, so a fixed function could
/// be made to pile outpoints onto one run of slots.
struct UnspentSet {
    slots: Vec<UnspentSlot>,
    len: usize,
    hasher: foldhash::fast::RandomState,
}

impl UnspentSet {
    fn new() -> Self {
        UnspentSet {
            slots: vec![EMPTY_SLOT; 1024],
            len: 0,
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    fn home(&self, txid: &[u8; 32], vout: u32) -> usize {
        let head = u64::from_le_bytes(txid[..8].try_into().expect("8 bytes"));
        let hash = self.hasher.hash_one((head, vout));
        (((hash >> 32) * self.slots.len() as u64) >> 32) as usize
    }

    /// Asks for the outpoint's slot and the one after it: a removal reads the next slot too (to shift it
    /// back), and so does an insert whose slot is taken.
    fn prefetch(&self, txid: &[u8; 32], vout: u32) {
        let home = self.slots.as_ptr().wrapping_add(self.home(txid, vout));
        prefetch(home);
        prefetch(home.wrapping_add(1));
    }

    fn insert(&mut self, txid: &[u8; 32], vout: u32, output: Unspent) {
        if vout == EMPTY {
            return;
        }
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = self.home(txid, vout);
        loop {
            let slot = &mut self.slots[at];
            if slot.vout == EMPTY {
                *slot = UnspentSlot {
                    txid: *txid,
                    vout,
                    output,
                };
                self.len += 1;
                return;
            }
            if slot.vout == vout && slot.txid == *txid {
                // The same outpoint again (BIP 30's duplicate coinbases): the later output replaces it,
                // as in Bitcoin Core.
                slot.output = output;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    fn remove(&mut self, txid: &[u8; 32], vout: u32) -> Option<Unspent> {
        let mask = self.slots.len() - 1;
        let mut at = self.home(txid, vout);
        loop {
            let slot = &self.slots[at];
            if slot.vout == EMPTY {
                return None;
            }
            if slot.vout == vout && slot.txid == *txid {
                break;
            }
            at = (at + 1) & mask;
        }
        let found = self.slots[at].output;
        // Backward shift: move later entries of the run into the hole when their probe began at or
        // before it, so that no lookup stops early at the hole.
        let mut hole = at;
        let mut next = (at + 1) & mask;
        loop {
            let slot = self.slots[next];
            if slot.vout == EMPTY {
                break;
            }
            let home = self.home(&slot.txid, slot.vout);
            // Distances along the ring from the entry's home to the hole and to where it is.
            if (hole.wrapping_sub(home) & mask) < (next.wrapping_sub(home) & mask) {
                self.slots[hole] = slot;
                hole = next;
            }
            next = (next + 1) & mask;
        }
        self.slots[hole] = EMPTY_SLOT;
        self.len -= 1;
        Some(found)
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY_SLOT; size]);
        self.len = 0;
        for slot in old.into_iter().filter(|s| s.vout != EMPTY) {
            self.insert(&slot.txid, slot.vout, slot.output);
        }
    }

    fn len(&self) -> usize {
        self.len
    }
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
    } else if script.is_witness_program()
        && script.witness_version() != Some(bitcoin::WitnessVersion::V0)
    {
        // As Bitcoin Core's Solver: a version-0 program of any length but 20 or 32 bytes is no witness
        // output at all (nonstandard, and no address), a later version is "witness_unknown".
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
    unspent: UnspentSet,
    pub addresses: AddressBook,
    /// Address clusters, built as the transactions pass when asked for.
    pub clusters: Option<Clusters>,
    next_tx: u64,
    /// The current block's output kinds and address keys (kept to reuse its memory).
    keyed: Vec<OutputAhead>,
    /// Each address's text, by number, once rows have named it: an address is written in every output
    /// paying it, every input spending from it, every union and as its cluster's name, and encoding
    /// base58 or bech32 each time was the costliest part of making rows.
    names: Vec<Option<Box<str>>>,
}

/// An output of the block being walked, as much as is known of it before the walk.
#[derive(Debug, Clone, Copy)]
struct OutputAhead {
    kind: ScriptType,
    key: Option<HashedKey>,
    /// Its transaction's position in the block, and its index there.
    tx: u32,
    vout: u32,
}

/// How many outputs ahead an address slot is fetched: enough to cover a memory access, few enough to
/// stay in the first-level cache.
const PREFETCH_AHEAD: usize = 16;

impl Flattener {
    pub fn new(network: Network) -> Self {
        Flattener {
            network,
            unspent: UnspentSet::new(),
            addresses: AddressBook::new(network),
            clusters: None,
            next_tx: 0,
            keyed: Vec::new(),
            names: Vec::new(),
        }
    }

    /// A flattener that also clusters addresses ([`crate::cluster`]).
    pub fn with_clusters(network: Network, options: &ClusterOptions) -> Self {
        Flattener {
            clusters: Some(Clusters::new(options)),
            ..Flattener::new(network)
        }
    }

    /// The text of address `number` (see [`AddressBook::name`]), encoded once and kept.
    pub fn address_name(&mut self, number: u32) -> Option<String> {
        let at = number as usize;
        if let Some(Some(name)) = self.names.get(at) {
            return Some(String::from(&**name));
        }
        let name = self.addresses.name(number)?;
        if self.names.len() <= at {
            self.names.resize(at + 1, None);
        }
        self.names[at] = Some(name.as_str().into());
        Some(name)
    }

    /// Outputs read and not yet spent by a block flattened since.
    pub fn unspent_count(&self) -> usize {
        self.unspent.len()
    }

    /// The block's rows (and its transactions clustered, when clustering).
    pub fn flatten(
        &mut self,
        block: &BlockView,
        height: Option<u64>,
        source_sha256: &Arc<str>,
    ) -> FlatBlock {
        let mut rows = Rows::default();
        let first_tx = self.next_tx;
        self.walk(block, height, Some(&mut rows));
        let location = &block.raw.location;
        let header = &block.header;
        let chain_block = ChainBlock {
            hash: header.block_hash().to_string(),
            prev_hash: header.prev_blockhash.to_string(),
            height,
            time: i64::from(header.time),
            version: header.version.to_consensus(),
            bits: header.bits.to_consensus(),
            nonce: header.nonce,
            merkle_root: header.merkle_root.to_string(),
            tx_count: block.txs.len() as u64,
            size: block.total_size(),
            weight: block.weight(),
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

    /// Asks for the memory an output will touch: its address's slot and its place among the unspent.
    fn prefetch_output(&self, block: &BlockView, ahead: &OutputAhead) {
        if let Some(key) = &ahead.key {
            self.addresses.prefetch(key);
        }
        let txid = block.txs[ahead.tx as usize].txid;
        self.unspent.prefetch(txid.as_byte_array(), ahead.vout);
    }

    /// Resolves and clusters the block's transactions without making rows: what clustering a chain
    /// costs, as the benchmark measures it.
    pub fn cluster_block(&mut self, block: &BlockView) -> BlockCounts {
        self.walk(block, None, None)
    }

    fn walk(
        &mut self,
        block: &BlockView,
        height: Option<u64>,
        mut rows: Option<&mut Rows>,
    ) -> BlockCounts {
        let mut counts = BlockCounts::default();
        let block_hash = rows.as_ref().map(|_| block.header.block_hash().to_string());
        let time = i64::from(block.header.time);
        let mut cluster_inputs: Vec<TxInput> = Vec::new();
        let mut cluster_outputs: Vec<TxOutput> = Vec::new();
        // Every output's kind and address key first, so that each slot can be fetched a few outputs
        // ahead of its use.
        let mut keyed = std::mem::take(&mut self.keyed);
        keyed.clear();
        for (tx_at, tx) in block.txs.iter().enumerate() {
            for (vout, o) in block.outputs(tx).iter().enumerate() {
                let script = block.script(o);
                let kind = script_type(script);
                keyed.push(OutputAhead {
                    kind,
                    key: AddressKey::of(script, kind).map(|k| self.addresses.hashed(k)),
                    tx: tx_at as u32,
                    vout: vout as u32,
                });
            }
        }
        for ahead in keyed.iter().take(PREFETCH_AHEAD) {
            self.prefetch_output(block, ahead);
        }
        let mut output_at = 0usize;
        let mut input_at = 0usize;
        for (index, tx) in block.txs.iter().enumerate() {
            cluster_inputs.clear();
            cluster_outputs.clear();
            let txid = rows.as_ref().map(|_| txid_text(tx.txid.as_byte_array()));
            let coinbase = block.is_coinbase(tx);
            let mut input_value = Some(0u64);
            for (vin, input) in block.inputs(tx).iter().enumerate() {
                if let Some(ahead) = block.all_inputs().get(input_at + PREFETCH_AHEAD) {
                    let (txid, vout) = block.previous(ahead);
                    self.unspent.prefetch(txid, vout);
                }
                input_at += 1;
                let (prev_txid, prev_vout) = block.previous(input);
                let spent = if coinbase {
                    None
                } else {
                    self.unspent.remove(prev_txid, prev_vout)
                };
                if let Some(Unspent {
                    value,
                    address: Some(address),
                    script_type,
                }) = spent
                {
                    // Its cluster is looked up once the transaction's outputs are done: time for the
                    // node to arrive.
                    if let Some(clusters) = &self.clusters {
                        clusters.prefetch(address);
                    }
                    cluster_inputs.push(TxInput {
                        address,
                        value,
                        script_type,
                    });
                }
                input_value = match (input_value, spent) {
                    (Some(sum), Some(s)) => sum.checked_add(s.value),
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
                        prev_txid: (!coinbase).then(|| txid_text(prev_txid)),
                        prev_vout: (!coinbase).then_some(prev_vout),
                        sequence: input.sequence,
                        value: spent.map(|s| s.value),
                        address: address.and_then(|n| self.address_name(n)),
                        script_type: spent.map(|s| s.script_type.name().to_string()),
                    });
                    rows.input_addresses.push(address);
                }
            }
            let mut output_value = 0u64;
            for (vout, output) in block.outputs(tx).iter().enumerate() {
                let value = output.value;
                output_value = output_value.saturating_add(value);
                if let Some(ahead) = keyed.get(output_at + PREFETCH_AHEAD) {
                    self.prefetch_output(block, ahead);
                }
                // Half way: the slot has arrived; the key it points to is fetched in turn.
                if let Some(OutputAhead { key: Some(key), .. }) =
                    keyed.get(output_at + PREFETCH_AHEAD / 2)
                {
                    self.addresses.prefetch_key(key);
                }
                let OutputAhead { kind, key, .. } = keyed[output_at];
                output_at += 1;
                let numbered = key.map(|k| self.addresses.number_hashed(&k));
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
                        tx.txid.as_byte_array(),
                        vout as u32,
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
                        address: match number {
                            Some(n) => self.address_name(n),
                            // Scripts too long for the book (witness programs past 32 bytes).
                            None => address_of(block.script(output), kind, self.network),
                        },
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
                    version: tx.version,
                    lock_time: tx.lock_time,
                    size: u64::from(tx.total_size),
                    vsize: tx.vsize(),
                    weight: tx.weight(),
                    coinbase,
                    input_count: tx.input_count() as u32,
                    output_count: tx.output_count() as u32,
                    input_value,
                    output_value,
                    fee: input_value.map(|i| i.saturating_sub(output_value)),
                });
            }
        }
        self.keyed = keyed;
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

    /// Bytes that differ from seed to seed and along the array, for hashes in tests.
    fn scattered<const N: usize>(seed: u8) -> [u8; N] {
        std::array::from_fn(|i| {
            seed.wrapping_mul(91)
                .wrapping_add((i as u8).wrapping_mul(29))
        })
    }

    #[test]
    fn txids_are_written_as_bitcoin_shows_them() {
        for seed in 0..64u8 {
            let bytes: [u8; 32] = scattered(seed);
            assert_eq!(txid_text(&bytes), Txid::from_byte_array(bytes).to_string());
        }
        // Block 170's spend, as explorers show it.
        let shown = "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16";
        let txid: Txid = shown.parse().unwrap();
        assert_eq!(txid_text(txid.as_byte_array()), shown);
    }

    #[test]
    fn base58_names_are_the_bitcoin_crate_s() {
        for seed in 0..200u8 {
            let hash: [u8; 20] = scattered(seed);
            let p2pkh = ScriptBuf::new_p2pkh(&PubkeyHash::from_byte_array(hash));
            let p2sh = ScriptBuf::new_p2sh(&bitcoin::ScriptHash::from_byte_array(hash));
            for network in [
                Network::Bitcoin,
                Network::Testnet,
                Network::Testnet4,
                Network::Signet,
                Network::Regtest,
            ] {
                for script in [&p2pkh, &p2sh] {
                    let expected = Address::from_script(script, network).unwrap().to_string();
                    assert_eq!(base58_name(script, network), Some(expected));
                }
            }
        }
        // A witness program is bech32, not base58.
        let p2wpkh = script("0014751e76e8199196d454941c45d1b3a323f1433bd6");
        assert_eq!(base58_name(&p2wpkh, Network::Bitcoin), None);
    }

    /// Only the contents: that each page is written first is seen in a profile (no second fault per
    /// page), not by a test.
    #[test]
    fn written_zeros_are_zeros_however_long() {
        for len in [0, 1, 511, 512, 513, 3 * 512 + 7] {
            let slots = written_zeros(len);
            assert_eq!(slots.len(), len);
            assert!(slots.iter().all(|&s| s == 0), "{len}");
        }
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
            // A version-0 program of 25 bytes: nonstandard, without an address (and so never numbered).
            (
                "0019751e76e8199196d454941c45d1b3a323f1433bd6aabbccddee",
                "nonstandard",
                None,
            ),
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
            assert_eq!(
                AddressKey::of(&s, kind).is_some(),
                address.is_some(),
                "{hex}: numbered exactly when it has an address"
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
