//! JSON and JSON Lines, as scrapers write them: a top-level array of documents, one document, one document
//! per line (JSON Lines), or documents one after another.
//!
//! Rows:
//! - Each top-level object is one row of the table named after the file stem (as for CSV). Top-level
//!   values that are not objects (a number, a string, an array inside the top-level array) are
//!   [`Row`](ReadErrorKind::Row) errors. Commas, whitespace and byte order marks between top-level values
//!   are passed over.
//! - A nested object is flattened into dotted column names: `{"seller": {"name": "x"}}` gives the column
//!   `seller.name`.
//! - An array whose elements are all objects (at least one) under key `k` gives child rows of the table
//!   `<parent table>.<k>`, recursively: a vendor page holding listings holding feedback gives the tables
//!   `vendors`, `vendors.listings`, `vendors.listings.feedback`. Any other array (of scalars, mixed,
//!   empty) is one column holding its JSON text as written, without the whitespace between tokens:
//!   `["US", "UK"]` gives `["US","UK"]`.
//! - A child row's columns are its own, then [`INDEX_COLUMN`] (`#`, its 0-based index in its array), then
//!   every column of its parent row prefixed with [`PARENT_PREFIX`] (`^.`). The parent's columns include
//!   its own `#` and ancestors, so a feedback row has `^.title` (its listing's), `^.#` (the listing's
//!   index) and `^.^.vendor`, `^.^.crawled_at` (the vendor page's). A profile maps them like any column:
//!   `vendor = "^.^.vendor"`.
//! - Scalars: a string is [`Value::Text`] (or [`Value::Bytes`] when it holds a `\u` escape of an unpaired
//!   UTF-16 surrogate, kept as WTF-8 bytes); a number is the literal exactly as written (`0.10000000`,
//!   `1e-8`, 30-digit integers); `true`/`false` are text; `null` is [`Value::Null`].
//! - Rows are sparse ([`SourceRow::sparse`]): objects of one table need not have the same keys, and a
//!   key absent from an object is NULL to the mapper, not an error.
//! - `row` is the ordinal per table; `offset`/`len` span the object's own bytes, from `{` to `}` (a child
//!   row's span lies inside its parent's). Rows come in file order of their first byte: a document's row,
//!   then its child rows depth first. [`parse_object`] decodes a row's bytes again to its own columns.
//!
//! Errors:
//! - A document that is not valid JSON is a row error carrying its text, and reading goes on after it.
//!   Invalid UTF-8 anywhere in a document is such an error (it is not kept as bytes: JSON text is UTF-8,
//!   and a file that is not is better quarantined whole than half-decoded). So are `NaN` and `Infinity`,
//!   which JSON does not have.
//! - An object with a key that gives a column twice (`{"a": 1, "a": 2}`, or `"a.b"` beside `"a": {"b":
//!   ..}`, or a key `#` in a child object) is a row error; its own child rows are not read.
//! - A document nested deeper than [`MAX_DEPTH`] arrays and objects is a row error (never a stack
//!   overflow).
//! - How far a broken document reaches depends on the layout:
//!   - JSON Lines (the first document ends on its first line, or it does not but the next line begins
//!     with `{` or `[` and more, i.e. a broken first line): a document not complete at the end of its
//!     line is a row error holding the rest of the line, and reading goes on at the next line; a line
//!     that is not a document is one row error. A document whose first line is its bracket alone, and
//!     whose next line does not begin with `{` or `[`, ends this: the file is pretty-printed after all.
//!   - Otherwise (pretty-printed documents, arrays): a raw line end inside a string is an error of that
//!     document only (it is passed over to find the document's end); a document whose brackets do not
//!     match is a row error running up to the next line that begins, no more indented than the broken
//!     one, with `{` (or `]` closing the top-level array), or up to the end of the file.
//! - A file that ends inside a document or inside the top-level array is a fatal "truncated" error at the
//!   end of the file naming the line where the document or array began. A document larger than
//!   [`MAX_RETAINED_BYTES`] is fatal.
//!
//! Memory is bounded by the largest single top-level document (plus the rows made from it), never the
//! file: documents are found by a scan that follows strings, escapes and nesting, then each is decoded by
//! `serde_json` on its own.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memchr::{memchr, memchr2, memchr3, memrchr};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::csv::table_name;
use super::sql::{bytes_to_value, raw_text};
use super::window::{FillError, MAX_RETAINED_BYTES, Window};
use crate::source::{ReadError, ReadErrorKind, RowReader, SourceRow, Value};

/// The deepest nesting of arrays and objects a document may have (the document itself is level 1).
pub const MAX_DEPTH: usize = 128;

/// The column of a child row holding its 0-based index in its array.
pub const INDEX_COLUMN: &str = "#";

/// Prefix of the parent row's columns in a child row (twice for the grandparent's, ...).
pub const PARENT_PREFIX: &str = "^.";

/// How much of a JSON source [`scan_schema`] reads for its tables and columns.
pub const SCHEMA_SCAN_BYTES: u64 = 4 << 20;

const BOM: &[u8] = b"\xef\xbb\xbf";

const NOT_A_DOCUMENT: &str = "is not a document (documents are JSON objects)";

/// Streams the rows of a JSON or JSON Lines file.
pub struct JsonReader<R> {
    file: PathBuf,
    table: Arc<str>,
    win: Window<R>,
    /// Whether the file is read line by line (JSON Lines); decided at its first document.
    line_mode: Option<bool>,
    /// The top-level array being read.
    array: Option<OpenArray>,
    /// File offset of the last line end before the parse position (for the column of a document).
    last_line_end: Option<u64>,
    /// Open brackets of the value being scanned (kept to reuse its allocation).
    stack: Vec<u8>,
    /// Rows made from the current document, and the next one to give out.
    pending: Vec<Pending>,
    next_pending: usize,
    ordinals: HashMap<Arc<str>, u64>,
    /// The last column list of each table, shared by the rows that have the same one.
    columns: HashMap<Arc<str>, ColumnList>,
    /// The same, of own columns only (before `#` and the parent's).
    own_columns: HashMap<Arc<str>, Arc<[String]>>,
    tables: HashMap<String, Arc<str>>,
    done: bool,
}

