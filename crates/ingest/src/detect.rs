//! Recognising which known schema a source follows, from the source itself.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

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
/// (the file read may be the case's hash-named copy): a CSV table is named after it.
pub fn scan_schema(path: &Path, name: &Path, format: Format) -> Result<SourceSchema, ReadError> {
    let file = File::open(path).map_err(|e| io_error(name, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut schema = SourceSchema::new();
    if format == Format::Csv {
        let table = name
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let head = reader.fill_buf().map_err(|e| io_error(name, e))?;
        let delimiter = crate::formats::csv::sniff_delimiter(head).unwrap_or(b',');
        let mut header = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(reader);
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
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .map_err(|e| io_error(name, e))?
            == 0
        {
            break;
        }
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
}
