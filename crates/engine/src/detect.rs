//! Check-worthiness scoring for `claimdesk detect` and `eval-detector`: the detector (the
//! built-in one or a file) and, unless cues only, the embedding model.
//!
//! Layer 2: imports `config`, `data`, `model` and `error`.

use std::path::Path;
use std::sync::Arc;

use claimdesk_embed::Embedder;
use claimdesk_match::checkworthy::{Detector, Mode};

use crate::config::Config;
use crate::data::DataDir;
use crate::error::{Error, Result};
use crate::model;

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
