//! [`AuditStore`] for PostgreSQL: reading and verifying the audit trail, the import log.

use claimdesk_core::{
    AuditEvent, AuditReport, ChainVerifier, Checkpoint, ImportCounts, ImportKind,
};
use serde_json::json;
use sqlx::Row;

use super::write::Change;

use crate::{AuditFilter, Error, ImportSource, PgStore, Result};
use crate::{AuditStore, ImportRecord};

/// Events read per query while verifying.
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

/// Events read per query while verifying.
const VERIFY_PAGE: i64 = 1000;

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> AuditEvent {
        AuditEvent {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            before: r.before,
            after: r.after,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

pub(crate) async fn audit_events(store: &PgStore, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT seq, at, actor, action, subject, before, after, prev_hash, hash
         FROM audit_events WHERE seq > $1 AND ($2 IS NULL OR subject = $2)
         ORDER BY seq LIMIT $3",
    )
    .bind(filter.after)
    .bind(&filter.subject)
    .bind(i64::from(filter.limit))
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}

pub(crate) async fn verify_audit(store: &PgStore) -> Result<AuditReport> {
    // One read transaction: the chain is checked as of one moment.
    let mut tx = store.pool().begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await?;
    let mut verifier = ChainVerifier::new();
    let mut after = 0i64;
    'pages: loop {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT seq, at, actor, action, subject, before, after, prev_hash, hash
             FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(VERIFY_PAGE)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        let full = rows.len() as i64 == VERIFY_PAGE;
        for row in rows {
            if !verifier.push(&AuditEvent::from(row)) {
                break 'pages;
            }
        }
        if !full {
            break;
        }
    }
    let recorded: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = 'audit_seq'")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(verifier.finish(recorded))
}

impl AuditStore for PgStore {
    async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        audit_events(self, filter).await
    }

    async fn verify_audit(&self) -> Result<AuditReport> {
        verify_audit(self).await
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn audit_hashes(&self, after: i64, upto: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT seq, hash FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn save_audit_checkpoint(&self, checkpoint: &Checkpoint) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING",
        )
        .bind(checkpoint.seq)
        .bind(&checkpoint.hash)
        .bind(&checkpoint.at)
        .bind(&checkpoint.key_id)
        .bind(&checkpoint.signature)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn audit_checkpoints(&self) -> Result<Vec<Checkpoint>> {
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, hash, at, key_id, signature)| Checkpoint {
                seq,
                hash,
                at,
                key_id,
                signature,
            })
            .collect())
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

    async fn record_privacy_check(
        &self,
        actor: claimdesk_core::Actor,
        counts: &crate::PrivacyCheckCounts,
    ) -> Result<i64> {
        let mut tx = Change::begin(self, actor, super::write::Rights::Active).await?;
        let seq = tx
            .audit(
                "privacy.check",
                "privacy:check",
                None,
                Some(counts.to_json()),
            )
            .await?;
        tx.commit().await?;
        Ok(seq)
    }

    async fn record_privacy_override(
        &self,
        case: claimdesk_core::CaseId,
        user: claimdesk_core::UserId,
        reason: &str,
        counts: &crate::PrivacyCheckCounts,
    ) -> Result<i64> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid(
                "publishing despite the privacy check's findings needs a reason".into(),
            ));
        }
        let rights = super::write::Rights::Needs(claimdesk_core::Permission::Publish, None);
        let mut tx = Change::begin(self, claimdesk_core::Actor::User(user), rights).await?;
        let mut after = counts.to_json();
        after["reason"] = reason.into();
        let seq = tx
            .audit(
                "privacy.override",
                &format!("case:{}", case.0),
                None,
                Some(after),
            )
            .await?;
        tx.commit().await?;
        Ok(seq)
    }
}

/// Opens the import log's entry of a batch; [`finish_import`] completes it.
pub(super) async fn log_import(
    tx: &mut Change,
    kind: ImportKind,
    source: &ImportSource<'_>,
) -> Result<i64> {
    let diagnostics =
        serde_json::to_string(source.diagnostics).map_err(|e| Error::Corrupt(e.to_string()))?;
    let id = sqlx::query(
        "INSERT INTO imports (kind, file, format, added, updated, unchanged, aliased, rejected, diagnostics,
            started_at)
         VALUES ($1, $2, $3, 0, 0, 0, 0, $4, $5, $6) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(source.file)
    .bind(source.format)
    .bind(source.diagnostics.len() as i64)
    .bind(diagnostics)
    .bind(tx.at().to_string())
    .fetch_one(&mut **tx)
    .await?
    .get(0);
    Ok(id)
}

/// Writes the counts of an import and its audit event (`import` or `ingest`).
pub(super) async fn finish_import(
    tx: &mut Change,
    id: i64,
    kind: ImportKind,
    source: &ImportSource<'_>,
    c: &ImportCounts,
) -> Result<()> {
    sqlx::query(
        "UPDATE imports SET added = $1, updated = $2, unchanged = $3, aliased = $4 WHERE id = $5",
    )
    .bind(c.added as i64)
    .bind(c.updated as i64)
    .bind(c.unchanged as i64)
    .bind(c.aliased as i64)
    .bind(id)
    .execute(&mut **tx)
    .await?;
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
    tx.audit(action, &format!("import:{id}"), None, Some(after))
        .await?;
    Ok(())
}
