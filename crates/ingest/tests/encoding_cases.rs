//! Data-driven decoding tests: every `tests/data/encodings/<case>.<sql|csv>` holds text in a real legacy
//! encoding (written by `make_cases.py` with Python's codecs, an implementation independent of the one under
//! test). Each case is scanned, read and decoded, and the rendering must equal `<case>.expected` beside it.
//! `UPDATE_EXPECT=1 cargo test -p spector-ingest --test encoding_cases` rewrites the expected files; read
//! every line before accepting them.
//!
//! Rendering: the scan's declarations and guesses, then one line per row with every value (`NULL`, text as a
//! quoted Rust string followed by `[encoding basis]` when it was not UTF-8), then the decoding summary. A
//! `<case>.toml` beside a case holds profile options (`encoding`, `repair_mojibake`); the case is then
//! rendered a second time with them.
//!
//! Besides the renderings, `decoded_texts_are_the_intended_ones` checks the decoded texts against the
//! texts `make_cases.py` encoded, written out here by hand.

mod support;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use spector_ingest::encoding::Basis;
use spector_ingest::formats;
use spector_ingest::{Format, Mapper, Profile, SourceEncodings, TextDecoder, Value, scan_source};
use spector_model::Record;

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/encodings")
}

fn cases() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(case_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql" || e == "csv"))
        .collect();
    files.sort();
    files
}

fn format_of(path: &Path) -> Format {
    let head = fs::read(path).unwrap();
    formats::detect(path, &head).unwrap()
}

fn profile(options: &str) -> Profile {
    Profile::from_toml("case", &format!("name = \"case\"\n{options}")).unwrap()
}

/// Every value of every row, decoded: `(table, row, column, text, how)`.
type Decoded = Vec<(String, u64, String, Option<String>, Option<String>)>;

fn decode_case(path: &Path, options: &str) -> (SourceEncodings, Decoded, TextDecoder) {
    let format = format_of(path);
    let scan = scan_source(path, path, format).unwrap();
    let p = profile(options);
    let decoder =
        TextDecoder::new(p.encoding, p.repair_mojibake).with_source(scan.encodings.clone());
    let (_, mut reader) = formats::open(path, Some(format)).unwrap();
    let mut out = Vec::new();
    while let Some(row) = reader.next_row().unwrap() {
        for (column, value) in row.columns.iter().zip(&row.values) {
            let how = match value {
                Value::Null => None,
                Value::Text(s) => decoder.decode_str(s).how,
                Value::Bytes(b) => decoder.decode_bytes(&row.table, column, b).how,
            }
            .map(|(e, basis)| format!("{} {basis}", e.name()));
            let text = decoder
                .text(&row.table, column, value)
                .map(|t| t.into_owned());
            out.push((row.table.to_string(), row.row, column.clone(), text, how));
        }
    }
    (scan.encodings, out, decoder)
}

fn render(path: &Path, options: &str) -> String {
    let (encodings, values, decoder) = decode_case(path, options);
    let mut out = String::new();
    writeln!(out, "== scan").unwrap();
    for line in encodings.describe() {
        writeln!(out, "{line}").unwrap();
    }
    let label = if options.is_empty() {
        "no profile options".to_string()
    } else {
        options.trim().replace('\n', "; ")
    };
    writeln!(out, "== rows ({label})").unwrap();
    let mut current: Option<(String, u64)> = None;
    for (table, row, _, text, how) in &values {
        if current.as_ref() != Some(&(table.clone(), *row)) {
            if current.is_some() {
                out.push('\n');
            }
            write!(out, "{table}#{row}:").unwrap();
            current = Some((table.clone(), *row));
        }
        match (text, how) {
            (None, _) => write!(out, " NULL").unwrap(),
            (Some(t), None) => write!(out, " {t:?}").unwrap(),
            (Some(t), Some(h)) => write!(out, " {t:?} [{h}]").unwrap(),
        }
    }
    out.push('\n');
    writeln!(out, "== decoded").unwrap();
    for line in decoder.stats().summary() {
        writeln!(out, "{line}").unwrap();
    }
    out
}

#[test]
fn every_case_matches_its_expected_rendering() {
    let mut golden = support::Golden::new();
    let cases = cases();
    assert!(cases.len() >= 9, "the case files are missing");
    for path in cases {
        let mut rendered = render(&path, "");
        if let Ok(options) = fs::read_to_string(path.with_extension("toml")) {
            rendered.push_str(&render(&path, &options));
        }
        golden.check(&path, &rendered);
    }
    golden.finish();
}

/// The decoded texts of a case's column, NULLs left out.
fn column(path: &str, options: &str, table: &str, column: &str) -> Vec<(String, Option<String>)> {
    let (_, values, _) = decode_case(&case_dir().join(path), options);
    values
        .into_iter()
        .filter(|(t, _, c, text, _)| t == table && c == column && text.is_some())
        .map(|(_, _, _, text, how)| (text.unwrap_or_default(), how))
        .collect()
}

