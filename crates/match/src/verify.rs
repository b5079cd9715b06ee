//! The match verifier: decides whether a ranked fact-check *answers* the post, or is only the
//! nearest one the desk holds.
//!
//! The reranker orders candidates, and its features compare each candidate with the others
//! of the same query (gaps to the best, reciprocal ranks): on a pool that always holds the
//! answer, being the nearest is strong evidence, so its probability cannot say "no match".
//! The verifier reads what a (post, fact-check) pair shows by itself — absolute similarity,
//! agreement between the lexical and the dense evidence, shared numbers, names and years,
//! how much of the fact-check's claim the post covers — plus how far the pair's cosine
//! stands above the post's cosine to the desk in general (`cosine_background_z`) and, for
//! the few features whose meaning depends on the pool (`cosine_margin`, `lexical_margin`,
//! `runner_up_cosine`: the candidate against the best *other* candidate), it is trained on
//! pools of many sizes with the answer present *and* left out: CLEF train against the whole
//! desk and against desks of 25, 100 and 1,000 fact-checks sampled per query, each with and
//! without the query's answer (`bench/train-reranker`). Its L2 penalty is chosen, and its
//! two thresholds per language pair are calibrated, by cross-validation over those runs.
//!
//! Thresholds are per language pair of the post and the top fact-check (`en-en`, `vi-vi`,
//! `vi-en`, …): a pair with at least [`MIN_PAIR_QUERIES`] training queries gets its own,
//! every other pair uses `*`, calibrated over all pairs together. CLEF train is English, so
//! the shipped file holds `en-en` and `*`; a desk may tighten both in its config
//! (`match.confident_at_least`, `match.suggest_at_least`), never loosen them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::logistic::Logistic;
use crate::rerank::{Reranker, TrainingQuery};
use crate::{Error, Result};

/// Names of the verifier's features, in the order of every pair vector. The last four
/// compare the candidate with the rest of its pool and with the desk's background
/// (`hybrid::context_features`).
pub const PAIR_FEATURES: [&str; 21] = [
    "cosine",
    "lexical_log",
    "exact_log",
    "folded_log",
    "bigram_log",
    "near_duplicate",
    "term_overlap",
    "claim_coverage",
    "term_jaccard",
    "number_overlap",
    "number_mismatch",
    "name_overlap",
    "name_missing",
    "date_overlap",
    "length_ratio",
    "same_language",
    "cosine_x_coverage",
    "cosine_margin",
    "lexical_margin",
    "runner_up_cosine",
    "cosine_background_z",
];

/// Number of verifier features.
pub const NUM_PAIR_FEATURES: usize = PAIR_FEATURES.len();

/// The verifier's description of one (post, fact-check) pair.
pub type PairVector = [f32; NUM_PAIR_FEATURES];

/// Language pairs with fewer training queries than this use the `*` thresholds.
pub const MIN_PAIR_QUERIES: usize = 30;

pub use claimdesk_core::explanation::{Signal, Strength};

/// The two thresholds of one language pair, on the verifier's probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// At or above: the top match is confident (safe to link).
    pub confident: f32,
    /// At or above: a suggestion; below: only the nearest fact-check.
    pub suggest: f32,
}

/// The trained verifier with its thresholds per language pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verifier {
    /// The logistic model over [`PAIR_FEATURES`].
    pub model: Logistic,
    /// Thresholds by language pair (`en-en`, `vi-en`: post language, then fact-check
    /// language); `*` for pairs without enough training queries.
    pub thresholds: BTreeMap<String, Thresholds>,
    /// What it was trained on and how its thresholds did in cross-validation there.
    pub trained_on: String,
    /// The command that made it.
    pub command: String,
}

impl Verifier {
    /// The verifier shipped with claimdesk.
    pub fn builtin() -> Result<Verifier> {
        Self::from_json(include_str!("verifier.json"))
    }

    /// Reads a verifier file, checking that it was trained on this version's features.
    pub fn from_json(text: &str) -> Result<Verifier> {
        let v: Verifier = serde_json::from_str(text)
            .map_err(|e| Error::BadSetting(format!("verifier file: {e}")))?;
        if !v.model.fits(&PAIR_FEATURES) {
            return Err(Error::BadSetting(
                "the verifier file was trained on other features; retrain it with bench/train-reranker"
                    .into(),
            ));
        }
        if !v.thresholds.contains_key("*") {
            return Err(Error::BadSetting(
                "the verifier file has no `*` thresholds".into(),
            ));
        }
        Ok(v)
    }

