//! Hostile text through every writer, read back with the tests' own readers.

mod support;

use spector_synth::formats::CsvFile;
use spector_synth::formats::mysqldump::{MysqlDump, NET_BUFFER_LENGTH, Sql};
use spector_synth::formats::pgdump::{Pg, PgDump, PgTable};
use spector_synth::formats::sink::Progress;

const TORTURE: &[&str] = &[
    "",
    "plain",
    "it's a \"quote\"",
    "back\\slash and trailing \\",
    "\\N",
    "NULL",
    "line\nbreak",
    "windows\r\nline",
    "tab\tseparated\tvalues",
    "ctrl-z \u{1a} and form\u{c}feed and bell\u{7}",
    "commas, \"and\", 'mixed' quotes,",
    "  leading and trailing spaces  ",
    "unicode: Qualität, envío, 日本語, עברית, 🔥💊, e\u{301}",
    "¯\\_(ツ)_/¯",
    "'); DROP TABLE users; --",
    "(1,'fake tuple'),(2,",
    "\\.",
    "\\\\.\n\\.",
    "#comment-looking",
];

#[test]
fn mysqldump_round_trips_hostile_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sql");
    let progress = Progress::new(&|_| {});
    let mut dump = MysqlDump::create(&path, "db", &progress).unwrap();
    dump.begin_table(
        "t",
        "  `id` int(11) NOT NULL,\n  `s` text DEFAULT NULL,\n  `n` text DEFAULT NULL,\n  PRIMARY KEY (`id`)",
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    )
    .unwrap();
    for (i, s) in TORTURE.iter().enumerate() {
        dump.row(&[Sql::Int(i as i64), Sql::Str(s), Sql::Null])
            .unwrap();
    }
    dump.end_table().unwrap();
    dump.finish(1_600_000_000).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let tables = support::parse_mysqldump(&text);
    let t = &tables["t"];
    assert_eq!(t.columns, ["id", "s", "n"]);
    assert_eq!(t.rows.len(), TORTURE.len());
    for (row, s) in t.rows.iter().zip(TORTURE) {
        assert_eq!(row[1].as_deref(), Some(*s));
        assert_eq!(row[2], None);
    }
    assert!(text.ends_with("-- Dump completed on 2020-09-13 12:26:40\n"));
}

#[test]
fn mysqldump_cuts_extended_inserts_near_one_megabyte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.sql");
    let progress = Progress::new(&|_| {});
    let mut dump = MysqlDump::create(&path, "db", &progress).unwrap();
    dump.begin_table(
        "big",
        "  `id` int(11) NOT NULL,\n  `s` text",
        "ENGINE=InnoDB",
    )
    .unwrap();
    let filler = "x'y\\z\n".repeat(40);
    for i in 0..12_000 {
        dump.row(&[Sql::Int(i), Sql::Str(&filler)]).unwrap();
    }
    dump.end_table().unwrap();
    dump.finish(1_600_000_000).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let inserts: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("INSERT INTO `big`"))
        .collect();
    assert!(inserts.len() >= 3, "{} statements", inserts.len());
    for statement in &inserts {
        assert!(statement.len() < NET_BUFFER_LENGTH, "{}", statement.len());
        assert!(statement.ends_with(");"));
    }
    // All but the last statement are nearly full.
    for statement in &inserts[..inserts.len() - 1] {
        assert!(statement.len() > NET_BUFFER_LENGTH - 2_000);
    }
    let rows = support::parse_mysqldump(&text)["big"].rows.len();
    assert_eq!(rows, 12_000);
}

#[test]
fn copy_round_trips_hostile_text_and_keeps_null_apart() {
    const TABLE: PgTable = PgTable {
        name: "t",
        columns: &[("id", "bigint"), ("s", "text"), ("n", "text")],
        key: "id",
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.pgdump.sql");
    let progress = Progress::new(&|_| {});
    let mut dump = PgDump::create(&path, "owner", &[TABLE], &progress).unwrap();
    dump.begin_copy(&TABLE).unwrap();
    for (i, s) in TORTURE.iter().enumerate() {
        dump.row(&[Pg::Int(i as i64), Pg::Text(s), Pg::Null])
            .unwrap();
    }
    dump.end_copy().unwrap();
    dump.finish(&[TABLE], &[TORTURE.len() as u64], &[], &[])
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let t = &support::parse_pgdump(&text)["t"];
    assert_eq!(t.rows.len(), TORTURE.len());
    for (row, s) in t.rows.iter().zip(TORTURE) {
        assert_eq!(row[1].as_deref(), Some(*s));
        assert_eq!(row[2], None);
    }
    assert!(text.contains("SELECT pg_catalog.setval('public.t_id_seq', 19, true);"));
    assert!(text.ends_with("--\n-- PostgreSQL database dump complete\n--\n\n"));
}

#[test]
fn csv_round_trips_hostile_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let progress = Progress::new(&|_| {});
    let mut csv = CsvFile::create(&path, &["id", "s"], &progress).unwrap();
    for (i, s) in TORTURE.iter().enumerate() {
        csv.record([i.to_string().as_str(), s]).unwrap();
    }
    let size = csv.finish().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(size, text.len() as u64);
    let t = support::parse_csv(&text);
    assert_eq!(t.columns, ["id", "s"]);
    assert_eq!(t.rows.len(), TORTURE.len());
    for (row, s) in t.rows.iter().zip(TORTURE) {
        assert_eq!(row[1].as_deref(), Some(*s));
    }
    // The csv crate reads it back the same way.
    let mut reader = csv::ReaderBuilder::new().from_path(&path).unwrap();
    let back: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    assert_eq!(back, TORTURE);
}
