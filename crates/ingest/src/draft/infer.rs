//! From statistics to guesses: each table's key, the references between tables, each table's entity kind,
//! the column of each field, and the lookups two-hop joins need.
//!
//! Every guess is a score: what the contents show plus what the names hint, so that a schema of opaque or
//! foreign names still gets a draft from its contents, and known names settle what contents leave open
//! (which of two account references is the buyer). Every guess keeps a reason in words.

use std::collections::BTreeSet;

use super::classes::ContentClass as C;
use super::fields::{add_side_entities, map_table};
use super::stats::ColumnStats;
use super::vocab::{NameSenses, Sense, order_state_of, role_of};
use super::{Draft, EntityDraft, LookupDraft, Reference, TableDraft, kind_name};
use crate::profile::TargetKind;

/// A reference must find at least this share of its values among the key's.
pub(super) const REFERENCE_SHARE: f64 = 0.9;
/// A table needs this score for a kind to be mapped at all.
pub(super) const KIND_THRESHOLD: f64 = 3.0;
/// A column needs this score to fill a field.
pub(super) const FIELD_THRESHOLD: f64 = 1.5;

/// A reference resolved to one table.
#[derive(Debug, Clone)]
pub(super) struct Ref {
    pub(super) target: usize,
    pub(super) share: f64,
    pub(super) by_values_only: bool,
    /// Another column whose values this one shares, when that settled the target.
    pub(super) like: Option<String>,
}

pub(super) struct Ctx<'a> {
    pub(super) tables: &'a [TableDraft],
    pub(super) tnames: Vec<NameSenses>,
    pub(super) cnames: Vec<Vec<NameSenses>>,
    pub(super) keys: Vec<Option<usize>>,
    pub(super) refs: Vec<Vec<Option<Ref>>>,
    /// Whether `refs` are resolved (pass 2) or still empty (pass 1).
    pub(super) refs_resolved: bool,
    /// Tables whose key holds each column's values.
    pub(super) candidates: Vec<Vec<Vec<(usize, f64)>>>,
    pub(super) kinds: Vec<Option<TargetKind>>,
}

impl Ctx<'_> {
    pub(super) fn col(&self, t: usize, c: usize) -> &ColumnStats {
        &self.tables[t].columns[c].stats
    }
    pub(super) fn cname(&self, t: usize, c: usize) -> &str {
        &self.tables[t].columns[c].name
    }
    pub(super) fn ncols(&self, t: usize) -> usize {
        self.tables[t].columns.len()
    }
    /// Columns of `t` referencing a table of `kind`, in column order.
    pub(super) fn refs_to(&self, t: usize, kind: TargetKind) -> Vec<usize> {
        (0..self.ncols(t))
            .filter(|&c| {
                self.refs[t][c]
                    .as_ref()
                    .is_some_and(|r| self.kinds[r.target] == Some(kind))
            })
            .collect()
    }
}

// ---------------------------------------------------------------- column shapes

pub(super) fn numeric_share(c: &ColumnStats) -> f64 {
    c.share(C::Integer) + c.share(C::Decimal)
}

pub(super) fn time_share(c: &ColumnStats) -> f64 {
    c.share(C::UnixSeconds)
        .max(c.share(C::UnixMillis))
        .max(c.share(C::Date))
}

pub(super) fn crypto_share(c: &ColumnStats) -> f64 {
    c.share(C::BtcAddress) + c.share(C::XmrAddress) + c.share(C::EthAddress)
}

pub(super) fn text_share(c: &ColumnStats) -> f64 {
    c.share(C::ShortText) + c.share(C::LongText)
}

pub(super) fn is_unique(c: &ColumnStats) -> bool {
    let present = c.present();
    present > 0
        && if c.distinct_exact {
            c.distinct == present
        } else {
            c.distinct_ratio() >= 0.97
        }
}

pub(super) fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

pub(super) fn has_any(n: &NameSenses, senses: &[Sense]) -> bool {
    senses.iter().any(|s| n.has(*s))
}

/// Senses that say a column refers to another entity.
pub(super) const ENTITY_SENSES: &[Sense] = &[
    Sense::Account,
    Sense::Vendor,
    Sense::Buyer,
    Sense::Staff,
    Sense::Listing,
    Sense::Offer,
    Sense::Order,
    Sense::Feedback,
    Sense::Message,
    Sense::Wallet,
    Sense::Category,
    Sense::Sender,
    Sense::Recipient,
];

