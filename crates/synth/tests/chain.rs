//! The world's chain read back with spector-chain, as an analyst's import would read it, and held against
//! the world's own files (dumps, identifiers) and the chain truth; and the bulk chain for benchmarks.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use spector_chain::bitcoin::address::NetworkUnchecked;
use spector_chain::bitcoin::pow::{CompactTarget, Target};
use spector_chain::bitcoin::{Address, Block, Network};
use spector_chain::{BlkFile, BlockView, ChainHeader, FlatBlock, Flattener, best_chain, decode};
use spector_synth::ChainSummary;
use spector_synth::chain::{BulkConfig, write_bulk_chain};
use support::Generated;

const REGTEST_GENESIS: &str = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206";

/// Blocks read from blk files in file order, checked, on the best chain, flattened with mainnet spelling.
struct ChainRead {
    blocks: Vec<Block>,
    flat: Vec<FlatBlock>,
    /// Blocks whose frame carried regtest's magic.
    regtest_frames: usize,
    segments: usize,
    side: usize,
    duplicates: usize,
    /// Whether the best chain's order is the order the blocks were written in.
    in_file_order: bool,
}

fn read_chain(files: &[(&str, &[u8])]) -> ChainRead {
    let mut raws = Vec::new();
    for (name, bytes) in files {
        for raw in BlkFile::new(*bytes, Path::new(name)) {
            raws.push(raw.unwrap_or_else(|e| panic!("{e}")));
        }
    }
    let regtest_frames = raws
        .iter()
        .filter(|r| r.network == Some(Network::Regtest))
        .count();
    let blocks: Vec<Block> = raws
        .iter()
        .map(|r| decode(r).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let headers: Vec<ChainHeader> = blocks
        .iter()
        .map(|b| ChainHeader {
            hash: b.block_hash(),
            prev: b.header.prev_blockhash,
            work: b.header.work(),
        })
        .collect();
    let best = best_chain(&headers);
    let mut flattener = Flattener::new(Network::Bitcoin);
    let sha: Arc<str> = "0".repeat(64).into();
    let mut flat = Vec::new();
    let mut order = Vec::new();
    for segment in &best.segments {
        for (height, &b) in segment.iter().enumerate() {
            order.push(b);
            let view = BlockView::check(raws[b].clone()).unwrap_or_else(|e| panic!("{e}"));
            flat.push(flattener.flatten(&view, Some(height as u64), &sha));
        }
    }
    ChainRead {
        in_file_order: order == (0..blocks.len()).collect::<Vec<_>>(),
        blocks,
        flat,
        regtest_frames,
        segments: best.segments.len(),
        side: best.side.len(),
        duplicates: best.duplicates.len(),
    }
}

struct World {
    generated: Generated,
    summary: ChainSummary,
    chain: ChainRead,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let (generated, summary) = support::generate_with_chain(21, 0.4, 9);
        let files: Vec<(&str, &[u8])> = generated
            .files
            .iter()
            .filter(|(name, _)| name.starts_with("chain/"))
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
            .collect();
        let chain = read_chain(&files);
        World {
            generated,
            summary,
            chain,
        }
    })
}

/// Rows of a truth CSV as maps from column name to value.
fn truth_rows(generated: &Generated, name: &str) -> Vec<HashMap<String, String>> {
    let table = support::parse_csv(generated.text(&format!("truth/{name}")));
    table
        .rows
        .iter()
        .map(|row| {
            table
                .columns
                .iter()
                .cloned()
                .zip(row.iter().map(|v| v.clone().unwrap_or_default()))
                .collect()
        })
        .collect()
}

/// Regtest's subsidy, written out from Bitcoin Core's chainparams (halving every 150 blocks).
fn regtest_subsidy(height: u64) -> u64 {
    if height / 150 >= 64 {
        0
    } else {
        5_000_000_000 >> (height / 150)
    }
}

