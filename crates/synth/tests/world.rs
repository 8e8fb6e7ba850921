//! The generated world against its contract (`docs/synth-world.md`), re-read with independent readers.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use pgp::composed::{Deserializable, SignedPublicKey};
use pgp::types::KeyDetails;
use spector_synth::Family;
use support::{
    Generated, Table, btc_in_text, handles_in_text, is_btc_address, key_emails, key_user_ids,
};

/// Scale 1 with 9 markets, generated once for every test in this file.
fn world() -> &'static Generated {
    static WORLD: OnceLock<Generated> = OnceLock::new();
    WORLD.get_or_init(|| support::generate(2024, 1.0, 9))
}

/// What the pipeline would store, counted from the files (the `counts.csv` definitions).
fn count_market(g: &Generated, market: &str) -> BTreeMap<&'static str, u64> {
    let t = g.tables(market);
    let mut c: BTreeMap<&'static str, u64> = BTreeMap::new();
    let rows = |name: &str| t[name].rows.len() as u64;
    let free_text: Vec<String> = match g.family(market) {
        Family::Laravel => {
            c.insert("accounts", rows("users"));
            c.insert("listings", rows("products"));
            c.insert("orders", rows("purchases"));
            c.insert("feedback", rows("feedback"));
            c.insert("messages", rows("messages"));
            c.insert(
                "pgp_keys",
                t["users"].values("pgp_key").flatten().count() as u64,
            );
            c.insert("crypto_addresses", rows("addresses"));
            c.insert(
                "shipping_info",
                t["purchases"].values("address").flatten().count() as u64,
            );
            c.insert(
                "photo_refs",
                t["products"].values("image").flatten().count() as u64,
            );
            t["users"]
                .values("about")
                .chain(t["messages"].values("content"))
                .flatten()
                .map(str::to_string)
                .collect()
        }
        Family::Pgmarket => {
            c.insert("accounts", rows("members"));
            c.insert("listings", rows("items"));
            c.insert("orders", rows("deals"));
            c.insert("feedback", rows("reviews"));
            c.insert("messages", rows("private_messages"));
            c.insert(
                "pgp_keys",
                t["members"].values("pgp").flatten().count() as u64,
            );
            c.insert("crypto_addresses", rows("wallets"));
            c.insert("shipping_info", 0);
            c.insert("photo_refs", rows("item_photos"));
            t["members"]
                .values("bio")
                .chain(t["private_messages"].values("subject"))
                .chain(t["private_messages"].values("body"))
                .flatten()
                .map(str::to_string)
                .collect()
        }
        Family::Scrape => {
            c.insert("accounts", rows("vendors"));
            c.insert("listings", rows("listings"));
            c.insert("orders", 0);
            c.insert("feedback", rows("feedback"));
            c.insert("messages", 0);
            c.insert(
                "pgp_keys",
                t["vendors"]
                    .values("pgp_key")
                    .flatten()
                    .filter(|k| !k.is_empty())
                    .count() as u64,
            );
            c.insert("crypto_addresses", 0);
            c.insert("shipping_info", 0);
            c.insert(
                "photo_refs",
                t["listings"]
                    .values("image_url")
                    .flatten()
                    .filter(|u| !u.is_empty())
                    .count() as u64,
            );
            t["vendors"]
                .values("profile")
                .flatten()
                .map(str::to_string)
                .collect()
        }
    };
    let prefix = format!("markets/{market}/images/");
    c.insert(
        "images",
        g.files.keys().filter(|p| p.starts_with(&prefix)).count() as u64,
    );
    let addresses: u64 = free_text.iter().map(|s| btc_in_text(s).len() as u64).sum();
    *c.entry("crypto_addresses").or_default() += addresses;
    // Enrichment reads the e-mail address of a key's user id as a handle of the account posting the key.
    let key_addresses: u64 = key_column(g, market)
        .iter()
        .map(|k| key_emails(k).len() as u64)
        .sum();
    c.insert(
        "contact_handles",
        free_text
            .iter()
            .map(|s| handles_in_text(s).len() as u64)
            .sum::<u64>()
            + key_addresses,
    );
    c
}

