//! SQL lexing shared by the MySQL and PostgreSQL dump readers.
//!
//! Everything here works on a byte slice that may end anywhere: a function that cannot decide without
//! seeing more bytes says [`NeedMore`] (or returns how far it safely got) and is called again, from the
//! same start, once the window holds more. Given the `eof` flag it decides with what it has.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memchr2_iter};

use crate::source::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    MySql,
    Postgres,
}

/// The slice ended before the construct did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NeedMore;

pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Bytes of bare identifiers and keywords (any non-ASCII byte too, as both servers allow).
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

pub(crate) fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

/// Text if it is UTF-8, else the bytes as they are.
///
/// Checked with `simdutf8`, which takes a third of the time of the standard library's check on the
/// values of a dump (2.5% of the reading thread's time went to that check).
pub(crate) fn bytes_to_value(bytes: Vec<u8>) -> Value {
    // Most values are short ASCII (ids, names, states), which `is_ascii` tells a word at a time; the
    // validator hands short inputs to `str::from_utf8`, whose setup costs more than such a value.
    if !bytes.is_ascii() && simdutf8::basic::from_utf8(&bytes).is_err() {
        return Value::Bytes(bytes);
    }
    // SAFETY: `bytes` was just found to be UTF-8, and is not changed before it becomes a `String`.
    Value::Text(unsafe { String::from_utf8_unchecked(bytes) })
}

/// The buffers of values already mapped, taken again by the values of later rows: a row of a dump is a
/// dozen values, each its own `String`, and allocating and freeing those was a fifth of the reading
/// thread's time on a 1.1 GB dump. Keeps at most [`Spare::MAX_BUFFERS`] buffers of at most
/// [`Spare::MAX_KEPT`] bytes (16 MiB at worst), so a row of huge values is not held on to.
#[derive(Default)]
pub(crate) struct Spare {
    buffers: Vec<Vec<u8>>,
}

impl Spare {
    const MAX_BUFFERS: usize = 256;
    const MAX_KEPT: usize = 64 * 1024;

    /// An empty buffer, with room from an earlier value when there is one.
    fn buffer(&mut self) -> Vec<u8> {
        self.buffers.pop().unwrap_or_default()
    }

    /// `bytes`, which the caller knows to be ASCII (the digits and point of a number), as text in a kept
    /// buffer, without a UTF-8 check: one for each number of a dump was 1% of the reading thread.
    fn ascii(&mut self, bytes: &[u8]) -> Value {
        if !bytes.is_ascii() {
            return bytes_to_value(bytes.to_vec());
        }
        let mut buffer = self.buffer();
        buffer.extend_from_slice(bytes);
        // SAFETY: ASCII, checked just above, is UTF-8.
        Value::Text(unsafe { String::from_utf8_unchecked(buffer) })
    }

    /// Takes the buffers of `values`, leaving it empty.
    pub(crate) fn keep(&mut self, values: &mut Vec<Value>) {
        for value in values.drain(..) {
            let buffer = match value {
                Value::Null => continue,
                Value::Text(s) => s.into_bytes(),
                Value::Bytes(b) => b,
            };
            if buffer.capacity() <= Self::MAX_KEPT && self.buffers.len() < Self::MAX_BUFFERS {
                let mut buffer = buffer;
                buffer.clear();
                self.buffers.push(buffer);
            }
        }
    }
}

/// How a comment begins at the start of a slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comment {
    /// `-- ` or `#`: up to the end of the line.
    Line,
    /// `/* ... */`, including MySQL's `/*! ... */` conditional code, which a reader has no use for.
    Block,
}

