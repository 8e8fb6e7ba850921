//! Keys generated here with rPGP, parsed back by the enrichment, then damaged in the ways seized data
//! damages them.

use std::sync::LazyLock;

use pgp::composed::{ArmorOptions, KeyType, SecretKeyParamsBuilder, SignedSecretKey};
use pgp::types::{KeyDetails, KeyVersion, Timestamp};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use spector_enrich::{PgpError, parse_public_key};

const CREATED: u32 = 1_577_836_800; // 2020-01-01

fn generate(
    version: KeyVersion,
    key_type: KeyType,
    user_ids: &[&str],
    seed: u64,
) -> SignedSecretKey {
    let mut params = SecretKeyParamsBuilder::default();
    params
        .version(version)
        .key_type(key_type)
        .can_certify(true)
        .can_sign(true)
        .created_at(Timestamp::from_secs(CREATED));
    if let Some((primary, others)) = user_ids.split_first() {
        params.primary_user_id(primary.to_string());
        params.user_ids(others.iter().map(|u| u.to_string()).collect());
    }
    params
        .build()
        .expect("valid params")
        .generate(ChaCha20Rng::seed_from_u64(seed))
        .expect("key generation")
}

fn armored_public(key: &SignedSecretKey, include_checksum: bool) -> String {
    key.to_public_key()
        .to_armored_string(ArmorOptions {
            headers: None,
            include_checksum,
        })
        .expect("armor")
}

/// Generated once: the property tests damage it hundreds of times.
static VENDOR_KEY: LazyLock<(SignedSecretKey, String)> = LazyLock::new(|| {
    let key = generate(
        KeyVersion::V4,
        KeyType::Ed25519Legacy,
        &[
            "DarkSide Vendor <DarkSide@ProtonMail.com>",
            "darkside (backup) <ds@cock.li>",
        ],
        7,
    );
    let armored = armored_public(&key, true);
    (key, armored)
});

fn vendor_key() -> (SignedSecretKey, String) {
    VENDOR_KEY.clone()
}

#[test]
fn a_v4_key_yields_its_fingerprint_and_owner_facts() {
    let (key, armored) = vendor_key();
    let info = parse_public_key(&armored).expect("parses");
    let expected = format!("{:X}", key.fingerprint());
    assert_eq!(info.fingerprint, expected);
    assert_eq!(info.fingerprint.len(), 40);
    assert!(
        info.fingerprint
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    );
    assert_eq!(
        info.key_id,
        expected[24..],
        "a v4 key id is the fingerprint's low 64 bits"
    );
    assert_eq!(info.algorithm, "eddsa-legacy");
    assert_eq!(info.created_at, i64::from(CREATED));
    assert_eq!(
        info.user_ids,
        [
            "DarkSide Vendor <DarkSide@ProtonMail.com>",
            "darkside (backup) <ds@cock.li>"
        ]
    );
    assert_eq!(info.emails, ["darkside@protonmail.com", "ds@cock.li"]);
}

#[test]
fn a_v6_key_has_a_64_digit_fingerprint() {
    let key = generate(
        KeyVersion::V6,
        KeyType::Ed25519,
        &["plain name without mail"],
        8,
    );
    let info = parse_public_key(&armored_public(&key, false)).expect("parses");
    assert_eq!(info.fingerprint, format!("{:X}", key.fingerprint()));
    assert_eq!(info.fingerprint.len(), 64);
    assert_eq!(info.algorithm, "ed25519");
    assert!(info.emails.is_empty());
}

#[test]
fn different_keys_have_different_fingerprints_and_the_same_key_the_same() {
    let a = generate(KeyVersion::V4, KeyType::Ed25519Legacy, &["a <a@x.org>"], 1);
    let b = generate(KeyVersion::V4, KeyType::Ed25519Legacy, &["a <a@x.org>"], 2);
    let fa = parse_public_key(&armored_public(&a, true))
        .unwrap()
        .fingerprint;
    let fb = parse_public_key(&armored_public(&b, true))
        .unwrap()
        .fingerprint;
    assert_ne!(fa, fb);
    // Same key, armored without the optional checksum: same fingerprint.
    assert_eq!(
        parse_public_key(&armored_public(&a, false))
            .unwrap()
            .fingerprint,
        fa
    );
}

#[test]
fn prose_around_the_block_and_crlf_line_ends_are_tolerated() {
    let (_, armored) = vendor_key();
    let expected = parse_public_key(&armored).unwrap().fingerprint;
    let wrapped = format!(
        "My PGP key, verify before ordering:\r\n{}\r\nThanks!",
        armored.replace('\n', "\r\n")
    );
    assert_eq!(parse_public_key(&wrapped).unwrap().fingerprint, expected);
}

