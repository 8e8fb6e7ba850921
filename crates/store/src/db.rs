//! `case.db`: the authoritative manifest of a case, and (in later schema versions) the analyst's own state.

use crate::error::{Result, StoreError, db_at};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// Migrations in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
/// Append only; never edit a migration that has shipped, cases in the field were built with it.
const MIGRATIONS: &[&str] = &[
    // 1: evidence, sources and the table parts they committed.
    r#"
    CREATE TABLE evidence (
        sha256        TEXT PRIMARY KEY,
        original_name TEXT NOT NULL,
        size          INTEGER NOT NULL,
        market        TEXT NOT NULL, -- as the analyst said when handing it in
        added_at      INTEGER NOT NULL -- unix seconds, UTC
    );
    -- Every time a file was handed to the case, even when its bytes were already held: chain of custody.
    CREATE TABLE evidence_receipts (
        sha256        TEXT NOT NULL REFERENCES evidence(sha256),
        original_path TEXT NOT NULL,
        received_at   INTEGER NOT NULL
    );
    -- One row per committed ingest. A source without a row here has contributed nothing to the tables.
    CREATE TABLE sources (
        sha256         TEXT PRIMARY KEY REFERENCES evidence(sha256),
        market         TEXT NOT NULL,
        format         TEXT NOT NULL,
        profile        TEXT NOT NULL,
        rows_read      INTEGER NOT NULL,
        records_stored INTEGER NOT NULL,
        rows_rejected  INTEGER NOT NULL,
        ingested_at    INTEGER NOT NULL
    );
    CREATE INDEX sources_by_market ON sources(market);
    -- The live Parquet files of every table. Files under tables/ that are not listed here do not exist.
    CREATE TABLE parts (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        table_name    TEXT NOT NULL,
        path          TEXT NOT NULL UNIQUE, -- relative to the case root, so a case can be moved
        source_sha256 TEXT REFERENCES sources(sha256), -- NULL for derived tables
        rows          INTEGER NOT NULL,
        bytes         INTEGER NOT NULL
    );
    CREATE INDEX parts_by_table ON parts(table_name);
    "#,
    // 2: the markets each source's records belong to: an aggregator's file (a search engine's vendor
    // index) holds accounts of many markets, whatever market it was ingested as.
    r#"
    CREATE TABLE source_markets (
        sha256  TEXT NOT NULL REFERENCES sources(sha256),
        market  TEXT NOT NULL,
        records INTEGER NOT NULL,
        PRIMARY KEY (sha256, market)
    );
    CREATE INDEX source_markets_by_market ON source_markets(market);
    "#,
    // 3: analysts' judgements about personas, which every link run obeys. The audit trail of who decided
    // what and why: a judgement is never deleted or changed, only withdrawn (with who, when and why).
    r#"
    CREATE TABLE judgements (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        kind              TEXT NOT NULL CHECK (kind IN ('same_seller', 'different_sellers', 'split')),
        account_a         TEXT, -- same_seller, different_sellers: the two accounts
        account_b         TEXT,
        persona           TEXT, -- split: the persona's id when judged
        analyst           TEXT NOT NULL,
        reason            TEXT NOT NULL,
        made_at           INTEGER NOT NULL, -- unix seconds, UTC
        withdrawn_at      INTEGER,
        withdrawn_by      TEXT,
        withdrawal_reason TEXT,
        CHECK ((kind = 'split') = (persona IS NOT NULL)),
        CHECK (kind = 'split' OR (account_a IS NOT NULL AND account_b IS NOT NULL)),
        CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL)
               AND (withdrawn_at IS NULL) = (withdrawal_reason IS NULL))
    );
    -- The persona a split was judged on, as it was: the accounts split off and those that stayed.
    CREATE TABLE judgement_accounts (
        judgement INTEGER NOT NULL REFERENCES judgements(id),
        account   TEXT NOT NULL,
        side      TEXT NOT NULL CHECK (side IN ('split', 'stayed')),
        PRIMARY KEY (judgement, account)
    );
    CREATE TRIGGER judgements_are_never_deleted BEFORE DELETE ON judgements
    BEGIN SELECT RAISE(ABORT, 'judgements are withdrawn, never deleted'); END;
    CREATE TRIGGER judgement_accounts_are_never_deleted BEFORE DELETE ON judgement_accounts
    BEGIN SELECT RAISE(ABORT, 'judgements are withdrawn, never deleted'); END;
    CREATE TRIGGER judgements_are_never_changed
    BEFORE UPDATE OF id, kind, account_a, account_b, persona, analyst, reason, made_at ON judgements
    BEGIN SELECT RAISE(ABORT, 'a judgement is never changed; withdraw it and make another'); END;
    CREATE TRIGGER judgements_are_withdrawn_once BEFORE UPDATE ON judgements
    WHEN OLD.withdrawn_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'this judgement is already withdrawn'); END;
    "#,
    // 4: batches of small sources committed together (a directory of seized image files). Each file is
    // evidence and a source of its own; the batch's records share one part per table, since a part per
    // file would leave a case of 100k photos with 100k Parquet files to open.
    r#"
    CREATE TABLE source_batches (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        market       TEXT NOT NULL,
        kind         TEXT NOT NULL, -- 'images'
        origin       TEXT NOT NULL, -- what was handed in (a directory), as given
        sources      INTEGER NOT NULL,
        committed_at INTEGER NOT NULL
    );
    -- The batch a source or part was committed with (source_batches.id); NULL for sources committed alone.
    ALTER TABLE sources ADD COLUMN batch INTEGER;
    ALTER TABLE parts ADD COLUMN batch INTEGER;
    "#,
    // 5: files of Bitcoin blocks (blk files, raw blocks, getblock answers) and of public attribution
    // (tag packs, sanctions lists). The chain tables are derived from all of them together (a new file of
    // blocks can change which branch is the best chain), so each import lists its new files here in the
    // transaction that replaces the tables.
    r#"
    CREATE TABLE chain_sources (
        sha256      TEXT PRIMARY KEY REFERENCES evidence(sha256),
        framing     TEXT NOT NULL, -- 'blk', 'raw', 'getblock'; files of tags: 'tagpack', 'sanctions'
        blocks      INTEGER NOT NULL,
        xor_key     TEXT, -- hex of the blocks directory's xor.dat (Bitcoin Core 28+), NULL when none
        imported_at INTEGER NOT NULL
    );
    "#,
];

