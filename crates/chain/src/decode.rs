//! From a block's bytes to a checked block.

use bitcoin::{Block, TxMerkleNode, Txid};

use crate::error::{ChainError, Result};
use crate::read::RawBlock;

/// A decoded block with the txid of each of its transactions (computed once, for the merkle check and for
/// everything after it).
pub struct DecodedBlock {
    pub block: Block,
    pub txids: Vec<Txid>,
}

/// Decodes the block, and refuses it unless every byte is used, its transactions hash to the merkle root
/// in its header and, where it carries witnesses, to the commitment in its coinbase: a block that fails
/// is corrupt or forged, and a trace through it would not stand.
pub fn decode(raw: &RawBlock) -> Result<Block> {
    decode_with_txids(raw).map(|d| d.block)
}

/// [`decode`], keeping the txids it computed.
pub fn decode_with_txids(raw: &RawBlock) -> Result<DecodedBlock> {
    let bad = |reason: String| ChainError::BadBlock {
        path: raw.location.file.clone(),
        offset: raw.location.offset,
        reason,
    };
    if raw.bytes.len() as u64 > crate::read::MAX_BLOCK_BYTES {
        return Err(bad(format!(
            "{} bytes, beyond the consensus limit of {} bytes",
            raw.bytes.len(),
            crate::read::MAX_BLOCK_BYTES
        )));
    }
    let block: Block =
        bitcoin::consensus::deserialize(&raw.bytes).map_err(|e| bad(e.to_string()))?;
    let txids: Vec<Txid> = block.txdata.iter().map(|t| t.compute_txid()).collect();
    let root: Option<TxMerkleNode> = bitcoin::merkle_tree::calculate_root(
        txids
            .iter()
            .map(|t| TxMerkleNode::from_raw_hash(t.to_raw_hash())),
    );
    if root != Some(block.header.merkle_root) {
        return Err(bad(format!(
            "its transactions do not hash to the merkle root {} in its header",
            block.header.merkle_root
        )));
    }
    if !block.check_witness_commitment() {
        return Err(bad(
            "its witnesses do not hash to the commitment in its coinbase".into(),
        ));
    }
    Ok(DecodedBlock { block, txids })
}
