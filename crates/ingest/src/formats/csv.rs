//! CSV exports (RFC 4180 quoting), as crawlers and spreadsheet tools write them.
//!
//! - The table is the file stem (without a `.gz`/`.zst` suffix); the columns are the header's fields, or the
//!   names a profile gives for a file without header ([`CsvOptions::columns`]).
//! - Every field is [`Value::Text`], or [`Value::Bytes`] if it is not UTF-8. An empty field is
//!   `Text("")`: whether that means NULL is the profile's call.
//! - Each record is one [`SourceRow`]; `offset`/`len` cover the record without its line end (quoted
//!   fields may span lines).
//! - A record with a different number of fields than the header, or with text after a closing quote, is
//!   malformed. Writers that do not escape quotes inside quoted fields make such records
//!   (`"x","a "big" deal","3"`); where the meaning is plain it is recovered (see [`resplit`]): the record's
//!   first physical line is split again with a quote closing a field only before a delimiter or the line
//!   end, and if exactly one split gives the header's number of fields, that is the row
//!   ([`CsvReader::recovered`] counts them); lines a stray quote swallowed are then read again. Otherwise it is a [`Row`](ReadErrorKind::Row) error with the raw text and why it could
//!   not be recovered; reading goes on. A file that ends inside a quoted field that cannot be recovered
//!   that way is a [`Fatal`](ReadErrorKind::Fatal) "truncated" error naming the line where the record began.
//! - A UTF-8 byte order mark before the header is dropped from the first column name.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memchr::{memchr, memchr_iter, memchr3};

use super::sql::{bytes_to_value, raw_text};
use super::window::{MAX_RETAINED_BYTES, count_newlines};
use crate::source::{ReadError, ReadErrorKind, RowReader, SourceRow, Value};

/// The delimiters [`sniff_delimiter`] considers, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How much of the input is kept behind the csv parser before it is trimmed (it only ever needs the
/// current record and the parser's read-ahead).
const KEEP_TRIM_THRESHOLD: usize = 1 << 20;

/// What the file does not say about itself: a profile's `[source]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// The field delimiter. `None`: [`super::open_with`] sniffs it from the first line; a reader built
    /// directly uses `,`.
    pub delimiter: Option<u8>,
    /// The column names of a file without header: its first record is data.
    pub columns: Option<Vec<String>>,
}

/// Streams the records of a CSV file.
pub struct CsvReader<R> {
    file: PathBuf,
    table: Arc<str>,
    columns: Option<Arc<[String]>>,
    parser: ::csv::Reader<Recorder<R>>,
    record: ::csv::ByteRecord,
    rows: u64,
    recovered: u64,
    /// Bytes read again after recovered records that had swallowed the lines after them.
    reread: u64,
    done: bool,
    delimiter: u8,
}

/// Lines swallowed by a stray quote are read again. With csv-core's quoting rules a line that opens a
/// quote on its own cannot also keep an earlier quote open, so what is read again is read at most twice;
/// this bound keeps reading linear in the file size even if that reasoning were wrong: reading again
/// stops when it has cost this much more than the bytes read.
const REREAD_ALLOWANCE: u64 = 1 << 20;

impl<R: BufRead> CsvReader<R> {
    /// A comma-separated reader of a file with a header; the table is named after the file stem.
    pub fn new(file: impl Into<PathBuf>, input: R) -> Self {
        Self::with_delimiter(file, input, b',')
    }

    pub fn with_delimiter(file: impl Into<PathBuf>, input: R, delimiter: u8) -> Self {
        let options = CsvOptions {
            delimiter: Some(delimiter),
            columns: None,
        };
        Self::with_options(file, input, &options)
    }

