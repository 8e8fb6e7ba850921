//! `spector profile`: draft a mapping profile for a market never seen before, check it, list the shipped ones.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use spector_ingest::draft::kind_name;
use spector_ingest::{CheckOptions, CheckReport, Draft, DraftOptions, Profile, builtin_profiles};

use crate::output::{Output, term_safe};

#[derive(Subcommand)]
pub enum ProfileAction {
    /// Draft a profile from the source itself: tables, keys, references and the entity and field of each
    /// column are guessed from contents (PGP keys, addresses, ratings, states, times ...) and from names in
    /// English, Russian (Cyrillic or transliterated), German, Spanish and French.
    ///
    /// The draft is TOML with a comment on every mapping giving its reason and sample values, lines to
    /// check marked CHECK, order states and roles as `map = { raw = "..." }` with `"?"` where the value's
    /// meaning is not obvious, and the tables and columns left unmapped listed.
    ///
    /// Workflow for a new market:
    ///
    ///   spector profile draft seized/hydra.sql -o hydra.toml --market hydra
    ///   $EDITOR hydra.toml                       # read every comment, fix, replace each "?"
    ///   spector profile check hydra.toml seized/hydra.sql
    ///   spector ingest --case ./case --market hydra --profile hydra.toml seized/hydra.sql
    ///
    /// Several files of one market (a crawl exported as one CSV per page type) make one profile:
    ///
    ///   spector profile draft crawl/vendors.csv crawl/listings.csv crawl/feedback.csv -o crawl.toml
    Draft(DraftArgs),
    /// Try a profile on sources without ingesting: records made per entity, rows skipped by `require`,
    /// rows rejected with the first reasons, sample records, tables and columns the profile leaves out,
    /// columns it names that the source lacks. Exits non-zero when rows would be rejected.
    Check(CheckArgs),
    /// List the profiles shipped with spector.
    List,
}

#[derive(Args)]
pub struct DraftArgs {
    /// Dump or export files of one market (MySQL dump, pg_dump plain text, CSV, ...).
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Write the profile TOML here (default: print it after the summary).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The profile's name (usually the market's); default: the first file's name.
    #[arg(long)]
    pub market: Option<String>,
    /// Read at most this many bytes of each source: a sample of a very large dump.
    #[arg(long)]
    pub max_bytes: Option<u64>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    /// A profile TOML file, or the name of a shipped profile.
    pub profile: String,
    /// The files to try it on.
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Map only the first N rows of each table (the rest are read, and still feed lookups).
    #[arg(long)]
    pub rows: Option<u64>,
}

pub fn run(action: ProfileAction, out: &Output) -> anyhow::Result<()> {
    match action {
        ProfileAction::Draft(args) => draft(args, out),
        ProfileAction::Check(args) => check(args, out),
        ProfileAction::List => list(out),
    }
}

