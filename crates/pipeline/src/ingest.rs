use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use spector_ingest::{
    Format, Mapper, Profile, ReadError, ReadErrorKind, RowRecords, SourceScan, builtin_profiles,
    formats, recognise, recognise_first_line, scan_source, scan_stream,
};
use spector_store::{Case, Received, Reject, SequentialReader, SourceWriter};

use crate::{PipelineError, Progress};

/// Opens the evidence copy of `name` for the one pass the parse makes over it: past the page cache, a
/// thread ahead of the parser ([`SequentialReader`]); an SQLite database is opened by SQLite instead.
fn open_copy(
    copy: &Path,
    name: &Path,
    format: Option<Format>,
    options: &formats::ReadOptions,
) -> Result<formats::Opened, PipelineError> {
    let sqlite = match format {
        Some(format) => format == Format::Sqlite,
        None => starts_like_sqlite(copy),
    };
    if sqlite {
        return Ok(formats::open_source(copy, name, format, options)?);
    }
    let input = SequentialReader::open(copy).map_err(|e| ReadError {
        kind: ReadErrorKind::Fatal,
        file: name.to_path_buf(),
        line: 1,
        offset: 0,
        message: format!("cannot open the evidence copy {}: {e}", copy.display()),
        raw: None,
    })?;
    Ok(formats::open_reader(name, input, format, options)?)
}

/// Whether the file begins with SQLite's header; false when it cannot be read (opening it again then
/// reports why).
fn starts_like_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(16).read_to_end(&mut head))
        .is_ok_and(|_| formats::sqlite::is_sqlite(&head))
}

pub enum ProfileChoice<'a> {
    /// Recognise the schema from the source itself.
    Auto,
    /// A shipped profile's name, or the path of a profile TOML file.
    Named(&'a str),
}

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Store the good rows of a source that has bad ones, quarantining the bad ones.
    pub allow_rejects: bool,
}

#[derive(Debug, Clone)]
pub struct RejectInfo {
    pub stage: RejectStage,
    pub line: u64,
    pub offset: u64,
    pub reason: String,
}

/// Where a row was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectStage {
    /// The reader could not read it as a row of the format.
    Read,
    /// It was read, but the profile could not map it (a bad value, a missing required field).
    Map,
}

#[derive(Debug, Clone)]
pub struct IngestReport {
    pub file: PathBuf,
    pub sha256: String,
    pub market: String,
    pub format: Format,
    /// How the file was compressed (gzip, zstd), read through as it streamed.
    pub compression: formats::Compression,
    pub profile: String,
    /// How the profile was recognised, when it was not named.
    pub recognised: Option<String>,
    /// The same bytes were ingested before: nothing was done.
    pub already_ingested: bool,
    pub rows_read: u64,
    /// Rows among `rows_read` that were malformed but recovered by the reader (CSV with unescaped quotes).
    pub recovered: u64,
    /// Records stored per table.
    pub stored: BTreeMap<&'static str, u64>,
    /// Records dropped per table because the profile's `dedup` had already made their id from an earlier
    /// row of this source (the same page crawled twice).
    pub duplicates: BTreeMap<&'static str, u64>,
    pub rejects: Vec<RejectInfo>,
}

fn load_profile(choice: &ProfileChoice<'_>) -> Result<Option<Profile>, PipelineError> {
    let ProfileChoice::Named(name) = choice else {
        return Ok(None);
    };
    if let Some(p) = builtin_profiles().into_iter().find(|p| p.name == *name) {
        return Ok(Some(p));
    }
    let path = Path::new(name);
    if !path.exists() {
        return Err(PipelineError::UnknownProfile(name.to_string()));
    }
    let text = std::fs::read_to_string(path).map_err(|source| PipelineError::ProfileFile {
        file: path.to_path_buf(),
        source,
    })?;
    Ok(Some(Profile::from_toml(
        &path.display().to_string(),
        &text,
    )?))
}

