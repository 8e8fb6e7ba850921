//! A synthetic world on disk, ingested whole into a case: shared by the end-to-end tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use spector_pipeline::{IngestOptions, NoProgress, ProfileChoice, ingest_source};

use spector_store::Case;
use spector_synth::{SynthConfig, generate};

pub struct World {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub fn world(seed: u64, scale: f64, markets: usize) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("world");
    generate(
        &SynthConfig {
            seed,
            scale,
            markets,
        },
        &root,
        &|_| {},
    )
    .expect("synth");
    World { _dir: dir, root }
}

pub fn market_files(world: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut markets: Vec<PathBuf> = std::fs::read_dir(world.join("markets"))
        .expect("markets dir")
        .map(|e| e.expect("entry").path())
        .collect();
    markets.sort();
    for m in markets {
        let name = m.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&m)
            .expect("market dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (name.clone(), f)));
    }
    out
}

pub fn ingest_all(case: &Case, world: &Path) {
    for (market, file) in market_files(world) {
        ingest_file(case, &market, &file);
    }
}

/// Ingests one file with the profile recognised from it (or a directory of images); panics on any error,
/// rejected row or image that does not decode.
pub fn ingest_file(case: &Case, market: &str, file: &Path) {
    if file.is_dir() {
        let r = spector_pipeline::ingest_images(case, market, file, &NoProgress)
            .unwrap_or_else(|e| panic!("ingest {}: {e}", file.display()));
        assert!(
            r.undecodable.is_empty(),
            "{}: {:?}",
            file.display(),
            r.undecodable
        );
        assert!(r.skipped.is_empty(), "{}: {:?}", file.display(), r.skipped);
        return;
    }
    let r = ingest_source(
        case,
        market,
        file,
        &ProfileChoice::Auto,
        &IngestOptions::default(),
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("ingest {}: {e}", file.display()));
    assert!(r.rejects.is_empty(), "{}: {:?}", file.display(), r.rejects);
}

/// `truth/accounts.csv`: (market, account name) → the persona that owns the account.
pub fn truth_personas(world: &Path) -> HashMap<(String, String), String> {
    let mut truth = HashMap::new();
    let mut rdr = csv::Reader::from_path(world.join("truth/accounts.csv")).expect("accounts.csv");
    for r in rdr.records() {
        let r = r.expect("truth row");
        truth.insert((r[0].to_string(), r[1].to_string()), r[2].to_string());
    }
    truth
}
