//! What the store keeps for monitoring: narratives with their members and bursts, alerts,
//! webhook endpoints and their delivery log. The SQL is in `sqlite/monitor.rs`.

use claimdesk_core::{
    Actor, Alert, AlertId, AlertRule, Burst, FactCheckId, ImageJoin, ItemId, JoinedBy,
    NarrativeCount, NarrativeId, NarrativeMember, UserId, WebhookId,
};

use crate::Result;

/// What the monitor needs to resume: the representative members' fingerprints, every
/// narrative's centroid, which narratives have a burst, and which alerts narratives raised.
/// Its size grows with the number of narratives, not with their members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NarrativeIndex {
    /// Each representative member ([`NarrativeAssignment::representative`]), in item
    /// order.
    pub members: Vec<Representative>,
    /// (narrative, mean embedding, members averaged) of narratives with embeddings.
    pub centroids: Vec<(NarrativeId, Vec<f32>, u32)>,
    /// Narratives with a copy-paste burst.
    pub bursts: Vec<NarrativeId>,
    /// Alerts raised about narratives, oldest first.
    pub alerts: Vec<NarrativeAlert>,
}

/// A representative member of a narrative: (narrative, SimHash fingerprint, MinHash
/// signature bytes).
pub type Representative = (NarrativeId, Option<u64>, Option<Vec<u8>>);

/// An alert raised about a narrative, as the monitor resumes from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrativeAlert {
    /// The narrative.
    pub narrative: NarrativeId,
    /// The rule.
    pub rule: AlertRule,
    /// The subject (`narrative:ID`, `narrative:ID:xM`).
    pub subject: String,
    /// The narrative's items when it was raised, if recorded.
    pub items: Option<u32>,
}

/// Where one item goes: into an existing narrative, or a new one it seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct NarrativeAssignment {
    /// The item.
    pub item: ItemId,
    /// The narrative to join; `None` starts a new one with this item as representative.
    pub narrative: Option<NarrativeId>,
    /// How it joins (`Seed` when `narrative` is `None`).
    pub joined_by: JoinedBy,
    /// The item's SimHash fingerprint, if its text has words.
    pub fingerprint: Option<u64>,
    /// The item's MinHash signature (as `claimdesk_text::MinHash::to_bytes`), if any.
    pub minhash: Option<Vec<u8>>,
    /// The item's embedding, when the model ran: folded into the narrative's centroid.
    pub embedding: Option<Vec<f32>>,
    /// In a batch ([`crate::MonitorStore::assign_narratives`]): join the narrative the assignment
    /// at this earlier position ended up in (a narrative the batch itself may start),
    /// instead of `narrative`.
    pub joins_earlier: Option<usize>,
    /// Whether the clusterer keeps this member's fingerprint and signature (it keeps a few
    /// per narrative); [`MonitorStore::narrative_index`](crate::MonitorStore::narrative_index) reads only
    /// these.
    pub representative: bool,
}

/// What an assignment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    /// The narrative the item is in now.
    pub narrative: NarrativeId,
    /// False when the item was already in a narrative (nothing changed).
    pub added: bool,
    /// The item's time on the narrative's time line (Unix seconds).
    pub at: i64,
    /// The narrative's items and time span once this assignment was made.
    pub count: NarrativeCount,
}

/// Which narratives to list, most recently seen first.
#[derive(Debug, Clone)]
pub struct NarrativeFilter {
    /// Only narratives seen at or after this time (Unix seconds).
    pub since: Option<i64>,
    /// Only narratives with at least this many items.
    pub min_items: u32,
    /// Only narratives with a burst.
    pub bursts_only: bool,
    /// At most this many.
    pub limit: u32,
}

impl Default for NarrativeFilter {
    fn default() -> Self {
        NarrativeFilter {
            since: None,
            min_items: 1,
            bursts_only: false,
            limit: 50,
        }
    }
}

/// A narrative as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct NarrativeSummary {
    /// Its id.
    pub id: NarrativeId,
    /// The text of the item that started it.
    pub representative_text: String,
    /// That item.
    pub representative_item: ItemId,
    /// Its first item's time (Unix seconds).
    pub first_seen: i64,
    /// Its latest item's time (Unix seconds).
    pub last_seen: i64,
    /// How many items it holds.
    pub items: u32,
    /// How many distinct sources posted them.
    pub sources: u32,
    /// Its copy-paste burst, if one was detected.
    pub burst: Option<Burst>,
}

/// Items of one hour of a narrative's volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourlyVolume {
    /// Start of the hour (Unix seconds).
    pub hour: i64,
    /// Items that appeared in it.
    pub items: u32,
}

/// A value with how many of a narrative's items carry it (a language, a source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// The value.
    pub value: String,
    /// Items with it.
    pub items: u32,
}

