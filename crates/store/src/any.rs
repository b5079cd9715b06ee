//! [`AnyStore`]: the store a desk opens, SQLite or PostgreSQL, chosen at run time by its
//! URL. It implements every role trait by handing each call to the backend it holds
//! ([`dispatch!`] writes the `match` once), so callers hold one type and name no backend.

use std::path::Path;
use std::time::Duration;

use claimdesk_core::{
    Actor, Alert, AlertId, ApiTokenId, AuditEvent, AuditReport, Burst, Case, CaseId, CaseNote,
    CaseStatus, Checkpoint, DeskFactCheck, EvidenceLink, FactCheckId, ImageJoin, ImportCounts,
    ItemId, NarrativeId, NarrativeMember, Role, StatusChange, StoredFactCheck, StoredItem, User,
    UserId, WebhookId,
};

use crate::audit::{AuditFilter, AuditStore, ImportRecord, ImportSource};
use crate::auth::{PasswordHash, TokenHash};
use crate::cases::{CaseFilter, CaseStore, DraftFactCheck, NewCase, NewEvidence, WorkflowPolicy};
use crate::digests::{DigestAttempt, DigestStore};
use crate::embeddings::EmbeddingStore;
use crate::error::{Error, Result};
use crate::factchecks::{FactCheckChange, FactCheckStore, NewFactCheck};
use crate::images::{ImageStore, ItemImage, ItemImageHash, NewItemImage, StoredImage};
use crate::items::{
    ItemFacets, ItemFilter, ItemStore, NewItem, Page, PageRequest, QueueEntry, StoredMatch,
};
use crate::monitor::{
    AlertDecision, AlertFilter, AlertState, Assigned, Delivery, DeliveryAttempt, DueDelivery,
    MonitorStore, NarrativeAssignment, NarrativeDetail, NarrativeFilter, NarrativeIndex,
    NarrativeSummary, NewAlert, Representative, Webhook,
};
use crate::postgres::PgStore;
use crate::sources::{NewSource, PollRecord, Source, SourceId, SourceStore};
use crate::sqlite::SqliteStore;
use crate::stats::{
    EditorWork, Metric, NarrativeGrowth, OpenCase, Period, PublishedCase, StatRow, StatsStore,
};
use crate::users::{ApiToken, NewApiToken, NewSession, NewUser, Session, UserStore};

/// Calls the same method on whichever backend `self` holds.
macro_rules! dispatch {
    ($self:expr, $s:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $call,
            AnyStore::Postgres($s) => $call,
        }
    };
}

/// A store on either backend. [`AnyStore::open`] picks it from a URL; everything else goes
/// through the role traits ([`Store`](crate::Store)).
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// The embedded default: one SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database, which several processes may share.
    Postgres(PgStore),
}

impl AnyStore {
    /// Opens the store a URL names: `postgres://` or `postgresql://` is a PostgreSQL
    /// database, `sqlite:` a SQLite one; anything else is refused with
    /// [`Error::Invalid`](crate::Error::Invalid).
    pub async fn open(url: &str) -> Result<AnyStore> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(AnyStore::Postgres(PgStore::open(url).await?))
        } else if url.starts_with("sqlite:") {
            Ok(AnyStore::Sqlite(SqliteStore::open_url(url).await?))
        } else {
            Err(Error::Invalid(format!(
                "`{}` is not a database URL claimdesk knows: use postgres://USER:PASSWORD@HOST/DB \
                 (or leave it unset for the SQLite file in the data directory)",
                crate::error::redact_url(url)
            )))
        }
    }

    /// Opens (creating it if needed) the SQLite database file at `path`.
    pub async fn open_file(path: &Path) -> Result<AnyStore> {
        Ok(AnyStore::Sqlite(SqliteStore::open(path).await?))
    }

    /// The backend's name, for logs and `status` lines: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(_) => "sqlite",
            AnyStore::Postgres(_) => "postgres",
        }
    }

    /// The same store with another workflow policy.
    pub fn with_policy(self, policy: WorkflowPolicy) -> AnyStore {
        match self {
            AnyStore::Sqlite(s) => AnyStore::Sqlite(s.with_policy(policy)),
            AnyStore::Postgres(s) => AnyStore::Postgres(s.with_policy(policy)),
        }
    }

    /// A listener woken when another process changes the fact-check revision (on SQLite,
    /// one that never wakes: the file is polled).
    pub async fn revision_listener(&self) -> Result<crate::RevisionListener> {
        match self {
            AnyStore::Sqlite(_) => Ok(crate::RevisionListener { listener: None }),
            AnyStore::Postgres(s) => s.revision_listener().await,
        }
    }

    /// Sets how long intake a process took stays its own (see
    /// [`SqliteStore::set_intake_lease`]).
    pub fn set_intake_lease(&self, lease: std::time::Duration) {
        dispatch!(self, s => s.set_intake_lease(lease))
    }

    /// Fixes the time every later change records (see [`SqliteStore::set_clock`]).
    pub fn set_clock(&self, at: Option<&str>) {
        dispatch!(self, s => s.set_clock(at))
    }
}

