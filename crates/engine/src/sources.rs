//! Adding a watched source, with the same checks from the command line and the web desk: a
//! feed's URL goes through the fetch guard (`[fetch]` rules) before it is kept, a drop
//! folder must be an existing folder.
//!
//! Layer 5: imports `engine` and the modules below it.

use std::time::Duration;

use claimdesk_core::Actor;
use claimdesk_ingest::fetch::{FetchError, GuardedClient};
use claimdesk_ingest::poll::timestamp_text;
use claimdesk_store::prelude::*;
use claimdesk_store::{NewSource, Source, SourceId, SourceKind};

use crate::engine::Engine;
use crate::error::{Error, Result};

pub use crate::error::Refusal;

/// A source just added, and what the caller should tell the user about it.
#[derive(Debug, Clone)]
pub struct AddedSource {
    /// The source as stored.
    pub source: Source,
    /// Why a feed was kept although it could not be checked now (its host does not
    /// resolve yet): it is checked again at every poll.
    pub warning: Option<String>,
}

/// How often a feed is polled unless the caller says: a feed changes a few times an hour.
pub const FEED_EVERY: Duration = Duration::from_secs(15 * 60);

/// How often a drop folder is polled unless the caller says: the fallback, for a running
/// poller also watches the folder and reads a file about a second after its last write;
/// without the watch, a file put there is read within a minute (looking costs one
/// directory listing).
pub const FOLDER_EVERY: Duration = Duration::from_secs(60);

/// Watches `location` (an http(s) URL of a feed or page, or a folder path) every `every`
/// ([`FEED_EVERY`] or [`FOLDER_EVERY`] when `None`). A URL whose host is, spells or resolves
/// to an internal address is refused unless `[fetch] allow` opens it; one that does not
/// resolve now is kept with a warning.
pub async fn add(
    engine: &Engine,
    location: &str,
    every: Option<Duration>,
    actor: Actor,
) -> Result<AddedSource> {
    let location = location.trim();
    let mut warning = None;
    let (kind, location) = if location.contains("://") {
        let client = GuardedClient::new(engine.config().fetch())?;
        let url = match client.check_url(location).await {
            Ok(url) => url.to_string(),
            Err(e @ FetchError::Resolve { .. }) => {
                warning = Some(format!("{e}; it is checked again at every poll"));
                url::Url::parse(location)
                    .map_err(|e| Refusal::BadUrl {
                        location: location.to_string(),
                        reason: e.to_string(),
                    })?
                    .to_string()
            }
            Err(e) => {
                let detail = e.to_string();
                let location = location.to_string();
                return Err(match e {
                    FetchError::Blocked { host, addr, .. } => Refusal::Internal {
                        location,
                        host,
                        addr: addr.to_string(),
                        detail,
                    }
                    .into(),
                    FetchError::InvalidUrl { .. }
                    | FetchError::Scheme { .. }
                    | FetchError::NoHost { .. } => Refusal::Guarded { location, detail }.into(),
                    e => e.into(),
                });
            }
        };
        (SourceKind::Feed, url)
    } else {
        let path = std::fs::canonicalize(location)
            .map_err(|_| Refusal::NotUrlOrFolder(location.to_string()))?;
        if !path.is_dir() {
            return Err(Refusal::File(path.display().to_string()).into());
        }
        (SourceKind::Folder, path.display().to_string())
    };
    let every = every.unwrap_or(match kind {
        SourceKind::Feed => FEED_EVERY,
        SourceKind::Folder => FOLDER_EVERY,
    });
    let new = NewSource {
        kind,
        location,
        interval_secs: every.as_secs(),
        first_poll_at: timestamp_text(jiff::Timestamp::now()),
    };
    let source = engine.store().add_source(&new, actor).await?;
    Ok(AddedSource { source, warning })
}

/// The source named by `which`: its id, its URL (as given or normalized) or its folder.
pub async fn find(engine: &Engine, which: &str) -> Result<Source> {
    let store = engine.store();
    let which = which.trim();
    if let Ok(id) = which.parse::<i64>()
        && let Some(s) = store.source(SourceId(id)).await?
    {
        return Ok(s);
    }
    let mut candidates = vec![which.to_string()];
    if let Ok(url) = url::Url::parse(which) {
        candidates.push(url.to_string());
    }
    if let Ok(path) = std::fs::canonicalize(which) {
        candidates.push(path.display().to_string());
    }
    for c in candidates {
        if let Some(s) = store.source_at(&c).await? {
            return Ok(s);
        }
    }
    Err(Error::Usage(format!(
        "no source `{which}`: the list of sources shows their ids and locations"
    )))
}
