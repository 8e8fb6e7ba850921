//! Applies a [`Profile`] to a stream of [`SourceRow`]s, producing model records.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use spector_model::{
    Account, AccountRole, ContactHandle, CryptoAddress, EntityKind, Feedback, Listing, Message,
    Order, OrderState, PgpKey, PhotoRef, Provenance, Record, RecordId, ShippingInfo,
};

use crate::SourceRow;
use crate::encoding::{DecodingStats, SourceEncodings, TextDecoder};
use crate::lookup::LookupTable;
use crate::profile::{
    EntityMap, Explode, FieldRule, FieldSpec, MATCH_COLUMN, OCCURRENCE_COLUMN, ParseRule, Profile,
    TargetKind,
};
use crate::transform::{TemplateGap, resolve_relative_time, short_hash};

/// The armor line that opens a PGP-encrypted message (shipping addresses are often sent so).
static PGP_MESSAGE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("-----BEGIN PGP MESSAGE-----"));

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
    source_sha256: std::sync::Arc<str>,
    lookups: HashMap<&'p str, LookupTable, foldhash::fast::RandomState>,
    decoder: TextDecoder,
    /// 64-bit hashes of the ids made so far by entities with `dedup` (8 bytes an id, not the id).
    seen: HashSet<u64>,
    duplicates: BTreeMap<&'static str, u64>,
    /// One per entity of the profile: where its fields are read from in the rows of the current table.
    plans: Vec<Option<FieldPlan<'p>>>,
    /// The entities that read the current table (by index), found once per table rather than by matching
    /// every entity's table pattern against every row's table name.
    readers: Option<(Arc<str>, Vec<usize>)>,
    /// Positions in the output of the current row's records that are subject to `dedup` (kept to save an
    /// allocation a row).
    to_dedup: Vec<usize>,
}

/// A field of the model that profiles map, by its place in [`FIELDS`]: the mapper asks for a dozen field
/// values a row, and a plan answers by index what a map by name answered with a hash and a string
/// comparison (6% of the reading thread on a 1.1 GB dump). Shows as its name.
#[derive(Debug, Clone, Copy)]
struct Field {
    at: u8,
    name: &'static str,
}

