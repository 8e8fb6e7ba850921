//! Writing and reading large files past the page cache.
//!
//! An ingest writes the whole dump once more (its evidence copy) and about as much again in Parquet. Through
//! the page cache, each byte costs the kernel a page to allocate and zero, then a copy into it: on this
//! project's machine kind, a buffered 1.1 GB write took 3.75 s of kernel time, the same write with
//! `O_DIRECT` 0.31 s. The parts are not read again during the ingest, and the copy is read once, by the
//! parse, past the cache too, so keeping either cached buys nothing.
//!
//! `O_DIRECT` wants the buffer, the length and the file offset aligned to the device's block, so the bytes
//! are gathered into an aligned buffer and written a whole number of blocks at a time; the last partial
//! block is written through the cache at the end. Where the file system refuses `O_DIRECT` (tmpfs before
//! Linux 6.6, other systems), or refuses a write under it, the file is written the ordinary way: the bytes
//! on disk are the same either way.
//!
//! Reading the evidence copy back for parsing is the same story: a cold buffered read of 1.1 GB cost 2.75 s
//! of kernel time, a direct one 0.04 s (and 0.8 s of waiting on the disk, which [`SequentialReader`] does on
//! a thread of its own, ahead of the parser).

use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};

/// Alignment asked for buffers, lengths and offsets: 4 KiB satisfies the block sizes devices commonly
/// use for direct I/O (512 B or 4 KiB); a device or file system wanting more refuses the I/O, and the
/// file is then written or read the ordinary way.
const BLOCK: usize = 4096;

/// A file being written from its start, past the page cache where the system allows. Call
/// [`UncachedFile::finish`] at the end: dropping it loses the bytes not yet written (the last partial block
/// at least), which suits only a file being abandoned.
pub(crate) struct UncachedFile {
    file: File,
    /// Allocated one block larger than needed, so that an aligned window of `capacity` bytes fits.
    buf: Vec<u8>,
    /// Where the aligned window starts in `buf`.
    start: usize,
    /// Bytes gathered in the window, not yet written.
    filled: usize,
    capacity: usize,
    /// Whether the file is open for direct I/O; once false it stays false.
    direct: bool,
}

impl UncachedFile {
    /// Takes `file`, empty and positioned at its start, and writes to it in runs of about `capacity`
    /// bytes. The file description is shared with any clone of `file`: direct I/O is on for them too
    /// until [`UncachedFile::finish`] turns it off (a file abandoned after an error keeps it, which
    /// matters to no one: it is removed).
    pub fn new(file: File, capacity: usize) -> Self {
        let capacity = capacity.next_multiple_of(BLOCK).max(BLOCK);
        let direct = set_direct(&file, true).is_ok();
        let (buf, start) = if direct {
            let buf = vec![0u8; capacity + BLOCK];
            let start = buf.as_ptr().align_offset(BLOCK);
            (buf, start)
        } else {
            (Vec::new(), 0)
        };
        UncachedFile {
            file,
            buf,
            start,
            filled: 0,
            capacity,
            direct,
        }
    }

    /// Whether writes currently bypass the page cache (for tests).
    #[cfg(test)]
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// Writes what is left and turns direct I/O off again; returns the file, whose bytes are all written
    /// (not yet durable: sync it).
    pub fn finish(mut self) -> io::Result<File> {
        if self.direct {
            self.write_blocks()?;
        }
        // `write_blocks` may have left direct I/O already (a refused write).
        if self.direct {
            self.leave_direct()?;
        }
        Ok(self.file)
    }

