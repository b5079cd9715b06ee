//! The desk's read queries: the filtered queue, single items and fact-checks, search.
//!
//! Filters are bound as parameters of one static statement (`?N IS NULL OR ...`), so no SQL
//! text is ever assembled from input.

use claimdesk_core::{CaseStatus, FactCheckId, ItemId, StoredFactCheck, StoredItem};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{ItemRow, SqliteStore, fact_check_from_row};
use crate::queue::{ItemFacets, ItemFilter, Page, PageRequest, QueueEntry, contains_pattern};
use crate::{Error, Result, StoredMatch};

/// The queue's FROM and WHERE clauses; parameters ?1..?7 are the filter.
///
/// Only the filters that are set touch `matches` and `cases` (each is a subquery behind
/// `?N IS NULL OR`), so the unfiltered count reads nothing but `items`.
macro_rules! queue_where {
    () => {
        " FROM items i
          WHERE (?1 IS NULL OR i.language = ?1)
            AND (?2 IS NULL OR i.source = ?2)
            AND (?3 IS NULL OR unixepoch(i.published_at) >= ?3)
            AND (?4 IS NULL OR unixepoch(i.published_at) < ?4)
            AND (?5 IS NULL OR i.text LIKE ?5 ESCAPE '\\')
            AND (?6 IS NULL OR CASE ?6
                   WHEN 'matched' THEN EXISTS (SELECT 1 FROM matches
                        WHERE item_id = i.id AND rank = 1)
                   WHEN 'unmatched' THEN NOT EXISTS (SELECT 1 FROM matches
                        WHERE item_id = i.id AND rank = 1)
                   WHEN 'confident' THEN EXISTS (SELECT 1 FROM matches
                        WHERE item_id = i.id AND rank = 1
                          AND coalesce(json_extract(explanation, '$.confident'), 0) = 1)
                   WHEN 'review' THEN EXISTS (SELECT 1 FROM matches
                        WHERE item_id = i.id AND rank = 1
                          AND coalesce(json_extract(explanation, '$.confident'), 0) = 0)
                   ELSE 1 END)
            AND (?7 IS NULL OR ?7 = (SELECT status FROM cases WHERE item_id = i.id
                                     ORDER BY updated_at DESC, id DESC LIMIT 1))
            AND (?8 IS NULL OR (SELECT score FROM item_check_worthiness
                                WHERE item_id = i.id) >= ?8)"
    };
}

/// The queue's order, newest first; the index `items_queue_order` has these expressions.
macro_rules! queue_order {
    () => {
        " ORDER BY unixepoch(i.published_at) IS NULL, unixepoch(i.published_at) DESC, i.id DESC"
    };
}

/// The fact-check search's WHERE clause; parameter ?1 is the LIKE pattern.
macro_rules! factcheck_search_where {
    () => {
        " FROM factchecks WHERE (?1 IS NULL OR claim LIKE ?1 ESCAPE '\\'
            OR headline LIKE ?1 ESCAPE '\\')"
    };
}

fn match_from_row(row: &SqliteRow) -> Result<Option<StoredMatch>> {
    let Some(fact_check) = row.try_get::<Option<i64>, _>("factcheck_id")? else {
        return Ok(None);
    };
    let explanation: String = row.try_get("explanation")?;
    Ok(Some(StoredMatch {
        fact_check: FactCheckId(fact_check),
        rank: row.try_get::<i64, _>("rank")? as u32,
        score: row.try_get::<f64, _>("score")? as f32,
        explanation: serde_json::from_str(&explanation)
            .map_err(|e| Error::Corrupt(format!("match explanation: {e}")))?,
    }))
}

fn item_from_row(row: &SqliteRow) -> Result<StoredItem> {
    Ok(ItemRow {
        id: row.try_get("id")?,
        external_id: row.try_get("external_id")?,
        text: row.try_get("text")?,
        url: row.try_get("url")?,
        published_at: row.try_get("published_at")?,
        source: row.try_get("source")?,
        language: row.try_get("language")?,
    }
    .into_item())
}

