//! The population: personas, their accounts on each market, listings, and the market-level traps.
//!
//! Everything here is small next to the orders (a few records per account), so it is built in memory up
//! front; orders are derived on demand from it (see `orders`).

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::clock::{DAY, HOUR, WORLD_END, WORLD_START};
use crate::ids::addresses;
use crate::ids::handles::Handle;
use crate::ids::pgp::{self, ArmoredKey, KeyAlgorithm, UserId};
use crate::money::Cents;
use crate::prices::{Coin, PriceBook};
use crate::seed::{StreamFamily, stream};
use crate::text::catalog::{self, KindInfo, ProductKind, Unit};
use crate::text::lexicon::{COUNTRIES, SHIPS_TO};
use crate::text::names;
use crate::text::prose::{ListingWords, ProfileContext, Style};
use crate::{SynthConfig, SynthError};

/// Market names, in the order markets are created.
pub const MARKET_NAMES: [&str; 9] = [
    "abyss",
    "tortuga",
    "nightshade",
    "cerberus",
    "hydrus",
    "verdant",
    "obsidian",
    "mirage",
    "kraken",
];

/// Orders of an average market at scale 1.
const ORDERS_PER_MARKET: f64 = 400.0;
/// Vendor personas at scale 1 with 9 markets; grows as scale^0.6 (markets get bigger faster than the
/// number of sellers does).
const VENDORS_AT_SCALE_1: f64 = 50.0;
/// Buyer personas at scale 1 with 9 markets; grows as scale^0.75.
const BUYERS_AT_SCALE_1: f64 = 300.0;
/// Share of buyer personas that also sell.
const RESELLER_SHARE: f64 = 0.10;
/// Products resellers buy in bulk and sell on.
const RESALE_KINDS: &[ProductKind] = &[
    ProductKind::PressedM30,
    ProductKind::FentanylPowder,
    ProductKind::Cannabis,
    ProductKind::Cocaine,
    ProductKind::BenzoBars,
    ProductKind::Meth,
    ProductKind::Mdma,
];

/// How a market's data reached the investigators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// A `mysqldump` of a Laravel-style market.
    Laravel,
    /// A `pg_dump` of a custom PostgreSQL market.
    Pgmarket,
    /// CSV files from a crawler.
    Scrape,
}

impl Family {
    pub fn of_index(i: usize) -> Family {
        match i % 3 {
            0 => Family::Laravel,
            1 => Family::Pgmarket,
            _ => Family::Scrape,
        }
    }

    pub fn has_orders_table(self) -> bool {
        self != Family::Scrape
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonaKind {
    Vendor,
    Buyer,
    /// A buyer who also runs a vendor account.
    Reseller,
    Staff,
}

pub struct Persona {
    /// `V0001`, `B000001`, `S-abyss-1`.
    pub id: String,
    pub kind: PersonaKind,
    pub seller: Option<Seller>,
}

/// What a selling persona keeps across markets.
pub struct Seller {
    pub base_name: String,
    pub style: Style,
    pub products: Vec<ProductKind>,
    /// Multiplier on list prices.
    pub price_level: f64,
    /// Index into [`COUNTRIES`].
    pub origin: usize,
    /// Preferred spelling of the origin country.
    pub origin_habit: usize,
    pub ships_to: &'static str,
    /// UTC hour at which the persona's working day starts, and its length in hours.
    pub active_from_utc: i64,
    pub active_hours: i64,
    /// Weekdays it does not work (bit 0 Monday, UTC days of its working window's start): many sellers
    /// ship only when the post office is open.
    pub days_off: u8,
    pub popularity: f64,
    /// Probability an order ends in a good rating.
    pub quality: f64,
    /// Planted in every profile (and some messages) when set.
    pub handle: Option<Handle>,
    /// Index into `World::keys` when the persona uses one key everywhere.
    pub shared_key: Option<usize>,
    /// One BTC payout address used on every market with an address table.
    pub shared_payout: Option<String>,
    /// How it makes its PGP keys (set with the identifiers it shares, see `share_persona_identifiers`).
    pub key_habit: KeyHabit,
}

/// How a selling persona makes its PGP keys: one tool, used the same way each time. What its keys then have
/// in common, even when it makes one per market, is the soft evidence of "key creation patterns".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHabit {
    pub algorithm: KeyAlgorithm,
    pub user_id: UserIdForm,
    /// Where the addresses of its `name <email>` user ids are (one new mailbox per key).
    pub mail_domain: &'static str,
    /// What it writes in `name (comment)` user ids.
    pub comment: &'static str,
    /// Per-market keys made in one sitting: each within [`BATCH_DAYS`] of this time, which is before its
    /// first account. `None`: each key made shortly before its account.
    pub batch_from: Option<i64>,
}

impl Default for KeyHabit {
    fn default() -> Self {
        KeyHabit {
            algorithm: KeyAlgorithm::Ed25519Legacy,
            user_id: UserIdForm::Name,
            mail_domain: KEY_MAIL_DOMAINS[0],
            comment: KEY_COMMENTS[0],
            batch_from: None,
        }
    }
}

/// The shape of a key's user id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserIdForm {
    /// `GhostPharma`: the name only, GnuPG's prompt with the e-mail left empty.
    Name,
    /// `GhostPharma <ghostpharma4711@dnmx.org>`.
    WithEmail,
    /// `GhostPharma (vendor key)`: `--full-gen-key` asks for a comment.
    WithComment,
}

impl UserIdForm {
    /// Plausible shares (percent, not measured): vendors leave the e-mail empty more often than not, a
    /// comment is rarer still.
    const POPULATION: [(UserIdForm, u32); 3] = [
        (UserIdForm::Name, 55),
        (UserIdForm::WithEmail, 35),
        (UserIdForm::WithComment, 10),
    ];

