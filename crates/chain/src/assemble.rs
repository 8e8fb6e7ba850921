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
use crate::view::BlockView;

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

/// Reads the blocks found by [`scan`] again, keeping the last file open: blocks of a chain mostly follow
/// one another in their files. Each block is read straight into its own buffer, with no copy through a
/// read buffer and no zeroing first.
#[derive(Default)]
pub struct Rereader {
    open: Option<(PathBuf, std::fs::File)>,
}

impl Rereader {
    pub fn read(&mut self, found: &FoundBlock) -> Result<RawBlock> {
        use std::io::Seek;
        let location = &found.location;
        if location.framing != Framing::Blk {
            return reread(found);
        }
        let path = &location.file;
        if !matches!(&self.open, Some((p, _)) if p == path) {
            self.open = None;
        }
        let (_, file) = match &mut self.open {
            Some(open) => open,
            None => {
                let file = std::fs::File::open(path).map_err(|source| io(path, source))?;
                self.open.insert((path.clone(), file))
            }
        };
        file.seek(std::io::SeekFrom::Start(location.offset))
            .map_err(|source| io(path, source))?;
        let mut bytes = Vec::with_capacity(location.len as usize);
        let got = (&mut *file)
            .take(location.len)
            .read_to_end(&mut bytes)
            .map_err(|source| io(path, source))?;
        if (got as u64) < location.len {
            return Err(ChainError::Truncated {
                path: path.clone(),
                offset: location.offset,
                declared: location.len,
                present: got as u64,
            });
        }
        unmask(found.xor_key.as_ref(), location.offset, &mut bytes);
        Ok(RawBlock {
            bytes,
            network: found.network,
            location: location.clone(),
        })
    }
}

/// Blocks read again and checked ahead of the caller, at most: bounds memory (a block is at most 4 MB).
const CHECK_AHEAD: usize = 32;

/// Tells the workers of [`each_checked`] to stop, and wakes those waiting, when dropped.
struct StopOnDrop<'a> {
    stop: &'a std::sync::atomic::AtomicBool,
    handed: &'a (std::sync::Mutex<usize>, std::sync::Condvar),
}

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        {
            // Under the lock: a worker between its test of `stop` and its wait would miss the wake-up.
            let _done = self.handed.0.lock().unwrap_or_else(|p| p.into_inner());
            self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        self.handed.1.notify_all();
    }
}

/// Reads and checks ([`BlockView::check`]) the blocks `order` names (positions in `found`) on `workers`
/// threads, and hands each to `each` on the calling thread, in `order`'s order, with its place in it.
/// Checking a block means hashing every transaction and both merkle trees, about as much work as what a
/// caller does with the block, and the caller must see the chain in order: so the checks run side by side
/// and ahead of it. The first error (a block that fails its check, or one `each` returns) stops the rest.
pub fn each_checked<E: From<ChainError>>(
    found: &[FoundBlock],
    order: &[usize],
    workers: usize,
    mut each: impl FnMut(usize, BlockView) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};

    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // How many blocks the caller has been handed; a worker waits while its block is too far ahead.
    let handed = (Mutex::new(0usize), Condvar::new());
    std::thread::scope(|scope| {
        // Never full: a worker sends only blocks within `CHECK_AHEAD` of those handed on.
        let (sender, receiver) =
            std::sync::mpsc::sync_channel::<(usize, Result<BlockView>)>(CHECK_AHEAD);
        for _ in 0..workers.max(1) {
            let sender = sender.clone();
            let (next, stop, handed) = (&next, &stop, &handed);
            scope.spawn(move || {
                let mut reader = Rereader::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= order.len() {
                        return;
                    }
                    {
                        let (lock, ready) = handed;
                        let mut done = lock.lock().unwrap_or_else(|p| p.into_inner());
                        while i >= *done + CHECK_AHEAD && !stop.load(Ordering::Relaxed) {
                            done = ready.wait(done).unwrap_or_else(|p| p.into_inner());
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let block = &found[order[i]];
                    // A reader that panics on some block must not leave the caller waiting for it:
                    // the panic becomes that block's error.
                    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        reader.read(block).and_then(BlockView::check)
                    }))
                    .unwrap_or_else(|panic| {
                        let cause = panic
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "unknown cause".into());
                        Err(ChainError::BadBlock {
                            path: block.location.file.clone(),
                            offset: block.location.offset,
                            reason: format!("reading it failed unexpectedly: {cause}"),
                        })
                    });
                    if sender.send((i, checked)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);
        // However the caller's side ends (an error, or a panic in `each`), the workers are told to stop
        // and woken, so that the scope can join them; the receiver is dropped after this guard, so that
        // a worker blocked sending gets an error too.
        let _stop_workers = StopOnDrop {
            stop: &stop,
            handed: &handed,
        };
        let mut waiting: Vec<Option<Result<BlockView>>> = (0..CHECK_AHEAD).map(|_| None).collect();
        let mut due = 0usize;
        (|| {
            while due < order.len() {
                let Ok((i, checked)) = receiver.recv() else {
                    break;
                };
                waiting[i % CHECK_AHEAD] = Some(checked);
                while let Some(checked) = waiting[due % CHECK_AHEAD].take() {
                    each(due, checked?)?;
                    due += 1;
                    let (lock, ready) = &handed;
                    *lock.lock().unwrap_or_else(|p| p.into_inner()) = due;
                    ready.notify_all();
                }
            }
            Ok(())
        })()
    })
}
