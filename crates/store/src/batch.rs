//! A batch of small sources committed together: a directory of seized image files.
//!
//! Each file stays evidence of its own (its own SHA-256, its own `evidence` and `sources` rows, its records'
//! provenance naming it), but the batch commits in one transaction and its records share one Parquet part
//! per table. Committing each photo as a source of its own ([`crate::SourceWriter`]) would be correct too,
//! but a case of 100k photos would then hold 100k parts of one row, every query opening each of them.
//!
//! Files are copied (and hashed) into the batch's private staging directory, read from there, and renamed
//! into `evidence/` by the commit; until then the staging directory's lock marks them as in progress, so an
//! interrupted batch leaves nothing that the next [`Case::open`] does not sweep.

use crate::case::{Case, PartOwner, is_ingested};
use crate::error::{Result, StoreError, io_at};
use crate::evidence::Evidence;
use crate::parts::{PartWriter, write_part};
use crate::source::{ListedEvidence, market_record, unknown_markets};
use crate::staging::{StagingDir, sync_dir, unix_now};
use crate::tables::Row;
use rusqlite::params;
use sha2::{Digest, Sha256};
use spector_model::{ImageFile, PhotoRef, Record};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One file handed to a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedFile {
    pub sha256: String,
    pub size: u64,
    /// Where to read the bytes that were hashed: the batch's private copy, or the held evidence.
    pub path: PathBuf,
    /// A committed source of the case already has these bytes, with records of this batch's market: the
    /// file is only receipted, and records for it are refused. (The same bytes held for another market, a
    /// photo a seller uploaded to two markets as it was, take records for this market.)
    pub already_ingested: bool,
}

/// What a committed batch stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchSummary {
    /// The batch's row in `source_batches`; `None` when nothing new was committed.
    pub batch: Option<i64>,
    /// Files committed as new sources.
    pub sources: u64,
    /// Files whose bytes were a source already, for another market, and now have records of this one.
    pub added_to_market: u64,
    /// Files whose bytes were ingested before (receipted only).
    pub already_ingested: u64,
    pub rows_by_table: BTreeMap<&'static str, u64>,
}

/// A file staged for the batch that is not yet a source of the case.
struct Pending {
    evidence: Evidence,
    /// The copy in the staging directory; `None` when the case held the bytes as evidence already.
    copy: Option<PathBuf>,
    records: u64,
    /// The image format its records name, for the manifest's `format` column.
    format: Option<String>,
}

/// A batch in progress. Dropping it without [`SourceBatch::commit`] aborts: its staged copies and parts are
/// removed and the case is as it was.
pub struct SourceBatch<'c> {
    case: &'c Case,
    market: String,
    kind: String,
    origin: String,
    copies: PathBuf,
    pending: BTreeMap<String, Pending>,
    /// Files whose bytes are a committed source of other markets: their records of this market, counted.
    held: BTreeMap<String, u64>,
    /// (sha256, canonical path) of every file handed in, new or not: the chain of custody.
    receipts: Vec<(String, String)>,
    already_ingested: u64,
    images: Option<PartWriter>,
    refs: Option<PartWriter>,
    rows_by_table: BTreeMap<&'static str, u64>,
    #[cfg(test)]
    pub(crate) crash_before_commit: bool,
    /// Last, so that it is dropped last: an abandoned part waits for its encoding thread before the
    /// directory that thread writes into is removed (fields drop in the order they are declared).
    staging: StagingDir,
}

impl Case {
    /// Starts a batch of sources of `market`: `kind` names what they are (`images`), `origin` what was
    /// handed in (a directory), both for the manifest.
    pub fn begin_batch(&self, market: &str, kind: &str, origin: &str) -> Result<SourceBatch<'_>> {
        let staging = StagingDir::create(&self.staging_root())?;
        let copies = staging.path().join("files");
        fs::create_dir(&copies).map_err(io_at(&copies))?;
        Ok(SourceBatch {
            case: self,
            market: market.to_string(),
            kind: kind.to_string(),
            origin: origin.to_string(),
            staging,
            copies,
            pending: BTreeMap::new(),
            held: BTreeMap::new(),
            receipts: Vec::new(),
            already_ingested: 0,
            images: None,
            refs: None,
            rows_by_table: BTreeMap::new(),
            #[cfg(test)]
            crash_before_commit: false,
        })
    }
}

