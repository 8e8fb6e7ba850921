//! Blocks as Bitcoin Core stores them: mined on regtest and appended to `blk?????.dat` files.
//!
//! Everything a reader checks is real: txids, the merkle root, the witness commitment (BIP 141) whenever a
//! block holds a witness, proof of work against regtest's target, the link to the previous block, the
//! BIP 34 height in each coinbase, the regtest subsidy schedule (coinbase value = subsidy + fees) and the
//! frame (magic `fabfb5da`, little-endian length). Only signatures are fake: nothing here holds keys.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use bitcoin::block::{Header, Version as BlockVersion};
use bitcoin::consensus::Encodable;
use bitcoin::hashes::Hash;
use bitcoin::pow::{CompactTarget, Target};
use bitcoin::script::Builder;
use bitcoin::transaction::Version;
use bitcoin::{
    Amount, Block, BlockHash, Network, OutPoint, ScriptBuf, Sequence, Transaction, TxIn,
    TxMerkleNode, TxOut, Txid, Witness, WitnessMerkleNode, Wtxid, absolute,
};

use crate::SynthError;

/// The regtest network magic, as it starts every frame of a regtest blk file.
pub const REGTEST_MAGIC: [u8; 4] = [0xfa, 0xbf, 0xb5, 0xda];
/// Bitcoin Core starts a new blk file when a block would take the current one past 128 MiB
/// (`MAX_BLOCKFILE_SIZE`).
pub const MAX_BLK_FILE_BYTES: u64 = 128 * 1024 * 1024;
/// Regtest's proof-of-work limit: about every other nonce meets it.
const REGTEST_BITS: u32 = 0x207f_ffff;
/// Regtest halves the subsidy every 150 blocks (mainnet: 210,000).
const HALVING_INTERVAL: u32 = 150;
/// A coinbase output is spendable 100 blocks after its own.
pub const COINBASE_MATURITY: u32 = 100;
/// `OP_RETURN OP_PUSHBYTES_36 aa21a9ed`: the start of a witness commitment output.
const WITNESS_COMMITMENT_HEAD: [u8; 6] = [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];

/// The regtest block subsidy at `height`, in satoshi.
pub fn subsidy(height: u32) -> u64 {
    let halvings = height / HALVING_INTERVAL;
    if halvings >= 64 {
        0
    } else {
        5_000_000_000 >> halvings
    }
}

/// What a chain writer wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainSummary {
    /// Blocks, the regtest genesis block included.
    pub blocks: u64,
    /// Transactions, coinbases included.
    pub transactions: u64,
    /// Bytes of all blk files.
    pub bytes: u64,
    /// The blk files, in order (`blk00000.dat`, ...).
    pub files: Vec<PathBuf>,
}

/// Appends mined blocks to `blk?????.dat` files in a directory, starting with regtest's genesis block.
pub struct BlkWriter {
    dir: PathBuf,
    out: BufWriter<File>,
    file_len: u64,
    files: Vec<PathBuf>,
    bytes: u64,
    blocks: u64,
    transactions: u64,
    tip: BlockHash,
    /// Height of the tip.
    height: u32,
    last_time: u32,
    buf: Vec<u8>,
    wtxids: Vec<Wtxid>,
}

impl BlkWriter {
    /// Creates `dir` and its first blk file, and writes the genesis block.
    pub fn create(dir: &Path) -> Result<Self, SynthError> {
        std::fs::create_dir_all(dir).map_err(SynthError::io(dir))?;
        let (out, path) = open_blk(dir, 0)?;
        let genesis = bitcoin::blockdata::constants::genesis_block(Network::Regtest);
        let mut writer = BlkWriter {
            dir: dir.to_path_buf(),
            out,
            file_len: 0,
            files: vec![path],
            bytes: 0,
            blocks: 0,
            transactions: 0,
            tip: genesis.block_hash(),
            height: 0,
            last_time: genesis.header.time,
            buf: Vec::with_capacity(1 << 20),
            wtxids: Vec::new(),
        };
        writer.append(&genesis)?;
        Ok(writer)
    }

    /// Height the next block gets.
    pub fn next_height(&self) -> u32 {
        self.height + 1
    }

