//! A Fellegi–Sunter record-linkage model trained with expectation–maximisation, generic over what is compared.
//!
//! A caller turns each record pair into a *comparison vector*: for every named [`Comparison`], the level the
//! pair falls into (level 0 = a value is missing on either side; levels 1.. ordered most similar first). The
//! model holds, per comparison and level, `m` = P(level | match) and `u` = P(level | non-match); a pair's
//! match weight is the sum over comparisons of `log2(m / u)` (the log2 Bayes factor), and its match
//! probability combines that with the prior `lambda`. This is the model Splink implements in SQL; here it is
//! a few arrays.
//!
//! Training follows Splink: `u` comes from comparison vectors of random record pairs (almost all of them
//! non-matches), [`FsModel::estimate_u`]; then EM over the pairs blocking produced estimates `m` and
//! `lambda` with `u` kept fixed. Pairs are aggregated into distinct comparison patterns first, so EM costs
//! the number of distinct patterns (hundreds or thousands), not the number of pairs (tens of millions).
//!
//! EM estimates lambda among the candidates. That prior does not go with Bayes factors whose u was measured
//! on random pairs: a non-match that blocking produced on a shared postcode agrees on postcode far more often
//! than u says, so its postcode weight, added to the candidates' prior, would overstate its chance. Splink
//! therefore scores with the prior over *all* pairs; [`EmOptions::population_pairs`] does the same here
//! (expected matches among the candidates / all pairs, which assumes blocking produced nearly every match).
//! Without it the model's lambda stays the candidates' prior, which is right when u is estimated over the
//! candidates as well (`fix_u: false`).

use std::collections::HashMap;

use foldhash::fast::FixedState;
use thiserror::Error;

/// Smallest m or u used in a weight: keeps every weight finite (at most about 40 bits per comparison in
/// magnitude) whatever values the fields hold.
const PROB_FLOOR: f64 = 1e-12;

/// One named comparison and its levels.
///
/// Level 0 is always "null" (a value missing on either side; weight 0); levels 1.. are ordered most similar
/// first and named (e.g. "exact", "jaro_winkler>=0.92", "else").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub name: String,
    /// `levels[0] == "null"`.
    pub levels: Vec<String>,
}

impl Comparison {
    /// A comparison with the null level first, then `levels` (most similar first).
    pub fn new(name: impl Into<String>, levels: &[&str]) -> Self {
        let mut all = Vec::with_capacity(levels.len() + 1);
        all.push("null".to_string());
        all.extend(levels.iter().map(|l| l.to_string()));
        Comparison {
            name: name.into(),
            levels: all,
        }
    }

    /// The name of `level`, or "invalid" for a level this comparison does not have.
    pub fn level_name(&self, level: u8) -> &str {
        self.levels
            .get(usize::from(level))
            .map_or("invalid", String::as_str)
    }
}

/// Comparison vectors of many record pairs: row-major `u8` levels, one byte per comparison per pair.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonVectors {
    comparisons: Vec<Comparison>,
    levels: Vec<u8>,
}

impl ComparisonVectors {
    pub fn new(comparisons: Vec<Comparison>) -> Self {
        ComparisonVectors {
            comparisons,
            levels: Vec::new(),
        }
    }

    /// Appends one pair's levels.
    ///
    /// # Panics
    /// When `levels.len()` differs from the number of comparisons: that is a bug of the caller, which builds
    /// every row from the same comparison list, never something the compared data can cause.
    pub fn push(&mut self, levels: &[u8]) {
        assert_eq!(
            levels.len(),
            self.comparisons.len(),
            "a comparison vector needs one level per comparison"
        );
        self.levels.extend_from_slice(levels);
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.levels
            .len()
            .checked_div(self.comparisons.len())
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The levels of pair `i`.
    ///
    /// # Panics
    /// When `i >= self.len()`, as slice indexing does.
    pub fn row(&self, i: usize) -> &[u8] {
        let width = self.comparisons.len();
        &self.levels[i * width..(i + 1) * width]
    }

    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        // chunks_exact panics on 0: with no comparisons every row is empty, and there are no rows.
        self.levels
            .chunks_exact(self.comparisons.len().max(1))
            .take(self.len())
    }

    pub fn comparisons(&self) -> &[Comparison] {
        &self.comparisons
    }

    pub fn reserve(&mut self, pairs: usize) {
        self.levels
            .reserve(pairs.saturating_mul(self.comparisons.len()));
    }

    /// The distinct comparison patterns and how many pairs have each, in first-seen order. Levels a
    /// comparison does not have are counted as null.
    pub fn patterns(&self) -> Patterns {
        let width = self.comparisons.len();
        let level_counts: Vec<usize> = self.comparisons.iter().map(|c| c.levels.len()).collect();
        let mut index: HashMap<Box<[u8]>, usize, FixedState> = HashMap::default();
        let mut levels = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        let mut clean = vec![0u8; width];
        for row in self.rows() {
            let row = if row
                .iter()
                .zip(&level_counts)
                .all(|(&l, &n)| usize::from(l) < n)
            {
                row
            } else {
                for ((out, &l), &n) in clean.iter_mut().zip(row).zip(&level_counts) {
                    *out = if usize::from(l) < n { l } else { 0 };
                }
                &clean[..]
            };
            // Look up by slice first: a new key is allocated once per distinct pattern, not once per pair.
            if let Some(&i) = index.get(row) {
                counts[i] += 1;
            } else {
                index.insert(row.into(), counts.len());
                levels.extend_from_slice(row);
                counts.push(1);
            }
        }
        Patterns {
            width,
            levels,
            counts,
        }
    }
}

