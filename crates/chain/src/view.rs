//! A block read where it lies: its transactions, inputs and outputs found as positions in the block's own
//! bytes, with nothing copied and nothing allocated per transaction, then checked as [`crate::decode()`]
//! checks a decoded block (every byte used, the merkle root and the witness commitment recomputed).
//!
//! Why not decode into `bitcoin::Block`: that makes a vector for every transaction, input list, output
//! list, script and witness, and a chain of ten million transactions spent most of its clustering time
//! allocating and freeing them; txids were computed by serialising each transaction again. Here each
//! txid is hashed straight from the bytes of the block. The consensus format is the same; a differential
//! fuzz target (`fuzz/fuzz_targets/block_view.rs`) and the tests hold this reader to `bitcoin`'s decoder.

use bitcoin::block::Header;
use bitcoin::hashes::Hash;
use bitcoin::{OutPoint, Script, Txid};

use crate::error::{ChainError, Result};
use crate::read::RawBlock;

/// A block and where, in its bytes, each of its parts lies: checked when made by [`BlockView::check`],
/// only read when made by [`BlockView::read`].
#[derive(Debug)]
pub struct BlockView {
    pub raw: RawBlock,
    pub header: Header,
    pub txs: Vec<TxView>,
    inputs: Vec<InputView>,
    outputs: Vec<OutputView>,
    /// Bytes of the block without witnesses (header, count and each transaction's base).
    base_size: u64,
    /// Some transaction carries a witness.
    witness: bool,
}

/// One transaction of a [`BlockView`].
#[derive(Debug, Clone, Copy)]
pub struct TxView {
    pub txid: Txid,
    pub version: i32,
    pub lock_time: u32,
    /// Bytes in the block, witnesses included.
    pub total_size: u32,
    /// Bytes without the segwit marker, flag and witnesses: what the txid hashes.
    pub base_size: u32,
    /// Where it begins in the block.
    start: u32,
    first_input: u32,
    input_count: u32,
    first_output: u32,
    output_count: u32,
}

impl TxView {
    /// BIP 141 weight: base bytes count four times, witness bytes once.
    pub fn weight(&self) -> u64 {
        3 * u64::from(self.base_size) + u64::from(self.total_size)
    }

    pub fn vsize(&self) -> u64 {
        self.weight().div_ceil(4)
    }

    pub fn input_count(&self) -> usize {
        self.input_count as usize
    }

    pub fn output_count(&self) -> usize {
        self.output_count as usize
    }
}

/// An input: where its previous outpoint lies in the block, and its sequence.
#[derive(Debug, Clone, Copy)]
pub struct InputView {
    outpoint_at: u32,
    pub sequence: u32,
}

/// An output: its value, and where its script lies in the block.
#[derive(Debug, Clone, Copy)]
pub struct OutputView {
    pub value: u64,
    script_at: u32,
    script_len: u32,
}

impl BlockView {
    /// Reads and checks the block: the refusals and their reasons are those of [`crate::decode()`].
    pub fn check(raw: RawBlock) -> Result<BlockView> {
        let view = BlockView::read(raw)?;
        let refuse = |reason: String| {
            Err(ChainError::BadBlock {
                path: view.raw.location.file.clone(),
                offset: view.raw.location.offset,
                reason,
            })
        };
        if !view.merkle_root_holds() {
            return refuse(format!(
                "its transactions do not hash to the merkle root {} in its header",
                view.header.merkle_root
            ));
        }
        if !view.witness_commitment_holds() {
            return refuse("its witnesses do not hash to the commitment in its coinbase".into());
        }
        Ok(view)
    }

    /// Reads the block and hashes its transactions, without checking them against its header: what
    /// [`BlockView::check`] does first (and what the differential fuzz target compares with `bitcoin`'s
    /// decoding).
    pub fn read(raw: RawBlock) -> Result<BlockView> {
        match read_parts(&raw.bytes) {
            Ok(parts) => Ok(BlockView {
                header: parts.header,
                txs: parts.txs,
                inputs: parts.inputs,
                outputs: parts.outputs,
                base_size: parts.base_size,
                witness: parts.witness,
                raw,
            }),
            Err(reason) => Err(ChainError::BadBlock {
                path: raw.location.file.clone(),
                offset: raw.location.offset,
                reason,
            }),
        }
    }

    /// The txids hash to the merkle root in the header.
    pub fn merkle_root_holds(&self) -> bool {
        let root = merkle_root(self.txs.iter().map(|t| t.txid.to_byte_array()).collect());
        root == Some(self.header.merkle_root.to_byte_array())
    }

