//! The world's Bitcoin chain: a regtest chain in Bitcoin Core's blk format whose transactions are the
//! world's money (exchanges fund buyers, buyers pay market deposit addresses, markets sweep and pay
//! vendors, vendors cash out at exchanges, some through a CoinJoin), with the truth of who holds which
//! address; and a bulk chain of N everyday transactions for benchmarks. `docs/synth-world.md` describes
//! both.
//!
//! The world's addresses are mainnet strings; the chain pays their scripts (see [`script`]), so a reader
//! matches dump addresses to outputs by script, or reads the chain with mainnet spelling.

mod blk;
mod bulk;
mod script;
mod story;
mod truth;

use std::path::Path;

pub use blk::{ChainSummary, MAX_BLK_FILE_BYTES, REGTEST_MAGIC};
pub use bulk::{BulkConfig, write_bulk_chain};
pub use story::EXCHANGES;

use crate::SynthError;
use crate::world::World;

/// Writes `out/chain/blk?????.dat`, `out/truth/chain_*.csv` and `out/attribution/exchanges.yaml`.
pub(crate) fn write_world_chain(world: &World, out: &Path) -> Result<ChainSummary, SynthError> {
    let story = story::play(world, &out.join("chain"))?;
    truth::write(world, &story, out)?;
    Ok(story.summary)
}
