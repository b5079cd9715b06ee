//! [`UserStore`] for PostgreSQL: users, sessions and API tokens.

use std::time::Duration;

use claimdesk_core::{Actor, ApiTokenId, Permission, Role, User, UserId};
use serde_json::{Value, json};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use super::write::{Change, Rights, USER_COLUMNS, UserRow, active_user, existing_user, load_user};
use crate::UserStore;
use crate::auth::{PasswordHash, Secret, TokenHash};
use crate::{ApiToken, Error, NewApiToken, NewSession, NewUser, PgStore, Result, Session};

/// Revokes every live API token of `user` (a new password, a disabled account).
async fn revoke_tokens_of(c: &mut PgConnection, user: UserId, at: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(user.0)
    .execute(c)
    .await?;
    Ok(done.rows_affected())
}

fn check_username(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "username `{name}`: use 1 to 64 ASCII letters, digits, `.`, `_` or `-`"
        )))
    }
}

/// Refuses to take the admin role (by demotion or disabling) from the last active admin.
async fn keep_an_admin(c: &mut PgConnection, user: &User) -> Result<()> {
    if user.role != Role::Admin || user.disabled {
        return Ok(());
    }
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled AND id != $1",
    )
    .bind(user.id.0)
    .fetch_one(c)
    .await?;
    if others == 0 {
        return Err(Error::Invalid(format!(
            "`{}` is the last active admin: make another user admin first",
            user.username
        )));
    }
    Ok(())
}

fn user_json(u: &User) -> Value {
    json!({
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role.as_str(),
        "disabled": u.disabled,
    })
}

fn user_subject(id: UserId) -> String {
    format!("user:{}", id.0)
}

