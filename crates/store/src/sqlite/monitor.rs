//! The SQL of narratives, bursts, alerts and webhooks. Each function is one
//! [`crate::Store`] method; writes are one transaction each, begun IMMEDIATE.

use claimdesk_core::{
    Actor, Alert, AlertId, AlertRule, Burst, FactCheckId, ImageJoin, ItemId, JoinedBy,
    NarrativeCount, NarrativeId, NarrativeMember, Permission, WebhookId,
};
use serde_json::json;
use sqlx::{Row, SqliteConnection};

use super::write::{Change, Rights};
use crate::monitor::{
    AlertFilter, Assigned, Delivery, DeliveryAttempt, DueDelivery, HourlyVolume, NarrativeAlert,
    NarrativeAssignment, NarrativeDetail, NarrativeFactCheck, NarrativeFilter, NarrativeIndex,
    NarrativeItem, NarrativeSummary, NewAlert, NextAttempt, Representative, Tally, Webhook,
};
use crate::{Error, Result, SqliteStore};

/// Longest webhook secret and URL accepted.
const MAX_WEBHOOK_FIELD: usize = 2048;
/// Shortest webhook secret accepted: a guessable key signs nothing.
const MIN_WEBHOOK_SECRET: usize = 16;

/// The levels of the narratives' lookup keys (migration 0027), smallest first, each with the
/// rows it holds before its keys move down into the next; the last level holds the rest.
/// Keys are filed into the first: a batch's keys dirty its few hundred pages, not a page of
/// the large table each, and a move down writes each page of the next level once for many
/// keys. Ten times between levels keeps a key's moves few (three before the last level) and
/// each move's pages shared by about ten keys.
pub(crate) const NARRATIVE_KEY_LEVELS: [(&str, Option<u64>); 4] = [
    ("narrative_keys_0", Some(20_000)),
    ("narrative_keys_1", Some(200_000)),
    ("narrative_keys_2", Some(2_000_000)),
    ("narrative_keys", None),
];

fn vector_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn blob_vector(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// A JSON array of already-encoded values (numbers, arrays of numbers), for `json_each`.
fn json_array(values: impl Iterator<Item = String>) -> String {
    let mut out = String::from("[");
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&v);
    }
    out.push(']');
    out
}

fn joined_by(s: &str) -> Result<JoinedBy> {
    s.parse()
        .map_err(|e: claimdesk_core::UnknownName| Error::Corrupt(e.to_string()))
}

fn evidence_from(text: &str) -> Result<Vec<NarrativeMember>> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt(format!("burst evidence: {e}")))
}

/// (item, text, source, language, at, joined_by, near item, distance) of a narrative's item.
type ItemLine = (
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    Option<i64>,
    Option<i64>,
);
/// (webhook, alert, attempt, status, error, at) of a delivery.
type DeliveryLine = (i64, i64, i64, Option<i64>, Option<String>, String);

/// The SQL that lists narratives with their source count and burst.
macro_rules! summary_select {
    () => {
        "SELECT n.id, n.representative_text, n.representative_item, n.first_seen, n.last_seen,
                n.item_count,
                n.source_count AS sources,
                b.window_start, b.window_end, b.items AS burst_items,
                b.sources AS burst_sources, b.evidence
         FROM narratives n LEFT JOIN narrative_bursts b ON b.narrative_id = n.id "
    };
}

/// The narratives of at least two items (the desk's default list), by last growth, off
/// the partial index of such narratives: the literal `item_count >= 2` is what lets the
/// planner use it, so the single-item narratives most items start are never read.
pub(crate) const NARRATIVES_GROWN: &str = concat!(
    summary_select!(),
    "WHERE n.item_count >= 2 AND (?1 IS NULL OR n.last_seen >= ?1)
       AND n.item_count >= ?2 AND (?3 = 0 OR b.narrative_id IS NOT NULL)
     ORDER BY n.last_seen DESC, n.id DESC LIMIT ?4"
);

/// The representatives of the narratives in the JSON array `?1`, in item order: read from
/// the index that holds them (migration 0028), a few entries next to each other for each
/// narrative, never the rows of `narrative_items` they are spread over.
pub(crate) const REPRESENTATIVES_OF: &str =
    "SELECT narrative_id, fingerprint, minhash FROM narrative_items
     WHERE representative = 1 AND narrative_id IN (SELECT value FROM json_each(?1))
     ORDER BY item_id";

/// Every narrative, by last growth.
pub(crate) const NARRATIVES_ALL: &str = concat!(
    summary_select!(),
    "WHERE (?1 IS NULL OR n.last_seen >= ?1) AND n.item_count >= ?2
       AND (?3 = 0 OR b.narrative_id IS NOT NULL)
     ORDER BY n.last_seen DESC, n.id DESC LIMIT ?4"
);

