use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use spector_pipeline::{
    ImageIngestReport, IngestOptions, IngestReport, ProfileChoice, ingest_images, ingest_source,
    is_image_file,
};
use spector_store::Case;

use crate::output::Output;
use crate::progress::Bar;

#[derive(Args)]
pub struct IngestArgs {
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    /// The market these files were seized from (one word, e.g. "hansa"); becomes part of every record id.
    #[arg(long)]
    pub market: String,
    /// A shipped profile (laravel, pgmarket, scrape, agora-products, agora-vendors, panacea, grams) or a
    /// profile TOML file. Default: recognise the schema.
    #[arg(long)]
    pub profile: Option<String>,
    /// Store the good rows of a file with bad rows, quarantining the bad ones in the `rejects` table.
    #[arg(long)]
    pub allow_rejects: bool,
    /// Dump or export files (MySQL dump, pg_dump plain text, CSV, JSON, SQLite; gzip or zstd), and image
    /// files (PNG, JPEG, GIF, WebP, told by their bytes) or directories of them: a market server's uploads.
    /// A directory is walked and stored as one batch, every file its own evidence.
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
}

#[derive(Serialize)]
pub struct IngestJson {
    file: PathBuf,
    sha256: String,
    market: String,
    format: String,
    compression: &'static str,
    profile: String,
    recognised: Option<String>,
    already_ingested: bool,
    rows_read: u64,
    recovered: u64,
    stored: std::collections::BTreeMap<&'static str, u64>,
    duplicates: std::collections::BTreeMap<&'static str, u64>,
    rejected: usize,
}

/// What `--json` prints for a directory (or file) of images.
#[derive(Serialize)]
pub struct ImagesJson {
    file: PathBuf,
    market: String,
    format: &'static str,
    profile: &'static str,
    already_ingested: bool,
    files: u64,
    stored: u64,
    new_evidence: u64,
    already_held: u64,
    by_format: std::collections::BTreeMap<String, u64>,
    undecodable: Vec<UndecodableJson>,
    skipped: Vec<PathBuf>,
    rejected: usize,
}

#[derive(Serialize)]
pub struct UndecodableJson {
    path: String,
    reason: String,
}

impl From<&ImageIngestReport> for ImagesJson {
    fn from(r: &ImageIngestReport) -> Self {
        ImagesJson {
            file: r.origin.clone(),
            market: r.market.clone(),
            format: "images",
            profile: "images",
            already_ingested: r.files > 0 && r.stored == 0 && r.already_ingested == r.files,
            files: r.files,
            stored: r.stored,
            new_evidence: r.new_evidence,
            already_held: r.already_ingested,
            by_format: r.by_format.clone(),
            undecodable: r
                .undecodable
                .iter()
                .map(|(path, reason)| UndecodableJson {
                    path: path.clone(),
                    reason: reason.clone(),
                })
                .collect(),
            skipped: r.skipped.clone(),
            rejected: 0,
        }
    }
}

impl From<&IngestReport> for IngestJson {
    fn from(r: &IngestReport) -> Self {
        IngestJson {
            file: r.file.clone(),
            sha256: r.sha256.clone(),
            market: r.market.clone(),
            format: r.format.to_string(),
            compression: r.compression.as_str(),
            profile: r.profile.clone(),
            recognised: r.recognised.clone(),
            already_ingested: r.already_ingested,
            rows_read: r.rows_read,
            recovered: r.recovered,
            stored: r.stored.clone(),
            duplicates: r.duplicates.clone(),
            rejected: r.rejects.len(),
        }
    }
}

pub fn validate_market_name(market: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !market.is_empty()
            && market
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "market name {market:?} must be letters, digits, '-' or '_' (it becomes part of record ids)"
    );
    Ok(())
}

pub fn run(args: IngestArgs, out: &Output) -> anyhow::Result<()> {
    validate_market_name(&args.market)?;
    let case = Case::open(&args.case)?;
    let choice = match &args.profile {
        Some(p) => ProfileChoice::Named(p),
        None => ProfileChoice::Auto,
    };
    let options = IngestOptions {
        allow_rejects: args.allow_rejects,
    };
    let mut reports: Vec<serde_json::Value> = Vec::new();
    for source in &args.sources {
        if source.is_dir() || is_image_file(source) {
            let report = ingest_images(&case, &args.market, source, &Bar::new())?;
            print_images_report(&report, out);
            reports.push(serde_json::to_value(ImagesJson::from(&report))?);
            continue;
        }
        let report = ingest_source(&case, &args.market, source, &choice, &options, &Bar::new())?;
        print_report(&report, out);
        reports.push(serde_json::to_value(IngestJson::from(&report))?);
    }
    if out.json {
        out.print_json(&reports)?;
    }
    Ok(())
}

pub fn print_images_report(r: &ImageIngestReport, out: &Output) {
    let formats: Vec<String> = r
        .by_format
        .iter()
        .map(|(f, n)| format!("{n} {f}"))
        .collect();
    out.line(&format!(
        "{}: {} image files; stored {}{} as {} new evidence files; {} already in the case",
        r.origin.display(),
        r.files,
        r.stored,
        if formats.is_empty() {
            String::new()
        } else {
            format!(" ({})", formats.join(", "))
        },
        r.new_evidence,
        r.already_ingested
    ));
    for (path, why) in &r.undecodable {
        out.line(&format!("  kept, but not decoded: {path}: {why}"));
    }
    if !r.skipped.is_empty() {
        out.line(&format!(
            "  left out {} files that are no images (neither their bytes nor their names say so), e.g. {}",
            r.skipped.len(),
            r.skipped[0].display()
        ));
    }
}

pub fn print_report(r: &IngestReport, out: &Output) {
    if r.already_ingested {
        out.line(&format!(
            "{}: already in the case (sha256 {}), nothing to do",
            r.file.display(),
            r.sha256
        ));
        return;
    }
    let format = if r.compression.is_compressed() {
        format!("{} ({})", r.format, r.compression)
    } else {
        r.format.to_string()
    };
    match &r.recognised {
        Some(how) => out.line(&format!(
            "{}: {format} recognised as profile '{}' ({how})",
            r.file.display(),
            r.profile
        )),
        None => out.line(&format!(
            "{}: {format} read with profile '{}'",
            r.file.display(),
            r.profile
        )),
    }
    let stored: Vec<String> = r.stored.iter().map(|(t, n)| format!("{n} {t}")).collect();
    let mut line = format!(
        "{}: read {} rows, stored {}; quarantined {}",
        r.file.display(),
        r.rows_read,
        if stored.is_empty() {
            "nothing".into()
        } else {
            stored.join(", ")
        },
        r.rejects.len()
    );
    if r.recovered > 0 {
        line.push_str(&format!(
            "; recovered {} malformed rows (unescaped quotes)",
            r.recovered
        ));
    }
    if !r.duplicates.is_empty() {
        let dups: Vec<String> = r
            .duplicates
            .iter()
            .map(|(t, n)| format!("{n} {t}"))
            .collect();
        line.push_str(&format!("; dropped as duplicates {}", dups.join(", ")));
    }
    out.line(&line);
}
