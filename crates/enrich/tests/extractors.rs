//! Properties of the free-text extractors: no input makes them panic, offsets always slice the input to
//! what was found, and identifiers planted in prose the way the synthetic world plants them are found
//! exactly, once per occurrence, with nothing else.

use proptest::prelude::*;
use spector_enrich::{
    AddressKind, HandleKind, classify_listing, find_contact_handles, find_crypto_addresses,
    find_public_keys,
};

/// A Bitcoin address of either planted shape, built from a random 20-byte hash.
fn valid_address(hash: [u8; 20], segwit: bool) -> String {
    if segwit {
        bech32::segwit::encode_v0(bech32::hrp::BC, &hash).unwrap()
    } else {
        let mut payload = vec![0x00];
        payload.extend_from_slice(&hash);
        bs58::encode(payload).with_check().into_string()
    }
}

/// What a planted identifier is expected to come out as.
#[derive(Debug, Clone)]
enum Planted {
    Address(String),
    Handle(&'static str, String, String), // kind, normalised, as written
}

fn planted() -> impl Strategy<Value = Planted> {
    let name = "[a-z][a-z0-9_]{4,14}";
    prop_oneof![
        (any::<[u8; 20]>(), any::<bool>()).prop_map(|(h, s)| Planted::Address(valid_address(h, s))),
        name.prop_map(|n| Planted::Handle("wickr", n.clone(), format!("wickr: {n}"))),
        name.prop_map(|n| Planted::Handle("telegram", n.clone(), format!("telegram: @{n}"))),
        "[0-9a-f]{64}".prop_map(|h| Planted::Handle(
            "session",
            format!("05{h}"),
            format!("session: 05{h}")
        )),
        (
            name,
            prop::sample::select(vec!["protonmail.com", "cock.li", "tutanota.de"])
        )
            .prop_map(|(n, d)| Planted::Handle(
                "email",
                format!("{n}@{d}"),
                format!("{n}@{d}")
            )),
    ]
}

/// Prose like the synthetic profiles and messages: words, numbers, prices and punctuation, but no
/// labels followed by separators and no @.
fn prose() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "stealth",
        "shipping",
        "from",
        "NL",
        "to",
        "worldwide",
        "10g",
        "$120",
        "escrow",
        "only",
        "pay",
        "through",
        "the",
        "market",
        "wickr",
        "telegram",
        "session",
        "signal",
        "email",
        "me",
        "via",
        "FE",
        "for",
        "trusted",
        "buyers",
        "3.5g",
        "x100",
        "M30",
        "reship",
        "50%",
        "100%",
        "btc",
        "xmr",
        "bc1",
        "1A",
        "fast",
        "reply",
        "PGP",
        "key",
        "on",
        "profile",
        "tg",
        "(",
        ")",
        ",",
        ".",
        "!",
    ]);
    prop::collection::vec(word, 0..25).prop_map(|w| w.join(" "))
}

fn check_offsets(text: &str) {
    for a in find_crypto_addresses(text) {
        let written = &text[a.start..a.end];
        assert_eq!(written.to_ascii_lowercase(), a.address.to_ascii_lowercase());
    }
    for h in find_contact_handles(text) {
        assert_eq!(&text[h.start..h.end], h.raw);
    }
    for k in find_public_keys(text) {
        assert!(
            text.get(k.start..k.end)
                .is_some_and(|s| s.starts_with("-----BEGIN PGP"))
        );
    }
    let c = classify_listing(text, Some(text));
    for m in c.matched {
        assert!(text.get(m.start..m.end).is_some_and(|s| !s.is_empty()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn arbitrary_strings_never_panic_and_offsets_slice_the_input(text in any::<String>()) {
        check_offsets(&text);
    }

    #[test]
    fn near_misses_never_panic(text in r"(wickr|telegram|tg|session|signal|threema|jabber|icq|t\.me/|threema\.id/|bc1|ltc1|0x|[13LM48]|@|#|[:\- ]|[a-zA-Z0-9._]{1,40}|é|\u{0301}){0,30}") {
        check_offsets(&text);
    }

    #[test]
    fn planted_identifiers_are_found_exactly(
        parts in prop::collection::vec((prose(), planted()), 0..6),
        tail in prose(),
    ) {
        let mut text = String::new();
        for (words, item) in &parts {
            text.push_str(words);
            text.push_str(if words.is_empty() { "" } else { " " });
            match item {
                Planted::Address(a) => text.push_str(a),
                Planted::Handle(_, _, raw) => text.push_str(raw),
            }
            text.push(' ');
        }
        text.push_str(&tail);

        let expected_addresses: Vec<&String> = parts.iter().filter_map(|(_, p)| match p {
            Planted::Address(a) => Some(a),
            Planted::Handle(..) => None,
        }).collect();
        let expected_handles: Vec<(&str, &String)> = parts.iter().filter_map(|(_, p)| match p {
            Planted::Handle(kind, handle, _) => Some((*kind, handle)),
            Planted::Address(_) => None,
        }).collect();

        let addresses = find_crypto_addresses(&text);
        let found: Vec<&String> = addresses.iter().map(|a| &a.address).collect();
        prop_assert_eq!(found, expected_addresses, "{}", text);

        let handles = find_contact_handles(&text);
        let found: Vec<(&str, &String)> = handles.iter().map(|h| (h.kind.as_str(), &h.handle)).collect();
        prop_assert_eq!(found, expected_handles, "{}", text);
    }

    /// A planted address with one character changed is not found (the checksum catches it).
    #[test]
    fn a_changed_character_is_never_extracted(hash in any::<[u8; 20]>(), segwit in any::<bool>(), at in any::<prop::sample::Index>()) {
        let address = valid_address(hash, segwit);
        let alphabet = if segwit { "qpzry9x8gf2tvdw0s3jn54khce6mua7l" } else { "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz" };
        let first_data_char = if segwit { 4 } else { 1 };
        let i = first_data_char + at.index(address.len() - first_data_char);
        let old = address.as_bytes()[i] as char;
        let new = alphabet.chars().find(|&c| c != old).unwrap();
        let mut fake = address.clone();
        fake.replace_range(i..=i, &new.to_string());
        prop_assert!(find_crypto_addresses(&format!("pay to {fake} now")).is_empty(), "{}", fake);
    }
}

#[test]
fn the_kinds_have_stable_names() {
    let names: Vec<&str> = [
        HandleKind::Email,
        HandleKind::Wickr,
        HandleKind::Telegram,
        HandleKind::Session,
        HandleKind::Signal,
        HandleKind::Threema,
        HandleKind::Xmpp,
        HandleKind::Icq,
    ]
    .into_iter()
    .map(HandleKind::as_str)
    .collect();
    assert_eq!(
        names,
        [
            "email", "wickr", "telegram", "session", "signal", "threema", "xmpp", "icq"
        ]
    );
    let names: Vec<&str> = [
        AddressKind::P2pkh,
        AddressKind::P2sh,
        AddressKind::P2wpkh,
        AddressKind::P2wsh,
        AddressKind::P2tr,
        AddressKind::SegwitFuture,
        AddressKind::XmrStandard,
        AddressKind::XmrIntegrated,
        AddressKind::XmrSubaddress,
        AddressKind::Eth,
    ]
    .into_iter()
    .map(AddressKind::as_str)
    .collect();
    assert_eq!(
        names,
        [
            "p2pkh",
            "p2sh",
            "p2wpkh",
            "p2wsh",
            "p2tr",
            "segwit-future",
            "xmr-standard",
            "xmr-integrated",
            "xmr-subaddress",
            "eth"
        ]
    );
}
