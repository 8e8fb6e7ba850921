//! Measures ingest write speed: N synthetic orders pushed through a `SourceWriter` into Parquet, committed,
//! then read back (unless `SPECTOR_WRITE_ONLY` is set, to see the writer's memory alone).
//! `cargo run --release -p spector-store --example write_orders -- [N] [CASE_DIR]`

use spector_model::*;
use spector_store::Case;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    let tmp = tempfile::tempdir()?;
    let dir = args
        .next()
        .map_or_else(|| tmp.path().join("case"), Into::into);

    let case = Case::init(&dir)?;
    let src = tmp.path().join("dump.sql");
    std::fs::write(&src, format!("synthetic source of {n} orders"))?;
    let ev = case.add_evidence(&src, "abyss")?;

    let started = Instant::now();
    let mut writer = case.begin_source(&ev, "abyss", "mysql-dump", "laravel")?;
    for i in 0..n {
        writer.push(Record::Order(Order {
            id: RecordId::new("abyss", EntityKind::Order, &format!("9f1c2e4a-{i:012}")),
            market: "abyss".into(),
            listing_id: Some(RecordId::new(
                "abyss",
                EntityKind::Listing,
                &(i % 20_000).to_string(),
            )),
            buyer_id: Some(RecordId::new(
                "abyss",
                EntityKind::Account,
                &(i % 50_000).to_string(),
            )),
            vendor_id: Some(RecordId::new(
                "abyss",
                EntityKind::Account,
                &(i % 2_000).to_string(),
            )),
            quantity: Some((i % 5 + 1) as f64),
            amount: Some((i % 10_000) as f64 * 0.0001),
            currency: Some(if i % 3 == 0 { "XMR" } else { "BTC" }.into()),
            state: OrderState::ALL[(i % 9) as usize],
            state_raw: Some("delivered".into()),
            created_at: Some(1_546_300_800 + (i as i64 * 67) % 70_000_000),
            provenance: Provenance {
                src_sha256: ev.sha256.as_str().into(),
                src_table: "purchases".into(),
                src_row: i + 1,
                src_offset: 4096 + i * 180,
                src_len: 180,
            },
        }))?;
    }
    let pushed = started.elapsed();
    let summary = writer.commit(n)?;
    let written = started.elapsed();

    let bytes: u64 = case.table_files()?["orders"]
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!("orders:        {n}");
    println!(
        "write+commit:  {:.2} s ({:.0} records/s; push {:.2} s, commit {:.2} s)",
        written.as_secs_f64(),
        rate(written),
        pushed.as_secs_f64(),
        (written - pushed).as_secs_f64()
    );
    println!(
        "parquet size:  {:.1} MiB ({:.0} bytes/order)",
        bytes as f64 / 1048576.0,
        bytes as f64 / n as f64
    );
    if std::env::var_os("SPECTOR_WRITE_ONLY").is_some() {
        return Ok(());
    }
    let read_started = Instant::now();
    let orders = case.orders()?;
    let read = read_started.elapsed();
    assert_eq!(orders.len() as u64, summary.records_stored);

    println!(
        "read back:     {:.2} s ({:.0} records/s)",
        read.as_secs_f64(),
        rate(read)
    );
    Ok(())
}
