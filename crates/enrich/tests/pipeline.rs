//! `enrich_record` on model records as the ingest pipeline hands them over.

use spector_enrich::{enrich_record, enrichment_version};
use spector_model::{
    Account, AccountRole, ContactHandle, CryptoAddress, EntityKind, Listing, Message, PgpKey,
    Provenance, Record, RecordId,
};

const ESCROW: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
const PAYOUT: &str = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
const SESSION: &str = "05a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

fn provenance(table: &str, row: u64) -> Provenance {
    Provenance {
        src_sha256: "ab".repeat(32).into(),
        src_table: table.into(),
        src_row: row,
        src_offset: 1000 + row,
        src_len: 80,
    }
}

fn account(profile: Option<&str>) -> Record {
    Record::Account(Account {
        id: RecordId::new("tortuga", EntityKind::Account, "vendor42"),
        market: "tortuga".into(),
        name: "vendor42".into(),
        role: AccountRole::Vendor,
        created_at: None,
        profile: profile.map(String::from),
        provenance: provenance("vendors.csv", 7),
    })
}

fn addresses(records: &[Record]) -> Vec<&CryptoAddress> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::CryptoAddress(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn handles(records: &[Record]) -> Vec<&ContactHandle> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::ContactHandle(h) => Some(h),
            _ => None,
        })
        .collect()
}

#[test]
fn a_profile_yields_one_record_per_occurrence_with_the_parents_provenance() {
    let profile = format!(
        "Pay only through escrow: {ESCROW}\nwickr: ghost_rx | telegram: @Ghost_RX\n\
         session: {SESSION}\nbackup escrow {ESCROW}"
    );
    let mut record = account(Some(&profile));
    let before = record.clone();
    let derived = enrich_record(&mut record);
    assert_eq!(record, before, "an account itself is not changed");

    let found = addresses(&derived);
    assert_eq!(found.len(), 2, "the same address twice is two occurrences");
    let ids: Vec<&str> = found.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "tortuga/addr/vendor42:profile:0",
            "tortuga/addr/vendor42:profile:1"
        ]
    );
    for a in &found {
        assert_eq!(a.address, ESCROW);
        assert_eq!(a.coin, "btc");
        assert_eq!(a.purpose.as_deref(), Some("mentioned"));
        assert_eq!(a.found_in.as_deref(), Some("accounts.profile"));
        assert_eq!(
            a.account_id.as_ref().map(RecordId::as_str),
            Some("tortuga/account/vendor42")
        );
        assert_eq!(a.market, "tortuga");
        assert_eq!(&a.provenance, before.provenance());
    }

    let found = handles(&derived);
    let summary: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|h| (h.id.as_str(), h.kind.as_str(), h.handle.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("tortuga/handle/vendor42:profile:0", "wickr", "ghost_rx"),
            ("tortuga/handle/vendor42:profile:1", "telegram", "ghost_rx"),
            ("tortuga/handle/vendor42:profile:2", "session", SESSION),
        ]
    );
    assert_eq!(found[1].raw, "telegram: @Ghost_RX");
    assert!(
        found
            .iter()
            .all(|h| h.found_in.as_deref() == Some("accounts.profile"))
    );
}

#[test]
fn re_running_yields_the_same_records() {
    let profile = format!("escrow {ESCROW} wickr: abcde");
    let first = enrich_record(&mut account(Some(&profile)));
    let second = enrich_record(&mut account(Some(&profile)));
    assert_eq!(first, second);
    assert_eq!(first.len(), 2);
}

#[test]
fn message_bodies_belong_to_the_sender() {
    let sender = RecordId::new("abyss", EntityKind::Account, "17");
    let mut record = Record::Message(Message {
        id: RecordId::new("abyss", EntityKind::Message, "9001"),
        market: "abyss".into(),
        sender_id: Some(sender.clone()),
        recipient_id: Some(RecordId::new("abyss", EntityKind::Account, "18")),
        subject: Some(format!("not scanned: {PAYOUT}")),
        body: format!("new payout {PAYOUT}, or mail me: Ghost@Tutanota.de"),
        created_at: Some(1_600_000_000),
        provenance: provenance("messages", 3),
    });
    let derived = enrich_record(&mut record);
    let a = addresses(&derived);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].id.as_str(), "abyss/addr/9001:body:0");
    assert_eq!(a[0].account_id.as_ref(), Some(&sender));
    assert_eq!(a[0].found_in.as_deref(), Some("messages.body"));
    let h = handles(&derived);
    assert_eq!(h.len(), 1);
    assert_eq!(
        (h[0].kind.as_str(), h[0].handle.as_str()),
        ("email", "ghost@tutanota.de")
    );
    assert_eq!(h[0].id.as_str(), "abyss/handle/9001:body:0");
}

#[test]
fn listing_descriptions_belong_to_the_vendor() {
    let vendor = RecordId::new("cerberus", EntityKind::Account, "5");
    let listing = |description: Option<String>| {
        Record::Listing(Listing {
            id: RecordId::new("cerberus", EntityKind::Listing, "uuid-1"),
            market: "cerberus".into(),
            vendor_id: Some(vendor.clone()),
            title: format!("title is not scanned {ESCROW}"),
            description,
            category: None,
            price: Some(10.0),
            currency: Some("USD".into()),
            ships_from: None,
            ships_to: None,
            created_at: None,
            provenance: provenance("products", 1),
        })
    };
    let derived = enrich_record(&mut listing(Some("Bulk? tg: @bulkdeals".into())));
    let h = handles(&derived);
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].account_id.as_ref(), Some(&vendor));
    assert_eq!(h[0].found_in.as_deref(), Some("listings.description"));
    assert_eq!(h[0].id.as_str(), "cerberus/handle/uuid-1:description:0");
    assert!(enrich_record(&mut listing(None)).is_empty());
}