fn draft(args: DraftArgs, out: &Output) -> anyhow::Result<()> {
    if let Some(m) = &args.market {
        super::ingest::validate_market_name(m)?;
    }
    if let Some(path) = &args.output
        && path.exists()
        && !args.force
    {
        anyhow::bail!(
            "{} exists: choose another file or pass --force to overwrite it",
            path.display()
        );
    }
    let options = DraftOptions {
        name: args.market.clone(),
        max_bytes: args.max_bytes,
        ..DraftOptions::default()
    };
    let d = spector_ingest::draft(&args.sources, &options)?;
    // The draft must be a profile the mapper accepts; a draft that is not is a defect worth reporting.
    Profile::from_toml("draft", &d.toml).context("the drafted profile does not validate")?;
    if let Some(path) = &args.output {
        std::fs::write(path, &d.toml).with_context(|| format!("writing {}", path.display()))?;
    }
    if out.json {
        return out.print_json(&d);
    }
    print_draft(&d, out);
    match &args.output {
        Some(path) => out.line(&format!(
            "\nprofile written to {}; read it, fix it, then: spector profile check {} {}",
            path.display(),
            path.display(),
            args.sources
                .iter()
                .map(|s| s.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        )),
        None => {
            out.line("");
            out.line(&d.toml);
        }
    }
    Ok(())
}

fn print_draft(d: &Draft, out: &Output) {
    for s in &d.sources {
        out.line(&format!(
            "{}: {}, {} rows in {} bytes{}{}",
            s.file.display(),
            s.format,
            s.rows,
            s.bytes_read,
            if s.complete {
                ""
            } else {
                " (sampled: not read to the end)"
            },
            if s.read_errors > 0 {
                format!(", {} read errors", s.read_errors)
            } else {
                String::new()
            }
        ));
    }
    out.table(
        &["table", "rows", "key", "entity", "conf.", "why"],
        d.tables
            .iter()
            .map(|t| {
                let entities: Vec<String> = d
                    .entities_of(&t.name)
                    .map(|e| kind_name(e.kind).to_string())
                    .collect();
                vec![
                    t.name.clone(),
                    t.rows.to_string(),
                    t.key.clone().unwrap_or_else(|| "-".into()),
                    if entities.is_empty() {
                        "-".into()
                    } else {
                        entities.join(", ")
                    },
                    if t.kind.is_some() {
                        format!("{:.2}", t.confidence)
                    } else {
                        String::new()
                    },
                    t.reasons.join("\n"),
                ]
            })
            .collect(),
    );
    let mut rows = Vec::new();
    for e in &d.entities {
        for f in &e.fields {
            let source = match (&f.column, &f.constant) {
                (Some(c), _) => match &f.via {
                    Some(v) => format!("{c} via {v}"),
                    None => c.clone(),
                },
                (None, Some(k)) => format!("const {k:?}"),
                _ => String::new(),
            };
            rows.push(vec![
                format!("{}.{}", kind_name(e.kind), f.field),
                format!("{}.{source}", e.table),
                f.reason.clone(),
                f.samples
                    .iter()
                    .take(2)
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
    }
    out.table(&["field", "from", "why", "e.g."], rows);
}

/// A shipped profile by name, or a TOML file.
fn load_profile(name: &str) -> anyhow::Result<Profile> {
    if let Some(p) = builtin_profiles().into_iter().find(|p| p.name == name) {
        return Ok(p);
    }
    let path = Path::new(name);
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "{name} is neither a shipped profile ({}) nor a readable file",
            builtin_profiles()
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    Ok(Profile::from_toml(&path.display().to_string(), &text)?)
}

fn check(args: CheckArgs, out: &Output) -> anyhow::Result<()> {
    let profile = load_profile(&args.profile)?;
    let options = CheckOptions {
        rows_per_table: args.rows,
        ..CheckOptions::default()
    };
    let report = spector_ingest::check(&profile, &args.sources, &options)?;
    if out.json {
        out.print_json(&report)?;
    } else {
        print_check(&report, out);
    }
    if report.rows_rejected > 0 || !report.missing_columns.is_empty() {
        anyhow::bail!(
            "profile {} would quarantine {} row(s){}",
            report.profile,
            report.rows_rejected,
            if report.missing_columns.is_empty() {
                String::new()
            } else {
                format!(
                    " and names {} column(s) the source lacks",
                    report.missing_columns.len()
                )
            }
        );
    }
    Ok(())
}

fn print_check(r: &CheckReport, out: &Output) {
    out.line(&format!(
        "profile {}: {} rows read from {} file(s) ({}); {} would be quarantined{}",
        r.profile,
        r.rows_read,
        r.files.len(),
        r.formats.join(", "),
        r.rows_rejected,
        if r.read_errors > 0 {
            format!("; {} unreadable", r.read_errors)
        } else {
            String::new()
        }
    ));
    for e in &r.first_read_errors {
        out.line(&format!("  read error: {e}"));
    }
    out.table(
        &[
            "#",
            "entity",
            "table",
            "rows",
            "records",
            "skipped",
            "rejected",
            "first reasons",
        ],
        r.entities
            .iter()
            .map(|e| {
                vec![
                    e.index.to_string(),
                    e.kind.clone(),
                    e.table.clone(),
                    e.rows_seen.to_string(),
                    e.records.to_string(),
                    e.skipped_by_require.to_string(),
                    e.rejected.to_string(),
                    e.first_rejects.join("\n"),
                ]
            })
            .collect(),
    );
    for e in &r.entities {
        if e.samples.is_empty() {
            continue;
        }
        out.line(&format!("{} from {}:", e.kind, e.table));
        for s in &e.samples {
            out.line(&format!("  {s}"));
        }
    }
    if !r.missing_tables.is_empty() {
        out.line(&format!(
            "tables the profile reads that these files lack: {}",
            r.missing_tables.join(", ")
        ));
    }
    for m in &r.missing_columns {
        out.line(&format!(
            "MISSING column {}.{} (used by {})",
            m.table, m.column, m.used_by
        ));
    }
    if !r.unread_tables.is_empty() {
        let t: Vec<String> = r
            .unread_tables
            .iter()
            .map(|(t, n)| format!("{t} ({n} rows)"))
            .collect();
        out.line(&format!("tables not read by the profile: {}", t.join(", ")));
    }
    for (t, cols) in &r.unused_columns {
        out.line(&format!("unused columns of {t}: {}", cols.join(", ")));
    }
}

fn list(out: &Output) -> anyhow::Result<()> {
    let profiles = builtin_profiles();
    if out.json {
        let json: Vec<serde_json::Value> = profiles
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name,
                    "format": p.format.map(|f| f.to_string()),
                    "description": p.description,
                    "tables": p.tables().keys().collect::<Vec<_>>(),
                })
            })
            .collect();
        return out.print_json(&json);
    }
    out.table(
        &["name", "format", "tables", "description"],
        profiles
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.format.map_or("any".into(), |f| f.to_string()),
                    p.tables().keys().copied().collect::<Vec<_>>().join(", "),
                    term_safe(&p.description),
                ]
            })
            .collect(),
    );
    Ok(())
}
