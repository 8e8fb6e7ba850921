//! Applies a [`Profile`] to a stream of [`SourceRow`]s, producing model records.

use std::collections::HashMap;

use spector_model::{
    Account, AccountRole, ContactHandle, CryptoAddress, EntityKind, Feedback, Listing, Message,
    Order, OrderState, PgpKey, Provenance, Record, RecordId, ShippingInfo,
};

use crate::encoding::{DecodingStats, SourceEncodings, TextDecoder};
use crate::profile::{EntityMap, FieldRule, FieldSpec, ParseRule, Profile, TargetKind};
use crate::{SourceRow, Value};

/// Why one row could not be mapped. The row is rejected (quarantined); the rest of the source goes on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("table {table}, row {row}: {message}")]
pub struct MapError {
    pub table: String,
    pub row: u64,
    pub message: String,
}

pub struct Mapper<'p> {
    profile: &'p Profile,
    market: String,
    source_sha256: String,
    lookups: HashMap<&'p str, HashMap<String, String>>,
    decoder: TextDecoder,
}

impl<'p> Mapper<'p> {
    pub fn new(profile: &'p Profile, market: &str, source_sha256: &str) -> Self {
        Mapper {
            profile,
            market: market.to_string(),
            source_sha256: source_sha256.to_string(),
            lookups: HashMap::new(),
            decoder: TextDecoder::new(profile.encoding, profile.repair_mojibake),
        }
    }

    /// Decodes text that is not UTF-8 by what the source declares and what a scan of it suggests
    /// ([`crate::detect::scan_source`]); without it, by the profile's `encoding`, else a guess per value.
    pub fn with_encodings(mut self, encodings: SourceEncodings) -> Self {
        self.decoder = self.decoder.with_source(encodings);
        self
    }

    /// How the field values read so far were turned into text.
    pub fn decoding_stats(&self) -> DecodingStats {
        self.decoder.stats()
    }

    /// Maps one row to the records it feeds (none for a table the profile does not read).
    pub fn map_row(&mut self, row: &SourceRow) -> Result<Vec<Record>, MapError> {
        self.remember_lookups(row);
        let mut out = Vec::new();
        for entity in self
            .profile
            .entities
            .iter()
            .filter(|e| *e.table == *row.table)
        {
            if entity
                .require
                .iter()
                .any(|c| matches!(row.get(c), None | Some(Value::Null)) || is_empty(row.get(c)))
            {
                continue;
            }
            let ctx = RowContext {
                mapper: self,
                row,
                entity,
            };
            out.push(ctx.record().map_err(|message| MapError {
                table: row.table.to_string(),
                row: row.row,
                message,
            })?);
        }
        Ok(out)
    }

    fn remember_lookups(&mut self, row: &SourceRow) {
        for l in self
            .profile
            .lookups
            .iter()
            .filter(|l| *l.table == *row.table)
        {
            let text = |col: &str| {
                row.get(col)
                    .and_then(|v| self.decoder.text(&row.table, col, v))
            };
            let (Some(k), Some(v)) = (text(&l.key), text(&l.value)) else {
                continue;
            };
            self.lookups
                .entry(l.name.as_str())
                .or_default()
                .insert(k.into_owned(), v.into_owned());
        }
    }
}

fn is_empty(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Text(s)) if s.trim().is_empty())
}

struct RowContext<'a, 'p> {
    mapper: &'a Mapper<'p>,
    row: &'a SourceRow,
    entity: &'a EntityMap,
}

type FieldResult<T> = Result<T, String>;

impl RowContext<'_, '_> {
    fn market(&self) -> &str {
        &self.mapper.market
    }

    fn provenance(&self) -> Provenance {
        Provenance {
            src_sha256: self.mapper.source_sha256.clone(),
            src_table: self.row.table.to_string(),
            src_row: self.row.row,
            src_offset: self.row.offset,
            src_len: self.row.len,
        }
    }

