//! Arbitrary text as an ASCII-armored public key (profile fields and messages of seized markets hold keys,
//! broken keys and things pretending to be keys): parsing must return a key or a reason, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(info) = spector_enrich::parse_public_key(&text) {
        assert!(info.fingerprint.len() == 40 || info.fingerprint.len() == 64);
        assert!(info.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    }
});
