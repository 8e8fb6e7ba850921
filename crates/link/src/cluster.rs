//! Clustering under analysts' judgements: accounts are joined along candidate links, strongest first, except
//! where a judgement says two accounts are different sellers; judgements that two accounts are one seller join
//! them before any evidence is looked at.

use std::collections::HashMap;

use spector_model::{Judgement, JudgementId, RecordId};

/// Two accounts, by index into the accounts being clustered, that evidence says may be one seller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandidateLink {
    pub a: usize,
    pub b: usize,
    /// Match probability: 1.0 for a hard identifier. Stronger links are applied first, so when a judgement
    /// forbids a chain, the weakest link of it is the one refused.
    pub score: f64,
}

/// Two accounts an analyst judged to be one seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MustLink {
    pub a: RecordId,
    pub b: RecordId,
    pub judgement: JudgementId,
}

/// Two groups of accounts an analyst judged to be different sellers: no account of `left` may share a persona
/// with an account of `right`. A rejected link is one account on each side; a split is the split-off accounts
/// against the rest of the persona as judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannotLink {
    pub left: Vec<RecordId>,
    pub right: Vec<RecordId>,
    pub judgement: JudgementId,
}

/// What the active judgements of a case require of a clustering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    pub must: Vec<MustLink>,
    pub cannot: Vec<CannotLink>,
}

impl Constraints {
    /// The constraints of the judgements that are not withdrawn, in judgement order. A judgement that could
    /// not have been recorded (see [`spector_model::JudgementKind::problem`]) constrains nothing.
    pub fn from_judgements(judgements: &[Judgement]) -> Constraints {
        let mut active: Vec<&Judgement> = judgements
            .iter()
            .filter(|j| j.is_active() && j.kind.problem().is_none())
            .collect();
        active.sort_by_key(|j| j.id);
        let mut c = Constraints::default();
        for j in active {
            match &j.kind {
                spector_model::JudgementKind::SameSeller { a, b } => c.must.push(MustLink {
                    a: a.clone(),
                    b: b.clone(),
                    judgement: j.id,
                }),
                other => {
                    if let Some((left, right)) = other.sides() {
                        c.cannot.push(CannotLink {
                            left,
                            right,
                            judgement: j.id,
                        });
                    }
                }
            }
        }
        c
    }

    pub fn is_empty(&self) -> bool {
        self.must.is_empty() && self.cannot.is_empty()
    }

    /// How many judgements these constraints come from.
    pub fn judgements(&self) -> usize {
        self.must.len() + self.cannot.len()
    }
}

/// A candidate link that was not applied because it would have put accounts judged to be different sellers
/// into one persona.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// Index into the links given to [`cluster`].
    pub link: usize,
    pub blocked_by: JudgementId,
}

/// A judgement that two accounts are one seller that contradicts a judgement that they (or accounts already
/// joined to them) are not. The judgement that they are different wins: joining on a contradiction is the
/// error a prosecution cannot afford.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overruled {
    pub judgement: JudgementId,
    pub by: JudgementId,
}

/// A must-link that was applied, by account index, for the evidence it leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmed {
    pub a: usize,
    pub b: usize,
    pub judgement: JudgementId,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Clustering {
    /// Account indices: each group ascending, groups ordered by their first index. Every account is in
    /// exactly one group.
    pub groups: Vec<Vec<usize>>,
    pub refused: Vec<Refusal>,
    pub confirmed: Vec<Confirmed>,
    pub overruled: Vec<Overruled>,
    /// Judgements naming an account that is not among those clustered (constrains nothing this run).
    pub unmatched: Vec<JudgementId>,
}