impl Field {
    const fn new(at: u8, name: &'static str) -> Field {
        Field { at, name }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every field a profile may map ([`crate::profile::allowed_fields`] of every kind, and the market).
mod f {
    use super::Field;
    pub(super) const NATIVE_KEY: Field = Field::new(0, "native_key");
    pub(super) const MARKET: Field = Field::new(1, "market");
    pub(super) const NAME: Field = Field::new(2, "name");
    pub(super) const ROLE: Field = Field::new(3, "role");
    pub(super) const CREATED_AT: Field = Field::new(4, "created_at");
    pub(super) const PROFILE: Field = Field::new(5, "profile");
    pub(super) const VENDOR: Field = Field::new(6, "vendor");
    pub(super) const TITLE: Field = Field::new(7, "title");
    pub(super) const DESCRIPTION: Field = Field::new(8, "description");
    pub(super) const CATEGORY: Field = Field::new(9, "category");
    pub(super) const PRICE: Field = Field::new(10, "price");
    pub(super) const CURRENCY: Field = Field::new(11, "currency");
    pub(super) const SHIPS_FROM: Field = Field::new(12, "ships_from");
    pub(super) const SHIPS_TO: Field = Field::new(13, "ships_to");
    pub(super) const LISTING: Field = Field::new(14, "listing");
    pub(super) const BUYER: Field = Field::new(15, "buyer");
    pub(super) const QUANTITY: Field = Field::new(16, "quantity");
    pub(super) const AMOUNT: Field = Field::new(17, "amount");
    pub(super) const STATE: Field = Field::new(18, "state");
    pub(super) const ORDER: Field = Field::new(19, "order");
    pub(super) const RATING: Field = Field::new(20, "rating");
    pub(super) const COMMENT: Field = Field::new(21, "comment");
    pub(super) const SENDER: Field = Field::new(22, "sender");
    pub(super) const RECIPIENT: Field = Field::new(23, "recipient");
    pub(super) const SUBJECT: Field = Field::new(24, "subject");
    pub(super) const BODY: Field = Field::new(25, "body");
    pub(super) const ACCOUNT: Field = Field::new(26, "account");
    pub(super) const ARMORED: Field = Field::new(27, "armored");
    pub(super) const ADDRESS: Field = Field::new(28, "address");
    pub(super) const COIN: Field = Field::new(29, "coin");
    pub(super) const PURPOSE: Field = Field::new(30, "purpose");
    pub(super) const KIND: Field = Field::new(31, "kind");
    pub(super) const HANDLE: Field = Field::new(32, "handle");
    pub(super) const TEXT: Field = Field::new(33, "text");
    pub(super) const REFERENCE: Field = Field::new(34, "reference");
}

const FIELDS: [Field; 35] = [
    f::NATIVE_KEY,
    f::MARKET,
    f::NAME,
    f::ROLE,
    f::CREATED_AT,
    f::PROFILE,
    f::VENDOR,
    f::TITLE,
    f::DESCRIPTION,
    f::CATEGORY,
    f::PRICE,
    f::CURRENCY,
    f::SHIPS_FROM,
    f::SHIPS_TO,
    f::LISTING,
    f::BUYER,
    f::QUANTITY,
    f::AMOUNT,
    f::STATE,
    f::ORDER,
    f::RATING,
    f::COMMENT,
    f::SENDER,
    f::RECIPIENT,
    f::SUBJECT,
    f::BODY,
    f::ACCOUNT,
    f::ARMORED,
    f::ADDRESS,
    f::COIN,
    f::PURPOSE,
    f::KIND,
    f::HANDLE,
    f::TEXT,
    f::REFERENCE,
];

/// The field a profile names `name`; `None` for a name no entity accepts (which a profile cannot load
/// with).
fn field_named(name: &str) -> Option<Field> {
    FIELDS.iter().find(|f| f.name == name).copied()
}

/// Where the fields of one entity are read from, for rows with one set of columns. Made once per table
/// (rows of a table share their column list), so a value costs an index, not a search by field name and
/// then by column name; the search by name stays for templates, `explode` columns and JSON rows whose
/// columns vary.
struct FieldPlan<'p> {
    /// Kept to tell the table's rows from others (and to keep the list alive while it is compared).
    columns: Arc<[String]>,
    /// By [`Field::at`].
    fields: [Option<FieldSlot<'p>>; FIELDS.len()],
    /// Fields joined through a lookup from a column at a known place, with the lookup's name (see
    /// [`RowContext::prefetch_joins`]).
    joins: Vec<(usize, &'p str)>,
}

#[derive(Clone, Copy)]
struct FieldSlot<'p> {
    spec: &'p FieldSpec,
    /// The position of the field's column in the row; `None` when it has none or the table lacks it
    /// (reading by name then reports which).
    column: Option<usize>,
}

impl<'p> FieldPlan<'p> {
    fn new(entity: &'p EntityMap, columns: &Arc<[String]>) -> Self {
        let mut fields = [None; FIELDS.len()];
        for (name, spec) in &entity.fields {
            let Some(field) = field_named(name) else {
                continue;
            };
            let column = spec
                .column()
                .and_then(|c| columns.iter().position(|have| have == c));
            fields[usize::from(field.at)] = Some(FieldSlot { spec, column });
        }
        let joins = fields
            .iter()
            .flatten()
            .filter_map(|slot| match (slot.spec, slot.column) {
                (FieldSpec::Rule(r), Some(column)) => Some((column, r.via.as_deref()?)),
                _ => None,
            })
            .collect();
        FieldPlan {
            columns: columns.clone(),
            fields,
            joins,
        }
    }
}

/// The columns `explode` adds to a row for one match: named groups, `#match`, `#occurrence`.
type Extra<'p> = Vec<(&'p str, Option<String>)>;

impl<'p> Mapper<'p> {
    pub fn new(profile: &'p Profile, market: &str, source_sha256: &str) -> Self {
        Mapper {
            profile,
            market: market.to_string(),
            source_sha256: source_sha256.into(),
            lookups: HashMap::default(),
            decoder: TextDecoder::new(profile.encoding, profile.repair_mojibake),
            seen: HashSet::new(),
            duplicates: BTreeMap::new(),
            plans: profile.entities.iter().map(|_| None).collect(),
            readers: None,
            to_dedup: Vec::new(),
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

    /// Records dropped so far by `dedup`, per table: their id had been made from an earlier row.
    pub fn duplicates(&self) -> &BTreeMap<&'static str, u64> {
        &self.duplicates
    }

    /// Maps one row to the records it feeds (none for a table the profile does not read). A row with a
    /// bad value makes no record at all, so that a rejected row is rejected whole.
    pub fn map_row(&mut self, row: &SourceRow) -> Result<Vec<Record>, MapError> {
        let mut out = RowRecords::default();
        self.map_row_in_place(row, &mut out)?;
        out.records.truncate(out.len);
        Ok(out.records)
    }

    /// [`Mapper::map_row`], into the records of the row mapped before (see [`RowRecords`]); none on an
    /// error.
    pub fn map_row_in_place(
        &mut self,
        row: &SourceRow,
        out: &mut RowRecords,
    ) -> Result<(), MapError> {
        out.len = 0;
        self.remember_lookups(row);
        let error = |message: String| MapError {
            table: row.table.to_string(),
            row: row.row,
            message,
        };
        let profile = self.profile;
        if !self
            .readers
            .as_ref()
            .is_some_and(|(table, _)| Arc::ptr_eq(table, &row.table))
        {
            let which = (profile.entities.iter().enumerate())
                .filter(|(_, entity)| entity.reads(&row.table))
                .map(|(i, _)| i)
                .collect();
            self.readers = Some((row.table.clone(), which));
        }
        let no_extra: [Extra<'p>; 1] = [Vec::new()];
        // Taken out for the loop, which lends `self` to each record's context; put back below.
        let mut plans = std::mem::take(&mut self.plans);
        let readers = self.readers.take();
        let mut to_dedup = std::mem::take(&mut self.to_dedup);
        to_dedup.clear();
        let which = readers.as_ref().map_or(&[][..], |(_, which)| which);
        let mapped = self.map_entities(
            row,
            profile,
            which,
            &mut plans,
            &no_extra,
            out,
            &mut to_dedup,
        );
        self.plans = plans;
        self.readers = readers;
        if let Err(message) = mapped {
            out.len = 0;
            self.to_dedup = to_dedup;
            return Err(error(message));
        }
        // In order, so that of two records of one row with the same id the first is kept. A dropped
        // record goes behind the row's records, to be filled again.
        let mut dropped = 0;
        for &at in &to_dedup {
            let at = at - dropped;
            if !self.seen.insert(id_hash(out.records[at].id())) {
                let kind = out.records[at].kind();
                *self.duplicates.entry(kind.table()).or_default() += 1;
                out.records[at..out.len].rotate_left(1);
                out.len -= 1;
                dropped += 1;
            }
        }
        self.to_dedup = to_dedup;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn map_entities(
        &self,
        row: &SourceRow,
        profile: &'p Profile,
        which: &[usize],
        plans: &mut [Option<FieldPlan<'p>>],
        no_extra: &[Extra<'p>; 1],
        out: &mut RowRecords,
        to_dedup: &mut Vec<usize>,
    ) -> Result<(), String> {
        for &i in which {
            let (entity, plan) = (&profile.entities[i], &mut plans[i]);
            let plan = if entity.explode.is_some() || row.sparse {
                None
            } else {
                if !plan
                    .as_ref()
                    .is_some_and(|p| Arc::ptr_eq(&p.columns, &row.columns))
                {
                    *plan = Some(FieldPlan::new(entity, &row.columns));
                }
                plan.as_ref()
            };
            let exploded: Vec<Extra<'p>>;
            let views: &[Extra<'p>] = match &entity.explode {
                None => no_extra,
                Some(x) => {
                    exploded = explode(x, row, &self.decoder)?;
                    &exploded
                }
            };
            for extra in views {
                let view = RowView {
                    row,
                    extra,
                    decoder: &self.decoder,
                };
                if entity.require.iter().any(|c| view.is_blank(c)) {
                    continue;
                }
                let mut ctx = RowContext {
                    mapper: self,
                    view,
                    entity,
                    plan,
                    market: Cow::Borrowed(&self.market),
                };
                ctx.take_market_from_row()?;
                ctx.prefetch_joins();
                if entity.dedup {
                    to_dedup.push(out.len);
                }
                ctx.fill(out.next_fitting(|r| ctx.fits(r), || ctx.blank()))?;
            }
        }
        Ok(())
    }

    fn remember_lookups(&mut self, row: &SourceRow) {
        for l in self
            .profile
            .lookups
            .iter()
            .filter(|l| crate::profile::table_matches(&l.table, &row.table))
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
                .insert(&k, &v);
        }
    }
}

/// The records of the row mapped last, filled in place over those of the rows before: each string of a
/// record keeps its memory from row to row, where an allocation and a free for each were a tenth of the
/// busiest thread of an ingest, and a record (a few hundred bytes) is never moved. Holds as many records
/// as the most a row has made.
#[derive(Debug, Default)]
pub struct RowRecords {
    records: Vec<Record>,
    /// The row's records are `records[..len]`; those behind them are kept to be filled again.
    len: usize,
}

impl RowRecords {
    /// The last row's records, for enrichment to complete them in place.
    pub fn as_mut_slice(&mut self) -> &mut [Record] {
        &mut self.records[..self.len]
    }

    /// The next record of the row: the one kept at its place if `fits` it, a `blank` one otherwise.
    fn next_fitting(
        &mut self,
        fits: impl Fn(&Record) -> bool,
        blank: impl FnOnce() -> Record,
    ) -> &mut Record {
        let at = self.len;
        match self.records.get_mut(at) {
            Some(kept) if fits(kept) => {}
            Some(kept) => *kept = blank(),
            None => self.records.push(blank()),
        }
        self.len += 1;
        &mut self.records[at]
    }
}

/// `to` made `value`, in the memory `to` has.
fn assign(to: &mut String, value: &str) {
    to.clear();
    to.push_str(value);
}

/// [`assign`], taking the value's own string where it has one (a rule made it).
fn assign_cow(to: &mut String, value: Cow<'_, str>) {
    match value {
        Cow::Borrowed(value) => assign(to, value),
        Cow::Owned(value) => *to = value,
    }
}

fn id_hash(id: &RecordId) -> u64 {
    let mut h = DefaultHasher::new();
    id.as_str().hash(&mut h);
    h.finish()
}

/// One set of extra columns per match of the pattern in the cell; none for a NULL or empty cell.
fn explode<'p>(
    x: &'p Explode,
    row: &SourceRow,
    decoder: &TextDecoder,
) -> Result<Vec<Extra<'p>>, String> {
    let text = match row.get(&x.column) {
        None => {
            return Err(format!(
                "column {:?} (to explode) is not in table {} (columns: {})",
                x.column,
                row.table,
                row.columns.join(", ")
            ));
        }
        Some(v) => decoder.text(&row.table, &x.column, v),
    };
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let regex = x.regex.regex();
    let names: Vec<&'p str> = x.regex.group_names().collect();
    let mut seen: HashMap<Vec<Option<&str>>, u64> = HashMap::new();
    let mut out = Vec::new();
    // A match of no text is no entry.
    for caps in regex
        .captures_iter(&text)
        .filter(|c| c.get(0).is_some_and(|m| !m.is_empty()))
    {
        let mut extra: Extra<'p> = names
            .iter()
            .map(|&n| (n, caps.name(n).map(|m| m.as_str().to_string())))
            .collect();
        extra.push((MATCH_COLUMN, Some((out.len() + 1).to_string())));
        let key: Vec<Option<&str>> = if x.occurrence_of.is_empty() {
            vec![caps.get(0).map(|m| m.as_str())]
        } else {
            x.occurrence_of
                .iter()
                .map(|n| caps.name(n).map(|m| m.as_str()))
                .collect()
        };
        let occurrence = seen.entry(key).or_default();
        *occurrence += 1;
        extra.push((OCCURRENCE_COLUMN, Some(occurrence.to_string())));
        out.push(extra);
    }
    Ok(out)
}

/// A source row as the field rules see it: its columns, and those `explode` added for one match.
#[derive(Clone, Copy)]
struct RowView<'a, 'p> {
    row: &'a SourceRow,
    extra: &'a Extra<'p>,
    /// Turns values that are not UTF-8 into text (see [`crate::encoding`]).
    decoder: &'a TextDecoder,
}

impl<'a> RowView<'a, '_> {
    /// `None` when there is no such column, `Some(None)` when the value is NULL.
    fn get(&self, column: &str) -> Option<Option<Cow<'a, str>>> {
        if let Some((_, v)) = self.extra.iter().find(|(n, _)| *n == column) {
            return Some(v.as_deref().map(Cow::Borrowed));
        }
        match self.row.get(column) {
            // A JSON object without the key: the field is unknown for this row.
            None if self.row.sparse => Some(None),
            None => None,
            Some(v) => Some(self.decoder.text(&self.row.table, column, v)),
        }
    }

