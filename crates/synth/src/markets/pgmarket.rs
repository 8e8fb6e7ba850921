//! Family `pgmarket`: `markets/<m>/<m>.pgdump.sql`, a pg_dump of a custom PostgreSQL market.

use std::path::Path;

use rand::Rng;

use super::coin_upper;
use crate::SynthError;
use crate::clock;
use crate::formats::pgdump::{Pg, PgDump, PgForeignKey, PgTable};
use crate::formats::sink::Progress;
use crate::orders::OrderSource;
use crate::prices::Coin;
use crate::seed::stream;
use crate::text::{catalog, prose};
use crate::truth::MarketTruth;
use crate::world::{Market, Role, World};

const TZ: &str = "timestamp with time zone";

const TABLES: [PgTable; 7] = [
    PgTable {
        name: "deals",
        columns: &[
            ("deal_id", "bigint"),
            ("item_id", "bigint"),
            ("buyer_id", "bigint"),
            ("seller_id", "bigint"),
            ("qty", "integer"),
            ("total_usd", "numeric(12,2)"),
            ("status", "text"),
            ("opened_at", TZ),
        ],
        key: "deal_id",
    },
    PgTable {
        name: "item_photos",
        columns: &[
            ("photo_id", "bigint"),
            ("item_id", "bigint"),
            ("path", "text"),
            ("position", "smallint"),
        ],
        key: "photo_id",
    },
    PgTable {
        name: "items",
        columns: &[
            ("item_id", "bigint"),
            ("seller_id", "bigint"),
            ("headline", "text"),
            ("body", "text"),
            ("section", "text"),
            ("price_usd", "numeric(12,2)"),
            ("ship_from", "text"),
            ("ship_to", "text"),
            ("listed_at", TZ),
        ],
        key: "item_id",
    },
    PgTable {
        name: "members",
        columns: &[
            ("member_id", "bigint"),
            ("login", "text"),
            ("kind", "smallint"),
            ("joined", TZ),
            ("pgp", "text"),
            ("bio", "text"),
        ],
        key: "member_id",
    },
    PgTable {
        name: "private_messages",
        columns: &[
            ("pm_id", "bigint"),
            ("from_member", "bigint"),
            ("to_member", "bigint"),
            ("subject", "text"),
            ("body", "text"),
            ("sent_at", TZ),
        ],
        key: "pm_id",
    },
    PgTable {
        name: "reviews",
        columns: &[
            ("review_id", "bigint"),
            ("deal_id", "bigint"),
            ("score", "smallint"),
            ("remark", "text"),
            ("posted_at", TZ),
        ],
        key: "review_id",
    },
    PgTable {
        name: "wallets",
        columns: &[
            ("wallet_id", "bigint"),
            ("member_id", "bigint"),
            ("currency", "text"),
            ("address", "text"),
            ("purpose", "text"),
        ],
        key: "wallet_id",
    },
];

const INDEXES: [(&str, &str); 6] = [
    ("deals", "buyer_id"),
    ("deals", "seller_id"),
    ("item_photos", "item_id"),
    ("items", "seller_id"),
    ("reviews", "deal_id"),
    ("wallets", "member_id"),
];

const FOREIGN_KEYS: [PgForeignKey; 9] = [
    ("deals", "buyer_id", "members", "member_id"),
    ("deals", "item_id", "items", "item_id"),
    ("deals", "seller_id", "members", "member_id"),
    ("item_photos", "item_id", "items", "item_id"),
    ("items", "seller_id", "members", "member_id"),
    ("private_messages", "from_member", "members", "member_id"),
    ("private_messages", "to_member", "members", "member_id"),
    ("reviews", "deal_id", "deals", "deal_id"),
    ("wallets", "member_id", "members", "member_id"),
];

/// `Opioids / Fentanyl`: the section path without the root.
fn section(category: usize) -> String {
    let path = catalog::category_path(category);
    let start = usize::from(path.len() > 1 && path[0] == "Drugs");
    path[start..].join(" / ")
}

