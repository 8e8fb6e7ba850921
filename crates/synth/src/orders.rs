//! Orders and what hangs off them (feedback, message threads, the encrypted shipping address), each
//! derived from its own random stream so that any of them can be regenerated from the order's index alone.
//! This is what keeps memory flat however many orders a world has: the writers walk the order indexes once
//! per table instead of keeping orders around.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::clock::{DAY, HOUR};
use crate::ids::handles::Handle;
use crate::ids::pgp;
use crate::money::Cents;
use crate::prices::Coin;
use crate::seed::StreamFamily;
use crate::text::{catalog, prose};
use crate::world::{Family, Market, World, ordered_uuid};

/// The life-cycle position of an order, independent of how a market spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    Created,
    Paid,
    Shipped,
    Finalized,
    Disputed,
    Refunded,
    Cancelled,
}

impl OrderState {
    /// States that count as a sale in `truth/vendor_sales.csv`.
    pub fn is_sale(self) -> bool {
        matches!(self, OrderState::Shipped | OrderState::Finalized)
    }

    /// `purchases.state` (laravel never produces Created or Refunded).
    pub fn laravel(self) -> &'static str {
        match self {
            OrderState::Created | OrderState::Paid => "purchased",
            OrderState::Shipped => "sent",
            OrderState::Finalized => "delivered",
            OrderState::Disputed => "disputed",
            OrderState::Refunded | OrderState::Cancelled => "canceled",
        }
    }

    /// `deals.status`.
    pub fn pgmarket(self) -> &'static str {
        match self {
            OrderState::Created => "NEW",
            OrderState::Paid => "PAID",
            OrderState::Shipped => "SHIPPED",
            OrderState::Finalized => "DONE",
            OrderState::Disputed => "DISPUTE",
            OrderState::Refunded => "REFUND",
            OrderState::Cancelled => "CANCEL",
        }
    }
}

pub struct Order {
    pub index: u64,
    pub created: i64,
    /// Sub-second part of the creation time (for time-ordered UUIDs).
    pub millis: u16,
    /// Index into the market's listings.
    pub listing: usize,
    /// Index into the listing's offers (laravel price tier).
    pub offer: usize,
    /// Index into the market's accounts, or into `hidden_buyers` on scrape markets.
    pub buyer: usize,
    pub quantity: u32,
    pub usd: Cents,
    pub coin: Coin,
    pub state: OrderState,
}

impl Order {
    /// 1-based row id.
    pub fn id(&self) -> u64 {
        self.index + 1
    }
}

pub struct Feedback {
    /// 1..5
    pub stars: u8,
    /// 1..10 (pgmarket `reviews.score`, stars = score / 2)
    pub score: u8,
    /// Quality, communication, shipping (laravel).
    pub rates: [u8; 3],
    pub comment: String,
    pub at: i64,
}

/// An identifier planted in a message.
pub enum Planted {
    Handle(Handle),
    Address(String),
}

pub struct Message {
    /// Indexes into the market's accounts.
    pub from: usize,
    pub to: usize,
    pub subject: String,
    pub body: String,
    pub at: i64,
    pub planted: Option<Planted>,
}

/// Derives the orders of one market.
pub struct OrderSource<'w> {
    world: &'w World,
    market: &'w Market,
    core: StreamFamily,
    feedback: StreamFamily,
    thread: StreamFamily,
    shipping: StreamFamily,
    purchase_ids: StreamFamily,
}

impl<'w> OrderSource<'w> {
    pub fn new(world: &'w World, market: &'w Market) -> Self {
        let m = market.index as u64;
        OrderSource {
            world,
            market,
            core: StreamFamily::new(world.seed, "order", m),
            feedback: StreamFamily::new(world.seed, "feedback", m),
            thread: StreamFamily::new(world.seed, "thread", m),
            shipping: StreamFamily::new(world.seed, "shipping", m),
            purchase_ids: StreamFamily::new(world.seed, "purchase-id", m),
        }
    }

    pub fn count(&self) -> u64 {
        if self.market.listings.is_empty() {
            0
        } else {
            self.market.orders
        }
    }