/// The checks any chain spector writes must pass, whatever its story.
fn assert_valid_chain(chain: &ChainRead, summary: &ChainSummary) {
    assert_eq!(chain.blocks.len() as u64, summary.blocks);
    assert_eq!(chain.regtest_frames, chain.blocks.len());
    assert_eq!(chain.blocks[0].block_hash().to_string(), REGTEST_GENESIS);
    assert_eq!(
        (chain.segments, chain.side, chain.duplicates),
        (1, 0, 0),
        "one chain from genesis, nothing aside"
    );
    assert!(chain.in_file_order);
    let limit = Target::from_compact(CompactTarget::from_consensus(0x207f_ffff));
    for pair in chain.blocks.windows(2) {
        assert_eq!(pair[1].header.prev_blockhash, pair[0].block_hash());
        assert!(pair[1].header.time > pair[0].header.time, "times increase");
    }
    for block in &chain.blocks {
        assert_eq!(block.header.bits.to_consensus(), 0x207f_ffff);
        block.header.validate_pow(limit).expect("proof of work");
    }
    let mut transactions = 0;
    let mut coinbase_height: HashMap<&str, usize> = HashMap::new();
    for (height, flat) in chain.flat.iter().enumerate() {
        transactions += flat.txs.len() as u64;
        for input in &flat.inputs {
            if let Some(h) = input
                .prev_txid
                .as_deref()
                .and_then(|t| coinbase_height.get(t))
            {
                assert!(
                    height >= h + 100,
                    "block {height} spends the coinbase of block {h}"
                );
            }
        }
        coinbase_height.insert(&flat.txs[0].txid, height);
        assert!(
            flat.inputs
                .iter()
                .filter(|i| i.prev_txid.is_some())
                .all(|i| i.value.is_some()),
            "block {height}: an input spends nothing written before it"
        );
        let mut fees = 0;
        for tx in flat.txs.iter().filter(|t| !t.coinbase) {
            let input = tx.input_value.expect("resolved");
            assert!(
                input >= tx.output_value,
                "{} spends more than it has",
                tx.txid
            );
            fees += input - tx.output_value;
        }
        if height > 0 {
            let coinbase = &flat.txs[0];
            assert!(coinbase.coinbase);
            assert_eq!(
                coinbase.output_value,
                regtest_subsidy(height as u64) + fees,
                "block {height}: coinbase value"
            );
            assert_eq!(
                chain.blocks[height].bip34_block_height().ok(),
                Some(height as u64).filter(|h| *h > 16),
                "BIP 34 height (heights up to 16 are small-number opcodes, which rust-bitcoin does not read)"
            );
        }
    }
    assert_eq!(transactions, summary.transactions);
}

#[test]
fn the_world_chain_reads_back_as_one_valid_regtest_chain() {
    let w = world();
    assert_valid_chain(&w.chain, &w.summary);
    let chain_bytes: u64 = w
        .generated
        .files
        .iter()
        .filter(|(name, _)| name.starts_with("chain/"))
        .map(|(_, b)| b.len() as u64)
        .sum();
    assert_eq!(chain_bytes, w.summary.bytes);
    assert_eq!(w.summary.files.len(), 1, "a small world fits one blk file");
    // Blocks follow the world's clock: premined the last days of 2018, then 2019-01-01 .. 2021-03-31.
    let times: Vec<u32> = w.chain.blocks[1..].iter().map(|b| b.header.time).collect();
    assert!(times[0] >= 1_546_300_800 - 7 * 86_400, "{}", times[0]);
    assert!(*times.last().unwrap() <= 1_617_235_199 + 86_400);
    assert!(
        w.chain
            .flat
            .iter()
            .any(|f| f.txs.iter().any(|t| t.vsize < t.size)),
        "segwit spends with witnesses"
    );
}

/// An input's previous txid and the address it spends from.
type Spent = (Option<String>, Option<String>);

/// (txid, vout) → (address in mainnet spelling, value), and txid → its inputs' (prev txid, address).
struct Outputs {
    outputs: HashMap<(String, u32), (Option<String>, u64)>,
    by_tx: HashMap<String, Vec<(Option<String>, u64)>>,
    inputs: HashMap<String, Vec<Spent>>,
}

fn outputs(chain: &ChainRead) -> Outputs {
    let mut out = Outputs {
        outputs: HashMap::new(),
        by_tx: HashMap::new(),
        inputs: HashMap::new(),
    };
    for flat in &chain.flat {
        for o in &flat.outputs {
            out.outputs
                .insert((o.txid.clone(), o.vout), (o.address.clone(), o.value));
            out.by_tx
                .entry(o.txid.clone())
                .or_default()
                .push((o.address.clone(), o.value));
        }
        for i in &flat.inputs {
            out.inputs
                .entry(i.txid.clone())
                .or_default()
                .push((i.prev_txid.clone(), i.address.clone()));
        }
    }
    out
}

