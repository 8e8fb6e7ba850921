//! The in-place block reader against `bitcoin`'s decoder on generated blocks: transactions of any shape,
//! with and without witnesses, put in a block whose merkle root and witness commitment are made right, so
//! that every check passes and every field can be compared; then the same blocks with a byte changed.
//! And generated blocks read and checked ahead on several threads, handed on in order
//! (`assemble::each_checked`), however the caller's side ends.

use proptest::prelude::*;
use spector_chain::bitcoin::block::{Header, Version as BlockVersion};
use spector_chain::bitcoin::hashes::Hash;
use spector_chain::bitcoin::transaction::Version;
use spector_chain::bitcoin::{
    Amount, Block, BlockHash, CompactTarget, OutPoint, ScriptBuf, Sequence, Transaction, TxIn,
    TxMerkleNode, TxOut, Txid, Witness, absolute,
};
use spector_chain::{BlockLocation, BlockView, Framing, RawBlock};

mod support;

fn raw(bytes: Vec<u8>) -> RawBlock {
    RawBlock {
        location: BlockLocation {
            file: "generated.raw".into(),
            framing: Framing::Raw,
            number: 1,
            offset: 0,
            len: bytes.len() as u64,
        },
        bytes,
        network: None,
    }
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn input() -> impl Strategy<Value = TxIn> {
    (
        any::<[u8; 32]>(),
        0u32..5,
        bytes(40),
        any::<u32>(),
        proptest::collection::vec(bytes(80), 0..3),
    )
        .prop_map(|(txid, vout, script, sequence, witness)| TxIn {
            previous_output: OutPoint::new(Txid::from_byte_array(txid), vout),
            script_sig: ScriptBuf::from_bytes(script),
            sequence: Sequence(sequence),
            witness: Witness::from_slice(&witness),
        })
}

fn output() -> impl Strategy<Value = TxOut> {
    (0u64..21_000_000 * 100_000_000, bytes(60)).prop_map(|(value, script)| TxOut {
        value: Amount::from_sat(value),
        script_pubkey: ScriptBuf::from_bytes(script),
    })
}

fn transaction() -> impl Strategy<Value = Transaction> {
    (
        any::<i32>(),
        any::<u32>(),
        proptest::collection::vec(input(), 1..4),
        proptest::collection::vec(output(), 0..4),
    )
        .prop_map(|(version, lock_time, input, output)| Transaction {
            version: Version(version),
            lock_time: absolute::LockTime::from_consensus(lock_time),
            input,
            output,
        })
}

/// A block of a coinbase and `txs`, its merkle root and (when any input has a witness) its witness
/// commitment made right.
fn block_of(txs: Vec<Transaction>, height: i64) -> Block {
    let witnessed = txs
        .iter()
        .any(|t| t.input.iter().any(|i| !i.witness.is_empty()));
    let coinbase = Transaction {
        version: Version::TWO,
        lock_time: absolute::LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::null(),
            script_sig: spector_chain::bitcoin::script::Builder::new()
                .push_int(height)
                .into_script(),
            sequence: Sequence::MAX,
            witness: if witnessed {
                Witness::from_slice(&[[0u8; 32]])
            } else {
                Witness::new()
            },
        }],
        output: vec![TxOut {
            value: Amount::from_sat(50),
            script_pubkey: ScriptBuf::new(),
        }],
    };
    let mut block = Block {
        header: Header {
            version: BlockVersion::TWO,
            prev_blockhash: BlockHash::all_zeros(),
            merkle_root: TxMerkleNode::all_zeros(),
            time: 1_700_000_000,
            bits: CompactTarget::from_consensus(0x207fffff),
            nonce: 0,
        },
        txdata: std::iter::once(coinbase).chain(txs).collect(),
    };
    if witnessed {
        let root = block.witness_root().unwrap();
        let commitment = Block::compute_witness_commitment(&root, &[0u8; 32]);
        let mut script = vec![0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
        script.extend(commitment.to_byte_array());
        block.txdata[0].output.push(TxOut {
            value: Amount::ZERO,
            script_pubkey: ScriptBuf::from_bytes(script),
        });
    }
    block.header.merkle_root = block.compute_merkle_root().unwrap();
    block
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_blocks_read_as_bitcoin_decodes_them(
        txs in proptest::collection::vec(transaction(), 0..6),
        height in 17i64..1_000_000,
        flip in any::<prop::sample::Index>(),
    ) {
        let block = block_of(txs, height);
        let bytes = spector_chain::bitcoin::consensus::serialize(&block);
        let good = raw(bytes.clone());
        support::assert_view_agrees_with_decoder(&good);
        let view = BlockView::check(good).unwrap();
        prop_assert_eq!(view.bip34_height(), Some(height as u64));

        // One bit changed anywhere after the header: refused by both readers, or read by both and then
        // refused by the same checks.
        let mut changed = bytes;
        let at = 80 + flip.index(changed.len() - 80);
        changed[at] ^= 0x10;
        let reference = spector_chain::decode(&raw(changed.clone()));
        let checked = BlockView::check(raw(changed));
        prop_assert_eq!(reference.is_ok(), checked.is_ok());
        if let Err(e) = checked {
            prop_assert!(e.to_string().contains("generated.raw"));
        }
    }
}

