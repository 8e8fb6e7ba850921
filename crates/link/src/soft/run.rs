//! The soft linker end to end: features, blocking, the model, clustering, and the evidence of every link.

use spector_model::{LinkEvidence, RecordId};

use super::block::{BlockingOptions, BlockingReport, candidate_pairs};
use super::cluster::{RefusedMerge, cluster};
use super::compare::{COMPARISONS, Levels, compare, measure};
use super::features::{FeatureSet, SoftLinkInput, account_features};
use super::names::NameAffixes;
use super::score::{ScoringOptions, TrainedModel, levels_of, train};
use crate::fellegi_sunter::{ErrorEstimate, LinkModelError};

/// The rule name soft links carry in `link_evidence`; one row per comparison carries `soft:<comparison>`.
pub const SOFT_RULE: &str = "soft_model";

#[derive(Debug, Clone)]
pub struct SoftOptions {
    /// Match probability at or above which a pair is linked.
    pub threshold: f64,
    pub blocking: BlockingOptions,
    pub scoring: ScoringOptions,
}

impl Default for SoftOptions {
    fn default() -> Self {
        SoftOptions {
            threshold: 0.5,
            blocking: BlockingOptions::default(),
            scoring: ScoringOptions::default(),
        }
    }
}

pub struct SoftLinkResult {
    /// The soft links that joined two groups, with their match probability: what a persona resolver adds
    /// to the hard links.
    pub links: Vec<(RecordId, RecordId, f64)>,
    /// Each hard link between two sellers with the weight soft evidence alone gives the pair (bits):
    /// a strongly negative weight is a hard link to check.
    pub hard_link_weights: Vec<(RecordId, RecordId, f64)>,
    /// One `soft_model` row per soft link that joined two groups (score: the match probability), and one
    /// `soft:<comparison>` row per comparison of that pair (value: level and measured value; score: the
    /// comparison's weight of evidence in bits).
    pub evidence: Vec<LinkEvidence>,
    pub blocking: BlockingReport,
    /// Candidate pairs scored (seller pairs only).
    pub scored_pairs: usize,
    pub links_above_threshold: usize,
    pub refused: Vec<(RecordId, RecordId, RefusedMerge)>,
    pub model: TrainedModel,
    /// The model's own estimate of its precision and recall at the threshold, over the candidates.
    pub expected_error: ErrorEstimate,
}

fn level_text(which: usize, levels: &Levels, value: Option<f64>) -> String {
    let def = &COMPARISONS[which];
    let level = def
        .levels
        .get(levels[which] as usize)
        .copied()
        .unwrap_or("?");
    match value {
        Some(v) => format!("{level} ({v:.3})"),
        None => level.to_string(),
    }
}

/// Links sellers on soft evidence, on top of the hard links given as pairs of account ids.
pub fn link_soft(
    input: &SoftLinkInput<'_>,
    hard_pairs: &[(RecordId, RecordId)],
    options: &SoftOptions,
) -> Result<SoftLinkResult, LinkModelError> {
    let started = std::time::Instant::now();
    let FeatureSet {
        features,
        accounts,
        index,
        ..
    } = account_features(input, NameAffixes::embedded());
    tracing::debug!(elapsed = ?started.elapsed(), sellers = features.len(), "soft: features");
    let hard = HardSellerLinks::new(hard_pairs, &index);
    // Soft evidence is read for sellers only: buyers show a name and little else, and one buyer name is
    // much like another. Buyers are joined by hard identifiers only.
    let (pairs, blocking) = candidate_pairs(&features, &options.blocking);
    tracing::debug!(elapsed = ?started.elapsed(), pairs = pairs.len(), "soft: blocking");
    let levels = levels_of(&features, &pairs);
    tracing::debug!(elapsed = ?started.elapsed(), "soft: compared");
    let hard_set: std::collections::HashSet<(u32, u32)> = hard
        .direct
        .iter()
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect();
    let known: Vec<Levels> = hard
        .direct
        .iter()
        .map(|&(a, b)| compare(&features[a as usize], &features[b as usize]))
        .collect();
    let sellers: Vec<u32> = (0..features.len() as u32).collect();
    let model = train(&features, &sellers, &levels, &known, &options.scoring)?;
    tracing::debug!(elapsed = ?started.elapsed(), "soft: trained");
    let probability: Vec<f64> = levels.iter().map(|l| model.model.probability(l)).collect();
    let soft: Vec<(u32, u32, f64)> = pairs
        .iter()
        .zip(&probability)
        .filter(|(p, _)| !hard_set.contains(p))
        .map(|(&(a, b), &p)| (a, b, p))
        .collect();
    let links_above_threshold = soft.iter().filter(|l| l.2 >= options.threshold).count();
    let clusters = cluster(
        features.len(),
        &hard.grouped,
        &soft,
        options.threshold,
        |a, b| {
            if hard_set.contains(&(a.min(b), a.max(b))) {
                return 1.0;
            }
            model
                .model
                .probability(&compare(&features[a as usize], &features[b as usize]))
        },
    );

    tracing::debug!(elapsed = ?started.elapsed(), "soft: clustered");
    let id = |slot: u32| input.accounts[accounts[slot as usize] as usize].id.clone();
    let mut evidence = Vec::new();
    for &(a, b, p) in &clusters.joined_by {
        let (fa, fb) = (&features[a as usize], &features[b as usize]);
        let levels = compare(fa, fb);
        evidence.push(LinkEvidence {
            account_a: id(a),
            account_b: id(b),
            rule: SOFT_RULE.to_string(),
            value: format!(
                "match probability {p:.4} (threshold {:.2}); {:?} vs {:?}",
                options.threshold, &*fa.name, &*fb.name
            ),
            score: p,
        });
        for (which, w) in model.model.explain(&levels).iter().enumerate() {
            if levels[which] == 0 {
                continue;
            }
            let measured = measure(which, fa, fb);
            evidence.push(LinkEvidence {
                account_a: id(a),
                account_b: id(b),
                rule: format!("soft:{}", COMPARISONS[which].name),
                value: level_text(which, &levels, measured.value),
                score: w.weight,
            });
        }
    }
    let links = clusters
        .joined_by
        .iter()
        .map(|&(a, b, p)| (id(a), id(b), p))
        .collect();
    let hard_link_weights = hard
        .direct
        .iter()
        .map(|&(a, b)| {
            let w = model
                .model
                .match_weight(&compare(&features[a as usize], &features[b as usize]));
            (id(a), id(b), w)
        })
        .collect();
    let refused = clusters
        .refused
        .into_iter()
        .map(|r| (id(r.a), id(r.b), r))
        .collect();
    let expected_error = super::score::expected_error(&model.model, &levels, options.threshold);
    Ok(SoftLinkResult {
        links,
        hard_link_weights,
        evidence,
        blocking,
        scored_pairs: pairs.len(),
        links_above_threshold,
        refused,
        model,
        expected_error,
    })
}

