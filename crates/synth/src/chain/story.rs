//! The world's money on chain: exchanges fund buyers, buyers pay market deposit addresses, markets sweep
//! deposits into a hot wallet and pay vendors in daily batches, vendors consolidate and cash out at an
//! exchange, some through a CoinJoin first.
//!
//! Every amount and date comes from the world's orders; every other draw comes from `chain-*` random
//! streams of the world's seed, so the rest of the world is the same with or without a chain. Events are
//! played in time order; each block holds what happened within half an hour (fewer when busy), its time
//! a few minutes after its last event.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, ScriptBuf, Transaction, TxOut, Txid, absolute};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::blk::{BlkWriter, COINBASE_MATURITY};
use super::script::{self, Kind};
use crate::SynthError;
use crate::clock::{DAY, HOUR, WORLD_END, WORLD_START};
use crate::money::CoinAmount;
use crate::orders::{OrderSource, OrderState};
use crate::prices::Coin as Currency;
use crate::seed::{StreamFamily, stream};
use crate::world::{Family, World};

/// The exchanges of the world: (name, GraphSense actor id). Invented names.
pub const EXCHANGES: [(&str, &str); 4] = [
    ("Coinvault", "coinvault"),
    ("Bitharbor", "bitharbor"),
    ("Northgate Exchange", "northgate"),
    ("Satoshi Square", "satoshisquare"),
];
/// Blocks mined before the world starts: the mature coinbases among them (about 13,600 BTC on regtest's
/// schedule, which halves every 150 blocks) stock the exchanges.
const PREMINE_BLOCKS: u32 = 600;
/// Outputs below this are not made: the value goes to the fee.
const DUST: u64 = 1_000;
/// Share of vendor personas that mix before cashing out.
const COINJOIN_SHARE: f64 = 0.3;
const MAX_INPUTS: usize = 100;
const MAX_OUTPUTS: usize = 200;
/// A block holds the events of at most this many seconds.
const BLOCK_WINDOW: i64 = 1_800;
const MAX_BLOCK_TXS: usize = 2_000;
/// A vendor cashes out only above this balance.
const MIN_CASHOUT: u64 = 300_000;
/// CoinJoin denominations, largest first (Wasabi 1.x mixed about 0.1 BTC; smaller ones for small vendors).
const DENOMINATIONS: [u64; 7] = [
    100_000_000,
    50_000_000,
    10_000_000,
    5_000_000,
    1_000_000,
    500_000,
    100_000,
];

/// Who holds an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Exchange,
    Buyer,
    Market,
    Vendor,
    Coinjoin,
    Miner,
}

impl Owner {
    pub fn name(self) -> &'static str {
        match self {
            Owner::Exchange => "exchange",
            Owner::Buyer => "buyer",
            Owner::Market => "market",
            Owner::Vendor => "vendor",
            Owner::Coinjoin => "coinjoin",
            Owner::Miner => "miner",
        }
    }
}

pub struct AddressInfo {
    pub script: ScriptBuf,
    pub owner: Owner,
    /// Persona id, market name, exchange name, `cj0001-p03`, `miner`.
    pub owner_id: String,
    pub role: &'static str,
    /// Payout addresses: the accounts (`market/name`) whose dump rows hold it; exchange deposit addresses:
    /// `customer <persona>`.
    pub detail: Vec<String>,
}

type AddrId = usize;

/// Every address the story pays, numbered in order of first use.
struct Registry {
    list: Vec<AddressInfo>,
    by_script: HashMap<ScriptBuf, AddrId>,
    rng: ChaCha8Rng,
}