    pub fn order(&self, index: u64) -> Order {
        let market = self.market;
        let mut rng = self.core.at(index);
        let (start, end) = market.order_window();
        // Markets grow: order density rises over time (t ∝ x^0.8), and times rise with the index.
        let x = (index as f64 + rng.r#gen::<f64>()) / market.orders.max(1) as f64;
        let t = start as f64 + (end - start) as f64 * x.powf(0.8);
        let created = t.floor() as i64;
        let millis = ((t - t.floor()) * 1000.0) as u16;
        let listing_index = market.listing_picker.pick(&mut rng, created).unwrap_or(0);
        let listing = &market.listings[listing_index];
        let vendor_persona = market.accounts[listing.vendor].persona;

        let reseller = if market.family.has_orders_table() && rng.gen_bool(0.15) {
            market
                .resellers_by_kind
                .get(&listing.kind)
                .and_then(|p| p.pick(&mut rng, created))
                .filter(|b| market.accounts[*b].persona != vendor_persona)
        } else {
            None
        };
        let buyer = match market.family {
            Family::Scrape => rng.gen_range(0..market.hidden_buyers.len().max(1)),
            _ => reseller
                .or_else(|| market.buyer_picker.pick(&mut rng, created))
                .unwrap_or(0),
        };
        let quantity = if reseller.is_some() {
            rng.gen_range(3..=20)
        } else {
            match rng.gen_range(0..100) {
                0..=69 => 1,
                70..=87 => 2,
                _ => rng.gen_range(3..=5),
            }
        };
        let offer = listing
            .offers
            .iter()
            .enumerate()
            .filter(|(_, o)| o.min_quantity <= quantity)
            .max_by_key(|(_, o)| o.min_quantity)
            .map(|(i, _)| i)
            .unwrap_or(0);
        let unit = match market.family {
            Family::Laravel => listing.offers[offer].unit_price,
            _ => listing.price,
        };
        let coin = if rng.gen_bool(0.22) {
            Coin::Xmr
        } else {
            Coin::Btc
        };
        let state = self.draw_state(&mut rng, created);
        Order {
            index,
            created,
            millis,
            listing: listing_index,
            offer,
            buyer,
            quantity,
            usd: unit.times(quantity),
            coin,
            state,
        }
    }

    /// Recent orders are still open when the market is seized; old ones mostly finalized.
    fn draw_state<R: Rng>(&self, rng: &mut R, created: i64) -> OrderState {
        use OrderState::*;
        let age = self.market.close - created;
        let table: &[(OrderState, u32)] = match (self.market.family, age) {
            (Family::Laravel, a) if a < 4 * DAY => &[(Paid, 55), (Shipped, 35), (Cancelled, 10)],
            (Family::Laravel, a) if a < 14 * DAY => &[
                (Paid, 10),
                (Shipped, 50),
                (Finalized, 30),
                (Disputed, 5),
                (Cancelled, 5),
            ],
            (Family::Laravel, _) => &[
                (Finalized, 78),
                (Shipped, 4),
                (Paid, 2),
                (Disputed, 5),
                (Cancelled, 11),
            ],
            (_, a) if a < 4 * DAY => &[(Created, 20), (Paid, 40), (Shipped, 30), (Cancelled, 10)],
            (_, a) if a < 14 * DAY => &[
                (Paid, 10),
                (Shipped, 50),
                (Finalized, 30),
                (Disputed, 5),
                (Cancelled, 5),
            ],
            _ => &[
                (Finalized, 74),
                (Shipped, 5),
                (Paid, 2),
                (Created, 3),
                (Disputed, 4),
                (Refunded, 4),
                (Cancelled, 8),
            ],
        };
        let total: u32 = table.iter().map(|e| e.1).sum();
        let mut r = rng.gen_range(0..total);
        for (state, w) in table {
            if r < *w {
                return *state;
            }
            r -= w;
        }
        Finalized
    }

    /// Whether the buyer left feedback: the first draw of the order's feedback stream, so it can be
    /// counted without writing the feedback (on scrapes the crawl date can still hide it, see `feedback`).
    pub fn has_feedback(&self, order: &Order) -> bool {
        self.feedback_decision(order).is_some()
    }

    fn feedback_decision(&self, order: &Order) -> Option<ChaCha8Rng> {
        let mut rng = self.feedback.at(order.index);
        let p = match order.state {
            OrderState::Finalized => 0.75,
            OrderState::Shipped => 0.3,
            OrderState::Disputed => 0.6,
            OrderState::Refunded => 0.3,
            _ => 0.0,
        };
        rng.gen_bool(p).then_some(rng)
    }

    /// The order's feedback, if its buyer left one (and, on a scrape, if it was posted before the crawl).
    pub fn feedback(&self, order: &Order) -> Option<Feedback> {
        let mut rng = self.feedback_decision(order)?;
        let mut at = order.created + rng.gen_range(2 * DAY..21 * DAY);
        match self.market.family {
            Family::Scrape if at > self.market.captured => return None,
            Family::Scrape => {}
            _ => {
                at = at
                    .min(self.market.close - rng.gen_range(0..6 * HOUR))
                    .max(order.created + HOUR)
            }
        }
        let vendor = &self.market.accounts[self.market.listings[order.listing].vendor];
        let quality = self.world.seller(vendor).map_or(0.9, |s| s.quality);
        let stars: u8 = match order.state {
            OrderState::Disputed | OrderState::Refunded => {
                if rng.gen_bool(0.8) {
                    rng.gen_range(1..=2)
                } else {
                    3
                }
            }
            _ if rng.gen_bool(quality) => {
                if rng.gen_bool(0.75) {
                    5
                } else {
                    4
                }
            }
            _ => rng.gen_range(1..=3),
        };
        let score = (stars * 2 - rng.gen_range(0..=1)).max(1);
        let mut rates = [0u8; 3];
        for r in &mut rates {
            *r = (i16::from(stars) + rng.gen_range(-1i16..=1)).clamp(1, 5) as u8;
        }
        Some(Feedback {
            stars,
            score,
            rates,
            comment: prose::feedback_comment(&mut rng, stars),
            at,
        })
    }

    /// How many messages [`Self::thread`] returns, without writing them: the stream's first draws decide.
    pub fn thread_len(&self, order: &Order) -> usize {
        self.thread_decision(order).map_or(0, |(_, len)| len)
    }

    fn thread_decision(&self, order: &Order) -> Option<(ChaCha8Rng, usize)> {
        let market = self.market;
        if !market.family.has_orders_table() {
            return None;
        }
        let vendor = &market.accounts[market.listings[order.listing].vendor];
        self.world.seller(vendor)?;
        let mut rng = self.thread.at(order.index);
        if !rng.gen_bool(0.2) {
            return None;
        }
        let len = if rng.gen_bool(0.5) { 3 } else { 2 };
        Some((rng, len))
    }

    /// The buyer–vendor conversation around an order (none for most orders; never on scrapes).
    pub fn thread(&self, order: &Order) -> Vec<Message> {
        let Some((mut rng, len)) = self.thread_decision(order) else {
            return Vec::new();
        };
        let market = self.market;
        let listing = &market.listings[order.listing];
        let vendor_index = listing.vendor;
        let vendor = &market.accounts[vendor_index];
        let Some(seller) = self.world.seller(vendor) else {
            return Vec::new();
        };
        let product = catalog::info(listing.kind).names[0];
        let subject = prose::subject(&mut rng, product);
        let reply_subject = if subject.is_empty() {
            String::new()
        } else {
            format!("Re: {subject}")
        };
        let last = market.close;
        let first_at = (order.created + rng.gen_range(60..3 * HOUR)).min(last);
        let mut messages = vec![Message {
            from: order.buyer,
            to: vendor_index,
            subject,
            body: prose::buyer_opener(&mut rng, product),
            at: first_at,
            planted: None,
        }];
        let reply_at = seller
            .working_moment(&mut rng, first_at + 600)
            .min(last)
            .max(first_at);
        let handle = seller.handle.as_ref().filter(|_| vendor.handle_in_profile);
        let (body, planted) = match (handle, &vendor.payout_btc) {
            (Some(h), _) if rng.gen_bool(0.15) => (
                seller.style.reply_with_handle(&mut rng, &h.written()),
                Some(Planted::Handle(h.clone())),
            ),
            (_, Some(address)) if rng.gen_bool(0.05) => (
                seller.style.reply_with_address(&mut rng, address),
                Some(Planted::Address(address.clone())),
            ),
            _ => (seller.style.reply(&mut rng), None),
        };
        messages.push(Message {
            from: vendor_index,
            to: order.buyer,
            subject: reply_subject.clone(),
            body,
            at: reply_at,
            planted,
        });
        if len == 3 {
            messages.push(Message {
                from: order.buyer,
                to: vendor_index,
                subject: reply_subject,
                body: prose::buyer_followup(&mut rng),
                at: (reply_at + rng.gen_range(HOUR..2 * DAY))
                    .min(last)
                    .max(reply_at),
                planted: None,
            });
        }
        messages
    }

    /// Laravel `purchases.address`: the shipping address encrypted to the vendor's key.
    pub fn shipping_address(&self, order: &Order) -> String {
        let mut rng = self.shipping.at(order.index);
        let vendor = &self.market.accounts[self.market.listings[order.listing].vendor];
        let (recipient, algorithm) =
            vendor
                .key
                .map_or(([0; 8], pgp::KeyAlgorithm::Ed25519Legacy), |k| {
                    let key = &self.world.keys[k];
                    (key.encryption_key_id, key.algorithm)
                });
        let len = rng.gen_range(60..140);
        pgp::shipping_message(&mut rng, &recipient, algorithm, len)
    }

    /// Laravel `purchases.id`: a time-ordered UUID.
    pub fn purchase_uuid(&self, order: &Order) -> String {
        let mut rng = self.purchase_ids.at(order.index);
        ordered_uuid(&mut rng, order.created, order.millis)
    }

    /// Laravel `purchases.marketplace_address`: one of the market's shared deposit addresses.
    pub fn deposit_address(&self, order: &Order) -> &'w str {
        let deposits = &self.market.traps.deposits;
        if deposits.is_empty() {
            return "";
        }
        // The market rotates through its hot wallets.
        &deposits[(order.index as usize * 7 + order.buyer) % deposits.len()]
    }
}