fn summary_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<NarrativeSummary> {
    let evidence: Option<String> = row.try_get("evidence")?;
    let burst = match evidence {
        Some(text) => Some(Burst {
            window_start: row.try_get("window_start")?,
            window_end: row.try_get("window_end")?,
            items: row.try_get::<i64, _>("burst_items")? as u32,
            sources: row.try_get::<i64, _>("burst_sources")? as u32,
            evidence: evidence_from(&text)?,
        }),
        None => None,
    };
    Ok(NarrativeSummary {
        id: NarrativeId(row.try_get("id")?),
        representative_text: row.try_get("representative_text")?,
        representative_item: ItemId(row.try_get("representative_item")?),
        first_seen: row.try_get("first_seen")?,
        last_seen: row.try_get("last_seen")?,
        items: row.try_get::<i64, _>("item_count")? as u32,
        sources: row.try_get::<i64, _>("sources")? as u32,
        burst,
    })
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: i64,
    rule: String,
    subject: String,
    item_id: Option<i64>,
    narrative_id: Option<i64>,
    factcheck_id: Option<i64>,
    summary: String,
    details: String,
    created_at: String,
    narrative_items: Option<i64>,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
}

pub(crate) const ALERT_COLUMNS: &str = "id, rule, subject, item_id, narrative_id, factcheck_id, summary, \
     details, created_at, narrative_items, first_seen, last_seen";

fn parse_rule(rule: &str) -> Result<AlertRule> {
    rule.parse()
        .map_err(|e: claimdesk_core::UnknownName| Error::Corrupt(e.to_string()))
}

impl AlertRow {
    fn into_alert(self) -> Result<Alert> {
        Ok(Alert {
            id: AlertId(self.id),
            rule: parse_rule(&self.rule)?,
            subject: self.subject,
            item: self.item_id.map(ItemId),
            narrative: self.narrative_id.map(NarrativeId),
            count: match (self.narrative_items, self.first_seen, self.last_seen) {
                (Some(items), Some(first_seen), Some(last_seen)) => Some(NarrativeCount {
                    items: items as u32,
                    first_seen,
                    last_seen,
                }),
                _ => None,
            },
            fact_check: self.factcheck_id.map(FactCheckId),
            summary: self.summary,
            details: serde_json::from_str(&self.details)
                .map_err(|e| Error::Corrupt(format!("alert {} details: {e}", self.id)))?,
            created_at: self.created_at,
        })
    }
}

async fn load_alert(c: &mut SqliteConnection, id: i64) -> Result<Alert> {
    let row: AlertRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?"
    )))
    .bind(id)
    .fetch_one(c)
    .await?;
    row.into_alert()
}

fn check_webhook(url: &str, secret: &str) -> Result<()> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) || url.len() > MAX_WEBHOOK_FIELD {
        return Err(Error::Invalid(format!(
            "webhook URL `{url}`: give an http:// or https:// address with a host, e.g. \
             https://hooks.example/claimdesk"
        )));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::Invalid(format!(
            "webhook URL `{url}`: spaces and control characters are not allowed"
        )));
    }
    if secret.chars().count() < MIN_WEBHOOK_SECRET || secret.len() > MAX_WEBHOOK_FIELD {
        return Err(Error::Invalid(format!(
            "the webhook secret needs at least {MIN_WEBHOOK_SECRET} characters (the receiver \
             checks the signature with it; e.g. `openssl rand -hex 32`)"
        )));
    }
    Ok(())
}

impl SqliteStore {
    /// The index of every narrative (`only` = `None`) or of the narratives in `only`.
    pub(crate) async fn read_narrative_index(
        &self,
        only: Option<&[NarrativeId]>,
    ) -> Result<NarrativeIndex> {
        // `?1` is a JSON array of the narratives wanted, or NULL for all of them.
        let wanted = only.map(|ids| json_array(ids.iter().map(|n| n.0.to_string())));
        let wanted = wanted.as_deref();
        let members = self.read_representatives(wanted).await?;
        let bursts: Vec<(i64,)> = self
            .read_listed_or_all(
                wanted,
                "SELECT narrative_id FROM narrative_bursts
                 WHERE narrative_id IN (SELECT value FROM json_each(?1)) ORDER BY narrative_id",
                "SELECT narrative_id FROM narrative_bursts ORDER BY narrative_id",
            )
            .await?;
        let alerts: Vec<(i64, String, String, Option<i64>)> = self
            .read_listed_or_all(
                wanted,
                "SELECT narrative_id, rule, subject, narrative_items FROM alerts
                 WHERE narrative_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
                "SELECT narrative_id, rule, subject, narrative_items FROM alerts
                 WHERE narrative_id IS NOT NULL ORDER BY id",
            )
            .await?;
        let centroids: Vec<(i64, Vec<u8>, i64)> = self
            .read_listed_or_all(
                wanted,
                "SELECT id, centroid, centroid_count FROM narratives
                 WHERE id IN (SELECT value FROM json_each(?1)) AND centroid IS NOT NULL
                 ORDER BY id",
                "SELECT id, centroid, centroid_count FROM narratives
                 WHERE centroid IS NOT NULL ORDER BY id",
            )
            .await?;
        Ok(NarrativeIndex {
            members,
            centroids: centroids
                .into_iter()
                .map(|(n, blob, count)| (NarrativeId(n), blob_vector(&blob), count as u32))
                .collect(),
            bursts: bursts.into_iter().map(|(n,)| NarrativeId(n)).collect(),
            alerts: alerts
                .into_iter()
                .map(|(n, rule, subject, items)| {
                    Ok(NarrativeAlert {
                        narrative: NarrativeId(n),
                        rule: parse_rule(&rule)?,
                        subject,
                        items: items.map(|i| i as u32),
                    })
                })
                .collect::<Result<_>>()?,
        })
    }

