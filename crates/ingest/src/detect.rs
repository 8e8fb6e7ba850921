//! Recognising which known schema a source follows, from the source itself.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufRead;
use std::path::Path;

use crate::formats::compressed::decompress;
use crate::profile::Profile;
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

/// Reads the table declarations of a source: CREATE TABLE and COPY headers for dumps, the header row for CSV,
/// the tables of an SQLite database. Streams line by line (through gzip or zstd if the file is compressed);
/// row data is skipped, never parsed. `name` is the file's name as the analyst gave it (the file read may be
/// the case's hash-named copy): a CSV table is named after it.
pub fn scan_schema(path: &Path, name: &Path, format: Format) -> Result<SourceSchema, ReadError> {
    if format == Format::Sqlite {
        return crate::formats::sqlite::schema(path, name);
    }
    let file = File::open(path).map_err(|e| io_error(name, e))?;
    let mut reader = decompress(file).map_err(|e| io_error(name, e))?.reader;
    let mut schema = SourceSchema::new();
    if format == Format::Csv {
        let table = crate::formats::csv::table_name(name).to_string();
        let mut header = csv::ReaderBuilder::new().from_reader(reader);
        let cols = header
            .headers()
            .map_err(|e| io_error(name, std::io::Error::other(e)))?
            .iter()
            .map(|c| c.trim().to_string())
            .collect();
        schema.insert(table, cols);
        return Ok(schema);
    }
    let mut line = Vec::new();
    let mut open_table: Option<String> = None;
    let (mut line_number, mut offset) = (1, 0);
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(|e| {
            let mut error = io_error(name, e);
            (error.line, error.offset) = (line_number, offset);
            error
        })?;
        if n == 0 {
            break;
        }
        (line_number, offset) = (line_number + 1, offset + n as u64);
        // Only the start of a line matters; a data line may be megabytes long.
        let head = String::from_utf8_lossy(&line[..line.len().min(4096)]);
        let trimmed = head.trim();
        if let Some(table) = &open_table {
            if trimmed.starts_with(')') {
                open_table = None;
            } else if let Some(col) = column_of_definition(trimmed) {
                schema.entry(table.clone()).or_default().push(col);
            }
            continue;
        }
        if let Some(rest) = strip_prefix_ci(trimmed, "CREATE TABLE ") {
            let rest = strip_prefix_ci(rest, "IF NOT EXISTS ").unwrap_or(rest);
            let name = table_name(rest.split(['(', ' ']).next().unwrap_or(""));
            schema.insert(name.clone(), Vec::new());
            open_table = Some(name);
        } else if let Some(rest) = strip_prefix_ci(trimmed, "COPY ") {
            // COPY public.t (a, b, "C") FROM stdin;
            if let (Some(open), Some(close)) = (rest.find('('), rest.find(')')) {
                let name = table_name(rest[..open].trim());
                let cols = rest[open + 1..close]
                    .split(',')
                    .map(|c| unquote(c.trim()))
                    .collect();
                schema.insert(name, cols);
            }
        }
    }
    Ok(schema)
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
/// schema that happens to use a common name such as `users`.
pub fn recognise<'p>(
    path: &Path,
    format: Format,
    schema: &SourceSchema,
    profiles: &'p [Profile],
) -> Result<Recognition<'p>, DetectError> {
    let mut best: Vec<Recognition<'p>> = Vec::new();
    for profile in profiles {
        if profile.format.is_some_and(|f| f != format) {
            continue;
        }
        let tables = profile.tables();
        let mut matched = Vec::new();
        let mut conflict = false;
        for (table, needed) in &tables {
            if let Some(cols) = schema.get(*table) {
                if needed.iter().all(|n| cols.iter().any(|c| c == n)) {
                    matched.push(table.to_string());
                } else {
                    conflict = true;
                }
            }
        }
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