    /// The probability that the fact-check answers the post.
    pub fn probability(&self, x: &PairVector) -> f32 {
        self.model.probability(x)
    }

    /// The thresholds of a language pair, or the `*` fallback.
    pub fn thresholds(&self, pair: &str) -> Thresholds {
        self.thresholds
            .get(pair)
            .or_else(|| self.thresholds.get("*"))
            .copied()
            .unwrap_or(Thresholds {
                confident: f32::INFINITY,
                suggest: f32::INFINITY,
            })
    }

    /// Makes every threshold at least as strict as the given floors (a desk's config may
    /// tighten them, never loosen them).
    pub fn tighten(&mut self, confident: Option<f32>, suggest: Option<f32>) {
        for t in self.thresholds.values_mut() {
            if let Some(c) = confident {
                t.confident = t.confident.max(c);
            }
            if let Some(s) = suggest {
                t.suggest = t.suggest.max(s);
            }
        }
    }

    /// The strength of a match at `rank` (0 = top) with verifier probability `p`.
    pub fn strength(&self, pair: &str, rank: usize, p: f32) -> Strength {
        let t = self.thresholds(pair);
        if rank == 0 && p >= t.confident {
            Strength::Confident
        } else if p >= t.suggest {
            Strength::Suggestion
        } else {
            Strength::Nearest
        }
    }
}

/// Raw cosine at or above which two texts say the same thing (multilingual-e5-small puts
/// CLEF train's answers at 0.88 on average and other candidates at 0.81).
const SAME_MEANING_COSINE: f32 = 0.86;
/// Raw cosine below which two texts are about something else.
const OTHER_MEANING_COSINE: f32 = 0.80;
/// Share of the claim's terms the post must hold to "use much the same words".
const SAME_WORDS_COVERAGE: f32 = 0.6;
/// Share of the claim's terms below which a close post covers only part of it.
const PARTIAL_COVERAGE: f32 = 0.25;

impl Verifier {
    /// What a pair shows, in the order of how much the underlying feature moved the
    /// verifier's probability. Each signal is read from the feature's value (a learned weight
    /// on correlated features is no explanation), so it says what is true of the pair.
    pub fn signals(&self, x: &PairVector) -> Vec<Signal> {
        let index = |name: &str| PAIR_FEATURES.iter().position(|f| *f == name).unwrap_or(0);
        let value = |name: &str| x[index(name)];
        let cosine = value("cosine");
        let coverage = value("claim_coverage");
        let mut found: Vec<(Signal, &str)> = Vec::new();
        if value("near_duplicate") > 0.0 {
            found.push((Signal::NearCopy, "near_duplicate"));
        } else if coverage >= SAME_WORDS_COVERAGE {
            found.push((Signal::SameWords, "claim_coverage"));
        } else if cosine >= SAME_MEANING_COSINE {
            found.push((Signal::SameMeaning, "cosine"));
        }
        if cosine < OTHER_MEANING_COSINE {
            found.push((Signal::DifferentMeaning, "cosine"));
        } else if coverage < PARTIAL_COVERAGE && cosine < SAME_MEANING_COSINE {
            found.push((Signal::PartialClaim, "claim_coverage"));
        }
        if value("number_overlap") > 0.0 {
            found.push((Signal::SameNumbers, "number_overlap"));
        }
        if value("number_mismatch") > 0.0 {
            found.push((Signal::DifferentNumbers, "number_mismatch"));
        }
        if value("name_overlap") > 0.0 {
            found.push((Signal::SharedNames, "name_overlap"));
        }
        if value("date_overlap") > 0.0 {
            found.push((Signal::SameYear, "date_overlap"));
        } else if value("date_overlap") < 0.0 {
            found.push((Signal::DifferentYear, "date_overlap"));
        }
        let effects = self.model.effects(x);
        let moved = |name: &str| {
            let i = index(name);
            effects.iter().find(|e| e.0 == i).map_or(0.0, |e| e.2.abs())
        };
        found.sort_by(|a, b| moved(b.1).total_cmp(&moved(a.1)));
        found.into_iter().map(|(s, _)| s).collect()
    }
}

