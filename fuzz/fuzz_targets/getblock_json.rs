//! Arbitrary bytes as a file of `getblock` answers (a node's JSON, or a file handed in as one): every input
//! gives blocks or an error naming the file, never a panic, and every block given decodes as the block
//! whose hash the answer stated (the reader refuses any other).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_chain::{decode, parse_getblock_json};

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.json");
    match parse_getblock_json(path, data) {
        Ok(blocks) => {
            for raw in blocks {
                // The block was rebuilt from the answer, so its bytes decode; its merkle root may not
                // match (the answer may lie), which decoding reports as an error, not a panic.
                let _ = decode(&raw);
            }
        }
        Err(e) => assert!(e.to_string().contains("fuzz.json")),
    }
});
