//! The embedding cache: [`EmbeddingStore`].

use crate::Result;

/// The embedding cache: vectors a model computed, kept by text hash so nothing is embedded twice.
///
/// Every method is one transaction.
pub trait EmbeddingStore: Send + Sync {
    /// The stored embeddings of `model` for these text hashes (missing ones are left out).
    fn embeddings(
        &self,
        model: &str,
        hashes: &[u64],
    ) -> impl Future<Output = Result<Vec<(u64, Vec<f32>)>>> + Send;

    /// Stores embeddings of `model` by text hash (an existing one is kept). The hash is the
    /// embedding crate's `embedding_key` of the text the model saw.
    fn save_embeddings(
        &self,
        model: &str,
        vectors: &[(u64, Vec<f32>)],
    ) -> impl Future<Output = Result<()>> + Send;
}
