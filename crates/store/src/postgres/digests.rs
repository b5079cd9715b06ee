//! The `digest_deliveries` log on PostgreSQL.

use super::PgStore;
use crate::Result;
use crate::digests::{DigestAttempt, DigestStore};

type Row = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    String,
);

fn attempt(
    (kind, period_from, period_to, language, recipients, attempt, sent, error, at): Row,
) -> DigestAttempt {
    DigestAttempt {
        kind,
        period_from,
        period_to,
        language,
        recipients: u32::try_from(recipients).unwrap_or(0),
        attempt: u32::try_from(attempt).unwrap_or(0),
        sent: sent == 1,
        error,
        at,
    }
}

impl DigestStore for PgStore {
    async fn record_digest_attempt(&self, a: &DigestAttempt) -> Result<()> {
        sqlx::query(
            "INSERT INTO digest_deliveries (kind, period_from, period_to, language, recipients,
                attempt, sent, error, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&a.kind)
        .bind(&a.period_from)
        .bind(&a.period_to)
        .bind(&a.language)
        .bind(i64::from(a.recipients))
        .bind(i64::from(a.attempt))
        .bind(a.sent)
        .bind(&a.error)
        .bind(&a.at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn digest_attempts(&self, kind: &str, period_from: &str) -> Result<Vec<DigestAttempt>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT kind, period_from, period_to, language, recipients, attempt, sent::int::bigint, error,
                    at
             FROM digest_deliveries WHERE kind = $1 AND period_from = $2 ORDER BY attempt, id",
        )
        .bind(kind)
        .bind(period_from)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(attempt).collect())
    }

    async fn recent_digest_attempts(&self, limit: u32) -> Result<Vec<DigestAttempt>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT kind, period_from, period_to, language, recipients, attempt, sent::int::bigint, error,
                    at
             FROM digest_deliveries ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(attempt).collect())
    }
}
