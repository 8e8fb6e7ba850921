//! Format readers: each turns one source file into a stream of [`SourceRow`](crate::SourceRow)s.
//!
//! [`detect`] tells the format from the first bytes of a file, [`open`] opens a file with the right reader
//! ([`open_source`] also says how it was compressed); [`MysqlDumpReader`], [`PgDumpReader`], [`CsvReader`]
//! and [`JsonReader`] can also be built on any `BufRead`, and [`open_reader`] does the same detection on one.
//! [`SqliteReader`] reads SQLite database files, which need a path (random access).
//!
//! Compressed sources: a gzip or zstd stream (told by its magic bytes, not its name) is decompressed as it
//! is read, and the text formats are detected and read in the decompressed bytes; see [`compressed`].
//! Positions (`offset`, `len`, `line`) are then positions in the decompressed stream, while `bytes_read`
//! counts compressed bytes. A compressed SQLite database is refused with an error saying to decompress it.
//!
//! What every text reader guarantees:
//! - It streams: memory is bounded by the largest single row (at most [`MAX_RETAINED_BYTES`]), never by
//!   the file. A row larger than that is a fatal error. (For JSON, the unit is a top-level document with
//!   everything nested in it.)
//! - A row's `offset`/`len` locate its bytes in the (decompressed) file exactly, and [`mysql::parse_row`],
//!   [`pg::parse_copy_row`], [`pg::parse_insert_row`] and [`csv::parse_record`] decode those bytes again
//!   to the same values; [`json::parse_object`] to the same own columns (a JSON child row also carries its
//!   index and its ancestors' columns, see [`json`]). Rows come in file order; only JSON rows nest (a
//!   child object's span lies inside its parent's).
//! - `row` is the ordinal of the row in its table in this source, counting rows that were errors.
//! - An error's `line` is one plus the number of `\n` bytes before its `offset`. A
//!   [`Row`](crate::ReadErrorKind::Row) error points at the start of the bad row and carries its text
//!   (lossily made UTF-8) in `raw`; reading goes on after it. A [`Fatal`](crate::ReadErrorKind::Fatal)
//!   error ends the reading: "truncated" ones point at the end of the file and name the line where the open
//!   statement, row or block began; a broken compressed stream is fatal where the reader stood.
//! - No input makes a reader panic or loop: `selfcheck` states the invariants, which the fuzz targets in
//!   `/fuzz` and the crate's tests check.
//!
//! The SQLite reader differs where a binary file must: `row` is the rowid and `offset`/`len` are 0 (see
//! [`sqlite`]); [`sqlite::read_row`] reads a row again from its provenance.

pub mod compressed;
pub mod csv;
mod dump;
pub mod json;
#[cfg(test)]
mod json_tests;
pub mod mysql;
pub mod pg;
#[cfg(test)]
mod roundtrip_tests;
pub mod selfcheck;
mod sql;
pub mod sqlite;
mod window;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use memchr::memmem;

pub use self::compressed::Compression;
pub use self::csv::{CsvOptions, CsvReader};
pub use self::json::JsonReader;
pub use self::mysql::MysqlDumpReader;
pub use self::pg::PgDumpReader;
pub use self::sqlite::SqliteReader;
pub use self::window::MAX_RETAINED_BYTES;
use crate::source::{Format, ReadError, ReadErrorKind, RowReader};

/// How many leading bytes [`detect`] looks at.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// Buffer between the file and a reader (the SQL readers read in larger chunks of their own).
const FILE_BUFFER: usize = 64 * 1024;

/// Tells the format of a file from its first bytes (`head`, of which the first [`SNIFF_BYTES`] are used).
/// `path` only names the file in the error.
///
/// A compressed `head` is decompressed as far as it goes and the format told from that; a zstd decoder
/// needs a whole block (up to 128 KiB decompressed) before it gives anything, so for a file prefer
/// [`open_source`], which decompresses as much as it needs.
pub fn detect(path: &Path, head: &[u8]) -> Result<Format, ReadError> {
    if sqlite::is_sqlite(head) {
        return Ok(Format::Sqlite);
    }
    let compression = Compression::sniff(head);
    if !compression.is_compressed() {
        return detect_text(path, head);
    }
    let plain = compressed::decompress_prefix(head, SNIFF_BYTES);
    if sqlite::is_sqlite(&plain) {
        return Err(fatal_at_start(
            path,
            sqlite::compressed_database_message(compression),
        ));
    }
    detect_text(path, &plain)
}

