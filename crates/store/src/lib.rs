//! claimdesk's source of truth: fact-checks, items, matches and the audit log of imports.
//!
//! [`Store`] is the seam: a few async methods, each one transaction. [`SqliteStore`] is the
//! embedded default (one file in the data directory, migrations compiled in); a PostgreSQL
//! implementation of the same trait follows with the same SQL shapes. Only this crate
//! speaks SQL.
//!
//! Architecture invariant: everything else (the lexical index, caches) is derived from what
//! this store holds and carries the store revision it reflects.

#![warn(missing_docs)]

mod desk;
mod sqlite;

use claimdesk_core::{
    Diagnostic, FactCheck, FactCheckId, ImportCounts, Item, ItemId, StoredFactCheck, StoredItem,
};

pub use desk::{ItemFacets, ItemFilter, MatchStatus, Page, PageRequest, QueueEntry};
pub use sqlite::SqliteStore;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened or a statement failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be decoded (the database was edited by hand?).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A fact-check about to be stored, with the key that groups identical ones.
#[derive(Debug, Clone)]
pub struct NewFactCheck {
    /// The fact-check.
    pub fact_check: FactCheck,
    /// Equal keys mean the same normalized text (see `claimdesk_text::duplicate_key`).
    pub duplicate_key: String,
}

/// An item about to be stored, with its idempotency key.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// The item.
    pub item: Item,
    /// `source` + external id when the item has one, else a hash of its normalized text.
    pub key: String,
}

/// Where a batch came from, for the audit log.
#[derive(Debug, Clone)]
pub struct ImportSource<'a> {
    /// The file (as the user named it).
    pub file: &'a str,
    /// The format it was read as.
    pub format: &'a str,
    /// Records the parser rejected, stored with the audit entry.
    pub diagnostics: &'a [Diagnostic],
}

/// One entry of the import audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    /// The entry's id.
    pub id: i64,
    /// Fact-checks or items.
    pub kind: String,
    /// The file imported.
    pub file: String,
    /// Its format.
    pub format: String,
    /// When the import ran (UTC, RFC 3339).
    pub started_at: String,
    /// What happened to its records.
    pub counts: ImportCounts,
}

/// A fact-check changed since some revision, as the index needs it.
#[derive(Debug, Clone)]
pub struct FactCheckChange {
    /// The fact-check now.
    pub fact_check: StoredFactCheck,
    /// The revision of its last change.
    pub revision: i64,
}

/// A stored match of an item to a fact-check.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMatch {
    /// The fact-check matched.
    pub fact_check: FactCheckId,
    /// Rank in the item's list, 1 = best.
    pub rank: u32,
    /// The fused score.
    pub score: f32,
    /// The explanation, as JSON.
    pub explanation: serde_json::Value,
}

/// The storage seam. Every method is one transaction: a batch is stored whole or not at all,
/// together with its audit entry.
pub trait Store: Send + Sync {
    /// Stores fact-checks (added, updated or unchanged by source id) and logs the import.
    /// Fact-checks sharing a duplicate key become aliases of the earliest one.
    fn save_fact_checks(
        &self,
        batch: &[NewFactCheck],
        source: ImportSource<'_>,
    ) -> impl Future<Output = Result<ImportCounts>> + Send;

    /// Stores items (added, updated or unchanged by key) and logs the ingest.
    fn save_items(
        &self,
        batch: &[NewItem],
        source: ImportSource<'_>,
    ) -> impl Future<Output = Result<(ImportCounts, Vec<ItemId>)>> + Send;

    /// The current fact-check revision (0 for an empty store).
    fn revision(&self) -> impl Future<Output = Result<i64>> + Send;

    /// Every fact-check changed after `revision`, in id order.
    fn fact_checks_since(
        &self,
        revision: i64,
    ) -> impl Future<Output = Result<Vec<FactCheckChange>>> + Send;

    /// Every fact-check, in id order.
    fn fact_checks(&self) -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// Items, in id order, `limit` at most after id `after`.
    fn items(
        &self,
        after: ItemId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredItem>>> + Send;

    /// Replaces the stored matches of an item.
    fn save_matches(
        &self,
        item: ItemId,
        matches: &[StoredMatch],
    ) -> impl Future<Output = Result<()>> + Send;

    /// The stored matches of an item, best first.
    fn matches(&self, item: ItemId) -> impl Future<Output = Result<Vec<StoredMatch>>> + Send;

    /// The import audit log, oldest first.
    fn imports(&self) -> impl Future<Output = Result<Vec<ImportRecord>>> + Send;

    /// Number of fact-checks (canonical and aliases) and items stored.
    fn counts(&self) -> impl Future<Output = Result<(u64, u64)>> + Send;

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

    // The desk's reads (see `desk.rs`; SQL in `sqlite/desk_read.rs`).

    /// The queue: items matching `filter`, newest publication first (undated last), each
    /// with its top match.
    fn queue(
        &self,
        filter: &ItemFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<QueueEntry>>> + Send;

    /// The item with this id.
    fn item(&self, id: ItemId) -> impl Future<Output = Result<Option<StoredItem>>> + Send;

    /// The distinct languages and sources of the items.
    fn item_facets(&self) -> impl Future<Output = Result<ItemFacets>> + Send;

    /// The fact-checks with these ids (unknown ids are left out), in id order.
    fn fact_checks_by_id(
        &self,
        ids: &[FactCheckId],
    ) -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// The aliases of a canonical fact-check, in id order.
    fn aliases(&self, id: FactCheckId)
    -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// Fact-checks whose claim or headline contains `text` (all when `None`), newest
    /// publication first.
    fn search_fact_checks(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<StoredFactCheck>>> + Send;
}