    pub fn with_options(file: impl Into<PathBuf>, input: R, options: &CsvOptions) -> Self {
        let file = file.into();
        let table = table_name(&file);
        let delimiter = options.delimiter.unwrap_or(b',');
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
            columns: options.columns.clone().map(Arc::from),
            parser,
            record: ::csv::ByteRecord::new(),
            rows: 0,
            recovered: 0,
            reread: 0,
            done: false,
            delimiter,
        }
    }

    /// How many malformed records were recovered (and returned as rows) so far.
    pub fn recovered(&self) -> u64 {
        self.recovered
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
        let raw = self.parser.get_ref().kept_bytes(offset, end);
        // The parser counts the blank lines it skipped as part of the record after them.
        let blank = raw
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        offset += blank as u64;
        let raw = &raw[blank..];
        let terminator = line_end_len(raw);
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
                self.check_header_quoting(&span)?;
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
        let Some(mut span) = self.read_record()? else {
            return Ok(None);
        };
        self.rows += 1;
        if self.rows == 1 && span.offset == 0 && self.raw(&span).starts_with(BOM) {
            // A file without header: the parser dropped the byte order mark from the first value, so the
            // row's bytes start after it.
            span.offset += BOM.len() as u64;
            span.len -= BOM.len();
            span.whole -= BOM.len();
        }
        let quoting = check_quoting(self.raw(&span), self.delimiter);
        if quoting.is_ok() && self.record.len() == columns.len() {
            let values = self
                .record
                .iter()
                .map(|field| bytes_to_value(field.to_vec()))
                .collect();
            return Ok(Some(self.source_row(columns, values, &span)));
        }
        let problem = match &quoting {
            Ok(()) => format!(
                "record has {} fields but the header has {}",
                self.record.len(),
                columns.len()
            ),
            Err(QuoteProblem::TextAfterQuote(at)) => format!(
                "text after the closing quote of a field (at byte {})",
                span.offset + *at as u64
            ),
            Err(QuoteProblem::Unterminated) => String::new(),
        };
        // Without a quote the fields are what the parser says: nothing to recover.
        if memchr(b'"', self.raw(&span)).is_none() {
            return Err(self.row_error(&span, problem));
        }
        match self.recover(&span, columns.len()) {
            Ok(recovered) => {
                self.recovered += 1;
                tracing::debug!(
                    file = %self.file.display(),
                    line = span.line,
                    "recovered a malformed CSV record (unescaped quotes): {}",
                    if problem.is_empty() { "quote never closed" } else { &problem }
                );
                let row_span = RecordSpan {
                    len: recovered.len,
                    whole: recovered.whole,
                    ..span
                };
                if recovered.whole < span.whole {
                    // The record swallowed the lines after it: read them again as records of their own.
                    self.restart_at(span.offset + recovered.whole as u64)?;
                }
                Ok(Some(self.source_row(columns, recovered.values, &row_span)))
            }
            Err(why) => match quoting {
                Err(QuoteProblem::Unterminated) => Err(self.unterminated(&span, Some(&why))),
                _ => Err(self.row_error(&span, format!("{problem}; not recovered: {why}"))),
            },
        }
    }

    fn bytes_read(&self) -> u64 {
        self.parser.get_ref().bytes_read()
    }

    fn recovered(&self) -> u64 {
        self.recovered
    }
}

const BOM: &[u8] = b"\xef\xbb\xbf";

/// A malformed record read again by [`resplit`].
struct Recovered {
    values: Vec<Value>,
    /// Bytes of the recovered record, without and with its line end: less than the parser's record when
    /// a quote swallowed the lines after it.
    len: usize,
    whole: usize,
}

impl<R: BufRead> CsvReader<R> {
    fn source_row(
        &self,
        columns: Arc<[String]>,
        values: Vec<Value>,
        span: &RecordSpan,
    ) -> SourceRow {
        SourceRow {
            table: self.table.clone(),
            columns,
            values,
            row: self.rows,
            offset: span.offset,
            len: span.len as u64,
            sparse: false,
        }
    }

