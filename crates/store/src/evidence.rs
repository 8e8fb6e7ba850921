//! Write-once evidence: source files copied into `evidence/<sha256>`, hashed while copying, read-only.

use crate::case::{Case, INCOMING_PREFIX};
use crate::error::{Result, StoreError, io_at};
use crate::staging::{create_locked, remove_file_if_present, rfc3339, sync_dir, unix_now};
use crate::uncached::{SequentialReader, SharedRun, UncachedFile, read_buffered};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender};

/// Bytes of the copy written at a time, past the page cache (see `uncached`).
const COPY_WRITE_RUN: usize = 4 * 1024 * 1024;

/// A source file held by the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Lower-case hex SHA-256 of the bytes, which is also the stored file's name.
    pub sha256: String,
    /// File name when it was first received.
    pub original_name: String,
    pub size: u64,
    pub stored_path: PathBuf,
    /// When it was first received, RFC 3339 UTC.
    pub added_at: String,
    /// The case held these bytes before this call (received again, possibly under another name).
    pub already_held: bool,
}

/// A source file received for ingest: bytes the case already holds, or a fresh copy staged in the evidence
/// area under a temporary, locked name. A fresh copy becomes evidence only in the transaction that commits
/// the source read from it ([`Case::begin_received`]); dropped before that, it is removed, and a process
/// killed before that leaves a temporary file that the next [`Case::open`] sweeps away. Either way an ingest
/// that does not complete leaves the case as it was.
#[derive(Debug)]
pub struct Received {
    pub(crate) evidence: Evidence,
    pub(crate) staged: Option<StagedCopy>,
}

impl Received {
    /// The evidence; while the copy is staged, `stored_path` is the staged copy, which is where to read it.
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }
}

/// The locked temporary copy of a received file. The lock tells a sweep in another process that the copy
/// is not abandoned.
#[derive(Debug)]
pub(crate) struct StagedCopy {
    pub(crate) path: PathBuf,
    pub(crate) original_path: String,
    /// The open, locked copy (synced to disk by the commit that lists it).
    file: File,
}

/// Starts syncing a fresh copy to disk on a thread of its own, so that its writing to disk overlaps the
/// parsing and the commit's own sync finds little left to do (for a 1.1 GB dump, 0.36 s less in the
/// commit). Not waited for: the commit's `sync_all` is what makes the copy durable, and reports errors.
fn start_sync(file: &File) {
    let Ok(file) = file.try_clone() else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("evidence-sync".into())
        .spawn(move || {
            let _ = file.sync_data();
        });
}

impl Drop for StagedCopy {
    fn drop(&mut self) {
        // After a commit the copy has been renamed into place and this finds nothing to remove.
        let _ = remove_file_if_present(&self.path);
    }
}

impl Case {
    /// Receives `src` for ingest: hashes it while copying it into a staged, locked file of the evidence area
    /// (or finds that the case already holds these bytes, and records the receipt). See [`Received`].
    pub fn receive(&self, src: &Path) -> Result<Received> {
        self.receive_observed(src, |_| ())
            .map(|(received, _)| received)
    }

    /// [`Case::receive`], also handing the bytes, as they are hashed, to `observe` on a thread of its own
    /// (a schema scan, say, which then costs no pass of its own over the file). `observe` sees exactly the
    /// bytes hashed and copied; it is not run when the case already holds them (`None`), and what it
    /// returns is dropped when the copy fails. Stopping early is fine: the copy goes on without it.
    pub fn receive_observed<T: Send>(
        &self,
        src: &Path,
        observe: impl FnOnce(ReceivedBytes) -> T + Send,
    ) -> Result<(Received, Option<T>)> {
        self.receive_watched(src, observe, &|_| {})
    }

