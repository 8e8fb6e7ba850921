//! The entities of a seized market. Timestamps are Unix seconds (UTC); money is kept as the source states it
//! (amount + currency) and converted by enrichment, never at ingest.

use crate::{Provenance, RecordId};
use serde::{Deserialize, Serialize};

/// One seized or crawled market. One row per market in a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Market {
    pub id: RecordId,
    pub name: String,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    Vendor,
    Buyer,
    Staff,
}

impl AccountRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountRole::Vendor => "vendor",
            AccountRole::Buyer => "buyer",
            AccountRole::Staff => "staff",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "vendor" => Some(AccountRole::Vendor),
            "buyer" => Some(AccountRole::Buyer),
            "staff" => Some(AccountRole::Staff),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: RecordId,
    pub market: String,
    /// The account name as the market shows it.
    pub name: String,
    pub role: AccountRole,
    pub created_at: Option<i64>,
    /// Free text the account wrote about itself (vendor page, bio).
    pub profile: Option<String>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub id: RecordId,
    pub market: String,
    pub vendor_id: Option<RecordId>,
    pub title: String,
    pub description: Option<String>,
    /// The market's own category label, as written.
    pub category: Option<String>,
    pub price: Option<f64>,
    /// ISO-like currency code as the source states it: USD, EUR, BTC, XMR ...
    pub currency: Option<String>,
    /// Raw ships-from / ships-to text; normalised by enrichment.
    pub ships_from: Option<String>,
    pub ships_to: Option<String>,
    pub created_at: Option<i64>,
    pub provenance: Provenance,
}

/// Order life cycle, common to all markets. Each market's own states map onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Created,
    Paid,
    Accepted,
    Shipped,
    Finalized,
    Disputed,
    Refunded,
    Cancelled,
    Unknown,
}