/// A fact-check the items of a narrative match (their top stored match).
#[derive(Debug, Clone, PartialEq)]
pub struct NarrativeFactCheck {
    /// The fact-check.
    pub fact_check: FactCheckId,
    /// Its claim.
    pub claim: String,
    /// Its verdict in words, if it has one.
    pub rating_label: Option<String>,
    /// Items whose best match it is.
    pub items: u32,
}

/// An item of a narrative as its page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct NarrativeItem {
    /// The item.
    pub item: ItemId,
    /// Its text.
    pub text: String,
    /// Its source.
    pub source: Option<String>,
    /// Its language.
    pub language: Option<String>,
    /// Its time on the time line (Unix seconds).
    pub at: i64,
    /// How it joined.
    pub joined_by: JoinedBy,
    /// When it joined by image: the earlier item whose image its image is a
    /// near-duplicate of, and how near.
    pub image: Option<ImageJoin>,
}

/// A narrative with everything its page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NarrativeDetail {
    /// The listing's fields.
    pub summary: NarrativeSummary,
    /// Items per hour, oldest hour first (hours without items left out).
    pub volume: Vec<HourlyVolume>,
    /// Languages of its items, most items first.
    pub languages: Vec<Tally>,
    /// Sources of its items, most items first.
    pub sources: Vec<Tally>,
    /// Fact-checks its items match best, most items first.
    pub fact_checks: Vec<NarrativeFactCheck>,
    /// Its items, earliest first, at most `items_limit` of them.
    pub items: Vec<NarrativeItem>,
}

/// An alert about to be raised.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    /// The rule.
    pub rule: AlertRule,
    /// `narrative:ID` (`narrative:ID:xM` for an escalation): one alert per rule and subject.
    pub subject: String,
    /// The item, for item alerts.
    pub item: Option<ItemId>,
    /// The narrative, for narrative alerts.
    pub narrative: Option<NarrativeId>,
    /// The fact-check, for false-match alerts.
    pub fact_check: Option<FactCheckId>,
    /// The narrative's size now, for narrative alerts.
    pub count: Option<NarrativeCount>,
    /// One line saying what happened.
    pub summary: String,
    /// Details, as JSON.
    pub details: serde_json::Value,
}

/// Which alerts to list, newest first.
#[derive(Debug, Clone)]
pub struct AlertFilter {
    /// Only alerts of this rule.
    pub rule: Option<AlertRule>,
    /// At most this many.
    pub limit: u32,
}

impl Default for AlertFilter {
    fn default() -> Self {
        AlertFilter {
            rule: None,
            limit: 100,
        }
    }
}

/// What the desk decided about an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertDecision {
    /// Seen and being handled.
    Acknowledged,
    /// Not worth acting on, and why.
    Dismissed {
        /// Why (required, at most [`AlertDecision::MAX_REASON`] characters).
        reason: String,
    },
}

impl AlertDecision {
    /// The longest reason kept, in characters.
    pub const MAX_REASON: usize = 2_000;

    /// `acknowledged` or `dismissed`, as stored and audited.
    pub fn as_str(&self) -> &'static str {
        match self {
            AlertDecision::Acknowledged => "acknowledged",
            AlertDecision::Dismissed { .. } => "dismissed",
        }
    }
}

/// An alert's decision, who made it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertState {
    /// The alert.
    pub alert: AlertId,
    /// What was decided.
    pub decision: AlertDecision,
    /// The user who decided (`None`: the CLI).
    pub by: Option<UserId>,
    /// When (UTC, RFC 3339).
    pub at: String,
}

/// A webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Its id.
    pub id: WebhookId,
    /// Where alerts are posted (`http` or `https`).
    pub url: String,
    /// The HMAC-SHA256 key the body is signed with.
    pub secret: String,
    /// When it was added (RFC 3339, UTC).
    pub created_at: String,
}

/// An alert a webhook still has to receive, due now.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDelivery {
    /// The endpoint.
    pub webhook: Webhook,
    /// The alert to send.
    pub alert: claimdesk_core::Alert,
    /// Attempts made so far.
    pub attempts: u32,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// The endpoint.
    pub webhook: WebhookId,
    /// The alert.
    pub alert: claimdesk_core::AlertId,
    /// The attempt's number, 1 for the first.
    pub attempt: u32,
    /// The HTTP status of the response, if there was one.
    pub status: Option<u16>,
    /// What went wrong, if it did.
    pub error: Option<String>,
    /// When it was made (RFC 3339, UTC).
    pub at: String,
    /// What comes next.
    pub next: NextAttempt,
}

/// What happens after a delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAttempt {
    /// It was accepted: done.
    Delivered,
    /// Try again at this time (RFC 3339, UTC).
    RetryAt(String),
    /// Out of attempts: given up.
    GiveUp,
}

