//! Arbitrary bytes as a block, read in place by `BlockView` and decoded by `bitcoin`, the field's reference
//! decoder: both must refuse the same inputs, and where both read a block they must find the same header,
//! txids, sizes, inputs and outputs, and agree on its merkle root and witness commitment
//! (`BlockView::disagreements_with`). A panic, or any disagreement, is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_chain::bitcoin::Block;
use spector_chain::{BlockLocation, BlockView, Framing, RawBlock};

fuzz_target!(|data: &[u8]| {
    // Beyond the consensus size limit spector refuses any block (the reference decoder has no such limit).
    if data.len() as u64 > spector_chain::read::MAX_BLOCK_BYTES {
        return;
    }
    let raw = RawBlock {
        bytes: data.to_vec(),
        network: None,
        location: BlockLocation {
            file: "fuzz.raw".into(),
            framing: Framing::Raw,
            number: 1,
            offset: 0,
            len: data.len() as u64,
        },
    };
    let reference: Result<Block, _> = spector_chain::bitcoin::consensus::deserialize(data);
    let view = BlockView::read(raw);
    let (block, view) = match (reference, view) {
        (Ok(block), Ok(view)) => (block, view),
        (Err(_), Err(e)) => {
            assert!(e.to_string().contains("fuzz.raw"), "{e}");
            return;
        }
        (reference, view) => panic!(
            "disagreement: bitcoin {:?}, view {:?}",
            reference.map(|_| "read"),
            view.map(|_| "read")
        ),
    };
    assert_eq!(view.disagreements_with(&block), Vec::<String>::new());
});
