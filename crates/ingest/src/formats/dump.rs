//! The statement-level reader behind both SQL dump formats: splits statements, learns column names from
//! `CREATE TABLE`, and yields one row per INSERT tuple or COPY line.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use memchr::memchr;

use super::sql::{
    BlockCommentScanner, Comment, Cursor, Dialect, NeedMore, Scan, Spare, StatementScanner, Token,
    TupleParse, comment_at, decode_tuple, describe_byte, find_tuple_end, is_space, raw_text,
};
use super::window::{FillError, MAX_RETAINED_BYTES, Window};
use super::{pg, sql};
use crate::source::{ReadError, ReadErrorKind, SourceRow, Value};

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Longest `DELIMITER` a dump may set; anything longer is not a delimiter a client would accept.
const MAX_DELIMITER: usize = 16;

/// A table as seen so far in this source.
struct Table {
    name: Arc<str>,
    /// From `CREATE TABLE`, or `c1..cN` made up from the first row when there was none.
    declared: Option<Arc<[String]>>,
    /// The last explicit column list of an INSERT or COPY, shared by the rows of later statements.
    last_listed: Option<Arc<[String]>>,
    rows: u64,
}

/// The INSERT or COPY whose rows are being read.
struct Target {
    table: usize,
    /// None until known: nothing declared and no row read yet.
    columns: Option<Arc<[String]>>,
    /// Where the statement began (for truncation messages).
    line: u64,
}

/// The target is boxed: it moves from state to state twice a row, and moved by value (four words) it was
/// read back in wider loads than it was written with, which stalled every row.
enum State {
    Statements,
    /// Inside an INSERT, before the `(` of the next row.
    Rows(Box<Target>),
    /// Inside an INSERT, after a row.
    AfterRow(Box<Target>),
    Copy(Box<Target>),
    /// A COPY whose data cannot be read (not text format): its lines are passed over.
    SkipCopy {
        line: u64,
    },
    Skip {
        scanner: StatementScanner,
        line: u64,
    },
    Done,
}

/// What was open when the input ran dry, for the error message.
enum Open {
    Statement,
    CreateTable,
    Comment,
    Insert {
        table: usize,
    },
    /// A row of an INSERT, which began at `line`.
    Row {
        table: usize,
        line: u64,
    },
    Copy {
        table: usize,
    },
    SkippedCopy,
}

/// Why the window could not give more bytes.
enum Starved {
    Eof,
    TooLarge,
    Io(std::io::Error),
}

pub(crate) struct DumpReader<R> {
    dialect: Dialect,
    file: PathBuf,
    win: Window<R>,
    state: State,
    delimiter: Vec<u8>,
    tables: Vec<Table>,
    table_index: HashMap<String, usize>,
    /// Buffers of rows given back by [`DumpReader::recycle`], for the values of the next ones.
    spare: Spare,
    spare_values: Vec<Value>,
}

impl<R: Read> DumpReader<R> {
    pub(crate) fn new(dialect: Dialect, file: PathBuf, input: R) -> Self {
        DumpReader {
            dialect,
            file,
            win: Window::new(input),
            state: State::Statements,
            delimiter: b";".to_vec(),
            tables: Vec::new(),
            table_index: HashMap::new(),
            spare: Spare::default(),
            spare_values: Vec::new(),
        }
    }

    #[cfg(test)]
    pub(crate) fn set_max_retained(&mut self, max: usize) {
        self.win.set_max_retained(max);
    }

    #[cfg(test)]
    pub(crate) fn set_read_chunk(&mut self, chunk: usize) {
        self.win.set_read_chunk(chunk);
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.win.bytes_read()
    }

    /// Takes back a row this reader made, once its values are no longer needed, to decode later rows into
    /// its buffers.
    pub(crate) fn recycle(&mut self, mut row: SourceRow) {
        self.spare.keep(&mut row.values);
        if row.values.capacity() > self.spare_values.capacity() {
            self.spare_values = row.values;
        }
    }

