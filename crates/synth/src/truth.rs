//! Ground truth: what the pipeline should find, collected while the markets are written.

use std::collections::BTreeSet;
use std::path::Path;

use crate::SynthError;
use crate::formats::CsvFile;
use crate::formats::sink::Progress;
use crate::money::Cents;
use crate::orders::{Order, Planted};
use crate::world::{Family, Market, Role, World};

/// Rows spector must store per table for one market (`truth/counts.csv`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub accounts: u64,
    pub listings: u64,
    pub orders: u64,
    pub feedback: u64,
    pub messages: u64,
    pub pgp_keys: u64,
    pub crypto_addresses: u64,
    pub contact_handles: u64,
    pub shipping_info: u64,
    /// Files in the market's `images/` directory.
    pub images: u64,
    /// Photo references in the dump (a listing's photo column, rows of a table of photos).
    pub photo_refs: u64,
}

impl Counts {
    /// (spector table name, count), in the order `counts.csv` lists them.
    pub fn rows(&self) -> [(&'static str, u64); 11] {
        [
            ("accounts", self.accounts),
            ("listings", self.listings),
            ("orders", self.orders),
            ("feedback", self.feedback),
            ("messages", self.messages),
            ("pgp_keys", self.pgp_keys),
            ("crypto_addresses", self.crypto_addresses),
            ("contact_handles", self.contact_handles),
            ("shipping_info", self.shipping_info),
            ("images", self.images),
            ("photo_refs", self.photo_refs),
        ]
    }
}

pub const KIND_PGP: &str = "pgp_fingerprint";
pub const KIND_PAYOUT: &str = "payout_address";
pub const KIND_HANDLE: &str = "contact_handle";

/// What one market contributes to the truth files.
pub struct MarketTruth {
    pub counts: Counts,
    /// Per account index: (orders in a sale state, their USD).
    sales: Vec<(u64, Cents)>,
    /// (account index, kind, value)
    identifiers: BTreeSet<(usize, &'static str, String)>,
}

impl MarketTruth {
    /// Starts with the identifiers every account carries by construction (keys, payout rows, profile
    /// handles); message-planted ones are added as messages are written.
    pub fn new(world: &World, market: &Market) -> Self {
        let mut identifiers = BTreeSet::new();
        for (i, account) in market.accounts.iter().enumerate() {
            if let Some(k) = account.key {
                identifiers.insert((i, KIND_PGP, world.keys[k].fingerprint.clone()));
                // Enrichment reads the e-mail address of a key's user id as a handle of the account.
                if let Some(email) = &world.keys[k].email {
                    identifiers.insert((i, KIND_HANDLE, email.normalized()));
                }
            }
            if market.family.has_orders_table() {
                for address in [&account.payout_btc, &account.payout_xmr]
                    .into_iter()
                    .flatten()
                {
                    identifiers.insert((i, KIND_PAYOUT, address.clone()));
                }
            }
            if account.handle_in_profile
                && let Some(handle) = world.seller(account).and_then(|s| s.handle.as_ref())
            {
                identifiers.insert((i, KIND_HANDLE, handle.normalized()));
            }
        }
        MarketTruth {
            counts: Counts::default(),
            sales: vec![(0, Cents(0)); market.accounts.len()],
            identifiers,
        }
    }

    pub fn record_sale(&mut self, market: &Market, order: &Order) {
        if order.state.is_sale() {
            let vendor = market.listings[order.listing].vendor;
            self.sales[vendor].0 += 1;
            self.sales[vendor].1 = Cents(self.sales[vendor].1.0 + order.usd.0);
        }
    }