    /// The value of the row's `index`th column, named `column`: [`Self::get`] without the search.
    fn at(&self, index: usize, column: &str) -> Option<Cow<'a, str>> {
        self.row
            .values
            .get(index)
            .and_then(|v| self.decoder.text(&self.row.table, column, v))
    }

    fn is_blank(&self, column: &str) -> bool {
        match self.get(column) {
            None | Some(None) => true,
            Some(Some(s)) => s.trim().is_empty(),
        }
    }

    fn no_column(&self, column: &str, field: &str) -> String {
        let mut columns: Vec<&str> = self.row.columns.iter().map(String::as_str).collect();
        columns.extend(self.extra.iter().map(|(n, _)| *n));
        format!(
            "column {column:?} (for {field}) is not in table {} (columns: {})",
            self.row.table,
            columns.join(", ")
        )
    }
}

struct RowContext<'a, 'p> {
    mapper: &'a Mapper<'p>,
    view: RowView<'a, 'p>,
    entity: &'a EntityMap,
    /// Where the fields are in this row, when the table's columns are fixed (see [`FieldPlan`]).
    plan: Option<&'a FieldPlan<'p>>,
    /// The source's market, or the row's when the entity has a `market` field.
    market: Cow<'a, str>,
}

type FieldResult<T> = Result<T, String>;

/// Market names become part of record ids: the same characters the CLI accepts for `--market`.
fn valid_market_name(market: &str) -> bool {
    !market.is_empty()
        && market
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The `trim` and `null_if` of a rule, and the rule that an empty text is no value.
fn clean<'s>(rule: &FieldRule, text: Cow<'s, str>) -> Option<Cow<'s, str>> {
    let text = if rule.trim {
        match text {
            Cow::Borrowed(s) => Cow::Borrowed(trim(s)),
            Cow::Owned(s) if trim(&s).len() == s.len() => Cow::Owned(s),
            Cow::Owned(s) => Cow::Owned(trim(&s).to_string()),
        }
    } else {
        text
    };
    if trim(&text).is_empty() || rule.null_if.iter().any(|n| *n == *text) {
        return None;
    }
    Some(text)
}

/// Whether a rule's text is its column's, only trimmed and checked against `null_if` by [`clean`]: no
/// constant, template, pattern or translation (it may still parse the text as a number or a time).
fn takes_text_as_is(rule: &FieldRule) -> bool {
    let FieldRule {
        column: _,
        constant,
        template,
        trim: _,
        null_if: _,
        regex,
        via,
        map,
        default: _,
        parse: _,
        scale: _,
        lowercase,
        hash,
        relative_to: _,
    } = rule;
    constant.is_none()
        && template.is_none()
        && regex.is_none()
        && via.is_none()
        && map.is_empty()
        && !lowercase
        && !hash
}

/// `str::trim`, without decoding characters at either end when both are ASCII and not white space, as
/// nearly every value is: trimming every field of every row was a hundredth of an ingest.
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if is_plain_ascii(*a) && is_plain_ascii(*z) => s,
        _ => s.trim(),
    }
}

fn is_plain_ascii(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0b
}