impl From<SqliteStore> for AnyStore {
    fn from(s: SqliteStore) -> AnyStore {
        AnyStore::Sqlite(s)
    }
}

impl From<PgStore> for AnyStore {
    fn from(s: PgStore) -> AnyStore {
        AnyStore::Postgres(s)
    }
}

impl FactCheckStore for AnyStore {
    async fn save_fact_checks(
        &self,
        batch: &[NewFactCheck],
        source: ImportSource<'_>,
    ) -> Result<ImportCounts> {
        dispatch!(self, s => s.save_fact_checks(batch, source).await)
    }

    async fn revision(&self) -> Result<i64> {
        dispatch!(self, s => s.revision().await)
    }

    async fn fact_checks_since(&self, revision: i64) -> Result<Vec<FactCheckChange>> {
        dispatch!(self, s => s.fact_checks_since(revision).await)
    }

    async fn fact_checks(&self) -> Result<Vec<StoredFactCheck>> {
        dispatch!(self, s => s.fact_checks().await)
    }

    async fn fact_check_id(&self, source_id: &str) -> Result<Option<FactCheckId>> {
        dispatch!(self, s => s.fact_check_id(source_id).await)
    }

    async fn fact_checks_by_id(&self, ids: &[FactCheckId]) -> Result<Vec<StoredFactCheck>> {
        dispatch!(self, s => s.fact_checks_by_id(ids).await)
    }

    async fn aliases(&self, id: FactCheckId) -> Result<Vec<StoredFactCheck>> {
        dispatch!(self, s => s.aliases(id).await)
    }

    async fn search_fact_checks(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<StoredFactCheck>> {
        dispatch!(self, s => s.search_fact_checks(text, page).await)
    }

    async fn withdraw_fact_check(
        &self,
        id: FactCheckId,
        actor: Actor,
        reason: &str,
    ) -> Result<StoredFactCheck> {
        dispatch!(self, s => s.withdraw_fact_check(id, actor, reason).await)
    }

    async fn counts(&self) -> Result<(u64, u64)> {
        dispatch!(self, s => s.counts().await)
    }
}

impl EmbeddingStore for AnyStore {
    async fn embeddings(&self, model: &str, hashes: &[u64]) -> Result<Vec<(u64, Vec<f32>)>> {
        dispatch!(self, s => s.embeddings(model, hashes).await)
    }

    async fn save_embeddings(&self, model: &str, vectors: &[(u64, Vec<f32>)]) -> Result<()> {
        dispatch!(self, s => s.save_embeddings(model, vectors).await)
    }
}

impl ItemStore for AnyStore {
    async fn save_items(
        &self,
        batch: &[NewItem],
        source: ImportSource<'_>,
    ) -> Result<(ImportCounts, Vec<ItemId>)> {
        dispatch!(self, s => s.save_items(batch, source).await)
    }