fn texts(v: &[(String, Option<String>)]) -> Vec<&str> {
    v.iter().map(|(t, _)| t.as_str()).collect()
}

#[test]
fn decoded_texts_are_the_intended_ones() {
    let titles = column("mysql_cp1251.sql", "", "products", "title");
    assert_eq!(
        texts(&titles),
        ["Мефедрон 1г", "Героин", "Гашиш Ice-o-lator 5г"]
    );
    assert!(
        titles
            .iter()
            .all(|(_, how)| how.as_deref() == Some("windows-1251 declared"))
    );
    assert_eq!(
        texts(&column("mysql_cp1251.sql", "", "products", "description")),
        [
            "Кристаллы, чистота 98%. Закладка — Москва, м. Сокол.",
            "Афганский №4, «белый»",
            "Ёлки-палки, ещё и дёшево"
        ]
    );
    assert_eq!(
        texts(&column("mysql_cp1251.sql", "", "users", "username")),
        ["Иван", "Лёша_Москва", "admin"]
    );

    assert_eq!(
        texts(&column("pg_win1251.sql", "", "members", "bio")),
        [
            "Закладки по всему городу\nОтзывы в профиле",
            "Only English here"
        ]
    );
    assert_eq!(
        texts(&column("pg_win1251.sql", "", "listings", "title")),
        ["Амфетамин 2г", "Экстази «Тесла» 10шт"]
    );
    assert_eq!(
        texts(&column("pg_koi8r.sql", "", "members", "login")),
        ["Шалфей", "Ёжик_в_тумане"]
    );

    // No declaration: guessed from the table's text, and the same with the profile naming it.
    let vendors = column("csv_cp1251.csv", "", "csv_cp1251", "vendor");
    assert_eq!(texts(&vendors), ["Иван", "Шалфей", "Кот_Учёный", "trader"]);
    assert_eq!(vendors[0].1.as_deref(), Some("windows-1251 guessed"));
    let vendors = column(
        "csv_cp1251.csv",
        "encoding = \"cp1251\"",
        "csv_cp1251",
        "vendor",
    );
    assert_eq!(vendors[0].1.as_deref(), Some("windows-1251 profile"));
    assert_eq!(
        texts(&column("csv_cp1251.csv", "", "csv_cp1251", "title")),
        ["Мефедрон 1г", "Героин", "Гашиш, 5г", "LSD 100ug"]
    );
    // chardetng names KOI8-U, which reads Russian letters exactly as KOI8-R does.
    let koi = column("csv_koi8r.csv", "", "csv_koi8r", "vendor");
    assert_eq!(texts(&koi), ["Шалфей", "Кот_Учёный"]);
    assert_eq!(koi[0].1.as_deref(), Some("KOI8-U guessed"));
    let notes = column("csv_cp1252.csv", "", "csv_cp1252", "notes");
    assert_eq!(
        texts(&notes),
        [
            "Envío rápido",
            "Qualité supérieure — garantie",
            "Sólo España"
        ]
    );
    assert_eq!(notes[0].1.as_deref(), Some("windows-1252 guessed"));
    assert_eq!(
        texts(&column("csv_cp1252.csv", "", "csv_cp1252", "price")),
        ["€ 80", "€ 25,50", "€ 10"]
    );

    // Per value: the UTF-8 rows stay, the pasted cp1251 ones are decoded, even within one line.
    let bodies = column("mysql_mixed.sql", "", "messages", "body");
    assert_eq!(
        texts(&bodies),
        [
            "Привет, заказ отправлен",
            "Thanks, got it 👍",
            "Где мой заказ? Жду уже неделю",
            "Трек-номер выслал в личку",
            "Всё пришло, спасибо!",
            "Тема закрыта"
        ]
    );
    let how: Vec<Option<&str>> = bodies.iter().map(|(_, h)| h.as_deref()).collect();
    let cp = Some("windows-1251 guessed");
    assert_eq!(how, [None, None, cp, cp, None, cp]);

    // Mojibake stays what the dump says unless repair is asked for.
    let names = column("mysql_latin1_mojibake.sql", "", "users", "username");
    assert_eq!(
        texts(&names),
        ["Ð›Ñ‘ÑˆÐ°", "Ð¨Ð°Ð»Ñ„ÐµÐ¹", "Î•Î»Î»Î¬Î´Î±", "Café Crème"]
    );
    let repair = "repair_mojibake = true";
    assert_eq!(
        texts(&column(
            "mysql_latin1_mojibake.sql",
            repair,
            "users",
            "username"
        )),
        ["Лёша", "Шалфей", "Ελλάδα", "Café Crème"]
    );
    assert_eq!(
        texts(&column(
            "mysql_latin1_mojibake.sql",
            repair,
            "users",
            "title"
        )),
        ["Мефедрон 1г", "Героин", "don’t ask", "JOSÉ’S"]
    );

    // Without SET NAMES the table's charset holds, and a column's own charset beats it.
    let raw = |col| texts(&column("mysql_latin1_raw.sql", "", "vendors", col)).join("|");
    assert_eq!(raw("name"), "Café Crème|Señor Snow");
    assert_eq!(raw("name_ru"), "Кафе");
    assert_eq!(raw("motto"), "Qualité — 100%|€ 50 only");
}