/// The top candidate of one query in one pool, as calibration sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TopOutcome {
    /// The pool condition (an index into the training run's conditions).
    pub condition: usize,
    /// The query ran against a pool that holds its answer.
    pub answer_present: bool,
    /// The query's language pair with its top candidate.
    pub pair: String,
    /// The verifier's probability for the top candidate.
    pub probability: f32,
    /// The top candidate answers the query.
    pub correct: bool,
}

/// Lowest threshold at which the precision of `tops` (probability, correct) taken at or
/// above it stays at least `precision`; `None` when no threshold reaches it.
pub fn precision_threshold(tops: &[(f32, bool)], precision: f64) -> Option<f32> {
    let mut sorted = tops.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut right, mut threshold) = (0usize, None);
    let mut i = 0;
    while i < sorted.len() {
        // Ties are taken or left together.
        let p = sorted[i].0;
        while i < sorted.len() && sorted[i].0 == p {
            right += usize::from(sorted[i].1);
            i += 1;
        }
        if right as f64 / i as f64 >= precision {
            threshold = Some(p);
        }
    }
    threshold
}

/// Lowest threshold at which no more than `share` of `probabilities` are at or above it.
fn share_threshold(probabilities: &[f32], share: f64) -> f32 {
    let mut sorted = probabilities.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    // The highest `share` of them stay at or above; the next one down does not.
    let allowed = (sorted.len() as f64 * share).floor() as usize;
    match sorted.get(allowed) {
        Some(p) => next_up(*p),
        None => 0.0,
    }
}

/// What calibration asks of the thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets {
    /// Precision of confident top matches over the mix of queries with their answer present
    /// and absent, in every pool.
    pub confident_precision: f64,
    /// Share of the queries *without* their answer, in each pool on its own, whose top match
    /// may be confident (a false alarm).
    pub false_alarm: f64,
    /// Share of the queries without their answer, in each pool on its own, whose top match
    /// may still be suggested.
    pub suggest_absent_share: f64,
}

/// Chooses the thresholds per language pair from out-of-fold top outcomes of queries in
/// pools of several sizes with their answer present and absent: *confident* is the lowest
/// probability at which top matches keep `confident_precision` over all of them and no pool
/// without the answer has more than `false_alarm` of its top matches confident; *suggest*
/// the lowest at which no pool without the answer has more than `suggest_absent_share` of
/// its top matches suggested (never above *confident*). A language pair with fewer than
/// [`MIN_PAIR_QUERIES`] queries gets no thresholds of its own: it falls back to `*`, which
/// is calibrated over every pair.
pub fn calibrate(outcomes: &[TopOutcome], targets: &Targets) -> BTreeMap<String, Thresholds> {
    let mut by_pair: BTreeMap<String, Vec<&TopOutcome>> = BTreeMap::new();
    for o in outcomes {
        for key in [o.pair.as_str(), "*"] {
            by_pair.entry(key.to_string()).or_default().push(o);
        }
    }
    let mut out = BTreeMap::new();
    for (pair, tops) in by_pair {
        // Queries: the top outcomes of the first pool condition (each query has one there).
        let first = tops.iter().map(|o| o.condition).min().unwrap_or(0);
        let queries = tops.iter().filter(|o| o.condition == first).count();
        if queries < MIN_PAIR_QUERIES && pair != "*" {
            continue;
        }
        let scored: Vec<(f32, bool)> = tops.iter().map(|o| (o.probability, o.correct)).collect();
        let mut confident =
            precision_threshold(&scored, targets.confident_precision).unwrap_or(1.0);
        let mut suggest = 0f32;
        let mut absent: BTreeMap<usize, Vec<f32>> = BTreeMap::new();
        for o in tops.iter().filter(|o| !o.answer_present) {
            absent.entry(o.condition).or_default().push(o.probability);
        }
        for probabilities in absent.values() {
            confident = confident.max(share_threshold(probabilities, targets.false_alarm));
            suggest = suggest.max(share_threshold(probabilities, targets.suggest_absent_share));
        }
        let confident = confident.min(1.0);
        out.insert(
            pair,
            Thresholds {
                confident,
                suggest: suggest.min(confident),
            },
        );
    }
    out
}

