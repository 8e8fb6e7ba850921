//! Declarative mapping profiles: which source table and columns feed which entity and field.
//!
//! A profile is a TOML file, so that an investigator can bring in a market never seen before without writing
//! Rust. A profile is pure data; [`crate::mapper::Mapper`] applies it to a stream of [`crate::SourceRow`]s.
//!
//! ```toml
//! name = "laravel"
//! format = "mysql-dump"
//! encoding = "windows-1251"         # text that is not UTF-8 and not declared by the source (else guessed)
//! repair_mojibake = false         # re-read double-encoded UTF-8 (Ð¿Ñ€Ð¸ → при); off unless asked
//! [[lookup]]                      # remember offers.id -> offers.product_id as rows stream by
//! name = "offer_product"
//! table = "offers"
//! key = "id"
//! value = "product_id"
//! [[entity]]
//! kind = "order"
//! table = "purchases"
//! [entity.fields]
//! native_key = "id"
//! listing = { column = "offer_id", via = "offer_product" }
//! state = { column = "state", map = { sent = "shipped", delivered = "finalized" }, default = "unknown" }
//! created_at = { column = "created_at", parse = "time" }
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::Format;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("profile {name}: {source}")]
    Toml {
        name: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("profile {profile}: {message}")]
    Invalid { profile: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The format this profile reads; `None` accepts any.
    #[serde(default, deserialize_with = "de_format")]
    pub format: Option<Format>,
    /// The encoding of text that is not UTF-8 and whose source declares none (any WHATWG label, e.g.
    /// `"windows-1251"`); without it such text is guessed. See [`crate::encoding`].
    #[serde(default, deserialize_with = "de_encoding")]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Re-read double-encoded UTF-8 (`Ð¿Ñ€Ð¸Ð²ÐµÑ‚` → `привет`); never done unless asked for.
    #[serde(default)]
    pub repair_mojibake: bool,
    #[serde(default, rename = "lookup")]
    pub lookups: Vec<Lookup>,
    #[serde(default, rename = "entity")]
    pub entities: Vec<EntityMap>,
}

/// A key → value map built from one source table as its rows stream by, for joins such as
/// purchases → offers → products. The table must come before the rows that use it (dumps write tables in
/// alphabetical order, so profiles are written with that in mind).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    pub name: String,
    pub table: String,
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Account,
    Listing,
    Order,
    Feedback,
    Message,
    PgpKey,
    CryptoAddress,
    ContactHandle,
    ShippingInfo,
}

/// One source table feeding one entity kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityMap {
    pub kind: TargetKind,
    pub table: String,
    /// Rows where any of these columns is NULL or empty make no record of this kind (not an error):
    /// e.g. a PGP key only for users that set one.
    #[serde(default)]
    pub require: Vec<String>,
    pub fields: BTreeMap<String, FieldSpec>,
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FieldSpec {
    /// A column name.
    Column(String),
    Rule(FieldRule),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    pub column: Option<String>,
    /// A constant value instead of a column.
    #[serde(rename = "const")]
    pub constant: Option<String>,
    /// Replace the column's value by the value of this lookup for it.
    pub via: Option<String>,
    /// Enumeration mapping, raw value → model value.
    #[serde(default)]
    pub map: BTreeMap<String, String>,
    /// Used when `map` has no entry for the raw value; without it such a row is rejected.
    pub default: Option<String>,
    pub parse: Option<ParseRule>,
    /// Multiply a number (e.g. 0.5 to turn a 1–10 score into 1–5 stars, 1e-8 for satoshi).
    pub scale: Option<f64>,
    #[serde(default)]
    pub lowercase: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseRule {
    /// Unix seconds, `YYYY-MM-DD[ HH:MM:SS[.frac]][+TZ]`, ISO 8601 with `T`.
    Time,
    Number,
}

fn de_format<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Format>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref() {
        None => Ok(None),
        Some("mysql-dump") => Ok(Some(Format::MysqlDump)),
        Some("pg-dump") => Ok(Some(Format::PgDump)),
        Some("csv") => Ok(Some(Format::Csv)),
        Some("json") => Ok(Some(Format::Json)),
        Some("sqlite") => Ok(Some(Format::Sqlite)),
        Some(other) => Err(serde::de::Error::custom(format!(
            "unknown format {other:?} (mysql-dump, pg-dump, csv, json, sqlite)"
        ))),
    }
}

fn de_encoding<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<&'static encoding_rs::Encoding>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    s.map(|label| crate::encoding::profile_encoding(&label).map_err(serde::de::Error::custom))
        .transpose()
}

/// The fields each entity kind accepts; anything else in a profile is a typo worth refusing.
fn allowed_fields(kind: TargetKind) -> &'static [&'static str] {
    match kind {
        TargetKind::Account => &["native_key", "name", "role", "created_at", "profile"],
        TargetKind::Listing => &[
            "native_key",
            "vendor",
            "title",
            "description",
            "category",
            "price",
            "currency",
            "ships_from",
            "ships_to",
            "created_at",
        ],
        TargetKind::Order => &[
            "native_key",
            "listing",
            "buyer",
            "vendor",
            "quantity",
            "amount",
            "currency",
            "state",
            "created_at",
        ],
        TargetKind::Feedback => &[
            "native_key",
            "order",
            "listing",
            "vendor",
            "buyer",
            "rating",
            "comment",
            "created_at",
        ],
        TargetKind::Message => &[
            "native_key",
            "sender",
            "recipient",
            "subject",
            "body",
            "created_at",
        ],
        TargetKind::PgpKey => &["native_key", "account", "armored"],
        TargetKind::CryptoAddress => &["native_key", "account", "address", "coin", "purpose"],
        TargetKind::ContactHandle => &["native_key", "account", "kind", "handle"],
        TargetKind::ShippingInfo => &["native_key", "order", "buyer", "vendor", "text"],
    }
}