    async fn items(&self, after: ItemId, limit: u32) -> Result<Vec<StoredItem>> {
        dispatch!(self, s => s.items(after, limit).await)
    }

    async fn item(&self, id: ItemId) -> Result<Option<StoredItem>> {
        dispatch!(self, s => s.item(id).await)
    }

    async fn item_facets(&self) -> Result<ItemFacets> {
        dispatch!(self, s => s.item_facets().await)
    }

    async fn queue(&self, filter: &ItemFilter, page: PageRequest) -> Result<Page<QueueEntry>> {
        dispatch!(self, s => s.queue(filter, page).await)
    }

    async fn save_matches(&self, item: ItemId, matches: &[StoredMatch]) -> Result<()> {
        dispatch!(self, s => s.save_matches(item, matches).await)
    }

    async fn save_matches_of(&self, batch: &[(ItemId, Vec<StoredMatch>)]) -> Result<()> {
        dispatch!(self, s => s.save_matches_of(batch).await)
    }

    async fn matches(&self, item: ItemId) -> Result<Vec<StoredMatch>> {
        dispatch!(self, s => s.matches(item).await)
    }

    async fn matches_of_items(&self, items: &[ItemId]) -> Result<Vec<Vec<StoredMatch>>> {
        dispatch!(self, s => s.matches_of_items(items).await)
    }

    async fn items_matched_to(&self, fact_checks: &[FactCheckId]) -> Result<Vec<ItemId>> {
        dispatch!(self, s => s.items_matched_to(fact_checks).await)
    }

    async fn save_check_worthiness(
        &self,
        batch: &[(ItemId, claimdesk_core::CheckWorthiness)],
    ) -> Result<()> {
        dispatch!(self, s => s.save_check_worthiness(batch).await)
    }

    async fn check_worthiness(
        &self,
        item: ItemId,
    ) -> Result<Option<claimdesk_core::CheckWorthiness>> {
        dispatch!(self, s => s.check_worthiness(item).await)
    }

    async fn first_item_since(&self, since: i64) -> Result<Option<ItemId>> {
        dispatch!(self, s => s.first_item_since(since).await)
    }

    async fn pending_items(&self, limit: u32) -> Result<Vec<ItemId>> {
        dispatch!(self, s => s.pending_items(limit).await)
    }

    async fn claim_pending(&self, limit: u32) -> Result<Vec<ItemId>> {
        dispatch!(self, s => s.claim_pending(limit).await)
    }

    async fn finish_matching(&self, items: &[ItemId]) -> Result<()> {
        dispatch!(self, s => s.finish_matching(items).await)
    }

    async fn pending_narratives(&self, limit: u32) -> Result<Vec<ItemId>> {
        dispatch!(self, s => s.pending_narratives(limit).await)
    }

    async fn mark_processed(&self, items: &[ItemId]) -> Result<()> {
        dispatch!(self, s => s.mark_processed(items).await)
    }
}

impl UserStore for AnyStore {
    async fn add_user(&self, new: &NewUser, actor: Actor) -> Result<User> {
        dispatch!(self, s => s.add_user(new, actor).await)
    }

    async fn set_password(
        &self,
        user: UserId,
        password: &PasswordHash,
        actor: Actor,
    ) -> Result<()> {
        dispatch!(self, s => s.set_password(user, password, actor).await)
    }

    async fn set_disabled(&self, user: UserId, disabled: bool, actor: Actor) -> Result<User> {
        dispatch!(self, s => s.set_disabled(user, disabled, actor).await)
    }

    async fn set_role(&self, user: UserId, role: Role, actor: Actor) -> Result<User> {
        dispatch!(self, s => s.set_role(user, role, actor).await)
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        dispatch!(self, s => s.user_by_name(username).await)
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        dispatch!(self, s => s.user_by_id(id).await)
    }

    async fn users(&self) -> Result<Vec<User>> {
        dispatch!(self, s => s.users().await)
    }

    async fn user_credentials(&self, username: &str) -> Result<Option<(User, PasswordHash)>> {
        dispatch!(self, s => s.user_credentials(username).await)
    }