impl Registry {
    fn fresh(&mut self, owner: Owner, owner_id: &str, role: &'static str) -> AddrId {
        let p2sh = if owner == Owner::Exchange { 0.3 } else { 0.05 };
        loop {
            let r: f64 = self.rng.r#gen();
            let kind = if r < 0.45 {
                Kind::P2wpkh
            } else if r < 0.45 + p2sh {
                Kind::P2sh
            } else {
                Kind::P2pkh
            };
            let script = script::script_of(kind, self.rng.r#gen());
            if !self.by_script.contains_key(&script) {
                return self.insert(script, owner, owner_id, role);
            }
        }
    }

    /// The world's address `address`, registered at its first use.
    fn world(
        &mut self,
        address: &str,
        owner: Owner,
        owner_id: &str,
        role: &'static str,
    ) -> Result<AddrId, SynthError> {
        let script = script::world_script(address)?;
        Ok(match self.by_script.get(&script) {
            Some(&id) => id,
            None => self.insert(script, owner, owner_id, role),
        })
    }

    fn insert(
        &mut self,
        script: ScriptBuf,
        owner: Owner,
        owner_id: &str,
        role: &'static str,
    ) -> AddrId {
        let id = self.list.len();
        self.by_script.insert(script.clone(), id);
        self.list.push(AddressInfo {
            script,
            owner,
            owner_id: owner_id.to_string(),
            role,
            detail: Vec::new(),
        });
        id
    }

    fn note(&mut self, id: AddrId, detail: String) {
        if let Some(info) = self.list.get_mut(id)
            && !info.detail.contains(&detail)
        {
            info.detail.push(detail);
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Coin {
    outpoint: OutPoint,
    value: u64,
    address: AddrId,
}

#[derive(Default)]
struct Wallet {
    coins: Vec<Coin>,
}

impl Wallet {
    fn balance(&self) -> u64 {
        self.coins.iter().map(|c| c.value).sum()
    }

    /// Largest coins first until `target` is reached or `max` coins are taken.
    fn take(&mut self, target: u64, max: usize) -> Vec<Coin> {
        self.coins.sort_by(|a, b| {
            b.value
                .cmp(&a.value)
                .then(a.outpoint.txid.cmp(&b.outpoint.txid))
                .then(a.outpoint.vout.cmp(&b.outpoint.vout))
        });
        let mut sum = 0;
        let mut n = 0;
        while n < self.coins.len() && n < max && sum < target {
            sum += self.coins[n].value;
            n += 1;
        }
        self.coins.drain(..n).collect()
    }

    fn put_back(&mut self, coins: Vec<Coin>) {
        self.coins.extend(coins);
    }
}

fn sum(coins: &[Coin]) -> u64 {
    coins.iter().map(|c| c.value).sum()
}

/// What became of an order with a BTC payment on chain (a row of `truth/chain_flows.csv`).
pub struct OrderFlow {
    pub market: usize,
    /// The id the market's files give the order (laravel purchase UUID, pgmarket deal id; on scrapes the
    /// order's number, which no file shows).
    pub order: String,
    pub state: OrderState,
    pub buyer: String,
    pub vendor_account: usize,
    pub vendor_persona: usize,
    pub sats: u64,
    pub deposit_address: AddrId,
    pub deposit_txid: Option<Txid>,
    pub settlement: Settlement,
    pub payout_sats: u64,
    pub payout_address: Option<AddrId>,
    pub payout: Option<OutPoint>,
    pub cashout_txid: Option<Txid>,
    pub coinjoin_txid: Option<Txid>,
    times: OrderTimes,
    buyer_index: usize,
}

#[derive(Clone, Copy)]
struct OrderTimes {
    withdraw: i64,
    withdraw_sats: u64,
    deposit: i64,
    settle: i64,
}

/// What the market did with an order's coins by the time it was seized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Finalized: paid to the vendor, minus the market's commission.
    Payout,
    /// Refunded to the buyer.
    Refund,
    /// Still in escrow at the seizure.
    Held,
}

impl Settlement {
    pub fn name(self) -> &'static str {
        match self {
            Settlement::Payout => "payout",
            Settlement::Refund => "refund",
            Settlement::Held => "held",
        }
    }
}

struct BuyerState {
    owner_id: String,
    exchange: usize,
    /// The one receive address of a buyer who reuses it.
    reuse: Option<AddrId>,
    wallet: Wallet,
    /// What the orders it has planned for and not yet paid will cost.
    owed: u64,
    /// Withdrawals asked for and not yet paid out by the exchange.
    incoming: u64,
}

pub struct VendorTruth {
    pub persona: usize,
    pub exchange: usize,
    pub exchange_deposit: AddrId,
    pub coinjoin: bool,
    pub payout_sats: u64,
    pub cashed_out_sats: u64,
}

struct VendorState {
    truth: VendorTruth,
    wallet: Wallet,
    mixed: Wallet,
    mixed_orders: Vec<usize>,
    /// The other participants' coins from the vendor's last CoinJoin: (participant, coins).
    mixed_others: Vec<(String, Vec<Coin>)>,
    mixing: bool,
}

struct MarketState {
    name: &'static str,
    hot: AddrId,
    commission_bp: u64,
    deposits: Wallet,
    hot_wallet: Wallet,
    pending: Vec<usize>,
}

struct ExchangeState {
    hot: AddrId,
    hot_wallet: Wallet,
    deposits: Wallet,
    pending: Vec<(AddrId, u64, Dest)>,
}

#[derive(Debug, Clone, Copy)]
enum Dest {
    Buyer(usize),
    /// Returned to the caller (CoinJoin participants' funding).
    Loose,
}

pub struct CoinjoinTruth {
    pub txid: Txid,
    pub denomination: u64,
    pub participants: usize,
    pub equal_outputs: usize,
    pub vendor_persona: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Withdraw(usize),
    Deposit(usize),
    Settle(usize),
    MarketSweep(usize),
    MarketPayout(usize),
    VendorCashout(usize),
    PostMix(usize),
    ExchangeSweep(usize),
}

/// Whose output of a CoinJoin.
#[derive(Debug, Clone, Copy)]
enum Whose {
    VendorMixed,
    VendorChange,
    /// Index among the other participants.
    Participant(usize),
    Coordinator,
}

#[derive(Default)]
struct OpenBlock {
    txs: Vec<Transaction>,
    txids: Vec<Txid>,
    fees: u64,
    feerate: u64,
    first: Option<i64>,
    last: i64,
}

/// The story's outcome, for the truth files.
pub struct Story {
    pub addresses: Vec<AddressInfo>,
    pub orders: Vec<OrderFlow>,
    pub vendors: Vec<VendorTruth>,
    pub coinjoins: Vec<CoinjoinTruth>,
    /// Per exchange: its hot wallet address.
    pub exchange_hot: Vec<AddrId>,
    pub summary: super::ChainSummary,
}

struct Player<'w> {
    world: &'w World,
    reg: Registry,
    blk: BlkWriter,
    block: OpenBlock,
    rng: ChaCha8Rng,
    miner: AddrId,
    miner_coins: Vec<(Coin, u32)>,
    exchanges: Vec<ExchangeState>,
    buyers: Vec<BuyerState>,
    vendors: BTreeMap<usize, VendorState>,
    markets: Vec<MarketState>,
    orders: Vec<OrderFlow>,
    payout_orders: HashMap<OutPoint, Vec<usize>>,
    coinjoins: Vec<CoinjoinTruth>,
    coordinator: AddrId,
    queue: BinaryHeap<Reverse<(i64, u64, Event)>>,
    seq: u64,
}

pub fn play(world: &World, dir: &std::path::Path) -> Result<Story, SynthError> {
    let seed = world.seed;
    let mut reg = Registry {
        list: Vec::new(),
        by_script: HashMap::new(),
        rng: stream(seed, "chain-addresses", 0, 0),
    };
    let miner = reg.fresh(Owner::Miner, "miner", "coinbase");
    let coordinator = reg.fresh(Owner::Coinjoin, "coordinator", "coinjoin-coordinator");
    let exchanges = EXCHANGES
        .iter()
        .map(|(name, _)| ExchangeState {
            hot: reg.fresh(Owner::Exchange, name, "exchange-hot"),
            hot_wallet: Wallet::default(),
            deposits: Wallet::default(),
            pending: Vec::new(),
        })
        .collect();
    let market_rng = StreamFamily::new(seed, "chain-market", 0);
    let markets = world
        .markets
        .iter()
        .map(|m| {
            let mut rng = market_rng.at(m.index as u64);
            MarketState {
                name: m.name,
                hot: reg.fresh(Owner::Market, m.name, "market-hot"),
                commission_bp: rng.gen_range(300..=600),
                deposits: Wallet::default(),
                hot_wallet: Wallet::default(),
                pending: Vec::new(),
            }
        })
        .collect();
    let market_days = StreamFamily::new(seed, "chain-market-days", 0);
    let mut player = Player {
        world,
        reg,
        blk: BlkWriter::create(dir)?,
        block: OpenBlock::default(),
        rng: stream(seed, "chain-blocks", 0, 0),
        miner,
        miner_coins: Vec::new(),
        exchanges,
        buyers: Vec::new(),
        vendors: BTreeMap::new(),
        markets,
        orders: Vec::new(),
        payout_orders: HashMap::new(),
        coinjoins: Vec::new(),
        coordinator,
        queue: BinaryHeap::new(),
        seq: 0,
    };
    player.premine()?;
    player.plan_orders()?;
    player.plan_schedules(&market_days);
    while let Some(Reverse((t, _, event))) = player.queue.pop() {
        player.at(t)?;
        player.handle(t, event)?;
    }
    player.close_block()?;
    let Player {
        reg,
        blk,
        orders,
        vendors,
        coinjoins,
        exchanges,
        ..
    } = player;
    Ok(Story {
        addresses: reg.list,
        orders,
        vendors: vendors.into_values().map(|v| v.truth).collect(),
        coinjoins,
        exchange_hot: exchanges.iter().map(|e| e.hot).collect(),
        summary: blk.finish()?,
    })
}

impl Player<'_> {
    fn push(&mut self, t: i64, event: Event) {
        self.seq += 1;
        self.queue.push(Reverse((t, self.seq, event)));
    }