    pub(crate) fn next_row(&mut self) -> Result<Option<SourceRow>, ReadError> {
        loop {
            // A step that fails fatally leaves `Done` behind; every other step sets the state it ends in.
            let row = match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(None),
                State::Statements => {
                    self.step_statement()?;
                    None
                }
                State::Rows(target) => self.step_row(target)?,
                State::AfterRow(target) => {
                    self.step_after_row(target)?;
                    None
                }
                State::Copy(target) => self.step_copy_line(target)?,
                State::SkipCopy { line } => {
                    self.step_skip_copy(line)?;
                    None
                }
                State::Skip { scanner, line } => {
                    self.step_skip(scanner, line)?;
                    None
                }
            };
            if row.is_some() {
                return Ok(row);
            }
        }
    }

    // ---- errors -------------------------------------------------------------------------------------

    /// An error at `index` of the window. A fatal one ends the reading.
    fn error(
        &mut self,
        kind: ReadErrorKind,
        index: usize,
        message: String,
        raw: Option<&[u8]>,
    ) -> ReadError {
        if kind == ReadErrorKind::Fatal {
            self.state = State::Done;
        }
        ReadError {
            kind,
            file: self.file.clone(),
            line: self.win.line_of(index),
            offset: self.win.offset_of(index),
            message,
            raw: raw.map(raw_text),
        }
    }

    fn describe(&self, open: &Open) -> String {
        let name = |table: &usize| &self.tables[*table].name;
        match open {
            Open::Statement => "a statement".to_string(),
            Open::CreateTable => "a CREATE TABLE statement".to_string(),
            Open::Comment => "a comment".to_string(),
            Open::Insert { table } => format!("the INSERT statement for `{}`", name(table)),
            Open::Row { table, line } => format!(
                "a row (line {line}) of the INSERT statement for `{}`",
                name(table)
            ),
            Open::Copy { table } => format!("the COPY block for `{}` (no `\\.` line)", name(table)),
            Open::SkippedCopy => "a COPY block (no `\\.` line)".to_string(),
        }
    }

    /// The fatal error for a window that ran dry inside `open`, whose statement began at `line`.
    fn starved(&mut self, why: Starved, open: Open, line: u64) -> ReadError {
        let what = self.describe(&open);
        let (index, message) = match why {
            Starved::Eof => (
                self.win.filled(),
                format!("truncated: file ends inside {what} started at line {line}"),
            ),
            Starved::TooLarge => (
                self.win.pos,
                format!(
                    "{what} started at line {line} is larger than {} MiB, the most a reader holds at once",
                    MAX_RETAINED_BYTES >> 20
                ),
            ),
            // Where the input broke, as a truncation points at where it ends.
            Starved::Io(e) => (
                self.win.filled(),
                format!("read error inside {what} started at line {line}: {e}"),
            ),
        };
        self.error(ReadErrorKind::Fatal, index, message, None)
    }

    /// Reads more bytes keeping those from `keep_from` on; fails if none came.
    fn refill(&mut self, keep_from: usize) -> Result<(), Starved> {
        match self.win.fill(keep_from) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Starved::Eof),
            Err(FillError::TooLarge) => Err(Starved::TooLarge),
            Err(FillError::Io(e)) => Err(Starved::Io(e)),
        }
    }

    /// Moves past spaces; false at the end of the input.
    fn skip_spaces(&mut self) -> Result<bool, Starved> {
        loop {
            let rest = self.win.rest();
            if let Some(k) = rest.iter().position(|&b| !is_space(b)) {
                self.win.pos += k;
                return Ok(true);
            }
            self.win.pos = self.win.filled();
            match self.refill(self.win.pos) {
                Ok(()) => {}
                Err(Starved::Eof) => return Ok(false),
                Err(other) => return Err(other),
            }
        }
    }

    /// Runs `f` on the bytes from the parse position, reading more while it needs more.
    fn with_rest<T>(
        &mut self,
        open: Open,
        line: u64,
        mut f: impl FnMut(&[u8], bool) -> Result<T, NeedMore>,
    ) -> Result<T, ReadError> {
        loop {
            match f(self.win.rest(), self.win.at_eof()) {
                Ok(t) => return Ok(t),
                Err(NeedMore) => {
                    if let Err(why) = self.refill(self.win.pos) {
                        return Err(self.starved(why, open, line));
                    }
                }
            }
        }
    }

    // ---- between statements -------------------------------------------------------------------------

    fn step_statement(&mut self) -> Result<(), ReadError> {
        match self.skip_spaces() {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(why) => {
                let line = self.win.line_of(self.win.pos);
                return Err(self.starved(why, Open::Statement, line));
            }
        }
        self.state = State::Statements;
        if self.win.offset_of(self.win.pos) == 0 {
            // A byte order mark, as Windows editors leave before the first statement.
            let bom = self.with_rest(Open::Statement, 1, |s, eof| match s {
                _ if s.starts_with(BOM) => Ok(BOM.len()),
                _ if !eof && BOM.starts_with(s) => Err(NeedMore),
                _ => Ok(0),
            })?;
            if bom > 0 {
                self.win.pos += bom;
                return Ok(());
            }
        }
        let line = self.win.line_of(self.win.pos);
        let dialect = self.dialect;
        let delimiter = std::mem::take(&mut self.delimiter);
        let kind = self.with_rest(Open::Statement, line, |s, eof| {
            classify(dialect, s, eof, &delimiter)
        });
        self.delimiter = delimiter;
        match kind? {
            StatementKind::Comment(Comment::Line) | StatementKind::MetaCommand => self.skip_line(),
            StatementKind::Comment(Comment::Block) => self.skip_block_comment(line),
            StatementKind::Empty(n) => {
                self.win.pos += n;
                Ok(())
            }
            StatementKind::Delimiter => self.read_delimiter(line),
            StatementKind::Insert => self.start_insert(line),
            StatementKind::CreateTable => self.read_create_table(line),
            StatementKind::Copy => self.start_copy(line),
            StatementKind::Other => {
                self.state = State::Skip {
                    scanner: StatementScanner::new(self.dialect),
                    line,
                };
                Ok(())
            }
        }
    }

    fn skip_line(&mut self) -> Result<(), ReadError> {
        loop {
            if let Some(k) = memchr(b'\n', self.win.rest()) {
                self.win.pos += k + 1;
                self.state = State::Statements;
                return Ok(());
            }
            self.win.pos = self.win.filled();
            match self.refill(self.win.pos) {
                Ok(()) => {}
                // A comment may end the file.
                Err(Starved::Eof) => return Ok(()),
                Err(why) => {
                    let line = self.win.line_of(self.win.pos);
                    return Err(self.starved(why, Open::Comment, line));
                }
            }
        }
    }

    fn skip_block_comment(&mut self, line: u64) -> Result<(), ReadError> {
        self.win.pos += 2;
        let mut scanner = BlockCommentScanner::new(self.dialect);
        loop {
            match scanner.scan(self.win.rest()) {
                Scan::Done(n) => {
                    self.win.pos += n;
                    self.state = State::Statements;
                    return Ok(());
                }
                Scan::More(n) => {
                    self.win.pos += n;
                    if let Err(why) = self.refill(self.win.pos) {
                        return Err(self.starved(why, Open::Comment, line));
                    }
                }
            }
        }
    }

    /// The mysql client's `DELIMITER xx` line, which dumps of routines and triggers use.
    fn read_delimiter(&mut self, line: u64) -> Result<(), ReadError> {
        let (len, delimiter) = self.with_rest(Open::Statement, line, |s, eof| {
            let end = match memchr(b'\n', s) {
                Some(k) => k,
                None if eof => s.len(),
                None => return Err(NeedMore),
            };
            let argument = s["DELIMITER".len().min(end)..end]
                .split(|&b| is_space(b))
                .find(|part| !part.is_empty())
                .map(<[u8]>::to_vec);
            Ok(((end + 1).min(s.len()), argument))
        })?;
        self.win.pos += len;
        self.state = State::Statements;
        match delimiter {
            Some(d) if d.len() <= MAX_DELIMITER => {
                self.delimiter = d;
                Ok(())
            }
            _ => {
                let at = self.win.pos - len;
                Err(self.error(
                    ReadErrorKind::Row,
                    at,
                    "DELIMITER without a usable delimiter; keeping the previous one".to_string(),
                    None,
                ))
            }
        }
    }

    /// Bytes of the whole statement starting at the parse position, delimiter excluded; the parse position
    /// moves past it.
    fn take_statement(
        &mut self,
        open: Open,
        line: u64,
    ) -> Result<std::ops::Range<usize>, ReadError> {
        let mut scanner = StatementScanner::new(self.dialect);
        let mut scanned = 0;
        loop {
            let held = self.win.held();
            let from = self.win.pos + scanned;
            match scanner.scan(&held[from..], &self.delimiter, self.win.at_eof()) {
                Scan::Done(n) => {
                    let start = self.win.pos;
                    let end = from + n;
                    self.win.pos = end;
                    return Ok(start..end - self.delimiter.len());
                }
                Scan::More(n) => {
                    scanned += n;
                    if let Err(why) = self.refill(self.win.pos) {
                        return Err(self.starved(why, open, line));
                    }
                }
            }
        }
    }

    fn read_create_table(&mut self, line: u64) -> Result<(), ReadError> {
        let range = self.take_statement(Open::CreateTable, line)?;
        self.state = State::Statements;
        let parsed = parse_create_table(self.dialect, &self.win.held()[range.clone()]);
        match parsed {
            CreateTable::Columns(name, columns) => {
                let table = self.table(name);
                self.tables[table].declared = Some(columns.into());
                Ok(())
            }
            CreateTable::NoColumnList => Ok(()),
            CreateTable::Unreadable => {
                let raw = self.win.held()[range.clone()].to_vec();
                Err(self.error(
                    ReadErrorKind::Row,
                    range.start,
                    "could not read the table name and columns of this CREATE TABLE".to_string(),
                    Some(&raw),
                ))
            }
        }
    }

    fn table(&mut self, name: String) -> usize {
        if let Some(&index) = self.table_index.get(&name) {
            return index;
        }
        self.tables.push(Table {
            name: Arc::from(name.as_str()),
            declared: None,
            last_listed: None,
            rows: 0,
        });
        self.table_index.insert(name, self.tables.len() - 1);
        self.tables.len() - 1
    }

    fn target(&mut self, name: String, listed: Option<Vec<String>>, line: u64) -> Box<Target> {
        let table = self.table(name);
        let entry = &mut self.tables[table];
        let columns = match listed {
            Some(list) => {
                let shared = match &entry.last_listed {
                    Some(last) if **last == *list => last.clone(),
                    _ => Arc::from(list),
                };
                entry.last_listed = Some(shared.clone());
                Some(shared)
            }
            None => entry.declared.clone(),
        };
        Box::new(Target {
            table,
            columns,
            line,
        })
    }

    fn start_insert(&mut self, line: u64) -> Result<(), ReadError> {
        let dialect = self.dialect;
        let head = self.with_rest(Open::Statement, line, |s, eof| {
            parse_insert_head(dialect, s, eof)
        })?;
        match head {
            InsertHead::Values {
                table,
                columns,
                body,
            } => {
                self.win.pos += body;
                self.state = State::Rows(self.target(table, columns, line));
                Ok(())
            }
            InsertHead::Unsupported(what) => {
                let at = self.win.pos;
                self.state = State::Skip {
                    scanner: StatementScanner::new(self.dialect),
                    line,
                };
                Err(self.error(
                    ReadErrorKind::Row,
                    at,
                    format!("{what} is not supported; statement skipped"),
                    None,
                ))
            }
        }
    }

    fn start_copy(&mut self, line: u64) -> Result<(), ReadError> {
        let dialect = self.dialect;
        let head = self.with_rest(Open::Statement, line, |s, eof| {
            parse_copy_head(dialect, s, eof)
        })?;
        match head {
            CopyHead::FromStdin {
                table,
                columns,
                end,
                text,
            } => {
                self.win.pos += end;
                // The data starts on the next line.
                let line_end =
                    self.with_rest(Open::Statement, line, |s, eof| match memchr(b'\n', s) {
                        Some(k) => Ok(k + 1),
                        None if eof => Ok(s.len()),
                        None => Err(NeedMore),
                    })?;
                self.win.pos += line_end;
                if text {
                    self.state = State::Copy(self.target(table, columns, line));
                    Ok(())
                } else {
                    let at = self.win.pos;
                    self.state = State::SkipCopy { line };
                    Err(self.error(
                        ReadErrorKind::Row,
                        at,
                        format!("COPY data for `{table}` is not in text format; block skipped"),
                        None,
                    ))
                }
            }
            // COPY from a server-side file or to stdout carries no data in the dump.
            CopyHead::NoData => {
                self.state = State::Skip {
                    scanner: StatementScanner::new(self.dialect),
                    line,
                };
                Ok(())
            }
        }
    }

    fn step_skip(&mut self, mut scanner: StatementScanner, line: u64) -> Result<(), ReadError> {
        loop {
            match scanner.scan(self.win.rest(), &self.delimiter, self.win.at_eof()) {
                Scan::Done(n) => {
                    self.win.pos += n;
                    self.state = State::Statements;
                    return Ok(());
                }
                Scan::More(n) => {
                    self.win.pos += n;
                    if let Err(why) = self.refill(self.win.pos) {
                        return Err(self.starved(why, Open::Statement, line));
                    }
                }
            }
        }
    }

    // ---- INSERT rows --------------------------------------------------------------------------------

    fn step_row(&mut self, mut target: Box<Target>) -> Result<Option<SourceRow>, ReadError> {
        let open = Open::Insert {
            table: target.table,
        };
        match self.skip_spaces() {
            Ok(true) => {}
            Ok(false) => return Err(self.starved(Starved::Eof, open, target.line)),
            Err(why) => return Err(self.starved(why, open, target.line)),
        }
        if let Some(&other) = self.win.rest().first().filter(|&&b| b != b'(') {
            let at = self.win.pos;
            let message = format!(
                "expected `(` to start a row of `{}`, found {}; rest of the statement skipped",
                self.tables[target.table].name,
                describe_byte(other)
            );
            self.state = State::Skip {
                scanner: StatementScanner::new(self.dialect),
                line: target.line,
            };
            return Err(self.error(ReadErrorKind::Row, at, message, None));
        }
        let offset = self.win.offset_of(self.win.pos);
        let mut values = std::mem::take(&mut self.spare_values);
        values.reserve(target.columns.as_ref().map_or(8, |c| c.len()));
        let parsed = loop {
            self.spare.keep(&mut values);
            match decode_tuple(self.dialect, self.win.rest(), &mut values, &mut self.spare) {
                TupleParse::Complete(len) => break Ok(len),
                TupleParse::Invalid(e) => break Err((e.at, e.message)),
                TupleParse::NeedMore => {
                    if let Err(why) = self.refill(self.win.pos) {
                        return Err(self.starved_in_row(why, &target));
                    }
                }
            }
        };
        self.tables[target.table].rows += 1;
        let row = self.tables[target.table].rows;
        let len = match parsed {
            Ok(len) => len,
            Err((at, message)) => {
                let problem = self.win.offset_of(self.win.pos + at);
                let len = loop {
                    match find_tuple_end(self.dialect, self.win.rest()) {
                        Some(len) => break len,
                        None => {
                            if let Err(why) = self.refill(self.win.pos) {
                                return Err(self.starved_in_row(why, &target));
                            }
                        }
                    }
                };
                return Err(self.row_error(target, len, format!("{message} (at byte {problem})")));
            }
        };
        let columns = match &target.columns {
            Some(columns) => columns.clone(),
            None => {
                let made_up = numbered_columns(values.len());
                self.tables[target.table].declared = Some(made_up.clone());
                target.columns = Some(made_up.clone());
                made_up
            }
        };
        if values.len() != columns.len() {
            let message =
                count_mismatch(values.len(), &self.tables[target.table].name, columns.len());
            return Err(self.row_error(target, len, message));
        }
        self.win.pos += len;
        let table = self.tables[target.table].name.clone();
        self.state = State::AfterRow(target);
        Ok(Some(SourceRow {
            table,
            columns,
            values,
            row,
            offset,
            len: len as u64,
            sparse: false,
        }))
    }

    fn starved_in_row(&mut self, why: Starved, target: &Target) -> ReadError {
        let line = self.win.line_of(self.win.pos);
        let open = Open::Row {
            table: target.table,
            line,
        };
        self.starved(why, open, target.line)
    }

    /// A row error for the `len` bytes at the parse position, which it moves past.
    fn row_error(&mut self, target: Box<Target>, len: usize, message: String) -> ReadError {
        let start = self.win.pos;
        let raw = self.win.held()[start..start + len].to_vec();
        self.win.pos += len;
        self.state = State::AfterRow(target);
        self.error(ReadErrorKind::Row, start, message, Some(&raw))
    }

    fn step_after_row(&mut self, target: Box<Target>) -> Result<(), ReadError> {
        let open = Open::Insert {
            table: target.table,
        };
        match self.skip_spaces() {
            Ok(true) => {}
            Ok(false) => return Err(self.starved(Starved::Eof, open, target.line)),
            Err(why) => return Err(self.starved(why, open, target.line)),
        }
        // Nearly every row is followed by the `,` before the next: taken here, as `after_row` would, without
        // its result coming back through memory (read back in wider loads than it was written with, which
        // stalled after every row: a quarter of this reader's own time in the profile).
        if self.win.rest().first() == Some(&b',') {
            self.win.pos += 1;
            self.state = State::Rows(target);
            return Ok(());
        }
        let dialect = self.dialect;
        let delimiter = std::mem::take(&mut self.delimiter);
        let next = self.with_rest(open, target.line, |s, eof| {
            after_row(dialect, s, eof, &delimiter)
        });
        self.delimiter = delimiter;
        match next? {
            AfterRow::NextRow => {
                self.win.pos += 1;
                self.state = State::Rows(target);
                Ok(())
            }
            AfterRow::End(n) => {
                self.win.pos += n;
                self.state = State::Statements;
                Ok(())
            }
            AfterRow::Comment(Comment::Line) => {
                self.skip_line()?;
                self.state = State::AfterRow(target);
                Ok(())
            }
            AfterRow::Comment(Comment::Block) => {
                self.skip_block_comment(target.line)?;
                self.state = State::AfterRow(target);
                Ok(())
            }
            AfterRow::Clause => {
                self.state = State::Skip {
                    scanner: StatementScanner::new(self.dialect),
                    line: target.line,
                };
                Ok(())
            }
            AfterRow::Unexpected(b) => {
                let at = self.win.pos;
                let message = format!(
                    "expected `,` or the end of the statement after a row of `{}`, found {}; rest of the \
                     statement skipped",
                    self.tables[target.table].name,
                    describe_byte(b)
                );
                self.state = State::Skip {
                    scanner: StatementScanner::new(self.dialect),
                    line: target.line,
                };
                Err(self.error(ReadErrorKind::Row, at, message, None))
            }
        }
    }

    // ---- COPY rows ----------------------------------------------------------------------------------

    /// The next COPY line from the parse position: (length without its line end, length with it).
    fn copy_line(&mut self, open: Open, line: u64) -> Result<(usize, usize), ReadError> {
        let mut searched = 0;
        loop {
            let rest = self.win.rest();
            match memchr(b'\n', &rest[searched..]) {
                Some(k) => {
                    let newline = searched + k;
                    // A backslash before the line end makes the newline part of the data.
                    let backslashes = rest[..newline]
                        .iter()
                        .rev()
                        .take_while(|&&b| b == b'\\')
                        .count();
                    if backslashes % 2 == 1 {
                        searched = newline + 1;
                        continue;
                    }
                    let content = if newline > 0 && rest[newline - 1] == b'\r' {
                        newline - 1
                    } else {
                        newline
                    };
                    return Ok((content, newline + 1));
                }
                None => {
                    searched = rest.len();
                    if self.win.at_eof() && rest == b"\\." {
                        return Ok((rest.len(), rest.len()));
                    }
                    if let Err(why) = self.refill(self.win.pos) {
                        return Err(self.starved(why, open, line));
                    }
                }
            }
        }
    }

    fn step_copy_line(&mut self, mut target: Box<Target>) -> Result<Option<SourceRow>, ReadError> {
        let (content, whole) = self.copy_line(
            Open::Copy {
                table: target.table,
            },
            target.line,
        )?;
        let start = self.win.pos;
        let bytes = &self.win.held()[start..start + content];
        if bytes == b"\\." {
            self.win.pos += whole;
            self.state = State::Statements;
            return Ok(None);
        }
        let mut values = std::mem::take(&mut self.spare_values);
        self.spare.keep(&mut values);
        values.reserve(target.columns.as_ref().map_or(8, |c| c.len()));
        pg::decode_copy_line(bytes, &mut values);
        let offset = self.win.offset_of(start);
        let table = &mut self.tables[target.table];
        table.rows += 1;
        let row = table.rows;
        let columns = match &target.columns {
            Some(columns) => columns.clone(),
            None => {
                let made_up = numbered_columns(values.len());
                table.declared = Some(made_up.clone());
                target.columns = Some(made_up.clone());
                made_up
            }
        };
        if values.len() != columns.len() {
            let message = count_mismatch(values.len(), &table.name, columns.len());
            let raw = bytes.to_vec();
            let err = self.error(ReadErrorKind::Row, start, message, Some(&raw));
            self.win.pos += whole;
            self.state = State::Copy(target);
            return Err(err);
        }
        let table = table.name.clone();
        self.win.pos += whole;
        self.state = State::Copy(target);
        Ok(Some(SourceRow {
            table,
            columns,
            values,
            row,
            offset,
            len: content as u64,
            sparse: false,
        }))
    }

    fn step_skip_copy(&mut self, line: u64) -> Result<(), ReadError> {
        loop {
            let (content, whole) = self.copy_line(Open::SkippedCopy, line)?;
            let end = self.win.held()[self.win.pos..self.win.pos + content] == *b"\\.";
            self.win.pos += whole;
            if end {
                self.state = State::Statements;
                return Ok(());
            }
        }
    }
}