pub(crate) async fn add_user(store: &PgStore, new: &NewUser, actor: Actor) -> Result<User> {
    let mut tx = Change::begin(store, actor, Rights::Needs(Permission::ManageUsers, None)).await?;
    check_username(&new.username)?;
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE lower(username) = lower($1)")
            .bind(&new.username)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(Error::UsernameTaken(new.username.clone()));
    }
    let display_name = new
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(&new.username)
        .to_string();
    let at = tx.at().to_string();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&new.username)
    .bind(&display_name)
    .bind(new.password.as_str())
    .bind(new.role.as_str())
    .bind(&at)
    .fetch_one(&mut *tx)
    .await?;
    let user = User {
        id: UserId(id),
        username: new.username.clone(),
        display_name,
        role: new.role,
        disabled: false,
    };
    tx.audit(
        "user.add",
        &user_subject(user.id),
        None,
        Some(user_json(&user)),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub(crate) async fn set_password(
    store: &PgStore,
    user: UserId,
    password: &PasswordHash,
    actor: Actor,
) -> Result<()> {
    let mut tx = Change::begin(
        store,
        actor,
        Rights::Needs(Permission::ManageUsers, Some(user)),
    )
    .await?;
    let target = existing_user(&mut tx, user).await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password.as_str())
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    // A new password signs every old session out and revokes every API token: whoever
    // learned the old one keeps nothing.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    let at = tx.at().to_string();
    revoke_tokens_of(&mut tx, user, &at).await?;
    tx.audit(
        "user.passwd",
        &user_subject(user),
        None,
        Some(json!({ "username": target.username })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn set_disabled(
    store: &PgStore,
    user: UserId,
    disabled: bool,
    actor: Actor,
) -> Result<User> {
    let mut tx = Change::begin(store, actor, Rights::Needs(Permission::ManageUsers, None)).await?;
    let before = existing_user(&mut tx, user).await?;
    if before.disabled == disabled {
        return Ok(before);
    }
    if disabled {
        keep_an_admin(&mut tx, &before).await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        // Enabling the account again does not bring its tokens back.
        let at = tx.at().to_string();
        revoke_tokens_of(&mut tx, user, &at).await?;
    }
    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(disabled)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    let after = User {
        disabled,
        ..before.clone()
    };
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    tx.audit(
        action,
        &user_subject(user),
        Some(user_json(&before)),
        Some(user_json(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub(crate) async fn set_role(
    store: &PgStore,
    user: UserId,
    role: Role,
    actor: Actor,
) -> Result<User> {
    let mut tx = Change::begin(store, actor, Rights::Needs(Permission::ManageUsers, None)).await?;
    let before = existing_user(&mut tx, user).await?;
    if before.role == role {
        return Ok(before);
    }
    keep_an_admin(&mut tx, &before).await?;
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    let after = User {
        role,
        ..before.clone()
    };
    tx.audit(
        "user.role",
        &user_subject(user),
        Some(user_json(&before)),
        Some(user_json(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub(crate) async fn user_by_name(store: &PgStore, username: &str) -> Result<Option<User>> {
    Ok(user_credentials(store, username).await?.map(|(u, _)| u))
}

pub(crate) async fn user_by_id(store: &PgStore, id: UserId) -> Result<Option<User>> {
    let mut c = store.pool().acquire().await?;
    load_user(&mut c, id).await
}

pub(crate) async fn users(store: &PgStore) -> Result<Vec<User>> {
    let rows: Vec<UserRow> =
        sqlx::query_as("SELECT id, username, display_name, role, disabled FROM users ORDER BY id")
            .fetch_all(store.pool())
            .await?;
    rows.into_iter().map(UserRow::into_user).collect()
}

pub(crate) async fn user_credentials(
    store: &PgStore,
    username: &str,
) -> Result<Option<(User, PasswordHash)>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(username) = lower($1)"
    )))
    .bind(username)
    .fetch_optional(store.pool())
    .await?;
    row.map(|r| {
        let hash = PasswordHash::from_phc(r.try_get("password_hash")?);
        Ok((user_from_row(&r)?, hash))
    })
    .transpose()
}

pub(super) fn user_from_row(r: &PgRow) -> Result<User> {
    UserRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: r.try_get("role")?,
        disabled: r.try_get("disabled")?,
    }
    .into_user()
}

// ---------------------------------------------------------------------------------------
// Sessions and API tokens

pub(crate) async fn create_session(
    store: &PgStore,
    user: UserId,
    ttl: Duration,
) -> Result<NewSession> {
    let mut tx = Change::begin(store, Actor::User(user), Rights::Active).await?;
    let token = Secret::generate()?;
    let csrf_token = Secret::generate()?.expose().to_string();
    let at = tx.at().to_string();
    let seconds = i64::try_from(ttl.as_secs())
        .unwrap_or(i64::MAX)
        .min(10 * 365 * 86400);
    let expires_at: String =
        sqlx::query_scalar("SELECT rfc3339($1::timestamptz + make_interval(secs => $2::float8))")
            .bind(&at)
            .bind(seconds)
            .fetch_one(&mut *tx)
            .await?;
    // Expired sessions are useless; drop them while we are writing anyway.
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token.hash().as_str())
    .bind(user.0)
    .bind(&csrf_token)
    .bind(&at)
    .bind(&expires_at)
    .execute(&mut *tx)
    .await?;
    tx.audit(
        "session.create",
        &user_subject(user),
        None,
        Some(json!({ "expires_at": expires_at })),
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        csrf_token,
        expires_at,
    })
}

pub(crate) async fn session_user(store: &PgStore, token: &TokenHash) -> Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.role, u.disabled, s.csrf_token, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND NOT u.disabled
           AND s.expires_at > rfc3339(clock_timestamp())",
    )
    .bind(token.as_str())
    .fetch_optional(store.pool())
    .await?;
    row.map(|r| {
        Ok(Session {
            user: user_from_row(&r)?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

pub(crate) async fn delete_session(store: &PgStore, token: &TokenHash) -> Result<bool> {
    let mut tx = Change::begin(store, Actor::System, Rights::Anyone).await?;
    let user: Option<i64> =
        sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
            .bind(token.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    let Some(user) = user else {
        return Ok(false);
    };
    tx.act_as(Actor::User(UserId(user)));
    tx.audit("session.delete", &user_subject(UserId(user)), None, None)
        .await?;
    tx.commit().await?;
    Ok(true)
}

pub(crate) async fn create_api_token(
    store: &PgStore,
    user: UserId,
    name: &str,
    actor: Actor,
) -> Result<NewApiToken> {
    let mut tx = Change::begin(
        store,
        actor,
        Rights::Needs(Permission::ManageUsers, Some(user)),
    )
    .await?;
    let holder = active_user(&mut tx, user).await?;
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid(
            "an API token needs a name that says what uses it".into(),
        ));
    }
    let token = Secret::generate()?;
    let at = tx.at().to_string();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(token.hash().as_str())
    .bind(user.0)
    .bind(name)
    .bind(&at)
    .fetch_one(&mut *tx)
    .await?;
    tx.audit(
        "token.create",
        &format!("token:{id}"),
        None,
        Some(json!({ "user": holder.username, "name": name })),
    )
    .await?;
    tx.commit().await?;
    Ok(NewApiToken {
        id: ApiTokenId(id),
        token,
    })
}

pub(crate) async fn api_token_user(store: &PgStore, token: &TokenHash) -> Result<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, u.role, u.disabled
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled",
    )
    .bind(token.as_str())
    .fetch_optional(store.pool())
    .await?;
    row.map(UserRow::into_user).transpose()
}

pub(crate) async fn revoke_api_token(store: &PgStore, id: ApiTokenId, actor: Actor) -> Result<()> {
    let mut tx = Change::begin(store, actor, Rights::Active).await?;
    let row: Option<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT user_id, name, revoked_at FROM api_tokens WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((user, name, revoked_at)) = row else {
        return Err(Error::NotFound {
            what: "API token",
            id: id.0.to_string(),
        });
    };
    tx.require(Permission::ManageUsers, Some(UserId(user)))?;
    if revoked_at.is_some() {
        return Ok(());
    }
    let at = tx.at().to_string();
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
        .bind(&at)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    tx.audit(
        "token.revoke",
        &format!("token:{}", id.0),
        None,
        Some(json!({ "user": user, "name": name })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn api_tokens(store: &PgStore, user: UserId) -> Result<Vec<ApiToken>> {
    let rows: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, user_id, name, created_at, revoked_at FROM api_tokens
         WHERE user_id = $1 ORDER BY id",
    )
    .bind(user.0)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, user, name, created_at, revoked_at)| ApiToken {
            id: ApiTokenId(id),
            user: UserId(user),
            name,
            created_at,
            revoked_at,
        })
        .collect())
}

impl UserStore for PgStore {
    async fn add_user(&self, new: &NewUser, actor: Actor) -> Result<User> {
        add_user(self, new, actor).await
    }

    async fn set_password(
        &self,
        user: UserId,
        password: &PasswordHash,
        actor: Actor,
    ) -> Result<()> {
        set_password(self, user, password, actor).await
    }

    async fn set_disabled(&self, user: UserId, disabled: bool, actor: Actor) -> Result<User> {
        set_disabled(self, user, disabled, actor).await
    }

    async fn set_role(&self, user: UserId, role: Role, actor: Actor) -> Result<User> {
        set_role(self, user, role, actor).await
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        user_by_name(self, username).await
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        user_by_id(self, id).await
    }

    async fn users(&self) -> Result<Vec<User>> {
        users(self).await
    }

    async fn user_credentials(&self, username: &str) -> Result<Option<(User, PasswordHash)>> {
        user_credentials(self, username).await
    }

    async fn create_session(&self, user: UserId, ttl: Duration) -> Result<NewSession> {
        create_session(self, user, ttl).await
    }

    async fn session_user(&self, token: &TokenHash) -> Result<Option<Session>> {
        session_user(self, token).await
    }

    async fn delete_session(&self, token: &TokenHash) -> Result<bool> {
        delete_session(self, token).await
    }

    async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        actor: Actor,
    ) -> Result<NewApiToken> {
        create_api_token(self, user, name, actor).await
    }

    async fn api_token_user(&self, token: &TokenHash) -> Result<Option<User>> {
        api_token_user(self, token).await
    }

    async fn revoke_api_token(&self, id: ApiTokenId, actor: Actor) -> Result<()> {
        revoke_api_token(self, id, actor).await
    }

    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        api_tokens(self, user).await
    }
}
