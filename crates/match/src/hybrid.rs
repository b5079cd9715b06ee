//! Hybrid ranking: candidates from the lexical, near-duplicate and dense retrievers, merged,
//! described by features, and ordered by the learned [`Reranker`] (or by a plain fusion, to
//! compare against).
//!
//! Without a model the desk ranks lexically, exactly as [`Matcher::rank`] does.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use claimdesk_core::FactCheckId;
use claimdesk_embed::{Embedder, TextKind, embedding_text};
use serde::Serialize;

use crate::profile::{TextProfile, shared};
use crate::rerank::{FeatureVector, NUM_FEATURES, Reranker, TrainingQuery};
use crate::vector::VectorIndex;
use crate::verify::{NUM_PAIR_FEATURES, PairVector, Strength, Verifier};
use crate::{Error, Explanation, FeatureEffect, LexicalCandidate, Match, Matcher, Result};

/// Candidates taken from each retriever before reranking.
pub const DEFAULT_DEPTH: usize = 50;
/// Reciprocal-rank-fusion constant.
const RRF_K: f32 = 60.0;
/// Weight of the dense side in min-max fusion.
const MINMAX_DENSE_WEIGHT: f32 = 0.85;

/// How candidates are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ranking {
    /// BM25 and near-duplicates only.
    Lexical,
    /// Cosine of the sentence embeddings only.
    Dense,
    /// Reciprocal-rank fusion (k = 60) of the lexical and dense lists.
    Rrf,
    /// Per-query min-max normalized scores, 0.85 dense + 0.15 lexical.
    MinMax,
    /// The learned reranker over all features.
    Reranker,
}

impl FromStr for Ranking {
    type Err = Error;
    fn from_str(s: &str) -> Result<Ranking> {
        Ok(match s {
            "lexical" => Ranking::Lexical,
            "dense" => Ranking::Dense,
            "rrf" => Ranking::Rrf,
            "minmax" => Ranking::MinMax,
            "reranker" => Ranking::Reranker,
            _ => {
                return Err(Error::BadSetting(format!(
                    "ranking `{s}` (expected lexical, dense, rrf, minmax or reranker)"
                )));
            }
        })
    }
}

/// The dense retriever: a model and the vectors of the fact-checks.
pub struct Dense {
    /// The sentence-embedding model.
    pub embedder: Arc<dyn Embedder>,
    /// Fact-check vectors.
    pub index: Box<dyn VectorIndex>,
}

/// The part of a post the model should read: links carry no claim and only add tokens
/// (chosen on CLEF train: dense MAP@5 0.853 with links, 0.856 without; dropping the signature
/// of a copied embedded post as well gave 0.835).
pub fn query_text(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| !claimdesk_text::links::is_link(w))
        .map(strip_link_suffix)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `#Tag https://t.co/x` glued together as `#Taghttps://t.co/x` keeps `#Tag`.
fn strip_link_suffix(word: &str) -> &str {
    match claimdesk_text::links::find_link(word) {
        Some(i) if i > 0 => &word[..i],
        _ => word,
    }
}

/// Which fact-checks a query may be matched against: the whole desk, or (for evaluation)
/// the desk without some of them, or only some of them.
#[derive(Debug, Clone, Copy)]
pub enum Pool<'a> {
    /// Every fact-check.
    All,
    /// Every fact-check but these (sorted).
    Without(&'a [FactCheckId]),
    /// Only these (sorted); every one of them is scored.
    Only(&'a [FactCheckId]),
}

impl Pool<'_> {
    fn allows(&self, id: FactCheckId) -> bool {
        match self {
            Pool::All => true,
            Pool::Without(ids) => ids.binary_search(&id).is_err(),
            Pool::Only(ids) => ids.binary_search(&id).is_ok(),
        }
    }
}

/// One merged candidate with everything known about it.
struct Candidate {
    lexical: LexicalCandidate,
    cosine: Option<f32>,
    raw_cosine: Option<f32>,
    dense_rank: Option<u32>,
    features: FeatureVector,
    pair: PairVector,
}

