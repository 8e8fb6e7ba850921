//! Filling each field of a mapped table: which column (or constant, or join through a lookup) and why;
//! the rules a field needs (time parsing, enumeration maps, scales); the entities a table holds besides its
//! main one (an account's PGP key, an order's shipping address).

use std::collections::BTreeSet;

use super::classes::{ContentClass as C, is_country_list_of_several};
use super::infer::{
    Ctx, FIELD_THRESHOLD, Pick, Plan, crypto_column, crypto_share, has_any, long_text_like,
    name_like, number_like, pct, pgp_key_column, pgp_message_column, pick_max, rating_like,
    rating_weight, role_column, state_column, text_like, text_share, time_share, title_like,
};
use super::stats::ColumnStats;
use super::vocab::{NameSenses, Sense, order_state_of, role_of};
use super::{EntityDraft, FieldDraft, LookupDraft};
use crate::profile::{ParseRule, TargetKind};

/// A column that could fill a field, with how well and why.
struct Candidate {
    col: usize,
    score: f64,
    reason: String,
}

fn name_bonus(n: &NameSenses, wants: &[(Sense, f64)]) -> (f64, Option<String>) {
    let mut score = 0.0;
    let mut word = None;
    for (s, w) in wants {
        if n.has(*s) {
            if *w > 0.0 && word.is_none() {
                word = n.word_for(*s).map(str::to_string);
            }
            score += w;
        }
    }
    (score, word)
}

/// Combines a content verdict and a name bonus into a candidate.
fn candidate(
    ctx: &Ctx<'_>,
    t: usize,
    c: usize,
    content: Option<(f64, String)>,
    wants: &[(Sense, f64)],
) -> Option<Candidate> {
    let (content_score, content_why) = content?;
    let (name_score, word) = name_bonus(&ctx.cnames[t][c], wants);
    let mut reason = content_why;
    if let Some(w) = word {
        reason.push_str(&format!("; name says {w:?}"));
    }
    Some(Candidate {
        col: c,
        score: content_score + name_score,
        reason,
    })
}

fn samples(ctx: &Ctx<'_>, t: usize, c: usize) -> Vec<String> {
    ctx.col(t, c).samples.clone()
}

fn time_candidate(ctx: &Ctx<'_>, t: usize, c: usize) -> Option<Candidate> {
    let s = ctx.col(t, c);
    let share = time_share(s);
    if share < 0.9 {
        return None;
    }
    let what = if s.share(C::UnixMillis) >= 0.9 {
        "Unix times in milliseconds"
    } else if s.share(C::UnixSeconds) >= 0.9 {
        "Unix times"
    } else {
        "dates"
    };
    // The first time column of a table is most often its creation time.
    let first = (0..c).all(|i| time_share(ctx.col(t, i)) < 0.9);
    candidate(
        ctx,
        t,
        c,
        Some((
            1.0 + if first { 0.5 } else { 0.0 } - s.null_ratio(),
            format!("{} {what}", pct(share)),
        )),
        &[
            (Sense::Created, 1.0),
            (Sense::Time, 1.5),
            (Sense::Updated, -3.0),
        ],
    )
}

fn ref_candidate(
    ctx: &Ctx<'_>,
    t: usize,
    c: usize,
    target: TargetKind,
    wants: &[(Sense, f64)],
) -> Option<Candidate> {
    let r = ctx.refs[t][c].as_ref()?;
    if ctx.kinds[r.target] != Some(target) {
        return None;
    }
    let table = &ctx.tables[r.target];
    let key = ctx.keys[r.target].map_or("?", |k| table.columns[k].name.as_str());
    candidate(
        ctx,
        t,
        c,
        Some((
            1.5 + r.share,
            match &r.like {
                Some(like) => format!(
                    "{} of its values are {}.{key}; {like}",
                    pct(r.share),
                    table.name
                ),
                None => format!("{} of its values are {}.{key}", pct(r.share), table.name),
            },
        )),
        wants,
    )
}

