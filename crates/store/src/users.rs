//! Users, sessions and API tokens: [`UserStore`].

use std::time::Duration;

use claimdesk_core::{Actor, ApiTokenId, Role, User, UserId};

use crate::{PasswordHash, Result, Secret, TokenHash};

/// A user about to be added.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name: 1 to 64 ASCII letters, digits, `.`, `_` or `-`; unique regardless of case.
    pub username: String,
    /// Shown at the desk; the username when `None` or blank.
    pub display_name: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// From [`hash_password`](crate::auth::hash_password).
    pub password: PasswordHash,
}

/// A session just opened: the cookie value and the CSRF token, handed out once.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value; only its hash is stored.
    pub token: Secret,
    /// The token forms must echo.
    pub csrf_token: String,
    /// When it stops working (RFC 3339, UTC).
    pub expires_at: String,
}

/// A live session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Whose it is (never a disabled user).
    pub user: User,
    /// The token forms must echo.
    pub csrf_token: String,
    /// When it stops working (RFC 3339, UTC).
    pub expires_at: String,
}

/// An API token just created, handed out once.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    /// Its id (for listing and revoking).
    pub id: ApiTokenId,
    /// The token; only its hash is stored.
    pub token: Secret,
}

/// An API token as listed (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its id.
    pub id: ApiTokenId,
    /// Whose it is.
    pub user: UserId,
    /// What its holder called it ("intake script").
    pub name: String,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// The desk's people: users, sessions and API tokens. `actor` needs `ManageUsers`, except a user changing their own password or managing their own tokens.
///
/// Every method is one transaction.
pub trait UserStore: Send + Sync {
    /// Adds a user (`user.add`).
    fn add_user(&self, new: &NewUser, actor: Actor) -> impl Future<Output = Result<User>> + Send;

    /// Replaces a user's password (`user.passwd`; the hash is not put in the trail).
    fn set_password(
        &self,
        user: UserId,
        password: &PasswordHash,
        actor: Actor,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Disables or re-enables a user (`user.disable` / `user.enable`); disabling ends their
    /// sessions. The last active admin cannot be disabled.
    fn set_disabled(
        &self,
        user: UserId,
        disabled: bool,
        actor: Actor,
    ) -> impl Future<Output = Result<User>> + Send;

    /// Changes a user's role (`user.role`). The last active admin keeps the role.
    fn set_role(
        &self,
        user: UserId,
        role: Role,
        actor: Actor,
    ) -> impl Future<Output = Result<User>> + Send;

    /// The user with this username (compared without case).
    fn user_by_name(&self, username: &str) -> impl Future<Output = Result<Option<User>>> + Send;

    /// The user with this id.
    fn user_by_id(&self, id: UserId) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Every user, in id order.
    fn users(&self) -> impl Future<Output = Result<Vec<User>>> + Send;

    /// A user and their password hash, for signing in (see [`verify_password`](crate::auth::verify_password)).
    fn user_credentials(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<(User, PasswordHash)>>> + Send;

    /// Opens a session for an active user, lasting `ttl` (`session.create`).
    fn create_session(
        &self,
        user: UserId,
        ttl: Duration,
    ) -> impl Future<Output = Result<NewSession>> + Send;

    /// The session with this token hash, if it is live and its user active.
    fn session_user(
        &self,
        token: &TokenHash,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// Ends a session (`session.delete`). False when there was none.
    fn delete_session(&self, token: &TokenHash) -> impl Future<Output = Result<bool>> + Send;

    /// Creates an API token for `user` (`token.create`); `actor` is that user or an admin.
    fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        actor: Actor,
    ) -> impl Future<Output = Result<NewApiToken>> + Send;

    /// The active user holding this unrevoked API token.
    fn api_token_user(
        &self,
        token: &TokenHash,
    ) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Revokes an API token (`token.revoke`); `actor` is its holder or an admin. Revoking a
    /// revoked token changes nothing.
    fn revoke_api_token(
        &self,
        id: ApiTokenId,
        actor: Actor,
    ) -> impl Future<Output = Result<()>> + Send;

    /// A user's API tokens, in id order.
    fn api_tokens(&self, user: UserId) -> impl Future<Output = Result<Vec<ApiToken>>> + Send;
}
