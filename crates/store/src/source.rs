//! Ingesting one source: records are streamed into staged parts, and the whole source becomes visible in
//! one SQLite transaction, or not at all.

use crate::case::{Case, is_ingested};
use crate::error::{Result, StoreError};
use crate::evidence::{Evidence, Received, StagedCopy};
use crate::parts::{FinishedPart, PartWriter, write_part};
use crate::staging::{StagingDir, unix_now};
use crate::tables::Row;
use rusqlite::params;
use spector_model::{EntityKind, Market, Provenance, Record, RecordId};
use std::collections::BTreeMap;

/// A row of a source that could not be read or mapped, kept in quarantine rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The file (or dump table) the row was in.
    pub file: String,
    /// 1-based line of the problem.
    pub line: u64,
    /// Byte offset of the problem in the (decompressed) source.
    pub offset: u64,
    /// The raw text of the row; empty when the reader could not delimit one.
    pub raw: String,
    pub reason: String,
}

/// A row of the `rejects` table: a [`Reject`] and the source it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub src_sha256: String,
    pub reject: Reject,
}

/// What a committed ingest stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSummary {
    pub sha256: String,
    pub rows_read: u64,
    pub records_stored: u64,
    pub rows_rejected: u64,
    /// Rows committed per table (tables that got none are absent); includes the `markets` row when this
    /// source was the first of its market.
    pub rows_by_table: BTreeMap<&'static str, u64>,
}

/// Records between looks at whether a part's encoding thread stopped on an error (a full disk): a
/// 40 GB dump should not be read to its end for a commit that cannot happen.
const CHECK_PARTS_EVERY: u64 = 64 * 1024;

/// An ingest in progress. Dropping it without [`SourceWriter::commit`] aborts: its staged files are removed
/// and the case is as it was.
pub struct SourceWriter<'c> {
    case: &'c Case,
    evidence: Evidence,
    market: String,
    format: String,
    profile: String,
    /// Open parts, by table, in order of first record: a source writes a handful of tables, and the
    /// part of the last record's table is tried first (records of one table come in long runs), where a
    /// map of names cost a few string comparisons a record.
    parts: Vec<(&'static str, PartWriter)>,
    last_part: usize,
    records: u64,
    rejects: u64,
    /// The received file's staged copy, listed as evidence by the commit (none for held evidence).
    staged: Option<StagedCopy>,
    /// Records staged per market (the market part of their ids), but for the source's own market.
    markets: BTreeMap<String, u64>,
    /// Records staged of the source's own market: nearly all, counted without a map.
    own_market_records: u64,
    /// The provenance hash last found to be this source's: records share one, so a pointer comparison
    /// stands for a comparison of 64 characters a record.
    checked_sha256: Option<std::sync::Arc<str>>,
    #[cfg(test)]
    pub(crate) crash_before_commit: bool,
    /// Last, so that it is dropped last: an abandoned part waits for its encoding thread before the
    /// directory that thread writes into is removed (fields drop in the order they are declared).
    staging: StagingDir,
}

impl Case {
    /// Starts ingesting evidence `ev` (from [`Case::add_evidence`]) as `market`, read as `format` and
    /// mapped with `profile`.
    pub fn begin_source(
        &self,
        ev: &Evidence,
        market: &str,
        format: &str,
        profile: &str,
    ) -> Result<SourceWriter<'_>> {
        let Some(evidence) = self.evidence(&ev.sha256)? else {
            return Err(StoreError::UnknownEvidence {
                sha256: ev.sha256.clone(),
            });
        };
        self.writer(evidence, None, market, format, profile)
    }

    /// Starts ingesting a received file (from [`Case::receive`]). A fresh copy becomes evidence in the same
    /// transaction as the source's records, so an ingest that never commits leaves no evidence behind.
    pub fn begin_received(
        &self,
        received: Received,
        market: &str,
        format: &str,
        profile: &str,
    ) -> Result<SourceWriter<'_>> {
        let Received { evidence, staged } = received;
        match staged {
            Some(staged) => self.writer(evidence, Some(staged), market, format, profile),
            None => self.begin_source(&evidence, market, format, profile),
        }
    }

    fn writer(
        &self,
        evidence: Evidence,
        staged: Option<StagedCopy>,
        market: &str,
        format: &str,
        profile: &str,
    ) -> Result<SourceWriter<'_>> {
        if self.is_ingested(&evidence.sha256)? {
            return Err(StoreError::AlreadyIngested {
                sha256: evidence.sha256,
            });
        }
        Ok(SourceWriter {
            case: self,
            evidence,
            market: market.to_string(),
            format: format.to_string(),
            profile: profile.to_string(),
            staging: StagingDir::create(&self.staging_root())?,
            parts: Vec::new(),
            last_part: 0,
            records: 0,
            rejects: 0,
            staged,
            markets: BTreeMap::new(),
            own_market_records: 0,
            checked_sha256: None,
            #[cfg(test)]
            crash_before_commit: false,
        })
    }
}

