//! The steps every audited write shares: the time, the acting user's rights, the audit
//! event appended in the change's own transaction.

use claimdesk_core::{Actor, AuditEvent, Permission, Role, UserId};
use serde_json::Value;
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::users::{active_user, require};
use crate::{Error, Result, SqliteStore};
use claimdesk_core::audit::GENESIS_HASH;

/// The current time as stored: RFC 3339, UTC, milliseconds.
pub(crate) async fn now(c: &mut SqliteConnection) -> Result<String> {
    Ok(
        sqlx::query_scalar("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
            .fetch_one(c)
            .await?,
    )
}

fn json_text(v: &Value) -> String {
    // serde_json writes object keys in sorted order: the stored text is stable.
    v.to_string()
}

/// Appends one event to the audit trail. Must run in the transaction of the change it
/// records, so the change and its event commit together.
pub(crate) async fn append_audit(
    c: &mut SqliteConnection,
    at: &str,
    actor: Actor,
    action: &str,
    subject: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<i64> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'audit_seq' RETURNING value",
    )
    .fetch_one(&mut *c)
    .await?;
    let prev: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *c)
            .await?;
    let mut event = AuditEvent {
        seq,
        at: at.to_string(),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        before: before.as_ref().map(json_text),
        after: after.as_ref().map(json_text),
        prev_hash: prev.unwrap_or_else(|| GENESIS_HASH.to_string()),
        hash: String::new(),
    };
    event.hash = event.compute_hash();
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor, action, subject, before, after, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(event.seq)
    .bind(&event.at)
    .bind(&event.actor)
    .bind(&event.action)
    .bind(&event.subject)
    .bind(&event.before)
    .bind(&event.after)
    .bind(&event.prev_hash)
    .bind(&event.hash)
    .execute(&mut *c)
    .await?;
    Ok(seq)
}

/// Checks that `actor` may do `needs`, or is acting on themselves (`own`). The command line
/// and claimdesk itself may do everything.
pub(crate) async fn authorize(
    c: &mut SqliteConnection,
    actor: Actor,
    needs: Permission,
    own: Option<UserId>,
) -> Result<()> {
    let Actor::User(id) = actor else {
        return Ok(());
    };
    let user = active_user(c, id).await?;
    if own == Some(id) {
        return Ok(());
    }
    require(&user, needs)
}

/// Checks that `actor` may import fact-checks: admins, the command line and claimdesk
/// itself. Imports carry a desk's existing published record; an editor's verdicts go through
/// cases and their review.
pub(crate) async fn authorize_import(c: &mut SqliteConnection, actor: Actor) -> Result<()> {
    let Actor::User(id) = actor else {
        return Ok(());
    };
    let user = active_user(c, id).await?;
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::ImportForbidden {
            username: user.username,
            role: user.role,
        })
    }
}

/// A write transaction (see [`SqliteStore::write_tx`]).
pub(super) async fn begin(store: &SqliteStore) -> Result<Transaction<'static, Sqlite>> {
    store.write_tx().await
}
