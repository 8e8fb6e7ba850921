//! From a block's bytes to a checked block.

use bitcoin::Block;

use crate::error::{ChainError, Result};
use crate::read::RawBlock;

/// Decodes the block, and refuses it unless every byte is used, its transactions hash to the merkle root
/// in its header and, where it carries witnesses, to the commitment in its coinbase: a block that fails
/// is corrupt or forged, and a trace through it would not stand.
pub fn decode(raw: &RawBlock) -> Result<Block> {
    let bad = |reason: String| ChainError::BadBlock {
        path: raw.location.file.clone(),
        offset: raw.location.offset,
        reason,
    };
    let block: Block =
        bitcoin::consensus::deserialize(&raw.bytes).map_err(|e| bad(e.to_string()))?;
    if !block.check_merkle_root() {
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
    Ok(block)
}
