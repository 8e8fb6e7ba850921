//! Trying a profile on a source before ingesting it: what each entity would make of the rows, what is
//! rejected and why, and what the profile and the source do not have in common.
//!
//! The check maps rows exactly as an ingest does ([`Mapper`], one per source file, so lookups see what they
//! will see at ingest), but writes nothing. Each entity is also mapped on its own, so that a reject is
//! charged to the entity and field that caused it; an ingest rejects the whole row.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;
use spector_model::Record;

use crate::draft::kind_name;
use crate::mapper::Mapper;
use crate::profile::Profile;
use crate::{ReadError, ReadErrorKind, formats};

/// Reasons kept per entity, and samples.
const KEPT_REJECTS: usize = 5;
const KEPT_READ_ERRORS: usize = 5;
pub const DEFAULT_SAMPLES: usize = 3;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Map at most this many rows per table (the rest are read but not mapped).
    pub rows_per_table: Option<u64>,
    /// Sample records kept per entity.
    pub samples: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            rows_per_table: None,
            samples: DEFAULT_SAMPLES,
        }
    }
}

/// What one `[[entity]]` of the profile made of the source.
#[derive(Debug, Clone, Serialize)]
pub struct EntityCheck {
    /// Position of the entity in the profile (0-based).
    pub index: usize,
    pub kind: String,
    pub table: String,
    /// Rows of the entity's table that were mapped.
    pub rows_seen: u64,
    pub records: u64,
    /// Rows that made no record because a `require` column was empty (not an error).
    pub skipped_by_require: u64,
    pub rejected: u64,
    /// The first reasons, `table, row: message`.
    pub first_rejects: Vec<String>,
    /// A few records, rendered compactly.
    pub samples: Vec<String>,
}

/// A column a profile names that the source's table lacks.
#[derive(Debug, Clone, Serialize)]
pub struct MissingColumn {
    pub table: String,
    pub column: String,
    /// What reads it: `order.listing`, `require`, `lookup offer_product`.
    pub used_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub profile: String,
    pub files: Vec<PathBuf>,
    pub formats: Vec<String>,
    pub rows_read: u64,
    pub read_errors: u64,
    pub first_read_errors: Vec<String>,
    /// Rows an ingest would quarantine (any entity of the row rejected it).
    pub rows_rejected: u64,
    pub entities: Vec<EntityCheck>,
    /// Tables of the source the profile does not read, with their row counts.
    pub unread_tables: BTreeMap<String, u64>,
    /// Columns of tables the profile reads that no field, require or lookup uses.
    pub unused_columns: BTreeMap<String, Vec<String>>,
    pub missing_columns: Vec<MissingColumn>,
    /// Tables the profile reads that the source does not have.
    pub missing_tables: Vec<String>,
}

impl CheckReport {
    /// Whether every mapped row made its records: nothing rejected, nothing missing, nothing unreadable.
    pub fn is_clean(&self) -> bool {
        self.rows_rejected == 0
            && self.read_errors == 0
            && self.first_read_errors.is_empty()
            && self.missing_columns.is_empty()
            && self.entities.iter().all(|e| e.rejected == 0)
    }
}

/// A profile with only one of the original's entities (and all its lookups), to charge rejects to it.
fn single_entity(profile: &Profile, index: usize) -> Profile {
    let mut p = profile.clone();
    p.entities = vec![profile.entities[index].clone()];
    p
}

/// Who uses each column of each table the profile reads.
fn column_users(profile: &Profile) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for e in &profile.entities {
        let kind = kind_name(e.kind);
        let cols = out.entry(e.table.clone()).or_default();
        for (field, spec) in &e.fields {
            if let Some(c) = spec.column() {
                cols.push((c.to_string(), format!("{kind}.{field}")));
            }
        }
        for r in &e.require {
            cols.push((r.clone(), format!("{kind} require")));
        }
    }
    for l in &profile.lookups {
        let cols = out.entry(l.table.clone()).or_default();
        cols.push((l.key.clone(), format!("lookup {}", l.name)));
        cols.push((l.value.clone(), format!("lookup {}", l.name)));
    }
    out
}

