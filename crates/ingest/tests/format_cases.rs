//! Data-driven reader tests: every `tests/data/{mysql,pg,csv,json}/<case>.<ext>` is read and rendered as
//! text, and the rendering must equal `<case>.expected` beside it. `tests/data/sqlite/<case>.sql` is an SQL
//! script run into a fresh SQLite database, which is then read and rendered the same way.
//! `UPDATE_EXPECT=1 cargo test -p spector-ingest --test format_cases` rewrites the expected files; review
//! the diff by hand before committing it.
//!
//! Rendering: a `table T columns [..]` line when a table's columns are first seen or change, then one line
//! per row, `table#row @offset+len: [values]` (`NULL`, text as a quoted Rust string, bytes as `x'hex'`),
//! and for errors `ERROR Kind line offset: message`, followed by `  raw: "..."` when the error carries text.
//!
//! Besides the rendering, every row's bytes in the file must decode again to the row's values (provenance;
//! for JSON, to the row's own columns; for SQLite, the row fetched again by table and rowid), and every
//! error's line must be the line of its offset. Every text case must also read the same through gzip and zstd.

mod support;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use spector_ingest::formats::{self, Compression, csv, json, mysql, pg, selfcheck, sqlite};
use spector_ingest::{Format, ReadError, ReadErrorKind, RowReader, SourceRow, Value};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn format_of_dir(dir: &str) -> Format {
    match dir {
        "mysql" => Format::MysqlDump,
        "pg" => Format::PgDump,
        "csv" => Format::Csv,
        "json" => Format::Json,
        "sqlite" => Format::Sqlite,
        other => panic!("unknown case directory {other}"),
    }
}

/// The text cases, and with `sqlite` also the SQLite scripts.
fn cases() -> Vec<(Format, PathBuf)> {
    cases_in(&["mysql", "pg", "csv", "json", "sqlite"])
}

fn text_cases() -> Vec<(Format, PathBuf)> {
    cases_in(&["mysql", "pg", "csv", "json"])
}

fn cases_in(dirs: &[&str]) -> Vec<(Format, PathBuf)> {
    let mut cases = Vec::new();
    for &dir in dirs {
        let mut files: Vec<PathBuf> = fs::read_dir(data_dir().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| ["sql", "csv", "json", "jsonl"].iter().any(|x| e == *x))
            })
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

/// Runs an SQLite case's script into a new database file in `dir`.
fn sqlite_database(script: &Path, dir: &Path) -> PathBuf {
    let db = dir.join(script.with_extension("db").file_name().unwrap());
    let sql = fs::read_to_string(script).unwrap();
    rusqlite::Connection::open(&db)
        .and_then(|c| c.execute_batch(&sql))
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    db
}

/// Reads a case and renders it; also returns the rows for the provenance check.
fn read_case(format: Format, path: &Path) -> (String, Vec<SourceRow>) {
    let (_, reader) = formats::open(path, Some(format)).unwrap();
    render(path, reader)
}

