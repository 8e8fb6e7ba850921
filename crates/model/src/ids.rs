use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of entity an id names; part of every [`RecordId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Market,
    Account,
    Listing,
    Order,
    Feedback,
    Message,
    PgpKey,
    CryptoAddress,
    ContactHandle,
    ShippingInfo,
    ImageFile,
    PhotoRef,
}

impl EntityKind {
    pub const ALL: [EntityKind; 12] = [
        EntityKind::Market,
        EntityKind::Account,
        EntityKind::Listing,
        EntityKind::Order,
        EntityKind::Feedback,
        EntityKind::Message,
        EntityKind::PgpKey,
        EntityKind::CryptoAddress,
        EntityKind::ContactHandle,
        EntityKind::ShippingInfo,
        EntityKind::ImageFile,
        EntityKind::PhotoRef,
    ];

    /// Short tag used inside ids.
    pub fn tag(self) -> &'static str {
        match self {
            EntityKind::Market => "market",
            EntityKind::Account => "account",
            EntityKind::Listing => "listing",
            EntityKind::Order => "order",
            EntityKind::Feedback => "feedback",
            EntityKind::Message => "message",
            EntityKind::PgpKey => "pgp",
            EntityKind::CryptoAddress => "addr",
            EntityKind::ContactHandle => "handle",
            EntityKind::ShippingInfo => "shipping",
            EntityKind::ImageFile => "image",
            EntityKind::PhotoRef => "photo",
        }
    }

    /// The table name an analyst would guess in SQL.
    pub fn table(self) -> &'static str {
        match self {
            EntityKind::Market => "markets",
            EntityKind::Account => "accounts",
            EntityKind::Listing => "listings",
            EntityKind::Order => "orders",
            EntityKind::Feedback => "feedback",
            EntityKind::Message => "messages",
            EntityKind::PgpKey => "pgp_keys",
            EntityKind::CryptoAddress => "crypto_addresses",
            EntityKind::ContactHandle => "contact_handles",
            EntityKind::ShippingInfo => "shipping_info",
            EntityKind::ImageFile => "images",
            EntityKind::PhotoRef => "photo_refs",
        }
    }
}

/// A stable record id: `market/kind/native-key`.
///
/// The native key is the market's own key for the row (its primary key, or for scraped pages the natural key
/// such as the vendor name). Deriving ids from it, rather than numbering rows as they arrive, is what makes
/// re-ingesting a source yield the same ids, and lets a row in one table refer to a row of another table
/// (an order to its vendor) before or without the other row being read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(String);

impl RecordId {
    pub fn new(market: &str, kind: EntityKind, native_key: &str) -> Self {
        let mut s = String::with_capacity(market.len() + native_key.len() + 10);
        s.push_str(market);
        s.push('/');
        s.push_str(kind.tag());
        s.push('/');
        s.push_str(native_key);
        RecordId(s)
    }

    /// Makes this id the one [`RecordId::new`] would, in the memory it already has: the ingest fills the
    /// records of one row after another in place, where an allocation and a free per id cost a tenth of
    /// its busiest thread.
    pub fn assign(&mut self, market: &str, kind: EntityKind, native_key: &str) {
        let s = &mut self.0;
        s.clear();
        s.push_str(market);
        s.push('/');
        s.push_str(kind.tag());
        s.push('/');
        s.push_str(native_key);
    }

    /// Wraps an id string read back from storage.
    pub fn from_stored(s: impl Into<String>) -> Self {
        RecordId(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The market part of the id.
    pub fn market(&self) -> &str {
        // A byte search rather than `split`: the store asks this of every record it keeps.
        match self.0.bytes().position(|b| b == b'/') {
            Some(end) => &self.0[..end],
            None => &self.0,
        }
    }

    /// The market's own key: everything after `market/kind/`.
    pub fn native_key(&self) -> &str {
        self.0.splitn(3, '/').nth(2).unwrap_or("")
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RecordId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_derived_from_market_kind_and_native_key() {
        let id = RecordId::new("abyss", EntityKind::Account, "42");
        assert_eq!(id.as_str(), "abyss/account/42");
        assert_eq!(id.market(), "abyss");
        assert_eq!(id.native_key(), "42");
        assert_eq!(id, RecordId::new("abyss", EntityKind::Account, "42"));
        assert_ne!(id, RecordId::new("abyss", EntityKind::Listing, "42"));
    }

    #[test]
    fn an_assigned_id_is_the_new_one_whatever_it_held() {
        let mut id = RecordId::new(
            "a-much-longer-market-name",
            EntityKind::Listing,
            "123456789",
        );
        id.assign("abyss", EntityKind::Account, "42");
        assert_eq!(id, RecordId::new("abyss", EntityKind::Account, "42"));
        let mut blank = RecordId::from_stored("");
        blank.assign("agora", EntityKind::Order, "a/b");
        assert_eq!(blank, RecordId::new("agora", EntityKind::Order, "a/b"));
        assert_eq!(blank.native_key(), "a/b");
    }

    #[test]
    fn every_kind_is_in_all_at_its_own_number() {
        // Tables of counts are indexed by `kind as usize` over `ALL.len()` entries.
        for (i, kind) in EntityKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind:?}");
        }
        assert_eq!(EntityKind::PhotoRef as usize + 1, EntityKind::ALL.len());
    }

    #[test]
    fn native_keys_may_contain_slashes() {
        let id = RecordId::new("agora", EntityKind::Account, "a/b");
        assert_eq!(id.native_key(), "a/b");
        assert_eq!(id.market(), "agora");
    }

    #[test]
    fn an_id_without_a_slash_is_all_market() {
        for s in ["", "abyss", "/", "é/x"] {
            let id = RecordId::from_stored(s);
            assert_eq!(id.market(), s.split('/').next().unwrap(), "{s:?}");
        }
    }
}
