//! Same seed, scale and market count → byte-identical output; another seed → another world.

mod support;

#[test]
fn same_seed_same_bytes_other_seed_other_world() {
    let a = support::generate(11, 0.3, 9);
    let b = support::generate(11, 0.3, 9);
    assert_eq!(
        a.files.keys().collect::<Vec<_>>(),
        b.files.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &a.files {
        assert!(bytes == &b.files[path], "{path} differs between two runs");
    }
    assert_eq!(a.summary, b.summary);

    let c = support::generate(12, 0.3, 9);
    let differing = a
        .files
        .iter()
        .filter(|(p, bytes)| c.files.get(*p) != Some(*bytes))
        .count();
    assert!(
        differing >= a.files.len() - 1,
        "only {differing} files changed with the seed"
    );
}

#[test]
fn market_count_and_scale_shape_the_world() {
    let small = support::generate(5, 0.2, 3);
    let names: Vec<&str> = small
        .summary
        .markets
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["abyss", "tortuga", "nightshade"]);
    assert!(small.files.contains_key("markets/abyss/abyss.sql"));
    assert!(
        small
            .files
            .contains_key("markets/tortuga/tortuga.pgdump.sql")
    );
    assert!(small.files.contains_key("markets/nightshade/listings.csv"));
    let bytes: u64 = small.files.values().map(|f| f.len() as u64).sum();
    assert_eq!(small.summary.bytes_written, bytes);
    // Orders grow linearly with scale.
    let bigger = support::generate(5, 0.6, 3);
    let ratio = bigger.summary.orders as f64 / small.summary.orders as f64;
    assert!((2.5..3.5).contains(&ratio), "orders ratio {ratio}");
}

#[test]
fn bad_configs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (scale, markets) in [(1.0, 2), (1.0, 10), (0.0, 9), (f64::NAN, 9), (-1.0, 9)] {
        let config = spector_synth::SynthConfig {
            seed: 1,
            scale,
            markets,
        };
        let result = spector_synth::generate(&config, dir.path(), &|_| {});
        assert!(
            matches!(result, Err(spector_synth::SynthError::InvalidConfig(_))),
            "{scale} {markets}"
        );
    }
}

#[test]
fn io_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the markets directory should go.
    std::fs::write(dir.path().join("markets"), b"x").unwrap();
    let err = spector_synth::generate(&spector_synth::SynthConfig::default(), dir.path(), &|_| {})
        .expect_err("cannot create markets/");
    assert!(err.to_string().contains("markets"), "{err}");
}

#[test]
fn progress_reports_orders_and_bytes() {
    use std::cell::RefCell;
    let dir = tempfile::tempdir().unwrap();
    let events = RefCell::new(Vec::new());
    let config = spector_synth::SynthConfig {
        seed: 3,
        scale: 0.2,
        markets: 3,
    };
    let summary =
        spector_synth::generate(&config, dir.path(), &|e| events.borrow_mut().push(e)).unwrap();
    let events = events.into_inner();
    let planned = events.iter().find_map(|e| match e {
        spector_synth::ProgressEvent::Planned { orders, .. } => Some(*orders),
        _ => None,
    });
    assert_eq!(planned, Some(summary.orders));
    let last_orders = events.iter().rev().find_map(|e| match e {
        spector_synth::ProgressEvent::OrdersWritten { total } => Some(*total),
        _ => None,
    });
    assert_eq!(last_orders, Some(summary.orders));
    let finished = events
        .iter()
        .filter(|e| matches!(e, spector_synth::ProgressEvent::MarketFinished { .. }))
        .count();
    assert_eq!(finished, 3);
}