/// Groups `accounts` along `links` under `constraints`: must-links first (in judgement order), then links from
/// the strongest score down (input order among equals, so results are deterministic), each refused if it would
/// put two accounts on opposite sides of a cannot-link into one group. Links naming an index outside `accounts`
/// are ignored. A NaN score counts as the weakest.
pub fn cluster(
    accounts: &[RecordId],
    links: &[CandidateLink],
    constraints: &Constraints,
) -> Clustering {
    let n = accounts.len();
    let mut sets = DisjointSets::new(n);
    let mut out = Clustering::default();

    if !constraints.is_empty() {
        let index: HashMap<&RecordId, usize> =
            accounts.iter().enumerate().map(|(i, a)| (a, i)).collect();
        let mut unmatched = std::collections::BTreeSet::new();
        for (c, cannot) in constraints.cannot.iter().enumerate() {
            for (side, ids) in [(Side::Left, &cannot.left), (Side::Right, &cannot.right)] {
                for id in ids {
                    match index.get(id) {
                        Some(&i) => sets.tag(
                            i,
                            Tag {
                                constraint: c,
                                side,
                            },
                        ),
                        None => {
                            unmatched.insert(cannot.judgement);
                        }
                    }
                }
            }
        }
        for must in &constraints.must {
            let (Some(&a), Some(&b)) = (index.get(&must.a), index.get(&must.b)) else {
                unmatched.insert(must.judgement);
                continue;
            };
            match sets.union(a, b) {
                Ok(()) => out.confirmed.push(Confirmed {
                    a,
                    b,
                    judgement: must.judgement,
                }),
                Err(c) => out.overruled.push(Overruled {
                    judgement: must.judgement,
                    by: constraints.cannot[c].judgement,
                }),
            }
        }
        out.unmatched = unmatched.into_iter().collect();
    }

    let strength = |l: &CandidateLink| {
        if l.score.is_nan() {
            f64::NEG_INFINITY
        } else {
            l.score
        }
    };
    let mut order: Vec<usize> = (0..links.len()).collect();
    // Stable: equal scores keep their input order.
    order.sort_by(|&x, &y| strength(&links[y]).total_cmp(&strength(&links[x])));
    for i in order {
        let l = links[i];
        if l.a >= n || l.b >= n {
            continue;
        }
        if let Err(c) = sets.union(l.a, l.b) {
            out.refused.push(Refusal {
                link: i,
                blocked_by: constraints.cannot[c].judgement,
            });
        }
    }
    // Refusals in link order, so a report reads like the evidence.
    out.refused.sort_by_key(|r| r.link);

    // Group of each root, by position: a million-account case would spend longer hashing roots.
    let mut group_of_root = vec![usize::MAX; n];
    for i in 0..n {
        let root = sets.find(i);
        if group_of_root[root] == usize::MAX {
            group_of_root[root] = out.groups.len();
            out.groups.push(Vec::new());
        }
        out.groups[group_of_root[root]].push(i);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Left,
    Right,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

/// "This group holds an account on `side` of cannot-link `constraint`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Tag {
    constraint: usize,
    side: Side,
}

/// Union–find with path halving and union by size, whose roots carry the cannot-link tags of their group so
/// that a forbidden union is seen in time proportional to the smaller group's tags. Almost every group has no
/// tag, so the tags live in a map rather than in one vector per account.
struct DisjointSets {
    parent: Vec<usize>,
    size: Vec<usize>,
    /// Sorted, without duplicates; only roots have entries.
    tags: HashMap<usize, Vec<Tag>>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n).collect(),
            size: vec![1; n],
            tags: HashMap::new(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn tag(&mut self, x: usize, tag: Tag) {
        let root = self.find(x);
        let tags = self.tags.entry(root).or_default();
        if let Err(at) = tags.binary_search(&tag) {
            tags.insert(at, tag);
        }
    }

    /// Joins the groups of `a` and `b`, unless that would bring both sides of a cannot-link together: then
    /// nothing changes and the constraint's index is returned.
    fn union(&mut self, a: usize, b: usize) -> Result<(), usize> {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return Ok(());
        }
        if let (Some(ta), Some(tb)) = (self.tags.get(&a), self.tags.get(&b)) {
            let (small, large) = if ta.len() <= tb.len() {
                (ta, tb)
            } else {
                (tb, ta)
            };
            if let Some(t) = small.iter().find(|t| {
                large
                    .binary_search(&Tag {
                        constraint: t.constraint,
                        side: t.side.other(),
                    })
                    .is_ok()
            }) {
                return Err(t.constraint);
            }
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
        if let Some(moved) = self.tags.remove(&b) {
            let kept = self.tags.entry(a).or_default();
            kept.extend(moved);
            kept.sort_unstable();
            kept.dedup();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use spector_model::{EntityKind, JudgementKind};

    fn ids(n: usize) -> Vec<RecordId> {
        (0..n)
            .map(|i| RecordId::new("m", EntityKind::Account, &format!("{i:03}")))
            .collect()
    }
    fn link(a: usize, b: usize, score: f64) -> CandidateLink {
        CandidateLink { a, b, score }
    }
    fn judgement(id: i64, kind: JudgementKind) -> Judgement {
        Judgement {
            id: JudgementId(id),
            kind,
            analyst: "ana".into(),
            reason: "because".into(),
            made_at: 0,
            withdrawn: None,
        }
    }
    fn reject(id: i64, a: &RecordId, b: &RecordId) -> Judgement {
        judgement(
            id,
            JudgementKind::DifferentSellers {
                a: a.clone(),
                b: b.clone(),
            },
        )
    }
    fn confirm(id: i64, a: &RecordId, b: &RecordId) -> Judgement {
        judgement(
            id,
            JudgementKind::SameSeller {
                a: a.clone(),
                b: b.clone(),
            },
        )
    }

    #[test]
    fn without_judgements_links_join_transitively() {
        let acc = ids(5);
        let c = cluster(
            &acc,
            &[link(0, 1, 1.0), link(1, 2, 0.5), link(3, 4, 0.9)],
            &Constraints::default(),
        );
        assert_eq!(c.groups, vec![vec![0, 1, 2], vec![3, 4]]);
        assert!(c.refused.is_empty());
    }

    #[test]
    fn a_cannot_link_between_the_ends_of_a_chain_refuses_its_weakest_link() {
        // A–B strong, B–C weak, A and C judged different: B stays with A, C stands alone.
        let acc = ids(3);
        let constraints = Constraints::from_judgements(&[reject(7, &acc[0], &acc[2])]);
        let c = cluster(&acc, &[link(1, 2, 0.6), link(0, 1, 0.9)], &constraints);
        assert_eq!(c.groups, vec![vec![0, 1], vec![2]]);
        assert_eq!(
            c.refused,
            vec![Refusal {
                link: 0,
                blocked_by: JudgementId(7)
            }]
        );
        // With the strengths the other way round, C keeps B and A goes alone.
        let c = cluster(&acc, &[link(1, 2, 0.9), link(0, 1, 0.6)], &constraints);
        assert_eq!(c.groups, vec![vec![0], vec![1, 2]]);
        assert_eq!(c.refused[0].link, 1);
    }

    #[test]
    fn a_must_link_joins_accounts_without_evidence() {
        let acc = ids(3);
        let constraints = Constraints::from_judgements(&[confirm(1, &acc[0], &acc[2])]);
        let c = cluster(&acc, &[], &constraints);
        assert_eq!(c.groups, vec![vec![0, 2], vec![1]]);
        assert_eq!(
            c.confirmed,
            vec![Confirmed {
                a: 0,
                b: 2,
                judgement: JudgementId(1)
            }]
        );
    }

    #[test]
    fn withdrawn_judgements_constrain_nothing() {
        let acc = ids(2);
        let mut j = reject(1, &acc[0], &acc[1]);
        j.withdrawn = Some(spector_model::Withdrawal {
            analyst: "ana".into(),
            reason: "wrong".into(),
            at: 5,
        });
        let constraints = Constraints::from_judgements(&[j]);
        assert!(constraints.is_empty());
        let c = cluster(&acc, &[link(0, 1, 1.0)], &constraints);
        assert_eq!(c.groups, vec![vec![0, 1]]);
    }

    #[test]
    fn a_split_separates_the_named_accounts_from_the_rest_but_not_from_each_other() {
        let acc = ids(5);
        let split = judgement(
            3,
            JudgementKind::Split {
                persona: "P-x".into(),
                accounts: vec![acc[2].clone(), acc[3].clone()],
                members: acc[..4].to_vec(),
            },
        );
        let constraints = Constraints::from_judgements(&[split]);
        // A chain 0-1-2-3-4 of equal links.
        let links: Vec<_> = (0..4).map(|i| link(i, i + 1, 1.0)).collect();
        let c = cluster(&acc, &links, &constraints);
        // 1–2 is the link crossing the split; 4 was not in the persona when judged, so goes with 3.
        assert_eq!(c.groups, vec![vec![0, 1], vec![2, 3, 4]]);
        assert_eq!(c.refused.iter().map(|r| r.link).collect::<Vec<_>>(), [1]);
        // Nothing joins 2 and 3 when no evidence does.
        let c = cluster(&acc, &[], &constraints);
        assert_eq!(c.groups.len(), 5);
    }

    #[test]
    fn a_confirmation_contradicting_a_rejection_is_overruled() {
        let acc = ids(3);
        let constraints = Constraints::from_judgements(&[
            reject(1, &acc[0], &acc[2]),
            confirm(2, &acc[0], &acc[1]),
            confirm(3, &acc[1], &acc[2]),
        ]);
        let c = cluster(&acc, &[], &constraints);
        assert_eq!(c.groups, vec![vec![0, 1], vec![2]]);
        assert_eq!(
            c.overruled,
            vec![Overruled {
                judgement: JudgementId(3),
                by: JudgementId(1)
            }]
        );
    }

    #[test]
    fn judgements_about_unknown_accounts_are_reported_and_bad_links_ignored() {
        let acc = ids(2);
        let stranger = RecordId::new("x", EntityKind::Account, "gone");
        let constraints = Constraints::from_judgements(&[
            reject(4, &acc[0], &stranger),
            confirm(5, &stranger, &acc[1]),
        ]);
        let c = cluster(&acc, &[link(0, 9, 1.0), link(0, 1, f64::NAN)], &constraints);
        assert_eq!(c.unmatched, vec![JudgementId(4), JudgementId(5)]);
        assert_eq!(c.groups, vec![vec![0, 1]]);
    }

    proptest! {
        /// Whatever the links and rejections, no group holds a rejected pair; without rejections the groups
        /// are the connected components; every account is in one group.
        #[test]
        fn groups_obey_every_rejection_and_otherwise_follow_the_links(
            n in 1usize..25,
            raw_links in prop::collection::vec((0usize..25, 0usize..25, 0.0f64..1.0), 0..60),
            raw_rejects in prop::collection::vec((0usize..25, 0usize..25), 0..6),
        ) {
            let acc = ids(n);
            let links: Vec<_> = raw_links.iter().map(|&(a, b, s)| link(a % n, b % n, s)).collect();
            let rejects: Vec<Judgement> = raw_rejects
                .iter()
                .enumerate()
                .filter(|(_, (a, b))| a % n != b % n)
                .map(|(i, &(a, b))| reject(i as i64 + 1, &acc[a % n], &acc[b % n]))
                .collect();
            let constraints = Constraints::from_judgements(&rejects);
            let c = cluster(&acc, &links, &constraints);
            let mut group_of = vec![usize::MAX; n];
            for (g, members) in c.groups.iter().enumerate() {
                for &m in members {
                    prop_assert_eq!(group_of[m], usize::MAX);
                    group_of[m] = g;
                }
            }
            prop_assert!(group_of.iter().all(|&g| g != usize::MAX));
            for (_, &(a, b)) in raw_rejects.iter().enumerate().filter(|(_, (a, b))| a % n != b % n) {
                prop_assert_ne!(group_of[a % n], group_of[b % n]);
            }
            // Every link not refused joins its ends; every refused one has its ends apart.
            let refused: std::collections::HashSet<usize> = c.refused.iter().map(|r| r.link).collect();
            for (i, l) in links.iter().enumerate() {
                if refused.contains(&i) {
                    prop_assert_ne!(group_of[l.a], group_of[l.b]);
                } else {
                    prop_assert_eq!(group_of[l.a], group_of[l.b]);
                }
            }
            // And nothing else joins them: the groups are the components of the links not refused.
            let mut label: Vec<usize> = (0..n).collect();
            loop {
                let mut changed = false;
                for (i, l) in links.iter().enumerate() {
                    let low = label[l.a].min(label[l.b]);
                    if !refused.contains(&i) && label[l.a] != label[l.b] {
                        label[l.a] = low;
                        label[l.b] = low;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            for x in 0..n {
                for y in 0..n {
                    prop_assert_eq!(label[x] == label[y], group_of[x] == group_of[y]);
                }
            }
            if rejects.is_empty() {
                prop_assert!(c.refused.is_empty());
            }
        }
    }
}
