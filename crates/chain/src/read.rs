//! Blocks as they are found: Bitcoin Core's blk files (4-byte network magic, 4-byte little-endian length,
//! the block; repeated, the file's tail zero-filled where Core preallocated it), files holding one raw block,
//! and `getblock` responses at verbosity 2 (header fields and every transaction's hex).

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use bitcoin::block::{Header, Version};
use bitcoin::hashes::Hash;
use bitcoin::p2p::Magic;
use bitcoin::{Block, BlockHash, CompactTarget, Network, Transaction, TxMerkleNode};

use crate::error::{ChainError, Result};

/// Bitcoin Core refuses blocks serialized in more bytes than this (`MAX_BLOCK_SERIALIZED_SIZE`).
pub const MAX_BLOCK_BYTES: u64 = 4_000_000;

/// How a block was framed where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Blk,
    Raw,
    Getblock,
}

impl Framing {
    pub fn name(self) -> &'static str {
        match self {
            Framing::Blk => "blk",
            Framing::Raw => "raw",
            Framing::Getblock => "getblock",
        }
    }
}

/// Where a block's bytes are: file, framing, its place among the file's blocks (1-based) and byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockLocation {
    pub file: PathBuf,
    pub framing: Framing,
    pub number: u64,
    pub offset: u64,
    pub len: u64,
}

/// A block's consensus bytes, with the network its file declared (blk files only) and where it was found.
#[derive(Debug, Clone)]
pub struct RawBlock {
    pub bytes: Vec<u8>,
    pub network: Option<Network>,
    pub location: BlockLocation,
}

/// Bitcoin Core 28 and later obfuscate new blk files with an 8-byte key kept in `blocks/xor.dat`: each
/// byte at file offset `i` is XORed with `key[i % 8]`. An all-zero key (older data directories) changes
/// nothing.
pub type XorKey = [u8; 8];

/// Reads `xor.dat` beside blk files, if there is one.
pub fn read_xor_key(blocks_dir: &Path) -> Result<Option<XorKey>> {
    let path = blocks_dir.join("xor.dat");
    match std::fs::read(&path) {
        Ok(bytes) => {
            let key: XorKey = bytes
                .as_slice()
                .try_into()
                .map_err(|_| ChainError::BadBlock {
                    path: path.clone(),
                    offset: 0,
                    reason: format!("xor.dat holds {} bytes, not the 8 of a key", bytes.len()),
                })?;
            Ok((key != [0; 8]).then_some(key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ChainError::Io { path, source }),
    }
}

/// Undoes the obfuscation of bytes read from `offset` on.
pub fn unmask(key: Option<&XorKey>, offset: u64, bytes: &mut [u8]) {
    if let Some(key) = key {
        for (i, b) in bytes.iter_mut().enumerate() {
            *b ^= key[((offset + i as u64) % 8) as usize];
        }
    }
}

/// A reader that undoes blk obfuscation as it reads.
struct Unmasked<R> {
    inner: R,
    key: Option<XorKey>,
    offset: u64,
}

impl<R: std::io::Seek> std::io::Seek for Unmasked<R> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.offset = self.inner.seek(to)?;
        Ok(self.offset)
    }
}

impl<R: Read> Read for Unmasked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        unmask(self.key.as_ref(), self.offset, &mut buf[..n]);
        self.offset += n as u64;
        Ok(n)
    }
}

/// The blocks of one blk file, streamed: one block in memory at a time. After an error (a truncated or
/// foreign frame) the iteration ends; the blocks before it were already yielded.
pub struct BlkFile<R> {
    reader: BufReader<Unmasked<R>>,
    path: PathBuf,
    offset: u64,
    number: u64,
    finished: bool,
    headers_only: bool,
    /// For a file: its length, and how to move past bytes without reading them (headers only).
    skip: Option<(u64, SkipFn<R>)>,
}

/// The read buffer when only headers are wanted (see [`BlkFile::headers_only`]).
const HEADER_READ: usize = 4096;

type SkipFn<R> = fn(&mut BufReader<Unmasked<R>>, i64) -> std::io::Result<()>;

impl BlkFile<std::fs::File> {
    pub fn open(path: &Path) -> Result<Self> {
        BlkFile::open_masked(path, None)
    }

