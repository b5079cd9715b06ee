//! claimdesk's source of truth: fact-checks, items, matches, the desk (users, sessions, API
//! tokens, cases, desk-written verdicts) and the hash-chained audit trail.
//!
//! [`Store`] is the seam: async methods, each one transaction. [`SqliteStore`] is the
//! embedded default (one file in the data directory, migrations compiled in); a PostgreSQL
//! implementation of the same trait follows with the same SQL shapes. Only this crate
//! speaks SQL. [`auth`] hashes passwords and makes tokens.
//!
//! Architecture invariants: everything else (the lexical index, caches) is derived from what
//! this store holds and carries the store revision it reflects. Every data change appends
//! its [`AuditEvent`] in the same transaction as the change; the workflow rules of
//! [`claimdesk_core::workflow`] and the role permissions are checked here, whichever front
//! end asks.

#![warn(missing_docs)]

pub mod auth;
mod desk;
mod monitor;
mod queue;
pub mod sources;
mod sqlite;

use std::time::Duration;

use claimdesk_core::{
    Actor, ApiTokenId, AuditEvent, AuditReport, Case, CaseId, CaseNote, CaseStatus, DeskFactCheck,
    Diagnostic, EvidenceLink, FactCheck, FactCheckId, ImportCounts, Item, ItemId, Permission, Role,
    StatusChange, StoredFactCheck, StoredItem, User, UserId, WorkflowError,
};
use claimdesk_core::{Alert, Burst, NarrativeId, NarrativeMember, WebhookId};

pub use auth::{PasswordHash, Secret, TokenHash};
pub use monitor::{
    AlertFilter, Assigned, Delivery, DeliveryAttempt, DueDelivery, HourlyVolume, NarrativeAlert,
    NarrativeAssignment, NarrativeDetail, NarrativeFactCheck, NarrativeFilter, NarrativeIndex,
    NarrativeItem, NarrativeSummary, NewAlert, NextAttempt, Tally, Webhook,
};
pub use queue::{ItemFacets, ItemFilter, MatchStatus, Page, PageRequest, QueueEntry};
pub use sources::{NewSource, PollOutcome, PollRecord, Source, SourceHealth, SourceId, SourceKind};
pub use sqlite::SqliteStore;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened or a statement failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
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
    /// The request itself is not valid (empty claim, bad URL, wrong case status); the message
    /// says what to change.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// True for mistakes of whoever asked (bad input, missing rights, unknown ids), which a
    /// front end reports as such; false for failures of the store itself.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            Error::Database(_) | Error::Migration(_) | Error::Corrupt(_) | Error::Crypto(_)
        )
    }
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A fact-check about to be stored, with the key that groups identical ones.
#[derive(Debug, Clone)]
pub struct NewFactCheck {
    /// The fact-check.
    pub fact_check: FactCheck,
    /// Equal keys mean the same normalized text (see `claimdesk_text::duplicate_key`).
    pub duplicate_key: String,
}

/// An item about to be stored, with its idempotency key.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// The item.
    pub item: Item,
    /// `source` + external id when the item has one, else a hash of its normalized text.
    pub key: String,
}

/// Where a batch came from, for the audit log.
#[derive(Debug, Clone)]
pub struct ImportSource<'a> {
    /// The file (as the user named it).
    pub file: &'a str,
    /// The format it was read as.
    pub format: &'a str,
    /// Records the parser rejected, stored with the audit entry.
    pub diagnostics: &'a [Diagnostic],
    /// Who ran it, for the audit trail.
    pub actor: Actor,
}

/// One entry of the import audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    /// The entry's id.
    pub id: i64,
    /// Fact-checks or items.
    pub kind: String,
    /// The file imported.
    pub file: String,
    /// Its format.
    pub format: String,
    /// When the import ran (UTC, RFC 3339).
    pub started_at: String,
    /// What happened to its records.
    pub counts: ImportCounts,
}

/// A fact-check changed since some revision, as the index needs it.
#[derive(Debug, Clone)]
pub struct FactCheckChange {
    /// The fact-check now.
    pub fact_check: StoredFactCheck,
    /// The revision of its last change.
    pub revision: i64,
}

/// A stored match of an item to a fact-check.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMatch {
    /// The fact-check matched.
    pub fact_check: FactCheckId,
    /// Rank in the item's list, 1 = best.
    pub rank: u32,
    /// The fused score.
    pub score: f32,
    /// The explanation, as JSON.
    pub explanation: serde_json::Value,
}

