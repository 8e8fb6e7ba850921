//! Persona ids that survive re-runs: an analyst's notes, a report and a judgement name a persona by its id, so
//! a persona that gains an account from a newly ingested market, or loses one to a judgement, keeps it.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};
use spector_model::{PersonaMember, RecordId};

use crate::Persona;

/// A persona's id the first time its accounts are seen together: derived from its smallest account id, so
/// linking the same data in a fresh case gives the same ids.
pub fn persona_id_for(smallest_account: &RecordId) -> String {
    id_text(id_digest(smallest_account.as_str().as_bytes()))
}

/// The part of the SHA-256 of `bytes` an id shows: ids are equal exactly when these are.
fn id_digest(bytes: &[u8]) -> [u8; 6] {
    let digest = Sha256::digest(bytes);
    let mut prefix = [0u8; 6];
    prefix.copy_from_slice(&digest[..6]);
    prefix
}

/// "P-" and the digest in lower-case hex. Written out by hand: a million-account case names a million
/// personas, and the general formatting machinery was most of the time of linking's last step.
fn id_text(digest: [u8; 6]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(14);
    id.push_str("P-");
    for b in digest {
        id.push(char::from(HEX[usize::from(b >> 4)]));
        id.push(char::from(HEX[usize::from(b & 15)]));
    }
    id
}