    fn draw<R: Rng>(rng: &mut R) -> UserIdForm {
        let mut r = rng.gen_range(0..100);
        for (form, weight) in Self::POPULATION {
            if r < weight {
                return form;
            }
            r -= weight;
        }
        UserIdForm::Name
    }
}

const KEY_MAIL_DOMAINS: &[&str] = &[
    "protonmail.com",
    "tutanota.com",
    "cock.li",
    "dnmx.org",
    "secmail.pro",
    "onionmail.org",
];
const KEY_COMMENTS: &[&str] = &["vendor key", "official", "orders only", "business", "shop"];
/// Share of selling personas that make their per-market keys in one sitting.
const BATCH_SHARE: f64 = 0.35;
/// A batch of keys is made over this many days.
pub const BATCH_DAYS: i64 = 3;
/// Habits are not laws: a key drawn outside the habit now and then (a new machine, another tool).
const ALGORITHM_DRIFT: f64 = 0.08;
const USER_ID_DRIFT: f64 = 0.10;

impl KeyHabit {
    fn draw<R: Rng>(rng: &mut R, first_account: i64) -> KeyHabit {
        KeyHabit {
            algorithm: KeyAlgorithm::draw(rng),
            user_id: UserIdForm::draw(rng),
            mail_domain: KEY_MAIL_DOMAINS
                .choose(rng)
                .copied()
                .unwrap_or(KEY_MAIL_DOMAINS[0]),
            comment: KEY_COMMENTS.choose(rng).copied().unwrap_or(KEY_COMMENTS[0]),
            batch_from: rng.gen_bool(BATCH_SHARE).then(|| {
                first_account - rng.gen_range(BATCH_DAYS + 1..60) * DAY - rng.gen_range(0..DAY)
            }),
        }
    }

    /// The algorithm and user id of one of its keys, for an account named `name`; with `drift`, now and
    /// then not the habitual ones. E-mail addresses are new for each key and never used by anyone else
    /// (`used` holds every handle of the world): a seller who makes a key per market shares nothing.
    fn key<R: Rng>(
        &self,
        rng: &mut R,
        name: &str,
        drift: bool,
        used: &mut BTreeSet<String>,
    ) -> (KeyAlgorithm, UserId) {
        let algorithm = if drift && rng.gen_bool(ALGORITHM_DRIFT) {
            KeyAlgorithm::draw(rng)
        } else {
            self.algorithm
        };
        let form = if drift && rng.gen_bool(USER_ID_DRIFT) {
            UserIdForm::draw(rng)
        } else {
            self.user_id
        };
        let name = name.to_string();
        let uid = match form {
            UserIdForm::Name => UserId::Name(name),
            UserIdForm::WithComment => UserId::WithComment(name, self.comment.to_string()),
            UserIdForm::WithEmail => {
                let stem: String = name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                let stem = if stem.len() < 3 {
                    format!("{stem}pgp")
                } else {
                    stem
                };
                let email = loop {
                    let email = Handle::Email {
                        local: format!("{stem}{}", rng.gen_range(10..10_000)),
                        domain: self.mail_domain.to_string(),
                    };
                    if used.insert(email.normalized()) {
                        break email;
                    }
                };
                UserId::WithEmail(name, email)
            }
        };
        (algorithm, uid)
    }
}

impl Seller {
    /// A moment inside the persona's working hours on the UTC day containing `unix`, not before `unix`'s
    /// day start; moves to the next day when `not_before` has passed today's window.
    pub fn working_moment<R: Rng>(&self, rng: &mut R, not_before: i64) -> i64 {
        let day = not_before.div_euclid(DAY) * DAY;
        for d in 0..5 {
            let start = day + d * DAY + self.active_from_utc * HOUR;
            if self.days_off & (1 << weekday(start)) != 0 {
                continue;
            }
            let t = start + rng.gen_range(0..self.active_hours * HOUR);
            if t >= not_before {
                return t;
            }
        }
        not_before + rng.gen_range(60..3 * HOUR)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Buyer,
    Vendor,
    Staff,
}

pub struct Account {
    pub persona: usize,
    /// Market-local id, 1-based, in order of creation.
    pub id: u64,
    pub name: String,
    pub role: Role,
    pub created: i64,
    /// Index into `World::keys`.
    pub key: Option<usize>,
    pub payout_btc: Option<String>,
    pub payout_xmr: Option<String>,
    pub refund: Option<(Coin, String)>,
    /// Index into the market's deposit addresses (pgmarket wallets).
    pub deposit: Option<usize>,
    pub profile: Option<String>,
    pub handle_in_profile: bool,
    /// Buyer activity or vendor popularity on this market.
    pub weight: f64,
    /// How this account writes its ships-from country.
    pub ships_from: String,
}

/// A laravel price tier.
pub struct Offer {
    pub id: u64,
    pub min_quantity: u32,
    pub unit_price: Cents,
    pub deleted: bool,
}

pub struct Listing {
    /// Numeric id (items.item_id, listings.csv listing_id), in order of creation.
    pub id: u64,
    /// Laravel products.id (time-ordered UUID).
    pub uuid: String,
    /// Index into the market's accounts.
    pub vendor: usize,
    pub kind: ProductKind,
    pub title: String,
    pub description: String,
    /// Index into [`catalog::CATEGORIES`].
    pub category: usize,
    /// Price of one package.
    pub price: Cents,
    pub offers: Vec<Offer>,
    pub ships_from: String,
    pub ships_to: String,
    pub created: i64,
    pub weight: f64,
    /// Indices into the market's images: the photos the listing shows (a column holds the first only).
    pub photos: Vec<usize>,
}

/// Market-owned addresses that many accounts share and that therefore link nobody.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Traps {
    /// Laravel: the vendor-bond wallet every vendor's `bond` address row points at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bond: Option<String>,
    /// Laravel: deposit addresses shared by orders; pgmarket: hot wallets in `wallets`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deposits: Vec<String>,
    /// Scrape: the escrow address quoted in every vendor profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escrow: Option<String>,
}

