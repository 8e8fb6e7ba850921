//! Ground truth of the chain (`truth/chain_*.csv`) and the exchanges' attribution tags
//! (`attribution/exchanges.yaml`, a GraphSense TagPack).

use std::path::Path;

use bitcoin::{Network, Txid};

use super::script::spelled;
use super::story::{EXCHANGES, Owner, Story};
use crate::SynthError;
use crate::formats::CsvFile;
use crate::formats::sink::Progress;
use crate::orders::OrderState;
use crate::world::World;

pub fn write(world: &World, story: &Story, out: &Path) -> Result<(), SynthError> {
    let dir = out.join("truth");
    std::fs::create_dir_all(&dir).map_err(SynthError::io(&dir))?;
    let silent = |_| {};
    let progress = Progress::new(&silent);
    let world_spelling = |id: usize| {
        story
            .addresses
            .get(id)
            .map(|a| spelled(&a.script, Network::Bitcoin))
            .unwrap_or_default()
    };
    let txid = |t: Option<Txid>| t.map(|t| t.to_string()).unwrap_or_default();

    let mut addresses = CsvFile::create(
        &dir.join("chain_addresses.csv"),
        &[
            "chain_address",
            "world_address",
            "script_hex",
            "owner_kind",
            "owner_id",
            "role",
            "detail",
        ],
        &progress,
    )?;
    for a in &story.addresses {
        addresses.record([
            spelled(&a.script, Network::Regtest).as_str(),
            &spelled(&a.script, Network::Bitcoin),
            &hex::encode(a.script.as_bytes()),
            a.owner.name(),
            &a.owner_id,
            a.role,
            &a.detail.join(";"),
        ])?;
    }
    addresses.finish()?;

    let mut flows = CsvFile::create(
        &dir.join("chain_flows.csv"),
        &[
            "market",
            "order",
            "state",
            "buyer",
            "vendor_account",
            "vendor_persona",
            "sats",
            "deposit_address",
            "deposit_txid",
            "settlement",
            "payout_sats",
            "payout_address",
            "payout_txid",
            "payout_vout",
            "cashout_txid",
            "via_coinjoin",
            "coinjoin_txid",
        ],
        &progress,
    )?;
    for f in &story.orders {
        let market = &world.markets[f.market];
        flows.record([
            market.name,
            &f.order,
            state_name(f.state),
            &f.buyer,
            &market.accounts[f.vendor_account].name,
            &world.personas[f.vendor_persona].id,
            &f.sats.to_string(),
            &world_spelling(f.deposit_address),
            &txid(f.deposit_txid),
            f.settlement.name(),
            &f.payout_sats.to_string(),
            &f.payout_address.map(world_spelling).unwrap_or_default(),
            &txid(f.payout.map(|o| o.txid)),
            &f.payout.map(|o| o.vout.to_string()).unwrap_or_default(),
            &txid(f.cashout_txid),
            if f.coinjoin_txid.is_some() {
                "yes"
            } else {
                "no"
            },
            &txid(f.coinjoin_txid),
        ])?;
    }
    flows.finish()?;

    let mut vendors = CsvFile::create(
        &dir.join("chain_vendors.csv"),
        &[
            "persona",
            "exchange",
            "exchange_deposit_address",
            "coinjoin",
            "payout_sats",
            "cashed_out_sats",
        ],
        &progress,
    )?;
    for v in &story.vendors {
        vendors.record([
            world.personas[v.persona].id.as_str(),
            EXCHANGES[v.exchange].0,
            &world_spelling(v.exchange_deposit),
            if v.coinjoin { "yes" } else { "no" },
            &v.payout_sats.to_string(),
            &v.cashed_out_sats.to_string(),
        ])?;
    }
    vendors.finish()?;

    let mut coinjoins = CsvFile::create(
        &dir.join("chain_coinjoins.csv"),
        &[
            "txid",
            "denomination_sats",
            "participants",
            "equal_outputs",
            "vendor_persona",
        ],
        &progress,
    )?;
    for c in &story.coinjoins {
        coinjoins.record([
            c.txid.to_string().as_str(),
            &c.denomination.to_string(),
            &c.participants.to_string(),
            &c.equal_outputs.to_string(),
            &world.personas[c.vendor_persona].id,
        ])?;
    }
    coinjoins.finish()?;

    write_tagpack(world, story, &out.join("attribution"))
}

/// A GraphSense TagPack tagging each exchange's hot wallet and two of its change addresses, in mainnet
/// spelling (TagPacks name `currency: BTC`): what an investigator gets from a provider. Customers' deposit
/// addresses are left untagged: reaching them takes clustering (the exchange sweeps them into its hot
/// wallet).
fn write_tagpack(world: &World, story: &Story, dir: &Path) -> Result<(), SynthError> {
    std::fs::create_dir_all(dir).map_err(SynthError::io(dir))?;
    let mut yaml = String::new();
    yaml.push_str("title: Synthetic exchanges of the spector-synth world\n");
    yaml.push_str("creator: spector-synth\n");
    yaml.push_str(&format!(
        "description: Exchange addresses of the synthetic world of seed {} (not real services)\n",
        world.seed
    ));
    yaml.push_str("currency: BTC\nis_cluster_definer: true\nconfidence: service_data\n");
    yaml.push_str("lastmod: 2021-03-31\ntags:\n");
    for (e, (name, actor)) in EXCHANGES.iter().enumerate() {
        let hot = story.exchange_hot.get(e).copied();
        let deposits = story.addresses.iter().enumerate().filter(|(_, a)| {
            a.owner == Owner::Exchange && a.owner_id == *name && a.role == "exchange-change"
        });
        let tagged = hot
            .into_iter()
            .chain(deposits.map(|(i, _)| i).take(2))
            .collect::<Vec<_>>();
        for id in tagged {
            let Some(info) = story.addresses.get(id) else {
                continue;
            };
            let address = spelled(&info.script, Network::Bitcoin);
            yaml.push_str(&format!(
                "- address: {address}\n  label: {name}\n  category: exchange\n  actor: {actor}\n  \
                 source: synthetic://spector-synth/seed-{}/{actor}\n",
                world.seed
            ));
        }
    }
    let path = dir.join("exchanges.yaml");
    std::fs::write(&path, yaml).map_err(SynthError::io(&path))
}

fn state_name(state: OrderState) -> &'static str {
    match state {
        OrderState::Created => "created",
        OrderState::Paid => "paid",
        OrderState::Shipped => "shipped",
        OrderState::Finalized => "finalized",
        OrderState::Disputed => "disputed",
        OrderState::Refunded => "refunded",
        OrderState::Cancelled => "cancelled",
    }
}