    /// Counts a message and what was planted in it.
    pub fn record_message(&mut self, from: usize, planted: Option<&Planted>) {
        self.counts.messages += 1;
        match planted {
            Some(Planted::Handle(h)) => {
                self.counts.contact_handles += 1;
                self.identifiers.insert((from, KIND_HANDLE, h.normalized()));
            }
            Some(Planted::Address(a)) => {
                self.counts.crypto_addresses += 1;
                self.identifiers.insert((from, KIND_PAYOUT, a.clone()));
            }
            None => {}
        }
    }
}

/// Writes `truth/*.csv` (world.json is written by the caller).
pub fn write_truth_files(
    world: &World,
    truths: &[MarketTruth],
    dir: &Path,
    progress: &Progress<'_>,
) -> Result<(), SynthError> {
    let mut accounts = CsvFile::create(
        &dir.join("accounts.csv"),
        &["market", "account", "persona"],
        progress,
    )?;
    let mut counts = CsvFile::create(
        &dir.join("counts.csv"),
        &["market", "table", "count"],
        progress,
    )?;
    let mut sales = CsvFile::create(
        &dir.join("vendor_sales.csv"),
        &["market", "account", "persona", "orders", "usd"],
        progress,
    )?;
    let mut identifiers = CsvFile::create(
        &dir.join("identifiers.csv"),
        &["market", "account", "kind", "value"],
        progress,
    )?;
    // What each listing really sells, to measure the classifier against (titles are unique per vendor).
    // Which picture each seized image file shows, and how its upload changed it.
    let mut photos = CsvFile::create(
        &dir.join("photos.csv"),
        &[
            "market",
            "file",
            "account",
            "persona",
            "picture",
            "variation",
        ],
        progress,
    )?;
    let mut listings = CsvFile::create(
        &dir.join("listings.csv"),
        &["market", "vendor", "title", "kind", "fentanyl"],
        progress,
    )?;
    for (market, truth) in world.markets.iter().zip(truths) {
        for account in &market.accounts {
            accounts.record([
                market.name,
                &account.name,
                &world.personas[account.persona].id,
            ])?;
        }
        for (table, n) in truth.counts.rows() {
            counts.record([market.name, table, &n.to_string()])?;
        }
        for (i, account) in market.accounts.iter().enumerate() {
            if account.role != Role::Vendor {
                continue;
            }
            let (n, usd) = truth.sales[i];
            sales.record([
                market.name,
                &account.name,
                &world.personas[account.persona].id,
                &n.to_string(),
                &usd.to_decimal(),
            ])?;
        }
        for (i, kind, value) in &truth.identifiers {
            identifiers.record([market.name, &market.accounts[*i].name, kind, value])?;
        }
        for image in &market.images {
            let account = &market.accounts[image.account];
            let picture = match image.picture {
                crate::images::Picture::Own { persona, shot } => {
                    format!("{}/shot{}", world.personas[persona].id, shot + 1)
                }
                crate::images::Picture::Stock(n) => format!("stock/{}", n + 1),
            };
            photos.record([
                market.name,
                &format!("images/{}", image.name),
                &account.name,
                &world.personas[account.persona].id,
                &picture,
                &image.variation.describe(),
            ])?;
        }
        for listing in &market.listings {
            listings.record([
                market.name,
                &market.accounts[listing.vendor].name,
                &listing.title,
                listing.kind.truth_name(),
                if listing.kind.is_fentanyl() {
                    "true"
                } else {
                    "false"
                },
            ])?;
        }
    }
    accounts.finish()?;
    counts.finish()?;
    sales.finish()?;
    identifiers.finish()?;
    listings.finish()?;
    photos.finish()?;
    Ok(())
}

/// The files a market's family writes, relative to `markets/<market>/`.
pub fn market_files(market: &Market) -> Vec<String> {
    let mut files = match market.family {
        Family::Laravel => vec![format!("{}.sql", market.name)],
        Family::Pgmarket => vec![format!("{}.pgdump.sql", market.name)],
        Family::Scrape => vec![
            "vendors.csv".into(),
            "listings.csv".into(),
            "feedback.csv".into(),
        ],
    };
    // The product photos, as a directory: `truth/photos.csv` lists its files.
    if !market.images.is_empty() {
        files.push("images/".into());
    }
    files
}