impl SourceBatch<'_> {
    /// Copies `src` into the batch's staging area, hashing the bytes as they are copied; read them from the
    /// returned path, so that the bytes read are the bytes hashed. The same bytes handed in twice (under
    /// two names) are one source.
    pub fn stage_file(&mut self, src: &Path) -> Result<StagedFile> {
        let meta = fs::metadata(src).map_err(io_at(src))?;
        if !meta.is_file() {
            return Err(io_at(src)(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        let copy = self.copies.join(format!("{}", self.receipts.len()));
        let (sha256, size) = copy_hashing(src, &copy)?;
        let original_path = src
            .canonicalize()
            .unwrap_or_else(|_| src.to_path_buf())
            .to_string_lossy()
            .into_owned();
        self.receipts.push((sha256.clone(), original_path));
        if let Some(p) = self.pending.get(&sha256) {
            let _ = fs::remove_file(&copy);
            let path = p
                .copy
                .clone()
                .unwrap_or_else(|| p.evidence.stored_path.clone());
            return Ok(StagedFile {
                sha256,
                size,
                path,
                already_ingested: false,
            });
        }
        if self.held.contains_key(&sha256) || self.case.is_ingested(&sha256)? {
            let _ = fs::remove_file(&copy);
            let path = self.case.evidence_path(&sha256);
            let of_market = !self.held.contains_key(&sha256)
                && self
                    .case
                    .source_markets(&sha256)?
                    .contains_key(&self.market);
            if of_market {
                self.already_ingested += 1;
            } else {
                self.held.entry(sha256.clone()).or_default();
            }
            return Ok(StagedFile {
                path,
                sha256,
                size,
                already_ingested: of_market,
            });
        }
        // Held as evidence but never read as a source (handed in with `add_evidence`): read the held copy.
        let held = self.case.evidence(&sha256)?;
        let (evidence, copy) = match held {
            Some(e) => {
                let _ = fs::remove_file(&copy);
                (e, None)
            }
            None => {
                let original_name = src
                    .file_name()
                    .map_or_else(|| src.display().to_string(), |n| n.to_string_lossy().into());
                let evidence = Evidence {
                    sha256: sha256.clone(),
                    original_name,
                    size,
                    stored_path: copy.clone(),
                    added_at: crate::staging::rfc3339(unix_now()),
                    already_held: false,
                };
                (evidence, Some(copy))
            }
        };
        let path = copy.clone().unwrap_or_else(|| evidence.stored_path.clone());
        self.pending.insert(
            sha256.clone(),
            Pending {
                evidence,
                copy,
                records: 0,
                format: None,
            },
        );
        Ok(StagedFile {
            sha256,
            size,
            path,
            already_ingested: false,
        })
    }

    /// Stages one record read from a file of this batch: an image file or a photo reference, whose
    /// provenance names a file staged here that is not already a source of the case.
    pub fn push(&mut self, record: Record) -> Result<()> {
        let sha = record.provenance().src_sha256.clone();
        match (self.pending.get_mut(&*sha), self.held.get_mut(&*sha)) {
            (Some(pending), _) => pending.records += 1,
            (None, Some(records)) => *records += 1,
            (None, None) => {
                return Err(StoreError::ForeignProvenance {
                    id: record.id().to_string(),
                    found: sha.to_string(),
                    expected: format!("a new file of this batch of {}", self.kind),
                });
            }
        }
        let dir = self.staging.path();
        match record {
            Record::ImageFile(r) => {
                if let Some(p) = self.pending.get_mut(&*sha)
                    && p.format.is_none()
                {
                    p.format.clone_from(&r.format);
                }
                append(&mut self.images, dir, &r)?;
                *self.rows_by_table.entry(ImageFile::TABLE).or_default() += 1;
            }
            Record::PhotoRef(r) => {
                append(&mut self.refs, dir, &r)?;
                *self.rows_by_table.entry(PhotoRef::TABLE).or_default() += 1;
            }
            other => {
                return Err(StoreError::ForeignProvenance {
                    id: other.id().to_string(),
                    found: format!("a {} record", other.kind().table()),
                    expected: "image files or photo references in a batch".to_string(),
                });
            }
        }
        Ok(())
    }

    /// Makes every new file evidence and a source, and every record staged part of the case, atomically;
    /// receipts every file handed in. A batch with nothing new only records the receipts.
    pub fn commit(mut self) -> Result<BatchSummary> {
        let mut finished = Vec::new();
        for part in [self.images.take(), self.refs.take()].into_iter().flatten() {
            finished.push(part.finish()?);
        }
        let case = self.case;
        let now = unix_now();
        // The evidence a new market's row points at; looked up before the write lock is taken.
        let first = match self.pending.values().next() {
            Some(p) => Some(p.evidence.clone()),
            None => match self.held.keys().next() {
                Some(sha256) => case.evidence(sha256)?,
                None => None,
            },
        };
        let mut conn = case.conn();
        let tx = case.write_tx(&mut conn)?;
        for (sha256, path) in &self.receipts {
            // A receipt names held evidence: a file of this batch becomes evidence below, so its receipt
            // waits for that.
            if !self.pending.contains_key(sha256) {
                case.db(tx.execute(
                    "INSERT INTO evidence_receipts (sha256, original_path, received_at) VALUES (?1, ?2, ?3)",
                    params![sha256, path, now],
                ))?;
            }
        }
        let mut summary = BatchSummary {
            batch: None,
            sources: self.pending.len() as u64,
            added_to_market: self.held.len() as u64,
            already_ingested: self.already_ingested,
            rows_by_table: std::mem::take(&mut self.rows_by_table),
        };
        if self.pending.is_empty() && self.held.is_empty() {
            case.db(tx.commit())?;
            return Ok(summary);
        }
        // Asked before this batch's own sources name the market.
        let new_market = !unknown_markets(case, &tx, [self.market.as_str()])?.is_empty();
        case.db(tx.execute(
            "INSERT INTO source_batches (market, kind, origin, sources, committed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![self.market, self.kind, self.origin, self.pending.len(), now],
        ))?;
        let batch = tx.last_insert_rowid();
        let evidence_dir = case.evidence_dir();
        // Files this commit renames into the evidence area: taken out again unless the commit completes.
        let mut listed: Vec<ListedEvidence> = Vec::new();
        for (sha256, p) in &self.pending {
            // Checked under the write lock: another process may have committed the same bytes meanwhile.
            if case.db(is_ingested(&tx, sha256))? {
                return Err(StoreError::AlreadyIngested {
                    sha256: sha256.clone(),
                });
            }
            let held: bool = case.db(tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM evidence WHERE sha256 = ?1)",
                [sha256],
                |r| r.get(0),
            ))?;
            if let (Some(copy), false) = (&p.copy, held) {
                let file = File::open(copy).map_err(io_at(copy))?;
                file.sync_all().map_err(io_at(copy))?;
                let mut perms = file.metadata().map_err(io_at(copy))?.permissions();
                perms.set_readonly(true);
                fs::set_permissions(copy, perms).map_err(io_at(copy))?;
                let stored = case.evidence_path(sha256);
                fs::rename(copy, &stored).map_err(io_at(copy))?;
                listed.push(ListedEvidence(Some(stored)));
                case.db(tx.execute(
                    "INSERT INTO evidence (sha256, original_name, size, market, added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![sha256, p.evidence.original_name, p.evidence.size, self.market, now],
                ))?;
            }
            case.db(tx.execute(
                "INSERT INTO sources (sha256, market, format, profile, rows_read, records_stored, rows_rejected, ingested_at, batch)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, 0, ?6, ?7)",
                params![
                    sha256,
                    self.market,
                    p.format.as_deref().unwrap_or(self.kind.as_str()),
                    self.kind,
                    p.records,
                    now,
                    batch
                ],
            ))?;
            if p.records > 0 {
                case.db(tx.execute(
                    "INSERT INTO source_markets (sha256, market, records) VALUES (?1, ?2, ?3)",
                    params![sha256, self.market, p.records],
                ))?;
            }
        }
        for (sha256, records) in &self.held {
            // Under the write lock: another batch may have given these bytes records of this market.
            let of_market: bool = case.db(tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM source_markets WHERE sha256 = ?1 AND market = ?2)",
                params![sha256, self.market],
                |r| r.get(0),
            ))?;
            if of_market {
                return Err(StoreError::AlreadyIngested {
                    sha256: sha256.clone(),
                });
            }
            if *records > 0 {
                case.db(tx.execute(
                    "INSERT INTO source_markets (sha256, market, records) VALUES (?1, ?2, ?3)",
                    params![sha256, self.market, records],
                ))?;
            }
        }
        for (sha256, path) in &self.receipts {
            if self.pending.contains_key(sha256) {
                case.db(tx.execute(
                    "INSERT INTO evidence_receipts (sha256, original_path, received_at) VALUES (?1, ?2, ?3)",
                    params![sha256, path, now],
                ))?;
            }
        }
        if !listed.is_empty() {
            sync_dir(&evidence_dir)?;
        }
        if let (true, Some(evidence)) = (new_market, first) {
            let markets = [market_record(&self.market, &evidence)];
            finished.extend(write_part(self.staging.path(), &markets)?);
            summary.rows_by_table.insert("markets", 1);
        }
        let published =
            case.publish_parts(&tx, finished, self.staging.token(), PartOwner::Batch(batch))?;
        #[cfg(test)]
        if self.crash_before_commit {
            published.abandon();
            for l in listed {
                std::mem::forget(l);
            }
            return Err(StoreError::Injected(
                "crash between publishing a batch and committing",
            ));
        }
        case.db(tx.commit())?;
        published.keep();
        for l in listed {
            l.keep();
        }
        summary.batch = Some(batch);
        Ok(summary)
    }
}

fn append<T: Row>(part: &mut Option<PartWriter>, dir: &Path, row: &T) -> Result<()> {
    let writer = match part {
        Some(w) => w,
        None => part.insert(PartWriter::create::<T>(dir)?),
    };
    writer.append(row)
}

/// Copies `src` to `dest` (which must not exist), hashing what is copied; returns the hash and the size.
fn copy_hashing(src: &Path, dest: &Path) -> Result<(String, u64)> {
    let mut input = File::open(src).map_err(io_at(src))?;
    let mut output = File::create_new(dest).map_err(io_at(dest))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_at(src)(e)),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        output.write_all(chunk).map_err(io_at(dest))?;
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

impl std::fmt::Debug for SourceBatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceBatch")
            .field("market", &self.market)
            .field("kind", &self.kind)
            .field("files", &self.pending.len())
            .finish()
    }
}