pub(crate) fn comment_at(d: Dialect, s: &[u8], eof: bool) -> Result<Option<Comment>, NeedMore> {
    let Some(&first) = s.first() else {
        return Ok(None);
    };
    match first {
        b'#' if d == Dialect::MySql => Ok(Some(Comment::Line)),
        b'-' | b'/' => {
            let Some(&second) = s.get(1) else {
                return if eof { Ok(None) } else { Err(NeedMore) };
            };
            if first == b'/' {
                return Ok((second == b'*').then_some(Comment::Block));
            }
            if second != b'-' {
                return Ok(None);
            }
            if d == Dialect::Postgres {
                return Ok(Some(Comment::Line));
            }
            // MySQL needs a space or control character after `--` (`--1` is arithmetic).
            match s.get(2) {
                None if eof => Ok(Some(Comment::Line)),
                None => Err(NeedMore),
                Some(&b) if b <= b' ' => Ok(Some(Comment::Line)),
                Some(_) => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

/// Progress of a scan over a slice that may not hold the whole construct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// Finished; the index just past the construct.
    Done(usize),
    /// These many bytes were consumed; call again with the rest plus more bytes.
    More(usize),
}

/// Skips the body of a block comment (the slice starts after its `/*`). PostgreSQL comments nest.
#[derive(Debug, Clone)]
pub(crate) struct BlockCommentScanner {
    nested: bool,
    depth: u32,
}

impl BlockCommentScanner {
    pub(crate) fn new(d: Dialect) -> Self {
        BlockCommentScanner {
            nested: d == Dialect::Postgres,
            depth: 1,
        }
    }

    pub(crate) fn scan(&mut self, s: &[u8]) -> Scan {
        let mut i = 0;
        loop {
            let found = if self.nested {
                memchr2(b'*', b'/', &s[i..])
            } else {
                memchr(b'*', &s[i..])
            };
            let Some(k) = found else {
                return Scan::More(s.len());
            };
            let j = i + k;
            let Some(&next) = s.get(j + 1) else {
                return Scan::More(j);
            };
            match (s[j], next) {
                (b'*', b'/') => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Scan::Done(j + 2);
                    }
                    i = j + 2;
                }
                (b'/', b'*') => {
                    self.depth += 1;
                    i = j + 2;
                }
                _ => i = j + 1,
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScanState {
    Code,
    /// Inside a quoted string or identifier ended by `close`.
    Quoted {
        close: u8,
        backslash: bool,
    },
    LineComment,
    BlockComment,
    /// Inside a PostgreSQL `$tag$ ... $tag$` string.
    Dollar,
}

/// Finds the end of a statement (its delimiter outside strings, identifiers and comments) without holding
/// on to the statement: the reader uses it to pass over statements it has no use for.
#[derive(Debug, Clone)]
pub(crate) struct StatementScanner {
    dialect: Dialect,
    state: ScanState,
    block: BlockCommentScanner,
    tag: Vec<u8>,
    /// Length of the run of word bytes just before the scan position: tells `E'` strings and `$tag$`
    /// quotes from identifiers that merely contain `E` or `$`.
    word_run: usize,
    last: u8,
}

impl StatementScanner {
    pub(crate) fn new(dialect: Dialect) -> Self {
        StatementScanner {
            dialect,
            state: ScanState::Code,
            block: BlockCommentScanner::new(dialect),
            tag: Vec::new(),
            word_run: 0,
            last: b' ',
        }
    }

    pub(crate) fn scan(&mut self, s: &[u8], delimiter: &[u8], eof: bool) -> Scan {
        let mysql = self.dialect == Dialect::MySql;
        let mut i = 0;
        while i < s.len() {
            match self.state {
                ScanState::Code => {
                    let b = s[i];
                    if delimiter.first() == Some(&b) {
                        if s.len() - i < delimiter.len() {
                            if !eof {
                                return Scan::More(i);
                            }
                        } else if &s[i..i + delimiter.len()] == delimiter {
                            return Scan::Done(i + delimiter.len());
                        }
                    }
                    match b {
                        b'\'' => {
                            let e_string =
                                !mysql && self.word_run == 1 && matches!(self.last, b'e' | b'E');
                            self.state = ScanState::Quoted {
                                close: b'\'',
                                backslash: mysql || e_string,
                            };
                        }
                        b'"' => {
                            self.state = ScanState::Quoted {
                                close: b'"',
                                backslash: mysql,
                            }
                        }
                        b'`' if mysql => {
                            self.state = ScanState::Quoted {
                                close: b'`',
                                backslash: false,
                            }
                        }
                        b'#' if mysql => self.state = ScanState::LineComment,
                        b'-' | b'/' => match comment_at(self.dialect, &s[i..], eof) {
                            Err(NeedMore) => return Scan::More(i),
                            Ok(Some(Comment::Line)) => self.state = ScanState::LineComment,
                            Ok(Some(Comment::Block)) => {
                                self.state = ScanState::BlockComment;
                                self.block = BlockCommentScanner::new(self.dialect);
                                i += 2;
                                continue;
                            }
                            Ok(None) => {}
                        },
                        b'$' if !mysql && self.word_run == 0 => {
                            let tag_end = s[i + 1..].iter().position(|&c| {
                                !(c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80)
                            });
                            match tag_end {
                                None if !eof => return Scan::More(i),
                                Some(k) if s[i + 1 + k] == b'$' && !s[i + 1].is_ascii_digit() => {
                                    self.tag.clear();
                                    self.tag.extend_from_slice(&s[i + 1..i + 1 + k]);
                                    self.state = ScanState::Dollar;
                                    i += k + 2;
                                    continue;
                                }
                                _ => {}
                            }
                        }
                        _ => {}
                    }
                    self.word_run = if is_word_byte(b) {
                        self.word_run + 1
                    } else {
                        0
                    };
                    self.last = b;
                    i += 1;
                }
                ScanState::Quoted { close, backslash } => {
                    let found = if backslash {
                        memchr2(close, b'\\', &s[i..])
                    } else {
                        memchr(close, &s[i..])
                    };
                    let Some(k) = found else {
                        return Scan::More(s.len());
                    };
                    let j = i + k;
                    if s[j] == b'\\' {
                        if j + 1 >= s.len() {
                            return Scan::More(j);
                        }
                        i = j + 2;
                    } else {
                        // A doubled quote closes and reopens: the same as staying inside.
                        self.state = ScanState::Code;
                        self.word_run = 0;
                        self.last = close;
                        i = j + 1;
                    }
                }
                ScanState::LineComment => match memchr(b'\n', &s[i..]) {
                    Some(k) => {
                        self.state = ScanState::Code;
                        self.word_run = 0;
                        self.last = b'\n';
                        i += k + 1;
                    }
                    None => return Scan::More(s.len()),
                },
                ScanState::BlockComment => match self.block.scan(&s[i..]) {
                    Scan::Done(n) => {
                        self.state = ScanState::Code;
                        self.word_run = 0;
                        self.last = b' ';
                        i += n;
                    }
                    Scan::More(n) => return Scan::More(i + n),
                },
                ScanState::Dollar => {
                    let Some(k) = memchr(b'$', &s[i..]) else {
                        return Scan::More(s.len());
                    };
                    let j = i + k;
                    let close_end = j + self.tag.len() + 2;
                    if close_end > s.len() {
                        return Scan::More(j);
                    }
                    if &s[j + 1..close_end - 1] == self.tag.as_slice() && s[close_end - 1] == b'$' {
                        self.state = ScanState::Code;
                        self.word_run = 0;
                        self.last = b'$';
                        i = close_end;
                    } else {
                        i = j + 1;
                    }
                }
            }
        }
        Scan::More(s.len())
    }
}

/// A token of a statement head (the part before the data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A bare word: keyword or unquoted identifier.
    Word(&'a [u8]),
    /// A quoted identifier, unquoted.
    Quoted(String),
    /// A string literal (heads only ever need to step over them).
    Str,
    Punct(u8),
    End,
}

impl Token<'_> {
    pub(crate) fn is_word(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(keyword.as_bytes()))
    }

    /// The identifier this token names, if it is one. PostgreSQL folds bare identifiers to lower case.
    pub(crate) fn identifier(&self, d: Dialect) -> Option<String> {
        match self {
            Token::Word(w) => {
                let name = String::from_utf8_lossy(w);
                Some(match d {
                    Dialect::MySql => name.into_owned(),
                    Dialect::Postgres => name.to_lowercase(),
                })
            }
            Token::Quoted(name) => Some(name.clone()),
            _ => None,
        }
    }
}

/// Tokenizes a statement head held in a slice.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    s: &'a [u8],
    pub(crate) i: usize,
    dialect: Dialect,
    eof: bool,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(dialect: Dialect, s: &'a [u8], eof: bool) -> Self {
        Cursor {
            s,
            i: 0,
            dialect,
            eof,
        }
    }

    fn skip_trivia(&mut self) -> Result<(), NeedMore> {
        loop {
            self.i = skip_spaces(self.s, self.i);
            match comment_at(self.dialect, &self.s[self.i..], self.eof)? {
                None => return Ok(()),
                Some(Comment::Line) => match memchr(b'\n', &self.s[self.i..]) {
                    Some(k) => self.i += k + 1,
                    None if self.eof => self.i = self.s.len(),
                    None => return Err(NeedMore),
                },
                Some(Comment::Block) => {
                    let mut block = BlockCommentScanner::new(self.dialect);
                    match block.scan(&self.s[self.i + 2..]) {
                        Scan::Done(n) => self.i += 2 + n,
                        Scan::More(_) => return Err(NeedMore),
                    }
                }
            }
        }
    }

    pub(crate) fn next_token(&mut self) -> Result<Token<'a>, NeedMore> {
        self.skip_trivia()?;
        let s = self.s;
        let Some(&b) = s.get(self.i) else {
            return if self.eof {
                Ok(Token::End)
            } else {
                Err(NeedMore)
            };
        };
        let start = self.i;
        if is_word_byte(b) {
            let end = s[start..]
                .iter()
                .position(|&c| !is_word_byte(c))
                .map_or(s.len(), |k| start + k);
            if end == s.len() && !self.eof {
                return Err(NeedMore);
            }
            let e_string = self.dialect == Dialect::Postgres
                && end == start + 1
                && matches!(b, b'e' | b'E')
                && s.get(end) == Some(&b'\'');
            if e_string {
                self.i = skip_quoted(s, end, b'\'', true, self.eof).ok_or(NeedMore)?;
                return Ok(Token::Str);
            }
            self.i = end;
            return Ok(Token::Word(&s[start..end]));
        }
        let mysql = self.dialect == Dialect::MySql;
        match b {
            b'`' if mysql => self.quoted_identifier(b'`'),
            b'"' => self.quoted_identifier(b'"'),
            b'\'' => {
                self.i = skip_quoted(s, start, b'\'', mysql, self.eof).ok_or(NeedMore)?;
                Ok(Token::Str)
            }
            _ => {
                self.i += 1;
                Ok(Token::Punct(b))
            }
        }
    }

    fn quoted_identifier(&mut self, quote: u8) -> Result<Token<'a>, NeedMore> {
        let s = self.s;
        let mut name = Vec::new();
        let mut i = self.i + 1;
        // In MySQL's default mode `"..."` is a string, with backslash escapes: step over them the same way.
        let backslash = quote == b'"' && self.dialect == Dialect::MySql;
        loop {
            let k = if backslash {
                memchr2(quote, b'\\', &s[i..])
            } else {
                memchr(quote, &s[i..])
            };
            let k = k.ok_or(NeedMore)?;
            name.extend_from_slice(&s[i..i + k]);
            let j = i + k;
            if s[j] == b'\\' {
                let escaped = *s.get(j + 1).ok_or(NeedMore)?;
                name.push(escaped);
                i = j + 2;
                continue;
            }
            match s.get(j + 1) {
                Some(&c) if c == quote => {
                    name.push(quote);
                    i = j + 2;
                }
                None if !self.eof => return Err(NeedMore),
                _ => {
                    self.i = j + 1;
                    return Ok(Token::Quoted(String::from_utf8_lossy(&name).into_owned()));
                }
            }
        }
    }

    pub(crate) fn peek(&self) -> Result<Token<'a>, NeedMore> {
        self.clone().next_token()
    }

    /// Takes the next token if it is `keyword`.
    pub(crate) fn eat_word(&mut self, keyword: &str) -> Result<bool, NeedMore> {
        let mut ahead = self.clone();
        if ahead.next_token()?.is_word(keyword) {
            *self = ahead;
            return Ok(true);
        }
        Ok(false)
    }

    pub(crate) fn eat_punct(&mut self, p: u8) -> Result<bool, NeedMore> {
        let mut ahead = self.clone();
        if ahead.next_token()? == Token::Punct(p) {
            *self = ahead;
            return Ok(true);
        }
        Ok(false)
    }

    /// `name` or `schema.name` (or `db.schema.name`); yields the last part, which is how dumps are
    /// mapped (one database or schema per source).
    pub(crate) fn table_name(&mut self) -> Result<Option<String>, NeedMore> {
        let Some(mut name) = self.next_token()?.identifier(self.dialect) else {
            return Ok(None);
        };
        while self.eat_punct(b'.')? {
            match self.next_token()?.identifier(self.dialect) {
                Some(part) => name = part,
                None => return Ok(None),
            }
        }
        Ok(Some(name))
    }

    /// `(a, b, c)` after its `(` was taken.
    pub(crate) fn column_list(&mut self) -> Result<Option<Vec<String>>, NeedMore> {
        let mut columns = Vec::new();
        if self.eat_punct(b')')? {
            return Ok(Some(columns));
        }
        loop {
            match self.next_token()?.identifier(self.dialect) {
                Some(c) => columns.push(c),
                None => return Ok(None),
            }
            match self.next_token()? {
                Token::Punct(b',') => {}
                Token::Punct(b')') => return Ok(Some(columns)),
                _ => return Ok(None),
            }
        }
    }
}

