//! Family `scrape`: `markets/<m>/{vendors,listings,feedback}.csv`, what a crawler saved from public pages.
//!
//! The market's orders still happen (they are the truth behind the visible feedback, in
//! `truth/vendor_sales.csv`), but only feedback posted before the crawl is written.

use std::path::Path;

use crate::SynthError;
use crate::clock::{self, HOUR};
use crate::formats::CsvFile;
use crate::formats::sink::Progress;
use crate::orders::OrderSource;
use crate::text::catalog;
use crate::truth::MarketTruth;
use crate::world::{Market, Role, World};

/// The crawler fetched pages one after another from `start`; page `n` was saved at this time.
fn crawled_at(start: i64, n: usize, seconds_per_page: i64) -> String {
    clock::iso(start + (n as i64 * seconds_per_page) % (6 * HOUR))
}

pub fn write(
    world: &World,
    market: &Market,
    dir: &Path,
    progress: &Progress<'_>,
) -> Result<(MarketTruth, u64), SynthError> {
    let source = OrderSource::new(world, market);
    let mut truth = MarketTruth::new(world, market);
    let mut bytes = 0;

    let mut vendors = CsvFile::create(
        &dir.join("vendors.csv"),
        &["vendor", "joined", "profile", "pgp_key", "crawled_at"],
        progress,
    )?;
    for (n, account) in market
        .accounts
        .iter()
        .filter(|a| a.role == Role::Vendor)
        .enumerate()
    {
        let key = account.key.map_or("", |k| world.keys[k].armor.as_str());
        vendors.record([
            account.name.as_str(),
            &clock::date(account.created),
            account.profile.as_deref().unwrap_or(""),
            key,
            &crawled_at(market.captured, n, 7),
        ])?;
        truth.counts.accounts += 1;
        truth.counts.pgp_keys += u64::from(!key.is_empty());
        truth.counts.contact_handles += u64::from(account.handle_in_profile)
            + u64::from(account.key.is_some_and(|k| world.keys[k].email.is_some()));
        // Every profile quotes the market escrow address.
        truth.counts.crypto_addresses += u64::from(market.traps.escrow.is_some());
    }
    bytes += vendors.finish()?;

    let mut listings = CsvFile::create(
        &dir.join("listings.csv"),
        &[
            "listing_id",
            "vendor",
            "title",
            "description",
            "category",
            "price",
            "currency",
            "ships_from",
            "ships_to",
            "crawled_at",
            "image_url",
        ],
        progress,
    )?;
    // The crawler saved each page's product photo beside it, and its URL in the export.
    let site = format!("http://{}{:x}.onion", market.name, market.open);
    for (n, listing) in market.listings.iter().enumerate() {
        let image_url = listing
            .photos
            .first()
            .map(|&i| format!("{site}/img/p/{}?size=full", market.images[i].name));
        truth.counts.photo_refs += u64::from(image_url.is_some());
        listings.record([
            listing.id.to_string().as_str(),
            &market.accounts[listing.vendor].name,
            &listing.title,
            &listing.description,
            &catalog::category_path(listing.category).join(" > "),
            &listing.price.to_decimal(),
            "USD",
            &listing.ships_from,
            &listing.ships_to,
            &crawled_at(market.captured + HOUR, n, 5),
            image_url.as_deref().unwrap_or(""),
        ])?;
    }
    truth.counts.listings = market.listings.len() as u64;
    bytes += listings.finish()?;

    let mut feedback = CsvFile::create(
        &dir.join("feedback.csv"),
        &[
            "feedback_id",
            "listing_id",
            "vendor",
            "buyer",
            "rating",
            "comment",
            "date",
        ],
        progress,
    )?;
    let mut feedback_id = 0u64;
    for i in 0..source.count() {
        let order = source.order(i);
        truth.record_sale(market, &order);
        let Some(fb) = source.feedback(&order) else {
            continue;
        };
        feedback_id += 1;
        let listing = &market.listings[order.listing];
        let buyer = market
            .hidden_buyers
            .get(order.buyer)
            .map_or("a***a", String::as_str);
        feedback.record([
            feedback_id.to_string().as_str(),
            &listing.id.to_string(),
            &market.accounts[listing.vendor].name,
            buyer,
            &fb.stars.to_string(),
            &fb.comment,
            &clock::date(fb.at),
        ])?;
    }
    truth.counts.feedback = feedback_id;
    bytes += feedback.finish()?;

    Ok((truth, bytes))
}
