//! Drafting a profile for a market never seen before, from the source itself.
//!
//! [`draft`] streams each source once through [`crate::formats::open`] (so every format a
//! reader exists for works), keeping per table a row count, a few sample rows and per-column statistics
//! ([`stats`]: null ratio, distinct values, lengths, the share of each [content class](classes::ContentClass)).
//! From those, `infer` guesses each table's key, the references between tables (by value overlap of
//! sketches of their values), each table's entity kind, `fields` the column of each field, and [`render`] writes
//! a profile TOML that [`Profile::from_toml`](crate::Profile::from_toml) accepts, with a comment giving the
//! reason and sample values of every mapping and listing everything left unmapped.
//!
//! Names are hints, in several languages ([`vocab`]); contents decide, so a schema of opaque names
//! (`t1.c1`) still gets a draft. A draft is a starting point for an analyst, checked with
//! [`check`](crate::check::check) before use: every guess says why it was made.

pub mod classes;
mod fields;
mod infer;
pub mod render;
pub mod stats;
pub mod vocab;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

use crate::formats;
use crate::profile::{ParseRule, TargetKind};
use crate::{Format, ReadError, ReadErrorKind, SourceRow, Value};
use stats::{ColumnStats, shorten, value_text};

/// Rows kept per table for display.
pub const DEFAULT_SAMPLE_ROWS: usize = 3;
/// Read errors kept per source (the rest are counted).
const KEPT_ERRORS: usize = 5;

#[derive(Debug, Clone)]
pub struct DraftOptions {
    /// The profile's name (and the market's, usually); default: the first source's file stem.
    pub name: Option<String>,
    /// Stop reading a source after this many bytes (a sample of a large dump).
    pub max_bytes: Option<u64>,
    /// Take statistics from at most this many rows per table (rows are still counted).
    pub max_rows_per_table: Option<u64>,
    /// Sample rows kept per table.
    pub sample_rows: usize,
}

impl Default for DraftOptions {
    fn default() -> Self {
        DraftOptions {
            name: None,
            max_bytes: None,
            max_rows_per_table: None,
            sample_rows: DEFAULT_SAMPLE_ROWS,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("no sources to draft a profile from")]
    NoSources,
}

/// What was read of one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    pub file: PathBuf,
    #[serde(serialize_with = "ser_display")]
    pub format: Format,
    pub bytes_read: u64,
    /// The whole source was read (no byte budget cut it short, no fatal error ended it).
    pub complete: bool,
    pub rows: u64,
    pub read_errors: u64,
    /// The first few read errors, as `file:line: (byte n) message`.
    pub first_errors: Vec<String>,
}

/// One source table as the draft sees it.
#[derive(Debug, Clone, Serialize)]
pub struct TableDraft {
    pub name: String,
    /// Index into [`Draft::sources`].
    pub source: usize,
    /// Position of the table's first row in its source (0 = first table).
    pub position: usize,
    pub rows: u64,
    /// Rows the statistics were taken from.
    pub rows_sampled: u64,
    pub columns: Vec<ColumnDraft>,
    /// The column guessed to identify a row.
    pub key: Option<String>,
    /// The entity kind guessed for the table, if any.
    #[serde(serialize_with = "ser_kind_opt")]
    pub kind: Option<TargetKind>,
    /// 0..1: how clearly the contents and names point to `kind` rather than another.
    pub confidence: f64,
    pub reasons: Vec<String>,
    pub references: Vec<Reference>,
    /// The first rows, values shortened.
    pub sample_rows: Vec<Vec<String>>,
}

/// One column and what the draft made of it.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnDraft {
    pub name: String,
    pub stats: ColumnStats,
    /// What the column was mapped to (`account.name`, `key`, `lookup offer_product`), if anything.
    pub mapped_to: Vec<String>,
    /// Why it was, or why it was left out.
    pub note: Option<String>,
}

/// A column whose values are (nearly all) values of another table's key.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    pub column: String,
    pub table: String,
    pub key: String,
    /// Share of the column's distinct values found among the key's (estimated on large tables).
    pub share: f64,
    /// Found from values alone, without a name that says so.
    pub by_values_only: bool,
}