/// How the personas of the last run became those of this one, where it is more than a change of members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonaChange {
    /// The accounts of the earlier persona `from` are now in several personas, `into` (sorted; holds `from`
    /// when the largest part kept the id).
    Split { from: String, into: Vec<String> },
    /// Accounts of several earlier personas, `from` (sorted; holds `into` when it kept one of their ids), are
    /// now one persona.
    Merged { into: String, from: Vec<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct StableIds {
    /// Sorted by first account; each persona's accounts sorted.
    pub personas: Vec<Persona>,
    /// Splits first, then merges, each in id order.
    pub changes: Vec<PersonaChange>,
    /// Personas that kept an id of the last run.
    pub kept: usize,
}

/// Names `groups` (accounts found to be one seller) after the personas of the last run (`previous`).
///
/// A group inherits the earlier id it shares the most accounts with; each earlier id goes to one group only,
/// the matches being made from the largest overlap down (ties: the smaller id, then the group with the
/// smaller first account). So a persona that grows keeps its id, a split leaves it on the larger part, and
/// a merge keeps the id of the part that brought the most accounts. A group that inherits nothing gets
/// [`persona_id_for`] its smallest account, or, if some persona of the last run or this one already has that
/// id, one derived from it deterministically. Duplicate accounts in `groups` or `previous` count once.
pub fn assign_stable_ids(previous: &[PersonaMember], groups: Vec<Vec<RecordId>>) -> StableIds {
    let mut groups: Vec<Vec<RecordId>> = groups
        .into_iter()
        .map(|mut g| {
            g.sort();
            g.dedup();
            g
        })
        .filter(|g| !g.is_empty())
        .collect();
    // By first account; groups are disjoint, so no two compare equal unless the caller repeated one.
    groups.sort_unstable_by(|x, y| x[0].cmp(&y[0]).then_with(|| x.cmp(y)));

    // Earlier ids by rank in id order, so that comparing ranks compares ids.
    let old_ids: Vec<&str> = previous
        .iter()
        .map(|m| m.persona_id.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rank: crate::FastMap<&str, usize> =
        old_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut old_of: crate::FastMap<&RecordId, usize> =
        crate::FastMap::with_capacity_and_hasher(previous.len(), Default::default());
    for m in previous {
        if let Some(&r) = rank.get(m.persona_id.as_str()) {
            old_of.entry(&m.account_id).or_insert(r);
        }
    }

    // (accounts shared, earlier id, group) for every pair that shares any.
    let mut overlaps: Vec<(usize, usize, usize)> = Vec::new();
    let mut olds: Vec<usize> = Vec::new();
    // A first run has no earlier personas: nothing to look up for its million accounts.
    for (g, accounts) in groups.iter().enumerate().filter(|_| !old_of.is_empty()) {
        olds.clear();
        olds.extend(accounts.iter().filter_map(|a| old_of.get(a).copied()));
        olds.sort_unstable();
        for run in olds.chunk_by(|x, y| x == y) {
            overlaps.push((run.len(), run[0], g));
        }
    }
    overlaps.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));

    let mut id_of_group: Vec<Option<String>> = vec![None; groups.len()];
    let mut old_taken = vec![false; old_ids.len()];
    for &(_, old, g) in &overlaps {
        if id_of_group[g].is_none() && !old_taken[old] {
            old_taken[old] = true;
            id_of_group[g] = Some(old_ids[old].to_string());
        }
    }
    let kept = id_of_group.iter().filter(|id| id.is_some()).count();

    // An id once given to other accounts is not reused for new ones: a retired id coming back to name a
    // different group would make the history unreadable. Every inherited id is an earlier one.
    let mut fresh: crate::FastSet<[u8; 6]> =
        crate::FastSet::with_capacity_and_hasher(groups.len() - kept, Default::default());
    for (g, accounts) in groups.iter().enumerate() {
        if id_of_group[g].is_some() {
            continue;
        }
        let smallest = &accounts[0];
        let mut digest = id_digest(smallest.as_str().as_bytes());
        let mut id = id_text(digest);
        let mut attempt = 1u32;
        while rank.contains_key(id.as_str()) || fresh.contains(&digest) {
            digest = id_digest(format!("{}#{attempt}", smallest.as_str()).as_bytes());
            id = id_text(digest);
            attempt += 1;
        }
        fresh.insert(digest);
        id_of_group[g] = Some(id);
    }
    let ids: Vec<String> = id_of_group.into_iter().flatten().collect();

    let mut groups_per_old = vec![0u32; old_ids.len()];
    let mut olds_per_group = vec![0u32; groups.len()];
    for &(_, old, g) in &overlaps {
        groups_per_old[old] += 1;
        olds_per_group[g] += 1;
    }
    let mut split: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut merged: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &(_, old, g) in &overlaps {
        if groups_per_old[old] > 1 {
            split.entry(old_ids[old]).or_default().push(&ids[g]);
        }
        if olds_per_group[g] > 1 {
            merged.entry(&ids[g]).or_default().push(old_ids[old]);
        }
    }
    let sorted = |mut v: Vec<&str>| {
        v.sort_unstable();
        v.into_iter().map(str::to_string).collect()
    };
    let mut changes: Vec<PersonaChange> = split
        .into_iter()
        .map(|(from, into)| PersonaChange::Split {
            from: from.to_string(),
            into: sorted(into),
        })
        .collect();
    changes.extend(
        merged
            .into_iter()
            .map(|(into, from)| PersonaChange::Merged {
                into: into.to_string(),
                from: sorted(from),
            }),
    );

    let personas = groups
        .into_iter()
        .zip(ids)
        .map(|(accounts, id)| Persona { id, accounts })
        .collect();
    StableIds {
        personas,
        changes,
        kept,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spector_model::EntityKind;

    #[test]
    fn a_new_persona_id_is_the_start_of_the_sha256_of_its_smallest_account() {
        // SHA-256("abc") = ba7816bf8f01cfea... (FIPS 180-2, appendix B.1).
        assert_eq!(
            persona_id_for(&RecordId::from_stored("abc")),
            "P-ba7816bf8f01"
        );
    }

    fn acc(n: &str) -> RecordId {
        RecordId::new("m", EntityKind::Account, n)
    }
    fn group(names: &[&str]) -> Vec<RecordId> {
        names.iter().map(|n| acc(n)).collect()
    }
    fn members(personas: &[Persona]) -> Vec<PersonaMember> {
        personas
            .iter()
            .flat_map(|p| {
                p.accounts.iter().map(|a| PersonaMember {
                    persona_id: p.id.clone(),
                    account_id: a.clone(),
                })
            })
            .collect()
    }
    fn id_of(r: &StableIds, account: &str) -> String {
        r.personas
            .iter()
            .find(|p| p.accounts.contains(&acc(account)))
            .map(|p| p.id.clone())
            .expect("account placed")
    }

    #[test]
    fn the_first_run_names_personas_after_their_smallest_account() {
        let r = assign_stable_ids(&[], vec![group(&["b", "a"]), group(&["c"])]);
        assert_eq!(r.personas.len(), 2);
        assert_eq!(r.personas[0].accounts, group(&["a", "b"]));
        assert_eq!(r.personas[0].id, persona_id_for(&acc("a")));
        assert_eq!(r.personas[1].id, persona_id_for(&acc("c")));
        assert!(r.changes.is_empty());
        assert_eq!(r.kept, 0);
    }

    #[test]
    fn the_same_groups_keep_the_same_ids() {
        // Ids that are not what a first run would give (they were inherited earlier) are kept as they are.
        let previous = [
            PersonaMember {
                persona_id: "P-old1".into(),
                account_id: acc("a"),
            },
            PersonaMember {
                persona_id: "P-old1".into(),
                account_id: acc("b"),
            },
            PersonaMember {
                persona_id: "P-old2".into(),
                account_id: acc("c"),
            },
        ];
        let r = assign_stable_ids(&previous, vec![group(&["c"]), group(&["b", "a"])]);
        assert_eq!(members(&r.personas), previous.to_vec());
        assert!(r.changes.is_empty());
        assert_eq!(r.kept, 2);
    }

    #[test]
    fn a_new_account_joining_keeps_the_id() {
        let first = assign_stable_ids(&[], vec![group(&["m", "n"]), group(&["z"])]);
        // "a" sorts before "m": a fresh id would now be derived from "a".
        let r = assign_stable_ids(
            &members(&first.personas),
            vec![group(&["a", "m", "n"]), group(&["z"])],
        );
        assert_eq!(id_of(&r, "a"), persona_id_for(&acc("m")));
        assert_eq!(id_of(&r, "z"), persona_id_for(&acc("z")));
        assert!(r.changes.is_empty());
    }

    #[test]
    fn a_split_keeps_the_id_on_the_larger_part_and_reports_it() {
        let first = assign_stable_ids(&[], vec![group(&["a", "b", "c"])]);
        let old = persona_id_for(&acc("a"));
        // "a" leaves: the larger part {b, c} keeps the id, "a" cannot take the id derived from itself
        // (it is the old persona's) and gets a fresh one.
        let r = assign_stable_ids(
            &members(&first.personas),
            vec![group(&["a"]), group(&["b", "c"])],
        );
        assert_eq!(id_of(&r, "b"), old);
        let fresh = id_of(&r, "a");
        assert_ne!(fresh, old);
        assert!(fresh.starts_with("P-") && fresh.len() == old.len());
        let mut into = vec![old.clone(), fresh.clone()];
        into.sort();
        assert_eq!(r.changes, vec![PersonaChange::Split { from: old, into }]);
        // Deterministic.
        let again = assign_stable_ids(
            &members(&first.personas),
            vec![group(&["b", "c"]), group(&["a"])],
        );
        assert_eq!(again, r);
    }

    #[test]
    fn a_merge_keeps_the_id_of_the_larger_part_and_names_the_other() {
        let first = assign_stable_ids(&[], vec![group(&["a"]), group(&["b", "c"])]);
        let (small, large) = (persona_id_for(&acc("a")), persona_id_for(&acc("b")));
        let r = assign_stable_ids(&members(&first.personas), vec![group(&["a", "b", "c"])]);
        assert_eq!(r.personas.len(), 1);
        assert_eq!(r.personas[0].id, large);
        let mut from = vec![small, large.clone()];
        from.sort();
        assert_eq!(r.changes, vec![PersonaChange::Merged { into: large, from }]);
    }

    #[test]
    fn equal_overlaps_go_to_the_smaller_id() {
        let previous = [
            PersonaMember {
                persona_id: "P-b".into(),
                account_id: acc("x"),
            },
            PersonaMember {
                persona_id: "P-a".into(),
                account_id: acc("y"),
            },
        ];
        let r = assign_stable_ids(&previous, vec![group(&["x", "y"])]);
        assert_eq!(r.personas[0].id, "P-a");
    }
}
