//! The real blocks of `../shared/data/chain` (see its SOURCES.md): framing, decoding with txids and merkle
//! roots recomputed, the best chain, and outputs and inputs checked against Bitcoin Core's RPC answers as
//! bitcoin-etl flattened them. Skipped when the data is absent.

use std::path::Path;
use std::sync::Arc;

use spector_chain::bitcoin::Network;
use spector_chain::{
    BlkFile, BlockView, ChainError, ChainHeader, FlatBlock, Flattener, RawBlock, best_chain,
    decode, read_getblock_json, read_raw_block,
};

mod support;

use support::assert_view_agrees_with_decoder;

fn blk(path: &Path) -> Vec<RawBlock> {
    BlkFile::open(path)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Blocks on the best chain in order, flattened; with the side blocks' count.
fn flatten_all(raws: &[RawBlock], network: Network) -> (Vec<FlatBlock>, usize) {
    for raw in raws {
        assert_view_agrees_with_decoder(raw);
    }
    let blocks: Vec<BlockView> = raws
        .iter()
        .map(|r| BlockView::check(r.clone()).unwrap())
        .collect();
    let headers: Vec<ChainHeader> = blocks
        .iter()
        .map(|b| ChainHeader {
            hash: b.header.block_hash(),
            prev: b.header.prev_blockhash,
            work: b.header.work(),
        })
        .collect();
    let chain = best_chain(&headers);
    let mut flattener = Flattener::new(network);
    let sha: Arc<str> = "0".repeat(64).into();
    let mut flat = Vec::new();
    for segment in &chain.segments {
        for (i, &b) in segment.iter().enumerate() {
            flat.push(flattener.flatten(&blocks[b], Some(i as u64), &sha));
        }
    }
    (flat, chain.side.len())
}

#[test]
fn the_first_439_mainnet_blocks_chain_from_genesis() {
    let path = data_or_skip!("chain/mainnet/blkfiles/bitcoinj_first-100k-bytes_blocks0-438.dat");
    let raws = blk(&path);
    assert_eq!(raws.len(), 439);
    assert!(raws.iter().all(|r| r.network == Some(Network::Bitcoin)));
    let (flat, side) = flatten_all(&raws, Network::Bitcoin);
    assert_eq!((flat.len(), side), (439, 0));
    assert_eq!(
        flat[0].block.hash,
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
    );
    assert_eq!(flat.iter().map(|b| b.txs.len()).sum::<usize>(), 446);
    // Block 170: the first payment between people, 10 BTC from Satoshi's block-9 coinbase to Hal Finney.
    let payment = &flat[170].txs[1];
    assert_eq!(
        payment.txid,
        "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"
    );
    assert_eq!(
        (payment.input_value, payment.fee),
        (Some(5_000_000_000), Some(0))
    );
    let input = flat[170]
        .inputs
        .iter()
        .find(|i| i.txid == payment.txid)
        .unwrap();
    assert_eq!(
        input.address.as_deref(),
        Some("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S")
    );
    assert_eq!(input.script_type.as_deref(), Some("pubkey"));
    let to_hal = flat[170]
        .outputs
        .iter()
        .find(|o| o.txid == payment.txid && o.vout == 0)
        .unwrap();
    assert_eq!(to_hal.value, 1_000_000_000);
    assert_eq!(
        to_hal.address.as_deref(),
        Some("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3")
    );
}

#[test]
fn raw_blocks_decode_with_their_merkle_roots_and_bip34_heights() {
    let dir = data_or_skip!("chain/mainnet/raw");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(height) = name
            .strip_prefix("block_")
            .and_then(|n| n.strip_suffix(".raw"))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        let raw = read_raw_block(&path).unwrap();
        let block = decode(&raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(block.check_merkle_root(), "{name}");
        // BIP 34 (height in the coinbase) from block 227,931 on.
        if height >= 227_931 {
            assert_eq!(block.bip34_block_height().unwrap(), height, "{name}");
            let view = BlockView::check(raw.clone()).unwrap();
            assert_eq!(view.bip34_height(), Some(height), "{name}");
        }
        assert_view_agrees_with_decoder(&raw);
        checked += 1;
    }
    assert!(checked >= 14, "{checked} raw blocks");

    // The comparison can fail: a view set against another block's decoding names what differs.
    let one = BlockView::check(read_raw_block(&dir.join("block_99960.raw")).unwrap()).unwrap();
    let other = decode(&read_raw_block(&dir.join("block_99993.raw")).unwrap()).unwrap();
    let differ = one.disagreements_with(&other);
    assert!(differ.contains(&"header".to_string()), "{differ:?}");
    assert!(
        differ.contains(&"transaction 0: txid".to_string()),
        "{differ:?}"
    );
}

#[test]
fn segwit_blocks_keep_witnesses_apart_from_txids() {
    let path = data_or_skip!("chain/mainnet/raw/block_481829.raw");
    let raw = read_raw_block(&path).unwrap();
    let block = decode(&raw).unwrap();
    let witnessed = block
        .txdata
        .iter()
        .filter(|t| t.compute_txid().to_raw_hash() != t.compute_wtxid().to_raw_hash())
        .count();
    assert!(witnessed > 0);
    let mut flattener = Flattener::new(Network::Bitcoin);
    let view = BlockView::check(raw.clone()).unwrap();
    let flat = flattener.flatten(&view, None, &"0".repeat(64).into());
    assert!(flat.txs.iter().any(|t| t.vsize < t.size));
    // Witness bytes weigh one unit, the rest four.
    assert!(flat.block.weight < 4 * flat.block.size);
    assert_eq!(flat.block.tx_count, block.txdata.len() as u64);
    assert_view_agrees_with_decoder(&raw);

    // A witness byte changed leaves every txid and the merkle root as they were; only the commitment in
    // the coinbase catches it. A byte of an output changed breaks the merkle root.
    let (k, tx) = block
        .txdata
        .iter()
        .enumerate()
        .rfind(|(_, t)| !t.input[0].witness.is_empty())
        .unwrap();
    // Header, the transaction count (three bytes here), and the transactions before it.
    let start = 80
        + 3
        + block.txdata[..k]
            .iter()
            .map(|t| t.total_size())
            .sum::<usize>();
    let end = start + tx.total_size();
    // The last byte of its last witness item, before the lock time; and a byte of its last output's value.
    let witness_at = end - 4 - 1;
    let mut tampered = raw.clone();
    tampered.bytes[witness_at] ^= 1;
    let err = BlockView::check(tampered.clone()).unwrap_err().to_string();
    assert!(err.contains("commitment"), "{err}");
    assert!(decode(&tampered).is_err());
    let last_output = tx.output.last().unwrap();
    let outputs_end = start + 2 + tx.base_size() - 4;
    let value_at = outputs_end - last_output.script_pubkey.len() - 1 - 8;
    let mut tampered = raw.clone();
    tampered.bytes[value_at] ^= 1;
    let err = BlockView::check(tampered).unwrap_err().to_string();
    assert!(err.contains("merkle root"), "{err}");
}

#[test]
fn a_truncated_testnet_file_keeps_the_complete_block_and_names_the_cut() {
    let path = data_or_skip!("chain/testnet3/bitcore_blk86756-testnet.dat");
    let mut blocks = BlkFile::open(&path).unwrap();
    let first = blocks.next().unwrap().unwrap();
    assert_eq!(first.network, Some(Network::Testnet));
    assert_eq!(decode(&first).unwrap().txdata.len(), 22);
    let err = blocks.next().unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            ChainError::Truncated {
                offset: 8011,
                declared: 6679,
                present: 1481,
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("bitcore_blk86756-testnet.dat") && message.contains("8011"));
    assert!(blocks.next().is_none());
}

#[test]
fn a_longer_side_chain_replaces_the_blocks_it_forks_from() {
    let dir = data_or_skip!("chain/mainnet/test-fork-chain");
    let mut raws = Vec::new();
    for file in ["blk_0_to_4.dat", "blk_3A.dat", "blk_4A.dat", "blk_5A.dat"] {
        raws.extend(blk(&dir.join(file)));
    }
    assert_eq!(raws.len(), 8);
    let (flat, side) = flatten_all(&raws, Network::Bitcoin);
    assert_eq!((flat.len(), side), (6, 2));
    // Blocks 3 and 4 of the first file lost to 3A, 4A and 5A.
    let files: Vec<String> = flat
        .iter()
        .map(|b| {
            let r = raws
                .iter()
                .find(|r| decode(r).unwrap().block_hash().to_string() == b.block.hash);
            r.unwrap()
                .location
                .file
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string()
        })
        .collect();
    assert_eq!(
        files,
        [
            "blk_0_to_4.dat",
            "blk_0_to_4.dat",
            "blk_0_to_4.dat",
            "blk_3A.dat",
            "blk_4A.dat",
            "blk_5A.dat"
        ]
    );
}

#[test]
fn every_regtest_input_is_resolved_from_the_blocks_before_it() {
    let path = data_or_skip!("chain/regtest/regtest_blocks1-206_blkformat.dat");
    let raws = blk(&path);
    assert_eq!(raws.len(), 206);
    let (flat, side) = flatten_all(&raws, Network::Regtest);
    assert_eq!((flat.len(), side), (206, 0));
    let spends: Vec<_> = flat
        .iter()
        .flat_map(|b| &b.inputs)
        .filter(|i| i.prev_txid.is_some())
        .collect();
    assert!(!spends.is_empty());
    assert!(
        spends
            .iter()
            .all(|i| i.value.is_some() && i.script_type.is_some()),
        "an input spends an output not read"
    );
    for tx in flat.iter().flat_map(|b| &b.txs).filter(|t| !t.coinbase) {
        assert_eq!(tx.fee, tx.input_value.map(|i| i - tx.output_value));
    }
    assert!(
        flat.iter()
            .flat_map(|b| &b.outputs)
            .any(|o| o.address.as_deref().is_some_and(|a| a.starts_with("bcrt1")))
    );
}

/// Outputs and inputs of the getblock answers against bitcoin-etl's flattening of the same answers.
#[test]
fn getblock_answers_match_the_rpc_golden_files() {
    let dir = data_or_skip!("chain/mainnet/rpc-json");
    let (mut compared_outputs, mut golden_outputs) = (0, 0);
    for case in ["block_0", "block_1", "block_with_transactions"] {
        let case_dir = dir.join(case);
        let expected: Vec<serde_json::Value> =
            std::fs::read_to_string(case_dir.join("expected_transactions.json"))
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
        golden_outputs += expected
            .iter()
            .map(|e| e["outputs"].as_array().unwrap().len())
            .sum::<usize>();
        let mut flattener = Flattener::new(Network::Bitcoin);
        for entry in std::fs::read_dir(&case_dir).unwrap() {
            let path = entry.unwrap().path();
            if !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("rpc_response_getblock_0")
            {
                continue;
            }
            for raw in read_getblock_json(&path).unwrap() {
                assert_view_agrees_with_decoder(&raw);
                let block = BlockView::check(raw).unwrap();
                let flat = flattener.flatten(&block, None, &"0".repeat(64).into());
                for tx in &flat.txs {
                    let want = expected
                        .iter()
                        .find(|e| e["hash"] == tx.txid.as_str())
                        .unwrap_or_else(|| {
                            panic!("{case}: txid {} not in the golden file", tx.txid)
                        });
                    assert_eq!(want["block_hash"], flat.block.hash.as_str());
                    assert_eq!(want["size"], tx.size);
                    assert_eq!(want["output_value"], tx.output_value);
                    for (o, w) in flat
                        .outputs
                        .iter()
                        .filter(|o| o.txid == tx.txid)
                        .zip(want["outputs"].as_array().unwrap())
                    {
                        assert_eq!(w["value"], o.value, "{}", tx.txid);
                        assert_eq!(w["type"], o.script_type.as_str(), "{}", tx.txid);
                        let addresses: Vec<&str> = w["addresses"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter_map(|a| a.as_str())
                            .collect();
                        assert_eq!(
                            addresses,
                            o.address.as_deref().into_iter().collect::<Vec<_>>(),
                            "{}",
                            tx.txid
                        );
                        compared_outputs += 1;
                    }
                    for (i, w) in flat
                        .inputs
                        .iter()
                        .filter(|i| i.txid == tx.txid && i.prev_txid.is_some())
                        .zip(want["inputs"].as_array().unwrap())
                    {
                        assert_eq!(w["spent_transaction_hash"], i.prev_txid.as_deref().unwrap());
                        assert_eq!(w["spent_output_index"], i.prev_vout.unwrap());
                    }
                }
            }
        }
    }
    assert_eq!(compared_outputs, golden_outputs);
}

#[test]
fn a_getblock_answer_that_does_not_hash_to_its_own_hash_is_refused() {
    let path = data_or_skip!(
        "chain/mainnet/rpc-json/block_1/rpc_response_getblock_00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048_2.json"
    );
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"nonce\": 2573394689", "\"nonce\": 1");
    let dir = std::env::temp_dir().join(format!("spector-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("getblock.json");
    std::fs::write(&bad, text).unwrap();
    let err = read_getblock_json(&bad).unwrap_err();
    assert!(
        err.to_string().contains("getblock.json") && err.to_string().contains("hash to"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