fn fatal_at_start(path: &Path, message: String) -> ReadError {
    ReadError {
        kind: ReadErrorKind::Fatal,
        file: path.to_path_buf(),
        line: 1,
        offset: 0,
        message,
        raw: None,
    }
}

/// [`detect`] for bytes that are neither compressed nor SQLite.
fn detect_text(path: &Path, head: &[u8]) -> Result<Format, ReadError> {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    // First: no dump begins with `{` or `[`, while a scraped document may well quote SQL.
    if looks_like_json(head) {
        return Ok(Format::Json);
    }
    let has = |needle: &str| memmem::find(head, needle.as_bytes()).is_some();
    let has_line_starting = |prefix: &str| {
        head.starts_with(prefix.as_bytes())
            || memmem::find(head, format!("\n{prefix}").as_bytes()).is_some()
    };
    let mysql_headers = [
        "-- MySQL dump",
        "-- MariaDB dump",
        "-- phpMyAdmin SQL Dump",
        "-- Adminer ",
    ];
    if mysql_headers.iter().any(|h| has(h)) || head.starts_with(b"/*M!999999") {
        return Ok(Format::MysqlDump);
    }
    if has("-- PostgreSQL database dump") || has("-- PostgreSQL database cluster dump") {
        return Ok(Format::PgDump);
    }
    let mysql_marks = [
        "CREATE TABLE `",
        "INSERT INTO `",
        "REPLACE INTO `",
        "LOCK TABLES `",
        "/*!40",
    ];
    if mysql_marks.iter().any(|m| has(m)) {
        return Ok(Format::MysqlDump);
    }
    let pg_marks = [
        "SET statement_timeout",
        "pg_catalog.",
        "SET standard_conforming_strings",
        "CREATE TABLE public.",
        "INSERT INTO public.",
    ];
    if pg_marks.iter().any(|m| has(m))
        || has_line_starting("COPY ")
        || has_line_starting("\\restrict ")
    {
        return Ok(Format::PgDump);
    }
    // SQL without any of the marks above: MySQL's reader is the more lenient one (it also takes
    // backslash escapes), and most markets ran on MySQL or MariaDB.
    if starts_like_sql(head) {
        return Ok(Format::MysqlDump);
    }
    if looks_like_csv(head) {
        return Ok(Format::Csv);
    }
    Err(ReadError {
        kind: ReadErrorKind::Fatal,
        file: path.to_path_buf(),
        line: 1,
        offset: 0,
        message: "not a recognised dump format (looked for mysqldump, pg_dump, JSON, CSV headers)"
            .to_string(),
        raw: None,
    })
}

/// The first word, after blank lines and `--` comments, is one a dump starts with.
fn starts_like_sql(head: &[u8]) -> bool {
    let first_statement = head
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|line| !line.is_empty() && !line.starts_with(b"--"));
    let Some(line) = first_statement else {
        return false;
    };
    let word: Vec<u8> = line
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .map(u8::to_ascii_uppercase)
        .collect();
    let keyword = [
        "CREATE", "INSERT", "DROP", "SET", "LOCK", "BEGIN", "START", "USE", "REPLACE", "COPY",
    ]
    .iter()
    .any(|k| k.as_bytes() == word.as_slice());
    keyword
        && line
            .get(word.len())
            .is_some_and(|b| b.is_ascii_whitespace())
}

/// `{` then a key or `}`, or `[` then a value or `]` (a CSV header such as `[id],[name]` is not JSON).
fn looks_like_json(head: &[u8]) -> bool {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let mut bytes = head.iter().filter(|b| !is_space(b));
    match (bytes.next(), bytes.next()) {
        (Some(b'{'), next) => matches!(next, None | Some(b'"' | b'}')),
        (Some(b'['), next) => matches!(
            next,
            None | Some(b'{' | b'[' | b']' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
        ),
        _ => false,
    }
}

/// Text whose first line is a header of at least two delimited fields.
fn looks_like_csv(head: &[u8]) -> bool {
    let is_text = head
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c));
    if !is_text || head.is_empty() {
        return false;
    }
    csv::sniff_delimiter(head).is_some()
}

