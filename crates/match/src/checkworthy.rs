//! Check-worthiness: how much a sentence or post states a fact worth checking, as a score in
//! [0, 1] for ranking what the desk reads first.
//!
//! Two logistic regressions, both trained on the CLEF 2020 CheckThat! Task 1 *train* split
//! (English tweets) by `claimdesk train-detector` and shipped as `detector.json` beside this
//! file with the command that made it:
//! - **with the model**: the hand-written [`ClaimCues`] plus the multilingual-e5-small
//!   embedding of the text (`query: ` side), so Vietnamese text is scored through the same
//!   multilingual space the English tweets taught;
//! - **without it** (no model file): the cues alone. Each cue has Vietnamese and English
//!   words, so the English-trained weights carry over.
//!
//! A cue's weight is held to the sign it was written with ([`CUE_SIGNS`]): a number or an
//! institution never lowers the score, a greeting never raises it, whatever quirks the
//! English training tweets have.
//!
//! Settings (L2 strength, cue boost) are chosen by stratified cross-validation on the training
//! split only; the held-out split is for reporting.

use serde::{Deserialize, Serialize};

use claimdesk_embed::{Embedder, TextKind};
use claimdesk_text::{CUE_NAMES, CUE_SIGNS, ClaimCues, NUM_CUES, Sentence, sentences};

use crate::metrics::{average_precision, precision_at};
use crate::{Error, Result};

/// Which features a linear model reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inputs {
    /// The hand-written cues only.
    Cues,
    /// The sentence embedding only.
    Embedding,
    /// The cues followed by the embedding.
    CuesAndEmbedding,
}

impl Inputs {
    /// Whether these inputs need the embedding model.
    pub fn needs_embedding(self) -> bool {
        self != Inputs::Cues
    }

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Inputs::Cues => "cues",
            Inputs::Embedding => "embedding",
            Inputs::CuesAndEmbedding => "cues+embedding",
        }
    }
}

/// How a [`Detector`] scored: with the embedding model or from the cues alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Cues plus the multilingual-e5-small embedding.
    WithModel,
    /// The hand-written cues only (no model file).
    CuesOnly,
}

/// One standardized logistic regression and how it did in cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// The features it reads.
    pub inputs: Inputs,
    /// Per-feature mean used for standardization.
    pub mean: Vec<f32>,
    /// Per-feature scale (standard deviation, 1 when constant).
    pub scale: Vec<f32>,
    /// Per-feature weight on the standardized value.
    pub weights: Vec<f32>,
    /// Intercept.
    pub bias: f32,
    /// The L2 strength it was fitted with.
    pub l2: f64,
    /// How much more the cues count than the embedding (their standardized values are
    /// multiplied by it, so the shared L2 penalty holds them back less); 1 for one block.
    pub cue_boost: f32,
    /// Mean average precision in cross-validation on the training split.
    pub cv_map: f64,
    /// Precision in the top 30 in cross-validation on the training split.
    pub cv_p_at_30: f64,
    /// The score from which a text counts as check-worthy, so the desk matches it against
    /// the fact-checks: the highest threshold that keeps [`MATCH_RECALL`] of the check-worthy
    /// training texts, on out-of-fold scores (0, matching everything, in older files).
    #[serde(default)]
    pub match_threshold: f32,
}

/// The share of check-worthy training texts the match threshold keeps: missing a false
/// claim costs a desk more than matching a text that needed no check.
pub const MATCH_RECALL: f64 = 0.95;

impl LinearModel {
    /// The probability for one feature vector.
    pub fn probability(&self, x: &[f32]) -> f32 {
        let logit: f32 = self.bias
            + x.iter()
                .enumerate()
                .map(|(i, v)| self.weights[i] * (v - self.mean[i]) / self.scale[i])
                .sum::<f32>();
        1.0 / (1.0 + (-logit).exp())
    }
}

/// One cross-validated setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvResult {
    /// The inputs.
    pub inputs: Inputs,
    /// The L2 strength.
    pub l2: f64,
    /// The cue boost (see [`LinearModel::cue_boost`]).
    pub cue_boost: f32,
    /// Mean average precision over the folds.
    pub map: f64,
    /// Mean precision in the top 30 over the folds.
    pub p_at_30: f64,
}

