//! Invariants every reader keeps on any input, checked by the fuzz targets and the smoke tests.
//! Not part of the ingest API.
#![doc(hidden)]

use std::io::{Cursor, Read};
use std::path::Path;

use super::json::{INDEX_COLUMN, PARENT_PREFIX};
use super::{
    Compression, CsvReader, JsonReader, MysqlDumpReader, PgDumpReader, SqliteReader, csv, json,
    mysql, pg,
};
use crate::source::{Format, ReadError, ReadErrorKind, RowReader, SourceRow, Value};

/// What a checked read saw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drained {
    pub rows: u64,
    pub row_errors: u64,
    pub fatal: bool,
}

/// Reads all of `input` with the reader for `format` and checks that:
/// - it ends (no more calls than a bound proportional to the input), and says nothing after a fatal error;
/// - rows come in file order and lie inside the input, and their bytes decode again to the same values
///   (JSON: to the same own columns; a child row lies inside its parent row, whose columns it carries);
/// - every error's line is the line of its offset, and a row error's raw text is the input at its offset.
///
/// Returns a description of the first broken invariant.
pub fn drain_checked(format: Format, input: &[u8]) -> Result<Drained, String> {
    let path = Path::new("input");
    let delimiter = csv::sniff_delimiter(input).unwrap_or(b',');
    let mut reader: Box<dyn RowReader> = match format {
        Format::MysqlDump => Box::new(MysqlDumpReader::new(path, input)),
        Format::PgDump => Box::new(PgDumpReader::new(path, input)),
        Format::Csv => Box::new(CsvReader::with_delimiter(path, input, delimiter)),
        Format::Json => Box::new(JsonReader::new(path, input)),
        Format::Sqlite => return Err("an SQLite database is checked with drain_sqlite".to_string()),
    };
    let mut seen = Drained::default();
    let mut last_end = 0u64;
    // JSON rows nest: the rows whose span holds the next one.
    let mut open: Vec<SourceRow> = Vec::new();
    let budget = 2 * input.len() + 16;
    for _ in 0..budget {
        match reader.next_row() {
            Ok(None) => {
                if reader.bytes_read() > input.len() as u64 {
                    return Err(format!(
                        "read {} bytes of {}",
                        reader.bytes_read(),
                        input.len()
                    ));
                }
                return Ok(seen);
            }
            Ok(Some(row)) => {
                if seen.fatal {
                    return Err("a row after a fatal error".to_string());
                }
                last_end = if format == Format::Json {
                    check_json_row(input, &row, &mut open)?;
                    row.offset + row.len
                } else {
                    check_row(format, delimiter, input, &row, last_end)?;
                    let end = row.offset + row.len;
                    // Given back as ingest does, so that later rows are decoded into its buffers: each
                    // must still decode again, from its own bytes alone, to the values it came with.
                    reader.recycle(row);
                    end
                };
                seen.rows += 1;
            }
            Err(e) => {
                if seen.fatal {
                    return Err(format!("an error after a fatal error: {e}"));
                }
                let offset =
                    usize::try_from(e.offset).map_err(|_| "offset overflow".to_string())?;
                if offset > input.len() {
                    return Err(format!(
                        "error offset {offset} past the end ({})",
                        input.len()
                    ));
                }
                let line = 1 + input[..offset].iter().filter(|&&b| b == b'\n').count() as u64;
                if e.line != line {
                    return Err(format!(
                        "error at byte {offset} says line {} but it is line {line}: {e}",
                        e.line
                    ));
                }
                // Raw text that had to be made valid UTF-8 cannot be compared byte for byte.
                if let Some(raw) = e.raw.as_ref().filter(|raw| !raw.contains('\u{fffd}'))
                    && !input[offset..].starts_with(raw.as_bytes())
                {
                    return Err(format!("raw text of {e} is not the input at its offset"));
                }
                match e.kind {
                    ReadErrorKind::Fatal => seen.fatal = true,
                    ReadErrorKind::Row => seen.row_errors += 1,
                }
            }
        }
    }
    Err(format!("no end after {budget} calls"))
}