impl StoredMatch {
    /// A ranked list as the store keeps it: `(fact-check, score, explanation)` best first,
    /// numbered from rank 1.
    pub fn ranked(
        list: impl IntoIterator<Item = (FactCheckId, f32, serde_json::Value)>,
    ) -> Vec<StoredMatch> {
        list.into_iter()
            .zip(1..)
            .map(|((fact_check, score, explanation), rank)| StoredMatch {
                fact_check,
                rank,
                score,
                explanation,
            })
            .collect()
    }
}

/// How strict the desk's workflow is, beyond [`claimdesk_core::transition`]'s table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkflowPolicy {
    /// The reviewer who publishes a verdict must not be the user who drafted it (default:
    /// true; a one-person desk turns it off).
    pub require_other_reviewer: bool,
}

impl Default for WorkflowPolicy {
    fn default() -> Self {
        WorkflowPolicy {
            require_other_reviewer: true,
        }
    }
}

/// A user about to be added.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name: 1 to 64 ASCII letters, digits, `.`, `_` or `-`; unique regardless of case.
    pub username: String,
    /// Shown at the desk; the username when `None` or blank.
    pub display_name: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// From [`auth::hash_password`].
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

/// A case about to be opened (in triage).
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    /// The item it comes from.
    pub item: Option<ItemId>,
    /// The claim; when empty and `item` is given, the item's text.
    pub claim: String,
    /// Who works on it.
    pub assignee: Option<UserId>,
}

/// Which cases to list, newest change first.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    /// Only cases in this status.
    pub status: Option<CaseStatus>,
    /// Only cases assigned to this user.
    pub assignee: Option<UserId>,
    /// Only cases opened from this item.
    pub item: Option<ItemId>,
    /// At most this many.
    pub limit: u32,
    /// After skipping this many.
    pub offset: u32,
}

impl Default for CaseFilter {
    fn default() -> Self {
        CaseFilter {
            status: None,
            assignee: None,
            item: None,
            limit: 50,
            offset: 0,
        }
    }
}

/// A source to attach to a case.
#[derive(Debug, Clone, Default)]
pub struct NewEvidence {
    /// An `http` or `https` URL.
    pub url: String,
    /// Its title.
    pub title: Option<String>,
    /// What it shows.
    pub note: Option<String>,
}

/// A case's verdict as the desk writes it.
#[derive(Debug, Clone, Default)]
pub struct DraftFactCheck {
    /// The ClaimReview fields: claim reviewed, rating, language, author (the organization),
    /// headline, url. `source_id` and `date_published` are the store's: the source id is
    /// `claimdesk:case:ID`, and the date is set when the case is published.
    pub fact_check: FactCheck,
    /// The verdict explained in a few sentences.
    pub summary: Option<String>,
    /// The sources it rests on (URLs).
    pub evidence: Vec<String>,
    /// `claimdesk_text::duplicate_key` of the claim, as for imports: once published, the
    /// verdict is grouped with fact-checks saying the same.
    pub duplicate_key: String,
}

/// Which audit events to list, oldest first.
#[derive(Debug, Clone)]
pub struct AuditFilter {
    /// Only events about this subject (`case:12`, `user:3`).
    pub subject: Option<String>,
    /// Only events after this seq (0: from the start).
    pub after: i64,
    /// At most this many.
    pub limit: u32,
}

impl Default for AuditFilter {
    fn default() -> Self {
        AuditFilter {
            subject: None,
            after: 0,
            limit: 100,
        }
    }
}

/// The storage seam. Every method is one transaction: a batch is stored whole or not at all,
/// together with its audit entry.
pub trait Store: Send + Sync {
    /// Stores fact-checks (added, updated or unchanged by source id) and logs the import.
    /// Fact-checks sharing a duplicate key become aliases of the earliest one.
    fn save_fact_checks(
        &self,
        batch: &[NewFactCheck],
        source: ImportSource<'_>,
    ) -> impl Future<Output = Result<ImportCounts>> + Send;

    /// Stores items (added, updated or unchanged by key) and logs the ingest.
    fn save_items(
        &self,
        batch: &[NewItem],
        source: ImportSource<'_>,
    ) -> impl Future<Output = Result<(ImportCounts, Vec<ItemId>)>> + Send;

    /// The current fact-check revision (0 for an empty store).
    fn revision(&self) -> impl Future<Output = Result<i64>> + Send;