/// Distinct comparison patterns with the number of pairs that have each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patterns {
    width: usize,
    levels: Vec<u8>,
    counts: Vec<u64>,
}

impl Patterns {
    /// Number of distinct patterns.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Total number of pairs.
    pub fn pairs(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Each distinct pattern with its pair count.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> + '_ {
        self.levels
            .chunks_exact(self.width.max(1))
            .zip(self.counts.iter().copied())
    }
}

/// How EM runs.
#[derive(Debug, Clone, PartialEq)]
pub struct EmOptions {
    pub max_iterations: usize,
    /// EM stops when no parameter (lambda, any m, any u) moves by more than this in one iteration.
    pub tolerance: f64,
    /// The prior that a candidate pair matches, before the first iteration; in (0, 1).
    pub initial_lambda: f64,
    /// Keep `u` as given (Splink's default: u from random pairs is better than what EM would find among
    /// candidates). When false, EM re-estimates u over the candidates too.
    pub fix_u: bool,
    /// Pseudo-count (in pairs) added to every non-null level when m is re-estimated, so a level never seen
    /// among matches gets a small m rather than 0 (an infinite negative weight would veto a pair on one
    /// comparison whatever the others say).
    pub m_pseudo_count: f64,
    /// The number of record pairs the candidates were blocked from (`n_a * n_b` for linking two tables,
    /// `n (n - 1) / 2` for deduplicating one). When given, the model's lambda is the prior over all those
    /// pairs: expected matches among the candidates / `population_pairs`. Must be at least the number of
    /// candidates.
    pub population_pairs: Option<u64>,
}

impl Default for EmOptions {
    fn default() -> Self {
        EmOptions {
            max_iterations: 100,
            tolerance: 1e-6,
            initial_lambda: 0.1,
            fix_u: true,
            m_pseudo_count: 0.5,
            population_pairs: None,
        }
    }
}

/// What training did.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingReport {
    /// Candidate pairs trained on.
    pub pairs: u64,
    /// Distinct comparison patterns among them (EM's actual work per iteration).
    pub distinct_patterns: usize,
    pub iterations: usize,
    /// Whether the last iteration moved no parameter by more than the tolerance.
    pub converged: bool,
    /// The largest parameter change in the last iteration.
    pub last_change: f64,
    /// Log-likelihood (natural log) of the candidates under the final model.
    pub log_likelihood: f64,
    /// Known-match rows used to initialise m (0 when none were given).
    pub known_matches: usize,
    /// The prior EM estimated among the candidates.
    pub candidate_lambda: f64,
    /// Expected matches among the candidates (`candidate_lambda * pairs`).
    pub expected_matches: f64,
}

/// Why a model could not be trained.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LinkModelError {
    #[error("no candidate pairs to train on")]
    NoCandidates,
    #[error("no comparisons: a model needs at least one")]
    NoComparisons,
    #[error("u has {got} comparisons, the candidates have {expected}")]
    UComparisons { expected: usize, got: usize },
    #[error("u of comparison {comparison:?} has {got} levels, the comparison has {expected}")]
    ULevels {
        comparison: String,
        expected: usize,
        got: usize,
    },
    #[error("the known matches are compared differently from the candidates")]
    KnownMatchComparisons,
    #[error(
        "population of {population} pairs is smaller than the {candidates} candidates drawn from it"
    )]
    Population { population: u64, candidates: u64 },
    #[error("invalid EM option: {0}")]
    Options(String),
}

/// One comparison's contribution to a pair's match weight.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonWeight {
    pub comparison: String,
    pub level: u8,
    pub level_name: String,
    /// P(level | match); 1 for the null level.
    pub m: f64,
    /// P(level | non-match); 1 for the null level.
    pub u: f64,
    /// `log2(m / u)`, in bits; 0 for the null level or a level the comparison does not have.
    pub weight: f64,
}

/// The model's own estimate of its error when pairs at or above a probability threshold are accepted.
///
/// Model-based, not measured: it assumes the model is right about each pair (its posterior is the chance
/// the pair matches). It is as good as the model's calibration, and says nothing about matches that
/// blocking never produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorEstimate {
    pub threshold: f64,
    pub candidates: u64,
    /// Pairs with probability >= threshold.
    pub accepted: u64,
    /// Sum of the posteriors of accepted pairs.
    pub expected_true_positives: f64,
    /// Accepted pairs minus expected true positives.
    pub expected_false_positives: f64,
    /// Sum of the posteriors of rejected pairs.
    pub expected_false_negatives: f64,
    /// Mean posterior of accepted pairs; `None` when nothing is accepted.
    pub expected_precision: Option<f64>,
    /// Posterior mass accepted / posterior mass of all candidates; `None` when that mass is 0.
    pub expected_recall: Option<f64>,
}

/// A trained Fellegi–Sunter model.
#[derive(Debug, Clone, PartialEq)]
pub struct FsModel {
    pub comparisons: Vec<Comparison>,
    /// Prior probability that a pair matches: among the candidates trained on, or among all pairs of the
    /// population when [`EmOptions::population_pairs`] was given.
    pub lambda: f64,
    /// `m[c][level]` = P(level | match); `m[c][0]` is 1 (the null level carries no evidence).
    pub m: Vec<Vec<f64>>,
    /// `u[c][level]` = P(level | non-match); `u[c][0]` is 1.
    pub u: Vec<Vec<f64>>,
}