fn check_row(
    format: Format,
    delimiter: u8,
    input: &[u8],
    row: &SourceRow,
    last_end: u64,
) -> Result<(), String> {
    let end = row.offset.checked_add(row.len).ok_or("row end overflows")?;
    if row.offset < last_end || end > input.len() as u64 {
        return Err(format!(
            "row {}#{} at {}+{} is out of order or outside the input",
            row.table, row.row, row.offset, row.len
        ));
    }
    if row.values.len() != row.columns.len() {
        return Err(format!(
            "row {}#{} has {} values for {} columns",
            row.table,
            row.row,
            row.values.len(),
            row.columns.len()
        ));
    }
    let bytes = &input[row.offset as usize..end as usize];
    let again: Vec<Vec<Value>> = match format {
        Format::Json => return Err("JSON rows are checked by check_json_row".to_string()),
        Format::MysqlDump => vec![mysql::parse_row(bytes)?],
        Format::PgDump => {
            let mut both = vec![pg::parse_copy_row(bytes)];
            both.extend(pg::parse_insert_row(bytes).ok());
            both
        }
        Format::Csv => vec![csv::parse_record_as(bytes, delimiter, row.columns.len())?],
        Format::Sqlite => return Err("SQLite rows are not byte ranges".to_string()),
    };
    if !again.contains(&row.values) {
        return Err(format!(
            "row {}#{} at {}+{} decodes again to {:?}, not {:?}",
            row.table, row.row, row.offset, row.len, again, row.values
        ));
    }
    Ok(())
}

/// A JSON row: inside the input and after the previous row's start; its bytes decode to its own columns,
/// followed by `#` and the parent's columns under `^.` exactly when it is a child row, which lies inside the
/// row it names as parent.
fn check_json_row(input: &[u8], row: &SourceRow, open: &mut Vec<SourceRow>) -> Result<(), String> {
    let end = row.offset.checked_add(row.len).ok_or("row end overflows")?;
    let at = format!(
        "row {}#{} at {}+{}",
        row.table, row.row, row.offset, row.len
    );
    if end > input.len() as u64 || open.last().is_some_and(|last| row.offset <= last.offset) {
        return Err(format!("{at} is out of order or outside the input"));
    }
    if row.values.len() != row.columns.len() {
        return Err(format!(
            "{at} has {} values for {} columns",
            row.values.len(),
            row.columns.len()
        ));
    }
    let bytes = &input[row.offset as usize..end as usize];
    let (columns, values) = json::parse_object(bytes)?;
    let n = columns.len();
    if row.columns.get(..n) != Some(&columns[..]) || row.values.get(..n) != Some(&values[..]) {
        return Err(format!(
            "{at} decodes again to {columns:?} = {values:?}, not {:?} = {:?}",
            row.columns, row.values
        ));
    }
    // Rows that end before this one begins hold no more rows.
    while open
        .last()
        .is_some_and(|last| last.offset + last.len <= row.offset)
    {
        open.pop();
    }
    match (open.last(), row.columns.get(n).map(String::as_str)) {
        (None, None) => {}
        (Some(parent), Some(INDEX_COLUMN)) => {
            let inherited = &row.columns[n + 1..];
            let named = inherited.len() == parent.columns.len()
                && inherited
                    .iter()
                    .zip(parent.columns.iter())
                    .all(|(c, p)| c.strip_prefix(PARENT_PREFIX) == Some(p.as_str()));
            let is_child = row
                .table
                .strip_prefix(&*parent.table)
                .is_some_and(|rest| rest.starts_with('.'));
            if !named
                || row.values[n + 1..] != parent.values[..]
                || !is_child
                || end > parent.offset + parent.len
            {
                return Err(format!(
                    "{at} does not carry the columns of its parent {}#{} or lies outside it",
                    parent.table, parent.row
                ));
            }
        }
        (parent, _) => {
            return Err(format!(
                "{at} has columns {:?} after its own, inside {:?}",
                &row.columns[n..],
                parent.map(|p| format!("{}#{}", p.table, p.row))
            ));
        }
    }
    open.push(row.clone());
    Ok(())
}