impl SourceWriter<'_> {
    pub fn sha256(&self) -> &str {
        &self.evidence.sha256
    }

    /// Stages one record. Its provenance must name this source. Its market may differ from the source's
    /// (an aggregator lists the vendors of many markets): the `markets` table and the manifest then list
    /// that market too.
    pub fn push(&mut self, record: impl std::borrow::Borrow<Record>) -> Result<()> {
        let record = record.borrow();
        let sha256 = &record.provenance().src_sha256;
        if !self
            .checked_sha256
            .as_ref()
            .is_some_and(|checked| std::sync::Arc::ptr_eq(checked, sha256))
        {
            if **sha256 != *self.evidence.sha256 {
                return Err(StoreError::ForeignProvenance {
                    id: record.id().to_string(),
                    found: sha256.to_string(),
                    expected: self.evidence.sha256.clone(),
                });
            }
            self.checked_sha256 = Some(sha256.clone());
        }
        // A `String` only for a market not seen yet.
        let market = record.id().market();
        if market == self.market {
            self.own_market_records += 1;
        } else if let Some(n) = self.markets.get_mut(market) {
            *n += 1;
        } else {
            self.markets.insert(market.to_string(), 1);
        }
        match record {
            Record::Account(r) => self.append(r),
            Record::Listing(r) => self.append(r),
            Record::Order(r) => self.append(r),
            Record::Feedback(r) => self.append(r),
            Record::Message(r) => self.append(r),
            Record::PgpKey(r) => self.append(r),
            Record::CryptoAddress(r) => self.append(r),
            Record::ContactHandle(r) => self.append(r),
            Record::ShippingInfo(r) => self.append(r),
            Record::ImageFile(r) => self.append(r),
            Record::PhotoRef(r) => self.append(r),
        }?;
        self.records += 1;
        if self.records.is_multiple_of(CHECK_PARTS_EVERY) {
            for (_, part) in &mut self.parts {
                part.check()?;
            }
        }
        Ok(())
    }

    /// Stages a rejected row for the quarantine table.
    pub fn push_reject(&mut self, reject: Reject) -> Result<()> {
        let row = Quarantined {
            src_sha256: self.evidence.sha256.clone(),
            reject,
        };
        self.append(&row)?;
        self.rejects += 1;
        Ok(())
    }

    fn append<T: Row>(&mut self, row: &T) -> Result<()> {
        if self
            .parts
            .get(self.last_part)
            .is_none_or(|(t, _)| *t != T::TABLE)
        {
            self.last_part = match self.parts.iter().position(|(t, _)| *t == T::TABLE) {
                Some(at) => at,
                None => {
                    let part = PartWriter::create::<T>(self.staging.path())?;
                    self.parts.push((T::TABLE, part));
                    self.parts.len() - 1
                }
            };
        }
        self.parts[self.last_part].1.append(row)
    }

    /// Makes everything staged part of the case, atomically. `rows_read` is how many rows the reader
    /// produced, for the manifest.
    pub fn commit(mut self, rows_read: u64) -> Result<CommitSummary> {
        let mut parts = std::mem::take(&mut self.parts);
        // In the order of their tables' names, as they always were.
        parts.sort_by_key(|(table, _)| *table);
        let mut finished = finish_parts(parts)?;
        if self.own_market_records > 0 {
            *self.markets.entry(self.market.clone()).or_default() += self.own_market_records;
        }
        let case = self.case;
        let sha256 = self.evidence.sha256.clone();

        let mut conn = case.conn();
        let tx = case.write_tx(&mut conn)?;
        // Checked again under the write lock: another process may have committed the same bytes meanwhile.
        if case.db(is_ingested(&tx, &sha256))? {
            return Err(StoreError::AlreadyIngested { sha256 });
        }
        // A market's row is written with the first source that names it or holds records of it.
        let mentioned =
            std::iter::once(self.market.as_str()).chain(self.markets.keys().map(String::as_str));
        let new_markets: Vec<Market> = unknown_markets(case, &tx, mentioned)?
            .into_iter()
            .map(|m| market_record(m, &self.evidence))
            .collect();
        finished.extend(write_part(self.staging.path(), &new_markets)?);
        let listed = match &self.staged {
            Some(staged) => case.list_staged(&tx, staged, &self.evidence, &self.market)?,
            None => None,
        };
        // Should anything below fail, the evidence file this commit put in place must go again.
        let listed = ListedEvidence(listed);
        let rows_by_table: BTreeMap<&'static str, u64> =
            finished.iter().map(|p| (p.table, p.rows)).collect();

        case.db(tx.execute(
            "INSERT INTO sources (sha256, market, format, profile, rows_read, records_stored, rows_rejected, ingested_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                sha256,
                self.market,
                self.format,
                self.profile,
                rows_read,
                self.records,
                self.rejects,
                unix_now()
            ],
        ))?;
        for (market, records) in &self.markets {
            case.db(tx.execute(
                "INSERT INTO source_markets (sha256, market, records) VALUES (?1, ?2, ?3)",
                params![sha256, market, records],
            ))?;
        }
        let published = case.publish_parts(
            &tx,
            finished,
            self.staging.token(),
            crate::case::PartOwner::Source(&sha256),
        )?;
        #[cfg(test)]
        if self.crash_before_commit {
            published.abandon();
            return Err(StoreError::Injected(
                "crash between publishing parts and committing",
            ));
        }
        case.db(tx.commit())?;
        published.keep();
        listed.keep();
        Ok(CommitSummary {
            sha256,
            rows_read,
            records_stored: self.records,
            rows_rejected: self.rejects,
            rows_by_table,
        })
    }
}