#[test]
fn orders_are_paid_deposited_and_settled_on_chain_as_the_dumps_and_truth_say() {
    let w = world();
    let g = &w.generated;
    let chain = outputs(&w.chain);
    let flows = truth_rows(g, "chain_flows.csv");
    assert!(flows.len() > 300, "{} flows", flows.len());

    // Each market's own records of its orders, read from the dumps.
    let mut laravel_orders: HashMap<(String, String), (String, String)> = HashMap::new();
    let mut pg_deposit_of_deal: HashMap<(String, String), String> = HashMap::new();
    for m in &g.summary.markets {
        let tables = g.tables(&m.name);
        match m.family {
            spector_synth::Family::Laravel => {
                let purchases = &tables["purchases"];
                for row in &purchases.rows {
                    let get = |c: &str| purchases.get(row, c).unwrap_or_default().to_string();
                    laravel_orders.insert(
                        (m.name.clone(), get("id")),
                        (get("marketplace_address"), get("to_pay")),
                    );
                }
            }
            spector_synth::Family::Pgmarket => {
                let wallets = &tables["wallets"];
                let mut deposit_of_member = HashMap::new();
                for row in &wallets.rows {
                    if wallets.get(row, "purpose") == Some("deposit") {
                        deposit_of_member.insert(
                            wallets
                                .get(row, "member_id")
                                .unwrap_or_default()
                                .to_string(),
                            wallets.get(row, "address").unwrap_or_default().to_string(),
                        );
                    }
                }
                let deals = &tables["deals"];
                for row in &deals.rows {
                    let buyer = deals.get(row, "buyer_id").unwrap_or_default();
                    if let Some(a) = deposit_of_member.get(buyer) {
                        pg_deposit_of_deal.insert(
                            (
                                m.name.clone(),
                                deals.get(row, "deal_id").unwrap_or_default().to_string(),
                            ),
                            a.clone(),
                        );
                    }
                }
            }
            spector_synth::Family::Scrape => {}
        }
    }
    let payout_identifiers: BTreeSet<(String, String, String)> = g
        .truth("identifiers.csv")
        .into_iter()
        .filter(|r| r[2] == "payout_address")
        .map(|r| (r[0].clone(), r[1].clone(), r[3].clone()))
        .collect();

    let mut paid_by_output: HashMap<(String, u32), u64> = HashMap::new();
    let (mut laravel_checked, mut pg_checked, mut payouts) = (0, 0, 0);
    for f in &flows {
        let market = &f["market"];
        let sats: u64 = f["sats"].parse().unwrap();
        // The buyer's payment: an output of the deposit transaction paying the order's deposit address.
        let deposit = chain
            .by_tx
            .get(&f["deposit_txid"])
            .unwrap_or_else(|| panic!("no deposit transaction for {}", f["order"]));
        assert!(
            deposit
                .iter()
                .any(|(a, v)| a.as_deref() == Some(f["deposit_address"].as_str()) && *v == sats),
            "order {}: deposit of {sats} to {} not on chain",
            f["order"],
            f["deposit_address"]
        );
        if let Some((address, to_pay)) = laravel_orders.get(&(market.clone(), f["order"].clone())) {
            assert_eq!(
                address, &f["deposit_address"],
                "the dump's marketplace_address"
            );
            assert_eq!(
                to_pay,
                &format!("{}.{:08}", sats / 100_000_000, sats % 100_000_000)
            );
            laravel_checked += 1;
        }
        if let Some(address) = pg_deposit_of_deal.get(&(market.clone(), f["order"].clone())) {
            assert_eq!(address, &f["deposit_address"], "the buyer's deposit wallet");
            pg_checked += 1;
        }
        match f["settlement"].as_str() {
            "held" => assert_eq!(f["payout_txid"], ""),
            settlement => {
                assert_eq!(
                    f["state"],
                    if settlement == "payout" {
                        "finalized"
                    } else {
                        "refunded"
                    }
                );
                let key = (
                    f["payout_txid"].clone(),
                    f["payout_vout"].parse::<u32>().unwrap(),
                );
                let (address, _) = chain
                    .outputs
                    .get(&key)
                    .unwrap_or_else(|| panic!("order {}: payout {key:?} not on chain", f["order"]));
                assert_eq!(address.as_deref(), Some(f["payout_address"].as_str()));
                *paid_by_output.entry(key).or_default() += f["payout_sats"].parse::<u64>().unwrap();
                if settlement == "payout" {
                    payouts += 1;
                    let payout_sats: u64 = f["payout_sats"].parse().unwrap();
                    assert!(
                        payout_sats < sats && payout_sats >= sats * 94 / 100,
                        "3-6% commission"
                    );
                    // On dump markets the payout address is the vendor account's row in the dump.
                    if g.family(market) != spector_synth::Family::Scrape {
                        assert!(
                            payout_identifiers.contains(&(
                                market.clone(),
                                f["vendor_account"].clone(),
                                f["payout_address"].clone()
                            )),
                            "{market}/{}: {} is not the account's payout address",
                            f["vendor_account"],
                            f["payout_address"]
                        );
                    }
                }
            }
        }
        if f["state"] == "finalized" {
            assert_eq!(
                f["settlement"], "payout",
                "every finalized order is paid out"
            );
        }
    }
    // One output settles all the orders it pays for.
    for (key, total) in &paid_by_output {
        assert_eq!(chain.outputs[key].1, *total, "output {key:?}");
    }
    assert!(laravel_checked > 50 && pg_checked > 20 && payouts > 150);
}

