//! The JSON reader on real JSON written by other tools: Bitcoin Core `getblock` responses (a block holding its
//! transactions holding their inputs and outputs) and an ETL tool's JSON Lines, from `shared/data/chain`.
//! Every file must read without a fatal error and keep the reader's invariants, with as many rows and row
//! errors as serde_json's own reading of the file predicts. Skipped when the shared data is absent.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use spector_ingest::formats::{JsonReader, selfcheck};
use spector_ingest::{Format, RowReader};

fn shared_data() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/data"))
        .find(|d| d.join("README.md").is_file())
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || e == "jsonl")
        {
            out.push(path);
        }
    }
}

/// Rows an object makes by the reader's documented rules: itself, and those of the objects in its arrays
/// of objects (also inside nested objects).
fn rows_of_object(map: &serde_json::Map<String, Json>) -> u64 {
    1 + map.values().map(rows_below).sum::<u64>()
}

fn rows_below(v: &Json) -> u64 {
    match v {
        Json::Object(map) => map.values().map(rows_below).sum(),
        Json::Array(items) if !items.is_empty() && items.iter().all(Json::is_object) => items
            .iter()
            .filter_map(Json::as_object)
            .map(rows_of_object)
            .sum(),
        _ => 0,
    }
}

/// (rows, row errors) predicted for a whole file.
fn predicted(data: &[u8]) -> (u64, u64) {
    let mut rows = 0;
    let mut errors = 0;
    let mut count = |v: &Json| match v {
        Json::Object(map) => rows += rows_of_object(map),
        _ => errors += 1,
    };
    for value in serde_json::Deserializer::from_slice(data).into_iter::<Json>() {
        match value.expect("the shared JSON files are valid JSON") {
            Json::Array(items) => items.iter().for_each(&mut count),
            other => count(&other),
        }
    }
    (rows, errors)
}

#[test]
fn real_json_files_read_as_serde_json_predicts() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: no shared/data next to the project (real JSON files)");
        return;
    };
    let mut files = Vec::new();
    json_files(&data.join("chain"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no JSON files under {}", data.display());
    let mut numbers_checked = 0;
    for path in &files {
        let bytes = fs::read(path).expect("a readable file");
        let checked = selfcheck::drain_checked(Format::Json, &bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!checked.fatal, "{}", path.display());
        assert_eq!(
            (checked.rows, checked.row_errors),
            predicted(&bytes),
            "{}",
            path.display()
        );
        // Amounts stay as written (`50.00000000`, never the float 50).
        let mut reader = JsonReader::new(path, &bytes[..]);
        loop {
            let row = match reader.next_row() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                // A response that is a bare string (a block hash) is no document.
                Err(_) => continue,
            };
            if !row.table.ends_with(".tx.vout") {
                continue;
            }
            let Some(value) = row.get("value").and_then(|v| v.as_text()) else {
                continue;
            };
            let span = &bytes[row.offset as usize..(row.offset + row.len) as usize];
            let written = String::from_utf8_lossy(span);
            let as_written = [": ", ":"].iter().any(|colon| {
                written
                    .match_indices(&format!("\"value\"{colon}{value}"))
                    .any(|(at, m)| {
                        // The whole literal, not the start of a longer one.
                        !written[at + m.len()..]
                            .starts_with(|c: char| c.is_ascii_digit() || c == '.')
                    })
            });
            assert!(
                as_written,
                "{}: {value} is not as written in {written}",
                path.display()
            );
            numbers_checked += 1;
        }
    }
    assert!(numbers_checked > 0, "no transaction outputs seen");
}
