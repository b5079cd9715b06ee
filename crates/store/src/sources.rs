//! The sources claimdesk watches (feeds and drop folders) and the state of their polling.
//!
//! The store keeps what a poll learned (validators, the next poll time, the run of failures
//! and why the last one failed); when to poll next is decided by the poller
//! (`claimdesk_ingest::sources`), which passes the times in.

use std::fmt;

use claimdesk_core::Actor;

use crate::Result;

/// A source's id in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub i64);

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What kind of place a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// An RSS, Atom or JSON Feed URL (or an HTML article page), fetched over http(s).
    Feed,
    /// A folder where JSONL/CSV/TSV exports are dropped.
    Folder,
}

impl SourceKind {
    /// `feed` or `folder`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Folder => "folder",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<SourceKind> {
        match s {
            "feed" => Some(SourceKind::Feed),
            "folder" => Some(SourceKind::Folder),
            _ => None,
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source about to be added.
#[derive(Debug, Clone)]
pub struct NewSource {
    /// Feed or folder.
    pub kind: SourceKind,
    /// The URL (already checked by the guarded client) or the absolute folder path.
    pub location: String,
    /// Seconds between polls (at least 1).
    pub interval_secs: u64,
    /// The first poll (RFC 3339, UTC); usually now.
    pub first_poll_at: String,
}

/// What the last poll of a source ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollOutcome {
    /// New content was read.
    Fetched,
    /// The server answered 304 Not Modified (or the folder had no new file).
    NotModified,
    /// The poll failed; the source's `last_error` says why.
    Failed,
}

impl PollOutcome {
    /// `fetched`, `not_modified` or `failed`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            PollOutcome::Fetched => "fetched",
            PollOutcome::NotModified => "not_modified",
            PollOutcome::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<PollOutcome> {
        match s {
            "fetched" => Some(PollOutcome::Fetched),
            "not_modified" => Some(PollOutcome::NotModified),
            "failed" => Some(PollOutcome::Failed),
            _ => None,
        }
    }
}

/// A watched source and the state of its polling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Its id.
    pub id: SourceId,
    /// Feed or folder.
    pub kind: SourceKind,
    /// The URL or folder path.
    pub location: String,
    /// Seconds between polls while healthy.
    pub interval_secs: u64,
    /// `ETag` of the last full answer, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified` of the last full answer, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// When it is polled next (RFC 3339, UTC); after failures, the end of the backoff.
    pub next_poll_at: String,
    /// Failed polls in a row (0 when the last poll succeeded).
    pub consecutive_failures: u32,
    /// When the current run of failures began.
    pub failing_since: Option<String>,
    /// Why the last poll failed (kept until a poll succeeds).
    pub last_error: Option<String>,
    /// When it was last polled.
    pub last_polled_at: Option<String>,
    /// When a poll last succeeded (content or 304).
    pub last_success_at: Option<String>,
    /// What the last poll ended with (`None`: never polled).
    pub last_outcome: Option<PollOutcome>,
    /// Items read from it, over all polls.
    pub items_seen: u64,
    /// When it was added.
    pub created_at: String,
    /// Paused: kept, not polled until resumed.
    pub paused: bool,
}

/// How a source is doing, as `source list` and the desk show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceHealth {
    /// Added, not polled yet.
    New,
    /// The last poll succeeded.
    Ok {
        /// When.
        last_success_at: String,
    },
    /// The last polls failed; the next try waits until `retry_at`.
    Failing {
        /// First failure of this run.
        since: String,
        /// Failures in a row.
        failures: u32,
        /// Why the last one failed.
        error: String,
        /// When it is tried again (backing off until then).
        retry_at: String,
    },
}

impl Source {
    /// The source's health, from its polling state.
    pub fn health(&self) -> SourceHealth {
        if self.consecutive_failures > 0 {
            SourceHealth::Failing {
                since: self
                    .failing_since
                    .clone()
                    .or_else(|| self.last_polled_at.clone())
                    .unwrap_or_default(),
                failures: self.consecutive_failures,
                error: self.last_error.clone().unwrap_or_default(),
                retry_at: self.next_poll_at.clone(),
            }
        } else {
            match &self.last_success_at {
                Some(at) => SourceHealth::Ok {
                    last_success_at: at.clone(),
                },
                None => SourceHealth::New,
            }
        }
    }
}

impl fmt::Display for SourceHealth {
    /// `new: not polled yet`, `ok since ...`, or `failing since ... (N tries): why; backing
    /// off until ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceHealth::New => f.write_str("new: not polled yet"),
            SourceHealth::Ok { last_success_at } => {
                write!(f, "ok (last success {last_success_at})")
            }
            SourceHealth::Failing {
                since,
                failures,
                error,
                retry_at,
            } => write!(
                f,
                "failing since {since} ({failures} {}): {error}; backing off until {retry_at}",
                if *failures == 1 { "try" } else { "tries" }
            ),
        }
    }
}

/// What one poll of a source found, as the poller records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRecord {
    /// When the poll ran (RFC 3339, UTC).
    pub polled_at: String,
    /// What it ended with.
    pub outcome: PollOutcome,
    /// When to poll next (the interval, or the backoff after a failure).
    pub next_poll_at: String,
    /// New validators after a full answer (`None` keeps nothing: the server sent none).
    pub etag: Option<String>,
    /// New `Last-Modified` after a full answer.
    pub last_modified: Option<String>,
    /// Why it failed (for [`PollOutcome::Failed`]).
    pub error: Option<String>,
    /// Items read by this poll.
    pub items: u64,
}

pub(crate) fn outcome_from_db(s: Option<String>) -> Option<PollOutcome> {
    s.as_deref().and_then(PollOutcome::parse)
}

/// Watched sources (feeds and drop folders). Adding and removing need `EditCase` and are audited (`source.add`, `source.remove`); poll state is not.
///
/// Every method is one transaction.
pub trait SourceStore: Send + Sync {
    /// Adds a source to watch (`source.add`). A location already watched is refused.
    fn add_source(
        &self,
        new: &NewSource,
        actor: Actor,
    ) -> impl Future<Output = Result<Source>> + Send;

    /// Pauses a source (`source.pause`) or resumes it (`source.resume`); a paused source is
    /// not due and not polled. Asking for the state it is in changes nothing.
    fn set_source_paused(
        &self,
        id: SourceId,
        paused: bool,
        actor: Actor,
    ) -> impl Future<Output = Result<Source>> + Send;

    /// Stops watching a source (`source.remove`); the items it brought stay.
    fn remove_source(
        &self,
        id: SourceId,
        actor: Actor,
    ) -> impl Future<Output = Result<Source>> + Send;

    /// Every source, in id order.
    fn sources(&self) -> impl Future<Output = Result<Vec<Source>>> + Send;

    /// The source with this id.
    fn source(&self, id: SourceId) -> impl Future<Output = Result<Option<Source>>> + Send;

    /// The source watching this URL or folder.
    fn source_at(&self, location: &str) -> impl Future<Output = Result<Option<Source>>> + Send;

    /// Sources not paused whose next poll is at or before `now` (RFC 3339), the longest
    /// waiting first.
    fn due_sources(&self, now: &str) -> impl Future<Output = Result<Vec<Source>>> + Send;

    /// Records what a poll found: validators, next poll time, the run of failures.
    fn record_poll(
        &self,
        id: SourceId,
        poll: &PollRecord,
    ) -> impl Future<Output = Result<Source>> + Send;
}