    /// [`Case::receive_observed`], telling `copied` how many bytes are copied so far as the copy goes (for
    /// a progress bar: a 40 GB dump takes a while). Called on the caller's thread.
    pub fn receive_watched<T: Send>(
        &self,
        src: &Path,
        observe: impl FnOnce(ReceivedBytes) -> T + Send,
        copied: &dyn Fn(u64),
    ) -> Result<(Received, Option<T>)> {
        let meta = fs::metadata(src).map_err(io_at(src))?;
        if !meta.is_file() {
            return Err(io_at(src)(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        let (original_name, original_path) = names_of(src);
        if self.holds_evidence_of_size(meta.len())? {
            let (sha256, _) = hash_file(src)?;
            if self.evidence(&sha256)?.is_some() {
                let evidence = self.receive_again(&sha256, &original_path)?;
                let received = Received {
                    evidence,
                    staged: None,
                };
                return Ok((received, None));
            }
        }
        let dir = self.evidence_dir();
        let (incoming, mut incoming_file) =
            create_locked(&dir, |token| format!("{INCOMING_PREFIX}{token}"))?;
        let (copied, observed) = std::thread::scope(|scope| {
            let (to_observer, chunks) = mpsc::sync_channel(CHUNKS_IN_FLIGHT);
            let watching = scope.spawn(move || observe(ReceivedBytes::new(chunks)));
            // Takes the sender and drops it on return, which ends the observer's input.
            let copied = copy_hashing(
                src,
                &mut incoming_file,
                &incoming,
                Some(to_observer),
                copied,
            );
            let observed = watching
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (copied, observed)
        });
        // A file that grew or shrank while it was read was not received whole: its hash names no state
        // the file was ever in.
        let copied = copied.and_then(|(sha256, size)| {
            if size == meta.len() {
                Ok((sha256, size))
            } else {
                Err(io_at(src)(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "changed while being received: {} bytes when opened, {size} read",
                        meta.len()
                    ),
                )))
            }
        });
        let (sha256, size) = match copied {
            Ok(v) => v,
            Err(e) => {
                let _ = remove_file_if_present(&incoming);
                return Err(e);
            }
        };
        start_sync(&incoming_file);
        let received = Received {
            evidence: Evidence {
                sha256,
                original_name,
                size,
                stored_path: incoming.clone(),
                added_at: rfc3339(unix_now()),
                already_held: false,
            },
            staged: Some(StagedCopy {
                path: incoming,
                original_path,
                file: incoming_file,
            }),
        };
        Ok((received, Some(observed)))
    }

    /// Lists a staged copy as evidence, inside the caller's (source commit) transaction: renames it to its
    /// hash name and inserts its rows. Returns the final path when this call put a file there, so that the
    /// caller can take it out again should the transaction not commit.
    pub(crate) fn list_staged(
        &self,
        tx: &Connection,
        staged: &StagedCopy,
        evidence: &Evidence,
        market: &str,
    ) -> Result<Option<PathBuf>> {
        let now = unix_now();
        if self.db(lookup(tx, &evidence.sha256))?.is_some() {
            // Another writer stored the same bytes while this one read them: one copy is enough.
            self.db(record_receipt(
                tx,
                &evidence.sha256,
                &staged.original_path,
                now,
            ))?;
            return Ok(None);
        }
        // Made durable only now: the kernel has been writing the copy back while the source was parsed,
        // so this rarely waits, where a sync right after copying a large dump stalled the ingest.
        staged.file.sync_all().map_err(io_at(&staged.path))?;
        let mut perms = fs::metadata(&staged.path)
            .map_err(io_at(&staged.path))?
            .permissions();
        perms.set_readonly(true);
        fs::set_permissions(&staged.path, perms).map_err(io_at(&staged.path))?;
        let stored_path = self.evidence_path(&evidence.sha256);
        fs::rename(&staged.path, &stored_path).map_err(io_at(&staged.path))?;
        sync_dir(&self.evidence_dir())?;
        self.db(tx.execute(
            "INSERT INTO evidence (sha256, original_name, size, market, added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![evidence.sha256, evidence.original_name, evidence.size, market, now],
        ))?;
        self.db(record_receipt(
            tx,
            &evidence.sha256,
            &staged.original_path,
            now,
        ))?;
        Ok(Some(stored_path))
    }

    /// Copies `src` into the case's evidence, hashing it as it is copied.
    ///
    /// Bytes the case already holds are not stored twice: the held copy is re-verified and the receipt
    /// recorded. `market` is the market the analyst says the file is from. The format is not asked for:
    /// it is found by reading the stored copy, so that the bytes parsed are the bytes hashed.
    pub fn add_evidence(&self, src: &Path, market: &str) -> Result<Evidence> {
        let Received {
            mut evidence,
            staged,
        } = self.receive(src)?;
        let Some(staged) = staged else {
            return Ok(evidence);
        };
        let mut conn = self.conn();
        let tx = self.write_tx(&mut conn)?;
        let listed = self.list_staged(&tx, &staged, &evidence, market)?;
        // A failed commit leaves an unlisted file, which the next open sweeps.
        self.db(tx.commit())?;
        // None: another writer stored the same bytes while this one copied them.
        evidence.already_held = listed.is_none();
        evidence.stored_path = self.evidence_path(&evidence.sha256);
        Ok(evidence)
    }

    /// Removes evidence that no committed source was read from, typically a fresh copy whose ingest was
    /// refused, so that the refusal leaves the case as it was. Returns whether anything was removed; held
    /// evidence that a source was read from is never removed. Only discard what this run added
    /// ([`Evidence::already_held`] false): the same bytes may have been handed in earlier for an ingest
    /// still to come.
    pub fn discard_evidence(&self, sha256: &str) -> Result<bool> {
        check_sha(sha256)?;
        {
            let mut conn = self.conn();
            let tx = self.write_tx(&mut conn)?;
            if self.db(crate::case::is_ingested(&tx, sha256))?
                || self.db(lookup(&tx, sha256))?.is_none()
            {
                return Ok(false);
            }
            self.db(tx.execute("DELETE FROM evidence_receipts WHERE sha256 = ?1", [sha256]))?;
            self.db(tx.execute("DELETE FROM evidence WHERE sha256 = ?1", [sha256]))?;
            self.db(tx.commit())?;
        }
        // Unlisted now. Should the removal fail, the file is an unlisted copy that the next open sweeps.
        remove_read_only(&self.evidence_path(sha256))?;
        Ok(true)
    }

    fn receive_again(&self, sha256: &str, original_path: &str) -> Result<Evidence> {
        if !self.verify_evidence(sha256)? {
            let path = self.evidence_path(sha256);
            let (actual, _) = hash_file(&path)?;
            return Err(StoreError::EvidenceAltered { path, actual });
        }
        let conn = self.conn();
        self.db(record_receipt(&conn, sha256, original_path, unix_now()))?;
        let mut evidence =
            self.db(lookup(&conn, sha256))?
                .ok_or_else(|| StoreError::UnknownEvidence {
                    sha256: sha256.to_string(),
                })?;
        evidence.stored_path = self.evidence_path(sha256);
        evidence.already_held = true;
        Ok(evidence)
    }

    fn holds_evidence_of_size(&self, size: u64) -> Result<bool> {
        let conn = self.conn();
        self.db(conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM evidence WHERE size = ?1)",
            [size],
            |r| r.get(0),
        ))
    }

    /// The evidence with this hash, if the case holds it.
    pub fn evidence(&self, sha256: &str) -> Result<Option<Evidence>> {
        check_sha(sha256)?;
        let conn = self.conn();
        Ok(self.db(lookup(&conn, sha256))?.map(|mut e| {
            e.stored_path = self.evidence_path(sha256);
            e
        }))
    }

    /// Re-hashes the stored file: `false` means its bytes are no longer those that were received.
    pub fn verify_evidence(&self, sha256: &str) -> Result<bool> {
        if self.evidence(sha256)?.is_none() {
            return Err(StoreError::UnknownEvidence {
                sha256: sha256.to_string(),
            });
        }
        let (actual, _) = hash_file(&self.evidence_path(sha256))?;
        Ok(actual == sha256)
    }

    /// Where the evidence with this hash is (or would be) stored.
    pub fn evidence_path(&self, sha256: &str) -> PathBuf {
        self.evidence_dir().join(sha256)
    }
}