    async fn create_session(&self, user: UserId, ttl: Duration) -> Result<NewSession> {
        dispatch!(self, s => s.create_session(user, ttl).await)
    }

    async fn session_user(&self, token: &TokenHash) -> Result<Option<Session>> {
        dispatch!(self, s => s.session_user(token).await)
    }

    async fn delete_session(&self, token: &TokenHash) -> Result<bool> {
        dispatch!(self, s => s.delete_session(token).await)
    }

    async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        actor: Actor,
    ) -> Result<NewApiToken> {
        dispatch!(self, s => s.create_api_token(user, name, actor).await)
    }

    async fn api_token_user(&self, token: &TokenHash) -> Result<Option<User>> {
        dispatch!(self, s => s.api_token_user(token).await)
    }

    async fn revoke_api_token(&self, id: ApiTokenId, actor: Actor) -> Result<()> {
        dispatch!(self, s => s.revoke_api_token(id, actor).await)
    }

    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        dispatch!(self, s => s.api_tokens(user).await)
    }
}

impl CaseStore for AnyStore {
    fn policy(&self) -> WorkflowPolicy {
        dispatch!(self, s => s.policy())
    }

    async fn create_case(&self, new: &NewCase, actor: UserId) -> Result<Case> {
        dispatch!(self, s => s.create_case(new, actor).await)
    }

    async fn case(&self, id: CaseId) -> Result<Option<Case>> {
        dispatch!(self, s => s.case(id).await)
    }

    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>> {
        dispatch!(self, s => s.cases(filter).await)
    }

    async fn transition_case(&self, case: CaseId, to: CaseStatus, actor: UserId) -> Result<Case> {
        dispatch!(self, s => s.transition_case(case, to, actor).await)
    }

    async fn link_fact_check(
        &self,
        case: CaseId,
        fact_check: FactCheckId,
        actor: UserId,
    ) -> Result<Case> {
        dispatch!(self, s => s.link_fact_check(case, fact_check, actor).await)
    }

    async fn assign_case(
        &self,
        case: CaseId,
        assignee: Option<UserId>,
        actor: UserId,
    ) -> Result<Case> {
        dispatch!(self, s => s.assign_case(case, assignee, actor).await)
    }

    async fn add_note(&self, case: CaseId, text: &str, actor: UserId) -> Result<CaseNote> {
        dispatch!(self, s => s.add_note(case, text, actor).await)
    }

    async fn notes(&self, case: CaseId) -> Result<Vec<CaseNote>> {
        dispatch!(self, s => s.notes(case).await)
    }

    async fn add_evidence(
        &self,
        case: CaseId,
        evidence: &NewEvidence,
        actor: UserId,
    ) -> Result<EvidenceLink> {
        dispatch!(self, s => s.add_evidence(case, evidence, actor).await)
    }

    async fn evidence(&self, case: CaseId) -> Result<Vec<EvidenceLink>> {
        dispatch!(self, s => s.evidence(case).await)
    }

    async fn case_history(&self, case: CaseId) -> Result<Vec<StatusChange>> {
        dispatch!(self, s => s.case_history(case).await)
    }

    async fn save_draft_fact_check(
        &self,
        case: CaseId,
        draft: &DraftFactCheck,
        actor: UserId,
    ) -> Result<FactCheckId> {
        dispatch!(self, s => s.save_draft_fact_check(case, draft, actor).await)
    }

    async fn published_fact_checks(&self, limit: u32, offset: u32) -> Result<Vec<DeskFactCheck>> {
        dispatch!(self, s => s.published_fact_checks(limit, offset).await)
    }

    async fn fact_check(&self, id: FactCheckId) -> Result<Option<DeskFactCheck>> {
        dispatch!(self, s => s.fact_check(id).await)
    }

    async fn case_verdict(&self, case: CaseId) -> Result<Option<DeskFactCheck>> {
        dispatch!(self, s => s.case_verdict(case).await)
    }
}