fn count_mismatch(got: usize, table: &str, expected: usize) -> String {
    format!("row has {got} values but `{table}` has {expected} columns")
}

/// Names for the columns of a table whose definition the source does not contain: `c1..cN`.
fn numbered_columns(n: usize) -> Arc<[String]> {
    (1..=n).map(|i| format!("c{i}")).collect()
}

enum StatementKind {
    Comment(Comment),
    /// A lone delimiter (as after a `/*! ... */` conditional comment); its length.
    Empty(usize),
    Delimiter,
    /// A psql backslash command (`\connect`, `\restrict`): one line, no delimiter.
    MetaCommand,
    Insert,
    CreateTable,
    Copy,
    Other,
}

fn classify(d: Dialect, s: &[u8], eof: bool, delimiter: &[u8]) -> Result<StatementKind, NeedMore> {
    if let Some(comment) = comment_at(d, s, eof)? {
        return Ok(StatementKind::Comment(comment));
    }
    if s.len() < delimiter.len() && delimiter.starts_with(s) && !eof {
        return Err(NeedMore);
    }
    if s.starts_with(delimiter) {
        return Ok(StatementKind::Empty(delimiter.len()));
    }
    if d == Dialect::Postgres && s.first() == Some(&b'\\') {
        return Ok(StatementKind::MetaCommand);
    }
    let mut cursor = Cursor::new(d, s, eof);
    let first = cursor.next_token()?;
    let kind = if d == Dialect::MySql && first.is_word("DELIMITER") {
        match s.get("DELIMITER".len()) {
            None if !eof => return Err(NeedMore),
            Some(&b) if is_space(b) => StatementKind::Delimiter,
            _ => StatementKind::Other,
        }
    } else if first.is_word("INSERT") || (d == Dialect::MySql && first.is_word("REPLACE")) {
        StatementKind::Insert
    } else if first.is_word("COPY") && d == Dialect::Postgres {
        StatementKind::Copy
    } else if first.is_word("CREATE") {
        loop {
            let word = cursor.next_token()?;
            if word.is_word("TABLE") {
                break StatementKind::CreateTable;
            }
            let modifier = [
                "TEMPORARY",
                "TEMP",
                "UNLOGGED",
                "GLOBAL",
                "LOCAL",
                "OR",
                "REPLACE",
            ]
            .iter()
            .any(|m| word.is_word(m));
            if !modifier {
                break StatementKind::Other;
            }
        }
    } else {
        StatementKind::Other
    };
    Ok(kind)
}

