//! `draft` and `check` on hand-made dumps of markets spector has no profile for (`tests/data/draft/`):
//! a Laravel-like MySQL dump, a pg_dump of another schema, a crawler's CSV, a Russian market with
//! transliterated and Cyrillic names, and a dump whose names say nothing (`t1.c1`). Each must get the key
//! tables and fields right from names or contents, give a profile the mapper accepts, and map every row.

use std::path::{Path, PathBuf};

use spector_ingest::check::{CheckOptions, CheckReport, check};
use spector_ingest::draft::{Draft, DraftOptions, EntityDraft, draft};
use spector_ingest::profile::{ParseRule, TargetKind};
use spector_ingest::{Profile, builtin_profiles};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/draft")
        .join(name)
}

fn drafted(name: &str) -> Draft {
    draft(&[fixture(name)], &DraftOptions::default()).expect("draft")
}

/// The draft's profile parses, validates, and maps the fixture without a reject.
fn checks_clean(d: &Draft, name: &str) -> (Profile, CheckReport) {
    let profile = Profile::from_toml(name, &d.toml)
        .unwrap_or_else(|e| panic!("{name}: drafted profile does not validate: {e}\n{}", d.toml));
    let report = check(&profile, &[fixture(name)], &CheckOptions::default()).expect("check");
    assert!(
        report.is_clean(),
        "{name}: not clean: {:#?}\n{}",
        report,
        d.toml
    );
    for e in &report.entities {
        assert_eq!(
            e.rows_seen,
            e.records + e.skipped_by_require,
            "{name}: {e:?}"
        );
        assert!(e.records > 0, "{name}: {} made nothing", e.table);
    }
    (profile, report)
}

fn entity<'a>(d: &'a Draft, kind: TargetKind, table: &str) -> &'a EntityDraft {
    d.entities
        .iter()
        .find(|e| e.kind == kind && e.table == table)
        .unwrap_or_else(|| {
            let got: Vec<String> = d
                .entities
                .iter()
                .map(|e| format!("{:?} {}", e.kind, e.table))
                .collect();
            panic!("no {kind:?} from {table}; entities: {got:?}\n{}", d.toml)
        })
}

/// Asserts `field = column` for each pair (a plain column, or a rule reading that column).
fn fields(e: &EntityDraft, pairs: &[(&str, &str)]) {
    for (field, column) in pairs {
        let f = e
            .field(field)
            .unwrap_or_else(|| panic!("{} {:?}: no field {field}: {e:#?}", e.table, e.kind));
        assert_eq!(
            f.column.as_deref(),
            Some(*column),
            "{} {:?}.{field}: {}",
            e.table,
            e.kind,
            f.reason
        );
    }
}

fn map_of(e: &EntityDraft, field: &str) -> Vec<(String, String)> {
    e.field(field).map(|f| f.map.clone()).unwrap_or_default()
}

