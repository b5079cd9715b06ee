//! The embedded store: SQLite in one file, WAL journal, migrations compiled in.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use claimdesk_core::{
    FactCheck, FactCheckId, ImportCounts, ImportKind, Item, ItemId, Rating, StoredFactCheck,
    StoredItem,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{FromRow, Row, Sqlite, SqlitePool, Transaction};

use std::time::Duration;

use claimdesk_core::{
    Actor, ApiTokenId, AuditEvent, AuditReport, Case, CaseId, CaseNote, CaseStatus, DeskFactCheck,
    EvidenceLink, Role, StatusChange, User, UserId,
};
use serde_json::json;

use crate::auth::{PasswordHash, TokenHash};
use crate::desk;
use crate::sources::{NewSource, PollRecord, Source, SourceId};
use crate::{
    ApiToken, AuditFilter, CaseFilter, DraftFactCheck, Error, FactCheckChange, ImportRecord,
    ImportSource, ItemFacets, ItemFilter, NewApiToken, NewCase, NewEvidence, NewFactCheck, NewItem,
    NewSession, NewUser, Page, PageRequest, QueueEntry, Result, Session, Store, StoredMatch,
    WorkflowPolicy,
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

/// Rows as JSON text, for statements that take many rows as one `json_each` parameter.
fn json_rows(rows: Vec<serde_json::Value>) -> String {
    serde_json::Value::Array(rows).to_string()
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

/// Connections to a database file: WAL lets readers (the desk's pages) run side by side;
/// writers still go one at a time, each transaction taking the write lock at `BEGIN
/// IMMEDIATE` and waiting (busy timeout) for the one before.
const FILE_CONNECTIONS: u32 = 4;
/// Items looked up and inserted per statement by `save_items`.
const ITEM_CHUNK: usize = 500;
/// Page cache per connection, in KiB.
const CACHE_KIB: u32 = 8 << 10;

/// The SQLite implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    policy: WorkflowPolicy,
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
            .foreign_keys(true)
            // A larger page cache per connection than SQLite's 2 MiB: the intake pipeline
            // reads what it just wrote. (No memory map: mapped pages count in the process's
            // resident memory, which the semantic benchmark holds under 400 MB.)
            .pragma("cache_size", format!("-{CACHE_KIB}"));
        Self::connect(options, FILE_CONNECTIONS).await
    }

    /// Opens a database from a `sqlite:` URL (`sqlite::memory:` for tests).
    pub async fn open_url(url: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .foreign_keys(true);
        // One connection keeps `:memory:` one database.
        Self::connect(options, 1).await
    }

    async fn connect(options: SqliteConnectOptions, connections: u32) -> Result<SqliteStore> {
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore {
            pool,
            policy: WorkflowPolicy::default(),
        })
    }

    /// The same store with another workflow policy.
    pub fn with_policy(mut self, policy: WorkflowPolicy) -> SqliteStore {
        self.policy = policy;
        self
    }

    /// The workflow policy in force.
    pub fn policy(&self) -> WorkflowPolicy {
        self.policy
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that takes SQLite's write lock at once, so the audit chain's
    /// head read at its start is still the head when it commits, even with another process
    /// (the CLI beside the server) writing the same file.
    pub(crate) async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Inserts new items in one statement; records their ids in `known` and `changed`.
    async fn insert_items(
        tx: &mut Transaction<'_, Sqlite>,
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

    /// Writes the counts of an import and its audit event (`import` or `ingest`).
    async fn finish_import(
        tx: &mut Transaction<'_, Sqlite>,
        id: i64,
        kind: ImportKind,
        source: &ImportSource<'_>,
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
        let at = desk::now(tx).await?;
        let action = match kind {
            ImportKind::FactChecks => "import",
            ImportKind::Items => "ingest",
        };
        let after = json!({
            "kind": kind.as_str(),
            "file": source.file,
            "format": source.format,
            "added": c.added,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "aliased": c.aliased,
            "rejected": c.rejected,
        });
        desk::append_audit(
            tx,
            &at,
            source.actor,
            action,
            &format!("import:{id}"),
            None,
            Some(after),
        )
        .await?;
        Ok(())
    }

    /// Re-derives the canonical entry of a duplicate group: the lowest id is canonical, the
    /// others point at it. Rows whose `alias_of` changes take the new revision. Unpublished
    /// desk drafts take no part until they are published.
    pub(crate) async fn regroup(
        tx: &mut Transaction<'_, Sqlite>,
        key: &str,
        revision: i64,
    ) -> Result<()> {
        let ids: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, alias_of FROM factchecks WHERE duplicate_key = ? AND published = 1
             ORDER BY id",
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
mod monitor;
mod sources;

/// A fact-check as the audit trail records it.
fn fact_check_json(fc: &FactCheck) -> Result<serde_json::Value> {
    serde_json::to_value(fc).map_err(|e| Error::Corrupt(e.to_string()))
}

pub(crate) fn fact_check_from_row(row: &SqliteRow) -> Result<(StoredFactCheck, i64)> {
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
        let mut tx = self.write_tx().await?;
        desk::authorize_import(&mut tx, source.actor).await?;
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
                ", duplicate_key, case_id FROM factchecks WHERE source_id = ?"
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
                    if let Some(case) = row.try_get::<Option<i64>, _>("case_id")? {
                        return Err(Error::DeskVerdict {
                            source_id: fc.source_id.clone(),
                            case,
                        });
                    }
                    let at = desk::now(&mut tx).await?;
                    desk::append_audit(
                        &mut tx,
                        &at,
                        source.actor,
                        "factcheck.update",
                        &format!("factcheck:{}", stored.id.0),
                        Some(fact_check_json(&stored.fact_check)?),
                        Some(fact_check_json(fc)?),
                    )
                    .await?;
                    Some(row.try_get::<String, _>("duplicate_key")?)
                }
                None => {
                    if let Some(case) = desk::case_of_source_id(&fc.source_id) {
                        return Err(Error::DeskVerdict {
                            source_id: fc.source_id.clone(),
                            case,
                        });
                    }
                    None
                }
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
        Self::finish_import(&mut tx, import_id, ImportKind::FactChecks, &source, &counts).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn save_items(
        &self,
        batch: &[NewItem],
        source: ImportSource<'_>,
    ) -> Result<(ImportCounts, Vec<ItemId>)> {
        let mut tx = self.write_tx().await?;
        let import_id = Self::log_import(&mut tx, ImportKind::Items, &source).await?;
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
        // Pending until the pipeline has processed them (in this transaction, so no item is
        // stored without being pending).
        if !changed.is_empty() {
            let ids: Vec<i64> = changed.iter().map(|i| i.0).collect();
            sqlx::query(
                "INSERT OR IGNORE INTO pending_items (item_id) SELECT value FROM json_each(?)",
            )
            .bind(serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?)
            .execute(&mut *tx)
            .await?;
        }
        Self::finish_import(&mut tx, import_id, ImportKind::Items, &source, &counts).await?;
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
            " FROM factchecks WHERE revision > ? AND published = 1 ORDER BY id"
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
                        m.explanation.to_string()
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
                "INSERT INTO matches (item_id, factcheck_id, rank, score, explanation)
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
                 FROM json_each(?)",
            )
            .bind(json_rows(rows))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
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
                explanation: serde_json::from_str(&explanation)
                    .map_err(|e| Error::Corrupt(format!("match explanation: {e}")))?,
            });
        }
        Ok(items
            .iter()
            .map(|i| by_item.get(&i.0).cloned().unwrap_or_default())
            .collect())
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
            "SELECT (SELECT COUNT(*) FROM factchecks WHERE published = 1), (SELECT COUNT(*) FROM items)",
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
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

    async fn add_user(&self, new: &NewUser, actor: Actor) -> Result<User> {
        desk::add_user(self, new, actor).await
    }

    async fn set_password(
        &self,
        user: UserId,
        password: &PasswordHash,
        actor: Actor,
    ) -> Result<()> {
        desk::set_password(self, user, password, actor).await
    }

    async fn set_disabled(&self, user: UserId, disabled: bool, actor: Actor) -> Result<User> {
        desk::set_disabled(self, user, disabled, actor).await
    }

    async fn set_role(&self, user: UserId, role: Role, actor: Actor) -> Result<User> {
        desk::set_role(self, user, role, actor).await
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        desk::user_by_name(self, username).await
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        desk::user_by_id(self, id).await
    }

    async fn users(&self) -> Result<Vec<User>> {
        desk::users(self).await
    }

    async fn user_credentials(&self, username: &str) -> Result<Option<(User, PasswordHash)>> {
        desk::user_credentials(self, username).await
    }

    async fn create_session(&self, user: UserId, ttl: Duration) -> Result<NewSession> {
        desk::create_session(self, user, ttl).await
    }

    async fn session_user(&self, token: &TokenHash) -> Result<Option<Session>> {
        desk::session_user(self, token).await
    }

    async fn delete_session(&self, token: &TokenHash) -> Result<bool> {
        desk::delete_session(self, token).await
    }

    async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        actor: Actor,
    ) -> Result<NewApiToken> {
        desk::create_api_token(self, user, name, actor).await
    }

    async fn api_token_user(&self, token: &TokenHash) -> Result<Option<User>> {
        desk::api_token_user(self, token).await
    }

    async fn revoke_api_token(&self, id: ApiTokenId, actor: Actor) -> Result<()> {
        desk::revoke_api_token(self, id, actor).await
    }

    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        desk::api_tokens(self, user).await
    }

    async fn create_case(&self, new: &NewCase, actor: UserId) -> Result<Case> {
        desk::create_case(self, new, actor).await
    }

    async fn case(&self, id: CaseId) -> Result<Option<Case>> {
        desk::case(self, id).await
    }

    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>> {
        desk::cases(self, filter).await
    }

    async fn transition_case(&self, case: CaseId, to: CaseStatus, actor: UserId) -> Result<Case> {
        desk::transition_case(self, case, to, actor).await
    }

    async fn link_fact_check(
        &self,
        case: CaseId,
        fact_check: FactCheckId,
        actor: UserId,
    ) -> Result<Case> {
        desk::link_fact_check(self, case, fact_check, actor).await
    }

    async fn assign_case(
        &self,
        case: CaseId,
        assignee: Option<UserId>,
        actor: UserId,
    ) -> Result<Case> {
        desk::assign_case(self, case, assignee, actor).await
    }

    async fn add_note(&self, case: CaseId, text: &str, actor: UserId) -> Result<CaseNote> {
        desk::add_note(self, case, text, actor).await
    }

    async fn notes(&self, case: CaseId) -> Result<Vec<CaseNote>> {
        desk::notes(self, case).await
    }

    async fn add_evidence(
        &self,
        case: CaseId,
        evidence: &NewEvidence,
        actor: UserId,
    ) -> Result<EvidenceLink> {
        desk::add_evidence(self, case, evidence, actor).await
    }

    async fn evidence(&self, case: CaseId) -> Result<Vec<EvidenceLink>> {
        desk::evidence(self, case).await
    }

    async fn case_history(&self, case: CaseId) -> Result<Vec<StatusChange>> {
        desk::case_history(self, case).await
    }

    async fn save_draft_fact_check(
        &self,
        case: CaseId,
        draft: &DraftFactCheck,
        actor: UserId,
    ) -> Result<FactCheckId> {
        desk::save_draft_fact_check(self, case, draft, actor).await
    }

    async fn published_fact_checks(&self, limit: u32, offset: u32) -> Result<Vec<DeskFactCheck>> {
        desk::published_fact_checks(self, limit, offset).await
    }

    async fn fact_check(&self, id: FactCheckId) -> Result<Option<DeskFactCheck>> {
        desk::fact_check(self, id).await
    }

    async fn case_verdict(&self, case: CaseId) -> Result<Option<DeskFactCheck>> {
        desk::case_verdict(self, case).await
    }

    async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        desk::audit_events(self, filter).await
    }

    async fn verify_audit(&self) -> Result<AuditReport> {
        desk::verify_audit(self).await
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

    async fn add_source(&self, new: &NewSource, actor: Actor) -> Result<Source> {
        self.insert_source(new, actor).await
    }

    async fn remove_source(&self, id: SourceId, actor: Actor) -> Result<Source> {
        self.delete_source(id, actor).await
    }

    async fn sources(&self) -> Result<Vec<Source>> {
        self.read_sources().await
    }

    async fn source(&self, id: SourceId) -> Result<Option<Source>> {
        self.read_source(id).await
    }

    async fn source_at(&self, location: &str) -> Result<Option<Source>> {
        self.read_source_at(location).await
    }

    async fn due_sources(&self, now: &str) -> Result<Vec<Source>> {
        self.read_due_sources(now).await
    }

    async fn record_poll(&self, id: SourceId, poll: &PollRecord) -> Result<Source> {
        self.write_poll(id, poll).await
    }

    async fn narrative_index(&self) -> Result<crate::NarrativeIndex> {
        self.read_narrative_index().await
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