/// The index just past a quoted string starting at `start`, or None if it does not end in `s`.
/// A doubled quote stands for itself; `backslash` makes `\` escape the next byte.
pub(crate) fn skip_quoted(
    s: &[u8],
    start: usize,
    quote: u8,
    backslash: bool,
    eof: bool,
) -> Option<usize> {
    let mut i = start + 1;
    loop {
        let k = if backslash {
            memchr2(quote, b'\\', &s[i..])?
        } else {
            memchr(quote, &s[i..])?
        };
        let j = i + k;
        if s[j] == b'\\' {
            i = j + 2;
            if i > s.len() {
                return None;
            }
            continue;
        }
        match s.get(j + 1) {
            Some(&c) if c == quote => i = j + 2,
            // Unless the input ends here, the next byte may be a second quote.
            None => return eof.then_some(j + 1),
            Some(_) => return Some(j + 1),
        }
    }
}

/// The result of decoding one `( ... )` row of an INSERT.
#[derive(Debug, Clone, PartialEq, Eq)]
///
/// Two words, returned in registers: with the error's message inline it was four, written to memory by the
/// decoder and read back by the reader in wider loads than it was written with, which stalled every row
/// (a quarter of the reader's own time in the profile). The same holds for [`ValueError`].
pub(crate) enum TupleParse {
    /// The row is complete and takes this many bytes.
    Complete(usize),
    NeedMore,
    Invalid(Box<Invalid>),
}

