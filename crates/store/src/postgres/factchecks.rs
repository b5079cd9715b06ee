//! [`FactCheckStore`] for PostgreSQL: imports of fact-checks, duplicate groups, revisions.

use claimdesk_core::{
    Actor, FactCheckId, ImportCounts, ImportKind, Permission, StoredFactCheck, Withdrawal,
};
use futures_util::TryStreamExt;
use serde_json::json;
use sqlx::Row;

use super::audit::{finish_import, log_import};
use super::write::{Change, Rights};
use super::{PgStore, fact_check_from_row, fact_check_json};
use crate::items::{Page, PageRequest, contains_pattern};
use crate::{Error, FactCheckChange, FactCheckStore, ImportSource, NewFactCheck, Result};

/// The fact-check search's WHERE clause; parameter $1 is the ILIKE pattern (SQLite's LIKE ignores ASCII case).
macro_rules! factcheck_search_where {
    () => {
        " FROM factchecks WHERE ($1 IS NULL OR claim ILIKE $1 ESCAPE '\\'
            OR headline ILIKE $1 ESCAPE '\\')"
    };
}

impl FactCheckStore for PgStore {
    async fn save_fact_checks(
        &self,
        batch: &[NewFactCheck],
        source: ImportSource<'_>,
    ) -> Result<ImportCounts> {
        let mut tx = Change::begin(self, source.actor, Rights::Import).await?;
        let import_id = log_import(&mut tx, ImportKind::FactChecks, &source).await?;
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
                ", duplicate_key, case_id FROM factchecks WHERE source_id = $1"
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
                    tx.audit(
                        "factcheck.update",
                        &format!("factcheck:{}", stored.id.0),
                        Some(fact_check_json(&stored.fact_check)?),
                        Some(fact_check_json(fc)?),
                    )
                    .await?;
                    Some(row.try_get::<String, _>("duplicate_key")?)
                }
                None => {
                    if let Some(case) = super::cases::case_of_source_id(&fc.source_id) {
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
            let citations =
                serde_json::to_string(&fc.citations).map_err(|e| Error::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO factchecks (source_id, claim, headline, rating_value, rating_best,
                    rating_worst, rating_label, claim_author, claim_date, appearances, author,
                    date_published, url, language, duplicate_key, revision, import_id,
                    summary, evidence)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                 ON CONFLICT (source_id) DO UPDATE SET claim = excluded.claim,
                    headline = excluded.headline, rating_value = excluded.rating_value,
                    rating_best = excluded.rating_best, rating_worst = excluded.rating_worst,
                    rating_label = excluded.rating_label, claim_author = excluded.claim_author,
                    claim_date = excluded.claim_date, appearances = excluded.appearances,
                    author = excluded.author, date_published = excluded.date_published,
                    url = excluded.url, language = excluded.language,
                    duplicate_key = excluded.duplicate_key, revision = excluded.revision,
                    import_id = excluded.import_id, summary = excluded.summary,
                    evidence = excluded.evidence",
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
            .bind(&fc.review_body)
            .bind(citations)
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
                    sqlx::query_scalar("SELECT alias_of FROM factchecks WHERE source_id = $1")
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
        finish_import(&mut tx, import_id, ImportKind::FactChecks, &source, &counts).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn revision(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'factcheck_revision'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn fact_checks_since(&self, revision: i64) -> Result<Vec<FactCheckChange>> {
        // Streamed, one row decoded and dropped at a time: a cold start reads every fact-check,
        // and holding all the raw rows beside their decoded copies doubled the peak memory.
        let mut rows = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            " FROM factchecks WHERE revision > $1 AND published ORDER BY id"
        ))
        .bind(revision)
        .fetch(&self.pool);
        let mut changes = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let (fact_check, revision) = fact_check_from_row(&row)?;
            changes.push(FactCheckChange {
                fact_check,
                revision,
            });
        }
        Ok(changes)
    }

    async fn fact_checks(&self) -> Result<Vec<StoredFactCheck>> {
        Ok(self
            .fact_checks_since(i64::MIN)
            .await?
            .into_iter()
            .map(|c| c.fact_check)
            .filter(|f| f.withdrawn.is_none())
            .collect())
    }

    async fn withdraw_fact_check(
        &self,
        id: FactCheckId,
        actor: Actor,
        reason: &str,
    ) -> Result<StoredFactCheck> {
        let mut tx = Change::begin(
            self,
            actor,
            Rights::Needs(Permission::WithdrawFactCheck, None),
        )
        .await?;
        let reason = crate::factchecks::withdrawal_reason(reason)?;
        let row = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            ", duplicate_key, published FROM factchecks WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "fact-check",
            id: id.0.to_string(),
        })?;
        let (before, _) = fact_check_from_row(&row)?;
        if !row.try_get::<bool, _>("published")? {
            return Err(Error::Conflict(format!(
                "fact-check {} is an unpublished draft: only a published fact-check is withdrawn",
                id.0
            )));
        }
        if let Some(w) = before.withdrawn {
            return Err(Error::AlreadyWithdrawn { id: id.0, at: w.at });
        }
        let revision: i64 = sqlx::query_scalar(
            "UPDATE counters SET value = value + 1 WHERE name = 'factcheck_revision' RETURNING value",
        )
        .fetch_one(&mut *tx)
        .await?;
        let at = tx.at().to_string();
        // No longer anyone's alias: a withdrawn fact-check leaves its duplicate group, and
        // the group is formed again without it.
        sqlx::query(
            "UPDATE factchecks SET withdrawn_at = $1, withdrawn_reason = $2, alias_of = NULL,
                revision = $3 WHERE id = $4",
        )
        .bind(&at)
        .bind(reason)
        .bind(revision)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let key: String = row.try_get("duplicate_key")?;
        Self::regroup(&mut tx, &key, revision).await?;
        let w = Withdrawal {
            at,
            reason: reason.to_string(),
        };
        // What changed, field by field (the fact-check's text stays as it was).
        tx.audit(
            "factcheck.withdraw",
            &format!("factcheck:{}", id.0),
            Some(json!({
                "alias_of": before.alias_of.map(|a| a.0),
                "withdrawn_at": null,
                "withdrawn_reason": null,
            })),
            Some(json!({
                "alias_of": null,
                "withdrawn_at": &w.at,
                "withdrawn_reason": &w.reason,
                "revision": revision,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(StoredFactCheck {
            alias_of: None,
            withdrawn: Some(w),
            ..before
        })
    }

    async fn counts(&self) -> Result<(u64, u64)> {
        let (f, i): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM factchecks WHERE published AND withdrawn_at IS NULL), (SELECT value FROM counters WHERE name = 'items')",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((f as u64, i as u64))
    }

    async fn fact_check_id(&self, source_id: &str) -> Result<Option<FactCheckId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM factchecks WHERE source_id = $1")
            .bind(source_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(id.map(FactCheckId))
    }

    async fn fact_checks_by_id(&self, ids: &[FactCheckId]) -> Result<Vec<StoredFactCheck>> {
        let ids = serde_json::to_string(&ids.iter().map(|i| i.0).collect::<Vec<_>>())
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            " FROM factchecks WHERE id IN (SELECT value::bigint FROM json_array_elements_text($1::json))
             ORDER BY id"
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| fact_check_from_row(r).map(|(f, _)| f))
            .collect()
    }

    async fn aliases(&self, id: FactCheckId) -> Result<Vec<StoredFactCheck>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            " FROM factchecks WHERE alias_of = $1 AND withdrawn_at IS NULL ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| fact_check_from_row(r).map(|(f, _)| f))
            .collect()
    }

    async fn search_fact_checks(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<StoredFactCheck>> {
        let pattern = text.map(contains_pattern);
        let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*)", factcheck_search_where!()))
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            factcheck_columns!(),
            factcheck_search_where!(),
            " ORDER BY date_published IS NULL, date_published DESC, id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(&pattern)
        .bind(i64::from(page.limit))
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let entries = rows
            .iter()
            .map(|r| fact_check_from_row(r).map(|(f, _)| f))
            .collect::<Result<_>>()?;
        Ok(Page {
            entries,
            total: total as u64,
            total_exact: true,
        })
    }
}