fn render(path: &Path, mut reader: Box<dyn RowReader + Send>) -> (String, Vec<SourceRow>) {
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
            // A JSON row's own columns come first; `#` and its parent's columns follow.
            Format::Json => json::parse_object(bytes).map(|(columns, values)| {
                assert_eq!(
                    row.columns[..columns.len()],
                    columns[..],
                    "{}",
                    path.display()
                );
                let mut all = values;
                all.extend_from_slice(&row.values[columns.len()..]);
                all
            }),
            Format::Sqlite => unreachable!("checked by check_sqlite_provenance"),
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

/// Every SQLite row is found again by its table and rowid (or ordinal) with the same values.
fn check_sqlite_provenance(db: &Path, rows: &[SourceRow]) {
    for row in rows {
        assert_eq!((row.offset, row.len), (0, 0));
        let again = sqlite::read_row(db, db, &row.table, row.row).unwrap();
        assert_eq!(
            again.as_ref(),
            Some(&row.values),
            "{}: {}#{} does not read again",
            db.display(),
            row.table,
            row.row
        );
    }
}

#[test]
fn every_case_matches_its_expected_rendering() {
    let mut golden = support::Golden::new();
    let cases = cases();
    assert!(cases.len() >= 36, "the case files are missing");
    let tmp = tempfile::tempdir().unwrap();
    for (format, path) in cases {
        let rendered = if format == Format::Sqlite {
            let db = sqlite_database(&path, tmp.path());
            let (rendered, rows) = read_case(format, &db);
            check_sqlite_provenance(&db, &rows);
            // Order of tables and rows, termination.
            selfcheck::drain_sqlite(&db).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            rendered
        } else {
            let (rendered, rows) = read_case(format, &path);
            let file = fs::read(&path).unwrap();
            check_provenance(format, &path, &file, &rows);
            // Line numbers of errors, order and bounds of rows, termination.
            selfcheck::drain_checked(format, &file)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            rendered
        };
        golden.check(&path, &rendered);
    }
    golden.finish();
}

#[test]
fn detect_recognises_every_case_by_its_content() {
    let tmp = tempfile::tempdir().unwrap();
    for (format, path) in cases_in(&["sqlite"]) {
        let db = sqlite_database(&path, tmp.path());
        let head = fs::read(&db).unwrap();
        assert_eq!(formats::detect(&db, &head).unwrap(), format);
        assert_eq!(formats::open(&db, None).unwrap().0, Format::Sqlite);
    }
    for (format, path) in text_cases() {
        let file = fs::read(&path).unwrap();
        let plain = formats::detect(&path, &file).map_err(|e| e.message);
        for (codec, compressed) in [("gzip", gzip(&file)), ("zstd", zstd(&file))] {
            let found = formats::detect(&path, &compressed).map_err(|e| e.message);
            assert_eq!(found, plain, "{} as {codec}", path.display());
        }
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

// ---- compressed sources ---------------------------------------------------------------------------------

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// `data` in three members (gzip) or frames (zstd), cut at arbitrary places, as `pigz` or `cat` make them.
fn in_pieces(data: &[u8], compress: fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let (a, b) = (data.len() / 3, data.len() * 2 / 3 + 1);
    let b = b.min(data.len());
    [&data[..a], &data[a..b], &data[b..]]
        .iter()
        .flat_map(|piece| compress(piece))
        .collect()
}

#[test]
fn every_text_case_reads_the_same_compressed() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = text_cases();
    assert!(cases.len() >= 30, "the case files are missing");
    for (format, path) in cases {
        let file = fs::read(&path).unwrap();
        let (plain, _) = read_case(format, &path);
        let plain_detected = formats::open(&path, None).map(|(f, _)| f).ok();
        let variants: [(&str, Compression, Vec<u8>); 4] = [
            ("gz", Compression::Gzip, gzip(&file)),
            ("gz", Compression::Gzip, in_pieces(&file, gzip)),
            ("zst", Compression::Zstd, zstd(&file)),
            ("zst", Compression::Zstd, in_pieces(&file, zstd)),
        ];
        for (suffix, compression, bytes) in variants {
            // Named like the plain file plus a suffix, so that a CSV table gets the same name.
            let name = path.file_name().unwrap().to_str().unwrap();
            let compressed = tmp.path().join(format!("{name}.{suffix}"));
            fs::write(&compressed, &bytes).unwrap();
            let (rendered, _) = read_case(format, &compressed);
            assert_eq!(rendered, plain, "{} as {compression}", path.display());
            let detected =
                formats::open_source(&compressed, &compressed, None, &Default::default());
            match (detected, plain_detected) {
                (Ok(opened), Some(plain_format)) => {
                    assert_eq!(opened.format, plain_format, "{}", compressed.display());
                    assert_eq!(opened.compression, compression);
                    let (rendered, _) = render(&compressed, opened.reader);
                    let (plain, _) = read_case(plain_format, &path);
                    assert_eq!(
                        rendered,
                        plain,
                        "{} detected as {compression}",
                        path.display()
                    );
                }
                (Err(_), None) => {}
                (got, want) => panic!(
                    "{}: compressed detection {:?}, plain {want:?}",
                    path.display(),
                    got.map(|o| o.format)
                ),
            }
        }
    }
}

/// A dump large enough that its compressed form spans many buffers, with text that does not compress to
/// nothing.
fn big_mysql_dump() -> Vec<u8> {
    let mut sql =
        b"-- MySQL dump 10.13\nCREATE TABLE `users` (\n  `id` int,\n  `name` text\n);\n".to_vec();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for chunk in 0..200 {
        sql.extend_from_slice(b"INSERT INTO `users` VALUES ");
        for i in 0..100 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let sep = if i == 0 { "" } else { "," };
            sql.extend(format!("{sep}({},'user {state:x}')", chunk * 100 + i).bytes());
        }
        sql.extend_from_slice(b";\n");
    }
    sql
}

fn drain(mut reader: Box<dyn RowReader + Send>) -> Vec<Result<SourceRow, ReadError>> {
    let mut out = Vec::new();
    for _ in 0..1_000_000 {
        match reader.next_row() {
            Ok(None) => return out,
            Ok(Some(row)) => out.push(Ok(row)),
            Err(e) => out.push(Err(e)),
        }
    }
    panic!("reader did not finish");
}

/// How a compressed stream was broken.
#[derive(PartialEq)]
enum Damage {
    /// Cut short: what decompresses is a prefix of the plain text.
    Truncated,
    /// Bytes changed: they may decompress to other text before a check notices.
    Corrupted,
}

/// Reading `bytes` (a broken compressed `sql`) from a file gives rows up to a point (those of the plain
/// text, if it was only cut short), then one fatal error naming the file at the line of its decompressed
/// offset, then nothing.
fn assert_broken_stream_is_fatal(
    sql: &[u8],
    bytes: &[u8],
    file_name: &str,
    codec: &str,
    damage: Damage,
) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(file_name);
    fs::write(&path, bytes).unwrap();
    let shown = Path::new("seized").join(file_name);
    let opened = formats::open_source(&path, &shown, None, &Default::default());
    let events = match opened {
        Ok(opened) => drain(opened.reader),
        Err(e) => vec![Err(e)],
    };
    let (last, before) = events.split_last().unwrap();
    let Err(fatal) = last else {
        panic!("{file_name}: no error at the end of a broken stream");
    };
    assert_eq!(fatal.kind, ReadErrorKind::Fatal, "{fatal}");
    assert_eq!(fatal.file, shown);
    assert!(
        fatal
            .message
            .contains(&format!("{codec} data is corrupt or truncated")),
        "{fatal}"
    );
    // The error points where the decompressed stream broke.
    assert!(
        fatal
            .message
            .contains(&format!("after {} decompressed bytes", fatal.offset)),
        "{fatal}"
    );
    if damage == Damage::Corrupted {
        return;
    }
    let newlines = sql[..fatal.offset as usize]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    assert_eq!(fatal.line, 1 + newlines as u64, "{fatal}");
    let plain = drain(Box::new(formats::MysqlDumpReader::new(
        &shown,
        std::io::Cursor::new(sql.to_vec()),
    )));
    assert!(before.len() <= plain.len());
    // Compared one by one: a failure should not print a hundred thousand rows.
    if let Some(i) = (0..before.len()).find(|&i| before[i] != plain[i]) {
        panic!(
            "{file_name}: row {i} differs: {:?} vs {:?}",
            before[i], plain[i]
        );
    }
}