pub fn write(
    world: &World,
    market: &Market,
    dir: &Path,
    progress: &Progress<'_>,
) -> Result<(MarketTruth, u64), SynthError> {
    let source = OrderSource::new(world, market);
    let mut truth = MarketTruth::new(world, market);
    let path = dir.join(format!("{}.pgdump.sql", market.name));
    let owner = format!("{}_app", market.name);
    let mut dump = PgDump::create(&path, &owner, &TABLES, progress)?;
    let member = |i: usize| market.accounts[i].id as i64;

    dump.begin_copy(&TABLES[0])?;
    for i in 0..source.count() {
        let order = source.order(i);
        let listing = &market.listings[order.listing];
        let total = order.usd.to_decimal();
        let opened = clock::pg(order.created);
        dump.row(&[
            Pg::Int(order.id() as i64),
            Pg::Int(listing.id as i64),
            Pg::Int(member(order.buyer)),
            Pg::Int(member(listing.vendor)),
            Pg::Int(order.quantity.into()),
            Pg::Raw(&total),
            Pg::Raw(order.state.pgmarket()),
            Pg::Raw(&opened),
        ])?;
        truth.counts.orders += 1;
        truth.record_sale(market, &order);
        progress.order_written();
    }
    dump.end_copy()?;

    dump.begin_copy(&TABLES[1])?;
    let mut photo_id = 0i64;
    for listing in &market.listings {
        for (position, &i) in listing.photos.iter().enumerate() {
            photo_id += 1;
            dump.row(&[
                Pg::Int(photo_id),
                Pg::Int(listing.id as i64),
                Pg::Text(&format!("/static/items/{}", market.images[i].name)),
                Pg::Int(position as i64 + 1),
            ])?;
        }
    }
    truth.counts.photo_refs = photo_id as u64;
    dump.end_copy()?;

    dump.begin_copy(&TABLES[2])?;
    for listing in &market.listings {
        dump.row(&[
            Pg::Int(listing.id as i64),
            Pg::Int(member(listing.vendor)),
            Pg::Text(&listing.title),
            Pg::Text(&listing.description),
            Pg::Text(&section(listing.category)),
            Pg::Raw(&listing.price.to_decimal()),
            Pg::Text(&listing.ships_from),
            Pg::Text(&listing.ships_to),
            Pg::Raw(&clock::pg(listing.created)),
        ])?;
    }
    truth.counts.listings = market.listings.len() as u64;
    dump.end_copy()?;

    dump.begin_copy(&TABLES[3])?;
    for account in &market.accounts {
        let kind = match account.role {
            Role::Buyer => 1,
            Role::Vendor => 2,
            Role::Staff => 9,
        };
        let key = account.key.map(|k| world.keys[k].armor.as_str());
        dump.row(&[
            Pg::Int(account.id as i64),
            Pg::Text(&account.name),
            Pg::Int(kind),
            Pg::Raw(&clock::pg(account.created)),
            key.map_or(Pg::Null, Pg::Text),
            account.profile.as_deref().map_or(Pg::Null, Pg::Text),
        ])?;
        truth.counts.pgp_keys += u64::from(key.is_some());
        truth.counts.contact_handles += u64::from(account.handle_in_profile)
            + u64::from(account.key.is_some_and(|k| world.keys[k].email.is_some()));
    }
    truth.counts.accounts = market.accounts.len() as u64;
    dump.end_copy()?;

    dump.begin_copy(&TABLES[4])?;
    let mut pm_id = 0i64;
    if let Some(staff) = market.staff {
        let mut rng = stream(world.seed, "welcome", market.index as u64, 0);
        for (i, vendor) in market.accounts.iter().enumerate() {
            if vendor.role != Role::Vendor {
                continue;
            }
            pm_id += 1;
            let body = prose::staff_welcome(&mut rng, market.name);
            let at = vendor.created + rng.gen_range(300..7200);
            dump.row(&[
                Pg::Int(pm_id),
                Pg::Int(member(staff)),
                Pg::Int(member(i)),
                Pg::Text("Welcome"),
                Pg::Text(&body),
                Pg::Raw(&clock::pg(at)),
            ])?;
            truth.record_message(staff, None);
        }
    }
    for i in 0..source.count() {
        let order = source.order(i);
        for m in source.thread(&order) {
            pm_id += 1;
            dump.row(&[
                Pg::Int(pm_id),
                Pg::Int(member(m.from)),
                Pg::Int(member(m.to)),
                Pg::Text(&m.subject),
                Pg::Text(&m.body),
                Pg::Raw(&clock::pg(m.at)),
            ])?;
            truth.record_message(m.from, m.planted.as_ref());
        }
    }
    dump.end_copy()?;

    dump.begin_copy(&TABLES[5])?;
    let mut review_id = 0i64;
    for i in 0..source.count() {
        let order = source.order(i);
        let Some(fb) = source.feedback(&order) else {
            continue;
        };
        review_id += 1;
        dump.row(&[
            Pg::Int(review_id),
            Pg::Int(order.id() as i64),
            Pg::Int(fb.score.into()),
            if fb.comment.is_empty() {
                Pg::Null
            } else {
                Pg::Text(&fb.comment)
            },
            Pg::Raw(&clock::pg(fb.at)),
        ])?;
    }
    truth.counts.feedback = review_id as u64;
    dump.end_copy()?;

    dump.begin_copy(&TABLES[6])?;
    let mut wallet_id = 0i64;
    for account in &market.accounts {
        let mut rows: Vec<(&str, &str, &str)> = Vec::new();
        if let Some(a) = &account.payout_btc {
            rows.push((coin_upper(Coin::Btc), a, "payout"));
        }
        if let Some(a) = &account.payout_xmr {
            rows.push((coin_upper(Coin::Xmr), a, "payout"));
        }
        if let Some((coin, a)) = &account.refund {
            rows.push((coin_upper(*coin), a, "refund"));
        }
        if let Some(d) = account.deposit
            && let Some(a) = market.traps.deposits.get(d)
        {
            rows.push(("BTC", a, "deposit"));
        }
        for (currency, address, purpose) in rows {
            wallet_id += 1;
            dump.row(&[
                Pg::Int(wallet_id),
                Pg::Int(account.id as i64),
                Pg::Raw(currency),
                Pg::Text(address),
                Pg::Raw(purpose),
            ])?;
            truth.counts.crypto_addresses += 1;
        }
    }
    dump.end_copy()?;

    let last_ids = [
        source.count(),
        photo_id as u64,
        market.listings.len() as u64,
        market.accounts.len() as u64,
        pm_id as u64,
        review_id as u64,
        wallet_id as u64,
    ];
    let bytes = dump.finish(&TABLES, &last_ids, &INDEXES, &FOREIGN_KEYS)?;
    Ok((truth, bytes))
}