/// The check-worthiness scorer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    /// Names of the cues (must equal [`CUE_NAMES`]).
    pub cues: Vec<String>,
    /// The embedding model the `with_model` regression was trained with.
    pub model_id: String,
    /// Length of that model's vectors.
    pub dimension: usize,
    /// The regression used when the model is loaded.
    pub with_model: LinearModel,
    /// The regression used without the model.
    pub without_model: LinearModel,
    /// Every setting tried in cross-validation on the training split.
    pub cross_validation: Vec<CvResult>,
    /// What it was trained on.
    pub trained_on: String,
    /// The command that made it.
    pub command: String,
}

/// How training chooses its settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// L2 strengths tried.
    pub l2_grid: Vec<f64>,
    /// Cue boosts tried when cues and embedding are combined.
    pub cue_boosts: Vec<f32>,
    /// Folds of the stratified cross-validation.
    pub folds: usize,
    /// Times the cross-validation is repeated with another shuffle.
    pub repeats: usize,
    /// Seed of the shuffles.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            l2_grid: vec![1.0, 3.0, 10.0, 30.0, 100.0, 200.0, 300.0, 500.0, 1000.0],
            cue_boosts: vec![1.0, 2.0, 4.0, 8.0],
            folds: 5,
            repeats: 3,
            seed: 2020,
        }
    }
}

/// A labelled training text with its features.
#[derive(Debug, Clone)]
pub struct Example {
    /// The cue values.
    pub cues: [f32; NUM_CUES],
    /// Its embedding, when the model was given.
    pub embedding: Option<Vec<f32>>,
    /// Whether it is check-worthy.
    pub label: bool,
}

impl Detector {
    /// The detector shipped with claimdesk.
    pub fn builtin() -> Result<Detector> {
        Self::from_json(include_str!("detector.json"))
    }

    /// Reads a detector file, checking that it was trained on this version's cues.
    pub fn from_json(text: &str) -> Result<Detector> {
        let d: Detector = serde_json::from_str(text)
            .map_err(|e| Error::BadSetting(format!("detector file: {e}")))?;
        let expected: Vec<String> = CUE_NAMES.iter().map(|s| s.to_string()).collect();
        let width = |m: &LinearModel| match m.inputs {
            Inputs::Cues => NUM_CUES,
            Inputs::Embedding => d.dimension,
            Inputs::CuesAndEmbedding => NUM_CUES + d.dimension,
        };
        let fits = |m: &LinearModel| {
            [m.mean.len(), m.scale.len(), m.weights.len()]
                .iter()
                .all(|&n| n == width(m))
        };
        if d.cues != expected
            || !fits(&d.with_model)
            || !fits(&d.without_model)
            || d.without_model.inputs.needs_embedding()
        {
            return Err(Error::BadSetting(
                "the detector file was trained on other cues; retrain it with bench/train-detector"
                    .into(),
            ));
        }
        Ok(d)
    }

    /// How [`Detector::score`] will score with this embedder (or none).
    pub fn mode(&self, embedder: Option<&dyn Embedder>) -> Mode {
        match embedder {
            Some(_) if self.with_model.inputs.needs_embedding() => Mode::WithModel,
            _ => Mode::CuesOnly,
        }
    }

    /// Check-worthiness of each text, in [0, 1]; with the embedder when one is given.
    pub fn score(&self, texts: &[&str], embedder: Option<&dyn Embedder>) -> Result<Vec<f32>> {
        let embeddings = match (self.mode(embedder), embedder) {
            (Mode::WithModel, Some(e)) => {
                if e.model_id() != self.model_id || e.dimension() != self.dimension {
                    return Err(Error::BadSetting(format!(
                        "the detector was trained with the embeddings of {} ({} dimensions), not {}",
                        self.model_id,
                        self.dimension,
                        e.model_id()
                    )));
                }
                embed_texts(e, texts)?
            }
            _ => return Ok(self.score_cues(texts)),
        };
        self.score_embedded(texts, &embeddings)
    }