#[test]
fn a_truncated_block_is_an_error() {
    let (_, armored) = vendor_key();
    let cut = &armored[..armored.len() / 2];
    assert_eq!(parse_public_key(cut), Err(PgpError::Truncated));
    // Lines lost from the middle, END line kept: caught by the checksum.
    let lines: Vec<&str> = armored.lines().collect();
    let mut shortened = lines.clone();
    shortened.drain(4..6);
    let err = parse_public_key(&shortened.join("\n")).unwrap_err();
    assert!(
        matches!(
            err,
            PgpError::Checksum | PgpError::Malformed(_) | PgpError::BadArmor(_)
        ),
        "{err}"
    );
}

#[test]
fn a_wrong_checksum_is_rejected() {
    let (_, armored) = vendor_key();
    let checksum_line = armored
        .lines()
        .find(|l| l.starts_with('=') && l.len() == 5)
        .expect("has a checksum");
    let wrong = if checksum_line == "=AAAA" {
        "=BBBB"
    } else {
        "=AAAA"
    };
    let tampered = armored.replace(checksum_line, wrong);
    assert_eq!(parse_public_key(&tampered), Err(PgpError::Checksum));
}

#[test]
fn one_altered_character_in_the_body_is_rejected() {
    let (_, armored) = vendor_key();
    let lines: Vec<&str> = armored.lines().collect();
    // The third body line: past the header and the key packet's first bytes.
    let body_line = lines.iter().position(|l| l.is_empty()).unwrap() + 3;
    let mut line: Vec<char> = lines[body_line].chars().collect();
    line[10] = if line[10] == 'A' { 'B' } else { 'A' };
    let mut altered: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    altered[body_line] = line.into_iter().collect();
    assert_eq!(
        parse_public_key(&altered.join("\n")),
        Err(PgpError::Checksum)
    );
}

#[test]
fn a_private_key_block_is_refused_with_its_reason() {
    let (key, _) = vendor_key();
    let secret = key.to_armored_string(ArmorOptions::default()).unwrap();
    assert!(secret.contains("PRIVATE KEY BLOCK"));
    let err = parse_public_key(&secret).unwrap_err();
    assert_eq!(err, PgpError::PrivateKey);
    assert!(err.to_string().contains("secret key"));
}

#[test]
fn garbage_is_an_error_with_a_reason() {
    for text in [
        "",
        "hello",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5IGF0IGFsbA==\n-----END PGP PUBLIC KEY BLOCK-----",
        "-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----",
    ] {
        let err = parse_public_key(text).unwrap_err();
        assert!(!err.to_string().is_empty(), "{text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any single-byte damage to a valid armored key yields a key or an error, never a panic.
    #[test]
    fn damaged_armor_never_panics(position in any::<prop::sample::Index>(), byte in 0x20u8..0x7f) {
        let (_, armored) = vendor_key();
        let mut bytes = armored.into_bytes();
        let i = position.index(bytes.len());
        bytes[i] = byte;
        let text = String::from_utf8(bytes).unwrap();
        let _ = parse_public_key(&text);
    }

    #[test]
    fn arbitrary_text_inside_a_block_never_panics(body in "[A-Za-z0-9+/=\n]{0,400}") {
        let text = format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{body}\n-----END PGP PUBLIC KEY BLOCK-----\n");
        let _ = parse_public_key(&text);
    }
}

#[test]
fn the_pipeline_fills_the_fingerprint_of_a_key_record() {
    use spector_model::{EntityKind, PgpKey, Provenance, Record, RecordId};
    let (key, armored) = vendor_key();
    let mut record = Record::PgpKey(PgpKey {
        id: RecordId::new("abyss", EntityKind::PgpKey, "17"),
        market: "abyss".into(),
        account_id: Some(RecordId::new("abyss", EntityKind::Account, "17")),
        armored,
        fingerprint: None,
        parse_error: Some("stale".into()),
        found_in: None,
        provenance: Provenance::default(),
    });
    // What it derives is only the e-mail addresses of its user ids, as contact handles.
    let derived = spector_enrich::enrich_record(&mut record);
    assert!(
        derived.iter().all(|r| matches!(r, Record::ContactHandle(h)
            if h.found_in.as_deref() == Some("pgp_keys.user_id") && h.handle.contains('@'))),
        "{derived:#?}"
    );
    let Record::PgpKey(parsed) = record else {
        unreachable!()
    };
    assert_eq!(parsed.fingerprint, Some(format!("{:X}", key.fingerprint())));
    assert_eq!(parsed.parse_error, None);
}