/// Not a row: the problem is at byte `at` of the slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub at: usize,
    pub message: String,
}

enum ValueError {
    NeedMore,
    Invalid(Box<Invalid>),
}

#[cold]
fn invalid(at: usize, message: String) -> ValueError {
    ValueError::Invalid(Box::new(Invalid { at, message }))
}

impl From<NeedMore> for ValueError {
    fn from(_: NeedMore) -> Self {
        ValueError::NeedMore
    }
}

/// Decodes the row at the start of `s` (which begins with `(`) into `out`.
pub(crate) fn decode_tuple(
    d: Dialect,
    s: &[u8],
    out: &mut Vec<Value>,
    spare: &mut Spare,
) -> TupleParse {
    debug_assert_eq!(s.first(), Some(&b'('));
    let mut i = skip_spaces(s, 1);
    match s.get(i) {
        None => return TupleParse::NeedMore,
        Some(b')') => return TupleParse::Complete(i + 1),
        Some(_) => {}
    }
    loop {
        match decode_value(d, s, i, spare, out) {
            Ok(next) => i = next,
            Err(ValueError::NeedMore) => return TupleParse::NeedMore,
            Err(ValueError::Invalid(e)) => return TupleParse::Invalid(e),
        }
        i = skip_spaces(s, i);
        match s.get(i) {
            None => return TupleParse::NeedMore,
            Some(b',') => i = skip_spaces(s, i + 1),
            Some(b')') => return TupleParse::Complete(i + 1),
            Some(&other) => {
                return TupleParse::Invalid(Box::new(Invalid {
                    at: i,
                    message: format!(
                        "expected `,` or `)` after a value, found {}",
                        describe_byte(other)
                    ),
                }));
            }
        }
        if i >= s.len() {
            return TupleParse::NeedMore;
        }
    }
}

