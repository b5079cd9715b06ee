//! The steps every audited change shares, written once: [`Change::begin`] takes the write
//! lock, checks the acting user's [`Rights`] and reads the time; the writer writes through it
//! (it is the transaction's connection); [`Change::audit`] appends the change's event to the
//! hash chain in the same transaction; [`Change::commit`] commits both or, dropped on an
//! error, neither. Writes of derived or poll state (matches, narratives, embeddings, poll
//! results) are not audited and take [`PgStore::write_tx`] directly.

use std::ops::{Deref, DerefMut};

use claimdesk_core::audit::GENESIS_HASH;
use claimdesk_core::{Actor, AuditEvent, Permission, Role, User, UserId};
use serde_json::Value;
use sqlx::{PgConnection, Postgres, Transaction};

use super::PgStore;
use crate::{Error, Result};

/// Who may make a change, checked in its transaction before anything is written. The
/// command line and claimdesk itself may do everything; a user must exist and be enabled.
#[derive(Debug, Clone, Copy)]
pub(super) enum Rights {
    /// Anyone (ingest; alerts claimdesk raises).
    Anyone,
    /// Any enabled user (opening their own session).
    Active,
    /// This permission, unless the user acts on themselves (the `UserId`).
    Needs(Permission, Option<UserId>),
    /// Importing fact-checks: admins. Imports carry a desk's existing published record; an
    /// editor's verdicts go through cases and their review.
    Import,
}

/// One audited change in its write transaction. Derefs to the connection, so queries run
/// on `&mut *change`.
pub(super) struct Change {
    tx: Transaction<'static, Postgres>,
    actor: Actor,
    user: Option<User>,
    at: String,
    events: usize,
}

impl Change {
    /// Begins a change by `actor`: a write transaction, the rights checked, the time read.
    pub(super) async fn begin(store: &PgStore, actor: Actor, rights: Rights) -> Result<Change> {
        let mut tx = store.write_tx().await?;
        let user = match (actor, rights) {
            (Actor::User(id), Rights::Active | Rights::Needs(..) | Rights::Import) => {
                Some(active_user(&mut tx, id).await?)
            }
            _ => None,
        };
        if let Some(user) = &user {
            match rights {
                Rights::Anyone | Rights::Active => {}
                Rights::Needs(_, Some(own)) if own == user.id => {}
                Rights::Needs(needs, _) => require(user, needs)?,
                Rights::Import if user.role == Role::Admin => {}
                Rights::Import => {
                    return Err(Error::ImportForbidden {
                        username: user.username.clone(),
                        role: user.role,
                    });
                }
            }
        }
        let at = match store.fixed_time() {
            Some(at) => at,
            None => now(&mut tx).await?,
        };
        Ok(Change {
            tx,
            actor,
            user,
            at,
            events: 0,
        })
    }

    /// A change by the desk user `id` (who must have `rights`), with that user.
    pub(super) async fn by_user(
        store: &PgStore,
        id: UserId,
        rights: Rights,
    ) -> Result<(Change, User)> {
        let change = Change::begin(store, Actor::User(id), rights).await?;
        let user = change.user.clone().ok_or_else(|| Error::NotFound {
            what: "user",
            id: id.0.to_string(),
        })?;
        Ok((change, user))
    }

    /// Checks a right that depends on what the change read (revoking a token: its holder
    /// may, or a user who manages users). Needs a change begun with [`Rights::Active`] or
    /// stricter, so the acting user is loaded.
    pub(super) fn require(&self, needs: Permission, own: Option<UserId>) -> Result<()> {
        match &self.user {
            Some(user) if own != Some(user.id) => require(user, needs),
            _ => Ok(()),
        }
    }

    /// Records the change as `actor`'s after all (signing out: the session says whose it
    /// was).
    pub(super) fn act_as(&mut self, actor: Actor) {
        self.actor = actor;
    }

    /// When the change happens (RFC 3339, UTC, milliseconds): one time for its rows and its
    /// events.
    pub(super) fn at(&self) -> &str {
        &self.at
    }

    /// Appends the change's audit event (`action` on `subject`, what it was and what it
    /// became) to the chain, in the change's transaction.
    pub(super) async fn audit(
        &mut self,
        action: &str,
        subject: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Result<i64> {
        let seq = append_audit(
            &mut self.tx,
            &self.at,
            self.actor,
            action,
            subject,
            before,
            after,
        )
        .await?;
        self.events += 1;
        Ok(seq)
    }

    /// Commits the change with its events.
    pub(super) async fn commit(self) -> Result<()> {
        debug_assert!(self.events > 0, "a change commits without its audit event");
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for Change {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.tx
    }
}

impl DerefMut for Change {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}

/// The current time as stored: RFC 3339, UTC, milliseconds.
pub(super) async fn now(c: &mut PgConnection) -> Result<String> {
    Ok(sqlx::query_scalar("SELECT rfc3339(clock_timestamp())")
        .fetch_one(c)
        .await?)
}

fn json_text(v: &Value) -> String {
    // serde_json writes object keys in sorted order: the stored text is stable.
    v.to_string()
}

/// Appends one event to the audit trail. Must run in the transaction of the change it
/// records, so the change and its event commit together.
async fn append_audit(
    c: &mut PgConnection,
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
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    pub(super) id: i64,
    pub(super) username: String,
    pub(super) display_name: String,
    pub(super) role: String,
    pub(super) disabled: bool,
}

impl UserRow {
    pub(super) fn into_user(self) -> Result<User> {
        Ok(User {
            id: UserId(self.id),
            role: self
                .role
                .parse()
                .map_err(|e| Error::Corrupt(format!("user {}: {e}", self.id)))?,
            username: self.username,
            display_name: self.display_name,
            disabled: self.disabled,
        })
    }
}

pub(super) const USER_COLUMNS: &str = "id, username, display_name, role, disabled";

pub(super) async fn load_user(c: &mut PgConnection, id: UserId) -> Result<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(
        "SELECT id, username, display_name, role, disabled FROM users WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await?;
    row.map(UserRow::into_user).transpose()
}

pub(super) async fn existing_user(c: &mut PgConnection, id: UserId) -> Result<User> {
    load_user(c, id).await?.ok_or_else(|| Error::NotFound {
        what: "user",
        id: id.0.to_string(),
    })
}

/// The acting user, who must exist and be enabled.
pub(super) async fn active_user(c: &mut PgConnection, id: UserId) -> Result<User> {
    let user = existing_user(c, id).await?;
    if user.disabled {
        return Err(Error::Disabled(user.username));
    }
    Ok(user)
}

pub(super) fn require(user: &User, needs: Permission) -> Result<()> {
    if user.role.can(needs) {
        Ok(())
    } else {
        Err(Error::Forbidden {
            username: user.username.clone(),
            role: user.role,
            needs,
        })
    }
}