/// The schema version this build writes and understands.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(db_at(path))?;
    // Ingest, link and query may run in separate processes on one case: wait for the writer rather than fail.
    conn.busy_timeout(Duration::from_secs(60))
        .map_err(db_at(path))?;
    // WAL lets queries read while an ingest commits; FULL makes a commit survive power loss, which the
    // parts on disk (fsynced before the commit) rely on.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .map_err(db_at(path))?;
    Ok(conn)
}

/// Brings the schema up to [`SCHEMA_VERSION`], in one transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_at(path))?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);")
        .map_err(db_at(path))?;
    let found: i64 = tx
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()
        .map_err(db_at(path))?
        .unwrap_or(0);
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    for migration in &MIGRATIONS[found as usize..] {
        tx.execute_batch(migration).map_err(db_at(path))?;
    }
    tx.execute("DELETE FROM schema_version", [])
        .map_err(db_at(path))?;
    tx.execute(
        "INSERT INTO schema_version (version) VALUES (?1)",
        [SCHEMA_VERSION],
    )
    .map_err(db_at(path))?;
    tx.commit().map_err(db_at(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op_and_records_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("case.db");
        let mut conn = connect(&path).unwrap();
        migrate(&mut conn, &path).unwrap();
        migrate(&mut conn, &path).unwrap();
        let v: i64 = conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn a_newer_schema_is_refused_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("case.db");
        let mut conn = connect(&path).unwrap();
        migrate(&mut conn, &path).unwrap();
        conn.execute("UPDATE schema_version SET version = 99", [])
            .unwrap();
        let err = migrate(&mut conn, &path).unwrap_err();
        assert!(
            matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
            "{err}"
        );
    }
}
