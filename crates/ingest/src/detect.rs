//! Recognising which known schema a source follows, from the source itself.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::encoding::{
    Declaration, DeclaredBy, SAMPLE_LIMIT, Sampler, SourceEncodings, charset_by_name,
};
use crate::formats::compressed::decompress;
use crate::profile::{Profile, table_matches};
use crate::{Format, ReadError, ReadErrorKind};

/// Tables and their columns as a source declares them.
pub type SourceSchema = BTreeMap<String, Vec<String>>;

/// Which profile was chosen, and why, so the CLI can say it.
#[derive(Debug, Clone)]
pub struct Recognition<'p> {
    pub profile: &'p Profile,
    pub matched_tables: Vec<String>,
    pub profile_tables: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(
        "{file}: no known profile matches this {format} source (tables seen: {seen}); name one with --profile"
    )]
    NoMatch {
        file: String,
        format: Format,
        seen: String,
    },
    #[error("{file}: several profiles match equally ({candidates}); name one with --profile")]
    Ambiguous { file: String, candidates: String },
}

fn io_error(path: &Path, e: std::io::Error) -> ReadError {
    ReadError {
        kind: ReadErrorKind::Fatal,
        file: path.to_path_buf(),
        line: 0,
        offset: 0,
        message: e.to_string(),
        raw: None,
    }
}

/// Reads the table declarations of a source: CREATE TABLE and COPY headers for dumps, the header row for CSV.
/// Streams line by line; row data is skipped, never parsed. `name` is the file's name as the analyst gave it
/// (the file read may be the case's hash-named copy): a CSV or JSON table is named after it.
///
/// JSON declares nothing: its tables are those of the documents that begin in the first
/// [`SCHEMA_SCAN_BYTES`](crate::formats::json::SCHEMA_SCAN_BYTES), with the union of the columns their rows
/// have (a key that first appears later is not seen).
pub fn scan_schema(path: &Path, name: &Path, format: Format) -> Result<SourceSchema, ReadError> {
    scan_source(path, name, format).map(|scan| scan.schema)
}

/// What a scan of a source finds: its tables with their columns, and what it declares or suggests about
/// the encoding of their text.
#[derive(Debug, Clone, Default)]
pub struct SourceScan {
    pub schema: SourceSchema,
    pub encodings: SourceEncodings,
}

/// [`scan_schema`], also gathering per table the character sets the source declares (`SET NAMES`,
/// `client_encoding`, `DEFAULT CHARSET`, column `CHARACTER SET`) and a guess from a sample of its text that
/// is not UTF-8 (see [`crate::encoding`]).
pub fn scan_source(path: &Path, name: &Path, format: Format) -> Result<SourceScan, ReadError> {
    if format == Format::Sqlite {
        return crate::formats::sqlite::schema(path, name).map(|schema| SourceScan {
            schema,
            encodings: SourceEncodings::default(),
        });
    }
    if format == Format::Json {
        return crate::formats::json::scan_schema(path, name).map(|schema| SourceScan {
            schema,
            encodings: SourceEncodings::default(),
        });
    }
    let file = File::open(path).map_err(|e| io_error(name, e))?;
    // Through gzip or zstd when the file is compressed.
    let reader = decompress(file).map_err(|e| io_error(name, e))?.reader;
    scan_reader(BufReader::with_capacity(1 << 20, reader), name, format)
}

/// [`scan_source`] over a file's bytes as they stream in (while it is being received, say): tells the
/// format from the head unless `format` is given, reads through gzip or zstd, and returns the format with
/// the scan. `None` for the formats whose scan needs the whole file at hand (SQLite, JSON).
pub fn scan_stream<R: BufRead + Send + 'static>(
    mut input: R,
    name: &Path,
    format: Option<Format>,
) -> Result<Option<(Format, SourceScan)>, ReadError> {
    let mut head = Vec::with_capacity(crate::formats::SNIFF_BYTES);
    (&mut input)
        .take(crate::formats::SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| io_error(name, e))?;
    let format = match format {
        Some(format) => format,
        None => crate::formats::detect(name, &head)?,
    };
    if matches!(format, Format::Sqlite | Format::Json) {
        return Ok(None);
    }
    if crate::formats::Compression::sniff(&head) == crate::formats::Compression::None {
        // Read in the buffers the bytes came in (a received file's runs of 4 MiB), not copied into one
        // of the scan's own first: a line whole inside one is looked at where it is.
        return scan_reader(std::io::Cursor::new(head).chain(input), name, format)
            .map(|s| Some((format, s)));
    }
    let reader = decompress(std::io::Cursor::new(head).chain(input))
        .map_err(|e| io_error(name, e))?
        .reader;
    scan_reader(BufReader::with_capacity(SCAN_BUFFER, reader), name, format)
        .map(|s| Some((format, s)))
}