#[test]
fn laravel_like_dump() {
    let d = drafted("laravel_like.sql");
    let users = entity(&d, TargetKind::Account, "users");
    fields(
        users,
        &[
            ("native_key", "id"),
            ("name", "name"),
            ("created_at", "created_at"),
        ],
    );
    assert_eq!(
        users.field("created_at").unwrap().parse,
        Some(ParseRule::Time)
    );
    let roles = map_of(users, "role");
    assert!(
        roles.contains(&("user".into(), "buyer".into())),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("admin".into(), "staff".into())),
        "{roles:?}"
    );
    let key = entity(&d, TargetKind::PgpKey, "users");
    fields(key, &[("armored", "pgp_public_key"), ("account", "id")]);
    assert_eq!(key.require, ["pgp_public_key"]);
    let email = entity(&d, TargetKind::ContactHandle, "users");
    fields(email, &[("handle", "email")]);
    assert_eq!(
        email.field("kind").unwrap().constant.as_deref(),
        Some("email")
    );
    let btc = entity(&d, TargetKind::CryptoAddress, "users");
    fields(btc, &[("address", "btc_address")]);
    assert_eq!(btc.field("coin").unwrap().constant.as_deref(), Some("btc"));

    fields(
        entity(&d, TargetKind::Listing, "products"),
        &[
            ("native_key", "id"),
            ("vendor", "user_id"),
            ("title", "title"),
            ("description", "description"),
            ("price", "price"),
            ("currency", "currency"),
            ("ships_from", "ships_from"),
            ("ships_to", "ships_to"),
        ],
    );
    let orders = entity(&d, TargetKind::Order, "orders");
    fields(
        orders,
        &[
            ("listing", "product_id"),
            ("buyer", "buyer_id"),
            ("vendor", "seller_id"),
            ("quantity", "quantity"),
            ("amount", "total"),
            ("state", "status"),
        ],
    );
    let states = map_of(orders, "state");
    for (raw, to) in [
        ("pending", "created"),
        ("completed", "finalized"),
        ("shipped", "shipped"),
        ("refunded", "refunded"),
    ] {
        assert!(states.contains(&(raw.into(), to.into())), "{states:?}");
    }
    fields(
        entity(&d, TargetKind::ShippingInfo, "orders"),
        &[("text", "shipping_address"), ("order", "id")],
    );
    let reviews = entity(&d, TargetKind::Feedback, "reviews");
    fields(
        reviews,
        &[
            ("order", "order_id"),
            ("listing", "product_id"),
            ("rating", "rating"),
            ("comment", "body"),
        ],
    );
    // The review's vendor is the order's seller, joined through a lookup over orders.
    let vendor = reviews.field("vendor").unwrap();
    let via = vendor.via.as_deref().expect("via a lookup");
    let lookup = d.lookups.iter().find(|l| l.name == via).unwrap();
    assert_eq!(
        (
            lookup.table.as_str(),
            lookup.key.as_str(),
            lookup.value.as_str()
        ),
        ("orders", "id", "seller_id")
    );
    // `read_at` is a time too, but not the creation time (and mostly NULL).
    fields(
        entity(&d, TargetKind::Message, "messages"),
        &[
            ("sender", "sender_id"),
            ("recipient", "recipient_id"),
            ("subject", "subject"),
            ("body", "message"),
            ("created_at", "created_at"),
        ],
    );
    assert!(d.entities_of("categories").next().is_none());
    let password = d
        .table("users")
        .unwrap()
        .columns
        .iter()
        .find(|c| c.name == "password");
    assert!(password.unwrap().mapped_to.is_empty());
    assert!(d.toml.contains("password (left out"), "{}", d.toml);
    checks_clean(&d, "laravel_like.sql");
}

#[test]
fn pg_dump_of_another_schema() {
    let d = drafted("pg_other.pgdump.sql");
    let accounts = entity(&d, TargetKind::Account, "accounts");
    fields(
        accounts,
        &[
            ("native_key", "account_id"),
            ("name", "handle"),
            ("created_at", "registered_at"),
            ("role", "account_type"),
        ],
    );
    let roles = map_of(accounts, "role");
    assert!(
        roles.contains(&("seller".into(), "vendor".into())),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("customer".into(), "buyer".into())),
        "{roles:?}"
    );
    // A name says what the content cannot: a jabber id looks like an e-mail address.
    let jabber = entity(&d, TargetKind::ContactHandle, "accounts");
    assert_eq!(
        jabber.field("kind").unwrap().constant.as_deref(),
        Some("jabber")
    );
    fields(
        entity(&d, TargetKind::PgpKey, "accounts"),
        &[("armored", "gpg_key")],
    );

    let offers = entity(&d, TargetKind::Listing, "offers");
    fields(
        offers,
        &[
            ("vendor", "account_id"),
            ("title", "name"),
            ("description", "details"),
            ("price", "price_btc"),
            ("ships_from", "origin"),
            ("ships_to", "destinations"),
        ],
    );
    assert_eq!(
        offers.field("currency").unwrap().constant.as_deref(),
        Some("BTC")
    );
    let tx = entity(&d, TargetKind::Order, "transactions");
    fields(
        tx,
        &[
            ("native_key", "tx_id"),
            ("listing", "offer_id"),
            ("buyer", "customer_id"),
            ("vendor", "seller_id"),
            ("amount", "amount_sat"),
            ("created_at", "created_unix"),
        ],
    );
    assert_eq!(tx.field("amount").unwrap().scale, Some(1e-8), "satoshi");
    assert!(map_of(tx, "state").contains(&("escrow".into(), "paid".into())));
    let ratings = entity(&d, TargetKind::Feedback, "ratings");
    fields(
        ratings,
        &[("order", "tx_id"), ("rating", "stars"), ("comment", "text")],
    );
    // transactions come after ratings in the dump: a lookup could not join them, and the draft says so
    // instead of mapping a field that would always be empty.
    assert!(ratings.field("vendor").is_none());
    let why = &ratings
        .missing
        .iter()
        .find(|(f, _)| f == "vendor")
        .unwrap()
        .1;
    assert!(why.contains("comes after"), "{why}");
    assert!(d.lookups.is_empty(), "{:?}", d.lookups);
    let wallets = entity(&d, TargetKind::CryptoAddress, "payout_addresses");
    fields(
        wallets,
        &[
            ("account", "account_id"),
            ("address", "addr"),
            ("coin", "coin"),
        ],
    );
    assert!(wallets.field("coin").unwrap().lowercase);
    checks_clean(&d, "pg_other.pgdump.sql");
}

