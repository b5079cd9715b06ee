//! The `sources` table: watched feeds and folders and their polling state.

use claimdesk_core::{Actor, Permission};
use serde_json::json;

use super::PgStore;
use super::write::{Change, Rights};
use crate::sources::{NewSource, PollOutcome, PollRecord, Source, SourceId, SourceKind};
use crate::{Error, Result};

/// A `sources` row.
#[derive(sqlx::FromRow)]
struct SourceRow {
    id: i64,
    kind: String,
    location: String,
    interval_secs: i64,
    etag: Option<String>,
    last_modified: Option<String>,
    next_poll_at: String,
    consecutive_failures: i64,
    failing_since: Option<String>,
    last_error: Option<String>,
    last_polled_at: Option<String>,
    last_success_at: Option<String>,
    last_outcome: Option<String>,
    items_seen: i64,
    created_at: String,
    paused: bool,
}

/// The columns [`SourceRow`] reads, as a literal so statements stay static SQL.
macro_rules! source_columns {
    () => {
        "id, kind, location, interval_secs, etag, last_modified, next_poll_at, \
         consecutive_failures, failing_since, last_error, last_polled_at, last_success_at, \
         last_outcome, items_seen, created_at, paused"
    };
}

impl SourceRow {
    fn into_source(self) -> Result<Source> {
        let kind = SourceKind::parse(&self.kind)
            .ok_or_else(|| Error::Corrupt(format!("source {}: kind `{}`", self.id, self.kind)))?;
        Ok(Source {
            id: SourceId(self.id),
            kind,
            location: self.location,
            interval_secs: self.interval_secs.max(1) as u64,
            etag: self.etag,
            last_modified: self.last_modified,
            next_poll_at: self.next_poll_at,
            consecutive_failures: self.consecutive_failures.max(0) as u32,
            failing_since: self.failing_since,
            last_error: self.last_error,
            last_polled_at: self.last_polled_at,
            last_success_at: self.last_success_at,
            last_outcome: crate::sources::outcome_from_db(self.last_outcome),
            items_seen: self.items_seen.max(0) as u64,
            created_at: self.created_at,
            paused: self.paused,
        })
    }
}

fn audit_value(s: &Source) -> serde_json::Value {
    json!({"kind": s.kind.as_str(), "location": s.location, "interval_secs": s.interval_secs})
}

impl PgStore {
    pub(crate) async fn insert_source(&self, new: &NewSource, actor: Actor) -> Result<Source> {
        if new.location.trim().is_empty() {
            return Err(Error::Invalid(
                "a source needs a URL or a folder path".into(),
            ));
        }
        if new.interval_secs == 0 {
            return Err(Error::Invalid(
                "a source's poll interval must be at least one second".into(),
            ));
        }
        let mut tx = Change::begin(self, actor, Rights::Needs(Permission::EditCase, None)).await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM sources WHERE location = $1")
            .bind(&new.location)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(id) = taken {
            return Err(Error::Invalid(format!(
                "{} is already source {id}; remove it first to change it",
                new.location
            )));
        }
        let interval = i64::try_from(new.interval_secs)
            .map_err(|_| Error::Invalid("the poll interval is too long".into()))?;
        let row: SourceRow = sqlx::query_as(concat!(
            "INSERT INTO sources (kind, location, interval_secs, next_poll_at) VALUES ($1, $2, $3, $4)
             RETURNING ",
            source_columns!()
        ))
        .bind(new.kind.as_str())
        .bind(&new.location)
        .bind(interval)
        .bind(&new.first_poll_at)
        .fetch_one(&mut *tx)
        .await?;
        let source = row.into_source()?;
        tx.audit(
            "source.add",
            &format!("source:{}", source.id),
            None,
            Some(audit_value(&source)),
        )
        .await?;
        tx.commit().await?;
        Ok(source)
    }

