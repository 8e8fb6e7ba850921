use spector_model::*;
use spector_query::arrow::array::{AsArray, RecordBatch};
use spector_query::arrow::datatypes::{Int64Type, UInt64Type};
use spector_query::arrow::util::pretty::pretty_format_batches;
use spector_query::{QueryError, run_sql};
use spector_store::{Case, Evidence, Reject};
use std::fs;
use tempfile::TempDir;

struct Fixture {
    _dir: TempDir,
    case: Case,
}

fn prov(ev: &Evidence, table: &str, row: u64) -> Provenance {
    Provenance {
        src_sha256: ev.sha256.as_str().into(),
        src_table: table.into(),
        src_row: row,
        src_offset: row * 50,
        src_len: 50,
    }
}

fn account(ev: &Evidence, market: &str, key: &str, role: AccountRole) -> Account {
    Account {
        id: RecordId::new(market, EntityKind::Account, key),
        market: market.into(),
        name: key.into(),
        role,
        created_at: Some(1_577_836_800), // 2020-01-01
        profile: None,
        provenance: prov(ev, "users", 1),
    }
}

fn order(
    ev: &Evidence,
    market: &str,
    n: u64,
    vendor: &str,
    state: OrderState,
    amount: f64,
) -> Order {
    Order {
        id: RecordId::new(market, EntityKind::Order, &n.to_string()),
        market: market.into(),
        listing_id: None,
        buyer_id: Some(RecordId::new(market, EntityKind::Account, "buyer")),
        vendor_id: Some(RecordId::new(market, EntityKind::Account, vendor)),
        quantity: Some(1.0),
        amount: Some(amount),
        currency: Some("USD".into()),
        state,
        state_raw: None,
        created_at: Some(1_590_000_000 + n as i64), // May 2020
        provenance: prov(ev, "purchases", n),
    }
}

/// Two markets: abyss with two vendors, a buyer and orders; tortuga with one vendor and no orders.
fn fixture() -> Fixture {
    let dir = TempDir::new().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    let inbox = dir.path().join("inbox");
    fs::create_dir_all(&inbox).unwrap();

    fs::write(inbox.join("abyss.sql"), "abyss dump").unwrap();
    let ev = case
        .add_evidence(&inbox.join("abyss.sql"), "abyss")
        .unwrap();
    let mut w = case
        .begin_source(&ev, "abyss", "mysql-dump", "laravel")
        .unwrap();
    for (key, role) in [
        ("alice", AccountRole::Vendor),
        ("bob", AccountRole::Vendor),
        ("buyer", AccountRole::Buyer),
    ] {
        w.push(Record::Account(account(&ev, "abyss", key, role)))
            .unwrap();
    }
    let orders = [
        ("alice", OrderState::Finalized, 100.0),
        ("alice", OrderState::Shipped, 50.0),
        ("alice", OrderState::Cancelled, 999.0),
        ("bob", OrderState::Finalized, 10.0),
    ];
    for (n, (vendor, state, amount)) in orders.into_iter().enumerate() {
        w.push(Record::Order(order(
            &ev, "abyss", n as u64, vendor, state, amount,
        )))
        .unwrap();
    }
    w.push_reject(Reject {
        file: "abyss.sql".into(),
        line: 42,
        offset: 4096,
        raw: "(1,'broken".into(),
        reason: "unterminated string".into(),
    })
    .unwrap();
    w.commit(8).unwrap();

    fs::write(inbox.join("vendors.csv"), "tortuga scrape").unwrap();
    let ev = case
        .add_evidence(&inbox.join("vendors.csv"), "tortuga")
        .unwrap();
    let mut w = case.begin_source(&ev, "tortuga", "csv", "scrape").unwrap();
    w.push(Record::Account(account(
        &ev,
        "tortuga",
        "alice",
        AccountRole::Vendor,
    )))
    .unwrap();
    w.commit(1).unwrap();
    Fixture { _dir: dir, case }
}

fn single_count(batches: &[RecordBatch]) -> i64 {
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
    let b = batches.iter().find(|b| b.num_rows() == 1).unwrap();
    b.column(0).as_primitive::<Int64Type>().value(0)
}

fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(|b| b.num_rows()).sum()
}

#[test]
fn counts_rows_of_a_table() {
    let f = fixture();
    assert_eq!(
        single_count(&run_sql(&f.case, "SELECT count(*) FROM accounts").unwrap()),
        4
    );
    assert_eq!(
        single_count(&run_sql(&f.case, "SELECT count(*) FROM orders").unwrap()),
        4
    );
    assert_eq!(
        single_count(&run_sql(&f.case, "SELECT count(*) FROM markets").unwrap()),
        2
    );
    assert_eq!(
        single_count(&run_sql(&f.case, "SELECT count(*) FROM rejects").unwrap()),
        1
    );
}