    /// Check-worthiness of each text from the cues alone (the regression used without the
    /// model).
    pub fn score_cues(&self, texts: &[&str]) -> Vec<f32> {
        texts
            .iter()
            .map(|text| {
                let x = features(Inputs::Cues, ClaimCues::of(text).values(), None);
                self.without_model.probability(&x)
            })
            .collect()
    }

    /// Check-worthiness of each text with its embedding already computed by [`embed_texts`]
    /// (one vector per text, in order).
    pub fn score_embedded(&self, texts: &[&str], embeddings: &[Vec<f32>]) -> Result<Vec<f32>> {
        if embeddings.len() != texts.len() || embeddings.iter().any(|v| v.len() != self.dimension) {
            return Err(Error::BadSetting(format!(
                "expected one {}-dimension embedding per text",
                self.dimension
            )));
        }
        Ok(texts
            .iter()
            .zip(embeddings)
            .map(|(text, v)| {
                let cues = ClaimCues::of(text);
                let x = features(self.with_model.inputs, cues.values(), Some(v));
                self.with_model.probability(&x)
            })
            .collect())
    }

    /// The match threshold of the regression [`Detector::score`] uses with this embedder.
    pub fn match_threshold(&self, embedder: Option<&dyn Embedder>) -> f32 {
        match self.mode(embedder) {
            Mode::WithModel => self.with_model.match_threshold,
            Mode::CuesOnly => self.without_model.match_threshold,
        }
    }

    /// Each text scored sentence by sentence (all sentences embedded in one batch), as the
    /// desk stores it: an item is as check-worthy as its best sentence, and is matched when
    /// that reaches `threshold` (by default the regression's [`LinearModel::match_threshold`]).
    /// A text with no sentence break is scored whole.
    pub fn check_worthiness(
        &self,
        texts: &[&str],
        embedder: Option<&dyn Embedder>,
        threshold: Option<f32>,
    ) -> Result<Vec<claimdesk_core::CheckWorthiness>> {
        let threshold = threshold.unwrap_or_else(|| self.match_threshold(embedder));
        let scorer = match self.mode(embedder) {
            Mode::WithModel => self.with_model.inputs.name(),
            Mode::CuesOnly => self.without_model.inputs.name(),
        };
        let split: Vec<Vec<Sentence<'_>>> = texts
            .iter()
            .map(|t| {
                let found = sentences(t);
                if found.is_empty() {
                    vec![Sentence {
                        text: t,
                        start: 0,
                        end: t.len(),
                    }]
                } else {
                    found
                }
            })
            .collect();
        let all: Vec<&str> = split.iter().flatten().map(|s| s.text).collect();
        let mut scores = self.score(&all, embedder)?.into_iter();
        Ok(split
            .iter()
            .map(|found| {
                let sentences: Vec<claimdesk_core::ScoredSentence> = found
                    .iter()
                    .map(|s| claimdesk_core::ScoredSentence {
                        start: s.start,
                        end: s.end,
                        score: scores.next().unwrap_or(0.0),
                    })
                    .collect();
                let score = sentences.iter().map(|s| s.score).fold(0.0, f32::max);
                claimdesk_core::CheckWorthiness {
                    score,
                    matched: score >= threshold,
                    sentences,
                    scorer: scorer.to_string(),
                }
            })
            .collect())
    }

