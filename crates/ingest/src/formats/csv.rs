//! CSV exports with a header row (RFC 4180 quoting), as crawlers and spreadsheet tools write them.
//!
//! - The table is the file stem (without a `.gz`/`.zst` suffix); the columns are the header's fields.
//! - Every field is [`Value::Text`], or [`Value::Bytes`] if it is not UTF-8. An empty field is
//!   `Text("")`: whether that means NULL is the profile's call.
//! - Each record is one [`SourceRow`]; `offset`/`len` cover the record without its line end (quoted
//!   fields may span lines).
//! - A record with a different number of fields than the header, or with text after a closing quote, is a
//!   [`Row`](ReadErrorKind::Row) error with the raw text; reading goes on. A file that ends inside a quoted
//!   field is a [`Fatal`](ReadErrorKind::Fatal) "truncated" error naming the line where the record began.
//! - A UTF-8 byte order mark before the header is dropped from the first column name.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memchr::{memchr, memchr3};

use super::sql::{bytes_to_value, raw_text};
use super::window::{MAX_RETAINED_BYTES, count_newlines};
use crate::source::{ReadError, ReadErrorKind, RowReader, SourceRow, Value};

/// The delimiters [`sniff_delimiter`] considers, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How much of the input is kept behind the csv parser before it is trimmed (it only ever needs the
/// current record and the parser's read-ahead).
const KEEP_TRIM_THRESHOLD: usize = 1 << 20;

/// Streams the records of a CSV file with a header row.
pub struct CsvReader<R> {
    file: PathBuf,
    table: Arc<str>,
    columns: Option<Arc<[String]>>,
    parser: ::csv::Reader<Recorder<R>>,
    record: ::csv::ByteRecord,
    rows: u64,
    done: bool,
    delimiter: u8,
}

impl<R: BufRead> CsvReader<R> {
    /// A comma-separated reader; the table is named after the file stem.
    pub fn new(file: impl Into<PathBuf>, input: R) -> Self {
        Self::with_delimiter(file, input, b',')
    }

    pub fn with_delimiter(file: impl Into<PathBuf>, input: R, delimiter: u8) -> Self {
        let file = file.into();
        let table = table_name(&file);
        let parser = ::csv::ReaderBuilder::new()
            .has_headers(false)
            // Counted here, so that a bad record becomes a row error with its text.
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(64 * 1024)
            .from_reader(Recorder::new(input));
        CsvReader {
            file,
            table,
            columns: None,
            parser,
            record: ::csv::ByteRecord::new(),
            rows: 0,
            done: false,
            delimiter,
        }
    }

    fn error(
        &mut self,
        kind: ReadErrorKind,
        line: u64,
        offset: u64,
        message: String,
        raw: Option<&[u8]>,
    ) -> ReadError {
        if kind == ReadErrorKind::Fatal {
            self.done = true;
        }
        ReadError {
            kind,
            file: self.file.clone(),
            line,
            offset,
            message,
            raw: raw.map(raw_text),
        }
    }

    /// Reads the next record into `self.record`; returns its raw bytes' location: (offset, line, len).
    fn read_record(&mut self) -> Result<Option<RecordSpan>, ReadError> {
        let next_start = self.parser.position().byte();
        self.parser.get_mut().forget_before(next_start);
        let more = match self.parser.read_byte_record(&mut self.record) {
            Ok(more) => more,
            Err(e) => {
                let line = self.parser.get_mut().line_of(next_start);
                let message = match e.kind() {
                    ::csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::OutOfMemory => format!(
                        "the record started at line {line} is larger than {} MiB, the most a reader holds at \
                         once (a quote that is never closed?)",
                        MAX_RETAINED_BYTES >> 20
                    ),
                    _ => format!("read error in the record started at line {line}: {e}"),
                };
                return Err(self.error(ReadErrorKind::Fatal, line, next_start, message, None));
            }
        };
        if !more {
            self.done = true;
            return Ok(None);
        }
        let mut offset = self.record.position().map_or(0, |p| p.byte());
        let end = self.parser.position().byte();
        let raw = self.parser.get_ref().bytes(offset, end);
        // The parser counts the blank lines it skipped as part of the record after them.
        let blank = raw
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        offset += blank as u64;
        let raw = &raw[blank..];
        let terminator = if raw.ends_with(b"\r\n") {
            2
        } else if raw.ends_with(b"\n") || raw.ends_with(b"\r") {
            1
        } else {
            0
        };
        let whole = raw.len();
        // Lines are counted here rather than taken from the parser, so that a line is what it is for the
        // other readers: one plus the `\n` bytes before the offset.
        let line = self.parser.get_mut().line_of(offset);
        Ok(Some(RecordSpan {
            offset,
            line,
            len: whole - terminator,
            whole,
        }))
    }
}

/// Where a record's bytes are.
struct RecordSpan {
    offset: u64,
    line: u64,
    /// Without the line end.
    len: usize,
    /// With it.
    whole: usize,
}