    /// A blk file obfuscated with `key` (see [`XorKey`]).
    pub fn open_masked(path: &Path, key: Option<XorKey>) -> Result<Self> {
        let io = |source| ChainError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let mut blocks = BlkFile::new_masked(file, path, key);
        blocks.skip = Some((len, |reader, n| reader.seek_relative(n)));
        Ok(blocks)
    }
}

impl<R: Read> BlkFile<R> {
    /// Reads blk framing from `reader`; `path` names it in errors and locations.
    pub fn new(reader: R, path: &Path) -> Self {
        BlkFile::new_masked(reader, path, None)
    }

    pub fn new_masked(reader: R, path: &Path, key: Option<XorKey>) -> Self {
        BlkFile {
            reader: BufReader::with_capacity(
                1 << 20,
                Unmasked {
                    inner: reader,
                    key,
                    offset: 0,
                },
            ),
            path: path.to_path_buf(),
            offset: 0,
            number: 0,
            finished: false,
            headers_only: false,
            skip: None,
        }
    }

    /// Yields each block's first 80 bytes (its header) only, with its full location: what ordering the
    /// chain needs, without a copy of every block.
    pub fn headers_only(self) -> Self {
        let BlkFile {
            reader,
            path,
            offset,
            number,
            finished,
            skip,
            ..
        } = self;
        // A read buffer the size of a block is filled again after every skip: finding the headers read
        // the whole file (a block is up to a few MB, the buffer 1 MB), 0.4-0.5 s for a 4 GB chain before
        // any block could be checked. A page holds a frame and its header. Only for a file, where blocks
        // are skipped by seeking (a stream is read through, in large reads), and only before anything is
        // read, since a buffer's contents would be lost.
        let reader = if skip.is_some() && offset == 0 && reader.buffer().is_empty() {
            BufReader::with_capacity(HEADER_READ, reader.into_inner())
        } else {
            reader
        };
        BlkFile {
            reader,
            path,
            offset,
            number,
            finished,
            headers_only: true,
            skip,
        }
    }

    /// Fills `buf` as far as the input goes; returns how many bytes it got.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize> {
        let mut got = 0;
        while got < buf.len() {
            match self.reader.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(ChainError::Io {
                        path: self.path.clone(),
                        source,
                    });
                }
            }
        }
        Ok(got)
    }

    fn truncated(&self, at: u64, declared: u64, present: usize) -> ChainError {
        ChainError::Truncated {
            path: self.path.clone(),
            offset: at,
            declared,
            present: present as u64,
        }
    }

    fn next_block(&mut self) -> Result<Option<RawBlock>> {
        let mut head = [0u8; 8];
        let mut at;
        loop {
            at = self.offset;
            let got = self.fill(&mut head[..4])?;
            self.offset += got as u64;
            if got == 0 {
                return Ok(None);
            }
            // Core preallocates blk files and leaves the unused tail zero: padding, not data.
            if head[..got].iter().all(|&b| b == 0) {
                if got < 4 {
                    return Ok(None);
                }
                continue;
            }
            if got < 4 {
                return Err(self.truncated(at, 8, got));
            }
            break;
        }
        let magic = Magic::from_bytes([head[0], head[1], head[2], head[3]]);
        let Some(network) = Network::from_magic(magic) else {
            return Err(ChainError::UnknownMagic {
                path: self.path.clone(),
                offset: at,
                found: head[..4].iter().map(|b| format!("{b:02x}")).collect(),
            });
        };
        let got = self.fill(&mut head[4..])?;
        self.offset += got as u64;
        if got < 4 {
            return Err(self.truncated(at, 8, 4 + got));
        }
        let len = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
        if len > MAX_BLOCK_BYTES {
            return Err(ChainError::Oversized {
                path: self.path.clone(),
                offset: at,
                declared: len,
                limit: MAX_BLOCK_BYTES,
            });
        }
        // Headers only: the first 80 bytes are kept, the rest skipped: moved past in a file (whose
        // length says whether the block is all there), read past otherwise, so that a truncated block
        // is found as it would be.
        let kept = if self.headers_only { len.min(80) } else { len };
        let mut bytes = vec![0u8; kept as usize];
        let mut got = self.fill(&mut bytes)? as u64;
        // The length is that of the file when opened: a block the file holds whole by it is skipped;
        // anything else (a cut, or a file grown since, as a running node's last file does) is read past.
        let whole_in_file = |(file_len, _): &(u64, SkipFn<R>)| *file_len >= at + 8 + len;
        if let (true, Some((_, skip))) =
            (got == kept && kept < len, self.skip.filter(whole_in_file))
        {
            skip(&mut self.reader, (len - kept) as i64).map_err(|source| ChainError::Io {
                path: self.path.clone(),
                source,
            })?;
            got = len;
        } else if got == kept && kept < len {
            got += std::io::copy(
                &mut (&mut self.reader).take(len - kept),
                &mut std::io::sink(),
            )
            .map_err(|source| ChainError::Io {
                path: self.path.clone(),
                source,
            })?;
        }
        self.offset += got;
        if got < len {
            return Err(self.truncated(at, len, got as usize));
        }
        self.number += 1;
        Ok(Some(RawBlock {
            bytes,
            network: Some(network),
            location: BlockLocation {
                file: self.path.clone(),
                framing: Framing::Blk,
                number: self.number,
                offset: at + 8,
                len,
            },
        }))
    }
}

