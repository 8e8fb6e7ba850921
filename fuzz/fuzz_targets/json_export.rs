//! Arbitrary bytes through the JSON reader: it must not panic, must end, and must keep the invariants that
//! `selfcheck::drain_checked` checks (rows decode again from their own bytes, child rows lie inside and
//! carry their parent row, errors know their line, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_ingest::Format;
use spector_ingest::formats::selfcheck::drain_checked;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = drain_checked(Format::Json, data) {
        panic!("{problem}");
    }
});
