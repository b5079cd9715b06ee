//! The desk's queue on SQLite: every filter read off one index of `item_queue` (migration
//! 0014) in queue order, search read off the items' full-text index, and counts that stop
//! at [`COUNT_LIMIT`], so no page reads all the items however many there are.
//!
//! A statement is put together from fixed fragments, one per filter that is set, each with
//! its own `?` parameter: the SQL text depends only on *which* filters are set, never on
//! their values. The index each statement reads is named (`INDEXED BY`), so its plan does
//! not depend on the planner's statistics; `plans::tests` checks every combination with
//! `EXPLAIN QUERY PLAN`.

use claimdesk_core::CaseStatus;
use sqlx::Row;
use sqlx::sqlite::SqliteArguments;

use super::SqliteStore;
use super::items::{item_from_row, language_token, match_from_row, search_match, source_token};
use crate::items::{
    COUNT_LIMIT, ItemFilter, MatchStatus, Page, PageRequest, QueueEntry, WORTHINESS_LEVELS,
};
use crate::search::{self, Hits, Terms, Tier, TierReader};
use crate::{Error, Result};

/// The order key of an item without a publication time (`item_queue.at`): below every date.
const UNDATED: i64 = -(1 << 62);

/// A value bound to a `?` of a statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bind {
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// A real number.
    Real(f64),
}

/// A statement and the values of its parameters, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Statement {
    /// The SQL, made of this module's fragments only.
    pub sql: String,
    /// One value per `?`.
    pub binds: Vec<Bind>,
}

impl Statement {
    fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        self
    }

    /// The statement as a query with its values bound.
    pub(crate) fn query(&self) -> sqlx::query::Query<'_, sqlx::Sqlite, SqliteArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.sql.as_str()));
        for b in &self.binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.as_str()),
                Bind::Real(v) => q.bind(*v),
            };
        }
        q
    }
}

/// The index a queue statement reads: that of the filter likely to keep fewest items, in a
/// fixed order (a case status, a source, a match status other than "matched", a
/// check-worthiness level, "matched", a language), else the queue's order itself. Each ends with the order key, so the page comes off it already sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Driver {
    Case,
    Source,
    Top,
    Matched,
    Language,
    /// Items at least as check-worthy as one of [`WORTHINESS_LEVELS`] (its position).
    Worthy(usize),
    Order,
    /// Only to count items at least so check-worthy: a range of the scores.
    Worthiness,
}

impl Driver {
    fn of(f: &ItemFilter) -> Driver {
        if f.case_status.is_some() {
            Driver::Case
        } else if f.source.is_some() {
            Driver::Source
        } else if let Some(status) = f.status {
            match (status, level(f)) {
                (MatchStatus::Matched, Some(k)) => Driver::Worthy(k),
                (MatchStatus::Matched, None) => Driver::Matched,
                _ => Driver::Top,
            }
        } else if let Some(k) = level(f) {
            Driver::Worthy(k)
        } else if f.language.is_some() {
            Driver::Language
        } else {
            Driver::Order
        }
    }

    /// The driver of a count: as the page's, except that a count of check-worthy items
    /// reads the scores rather than walk the queue's order.
    fn of_count(f: &ItemFilter) -> Driver {
        match Driver::of(f) {
            Driver::Order if f.min_check_worthiness.is_some() => Driver::Worthiness,
            d => d,
        }
    }

    fn index(self) -> &'static str {
        match self {
            Driver::Case => "item_queue_case",
            Driver::Source => "item_queue_source",
            Driver::Top => "item_queue_top",
            Driver::Matched => "item_queue_matched",
            Driver::Language => "item_queue_language",
            Driver::Worthy(0) => "item_queue_worthy_30",
            Driver::Worthy(1) => "item_queue_worthy_50",
            Driver::Worthy(2) => "item_queue_worthy_70",
            Driver::Worthy(_) => "item_queue_worthy_90",
            Driver::Order => "item_queue_order",
            Driver::Worthiness => "item_queue_worthiness",
        }
    }
}

/// The position in [`WORTHINESS_LEVELS`] of the highest level at or below the filter's
/// check-worthiness: that level's partial index holds every item the filter keeps (a filter
/// above the highest level walks it and drops the rest). `None` below the lowest level.
fn level(f: &ItemFilter) -> Option<usize> {
    let min = f.min_check_worthiness?;
    WORTHINESS_LEVELS.iter().rposition(|l| *l <= min)
}

/// The condition of each of [`WORTHINESS_LEVELS`], as the literal its partial index names.
const LEVEL_CONDITIONS: [&str; WORTHINESS_LEVELS.len()] = [
    " AND q.worthiness >= 0.3",
    " AND q.worthiness >= 0.5",
    " AND q.worthiness >= 0.7",
    " AND q.worthiness >= 0.9",
];