/// A byte for an error message.
pub(crate) fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// Decodes the value at `s[i]` onto the end of `values`; returns the index after it.
///
/// The decoders push what they decode rather than return it: a value handed back through memory was
/// copied into the row with loads wider than the stores that wrote it, which stalled on every value (a
/// third of `decode_tuple`'s time in the profile).
fn decode_value(
    d: Dialect,
    s: &[u8],
    i: usize,
    spare: &mut Spare,
    values: &mut Vec<Value>,
) -> Result<usize, ValueError> {
    let mysql = d == Dialect::MySql;
    let b = s[i];
    let next = s.get(i + 1).copied();
    match b {
        b'\'' => decode_string(d, s, i, b'\'', mysql, false, spare, values),
        b'"' if mysql => decode_string(d, s, i, b'"', true, false, spare, values),
        b'e' | b'E' if !mysql && next == Some(b'\'') => {
            decode_string(d, s, i + 1, b'\'', true, false, spare, values)
        }
        b'x' | b'X' if next == Some(b'\'') => pushed(values, decode_hex_string(s, i + 1)),
        b'b' | b'B' if next == Some(b'\'') => pushed(values, decode_bit_string(s, i + 1)),
        b'_' if mysql => decode_introduced(d, s, i, spare, values),
        b'0' if mysql && matches!(next, Some(b'x' | b'X' | b'b' | b'B')) => {
            pushed(values, decode_prefixed_literal(s, i))
        }
        b'0'..=b'9' | b'-' | b'+' | b'.' => decode_number(s, i, spare, values),
        _ if is_word_byte(b) => pushed(values, decode_keyword(s, i)),
        _ => Err(invalid(
            i,
            format!("expected a value, found {}", describe_byte(b)),
        )),
    }
}

/// A value some decoder returned, pushed onto `values` (for the seldom seen kinds of value).
fn pushed(
    values: &mut Vec<Value>,
    decoded: Result<(Value, usize), ValueError>,
) -> Result<usize, ValueError> {
    let (value, next) = decoded?;
    values.push(value);
    Ok(next)
}

