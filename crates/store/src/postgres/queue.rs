//! The desk's queue on PostgreSQL: every filter read off an index of `item_queue` (the same
//! summary table and partial indexes as SQLite's, kept by triggers) in queue order, search
//! read off the GIN indexes of `items_search` (see `items`), and counts that stop at
//! [`COUNT_LIMIT`], so no page reads all the items however many there are.
//!
//! A statement is put together from fixed fragments, one per filter that is set, each with
//! its own parameter (`?` in a fragment, numbered `$n` as it is appended): the SQL text
//! depends only on *which* filters are set, never on their values. PostgreSQL has no
//! `INDEXED BY`; the partial indexes' conditions are written as literals so the planner can
//! use them.

use claimdesk_core::CaseStatus;
use sqlx::Row;
use sqlx::postgres::PgArguments;

use super::PgStore;
use super::items::{item_from_row, match_from_row, search_condition, search_terms};
use crate::items::{
    COUNT_LIMIT, ItemFilter, MatchStatus, Page, PageRequest, QueueEntry, WORTHINESS_LEVELS,
};
use crate::search::{self, Hits, Terms, Tier, TierReader};
use crate::{Error, Result};

/// The order key of an item without a publication time (`item_queue.at`): below every date.
const UNDATED: i64 = -(1 << 62);

/// A value bound to a parameter of a statement.
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
    /// One value per parameter.
    pub binds: Vec<Bind>,
    /// The parameters numbered so far.
    params: usize,
}

impl Statement {
    /// Appends `sql`, numbering its `?`s after the parameters already bound.
    fn push(&mut self, sql: &str) -> &mut Self {
        let mut n = self.params;
        for (k, part) in sql.split('?').enumerate() {
            if k > 0 {
                n += 1;
                self.sql.push('$');
                self.sql.push_str(&n.to_string());
            }
            self.sql.push_str(part);
        }
        self.params = n;
        self
    }

    fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        self
    }

    /// The statement as a query with its values bound, planned for those values each time:
    /// a prepared statement's generic plan cannot see how many items a word has, and for a
    /// search it walked the whole index backwards filtering every row (7.6 ms at 20,000
    /// items for a word 132 items have, against 0.1 ms off the GIN index).
    pub(crate) fn query(&self) -> sqlx::query::Query<'_, sqlx::Postgres, PgArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.sql.as_str())).persistent(false);
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
    st.push("SELECT q.item_id FROM item_queue q WHERE true");
    conditions(&mut st, f);
    st.push(" ORDER BY q.at DESC, q.item_id DESC LIMIT ? OFFSET ?")
        .bind(Bind::Int(i64::from(limit)))
        .bind(Bind::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
    st
}

/// How many items of the unsearched queue pass `f`, counting `cap` at most.
pub(crate) fn count_statement(f: &ItemFilter, cap: u64) -> Statement {
    let mut st = Statement::default();
    st.push("SELECT COUNT(*) FROM (SELECT 1 FROM item_queue q WHERE true");
    conditions(&mut st, f);
    st.push(" LIMIT ?) AS hits")
        .bind(Bind::Int(i64::try_from(cap).unwrap_or(i64::MAX)));
    st
}

/// One page of the ids of the items the search finds that pass `f`, most recently stored
/// first.
fn search_page_statement(words: Words<'_>, f: &ItemFilter, limit: u32, offset: u64) -> Statement {
    let mut st = Statement::default();
    st.push("SELECT q.item_id");
    search_from(&mut st, words, f);
    st.push(" ORDER BY s.item_id DESC LIMIT ? OFFSET ?")
        .bind(Bind::Int(i64::from(limit)))
        .bind(Bind::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
    st
}

/// How many items the search finds that pass `f`, counting `cap` at most.
fn search_count_statement(words: Words<'_>, f: &ItemFilter, cap: u64) -> Statement {
    let mut st = Statement::default();
    st.push("SELECT COUNT(*) FROM (SELECT 1");
    search_from(&mut st, words, f);
    st.push(" LIMIT ?) AS hits")
        .bind(Bind::Int(i64::try_from(cap).unwrap_or(i64::MAX)));
    st
}

/// How many items have the words of `hits`, whatever the queue's filters, counting `cap` at
/// most: off the search index alone.
fn words_count_statement(terms: &Terms, hits: Hits, cap: u64) -> Statement {
    let mut st = Statement::default();
    st.push("SELECT COUNT(*) FROM (SELECT 1 FROM items_search s WHERE ");
    push_words(&mut st, terms, Tier { hits, not: None });
    st.push(" LIMIT ?) AS hits")
        .bind(Bind::Int(i64::try_from(cap).unwrap_or(i64::MAX)));
    st
}

/// What a search asks of `items_search`: one group of its results.
type Words<'a> = (&'a Terms, Tier);

/// ` FROM` the search index's hits, each looked up in `item_queue` by id for the filters.
fn search_from(st: &mut Statement, (terms, tier): Words<'_>, f: &ItemFilter) {
    st.push(" FROM items_search s JOIN item_queue q ON q.item_id = s.item_id WHERE ");
    push_words(st, terms, tier);
    conditions(st, f);
}

/// Appends the condition on `items_search s` of one group of a search, with its `tsquery`s.
fn push_words(st: &mut Statement, terms: &Terms, tier: Tier) {
    let (condition, queries) = search_condition(terms, tier);
    st.push(&condition);
    for q in queries {
        st.bind(Bind::Text(q));
    }
}

/// The queue's entries for `ids` (in any order: the caller puts them in the page's): each
/// item with its top match, case status and check-worthiness.
pub(crate) const ENTRIES: &str =
    "SELECT i.id, i.external_id, i.text, i.url, i.published_at, i.source,
        i.language, m.factcheck_id, m.rank, m.score, m.explanation,
        q.case_status, q.worthiness AS check_worthiness,
        (SELECT NOT w.matched FROM item_check_worthiness w WHERE w.item_id = i.id)
          AS below_threshold
 FROM items i
      LEFT JOIN item_queue q ON q.item_id = i.id
      LEFT JOIN matches m ON m.item_id = i.id AND m.rank = 1
 WHERE i.id IN (SELECT value::bigint FROM json_array_elements_text($1::json))";

impl PgStore {
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
        let Some(terms) = search_terms(text) else {
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

/// A queue search on PostgreSQL: its words and the other filters of the queue.
struct Search<'a> {
    store: &'a PgStore,
    terms: Terms,
    filter: &'a ItemFilter,
}

impl TierReader for Search<'_> {
    async fn tier_ids(&self, tier: Tier, limit: u32, offset: u64) -> Result<Vec<i64>> {
        self.store
            .ids(&search_page_statement(
                (&self.terms, tier),
                self.filter,
                limit,
                offset,
            ))
            .await
    }

    async fn tier_count(&self, tier: Tier, cap: u64) -> Result<u64> {
        self.store
            .count(&search_count_statement(
                (&self.terms, tier),
                self.filter,
                cap,
            ))
            .await
    }

    async fn words_count(&self, hits: Hits, cap: u64) -> Result<u64> {
        self.store
            .count(&words_count_statement(&self.terms, hits, cap))
            .await
    }
}
