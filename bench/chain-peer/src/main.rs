//! `spector-chain-peers PEER BLOCKS_DIR NETWORK`: parses every block of a blocks directory with a peer
//! crate and prints `{"peer": ..., "blocks": N, "txs": N, "seconds": S}`.
//!
//! - `block-parser`: bitcoin-block-parser's `BlockParser` (headers first, then blocks decoded into
//!   `bitcoin::Block` on all cores, in height order).
//! - `blocks-iterator`: blocks_iterator's `iter` (blocks in height order, each with its previous outputs).

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (peer, dir, network) = match args.as_slice() {
        [_, peer, dir, network] => (peer.as_str(), dir.as_str(), network.as_str()),
        _ => {
            eprintln!("usage: spector-chain-peers block-parser|blocks-iterator BLOCKS_DIR NETWORK");
            std::process::exit(2);
        }
    };
    let network: bitcoin::Network = network.parse().expect("network: bitcoin, testnet, regtest ...");
    let started = Instant::now();
    let (mut blocks, mut txs) = (0u64, 0u64);
    match peer {
        "block-parser" => {
            let parser = bitcoin_block_parser::BlockParser::new(dir).expect("blocks directory");
            for n in parser.parse(|block| block.txdata.len() as u64).ordered() {
                blocks += 1;
                txs += n;
            }
        }
        "blocks-iterator" => {
            let config = blocks_iterator::Config::new(dir, network);
            for block in blocks_iterator::iter(config) {
                blocks += 1;
                txs += block.block().txdata.len() as u64;
            }
        }
        other => panic!("unknown peer {other}"),
    }
    println!(
        "{{\"peer\": \"{peer}\", \"blocks\": {blocks}, \"txs\": {txs}, \"seconds\": {:.2}}}",
        started.elapsed().as_secs_f64()
    );
}