/// Fields a mapping cannot do without.
fn required_fields(kind: TargetKind) -> &'static [&'static str] {
    match kind {
        TargetKind::Account => &["native_key", "name"],
        TargetKind::Listing => &["native_key", "title"],
        TargetKind::Order | TargetKind::Feedback => &["native_key"],
        TargetKind::Message => &["native_key", "body"],
        TargetKind::PgpKey => &["native_key", "armored"],
        TargetKind::CryptoAddress => &["native_key", "address", "coin"],
        TargetKind::ContactHandle => &["native_key", "kind", "handle"],
        TargetKind::ShippingInfo => &["native_key", "text"],
    }
}

impl Profile {
    pub fn from_toml(name_for_errors: &str, text: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|source| ProfileError::Toml {
            name: name_for_errors.to_string(),
            source,
        })?;
        profile.validate()?;
        Ok(profile)
    }

    fn invalid(&self, message: String) -> ProfileError {
        ProfileError::Invalid {
            profile: self.name.clone(),
            message,
        }
    }

    fn validate(&self) -> Result<(), ProfileError> {
        for e in &self.entities {
            let allowed = allowed_fields(e.kind);
            for f in e.fields.keys() {
                if !allowed.contains(&f.as_str()) {
                    return Err(self.invalid(format!(
                        "table {}: {:?} has no field {f:?} (fields: {})",
                        e.table,
                        e.kind,
                        allowed.join(", ")
                    )));
                }
            }
            for f in required_fields(e.kind) {
                if !e.fields.contains_key(*f) {
                    return Err(
                        self.invalid(format!("table {}: {:?} needs field {f:?}", e.table, e.kind))
                    );
                }
            }
            for (f, spec) in &e.fields {
                if let FieldSpec::Rule(rule) = spec {
                    if rule.column.is_none() && rule.constant.is_none() {
                        return Err(self.invalid(format!(
                            "table {}: field {f:?} needs `column` or `const`",
                            e.table
                        )));
                    }
                    if let Some(via) = &rule.via
                        && !self.lookups.iter().any(|l| &l.name == via)
                    {
                        return Err(self.invalid(format!(
                            "table {}: field {f:?} uses unknown lookup {via:?}",
                            e.table
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The source tables this profile reads, with the columns it needs from each.
    pub fn tables(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for e in &self.entities {
            let cols = out.entry(e.table.as_str()).or_default();
            for spec in e.fields.values() {
                if let Some(c) = spec.column() {
                    cols.push(c);
                }
            }
            cols.extend(e.require.iter().map(String::as_str));
        }
        for l in &self.lookups {
            let cols = out.entry(l.table.as_str()).or_default();
            cols.push(&l.key);
            cols.push(&l.value);
        }
        for cols in out.values_mut() {
            cols.sort_unstable();
            cols.dedup();
        }
        out
    }
}

impl FieldSpec {
    pub fn column(&self) -> Option<&str> {
        match self {
            FieldSpec::Column(c) => Some(c),
            FieldSpec::Rule(r) => r.column.as_deref(),
        }
    }
}

/// The profiles shipped with spector, embedded so the binary works from anywhere.
pub fn builtin_profiles() -> Vec<Profile> {
    const SHIPPED: &[(&str, &str)] = &[
        ("laravel", include_str!("../profiles/laravel.toml")),
        ("pgmarket", include_str!("../profiles/pgmarket.toml")),
        ("scrape", include_str!("../profiles/scrape.toml")),
    ];
    SHIPPED
        .iter()
        .map(|(name, text)| {
            // A shipped profile that does not parse is a build defect, caught by the tests below.
            Profile::from_toml(name, text).unwrap_or_else(|e| panic!("shipped profile {name}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profiles_parse_and_validate() {
        let names: Vec<String> = builtin_profiles().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["laravel", "pgmarket", "scrape"]);
    }

    #[test]
    fn unknown_field_is_refused_with_the_allowed_list() {
        let err = Profile::from_toml(
            "t",
            r#"name = "t"
[[entity]]
kind = "account"
table = "users"
fields = { native_key = "id", name = "username", nmae = "x" }"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("\"nmae\"") && err.contains("fields: native_key"),
            "{err}"
        );
    }

    #[test]
    fn missing_required_field_is_refused() {
        let err = Profile::from_toml(
            "t",
            r#"name = "t"
[[entity]]
kind = "listing"
table = "products"
fields = { native_key = "id" }"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("needs field \"title\""), "{err}");
    }

    #[test]
    fn encoding_and_mojibake_repair() {
        let p = Profile::from_toml(
            "t",
            "name = \"t\"\nencoding = \"cp1251\"\nrepair_mojibake = true\n",
        )
        .unwrap();
        assert_eq!(p.encoding, Some(encoding_rs::WINDOWS_1251));
        assert!(p.repair_mojibake);
        let p = Profile::from_toml("t", "name = \"t\"\n").unwrap();
        assert_eq!((p.encoding, p.repair_mojibake), (None, false));
        let err = Profile::from_toml("t", "name = \"t\"\nencoding = \"win-1251\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown encoding \"win-1251\"") && err.contains("\"windows-1251\""),
            "{err}"
        );
    }

    #[test]
    fn unknown_lookup_is_refused() {
        let err = Profile::from_toml(
            "t",
            r#"name = "t"
[[entity]]
kind = "order"
table = "purchases"
fields = { native_key = "id", listing = { column = "offer_id", via = "nope" } }"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown lookup \"nope\""), "{err}");
    }
}