/// A blk file of `n` generated blocks (a coinbase and a payment each) in a fresh directory, scanned.
fn scanned_blocks(n: usize) -> (tempfile::TempDir, spector_chain::assemble::Scan) {
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = Vec::new();
    for height in 0..n {
        let payment = Transaction {
            version: Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: vec![TxIn {
                previous_output: OutPoint::new(Txid::from_byte_array([height as u8; 32]), 0),
                script_sig: ScriptBuf::new(),
                sequence: Sequence::MAX,
                witness: Witness::from_slice(&[[7u8; 72]]),
            }],
            output: vec![TxOut {
                value: Amount::from_sat(1_000),
                script_pubkey: ScriptBuf::from_bytes(vec![0x51]),
            }],
        };
        let bytes = spector_chain::bitcoin::consensus::serialize(&block_of(
            vec![payment],
            height as i64 + 17,
        ));
        file.extend([0xfa, 0xbf, 0xb5, 0xda]);
        file.extend((bytes.len() as u32).to_le_bytes());
        file.extend(bytes);
    }
    let path = dir.path().join("blk00000.dat");
    std::fs::write(&path, &file).unwrap();
    let scan = spector_chain::assemble::scan(
        &[spector_chain::assemble::BlockFile {
            path,
            framing: Framing::Blk,
            xor_key: None,
        }],
        |_| {},
    );
    assert!(scan.problems.is_empty(), "{:?}", scan.problems);
    assert_eq!(scan.found.len(), n);
    (dir, scan)
}

#[test]
fn blocks_checked_ahead_are_handed_on_in_order_and_a_stop_or_panic_ends_every_thread() {
    use spector_chain::ChainError;
    use spector_chain::assemble::each_checked;
    let (_dir, scan) = scanned_blocks(150);
    // In the order asked for (here backwards), each block the one at that place.
    let order: Vec<usize> = (0..150).rev().collect();
    let mut seen = Vec::new();
    each_checked(&scan.found, &order, 3, |i, block| {
        assert_eq!(block.bip34_height(), Some(order[i] as u64 + 17));
        seen.push(i);
        Ok::<(), ChainError>(())
    })
    .unwrap();
    assert_eq!(seen, (0..150).collect::<Vec<_>>());

    // The caller's error stops everything and is returned.
    let order: Vec<usize> = (0..150).collect();
    let err = each_checked(&scan.found, &order, 3, |i, _| {
        if i == 5 {
            Err(ChainError::BadBlock {
                path: "caller".into(),
                offset: 5,
                reason: "stop here".into(),
            })
        } else {
            Ok(())
        }
    })
    .unwrap_err();
    assert!(err.to_string().contains("stop here"), "{err}");

    // A panic on the caller's side ends the workers too (they were waiting for it to take more
    // blocks): the panic comes back instead of a hang.
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        each_checked(&scan.found, &order, 3, |i, _| {
            assert!(i != 5, "the caller gave up at block 5");
            Ok::<(), ChainError>(())
        })
    }));
    assert!(panicked.is_err());
}

#[test]
fn a_block_beyond_the_consensus_size_is_refused_by_both_readers() {
    let bytes = vec![0u8; 4_000_001];
    let err = BlockView::read(raw(bytes.clone())).unwrap_err().to_string();
    assert!(err.contains("beyond the consensus limit"), "{err}");
    let err = spector_chain::decode(&raw(bytes)).unwrap_err().to_string();
    assert!(err.contains("beyond the consensus limit"), "{err}");
}