    /// Mines and writes a block of a coinbase paying `subsidy + fees` to `miner`, then `txs` (whose txids
    /// are `txids`, in the same order; spenders after what they spend). Its time is `time`, moved past the
    /// previous block's when needed so that times strictly increase. Returns the coinbase's txid.
    pub fn write_block(
        &mut self,
        time: u32,
        miner: &ScriptBuf,
        txs: Vec<Transaction>,
        txids: &[Txid],
        fees: u64,
    ) -> Result<Txid, SynthError> {
        if txs.len() != txids.len() {
            return Err(SynthError::Chain(format!(
                "{} transactions but {} txids",
                txs.len(),
                txids.len()
            )));
        }
        let height = self.next_height();
        let segwit = txs
            .iter()
            .any(|t| t.input.iter().any(|i| !i.witness.is_empty()));
        let mut coinbase = Transaction {
            version: Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: vec![TxIn {
                previous_output: OutPoint::null(),
                // BIP 34: the height first; then what a miner's extra nonce would be.
                script_sig: Builder::new()
                    .push_int(i64::from(height))
                    .push_slice(self.blocks.to_le_bytes())
                    .into_script(),
                sequence: Sequence::MAX,
                witness: Witness::new(),
            }],
            output: vec![TxOut {
                value: Amount::from_sat(subsidy(height) + fees),
                script_pubkey: miner.clone(),
            }],
        };
        if segwit {
            // The witness root hashes the coinbase as zero, so it is known before the coinbase is.
            self.wtxids.clear();
            self.wtxids.push(Wtxid::all_zeros());
            for (tx, txid) in txs.iter().zip(txids) {
                let has_witness = tx.input.iter().any(|i| !i.witness.is_empty());
                self.wtxids.push(if has_witness {
                    tx.compute_wtxid()
                } else {
                    Wtxid::from_raw_hash(txid.to_raw_hash())
                });
            }
            let witness_root: WitnessMerkleNode =
                bitcoin::merkle_tree::calculate_root(self.wtxids.iter().map(|w| w.to_raw_hash()))
                    .map(WitnessMerkleNode::from_raw_hash)
                    .unwrap_or_else(WitnessMerkleNode::all_zeros);
            let reserved = [0u8; 32];
            let commitment = Block::compute_witness_commitment(&witness_root, &reserved);
            let mut script = WITNESS_COMMITMENT_HEAD.to_vec();
            script.extend_from_slice(commitment.as_byte_array());
            coinbase.output.push(TxOut {
                value: Amount::ZERO,
                script_pubkey: ScriptBuf::from_bytes(script),
            });
            coinbase.input[0].witness = Witness::from_slice(&[reserved]);
        }
        let coinbase_txid = coinbase.compute_txid();
        let merkle_root = bitcoin::merkle_tree::calculate_root(
            std::iter::once(coinbase_txid.to_raw_hash())
                .chain(txids.iter().map(|t| t.to_raw_hash())),
        )
        .map(TxMerkleNode::from_raw_hash)
        .unwrap_or_else(TxMerkleNode::all_zeros);
        let bits = CompactTarget::from_consensus(REGTEST_BITS);
        let target = Target::from_compact(bits);
        let mut header = Header {
            version: BlockVersion::from_consensus(0x2000_0000),
            prev_blockhash: self.tip,
            merkle_root,
            time: time.max(self.last_time + 1),
            bits,
            nonce: 0,
        };
        let hash = loop {
            let hash = header.block_hash();
            if target.is_met_by(hash) {
                break hash;
            }
            header.nonce = header.nonce.wrapping_add(1);
        };
        let mut txdata = Vec::with_capacity(txs.len() + 1);
        txdata.push(coinbase);
        txdata.extend(txs);
        let block = Block { header, txdata };
        self.append(&block)?;
        self.tip = hash;
        self.height = height;
        self.last_time = header.time;
        Ok(coinbase_txid)
    }

    fn append(&mut self, block: &Block) -> Result<(), SynthError> {
        self.buf.clear();
        block
            .consensus_encode(&mut self.buf)
            .map_err(|e| SynthError::Chain(format!("cannot encode a block: {e}")))?;
        let len = self.buf.len() as u64;
        if self.file_len > 0 && self.file_len + 8 + len > MAX_BLK_FILE_BYTES {
            self.out.flush().map_err(SynthError::io(self.current()))?;
            let (out, path) = open_blk(&self.dir, self.files.len())?;
            self.out = out;
            self.files.push(path);
            self.file_len = 0;
        }
        let path = self.current();
        self.out
            .write_all(&REGTEST_MAGIC)
            .and_then(|()| self.out.write_all(&(len as u32).to_le_bytes()))
            .and_then(|()| self.out.write_all(&self.buf))
            .map_err(SynthError::io(path))?;
        self.file_len += 8 + len;
        self.bytes += 8 + len;
        self.blocks += 1;
        self.transactions += block.txdata.len() as u64;
        Ok(())
    }

    fn current(&self) -> PathBuf {
        self.files
            .last()
            .cloned()
            .unwrap_or_else(|| self.dir.clone())
    }

    pub fn finish(mut self) -> Result<ChainSummary, SynthError> {
        self.out.flush().map_err(SynthError::io(self.current()))?;
        Ok(ChainSummary {
            blocks: self.blocks,
            transactions: self.transactions,
            bytes: self.bytes,
            files: self.files,
        })
    }
}

fn open_blk(dir: &Path, number: usize) -> Result<(BufWriter<File>, PathBuf), SynthError> {
    let path = dir.join(format!("blk{number:05}.dat"));
    let file = File::create(&path).map_err(SynthError::io(&path))?;
    Ok((BufWriter::with_capacity(1 << 20, file), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subsidy_halves_every_150_blocks() {
        assert_eq!(subsidy(1), 5_000_000_000);
        assert_eq!(subsidy(149), 5_000_000_000);
        assert_eq!(subsidy(150), 2_500_000_000);
        assert_eq!(subsidy(300), 1_250_000_000);
        assert_eq!(subsidy(150 * 64), 0);
    }
}
