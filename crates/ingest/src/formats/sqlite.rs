//! SQLite database files, as markets and scrapers leave them.
//!
//! - Every user table is read, in table-name order (byte order of the UTF-8 names); SQLite's own `sqlite_*`
//!   tables, views and virtual tables are not (the data of an FTS table is in its shadow tables, which are
//!   read as the ordinary tables they are).
//! - The file is opened read-only and immutable (`file:...?mode=ro&immutable=1`): reading never creates a
//!   `-journal`, `-wal` or `-shm` file beside the evidence and never takes a lock. A `-wal` file left beside
//!   a seized database is therefore not read: to ingest what it holds, checkpoint a working copy of both
//!   (never the evidence) and ingest that copy.
//! - Hostile files: the connection runs in SQLite's defensive mode with an untrusted schema (no functions
//!   with side effects in generated columns or defaults, no double-quoted strings), cell size checks on,
//!   and no value may be larger than [`MAX_RETAINED_BYTES`].
//! - Rows stream in batches of at most [`BATCH_ROWS`] rows or about [`BATCH_BYTES`] bytes: `SELECT rowid, *
//!   FROM t WHERE rowid > ? ORDER BY rowid LIMIT n`, so memory is bounded and no statement outlives a
//!   batch. A `WITHOUT ROWID` table is walked the same way by its primary key (`WHERE (k1, k2) > (?, ?)
//!   ORDER BY k1, k2`, the last key bound with its exact SQLite type). A table whose columns shadow all of
//!   `rowid`, `oid` and `_rowid_` falls back to `ORDER BY <primary key> LIMIT n OFFSET m`, quadratic in its
//!   size, which no real schema is expected to need.
//! - Every walk ends on any file: rowids must rise strictly, a keyed table may not give more rows than its
//!   `count(*)`, and offsets rise; a corrupt b-tree that breaks this is a fatal error.
//! - Provenance: a row is located by its table and rowid. `row` is the rowid (a negative rowid, which SQLite
//!   allows, is stored as its two's complement: `row as i64` gives it back); for a table without a rowid it
//!   is the 1-based ordinal in primary-key order. `offset` and `len` are 0: a record is not a byte range of
//!   the file. [`read_row`] fetches a row again from its provenance.
//! - Values: NULL is [`Value::Null`]; INTEGER and REAL are [`Value::Text`] of their literal (REAL in the
//!   shortest form that reads back to the same `f64`, e.g. `0.1`, `3.0`, `1e-7`); TEXT is text, or bytes
//!   if it is not UTF-8; BLOB is always [`Value::Bytes`].
//! - Errors have line 0 and offset 0 (a binary file has no lines) and name the table and rowid in the
//!   message. A file that is not an SQLite database, is corrupt or is truncated gives a
//!   [`Fatal`](ReadErrorKind::Fatal) error, at open or when the reading reaches the damage. A table that
//!   cannot be read at all while the others can (a name that is not UTF-8, a schema SQLite refuses to run)
//!   is a [`Row`](ReadErrorKind::Row) error, and the other tables are read.
//! - `bytes_read` is an estimate for progress bars: the share of rowid span (or rows) read so far, scaled
//!   to the file's size.
//! - Compressed SQLite files are not read: they must be decompressed first (SQLite needs random access).

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::compressed::Compression;
use super::sql::bytes_to_value;
use super::window::MAX_RETAINED_BYTES;
use crate::source::{ReadError, ReadErrorKind, RowReader, SourceRow, Value};

/// The first bytes of every SQLite 3 database file.
pub const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Most rows fetched by one query.
pub const BATCH_ROWS: usize = 512;

/// A batch ends early once its values hold this many bytes.
pub const BATCH_BYTES: usize = 8 << 20;

/// Names under which SQLite answers with a table's rowid, unless a column takes the name.
const ROWID_NAMES: [&str; 3] = ["rowid", "oid", "_rowid_"];

