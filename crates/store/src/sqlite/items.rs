//! [`ItemStore`] for SQLite: items, check-worthiness, matches, the queue and the backlog.
//!
//! The queue itself is read in `queue` (off `item_queue`, migration 0014).

use std::collections::HashMap;

use claimdesk_core::{
    Explanation, FactCheckId, ImportCounts, ImportKind, Item, ItemId, StoredItem,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row};

use super::audit::{finish_import, log_import};
use super::write::{Change, Rights};
use super::{ITEM_CHUNK, SqliteStore, json_rows};
use crate::items::{ItemFacets, ItemFilter, Page, PageRequest, QueueEntry};
use crate::search::{self, Hits, Terms, Tier};
use crate::{Error, ImportSource, ItemStore, NewItem, Result, StoredMatch};

/// An `items` row.
#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    external_id: Option<String>,
    text: String,
    url: Option<String>,
    published_at: Option<String>,
    source: Option<String>,
    language: Option<String>,
}

impl ItemRow {
    fn into_item(self) -> StoredItem {
        StoredItem {
            id: ItemId(self.id),
            item: Item {
                external_id: self.external_id,
                text: self.text,
                url: self.url,
                published_at: self.published_at,
                source: self.source,
                language: self.language,
            },
        }
    }
}

impl SqliteStore {
    /// Inserts new items in one statement; records their ids in `known` and `changed`.
    async fn insert_items(
        tx: &mut Change,
        import_id: i64,
        pending: &[(usize, &NewItem)],
        known: &mut HashMap<String, (i64, Item)>,
        changed: &mut Vec<(usize, ItemId)>,
    ) -> Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        let rows = json_rows(
            pending
                .iter()
                .map(|(_, n)| {
                    let it = &n.item;
                    serde_json::json!([
                        n.key,
                        it.external_id,
                        it.text,
                        it.url,
                        it.published_at,
                        it.source,
                        it.language
                    ])
                })
                .collect(),
        );
        let ids: Vec<(i64, String)> = sqlx::query_as(
            "INSERT INTO items (item_key, external_id, text, url, published_at, source, language, import_id)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                    value ->> 6, ?
             FROM json_each(?) ORDER BY key
             RETURNING id, item_key",
        )
        .bind(import_id)
        .bind(rows)
        .fetch_all(&mut **tx)
        .await?;
        let by_key: HashMap<&str, i64> = ids.iter().map(|(id, k)| (k.as_str(), *id)).collect();
        for (position, new) in pending {
            let id = *by_key
                .get(new.key.as_str())
                .ok_or_else(|| Error::Corrupt(format!("item `{}` was not stored", new.key)))?;
            known.insert(new.key.clone(), (id, new.item.clone()));
            changed.push((*position, ItemId(id)));
        }
        Ok(())
    }
}

/// A stored explanation; one that does not read as [`Explanation`] is a corrupt row.
fn read_explanation(json: &str) -> Result<Explanation> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt(format!("match explanation: {e}")))
}

/// The JSON an explanation is stored as.
fn explanation_json(explanation: &Explanation) -> String {
    // An explanation holds only numbers, strings and lists: it always serializes.
    serde_json::to_string(explanation).unwrap_or_else(|_| "{}".into())
}

/// The FTS5 `MATCH` expression of one group of a search's results: the words of its set, in
/// its column, each quoted, the last with `*` when it is only begun; less the set before.
pub(crate) fn search_match(terms: &Terms, tier: Tier) -> String {
    let query = |hits: Hits| {
        let (form, words, begun) = terms.of_hits(hits);
        let last = words.len().saturating_sub(1);
        let quoted: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, w)| format!("\"{w}\"{}", if begun && i == last { "*" } else { "" }))
            .collect();
        format!("{} : ({})", form.column(), quoted.join(" "))
    };
    match tier.not {
        None => query(tier.hits),
        Some(not) => format!("({}) NOT ({})", query(tier.hits), query(not)),
    }
}