impl<R: BufRead> RowReader for CsvReader<R> {
    fn next_row(&mut self) -> Result<Option<SourceRow>, ReadError> {
        if self.done {
            return Ok(None);
        }
        let columns = match &self.columns {
            Some(columns) => columns.clone(),
            None => {
                let Some(span) = self.read_record()? else {
                    return Ok(None);
                };
                // A header with stray text after a quote still names the columns; only a quote that is
                // never closed (fatal) stops the reading.
                if let Err(e) = self.check_quoting(&span)
                    && e.kind == ReadErrorKind::Fatal
                {
                    return Err(e);
                }
                let mut names: Vec<String> = self
                    .record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                if let Some(first) = names.first_mut()
                    && let Some(stripped) = first.strip_prefix('\u{feff}')
                {
                    *first = stripped.to_string();
                }
                let columns: Arc<[String]> = names.into();
                self.columns = Some(columns.clone());
                columns
            }
        };
        let Some(span) = self.read_record()? else {
            return Ok(None);
        };
        self.rows += 1;
        self.check_quoting(&span)?;
        if self.record.len() != columns.len() {
            let message = format!(
                "record has {} fields but the header has {}",
                self.record.len(),
                columns.len()
            );
            return Err(self.row_error(&span, message));
        }
        let values = self
            .record
            .iter()
            .map(|field| bytes_to_value(field.to_vec()))
            .collect();
        Ok(Some(SourceRow {
            table: self.table.clone(),
            columns,
            values,
            row: self.rows,
            offset: span.offset,
            len: span.len as u64,
            sparse: false,
        }))
    }

    fn bytes_read(&self) -> u64 {
        self.parser.get_ref().bytes_read()
    }
}

impl<R: BufRead> CsvReader<R> {
    fn raw(&self, span: &RecordSpan) -> &[u8] {
        self.parser
            .get_ref()
            .bytes(span.offset, span.offset + span.len as u64)
    }

    fn raw_whole(&self, span: &RecordSpan) -> &[u8] {
        self.parser
            .get_ref()
            .bytes(span.offset, span.offset + span.whole as u64)
    }

    fn row_error(&mut self, span: &RecordSpan, message: String) -> ReadError {
        let raw = self.raw(span).to_vec();
        self.error(
            ReadErrorKind::Row,
            span.line,
            span.offset,
            message,
            Some(&raw),
        )
    }