/// Senses of a measured value: such a column is no reference, whatever its values.
pub(super) const VALUE_SENSES: &[Sense] = &[
    Sense::Quantity,
    Sense::Rating,
    Sense::Price,
    Sense::Amount,
    Sense::State,
    Sense::Role,
    Sense::Time,
    Sense::Updated,
    Sense::Currency,
    Sense::Secret,
    Sense::Purpose,
];

pub(super) const PERSON_SENSES: &[Sense] = &[
    Sense::Account,
    Sense::Vendor,
    Sense::Buyer,
    Sense::Staff,
    Sense::Sender,
    Sense::Recipient,
];

/// The kind a table name's senses point to.
pub(super) fn kinds_of_senses(n: &NameSenses) -> Vec<TargetKind> {
    let mut out = Vec::new();
    for (s, _) in &n.senses {
        let k = match s {
            Sense::Account | Sense::Vendor | Sense::Buyer | Sense::Staff => TargetKind::Account,
            Sense::Listing => TargetKind::Listing,
            Sense::Order => TargetKind::Order,
            Sense::Feedback | Sense::Rating => TargetKind::Feedback,
            Sense::Message => TargetKind::Message,
            Sense::Wallet => TargetKind::CryptoAddress,
            _ => continue,
        };
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

// ---------------------------------------------------------------- keys

pub(super) fn find_key(t: &TableDraft, tname: &NameSenses, cnames: &[NameSenses]) -> Option<usize> {
    let mut best: Option<(f64, usize)> = None;
    for (i, col) in t.columns.iter().enumerate() {
        let c = &col.stats;
        let n = &cnames[i];
        if c.nulls + c.empty > 0 || !is_unique(c) {
            continue;
        }
        if text_share(c) > 0.2
            || c.share(C::Decimal) > 0.5
            || c.share(C::PgpPublicKey) > 0.0
            || crypto_share(c) > 0.5
            || n.has(Sense::Secret)
        {
            continue;
        }
        let id_name = n.has(Sense::Id);
        if time_share(c) > 0.5 && !id_name {
            continue;
        }
        let mut score = 0.0;
        let other: Vec<Sense> = n
            .senses
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| *s != Sense::Id)
            .collect();
        if id_name && n.words.len() == 1 {
            score += 4.0;
        } else if id_name && other.iter().any(|s| tname.has(*s)) {
            score += 3.0;
        } else if id_name && other.iter().any(|s| ENTITY_SENSES.contains(s)) {
            // `user_id` in `addresses`: a reference, not the key.
            score -= 2.0;
        } else if id_name {
            score += 1.5;
        }
        if c.share(C::Integer) > 0.99 && c.increasing_ratio() >= 0.9 {
            score += 2.0;
        }
        if c.share(C::Uuid) > 0.9 {
            score += 1.0;
        }
        if i == 0 {
            score += 1.0;
        }
        if c.share(C::Word) > 0.9 && other.iter().any(|s| tname.has(*s)) {
            score += 1.5;
        }
        if c.share(C::Email) > 0.5 {
            score -= 1.0;
        }
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, i));
        }
    }
    best.filter(|(s, _)| *s > 0.0).map(|(_, i)| i)
}

// ---------------------------------------------------------------- references

/// Values of one shape: ids join ids, UUIDs join UUIDs, names join names.
pub(super) fn same_shape(a: &ColumnStats, b: &ColumnStats) -> bool {
    let int = |c: &ColumnStats| c.share(C::Integer) > 0.9;
    let uuid = |c: &ColumnStats| c.share(C::Uuid) > 0.9;
    int(a) == int(b) && uuid(a) == uuid(b)
}

/// Tables whose key holds (nearly) all of a column's values.
pub(super) fn reference_candidates(ctx: &Ctx<'_>, t: usize, c: usize) -> Vec<(usize, f64)> {
    let col = ctx.col(t, c);
    let n = &ctx.cnames[t][c];
    if ctx.keys[t] == Some(c) || col.present() == 0 {
        return Vec::new();
    }
    if has_any(n, VALUE_SENSES) && !n.has(Sense::Id) && !has_any(n, ENTITY_SENSES) {
        return Vec::new();
    }
    if time_share(col) > 0.5
        || col.share(C::Decimal) > 0.1
        || text_share(col) > 0.2
        || col.share(C::Masked) > 0.1
    {
        return Vec::new();
    }
    let named = n.has(Sense::Id) || has_any(n, ENTITY_SENSES);
    if col.distinct < 2 && !named {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (b, table) in ctx.tables.iter().enumerate() {
        if b == t {
            continue;
        }
        let Some(k) = ctx.keys[b] else { continue };
        let key = &table.columns[k].stats;
        if !same_shape(col, key) {
            continue;
        }
        if let Some(share) = col.sketch.contained_in(&key.sketch)
            && share >= REFERENCE_SHARE
        {
            out.push((b, share));
        }
    }
    out
}

/// The kinds a table of one kind refers to.
pub(super) fn expected_targets(kind: TargetKind) -> &'static [TargetKind] {
    use TargetKind as K;
    match kind {
        K::Listing => &[K::Account],
        K::Order => &[K::Listing, K::Account],
        K::Feedback => &[K::Order, K::Listing, K::Account],
        K::Message => &[K::Account],
        K::CryptoAddress | K::PgpKey | K::ContactHandle => &[K::Account],
        K::ShippingInfo => &[K::Order, K::Account],
        K::PhotoRef => &[K::Listing, K::Account],
        K::Account => &[],
    }
}