    fn script(&self, id: AddrId) -> ScriptBuf {
        self.reg.list[id].script.clone()
    }

    /// Premined blocks before the world's first day, then the mature coinbases shared among the exchanges.
    fn premine(&mut self) -> Result<(), SynthError> {
        let start = WORLD_START - DAY - i64::from(PREMINE_BLOCKS) * 600;
        let miner = self.script(self.miner);
        for h in 1..=PREMINE_BLOCKS {
            let time = unix_u32(start + i64::from(h) * 600);
            let value = super::blk::subsidy(self.blk.next_height());
            let height = self.blk.next_height();
            let txid = self.blk.write_block(time, &miner, Vec::new(), &[], 0)?;
            self.miner_coins.push((
                Coin {
                    outpoint: OutPoint::new(txid, 0),
                    value,
                    address: self.miner,
                },
                height,
            ));
        }
        self.at(WORLD_START - DAY / 2)?;
        let mature: Vec<Coin> = self.take_mature_miner_coins(u64::MAX);
        let per_exchange = mature.len().div_ceil(EXCHANGES.len());
        for (e, chunk) in mature.chunks(per_exchange.max(1)).enumerate() {
            let e = e % EXCHANGES.len();
            let total = sum(chunk);
            let hot = self.exchanges[e].hot;
            // A few outputs, so that the exchange has coins to spend side by side.
            let part = total / 5;
            let outputs: Vec<(AddrId, u64)> = (0..4).map(|_| (hot, part)).collect();
            let (_, coins) = self.send(chunk.to_vec(), &outputs, Some(hot))?;
            self.exchanges[e].hot_wallet.put_back(coins);
        }
        self.close_block()
    }

    fn take_mature_miner_coins(&mut self, target: u64) -> Vec<Coin> {
        let next = self.blk.next_height();
        let mut taken = Vec::new();
        let mut got = 0;
        self.miner_coins.retain(|(coin, height)| {
            if got < target && height + COINBASE_MATURITY <= next {
                got += coin.value;
                taken.push(*coin);
                false
            } else {
                true
            }
        });
        taken
    }

