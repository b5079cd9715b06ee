//! The learned reranker: logistic regression over features of a (post, fact-check) pair,
//! trained on the CLEF 2020 Task 2 *train* split (`bench/train-reranker`) and shipped as
//! `reranker.json` beside this file, with the command that made it.
//!
//! Its output is a probability that the fact-check answers the post. A calibrated threshold
//! per language pair marks a top match as *confident* (the desk may link it without asking);
//! below it, matches are suggestions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::logistic::Logistic;
use crate::{Error, Result};

/// Names of the features, in the order of every feature vector.
pub const FEATURES: [&str; 20] = [
    "cosine",
    "cosine_gap",
    "dense_reciprocal_rank",
    "lexical_share",
    "lexical_log",
    "exact_share",
    "folded_share",
    "bigram_share",
    "lexical_reciprocal_rank",
    "near_duplicate",
    "term_overlap",
    "term_jaccard",
    "number_overlap",
    "number_mismatch",
    "name_overlap",
    "date_overlap",
    "length_ratio",
    "same_language",
    "minmax_fusion",
    "cosine_x_lexical",
];

/// Number of features.
pub const NUM_FEATURES: usize = FEATURES.len();

/// A feature vector.
pub type FeatureVector = [f32; NUM_FEATURES];

/// Language pairs with fewer training queries use the `*` threshold.
const MIN_CALIBRATION_QUERIES: usize = 30;

/// A trained logistic-regression reranker with its calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reranker {
    /// The logistic model over [`FEATURES`].
    #[serde(flatten)]
    pub model: Logistic,
    /// Probability at or above which a top match ranks first with confidence on a pool that
    /// holds the answer, by language pair (`en-en`, `vi-en`: post language, then fact-check
    /// language); `*` for other pairs. Whether a match *answers* the post is the
    /// [`Verifier`](crate::verify::Verifier)'s call, not this one's.
    pub confident: BTreeMap<String, f32>,
    /// What it was trained on and how it did there.
    pub trained_on: String,
    /// The command that made it.
    pub command: String,
}

/// One training query: its candidates' features and which are relevant.
#[derive(Debug, Clone)]
pub struct TrainingQuery {
    /// Feature vectors of the candidates.
    pub rows: Vec<FeatureVector>,
    /// Relevance of each candidate.
    pub relevant: Vec<bool>,
    /// Language pair of the query with its candidates' language (`en-en`).
    pub pair: Vec<String>,
    /// The candidates' fact-checks.
    pub ids: Vec<claimdesk_core::FactCheckId>,
    /// The candidates as the match verifier sees them.
    pub pairs: Vec<crate::verify::PairVector>,
}

impl Reranker {
    /// The reranker shipped with claimdesk.
    pub fn builtin() -> Result<Reranker> {
        Self::from_json(include_str!("reranker.json"))
    }

    /// Reads a reranker file, checking that it was trained on this version's features.
    pub fn from_json(text: &str) -> Result<Reranker> {
        let r: Reranker = serde_json::from_str(text)
            .map_err(|e| Error::BadSetting(format!("reranker file: {e}")))?;
        if !r.model.fits(&FEATURES) {
            return Err(Error::BadSetting(
                "the reranker file was trained on other features; retrain it with bench/train-reranker".into(),
            ));
        }
        Ok(r)
    }

    /// The log-odds of relevance.
    pub fn logit(&self, x: &FeatureVector) -> f32 {
        self.model.logit(x)
    }

    /// The probability of relevance.
    pub fn probability(&self, x: &FeatureVector) -> f32 {
        self.model.probability(x)
    }

    /// What each feature added to the log-odds, relative to an average candidate.
    pub fn effects(&self, x: &FeatureVector) -> Vec<(&'static str, f32, f32)> {
        self.model
            .effects(x)
            .into_iter()
            .map(|(i, v, e)| (FEATURES[i], v, e))
            .collect()
    }

    /// The confident-match threshold for a language pair.
    pub fn threshold(&self, pair: &str) -> f32 {
        self.confident
            .get(pair)
            .or_else(|| self.confident.get("*"))
            .copied()
            .unwrap_or(f32::INFINITY)
    }