    /// The representatives of the narratives in the JSON array `wanted` (all when `None`),
    /// in item order.
    pub(crate) async fn read_representatives(
        &self,
        wanted: Option<&str>,
    ) -> Result<Vec<Representative>> {
        let rows: Vec<(i64, Option<i64>, Option<Vec<u8>>)> = self
            .read_listed_or_all(
                wanted,
                REPRESENTATIVES_OF,
                "SELECT narrative_id, fingerprint, minhash FROM narrative_items
                 WHERE representative = 1 ORDER BY item_id",
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(n, fp, mh)| (NarrativeId(n), fp.map(|f| f as u64), mh))
            .collect())
    }

    /// The rows of `listed` (whose `?1` is the JSON array `wanted`) or, when `wanted` is
    /// `None`, of `all`. Two statements rather than one with `?1 IS NULL OR id IN (...)`:
    /// SQLite plans that condition as a scan of the whole table even for a handful of ids,
    /// and the narrative index is read for a few narratives at a time as they come back
    /// into memory.
    async fn read_listed_or_all<T>(
        &self,
        wanted: Option<&str>,
        listed: &'static str,
        all: &'static str,
    ) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        let query = match wanted {
            Some(ids) => sqlx::query_as(listed).bind(ids),
            None => sqlx::query_as(all),
        };
        Ok(query.fetch_all(self.pool()).await?)
    }

    pub(crate) async fn read_recent_narratives(&self, limit: u32) -> Result<Vec<NarrativeId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM narratives ORDER BY last_seen DESC, id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(NarrativeId).collect())
    }

    pub(crate) async fn write_narrative_keys(
        &self,
        keys: &[(u64, NarrativeId)],
        per_key: u32,
    ) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        // In key order: inserting them in order walks the B-tree once.
        let mut sorted: Vec<(i64, i64)> = keys.iter().map(|(k, n)| (*k as i64, n.0)).collect();
        sorted.sort_unstable();
        let pairs = json_array(sorted.iter().map(|(k, n)| format!("[{k},{n}]")));
        let mut tx = self.write_tx().await?;
        let (first, _) = NARRATIVE_KEY_LEVELS[0];
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT OR IGNORE INTO {first} (key, narrative_id)
             SELECT value ->> 0, value ->> 1 FROM json_each(?)"
        )))
        .bind(&pairs)
        .execute(&mut *tx)
        .await?;
        move_keys_down(&mut tx, per_key).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn read_narratives_of(
        &self,
        items: &[ItemId],
    ) -> Result<Vec<(ItemId, NarrativeId)>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT item_id, narrative_id FROM narrative_items
             WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id",
        )
        .bind(json_array(items.iter().map(|i| i.0.to_string())))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(item, narrative)| (ItemId(item), NarrativeId(narrative)))
            .collect())
    }

    pub(crate) async fn read_narratives_by_keys(
        &self,
        keys: &[u64],
        per_key: u32,
    ) -> Result<Vec<NarrativeId>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys = json_array(keys.iter().map(|k| (*k as i64).to_string()));
        // Every level's rows of the keys (each level seeks its primary key), then each key's
        // `per_key` newest: a key's older rows may still wait in a lower level.
        let found = NARRATIVE_KEY_LEVELS
            .iter()
            .map(|(table, _)| {
                format!("SELECT key, narrative_id FROM {table} WHERE key IN (SELECT value FROM k)")
            })
            .collect::<Vec<_>>()
            .join(" UNION ");
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "WITH k(value) AS (SELECT value FROM json_each(?1)),
                  found AS ({found})
             SELECT DISTINCT narrative_id FROM (
                 SELECT narrative_id,
                        row_number() OVER (PARTITION BY key ORDER BY narrative_id DESC) AS r
                 FROM found)
             WHERE r <= ?2 ORDER BY narrative_id"
        )))
        .bind(keys)
        .bind(i64::from(per_key.max(1)))
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(NarrativeId).collect())
    }

    pub(crate) async fn write_assign_narratives(
        &self,
        batch: &[NarrativeAssignment],
    ) -> Result<Vec<Assigned>> {
        let mut tx = self.write_tx().await?;
        let mut done: Vec<Assigned> = Vec::with_capacity(batch.len());
        for a in batch {
            let narrative = match a.joins_earlier {
                Some(i) => Some(
                    done.get(i)
                        .ok_or_else(|| {
                            Error::Invalid(format!(
                                "narrative assignment of item {} joins assignment {i}, which is not earlier in the batch",
                                a.item.0
                            ))
                        })?
                        .narrative,
                ),
                None => a.narrative,
            };
            done.push(assign_in(&mut tx, a, narrative).await?);
        }
        tx.commit().await?;
        Ok(done)
    }
}

