//! [`ItemStore`] for PostgreSQL: items, check-worthiness, matches, the queue and the backlog.
//!
//! The queue itself is read in `queue` (off `item_queue`, kept by the triggers of
//! `0001_init.sql`).
//!
//! Queue search: PostgreSQL has no FTS5. Each item's two search forms (exact and accent-free,
//! as on SQLite) are stored as `tsvector`s in `items_search`, each with a GIN index, and a
//! search is a `tsquery` of every word (`'w1' & 'w2'`, and with the last as a prefix
//! `'w1' & 'w2':*`): the same sets of hits as the FTS5 queries ([`crate::search`]). The lexemes are made here, by splitting
//! the normalized text at every character that is not a letter or digit (as FTS5's
//! `unicode61` tokenizer and the query do), and given to `array_to_tsvector` unchanged, so
//! no text search configuration or server locale decides what a word is. `pg_trgm` was
//! the other candidate: it finds substrings, not words, so it would match inside words and
//! need a second filter to keep the FTS5 behaviour.

use std::collections::HashMap;

use claimdesk_core::{
    Explanation, FactCheckId, ImportCounts, ImportKind, Item, ItemId, StoredItem,
};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};

use super::audit::{finish_import, log_import};
use super::write::{Change, Rights};
use super::{ITEM_CHUNK, PgStore, json_rows};
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

impl PgStore {
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
                    value ->> 6, $1
             FROM json_array_elements($2::json) WITH ORDINALITY AS r (value, key) ORDER BY key
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

/// The longest lexeme a `tsvector` holds, in bytes (PostgreSQL's limit is 2047).
const MAX_LEXEME: usize = 2046;

/// The words of a normalized text: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= MAX_LEXEME)
}

/// The distinct words of a normalized text, as `array_to_tsvector` takes them.
fn lexemes(text: &str) -> Vec<&str> {
    let mut all: Vec<&str> = words(text).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The condition on `items_search s` of one group of a search's results, with its
/// `tsquery`s to bind: the words of its set in its column, each quoted, the last with `:*`
/// when it is only begun; and not those of the set before.
pub(crate) fn search_condition(terms: &Terms, tier: Tier) -> (String, Vec<String>) {
    let query = |hits: Hits| {
        let (form, words, begun) = terms.of_hits(hits);
        let last = words.len().saturating_sub(1);
        let quoted: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, w)| format!("'{w}'{}", if begun && i == last { ":*" } else { "" }))
            .collect();
        (
            format!("s.{} @@ ?::tsquery", form.column()),
            quoted.join(" & "),
        )
    };
    let (mut sql, first) = query(tier.hits);
    let mut binds = vec![first];
    if let Some(not) = tier.not {
        let (not_sql, second) = query(not);
        sql = format!("{sql} AND NOT {not_sql}");
        binds.push(second);
    }
    (sql, binds)
}

/// The words of a search that a `tsvector` can hold.
pub(crate) fn search_terms(text: &str) -> Option<Terms> {
    Terms::of(text, |w| w.len() <= MAX_LEXEME)
}