    pub fn bytes(&self) -> &[u8] {
        &self.raw.bytes
    }

    pub fn inputs(&self, tx: &TxView) -> &[InputView] {
        let start = tx.first_input as usize;
        &self.inputs[start..start + tx.input_count as usize]
    }

    /// Every input of the block, transaction after transaction.
    pub fn all_inputs(&self) -> &[InputView] {
        &self.inputs
    }

    pub fn outputs(&self, tx: &TxView) -> &[OutputView] {
        let start = tx.first_output as usize;
        &self.outputs[start..start + tx.output_count as usize]
    }

    /// The outpoint an input spends, as bytes: the txid (internal byte order) and the output's index.
    pub fn previous(&self, input: &InputView) -> (&[u8; 32], u32) {
        let at = input.outpoint_at as usize;
        let bytes = &self.raw.bytes[at..at + 36];
        let (txid, vout) = bytes.split_at(32);
        (
            txid.try_into().expect("32 bytes"),
            u32::from_le_bytes(vout.try_into().expect("4 bytes")),
        )
    }

    pub fn previous_outpoint(&self, input: &InputView) -> OutPoint {
        let (txid, vout) = self.previous(input);
        OutPoint::new(Txid::from_byte_array(*txid), vout)
    }

    pub fn script(&self, output: &OutputView) -> &Script {
        let at = output.script_at as usize;
        Script::from_bytes(&self.raw.bytes[at..at + output.script_len as usize])
    }

    /// A coinbase: one input, spending the null outpoint.
    pub fn is_coinbase(&self, tx: &TxView) -> bool {
        let inputs = self.inputs(tx);
        inputs.len() == 1 && {
            let (txid, vout) = self.previous(&inputs[0]);
            vout == u32::MAX && txid.iter().all(|&b| b == 0)
        }
    }

    /// Where this view and the `bitcoin` crate's decoding of the same bytes disagree, each as a line
    /// (empty when they agree on the header, sizes, weights, the height in the coinbase, and every
    /// transaction's txid, version, lock time, sizes, inputs and outputs, and on both checks). The
    /// reference `decode.rs` is held to, by the tests and the differential fuzz target.
    pub fn disagreements_with(&self, block: &bitcoin::Block) -> Vec<String> {
        let mut found = Vec::new();
        let mut differ = |what: String, same: bool| {
            if !same {
                found.push(what);
            }
        };
        differ("header".into(), self.header == block.header);
        differ(
            "size".into(),
            self.total_size() == block.total_size() as u64,
        );
        differ("weight".into(), self.weight() == block.weight().to_wu());
        differ(
            "BIP 34 height".into(),
            self.bip34_height() == block.bip34_block_height().ok(),
        );
        differ(
            "merkle root check".into(),
            self.merkle_root_holds() == block.check_merkle_root(),
        );
        differ(
            "witness commitment check".into(),
            self.witness_commitment_holds() == block.check_witness_commitment(),
        );
        differ(
            "transaction count".into(),
            self.txs.len() == block.txdata.len(),
        );
        for (n, (t, tx)) in self.txs.iter().zip(&block.txdata).enumerate() {
            let mut differ_tx =
                |what: &str, same: bool| differ(format!("transaction {n}: {what}"), same);
            differ_tx("txid", t.txid == tx.compute_txid());
            differ_tx("coinbase", self.is_coinbase(t) == tx.is_coinbase());
            differ_tx("version", t.version == tx.version.0);
            differ_tx("lock time", t.lock_time == tx.lock_time.to_consensus_u32());
            differ_tx("size", u64::from(t.total_size) == tx.total_size() as u64);
            differ_tx("base size", u64::from(t.base_size) == tx.base_size() as u64);
            differ_tx("weight", t.weight() == tx.weight().to_wu());
            differ_tx("vsize", t.vsize() == tx.vsize() as u64);
            differ_tx(
                "inputs",
                self.inputs(t).len() == tx.input.len()
                    && self.inputs(t).iter().zip(&tx.input).all(|(i, input)| {
                        self.previous_outpoint(i) == input.previous_output
                            && i.sequence == input.sequence.to_consensus_u32()
                    }),
            );
            differ_tx(
                "outputs",
                self.outputs(t).len() == tx.output.len()
                    && self.outputs(t).iter().zip(&tx.output).all(|(o, output)| {
                        o.value == output.value.to_sat()
                            && self.script(o) == output.script_pubkey.as_script()
                    }),
            );
        }
        found
    }