/// The candidates for one field of one kind.
fn field_candidates(ctx: &Ctx<'_>, t: usize, kind: TargetKind, field: &str) -> Vec<Candidate> {
    use TargetKind as K;
    let mut out = Vec::new();
    for c in 0..ctx.ncols(t) {
        let s = ctx.col(t, c);
        let n = &ctx.cnames[t][c];
        if n.has(Sense::Secret) || s.present() == 0 {
            continue;
        }
        let person = |wants: &[(Sense, f64)]| ref_candidate(ctx, t, c, K::Account, wants);
        let cand = match (kind, field) {
            (_, "created_at") => time_candidate(ctx, t, c),
            (K::Account, "name") => candidate(
                ctx,
                t,
                c,
                name_like(s, n),
                &[
                    (Sense::Name, 3.0),
                    (Sense::Vendor, 1.0),
                    (Sense::Account, 1.0),
                ],
            ),
            (K::Account, "profile") => candidate(
                ctx,
                t,
                c,
                long_text_like(s).or_else(|| text_like(s)),
                &[(Sense::Profile, 3.0), (Sense::Description, 1.0)],
            ),
            (K::Listing, "vendor") => person(&[
                (Sense::Vendor, 3.0),
                (Sense::Account, 1.0),
                (Sense::Buyer, -3.0),
            ])
            .or_else(|| name_ref_without_target(ctx, t, c, &[Sense::Vendor])),
            (K::Listing, "title") => candidate(
                ctx,
                t,
                c,
                title_like(s).or_else(|| {
                    (n.has(Sense::Title) && text_share(s) + s.share(C::Word) > 0.8)
                        .then(|| (0.5, "text".to_string()))
                }),
                &[
                    (Sense::Title, 3.0),
                    (Sense::Name, 2.0),
                    (Sense::Subject, 1.0),
                    (Sense::Listing, 1.0),
                ],
            ),
            (K::Listing, "description") => candidate(
                ctx,
                t,
                c,
                long_text_like(s),
                &[
                    (Sense::Description, 3.0),
                    (Sense::Body, 1.0),
                    (Sense::Feedback, -2.0),
                    (Sense::Comment, -1.0),
                ],
            ),
            (K::Listing, "category") => category_candidate(ctx, t, c),
            (K::Listing, "price") | (K::Order, "amount") => money_candidate(ctx, t, c, field),
            (K::Listing | K::Order, "currency") => candidate(
                ctx,
                t,
                c,
                (s.share(C::CurrencyCode) >= 0.9).then(|| {
                    (
                        2.0,
                        format!("{} currency codes", pct(s.share(C::CurrencyCode))),
                    )
                }),
                &[(Sense::Currency, 2.0)],
            ),
            (K::Listing, "ships_from") => country_candidate(ctx, t, c, true),
            (K::Listing, "ships_to") => country_candidate(ctx, t, c, false),
            (K::Order, "listing") | (K::Feedback, "listing") => {
                ref_candidate(ctx, t, c, K::Listing, &[(Sense::Listing, 2.0)])
            }
            (K::Order, "buyer") | (K::Feedback, "buyer") => person(&[
                (Sense::Buyer, 3.0),
                (Sense::Account, 1.0),
                (Sense::Vendor, -3.0),
                (Sense::Sender, 0.5),
            ])
            .map(|mut cand| {
                if let Some(share) = vendor_overlap(ctx, t, c) {
                    cand.score -= share;
                }
                cand
            }),
            (K::Order, "vendor") | (K::Feedback, "vendor") => person(&[
                (Sense::Vendor, 3.0),
                (Sense::Buyer, -3.0),
                (Sense::Account, -0.5),
                (Sense::Sender, -0.5),
            ])
            .map(|mut cand| {
                // Without names: the vendors of orders are the accounts that have listings.
                if let Some(share) = vendor_overlap(ctx, t, c).filter(|s| *s >= 0.9) {
                    cand.score += share;
                    cand.reason
                        .push_str(&format!("; {} of them are listings' vendors", pct(share)));
                }
                cand
            })
            .or_else(|| name_ref_without_target(ctx, t, c, &[Sense::Vendor])),
            (K::Order, "quantity") => candidate(
                ctx,
                t,
                c,
                (s.share(C::Integer) >= 0.95
                    && s.min_number.is_some_and(|m| m >= 0.0)
                    && ctx.refs[t][c].is_none()
                    && ctx.keys[t] != Some(c)
                    && time_share(s) < 0.5)
                    .then(|| (0.5, "small whole numbers".to_string())),
                &[(Sense::Quantity, 3.0)],
            ),
            (K::Order, "state") => {
                state_column(ctx, t)
                    .filter(|(sc, _)| *sc == c)
                    .map(|(_, why)| Candidate {
                        col: c,
                        score: 3.0,
                        reason: why,
                    })
            }
            (K::Feedback, "order") => ref_candidate(ctx, t, c, K::Order, &[(Sense::Order, 2.0)]),
            (K::Feedback, "rating") => candidate(
                ctx,
                t,
                c,
                rating_like(s, n)
                    .filter(|_| rating_weight(ctx, t, c).is_some() && ctx.keys[t] != Some(c)),
                &[(Sense::Rating, 2.0)],
            ),
            (K::Feedback, "comment") => candidate(
                ctx,
                t,
                c,
                text_like(s),
                &[
                    (Sense::Comment, 3.0),
                    (Sense::Body, 1.0),
                    (Sense::Title, -1.0),
                ],
            ),
            (K::Message, "sender") => person(&[
                (Sense::Sender, 3.0),
                (Sense::Recipient, -3.0),
                (Sense::To, -2.0),
            ])
            .map(|mut cand| {
                // Without names, the first of two person columns is the sender.
                cand.score += 0.2 * (ctx.ncols(t) - c) as f64 / ctx.ncols(t) as f64;
                cand
            }),
            (K::Message, "recipient") => person(&[
                (Sense::Recipient, 3.0),
                (Sense::Sender, -3.0),
                (Sense::From, -2.0),
            ]),
            (K::Message, "subject") => candidate(
                ctx,
                t,
                c,
                (text_share(s) + s.share(C::Word) >= 0.5
                    && s.mean_len() < 80.0
                    && time_share(s) < 0.5)
                    .then(|| {
                        (
                            0.5,
                            format!("short text, {:.0} characters on average", s.mean_len()),
                        )
                    }),
                &[(Sense::Subject, 3.0), (Sense::Title, 1.0)],
            ),
            (K::Message, "body") => candidate(
                ctx,
                t,
                c,
                text_like(s).or_else(|| {
                    (s.share(C::PgpMessage) >= 0.5).then(|| (1.0, "PGP messages".to_string()))
                }),
                &[
                    (Sense::Body, 3.0),
                    (Sense::Message, 1.0),
                    (Sense::Subject, -2.0),
                ],
            ),
            (K::CryptoAddress, "address") => candidate(
                ctx,
                t,
                c,
                (crypto_share(s) >= 0.8)
                    .then(|| (3.0, format!("{} crypto addresses", pct(crypto_share(s))))),
                &[(Sense::Address, 1.0), (Sense::Wallet, 1.0)],
            ),
            (K::CryptoAddress, "account") => person(&[
                (Sense::Account, 1.0),
                (Sense::Vendor, 1.0),
                (Sense::Buyer, 1.0),
            ]),
            (K::CryptoAddress, "coin") => candidate(
                ctx,
                t,
                c,
                (s.share(C::CurrencyCode) >= 0.9).then(|| {
                    (
                        2.0,
                        format!("{} currency codes", pct(s.share(C::CurrencyCode))),
                    )
                }),
                &[(Sense::Currency, 2.0)],
            ),
            (K::CryptoAddress, "purpose") => purpose_candidate(ctx, t, c),
            _ => None,
        };
        if let Some(cand) = cand {
            out.push(cand);
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.col.cmp(&b.col)));
    out
}

