//! Many files of blocks into one chain, in two passes so that memory holds one block at a time: [`scan`]
//! reads every file for the headers and where each block lies, [`order`] puts them on the best chain, and
//! [`reread`] fetches each block again, in chain order, for decoding and flattening.

use std::io::Read;
use std::path::{Path, PathBuf};

use bitcoin::block::Header;
use bitcoin::hashes::Hash;
use bitcoin::{BlockHash, Network};

use crate::best::{BestChain, ChainHeader, best_chain};
use crate::error::{ChainError, Result};
use crate::read::{
    BlkFile, BlockLocation, Framing, RawBlock, XorKey, read_getblock_json, read_raw_block, unmask,
};

/// How a file holds its blocks, from its first bytes (unmasked with `xor_key`, the key of its data
/// directory, if any): a network magic means blk framing, `{` or `[` a getblock answer, anything else one
/// raw block.
pub fn detect(path: &Path, xor_key: Option<&XorKey>) -> Result<Framing> {
    let mut head = [0u8; 64];
    let mut file = std::fs::File::open(path).map_err(|source| io(path, source))?;
    let n = file.read(&mut head).map_err(|source| io(path, source))?;
    let mut masked = head;
    unmask(xor_key, 0, &mut masked[..n]);
    if masked[..n.min(4)] != head[..n.min(4)]
        && n >= 4
        && Network::from_magic(bitcoin::p2p::Magic::from_bytes([
            masked[0], masked[1], masked[2], masked[3],
        ]))
        .is_some()
    {
        return Ok(Framing::Blk);
    }
    let head = &head[..n];
    if head.len() >= 4
        && Network::from_magic(bitcoin::p2p::Magic::from_bytes([
            head[0], head[1], head[2], head[3],
        ]))
        .is_some()
    {
        return Ok(Framing::Blk);
    }
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => Ok(Framing::Getblock),
        _ => Ok(Framing::Raw),
    }
}