/// A row's columns and the lists they were made of.
struct ColumnList {
    own: Arc<[String]>,
    parent: Option<Arc<[String]>>,
    all: Arc<[String]>,
}

struct OpenArray {
    line: u64,
    offset: u64,
}

/// A row of the current document, before it is given out.
struct Pending {
    table: Arc<str>,
    /// Own columns (flattened), without `#` and the parent's.
    columns: Arc<[String]>,
    values: Vec<Value>,
    index: Option<u64>,
    /// Index in `pending` of the parent row.
    parent: Option<usize>,
    /// Within the document.
    start: usize,
    len: usize,
    /// Why the object is a row error instead.
    problem: Option<String>,
    /// All columns, once given out (its children need them).
    full_columns: Option<Arc<[String]>>,
}

/// Why the window could not give more bytes.
enum Starved {
    Eof,
    TooLarge,
    Io(io::Error),
}

impl<R: BufRead> JsonReader<R> {
    /// The table is named after the file stem.
    pub fn new(file: impl Into<PathBuf>, input: R) -> Self {
        let file = file.into();
        let table = table_name(&file);
        JsonReader {
            file,
            table,
            win: Window::new(input),
            line_mode: None,
            array: None,
            last_line_end: None,
            stack: Vec::new(),
            pending: Vec::new(),
            next_pending: 0,
            ordinals: HashMap::new(),
            columns: HashMap::new(),
            own_columns: HashMap::new(),
            tables: HashMap::new(),
            done: false,
        }
    }

    #[cfg(test)]
    pub(crate) fn set_read_chunk(&mut self, chunk: usize) {
        self.win.set_read_chunk(chunk);
    }

    #[cfg(test)]
    pub(crate) fn set_max_retained(&mut self, max: usize) {
        self.win.set_max_retained(max);
    }

    // ---- errors -------------------------------------------------------------------------------------