#[test]
fn vendor_totals_in_the_truth_are_the_sums_on_chain() {
    let w = world();
    let g = &w.generated;
    let chain = outputs(&w.chain);
    let received = |address: &str| -> u64 {
        chain
            .outputs
            .values()
            .filter(|(a, _)| a.as_deref() == Some(address))
            .map(|(_, v)| v)
            .sum()
    };
    let addresses = truth_rows(g, "chain_addresses.csv");
    let flows = truth_rows(g, "chain_flows.csv");
    let vendors = truth_rows(g, "chain_vendors.csv");
    let mut mixing = 0;
    for v in &vendors {
        let persona = &v["persona"];
        let payout_addresses: Vec<&str> = addresses
            .iter()
            .filter(|a| a["role"] == "vendor-payout" && &a["owner_id"] == persona)
            .map(|a| a["world_address"].as_str())
            .collect();
        assert!(!payout_addresses.is_empty(), "{persona}");
        let on_chain: u64 = payout_addresses.iter().map(|a| received(a)).sum();
        let in_flows: u64 = flows
            .iter()
            .filter(|f| &f["vendor_persona"] == persona && f["settlement"] == "payout")
            .map(|f| f["payout_sats"].parse::<u64>().unwrap())
            .sum();
        let payout_sats: u64 = v["payout_sats"].parse().unwrap();
        assert_eq!(
            (on_chain, in_flows),
            (payout_sats, payout_sats),
            "{persona}"
        );
        let cashed: u64 = v["cashed_out_sats"].parse().unwrap();
        assert_eq!(
            received(&v["exchange_deposit_address"]),
            cashed,
            "{persona}"
        );
        assert!(cashed <= payout_sats);
        let mixes = v["coinjoin"] == "yes";
        mixing += usize::from(mixes);
        for f in flows.iter().filter(|f| &f["vendor_persona"] == persona) {
            assert!(f["via_coinjoin"] == "no" || mixes, "{persona} never mixes");
        }
    }
    let share = mixing as f64 / vendors.len() as f64;
    assert!((0.1..0.55).contains(&share), "{share} of vendors mix");
}

