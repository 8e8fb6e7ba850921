//! Arbitrary bytes through the decompression layer (gzip, zstd or none, told by the magic bytes), format
//! detection and the reader it picks: nothing may panic or loop, a stream that decompresses completely must
//! read exactly as its decompressed bytes do, and a broken one must end in a fatal error
//! (`selfcheck::drain_compressed`). Seed it with compressed test cases (see README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_ingest::formats::selfcheck::drain_compressed;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = drain_compressed(data) {
        panic!("{problem}");
    }
});
