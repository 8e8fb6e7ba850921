//! What no reader of a chain can do faster on this machine: the least CPU time the SHA-256 work of
//! checking every block costs, and the least time per random memory access, whatever the code around
//! them. `bench/chain.sh` runs it beside `chain_speed` and the peers, so that the target (spector's parse
//! and clustering faster than the fastest peer's parse) can be held against what the cores can give.
//!
//!   cargo run --release -p spector-chain --example chain_floors -- BLOCKS_DIR [NETWORK]
//!
//! 1. The chain's hashing work, counted in SHA-256 compressions (64-byte blocks, padding included):
//!    every txid (SHA-256d of the transaction without witnesses), each merkle tree's inner nodes, and for
//!    the witness commitment each witnessed transaction again with its witnesses and the tree of wtxids.
//! 2. This machine's time per compression: single-stream `sha2` (SHA extensions when the CPU has them)
//!    over a long buffer, and `tape-sha256`'s multi-buffer kernels (several messages in lockstep, SHA
//!    extensions or AVX-512 lanes) over the message sizes of a block: if either were faster, the checks
//!    could be too.
//! 3. Random access: 8-byte read-modify-writes at independent random places of a 1 GiB table (as the walk
//!    numbers addresses and finds their clusters), the places known in advance so that the processor can
//!    overlap as many as it is able to, with and without software prefetching.
//!
//! Prints one JSON object.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::Digest;
use spector_chain::assemble;
use spector_chain::bitcoin::Network;

mod shared;

/// Compressions of SHA-256d over `len` bytes: the message and its padding (a one bit and the 8-byte
/// length), then one block for the 32-byte digest.
fn double_sha256_blocks(len: u64) -> u64 {
    (len + 9).div_ceil(64) + 1
}

/// Inner nodes of a Bitcoin merkle tree over `leaves` (an odd node is paired with itself).
fn merkle_nodes(mut leaves: u64) -> u64 {
    let mut nodes = 0;
    while leaves > 1 {
        leaves = leaves.div_ceil(2);
        nodes += leaves;
    }
    nodes
}

#[derive(Default)]
struct HashingWork {
    blocks: u64,
    txs: u64,
    inputs: u64,
    outputs: u64,
    txid_compressions: u64,
    merkle_compressions: u64,
    witness_compressions: u64,
}

fn hashing_work(dir: &Path, network: Network) -> HashingWork {
    let files = shared::blk_files(dir);
    let scan = assemble::scan(&files, |_| {});
    let network = assemble::network_of(&scan, network).expect("one network");
    let ordered = assemble::order(&scan, network);
    let mut work = HashingWork::default();
    let mut reader = assemble::Rereader::default();
    for &at in ordered.segments.iter().flat_map(|(s, _)| s) {
        let view = spector_chain::BlockView::read(reader.read(&scan.found[at]).expect("block"))
            .expect("block");
        let txs = view.txs.len() as u64;
        work.blocks += 1;
        work.txs += txs;
        // Each inner node is SHA-256d of 64 bytes: two blocks, then one.
        work.merkle_compressions += 3 * merkle_nodes(txs);
        let mut witnessed = false;
        for (at, tx) in view.txs.iter().enumerate() {
            work.inputs += tx.input_count() as u64;
            work.outputs += tx.output_count() as u64;
            work.txid_compressions += double_sha256_blocks(u64::from(tx.base_size));
            if tx.total_size != tx.base_size {
                witnessed = true;
                // The coinbase's wtxid is taken as zero, never hashed.
                if at > 0 {
                    work.witness_compressions += double_sha256_blocks(u64::from(tx.total_size));
                }
            }
        }
        if witnessed {
            // The tree of wtxids, and the commitment: SHA-256d of its root and the reserved value.
            work.witness_compressions += 3 * merkle_nodes(txs) + 3;
        }
    }
    work
}

/// Nanoseconds per compression of single-stream `sha2` over a long buffer.
fn sha2_ns_per_compression() -> f64 {
    let buffer = vec![0x5a_u8; 64 << 20];
    let rounds = 4;
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(sha2::Sha256::digest(&buffer));
    }
    started.elapsed().as_secs_f64() * 1e9 / (rounds * buffer.len() / 64) as f64
}

