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
    /// A seller rarely runs more than about ten accounts (KDD 2019 saw at most 11): an identifier held by more
    /// accounts than this is shared infrastructure or a public value.
    pub max_accounts: usize,
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
            max_accounts: 12,
            max_accounts_per_market: 3,
            max_text_accounts_per_market: 1,
            market_wallet_purposes: ["deposit", "bond", "escrow", "hot", "market"]
                .map(String::from)
                .to_vec(),
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
}

/// The rule of the evidence an analyst's confirmation leaves.
pub const CONFIRMED_RULE: &str = "analyst_confirmed";

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
    let (graph, ignored) = hard_link_graph(input, guard);
    let mut result = resolve_personas(graph, continuity);
    result.ignored = ignored;
    result
}

/// The links the hard rules propose, each of score 1.0 with its evidence, and the identifiers set aside.
pub fn hard_link_graph(
    input: &HardLinkInput<'_>,
    guard: &SharedIdentifierGuard,
) -> (LinkGraph, Vec<IgnoredIdentifier>) {
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

    for ((kind, value), holding) in &holders {
        let holders_of_value: BTreeSet<&RecordId> = holding.iter().map(|h| h.account).collect();
        if holders_of_value.len() < 2 {
            continue;
        }
        if let Some(reason) = guard.reason_to_ignore(holding, holders_of_value.len()) {
            let markets: BTreeSet<&str> = holding.iter().map(|h| h.market).collect();
            ignored.push(IgnoredIdentifier {
                kind: *kind,
                value: value.to_string(),
                accounts: holders_of_value.len(),
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
    (graph, ignored)
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
    }
}

impl SharedIdentifierGuard {
    fn reason_to_ignore(&self, holding: &[Holding<'_>], accounts: usize) -> Option<String> {
        if let Some(p) = holding
            .iter()
            .filter_map(|h| h.purpose)
            .find(|p| self.market_wallet_purposes.iter().any(|w| w == p))
        {
            return Some(format!("the market declares it a {p} wallet"));
        }
        if accounts > self.max_accounts {
            return Some(format!(
                "held by {accounts} accounts (more than {} is not one person)",
                self.max_accounts
            ));
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