#[test]
fn a_truncated_gzip_file_is_fatal_and_names_the_file() {
    let sql = big_mysql_dump();
    let gz = gzip(&sql);
    assert!(gz.len() > 200_000, "the dump should span many buffers");
    // Deep in the file, right at the start (inside the head read for detection), and only the trailer lost.
    for cut in [gz.len() * 3 / 5, 100, gz.len() - 4] {
        assert_broken_stream_is_fatal(&sql, &gz[..cut], "dump.sql.gz", "gzip", Damage::Truncated);
    }
}

#[test]
fn a_corrupted_zstd_file_is_fatal_and_names_the_file() {
    use std::io::Write;
    let sql = big_mysql_dump();
    // The zstd tool writes a checksum by default; with it, a flipped bit anywhere is noticed.
    let mut encoder = zstd::Encoder::new(Vec::new(), 3).unwrap();
    encoder.include_checksum(true).unwrap();
    encoder.write_all(&sql).unwrap();
    let zst = encoder.finish().unwrap();
    for at in [zst.len() / 2, zst.len() - 2, 20] {
        let mut bad = zst.clone();
        bad[at] ^= 0x55;
        assert_broken_stream_is_fatal(&sql, &bad, "dump.sql.zst", "zstd", Damage::Corrupted);
    }
    assert_broken_stream_is_fatal(
        &sql,
        &zst[..zst.len() / 3],
        "dump.sql.zst",
        "zstd",
        Damage::Truncated,
    );
}

