//! A case directory: opening it, publishing parts into it, and reading its tables back.

use crate::columns::RowReader;
use crate::db;
use crate::error::{Result, StoreError, db_at, io_at};
use crate::parts::{FinishedPart, visit_part, visit_part_columns};
use crate::source::Quarantined;
use crate::staging::{self, remove_file_if_present, rfc3339, sync_dir};
use crate::tables::{Row, TABLES};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use spector_model::{
    Account, ContactHandle, CryptoAddress, Feedback, ImageFile, LinkEvidence, LinkModelLevel,
    LinkRuleRate, Listing, ListingFacts, Market, Message, Order, OrderValue, PersonaMember, PgpKey,
    PhotoRef, RefusedLink, ShippingInfo,
};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub(crate) const DB_FILE: &str = "case.db";
pub(crate) const EVIDENCE_DIR: &str = "evidence";
pub(crate) const TABLES_DIR: &str = "tables";
const STAGING_DIR: &str = ".staging";
/// Evidence being copied in, before its hash (and so its name) is known.
pub(crate) const INCOMING_PREFIX: &str = ".incoming-";

/// An open case. Cheap to share between threads; several processes may open the same case at once.
#[derive(Debug)]
pub struct Case {
    root: PathBuf,
    db_path: PathBuf,
    conn: Mutex<Connection>,
}

/// A committed source: a row of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry {
    pub sha256: String,
    /// File name as first received.
    pub name: String,
    pub size: u64,
    /// When the file was first received, RFC 3339 UTC.
    pub added_at: String,
    pub market: String,
    pub format: String,
    pub profile: String,
    pub rows_read: u64,
    pub records_stored: u64,
    pub rows_rejected: u64,
    /// When the ingest committed, RFC 3339 UTC.
    pub ingested_at: String,
}