impl OrderState {
    pub const ALL: [OrderState; 9] = [
        OrderState::Created,
        OrderState::Paid,
        OrderState::Accepted,
        OrderState::Shipped,
        OrderState::Finalized,
        OrderState::Disputed,
        OrderState::Refunded,
        OrderState::Cancelled,
        OrderState::Unknown,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Created => "created",
            OrderState::Paid => "paid",
            OrderState::Accepted => "accepted",
            OrderState::Shipped => "shipped",
            OrderState::Finalized => "finalized",
            OrderState::Disputed => "disputed",
            OrderState::Refunded => "refunded",
            OrderState::Cancelled => "cancelled",
            OrderState::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        OrderState::ALL.into_iter().find(|st| st.as_str() == s)
    }
    /// Whether the money reached (or was committed to) the vendor: the orders that count as sales.
    /// Shipped orders count because on escrow markets they finalize automatically unless disputed.
    pub fn counts_as_sale(self) -> bool {
        matches!(self, OrderState::Shipped | OrderState::Finalized)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: RecordId,
    pub market: String,
    pub listing_id: Option<RecordId>,
    pub buyer_id: Option<RecordId>,
    pub vendor_id: Option<RecordId>,
    pub quantity: Option<f64>,
    /// Amount paid for the whole order, in `currency`.
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub state: OrderState,
    /// The market's own state label, kept for the record.
    pub state_raw: Option<String>,
    pub created_at: Option<i64>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub id: RecordId,
    pub market: String,
    pub order_id: Option<RecordId>,
    pub listing_id: Option<RecordId>,
    pub vendor_id: Option<RecordId>,
    pub buyer_id: Option<RecordId>,
    /// Stars on a 1–5 scale (sources on other scales are rescaled by their profile).
    pub rating: Option<f64>,
    pub comment: Option<String>,
    pub created_at: Option<i64>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: RecordId,
    pub market: String,
    pub sender_id: Option<RecordId>,
    pub recipient_id: Option<RecordId>,
    pub subject: Option<String>,
    pub body: String,
    pub created_at: Option<i64>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PgpKey {
    pub id: RecordId,
    pub market: String,
    pub account_id: Option<RecordId>,
    /// The ASCII-armored block as found.
    pub armored: String,
    /// Upper-case hex v4/v6 fingerprint, filled by enrichment; `None` when the key could not be parsed.
    pub fingerprint: Option<String>,
    /// Why the key could not be parsed, when it could not.
    pub parse_error: Option<String>,
    /// Where the key was found when it was extracted from text ("accounts.profile"); `None` for a key column.
    pub found_in: Option<String>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CryptoAddress {
    pub id: RecordId,
    pub market: String,
    pub account_id: Option<RecordId>,
    pub address: String,
    /// btc, xmr, eth, ltc ...
    pub coin: String,
    /// payout, refund, deposit, bond, mentioned ... as the source or the extractor says.
    pub purpose: Option<String>,
    /// Where the address was found when it was extracted from text ("messages.body"); `None` for a column.
    pub found_in: Option<String>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactHandle {
    pub id: RecordId,
    pub market: String,
    pub account_id: Option<RecordId>,
    /// email, wickr, telegram, signal, session, threema, jabber, icq
    pub kind: String,
    /// Normalised handle (lower-case, no leading @), the value linking compares.
    pub handle: String,
    pub raw: String,
    pub found_in: Option<String>,
    pub provenance: Provenance,
}

/// What a buyer gave for delivery of an order. On most markets it is PGP-encrypted to the vendor's key, so
/// only who, when and to whom is readable; where it is plain text it is an address to act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingInfo {
    pub id: RecordId,
    pub market: String,
    pub order_id: Option<RecordId>,
    pub buyer_id: Option<RecordId>,
    pub vendor_id: Option<RecordId>,
    /// As stored by the market: an armored PGP message or plain text.
    pub text: String,
    /// The text is a PGP message (`-----BEGIN PGP MESSAGE-----`).
    pub encrypted: bool,
    pub provenance: Provenance,
}

/// An image file seized from a market server (a product photo, an avatar), as read from its bytes. Each file
/// is evidence of its own; this record says what the file is and what it shows, in a form linking compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageFile {
    /// `market/image/<path>`.
    pub id: RecordId,
    pub market: String,
    /// The file's path below the directory it was ingested from, `/`-separated (`products/ab12.jpg`); its
    /// name alone for a file ingested by itself. Listings name the file by its name ([`photo_file_key`]).
    pub path: String,
    /// Lower-case hex SHA-256 of the file: the same as its provenance's, kept as a column of its own for SQL.
    pub sha256: String,
    /// `png`, `jpeg`, `gif` or `webp`, told by the file's first bytes; `None` when they are none of these.
    pub format: Option<String>,
    pub width: Option<u64>,
    pub height: Option<u64>,
    /// The perceptual hash of the picture as 16 lower-case hex digits (64 bits); `None` when the file could
    /// not be decoded. Near-identical pictures (resized, re-encoded, slightly cropped) have hashes a few bits
    /// apart.
    pub phash: Option<String>,
    /// Why the file could not be decoded, when it could not.
    pub decode_error: Option<String>,
    pub provenance: Provenance,
}

/// A listing's or an account's reference to a photo, as the dump stores it (a column of the listing, or a
/// row of a table of photos). Joined to [`ImageFile`]s of the same market by [`photo_file_key`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub id: RecordId,
    pub market: String,
    pub listing_id: Option<RecordId>,
    pub account_id: Option<RecordId>,
    /// The reference exactly as stored: `uploads/ab12.jpg`, `/img/ab12.jpg`, `http://x.onion/i/ab12.jpg`.
    pub reference: String,
    pub provenance: Provenance,
}

/// The key by which a photo reference and an image file are matched within one market: the last segment of
/// the path or URL (after the last `/` or `\`), without a query (`?…`) or fragment (`#…`), with `%XX`
/// escapes decoded, in lower case. `uploads/AB12.jpg`, `/img/ab12.jpg`, `http://x.onion/i/ab12.jpg?w=200`
/// and `C:\www\ab12.jpg` all give `ab12.jpg`. `None` when nothing is left (`uploads/`).
///
/// Only the name is compared because dumps store paths relative to whatever the web server's root was, and
/// the seized directory is rarely laid out the same way; upload names are the market's own random or
/// hashed names, unique within the market. Case is ignored because URLs on some servers are.
pub fn photo_file_key(reference: &str) -> Option<String> {
    let end = reference.find(['?', '#']).unwrap_or(reference.len());
    let path = reference[..end].trim();
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let decoded = percent_decode(name);
    let key = decoded.trim().to_lowercase();
    (!key.is_empty()).then_some(key)
}

/// `%XX` escapes decoded where they make valid UTF-8; anything else is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: Option<&u8>| b.and_then(|&b| (b as char).to_digit(16));
    while let Some(&b) = bytes.get(i) {
        match (b, hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Any record of the model, as produced by a profile mapping one source row.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Account(Account),
    Listing(Listing),
    Order(Order),
    Feedback(Feedback),
    Message(Message),
    PgpKey(PgpKey),
    CryptoAddress(CryptoAddress),
    ContactHandle(ContactHandle),
    ShippingInfo(ShippingInfo),
    ImageFile(ImageFile),
    PhotoRef(PhotoRef),
}

impl Record {
    pub fn kind(&self) -> crate::EntityKind {
        use crate::EntityKind as K;
        match self {
            Record::Account(_) => K::Account,
            Record::Listing(_) => K::Listing,
            Record::Order(_) => K::Order,
            Record::Feedback(_) => K::Feedback,
            Record::Message(_) => K::Message,
            Record::PgpKey(_) => K::PgpKey,
            Record::CryptoAddress(_) => K::CryptoAddress,
            Record::ContactHandle(_) => K::ContactHandle,
            Record::ShippingInfo(_) => K::ShippingInfo,
            Record::ImageFile(_) => K::ImageFile,
            Record::PhotoRef(_) => K::PhotoRef,
        }
    }
    pub fn id(&self) -> &RecordId {
        match self {
            Record::Account(r) => &r.id,
            Record::Listing(r) => &r.id,
            Record::Order(r) => &r.id,
            Record::Feedback(r) => &r.id,
            Record::Message(r) => &r.id,
            Record::PgpKey(r) => &r.id,
            Record::CryptoAddress(r) => &r.id,
            Record::ContactHandle(r) => &r.id,
            Record::ShippingInfo(r) => &r.id,
            Record::ImageFile(r) => &r.id,
            Record::PhotoRef(r) => &r.id,
        }
    }
    pub fn provenance(&self) -> &Provenance {
        match self {
            Record::Account(r) => &r.provenance,
            Record::Listing(r) => &r.provenance,
            Record::Order(r) => &r.provenance,
            Record::Feedback(r) => &r.provenance,
            Record::Message(r) => &r.provenance,
            Record::PgpKey(r) => &r.provenance,
            Record::CryptoAddress(r) => &r.provenance,
            Record::ContactHandle(r) => &r.provenance,
            Record::ShippingInfo(r) => &r.provenance,
            Record::ImageFile(r) => &r.provenance,
            Record::PhotoRef(r) => &r.provenance,
        }
    }
}

/// A persona: accounts judged to be one seller, with the evidence that joined them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaMember {
    pub persona_id: String,
    pub account_id: RecordId,
}

/// How far one linking rule can be trusted, as the run that applied it estimated it: what a report cites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRuleRate {
    /// The rule as `link_evidence.rule` names it.
    pub rule: String,
    /// Links the rule proposed in that run.
    pub links: u64,
    /// The match probability at or above which the rule links (soft evidence only).
    pub threshold: Option<f64>,
    pub expected_precision: Option<f64>,
    pub expected_recall: Option<f64>,
    /// How the figures were obtained, in words: they are estimates, and a reader must know of what.
    pub basis: String,
}

