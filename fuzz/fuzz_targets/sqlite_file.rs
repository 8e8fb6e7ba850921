//! Arbitrary bytes written to a file and read as an SQLite database: opening and reading may fail (with a
//! fatal error naming the file) but must not panic or loop, and rows must come table by table in rowid
//! order (`selfcheck::drain_sqlite`). Seed it with databases made from the `sqlite/` test scripts (see
//! README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_ingest::formats::selfcheck::drain_sqlite_bytes;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = drain_sqlite_bytes(data) {
        panic!("{problem}");
    }
});