/// The non-empty key column values of a market's accounts.
fn key_column(g: &Generated, market: &str) -> Vec<String> {
    let t = g.tables(market);
    let (table, column) = match g.family(market) {
        Family::Laravel => ("users", "pgp_key"),
        Family::Pgmarket => ("members", "pgp"),
        Family::Scrape => ("vendors", "pgp_key"),
    };
    t[table]
        .values(column)
        .flatten()
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn counts_csv_matches_what_the_files_hold() {
    let g = world();
    let counts = g.truth("counts.csv");
    assert_eq!(counts.len(), 9 * 11);
    for m in &g.summary.markets {
        let counted = count_market(g, &m.name);
        for row in counts.iter().filter(|r| r[0] == m.name) {
            let expected: u64 = row[2].parse().expect("count");
            assert_eq!(
                counted.get(row[1].as_str()).copied(),
                Some(expected),
                "{} {}",
                m.name,
                row[1]
            );
        }
    }
}

/// (market, account) → persona.
fn personas_by_account(g: &Generated) -> BTreeMap<(String, String), String> {
    g.truth("accounts.csv")
        .into_iter()
        .map(|r| ((r[0].clone(), r[1].clone()), r[2].clone()))
        .collect()
}

fn account_names(g: &Generated, market: &str) -> Vec<String> {
    let t = g.tables(market);
    let (table, column) = match g.family(market) {
        Family::Laravel => ("users", "username"),
        Family::Pgmarket => ("members", "login"),
        Family::Scrape => ("vendors", "vendor"),
    };
    t[table]
        .values(column)
        .flatten()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_truth_account_is_in_its_market_files() {
    let g = world();
    let truth = personas_by_account(g);
    for m in &g.summary.markets {
        let in_files: BTreeSet<String> = account_names(g, &m.name).into_iter().collect();
        let in_truth: BTreeSet<String> = truth
            .keys()
            .filter(|(market, _)| *market == m.name)
            .map(|(_, a)| a.clone())
            .collect();
        assert_eq!(in_truth, in_files, "{}", m.name);
        // Names are unique per market, case-insensitively (MySQL's collation).
        let lower: BTreeSet<String> = in_files.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(lower.len(), in_files.len(), "{}", m.name);
    }
}

/// The text an account wrote: its profile and the messages it sent.
fn written_by(g: &Generated, market: &str, account: &str) -> Vec<String> {
    let t = g.tables(market);
    let mut out = Vec::new();
    match g.family(market) {
        Family::Laravel => {
            let users = &t["users"];
            let row = users
                .rows
                .iter()
                .find(|r| users.get(r, "username") == Some(account))
                .expect("user");
            let id = users.get(row, "id").expect("id");
            out.extend(users.get(row, "about").map(str::to_string));
            let msgs = &t["messages"];
            for r in msgs
                .rows
                .iter()
                .filter(|r| msgs.get(r, "sender_id") == Some(id))
            {
                out.extend(msgs.get(r, "content").map(str::to_string));
            }
        }
        Family::Pgmarket => {
            let members = &t["members"];
            let row = members
                .rows
                .iter()
                .find(|r| members.get(r, "login") == Some(account))
                .expect("member");
            let id = members.get(row, "member_id").expect("id");
            out.extend(members.get(row, "bio").map(str::to_string));
            let pms = &t["private_messages"];
            for r in pms
                .rows
                .iter()
                .filter(|r| pms.get(r, "from_member") == Some(id))
            {
                out.extend(pms.get(r, "body").map(str::to_string));
            }
        }
        Family::Scrape => {
            let v = &t["vendors"];
            let row = v
                .rows
                .iter()
                .find(|r| v.get(r, "vendor") == Some(account))
                .expect("vendor");
            out.extend(v.get(row, "profile").map(str::to_string));
        }
    }
    out
}

/// The key column and payout addresses of an account.
fn key_and_payouts(g: &Generated, market: &str, account: &str) -> (Option<String>, Vec<String>) {
    let t = g.tables(market);
    match g.family(market) {
        Family::Laravel => {
            let users = &t["users"];
            let row = users
                .rows
                .iter()
                .find(|r| users.get(r, "username") == Some(account))
                .expect("user");
            let id = users.get(row, "id").expect("id");
            let a = &t["addresses"];
            let payouts = a
                .rows
                .iter()
                .filter(|r| {
                    a.get(r, "user_id") == Some(id) && a.get(r, "purpose") == Some("payout")
                })
                .filter_map(|r| a.get(r, "address").map(str::to_string))
                .collect();
            (users.get(row, "pgp_key").map(str::to_string), payouts)
        }
        Family::Pgmarket => {
            let members = &t["members"];
            let row = members
                .rows
                .iter()
                .find(|r| members.get(r, "login") == Some(account))
                .expect("member");
            let id = members.get(row, "member_id").expect("id");
            let w = &t["wallets"];
            let payouts = w
                .rows
                .iter()
                .filter(|r| {
                    w.get(r, "member_id") == Some(id) && w.get(r, "purpose") == Some("payout")
                })
                .filter_map(|r| w.get(r, "address").map(str::to_string))
                .collect();
            (members.get(row, "pgp").map(str::to_string), payouts)
        }
        Family::Scrape => {
            let v = &t["vendors"];
            let row = v
                .rows
                .iter()
                .find(|r| v.get(r, "vendor") == Some(account))
                .expect("vendor");
            let key = v
                .get(row, "pgp_key")
                .filter(|k| !k.is_empty())
                .map(str::to_string);
            (key, Vec::new())
        }
    }
}

#[test]
fn planted_identifiers_are_real_shared_within_and_never_across_personas() {
    let g = world();
    let personas = personas_by_account(g);
    let rows = g.truth("identifiers.csv");
    assert!(!rows.is_empty());
    let mut owners: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut markets_of: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut fingerprints: BTreeMap<String, String> = BTreeMap::new();
    for r in &rows {
        let (market, account, kind, value) = (&r[0], &r[1], r[2].as_str(), &r[3]);
        let persona = personas
            .get(&(market.clone(), account.clone()))
            .unwrap_or_else(|| panic!("{market}/{account} not in accounts.csv"));
        owners
            .entry((kind.to_string(), value.clone()))
            .or_default()
            .insert(persona.clone());
        markets_of
            .entry((kind.to_string(), value.clone()))
            .or_default()
            .insert(market.clone());
        let (key, payouts) = key_and_payouts(g, market, account);
        match kind {
            "pgp_fingerprint" => {
                let armor = key.unwrap_or_else(|| panic!("{market}/{account} has no key"));
                let verified = fingerprints.len();
                let fp = fingerprints.entry(armor.clone()).or_insert_with(|| {
                    let (parsed, _) =
                        SignedPublicKey::from_string(&armor).expect("armored key parses");
                    // Signature checks are slow in debug builds: a sample proves the generator signs right.
                    if verified < 8 {
                        parsed.verify_bindings().expect("self-signatures verify");
                    }
                    hex::encode_upper(parsed.fingerprint().as_bytes())
                });
                assert_eq!(fp, value, "{market}/{account}");
            }
            "payout_address" => {
                let in_text = written_by(g, market, account)
                    .iter()
                    .any(|t| t.contains(value.as_str()));
                assert!(
                    payouts.contains(value) || in_text,
                    "{market}/{account} {value}"
                );
            }
            "contact_handle" => {
                let found = written_by(g, market, account)
                    .iter()
                    .any(|t| handles_in_text(t).contains(value))
                    || key.is_some_and(|k| key_emails(&k).contains(value));
                assert!(found, "{market}/{account} {value}");
            }
            other => panic!("unknown identifier kind {other}"),
        }
    }
    for ((kind, value), who) in &owners {
        assert_eq!(who.len(), 1, "{kind} {value} shared by personas {who:?}");
    }
    for kind in ["pgp_fingerprint", "payout_address", "contact_handle"] {
        let linking = markets_of
            .iter()
            .filter(|((k, _), m)| k == kind && m.len() >= 2)
            .count();
        assert!(linking > 0, "no {kind} links accounts across markets");
    }
    // Every key block in the files belongs to exactly the accounts the truth says.
    let keyed: usize = rows.iter().filter(|r| r[2] == "pgp_fingerprint").count();
    let keys_in_files: u64 = g
        .truth("counts.csv")
        .iter()
        .filter(|r| r[1] == "pgp_keys")
        .map(|r| r[2].parse::<u64>().expect("count"))
        .sum();
    assert_eq!(keyed as u64, keys_in_files);
}

#[test]
fn reused_keys_are_the_identical_armored_block() {
    let g = world();
    let personas = personas_by_account(g);
    let mut blocks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in &g.summary.markets {
        for account in account_names(g, &m.name) {
            if let (Some(key), _) = key_and_payouts(g, &m.name, &account) {
                blocks
                    .entry(key)
                    .or_default()
                    .insert(personas[&(m.name.clone(), account)].clone());
            }
        }
    }
    assert!(
        blocks.values().all(|p| p.len() == 1),
        "a key block is used by two personas"
    );
    let fingerprints = g.truth("identifiers.csv");
    let reused = fingerprints
        .iter()
        .filter(|r| r[2] == "pgp_fingerprint")
        .fold(BTreeMap::<&str, usize>::new(), |mut m, r| {
            *m.entry(r[3].as_str()).or_default() += 1;
            m
        })
        .into_values()
        .filter(|n| *n > 1)
        .count();
    assert!(reused > 0);
    // The number of distinct blocks equals the number of distinct fingerprints.
    let distinct_fps: BTreeSet<&str> = fingerprints
        .iter()
        .filter(|r| r[2] == "pgp_fingerprint")
        .map(|r| r[3].as_str())
        .collect();
    assert_eq!(blocks.len(), distinct_fps.len());
}

/// Daily closes from the shipped tables, for re-deriving USD.
fn daily(file: &str, column: &str) -> BTreeMap<String, f64> {
    let path = format!("{}/../../data/prices/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("price table");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = header.iter().position(|c| *c == column).expect("column");
    lines
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((f[0].to_string(), f.get(col)?.parse().ok()?))
        })
        .collect()
}

fn cents(decimal: &str) -> i64 {
    let (whole, frac) = decimal.split_once('.').expect("decimal");
    assert_eq!(frac.len(), 2, "{decimal}");
    whole.parse::<i64>().expect("whole") * 100 + frac.parse::<i64>().expect("frac")
}

#[test]
fn vendor_sales_are_re_derivable_from_the_order_tables() {
    let g = world();
    let btc = daily("btc_usd_daily_2011-01-01_2024-12-31.csv", "btc_usd");
    let xmr = daily("xmr_usd_daily_2014-09-17_2021-04-29.csv", "xmr_usd_close");
    let truth: BTreeMap<(String, String), (u64, i64)> = g
        .truth("vendor_sales.csv")
        .into_iter()
        .map(|r| {
            (
                (r[0].clone(), r[1].clone()),
                (r[3].parse().expect("orders"), cents(&r[4])),
            )
        })
        .collect();
    for m in g
        .summary
        .markets
        .iter()
        .filter(|m| m.family != Family::Scrape)
    {
        let t = g.tables(&m.name);
        let mut derived: BTreeMap<String, (u64, i64)> = BTreeMap::new();
        if m.family == Family::Laravel {
            let users: BTreeMap<&str, &str> = t["users"]
                .rows
                .iter()
                .map(|r| {
                    (
                        t["users"].get(r, "id").unwrap(),
                        t["users"].get(r, "username").unwrap(),
                    )
                })
                .collect();
            let offers: BTreeMap<&str, i64> = t["offers"]
                .rows
                .iter()
                .map(|r| {
                    (
                        t["offers"].get(r, "id").unwrap(),
                        cents(t["offers"].get(r, "price").unwrap()),
                    )
                })
                .collect();
            let p = &t["purchases"];
            for r in &p.rows {
                let quantity: i64 = p.get(r, "quantity").unwrap().parse().unwrap();
                let usd = offers[p.get(r, "offer_id").unwrap()] * quantity;
                // The coin amount converts back to the same cents at the order day's close.
                let day = &p.get(r, "created_at").unwrap()[..10];
                let rate = match p.get(r, "coin_name").unwrap() {
                    "btc" => btc[day],
                    "xmr" => xmr[day],
                    other => panic!("coin {other}"),
                };
                let to_pay: f64 = p.get(r, "to_pay").unwrap().parse().unwrap();
                assert_eq!(
                    (to_pay * rate * 100.0).round() as i64,
                    usd,
                    "{} {r:?}",
                    m.name
                );
                if matches!(p.get(r, "state"), Some("sent" | "delivered")) {
                    let e = derived
                        .entry(users[p.get(r, "vendor_id").unwrap()].to_string())
                        .or_default();
                    e.0 += 1;
                    e.1 += usd;
                }
            }
        } else {
            let members: BTreeMap<&str, &str> = t["members"]
                .rows
                .iter()
                .map(|r| {
                    (
                        t["members"].get(r, "member_id").unwrap(),
                        t["members"].get(r, "login").unwrap(),
                    )
                })
                .collect();
            let d = &t["deals"];
            for r in d
                .rows
                .iter()
                .filter(|r| matches!(d.get(r, "status"), Some("SHIPPED" | "DONE")))
            {
                let e = derived
                    .entry(members[d.get(r, "seller_id").unwrap()].to_string())
                    .or_default();
                e.0 += 1;
                e.1 += cents(d.get(r, "total_usd").unwrap());
            }
        }
        for (account, sales) in &derived {
            assert_eq!(
                truth.get(&(m.name.clone(), account.clone())),
                Some(sales),
                "{}/{account}",
                m.name
            );
        }
        let truth_total: i64 = truth
            .iter()
            .filter(|((mk, _), _)| *mk == m.name)
            .map(|(_, s)| s.1)
            .sum();
        assert_eq!(
            truth_total,
            derived.values().map(|s| s.1).sum::<i64>(),
            "{}",
            m.name
        );
    }
}

#[test]
fn a_vendor_persona_sells_on_five_or_more_markets() {
    let g = world();
    let mut markets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in g.truth("vendor_sales.csv") {
        markets
            .entry(r[2].clone())
            .or_default()
            .insert(r[0].clone());
    }
    let widest = markets.values().map(BTreeSet::len).max().unwrap_or(0);
    assert!(widest >= 5, "widest vendor persona is on {widest} markets");
    // Most vendor personas are on one or two markets.
    let narrow = markets.values().filter(|m| m.len() <= 2).count();
    assert!(narrow * 2 > markets.len());
}

#[test]
fn some_buyers_resell() {
    let g = world();
    let personas = personas_by_account(g);
    let vendors: BTreeSet<String> = g
        .truth("vendor_sales.csv")
        .into_iter()
        .map(|r| r[2].clone())
        .collect();
    // Personas that bought (as a buyer account) on a market with order tables.
    let mut buyers: BTreeSet<String> = BTreeSet::new();
    for m in g
        .summary
        .markets
        .iter()
        .filter(|m| m.family != Family::Scrape)
    {
        let t = g.tables(&m.name);
        let (accounts, id, name, orders, buyer) = match m.family {
            Family::Laravel => ("users", "id", "username", "purchases", "buyer_id"),
            _ => ("members", "member_id", "login", "deals", "buyer_id"),
        };
        let names: BTreeMap<&str, &str> = t[accounts]
            .rows
            .iter()
            .map(|r| {
                (
                    t[accounts].get(r, id).unwrap(),
                    t[accounts].get(r, name).unwrap(),
                )
            })
            .collect();
        for b in t[orders].values(buyer).flatten() {
            buyers.insert(personas[&(m.name.clone(), names[b].to_string())].clone());
        }
    }
    let resellers = buyers.intersection(&vendors).count();
    assert!(resellers >= 3, "only {resellers} buying personas also sell");
}

#[test]
fn addresses_are_valid_and_traps_are_shared() {
    let g = world();
    let world_json: serde_json::Value =
        serde_json::from_str(g.text("truth/world.json")).expect("json");
    let identifiers: BTreeSet<String> = g
        .truth("identifiers.csv")
        .into_iter()
        .map(|r| r[3].clone())
        .collect();
    for (i, m) in g.summary.markets.iter().enumerate() {
        let t = g.tables(&m.name);
        let traps = &world_json["markets"][i]["traps"];
        match m.family {
            Family::Laravel => {
                let a = &t["addresses"];
                for r in &a.rows {
                    let address = a.get(r, "address").unwrap();
                    match a.get(r, "coin") {
                        Some("btc") => assert!(is_btc_address(address), "{address}"),
                        _ => assert!(address.len() == 95 && address.starts_with('4'), "{address}"),
                    }
                }
                let bond = traps["bond"].as_str().expect("bond");
                let bonds: Vec<&str> = a
                    .rows
                    .iter()
                    .filter(|r| a.get(r, "purpose") == Some("bond"))
                    .map(|r| a.get(r, "address").unwrap())
                    .collect();
                assert!(bonds.len() > 1 && bonds.iter().all(|b| *b == bond));
                assert!(!identifiers.contains(bond));
                let deposits: BTreeSet<&str> = t["purchases"]
                    .values("marketplace_address")
                    .flatten()
                    .collect();
                assert!(deposits.len() < 8 && deposits.iter().all(|d| is_btc_address(d)));
            }
            Family::Pgmarket => {
                let w = &t["wallets"];
                let deposits: Vec<&str> = w
                    .rows
                    .iter()
                    .filter(|r| w.get(r, "purpose") == Some("deposit"))
                    .map(|r| w.get(r, "address").unwrap())
                    .collect();
                let distinct: BTreeSet<&str> = deposits.iter().copied().collect();
                assert!(deposits.len() > 10 && distinct.len() <= 6);
                assert!(distinct.iter().all(|d| !identifiers.contains(*d)));
            }
            Family::Scrape => {
                let escrow = traps["escrow"].as_str().expect("escrow");
                assert!(is_btc_address(escrow));
                for profile in t["vendors"].values("profile").flatten() {
                    assert!(profile.contains(&format!("pay only through escrow: {escrow}")));
                }
                assert!(!identifiers.contains(escrow));
            }
        }
    }
}

#[test]
fn timestamps_stay_inside_the_world_window() {
    let g = world();
    let in_window = |ts: &str| ("2019-01-01".."2021-04-01").contains(&&ts[..10]);
    for m in &g.summary.markets {
        let t = g.tables(&m.name);
        let columns: &[(&str, &str)] = match m.family {
            Family::Laravel => &[
                ("users", "created_at"),
                ("products", "created_at"),
                ("purchases", "created_at"),
                ("feedback", "created_at"),
                ("messages", "created_at"),
            ],
            Family::Pgmarket => &[
                ("members", "joined"),
                ("items", "listed_at"),
                ("deals", "opened_at"),
                ("reviews", "posted_at"),
                ("private_messages", "sent_at"),
            ],
            Family::Scrape => &[
                ("vendors", "joined"),
                ("feedback", "date"),
                ("listings", "crawled_at"),
            ],
        };
        for (table, column) in columns {
            for ts in t[*table].values(column).flatten() {
                assert!(in_window(ts), "{}.{table}.{column} = {ts}", m.name);
            }
        }
        if m.family == Family::Pgmarket {
            assert!(
                t["deals"]
                    .values("opened_at")
                    .flatten()
                    .all(|ts| ts.ends_with("+00"))
            );
        }
    }
}

#[test]
fn feedback_covers_about_sixty_percent_of_orders() {
    let g = world();
    let (mut orders, mut feedback) = (0u64, 0u64);
    for m in g
        .summary
        .markets
        .iter()
        .filter(|m| m.family != Family::Scrape)
    {
        orders += m.counts.orders;
        feedback += m.counts.feedback;
    }
    let share = feedback as f64 / orders as f64;
    assert!((0.5..0.7).contains(&share), "feedback share {share}");
}

#[test]
fn listings_speak_the_trade() {
    let g = world();
    let mut titles = String::new();
    for m in &g.summary.markets {
        let t: &BTreeMap<String, Table> = g.tables(&m.name);
        let (table, column) = match m.family {
            Family::Laravel => ("products", "name"),
            Family::Pgmarket => ("items", "headline"),
            Family::Scrape => ("listings", "title"),
        };
        for title in t[table].values(column).flatten() {
            titles.push_str(&title.to_lowercase());
            titles.push('\n');
        }
    }
    for word in ["m30", "fent", "x", "g "] {
        assert!(titles.contains(word), "no listing mentions {word:?}");
    }
}

/// What a key shows of how it was made: curve, creation time, user id form.
fn key_making(armor: &str) -> (String, i64, &'static str) {
    let (key, _) = SignedPublicKey::from_string(armor).expect("armored key parses");
    let curve = match key.public_params() {
        pgp::types::PublicParams::ECDSA(p) => format!("{:?}", p.curve()),
        pgp::types::PublicParams::EdDSALegacy(_) => "Ed25519Legacy".to_string(),
        pgp::types::PublicParams::Ed25519(_) => "Ed25519".to_string(),
        other => panic!("an elliptic-curve key: {other:?}"),
    };
    let uid = key_user_ids(armor).into_iter().next().expect("a user id");
    let form = if uid.ends_with('>') {
        "email"
    } else if uid.ends_with(')') {
        "comment"
    } else {
        "name"
    };
    (curve, i64::from(key.created_at().as_secs()), form)
}

#[test]
fn a_sellers_keys_share_its_habit_of_making_them() {
    let g = world();
    let personas = personas_by_account(g);
    // Persona → its distinct keys (a key used on every market counts once).
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in &g.summary.markets {
        for account in account_names(g, &m.name) {
            if let (Some(key), _) = key_and_payouts(g, &m.name, &account) {
                keys.entry(personas[&(m.name.clone(), account)].clone())
                    .or_default()
                    .insert(key);
            }
        }
    }
    let made: BTreeMap<&String, Vec<(String, i64, &str)>> = keys
        .iter()
        .map(|(p, ks)| (p, ks.iter().map(|k| key_making(k)).collect()))
        .collect();
    let all: Vec<&(String, i64, &str)> = made.values().flatten().collect();
    let share = |f: &dyn Fn(&(String, i64, &str)) -> bool| {
        all.iter().filter(|k| f(k)).count() as f64 / all.len() as f64
    };
    // The population: Ed25519 most common, several curves, the three user id forms.
    let ed = share(&|k| k.0 == "Ed25519Legacy");
    assert!((0.5..0.9).contains(&ed), "Ed25519 share {ed}");
    let curves: BTreeSet<&str> = all.iter().map(|k| k.0.as_str()).collect();
    assert!(curves.len() >= 3, "{curves:?}");
    let forms: BTreeSet<&str> = all.iter().map(|k| k.2).collect();
    assert_eq!(forms.len(), 3, "{forms:?}");

    // Within a persona, keys are mostly made alike; between personas, as alike as chance makes them.
    let (mut same, mut pairs, mut one_sitting) = (0, 0, 0);
    for ks in made.values() {
        for (i, a) in ks.iter().enumerate() {
            for b in &ks[i + 1..] {
                pairs += 1;
                same += usize::from(a.0 == b.0 && a.2 == b.2);
                one_sitting += usize::from((a.1 - b.1).abs() <= 3 * 86_400);
            }
        }
    }
    assert!(pairs >= 20, "{pairs} pairs of one persona's keys");
    let within = same as f64 / pairs as f64;
    let by_chance = {
        let (mut same, mut n) = (0, 0);
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                n += 1;
                same += usize::from(a.0 == b.0 && a.2 == b.2);
            }
        }
        same as f64 / n as f64
    };
    assert!(
        within >= 0.7,
        "same algorithm and form within personas {within}"
    );
    assert!(
        by_chance <= 0.45,
        "same algorithm and form by chance {by_chance}"
    );
    assert!(
        one_sitting > 0,
        "some sellers make their keys in one sitting"
    );

    // Addresses in user ids are new for every key: they link no two keys.
    let mut addresses: BTreeSet<String> = BTreeSet::new();
    for ks in keys.values() {
        for k in ks {
            for a in key_emails(k) {
                assert!(addresses.insert(a.clone()), "{a} in two keys");
            }
        }
    }
    assert!(!addresses.is_empty());
}