impl<'a> RowContext<'a, '_> {
    fn market(&self) -> &str {
        &self.market
    }

    fn take_market_from_row(&mut self) -> FieldResult<()> {
        if self.slot(f::MARKET).is_none() {
            return Ok(());
        }
        let market = self
            .text(f::MARKET)?
            .ok_or("market is empty or NULL (this profile takes the market from the row)")?;
        if !valid_market_name(&market) {
            return Err(format!(
                "market {market:?} must be letters, digits, '-' or '_' (it becomes part of record ids; \
                 map it in the profile)"
            ));
        }
        self.market = Cow::Owned(market);
        Ok(())
    }

    /// Points `at` at this row. The two shared strings are the same for row after row of a table, and
    /// are then left as they are: replacing them costs two atomic decrements and two increments a
    /// record, on the thread that makes every record.
    fn set_provenance(&self, at: &mut Provenance) {
        let row = self.view.row;
        let Provenance {
            src_sha256,
            src_table,
            src_row,
            src_offset,
            src_len,
        } = at;
        if !Arc::ptr_eq(src_sha256, &self.mapper.source_sha256) {
            *src_sha256 = self.mapper.source_sha256.clone();
        }
        if !Arc::ptr_eq(src_table, &row.table) {
            *src_table = row.table.clone();
        }
        *src_row = row.row;
        *src_offset = row.offset;
        *src_len = row.len;
    }

    /// The field's value as text after every text rule (see [`FieldRule`]); `None` when absent, NULL or
    /// empty.
    fn text(&self, field: Field) -> FieldResult<Option<String>> {
        Ok(self.text_ref(field)?.map(Cow::into_owned))
    }

    /// [`Self::text`], borrowed from the row where no rule changed it: references, ids, numbers and times
    /// are made from it without a `String` of their own.
    fn text_ref(&self, field: Field) -> FieldResult<Option<Cow<'_, str>>> {
        static DEFAULT_RULE: std::sync::LazyLock<FieldRule> =
            std::sync::LazyLock::new(FieldRule::default);
        let Some(FieldSlot { spec, column: at }) = self.slot(field) else {
            return Ok(None);
        };
        // A column at a known place, taken as it is (a plain column, or a rule that only parses or
        // trims it), as most fields are: what the steps below make of it, without asking each in turn.
        if let Some(index) = at {
            match spec {
                FieldSpec::Column(c) => {
                    return Ok(self.view.at(index, c).filter(|t| !trim(t).is_empty()));
                }
                FieldSpec::Rule(r) if takes_text_as_is(r) => {
                    if let Some(c) = r.column.as_deref() {
                        return Ok(self.view.at(index, c).and_then(|t| clean(r, t)));
                    }
                }
                FieldSpec::Rule(_) => {}
            }
        }
        let (column, rule) = match spec {
            FieldSpec::Column(c) => (Some(c.as_str()), &*DEFAULT_RULE),
            FieldSpec::Rule(r) => (r.column.as_deref(), &**r),
        };
        let raw: Option<Cow<'_, str>> = if let Some(c) = &rule.constant {
            Some(Cow::Borrowed(c.as_str()))
        } else if let Some(template) = &rule.template {
            let filled = template.render(|name| {
                self.view
                    .get(name)
                    .map(|v| v.and_then(|text| clean(rule, text)))
            });
            match filled {
                Ok(s) => Some(Cow::Owned(s)),
                Err(TemplateGap::Empty(_)) => None,
                Err(TemplateGap::NoColumn(c)) => return Err(self.view.no_column(&c, field.name)),
            }
        } else if let (Some(col), Some(index)) = (column, at) {
            self.view.at(index, col)
        } else if let Some(col) = column {
            match self.view.get(col) {
                None => return Err(self.view.no_column(col, field.name)),
                Some(v) => v,
            }
        } else {
            None
        };
        let Some(text) = raw.and_then(|t| clean(rule, t)) else {
            return Ok(None);
        };
        let text = match &rule.regex {
            None => text,
            Some(pattern) => {
                let cut = pattern
                    .extract(&text)
                    .map(|m| if rule.trim { m.trim() } else { m });
                match cut {
                    Some(m) if !m.trim().is_empty() => Cow::Owned(m.to_string()),
                    _ => return Ok(None),
                }
            }
        };
        let translated = rule.via.is_some() || !rule.map.is_empty() || rule.lowercase || rule.hash;
        if !translated {
            return Ok(Some(text));
        }
        // Borrowed from the lookup or the profile's map where the rule only translates: a join
        // through another table (an order's listing through its offer) copies nothing.
        let mut value = text;
        if let Some(via) = &rule.via {
            match self
                .mapper
                .lookups
                .get(via.as_str())
                .and_then(|m| m.get(value.as_ref()))
            {
                Some(v) => value = Cow::Borrowed(v),
                // A dangling reference (an order whose offer was deleted) leaves the field unknown; the
                // record itself is still evidence.
                None => return Ok(None),
            }
        }
        if !rule.map.is_empty() {
            value = match (rule.map.get(value.as_ref()), &rule.default) {
                (Some(v), _) => Cow::Borrowed(v.as_str()),
                (None, Some(d)) => Cow::Borrowed(d.as_str()),
                (None, None) => {
                    return Err(format!(
                        "{field}: value {value:?} is not one the profile knows ({})",
                        rule.map.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
            };
        }
        if rule.lowercase {
            value = Cow::Owned(value.to_lowercase());
        }
        if rule.hash {
            value = Cow::Owned(short_hash(&value));
        }
        Ok(Some(value))
    }

    /// The text of a field mapped straight from a column at a known place whose value is UTF-8 kept as it
    /// is, as most are: `Some(None)` when it is empty. `None` sends the caller to [`Self::text_ref`].
    ///
    /// Inlined into the setters, the text stays in registers: handed back as a `Cow` from
    /// [`Self::text_ref`], it went through memory in a way that stalled the load of every field (a third
    /// of `text_ref`'s time in the profile).
    #[inline]
    fn plain_text(&self, field: Field) -> Option<Option<&'a str>> {
        let FieldSlot {
            spec: FieldSpec::Column(_),
            column: Some(index),
        } = self.plan?.fields[usize::from(field.at)]?
        else {
            return None;
        };
        let text = self
            .view
            .decoder
            .utf8_text(self.view.row.values.get(index)?)?;
        Some((!trim(text).is_empty()).then_some(text))
    }

    /// Asks the memory for the values the record's joins will read, before the record is filled: a
    /// lookup is consulted at a random key (an order's offer) while a gigabyte streams through the
    /// caches, so its slot comes from memory each time. The later a record fills a joined field, the
    /// more of that wait is hidden (an order fills its listing last).
    fn prefetch_joins(&self) {
        let Some(plan) = self.plan else {
            return;
        };
        for &(column, via) in &plan.joins {
            let key = self.view.row.values.get(column).and_then(|v| v.as_text());
            if let (Some(key), Some(table)) = (key, self.mapper.lookups.get(via)) {
                table.prefetch(key);
            }
        }
    }

    /// How a field is mapped, and where its column is in this row when that is known without a search.
    fn slot(&self, field: Field) -> Option<FieldSlot<'_>> {
        match self.plan {
            Some(plan) => plan.fields[usize::from(field.at)],
            None => self
                .entity
                .fields
                .get(field.name)
                .map(|spec| FieldSlot { spec, column: None }),
        }
    }

    fn rule(&self, field: Field) -> Option<&FieldRule> {
        match self.slot(field)?.spec {
            FieldSpec::Rule(r) => Some(r),
            FieldSpec::Column(_) => None,
        }
    }

    fn required_text(&self, field: Field) -> FieldResult<String> {
        self.text(field)?
            .ok_or_else(|| format!("{field} is empty or NULL"))
    }

    fn number(&self, field: Field) -> FieldResult<Option<f64>> {
        let s = match self.plain_text(field) {
            Some(text) => text.map(Cow::Borrowed),
            None => self.text_ref(field)?,
        };
        let Some(s) = s else {
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

    fn time(&self, field: Field) -> FieldResult<Option<i64>> {
        let s = match self.plain_text(field) {
            Some(text) => text.map(Cow::Borrowed),
            None => self.text_ref(field)?,
        };
        let Some(s) = s else {
            return Ok(None);
        };
        let rule = self.rule(field);
        if rule.is_some_and(|r| r.parse == Some(ParseRule::Number)) {
            return Err(format!(
                "{field}: a time field cannot use parse = \"number\""
            ));
        }
        let Some(anchor_column) = rule.and_then(|r| r.relative_to.as_deref()) else {
            return parse_time(&s).map_err(|why| format!("{field}: {why}"));
        };
        let anchor = match self.view.get(anchor_column) {
            None => return Err(self.view.no_column(anchor_column, field.name)),
            Some(v) => v.filter(|t| !t.trim().is_empty()),
        };
        let anchor = anchor
            .ok_or_else(|| {
                format!(
                    "{field}: cannot place {s:?} in time: its anchor {anchor_column:?} is empty"
                )
            })
            .and_then(|a| {
                parse_time(&a)
                    .map_err(|why| format!("{field}: anchor {anchor_column:?}: {why}"))?
                    .ok_or_else(|| format!("{field}: anchor {anchor_column:?} is no date"))
            })?;
        resolve_relative_time(&s, anchor).map_err(|why| format!("{field}: {why}"))
    }

    /// A blank record of the entity's kind, to be filled by [`RowContext::fill`]. Its values are
    /// placeholders `fill` overwrites, which is why the model's types have no `Default`: a default
    /// account role or order state elsewhere would be a claim about evidence.
    fn blank(&self) -> Record {
        let id = || RecordId::from_stored(String::new());
        let provenance = Provenance::default;
        match self.entity.kind {
            TargetKind::Account => Record::Account(Account {
                id: id(),
                market: String::new(),
                name: String::new(),
                role: AccountRole::Buyer,
                created_at: None,
                profile: None,
                provenance: provenance(),
            }),
            TargetKind::Listing => Record::Listing(Listing {
                id: id(),
                market: String::new(),
                vendor_id: None,
                title: String::new(),
                description: None,
                category: None,
                price: None,
                currency: None,
                ships_from: None,
                ships_to: None,
                created_at: None,
                provenance: provenance(),
            }),
            TargetKind::Order => Record::Order(Order {
                id: id(),
                market: String::new(),
                listing_id: None,
                buyer_id: None,
                vendor_id: None,
                quantity: None,
                amount: None,
                currency: None,
                state: OrderState::Unknown,
                state_raw: None,
                created_at: None,
                provenance: provenance(),
            }),
            TargetKind::Feedback => Record::Feedback(Feedback {
                id: id(),
                market: String::new(),
                order_id: None,
                listing_id: None,
                vendor_id: None,
                buyer_id: None,
                rating: None,
                comment: None,
                created_at: None,
                provenance: provenance(),
            }),
            TargetKind::Message => Record::Message(Message {
                id: id(),
                market: String::new(),
                sender_id: None,
                recipient_id: None,
                subject: None,
                body: String::new(),
                created_at: None,
                provenance: provenance(),
            }),
            TargetKind::PgpKey => Record::PgpKey(PgpKey {
                id: id(),
                market: String::new(),
                account_id: None,
                armored: String::new(),
                fingerprint: None,
                parse_error: None,
                found_in: None,
                provenance: provenance(),
            }),
            TargetKind::CryptoAddress => Record::CryptoAddress(CryptoAddress {
                id: id(),
                market: String::new(),
                account_id: None,
                address: String::new(),
                coin: String::new(),
                purpose: None,
                found_in: None,
                provenance: provenance(),
            }),
            TargetKind::ContactHandle => Record::ContactHandle(ContactHandle {
                id: id(),
                market: String::new(),
                account_id: None,
                kind: String::new(),
                handle: String::new(),
                raw: String::new(),
                found_in: None,
                provenance: provenance(),
            }),
            TargetKind::ShippingInfo => Record::ShippingInfo(ShippingInfo {
                id: id(),
                market: String::new(),
                order_id: None,
                buyer_id: None,
                vendor_id: None,
                text: String::new(),
                encrypted: false,
                provenance: provenance(),
            }),
            TargetKind::PhotoRef => Record::PhotoRef(PhotoRef {
                id: id(),
                market: String::new(),
                listing_id: None,
                account_id: None,
                reference: String::new(),
                provenance: provenance(),
            }),
        }
    }

    /// Whether `record` is of the kind this entity makes, and can be filled by it.
    fn fits(&self, record: &Record) -> bool {
        record.kind() == self.entity.kind.entity_kind()
    }

    /// Overwrites every field of `record` (a blank one, or one of an earlier row, of the entity's kind:
    /// see [`RowContext::fits`]) with this row's values, in the memory its strings already have. Every
    /// struct is taken apart without `..`, so that a field added to the model cannot be left holding an
    /// earlier row's value: the compiler names it. On an error the record is half-filled, and only fit
    /// to be filled again.
    fn fill(&self, record: &mut Record) -> FieldResult<()> {
        match record {
            Record::Account(Account {
                id,
                market,
                name,
                role,
                created_at,
                profile,
                provenance: at,
            }) => {
                *role = match self.text_ref(f::ROLE)? {
                    None => AccountRole::Buyer,
                    Some(r) => AccountRole::parse(&r).ok_or_else(|| {
                        format!("role: {r:?} is not vendor, buyer or staff (map it in the profile)")
                    })?,
                };
                self.set_id(id, EntityKind::Account)?;
                assign(market, self.market());
                self.set_required_text(name, f::NAME)?;
                *created_at = self.time(f::CREATED_AT)?;
                self.set_text(profile, f::PROFILE)?;
                self.set_provenance(at);
            }
            Record::Listing(Listing {
                id,
                market,
                vendor_id,
                title,
                description,
                category,
                price,
                currency,
                ships_from,
                ships_to,
                created_at,
                provenance: at,
            }) => {
                self.set_id(id, EntityKind::Listing)?;
                assign(market, self.market());
                self.set_reference(vendor_id, f::VENDOR, EntityKind::Account)?;
                self.set_required_text(title, f::TITLE)?;
                self.set_text(description, f::DESCRIPTION)?;
                self.set_text(category, f::CATEGORY)?;
                *price = self.number(f::PRICE)?;
                self.set_text(currency, f::CURRENCY)?;
                self.set_text(ships_from, f::SHIPS_FROM)?;
                self.set_text(ships_to, f::SHIPS_TO)?;
                *created_at = self.time(f::CREATED_AT)?;
                self.set_provenance(at);
            }
            Record::Order(Order {
                id,
                market,
                listing_id,
                buyer_id,
                vendor_id,
                quantity,
                amount,
                currency,
                state,
                state_raw,
                created_at,
                provenance: at,
            }) => {
                // The listing, joined through the order's offer as a rule, is filled last, so that
                // its lookup, asked for before the record is filled (`prefetch_joins`), has arrived.
                self.set_raw_text(state_raw, f::STATE);
                *state = match self.text_ref(f::STATE)? {
                    None => OrderState::Unknown,
                    Some(s) => OrderState::parse(&s).ok_or_else(|| {
                        format!("state: {s:?} is not a model order state (map it in the profile)")
                    })?,
                };
                self.set_id(id, EntityKind::Order)?;
                assign(market, self.market());
                self.set_reference(buyer_id, f::BUYER, EntityKind::Account)?;
                self.set_reference(vendor_id, f::VENDOR, EntityKind::Account)?;
                *quantity = self.number(f::QUANTITY)?;
                *amount = self.number(f::AMOUNT)?;
                self.set_text(currency, f::CURRENCY)?;
                *created_at = self.time(f::CREATED_AT)?;
                self.set_reference(listing_id, f::LISTING, EntityKind::Listing)?;
                self.set_provenance(at);
            }
            Record::Feedback(Feedback {
                id,
                market,
                order_id,
                listing_id,
                vendor_id,
                buyer_id,
                rating,
                comment,
                created_at,
                provenance: at,
            }) => {
                *rating = self.number(f::RATING)?;
                if let Some(r) = *rating
                    && !(0.0..=5.0).contains(&r)
                {
                    return Err(format!(
                        "rating: {r} is outside 0–5 stars (scale it in the profile)"
                    ));
                }
                self.set_id(id, EntityKind::Feedback)?;
                assign(market, self.market());
                self.set_reference(order_id, f::ORDER, EntityKind::Order)?;
                self.set_reference(listing_id, f::LISTING, EntityKind::Listing)?;
                self.set_reference(vendor_id, f::VENDOR, EntityKind::Account)?;
                self.set_reference(buyer_id, f::BUYER, EntityKind::Account)?;
                self.set_text(comment, f::COMMENT)?;
                *created_at = self.time(f::CREATED_AT)?;
                self.set_provenance(at);
            }
            Record::Message(Message {
                id,
                market,
                sender_id,
                recipient_id,
                subject,
                body,
                created_at,
                provenance: at,
            }) => {
                self.set_id(id, EntityKind::Message)?;
                assign(market, self.market());
                self.set_reference(sender_id, f::SENDER, EntityKind::Account)?;
                self.set_reference(recipient_id, f::RECIPIENT, EntityKind::Account)?;
                self.set_text(subject, f::SUBJECT)?;
                match self.text_ref(f::BODY)? {
                    Some(text) => assign_cow(body, text),
                    None => body.clear(),
                }
                *created_at = self.time(f::CREATED_AT)?;
                self.set_provenance(at);
            }
            Record::PgpKey(PgpKey {
                id,
                market,
                account_id,
                armored,
                fingerprint,
                parse_error,
                found_in,
                provenance: at,
            }) => {
                self.set_id(id, EntityKind::PgpKey)?;
                assign(market, self.market());
                self.set_reference(account_id, f::ACCOUNT, EntityKind::Account)?;
                self.set_required_text(armored, f::ARMORED)?;
                // Enrichment's, from the key itself.
                *fingerprint = None;
                *parse_error = None;
                *found_in = None;
                self.set_provenance(at);
            }
            Record::CryptoAddress(CryptoAddress {
                id,
                market,
                account_id,
                address,
                coin,
                purpose,
                found_in,
                provenance: at,
            }) => {
                self.set_id(id, EntityKind::CryptoAddress)?;
                assign(market, self.market());
                self.set_reference(account_id, f::ACCOUNT, EntityKind::Account)?;
                assign(address, self.required_text(f::ADDRESS)?.trim());
                *coin = self.required_text(f::COIN)?.to_lowercase();
                self.set_text(purpose, f::PURPOSE)?;
                *found_in = None;
                self.set_provenance(at);
            }
            Record::ContactHandle(ContactHandle {
                id,
                market,
                account_id,
                kind,
                handle,
                raw,
                found_in,
                provenance: at,
            }) => {
                self.set_required_text(raw, f::HANDLE)?;
                self.set_id(id, EntityKind::ContactHandle)?;
                assign(market, self.market());
                self.set_reference(account_id, f::ACCOUNT, EntityKind::Account)?;
                *kind = self.required_text(f::KIND)?.to_lowercase();
                *handle = raw.trim().trim_start_matches('@').to_lowercase();
                *found_in = None;
                self.set_provenance(at);
            }
            Record::ShippingInfo(ShippingInfo {
                id,
                market,
                order_id,
                buyer_id,
                vendor_id,
                text,
                encrypted,
                provenance: at,
            }) => {
                self.set_required_text(text, f::TEXT)?;
                self.set_id(id, EntityKind::ShippingInfo)?;
                assign(market, self.market());
                self.set_reference(order_id, f::ORDER, EntityKind::Order)?;
                self.set_reference(buyer_id, f::BUYER, EntityKind::Account)?;
                self.set_reference(vendor_id, f::VENDOR, EntityKind::Account)?;
                *encrypted = PGP_MESSAGE.find(text.as_bytes()).is_some();
                self.set_provenance(at);
            }
            Record::PhotoRef(PhotoRef {
                id,
                market,
                listing_id,
                account_id,
                reference,
                provenance: at,
            }) => {
                self.set_id(id, EntityKind::PhotoRef)?;
                assign(market, self.market());
                self.set_reference(listing_id, f::LISTING, EntityKind::Listing)?;
                self.set_reference(account_id, f::ACCOUNT, EntityKind::Account)?;
                self.set_required_text(reference, f::REFERENCE)?;
                self.set_provenance(at);
            }
            Record::ImageFile(_) => {
                return Err("image files are made from the files themselves, not mapped".into());
            }
        }
        Ok(())
    }

    fn set_id(&self, id: &mut RecordId, kind: EntityKind) -> FieldResult<()> {
        if let Some(key) = self.plain_text(f::NATIVE_KEY) {
            id.assign(
                self.market(),
                kind,
                key.ok_or("native_key is empty or NULL")?,
            );
            return Ok(());
        }
        let key = self
            .text_ref(f::NATIVE_KEY)?
            .ok_or("native_key is empty or NULL")?;
        id.assign(self.market(), kind, &key);
        Ok(())
    }

    fn set_reference(
        &self,
        to: &mut Option<RecordId>,
        field: Field,
        kind: EntityKind,
    ) -> FieldResult<()> {
        if let Some(key) = self.plain_text(field) {
            match (key, to.as_mut()) {
                (None, _) => *to = None,
                (Some(key), Some(id)) => id.assign(self.market(), kind, key),
                (Some(key), None) => *to = Some(RecordId::new(self.market(), kind, key)),
            }
            return Ok(());
        }
        match (self.text_ref(field)?, to.as_mut()) {
            (None, _) => *to = None,
            (Some(key), Some(id)) => id.assign(self.market(), kind, &key),
            (Some(key), None) => *to = Some(RecordId::new(self.market(), kind, &key)),
        }
        Ok(())
    }

    fn set_text(&self, to: &mut Option<String>, field: Field) -> FieldResult<()> {
        if let Some(text) = self.plain_text(field) {
            match (text, to.as_mut()) {
                (None, _) => *to = None,
                (Some(text), Some(s)) => assign(s, text),
                (Some(text), None) => *to = Some(text.to_string()),
            }
            return Ok(());
        }
        match (self.text_ref(field)?, to.as_mut()) {
            (None, _) => *to = None,
            (Some(text), Some(s)) => assign_cow(s, text),
            (Some(text), None) => *to = Some(text.into_owned()),
        }
        Ok(())
    }

    fn set_required_text(&self, to: &mut String, field: Field) -> FieldResult<()> {
        if let Some(text) = self.plain_text(field) {
            assign(to, text.ok_or_else(|| format!("{field} is empty or NULL"))?);
            return Ok(());
        }
        let text = self
            .text_ref(field)?
            .ok_or_else(|| format!("{field} is empty or NULL"))?;
        assign_cow(to, text);
        Ok(())
    }

    /// The source's own text for a field, before mapping (kept for the record, e.g. a market's order
    /// state), into `to`.
    fn set_raw_text(&self, to: &mut Option<String>, field: Field) {
        let text = self.slot(field).and_then(|FieldSlot { spec, column }| {
            let col = spec.column()?;
            match column {
                Some(index) => self.view.at(index, col),
                None => self.view.get(col).flatten(),
            }
        });
        match (text, to.as_mut()) {
            (None, _) => *to = None,
            (Some(text), Some(s)) => assign_cow(s, text),
            (Some(text), None) => *to = Some(text.into_owned()),
        }
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
/// ISO 8601 / RFC 3339, RFC 2822 (`Tue, 1 Jul 2003 10:52:37 +0200`), a bare date (midnight UTC) as
/// `2014-01-05`, `2014/01/05`, `Jan 5, 2014`, `January 5 2014` or `5 Jan 2014`. Times without a zone are
/// taken as UTC, which is how market software stores them. MySQL's zero date means "no date". All-numeric
/// dates such as `01/02/2014` are refused: day and month cannot be told apart.
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
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Ok(Some(t.timestamp()));
    }
    // chrono takes "1/5/14" as 5 May of year 1: a numeric date must start with a four-digit year.
    let year_first = s.len() > 4 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    let numeric: &[&str] = if year_first {
        &["%Y-%m-%d", "%Y/%m/%d"]
    } else {
        &[]
    };
    let tail = s
        .as_bytes()
        .rsplit(|b| !b.is_ascii_digit())
        .next()
        .unwrap_or_default();
    let named: &[&str] = if tail.len() == 4 {
        &[
            "%b %d, %Y",
            "%b %d %Y",
            "%d %b %Y",
            "%B %d, %Y",
            "%B %d %Y",
            "%d %B %Y",
        ]
    } else {
        &[]
    };
    for f in numeric.iter().chain(named) {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Ok(Some(
                d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
            ));
        }
    }
    Err(format!("cannot read {s:?} as a time"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;
    use std::sync::Arc;

    #[test]
    fn every_field_a_profile_may_map_has_its_own_place() {
        for (i, field) in FIELDS.iter().enumerate() {
            assert_eq!(usize::from(field.at), i, "{field}");
        }
        let names: HashSet<&str> = FIELDS.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), FIELDS.len(), "a field listed twice");
        for kind in [
            TargetKind::Account,
            TargetKind::Listing,
            TargetKind::Order,
            TargetKind::Feedback,
            TargetKind::Message,
            TargetKind::PgpKey,
            TargetKind::CryptoAddress,
            TargetKind::ContactHandle,
            TargetKind::ShippingInfo,
            TargetKind::PhotoRef,
        ] {
            for name in crate::profile::allowed_fields(kind) {
                assert!(field_named(name).is_some(), "{kind:?}.{name} has no place");
            }
        }
        assert_eq!(f::MARKET.name, crate::profile::MARKET_FIELD);
    }

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

    /// The entities reading a table are found once per table and kept while its rows come; rows of
    /// tables taking turns (nested JSON), and one table's name in separate allocations, must still reach
    /// exactly the entities whose patterns match.
    #[test]
    fn rows_of_tables_taking_turns_reach_their_own_entities() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "account"
table = "users"
fields = { native_key = "id", name = "name" }
[[entity]]
kind = "listing"
table = "item*"
fields = { native_key = "id", title = "title" }
[[entity]]
kind = "pgp_key"
table = "users"
require = ["key"]
fields = { native_key = "id", account = "id", armored = "key" }
"#,
        );
        let mut m = Mapper::new(&p, "abyss", "ab12");
        let user = |key: Option<&str>| {
            row(
                "users",
                &["id", "name", "key"],
                &[Some("u1"), Some("ann"), key],
            )
        };
        let item = |table: &str| row(table, &["id", "title"], &[Some("i1"), Some("M30 blues")]);
        let kinds =
            |records: Vec<Record>| records.iter().map(|r| r.kind().table()).collect::<Vec<_>>();
        let mut seen = Vec::new();
        for (i, r) in [
            user(Some("K")),
            item("items"),
            user(None),
            item("items_old"),
            item("other"),
        ]
        .iter()
        .enumerate()
        {
            let out = m.map_row(r).unwrap_or_else(|e| panic!("row {i}: {e}"));
            seen.push(kinds(out));
        }
        assert_eq!(
            seen,
            vec![
                vec!["accounts", "pgp_keys"],
                vec!["listings"],
                vec!["accounts"],
                vec!["listings"],
                vec![],
            ]
        );
        // Same table, same Arc: the cache is used, and still right.
        let shared = user(Some("K2"));
        let again = SourceRow {
            table: shared.table.clone(),
            ..user(None)
        };
        assert_eq!(
            kinds(m.map_row(&shared).unwrap()),
            vec!["accounts", "pgp_keys"]
        );
        assert_eq!(kinds(m.map_row(&again).unwrap()), vec!["accounts"]);
    }

    /// Every kind the mapper makes, each from a table of columns `a`–`h`, so that any row can feed any
    /// entity: several entities per table, and tables taking turns, make records of one kind fill those
    /// of another.
    const EVERY_KIND: &str = r#"name = "every-kind"