/// Draws an item among those that exist at a time, by weight.
#[derive(Default)]
pub struct TimedPicker {
    times: Vec<i64>,
    cumulative: Vec<f64>,
    items: Vec<usize>,
}

impl TimedPicker {
    /// `entries`: (available from, weight, item).
    pub fn new(mut entries: Vec<(i64, f64, usize)>) -> Self {
        entries.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
        let mut total = 0.0;
        let mut picker = TimedPicker::default();
        for (t, w, item) in entries {
            total += w.max(1e-9);
            picker.times.push(t);
            picker.cumulative.push(total);
            picker.items.push(item);
        }
        picker
    }

    pub fn pick<R: Rng>(&self, rng: &mut R, at: i64) -> Option<usize> {
        let available = self.times.partition_point(|t| *t <= at);
        if available == 0 {
            return None;
        }
        let r = rng.r#gen::<f64>() * self.cumulative[available - 1];
        let i = self.cumulative[..available].partition_point(|c| *c <= r);
        Some(self.items[i.min(available - 1)])
    }
}

pub struct Market {
    pub index: usize,
    pub name: &'static str,
    pub family: Family,
    pub open: i64,
    pub close: i64,
    /// When the data was taken: seizure (dumps) or crawl (scrapes).
    pub captured: i64,
    pub accounts: Vec<Account>,
    pub listings: Vec<Listing>,
    /// Orders that happened (for scrapes: hidden, only their feedback is visible).
    pub orders: u64,
    pub traps: Traps,
    pub listing_picker: TimedPicker,
    pub buyer_picker: TimedPicker,
    pub resellers_by_kind: BTreeMap<ProductKind, TimedPicker>,
    /// Scrape markets: buyer names as the crawler saw them (masked).
    pub hidden_buyers: Vec<String>,
    /// Index of the staff account that sends system messages.
    pub staff: Option<usize>,
    /// The product photos on the market's server (`images/`).
    pub images: Vec<crate::images::MarketImage>,
}

impl Market {
    /// First and last second orders may fall in.
    pub fn order_window(&self) -> (i64, i64) {
        (self.open + 7 * DAY, self.close - DAY)
    }
}

pub struct World {
    pub seed: u64,
    pub scale: f64,
    pub personas: Vec<Persona>,
    pub keys: Vec<ArmoredKey>,
    pub markets: Vec<Market>,
    pub prices: PriceBook,
}

impl World {
    pub fn seller(&self, account: &Account) -> Option<&Seller> {
        self.personas[account.persona].seller.as_ref()
    }
}

/// An account before ids are assigned.
struct Draft {
    persona: usize,
    role: Role,
    created: i64,
    name: String,
    weight: f64,
}