/// A quoted string at `s[start]`, pushed onto `values`. `binary` forces bytes (`_binary '...'`).
#[allow(clippy::too_many_arguments)]
fn decode_string(
    d: Dialect,
    s: &[u8],
    start: usize,
    quote: u8,
    backslash: bool,
    binary: bool,
    spare: &mut Spare,
    values: &mut Vec<Value>,
) -> Result<usize, ValueError> {
    let mut out = spare.buffer();
    let mut segment = start + 1;
    let mut i = segment;
    // Most values end at their first stop (a quote or backslash). Past it, the stops of a long value with
    // many escapes (PGP armour: a `\n` every 64 bytes) come from one vector search carried along the
    // value, rather than one started for each.
    let escape = if backslash { b'\\' } else { quote };
    let first = if backslash {
        find_either(quote, b'\\', &s[i..])
    } else {
        memchr(quote, &s[i..])
    };
    let mut first = Some(i + first.ok_or(ValueError::NeedMore)?);
    let mut later: Option<(usize, memchr::Memchr2<'_>)> = None;
    loop {
        let j = match first.take() {
            Some(j) => j,
            None => {
                let (base, stops) =
                    later.get_or_insert_with(|| (i, memchr2_iter(quote, escape, &s[i..])));
                loop {
                    let at = *base + stops.next().ok_or(ValueError::NeedMore)?;
                    // Bytes an escape or a doubled quote took are not stops.
                    if at >= i {
                        break at;
                    }
                }
            }
        };
        let next = *s.get(j + 1).ok_or(ValueError::NeedMore)?;
        out.extend_from_slice(&s[segment..j]);
        if s[j] == b'\\' {
            i = match d {
                Dialect::MySql => {
                    push_mysql_escape(&mut out, next);
                    j + 2
                }
                Dialect::Postgres => push_pg_escape(&mut out, s, j)?,
            };
        } else if next == quote {
            out.push(quote);
            i = j + 2;
        } else {
            values.push(if binary {
                Value::Bytes(out)
            } else {
                bytes_to_value(out)
            });
            return Ok(j + 1);
        }
        segment = i;
    }
}

/// `memchr2`, with a plain loop first: most values are short, and the vector search costs more to set up
/// than a short loop takes.
pub(crate) fn find_either(a: u8, b: u8, haystack: &[u8]) -> Option<usize> {
    const SHORT: usize = 16;
    let head = &haystack[..haystack.len().min(SHORT)];
    if let Some(k) = head.iter().position(|&c| c == a || c == b) {
        return Some(k);
    }
    if haystack.len() <= SHORT {
        return None;
    }
    memchr2(a, b, &haystack[SHORT..]).map(|k| k + SHORT)
}

/// The escapes of MySQL string literals, as `mysqldump` writes them and the server reads them.
fn push_mysql_escape(out: &mut Vec<u8>, c: u8) {
    match c {
        b'0' => out.push(0),
        b'b' => out.push(0x08),
        b'n' => out.push(b'\n'),
        b'r' => out.push(b'\r'),
        b't' => out.push(b'\t'),
        b'Z' => out.push(0x1a),
        // Outside LIKE patterns the server keeps the backslash of these two.
        b'%' | b'_' => out.extend_from_slice(&[b'\\', c]),
        // `\\`, `\'`, `\"` and any other character stand for themselves.
        _ => out.push(c),
    }
}

/// One escape of a PostgreSQL `E'...'` string at `s[at]` (a backslash); returns the index after it.
fn push_pg_escape(out: &mut Vec<u8>, s: &[u8], at: usize) -> Result<usize, ValueError> {
    let c = s[at + 1];
    let simple = match c {
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        _ => None,
    };
    if let Some(byte) = simple {
        out.push(byte);
        return Ok(at + 2);
    }
    match c {
        b'0'..=b'7' => {
            let (value, end) = radix_digits(s, at + 1, 3, 8)?;
            // Octal escapes above 0o377 wrap, as in the server.
            out.push((value & 0xff) as u8);
            Ok(end)
        }
        b'x' => match s.get(at + 2) {
            None => Err(ValueError::NeedMore),
            Some(h) if h.is_ascii_hexdigit() => {
                let (value, end) = radix_digits(s, at + 2, 2, 16)?;
                out.push(value as u8);
                Ok(end)
            }
            // Not a hex escape: the `x` stands for itself.
            Some(_) => {
                out.push(c);
                Ok(at + 2)
            }
        },
        b'u' | b'U' => {
            let width = if c == b'u' { 4 } else { 8 };
            let digits = s.get(at + 2..at + 2 + width).ok_or(ValueError::NeedMore)?;
            let code = std::str::from_utf8(digits)
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
                .ok_or_else(|| invalid(at, "invalid Unicode escape".to_string()))?;
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(code.encode_utf8(&mut utf8).as_bytes());
            Ok(at + 2 + width)
        }
        _ => {
            out.push(c);
            Ok(at + 2)
        }
    }
}

/// Up to `max` digits of `radix` from `s[start]`. Needs to see the byte after the digits to know they ended.
fn radix_digits(
    s: &[u8],
    start: usize,
    max: usize,
    radix: u32,
) -> Result<(u32, usize), ValueError> {
    let mut value = 0u32;
    let mut i = start;
    while i < start + max {
        let Some(&c) = s.get(i) else {
            return Err(ValueError::NeedMore);
        };
        match (c as char).to_digit(radix) {
            Some(digit) => value = value * radix + digit,
            None => break,
        }
        i += 1;
    }
    Ok((value, i))
}

/// `_charset'...'` and friends: MySQL's character set introducers.
fn decode_introduced(
    d: Dialect,
    s: &[u8],
    start: usize,
    spare: &mut Spare,
    values: &mut Vec<Value>,
) -> Result<usize, ValueError> {
    let end = word_end(s, start)?;
    let charset = &s[start + 1..end];
    let i = skip_spaces(s, end);
    let b = *s.get(i).ok_or(ValueError::NeedMore)?;
    let binary = charset.eq_ignore_ascii_case(b"binary");
    let next = s.get(i + 1).copied();
    let literal = match b {
        b'\'' | b'"' => return decode_string(d, s, i, b, true, binary, spare, values),
        b'x' | b'X' if next == Some(b'\'') => decode_hex_string(s, i + 1),
        b'b' | b'B' if next == Some(b'\'') => decode_bit_string(s, i + 1),
        b'0' if matches!(next, Some(b'x' | b'X' | b'b' | b'B')) => decode_prefixed_literal(s, i),
        _ => {
            return Err(invalid(
                i,
                format!(
                    "expected a string after the introducer `_{}`",
                    String::from_utf8_lossy(charset)
                ),
            ));
        }
    };
    // `_utf8mb4 0x41` is the text "A": a character set other than binary makes the bytes a string.
    pushed(
        values,
        match literal? {
            (Value::Bytes(bytes), end) if !binary => Ok((bytes_to_value(bytes), end)),
            other => Ok(other),
        },
    )
}

/// The end of the run of word bytes at `start`; the run must be followed by something in `s`.
fn word_end(s: &[u8], start: usize) -> Result<usize, ValueError> {
    s[start..]
        .iter()
        .position(|&c| !is_word_byte(c))
        .map(|k| start + k)
        .ok_or(ValueError::NeedMore)
}

/// `X'cafe'` (the slice index is at the quote).
fn decode_hex_string(s: &[u8], quote: usize) -> Result<(Value, usize), ValueError> {
    let k = memchr(b'\'', &s[quote + 1..]).ok_or(ValueError::NeedMore)?;
    let digits = &s[quote + 1..quote + 1 + k];
    if !digits.len().is_multiple_of(2) {
        return Err(invalid(
            quote,
            "hex string with an odd number of digits".to_string(),
        ));
    }
    let bytes =
        decode_hex(digits).ok_or_else(|| invalid(quote, "invalid hex string".to_string()))?;
    Ok((Value::Bytes(bytes), quote + k + 2))
}

/// `b'0101'` (the slice index is at the quote).
fn decode_bit_string(s: &[u8], quote: usize) -> Result<(Value, usize), ValueError> {
    let k = memchr(b'\'', &s[quote + 1..]).ok_or(ValueError::NeedMore)?;
    let bits = decode_bits(&s[quote + 1..quote + 1 + k])
        .ok_or_else(|| invalid(quote, "invalid bit string".to_string()))?;
    Ok((Value::Bytes(bits), quote + k + 2))
}

/// `0xcafe` or `0b0101`.
fn decode_prefixed_literal(s: &[u8], start: usize) -> Result<(Value, usize), ValueError> {
    let end = word_end(s, start)?;
    let digits = &s[start + 2..end];
    let bytes = match s[start + 1] {
        b'x' | b'X' if !digits.is_empty() => {
            if digits.len().is_multiple_of(2) {
                decode_hex(digits)
            } else {
                let mut padded = Vec::with_capacity(digits.len() + 1);
                padded.push(b'0');
                padded.extend_from_slice(digits);
                decode_hex(&padded)
            }
        }
        b'b' | b'B' if !digits.is_empty() => decode_bits(digits),
        _ => None,
    };
    match bytes {
        Some(bytes) => Ok((Value::Bytes(bytes), end)),
        None => Err(invalid(
            start,
            format!(
                "invalid literal `{}`",
                String::from_utf8_lossy(&s[start..end])
            ),
        )),
    }
}

pub(crate) fn decode_hex(digits: &[u8]) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        (c as char).to_digit(16).map(|d| d as u8)
    }
    digits
        .chunks_exact(2)
        .map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?))
        .collect()
}