/// One logged delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The endpoint.
    pub webhook: WebhookId,
    /// The alert.
    pub alert: claimdesk_core::AlertId,
    /// The attempt's number.
    pub attempt: u32,
    /// The HTTP status, if there was a response.
    pub status: Option<u16>,
    /// What went wrong, if it did.
    pub error: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// Narratives, alerts and webhooks. Narratives and bursts are derived state: `clear_narratives` and re-assigning every item in id order rebuilds them, with the same ids.
///
/// Every method is one transaction.
pub trait MonitorStore: Send + Sync {
    /// The representative members' fingerprints, every narrative's centroid, the
    /// narratives with a burst and the alerts about narratives, for the monitor to resume
    /// from.
    fn narrative_index(&self) -> impl Future<Output = Result<NarrativeIndex>> + Send;

    /// [`MonitorStore::narrative_index`] of these narratives alone: what the monitor reads
    /// to bring narratives back into memory (its members in item order, as there).
    fn narrative_index_of(
        &self,
        ids: &[NarrativeId],
    ) -> impl Future<Output = Result<NarrativeIndex>> + Send;

    /// The representatives of these narratives alone, as in
    /// [`NarrativeIndex::members`]: what the monitor compares a batch's items with to
    /// learn which of the narratives found by key they join, before reading those whole.
    fn narrative_representatives(
        &self,
        ids: &[NarrativeId],
    ) -> impl Future<Output = Result<Vec<Representative>>> + Send;

    /// The ids of at most `limit` narratives, most recently seen first (by their latest
    /// item's time): those a monitor opening on a large store holds in memory.
    fn recent_narratives(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<NarrativeId>>> + Send;

    /// Files narratives under lookup keys (opaque to the store: the monitor derives them
    /// from a representative's fingerprints), so that [`MonitorStore::narratives_by_keys`]
    /// finds a narrative after it left the monitor's memory. A key keeps its `per_key`
    /// narratives (one at least) of highest id (the newest), and the store may drop the
    /// older ones: a key many narratives share is common wording, and reading it must not
    /// cost more as the store grows. Filing a pair twice changes nothing;
    /// [`MonitorStore::clear_narratives`] removes every key.
    fn file_narrative_keys(
        &self,
        keys: &[(u64, NarrativeId)],
        per_key: u32,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The narratives filed under any of `keys`, in id order, each once: of each key, its
    /// `per_key` newest (highest id; one at least), as [`MonitorStore::file_narrative_keys`]
    /// keeps them.
    fn narratives_by_keys(
        &self,
        keys: &[u64],
        per_key: u32,
    ) -> impl Future<Output = Result<Vec<NarrativeId>>> + Send;

    /// The narrative of each of `items` that is in one, in item order.
    fn narratives_of(
        &self,
        items: &[ItemId],
    ) -> impl Future<Output = Result<Vec<(ItemId, NarrativeId)>>> + Send;

    /// Puts an item into a narrative (or a new one). Idempotent: an item already in a
    /// narrative stays where it is and nothing is counted twice.
    fn assign_narrative(
        &self,
        assignment: &NarrativeAssignment,
    ) -> impl Future<Output = Result<Assigned>> + Send;

    /// [`MonitorStore::assign_narrative`] for many items, in order, in one transaction; an
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
    /// `items_limit` items; with `items_limit` 0, its summary alone (the rest empty:
    /// reading them reads every member of a large narrative).
    fn narrative(
        &self,
        id: NarrativeId,
        items_limit: u32,
    ) -> impl Future<Output = Result<Option<NarrativeDetail>>> + Send;

    /// Deletes every narrative, burst and narrative key (alerts stay), before a rebuild.
    fn clear_narratives(&self) -> impl Future<Output = Result<()>> + Send;

    /// Raises an alert (`alert.raise`, by the system) and queues it for every webhook.
    /// `None` when the rule already alerted on this subject.
    fn raise_alert(&self, alert: &NewAlert) -> impl Future<Output = Result<Option<Alert>>> + Send;

    /// Alerts matching `filter`, newest first.
    fn alerts(&self, filter: &AlertFilter) -> impl Future<Output = Result<Vec<Alert>>> + Send;

    /// Records what the desk decided about an alert (`alert.acknowledge` or
    /// `alert.dismiss`; `EditCase`), replacing an earlier decision. A dismissal needs a
    /// reason.
    fn decide_alert(
        &self,
        alert: AlertId,
        decision: &AlertDecision,
        actor: Actor,
    ) -> impl Future<Output = Result<AlertState>> + Send;

    /// The decisions about these alerts (alerts without one are left out).
    fn alert_states(
        &self,
        alerts: &[AlertId],
    ) -> impl Future<Output = Result<Vec<AlertState>>> + Send;

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
