//! Arbitrary text through the identifier extractors and the listing classifier: no panic, and every match's
//! offsets slice the input to exactly what was matched.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for a in spector_enrich::find_crypto_addresses(&text) {
        assert_eq!(text.get(a.start..a.end).map(str::to_lowercase), Some(a.address.to_lowercase()));
    }
    for h in spector_enrich::find_contact_handles(&text) {
        assert_eq!(text.get(h.start..h.end), Some(h.raw.as_str()));
    }
    for k in spector_enrich::find_public_keys(&text) {
        assert!(text.get(k.start..k.end).is_some_and(|s| s.starts_with("-----BEGIN PGP")));
    }
    let class = spector_enrich::classify_listing(&text, Some(&text));
    for m in class.matched {
        assert!(m.start <= m.end);
    }
});
