//! The embedded store: SQLite in one file, WAL journal, migrations compiled in.

use std::path::Path;
use std::str::FromStr;

use claimdesk_core::{
    FactCheck, FactCheckId, ImportCounts, ImportKind, Item, ItemId, Rating, StoredFactCheck,
    StoredItem,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};

use crate::{
    Error, FactCheckChange, ImportRecord, ImportSource, ItemFacets, ItemFilter, NewFactCheck,
    NewItem, Page, PageRequest, QueueEntry, Result, Store, StoredMatch,
};

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

/// An `imports` row.
#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    kind: String,
    file: String,
    format: String,
    started_at: String,
    added: i64,
    updated: i64,
    unchanged: i64,
    aliased: i64,
    rejected: i64,
}

/// The SQLite implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

/// The columns [`fact_check_from_row`] reads, as a literal so statements stay static SQL.
macro_rules! factcheck_columns {
    () => {
        "id, source_id, claim, headline, rating_value, rating_best, rating_worst, rating_label, \
         claim_author, claim_date, appearances, author, date_published, url, language, \
         alias_of, revision"
    };
}

impl SqliteStore {
    /// Opens (creating it if needed) the database file at `path` and migrates it.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true);
        Self::connect(options).await
    }

    /// Opens a database from a `sqlite:` URL (`sqlite::memory:` for tests).
    pub async fn open_url(url: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .foreign_keys(true);
        Self::connect(options).await
    }

    async fn connect(options: SqliteConnectOptions) -> Result<SqliteStore> {
        // One writer at a time is SQLite's model; one connection keeps `:memory:` one database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    async fn log_import(
        tx: &mut Transaction<'_, Sqlite>,
        kind: ImportKind,
        source: &ImportSource<'_>,
    ) -> Result<i64> {
        let diagnostics =
            serde_json::to_string(source.diagnostics).map_err(|e| Error::Corrupt(e.to_string()))?;
        let id = sqlx::query(
            "INSERT INTO imports (kind, file, format, added, updated, unchanged, aliased, rejected, diagnostics)
             VALUES (?, ?, ?, 0, 0, 0, 0, ?, ?) RETURNING id",
        )
        .bind(kind.as_str())
        .bind(source.file)
        .bind(source.format)
        .bind(source.diagnostics.len() as i64)
        .bind(diagnostics)
        .fetch_one(&mut **tx)
        .await?
        .get(0);
        Ok(id)
    }

    async fn finish_import(
        tx: &mut Transaction<'_, Sqlite>,
        id: i64,
        c: &ImportCounts,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE imports SET added = ?, updated = ?, unchanged = ?, aliased = ? WHERE id = ?",
        )
        .bind(c.added as i64)
        .bind(c.updated as i64)
        .bind(c.unchanged as i64)
        .bind(c.aliased as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Re-derives the canonical entry of a duplicate group: the lowest id is canonical, the
    /// others point at it. Rows whose `alias_of` changes take the new revision.
    async fn regroup(tx: &mut Transaction<'_, Sqlite>, key: &str, revision: i64) -> Result<()> {
        let ids: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, alias_of FROM factchecks WHERE duplicate_key = ? ORDER BY id",
        )
        .bind(key)
        .fetch_all(&mut **tx)
        .await?;
        let Some(&(canonical, _)) = ids.first() else {
            return Ok(());
        };
        for (id, alias_of) in ids {
            let want = (id != canonical).then_some(canonical);
            if alias_of != want {
                sqlx::query("UPDATE factchecks SET alias_of = ?, revision = ? WHERE id = ?")
                    .bind(want)
                    .bind(revision)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }
}

// After the macro above, which the desk's queries use too.
mod desk_read;

fn fact_check_from_row(row: &SqliteRow) -> Result<(StoredFactCheck, i64)> {
    let appearances: String = row.try_get("appearances")?;
    let appearances: Vec<String> = serde_json::from_str(&appearances)
        .map_err(|e| Error::Corrupt(format!("appearances: {e}")))?;
    let rating = Rating {
        value: row.try_get("rating_value")?,
        best: row.try_get("rating_best")?,
        worst: row.try_get("rating_worst")?,
        label: row.try_get("rating_label")?,
    };
    let fc = FactCheck {
        source_id: row.try_get("source_id")?,
        claim: row.try_get("claim")?,
        headline: row.try_get("headline")?,
        rating: (!rating.is_empty()).then_some(rating),
        claim_author: row.try_get("claim_author")?,
        claim_date: row.try_get("claim_date")?,
        appearances,
        author: row.try_get("author")?,
        date_published: row.try_get("date_published")?,
        url: row.try_get("url")?,
        language: row.try_get("language")?,
    };
    let alias_of: Option<i64> = row.try_get("alias_of")?;
    Ok((
        StoredFactCheck {
            id: FactCheckId(row.try_get("id")?),
            alias_of: alias_of.map(FactCheckId),
            fact_check: fc,
        },
        row.try_get("revision")?,
    ))
}

impl Store for SqliteStore {
    async fn save_fact_checks(
        &self,
        batch: &[NewFactCheck],
        source: ImportSource<'_>,
    ) -> Result<ImportCounts> {
        let mut tx = self.pool.begin().await?;
        let import_id = Self::log_import(&mut tx, ImportKind::FactChecks, &source).await?;
        let revision: i64 = sqlx::query_scalar(
            "UPDATE counters SET value = value + 1 WHERE name = 'factcheck_revision' RETURNING value",
        )
        .fetch_one(&mut *tx)
        .await?;
        let mut counts = ImportCounts {
            rejected: source.diagnostics.len() as u64,
            ..ImportCounts::default()
        };
        for new in batch {
            let fc = &new.fact_check;
            let existing = sqlx::query(concat!(
                "SELECT ",
                factcheck_columns!(),
                ", duplicate_key FROM factchecks WHERE source_id = ?"
            ))
            .bind(&fc.source_id)
            .fetch_optional(&mut *tx)
            .await?;
            let old_key = match &existing {
                Some(row) => {
                    let (stored, _) = fact_check_from_row(row)?;
                    if stored.fact_check == *fc {
                        counts.unchanged += 1;
                        continue;
                    }
                    Some(row.try_get::<String, _>("duplicate_key")?)
                }
                None => None,
            };
            let rating = fc.rating.clone().unwrap_or_default();
            let appearances = serde_json::to_string(&fc.appearances)
                .map_err(|e| Error::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO factchecks (source_id, claim, headline, rating_value, rating_best,
                    rating_worst, rating_label, claim_author, claim_date, appearances, author,
                    date_published, url, language, duplicate_key, revision, import_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (source_id) DO UPDATE SET claim = excluded.claim,
                    headline = excluded.headline, rating_value = excluded.rating_value,
                    rating_best = excluded.rating_best, rating_worst = excluded.rating_worst,
                    rating_label = excluded.rating_label, claim_author = excluded.claim_author,
                    claim_date = excluded.claim_date, appearances = excluded.appearances,
                    author = excluded.author, date_published = excluded.date_published,
                    url = excluded.url, language = excluded.language,
                    duplicate_key = excluded.duplicate_key, revision = excluded.revision,
                    import_id = excluded.import_id",
            )
            .bind(&fc.source_id)
            .bind(&fc.claim)
            .bind(&fc.headline)
            .bind(rating.value)
            .bind(rating.best)
            .bind(rating.worst)
            .bind(&rating.label)
            .bind(&fc.claim_author)
            .bind(&fc.claim_date)
            .bind(appearances)
            .bind(&fc.author)
            .bind(&fc.date_published)
            .bind(&fc.url)
            .bind(&fc.language)
            .bind(&new.duplicate_key)
            .bind(revision)
            .bind(import_id)
            .execute(&mut *tx)
            .await?;
            match old_key {
                Some(old) => {
                    counts.updated += 1;
                    if old != new.duplicate_key {
                        Self::regroup(&mut tx, &old, revision).await?;
                    }
                }
                None => counts.added += 1,
            }
            Self::regroup(&mut tx, &new.duplicate_key, revision).await?;
            if existing.is_none() {
                let alias: Option<i64> =
                    sqlx::query_scalar("SELECT alias_of FROM factchecks WHERE source_id = ?")
                        .bind(&fc.source_id)
                        .fetch_one(&mut *tx)
                        .await?;
                if alias.is_some() {
                    counts.aliased += 1;
                }
            }
        }
        if counts.added + counts.updated == 0 {
            // Nothing changed: give the revision back so derived indexes stay current.
            sqlx::query("UPDATE counters SET value = value - 1 WHERE name = 'factcheck_revision'")
                .execute(&mut *tx)
                .await?;
        }
        Self::finish_import(&mut tx, import_id, &counts).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn save_items(
        &self,
        batch: &[NewItem],
        source: ImportSource<'_>,
    ) -> Result<(ImportCounts, Vec<ItemId>)> {
        let mut tx = self.pool.begin().await?;
        let import_id = Self::log_import(&mut tx, ImportKind::Items, &source).await?;
        let mut counts = ImportCounts {
            rejected: source.diagnostics.len() as u64,
            ..ImportCounts::default()
        };
        let mut changed = Vec::new();
        for new in batch {
            let it = &new.item;
            let existing: Option<ItemRow> = sqlx::query_as(
                "SELECT id, external_id, text, url, published_at, source, language
                 FROM items WHERE item_key = ?",
            )
            .bind(&new.key)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = existing {
                let stored = row.into_item();
                let id = stored.id.0;
                let stored = stored.item;
                if stored == *it {
                    counts.unchanged += 1;
                    continue;
                }
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
                changed.push(ItemId(id));
                continue;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO items (item_key, external_id, text, url, published_at, source, language, import_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&new.key)
            .bind(&it.external_id)
            .bind(&it.text)
            .bind(&it.url)
            .bind(&it.published_at)
            .bind(&it.source)
            .bind(&it.language)
            .bind(import_id)
            .fetch_one(&mut *tx)
            .await?;
            counts.added += 1;
            changed.push(ItemId(id));
        }
        Self::finish_import(&mut tx, import_id, &counts).await?;
        tx.commit().await?;
        Ok((counts, changed))
    }

    async fn revision(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'factcheck_revision'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn fact_checks_since(&self, revision: i64) -> Result<Vec<FactCheckChange>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            " FROM factchecks WHERE revision > ? ORDER BY id"
        ))
        .bind(revision)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let (fact_check, revision) = fact_check_from_row(r)?;
                Ok(FactCheckChange {
                    fact_check,
                    revision,
                })
            })
            .collect()
    }

    async fn fact_checks(&self) -> Result<Vec<StoredFactCheck>> {
        Ok(self
            .fact_checks_since(i64::MIN)
            .await?
            .into_iter()
            .map(|c| c.fact_check)
            .collect())
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
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM matches WHERE item_id = ?")
            .bind(item.0)
            .execute(&mut *tx)
            .await?;
        for m in matches {
            sqlx::query(
                "INSERT INTO matches (item_id, factcheck_id, rank, score, explanation) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(item.0)
            .bind(m.fact_check.0)
            .bind(m.rank as i64)
            .bind(m.score as f64)
            .bind(m.explanation.to_string())
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
                    explanation: serde_json::from_str(&explanation)
                        .map_err(|e| Error::Corrupt(format!("match explanation: {e}")))?,
                })
            })
            .collect()
    }

    async fn imports(&self) -> Result<Vec<ImportRecord>> {
        let rows: Vec<ImportRow> = sqlx::query_as(
            "SELECT id, kind, file, format, started_at, added, updated, unchanged, aliased, rejected
             FROM imports ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ImportRecord {
                id: r.id,
                kind: r.kind,
                file: r.file,
                format: r.format,
                started_at: r.started_at,
                counts: ImportCounts {
                    added: r.added as u64,
                    updated: r.updated as u64,
                    unchanged: r.unchanged as u64,
                    aliased: r.aliased as u64,
                    rejected: r.rejected as u64,
                },
            })
            .collect())
    }

    async fn counts(&self) -> Result<(u64, u64)> {
        let (f, i): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM factchecks), (SELECT COUNT(*) FROM items)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((f as u64, i as u64))
    }

    async fn embeddings(&self, model: &str, hashes: &[u64]) -> Result<Vec<(u64, Vec<f32>)>> {
        let mut out = Vec::with_capacity(hashes.len());
        for chunk in hashes.chunks(500) {
            let mut sql = String::from(
                "SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN (",
            );
            for i in 0..chunk.len() {
                sql.push_str(if i == 0 { "?" } else { ", ?" });
            }
            sql.push(')');
            let mut query =
                sqlx::query_as::<_, (i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql)).bind(model);
            for &h in chunk {
                query = query.bind(h as i64);
            }
            for (hash, blob) in query.fetch_all(&self.pool).await? {
                let vector = blob
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                out.push((hash as u64, vector));
            }
        }
        Ok(out)
    }

    async fn save_embeddings(&self, model: &str, vectors: &[(u64, Vec<f32>)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (hash, vector) in vectors {
            let blob: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
            sqlx::query(
                "INSERT OR IGNORE INTO embeddings (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
            )
            .bind(model)
            .bind(*hash as i64)
            .bind(vector.len() as i64)
            .bind(blob)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn queue(&self, filter: &ItemFilter, page: PageRequest) -> Result<Page<QueueEntry>> {
        self.read_queue(filter, page).await
    }

    async fn item(&self, id: ItemId) -> Result<Option<StoredItem>> {
        self.read_item(id).await
    }

    async fn item_facets(&self) -> Result<ItemFacets> {
        self.read_item_facets().await
    }

    async fn fact_checks_by_id(&self, ids: &[FactCheckId]) -> Result<Vec<StoredFactCheck>> {
        self.read_fact_checks_by_id(ids).await
    }

    async fn aliases(&self, id: FactCheckId) -> Result<Vec<StoredFactCheck>> {
        self.read_aliases(id).await
    }

    async fn search_fact_checks(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<StoredFactCheck>> {
        self.read_search_fact_checks(text, page).await
    }
}