pub fn build(config: &SynthConfig) -> Result<World, SynthError> {
    let seed = config.seed;
    let prices = PriceBook::embedded()?;
    let market_count = config.markets;
    let size = market_count as f64 / 9.0;

    let mut markets: Vec<Market> = (0..market_count)
        .map(|i| new_market(seed, config.scale, i))
        .collect();

    let vendor_count =
        ((VENDORS_AT_SCALE_1 * size * config.scale.powf(0.6)).round() as usize).max(6);
    let buyer_count =
        ((BUYERS_AT_SCALE_1 * size * config.scale.powf(0.75)).round() as usize).max(12);

    let mut personas: Vec<Persona> = Vec::new();
    let mut drafts: Vec<Vec<Draft>> = (0..market_count).map(|_| Vec::new()).collect();
    let mut used_handles: BTreeSet<String> = BTreeSet::new();

    for p in 0..vendor_count {
        let mut rng = stream(seed, "vendor", 0, p as u64);
        let mut seller = new_seller(&mut rng, None, &mut used_handles);
        seller.days_off = draw_days_off(&mut stream(seed, "days-off", 0, p as u64));
        let mut k = accounts_per_vendor(&mut rng, market_count);
        if p == 0 {
            // One long-tail persona is guaranteed, so every world has a wide multi-market vendor.
            k = k.max(market_count.min(6));
        }
        let mut chosen: Vec<usize> = (0..market_count).collect();
        chosen.shuffle(&mut rng);
        chosen.truncate(k);
        chosen.sort_unstable();
        let persona = personas.len();
        for (slot, &m) in chosen.iter().enumerate() {
            let name = account_name(&mut rng, &seller, slot);
            let created = vendor_join(&mut rng, &markets[m], &seller);
            let weight = seller.popularity * rng.gen_range(0.6..1.4);
            drafts[m].push(Draft {
                persona,
                role: Role::Vendor,
                created,
                name,
                weight,
            });
        }
        personas.push(Persona {
            id: format!("V{:04}", p + 1),
            kind: PersonaKind::Vendor,
            seller: Some(seller),
        });
    }

    let order_markets: Vec<usize> = (0..market_count)
        .filter(|m| Family::of_index(*m).has_orders_table())
        .collect();
    for b in 0..buyer_count {
        let mut rng = stream(seed, "buyer", 0, b as u64);
        let reseller = rng.gen_bool(RESELLER_SHARE);
        let n = match rng.gen_range(0..100) {
            0..=59 => 1,
            60..=87 => 2,
            _ => 3,
        }
        .min(order_markets.len());
        let mut chosen = order_markets.clone();
        chosen.shuffle(&mut rng);
        chosen.truncate(n);
        chosen.sort_unstable();
        let base = names::buyer_name(&mut rng);
        let persona = personas.len();
        let activity = rng.gen_range(0.0f64..1.0).powi(3) * 8.0 + 0.2;
        for (slot, &m) in chosen.iter().enumerate() {
            let name = if slot == 0 || rng.gen_bool(0.5) {
                base.clone()
            } else {
                names::buyer_name(&mut rng)
            };
            let created = buyer_join(&mut rng, &markets[m]);
            let weight = if reseller { activity * 2.0 } else { activity };
            drafts[m].push(Draft {
                persona,
                role: Role::Buyer,
                created,
                name,
                weight,
            });
        }
        let seller = if reseller {
            let kind = *RESALE_KINDS
                .choose(&mut rng)
                .unwrap_or(&ProductKind::Cannabis);
            let mut seller = new_seller(&mut rng, Some(kind), &mut used_handles);
            seller.days_off = draw_days_off(&mut stream(seed, "days-off", 1, persona as u64));
            let m = rng.gen_range(0..market_count);
            let name = if rng.gen_bool(0.4) {
                names::variant(&mut rng, &base)
            } else {
                seller.base_name.clone()
            };
            let created = vendor_join(&mut rng, &markets[m], &seller);
            drafts[m].push(Draft {
                persona,
                role: Role::Vendor,
                created,
                name,
                weight: seller.popularity,
            });
            Some(seller)
        } else {
            None
        };
        personas.push(Persona {
            id: format!("B{:06}", b + 1),
            kind: if reseller {
                PersonaKind::Reseller
            } else {
                PersonaKind::Buyer
            },
            seller,
        });
    }

    for (m, market) in markets.iter().enumerate() {
        let staff = match market.family {
            Family::Laravel => 2,
            Family::Pgmarket => 3,
            // A crawler never sees staff accounts.
            Family::Scrape => 0,
        };
        for s in 0..staff {
            let mut rng = stream(seed, "staff", m as u64, s);
            let persona = personas.len();
            personas.push(Persona {
                id: format!("S-{}-{}", market.name, s + 1),
                kind: PersonaKind::Staff,
                seller: None,
            });
            drafts[m].push(Draft {
                persona,
                role: Role::Staff,
                created: market.open + rng.gen_range(0..6 * HOUR),
                name: names::staff_name(&mut rng),
                weight: 0.0,
            });
        }
    }

    fill_empty_markets(seed, &mut drafts, &markets, &personas, vendor_count);
    guarantee_first_movers(&mut drafts, &markets);

    let mut keys: Vec<ArmoredKey> = Vec::new();
    share_persona_identifiers(seed, &mut personas, &drafts, &mut keys, &mut used_handles)?;

    for (m, market_drafts) in drafts.into_iter().enumerate() {
        let accounts = settle_accounts(seed, &markets[m], market_drafts);
        markets[m].accounts = accounts;
    }
    for market in &mut markets {
        equip_accounts(seed, market, &personas, &mut keys, &mut used_handles)?;
        write_profiles(seed, market, &personas);
        market.listings = make_listings(seed, market, &personas);
        build_pickers(seed, market, &personas);
    }
    // From streams of their own: the rest of the world is the same with or without photos.
    crate::images::assign(seed, &mut markets, &personas);

    Ok(World {
        seed,
        scale: config.scale,
        personas,
        keys,
        markets,
        prices,
    })
}

fn new_market(seed: u64, scale: f64, index: usize) -> Market {
    let mut rng = stream(seed, "market", 0, index as u64);
    let family = Family::of_index(index);
    let open = WORLD_START + rng.gen_range(0..330) * DAY + rng.gen_range(0..DAY);
    let close = (open + rng.gen_range(300..820) * DAY).min(WORLD_END - DAY);
    let size = rng.gen_range(0.6..1.4);
    let orders = (ORDERS_PER_MARKET * scale * size).round().max(1.0) as u64;
    let mut traps = Traps::default();
    match family {
        Family::Laravel => {
            traps.bond = Some(addresses::btc(&mut rng));
            traps.deposits = (0..rng.gen_range(3..7))
                .map(|_| addresses::btc(&mut rng))
                .collect();
        }
        Family::Pgmarket => {
            traps.deposits = (0..rng.gen_range(3..6))
                .map(|_| addresses::btc(&mut rng))
                .collect();
        }
        Family::Scrape => traps.escrow = Some(addresses::btc(&mut rng)),
    }
    let captured = match family {
        // Seized a few days after the last activity.
        // (never after the world's last day: every timestamp stays inside the price tables' window).
        Family::Laravel | Family::Pgmarket => {
            (close + rng.gen_range(2..9) * DAY + rng.gen_range(0..DAY)).min(WORLD_END)
        }
        // The crawl ran on the last day.
        Family::Scrape => close - rng.gen_range(2..10) * HOUR,
    };
    Market {
        index,
        name: MARKET_NAMES[index],
        family,
        open,
        close,
        captured,
        accounts: Vec::new(),
        listings: Vec::new(),
        orders,
        traps,
        listing_picker: TimedPicker::default(),
        buyer_picker: TimedPicker::default(),
        resellers_by_kind: BTreeMap::new(),
        hidden_buyers: Vec::new(),
        staff: None,
        images: Vec::new(),
    }
}

/// Most vendors sell on one or two markets; a long tail on many (P(k) ∝ k^-1.6).
fn accounts_per_vendor(rng: &mut ChaCha8Rng, markets: usize) -> usize {
    let max = markets.min(9);
    let weights: Vec<f64> = (1..=max).map(|k| (k as f64).powf(-1.6)).collect();
    let total: f64 = weights.iter().sum();
    let mut r = rng.r#gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if r < *w {
            return i + 1;
        }
        r -= w;
    }
    max
}

