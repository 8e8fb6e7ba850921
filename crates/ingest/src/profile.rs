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
//!
//! Beyond column names, a field rule can build its text from several columns (`template`), cut it with a
//! regular expression (`regex`), clean it (`trim`, `null_if`), translate it (`via`, `map`, `lowercase`),
//! hash it into a key (`hash`) and read it as a number or a time (`parse`, `scale`, `relative_to`). An entity
//! can make several records from one cell (`explode`), take its market from the row (a `market` field) and
//! drop records it already made (`dedup`). A `[source]` table describes CSV files without a header. The
//! reference with every key is `docs/profiles.md`.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::Format;
use crate::formats::{CsvOptions, ReadOptions};
pub use crate::transform::{Pattern, Template};

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
    /// How to read a CSV source that the file itself does not say (no header, an odd delimiter).
    #[serde(default)]
    pub source: SourceOptions,
}

/// The `[source]` table: reading options for CSV files.
///
/// ```toml
/// [source]
/// header = false                     # the first line is data
/// columns = ["key", "seen"]          # so the profile names the columns
/// delimiter = "\t"
/// first_line = '^[^\t]+<==>'         # how `recognise` knows such a file
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceOptions {
    /// Whether the first record names the columns.
    #[serde(default = "default_true")]
    pub header: bool,
    /// The column names of a file without header, in order.
    #[serde(default)]
    pub columns: Vec<String>,
    /// One ASCII character; default: the most frequent of `,` `;` tab `|` on the first line.
    pub delimiter: Option<String>,
    /// A header-less file has no column names to be recognised by: a file whose first line matches this
    /// pattern is taken to follow this profile.
    pub first_line: Option<Pattern>,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            header: true,
            columns: Vec::new(),
            delimiter: None,
            first_line: None,
        }
    }
}

fn default_true() -> bool {
    true
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
    /// A listing's or an account's photo, as the dump names the file.
    PhotoRef,
}

impl TargetKind {
    /// The kind of the records this target makes.
    pub fn entity_kind(self) -> spector_model::EntityKind {
        use spector_model::EntityKind as K;
        match self {
            TargetKind::Account => K::Account,
            TargetKind::Listing => K::Listing,
            TargetKind::Order => K::Order,
            TargetKind::Feedback => K::Feedback,
            TargetKind::Message => K::Message,
            TargetKind::PgpKey => K::PgpKey,
            TargetKind::CryptoAddress => K::CryptoAddress,
            TargetKind::ContactHandle => K::ContactHandle,
            TargetKind::ShippingInfo => K::ShippingInfo,
            TargetKind::PhotoRef => K::PhotoRef,
        }
    }
}

/// One source table feeding one entity kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityMap {
    pub kind: TargetKind,
    /// The source table; `*` matches any run of characters, so `"*"` takes the one table of a CSV file
    /// whatever the file is called (a CSV table is named after its file).
    pub table: String,
    /// Rows where any of these columns is NULL or empty make no record of this kind (not an error):
    /// e.g. a PGP key only for users that set one.
    #[serde(default)]
    pub require: Vec<String>,
    /// Drop a record whose id this entity already made from an earlier row of the same source (the same
    /// page crawled twice): the first one is kept and the others are counted as duplicates.
    #[serde(default)]
    pub dedup: bool,
    /// Make one record per match of a pattern in one cell, instead of one per row.
    pub explode: Option<Explode>,
    pub fields: BTreeMap<String, FieldSpec>,
}

/// `explode = { column = "feedback", regex = '(?s)(?P<rating>\d)/5 ...' }`: every match of `regex` in the
/// text of `column` makes one record. The match's named groups are extra columns for the field rules, with
/// `#match` (1-based number of the match in the cell) and `#occurrence` (1-based count of the matches so far
/// in this cell with the same values of the `occurrence_of` groups — of the whole matched text when that is
/// empty): the way to give identical entries of one page distinct keys that stay the same when the page is
/// crawled again. Records keep the provenance of the source row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explode {
    pub column: String,
    pub regex: Pattern,
    #[serde(default)]
    pub occurrence_of: Vec<String>,
}

/// The extra columns `explode` adds besides the regex's named groups.
pub const MATCH_COLUMN: &str = "#match";
pub const OCCURRENCE_COLUMN: &str = "#occurrence";