/// Errors from reading the evidence copy name the file the analyst gave, not the copy's hash-named path.
fn as_user_file(mut e: ReadError, file: &Path) -> ReadError {
    e.file = file.to_path_buf();
    e
}

/// Ingests one source file into the case: copies it into the evidence area, reads the copy (so the bytes
/// parsed are the bytes hashed), maps, enriches, and commits every record of the file at once — or nothing.
pub fn ingest_source(
    case: &Case,
    market: &str,
    file: &Path,
    choice: &ProfileChoice<'_>,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, PipelineError> {
    let named = load_profile(choice)?;
    // A fresh file is staged, not yet evidence: it becomes evidence in the commit of its records, so a
    // refused, failed or killed ingest leaves the case as it was.
    let started = std::time::Instant::now();
    // The schema and encoding scan reads the bytes as they are hashed, rather than the copy afterwards.
    let named_format = named.as_ref().and_then(|p| p.format);
    let size = std::fs::metadata(file).map(|m| m.len()).ok();
    progress.begin(&format!("receive {} (copy, SHA-256)", file.display()), size);
    let received = case.receive_watched(
        file,
        |bytes| {
            // An error here is met again, and reported, when the copy is opened.
            scan_stream(bytes, file, named_format).ok().flatten()
        },
        &|copied| progress.set(copied),
    );
    progress.end();
    let (received, early_scan) = received?;
    tracing::debug!(file = %file.display(), elapsed = ?started.elapsed(), "received (copied, hashed and scanned)");
    let arrival = Arrival {
        received,
        early_scan: early_scan.flatten(),
    };
    read_into_case(
        case,
        market,
        file,
        named.as_ref(),
        arrival,
        options,
        progress,
    )
}

/// A received source, with the scan made while it was received when there is one.
struct Arrival {
    received: Received,
    /// The format the bytes were told to be, and their scan (none for SQLite and JSON, or held bytes).
    early_scan: Option<(Format, SourceScan)>,
}