#[test]
fn the_mapper_decodes_with_the_source_declarations() {
    let path = case_dir().join("mysql_cp1251.sql");
    let scan = scan_source(&path, &path, Format::MysqlDump).unwrap();
    let p = Profile::from_toml(
        "t",
        r#"name = "t"
[[entity]]
kind = "listing"
table = "products"
fields = { native_key = "id", title = "title", description = "description", vendor = "vendor_id" }
[[entity]]
kind = "account"
table = "users"
fields = { native_key = "id", name = "username", profile = "about" }
"#,
    )
    .unwrap();
    let mut mapper = Mapper::new(&p, "hydra", "00").with_encodings(scan.encodings);
    let (_, mut reader) = formats::open(&path, None).unwrap();
    let mut names = Vec::new();
    while let Some(row) = reader.next_row().unwrap() {
        for record in mapper.map_row(&row).unwrap() {
            match record {
                Record::Listing(l) => names.push(l.title),
                Record::Account(a) => names.push(a.name),
                _ => {}
            }
        }
    }
    assert_eq!(
        names,
        [
            "Мефедрон 1г",
            "Героин",
            "Гашиш Ice-o-lator 5г",
            "Иван",
            "Лёша_Москва",
            "admin"
        ]
    );
    // Titles 3 + descriptions 3 + usernames 2 + abouts 2 are cp1251; ids, vendor ids and ASCII are UTF-8.
    let stats = mapper.decoding_stats();
    assert_eq!(
        stats.summary(),
        ["10 values decoded as windows-1251 (declared)"]
    );
    assert_eq!(stats.decoded_total(), 10);

    // Without the scan and without a profile encoding, each value is guessed alone: a long title comes
    // out right, a short name may not (`Иван` alone reads as Windows-1252), which is why the pipeline scans.
    let mut blind = Mapper::new(&p, "hydra", "00");
    let (_, mut reader) = formats::open(&path, None).unwrap();
    let row = reader.next_row().unwrap().unwrap();
    let records = blind.map_row(&row).unwrap();
    let [Record::Listing(l)] = records.as_slice() else {
        panic!("one listing expected")
    };
    assert_eq!(l.title, "Мефедрон 1г");
    assert!(
        blind
            .decoding_stats()
            .decoded
            .contains_key(&("windows-1251", Basis::Guessed))
    );
}

/// Real scraped market data is UTF-8 with no mojibake: repair must leave every field as it is.
#[test]
fn repair_never_fires_on_real_market_text() {
    // `../shared/data` beside the project root; SPECTOR_SHARED_DATA names it elsewhere (e.g. from a git
    // worktree).
    let shared = std::env::var_os("SPECTOR_SHARED_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    let dir = shared.join("markets");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let decoder = TextDecoder::new(None, true);
    let mut fields = 0u64;
    for sub in ["agora-2014", "panacea-2014"] {
        for entry in fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let (_, mut reader) = formats::open(&path, Some(Format::Csv)).unwrap();
            loop {
                match reader.next_row() {
                    Ok(Some(row)) => {
                        for v in &row.values {
                            if let Value::Text(s) = v {
                                fields += 1;
                                let d = decoder.decode_str(s);
                                assert_eq!(d.text, s.as_str(), "{}", path.display());
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(_) => {}
                }
            }
        }
    }
    assert!(fields > 100_000, "only {fields} fields read");
}

/// The scan made while a file is received (from its bytes as they stream, format told from the head) finds
/// what the scan of the file at hand finds, for every case, plain and compressed.
#[test]
fn a_streamed_scan_finds_what_a_scan_of_the_file_finds() {
    use spector_ingest::scan_stream;
    let dirs = ["encodings", "mysql", "pg", "csv"];
    let mut compared = 0;
    for dir in dirs {
        let dir = case_dir().parent().unwrap().join(dir);
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path
                .extension()
                .is_some_and(|e| e == "expected" || e == "md")
            {
                continue;
            }
            let head = fs::read(&path).unwrap();
            let Ok(format) = formats::detect(&path, &head) else {
                continue; // the cases of files refused as a whole
            };
            let Ok(expected) = scan_source(&path, &path, format) else {
                continue;
            };
            let streamed = scan_stream(
                std::io::BufReader::new(fs::File::open(&path).unwrap()),
                &path,
                None,
            )
            .unwrap()
            .unwrap_or_else(|| panic!("{}: a text format is scanned", path.display()));
            assert_eq!(streamed.0, format, "{}", path.display());
            assert_eq!(
                format!("{:?}", streamed.1),
                format!("{expected:?}"),
                "{}",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} cases compared");
}
