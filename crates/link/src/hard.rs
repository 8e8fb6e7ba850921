use std::collections::{BTreeMap, BTreeSet, HashMap};

use spector_model::{
    Account, ContactHandle, CryptoAddress, Judgement, JudgementId, LinkEvidence, PersonaMember,
    PgpKey, RecordId, RefusedLink,
};

use crate::cluster::{CandidateLink, Constraints, Overruled, cluster};
use crate::stable::{PersonaChange, assign_stable_ids};

/// The kinds of hard identifier, as named in link evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdentifierKind {
    PgpFingerprint,
    CryptoAddress,
    ContactHandle,
}

impl IdentifierKind {
    pub fn rule_name(self) -> &'static str {
        match self {
            IdentifierKind::PgpFingerprint => "same_pgp_fingerprint",
            IdentifierKind::CryptoAddress => "same_crypto_address",
            IdentifierKind::ContactHandle => "same_contact_handle",
        }
    }
}

/// What the hard rules read.
pub struct HardLinkInput<'a> {
    pub accounts: &'a [Account],
    pub pgp_keys: &'a [PgpKey],
    pub crypto_addresses: &'a [CryptoAddress],
    pub contact_handles: &'a [ContactHandle],
}

/// Decides which identifiers are market infrastructure rather than a person's.
#[derive(Debug, Clone)]
pub struct SharedIdentifierGuard {
    /// The most accounts one identifier may link, whatever the data says. A seller rarely runs more than
    /// about ten accounts (KDD 2019 saw at most 11); the limit a case gets is read from its own holder
    /// counts ([`HolderLimit`]) between `min_accounts` and this.
    pub max_accounts: usize,
    /// The limit never goes below this: two, three or four accounts of one seller sharing a key are common.
    pub min_accounts: usize,
    /// How much larger the next holder count must be for the gap to separate people from infrastructure.
    pub gap_ratio: f64,
    /// One person seldom holds several accounts on one market; several accounts of one market sharing a value
    /// from a table column is the signature of a market wallet.
    pub max_accounts_per_market: usize,
    /// The same, for values found in free text: a value quoted by two accounts of one market (an escrow
    /// address in every vendor page) is the market's, not theirs.
    pub max_text_accounts_per_market: usize,
    /// Address purposes the market itself declares as its own wallets.
    pub market_wallet_purposes: Vec<String>,
}