    /// Splits `text` into sentences and scores each.
    pub fn score_sentences<'a>(
        &self,
        text: &'a str,
        embedder: Option<&dyn Embedder>,
    ) -> Result<Vec<(Sentence<'a>, f32)>> {
        let found = sentences(text);
        let texts: Vec<&str> = found.iter().map(|s| s.text).collect();
        let scores = self.score(&texts, embedder)?;
        Ok(found.into_iter().zip(scores).collect())
    }

    /// Chooses L2 strength (and cue boost) by cross-validation on `examples`, for the cues
    /// alone (`without_model`) and, when every example has an embedding, for cues plus
    /// embedding (`with_model`; the embedding alone is cross-validated for comparison), and
    /// fits both on all of them. Deterministic.
    pub fn train(examples: &[Example], model_id: &str, options: &TrainOptions) -> Result<Detector> {
        if examples.len() < options.folds.max(2) * 2
            || !examples.iter().any(|e| e.label)
            || examples.iter().all(|e| e.label)
        {
            return Err(Error::BadSetting(
                "training needs enough examples of both labels".into(),
            ));
        }
        let dimension = if examples.iter().all(|e| e.embedding.is_some()) {
            examples[0].embedding.as_ref().map_or(0, Vec::len)
        } else {
            0
        };
        if examples
            .iter()
            .any(|e| e.embedding.as_ref().is_some_and(|v| v.len() != dimension) && dimension > 0)
        {
            return Err(Error::BadSetting(
                "training embeddings differ in length".into(),
            ));
        }
        let mut candidates = vec![Inputs::Cues];
        if dimension > 0 {
            candidates.extend([Inputs::Embedding, Inputs::CuesAndEmbedding]);
        }
        let labels: Vec<bool> = examples.iter().map(|e| e.label).collect();
        let mut cv = Vec::new();
        for &inputs in &candidates {
            let x: Vec<Vec<f32>> = examples
                .iter()
                .map(|e| features(inputs, &e.cues, e.embedding.as_deref()))
                .collect();
            let boosts = match inputs {
                Inputs::CuesAndEmbedding => options.cue_boosts.clone(),
                _ => vec![1.0],
            };
            for &cue_boost in &boosts {
                for &l2 in &options.l2_grid {
                    let (map, p_at_30) =
                        cross_validate(&x, &labels, l2, cue_columns(inputs), cue_boost, options);
                    cv.push(CvResult {
                        inputs,
                        l2,
                        cue_boost,
                        map,
                        p_at_30,
                    });
                }
            }
        }
        let best = |allowed: &dyn Fn(Inputs) -> bool| {
            cv.iter()
                .filter(|r| allowed(r.inputs))
                .max_by(|a, b| a.map.total_cmp(&b.map).then(b.l2.total_cmp(&a.l2)))
                .cloned()
                .expect("the grid is not empty")
        };
        let fit_best = |r: &CvResult| {
            let x: Vec<Vec<f32>> = examples
                .iter()
                .map(|e| features(r.inputs, &e.cues, e.embedding.as_deref()))
                .collect();
            let mut m = fit(&x, &labels, r.l2, cue_columns(r.inputs), r.cue_boost);
            m.inputs = r.inputs;
            m.cv_map = r.map;
            m.cv_p_at_30 = r.p_at_30;
            let oof = out_of_fold_scores(
                &x,
                &labels,
                r.l2,
                cue_columns(r.inputs),
                r.cue_boost,
                options,
            );
            m.match_threshold = recall_threshold(&oof, &labels, MATCH_RECALL);
            m
        };
        let without = fit_best(&best(&|i| i == Inputs::Cues));
        let with = if dimension > 0 {
            // The cues stay in: they carry the Vietnamese words the English tweets cannot
            // teach the embedding alone (embedding-only settings are in the table for
            // comparison).
            fit_best(&best(&|i| i == Inputs::CuesAndEmbedding))
        } else {
            without.clone()
        };
        Ok(Detector {
            cues: CUE_NAMES.iter().map(|s| s.to_string()).collect(),
            model_id: model_id.to_owned(),
            dimension,
            with_model: with,
            without_model: without,
            cross_validation: cv,
            trained_on: String::new(),
            command: String::new(),
        })
    }
}

/// The text a detector embeds: links dropped (they say where, not what), spaces collapsed.
pub fn detector_text(text: &str) -> String {
    claimdesk_text::links::without_links(text)
}

/// Embeds texts as a detector reads them (see [`detector_text`]).
pub fn embed_texts(embedder: &dyn Embedder, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
    embed_texts_with_progress(embedder, texts, &mut |_| {})
}

