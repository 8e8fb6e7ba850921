use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use spector_store::Case;

use crate::output::Output;

#[derive(Subcommand)]
pub enum CaseAction {
    /// Create an empty case directory (evidence area, tables, analyst database).
    Init {
        /// Where to create the case; must not exist or be empty.
        dir: PathBuf,
    },
    /// Show the evidence manifest: every source file with its SHA-256, market, format and counts.
    Show {
        #[arg(long, env = "SPECTOR_CASE")]
        case: PathBuf,
    },
    /// Re-hash every evidence file and compare with the manifest.
    Verify {
        #[arg(long, env = "SPECTOR_CASE")]
        case: PathBuf,
    },
}

#[derive(Serialize)]
struct SourceJson {
    name: String,
    sha256: String,
    size: u64,
    market: String,
    format: String,
    profile: String,
    added_at: String,
    rows_read: u64,
    records_stored: u64,
    rows_rejected: u64,
}

pub fn run(action: CaseAction, out: &Output) -> anyhow::Result<()> {
    match action {
        CaseAction::Init { dir } => {
            Case::init(&dir).with_context(|| format!("creating case {}", dir.display()))?;
            if out.json {
                out.print_json(&serde_json::json!({ "case": dir }))?;
            }
            out.line(&format!("created case {}", dir.display()));
        }
        CaseAction::Show { case } => {
            let case = Case::open(&case)?;
            let sources: Vec<SourceJson> = case
                .sources()?
                .into_iter()
                .map(|s| SourceJson {
                    name: s.name,
                    sha256: s.sha256,
                    size: s.size,
                    market: s.market,
                    format: s.format,
                    profile: s.profile,
                    added_at: s.added_at,
                    rows_read: s.rows_read,
                    records_stored: s.records_stored,
                    rows_rejected: s.rows_rejected,
                })
                .collect();
            if out.json {
                return out.print_json(&sources);
            }
            out.table(
                &[
                    "file", "market", "format", "profile", "rows", "records", "rejected", "sha256",
                ],
                sources
                    .iter()
                    .map(|s| {
                        vec![
                            s.name.clone(),
                            s.market.clone(),
                            s.format.clone(),
                            s.profile.clone(),
                            s.rows_read.to_string(),
                            s.records_stored.to_string(),
                            s.rows_rejected.to_string(),
                            s.sha256.clone(),
                        ]
                    })
                    .collect(),
            );
        }
        CaseAction::Verify { case } => {
            let case = Case::open(&case)?;
            let mut bad = Vec::new();
            let sources = case.sources()?;
            for s in &sources {
                if !case.verify_evidence(&s.sha256)? {
                    bad.push(s.name.clone());
                }
            }
            if out.json {
                out.print_json(
                    &serde_json::json!({ "checked": sources.len(), "mismatched": bad }),
                )?;
            } else if bad.is_empty() {
                out.line(&format!(
                    "{} evidence file(s) verified: hashes match",
                    sources.len()
                ));
            }
            anyhow::ensure!(
                bad.is_empty(),
                "evidence does not match its hash: {}",
                bad.join(", ")
            );
        }
    }
    Ok(())
}