fn io(path: &Path, source: std::io::Error) -> ChainError {
    ChainError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A file of blocks to scan: where it is, how it frames blocks, and the obfuscation key of a blk file from
/// a Bitcoin Core 28+ data directory (`xor.dat`).
#[derive(Debug, Clone)]
pub struct BlockFile {
    pub path: PathBuf,
    pub framing: Framing,
    pub xor_key: Option<XorKey>,
}

/// A block found by [`scan`]: its header, the network its file declared, where it lies, and the file's
/// place in the list scanned.
#[derive(Debug, Clone)]
pub struct FoundBlock {
    pub header: Header,
    pub network: Option<Network>,
    pub location: BlockLocation,
    pub file: usize,
    pub xor_key: Option<XorKey>,
}

#[derive(Debug, Default)]
pub struct Scan {
    pub found: Vec<FoundBlock>,
    /// What could not be read: a truncated or foreign frame ends its file (the blocks before it are in
    /// `found`); a file that cannot be opened is skipped. Other files are read on.
    pub problems: Vec<ChainError>,
}

/// Reads the headers of every block of `files` (each with its framing, from [`detect`]).
pub fn scan(files: &[BlockFile], mut on_block: impl FnMut(&FoundBlock)) -> Scan {
    let mut out = Scan::default();
    for (index, file) in files.iter().enumerate() {
        let (path, framing) = (&file.path, &file.framing);
        let mut keep = |raw: RawBlock, out: &mut Scan| match header_of(&raw) {
            Ok(header) => {
                let found = FoundBlock {
                    header,
                    network: raw.network,
                    location: raw.location,
                    file: index,
                    xor_key: file.xor_key,
                };
                on_block(&found);
                out.found.push(found);
            }
            Err(e) => out.problems.push(e),
        };
        match framing {
            Framing::Blk => {
                match BlkFile::open_masked(path, file.xor_key).map(BlkFile::headers_only) {
                    Ok(blocks) => {
                        for block in blocks {
                            match block {
                                Ok(raw) => keep(raw, &mut out),
                                Err(e) => out.problems.push(e),
                            }
                        }
                    }
                    Err(e) => out.problems.push(e),
                }
            }
            Framing::Raw => match read_raw_block(path) {
                Ok(raw) => keep(raw, &mut out),
                Err(e) => out.problems.push(e),
            },
            Framing::Getblock => match read_getblock_json(path) {
                Ok(blocks) => blocks.into_iter().for_each(|raw| keep(raw, &mut out)),
                Err(e) => out.problems.push(e),
            },
        }
    }
    out
}

fn header_of(raw: &RawBlock) -> Result<Header> {
    let bytes = raw.bytes.get(..80).ok_or_else(|| ChainError::BadBlock {
        path: raw.location.file.clone(),
        offset: raw.location.offset,
        reason: format!("{} bytes cannot hold a block header", raw.bytes.len()),
    })?;
    bitcoin::consensus::deserialize(bytes).map_err(|e| ChainError::BadBlock {
        path: raw.location.file.clone(),
        offset: raw.location.offset,
        reason: e.to_string(),
    })
}

/// The network of the blocks scanned: that of their blk files' magic (which must agree), else `default`
/// (raw blocks and JSON do not say).
pub fn network_of(scan: &Scan, default: Network) -> std::result::Result<Network, String> {
    let mut networks: Vec<Network> = scan.found.iter().filter_map(|f| f.network).collect();
    networks.sort_by_key(|n| n.to_string());
    networks.dedup();
    match networks.as_slice() {
        [] => Ok(default),
        [one] => Ok(*one),
        many => Err(format!(
            "blocks of several networks were given ({}); import one network per case",
            many.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The blocks of the best chain in order, each with its height where the chain tells it.
#[derive(Debug, Clone, Default)]
pub struct Ordered {
    /// Per segment: positions in `scan.found` from root to tip, and the root's height when its parent is
    /// the genesis block or it is the genesis block (else the caller may read it from the coinbase).
    pub segments: Vec<(Vec<usize>, Option<u64>)>,
    pub side: usize,
    pub duplicates: usize,
}

pub fn order(scan: &Scan, network: Network) -> Ordered {
    let headers: Vec<ChainHeader> = scan
        .found
        .iter()
        .map(|f| ChainHeader {
            hash: f.header.block_hash(),
            prev: f.header.prev_blockhash,
            work: f.header.work(),
        })
        .collect();
    let BestChain {
        segments,
        side,
        duplicates,
    } = best_chain(&headers);
    let genesis = bitcoin::constants::genesis_block(network).block_hash();
    let segments = segments
        .into_iter()
        .map(|segment| {
            let root = &scan.found[segment[0]].header;
            let height = if root.prev_blockhash == BlockHash::all_zeros() {
                Some(0)
            } else if root.prev_blockhash == genesis {
                Some(1)
            } else {
                None
            };
            (segment, height)
        })
        .collect();
    Ordered {
        segments,
        side: side.len(),
        duplicates: duplicates.len(),
    }
}

/// The bytes of a block found by [`scan`], read again from its file.
pub fn reread(found: &FoundBlock) -> Result<RawBlock> {
    let location = &found.location;
    match location.framing {
        Framing::Blk => Rereader::default().read(found),
        Framing::Raw => read_raw_block(&location.file),
        Framing::Getblock => read_getblock_json(&location.file)?
            .into_iter()
            .find(|b| b.location.number == location.number)
            .ok_or_else(|| ChainError::BadJson {
                path: location.file.clone(),
                what: format!("response {}", location.number),
                reason: "no longer in the file".into(),
            }),
    }
}

/// Reads the blocks found by [`scan`] again, in chain order, keeping the last file open: blocks of a chain
/// mostly follow one another in their files, so most reads continue where the last one ended.
#[derive(Default)]
pub struct Rereader {
    open: Option<(PathBuf, std::io::BufReader<std::fs::File>, u64)>,
}

impl Rereader {
    pub fn read(&mut self, found: &FoundBlock) -> Result<RawBlock> {
        let location = &found.location;
        if location.framing != Framing::Blk {
            return reread(found);
        }
        let path = &location.file;
        if !matches!(&self.open, Some((p, _, _)) if p == path) {
            self.open = None;
        }
        let (_, reader, position) = match &mut self.open {
            Some(open) => open,
            None => {
                let file = std::fs::File::open(path).map_err(|source| io(path, source))?;
                self.open.insert((
                    path.clone(),
                    std::io::BufReader::with_capacity(1 << 20, file),
                    0,
                ))
            }
        };
        if *position != location.offset {
            let delta = location.offset as i64 - *position as i64;
            reader
                .seek_relative(delta)
                .map_err(|source| io(path, source))?;
        }
        let mut bytes = vec![0u8; location.len as usize];
        reader
            .read_exact(&mut bytes)
            .map_err(|source| io(path, source))?;
        *position = location.offset + location.len;
        unmask(found.xor_key.as_ref(), location.offset, &mut bytes);
        Ok(RawBlock {
            bytes,
            network: found.network,
            location: location.clone(),
        })
    }
}