impl FsModel {
    /// u from comparison vectors of random record pairs (almost all non-matches).
    ///
    /// Laplace smoothing (one pseudo-pair per non-null level) keeps every u above 0: a level that random
    /// pairs never reach (two random people sharing a social security number) gets a small u, not an
    /// infinite weight. A comparison that is always null gets uniform u.
    pub fn estimate_u(random_pairs: &ComparisonVectors) -> Vec<Vec<f64>> {
        let mut counts: Vec<Vec<u64>> = random_pairs
            .comparisons()
            .iter()
            .map(|c| vec![0; c.levels.len()])
            .collect();
        for row in random_pairs.rows() {
            for (c, &level) in counts.iter_mut().zip(row) {
                if let Some(n) = c.get_mut(usize::from(level)) {
                    *n += 1;
                }
            }
        }
        counts
            .iter()
            .map(|c| distribution(c, 1.0))
            .collect::<Vec<_>>()
    }

    /// EM over the candidate pairs (those blocking produced): m and lambda are estimated, u is kept fixed
    /// unless `options.fix_u` is false.
    ///
    /// m starts from the level frequencies of `known_matches` when given (e.g. pairs that share a hard
    /// identifier; their comparisons should be compared the same way as the candidates), else from a
    /// default that puts most weight on the most similar level.
    pub fn train(
        candidates: &ComparisonVectors,
        u: Vec<Vec<f64>>,
        known_matches: Option<&ComparisonVectors>,
        options: &EmOptions,
    ) -> Result<(FsModel, TrainingReport), LinkModelError> {
        check_options(options)?;
        let comparisons = candidates.comparisons().to_vec();
        if comparisons.is_empty() {
            return Err(LinkModelError::NoComparisons);
        }
        check_u(&comparisons, &u)?;
        let patterns = candidates.patterns();
        if patterns.is_empty() {
            return Err(LinkModelError::NoCandidates);
        }
        let pairs = patterns.pairs();
        if let Some(population) = options.population_pairs
            && population < pairs
        {
            return Err(LinkModelError::Population {
                population,
                candidates: pairs,
            });
        }

        let mut m: Vec<Vec<f64>> = match known_matches {
            Some(known) if !known.is_empty() => {
                if known.comparisons() != comparisons.as_slice() {
                    return Err(LinkModelError::KnownMatchComparisons);
                }
                let mut counts: Vec<Vec<u64>> = comparisons
                    .iter()
                    .map(|c| vec![0; c.levels.len()])
                    .collect();
                for (row, n) in known.patterns().iter() {
                    for (c, &level) in counts.iter_mut().zip(row) {
                        if let Some(slot) = c.get_mut(usize::from(level)) {
                            *slot += n;
                        }
                    }
                }
                counts.iter().map(|c| distribution(c, 1.0)).collect()
            }
            _ => comparisons
                .iter()
                .map(|c| default_m(c.levels.len()))
                .collect(),
        };
        let mut u = u;
        for row in u.iter_mut() {
            if let Some(null) = row.first_mut() {
                *null = 1.0;
            }
        }
        let mut lambda = options.initial_lambda;

        let mut iterations = 0;
        let mut last_change = f64::INFINITY;
        let mut posteriors = vec![0.0; patterns.len()];
        while iterations < options.max_iterations && last_change > options.tolerance {
            iterations += 1;
            // E-step: the posterior of each distinct pattern.
            for (post, (row, _)) in posteriors.iter_mut().zip(patterns.iter()) {
                *post = posterior(lambda, &m, &u, row);
            }
            // M-step: expected level counts among matches (and non-matches).
            let mut m_counts: Vec<Vec<f64>> = comparisons
                .iter()
                .map(|c| vec![0.0; c.levels.len()])
                .collect();
            let mut u_counts = m_counts.clone();
            let mut match_mass = 0.0;
            let mut total = 0.0;
            for (&post, (row, n)) in posteriors.iter().zip(patterns.iter()) {
                let n = n as f64;
                total += n;
                match_mass += n * post;
                for ((mc, uc), &level) in m_counts.iter_mut().zip(u_counts.iter_mut()).zip(row) {
                    let level = usize::from(level);
                    if let (Some(mm), Some(uu)) = (mc.get_mut(level), uc.get_mut(level)) {
                        *mm += n * post;
                        *uu += n * (1.0 - post);
                    }
                }
            }
            let new_lambda = (match_mass / total).clamp(PROB_FLOOR, 1.0 - PROB_FLOOR);
            let mut change = (new_lambda - lambda).abs();
            lambda = new_lambda;
            for (old, counts) in m.iter_mut().zip(&m_counts) {
                change = change.max(update(old, counts, options.m_pseudo_count));
            }
            if !options.fix_u {
                for (old, counts) in u.iter_mut().zip(&u_counts) {
                    change = change.max(update(old, counts, options.m_pseudo_count));
                }
            }
            last_change = change;
        }

        let mut model = FsModel {
            comparisons,
            lambda,
            m,
            u,
        };
        let log_likelihood = patterns
            .iter()
            .map(|(row, n)| n as f64 * model.log_likelihood(row))
            .sum();
        let expected_matches = lambda * pairs as f64;
        if let Some(population) = options.population_pairs {
            model.lambda =
                (expected_matches / population as f64).clamp(PROB_FLOOR, 1.0 - PROB_FLOOR);
        }
        let report = TrainingReport {
            candidate_lambda: lambda,
            expected_matches,
            pairs,
            distinct_patterns: patterns.len(),
            iterations,
            converged: last_change <= options.tolerance,
            last_change,
            log_likelihood,
            known_matches: known_matches.map_or(0, ComparisonVectors::len),
        };
        Ok((model, report))
    }

