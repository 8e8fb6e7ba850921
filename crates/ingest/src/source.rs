//! The seam between format readers and profile mapping: every format becomes a stream of [`SourceRow`]s.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A cell as the source wrote it. Numbers stay as their literal text so that decimals stay exact;
/// profiles parse them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Text(String),
    /// Bytes that are not valid UTF-8, `_binary` strings and hex literals.
    Bytes(Vec<u8>),
}

impl Value {
    /// The value as text, if it is text (lossy for bytes that are not UTF-8 is the caller's choice).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// One row of one table of a source, with the byte range it occupies in the source.
///
/// Provenance: for the text formats `table`, `row`, `offset` and `len` locate the row's bytes. In a
/// compressed source (gzip, zstd) `offset` and `len` are positions in the *decompressed* stream. In an
/// SQLite database a row is located by `table` and rowid (`row`), and `offset`/`len` are 0.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Table name in a dump or SQLite database; file stem for a CSV or JSON file (without a `.gz`/`.zst`
    /// suffix; `<stem>.<key>` for a JSON array of objects).
    pub table: Arc<str>,
    /// Column names in order (from CREATE TABLE, a COPY column list, a CSV header, the SQLite table or a JSON
    /// object's keys).
    pub columns: Arc<[String]>,
    pub values: Vec<Value>,
    /// 1-based row number within `table` in this source. SQLite: the rowid (`row as i64` for a negative
    /// one), or the 1-based ordinal in primary-key order for a table without a rowid.
    pub row: u64,
    /// Offset of the row's first byte in the source (decompressed); 0 for SQLite.
    pub offset: u64,
    /// Length of the row in bytes; 0 for SQLite.
    pub len: u64,
    /// Rows of one table need not have the same columns (JSON objects): a column absent from this row is
    /// NULL, not a mistake in the profile.
    pub sparse: bool,
}

impl SourceRow {
    /// The value of a column by name.
    pub fn get(&self, column: &str) -> Option<&Value> {
        let i = self.columns.iter().position(|c| c == column)?;
        self.values.get(i)
    }
}

/// The formats spector reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    MysqlDump,
    PgDump,
    Csv,
    /// JSON documents: an array of them, one, or one per line (JSON Lines).
    Json,
    Sqlite,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::MysqlDump => "mysql-dump",
            Format::PgDump => "pg-dump",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Sqlite => "sqlite",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// The row is bad but the reader found the start of the next one: reading may go on.
    Row,
    /// The source cannot be read further (truncated, wrong format, I/O): the reader is done.
    Fatal,
}

/// A reading error, always naming the file and the position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}:{line}: (byte {offset}) {message}", file.display())]
pub struct ReadError {
    pub kind: ReadErrorKind,
    pub file: PathBuf,
    /// 1-based line of the problem.
    pub line: u64,
    /// Byte offset of the problem.
    pub offset: u64,
    pub message: String,
    /// The raw text of the bad row, when there is one (for quarantine).
    pub raw: Option<String>,
}

/// A streaming reader of rows. After a [`ReadErrorKind::Fatal`] error it returns `Ok(None)`.
pub trait RowReader {
    fn next_row(&mut self) -> Result<Option<SourceRow>, ReadError>;
    /// Bytes consumed so far (for progress bars): of the file as stored, so compressed bytes for a
    /// compressed source; an estimate for SQLite.
    fn bytes_read(&self) -> u64;
    /// Malformed rows that were repaired where their meaning was plain, and returned as rows (CSV fields
    /// with unescaped quotes); counted among the rows returned so far.
    fn recovered(&self) -> u64 {
        0
    }
    /// Gives back a row this reader returned, once its values are no longer needed: a reader may decode
    /// later rows into its buffers rather than allocate new ones. Dropping a row instead is always fine.
    fn recycle(&mut self, row: SourceRow) {
        drop(row);
    }
}