/// A `[[lookup]]` the draft proposes for a two-hop join.
#[derive(Debug, Clone, Serialize)]
pub struct LookupDraft {
    pub name: String,
    pub table: String,
    pub key: String,
    pub value: String,
    pub reason: String,
}

/// One `[[entity]]` of the drafted profile.
#[derive(Debug, Clone, Serialize)]
pub struct EntityDraft {
    #[serde(serialize_with = "ser_kind")]
    pub kind: TargetKind,
    pub table: String,
    pub confidence: f64,
    pub reasons: Vec<String>,
    pub require: Vec<String>,
    pub fields: Vec<FieldDraft>,
    /// Fields the kind has that the draft could not fill, with why.
    pub missing: Vec<(String, String)>,
}

/// One field of an entity: where its value comes from and why the draft thinks so.
#[derive(Debug, Clone, Serialize)]
pub struct FieldDraft {
    pub field: String,
    pub column: Option<String>,
    pub constant: Option<String>,
    pub via: Option<String>,
    #[serde(serialize_with = "ser_parse_opt")]
    pub parse: Option<ParseRule>,
    pub scale: Option<f64>,
    pub lowercase: bool,
    /// Raw value → model value; `?` where the draft could not tell.
    pub map: Vec<(String, String)>,
    /// Used for raw values the map lacks.
    pub default: Option<String>,
    pub reason: String,
    pub samples: Vec<String>,
    /// Things the analyst must look at (written as comments).
    pub warnings: Vec<String>,
}

impl FieldDraft {
    pub fn column(field: &str, column: &str, reason: String, samples: Vec<String>) -> FieldDraft {
        FieldDraft {
            field: field.to_string(),
            column: Some(column.to_string()),
            constant: None,
            via: None,
            parse: None,
            scale: None,
            lowercase: false,
            map: Vec::new(),
            default: None,
            reason,
            samples,
            warnings: Vec::new(),
        }
    }

    pub fn constant(field: &str, value: &str, reason: String) -> FieldDraft {
        FieldDraft {
            constant: Some(value.to_string()),
            column: None,
            ..FieldDraft::column(field, "", reason, Vec::new())
        }
    }

    /// A plain column name with no rule: written as `field = "column"`.
    pub fn is_plain(&self) -> bool {
        self.column.is_some()
            && self.constant.is_none()
            && self.via.is_none()
            && self.parse.is_none()
            && self.scale.is_none()
            && !self.lowercase
            && self.map.is_empty()
            && self.default.is_none()
    }
}

/// Everything a draft found, and the profile text.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub name: String,
    #[serde(serialize_with = "ser_format_opt")]
    pub format: Option<Format>,
    pub sources: Vec<SourceSummary>,
    pub tables: Vec<TableDraft>,
    pub lookups: Vec<LookupDraft>,
    pub entities: Vec<EntityDraft>,
    /// The profile, as TOML with comments.
    pub toml: String,
}

impl Draft {
    pub fn table(&self, name: &str) -> Option<&TableDraft> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The entities mapped from a table (the main one first).
    pub fn entities_of<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a EntityDraft> {
        self.entities.iter().filter(move |e| e.table == table)
    }

    /// The first entity of a kind.
    pub fn entity(&self, kind: TargetKind) -> Option<&EntityDraft> {
        self.entities.iter().find(|e| e.kind == kind)
    }
}

impl EntityDraft {
    pub fn field(&self, name: &str) -> Option<&FieldDraft> {
        self.fields.iter().find(|f| f.field == name)
    }
}

