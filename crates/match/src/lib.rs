//! claimdesk-match ranks previously checked claims for a piece of text.
//!
//! Two retrievers feed one score: lexical BM25 over each canonical fact-check's claim and
//! headline, in an exact (Vietnamese-aware) and a folded (accent-free) analyzer plus folded
//! bigrams, and a near-duplicate lookup over SimHash fingerprints. Every result carries its
//! [`Explanation`]. The index is derived from the store and can be rebuilt at any time.
//!
//! Also here: the [`checkworthy`] scorer that ranks sentences by how much they state a fact
//! worth checking, the retrieval [`metrics`] (MAP@k, MRR@k, Recall@k) and [`trec`] file formats.

#![warn(missing_docs)]

pub mod absence;
pub mod checkworthy;
pub mod hybrid;
mod index;
pub mod logistic;
mod matcher;
pub mod metrics;
pub mod profile;
pub mod rerank;
pub mod trec;
pub mod vector;
pub mod verify;

use std::path::PathBuf;

pub use index::{IndexChange, IndexDoc, MatchField, MatchIndex};
pub use matcher::{
    Explanation, FeatureEffect, LexicalCandidate, Match, MatchSettings, Matcher, TermHit,
};

/// What can go wrong while indexing or matching.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index directory could not be read or written.
    #[error("index directory {path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// tantivy failed.
    #[error("index error: {0}")]
    Index(String),
    /// The index on disk was built by another version of claimdesk.
    #[error("the index in {0} was built with another schema; run `claimdesk reindex`")]
    SchemaChanged(PathBuf),
    /// A setting name or value given by the user is not valid.
    #[error("unknown setting or bad value `{0}`")]
    BadSetting(String),
    /// The embedding model failed on a text.
    #[error("embedding: {0}")]
    Embedding(String),
    /// Another process is writing the index; try again shortly.
    #[error("the index is being written by another process")]
    Busy,
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Index(e.to_string())
    }
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