    /// Fits L2-regularized logistic regression ([`crate::logistic::minimize`], deterministic),
    /// then picks per language pair the lowest threshold whose top-1 precision on the training
    /// queries is at least `precision`.
    pub fn train(queries: &[TrainingQuery], l2: f64, precision: f64) -> Reranker {
        let rows: Vec<(&[f32], bool)> = queries
            .iter()
            .flat_map(|q| {
                q.rows
                    .iter()
                    .map(|r| &r[..])
                    .zip(q.relevant.iter().copied())
            })
            .collect();
        let mut reranker = Reranker {
            model: Logistic::fit(&FEATURES, &rows, None, l2),
            confident: BTreeMap::new(),
            trained_on: String::new(),
            command: String::new(),
        };
        reranker.calibrate(queries, precision);
        reranker
    }

    /// Sets each language pair's threshold (and `*` from all pairs) to the lowest top-1
    /// probability at which precision on `queries` stays at least `precision`. Pairs with
    /// fewer than 30 queries get no threshold of their own.
    pub fn calibrate(&mut self, queries: &[TrainingQuery], precision: f64) {
        let mut by_pair: BTreeMap<String, Vec<(f32, bool)>> = BTreeMap::new();
        for q in queries {
            let best = q
                .rows
                .iter()
                .enumerate()
                .map(|(i, x)| (self.probability(x), i))
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
            if let Some((p, i)) = best {
                by_pair
                    .entry(q.pair[i].clone())
                    .or_default()
                    .push((p, q.relevant[i]));
                by_pair
                    .entry("*".into())
                    .or_default()
                    .push((p, q.relevant[i]));
            }
        }
        self.confident.clear();
        for (pair, mut tops) in by_pair {
            if tops.len() < MIN_CALIBRATION_QUERIES && pair != "*" {
                continue;
            }
            tops.sort_by(|a, b| b.0.total_cmp(&a.0));
            let (mut right, mut threshold) = (0usize, f32::INFINITY);
            for (n, (p, ok)) in tops.iter().enumerate() {
                right += usize::from(*ok);
                if right as f64 / (n + 1) as f64 >= precision {
                    threshold = *p;
                }
            }
            if threshold.is_finite() {
                self.confident.insert(pair, threshold);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_learns_which_feature_predicts_relevance_and_calibrates() {
        let mut queries = Vec::new();
        for q in 0..60 {
            let mut rows = Vec::new();
            let mut relevant = Vec::new();
            for c in 0..10 {
                let mut x = [0f32; NUM_FEATURES];
                let good = c == q % 10;
                x[0] = if good { 0.9 } else { 0.7 } + ((q * 7 + c * 3) % 10) as f32 / 100.0;
                x[10] = ((q + c) % 5) as f32 / 5.0; // noise
                rows.push(x);
                relevant.push(good);
            }
            queries.push(TrainingQuery {
                rows,
                relevant,
                pair: vec!["en-en".into(); 10],
                ids: Vec::new(),
                pairs: Vec::new(),
            });
        }
        let r = Reranker::train(&queries, 1.0, 0.9);
        assert!(
            r.model.weights[0] > 1.0,
            "cosine weight {}",
            r.model.weights[0]
        );
        assert!(
            r.model.weights[0] > 5.0 * r.model.weights[10].abs(),
            "{:?}",
            r.model.weights
        );
        let mut good = [0f32; NUM_FEATURES];
        good[0] = 0.95;
        let mut bad = good;
        bad[0] = 0.7;
        assert!(r.probability(&good) > 0.5 && r.probability(&bad) < 0.5);
        assert!(r.threshold("en-en").is_finite());
        assert_eq!(r.threshold("vi-en"), r.threshold("*"));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(Reranker::from_json(&json).unwrap(), r);
    }

    #[test]
    fn a_file_for_other_features_is_refused() {
        let mut r = Reranker::train(&[], 1.0, 0.9);
        r.model.features.pop();
        let err = Reranker::from_json(&serde_json::to_string(&r).unwrap()).unwrap_err();
        assert!(err.to_string().contains("retrain"), "{err}");
    }
}