/// Which of the candidate tables a column refers to.
pub(super) fn resolve_reference(
    ctx: &Ctx<'_>,
    kinds1: &[Option<TargetKind>],
    t: usize,
    c: usize,
    candidates: &[(usize, f64)],
) -> Option<Ref> {
    let n = &ctx.cnames[t][c];
    let col = ctx.col(t, c);
    let entity: Vec<Sense> = n
        .senses
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| ENTITY_SENSES.contains(s))
        .collect();
    let mut best: Option<(f64, Ref)> = None;
    for &(b, share) in candidates {
        let tn = &ctx.tnames[b];
        let kind = kinds1[b];
        let mut score = share;
        let mut by_name = false;
        if entity.iter().any(|s| tn.has(*s)) {
            score += 3.0;
            by_name = true;
        }
        if kind == Some(TargetKind::Account) && entity.iter().any(|s| PERSON_SENSES.contains(s)) {
            score += 3.0;
            by_name = true;
        }
        let sense_kind = |s: Sense, k: TargetKind| entity.contains(&s) && kind == Some(k);
        if sense_kind(Sense::Listing, TargetKind::Listing)
            || sense_kind(Sense::Order, TargetKind::Order)
        {
            score += 2.0;
            by_name = true;
        }
        if !entity.is_empty() && !by_name {
            score -= 2.0;
        }
        // What a table of one kind refers to: listings to accounts, orders to listings and accounts ...
        if let (Some(from), Some(to)) = (kinds1[t], kind) {
            if expected_targets(from).contains(&to) {
                score += 1.5;
            } else {
                score -= 1.5;
            }
        }
        if let (Some(max), Some(key_max)) = (
            col.max_number,
            ctx.keys[b].and_then(|k| ctx.col(b, k).max_number),
        ) && key_max > 0.0
        {
            score += (max / key_max).min(1.0);
        }
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((
                score,
                Ref {
                    target: b,
                    share,
                    by_values_only: !by_name,
                    like: None,
                },
            ));
        }
    }
    best.map(|(_, r)| r)
}

/// The Jaccard similarity of two columns' distinct values, from their sketches.
pub(super) fn similarity(a: &ColumnStats, b: &ColumnStats) -> f64 {
    let Some(a_in_b) = a.sketch.contained_in(&b.sketch) else {
        return 0.0;
    };
    let common = a_in_b * a.distinct as f64;
    let union = a.distinct as f64 + b.distinct as f64 - common;
    if union <= 0.0 { 0.0 } else { common / union }
}

/// Second round for columns whose names say nothing: a column holding the same values as a column of
/// another table refers to what that one refers to (the vendors of orders are the vendors of listings),
/// which settles ids that several tables' keys could hold.
pub(super) fn corefer(ctx: &mut Ctx<'_>, kinds1: &[Option<TargetKind>]) {
    let mut changes = Vec::new();
    for t in 0..ctx.tables.len() {
        for c in 0..ctx.ncols(t) {
            let cands = &ctx.candidates[t][c];
            if cands.len() < 2 || ctx.refs[t][c].is_none() {
                continue;
            }
            if has_any(&ctx.cnames[t][c], ENTITY_SENSES) {
                continue;
            }
            let mut best: Option<(f64, usize, String)> = None;
            for x_t in (0..ctx.tables.len()).filter(|&x| x != t) {
                for x_c in 0..ctx.ncols(x_t) {
                    let Some(xr) = &ctx.refs[x_t][x_c] else {
                        continue;
                    };
                    if !cands.iter().any(|(b, _)| *b == xr.target) {
                        continue;
                    }
                    let sim = similarity(ctx.col(t, c), ctx.col(x_t, x_c));
                    if sim >= 0.5 && best.as_ref().is_none_or(|(s, _, _)| sim > *s) {
                        best = Some((
                            sim,
                            xr.target,
                            format!("{}.{}", ctx.tables[x_t].name, ctx.cname(x_t, x_c)),
                        ));
                    }
                }
            }
            let Some((sim, target, like)) = best else {
                continue;
            };
            let current = ctx.refs[t][c].as_ref().map(|r| r.target);
            // The current choice keeps its place unless the shared values point elsewhere.
            if current != Some(target)
                && let Some(&(_, share)) = cands.iter().find(|(b, _)| *b == target)
                && kinds1[target].is_some()
            {
                let like = format!("its values are much like {like}'s ({} alike)", pct(sim));
                changes.push((t, c, target, share, like));
            }
        }
    }
    for (t, c, target, share, like) in changes {
        ctx.refs[t][c] = Some(Ref {
            target,
            share,
            by_values_only: true,
            like: Some(like),
        });
    }
}