    /// Writes the whole blocks gathered and keeps the partial one at the window's start.
    fn write_blocks(&mut self) -> io::Result<()> {
        let whole = self.filled / BLOCK * BLOCK;
        let mut done = 0;
        while done < whole {
            let window = &self.buf[self.start + done..self.start + whole];
            match self.file.write(window) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // Refused under direct I/O (an alignment the device wants larger, a short write that left
                // the offset unaligned): what is left goes through the cache.
                Err(e) if refused_under_direct(&e) => {
                    self.buf
                        .copy_within(self.start + done..self.start + self.filled, self.start);
                    self.filled -= done;
                    return self.leave_direct();
                }
                Err(e) => return Err(e),
            }
        }
        self.buf
            .copy_within(self.start + whole..self.start + self.filled, self.start);
        self.filled -= whole;
        Ok(())
    }

    /// Turns direct I/O off and writes the bytes still gathered the ordinary way.
    fn leave_direct(&mut self) -> io::Result<()> {
        self.direct = false;
        set_direct(&self.file, false)?;
        let rest = &self.buf[self.start..self.start + self.filled];
        self.file.write_all(rest)?;
        self.filled = 0;
        self.buf = Vec::new();
        self.start = 0;
        Ok(())
    }
}

impl Write for UncachedFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if !self.direct {
            return self.file.write(data);
        }
        // Bytes that are already aligned (a run of a `SequentialReader`, as the evidence copy is made
        // of) are written from where they are, without the copy into the window.
        if self.filled == 0 && data.len() >= BLOCK && data.as_ptr().addr().is_multiple_of(BLOCK) {
            let whole = data.len() / BLOCK * BLOCK;
            match self.file.write(&data[..whole]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                // A short write that leaves the offset unaligned has the next direct write refused,
                // and `write_blocks` then leaves direct I/O.
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
                // Refused: gathered into the window like any other bytes, and refused again there.
                Err(e) if refused_under_direct(&e) => {}
                Err(e) => return Err(e),
            }
        }
        let n = (self.capacity - self.filled).min(data.len());
        self.buf[self.start + self.filled..][..n].copy_from_slice(&data[..n]);
        self.filled += n;
        if self.filled == self.capacity {
            self.write_blocks()?;
        }
        Ok(n)
    }

    /// Writes the whole blocks gathered; a partial last block waits for more bytes or for
    /// [`UncachedFile::finish`], since writing it now would leave the file's end unaligned.
    fn flush(&mut self) -> io::Result<()> {
        if self.direct {
            self.write_blocks()?;
        }
        Ok(())
    }
}

/// Bytes read at a time by [`SequentialReader`], and how many such runs wait for the consumer.
const READ_RUN: usize = 4 * 1024 * 1024;
const RUNS_AHEAD: usize = 3;
/// Runs kept for reuse once consumed.
const RUNS_RETURNED: usize = 16;

/// A buffer whose window `start..start + len` is aligned for direct I/O.
struct AlignedRun {
    buf: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedRun {
    fn new() -> Self {
        let buf = vec![0u8; READ_RUN + BLOCK];
        let start = buf.as_ptr().align_offset(BLOCK);
        AlignedRun { buf, start, len: 0 }
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.start + self.len]
    }
}

