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
        };
        match link_soft(&soft_input, &hard_pairs, soft_options) {
            Err(LinkModelError::NoCandidates) => {
                soft_skipped = Some("no two sellers' accounts were alike enough to compare".into());
            }
            Err(e) => return Err(e),
            Ok(soft) => {
                // `graph.accounts` is sorted: a search per soft link, no table of a million ids.
                for (a, b, p) in &soft.links {
                    if let (Ok(a), Ok(b)) = (
                        graph.accounts.binary_search(a),
                        graph.accounts.binary_search(b),
                    ) {
                        graph.links.push(CandidateLink { a, b, score: *p });
                    }
                }
                graph.evidence.extend(soft.evidence.iter().cloned());
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
                });
            }
        }
    }
    let contradicted_by_rule = |rule: &str| -> Option<(usize, usize)> {
        let soft = soft_summary.as_ref()?;
        let pairs: std::collections::HashSet<(&RecordId, &RecordId)> = graph
            .evidence
            .iter()
            .filter(|e| e.rule == rule)
            .map(|e| (&e.account_a, &e.account_b))
            .collect();
        let checked = soft
            .hard_links_contradicted
            .iter()
            .filter(|(a, b, _)| pairs.contains(&(a, b)) || pairs.contains(&(b, a)))
            .count();
        Some((checked, soft.hard_seller_links))
    };
    for (rule, links) in &hard_links_by_rule {
        let (precision, basis) = match contradicted_by_rule(rule) {
            Some((contradicted, _)) if *links > 0 => (
                Some(1.0 - contradicted as f64 / *links as f64),
                format!(
                    "not a measurement: the share of its links that soft evidence does not contradict \
                     ({contradicted} of {links} weigh below {CONTRADICTION_BITS} bits on soft evidence \
                     alone; links between buyers cannot be checked so). Values held by more than {} \
                     accounts ({}), by several accounts of one market, or declared as market wallets were \
                     set aside first",
                    holder_limit.limit, holder_limit.explanation
                ),
            ),
            _ => (
                None,
                format!(
                    "not estimated (no soft evidence to check it against). Values held by more than {} \
                     accounts ({}), by several accounts of one market, or declared as market wallets were \
                     set aside first",
                    holder_limit.limit, holder_limit.explanation
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