// ---------------------------------------------------------------- table features

/// The best column of a table for some role, with its reason.
pub(super) type Pick = Option<(usize, String)>;

pub(super) fn pick_max(
    ctx: &Ctx<'_>,
    t: usize,
    f: impl Fn(usize, &ColumnStats, &NameSenses) -> Option<(f64, String)>,
) -> Pick {
    let mut best: Option<(f64, usize, String)> = None;
    for c in 0..ctx.ncols(t) {
        if let Some((s, why)) = f(c, ctx.col(t, c), &ctx.cnames[t][c])
            && best.as_ref().is_none_or(|(b, _, _)| s > *b)
        {
            best = Some((s, c, why));
        }
    }
    best.map(|(_, c, why)| (c, why))
}

pub(super) fn pgp_key_column(ctx: &Ctx<'_>, t: usize) -> Pick {
    pick_max(ctx, t, |_, c, _| {
        let s = c.share(C::PgpPublicKey);
        (s >= 0.5).then(|| (s, format!("{} PGP public key blocks", pct(s))))
    })
}

pub(super) fn pgp_message_column(ctx: &Ctx<'_>, t: usize) -> Pick {
    pick_max(ctx, t, |_, c, _| {
        let s = c.share(C::PgpMessage);
        (s >= 0.5).then(|| (s, format!("{} PGP messages", pct(s))))
    })
}

pub(super) fn crypto_column(ctx: &Ctx<'_>, t: usize) -> Pick {
    pick_max(ctx, t, |_, c, n| {
        let s = crypto_share(c);
        (s >= 0.8).then(|| {
            let bonus = if n.has(Sense::Address) || n.has(Sense::Wallet) {
                1.0
            } else {
                0.0
            };
            (s + bonus, format!("{} crypto addresses", pct(s)))
        })
    })
}

/// A unique column of short single words: account names.
pub(super) fn name_like(c: &ColumnStats, n: &NameSenses) -> Option<(f64, String)> {
    if n.has(Sense::Secret) || c.present() == 0 {
        return None;
    }
    let words = c.share(C::Word);
    let ok = words >= 0.7
        && c.distinct_ratio() >= 0.9
        && c.share(C::Integer) < 0.5
        && c.share(C::Uuid) < 0.5
        && c.share(C::Email) < 0.5
        && crypto_share(c) < 0.5
        && c.share(C::Fingerprint) < 0.5
        && c.share(C::Country) < 0.5
        && c.mean_len() <= 24.0;
    ok.then(|| {
        (
            words + c.distinct_ratio(),
            format!(
                "{} distinct single words, {:.0} characters on average",
                pct(c.distinct_ratio()),
                c.mean_len()
            ),
        )
    })
}

/// Titles: short text, mostly distinct.
pub(super) fn title_like(c: &ColumnStats) -> Option<(f64, String)> {
    let short = c.share(C::ShortText);
    let words = c.share(C::Word);
    let ok = short + words >= 0.8
        && short >= 0.3
        && c.distinct_ratio() >= 0.3
        && time_share(c) < 0.5
        && c.share(C::Country) < 0.5
        && (4.0..=150.0).contains(&c.mean_len());
    ok.then(|| {
        (
            0.5 + short + c.distinct_ratio(),
            format!(
                "short text ({} with spaces, {:.0} characters on average), {} distinct",
                pct(short),
                c.mean_len(),
                pct(c.distinct_ratio())
            ),
        )
    })
}

