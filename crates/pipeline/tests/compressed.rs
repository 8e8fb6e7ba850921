//! A dump ingested gzip- or zstd-compressed gives exactly the records of the plain dump, positions included
//! (they are positions in the decompressed bytes), and a different evidence hash (the bytes received).

use std::io::Write;
use std::path::{Path, PathBuf};

use spector_model::Record;
use spector_pipeline::{IngestOptions, NoProgress, ProfileChoice, ingest_source};
use spector_store::Case;
use spector_synth::{SynthConfig, generate};

fn ingest(dir: &Path, market: &str, file: &Path) -> (Case, spector_pipeline::IngestReport) {
    Case::init(dir).expect("init");
    let case = Case::open(dir).expect("open");
    let report = ingest_source(
        &case,
        market,
        file,
        &ProfileChoice::Auto,
        &IngestOptions::default(),
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("ingest {}: {e}", file.display()));
    (case, report)
}

/// Every stored record with its provenance hash blanked (it names the bytes received, which differ).
fn records(case: &Case, sha256: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |r: Record| {
        assert_eq!(&*r.provenance().src_sha256, sha256);
        out.push(format!("{r:?}").replace(sha256, "<sha256>"));
    };
    case.accounts()
        .unwrap()
        .into_iter()
        .for_each(|r| add(Record::Account(r)));
    case.orders()
        .unwrap()
        .into_iter()
        .for_each(|r| add(Record::Order(r)));
    case.feedback()
        .unwrap()
        .into_iter()
        .for_each(|r| add(Record::Feedback(r)));
    case.messages()
        .unwrap()
        .into_iter()
        .for_each(|r| add(Record::Message(r)));
    case.pgp_keys()
        .unwrap()
        .into_iter()
        .for_each(|r| add(Record::PgpKey(r)));
    out.sort();
    out
}

#[test]
fn compressed_dumps_ingest_to_the_same_records_as_plain_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let world = tmp.path().join("world");
    generate(
        &SynthConfig {
            seed: 3,
            scale: 0.5,
            markets: 3,
        },
        &world,
        &|_| {},
    )
    .expect("synth");
    for market in ["abyss", "tortuga"] {
        let plain: PathBuf = std::fs::read_dir(world.join("markets").join(market))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .find(|p| p.extension().is_some_and(|e| e == "sql"))
            .expect("a dump");
        let bytes = std::fs::read(&plain).expect("read");
        let gz = tmp.path().join(format!("{market}.sql.gz"));
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&bytes).expect("gzip");
        std::fs::write(&gz, e.finish().expect("gzip")).expect("write");
        let zst = tmp.path().join(format!("{market}.sql.zst"));
        std::fs::write(&zst, zstd::encode_all(&bytes[..], 3).expect("zstd")).expect("write");

        let (plain_case, plain_report) =
            ingest(&tmp.path().join(format!("{market}-plain")), market, &plain);
        let expected = records(&plain_case, &plain_report.sha256);
        assert!(expected.len() > 100, "{market}: too few records to compare");
        for (codec, file) in [("gzip", &gz), ("zstd", &zst)] {
            let (case, report) =
                ingest(&tmp.path().join(format!("{market}-{codec}")), market, file);
            assert_eq!(report.compression.as_str(), codec);
            assert_eq!(report.stored, plain_report.stored, "{market} {codec}");
            assert_ne!(report.sha256, plain_report.sha256);
            assert_eq!(records(&case, &report.sha256), expected, "{market} {codec}");
        }
    }
}
