//! Bitcoin's chain, read for an investigation: blocks from Bitcoin Core's `blk?????.dat` files, single raw
//! blocks and `getblock` (verbosity 2) JSON ([`read`]), read in place and checked ([`view`]: the merkle
//! root and witness commitment recomputed; held to the `bitcoin` crate's decoding, [`mod@decode`]), put in
//! chain order on the best chain ([`best`]: most work wins, side chains and orphans set aside; blocks
//! checked ahead on a thread per core, [`assemble`]), and flattened into the model's blocks, transactions,
//! inputs and outputs, each input resolved against the outputs read before it ([`flatten`]).
//!
//! Architecture invariant: this crate reads bytes and returns records; it knows nothing of the case store,
//! Parquet or terminals. A bad block is an error naming its file and byte offset, never a panic, and never
//! loses the blocks read before it.

pub mod assemble;
pub mod attribution;
pub mod best;
mod chunked;
pub mod cluster;
pub mod decode;
mod error;
pub mod flatten;
pub mod read;
pub mod trace;
pub mod view;

pub use attribution::{AddressTag, AttributionError, read_sanctions_list, read_tagpack};
pub use best::{BestChain, ChainHeader, best_chain};
pub use cluster::{
    ChangeRule, ClusterOptions, Clusters, CoinJoinRule, Skip, Union, UnionRule, coinjoin,
    union_path,
};
pub use decode::{DecodedBlock, decode, decode_with_txids};
pub use error::{ChainError, Result};
pub use flatten::{AddressBook, BlockCounts, FlatBlock, Flattener, script_type};
pub use read::{
    BlkFile, BlockLocation, Framing, RawBlock, XorKey, parse_getblock_json, read_getblock_json,
    read_raw_block, read_xor_key,
};
pub use trace::{
    Arrival, ArrivalReason, Direction, GraphTooLarge, TaintPolicy, Trace, TraceOptions, TxGraph,
    TxGraphBuilder, trace,
};
pub use view::{BlockView, InputView, OutputView, TxView};

/// Re-exported so that callers name the same types.
pub use bitcoin;
