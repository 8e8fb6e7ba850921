//! Invariants every reader keeps on any input, checked by the fuzz targets and the smoke tests.
//! Not part of the ingest API.
#![doc(hidden)]

use std::path::Path;

use super::{CsvReader, MysqlDumpReader, PgDumpReader, csv, mysql, pg};
use crate::source::{Format, ReadErrorKind, RowReader, SourceRow, Value};

/// What a checked read saw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drained {
    pub rows: u64,
    pub row_errors: u64,
    pub fatal: bool,
}

/// Reads all of `input` with the reader for `format` and checks that:
/// - it ends (no more calls than a bound proportional to the input), and says nothing after a fatal error;
/// - rows come in file order and lie inside the input, and their bytes decode again to the same values;
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
    };
    let mut seen = Drained::default();
    let mut last_end = 0u64;
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
                check_row(format, delimiter, input, &row, last_end)?;
                last_end = row.offset + row.len;
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
        Format::MysqlDump => vec![mysql::parse_row(bytes)?],
        Format::PgDump => {
            let mut both = vec![pg::parse_copy_row(bytes)];
            both.extend(pg::parse_insert_row(bytes).ok());
            both
        }
        Format::Csv => vec![csv::parse_record_as(bytes, delimiter, row.columns.len())?],
    };
    if !again.contains(&row.values) {
        return Err(format!(
            "row {}#{} at {}+{} decodes again to {:?}, not {:?}",
            row.table, row.row, row.offset, row.len, again, row.values
        ));
    }
    Ok(())
}