    /// One flow per BTC order that was paid, with its dates and addresses.
    fn plan_orders(&mut self) -> Result<(), SynthError> {
        let world = self.world;
        let seed = world.seed;
        let mut buyer_index: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut payout_address: BTreeMap<(usize, usize), AddrId> = BTreeMap::new();
        for market in &world.markets {
            let m = market.index;
            let source = OrderSource::new(world, market);
            let rngs = StreamFamily::new(seed, "chain-order", m as u64);
            for i in 0..source.count() {
                let order = source.order(i);
                if order.coin != Currency::Btc
                    || matches!(order.state, OrderState::Created | OrderState::Cancelled)
                {
                    continue;
                }
                let mut rng = rngs.at(i);
                let sats =
                    CoinAmount::of_usd(order.usd, Currency::Btc, order.created, &world.prices)
                        .0
                        .max(0) as u64;
                // Buyers: personas on dump markets; on scrapes, masked names no persona is known for.
                let (key, owner_id, refund) = match market.family {
                    Family::Scrape => (
                        (usize::MAX - m, order.buyer),
                        format!("{}/hidden-buyer-{}", market.name, order.buyer + 1),
                        None,
                    ),
                    _ => {
                        let account = &market.accounts[order.buyer];
                        let refund = match &account.refund {
                            Some((Currency::Btc, a)) => Some(a.as_str()),
                            _ => None,
                        };
                        (
                            (account.persona, 0),
                            world.personas[account.persona].id.clone(),
                            refund,
                        )
                    }
                };
                let buyer = match buyer_index.get(&key) {
                    Some(&b) => b,
                    None => {
                        let mut brng = stream(seed, "chain-buyer", key.0 as u64, key.1 as u64);
                        let exchange = brng.gen_range(0..EXCHANGES.len());
                        let reuse = brng
                            .gen_bool(0.4)
                            .then(|| self.reg.fresh(Owner::Buyer, &owner_id, "buyer-receive"));
                        self.buyers.push(BuyerState {
                            owner_id: owner_id.clone(),
                            exchange,
                            reuse,
                            wallet: Wallet::default(),
                            owed: 0,
                            incoming: 0,
                        });
                        buyer_index.insert(key, self.buyers.len() - 1);
                        self.buyers.len() - 1
                    }
                };
                let deposit_address = match market.family {
                    Family::Laravel => {
                        let a = source.deposit_address(&order);
                        if a.is_empty() {
                            self.reg.fresh(Owner::Market, market.name, "market-deposit")
                        } else {
                            self.reg
                                .world(a, Owner::Market, market.name, "market-deposit")?
                        }
                    }
                    Family::Pgmarket => {
                        match market.accounts[order.buyer]
                            .deposit
                            .and_then(|d| market.traps.deposits.get(d))
                        {
                            Some(a) => {
                                self.reg
                                    .world(a, Owner::Market, market.name, "market-deposit")?
                            }
                            None => self.reg.fresh(Owner::Market, market.name, "market-deposit"),
                        }
                    }
                    Family::Scrape => match &market.traps.escrow {
                        Some(a) if rng.gen_bool(0.3) => {
                            self.reg
                                .world(a, Owner::Market, market.name, "market-escrow")?
                        }
                        _ => self.reg.fresh(Owner::Market, market.name, "market-deposit"),
                    },
                };
                let vendor_account = market.listings[order.listing].vendor;
                let vendor_persona = market.accounts[vendor_account].persona;
                let persona_id = world.personas[vendor_persona].id.clone();
                let (settlement, payout_sats, payout) = match order.state {
                    OrderState::Finalized => {
                        let fee = sats * self.markets[m].commission_bp / 10_000;
                        let addr = match payout_address.get(&(m, vendor_account)) {
                            Some(&a) => a,
                            None => {
                                let account = &market.accounts[vendor_account];
                                let a = match &account.payout_btc {
                                    Some(s) => self.reg.world(
                                        s,
                                        Owner::Vendor,
                                        &persona_id,
                                        "vendor-payout",
                                    )?,
                                    None => {
                                        self.reg.fresh(Owner::Vendor, &persona_id, "vendor-payout")
                                    }
                                };
                                self.reg
                                    .note(a, format!("{}/{}", market.name, account.name));
                                payout_address.insert((m, vendor_account), a);
                                a
                            }
                        };
                        (Settlement::Payout, sats - fee, Some(addr))
                    }
                    OrderState::Refunded => {
                        let addr = match refund {
                            Some(a) => {
                                self.reg.world(a, Owner::Buyer, &owner_id, "buyer-refund")?
                            }
                            None => self.reg.fresh(Owner::Buyer, &owner_id, "buyer-refund"),
                        };
                        (Settlement::Refund, sats, Some(addr))
                    }
                    _ => (Settlement::Held, 0, None),
                };
                if settlement == Settlement::Payout {
                    self.ensure_vendor(vendor_persona)?;
                }
                let deposit = order.created + rng.gen_range(120..5_400);
                let withdraw = (order.created - rng.gen_range(HOUR..3 * DAY)).max(WORLD_START);
                let withdraw_sats =
                    ((sats + 30_000) as f64 * rng.gen_range(1.0..1.25)) as u64 / 10_000 * 10_000
                        + 10_000;
                let settle = (order.created + rng.gen_range(3 * DAY..15 * DAY))
                    .min(market.close - 2 * HOUR)
                    .max(deposit + HOUR);
                self.orders.push(OrderFlow {
                    market: m,
                    order: match market.family {
                        Family::Laravel => source.purchase_uuid(&order),
                        _ => order.id().to_string(),
                    },
                    state: order.state,
                    buyer: owner_id,
                    vendor_account,
                    vendor_persona,
                    sats,
                    deposit_address,
                    deposit_txid: None,
                    settlement,
                    payout_sats,
                    payout_address: payout,
                    payout: None,
                    cashout_txid: None,
                    coinjoin_txid: None,
                    times: OrderTimes {
                        withdraw,
                        withdraw_sats,
                        deposit,
                        settle,
                    },
                    buyer_index: buyer,
                });
            }
        }
        for k in 0..self.orders.len() {
            let times = self.orders[k].times;
            self.push(times.withdraw, Event::Withdraw(k));
            self.push(times.deposit, Event::Deposit(k));
            if self.orders[k].settlement != Settlement::Held {
                self.push(times.settle, Event::Settle(k));
            }
        }
        Ok(())
    }

    fn ensure_vendor(&mut self, persona: usize) -> Result<(), SynthError> {
        if self.vendors.contains_key(&persona) {
            return Ok(());
        }
        let mut rng = stream(self.world.seed, "chain-vendor", 0, persona as u64);
        let exchange = rng.gen_range(0..EXCHANGES.len());
        let coinjoin = rng.gen_bool(COINJOIN_SHARE);
        let persona_id = self.world.personas[persona].id.clone();
        let deposit = self
            .reg
            .fresh(Owner::Exchange, EXCHANGES[exchange].0, "exchange-deposit");
        self.reg.note(deposit, format!("customer {persona_id}"));
        self.vendors.insert(
            persona,
            VendorState {
                truth: VendorTruth {
                    persona,
                    exchange,
                    exchange_deposit: deposit,
                    coinjoin,
                    payout_sats: 0,
                    cashed_out_sats: 0,
                },
                wallet: Wallet::default(),
                mixed: Wallet::default(),
                mixed_orders: Vec::new(),
                mixing: false,
                mixed_others: Vec::new(),
            },
        );
        Ok(())
    }

    /// Daily market sweeps and payouts, daily exchange sweeps, vendors' cash-out days.
    fn plan_schedules(&mut self, market_days: &StreamFamily) {
        let world = self.world;
        for market in &world.markets {
            let mut rng = market_days.at(market.index as u64);
            let hour = rng.gen_range(0..24) * HOUR;
            let mut day = market.open.div_euclid(DAY) * DAY;
            while day + hour < market.close - 2 * HOUR {
                let t = day + hour + rng.gen_range(0..1_800);
                self.push(t, Event::MarketSweep(market.index));
                self.push(t + HOUR, Event::MarketPayout(market.index));
                day += DAY;
            }
            self.push(market.close - 90 * 60, Event::MarketSweep(market.index));
            self.push(market.close - HOUR, Event::MarketPayout(market.index));
        }
        for e in 0..EXCHANGES.len() {
            let mut rng = stream(world.seed, "chain-exchange", 0, e as u64);
            let hour = rng.gen_range(0..24) * HOUR;
            let mut day = WORLD_START;
            while day + hour < WORLD_END {
                self.push(
                    day + hour + rng.gen_range(0..1_800),
                    Event::ExchangeSweep(e),
                );
                day += DAY;
            }
        }
        let personas: Vec<(usize, bool)> = self
            .vendors
            .values()
            .map(|v| (v.truth.persona, v.truth.coinjoin))
            .collect();
        for (persona, coinjoin) in personas {
            let mut rng = stream(world.seed, "chain-cashout", 0, persona as u64);
            // Mixing costs fees and time: those who mix cash out less often.
            let interval = if coinjoin {
                rng.gen_range(25..60)
            } else {
                rng.gen_range(5..25)
            } * DAY;
            let seller = world.personas[persona].seller.as_ref();
            let mut t = WORLD_START + rng.gen_range(0..interval);
            while t < WORLD_END {
                let at = match seller {
                    Some(s) => s.working_moment(&mut rng, t),
                    None => t,
                };
                if at < WORLD_END {
                    self.push(at, Event::VendorCashout(persona));
                }
                t += interval + rng.gen_range(-2 * DAY..2 * DAY);
            }
        }
    }