fn new_seller(
    rng: &mut ChaCha8Rng,
    resale: Option<ProductKind>,
    used_handles: &mut BTreeSet<String>,
) -> Seller {
    let mut products = vec![resale.unwrap_or_else(|| catalog::random_kind(rng))];
    if resale.is_none() {
        for _ in 0..rng.gen_range(0..3) {
            let k = catalog::random_kind(rng);
            if !products.contains(&k) {
                products.push(k);
            }
        }
    }
    let base_name = names::vendor_name(rng, products[0]);
    let mut origin = random_origin(rng);
    // Chinese and Indian sellers on these markets are chemical and pharma suppliers.
    let pharma = matches!(
        products[0],
        ProductKind::FentanylAnalogue
            | ProductKind::Nitazene
            | ProductKind::BenzoBars
            | ProductKind::FentanylPowder
    );
    while matches!(COUNTRIES[origin].0, "CN" | "IN") && !pharma {
        origin = random_origin(rng);
    }
    let origin_habit = rng.gen_range(0..COUNTRIES[origin].1.len());
    let local_start = rng.gen_range(7..17);
    let active_from_utc = (local_start - COUNTRIES[origin].2).rem_euclid(24);
    let handle = if rng.gen_bool(0.30) {
        // Handles never repeat across personas: re-draw on the (rare) collision.
        let mut handle = Handle::generate(rng, &base_name);
        while !used_handles.insert(handle.normalized()) {
            handle = Handle::generate(rng, &base_name);
        }
        Some(handle)
    } else {
        None
    };
    let popularity = if resale.is_some() {
        rng.gen_range(0.2..0.8)
    } else {
        // Heavy tail: a few vendors make most sales.
        (rng.gen_range(0.0f64..1.0).powi(4) * 12.0) + 0.3
    };
    Seller {
        style: Style::random(rng),
        base_name,
        products,
        price_level: rng.gen_range(0.75..1.4),
        origin,
        origin_habit,
        ships_to: SHIPS_TO.choose(rng).copied().unwrap_or("Worldwide"),
        active_from_utc,
        active_hours: rng.gen_range(6..13),
        days_off: 0,
        popularity,
        quality: rng.gen_range(0.72..0.99),
        handle,
        shared_key: None,
        shared_payout: None,
        key_habit: KeyHabit::default(),
    }
}

/// An index into [`COUNTRIES`], by share of vendors.
fn random_origin(rng: &mut ChaCha8Rng) -> usize {
    let total: u32 = COUNTRIES.iter().map(|c| c.3).sum();
    let mut r = rng.gen_range(0..total);
    COUNTRIES
        .iter()
        .position(|c| {
            if r < c.3 {
                true
            } else {
                r -= c.3;
                false
            }
        })
        .unwrap_or(0)
}

fn account_name(rng: &mut ChaCha8Rng, seller: &Seller, slot: usize) -> String {
    if slot == 0 {
        return seller.base_name.clone();
    }
    match rng.gen_range(0..100) {
        0..=44 => seller.base_name.clone(),
        45..=79 => names::variant(rng, &seller.base_name),
        _ => names::vendor_name(rng, seller.products[0]),
    }
}