/// One assignment inside the batch's transaction, into `narrative` (or a new one).
async fn assign_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    a: &NarrativeAssignment,
    narrative: Option<NarrativeId>,
) -> Result<Assigned> {
    // Whether the item is in a narrative already, and its time: when it was published,
    // else when it was ingested.
    let row: Option<(Option<i64>, Option<i64>, i64, String)> = sqlx::query_as(
        "SELECT ni.narrative_id, ni.at,
                COALESCE(unixepoch(i.published_at), unixepoch(imp.started_at), unixepoch('now')),
                i.text
         FROM items i LEFT JOIN imports imp ON imp.id = i.import_id
              LEFT JOIN narrative_items ni ON ni.item_id = i.id
         WHERE i.id = ?",
    )
    .bind(a.item.0)
    .fetch_optional(&mut **tx)
    .await?;
    let (existing, existing_at, at, text) = row.ok_or_else(|| Error::NotFound {
        what: "item",
        id: a.item.0.to_string(),
    })?;
    if let (Some(narrative), Some(at)) = (existing, existing_at) {
        let (items, first_seen, last_seen): (i64, i64, i64) =
            sqlx::query_as("SELECT item_count, first_seen, last_seen FROM narratives WHERE id = ?")
                .bind(narrative)
                .fetch_one(&mut **tx)
                .await?;
        return Ok(Assigned {
            narrative: NarrativeId(narrative),
            added: false,
            at,
            count: NarrativeCount {
                items: items as u32,
                first_seen,
                last_seen,
            },
        });
    }
    let (narrative, joined_by, count) = match narrative {
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO narratives (representative_item, representative_text, first_seen,
                    last_seen, item_count, centroid, centroid_count)
                 VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
            )
            .bind(a.item.0)
            .bind(&text)
            .bind(at)
            .bind(at)
            .bind(a.embedding.as_deref().map(vector_blob))
            .bind(i64::from(a.embedding.is_some()))
            .fetch_one(&mut **tx)
            .await?;
            let count = NarrativeCount {
                items: 1,
                first_seen: at,
                last_seen: at,
            };
            (id, JoinedBy::Seed, count)
        }
        Some(n) => {
            let current: Option<(Option<Vec<u8>>, i64)> =
                sqlx::query_as("SELECT centroid, centroid_count FROM narratives WHERE id = ?")
                    .bind(n.0)
                    .fetch_optional(&mut **tx)
                    .await?;
            let (centroid, count) = current.ok_or_else(|| Error::NotFound {
                what: "narrative",
                id: n.0.to_string(),
            })?;
            let (centroid, count) = match (&a.embedding, centroid) {
                (Some(e), Some(c)) => {
                    let mut c = blob_vector(&c);
                    if c.len() == e.len() {
                        // Running mean: the centroid of every embedded member.
                        let k = count as f32;
                        for (ci, ei) in c.iter_mut().zip(e) {
                            *ci = (*ci * k + ei) / (k + 1.0);
                        }
                        (Some(vector_blob(&c)), count + 1)
                    } else {
                        (Some(vector_blob(&c)), count)
                    }
                }
                (Some(e), None) => (Some(vector_blob(e)), 1),
                (None, c) => (c, count),
            };
            let (items, first_seen, last_seen): (i64, i64, i64) = sqlx::query_as(
                "UPDATE narratives SET first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?),
                    item_count = item_count + 1, centroid = ?, centroid_count = ?
                 WHERE id = ? RETURNING item_count, first_seen, last_seen",
            )
            .bind(at)
            .bind(at)
            .bind(centroid)
            .bind(count)
            .bind(n.0)
            .fetch_one(&mut **tx)
            .await?;
            let count = NarrativeCount {
                items: items as u32,
                first_seen,
                last_seen,
            };
            (n.0, a.joined_by, count)
        }
    };
    sqlx::query(
        "INSERT INTO narrative_items (item_id, narrative_id, fingerprint, minhash, joined_by, at,
            representative)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(a.item.0)
    .bind(narrative)
    .bind(a.fingerprint.map(|f| f as i64))
    .bind(a.minhash.as_deref())
    .bind(joined_by.as_str())
    .bind(at)
    .bind(i64::from(a.representative))
    .execute(&mut **tx)
    .await?;
    Ok(Assigned {
        narrative: NarrativeId(narrative),
        added: true,
        at,
        count,
    })
}

