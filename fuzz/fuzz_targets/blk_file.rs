//! Arbitrary bytes as a blk file from a seized machine: the reader frames blocks or stops at an error, each
//! framed block is read or refused and what is read is flattened (unchecked against its merkle root, so
//! that hostile contents reach the flattener), never a panic, and nothing framed reaches past the input.
//! Inputs not starting with a network magic get the regtest magic and their own length in front, with the
//! first byte choosing whether to, so that the block decoder is reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_chain::{BlkFile, BlockView, Flattener};

fuzz_target!(|data: &[u8]| {
    let bytes = match data.split_first() {
        Some((&pick, rest)) if pick % 2 == 0 => {
            let mut framed = vec![0xfa, 0xbf, 0xb5, 0xda];
            framed.extend((rest.len() as u32).to_le_bytes());
            framed.extend_from_slice(rest);
            framed
        }
        _ => data.to_vec(),
    };
    let mut framed = 0u64;
    let mut flattener = Flattener::new(spector_chain::bitcoin::Network::Regtest);
    for block in BlkFile::new(&bytes[..], std::path::Path::new("fuzz.dat")) {
        let Ok(raw) = block else { break };
        framed += raw.location.len + 8;
        if let Ok(b) = BlockView::read(raw) {
            let flat = flattener.flatten(&b, None, &"0".into());
            assert_eq!(flat.txs.len(), b.txs.len());
        }
    }
    assert!(framed <= bytes.len() as u64);
});