[[lookup]]
name = "b_to_e"
table = "t2"
key = "b"
value = "e"
[[entity]]
kind = "feedback"
table = "t1"
dedup = true
explode = { column = "h", regex = '(?P<n>[0-9])(?P<w>[a-z ]*)' }
fields = { native_key = { template = "{a}-{#occurrence}" }, listing = { column = "b", via = "b_to_e" }, rating = "n", comment = { column = "w", trim = true, lowercase = true } }
[[entity]]
kind = "message"
table = "t2"
dedup = true
fields = { native_key = { column = "c", lowercase = true }, market = "g", body = "a", sender = { column = "b", via = "b_to_e" } }
[[entity]]
kind = "account"
table = "t1"
fields = { native_key = "a", name = "b", role = "c", created_at = "d", profile = "e" }
[[entity]]
kind = "pgp_key"
table = "t1"
fields = { native_key = "a", account = "a", armored = "f" }
[[entity]]
kind = "listing"
table = "t2"
fields = { native_key = "a", vendor = "b", title = "c", description = "d", category = "e", price = "f", currency = "g", ships_from = "h", ships_to = "b", created_at = "d" }
[[entity]]
kind = "order"
table = "t2"
fields = { native_key = "a", listing = "b", buyer = "c", vendor = "e", quantity = "f", amount = "f", currency = "g", state = "h", created_at = "d" }
[[entity]]
kind = "feedback"
table = "t3"
fields = { native_key = "a", order = "b", listing = "c", vendor = "e", buyer = "g", rating = "f", comment = "h", created_at = "d" }
[[entity]]
kind = "message"
table = "t3"
fields = { native_key = "a", sender = "b", recipient = "c", subject = "e", body = "h", created_at = "d" }
[[entity]]
kind = "shipping_info"
table = "t1"
fields = { native_key = "a", order = "b", buyer = "c", vendor = "e", text = "h" }
[[entity]]
kind = "crypto_address"
table = "t3"
fields = { native_key = "a", account = "b", address = "c", coin = "e", purpose = "g" }
[[entity]]
kind = "contact_handle"
table = "t2"
fields = { native_key = "a", account = "b", kind = "e", handle = "c" }
[[entity]]
kind = "photo_ref"
table = "t1"
fields = { native_key = "a", listing = "b", account = "c", reference = "h" }
"#;

    /// Values of every shape a field meets: absent, empty, long, numeric, a date, a role and a state the
    /// model knows, and values some fields refuse (a rating of 9 stars, an unknown state).
    fn a_value() -> impl proptest::strategy::Strategy<Value = Option<String>> {
        use proptest::prelude::*;
        prop_oneof![
            Just(None),
            Just(Some(String::new())),
            Just(Some("vendor".to_string())),
            Just(Some("shipped".to_string())),
            Just(Some("2021-03-04 05:06:07".to_string())),
            Just(Some("9".to_string())),
            (0u32..6).prop_map(|n| Some(n.to_string())),
            "[a-z@ ]{1,40}".prop_map(Some),
            "[A-Za-z0-9 ]{100,300}".prop_map(Some),
        ]
    }

    proptest::proptest! {
        /// The shortcut of [`trim`] trims exactly as `str::trim` does, white space of every kind at
        /// either end included.
        #[test]
        fn trim_is_str_trim(s in "[ \\t\\n\\x0b\\x0c\\r\\x1c\\x85\\u{a0}\\u{3000}a-z\\x00\\x7f\\u{e9}]{0,6}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }

    proptest::proptest! {
        /// A record filled in place over an earlier row's record (of any kind, complete or half-filled by
        /// a row that failed) is the record a blank one would have become: no value of an earlier row
        /// survives in it.
        #[test]
        fn records_filled_in_place_hold_nothing_of_earlier_rows(
            rows in proptest::collection::vec(
                (1usize..4, proptest::collection::vec(a_value(), 8)),
                1..40,
            )
        ) {
            let p = profile(EVERY_KIND);
            let mut in_place = Mapper::new(&p, "abyss", "ab12");
            let mut fresh = Mapper::new(&p, "abyss", "ab12");
            let mut records = RowRecords::default();
            let columns = ["a", "b", "c", "d", "e", "f", "g", "h"];
            for (table, values) in &rows {
                let values: Vec<Option<&str>> = values.iter().map(|v| v.as_deref()).collect();
                let r = row(&format!("t{table}"), &columns, &values);
                let expected = fresh.map_row(&r).map_err(|e| e.to_string());
                let got = in_place
                    .map_row_in_place(&r, &mut records)
                    .map(|()| records.as_mut_slice().to_vec())
                    .map_err(|e| e.to_string());
                proptest::prop_assert_eq!(got, expected);
                // What enrichment writes into records once they are mapped.
                for record in records.as_mut_slice() {
                    match record {
                        Record::PgpKey(k) => {
                            k.fingerprint = Some("stale".into());
                            k.parse_error = Some("stale".into());
                            k.found_in = Some("stale".into());
                        }
                        Record::CryptoAddress(a) => a.found_in = Some("stale".into()),
                        Record::ContactHandle(h) => h.found_in = Some("stale".into()),
                        _ => {}
                    }
                }
            }
        }

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
        // 2014-01-05 00:00:00 UTC = 1388880000.
        for day in [
            "2014/01/05",
            "Jan 5, 2014",
            "Jan 05 2014",
            "January 5, 2014",
            "5 Jan 2014",
            "05 january 2014",
        ] {
            assert_eq!(parse_time(day), Ok(Some(1_388_880_000)), "{day}");
        }
        assert_eq!(
            parse_time("Fri, 01 May 2020 15:02:11 +0200"),
            Ok(Some(1588338131))
        );
        for ambiguous in ["01/05/2014", "05.01.2014", "1/5/14", "Jan 5, 14"] {
            assert!(parse_time(ambiguous).is_err(), "{ambiguous}");
        }
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
        let values = [
            Some("o1"),
            Some("5"),
            Some("3"),
            Some("0.01500000"),
            Some("btc"),
            Some("sent"),
            Some("2020-05-01 13:02:11"),
        ];
        let recs = m.map_row(&row("purchases", &cols, &values)).unwrap();
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
        // The same row as one whose columns may vary from row to row (a JSON row), read without a plan:
        // every field, the source's state text included, found by name instead, to the same record.
        let mut sparse = row("purchases", &cols, &values);
        sparse.sparse = true;
        assert_eq!(m.map_row(&sparse).unwrap(), recs);
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

    fn one(recs: &[Record]) -> &Record {
        let [r] = recs else { panic!("{recs:?}") };
        r
    }

    #[test]
    fn regex_trim_and_null_if_clean_text() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "listing"
table = "*"
[entity.fields]
native_key = { column = "list", regex = '^\d{4}-\d\d-\d\d__(.+)\.html$' }
title = { column = "product", trim = true }
ships_from = { column = "from", trim = true, null_if = ["NA"], regex = '(?s)^(?:From:\s*)?(.*?)(?:\s+To:.*)?$' }
ships_to = { column = "to", trim = true, null_if = ["NA"] }
price = { column = "price", regex = '[\d.]+', parse = "number" }
"#,
        );
        let mut m = Mapper::new(&p, "agora", "s");
        let cols = ["list", "product", "from", "to", "price"];
        let recs = m
            .map_row(&row(
                "products-2014-02-01",
                &cols,
                &[
                    Some("2014-02-01__a1BkWE.html"),
                    Some("\n   5g MDMA \n "),
                    Some(" From: USA To: USA "),
                    Some("\n    NA\n"),
                    Some("0.5 BTC"),
                ],
            ))
            .unwrap();
        let Record::Listing(l) = one(&recs) else {
            panic!()
        };
        assert_eq!(l.id.as_str(), "agora/listing/a1BkWE");
        assert_eq!(l.title, "5g MDMA");
        assert_eq!(l.ships_from.as_deref(), Some("USA"));
        assert_eq!(l.ships_to, None, "NA after trimming is no value");
        assert_eq!(
            l.price,
            Some(0.5),
            "the whole match when the pattern has no group"
        );
        // No match leaves an optional field absent, and a required one missing.
        let recs = m
            .map_row(&row(
                "x",
                &cols,
                &[
                    Some("2014-02-01__b.html"),
                    Some("t"),
                    Some("\n\n"),
                    None,
                    Some("free"),
                ],
            ))
            .unwrap();
        let Record::Listing(l) = one(&recs) else {
            panic!()
        };
        assert_eq!((l.ships_from.as_deref(), l.price), (None, None));
        let err = m
            .map_row(&row(
                "x",
                &cols,
                &[Some("b.html"), Some("t"), None, None, None],
            ))
            .unwrap_err();
        assert_eq!(err.message, "native_key is empty or NULL");
    }

    #[test]
    fn templates_build_keys_from_several_columns_and_hash_them() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "listing"
table = "panacea_scrape"
[entity.fields]
native_key = { template = "{vendor}\u001f{text}", hash = true }
title = { template = "{vendor}: {text}" }
category = { template = "{cat}/{subcat?}/{subsubcat?}", null_if = ["NA"] }
"#,
        );
        let mut m = Mapper::new(&p, "panacea", "s");
        let cols = ["vendor", "text", "cat", "subcat", "subsubcat"];
        let vals = [
            Some("medibuds"),
            Some("4 oz"),
            Some("Drugs"),
            Some("NA"),
            Some("Weed"),
        ];
        let recs = m.map_row(&row("panacea_scrape", &cols, &vals)).unwrap();
        let Record::Listing(l) = one(&recs) else {
            panic!()
        };
        assert_eq!(
            l.id.native_key(),
            crate::transform::short_hash("medibuds\u{1f}4 oz")
        );
        assert_eq!(l.id.native_key().len(), 16);
        assert_eq!(l.title, "medibuds: 4 oz");
        assert_eq!(l.category.as_deref(), Some("Drugs/Weed"));
        // A required placeholder's column missing from the table is a mapping error naming it.
        let err = m
            .map_row(&row(
                "panacea_scrape",
                &["vendor", "cat"],
                &[Some("v"), Some("c")],
            ))
            .unwrap_err();
        assert!(
            err.message.contains("column \"text\" (for native_key)"),
            "{err}"
        );
        // An empty required placeholder leaves the field absent.
        let err = m
            .map_row(&row(
                "panacea_scrape",
                &cols,
                &[Some("v"), Some(" "), None, None, None],
            ))
            .unwrap_err();
        assert_eq!(err.message, "native_key is empty or NULL");
    }

    #[test]
    fn relative_times_resolve_against_the_anchor_column() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "feedback"