/// The scan's read buffer over decompressed bytes. A line whole inside it is looked at where it is; one
/// across its end is copied out first. mysqldump writes INSERTs of up to 1 MB a line (its
/// `net_buffer_length`): with a buffer of 1 MB nearly every line of a dump was copied, with 8 MB about one
/// in eight.
const SCAN_BUFFER: usize = 8 << 20;

/// [`scan_source`] over any reader, read from its first byte.
pub fn scan_reader<R: BufRead>(
    mut reader: R,
    name: &Path,
    format: Format,
) -> Result<SourceScan, ReadError> {
    let mut scan = Scanner::default();
    let mut csv_header: Option<Vec<u8>> = (format == Format::Csv).then(Vec::new);
    let csv_table = csv_table(name);
    let mut look = |line: &[u8]| -> Result<(), ReadError> {
        if let Some(header) = &mut csv_header {
            let table = &csv_table;
            // The header is the lines up to the first where the quotes balance (a quoted name may hold a
            // line break); every line, header included, is text of the one table.
            if scan.schema.is_empty() {
                header.extend_from_slice(line);
                let balanced = header.iter().filter(|&&b| b == b'"').count() % 2 == 0;
                // A quote never closed would take the whole file into the header.
                if balanced || header.len() > MAX_CSV_HEADER {
                    let cols = csv_columns(header, name)?;
                    scan.schema.insert(table.clone(), cols);
                }
            }
            scan.sample(table, line);
            return Ok(());
        }
        scan.dump_line(line);
        Ok(())
    };
    each_line_head(&mut reader, MAX_SCANNED_LINE, &mut look, |e| {
        io_error(name, e)
    })?;
    if let Some(header) = csv_header
        && scan.schema.is_empty()
    {
        // No header (empty file) or a quote never closed: the columns are what the header bytes give.
        let cols = csv_columns(&header, name)?;
        scan.schema.insert(csv_table, cols);
    }
    Ok(scan.finish())
}

/// Bytes of a line the scan looks at: statements are told by their first bytes and the guess needs only
/// a sample, so the rest of a longer line is skipped rather than held (a dump may be one huge line).
const MAX_SCANNED_LINE: usize = 16 << 20;

/// Calls `look` with every line of `reader` (to and with its `\n`; the last may lack it), cut to its first
/// `max` bytes. A line that is whole in the reader's buffer, as nearly every line is, is looked at where it
/// is, rather than copied out first (a copy of the whole dump, on the thread that hashes it); only a line
/// across the buffer's end is gathered into a buffer of its own.
fn each_line_head<R: BufRead, E>(
    reader: &mut R,
    max: usize,
    look: &mut impl FnMut(&[u8]) -> Result<(), E>,
    io_err: impl Fn(std::io::Error) -> E,
) -> Result<(), E> {
    let mut line = Vec::new();
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(e)),
        };
        if buf.is_empty() {
            if !line.is_empty() {
                look(&line)?;
            }
            return Ok(());
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) if line.is_empty() => {
                look(&buf[..(i + 1).min(max)])?;
                reader.consume(i + 1);
            }
            Some(i) => {
                let keep = (i + 1).min(max.saturating_sub(line.len()));
                line.extend_from_slice(&buf[..keep]);
                reader.consume(i + 1);
                look(&line)?;
                line.clear();
            }
            None => {
                let n = buf.len();
                let keep = n.min(max.saturating_sub(line.len()));
                line.extend_from_slice(&buf[..keep]);
                reader.consume(n);
            }
        }
    }
}

/// Bytes of a CSV header record at most.
const MAX_CSV_HEADER: usize = 1 << 20;

fn csv_table(name: &Path) -> String {
    crate::formats::csv::table_name(name).to_string()
}

/// The column names of a CSV header record, as the reader names them (lossily made UTF-8, without a byte
/// order mark), trimmed.
fn csv_columns(header: &[u8], name: &Path) -> Result<Vec<String>, ReadError> {
    let delimiter = crate::formats::csv::sniff_delimiter(header).unwrap_or(b',');
    let mut parser = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(header);
    let mut record = csv::ByteRecord::new();
    let found = parser
        .read_byte_record(&mut record)
        .map_err(|e| io_error(name, std::io::Error::other(e)))?;
    if !found {
        return Ok(Vec::new());
    }
    Ok(record
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let text = String::from_utf8_lossy(field);
            let text = if i == 0 {
                text.trim_start_matches('\u{feff}')
            } else {
                &text
            };
            text.trim().to_string()
        })
        .collect())
}