/// The smallest f32 above `x` (for "strictly above" thresholds used with `>=`).
fn next_up(x: f32) -> f32 {
    if x.is_nan() || x == f32::INFINITY {
        return x;
    }
    let bits = x.to_bits();
    let next = if x == 0.0 {
        1
    } else if x > 0.0 {
        bits + 1
    } else {
        bits - 1
    };
    f32::from_bits(next)
}

/// How the verifier is fitted.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// L2 penalties of the logistic regression to choose from by cross-validation.
    pub l2: Vec<f64>,
    /// Folds of the cross-validation that chooses the penalty and calibrates the thresholds.
    pub folds: usize,
    /// What the thresholds must keep.
    pub targets: Targets,
    /// Candidates of each pool, the best by the reranker first, that the model is fitted
    /// on (the decision is about the top ones; the rest are easy negatives).
    pub rows_per_pool: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            l2: vec![0.1, 1.0, 10.0, 100.0],
            folds: 5,
            targets: Targets {
                confident_precision: 0.97,
                false_alarm: 0.01,
                suggest_absent_share: 0.25,
            },
            rows_per_pool: 10,
        }
    }
}

/// One query's candidates in one pool.
#[derive(Debug, Clone)]
pub struct PoolRun {
    /// The pool condition (an index into the conditions the training ran).
    pub condition: usize,
    /// The answer is in the pool.
    pub answer_present: bool,
    /// The candidates, with the reranker's and the verifier's features.
    pub query: TrainingQuery,
}

/// What cross-validation on the training queries said about the chosen thresholds, per
/// pool condition.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidation {
    /// The L2 penalty chosen.
    pub l2: f64,
    /// Per condition (in the training run's order): queries, confident top matches, and
    /// confident top matches that are right.
    pub conditions: Vec<ConditionCount>,
}

/// Counts of one pool condition in cross-validation.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ConditionCount {
    /// The answer is in the pool.
    pub answer_present: bool,
    /// Queries run.
    pub queries: usize,
    /// Confident top matches.
    pub confident: usize,
    /// Confident top matches that are right.
    pub confident_right: usize,
}

impl CrossValidation {
    /// Recall of confident matches over the pools with the answer (the worst of them).
    pub fn recall(&self) -> f64 {
        self.conditions
            .iter()
            .filter(|c| c.answer_present)
            .map(|c| c.confident_right as f64 / c.queries.max(1) as f64)
            .fold(1.0, f64::min)
    }
}

/// The candidates of a pool run in the reranker's order (best first).
fn by_reranker(reranker: &Reranker, q: &TrainingQuery) -> Vec<usize> {
    let mut order: Vec<(f32, usize)> = q
        .rows
        .iter()
        .enumerate()
        .map(|(i, x)| (reranker.probability(x), i))
        .collect();
    order.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(q.ids.get(a.1).cmp(&q.ids.get(b.1)))
    });
    order.into_iter().map(|(_, i)| i).collect()
}

/// A query's pool runs with each run's candidates in the reranker's order.
struct Ordered<'a> {
    runs: Vec<(&'a PoolRun, Vec<usize>)>,
}

/// The rows the model is fitted on: the best `rows_per_pool` candidates of every pool run.
fn rows_of<'a>(queries: &[&'a Ordered<'a>], rows_per_pool: usize) -> Vec<(&'a [f32], bool)> {
    let mut out = Vec::new();
    for q in queries {
        for (run, order) in &q.runs {
            for &i in order.iter().take(rows_per_pool) {
                out.push((&run.query.pairs[i][..], run.query.relevant[i]));
            }
        }
    }
    out
}

/// The top outcome of every pool run of a query under `model`.
fn outcomes_of(model: &Logistic, q: &Ordered<'_>) -> Vec<TopOutcome> {
    q.runs
        .iter()
        .filter_map(|(run, order)| {
            let &i = order.first()?;
            Some(TopOutcome {
                condition: run.condition,
                answer_present: run.answer_present,
                pair: run.query.pair[i].clone(),
                probability: model.probability(&run.query.pairs[i]),
                correct: run.query.relevant[i],
            })
        })
        .collect()
}