    fn error_at(
        &mut self,
        kind: ReadErrorKind,
        line: u64,
        offset: u64,
        message: String,
        raw: Option<String>,
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
            raw,
        }
    }

    /// An error at `index` of the window, with the held bytes `raw` as its text.
    fn error(
        &mut self,
        kind: ReadErrorKind,
        index: usize,
        message: String,
        raw: Option<(usize, usize)>,
    ) -> ReadError {
        let raw = raw.map(|(from, to)| raw_text(&self.win.held()[from..to]));
        let line = self.win.line_of(index);
        let offset = self.win.offset_of(index);
        self.error_at(kind, line, offset, message, raw)
    }

    /// The fatal error for a window that ran dry inside `what`, which began at `line`.
    fn starved(&mut self, why: Starved, what: &str, line: u64) -> ReadError {
        let (index, message) = match why {
            Starved::Eof => (
                self.win.filled(),
                format!("truncated: file ends inside {what} that began at line {line}"),
            ),
            Starved::TooLarge => (
                self.win.pos,
                format!(
                    "{what} that began at line {line} is larger than {} MiB, the most a reader holds at once",
                    MAX_RETAINED_BYTES >> 20
                ),
            ),
            Starved::Io(e) => (
                self.win.pos,
                format!("read error inside {what} that began at line {line}: {e}"),
            ),
        };
        self.error(ReadErrorKind::Fatal, index, message, None)
    }

    /// Reads more, keeping the bytes from `keep_from` (which becomes index 0); fails if none came.
    fn refill(&mut self, keep_from: usize) -> Result<(), Starved> {
        self.win.pos = keep_from;
        match self.win.fill(keep_from) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Starved::Eof),
            Err(FillError::TooLarge) => Err(Starved::TooLarge),
            Err(FillError::Io(e)) => Err(Starved::Io(e)),
        }
    }

    /// Moves the parse position forward to `to`, noting the last line end passed.
    fn advance(&mut self, to: usize) {
        let from = self.win.pos;
        if let Some(k) = memrchr(b'\n', &self.win.held()[from..to]) {
            self.last_line_end = Some(self.win.offset_of(from + k));
        }
        self.win.pos = to;
    }

    fn count_row(&mut self, table: &Arc<str>) -> u64 {
        let n = self.ordinals.entry(table.clone()).or_insert(0);
        *n += 1;
        *n
    }

    // ---- top level ----------------------------------------------------------------------------------

    /// Reads the next top-level item: a document (whose rows go to `pending`), the bracket of the
    /// top-level array, or something that is an error.
    fn read_item(&mut self) -> Result<(), ReadError> {
        let Some(first) = self.skip_separators()? else {
            self.done = true;
            if let Some(array) = self.array.take() {
                let end = self.win.filled();
                let message = format!(
                    "truncated: file ends inside the top-level array that began at line {}",
                    array.line
                );
                return Err(self.error(ReadErrorKind::Fatal, end, message, None));
            }
            return Ok(());
        };
        match first {
            b'[' if self.array.is_none() => {
                // An array of documents is not JSON Lines, whatever its layout.
                self.line_mode.get_or_insert(false);
                let i = self.win.pos;
                self.array = Some(OpenArray {
                    line: self.win.line_of(i),
                    offset: self.win.offset_of(i),
                });
                self.win.pos += 1;
                Ok(())
            }
            b']' if self.array.is_some() => {
                self.array = None;
                self.win.pos += 1;
                Ok(())
            }
            b'{' | b'[' => self.read_value(),
            _ => self.read_junk(),
        }
    }

    /// Moves past whitespace, byte order marks and commas; returns the next byte, or None at the end.
    fn skip_separators(&mut self) -> Result<Option<u8>, ReadError> {
        loop {
            let line_mode = self.line_mode == Some(true);
            let in_array = self.array.is_some();
            let rest = self.win.rest();
            let mut k = 0;
            let mut partial_bom = false;
            let mut next = None;
            while k < rest.len() {
                match rest[k] {
                    b' ' | b'\t' | b'\r' | b',' => k += 1,
                    b'\n' if line_mode && in_array => {
                        next = Some(b'\n');
                        break;
                    }
                    b'\n' => k += 1,
                    0xef if rest[k..].starts_with(BOM) => k += 3,
                    0xef if BOM.starts_with(&rest[k..]) => {
                        partial_bom = true;
                        break;
                    }
                    b => {
                        next = Some(b);
                        break;
                    }
                }
            }
            self.advance(self.win.pos + k);
            match next {
                Some(b'\n') if line_mode && in_array => {
                    if let Some(array) = self.array.take() {
                        return Err(self.array_cut_off(array));
                    }
                }
                Some(b) => return Ok(Some(b)),
                None => {}
            }
            let at = self.win.pos;
            match self.refill(at) {
                Ok(()) => {}
                // The start of a byte order mark at the very end is a stray byte like any other.
                Err(Starved::Eof) if partial_bom => return Ok(Some(0xef)),
                Err(Starved::Eof) => return Ok(None),
                Err(why) => {
                    let line = self.win.line_of(self.win.pos);
                    return Err(self.starved(why, "the space between documents", line));
                }
            }
        }
    }

    /// In JSON Lines, a top-level array must end on its line.
    fn array_cut_off(&mut self, array: OpenArray) -> ReadError {
        let message = format!(
            "the top-level array that began here is not closed at the end of its line {} (JSON Lines); \
             its documents were read",
            self.win.line_of(self.win.pos)
        );
        self.error_at(ReadErrorKind::Row, array.line, array.offset, message, None)
    }

    /// A top-level value that is not an object or array: a row error holding it.
    fn read_junk(&mut self) -> Result<(), ReadError> {
        let mut start = self.win.pos;
        let line = self.win.line_of(start);
        let len = loop {
            let held = &self.win.held()[start..];
            let found = if self.line_mode == Some(true) && self.array.is_none() {
                // JSON Lines: a line that does not begin a document is one error, however many words.
                memchr(b'\n', held).map(|k| trim_line_end(&held[..k]).len())
            } else {
                junk_end(held, self.array.is_some(), self.line_mode == Some(true))
            };
            if let Some(n) = found {
                break n;
            }
            let filled = self.refill(start);
            start = self.win.pos;
            match filled {
                Ok(()) => {}
                Err(Starved::Eof) => break self.win.filled() - start,
                Err(why) => return Err(self.starved(why, "the text", line)),
            }
        };
        self.advance(start + len);
        let len = trim_end(&self.win.held()[start..start + len]).len().max(1);
        let token = &self.win.held()[start..start + len];
        let message = match serde_json::from_slice::<de::IgnoredAny>(token) {
            Ok(_) => format!("a top-level {} {NOT_A_DOCUMENT}", kind_of(token[0])),
            Err(_) => "text that is not JSON between documents".to_string(),
        };
        Err(self.error(
            ReadErrorKind::Row,
            start,
            message,
            Some((start, start + len)),
        ))
    }

    /// Reads the object or array that starts at the parse position.
    fn read_value(&mut self) -> Result<(), ReadError> {
        let line = self.win.line_of(self.win.pos);
        if self.line_mode.is_none() {
            self.decide_line_mode(line)?;
        }
        loop {
            let cut_at_line_end = self.line_mode == Some(true);
            let start = self.win.pos;
            let scan = scan_value(&self.win.held()[start..], cut_at_line_end, &mut self.stack);
            match scan {
                Scan::Complete { len, too_deep } => return self.finish_value(start, len, too_deep),
                Scan::Incomplete => {
                    let what = if self.win.held()[start] == b'[' {
                        "the array"
                    } else {
                        "the document"
                    };
                    if let Err(why) = self.refill(start) {
                        return Err(self.starved(why, what, line));
                    }
                }
                // A bracket alone on its line, not followed by a line that begins a document, is how a
                // pretty-printed document begins: the file is not JSON Lines after all.
                Scan::CutOff { at }
                    if trim_end(&self.win.held()[start + 1..start + at]).is_empty() =>
                {
                    match self.win.held().get(start + at + 1) {
                        Some(b'{' | b'[') => return self.broken(start, at, at, line),
                        Some(_) => self.line_mode = Some(false),
                        None if self.win.at_eof() => return self.broken(start, at, at, line),
                        None => {
                            if let Err(why) = self.refill(start) {
                                return Err(self.starved(why, "the document", line));
                            }
                        }
                    }
                }
                Scan::CutOff { at } => return self.broken(start, at, at, line),
                Scan::Mismatch { at } => return self.broken(start, at, at + 1, line),
            }
        }
    }

    /// JSON Lines or not: yes if the first document ends on its first line, or if it does not but the next
    /// non-blank line begins with `{` or `[` and more (a broken first line). Pretty-printers put a document's
    /// opening bracket on a line of its own and indent what is nested.
    fn decide_line_mode(&mut self, line: u64) -> Result<(), ReadError> {
        let mut start = self.win.pos;
        loop {
            let held = &self.win.held()[start..];
            let decided = match scan_value(held, true, &mut self.stack) {
                Scan::Complete { .. } => Some(true),
                Scan::CutOff { .. } | Scan::Mismatch { .. } => next_line_holds_a_document(held),
                Scan::Incomplete => None,
            };
            if let Some(decided) = decided {
                self.line_mode = Some(decided);
                return Ok(());
            }
            let filled = self.refill(start);
            start = self.win.pos;
            match filled {
                Ok(()) => {}
                Err(Starved::Eof) => {
                    self.line_mode = Some(true);
                    return Ok(());
                }
                Err(why) => return Err(self.starved(why, "the document", line)),
            }
        }
    }

    /// A balanced value `held[start..start + len]` was found.
    fn finish_value(&mut self, start: usize, len: usize, too_deep: bool) -> Result<(), ReadError> {
        self.advance(start + len);
        let end = start + len;
        let is_object = self.win.held()[start] == b'{';
        if !is_object {
            let message = format!("an array inside the top-level array {NOT_A_DOCUMENT}");
            return Err(self.error(ReadErrorKind::Row, start, message, Some((start, end))));
        }
        let table = self.table.clone();
        if too_deep {
            self.count_row(&table);
            let message = format!("the document is nested deeper than {MAX_DEPTH} levels");
            return Err(self.error(ReadErrorKind::Row, start, message, Some((start, end))));
        }
        let doc = &self.win.held()[start..end];
        let built = build_rows(doc, &table, &mut self.tables, &mut self.own_columns);
        match built {
            Ok(rows) => {
                self.pending = rows;
                self.next_pending = 0;
                Ok(())
            }
            Err(e) => {
                self.count_row(&table);
                let message = self.describe_json_error(&e, start, len, false);
                Err(self.error(ReadErrorKind::Row, start, message, Some((start, end))))
            }
        }
    }

    /// A document that cannot be complete: `bad_end` is the end of the bytes that show it (a line end, or
    /// a bracket that closes the wrong kind), `at` the index from which to look for where to go on.
    fn broken(
        &mut self,
        mut start: usize,
        at: usize,
        bad_end: usize,
        line: u64,
    ) -> Result<(), ReadError> {
        let diagnosis = serde_json::from_slice::<de::IgnoredAny>(trim_line_end(
            &self.win.held()[start..start + bad_end],
        ));
        let is_object = self.win.held()[start] == b'{';
        let line_mode = self.line_mode == Some(true);
        let column = self.column();
        // From here on, positions are relative to `start`, which moves when more is read.
        let (raw_end, resume) = loop {
            let held = &self.win.held()[start..];
            let found = if line_mode {
                memchr(b'\n', &held[at..]).map(|k| (at + k, at + k + 1))
            } else {
                resume_point(held, at, column, self.array.is_some())
            };
            if let Some(found) = found {
                break found;
            }
            let filled = self.refill(start);
            start = self.win.pos;
            match filled {
                Ok(()) => {}
                Err(Starved::Eof) => {
                    let n = self.win.filled() - start;
                    break (n, n);
                }
                Err(why) => return Err(self.starved(why, "the broken document", line)),
            }
        };
        let raw = trim_end(&self.win.held()[start..start + raw_end]).len();
        self.advance(start + resume);
        if is_object {
            let table = self.table.clone();
            self.count_row(&table);
        }
        let mut message = match diagnosis {
            Err(e) => self.describe_json_error(&e, start, bad_end, line_mode),
            Ok(_) => "the document does not end where it should".to_string(),
        };
        if line_mode && self.array.take().is_some() {
            message.push_str("; the top-level array on this line ends with it");
        } else if !line_mode {
            let next = if start + resume < self.win.filled() {
                format!("line {}", self.win.line_of(start + resume))
            } else {
                "the end of the file".to_string()
            };
            message.push_str(&format!(
                "; its brackets do not match, so this error runs to {next}, where the next document seems to begin"
            ));
        }
        Err(self.error(
            ReadErrorKind::Row,
            start,
            message,
            Some((start, start + raw)),
        ))
    }

    /// The 0-based column of the parse position.
    fn column(&self) -> usize {
        let offset = self.win.offset_of(self.win.pos);
        let line_start = self.last_line_end.map_or(0, |nl| nl + 1);
        usize::try_from(offset - line_start).unwrap_or(usize::MAX)
    }

    /// serde_json's complaint about the `len` bytes at `start`, with the position made a line of the file.
    fn describe_json_error(
        &mut self,
        e: &serde_json::Error,
        start: usize,
        len: usize,
        line_mode: bool,
    ) -> String {
        let text = e.to_string();
        let code = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(code, _)| code);
        if line_mode && e.is_eof() {
            return format!(
                "the document is not complete at the end of its line (JSON Lines): {code}"
            );
        }
        let held = &self.win.held()[start..start + len];
        let bad_utf8 = std::str::from_utf8(held).err().map(|e| e.valid_up_to());
        if let Some(valid) = bad_utf8.filter(|_| code == "invalid unicode code point") {
            let index = start + valid;
            let line = self.win.line_of(index);
            let offset = self.win.offset_of(index);
            return format!(
                "the document is not UTF-8 (line {line}, byte {offset}), as JSON text must be"
            );
        }
        // serde_json's column is of the bad byte or the one after it, depending on the error.
        let index = start + index_of_position(held, e.line(), e.column());
        let line = self.win.line_of(index);
        let offset = self.win.offset_of(index);
        format!("invalid JSON on line {line}, near byte {offset}: {code}")
    }

    // ---- rows ---------------------------------------------------------------------------------------

    fn next_pending(&mut self) -> Option<Result<SourceRow, ReadError>> {
        let k = self.next_pending;
        if k >= self.pending.len() {
            if !self.pending.is_empty() {
                self.pending.clear();
                self.next_pending = 0;
            }
            return None;
        }
        self.next_pending += 1;
        let table = self.pending[k].table.clone();
        let ordinal = self.count_row(&table);
        // The document's bytes are still held: nothing is read while its rows are given out.
        let doc_start = self.win.pos - (self.pending[0].start + self.pending[0].len);
        let start = doc_start + self.pending[k].start;
        if let Some(message) = self.pending[k].problem.take() {
            let end = start + self.pending[k].len;
            return Some(Err(self.error(
                ReadErrorKind::Row,
                start,
                message,
                Some((start, end)),
            )));
        }
        let parent_columns = self.pending[k]
            .parent
            .and_then(|q| self.pending[q].full_columns.clone());
        let columns = self.intern_columns(k, parent_columns);
        let mut values = Vec::with_capacity(columns.len());
        let mut at = Some(k);
        while let Some(q) = at {
            let p = &self.pending[q];
            values.extend(p.values.iter().cloned());
            if let Some(i) = p.index {
                values.push(Value::Text(i.to_string()));
            }
            at = p.parent;
        }
        self.pending[k].full_columns = Some(columns.clone());
        let p = &self.pending[k];
        Some(Ok(SourceRow {
            table,
            columns,
            values,
            row: ordinal,
            offset: self.win.offset_of(start),
            len: p.len as u64,
            sparse: true,
        }))
    }

    /// The full column list of pending row `k`, shared with the table's previous row when the same.
    fn intern_columns(&mut self, k: usize, parent: Option<Arc<[String]>>) -> Arc<[String]> {
        let p = &self.pending[k];
        let same_parts = |c: &ColumnList| {
            Arc::ptr_eq(&c.own, &p.columns)
                && match (&c.parent, &parent) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    (None, None) => true,
                    _ => false,
                }
        };
        // Own and parent lists are shared between rows that have the same ones: when both are the ones
        // the table's previous row was made of, so is the whole list.
        if let Some(c) = self.columns.get(&p.table)
            && same_parts(c)
        {
            return c.all.clone();
        }
        let parent_names = parent.as_deref().unwrap_or_default();
        let mut all = p.columns.to_vec();
        if p.index.is_some() {
            all.push(INDEX_COLUMN.to_string());
        }
        all.extend(parent_names.iter().map(|c| format!("{PARENT_PREFIX}{c}")));
        let all: Arc<[String]> = match self.columns.get(&p.table) {
            Some(c) if *c.all == *all => c.all.clone(),
            _ => all.into(),
        };
        let list = ColumnList {
            own: p.columns.clone(),
            parent,
            all: all.clone(),
        };
        self.columns.insert(p.table.clone(), list);
        all
    }
}