/// The hard links among sellers, as positions in the sellers' features.
struct HardSellerLinks {
    /// Pairs of sellers that share a hard identifier themselves.
    direct: Vec<(u32, u32)>,
    /// One pair per seller in a hard group with other sellers, joining it to the group's first seller.
    /// Groups form through any account: two sellers each sharing a wallet with one buyer account are in
    /// one group, although neither shares anything with the other directly.
    grouped: Vec<(u32, u32)>,
}

impl HardSellerLinks {
    fn new(
        hard_pairs: &[(RecordId, RecordId)],
        sellers: &crate::FastMap<&RecordId, usize>,
    ) -> HardSellerLinks {
        let seller = |id: &RecordId| sellers.get(id).map(|&s| s as u32);
        let direct = hard_pairs
            .iter()
            .filter_map(|(a, b)| Some((seller(a)?, seller(b)?)))
            .collect();
        // Union-find over the accounts the hard links name (not over the whole case: most accounts have
        // no hard link).
        let mut node: crate::FastMap<&RecordId, u32> = crate::FastMap::default();
        let mut parent: Vec<u32> = Vec::new();
        let mut node_of = |id| {
            *node.entry(id).or_insert_with(|| {
                parent.push(parent.len() as u32);
                parent.len() as u32 - 1
            })
        };
        let edges: Vec<(u32, u32)> = hard_pairs
            .iter()
            .map(|(a, b)| (node_of(a), node_of(b)))
            .collect();
        fn root(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                let up = parent[parent[x as usize] as usize];
                parent[x as usize] = up;
                x = up;
            }
            x
        }
        for (a, b) in edges {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
        let mut members: Vec<(u32, u32)> = node
            .iter()
            .filter_map(|(id, &n)| Some((root(&mut parent, n), seller(id)?)))
            .collect();
        members.sort_unstable();
        let mut grouped = Vec::new();
        for group in members.chunk_by(|a, b| a.0 == b.0) {
            grouped.extend(group[1..].iter().map(|&(_, s)| (group[0].1, s)));
        }
        HardSellerLinks { direct, grouped }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sellers_are_grouped_through_the_buyer_accounts_they_share_identifiers_with() {
        let id = |n: &str| RecordId::from_stored(format!("m/account/{n}"));
        let (s1, s2, s3, s4, buyer, other) =
            (id("s1"), id("s2"), id("s3"), id("s4"), id("b"), id("o"));
        // s1 and s2 share a wallet with one buyer account; s3 shares a key with s4 directly; s4 also with
        // another buyer.
        let hard = [
            (s1.clone(), buyer.clone()),
            (buyer.clone(), s2.clone()),
            (s3.clone(), s4.clone()),
            (s4.clone(), other.clone()),
        ];
        let ids = [&s1, &s2, &s3, &s4];
        let sellers: crate::FastMap<&RecordId, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let links = HardSellerLinks::new(&hard, &sellers);
        assert_eq!(links.direct, vec![(2, 3)]);
        let mut grouped = links.grouped;
        grouped.sort_unstable();
        assert_eq!(grouped, vec![(0, 1), (2, 3)]);
    }
}