impl AuditStore for AnyStore {
    async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        dispatch!(self, s => s.audit_events(filter).await)
    }

    async fn verify_audit(&self) -> Result<AuditReport> {
        dispatch!(self, s => s.verify_audit().await)
    }

    async fn imports(&self) -> Result<Vec<ImportRecord>> {
        dispatch!(self, s => s.imports().await)
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        dispatch!(self, s => s.audit_head().await)
    }

    async fn audit_hashes(&self, after: i64, upto: i64) -> Result<Vec<(i64, String)>> {
        dispatch!(self, s => s.audit_hashes(after, upto).await)
    }

    async fn save_audit_checkpoint(&self, checkpoint: &Checkpoint) -> Result<bool> {
        dispatch!(self, s => s.save_audit_checkpoint(checkpoint).await)
    }

    async fn audit_checkpoints(&self) -> Result<Vec<Checkpoint>> {
        dispatch!(self, s => s.audit_checkpoints().await)
    }

    async fn record_privacy_check(
        &self,
        actor: Actor,
        counts: &crate::PrivacyCheckCounts,
    ) -> Result<i64> {
        dispatch!(self, s => s.record_privacy_check(actor, counts).await)
    }

    async fn record_privacy_override(
        &self,
        case: CaseId,
        user: UserId,
        reason: &str,
        counts: &crate::PrivacyCheckCounts,
    ) -> Result<i64> {
        dispatch!(self, s => s.record_privacy_override(case, user, reason, counts).await)
    }
}

impl SourceStore for AnyStore {
    async fn add_source(&self, new: &NewSource, actor: Actor) -> Result<Source> {
        dispatch!(self, s => s.add_source(new, actor).await)
    }

    async fn set_source_paused(&self, id: SourceId, paused: bool, actor: Actor) -> Result<Source> {
        dispatch!(self, s => s.set_source_paused(id, paused, actor).await)
    }

    async fn remove_source(&self, id: SourceId, actor: Actor) -> Result<Source> {
        dispatch!(self, s => s.remove_source(id, actor).await)
    }

    async fn sources(&self) -> Result<Vec<Source>> {
        dispatch!(self, s => s.sources().await)
    }

    async fn source(&self, id: SourceId) -> Result<Option<Source>> {
        dispatch!(self, s => s.source(id).await)
    }

    async fn source_at(&self, location: &str) -> Result<Option<Source>> {
        dispatch!(self, s => s.source_at(location).await)
    }

    async fn due_sources(&self, now: &str) -> Result<Vec<Source>> {
        dispatch!(self, s => s.due_sources(now).await)
    }

    async fn record_poll(&self, id: SourceId, poll: &PollRecord) -> Result<Source> {
        dispatch!(self, s => s.record_poll(id, poll).await)
    }
}

impl MonitorStore for AnyStore {
    async fn narrative_index(&self) -> Result<NarrativeIndex> {
        dispatch!(self, s => s.narrative_index().await)
    }

    async fn narrative_index_of(&self, ids: &[NarrativeId]) -> Result<NarrativeIndex> {
        dispatch!(self, s => s.narrative_index_of(ids).await)
    }

    async fn narrative_representatives(&self, ids: &[NarrativeId]) -> Result<Vec<Representative>> {
        dispatch!(self, s => s.narrative_representatives(ids).await)
    }

    async fn recent_narratives(&self, limit: u32) -> Result<Vec<NarrativeId>> {
        dispatch!(self, s => s.recent_narratives(limit).await)
    }

    async fn file_narrative_keys(&self, keys: &[(u64, NarrativeId)], per_key: u32) -> Result<()> {
        dispatch!(self, s => s.file_narrative_keys(keys, per_key).await)
    }

    async fn narratives_by_keys(&self, keys: &[u64], per_key: u32) -> Result<Vec<NarrativeId>> {
        dispatch!(self, s => s.narratives_by_keys(keys, per_key).await)
    }

    async fn narratives_of(&self, items: &[ItemId]) -> Result<Vec<(ItemId, NarrativeId)>> {
        dispatch!(self, s => s.narratives_of(items).await)
    }

