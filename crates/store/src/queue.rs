//! What the desk reads: the queue of items with their top match, and fact-checks by page.

use claimdesk_core::{CaseStatus, StoredItem};

use crate::StoredMatch;

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
    /// Only items whose text contains this (case-insensitive for ASCII letters).
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

/// One window of a list, with the size of the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The entries of the window, in list order.
    pub entries: Vec<T>,
    /// How many entries the whole list has.
    pub total: u64,
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

/// The distinct languages and sources of the stored items, for the queue's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFacets {
    /// Language tags, sorted.
    pub languages: Vec<String>,
    /// Sources, sorted.
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