/// The share of a column's values that are vendors of listings (the account column of a listings table).
fn vendor_overlap(ctx: &Ctx<'_>, t: usize, c: usize) -> Option<f64> {
    let listings = (0..ctx.tables.len()).find(|&l| ctx.kinds[l] == Some(TargetKind::Listing))?;
    let accounts = ctx.refs_to(listings, TargetKind::Account);
    let vendor_col = accounts
        .iter()
        .copied()
        .find(|&v| ctx.cnames[listings][v].has(Sense::Vendor))
        .or(accounts.first().copied())?;
    ctx.col(t, c)
        .sketch
        .contained_in(&ctx.col(listings, vendor_col).sketch)
}

/// A column whose name names a vendor but that references no table found here (a listing file drafted
/// without its vendors file): mapped on the name alone, and said so.
fn name_ref_without_target(
    ctx: &Ctx<'_>,
    t: usize,
    c: usize,
    senses: &[Sense],
) -> Option<Candidate> {
    let any_account = ctx.kinds.contains(&Some(TargetKind::Account));
    let n = &ctx.cnames[t][c];
    let s = ctx.col(t, c);
    if any_account || !has_any(n, senses) || s.share(C::Masked) > 0.1 || text_share(s) > 0.2 {
        return None;
    }
    Some(Candidate {
        col: c,
        score: 2.0,
        reason: format!(
            "name says {:?}; no accounts table in these sources to check its values against",
            n.word_for(senses[0]).unwrap_or("")
        ),
    })
}

fn category_candidate(ctx: &Ctx<'_>, t: usize, c: usize) -> Option<Candidate> {
    let s = ctx.col(t, c);
    let n = &ctx.cnames[t][c];
    let path_like = s
        .samples
        .iter()
        .filter(|v| v.contains(" > ") || v.contains(" / "))
        .count();
    let refs_category = ctx.refs[t][c]
        .as_ref()
        .is_some_and(|r| ctx.tnames[r.target].has(Sense::Category));
    let content = if refs_category {
        Some((2.0, "refers to a categories table".to_string()))
    } else if path_like >= 2 {
        Some((2.0, "category paths (a > b)".to_string()))
    } else if n.has(Sense::Category) && text_share(s) + s.share(C::Word) + s.share(C::Integer) > 0.8
    {
        Some((0.5, format!("{} distinct values", s.distinct)))
    } else {
        None
    };
    candidate(ctx, t, c, content, &[(Sense::Category, 3.0)])
}

fn money_candidate(ctx: &Ctx<'_>, t: usize, c: usize, field: &str) -> Option<Candidate> {
    let s = ctx.col(t, c);
    let n = &ctx.cnames[t][c];
    if !number_like(s) || ctx.refs[t][c].is_some() || ctx.keys[t] == Some(c) {
        return None;
    }
    if has_any(n, &[Sense::Quantity, Sense::Rating, Sense::Id]) {
        return None;
    }
    let decimal = s.share(C::Decimal);
    let content = if decimal >= 0.5 {
        (1.5, format!("{} decimal numbers", pct(decimal)))
    } else if s.max_number.is_some_and(|m| m >= 1000.0) {
        (0.5, "whole numbers".to_string())
    } else {
        (0.2, "whole numbers".to_string())
    };
    let wants: &[(Sense, f64)] = if field == "price" {
        &[(Sense::Price, 3.0), (Sense::Amount, 1.0)]
    } else {
        &[(Sense::Amount, 3.0), (Sense::Price, 2.0)]
    };
    candidate(ctx, t, c, Some(content), wants)
}

fn country_candidate(ctx: &Ctx<'_>, t: usize, c: usize, from: bool) -> Option<Candidate> {
    let s = ctx.col(t, c);
    let share = s.share(C::Country);
    let several = s
        .samples
        .iter()
        .filter(|v| is_country_list_of_several(v))
        .count();
    let n = &ctx.cnames[t][c];
    let named = (n.has(if from { Sense::From } else { Sense::To }))
        && has_any(
            n,
            &[Sense::Country, Sense::Shipping, Sense::From, Sense::To],
        );
    let content = if share >= 0.5 {
        // A list of countries is where a listing ships to; one country where it ships from.
        let shape = match (from, several > 0) {
            (true, false) | (false, true) => 0.5,
            _ => 0.0,
        };
        (
            1.0 + shape,
            format!("{} country names or codes", pct(share)),
        )
    } else if named && text_share(s) + s.share(C::Word) > 0.8 && s.mean_len() < 60.0 {
        // Place names the list does not know; the column's name says what they are.
        (
            0.5,
            format!("short text, {} of it known country names", pct(share)),
        )
    } else {
        return None;
    };
    let wants: &[(Sense, f64)] = if from {
        &[(Sense::From, 3.0), (Sense::To, -3.0), (Sense::Country, 0.5)]
    } else {
        &[(Sense::To, 3.0), (Sense::From, -3.0), (Sense::Country, 0.5)]
    };
    candidate(ctx, t, c, Some(content), wants)
}