    /// The log2 Bayes factor of a pair: the sum of its comparisons' weights.
    pub fn match_weight(&self, levels: &[u8]) -> f64 {
        (0..self.comparisons.len())
            .zip(levels)
            .map(|(c, &level)| level_weight(&self.m, &self.u, c, level))
            .sum()
    }

    /// The posterior probability that a candidate pair matches, with prior `lambda`. Always in [0, 1].
    pub fn probability(&self, levels: &[u8]) -> f64 {
        probability_from_weight(self.lambda, self.match_weight(levels))
    }

    /// Each comparison's contribution to the match weight; the weights add up to [`FsModel::match_weight`].
    pub fn explain(&self, levels: &[u8]) -> Vec<ComparisonWeight> {
        self.comparisons
            .iter()
            .enumerate()
            .zip(levels)
            .map(|((c, comparison), &level)| {
                let (m, u) = if has_evidence(&self.m, &self.u, c, level) {
                    (prob(&self.m, c, level), prob(&self.u, c, level))
                } else {
                    (1.0, 1.0)
                };
                ComparisonWeight {
                    comparison: comparison.name.clone(),
                    level,
                    level_name: comparison.level_name(level).to_string(),
                    m,
                    u,
                    weight: level_weight(&self.m, &self.u, c, level),
                }
            })
            .collect()
    }

    /// The model's own estimate of its error when candidates with probability >= `threshold` are accepted:
    /// expected precision = mean posterior of accepted pairs; expected recall = sum of posteriors of
    /// accepted pairs / sum of all posteriors. Model-based, not measured (see [`ErrorEstimate`]).
    pub fn expected_error(&self, candidates: &ComparisonVectors, threshold: f64) -> ErrorEstimate {
        let mut accepted = 0u64;
        let mut accepted_mass = 0.0;
        let mut total_mass = 0.0;
        let mut total = 0u64;
        for (row, n) in candidates.patterns().iter() {
            let p = self.probability(row);
            total += n;
            total_mass += n as f64 * p;
            if p >= threshold {
                accepted += n;
                accepted_mass += n as f64 * p;
            }
        }
        ErrorEstimate {
            threshold,
            candidates: total,
            accepted,
            expected_true_positives: accepted_mass,
            expected_false_positives: accepted as f64 - accepted_mass,
            expected_false_negatives: total_mass - accepted_mass,
            expected_precision: (accepted > 0).then(|| accepted_mass / accepted as f64),
            expected_recall: (total_mass > 0.0).then(|| accepted_mass / total_mass),
        }
    }

    /// The weights of every level, looked up rather than computed: for scoring many pairs. Reflects the
    /// model as it is now; a scorer does not follow later changes to the model's fields.
    pub fn scorer(&self) -> Scorer {
        let mut offsets = Vec::with_capacity(self.comparisons.len());
        let mut weights = Vec::new();
        for (c, comparison) in self.comparisons.iter().enumerate() {
            offsets.push((weights.len(), comparison.levels.len()));
            weights.extend((0..comparison.levels.len()).map(|level| {
                u8::try_from(level).map_or(0.0, |level| level_weight(&self.m, &self.u, c, level))
            }));
        }
        Scorer {
            offsets,
            weights,
            lambda: self.lambda,
        }
    }

    /// Natural-log likelihood of one pair under the mixture.
    fn log_likelihood(&self, levels: &[u8]) -> f64 {
        let (log_m, log_u) = log_m_u(&self.m, &self.u, levels);
        let lambda = self.lambda.clamp(PROB_FLOOR, 1.0 - PROB_FLOOR);
        let a = lambda.ln() + log_m;
        let b = (1.0 - lambda).ln() + log_u;
        let hi = a.max(b);
        hi + ((a - hi).exp() + (b - hi).exp()).ln()
    }
}

/// A model's level weights in one flat table; gives the same figures as [`FsModel::match_weight`] and
/// [`FsModel::probability`].
#[derive(Debug, Clone, PartialEq)]
pub struct Scorer {
    /// Per comparison: where its levels start in `weights`, and how many it has.
    offsets: Vec<(usize, usize)>,
    weights: Vec<f64>,
    lambda: f64,
}

impl Scorer {
    pub fn match_weight(&self, levels: &[u8]) -> f64 {
        self.offsets
            .iter()
            .zip(levels)
            .map(|(&(start, n), &level)| {
                let level = usize::from(level);
                if level < n {
                    self.weights.get(start + level).copied().unwrap_or(0.0)
                } else {
                    0.0
                }
            })
            .sum()
    }

    pub fn probability(&self, levels: &[u8]) -> f64 {
        probability_from_weight(self.lambda, self.match_weight(levels))
    }
}

/// The posterior from a prior and a match weight in bits; in [0, 1] for any input, never NaN.
pub fn probability_from_weight(lambda: f64, weight: f64) -> f64 {
    let lambda = if lambda.is_nan() {
        0.5
    } else {
        lambda.clamp(PROB_FLOOR, 1.0 - PROB_FLOOR)
    };
    let weight = if weight.is_nan() { 0.0 } else { weight };
    let log_odds = (lambda / (1.0 - lambda)).log2() + weight;
    let p = 1.0 / (1.0 + (-log_odds).exp2());
    p.clamp(0.0, 1.0)
}

/// m or u of a non-null level, kept inside [PROB_FLOOR, 1] whatever the public fields hold.
fn prob(table: &[Vec<f64>], c: usize, level: u8) -> f64 {
    let v = table
        .get(c)
        .and_then(|row| row.get(usize::from(level)))
        .copied()
        .unwrap_or(1.0);
    // Not clamp: clamp passes NaN through, and a NaN must become the floor.
    if v.is_nan() {
        PROB_FLOOR
    } else {
        v.clamp(PROB_FLOOR, 1.0)
    }
}