    fn handle(&mut self, t: i64, event: Event) -> Result<(), SynthError> {
        match event {
            Event::Withdraw(k) => {
                let b = self.orders[k].buyer_index;
                let buyer = &mut self.buyers[b];
                buyer.owed += self.orders[k].sats;
                // A buyer with enough left from before buys with that.
                if buyer.wallet.balance() + buyer.incoming >= buyer.owed + 100_000 {
                    return Ok(());
                }
                let amount = self.orders[k].times.withdraw_sats;
                buyer.incoming += amount;
                let e = buyer.exchange;
                let to = self.buyer_receive_address(b);
                self.exchanges[e].pending.push((to, amount, Dest::Buyer(b)));
                Ok(())
            }
            Event::Deposit(k) => self.deposit(k),
            Event::Settle(k) => {
                let m = self.orders[k].market;
                self.markets[m].pending.push(k);
                Ok(())
            }
            Event::MarketSweep(m) => self.market_sweep(m),
            Event::MarketPayout(m) => self.market_payout(m),
            Event::VendorCashout(p) => self.vendor_cashout(t, p),
            Event::PostMix(p) => self.post_mix(p),
            Event::ExchangeSweep(e) => {
                let hot = self.exchanges[e].hot;
                let coins = std::mem::take(&mut self.exchanges[e].deposits.coins);
                let kept = self.sweep(coins, hot)?;
                self.exchanges[e].deposits.put_back(kept.0);
                self.exchanges[e].hot_wallet.put_back(kept.1);
                Ok(())
            }
        }
    }

    fn buyer_receive_address(&mut self, b: usize) -> AddrId {
        match self.buyers[b].reuse {
            Some(a) => a,
            None => {
                let owner = self.buyers[b].owner_id.clone();
                self.reg.fresh(Owner::Buyer, &owner, "buyer-receive")
            }
        }
    }

    fn deposit(&mut self, k: usize) -> Result<(), SynthError> {
        let b = self.orders[k].buyer_index;
        let e = self.buyers[b].exchange;
        if self.exchanges[e]
            .pending
            .iter()
            .any(|p| matches!(p.2, Dest::Buyer(x) if x == b))
        {
            self.flush_withdrawals(e)?;
        }
        let amount = self.orders[k].sats;
        let buyer = &mut self.buyers[b];
        buyer.owed = buyer.owed.saturating_sub(amount);
        let need = amount + self.fee_for(4, 2);
        if self.buyers[b].wallet.balance() < need {
            // More than the buyer had planned: another withdrawal, just before paying.
            let to = self.buyer_receive_address(b);
            let top_up = (need - self.buyers[b].wallet.balance()) / 10_000 * 10_000 + 50_000;
            self.exchanges[e].pending.push((to, top_up, Dest::Buyer(b)));
            self.flush_withdrawals(e)?;
        }
        let inputs = self.buyers[b].wallet.take(need, 20);
        if sum(&inputs) < amount {
            return Err(SynthError::Chain(format!(
                "buyer {} cannot pay order {}",
                self.buyers[b].owner_id, self.orders[k].order
            )));
        }
        let owner = self.buyers[b].owner_id.clone();
        let change = self.reg.fresh(Owner::Buyer, &owner, "buyer-change");
        let deposit = self.orders[k].deposit_address;
        let (txid, coins) = self.send(inputs, &[(deposit, amount)], Some(change))?;
        self.orders[k].deposit_txid = Some(txid);
        let mut coins = coins.into_iter();
        let m = self.orders[k].market;
        if let Some(c) = coins.next() {
            self.markets[m].deposits.put_back(vec![c]);
        }
        self.buyers[b].wallet.put_back(coins.collect());
        Ok(())
    }

    /// Sweeps `coins` into `to` in transactions of at most [`MAX_INPUTS`]; returns (coins too small to be
    /// worth it, the swept coins).
    fn sweep(
        &mut self,
        mut coins: Vec<Coin>,
        to: AddrId,
    ) -> Result<(Vec<Coin>, Vec<Coin>), SynthError> {
        let mut kept = Vec::new();
        let mut swept = Vec::new();
        coins.sort_by_key(|c| (c.outpoint.txid, c.outpoint.vout));
        for chunk in coins.chunks(MAX_INPUTS) {
            if sum(chunk) < self.fee_for(chunk.len(), 1) + 10 * DUST {
                kept.extend_from_slice(chunk);
                continue;
            }
            let (_, out) = self.send(chunk.to_vec(), &[], Some(to))?;
            swept.extend(out);
        }
        Ok((kept, swept))
    }

    fn market_sweep(&mut self, m: usize) -> Result<(), SynthError> {
        let hot = self.markets[m].hot;
        let coins = std::mem::take(&mut self.markets[m].deposits.coins);
        let (kept, swept) = self.sweep(coins, hot)?;
        self.markets[m].deposits.put_back(kept);
        self.markets[m].hot_wallet.put_back(swept);
        Ok(())
    }