/// Maps the sources with the profile and reports what happened; writes nothing.
pub fn check(
    profile: &Profile,
    sources: &[PathBuf],
    options: &CheckOptions,
) -> Result<CheckReport, ReadError> {
    let singles: Vec<Profile> = (0..profile.entities.len())
        .map(|i| single_entity(profile, i))
        .collect();
    let mut report = CheckReport {
        profile: profile.name.clone(),
        files: sources.to_vec(),
        formats: Vec::new(),
        rows_read: 0,
        read_errors: 0,
        first_read_errors: Vec::new(),
        rows_rejected: 0,
        entities: profile
            .entities
            .iter()
            .enumerate()
            .map(|(index, e)| EntityCheck {
                index,
                kind: kind_name(e.kind).to_string(),
                table: e.table.clone(),
                rows_seen: 0,
                records: 0,
                skipped_by_require: 0,
                rejected: 0,
                first_rejects: Vec::new(),
                samples: Vec::new(),
            })
            .collect(),
        unread_tables: BTreeMap::new(),
        unused_columns: BTreeMap::new(),
        missing_columns: Vec::new(),
        missing_tables: Vec::new(),
    };
    let mut columns_seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut table_rows: BTreeMap<String, u64> = BTreeMap::new();
    for path in sources {
        // Read as an ingest would (in the profile's format), but say so when the file looks like another.
        if let Some(wanted) = profile.format
            && let Ok((detected, _)) = formats::open(path, None)
            && detected != wanted
        {
            report.first_read_errors.push(format!(
                "{}: the profile reads {wanted} sources but this file looks like {detected}",
                path.display()
            ));
        }
        let (format, mut reader) = formats::open(path, profile.format)?;
        report.formats.push(format.to_string());
        // One mapper per file, as at ingest: lookups do not cross files.
        let mut whole = Mapper::new(profile, &profile.name, "check");
        let mut mappers: Vec<Mapper<'_>> = singles
            .iter()
            .map(|p| Mapper::new(p, &profile.name, "check"))
            .collect();
        loop {
            let row = match reader.next_row() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(e) => {
                    report.read_errors += 1;
                    if report.first_read_errors.len() < KEPT_READ_ERRORS {
                        report.first_read_errors.push(e.to_string());
                    }
                    if e.kind == ReadErrorKind::Fatal {
                        break;
                    }
                    continue;
                }
            };
            report.rows_read += 1;
            let seen = table_rows.entry(row.table.to_string()).or_default();
            *seen += 1;
            let cols = columns_seen.entry(row.table.to_string()).or_default();
            if cols.len() < row.columns.len() {
                cols.extend(row.columns.iter().cloned());
            }
            if options.rows_per_table.is_some_and(|max| *seen > max) {
                // Lookups still learn from every row, as a later table may join through this one; the
                // records are dropped.
                if profile.lookups.iter().any(|l| *l.table == *row.table) {
                    let _ = whole.map_row(&row);
                    for m in &mut mappers {
                        let _ = m.map_row(&row);
                    }
                }
                continue;
            }
            if whole.map_row(&row).is_err() {
                report.rows_rejected += 1;
            }
            for (i, m) in mappers.iter_mut().enumerate() {
                let e = &profile.entities[i];
                if *e.table != *row.table {
                    // Still feeds the lookups.
                    let _ = m.map_row(&row);
                    continue;
                }
                let check = &mut report.entities[i];
                check.rows_seen += 1;
                match m.map_row(&row) {
                    Ok(records) if records.is_empty() => check.skipped_by_require += 1,
                    Ok(records) => {
                        check.records += records.len() as u64;
                        for r in records {
                            if check.samples.len() < options.samples {
                                check.samples.push(render_record(&r));
                            }
                        }
                    }
                    Err(err) => {
                        check.rejected += 1;
                        if check.first_rejects.len() < KEPT_REJECTS {
                            check.first_rejects.push(err.to_string());
                        }
                    }
                }
            }
        }
    }
    let users = column_users(profile);
    for (table, rows) in &table_rows {
        if !users.contains_key(table) {
            report.unread_tables.insert(table.clone(), *rows);
        }
    }
    for (table, used) in &users {
        let Some(cols) = columns_seen.get(table) else {
            report.missing_tables.push(table.clone());
            continue;
        };
        let mut missing: BTreeSet<(String, String)> = BTreeSet::new();
        for (c, by) in used {
            if !cols.contains(c) {
                missing.insert((c.clone(), by.clone()));
            }
        }
        report
            .missing_columns
            .extend(missing.into_iter().map(|(column, used_by)| MissingColumn {
                table: table.clone(),
                column,
                used_by,
            }));
        let unused: Vec<String> = cols
            .iter()
            .filter(|c| !used.iter().any(|(u, _)| u == *c))
            .cloned()
            .collect();
        if !unused.is_empty() {
            report.unused_columns.insert(table.clone(), unused);
        }
    }
    Ok(report)
}

/// A record as one line: its id, then its fields that have a value (provenance and market left out).
pub fn render_record(r: &Record) -> String {
    let value = match r {
        Record::Account(x) => toml::Value::try_from(x),
        Record::Listing(x) => toml::Value::try_from(x),
        Record::Order(x) => toml::Value::try_from(x),
        Record::Feedback(x) => toml::Value::try_from(x),
        Record::Message(x) => toml::Value::try_from(x),
        Record::PgpKey(x) => toml::Value::try_from(x),
        Record::CryptoAddress(x) => toml::Value::try_from(x),
        Record::ContactHandle(x) => toml::Value::try_from(x),
        Record::ShippingInfo(x) => toml::Value::try_from(x),
        Record::ImageFile(x) => toml::Value::try_from(x),
        Record::PhotoRef(x) => toml::Value::try_from(x),
    };
    let Ok(toml::Value::Table(table)) = value else {
        return r.id().as_str().to_string();
    };
    let mut parts = vec![r.id().as_str().to_string()];
    for (k, v) in table {
        if matches!(k.as_str(), "id" | "market" | "provenance") {
            continue;
        }
        let text = match v {
            toml::Value::String(s) => format!("{:?}", crate::draft::stats::shorten(&s, 50)),
            // Times read better as dates.
            toml::Value::Integer(t) if k.ends_with("_at") => chrono::DateTime::from_timestamp(t, 0)
                .map_or(t.to_string(), |d| {
                    d.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                }),
            other => other.to_string(),
        };
        parts.push(format!("{k}={text}"));
    }
    parts.join(" ")
}
