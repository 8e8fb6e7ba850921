//! `import_chain` over the real blocks of `../shared/data/chain`: tables rebuilt on the best chain, new
//! files changing the best chain, a truncated file's complete blocks kept, nothing left behind by a
//! refused import, re-imports doing nothing. Skipped when the data is absent.

use std::path::{Path, PathBuf};

use spector_pipeline::{ChainImportOptions, NoProgress, import_chain};
use spector_store::Case;
use tempfile::TempDir;

fn shared_data(relative: &str) -> Option<PathBuf> {
    let root = std::env::var_os("SPECTOR_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = root.join("chain").join(relative);
    path.exists().then_some(path)
}

fn case() -> (TempDir, Case) {
    let dir = TempDir::new().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    (dir, case)
}

fn evidence_files(case: &Case) -> usize {
    std::fs::read_dir(case.root().join("evidence"))
        .unwrap()
        .count()
}

#[test]
fn a_regtest_chain_is_imported_whole_and_again_does_nothing() {
    let Some(file) = shared_data("regtest/regtest_blocks1-206_blkformat.dat") else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    let (_dir, case) = case();
    let r = import_chain(
        &case,
        std::slice::from_ref(&file),
        &ChainImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    assert!(r.rebuilt && r.problems.is_empty(), "{r:?}");
    assert_eq!(r.network, "regtest");
    assert_eq!((r.blocks_on_chain, r.segments, r.side_blocks), (206, 1, 0));
    let blocks = case.chain_blocks().unwrap();
    // The first block alone, as the trace reads it for the network.
    assert_eq!(case.first_chain_block().unwrap().as_ref(), blocks.first());
    let heights: Vec<u64> = blocks.iter().filter_map(|b| b.height).collect();
    assert_eq!(heights, (1..=206).collect::<Vec<_>>());
    // Every spend resolves: the file is self-contained.
    let inputs = case.chain_inputs().unwrap();
    let spends = inputs.iter().filter(|i| i.prev_txid.is_some()).count() as u64;
    assert_eq!(r.inputs_resolved, spends);
    assert_eq!(
        case.chain_counts().unwrap(),
        [
            206,
            r.transactions,
            r.inputs,
            r.outputs,
            r.addresses,
            r.unions
        ]
    );
    // The clusters `chain stats` counts without reading a row: one per address, less one per union.
    let clusters: std::collections::HashSet<String> = case
        .chain_addresses()
        .unwrap()
        .into_iter()
        .map(|a| a.cluster)
        .collect();
    assert_eq!(clusters.len() as u64, r.addresses - r.unions);
    // Addresses add up to the outputs that pay them.
    let paid: u64 = case
        .chain_outputs()
        .unwrap()
        .iter()
        .filter(|o| o.address.is_some())
        .map(|o| o.value)
        .sum();
    let received: u64 = case
        .chain_addresses()
        .unwrap()
        .iter()
        .map(|a| a.received)
        .sum();
    assert_eq!(paid, received);
    // Addresses are listed in order of first sight on the chain: the same tables from the same files,
    // whatever thread checked which block.
    let first_sight: Vec<String> = {
        let mut seen = std::collections::HashSet::new();
        case.chain_outputs()
            .unwrap()
            .into_iter()
            .filter_map(|o| o.address)
            .filter(|a| seen.insert(a.clone()))
            .collect()
    };
    let listed: Vec<String> = case
        .chain_addresses()
        .unwrap()
        .into_iter()
        .map(|a| a.address)
        .collect();
    assert_eq!(listed, first_sight);
    let (_other_dir, other) = self::case();
    import_chain(
        &other,
        std::slice::from_ref(&file),
        &ChainImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(
        other.chain_addresses().unwrap(),
        case.chain_addresses().unwrap()
    );
    assert_eq!(other.chain_unions().unwrap(), case.chain_unions().unwrap());
    // Provenance: each block names its file and where it lies in it.
    let sources = case.chain_sources().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].blocks, 206);
    assert!(blocks.iter().all(
        |b| *b.provenance.src_sha256 == sources[0].sha256 && &*b.provenance.src_table == "blk"
    ));
    assert_eq!(blocks[0].provenance.src_offset, 8);

    let again = import_chain(&case, &[file], &ChainImportOptions::default(), &NoProgress).unwrap();
    assert!(!again.rebuilt);
    assert_eq!((again.files_new, again.files_in_case), (0, 1));
    assert_eq!(case.chain_counts().unwrap()[0], 206);
}

#[test]
fn a_new_file_with_more_work_moves_the_best_chain() {
    let Some(dir) = shared_data("mainnet/test-fork-chain") else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    let (_dir, case) = case();
    let options = ChainImportOptions::default();
    import_chain(&case, &[dir.join("blk_0_to_4.dat")], &options, &NoProgress).unwrap();
    let first: Vec<String> = case
        .chain_blocks()
        .unwrap()
        .into_iter()
        .map(|b| b.hash)
        .collect();
    assert_eq!(first.len(), 5);
    let side: Vec<PathBuf> = ["blk_3A.dat", "blk_4A.dat", "blk_5A.dat"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    let r = import_chain(&case, &side, &options, &NoProgress).unwrap();
    assert_eq!((r.files_new, r.files_in_case, r.blocks_found), (3, 4, 8));
    assert_eq!((r.blocks_on_chain, r.side_blocks), (6, 2));
    let now: Vec<String> = case
        .chain_blocks()
        .unwrap()
        .into_iter()
        .map(|b| b.hash)
        .collect();
    // Genesis, 1 and 2 stay; 3 and 4 gave way to 3A, 4A, 5A.
    assert_eq!(now[..3], first[..3]);
    assert!(!now.contains(&first[3]) && !now.contains(&first[4]));
    assert_eq!(
        case.chain_blocks()
            .unwrap()
            .iter()
            .filter_map(|b| b.height)
            .max(),
        Some(5)
    );
}

#[test]
fn a_truncated_file_keeps_its_complete_block_and_names_the_cut() {
    let Some(file) = shared_data("testnet3/bitcore_blk86756-testnet.dat") else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    let (_dir, case) = case();
    let r = import_chain(&case, &[file], &ChainImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.network, "testnet");
    assert_eq!(
        (r.blocks_found, r.blocks_on_chain, r.transactions),
        (1, 1, 22)
    );
    assert_eq!(r.problems.len(), 1);
    assert!(
        r.problems[0].contains("truncated at byte 8011") && r.problems[0].contains("6679"),
        "{}",
        r.problems[0]
    );
    // BIP 34 gives the lone block its height.
    assert_eq!(case.chain_blocks().unwrap()[0].height, Some(86756));
}

#[test]
fn a_refused_import_leaves_the_case_as_it_was() {
    let (Some(regtest), Some(mainnet)) = (
        shared_data("regtest/regtest_blocks1-206_blkformat.dat"),
        shared_data("mainnet/test-fork-chain/blk_0_to_4.dat"),
    ) else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    let (_dir, case) = case();
    let options = ChainImportOptions::default();
    import_chain(&case, &[mainnet], &options, &NoProgress).unwrap();
    let (counts, sources, files) = (
        case.chain_counts().unwrap(),
        case.chain_sources().unwrap(),
        evidence_files(&case),
    );
    // Blocks of another network cannot join this chain: refused whole.
    let err = import_chain(&case, &[regtest], &options, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("several networks"), "{err}");
    assert_eq!(case.chain_counts().unwrap(), counts);
    assert_eq!(case.chain_sources().unwrap(), sources);
    assert_eq!(evidence_files(&case), files);
}

#[test]
fn a_block_failing_its_check_midway_refuses_the_import_and_leaves_the_case_as_it_was() {
    let Some(regtest) = shared_data("regtest/regtest_blocks1-206_blkformat.dat") else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    // Block 120's first transaction changed by one bit: its merkle root no longer holds. Blocks before and
    // after it are checked on other threads meanwhile; the import must stop, not hang, and keep nothing.
    let mut bytes = std::fs::read(&regtest).unwrap();
    let block = spector_chain::BlkFile::open(&regtest)
        .unwrap()
        .nth(120)
        .unwrap()
        .unwrap();
    let at = block.location.offset as usize + 80 + 1 + 10;
    bytes[at] ^= 1;
    let dir = TempDir::new().unwrap();
    let corrupt = dir.path().join("blk00000.dat");
    std::fs::write(&corrupt, &bytes).unwrap();

    let (_case_dir, case) = case();
    assert_eq!(case.first_chain_block().unwrap(), None);
    let (counts, files) = (case.chain_counts().unwrap(), evidence_files(&case));
    let err = import_chain(
        &case,
        &[corrupt],
        &ChainImportOptions::default(),
        &NoProgress,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("merkle root"), "{err}");
    assert!(
        err.contains(&format!("byte {}", block.location.offset)),
        "{err}"
    );
    assert_eq!(case.chain_counts().unwrap(), counts);
    assert!(case.chain_sources().unwrap().is_empty());
    assert_eq!(evidence_files(&case), files);
    // The untouched file imports whole afterwards.
    let r = import_chain(
        &case,
        &[regtest],
        &ChainImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(r.blocks_on_chain, 206);
}

/// A case holding three real mainnet blocks (raw), with its import report; `None` without the shared data.
fn three_mainnet_blocks() -> Option<(TempDir, Case, spector_pipeline::ChainImportReport)> {
    let dir = shared_data("mainnet/raw")?;
    let files: Vec<PathBuf> = ["block_277647.raw", "block_357238.raw", "block_383616.raw"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    let (tmp, case) = case();
    let r = import_chain(&case, &files, &ChainImportOptions::default(), &NoProgress).unwrap();
    Some((tmp, case, r))
}

#[test]
fn every_union_is_a_transaction_that_spent_both_addresses() {
    let Some((_dir, case, r)) = three_mainnet_blocks() else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    assert!(r.unions > 0 && r.clusters > 0, "{r:?}");
    let unions = case.chain_unions().unwrap();
    assert_eq!(unions.len() as u64, r.unions);
    let mut spent_by: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    let inputs = case.chain_inputs().unwrap();
    for i in &inputs {
        if let Some(a) = &i.address {
            spent_by.entry(i.txid.as_str()).or_default().push(a);
        }
    }
    for u in &unions {
        assert_eq!(u.rule, "common_input");
        let spent = &spent_by[u.txid.as_str()];
        assert!(
            spent.contains(&u.address_a.as_str()) && spent.contains(&u.address_b.as_str()),
            "{u:?}"
        );
    }
    // Sizes agree with membership, and a cluster of n addresses took n - 1 unions.
    let addresses = case.chain_addresses().unwrap();
    let mut members: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for a in &addresses {
        *members.entry(a.cluster.as_str()).or_default() += 1;
    }
    for a in &addresses {
        assert_eq!(members[a.cluster.as_str()], a.cluster_size, "{}", a.address);
    }
    assert_eq!(members.len() as u64, r.clusters);
    assert_eq!(addresses.len() as u64 - r.clusters, r.unions);
}

/// `why_joined` reads only the cluster's unions; its answer is the path over every union of the chain.
#[test]
fn why_two_addresses_are_one_cluster_reads_their_cluster_alone_and_answers_as_all_unions_do() {
    let Some((_dir, case, _)) = three_mainnet_blocks() else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    let unions = case.chain_unions().unwrap();
    let edges: Vec<(&str, &str)> = unions
        .iter()
        .map(|u| (u.address_a.as_str(), u.address_b.as_str()))
        .collect();
    let addresses = case.chain_addresses().unwrap();
    let largest = addresses.iter().max_by_key(|a| a.cluster_size).unwrap();
    assert!(largest.cluster_size > 2, "{largest:?}");
    let same: Vec<&str> = addresses
        .iter()
        .filter(|a| a.cluster == largest.cluster)
        .map(|a| a.address.as_str())
        .collect();
    let other = addresses
        .iter()
        .find(|a| a.cluster != largest.cluster)
        .unwrap();
    let mut pairs: Vec<(&str, &str)> = same
        .iter()
        .skip(1)
        .take(20)
        .map(|&b| (same[0], b))
        .collect();
    pairs.push((same[1], other.address.as_str()));
    pairs.push((same[0], same[0]));
    pairs.push((same[0], "never-seen"));
    let mut joined = 0;
    for (a, b) in pairs {
        let why = spector_pipeline::why_joined(&case, a, b).unwrap();
        let expected = spector_chain::union_path(&edges, &a, &b)
            .map(|p| p.into_iter().map(|i| unions[i].clone()).collect::<Vec<_>>());
        assert_eq!(why.path, expected, "{a} {b}");
        assert_eq!(why.a.as_ref().map(|r| r.address.as_str()), Some(a));
        joined += usize::from(why.path.as_ref().is_some_and(|p| !p.is_empty()));
    }
    assert!(joined >= 2, "{joined} pairs joined");
}

#[test]
fn a_trace_reaches_the_labelled_cluster_its_coins_went_to() {
    use spector_chain::{Direction, TaintPolicy, TraceOptions};
    let Some(file) = shared_data("regtest/regtest_blocks1-206_blkformat.dat") else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    let (_dir, case) = case();
    import_chain(&case, &[file], &ChainImportOptions::default(), &NoProgress).unwrap();
    let inputs = case.chain_inputs().unwrap();
    let outputs = case.chain_outputs().unwrap();
    let addresses = case.chain_addresses().unwrap();
    let cluster = |a: &str| {
        addresses
            .iter()
            .find(|x| x.address == a)
            .map(|x| x.cluster.clone())
    };
    // A spend from A paying Z, an address of another cluster.
    let (from, to) = inputs
        .iter()
        .filter_map(|i| Some((i.address.clone()?, i.txid.clone())))
        .find_map(|(a, txid)| {
            let z = outputs.iter().filter(|o| o.txid == txid).find(|o| {
                o.address
                    .as_deref()
                    .is_some_and(|z| cluster(z) != cluster(&a))
            })?;
            Some((a, z.clone()))
        })
        .expect("a payment between two clusters");
    let z = to.address.clone().unwrap();
    let tag = spector_model::ChainTag {
        address: z.clone(),
        currency: "BTC".into(),
        label: "Test Exchange".into(),
        category: Some("exchange".into()),
        actor: None,
        source: "test".into(),
        confidence: None,
        file: "test.yaml".into(),
        position: 1,
        src_sha256: "0".repeat(64),
    };
    case.replace_chain_tags(&[tag], &[]).unwrap();
    let poison = TraceOptions {
        hops: 1,
        policy: TaintPolicy::Poison,
        ..TraceOptions::default()
    };
    let r = spector_pipeline::trace_money(&case, &from, &poison).unwrap();
    assert_eq!(r.addresses, vec![from.clone()]);
    let reached = r
        .trace
        .by_label
        .get("Test Exchange")
        .copied()
        .unwrap_or(0.0);
    assert!(reached >= to.value as f64, "{reached} < {}", to.value);
    let arrival = r
        .trace
        .arrivals
        .iter()
        .find(|a| a.address.as_deref() == Some(&z))
        .unwrap();
    assert_eq!(arrival.path.last(), Some(&to.txid));
    assert_eq!(arrival.hops, 1);
    // Backward from Z, the traced coins come from A's cluster (among others), never more than Z got.
    let back = spector_pipeline::trace_money(
        &case,
        &z,
        &TraceOptions {
            direction: Direction::In,
            hops: 1,
            ..TraceOptions::default()
        },
    )
    .unwrap();
    let total: f64 = back.trace.arrivals.iter().map(|a| a.sat).sum();
    assert!(
        total <= back.trace.start_sat as f64 + 1.0,
        "{total} > {}",
        back.trace.start_sat
    );
    assert!(
        back.trace
            .arrivals
            .iter()
            .any(|a| a.address.as_deref() == Some(from.as_str()))
    );
}

#[test]
fn an_obfuscated_data_directory_reads_as_the_plain_one() {
    let Some(file) = shared_data("regtest/regtest_blocks1-206_blkformat.dat") else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    // Bitcoin Core 28+: blocks/xor.dat holds the key, every blk byte is XORed with key[offset % 8].
    let blocks = TempDir::new().unwrap();
    let key = [0x9c, 0x01, 0xfe, 0x42, 0x17, 0x00, 0xab, 0x55];
    let mut bytes = std::fs::read(&file).unwrap();
    for (i, b) in bytes.iter_mut().enumerate() {
        *b ^= key[i % 8];
    }
    std::fs::write(blocks.path().join("blk00000.dat"), &bytes).unwrap();
    std::fs::write(blocks.path().join("xor.dat"), key).unwrap();
    std::fs::write(blocks.path().join("rev00000.dat"), b"undo data, not blocks").unwrap();
    let (_d1, plain) = case();
    let (_d2, masked) = case();
    let options = ChainImportOptions::default();
    import_chain(&plain, &[file], &options, &NoProgress).unwrap();
    let r = import_chain(
        &masked,
        &[blocks.path().to_path_buf()],
        &options,
        &NoProgress,
    )
    .unwrap();
    assert_eq!((r.files_given, r.blocks_on_chain), (1, 206), "{r:?}");
    assert_eq!(masked.chain_txs().unwrap(), plain.chain_txs().unwrap());
    let sources = masked.chain_sources().unwrap();
    assert_eq!(sources[0].xor_key.as_deref(), Some("9c01fe421700ab55"));
    // The evidence is the file as received, obfuscated.
    let held = std::fs::read(masked.root().join("evidence").join(&sources[0].sha256)).unwrap();
    assert_eq!(held, bytes);
}