impl<R: BufRead> RowReader for JsonReader<R> {
    fn next_row(&mut self) -> Result<Option<SourceRow>, ReadError> {
        loop {
            if let Some(row) = self.next_pending() {
                return row.map(Some);
            }
            if self.done {
                return Ok(None);
            }
            self.read_item()?;
        }
    }

    fn bytes_read(&self) -> u64 {
        self.win.bytes_read()
    }
}

// ---- scanning ---------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// The value is the first `len` bytes.
    Complete { len: usize, too_deep: bool },
    /// The bytes end before the value does.
    Incomplete,
    /// A line end at `at` inside the value (JSON Lines).
    CutOff { at: usize },
    /// The bracket at `at` closes the wrong kind of bracket.
    Mismatch { at: usize },
}

/// Finds the end of the object or array at the start of `bytes` by following strings, escapes and
/// nesting; the syntax between is left to serde_json. With `cut_at_line_end`, a line end anywhere in the
/// value ends the scan (JSON text never holds a raw line end inside a string).
fn scan_value(bytes: &[u8], cut_at_line_end: bool, stack: &mut Vec<u8>) -> Scan {
    stack.clear();
    // Levels beyond MAX_DEPTH are only counted: the value is an error anyway, but its end is still found.
    let mut deeper = 0usize;
    let mut too_deep = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                loop {
                    let rest = &bytes[i..];
                    let found = if cut_at_line_end {
                        memchr3(b'"', b'\\', b'\n', rest)
                    } else {
                        memchr2(b'"', b'\\', rest)
                    };
                    let Some(k) = found else {
                        return Scan::Incomplete;
                    };
                    i += k;
                    match bytes[i] {
                        b'"' => break,
                        b'\\' => match bytes.get(i + 1) {
                            None => return Scan::Incomplete,
                            Some(b'\n') if cut_at_line_end => return Scan::CutOff { at: i + 1 },
                            Some(_) => i += 2,
                        },
                        _ => return Scan::CutOff { at: i },
                    }
                }
            }
            open @ (b'{' | b'[') => {
                if stack.len() < MAX_DEPTH {
                    stack.push(open);
                } else {
                    deeper += 1;
                    too_deep = true;
                }
            }
            close @ (b'}' | b']') => {
                if deeper > 0 {
                    deeper -= 1;
                } else {
                    let open = stack.pop();
                    if open != Some(if close == b'}' { b'{' } else { b'[' }) {
                        return Scan::Mismatch { at: i };
                    }
                    if stack.is_empty() {
                        return Scan::Complete {
                            len: i + 1,
                            too_deep,
                        };
                    }
                }
            }
            b'\n' if cut_at_line_end => return Scan::CutOff { at: i },
            _ => {}
        }
        i += 1;
    }
    Scan::Incomplete
}