/// Reads a file once, start to end, on a thread that stays up to [`RUNS_AHEAD`] runs of 4 MiB ahead of
/// the consumer. When the page cache holds the file's first run, the file is read the ordinary way (from
/// the cache); otherwise past the cache, where the system allows. For one pass over a file not read again
/// soon (a dump as it is received and hashed, its evidence copy as it is parsed); anything else should
/// read the file the ordinary way.
///
/// The end of the file is a message of the reading thread, never inferred: should the thread stop without
/// it, reading fails rather than seeming to end early. An error is returned again on every later read.
pub struct SequentialReader {
    /// `None` once dropped, which tells the reading thread to stop.
    runs: Option<Receiver<io::Result<AlignedRun>>>,
    /// Consumed runs go back to the reading thread to be filled again.
    spent: SyncSender<AlignedRun>,
    current: Option<AlignedRun>,
    at: usize,
    /// The last run has been received: after it, the end of the file.
    last: bool,
    failed: Option<(io::ErrorKind, String)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SequentialReader {
    /// Opens `path` and starts reading it.
    pub fn open(path: &Path) -> io::Result<Self> {
        let cached = File::open(path)?;
        // A second open file, not a clone: direct I/O is a property of the open file, and the first
        // must stay able to read the page cache. It must be the same file, should the path have been
        // replaced in between.
        let direct = File::open(path)
            .ok()
            .filter(|file| same_file(&cached, file))
            .filter(|file| set_direct(file, true).is_ok());
        let size = cached.metadata()?.len();
        let (to_reader, runs) = mpsc::sync_channel(RUNS_AHEAD);
        // Room for every run in use at once, so that none is freed and a new one zeroed in its place:
        // the runs ahead, and those handed out by [`SequentialReader::next_run`] to consumers who queue
        // them (see `evidence.rs`).
        let (spent, returned) = mpsc::sync_channel(RUNS_RETURNED);
        let thread = std::thread::Builder::new()
            .name("evidence-read".into())
            .spawn(move || read_runs(cached, direct, size, &to_reader, &returned))?;
        Ok(SequentialReader {
            runs: Some(runs),
            spent,
            current: None,
            at: 0,
            last: false,
            failed: None,
            thread: Some(thread),
        })
    }
}

/// The reading thread: fills runs until the end of the file, an error, or the consumer going away.
///
/// Every run but the last is filled whole, so that each starts at an aligned offset; the last, shorter
/// than a run (empty, when the file ends on a run's end), is the end of the file.
fn read_runs(
    cached: File,
    direct: Option<File>,
    size: u64,
    to_reader: &SyncSender<io::Result<AlignedRun>>,
    returned: &Receiver<AlignedRun>,
) {
    let mut direct = direct;
    let mut pos = 0u64;
    loop {
        let mut run = returned.try_recv().unwrap_or_else(|_| AlignedRun::new());
        if let Err(e) = fill_run(&cached, &mut direct, &mut run, pos, size) {
            let _ = to_reader.send(Err(e));
            return;
        }
        pos += run.len as u64;
        let end = run.len < READ_RUN;
        if to_reader.send(Ok(run)).is_err() || end {
            return;
        }
    }
}

/// Whether two open files are the same file (device and inode).
#[cfg(unix)]
fn same_file(a: &File, b: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (a.metadata(), b.metadata()) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_a: &File, _b: &File) -> bool {
    // No direct reads off Linux anyway (`set_direct` refuses).
    false
}

/// Fills `run` with the bytes of the file at `pos`, short only at the end of the file. The first run
/// decides how the file is read: when the page cache held all of it (a dump read just before), the
/// file is read the ordinary way, from the cache; otherwise past the cache, where `direct` is open.
/// Deciding once: a read that finds a page missing starts the kernel reading ahead into the cache, the
/// very cost this avoids.
fn fill_run(
    cached: &File,
    direct: &mut Option<File>,
    run: &mut AlignedRun,
    pos: u64,
    size: u64,
) -> io::Result<()> {
    run.len = 0;
    if pos == 0 && direct.is_some() {
        let window = &mut run.buf[run.start..run.start + READ_RUN];
        let (len, at_end) = read_cached(cached, window, 0, size);
        run.len = len;
        if at_end || len == READ_RUN {
            *direct = None;
            return Ok(());
        }
        // From the last whole block on: the bytes of a partial one are read again, the same bytes.
        run.len = run.len / BLOCK * BLOCK;
    }
    while run.len < READ_RUN {
        let window = &mut run.buf[run.start + run.len..run.start + READ_RUN];
        let offset = pos + run.len as u64;
        let read = match direct {
            Some(file) => match read_at(file, window, offset) {
                // Refused (an alignment the device wants larger): the rest the ordinary way.
                Err(e) if refused_under_direct(&e) => {
                    *direct = None;
                    continue;
                }
                // Direct reads come short only at the end of the file; should one not, the next
                // would be unaligned, so the rest is read the ordinary way.
                Ok(n) if !n.is_multiple_of(BLOCK) => {
                    *direct = None;
                    Ok(n)
                }
                other => other,
            },
            None => read_at(cached, window, offset),
        };
        match read {
            Ok(0) => break,
            Ok(n) => run.len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Copies into `window` what the page cache holds of the file from `pos` on, without waiting for the
/// disk (`RWF_NOWAIT`); returns how much, and whether that reached the end of the file (`size`, as it was
/// when opened). A no-wait read of 0 bytes is not taken for the end: Linux 5.9 and 5.10 return 0 before
/// it (preadv2(2), BUGS), and a file cut short here would be evidence cut short.
#[cfg(target_os = "linux")]
fn read_cached(file: &File, window: &mut [u8], pos: u64, size: u64) -> (usize, bool) {
    use rustix::io::{ReadWriteFlags, preadv2};
    let mut len = 0;
    while len < window.len() {
        let mut slices = [io::IoSliceMut::new(&mut window[len..])];
        match preadv2(file, &mut slices, pos + len as u64, ReadWriteFlags::NOWAIT) {
            Ok(0) => return (len, pos + len as u64 >= size),
            Ok(n) => len += n,
            Err(rustix::io::Errno::INTR) => {}
            // Not cached (EAGAIN), or no such reads here: the disk, then.
            Err(_) => break,
        }
    }
    (len, false)
}

#[cfg(not(target_os = "linux"))]
fn read_cached(_file: &File, _window: &mut [u8], _pos: u64, _size: u64) -> (usize, bool) {
    (0, false)
}

#[cfg(unix)]
fn read_at(file: &File, window: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, window, offset)
}

#[cfg(not(unix))]
fn read_at(mut file: &File, window: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read(window)
}

impl SequentialReader {
    /// Makes the current run one with bytes left, unless the file has ended (or failed).
    fn next_bytes(&mut self) -> io::Result<()> {
        loop {
            if let Some((kind, message)) = &self.failed {
                return Err(io::Error::new(*kind, message.clone()));
            }
            if let Some(run) = &self.current
                && self.at < run.len
            {
                return Ok(());
            }
            if self.last {
                return Ok(());
            }
            if let Some(run) = self.current.take() {
                // The reading thread may be gone (end of file); the run is then simply dropped.
                let _ = self.spent.try_send(run);
            }
            self.at = 0;
            let Some(runs) = &self.runs else {
                // Only a reader being dropped has hung up; never an end of file.
                return Err(io::Error::other("the reader was closed"));
            };
            match runs.recv() {
                Ok(Ok(run)) => {
                    self.last = run.len < READ_RUN;
                    self.current = Some(run);
                }
                Ok(Err(e)) => self.failed = Some((e.kind(), e.to_string())),
                Err(_) => {
                    self.failed = Some((
                        io::ErrorKind::UnexpectedEof,
                        "the reading thread stopped before the end of the file".to_string(),
                    ))
                }
            }
        }
    }
}

/// Bytes of a file handed out whole by [`SequentialReader::next_run`], without a copy: shared by whoever
/// reads them (the hash, the evidence copy and the scan of a dump being received), and given back to the
/// reader for a later read once the last of them drops them.
pub struct SharedRun {
    run: Option<AlignedRun>,
    /// Where the run's bytes start (a run half read through [`Read`] first).
    from: usize,
    home: SyncSender<AlignedRun>,
}

impl std::ops::Deref for SharedRun {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.run
            .as_ref()
            .map_or(&[], |run| &run.bytes()[self.from..])
    }
}

impl Drop for SharedRun {
    fn drop(&mut self) {
        if let Some(run) = self.run.take() {
            // The reader may be gone, or have runs enough: the run is then freed.
            let _ = self.home.try_send(run);
        }
    }
}

impl SequentialReader {
    /// The rest of the current run, or the next run, as it is: `None` at the end of the file.
    pub fn next_run(&mut self) -> io::Result<Option<SharedRun>> {
        self.next_bytes()?;
        let Some(run) = self.current.take() else {
            return Ok(None);
        };
        if self.at >= run.len {
            // Only at the end of the file: the current run is kept so that `last` still holds.
            self.current = Some(run);
            return Ok(None);
        }
        let from = std::mem::take(&mut self.at);
        Ok(Some(SharedRun {
            run: Some(run),
            from,
            home: self.spent.clone(),
        }))
    }
}

impl Read for SequentialReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, out)
    }
}