    async fn assign_narrative(&self, assignment: &NarrativeAssignment) -> Result<Assigned> {
        dispatch!(self, s => s.assign_narrative(assignment).await)
    }

    async fn assign_narratives(&self, batch: &[NarrativeAssignment]) -> Result<Vec<Assigned>> {
        dispatch!(self, s => s.assign_narratives(batch).await)
    }

    async fn narrative_members(&self, id: NarrativeId) -> Result<Vec<NarrativeMember>> {
        dispatch!(self, s => s.narrative_members(id).await)
    }

    async fn narrative_members_between(
        &self,
        id: NarrativeId,
        from: i64,
        to: i64,
    ) -> Result<Vec<NarrativeMember>> {
        dispatch!(self, s => s.narrative_members_between(id, from, to).await)
    }

    async fn save_burst(&self, id: NarrativeId, burst: &Burst) -> Result<bool> {
        dispatch!(self, s => s.save_burst(id, burst).await)
    }

    async fn narratives(&self, filter: &NarrativeFilter) -> Result<Vec<NarrativeSummary>> {
        dispatch!(self, s => s.narratives(filter).await)
    }

    async fn narrative(
        &self,
        id: NarrativeId,
        items_limit: u32,
    ) -> Result<Option<NarrativeDetail>> {
        dispatch!(self, s => s.narrative(id, items_limit).await)
    }

    async fn clear_narratives(&self) -> Result<()> {
        dispatch!(self, s => s.clear_narratives().await)
    }

    async fn raise_alert(&self, alert: &NewAlert) -> Result<Option<Alert>> {
        dispatch!(self, s => s.raise_alert(alert).await)
    }

    async fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        dispatch!(self, s => s.alerts(filter).await)
    }

    async fn decide_alert(
        &self,
        alert: AlertId,
        decision: &AlertDecision,
        actor: Actor,
    ) -> Result<AlertState> {
        dispatch!(self, s => s.decide_alert(alert, decision, actor).await)
    }

    async fn alert_states(&self, alerts: &[AlertId]) -> Result<Vec<AlertState>> {
        dispatch!(self, s => s.alert_states(alerts).await)
    }

    async fn add_webhook(&self, url: &str, secret: &str, actor: Actor) -> Result<Webhook> {
        dispatch!(self, s => s.add_webhook(url, secret, actor).await)
    }

    async fn webhooks(&self) -> Result<Vec<Webhook>> {
        dispatch!(self, s => s.webhooks().await)
    }

    async fn remove_webhook(&self, id: WebhookId, actor: Actor) -> Result<()> {
        dispatch!(self, s => s.remove_webhook(id, actor).await)
    }

    async fn due_deliveries(&self, now: &str, limit: u32) -> Result<Vec<DueDelivery>> {
        dispatch!(self, s => s.due_deliveries(now, limit).await)
    }

    async fn record_delivery(&self, attempt: &DeliveryAttempt) -> Result<()> {
        dispatch!(self, s => s.record_delivery(attempt).await)
    }

    async fn deliveries(&self, webhook: Option<WebhookId>, limit: u32) -> Result<Vec<Delivery>> {
        dispatch!(self, s => s.deliveries(webhook, limit).await)
    }
}

impl DigestStore for AnyStore {
    async fn record_digest_attempt(&self, a: &DigestAttempt) -> Result<()> {
        dispatch!(self, s => s.record_digest_attempt(a).await)
    }

    async fn digest_attempts(&self, kind: &str, period_from: &str) -> Result<Vec<DigestAttempt>> {
        dispatch!(self, s => s.digest_attempts(kind, period_from).await)
    }

    async fn recent_digest_attempts(&self, limit: u32) -> Result<Vec<DigestAttempt>> {
        dispatch!(self, s => s.recent_digest_attempts(limit).await)
    }
}

impl ImageStore for AnyStore {
    async fn save_image(&self, image: &StoredImage) -> Result<()> {
        dispatch!(self, s => s.save_image(image).await)
    }

