//! Items, their check-worthiness, their stored matches and the intake backlog: [`ItemStore`];
//! what the desk reads of them: the queue of items with their top match, pages.

use claimdesk_core::{
    CaseStatus, Explanation, FactCheckId, ImportCounts, Item, ItemId, StoredItem,
};

use crate::{ImportSource, Result};

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
    /// Why it matched.
    pub explanation: Explanation,
}

impl StoredMatch {
    /// A ranked list as the store keeps it: `(fact-check, score, explanation)` best first,
    /// numbered from rank 1.
    pub fn ranked(
        list: impl IntoIterator<Item = (FactCheckId, f32, Explanation)>,
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
    /// with its top match. A filtered list is counted up to [`COUNT_LIMIT`].
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

    /// Takes up to `limit` items waiting to be scored and matched that no live process
    /// holds (never taken, or taken more than a lease ago), in id order, and holds them for
    /// [`INTAKE_LEASE_MS`]: the backlog a process works through without doing another's work.
    /// Processes may call it at the same time; none gets an item another holds. The process
    /// that stores an item holds it from the start. On SQLite, whose file is one process's
    /// desk, every waiting item is taken: a process that finds items waiting at its start is
    /// the one that left them.
    fn claim_pending(&self, limit: u32) -> impl Future<Output = Result<Vec<ItemId>>> + Send;

    /// Records that `items` are scored and matched: they wait, held by nobody, for the
    /// process that places items in narratives.
    fn finish_matching(&self, items: &[ItemId]) -> impl Future<Output = Result<()>> + Send;

    /// Up to `limit` items scored and matched but not yet placed in a narrative, in id
    /// order. An item a narrative already holds (placed by a process that stopped before it
    /// said so) is done with: it is left out and no longer pending.
    fn pending_narratives(&self, limit: u32) -> impl Future<Output = Result<Vec<ItemId>>> + Send;
}

/// How long a process holds the items it took to score and match before another may take
/// them over, in milliseconds: long enough for a page of items on a loaded machine, short
/// enough that a dead process's items wait little.
pub const INTAKE_LEASE_MS: i64 = 30_000;

// What the desk reads: the queue and pages.

/// How the top match of an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchStatus {
    /// The item has at least one candidate fact-check.
    Matched,
    /// No fact-check matched the item.
    Unmatched,
    /// The top match reaches the calibrated "confident" threshold.
    Confident,
    /// The item has candidates but none is confident: a person should look.
    Review,
}

impl MatchStatus {
    /// The name the SQL (and the desk's query strings) use.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Matched => "matched",
            MatchStatus::Unmatched => "unmatched",
            MatchStatus::Confident => "confident",
            MatchStatus::Review => "review",
        }
    }
}

/// Which items the queue shows. Every field left `None` lets all items through.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemFilter {
    /// Only items whose top match stands so.
    pub status: Option<MatchStatus>,
    /// Only items in this language (tag as stored, e.g. `vi`).
    pub language: Option<String>,
    /// Only items from this source.
    pub source: Option<String>,
    /// Only items published at or after this instant (Unix seconds). Items without a
    /// publication time are left out when either bound is set.
    pub published_from: Option<i64>,
    /// Only items published before this instant (Unix seconds).
    pub published_until: Option<i64>,
    /// Only items that have these words (the last may be the start of a word), from the
    /// items' full-text index, normalized as matching normalizes text: case and the place
    /// of Vietnamese tone marks do not matter, and text without accents finds text with
    /// them (and the other way round). Items with the words as written come first (whole,
    /// then with the last word only begun), then those with them only without accents; each
    /// group most recently stored first (not by publication time: the index keeps each
    /// word's items in the order they were stored, so a common word's page is read without
    /// sorting all its items).
    pub text: Option<String>,
    /// Only items whose case (the latest opened from the item) is in this status.
    pub case_status: Option<CaseStatus>,
    /// Only items scored at least this check-worthy (items never scored are left out).
    pub min_check_worthiness: Option<f32>,
}

/// A window of a list: skip `offset` entries, return `limit` at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Entries skipped.
    pub offset: u64,
    /// Entries returned at most.
    pub limit: u32,
}

/// Most entries a filtered list counts: past it, [`Page::total`] says "at least this many"
/// and [`Page::total_exact`] is false. Counting further would read every entry of a long
/// list for one number.
pub const COUNT_LIMIT: u64 = 1_000;

/// One window of a list, with the size of the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The entries of the window, in list order.
    pub entries: Vec<T>,
    /// How many entries the whole list has, or at least has when `total_exact` is false.
    pub total: u64,
    /// False when counting stopped at [`COUNT_LIMIT`]: the list has more than `total`.
    pub total_exact: bool,
}

impl<T> Page<T> {
    /// A list with nothing in it.
    pub(crate) fn empty() -> Page<T> {
        Page {
            entries: Vec::new(),
            total: 0,
            total_exact: true,
        }
    }

    /// The same window and count with other entries (those of the ids the window holds).
    pub(crate) fn with<U>(&self, entries: Vec<U>) -> Page<U> {
        Page {
            entries,
            total: self.total,
            total_exact: self.total_exact,
        }
    }
}

/// An item of the queue with its best match, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// The item.
    pub item: StoredItem,
    /// Its rank-1 stored match.
    pub top: Option<StoredMatch>,
    /// The status of its case (the latest opened from it), if it has one.
    pub case_status: Option<CaseStatus>,
    /// Its check-worthiness in [0, 1] (its best sentence's), if it was scored.
    pub check_worthiness: Option<f32>,
    /// True when it was scored below the match threshold and so not matched.
    pub below_threshold: bool,
}

/// The check-worthiness levels the queue reads off an index of their own (the desk's
/// filter offers these); any other level walks the queue's order.
pub const WORTHINESS_LEVELS: [f32; 4] = [0.3, 0.5, 0.7, 0.9];

/// Most sources [`ItemFacets::sources`] lists: a desk reading thousands of accounts offers
/// the busiest in its filter (any source can still be asked for by name).
pub const FACET_SOURCES: usize = 200;

/// The distinct languages and sources of the stored items, for the queue's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFacets {
    /// Language tags, sorted.
    pub languages: Vec<String>,
    /// The [`FACET_SOURCES`] sources with the most items, sorted by name.
    pub sources: Vec<String>,
}

/// `text` as a LIKE pattern that matches it anywhere, with `\` as the escape character.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_in_the_search_text_are_literal() {
        assert_eq!(super::contains_pattern(r"50%_a\b"), r"%50\%\_a\\b%");
    }
}
