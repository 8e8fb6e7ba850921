//! Rows that cannot be mapped are quarantined with their file, line, byte offset, raw text and reason; without
//! `allow_rejects` the whole file is refused and the case is unchanged.

use spector_pipeline::{IngestOptions, NoProgress, PipelineError, ProfileChoice, ingest_source};
use spector_store::Case;

const FEEDBACK: &str = "feedback_id,listing_id,vendor,rating,comment,date\n\
f1,l1,bob,5,\"fast, stealthy\",2020-01-02\n\
f2,l1,bob,7,\"seven stars\nof five\",2020-01-03\n\
f3,l2,bob,4,ok,2020-01-04\n\
f4,l2,eve,four,bad rating,2020-01-05\n";

#[test]
fn unmappable_rows_are_quarantined_with_line_and_raw_text() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("feedback.csv");
    std::fs::write(&src, FEEDBACK).expect("write");
    let case_dir = tmp.path().join("case");
    Case::init(&case_dir).expect("init");
    let case = Case::open(&case_dir).expect("open");

    let refused = ingest_source(
        &case,
        "m",
        &src,
        &ProfileChoice::Named("scrape"),
        &IngestOptions::default(),
        &NoProgress,
    );
    match refused {
        Err(PipelineError::Rejected { count, first, .. }) => {
            assert_eq!(count, 2);
            let at = FEEDBACK.find("f2,").expect("f2") as u64;
            assert!(first.starts_with(&format!("line 3, byte {at}:")), "{first}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(case.sources().expect("sources").is_empty());
    assert!(case.feedback().expect("feedback").is_empty());

    let report = ingest_source(
        &case,
        "m",
        &src,
        &ProfileChoice::Named("scrape"),
        &IngestOptions {
            allow_rejects: true,
        },
        &NoProgress,
    )
    .expect("ingest with rejects allowed");
    assert_eq!(report.stored.get("feedback"), Some(&2));
    let mut rejects = case.rejects().expect("rejects");
    rejects.sort_by_key(|q| q.reject.offset);
    let seen: Vec<(u64, u64, &str)> = rejects
        .iter()
        .map(|q| (q.reject.line, q.reject.offset, q.reject.raw.as_str()))
        .collect();
    // Positions found independently of the readers: where the rows' text is in the file.
    let at = |s: &str| FEEDBACK.find(s).expect("row text") as u64;
    let f2 = "f2,l1,bob,7,\"seven stars\nof five\",2020-01-03";
    let f4 = "f4,l2,eve,four,bad rating,2020-01-05";
    assert_eq!(seen, [(3, at(f2), f2), (6, at(f4), f4)]);
    assert!(
        rejects[0].reject.reason.contains("rating"),
        "{:?}",
        rejects[0]
    );
    assert!(
        rejects[1].reject.reason.contains("\"four\""),
        "{:?}",
        rejects[1]
    );
    assert!(
        rejects
            .iter()
            .all(|q| q.reject.file.ends_with("feedback.csv"))
    );
}