/// Appends ` AND <condition>` for every filter of `f` that is set, except the words.
fn conditions(st: &mut Statement, f: &ItemFilter) {
    if let Some(status) = f.case_status {
        st.push(" AND q.case_status = ?")
            .bind(Bind::Text(CaseStatus::as_str(status).into()));
    }
    if let Some(source) = &f.source {
        st.push(" AND q.source = ?")
            .bind(Bind::Text(source.clone()));
    }
    if let Some(status) = f.status {
        // Literals, so the partial index `item_queue_matched` (top > 0) applies.
        st.push(match status {
            MatchStatus::Matched => " AND q.top > 0",
            MatchStatus::Unmatched => " AND q.top = 0",
            MatchStatus::Review => " AND q.top = 1",
            MatchStatus::Confident => " AND q.top = 2",
        });
    }
    if let Some(language) = &f.language {
        st.push(" AND q.language = ?")
            .bind(Bind::Text(language.clone()));
    }
    if let Some(from) = f.published_from {
        st.push(" AND q.at >= ?").bind(Bind::Int(from));
    }
    if let Some(until) = f.published_until {
        // Undated items are left out when a bound is set.
        st.push(" AND q.at < ? AND q.at > ?")
            .bind(Bind::Int(until))
            .bind(Bind::Int(UNDATED));
    }
    let level = level(f);
    if let Some(k) = level {
        // A literal, so the partial index of the level applies.
        st.push(LEVEL_CONDITIONS[k]);
    }
    if let Some(min) = f.min_check_worthiness
        && level.is_none_or(|k| WORTHINESS_LEVELS[k] != min)
    {
        st.push(" AND q.worthiness >= ?")
            .bind(Bind::Real(f64::from(min)));
    }
}

