//! Property tests: random tables written the way each tool writes them read back equal, wherever the
//! input's chunk boundaries fall; and no input at all makes a reader panic or break its invariants.

use std::io::{self, BufReader, Read};

use proptest::prelude::*;

use super::sql::bytes_to_value;
use super::{CsvReader, MysqlDumpReader, PgDumpReader, selfcheck};
use crate::source::{Format, ReadError, RowReader, Value};

/// A cell before it is written.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Text(String),
    Number(String),
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

fn nasty_char() -> impl Strategy<Value = char> {
    let specials = vec![
        '\'', '"', '\\', '\n', '\r', '\t', '\0', '\x1a', '\x08', '\x0b', '\x0c', ';', '(', ')',
        ',', '`', '$', '%', '_', 'N', 'E', '.', ' ', '-', '/', '*', '#', 'é', '💊', '\u{feff}',
    ];
    prop_oneof![
        2 => any::<char>(),
        4 => prop::sample::select(specials),
        2 => prop::char::range('a', 'z'),
    ]
}

fn nasty_string() -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..24).prop_map(String::from_iter)
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (any::<i32>(), 0u32..100_000_000).prop_map(|(a, b)| format!("{a}.{b:08}")),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
    ]
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        1 => Just(Cell::Null),
        4 => nasty_string().prop_map(Cell::Text),
        2 => number().prop_map(Cell::Number),
        1 => prop::collection::vec(any::<u8>(), 0..16).prop_map(Cell::Bytes),
    ]
}