/// Bits, most significant first, into as few bytes as hold them (how MySQL stores `BIT(n)`).
fn decode_bits(digits: &[u8]) -> Option<Vec<u8>> {
    let mut bytes = vec![0u8; digits.len().div_ceil(8)];
    let pad = bytes.len() * 8 - digits.len();
    for (k, &c) in digits.iter().enumerate() {
        let bit = match c {
            b'0' => 0,
            b'1' => 1,
            _ => return None,
        };
        let position = pad + k;
        bytes[position / 8] |= bit << (7 - position % 8);
    }
    Some(bytes)
}

/// A number, kept as the literal text so that decimals stay exact.
/// A number at `s[start]`, pushed onto `values` as its text.
fn decode_number(
    s: &[u8],
    start: usize,
    spare: &mut Spare,
    values: &mut Vec<Value>,
) -> Result<usize, ValueError> {
    // Most numbers in dumps are plain integers and decimals: take those in one pass.
    let simple = s[start..]
        .iter()
        .position(|&c| !(c.is_ascii_digit() || c == b'.'))
        .map(|k| start + k);
    if let Some(end) = simple.filter(|&end| end > start && matches!(s[end], b',' | b')' | b' ')) {
        let literal = &s[start..end];
        if literal.iter().filter(|&&c| c == b'.').count() <= 1 && literal != b"." {
            // Digits and dots: ASCII.
            values.push(spare.ascii(literal));
            return Ok(end);
        }
    }
    let end = s[start..]
        .iter()
        .position(|&c| !(is_word_byte(c) || matches!(c, b'.' | b'+' | b'-')))
        .map(|k| start + k)
        .ok_or(ValueError::NeedMore)?;
    let literal = &s[start..end];
    if !is_number(literal) {
        return Err(invalid(
            start,
            format!("invalid number `{}`", String::from_utf8_lossy(literal)),
        ));
    }
    // Checked to be ASCII just above, so this is never the lossy path.
    let text = std::str::from_utf8(literal).map_or_else(
        |_| String::from_utf8_lossy(literal).into_owned(),
        str::to_owned,
    );
    values.push(Value::Text(text));
    Ok(end)
}