    /// The csv parser reads past quoting mistakes silently; they are errors here.
    fn check_quoting(&mut self, span: &RecordSpan) -> Result<(), ReadError> {
        let problem = check_quoting(self.raw(span), self.delimiter);
        match problem {
            Ok(()) => Ok(()),
            // An open quote takes the rest of the file into the field: nothing after it can be read.
            Err(QuoteProblem::Unterminated) => {
                let end = span.offset + span.whole as u64;
                let end_line =
                    span.line + self.raw_whole(span).iter().filter(|&&b| b == b'\n').count() as u64;
                let message = format!(
                    "truncated: file ends inside a quoted field of the record started at line {} (or its \
                     quote is never closed)",
                    span.line
                );
                Err(self.error(ReadErrorKind::Fatal, end_line, end, message, None))
            }
            Err(QuoteProblem::TextAfterQuote(at)) => {
                let message = format!(
                    "text after the closing quote of a field (at byte {})",
                    span.offset + at as u64
                );
                Err(self.row_error(span, message))
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum QuoteProblem {
    Unterminated,
    /// Index of the stray text in the record.
    TextAfterQuote(usize),
}

/// RFC 4180 quoting of one record (without its line end). A quote inside an unquoted field is let through,
/// as most readers do.
fn check_quoting(raw: &[u8], delimiter: u8) -> Result<(), QuoteProblem> {
    if memchr(b'"', raw).is_none() {
        return Ok(());
    }
    let mut i = 0;
    loop {
        if raw.get(i) == Some(&b'"') {
            let mut j = i + 1;
            loop {
                let k = memchr(b'"', &raw[j..]).ok_or(QuoteProblem::Unterminated)?;
                if raw.get(j + k + 1) == Some(&b'"') {
                    j += k + 2;
                } else {
                    i = j + k + 1;
                    break;
                }
            }
            match raw.get(i) {
                None | Some(b'\r' | b'\n') => return Ok(()),
                Some(&b) if b == delimiter => i += 1,
                Some(_) => return Err(QuoteProblem::TextAfterQuote(i)),
            }
        } else {
            match memchr3(delimiter, b'\n', b'\r', &raw[i..]) {
                Some(k) if raw[i + k] == delimiter => i += k + 1,
                _ => return Ok(()),
            }
        }
    }
}

/// The table a CSV file holds: its file stem, without a compression suffix (`vendors.csv.gz` → `vendors`).
pub(crate) fn table_name(file: &Path) -> Arc<str> {
    let stem = super::compressed::strip_suffix(file)
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    Arc::from(stem.as_ref())
}

/// Decodes the bytes of one record, as a [`SourceRow`]'s offset and length locate them.
pub fn parse_record(bytes: &[u8], delimiter: u8) -> Result<Vec<Value>, String> {
    // The parser drops a byte order mark at the very start of its input; a blank line first, which it
    // skips, keeps one that is part of the record's first field.
    let mut parser = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(io::Cursor::new(b"\n").chain(bytes));
    let mut record = ::csv::ByteRecord::new();
    match parser.read_byte_record(&mut record) {
        Ok(true) => Ok(record
            .iter()
            .map(|field| bytes_to_value(field.to_vec()))
            .collect()),
        Ok(false) => Err("no record".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// The delimiter of the header line at the start of `head`: the most frequent of `,` `;` tab `|` outside
/// quotes, if any occurs.
pub fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(k) = DELIMITERS.iter().position(|&d| d == b) {
                    counts[k] += 1;
                }
            }
            _ => {}
        }
    }
    let (best, &count) = counts
        .iter()
        .enumerate()
        .rev()
        .max_by_key(|&(_, count)| *count)?;
    (count > 0).then_some(DELIMITERS[best])
}

/// Passes bytes to the csv parser and keeps a copy, so that a record's exact bytes can be given back.
struct Recorder<R> {
    input: R,
    kept: Vec<u8>,
    /// File offset of `kept[0]`.
    kept_from: u64,
    /// `\n` bytes before `kept[0]`.
    lines_before: u64,
    /// `\n` bytes in `kept[..counted_to]`: asking for the lines of increasing offsets costs linear time.
    counted_to: usize,
    counted_lines: u64,
    /// Where the record being parsed starts.
    record_start: u64,
    max_record: usize,
}

impl<R> Recorder<R> {
    fn new(input: R) -> Self {
        Recorder {
            input,
            kept: Vec::new(),
            kept_from: 0,
            lines_before: 0,
            counted_to: 0,
            counted_lines: 0,
            record_start: 0,
            max_record: MAX_RETAINED_BYTES,
        }
    }

    fn bytes_read(&self) -> u64 {
        self.kept_from + self.kept.len() as u64
    }

    /// The bytes at file offsets `from..to`, as far as they are kept.
    fn bytes(&self, from: u64, to: u64) -> &[u8] {
        let start = (from.saturating_sub(self.kept_from) as usize).min(self.kept.len());
        let end = (to.saturating_sub(self.kept_from) as usize).clamp(start, self.kept.len());
        &self.kept[start..end]
    }

    /// The 1-based line of a kept file offset.
    fn line_of(&mut self, offset: u64) -> u64 {
        let index = (offset.saturating_sub(self.kept_from) as usize).min(self.kept.len());
        if index >= self.counted_to {
            self.counted_lines += count_newlines(&self.kept[self.counted_to..index]);
        } else {
            self.counted_lines = count_newlines(&self.kept[..index]);
        }
        self.counted_to = index;
        self.lines_before + self.counted_lines + 1
    }

    /// Marks where the next record starts; what is before it is no longer needed.
    fn forget_before(&mut self, offset: u64) {
        self.record_start = offset;
        let n = (offset.saturating_sub(self.kept_from) as usize).min(self.kept.len());
        if n >= KEEP_TRIM_THRESHOLD {
            self.lines_before = self.line_of(offset) - 1;
            self.counted_to = 0;
            self.counted_lines = 0;
            self.kept.drain(..n);
            self.kept_from += n as u64;
        }
    }
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The parser holds a whole record in memory: refuse to feed it one without bound.
        if self.bytes_read() - self.record_start > self.max_record as u64 {
            return Err(io::Error::new(
                io::ErrorKind::OutOfMemory,
                "record too large",
            ));
        }
        let n = self.input.read(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_larger_than_the_limit_is_fatal() {
        let mut file = b"a,b\n1,\"".to_vec();
        file.extend(std::iter::repeat_n(b'x', 100_000));
        let mut reader = CsvReader::new("t.csv", &file[..]);
        reader.parser.get_mut().max_record = 1000;
        let err = reader.next_row().unwrap_err();
        assert_eq!(
            (err.kind, err.line, err.offset),
            (ReadErrorKind::Fatal, 2, 4)
        );
        assert!(err.message.contains("larger than"), "{}", err.message);
        assert_eq!(reader.next_row(), Ok(None));
    }

    #[test]
    fn quoting() {
        assert_eq!(check_quoting(b"a,\"b,\"\"c\"\"\",d", b','), Ok(()));
        assert_eq!(
            check_quoting(b"a,\"b\"c,d", b','),
            Err(QuoteProblem::TextAfterQuote(5))
        );
        assert_eq!(
            check_quoting(b"a,\"b,c\nd", b','),
            Err(QuoteProblem::Unterminated)
        );
        assert_eq!(check_quoting(b"a,b\"c,d", b','), Ok(()));
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5"), Some(b','));
        assert_eq!(sniff_delimiter(b"a;b;\"c,d,e\"\n"), Some(b';'));
        assert_eq!(sniff_delimiter(b"a\tb\n"), Some(b'\t'));
        assert_eq!(sniff_delimiter(b"abc\n"), None);
    }
}
