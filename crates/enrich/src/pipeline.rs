//! Enrichment of one record as the ingest pipeline sees it, before storage.

use spector_model::{
    ContactHandle, CryptoAddress, EntityKind, PgpKey, Provenance, Record, RecordId,
};

use crate::addresses::find_crypto_addresses;
use crate::handles::find_contact_handles;
use crate::pgp::{find_public_keys, parse_public_key};

/// Bump when a rule changes what enrichment produces, so stored results can be told apart. enrich-4: e-mail
/// addresses in PGP user ids become contact handles.
pub fn enrichment_version() -> &'static str {
    "enrich-4"
}

/// Fills what enrichment knows about `record` itself (PGP key facts) and returns the records derived
/// from its free text: one `CryptoAddress`, `ContactHandle` and `PgpKey` per occurrence in
/// `accounts.profile`, `messages.body` and `listings.description`, and one `ContactHandle` (an e-mail)
/// per address in a key's user ids (`pgp_keys.user_id`).
///
/// Derived ids are `<market>/<kind>/<parent native key>:<field>:<ordinal>`, the ordinal counting
/// occurrences of that kind in that field, so re-running on the same record yields the same ids.
pub fn enrich_record(record: &mut Record) -> Vec<Record> {
    match record {
        Record::PgpKey(key) => match parse_public_key(&key.armored) {
            Ok(info) => {
                key.fingerprint = Some(info.fingerprint);
                key.parse_error = None;
                // An e-mail address in the key's user ids is the owner's contact, like one in a profile:
                // a hard identifier (the guard still sets aside one that many accounts' keys carry).
                let source = FreeText {
                    text: None,
                    market: &key.market,
                    parent: &key.id,
                    field: "user_id",
                    found_in: "pgp_keys.user_id",
                    account_id: key.account_id.as_ref(),
                    provenance: &key.provenance,
                };
                info.emails
                    .into_iter()
                    .enumerate()
                    .map(|(ordinal, email)| {
                        Record::ContactHandle(ContactHandle {
                            id: source.derived_id(EntityKind::ContactHandle, ordinal),
                            market: source.market.to_string(),
                            account_id: source.account_id.cloned(),
                            kind: "email".to_string(),
                            handle: email.clone(),
                            raw: email,
                            found_in: Some(source.found_in.to_string()),
                            provenance: source.provenance.clone(),
                        })
                    })
                    .collect()
            }
            Err(err) => {
                key.fingerprint = None;
                key.parse_error = Some(err.to_string());
                Vec::new()
            }
        },
        Record::Account(account) => derive(&FreeText {
            text: account.profile.as_deref(),
            market: &account.market,
            parent: &account.id,
            field: "profile",
            found_in: "accounts.profile",
            account_id: Some(&account.id),
            provenance: &account.provenance,
        }),
        Record::Message(message) => derive(&FreeText {
            text: Some(&message.body),
            market: &message.market,
            parent: &message.id,
            field: "body",
            found_in: "messages.body",
            account_id: message.sender_id.as_ref(),
            provenance: &message.provenance,
        }),
        Record::Listing(listing) => derive(&FreeText {
            text: listing.description.as_deref(),
            market: &listing.market,
            parent: &listing.id,
            field: "description",
            found_in: "listings.description",
            account_id: listing.vendor_id.as_ref(),
            provenance: &listing.provenance,
        }),
        Record::Order(_)
        | Record::Feedback(_)
        | Record::CryptoAddress(_)
        | Record::ContactHandle(_)
        | Record::ShippingInfo(_)
        | Record::ImageFile(_)
        | Record::PhotoRef(_) => Vec::new(),
    }
}

/// A free-text field of a record and what derived records inherit from it.
struct FreeText<'a> {
    text: Option<&'a str>,
    market: &'a str,
    parent: &'a RecordId,
    /// Short field name used in derived ids.
    field: &'a str,
    /// `table.column`, stored in `found_in`.
    found_in: &'a str,
    /// The account the text speaks for: the profile's owner, the sender, the vendor.
    account_id: Option<&'a RecordId>,
    provenance: &'a Provenance,
}

impl FreeText<'_> {
    fn derived_id(&self, kind: EntityKind, ordinal: usize) -> RecordId {
        let native_key = format!("{}:{}:{}", self.parent.native_key(), self.field, ordinal);
        RecordId::new(self.market, kind, &native_key)
    }
}

fn derive(source: &FreeText<'_>) -> Vec<Record> {
    let Some(text) = source.text else {
        return Vec::new();
    };
    let addresses = find_crypto_addresses(text)
        .into_iter()
        .enumerate()
        .map(|(ordinal, found)| {
            Record::CryptoAddress(CryptoAddress {
                id: source.derived_id(EntityKind::CryptoAddress, ordinal),
                market: source.market.to_string(),
                account_id: source.account_id.cloned(),
                address: found.address,
                coin: found.coin.to_string(),
                purpose: Some("mentioned".to_string()),
                found_in: Some(source.found_in.to_string()),
                provenance: source.provenance.clone(),
            })
        });
    let handles = find_contact_handles(text)
        .into_iter()
        .enumerate()
        .map(|(ordinal, found)| {
            Record::ContactHandle(ContactHandle {
                id: source.derived_id(EntityKind::ContactHandle, ordinal),
                market: source.market.to_string(),
                account_id: source.account_id.cloned(),
                kind: found.kind.as_str().to_string(),
                handle: found.handle,
                raw: found.raw,
                found_in: Some(source.found_in.to_string()),
                provenance: source.provenance.clone(),
            })
        });
    // Keys pasted into profiles and messages are how vendors tell buyers to encrypt: they link accounts
    // like a key column does. A key that does not parse is kept with the reason.
    let keys = find_public_keys(text)
        .into_iter()
        .enumerate()
        .map(|(ordinal, found)| {
            let armored = text
                .get(found.start..found.end)
                .unwrap_or_default()
                .to_string();
            let (fingerprint, parse_error) = match found.result {
                Ok(info) => (Some(info.fingerprint), None),
                Err(e) => (None, Some(e.to_string())),
            };
            Record::PgpKey(PgpKey {
                id: source.derived_id(EntityKind::PgpKey, ordinal),
                market: source.market.to_string(),
                account_id: source.account_id.cloned(),
                armored,
                fingerprint,
                parse_error,
                found_in: Some(source.found_in.to_string()),
                provenance: source.provenance.clone(),
            })
        });
    addresses.chain(handles).chain(keys).collect()
}