enum InsertHead {
    Values {
        table: String,
        columns: Option<Vec<String>>,
        /// Index just past the `VALUES` keyword.
        body: usize,
    },
    Unsupported(&'static str),
}

/// `INSERT [modifiers] [INTO] t [(a, b)] VALUES`, as both servers write it.
fn parse_insert_head(d: Dialect, s: &[u8], eof: bool) -> Result<InsertHead, NeedMore> {
    let mut cursor = Cursor::new(d, s, eof);
    cursor.next_token()?;
    for modifier in ["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"] {
        cursor.eat_word(modifier)?;
    }
    cursor.eat_word("INTO")?;
    let Some(table) = cursor.table_name()? else {
        return Ok(InsertHead::Unsupported("an INSERT without a table name"));
    };
    if cursor.eat_word("PARTITION")?
        && (!cursor.eat_punct(b'(')? || cursor.column_list()?.is_none())
    {
        return Ok(InsertHead::Unsupported("this INSERT ... PARTITION form"));
    }
    if d == Dialect::Postgres && cursor.eat_word("AS")? {
        cursor.next_token()?;
    }
    let mut columns = None;
    if cursor.eat_punct(b'(')? {
        if cursor.peek()?.is_word("SELECT") {
            return Ok(InsertHead::Unsupported("INSERT ... SELECT"));
        }
        match cursor.column_list()? {
            Some(list) => columns = Some(list),
            None => {
                return Ok(InsertHead::Unsupported(
                    "an INSERT with an unreadable column list",
                ));
            }
        }
    }
    if d == Dialect::Postgres && cursor.eat_word("OVERRIDING")? {
        cursor.next_token()?;
        cursor.eat_word("VALUE")?;
    }
    let keyword = cursor.next_token()?;
    if keyword.is_word("VALUES") || keyword.is_word("VALUE") {
        return Ok(InsertHead::Values {
            table,
            columns,
            body: cursor.i,
        });
    }
    Ok(InsertHead::Unsupported(if keyword.is_word("SET") {
        "INSERT ... SET"
    } else if keyword.is_word("SELECT") || keyword.is_word("WITH") || keyword.is_word("TABLE") {
        "INSERT ... SELECT"
    } else if keyword.is_word("DEFAULT") {
        "INSERT ... DEFAULT VALUES"
    } else {
        "this form of INSERT"
    }))
}

enum CopyHead {
    FromStdin {
        table: String,
        columns: Option<Vec<String>>,
        /// Index just past the statement's `;`.
        end: usize,
        /// False for CSV or binary data, which this reader does not decode.
        text: bool,
    },
    NoData,
}

/// `COPY t [(a, b)] FROM stdin [options];`
fn parse_copy_head(d: Dialect, s: &[u8], eof: bool) -> Result<CopyHead, NeedMore> {
    let mut cursor = Cursor::new(d, s, eof);
    cursor.next_token()?;
    let Some(table) = cursor.table_name()? else {
        return Ok(CopyHead::NoData);
    };
    let mut columns = None;
    if cursor.eat_punct(b'(')? {
        match cursor.column_list()? {
            Some(list) => columns = Some(list),
            None => return Ok(CopyHead::NoData),
        }
    }
    if !cursor.eat_word("FROM")? || !cursor.eat_word("STDIN")? {
        return Ok(CopyHead::NoData);
    }
    // Options: anything but the delimiter means a format this reader does not decode, except an explicit
    // `(FORMAT text)`, which is rare enough to treat the same way.
    let mut text = true;
    loop {
        match cursor.next_token()? {
            Token::Punct(b';') => break,
            Token::End => return Err(NeedMore),
            _ => text = false,
        }
    }
    Ok(CopyHead::FromStdin {
        table,
        columns,
        end: cursor.i,
        text,
    })
}

enum AfterRow {
    NextRow,
    /// The statement ends: the delimiter's length.
    End(usize),
    Comment(Comment),
    /// `ON DUPLICATE KEY UPDATE ...` or `ON CONFLICT ...`: nothing more to read in this statement.
    Clause,
    Unexpected(u8),
}

fn after_row(d: Dialect, s: &[u8], eof: bool, delimiter: &[u8]) -> Result<AfterRow, NeedMore> {
    let Some(&first) = s.first() else {
        return Err(NeedMore);
    };
    if first == b',' {
        return Ok(AfterRow::NextRow);
    }
    if s.len() < delimiter.len() && delimiter.starts_with(s) && !eof {
        return Err(NeedMore);
    }
    if s.starts_with(delimiter) {
        return Ok(AfterRow::End(delimiter.len()));
    }
    if let Some(comment) = comment_at(d, s, eof)? {
        return Ok(AfterRow::Comment(comment));
    }
    let mut cursor = Cursor::new(d, s, eof);
    if cursor.next_token()?.is_word("ON") {
        return Ok(AfterRow::Clause);
    }
    Ok(AfterRow::Unexpected(first))
}

/// What a `CREATE TABLE` statement tells.
#[derive(Debug, PartialEq, Eq)]
enum CreateTable {
    Columns(String, Vec<String>),
    /// `CREATE TABLE t LIKE u`, `... AS SELECT`, `... PARTITION OF p`: nothing to learn, nothing wrong.
    NoColumnList,
    Unreadable,
}

fn parse_create_table(d: Dialect, s: &[u8]) -> CreateTable {
    let mut cursor = Cursor::new(d, s, true);
    let has_list = cursor_to_column_list(&mut cursor);
    match has_list {
        Some((name, true)) => match column_list(d, &mut cursor) {
            Some(columns) => CreateTable::Columns(name, columns),
            None => CreateTable::Unreadable,
        },
        Some((_, false)) => CreateTable::NoColumnList,
        None => CreateTable::Unreadable,
    }
}

/// Moves past `CREATE ... TABLE [IF NOT EXISTS] name` and the `(` after it: the name, and whether there was
/// a `(`.
fn cursor_to_column_list(cursor: &mut Cursor<'_>) -> Option<(String, bool)> {
    loop {
        let token = cursor.next_token().ok()?;
        if token.is_word("TABLE") {
            break;
        }
        if token == Token::End {
            return None;
        }
    }
    if cursor.eat_word("IF").ok()? {
        cursor.eat_word("NOT").ok()?;
        cursor.eat_word("EXISTS").ok()?;
    }
    let name = cursor.table_name().ok()??;
    let has_list = cursor.eat_punct(b'(').ok()?;
    Some((name, has_list))
}

/// The column names of a `CREATE TABLE` body, after its `(`. Index, key and constraint lines are not
/// columns.
fn column_list(d: Dialect, cursor: &mut Cursor<'_>) -> Option<Vec<String>> {
    const NOT_COLUMNS: [&str; 12] = [
        "KEY",
        "PRIMARY",
        "CONSTRAINT",
        "INDEX",
        "UNIQUE",
        "FULLTEXT",
        "SPATIAL",
        "FOREIGN",
        "CHECK",
        "EXCLUDE",
        "LIKE",
        "PERIOD",
    ];
    let mut columns = Vec::new();
    loop {
        let first = cursor.next_token().ok()?;
        if first == Token::Punct(b')') {
            return Some(columns);
        }
        let is_column = match &first {
            Token::Word(_) => !NOT_COLUMNS.iter().any(|k| first.is_word(k)),
            Token::Quoted(_) => true,
            _ => return None,
        };
        if is_column {
            columns.push(first.identifier(d)?);
        }
        // The rest of the definition, up to a `,` or the closing `)` at this level.
        let mut depth = 0usize;
        loop {
            match cursor.next_token().ok()? {
                Token::Punct(b'(') => depth += 1,
                Token::Punct(b')') if depth == 0 => return Some(columns),
                Token::Punct(b')') => depth -= 1,
                Token::Punct(b',') if depth == 0 => break,
                Token::End => return None,
                _ => {}
            }
        }
    }
}

/// Re-decodes the bytes of one INSERT row, as a [`SourceRow`]'s offset and length give them.
pub(crate) fn decode_row_bytes(d: Dialect, bytes: &[u8]) -> Result<Vec<Value>, String> {
    if bytes.first() != Some(&b'(') {
        return Err("a row starts with `(`".to_string());
    }
    let mut values = Vec::new();
    match sql::decode_tuple(d, bytes, &mut values, &mut sql::Spare::default()) {
        TupleParse::Complete(n) if n == bytes.len() => Ok(values),
        TupleParse::Complete(n) => Err(format!("the row ends at byte {n} of {}", bytes.len())),
        TupleParse::NeedMore => Err("the row is incomplete".to_string()),
        TupleParse::Invalid(e) => Err(format!("{} (at byte {})", e.message, e.at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_table_columns() {
        let sql = b"CREATE TABLE `t` (\n  `id` int NOT NULL,\n  `a``b` decimal(16,2) DEFAULT '1,2',\n  \
                    name varchar(5) COMMENT 'x)',\n  PRIMARY KEY (`id`),\n  KEY `k` (`a``b`,`id`)\n) ENGINE=InnoDB";
        let columns = ["id", "a`b", "name"].map(String::from).to_vec();
        assert_eq!(
            parse_create_table(Dialect::MySql, sql),
            CreateTable::Columns("t".into(), columns)
        );
        let pg = b"CREATE TABLE public.\"Order\" (\n    id bigint NOT NULL,\n    \"Total\" numeric(12,2),\n    \
                   CONSTRAINT c CHECK ((id > 0))\n)";
        let columns = ["id", "Total"].map(String::from).to_vec();
        assert_eq!(
            parse_create_table(Dialect::Postgres, pg),
            CreateTable::Columns("Order".into(), columns)
        );
        for no_list in [
            "CREATE TABLE t LIKE u",
            "CREATE TABLE public.t_2020 PARTITION OF public.t FOR VALUES IN (1)",
        ] {
            assert_eq!(
                parse_create_table(Dialect::Postgres, no_list.as_bytes()),
                CreateTable::NoColumnList
            );
        }
        for unreadable in [
            "CREATE TABLE (a int)",
            "CREATE TABLE t (a int, 'x')",
            "CREATE TABLE t (a int",
        ] {
            assert_eq!(
                parse_create_table(Dialect::MySql, unreadable.as_bytes()),
                CreateTable::Unreadable
            );
        }
    }

    #[test]
    fn insert_heads() {
        let Ok(InsertHead::Values {
            table,
            columns,
            body,
        }) = parse_insert_head(
            Dialect::MySql,
            b"INSERT IGNORE INTO `db`.`t` (`a`,`b`) VALUES (1,2)",
            false,
        )
        else {
            panic!("not an insert");
        };
        assert_eq!(
            (table.as_str(), columns.unwrap(), body),
            ("t", vec!["a".to_string(), "b".to_string()], 44)
        );
        assert!(matches!(
            parse_insert_head(Dialect::MySql, b"INSERT INTO t SET a=1;", false),
            Ok(InsertHead::Unsupported("INSERT ... SET"))
        ));
        assert_eq!(
            parse_insert_head(Dialect::MySql, b"INSERT INTO `t` VAL", false).err(),
            Some(NeedMore)
        );
        let Ok(InsertHead::Values { table, .. }) = parse_insert_head(
            Dialect::Postgres,
            b"INSERT INTO public.t OVERRIDING SYSTEM VALUE VALUES (1);",
            false,
        ) else {
            panic!("not an insert");
        };
        assert_eq!(table, "t");
    }
}