/// Out-of-fold top outcomes with penalty `l2`, the thresholds calibrated on them, and the
/// counts per condition those thresholds give.
fn cross_validate(
    judged: &[Ordered<'_>],
    options: &TrainOptions,
    l2: f64,
    conditions: usize,
) -> (BTreeMap<String, Thresholds>, CrossValidation) {
    let folds = options.folds.max(2);
    let mut tops: Vec<TopOutcome> = Vec::new();
    for fold in 0..folds {
        let train: Vec<&Ordered<'_>> = judged
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, q)| q)
            .collect();
        let model = Logistic::fit(
            &PAIR_FEATURES,
            &rows_of(&train, options.rows_per_pool),
            None,
            l2,
        );
        for (_, q) in judged.iter().enumerate().filter(|(i, _)| i % folds == fold) {
            tops.extend(outcomes_of(&model, q));
        }
    }
    let thresholds = calibrate(&tops, &options.targets);
    let star = thresholds["*"];
    let mut cv = CrossValidation {
        l2,
        conditions: vec![ConditionCount::default(); conditions],
    };
    for o in &tops {
        let c = &mut cv.conditions[o.condition];
        c.answer_present = o.answer_present;
        c.queries += 1;
        if o.probability >= thresholds.get(&o.pair).copied().unwrap_or(star).confident {
            c.confident += 1;
            c.confident_right += usize::from(o.correct);
        }
    }
    (thresholds, cv)
}

