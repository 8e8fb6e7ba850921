//! Arbitrary bytes through the Csv reader: it must not panic, must end, and must keep the invariants that
//! `selfcheck::drain_checked` checks (rows decode again from their own bytes, errors know their line, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_ingest::Format;
use spector_ingest::formats::selfcheck::drain_checked;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = drain_checked(Format::Csv, data) {
        panic!("{problem}");
    }
});