/// As [`embed_texts`], calling `progress(n)` after each `n` texts are done.
pub fn embed_texts_with_progress(
    embedder: &dyn Embedder,
    texts: &[&str],
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<Vec<f32>>> {
    let prepared: Vec<String> = texts.iter().map(|t| detector_text(t)).collect();
    let refs: Vec<&str> = prepared.iter().map(String::as_str).collect();
    embedder
        .embed_with_progress(&refs, TextKind::Query, progress)
        .map_err(|e| Error::Embedding(e.to_string()))
}

/// How many leading columns of `inputs` are cues held to their signs, and how many a cue
/// boost applies to (none when the cues are the only block).
fn cue_columns(inputs: Inputs) -> (usize, usize) {
    match inputs {
        Inputs::Cues => (NUM_CUES, 0),
        Inputs::Embedding => (0, 0),
        Inputs::CuesAndEmbedding => (NUM_CUES, NUM_CUES),
    }
}

/// The feature vector of `inputs`.
fn features(inputs: Inputs, cues: &[f32; NUM_CUES], embedding: Option<&[f32]>) -> Vec<f32> {
    let emb = embedding.unwrap_or(&[]);
    match inputs {
        Inputs::Cues => cues.to_vec(),
        Inputs::Embedding => emb.to_vec(),
        Inputs::CuesAndEmbedding => cues.iter().chain(emb).copied().collect(),
    }
}

/// Mean AP and P@30 over `options.repeats` stratified `options.folds`-fold splits.
pub fn cross_validate(
    x: &[Vec<f32>],
    labels: &[bool],
    l2: f64,
    columns: (usize, usize),
    boost: f32,
    options: &TrainOptions,
) -> (f64, f64) {
    let (mut map, mut p30, mut n) = (0.0, 0.0, 0usize);
    for repeat in 0..options.repeats {
        let split = (options.folds, options.seed + repeat as u64);
        for (test, model) in fold_models(x, labels, l2, columns, boost, split) {
            let scores: Vec<f32> = test.iter().map(|&i| model.probability(&x[i])).collect();
            let ranked = rank_labels(
                &scores,
                &test.iter().map(|&i| labels[i]).collect::<Vec<_>>(),
            );
            map += average_precision(&ranked);
            p30 += precision_at(&ranked, 30);
            n += 1;
        }
    }
    (map / n as f64, p30 / n as f64)
}

/// Each example's score from the model fitted on the other folds (the first repeat's split).
fn out_of_fold_scores(
    x: &[Vec<f32>],
    labels: &[bool],
    l2: f64,
    columns: (usize, usize),
    boost: f32,
    options: &TrainOptions,
) -> Vec<f32> {
    let mut scores = vec![0.0; labels.len()];
    for (test, model) in fold_models(x, labels, l2, columns, boost, (options.folds, options.seed)) {
        for &i in &test {
            scores[i] = model.probability(&x[i]);
        }
    }
    scores
}

/// For each fold of the stratified split `(folds, seed)`: the held-out examples and the model
/// fitted on all the others.
fn fold_models(
    x: &[Vec<f32>],
    labels: &[bool],
    l2: f64,
    columns: (usize, usize),
    boost: f32,
    (folds, seed): (usize, u64),
) -> Vec<(Vec<usize>, LinearModel)> {
    let assigned = stratified_folds(labels, folds, seed);
    (0..folds)
        .map(|fold| {
            let (train, test): (Vec<usize>, Vec<usize>) =
                (0..labels.len()).partition(|&i| assigned[i] != fold);
            let tx: Vec<Vec<f32>> = train.iter().map(|&i| x[i].clone()).collect();
            let ty: Vec<bool> = train.iter().map(|&i| labels[i]).collect();
            (test, fit(&tx, &ty, l2, columns, boost))
        })
        .collect()
}

/// The highest score threshold at which at least `recall` of the positives score at or
/// above it (0 when there is no positive).
pub fn recall_threshold(scores: &[f32], labels: &[bool], recall: f64) -> f32 {
    let mut positives: Vec<f32> = scores
        .iter()
        .zip(labels)
        .filter(|(_, l)| **l)
        .map(|(s, _)| *s)
        .collect();
    if positives.is_empty() {
        return 0.0;
    }
    positives.sort_by(|a, b| b.total_cmp(a));
    let keep = ((recall * positives.len() as f64).ceil() as usize).clamp(1, positives.len());
    positives[keep - 1]
}

/// Labels in the order of their scores, best first (equal scores keep input order).
pub fn rank_labels(scores: &[f32], labels: &[bool]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order.into_iter().map(|i| labels[i]).collect()
}

/// Fold of each example: positives and negatives shuffled separately (xorshift from `seed`)
/// and dealt round-robin, so every fold has the split's share of each.
fn stratified_folds(labels: &[bool], folds: usize, seed: u64) -> Vec<usize> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = vec![0; labels.len()];
    let mut dealt = 0usize;
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        for i in (1..idx.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        for i in idx {
            out[i] = dealt % folds;
            dealt += 1;
        }
    }
    out
}

