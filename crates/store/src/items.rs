//! Items, their check-worthiness, their stored matches and the intake backlog: [`ItemStore`].

use claimdesk_core::{FactCheckId, ImportCounts, Item, ItemId, StoredItem};

use crate::{ImportSource, ItemFacets, ItemFilter, Page, PageRequest, QueueEntry, Result};

/// An item about to be stored, with its idempotency key.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// The item.
    pub item: Item,
    /// `source` + external id when the item has one, else a hash of its normalized text.
    pub key: String,
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

impl StoredMatch {
    /// A ranked list as the store keeps it: `(fact-check, score, explanation)` best first,
    /// numbered from rank 1.
    pub fn ranked(
        list: impl IntoIterator<Item = (FactCheckId, f32, serde_json::Value)>,
    ) -> Vec<StoredMatch> {
        list.into_iter()
            .zip(1..)
            .map(|((fact_check, score, explanation), rank)| StoredMatch {
                fact_check,
                rank,
                score,
                explanation,
            })
            .collect()
    }
}

/// Items (posts and articles), their check-worthiness and their stored matches; the intake backlog.
///
/// Every method is one transaction.
pub trait ItemStore: Send + Sync {
    /// Stores items (added, updated or unchanged by key) and logs the ingest.
    fn save_items(
        &self,
        batch: &[NewItem],
        source: ImportSource<'_>,
    ) -> impl Future<Output = Result<(ImportCounts, Vec<ItemId>)>> + Send;

    /// Items, in id order, `limit` at most after id `after`.
    fn items(
        &self,
        after: ItemId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredItem>>> + Send;

    /// The item with this id.
    fn item(&self, id: ItemId) -> impl Future<Output = Result<Option<StoredItem>>> + Send;

    /// The distinct languages and sources of the items.
    fn item_facets(&self) -> impl Future<Output = Result<ItemFacets>> + Send;

    /// The queue: items matching `filter`, newest publication first (undated last), each
    /// with its top match.
    fn queue(
        &self,
        filter: &ItemFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<QueueEntry>>> + Send;

    /// Replaces the stored matches of an item.
    fn save_matches(
        &self,
        item: ItemId,
        matches: &[StoredMatch],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Replaces the stored matches of many items in one transaction.
    fn save_matches_of(
        &self,
        batch: &[(ItemId, Vec<StoredMatch>)],
    ) -> impl Future<Output = Result<()>> + Send;

    /// The stored matches of an item, best first.
    fn matches(&self, item: ItemId) -> impl Future<Output = Result<Vec<StoredMatch>>> + Send;

    /// The stored matches of many items in one query: one list per item of `items`, in
    /// that order, each best first (empty for an item without matches).
    fn matches_of_items(
        &self,
        items: &[ItemId],
    ) -> impl Future<Output = Result<Vec<Vec<StoredMatch>>>> + Send;

    /// The items with a stored match to any of `fact_checks`, in id order.
    fn items_matched_to(
        &self,
        fact_checks: &[FactCheckId],
    ) -> impl Future<Output = Result<Vec<ItemId>>> + Send;

    /// Stores the check-worthiness of many items in one transaction (replacing what an item
    /// had).
    fn save_check_worthiness(
        &self,
        batch: &[(ItemId, claimdesk_core::CheckWorthiness)],
    ) -> impl Future<Output = Result<()>> + Send;

    /// The stored check-worthiness of an item, if it was scored.
    fn check_worthiness(
        &self,
        item: ItemId,
    ) -> impl Future<Output = Result<Option<claimdesk_core::CheckWorthiness>>> + Send;

    /// The first item stored (ingested) at or after `since` (Unix seconds): items from it
    /// on are the recent window a new fact-check looks back over.
    fn first_item_since(&self, since: i64) -> impl Future<Output = Result<Option<ItemId>>> + Send;

    /// Items stored but not yet through the intake pipeline (left by a process that
    /// stopped mid-pipeline, or not yet reached), in id order.
    fn pending_items(&self, limit: u32) -> impl Future<Output = Result<Vec<ItemId>>> + Send;

    /// Records that the pipeline has processed `items`.
    fn mark_processed(&self, items: &[ItemId]) -> impl Future<Output = Result<()>> + Send;
}