    pub(crate) async fn write_source_paused(
        &self,
        id: SourceId,
        paused: bool,
        actor: Actor,
    ) -> Result<Source> {
        let mut tx = Change::begin(self, actor, Rights::Needs(Permission::EditCase, None)).await?;
        let row: Option<SourceRow> = sqlx::query_as(concat!(
            "SELECT ",
            source_columns!(),
            " FROM sources WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let source = row
            .ok_or_else(|| Error::NotFound {
                what: "source",
                id: id.to_string(),
            })?
            .into_source()?;
        if source.paused == paused {
            // Nothing to change: the transaction is dropped, so rolled back.
            return Ok(source);
        }
        let row: SourceRow = sqlx::query_as(concat!(
            "UPDATE sources SET paused = $1 WHERE id = $2 RETURNING ",
            source_columns!()
        ))
        .bind(paused)
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.audit(
            if paused {
                "source.pause"
            } else {
                "source.resume"
            },
            &format!("source:{id}"),
            Some(json!({ "paused": source.paused })),
            Some(json!({ "paused": paused })),
        )
        .await?;
        tx.commit().await?;
        row.into_source()
    }

    pub(crate) async fn delete_source(&self, id: SourceId, actor: Actor) -> Result<Source> {
        let mut tx = Change::begin(self, actor, Rights::Needs(Permission::EditCase, None)).await?;
        let row: Option<SourceRow> = sqlx::query_as(concat!(
            "DELETE FROM sources WHERE id = $1 RETURNING ",
            source_columns!()
        ))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let source = row
            .ok_or_else(|| Error::NotFound {
                what: "source",
                id: id.to_string(),
            })?
            .into_source()?;
        tx.audit(
            "source.remove",
            &format!("source:{id}"),
            Some(audit_value(&source)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(source)
    }

    pub(crate) async fn read_sources(&self) -> Result<Vec<Source>> {
        let rows: Vec<SourceRow> = sqlx::query_as(concat!(
            "SELECT ",
            source_columns!(),
            " FROM sources ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(SourceRow::into_source).collect()
    }

    pub(crate) async fn read_source(&self, id: SourceId) -> Result<Option<Source>> {
        let row: Option<SourceRow> = sqlx::query_as(concat!(
            "SELECT ",
            source_columns!(),
            " FROM sources WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?;
        row.map(SourceRow::into_source).transpose()
    }

    pub(crate) async fn read_source_at(&self, location: &str) -> Result<Option<Source>> {
        let row: Option<SourceRow> = sqlx::query_as(concat!(
            "SELECT ",
            source_columns!(),
            " FROM sources WHERE location = $1"
        ))
        .bind(location)
        .fetch_optional(self.pool())
        .await?;
        row.map(SourceRow::into_source).transpose()
    }

    pub(crate) async fn read_due_sources(&self, now: &str) -> Result<Vec<Source>> {
        let rows: Vec<SourceRow> = sqlx::query_as(concat!(
            "SELECT ",
            source_columns!(),
            " FROM sources WHERE NOT paused AND unixepoch(next_poll_at) <= unixepoch($1)
             ORDER BY next_poll_at, id"
        ))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(SourceRow::into_source).collect()
    }

    pub(crate) async fn write_poll(&self, id: SourceId, poll: &PollRecord) -> Result<Source> {
        let mut tx = self.write_tx().await?;
        let failed = poll.outcome == PollOutcome::Failed;
        let fetched = poll.outcome == PollOutcome::Fetched;
        let row: Option<SourceRow> = sqlx::query_as(concat!(
            "UPDATE sources SET
                last_polled_at = $1,
                last_outcome = $2,
                next_poll_at = $3,
                etag = CASE WHEN $4 THEN $5 ELSE etag END,
                last_modified = CASE WHEN $4 THEN $6 ELSE last_modified END,
                consecutive_failures = CASE WHEN $7 THEN consecutive_failures + 1 ELSE 0 END,
                failing_since = CASE WHEN $7 THEN coalesce(failing_since, $1) ELSE NULL END,
                last_error = CASE WHEN $7 THEN $8 ELSE NULL END,
                last_success_at = CASE WHEN $7 THEN last_success_at ELSE $1 END,
                items_seen = items_seen + $9
             WHERE id = $10 RETURNING ",
            source_columns!()
        ))
        .bind(&poll.polled_at)
        .bind(poll.outcome.as_str())
        .bind(&poll.next_poll_at)
        .bind(fetched)
        .bind(&poll.etag)
        .bind(&poll.last_modified)
        .bind(failed)
        .bind(&poll.error)
        .bind(i64::try_from(poll.items).unwrap_or(i64::MAX))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.ok_or_else(|| Error::NotFound {
            what: "source",
            id: id.to_string(),
        })?
        .into_source()
    }
}

use crate::SourceStore;

impl SourceStore for PgStore {
    async fn add_source(&self, new: &NewSource, actor: Actor) -> Result<Source> {
        self.insert_source(new, actor).await
    }

    async fn set_source_paused(&self, id: SourceId, paused: bool, actor: Actor) -> Result<Source> {
        self.write_source_paused(id, paused, actor).await
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
}