#[test]
fn progress_of_a_compressed_source_counts_compressed_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let sql = big_mysql_dump();
    let gz = gzip(&sql);
    let path = tmp.path().join("dump.sql.gz");
    fs::write(&path, &gz).unwrap();
    let opened = formats::open_source(&path, &path, None, &Default::default()).unwrap();
    assert_eq!(
        (opened.format, opened.compression),
        (Format::MysqlDump, Compression::Gzip)
    );
    let mut reader = opened.reader;
    let mut last = 0;
    while let Some(_row) = reader.next_row().unwrap() {
        let now = reader.bytes_read();
        assert!(
            now >= last && now <= gz.len() as u64,
            "{now} of {}",
            gz.len()
        );
        last = now;
    }
    assert_eq!(reader.bytes_read(), gz.len() as u64);
}

#[test]
fn a_compressed_sqlite_database_is_refused_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sqlite_database(&data_dir().join("sqlite/basic.sql"), tmp.path());
    let bytes = fs::read(&db).unwrap();
    for (name, compressed) in [("m.db.gz", gzip(&bytes)), ("m.db.zst", zstd(&bytes))] {
        let path = tmp.path().join(name);
        fs::write(&path, &compressed).unwrap();
        for format in [None, Some(Format::Sqlite)] {
            let err = formats::open(&path, format).err().unwrap();
            assert_eq!((err.kind, &err.file), (ReadErrorKind::Fatal, &path));
            assert!(err.message.contains("decompress it first"), "{err}");
        }
        let err = formats::detect(&path, &compressed).unwrap_err();
        assert!(err.message.contains("decompress it first"), "{err}");
    }
}