impl Case {
    /// Creates a case in `dir` (created if missing; may already hold other files, but not a case).
    pub fn init(dir: &Path) -> Result<Case> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        let root = dir.canonicalize().map_err(io_at(dir))?;
        if root.join(DB_FILE).exists() {
            return Err(StoreError::AlreadyACase(root));
        }
        for sub in [
            root.join(EVIDENCE_DIR),
            root.join(TABLES_DIR).join(STAGING_DIR),
        ] {
            fs::create_dir_all(&sub).map_err(io_at(&sub))?;
        }
        Case::open_at(root)
    }

    /// Opens an existing case, upgrading its schema and removing what interrupted writers left behind.
    pub fn open(dir: &Path) -> Result<Case> {
        let root = dir
            .canonicalize()
            .map_err(|_| StoreError::NotACase(dir.to_path_buf()))?;
        if !root.join(DB_FILE).is_file() {
            return Err(StoreError::NotACase(root));
        }
        Case::open_at(root)
    }

    fn open_at(root: PathBuf) -> Result<Case> {
        let db_path = root.join(DB_FILE);
        let mut conn = db::connect(&db_path)?;
        db::migrate(&mut conn, &db_path)?;
        let case = Case {
            root,
            db_path,
            conn: Mutex::new(conn),
        };
        case.sweep()?;
        Ok(case)
    }

    /// The case directory (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held cannot have left a half-done change: an open transaction rolls
        // back when dropped. So the connection is still good.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Attaches the database path to a SQLite error.
    pub(crate) fn db<T>(&self, r: rusqlite::Result<T>) -> Result<T> {
        r.map_err(db_at(&self.db_path))
    }

    /// Starts a write transaction: writers of one case (in any process) take turns here.
    pub(crate) fn write_tx<'c>(&self, conn: &'c mut Connection) -> Result<Transaction<'c>> {
        self.db(conn.transaction_with_behavior(TransactionBehavior::Immediate))
    }

    pub(crate) fn staging_root(&self) -> PathBuf {
        self.root.join(TABLES_DIR).join(STAGING_DIR)
    }

    pub(crate) fn evidence_dir(&self) -> PathBuf {
        self.root.join(EVIDENCE_DIR)
    }

    /// Removes files no commit will ever list: parts published by a commit that did not complete, staging
    /// areas and half-copied evidence of writers that are gone. Never touches evidence itself.
    fn sweep(&self) -> Result<()> {
        {
            let mut conn = self.conn();
            // Holding the write lock keeps out a commit that has moved its parts in but not yet listed them.
            let tx = self.write_tx(&mut conn)?;
            let live: HashSet<String> = self.db(tx
                .prepare("SELECT path FROM parts")
                .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect()))?;
            let tables_dir = self.root.join(TABLES_DIR);
            for entry in fs::read_dir(&tables_dir).map_err(io_at(&tables_dir))? {
                let dir = entry.map_err(io_at(&tables_dir))?.path();
                let Some(table) = dir.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                if table == STAGING_DIR || !dir.is_dir() {
                    continue;
                }
                for file in fs::read_dir(&dir).map_err(io_at(&dir))? {
                    let path = file.map_err(io_at(&dir))?.path();
                    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                        continue;
                    };
                    // Only what a commit could have put there; anything else is someone else's file.
                    let is_part = name.starts_with("part-") && name.ends_with(".parquet");
                    if is_part && !live.contains(&part_relative_path(table, name)) {
                        remove_file_if_present(&path)?;
                    }
                }
            }
            // An evidence file that no row lists was renamed into place by a commit that never completed.
            let listed: HashSet<String> = self.db(tx
                .prepare("SELECT sha256 FROM evidence")
                .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect()))?;
            let evidence_dir = self.evidence_dir();
            for entry in fs::read_dir(&evidence_dir).map_err(io_at(&evidence_dir))? {
                let path = entry.map_err(io_at(&evidence_dir))?.path();
                let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                if crate::evidence::check_sha(name).is_ok() && !listed.contains(name) {
                    crate::evidence::remove_read_only(&path)?;
                }
            }
        }
        staging::sweep_staging(&self.staging_root())?;
        staging::sweep_locked_temp_files(&self.evidence_dir(), INCOMING_PREFIX)
    }

    /// Moves finished parts from staging into `tables/` and lists them, inside the caller's transaction.
    /// The returned guard takes the files out again unless the caller keeps them after committing.
    pub(crate) fn publish_parts(
        &self,
        tx: &Transaction<'_>,
        parts: Vec<FinishedPart>,
        token: &str,
        owner: PartOwner<'_>,
    ) -> Result<Published> {
        let (source_sha256, batch) = match owner {
            PartOwner::Source(sha256) => (Some(sha256), None),
            PartOwner::Batch(id) => (None, Some(id)),
            PartOwner::Derived => (None, None),
        };
        let mut published = Published { files: Vec::new() };
        let mut dirs = BTreeSet::new();
        for part in parts {
            let name = format!("part-{token}.parquet");
            let relative = part_relative_path(part.table, &name);
            let dir = self.root.join(TABLES_DIR).join(part.table);
            fs::create_dir_all(&dir).map_err(io_at(&dir))?;
            let dest = dir.join(&name);
            fs::rename(&part.staged, &dest).map_err(io_at(&part.staged))?;
            published.files.push(dest);
            self.db(tx.execute(
                "INSERT INTO parts (table_name, path, source_sha256, batch, rows, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![part.table, relative, source_sha256, batch, part.rows, part.bytes],
            ))?;
            dirs.insert(dir);
        }
        // The renames must be on disk before the commit that lists them is.
        for dir in dirs {
            sync_dir(&dir)?;
        }
        Ok(published)
    }

    /// The committed parts of a table, oldest first, with the row count each was committed with.
    fn parts_of(&self, table: &str) -> Result<Vec<(PathBuf, u64)>> {
        let conn = self.conn();
        let rows: Vec<(String, u64)> = self.db(conn
            .prepare("SELECT path, rows FROM parts WHERE table_name = ?1 ORDER BY seq")
            .and_then(|mut st| {
                st.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            }))?;
        rows.into_iter()
            .map(|(relative, n)| {
                let path = self.root.join(relative);
                if path.is_file() {
                    Ok((path, n))
                } else {
                    Err(StoreError::MissingPart {
                        table: table.to_string(),
                        path,
                    })
                }
            })
            .collect()
    }

    pub(crate) fn read_table<T: Row>(&self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        // Only a hint: the counts come from case.db, and a wrong one must not abort the read.
        let total = self.count_rows::<T>()?;
        let _ = out.try_reserve(usize::try_from(total).unwrap_or(0));
        self.visit_table(&mut |row| {
            out.push(row);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands every row of `T`'s table to `visit`, part after part, checking each part holds the rows
    /// case.db lists.
    fn visit_table<T: Row>(&self, visit: &mut dyn FnMut(T) -> Result<()>) -> Result<()> {
        for (path, listed) in self.parts_of(T::TABLE)? {
            let found = visit_part(&path, None, visit)?;
            holds_listed(path, found, listed)?;
        }
        Ok(())
    }

    /// Hands every row of `T`'s table to `visit` as a reader over the columns named in `wanted` alone,
    /// part after part (see [`visit_part_columns`]).
    pub(crate) fn visit_columns<T: Row>(
        &self,
        wanted: &[&str],
        visit: &mut dyn FnMut(&mut RowReader<'_>) -> std::result::Result<(), String>,
    ) -> Result<()> {
        for (path, listed) in self.parts_of(T::TABLE)? {
            let found = visit_part_columns::<T>(&path, wanted, visit)?;
            holds_listed(path, found, listed)?;
        }
        Ok(())
    }

    /// The first row of `T`'s table (of its first part), reading nothing else: what a table says about all
    /// its rows alike (the network of the chain tables) without reading them all.
    pub(crate) fn first_row<T: Row>(&self) -> Result<Option<T>> {
        for (path, _) in self.parts_of(T::TABLE)? {
            let mut first = None;
            visit_part(&path, Some(1), &mut |row| {
                first.get_or_insert(row);
                Ok(())
            })?;
            if first.is_some() {
                return Ok(first);
            }
        }
        Ok(None)
    }

    /// Hands the rows of `T`'s table to `f` in batches of up to `batch` rows, part after part, so that a
    /// table larger than memory can be read through.
    pub(crate) fn read_table_in_batches<T: Row>(
        &self,
        batch: usize,
        f: &mut dyn FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let batch = batch.max(1);
        let mut pending: Vec<T> = Vec::with_capacity(batch);
        self.visit_table(&mut |row| {
            pending.push(row);
            if pending.len() >= batch {
                f(std::mem::replace(&mut pending, Vec::with_capacity(batch)))?;
            }
            Ok(())
        })?;
        if !pending.is_empty() {
            f(pending)?;
        }
        Ok(())
    }

    /// The listings in batches of up to `batch` (see [`Case::listings`]).
    pub fn listings_in_batches(
        &self,
        batch: usize,
        f: &mut dyn FnMut(Vec<Listing>) -> Result<()>,
    ) -> Result<()> {
        self.read_table_in_batches(batch, f)
    }

    /// The orders in batches of up to `batch` (see [`Case::orders`]).
    pub fn orders_in_batches(
        &self,
        batch: usize,
        f: &mut dyn FnMut(Vec<Order>) -> Result<()>,
    ) -> Result<()> {
        self.read_table_in_batches(batch, f)
    }

    /// Rows in `T`'s table, as case.db lists them.
    pub(crate) fn count_rows<T: Row>(&self) -> Result<u64> {
        Ok(self.parts_of(T::TABLE)?.iter().map(|(_, n)| n).sum())
    }

    /// Listings in the case, as case.db lists them (without reading them).
    pub fn listing_count(&self) -> Result<u64> {
        self.count_rows::<Listing>()
    }

    /// Orders in the case, as case.db lists them (without reading them).
    pub fn order_count(&self) -> Result<u64> {
        self.count_rows::<Order>()
    }

    /// The committed parts of every table (tables without rows map to an empty list), for the SQL engine.
    pub fn table_files(&self) -> Result<BTreeMap<String, Vec<PathBuf>>> {
        TABLES
            .iter()
            .map(|&table| {
                let files = self.parts_of(table)?.into_iter().map(|(p, _)| p).collect();
                Ok((table.to_string(), files))
            })
            .collect()
    }

    /// The manifest: every committed source, in the order they were committed.
    pub fn sources(&self) -> Result<Vec<SourceEntry>> {
        let conn = self.conn();
        self.db(
            conn.prepare(
                "SELECT s.sha256, e.original_name, e.size, e.added_at, s.market, s.format, s.profile,
                        s.rows_read, s.records_stored, s.rows_rejected, s.ingested_at
                 FROM sources s JOIN evidence e ON e.sha256 = s.sha256
                 ORDER BY s.rowid",
            )
            .and_then(|mut st| {
                st.query_map([], |r| {
                    Ok(SourceEntry {
                        sha256: r.get(0)?,
                        name: r.get(1)?,
                        size: r.get(2)?,
                        added_at: rfc3339(r.get(3)?),
                        market: r.get(4)?,
                        format: r.get(5)?,
                        profile: r.get(6)?,
                        rows_read: r.get(7)?,
                        records_stored: r.get(8)?,
                        rows_rejected: r.get(9)?,
                        ingested_at: rfc3339(r.get(10)?),
                    })
                })?
                .collect()
            }),
        )
    }

    /// The markets the records of a committed source belong to, with how many records each: usually
    /// only the market it was ingested as, several for an aggregator's file.
    pub fn source_markets(&self, sha256: &str) -> Result<BTreeMap<String, u64>> {
        crate::evidence::check_sha(sha256)?;
        let conn = self.conn();
        self.db(conn
            .prepare("SELECT market, records FROM source_markets WHERE sha256 = ?1")
            .and_then(|mut st| {
                st.query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            }))
    }

    /// Whether a source with this hash has been committed.
    pub fn is_ingested(&self, sha256: &str) -> Result<bool> {
        crate::evidence::check_sha(sha256)?;
        let conn = self.conn();
        self.db(is_ingested(&conn, sha256))
    }

    pub fn markets(&self) -> Result<Vec<Market>> {
        self.read_table()
    }
    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.read_table()
    }
    pub fn listings(&self) -> Result<Vec<Listing>> {
        self.read_table()
    }
    pub fn orders(&self) -> Result<Vec<Order>> {
        self.read_table()
    }
    pub fn feedback(&self) -> Result<Vec<Feedback>> {
        self.read_table()
    }
    pub fn messages(&self) -> Result<Vec<Message>> {
        self.read_table()
    }
    pub fn pgp_keys(&self) -> Result<Vec<PgpKey>> {
        self.read_table()
    }
    pub fn crypto_addresses(&self) -> Result<Vec<CryptoAddress>> {
        self.read_table()
    }
    pub fn contact_handles(&self) -> Result<Vec<ContactHandle>> {
        self.read_table()
    }
    pub fn shipping_info(&self) -> Result<Vec<ShippingInfo>> {
        self.read_table()
    }
    /// Seized image files (product photos, avatars) with what was read from them.
    pub fn images(&self) -> Result<Vec<ImageFile>> {
        self.read_table()
    }
    /// References to photos as the dumps store them (a listing's photo column, a table of photos).
    pub fn photo_refs(&self) -> Result<Vec<PhotoRef>> {
        self.read_table()
    }
    /// The quarantine: rows of sources that could not be read or mapped.
    pub fn rejects(&self) -> Result<Vec<Quarantined>> {
        self.read_table()
    }
    pub fn personas(&self) -> Result<Vec<PersonaMember>> {
        self.read_table()
    }
    pub fn link_evidence(&self) -> Result<Vec<LinkEvidence>> {
        self.read_table()
    }
    /// The estimated error of each linking rule, as the last link run estimated it.
    pub fn link_rules(&self) -> Result<Vec<LinkRuleRate>> {
        self.read_table()
    }
    /// The soft-evidence model of the last link run, a row per level of each comparison.
    pub fn link_model(&self) -> Result<Vec<LinkModelLevel>> {
        self.read_table()
    }
    /// Evidence the last link run did not apply because of a judgement.
    pub fn refused_links(&self) -> Result<Vec<RefusedLink>> {
        self.read_table()
    }
    pub fn listing_facts(&self) -> Result<Vec<ListingFacts>> {
        self.read_table()
    }
    pub fn order_values(&self) -> Result<Vec<OrderValue>> {
        self.read_table()
    }
}

/// A part read whole must hold the rows case.db lists for it.
fn holds_listed(path: PathBuf, found: u64, listed: u64) -> Result<()> {
    if found == listed {
        Ok(())
    } else {
        Err(StoreError::CorruptPart {
            path,
            message: format!("holds {found} rows, case.db lists {listed}"),
        })
    }
}

pub(crate) fn is_ingested(conn: &Connection, sha256: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sources WHERE sha256 = ?1)",
        [sha256],
        |r| r.get(0),
    )
}

/// What a part holds the rows of: one source, a batch of sources committed together, or a derived table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PartOwner<'a> {
    Source(&'a str),
    Batch(i64),
    Derived,
}

/// How case.db names a part: relative to the case root, with `/`, so that a case can be moved or copied.
fn part_relative_path(table: &str, file_name: &str) -> String {
    format!("{TABLES_DIR}/{table}/{file_name}")
}

/// Parts moved into `tables/` by a commit in progress. Unless kept, they are removed again: their
/// transaction did not commit, so nothing lists them.
#[must_use]
pub(crate) struct Published {
    files: Vec<PathBuf>,
}

impl Published {
    /// The transaction listing the files committed: they are the case's now.
    pub fn keep(mut self) {
        self.files.clear();
    }

    /// Leaves the files where they are without keeping them, as a crash would (tests of the sweep).
    #[cfg(test)]
    pub fn abandon(self) {
        std::mem::forget(self);
    }
}

impl Drop for Published {
    fn drop(&mut self) {
        for file in &self.files {
            // Best effort: what stays is swept on the next open.
            let _ = fs::remove_file(file);
        }
    }
}
