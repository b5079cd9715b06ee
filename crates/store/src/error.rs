//! The store's errors. A backend's own error type (sqlx's today) stays inside
//! [`DatabaseError`]: callers match on what went wrong, not on which database said so.

use std::fmt;

use claimdesk_core::{Permission, Role, WorkflowError};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened or a statement failed.
    #[error("database error: {0}")]
    Database(DatabaseError),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migration(DatabaseError),
    /// A stored value could not be decoded (the database was edited by hand?).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Hashing or the operating system's randomness failed.
    #[error("{0}")]
    Crypto(String),
    /// A user, case, fact-check or token that does not exist.
    #[error("no {what} {id}")]
    NotFound {
        /// What was looked for ("user", "case", ...).
        what: &'static str,
        /// The id or name asked for.
        id: String,
    },
    /// Another user has this username (usernames are compared without case).
    #[error("the username `{0}` is taken")]
    UsernameTaken(String),
    /// A new password is too short.
    #[error("a password needs at least {min} characters")]
    PasswordTooShort {
        /// The minimum, in characters.
        min: usize,
    },
    /// A new password is too easy to guess (zxcvbn's estimate below
    /// [`crate::auth::MIN_PASSWORD_SCORE`]).
    #[error(
        "this password is too easy to guess{hint}: use a longer one, e.g. several unrelated words"
    )]
    PasswordTooWeak {
        /// What makes it guessable, as ": …", or empty.
        hint: String,
    },
    /// The acting user's role does not allow this.
    #[error("{username} ({role}) may not {needs}")]
    Forbidden {
        /// Who tried.
        username: String,
        /// Their role.
        role: Role,
        /// What it would have needed.
        needs: Permission,
    },
    /// A user who is not an admin tried to import fact-checks. Imports carry the desk's
    /// existing published record; new verdicts are written and reviewed through cases.
    #[error(
        "{username} ({role}) may not import fact-checks: imports are for admins; write a \
         verdict through a case, where it is reviewed before it is published"
    )]
    ImportForbidden {
        /// Who tried.
        username: String,
        /// Their role.
        role: Role,
    },
    /// An import would change a verdict the desk wrote, or take the source id the desk gives
    /// its own verdicts (`claimdesk:case:N`). Nothing of the batch is stored.
    #[error(
        "`{source_id}` is the desk's own verdict of case {case}: it changes only through its \
         case, with a review; remove it from the import"
    )]
    DeskVerdict {
        /// The source id in the import.
        source_id: String,
        /// The case the verdict belongs to.
        case: i64,
    },
    /// The acting user is disabled.
    #[error("user `{0}` is disabled")]
    Disabled(String),
    /// The workflow does not allow this move.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// A case was to be marked drafted or published before its verdict was written.
    #[error("case {case} has no draft verdict: write it before moving the case to {to}")]
    NoDraftVerdict {
        /// The case.
        case: i64,
        /// The status asked for.
        to: claimdesk_core::CaseStatus,
    },
    /// A fact-check was to be withdrawn without a reason: its public page says why it was
    /// withdrawn, so the reason is required.
    #[error("say why the fact-check is withdrawn: its public page shows the reason")]
    NoWithdrawalReason,
    /// The fact-check was withdrawn already (a withdrawal is final), so it cannot be
    /// withdrawn again or linked to a case.
    #[error("fact-check {id} was withdrawn at {at}")]
    AlreadyWithdrawn {
        /// The fact-check.
        id: i64,
        /// When it was withdrawn.
        at: String,
    },
    /// The request itself is not valid (empty claim, bad URL); the message says what to
    /// change.
    #[error("{0}")]
    Invalid(String),
    /// The database server could not be reached (wrong host or port, server down, network).
    #[error(
        "cannot reach the database at {url}: {detail}; check that PostgreSQL is running there \
         and the host and port are right"
    )]
    Unreachable {
        /// The URL, without its password.
        url: String,
        /// What the driver said.
        detail: String,
    },
    /// The database stopped answering while in use: the connection was lost, the server is
    /// shutting down or restarting, or no connection came free in time. Nothing of the
    /// change that met it was written; it can be tried again once the database is back.
    #[error("the database does not answer ({0}); try again when it is back")]
    Unavailable(DatabaseError),
    /// The server refused the user, its password, or the database named.
    #[error(
        "the database at {url} refused the connection: {detail}; check the user name, the \
         password and the database name in the URL (and that the database exists)"
    )]
    AccessDenied {
        /// The URL, without its password.
        url: String,
        /// What the server said.
        detail: String,
    },
    /// The database was written by a newer claimdesk: this one does not know its schema.
    #[error(
        "the database's schema is at version {found}, newer than this claimdesk knows \
         ({known}): upgrade claimdesk, or point it at another database"
    )]
    SchemaTooNew {
        /// The newest migration the database has.
        found: i64,
        /// The newest this build has.
        known: i64,
    },
    /// A migration the database has is not the one this build has under that version.
    #[error(
        "the database's schema does not match this claimdesk's at version {version}: {detail}; \
         restore the database from a backup or use a claimdesk of the version that wrote it"
    )]
    SchemaMismatch {
        /// The migration's version.
        version: i64,
        /// What differs.
        detail: String,
    },
    /// The database holds tables but no claimdesk schema: it belongs to something else.
    #[error(
        "the database already holds {tables} tables and none of claimdesk's: give claimdesk \
         an empty database (createdb claimdesk) or a schema of its own"
    )]
    ForeignSchema {
        /// How many tables it holds.
        tables: i64,
    },
    /// The request is well formed but the desk's state does not allow it now (a case in
    /// another status, a verdict not yet written, a user who cannot take cases); the message
    /// says why. The same request may succeed once the state changes.
    #[error("{0}")]
    Conflict(String),
}

