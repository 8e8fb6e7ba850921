//! PostgreSQL `pg_dump` plain-text dumps.
//!
//! Reads the data of `COPY t (cols) FROM stdin;` blocks (tab-separated text format, `\N` for NULL, COPY
//! escapes, ended by a `\.` line) and of `INSERT INTO t [(cols)] VALUES (...), ...;` statements
//! (`pg_dump --inserts` / `--column-inserts` / `--rows-per-insert`: standard strings with `''`, `E'...'`
//! strings, `NULL`, bare numbers and `true`/`false`).
//!
//! - Tables are named without their schema (`public.deals` is `deals`); quoted identifiers keep their case,
//!   bare ones are folded to lower case as the server does.
//! - Columns come from the COPY or INSERT column list, else from the `CREATE TABLE` seen earlier in the
//!   dump, else they are named `c1..cN` after the first row's width.
//! - Each COPY line and each INSERT tuple is one [`SourceRow`]: `offset`/`len` cover the
//!   line without its line end, or the tuple from `(` to `)`.
//! - A row with the wrong number of fields is a [`Row`](crate::ReadErrorKind::Row) error carrying the raw
//!   text; reading goes on. A file that ends inside a COPY block (no `\.`) or a statement is a
//!   [`Fatal`](crate::ReadErrorKind::Fatal) "truncated" error naming the line where it began.
//! - psql backslash commands (`\connect`, `\restrict`) and every other statement are passed over, including
//!   function bodies in `$tag$` quotes.

use std::io::BufRead;
use std::path::PathBuf;

use super::dump::{DumpReader, decode_row_bytes};
use super::sql::{Dialect, bytes_to_value, find_either};
use crate::source::{ReadError, RowReader, SourceRow, Value};

/// Streams the rows of a `pg_dump` plain-text dump.
pub struct PgDumpReader<R> {
    inner: DumpReader<R>,
}

impl<R: BufRead> PgDumpReader<R> {
    /// `file` names the source in errors; `input` is read from its first byte.
    pub fn new(file: impl Into<PathBuf>, input: R) -> Self {
        PgDumpReader {
            inner: DumpReader::new(Dialect::Postgres, file.into(), input),
        }
    }

    #[cfg(test)]
    pub(crate) fn set_read_chunk(&mut self, chunk: usize) {
        self.inner.set_read_chunk(chunk);
    }
}

impl<R: BufRead> RowReader for PgDumpReader<R> {
    fn next_row(&mut self) -> Result<Option<SourceRow>, ReadError> {
        self.inner.next_row()
    }

    fn bytes_read(&self) -> u64 {
        self.inner.bytes_read()
    }

    fn recycle(&mut self, row: SourceRow) {
        self.inner.recycle(row);
    }
}

/// Decodes the bytes of a row that came from a COPY block (a line without its line end).
pub fn parse_copy_row(bytes: &[u8]) -> Vec<Value> {
    let mut values = Vec::new();
    decode_copy_line(bytes, &mut values);
    values
}

/// Decodes the bytes of a row that came from an INSERT statement (`(` to `)`).
pub fn parse_insert_row(bytes: &[u8]) -> Result<Vec<Value>, String> {
    decode_row_bytes(Dialect::Postgres, bytes)
}

/// Splits a COPY text-format line into fields. A tab escaped by a backslash is data, not a separator.
pub(crate) fn decode_copy_line(line: &[u8], out: &mut Vec<Value>) {
    let mut start = 0;
    loop {
        let (value, end) = decode_copy_field(line, start);
        out.push(value);
        if end >= line.len() {
            return;
        }
        start = end + 1;
    }
}

/// The field at `start`, and the index of the tab that ends it (or the line's length).
fn decode_copy_field(line: &[u8], start: usize) -> (Value, usize) {
    let field_is = |text: &[u8]| {
        line[start..].starts_with(text)
            && matches!(line.get(start + text.len()), None | Some(b'\t'))
    };
    if field_is(b"\\N") {
        return (Value::Null, start + 2);
    }
    let mut out = Vec::new();
    let mut segment = start;
    let mut i = start;
    loop {
        let Some(k) = find_either(b'\t', b'\\', &line[i..]) else {
            out.extend_from_slice(&line[segment..]);
            return (bytes_to_value(out), line.len());
        };
        let j = i + k;
        out.extend_from_slice(&line[segment..j]);
        if line[j] == b'\t' {
            return (bytes_to_value(out), j);
        }
        let Some(&c) = line.get(j + 1) else {
            // A lone backslash at the very end: keep it rather than lose it.
            out.push(b'\\');
            return (bytes_to_value(out), line.len());
        };
        i = push_copy_escape(&mut out, line, j + 1, c);
        segment = i;
    }
}

/// Decodes the escape whose letter `c` is at `line[at]`; returns the index after it.
fn push_copy_escape(out: &mut Vec<u8>, line: &[u8], at: usize, c: u8) -> usize {
    let byte = match c {
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 0x0b,
        b'0'..=b'7' => {
            let (value, end) = digits(line, at, 3, 8);
            out.push((value & 0xff) as u8);
            return end;
        }
        b'x' if line.get(at + 1).is_some_and(u8::is_ascii_hexdigit) => {
            let (value, end) = digits(line, at + 1, 2, 16);
            out.push(value as u8);
            return end;
        }
        // `\\`, and any other character (including an escaped tab or newline) stands for itself.
        other => other,
    };
    out.push(byte);
    at + 1
}

fn digits(line: &[u8], start: usize, max: usize, radix: u32) -> (u32, usize) {
    let mut value = 0;
    let mut i = start;
    while i < start + max {
        match line.get(i).and_then(|&c| (c as char).to_digit(radix)) {
            Some(d) => value = value * radix + d,
            None => break,
        }
        i += 1;
    }
    (value, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn copy_fields() {
        assert_eq!(
            parse_copy_row(b"1\t\\N\ta\\tb\\\\c\\n\t\\101\\x41\\x4g\\8\t\t\\N\\N"),
            vec![
                text("1"),
                Value::Null,
                text("a\tb\\c\n"),
                text("AA\u{4}g8"),
                text(""),
                text("NN")
            ]
        );
        assert_eq!(parse_copy_row(b"a\\\tb"), vec![text("a\tb")]);
        assert_eq!(
            parse_copy_row(b"\\351t\\351"),
            vec![Value::Bytes(b"\xe9t\xe9".to_vec())]
        );
        assert_eq!(parse_copy_row(b"x\\"), vec![text("x\\")]);
    }
}
