//! Data-driven reader tests: every `tests/data/{mysql,pg,csv}/<case>.<ext>` is read and rendered as text,
//! and the rendering must equal `<case>.expected` beside it. `UPDATE_EXPECT=1 cargo test -p spector-ingest
//! --test format_cases` rewrites the expected files; review the diff by hand before committing it.
//!
//! Rendering: a `table T columns [..]` line when a table's columns are first seen or change, then one line
//! per row, `table#row @offset+len: [values]` (`NULL`, text as a quoted Rust string, bytes as `x'hex'`),
//! and for errors `ERROR Kind line offset: message`, followed by `  raw: "..."` when the error carries text.
//!
//! Besides the rendering, every row's bytes in the file must decode again to the row's values (provenance),
//! and every error's line must be the line of its offset.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use spector_ingest::formats::{self, csv, mysql, pg, selfcheck};
use spector_ingest::{Format, ReadError, SourceRow, Value};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn format_of_dir(dir: &str) -> Format {
    match dir {
        "mysql" => Format::MysqlDump,
        "pg" => Format::PgDump,
        "csv" => Format::Csv,
        other => panic!("unknown case directory {other}"),
    }
}

fn cases() -> Vec<(Format, PathBuf)> {
    let mut cases = Vec::new();
    for dir in ["mysql", "pg", "csv"] {
        let mut files: Vec<PathBuf> = fs::read_dir(data_dir().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql" || e == "csv"))
            .collect();
        files.sort();
        cases.extend(files.into_iter().map(|p| (format_of_dir(dir), p)));
    }
    cases
}

fn render_value(v: &Value) -> String {
    match v {
        Value::Null => "NULL".to_string(),
        Value::Text(s) => format!("{s:?}"),
        Value::Bytes(b) => format!(
            "x'{}'",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        ),
    }
}

fn render_error(out: &mut String, e: &ReadError) {
    writeln!(
        out,
        "ERROR {:?} {} {}: {}",
        e.kind, e.line, e.offset, e.message
    )
    .unwrap();
    if let Some(raw) = &e.raw {
        writeln!(out, "  raw: {raw:?}").unwrap();
    }
}

/// Reads a case and renders it; also returns the rows for the provenance check.
fn read_case(format: Format, path: &Path) -> (String, Vec<SourceRow>) {
    let (_, mut reader) = formats::open(path, Some(format)).unwrap();
    let mut out = String::new();
    let mut rows = Vec::new();
    let mut columns_seen: HashMap<String, Arc<[String]>> = HashMap::new();
    for _ in 0..100_000 {
        match reader.next_row() {
            Ok(None) => return (out, rows),
            Ok(Some(row)) => {
                let known = columns_seen.get(&*row.table);
                if known.is_none_or(|c| *c != row.columns) {
                    writeln!(out, "table {} columns {:?}", row.table, row.columns).unwrap();
                    columns_seen.insert(row.table.to_string(), row.columns.clone());
                }
                let values: Vec<String> = row.values.iter().map(render_value).collect();
                writeln!(
                    out,
                    "{}#{} @{}+{}: [{}]",
                    row.table,
                    row.row,
                    row.offset,
                    row.len,
                    values.join(", ")
                )
                .unwrap();
                rows.push(row);
            }
            Err(e) => render_error(&mut out, &e),
        }
    }
    panic!("{}: reader did not finish", path.display());
}

/// Which parser decodes a pg row again: the statement the row sits in, found by the last line that starts
/// a COPY or an INSERT before it (good enough for these hand-written cases).
fn pg_row_is_copy(file: &[u8], offset: usize) -> bool {
    let before = format!("\n{}", String::from_utf8_lossy(&file[..offset]));
    let copy = before.rfind("\nCOPY ");
    let insert = before.rfind("\nINSERT ");
    copy > insert
}

fn check_provenance(format: Format, path: &Path, file: &[u8], rows: &[SourceRow]) {
    let delimiter = csv::sniff_delimiter(file).unwrap_or(b',');
    for row in rows {
        let bytes = &file[row.offset as usize..(row.offset + row.len) as usize];
        let again = match format {
            Format::MysqlDump => mysql::parse_row(bytes),
            Format::PgDump if pg_row_is_copy(file, row.offset as usize) => {
                Ok(pg::parse_copy_row(bytes))
            }
            Format::PgDump => pg::parse_insert_row(bytes),
            Format::Csv => csv::parse_record_as(bytes, delimiter, row.columns.len()),
        };
        assert_eq!(
            again.as_ref(),
            Ok(&row.values),
            "{}: {}#{} bytes {:?} do not decode to its values",
            path.display(),
            row.table,
            row.row,
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn every_case_matches_its_expected_rendering() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 30, "the case files are missing");
    for (format, path) in cases {
        let (rendered, rows) = read_case(format, &path);
        let file = fs::read(&path).unwrap();
        check_provenance(format, &path, &file, &rows);
        // Line numbers of errors, order and bounds of rows, termination.
        selfcheck::drain_checked(format, &file)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected_path = path.with_extension("expected");
        if update {
            fs::write(&expected_path, &rendered).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != rendered {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{rendered}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ (UPDATE_EXPECT=1 to rewrite):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn detect_recognises_every_case_by_its_content() {
    for (format, path) in cases() {
        let file = fs::read(&path).unwrap();
        if file.is_empty() {
            continue;
        }
        // Cases cut down to a few statements lack the headers; they must at least be seen as SQL.
        let bare = [
            "escapes",
            "multiline",
            "nulls_numbers",
            "binary",
            "column_list",
            "comments",
            "tricky_strings",
            "unicode",
            "latin1",
            "no_create",
            "wrong_count",
            "truncated_statement",
            "truncated_comment",
            "truncated_create",
            "quoted_idents",
            "copy_no_columns",
            "end_marker_at_eof",
            "unterminated_copy",
            "unterminated_insert",
            "crlf",
        ];
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let found = formats::detect(&path, &file).unwrap_or_else(|e| panic!("{e}"));
        if bare.contains(&stem) && format != Format::Csv {
            assert_ne!(found, Format::Csv, "{}", path.display());
        } else {
            assert_eq!(found, format, "{}", path.display());
        }
    }
}