#[test]
fn pgp_keys_get_a_fingerprint_or_a_reason() {
    let key = |armored: &str| PgpKey {
        id: RecordId::new("abyss", EntityKind::PgpKey, "17"),
        market: "abyss".into(),
        account_id: Some(RecordId::new("abyss", EntityKind::Account, "17")),
        armored: armored.into(),
        fingerprint: Some("STALE".into()),
        parse_error: None,
        found_in: None,
        provenance: provenance("users", 17),
    };
    let mut record = Record::PgpKey(key("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ"));
    assert!(enrich_record(&mut record).is_empty());
    let Record::PgpKey(parsed) = record else {
        unreachable!()
    };
    assert_eq!(parsed.fingerprint, None, "a stale fingerprint is cleared");
    assert_eq!(
        parsed.parse_error.as_deref(),
        Some("truncated: no '-----END PGP PUBLIC KEY BLOCK-----' line")
    );
}

#[test]
fn records_without_free_text_yield_nothing() {
    assert!(enrich_record(&mut account(None)).is_empty());
    assert!(
        enrich_record(&mut account(Some(
            "just a nice vendor, email me via the market"
        )))
        .is_empty()
    );
    assert!(!enrichment_version().is_empty());
}

#[test]
fn a_key_pasted_into_a_message_becomes_a_key_of_the_sender_and_a_broken_one_keeps_its_reason() {
    let key = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/keys/rsa2048.asc"),
    )
    .unwrap();
    // The fingerprint gpg printed for this key (tests/data/keys/rsa2048.gpg-colons).
    let fingerprint = "590690BFF7294B9F037E35C3FB5E217749EB45B4";
    let cut = &key[..key.len() / 2];
    let sender = RecordId::new("abyss", EntityKind::Account, "17");
    let mut record = Record::Message(Message {
        id: RecordId::new("abyss", EntityKind::Message, "77"),
        market: "abyss".into(),
        sender_id: Some(sender.clone()),
        recipient_id: None,
        subject: None,
        body: format!("my key, encrypt your address:\n{key}\nold one, ignore:\n{cut}\n"),
        created_at: None,
        provenance: provenance("messages", 5),
    });
    let derived = enrich_record(&mut record);
    let keys: Vec<&PgpKey> = derived
        .iter()
        .filter_map(|r| match r {
            Record::PgpKey(k) => Some(k),
            _ => None,
        })
        .collect();
    assert_eq!(keys.len(), 2, "{keys:#?}");
    assert_eq!(keys[0].id.as_str(), "abyss/pgp/77:body:0");
    assert_eq!(keys[0].fingerprint.as_deref(), Some(fingerprint));
    assert_eq!(keys[0].account_id.as_ref(), Some(&sender));
    assert_eq!(keys[0].found_in.as_deref(), Some("messages.body"));
    assert!(
        keys[0]
            .armored
            .starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    );
    assert!(keys[1].fingerprint.is_none());
    assert!(
        keys[1]
            .parse_error
            .as_deref()
            .is_some_and(|e| !e.is_empty()),
        "{:?}",
        keys[1].parse_error
    );
}

#[test]
fn an_email_in_a_keys_user_id_becomes_a_contact_handle_of_the_keys_account() {
    let armored = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/keys/rsa2048.asc"),
    )
    .unwrap();
    let owner = RecordId::new("abyss", EntityKind::Account, "17");
    let mut record = Record::PgpKey(PgpKey {
        id: RecordId::new("abyss", EntityKind::PgpKey, "9"),
        market: "abyss".into(),
        account_id: Some(owner.clone()),
        armored,
        fingerprint: None,
        parse_error: None,
        found_in: None,
        provenance: provenance("pgp_keys", 9),
    });
    let derived = enrich_record(&mut record);
    // gpg lists the user id as "Rsa Vendor <rsa.vendor@example.org>" (tests/data/keys/rsa2048.gpg-colons).
    let handles: Vec<&ContactHandle> = derived
        .iter()
        .filter_map(|r| match r {
            Record::ContactHandle(h) => Some(h),
            _ => None,
        })
        .collect();
    assert_eq!(handles.len(), 1, "{derived:#?}");
    let h = handles[0];
    assert_eq!(
        (h.kind.as_str(), h.handle.as_str()),
        ("email", "rsa.vendor@example.org")
    );
    assert_eq!(h.account_id.as_ref(), Some(&owner));
    assert_eq!(h.found_in.as_deref(), Some("pgp_keys.user_id"));
    assert!(h.id.as_str().ends_with("9:user_id:0"), "{}", h.id);
    // A key that does not parse derives nothing.
    let Record::PgpKey(key) = &mut record else {
        unreachable!()
    };
    key.armored.truncate(key.armored.len() / 2);
    assert!(enrich_record(&mut record).is_empty());
}