#[test]
fn crawler_csv_without_its_vendors_file() {
    let d = drafted("scrape_listings.csv");
    let l = entity(&d, TargetKind::Listing, "scrape_listings");
    fields(
        l,
        &[
            ("native_key", "url"),
            ("vendor", "vendor"),
            ("title", "title"),
            ("price", "price_btc"),
            ("category", "category"),
            ("created_at", "scraped_at"),
        ],
    );
    assert!(
        l.field("vendor")
            .unwrap()
            .reason
            .contains("no accounts table"),
        "{}",
        l.field("vendor").unwrap().reason
    );
    assert!(
        l.field("created_at")
            .unwrap()
            .reason
            .contains("milliseconds"),
        "{}",
        l.field("created_at").unwrap().reason
    );
    let (_, report) = checks_clean(&d, "scrape_listings.csv");
    let sample = &report.entities[0].samples[0];
    assert!(sample.contains("created_at=2015-01-01T"), "{sample}");
}

#[test]
fn russian_market_with_translit_and_cyrillic_names() {
    let d = drafted("russian.sql");
    let users = entity(&d, TargetKind::Account, "polzovateli");
    fields(
        users,
        &[
            ("native_key", "id"),
            ("name", "login"),
            ("created_at", "data_registratsii"),
        ],
    );
    let roles = map_of(users, "role");
    assert!(
        roles.contains(&("продавец".into(), "vendor".into())),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("покупатель".into(), "buyer".into())),
        "{roles:?}"
    );
    fields(
        entity(&d, TargetKind::PgpKey, "polzovateli"),
        &[("armored", "pgp_klyuch")],
    );
    fields(
        entity(&d, TargetKind::Listing, "tovary"),
        &[
            ("vendor", "prodavets_id"),
            ("title", "nazvanie"),
            ("description", "opisanie"),
            ("price", "tsena"),
            ("currency", "valyuta"),
            ("category", "kategoriya"),
            ("created_at", "data_sozdaniya"),
        ],
    );
    let orders = entity(&d, TargetKind::Order, "zakazy");
    fields(
        orders,
        &[
            ("listing", "tovar_id"),
            ("buyer", "pokupatel_id"),
            ("vendor", "prodavets_id"),
            ("quantity", "kolichestvo"),
            ("amount", "summa"),
            ("created_at", "sozdan"),
        ],
    );
    let states = map_of(orders, "state");
    assert_eq!(states.len(), 6, "{states:?}");
    assert!(states.iter().all(|(_, to)| to != "?"), "{states:?}");
    assert!(states.contains(&("отправлен".into(), "shipped".into())));
    assert!(states.contains(&("спор".into(), "disputed".into())));
    fields(
        entity(&d, TargetKind::ShippingInfo, "zakazy"),
        &[("text", "adres_dostavki")],
    );
    fields(
        entity(&d, TargetKind::Feedback, "otzyvy"),
        &[
            ("order", "zakaz_id"),
            ("rating", "otsenka"),
            ("comment", "kommentariy"),
        ],
    );
    fields(
        entity(&d, TargetKind::Message, "soobshcheniya"),
        &[
            ("sender", "otpravitel_id"),
            ("recipient", "poluchatel_id"),
            ("body", "tekst"),
        ],
    );
    fields(
        entity(&d, TargetKind::CryptoAddress, "кошельки"),
        &[
            ("account", "пользователь_id"),
            ("address", "адрес"),
            ("coin", "валюта"),
        ],
    );
    let parol = d
        .table("polzovateli")
        .unwrap()
        .columns
        .iter()
        .find(|c| c.name == "parol");
    assert!(parol.unwrap().mapped_to.is_empty());
    checks_clean(&d, "russian.sql");
}