/// Fits an L2-regularized logistic regression on standardized features with the crate's
/// one solver ([`crate::logistic::minimize`]).
/// The first `columns.1` columns are multiplied by `boost` after standardization; the first
/// `columns.0` are cues held to their [`CUE_SIGNS`].
fn fit(
    x: &[Vec<f32>],
    labels: &[bool],
    l2: f64,
    columns: (usize, usize),
    boost: f32,
) -> LinearModel {
    let signed = columns.0;
    let n = x.len().max(1);
    let d = x.first().map_or(0, Vec::len);
    let mut mean = vec![0f64; d];
    let mut var = vec![0f64; d];
    for row in x {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += *v as f64 / n as f64;
        }
    }
    for row in x {
        for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
            *s += (*v as f64 - m).powi(2) / n as f64;
        }
    }
    let scale: Vec<f64> = var
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let s = if v.sqrt() > 1e-6 { v.sqrt() } else { 1.0 };
            if i < columns.1 { s / boost as f64 } else { s }
        })
        .collect();
    let z: Vec<Vec<f64>> = x
        .iter()
        .map(|row| {
            let mut v: Vec<f64> = (0..d)
                .map(|i| (row[i] as f64 - mean[i]) / scale[i])
                .collect();
            v.push(1.0);
            v
        })
        .collect();
    let y: Vec<f64> = labels.iter().map(|&l| f64::from(u8::from(l))).collect();
    let w = fit_signed(z, &y, l2, signed);
    LinearModel {
        inputs: Inputs::Cues,
        mean: mean.iter().map(|&v| v as f32).collect(),
        scale: scale.iter().map(|&v| v as f32).collect(),
        weights: w[..d].iter().map(|&v| v as f32).collect(),
        bias: w[d] as f32,
        l2,
        cue_boost: if columns.1 > 0 { boost } else { 1.0 },
        cv_map: 0.0,
        cv_p_at_30: 0.0,
        match_threshold: 0.0,
    }
}