table = "t"
[entity.fields]
native_key = "id"
created_at = { column = "age", parse = "time", relative_to = "date" }
"#,
        );
        let mut m = Mapper::new(&p, "agora", "s");
        let cols = ["id", "age", "date"];
        let at = |age: &str, date: Option<&str>| {
            let mut m = Mapper::new(&p, "agora", "s");
            m.map_row(&row("t", &cols, &[Some("1"), Some(age), date]))
                .map(|recs| match one(&recs) {
                    Record::Feedback(f) => f.created_at,
                    other => panic!("{other:?}"),
                })
        };
        // 2014-02-01 = 1391212800.
        assert_eq!(
            at("5 days ago", Some("2014-02-01")),
            Ok(Some(1391212800 - 5 * 86400))
        );
        assert_eq!(
            at("yesterday", Some("2014-02-01")),
            Ok(Some(1391212800 - 86400))
        );
        assert_eq!(at("2014-01-03", Some("2014-02-01")), Ok(Some(1388707200)));
        let err = at("5 days ago", None).unwrap_err();
        assert!(err.message.contains("anchor \"date\" is empty"), "{err}");
        let err = at("5 days ago", Some("soon")).unwrap_err();
        assert!(err.message.contains("anchor \"date\""), "{err}");
        let err = at("in a while", Some("2014-02-01")).unwrap_err();
        assert!(err.message.contains("relative such as"), "{err}");
        let err = m
            .map_row(&row("t", &["id", "age"], &[Some("1"), Some("1 day ago")]))
            .unwrap_err();
        assert!(
            err.message.contains("column \"date\" (for created_at)"),
            "{err}"
        );
    }

    #[test]
    fn explode_makes_one_record_per_match_with_its_groups_as_columns() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "feedback"