/// `Read::read` for a reader whose bytes are in its own buffers: a copy of what `fill_buf` holds.
pub(crate) fn read_buffered(reader: &mut impl BufRead, out: &mut [u8]) -> io::Result<usize> {
    let rest = reader.fill_buf()?;
    let n = rest.len().min(out.len());
    out[..n].copy_from_slice(&rest[..n]);
    reader.consume(n);
    Ok(n)
}

/// The bytes of the run at hand, without a copy: a consumer that wants them in a buffer of its own
/// copies them once, into memory it has not had to zero first (as `read` would want).
impl BufRead for SequentialReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.next_bytes()?;
        Ok(match &self.current {
            Some(run) => &run.bytes()[self.at..],
            None => &[],
        })
    }

    fn consume(&mut self, n: usize) {
        let len = self.current.as_ref().map_or(0, |run| run.len);
        self.at = (self.at + n).min(len);
    }
}

impl Drop for SequentialReader {
    fn drop(&mut self) {
        // Hanging up first wakes a reading thread waiting to hand over a run; it then stops.
        self.runs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(target_os = "linux")]
fn refused_under_direct(e: &io::Error) -> bool {
    rustix::io::Errno::from_io_error(e) == Some(rustix::io::Errno::INVAL)
}

#[cfg(not(target_os = "linux"))]
fn refused_under_direct(_: &io::Error) -> bool {
    false
}

#[cfg(target_os = "linux")]
fn set_direct(file: &File, on: bool) -> io::Result<()> {
    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
    let flags = fcntl_getfl(file)?;
    let flags = if on {
        flags | OFlags::DIRECT
    } else {
        flags - OFlags::DIRECT
    };
    fcntl_setfl(file, flags)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn set_direct(_file: &File, on: bool) -> io::Result<()> {
    if on {
        Err(io::ErrorKind::Unsupported.into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Read;

    fn written(pieces: &[Vec<u8>], capacity: usize, flush_every: usize) -> (Vec<u8>, bool) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let mut out = UncachedFile::new(File::create_new(&path).unwrap(), capacity);
        let direct = out.is_direct();
        for (i, piece) in pieces.iter().enumerate() {
            out.write_all(piece).unwrap();
            if flush_every > 0 && i % flush_every == 0 {
                out.flush().unwrap();
            }
        }
        let file = out.finish().unwrap();
        drop(file);
        let mut back = Vec::new();
        File::open(&path).unwrap().read_to_end(&mut back).unwrap();
        (back, direct)
    }

    #[test]
    fn bytes_of_every_length_around_the_block_come_back() {
        for len in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK, 3 * BLOCK + 17] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let (back, _) = written(std::slice::from_ref(&data), 2 * BLOCK, 0);
            assert_eq!(back, data, "length {len}");
        }
    }

    #[test]
    fn finish_turns_direct_io_off_again() {
        // On a file system without direct I/O this says so rather than failing: the bytes are the same
        // either way, checked above.
        let dir = tempfile::tempdir().unwrap();
        let out = UncachedFile::new(File::create_new(dir.path().join("f")).unwrap(), BLOCK);
        if !out.is_direct() {
            eprintln!("no direct I/O under {}", dir.path().display());
        }
        let file = out.finish().unwrap();
        #[cfg(target_os = "linux")]
        assert!(
            !rustix::fs::fcntl_getfl(&file)
                .unwrap()
                .contains(rustix::fs::OFlags::DIRECT),
            "finish turns direct I/O off again"
        );
    }

    fn read_back(data: &[u8], pieces: usize) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in");
        std::fs::write(&path, data).unwrap();
        let mut reader = SequentialReader::open(&path).unwrap();
        let mut back = Vec::new();
        let mut piece = vec![0u8; pieces.max(1)];
        loop {
            let n = reader.read(&mut piece).unwrap();
            if n == 0 {
                break;
            }
            back.extend_from_slice(&piece[..n]);
        }
        assert_eq!(reader.read(&mut piece).unwrap(), 0, "stays at its end");
        back
    }