/// Vendors join mostly early in a market's life, during their working hours.
fn vendor_join(rng: &mut ChaCha8Rng, market: &Market, seller: &Seller) -> i64 {
    let span = (market.close - market.open) as f64 * 0.7;
    let t = market.open + (span * rng.r#gen::<f64>().powf(1.5)) as i64;
    seller.working_moment(rng, t).min(market.close - 2 * DAY)
}

fn buyer_join(rng: &mut ChaCha8Rng, market: &Market) -> i64 {
    let span = (market.close - market.open - 8 * DAY) as f64;
    market.open + (span * rng.r#gen::<f64>().powf(1.3)) as i64
}

/// Tiny worlds can leave a market without a vendor (or an order market without a buyer): lend it one.
fn fill_empty_markets(
    seed: u64,
    drafts: &mut [Vec<Draft>],
    markets: &[Market],
    personas: &[Persona],
    vendor_count: usize,
) {
    for (m, market) in markets.iter().enumerate() {
        let mut rng = stream(seed, "fill", m as u64, 0);
        if !drafts[m].iter().any(|d| d.role == Role::Vendor) {
            let persona = m % vendor_count;
            if let Some(seller) = personas[persona].seller.as_ref() {
                let name = names::variant(&mut rng, &seller.base_name);
                let created = vendor_join(&mut rng, market, seller);
                drafts[m].push(Draft {
                    persona,
                    role: Role::Vendor,
                    created,
                    name,
                    weight: seller.popularity,
                });
            }
        }
        if market.family.has_orders_table() && !drafts[m].iter().any(|d| d.role == Role::Buyer) {
            let persona = personas
                .iter()
                .position(|p| p.kind == PersonaKind::Buyer)
                .unwrap_or(vendor_count);
            drafts[m].push(Draft {
                persona,
                role: Role::Buyer,
                created: market.open,
                name: names::buyer_name(&mut rng),
                weight: 1.0,
            });
        }
    }
}

/// Orders start a week after opening: make sure a vendor and a buyer exist by then.
fn guarantee_first_movers(drafts: &mut [Vec<Draft>], markets: &[Market]) {
    for (m, market) in markets.iter().enumerate() {
        for role in [Role::Vendor, Role::Buyer] {
            let earliest = drafts[m]
                .iter()
                .enumerate()
                .filter(|(_, d)| d.role == role)
                .min_by_key(|(i, d)| (d.created, *i))
                .map(|(i, _)| i);
            if let Some(i) = earliest {
                let d = &mut drafts[m][i];
                d.created = d.created.min(market.open + HOUR + (i as i64 % 3600));
                d.weight = d.weight.max(0.5);
            }
        }
    }
}

/// Monday = 0, of the UTC day holding `unix` (1970-01-01 was a Thursday).
pub fn weekday(unix: i64) -> u32 {
    (unix.div_euclid(DAY) + 3).rem_euclid(7) as u32
}

/// Days off of a selling persona, drawn from its own stream so that the rest of the world stays as it was.
fn draw_days_off(rng: &mut ChaCha8Rng) -> u8 {
    const SATURDAY: u8 = 1 << 5;
    const SUNDAY: u8 = 1 << 6;
    match rng.gen_range(0..100) {
        0..=44 => 0,
        45..=74 => SUNDAY,
        75..=94 => SATURDAY | SUNDAY,
        // Some rest on a weekday instead (a day job elsewhere, a market day at home).
        _ => 1 << rng.gen_range(0..5),
    }
}

/// Decides, per selling persona, what it reuses on every market: its PGP key (~45%) and payout address
/// (~25%); and how it makes keys. The handle (~30%) was drawn with the persona.
fn share_persona_identifiers(
    seed: u64,
    personas: &mut [Persona],
    drafts: &[Vec<Draft>],
    keys: &mut Vec<ArmoredKey>,
    used_handles: &mut BTreeSet<String>,
) -> Result<(), SynthError> {
    let first_seen: BTreeMap<usize, (i64, &str)> = {
        let mut map: BTreeMap<usize, (i64, &str)> = BTreeMap::new();
        for market in drafts {
            for d in market.iter().filter(|d| d.role == Role::Vendor) {
                let entry = map.entry(d.persona).or_insert((d.created, d.name.as_str()));
                if d.created < entry.0 {
                    *entry = (d.created, d.name.as_str());
                }
            }
        }
        map
    };
    for (p, persona) in personas.iter_mut().enumerate() {
        let Some(seller) = persona.seller.as_mut() else {
            continue;
        };
        let mut rng = stream(seed, "shared-ids", 0, p as u64);
        let share_key = rng.gen_bool(0.45);
        let share_payout = rng.gen_bool(0.25);
        let (first, name) = first_seen
            .get(&p)
            .copied()
            .unwrap_or((WORLD_START, &seller.base_name));
        // A stream of its own, so that the habit leaves every other draw of the world where it was.
        let mut habit_rng = stream(seed, "key-habit", 0, p as u64);
        seller.key_habit = KeyHabit::draw(&mut habit_rng, first);
        if share_key {
            let created = first - rng.gen_range(1..400) * DAY;
            let (algorithm, uid) = seller
                .key_habit
                .key(&mut habit_rng, name, false, used_handles);
            let mut key_rng = stream(seed, "pgp-shared", 0, p as u64);
            keys.push(pgp::generate_key(
                &mut key_rng,
                algorithm,
                &uid,
                unix_u32(created),
            )?);
            seller.shared_key = Some(keys.len() - 1);
        }
        if share_payout {
            seller.shared_payout = Some(addresses::btc(&mut rng));
        }
    }
    Ok(())
}

fn unix_u32(t: i64) -> u32 {
    t.clamp(0, i64::from(u32::MAX)) as u32
}

/// Sorts accounts by creation, assigns ids, and makes names unique on the market (MySQL's default
/// collation compares case-insensitively, so uniqueness is case-insensitive too).
fn settle_accounts(seed: u64, market: &Market, mut drafts: Vec<Draft>) -> Vec<Account> {
    drafts.sort_by(|a, b| a.created.cmp(&b.created).then(a.persona.cmp(&b.persona)));
    let mut rng = stream(seed, "names", market.index as u64, 0);
    let mut taken: BTreeSet<String> = BTreeSet::new();
    drafts
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let mut name = d.name;
            while !taken.insert(name.to_lowercase()) {
                name = format!("{name}{}", rng.gen_range(0..10));
            }
            Account {
                persona: d.persona,
                id: i as u64 + 1,
                name,
                role: d.role,
                created: d.created,
                key: None,
                payout_btc: None,
                payout_xmr: None,
                refund: None,
                deposit: None,
                profile: None,
                handle_in_profile: false,
                weight: d.weight,
                ships_from: String::new(),
            }
        })
        .collect()
}

/// Keys, addresses and country spelling per account.
fn equip_accounts(
    seed: u64,
    market: &mut Market,
    personas: &[Persona],
    keys: &mut Vec<ArmoredKey>,
    used_handles: &mut BTreeSet<String>,
) -> Result<(), SynthError> {
    let accounts_rng = StreamFamily::new(seed, "account", market.index as u64);
    let key_rng = StreamFamily::new(seed, "pgp-account", market.index as u64);
    let deposits = market.traps.deposits.len();
    let family = market.family;
    for (i, account) in market.accounts.iter_mut().enumerate() {
        let mut rng = accounts_rng.at(i as u64);
        match account.role {
            Role::Vendor => {
                let Some(seller) = personas[account.persona].seller.as_ref() else {
                    continue;
                };
                let forms = COUNTRIES[seller.origin].1;
                account.ships_from = if rng.gen_bool(0.6) {
                    forms[seller.origin_habit].to_string()
                } else {
                    forms
                        .choose(&mut rng)
                        .copied()
                        .unwrap_or("Worldwide")
                        .to_string()
                };
                // Laravel markets make vendors post a key; elsewhere some do not bother.
                let wants_key = family == Family::Laravel || rng.gen_bool(0.85);
                account.key = match seller.shared_key {
                    Some(k) => Some(k),
                    None if wants_key => {
                        // Drawn for every key, used only without a batch: the account's later draws
                        // stay where they were.
                        let days_before = rng.gen_range(0..30);
                        let mut krng = key_rng.at(i as u64);
                        let habit = &seller.key_habit;
                        let created = match habit.batch_from {
                            Some(from) => from + krng.gen_range(0..BATCH_DAYS * DAY),
                            None => account.created - days_before * DAY,
                        };
                        let (algorithm, uid) =
                            habit.key(&mut krng, &account.name, true, used_handles);
                        keys.push(pgp::generate_key(
                            &mut krng,
                            algorithm,
                            &uid,
                            unix_u32(created),
                        )?);
                        Some(keys.len() - 1)
                    }
                    None => None,
                };
                if family.has_orders_table() {
                    account.payout_btc = Some(
                        seller
                            .shared_payout
                            .clone()
                            .unwrap_or_else(|| addresses::btc(&mut rng)),
                    );
                    if rng.gen_bool(0.3) {
                        account.payout_xmr = Some(addresses::xmr(&mut rng));
                    }
                }
            }
            Role::Buyer => {
                if rng.gen_bool(0.4) {
                    account.refund = Some(if rng.gen_bool(0.7) {
                        (Coin::Btc, addresses::btc(&mut rng))
                    } else {
                        (Coin::Xmr, addresses::xmr(&mut rng))
                    });
                }
            }
            Role::Staff => {}
        }
        if family == Family::Pgmarket && account.role != Role::Staff && rng.gen_bool(0.85) {
            account.deposit = Some(rng.gen_range(0..deposits.max(1)));
        }
    }
    market.staff = market.accounts.iter().position(|a| a.role == Role::Staff);
    Ok(())
}