    /// The field's value as text after lookup, mapping and case rules; `None` when absent, NULL or empty.
    fn text(&self, field: &str) -> FieldResult<Option<String>> {
        let Some(spec) = self.entity.fields.get(field) else {
            return Ok(None);
        };
        let default_rule = FieldRule::default();
        let (column, rule) = match spec {
            FieldSpec::Column(c) => (Some(c.as_str()), &default_rule),
            FieldSpec::Rule(r) => (r.column.as_deref(), r),
        };
        let raw: Option<String> = match (column, &rule.constant) {
            (_, Some(c)) => Some(c.clone()),
            (Some(col), None) => match self.row.get(col) {
                // A JSON object without the key: the field is unknown for this row.
                None if self.row.sparse => None,
                None => {
                    return Err(format!(
                        "column {col:?} (for {field}) is not in table {} (columns: {})",
                        self.row.table,
                        self.row.columns.join(", ")
                    ));
                }
                Some(v) => self.value_text(col, v),
            },
            (None, None) => None,
        };
        let Some(mut value) = raw.filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        if let Some(via) = &rule.via {
            match self
                .mapper
                .lookups
                .get(via.as_str())
                .and_then(|m| m.get(&value))
            {
                Some(v) => value = v.clone(),
                // A dangling reference (an order whose offer was deleted) leaves the field unknown; the
                // record itself is still evidence.
                None => return Ok(None),
            }
        }
        if !rule.map.is_empty() {
            value = match (rule.map.get(&value), &rule.default) {
                (Some(v), _) => v.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) => {
                    return Err(format!(
                        "{field}: value {value:?} is not one the profile knows ({})",
                        rule.map.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
            };
        }
        if rule.lowercase {
            value = value.to_lowercase();
        }
        Ok(Some(value))
    }

    fn rule(&self, field: &str) -> Option<&FieldRule> {
        match self.entity.fields.get(field) {
            Some(FieldSpec::Rule(r)) => Some(r),
            _ => None,
        }
    }

    fn required_text(&self, field: &str) -> FieldResult<String> {
        self.text(field)?
            .ok_or_else(|| format!("{field} is empty or NULL"))
    }

    fn number(&self, field: &str) -> FieldResult<Option<f64>> {
        let Some(s) = self.text(field)? else {
            return Ok(None);
        };
        let n: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("{field}: {s:?} is not a number"))?;
        if !n.is_finite() {
            return Err(format!("{field}: {s:?} is not a finite number"));
        }
        Ok(Some(
            n * self.rule(field).and_then(|r| r.scale).unwrap_or(1.0),
        ))
    }

    fn time(&self, field: &str) -> FieldResult<Option<i64>> {
        let Some(s) = self.text(field)? else {
            return Ok(None);
        };
        if let Some(r) = self.rule(field)
            && r.parse == Some(ParseRule::Number)
        {
            return Err(format!(
                "{field}: a time field cannot use parse = \"number\""
            ));
        }
        parse_time(&s).map_err(|why| format!("{field}: {why}"))
    }

    fn reference(&self, field: &str, kind: EntityKind) -> FieldResult<Option<RecordId>> {
        Ok(self
            .text(field)?
            .map(|key| RecordId::new(self.market(), kind, &key)))
    }

    fn id(&self, kind: EntityKind) -> FieldResult<RecordId> {
        Ok(RecordId::new(
            self.market(),
            kind,
            &self.required_text("native_key")?,
        ))
    }

    fn record(&self) -> FieldResult<Record> {
        let market = self.market().to_string();
        let provenance = self.provenance();
        Ok(match self.entity.kind {
            TargetKind::Account => {
                let role = match self.text("role")? {
                    None => AccountRole::Buyer,
                    Some(r) => AccountRole::parse(&r).ok_or_else(|| {
                        format!("role: {r:?} is not vendor, buyer or staff (map it in the profile)")
                    })?,
                };
                Record::Account(Account {
                    id: self.id(EntityKind::Account)?,
                    market,
                    name: self.required_text("name")?,
                    role,
                    created_at: self.time("created_at")?,
                    profile: self.text("profile")?,
                    provenance,
                })
            }
            TargetKind::Listing => Record::Listing(Listing {
                id: self.id(EntityKind::Listing)?,
                market,
                vendor_id: self.reference("vendor", EntityKind::Account)?,
                title: self.required_text("title")?,
                description: self.text("description")?,
                category: self.text("category")?,
                price: self.number("price")?,
                currency: self.text("currency")?,
                ships_from: self.text("ships_from")?,
                ships_to: self.text("ships_to")?,
                created_at: self.time("created_at")?,
                provenance,
            }),
            TargetKind::Order => {
                let state_raw = self.raw_text("state");
                let state = match self.text("state")? {
                    None => OrderState::Unknown,
                    Some(s) => OrderState::parse(&s).ok_or_else(|| {
                        format!("state: {s:?} is not a model order state (map it in the profile)")
                    })?,
                };
                Record::Order(Order {
                    id: self.id(EntityKind::Order)?,
                    market,
                    listing_id: self.reference("listing", EntityKind::Listing)?,
                    buyer_id: self.reference("buyer", EntityKind::Account)?,
                    vendor_id: self.reference("vendor", EntityKind::Account)?,
                    quantity: self.number("quantity")?,
                    amount: self.number("amount")?,
                    currency: self.text("currency")?,
                    state,
                    state_raw,
                    created_at: self.time("created_at")?,
                    provenance,
                })
            }
            TargetKind::Feedback => {
                let rating = self.number("rating")?;
                if let Some(r) = rating
                    && !(0.0..=5.0).contains(&r)
                {
                    return Err(format!(
                        "rating: {r} is outside 0–5 stars (scale it in the profile)"
                    ));
                }
                Record::Feedback(Feedback {
                    id: self.id(EntityKind::Feedback)?,
                    market,
                    order_id: self.reference("order", EntityKind::Order)?,
                    listing_id: self.reference("listing", EntityKind::Listing)?,
                    vendor_id: self.reference("vendor", EntityKind::Account)?,
                    buyer_id: self.reference("buyer", EntityKind::Account)?,
                    rating,
                    comment: self.text("comment")?,
                    created_at: self.time("created_at")?,
                    provenance,
                })
            }
            TargetKind::Message => Record::Message(Message {
                id: self.id(EntityKind::Message)?,
                market,
                sender_id: self.reference("sender", EntityKind::Account)?,
                recipient_id: self.reference("recipient", EntityKind::Account)?,
                subject: self.text("subject")?,
                body: self.text("body")?.unwrap_or_default(),
                created_at: self.time("created_at")?,
                provenance,
            }),
            TargetKind::PgpKey => Record::PgpKey(PgpKey {
                id: self.id(EntityKind::PgpKey)?,
                market,
                account_id: self.reference("account", EntityKind::Account)?,
                armored: self.required_text("armored")?,
                fingerprint: None,
                parse_error: None,
                found_in: None,
                provenance,
            }),
            TargetKind::CryptoAddress => Record::CryptoAddress(CryptoAddress {
                id: self.id(EntityKind::CryptoAddress)?,
                market,
                account_id: self.reference("account", EntityKind::Account)?,
                address: self.required_text("address")?.trim().to_string(),
                coin: self.required_text("coin")?.to_lowercase(),
                purpose: self.text("purpose")?,
                found_in: None,
                provenance,
            }),
            TargetKind::ContactHandle => {
                let raw = self.required_text("handle")?;
                Record::ContactHandle(ContactHandle {
                    id: self.id(EntityKind::ContactHandle)?,
                    market,
                    account_id: self.reference("account", EntityKind::Account)?,
                    kind: self.required_text("kind")?.to_lowercase(),
                    handle: raw.trim().trim_start_matches('@').to_lowercase(),
                    raw,
                    found_in: None,
                    provenance,
                })
            }
            TargetKind::ShippingInfo => {
                let text = self.required_text("text")?;
                Record::ShippingInfo(ShippingInfo {
                    id: self.id(EntityKind::ShippingInfo)?,
                    market,
                    order_id: self.reference("order", EntityKind::Order)?,
                    buyer_id: self.reference("buyer", EntityKind::Account)?,
                    vendor_id: self.reference("vendor", EntityKind::Account)?,
                    encrypted: text.contains("-----BEGIN PGP MESSAGE-----"),
                    text,
                    provenance,
                })
            }
        })
    }

    /// The source's own text for a field, before mapping (kept for the record, e.g. a market's order state).
    fn raw_text(&self, field: &str) -> Option<String> {
        let col = self.entity.fields.get(field)?.column()?;
        self.value_text(col, self.row.get(col)?)
    }

    /// A value as text, decoded by the policy of [`crate::encoding`].
    fn value_text(&self, column: &str, v: &Value) -> Option<String> {
        self.mapper
            .decoder
            .text(&self.row.table, column, v)
            .map(|s| s.into_owned())
    }
}

/// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` exactly, as Unix seconds (UTC); `None` for anything else, which
/// the general parser then reads (or refuses) as before.
fn sql_datetime(b: &[u8]) -> Option<i64> {
    fn digits(b: &[u8]) -> Option<u32> {
        b.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    }
    let (date, time) = match b.len() {
        10 => (b, None),
        19 if b[10] == b' ' || b[10] == b'T' => (&b[..10], Some(&b[11..])),
        _ => return None,
    };
    if date[4] != b'-' || date[7] != b'-' {
        return None;
    }
    let day = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(digits(&date[..4])?).ok()?,
        digits(&date[5..7])?,
        digits(&date[8..10])?,
    )?;
    let seconds = match time {
        None => 0,
        Some(t) => {
            if t[2] != b':' || t[5] != b':' {
                return None;
            }
            let (h, m, s) = (digits(&t[..2])?, digits(&t[3..5])?, digits(&t[6..8])?);
            // A leap second (`:60`) has the timestamp of `:59`, as chrono has it.
            if h > 23 || m > 59 || s > 60 {
                return None;
            }
            i64::from(h * 3600 + m * 60 + s.min(59))
        }
    };
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp() + seconds)
}

