//! Arbitrary text as an ASCII-armored public key (profile fields and messages of seized markets hold keys,
//! broken keys and things pretending to be keys): parsing must return a key or a reason, never panic;
//! the same text searched as free text must give blocks inside it, each a key or a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn check(info: &spector_enrich::PgpInfo) {
    assert!(info.fingerprint.len() == 40 || info.fingerprint.len() == 64);
    assert!(info.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(info.key_id.len(), 16);
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(info) = spector_enrich::parse_public_key(&text) {
        check(&info);
    }
    let mut previous_end = 0;
    for found in spector_enrich::find_public_keys(&text) {
        assert!(previous_end <= found.start && found.start < found.end);
        assert!(text.get(found.start..found.end).is_some());
        previous_end = found.end;
        if let Ok(info) = &found.result {
            check(info);
        }
    }
});