/// Writes the search index's rows of `items` (id, text), replacing any they had.
pub(crate) async fn index_items(
    conn: &mut sqlx::PgConnection,
    items: &[(i64, &str)],
) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
    sqlx::query(
        "DELETE FROM items_search
         WHERE item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json))",
    )
    .bind(serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?)
    .execute(&mut *conn)
    .await?;
    let rows = json_rows(
        items
            .iter()
            .map(|(id, text)| {
                let (exact, folded) = search::forms(text);
                serde_json::json!([id, lexemes(&exact), lexemes(&folded)])
            })
            .collect(),
    );
    sqlx::query(
        "INSERT INTO items_search (item_id, exact, folded)
         SELECT (r ->> 0)::bigint,
                array_to_tsvector(ARRAY(SELECT json_array_elements_text(r -> 1))),
                array_to_tsvector(ARRAY(SELECT json_array_elements_text(r -> 2)))
         FROM json_array_elements($1::json) AS r",
    )
    .bind(rows)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) fn match_from_row(row: &PgRow) -> Result<Option<StoredMatch>> {
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

pub(crate) fn item_from_row(row: &PgRow) -> Result<StoredItem> {
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

impl ItemStore for PgStore {
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
                 FROM items
                 WHERE item_key IN (SELECT value FROM json_array_elements_text($1::json))",
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
                            "UPDATE items SET external_id = $1, text = $2, url = $3, published_at = $4,
                                source = $5, language = $6, import_id = $7 WHERE id = $8",
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
        let texts: Vec<(i64, &str)> = known
            .values()
            .filter(|(id, _)| changed_ids.contains(id))
            .map(|(id, item)| (*id, item.text.as_str()))
            .collect();
        index_items(&mut tx, &texts).await?;
        // Pending until the pipeline has processed them (in this transaction, so no item is
        // stored without being pending).
        if !changed.is_empty() {
            // Each id once: an item changed twice in a batch would otherwise be two rows of
            // one statement, which `ON CONFLICT DO UPDATE` refuses (and `DISTINCT` cannot
            // merge them, `now_ms()` being read per row).
            let mut ids: Vec<i64> = changed.iter().map(|i| i.0).collect();
            ids.sort_unstable();
            ids.dedup();
            // Held by this process from the start (see `claim_pending`).
            sqlx::query(
                "INSERT INTO pending_items (item_id, stage, lease_until)
                 SELECT value::bigint, 0, now_ms() + $2
                 FROM json_array_elements_text($1::json)
                 ON CONFLICT (item_id) DO UPDATE SET stage = 0, lease_until = excluded.lease_until",
            )
            .bind(serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?)
            .bind(self.lease_ms())
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
             FROM items WHERE id > $1 ORDER BY id LIMIT $2",
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
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "DELETE FROM matches
             WHERE item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json))",
        )
        .bind(json_rows(
            items.into_iter().map(serde_json::Value::from).collect(),
        ))
        .execute(&mut *tx)
        .await?;
        if !rows.is_empty() {
            sqlx::query(
                "INSERT INTO matches (item_id, factcheck_id, rank, score, explanation, confident)
                 SELECT (value ->> 0)::bigint, (value ->> 1)::bigint, (value ->> 2)::bigint,
                        (value ->> 3)::float8, value ->> 4, (value ->> 5)::boolean
                 FROM json_array_elements($1::json) AS value",
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
            "SELECT factcheck_id, rank, score, explanation FROM matches WHERE item_id = $1 ORDER BY rank",
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
             WHERE item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json))
             ORDER BY item_id, rank",
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
             WHERE factcheck_id IN
                   (SELECT value::bigint FROM json_array_elements_text($1::json))
             ORDER BY item_id",
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
        // An item twice in a batch keeps its last score, as on SQLite: `ON CONFLICT DO
        // UPDATE` refuses to touch one row twice in a statement.
        let last: HashMap<ItemId, usize> = batch
            .iter()
            .enumerate()
            .map(|(i, (item, _))| (*item, i))
            .collect();
        let mut rows = Vec::with_capacity(batch.len());
        for (i, (item, cw)) in batch.iter().enumerate() {
            if last[item] != i {
                continue;
            }
            rows.push(serde_json::json!([
                item.0,
                f64::from(cw.score),
                serde_json::to_string(&cw.sentences)
                    .map_err(|e| Error::Corrupt(format!("check-worthiness sentences: {e}")))?,
                cw.scorer,
                cw.matched
            ]));
        }
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO item_check_worthiness (item_id, score, sentences, scorer, matched)
             SELECT (value ->> 0)::bigint, (value ->> 1)::float8, value ->> 2, value ->> 3,
                    (value ->> 4)::boolean
             FROM json_array_elements($1::json) AS value
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
            "SELECT score, sentences, scorer, matched FROM item_check_worthiness WHERE item_id = $1",
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
             WHERE unixepoch(imp.started_at) >= $1",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(id.map(ItemId))
    }

    async fn pending_items(&self, limit: u32) -> Result<Vec<ItemId>> {
        let rows: Vec<i64> =
            sqlx::query_scalar("SELECT item_id FROM pending_items ORDER BY item_id LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(ItemId).collect())
    }

    async fn mark_processed(&self, items: &[ItemId]) -> Result<()> {
        let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        sqlx::query(
            "DELETE FROM pending_items
             WHERE item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json))",
        )
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn claim_pending(&self, limit: u32) -> Result<Vec<ItemId>> {
        // SKIP LOCKED: processes taking items at the same time each get others.
        let rows: Vec<i64> = sqlx::query_scalar(
            "UPDATE pending_items SET lease_until = now_ms() + $1
             WHERE item_id IN (
                 SELECT item_id FROM pending_items
                 WHERE stage = 0 AND (lease_until IS NULL OR lease_until < now_ms())
                 ORDER BY item_id LIMIT $2
                 FOR UPDATE SKIP LOCKED)
             RETURNING item_id",
        )
        .bind(self.lease_ms())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut ids: Vec<ItemId> = rows.into_iter().map(ItemId).collect();
        ids.sort();
        Ok(ids)
    }

    async fn finish_matching(&self, items: &[ItemId]) -> Result<()> {
        let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        sqlx::query(
            "UPDATE pending_items SET stage = 1, lease_until = NULL
             WHERE item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json))",
        )
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn pending_narratives(&self, limit: u32) -> Result<Vec<ItemId>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM pending_items p USING narrative_items n
             WHERE p.stage = 1 AND n.item_id = p.item_id",
        )
        .execute(&mut *tx)
        .await?;
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT item_id FROM pending_items WHERE stage = 1 ORDER BY item_id LIMIT $1",
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
             FROM items WHERE id = $1",
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
             ORDER BY items DESC, value LIMIT $1",
        )
        .bind(crate::FACET_SOURCES as i64)
        .fetch_all(&self.pool)
        .await?;
        sources.sort();
        Ok(ItemFacets { languages, sources })
    }
}