/// The state of a dump scan between lines.
#[derive(Default)]
struct Scanner {
    schema: SourceSchema,
    encodings: SourceEncodings,
    samplers: BTreeMap<String, Sampler>,
    /// The table whose CREATE TABLE body is being read.
    open_table: Option<String>,
    /// The table whose rows the lines now belong to (last INSERT or COPY).
    data_table: Option<String>,
    /// The connection charset in force (`SET NAMES`, `client_encoding`).
    connection: Option<Declaration>,
    /// Tables whose data has begun: their connection charset is settled.
    with_data: BTreeSet<String>,
}

impl Scanner {
    fn dump_line(&mut self, line: &[u8]) {
        // Only the start of a line matters for statements; a data line may be megabytes long.
        let head = String::from_utf8_lossy(&line[..line.len().min(4096)]);
        let trimmed = head.trim();
        if let Some(table) = self.open_table.clone() {
            self.sample(&table, line);
            if trimmed.starts_with(')') {
                self.open_table = None;
                if let Some(d) = self.declaration(declared_charset(trimmed), DeclaredBy::Table) {
                    self.encodings.tables.entry(table).or_default().table = Some(d);
                }
            } else if let Some(col) = column_of_definition(trimmed) {
                let rest = trimmed.split_once(char::is_whitespace).map_or("", |p| p.1);
                if let Some(d) = self.declaration(declared_charset(rest), DeclaredBy::Column) {
                    let t = self.encodings.tables.entry(table.clone()).or_default();
                    t.columns.insert(col.clone(), d);
                }
                self.schema.entry(table).or_default().push(col);
            }
            return;
        }
        if let Some(charset) = connection_charset(trimmed) {
            self.connection = self.declaration(Some(charset), DeclaredBy::Connection);
        } else if let Some(rest) = strip_prefix_ci(trimmed, "CREATE TABLE ") {
            let rest = strip_prefix_ci(rest, "IF NOT EXISTS ").unwrap_or(rest);
            let name = table_name(rest.split(['(', ' ']).next().unwrap_or(""));
            self.schema.insert(name.clone(), Vec::new());
            self.begin_table(&name, false);
            self.open_table = Some(name);
            self.data_table = None;
        } else if let Some(rest) = strip_prefix_ci(trimmed, "COPY ") {
            // COPY public.t (a, b, "C") FROM stdin;
            // The list's `)` is looked for after its `(`: a line such as `COPY t) x (` is not one.
            if let Some(open) = rest.find('(')
                && let Some(close) = rest[open..].find(')').map(|k| open + k)
            {
                let name = table_name(rest[..open].trim());
                let cols = rest[open + 1..close]
                    .split(',')
                    .map(|c| unquote(c.trim()))
                    .collect();
                self.schema.insert(name.clone(), cols);
                self.begin_table(&name, true);
                self.data_table = Some(name);
            }
        } else if let Some(name) = insert_table(trimmed) {
            self.begin_table(&name, true);
            self.data_table = Some(name);
        }
        if let Some(table) = self.data_table.clone() {
            self.sample(&table, line);
        }
    }

    /// Records the connection charset in force for a table: where its data begins, or where it is created
    /// if no data follows.
    fn begin_table(&mut self, table: &str, data: bool) {
        if self.with_data.contains(table) {
            return;
        }
        if data {
            self.with_data.insert(table.to_string());
        }
        self.encodings
            .tables
            .entry(table.to_string())
            .or_default()
            .connection = self.connection.clone();
    }

    fn declaration(&mut self, name: Option<&str>, by: DeclaredBy) -> Option<Declaration> {
        let name = name?.trim_matches(['\'', '"', '`']);
        match charset_by_name(name) {
            Some(charset) => Some(Declaration {
                charset,
                name: name.to_string(),
                by,
            }),
            None => {
                self.encodings.unknown.insert(name.to_string());
                None
            }
        }
    }

    /// Feeds a line's words that are not UTF-8 to the table's guess.
    fn sample(&mut self, table: &str, line: &[u8]) {
        if let Some(s) = self.samplers.get(table)
            && s.fed() >= SAMPLE_LIMIT
        {
            return;
        }
        // One pass of encoding_rs's validator: it doubled the scan's speed on a Cyrillic-heavy dump
        // (390 → 800 MB/s) over `is_ascii` followed by `str::from_utf8`.
        if encoding_rs::Encoding::utf8_valid_up_to(line) == line.len() {
            return;
        }
        let sampler = self.samplers.entry(table.to_string()).or_default();
        for text in outside_binary_strings(line) {
            sampler.feed_words(text, SAMPLE_LIMIT);
        }
    }

    fn finish(mut self) -> SourceScan {
        for (table, sampler) in self.samplers {
            if let Some(guess) = sampler.finish() {
                self.encodings.tables.entry(table).or_default().guess = Some(guess);
            }
        }
        SourceScan {
            schema: self.schema,
            encodings: self.encodings,
        }
    }
}

