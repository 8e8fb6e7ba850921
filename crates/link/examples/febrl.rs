//! FEBRL4 benchmark: dataset4a × dataset4b (5,000 true pairs) linked by spector's Fellegi–Sunter engine.
//!
//!     cargo run --release -p spector-link --example febrl -- [DATA_DIR] [--json] [--show-errors]
//!         [--seed S] [--random-pairs N] [--threshold T]
//!
//! `--show-errors` explains every pair the model got wrong, comparison by comparison.
//!
//! DATA_DIR defaults to `$SPECTOR_SHARED_DATA/linkage`, else `shared/data/linkage` beside the project (or
//! an ancestor of it). `bench/linkage.sh` runs this against Splink.

#[path = "support/febrl.rs"]
mod febrl;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use febrl::{Confusion, Options};

fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SPECTOR_SHARED_DATA") {
        return PathBuf::from(dir).join("linkage");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.ancestors()
        .skip(1)
        .map(|a| a.join("shared/data/linkage"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| PathBuf::from("shared/data/linkage"))
}

fn main() -> Result<(), Box<dyn Error>> {
    let start = Instant::now();
    let mut dir = None;
    let mut json = false;
    let mut show_errors = false;
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--json" => json = true,
            "--show-errors" => show_errors = true,
            "--seed" => options.seed = value("--seed")?.parse()?,
            "--random-pairs" => {
                options.random_pairs = value("--random-pairs")?.parse::<f64>()? as usize
            }
            "--threshold" => options.threshold = value("--threshold")?.parse()?,
            "-h" | "--help" => {
                println!(
                    "febrl [DATA_DIR] [--json] [--show-errors] [--seed S] [--random-pairs N] [--threshold T]"
                );
                return Ok(());
            }
            other if other.starts_with('-') => return Err(format!("unknown option {other}").into()),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let dir = dir.unwrap_or_else(default_dir);
    let r = febrl::run(&dir, &options)?;
    let total = start.elapsed().as_secs_f64();

    let confusion = |c: &Confusion| {
        serde_json::json!({
            "threshold": c.threshold, "tp": c.tp, "fp": c.fp, "fn": c.fn_,
            "precision": c.precision(), "recall": c.recall(), "f1": c.f1(),
        })
    };
    if json {
        let at = &r.at_threshold;
        let line = serde_json::json!({
            "engine": "spector",
            "dataset": "febrl4",
            "pairs_true": r.pairs_true,
            "comparisons": r.candidates,
            "blocking_recall": r.blocking_recall,
            "threshold": at.threshold,
            "tp": at.tp, "fp": at.fp, "fn": at.fn_,
            "precision": at.precision(), "recall": at.recall(), "f1": at.f1(),
            "best_f1": confusion(&r.best),
            "lambda": r.model.lambda,
            "expected_precision": r.expected.expected_precision,
            "expected_recall": r.expected.expected_recall,
            "em_iterations": r.training.iterations,
            "distinct_patterns": r.training.distinct_patterns,
            "seconds_total": total,
            "seconds_load": r.seconds_load,
            "seconds_block": r.seconds_block,
            "seconds_train": r.seconds_train,
            "seconds_predict": r.seconds_predict,
            "threads": 1,
        });
        println!("{line}");
        return Ok(());
    }

    println!(
        "FEBRL4 {}: {} x {} records, {} true pairs",
        dir.display(),
        r.records.0,
        r.records.1,
        r.pairs_true
    );
    for (rule, n) in &r.per_rule {
        println!("  blocking rule {rule:<24} {n:>7} pairs");
    }
    println!(
        "  candidates (union) {:>7}, blocking recall {:.4}",
        r.candidates, r.blocking_recall
    );
    println!(
        "EM: {} iterations over {} distinct patterns ({} pairs), converged {}, lambda {:.4}",
        r.training.iterations,
        r.training.distinct_patterns,
        r.training.pairs,
        r.training.converged,
        r.model.lambda
    );
    for ((c, m), u) in r.model.comparisons.iter().zip(&r.model.m).zip(&r.model.u) {
        let levels: Vec<String> = c
            .levels
            .iter()
            .zip(m.iter().zip(u))
            .skip(1)
            .map(|(name, (m, u))| format!("{name} m={m:.4} u={u:.5} w={:+.2}", (m / u).log2()))
            .collect();
        println!("  {:<14} {}", c.name, levels.join("; "));
    }
    for (label, c) in [("at threshold", &r.at_threshold), ("best F1     ", &r.best)] {
        println!(
            "{label} {:.4}: tp {} fp {} fn {}  P {:.4} R {:.4} F1 {:.4}",
            c.threshold,
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall(),
            c.f1()
        );
    }
    let e = &r.expected;
    println!(
        "model's own estimate at {:.2}: {} accepted, expected fp {:.1}, fn {:.1} (among candidates), P {:.4} R {:.4}",
        e.threshold,
        e.accepted,
        e.expected_false_positives,
        e.expected_false_negatives,
        e.expected_precision.unwrap_or(f64::NAN),
        e.expected_recall.unwrap_or(f64::NAN)
    );
    if show_errors {
        for e in &r.misclassified {
            let kind = if e.is_match {
                "missed match"
            } else {
                "false link"
            };
            println!(
                "{kind} {} ~ {}: p {:.4}, weight {:+.2} bits",
                e.a,
                e.b,
                e.probability,
                r.model.match_weight(&e.levels)
            );
            for w in r.model.explain(&e.levels) {
                println!(
                    "    {:<14} {:<20} m {:.4} u {:.5} {:+.2}",
                    w.comparison, w.level_name, w.m, w.u, w.weight
                );
            }
        }
    }
    println!(
        "seconds: load {:.3}, block+compare {:.3}, train (u + EM) {:.3}, predict {:.3}, total {:.3}",
        r.seconds_load, r.seconds_block, r.seconds_train, r.seconds_predict, total
    );
    Ok(())
}