fn read_into_case(
    case: &Case,
    market: &str,
    file: &Path,
    named: Option<&Profile>,
    arrival: Arrival,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, PipelineError> {
    let Arrival {
        received,
        early_scan,
    } = arrival;
    let evidence = received.evidence().clone();
    let mut report = IngestReport {
        file: file.to_path_buf(),
        sha256: evidence.sha256.clone(),
        market: market.to_string(),
        format: Format::Csv,
        compression: formats::Compression::None,
        profile: String::new(),
        recognised: None,
        already_ingested: false,
        rows_read: 0,
        recovered: 0,
        stored: BTreeMap::new(),
        duplicates: BTreeMap::new(),
        rejects: Vec::new(),
    };
    if case.is_ingested(&evidence.sha256)? {
        report.already_ingested = true;
        return Ok(report);
    }
    let copy = evidence.stored_path.clone();
    let read_options = named.map(Profile::read_options).unwrap_or_default();
    let opened = open_copy(&copy, file, named.and_then(|p| p.format), &read_options)?;
    let (format, mut reader) = (opened.format, opened.reader);
    report.format = format;
    report.compression = opened.compression;

    let builtins = builtin_profiles();
    // Also run for a named profile: the character sets the source declares decide how its text is read.
    let started = std::time::Instant::now();
    let scan = match early_scan {
        Some((scanned_as, scan)) if scanned_as == format => scan,
        _ => scan_source(&copy, file, format).map_err(|e| as_user_file(e, file))?,
    };
    tracing::debug!(file = %file.display(), elapsed = ?started.elapsed(), "scanned schema and encodings");
    let started = std::time::Instant::now();
    let profile: &Profile = match named {
        Some(p) => p,
        None => {
            // A file without header has no columns to recognise it by, only its first line.
            let by_first_line = match format {
                Format::Csv => recognise_first_line(&copy, file, &builtins)?,
                _ => None,
            };
            let r = match by_first_line {
                Some(r) => {
                    report.recognised = Some("its first line fits the profile's pattern".into());
                    r
                }
                None => {
                    let r = recognise(file, format, &scan.schema, &builtins)?;
                    report.recognised = Some(format!(
                        "matched {} of its {} tables ({})",
                        r.matched_tables.len(),
                        r.profile_tables,
                        r.matched_tables.join(", ")
                    ));
                    r
                }
            };
            let options = r.profile.read_options();
            if options != read_options {
                reader = open_copy(&copy, file, Some(format), &options)?.reader;
            }
            r.profile
        }
    };
    report.profile = profile.name.clone();
    tracing::info!(file = %file.display(), %format, profile = %profile.name, "ingesting");
    let declared = scan.encodings.describe();

    let mut writer = case.begin_received(received, market, format.as_str(), &profile.name)?;
    let mut mapper = Mapper::new(profile, market, &evidence.sha256).with_encodings(scan.encodings);
    progress.begin(&format!("ingest {}", file.display()), Some(evidence.size));
    // One thread reads, maps, enriches and appends each record to its table's Arrow builders, while the
    // record is in its cache; the parts encode their row groups as Parquet on threads of their own.
    // Handing batches of records to a second thread to enrich and append instead cost about 1 CPU-second
    // of the 1.1 GB dump's 8: each record was copied into Arrow cold, on the other core, and sent back to be
    // freed. Decoding on a thread of its own, a few batches of rows ahead, cost 0.8 CPU-seconds more for no
    // gain in time: the two cores are full.
    let file_name = file.display().to_string();
    let mut locate = RowLocator::new(&copy, format, opened.compression);
    let mut staging = Staging::default();
    let mut records = RowRecords::default();
    loop {
        let row = match reader.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) if e.kind == ReadErrorKind::Row => {
                report.rejects.push(RejectInfo {
                    stage: RejectStage::Read,
                    line: e.line,
                    offset: e.offset,
                    reason: e.message.clone(),
                });
                writer.push_reject(Reject {
                    file: file_name.clone(),
                    line: e.line,
                    offset: e.offset,
                    raw: e.raw.clone().unwrap_or_default(),
                    reason: e.message,
                })?;
                continue;
            }
            // A fatal error drops the writer: nothing of this source is committed.
            Err(e) => return Err(as_user_file(e, file).into()),
        };
        report.rows_read += 1;
        if report.rows_read.is_multiple_of(4096) {
            progress.set(reader.bytes_read());
        }
        match mapper.map_row_in_place(&row, &mut records) {
            Ok(()) => reader.recycle(row),
            Err(e) => {
                let (line, raw) = locate.row(&row);
                report.rejects.push(RejectInfo {
                    stage: RejectStage::Map,
                    line,
                    offset: row.offset,
                    reason: e.to_string(),
                });
                writer.push_reject(Reject {
                    file: file_name.clone(),
                    line,
                    offset: row.offset,
                    raw,
                    reason: e.to_string(),
                })?;
            }
        }
        for record in records.as_mut_slice() {
            staging.stage(&mut writer, record)?;
        }
    }
    report.stored = staging.stored();
    progress.end();
    // What the source declares is news only when some text was not UTF-8.
    let decoding = mapper.decoding_stats();
    for line in declared.iter().chain(&decoding.summary()) {
        if decoding.decoded_total() > 0 {
            tracing::info!(file = %file.display(), "text encoding: {line}");
        } else {
            tracing::debug!(file = %file.display(), "text encoding: {line}");
        }
    }
    report.recovered = reader.recovered();
    report.duplicates = mapper.duplicates().clone();
    if report.recovered > 0 {
        tracing::info!(
            file = %file.display(),
            recovered = report.recovered,
            "recovered malformed rows (unescaped quotes) by splitting them again at field boundaries"
        );
    }
    if !report.rejects.is_empty() && !options.allow_rejects {
        let first = &report.rejects[0];
        return Err(PipelineError::Rejected {
            file: file.to_path_buf(),
            count: report.rejects.len(),
            first: if first.line > 0 {
                format!(
                    "line {}, byte {}: {}",
                    first.line, first.offset, first.reason
                )
            } else {
                format!("byte {}: {}", first.offset, first.reason)
            },
        });
    }
    tracing::debug!(file = %file.display(), elapsed = ?started.elapsed(), "read, mapped and staged");
    let started = std::time::Instant::now();
    writer.commit(report.rows_read)?;
    tracing::debug!(file = %file.display(), elapsed = ?started.elapsed(), "committed");
    Ok(report)
}