/// Opens a file with the reader for `format`, or for the format [`detect`] finds.
pub fn open(
    path: &Path,
    format: Option<Format>,
) -> Result<(Format, Box<dyn RowReader + Send>), ReadError> {
    open_named(path, path, format)
}

/// What a profile says about reading a source that the source does not say itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    pub csv: CsvOptions,
}

/// Like [`open`], reading `path` but naming the source `name` in errors and CSV table names: the file read
/// is the case's hash-named evidence copy of the file the analyst gave.
pub fn open_named(
    path: &Path,
    name: &Path,
    format: Option<Format>,
) -> Result<(Format, Box<dyn RowReader + Send>), ReadError> {
    open_source(path, name, format, &ReadOptions::default())
        .map(|opened| (opened.format, opened.reader))
}

/// Like [`open_named`], with a profile's [`ReadOptions`].
pub fn open_with(
    path: &Path,
    name: &Path,
    format: Option<Format>,
    options: &ReadOptions,
) -> Result<(Format, Box<dyn RowReader + Send>), ReadError> {
    open_source(path, name, format, options).map(|opened| (opened.format, opened.reader))
}

/// An opened source: its format, how it was compressed, and the reader of its rows.
pub struct Opened {
    pub format: Format,
    pub compression: Compression,
    pub reader: Box<dyn RowReader + Send>,
}

/// Like [`open_with`], also telling how the file was compressed (to show e.g. "mysql-dump (gzip)").
pub fn open_source(
    path: &Path,
    name: &Path,
    format: Option<Format>,
    options: &ReadOptions,
) -> Result<Opened, ReadError> {
    let mut file =
        File::open(path).map_err(|e| fatal_at_start(name, format!("cannot open: {e}")))?;
    let mut magic = Vec::new();
    (&mut file)
        .take(sqlite::MAGIC.len() as u64)
        .read_to_end(&mut magic)
        .map_err(|e| fatal_at_start(name, format!("read error: {e}")))?;
    let is_sqlite = match format {
        Some(format) => format == Format::Sqlite,
        None => sqlite::is_sqlite(&magic),
    };
    if is_sqlite {
        return Ok(Opened {
            format: Format::Sqlite,
            compression: Compression::None,
            reader: Box::new(SqliteReader::open(path, name)?),
        });
    }
    open_reader(
        name,
        std::io::Cursor::new(magic).chain(file),
        format,
        options,
    )
}

/// Like [`open_source`] for a stream that is not a file (an SQLite database, which needs a file, is refused):
/// `name` names the source in errors and CSV table names.
pub fn open_reader<R: Read + Send + 'static>(
    name: &Path,
    input: R,
    format: Option<Format>,
    options: &ReadOptions,
) -> Result<Opened, ReadError> {
    let decompressed = compressed::decompress(input)
        .map_err(|e| fatal_at_start(name, format!("read error: {e}")))?;
    let compression = decompressed.compression;
    let mut input = decompressed.reader;
    // The head is read out and put back in front, rather than peeked: a decoder may give fewer bytes
    // per read than detection wants to see.
    let mut head = Vec::with_capacity(FILE_BUFFER);
    if let Err(e) = (&mut input).take(FILE_BUFFER as u64).read_to_end(&mut head) {
        return Err(ReadError {
            kind: ReadErrorKind::Fatal,
            file: name.to_path_buf(),
            line: 1 + window::count_newlines(&head),
            offset: head.len() as u64,
            message: format!("read error: {e}"),
            raw: None,
        });
    }
    let format = match format {
        Some(format) => format,
        None if sqlite::is_sqlite(&head) => Format::Sqlite,
        None => detect_text(name, &head)?,
    };
    let delimiter = csv::sniff_delimiter(&head).unwrap_or(b',');
    let input = std::io::Cursor::new(head).chain(input);
    let reader: Box<dyn RowReader + Send> = match format {
        Format::MysqlDump => Box::new(MysqlDumpReader::new(name, input)),
        Format::PgDump => Box::new(PgDumpReader::new(name, input)),
        Format::Csv => {
            let csv_options = CsvOptions {
                delimiter: Some(options.csv.delimiter.unwrap_or(delimiter)),
                ..options.csv.clone()
            };
            Box::new(CsvReader::with_options(name, input, &csv_options))
        }
        Format::Sqlite => {
            let message = if compression.is_compressed() {
                sqlite::compressed_database_message(compression)
            } else {
                "an SQLite database is read from a file, not a stream".to_string()
            };
            return Err(fatal_at_start(name, message));
        }
        Format::Json => Box::new(JsonReader::new(name, input)),
    };
    let reader = if compression.is_compressed() {
        Box::new(CountingCompressed {
            inner: reader,
            consumed: decompressed.consumed,
        })
    } else {
        reader
    };
    Ok(Opened {
        format,
        compression,
        reader,
    })
}

