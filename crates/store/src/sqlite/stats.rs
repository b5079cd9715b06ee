//! The counters of migration `0017_stats` and the work figures read from the desk's tables.

use claimdesk_core::CaseStatus;

use super::SqliteStore;
use crate::stats::{
    EditorWork, GROWTH_CANDIDATES, Metric, NarrativeGrowth, OpenCase, Period, PublishedCase, Spans,
    StatRow, StatsStore, growth,
};
use crate::{Error, Result};

/// The statements that compute every counter from the records (the same as the end of the
/// migration that created them).
const REBUILD: &str = include_str!("stats_rebuild.sql");

/// Statuses a case leaves the backlog in.
const DONE: [CaseStatus; 3] = [
    CaseStatus::Published,
    CaseStatus::MatchedExisting,
    CaseStatus::NotCheckable,
];

impl StatsStore for SqliteStore {
    async fn stat_hours(&self, metric: Metric, period: Period) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT hour, SUM(value) FROM stats_hourly
             WHERE metric = ? AND hour >= ? AND hour < ?
             GROUP BY hour HAVING SUM(value) != 0 ORDER BY hour",
        )
        .bind(metric.as_str())
        .bind(period.from)
        .bind(period.to)
        .fetch_all(self.pool())
        .await?)
    }

    async fn stat_series(&self, metric: Metric, bars: &[Period]) -> Result<Vec<i64>> {
        let spans: Vec<serde_json::Value> = bars
            .iter()
            .map(|&bar| {
                let s = Spans::of(bar);
                serde_json::json!([bar.from, bar.to, s.days.0, s.days.1, s.months.0, s.months.1])
            })
            .collect();
        // CROSS JOIN keeps the bars outside: each bar is a few range reads of the keys.
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "WITH bars(i, f, t, d0, d1, m0, m1) AS (
                 SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                        json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                        json_extract(value, '$[4]'), json_extract(value, '$[5]')
                 FROM json_each(?2))
             SELECT i, SUM(v) FROM (
                 SELECT b.i AS i, r.value AS v FROM bars b CROSS JOIN stats_rollup r
                 ON r.level = 'm' AND r.metric = ?1 AND r.start >= b.m0 AND r.start < b.m1
                 UNION ALL
                 SELECT b.i, r.value FROM bars b CROSS JOIN stats_rollup r
                 ON r.level = 'd' AND r.metric = ?1 AND r.start >= b.d0 AND r.start < b.m0
                 UNION ALL
                 SELECT b.i, r.value FROM bars b CROSS JOIN stats_rollup r
                 ON r.level = 'd' AND r.metric = ?1 AND r.start >= b.m1 AND r.start < b.d1
                 UNION ALL
                 SELECT b.i, h.value FROM bars b CROSS JOIN stats_hourly h
                 ON h.metric = ?1 AND h.hour >= b.f AND h.hour < b.d0
                 UNION ALL
                 SELECT b.i, h.value FROM bars b CROSS JOIN stats_hourly h
                 ON h.metric = ?1 AND h.hour >= b.d1 AND h.hour < b.t)
             GROUP BY i",
        )
        .bind(metric.as_str())
        .bind(super::json_rows(spans))
        .fetch_all(self.pool())
        .await?;
        let mut out = vec![0; bars.len()];
        for (i, v) in rows {
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
                *slot = v;
            }
        }
        Ok(out)
    }

    async fn stat_keys(
        &self,
        metric: Metric,
        period: Period,
        limit: u32,
    ) -> Result<Vec<(String, i64)>> {
        let s = Spans::of(period);
        Ok(sqlx::query_as(
            "SELECT key, SUM(value) AS total FROM (
                 SELECT key, value FROM stats_rollup
                 WHERE level = 'm' AND metric = ?1 AND start >= ?4 AND start < ?5
                 UNION ALL
                 SELECT key, value FROM stats_rollup
                 WHERE level = 'd' AND metric = ?1
                   AND ((start >= ?2 AND start < ?4) OR (start >= ?5 AND start < ?3))
                 UNION ALL
                 SELECT key, value FROM stats_hourly
                 WHERE metric = ?1
                   AND ((hour >= ?6 AND hour < ?2) OR (hour >= ?3 AND hour < ?7)))
             GROUP BY key HAVING total != 0 ORDER BY total DESC, key LIMIT ?8",
        )
        .bind(metric.as_str())
        .bind(s.days.0)
        .bind(s.days.1)
        .bind(s.months.0)
        .bind(s.months.1)
        .bind(period.from)
        .bind(period.to)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?)
    }

    async fn stat_rows(&self) -> Result<Vec<StatRow>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT metric, key, hour, value FROM stats_hourly WHERE value != 0
             ORDER BY metric, key, hour",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(metric, key, hour, value)| StatRow {
                metric,
                key,
                hour,
                value,
            })
            .collect())
    }

    async fn rebuild_stats(&self) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        // The rollups follow the hours by trigger: emptied here, refilled by the inserts.
        sqlx::query("DELETE FROM stats_hourly")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM stats_rollup")
            .execute(&mut *tx)
            .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(REBUILD))
            .execute(&mut *tx)
            .await?;
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stats_hourly")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows.max(0) as u64)
    }

    async fn published_cases(&self, period: Period) -> Result<Vec<PublishedCase>> {
        // The last publication of each case in the period (a case reopened and published
        // again counts once, at its last), from when it was opened.
        Ok(sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT c.id, unixepoch(c.created_at), MAX(unixepoch(t.at))
             FROM case_transitions t INDEXED BY case_transitions_to
             JOIN cases c ON c.id = t.case_id
             WHERE t.to_status = 'published'
               AND t.at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?1, 'unixepoch')
               AND t.at < strftime('%Y-%m-%dT%H:%M:%fZ', ?2, 'unixepoch')
             GROUP BY c.id ORDER BY c.id",
        )
        .bind(period.from)
        .bind(period.to)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|(case_id, opened_at, published_at)| PublishedCase {
            case_id,
            opened_at,
            published_at,
        })
        .collect())
    }

    async fn open_cases(&self) -> Result<Vec<OpenCase>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, unixepoch(created_at) FROM cases
             WHERE status NOT IN (?, ?, ?) ORDER BY id",
        )
        .bind(DONE[0].as_str())
        .bind(DONE[1].as_str())
        .bind(DONE[2].as_str())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(status, opened_at)| {
                let status = status
                    .parse::<CaseStatus>()
                    .map_err(|_| Error::Corrupt(format!("case status `{status}`")))?;
                Ok(OpenCase { status, opened_at })
            })
            .collect()
    }

    async fn editor_work(&self, period: Period) -> Result<Vec<EditorWork>> {
        let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT u.username, u.display_name,
                    SUM(t.from_status IS NULL), SUM(t.from_status IS NOT NULL),
                    SUM(t.to_status = 'published')
             FROM case_transitions t JOIN users u ON u.id = t.actor
             WHERE t.at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?1, 'unixepoch')
               AND t.at < strftime('%Y-%m-%dT%H:%M:%fZ', ?2, 'unixepoch')
             GROUP BY u.id ORDER BY COUNT(*) DESC, u.username",
        )
        .bind(period.from)
        .bind(period.to)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(username, display_name, opened, moves, published)| EditorWork {
                    username,
                    display_name,
                    cases_opened: opened.max(0) as u64,
                    moves: moves.max(0) as u64,
                    published: published.max(0) as u64,
                },
            )
            .collect())
    }

    async fn new_narratives(&self, period: Period, limit: u32) -> Result<Vec<NarrativeGrowth>> {
        let rows: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT n.id, n.representative_text, n.first_seen, n.item_count,
                    (SELECT COUNT(*) FROM narrative_items ni
                     WHERE ni.narrative_id = n.id AND ni.at >= ?1 AND ni.at < ?2)
             FROM narratives n INDEXED BY narratives_recent
             WHERE n.last_seen >= ?1 AND n.item_count >= 2
               AND n.first_seen >= ?1 AND n.first_seen < ?2
             ORDER BY n.item_count DESC, n.id LIMIT ?3",
        )
        .bind(period.from)
        .bind(period.to)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(growth).collect())
    }

    async fn growing_narratives(&self, period: Period, limit: u32) -> Result<Vec<NarrativeGrowth>> {
        let rows: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT id, representative_text, first_seen, item_count,
                    (SELECT COUNT(*) FROM narrative_items ni
                     WHERE ni.narrative_id = c.id AND ni.at >= ?1 AND ni.at < ?2) AS grown
             FROM (SELECT * FROM narratives n INDEXED BY narratives_recent
                   WHERE n.last_seen >= ?1 AND n.item_count >= 2 AND n.first_seen < ?2
                   ORDER BY n.item_count DESC, n.id LIMIT ?4) c
             WHERE grown > 0
             ORDER BY grown DESC, id LIMIT ?3",
        )
        .bind(period.from)
        .bind(period.to)
        .bind(i64::from(limit))
        .bind(i64::from(GROWTH_CANDIDATES))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(growth).collect())
    }
}
