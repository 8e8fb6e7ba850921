//! Arbitrary bytes as a GraphSense TagPack (attribution packs are third-party files) and as a sanctions list:
//! reading must return tags and rejects or an error naming the file, never panic; every tag and reject is
//! numbered 1..n among the pack's entries and sits on a line of the input, and every BTC address kept is
//! already canonical.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use spector_chain::attribution::{
    AddressTag, TagReject, canonical_address, parse_sanctions_list, parse_tagpack,
};

fn check(bytes: &[u8], tags: &[AddressTag], rejects: &[TagReject]) {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let mut indices: Vec<usize> = tags
        .iter()
        .map(|t| t.origin.index)
        .chain(rejects.iter().map(|r| r.origin.index))
        .collect();
    indices.sort_unstable();
    assert!(indices.iter().copied().eq(1..=indices.len()));
    for tag in tags {
        assert!(tag.origin.line >= 1 && tag.origin.line <= lines);
        assert!(!tag.address.is_empty() && !tag.label.is_empty() && !tag.source.is_empty());
        assert_eq!(tag.currency, tag.currency.to_uppercase());
        if tag.currency == "BTC" {
            assert_eq!(canonical_address("BTC", &tag.address).as_deref(), Ok(tag.address.as_str()));
        }
    }
    for reject in rejects {
        assert!(reject.origin.line <= lines);
    }
}

fuzz_target!(|data: &[u8]| {
    match parse_tagpack(Path::new("fuzz.yaml"), data) {
        Ok(read) => check(data, &read.tags, &read.rejects),
        Err(error) => assert!(error.to_string().starts_with("fuzz.yaml: ")),
    }
    if let Ok(read) = parse_sanctions_list(Path::new("sanctioned_addresses_XBT.txt"), data) {
        check(data, &read.tags, &read.rejects);
    }
});