/// True if `head` is the start of an SQLite 3 database.
pub fn is_sqlite(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// How a table's rows are walked.
#[derive(Debug, Clone)]
enum Order {
    /// By the rowid, under a name no column shadows: `WHERE rowid > last`.
    Rowid(&'static str),
    /// A `WITHOUT ROWID` table, by its primary key: `WHERE (k1, k2) > (last1, last2)`. Holds the keys'
    /// 1-based positions in `SELECT *`. `row` is the ordinal.
    Key(Vec<usize>),
    /// No rowid name left free and no usable key: `ORDER BY <primary key, if any> LIMIT n OFFSET m`, which
    /// costs time quadratic in the table's size. `row` is the ordinal.
    Scan,
}

#[derive(Debug)]
struct Table {
    name: Arc<str>,
    columns: Arc<[String]>,
    order: Order,
    /// The query for the first batch, and for the ones after it.
    first_batch: String,
    next_batch: String,
}

#[derive(Debug)]
enum Entry {
    Table(Table),
    /// A table that cannot be read; the reason is reported once, in place of its rows.
    Unreadable {
        name: String,
        reason: String,
    },
}

/// Where the reading of the current table stands.
#[derive(Debug, Clone, PartialEq)]
enum Position {
    Start,
    AfterRowid(i64),
    /// Rows read so far, and the primary key of the last one (keyed tables).
    Ordinal {
        read: u64,
        last_key: Vec<rusqlite::types::Value>,
    },
}

/// Progress weight of a table: its rowid span (or row count) and first rowid.
#[derive(Debug, Clone, Copy, Default)]
struct Weight {
    first: i64,
    span: f64,
    /// `count(*)` of a table read by key: more rows than that means a corrupt b-tree, which could
    /// otherwise hand out the same keys again and again.
    rows: u64,
}

/// Streams the rows of every user table of an SQLite database file.
pub struct SqliteReader {
    file: PathBuf,
    conn: Connection,
    tables: Vec<Entry>,
    weights: Vec<Weight>,
    current: usize,
    position: Position,
    batch: VecDeque<SourceRow>,
    done: bool,
    batch_rows: usize,
    batch_bytes: usize,
    file_len: u64,
}

impl SqliteReader {
    /// Opens the database at `path`; `name` names it in errors. Fails if it is not a readable SQLite
    /// database.
    pub fn open(path: &Path, name: &Path) -> Result<SqliteReader, ReadError> {
        let (conn, tables) = connect(path, name)?;
        let mut weights = Vec::with_capacity(tables.len());
        for entry in &tables {
            weights.push(match entry {
                Entry::Table(t) => match (weigh(&conn, t), &t.order) {
                    (Ok(weight), _) => weight,
                    (Err(e), Order::Key(_)) => {
                        let message = format!("table {:?} cannot be counted: {e}", t.name);
                        return Err(sqlite_error(name, ReadErrorKind::Fatal, message));
                    }
                    // Progress only: the reading will say what is wrong.
                    (Err(_), _) => Weight::default(),
                },
                Entry::Unreadable { .. } => Weight::default(),
            });
        }
        let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Ok(SqliteReader {
            file: name.to_path_buf(),
            conn,
            tables,
            weights,
            current: 0,
            position: Position::Start,
            batch: VecDeque::new(),
            done: false,
            batch_rows: BATCH_ROWS,
            batch_bytes: BATCH_BYTES,
            file_len,
        })
    }

    /// The tables that will be read, in order, with their columns.
    pub fn tables(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.tables.iter().filter_map(|entry| match entry {
            Entry::Table(t) => Some((&*t.name, &*t.columns)),
            Entry::Unreadable { .. } => None,
        })
    }

    #[cfg(test)]
    pub(crate) fn set_batch(&mut self, rows: usize, bytes: usize) {
        self.batch_rows = rows.max(1);
        self.batch_bytes = bytes.max(1);
    }

    fn error(&mut self, kind: ReadErrorKind, message: String) -> ReadError {
        if kind == ReadErrorKind::Fatal {
            self.done = true;
            self.batch.clear();
        }
        sqlite_error(&self.file, kind, message)
    }

    fn next_table(&mut self) {
        self.current += 1;
        self.position = Position::Start;
    }
}

impl RowReader for SqliteReader {
    fn next_row(&mut self) -> Result<Option<SourceRow>, ReadError> {
        loop {
            if self.done {
                return Ok(None);
            }
            if let Some(row) = self.batch.pop_front() {
                return Ok(Some(row));
            }
            let Some(entry) = self.tables.get(self.current) else {
                self.done = true;
                return Ok(None);
            };
            let table = match entry {
                Entry::Table(table) => table,
                Entry::Unreadable { name, reason } => {
                    let message = format!("table {name:?} cannot be read, skipped: {reason}");
                    self.next_table();
                    return Err(self.error(ReadErrorKind::Row, message));
                }
            };
            let limits = Limits {
                rows: self.batch_rows,
                bytes: self.batch_bytes,
                table_rows: self.weights.get(self.current).map_or(0, |w| w.rows),
            };
            match fetch(
                &self.conn,
                table,
                &mut self.position,
                &mut self.batch,
                limits,
            ) {
                Ok(0) => self.next_table(),
                Ok(_) => {}
                Err(message) => {
                    let message = format!(
                        "table {:?}, {}: {message}",
                        table.name,
                        describe(&self.position)
                    );
                    return Err(self.error(ReadErrorKind::Fatal, message));
                }
            }
        }
    }

    fn bytes_read(&self) -> u64 {
        if self.done {
            return self.file_len;
        }
        let total: f64 = self.weights.iter().map(|w| w.span).sum();
        if total <= 0.0 {
            return 0;
        }
        let before: f64 = self.weights[..self.current.min(self.weights.len())]
            .iter()
            .map(|w| w.span)
            .sum();
        let current = self.weights.get(self.current).copied().unwrap_or_default();
        let within = match &self.position {
            Position::Start => 0.0,
            Position::AfterRowid(r) => (*r as f64 - current.first as f64 + 1.0).max(0.0),
            Position::Ordinal { read, .. } => *read as f64,
        };
        let share = ((before + within.min(current.span)) / total).clamp(0.0, 1.0);
        (self.file_len as f64 * share) as u64
    }
}

fn describe(position: &Position) -> String {
    match position {
        Position::Start => "at its first row".to_string(),
        Position::AfterRowid(r) => format!("after rowid {r}"),
        Position::Ordinal { read, .. } => format!("after {read} rows"),
    }
}

fn sqlite_error(file: &Path, kind: ReadErrorKind, message: String) -> ReadError {
    ReadError {
        kind,
        file: file.to_path_buf(),
        line: 0,
        offset: 0,
        message,
        raw: None,
    }
}

/// How much one batch may hold, and how many rows a keyed table has.
struct Limits {
    rows: usize,
    bytes: usize,
    table_rows: u64,
}

/// Reads one batch of `table` from `position` into `out`; returns how many rows came (0 at the end).
fn fetch(
    conn: &Connection,
    table: &Table,
    position: &mut Position,
    out: &mut VecDeque<SourceRow>,
    limits: Limits,
) -> Result<usize, String> {
    use rusqlite::types::Value as Sql;
    let sqlite = |e: rusqlite::Error| e.to_string();
    let sql = if *position == Position::Start {
        &table.first_batch
    } else {
        &table.next_batch
    };
    let mut stmt = conn.prepare_cached(sql).map_err(sqlite)?;
    let mut params = vec![Sql::Integer(limits.rows as i64)];
    match (&*position, &table.order) {
        (Position::AfterRowid(r), _) => params.push(Sql::Integer(*r)),
        (Position::Ordinal { last_key, .. }, Order::Key(_)) => {
            params.extend(last_key.iter().cloned())
        }
        (Position::Ordinal { read, .. }, _) => params.push(Sql::Integer(*read as i64)),
        (Position::Start, Order::Scan) => params.push(Sql::Integer(0)),
        (Position::Start, _) => {}
    }
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params))
        .map_err(sqlite)?;
    let skip = usize::from(matches!(table.order, Order::Rowid(_)));
    let mut count = 0;
    let mut bytes = 0;
    while let Some(r) = rows.next().map_err(sqlite)? {
        let mut values = Vec::with_capacity(table.columns.len());
        for i in skip..skip + table.columns.len() {
            let value = value_of(r.get_ref(i).map_err(sqlite)?);
            bytes += match &value {
                Value::Null => 1,
                Value::Text(s) => s.len() + 1,
                Value::Bytes(b) => b.len() + 1,
            };
            values.push(value);
        }
        let row = match &table.order {
            Order::Rowid(_) => {
                let rowid = match r.get_ref(0).map_err(sqlite)? {
                    ValueRef::Integer(i) => i,
                    other => return Err(format!("a rowid that is not an integer: {other:?}")),
                };
                // Strictly increasing rowids are what makes the reading end on any file.
                if let Position::AfterRowid(last) = *position
                    && rowid <= last
                {
                    return Err(format!(
                        "rowid {rowid} after rowid {last}: the table's b-tree is out of order (corrupt file)"
                    ));
                }
                *position = Position::AfterRowid(rowid);
                rowid as u64
            }
            order => {
                let read = match position {
                    Position::Ordinal { read, .. } => *read + 1,
                    _ => 1,
                };
                let mut last_key = Vec::new();
                if let Order::Key(keys) = order {
                    if read > limits.table_rows {
                        return Err(format!(
                            "more rows than the table counts ({}): its b-tree is out of order (corrupt file)",
                            limits.table_rows
                        ));
                    }
                    for &at in keys {
                        let key: Sql = r.get(at - 1).map_err(sqlite)?;
                        // `> NULL` is never true: a NULL key (only in a corrupt file) would end the
                        // table silently.
                        if key == Sql::Null {
                            return Err(format!(
                                "row {read} has a NULL primary key (corrupt file)"
                            ));
                        }
                        last_key.push(key);
                    }
                }
                *position = Position::Ordinal { read, last_key };
                read
            }
        };
        out.push_back(SourceRow {
            table: table.name.clone(),
            columns: table.columns.clone(),
            values,
            row,
            offset: 0,
            len: 0,
            sparse: false,
        });
        count += 1;
        if bytes >= limits.bytes {
            break;
        }
    }
    Ok(count)
}

