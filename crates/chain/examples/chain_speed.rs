//! Parse and cluster every block of a directory of blk files, as `spector chain import` reads and clusters
//! them (same reader, decoder, best-chain ordering, input resolution and clustering; no table rows), and
//! print what it did and how fast: `bench/chain.sh` runs it beside the peer crates.
//!
//!   cargo run --release -p spector-chain --example chain_speed -- BLOCKS_DIR [NETWORK] [--check-only|--read-only]
//!
//! `--check-only` reads and checks the blocks (txids, merkle roots, witness commitments) without resolving
//! or clustering: the floor under the whole run. `--read-only` reads them and computes their txids alone,
//! on as many threads, without the checks: the floor under any reader that resolves inputs (an input names
//! the txid of the output it spends, so every txid must be hashed).
//!
//! Blocks are read and checked on a thread per core, resolved and clustered in order on the main thread.

use std::path::PathBuf;
use std::time::Instant;

use spector_chain::assemble;
use spector_chain::bitcoin::Network;
use spector_chain::{ClusterOptions, Flattener};

mod shared;
use shared::blk_files;

// The allocator the `spector` binary links, so that the figures are those of `spector chain import`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let check_only = std::env::args().any(|a| a == "--check-only");
    let read_only = std::env::args().any(|a| a == "--read-only");
    let mut args = std::env::args()
        .skip(1)
        .filter(|a| a != "--check-only" && a != "--read-only");
    let dir = PathBuf::from(args.next().expect("BLOCKS_DIR"));
    let default_network: Network = args
        .next()
        .map_or(Network::Regtest, |n| n.parse().expect("network"));
    let started = Instant::now();
    let files = blk_files(&dir);
    let scan = assemble::scan(&files, |_| {});
    assert!(scan.problems.is_empty(), "{:?}", scan.problems);
    let network = assemble::network_of(&scan, default_network).expect("one network");
    let ordered = assemble::order(&scan, network);
    let scanned = started.elapsed().as_secs_f64();
    let order: Vec<usize> = ordered
        .segments
        .iter()
        .flat_map(|(s, _)| s.iter().copied())
        .collect();

    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    if read_only {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let txs = std::sync::atomic::AtomicU64::new(0);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    let mut reader = assemble::Rereader::default();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&at) = order.get(i) else { return };
                        let raw = reader.read(&scan.found[at]).expect("block");
                        let view = spector_chain::BlockView::read(raw).expect("block");
                        txs.fetch_add(view.txs.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    }
                });
            }
        });
        let seconds = started.elapsed().as_secs_f64();
        let txs = txs.into_inner();
        println!(
            "{{\"blocks\": {}, \"txs\": {txs}, \"scan_seconds\": {scanned:.2}, \"seconds\": {seconds:.2}, \"tx_per_s\": {:.0}}}",
            order.len(),
            txs as f64 / seconds
        );
        return;
    }
    let mut flattener = Flattener::with_clusters(network, &ClusterOptions::default());
    let mut counts = spector_chain::BlockCounts::default();
    let mut busy = std::time::Duration::ZERO;
    let (mut coinjoins_skipped, mut guarded_unions) = (0u64, 0u64);
    assemble::each_checked(&scan.found, &order, workers, |_, block| {
        if check_only {
            counts.txs += block.txs.len() as u64;
            return Ok(());
        }
        let t = Instant::now();
        let c = flattener.cluster_block(&block);
        // Taken block by block, as `spector chain import` takes them to write them.
        if let Some(clusters) = &mut flattener.clusters {
            let (unions, skips) = clusters.drain_made();
            for skip in skips {
                if skip.sizes.is_some() {
                    guarded_unions += 1;
                } else {
                    coinjoins_skipped += 1;
                }
            }
            drop(unions);
        }
        busy += t.elapsed();
        counts.txs += c.txs;
        counts.inputs += c.inputs;
        counts.inputs_resolved += c.inputs_resolved;
        counts.outputs += c.outputs;
        Ok::<(), spector_chain::ChainError>(())
    })
    .expect("valid blocks");
    let cluster_seconds = busy.as_secs_f64();
    let addresses = flattener.addresses.len();
    let clusters = flattener.clusters.as_mut().expect("clustering");
    let roots = (0..addresses as u32)
        .filter(|&n| clusters.find(n) == n)
        .count();
    let seconds = started.elapsed().as_secs_f64();
    counts.txs = counts.txs.max(1);
    println!(
        "{{\"blocks\": {}, \"txs\": {}, \"inputs\": {}, \"inputs_resolved\": {}, \"outputs\": {}, \"addresses\": {addresses}, \"clusters\": {}, \"unions\": {}, \"coinjoins_skipped\": {}, \"guarded_unions\": {guarded_unions}, \"scan_seconds\": {scanned:.2}, \"cluster_seconds\": {cluster_seconds:.2}, \"seconds\": {seconds:.2}, \"tx_per_s\": {:.0}}}",
        order_len(&ordered),
        counts.txs,
        counts.inputs,
        counts.inputs_resolved,
        counts.outputs,
        roots,
        clusters.unions_made,
        coinjoins_skipped,
        counts.txs as f64 / seconds
    );
}

fn order_len(o: &assemble::Ordered) -> usize {
    o.segments.iter().map(|(s, _)| s.len()).sum()
}