fn level_weight(m: &[Vec<f64>], u: &[Vec<f64>], c: usize, level: u8) -> f64 {
    if !has_evidence(m, u, c, level) {
        return 0.0;
    }
    (prob(m, c, level) / prob(u, c, level)).log2()
}

/// A level carries evidence unless it is null or one the comparison does not have.
fn has_evidence(m: &[Vec<f64>], u: &[Vec<f64>], c: usize, level: u8) -> bool {
    let level = usize::from(level);
    level != 0
        && m.get(c).is_some_and(|row| level < row.len())
        && u.get(c).is_some_and(|row| level < row.len())
}

/// Sum of ln m and ln u over the comparisons of a pair that carry evidence (the same ones that have a
/// weight in [`level_weight`]).
fn log_m_u(m: &[Vec<f64>], u: &[Vec<f64>], levels: &[u8]) -> (f64, f64) {
    let mut log_m = 0.0;
    let mut log_u = 0.0;
    for (c, &level) in levels.iter().enumerate() {
        if has_evidence(m, u, c, level) {
            log_m += prob(m, c, level).ln();
            log_u += prob(u, c, level).ln();
        }
    }
    (log_m, log_u)
}

fn posterior(lambda: f64, m: &[Vec<f64>], u: &[Vec<f64>], levels: &[u8]) -> f64 {
    let (log_m, log_u) = log_m_u(m, u, levels);
    let a = lambda.ln() + log_m;
    let b = (1.0 - lambda).ln() + log_u;
    // sigmoid(a - b), stable for large magnitudes.
    let d = a - b;
    if d >= 0.0 {
        1.0 / (1.0 + (-d).exp())
    } else {
        let e = d.exp();
        e / (1.0 + e)
    }
}

/// A distribution over the non-null levels from counts (index 0 = null, ignored and set to 1), with
/// `pseudo` added to every non-null level; uniform when there is nothing to count.
fn distribution(counts: &[u64], pseudo: f64) -> Vec<f64> {
    let as_f64: Vec<f64> = counts.iter().map(|&n| n as f64).collect();
    let mut out = vec![1.0; counts.len()];
    normalise_into(&mut out, &as_f64, pseudo);
    out
}

/// Writes the smoothed distribution of `counts[1..]` into `out[1..]` (out[0] = 1); returns nothing when
/// there are no non-null levels.
fn normalise_into(out: &mut [f64], counts: &[f64], pseudo: f64) {
    if let Some(first) = out.first_mut() {
        *first = 1.0;
    }
    let non_null = counts.len().saturating_sub(1);
    if non_null == 0 {
        return;
    }
    let total: f64 = counts.iter().skip(1).sum::<f64>() + pseudo * non_null as f64;
    for (o, &n) in out.iter_mut().zip(counts).skip(1) {
        *o = if total > 0.0 {
            (n + pseudo) / total
        } else {
            1.0 / non_null as f64
        };
    }
}

/// Re-estimates one comparison's distribution in place; returns the largest change. A comparison with no
/// non-null observation at all keeps its values (there is nothing to learn from).
fn update(old: &mut [f64], counts: &[f64], pseudo: f64) -> f64 {
    let observed: f64 = counts.iter().skip(1).sum();
    if observed <= 0.0 {
        return 0.0;
    }
    let mut new = vec![1.0; old.len()];
    normalise_into(&mut new, counts, pseudo);
    let mut change: f64 = 0.0;
    for (o, n) in old.iter_mut().zip(new) {
        change = change.max((*o - n).abs());
        *o = n;
    }
    change
}

/// Before any evidence: most matches agree at the most similar level, the rest fall off geometrically.
fn default_m(levels: usize) -> Vec<f64> {
    let non_null = levels.saturating_sub(1);
    let mut out = vec![1.0; levels];
    if non_null == 0 {
        return out;
    }
    let raw: Vec<f64> = (0..non_null).map(|i| 0.5f64.powi(2 * i as i32)).collect();
    let total: f64 = raw.iter().sum();
    for (o, r) in out.iter_mut().skip(1).zip(raw) {
        *o = r / total;
    }
    out
}

fn check_options(options: &EmOptions) -> Result<(), LinkModelError> {
    if options.initial_lambda.is_nan()
        || options.initial_lambda <= 0.0
        || options.initial_lambda >= 1.0
    {
        return Err(LinkModelError::Options(format!(
            "initial_lambda must be in (0, 1), is {}",
            options.initial_lambda
        )));
    }
    if options.tolerance.is_nan() || options.tolerance < 0.0 {
        return Err(LinkModelError::Options(format!(
            "tolerance must be >= 0, is {}",
            options.tolerance
        )));
    }
    if !options.m_pseudo_count.is_finite() || options.m_pseudo_count < 0.0 {
        return Err(LinkModelError::Options(format!(
            "m_pseudo_count must be finite and >= 0, is {}",
            options.m_pseudo_count
        )));
    }
    Ok(())
}