pub(super) fn long_text_like(c: &ColumnStats) -> Option<(f64, String)> {
    let long = c.share(C::LongText);
    let ok = (long >= 0.3 || (c.mean_len() >= 60.0 && text_share(c) > 0.5))
        && c.share(C::PgpPublicKey) < 0.5
        && c.share(C::PgpMessage) < 0.5;
    ok.then(|| {
        (
            1.0 + long + c.mean_len() / 1000.0,
            format!(
                "free text ({} long, {:.0} characters on average)",
                pct(long),
                c.mean_len()
            ),
        )
    })
}

/// Any free text, short or long (comments, message bodies).
pub(super) fn text_like(c: &ColumnStats) -> Option<(f64, String)> {
    let share = text_share(c) + c.share(C::Word) * 0.5;
    let ok = share >= 0.5
        && text_share(c) >= 0.3
        && crypto_share(c) < 0.5
        && c.distinct_ratio() >= 0.1
        && time_share(c) < 0.5
        && c.share(C::PgpPublicKey) < 0.5
        && c.share(C::Country) < 0.5;
    ok.then(|| {
        (
            1.0 + share + c.mean_len() / 1000.0,
            format!(
                "free text ({} with spaces, {:.0} characters on average)",
                pct(text_share(c)),
                c.mean_len()
            ),
        )
    })
}

pub(super) fn number_like(c: &ColumnStats) -> bool {
    numeric_share(c) >= 0.95 && time_share(c) < 0.5
}

/// Ratings: small numbers, several of them.
pub(super) fn rating_like(c: &ColumnStats, n: &NameSenses) -> Option<(f64, String)> {
    let max = c.max_number?;
    let min = c.min_number?;
    let named = n.has(Sense::Rating);
    let in_ten = c.share(C::Rating10) >= 0.98;
    let in_hundred = named && max <= 100.0;
    let ok = number_like(c)
        && min >= 0.0
        && (in_ten || in_hundred)
        && c.distinct >= 3
        && max >= 4.0
        && !has_any(
            n,
            &[Sense::Quantity, Sense::Id, Sense::Price, Sense::Amount],
        );
    ok.then(|| {
        (
            2.0 + if named { 1.0 } else { 0.0 },
            format!("numbers from {min} to {max}, {} distinct", c.distinct),
        )
    })
}

/// How much a rating-like column says "feedback": fully when named so or when it is no reference, less
/// when its values are also ids of another table (small ids look like 1–5 stars); not at all once it is
/// resolved as a reference.
pub(super) fn rating_weight(ctx: &Ctx<'_>, t: usize, c: usize) -> Option<f64> {
    if ctx.cnames[t][c].has(Sense::Rating) {
        return Some(3.0);
    }
    if ctx.refs_resolved {
        return ctx.refs[t][c].is_none().then_some(3.0);
    }
    Some(if ctx.candidates[t][c].is_empty() {
        3.0
    } else {
        2.0
    })
}

// ---------------------------------------------------------------- enumerations

/// Share of an enumeration's rows whose value `known` maps.
pub(super) fn known_share(c: &ColumnStats, known: fn(&str) -> Option<&'static str>) -> f64 {
    let total: u64 = c.enum_values.iter().map(|e| e.count).sum();
    if total == 0 {
        return 0.0;
    }
    let hit: u64 = c
        .enum_values
        .iter()
        .filter(|e| known(&e.value).is_some())
        .map(|e| e.count)
        .sum();
    hit as f64 / total as f64
}

pub(super) fn state_column(ctx: &Ctx<'_>, t: usize) -> Pick {
    pick_max(ctx, t, |_, c, n| {
        if !c.is_enumeration() || c.enum_values.len() < 2 {
            return None;
        }
        let known = known_share(c, order_state_of);
        let named = n.has(Sense::State);
        let score = known * 2.0 + if named { 1.5 } else { 0.0 };
        (score >= 1.0).then(|| {
            (
                score,
                format!(
                    "an enumeration of {} values, {} of rows in known order states",
                    c.enum_values.len(),
                    pct(known)
                ),
            )
        })
    })
}

pub(super) fn role_column(ctx: &Ctx<'_>, t: usize) -> Pick {
    pick_max(ctx, t, |_, c, n| {
        if !c.is_enumeration() || c.enum_values.len() > 12 {
            return None;
        }
        let known = known_share(c, role_of);
        let named = n.has(Sense::Role);
        let score = known * 2.0 + if named { 1.5 } else { 0.0 };
        (score >= 1.0).then(|| {
            (
                score,
                format!(
                    "an enumeration of {} values, {} of rows in known roles",
                    c.enum_values.len(),
                    pct(known)
                ),
            )
        })
    })
}