fn purpose_candidate(ctx: &Ctx<'_>, t: usize, c: usize) -> Option<Candidate> {
    let s = ctx.col(t, c);
    if !s.is_enumeration() || s.share(C::CurrencyCode) > 0.5 {
        return None;
    }
    const PURPOSES: &[&str] = &[
        "payout",
        "refund",
        "deposit",
        "withdraw",
        "withdrawal",
        "bond",
        "escrow",
        "fee",
        "hot",
        "cold",
        "vyvod",
        "popolnen",
    ];
    let known = s
        .enum_values
        .iter()
        .filter(|e| {
            PURPOSES
                .iter()
                .any(|p| e.value.to_lowercase().starts_with(p))
        })
        .count();
    let content = (known > 0 || ctx.cnames[t][c].has(Sense::Purpose)).then(|| {
        (
            1.0 + known as f64 * 0.5,
            format!("an enumeration of {} values", s.enum_values.len()),
        )
    })?;
    candidate(ctx, t, c, Some(content), &[(Sense::Purpose, 2.0)])
}

/// Picks one column per field, best first; a column serves one field only.
fn assign(
    ctx: &Ctx<'_>,
    t: usize,
    kind: TargetKind,
    fields: &[&str],
    used: &mut BTreeSet<usize>,
) -> Vec<(String, Candidate)> {
    let mut wanted: Vec<(String, Vec<Candidate>)> = fields
        .iter()
        .map(|f| (f.to_string(), field_candidates(ctx, t, kind, f)))
        .collect();
    let mut out = Vec::new();
    loop {
        // The strongest remaining (field, column) pair goes first.
        let mut best: Option<(usize, usize, f64)> = None;
        for (fi, (_, cands)) in wanted.iter().enumerate() {
            if let Some((ci, cand)) = cands
                .iter()
                .enumerate()
                .find(|(_, cand)| !used.contains(&cand.col))
                && cand.score >= FIELD_THRESHOLD
                && best.is_none_or(|(_, _, s)| cand.score > s)
            {
                best = Some((fi, ci, cand.score));
            }
        }
        let Some((fi, ci, _)) = best else { break };
        let (field, mut cands) = wanted.remove(fi);
        let cand = cands.swap_remove(ci);
        used.insert(cand.col);
        out.push((field, cand));
    }
    out
}

fn key_field(ctx: &Ctx<'_>, t: usize) -> Option<FieldDraft> {
    let k = ctx.keys[t]?;
    let s = ctx.col(t, k);
    let what = if s.share(C::Integer) > 0.99 && s.increasing_ratio() >= 0.9 {
        "unique, increasing whole numbers"
    } else if s.share(C::Uuid) > 0.9 {
        "unique UUIDs"
    } else {
        "unique values"
    };
    Some(FieldDraft::column(
        "native_key",
        ctx.cname(t, k),
        format!("{what}, never empty"),
        samples(ctx, t, k),
    ))
}

fn field_from(ctx: &Ctx<'_>, t: usize, field: &str, cand: &Candidate) -> FieldDraft {
    let mut f = FieldDraft::column(
        field,
        ctx.cname(t, cand.col),
        cand.reason.clone(),
        samples(ctx, t, cand.col),
    );
    if field == "created_at" {
        f.parse = Some(ParseRule::Time);
    }
    f
}

/// The fields of a record hanging off an account row (its PGP key, handle, address): keyed, and pointing at,
/// the account's own key; then `rest`.
fn keyed_to_account(
    ctx: &Ctx,
    t: usize,
    k: usize,
    key: &str,
    rest: impl IntoIterator<Item = FieldDraft>,
) -> Vec<FieldDraft> {
    let mut fields = vec![
        FieldDraft::column(
            "native_key",
            key,
            "the account's key".into(),
            samples(ctx, t, k),
        ),
        FieldDraft::column(
            "account",
            key,
            "the account itself".into(),
            samples(ctx, t, k),
        ),
    ];
    fields.extend(rest);
    fields
}

