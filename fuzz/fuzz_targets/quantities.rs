//! Arbitrary text through the quantity parser: no panic, every match's offsets slice the input to what it
//! says was written, every normalised amount is finite.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let amounts = spector_enrich::parse_amounts(&text);
    for m in &amounts.matches {
        assert_eq!(text.get(m.start..m.end), Some(m.raw.as_str()));
        assert!(m.normalised.is_finite());
    }
    for t in &amounts.tiers {
        assert!(text.get(t.start..t.end).is_some());
    }
});
