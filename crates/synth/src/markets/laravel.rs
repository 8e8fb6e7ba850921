//! Family `laravel`: `markets/<m>/<m>.sql`, a mysqldump of a Laravel-style market.

use std::path::Path;

use rand::Rng;

use super::{Census, coin_lower};
use crate::SynthError;
use crate::clock;
use crate::formats::mysqldump::{MysqlDump, Sql};
use crate::formats::sink::Progress;
use crate::money::CoinAmount;
use crate::orders::OrderSource;
use crate::seed::stream;
use crate::text::{catalog, prose};
use crate::truth::MarketTruth;
use crate::world::{Market, Role, World};

const OPTIONS: &str = "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

fn options(next_id: Option<u64>) -> String {
    match next_id {
        Some(n) => format!("ENGINE=InnoDB AUTO_INCREMENT={n} {OPTIONS}"),
        None => format!("ENGINE=InnoDB {OPTIONS}"),
    }
}

const ADDRESSES: &str = "  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `user_id` bigint(20) unsigned NOT NULL,
  `address` varchar(255) NOT NULL,
  `coin` varchar(10) NOT NULL,
  `purpose` varchar(20) NOT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `addresses_user_id_foreign` (`user_id`),
  CONSTRAINT `addresses_user_id_foreign` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE";

const CATEGORIES: &str = "  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(255) NOT NULL,
  `parent_id` int(10) unsigned DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `categories_parent_id_foreign` (`parent_id`)";

const FEEDBACK: &str = "  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `vendor_id` bigint(20) unsigned NOT NULL,
  `product_id` char(36) NOT NULL,
  `buyer_id` bigint(20) unsigned NOT NULL,
  `purchase_id` char(36) NOT NULL,
  `product_name` varchar(255) NOT NULL,
  `comment` text DEFAULT NULL,
  `quality_rate` tinyint(3) unsigned NOT NULL,
  `communication_rate` tinyint(3) unsigned NOT NULL,
  `shipping_rate` tinyint(3) unsigned NOT NULL,
  `type` enum('positive','neutral','negative') NOT NULL,
  `product_value` decimal(16,2) NOT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `feedback_vendor_id_foreign` (`vendor_id`),
  KEY `feedback_purchase_id_foreign` (`purchase_id`)";

const MESSAGES: &str = "  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `sender_id` bigint(20) unsigned NOT NULL,
  `receiver_id` bigint(20) unsigned NOT NULL,
  `content` text NOT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `messages_sender_id_foreign` (`sender_id`),
  KEY `messages_receiver_id_foreign` (`receiver_id`)";

const OFFERS: &str = "  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `product_id` char(36) NOT NULL,
  `min_quantity` int(10) unsigned NOT NULL DEFAULT 1,
  `price` decimal(16,2) NOT NULL,
  `deleted` tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `offers_product_id_foreign` (`product_id`)";

const PRODUCTS: &str = "  `id` char(36) NOT NULL,
  `user_id` bigint(20) unsigned NOT NULL,
  `category_id` int(10) unsigned NOT NULL,
  `name` varchar(255) NOT NULL,
  `description` text NOT NULL,
  `country_from` varchar(255) NOT NULL,
  `countries` text NOT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  `image` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `products_user_id_foreign` (`user_id`),
  KEY `products_category_id_foreign` (`category_id`)";

const PURCHASES: &str = "  `id` char(36) NOT NULL,
  `offer_id` bigint(20) unsigned NOT NULL,
  `buyer_id` bigint(20) unsigned NOT NULL,
  `vendor_id` bigint(20) unsigned NOT NULL,
  `quantity` int(10) unsigned NOT NULL,
  `to_pay` decimal(24,8) NOT NULL,
  `coin_name` varchar(10) NOT NULL,
  `state` enum('purchased','sent','delivered','disputed','canceled') NOT NULL DEFAULT 'purchased',
  `marketplace_address` varchar(255) NOT NULL,
  `address` text NOT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `purchases_buyer_id_foreign` (`buyer_id`),
  KEY `purchases_vendor_id_foreign` (`vendor_id`),
  KEY `purchases_offer_id_foreign` (`offer_id`)";

