//! Arbitrary text through the place normaliser: no panic, the raw text is kept, every matched term's
//! offsets slice the input, every country is an alpha-2 code.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let place = spector_enrich::normalise_place(&text);
    assert_eq!(place.raw, text);
    for t in &place.matched {
        assert!(text.get(t.start..t.end).is_some());
    }
    for c in place.countries.iter().chain(&place.excluded_countries) {
        assert!(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()));
    }
    let (from, to) = spector_enrich::split_from_to(&text, true);
    for part in [from, to].into_iter().flatten() {
        let _ = spector_enrich::normalise_place(part);
    }
});