impl Explode {
    /// The names of the columns a match adds.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.regex
            .group_names()
            .chain([MATCH_COLUMN, OCCURRENCE_COLUMN])
    }
}

impl EntityMap {
    /// Whether this entity reads rows of `table`.
    pub fn reads(&self, table: &str) -> bool {
        table_matches(&self.table, table)
    }

    /// Whether `column` is made by `explode` rather than read from the source.
    fn exploded(&self, column: &str) -> bool {
        self.explode
            .as_ref()
            .is_some_and(|x| x.columns().any(|c| c == column))
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone)]
pub enum FieldSpec {
    /// A column name.
    Column(String),
    Rule(Box<FieldRule>),
}

/// By hand rather than `untagged`, so that a mistake inside a rule (a bad regex, an unknown key) is
/// reported as itself, with its position, not as "did not match any variant".
impl<'de> Deserialize<'de> for FieldSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SpecVisitor;
        impl<'de> serde::de::Visitor<'de> for SpecVisitor {
            type Value = FieldSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a column name or a table such as { column = \"...\", ... }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FieldSpec, E> {
                Ok(FieldSpec::Column(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<FieldSpec, A::Error> {
                FieldRule::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|rule| FieldSpec::Rule(Box::new(rule)))
            }
        }
        d.deserialize_any(SpecVisitor)
    }
}

/// A field's value is made in this order: the text of `column`, `const` or `template`; `trim`; `null_if`
/// (and an empty text) make it absent; `regex` cuts it; `via`, `map`/`default`, `lowercase`, `hash`
/// translate it; `parse` (with `scale` or `relative_to`) reads it as a number or a time.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    pub column: Option<String>,
    /// A constant value instead of a column.
    #[serde(rename = "const")]
    pub constant: Option<String>,
    /// Text made of several columns instead of one column: `"{list}/{vendor}"`; see [`Template`].
    pub template: Option<Template>,
    /// Strip leading and trailing whitespace (and of each template placeholder's value).
    #[serde(default)]
    pub trim: bool,
    /// Values that mean "no value" in this source, such as `"NA"` (compared after `trim`).
    #[serde(default)]
    pub null_if: Vec<String>,
    /// Keep only what this pattern matches: capture group 1, or the whole match if it has no group. No match
    /// leaves the field absent.
    pub regex: Option<Pattern>,
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
    /// Replace the value by [`crate::transform::short_hash`] of it: a key for sources without ids.
    #[serde(default)]
    pub hash: bool,
    /// With `parse = "time"`: read relative times ("5 days ago", "yesterday") against the time in this
    /// column (the crawl date of the page); see [`crate::transform::resolve_relative_time`].
    pub relative_to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseRule {
    /// Unix seconds, `YYYY-MM-DD[ HH:MM:SS[.frac]][+TZ]`, ISO 8601 with `T`, RFC 2822, `Jan 5, 2014`;
    /// see [`crate::parse_time`].
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

/// A field every entity accepts: the record's market, when the row says it (an aggregator listing the
/// vendors of many markets). Without it records belong to the market the source was ingested as.
pub const MARKET_FIELD: &str = "market";

/// The fields each entity kind accepts besides [`MARKET_FIELD`]; anything else in a profile is a typo worth
/// refusing.
pub(crate) fn allowed_fields(kind: TargetKind) -> &'static [&'static str] {
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
        TargetKind::PhotoRef => &["native_key", "listing", "account", "reference"],
    }
}

