//! The whole linking step: hard identifiers, then soft evidence on top, then the analysts' judgements and
//! stable ids ([`resolve_personas`]); with the error each rule is estimated to make, for reports to cite.

use std::collections::BTreeMap;

use spector_model::{LinkModelLevel, LinkRuleRate, Listing, ListingFacts, Message, RecordId};

use crate::fellegi_sunter::LinkModelError;
use crate::hard::{
    Continuity, HardLinkInput, LinkResult, SharedIdentifierGuard, hard_link_graph, resolve_personas,
};
use crate::soft::{BlockingReport, SoftLinkInput, SoftOptions, link_soft};
use crate::{CandidateLink, ErrorEstimate, TrainingReport};

/// What linking reads: the identifiers of the hard rules and the texts, listings and activity of the soft
/// ones (the latter may be empty: soft linking then has nothing to compare and stays silent).
pub struct LinkInput<'a> {
    pub hard: HardLinkInput<'a>,
    pub listings: &'a [Listing],
    pub listing_facts: &'a [ListingFacts],
    pub messages: &'a [Message],
    /// What the accounts' PGP keys say about how they were made (soft evidence; may be empty).
    pub keys: &'a [crate::soft::KeyFacts],
    /// The photos each account's listings show, resolved by the caller from image files (may be empty).
    pub photos: &'a [crate::soft::AccountPhoto],
}

#[derive(Debug, Clone)]
pub struct LinkOptions {
    pub guard: SharedIdentifierGuard,
    /// `None`: hard identifiers only.
    pub soft: Option<SoftOptions>,
}

impl Default for LinkOptions {
    /// Hard identifiers and soft evidence, with the default guard and threshold.
    fn default() -> Self {
        LinkOptions {
            guard: SharedIdentifierGuard::default(),
            soft: Some(SoftOptions::default()),
        }
    }
}

/// A hard link is "contradicted" when soft evidence alone weighs this strongly against the pair (bits:
/// about a million to one).
pub const CONTRADICTION_BITS: f64 = -20.0;

/// A hard link whose soft weight is smaller than this either way says little about the rule.
pub const INFORMATIVE_BITS: f64 = 3.0;

