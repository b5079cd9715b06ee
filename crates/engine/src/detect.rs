//! Check-worthiness: scoring for `claimdesk detect` with the detector (the built-in one or
//! a file) and, unless cues only, the embedding model; training a detector on labelled
//! texts (`train-detector`) and measuring one on a labelled file (`eval-detector`).
//!
//! Layer 2: imports `config`, `data`, `model`, `progress` and `error`.

use std::path::Path;
use std::sync::Arc;

use claimdesk_embed::Embedder;
use claimdesk_ingest::labelled::{LabelledText, Layout, parse_labelled};
use claimdesk_match::checkworthy::{
    Detector, Example, LinearModel, Mode, TrainOptions, embed_texts_with_progress, rank_labels,
};
use claimdesk_match::metrics::{average_precision, precision_at};
use claimdesk_text::ClaimCues;

use crate::config::Config;
use crate::data::DataDir;
use crate::error::{Error, Result};
use crate::model;
use crate::progress::Progress;

/// How the scorer is chosen.
#[derive(Debug, Clone, Default)]
pub struct ScorerOptions<'a> {
    /// Score with the hand-written cues only (`--cues-only`, or `--lexical-only`: no model).
    pub cues_only: bool,
    /// A detector file instead of the built-in one.
    pub detector: Option<&'a Path>,
    /// The model file named on the command line.
    pub model: Option<&'a Path>,
}

/// The detector and, unless cues only, the embedding model.
pub struct Scorer {
    /// The detector.
    pub detector: Detector,
    /// The model, when it is used.
    pub model: Option<Arc<dyn Embedder>>,
}

impl Scorer {
    /// The scorer of data directory `data` with `config`.
    pub fn load(data: &DataDir, config: &Config, options: &ScorerOptions) -> Result<Scorer> {
        let detector = match options.detector {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
                Detector::from_json(&text).map_err(|e| {
                    Error::Usage(format!("{}: not a detector file: {e}", p.display()))
                })?
            }
            None => Detector::builtin()?,
        };
        let model = if options.cues_only {
            None
        } else {
            let explicit = options
                .model
                .map(Path::to_path_buf)
                .or_else(|| config.model_path(data.root()));
            match model::find(data, explicit.as_deref())? {
                Some(path) => Some(model::load(&path)?),
                None => None,
            }
        };
        Ok(Scorer { detector, model })
    }

    /// The model as the detector takes it.
    pub fn embedder(&self) -> Option<&dyn Embedder> {
        self.model.as_deref()
    }

    /// What scores: with the model or the cues only, and why.
    pub fn describe(&self) -> String {
        match self.detector.mode(self.embedder()) {
            Mode::WithModel => format!(
                "{} with {} (L2 {})",
                self.detector.with_model.inputs.name(),
                self.detector.model_id,
                self.detector.with_model.l2
            ),
            Mode::CuesOnly if self.model.is_none() => format!(
                "hand-written cues only (L2 {}); no model in use, so no embedding: run scripts/fetch-model or pass --model (without --lexical-only or --cues-only) for better scores",
                self.detector.without_model.l2
            ),
            Mode::CuesOnly => format!(
                "hand-written cues only (L2 {})",
                self.detector.without_model.l2
            ),
        }
    }

    /// Check-worthiness of each text, 0 to 1.
    pub fn score(&self, texts: &[&str]) -> Result<Vec<f32>> {
        Ok(self.detector.score(texts, self.embedder())?)
    }
}

/// Reads the labelled TSV at `path` (see [`claimdesk_ingest::labelled`]): the first bad row
/// is the error, with file, line and column.
pub fn read_labelled(
    path: &Path,
    layout: Layout,
    label: Option<&str>,
) -> Result<Vec<LabelledText>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_labelled(&path.display().to_string(), &bytes, layout, label).map_err(Error::Input)
}

/// Trains a detector on labelled `rows` (each must carry its label): the cue regression
/// always, and the embedding regression too when `model` is given (its progress reported
/// as the stage "embedding training texts"). Settings are chosen by the cross-validation
/// `options` describe; [`Detector::trained_on`] names `source` (the file) and its
/// `label` column with the counts and the cross-validation; the caller fills in
/// [`Detector::command`].
pub fn train(
    rows: &[LabelledText],
    (source, label): (&str, &str),
    model: Option<&dyn Embedder>,
    options: &TrainOptions,
    progress: &dyn Progress,
) -> Result<Detector> {
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let embeddings = match model {
        None => None,
        Some(m) => {
            progress.begin("embedding training texts", texts.len() as u64);
            let v = embed_texts_with_progress(m, &texts, &mut |n| progress.advance(n as u64));
            progress.end();
            Some(v?)
        }
    };
    let mut examples = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let label = r.label.ok_or_else(|| {
            Error::Usage(format!(
                "row {} has no label: training needs labelled rows",
                r.id
            ))
        })?;
        examples.push(Example {
            cues: *ClaimCues::of(&r.text).values(),
            embedding: embeddings.as_ref().map(|v| v[i].clone()),
            label,
        });
    }
    let model_id = model.map_or("", |m| m.model_id());
    let mut detector = Detector::train(&examples, model_id, options)?;
    let positives = examples.iter().filter(|e| e.label).count();
    detector.trained_on = format!(
        "{source} ({} texts, {positives} with {label} = 1); settings chosen by stratified {}-fold cross-validation repeated {} times (seed {})",
        rows.len(),
        options.folds,
        options.repeats,
        options.seed
    );
    Ok(detector)
}

/// How a detector ranks one labelled file, scored one way (with the model or cues only).
#[derive(Debug, Clone)]
pub struct DetectorEvaluation {
    /// "with the model" or "cues only".
    pub name: &'static str,
    /// The detector's settings for this way of scoring (with its cross-validated figures).
    pub settings: LinearModel,
    /// Average precision of the file ranked as one list.
    pub map: f64,
    /// Precision of the 30 highest-scored texts.
    pub p_at_30: f64,
    /// Check-worthy texts at or above the desk's match threshold.
    pub kept_worthy: usize,
    /// All texts at or above it (the rest are not matched).
    pub kept: usize,
}

/// Measures `scorer` on labelled `rows`: with the model when it is in use, and always with
/// the cues only.
pub fn evaluate(scorer: &Scorer, rows: &[LabelledText]) -> Result<Vec<DetectorEvaluation>> {
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let labels: Vec<bool> = rows.iter().map(|r| r.label == Some(true)).collect();
    let detector = &scorer.detector;
    let mut runs = Vec::new();
    if detector.mode(scorer.embedder()) == Mode::WithModel {
        runs.push((
            "with the model",
            &detector.with_model,
            scorer.score(&texts)?,
        ));
    }
    runs.push((
        "cues only",
        &detector.without_model,
        detector.score_cues(&texts),
    ));
    Ok(runs
        .into_iter()
        .map(|(name, settings, scores)| {
            let ranked = rank_labels(&scores, &labels);
            let t = settings.match_threshold;
            DetectorEvaluation {
                name,
                settings: settings.clone(),
                map: average_precision(&ranked),
                p_at_30: precision_at(&ranked, 30),
                kept_worthy: scores
                    .iter()
                    .zip(&labels)
                    .filter(|(s, l)| **l && **s >= t)
                    .count(),
                kept: scores.iter().filter(|&&s| s >= t).count(),
            }
        })
        .collect())
}