/// Of `mentioned`, the markets no committed source names or holds records of yet: their `markets` row is
/// to be written now.
pub(crate) fn unknown_markets<'m>(
    case: &Case,
    tx: &rusqlite::Connection,
    mentioned: impl IntoIterator<Item = &'m str>,
) -> Result<Vec<&'m str>> {
    let mut unknown = Vec::new();
    for market in mentioned
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
    {
        let known: bool = case.db(tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sources WHERE market = ?1)
                 OR EXISTS (SELECT 1 FROM source_markets WHERE market = ?1)",
            [market],
            |r| r.get(0),
        ))?;
        if !known {
            unknown.push(market);
        }
    }
    Ok(unknown)
}

/// The `markets` row, written with the first source of a market; it points at the whole source file.
pub(crate) fn market_record(market: &str, evidence: &Evidence) -> Market {
    Market {
        id: RecordId::new(market, EntityKind::Market, market),
        name: market.to_string(),
        provenance: Provenance {
            src_sha256: evidence.sha256.as_str().into(),
            src_table: evidence.original_name.as_str().into(),
            src_row: 0,
            src_offset: 0,
            src_len: evidence.size,
        },
    }
}

/// An evidence file renamed into place by a commit that has not completed yet: removed on drop unless kept.
pub(crate) struct ListedEvidence(pub(crate) Option<std::path::PathBuf>);

impl ListedEvidence {
    pub(crate) fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for ListedEvidence {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = crate::evidence::remove_read_only(&path);
        }
    }
}

/// Finishes every part at once, each on a thread: the last row groups are encoded side by side and the
/// parts' syncs wait on the disk together rather than one after the other.
fn finish_parts(
    parts: impl IntoIterator<Item = (&'static str, PartWriter)>,
) -> Result<Vec<FinishedPart>> {
    let results: Vec<Result<FinishedPart>> = std::thread::scope(|scope| {
        let running: Vec<_> = parts
            .into_iter()
            .map(|(_, part)| scope.spawn(move || part.finish()))
            .collect();
        running
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.into_iter().collect()
}