    /// Every fact-check changed after `revision`, in id order.
    fn fact_checks_since(
        &self,
        revision: i64,
    ) -> impl Future<Output = Result<Vec<FactCheckChange>>> + Send;

    /// Every fact-check, in id order.
    fn fact_checks(&self) -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// Items, in id order, `limit` at most after id `after`.
    fn items(
        &self,
        after: ItemId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredItem>>> + Send;

    /// Replaces the stored matches of an item.
    fn save_matches(
        &self,
        item: ItemId,
        matches: &[StoredMatch],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Replaces the stored matches of many items in one transaction.
    fn save_matches_of(
        &self,
        batch: &[(ItemId, Vec<StoredMatch>)],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Stores the check-worthiness of many items in one transaction (replacing what an item
    /// had).
    fn save_check_worthiness(
        &self,
        batch: &[(ItemId, claimdesk_core::CheckWorthiness)],
    ) -> impl Future<Output = Result<()>> + Send;

    /// The stored check-worthiness of an item, if it was scored.
    fn check_worthiness(
        &self,
        item: ItemId,
    ) -> impl Future<Output = Result<Option<claimdesk_core::CheckWorthiness>>> + Send;

    /// The stored matches of many items in one query: one list per item of `items`, in
    /// that order, each best first (empty for an item without matches).
    fn matches_of_items(
        &self,
        items: &[ItemId],
    ) -> impl Future<Output = Result<Vec<Vec<StoredMatch>>>> + Send;

    /// The stored matches of an item, best first.
    fn matches(&self, item: ItemId) -> impl Future<Output = Result<Vec<StoredMatch>>> + Send;

    /// The first item stored (ingested) at or after `since` (Unix seconds): items from it
    /// on are the recent window a new fact-check looks back over.
    fn first_item_since(&self, since: i64) -> impl Future<Output = Result<Option<ItemId>>> + Send;

    /// Items stored but not yet through the intake pipeline (left by a process that
    /// stopped mid-pipeline, or not yet reached), in id order.
    fn pending_items(&self, limit: u32) -> impl Future<Output = Result<Vec<ItemId>>> + Send;

    /// Records that the pipeline has processed `items`.
    fn mark_processed(&self, items: &[ItemId]) -> impl Future<Output = Result<()>> + Send;

    /// The items with a stored match to any of `fact_checks`, in id order.
    fn items_matched_to(
        &self,
        fact_checks: &[FactCheckId],
    ) -> impl Future<Output = Result<Vec<ItemId>>> + Send;

    /// The import audit log, oldest first.
    fn imports(&self) -> impl Future<Output = Result<Vec<ImportRecord>>> + Send;

    /// Number of fact-checks (canonical and aliases) and items stored.
    fn counts(&self) -> impl Future<Output = Result<(u64, u64)>> + Send;

    /// The stored embeddings of `model` for these text hashes (missing ones are left out).
    fn embeddings(
        &self,
        model: &str,
        hashes: &[u64],
    ) -> impl Future<Output = Result<Vec<(u64, Vec<f32>)>>> + Send;

    /// Stores embeddings of `model` by text hash (an existing one is kept). The hash is the
    /// embedding crate's `embedding_key` of the text the model saw.
    fn save_embeddings(
        &self,
        model: &str,
        vectors: &[(u64, Vec<f32>)],
    ) -> impl Future<Output = Result<()>> + Send;

    // Users. `actor` needs `ManageUsers`, except a user changing their own password.

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

    /// A user and their password hash, for signing in (see [`auth::verify_password`]).
    fn user_credentials(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<(User, PasswordHash)>>> + Send;

    // Sessions and API tokens.

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

    // Cases. The acting user needs `EditCase`; moves follow `claimdesk_core::transition`.

    /// Opens a case in triage (`case.create`).
    fn create_case(
        &self,
        new: &NewCase,
        actor: UserId,
    ) -> impl Future<Output = Result<Case>> + Send;

    /// The case with this id.
    fn case(&self, id: CaseId) -> impl Future<Output = Result<Option<Case>>> + Send;

    /// Cases matching `filter`, most recently changed first.
    fn cases(&self, filter: &CaseFilter) -> impl Future<Output = Result<Vec<Case>>> + Send;

    /// Moves a case (`case.transition`, plus `factcheck.publish` when it is published, which
    /// publishes its draft verdict). Moving to `drafted` needs a draft verdict; moving to
    /// `matched_existing` is [`Store::link_fact_check`]; back to `triage` from
    /// `matched_existing` unlinks the fact-check.
    fn transition_case(
        &self,
        case: CaseId,
        to: CaseStatus,
        actor: UserId,
    ) -> impl Future<Output = Result<Case>> + Send;

    /// Answers a case with an existing published fact-check: the case moves to
    /// `matched_existing` with `fact_check` set (`case.transition`).
    fn link_fact_check(
        &self,
        case: CaseId,
        fact_check: FactCheckId,
        actor: UserId,
    ) -> impl Future<Output = Result<Case>> + Send;

    /// Assigns a case to an active, non-viewer user, or unassigns it (`case.assign`).
    fn assign_case(
        &self,
        case: CaseId,
        assignee: Option<UserId>,
        actor: UserId,
    ) -> impl Future<Output = Result<Case>> + Send;

    /// Adds a note to a case (`case.note`).
    fn add_note(
        &self,
        case: CaseId,
        text: &str,
        actor: UserId,
    ) -> impl Future<Output = Result<CaseNote>> + Send;

    /// A case's notes, oldest first.
    fn notes(&self, case: CaseId) -> impl Future<Output = Result<Vec<CaseNote>>> + Send;

    /// Attaches a source to a case (`case.evidence`).
    fn add_evidence(
        &self,
        case: CaseId,
        evidence: &NewEvidence,
        actor: UserId,
    ) -> impl Future<Output = Result<EvidenceLink>> + Send;

    /// A case's evidence, oldest first.
    fn evidence(&self, case: CaseId) -> impl Future<Output = Result<Vec<EvidenceLink>>> + Send;

    /// A case's status changes, its opening first.
    fn case_history(&self, case: CaseId) -> impl Future<Output = Result<Vec<StatusChange>>> + Send;

    // Desk-written verdicts.

    /// Writes (or rewrites) a case's draft verdict while it is verifying, drafted or in
    /// review (`verdict.draft`); the actor needs `EditFactCheck` and becomes the case's
    /// `drafted_by`. Drafts are not indexed or listed until published.
    fn save_draft_fact_check(
        &self,
        case: CaseId,
        draft: &DraftFactCheck,
        actor: UserId,
    ) -> impl Future<Output = Result<FactCheckId>> + Send;

    /// Published fact-checks (imported and desk-written), newest `date_published` first
    /// (undated last), then by id descending.
    fn published_fact_checks(
        &self,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Vec<DeskFactCheck>>> + Send;

    /// Any fact-check by id, draft or published.
    fn fact_check(
        &self,
        id: FactCheckId,
    ) -> impl Future<Output = Result<Option<DeskFactCheck>>> + Send;

    /// A case's own verdict (the one `save_draft_fact_check` wrote), draft or published.
    fn case_verdict(
        &self,
        case: CaseId,
    ) -> impl Future<Output = Result<Option<DeskFactCheck>>> + Send;

    // The audit trail.

    /// Audit events matching `filter`, oldest first.
    fn audit_events(
        &self,
        filter: &AuditFilter,
    ) -> impl Future<Output = Result<Vec<AuditEvent>>> + Send;

    /// Recomputes the whole chain and reports the first event that was edited, deleted or
    /// is missing from the end.
    fn verify_audit(&self) -> impl Future<Output = Result<AuditReport>> + Send;

    // The desk's reads (see `queue.rs`; SQL in `sqlite/desk_read.rs`).

    /// The queue: items matching `filter`, newest publication first (undated last), each
    /// with its top match.
    fn queue(
        &self,
        filter: &ItemFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<QueueEntry>>> + Send;

    /// The item with this id.
    fn item(&self, id: ItemId) -> impl Future<Output = Result<Option<StoredItem>>> + Send;

    /// The distinct languages and sources of the items.
    fn item_facets(&self) -> impl Future<Output = Result<ItemFacets>> + Send;

    /// The fact-checks with these ids (unknown ids are left out), in id order.
    fn fact_checks_by_id(
        &self,
        ids: &[FactCheckId],
    ) -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// The aliases of a canonical fact-check, in id order.
    fn aliases(&self, id: FactCheckId)
    -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// Fact-checks whose claim or headline contains `text` (all when `None`), newest
    /// publication first.
    fn search_fact_checks(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<StoredFactCheck>>> + Send;

    // Watched sources (feeds and drop folders); see [`sources`]. Adding and removing need
    // `EditCase` and are audited (`source.add`, `source.remove`); poll state is not.

    /// Adds a source to watch (`source.add`). A location already watched is refused.
    fn add_source(
        &self,
        new: &NewSource,
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

    /// Sources whose next poll is at or before `now` (RFC 3339), the longest waiting first.
    fn due_sources(&self, now: &str) -> impl Future<Output = Result<Vec<Source>>> + Send;

    /// Records what a poll found: validators, next poll time, the run of failures.
    fn record_poll(
        &self,
        id: SourceId,
        poll: &PollRecord,
    ) -> impl Future<Output = Result<Source>> + Send;
    // Narratives, alerts and webhooks (see `monitor.rs`; SQL in `sqlite/monitor.rs`).
    // Narratives and bursts are derived state: `clear_narratives` and re-assigning every
    // item in id order rebuilds them, with the same ids.

    /// The representative members' fingerprints, every narrative's centroid, the
    /// narratives with a burst and the alerts about narratives, for the monitor to resume
    /// from.
    fn narrative_index(&self) -> impl Future<Output = Result<NarrativeIndex>> + Send;

    /// Puts an item into a narrative (or a new one). Idempotent: an item already in a
    /// narrative stays where it is and nothing is counted twice.
    fn assign_narrative(
        &self,
        assignment: &NarrativeAssignment,
    ) -> impl Future<Output = Result<Assigned>> + Send;

    /// [`Store::assign_narrative`] for many items, in order, in one transaction; an
    /// assignment may join the narrative of an earlier one of the batch
    /// ([`NarrativeAssignment::joins_earlier`]). One result per assignment.
    fn assign_narratives(
        &self,
        batch: &[NarrativeAssignment],
    ) -> impl Future<Output = Result<Vec<Assigned>>> + Send;

    /// A narrative's items on its time line, earliest first.
    fn narrative_members(
        &self,
        id: NarrativeId,
    ) -> impl Future<Output = Result<Vec<NarrativeMember>>> + Send;

    /// A narrative's items whose time is within `from..=to` (Unix seconds), earliest first:
    /// what a burst or growth check around new items reads, however big the narrative.
    fn narrative_members_between(
        &self,
        id: NarrativeId,
        from: i64,
        to: i64,
    ) -> impl Future<Output = Result<Vec<NarrativeMember>>> + Send;

    /// Records a narrative's copy-paste burst; false when it already had one (kept).
    fn save_burst(
        &self,
        id: NarrativeId,
        burst: &Burst,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Narratives matching `filter`, most recently seen first.
    fn narratives(
        &self,
        filter: &NarrativeFilter,
    ) -> impl Future<Output = Result<Vec<NarrativeSummary>>> + Send;

    /// One narrative with its volume, languages, sources, fact-checks and first
    /// `items_limit` items.
    fn narrative(
        &self,
        id: NarrativeId,
        items_limit: u32,
    ) -> impl Future<Output = Result<Option<NarrativeDetail>>> + Send;

    /// Deletes every narrative and burst (alerts stay), before a rebuild.
    fn clear_narratives(&self) -> impl Future<Output = Result<()>> + Send;

    /// Raises an alert (`alert.raise`, by the system) and queues it for every webhook.
    /// `None` when the rule already alerted on this subject.
    fn raise_alert(&self, alert: &NewAlert) -> impl Future<Output = Result<Option<Alert>>> + Send;

    /// Alerts matching `filter`, newest first.
    fn alerts(&self, filter: &AlertFilter) -> impl Future<Output = Result<Vec<Alert>>> + Send;

    /// Adds a webhook endpoint (`webhook.add`; `ManageUsers`). Alerts raised from now on
    /// are sent to it.
    fn add_webhook(
        &self,
        url: &str,
        secret: &str,
        actor: Actor,
    ) -> impl Future<Output = Result<Webhook>> + Send;

    /// The webhook endpoints in use, in id order.
    fn webhooks(&self) -> impl Future<Output = Result<Vec<Webhook>>> + Send;

    /// Stops sending to a webhook (`webhook.remove`; `ManageUsers`); its log stays.
    fn remove_webhook(
        &self,
        id: WebhookId,
        actor: Actor,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deliveries whose next attempt is due at `now` (RFC 3339, UTC), earliest first.
    fn due_deliveries(
        &self,
        now: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DueDelivery>>> + Send;

    /// Logs a delivery attempt and schedules what comes next.
    fn record_delivery(&self, attempt: &DeliveryAttempt)
    -> impl Future<Output = Result<()>> + Send;

    /// The delivery log (of one webhook or all), newest first.
    fn deliveries(
        &self,
        webhook: Option<WebhookId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Delivery>>> + Send;
}
