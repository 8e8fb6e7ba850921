//! A stable-Rust stand-in for the fuzz targets (`/fuzz`): thousands of inputs made by mutating the
//! data-driven cases are fed to every reader, which must not panic, must end, and must keep the invariants
//! of `selfcheck::drain_checked` (rows decode again from their bytes, errors know their line, ...),
//! `selfcheck::drain_compressed` (compressed cases, plain and mutated) and `selfcheck::drain_sqlite`
//! (SQLite databases made from the `sqlite/` scripts, mutated).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use spector_ingest::Format;
use spector_ingest::formats::selfcheck::{
    drain_checked, drain_compressed, drain_sqlite, drain_sqlite_bytes,
};

/// Deterministic, so that a failure names an input that can be made again.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to some reader's grammar.
const SPECIAL: &[u8] = b"'\"\\`()[]{},:;\t\n\r-#/*$NE0xbu.\xe9\xc3\x00";

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 => out.truncate(at),
            1 if at < out.len() => out[at] ^= 1 << rng.below(8),
            2 => out.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
            3 if at < out.len() => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                out.drain(at..end);
            }
            4 if at < out.len() => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                let copy = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, copy);
            }
            _ if at < out.len() => out[at] = SPECIAL[rng.below(SPECIAL.len())],
            _ => {}
        }
    }
    out
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The contents of the text cases, in a stable order.
fn text_seeds() -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    for dir in ["mysql", "pg", "csv", "json"] {
        for entry in fs::read_dir(data_dir().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path
                .extension()
                .is_some_and(|e| ["sql", "csv", "json", "jsonl"].iter().any(|x| e == *x))
            {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
}

#[test]
fn mutated_cases_never_break_a_reader() {
    let seeds = text_seeds();
    let mut rng = XorShift(0x5eed_cafe_f00d_d00d);
    let per_seed = 3000 / seeds.len().max(1) + 1;
    let mut inputs = 0;
    for seed in &seeds {
        for i in 0..per_seed {
            let input = mutate(&mut rng, seed);
            for format in [Format::MysqlDump, Format::PgDump, Format::Csv, Format::Json] {
                if let Err(problem) = drain_checked(format, &input) {
                    panic!(
                        "{format} reader broke on mutant {i}: {problem}\ninput: {:?}",
                        String::from_utf8_lossy(&input)
                    );
                }
            }
            inputs += 1;
        }
    }
    assert!(inputs >= 3000, "only {inputs} inputs");
}

/// The stand-in for the `text_decode` fuzz target: mutated legacy-encoded cases through the source scan
/// and the decoder, over every row a reader yields. UTF-8 must come out unchanged when repair is off, and a
/// repair must be the UTF-8 reading of the text's Windows-1252 bytes.
#[test]
fn mutated_encoding_cases_never_break_the_scan_or_the_decoder() {
    use spector_ingest::detect::scan_reader;
    use spector_ingest::encoding::{TextDecoder, profile_encoding};
    use spector_ingest::formats::{CsvReader, MysqlDumpReader, PgDumpReader};
    use spector_ingest::{RowReader, Value};

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/encodings");
    let mut seeds = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sql" || e == "csv") {
            seeds.push(fs::read(&path).unwrap());
        }
    }
    assert!(seeds.len() >= 9, "the encoding cases are missing");
    let cp1251 = profile_encoding("windows-1251").unwrap();
    let cp1252 = profile_encoding("windows-1252").unwrap();
    let mut rng = XorShift(0x0dec_0de5_1251_1252);
    let mut values = 0u64;
    for seed in &seeds {
        for i in 0..100 {
            let input = mutate(&mut rng, seed);
            for format in [Format::MysqlDump, Format::PgDump, Format::Csv] {
                let scan = scan_reader(&input[..], Path::new("m.csv"), format)
                    .unwrap_or_else(|e| panic!("scan of mutant {i} failed: {e}"));
                let profile = (i % 2 == 0).then_some(cp1251);
                let repair = i % 3 == 0;
                let decoder = TextDecoder::new(profile, repair).with_source(scan.encodings);
                let mut reader: Box<dyn RowReader> = match format {
                    Format::MysqlDump => Box::new(MysqlDumpReader::new("m.sql", &input[..])),
                    Format::PgDump => Box::new(PgDumpReader::new("m.sql", &input[..])),
                    Format::Csv => Box::new(CsvReader::new("m.csv", &input[..])),
                    Format::Json | Format::Sqlite => unreachable!("not among the formats above"),
                };
                for _ in 0..10_000 {
                    let row = match reader.next_row() {
                        Ok(Some(row)) => row,
                        Ok(None) => break,
                        Err(_) => continue,
                    };
                    for (column, value) in row.columns.iter().zip(&row.values) {
                        let text = decoder.text(&row.table, column, value);
                        values += 1;
                        let (Value::Text(s), Some(text)) = (value, text) else {
                            continue;
                        };
                        if !repair || text == s.as_str() {
                            assert_eq!(text, s.as_str(), "mutant {i}");
                        } else {
                            assert_eq!(cp1252.encode(s).0.as_ref(), text.as_bytes(), "mutant {i}");
                        }
                    }
                }
            }
        }
    }
    assert!(values > 5_000, "only {values} values decoded");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    let mut e = zstd::Encoder::new(Vec::new(), 1).unwrap();
    e.include_checksum(true).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn mutated_compressed_cases_never_break_the_decompressing_readers() {
    let seeds = text_seeds();
    let mut rng = XorShift(0xc0de_d00d_5eed_0001);
    let per_seed = 1500 / seeds.len().max(1) + 1;
    let mut broken = 0;
    let mut inputs = 0;
    for seed in &seeds {
        for i in 0..per_seed {
            let codec: fn(&[u8]) -> Vec<u8> = if i % 2 == 0 { gzip } else { zstd };
            // Mutated text compressed (a valid stream of odd text), or compressed text mutated (a broken
            // stream, mostly).
            let input = if i % 4 < 2 {
                codec(&mutate(&mut rng, seed))
            } else {
                mutate(&mut rng, &codec(seed))
            };
            match drain_compressed(&input) {
                Ok(seen) => broken += usize::from(seen.fatal),
                Err(problem) => {
                    panic!("compressed mutant {i} broke a reader: {problem}\ninput: {input:02x?}")
                }
            }
            inputs += 1;
        }
    }
    assert!(inputs >= 1500, "only {inputs} inputs");
    // Both halves happened: streams that read to their end and streams that broke.
    assert!(
        broken > inputs / 8 && broken < inputs * 7 / 8,
        "{broken} of {inputs} fatal"
    );
}

/// SQLite databases made from the `sqlite/` case scripts.
fn sqlite_seeds() -> Vec<Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let mut scripts: Vec<PathBuf> = fs::read_dir(data_dir().join("sqlite"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    scripts.sort();
    scripts
        .iter()
        .map(|script| {
            let db = tmp.path().join("seed.db");
            let _ = fs::remove_file(&db);
            let conn = rusqlite::Connection::open(&db).unwrap();
            conn.execute_batch(&fs::read_to_string(script).unwrap())
                .unwrap();
            drop(conn);
            drain_sqlite(&db).unwrap();
            fs::read(&db).unwrap()
        })
        .collect()
}

#[test]
fn mutated_sqlite_files_never_break_the_sqlite_reader() {
    let seeds = sqlite_seeds();
    assert!(seeds.len() >= 6, "the sqlite cases are missing");
    let mut rng = XorShift(0x5eed_0000_0d0b_0001);
    let per_seed = 600 / seeds.len() + 1;
    let (mut rows, mut fatal) = (0, 0);
    for seed in &seeds {
        for i in 0..per_seed {
            let mut input = seed.clone();
            // Fewer, smaller changes than for text: most of a database file is padding, and a changed
            // header byte already refuses the whole file.
            let at = rng.below(input.len());
            match rng.below(4) {
                0 => input.truncate(at),
                1 => input[at] ^= 1 << rng.below(8),
                2 => input[at] = rng.next() as u8,
                _ => input = mutate(&mut rng, &input),
            }
            match drain_sqlite_bytes(&input) {
                Ok(seen) => {
                    rows += seen.rows;
                    fatal += u64::from(seen.fatal);
                }
                Err(problem) => panic!("sqlite mutant {i} broke the reader: {problem}"),
            }
        }
    }
    // Some mutants still read, some are refused.
    assert!(rows > 0 && fatal > 0, "{rows} rows, {fatal} fatal");
}