/// Reads the sources and drafts a profile for them. Several sources make one profile (a crawl exported as
/// one CSV file per page type); references are then found across files too.
pub fn draft(sources: &[PathBuf], options: &DraftOptions) -> Result<Draft, DraftError> {
    let first = sources.first().ok_or(DraftError::NoSources)?;
    let mut sampler = Sampler::new(options.clone());
    for path in sources {
        let (format, mut reader) = formats::open(path, None)?;
        sampler.begin_source(path, format);
        // Where the last row ended: readers fill their buffers in large chunks, so their own count runs
        // ahead of the rows handed out.
        let mut row_end = 0;
        let mut cut_short = false;
        loop {
            match reader.next_row() {
                Ok(Some(row)) => {
                    row_end = row.offset + row.len;
                    sampler.observe(&row);
                    if options.max_bytes.is_some_and(|max| row_end >= max) {
                        cut_short = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) if e.kind == ReadErrorKind::Row => sampler.read_error(&e),
                Err(e) => {
                    sampler.read_error(&e);
                    break;
                }
            }
        }
        let bytes = if cut_short {
            row_end
        } else {
            reader.bytes_read()
        };
        sampler.end_source(bytes, !cut_short);
    }
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| default_name(sources, first));
    Ok(sampler.finish(&name))
}