    /// Tries [`resplit`] on the first physical line of the record. When the parser's record spans more
    /// lines, a quote opened a field that the writer meant as text, and swallowed the lines after it: they
    /// are read again as records of their own. A record whose true text spans lines (a quoted field with line
    /// breaks and a stray quote) is not recovered: which lines belong together is then a guess.
    fn recover(&mut self, span: &RecordSpan, fields: usize) -> Result<Recovered, String> {
        let whole = self.raw_whole(span);
        let end = memchr(b'\n', whole).map_or(whole.len(), |i| i + 1);
        let line = &whole[..end];
        let swallowed = (whole.len() - end) as u64;
        if swallowed > 0 {
            let allowance = self.parser.get_ref().bytes_read() + REREAD_ALLOWANCE;
            if self.reread + swallowed > allowance {
                return Err(format!(
                    "its stray quote swallowed the lines after it, and so many lines were read again \
                     already ({} bytes) that reading them again would cost more than the file",
                    self.reread
                ));
            }
        }
        let len = line.len() - line_end_len(line);
        let split = resplit(&line[..len], self.delimiter, fields).map_err(|e| e.to_string())?;
        self.reread += swallowed;
        Ok(Recovered {
            values: split.into_iter().map(bytes_to_value).collect(),
            len,
            whole: end,
        })
    }

    /// Goes on reading at `offset`, the start of a line already read.
    fn restart_at(&mut self, offset: u64) -> Result<(), ReadError> {
        let mut position = ::csv::Position::new();
        position.set_byte(offset);
        self.parser
            .seek_raw(SeekFrom::Start(offset), position)
            .map_err(|e| {
                let line = self.parser.get_mut().line_of(offset);
                self.error(
                    ReadErrorKind::Fatal,
                    line,
                    offset,
                    format!("cannot read on after a recovered record: {e}"),
                    None,
                )
            })
    }

    fn unterminated(&mut self, span: &RecordSpan, why: Option<&str>) -> ReadError {
        let end = span.offset + span.whole as u64;
        let end_line =
            span.line + self.raw_whole(span).iter().filter(|&&b| b == b'\n').count() as u64;
        let mut message = format!(
            "truncated: file ends inside a quoted field of the record started at line {} (or its quote is \
             never closed)",
            span.line
        );
        if let Some(why) = why {
            message.push_str(&format!("; not recovered: {why}"));
        }
        self.error(ReadErrorKind::Fatal, end_line, end, message, None)
    }

    fn raw(&self, span: &RecordSpan) -> &[u8] {
        self.parser
            .get_ref()
            .kept_bytes(span.offset, span.offset + span.len as u64)
    }

    fn raw_whole(&self, span: &RecordSpan) -> &[u8] {
        self.parser
            .get_ref()
            .kept_bytes(span.offset, span.offset + span.whole as u64)
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

    /// The csv parser reads past quoting mistakes silently; an open quote in the header takes the rest of
    /// the file into it, and nothing after it can be read.
    fn check_header_quoting(&mut self, span: &RecordSpan) -> Result<(), ReadError> {
        match check_quoting(self.raw(span), self.delimiter) {
            Err(QuoteProblem::Unterminated) => Err(self.unterminated(span, None)),
            _ => Ok(()),
        }
    }
}

fn line_end_len(raw: &[u8]) -> usize {
    if raw.ends_with(b"\r\n") {
        2
    } else if raw.ends_with(b"\n") || raw.ends_with(b"\r") {
        1
    } else {
        0
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

/// Why [`resplit`] found no single reading of a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResplitError {
    #[error(
        "no way to split it into {fields} fields with quotes closing fields only before a delimiter or the \
         line end"
    )]
    NoSplit { fields: usize },
    #[error(
        "ambiguous: it splits into {fields} fields in more than one way (a quote before a delimiter inside \
         a field)"
    )]
    Ambiguous { fields: usize },
    #[error("too many possible splits to try")]
    TooComplex,
}

/// Bound on the work of one [`resplit`] (candidate field ends looked at).
const RESPLIT_BUDGET: usize = 1 << 20;