impl SqliteStore {
    pub(crate) async fn read_narrative_members(
        &self,
        id: NarrativeId,
        from: i64,
        to: i64,
    ) -> Result<Vec<NarrativeMember>> {
        let rows: Vec<(i64, i64, Option<String>, String)> = sqlx::query_as(
            "SELECT ni.item_id, ni.at, i.source, ni.joined_by
             FROM narrative_items ni JOIN items i ON i.id = ni.item_id
             WHERE ni.narrative_id = ? AND ni.at BETWEEN ? AND ? ORDER BY ni.at, ni.item_id",
        )
        .bind(id.0)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(item, at, source, by)| {
                Ok(NarrativeMember {
                    item: ItemId(item),
                    at,
                    source,
                    joined_by: joined_by(&by)?,
                })
            })
            .collect()
    }

    pub(crate) async fn write_burst(&self, id: NarrativeId, burst: &Burst) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let evidence =
            serde_json::to_string(&burst.evidence).map_err(|e| Error::Corrupt(e.to_string()))?;
        let done = sqlx::query(
            "INSERT INTO narrative_bursts (narrative_id, window_start, window_end, items, sources, evidence)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (narrative_id) DO NOTHING",
        )
        .bind(id.0)
        .bind(burst.window_start)
        .bind(burst.window_end)
        .bind(i64::from(burst.items))
        .bind(i64::from(burst.sources))
        .bind(evidence)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn read_narratives(
        &self,
        filter: &NarrativeFilter,
    ) -> Result<Vec<NarrativeSummary>> {
        let sql = if filter.min_items >= 2 {
            NARRATIVES_GROWN
        } else {
            NARRATIVES_ALL
        };
        let rows = sqlx::query(sql)
            .bind(filter.since)
            .bind(i64::from(filter.min_items))
            .bind(i64::from(filter.bursts_only))
            .bind(i64::from(filter.limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(summary_from_row).collect()
    }

    pub(crate) async fn read_narrative(
        &self,
        id: NarrativeId,
        items_limit: u32,
    ) -> Result<Option<NarrativeDetail>> {
        let pool = self.pool();
        let Some(row) = sqlx::query(concat!(summary_select!(), "WHERE n.id = ?"))
            .bind(id.0)
            .fetch_optional(pool)
            .await?
        else {
            return Ok(None);
        };
        let summary = summary_from_row(&row)?;
        if items_limit == 0 {
            return Ok(Some(NarrativeDetail {
                summary,
                volume: Vec::new(),
                languages: Vec::new(),
                sources: Vec::new(),
                fact_checks: Vec::new(),
                items: Vec::new(),
            }));
        }
        let volume: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT at - (at % 3600) AS hour, COUNT(*) FROM narrative_items
             WHERE narrative_id = ? GROUP BY hour ORDER BY hour",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?;
        let tally = |column: &'static str| {
            sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(format!(
                "SELECT i.{column}, COUNT(*) AS n FROM narrative_items ni JOIN items i
                   ON i.id = ni.item_id
                 WHERE ni.narrative_id = ? AND i.{column} IS NOT NULL
                 GROUP BY i.{column} ORDER BY n DESC, i.{column} LIMIT 100"
            )))
            .bind(id.0)
            .fetch_all(pool)
        };
        let to_tally = |rows: Vec<(String, i64)>| {
            rows.into_iter()
                .map(|(value, n)| Tally {
                    value,
                    items: n as u32,
                })
                .collect()
        };
        let languages = to_tally(tally("language").await?);
        // Sources from the summary the trigger of migration 0014 keeps (a flood has
        // hundreds of thousands of items but a few thousand sources).
        let sources = to_tally(
            sqlx::query_as(
                "SELECT source, items FROM narrative_sources WHERE narrative_id = ?
                 ORDER BY items DESC, source LIMIT 100",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?,
        );
        let fact_checks: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT f.id, f.claim, f.rating_label, COUNT(*) AS n
             FROM narrative_items ni JOIN matches m ON m.item_id = ni.item_id AND m.rank = 1
             JOIN factchecks f ON f.id = m.factcheck_id
             WHERE ni.narrative_id = ? GROUP BY f.id ORDER BY n DESC, f.id LIMIT 20",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?;
        let items: Vec<ItemLine> = sqlx::query_as(
            "SELECT i.id, i.text, i.source, i.language, ni.at, ni.joined_by, nb.near_item,
                    nb.distance
                 FROM narrative_items ni JOIN items i ON i.id = ni.item_id
                 LEFT JOIN item_image_neighbours nb
                    ON nb.item_id = ni.item_id AND ni.joined_by = 'image'
                 WHERE ni.narrative_id = ? ORDER BY ni.at, i.id LIMIT ?",
        )
        .bind(id.0)
        .bind(i64::from(items_limit))
        .fetch_all(pool)
        .await?;
        Ok(Some(NarrativeDetail {
            summary,
            volume: volume
                .into_iter()
                .map(|(hour, n)| HourlyVolume {
                    hour,
                    items: n as u32,
                })
                .collect(),
            languages,
            sources,
            fact_checks: fact_checks
                .into_iter()
                .map(|(fc, claim, rating_label, n)| NarrativeFactCheck {
                    fact_check: FactCheckId(fc),
                    claim,
                    rating_label,
                    items: n as u32,
                })
                .collect(),
            items: items
                .into_iter()
                .map(|(item, text, source, language, at, by, near, distance)| {
                    Ok(NarrativeItem {
                        item: ItemId(item),
                        text,
                        source,
                        language,
                        at,
                        joined_by: joined_by(&by)?,
                        image: near.zip(distance).map(|(near, distance)| ImageJoin {
                            item: ItemId(near),
                            distance: u32::try_from(distance).unwrap_or(256),
                        }),
                    })
                })
                .collect::<Result<_>>()?,
        }))
    }

    pub(crate) async fn write_clear_narratives(&self) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let keys = NARRATIVE_KEY_LEVELS.iter().map(|(table, _)| *table);
        for table in keys.chain([
            "narrative_bursts",
            "narrative_sources",
            "narrative_items",
            "narratives",
        ]) {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn write_raise_alert(&self, a: &NewAlert) -> Result<Option<Alert>> {
        let mut tx = Change::begin(self, Actor::System, Rights::Anyone).await?;
        let details = a.details.to_string();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO alerts (rule, subject, item_id, narrative_id, factcheck_id, summary, details,
                narrative_items, first_seen, last_seen, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rule, subject) DO NOTHING RETURNING id",
        )
        .bind(a.rule.as_str())
        .bind(&a.subject)
        .bind(a.item.map(|i| i.0))
        .bind(a.narrative.map(|n| n.0))
        .bind(a.fact_check.map(|f| f.0))
        .bind(&a.summary)
        .bind(&details)
        .bind(a.count.map(|c| i64::from(c.items)))
        .bind(a.count.map(|c| c.first_seen))
        .bind(a.count.map(|c| c.last_seen))
        .bind(tx.at().to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        let at = tx.at().to_string();
        sqlx::query(
            "INSERT INTO webhook_outbox (webhook_id, alert_id, next_attempt_at)
             SELECT id, ?, ? FROM webhooks WHERE removed_at IS NULL",
        )
        .bind(id)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            "alert.raise",
            &format!("alert:{id}"),
            None,
            Some(json!({ "rule": a.rule.as_str(), "subject": a.subject, "summary": a.summary })),
        )
        .await?;
        let alert = load_alert(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some(alert))
    }

    pub(crate) async fn read_alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        // One rule reads the index by rule and id (migration 0014), all rules the ids.
        let filter_sql = if filter.rule.is_some() {
            "rule = ?1"
        } else {
            "?1 IS NULL"
        };
        let rows: Vec<AlertRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE {filter_sql} ORDER BY id DESC LIMIT ?2"
        )))
        .bind(filter.rule.map(AlertRule::as_str))
        .bind(i64::from(filter.limit))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(AlertRow::into_alert).collect()
    }

    pub(crate) async fn write_add_webhook(
        &self,
        url: &str,
        secret: &str,
        actor: Actor,
    ) -> Result<Webhook> {
        check_webhook(url, secret)?;
        let mut tx =
            Change::begin(self, actor, Rights::Needs(Permission::ManageUsers, None)).await?;
        let (id, created_at): (i64, String) = sqlx::query_as(
            "INSERT INTO webhooks (url, secret) VALUES (?, ?) RETURNING id, created_at",
        )
        .bind(url)
        .bind(secret)
        .fetch_one(&mut *tx)
        .await?;
        // The secret stays out of the trail.
        tx.audit(
            "webhook.add",
            &format!("webhook:{id}"),
            None,
            Some(json!({ "url": url })),
        )
        .await?;
        tx.commit().await?;
        Ok(Webhook {
            id: WebhookId(id),
            url: url.to_string(),
            secret: secret.to_string(),
            created_at,
        })
    }

    pub(crate) async fn read_webhooks(&self) -> Result<Vec<Webhook>> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, url, secret, created_at FROM webhooks WHERE removed_at IS NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, url, secret, created_at)| Webhook {
                id: WebhookId(id),
                url,
                secret,
                created_at,
            })
            .collect())
    }

    pub(crate) async fn write_remove_webhook(&self, id: WebhookId, actor: Actor) -> Result<()> {
        let mut tx =
            Change::begin(self, actor, Rights::Needs(Permission::ManageUsers, None)).await?;
        let url: Option<String> =
            sqlx::query_scalar("SELECT url FROM webhooks WHERE id = ? AND removed_at IS NULL")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
        let url = url.ok_or_else(|| Error::NotFound {
            what: "webhook",
            id: id.0.to_string(),
        })?;
        let at = tx.at().to_string();
        sqlx::query("UPDATE webhooks SET removed_at = ? WHERE id = ?")
            .bind(&at)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM webhook_outbox WHERE webhook_id = ? AND state = 'pending'")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.audit(
            "webhook.remove",
            &format!("webhook:{}", id.0),
            Some(json!({ "url": url })),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn read_due_deliveries(
        &self,
        now: &str,
        limit: u32,
    ) -> Result<Vec<DueDelivery>> {
        let rows: Vec<(i64, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT w.id, w.url, w.secret, w.created_at, o.alert_id, o.attempts
             FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id
             WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND w.removed_at IS NULL
             ORDER BY o.next_attempt_at, o.alert_id LIMIT ?",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut c = self.pool().acquire().await?;
        for (id, url, secret, created_at, alert, attempts) in rows {
            out.push(DueDelivery {
                webhook: Webhook {
                    id: WebhookId(id),
                    url,
                    secret,
                    created_at,
                },
                alert: load_alert(&mut c, alert).await?,
                attempts: attempts as u32,
            });
        }
        Ok(out)
    }

    pub(crate) async fn write_record_delivery(&self, d: &DeliveryAttempt) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO webhook_deliveries (webhook_id, alert_id, attempt, status, error, at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(d.webhook.0)
        .bind(d.alert.0)
        .bind(i64::from(d.attempt))
        .bind(d.status.map(i64::from))
        .bind(&d.error)
        .bind(&d.at)
        .execute(&mut *tx)
        .await?;
        let (state, next) = match &d.next {
            NextAttempt::Delivered => ("delivered", d.at.as_str()),
            NextAttempt::RetryAt(t) => ("pending", t.as_str()),
            NextAttempt::GiveUp => ("failed", d.at.as_str()),
        };
        sqlx::query(
            "UPDATE webhook_outbox SET attempts = ?, state = ?, next_attempt_at = ?
             WHERE webhook_id = ? AND alert_id = ?",
        )
        .bind(i64::from(d.attempt))
        .bind(state)
        .bind(next)
        .bind(d.webhook.0)
        .bind(d.alert.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn read_deliveries(
        &self,
        webhook: Option<WebhookId>,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        let rows: Vec<DeliveryLine> = sqlx::query_as(
            "SELECT webhook_id, alert_id, attempt, status, error, at FROM webhook_deliveries
             WHERE (?1 IS NULL OR webhook_id = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(webhook.map(|w| w.0))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(w, a, attempt, status, error, at)| Delivery {
                webhook: WebhookId(w),
                alert: AlertId(a),
                attempt: attempt as u32,
                status: status.map(|s| s as u16),
                error,
                at,
            })
            .collect())
    }
}

/// Moves each full level of the lookup keys ([`NARRATIVE_KEY_LEVELS`]) down into the next,
/// in key order, inside the filing transaction; the next level then keeps each moved key's
/// `per_key` newest narratives (the first level keeps all it is given: reading applies the
/// limit). A level is counted only when the one above it moved.
async fn move_keys_down(tx: &mut SqliteConnection, per_key: u32) -> Result<()> {
    for pair in NARRATIVE_KEY_LEVELS.windows(2) {
        let [(from, Some(limit)), (to, _)] = pair else {
            break;
        };
        let rows: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {from}")))
                .fetch_one(&mut *tx)
                .await?;
        if (rows as u64) <= *limit {
            break;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT OR IGNORE INTO {to} (key, narrative_id)
             SELECT key, narrative_id FROM {from} ORDER BY key, narrative_id"
        )))
        .execute(&mut *tx)
        .await?;
        // (Below the `per_key`-th newest of its key: a seek to the key's end and a few
        // steps back, cheaper than numbering the key's rows with a window.)
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {to} AS nk
             WHERE nk.key IN (SELECT key FROM {from})
               AND nk.narrative_id < (
                   SELECT narrative_id FROM {to} WHERE key = nk.key
                   ORDER BY narrative_id DESC LIMIT 1 OFFSET ?1 - 1)"
        )))
        .bind(i64::from(per_key.max(1)))
        .execute(&mut *tx)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {from}")))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