/// Fits the verifier on the best candidates of every training query in every pool it ran
/// against (the whole desk and sampled desks of several sizes, each with the answer present
/// and left out, so that the features comparing a candidate with the rest of its pool mean
/// what they mean at any desk size), choosing the L2 penalty that gives the highest
/// confident recall in cross-validation, and calibrates the thresholds on the out-of-fold
/// outcomes. `queries` holds each query's pool runs; queries without a relevant candidate
/// in their first run are skipped. Deterministic.
pub fn train(
    queries: &[Vec<PoolRun>],
    reranker: &Reranker,
    options: &TrainOptions,
) -> (Verifier, CrossValidation) {
    let judged: Vec<Ordered<'_>> = queries
        .iter()
        .filter(|runs| {
            runs.first()
                .is_some_and(|r| r.query.relevant.iter().any(|&y| y))
                && runs
                    .iter()
                    .all(|r| r.query.pairs.len() == r.query.rows.len())
        })
        .map(|runs| Ordered {
            runs: runs
                .iter()
                .map(|r| (r, by_reranker(reranker, &r.query)))
                .collect(),
        })
        .collect();
    let conditions = queries
        .iter()
        .flatten()
        .map(|r| r.condition + 1)
        .max()
        .unwrap_or(0);
    let mut best: Option<(BTreeMap<String, Thresholds>, CrossValidation)> = None;
    for &l2 in &options.l2 {
        let (thresholds, cv) = cross_validate(&judged, options, l2, conditions);
        if best.as_ref().is_none_or(|b| cv.recall() > b.1.recall()) {
            best = Some((thresholds, cv));
        }
    }
    let (thresholds, cv) = best.expect("at least one L2 penalty to try");
    let all: Vec<&Ordered<'_>> = judged.iter().collect();
    let model = Logistic::fit(
        &PAIR_FEATURES,
        &rows_of(&all, options.rows_per_pool),
        None,
        cv.l2,
    );
    let verifier = Verifier {
        model,
        thresholds,
        trained_on: String::new(),
        command: String::new(),
    };
    (verifier, cv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precision_threshold_is_the_lowest_that_keeps_precision() {
        // Sorted: 0.9 ok, 0.8 ok, 0.7 bad, 0.6 ok, 0.5 bad.
        let tops = [
            (0.6, true),
            (0.9, true),
            (0.5, false),
            (0.8, true),
            (0.7, false),
        ];
        assert_eq!(precision_threshold(&tops, 1.0), Some(0.8));
        assert_eq!(precision_threshold(&tops, 0.75), Some(0.6));
        assert_eq!(precision_threshold(&tops, 0.6), Some(0.5));
        assert_eq!(precision_threshold(&[(0.9, false)], 0.5), None);
        // A tie of a right and a wrong answer is taken or left as one.
        assert_eq!(precision_threshold(&[(0.9, true), (0.9, false)], 0.9), None);
    }

    #[test]
    fn calibration_falls_back_to_star_for_small_pairs_and_orders_the_thresholds() {
        let mut outcomes = Vec::new();
        let outcome = |condition, answer_present, pair: &str, probability, correct| TopOutcome {
            condition,
            answer_present,
            pair: pair.into(),
            probability,
            correct,
        };
        for i in 0..100 {
            let p = i as f32 / 100.0;
            // Present: right from 0.41 up. Absent (whole desk): spread over 0.00–0.495.
            // Absent (a small desk): all low but one.
            outcomes.push(outcome(0, true, "en-en", p, p > 0.4));
            outcomes.push(outcome(1, false, "en-en", p / 2.0, false));
            outcomes.push(outcome(
                2,
                false,
                "en-en",
                if i == 0 { 0.9 } else { 0.01 },
                false,
            ));
        }
        outcomes.push(outcome(0, true, "vi-en", 0.99, false));
        let targets = Targets {
            confident_precision: 0.5,
            false_alarm: 0.05,
            suggest_absent_share: 0.25,
        };
        let t = calibrate(&outcomes, &targets);
        assert!(!t.contains_key("vi-en"));
        let en = t["en-en"];
        // Precision 0.5 over the mix alone would allow about 0.3 and up; at most 5 of the
        // 100 whole-desk absent tops (0.475–0.495) may be confident, so 0.47 is not.
        assert!(en.confident > 0.47 && en.confident <= 0.475, "{en:?}");
        // 25 of the 100 absent tops (0.375 and up) stay suggestions, 0.37 does not.
        assert!(en.suggest > 0.37 && en.suggest <= 0.375, "{en:?}");
        let absent_suggested = outcomes
            .iter()
            .filter(|o| o.condition == 1 && o.probability >= en.suggest)
            .count();
        assert_eq!(absent_suggested, 25);
        assert!(t["*"].confident >= en.confident, "{t:?}");
        // A tighter false-alarm target raises the threshold above the small desk's outlier
        // only when it counts more than the share allows.
        let strict = calibrate(
            &outcomes,
            &Targets {
                false_alarm: 0.0,
                ..targets
            },
        );
        assert!(strict["en-en"].confident > 0.9, "{strict:?}");
    }

    #[test]
    fn signals_say_what_is_true_of_the_pair_whatever_the_weights() {
        let mut v = Verifier {
            model: Logistic::untrained(&PAIR_FEATURES),
            thresholds: BTreeMap::new(),
            trained_on: String::new(),
            command: String::new(),
        };
        // A weight that argues against coverage does not turn high coverage into "partial".
        v.model.weights[7] = -1.0;
        let at = |name: &str| PAIR_FEATURES.iter().position(|f| *f == name).unwrap();
        let mut x = [0f32; NUM_PAIR_FEATURES];
        x[at("cosine")] = 0.9;
        x[at("claim_coverage")] = 0.1;
        x[at("number_mismatch")] = 1.0;
        x[at("date_overlap")] = -1.0;
        let s = v.signals(&x);
        assert!(s.contains(&Signal::SameMeaning), "{s:?}");
        assert!(s.contains(&Signal::DifferentNumbers) && s.contains(&Signal::DifferentYear));
        assert!(!s.contains(&Signal::PartialClaim) && !s.contains(&Signal::SameWords));
        x[at("claim_coverage")] = 0.8;
        x[at("cosine")] = 0.75;
        let s = v.signals(&x);
        assert!(s.contains(&Signal::SameWords) && s.contains(&Signal::DifferentMeaning));
        // The feature that moved the probability most comes first.
        v.model.weights[at("date_overlap")] = 5.0;
        assert_eq!(v.signals(&x)[0], Signal::DifferentYear);
    }

    #[test]
    fn strength_needs_the_top_rank_to_be_confident_and_the_config_only_tightens() {
        let mut v = Verifier {
            model: Logistic::untrained(&PAIR_FEATURES),
            thresholds: BTreeMap::from([(
                "*".to_string(),
                Thresholds {
                    confident: 0.9,
                    suggest: 0.5,
                },
            )]),
            trained_on: String::new(),
            command: String::new(),
        };
        assert_eq!(v.strength("en-en", 0, 0.95), Strength::Confident);
        assert_eq!(v.strength("en-en", 1, 0.95), Strength::Suggestion);
        assert_eq!(v.strength("en-en", 0, 0.4), Strength::Nearest);
        v.tighten(Some(0.99), Some(0.2));
        assert_eq!(v.strength("en-en", 0, 0.95), Strength::Suggestion);
        assert_eq!(v.thresholds("vi-vi").suggest, 0.5);
    }
}
