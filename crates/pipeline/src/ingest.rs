use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use spector_ingest::{
    Format, Mapper, Profile, ReadError, ReadErrorKind, builtin_profiles, formats, recognise,
    recognise_first_line, scan_schema,
};
use spector_store::{Case, Reject};

use crate::{PipelineError, Progress};

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
    pub line: u64,
    pub offset: u64,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct IngestReport {
    pub file: PathBuf,
    pub sha256: String,
    pub market: String,
    pub format: Format,
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
    let evidence = case.add_evidence(file, market)?;
    let result = read_into_case(
        case,
        market,
        file,
        named.as_ref(),
        &evidence,
        options,
        progress,
    );
    if result.is_err() && !evidence.already_held {
        // A refused file leaves no trace: the case is as it was before the attempt.
        case.discard_evidence(&evidence.sha256)?;
    }
    result
}

fn read_into_case(
    case: &Case,
    market: &str,
    file: &Path,
    named: Option<&Profile>,
    evidence: &spector_store::Evidence,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, PipelineError> {
    let mut report = IngestReport {
        file: file.to_path_buf(),
        sha256: evidence.sha256.clone(),
        market: market.to_string(),
        format: Format::Csv,
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
    let (format, mut reader) =
        formats::open_with(&copy, file, named.and_then(|p| p.format), &read_options)?;
    report.format = format;

    let builtins = builtin_profiles();
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
                    let schema =
                        scan_schema(&copy, file, format).map_err(|e| as_user_file(e, file))?;
                    let r = recognise(file, format, &schema, &builtins)?;
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
                (_, reader) = formats::open_with(&copy, file, Some(format), &options)?;
            }
            r.profile
        }
    };
    report.profile = profile.name.clone();
    tracing::info!(file = %file.display(), %format, profile = %profile.name, "ingesting");

    let mut writer = case.begin_source(evidence, market, format.as_str(), &profile.name)?;
    let mut mapper = Mapper::new(profile, market, &evidence.sha256);
    progress.begin(&format!("ingest {}", file.display()), Some(evidence.size));
    let mut derived = Vec::new();
    loop {
        let row = match reader.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) if e.kind == ReadErrorKind::Row => {
                report.rejects.push(RejectInfo {
                    line: e.line,
                    offset: e.offset,
                    reason: e.message.clone(),
                });
                writer.push_reject(Reject {
                    file: file.display().to_string(),
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
        match mapper.map_row(&row) {
            Ok(records) => {
                for mut record in records {
                    derived.clear();
                    derived.extend(spector_enrich::enrich_record(&mut record));
                    for r in std::iter::once(record).chain(derived.drain(..)) {
                        *report.stored.entry(r.kind().table()).or_default() += 1;
                        writer.push(r)?;
                    }
                }
            }
            Err(e) => {
                report.rejects.push(RejectInfo {
                    line: 0,
                    offset: row.offset,
                    reason: e.to_string(),
                });
                writer.push_reject(Reject {
                    file: file.display().to_string(),
                    line: 0,
                    offset: row.offset,
                    raw: String::new(),
                    reason: e.to_string(),
                })?;
            }
        }
    }
    progress.end();
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
    writer.commit(report.rows_read)?;
    Ok(report)
}