/// Real crawled market exports, which `../shared/data` holds beside the project (not in a fresh clone).
#[test]
fn real_market_exports_read_the_same_compressed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/markets");
    let files = [
        root.join("agora-2014/products-2014-01-01.csv"),
        // Some 600 lines broken by unescaped quotes: errors must come out the same too.
        root.join("panacea-2014/panacea_scrape.csv"),
    ];
    if !files.iter().all(|f| f.exists()) {
        eprintln!("skipped: no real market data at {}", root.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for file in &files {
        let bytes = fs::read(file).unwrap();
        let (format, plain) = formats::open(file, None).unwrap();
        let plain = drain(plain);
        assert!(plain.len() > 1000, "{}", file.display());
        let name = file.file_name().unwrap().to_str().unwrap();
        for (suffix, compressed) in [("gz", gzip(&bytes)), ("zst", zstd(&bytes))] {
            let path = tmp.path().join(format!("{name}.{suffix}"));
            fs::write(&path, compressed).unwrap();
            let opened = formats::open_source(&path, file, None, &Default::default()).unwrap();
            assert_eq!(opened.format, format);
            let events = drain(opened.reader);
            assert_eq!(events.len(), plain.len(), "{name}.{suffix}");
            if let Some(i) = (0..events.len()).find(|&i| events[i] != plain[i]) {
                panic!(
                    "{name}.{suffix}: event {i}: {:?} vs {:?}",
                    events[i], plain[i]
                );
            }
        }
    }
}

// ---- SQLite ---------------------------------------------------------------------------------------------

#[test]
fn sqlite_tables_larger_than_a_batch_read_whole_in_rowid_order() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("big.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, blob BLOB);
         CREATE TABLE keyed (k INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID;",
    )
    .unwrap();
    let n = 3 * sqlite::BATCH_ROWS as i64 + 7;
    let mut expected = Vec::new();
    // One transaction: a commit per row would wait for the disk thousands of times.
    conn.execute_batch("BEGIN").unwrap();
    for i in 1..=n {
        // Every third row deleted again, leaving gaps on and around batch boundaries.
        let rowid = i * 2;
        conn.execute(
            "INSERT INTO big VALUES (?1, ?2, ?3)",
            (rowid, format!("n{i}"), vec![i as u8; (i % 5) as usize]),
        )
        .unwrap();
        conn.execute(
            "INSERT INTO keyed VALUES (?1, ?2)",
            (n - i, format!("v{i}")),
        )
        .unwrap();
        if i % 3 == 0 {
            conn.execute("DELETE FROM big WHERE id = ?1", [rowid])
                .unwrap();
        } else {
            expected.push((rowid, i));
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    drop(conn);
    let (_, mut reader) = formats::open(&db, None).unwrap();
    let mut big = Vec::new();
    let mut keyed = Vec::new();
    while let Some(row) = reader.next_row().unwrap() {
        match &*row.table {
            "big" => big.push(row),
            "keyed" => keyed.push(row),
            other => panic!("table {other}"),
        }
    }
    assert_eq!(big.len(), expected.len());
    for (row, &(rowid, i)) in big.iter().zip(&expected) {
        assert_eq!(row.row, rowid as u64);
        assert_eq!(
            row.values,
            [
                Value::Text(rowid.to_string()),
                Value::Text(format!("n{i}")),
                Value::Bytes(vec![i as u8; (i % 5) as usize]),
            ]
        );
    }
    // WITHOUT ROWID: key order, numbered from 1.
    assert_eq!(keyed.len() as i64, n);
    for (k, row) in keyed.iter().enumerate() {
        assert_eq!(row.row, k as u64 + 1);
        assert_eq!(row.values[0], Value::Text(k.to_string()));
        assert_eq!(row.values[1], Value::Text(format!("v{}", n - k as i64)));
    }
}

#[test]
fn corrupt_sqlite_files_are_fatal_and_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let shown = Path::new("seized/market.db");

    // A picture renamed .db: not detected as anything; read as SQLite on request, refused.
    let png = tmp.path().join("photo.db");
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend((0..5000u32).map(|i| (i * 7919 % 251) as u8));
    fs::write(&png, &bytes).unwrap();
    let err = formats::open_named(&png, shown, None).err().unwrap();
    assert_eq!(
        (err.kind, err.file.as_path()),
        (ReadErrorKind::Fatal, shown)
    );
    let err = formats::open_named(&png, shown, Some(Format::Sqlite))
        .err()
        .unwrap();
    assert_eq!(
        (err.kind, err.file.as_path()),
        (ReadErrorKind::Fatal, shown)
    );
    assert!(err.message.contains("not a database"), "{err}");

    // A real database, cut short or with pages overwritten: rows may come first, then a fatal error.
    let db = tmp.path().join("whole.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE a (id INTEGER PRIMARY KEY, t TEXT);
         WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000)
         INSERT INTO a SELECT i, printf('%0200d', i) FROM c;",
    )
    .unwrap();
    drop(conn);
    let whole = fs::read(&db).unwrap();
    assert!(whole.len() > 100 * 4096);
    let mut overwritten = whole.clone();
    for b in &mut overwritten[40 * 4096..41 * 4096 + 100] {
        *b = 0xa5;
    }
    let mut root_smashed = whole.clone();
    // Page 2 is the root of table `a`.
    for b in &mut root_smashed[4096..4096 + 64] {
        *b = 0xff;
    }
    for (what, bytes) in [
        ("truncated", &whole[..whole.len() / 2]),
        ("overwritten", &overwritten[..]),
        ("root smashed", &root_smashed[..]),
    ] {
        let path = tmp.path().join(format!("{what}.db"));
        fs::write(&path, bytes).unwrap();
        let events = match formats::open_named(&path, shown, None) {
            Ok((format, reader)) => {
                assert_eq!(format, Format::Sqlite);
                drain(reader)
            }
            Err(e) => vec![Err(e)],
        };
        let Some(Err(last)) = events.last() else {
            panic!("{what}: read without an error: {} rows", events.len());
        };
        assert_eq!(
            (last.kind, last.file.as_path()),
            (ReadErrorKind::Fatal, shown),
            "{what}: {last}"
        );
        assert!(events.len() < 3001, "{what}");
        selfcheck::drain_sqlite(&path).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}