fn check_u(comparisons: &[Comparison], u: &[Vec<f64>]) -> Result<(), LinkModelError> {
    if u.len() != comparisons.len() {
        return Err(LinkModelError::UComparisons {
            expected: comparisons.len(),
            got: u.len(),
        });
    }
    for (c, row) in comparisons.iter().zip(u) {
        if row.len() != c.levels.len() {
            return Err(LinkModelError::ULevels {
                comparison: c.name.clone(),
                expected: c.levels.len(),
                got: row.len(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::distributions::{Distribution, WeightedIndex};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn comparisons() -> Vec<Comparison> {
        vec![
            Comparison::new("name", &["exact", "close", "else"]),
            Comparison::new("dob", &["exact", "else"]),
            Comparison::new("city", &["exact", "else"]),
            Comparison::new("id", &["exact", "near", "else"]),
        ]
    }

    /// The model pairs are drawn from in the recovery test; index 0 (null) is unused by the sampler,
    /// which draws nulls separately.
    fn truth() -> (f64, Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let m = vec![
            vec![1.0, 0.85, 0.10, 0.05],
            vec![1.0, 0.90, 0.10],
            vec![1.0, 0.70, 0.30],
            vec![1.0, 0.80, 0.15, 0.05],
        ];
        let u = vec![
            vec![1.0, 0.01, 0.04, 0.95],
            vec![1.0, 0.002, 0.998],
            vec![1.0, 0.10, 0.90],
            vec![1.0, 0.0005, 0.01, 0.9895],
        ];
        (0.2, m, u)
    }

    fn sample(rng: &mut ChaCha8Rng, dist: &[Vec<f64>], null_rate: f64, out: &mut Vec<u8>) {
        out.clear();
        for levels in dist {
            if rng.gen_bool(null_rate) {
                out.push(0);
            } else {
                let w = WeightedIndex::new(&levels[1..]).expect("valid weights");
                out.push(1 + w.sample(rng) as u8);
            }
        }
    }

    #[test]
    fn em_recovers_the_model_pairs_were_drawn_from() {
        let (lambda, m, u) = truth();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut row = Vec::new();
        let mut random = ComparisonVectors::new(comparisons());
        for _ in 0..200_000 {
            sample(&mut rng, &u, 0.05, &mut row);
            random.push(&row);
        }
        let mut candidates = ComparisonVectors::new(comparisons());
        for _ in 0..200_000 {
            let dist = if rng.gen_bool(lambda) { &m } else { &u };
            sample(&mut rng, dist, 0.05, &mut row);
            candidates.push(&row);
        }
        let u_hat = FsModel::estimate_u(&random);
        for (est, real) in u_hat.iter().flatten().zip(u.iter().flatten()) {
            assert!((est - real).abs() < 0.005, "u {est} vs {real}");
        }
        let (model, report) =
            FsModel::train(&candidates, u_hat, None, &EmOptions::default()).expect("trains");
        assert!(report.converged, "{report:?}");
        assert_eq!(report.pairs, 200_000);
        // 4 x 3 x 3 x 4 level combinations at most (nulls included).
        assert!(report.distinct_patterns <= 144, "{report:?}");
        assert!(
            (model.lambda - lambda).abs() < 0.01,
            "lambda {}",
            model.lambda
        );
        for (est, real) in model.m.iter().flatten().zip(m.iter().flatten()) {
            assert!(
                (est - real).abs() < 0.02,
                "m {est} vs {real}: {:?}",
                model.m
            );
        }
    }

    #[test]
    fn population_prior_scales_the_candidate_prior() {
        let (lambda, m, u) = truth();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut row = Vec::new();
        let mut candidates = ComparisonVectors::new(comparisons());
        for _ in 0..20_000 {
            let dist = if rng.gen_bool(lambda) { &m } else { &u };
            sample(&mut rng, dist, 0.0, &mut row);
            candidates.push(&row);
        }
        let exact_u: Vec<Vec<f64>> = u.clone();
        let plain = FsModel::train(&candidates, exact_u.clone(), None, &EmOptions::default())
            .expect("trains");
        let options = EmOptions {
            population_pairs: Some(1_000_000),
            ..EmOptions::default()
        };
        let (model, report) =
            FsModel::train(&candidates, exact_u.clone(), None, &options).expect("trains");
        // Same EM, only the reported prior changes: 20,000 candidates of 1,000,000 pairs.
        assert_eq!(report.candidate_lambda, plain.0.lambda);
        assert!((model.lambda - plain.0.lambda * 0.02).abs() < 1e-15);
        assert!((report.expected_matches - plain.0.lambda * 20_000.0).abs() < 1e-9);
        assert_eq!(model.m, plain.0.m);
        let too_small = EmOptions {
            population_pairs: Some(19_999),
            ..EmOptions::default()
        };
        assert!(matches!(
            FsModel::train(&candidates, exact_u, None, &too_small),
            Err(LinkModelError::Population { .. })
        ));
    }

    #[test]
    fn em_without_fixed_u_recovers_u_too() {
        let (lambda, m, u) = truth();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut row = Vec::new();
        let mut candidates = ComparisonVectors::new(comparisons());
        for _ in 0..200_000 {
            let dist = if rng.gen_bool(lambda) { &m } else { &u };
            sample(&mut rng, dist, 0.0, &mut row);
            candidates.push(&row);
        }
        let uniform: Vec<Vec<f64>> = comparisons()
            .iter()
            .map(|c| default_m(c.levels.len()).into_iter().rev().collect())
            .collect();
        let options = EmOptions {
            fix_u: false,
            max_iterations: 500,
            ..EmOptions::default()
        };
        let (model, _) = FsModel::train(&candidates, uniform, None, &options).expect("trains");
        assert!(
            (model.lambda - lambda).abs() < 0.01,
            "lambda {}",
            model.lambda
        );
        for (est, real) in model.u.iter().flatten().zip(u.iter().flatten()) {
            assert!((est - real).abs() < 0.02, "u {est} vs {real}");
        }
    }

    fn small_model() -> FsModel {
        FsModel {
            comparisons: vec![
                Comparison::new("a", &["exact", "else"]),
                Comparison::new("b", &["exact", "close", "else"]),
            ],
            lambda: 0.2,
            m: vec![vec![1.0, 0.8, 0.2], vec![1.0, 0.5, 0.25, 0.25]],
            u: vec![vec![1.0, 0.1, 0.9], vec![1.0, 0.125, 0.125, 0.75]],
        }
    }

    #[test]
    fn weights_and_probability_by_hand() {
        let model = small_model();
        // log2(0.8/0.1) = 3, log2(0.5/0.125) = 2.
        assert!((model.match_weight(&[1, 1]) - 5.0).abs() < 1e-12);
        // log2(0.2/0.9) + log2(0.25/0.75)
        let w = (0.2f64 / 0.9).log2() + (1.0f64 / 3.0).log2();
        assert!((model.match_weight(&[2, 3]) - w).abs() < 1e-12);
        // Null and unknown levels carry nothing.
        assert_eq!(model.match_weight(&[0, 0]), 0.0);
        assert_eq!(model.match_weight(&[9, 0]), 0.0);
        // Prior odds 0.25, Bayes factor 32: odds 8, p = 8/9.
        assert!((model.probability(&[1, 1]) - 8.0 / 9.0).abs() < 1e-12);
        assert!((model.probability(&[0, 0]) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn scorer_agrees_with_the_model() {
        let model = small_model();
        let scorer = model.scorer();
        for a in 0..5u8 {
            for b in 0..6u8 {
                let levels = [a, b];
                assert_eq!(scorer.match_weight(&levels), model.match_weight(&levels));
                assert_eq!(scorer.probability(&levels), model.probability(&levels));
            }
        }
        // Fewer or more levels than comparisons: the missing ones weigh nothing, extra ones are ignored.
        assert!((scorer.match_weight(&[1]) - 3.0).abs() < 1e-12);
        assert!((scorer.match_weight(&[1, 1, 1]) - 5.0).abs() < 1e-12);
        assert_eq!(
            model.match_weight(&[1, 1, 1]),
            scorer.match_weight(&[1, 1, 1])
        );
    }

    #[test]
    fn explain_weights_add_up_to_the_match_weight() {
        let model = small_model();
        for a in 0..4u8 {
            for b in 0..5u8 {
                let parts = model.explain(&[a, b]);
                assert_eq!(parts.len(), 2);
                let sum: f64 = parts.iter().map(|p| p.weight).sum();
                assert!((sum - model.match_weight(&[a, b])).abs() < 1e-12);
            }
        }
        let parts = model.explain(&[1, 2]);
        assert_eq!(parts[0].comparison, "a");
        assert_eq!(parts[0].level_name, "exact");
        assert_eq!((parts[0].m, parts[0].u), (0.8, 0.1));
        assert_eq!(parts[1].level_name, "close");
        assert!((parts[1].weight - 1.0).abs() < 1e-12);
        assert_eq!(model.explain(&[0, 7])[1].level_name, "invalid");
    }

    #[test]
    fn estimate_u_smooths_and_ignores_nulls() {
        let mut random = ComparisonVectors::new(vec![
            Comparison::new("x", &["exact", "close", "else"]),
            Comparison::new("never", &["exact", "else"]),
        ]);
        for row in [[1, 0], [3, 0], [3, 0], [0, 0], [200, 0]] {
            random.push(&row);
        }
        let u = FsModel::estimate_u(&random);
        // exact 1, close 0, else 2; one pseudo-pair each: 2/6, 1/6, 3/6. The null row and the
        // out-of-range level are not counted.
        let want = [1.0, 2.0 / 6.0, 1.0 / 6.0, 3.0 / 6.0];
        for (got, want) in u[0].iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{:?}", u[0]);
        }
        // Always null: uniform.
        assert_eq!(u[1], vec![1.0, 0.5, 0.5]);
        // No random pairs at all: uniform too, and no level has u = 0.
        let empty = FsModel::estimate_u(&ComparisonVectors::new(comparisons()));
        assert!(empty.iter().flatten().all(|&v| v > 0.0));
        assert_eq!(empty[0], vec![1.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]);
    }

    #[test]
    fn patterns_count_identical_vectors_once() {
        let mut v = ComparisonVectors::new(vec![
            Comparison::new("a", &["exact", "else"]),
            Comparison::new("b", &["exact", "else"]),
        ]);
        for row in [[1, 2], [1, 2], [2, 2], [1, 2], [2, 9], [2, 0]] {
            v.push(&row);
        }
        assert_eq!(v.len(), 6);
        assert_eq!(v.row(4), &[2, 9]);
        let p = v.patterns();
        let got: Vec<(Vec<u8>, u64)> = p.iter().map(|(r, n)| (r.to_vec(), n)).collect();
        // [2, 9] has a level b does not have: counted as null, with [2, 0].
        assert_eq!(got, vec![(vec![1, 2], 3), (vec![2, 2], 1), (vec![2, 0], 2)]);
        assert_eq!(p.pairs(), 6);
    }

    #[test]
    fn degenerate_training_inputs_give_errors_or_finite_models() {
        let u = FsModel::estimate_u(&ComparisonVectors::new(comparisons()));
        let empty = ComparisonVectors::new(comparisons());
        assert_eq!(
            FsModel::train(&empty, u.clone(), None, &EmOptions::default()).unwrap_err(),
            LinkModelError::NoCandidates
        );
        assert_eq!(
            FsModel::train(
                &ComparisonVectors::new(Vec::new()),
                Vec::new(),
                None,
                &EmOptions::default()
            )
            .unwrap_err(),
            LinkModelError::NoComparisons
        );
        let mut one = ComparisonVectors::new(comparisons());
        one.push(&[1, 1, 0, 1]);
        assert!(matches!(
            FsModel::train(&one, u[..2].to_vec(), None, &EmOptions::default()),
            Err(LinkModelError::UComparisons { .. })
        ));
        let bad = EmOptions {
            initial_lambda: f64::NAN,
            ..EmOptions::default()
        };
        assert!(matches!(
            FsModel::train(&one, u.clone(), None, &bad),
            Err(LinkModelError::Options(_))
        ));

        // "city" is always null; "name" never reaches "close"; one pair only.
        let (model, report) =
            FsModel::train(&one, u.clone(), None, &EmOptions::default()).expect("trains");
        assert!(report.iterations >= 1);
        assert!(model.m.iter().flatten().all(|v| v.is_finite() && *v > 0.0));
        assert_eq!(model.explain(&[1, 1, 0, 1])[2].weight, 0.0);
        let w = model.match_weight(&[2, 2, 2, 3]);
        assert!(w.is_finite() && w < 0.0, "{w}");
        let p = model.probability(&[2, 2, 2, 3]);
        assert!((0.0..=1.0).contains(&p));
    }

    #[test]
    fn known_matches_initialise_m() {
        let mut known = ComparisonVectors::new(comparisons());
        for _ in 0..9 {
            known.push(&[1, 1, 1, 1]);
        }
        known.push(&[3, 2, 2, 3]);
        let mut candidates = ComparisonVectors::new(comparisons());
        candidates.push(&[1, 1, 1, 1]);
        candidates.push(&[3, 2, 2, 3]);
        let u = FsModel::estimate_u(&ComparisonVectors::new(comparisons()));
        let options = EmOptions {
            max_iterations: 0,
            ..EmOptions::default()
        };
        let (model, report) =
            FsModel::train(&candidates, u.clone(), Some(&known), &options).expect("trains");
        assert_eq!(report.known_matches, 10);
        // dob: exact 9 + 1, else 1 + 1 => 10/12, 2/12.
        assert!((model.m[1][1] - 10.0 / 12.0).abs() < 1e-12, "{:?}", model.m);
        let mut other = ComparisonVectors::new(vec![Comparison::new("z", &["exact"])]);
        other.push(&[1]);
        assert_eq!(
            FsModel::train(&candidates, u, Some(&other), &options).unwrap_err(),
            LinkModelError::KnownMatchComparisons
        );
    }

    #[test]
    fn expected_error_by_hand() {
        let model = small_model();
        let mut c = ComparisonVectors::new(model.comparisons.clone());
        // p([1,1]) = 8/9; p([0,0]) = 0.2; p([2,3]) small.
        c.push(&[1, 1]);
        c.push(&[1, 1]);
        c.push(&[0, 0]);
        c.push(&[2, 3]);
        let low = model.probability(&[2, 3]);
        let e = model.expected_error(&c, 0.5);
        assert_eq!((e.candidates, e.accepted), (4, 2));
        assert!((e.expected_true_positives - 16.0 / 9.0).abs() < 1e-12);
        assert!((e.expected_false_positives - 2.0 / 9.0).abs() < 1e-12);
        assert!((e.expected_false_negatives - (0.2 + low)).abs() < 1e-12);
        assert!((e.expected_precision.unwrap() - 8.0 / 9.0).abs() < 1e-12);
        let recall = (16.0 / 9.0) / (16.0 / 9.0 + 0.2 + low);
        assert!((e.expected_recall.unwrap() - recall).abs() < 1e-12);
        let none = model.expected_error(&c, 1.1);
        assert_eq!(none.accepted, 0);
        assert_eq!(none.expected_precision, None);
    }

    fn any_prob() -> impl Strategy<Value = f64> {
        prop_oneof![
            8 => 0.0..=1.0f64,
            1 => Just(0.0),
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(-1.0),
        ]
    }

    proptest! {
        #[test]
        fn probability_is_in_unit_interval(
            levels in proptest::collection::vec(any::<u8>(), 0..6),
            m in proptest::collection::vec(any_prob(), 4),
            u in proptest::collection::vec(any_prob(), 4),
            lambda in any_prob(),
        ) {
            let model = FsModel {
                comparisons: vec![
                    Comparison::new("a", &["exact", "else"]),
                    Comparison::new("b", &["exact", "else"]),
                ],
                lambda,
                m: vec![vec![1.0, m[0], m[1]], vec![1.0, m[2], m[3]]],
                u: vec![vec![1.0, u[0], u[1]], vec![1.0, u[2], u[3]]],
            };
            let p = model.probability(&levels);
            prop_assert!((0.0..=1.0).contains(&p), "{p}");
            prop_assert!(model.match_weight(&levels).is_finite());
        }

        #[test]
        fn probability_is_monotone_in_weight(a in proptest::collection::vec(0u8..4, 2),
                                             b in proptest::collection::vec(0u8..4, 2)) {
            let model = small_model();
            let (wa, wb) = (model.match_weight(&a), model.match_weight(&b));
            let (pa, pb) = (model.probability(&a), model.probability(&b));
            if wa > wb {
                prop_assert!(pa >= pb, "{wa} {pa} vs {wb} {pb}");
            } else if wa < wb {
                prop_assert!(pa <= pb);
            }
        }
    }
}