/// The parts of a line outside MySQL `_binary '...'` strings, whose bytes are not text (UUIDs, hashes)
/// and would mislead a guess.
fn outside_binary_strings(line: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = line;
    while let Some(at) = memchr::memmem::find(rest, b"_binary") {
        let after = &rest[at + b"_binary".len()..];
        let Some(quote) = after.iter().position(|b| !b.is_ascii_whitespace()) else {
            break;
        };
        if after[quote] != b'\'' {
            parts.push(&rest[..at + b"_binary".len()]);
            rest = after;
            continue;
        }
        parts.push(&rest[..at]);
        // The string ends at the first quote that no backslash escapes.
        let body = &after[quote + 1..];
        let mut i = 0;
        let end = loop {
            match body.get(i) {
                None => break body.len(),
                Some(b'\\') => i += 2,
                Some(b'\'') => break i + 1,
                Some(_) => i += 1,
            }
        };
        rest = &body[end.min(body.len())..];
    }
    parts.push(rest);
    parts
}

/// The table of an `INSERT [IGNORE] INTO t` or `REPLACE [INTO] t` line.
fn insert_table(line: &str) -> Option<String> {
    let rest = if let Some(r) = strip_prefix_ci(line, "INSERT ") {
        let r = r.trim_start();
        let r = strip_prefix_ci(r, "IGNORE ").map_or(r, str::trim_start);
        strip_prefix_ci(r, "INTO ")?
    } else {
        let r = strip_prefix_ci(line, "REPLACE ")?.trim_start();
        strip_prefix_ci(r, "INTO ").unwrap_or(r)
    };
    let name = table_name(rest.trim_start().split(['(', ' ']).next().unwrap_or(""));
    (!name.is_empty()).then_some(name)
}

/// The character set a `SET NAMES x`, `SET CHARACTER SET x` (MySQL, also inside `/*!40101 ... */`) or
/// `SET client_encoding = 'x'` (PostgreSQL) line sets, as written.
fn connection_charset(line: &str) -> Option<&str> {
    let mut s = line;
    if let Some(rest) = s.strip_prefix("/*!") {
        s = rest
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
    }
    let rest = strip_prefix_ci(s, "SET ")?.trim_start();
    let value = if let Some(v) = strip_prefix_ci(rest, "NAMES ") {
        v
    } else if let Some(v) = strip_prefix_ci(rest, "CHARACTER SET ") {
        v
    } else {
        let v = strip_prefix_ci(rest, "client_encoding")?.trim_start();
        v.strip_prefix('=').or_else(|| strip_prefix_ci(v, "TO "))?
    };
    let value = value.trim_start();
    let end = value
        .find(|c: char| c.is_whitespace() || c == ';' || c == '*')
        .unwrap_or(value.len());
    let name = value[..end].trim_matches(['\'', '"', '`']);
    (!name.is_empty() && !name.eq_ignore_ascii_case("DEFAULT")).then_some(name)
}

/// The character set a MySQL column definition (after its name) or table options line declares:
/// `CHARACTER SET x`, `[DEFAULT] CHARSET[=]x`, else the one a `COLLATE x_...` names.
fn declared_charset(def: &str) -> Option<&str> {
    let tokens: Vec<&str> = def
        .split(|c: char| c.is_whitespace() || c == '=' || c == ',' || c == ';')
        .filter(|t| !t.is_empty())
        .collect();
    let mut collation = None;
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).copied();
        if t.eq_ignore_ascii_case("CHARSET") {
            return next;
        }
        if t.eq_ignore_ascii_case("CHARACTER")
            && next.is_some_and(|n| n.eq_ignore_ascii_case("SET"))
        {
            return tokens.get(i + 2).copied();
        }
        if t.eq_ignore_ascii_case("COLLATE") {
            collation = next.and_then(|c| c.trim_matches(['\'', '"', '`']).split('_').next());
        }
    }
    collation
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '`' || c == '"').to_string()
}

/// `public.users` / `` `users` `` / `"Users"` → `users` as the readers name it.
fn table_name(s: &str) -> String {
    let s = s.trim();
    let last = s.rsplit('.').next().unwrap_or(s);
    unquote(last)
}

/// The column a CREATE TABLE body line defines, if it defines one (not a key or constraint).
fn column_of_definition(line: &str) -> Option<String> {
    let first = line.split_whitespace().next()?;
    let upper = first.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "PRIMARY" | "KEY" | "UNIQUE" | "INDEX" | "CONSTRAINT" | "FOREIGN" | "FULLTEXT" | "CHECK"
    ) {
        return None;
    }
    Some(unquote(first.trim_end_matches(',')))
}