    fn market_payout(&mut self, m: usize) -> Result<(), SynthError> {
        let pending = std::mem::take(&mut self.markets[m].pending);
        if pending.is_empty() {
            return Ok(());
        }
        // One output per address, whatever number of orders it settles.
        let mut by_address: BTreeMap<AddrId, Vec<usize>> = BTreeMap::new();
        for &k in &pending {
            if let Some(a) = self.orders[k].payout_address {
                by_address.entry(a).or_default().push(k);
            }
        }
        let groups: Vec<(AddrId, Vec<usize>)> = by_address.into_iter().collect();
        let mut deferred = Vec::new();
        for batch in groups.chunks(MAX_OUTPUTS) {
            let outputs: Vec<(AddrId, u64)> = batch
                .iter()
                .map(|(a, ks)| (*a, ks.iter().map(|&k| self.orders[k].payout_sats).sum()))
                .collect();
            let total: u64 = outputs.iter().map(|o| o.1).sum();
            let need = total + self.fee_for(MAX_INPUTS, outputs.len() + 1);
            if self.markets[m].hot_wallet.balance() < need {
                self.market_sweep(m)?;
            }
            let inputs = self.markets[m].hot_wallet.take(need, MAX_INPUTS);
            if sum(&inputs) < need {
                self.markets[m].hot_wallet.put_back(inputs);
                deferred.extend(batch.iter().flat_map(|(_, ks)| ks.iter().copied()));
                continue;
            }
            let name = self.markets[m].name;
            let change = self.reg.fresh(Owner::Market, name, "market-change");
            let (txid, coins) = self.send(inputs, &outputs, Some(change))?;
            for (vout, ((_, ks), coin)) in batch.iter().zip(&coins).enumerate() {
                for &k in ks {
                    self.orders[k].payout = Some(OutPoint::new(txid, vout as u32));
                }
                let first = ks[0];
                match self.orders[first].settlement {
                    Settlement::Refund => {
                        let b = self.orders[first].buyer_index;
                        self.buyers[b].wallet.put_back(vec![*coin]);
                    }
                    _ => {
                        let p = self.orders[first].vendor_persona;
                        if let Some(v) = self.vendors.get_mut(&p) {
                            v.truth.payout_sats += coin.value;
                            v.wallet.put_back(vec![*coin]);
                        }
                        self.payout_orders.insert(coin.outpoint, ks.clone());
                    }
                }
            }
            if let Some(c) = coins.get(batch.len()) {
                self.markets[m].hot_wallet.put_back(vec![*c]);
            }
        }
        self.markets[m].pending = deferred;
        Ok(())
    }

    /// Marks the orders whose payouts `spent` carried.
    fn spent_payouts(&mut self, spent: &[Coin]) -> Vec<usize> {
        spent
            .iter()
            .filter_map(|c| self.payout_orders.remove(&c.outpoint))
            .flatten()
            .collect()
    }

    fn vendor_cashout(&mut self, t: i64, p: usize) -> Result<(), SynthError> {
        let Some(v) = self.vendors.get_mut(&p) else {
            return Ok(());
        };
        if v.mixing || v.wallet.balance() < MIN_CASHOUT {
            return Ok(());
        }
        if v.truth.coinjoin {
            return self.coinjoin(t, p);
        }
        let inputs = v.wallet.take(u64::MAX, MAX_INPUTS);
        let deposit = v.truth.exchange_deposit;
        let e = v.truth.exchange;
        let balance = sum(&inputs);
        let mut rng = stream(self.world.seed, "chain-cashout-amount", p as u64, t as u64);
        let persona_id = self.world.personas[p].id.clone();
        let orders = self.spent_payouts(&inputs);
        let (txid, coins) = if rng.gen_bool(0.6) {
            // Everything to the exchange.
            self.send(inputs, &[], Some(deposit))?
        } else {
            let amount = (balance as f64 * rng.gen_range(0.6..0.95)) as u64 / 100_000 * 100_000;
            let change = self.reg.fresh(Owner::Vendor, &persona_id, "vendor-change");
            self.send(inputs, &[(deposit, amount.max(DUST))], Some(change))?
        };
        let mut coins = coins.into_iter();
        if let Some(c) = coins.next() {
            self.exchanges[e].deposits.put_back(vec![c]);
            if let Some(v) = self.vendors.get_mut(&p) {
                v.truth.cashed_out_sats += c.value;
                v.wallet.put_back(coins.collect());
            }
        }
        for k in orders {
            self.orders[k].cashout_txid = Some(txid);
        }
        Ok(())
    }

    fn post_mix(&mut self, p: usize) -> Result<(), SynthError> {
        let Some(v) = self.vendors.get_mut(&p) else {
            return Ok(());
        };
        v.mixing = false;
        let coins = std::mem::take(&mut v.mixed.coins);
        let orders = std::mem::take(&mut v.mixed_orders);
        let others = std::mem::take(&mut v.mixed_others);
        let deposit = v.truth.exchange_deposit;
        let e = v.truth.exchange;
        // The others spend their mixed coins too; most of it ends at an exchange, where it came from
        // (and the chain's supply, small on regtest, goes round instead of piling up).
        let mut rng = stream(self.world.seed, "chain-postmix", p as u64, self.seq);
        for (id, theirs) in others {
            if theirs.is_empty() {
                continue;
            }
            let x = rng.gen_range(0..EXCHANGES.len());
            let to = self
                .reg
                .fresh(Owner::Exchange, EXCHANGES[x].0, "exchange-deposit");
            self.reg.note(to, format!("customer {id}"));
            let (_, made) = self.send(theirs, &[], Some(to))?;
            self.exchanges[x].deposits.put_back(made);
        }
        if coins.is_empty() {
            return Ok(());
        }
        let (txid, out) = self.send(coins, &[], Some(deposit))?;
        for c in out {
            self.exchanges[e].deposits.put_back(vec![c]);
            if let Some(v) = self.vendors.get_mut(&p) {
                v.truth.cashed_out_sats += c.value;
            }
        }
        for k in orders {
            self.orders[k].cashout_txid = Some(txid);
        }
        Ok(())
    }
}