impl SqliteStore {
    pub(crate) async fn read_queue(
        &self,
        filter: &ItemFilter,
        page: PageRequest,
    ) -> Result<Page<QueueEntry>> {
        let pattern = filter.text.as_deref().map(contains_pattern);
        let status = filter.status.map(|s| s.as_str());
        let case_status = filter.case_status.map(CaseStatus::as_str);
        let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*)", queue_where!()))
            .bind(&filter.language)
            .bind(&filter.source)
            .bind(filter.published_from)
            .bind(filter.published_until)
            .bind(&pattern)
            .bind(status)
            .bind(case_status)
            .bind(filter.min_check_worthiness.map(f64::from))
            .fetch_one(&self.pool)
            .await?;
        // One page of ids first (off the index), then their top match and latest case.
        let rows = sqlx::query(concat!(
            "WITH page AS (SELECT i.id",
            queue_where!(),
            queue_order!(),
            " LIMIT ?9 OFFSET ?10)
             SELECT i.id, i.external_id, i.text, i.url, i.published_at, i.source, i.language,
                    m.factcheck_id, m.rank, m.score, m.explanation,
                    (SELECT status FROM cases WHERE item_id = i.id
                     ORDER BY updated_at DESC, id DESC LIMIT 1) AS case_status,
                    (SELECT score FROM item_check_worthiness WHERE item_id = i.id)
                      AS check_worthiness,
                    (SELECT NOT matched FROM item_check_worthiness WHERE item_id = i.id)
                      AS below_threshold
             FROM page JOIN items i ON i.id = page.id
             LEFT JOIN matches m ON m.item_id = i.id AND m.rank = 1",
            queue_order!()
        ))
        .bind(&filter.language)
        .bind(&filter.source)
        .bind(filter.published_from)
        .bind(filter.published_until)
        .bind(&pattern)
        .bind(status)
        .bind(case_status)
        .bind(filter.min_check_worthiness.map(f64::from))
        .bind(i64::from(page.limit))
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let entries = rows
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
        Ok(Page {
            entries,
            total: total as u64,
        })
    }

    pub(crate) async fn read_item(&self, id: ItemId) -> Result<Option<StoredItem>> {
        let row: Option<ItemRow> = sqlx::query_as(
            "SELECT id, external_id, text, url, published_at, source, language
             FROM items WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(ItemRow::into_item))
    }

    pub(crate) async fn read_item_facets(&self) -> Result<ItemFacets> {
        let languages = sqlx::query_scalar(
            "SELECT DISTINCT language FROM items WHERE language IS NOT NULL ORDER BY language",
        )
        .fetch_all(&self.pool)
        .await?;
        let sources = sqlx::query_scalar(
            "SELECT DISTINCT source FROM items WHERE source IS NOT NULL ORDER BY source",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(ItemFacets { languages, sources })
    }

    pub(crate) async fn read_fact_checks_by_id(
        &self,
        ids: &[FactCheckId],
    ) -> Result<Vec<StoredFactCheck>> {
        let ids = serde_json::to_string(&ids.iter().map(|i| i.0).collect::<Vec<_>>())
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            " FROM factchecks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| fact_check_from_row(r).map(|(f, _)| f))
            .collect()
    }

    pub(crate) async fn read_aliases(&self, id: FactCheckId) -> Result<Vec<StoredFactCheck>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            " FROM factchecks WHERE alias_of = ? ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| fact_check_from_row(r).map(|(f, _)| f))
            .collect()
    }

    pub(crate) async fn read_search_fact_checks(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<StoredFactCheck>> {
        let pattern = text.map(contains_pattern);
        let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*)", factcheck_search_where!()))
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            factcheck_search_where!(),
            " ORDER BY date_published IS NULL, date_published DESC, id DESC LIMIT ?2 OFFSET ?3"
        ))
        .bind(&pattern)
        .bind(i64::from(page.limit))
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let entries = rows
            .iter()
            .map(|r| fact_check_from_row(r).map(|(f, _)| f))
            .collect::<Result<_>>()?;
        Ok(Page {
            entries,
            total: total as u64,
        })
    }
}