/// The fields drafted per kind, in the order they are assigned (a test checks each is one the profile
/// language accepts).
const FIELDS: &[(TargetKind, &[&str])] = &[
    (TargetKind::Account, &["name", "profile", "created_at"]),
    (
        TargetKind::Listing,
        &[
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
    ),
    (
        TargetKind::Order,
        &[
            "listing",
            "buyer",
            "vendor",
            "quantity",
            "amount",
            "currency",
            "state",
            "created_at",
        ],
    ),
    (
        TargetKind::Feedback,
        &[
            "order",
            "listing",
            "vendor",
            "buyer",
            "rating",
            "comment",
            "created_at",
        ],
    ),
    (
        TargetKind::Message,
        &["sender", "recipient", "subject", "body", "created_at"],
    ),
    (
        TargetKind::CryptoAddress,
        &["account", "address", "coin", "purpose"],
    ),
];

pub(super) fn map_table(
    ctx: &Ctx<'_>,
    t: usize,
    kind: TargetKind,
    confidence: f64,
    reasons: Vec<String>,
    plan: &mut Plan,
) {
    let table = &ctx.tables[t];
    let mut entity = EntityDraft {
        kind,
        table: table.name.clone(),
        confidence,
        reasons,
        require: Vec::new(),
        fields: Vec::new(),
        missing: Vec::new(),
    };
    let mut used = BTreeSet::new();
    let key = key_field(ctx, t);
    if let Some(k) = ctx.keys[t] {
        // A text key (a vendor name on a crawled page) may also be the account's name.
        if ctx.col(t, k).share(C::Word) < 0.5 || kind != TargetKind::Account {
            used.insert(k);
        }
    }
    match key {
        Some(k) => entity.fields.push(k),
        None => entity.missing.push((
            "native_key".into(),
            "no column is unique and never empty; pick one that identifies a row".into(),
        )),
    }
    let fields = FIELDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[][..], |(_, f)| *f);
    let chosen = assign(ctx, t, kind, fields, &mut used);
    for field in fields {
        match chosen.iter().find(|(f, _)| f == field) {
            Some((_, cand)) => entity.fields.push(field_from(ctx, t, field, cand)),
            None => {
                if let Some(f) = fallback_field(ctx, t, kind, field, &entity, plan) {
                    entity.fields.push(f);
                }
            }
        }
    }
    refine_fields(ctx, t, &mut entity);
    for field in fields {
        if entity.field(field).is_none() {
            let why = plan
                .unjoinable
                .iter()
                .find(|(ut, f, _)| *ut == t && f == field)
                .map_or_else(
                    || "no column looks like it".to_string(),
                    |(_, _, w)| w.clone(),
                );
            entity.missing.push((field.to_string(), why));
        }
    }
    order_fields(&mut entity, fields);
    plan.entities.push(entity);
}

/// Fields filled without a column of their own: constants, and joins through another table.
fn fallback_field(
    ctx: &Ctx<'_>,
    t: usize,
    kind: TargetKind,
    field: &str,
    entity: &EntityDraft,
    plan: &mut Plan,
) -> Option<FieldDraft> {
    use TargetKind as K;
    match (kind, field) {
        (K::Listing | K::Order, "currency") => {
            let money = entity.field(if kind == K::Listing {
                "price"
            } else {
                "amount"
            });
            let col = money.and_then(|f| f.column.clone());
            let n = col.as_deref().map(NameSenses::of).unwrap_or_default();
            let code = if n.has(Sense::Usd) {
                "USD"
            } else if n.has(Sense::Bitcoin) {
                "BTC"
            } else if n.has(Sense::Monero) {
                "XMR"
            } else {
                return looks_like_btc(ctx, t, col.as_deref()?, field);
            };
            Some(FieldDraft::constant(
                field,
                code,
                format!("the {} column's name says {code}", col.unwrap_or_default()),
            ))
        }
        (K::Order, "listing") => via_lookup(ctx, t, K::Listing, field, plan),
        (K::Feedback, "listing") | (K::Feedback, "vendor") => {
            let order_col = entity.field("order")?.column.clone()?;
            via_order(ctx, t, &order_col, field, plan)
        }
        (K::CryptoAddress, "coin") => {
            let addr = entity.field("address")?.column.clone()?;
            let c = (0..ctx.ncols(t)).find(|&c| ctx.cname(t, c) == addr)?;
            let s = ctx.col(t, c);
            let (coin, share) = [
                ("btc", s.share(C::BtcAddress)),
                ("xmr", s.share(C::XmrAddress)),
                ("eth", s.share(C::EthAddress)),
            ]
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
            let mut f = FieldDraft::constant(
                field,
                coin,
                format!("{} of {addr} look like {coin} addresses", pct(share)),
            );
            if share < 0.99 {
                f.warnings.push(format!(
                    "only {} of the addresses are {coin}: the coin differs by row, map it from a column",
                    pct(share)
                ));
            }
            Some(f)
        }
        _ => None,
    }
}

/// Amounts below a few units written with up to eight decimals are, on a darknet market, most likely
/// bitcoin: a guess the analyst must confirm.
fn looks_like_btc(ctx: &Ctx<'_>, t: usize, column: &str, field: &str) -> Option<FieldDraft> {
    let c = (0..ctx.ncols(t)).find(|&c| ctx.cname(t, c) == column)?;
    let s = ctx.col(t, c);
    let many_decimals = s
        .samples
        .iter()
        .filter(|v| v.split_once('.').is_some_and(|(_, f)| f.len() >= 5))
        .count();
    if s.mean_number()? >= 5.0 || many_decimals < 2 {
        return None;
    }
    let mut f = FieldDraft::constant(
        field,
        "BTC",
        format!(
            "{column} holds small amounts with up to 8 decimals (mean {:.4})",
            s.mean_number().unwrap_or_default()
        ),
    );
    f.warnings
        .push("the currency is a guess from the amounts: check a listing page".into());
    Some(f)
}