fn write_profiles(seed: u64, market: &mut Market, personas: &[Persona]) {
    let family = StreamFamily::new(seed, "profile", market.index as u64);
    let escrow = market.traps.escrow.clone();
    let name = market.name;
    for (i, account) in market.accounts.iter_mut().enumerate() {
        if account.role != Role::Vendor {
            continue;
        }
        let Some(seller) = personas[account.persona].seller.as_ref() else {
            continue;
        };
        let mut rng = family.at(i as u64);
        let infos: Vec<&'static KindInfo> =
            seller.products.iter().map(|k| catalog::info(*k)).collect();
        let handle = seller.handle.as_ref().map(Handle::written);
        account.handle_in_profile = handle.is_some();
        account.profile = Some(seller.style.profile(
            &mut rng,
            &ProfileContext {
                name: &account.name,
                market: name,
                country: &account.ships_from,
                products: &infos,
                handle: handle.as_deref(),
                escrow: escrow.as_deref(),
            },
        ));
    }
}

fn make_listings(seed: u64, market: &Market, personas: &[Persona]) -> Vec<Listing> {
    let family = StreamFamily::new(seed, "listings", market.index as u64);
    let mut listings: Vec<Listing> = Vec::new();
    for (i, account) in market.accounts.iter().enumerate() {
        if account.role != Role::Vendor {
            continue;
        }
        let Some(seller) = personas[account.persona].seller.as_ref() else {
            continue;
        };
        let mut rng = family.at(i as u64);
        let count = rng.gen_range(1..=5) + usize::from(seller.popularity > 3.0) * 3;
        for n in 0..count {
            let kind = *seller
                .products
                .choose(&mut rng)
                .unwrap_or(&seller.products[0]);
            let after = if n == 0 {
                rng.gen_range(HOUR..3 * DAY)
            } else {
                let span = (market.close - account.created) as f64 * 0.8;
                (span * rng.r#gen::<f64>().powf(1.5)) as i64
            };
            let created = seller.working_moment(&mut rng, account.created + after);
            listings.push(new_listing(
                &mut rng,
                seller,
                account,
                i,
                kind,
                created.min(market.close - 2 * DAY),
            ));
        }
    }
    listings.sort_by(|a, b| a.created.cmp(&b.created).then(a.vendor.cmp(&b.vendor)));
    let mut offer_id = 0;
    for (i, listing) in listings.iter_mut().enumerate() {
        listing.id = i as u64 + 1;
        let mut rng = family.at(1_000_000_000 + i as u64);
        listing.uuid = ordered_uuid(&mut rng, listing.created, 0);
        for offer in &mut listing.offers {
            offer_id += 1;
            offer.id = offer_id;
        }
    }
    listings
}

fn new_listing(
    rng: &mut ChaCha8Rng,
    seller: &Seller,
    account: &Account,
    vendor: usize,
    kind: ProductKind,
    created: i64,
) -> Listing {
    let info = catalog::info(kind);
    // Small sellers list small packages; big ones the whole range.
    let reach = ((seller.popularity / 12.0).sqrt() * info.packages.len() as f64).ceil() as usize;
    let top = reach.clamp(2, info.packages.len());
    let units = info.packages[rng.gen_range(0..top)];
    let usd = catalog::list_price(info, units) * seller.price_level * rng.gen_range(0.95..1.05);
    let price = catalog::round_price(usd, seller.style.price_ending);
    let quantity = catalog::quantity_label(info.unit, units, seller.style.quantity_form);
    let ships_from = if info.digital {
        if rng.gen_bool(0.5) {
            "Torland"
        } else {
            "Worldwide"
        }
        .to_string()
    } else {
        account.ships_from.clone()
    };
    let ships_to = if info.digital {
        "Worldwide"
    } else {
        seller.ships_to
    }
    .to_string();
    let ships_code = ships_code(seller);
    let name = info.names.choose(rng).copied().unwrap_or(info.names[0]);
    let mut offers = vec![Offer {
        id: 0,
        min_quantity: 1,
        unit_price: price,
        deleted: false,
    }];
    for (min, discount, p) in [(3u32, 0.95, 0.5), (10u32, 0.9, 0.3)] {
        if rng.gen_bool(p) {
            offers.push(Offer {
                id: 0,
                min_quantity: min,
                unit_price: catalog::round_price(
                    price.0 as f64 / 100.0 * discount,
                    seller.style.price_ending,
                ),
                deleted: rng.gen_bool(0.05),
            });
        }
    }
    let tiers: Vec<(String, String)> = offers
        .iter()
        .map(|o| {
            let q = if info.unit == Unit::Gram || o.min_quantity == 1 {
                format!("{}+ x {quantity}", o.min_quantity)
            } else {
                format!("{}+", o.min_quantity)
            };
            (q, o.unit_price.to_decimal())
        })
        .collect();
    Listing {
        id: 0,
        uuid: String::new(),
        vendor,
        kind,
        title: seller.style.title(rng, info, name, &quantity, ships_code),
        description: seller.style.description(
            rng,
            &ListingWords {
                info,
                name,
                quantity: &quantity,
                country: &ships_from,
                ships_to: &ships_to,
                tiers: &tiers,
            },
        ),
        category: info.category,
        price,
        offers,
        ships_from,
        ships_to,
        created,
        weight: rng.gen_range(0.2..1.0),
        photos: Vec::new(),
    }
}

fn ships_code(seller: &Seller) -> &'static str {
    match COUNTRIES[seller.origin].0 {
        "US" => "USA",
        "GB" => "UK",
        "??" => "WW",
        code => code,
    }
}

