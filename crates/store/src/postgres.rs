//! PostgreSQL: the same role traits as [`SqliteStore`](crate::SqliteStore), on a server
//! several processes can share. The schema mirrors SQLite's table for table (its own
//! migrations under `migrations/postgres/`); the differences are listed at the top of
//! `0001_init.sql`. Writes are serialized as SQLite's are: every write transaction first
//! takes one transaction-level advisory lock ([`WRITE_LOCK`]), so a change's reads (the audit
//! chain's head, a case's status) are still true when it commits, whichever process writes.

use std::str::FromStr;
use std::time::Duration;

use claimdesk_core::{FactCheck, FactCheckId, Rating, StoredFactCheck, Withdrawal};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Postgres, Row, Transaction};

use crate::{Error, Result, WorkflowPolicy};

/// Rows as JSON text, for statements that take many rows as one `json_array_elements`
/// parameter.
fn json_rows(rows: Vec<serde_json::Value>) -> String {
    serde_json::Value::Array(rows).to_string()
}

/// Connections per process.
const CONNECTIONS: u32 = 8;
/// How long opening the store waits for the server before it reports it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Items looked up and inserted per statement by `save_items`.
const ITEM_CHUNK: usize = 500;
/// The advisory lock every write transaction holds until it commits (`pg_advisory_xact_lock`;
/// the number is "claimdes" in ASCII), so writers go one at a time as on SQLite.
pub(crate) const WRITE_LOCK: i64 = 0x636c_6169_6d64_6573;

/// The PostgreSQL implementation of every role trait ([`Store`](crate::Store)).
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
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

/// The connection options of `url`, or why it is not a PostgreSQL URL.
fn options(url: &str) -> Result<PgConnectOptions> {
    PgConnectOptions::from_str(url).map_err(|e| {
        Error::Invalid(format!(
            "`{}` is not a PostgreSQL URL ({e}): write \
             postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            crate::error::redact_url(url)
        ))
    })
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`),
    /// checks that its schema is claimdesk's at a version this build knows, and brings it up
    /// to date. An unreachable server, refused credentials, a database of another program or
    /// one written by a newer claimdesk are each their own [`Error`], saying what to do.
    pub async fn open(url: &str) -> Result<PgStore> {
        Self::connect(url, options(url)?).await
    }

    /// Opens the store in the schema `schema` of the database at `url`, creating the schema
    /// when it does not exist, so one database can hold several desks (or each test a desk
    /// of its own). See [`open`](Self::open).
    pub async fn open_schema(url: &str, schema: &str) -> Result<PgStore> {
        let options = options(url)?;
        let mut c = sqlx::ConnectOptions::connect(&options)
            .await
            .map_err(|e| crate::error::connect_error(url, e))?;
        let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {quoted}"
        )))
        .execute(&mut c)
        .await?;
        sqlx::Connection::close(c).await?;
        Self::connect(url, options.options([("search_path", quoted.as_str())])).await
    }

    async fn connect(url: &str, options: PgConnectOptions) -> Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| crate::error::connect_error(url, e))?;
        schema::migrate(&pool).await?;
        Ok(PgStore {
            pool,
            policy: WorkflowPolicy::default(),
            clock: Default::default(),
            lease_ms: std::sync::Arc::new(crate::INTAKE_LEASE_MS.into()),
        })
    }

    /// The same store with another workflow policy.
    pub fn with_policy(mut self, policy: WorkflowPolicy) -> PgStore {
        self.policy = policy;
        self
    }

    /// Fixes the time every later change records (see
    /// [`SqliteStore::set_clock`](crate::SqliteStore::set_clock)); `None` goes back to the
    /// server's clock. Clones of this store share the setting.
    pub fn set_clock(&self, at: Option<&str>) {
        let mut clock = self.clock.lock().unwrap_or_else(|e| e.into_inner());
        *clock = at.map(str::to_string);
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

    /// Closes the connections (waits for those in use to come back).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The fixed time of [`set_clock`](Self::set_clock), if any.
    pub(crate) fn fixed_time(&self) -> Option<String> {
        self.clock.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A write transaction holding [`WRITE_LOCK`], so the audit chain's head read at its
    /// start is still the head when it commits, even with other processes writing.
    pub(crate) async fn write_tx(&self) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Re-derives the canonical entry of a duplicate group: the lowest id is canonical, the
    /// others point at it. Rows whose `alias_of` changes take the new revision. Unpublished
    /// desk drafts take no part until they are published, withdrawn fact-checks no more
    /// (the next one of the group stands in for a withdrawn canonical one).
    async fn regroup(tx: &mut PgConnection, key: &str, revision: i64) -> Result<()> {
        let ids: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, alias_of FROM factchecks WHERE duplicate_key = $1 AND published
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
                sqlx::query("UPDATE factchecks SET alias_of = $1, revision = $2 WHERE id = $3")
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
mod monitor;
mod queue;
mod schema;
mod sources;
mod stats;
pub(crate) mod transfer;
mod users;
mod write;

/// A fact-check as the audit trail records it.
fn fact_check_json(fc: &FactCheck) -> Result<serde_json::Value> {
    serde_json::to_value(fc).map_err(|e| Error::Corrupt(e.to_string()))
}

pub(crate) fn fact_check_from_row(row: &PgRow) -> Result<(StoredFactCheck, i64)> {
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

/// The lead's session advisory lock: this pair of keys ("lead" in ASCII and the schema's
/// hash), so desks in different schemas of one database each have their own.
const LEAD_LOCK_CLASS: i32 = 0x6c65_6164;

impl crate::LeadStore for PgStore {
    /// A connection of its own, taken out of the pool, holds the session lock; dropping the
    /// [`Lead`](crate::Lead) closes it and the server lets the lock go.
    async fn try_lead(&self) -> Result<Option<crate::Lead>> {
        let mut conn = self.pool.acquire().await?.detach();
        let held: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext(current_schema()))")
                .bind(LEAD_LOCK_CLASS)
                .fetch_one(&mut conn)
                .await?;
        if !held {
            sqlx::Connection::close(conn).await.ok();
            return Ok(None);
        }
        Ok(Some(crate::Lead {
            held: crate::lead::Held::Postgres(conn),
        }))
    }
}

impl PgStore {
    /// A listener woken when any process changes the fact-check revision.
    pub async fn revision_listener(&self) -> Result<crate::RevisionListener> {
        let mut l = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        l.listen(crate::RevisionListener::CHANNEL).await?;
        Ok(crate::RevisionListener { listener: Some(l) })
    }
}