#[test]
fn joins_orders_to_their_vendors_and_groups_sales() {
    let f = fixture();
    let batches = run_sql(
        &f.case,
        "SELECT a.name, count(*) AS sales, sum(o.amount) AS usd
         FROM orders o JOIN accounts a ON a.id = o.vendor_id
         WHERE o.state IN ('shipped', 'finalized')
         GROUP BY a.name ORDER BY usd DESC",
    )
    .unwrap();
    let table = pretty_format_batches(&batches).unwrap().to_string();
    let expected = "\
+-------+-------+-------+
| name  | sales | usd   |
+-------+-------+-------+
| alice | 2     | 150.0 |
| bob   | 1     | 10.0  |
+-------+-------+-------+";
    assert_eq!(table, expected);
}

#[test]
fn groups_accounts_by_market_and_role() {
    let f = fixture();
    let batches = run_sql(
        &f.case,
        "SELECT market, role, count(*) AS n FROM accounts GROUP BY market, role ORDER BY market, role",
    )
    .unwrap();
    let table = pretty_format_batches(&batches).unwrap().to_string();
    assert!(table.contains("| abyss   | buyer  | 1 |"), "{table}");
    assert!(table.contains("| abyss   | vendor | 2 |"), "{table}");
    assert!(table.contains("| tortuga | vendor | 1 |"), "{table}");
}

#[test]
fn timestamps_compare_with_dates_and_provenance_columns_are_flat() {
    let f = fixture();
    let batches = run_sql(
        &f.case,
        "SELECT id, src_table, src_row, src_offset, src_len, created_at FROM orders
         WHERE created_at >= TIMESTAMP '2020-05-20T00:00:00Z' AND src_sha256 LIKE '%' ORDER BY src_row",
    )
    .unwrap();
    assert_eq!(rows(&batches), 4);
    let table = pretty_format_batches(&batches).unwrap().to_string();
    assert!(
        table.contains(
            "| abyss/order/0 | purchases | 0       | 0          | 50      | 2020-05-20T18:40:00Z |"
        ),
        "{table}"
    );
    let before = run_sql(
        &f.case,
        "SELECT count(*) FROM orders WHERE created_at < '2020-01-01'",
    )
    .unwrap();
    assert_eq!(single_count(&before), 0);
}

#[test]
fn a_table_without_rows_exists_with_its_columns() {
    let f = fixture();
    let batches = run_sql(&f.case, "SELECT id, vendor_id, price FROM listings").unwrap();
    assert_eq!(rows(&batches), 0);
    let batches = run_sql(&f.case, "SELECT count(*) FROM persona_members").unwrap();
    assert_eq!(single_count(&batches), 0);
    let batches = run_sql(&f.case, "SELECT * FROM orders WHERE market = 'tortuga'").unwrap();
    assert_eq!(rows(&batches), 0);
}

#[test]
fn an_empty_case_has_every_table() {
    let dir = TempDir::new().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    for table in spector_store::TABLES.iter().chain(&["sources"]) {
        let batches = run_sql(&case, &format!("SELECT count(*) FROM {table}")).unwrap();
        assert_eq!(single_count(&batches), 0, "{table}");
    }
}

#[test]
fn the_manifest_is_the_sources_table() {
    let f = fixture();
    let batches = run_sql(
        &f.case,
        "SELECT name, market, format, profile, rows_read, records_stored, rows_rejected
         FROM sources WHERE added_at <= now() AND ingested_at >= added_at ORDER BY name",
    )
    .unwrap();
    let table = pretty_format_batches(&batches).unwrap().to_string();
    let expected = "\
+-------------+---------+------------+---------+-----------+----------------+---------------+
| name        | market  | format     | profile | rows_read | records_stored | rows_rejected |
+-------------+---------+------------+---------+-----------+----------------+---------------+
| abyss.sql   | abyss   | mysql-dump | laravel | 8         | 7              | 1             |
| vendors.csv | tortuga | csv        | scrape  | 1         | 1              | 0             |
+-------------+---------+------------+---------+-----------+----------------+---------------+";
    assert_eq!(table, expected);
    let sizes = run_sql(&f.case, "SELECT sum(size) FROM sources").unwrap();
    let b = &sizes[0];
    assert_eq!(b.column(0).as_primitive::<UInt64Type>().value(0), 24);
}