#[test]
fn opaque_names_are_drafted_from_contents() {
    let d = drafted("opaque.sql");
    // PGP key blocks and a unique column of short words: the accounts.
    let t1 = entity(&d, TargetKind::Account, "t1");
    fields(
        t1,
        &[("native_key", "c1"), ("name", "c2"), ("created_at", "c4")],
    );
    fields(entity(&d, TargetKind::PgpKey, "t1"), &[("armored", "c3")]);
    fields(
        entity(&d, TargetKind::Listing, "t2"),
        &[
            ("vendor", "c2"),
            ("title", "c3"),
            ("description", "c4"),
            ("price", "c5"),
        ],
    );
    // The listing and the two accounts of an order are told apart by values alone: the vendors of orders
    // are the vendors of listings.
    let t3 = entity(&d, TargetKind::Order, "t3");
    fields(
        t3,
        &[
            ("listing", "c2"),
            ("buyer", "c3"),
            ("vendor", "c4"),
            ("amount", "c5"),
            ("state", "c6"),
        ],
    );
    // A rating-like column and a reference into the listings: feedback.
    fields(
        entity(&d, TargetKind::Feedback, "t4"),
        &[("listing", "c2"), ("rating", "c3"), ("comment", "c4")],
    );
    let t5 = entity(&d, TargetKind::CryptoAddress, "t5");
    fields(t5, &[("account", "c2"), ("address", "c3")]);
    assert_eq!(t5.field("coin").unwrap().constant.as_deref(), Some("btc"));
    for e in &d.entities {
        assert!(
            d.table(&e.table)
                .unwrap()
                .references
                .iter()
                .all(|r| r.by_values_only),
            "no name says anything here"
        );
    }
    checks_clean(&d, "opaque.sql");
}

#[test]
fn unknown_states_are_scaffolded_and_check_explains_the_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let mut text = String::from("id,buyer,status,total,created_at\n");
    for i in 1..=12 {
        let status = ["shipped", "finalized", "limbo"][i % 3];
        text.push_str(&format!(
            "{i},b{i},{status},{i}.50,2020-05-0{} 10:00:00\n",
            1 + i % 9
        ));
    }
    std::fs::write(&path, text).unwrap();
    let d = draft(std::slice::from_ref(&path), &DraftOptions::default()).unwrap();
    let orders = entity(&d, TargetKind::Order, "orders");
    let states = map_of(orders, "state");
    assert!(states.contains(&("limbo".into(), "?".into())), "{states:?}");
    assert!(d.toml.contains("limbo = \"?\""), "{}", d.toml);
    assert!(d.toml.contains("# CHECK: replace each \"?\""), "{}", d.toml);
    let profile = Profile::from_toml("t", &d.toml).unwrap();
    let report = check(&profile, &[path], &CheckOptions::default()).unwrap();
    assert!(!report.is_clean());
    assert_eq!(report.rows_rejected, 4);
    let e = &report.entities[0];
    assert_eq!((e.rows_seen, e.records, e.rejected), (12, 8, 4));
    assert!(
        e.first_rejects[0].contains("\"?\""),
        "{:?}",
        e.first_rejects
    );
}