/// A reader of decompressed bytes whose progress is told in compressed bytes, the unit of the file's size.
struct CountingCompressed {
    inner: Box<dyn RowReader + Send>,
    consumed: compressed::Consumed,
}

impl RowReader for CountingCompressed {
    fn next_row(&mut self) -> Result<Option<crate::SourceRow>, ReadError> {
        self.inner.next_row()
    }

    fn bytes_read(&self) -> u64 {
        self.consumed.get()
    }

    fn recovered(&self) -> u64 {
        self.inner.recovered()
    }

    fn recycle(&mut self, row: crate::SourceRow) {
        self.inner.recycle(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(head: &str) -> Option<Format> {
        detect(Path::new("x"), head.as_bytes()).ok()
    }

    #[test]
    fn detects_formats() {
        assert_eq!(
            detected("-- MySQL dump 10.19  Distrib 10.3.39-MariaDB\n"),
            Some(Format::MysqlDump)
        );
        assert_eq!(
            detected("/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump"),
            Some(Format::MysqlDump)
        );
        assert_eq!(
            detected("INSERT INTO `t` VALUES (1);"),
            Some(Format::MysqlDump)
        );
        assert_eq!(
            detected("--\n-- PostgreSQL database dump\n--\n"),
            Some(Format::PgDump)
        );
        assert_eq!(
            detected("SET statement_timeout = 0;\n"),
            Some(Format::PgDump)
        );
        assert_eq!(
            detected("COPY public.t (a) FROM stdin;\n1\n\\.\n"),
            Some(Format::PgDump)
        );
        assert_eq!(
            detected("\u{feff}vendor,joined\nx,2020-01-01\n"),
            Some(Format::Csv)
        );
        assert_eq!(detected("a;b\n"), Some(Format::Csv));
        assert_eq!(detected("just some words\n"), None);
        assert_eq!(
            detected("CREATE TABLE t (a int, b int);\n"),
            Some(Format::MysqlDump)
        );
        assert_eq!(detected("create,table\n1,2\n"), Some(Format::Csv));
        assert_eq!(detected("\x00\x01binary,stuff"), None);
        assert_eq!(detected("[{\"a\": 1}]"), Some(Format::Json));
        assert_eq!(
            detected("\u{feff}\n  {\"sql\": \"INSERT INTO `t`\"}"),
            Some(Format::Json)
        );
        assert_eq!(detected("{}"), Some(Format::Json));
        assert_eq!(detected("[\n]"), Some(Format::Json));
        assert_eq!(detected("[id],[name]\n1,x\n"), Some(Format::Csv));
        assert_eq!(detected("{id},{name}\n1,x\n"), Some(Format::Csv));
        let err = detect(Path::new("/cases/x.bin"), b"hello").unwrap_err();
        assert_eq!(
            err.to_string(),
            "/cases/x.bin:1: (byte 0) not a recognised dump format (looked for mysqldump, pg_dump, JSON, CSV headers)"
        );
    }
}