/// A time-ordered UUID (Laravel's `Str::orderedUuid()` layout: the first 48 bits are the creation time
/// in milliseconds), so rows keyed by it dump in creation order as InnoDB stores them.
pub fn ordered_uuid(rng: &mut ChaCha8Rng, unix: i64, millis: u16) -> String {
    let ms = (unix.max(0) as u64) * 1000 + u64::from(millis.min(999));
    let mut tail: [u8; 10] = rng.r#gen();
    tail[0] = (tail[0] & 0x0f) | 0x40;
    tail[2] = (tail[2] & 0x3f) | 0x80;
    let h = format!("{:012x}{}", ms & 0xffff_ffff_ffff, hex::encode(tail));
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn build_pickers(seed: u64, market: &mut Market, personas: &[Persona]) {
    // A vendor's share of sales follows its popularity, however many listings it spreads it over.
    let mut per_vendor: BTreeMap<usize, f64> = BTreeMap::new();
    for l in &market.listings {
        *per_vendor.entry(l.vendor).or_default() += l.weight;
    }
    let listing_entries = market
        .listings
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let share = l.weight / per_vendor.get(&l.vendor).copied().unwrap_or(1.0);
            (l.created, market.accounts[l.vendor].weight * share, i)
        })
        .collect();
    market.listing_picker = TimedPicker::new(listing_entries);
    let buyers = market
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.role == Role::Buyer)
        .map(|(i, a)| (a.created, a.weight, i))
        .collect();
    market.buyer_picker = TimedPicker::new(buyers);
    let mut by_kind: BTreeMap<ProductKind, Vec<(i64, f64, usize)>> = BTreeMap::new();
    for (i, a) in market.accounts.iter().enumerate() {
        if a.role != Role::Buyer || personas[a.persona].kind != PersonaKind::Reseller {
            continue;
        }
        if let Some(seller) = personas[a.persona].seller.as_ref() {
            by_kind
                .entry(seller.products[0])
                .or_default()
                .push((a.created, 1.0, i));
        }
    }
    market.resellers_by_kind = by_kind
        .into_iter()
        .map(|(k, v)| (k, TimedPicker::new(v)))
        .collect();
    if market.family == Family::Scrape {
        let mut rng = stream(seed, "hidden-buyers", market.index as u64, 0);
        let n = (market.orders / 4).max(20);
        market.hidden_buyers = (0..n)
            .map(|_| names::masked(&names::buyer_name(&mut rng)))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seller_works_only_in_its_window_and_never_on_its_days_off() {
        let mut rng = stream(7, "test", 0, 0);
        let mut seller = new_seller(&mut rng, None, &mut BTreeSet::new());
        seller.days_off = (1 << 5) | (1 << 6);
        let mut seen_days = BTreeSet::new();
        for i in 0..2_000 {
            let not_before = WORLD_START + i * 7_919;
            let t = seller.working_moment(&mut rng, not_before);
            assert!(t >= not_before);
            let in_window = (t.rem_euclid(DAY) / HOUR - seller.active_from_utc).rem_euclid(24);
            if in_window < seller.active_hours {
                // Only the fallback (window already over) may leave the window; it is never taken here
                // more than rarely.
                let start = t - in_window * HOUR - t.rem_euclid(HOUR);
                assert!(
                    seller.days_off & (1 << weekday(start)) == 0,
                    "{t} falls on a day off"
                );
                seen_days.insert(weekday(start));
            }
        }
        assert_eq!(seen_days, (0..5).collect(), "every working day is used");
    }

    #[test]
    fn weekdays_count_from_monday() {
        assert_eq!(weekday(0), 3, "1970-01-01 was a Thursday");
        assert_eq!(weekday(1_764_547_200), 0, "2025-12-01 was a Monday");
    }
}

#[cfg(test)]
mod key_habit_tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn keys_follow_the_habit_and_sometimes_drift() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut used = BTreeSet::new();
        let habit = KeyHabit {
            algorithm: KeyAlgorithm::NistP384,
            ..KeyHabit::default()
        };
        let n = 10_000;
        let (mut other_algorithm, mut other_form, mut emails) = (0, 0, 0);
        for _ in 0..n {
            let (algorithm, uid) = habit.key(&mut rng, "GhostPharma", true, &mut used);
            other_algorithm += usize::from(algorithm != KeyAlgorithm::NistP384);
            other_form += usize::from(!matches!(uid, UserId::Name(_)));
            emails += usize::from(matches!(uid, UserId::WithEmail(..)));
        }
        // Drift draws from the population, which may give the habit back: 8% x 92% and 10% x 45%.
        let algorithm_share = other_algorithm as f64 / n as f64;
        let form_share = other_form as f64 / n as f64;
        assert!((algorithm_share - 0.0736).abs() < 0.01, "{algorithm_share}");
        assert!((form_share - 0.045).abs() < 0.01, "{form_share}");
        // Every e-mail address made is new, although all come from one name and one provider.
        assert!(emails > 100);
        assert_eq!(used.len(), emails);
    }
}