/// A stored value as the readers give values: numbers as their literal text.
fn value_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Text(i.to_string()),
        // `{:?}` is the shortest text that reads back to the same f64, and keeps `.0` on whole numbers as
        // SQLite prints them.
        ValueRef::Real(f) => Value::Text(format!("{f:?}")),
        ValueRef::Text(t) => bytes_to_value(t.to_vec()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

/// Opens the file and plans the reading of its tables.
fn connect(path: &Path, name: &Path) -> Result<(Connection, Vec<Entry>), ReadError> {
    let fatal = |message: String| sqlite_error(name, ReadErrorKind::Fatal, message);
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAGIC.len() as u64).read_to_end(&mut head))
        .map_err(|e| fatal(format!("cannot open: {e}")))?;
    let compression = Compression::sniff(&head);
    if compression.is_compressed() {
        return Err(fatal(compressed_database_message(compression)));
    }
    let conn = open_read_only(path).map_err(|e| fatal(format!("cannot open as SQLite: {e}")))?;
    let tables =
        plan_tables(&conn).map_err(|e| fatal(format!("not a readable SQLite database: {e}")))?;
    Ok((conn, tables))
}

pub(crate) fn compressed_database_message(compression: Compression) -> String {
    format!(
        "an SQLite database in a {compression} file: SQLite needs random access, so it is not read \
         compressed; decompress it first and ingest the .db file"
    )
}

fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let uri = format!("{}?mode=ro&immutable=1", file_uri(path));
    let conn = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // SQLite's advice for reading files of unknown origin (sqlite.org/security.html).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DDL, false)?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_RETAINED_BYTES as i32)?;
    conn.pragma_update(None, "cell_size_check", true)?;
    Ok(conn)
}

/// `file:` URI of a path, percent-encoded so that `?`, `#` and `%` in names stay part of the path.
fn file_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let bytes = absolute.as_os_str().as_encoded_bytes();
    let mut uri = String::from("file://");
    if !bytes.starts_with(b"/") {
        // `C:\x` → `file:///C:/x`
        uri.push('/');
    }
    for &b in bytes {
        match b {
            b'\\' if cfg!(windows) => uri.push('/'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                uri.push(b as char)
            }
            _ => {
                let _ = write!(uri, "%{b:02X}");
            }
        }
    }
    uri
}

/// `"name"` with inner quotes doubled.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn plan_tables(conn: &Connection) -> rusqlite::Result<Vec<Entry>> {
    // (name bytes, is WITHOUT ROWID)
    let mut listed: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut stmt = conn.prepare("PRAGMA main.table_list")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let kind = r.get_ref(2)?.as_str().unwrap_or("");
        if kind != "table" && kind != "shadow" {
            continue;
        }
        let name = match r.get_ref(1)? {
            ValueRef::Text(t) => t.to_vec(),
            _ => continue,
        };
        if name.len() >= 7 && name[..7].eq_ignore_ascii_case(b"sqlite_") {
            continue;
        }
        listed.push((name, r.get::<_, i64>(4)? != 0));
    }
    listed.sort();
    Ok(listed
        .into_iter()
        .map(|(name, without_rowid)| match String::from_utf8(name) {
            Ok(name) => plan_table(conn, name, without_rowid),
            Err(e) => Entry::Unreadable {
                name: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                reason: "its name is not UTF-8".to_string(),
            },
        })
        .collect())
}

