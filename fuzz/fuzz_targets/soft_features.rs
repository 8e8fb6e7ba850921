//! Arbitrary seized text through the soft features of persona linking: the input is split at its first
//! two newlines into a seller's name, a listing title and the rest (profile, description, messages), read
//! for two sellers on two markets (the second with its text reversed line by line), and every comparison
//! measured. No panic, and every level names one of its comparison's levels.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_link::soft::{COMPARISONS, NameAffixes, SoftLinkInput, account_features, measure};
use spector_model::{Account, AccountRole, EntityKind, Listing, Provenance, RecordId};

fn seller(market: &str, name: &str, profile: &str) -> Account {
    Account {
        id: RecordId::new(market, EntityKind::Account, name),
        market: market.into(),
        name: name.into(),
        role: AccountRole::Vendor,
        created_at: Some(1_600_000_000),
        profile: Some(profile.into()),
        provenance: Provenance::default(),
    }
}

fn listing(account: &Account, title: &str, description: &str) -> Listing {
    Listing {
        id: RecordId::new(&account.market, EntityKind::Listing, &account.name),
        market: account.market.clone(),
        vendor_id: Some(account.id.clone()),
        title: title.into(),
        description: Some(description.into()),
        category: None,
        price: None,
        currency: None,
        ships_from: None,
        ships_to: None,
        created_at: Some(1_600_003_600),
        provenance: Provenance::default(),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let name = parts.next().unwrap_or("");
    let title = parts.next().unwrap_or("");
    let body = parts.next().unwrap_or("");
    let reversed: String = body.lines().rev().collect::<Vec<_>>().join("\n");
    let accounts = vec![seller("m1", name, body), seller("m2", &name.to_uppercase(), &reversed)];
    let listings = vec![
        listing(&accounts[0], title, body),
        listing(&accounts[1], title, &reversed),
    ];
    let input = SoftLinkInput {
        accounts: &accounts,
        listings: &listings,
        listing_facts: &[],
        messages: &[],
        keys: &[],
        photos: &[],
    };
    let set = account_features(&input, NameAffixes::embedded());
    let (a, b) = (&set.features[0], &set.features[1]);
    for (i, comparison) in COMPARISONS.iter().enumerate() {
        let measured = measure(i, a, b);
        assert!((measured.level as usize) < comparison.levels.len(), "{}", comparison.name);
    }
});