/// Whether the next non-blank line after the first line of `held` begins with `{` or `[` and has more
/// after it; None if `held` ends before that is known.
fn next_line_holds_a_document(held: &[u8]) -> Option<bool> {
    let mut j = memchr(b'\n', held)? + 1;
    while matches!(held.get(j)?, b'\n' | b'\r') {
        j += 1;
    }
    if !matches!(held[j], b'{' | b'[') {
        return Some(false);
    }
    let after = &held[j + 1..];
    let more = after
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r'))?;
    Some(after[more] != b'\n')
}

/// The end of a stray top-level token at the start of `bytes` (a string, or a run up to whitespace or
/// the next value); None if `bytes` may end inside it.
fn junk_end(bytes: &[u8], in_array: bool, cut_at_line_end: bool) -> Option<usize> {
    if bytes.first() == Some(&b'"') {
        let mut i = 1;
        loop {
            let rest = &bytes[i..];
            let k = if cut_at_line_end {
                memchr3(b'"', b'\\', b'\n', rest)?
            } else {
                memchr2(b'"', b'\\', rest)?
            };
            i += k;
            match (bytes[i], bytes.get(i + 1)) {
                (b'"', _) => return Some(i + 1),
                (b'\\', None) => return None,
                (b'\\', Some(b'\n')) if cut_at_line_end => return Some(i + 1),
                (b'\\', Some(_)) => i += 2,
                // A line end in JSON Lines.
                _ => return Some(i),
            }
        }
    }
    let ends = |b: u8| {
        matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'{' | b'[' | b',' | b'"')
            || (in_array && b == b']')
    };
    // The first byte always belongs to the token, so that reading moves on.
    bytes.iter().skip(1).position(|&b| ends(b)).map(|k| k + 1)
}