fn plan_table(conn: &Connection, name: String, without_rowid: bool) -> Entry {
    match try_plan_table(conn, &name, without_rowid) {
        Ok(table) => Entry::Table(table),
        Err(reason) => Entry::Unreadable { name, reason },
    }
}

fn try_plan_table(conn: &Connection, name: &str, without_rowid: bool) -> Result<Table, String> {
    let sqlite = |e: rusqlite::Error| e.to_string();
    let quoted = quote(name);
    // Column names from the schema rather than from a statement: rusqlite panics on a statement column
    // name that is not UTF-8, which a forged file can hold. Hidden columns (of virtual tables) are not
    // in `SELECT *`; generated ones are.
    let mut columns = Vec::new();
    let mut exact_names: Vec<Option<String>> = Vec::new();
    let mut keys: Vec<(i64, usize)> = Vec::new();
    let mut stmt = conn
        .prepare("SELECT name, hidden, pk FROM pragma_table_xinfo(?1, 'main')")
        .map_err(sqlite)?;
    let mut rows = stmt.query([name]).map_err(sqlite)?;
    while let Some(r) = rows.next().map_err(sqlite)? {
        if r.get::<_, i64>(1).map_err(sqlite)? == 1 {
            continue;
        }
        let exact = match r.get_ref(0).map_err(sqlite)? {
            ValueRef::Text(t) => std::str::from_utf8(t).ok().map(str::to_string),
            _ => None,
        };
        let column = match r.get_ref(0).map_err(sqlite)? {
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            other => format!("{other:?}"),
        };
        exact_names.push(exact);
        let pk: i64 = r.get(2).map_err(sqlite)?;
        if pk > 0 {
            keys.push((pk, columns.len() + 1));
        }
        columns.push(column);
    }
    let free_rowid_name = ROWID_NAMES
        .into_iter()
        .find(|n| !columns.iter().any(|c| c.eq_ignore_ascii_case(n)));
    keys.sort_unstable();
    // Keys by position in `SELECT *` for ORDER BY, so that no name needs quoting there; the WHERE of a
    // keyed walk needs their names, which must then be exact.
    let order_by = keys
        .iter()
        .map(|(_, at)| at.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let key_names: Option<Vec<String>> = keys
        .iter()
        .map(|(_, at)| {
            exact_names
                .get(at - 1)
                .and_then(Option::as_deref)
                .map(quote)
        })
        .collect();
    let (order, first_batch, next_batch) = match (free_rowid_name, key_names) {
        (Some(rowid), _) if !without_rowid => (
            Order::Rowid(rowid),
            format!("SELECT {rowid}, * FROM {quoted} ORDER BY {rowid} LIMIT ?1"),
            format!("SELECT {rowid}, * FROM {quoted} WHERE {rowid} > ?2 ORDER BY {rowid} LIMIT ?1"),
        ),
        (_, Some(names)) if without_rowid && !names.is_empty() => {
            let params: Vec<String> = (0..names.len()).map(|i| format!("?{}", i + 2)).collect();
            (
                Order::Key(keys.iter().map(|(_, at)| *at).collect()),
                format!("SELECT * FROM {quoted} ORDER BY {order_by} LIMIT ?1"),
                format!(
                    "SELECT * FROM {quoted} WHERE ({}) > ({}) ORDER BY {order_by} LIMIT ?1",
                    names.join(", "),
                    params.join(", ")
                ),
            )
        }
        _ => {
            let order_by = if order_by.is_empty() {
                String::new()
            } else {
                format!(" ORDER BY {order_by}")
            };
            let sql = format!("SELECT * FROM {quoted}{order_by} LIMIT ?1 OFFSET ?2");
            (Order::Scan, sql.clone(), sql)
        }
    };
    // Preparing now puts a schema SQLite refuses to run on this table, not on the whole file.
    let selected = conn.prepare(&next_batch).map_err(sqlite)?.column_count();
    let expected = columns.len() + usize::from(matches!(order, Order::Rowid(_)));
    if selected != expected || columns.is_empty() {
        return Err(format!(
            "the schema lists {} columns but the table gives {selected}",
            columns.len()
        ));
    }
    Ok(Table {
        name: Arc::from(name),
        columns: columns.into(),
        order,
        first_batch,
        next_batch,
    })
}

/// Cheap measures of a table's size, for progress: O(log n) for rowid tables, a count for the others.
fn weigh(conn: &Connection, table: &Table) -> rusqlite::Result<Weight> {
    let quoted = quote(&table.name);
    match &table.order {
        Order::Rowid(rowid) => conn
            .query_row(
                &format!("SELECT min({rowid}), max({rowid}) FROM {quoted}"),
                [],
                |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
            )
            .map(|span| match span {
                (Some(first), Some(last)) => Weight {
                    first,
                    span: (i128::from(last) - i128::from(first) + 1) as f64,
                    rows: u64::MAX,
                },
                _ => Weight::default(),
            }),
        Order::Key(_) | Order::Scan => conn
            .query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| Weight {
                first: 0,
                span: n as f64,
                rows: u64::try_from(n).unwrap_or(0),
            }),
    }
}

