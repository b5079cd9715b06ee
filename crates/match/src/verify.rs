//! The match verifier: decides whether a ranked fact-check *answers* the post, or is only the
//! nearest one the desk holds.
//!
//! The reranker orders candidates, and its features compare each candidate with the others
//! of the same query (gaps to the best, reciprocal ranks): on a pool that always holds the
//! answer, being the nearest is strong evidence, so its probability cannot say "no match".
//! The verifier reads only what a (post, fact-check) pair shows by itself — absolute
//! similarity, agreement between the lexical and the dense evidence, shared numbers, names
//! and years, how much of the fact-check's claim the post covers — so its probability means
//! the same at any pool size. It is trained (`bench/train-reranker`) on CLEF train with every
//! non-answer candidate as a negative, which includes each query's nearest candidates once
//! its answer is left out, and its two thresholds are chosen by cross-validation over queries
//! whose answer is present *and* absent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::logistic::Logistic;
use crate::rerank::{Reranker, TrainingQuery};
use crate::{Error, Result};

/// Names of the verifier's features, in the order of every pair vector.
pub const PAIR_FEATURES: [&str; 17] = [
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
];

/// Number of verifier features.
pub const NUM_PAIR_FEATURES: usize = PAIR_FEATURES.len();

/// The verifier's description of one (post, fact-check) pair.
pub type PairVector = [f32; NUM_PAIR_FEATURES];

/// Language pairs with fewer training queries than this use the `*` thresholds.
pub const MIN_PAIR_QUERIES: usize = 30;

/// How strongly a ranked fact-check answers the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Nothing above the suggestion threshold: the nearest fact-check, not a match.
    Nearest,
    /// Above the suggestion threshold: worth a person's look.
    Suggestion,
    /// The top match, above the confident threshold: safe to link.
    Confident,
}

impl Strength {
    /// The stable name (`nearest`, `suggestion`, `confident`).
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Nearest => "nearest",
            Strength::Suggestion => "suggestion",
            Strength::Confident => "confident",
        }
    }
}

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

/// One thing a (post, fact-check) pair shows, as an editor would say it; the server words it
/// in the desk's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// The meaning is close although the words differ ("says the same thing in other words").
    SameMeaning,
    /// Much of the wording is shared.
    SameWords,
    /// Nearly the same text, copied.
    NearCopy,
    /// The numbers in the post are the fact-check's.
    SameNumbers,
    /// Both give numbers, and none of them agree.
    DifferentNumbers,
    /// They name the same people, places or bodies.
    SharedNames,
    /// They give the same year.
    SameYear,
    /// They give different years.
    DifferentYear,
    /// The meaning is not close.
    DifferentMeaning,
    /// The post covers only part of the fact-check's claim.
    PartialClaim,
}

impl Signal {
    /// The stable code (`same_meaning`, `different_year`, …), used as the catalog key.
    pub fn code(self) -> &'static str {
        match self {
            Signal::SameMeaning => "same_meaning",
            Signal::SameWords => "same_words",
            Signal::NearCopy => "near_copy",
            Signal::SameNumbers => "same_numbers",
            Signal::DifferentNumbers => "different_numbers",
            Signal::SharedNames => "shared_names",
            Signal::SameYear => "same_year",
            Signal::DifferentYear => "different_year",
            Signal::DifferentMeaning => "different_meaning",
            Signal::PartialClaim => "partial_claim",
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

/// The top candidate of one query, as calibration sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TopOutcome {
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

/// Chooses the thresholds per language pair from out-of-fold top outcomes of queries with
/// their answer present and absent: *confident* is the lowest probability at which top
/// matches keep `confident_precision` over both; *suggest* the lowest at which no more than
/// `suggest_absent_share` of the top matches of queries *without* their answer would still
/// be suggested (never above *confident*). Pairs with fewer than [`MIN_PAIR_QUERIES`]
/// outcomes get no thresholds of their own.
pub fn calibrate(
    outcomes: &[TopOutcome],
    confident_precision: f64,
    suggest_absent_share: f64,
) -> BTreeMap<String, Thresholds> {
    let mut by_pair: BTreeMap<String, Vec<&TopOutcome>> = BTreeMap::new();
    for o in outcomes {
        for key in [o.pair.as_str(), "*"] {
            by_pair.entry(key.to_string()).or_default().push(o);
        }
    }
    let mut out = BTreeMap::new();
    for (pair, tops) in by_pair {
        if tops.len() < MIN_PAIR_QUERIES && pair != "*" {
            continue;
        }
        let scored: Vec<(f32, bool)> = tops.iter().map(|o| (o.probability, o.correct)).collect();
        let confident = precision_threshold(&scored, confident_precision).unwrap_or(1.0);
        let mut absent: Vec<f32> = tops
            .iter()
            .filter(|o| !o.answer_present)
            .map(|o| o.probability)
            .collect();
        absent.sort_by(|a, b| b.total_cmp(a));
        // The highest absent probabilities, `share` of them, stay suggestions; the next one
        // down (and everything below it) is only the nearest.
        let allowed = (absent.len() as f64 * suggest_absent_share).floor() as usize;
        let suggest = match absent.get(allowed) {
            Some(p) => next_up(*p),
            None => 0.0,
        }
        .min(confident);
        out.insert(pair, Thresholds { confident, suggest });
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
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// L2 penalty of the logistic regression.
    pub l2: f64,
    /// Folds of the cross-validation that calibrates the thresholds.
    pub folds: usize,
    /// Precision the confident top matches keep over present- and absent-answer queries.
    pub confident_precision: f64,
    /// Share of the queries without their answer whose top match may still be suggested.
    pub suggest_absent_share: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            l2: 1.0,
            folds: 5,
            confident_precision: 0.97,
            suggest_absent_share: 0.25,
        }
    }
}

/// What cross-validation on the training queries said about the chosen thresholds (`*`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossValidation {
    /// Queries with a relevant candidate.
    pub queries: usize,
    /// With the answer present: confident top matches.
    pub confident: usize,
    /// With the answer present: confident top matches that are right.
    pub confident_right: usize,
    /// With the answer left out: confident top matches (every one a false alarm).
    pub false_alarms: usize,
}