/// Ranks fact-checks with every retriever that is available.
pub struct HybridMatcher {
    matcher: Matcher,
    dense: Option<Dense>,
    profiles: HashMap<FactCheckId, TextProfile>,
    reranker: Option<Reranker>,
    verifier: Option<Verifier>,
    ranking: Ranking,
    depth: usize,
    /// Evenly spaced fact-checks of each language with enough of them, the largest first.
    language_samples: Vec<(&'static str, Vec<FactCheckId>)>,
    /// Evenly spaced fact-checks of the whole desk: how close a query is to fact-checks in
    /// general, against which a candidate's cosine is measured.
    background: Vec<FactCheckId>,
}

/// Fact-checks a language needs before its cosines are calibrated, and the sample size.
const CALIBRATION_MIN: usize = 20;
const CALIBRATION_SAMPLE: usize = 256;
/// The least spread of a query's background cosines (a desk of near-identical fact-checks
/// would otherwise make every difference huge).
const BACKGROUND_MIN_SPREAD: f32 = 0.01;

impl HybridMatcher {
    /// Combines the lexical matcher with an optional dense retriever and reranker. `facts`
    /// gives each canonical fact-check's text (claim and headline) and stated language.
    /// The ranking defaults to the reranker when both are present, else lexical.
    pub fn new<'a>(
        matcher: Matcher,
        dense: Option<Dense>,
        reranker: Option<Reranker>,
        facts: impl IntoIterator<Item = (FactCheckId, &'a str, Option<&'a str>)>,
    ) -> HybridMatcher {
        let profiles = if dense.is_some() {
            facts
                .into_iter()
                .map(|(id, text, lang)| (id, TextProfile::new(text, lang)))
                .collect()
        } else {
            HashMap::new()
        };
        let ranking = match (&dense, &reranker) {
            (Some(_), Some(_)) => Ranking::Reranker,
            (Some(_), None) => Ranking::MinMax,
            _ => Ranking::Lexical,
        };
        let mut by_language: HashMap<&'static str, Vec<FactCheckId>> = HashMap::new();
        for (id, p) in &profiles {
            if !p.language.is_empty() {
                by_language.entry(p.language).or_default().push(*id);
            }
        }
        let mut language_samples: Vec<(&'static str, Vec<FactCheckId>)> = by_language
            .into_iter()
            .filter(|(_, ids)| ids.len() >= CALIBRATION_MIN)
            .map(|(lang, mut ids)| {
                ids.sort();
                let step = ids.len().div_ceil(CALIBRATION_SAMPLE);
                (lang, ids.into_iter().step_by(step).collect())
            })
            .collect();
        language_samples.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        let mut background: Vec<FactCheckId> = profiles.keys().copied().collect();
        background.sort();
        let step = background.len().div_ceil(CALIBRATION_SAMPLE).max(1);
        let background = background.into_iter().step_by(step).collect();
        // The verifier belongs with the shipped reranker; a desk or a training run may set
        // another with `set_verifier`.
        let verifier = match (&dense, &reranker) {
            (Some(_), Some(_)) => Verifier::builtin().ok(),
            _ => None,
        };
        HybridMatcher {
            language_samples,
            background,
            matcher,
            dense,
            profiles,
            reranker,
            verifier,
            ranking,
            depth: DEFAULT_DEPTH,
        }
    }

    /// Chooses the ranking; those that need the model or the reranker are refused without it.
    pub fn set_ranking(&mut self, ranking: Ranking) -> Result<()> {
        let needs_dense = ranking != Ranking::Lexical;
        if needs_dense && self.dense.is_none() {
            return Err(Error::BadSetting(format!(
                "ranking {ranking:?} needs the semantic model, which is not loaded"
            )));
        }
        if ranking == Ranking::Reranker && self.reranker.is_none() {
            return Err(Error::BadSetting(
                "ranking Reranker needs a reranker file".into(),
            ));
        }
        self.ranking = ranking;
        Ok(())
    }

    /// The ranking in use.
    pub fn ranking(&self) -> Ranking {
        self.ranking
    }

    /// The lexical matcher.
    pub fn lexical(&mut self) -> &mut Matcher {
        &mut self.matcher
    }

    /// The reranker, when loaded.
    pub fn reranker(&self) -> Option<&Reranker> {
        self.reranker.as_ref()
    }

    /// The match verifier, when loaded.
    pub fn verifier(&self) -> Option<&Verifier> {
        self.verifier.as_ref()
    }

    /// Replaces the match verifier (`None`: no match is ever confident).
    pub fn set_verifier(&mut self, verifier: Option<Verifier>) {
        self.verifier = verifier;
    }

    /// The retrievers and stages that run, for reports (`lexical`, `near-duplicate`,
    /// `dense (model, index)`, `reranker`).
    pub fn retrievers(&self) -> Vec<String> {
        let mut out = vec!["lexical".to_string(), "near-duplicate".to_string()];
        if self.ranking != Ranking::Lexical
            && let Some(d) = &self.dense
        {
            out.push(format!(
                "dense ({}, {} index)",
                d.embedder.model_id(),
                d.index.name()
            ));
            out.push(
                match self.ranking {
                    Ranking::Reranker => "learned reranker",
                    Ranking::Rrf => "reciprocal-rank fusion",
                    Ranking::MinMax => "min-max fusion",
                    _ => "dense only",
                }
                .to_string(),
            );
        }
        out
    }

    /// The model dense retrieval embeds with (`None` when dense retrieval is off), for the
    /// parts of the desk that read the same embeddings (check-worthiness, narratives).
    pub fn embedder(&self) -> Option<Arc<dyn Embedder>> {
        self.dense
            .as_ref()
            .filter(|_| self.ranking != Ranking::Lexical)
            .map(|d| Arc::clone(&d.embedder))
    }

    /// Embeds query texts in one batch (`None` when dense retrieval is off).
    pub fn embed_queries(&self, texts: &[&str]) -> Result<Option<Vec<Vec<f32>>>> {
        let Some(dense) = self
            .dense
            .as_ref()
            .filter(|_| self.ranking != Ranking::Lexical)
        else {
            return Ok(None);
        };
        let prepared: Vec<String> = texts
            .iter()
            .map(|t| embedding_text(&query_text(t)))
            .collect();
        let refs: Vec<&str> = prepared.iter().map(String::as_str).collect();
        dense
            .embedder
            .embed(&refs, TextKind::Query)
            .map(Some)
            .map_err(|e| Error::Index(e.to_string()))
    }

    /// The best `k` fact-checks for `text`, best first.
    pub fn rank(&self, text: &str, k: usize, explain: bool) -> Result<Vec<Match>> {
        let vector = self.embed_queries(&[text])?.map(|mut v| v.remove(0));
        self.rank_with(text, vector.as_deref(), k, explain)
    }

    /// [`HybridMatcher::rank`] for many texts: embedded in one batch, then ranked on every
    /// core; the results are in the order of `texts`, and each is what `rank` gives.
    pub fn rank_many(&self, texts: &[&str], k: usize, explain: bool) -> Result<Vec<Vec<Match>>> {
        let vectors = self.embed_queries(texts)?;
        let vector = |i: usize| vectors.as_ref().map(|v| v[i].as_slice());
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(texts.len())
            .max(1);
        if threads == 1 {
            return (0..texts.len())
                .map(|i| self.rank_with(texts[i], vector(i), k, explain))
                .collect();
        }
        let share = texts.len().div_ceil(threads);
        let vector = &vector;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..texts.len())
                .step_by(share)
                .map(|start| {
                    let end = (start + share).min(texts.len());
                    scope.spawn(move || {
                        (start..end)
                            .map(|i| self.rank_with(texts[i], vector(i), k, explain))
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(texts.len());
            for handle in handles {
                out.extend(handle.join().expect("a ranking thread panicked")?);
            }
            Ok(out)
        })
    }

    /// As [`HybridMatcher::rank`], with the query's vector already computed.
    pub fn rank_with(
        &self,
        text: &str,
        vector: Option<&[f32]>,
        k: usize,
        explain: bool,
    ) -> Result<Vec<Match>> {
        self.rank_in(text, vector, k, explain, Pool::All)
    }

    /// As [`HybridMatcher::rank_with`], against only the fact-checks `pool` allows (how the
    /// evaluation asks what a desk without the answer, or a smaller desk, would say). The
    /// lexical-only ranking always uses the whole desk.
    pub fn rank_in(
        &self,
        text: &str,
        vector: Option<&[f32]>,
        k: usize,
        explain: bool,
        pool: Pool<'_>,
    ) -> Result<Vec<Match>> {
        let (Some(vector), true) = (vector, self.ranking != Ranking::Lexical) else {
            return self.matcher.rank(text, k, explain);
        };
        let (candidates, query) = self.candidates(text, vector, pool);
        let mut scored: Vec<(f32, Candidate)> = candidates
            .into_iter()
            .map(|c| (self.score(&c), c))
            .collect();
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(a.1.lexical.fact_check.cmp(&b.1.lexical.fact_check))
        });
        scored.truncate(k);
        let ids: Vec<FactCheckId> = scored.iter().map(|(_, c)| c.lexical.fact_check).collect();
        let terms = if explain {
            self.matcher.explain_terms(text, &ids)?
        } else {
            vec![Vec::new(); ids.len()]
        };
        let mut out = Vec::with_capacity(scored.len());
        for (rank, ((score, c), terms)) in scored.into_iter().zip(terms).enumerate() {
            let mut retrievers: Vec<std::borrow::Cow<'static, str>> = Vec::new();
            if c.lexical.rank.is_some() {
                retrievers.push(if c.lexical.lexical > 0.0 {
                    "lexical".into()
                } else {
                    "near-duplicate".into()
                });
            }
            if c.dense_rank.is_some() {
                retrievers.push("dense".into());
            }
            let fc_lang = self
                .profiles
                .get(&c.lexical.fact_check)
                .map_or("", |p| p.language);
            let pair = format!("{}-{}", query.language, fc_lang);
            let (probability, strength, signals) = match &self.verifier {
                Some(v) => {
                    let p = v.probability(&c.pair);
                    let signals = if explain {
                        v.signals(&c.pair)
                    } else {
                        Vec::new()
                    };
                    (Some(p), Some(v.strength(&pair, rank, p)), signals)
                }
                None => (None, None, Vec::new()),
            };
            let features = match (&self.reranker, self.ranking) {
                (Some(r), Ranking::Reranker) => r
                    .effects(&c.features)
                    .into_iter()
                    .take(5)
                    .map(|(name, value, effect)| FeatureEffect {
                        name: name.into(),
                        value,
                        effect,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            out.push(Match {
                fact_check: c.lexical.fact_check,
                score,
                explanation: Explanation {
                    lexical: c.lexical.lexical,
                    near_duplicate_distance: c.lexical.near_duplicate_distance,
                    near_duplicate: c.lexical.score - c.lexical.lexical,
                    terms,
                    cosine: c.cosine,
                    retrievers,
                    features,
                    confident: strength == Some(Strength::Confident),
                    probability,
                    strength,
                    signals,
                },
            });
        }
        Ok(out)
    }

    /// The candidates of one query as reranker training data.
    pub fn training_query(
        &self,
        text: &str,
        vector: &[f32],
        relevant: &dyn Fn(FactCheckId) -> bool,
    ) -> TrainingQuery {
        self.training_query_in(text, vector, relevant, Pool::All)
    }

    /// The candidates of one query within `pool` (how the verifier learns what a desk
    /// without the answer, or a smaller desk, looks like).
    pub fn training_query_in(
        &self,
        text: &str,
        vector: &[f32],
        relevant: &dyn Fn(FactCheckId) -> bool,
        pool: Pool<'_>,
    ) -> TrainingQuery {
        let (candidates, query) = self.candidates(text, vector, pool);
        let pair = candidates
            .iter()
            .map(|c| {
                let fc_lang = self
                    .profiles
                    .get(&c.lexical.fact_check)
                    .map_or("", |p| p.language);
                format!("{}-{}", query.language, fc_lang)
            })
            .collect();
        TrainingQuery {
            relevant: candidates
                .iter()
                .map(|c| relevant(c.lexical.fact_check))
                .collect(),
            ids: candidates.iter().map(|c| c.lexical.fact_check).collect(),
            pairs: candidates.iter().map(|c| c.pair).collect(),
            rows: candidates.into_iter().map(|c| c.features).collect(),
            pair,
        }
    }

    fn score(&self, c: &Candidate) -> f32 {
        let f = &c.features;
        match self.ranking {
            Ranking::Lexical => c.lexical.score,
            Ranking::Dense => c.cosine.unwrap_or(-1.0),
            Ranking::Rrf => {
                let rr = |r: Option<u32>| r.map_or(0.0, |r| 1.0 / (RRF_K + r as f32 + 1.0));
                rr(c.lexical.rank) + rr(c.dense_rank)
            }
            Ranking::MinMax => f[18],
            Ranking::Reranker => self.reranker.as_ref().map_or(f[18], |r| r.probability(f)),
        }
    }

    /// Per fact-check language other than the reference (the language most fact-checks are
    /// in): `(language, a, b)` such that `a·cos + b` maps a cosine against that language's
    /// fact-checks onto the reference language's scale for this query (matching the mean and
    /// spread of the query's cosines to a sample of each). Multilingual models score
    /// same-language pairs higher; this keeps a Vietnamese post's English fact-check in reach.
    fn language_calibration(&self, vector: &[f32]) -> Vec<(&'static str, f32, f32)> {
        let Some(dense) = &self.dense else {
            return Vec::new();
        };
        let Some(reference) = self.language_samples.first() else {
            return Vec::new();
        };
        let moments = |ids: &[FactCheckId]| {
            let v: Vec<f32> = ids
                .iter()
                .filter_map(|&id| dense.index.similarity(vector, id))
                .collect();
            let n = v.len().max(1) as f32;
            let mean = v.iter().sum::<f32>() / n;
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n;
            (mean, var.sqrt().max(1e-4))
        };
        let (ref_mean, ref_sd) = moments(&reference.1);
        self.language_samples[1..]
            .iter()
            .map(|(lang, ids)| {
                let (mean, sd) = moments(ids);
                let a = ref_sd / sd;
                (*lang, a, ref_mean - a * mean)
            })
            .collect()
    }

    /// The mean and spread of the query's raw cosines to the desk's background sample
    /// (`None` without fact-checks).
    fn background_moments(&self, vector: &[f32]) -> Option<(f32, f32)> {
        let dense = self.dense.as_ref()?;
        let v: Vec<f32> = self
            .background
            .iter()
            .filter_map(|&id| dense.index.similarity(vector, id))
            .collect();
        if v.is_empty() {
            return None;
        }
        let n = v.len() as f32;
        let mean = v.iter().sum::<f32>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n;
        Some((mean, var.sqrt().max(BACKGROUND_MIN_SPREAD)))
    }

    /// Merges the lexical and dense candidates of a query (within `pool`) and computes their
    /// features.
    fn candidates(
        &self,
        text: &str,
        vector: &[f32],
        pool: Pool<'_>,
    ) -> (Vec<Candidate>, TextProfile) {
        let dense = self.dense.as_ref().expect("dense retrieval is on");
        let calibration = self.language_calibration(vector);
        let calibrate = |id: FactCheckId, cos: f32| {
            let lang = self.profiles.get(&id).map_or("", |p| p.language);
            calibration
                .iter()
                .find(|c| c.0 == lang)
                .map_or(cos, |c| c.1 * cos + c.2)
        };
        // Over-fetch, then rank by the calibrated cosine so a minority language's fact-checks
        // are neither favoured nor buried by the model's same-language bias.
        let raw_hits: Vec<(FactCheckId, f32)> = match pool {
            Pool::All => dense.index.search(vector, self.depth * 4),
            Pool::Without(ids) => dense
                .index
                .search(vector, self.depth * 4 + ids.len())
                .into_iter()
                .filter(|h| pool.allows(h.0))
                .collect(),
            Pool::Only(ids) => ids
                .iter()
                .filter_map(|&id| dense.index.similarity(vector, id).map(|c| (id, c)))
                .collect(),
        };
        let mut dense_hits: Vec<(FactCheckId, f32, f32)> = raw_hits
            .into_iter()
            .map(|(id, cos)| (id, calibrate(id, cos), cos))
            .collect();
        dense_hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        dense_hits.truncate(self.depth);
        let dense_ids: Vec<FactCheckId> = dense_hits.iter().map(|h| h.0).collect();
        let lexical = match pool {
            Pool::All => self.matcher.candidates(text, self.depth, &dense_ids),
            Pool::Without(ids) => self
                .matcher
                .candidates(text, self.depth + ids.len(), &dense_ids),
            Pool::Only(ids) => self.matcher.candidates(text, 0, ids),
        };
        let lexical = within_pool(lexical, pool, self.depth, &dense_ids);
        let query = TextProfile::new(text, None);
        let mut candidates: Vec<Candidate> = lexical
            .into_iter()
            .map(|l| {
                let dense_rank = dense_ids
                    .iter()
                    .position(|&d| d == l.fact_check)
                    .map(|r| r as u32);
                let (cosine, raw_cosine) = match dense_rank {
                    Some(r) => (
                        Some(dense_hits[r as usize].1),
                        Some(dense_hits[r as usize].2),
                    ),
                    None => {
                        let raw = dense.index.similarity(vector, l.fact_check);
                        (raw.map(|c| calibrate(l.fact_check, c)), raw)
                    }
                };
                Candidate {
                    lexical: l,
                    cosine,
                    raw_cosine,
                    dense_rank,
                    features: [0.0; NUM_FEATURES],
                    pair: [0.0; NUM_PAIR_FEATURES],
                }
            })
            .collect();
        let max_of =
            |f: &dyn Fn(&Candidate) -> f32| candidates.iter().map(f).fold(f32::MIN, f32::max);
        let min_of =
            |f: &dyn Fn(&Candidate) -> f32| candidates.iter().map(f).fold(f32::MAX, f32::min);
        let cos = |c: &Candidate| c.cosine.unwrap_or(0.0);
        let (best_cos, worst_cos) = (max_of(&cos), min_of(&cos));
        let best_score = max_of(&|c| c.lexical.score).max(1e-6);
        let worst_score = min_of(&|c| c.lexical.score);
        let best_group: Vec<f32> = (0..3)
            .map(|g| max_of(&|c| c.lexical.groups[g]).max(1e-6))
            .collect();
        let unit = |v: f32, lo: f32, hi: f32| {
            if hi - lo > 1e-9 {
                (v - lo) / (hi - lo)
            } else {
                1.0
            }
        };
        let empty = TextProfile::default();
        for c in &mut candidates {
            let p = self.profiles.get(&c.lexical.fact_check).unwrap_or(&empty);
            let cosine = c.cosine.unwrap_or(0.0);
            let lexical_share = c.lexical.score / best_score;
            let overlap = shared(&query.terms, &p.terms) as f32;
            let union = (query.terms.len() + p.terms.len()) as f32 - overlap;
            let numbers = shared(&query.numbers, &p.numbers) as f32;
            let years = shared(&query.years, &p.years);
            let f = &mut c.features;
            f[0] = cosine;
            f[1] = cosine - best_cos;
            f[2] = c.dense_rank.map_or(0.0, |r| 1.0 / (r as f32 + 1.0));
            f[3] = lexical_share;
            f[4] = c.lexical.lexical.ln_1p();
            for g in 0..3 {
                f[5 + g] = c.lexical.groups[g] / best_group[g];
            }
            f[8] = c.lexical.rank.map_or(0.0, |r| 1.0 / (r as f32 + 1.0));
            f[9] = c
                .lexical
                .near_duplicate_distance
                .map_or(0.0, |d| 1.0 - d as f32 / 65.0);
            f[10] = if query.terms.is_empty() {
                0.0
            } else {
                overlap / query.terms.len() as f32
            };
            f[11] = if union > 0.0 { overlap / union } else { 0.0 };
            f[12] = if query.numbers.is_empty() {
                0.0
            } else {
                numbers / query.numbers.len() as f32
            };
            f[13] = f32::from(!query.numbers.is_empty() && !p.numbers.is_empty() && numbers == 0.0);
            f[14] = if query.names.is_empty() {
                0.0
            } else {
                shared(&query.names, &p.terms_and_names()) as f32 / query.names.len() as f32
            };
            f[15] = match (query.years.is_empty() || p.years.is_empty(), years > 0) {
                (true, _) => 0.0,
                (false, true) => 1.0,
                (false, false) => -1.0,
            };
            f[16] = ((1.0 + query.length as f32) / (1.0 + p.length as f32))
                .ln()
                .abs();
            f[17] = f32::from(!query.language.is_empty() && query.language == p.language);
            f[18] = MINMAX_DENSE_WEIGHT * unit(cosine, worst_cos, best_cos)
                + (1.0 - MINMAX_DENSE_WEIGHT) * unit(c.lexical.score, worst_score, best_score);
            f[19] = cosine * lexical_share;
            let raw = c.raw_cosine.unwrap_or(0.0);
            let coverage = if p.terms.is_empty() {
                0.0
            } else {
                overlap / p.terms.len() as f32
            };
            let fc_names = p.names.len();
            let g = &mut c.pair;
            g[0] = raw;
            g[1] = c.lexical.lexical.ln_1p();
            for k in 0..3 {
                g[2 + k] = c.lexical.groups[k].ln_1p();
            }
            g[5] = c.features[9];
            g[6] = c.features[10];
            g[7] = coverage;
            g[8] = c.features[11];
            g[9] = c.features[12];
            g[10] = c.features[13];
            g[11] = c.features[14];
            g[12] = if fc_names == 0 {
                0.0
            } else {
                1.0 - shared(&p.names, &query.terms_and_names()) as f32 / fc_names as f32
            };
            g[13] = c.features[15];
            g[14] = c.features[16];
            g[15] = c.features[17];
            g[16] = raw * coverage;
        }
        let background = self.background_moments(vector);
        context_features(&mut candidates, background);
        (candidates, query)
    }
}

/// The features that compare each candidate with the others of the same pool (its margin
/// over the best other candidate by raw cosine and by lexical evidence, and that best other
/// cosine) and with the desk's background (how far its cosine stands above the query's
/// mean cosine to the desk, in spreads). The first three mean something else in a small
/// pool than in a large one, so the verifier that reads them is trained on pools of many
/// sizes, with the answer present and left out (`verify::train`).
fn context_features(candidates: &mut [Candidate], background: Option<(f32, f32)>) {
    // The best and second-best value of a feature, so each candidate's best *other* is one
    // of the two.
    let top2 = |f: &dyn Fn(&Candidate) -> f32| {
        let (mut a, mut b) = (f32::MIN, f32::MIN);
        for c in candidates.iter() {
            let v = f(c);
            if v > a {
                b = a;
                a = v;
            } else if v > b {
                b = v;
            }
        }
        (a, b)
    };
    let (cos1, cos2) = top2(&|c| c.pair[0]);
    let (lex1, lex2) = top2(&|c| c.pair[1]);
    let alone = candidates.len() < 2;
    for c in candidates.iter_mut() {
        let g = &mut c.pair;
        let other_cos = if alone {
            0.0
        } else if g[0] >= cos1 {
            cos2
        } else {
            cos1
        };
        let other_lex = if alone {
            0.0
        } else if g[1] >= lex1 {
            lex2
        } else {
            lex1
        };
        g[17] = g[0] - other_cos;
        g[18] = g[1] - other_lex;
        g[19] = other_cos;
        g[20] = background.map_or(0.0, |(mean, spread)| (g[0] - mean) / spread);
    }
}

/// The lexical candidates of a pool: the first `depth` ranked ones the pool allows (ranks
/// renumbered), then the dense candidates' entries, in the order `candidates` gave them.
fn within_pool(
    lexical: Vec<LexicalCandidate>,
    pool: Pool<'_>,
    depth: usize,
    dense_ids: &[FactCheckId],
) -> Vec<LexicalCandidate> {
    if matches!(pool, Pool::All) {
        return lexical;
    }
    let mut kept: Vec<LexicalCandidate> = lexical
        .into_iter()
        .filter(|c| pool.allows(c.fact_check))
        .collect();
    // Rank what the pool holds by its lexical evidence, as its own index would.
    let mut ranked: Vec<usize> = (0..kept.len()).filter(|&i| kept[i].score > 0.0).collect();
    ranked.sort_by(|&a, &b| {
        kept[b]
            .score
            .total_cmp(&kept[a].score)
            .then(kept[a].fact_check.cmp(&kept[b].fact_check))
    });
    ranked.truncate(depth);
    for c in &mut kept {
        c.rank = None;
    }
    for (r, &i) in ranked.iter().enumerate() {
        kept[i].rank = Some(r as u32);
    }
    kept.retain(|c| c.rank.is_some() || dense_ids.contains(&c.fact_check));
    kept.sort_by_key(|c| c.rank.unwrap_or(u32::MAX));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, cosine: f32, lexical_log: f32) -> Candidate {
        let mut pair = [0.0; NUM_PAIR_FEATURES];
        pair[0] = cosine;
        pair[1] = lexical_log;
        Candidate {
            lexical: LexicalCandidate {
                fact_check: FactCheckId(id),
                score: 0.0,
                lexical: 0.0,
                groups: [0.0; 3],
                near_duplicate_distance: None,
                rank: None,
            },
            cosine: Some(cosine),
            raw_cosine: Some(cosine),
            dense_rank: None,
            features: [0.0; NUM_FEATURES],
            pair,
        }
    }

    #[test]
    fn context_features_compare_each_candidate_with_the_best_other_and_the_background() {
        let mut c = vec![
            candidate(1, 0.90, 2.0),
            candidate(2, 0.85, 3.0),
            candidate(3, 0.80, 1.0),
        ];
        context_features(&mut c, Some((0.80, 0.02)));
        let at = |i: usize, name: &str| {
            c[i].pair[crate::verify::PAIR_FEATURES
                .iter()
                .position(|f| *f == name)
                .unwrap()]
        };
        // The best candidate's margin is over the runner-up; the others' over the best.
        assert!((at(0, "cosine_margin") - 0.05).abs() < 1e-6);
        assert!((at(1, "cosine_margin") + 0.05).abs() < 1e-6);
        assert!((at(0, "runner_up_cosine") - 0.85).abs() < 1e-6);
        assert!((at(2, "runner_up_cosine") - 0.90).abs() < 1e-6);
        assert!((at(1, "lexical_margin") - 1.0).abs() < 1e-6);
        assert!((at(0, "lexical_margin") + 1.0).abs() < 1e-6);
        assert!((at(0, "cosine_background_z") - 5.0).abs() < 1e-4);
        // A lone candidate is measured against nothing; no background gives 0.
        let mut alone = vec![candidate(1, 0.9, 2.0)];
        context_features(&mut alone, None);
        assert!((alone[0].pair[17] - 0.9).abs() < 1e-6 && alone[0].pair[20] == 0.0);
    }

    #[test]
    fn links_are_not_embedded() {
        let t = "Butterflies drink from a wombat hole. Footage pic.twitter.com/0eJtwJyS1J — Center (@Bio) January 14, 2020";
        assert_eq!(
            query_text(t),
            "Butterflies drink from a wombat hole. Footage — Center (@Bio) January 14, 2020"
        );
        assert_eq!(
            query_text("CBC bias #DefundTheCBChttps://t.co/CsHG8R9cHp"),
            "CBC bias #DefundTheCBC"
        );
        assert_eq!(query_text("see www.example.org now"), "see now");
    }
}