/// A profile name from a file name (`abyss.pgdump.sql` → `abyss`), or for several files of one folder
/// (`nightshade/vendors.csv`, `nightshade/listings.csv`) from the folder's.
fn default_name(sources: &[PathBuf], path: &Path) -> String {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let one_folder = sources.len() > 1 && sources.iter().all(|s| s.parent() == path.parent());
    let named = match parent.and_then(|p| p.canonicalize().ok()) {
        Some(dir) if one_folder => dir.file_name().map(|f| f.to_string_lossy().into_owned()),
        _ => None,
    };
    let file = named.unwrap_or_else(|| {
        path.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let stem: String = file
        .split('.')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if stem.is_empty() {
        "drafted".to_string()
    } else {
        stem
    }
}

/// The streaming half of a draft: feed it rows, then [`finish`](Sampler::finish). Memory is bounded by the
/// number of tables and columns.
pub struct Sampler {
    options: DraftOptions,
    sources: Vec<SourceSummary>,
    tables: Vec<TableSample>,
    index: HashMap<(usize, String), usize>,
}

struct TableSample {
    name: String,
    source: usize,
    position: usize,
    rows: u64,
    rows_sampled: u64,
    columns: Vec<(String, ColumnStats)>,
    column_index: HashMap<String, usize>,
    sample_rows: Vec<Vec<String>>,
}

const PGP_KEY_MARK: &[u8] = b"-----BEGIN PGP PUBLIC KEY BLOCK-----";

impl Sampler {
    pub fn new(options: DraftOptions) -> Sampler {
        Sampler {
            options,
            sources: Vec::new(),
            tables: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub fn begin_source(&mut self, file: &Path, format: Format) {
        self.sources.push(SourceSummary {
            file: file.to_path_buf(),
            format,
            bytes_read: 0,
            complete: true,
            rows: 0,
            read_errors: 0,
            first_errors: Vec::new(),
        });
    }

    pub fn end_source(&mut self, bytes_read: u64, complete: bool) {
        if let Some(s) = self.sources.last_mut() {
            s.bytes_read = bytes_read;
            s.complete &= complete;
        }
    }

    pub fn read_error(&mut self, e: &ReadError) {
        if let Some(s) = self.sources.last_mut() {
            s.read_errors += 1;
            if s.first_errors.len() < KEPT_ERRORS {
                s.first_errors.push(e.to_string());
            }
            if e.kind == ReadErrorKind::Fatal {
                s.complete = false;
            }
        }
    }

    pub fn observe(&mut self, row: &SourceRow) {
        if self.sources.is_empty() {
            self.sources.push(SourceSummary {
                file: PathBuf::new(),
                format: Format::Csv,
                bytes_read: 0,
                complete: true,
                rows: 0,
                read_errors: 0,
                first_errors: Vec::new(),
            });
        }
        let source = self.sources.len() - 1;
        self.sources[source].rows += 1;
        let key = (source, row.table.to_string());
        let next = self.tables.len();
        let t = *self.index.entry(key).or_insert(next);
        if t == next {
            let position = self.tables.iter().filter(|t| t.source == source).count();
            self.tables.push(TableSample {
                name: row.table.to_string(),
                source,
                position,
                rows: 0,
                rows_sampled: 0,
                columns: Vec::new(),
                column_index: HashMap::new(),
                sample_rows: Vec::new(),
            });
        }
        let table = &mut self.tables[t];
        table.rows += 1;
        if self
            .options
            .max_rows_per_table
            .is_some_and(|max| table.rows_sampled >= max)
        {
            return;
        }
        table.rows_sampled += 1;
        let has_pgp_key = row.values.iter().any(|v| match v {
            Value::Text(s) => memchr::memmem::find(s.as_bytes(), PGP_KEY_MARK).is_some(),
            Value::Bytes(b) => memchr::memmem::find(b, PGP_KEY_MARK).is_some(),
            Value::Null => false,
        });
        for (name, value) in row.columns.iter().zip(&row.values) {
            let next = table.columns.len();
            let c = *table.column_index.entry(name.clone()).or_insert(next);
            if c == next {
                table.columns.push((name.clone(), ColumnStats::default()));
            }
            table.columns[c].1.observe(value, has_pgp_key);
        }
        if table.sample_rows.len() < self.options.sample_rows {
            table.sample_rows.push(
                row.values
                    .iter()
                    .map(|v| value_text(v).map_or("NULL".to_string(), |s| shorten(&s, 40)))
                    .collect(),
            );
        }
    }

    pub fn finish(self, name: &str) -> Draft {
        let tables: Vec<TableDraft> = self
            .tables
            .into_iter()
            .map(|t| TableDraft {
                name: t.name,
                source: t.source,
                position: t.position,
                rows: t.rows,
                rows_sampled: t.rows_sampled,
                columns: t
                    .columns
                    .into_iter()
                    .map(|(name, mut stats)| {
                        stats.finish();
                        ColumnDraft {
                            name,
                            stats,
                            mapped_to: Vec::new(),
                            note: None,
                        }
                    })
                    .collect(),
                key: None,
                kind: None,
                confidence: 0.0,
                reasons: Vec::new(),
                references: Vec::new(),
                sample_rows: t.sample_rows,
            })
            .collect();
        let formats: Vec<Format> = self.sources.iter().map(|s| s.format).collect();
        let format = formats
            .first()
            .copied()
            .filter(|f| formats.iter().all(|g| g == f));
        let mut draft = Draft {
            name: name.to_string(),
            format,
            sources: self.sources,
            tables,
            lookups: Vec::new(),
            entities: Vec::new(),
            toml: String::new(),
        };
        infer::infer(&mut draft);
        draft.toml = render::render(&draft);
        draft
    }
}

pub fn kind_name(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Account => "account",
        TargetKind::Listing => "listing",
        TargetKind::Order => "order",
        TargetKind::Feedback => "feedback",
        TargetKind::Message => "message",
        TargetKind::PgpKey => "pgp_key",
        TargetKind::CryptoAddress => "crypto_address",
        TargetKind::ContactHandle => "contact_handle",
        TargetKind::ShippingInfo => "shipping_info",
        TargetKind::PhotoRef => "photo_ref",
    }
}

pub fn parse_rule_name(rule: ParseRule) -> &'static str {
    match rule {
        ParseRule::Time => "time",
        ParseRule::Number => "number",
    }
}

fn ser_kind<S: Serializer>(kind: &TargetKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind_name(*kind))
}

fn ser_kind_opt<S: Serializer>(kind: &Option<TargetKind>, s: S) -> Result<S::Ok, S::Error> {
    match kind {
        Some(k) => s.serialize_some(kind_name(*k)),
        None => s.serialize_none(),
    }
}

fn ser_parse_opt<S: Serializer>(rule: &Option<ParseRule>, s: S) -> Result<S::Ok, S::Error> {
    match rule {
        Some(r) => s.serialize_some(parse_rule_name(*r)),
        None => s.serialize_none(),
    }
}

fn ser_display<S: Serializer>(f: &Format, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.as_str())
}

fn ser_format_opt<S: Serializer>(f: &Option<Format>, s: S) -> Result<S::Ok, S::Error> {
    match f {
        Some(f) => s.serialize_some(f.as_str()),
        None => s.serialize_none(),
    }
}
