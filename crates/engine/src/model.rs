//! Finding and loading the sentence-embedding model (never downloads anything:
//! `scripts/fetch-model` does that once).
//!
//! Layer 1: imports `data` and `error`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use claimdesk_embed::{E5, Embedder};

use crate::data::{DataDir, MODEL_FILE};
use crate::error::{Error, Result};

/// The model file for `data`: `explicit` (which must exist), else the first of the default
/// places that holds one, else `None`.
pub fn find(data: &DataDir, explicit: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(path) = explicit {
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "model file {} not found; run scripts/fetch-model (it writes models/{MODEL_FILE}) or correct --model",
                path.display()
            )));
        }
        return Ok(Some(path.to_path_buf()));
    }
    Ok(data.default_model_paths().into_iter().find(|p| p.is_file()))
}

/// Loads the model at `path`.
pub fn load(path: &Path) -> Result<Arc<dyn Embedder>> {
    Ok(Arc::new(E5::load(path)?))
}