/// Removes a (read-only) evidence file if it is there.
pub(crate) fn remove_read_only(path: &Path) -> Result<()> {
    if let Ok(meta) = fs::metadata(path) {
        // Read-only files cannot be removed on every platform.
        let mut perms = meta.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        let _ = fs::set_permissions(path, perms);
    }
    remove_file_if_present(path)
}

/// The file's name, and its full path for the receipt.
fn names_of(src: &Path) -> (String, String) {
    let original_name = src.file_name().map_or_else(
        || src.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let original_path = src.canonicalize().unwrap_or_else(|_| src.to_path_buf());
    (original_name, original_path.to_string_lossy().into_owned())
}

/// Hashes must look like hashes before they are used as file names.
pub(crate) fn check_sha(sha256: &str) -> Result<()> {
    let ok = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidSha(sha256.to_string()))
    }
}

fn lookup(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<Evidence>> {
    conn.query_row(
        "SELECT original_name, size, added_at FROM evidence WHERE sha256 = ?1",
        [sha256],
        |r| {
            Ok(Evidence {
                sha256: sha256.to_string(),
                original_name: r.get(0)?,
                size: r.get(1)?,
                stored_path: PathBuf::new(),
                added_at: rfc3339(r.get(2)?),
                already_held: false,
            })
        },
    )
    .optional()
}

fn record_receipt(
    conn: &Connection,
    sha256: &str,
    original_path: &str,
    at: i64,
) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO evidence_receipts (sha256, original_path, received_at) VALUES (?1, ?2, ?3)",
        params![sha256, original_path, at],
    )
}