impl Player<'_> {
    /// Makes the open block the one for time `t`: closes it first when `t` is past its window.
    fn at(&mut self, t: i64) -> Result<(), SynthError> {
        if let Some(first) = self.block.first
            && (t - first > BLOCK_WINDOW || self.block.txs.len() >= MAX_BLOCK_TXS)
        {
            self.close_block()?;
        }
        if self.block.first.is_none() {
            // Fee rates of 2019–2021: mostly a few sat/vB, now and then tens.
            let r: f64 = self.rng.r#gen();
            self.block.feerate = 1 + (r.powi(3) * 80.0) as u64;
            self.block.first = Some(t);
            self.block.last = t;
        }
        self.block.last = self.block.last.max(t);
        Ok(())
    }

    fn close_block(&mut self) -> Result<(), SynthError> {
        if self.block.first.is_none() {
            return Ok(());
        }
        for e in 0..self.exchanges.len() {
            self.flush_withdrawals(e)?;
        }
        let block = std::mem::take(&mut self.block);
        if block.txs.is_empty() {
            return Ok(());
        }
        let time = unix_u32(block.last + self.rng.gen_range(30..600));
        let height = self.blk.next_height();
        let value = super::blk::subsidy(height) + block.fees;
        let miner = self.script(self.miner);
        let txid = self
            .blk
            .write_block(time, &miner, block.txs, &block.txids, block.fees)?;
        self.miner_coins.push((
            Coin {
                outpoint: OutPoint::new(txid, 0),
                value,
                address: self.miner,
            },
            height,
        ));
        Ok(())
    }

    /// A generous fee for a transaction of this shape at the open block's rate (legacy-sized inputs).
    fn fee_for(&self, inputs: usize, outputs: usize) -> u64 {
        self.block.feerate.max(1) * (11 + 148 * inputs as u64 + 34 * outputs as u64)
    }

    /// Spends `inputs` to `outputs` and the rest, less the fee, to `change` (left to the fee when it would
    /// be dust). Returns the txid and the coins made: one per output, then the change if any.
    fn send(
        &mut self,
        inputs: Vec<Coin>,
        outputs: &[(AddrId, u64)],
        change: Option<AddrId>,
    ) -> Result<(Txid, Vec<Coin>), SynthError> {
        let input_value = sum(&inputs);
        let output_value: u64 = outputs.iter().map(|o| o.1).sum();
        if input_value < output_value {
            return Err(SynthError::Chain(format!(
                "{input_value} sat cannot pay {output_value} sat"
            )));
        }
        let mut tx = Transaction {
            version: Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: inputs
                .iter()
                .map(|c| script::spend(c.outpoint, &self.reg.list[c.address].script))
                .collect(),
            output: outputs
                .iter()
                .map(|(a, v)| TxOut {
                    value: Amount::from_sat(*v),
                    script_pubkey: self.script(*a),
                })
                .collect(),
        };
        let mut made: Vec<AddrId> = outputs.iter().map(|o| o.0).collect();
        if let Some(c) = change {
            tx.output.push(TxOut {
                value: Amount::ZERO,
                script_pubkey: self.script(c),
            });
            let mut fee = self.block.feerate.max(1) * tx.vsize() as u64;
            let rest = input_value - output_value;
            if outputs.is_empty() {
                // A sweep pays what fee it can rather than nothing at all.
                fee = fee.min(rest.saturating_sub(DUST));
            }
            match (rest.checked_sub(fee), tx.output.last_mut()) {
                (Some(value), Some(out)) if value >= DUST => {
                    out.value = Amount::from_sat(value);
                    made.push(c);
                }
                _ => {
                    tx.output.pop();
                }
            }
        }
        if tx.output.is_empty() {
            return Err(SynthError::Chain(format!(
                "{input_value} sat are too little to move"
            )));
        }
        let paid: u64 = tx.output.iter().map(|o| o.value.to_sat()).sum();
        let values: Vec<u64> = tx.output.iter().map(|o| o.value.to_sat()).collect();
        let txid = self.push_tx(tx, input_value - paid);
        let coins = made
            .into_iter()
            .zip(values)
            .enumerate()
            .map(|(vout, (address, value))| Coin {
                outpoint: OutPoint::new(txid, vout as u32),
                value,
                address,
            })
            .collect();
        Ok((txid, coins))
    }

    fn push_tx(&mut self, tx: Transaction, fee: u64) -> Txid {
        let txid = tx.compute_txid();
        self.block.txs.push(tx);
        self.block.txids.push(txid);
        self.block.fees += fee;
        txid
    }

    /// Pays the exchange's pending withdrawals in batches; returns the coins of [`Dest::Loose`] ones.
    fn flush_withdrawals(&mut self, e: usize) -> Result<Vec<Coin>, SynthError> {
        let pending = std::mem::take(&mut self.exchanges[e].pending);
        let mut loose = Vec::new();
        for batch in pending.chunks(MAX_OUTPUTS) {
            let outputs: Vec<(AddrId, u64)> = batch.iter().map(|p| (p.0, p.1)).collect();
            let total: u64 = outputs.iter().map(|o| o.1).sum();
            let need = total + self.fee_for(MAX_INPUTS / 4, outputs.len() + 1);
            self.fund_exchange(e, need)?;
            let inputs = self.exchanges[e].hot_wallet.take(need, MAX_INPUTS);
            let change = self
                .reg
                .fresh(Owner::Exchange, EXCHANGES[e].0, "exchange-change");
            let (_, coins) = self.send(inputs, &outputs, Some(change))?;
            for (p, coin) in batch.iter().zip(&coins) {
                match p.2 {
                    Dest::Buyer(b) => {
                        let buyer = &mut self.buyers[b];
                        buyer.incoming = buyer.incoming.saturating_sub(p.1);
                        buyer.wallet.put_back(vec![*coin]);
                    }
                    Dest::Loose => loose.push(*coin),
                }
            }
            if let Some(c) = coins.get(batch.len()) {
                self.exchanges[e].hot_wallet.put_back(vec![*c]);
            }
        }
        Ok(loose)
    }

    /// Tops up an exchange short of `need`: from the miner's mature coins, else from the richest exchange.
    fn fund_exchange(&mut self, e: usize, need: u64) -> Result<(), SynthError> {
        let have = self.exchanges[e].hot_wallet.balance();
        if have >= need {
            return Ok(());
        }
        let short = need - have + 10 * 100_000_000;
        let hot = self.exchanges[e].hot;
        let mut coins = self.take_mature_miner_coins(short);
        if sum(&coins) < short {
            let richest = (0..self.exchanges.len())
                .filter(|&x| x != e)
                .max_by_key(|&x| (self.exchanges[x].hot_wallet.balance(), Reverse(x)));
            if let Some(x) = richest {
                coins.extend(self.exchanges[x].hot_wallet.take(short, MAX_INPUTS));
            }
        }
        if coins.is_empty() || sum(&coins) + have < need {
            return Err(SynthError::Chain(format!(
                "the exchanges ran out of coins ({need} sat needed): the world is too large for a \
                 regtest chain's supply"
            )));
        }
        let (_, made) = self.send(coins, &[], Some(hot))?;
        self.exchanges[e].hot_wallet.put_back(made);
        Ok(())
    }

    /// A Wasabi-like CoinJoin: the vendor and 8–20 others each put in coins and take out outputs of one
    /// denomination (several each, for some) plus their change; a coordinator output takes its fee.
    fn coinjoin(&mut self, t: i64, p: usize) -> Result<(), SynthError> {
        let round = self.coinjoins.len();
        let mut rng = stream(self.world.seed, "chain-coinjoin", 0, round as u64);
        let Some(v) = self.vendors.get_mut(&p) else {
            return Ok(());
        };
        let vendor_inputs = v.wallet.take(u64::MAX, 20);
        let balance = sum(&vendor_inputs);
        const RESERVE: u64 = 200_000;
        let Some(&d) = DENOMINATIONS.iter().find(|&&d| balance >= d + RESERVE) else {
            v.wallet.put_back(vendor_inputs);
            return Ok(());
        };
        let vendor_k = ((balance - RESERVE) / d).clamp(1, 8) as usize;
        let n = rng.gen_range(8..=20usize);
        // (equal outputs, change, inputs) per other participant.
        let parts: Vec<(usize, u64, usize)> = (0..n)
            .map(|_| {
                let k = rng.gen_range(1..=3);
                let change = if rng.gen_bool(0.25) {
                    0
                } else {
                    rng.gen_range(DUST..d)
                };
                (k, change, if rng.gen_bool(0.3) { 2 } else { 1 })
            })
            .collect();
        let input_count = vendor_inputs.len() + parts.iter().map(|x| x.2).sum::<usize>();
        let output_count = vendor_k + 2 + parts.iter().map(|x| x.0 + 1).sum::<usize>();
        let share = self.fee_for(input_count, output_count) / (n as u64 + 1) + 1;
        let coordinator_fee = |k: usize| d * k as u64 * 3 / 100_000;
        let persona_id = self.world.personas[p].id.clone();

        // Each participant withdraws its coins from an exchange just before.
        let mut participant_of: HashMap<AddrId, usize> = HashMap::new();
        let ids: Vec<String> = (0..n)
            .map(|i| format!("cj{:04}-p{:02}", round + 1, i + 1))
            .collect();
        for (i, &(k, change, inputs)) in parts.iter().enumerate() {
            let contribution = k as u64 * d + change + share + coordinator_fee(k);
            let e = rng.gen_range(0..EXCHANGES.len());
            let first = if inputs == 2 {
                contribution / 3
            } else {
                contribution
            };
            for amount in [first, contribution - first] {
                if amount == 0 {
                    continue;
                }
                let a = self.reg.fresh(Owner::Coinjoin, &ids[i], "coinjoin-input");
                participant_of.insert(a, i);
                self.exchanges[e].pending.push((a, amount, Dest::Loose));
            }
        }
        let mut funded = Vec::new();
        for e in 0..EXCHANGES.len() {
            funded.extend(self.flush_withdrawals(e)?);
        }

        let mut outs: Vec<(AddrId, u64, Whose)> = Vec::new();
        for _ in 0..vendor_k {
            let a = self.reg.fresh(Owner::Vendor, &persona_id, "vendor-mixed");
            outs.push((a, d, Whose::VendorMixed));
        }
        let vendor_change =
            balance.saturating_sub(vendor_k as u64 * d + share + coordinator_fee(vendor_k));
        if vendor_change >= DUST {
            let a = self.reg.fresh(Owner::Vendor, &persona_id, "vendor-change");
            outs.push((a, vendor_change, Whose::VendorChange));
        }
        let mut coordinator_total = coordinator_fee(vendor_k);
        for (i, &(k, change, _)) in parts.iter().enumerate() {
            for _ in 0..k {
                let a = self.reg.fresh(Owner::Coinjoin, &ids[i], "coinjoin-output");
                outs.push((a, d, Whose::Participant(i)));
            }
            if change >= DUST {
                let a = self.reg.fresh(Owner::Coinjoin, &ids[i], "coinjoin-change");
                outs.push((a, change, Whose::Participant(i)));
            }
            coordinator_total += coordinator_fee(k);
        }
        if coordinator_total >= DUST {
            outs.push((self.coordinator, coordinator_total, Whose::Coordinator));
        }
        outs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut inputs: Vec<Coin> = vendor_inputs.clone();
        inputs.extend(
            funded
                .iter()
                .filter(|c| participant_of.contains_key(&c.address)),
        );
        inputs.shuffle(&mut rng);
        let input_value = sum(&inputs);
        let output_value: u64 = outs.iter().map(|o| o.1).sum();
        if input_value < output_value {
            return Err(SynthError::Chain(format!(
                "CoinJoin {} is short of {} sat",
                round + 1,
                output_value - input_value
            )));
        }
        let tx = Transaction {
            version: Version::ONE,
            lock_time: absolute::LockTime::ZERO,
            input: inputs
                .iter()
                .map(|c| script::spend(c.outpoint, &self.reg.list[c.address].script))
                .collect(),
            output: outs
                .iter()
                .map(|(a, v, _)| TxOut {
                    value: Amount::from_sat(*v),
                    script_pubkey: self.script(*a),
                })
                .collect(),
        };
        let txid = self.push_tx(tx, input_value - output_value);
        let orders = self.spent_payouts(&vendor_inputs);
        for &k in &orders {
            self.orders[k].coinjoin_txid = Some(txid);
        }
        if let Some(v) = self.vendors.get_mut(&p) {
            let mut others: Vec<(String, Vec<Coin>)> =
                ids.iter().map(|id| (id.clone(), Vec::new())).collect();
            for (vout, (a, value, whose)) in outs.iter().enumerate() {
                let coin = Coin {
                    outpoint: OutPoint::new(txid, vout as u32),
                    value: *value,
                    address: *a,
                };
                match whose {
                    Whose::VendorMixed => v.mixed.put_back(vec![coin]),
                    Whose::VendorChange => v.wallet.put_back(vec![coin]),
                    Whose::Participant(i) => {
                        if let Some(o) = others.get_mut(*i) {
                            o.1.push(coin);
                        }
                    }
                    Whose::Coordinator => {}
                }
            }
            v.mixed_orders.extend(orders);
            v.mixed_others = others;
            v.mixing = true;
        }
        self.coinjoins.push(CoinjoinTruth {
            txid,
            denomination: d,
            participants: n + 1,
            equal_outputs: vendor_k + parts.iter().map(|x| x.0).sum::<usize>(),
            vendor_persona: p,
        });
        let later = (t + rng.gen_range(HOUR..36 * HOUR))
            .min(WORLD_END)
            .max(t + 60);
        self.push(later, Event::PostMix(p));
        Ok(())
    }
}

fn unix_u32(t: i64) -> u32 {
    t.clamp(0, i64::from(u32::MAX)) as u32
}