/// Fields a mapping cannot do without.
pub(crate) fn required_fields(kind: TargetKind) -> &'static [&'static str] {
    match kind {
        TargetKind::Account => &["native_key", "name"],
        TargetKind::Listing => &["native_key", "title"],
        TargetKind::Order | TargetKind::Feedback => &["native_key"],
        TargetKind::Message => &["native_key", "body"],
        TargetKind::PgpKey => &["native_key", "armored"],
        TargetKind::CryptoAddress => &["native_key", "address", "coin"],
        TargetKind::ContactHandle => &["native_key", "kind", "handle"],
        TargetKind::ShippingInfo => &["native_key", "text"],
        TargetKind::PhotoRef => &["native_key", "reference"],
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
        self.validate_source()?;
        for e in &self.entities {
            let allowed = allowed_fields(e.kind);
            for f in e.fields.keys() {
                if f != MARKET_FIELD && !allowed.contains(&f.as_str()) {
                    return Err(self.invalid(format!(
                        "table {}: {:?} has no field {f:?} (fields: {}, {MARKET_FIELD})",
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
            if let Some(x) = &e.explode {
                let groups: Vec<&str> = x.regex.group_names().collect();
                for name in &x.occurrence_of {
                    if !groups.contains(&name.as_str()) {
                        return Err(self.invalid(format!(
                            "table {}: explode.occurrence_of names {name:?}, which is not a named group of \
                             its regex (groups: {})",
                            e.table,
                            if groups.is_empty() { "none".to_string() } else { groups.join(", ") }
                        )));
                    }
                }
            }
            for (f, spec) in &e.fields {
                if let FieldSpec::Rule(rule) = spec {
                    self.validate_rule(&e.table, f, rule)?;
                }
            }
        }
        Ok(())
    }

    fn validate_rule(
        &self,
        table: &str,
        field: &str,
        rule: &FieldRule,
    ) -> Result<(), ProfileError> {
        let err = |message: String| {
            Err(self.invalid(format!("table {table}: field {field:?} {message}")))
        };
        let sources = [
            rule.column.is_some(),
            rule.constant.is_some(),
            rule.template.is_some(),
        ]
        .iter()
        .filter(|&&s| s)
        .count();
        if sources != 1 {
            return err("needs exactly one of `column`, `const`, `template`".to_string());
        }
        if let Some(via) = &rule.via
            && !self.lookups.iter().any(|l| &l.name == via)
        {
            return err(format!("uses unknown lookup {via:?}"));
        }
        if rule.relative_to.is_some() && rule.parse != Some(ParseRule::Time) {
            return err("has `relative_to` without parse = \"time\"".to_string());
        }
        if rule.scale.is_some() && rule.parse == Some(ParseRule::Time) {
            return err("cannot `scale` a time".to_string());
        }
        if rule.hash && rule.parse.is_some() {
            return err(
                "cannot both `hash` and `parse` (a hash is neither a number nor a time)"
                    .to_string(),
            );
        }
        if let Some(bad) = rule
            .null_if
            .iter()
            .find(|v| rule.trim && v.trim() != v.as_str())
        {
            return err(format!(
                "has null_if value {bad:?} with spaces around it, which `trim` removes before comparing"
            ));
        }
        Ok(())
    }

    fn validate_source(&self) -> Result<(), ProfileError> {
        let s = &self.source;
        if self.format.is_some_and(|f| f != Format::Csv) && !s.is_default() {
            return Err(self.invalid(
                "[source] options are for CSV files; this profile reads another format".to_string(),
            ));
        }
        if s.header && !s.columns.is_empty() {
            return Err(self.invalid(
                "[source] columns names the fields of a file without header: set header = false (a \
                 file with a header names its own columns)"
                    .to_string(),
            ));
        }
        if !s.header && s.columns.is_empty() {
            return Err(self.invalid(
                "[source] header = false needs `columns`, the names of the fields in order"
                    .to_string(),
            ));
        }
        if let Some(dup) = s
            .columns
            .iter()
            .enumerate()
            .find(|(i, c)| s.columns[..*i].contains(c))
        {
            return Err(self.invalid(format!("[source] column {:?} is named twice", dup.1)));
        }
        if s.first_line.is_some() && s.header {
            return Err(self.invalid(
                "[source] first_line recognises files without header; a file with a header is \
                 recognised by its columns"
                    .to_string(),
            ));
        }
        if let Some(d) = &s.delimiter {
            delimiter_byte(d)
                .map_err(|m| self.invalid(format!("[source] delimiter {d:?}: {m}")))?;
        }
        Ok(())
    }

    /// How to read a source of this profile.
    pub fn read_options(&self) -> ReadOptions {
        let s = &self.source;
        ReadOptions {
            csv: CsvOptions {
                delimiter: s.delimiter.as_deref().and_then(|d| delimiter_byte(d).ok()),
                columns: (!s.header).then(|| s.columns.clone()),
            },
        }
    }

    /// The source tables this profile reads (patterns, see [`EntityMap::table`]), with the columns it needs
    /// from each: the columns a source must have for the profile to fit it. Columns that `explode` makes
    /// and optional template placeholders are not needed.
    pub fn tables(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for e in &self.entities {
            let cols = out.entry(e.table.as_str()).or_default();
            for spec in e.fields.values() {
                cols.extend(spec.columns());
            }
            cols.extend(e.require.iter().map(String::as_str));
            if let Some(x) = &e.explode {
                cols.push(&x.column);
            }
            cols.retain(|c| !e.exploded(c));
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

impl SourceOptions {
    fn is_default(&self) -> bool {
        self.header
            && self.columns.is_empty()
            && self.delimiter.is_none()
            && self.first_line.is_none()
    }
}

/// A delimiter as a profile writes it: one ASCII character that is not a quote or a line end.
fn delimiter_byte(d: &str) -> Result<u8, &'static str> {
    match d.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
        _ => Err("must be one ASCII character other than a quote or a line end"),
    }
}

/// Whether a table name matches a profile's table pattern, in which `*` stands for any run of characters.
pub fn table_matches(pattern: &str, table: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == table;
    };
    let Some(mut remaining) = table.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = rest.split('*').collect();
    let (last, middle) = pieces.split_last().unwrap_or((&"", &[]));
    for piece in middle {
        match remaining.find(piece) {
            Some(i) => remaining = &remaining[i + piece.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

impl FieldSpec {
    /// The column the field reads, when it reads exactly one.
    pub fn column(&self) -> Option<&str> {
        match self {
            FieldSpec::Column(c) => Some(c),
            FieldSpec::Rule(r) => r.column.as_deref(),
        }
    }

    /// Every column the field needs: its column, its template's required placeholders, the anchor of a
    /// relative time.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            FieldSpec::Column(c) => vec![c.as_str()],
            FieldSpec::Rule(r) => {
                let mut out: Vec<&str> = r.column.iter().map(String::as_str).collect();
                if let Some(t) = &r.template {
                    out.extend(
                        t.columns()
                            .filter(|(_, optional)| !optional)
                            .map(|(c, _)| c),
                    );
                }
                out.extend(r.relative_to.as_deref());
                out
            }
        }
    }
}

/// The profiles shipped with spector, embedded so the binary works from anywhere.
pub fn builtin_profiles() -> Vec<Profile> {
    const SHIPPED: &[(&str, &str)] = &[
        ("laravel", include_str!("../profiles/laravel.toml")),
        ("pgmarket", include_str!("../profiles/pgmarket.toml")),
        ("scrape", include_str!("../profiles/scrape.toml")),
        (
            "agora-products",
            include_str!("../profiles/agora-products.toml"),
        ),
        (
            "agora-vendors",
            include_str!("../profiles/agora-vendors.toml"),
        ),
        ("panacea", include_str!("../profiles/panacea.toml")),
        ("grams", include_str!("../profiles/grams.toml")),
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
        assert_eq!(
            names,
            [
                "laravel",
                "pgmarket",
                "scrape",
                "agora-products",
                "agora-vendors",
                "panacea",
                "grams"
            ]
        );
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

    fn refused(text: &str) -> String {
        Profile::from_toml("t", text).unwrap_err().to_string()
    }

    const ACCOUNT: &str = "[[entity]]\nkind = \"account\"\ntable = \"t\"\n";

    #[test]
    fn bad_rules_are_refused_when_the_profile_is_read() {
        let cases = [
            (
                r#"fields = { native_key = { column = "k", regex = "(" }, name = "n" }"#,
                "bad regex",
            ),
            (
                r#"fields = { native_key = { template = "{k" }, name = "n" }"#,
                "is not closed",
            ),
            (
                r#"fields = { native_key = { column = "k", const = "x" }, name = "n" }"#,
                "exactly one of `column`, `const`, `template`",
            ),
            (
                r#"fields = { native_key = { hash = true }, name = "n" }"#,
                "exactly one of",
            ),
            (
                r#"fields = { native_key = "k", name = "n", created_at = { column = "a", relative_to = "d" } }"#,
                "`relative_to` without parse = \"time\"",
            ),
            (
                r#"fields = { native_key = "k", name = "n", created_at = { column = "a", parse = "time", scale = 2.0 } }"#,
                "cannot `scale` a time",
            ),
            (
                r#"fields = { native_key = { column = "k", hash = true, parse = "number" }, name = "n" }"#,
                "cannot both `hash` and `parse`",
            ),
            (
                r#"fields = { native_key = { column = "k", trim = true, null_if = [" NA"] }, name = "n" }"#,
                "with spaces around it",
            ),
            (
                r#"explode = { column = "c", regex = '(?P<a>x)', occurrence_of = ["b"] }
fields = { native_key = "k", name = "n" }"#,
                "not a named group of its regex (groups: a)",
            ),
            (
                r#"explode = { column = "c", regex = '(?P<a>x)', extra = 1 }
fields = { native_key = "k", name = "n" }"#,
                "unknown field `extra`",
            ),
        ];
        for (fields, why) in cases {
            let err = refused(&format!("name = \"t\"\n{ACCOUNT}{fields}"));
            assert!(err.contains(why), "{fields}\n  gave: {err}");
        }
    }

    #[test]
    fn bad_source_options_are_refused() {
        let entity = format!("{ACCOUNT}fields = {{ native_key = \"k\", name = \"n\" }}\n");
        let cases = [
            ("[source]\nheader = false\n", "needs `columns`"),
            ("[source]\ncolumns = [\"a\"]\n", "set header = false"),
            (
                "[source]\nheader = false\ncolumns = [\"a\", \"a\"]\n",
                "\"a\" is named twice",
            ),
            ("[source]\ndelimiter = \"ab\"\n", "one ASCII character"),
            ("[source]\ndelimiter = '\"'\n", "one ASCII character"),
            (
                "[source]\nfirst_line = \"x\"\n",
                "recognised by its columns",
            ),
            (
                "format = \"pg-dump\"\n[source]\ndelimiter = \";\"\n",
                "for CSV files",
            ),
        ];
        for (source, why) in cases {
            // The [source] table comes after the top-level keys and before the entities.
            let err = refused(&format!("name = \"t\"\n{source}{entity}"));
            assert!(err.contains(why), "{source}\n  gave: {err}");
        }
        let p = Profile::from_toml(
            "t",
            &format!(
                "name = \"t\"\n[source]\nheader = false\ncolumns = [\"k\", \"n\"]\ndelimiter = \"\\t\"\n{entity}"
            ),
        )
        .unwrap();
        assert_eq!(
            p.read_options().csv,
            CsvOptions {
                delimiter: Some(b'\t'),
                columns: Some(vec!["k".into(), "n".into()]),
            }
        );
    }

    #[test]
    fn every_entity_accepts_a_market_field() {
        let p = Profile::from_toml(
            "t",
            &format!("name = \"t\"\n{ACCOUNT}fields = {{ native_key = \"k\", name = \"n\", market = \"m\" }}"),
        )
        .unwrap();
        assert_eq!(p.tables()["t"], ["k", "m", "n"]);
        let err = refused(&format!(
            "name = \"t\"\n{ACCOUNT}fields = {{ native_key = \"k\", name = \"n\", markt = \"m\" }}"
        ));
        assert!(
            err.contains("\"markt\"") && err.contains(", market)"),
            "{err}"
        );
    }

    #[test]
    fn tables_list_the_columns_a_source_must_have() {
        let p = Profile::from_toml(
            "t",
            r#"name = "t"
[[entity]]
kind = "feedback"
table = "products*"
explode = { column = "feedback", regex = '(?P<rating>\d)/5 (?P<age>.*)' }
[entity.fields]
native_key = { template = "{list}/{rating}/{#match}/{opt?}" }
rating = { column = "rating", parse = "number" }
created_at = { column = "age", parse = "time", relative_to = "date" }
"#,
        )
        .unwrap();
        // Columns made by explode and optional placeholders are not needed; the anchor is.
        assert_eq!(p.tables()["products*"], ["date", "feedback", "list"]);
    }

    #[test]
    fn table_patterns_match_with_stars() {
        for (pattern, table, fits) in [
            ("*", "anything", true),
            ("*", "", true),
            ("products*", "products-2014-01-01", true),
            ("products*", "vendorall_0114", false),
            ("*_0114", "vendorall_0114", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxcyyb", false),
            ("*ab*b", "xabb", true),
            ("users", "users", true),
            ("users", "users2", false),
        ] {
            assert_eq!(table_matches(pattern, table), fits, "{pattern} {table}");
        }
    }
}