    async fn image(&self, sha256: &str) -> Result<Option<StoredImage>> {
        dispatch!(self, s => s.image(sha256).await)
    }

    async fn set_item_images(&self, item: ItemId, images: &[NewItemImage]) -> Result<()> {
        dispatch!(self, s => s.set_item_images(item, images).await)
    }

    async fn item_images(&self, item: ItemId) -> Result<Vec<ItemImage>> {
        dispatch!(self, s => s.item_images(item).await)
    }

    async fn item_image_counts(&self, items: &[ItemId]) -> Result<Vec<(ItemId, u32)>> {
        dispatch!(self, s => s.item_image_counts(items).await)
    }

    async fn add_fact_check_image(&self, fact_check: FactCheckId, sha256: &str) -> Result<()> {
        dispatch!(self, s => s.add_fact_check_image(fact_check, sha256).await)
    }

    async fn fact_check_images(&self, fact_check: FactCheckId) -> Result<Vec<StoredImage>> {
        dispatch!(self, s => s.fact_check_images(fact_check).await)
    }

    async fn fact_check_image_hashes(&self) -> Result<Vec<(FactCheckId, String, String)>> {
        dispatch!(self, s => s.fact_check_image_hashes().await)
    }

    async fn item_image_hashes(&self, items: &[ItemId]) -> Result<Vec<ItemImageHash>> {
        dispatch!(self, s => s.item_image_hashes(items).await)
    }

    async fn recent_item_image_hashes(&self, limit: u32) -> Result<Vec<ItemImageHash>> {
        dispatch!(self, s => s.recent_item_image_hashes(limit).await)
    }

    async fn save_image_neighbours(&self, neighbours: &[(ItemId, ImageJoin)]) -> Result<()> {
        dispatch!(self, s => s.save_image_neighbours(neighbours).await)
    }

    async fn image_neighbours(&self, items: &[ItemId]) -> Result<Vec<(ItemId, ImageJoin)>> {
        dispatch!(self, s => s.image_neighbours(items).await)
    }
}

impl StatsStore for AnyStore {
    async fn stat_hours(&self, metric: Metric, period: Period) -> Result<Vec<(i64, i64)>> {
        dispatch!(self, s => s.stat_hours(metric, period).await)
    }

    async fn stat_series(&self, metric: Metric, bars: &[Period]) -> Result<Vec<i64>> {
        dispatch!(self, s => s.stat_series(metric, bars).await)
    }

    async fn stat_keys(
        &self,
        metric: Metric,
        period: Period,
        limit: u32,
    ) -> Result<Vec<(String, i64)>> {
        dispatch!(self, s => s.stat_keys(metric, period, limit).await)
    }

    async fn stat_rows(&self) -> Result<Vec<StatRow>> {
        dispatch!(self, s => s.stat_rows().await)
    }

    async fn rebuild_stats(&self) -> Result<u64> {
        dispatch!(self, s => s.rebuild_stats().await)
    }

    async fn published_cases(&self, period: Period) -> Result<Vec<PublishedCase>> {
        dispatch!(self, s => s.published_cases(period).await)
    }

    async fn open_cases(&self) -> Result<Vec<OpenCase>> {
        dispatch!(self, s => s.open_cases().await)
    }

    async fn editor_work(&self, period: Period) -> Result<Vec<EditorWork>> {
        dispatch!(self, s => s.editor_work(period).await)
    }

    async fn new_narratives(&self, period: Period, limit: u32) -> Result<Vec<NarrativeGrowth>> {
        dispatch!(self, s => s.new_narratives(period, limit).await)
    }

    async fn growing_narratives(&self, period: Period, limit: u32) -> Result<Vec<NarrativeGrowth>> {
        dispatch!(self, s => s.growing_narratives(period, limit).await)
    }
}

impl crate::LeadStore for AnyStore {
    async fn try_lead(&self) -> Result<Option<crate::Lead>> {
        dispatch!(self, s => s.try_lead().await)
    }
}