#[test]
fn a_byte_budget_samples_the_head_of_a_dump() {
    let full = drafted("laravel_like.sql");
    let options = DraftOptions {
        max_bytes: Some(6_000),
        ..DraftOptions::default()
    };
    let d = draft(&[fixture("laravel_like.sql")], &options).unwrap();
    let s = &d.sources[0];
    assert!(!s.complete && s.bytes_read < full.sources[0].bytes_read);
    assert!(s.rows < full.sources[0].rows);
    assert!(d.toml.contains("NOT read to the end"), "{}", d.toml);
    Profile::from_toml("head", &d.toml).expect("a sampled draft is still a profile");

    // A row budget per table keeps the counts whole but the statistics to the first rows.
    let options = DraftOptions {
        max_rows_per_table: Some(3),
        ..DraftOptions::default()
    };
    let d = draft(&[fixture("laravel_like.sql")], &options).unwrap();
    let orders = d.table("orders").unwrap();
    assert_eq!((orders.rows, orders.rows_sampled), (18, 3));
    assert_eq!(orders.columns[0].stats.rows, 3);
    assert!(d.sources[0].complete);
}

#[test]
fn bytes_that_are_not_utf8_are_classified_lossily() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mysql/latin1.sql");
    let d = draft(&[path], &DraftOptions::default()).unwrap();
    assert!(!d.tables.is_empty());
    Profile::from_toml("latin1", &d.toml).expect("valid profile");
}

#[test]
fn check_names_what_a_wrong_profile_lacks() {
    let laravel = builtin_profiles()
        .into_iter()
        .find(|p| p.name == "laravel")
        .unwrap();
    let report = check(
        &laravel,
        &[fixture("laravel_like.sql")],
        &CheckOptions::default(),
    )
    .unwrap();
    assert!(!report.is_clean());
    assert!(report.rows_rejected > 0);
    assert!(
        report
            .missing_columns
            .iter()
            .any(|m| m.table == "users" && m.column == "username" && m.used_by == "account.name"),
        "{:?}",
        report.missing_columns
    );
    assert!(report.missing_tables.contains(&"purchases".to_string()));
    assert!(report.unread_tables.contains_key("reviews"));
    assert!(report.unused_columns["users"].contains(&"email".to_string()));
    let accounts = &report.entities[0];
    assert!(accounts.rejected > 0 && accounts.first_rejects[0].contains("username"));
}

#[test]
fn check_can_map_only_the_first_rows() {
    let d = drafted("laravel_like.sql");
    let profile = Profile::from_toml("t", &d.toml).unwrap();
    let options = CheckOptions {
        rows_per_table: Some(2),
        ..CheckOptions::default()
    };
    let report = check(&profile, &[fixture("laravel_like.sql")], &options).unwrap();
    assert!(
        report.entities.iter().all(|e| e.rows_seen == 2),
        "{report:#?}"
    );
    assert_eq!(report.rows_read, d.sources[0].rows);
    // The feedback vendor joins through orders; the lookup learnt every order, not only the first two.
    let reviews = report
        .entities
        .iter()
        .find(|e| e.table == "reviews")
        .unwrap();
    assert!(
        reviews.samples.iter().all(|s| s.contains("vendor_id=")),
        "{:?}",
        reviews.samples
    );
}