/// Where to go on after a broken document (positions within `held`, which starts at the document):
/// the next line, after `from`, that begins with `{` (or `[` between documents, `]` in the top-level
/// array) indented no more than the broken document (`column`). Returns (end of the broken text, resume).
fn resume_point(held: &[u8], from: usize, column: usize, in_array: bool) -> Option<(usize, usize)> {
    let mut i = from;
    loop {
        let line_start = i + memchr(b'\n', &held[i..])? + 1;
        let indent = held[line_start..]
            .iter()
            .position(|&b| b != b' ' && b != b'\t')?;
        let first = held[line_start + indent];
        let opens = match first {
            b'{' => true,
            b'[' => !in_array,
            b']' => in_array,
            _ => false,
        };
        if opens && indent <= column {
            return Some((line_start, line_start + indent));
        }
        i = line_start;
    }
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .map_or(0, |k| k + 1);
    &bytes[..n]
}

fn trim_line_end(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

/// The byte index of serde_json's (1-based line, column) in `bytes`.
fn index_of_position(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr(b'\n', &bytes[start..]) {
            Some(k) => start += k + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(bytes.len())
}

fn kind_of(first: u8) -> &'static str {
    match first {
        b'"' => "string",
        b't' | b'f' => "boolean",
        b'n' => "null",
        _ => "number",
    }
}

// ---- decoding ---------------------------------------------------------------------------------------

/// A member's name, borrowed from the document unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for KeyVisitor<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor(PhantomData))
    }
}

/// An object's members in order, values undecoded.
struct Members<'a>(Vec<(Key<'a>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MembersVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for MembersVisitor<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // serde_json gives no size hint; growing from nothing is a good part of the cost.
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(member) = map.next_entry::<Key<'a>, &'a RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(MembersVisitor(PhantomData))
    }
}

/// A JSON string's bytes after its escapes: UTF-8, or WTF-8 when it escapes a lone surrogate.
struct StringBytes(Vec<u8>);

impl<'de> Deserialize<'de> for StringBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct BytesVisitor;
        impl Visitor<'_> for BytesVisitor {
            type Value = StringBytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON string")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(StringBytes(v.to_vec()))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
                Ok(StringBytes(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StringBytes(v.as_bytes().to_vec()))
            }
        }
        // serde_json hands out a string's raw bytes here, without refusing unpaired surrogates.
        d.deserialize_bytes(BytesVisitor)
    }
}

/// An object's own columns and values, and its arrays of objects (key path, elements).
struct Flat<'a> {
    /// The own columns of the table's previous row: while this object's are the same, no name is made.
    expect: Option<Arc<[String]>>,
    /// The names, once they differ from `expect`.
    names: Option<Vec<String>>,
    values: Vec<Value>,
    children: Vec<(String, Vec<&'a RawValue>)>,
}

/// Short names compare faster byte by byte than through a call to `memcmp`.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn joined(prefix: &str, key: Cow<'_, str>) -> String {
    if prefix.is_empty() {
        key.into_owned()
    } else {
        format!("{prefix}{key}")
    }
}

impl<'a> Flat<'a> {
    fn new(expect: Option<Arc<[String]>>) -> Self {
        let width = expect.as_ref().map_or(16, |e| e.len());
        Flat {
            expect,
            names: None,
            values: Vec::with_capacity(width),
            children: Vec::new(),
        }
    }

    fn push_name(&mut self, prefix: &str, key: Cow<'_, str>) {
        let i = self.values.len();
        let expect = self.expect.as_deref().unwrap_or_default();
        if self.names.is_none() {
            if let Some(e) = expect.get(i)
                && e.len() == prefix.len() + key.len()
                && same_bytes(&e.as_bytes()[..prefix.len()], prefix.as_bytes())
                && same_bytes(&e.as_bytes()[prefix.len()..], key.as_bytes())
            {
                return;
            }
            self.names = Some(expect[..i].to_vec());
        }
        if let Some(names) = &mut self.names {
            names.push(joined(prefix, key));
        }
    }

    /// The own columns, and whether they are new (not the previous row's).
    fn columns(&mut self) -> (Arc<[String]>, bool) {
        let n = self.values.len();
        match (self.names.take(), &self.expect) {
            (Some(names), _) => (names.into(), true),
            (None, Some(expect)) if expect.len() == n => (expect.clone(), false),
            (None, expect) => (
                expect.as_deref().unwrap_or_default()[..n].to_vec().into(),
                true,
            ),
        }
    }

    fn add(&mut self, members: Members<'a>, prefix: &str) -> Result<(), serde_json::Error> {
        for (Key(key), raw) in members.0 {
            let text = raw.get();
            let value = match text.as_bytes().first() {
                Some(b'{') => {
                    let inner: Members<'a> = serde_json::from_str(text)?;
                    self.add(inner, &format!("{}.", joined(prefix, key)))?;
                    continue;
                }
                Some(b'[') => {
                    let items: Vec<&'a RawValue> = serde_json::from_str(text)?;
                    if !items.is_empty() && items.iter().all(|i| i.get().starts_with('{')) {
                        self.children.push((joined(prefix, key), items));
                        continue;
                    }
                    Value::Text(minify(text))
                }
                Some(b'"') => {
                    let StringBytes(bytes) = serde_json::from_str(text)?;
                    bytes_to_value(bytes)
                }
                Some(b'n') => Value::Null,
                // Numbers as written; true and false.
                _ => Value::Text(text.to_string()),
            };
            self.push_name(prefix, key);
            self.values.push(value);
        }
        Ok(())
    }
}