/// Reads a timestamp as sources write them: Unix seconds (or milliseconds), SQL `YYYY-MM-DD HH:MM:SS[.f][+TZ]`,
/// ISO 8601 / RFC 3339, or a bare date (midnight UTC). Times without a zone are taken as UTC, which is how
/// market software stores them. MySQL's zero date means "no date".
pub fn parse_time(s: &str) -> Result<Option<i64>, String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let s = s.trim();
    if s.starts_with("0000-00-00") {
        return Ok(None);
    }
    // The form market databases write millions of times (`2020-05-01 13:02:11`), read without chrono's
    // format interpreter, which is most of the cost of an order row otherwise.
    if let Some(t) = sql_datetime(s.as_bytes()) {
        return Ok(Some(t));
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().map_err(|_| format!("{s:?} is out of range"))?;
        // 13 digits is milliseconds (JavaScript timestamps in scraped JSON).
        return Ok(Some(if s.len() >= 13 { n / 1000 } else { n }));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.timestamp()));
    }
    for f in ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%#z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Ok(Some(t.timestamp()));
        }
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(Some(t.and_utc().timestamp()));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Some(
            d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
        ));
    }
    Err(format!("cannot read {s:?} as a time"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn row(table: &str, cols: &[&str], vals: &[Option<&str>]) -> SourceRow {
        SourceRow {
            table: Arc::from(table),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            values: vals
                .iter()
                .map(|v| v.map_or(Value::Null, |s| Value::Text(s.to_string())))
                .collect(),
            row: 7,
            offset: 100,
            len: 20,
            sparse: false,
        }
    }

    fn profile(text: &str) -> Profile {
        Profile::from_toml("test", text).expect("profile")
    }

    proptest::proptest! {
        /// The fast path agrees with chrono on every well-formed and ill-formed SQL datetime.
        #[test]
        fn fast_sql_datetimes_agree_with_chrono(
            y in 1900u32..2100, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62, se in 0u32..62,
            t in proptest::bool::ANY,
        ) {
            let text = format!("{y:04}-{mo:02}-{d:02}{}{h:02}:{mi:02}:{se:02}", if t { 'T' } else { ' ' });
            let chrono = chrono::NaiveDateTime::parse_from_str(&text.replace('T', " "), "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|t| t.and_utc().timestamp());
            proptest::prop_assert_eq!(sql_datetime(text.as_bytes()), chrono);
            let date = &text[..10];
            let chrono_date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp());
            proptest::prop_assert_eq!(sql_datetime(date.as_bytes()), chrono_date);
        }
    }

    #[test]
    fn times_in_every_common_form() {
        assert_eq!(parse_time("1588338131"), Ok(Some(1588338131)));
        assert_eq!(parse_time("1588338131000"), Ok(Some(1588338131)));
        assert_eq!(parse_time("2020-05-01 13:02:11"), Ok(Some(1588338131)));
        assert_eq!(parse_time("2020-05-01 13:02:11+00"), Ok(Some(1588338131)));
        assert_eq!(
            parse_time("2020-05-01 15:02:11+02:00"),
            Ok(Some(1588338131))
        );
        assert_eq!(parse_time("2020-05-01T13:02:11Z"), Ok(Some(1588338131)));
        assert_eq!(parse_time("2020-05-01 13:02:11.5"), Ok(Some(1588338131)));
        assert_eq!(parse_time("2020-05-01"), Ok(Some(1588291200)));
        assert_eq!(parse_time("0000-00-00 00:00:00"), Ok(None));
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn lookups_join_tables_and_maps_translate_states() {
        let p = profile(
            r#"name = "t"
[[lookup]]
name = "offer_product"
table = "offers"
key = "id"
value = "product_id"
[[entity]]
kind = "order"
table = "purchases"
[entity.fields]
native_key = "id"
listing = { column = "offer_id", via = "offer_product" }
vendor = "vendor_id"
amount = "to_pay"
currency = { column = "coin", map = { btc = "BTC" } }
state = { column = "state", map = { sent = "shipped" }, default = "unknown" }
created_at = { column = "created_at", parse = "time" }
"#,
        );
        let mut m = Mapper::new(&p, "abyss", "ab12");
        assert!(
            m.map_row(&row(
                "offers",
                &["id", "product_id"],
                &[Some("5"), Some("p-9")]
            ))
            .unwrap()
            .is_empty()
        );
        let cols = [
            "id",
            "offer_id",
            "vendor_id",
            "to_pay",
            "coin",
            "state",
            "created_at",
        ];
        let recs = m
            .map_row(&row(
                "purchases",
                &cols,
                &[
                    Some("o1"),
                    Some("5"),
                    Some("3"),
                    Some("0.01500000"),
                    Some("btc"),
                    Some("sent"),
                    Some("2020-05-01 13:02:11"),
                ],
            ))
            .unwrap();
        let [Record::Order(o)] = recs.as_slice() else {
            panic!("{recs:?}")
        };
        assert_eq!(o.id.as_str(), "abyss/order/o1");
        assert_eq!(o.listing_id.as_ref().unwrap().as_str(), "abyss/listing/p-9");
        assert_eq!(o.vendor_id.as_ref().unwrap().as_str(), "abyss/account/3");
        assert_eq!(o.amount, Some(0.015));
        assert_eq!(o.currency.as_deref(), Some("BTC"));
        assert_eq!(o.state, OrderState::Shipped);
        assert_eq!(o.state_raw.as_deref(), Some("sent"));
        assert_eq!(o.provenance.src_row, 7);
        assert_eq!(o.provenance.src_offset, 100);
        // An unknown state falls back to the default; an unknown coin has no default and is rejected.
        let bad = m
            .map_row(&row(
                "purchases",
                &cols,
                &[
                    Some("o2"),
                    Some("5"),
                    Some("3"),
                    None,
                    Some("doge"),
                    Some("weird"),
                    None,
                ],
            ))
            .unwrap_err();
        assert!(bad.message.contains("\"doge\""), "{bad}");
        assert_eq!(bad.row, 7);
    }

    #[test]
    fn required_columns_skip_rows_and_bad_values_reject_them() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "pgp_key"
table = "users"
require = ["pgp_key"]
fields = { native_key = "id", account = "id", armored = "pgp_key" }
[[entity]]
kind = "account"
table = "users"
fields = { native_key = "id", name = "username", created_at = { column = "created_at", parse = "time" } }
"#,
        );
        let mut m = Mapper::new(&p, "m", "s");
        let cols = ["id", "username", "pgp_key", "created_at"];
        let recs = m
            .map_row(&row("users", &cols, &[Some("1"), Some("bob"), None, None]))
            .unwrap();
        assert_eq!(recs.len(), 1, "no key, so only the account");
        let recs = m
            .map_row(&row(
                "users",
                &cols,
                &[Some("1"), Some("bob"), Some("-----BEGIN"), None],
            ))
            .unwrap();
        assert_eq!(recs.len(), 2);
        let err = m
            .map_row(&row(
                "users",
                &cols,
                &[Some("2"), Some("eve"), None, Some("soon")],
            ))
            .unwrap_err();
        assert!(err.message.contains("created_at"), "{err}");
        let err = m
            .map_row(&row("users", &["id", "login"], &[Some("3"), Some("x")]))
            .unwrap_err();
        assert!(err.message.contains("column \"username\""), "{err}");
    }

    #[test]
    fn a_sparse_row_maps_an_absent_column_as_null() {
        let p = profile(
            r#"name = "t"
format = "json"
[[entity]]
kind = "feedback"
table = "vendors.listings.feedback"
[entity.fields]
native_key = "id"
vendor = "^.^.vendor"
rating = { column = "rating", parse = "number" }
comment = "comment"
"#,
        );
        assert_eq!(p.format, Some(crate::Format::Json));
        let mut m = Mapper::new(&p, "m", "s");
        let cols = ["id", "rating", "#", "^.#", "^.^.vendor"];
        let vals = [Some("f1"), Some("4"), Some("0"), Some("2"), Some("bob")];
        // No `comment` key in this object.
        let mut sparse = row("vendors.listings.feedback", &cols, &vals);
        sparse.sparse = true;
        let recs = m.map_row(&sparse).unwrap();
        let [Record::Feedback(f)] = recs.as_slice() else {
            panic!("{recs:?}")
        };
        assert_eq!(f.comment, None);
        assert_eq!(f.rating, Some(4.0));
        assert_eq!(f.vendor_id.as_ref().unwrap().as_str(), "m/account/bob");
        // The same row from a source with fixed columns is a profile mistake worth an error.
        let err = m
            .map_row(&row("vendors.listings.feedback", &cols, &vals))
            .unwrap_err();
        assert!(err.message.contains("column \"comment\""), "{err}");
    }
}