impl<R: Read> Iterator for BlkFile<R> {
    type Item = Result<RawBlock>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let next = self.next_block();
        if !matches!(next, Ok(Some(_))) {
            self.finished = true;
        }
        next.transpose()
    }
}

/// A file holding one block in consensus encoding (as `getblock HASH 0` returns it, hex-decoded).
pub fn read_raw_block(path: &Path) -> Result<RawBlock> {
    let bytes = std::fs::read(path).map_err(|source| ChainError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let len = bytes.len() as u64;
    Ok(RawBlock {
        bytes,
        network: None,
        location: BlockLocation {
            file: path.to_path_buf(),
            framing: Framing::Raw,
            number: 1,
            offset: 0,
            len,
        },
    })
}

/// Blocks of a file of `getblock` responses at verbosity 2: one JSON value, an array of them, or one per
/// line; each the result itself or an RPC envelope (`{"result": ..., "error": null}`). The block is rebuilt
/// from the header fields and the transactions' hex, and must hash to the response's own `hash`.
pub fn read_getblock_json(path: &Path) -> Result<Vec<RawBlock>> {
    let text = std::fs::read(path).map_err(|source| ChainError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_getblock_json(path, &text)
}

/// [`read_getblock_json`] over bytes already read; `path` names them in errors and locations.
pub fn parse_getblock_json(path: &Path, text: &[u8]) -> Result<Vec<RawBlock>> {
    let bad = |what: String, reason: String| ChainError::BadJson {
        path: path.to_path_buf(),
        what,
        reason,
    };
    let mut responses = Vec::new();
    for value in serde_json::Deserializer::from_slice(text).into_iter::<serde_json::Value>() {
        let value = value.map_err(|e| bad("not JSON".into(), e.to_string()))?;
        match value {
            serde_json::Value::Array(items) => responses.extend(items),
            other => responses.push(other),
        }
    }
    let mut blocks = Vec::new();
    for (i, mut response) in responses.into_iter().enumerate() {
        if let Some(result) = response.get_mut("result") {
            response = result.take();
        }
        let what = format!("response {}", i + 1);
        let block = block_from_getblock(&response).map_err(|reason| bad(what.clone(), reason))?;
        let bytes = bitcoin::consensus::serialize(&block);
        let len = bytes.len() as u64;
        blocks.push(RawBlock {
            bytes,
            network: None,
            location: BlockLocation {
                file: path.to_path_buf(),
                framing: Framing::Getblock,
                number: i as u64 + 1,
                offset: 0,
                len,
            },
        });
    }
    Ok(blocks)
}

fn block_from_getblock(v: &serde_json::Value) -> std::result::Result<Block, String> {
    let text = |key: &str| -> std::result::Result<&str, String> {
        v.get(key)
            .and_then(|x| x.as_str())
            .ok_or_else(|| format!("no \"{key}\" text"))
    };
    let number = |key: &str| -> std::result::Result<i64, String> {
        v.get(key)
            .and_then(|x| x.as_i64())
            .ok_or_else(|| format!("no \"{key}\" number"))
    };
    let hash: BlockHash = text("hash")?.parse().map_err(|e| format!("hash: {e}"))?;
    // The genesis block's response has no previous block.
    let prev_blockhash = match v.get("previousblockhash").and_then(|x| x.as_str()) {
        Some(h) => h.parse().map_err(|e| format!("previousblockhash: {e}"))?,
        None => BlockHash::all_zeros(),
    };
    let merkle_root: TxMerkleNode = text("merkleroot")?
        .parse()
        .map_err(|e| format!("merkleroot: {e}"))?;
    let bits = u32::from_str_radix(text("bits")?, 16).map_err(|e| format!("bits: {e}"))?;
    let header = Header {
        version: Version::from_consensus(
            i32::try_from(number("version")?).map_err(|e| format!("version: {e}"))?,
        ),
        prev_blockhash,
        merkle_root,
        time: u32::try_from(number("time")?).map_err(|e| format!("time: {e}"))?,
        bits: CompactTarget::from_consensus(bits),
        nonce: u32::try_from(number("nonce")?).map_err(|e| format!("nonce: {e}"))?,
    };
    let txs = v
        .get("tx")
        .and_then(|t| t.as_array())
        .ok_or("no \"tx\" array")?;
    let mut txdata = Vec::with_capacity(txs.len());
    for (i, tx) in txs.iter().enumerate() {
        let hex = tx.get("hex").and_then(|h| h.as_str()).ok_or_else(|| {
            format!("transaction {i} has no \"hex\" (verbosity 1 lists txids only: ask for getblock HASH 2)")
        })?;
        let bytes =
            decode_hex(hex).ok_or_else(|| format!("transaction {i}: \"hex\" is not hex"))?;
        let tx: Transaction =
            bitcoin::consensus::deserialize(&bytes).map_err(|e| format!("transaction {i}: {e}"))?;
        txdata.push(tx);
    }
    let block = Block { header, txdata };
    if block.block_hash() != hash {
        return Err(format!(
            "the header fields hash to {}, not to the response's {hash}",
            block.block_hash()
        ));
    }
    Ok(block)
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(magic: [u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = magic.to_vec();
        v.extend((body.len() as u32).to_le_bytes());
        v.extend(body);
        v
    }

    #[test]
    fn frames_are_read_past_zero_padding_and_a_truncated_one_ends_the_file() {
        let regtest = [0xfa, 0xbf, 0xb5, 0xda];
        let mut data = frame(regtest, b"first");
        data.extend([0u8; 12]);
        data.extend(frame(regtest, b"second"));
        data.extend(&frame(regtest, b"third block")[..12]);
        let mut blocks = BlkFile::new(&data[..], Path::new("blk00000.dat"));
        let first = blocks.next().unwrap().unwrap();
        assert_eq!(
            (first.bytes.as_slice(), first.location.offset),
            (&b"first"[..], 8)
        );
        assert_eq!(first.network, Some(Network::Regtest));
        let second = blocks.next().unwrap().unwrap();
        assert_eq!(
            (second.bytes.as_slice(), second.location.number),
            (&b"second"[..], 2)
        );
        let err = blocks.next().unwrap().unwrap_err();
        assert!(
            matches!(
                err,
                ChainError::Truncated {
                    offset: 39,
                    declared: 11,
                    present: 4,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("blk00000.dat"));
        assert!(blocks.next().is_none());
    }

    #[test]
    fn obfuscated_blk_files_read_as_plain_ones() {
        let regtest = [0xfa, 0xbf, 0xb5, 0xda];
        let mut data = frame(regtest, b"first block");
        data.extend(frame(regtest, b"second"));
        let key: XorKey = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
        let mut masked = data.clone();
        unmask(Some(&key), 0, &mut masked);
        assert_ne!(masked, data);
        let plain: Vec<Vec<u8>> = BlkFile::new(&data[..], Path::new("a"))
            .map(|b| b.unwrap().bytes)
            .collect();
        let unmasked: Vec<Vec<u8>> = BlkFile::new_masked(&masked[..], Path::new("b"), Some(key))
            .map(|b| b.unwrap().bytes)
            .collect();
        assert_eq!(plain, unmasked);
        assert_eq!(plain.len(), 2);
        // Unmasking a slice from its own offset gives the same bytes as unmasking the whole.
        let mut tail = masked[19..].to_vec();
        unmask(Some(&key), 19, &mut tail);
        assert_eq!(tail, data[19..]);
    }

    #[test]
    fn headers_of_a_file_are_skipped_to_and_its_truncation_found_as_when_read() {
        let regtest = [0xfa, 0xbf, 0xb5, 0xda];
        let body = |fill: u8, len: usize| vec![fill; len];
        // The first block is longer than the headers' read buffer: skipping it seeks the file, and the
        // mask must still line up after the seek.
        let mut data = frame(regtest, &body(1, 3 * HEADER_READ + 5));
        data.extend([0u8; 12]);
        data.extend(frame(regtest, &body(2, 81)));
        data.extend(frame(regtest, &body(3, 500)));
        data.truncate(data.len() - 120);
        let key: XorKey = [9, 8, 7, 6, 5, 4, 3, 2];
        let mut masked = data.clone();
        unmask(Some(&key), 0, &mut masked);
        let dir = std::env::temp_dir().join(format!("spector-headers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("blk00000.dat");
        std::fs::write(&path, &masked).unwrap();
        let summary = |r: Result<RawBlock>| match r {
            Ok(b) => Ok((b.bytes, b.location.offset, b.location.len)),
            Err(e) => Err(e.to_string().replace(&path.display().to_string(), "F")),
        };
        // Skipped in the file, read past in a stream: the same headers, offsets and error.
        let skipped: Vec<_> = BlkFile::open_masked(&path, Some(key))
            .unwrap()
            .headers_only()
            .map(summary)
            .collect();
        let read: Vec<_> = BlkFile::new_masked(&masked[..], Path::new("F"), Some(key))
            .headers_only()
            .map(summary)
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(skipped, read);
        assert_eq!(skipped.len(), 3);
        assert_eq!(skipped[0].as_ref().unwrap().0, body(1, 80));
        assert_eq!(skipped[1].as_ref().unwrap().0, body(2, 80));
        let err = skipped[2].as_ref().unwrap_err();
        assert!(
            err.contains("declares 500 bytes, the file holds 380"),
            "{err}"
        );
    }

    #[test]
    fn a_file_grown_after_opening_is_read_whole() {
        // A running node appends to its last blk file: the length known at opening is stale.
        let regtest = [0xfa, 0xbf, 0xb5, 0xda];
        let dir = std::env::temp_dir().join(format!("spector-grown-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("blk00001.dat");
        std::fs::write(&path, frame(regtest, &[1; 200])).unwrap();
        let blocks = BlkFile::open(&path).unwrap().headers_only();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut file, &frame(regtest, &[2; 300])).unwrap();
        let read: Vec<_> = blocks
            .map(|b| b.map(|b| (b.bytes[0], b.location.len)))
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(read.len(), 2, "{read:?}");
        assert_eq!(*read[0].as_ref().unwrap(), (1, 200));
        assert_eq!(*read[1].as_ref().unwrap(), (2, 300));
    }

    #[test]
    fn a_foreign_magic_is_an_error_naming_the_offset() {
        let data = frame(*b"ABCD", b"x");
        let err = BlkFile::new(&data[..], Path::new("f.dat"))
            .next()
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(err, ChainError::UnknownMagic { offset: 0, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("41424344"), "{err}");
    }

    proptest::proptest! {
        // blk files come from seized machines: any bytes end in blocks or an error, never a panic, and the
        // reader never claims more bytes than the input holds.
        #[test]
        fn any_bytes_are_framed_or_refused(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let mut total = 0u64;
            for block in BlkFile::new(&data[..], Path::new("p.dat")) {
                match block {
                    Ok(b) => total += b.location.len + 8,
                    Err(_) => break,
                }
            }
            proptest::prop_assert!(total <= data.len() as u64);
        }
    }
}
