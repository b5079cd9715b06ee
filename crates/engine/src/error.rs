//! The engine's errors: what the user can fix (config, missing files, bad settings) apart
//! from what failed inside (store, index, model).

use std::path::PathBuf;

use crate::config::ConfigError;

/// What went wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config file is unreadable, malformed or holds a value that is not allowed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A file the user named or the data directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file the user named is not what the command expects (file, line, field, what).
    #[error("{0}")]
    Input(claimdesk_core::Diagnostic),
    /// The user asked for something that cannot be done as asked (the message says what to
    /// do instead).
    #[error("{0}")]
    Usage(String),
    /// A verdict's publication is held by its privacy check (issue 21): findings of high
    /// severity, or a part that could not be checked, and no reviewer's reason to publish
    /// anyway.
    #[error(
        "publication held by the privacy check: {high} finding(s) of high severity{}; \
         remove them from the verdict, its evidence notes and images, or publish anyway \
         (reviewers) with a reason, which the audit trail records",
        if *incomplete > 0 { format!(" and {incomplete} part(s) that could not be checked") } else { String::new() }
    )]
    PrivacyHold {
        /// Findings of high severity.
        high: u32,
        /// Parts that could not be checked.
        incomplete: u32,
    },
    /// No desk at the data directory a command was given: only `claimdesk init` creates
    /// one, so a mistyped `--data` is said, not turned into a new empty desk.
    #[error(
        "no desk at {dir}: the directory {what} (looked for {store_file}). Create one with \
         `claimdesk --data {dir} init`, or point --data (or CLAIMDESK_DATA) at an existing one",
        dir = dir.display(),
        what = if *dir_exists { "holds no desk" } else { "does not exist" },
        store_file = store_file.display()
    )]
    NoDesk {
        /// The data directory looked at.
        dir: PathBuf,
        /// The store file that was not there.
        store_file: PathBuf,
        /// Whether the directory itself exists.
        dir_exists: bool,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] claimdesk_store::Error),
    /// The index or the ranker failed.
    #[error(transparent)]
    Match(#[from] claimdesk_match::Error),
    /// The embedding model could not be loaded or run.
    #[error(transparent)]
    Embed(#[from] claimdesk_embed::EmbedError),
    /// The monitor (narratives, alerts) failed.
    #[error(transparent)]
    Monitor(#[from] claimdesk_monitor::Error),
    /// A location that cannot be watched as a source (the same words from the CLI and the
    /// web desk).
    #[error(transparent)]
    Source(#[from] Refusal),
    /// An outgoing request failed or was refused.
    #[error(transparent)]
    Fetch(#[from] claimdesk_ingest::fetch::FetchError),
    /// A background task stopped unexpectedly.
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Why a location cannot be watched: the user's mistake, said the same way from the command
/// line and the web desk (which shows it in its own language, by variant).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Neither an http(s) URL nor an existing folder.
    #[error("`{0}` is neither an http(s) URL nor an existing folder")]
    NotUrlOrFolder(String),
    /// An existing file, not a folder.
    #[error(
        "{0} is a file, not a folder: a drop folder is watched for the files put into it (to \
         read one file once, ingest it)"
    )]
    File(String),
    /// A URL that does not parse.
    #[error("`{location}`: {reason}")]
    BadUrl {
        /// The location as given.
        location: String,
        /// The parser's reason.
        reason: String,
    },
    /// A web address whose host is, spells or resolves to an internal address; `detail` is
    /// the guard's message, which says how `[fetch] allow` opens it.
    #[error("{detail}")]
    Internal {
        /// The URL as given.
        location: String,
        /// Its host, normalized.
        host: String,
        /// The refused address.
        addr: String,
        /// The guard's message.
        detail: String,
    },
    /// A web address the fetch guard refuses otherwise (another scheme, no host, not a
    /// URL); `detail` is the guard's message.
    #[error("{detail}")]
    Guarded {
        /// The URL as given.
        location: String,
        /// The guard's message.
        detail: String,
    },
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