table = "pages"
explode = { column = "feedback", regex = '(?m)^(?P<rating>\d)/5 (?P<comment>[^|\n]*?)(?: \| (?P<age>.+))?$', occurrence_of = ["rating", "comment"] }
[entity.fields]
native_key = { template = "{list}#{rating}#{comment?}#{#occurrence}" }
listing = "list"
rating = { column = "rating", parse = "number" }
comment = "comment"
created_at = { column = "age", parse = "time", relative_to = "date" }
"#,
        );
        let mut m = Mapper::new(&p, "agora", "s");
        let cols = ["list", "date", "feedback"];
        let page = "5/5 great | 2 days ago\n4/5 ok | 3 days ago\n5/5 great | 9 days ago\n5/5 \n";
        let recs = m
            .map_row(&row(
                "pages",
                &cols,
                &[Some("L1"), Some("2014-02-01"), Some(page)],
            ))
            .unwrap();
        let fb: Vec<&Feedback> = recs
            .iter()
            .map(|r| match r {
                Record::Feedback(f) => f,
                other => panic!("{other:?}"),
            })
            .collect();
        let keys: Vec<&str> = fb.iter().map(|f| f.id.native_key()).collect();
        // The second "5/5 great" is the second occurrence; the empty comment leaves its part out.
        assert_eq!(
            keys,
            ["L1#5#great#1", "L1#4#ok#1", "L1#5#great#2", "L1#5#1"]
        );
        assert_eq!(fb[1].rating, Some(4.0));
        assert_eq!(fb[1].comment.as_deref(), Some("ok"));
        assert_eq!(fb[1].created_at, Some(1391212800 - 3 * 86400));
        assert_eq!(
            fb[3].created_at, None,
            "a group that did not match is no value"
        );
        assert_eq!(
            fb[0].listing_id.as_ref().unwrap().as_str(),
            "agora/listing/L1"
        );
        // Provenance stays the source row.
        assert!(
            fb.iter()
                .all(|f| f.provenance.src_row == 7 && f.provenance.src_offset == 100)
        );
        // No match, an empty or NULL cell: no record; a missing column: an error.
        for cell in [Some("no feedback yet"), Some(""), None] {
            let recs = m
                .map_row(&row(
                    "pages",
                    &cols,
                    &[Some("L2"), Some("2014-02-01"), cell],
                ))
                .unwrap();
            assert!(recs.is_empty(), "{cell:?}");
        }
        let err = m
            .map_row(&row("pages", &["list"], &[Some("L3")]))
            .unwrap_err();
        assert!(
            err.message.contains("column \"feedback\" (to explode)"),
            "{err}"
        );
    }

    #[test]
    fn match_numbers_count_matches_and_occurrence_defaults_to_the_whole_match() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "message"