/// `column` of table `t` refers to table `hop`, whose own column refers to a table of `kind`: a lookup
/// from `hop`'s key to that column turns the first reference into the second.
fn via_lookup(
    ctx: &Ctx<'_>,
    t: usize,
    kind: TargetKind,
    field: &str,
    plan: &mut Plan,
) -> Option<FieldDraft> {
    for c in 0..ctx.ncols(t) {
        let Some(r) = &ctx.refs[t][c] else { continue };
        let hop = r.target;
        if ctx.kinds[hop].is_some() {
            continue;
        }
        let Some(hop_key) = ctx.keys[hop] else {
            continue;
        };
        let Some(vc) = ctx.refs_to(hop, kind).first().copied() else {
            continue;
        };
        let target = ctx.refs[hop][vc].as_ref()?.target;
        let why = format!(
            "{}.{} refers to {}.{} ({}), whose {} refers to {}",
            ctx.tables[t].name,
            ctx.cname(t, c),
            ctx.tables[hop].name,
            ctx.cname(hop, hop_key),
            pct(r.share),
            ctx.cname(hop, vc),
            ctx.tables[target].name
        );
        if let Some(problem) = lookup_problem(ctx, hop, t) {
            plan.unjoinable
                .push((t, field.to_string(), format!("{why}, but {problem}")));
            return None;
        }
        let lookup = add_lookup(ctx, plan, hop, hop_key, vc, &why);
        let mut f = FieldDraft::column(field, ctx.cname(t, c), why, samples(ctx, t, c));
        f.via = Some(lookup);
        return Some(f);
    }
    None
}

/// A feedback's listing or vendor through its order: a lookup from the order's key to the order's column.
fn via_order(
    ctx: &Ctx<'_>,
    t: usize,
    order_col: &str,
    field: &str,
    plan: &mut Plan,
) -> Option<FieldDraft> {
    let c = (0..ctx.ncols(t)).find(|&c| ctx.cname(t, c) == order_col)?;
    let order_table = ctx.refs[t][c].as_ref()?.target;
    let order_key = ctx.keys[order_table]?;
    let order_entity = plan
        .entities
        .iter()
        .find(|e| e.table == ctx.tables[order_table].name && e.kind == TargetKind::Order)?;
    let of = order_entity.field(field)?;
    if of.via.is_some() {
        return None;
    }
    let value_col = of.column.clone()?;
    let vc = (0..ctx.ncols(order_table)).find(|&i| ctx.cname(order_table, i) == value_col)?;
    let why = format!(
        "through the order: {}.{} is the order's {field}",
        ctx.tables[order_table].name, value_col
    );
    if let Some(problem) = lookup_problem(ctx, order_table, t) {
        plan.unjoinable
            .push((t, field.to_string(), format!("{why}, but {problem}")));
        return None;
    }
    let lookup = add_lookup(ctx, plan, order_table, order_key, vc, &why);
    let mut f = FieldDraft::column(field, order_col, why, samples(ctx, t, c));
    f.via = Some(lookup);
    Some(f)
}

/// Why a lookup over `lookup_table` would be empty when rows of `t` are mapped: lookups learn as rows stream
/// by, one file at a time.
fn lookup_problem(ctx: &Ctx<'_>, lookup_table: usize, t: usize) -> Option<String> {
    let (a, b) = (&ctx.tables[lookup_table], &ctx.tables[t]);
    if a.source != b.source {
        Some(format!(
            "{} and {} are in different files and a lookup only sees rows of the file being ingested",
            a.name, b.name
        ))
    } else if a.position > b.position {
        Some(format!(
            "{} comes after {} in the source and a lookup only knows rows already read",
            a.name, b.name
        ))
    } else {
        None
    }
}

fn add_lookup(
    ctx: &Ctx<'_>,
    plan: &mut Plan,
    table: usize,
    key: usize,
    value: usize,
    why: &str,
) -> String {
    let (tname, kname, vname) = (
        ctx.tables[table].name.clone(),
        ctx.cname(table, key).to_string(),
        ctx.cname(table, value).to_string(),
    );
    if let Some(l) = plan
        .lookups
        .iter()
        .find(|l| l.table == tname && l.key == kname && l.value == vname)
    {
        return l.name.clone();
    }
    let base: String = format!("{tname}_{vname}")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let mut name = base.clone();
    let mut i = 2;
    while plan.lookups.iter().any(|l| l.name == name) {
        name = format!("{base}_{i}");
        i += 1;
    }
    plan.lookups.push(LookupDraft {
        name: name.clone(),
        table: tname.clone(),
        key: kname.clone(),
        value: vname.clone(),
        reason: format!("{tname}.{kname} → {tname}.{vname}: {why}"),
    });
    name
}

/// Rules on mapped fields: time parsing, enumeration maps, scales.
fn refine_fields(ctx: &Ctx<'_>, t: usize, entity: &mut EntityDraft) {
    let col_of = |name: &str| (0..ctx.ncols(t)).find(|&c| ctx.cname(t, c) == name);
    let kind = entity.kind;
    // Role: a column that maps, or a constant from the table name.
    if kind == TargetKind::Account && entity.field("role").is_none() {
        if let Some((c, why)) = role_column(ctx, t) {
            let mut f = FieldDraft::column("role", ctx.cname(t, c), why, samples(ctx, t, c));
            role_map(ctx.col(t, c), &mut f);
            entity.fields.push(f);
        } else {
            let tn = &ctx.tnames[t];
            if tn.has(Sense::Vendor) || tn.has(Sense::Buyer) {
                let (role, sense) = if tn.has(Sense::Vendor) {
                    ("vendor", Sense::Vendor)
                } else {
                    ("buyer", Sense::Buyer)
                };
                entity.fields.push(FieldDraft::constant(
                    "role",
                    role,
                    format!(
                        "table name says {:?}",
                        tn.word_for(sense).unwrap_or_default()
                    ),
                ));
            }
        }
    }
    for f in entity.fields.iter_mut() {
        let Some(c) = f.column.as_deref().and_then(col_of) else {
            continue;
        };
        let s = ctx.col(t, c);
        match f.field.as_str() {
            "state" if kind == TargetKind::Order => {
                for e in &s.enum_values {
                    let to = order_state_of(&e.value).unwrap_or("?");
                    f.map.push((e.value.clone(), to.to_string()));
                }
                if f.map.iter().any(|(_, to)| to == "?") {
                    f.warnings.push(
                        "replace each \"?\" with created, paid, accepted, shipped, finalized, disputed, refunded or cancelled (or unknown)"
                            .into(),
                    );
                }
            }
            "rating" => {
                if let Some(max) = s.max_number {
                    f.parse = Some(ParseRule::Number);
                    if max > 10.0 {
                        f.scale = Some(0.05);
                        f.warnings.push(format!(
                            "ratings go up to {max}: scaled from 0–100 to 0–5 stars"
                        ));
                    } else if max > 5.0 {
                        f.scale = Some(0.5);
                        f.warnings.push(format!(
                            "ratings go up to {max}: scaled from 1–10 to 1–5 stars"
                        ));
                    }
                }
            }
            "price" | "amount" => {
                f.parse = Some(ParseRule::Number);
                money_scale(s, &NameSenses::of(ctx.cname(t, c)), f);
            }
            "coin" => f.lowercase = true,
            _ => {}
        }
    }
}