/// The share of true links among links whose soft-evidence weights (bits, log2 of m/u) are `weights`.
///
/// Each link is a true link, whose weight follows the model's match distribution, or a false one, whose
/// weight follows the non-match distribution; the likelihood ratio of the two at a link is r = 2^weight,
/// so the share π maximises L(π) = Σ log(π·r + 1 − π), the likelihood of a two-component mixture with
/// known components (what EM for it converges to). Unlike a count of contradicted links, weak evidence
/// either way counts for what it is worth.
pub fn true_link_share(weights: &[f64]) -> f64 {
    if weights.is_empty() {
        return 1.0;
    }
    let ratios: Vec<f64> = weights
        .iter()
        .map(|w| w.clamp(-60.0, 60.0).exp2())
        .collect();
    // L is concave, so its slope falls from L'(0) to L'(1) and the maximum is where it crosses zero, or
    // at an end. Found by bisection: EM crawls when the share is near 1, as it is for good rules
    // (thousands of passes over the links).
    let slope = |share: f64| -> f64 {
        ratios
            .iter()
            .map(|r| (r - 1.0) / (1.0 + share * (r - 1.0)))
            .sum()
    };
    if slope(1.0) >= 0.0 {
        return 1.0;
    }
    if slope(0.0) <= 0.0 {
        return 0.0;
    }
    let (mut low, mut high) = (0.0, 1.0);
    while high - low > 1e-12 {
        let mid = (low + high) / 2.0;
        if slope(mid) > 0.0 {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low + high) / 2.0
}

/// What the soft-evidence step did, for the report.
#[derive(Debug, Clone)]
pub struct SoftSummary {
    pub blocking: BlockingReport,
    pub scored_pairs: usize,
    pub links_above_threshold: usize,
    /// Soft links that joined two groups (before judgements).
    pub links_applied: usize,
    /// Links above the threshold whose groups were too unlike on average to join.
    pub refused_by_group_average: usize,
    pub threshold: f64,
    pub m_from_known_matches: bool,
    pub known_matches: usize,
    pub random_pairs: usize,
    pub training: TrainingReport,
    pub expected_error: ErrorEstimate,
    /// Hard links between sellers, and how many of them soft evidence contradicts.
    pub hard_seller_links: usize,
    pub hard_links_contradicted: Vec<(RecordId, RecordId, f64)>,
    /// Every hard link between sellers with the weight soft evidence alone gives it (bits).
    pub hard_link_weights: Vec<(RecordId, RecordId, f64)>,
}

pub struct LinkOutcome {
    pub result: LinkResult,
    /// `None` when soft linking was off, or had nothing to score (the reason is in `soft_skipped`).
    pub soft: Option<SoftSummary>,
    pub soft_skipped: Option<String>,
    pub rules: Vec<LinkRuleRate>,
    pub model: Vec<LinkModelLevel>,
}

/// Links the accounts of `input`: hard links, soft links on top (when `options.soft` is set), then the
/// judgements and stable ids of `continuity`.
pub fn link_accounts(
    input: &LinkInput<'_>,
    options: &LinkOptions,
    continuity: &Continuity<'_>,
) -> Result<LinkOutcome, LinkModelError> {
    let started = std::time::Instant::now();
    let (mut graph, ignored, holder_limit) = hard_link_graph(&input.hard, &options.guard);
    tracing::debug!(elapsed = ?started.elapsed(), links = graph.links.len(), "hard links");
    let mut hard_links_by_rule: BTreeMap<String, u64> = BTreeMap::new();
    for e in &graph.evidence {
        *hard_links_by_rule.entry(e.rule.clone()).or_default() += 1;
    }
    let mut soft_summary = None;
    let mut soft_skipped = None;
    let mut model_rows = Vec::new();
    let mut rules = Vec::new();
    if let Some(soft_options) = &options.soft {
        let hard_pairs: Vec<(RecordId, RecordId)> = graph
            .links
            .iter()
            .map(|l| (graph.accounts[l.a].clone(), graph.accounts[l.b].clone()))
            .collect();
        let soft_input = SoftLinkInput {
            accounts: input.hard.accounts,
            listings: input.listings,
            listing_facts: input.listing_facts,
            messages: input.messages,
            keys: input.keys,
            photos: input.photos,
        };
        match link_soft(&soft_input, &hard_pairs, soft_options) {
            Err(LinkModelError::NoCandidates) => {
                soft_skipped = Some("no two sellers' accounts were alike enough to compare".into());
            }
            Err(e) => return Err(e),
            Ok(mut soft) => {
                // `graph.accounts` is sorted: a search per soft link, no table of a million ids.
                for (a, b, p) in &soft.links {
                    if let (Ok(a), Ok(b)) = (
                        graph.accounts.binary_search(a),
                        graph.accounts.binary_search(b),
                    ) {
                        graph.links.push(CandidateLink { a, b, score: *p });
                    }
                }
                // Moved, not copied: a million-account case has about a million soft evidence rows.
                graph.evidence.append(&mut soft.evidence);
                let contradicted: Vec<(RecordId, RecordId, f64)> = soft
                    .hard_link_weights
                    .iter()
                    .filter(|(_, _, w)| *w < CONTRADICTION_BITS)
                    .cloned()
                    .collect();
                let model = &soft.model.model;
                for (c, comparison) in model.comparisons.iter().enumerate() {
                    for (level, name) in comparison.levels.iter().enumerate().skip(1) {
                        let (m, u) = (model.m[c][level], model.u[c][level]);
                        model_rows.push(LinkModelLevel {
                            comparison: comparison.name.clone(),
                            level: level as u64,
                            level_name: name.clone(),
                            m,
                            u,
                            weight_bits: (m / u).log2(),
                        });
                    }
                }
                let e = &soft.expected_error;
                rules.push(LinkRuleRate {
                    rule: crate::soft::SOFT_RULE.to_string(),
                    links: soft.links.len() as u64,
                    threshold: Some(soft_options.threshold),
                    expected_precision: e.expected_precision,
                    expected_recall: e.expected_recall,
                    basis: format!(
                        "the Fellegi-Sunter model's own estimate over the {} candidate seller pairs blocking \
                         produced (mean match probability of the pairs it accepts; recall within the \
                         candidates only), m from {} seller pairs sharing a hard identifier, u from {} random \
                         seller pairs; pairs blocking never compared are not counted",
                        soft.scored_pairs, soft.model.known_matches, soft.model.random_pairs
                    ),
                });
                soft_summary = Some(SoftSummary {
                    blocking: soft.blocking.clone(),
                    scored_pairs: soft.scored_pairs,
                    links_above_threshold: soft.links_above_threshold,
                    links_applied: soft.links.len(),
                    refused_by_group_average: soft.refused.len(),
                    threshold: soft_options.threshold,
                    m_from_known_matches: soft.model.m_from
                        == crate::soft::score::MSource::KnownMatches,
                    known_matches: soft.model.known_matches,
                    random_pairs: soft.model.random_pairs,
                    training: soft.model.training.clone(),
                    expected_error: soft.expected_error.clone(),
                    hard_seller_links: soft.hard_link_weights.len(),
                    hard_links_contradicted: contradicted,
                    hard_link_weights: soft.hard_link_weights.clone(),
                });
            }
        }
    }
    // Each hard rule's seller links with the weight soft evidence alone gives them, in one pass over the
    // hard evidence (soft rows are many and are not looked at).
    let mut weights_by_rule: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    if let Some(soft) = &soft_summary {
        let weight_of: crate::FastMap<(&RecordId, &RecordId), f64> = soft
            .hard_link_weights
            .iter()
            .map(|(a, b, w)| ((a.min(b), a.max(b)), *w))
            .collect();
        let mut seen: crate::FastSet<(&str, &RecordId, &RecordId)> = crate::FastSet::default();
        for e in graph
            .evidence
            .iter()
            .filter(|e| !e.rule.starts_with("soft"))
        {
            let (a, b) = (&e.account_a, &e.account_b);
            let pair = (a.min(b), a.max(b));
            if let Some(w) = weight_of.get(&pair)
                && seen.insert((e.rule.as_str(), pair.0, pair.1))
            {
                weights_by_rule.entry(e.rule.as_str()).or_default().push(*w);
            }
        }
    }
    let soft_weights_by_rule = |rule: &str| -> Option<&Vec<f64>> {
        soft_summary.as_ref()?;
        weights_by_rule.get(rule)
    };
    let set_aside = format!(
        "Values held by more than {} accounts ({}), by several accounts of one market, or declared as \
         market wallets were set aside first",
        holder_limit.limit, holder_limit.explanation
    );
    for (rule, links) in &hard_links_by_rule {
        let (precision, basis) = match soft_weights_by_rule(rule) {
            Some(weights) if weights.iter().any(|w| w.abs() >= INFORMATIVE_BITS) => {
                let share = true_link_share(weights);
                let contradicted = weights.iter().filter(|w| **w < CONTRADICTION_BITS).count();
                (
                    Some(share),
                    format!(
                        "estimated from soft evidence, which this rule does not use: the share of true \
                         links in a mixture of the soft model's match and non-match weights, fitted by EM \
                         over the {} of its {links} links that join two sellers ({contradicted} of them \
                         weigh below {CONTRADICTION_BITS} bits; links between buyers cannot be checked so). \
                         {set_aside}",
                        weights.len()
                    ),
                )
            }
            _ => (
                None,
                format!(
                    "not estimated (none of its links joins two sellers with soft evidence of {INFORMATIVE_BITS} \
                     bits or more either way). {set_aside}"
                ),
            ),
        };
        rules.push(LinkRuleRate {
            rule: rule.clone(),
            links: *links,
            threshold: None,
            expected_precision: precision,
            expected_recall: None,
            basis,
        });
    }
    tracing::debug!(elapsed = ?started.elapsed(), "soft links and error estimates");
    let mut result = resolve_personas(graph, continuity);
    tracing::debug!(elapsed = ?started.elapsed(), "personas resolved");
    result.ignored = ignored;
    result.holder_limit = Some(holder_limit.clone());
    Ok(LinkOutcome {
        result,
        soft: soft_summary,
        soft_skipped,
        rules,
        model: model_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_true_link_share_is_read_from_the_weights() {
        let mut weights = vec![10.0; 90];
        weights.extend([-10.0; 10]);
        let share = true_link_share(&weights);
        assert!((share - 0.9).abs() < 0.002, "{share}");
        // Silent comparisons (weight 0) neither raise nor lower the estimate.
        weights.extend([0.0; 100]);
        let share = true_link_share(&weights);
        assert!((share - 0.9).abs() < 0.002, "{share}");
        // Weak evidence either way counts for what it is worth, unlike a count of contradictions.
        let weak: Vec<f64> = (0..100).map(|i| if i < 70 { 2.0 } else { -2.0 }).collect();
        let share = true_link_share(&weak);
        assert!(share > 0.5 && share < 0.95, "{share}");
        assert_eq!(true_link_share(&[12.0; 20]), 1.0);
        assert_eq!(true_link_share(&[-12.0; 20]), 0.0);
        // The maximum of the likelihood, not an approximation of it: its slope is zero there.
        let share = true_link_share(&weak);
        let slope = |p: f64| -> f64 {
            weak.iter()
                .map(|w| {
                    let r = w.exp2();
                    (r - 1.0) / (1.0 + p * (r - 1.0))
                })
                .sum()
        };
        assert!(slope(share - 1e-6) > 0.0 && slope(share + 1e-6) < 0.0);
    }
}