#[test]
fn an_unknown_table_is_named_and_the_tables_listed() {
    let f = fixture();
    let err = run_sql(&f.case, "SELECT * FROM vendors").unwrap_err();
    match &err {
        QueryError::UnknownTable { name, available } => {
            assert_eq!(name, "vendors");
            assert!(available.iter().any(|t| t == "accounts"));
            assert!(available.iter().any(|t| t == "sources"));
        }
        other => panic!("expected UnknownTable, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("vendors") && msg.contains("orders") && msg.contains("link_evidence"),
        "{msg}"
    );

    // Also inside a join, next to a CTE and a table function that do exist.
    let err = run_sql(
        &f.case,
        "WITH v AS (SELECT * FROM accounts) SELECT * FROM v JOIN generate_series(1, 3) g ON true JOIN sellers s ON s.id = v.id",
    )
    .unwrap_err();
    assert!(
        matches!(&err, QueryError::UnknownTable { name, .. } if name == "sellers"),
        "{err:?}"
    );
}

#[test]
fn bad_sql_is_invalid_not_a_failure() {
    let f = fixture();
    for sql in ["SELEC 1", "SELECT nope FROM accounts", "SELECT 1 +"] {
        let err = run_sql(&f.case, sql).unwrap_err();
        assert!(matches!(err, QueryError::Invalid { .. }), "{sql}: {err:?}");
    }
    // CTEs and table functions are not mistaken for missing tables.
    let batches = run_sql(
        &f.case,
        "WITH v AS (SELECT 1 AS x) SELECT count(*) FROM v, generate_series(1, 3)",
    )
    .unwrap();
    assert_eq!(single_count(&batches), 3);
}

#[test]
fn the_case_cannot_be_modified_through_sql() {
    let f = fixture();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.parquet");
    for sql in [
        "CREATE TABLE x AS SELECT 1".to_string(),
        "INSERT INTO accounts SELECT * FROM accounts".to_string(),
        "DROP TABLE accounts".to_string(),
        format!("COPY accounts TO '{}'", out.display()),
    ] {
        let err = run_sql(&f.case, &sql).unwrap_err();
        assert!(matches!(err, QueryError::Invalid { .. }), "{sql}: {err:?}");
    }
    assert!(!out.exists());
    assert_eq!(
        single_count(&run_sql(&f.case, "SELECT count(*) FROM accounts").unwrap()),
        4
    );
}

#[test]
fn only_the_parts_the_case_lists_are_read() {
    let f = fixture();
    // A part that nothing lists, as an interrupted ingest would leave (until the next open sweeps it).
    let listed = &f.case.table_files().unwrap()["orders"];
    assert_eq!(listed.len(), 1);
    let stray = listed[0].with_file_name("part-uncommitted.parquet");
    fs::copy(&listed[0], &stray).unwrap();
    assert_eq!(
        single_count(&run_sql(&f.case, "SELECT count(*) FROM orders").unwrap()),
        4
    );
    let ids = run_sql(&f.case, "SELECT DISTINCT id FROM orders").unwrap();
    assert_eq!(rows(&ids), 4);
}

#[test]
fn a_case_in_a_directory_with_glob_characters_is_read() {
    let dir = TempDir::new().unwrap();
    let case = Case::init(&dir.path().join("case [2024] *seized*")).unwrap();
    let src = dir.path().join("a.sql");
    fs::write(&src, "a").unwrap();
    let ev = case.add_evidence(&src, "abyss").unwrap();
    let mut w = case.begin_source(&ev, "abyss", "csv", "test").unwrap();
    w.push(Record::Account(account(
        &ev,
        "abyss",
        "alice",
        AccountRole::Vendor,
    )))
    .unwrap();
    w.commit(1).unwrap();
    assert_eq!(
        single_count(&run_sql(&case, "SELECT count(*) FROM accounts").unwrap()),
        1
    );
}

#[test]
fn a_damaged_part_fails_the_query_with_an_error() {
    let f = fixture();
    let part = f.case.table_files().unwrap()["orders"][0].clone();
    let bytes = fs::read(&part).unwrap();
    fs::write(&part, &bytes[..bytes.len() / 2]).unwrap();
    let err = run_sql(&f.case, "SELECT sum(amount) FROM orders").unwrap_err();
    assert!(matches!(err, QueryError::Failed { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(part.file_name().unwrap().to_str().unwrap()),
        "names the part: {msg}"
    );
    assert!(
        run_sql(&f.case, "SELECT count(*) FROM accounts").is_ok(),
        "other tables still answer"
    );
}