/// Copies `src` into `output` in one pass, hashing what is written and handing it to `observer`; returns
/// the hash and the size. The copy is not yet durable: the caller syncs it. Reading and hashing on this
/// thread and writing on another overlap (for a 1.1 GB dump, 0.8 s instead of 1.2 s).
fn copy_hashing(
    src: &Path,
    output: &mut File,
    output_path: &Path,
    mut observer: Option<SyncSender<Chunk>>,
    copied: &dyn Fn(u64),
) -> Result<(String, u64)> {
    let mut input = SequentialReader::open(src).map_err(io_at(src))?;
    let mut so_far = 0u64;
    std::thread::scope(|scope| {
        let (to_disk, chunks) = mpsc::sync_channel::<Chunk>(CHUNKS_IN_FLIGHT);
        // Past the page cache: the parse reads the copy back the same way (`SequentialReader`).
        let writing = scope.spawn(move || -> Result<()> {
            let file = output.try_clone().map_err(io_at(output_path))?;
            let mut out = UncachedFile::new(file, COPY_WRITE_RUN);
            for chunk in chunks {
                out.write_all(&chunk).map_err(io_at(output_path))?;
            }
            out.finish().map_err(io_at(output_path))?;
            Ok(())
        });
        let hashed = hash_chunks(&mut input, src, |chunk| {
            so_far += chunk.len() as u64;
            copied(so_far);
            if let Some(to) = &observer
                && to.send(chunk.clone()).is_err()
            {
                observer = None;
            }
            // The writer stops only on an error, which joining it reports.
            to_disk.send(chunk).is_ok()
        });
        drop(to_disk);
        let written = writing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written?;
        hashed
    })
}

/// A piece of a received file, shared by the hashing, the copy and an observer: a run of the reader's,
/// read once and never copied (see [`SharedRun`]).
type Chunk = Arc<SharedRun>;

/// Chunks queued between the hashing thread and each of its consumers. A chunk is a run of 4 MiB: with
/// the runs read ahead, about 40 MiB of a file are in memory at most.
const CHUNKS_IN_FLIGHT: usize = 2;

/// Reads `input` to its end, hashing each run and handing it to `sink`, which says whether to go on.
///
/// The reader is itself a thread ahead, reading from the disk or the page cache: ingest cannot start
/// parsing before the hash is known (every record carries it), so reading and hashing overlap rather than
/// take turns.
fn hash_chunks(
    input: &mut SequentialReader,
    input_path: &Path,
    mut sink: impl FnMut(Chunk) -> bool,
) -> Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(run) = input.next_run().map_err(io_at(input_path))? {
        hasher.update(&run[..]);
        size += run.len() as u64;
        if !sink(Arc::new(run)) {
            break;
        }
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// The bytes of a file being received, in order, as [`Case::receive_observed`] hashes them.
pub struct ReceivedBytes {
    chunks: Receiver<Chunk>,
    current: Option<Chunk>,
    at: usize,
}

impl ReceivedBytes {
    fn new(chunks: Receiver<Chunk>) -> Self {
        ReceivedBytes {
            chunks,
            current: None,
            at: 0,
        }
    }

    fn current(&self) -> &[u8] {
        self.current.as_deref().map_or(&[], |run| &run[..])
    }
}

impl Read for ReceivedBytes {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, buf)
    }
}

impl BufRead for ReceivedBytes {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.at >= self.current().len() {
            // The run read through goes back to the reader now, not when the next one arrives.
            self.current = None;
            match self.chunks.recv() {
                Ok(chunk) => {
                    self.current = Some(chunk);
                    self.at = 0;
                }
                // The end of the file, or of the copy (whose error the receive reports).
                Err(_) => return Ok(&[]),
            }
        }
        Ok(&self.current()[self.at..])
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.current().len());
    }
}

/// The hash and size of a file, for tests to compare with what a receive found.
#[cfg(test)]
pub(crate) fn tests_hash(path: &Path) -> (String, u64) {
    hash_file(path).unwrap()
}

fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut input = SequentialReader::open(path).map_err(io_at(path))?;
    hash_chunks(&mut input, path, |_| true)
}