    #[test]
    fn a_file_is_read_whole_across_runs() {
        for len in [
            0,
            1,
            BLOCK,
            READ_RUN - 1,
            READ_RUN,
            READ_RUN + 1,
            2 * READ_RUN + 4097,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
            assert_eq!(read_back(&data, 100_000), data, "length {len}");
        }
    }

    /// A file written past the cache is not in it, so it is read past the cache too (where the file system
    /// allows); one just written the ordinary way is read from the cache. Both whole and unchanged.
    #[test]
    fn files_in_and_out_of_the_page_cache_read_back_whole() {
        let data: Vec<u8> = (0..2 * READ_RUN + 4321)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let uncached = dir.path().join("uncached");
        let mut out = UncachedFile::new(File::create_new(&uncached).unwrap(), READ_RUN);
        out.write_all(&data).unwrap();
        out.finish().unwrap().sync_all().unwrap();
        let cached = dir.path().join("cached");
        std::fs::write(&cached, &data).unwrap();
        for path in [&uncached, &cached] {
            let mut back = Vec::new();
            SequentialReader::open(path)
                .unwrap()
                .read_to_end(&mut back)
                .unwrap();
            assert!(back == data, "{} read back changed", path.display());
        }
    }

    /// The first run partly in the page cache: what is cached is copied, the rest read past the cache from
    /// the last whole block on (where the file system allows), and the bytes come back whole.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_partly_cached_file_reads_back_whole() {
        use rustix::fs::{Advice, fadvise};
        let data: Vec<u8> = (0..READ_RUN + 3 * BLOCK + 99)
            .map(|i| (i * 13 % 241) as u8)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("partly");
        std::fs::write(&path, &data).unwrap();
        let file = File::open(&path).unwrap();
        file.sync_all().unwrap();
        // Out of the cache from an unaligned offset of the first run on.
        let from = (BLOCK + 1000) as u64;
        fadvise(&file, from, None, Advice::DontNeed).unwrap();
        let mut back = Vec::new();
        SequentialReader::open(&path)
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert!(back == data, "read back changed");
    }

    /// A refused direct write inside `finish` leaves direct I/O there and then; `finish` must not leave
    /// it a second time (it did, slicing a buffer already given up).
    #[test]
    fn finishing_after_direct_io_was_left_writes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("left");
        let data: Vec<u8> = (0..3 * BLOCK + 17).map(|i| (i % 239) as u8).collect();
        let mut out = UncachedFile::new(File::create_new(&path).unwrap(), 8 * BLOCK);
        out.write_all(&data[..BLOCK + 5]).unwrap();
        if out.is_direct() {
            // What `write_blocks` does on EINVAL.
            out.leave_direct().unwrap();
            assert!(!out.is_direct());
        }
        out.write_all(&data[BLOCK + 5..]).unwrap();
        out.finish().unwrap();
        assert!(
            std::fs::read(&path).unwrap() == data,
            "written bytes changed"
        );
    }

    /// A file that ends exactly on a run's end is read whole, and then ends.
    #[test]
    fn a_file_ending_on_a_run_ends() {
        let data = vec![5u8; 2 * READ_RUN];
        assert!(read_back(&data, 1 << 20) == data);
    }

    #[test]
    fn a_missing_file_is_an_error_naming_nothing_read() {
        let dir = tempfile::tempdir().unwrap();
        assert!(SequentialReader::open(&dir.path().join("absent")).is_err());
    }

    #[test]
    fn dropping_the_reader_early_stops_the_reading_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![7u8; 3 * READ_RUN * (RUNS_AHEAD + 1)]).unwrap();
        let mut reader = SequentialReader::open(&path).unwrap();
        let mut first = [0u8; 10];
        reader.read_exact(&mut first).unwrap();
        assert_eq!(first, [7u8; 10]);
        // The thread blocks on a full queue; dropping the reader hangs up and joins it, so a thread that
        // did not stop would hang this test.
        drop(reader);
    }

    proptest! {
        #[test]
        fn what_is_read_is_the_file(
            data in prop::collection::vec(any::<u8>(), 0..20_000),
            pieces in 1usize..5000,
        ) {
            prop_assert_eq!(read_back(&data, pieces), data);
        }

        #[test]
        fn what_is_written_is_what_is_read(
            pieces in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..9000), 0..12),
            blocks in 1usize..4,
            flush_every in 0usize..4,
        ) {
            let (back, _) = written(&pieces, blocks * BLOCK, flush_every);
            prop_assert_eq!(back, pieces.concat());
        }
    }
}