/// A column named twice cannot be told apart; `#` and `^.` are the reader's own in a child row.
fn check_names(columns: &[String], child: bool) -> Result<(), String> {
    let mut seen = HashSet::with_capacity(columns.len());
    for c in columns {
        if child && (c == INDEX_COLUMN || c.starts_with(PARENT_PREFIX)) {
            return Err(format!(
                "the key {c:?} of an object in an array is a name the reader gives to its own columns \
                 (`#` the index, `^.` the parent's)"
            ));
        }
        if !seen.insert(c.as_str()) {
            return Err(format!(
                "the column {c:?} occurs twice in the object (a repeated key, or a dotted key that is \
                 also a nested one)"
            ));
        }
    }
    Ok(())
}

/// The JSON text of a value without the whitespace between its tokens.
fn minify(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() {
                    match memchr2(b'"', b'\\', &bytes[i..]) {
                        Some(k) if bytes[i + k] == b'\\' => i += k + 2,
                        Some(k) => {
                            i += k + 1;
                            break;
                        }
                        None => i = bytes.len(),
                    }
                }
                let end = i.min(bytes.len());
                out.extend_from_slice(&bytes[start..end]);
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    // Only ASCII whitespace outside strings was dropped, so the text is still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Makes the rows of one document (`doc`, from `{` to `}`): the document's row, then its child rows
/// depth first. The document must be valid JSON; an object below it that cannot be read becomes a row
/// with a problem.
fn build_rows(
    doc: &[u8],
    table: &Arc<str>,
    tables: &mut HashMap<String, Arc<str>>,
    own_columns: &mut HashMap<Arc<str>, Arc<[String]>>,
) -> Result<Vec<Pending>, serde_json::Error> {
    let members: Members<'_> = serde_json::from_slice(doc)?;
    let mut rows = Vec::new();
    let mut builder = Builder {
        doc,
        tables,
        own_columns,
        rows: &mut rows,
    };
    builder.object(table.clone(), 0, doc.len(), Ok(members), None, None);
    Ok(rows)
}

struct Builder<'d, 't> {
    doc: &'d [u8],
    tables: &'t mut HashMap<String, Arc<str>>,
    /// The own columns of the last row of each table.
    own_columns: &'t mut HashMap<Arc<str>, Arc<[String]>>,
    rows: &'t mut Vec<Pending>,
}

impl<'d> Builder<'d, '_> {
    fn object(
        &mut self,
        table: Arc<str>,
        start: usize,
        len: usize,
        members: Result<Members<'d>, serde_json::Error>,
        index: Option<u64>,
        parent: Option<usize>,
    ) {
        let k = self.rows.len();
        self.rows.push(Pending {
            table: table.clone(),
            columns: Arc::from([]),
            values: Vec::new(),
            index,
            parent,
            start,
            len,
            problem: None,
            full_columns: None,
        });
        let mut flat = Flat::new(self.own_columns.get(&table).cloned());
        let checked = members.and_then(|m| flat.add(m, "")).map_err(|e| {
            let text = e.to_string();
            let code = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(c, _)| c);
            format!("cannot decode the object: {code}")
        });
        let (columns, new) = flat.columns();
        // A list of names seen before was checked then.
        let checked = checked.and_then(|()| match new {
            true => check_names(&columns, index.is_some()),
            false => Ok(()),
        });
        if let Err(problem) = checked {
            self.rows[k].problem = Some(problem);
            return;
        }
        if new {
            self.own_columns.insert(table.clone(), columns.clone());
        }
        let children = std::mem::take(&mut flat.children);
        self.rows[k].columns = columns;
        self.rows[k].values = flat.values;
        for (key, items) in children {
            let name = format!("{table}.{key}");
            let child_table = match self.tables.get(&name) {
                Some(t) => t.clone(),
                None => {
                    let t: Arc<str> = Arc::from(name.as_str());
                    self.tables.insert(name, t.clone());
                    t
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                let text = item.get();
                // The element's text is a slice of the document: its place there is its span.
                let at = (text.as_ptr() as usize).wrapping_sub(self.doc.as_ptr() as usize);
                let at = if at <= self.doc.len() { at } else { 0 };
                let members = serde_json::from_str::<Members<'d>>(text);
                self.object(
                    child_table.clone(),
                    at,
                    text.len(),
                    members,
                    Some(i as u64),
                    Some(k),
                );
            }
        }
    }
}

/// Decodes the bytes of one object, as a [`SourceRow`]'s offset and length locate them, to its own
/// columns and values (without `#`, the parent's columns and its arrays of objects, which are rows of
/// their own).
pub fn parse_object(bytes: &[u8]) -> Result<(Vec<String>, Vec<Value>), String> {
    let members: Members<'_> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut flat = Flat::new(None);
    flat.add(members, "").map_err(|e| e.to_string())?;
    let (columns, _) = flat.columns();
    Ok((columns.to_vec(), flat.values))
}