// ---------------------------------------------------------------- kinds

pub(super) struct KindScore {
    kind: TargetKind,
    score: f64,
    reasons: Vec<String>,
}

pub(super) const MAIN_KINDS: [TargetKind; 6] = [
    TargetKind::Account,
    TargetKind::Listing,
    TargetKind::Order,
    TargetKind::Feedback,
    TargetKind::Message,
    TargetKind::CryptoAddress,
];

pub(super) fn kind_scores(ctx: &Ctx<'_>, t: usize, with_refs: bool) -> Vec<KindScore> {
    let tn = &ctx.tnames[t];
    let name_kinds = kinds_of_senses(tn);
    let cname = |c: usize| ctx.cname(t, c).to_string();
    let pgp_key = pgp_key_column(ctx, t);
    let pgp_msg = pgp_message_column(ctx, t);
    let crypto = crypto_column(ctx, t);
    let name = pick_max(ctx, t, |_, c, n| name_like(c, n));
    let title = pick_max(ctx, t, |_, c, _| title_like(c));
    let long = pick_max(ctx, t, |_, c, _| long_text_like(c));
    let text = pick_max(ctx, t, |_, c, _| text_like(c));
    let rating = pick_max(ctx, t, |c, s, n| {
        if ctx.keys[t] == Some(c) {
            return None;
        }
        let (score, why) = rating_like(s, n)?;
        Some((score + rating_weight(ctx, t, c)?, why))
    });
    let rating_weight_here = rating
        .as_ref()
        .and_then(|(c, _)| rating_weight(ctx, t, *c))
        .unwrap_or(0.0);
    // A rating that might as well be a reference (small ids) suggests feedback, but rules nothing out.
    let strong_rating = rating_weight_here >= 3.0;
    let state = state_column(ctx, t);
    let role = role_column(ctx, t);
    let price = pick_max(ctx, t, |c, s, n| {
        let is_ref = ctx.refs[t][c].is_some() || ctx.keys[t] == Some(c);
        (number_like(s) && !is_ref && s.share(C::Decimal) >= 0.5 && !n.has(Sense::Rating))
            .then(|| (s.share(C::Decimal), "decimal numbers".to_string()))
    });
    let (account_refs, listing_refs, order_refs) = if with_refs {
        (
            ctx.refs_to(t, TargetKind::Account).len(),
            ctx.refs_to(t, TargetKind::Listing).len(),
            ctx.refs_to(t, TargetKind::Order).len(),
        )
    } else {
        (0, 0, 0)
    };
    let referenced_by: BTreeSet<usize> = if with_refs {
        (0..ctx.tables.len())
            .filter(|&a| ctx.refs[a].iter().flatten().any(|r| r.target == t))
            .collect()
    } else {
        BTreeSet::new()
    };

    let mut out = Vec::new();
    for kind in MAIN_KINDS {
        let mut score = 0.0;
        let mut reasons = Vec::new();
        let mut add = |s: f64, why: String| {
            score += s;
            if s > 0.0 {
                reasons.push(why);
            }
        };
        if name_kinds.contains(&kind) {
            let word = tn.senses.first().map(|(_, w)| w.as_str()).unwrap_or("");
            add(3.0, format!("table name ({word:?})"));
        }
        match kind {
            TargetKind::Account => {
                if let Some((c, why)) = &pgp_key {
                    add(3.0, format!("{}: {why}", cname(*c)));
                }
                match &name {
                    Some((c, why)) => add(2.0, format!("{}: {why}", cname(*c))),
                    None => add(-3.0, String::new()),
                }
                if let Some((c, why)) = &role {
                    add(1.0, format!("{}: {why}", cname(*c)));
                }
                if referenced_by.len() >= 2 {
                    add(
                        1.5,
                        format!("referenced from {} other tables", referenced_by.len()),
                    );
                }
                if strong_rating || state.is_some() {
                    add(-2.0, String::new());
                }
                if account_refs + listing_refs > 0 {
                    add(-1.0, String::new());
                }
            }
            TargetKind::Listing => {
                match &title {
                    Some((c, why)) => add(2.0, format!("{}: {why}", cname(*c))),
                    None => add(-3.0, String::new()),
                }
                if let Some((c, why)) = &long {
                    add(1.0, format!("{}: {why}", cname(*c)));
                }
                if let Some((c, why)) = &price {
                    add(1.0, format!("{}: {why}", cname(*c)));
                }
                if account_refs > 0 {
                    add(1.0, "refers to accounts".to_string());
                }
                if pgp_key.is_some() {
                    add(-2.0, String::new());
                }
                if state.is_some() || strong_rating || pgp_msg.is_some() {
                    add(-1.5, String::new());
                }
                if listing_refs > 0 {
                    add(-1.5, String::new());
                }
            }
            TargetKind::Order => {
                if let Some((c, why)) = &state {
                    add(2.5, format!("{}: {why}", cname(*c)));
                }
                if let Some((c, why)) = &pgp_msg {
                    add(1.5, format!("{}: {why}", cname(*c)));
                }
                if let Some((c, why)) = &price {
                    add(1.0, format!("{}: {why}", cname(*c)));
                }
                if listing_refs > 0 {
                    add(1.0, "refers to listings".to_string());
                }
                if account_refs >= 2 {
                    add(1.5, format!("{account_refs} references to accounts"));
                }
                if strong_rating {
                    add(-1.5, String::new());
                }
                if title.is_some() && long.is_some() {
                    add(-1.0, String::new());
                }
                if pgp_key.is_some() {
                    add(-2.0, String::new());
                }
            }
            TargetKind::Feedback => {
                match &rating {
                    Some((c, why)) => add(rating_weight_here, format!("{}: {why}", cname(*c))),
                    None => add(-2.0, String::new()),
                }
                if long.is_some() && price.is_some() {
                    // Descriptions and prices are a listing's.
                    add(-2.0, String::new());
                }
                if listing_refs + order_refs > 0 {
                    add(1.0, "refers to listings or orders".to_string());
                }
                if let Some((c, why)) = &text {
                    add(1.0, format!("{}: {why}", cname(*c)));
                }
                if pgp_key.is_some() || pgp_msg.is_some() {
                    add(-2.0, String::new());
                }
            }
            TargetKind::Message => {
                if account_refs >= 2 {
                    add(2.0, format!("{account_refs} references to accounts"));
                }
                match &text {
                    Some((c, why)) => add(1.5, format!("{}: {why}", cname(*c))),
                    None => add(-3.0, String::new()),
                }
                if strong_rating || state.is_some() || pgp_key.is_some() {
                    add(-2.0, String::new());
                }
                if price.is_some() {
                    add(-1.5, String::new());
                }
                if listing_refs + order_refs > 0 {
                    add(-1.0, String::new());
                }
            }
            TargetKind::CryptoAddress => {
                match &crypto {
                    Some((c, why)) => add(4.0, format!("{}: {why}", cname(*c))),
                    None => add(-4.0, String::new()),
                }
                if account_refs > 0 {
                    add(1.0, "refers to accounts".to_string());
                }
                if tn.has(Sense::Address) {
                    add(1.0, "table name (\"address\")".to_string());
                }
                if pgp_key.is_some() || strong_rating || state.is_some() {
                    add(-2.0, String::new());
                }
            }
            _ => {}
        }
        out.push(KindScore {
            kind,
            score,
            reasons,
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

pub(super) fn choose_kind(scores: &[KindScore]) -> Option<(TargetKind, f64, Vec<String>)> {
    let best = scores.first()?;
    if best.score < KIND_THRESHOLD {
        return None;
    }
    let second = scores.get(1).map_or(0.0, |s| s.score.max(0.0));
    let margin = ((best.score - second) / best.score).clamp(0.0, 1.0);
    let strength = (best.score / 6.0).min(1.0);
    let confidence = (0.5 * margin + 0.5 * strength).clamp(0.0, 1.0);
    Some((
        best.kind,
        (confidence * 100.0).round() / 100.0,
        best.reasons.clone(),
    ))
}

// ---------------------------------------------------------------- driver

pub fn infer(d: &mut Draft) {
    let tables = &d.tables;
    let tnames: Vec<NameSenses> = tables.iter().map(|t| NameSenses::of(&t.name)).collect();
    let cnames: Vec<Vec<NameSenses>> = tables
        .iter()
        .map(|t| t.columns.iter().map(|c| NameSenses::of(&c.name)).collect())
        .collect();
    let keys: Vec<Option<usize>> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| find_key(t, &tnames[i], &cnames[i]))
        .collect();
    let mut ctx = Ctx {
        tables,
        tnames,
        cnames,
        keys,
        refs: tables.iter().map(|t| vec![None; t.columns.len()]).collect(),
        refs_resolved: false,
        candidates: Vec::new(),
        kinds: vec![None; tables.len()],
    };
    ctx.candidates = (0..tables.len())
        .map(|t| {
            (0..tables[t].columns.len())
                .map(|c| reference_candidates(&ctx, t, c))
                .collect()
        })
        .collect();
    // Pass 1: kinds from each table's own contents; they tell references apart.
    let kinds1: Vec<Option<TargetKind>> = (0..tables.len())
        .map(|t| choose_kind(&kind_scores(&ctx, t, false)).map(|(k, _, _)| k))
        .collect();
    for t in 0..tables.len() {
        // In a feedback table, the rating column stays a rating even when its values are also small ids.
        let rating = (kinds1[t] == Some(TargetKind::Feedback))
            .then(|| {
                pick_max(&ctx, t, |c, s, n| {
                    rating_like(s, n).filter(|_| ctx.keys[t] != Some(c))
                })
                .map(|(c, _)| c)
            })
            .flatten();
        for c in 0..tables[t].columns.len() {
            if Some(c) == rating {
                continue;
            }
            ctx.refs[t][c] = resolve_reference(&ctx, &kinds1, t, c, &ctx.candidates[t][c]);
        }
    }
    corefer(&mut ctx, &kinds1);
    ctx.refs_resolved = true;
    ctx.kinds = kinds1;
    // Pass 2: with references, whose targets now have kinds.
    let chosen: Vec<Option<(TargetKind, f64, Vec<String>)>> = (0..tables.len())
        .map(|t| choose_kind(&kind_scores(&ctx, t, true)))
        .collect();
    ctx.kinds = chosen
        .iter()
        .map(|c| c.as_ref().map(|(k, _, _)| *k))
        .collect();

    let mut plan = Plan::default();
    let mut order: Vec<usize> = (0..tables.len()).collect();
    // Accounts and listings first: orders and feedback join through them.
    order.sort_by_key(|&t| match ctx.kinds[t] {
        Some(TargetKind::Account) => 0,
        Some(TargetKind::Listing) => 1,
        Some(TargetKind::Order) => 2,
        _ => 3,
    });
    for &t in &order {
        if let Some((kind, confidence, reasons)) = &chosen[t] {
            map_table(&ctx, t, *kind, *confidence, reasons.clone(), &mut plan);
        }
    }
    add_side_entities(&ctx, &mut plan);

    // Write the results back onto the tables.
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    let key_names: Vec<Option<String>> = (0..tables.len())
        .map(|t| ctx.keys[t].map(|k| ctx.cname(t, k).to_string()))
        .collect();
    let Ctx {
        keys, refs, kinds, ..
    } = ctx;
    for (t, table) in d.tables.iter_mut().enumerate() {
        table.key = keys[t].map(|k| table.columns[k].name.clone());
        table.kind = kinds[t];
        if let Some((_, confidence, reasons)) = &chosen[t] {
            table.confidence = *confidence;
            table.reasons = reasons.clone();
        }
        table.references = refs[t]
            .iter()
            .enumerate()
            .filter_map(|(c, r)| {
                let r = r.as_ref()?;
                Some(Reference {
                    column: table.columns[c].name.clone(),
                    table: names[r.target].clone(),
                    key: key_names[r.target].clone().unwrap_or_default(),
                    share: (r.share * 1000.0).round() / 1000.0,
                    by_values_only: r.by_values_only,
                })
            })
            .collect();
    }
    for e in &plan.entities {
        let Some(t) = d.tables.iter().position(|t| t.name == e.table) else {
            continue;
        };
        for f in &e.fields {
            if let Some(col) = &f.column
                && let Some(c) = d.tables[t].columns.iter_mut().find(|c| &c.name == col)
            {
                c.mapped_to
                    .push(format!("{}.{}", kind_name(e.kind), f.field));
            }
        }
    }
    for l in &plan.lookups {
        if let Some(t) = d.tables.iter_mut().find(|t| t.name == l.table) {
            for col in [&l.key, &l.value] {
                if let Some(c) = t.columns.iter_mut().find(|c| &c.name == col) {
                    c.mapped_to.push(format!("lookup {}", l.name));
                }
            }
        }
    }
    for t in d.tables.iter_mut() {
        for c in t.columns.iter_mut() {
            if NameSenses::of(&c.name).has(Sense::Secret) {
                c.note = Some("left out: passwords, hashes and tokens are not evidence".into());
            }
        }
    }
    d.entities = plan.entities;
    d.lookups = plan.lookups;
}

#[derive(Default)]
pub(super) struct Plan {
    pub(super) entities: Vec<EntityDraft>,
    pub(super) lookups: Vec<LookupDraft>,
    /// Joins found but not possible with a lookup: (table, field, why).
    pub(super) unjoinable: Vec<(usize, String, String)>,
}
