//! The embedded store: SQLite in one file, WAL journal, migrations compiled in.

use std::path::Path;
use std::str::FromStr;

use claimdesk_core::{FactCheck, FactCheckId, Rating, StoredFactCheck, Withdrawal};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::{Error, Result, WorkflowPolicy};

/// Rows as JSON text, for statements that take many rows as one `json_each` parameter.
fn json_rows(rows: Vec<serde_json::Value>) -> String {
    serde_json::Value::Array(rows).to_string()
}

/// Connections to a database file: WAL lets readers (the desk's pages) run side by side;
/// writers still go one at a time, each transaction taking the write lock at `BEGIN
/// IMMEDIATE` and waiting (busy timeout) for the one before.
const FILE_CONNECTIONS: u32 = 4;
/// Items looked up and inserted per statement by `save_items`.
const ITEM_CHUNK: usize = 500;
/// Page cache per connection, in KiB.
const CACHE_KIB: u32 = 8 << 10;

/// The SQLite implementation of every role trait ([`Store`](crate::Store)).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    policy: WorkflowPolicy,
    /// A fixed time for every change, when set (shared by the store's clones).
    clock: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    /// How long intake taken by a process stays its own, in milliseconds (shared by the
    /// store's clones; [`INTAKE_LEASE_MS`](crate::INTAKE_LEASE_MS) unless set).
    lease_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

/// The columns [`fact_check_from_row`] reads, as a literal so statements stay static SQL.
macro_rules! factcheck_columns {
    () => {
        "id, source_id, claim, headline, rating_value, rating_best, rating_worst, rating_label, \
         claim_author, claim_date, appearances, author, date_published, url, language, \
         alias_of, revision, summary, evidence, withdrawn_at, withdrawn_reason"
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
        let store = SqliteStore {
            pool,
            policy: WorkflowPolicy::default(),
            clock: Default::default(),
            lease_ms: std::sync::Arc::new(crate::INTAKE_LEASE_MS.into()),
        };
        store.catch_up_search().await?;
        Ok(store)
    }

    /// The same store with another workflow policy.
    pub fn with_policy(mut self, policy: WorkflowPolicy) -> SqliteStore {
        self.policy = policy;
        self
    }

    /// Fixes the time every later change records (`at`: RFC 3339 in UTC with milliseconds,
    /// `2026-03-02T23:30:00.000Z`), for tests and fixtures that replay a known history;
    /// `None` goes back to the system clock. Clones of this store share the setting.
    pub fn set_clock(&self, at: Option<&str>) {
        let mut clock = self.clock.lock().unwrap_or_else(|e| e.into_inner());
        *clock = at.map(str::to_string);
    }

    /// The fixed time of [`set_clock`](Self::set_clock), if any.
    pub(crate) fn fixed_time(&self) -> Option<String> {
        self.clock.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sets how long intake a process took stays its own before another process may take
    /// it over ([`ItemStore::claim_pending`](crate::ItemStore::claim_pending)); clones share
    /// it. For tests and for desks that know their pages take longer.
    pub fn set_intake_lease(&self, lease: std::time::Duration) {
        let ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        self.lease_ms
            .store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// The intake lease in milliseconds.
    pub(crate) fn lease_ms(&self) -> i64 {
        self.lease_ms.load(std::sync::atomic::Ordering::Relaxed)
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

    /// Re-derives the canonical entry of a duplicate group: the lowest id is canonical, the
    /// others point at it. Rows whose `alias_of` changes take the new revision. Unpublished
    /// desk drafts take no part until they are published, withdrawn fact-checks no more
    /// (the next one of the group stands in for a withdrawn canonical one).
    async fn regroup(tx: &mut SqliteConnection, key: &str, revision: i64) -> Result<()> {
        let ids: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, alias_of FROM factchecks WHERE duplicate_key = ? AND published = 1
             AND withdrawn_at IS NULL
             ORDER BY id",
        )
        .bind(key)
        .fetch_all(&mut *tx)
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
                    .execute(&mut *tx)
                    .await?;
            }
        }
        Ok(())
    }
}

// After the macro above, which the queries of every role use.
mod alert_decisions;
mod audit;
mod cases;
mod digests;
mod embeddings;
mod factchecks;
mod images;
mod items;
pub(crate) mod monitor;
#[cfg(test)]
mod plans;
mod queue;
mod sources;
mod stats;
mod users;
mod write;

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
        review_body: row.try_get("summary")?,
        citations: serde_json::from_str(&row.try_get::<String, _>("evidence")?)
            .map_err(|e| Error::Corrupt(format!("fact-check evidence: {e}")))?,
    };
    let alias_of: Option<i64> = row.try_get("alias_of")?;
    let withdrawn_at: Option<String> = row.try_get("withdrawn_at")?;
    let withdrawn = match withdrawn_at {
        Some(at) => Some(Withdrawal {
            at,
            reason: row
                .try_get::<Option<String>, _>("withdrawn_reason")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    Ok((
        StoredFactCheck {
            id: FactCheckId(row.try_get("id")?),
            alias_of: alias_of.map(FactCheckId),
            fact_check: fc,
            withdrawn,
        },
        row.try_get("revision")?,
    ))
}

impl crate::LeadStore for SqliteStore {
    /// Always: one SQLite file is one process's desk.
    async fn try_lead(&self) -> Result<Option<crate::Lead>> {
        Ok(Some(crate::Lead {
            held: crate::lead::Held::Local,
        }))
    }
}