#[test]
fn coinjoins_have_many_equal_outputs_and_many_owners_and_lead_to_the_exchange() {
    let w = world();
    let g = &w.generated;
    let chain = outputs(&w.chain);
    let owner: HashMap<String, (String, String)> = truth_rows(g, "chain_addresses.csv")
        .into_iter()
        .map(|a| {
            (
                a["world_address"].clone(),
                (a["owner_kind"].clone(), a["owner_id"].clone()),
            )
        })
        .collect();
    let coinjoins = truth_rows(g, "chain_coinjoins.csv");
    assert!(coinjoins.len() >= 5, "{} coinjoins", coinjoins.len());
    for c in &coinjoins {
        let outs = &chain.by_tx[&c["txid"]];
        let denomination: u64 = c["denomination_sats"].parse().unwrap();
        let equal = outs.iter().filter(|(_, v)| *v == denomination).count();
        assert_eq!(equal.to_string(), c["equal_outputs"]);
        let participants: usize = c["participants"].parse().unwrap();
        assert!(participants >= 9 && equal >= participants);
        let input_owners: BTreeSet<&(String, String)> = chain.inputs[&c["txid"]]
            .iter()
            .map(|(_, a)| &owner[a.as_deref().unwrap()])
            .collect();
        assert_eq!(
            input_owners.len(),
            participants,
            "one owner per participant"
        );
        assert!(input_owners.contains(&("vendor".to_string(), c["vendor_persona"].clone())));
        assert!(
            input_owners
                .iter()
                .all(|(kind, _)| kind == "vendor" || kind == "coinjoin")
        );
    }
    // A mixed order's coins go on from the CoinJoin to the vendor's exchange deposit address.
    let deposit_of: HashMap<String, String> = truth_rows(g, "chain_vendors.csv")
        .into_iter()
        .map(|v| (v["persona"].clone(), v["exchange_deposit_address"].clone()))
        .collect();
    let mut followed = 0;
    for f in truth_rows(g, "chain_flows.csv")
        .iter()
        .filter(|f| f["via_coinjoin"] == "yes" && !f["cashout_txid"].is_empty())
    {
        let cashout = &f["cashout_txid"];
        assert!(
            chain.inputs[cashout]
                .iter()
                .all(|(prev, _)| prev.as_deref() == Some(f["coinjoin_txid"].as_str())),
            "the cash-out spends the CoinJoin's outputs only"
        );
        let deposit = &deposit_of[&f["vendor_persona"]];
        assert!(
            chain.by_tx[cashout]
                .iter()
                .all(|(a, _)| a.as_deref() == Some(deposit.as_str()))
        );
        followed += 1;
    }
    assert!(followed > 10, "{followed}");
}