use crate::MonitorStore;

impl MonitorStore for SqliteStore {
    async fn narrative_index(&self) -> Result<crate::NarrativeIndex> {
        self.read_narrative_index(None).await
    }

    async fn narrative_index_of(&self, ids: &[NarrativeId]) -> Result<crate::NarrativeIndex> {
        if ids.is_empty() {
            return Ok(crate::NarrativeIndex::default());
        }
        self.read_narrative_index(Some(ids)).await
    }

    async fn narrative_representatives(&self, ids: &[NarrativeId]) -> Result<Vec<Representative>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = json_array(ids.iter().map(|n| n.0.to_string()));
        self.read_representatives(Some(&wanted)).await
    }

    async fn recent_narratives(&self, limit: u32) -> Result<Vec<NarrativeId>> {
        self.read_recent_narratives(limit).await
    }

    async fn file_narrative_keys(&self, keys: &[(u64, NarrativeId)], per_key: u32) -> Result<()> {
        self.write_narrative_keys(keys, per_key).await
    }

    async fn narratives_by_keys(&self, keys: &[u64], per_key: u32) -> Result<Vec<NarrativeId>> {
        self.read_narratives_by_keys(keys, per_key).await
    }

    async fn narratives_of(&self, items: &[ItemId]) -> Result<Vec<(ItemId, NarrativeId)>> {
        self.read_narratives_of(items).await
    }

    async fn assign_narrative(&self, a: &crate::NarrativeAssignment) -> Result<crate::Assigned> {
        let mut done = self
            .write_assign_narratives(std::slice::from_ref(a))
            .await?;
        Ok(done.remove(0))
    }

    async fn assign_narratives(
        &self,
        batch: &[crate::NarrativeAssignment],
    ) -> Result<Vec<crate::Assigned>> {
        self.write_assign_narratives(batch).await
    }

    async fn narrative_members(
        &self,
        id: claimdesk_core::NarrativeId,
    ) -> Result<Vec<claimdesk_core::NarrativeMember>> {
        self.read_narrative_members(id, i64::MIN, i64::MAX).await
    }

    async fn narrative_members_between(
        &self,
        id: claimdesk_core::NarrativeId,
        from: i64,
        to: i64,
    ) -> Result<Vec<claimdesk_core::NarrativeMember>> {
        self.read_narrative_members(id, from, to).await
    }

    async fn save_burst(
        &self,
        id: claimdesk_core::NarrativeId,
        burst: &claimdesk_core::Burst,
    ) -> Result<bool> {
        self.write_burst(id, burst).await
    }

    async fn narratives(
        &self,
        filter: &crate::NarrativeFilter,
    ) -> Result<Vec<crate::NarrativeSummary>> {
        self.read_narratives(filter).await
    }

    async fn narrative(
        &self,
        id: claimdesk_core::NarrativeId,
        items_limit: u32,
    ) -> Result<Option<crate::NarrativeDetail>> {
        self.read_narrative(id, items_limit).await
    }

    async fn clear_narratives(&self) -> Result<()> {
        self.write_clear_narratives().await
    }

    async fn raise_alert(&self, alert: &crate::NewAlert) -> Result<Option<claimdesk_core::Alert>> {
        self.write_raise_alert(alert).await
    }

    async fn alerts(&self, filter: &crate::AlertFilter) -> Result<Vec<claimdesk_core::Alert>> {
        self.read_alerts(filter).await
    }

    async fn decide_alert(
        &self,
        alert: AlertId,
        decision: &crate::AlertDecision,
        actor: Actor,
    ) -> Result<crate::AlertState> {
        self.write_decide_alert(alert, decision, actor).await
    }

    async fn alert_states(&self, alerts: &[AlertId]) -> Result<Vec<crate::AlertState>> {
        self.read_alert_states(alerts).await
    }

    async fn add_webhook(&self, url: &str, secret: &str, actor: Actor) -> Result<crate::Webhook> {
        self.write_add_webhook(url, secret, actor).await
    }

    async fn webhooks(&self) -> Result<Vec<crate::Webhook>> {
        self.read_webhooks().await
    }

    async fn remove_webhook(&self, id: claimdesk_core::WebhookId, actor: Actor) -> Result<()> {
        self.write_remove_webhook(id, actor).await
    }

    async fn due_deliveries(&self, now: &str, limit: u32) -> Result<Vec<crate::DueDelivery>> {
        self.read_due_deliveries(now, limit).await
    }

    async fn record_delivery(&self, attempt: &crate::DeliveryAttempt) -> Result<()> {
        self.write_record_delivery(attempt).await
    }

    async fn deliveries(
        &self,
        webhook: Option<claimdesk_core::WebhookId>,
        limit: u32,
    ) -> Result<Vec<crate::Delivery>> {
        self.read_deliveries(webhook, limit).await
    }
}
