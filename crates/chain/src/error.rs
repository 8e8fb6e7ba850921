use std::path::PathBuf;

/// What went wrong reading blocks, always naming the file and, inside it, the byte offset.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: truncated at byte {offset}: the block framed there declares {declared} bytes, the file holds {present} (the blocks before it were read)"
    )]
    Truncated {
        path: PathBuf,
        offset: u64,
        declared: u64,
        present: u64,
    },
    #[error(
        "{path}: byte {offset}: {found} is not the magic of a Bitcoin network (mainnet f9beb4d9, testnet3 0b110907, testnet4 1c163f28, signet 0a03cf40, regtest fabfb5da); not a blk file, or corrupt from here"
    )]
    UnknownMagic {
        path: PathBuf,
        offset: u64,
        found: String,
    },
    #[error(
        "{path}: byte {offset}: block length {declared} is beyond the consensus limit of {limit} bytes"
    )]
    Oversized {
        path: PathBuf,
        offset: u64,
        declared: u64,
        limit: u64,
    },
    #[error("{path}: byte {offset}: not a valid block: {reason}")]
    BadBlock {
        path: PathBuf,
        offset: u64,
        reason: String,
    },
    #[error("{path}: {what}: {reason}")]
    BadJson {
        path: PathBuf,
        what: String,
        reason: String,
    },
}

pub type Result<T> = std::result::Result<T, ChainError>;