/// The tables of a JSON source and the union of the columns its rows have, from the documents that begin
/// in the first [`SCHEMA_SCAN_BYTES`] (a document that begins there is read whole, with its child rows).
/// Bad documents are passed over; a fatal error is returned only when nothing was seen before it.
pub(crate) fn scan_schema(
    path: &Path,
    name: &Path,
) -> Result<BTreeMap<String, Vec<String>>, ReadError> {
    let file = File::open(path).map_err(|e| ReadError {
        kind: ReadErrorKind::Fatal,
        file: name.to_path_buf(),
        line: 0,
        offset: 0,
        message: e.to_string(),
        raw: None,
    })?;
    let input = super::compressed::decompress(file)
        .map_err(|e| ReadError {
            kind: ReadErrorKind::Fatal,
            file: name.to_path_buf(),
            line: 0,
            offset: 0,
            message: e.to_string(),
            raw: None,
        })?
        .reader;
    let mut reader = JsonReader::new(name, BufReader::with_capacity(1 << 20, input));
    let top = reader.table.clone();
    let mut schema: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut known: HashSet<(Arc<str>, String)> = HashSet::new();
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                if row.table == top && row.offset >= SCHEMA_SCAN_BYTES {
                    break;
                }
                let columns = schema.entry(row.table.to_string()).or_default();
                for c in row.columns.iter() {
                    if known.insert((row.table.clone(), c.clone())) {
                        columns.push(c.clone());
                    }
                }
            }
            Ok(None) => break,
            Err(e) if e.kind == ReadErrorKind::Row => {}
            Err(e) if schema.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    Ok(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str, lines: bool) -> Scan {
        scan_value(s.as_bytes(), lines, &mut Vec::new())
    }

    #[test]
    fn scanning_follows_strings_escapes_and_nesting() {
        assert_eq!(
            scan(r#"{"a": "}]\"{", "b": [1, {"c": []}]} tail"#, false),
            Scan::Complete {
                len: 35,
                too_deep: false
            }
        );
        assert_eq!(
            scan(r#"{"a": "x\\"}"#, false),
            Scan::Complete {
                len: 12,
                too_deep: false
            }
        );
        assert_eq!(scan(r#"{"a": "x\""#, false), Scan::Incomplete);
        assert_eq!(scan(r#"{"a": "x\"#, false), Scan::Incomplete);
        assert_eq!(scan(r#"{"a": [1}"#, false), Scan::Mismatch { at: 8 });
        assert_eq!(
            scan("{\"a\":\n1}", false),
            Scan::Complete {
                len: 8,
                too_deep: false
            }
        );
        assert_eq!(scan("{\"a\":\n1}", true), Scan::CutOff { at: 5 });
        assert_eq!(scan("{\"a\": \"x\n\"}", true), Scan::CutOff { at: 8 });
        assert_eq!(scan("{\"a\": \"x\\\n\"}", true), Scan::CutOff { at: 9 });
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 5), "]".repeat(MAX_DEPTH + 5));
        assert_eq!(
            scan(&deep, false),
            Scan::Complete {
                len: deep.len(),
                too_deep: true
            }
        );
        let limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(
            scan(&limit, false),
            Scan::Complete {
                len: limit.len(),
                too_deep: false
            }
        );
    }

    #[test]
    fn junk_tokens() {
        assert_eq!(junk_end(b"42 {", false, false), Some(2));
        assert_eq!(junk_end(b"42]", true, false), Some(2));
        assert_eq!(junk_end(b"]]]\n", false, false), Some(3));
        assert_eq!(junk_end(b"\"a\\\"b\" x", false, false), Some(6));
        assert_eq!(junk_end(b"\"ab\ncd\"", false, true), Some(3));
        assert_eq!(junk_end(b"1234", false, false), None);
        assert_eq!(junk_end(b"\"ab", false, false), None);
    }

    #[test]
    fn resume_points() {
        let text = b"{\"a\": [}\n  {\"b\": 1}\n{\"c\": 2}\n";
        assert_eq!(resume_point(text, 7, 0, false), Some((20, 20)));
        assert_eq!(resume_point(text, 7, 2, false), Some((9, 11)));
        assert_eq!(resume_point(text, 7, 0, true), Some((20, 20)));
        assert_eq!(resume_point(b"{]\n  x\n", 1, 0, false), None);
        assert_eq!(resume_point(b"{]\n]", 1, 0, true), Some((3, 3)));
    }

    #[test]
    fn minify_keeps_tokens_as_written() {
        assert_eq!(
            minify("[ \"U S\" ,\n  1.50 , \"\\\" ]\" ]"),
            r#"["U S",1.50,"\" ]"]"#
        );
    }

    #[test]
    fn a_document_larger_than_the_limit_is_fatal() {
        let mut file = b"{\"a\": 1}\n{\"b\": \"".to_vec();
        file.extend(std::iter::repeat_n(b'x', 100_000));
        file.extend(b"\"}\n");
        let mut reader = JsonReader::new("t.jsonl", &file[..]);
        reader.set_max_retained(1000);
        reader.set_read_chunk(100);
        assert!(reader.next_row().unwrap().is_some());
        let err = reader.next_row().unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::Fatal);
        assert_eq!(err.line, 2, "{err}");
        assert!(
            err.message.contains("began at line 2 is larger than"),
            "{}",
            err.message
        );
        assert_eq!(reader.next_row(), Ok(None));
    }

    #[test]
    fn column_lists_are_shared_only_when_equal() {
        let text = "{\"a\": 1, \"b\": 2}\n{\"a\": 3}\n{\"a\": 4, \"b\": 5, \"c\": 6}\n{\"a\": 7, \"b\": 8}\n\
                    {\"a\": 9, \"s.t\": 0}\n{\"a\": 9, \"s\": {\"t\": 1}}\n{\"a\": 9, \"s\": {\"u\": 1}}\n";
        let mut reader = JsonReader::new("t.jsonl", text.as_bytes());
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            rows.push(row);
        }
        let names: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.columns.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            names,
            [
                vec!["a", "b"],
                vec!["a"],
                vec!["a", "b", "c"],
                vec!["a", "b"],
                vec!["a", "s.t"],
                vec!["a", "s.t"],
                vec!["a", "s.u"],
            ]
        );
        assert!(Arc::ptr_eq(&rows[4].columns, &rows[5].columns));
        assert_eq!(rows[6].values[1], Value::Text("1".to_string()));
    }
}