/// Most decompressed bytes [`drain_compressed`] looks at: a few bytes of zstd can stand for gigabytes.
pub const MAX_DECOMPRESSED: usize = 4 << 20;

/// Reads a (possibly) compressed `input` through [`super::open_reader`] with format detection, and checks
/// that:
/// - it ends, says nothing after a fatal error, names the source in every error, and reports no more
///   progress than the input's size;
/// - when `input` decompresses completely, the format, rows and errors are exactly those of reading the
///   decompressed bytes as plain text, and those keep the invariants of [`drain_checked`];
/// - when it does not (corrupt or truncated), the reading ends with a fatal error: a broken stream never
///   reads as a complete one.
///
/// Inputs that decompress to more than [`MAX_DECOMPRESSED`] bytes are skipped.
pub fn drain_compressed(input: &[u8]) -> Result<Drained, String> {
    let name = Path::new("input.gz");
    let compression = Compression::sniff(input);
    let plain = match decompress_capped(input) {
        Capped::TooLarge => return Ok(Drained::default()),
        Capped::Complete(plain) => Some(plain),
        Capped::Broken => None,
    };
    let opened =
        match super::open_reader(name, Cursor::new(input.to_vec()), None, &Default::default()) {
            Ok(opened) => opened,
            Err(e) => {
                check_names(&e, name)?;
                if e.kind != ReadErrorKind::Fatal {
                    return Err(format!("open failed with a row error: {e}"));
                }
                if let Some(plain) = &plain
                    && super::open_reader(
                        name,
                        Cursor::new(plain.clone()),
                        None,
                        &Default::default(),
                    )
                    .is_ok()
                {
                    return Err(format!(
                        "the decompressed bytes open as plain text but not compressed: {e}"
                    ));
                }
                return Ok(Drained {
                    fatal: true,
                    ..Drained::default()
                });
            }
        };
    if opened.compression != compression {
        return Err(format!(
            "opened as {} but the magic bytes say {compression}",
            opened.compression
        ));
    }
    let format = opened.format;
    let budget = 2 * plain.as_ref().map_or(MAX_DECOMPRESSED, Vec::len) + 16;
    let (events, progress) = drain_events(opened.reader, budget)?;
    if progress > input.len() as u64 {
        return Err(format!("read {progress} bytes of {}", input.len()));
    }
    let mut seen = Drained::default();
    for event in &events {
        match event {
            Ok(_) => seen.rows += 1,
            Err(e) => {
                check_names(e, name)?;
                match e.kind {
                    ReadErrorKind::Fatal => seen.fatal = true,
                    ReadErrorKind::Row => seen.row_errors += 1,
                }
            }
        }
    }
    let Some(plain) = plain else {
        let ends_fatally = matches!(events.last(), Some(Err(e)) if e.kind == ReadErrorKind::Fatal);
        if !ends_fatally {
            return Err("a broken compressed stream was read as a complete one".to_string());
        }
        return Ok(seen);
    };
    let as_plain = super::open_reader(name, Cursor::new(plain.clone()), None, &Default::default())
        .map_err(|e| format!("opens compressed but not as plain text: {e}"))?;
    if as_plain.format != format || as_plain.compression.is_compressed() {
        return Err(format!(
            "compressed it reads as {format}, decompressed as {} ({})",
            as_plain.format, as_plain.compression
        ));
    }
    let (plain_events, _) = drain_events(as_plain.reader, budget)?;
    if let Some(i) =
        (0..events.len().max(plain_events.len())).find(|&i| events.get(i) != plain_events.get(i))
    {
        return Err(format!(
            "event {i} differs: compressed {:?}, plain {:?}",
            events.get(i),
            plain_events.get(i)
        ));
    }
    drain_checked(format, &plain)?;
    Ok(seen)
}

enum Capped {
    Complete(Vec<u8>),
    Broken,
    TooLarge,
}

fn decompress_capped(input: &[u8]) -> Capped {
    let Ok(decompressed) = super::compressed::decompress(Cursor::new(input.to_vec())) else {
        return Capped::Broken;
    };
    let mut plain = Vec::new();
    match decompressed
        .reader
        .take(MAX_DECOMPRESSED as u64 + 1)
        .read_to_end(&mut plain)
    {
        Ok(_) if plain.len() > MAX_DECOMPRESSED => Capped::TooLarge,
        Ok(_) => Capped::Complete(plain),
        Err(_) => Capped::Broken,
    }
}