impl Error {
    /// True for mistakes of whoever asked (bad input, missing rights, unknown ids), which a
    /// front end reports as such; false for failures of the store itself.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            Error::Database(_)
                | Error::Migration(_)
                | Error::Corrupt(_)
                | Error::Crypto(_)
                | Error::Unreachable { .. }
                | Error::Unavailable(_)
                | Error::AccessDenied { .. }
                | Error::SchemaTooNew { .. }
                | Error::SchemaMismatch { .. }
                | Error::ForeignSchema { .. }
        )
    }
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A failure of the database itself, as its driver reported it. Opaque on purpose: its
/// `Display` (and `Debug`) keep the driver's message for the log, and nothing else of the
/// backend reaches the caller, so a second backend adds no variant and no dependency.
pub struct DatabaseError(Box<dyn std::error::Error + Send + Sync>);

impl DatabaseError {
    /// Wraps a backend's error (for the store's implementations).
    pub(crate) fn new(e: impl std::error::Error + Send + Sync + 'static) -> DatabaseError {
        DatabaseError(Box::new(e))
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

// The conversions the SQLite implementation's `?` needs. They are trait impls, so public in
// form, but hidden: callers never see a `sqlx` type, only `Error::Database`.
#[doc(hidden)]
impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        if is_unavailable(&e) {
            Error::Unavailable(DatabaseError::new(e))
        } else {
            Error::Database(DatabaseError::new(e))
        }
    }
}

/// Whether `e` says the database is out of reach rather than that a statement failed:
/// the connection's I/O, a pool that found no live connection, or PostgreSQL's connection
/// exceptions (class 08) and shutdown codes (57P01 admin shutdown, 57P02 crash shutdown,
/// 57P03 cannot connect now).
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| {
            c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

#[doc(hidden)]
impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Error {
        Error::Migration(DatabaseError::new(e))
    }
}

/// `url` with its password replaced by `***`, to be shown and logged.
pub(crate) fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((user, host)) => {
                let user = user.split_once(':').map_or(user, |(u, _)| u);
                format!("{scheme}://{user}:***@{host}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// What a failure to connect to `url` means for the user: the server out of reach, or the
/// server refusing who asked; anything else stays a database error.
pub(crate) fn connect_error(url: &str, e: sqlx::Error) -> Error {
    let url = redact_url(url);
    match &e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => {
            Error::Unreachable {
                url,
                detail: e.to_string(),
            }
        }
        sqlx::Error::Database(db)
            // invalid_authorization_specification, invalid_password, invalid_catalog_name
            if matches!(db.code().as_deref(), Some("28000" | "28P01" | "3D000")) =>
        {
            Error::AccessDenied {
                url,
                detail: db.message().to_string(),
            }
        }
        _ => Error::Database(DatabaseError::new(e)),
    }
}