/// One level of one comparison of the soft-evidence model a link run used: the weights every soft link's
/// evidence refers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkModelLevel {
    pub comparison: String,
    pub level: u64,
    pub level_name: String,
    /// Probability of the level among pairs of one seller's accounts.
    pub m: f64,
    /// Probability of the level among random pairs of sellers' accounts.
    pub u: f64,
    /// log2(m / u): what the level adds to a pair's match weight.
    pub weight_bits: f64,
}

/// One piece of evidence joining two accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkEvidence {
    pub account_a: RecordId,
    pub account_b: RecordId,
    /// pgp_fingerprint, payout_address, contact_handle ...
    pub rule: String,
    /// The shared value (fingerprint, address, handle).
    pub value: String,
    /// Match probability the rule carries (1.0 for hard identifiers).
    pub score: f64,
}

/// Evidence that would have joined two accounts, refused because an analyst judged them different sellers.
/// Kept so that a persona's story includes what was set against it, and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusedLink {
    pub evidence: LinkEvidence,
    /// The judgement that kept the accounts apart.
    pub judgement: crate::JudgementId,
}

#[cfg(test)]
mod tests {
    use super::photo_file_key;

    #[test]
    fn photo_references_and_files_meet_on_their_name() {
        for reference in [
            "uploads/ab12.jpg",
            "/img/AB12.JPG",
            "http://market.onion/i/ab12.jpg?w=200#top",
            "C:\\www\\uploads\\ab12.jpg",
            " products/ab%31%32.jpg ",
            "ab12.jpg",
        ] {
            assert_eq!(
                photo_file_key(reference).as_deref(),
                Some("ab12.jpg"),
                "{reference}"
            );
        }
        assert_eq!(photo_file_key("uploads/"), None);
        assert_eq!(photo_file_key(""), None);
        assert_eq!(photo_file_key("?w=1"), None);
        // An escape that is not UTF-8 stays as written rather than becoming replacement characters.
        assert_eq!(photo_file_key("a%ff.jpg").as_deref(), Some("a%ff.jpg"));
        assert_eq!(photo_file_key("100%.jpg").as_deref(), Some("100%.jpg"));
    }
}