/// `[+-]digits[.digits][e[+-]digits]`, digits on at least one side of the point.
fn is_number(literal: &[u8]) -> bool {
    let mut i = 0;
    if matches!(literal.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = literal[i..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    i += int_digits;
    let mut frac_digits = 0;
    if literal.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = literal[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(literal.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(literal.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = literal[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == literal.len()
}

/// `NULL`, and the literal `TRUE`/`FALSE` (kept as written: profiles decide).
fn decode_keyword(s: &[u8], start: usize) -> Result<(Value, usize), ValueError> {
    let end = word_end(s, start)?;
    let word = &s[start..end];
    if word.eq_ignore_ascii_case(b"NULL") {
        return Ok((Value::Null, end));
    }
    if word.eq_ignore_ascii_case(b"TRUE") || word.eq_ignore_ascii_case(b"FALSE") {
        return Ok((Value::Text(String::from_utf8_lossy(word).into_owned()), end));
    }
    Err(invalid(
        start,
        format!(
            "expected a value, found `{}`",
            String::from_utf8_lossy(word)
        ),
    ))
}

/// The end of the row starting at `s[0]` (`(`), found without decoding it: used to step over a row that
/// could not be decoded. None if it does not end within `s`.
pub(crate) fn find_tuple_end(d: Dialect, s: &[u8]) -> Option<usize> {
    let mysql = d == Dialect::MySql;
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'\'' => {
                let e_string = !mysql && i > 0 && matches!(s[i - 1], b'e' | b'E');
                i = skip_quoted(s, i, b'\'', mysql || e_string, false)?;
                continue;
            }
            b'"' if mysql => {
                i = skip_quoted(s, i, b'"', true, false)?;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Lossy text of raw bytes, for error messages and quarantine.
pub(crate) fn raw_text(bytes: &[u8]) -> String {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(s) => s.to_string(),
        Cow::Owned(s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(d: Dialect, s: &str) -> Result<Vec<Value>, TupleParse> {
        let mut out = Vec::new();
        match decode_tuple(d, s.as_bytes(), &mut out, &mut Spare::default()) {
            TupleParse::Complete(n) if n == s.len() => Ok(out),
            other => Err(other),
        }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn mysql_values() {
        let got = tuple(
            Dialect::MySql,
            r"(1,-2.5e3,NULL,'a\'b''c\\\0\n\r\t\Z\b\%\_\x',_binary 'x',0xCAFE,X'00ff',b'101',_utf8mb4'é',0x1)",
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                text("1"),
                text("-2.5e3"),
                Value::Null,
                text("a'b'c\\\0\n\r\t\x1a\x08\\%\\_x"),
                Value::Bytes(b"x".to_vec()),
                Value::Bytes(vec![0xca, 0xfe]),
                Value::Bytes(vec![0, 0xff]),
                Value::Bytes(vec![5]),
                text("é"),
                Value::Bytes(vec![1]),
            ]
        );
    }

    #[test]
    fn postgres_values() {
        let got = tuple(
            Dialect::Postgres,
            r"(1, 'it''s \n', E'a\tb\\\101\x41\u00e9', true, NULL)",
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                text("1"),
                text("it's \\n"),
                text("a\tb\\AAé"),
                text("true"),
                Value::Null
            ]
        );
    }

    #[test]
    fn incomplete_rows_ask_for_more() {
        for prefix in [
            "(", "(1", "(1,", "('ab", "('ab'", "(NUL", "(0x1", "(_binary", "(1,'x\\",
        ] {
            assert_eq!(
                tuple(Dialect::MySql, prefix),
                Err(TupleParse::NeedMore),
                "{prefix}"
            );
        }
    }

    #[test]
    fn bad_rows_say_where() {
        let Err(TupleParse::Invalid(e)) = tuple(Dialect::MySql, "(1,zz,3)") else {
            panic!("expected an error");
        };
        assert_eq!(e.at, 3);
        assert_eq!(
            find_tuple_end(Dialect::MySql, b"(1,'a)b',zz),(2)"),
            Some(12)
        );
        assert!(!is_number(b"1e"));
        assert!(!is_number(b"."));
        assert!(is_number(b".5"));
    }

    #[test]
    fn scanner_finds_delimiter_outside_quotes_and_comments() {
        let sql = b"SET x = 'a;b' /* c; */ -- d;\n # e;\n `f;` ; tail";
        let mut scanner = StatementScanner::new(Dialect::MySql);
        let Scan::Done(n) = scanner.scan(sql, b";", false) else {
            panic!("no end");
        };
        assert_eq!(&sql[n..], b" tail");
        let pg = b"CREATE FUNCTION f() AS $body$ x; $y$ ; $body$ LANGUAGE sql; x";
        let mut scanner = StatementScanner::new(Dialect::Postgres);
        assert_eq!(scanner.scan(pg, b";", false), Scan::Done(pg.len() - 2));
    }

    #[test]
    fn scanner_resumes_across_chunks() {
        let cases: [(Dialect, &[u8]); 2] = [
            (
                Dialect::MySql,
                b"INSERT INTO x SELECT 'a\\';b', \"c\\\";\" /* x */ -- y;\n; rest",
            ),
            (
                Dialect::Postgres,
                b"SELECT 'a'';b', E'c\\'d;' /* x /* y; */ ; */ $q$;$q$ -- z;\n; rest",
            ),
        ];
        for (d, sql) in cases {
            for split in 1..sql.len() {
                let mut scanner = StatementScanner::new(d);
                let mut pos = 0;
                let mut end = None;
                let mut avail = split;
                for _ in 0..10 * sql.len() {
                    match scanner.scan(&sql[pos..avail], b";", avail == sql.len()) {
                        Scan::Done(n) => {
                            end = Some(pos + n);
                            break;
                        }
                        Scan::More(n) => {
                            pos += n;
                            avail = (avail + 1).min(sql.len());
                        }
                    }
                }
                assert_eq!(end, Some(sql.len() - 5), "{d:?} split at {split}");
            }
        }
    }
}