/// Fits with the weight of each of the first `signed` columns held to its cue's sign: a
/// column whose weight comes out against its sign is dropped (its weight fixed at 0) and the
/// rest refitted, until none is (an active-set method; deterministic).
fn fit_signed(mut z: Vec<Vec<f64>>, y: &[f64], l2: f64, signed: usize) -> Vec<f64> {
    let columns = z.first().map_or(1, Vec::len);
    let mut dropped = [false; NUM_CUES];
    loop {
        let w = crate::logistic::minimize(&z, y, None, l2, columns);
        let wrong: Vec<usize> = (0..signed.min(NUM_CUES))
            .filter(|&i| !dropped[i] && f64::from(CUE_SIGNS[i]) * w[i] < 0.0)
            .collect();
        if wrong.is_empty() {
            return w;
        }
        for i in wrong {
            dropped[i] = true;
            for row in z.iter_mut() {
                row[i] = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recall_threshold_keeps_the_asked_share_of_positives() {
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
        let labels = [
            true, false, true, true, false, true, false, true, false, false,
        ];
        // Positives score 0.9, 0.7, 0.6, 0.4, 0.2: keeping 80% (4 of 5) stops at 0.4.
        assert_eq!(recall_threshold(&scores, &labels, 0.8), 0.4);
        assert_eq!(recall_threshold(&scores, &labels, 1.0), 0.2);
        assert_eq!(recall_threshold(&scores, &labels, 0.1), 0.9);
        assert_eq!(recall_threshold(&scores, &[false; 10], 0.9), 0.0);
    }

    /// Synthetic examples whose label follows the `number` and `institution` cues.
    fn examples() -> Vec<Example> {
        (0..80)
            .map(|i| {
                let mut cues = [0f32; NUM_CUES];
                let label = i % 3 == 0;
                cues[0] = if label { 1.0 } else { 0.1 } + (i % 7) as f32 * 0.05;
                cues[3] = if label { 0.7 } else { 0.0 } + (i % 5) as f32 * 0.1;
                cues[18] = (i % 11) as f32 * 0.3;
                Example {
                    cues,
                    embedding: Some(vec![(i % 4) as f32, if label { 0.3 } else { -0.1 }]),
                    label,
                }
            })
            .collect()
    }

    #[test]
    fn training_is_deterministic_and_learns_the_signal() {
        let options = TrainOptions {
            l2_grid: vec![0.1, 10.0],
            cue_boosts: vec![1.0, 3.0],
            folds: 4,
            repeats: 2,
            seed: 7,
        };
        let a = Detector::train(&examples(), "test-model", &options).unwrap();
        let b = Detector::train(&examples(), "test-model", &options).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_eq!(a.cross_validation.len(), 8);
        assert!(a.without_model.weights[0] > 0.0 && a.without_model.weights[3] > 0.0);
        assert!(a.with_model.inputs.needs_embedding());
        assert!(a.without_model.cv_map > 0.9, "{}", a.without_model.cv_map);
        let t = a.without_model.match_threshold;
        assert!(t > 0.0 && t < 1.0, "{t}");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(Detector::from_json(&json).unwrap(), a);
    }

    #[test]
    fn folds_are_stratified() {
        let labels: Vec<bool> = (0..50).map(|i| i % 5 == 0).collect();
        let folds = stratified_folds(&labels, 5, 1);
        for f in 0..5 {
            let pos = (0..50).filter(|&i| folds[i] == f && labels[i]).count();
            let all = folds.iter().filter(|&&x| x == f).count();
            assert_eq!((pos, all), (2, 10));
        }
    }

    #[test]
    fn a_statistic_from_an_institution_outscores_a_greeting_without_the_model() {
        let detector = Detector::builtin().unwrap();
        assert_eq!(detector.mode(None), Mode::CuesOnly);
        let s = detector
            .score(
                &[
                    "The WHO says 3,000 people died of the virus in March, up 40%.",
                    "good morning everyone",
                    "Theo Bộ Y tế, số ca nhiễm tăng 35% trong tháng 3.",
                    "Chúc cả nhà buổi sáng vui vẻ!",
                ],
                None,
            )
            .unwrap();
        assert!(s.iter().all(|p| (0.0..=1.0).contains(p)));
        assert!(s[0] > s[1], "{s:?}");
        assert!(s[2] > s[3], "{s:?}");
    }

    #[test]
    fn an_item_is_as_check_worthy_as_its_best_sentence() {
        let detector = Detector::builtin().unwrap();
        let text =
            "Chúc cả nhà buổi sáng vui vẻ! Theo Bộ Y tế, số ca nhiễm tăng 35% trong tháng 3.";
        let greeting = "good morning everyone";
        let got = detector
            .check_worthiness(&[text, greeting], None, Some(0.5))
            .unwrap();
        assert_eq!(got[0].sentences.len(), 2);
        assert_eq!(
            got[0].best_sentence(text),
            Some("Theo Bộ Y tế, số ca nhiễm tăng 35% trong tháng 3.")
        );
        assert_eq!(got[0].score, got[0].sentences[1].score);
        assert_eq!(got[0].scorer, "cues");
        assert_eq!(got[1].sentences.len(), 1);
        assert!(got[0].score > got[1].score);
        // The threshold decides which are matched.
        let cut = (got[0].score + got[1].score) / 2.0;
        let cut = detector
            .check_worthiness(&[text, greeting], None, Some(cut))
            .unwrap();
        assert!(cut[0].matched && !cut[1].matched);
    }

    #[test]
    fn detector_text_drops_links() {
        assert_eq!(
            detector_text("5G  spreads it https://t.co/x pic.twitter.com/abc !"),
            "5G spreads it !"
        );
    }
}