fn identifier() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_ `\"é]{0,8}"
}

fn tables() -> impl Strategy<Value = Vec<Table>> {
    let table = (1usize..6).prop_flat_map(|width| {
        (
            identifier(),
            prop::collection::vec(identifier(), width),
            prop::collection::vec(prop::collection::vec(cell(), width), 0..12),
        )
    });
    prop::collection::vec(table, 1..4).prop_map(|tables| {
        tables
            .into_iter()
            .enumerate()
            // Distinct names, so that rows can be compared table by table.
            .map(|(i, (name, columns, rows))| Table {
                name: format!("{name}{i}"),
                columns,
                rows,
            })
            .collect()
    })
}

/// Hands out at most `step` bytes per read, as a pipe might.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    step: usize,
}

impl Read for Trickle {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len() - self.at);
        out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn trickle(data: &[u8], step: usize) -> BufReader<Trickle> {
    BufReader::with_capacity(
        step,
        Trickle {
            data: data.to_vec(),
            at: 0,
            step,
        },
    )
}

/// (table, columns, values) of every row; the first error fails.
type Rows = Vec<(String, Vec<String>, Vec<Value>)>;

/// Every row read, each given back to the reader once copied (as ingest does), so that later rows are
/// decoded into the buffers of earlier ones: a value must never keep bytes of the one before it.
fn drain(reader: &mut dyn RowReader) -> Result<Rows, ReadError> {
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        rows.push((
            row.table.to_string(),
            row.columns.to_vec(),
            row.values.clone(),
        ));
        reader.recycle(row);
    }
    Ok(rows)
}

fn expected(tables: &[Table], bytes: impl Fn(&[u8]) -> Value, null: Value) -> Rows {
    let mut rows = Vec::new();
    for t in tables {
        for r in &t.rows {
            let values = r
                .iter()
                .map(|c| match c {
                    Cell::Null => null.clone(),
                    Cell::Text(s) | Cell::Number(s) => Value::Text(s.clone()),
                    Cell::Bytes(b) => bytes(b),
                })
                .collect();
            rows.push((t.name.clone(), t.columns.clone(), values));
        }
    }
    rows
}

// ---- mysqldump ---------------------------------------------------------------------------------------

fn mysql_identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Escaped as `mysql_real_escape_string` does, which is what mysqldump writes.
fn mysql_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'\'');
    for &b in bytes {
        match b {
            0 => out.extend_from_slice(b"\\0"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\'' => out.extend_from_slice(b"\\'"),
            b'"' => out.extend_from_slice(b"\\\""),
            0x1a => out.extend_from_slice(b"\\Z"),
            _ => out.push(b),
        }
    }
    out.push(b'\'');
}

/// Style switches drawn per test case.
#[derive(Debug, Clone, Copy)]
struct Style {
    rows_per_statement: usize,
    column_list: bool,
    hex_blobs: bool,
    spaces: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (1usize..5, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(rows_per_statement, column_list, hex_blobs, spaces)| Style {
            rows_per_statement,
            column_list,
            hex_blobs,
            spaces,
        },
    )
}

fn write_mysqldump(tables: &[Table], style: Style) -> Vec<u8> {
    let mut out = b"-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n/*!40101 SET NAMES utf8mb4 */;\n".to_vec();
    let sep: &[u8] = if style.spaces { b", " } else { b"," };
    for t in tables {
        let name = mysql_identifier(&t.name);
        out.extend_from_slice(
            format!("DROP TABLE IF EXISTS {name};\nCREATE TABLE {name} (\n").as_bytes(),
        );
        for c in &t.columns {
            out.extend_from_slice(format!("  {} text,\n", mysql_identifier(c)).as_bytes());
        }
        out.extend_from_slice(
            format!(
                "  KEY `k` ({})\n) ENGINE=InnoDB;\n",
                mysql_identifier(&t.columns[0])
            )
            .as_bytes(),
        );
        out.extend_from_slice(
            format!("LOCK TABLES {name} WRITE;\n/*!40000 ALTER TABLE {name} DISABLE KEYS */;\n")
                .as_bytes(),
        );
        for chunk in t.rows.chunks(style.rows_per_statement) {
            out.extend_from_slice(format!("INSERT INTO {name} ").as_bytes());
            if style.column_list {
                let list: Vec<String> = t.columns.iter().map(|c| mysql_identifier(c)).collect();
                out.extend_from_slice(format!("({}) ", list.join(",")).as_bytes());
            }
            out.extend_from_slice(b"VALUES ");
            for (i, row) in chunk.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(sep);
                }
                out.push(b'(');
                for (j, cell) in row.iter().enumerate() {
                    if j > 0 {
                        out.extend_from_slice(sep);
                    }
                    match cell {
                        Cell::Null => out.extend_from_slice(b"NULL"),
                        Cell::Number(n) => out.extend_from_slice(n.as_bytes()),
                        Cell::Text(s) => mysql_string(&mut out, s.as_bytes()),
                        Cell::Bytes(b) if style.hex_blobs && !b.is_empty() => {
                            out.extend_from_slice(b"0x");
                            out.extend(b.iter().flat_map(|x| format!("{x:02X}").into_bytes()));
                        }
                        Cell::Bytes(b) => {
                            out.extend_from_slice(b"_binary ");
                            mysql_string(&mut out, b);
                        }
                    }
                }
                out.push(b')');
            }
            out.extend_from_slice(b";\n");
        }
        out.extend_from_slice(
            format!("/*!40000 ALTER TABLE {name} ENABLE KEYS */;\nUNLOCK TABLES;\n").as_bytes(),
        );
    }
    out.extend_from_slice(b"-- Dump completed on 2021-03-31 12:00:00\n");
    out
}

// ---- pg_dump -----------------------------------------------------------------------------------------

fn pg_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// COPY text format, as the server writes it; bytes that are not printable ASCII as octal escapes.
fn copy_field(out: &mut Vec<u8>, bytes: &[u8], octal_high: bool) {
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0b => out.extend_from_slice(b"\\v"),
            _ if octal_high && !(0x20..0x80).contains(&b) => {
                out.extend_from_slice(format!("\\{b:03o}").as_bytes())
            }
            _ => out.push(b),
        }
    }
}

/// An `E'...'` string; every byte outside printable ASCII as an octal escape.
fn pg_escape_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(b"E'");
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\'' => out.extend_from_slice(b"''"),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ if !(0x20..0x80).contains(&b) => {
                out.extend_from_slice(format!("\\{b:03o}").as_bytes())
            }
            _ => out.push(b),
        }
    }
    out.push(b'\'');
}

fn write_pg_dump(tables: &[Table], style: Style) -> Vec<u8> {
    let mut out = b"--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n".to_vec();
    for t in tables {
        let name = format!("public.{}", pg_identifier(&t.name));
        let columns: Vec<String> = t.columns.iter().map(|c| pg_identifier(c)).collect();
        let defs: Vec<String> = columns.iter().map(|c| format!("    {c} text")).collect();
        out.extend_from_slice(
            format!("CREATE TABLE {name} (\n{}\n);\n\n", defs.join(",\n")).as_bytes(),
        );
        // `column_list` picks COPY, else INSERTs (with a column list when `hex_blobs`).
        if style.column_list {
            out.extend_from_slice(
                format!("COPY {name} ({}) FROM stdin;\n", columns.join(", ")).as_bytes(),
            );
            for row in &t.rows {
                for (j, cell) in row.iter().enumerate() {
                    if j > 0 {
                        out.push(b'\t');
                    }
                    match cell {
                        Cell::Null => out.extend_from_slice(b"\\N"),
                        Cell::Number(n) => out.extend_from_slice(n.as_bytes()),
                        Cell::Text(s) => copy_field(&mut out, s.as_bytes(), style.spaces),
                        Cell::Bytes(b) => copy_field(&mut out, b, true),
                    }
                }
                out.push(b'\n');
            }
            out.extend_from_slice(b"\\.\n\n");
            continue;
        }
        for chunk in t.rows.chunks(style.rows_per_statement) {
            out.extend_from_slice(format!("INSERT INTO {name} ").as_bytes());
            if style.hex_blobs {
                out.extend_from_slice(format!("({}) ", columns.join(", ")).as_bytes());
            }
            out.extend_from_slice(b"VALUES ");
            for (i, row) in chunk.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                out.push(b'(');
                for (j, cell) in row.iter().enumerate() {
                    if j > 0 {
                        out.extend_from_slice(b", ");
                    }
                    match cell {
                        Cell::Null => out.extend_from_slice(b"NULL"),
                        Cell::Number(n) => out.extend_from_slice(n.as_bytes()),
                        Cell::Text(s) if style.spaces => pg_escape_string(&mut out, s.as_bytes()),
                        Cell::Text(s) => {
                            out.extend_from_slice(format!("'{}'", s.replace('\'', "''")).as_bytes())
                        }
                        Cell::Bytes(b) => pg_escape_string(&mut out, b),
                    }
                }
                out.push(b')');
            }
            out.extend_from_slice(b";\n");
        }
    }
    out.extend_from_slice(b"\n--\n-- PostgreSQL database dump complete\n--\n");
    out
}

// ---- CSV ---------------------------------------------------------------------------------------------

fn write_csv(table: &Table) -> Vec<u8> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(&table.columns).unwrap();
    for row in &table.rows {
        let fields: Vec<&[u8]> = row
            .iter()
            .map(|c| match c {
                Cell::Null => &b""[..],
                Cell::Text(s) | Cell::Number(s) => s.as_bytes(),
                Cell::Bytes(b) => b,
            })
            .collect();
        writer.write_record(fields).unwrap();
    }
    writer.into_inner().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mysqldump_reads_back_what_was_written(tables in tables(), style in style(), step in 1usize..64) {
        let dump = write_mysqldump(&tables, style);
        let mut reader = MysqlDumpReader::new("t.sql", trickle(&dump, step));
        reader.set_read_chunk(step);
        let rows = drain(&mut reader).map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&dump))))?;
        prop_assert_eq!(rows, expected(&tables, |b| Value::Bytes(b.to_vec()), Value::Null));
        prop_assert_eq!(reader.bytes_read(), dump.len() as u64);
        let checked = selfcheck::drain_checked(Format::MysqlDump, &dump).map_err(TestCaseError::fail)?;
        prop_assert_eq!(checked.row_errors, 0);
    }

    #[test]
    fn pg_dump_reads_back_what_was_written(tables in tables(), style in style(), step in 1usize..64) {
        let dump = write_pg_dump(&tables, style);
        let mut reader = PgDumpReader::new("t.sql", trickle(&dump, step));
        reader.set_read_chunk(step);
        let rows = drain(&mut reader).map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&dump))))?;
        prop_assert_eq!(rows, expected(&tables, |b| bytes_to_value(b.to_vec()), Value::Null));
        let checked = selfcheck::drain_checked(Format::PgDump, &dump).map_err(TestCaseError::fail)?;
        prop_assert_eq!(checked.row_errors, 0);
    }

    #[test]
    fn csv_reads_back_what_was_written(tables in tables(), step in 1usize..64) {
        let table = &tables[0];
        let file = write_csv(table);
        let mut reader = CsvReader::new(format!("{}.csv", table.name), trickle(&file, step));
        let rows = drain(&mut reader).map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&file))))?;
        // The writer quotes a lone empty field (`""`), so that it is not a blank line.
        let want = expected(std::slice::from_ref(table), |b| bytes_to_value(b.to_vec()), Value::Text(String::new()));
        prop_assert_eq!(rows, want);
        selfcheck::drain_checked(Format::Csv, &file).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn arbitrary_bytes_keep_the_invariants(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for format in [Format::MysqlDump, Format::PgDump, Format::Csv] {
            selfcheck::drain_checked(format, &bytes).map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn sql_like_noise_keeps_the_invariants(
        parts in prop::collection::vec(prop::sample::select(vec![
            "INSERT INTO `t` VALUES ", "INSERT INTO t (a, b) VALUES ", "CREATE TABLE `t` (`a` int, `b` text);",
            "COPY t (a, b) FROM stdin;\n", "\\.\n", "(", ")", ",", ";", "'", "\"", "\\", "\n", "\t", "NULL", "1", "-2.5",
            "_binary ", "0x1F", "X'00'", "b'1'", "E'", "$$", "/*", "*/", "-- ", "#", "DELIMITER ;;\n", ";;", "`", "\\N",
            "é", "\u{fffd}", "\r\n",
        ]), 0..60),
    ) {
        let input = parts.concat();
        for format in [Format::MysqlDump, Format::PgDump, Format::Csv] {
            selfcheck::drain_checked(format, input.as_bytes()).map_err(TestCaseError::fail)?;
        }
    }
}
