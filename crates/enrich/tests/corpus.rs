//! Data-driven corpus of identifiers: published addresses and their one-character lookalikes, handles
//! as vendors write them, and real GnuPG keys checked against GnuPG's own listing of them. Inputs and
//! expectations live under `tests/data/`; each directory's README says where every case comes from.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use spector_enrich::{find_contact_handles, find_crypto_addresses, find_public_keys};

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
}

/// Non-empty lines without their `#` comment.
fn entries(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| l.split(" #").next().unwrap_or_default().trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

struct ValidAddress {
    address: String,
    coin: String,
    kind: String,
    network: String,
    checksum: String,
}

fn valid_addresses() -> Vec<ValidAddress> {
    entries(&data("addresses").join("valid.txt"))
        .into_iter()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 5, "{line}");
            ValidAddress {
                address: f[0].into(),
                coin: f[1].into(),
                kind: f[2].into(),
                network: f[3].into(),
                checksum: f[4].into(),
            }
        })
        .collect()
}

#[test]
fn every_published_address_is_found_with_its_labels() {
    let valid = valid_addresses();
    assert!(valid.len() >= 25);
    for kind in [
        "p2pkh",
        "p2sh",
        "p2wpkh",
        "p2wsh",
        "p2tr",
        "xmr-standard",
        "xmr-integrated",
        "xmr-subaddress",
        "eth",
    ] {
        assert!(valid.iter().any(|v| v.kind == kind), "corpus lacks {kind}");
    }
    for v in &valid {
        for text in [
            v.address.clone(),
            format!("send to: {}.\nthanks", v.address),
            format!("<td>{}</td>", v.address),
        ] {
            let found = find_crypto_addresses(&text);
            assert_eq!(found.len(), 1, "{text}");
            let f = &found[0];
            assert_eq!(&text[f.start..f.end], v.address);
            assert_eq!(f.coin, v.coin, "{}", v.address);
            assert_eq!(f.kind.as_str(), v.kind, "{}", v.address);
            assert_eq!(f.network.as_str(), v.network, "{}", v.address);
            assert_eq!(f.checksum.as_str(), v.checksum, "{}", v.address);
            // bech32 and Ethereum hex are stored lower-case, base58 as written.
            if v.coin == "eth" || v.checksum.starts_with("bech32") {
                assert_eq!(f.address, v.address.to_ascii_lowercase());
            } else {
                assert_eq!(f.address, v.address);
            }
        }
    }
}

#[test]
fn no_one_character_lookalike_is_found() {
    let valid = valid_addresses();
    let broken = entries(&data("addresses").join("broken.txt"));
    assert!(broken.len() >= 40);
    for fake in &broken {
        let source = valid.iter().find(|v| {
            v.address.len() == fake.len()
                && v.address
                    .bytes()
                    .zip(fake.bytes())
                    .filter(|(a, b)| a != b)
                    .count()
                    == 1
        });
        assert!(
            source.is_some(),
            "{fake} is not one character off a valid address"
        );
        assert!(
            find_crypto_addresses(&format!("pay {fake} now")).is_empty(),
            "{fake} was extracted"
        );
    }
}

#[test]
fn handle_cases() {
    for line in entries(&data("handles").join("cases.txt")) {
        let (text, expected) = line.rsplit_once(" => ").expect("<text> => <expected>");
        let text = text.replace("\\n", "\n");
        let found: Vec<String> = find_contact_handles(&text)
            .iter()
            .map(|h| format!("{}:{}", h.kind.as_str(), h.handle))
            .collect();
        let expected: Vec<String> = if expected == "-" {
            Vec::new()
        } else {
            expected.split(", ").map(str::to_string).collect()
        };
        assert_eq!(found, expected, "{text}");
        for h in find_contact_handles(&text) {
            assert_eq!(&text[h.start..h.end], h.raw);
        }
    }
}

/// What GnuPG says about a key, read from its `--with-colons` listing.
#[derive(Debug, Default)]
struct GpgFacts {
    fingerprint: String,
    key_id: String,
    algorithm: String,
    bits: Option<u32>,
    curve: Option<String>,
    created: i64,
    expires: Option<i64>,
    user_ids: Vec<String>,
    subkeys: Vec<String>,
}

fn gpg_facts(path: &Path) -> GpgFacts {
    let mut facts = GpgFacts::default();
    let mut in_subkey = false;
    for line in fs::read_to_string(path).unwrap().lines() {
        let f: Vec<&str> = line.split(':').collect();
        match f[0] {
            "pub" => {
                facts.key_id = f[4].into();
                facts.created = f[5].parse().unwrap();
                facts.expires = f[6].parse().ok();
                // Algorithm numbers of RFC 4880 9.1.
                facts.algorithm = match f[3] {
                    "1" => "rsa",
                    "17" => "dsa",
                    "19" => "ecdsa",
                    "22" => "eddsa-legacy",
                    other => panic!("algorithm {other}"),
                }
                .into();
                if f[16].is_empty() {
                    facts.bits = Some(f[2].parse().unwrap());
                } else {
                    facts.curve = Some(f[16].into());
                }
            }
            "sub" => in_subkey = true,
            "fpr" if in_subkey => facts.subkeys.push(f[9].into()),
            "fpr" => facts.fingerprint = f[9].into(),
            "uid" => facts.user_ids.push(f[9].into()),
            _ => {}
        }
    }
    facts
}

