//! Format readers: each turns one source file into a stream of [`SourceRow`](crate::SourceRow)s.
//!
//! [`detect`] tells the format from the first bytes of a file, [`open`] opens a file with the right reader;
//! [`MysqlDumpReader`], [`PgDumpReader`] and [`CsvReader`] can also be built on any `BufRead`.
//!
//! What every reader guarantees:
//! - It streams: memory is bounded by the largest single row (at most [`MAX_RETAINED_BYTES`]), never by
//!   the file. A row larger than that is a fatal error.
//! - A row's `offset`/`len` locate its bytes in the file exactly, and [`mysql::parse_row`],
//!   [`pg::parse_copy_row`], [`pg::parse_insert_row`] and [`csv::parse_record`] decode those bytes again
//!   to the same values.
//! - `row` is the ordinal of the row in its table in this source, counting rows that were errors.
//! - An error's `line` is one plus the number of `\n` bytes before its `offset`. A
//!   [`Row`](crate::ReadErrorKind::Row) error points at the start of the bad row and carries its text
//!   (lossily made UTF-8) in `raw`; reading goes on after it. A [`Fatal`](crate::ReadErrorKind::Fatal)
//!   error ends the reading: "truncated" ones point at the end of the file and name the line where the open
//!   statement, row or block began.
//! - No input makes a reader panic or loop: `selfcheck` states the invariants, which the fuzz targets in
//!   `/fuzz` and the crate's tests check.

pub mod csv;
mod dump;
pub mod mysql;
pub mod pg;
#[cfg(test)]
mod roundtrip_tests;
pub mod selfcheck;
mod sql;
mod window;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use memchr::memmem;

pub use self::csv::{CsvOptions, CsvReader};
pub use self::mysql::MysqlDumpReader;
pub use self::pg::PgDumpReader;
pub use self::window::MAX_RETAINED_BYTES;
use crate::source::{Format, ReadError, ReadErrorKind, RowReader};

/// How many leading bytes [`detect`] looks at.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// Buffer between the file and a reader (the SQL readers read in larger chunks of their own).
const FILE_BUFFER: usize = 64 * 1024;

/// Tells the format of a file from its first bytes (`head`, of which the first [`SNIFF_BYTES`] are used).
/// `path` only names the file in the error.
pub fn detect(path: &Path, head: &[u8]) -> Result<Format, ReadError> {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
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
        message: "not a recognised dump format (looked for mysqldump, pg_dump, CSV headers)"
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
    open_with(path, name, format, &ReadOptions::default())
}

/// Like [`open_named`], with a profile's [`ReadOptions`].
pub fn open_with(
    path: &Path,
    name: &Path,
    format: Option<Format>,
    options: &ReadOptions,
) -> Result<(Format, Box<dyn RowReader + Send>), ReadError> {
    let path_to_read = path;
    let path = name;
    let fatal = |message: String| ReadError {
        kind: ReadErrorKind::Fatal,
        file: path.to_path_buf(),
        line: 1,
        offset: 0,
        message,
        raw: None,
    };
    let file = File::open(path_to_read).map_err(|e| fatal(format!("cannot open: {e}")))?;
    let mut input = BufReader::with_capacity(FILE_BUFFER, file);
    // Peeks without consuming: the reader still starts at byte 0.
    let head = input
        .fill_buf()
        .map_err(|e| fatal(format!("read error: {e}")))?;
    let format = match format {
        Some(format) => format,
        None => detect(path, head)?,
    };
    let reader: Box<dyn RowReader + Send> = match format {
        Format::MysqlDump => Box::new(MysqlDumpReader::new(path, input)),
        Format::PgDump => Box::new(PgDumpReader::new(path, input)),
        Format::Csv => {
            let csv_options = CsvOptions {
                delimiter: Some(
                    (options.csv.delimiter)
                        .or_else(|| csv::sniff_delimiter(head))
                        .unwrap_or(b','),
                ),
                ..options.csv.clone()
            };
            Box::new(CsvReader::with_options(path, input, &csv_options))
        }
    };
    Ok((format, reader))
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
        let err = detect(Path::new("/cases/x.bin"), b"hello").unwrap_err();
        assert_eq!(
            err.to_string(),
            "/cases/x.bin:1: (byte 0) not a recognised dump format (looked for mysqldump, pg_dump, CSV headers)"
        );
    }
}