/// The tables of an SQLite database file and their columns, as [`SqliteReader`] will give them.
pub fn schema(path: &Path, name: &Path) -> Result<BTreeMap<String, Vec<String>>, ReadError> {
    let (_, tables) = connect(path, name)?;
    Ok(tables
        .into_iter()
        .filter_map(|entry| match entry {
            Entry::Table(t) => Some((t.name.to_string(), t.columns.to_vec())),
            Entry::Unreadable { .. } => None,
        })
        .collect())
}

/// The values of the row that [`SqliteReader`] gave as `table`#`row`, read again from the file: `None` if
/// there is no such row.
pub fn read_row(
    path: &Path,
    name: &Path,
    table: &str,
    row: u64,
) -> Result<Option<Vec<Value>>, ReadError> {
    let (conn, tables) = connect(path, name)?;
    let fatal = |message: String| sqlite_error(name, ReadErrorKind::Fatal, message);
    let Some(t) = tables.iter().find_map(|entry| match entry {
        Entry::Table(t) if &*t.name == table => Some(t),
        _ => None,
    }) else {
        return Err(fatal(format!("no readable table {table:?}")));
    };
    let quoted = quote(&t.name);
    let (sql, key) = match &t.order {
        Order::Rowid(rowid) => (
            format!("SELECT * FROM {quoted} WHERE {rowid} = ?1"),
            row as i64,
        ),
        _ if row == 0 => return Ok(None),
        // The ordinal in key order: the row after `row - 1` others.
        Order::Key(_) | Order::Scan => (
            format!(
                "{} LIMIT 1 OFFSET ?1",
                t.first_batch
                    .trim_end_matches(" LIMIT ?1 OFFSET ?2")
                    .trim_end_matches(" LIMIT ?1")
            ),
            row as i64 - 1,
        ),
    };
    let read = || -> rusqlite::Result<Option<Vec<Value>>> {
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([key])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        (0..t.columns.len())
            .map(|i| r.get_ref(i).map(value_of))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map(Some)
    };
    read().map_err(|e| fatal(format!("table {table:?}, row {row}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(sql: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        (dir, path)
    }

    fn drain(reader: &mut SqliteReader) -> Vec<Result<SourceRow, ReadError>> {
        let mut out = Vec::new();
        loop {
            match reader.next_row() {
                Ok(None) => return out,
                Ok(Some(row)) => out.push(Ok(row)),
                Err(e) => out.push(Err(e)),
            }
        }
    }

    const TABLES: &str = "
        CREATE TABLE b (x TEXT, y BLOB);
        CREATE TABLE a (id INTEGER PRIMARY KEY, v REAL);
        CREATE TABLE w (k TEXT, n INT, g INT, PRIMARY KEY (g, k)) WITHOUT ROWID;
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 40)
        INSERT INTO a SELECT i * 3, i / 8.0 FROM c;
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 25)
        INSERT INTO b SELECT 't' || i, randomblob(i) FROM c;
        DELETE FROM b WHERE rowid % 4 = 0;
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 30)
        INSERT INTO w SELECT printf('k%03d', 31 - i), i, i % 3 FROM c;
    ";

    #[test]
    fn batches_of_any_size_give_the_same_rows() {
        let (_dir, path) = database(TABLES);
        let mut whole = SqliteReader::open(&path, &path).unwrap();
        let expected = drain(&mut whole);
        assert_eq!(expected.len(), 40 + 19 + 30);
        for (rows, bytes) in [(1, 1 << 20), (2, 1 << 20), (7, 1 << 20), (512, 1), (3, 20)] {
            let mut reader = SqliteReader::open(&path, &path).unwrap();
            reader.set_batch(rows, bytes);
            assert_eq!(
                drain(&mut reader),
                expected,
                "batches of {rows} rows / {bytes} bytes"
            );
        }
        let rows: Vec<SourceRow> = expected.into_iter().map(Result::unwrap).collect();
        // Table order, rowids with gaps, ordinals in key order for the WITHOUT ROWID table.
        assert_eq!(&*rows[0].table, "a");
        assert_eq!(rows[0].row, 3);
        assert_eq!(
            rows[0].values,
            [Value::Text("3".into()), Value::Text("0.125".into())]
        );
        assert_eq!(&*rows[40].table, "b");
        let b_rowids: Vec<u64> = rows[40..59].iter().map(|r| r.row).collect();
        assert_eq!(b_rowids[..5], [1, 2, 3, 5, 6]);
        assert_eq!(&*rows[59].table, "w");
        assert_eq!(
            (rows[59].row, &rows[59].values[0]),
            (1, &Value::Text("k001".into()))
        );
        assert_eq!(rows[88].row, 30);
        // Key (g, k): ten rows of each g, and k rising within a g.
        let text = |s: &str| Value::Text(s.into());
        assert_eq!(rows[69].values, [text("k003"), text("28"), text("1")]);
        assert_eq!(rows[78].values, [text("k030"), text("1"), text("1")]);
        assert_eq!(rows[79].values[2], text("2"));
    }

    #[test]
    fn progress_rises_to_the_file_size() {
        let (_dir, path) = database(TABLES);
        let len = std::fs::metadata(&path).unwrap().len();
        let mut reader = SqliteReader::open(&path, &path).unwrap();
        reader.set_batch(5, 1 << 20);
        let mut last = reader.bytes_read();
        assert_eq!(last, 0);
        while let Ok(Some(_)) = reader.next_row() {
            let now = reader.bytes_read();
            assert!(now >= last && now <= len, "{last} -> {now} of {len}");
            last = now;
        }
        assert_eq!(reader.bytes_read(), len);
    }

    #[test]
    fn every_row_reads_again_from_its_provenance() {
        let (_dir, path) = database(TABLES);
        let mut reader = SqliteReader::open(&path, &path).unwrap();
        for row in drain(&mut reader) {
            let row = row.unwrap();
            let again = read_row(&path, &path, &row.table, row.row).unwrap();
            assert_eq!(
                again.as_ref(),
                Some(&row.values),
                "{}#{}",
                row.table,
                row.row
            );
        }
        assert_eq!(read_row(&path, &path, "a", 4).unwrap(), None);
        assert_eq!(read_row(&path, &path, "w", 31).unwrap(), None);
    }

    #[test]
    fn shadowed_rowid_names_and_negative_rowids() {
        let (_dir, path) = database(
            "CREATE TABLE s (rowid TEXT, v INT);
             INSERT INTO s (oid, rowid, v) VALUES (-2, 'minus two', 1), (9223372036854775807, 'max', 2);
             CREATE TABLE all3 (rowid INT, oid INT, _rowid_ INT, PRIMARY KEY (oid));
             INSERT INTO all3 VALUES (1, 20, 3), (4, 10, 6);",
        );
        let mut reader = SqliteReader::open(&path, &path).unwrap();
        let rows: Vec<SourceRow> = drain(&mut reader).into_iter().map(Result::unwrap).collect();
        let seen: Vec<(&str, u64, &Value)> = rows
            .iter()
            .map(|r| (&*r.table, r.row, &r.values[0]))
            .collect();
        assert_eq!(
            seen,
            [
                ("all3", 1, &Value::Text("4".into())),
                ("all3", 2, &Value::Text("1".into())),
                ("s", -2i64 as u64, &Value::Text("minus two".into())),
                ("s", i64::MAX as u64, &Value::Text("max".into())),
            ]
        );
        assert_eq!(&*rows[2].columns, ["rowid", "v"]);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_fatal_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.db");
        std::fs::write(
            &path,
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR and so on, for a while longer than a header",
        )
        .unwrap();
        let err = SqliteReader::open(&path, Path::new("evidence/photo.db"))
            .err()
            .unwrap();
        assert_eq!(err.kind, ReadErrorKind::Fatal);
        assert_eq!(err.file, Path::new("evidence/photo.db"));
        assert!(err.message.contains("not a database"), "{}", err.message);
    }

    #[test]
    fn reading_leaves_no_file_beside_the_database() {
        let (dir, path) = database(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (a); INSERT INTO t VALUES (1), (2);",
        );
        let before: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(before.len(), 1, "{before:?}");
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms).unwrap();
        let mut reader = SqliteReader::open(&path, &path).unwrap();
        assert_eq!(drain(&mut reader).len(), 2);
        let after: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(after, before);
    }

    #[test]
    fn a_table_that_cannot_be_read_is_a_row_error_and_the_others_are_read() {
        let (_dir, path) = database(
            "CREATE TABLE a (x); INSERT INTO a VALUES (1);
             CREATE TABLE b (y); INSERT INTO b VALUES (2);
             CREATE TABLE c (z); INSERT INTO c VALUES (3);",
        );
        // A forged schema: table b renamed to bytes that are not UTF-8.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET name = CAST(X'62ff' AS TEXT), tbl_name = CAST(X'62ff' AS TEXT),
               sql = 'CREATE TABLE \"' || CAST(X'62ff' AS TEXT) || '\" (y)' WHERE name = 'b';",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        drop(conn);
        let mut reader = SqliteReader::open(&path, Path::new("m.db")).unwrap();
        let events = drain(&mut reader);
        let seen: Vec<String> = events
            .iter()
            .map(|e| match e {
                Ok(row) => format!("{}#{}", row.table, row.row),
                Err(e) => format!("{:?} {}", e.kind, e.message),
            })
            .collect();
        assert_eq!(
            seen,
            [
                "a#1",
                "Row table \"b\u{fffd}\" cannot be read, skipped: its name is not UTF-8",
                "c#1"
            ]
        );
    }

    #[test]
    fn virtual_tables_are_not_read_but_their_shadow_tables_are() {
        let (_dir, path) = database(
            "CREATE VIRTUAL TABLE docs USING fts5(body); INSERT INTO docs VALUES ('hello world');",
        );
        let reader = SqliteReader::open(&path, &path).unwrap();
        let tables: Vec<&str> = reader.tables().map(|(name, _)| name).collect();
        assert!(!tables.contains(&"docs"), "{tables:?}");
        assert!(tables.contains(&"docs_content"), "{tables:?}");
        let mut reader = reader;
        let content: Vec<SourceRow> = drain(&mut reader)
            .into_iter()
            .map(Result::unwrap)
            .filter(|r| &*r.table == "docs_content")
            .collect();
        assert_eq!(content[0].values[1], Value::Text("hello world".into()));
    }

    #[test]
    fn uris_escape_what_sqlite_would_read_as_query() {
        assert_eq!(
            file_uri(Path::new("/e/a?b#c%d e.db")),
            "file:///e/a%3Fb%23c%25d%20e.db"
        );
    }
}