/// Enriches records and stages them with what enrichment derives, counting what it stores per table.
#[derive(Default)]
struct Staging {
    /// By kind, not by table name in a map: a string comparison or few a record otherwise.
    stored: [u64; spector_model::EntityKind::ALL.len()],
}

impl Staging {
    fn stage(
        &mut self,
        writer: &mut SourceWriter<'_>,
        record: &mut spector_model::Record,
    ) -> Result<(), spector_store::StoreError> {
        let derived = spector_enrich::enrich_record(record);
        self.stored[record.kind() as usize] += 1;
        writer.push(&*record)?;
        for r in derived {
            self.stored[r.kind() as usize] += 1;
            writer.push(r)?;
        }
        Ok(())
    }

    fn stored(&self) -> BTreeMap<&'static str, u64> {
        (spector_model::EntityKind::ALL.into_iter())
            .filter(|&kind| self.stored[kind as usize] > 0)
            .map(|kind| (kind.table(), self.stored[kind as usize]))
            .collect()
    }
}

/// Finds the line and the raw text of a row that could not be mapped, for its quarantine entry. Rows of a
/// plain text source are their bytes in the file; the line is counted from the last one located (rejected
/// rows come in file order, so a whole ingest counts each byte at most once). Rows of compressed or SQLite
/// sources have no bytes to re-read: their raw text is the row's values, and the line is 0 (unknown).
struct RowLocator {
    file: Option<std::fs::File>,
    /// (offset, line) of the last row located.
    cursor: (u64, u64),
}

/// The most raw text kept of one rejected row.
const MAX_RAW_BYTES: u64 = 64 * 1024;

impl RowLocator {
    fn new(copy: &Path, format: Format, compression: formats::Compression) -> Self {
        let plain_text = !compression.is_compressed() && format != Format::Sqlite;
        RowLocator {
            file: plain_text.then(|| std::fs::File::open(copy).ok()).flatten(),
            cursor: (0, 1),
        }
    }

    fn row(&mut self, row: &spector_ingest::SourceRow) -> (u64, String) {
        if let Some(file) = &self.file
            && let Some(found) = Self::from_bytes(file, &mut self.cursor, row)
        {
            return found;
        }
        let values: Vec<String> = row
            .columns
            .iter()
            .zip(&row.values)
            .map(|(c, v)| match v {
                spector_ingest::Value::Null => format!("{c}=NULL"),
                spector_ingest::Value::Text(t) => format!("{c}={t:?}"),
                spector_ingest::Value::Bytes(b) => format!("{c}=x'{}'", hex_of(b)),
            })
            .collect();
        (0, values.join(", "))
    }

    fn from_bytes(
        file: &std::fs::File,
        cursor: &mut (u64, u64),
        row: &spector_ingest::SourceRow,
    ) -> Option<(u64, String)> {
        use std::os::unix::fs::FileExt;
        if row.offset < cursor.0 {
            *cursor = (0, 1);
        }
        let mut buf = vec![0u8; 64 * 1024];
        while cursor.0 < row.offset {
            let want = (row.offset - cursor.0).min(buf.len() as u64) as usize;
            let n = file.read_at(&mut buf[..want], cursor.0).ok()?;
            if n == 0 {
                return None;
            }
            cursor.1 += memchr_count(&buf[..n]);
            cursor.0 += n as u64;
        }
        let len = row.len.min(MAX_RAW_BYTES) as usize;
        let mut raw = vec![0u8; len];
        file.read_exact_at(&mut raw, row.offset).ok()?;
        Some((cursor.1, String::from_utf8_lossy(&raw).into_owned()))
    }
}

fn memchr_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