#[test]
fn every_output_has_one_known_owner_and_both_spellings_name_its_script() {
    let w = world();
    let g = &w.generated;
    let addresses = truth_rows(g, "chain_addresses.csv");
    let mut scripts = BTreeSet::new();
    let kinds: BTreeSet<&str> =
        ["exchange", "buyer", "market", "vendor", "coinjoin", "miner"].into();
    for a in &addresses {
        let script_of = |text: &str, network: Network| {
            let parsed: Address<NetworkUnchecked> = Address::from_str(text).unwrap();
            hex::encode(
                parsed
                    .require_network(network)
                    .unwrap()
                    .script_pubkey()
                    .as_bytes(),
            )
        };
        assert_eq!(
            script_of(&a["chain_address"], Network::Regtest),
            a["script_hex"]
        );
        assert_eq!(
            script_of(&a["world_address"], Network::Bitcoin),
            a["script_hex"]
        );
        assert!(
            scripts.insert(a["script_hex"].clone()),
            "{} listed twice",
            a["world_address"]
        );
        assert!(kinds.contains(a["owner_kind"].as_str()));
    }
    let known: BTreeSet<&str> = addresses
        .iter()
        .map(|a| a["world_address"].as_str())
        .collect();
    // The genesis block pays Satoshi's key, no one of this world.
    for flat in &w.chain.flat[1..] {
        for o in &flat.outputs {
            match &o.address {
                Some(a) => assert!(known.contains(a.as_str()), "{a} has no owner in the truth"),
                None => assert_eq!(o.script_type, "nulldata", "only witness commitments"),
            }
        }
    }
    // Addresses of the dumps are on chain under their own spelling.
    let world_json: serde_json::Value = serde_json::from_str(g.text("truth/world.json")).unwrap();
    let deposits: Vec<&str> = world_json["markets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["traps"]["deposits"].as_array())
        .flatten()
        .filter_map(|d| d.as_str())
        .collect();
    assert!(deposits.iter().filter(|d| known.contains(*d)).count() >= deposits.len() / 2);
    // The exchanges' TagPack tags exchange addresses, named as the truth names their owner.
    let yaml = g.text("attribution/exchanges.yaml");
    let mut tagged = 0;
    let mut address = "";
    for line in yaml.lines() {
        if let Some(a) = line.strip_prefix("- address: ") {
            address = a;
        } else if let Some(label) = line.strip_prefix("  label: ") {
            let row = addresses
                .iter()
                .find(|r| r["world_address"] == address)
                .unwrap_or_else(|| panic!("tagged {address} is not on chain"));
            assert_eq!(
                (row["owner_kind"].as_str(), row["owner_id"].as_str()),
                ("exchange", label)
            );
            tagged += 1;
        }
    }
    assert!(tagged >= 4 && yaml.contains("category: exchange"));
}

#[test]
fn the_chain_is_a_function_of_the_seed_and_leaves_the_world_unchanged() {
    let (a, sa) = support::generate_with_chain(5, 0.15, 3);
    let (b, sb) = support::generate_with_chain(5, 0.15, 3);
    assert_eq!(
        (sa.blocks, sa.transactions, sa.bytes, sa.files.len()),
        (sb.blocks, sb.transactions, sb.bytes, sb.files.len())
    );
    assert_eq!(
        a.files.keys().collect::<Vec<_>>(),
        b.files.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &a.files {
        assert!(bytes == &b.files[path], "{path} differs between two runs");
    }
    // Without the chain: the same files, byte for byte, minus the chain's own.
    let plain = support::generate(5, 0.15, 3);
    let chain_only: Vec<&String> = a
        .files
        .keys()
        .filter(|p| !plain.files.contains_key(*p))
        .collect();
    assert!(chain_only.iter().all(|p| p.starts_with("chain/")
        || p.starts_with("truth/chain_")
        || p.starts_with("attribution/")));
    assert!(chain_only.len() >= 6, "{chain_only:?}");
    for (path, bytes) in &plain.files {
        assert!(bytes == &a.files[path], "{path} changed with the chain");
    }
    let other = support::generate_with_chain(6, 0.15, 3);
    assert_ne!(
        other.0.files["chain/blk00000.dat"],
        a.files["chain/blk00000.dat"]
    );
}

#[test]
fn a_bulk_chain_has_exactly_the_transactions_asked_and_everyday_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let config = BulkConfig {
        seed: 3,
        transactions: 6_000,
        per_block: 400,
    };
    let reported = std::cell::Cell::new(0);
    let summary = write_bulk_chain(&config, dir.path(), &|n| reported.set(n)).unwrap();
    assert_eq!(summary.transactions, 6_000);
    assert_eq!(reported.get(), 6_000);
    let bytes = std::fs::read(dir.path().join("blk00000.dat")).unwrap();
    assert_eq!(bytes.len() as u64, summary.bytes);
    let chain = read_chain(&[("blk00000.dat", &bytes)]);
    assert_valid_chain(&chain, &summary);
    // Spends wait for the first coinbase to mature (100 blocks); later blocks are full.
    assert!(chain.flat[1..=100].iter().all(|f| f.txs.len() == 1));
    assert!(
        chain.flat[110..chain.flat.len() - 1]
            .iter()
            .all(|f| f.txs.len() == 401)
    );

    let txs: Vec<_> = chain
        .flat
        .iter()
        .flat_map(|f| &f.txs)
        .filter(|t| !t.coinbase)
        .collect();
    let with = |p: &dyn Fn(u32, u32) -> bool| {
        txs.iter()
            .filter(|t| p(t.input_count, t.output_count))
            .count() as f64
            / txs.len() as f64
    };
    assert!(
        with(&|i, o| i <= 3 && o == 2) > 0.5,
        "mostly 1-3 inputs, 2 outputs"
    );
    assert!(with(&|i, _| i >= 5) > 0.005, "consolidations");
    assert!(with(&|_, o| o >= 10) > 0.005, "batch payouts");
    let mut seen = HashMap::new();
    for o in chain.flat.iter().flat_map(|f| &f.outputs) {
        if let Some(a) = &o.address {
            *seen.entry(a.clone()).or_insert(0) += 1;
        }
    }
    let reused = seen.values().filter(|n| **n > 1).count();
    assert!(
        reused as f64 > seen.len() as f64 * 0.02,
        "address reuse: {reused}"
    );

    // Same seed, same bytes; the genesis block alone is one transaction.
    let again = tempfile::tempdir().unwrap();
    write_bulk_chain(&config, again.path(), &|_| {}).unwrap();
    assert!(std::fs::read(again.path().join("blk00000.dat")).unwrap() == bytes);
    let one = tempfile::tempdir().unwrap();
    let genesis_only = write_bulk_chain(
        &BulkConfig {
            transactions: 1,
            ..config
        },
        one.path(),
        &|_| {},
    )
    .unwrap();
    assert_eq!((genesis_only.blocks, genesis_only.transactions), (1, 1));
}