/// The token that stands for a value of a filter in the search index's column of it: the
/// value's bytes in hex after `prefix`, one run of letters and digits whatever the value
/// holds (`pt-BR` is one token, not `pt` and `br`), so matching it matches the whole value.
fn filter_token(prefix: char, value: &str) -> String {
    let mut token = String::with_capacity(1 + 2 * value.len());
    token.push(prefix);
    for b in value.bytes() {
        token.push_str(&format!("{b:02x}"));
    }
    token
}

/// The token of an item's language in the search index's `language` column.
pub(crate) fn language_token(language: &str) -> String {
    filter_token('l', language)
}

/// The token of an item's source in the search index's `source` column.
pub(crate) fn source_token(source: &str) -> String {
    filter_token('s', source)
}

/// Writes the search index's rows of `items` (id, item), replacing any they had: the text in
/// its two forms, the language and the source.
pub(crate) async fn index_items(
    conn: &mut sqlx::SqliteConnection,
    items: &[(i64, &Item)],
) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
    sqlx::query("DELETE FROM items_search WHERE rowid IN (SELECT value FROM json_each(?))")
        .bind(serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?)
        .execute(&mut *conn)
        .await?;
    let rows = json_rows(
        items
            .iter()
            .map(|(id, item)| {
                let (exact, folded) = search::forms(&item.text);
                serde_json::json!([
                    id,
                    exact,
                    folded,
                    item.language.as_deref().map(language_token),
                    item.source.as_deref().map(source_token),
                ])
            })
            .collect(),
    );
    sqlx::query(
        "INSERT INTO items_search (rowid, exact, folded, language, source)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
         FROM json_each(?)",
    )
    .bind(rows)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Items indexed per transaction when the store catches up on items stored before the
/// search index existed.
const INDEX_BATCH: i64 = 2_000;

pub(crate) fn match_from_row(row: &SqliteRow) -> Result<Option<StoredMatch>> {
    let Some(fact_check) = row.try_get::<Option<i64>, _>("factcheck_id")? else {
        return Ok(None);
    };
    let explanation: String = row.try_get("explanation")?;
    Ok(Some(StoredMatch {
        fact_check: FactCheckId(fact_check),
        rank: row.try_get::<i64, _>("rank")? as u32,
        score: row.try_get::<f64, _>("score")? as f32,
        explanation: read_explanation(&explanation)?,
    }))
}

pub(crate) fn item_from_row(row: &SqliteRow) -> Result<StoredItem> {
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
    /// Indexes the items the search index lacks: those stored before it existed, all with
    /// ids above the highest it holds (every item stored since is indexed in the
    /// transaction that stores it). Each batch is one write transaction that reads where to
    /// start inside it, so two processes opening the store at once do not index an item
    /// twice.
    pub(crate) async fn catch_up_search(&self) -> Result<u64> {
        let mut done = 0u64;
        loop {
            let mut tx = self.write_tx().await?;
            let last: i64 = sqlx::query_scalar(
                "SELECT coalesce((SELECT rowid FROM items_search ORDER BY rowid DESC LIMIT 1), 0)",
            )
            .fetch_one(&mut *tx)
            .await?;
            let rows: Vec<(i64, Item)> =
                sqlx::query_as::<_, (i64, String, Option<String>, Option<String>)>(
                    "SELECT id, text, language, source FROM items WHERE id > ? ORDER BY id LIMIT ?",
                )
                .bind(last)
                .bind(INDEX_BATCH)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(id, text, language, source)| {
                    let item = Item {
                        text,
                        language,
                        source,
                        ..Item::default()
                    };
                    (id, item)
                })
                .collect();
            if rows.is_empty() {
                return Ok(done);
            }
            let items: Vec<(i64, &Item)> = rows.iter().map(|(id, item)| (*id, item)).collect();
            index_items(&mut tx, &items).await?;
            tx.commit().await?;
            done += rows.len() as u64;
        }
    }
}