impl Default for SharedIdentifierGuard {
    fn default() -> Self {
        SharedIdentifierGuard {
            max_accounts: 24,
            min_accounts: 4,
            gap_ratio: 2.0,
            max_accounts_per_market: 3,
            max_text_accounts_per_market: 1,
            market_wallet_purposes: ["deposit", "bond", "escrow", "hot", "market"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// How many accounts one identifier may link in this case, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct HolderLimit {
    pub limit: usize,
    /// The holder counts on either side of the gap the limit was read from, when there was one.
    pub gap: Option<(usize, usize)>,
    /// Identifiers held by two or more accounts that the structural rules (market wallets, several
    /// accounts of one market) left for the count to decide.
    pub values_considered: usize,
    pub explanation: String,
}

impl SharedIdentifierGuard {
    /// Reads the limit from the holder counts of the values shared by two or more accounts. A person's
    /// identifiers are held by a few accounts, a market's or a public value's by many: sorted, the counts
    /// climb slowly and then jump. The limit is the count just below the first jump by `gap_ratio` or more
    /// that starts at or above `min_accounts`, kept within [`min_accounts`, `max_accounts`].
    pub fn holder_limit(&self, counts: &[usize]) -> HolderLimit {
        let mut distinct: Vec<usize> = counts.iter().copied().filter(|&c| c >= 2).collect();
        let values_considered = distinct.len();
        distinct.sort_unstable();
        distinct.dedup();
        let gap = distinct
            .windows(2)
            .find(|w| w[0] >= self.min_accounts && w[1] as f64 >= w[0] as f64 * self.gap_ratio)
            .map(|w| (w[0], w[1]));
        let (limit, explanation) = match gap {
            Some((below, above)) if below <= self.max_accounts => (
                below,
                format!(
                    "no identifier of this case is held by {}–{} accounts: at most {below} is one seller's, \
                     {above} or more is shared infrastructure",
                    below + 1,
                    above - 1
                ),
            ),
            Some((below, _)) => (
                self.max_accounts,
                format!(
                    "holder counts climb to {below} before their first gap, above the ceiling of {}: the \
                     ceiling applies",
                    self.max_accounts
                ),
            ),
            None => {
                let largest = distinct.last().copied().unwrap_or(0);
                let limit = largest.clamp(self.min_accounts, self.max_accounts);
                (
                    limit,
                    format!(
                        "holder counts show no gap (largest {largest}); limit {limit}, within [{}, {}]",
                        self.min_accounts, self.max_accounts
                    ),
                )
            }
        };
        HolderLimit {
            limit,
            gap,
            values_considered,
            explanation,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IgnoredIdentifier {
    pub kind: IdentifierKind,
    pub value: String,
    pub accounts: usize,
    pub markets: usize,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Persona {
    pub id: String,
    /// Sorted account ids.
    pub accounts: Vec<RecordId>,
}

/// Accounts and the links evidence proposes between them, before judgements and clustering. A linker fills
/// it (the hard rules with [`hard_link_graph`]); [`resolve_personas`] turns it into personas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkGraph {
    /// Distinct and sorted; links name accounts by index into this.
    pub accounts: Vec<RecordId>,
    pub links: Vec<CandidateLink>,
    /// What backs the links: every row names two accounts of some link. Several rows may back one pair.
    pub evidence: Vec<LinkEvidence>,
}

/// What earlier work on the case fixes about a run: the analysts' judgements, and the personas of the last
/// run, whose ids are kept. The default is a first run without judgements.
#[derive(Debug, Clone, Copy, Default)]
pub struct Continuity<'a> {
    pub judgements: &'a [Judgement],
    pub previous: &'a [PersonaMember],
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkResult {
    /// Every account belongs to exactly one persona; an account linked to nothing is a persona of one.
    pub personas: Vec<Persona>,
    /// The evidence of every link applied, and of every confirmation by an analyst (rule
    /// [`CONFIRMED_RULE`], the judgement's id as value).
    pub evidence: Vec<LinkEvidence>,
    /// Evidence not applied because a judgement keeps its accounts apart.
    pub refused: Vec<RefusedLink>,
    /// Confirmations that contradict a rejection or split, which wins.
    pub overruled: Vec<Overruled>,
    /// Judgements naming an account that is not in the case.
    pub unmatched: Vec<JudgementId>,
    /// Active judgements applied.
    pub judgements_applied: usize,
    /// How the last run's personas split or merged.
    pub changes: Vec<PersonaChange>,
    pub ignored: Vec<IgnoredIdentifier>,
    /// How many accounts one identifier could link in this run (set by the hard rules).
    pub holder_limit: Option<HolderLimit>,
}

/// The rule of the evidence an analyst's confirmation leaves.
pub const CONFIRMED_RULE: &str = "analyst_confirmed";

/// A value held by two or more accounts, with the structural rules' verdict on it.
struct SharedValue<'k, 'a> {
    key: &'k (IdentifierKind, &'a str),
    holding: &'k Vec<Holding<'a>>,
    /// The distinct accounts holding it (an account stored by several sources counts once).
    holders: BTreeSet<&'a RecordId>,
    structural: Option<String>,
}

struct Holding<'a> {
    account: &'a RecordId,
    market: &'a str,
    from_text: bool,
    purpose: Option<&'a str>,
}

/// Joins accounts that share a hard identifier, obeying the analysts' judgements and keeping the last run's
/// persona ids (see [`resolve_personas`]).
pub fn link_hard(
    input: &HardLinkInput<'_>,
    guard: &SharedIdentifierGuard,
    continuity: &Continuity<'_>,
) -> LinkResult {
    let (graph, ignored, limit) = hard_link_graph(input, guard);
    let mut result = resolve_personas(graph, continuity);
    result.ignored = ignored;
    result.holder_limit = Some(limit);
    result
}

/// The links the hard rules propose, each of score 1.0 with its evidence, and the identifiers set aside.
pub fn hard_link_graph(
    input: &HardLinkInput<'_>,
    guard: &SharedIdentifierGuard,
) -> (LinkGraph, Vec<IgnoredIdentifier>, HolderLimit) {
    // Identifier → the accounts holding it. BTreeMap keeps evidence order deterministic.
    let mut holders: BTreeMap<(IdentifierKind, &str), Vec<Holding<'_>>> = BTreeMap::new();
    for k in input.pgp_keys {
        if let (Some(acc), Some(fp)) = (&k.account_id, &k.fingerprint) {
            holders
                .entry((IdentifierKind::PgpFingerprint, fp.as_str()))
                .or_default()
                .push(Holding {
                    account: acc,
                    market: &k.market,
                    from_text: k.found_in.is_some(),
                    purpose: None,
                });
        }
    }
    for a in input.crypto_addresses {
        if let Some(acc) = &a.account_id {
            holders
                .entry((IdentifierKind::CryptoAddress, a.address.as_str()))
                .or_default()
                .push(Holding {
                    account: acc,
                    market: &a.market,
                    from_text: a.found_in.is_some(),
                    purpose: a.purpose.as_deref(),
                });
        }
    }
    for h in input.contact_handles {
        if let Some(acc) = &h.account_id {
            holders
                .entry((IdentifierKind::ContactHandle, h.handle.as_str()))
                .or_default()
                .push(Holding {
                    account: acc,
                    market: &h.market,
                    from_text: h.found_in.is_some(),
                    purpose: None,
                });
        }
    }

    // An account stored by several sources is one account.
    let mut accounts: Vec<RecordId> = input.accounts.iter().map(|a| a.id.clone()).collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut graph = LinkGraph {
        accounts,
        ..LinkGraph::default()
    };
    let mut ignored = Vec::new();

    // First the structural rules; then the holder limit, read from the counts of what they left.
    let mut decided: Vec<SharedValue<'_, '_>> = Vec::new();
    for (key, holding) in &holders {
        let holders_of_value: BTreeSet<&RecordId> = holding.iter().map(|h| h.account).collect();
        if holders_of_value.len() < 2 {
            continue;
        }
        let reason = guard.structural_reason(holding);
        decided.push(SharedValue {
            key,
            holding,
            holders: holders_of_value,
            structural: reason,
        });
    }
    let counts: Vec<usize> = decided
        .iter()
        .filter(|d| d.structural.is_none())
        .map(|d| d.holders.len())
        .collect();
    let limit = guard.holder_limit(&counts);
    for SharedValue {
        key: (kind, value),
        holding,
        holders: holders_of_value,
        structural: reason,
    } in decided
    {
        let accounts = holders_of_value.len();
        let reason = reason.or_else(|| {
            (accounts > limit.limit).then(|| {
                format!(
                    "held by {accounts} accounts (more than this case's limit of {}: one seller's \
                     identifiers are held by fewer)",
                    limit.limit
                )
            })
        });
        if let Some(reason) = reason {
            let markets: BTreeSet<&str> = holding.iter().map(|h| h.market).collect();
            ignored.push(IgnoredIdentifier {
                kind: *kind,
                value: value.to_string(),
                accounts,
                markets: markets.len(),
                reason,
            });
            continue;
        }
        // Every pair of holders, not a star from one of them: each pair does share the value, and when a
        // judgement keeps one holder apart, the others must still be joined by what they share.
        let members: Vec<(&RecordId, usize)> = holders_of_value
            .iter()
            .filter_map(|a| graph.accounts.binary_search(a).ok().map(|i| (*a, i)))
            .collect();
        for (x, &(first, first_i)) in members.iter().enumerate() {
            for &(other, other_i) in members.iter().skip(x + 1) {
                graph.links.push(CandidateLink {
                    a: first_i,
                    b: other_i,
                    score: 1.0,
                });
                graph.evidence.push(LinkEvidence {
                    account_a: first.clone(),
                    account_b: other.clone(),
                    rule: kind.rule_name().to_string(),
                    value: value.to_string(),
                    score: 1.0,
                });
            }
        }
    }
    (graph, ignored, limit)
}

/// Turns proposed links into personas: the judgements of `continuity` are applied ([`cluster`]), the evidence of
/// refused links is set aside with the judgement that refused it, each confirmation leaves evidence of its
/// own, and the personas are named after the last run's ([`assign_stable_ids`]). The part every linker shares.
pub fn resolve_personas(graph: LinkGraph, continuity: &Continuity<'_>) -> LinkResult {
    let constraints = Constraints::from_judgements(continuity.judgements);
    let clustering = cluster(&graph.accounts, &graph.links, &constraints);

    // A pair's links share one fate (a refused pair stays refused as groups only grow), so refusals are
    // matched to evidence by pair.
    let unordered = |a: usize, b: usize| (a.min(b), a.max(b));
    let refused_pairs: HashMap<(usize, usize), JudgementId> = clustering
        .refused
        .iter()
        .filter_map(|r| {
            let l = graph.links.get(r.link)?;
            Some((unordered(l.a, l.b), r.blocked_by))
        })
        .collect();
    let mut evidence = Vec::with_capacity(graph.evidence.len() + clustering.confirmed.len());
    let mut refused = Vec::new();
    if refused_pairs.is_empty() {
        evidence.extend(graph.evidence);
    } else {
        let index: HashMap<&RecordId, usize> = graph
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a, i))
            .collect();
        for e in graph.evidence {
            let blocked = match (index.get(&e.account_a), index.get(&e.account_b)) {
                (Some(&a), Some(&b)) => refused_pairs.get(&unordered(a, b)).copied(),
                _ => None,
            };
            match blocked {
                Some(judgement) => refused.push(RefusedLink {
                    evidence: e,
                    judgement,
                }),
                None => evidence.push(e),
            }
        }
    }
    for c in &clustering.confirmed {
        if let (Some(a), Some(b)) = (graph.accounts.get(c.a), graph.accounts.get(c.b)) {
            evidence.push(LinkEvidence {
                account_a: a.clone(),
                account_b: b.clone(),
                rule: CONFIRMED_RULE.to_string(),
                value: c.judgement.to_string(),
                score: 1.0,
            });
        }
    }

    let groups: Vec<Vec<RecordId>> = clustering
        .groups
        .iter()
        .map(|g| {
            g.iter()
                .filter_map(|&i| graph.accounts.get(i).cloned())
                .collect()
        })
        .collect();
    let named = assign_stable_ids(continuity.previous, groups);
    LinkResult {
        personas: named.personas,
        evidence,
        refused,
        overruled: clustering.overruled,
        unmatched: clustering.unmatched,
        judgements_applied: constraints.judgements(),
        changes: named.changes,
        ignored: Vec::new(),
        holder_limit: None,
    }
}

impl SharedIdentifierGuard {
    /// Why a value is infrastructure whatever its count: the market says so, or too many accounts of one
    /// market hold it.
    fn structural_reason(&self, holding: &[Holding<'_>]) -> Option<String> {
        if let Some(p) = holding
            .iter()
            .filter_map(|h| h.purpose)
            .find(|p| self.market_wallet_purposes.iter().any(|w| w == p))
        {
            return Some(format!("the market declares it a {p} wallet"));
        }
        let mut per_market: BTreeMap<&str, (BTreeSet<&RecordId>, bool)> = BTreeMap::new();
        for h in holding {
            let e = per_market.entry(h.market).or_default();
            e.0.insert(h.account);
            e.1 |= h.from_text;
        }
        for (market, (accs, from_text)) in per_market {
            let cap = if from_text {
                self.max_text_accounts_per_market
            } else {
                self.max_accounts_per_market
            };
            if accs.len() > cap {
                return Some(format!(
                    "{} accounts of market {market} share it{} (more than {cap} means market infrastructure)",
                    accs.len(),
                    if from_text { " in their text" } else { "" }
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_limit_is_read_from_the_gap_in_holder_counts() {
        let guard = SharedIdentifierGuard::default();
        // Sellers' keys held by 2–9 accounts, market values by 88 and more: the limit is 9.
        let counts = [2, 2, 2, 3, 2, 5, 9, 4, 88, 103, 115, 7];
        let l = guard.holder_limit(&counts);
        assert_eq!((l.limit, l.gap), (9, Some((9, 88))));
        assert_eq!(l.values_considered, counts.len());
        assert!(l.explanation.contains("10–87"), "{}", l.explanation);
        // A seller with 15 accounts on one key stays one seller when infrastructure starts at 60.
        assert_eq!(guard.holder_limit(&[2, 3, 15, 60, 61]).limit, 15);
        // A jump below the floor (2 → 5) is not the gap: three or four accounts of a seller are common.
        assert_eq!(guard.holder_limit(&[2, 5, 6, 40]).limit, 6);
        // No gap: the largest count, within the bounds.
        assert_eq!(guard.holder_limit(&[2, 3, 4, 5, 6]).limit, 6);
        assert_eq!(guard.holder_limit(&[]).limit, guard.min_accounts);
        // Counts that climb past the ceiling before any gap: the ceiling.
        let climbing: Vec<usize> = (2..40).collect();
        assert_eq!(guard.holder_limit(&climbing).limit, guard.max_accounts);
    }
    use crate::persona_id_for;
    use spector_model::{AccountRole, EntityKind, JudgementKind, Provenance};

    fn account(market: &str, name: &str) -> Account {
        Account {
            id: RecordId::new(market, EntityKind::Account, name),
            market: market.into(),
            name: name.into(),
            role: AccountRole::Vendor,
            created_at: None,
            profile: None,
            provenance: Provenance::default(),
        }
    }
    fn key(a: &Account, fp: &str) -> PgpKey {
        PgpKey {
            id: RecordId::new(&a.market, EntityKind::PgpKey, &a.name),
            market: a.market.clone(),
            account_id: Some(a.id.clone()),
            armored: String::new(),
            fingerprint: Some(fp.into()),
            parse_error: None,
            found_in: None,
            provenance: Provenance::default(),
        }
    }
    fn addr(a: &Account, address: &str, purpose: &str, from_text: bool) -> CryptoAddress {
        CryptoAddress {
            id: RecordId::new(&a.market, EntityKind::CryptoAddress, address),
            market: a.market.clone(),
            account_id: Some(a.id.clone()),
            address: address.into(),
            coin: "btc".into(),
            purpose: Some(purpose.into()),
            found_in: from_text.then(|| "accounts.profile".to_string()),
            provenance: Provenance::default(),
        }
    }

    fn persona_of<'a>(r: &'a LinkResult, a: &Account) -> &'a Persona {
        r.personas
            .iter()
            .find(|p| p.accounts.contains(&a.id))
            .expect("every account has a persona")
    }

    #[test]
    fn shared_key_or_payout_address_joins_accounts_transitively_with_evidence() {
        let (a, b, c, d) = (
            account("m1", "alpha"),
            account("m2", "alpha_uk"),
            account("m3", "zzz"),
            account("m3", "loner"),
        );
        let accounts = [a.clone(), b.clone(), c.clone(), d.clone()];
        let keys = [key(&a, "FP1"), key(&b, "FP1")];
        let addrs = [
            addr(&b, "bc1qpayout", "payout", false),
            addr(&c, "bc1qpayout", "payout", false),
        ];
        let r = link_hard(
            &HardLinkInput {
                accounts: &accounts,
                pgp_keys: &keys,
                crypto_addresses: &addrs,
                contact_handles: &[],
            },
            &SharedIdentifierGuard::default(),
            &Continuity::default(),
        );
        assert_eq!(r.personas.len(), 2);
        assert_eq!(persona_of(&r, &a).accounts.len(), 3);
        assert_eq!(persona_of(&r, &a), persona_of(&r, &c));
        assert_eq!(persona_of(&r, &d).accounts, vec![d.id.clone()]);
        let rules: Vec<&str> = r.evidence.iter().map(|e| e.rule.as_str()).collect();
        assert_eq!(rules, ["same_pgp_fingerprint", "same_crypto_address"]);
        assert!(r.ignored.is_empty());
    }

    #[test]
    fn market_wallets_and_widely_shared_values_link_nobody() {
        let vendors: Vec<Account> = (0..5).map(|i| account("m1", &format!("v{i}"))).collect();
        let mut addrs: Vec<CryptoAddress> = vendors
            .iter()
            .map(|v| addr(v, "1Bond", "bond", false))
            .collect();
        // The same escrow address quoted in the profile text of two vendors of one market.
        addrs.push(addr(&vendors[0], "1Escrow", "mentioned", true));
        addrs.push(addr(&vendors[1], "1Escrow", "mentioned", true));
        // A payout value shared by four accounts on one market.
        addrs.extend(
            vendors[..4]
                .iter()
                .map(|v| addr(v, "1Hot", "payout", false)),
        );
        let r = link_hard(
            &HardLinkInput {
                accounts: &vendors,
                pgp_keys: &[],
                crypto_addresses: &addrs,
                contact_handles: &[],
            },
            &SharedIdentifierGuard::default(),
            &Continuity::default(),
        );
        assert_eq!(r.personas.len(), 5, "{:?}", r.personas);
        assert!(r.evidence.is_empty());
        let mut reasons: Vec<(&str, &str)> = r
            .ignored
            .iter()
            .map(|i| (i.value.as_str(), i.reason.as_str()))
            .collect();
        reasons.sort();
        assert_eq!(reasons.len(), 3);
        assert!(reasons[0].1.contains("bond wallet"), "{reasons:?}");
        assert!(reasons[1].1.contains("in their text"), "{reasons:?}");
        assert!(
            reasons[2].1.contains("4 accounts of market m1"),
            "{reasons:?}"
        );
    }

    #[test]
    fn persona_ids_are_stable_and_order_independent() {
        let (a, b) = (account("m1", "x"), account("m2", "y"));
        let keys = [key(&a, "FP"), key(&b, "FP")];
        let run = |accounts: &[Account]| {
            link_hard(
                &HardLinkInput {
                    accounts,
                    pgp_keys: &keys,
                    crypto_addresses: &[],
                    contact_handles: &[],
                },
                &SharedIdentifierGuard::default(),
                &Continuity::default(),
            )
        };
        let r1 = run(&[a.clone(), b.clone()]);
        let r2 = run(&[b, a.clone()]);
        assert_eq!(r1.personas, r2.personas);
        assert_eq!(r1.personas[0].id, persona_id_for(&a.id));
    }

    #[test]
    fn a_rejected_hard_link_splits_its_accounts_and_keeps_the_refusal_as_evidence() {
        let (a, b, c) = (account("m1", "a"), account("m2", "b"), account("m3", "c"));
        let accounts = [a.clone(), b.clone(), c.clone()];
        // a–b share a key, b–c an address: one persona of three without judgements.
        let keys = [key(&a, "FP"), key(&b, "FP")];
        let addrs = [
            addr(&b, "1Pay", "payout", false),
            addr(&c, "1Pay", "payout", false),
        ];
        let input = HardLinkInput {
            accounts: &accounts,
            pgp_keys: &keys,
            crypto_addresses: &addrs,
            contact_handles: &[],
        };
        let first = link_hard(
            &input,
            &SharedIdentifierGuard::default(),
            &Continuity::default(),
        );
        assert_eq!(first.personas.len(), 1);
        let previous: Vec<PersonaMember> = first
            .personas
            .iter()
            .flat_map(|p| {
                p.accounts.iter().map(|acc| PersonaMember {
                    persona_id: p.id.clone(),
                    account_id: acc.clone(),
                })
            })
            .collect();
        let judgements = [
            Judgement {
                id: JudgementId(1),
                kind: JudgementKind::DifferentSellers {
                    a: b.id.clone(),
                    b: c.id.clone(),
                },
                analyst: "ana".into(),
                reason: "the address is a mixer".into(),
                made_at: 1,
                withdrawn: None,
            },
            Judgement {
                id: JudgementId(2),
                kind: JudgementKind::SameSeller {
                    a: a.id.clone(),
                    b: c.id.clone(),
                },
                analyst: "ana".into(),
                reason: "contradicts J-1 through b".into(),
                made_at: 2,
                withdrawn: None,
            },
        ];
        let r = link_hard(
            &input,
            &SharedIdentifierGuard::default(),
            &Continuity {
                judgements: &judgements,
                previous: &previous,
            },
        );
        // a–c confirmed first, so the key link a–b would join b to c: refused, as is b–c itself.
        assert_eq!(persona_of(&r, &a), persona_of(&r, &c));
        assert_eq!(persona_of(&r, &b).accounts, vec![b.id.clone()]);
        let refused: Vec<(&str, JudgementId)> = r
            .refused
            .iter()
            .map(|x| (x.evidence.rule.as_str(), x.judgement))
            .collect();
        assert_eq!(
            refused,
            [
                ("same_pgp_fingerprint", JudgementId(1)),
                ("same_crypto_address", JudgementId(1))
            ]
        );
        let rules: Vec<(&str, &str)> = r
            .evidence
            .iter()
            .map(|e| (e.rule.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(rules, [(CONFIRMED_RULE, "J-2")]);
        assert_eq!(r.judgements_applied, 2);
        // The larger part keeps the persona's id; the split is reported.
        assert_eq!(persona_of(&r, &a).id, first.personas[0].id);
        assert!(
            matches!(&r.changes[..], [PersonaChange::Split { from, into }]
            if *from == first.personas[0].id && into.len() == 2)
        );
    }

    #[test]
    fn an_account_stored_twice_is_one_account() {
        let a = account("m1", "a");
        let r = link_hard(
            &HardLinkInput {
                accounts: &[a.clone(), a.clone()],
                pgp_keys: &[],
                crypto_addresses: &[],
                contact_handles: &[],
            },
            &SharedIdentifierGuard::default(),
            &Continuity::default(),
        );
        assert_eq!(r.personas.len(), 1);
        assert_eq!(r.personas[0].accounts, vec![a.id]);
    }

    #[test]
    fn splitting_one_holder_off_leaves_the_others_joined_by_what_they_share() {
        let (a, b, c) = (account("m1", "a"), account("m2", "b"), account("m3", "c"));
        let accounts = [a.clone(), b.clone(), c.clone()];
        let keys = [key(&a, "FP"), key(&b, "FP"), key(&c, "FP")];
        let input = HardLinkInput {
            accounts: &accounts,
            pgp_keys: &keys,
            crypto_addresses: &[],
            contact_handles: &[],
        };
        let split = [Judgement {
            id: JudgementId(1),
            kind: JudgementKind::Split {
                persona: "P-x".into(),
                accounts: vec![a.id.clone()],
                members: vec![a.id.clone(), b.id.clone(), c.id.clone()],
            },
            analyst: "ana".into(),
            reason: "r".into(),
            made_at: 0,
            withdrawn: None,
        }];
        let r = link_hard(
            &input,
            &SharedIdentifierGuard::default(),
            &Continuity {
                judgements: &split,
                previous: &[],
            },
        );
        assert_eq!(persona_of(&r, &a).accounts, vec![a.id.clone()]);
        assert_eq!(
            persona_of(&r, &b).accounts,
            vec![b.id.clone(), c.id.clone()]
        );
        assert_eq!(r.refused.len(), 2);
        assert_eq!(r.evidence.len(), 1);
    }
}