#[test]
fn every_photo_reference_names_a_file_of_its_market_and_the_truth_lists_every_file() {
    let g = world();
    let photos = g.truth("photos.csv");
    let listed: BTreeSet<(String, String)> = photos
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let on_disk: BTreeSet<(String, String)> = g
        .files
        .keys()
        .filter_map(|p| {
            let rest = p.strip_prefix("markets/")?;
            let (market, file) = rest.split_once('/')?;
            file.starts_with("images/")
                .then(|| (market.to_string(), file.to_string()))
        })
        .collect();
    assert_eq!(listed, on_disk);
    let personas = personas_by_account(g);
    let mut stock_holders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &photos {
        // An own shot is the uploading account's persona's, never another's.
        let owner = &personas[&(r[0].clone(), r[2].clone())];
        assert_eq!(owner, &r[3]);
        match r[4].split_once('/') {
            Some(("stock", _)) => {
                stock_holders
                    .entry(r[4].clone())
                    .or_default()
                    .insert(format!("{}/{}", r[0], r[2]));
            }
            Some((persona, _)) => assert_eq!(persona, owner, "{r:?}"),
            None => panic!("picture {:?}", r[4]),
        }
    }
    // Stock pictures are shown by many sellers' accounts (more than the linker's common limit of twelve).
    assert!(!stock_holders.is_empty());
    for (picture, holders) in &stock_holders {
        assert!(holders.len() > 12, "{picture}: {} accounts", holders.len());
    }
    for m in &g.summary.markets {
        let t = g.tables(&m.name);
        let references: Vec<String> = match g.family(&m.name) {
            Family::Laravel => t["products"]
                .values("image")
                .flatten()
                .map(str::to_string)
                .collect(),
            Family::Pgmarket => t["item_photos"]
                .values("path")
                .flatten()
                .map(str::to_string)
                .collect(),
            Family::Scrape => t["listings"]
                .values("image_url")
                .flatten()
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect(),
        };
        assert!(!references.is_empty(), "{}", m.name);
        for r in references {
            let name = r
                .split('?')
                .next()
                .unwrap_or(&r)
                .rsplit('/')
                .next()
                .unwrap_or(&r);
            let file = format!("images/{name}");
            assert!(listed.contains(&(m.name.clone(), file)), "{}: {r}", m.name);
        }
    }
}