    /// The height the coinbase declares (BIP 34): where a block whose parent is unknown stands.
    pub fn bip34_height(&self) -> Option<u64> {
        let coinbase = self.txs.first()?;
        let start = coinbase.start as usize;
        let tx: bitcoin::Transaction = bitcoin::consensus::deserialize(
            &self.raw.bytes[start..start + coinbase.total_size as usize],
        )
        .ok()?;
        bitcoin::Block {
            header: self.header,
            txdata: vec![tx],
        }
        .bip34_block_height()
        .ok()
    }

    pub fn total_size(&self) -> u64 {
        self.raw.bytes.len() as u64
    }

    pub fn weight(&self) -> u64 {
        3 * self.base_size + self.total_size()
    }

    /// BIP 141: the coinbase's last output starting with the commitment magic holds
    /// SHA-256d(witness merkle root ‖ the coinbase's witness reserved value); the witness root is that of
    /// the wtxids, the coinbase's counted as zero. A block without witnesses needs no commitment.
    pub fn witness_commitment_holds(&self) -> bool {
        const MAGIC: [u8; 6] = [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
        if !self.witness {
            return true;
        }
        let Some(coinbase) = self.txs.first() else {
            return false;
        };
        if !self.is_coinbase(coinbase) {
            return false;
        }
        let Some(commitment) = self.outputs(coinbase).iter().rev().find_map(|o| {
            let s = self.script(o).as_bytes();
            (s.len() >= 38 && s[..6] == MAGIC).then(|| &s[6..38])
        }) else {
            return false;
        };
        let Some(reserved) = self.coinbase_reserved_value(coinbase) else {
            return false;
        };
        let bytes = &self.raw.bytes;
        let wtxids = self.txs.iter().enumerate().map(|(i, tx)| {
            if i == 0 {
                [0; 32]
            } else if tx.total_size == tx.base_size {
                tx.txid.to_byte_array()
            } else {
                let start = tx.start as usize;
                double_sha256(&[&bytes[start..start + tx.total_size as usize]])
            }
        });
        let Some(root) = merkle_root(wtxids.collect()) else {
            return false;
        };
        double_sha256(&[&root, reserved])[..] == *commitment
    }

    /// The coinbase's witness, when it is one item of 32 bytes (the witness reserved value).
    fn coinbase_reserved_value(&self, coinbase: &TxView) -> Option<&[u8]> {
        if coinbase.total_size == coinbase.base_size {
            return None;
        }
        // The coinbase's witnesses lie between its last output and its lock time; it has one input.
        let start = coinbase.start as usize;
        let end = start + coinbase.total_size as usize - 4;
        let last = self.outputs(coinbase).last()?;
        let after_outputs = (last.script_at + last.script_len) as usize;
        let mut at = Cursor {
            bytes: &self.raw.bytes[..end],
            at: after_outputs,
        };
        let items = at.compact().ok()?;
        let len = at.compact().ok()?;
        (items == 1 && len == 32 && at.at + 32 == end).then(|| &self.raw.bytes[at.at..end])
    }
}

struct Parts {
    header: Header,
    txs: Vec<TxView>,
    inputs: Vec<InputView>,
    outputs: Vec<OutputView>,
    base_size: u64,
    /// Some transaction carries a witness.
    witness: bool,
}

/// A position in a block's bytes, reading consensus-encoded fields; errors say what ended where.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: u64) -> std::result::Result<usize, String> {
        let start = self.at;
        let left = (self.bytes.len() - start) as u64;
        if n > left {
            return Err(format!(
                "ends at byte {} where {n} more bytes were declared",
                self.bytes.len()
            ));
        }
        self.at += n as usize;
        Ok(start)
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        let at = self.take(4)?;
        Ok(u32::from_le_bytes(
            self.bytes[at..at + 4].try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> std::result::Result<u64, String> {
        let at = self.take(8)?;
        Ok(u64::from_le_bytes(
            self.bytes[at..at + 8].try_into().expect("8 bytes"),
        ))
    }

    /// A CompactSize, refused unless in its shortest form (as consensus decoding refuses it).
    fn compact(&mut self) -> std::result::Result<u64, String> {
        let at = self.take(1)?;
        let (n, min) = match self.bytes[at] {
            0xFD => {
                let b = self.take(2)?;
                (
                    u64::from(u16::from_le_bytes([self.bytes[b], self.bytes[b + 1]])),
                    0xFD,
                )
            }
            0xFE => (u64::from(self.u32()?), 0x1_0000),
            0xFF => (self.u64()?, 0x1_0000_0000),
            small => return Ok(u64::from(small)),
        };
        if n < min {
            return Err(format!("non-minimal compact size at byte {at}"));
        }
        Ok(n)
    }

    /// A count of items each at least `min_item` bytes long: refused when the bytes left cannot hold them,
    /// so that no count is ever trusted for a reservation.
    fn count(&mut self, min_item: u64) -> std::result::Result<u64, String> {
        let at = self.at;
        let n = self.compact()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.saturating_mul(min_item) > left {
            return Err(format!(
                "the count {n} at byte {at} needs more bytes than the block has left"
            ));
        }
        Ok(n)
    }
}

fn read_parts(bytes: &[u8]) -> std::result::Result<Parts, String> {
    // Consensus caps a block's weight at 4M units, so its bytes at 4M: a longer "block" is none, and
    // the cap keeps every offset within u32 and every reservation within reason.
    if bytes.len() as u64 > crate::read::MAX_BLOCK_BYTES {
        return Err(format!(
            "{} bytes, beyond the consensus limit of {} bytes",
            bytes.len(),
            crate::read::MAX_BLOCK_BYTES
        ));
    }
    if bytes.len() < 80 {
        return Err(format!(
            "{} bytes, shorter than a block header",
            bytes.len()
        ));
    }
    let header: Header =
        bitcoin::consensus::deserialize(&bytes[..80]).map_err(|e| format!("header: {e}"))?;
    let mut c = Cursor { bytes, at: 80 };
    // The smallest transaction: version, one input count, one output count, lock time.
    let tx_count = c.count(10)?;
    let mut parts = Parts {
        header,
        txs: Vec::with_capacity(tx_count as usize),
        inputs: Vec::new(),
        outputs: Vec::new(),
        base_size: c.at as u64,
        witness: false,
    };
    for number in 0..tx_count {
        read_tx(&mut c, &mut parts).map_err(|e| format!("transaction {number}: {e}"))?;
    }
    if c.at != bytes.len() {
        return Err(format!(
            "{} bytes left after its last transaction, at byte {}",
            bytes.len() - c.at,
            c.at
        ));
    }
    Ok(parts)
}

fn read_tx(c: &mut Cursor<'_>, parts: &mut Parts) -> std::result::Result<(), String> {
    let start = c.at;
    let version = c.u32()? as i32;
    // Smallest input: outpoint 36, script length 1, sequence 4. Smallest output: value 8, length 1.
    let mut count_at = c.at;
    let mut input_count = c.count(41)?;
    let mut segwit = false;
    if input_count == 0 {
        // BIP 144: an empty input list is the marker; the flag follows and must be 1.
        let at = c.take(1)?;
        match c.bytes[at] {
            1 => segwit = true,
            flag => return Err(format!("unsupported segwit flag {flag} at byte {at}")),
        }
        count_at = c.at;
        input_count = c.count(41)?;
    }
    let first_input = parts.inputs.len() as u32;
    for _ in 0..input_count {
        let outpoint_at = c.take(36)? as u32;
        let script_len = c.compact()?;
        c.take(script_len)?;
        let sequence = c.u32()?;
        parts.inputs.push(InputView {
            outpoint_at,
            sequence,
        });
    }
    let output_count = c.count(9)?;
    let first_output = parts.outputs.len() as u32;
    for _ in 0..output_count {
        let value = c.u64()?;
        let script_len = c.compact()?;
        let script_at = c.take(script_len)? as u32;
        parts.outputs.push(OutputView {
            value,
            script_at,
            script_len: script_len as u32,
        });
    }
    let base_end = c.at;
    if segwit {
        let mut any = false;
        for _ in 0..input_count {
            let items = c.count(1)?;
            any |= items > 0;
            for _ in 0..items {
                let len = c.compact()?;
                c.take(len)?;
            }
        }
        if input_count > 0 && !any {
            return Err("witness flag set but no witnesses present".into());
        }
    }
    let lock_at = c.take(4)?;
    let lock_time = u32::from_le_bytes(c.bytes[lock_at..lock_at + 4].try_into().expect("4 bytes"));
    let end = c.at;
    let bytes = c.bytes;
    let txid = if segwit {
        double_sha256(&[
            &bytes[start..start + 4],
            &bytes[count_at..base_end],
            &bytes[lock_at..end],
        ])
    } else {
        double_sha256(&[&bytes[start..end]])
    };
    // Without the marker, the flag and the witnesses.
    let base_size = if segwit {
        4 + (base_end - count_at) + 4
    } else {
        end - start
    };
    parts.witness |= segwit && input_count > 0;
    parts.base_size += base_size as u64;
    parts.txs.push(TxView {
        txid: Txid::from_byte_array(txid),
        version,
        lock_time,
        total_size: (end - start) as u32,
        base_size: base_size as u32,
        start: start as u32,
        first_input,
        input_count: input_count as u32,
        first_output,
        output_count: output_count as u32,
    });
    Ok(())
}

/// SHA-256d of the pieces one after the other, by the `sha2` crate: on this project's machines (SHA
/// extensions) about a tenth faster than `bitcoin_hashes` for transactions; hashing is most of what
/// reading a block costs.
fn double_sha256(pieces: &[&[u8]]) -> [u8; 32] {
    use sha2::Digest;
    let mut first = sha2::Sha256::new();
    for piece in pieces {
        first.update(piece);
    }
    let digest: [u8; 32] = first.finalize().into();
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(&digest);
    sha256_of_32_bytes(block)
}

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The block SHA-256 appends to a message of exactly 64 bytes: the one bit, zeros, and the length (512
/// bits) in the last eight bytes.
const PADDING_AFTER_64_BYTES: [u8; 64] = {
    let mut block = [0; 64];
    block[0] = 0x80;
    block[62] = 0x02;
    block
};

fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    use sha2::digest::generic_array::GenericArray;
    sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

fn digest_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut digest = [0; 32];
    for (bytes, word) in digest.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// SHA-256 of the 32 bytes at the start of `block` (the rest is overwritten with their padding): one
/// compression, where the hasher would buffer, pad and finish. The second half of every SHA-256d is this,
/// and a merkle tree is mostly such halves and 64-byte messages: the hasher's own bookkeeping was 7-9% of
/// checking a block.
fn sha256_of_32_bytes(mut block: [u8; 64]) -> [u8; 32] {
    block[32..].fill(0);
    block[32] = 0x80;
    block[62] = 0x01; // 256 bits
    let mut state = SHA256_IV;
    compress(&mut state, &block);
    digest_bytes(&state)
}

/// A merkle tree's inner node: SHA-256d of the two children side by side, a 64-byte message (one block and
/// a padding block known in advance), by compressions alone.
fn merkle_parent(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(left);
    block[32..].copy_from_slice(right);
    let mut state = SHA256_IV;
    compress(&mut state, &block);
    compress(&mut state, &PADDING_AFTER_64_BYTES);
    let mut second = [0u8; 64];
    second[..32].copy_from_slice(&digest_bytes(&state));
    sha256_of_32_bytes(second)
}

/// The merkle root of `leaves` (Bitcoin's: an odd node is paired with itself), `None` when empty.
fn merkle_root(mut level: Vec<[u8; 32]>) -> Option<[u8; 32]> {
    if level.is_empty() {
        return None;
    }
    while level.len() > 1 {
        let pairs = level.len().div_ceil(2);
        for i in 0..pairs {
            let left = level[2 * i];
            let right = *level.get(2 * i + 1).unwrap_or(&left);
            level[i] = merkle_parent(&left, &right);
        }
        level.truncate(pairs);
    }
    Some(level[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::hashes::sha256d;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn double_sha256_is_sha256d_for_any_pieces(
            pieces in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..5)
        ) {
            let whole: Vec<u8> = pieces.concat();
            let parts: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
            prop_assert_eq!(double_sha256(&parts), sha256d::Hash::hash(&whole).to_byte_array());
        }

        #[test]
        fn a_merkle_parent_is_sha256d_of_its_children(left in any::<[u8; 32]>(), right in any::<[u8; 32]>()) {
            let joined = [left, right].concat();
            prop_assert_eq!(merkle_parent(&left, &right), sha256d::Hash::hash(&joined).to_byte_array());
        }
    }

    #[test]
    fn sha256_of_32_bytes_is_sha256() {
        use bitcoin::hashes::sha256;
        let mut block = [0xa5; 64];
        block[..32].copy_from_slice(&[7; 32]);
        assert_eq!(
            sha256_of_32_bytes(block),
            sha256::Hash::hash(&[7; 32]).to_byte_array()
        );
    }
}
