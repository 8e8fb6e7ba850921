//! Scoring candidate pairs: a Fellegi–Sunter model over the named comparisons, with u estimated from random
//! pairs of seller accounts and m (and the share of matches) by EM over the candidates, started from the
//! pairs that share a hard identifier.

use rand::{Rng, SeedableRng};

use super::compare::{COMPARISONS, Levels, compare};
use super::features::AccountFeatures;
use crate::fellegi_sunter::{
    Comparison, ComparisonVectors, EmOptions, ErrorEstimate, FsModel, TrainingReport,
    probability_from_weight,
};

#[derive(Debug, Clone)]
pub struct ScoringOptions {
    /// Random seller pairs sampled to estimate u.
    pub random_pairs: usize,
    /// Seed of that sample: the same case gives the same model.
    pub seed: u64,
    pub em: EmOptions,
    /// Labelled pairs (sharing a hard identifier) needed to take m from them rather than from EM.
    pub min_known_matches: usize,
}

impl Default for ScoringOptions {
    fn default() -> Self {
        ScoringOptions {
            random_pairs: 1_000_000,
            seed: 0x5eed_11c4,
            em: EmOptions::default(),
            min_known_matches: 20,
        }
    }
}

pub fn comparisons() -> Vec<Comparison> {
    COMPARISONS
        .iter()
        .map(|c| Comparison {
            name: c.name.to_string(),
            levels: c.levels.iter().map(|l| l.to_string()).collect(),
        })
        .collect()
}

/// Levels of every candidate pair, computed on all cores.
pub fn levels_of(features: &[AccountFeatures], pairs: &[(u32, u32)]) -> Vec<Levels> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = pairs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = pairs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|&(a, b)| compare(&features[a as usize], &features[b as usize]))
                        .collect::<Vec<Levels>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn vectors(rows: &[Levels]) -> ComparisonVectors {
    let mut v = ComparisonVectors::new(comparisons());
    for r in rows {
        v.push(r);
    }
    v
}

/// The trained model with what went into it.
pub struct TrainedModel {
    pub model: FsModel,
    pub training: TrainingReport,
    pub random_pairs: usize,
    pub known_matches: usize,
    pub m_from: MSource,
}

/// Where the model's m came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MSource {
    /// Level frequencies among seller pairs that share a hard identifier (the labels of KDD 2019).
    KnownMatches,
    /// EM over the candidates, for a case with too few such pairs.
    Em,
}

/// Trains the model on the candidate pairs of `sellers` (indices into `features`).
pub fn train(
    features: &[AccountFeatures],
    sellers: &[u32],
    candidates: &[Levels],
    known_matches: &[Levels],
    options: &ScoringOptions,
) -> Result<TrainedModel, crate::fellegi_sunter::LinkModelError> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(options.seed);
    let mut random: Vec<(u32, u32)> = Vec::new();
    if sellers.len() >= 2 {
        let n = sellers.len();
        let wanted = options.random_pairs.min(n * (n - 1) / 2);
        random.reserve(wanted);
        while random.len() < wanted {
            let a = sellers[rng.gen_range(0..n)];
            let b = sellers[rng.gen_range(0..n)];
            if a != b {
                random.push((a.min(b), a.max(b)));
            }
        }
    }
    let u = FsModel::estimate_u(&vectors(&levels_of(features, &random)));
    let population = (sellers.len() as u64 * sellers.len().saturating_sub(1) as u64 / 2)
        .max(candidates.len() as u64);
    let candidate_vectors = vectors(candidates);
    if known_matches.len() < options.min_known_matches {
        // Too few labelled pairs: m by EM over the candidates, the prior taken over all seller pairs.
        let em = EmOptions {
            population_pairs: Some(population),
            ..options.em.clone()
        };
        let (model, training) = FsModel::train(&candidate_vectors, u, None, &em)?;
        return Ok(TrainedModel {
            model,
            training,
            random_pairs: random.len(),
            known_matches: 0,
            m_from: MSource::Em,
        });
    }
    // m from the pairs that share a hard identifier, kept as they are: EM over blocked candidates drifts to
    // "sellers of the same products" (blocking picks pairs alike in text, which random-pair u counts as
    // strong evidence), while the labelled pairs say how one seller's accounts actually differ. Only the
    // share of matches is estimated, by EM with m and u fixed.
    let known = vectors(known_matches);
    let (mut model, mut training) = FsModel::train(
        &candidate_vectors,
        u,
        Some(&known),
        &EmOptions {
            max_iterations: 0,
            ..options.em.clone()
        },
    )?;
    let patterns = candidate_vectors.patterns();
    let pairs = patterns.pairs().max(1) as f64;
    let weights: Vec<(f64, f64)> = patterns
        .iter()
        .map(|(row, n)| (model.match_weight(row), n as f64))
        .collect();
    let mut lambda = options.em.initial_lambda;
    let mut iterations = 0;
    let mut change = f64::INFINITY;
    while iterations < options.em.max_iterations && change > options.em.tolerance {
        let next = weights
            .iter()
            .map(|(w, n)| n * probability_from_weight(lambda, *w))
            .sum::<f64>()
            / pairs;
        change = (next - lambda).abs();
        lambda = next;
        iterations += 1;
    }
    let expected_matches = lambda * pairs;
    model.lambda = (expected_matches / population as f64).clamp(1e-12, 1.0 - 1e-12);
    training.iterations = iterations;
    training.converged = change <= options.em.tolerance;
    training.last_change = change;
    training.candidate_lambda = lambda;
    training.expected_matches = expected_matches;
    Ok(TrainedModel {
        model,
        training,
        random_pairs: random.len(),
        known_matches: known_matches.len(),
        m_from: MSource::KnownMatches,
    })
}

/// The model's own estimate of its error among the candidates at `threshold`.
pub fn expected_error(model: &FsModel, candidates: &[Levels], threshold: f64) -> ErrorEstimate {
    model.expected_error(&vectors(candidates), threshold)
}