/// The rows of the queries in `fold` (or all but it) for fitting: every candidate's pair
/// vector, labelled by relevance.
fn rows_of<'a>(queries: &'a [&'a TrainingQuery]) -> Vec<(&'a [f32], bool)> {
    queries
        .iter()
        .flat_map(|q| {
            q.pairs
                .iter()
                .map(|p| &p[..])
                .zip(q.relevant.iter().copied())
        })
        .collect()
}

/// The top candidate of a query by the reranker's order, among the candidates `keep` allows.
fn top_by(reranker: &Reranker, q: &TrainingQuery, keep: &dyn Fn(usize) -> bool) -> Option<usize> {
    (0..q.rows.len())
        .filter(|&i| keep(i))
        .map(|i| (reranker.probability(&q.rows[i]), i))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, i)| i)
}

/// Both outcomes of one query under `model`: the top candidate with the answer present, and
/// with every relevant candidate left out.
fn outcomes_of(
    model: &Logistic,
    reranker: &Reranker,
    q: &TrainingQuery,
) -> [Option<TopOutcome>; 2] {
    let outcome = |answer_present: bool| {
        move |i: usize| TopOutcome {
            answer_present,
            pair: q.pair[i].clone(),
            probability: model.probability(&q.pairs[i]),
            correct: q.relevant[i],
        }
    };
    [
        top_by(reranker, q, &|_| true).map(outcome(true)),
        top_by(reranker, q, &|i| !q.relevant[i]).map(outcome(false)),
    ]
}

/// Fits the verifier on every candidate of the training queries (the answer against all
/// others, so each query's nearest non-answers are its hardest negatives) and calibrates its
/// thresholds on out-of-fold outcomes of the same queries with the answer present and left
/// out. Queries without a relevant candidate are skipped. Deterministic.
pub fn train(
    queries: &[TrainingQuery],
    reranker: &Reranker,
    options: &TrainOptions,
) -> (Verifier, CrossValidation) {
    let judged: Vec<&TrainingQuery> = queries
        .iter()
        .filter(|q| q.relevant.iter().any(|&r| r) && q.pairs.len() == q.rows.len())
        .collect();
    let folds = options.folds.max(2);
    let mut outcomes: Vec<[Option<TopOutcome>; 2]> = Vec::new();
    for fold in 0..folds {
        let train: Vec<&TrainingQuery> = judged
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, q)| *q)
            .collect();
        let model = Logistic::fit(&PAIR_FEATURES, &rows_of(&train), None, options.l2);
        for (_, q) in judged.iter().enumerate().filter(|(i, _)| i % folds == fold) {
            outcomes.push(outcomes_of(&model, reranker, q));
        }
    }
    let tops: Vec<TopOutcome> = outcomes.iter().flatten().flatten().cloned().collect();
    let thresholds = calibrate(
        &tops,
        options.confident_precision,
        options.suggest_absent_share,
    );
    let star = thresholds["*"];
    let mut cv = CrossValidation {
        queries: judged.len(),
        confident: 0,
        confident_right: 0,
        false_alarms: 0,
    };
    let confident = |o: &TopOutcome| {
        o.probability >= thresholds.get(&o.pair).copied().unwrap_or(star).confident
    };
    for [present, absent] in &outcomes {
        if let Some(o) = present.as_ref().filter(|o| confident(o)) {
            cv.confident += 1;
            cv.confident_right += usize::from(o.correct);
        }
        cv.false_alarms += usize::from(absent.as_ref().is_some_and(confident));
    }
    let model = Logistic::fit(&PAIR_FEATURES, &rows_of(&judged), None, options.l2);
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
        for i in 0..100 {
            let p = i as f32 / 100.0;
            // Present: right from 0.41 up. Absent: spread over 0.00–0.495.
            outcomes.push(TopOutcome {
                answer_present: true,
                pair: "en-en".into(),
                probability: p,
                correct: p > 0.4,
            });
            outcomes.push(TopOutcome {
                answer_present: false,
                pair: "en-en".into(),
                probability: p / 2.0,
                correct: false,
            });
        }
        outcomes.push(TopOutcome {
            answer_present: true,
            pair: "vi-en".into(),
            probability: 0.99,
            correct: false,
        });
        let t = calibrate(&outcomes, 0.97, 0.25);
        assert!(!t.contains_key("vi-en"));
        let en = t["en-en"];
        // Above 0.41 only right answers and few absent ones (0.415–0.495: 17 of 100) mix in.
        assert!(en.confident > 0.41 && en.confident < 0.5, "{en:?}");
        // 25 of the 100 absent tops (0.375 and up) stay suggestions, 0.37 does not.
        assert!(en.suggest > 0.37 && en.suggest <= 0.375, "{en:?}");
        let absent_suggested = outcomes
            .iter()
            .filter(|o| !o.answer_present && o.pair == "en-en" && o.probability >= en.suggest)
            .count();
        assert_eq!(absent_suggested, 25);
        assert!(t["*"].confident >= en.confident, "{t:?}");
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