const USERS: &str = "  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `username` varchar(255) NOT NULL,
  `role` enum('buyer','vendor','admin') NOT NULL DEFAULT 'buyer',
  `about` text DEFAULT NULL,
  `pgp_key` text DEFAULT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_username_unique` (`username`)";

/// Writes the market; returns its truth and the dump's size.
pub fn write(
    world: &World,
    market: &Market,
    dir: &Path,
    progress: &Progress<'_>,
) -> Result<(MarketTruth, u64), SynthError> {
    let source = OrderSource::new(world, market);
    let census = Census::take(&source);
    let mut truth = MarketTruth::new(world, market);
    let path = dir.join(format!("{}.sql", market.name));
    let mut dump = MysqlDump::create(&path, market.name, progress)?;

    write_addresses(&mut dump, market, &mut truth)?;

    dump.begin_table(
        "categories",
        CATEGORIES,
        &options(Some(catalog::CATEGORIES.len() as u64 + 1)),
    )?;
    for (i, (name, parent)) in catalog::CATEGORIES.iter().enumerate() {
        let parent = parent.map_or(Sql::Null, |p| Sql::Int(p as i64 + 1));
        dump.row(&[Sql::Int(i as i64 + 1), Sql::Str(name), parent])?;
    }
    dump.end_table()?;

    dump.begin_table("feedback", FEEDBACK, &options(Some(census.feedback + 1)))?;
    let mut feedback_id = 0;
    for i in 0..source.count() {
        let order = source.order(i);
        let Some(fb) = source.feedback(&order) else {
            continue;
        };
        feedback_id += 1;
        let listing = &market.listings[order.listing];
        let kind = match fb.stars {
            4..=5 => "positive",
            3 => "neutral",
            _ => "negative",
        };
        let value = order.usd.to_decimal();
        let purchase = source.purchase_uuid(&order);
        dump.row(&[
            Sql::Int(feedback_id),
            Sql::Int(market.accounts[listing.vendor].id as i64),
            Sql::Str(&listing.uuid),
            Sql::Int(market.accounts[order.buyer].id as i64),
            Sql::Str(&purchase),
            Sql::Str(&listing.title),
            if fb.comment.is_empty() {
                Sql::Null
            } else {
                Sql::Str(&fb.comment)
            },
            Sql::Int(fb.rates[0].into()),
            Sql::Int(fb.rates[1].into()),
            Sql::Int(fb.rates[2].into()),
            Sql::Str(kind),
            Sql::Num(&value),
            Sql::Str(&clock::sql(fb.at)),
        ])?;
    }
    truth.counts.feedback = feedback_id as u64;
    debug_assert_eq!(
        census.feedback, feedback_id as u64,
        "census and feedback pass disagree"
    );
    dump.end_table()?;

    let welcomes = market.staff.map_or(0, |_| {
        market
            .accounts
            .iter()
            .filter(|a| a.role == Role::Vendor)
            .count()
    });
    dump.begin_table(
        "messages",
        MESSAGES,
        &options(Some(welcomes as u64 + census.messages + 1)),
    )?;
    let mut message_id = 0;
    if let Some(staff) = market.staff {
        let mut rng = stream(world.seed, "welcome", market.index as u64, 0);
        for vendor in market.accounts.iter().filter(|a| a.role == Role::Vendor) {
            message_id += 1;
            let text = prose::staff_welcome(&mut rng, market.name);
            let at = vendor.created + rng.gen_range(300..7200);
            dump.row(&[
                Sql::Int(message_id),
                Sql::Int(market.accounts[staff].id as i64),
                Sql::Int(vendor.id as i64),
                Sql::Str(&text),
                Sql::Str(&clock::sql(at)),
            ])?;
            truth.record_message(staff, None);
        }
    }
    for i in 0..source.count() {
        let order = source.order(i);
        for m in source.thread(&order) {
            message_id += 1;
            dump.row(&[
                Sql::Int(message_id),
                Sql::Int(market.accounts[m.from].id as i64),
                Sql::Int(market.accounts[m.to].id as i64),
                Sql::Str(&m.body),
                Sql::Str(&clock::sql(m.at)),
            ])?;
            truth.record_message(m.from, m.planted.as_ref());
        }
    }
    debug_assert_eq!(
        welcomes as u64 + census.messages,
        message_id as u64,
        "census and messages disagree"
    );
    dump.end_table()?;

    let offers: u64 = market.listings.iter().map(|l| l.offers.len() as u64).sum();
    dump.begin_table("offers", OFFERS, &options(Some(offers + 1)))?;
    for listing in &market.listings {
        for offer in &listing.offers {
            dump.row(&[
                Sql::Int(offer.id as i64),
                Sql::Str(&listing.uuid),
                Sql::Int(offer.min_quantity.into()),
                Sql::Num(&offer.unit_price.to_decimal()),
                Sql::Int(offer.deleted.into()),
            ])?;
        }
    }
    dump.end_table()?;

    dump.begin_table("products", PRODUCTS, &options(None))?;
    for listing in &market.listings {
        // The upload script keeps the first photo's path beside the product.
        let image = listing
            .photos
            .first()
            .map(|&i| format!("uploads/products/{}", market.images[i].name));
        truth.counts.photo_refs += u64::from(image.is_some());
        dump.row(&[
            Sql::Str(&listing.uuid),
            Sql::Int(market.accounts[listing.vendor].id as i64),
            Sql::Int(listing.category as i64 + 1),
            Sql::Str(&listing.title),
            Sql::Str(&listing.description),
            Sql::Str(&listing.ships_from),
            Sql::Str(&listing.ships_to),
            Sql::Str(&clock::sql(listing.created)),
            image.as_deref().map_or(Sql::Null, Sql::Str),
        ])?;
    }
    truth.counts.listings = market.listings.len() as u64;
    dump.end_table()?;

    dump.begin_table("purchases", PURCHASES, &options(None))?;
    for i in 0..source.count() {
        let order = source.order(i);
        let listing = &market.listings[order.listing];
        let to_pay = CoinAmount::of_usd(order.usd, order.coin, order.created, &world.prices);
        dump.row(&[
            Sql::Str(&source.purchase_uuid(&order)),
            Sql::Int(listing.offers[order.offer].id as i64),
            Sql::Int(market.accounts[order.buyer].id as i64),
            Sql::Int(market.accounts[listing.vendor].id as i64),
            Sql::Int(order.quantity.into()),
            Sql::Num(&to_pay.to_decimal()),
            Sql::Str(coin_lower(order.coin)),
            Sql::Str(order.state.laravel()),
            Sql::Str(source.deposit_address(&order)),
            Sql::Str(&source.shipping_address(&order)),
            Sql::Str(&clock::sql(order.created)),
        ])?;
        truth.counts.orders += 1;
        // Every purchase of this script carries its (encrypted) delivery address.
        truth.counts.shipping_info += 1;
        truth.record_sale(market, &order);
        progress.order_written();
    }
    dump.end_table()?;

    dump.begin_table(
        "users",
        USERS,
        &options(Some(market.accounts.len() as u64 + 1)),
    )?;
    for account in &market.accounts {
        let role = match account.role {
            Role::Buyer => "buyer",
            Role::Vendor => "vendor",
            Role::Staff => "admin",
        };
        let key = account.key.map(|k| world.keys[k].armor.as_str());
        dump.row(&[
            Sql::Int(account.id as i64),
            Sql::Str(&account.name),
            Sql::Str(role),
            account.profile.as_deref().map_or(Sql::Null, Sql::Str),
            key.map_or(Sql::Null, Sql::Str),
            Sql::Str(&clock::sql(account.created)),
        ])?;
        truth.counts.pgp_keys += u64::from(key.is_some());
        truth.counts.contact_handles += u64::from(account.handle_in_profile)
            + u64::from(account.key.is_some_and(|k| world.keys[k].email.is_some()));
    }
    truth.counts.accounts = market.accounts.len() as u64;
    dump.end_table()?;

    let bytes = dump.finish(market.captured)?;
    Ok((truth, bytes))
}

/// Payout (and bond) rows for vendors, refund rows for some buyers.
fn write_addresses(
    dump: &mut MysqlDump<'_>,
    market: &Market,
    truth: &mut MarketTruth,
) -> Result<(), SynthError> {
    let bond = market.traps.bond.as_deref().unwrap_or_default();
    let mut rows: Vec<(u64, String, &'static str, &'static str, i64)> = Vec::new();
    for account in &market.accounts {
        let at = account.created + 60;
        match account.role {
            Role::Vendor => {
                if let Some(a) = &account.payout_btc {
                    rows.push((account.id, a.clone(), "btc", "payout", at));
                }
                if let Some(a) = &account.payout_xmr {
                    rows.push((account.id, a.clone(), "xmr", "payout", at));
                }
                rows.push((account.id, bond.to_string(), "btc", "bond", at));
            }
            Role::Buyer => {
                if let Some((coin, a)) = &account.refund {
                    rows.push((account.id, a.clone(), coin_lower(*coin), "refund", at));
                }
            }
            Role::Staff => {}
        }
    }
    dump.begin_table(
        "addresses",
        ADDRESSES,
        &options(Some(rows.len() as u64 + 1)),
    )?;
    for (i, (user, address, coin, purpose, at)) in rows.iter().enumerate() {
        dump.row(&[
            Sql::Int(i as i64 + 1),
            Sql::Int(*user as i64),
            Sql::Str(address),
            Sql::Str(coin),
            Sql::Str(purpose),
            Sql::Str(&clock::sql(*at)),
        ])?;
    }
    truth.counts.crypto_addresses += rows.len() as u64;
    dump.end_table()?;
    Ok(())
}