impl ItemStore for SqliteStore {
    async fn save_items(
        &self,
        batch: &[NewItem],
        source: ImportSource<'_>,
    ) -> Result<(ImportCounts, Vec<ItemId>)> {
        let mut tx = Change::begin(self, source.actor, Rights::Anyone).await?;
        let import_id = log_import(&mut tx, ImportKind::Items, &source).await?;
        let mut counts = ImportCounts {
            rejected: source.diagnostics.len() as u64,
            ..ImportCounts::default()
        };
        // Each chunk: one query for the stored versions of its keys, one statement for its
        // new items; only changed items are updated one by one.
        let mut changed: Vec<(usize, ItemId)> = Vec::new();
        let mut known: HashMap<String, (i64, Item)> = HashMap::new();
        for (chunk_no, chunk) in batch.chunks(ITEM_CHUNK).enumerate() {
            let keys = json_rows(chunk.iter().map(|n| n.key.clone().into()).collect());
            let rows: Vec<(String, ItemRow)> = sqlx::query(
                "SELECT item_key, id, external_id, text, url, published_at, source, language
                 FROM items WHERE item_key IN (SELECT value FROM json_each(?))",
            )
            .bind(keys)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("item_key")?, ItemRow::from_row(r)?)))
            .collect::<std::result::Result<_, sqlx::Error>>()?;
            for (key, row) in rows {
                let stored = row.into_item();
                known.insert(key, (stored.id.0, stored.item));
            }
            let mut pending: Vec<(usize, &NewItem)> = Vec::new();
            for (k, new) in chunk.iter().enumerate() {
                let position = chunk_no * ITEM_CHUNK + k;
                if pending.iter().any(|(_, p)| p.key == new.key) {
                    // The same key twice in a batch: the first is stored before the second
                    // is compared with it.
                    Self::insert_items(&mut tx, import_id, &pending, &mut known, &mut changed)
                        .await?;
                    counts.added += pending.len() as u64;
                    pending.clear();
                }
                match known.get(new.key.as_str()) {
                    Some((_, stored)) if *stored == new.item => counts.unchanged += 1,
                    Some(&(id, _)) => {
                        let it = &new.item;
                        sqlx::query(
                            "UPDATE items SET external_id = ?, text = ?, url = ?, published_at = ?,
                                source = ?, language = ?, import_id = ? WHERE id = ?",
                        )
                        .bind(&it.external_id)
                        .bind(&it.text)
                        .bind(&it.url)
                        .bind(&it.published_at)
                        .bind(&it.source)
                        .bind(&it.language)
                        .bind(import_id)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        counts.updated += 1;
                        changed.push((position, ItemId(id)));
                        known.insert(new.key.clone(), (id, it.clone()));
                    }
                    None => pending.push((position, new)),
                }
            }
            Self::insert_items(&mut tx, import_id, &pending, &mut known, &mut changed).await?;
            counts.added += pending.len() as u64;
        }
        changed.sort_unstable_by_key(|(position, _)| *position);
        let changed: Vec<ItemId> = changed.into_iter().map(|(_, id)| id).collect();
        // The search index follows in the same transaction.
        let changed_ids: std::collections::HashSet<i64> = changed.iter().map(|i| i.0).collect();
        let texts: Vec<(i64, &Item)> = known
            .values()
            .filter(|(id, _)| changed_ids.contains(id))
            .map(|(id, item)| (*id, item))
            .collect();
        index_items(&mut tx, &texts).await?;
        // Pending until the pipeline has processed them (in this transaction, so no item is
        // stored without being pending).
        if !changed.is_empty() {
            let ids: Vec<i64> = changed.iter().map(|i| i.0).collect();
            // Held by this process from the start (see `claim_pending`).
            sqlx::query(
                "INSERT INTO pending_items (item_id, stage, lease_until)
                 SELECT value, 0, CAST(unixepoch('now', 'subsec') * 1000 AS INTEGER) + ?
                 FROM json_each(?) WHERE true
                 ON CONFLICT (item_id) DO UPDATE SET stage = 0, lease_until = excluded.lease_until",
            )
            .bind(self.lease_ms())
            .bind(serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?)
            .execute(&mut *tx)
            .await?;
        }
        finish_import(&mut tx, import_id, ImportKind::Items, &source, &counts).await?;
        tx.commit().await?;
        Ok((counts, changed))
    }

    async fn items(&self, after: ItemId, limit: u32) -> Result<Vec<StoredItem>> {
        let rows: Vec<ItemRow> = sqlx::query_as(
            "SELECT id, external_id, text, url, published_at, source, language
             FROM items WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after.0)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(ItemRow::into_item).collect())
    }

    async fn save_matches(&self, item: ItemId, matches: &[StoredMatch]) -> Result<()> {
        self.save_matches_of(&[(item, matches.to_vec())]).await
    }

    async fn save_matches_of(&self, batch: &[(ItemId, Vec<StoredMatch>)]) -> Result<()> {
        // Two statements per batch (the rows travel as one JSON array), not one per row.
        let items: Vec<i64> = batch.iter().map(|(i, _)| i.0).collect();
        let rows: Vec<serde_json::Value> = batch
            .iter()
            .flat_map(|(item, matches)| {
                matches.iter().map(move |m| {
                    serde_json::json!([
                        item.0,
                        m.fact_check.0,
                        m.rank,
                        f64::from(m.score),
                        explanation_json(&m.explanation),
                        m.explanation.confident
                    ])
                })
            })
            .collect();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM matches WHERE item_id IN (SELECT value FROM json_each(?))")
            .bind(json_rows(
                items.into_iter().map(serde_json::Value::from).collect(),
            ))
            .execute(&mut *tx)
            .await?;
        if !rows.is_empty() {
            sqlx::query(
                "INSERT INTO matches (item_id, factcheck_id, rank, score, explanation, confident)
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4,
                        value ->> 5
                 FROM json_each(?)",
            )
            .bind(json_rows(rows))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn matches(&self, item: ItemId) -> Result<Vec<StoredMatch>> {
        let rows: Vec<(i64, i64, f64, String)> = sqlx::query_as(
            "SELECT factcheck_id, rank, score, explanation FROM matches WHERE item_id = ? ORDER BY rank",
        )
        .bind(item.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(fc, rank, score, explanation)| {
                Ok(StoredMatch {
                    fact_check: FactCheckId(fc),
                    rank: rank as u32,
                    score: score as f32,
                    explanation: read_explanation(&explanation)?,
                })
            })
            .collect()
    }

    async fn matches_of_items(&self, items: &[ItemId]) -> Result<Vec<Vec<StoredMatch>>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(&items.iter().map(|i| i.0).collect::<Vec<_>>())
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        let rows: Vec<(i64, i64, i64, f64, String)> = sqlx::query_as(
            "SELECT item_id, factcheck_id, rank, score, explanation FROM matches
             WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, rank",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        let mut by_item: std::collections::HashMap<i64, Vec<StoredMatch>> =
            std::collections::HashMap::new();
        for (item, fc, rank, score, explanation) in rows {
            by_item.entry(item).or_default().push(StoredMatch {
                fact_check: FactCheckId(fc),
                rank: rank as u32,
                score: score as f32,
                explanation: read_explanation(&explanation)?,
            });
        }
        Ok(items
            .iter()
            .map(|i| by_item.get(&i.0).cloned().unwrap_or_default())
            .collect())
    }

    async fn items_matched_to(&self, fact_checks: &[FactCheckId]) -> Result<Vec<ItemId>> {
        let ids: Vec<i64> = fact_checks.iter().map(|f| f.0).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT item_id FROM matches
             WHERE factcheck_id IN (SELECT value FROM json_each(?)) ORDER BY item_id",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(ItemId).collect())
    }

    async fn save_check_worthiness(
        &self,
        batch: &[(ItemId, claimdesk_core::CheckWorthiness)],
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(batch.len());
        for (item, cw) in batch {
            rows.push(serde_json::json!([
                item.0,
                f64::from(cw.score),
                serde_json::to_string(&cw.sentences)
                    .map_err(|e| Error::Corrupt(format!("check-worthiness sentences: {e}")))?,
                cw.scorer,
                cw.matched
            ]));
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT.
        sqlx::query(
            "INSERT INTO item_check_worthiness (item_id, score, sentences, scorer, matched)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
             FROM json_each(?) WHERE true
             ON CONFLICT (item_id) DO UPDATE SET score = excluded.score,
               sentences = excluded.sentences, scorer = excluded.scorer,
               matched = excluded.matched, scored_at = excluded.scored_at",
        )
        .bind(json_rows(rows))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn check_worthiness(
        &self,
        item: ItemId,
    ) -> Result<Option<claimdesk_core::CheckWorthiness>> {
        let row: Option<(f64, String, String, bool)> = sqlx::query_as(
            "SELECT score, sentences, scorer, matched FROM item_check_worthiness WHERE item_id = ?",
        )
        .bind(item.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(score, sentences, scorer, matched)| {
            Ok(claimdesk_core::CheckWorthiness {
                score: score as f32,
                sentences: serde_json::from_str(&sentences)
                    .map_err(|e| Error::Corrupt(format!("check-worthiness sentences: {e}")))?,
                scorer,
                matched,
            })
        })
        .transpose()
    }

    async fn first_item_since(&self, since: i64) -> Result<Option<ItemId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(i.id) FROM items i JOIN imports imp ON imp.id = i.import_id
             WHERE unixepoch(imp.started_at) >= ?",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(id.map(ItemId))
    }

    async fn pending_items(&self, limit: u32) -> Result<Vec<ItemId>> {
        let rows: Vec<i64> =
            sqlx::query_scalar("SELECT item_id FROM pending_items ORDER BY item_id LIMIT ?")
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(ItemId).collect())
    }

    async fn mark_processed(&self, items: &[ItemId]) -> Result<()> {
        let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        sqlx::query("DELETE FROM pending_items WHERE item_id IN (SELECT value FROM json_each(?))")
            .bind(ids)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn claim_pending(&self, limit: u32) -> Result<Vec<ItemId>> {
        let mut tx = self.write_tx().await?;
        let rows: Vec<i64> = sqlx::query_scalar(
            "UPDATE pending_items
             SET lease_until = CAST(unixepoch('now', 'subsec') * 1000 AS INTEGER) + ?
             WHERE item_id IN (
                 SELECT item_id FROM pending_items WHERE stage = 0
                 ORDER BY item_id LIMIT ?)
             RETURNING item_id",
        )
        .bind(self.lease_ms())
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut ids: Vec<ItemId> = rows.into_iter().map(ItemId).collect();
        ids.sort();
        Ok(ids)
    }

    async fn finish_matching(&self, items: &[ItemId]) -> Result<()> {
        let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        sqlx::query(
            "UPDATE pending_items SET stage = 1, lease_until = NULL
             WHERE item_id IN (SELECT value FROM json_each(?))",
        )
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn pending_narratives(&self, limit: u32) -> Result<Vec<ItemId>> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "DELETE FROM pending_items WHERE stage = 1
             AND item_id IN (SELECT n.item_id FROM narrative_items n
                             JOIN pending_items p ON p.item_id = n.item_id AND p.stage = 1)",
        )
        .execute(&mut *tx)
        .await?;
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT item_id FROM pending_items WHERE stage = 1 ORDER BY item_id LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(ItemId).collect())
    }

    async fn queue(&self, filter: &ItemFilter, page: PageRequest) -> Result<Page<QueueEntry>> {
        self.read_queue(filter, page).await
    }

    async fn item(&self, id: ItemId) -> Result<Option<StoredItem>> {
        let row: Option<ItemRow> = sqlx::query_as(
            "SELECT id, external_id, text, url, published_at, source, language
             FROM items WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(ItemRow::into_item))
    }

    async fn item_facets(&self) -> Result<ItemFacets> {
        // From the summary the triggers of migration 0014 keep, not from the items.
        let languages = sqlx::query_scalar(
            "SELECT value FROM item_facets WHERE facet = 'language' AND items > 0 ORDER BY value",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut sources: Vec<String> = sqlx::query_scalar(
            "SELECT value FROM item_facets WHERE facet = 'source' AND items > 0
             ORDER BY items DESC, value LIMIT ?",
        )
        .bind(crate::FACET_SOURCES as i64)
        .fetch_all(&self.pool)
        .await?;
        sources.sort();
        Ok(ItemFacets { languages, sources })
    }
}