table = "t"
explode = { column = "log", regex = '(?P<word>\w+)' }
[entity.fields]
native_key = { template = "{#match}-{#occurrence}" }
body = "word"
"#,
        );
        let mut m = Mapper::new(&p, "m", "s");
        let recs = m.map_row(&row("t", &["log"], &[Some("a b a")])).unwrap();
        let ids: Vec<&str> = recs.iter().map(|r| r.id().native_key()).collect();
        assert_eq!(ids, ["1-1", "2-1", "3-2"]);
    }

    #[test]
    fn a_market_field_puts_records_and_their_references_in_the_rows_market() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "listing"
table = "t"
[entity.fields]
market = { column = "key", regex = '^(.*?)<==>', map = { "Agora" = "agora", "Silk Road 2" = "silkroad2", "Bad" = "bad name" } }
native_key = "id"
vendor = { column = "key", regex = '<==>(.*)$' }
title = "id"
"#,
        );
        let mut m = Mapper::new(&p, "grams", "s");
        let cols = ["key", "id"];
        let recs = m
            .map_row(&row("t", &cols, &[Some("Silk Road 2<==>bob"), Some("9")]))
            .unwrap();
        let Record::Listing(l) = one(&recs) else {
            panic!()
        };
        assert_eq!(l.id.as_str(), "silkroad2/listing/9");
        assert_eq!(l.market, "silkroad2");
        assert_eq!(
            l.vendor_id.as_ref().unwrap().as_str(),
            "silkroad2/account/bob"
        );
        let err = m
            .map_row(&row("t", &cols, &[Some("Nowhere<==>x"), Some("1")]))
            .unwrap_err();
        assert!(err.message.contains("market: value \"Nowhere\""), "{err}");
        let err = m
            .map_row(&row("t", &cols, &[Some("Bad<==>x"), Some("1")]))
            .unwrap_err();
        assert!(err.message.contains("must be letters, digits"), "{err}");
        let err = m
            .map_row(&row("t", &cols, &[Some("no separator"), Some("1")]))
            .unwrap_err();
        assert!(err.message.contains("market is empty or NULL"), "{err}");
    }

    #[test]
    fn dedup_drops_and_counts_ids_made_before_but_not_of_rejected_rows() {
        let p = profile(
            r#"name = "t"
[[entity]]
kind = "account"
table = "*"
dedup = true
[entity.fields]
native_key = "vendor"
name = "vendor"
[[entity]]
kind = "listing"
table = "*"
[entity.fields]
native_key = "id"
title = "id"
created_at = { column = "date", parse = "time" }
"#,
        );
        let mut m = Mapper::new(&p, "m", "s");
        let cols = ["vendor", "id", "date"];
        let kinds = |recs: &[Record]| recs.iter().map(|r| r.kind().table()).collect::<Vec<_>>();
        let r1 = m
            .map_row(&row("a", &cols, &[Some("bob"), Some("1"), None]))
            .unwrap();
        assert_eq!(kinds(&r1), ["accounts", "listings"]);
        let r2 = m
            .map_row(&row("a", &cols, &[Some("bob"), Some("2"), None]))
            .unwrap();
        assert_eq!(kinds(&r2), ["listings"], "bob was made already");
        // Listings have no dedup: the same id again is kept.
        let r3 = m
            .map_row(&row("b", &cols, &[Some("bob"), Some("2"), None]))
            .unwrap();
        assert_eq!(kinds(&r3), ["listings"]);
        assert_eq!(m.duplicates(), &BTreeMap::from([("accounts", 2)]));
        // A rejected row does not count its account as made: the next row of eve keeps it.
        m.map_row(&row("a", &cols, &[Some("eve"), Some("3"), Some("soon")]))
            .unwrap_err();
        let r4 = m
            .map_row(&row("a", &cols, &[Some("eve"), Some("4"), None]))
            .unwrap();
        assert_eq!(kinds(&r4), ["accounts", "listings"]);
        assert_eq!(m.duplicates(), &BTreeMap::from([("accounts", 2)]));
    }
}