/// Splits a record (without its line end) whose quotes are not escaped, as a human reads it, taking the
/// writer to have quoted every field that holds a quote: a field that starts with a quote ends at a quote
/// that is followed by the delimiter or the end of the record, and any other quote inside it is text (`""`
/// still reads as one quote); an unquoted field ends at the next delimiter and holds no quote and no line
/// end. The fields are returned if exactly one split gives `fields` fields.
///
/// For `"a","say "hi" now","3"` with 3 fields that is `a`, `say "hi" now`, `3`, and for
/// `"a","say "hi", then go","3"` it is `a`, `say "hi", then go`, `3`. If the text of a field itself holds
/// a quoted field's end and start (`"a","x","y","3"` with 3 fields), several splits fit and none is chosen.
pub fn resplit(raw: &[u8], delimiter: u8, fields: usize) -> Result<Vec<Vec<u8>>, ResplitError> {
    if fields == 0 {
        return Err(ResplitError::NoSplit { fields });
    }
    // Quotes that may close a quoted field.
    let closers: Vec<usize> = memchr_iter(b'"', raw)
        .filter(|&q| q + 1 == raw.len() || raw[q + 1] == delimiter)
        .collect();
    // layers[f]: start of field f -> (number of ways to get there, capped at 2; start of field f - 1).
    // A state on the single complete path is reached in one way only, so its one predecessor is the path.
    let mut layers: Vec<BTreeMap<usize, (u8, usize)>> = vec![BTreeMap::from([(0, (1, 0))])];
    let (mut complete, mut last_start) = (0u8, 0usize);
    let mut budget = RESPLIT_BUDGET;
    for f in 0..fields {
        let is_last = f + 1 == fields;
        let mut next: BTreeMap<usize, (u8, usize)> = BTreeMap::new();
        for (&start, &(ways, _)) in &layers[f] {
            // Each candidate end is the index just past the field: a delimiter or the end of the record.
            let mut ends = Vec::new();
            if raw.get(start) == Some(&b'"') {
                let first = closers.partition_point(|&q| q <= start);
                for &q in &closers[first..] {
                    budget = budget.checked_sub(1).ok_or(ResplitError::TooComplex)?;
                    ends.push(q + 1);
                }
            } else {
                let end = memchr(delimiter, &raw[start..]).map_or(raw.len(), |k| start + k);
                if memchr3(b'\n', b'\r', b'"', &raw[start..end]).is_none() {
                    ends.push(end);
                }
            }
            for end in ends {
                match (end == raw.len(), is_last) {
                    (true, true) => {
                        complete = complete.saturating_add(ways).min(2);
                        last_start = start;
                    }
                    (false, false) => {
                        let state = next.entry(end + 1).or_insert((0, start));
                        state.0 = state.0.saturating_add(ways).min(2);
                    }
                    _ => {}
                }
            }
        }
        if is_last {
            break;
        }
        layers.push(next);
    }
    match complete {
        0 => return Err(ResplitError::NoSplit { fields }),
        1 => {}
        _ => return Err(ResplitError::Ambiguous { fields }),
    }
    let mut starts = vec![last_start];
    for f in (1..fields).rev() {
        let start = starts[starts.len() - 1];
        // Every start on the path was recorded in its layer; a miss would be a bug here, not bad input.
        let &(_, previous) = layers[f]
            .get(&start)
            .ok_or(ResplitError::NoSplit { fields })?;
        starts.push(previous);
    }
    starts.reverse();
    Ok(starts
        .iter()
        .enumerate()
        .map(|(f, &start)| {
            let end = starts.get(f + 1).map_or(raw.len(), |next| next - 1);
            let field = &raw[start..end];
            match field {
                [b'"', inner @ .., b'"'] => unescape_quotes(inner),
                _ => field.to_vec(),
            }
        })
        .collect())
}

