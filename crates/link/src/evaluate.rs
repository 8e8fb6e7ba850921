//! Scoring a grouping of records against the truth: pairwise precision and recall, and B-cubed.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Scores {
    fn from(precision: f64, recall: f64) -> Scores {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Scores {
            precision,
            recall,
            f1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub true_pairs: usize,
    pub predicted_pairs: usize,
    pub correct_pairs: usize,
    pub pairwise: Scores,
    /// Averaged per record (Bagga & Baldwin 1998): how much of each record's predicted group is right, and
    /// how much of its true group it found. Large groups do not dominate as they do pairwise.
    pub b_cubed: Scores,
}

/// The unordered pairs of records that share a group.
pub fn pairs_in_groups<T: Ord + Hash + Clone>(group_of: &HashMap<T, usize>) -> HashSet<(T, T)> {
    let mut members: HashMap<usize, Vec<&T>> = HashMap::new();
    for (r, g) in group_of {
        members.entry(*g).or_default().push(r);
    }
    let mut out = HashSet::new();
    for m in members.values() {
        for (i, a) in m.iter().enumerate() {
            for b in &m[i + 1..] {
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                out.insert(((*a).clone(), (*b).clone()));
            }
        }
    }
    out
}

/// Scores `predicted` against `truth` over the records both name (a group label each). `excluded` pairs
/// are left out of the pairwise scores on both sides (e.g. pairs that share a hard identifier, to score
/// what soft evidence alone found).
pub fn evaluate<T: Ord + Hash + Clone>(
    truth: &HashMap<T, usize>,
    predicted: &HashMap<T, usize>,
    excluded: &HashSet<(T, T)>,
) -> Evaluation {
    let truth: HashMap<T, usize> = truth
        .iter()
        .filter(|(r, _)| predicted.contains_key(*r))
        .map(|(r, g)| (r.clone(), *g))
        .collect();
    let predicted: HashMap<T, usize> = predicted
        .iter()
        .filter(|(r, _)| truth.contains_key(*r))
        .map(|(r, g)| (r.clone(), *g))
        .collect();
    let true_pairs: HashSet<(T, T)> = pairs_in_groups(&truth)
        .into_iter()
        .filter(|p| !excluded.contains(p))
        .collect();
    let predicted_pairs: HashSet<(T, T)> = pairs_in_groups(&predicted)
        .into_iter()
        .filter(|p| !excluded.contains(p))
        .collect();
    let correct = true_pairs.intersection(&predicted_pairs).count();
    let ratio = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
    let pairwise = Scores::from(
        ratio(correct, predicted_pairs.len()),
        ratio(correct, true_pairs.len()),
    );

    let mut true_members: HashMap<usize, HashSet<&T>> = HashMap::new();
    let mut predicted_members: HashMap<usize, HashSet<&T>> = HashMap::new();
    for (r, g) in &truth {
        true_members.entry(*g).or_default().insert(r);
    }
    for (r, g) in &predicted {
        predicted_members.entry(*g).or_default().insert(r);
    }
    let (mut p_sum, mut r_sum) = (0.0, 0.0);
    for (r, tg) in &truth {
        let t = &true_members[tg];
        let p = &predicted_members[&predicted[r]];
        let overlap = t.intersection(p).count() as f64;
        p_sum += overlap / p.len() as f64;
        r_sum += overlap / t.len() as f64;
    }
    let n = truth.len().max(1) as f64;
    Evaluation {
        true_pairs: true_pairs.len(),
        predicted_pairs: predicted_pairs.len(),
        correct_pairs: correct,
        pairwise,
        b_cubed: Scores::from(p_sum / n, r_sum / n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(g: &[(&'static str, usize)]) -> HashMap<&'static str, usize> {
        g.iter().copied().collect()
    }

    #[test]
    fn scores_by_hand() {
        // Truth {a,b,c} {d}; predicted {a,b} {c,d}.
        let truth = groups(&[("a", 0), ("b", 0), ("c", 0), ("d", 1)]);
        let predicted = groups(&[("a", 0), ("b", 0), ("c", 1), ("d", 1)]);
        let e = evaluate(&truth, &predicted, &HashSet::new());
        assert_eq!(
            (e.true_pairs, e.predicted_pairs, e.correct_pairs),
            (3, 2, 1)
        );
        assert!((e.pairwise.precision - 0.5).abs() < 1e-12);
        assert!((e.pairwise.recall - 1.0 / 3.0).abs() < 1e-12);
        // B-cubed precision: a 1, b 1, c 1/2, d 1/2 → 0.75; recall: a 2/3, b 2/3, c 1/3, d 1 → 2/3.
        assert!((e.b_cubed.precision - 0.75).abs() < 1e-12);
        assert!((e.b_cubed.recall - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn excluded_pairs_are_left_out_on_both_sides() {
        let truth = groups(&[("a", 0), ("b", 0), ("c", 0)]);
        let predicted = groups(&[("a", 0), ("b", 0), ("c", 1)]);
        let excluded: HashSet<_> = [("a", "b")].into_iter().collect();
        let e = evaluate(&truth, &predicted, &excluded);
        assert_eq!(
            (e.true_pairs, e.predicted_pairs, e.correct_pairs),
            (2, 0, 0)
        );
        assert_eq!(e.pairwise.recall, 0.0);
        assert_eq!(e.pairwise.precision, 1.0);
    }
}

/// How many true pairs blocking proposes for comparison: a pair it never proposes can still be joined
/// through other accounts or a hard identifier, but never by its own soft evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockingRecall {
    pub true_pairs: usize,
    pub proposed: usize,
    /// The same over the true pairs not in `excluded` (e.g. the pairs hard identifiers link).
    pub true_pairs_not_excluded: usize,
    pub proposed_not_excluded: usize,
}

/// Blocking recall of the soft linker over `input` against `truth` (record → true group; records not in it
/// are not counted).
pub fn blocking_recall(
    input: &crate::soft::SoftLinkInput<'_>,
    truth: &HashMap<spector_model::RecordId, usize>,
    excluded: &HashSet<(spector_model::RecordId, spector_model::RecordId)>,
) -> BlockingRecall {
    use crate::soft::{BlockingOptions, NameAffixes, account_features, candidate_pairs};
    let set = account_features(input, NameAffixes::embedded());
    let (candidates, _) = candidate_pairs(&set.features, &BlockingOptions::default());
    let candidates: HashSet<(u32, u32)> = candidates
        .into_iter()
        .map(|(a, b)| (a.min(b), a.max(b)))
        .collect();
    let mut recall = BlockingRecall {
        true_pairs: 0,
        proposed: 0,
        true_pairs_not_excluded: 0,
        proposed_not_excluded: 0,
    };
    for (a, b) in pairs_in_groups(truth) {
        let (Some(&x), Some(&y)) = (set.index.get(&a), set.index.get(&b)) else {
            continue;
        };
        let (x, y) = (x as u32, y as u32);
        let found = usize::from(candidates.contains(&(x.min(y), x.max(y))));
        recall.true_pairs += 1;
        recall.proposed += found;
        if !excluded.contains(&(a.clone(), b.clone())) && !excluded.contains(&(b, a)) {
            recall.true_pairs_not_excluded += 1;
            recall.proposed_not_excluded += found;
        }
    }
    recall
}