/// One page of ids of the unsearched queue, newest first.
pub(crate) fn page_statement(f: &ItemFilter, limit: u32, offset: u64) -> Statement {
    let mut st = Statement::default();
    st.push("SELECT q.item_id FROM item_queue q INDEXED BY ")
        .push(Driver::of(f).index())
        .push(" WHERE 1");
    conditions(&mut st, f);
    st.push(" ORDER BY q.at DESC, q.item_id DESC LIMIT ? OFFSET ?")
        .bind(Bind::Int(i64::from(limit)))
        .bind(Bind::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
    st
}

/// How many items of the unsearched queue pass `f`, counting `cap` at most.
pub(crate) fn count_statement(f: &ItemFilter, cap: u64) -> Statement {
    let mut st = Statement::default();
    st.push("SELECT COUNT(*) FROM (SELECT 1 FROM item_queue q INDEXED BY ")
        .push(Driver::of_count(f).index())
        .push(" WHERE 1");
    if Driver::of_count(f) == Driver::Worthiness {
        // Already in `conditions`; repeated so the partial index's condition is implied.
        st.push(" AND q.worthiness IS NOT NULL");
    }
    conditions(&mut st, f);
    st.push(" LIMIT ?)")
        .bind(Bind::Int(i64::try_from(cap).unwrap_or(i64::MAX)));
    st
}

/// One page of the ids of the items the FTS5 query `words` finds that pass `f`, most
/// recently stored first (the full-text index keeps each term's items in id order, so
/// the page is read off it without sorting every hit).
pub(crate) fn search_page_statement(
    words: &str,
    f: &ItemFilter,
    limit: u32,
    offset: u64,
) -> Statement {
    let mut st = search_from(words, f);
    st.push(" ORDER BY items_search.rowid DESC LIMIT ? OFFSET ?")
        .bind(Bind::Int(i64::from(limit)))
        .bind(Bind::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
    st.sql.insert_str(0, "SELECT items_search.rowid");
    st
}

/// How many items the FTS5 query `words` finds that pass `f`, counting `cap` at most.
pub(crate) fn search_count_statement(words: &str, f: &ItemFilter, cap: u64) -> Statement {
    let mut st = search_from(words, f);
    st.sql.insert_str(0, "SELECT COUNT(*) FROM (SELECT 1");
    st.push(" LIMIT ?)")
        .bind(Bind::Int(i64::try_from(cap).unwrap_or(i64::MAX)));
    st
}

/// How many items the FTS5 query `words` finds, whatever the queue's filters, counting `cap`
/// at most: off the full-text index alone.
pub(crate) fn words_count_statement(words: &str, cap: u64) -> Statement {
    let mut st = Statement::default();
    st.push("SELECT COUNT(*) FROM (SELECT 1 FROM items_search WHERE items_search MATCH ? LIMIT ?)")
        .bind(Bind::Text(words.into()))
        .bind(Bind::Int(i64::try_from(cap).unwrap_or(i64::MAX)));
    st
}

/// ` FROM` the full-text index's hits that pass `f`. The index answers the words, the
/// language and the source itself (a column each); only for the other filters is each hit
/// looked up in `item_queue` by id, so a search with no more than those reads the index
/// alone.
fn search_from(words: &str, f: &ItemFilter) -> Statement {
    let mut query = format!("({words})");
    if let Some(language) = &f.language {
        query.push_str(&format!(" AND language : \"{}\"", language_token(language)));
    }
    if let Some(source) = &f.source {
        query.push_str(&format!(" AND source : \"{}\"", source_token(source)));
    }
    let others = ItemFilter {
        text: None,
        language: None,
        source: None,
        ..f.clone()
    };
    let mut st = Statement::default();
    if others == ItemFilter::default() {
        st.push(" FROM items_search WHERE items_search MATCH ?")
            .bind(Bind::Text(query));
    } else {
        st.push(
            " FROM items_search CROSS JOIN item_queue q ON q.item_id = items_search.rowid
             WHERE items_search MATCH ?",
        )
        .bind(Bind::Text(query));
        conditions(&mut st, &others);
    }
    st
}

/// The queue's entries for `ids` (in any order: the caller puts them in the page's): each
/// item with its top match, case status and check-worthiness.
pub(crate) const ENTRIES: &str =
    "SELECT i.id, i.external_id, i.text, i.url, i.published_at, i.source,
        i.language, m.factcheck_id, m.rank, m.score, m.explanation,
        q.case_status, q.worthiness AS check_worthiness,
        (SELECT NOT w.matched FROM item_check_worthiness w WHERE w.item_id = i.id)
          AS below_threshold
 FROM json_each(?) page JOIN items i ON i.id = page.value
      LEFT JOIN item_queue q ON q.item_id = i.id
      LEFT JOIN matches m ON m.item_id = i.id AND m.rank = 1";

impl SqliteStore {
    async fn ids(&self, st: &Statement) -> Result<Vec<i64>> {
        Ok(st
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?)
    }

    async fn count(&self, st: &Statement) -> Result<u64> {
        let n: i64 = st.query().fetch_one(self.pool()).await?.try_get(0)?;
        Ok(n as u64)
    }

    async fn entries(&self, ids: &[i64]) -> Result<Vec<QueueEntry>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let json = serde_json::to_string(ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        let rows = sqlx::query(ENTRIES)
            .bind(json)
            .fetch_all(self.pool())
            .await?;
        let mut entries: Vec<QueueEntry> = rows
            .iter()
            .map(|row| {
                Ok(QueueEntry {
                    item: item_from_row(row)?,
                    top: match_from_row(row)?,
                    case_status: row
                        .try_get::<Option<String>, _>("case_status")?
                        .map(|s| {
                            s.parse()
                                .map_err(|e| Error::Corrupt(format!("case status: {e}")))
                        })
                        .transpose()?,
                    check_worthiness: row
                        .try_get::<Option<f64>, _>("check_worthiness")?
                        .map(|s| s as f32),
                    below_threshold: row
                        .try_get::<Option<bool>, _>("below_threshold")?
                        .unwrap_or(false),
                })
            })
            .collect::<Result<_>>()?;
        let position: std::collections::HashMap<i64, usize> =
            ids.iter().enumerate().map(|(k, id)| (*id, k)).collect();
        entries.sort_by_key(|e| position.get(&e.item.id.0).copied().unwrap_or(usize::MAX));
        Ok(entries)
    }

    /// The number of items stored, from the counter the triggers keep.
    pub(crate) async fn item_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = 'items'")
            .fetch_one(self.pool())
            .await?;
        Ok(n as u64)
    }

    /// The queue's page (see [`crate::ItemStore::queue`]).
    pub(crate) async fn read_queue(
        &self,
        filter: &ItemFilter,
        page: PageRequest,
    ) -> Result<Page<QueueEntry>> {
        let Some(text) = filter.text.as_deref() else {
            let ids = self
                .ids(&page_statement(filter, page.limit, page.offset))
                .await?;
            let (total, total_exact) = if *filter == ItemFilter::default() {
                (self.item_count().await?, true)
            } else {
                let n = self
                    .count(&count_statement(filter, COUNT_LIMIT + 1))
                    .await?;
                (n.min(COUNT_LIMIT), n <= COUNT_LIMIT)
            };
            return Ok(Page {
                entries: self.entries(&ids).await?,
                total,
                total_exact,
            });
        };
        let Some(terms) = Terms::of(text, |_| true) else {
            // Words were asked for, but the text has none (only punctuation): nothing has them.
            return Ok(Page::empty());
        };
        let ids = search::read(
            &Search {
                store: self,
                terms,
                filter,
            },
            page,
        )
        .await?;
        Ok(ids.with(self.entries(&ids.entries).await?))
    }
}

/// A queue search on SQLite: its words and the other filters of the queue.
struct Search<'a> {
    store: &'a SqliteStore,
    terms: Terms,
    filter: &'a ItemFilter,
}

impl TierReader for Search<'_> {
    async fn tier_ids(&self, tier: Tier, limit: u32, offset: u64) -> Result<Vec<i64>> {
        let words = search_match(&self.terms, tier);
        self.store
            .ids(&search_page_statement(&words, self.filter, limit, offset))
            .await
    }

    async fn tier_count(&self, tier: Tier, cap: u64) -> Result<u64> {
        let words = search_match(&self.terms, tier);
        self.store
            .count(&search_count_statement(&words, self.filter, cap))
            .await
    }

    async fn words_count(&self, hits: Hits, cap: u64) -> Result<u64> {
        let words = search_match(&self.terms, Tier { hits, not: None });
        self.store.count(&words_count_statement(&words, cap)).await
    }
}