fn unescape_quotes(inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        out.push(inner[i]);
        i += if inner[i] == b'"' && inner.get(i + 1) == Some(&b'"') {
            2
        } else {
            1
        };
    }
    out
}

/// Decodes the bytes of one row of a table with `fields` columns as [`CsvReader`] does, recovering a
/// malformed record with [`resplit`] the way the reader does.
pub fn parse_record_as(bytes: &[u8], delimiter: u8, fields: usize) -> Result<Vec<Value>, String> {
    let values = parse_record(bytes, delimiter)?;
    let well_formed = check_quoting(bytes, delimiter).is_ok() && values.len() == fields;
    if well_formed || memchr(b'"', bytes).is_none() {
        return Ok(values);
    }
    resplit(bytes, delimiter, fields)
        .map(|split| split.into_iter().map(bytes_to_value).collect())
        .map_err(|e| e.to_string())
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

/// Passes bytes to the csv parser and keeps a copy, so that a record's exact bytes can be given back, and
/// so that the parser can be sent back to a line already read (after a recovered record).
struct Recorder<R> {
    input: R,
    kept: Vec<u8>,
    /// File offset of `kept[0]`.
    kept_from: u64,
    /// File offset of the next byte handed to the parser: behind the end of `kept` after a seek back.
    feed: u64,
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
            feed: 0,
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
    fn kept_bytes(&self, from: u64, to: u64) -> &[u8] {
        let start = (from.saturating_sub(self.kept_from) as usize).min(self.kept.len());
        let end = (to.saturating_sub(self.kept_from) as usize).clamp(start, self.kept.len());
        &self.kept[start..end]
    }

    /// The 1-based line of a kept file offset.
    fn line_of(&mut self, offset: u64) -> u64 {
        let index = (offset.saturating_sub(self.kept_from) as usize).min(self.kept.len());
        // Going back (to the line after a recovered record) costs the distance, not the whole buffer.
        if index >= self.counted_to {
            self.counted_lines += count_newlines(&self.kept[self.counted_to..index]);
        } else {
            self.counted_lines -= count_newlines(&self.kept[index..self.counted_to]);
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
        if self.feed - self.record_start > self.max_record as u64 {
            return Err(io::Error::new(
                io::ErrorKind::OutOfMemory,
                "record too large",
            ));
        }
        let kept_end = self.bytes_read();
        let n = if self.feed < kept_end {
            let replay = self.kept_bytes(self.feed, kept_end);
            let n = replay.len().min(buf.len());
            buf[..n].copy_from_slice(&replay[..n]);
            n
        } else {
            let n = self.input.read(buf)?;
            self.kept.extend_from_slice(&buf[..n]);
            n
        };
        self.feed += n as u64;
        Ok(n)
    }
}

/// Only back to kept bytes: the reader seeks to the start of a line it has just read.
impl<R> Seek for Recorder<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match to {
            SeekFrom::Start(offset) if (self.kept_from..=self.bytes_read()).contains(&offset) => {
                self.feed = offset;
                Ok(offset)
            }
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "seek outside the bytes kept",
            )),
        }
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

    fn drain(reader: &mut CsvReader<&[u8]>) -> Vec<Result<SourceRow, ReadError>> {
        let mut out = Vec::new();
        for _ in 0..100 {
            match reader.next_row() {
                Ok(None) => return out,
                Ok(Some(row)) => out.push(Ok(row)),
                Err(e) => out.push(Err(e)),
            }
        }
        panic!("no end");
    }

    fn texts(row: &SourceRow) -> Vec<&str> {
        row.values
            .iter()
            .map(|v| v.as_text().unwrap_or("?"))
            .collect()
    }

    #[test]
    fn a_file_without_header_takes_the_columns_it_is_given() {
        let file = b"\xef\xbb\xbfAgora<==>x\t1:2\nEvolution<==>y\t3:4\n";
        let options = CsvOptions {
            delimiter: Some(b'\t'),
            columns: Some(vec!["key".into(), "seen".into()]),
        };
        let mut reader = CsvReader::with_options("userDate.tsv", &file[..], &options);
        let rows = drain(&mut reader);
        let rows: Vec<SourceRow> = rows.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&*rows[0].columns, ["key", "seen"]);
        assert_eq!(texts(&rows[0]), ["Agora<==>x", "1:2"]);
        // The byte order mark is not part of the first row.
        assert_eq!((rows[0].row, rows[0].offset, rows[0].len), (1, 3, 14));
        assert_eq!(texts(&rows[1]), ["Evolution<==>y", "3:4"]);
        for row in &rows {
            let bytes = &file[row.offset as usize..(row.offset + row.len) as usize];
            assert_eq!(parse_record_as(bytes, b'\t', 2), Ok(row.values.clone()));
        }
        // A record of another width is still an error, named against the given columns.
        let mut reader = CsvReader::with_options("t.tsv", &b"a\tb\tc\n"[..], &options);
        let err = reader.next_row().unwrap_err();
        assert_eq!(err.message, "record has 3 fields but the header has 2");
    }

    #[test]
    fn unescaped_quotes_are_recovered_and_counted() {
        let file = b"m,v,t,ts\n\"p\",\"a\",\"so \"good\" ok\",\"1\"\n\"p\",\"b\",\"fine\",\"2\"\n";
        let mut reader = CsvReader::new("p.csv", &file[..]);
        let rows = drain(&mut reader);
        let rows: Vec<SourceRow> = rows.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(texts(&rows[0]), ["p", "a", "so \"good\" ok", "1"]);
        assert_eq!(texts(&rows[1]), ["p", "b", "fine", "2"]);
        assert_eq!(reader.recovered(), 1);
    }

    #[test]
    fn resplit_reads_quotes_as_a_human_would() {
        let split = |raw: &str, n| {
            resplit(raw.as_bytes(), b',', n).map(|fields| {
                fields
                    .into_iter()
                    .map(|f| String::from_utf8(f).unwrap())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            split(r#""a","say "hi" now","3""#, 3).unwrap(),
            ["a", r#"say "hi" now"#, "3"]
        );
        assert_eq!(
            split(r#"1,"x""y",,"z""#, 4).unwrap(),
            ["1", r#"x"y"#, "", "z"]
        );
        // A quote before a delimiter inside a text: the other splits would leave a quote in an unquoted
        // field ("a","say "hi | then go" | 3).
        assert_eq!(
            split(r#""a","say "hi", then go","3""#, 3).unwrap(),
            ["a", r#"say "hi", then go"#, "3"]
        );
        assert_eq!(
            split(r#""a","x","y","3""#, 3),
            Err(ResplitError::Ambiguous { fields: 3 })
        );
        assert_eq!(
            split(r#"a"b,"c"d""#, 2),
            Err(ResplitError::NoSplit { fields: 2 })
        );
        assert_eq!(split("1,2,", 3).unwrap(), ["1", "2", ""]);
        assert_eq!(
            split(r#""a","b","c""#, 2),
            Err(ResplitError::Ambiguous { fields: 2 })
        );
        assert_eq!(
            split(r#""a","b"c"#, 2),
            Err(ResplitError::NoSplit { fields: 2 })
        );
        assert_eq!(split("a\nb,c", 2), Err(ResplitError::NoSplit { fields: 2 }));
        assert_eq!(split("", 0), Err(ResplitError::NoSplit { fields: 0 }));
        // Thousands of candidate quotes give up rather than take quadratic time.
        let many = format!("\"{}", "\",".repeat(5000));
        assert_eq!(split(&many, 3000), Err(ResplitError::TooComplex));
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5"), Some(b','));
        assert_eq!(sniff_delimiter(b"a;b;\"c,d,e\"\n"), Some(b';'));
        assert_eq!(sniff_delimiter(b"a\tb\n"), Some(b'\t'));
        assert_eq!(sniff_delimiter(b"abc\n"), None);
    }
}