/// Picks the profile that explains the most tables of the source. A table the source has under the
/// profile's name but without the columns the profile reads counts against the profile: it is a different
/// schema that happens to use a common name such as `users`. A profile's table pattern (`"*"`, `"products*"`)
/// stands for every table of the source it matches. Profiles for files without header are left to
/// [`recognise_first_line`].
pub fn recognise<'p>(
    path: &Path,
    format: Format,
    schema: &SourceSchema,
    profiles: &'p [Profile],
) -> Result<Recognition<'p>, DetectError> {
    let mut best: Vec<Recognition<'p>> = Vec::new();
    for profile in profiles {
        if profile.format.is_some_and(|f| f != format) || !profile.source.header {
            continue;
        }
        let tables = profile.tables();
        let mut matched = Vec::new();
        let mut conflict = false;
        for (pattern, needed) in &tables {
            for (table, cols) in schema.iter().filter(|(t, _)| table_matches(pattern, t)) {
                if needed.iter().all(|n| cols.iter().any(|c| c == n)) {
                    matched.push(table.clone());
                } else {
                    conflict = true;
                }
            }
        }
        matched.sort();
        matched.dedup();
        if conflict || matched.is_empty() {
            continue;
        }
        let candidate = Recognition {
            profile,
            profile_tables: tables.len(),
            matched_tables: matched,
        };
        match best.first() {
            Some(b) if b.matched_tables.len() > candidate.matched_tables.len() => {}
            Some(b) if b.matched_tables.len() == candidate.matched_tables.len() => {
                best.push(candidate)
            }
            _ => best = vec![candidate],
        }
    }
    match best.len() {
        0 => Err(DetectError::NoMatch {
            file: path.display().to_string(),
            format,
            seen: if schema.is_empty() {
                "none".into()
            } else {
                schema.keys().cloned().collect::<Vec<_>>().join(", ")
            },
        }),
        1 => Ok(best.remove(0)),
        _ => Err(DetectError::Ambiguous {
            file: path.display().to_string(),
            candidates: best
                .iter()
                .map(|r| r.profile.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// How much of a file's first line [`recognise_first_line`] reads.
const FIRST_LINE_BYTES: usize = 64 * 1024;

/// Recognises a CSV file without header by its first line: the one profile whose `[source] first_line`
/// pattern matches it. `Ok(None)` when none does.
pub fn recognise_first_line<'p>(
    path: &Path,
    name: &Path,
    profiles: &'p [Profile],
) -> Result<Option<Recognition<'p>>, DetectError> {
    let file = File::open(path).map_err(|e| io_error(name, e))?;
    let mut line = Vec::new();
    BufReader::new(file)
        .take(FIRST_LINE_BYTES as u64)
        .read_until(b'\n', &mut line)
        .map_err(|e| io_error(name, e))?;
    let line = String::from_utf8_lossy(&line);
    let line = line.strip_prefix('\u{feff}').unwrap_or(&line);
    let line = line.trim_end_matches(['\r', '\n']);
    let mut found: Vec<&'p Profile> = profiles
        .iter()
        .filter(|p| p.format.is_none_or(|f| f == Format::Csv))
        .filter(|p| {
            p.source
                .first_line
                .as_ref()
                .is_some_and(|pattern| pattern.regex().is_match(line))
        })
        .collect();
    match found.len() {
        0 => Ok(None),
        1 => Ok(Some(Recognition {
            profile: found.remove(0),
            matched_tables: Vec::new(),
            profile_tables: 0,
        })),
        _ => Err(DetectError::Ambiguous {
            file: name.display().to_string(),
            candidates: found
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::builtin_profiles;
    use std::io::Write;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::File::create(&p)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .expect("write");
        p
    }

    #[test]
    fn recognises_each_shipped_schema_and_refuses_strangers() {
        let dir = tempfile::tempdir().expect("tmp");
        let profiles = builtin_profiles();
        let sql = write(
            dir.path(),
            "a.sql",
            "-- MySQL dump\nCREATE TABLE `users` (\n  `id` bigint NOT NULL,\n  `username` varchar(64),\n  `role` enum('a'),\n  `about` text,\n  `pgp_key` text,\n  `created_at` timestamp,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\nINSERT INTO `users` VALUES (1,'x','vendor',NULL,NULL,NULL);\n",
        );
        let schema = scan_schema(&sql, &sql, Format::MysqlDump).unwrap();
        assert_eq!(
            schema["users"],
            ["id", "username", "role", "about", "pgp_key", "created_at"]
        );
        let r = recognise(&sql, Format::MysqlDump, &schema, &profiles).unwrap();
        assert_eq!(r.profile.name, "laravel");

        let pg = write(
            dir.path(),
            "b.sql",
            "COPY public.members (member_id, login, kind, joined, pgp, bio) FROM stdin;\n1\tx\t2\t\\N\t\\N\t\\N\n\\.\n",
        );
        let schema = scan_schema(&pg, &pg, Format::PgDump).unwrap();
        assert_eq!(
            recognise(&pg, Format::PgDump, &schema, &profiles)
                .unwrap()
                .profile
                .name,
            "pgmarket"
        );

        let csv = write(
            dir.path(),
            "vendors.csv",
            "vendor,joined,profile,pgp_key,crawled_at\nx,2020-01-01,hi,,2020-02-02\n",
        );
        let schema = scan_schema(&csv, &csv, Format::Csv).unwrap();
        assert_eq!(
            recognise(&csv, Format::Csv, &schema, &profiles)
                .unwrap()
                .profile
                .name,
            "scrape"
        );

        let other = write(dir.path(), "people.csv", "name,age\nx,3\n");
        let schema = scan_schema(&other, &other, Format::Csv).unwrap();
        let err = recognise(&other, Format::Csv, &schema, &profiles)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("people.csv") && err.contains("--profile"),
            "{err}"
        );
    }

    #[test]
    fn connection_charset_statements() {
        let cases = [
            ("/*!40101 SET NAMES utf8mb4 */;", Some("utf8mb4")),
            (
                "SET NAMES 'cp1251' COLLATE 'cp1251_general_ci';",
                Some("cp1251"),
            ),
            ("set names latin1;", Some("latin1")),
            ("SET CHARACTER SET koi8r;", Some("koi8r")),
            ("SET client_encoding = 'WIN1251';", Some("WIN1251")),
            ("SET client_encoding TO 'UTF8';", Some("UTF8")),
            (
                "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;",
                None,
            ),
            ("/*!40101 SET character_set_client = utf8 */;", None),
            (
                "/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;",
                None,
            ),
            ("SET NAMES DEFAULT;", None),
            ("SET standard_conforming_strings = on;", None),
        ];
        for (line, want) in cases {
            assert_eq!(connection_charset(line), want, "{line}");
        }
    }

    #[test]
    fn table_and_column_charsets() {
        let cases = [
            (
                ") ENGINE=InnoDB DEFAULT CHARSET=cp1251 COLLATE=cp1251_general_ci;",
                Some("cp1251"),
            ),
            (
                ") ENGINE=InnoDB DEFAULT CHARACTER SET = koi8r;",
                Some("koi8r"),
            ),
            (") ENGINE=MyISAM COLLATE=latin1_swedish_ci;", Some("latin1")),
            (") ENGINE=InnoDB;", None),
            (");", None),
            (
                "varchar(64) CHARACTER SET cp1251 COLLATE cp1251_bin DEFAULT NULL,",
                Some("cp1251"),
            ),
            ("text CHARSET utf8mb4,", Some("utf8mb4")),
            (
                "varchar(9) COLLATE utf8mb4_unicode_ci NOT NULL,",
                Some("utf8mb4"),
            ),
            ("int(11) NOT NULL,", None),
        ];
        for (line, want) in cases {
            assert_eq!(declared_charset(line), want, "{line}");
        }
    }

    #[test]
    fn binary_strings_are_left_out_of_the_sample() {
        let line = b"(1,_binary '\xff\\'\xfe',' caf\xe9 ',_binary 0x41, _binary'\x80')";
        let parts: Vec<&[u8]> = outside_binary_strings(line);
        assert_eq!(
            parts,
            [&b"(1,"[..], b",' caf\xe9 ',_binary", b" 0x41, ", b")"]
        );
        assert_eq!(outside_binary_strings(b"_binary '\xff"), [&b""[..], b""]);
    }

    #[test]
    fn declarations_follow_the_dump_as_it_goes() {
        // Two dumps concatenated: each table's connection charset is the one in force at its data.
        let dump = b"/*!40101 SET NAMES cp1251 */;\n\
            CREATE TABLE `a` (\n  `id` int,\n  `t` text CHARACTER SET ucs2\n) DEFAULT CHARSET=cp1251;\n\
            INSERT INTO `a` VALUES (1,'\xcf\xf0\xe8\xe2\xe5\xf2');\n\
            /*!40101 SET NAMES utf8mb4 */;\n\
            CREATE TABLE `b` (\n  `id` int\n) DEFAULT CHARSET=latin1;\n\
            INSERT IGNORE INTO `b` VALUES (1);\n\
            REPLACE INTO `c` VALUES (2,'caf\xe9 na\xefve cr\xe8me br\xfbl\xe9e');\n";
        let scan = scan_reader(&dump[..], Path::new("d.sql"), Format::MysqlDump).unwrap();
        assert_eq!(scan.schema["a"], ["id", "t"]);
        let enc = &scan.encodings;
        let conn = |t: &str| enc.tables[t].connection.as_ref().map(|d| d.name.as_str());
        assert_eq!(conn("a"), Some("cp1251"));
        assert_eq!(conn("b"), Some("utf8mb4"));
        assert_eq!(conn("c"), Some("utf8mb4"));
        let declared = |t: &str| enc.declared(t, "x").map(|(e, _)| e.name());
        assert_eq!(declared("a"), Some("windows-1251"));
        assert_eq!(
            declared("b"),
            Some("windows-1252"),
            "binary bytes: table charset"
        );
        assert_eq!(declared("c"), None);
        assert!(enc.unknown.contains("ucs2"), "{:?}", enc.unknown);
        // The INSERT lines are sampled for their own table.
        assert_eq!(enc.tables["a"].guess.map(|g| g.sampled_bytes), Some(7));
        assert_eq!(
            enc.tables["c"].guess.map(|g| g.detected.name()),
            Some("windows-1252")
        );
        assert!(enc.tables["b"].guess.is_none());
    }

    #[test]
    fn a_copy_line_with_its_parentheses_reversed_is_no_panic() {
        let scan = scan_reader(
            &b"COPY public.lis)ings (id, title) FROM stdin;\nCOPY t) x\n"[..],
            Path::new("p.sql"),
            Format::PgDump,
        )
        .unwrap();
        assert_eq!(scan.schema["lis)ings"], ["id", "title"]);
        assert_eq!(scan.schema.len(), 1);
    }

    #[test]
    fn long_lines_are_cut_not_held() {
        let mut input = b"ab\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 10_000));
        input.extend_from_slice(b"\nlast");
        // Lines inside the reader's buffer, across its end, longer than the cut and longer than the
        // buffer, and a last line without its newline.
        for (capacity, max) in [
            (64, 100),
            (1 << 16, 100),
            (64, 1 << 20),
            (1 << 16, 1 << 20),
            (5, 2),
        ] {
            let mut reader = std::io::BufReader::with_capacity(capacity, &input[..]);
            let mut lines = Vec::new();
            let mut look = |line: &[u8]| -> Result<(), ()> {
                lines.push(line.to_vec());
                Ok(())
            };
            each_line_head(&mut reader, max, &mut look, |_| ()).unwrap();
            let cut = |l: &[u8]| l[..l.len().min(max)].to_vec();
            let mut xs = vec![b'x'; 10_000];
            xs.push(b'\n');
            assert_eq!(
                lines,
                vec![cut(b"ab\n"), cut(&xs), cut(b"last")],
                "capacity {capacity}, max {max}"
            );
        }
    }

    #[test]
    fn csv_headers_use_the_sniffed_delimiter_and_may_span_lines() {
        let scan = scan_reader(
            &b"\xef\xbb\xbfvendor;\"pro\nfile\";price\nx;y;1\n"[..],
            Path::new("v.csv"),
            Format::Csv,
        )
        .unwrap();
        assert_eq!(scan.schema["v"], ["vendor", "pro\nfile", "price"]);
    }

    #[test]
    fn recognises_the_real_market_exports_whatever_the_files_are_called() {
        let dir = tempfile::tempdir().expect("tmp");
        let profiles = builtin_profiles();
        let recognised = |name: &str, text: &str| {
            let p = write(dir.path(), name, text);
            let schema = scan_schema(&p, &p, Format::Csv).unwrap();
            recognise(&p, Format::Csv, &schema, &profiles)
                .map(|r| r.profile.name.clone())
                .map_err(|e| e.to_string())
        };
        let products = "\"list\",\"date\",\"vendor\",\"product\",\"price\",\"cat\",\"subcat\",\"subsubcat\",\"feedback\",\"from\",\"to\"\n";
        assert_eq!(
            recognised("products-2014-01-01.csv", products).unwrap(),
            "agora-products"
        );
        // The March batch has no subsubcat, which the profile only uses if present.
        let march = products.replace("\"subsubcat\",", "");
        assert_eq!(
            recognised("agora_march.csv", &march).unwrap(),
            "agora-products"
        );
        let vendors = "\"date\",\"vendor\",\"product\",\"description\",\"price\",\"from\",\"to\"\n";
        assert_eq!(
            recognised("vendorall_0114.csv", vendors).unwrap(),
            "agora-vendors"
        );
        // A tab-separated header is read with its delimiter.
        let tabbed = vendors.replace(',', "\t");
        assert_eq!(recognised("vendors.tsv", &tabbed).unwrap(), "agora-vendors");
        // Without the vendor column neither fits.
        let err = recognised("x.csv", &vendors.replace("\"vendor\",", "")).unwrap_err();
        assert!(err.contains("no known profile"), "{err}");
    }

    #[test]
    fn files_without_header_are_recognised_by_their_first_line() {
        let dir = tempfile::tempdir().expect("tmp");
        let profiles = builtin_profiles();
        let first_line = |name: &str, text: &str| {
            let p = write(dir.path(), name, text);
            recognise_first_line(&p, &p, &profiles)
                .unwrap()
                .map(|r| r.profile.name.clone())
        };
        assert_eq!(
            first_line("userDate.tsv", "Agora<==>bob\t1399918210:1399918211\nx\n").as_deref(),
            Some("grams")
        );
        assert_eq!(
            first_line(
                "p.csv",
                "\u{feff}\"panacea\",\"v\",\"text\",\"1415491200\"\r\n"
            )
            .as_deref(),
            Some("panacea")
        );
        assert_eq!(first_line("h.csv", "vendor,joined\nx,1\n"), None);
        assert_eq!(first_line("empty.csv", ""), None);
        // Two profiles claiming the same line is an error, not a guess.
        let mut twice = profiles.clone();
        let mut copy = twice
            .iter()
            .find(|p| p.name == "grams")
            .expect("grams")
            .clone();
        copy.name = "grams2".into();
        twice.push(copy);
        let p = write(dir.path(), "g.tsv", "Agora<==>bob\t1:2\n");
        let err = recognise_first_line(&p, &p, &twice)
            .unwrap_err()
            .to_string();
        assert!(err.contains("grams, grams2"), "{err}");
    }

    #[test]
    fn multibyte_text_at_line_starts_is_no_problem() {
        let dir = tempfile::tempdir().expect("tmp");
        let pg = write(
            dir.path(),
            "c.sql",
            "COPY public.items (a) FROM stdin;\n\u{2605}\u{2605}\u{2605}\u{2605}\u{2605} 3.5g Zkittlez\n\\.\n",
        );
        let schema = scan_schema(&pg, &pg, Format::PgDump).unwrap();
        assert_eq!(schema["items"], ["a"]);
    }

    #[test]
    fn compressed_and_sqlite_sources_are_recognised() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().expect("tmp");
        let profiles = builtin_profiles();

        // A zstd CSV named vendors.csv.zst is the `vendors` table.
        let csv = b"vendor,joined,profile,pgp_key,crawled_at\nx,2020-01-01,hi,,2020-02-02\n";
        let zst = dir.path().join("vendors.csv.zst");
        std::fs::write(&zst, zstd::encode_all(&csv[..], 3).expect("zstd")).expect("write");
        let schema = scan_schema(&zst, &zst, Format::Csv).unwrap();
        assert_eq!(schema.keys().collect::<Vec<_>>(), ["vendors"]);
        assert_eq!(
            recognise(&zst, Format::Csv, &schema, &profiles)
                .unwrap()
                .profile
                .name,
            "scrape"
        );

        // A gzip pg_dump read through its hash-named copy.
        let copy = dir.path().join("0123abcd");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(
            b"COPY public.members (member_id, login, kind, joined, pgp, bio) FROM stdin;\n\\.\n",
        )
        .expect("gzip");
        std::fs::write(&copy, gz.finish().expect("gzip")).expect("write");
        let schema = scan_schema(&copy, Path::new("dump.sql.gz"), Format::PgDump).unwrap();
        assert_eq!(
            recognise(&copy, Format::PgDump, &schema, &profiles)
                .unwrap()
                .profile
                .name,
            "pgmarket"
        );

        // SQLite: tables and columns from the schema, a profile declared for SQLite.
        let db = dir.path().join("forum.db");
        rusqlite::Connection::open(&db)
            .and_then(|c| {
                c.execute_batch(
                    "CREATE TABLE members (id INTEGER PRIMARY KEY, nick TEXT, pgp TEXT);
                     CREATE TABLE posts (id INTEGER PRIMARY KEY, author INT, body TEXT);",
                )
            })
            .expect("sqlite");
        let schema = scan_schema(&db, &db, Format::Sqlite).unwrap();
        assert_eq!(schema["members"], ["id", "nick", "pgp"]);
        assert_eq!(schema["posts"], ["id", "author", "body"]);
        let forum = Profile::from_toml(
            "forum",
            r#"name = "forum"
format = "sqlite"
[[entity]]
kind = "account"
table = "members"
fields = { native_key = "id", name = "nick" }"#,
        )
        .unwrap();
        let found = recognise(&db, Format::Sqlite, &schema, std::slice::from_ref(&forum)).unwrap();
        assert_eq!(found.matched_tables, ["members"]);
        // The shipped profiles are for other formats.
        assert!(recognise(&db, Format::Sqlite, &schema, &profiles).is_err());
    }
}