/// The project's real data (`../shared/data` beside the project root, or `SPECTOR_SHARED_DATA`).
fn shared_data(relative: &str) -> Option<PathBuf> {
    let root = std::env::var_os("SPECTOR_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = root.join(relative);
    path.exists().then_some(path)
}

#[test]
fn a_real_agora_crawl_is_drafted() {
    let Some(path) = shared_data("markets/agora-2014/products-2014-01-01.csv") else {
        eprintln!("skipped: ../shared/data/markets/agora-2014 is not here");
        return;
    };
    let d = draft(std::slice::from_ref(&path), &DraftOptions::default()).unwrap();
    let l = entity(&d, TargetKind::Listing, "products-2014-01-01");
    fields(
        l,
        &[
            ("native_key", "list"),
            ("vendor", "vendor"),
            ("title", "product"),
            ("category", "cat"),
            ("price", "price"),
            ("ships_from", "from"),
            ("ships_to", "to"),
            ("created_at", "date"),
        ],
    );
    // Agora priced in bitcoin; nothing in the file says so but the amounts.
    let currency = l.field("currency").unwrap();
    assert_eq!(currency.constant.as_deref(), Some("BTC"));
    assert!(!currency.warnings.is_empty());
    // The feedback blob is no description.
    assert!(l.field("description").is_none());
    let profile = Profile::from_toml("agora", &d.toml).unwrap();
    let options = CheckOptions {
        rows_per_table: Some(2000),
        ..CheckOptions::default()
    };
    let report = check(&profile, &[path], &options).unwrap();
    assert!(report.is_clean(), "{report:#?}");
    assert_eq!(report.entities[0].records, 2000);
}

#[test]
fn padded_enumeration_values_are_mapped_as_written() {
    // CHAR columns come padded; the mapper matches the raw value, so the map must hold it as written.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let mut text = String::from("id,status,total\n");
    for i in 1..=8 {
        let status = ["shipped   ", "completed ", "cancelled "][i % 3];
        text.push_str(&format!("{i},{status},{i}.00\n"));
    }
    std::fs::write(&path, text).unwrap();
    let d = draft(std::slice::from_ref(&path), &DraftOptions::default()).unwrap();
    let states = map_of(entity(&d, TargetKind::Order, "orders"), "state");
    assert!(
        states.contains(&("shipped   ".into(), "shipped".into())),
        "{states:?}"
    );
    let profile = Profile::from_toml("t", &d.toml).unwrap();
    let report = check(&profile, &[path], &CheckOptions::default()).unwrap();
    assert!(report.is_clean(), "{report:#?}");
}

#[test]
fn check_says_when_a_file_is_not_in_the_profiles_format() {
    let pgmarket = builtin_profiles()
        .into_iter()
        .find(|p| p.name == "pgmarket")
        .unwrap();
    let report = check(
        &pgmarket,
        &[fixture("opaque.sql")],
        &CheckOptions::default(),
    )
    .unwrap();
    assert!(!report.is_clean());
    assert!(
        report.first_read_errors[0].contains("looks like mysql-dump"),
        "{:?}",
        report.first_read_errors
    );
}

/// Throughput of a draft over a large file: `DRAFT_BENCH_FILE=big.sql cargo test --release -p spector-ingest
/// --test draft -- --ignored --nocapture draft_throughput`.
#[test]
#[ignore = "a measurement, run by hand on a large file"]
fn draft_throughput() {
    let Some(path) = std::env::var_os("DRAFT_BENCH_FILE").map(PathBuf::from) else {
        eprintln!("skipped: set DRAFT_BENCH_FILE");
        return;
    };
    let start = std::time::Instant::now();
    let d = draft(std::slice::from_ref(&path), &DraftOptions::default()).unwrap();
    let secs = start.elapsed().as_secs_f64();
    let bytes = d.sources[0].bytes_read as f64;
    println!(
        "{}: {} rows, {:.1} MB in {secs:.2} s = {:.1} MB/s",
        path.display(),
        d.sources[0].rows,
        bytes / 1e6,
        bytes / 1e6 / secs
    );
}

/// Every reader case, broken ones included (truncated, wrong counts, bad quoting, Latin-1), drafts without
/// a panic into a profile the mapper accepts, and the drafted profile checks without a panic.
#[test]
fn every_reader_case_drafts_into_a_valid_profile() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut n = 0;
    for dir in ["mysql", "pg", "csv"] {
        for entry in std::fs::read_dir(data.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if !path.extension().is_some_and(|e| e == "sql" || e == "csv") {
                continue;
            }
            let d = match draft(std::slice::from_ref(&path), &DraftOptions::default()) {
                Ok(d) => d,
                // Files that are no recognisable format at all (the empty one) are refused, not drafted.
                Err(e) => {
                    assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
                    continue;
                }
            };
            let profile = Profile::from_toml(&path.display().to_string(), &d.toml)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), d.toml));
            check(
                &profile,
                std::slice::from_ref(&path),
                &CheckOptions::default(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n > 30, "{n} cases drafted");
}