type Events = Vec<Result<SourceRow, ReadError>>;

/// Every row and error up to the end; fails if the reader neither ends within `budget` calls nor stays
/// silent after a fatal error. Also returns the final `bytes_read`.
fn drain_events(
    mut reader: Box<dyn RowReader + Send>,
    budget: usize,
) -> Result<(Events, u64), String> {
    let mut events = Vec::new();
    let mut fatal = false;
    for _ in 0..budget {
        let event = match reader.next_row() {
            Ok(None) => return Ok((events, reader.bytes_read())),
            Ok(Some(row)) => Ok(row),
            Err(e) => Err(e),
        };
        if fatal {
            return Err(format!("{event:?} after a fatal error"));
        }
        fatal = matches!(&event, Err(e) if e.kind == ReadErrorKind::Fatal);
        events.push(event);
    }
    Err(format!("no end after {budget} calls"))
}

fn check_names(e: &ReadError, name: &Path) -> Result<(), String> {
    if e.file == name {
        Ok(())
    } else {
        Err(format!(
            "error names {} not {}: {e}",
            e.file.display(),
            name.display()
        ))
    }
}

/// Writes `bytes` to a temporary file and checks it with [`drain_sqlite`].
pub fn drain_sqlite_bytes(bytes: &[u8]) -> Result<Drained, String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "spector-selfcheck-{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    /// Removes the file even when the check panics.
    struct Removed<'a>(&'a Path);
    impl Drop for Removed<'_> {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(self.0);
        }
    }
    let _removed = Removed(&path);
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    drain_sqlite(&path)
}

/// Reads the SQLite database at `path` with [`SqliteReader`] and checks that:
/// - it ends (no more calls than the file has bytes), says nothing after a fatal error, names the file in
///   every error, and reports no more progress than the file's size;
/// - tables come one after the other in name order, rows of a table in increasing `row` (rowid) order, and
///   every row has as many values as columns.
pub fn drain_sqlite(path: &Path) -> Result<Drained, String> {
    let name = Path::new("input.db");
    let len = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    let mut reader = match SqliteReader::open(path, name) {
        Ok(reader) => reader,
        Err(e) => {
            check_names(&e, name)?;
            if e.kind != ReadErrorKind::Fatal {
                return Err(format!("open failed with a row error: {e}"));
            }
            return Ok(Drained {
                fatal: true,
                ..Drained::default()
            });
        }
    };
    let mut seen = Drained::default();
    let mut last: Option<(std::sync::Arc<str>, i64)> = None;
    for _ in 0..len + 16 {
        match reader.next_row() {
            Ok(None) => {
                if reader.bytes_read() > len {
                    return Err(format!("read {} bytes of {len}", reader.bytes_read()));
                }
                return Ok(seen);
            }
            Ok(Some(row)) => {
                if seen.fatal {
                    return Err("a row after a fatal error".to_string());
                }
                if row.values.len() != row.columns.len() || (row.offset, row.len) != (0, 0) {
                    return Err(format!(
                        "row {}#{} is malformed: {row:?}",
                        row.table, row.row
                    ));
                }
                let here = row.row as i64;
                if let Some((table, before)) = &last {
                    let in_order = if *table == row.table {
                        here > *before
                    } else {
                        row.table > *table
                    };
                    if !in_order {
                        return Err(format!("{}#{here} after {table}#{before}", row.table));
                    }
                }
                last = Some((row.table, here));
                seen.rows += 1;
            }
            Err(e) => {
                if seen.fatal {
                    return Err(format!("an error after a fatal error: {e}"));
                }
                check_names(&e, name)?;
                match e.kind {
                    ReadErrorKind::Fatal => seen.fatal = true,
                    ReadErrorKind::Row => seen.row_errors += 1,
                }
            }
        }
    }
    Err(format!("no end after {} calls", len + 16))
}