#[test]
fn gnupg_keys_yield_what_gnupg_lists() {
    let dir = data("keys");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "gpg-colons") {
            continue;
        }
        let facts = gpg_facts(&path);
        let armored = fs::read_to_string(path.with_extension("asc")).unwrap();
        let info = spector_enrich::parse_public_key(&armored)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.display();
        assert_eq!(info.fingerprint, facts.fingerprint, "{name}");
        assert_eq!(info.key_id, facts.key_id, "{name}");
        assert_eq!(info.algorithm, facts.algorithm, "{name}");
        assert_eq!(info.bits, facts.bits, "{name}");
        assert_eq!(info.curve, facts.curve, "{name}");
        assert_eq!(info.created_at, facts.created, "{name}");
        assert_eq!(info.expires_at, facts.expires, "{name}");
        assert_eq!(info.subkey_fingerprints, facts.subkeys, "{name}");
        assert!(info.repairs.is_empty(), "{name}");
        // GnuPG lists the primary user id first; the key holds them in packet order.
        let mut ours = info.user_ids.clone();
        let mut theirs = facts.user_ids.clone();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{name}");
        let mut emails: Vec<String> = facts
            .user_ids
            .iter()
            .filter_map(|u| Some(u.split_once('<')?.1.strip_suffix('>')?.to_lowercase()))
            .collect();
        let mut found = info.emails.clone();
        emails.sort();
        found.sort();
        assert_eq!(found, emails, "{name}");
        // The whole file is one key block found in place.
        let keys = find_public_keys(&armored);
        assert_eq!(keys.len(), 1, "{name}");
        assert_eq!(keys[0].result.as_ref().ok(), Some(&info), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn the_expired_key_says_so() {
    let armored = fs::read_to_string(data("keys").join("expired.asc")).unwrap();
    let info = spector_enrich::parse_public_key(&armored).unwrap();
    // 2020-01-01T00:00:00Z and 2020-06-01T12:00:00Z (gpg's noon convention for a date).
    assert_eq!(info.created_at, 1_577_836_800);
    assert_eq!(info.expires_at, Some(1_591_012_800));
}

#[test]
fn keys_in_free_text() {
    let dir = data("keys");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let expected_path = entry.unwrap().path();
        if expected_path.extension().is_none_or(|e| e != "expected") {
            continue;
        }
        let stem = expected_path.file_stem().unwrap().to_str().unwrap();
        let input = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_stem().is_some_and(|s| s == stem)
                    && p.extension().is_some_and(|e| e != "expected")
            })
            .unwrap();
        let text = fs::read_to_string(&input).unwrap();
        let found = find_public_keys(&text);
        let got: Vec<String> = found
            .iter()
            .map(|k| match &k.result {
                Ok(info) => {
                    let repairs: Vec<&str> = info.repairs.iter().map(|r| r.as_str()).collect();
                    let repairs = if repairs.is_empty() {
                        "-".to_string()
                    } else {
                        repairs.join(",")
                    };
                    format!("ok {} {repairs}", info.fingerprint)
                }
                Err(e) => format!("err {}", e.code()),
            })
            .collect();
        assert_eq!(got, entries(&expected_path), "{}", input.display());
        for k in &found {
            let span = &text[k.start..k.end];
            assert!(span.starts_with("-----BEGIN PGP"), "{}", input.display());
            if k.result.is_ok() {
                assert!(span.ends_with("-----END PGP PUBLIC KEY BLOCK-----"));
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 6);
}

#[test]
fn a_truncated_block_ends_where_the_armor_ends() {
    let text = fs::read_to_string(data("keys").join("truncated_in_message.txt")).unwrap();
    let found = find_public_keys(&text);
    assert_eq!(found.len(), 1);
    let span = &text[found[0].start..found[0].end];
    assert!(span.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    assert!(!span.contains("Thanks"), "{span}");
    assert!(text[found[0].end..].trim_start().starts_with("Thanks"));
}

fn any_valid_address() -> impl Strategy<Value = String> {
    let valid: Vec<String> = valid_addresses().into_iter().map(|v| v.address).collect();
    prop::sample::select(valid)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// An address from the corpus between arbitrary prose (ending and starting with a non-alphanumeric
    /// character) is found exactly, at its position, and nothing else is.
    #[test]
    fn an_embedded_address_is_found_exactly(
        address in any_valid_address(),
        before in "[a-zA-Z0-9 .,:;!?()\n-]{0,60}",
        after in "[a-zA-Z0-9 .,:;!?()\n-]{0,60}",
    ) {
        let text = format!("{before} {address} {after}");
        let found = find_crypto_addresses(&text);
        prop_assert_eq!(found.len(), 1, "{}", text);
        prop_assert_eq!(found[0].start, before.len() + 1);
        prop_assert_eq!(&text[found[0].start..found[0].end], address.as_str());
    }

    #[test]
    fn find_public_keys_never_panics_and_spans_are_char_boundaries(
        text in r"(-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----|-----END PGP PUBLIC KEY BLOCK-----|<br>|mQENB|=abcd|Version: x|[ \n]|é|[A-Za-z0-9+/]{1,20}){0,20}"
    ) {
        for k in find_public_keys(&text) {
            prop_assert!(k.start <= k.end && k.end <= text.len());
            prop_assert!(text.is_char_boundary(k.start) && text.is_char_boundary(k.end));
        }
    }

    #[test]
    fn find_public_keys_on_arbitrary_text(text in any::<String>()) {
        for k in find_public_keys(&text) {
            prop_assert!(text.get(k.start..k.end).is_some());
        }
    }
}