fn role_map(s: &ColumnStats, f: &mut FieldDraft) {
    let total: u64 = s.enum_values.iter().map(|e| e.count).sum();
    // Numeric codes: vendors are the accounts with PGP keys, buyers the most numerous of the rest, staff
    // the few left.
    let vendor_code = s
        .enum_values
        .iter()
        .filter(|e| e.count > 0 && e.with_pgp_key * 2 > e.count)
        .max_by(|a, b| {
            (a.with_pgp_key as f64 / a.count as f64)
                .total_cmp(&(b.with_pgp_key as f64 / b.count as f64))
        })
        .map(|e| e.value.clone());
    let buyer_code = s
        .enum_values
        .iter()
        .filter(|e| Some(&e.value) != vendor_code.as_ref())
        .max_by_key(|e| e.count)
        .map(|e| e.value.clone());
    let mut guessed = Vec::new();
    for e in &s.enum_values {
        let to = match role_of(&e.value) {
            Some(r) => r.to_string(),
            None if Some(&e.value) == vendor_code.as_ref() => {
                guessed.push(format!(
                    "{} = vendor ({} of its {} rows have a PGP key)",
                    e.value, e.with_pgp_key, e.count
                ));
                "vendor".into()
            }
            None if Some(&e.value) == buyer_code.as_ref() && e.with_pgp_key * 10 <= e.count => {
                guessed.push(format!(
                    "{} = buyer (the most common, without PGP keys)",
                    e.value
                ));
                "buyer".into()
            }
            None if e.count * 4 <= total && e.with_pgp_key == 0 => {
                guessed.push(format!("{} = staff (few rows, no PGP keys)", e.value));
                "staff".into()
            }
            None => "?".into(),
        };
        f.map.push((e.value.clone(), to));
    }
    if !guessed.is_empty() {
        f.warnings
            .push(format!("guessed from contents: {}", guessed.join("; ")));
    }
    if f.map.iter().any(|(_, to)| to == "?") {
        f.warnings
            .push("replace each \"?\" with vendor, buyer or staff".into());
    }
}

/// Large whole numbers in a price column are smallest units: satoshi, piconero or cents.
fn money_scale(s: &ColumnStats, n: &NameSenses, f: &mut FieldDraft) {
    let Some(mean) = s.mean_number() else { return };
    let whole = s.share(C::Integer) >= 0.99;
    let words = n.words.join(" ");
    if n.has(Sense::SmallUnit) {
        let scale = if words.contains("pico") {
            1e-12
        } else if words.contains("cent") || words.contains("kopek") {
            0.01
        } else {
            1e-8
        };
        f.scale = Some(scale);
        f.warnings
            .push(format!("name says smallest units: scaled by {scale:e}"));
        return;
    }
    if whole && mean >= 1e10 && n.has(Sense::Monero) {
        f.scale = Some(1e-12);
        f.warnings.push(format!(
            "whole numbers averaging {mean:.0}: piconero? (scale = 1e-12) — check"
        ));
    } else if whole && mean >= 100_000.0 {
        f.scale = Some(1e-8);
        f.warnings.push(format!(
            "whole numbers averaging {mean:.0}: satoshi? (scale = 1e-8) — check against a listing page"
        ));
    }
}

fn order_fields(entity: &mut EntityDraft, fields: &[&str]) {
    let rank = |f: &str| {
        if f == "native_key" {
            0
        } else {
            1 + fields.iter().position(|x| *x == f).unwrap_or(fields.len())
        }
    };
    entity.fields.sort_by_key(|f| rank(&f.field));
}

// ---------------------------------------------------------------- side entities