/// Nanoseconds per message of `len` bytes: single-stream `sha2`, `tape-sha256` with the kernel it picks
/// for this CPU, and `tape-sha256`'s 4-stream SHA-extension kernel (when the CPU has the extensions).
fn per_message_ns(len: usize) -> (f64, f64, Option<f64>) {
    let count = 1 << 20;
    let data: Vec<u8> = (0..len * count).map(|i| (i % 251) as u8).collect();
    let messages: Vec<&[u8]> = data.chunks(len).collect();
    let mut digests = vec![[0u8; 32]; count];
    let started = Instant::now();
    for (message, digest) in messages.iter().zip(digests.iter_mut()) {
        *digest = sha2::Sha256::digest(message).into();
    }
    let single = started.elapsed().as_secs_f64() * 1e9 / count as f64;
    let mut batched = vec![[0u8; 32]; count];
    let started = Instant::now();
    tape_sha256::hash_many(&messages, &mut batched);
    let multi = started.elapsed().as_secs_f64() * 1e9 / count as f64;
    assert_eq!(digests, batched, "tape-sha256 disagrees with sha2");
    #[cfg(target_arch = "x86_64")]
    let sha_streams = (std::arch::is_x86_feature_detected!("sha")
        && std::arch::is_x86_feature_detected!("ssse3")
        && std::arch::is_x86_feature_detected!("sse4.1"))
    .then(|| {
        let started = Instant::now();
        // SAFETY: the CPU has the SHA extensions, SSSE3 and SSE4.1 (checked above), which is what the
        // kernel needs.
        unsafe { tape_sha256::backends::shani_x4_slices(&[], &messages, &mut batched) };
        let ns = started.elapsed().as_secs_f64() * 1e9 / count as f64;
        assert_eq!(
            digests, batched,
            "tape-sha256 (SHA-NI x4) disagrees with sha2"
        );
        ns
    });
    #[cfg(not(target_arch = "x86_64"))]
    let sha_streams = None;
    (single, multi, sha_streams)
}

/// Nanoseconds per read-modify-write of 8 bytes at independent random places of a 1 GiB table, fetched
/// `ahead` accesses early by software prefetching (0: none).
fn random_access_ns(table: &mut [u64], ahead: usize) -> f64 {
    fn mix(mut x: u64) -> u64 {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
    let accesses = 20_000_000;
    let places: Vec<usize> = (0..(accesses + ahead) as u64)
        .map(|i| (mix(i + 1) % table.len() as u64) as usize)
        .collect();
    let started = Instant::now();
    for i in 0..accesses {
        if ahead > 0 {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a prefetch reads nothing the program sees and cannot fault.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    table.as_ptr().wrapping_add(places[i + ahead]).cast::<i8>(),
                );
            }
        }
        table[places[i]] += 1;
    }
    std::hint::black_box(&table);
    started.elapsed().as_secs_f64() * 1e9 / accesses as f64
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("BLOCKS_DIR"));
    let network: Network = args
        .next()
        .map_or(Network::Regtest, |n| n.parse().expect("network"));
    let work = hashing_work(&dir, network);
    let ns = sha2_ns_per_compression();
    let sizes = [32usize, 64, 250, 420, 1000];
    let messages: Vec<String> = sizes
        .iter()
        .map(|&len| {
            let (single, multi, streams) = per_message_ns(len);
            format!(
                "{{\"bytes\": {len}, \"sha2_ns\": {single:.1}, \"tape_sha256_ns\": {multi:.1}, \"tape_sha256_shani_x4_ns\": {}}}",
                streams.map_or("null".to_string(), |s| format!("{s:.1}"))
            )
        })
        .collect();
    let mut table = vec![1u64; (1 << 30) / 8];
    let no_prefetch = random_access_ns(&mut table, 0);
    let prefetch = random_access_ns(&mut table, 16);
    let seconds = |compressions: u64| compressions as f64 * ns / 1e9;
    println!(
        "{{\"blocks\": {}, \"txs\": {}, \"inputs\": {}, \"outputs\": {}, \"txid_compressions\": {}, \"merkle_compressions\": {}, \"witness_compressions\": {}, \"sha2_ns_per_compression\": {ns:.2}, \"txid_cpu_seconds\": {:.2}, \"merkle_cpu_seconds\": {:.2}, \"witness_cpu_seconds\": {:.2}, \"tape_sha256_backend\": \"{}\", \"messages\": [{}], \"random_access_ns\": {no_prefetch:.1}, \"random_access_prefetched_ns\": {prefetch:.1}}}",
        work.blocks,
        work.txs,
        work.inputs,
        work.outputs,
        work.txid_compressions,
        work.merkle_compressions,
        work.witness_compressions,
        seconds(work.txid_compressions),
        seconds(work.merkle_compressions),
        seconds(work.witness_compressions),
        tape_sha256::backend(),
        messages.join(", ")
    );
}