/// Entities a table holds besides its main one: an account's PGP key, contact handle or address, an
/// order's shipping address.
pub(super) fn add_side_entities(ctx: &Ctx<'_>, plan: &mut Plan) {
    let has_address_table = ctx.kinds.contains(&Some(TargetKind::CryptoAddress));
    let mut handle_done = false;
    let mut key_done = false;
    for t in 0..ctx.tables.len() {
        let Some(kind) = ctx.kinds[t] else { continue };
        let Some(k) = ctx.keys[t] else { continue };
        let table = &ctx.tables[t].name;
        let key = ctx.cname(t, k).to_string();
        let used: BTreeSet<String> = plan
            .entities
            .iter()
            .filter(|e| &e.table == table)
            .flat_map(|e| e.fields.iter().filter_map(|f| f.column.clone()))
            .collect();
        if kind == TargetKind::Account {
            if !key_done && let Some((c, why)) = pgp_key_column(ctx, t) {
                key_done = true;
                let col = ctx.cname(t, c).to_string();
                plan.entities.push(EntityDraft {
                    kind: TargetKind::PgpKey,
                    table: table.clone(),
                    confidence: 0.9,
                    reasons: vec![format!("{col}: {why}")],
                    require: vec![col.clone()],
                    fields: keyed_to_account(
                        ctx,
                        t,
                        k,
                        &key,
                        [FieldDraft::column("armored", &col, why, Vec::new())],
                    ),
                    missing: Vec::new(),
                });
            }
            if !handle_done && let Some((c, kind_const, why)) = handle_column(ctx, t, &used) {
                handle_done = true;
                let col = ctx.cname(t, c).to_string();
                plan.entities.push(EntityDraft {
                    kind: TargetKind::ContactHandle,
                    table: table.clone(),
                    confidence: 0.7,
                    reasons: vec![format!("{col}: {why}")],
                    require: vec![col.clone()],
                    fields: keyed_to_account(
                        ctx,
                        t,
                        k,
                        &key,
                        [
                            FieldDraft::constant("kind", &kind_const, why.clone()),
                            FieldDraft::column("handle", &col, why, samples(ctx, t, c)),
                        ],
                    ),
                    missing: Vec::new(),
                });
            }
            if !has_address_table
                && let Some((c, why)) = crypto_column(ctx, t)
                && !used.contains(ctx.cname(t, c))
            {
                let col = ctx.cname(t, c).to_string();
                let s = ctx.col(t, c);
                let coin = if s.share(C::XmrAddress) > s.share(C::BtcAddress) {
                    "xmr"
                } else {
                    "btc"
                };
                plan.entities.push(EntityDraft {
                    kind: TargetKind::CryptoAddress,
                    table: table.clone(),
                    confidence: 0.7,
                    reasons: vec![format!("{col}: {why}")],
                    require: vec![col.clone()],
                    fields: keyed_to_account(
                        ctx,
                        t,
                        k,
                        &key,
                        [
                            FieldDraft::column("address", &col, why.clone(), samples(ctx, t, c)),
                            FieldDraft::constant("coin", coin, why),
                        ],
                    ),
                    missing: Vec::new(),
                });
            }
        }
        if kind == TargetKind::Order
            && let Some((c, why)) = shipping_column(ctx, t)
        {
            let col = ctx.cname(t, c).to_string();
            let order = plan
                .entities
                .iter()
                .find(|e| &e.table == table && e.kind == TargetKind::Order);
            let mut fields = vec![
                FieldDraft::column(
                    "native_key",
                    &key,
                    "the order's key".into(),
                    samples(ctx, t, k),
                ),
                FieldDraft::column("order", &key, "the order itself".into(), samples(ctx, t, k)),
            ];
            for f in ["buyer", "vendor"] {
                if let Some(of) = order.and_then(|o| o.field(f)) {
                    let mut of = of.clone();
                    of.reason = format!("the order's {f}");
                    fields.push(of);
                }
            }
            fields.push(FieldDraft::column("text", &col, why.clone(), Vec::new()));
            plan.entities.push(EntityDraft {
                kind: TargetKind::ShippingInfo,
                table: table.clone(),
                confidence: 0.8,
                reasons: vec![format!("{col}: {why}")],
                require: vec![col],
                fields,
                missing: Vec::new(),
            });
        }
    }
}

fn handle_column(
    ctx: &Ctx<'_>,
    t: usize,
    used: &BTreeSet<String>,
) -> Option<(usize, String, String)> {
    for c in 0..ctx.ncols(t) {
        let name = ctx.cname(t, c);
        if used.contains(name) {
            continue;
        }
        let s = ctx.col(t, c);
        let n = &ctx.cnames[t][c];
        if s.present() == 0 {
            continue;
        }
        if n.has(Sense::Contact) && text_share(s) < 0.5 {
            let word = n.word_for(Sense::Contact).unwrap_or("contact").to_string();
            let kind = match word.as_str() {
                "tg" => "telegram".to_string(),
                "xmpp" => "jabber".to_string(),
                w => w.to_string(),
            };
            return Some((c, kind, format!("name says {word:?}")));
        }
        if s.share(C::Email) >= 0.8 {
            return Some((
                c,
                "email".into(),
                format!("{} e-mail addresses", pct(s.share(C::Email))),
            ));
        }
        if s.share(C::Handle) >= 0.8 {
            return Some((
                c,
                "contact".into(),
                format!("{} contact handles", pct(s.share(C::Handle))),
            ));
        }
    }
    None
}

fn shipping_column(ctx: &Ctx<'_>, t: usize) -> Pick {
    pgp_message_column(ctx, t).or_else(|| {
        pick_max(ctx, t, |_, c, n| {
            (has_any(n, &[Sense::Shipping, Sense::Address])
                && text_share(c) >= 0.5
                && crypto_share(c) < 0.5)
                .then(|| {
                    (
                        1.0,
                        format!(
                            "name says {:?}",
                            n.word_for(Sense::Address)
                                .or(n.word_for(Sense::Shipping))
                                .unwrap_or("")
                        ),
                    )
                })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafted_fields_are_fields_the_profile_language_accepts() {
        for (kind, fields) in FIELDS {
            let allowed = crate::profile::allowed_fields(*kind);
            for field in *fields {
                assert!(allowed.contains(field), "{kind:?} has no field {field:?}");
            }
        }
    }
}
