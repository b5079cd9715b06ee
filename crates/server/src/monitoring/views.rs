//! The monitoring's response types and query parameters, converted from the store's.

use claimdesk_core::{Alert, AlertRule, Burst};
use claimdesk_store::{AlertFilter, NarrativeDetail, NarrativeFilter, NarrativeSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorCode};
use crate::time;

/// Narratives listed per page.
const LISTED: u32 = 100;
/// Largest `min_items` taken (the document's `maximum`).
const MAX_MIN_ITEMS: u32 = 1_000_000;

fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// One item of a burst's evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BurstEvidenceView {
    /// The item's id.
    pub item: i64,
    /// When it appeared (RFC 3339, UTC): published, else ingested.
    pub at: String,
    /// Its source.
    pub source: Option<String>,
    /// How it joined the narrative: `seed`, `fingerprint`, `embedding` or `image`.
    pub joined_by: String,
}

/// A copy-paste burst: many near-identical items from many sources in a short window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BurstView {
    /// The window's first item's time (RFC 3339, UTC).
    pub window_start: String,
    /// The window's last item's time.
    pub window_end: String,
    /// Near-identical items in the window.
    pub items: u32,
    /// Distinct sources among them.
    pub sources: u32,
    /// The items with their times and sources.
    pub evidence: Vec<BurstEvidenceView>,
}

impl From<Burst> for BurstView {
    fn from(b: Burst) -> Self {
        BurstView {
            window_start: rfc3339(b.window_start),
            window_end: rfc3339(b.window_end),
            items: b.items,
            sources: b.sources,
            evidence: b
                .evidence
                .into_iter()
                .map(|e| BurstEvidenceView {
                    item: e.item.0,
                    at: rfc3339(e.at),
                    source: e.source,
                    joined_by: e.joined_by.as_str().to_string(),
                })
                .collect(),
        }
    }
}

/// A narrative: items that say the same thing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NarrativeView {
    /// Its id.
    pub id: i64,
    /// The text of the item that started it.
    pub representative_text: String,
    /// That item's id.
    pub representative_item: i64,
    /// Its first item's time (RFC 3339, UTC).
    pub first_seen: String,
    /// Its latest item's time.
    pub last_seen: String,
    /// Items in it.
    pub items: u32,
    /// Distinct sources of those items.
    pub sources: u32,
    /// Its copy-paste burst, if one was detected.
    pub burst: Option<BurstView>,
}

impl From<NarrativeSummary> for NarrativeView {
    fn from(n: NarrativeSummary) -> Self {
        NarrativeView {
            id: n.id.0,
            representative_text: n.representative_text,
            representative_item: n.representative_item.0,
            first_seen: rfc3339(n.first_seen),
            last_seen: rfc3339(n.last_seen),
            items: n.items,
            sources: n.sources,
            burst: n.burst.map(BurstView::from),
        }
    }
}

/// Narratives, most recently seen first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NarrativeList {
    /// The narratives.
    pub narratives: Vec<NarrativeView>,
}

/// Items of one hour.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VolumeView {
    /// The hour's start (RFC 3339, UTC).
    pub hour: String,
    /// Items in it.
    pub items: u32,
}

/// A value (language, source) and how many items carry it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TallyView {
    /// The value.
    pub value: String,
    /// Items with it.
    pub items: u32,
}

/// A fact-check the narrative's items match best.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NarrativeFactCheckView {
    /// The fact-check's id.
    pub fact_check: i64,
    /// Its claim.
    pub claim: String,
    /// Its verdict in words.
    pub rating_label: Option<String>,
    /// Items whose best match it is.
    pub items: u32,
}

/// An item of a narrative.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NarrativeItemView {
    /// The item's id.
    pub item: i64,
    /// Its text.
    pub text: String,
    /// Its source.
    pub source: Option<String>,
    /// Its language.
    pub language: Option<String>,
    /// When it appeared (RFC 3339, UTC).
    pub at: String,
    /// How it joined: `seed`, `fingerprint`, `embedding` or `image`.
    pub joined_by: String,
    /// When it joined by image: the earlier item whose image its image is a near-duplicate
    /// of, and how near.
    pub image: Option<ImageJoinView>,
}

/// Why an item joined its narrative by image.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImageJoinView {
    /// The earlier item whose image its image is a near-duplicate of.
    pub item: i64,
    /// Bits of 256 that differ between the two images' near-duplicate hashes.
    pub distance: u32,
}

/// A narrative with its volume over time, languages, sources, fact-checks and items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NarrativeDetailView {
    /// The narrative.
    pub narrative: NarrativeView,
    /// Items per hour, oldest first (empty hours left out).
    pub volume: Vec<VolumeView>,
    /// Languages, most items first.
    pub languages: Vec<TallyView>,
    /// Sources, most items first.
    pub sources: Vec<TallyView>,
    /// Fact-checks matched, most items first.
    pub fact_checks: Vec<NarrativeFactCheckView>,
    /// Its first items, earliest first.
    pub items: Vec<NarrativeItemView>,
}

impl From<NarrativeDetail> for NarrativeDetailView {
    fn from(d: NarrativeDetail) -> Self {
        let tally = |t: Vec<claimdesk_store::Tally>| {
            t.into_iter()
                .map(|t| TallyView {
                    value: t.value,
                    items: t.items,
                })
                .collect()
        };
        NarrativeDetailView {
            narrative: d.summary.into(),
            volume: d
                .volume
                .into_iter()
                .map(|v| VolumeView {
                    hour: rfc3339(v.hour),
                    items: v.items,
                })
                .collect(),
            languages: tally(d.languages),
            sources: tally(d.sources),
            fact_checks: d
                .fact_checks
                .into_iter()
                .map(|f| NarrativeFactCheckView {
                    fact_check: f.fact_check.0,
                    claim: f.claim,
                    rating_label: f.rating_label,
                    items: f.items,
                })
                .collect(),
            items: d
                .items
                .into_iter()
                .map(|i| NarrativeItemView {
                    item: i.item.0,
                    text: i.text,
                    source: i.source,
                    language: i.language,
                    at: rfc3339(i.at),
                    joined_by: i.joined_by.as_str().to_string(),
                    image: i.image.map(|j| ImageJoinView {
                        item: j.item.0,
                        distance: j.distance,
                    }),
                })
                .collect(),
        }
    }
}

/// An alert.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    /// Its id.
    pub id: i64,
    /// The rule: `false_match`, `burst`, `growth` or `escalation`.
    pub rule: String,
    /// What it is about: `narrative:ID` (`narrative:ID:xM` for an escalation), or `item:ID`
    /// for a false match raised per item before alerts were per story.
    pub subject: String,
    /// The item, for item alerts.
    pub item: Option<i64>,
    /// The narrative, for narrative alerts.
    pub narrative: Option<i64>,
    /// The narrative's items when the alert was raised.
    pub count: Option<u32>,
    /// The narrative's first item's time then (RFC 3339, UTC).
    pub first_seen: Option<String>,
    /// The narrative's latest item's time then (RFC 3339, UTC).
    pub last_seen: Option<String>,
    /// The fact-check, for false-match alerts.
    pub fact_check: Option<i64>,
    /// One line saying what happened.
    pub summary: String,
    /// Details (scores, the burst's evidence, the rate, the escalation's multiple).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// When it was raised (RFC 3339, UTC).
    pub created_at: String,
    /// What the desk decided about it: `acknowledged` or `dismissed` (none yet: absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Why it was dismissed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismissed_because: Option<String>,
    /// The user who decided (absent when the CLI did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<i64>,
    /// When it was decided (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
}

impl AlertView {
    /// The alert with the desk's decision about it.
    pub(crate) fn decided(mut self, state: claimdesk_store::AlertState) -> AlertView {
        if let claimdesk_store::AlertDecision::Dismissed { reason } = &state.decision {
            self.dismissed_because = Some(reason.clone());
        }
        self.decision = Some(state.decision.as_str().to_string());
        self.decided_by = state.by.map(|u| u.0);
        self.decided_at = Some(state.at);
        self
    }
}

impl From<Alert> for AlertView {
    fn from(a: Alert) -> Self {
        AlertView {
            id: a.id.0,
            rule: a.rule.as_str().to_string(),
            subject: a.subject,
            item: a.item.map(|i| i.0),
            narrative: a.narrative.map(|n| n.0),
            count: a.count.map(|c| c.items),
            first_seen: a.count.map(|c| rfc3339(c.first_seen)),
            last_seen: a.count.map(|c| rfc3339(c.last_seen)),
            fact_check: a.fact_check.map(|f| f.0),
            summary: a.summary,
            details: a.details,
            created_at: a.created_at,
            decision: None,
            dismissed_because: None,
            decided_by: None,
            decided_at: None,
        }
    }
}

/// Alerts, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertList {
    /// The alerts.
    pub alerts: Vec<AlertView>,
}

/// Which narratives to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NarrativesQuery {
    /// Only narratives seen on or after this day (`YYYY-MM-DD`, in the desk's time zone).
    #[param(value_type = Option<String>, format = Date)]
    pub since: Option<String>,
    /// Only narratives of at least this many items (default 2; at most 1,000,000).
    #[param(minimum = 0, maximum = 1_000_000)]
    pub min_items: Option<u32>,
    /// Only narratives with a copy-paste burst (`true`).
    #[param(value_type = Option<bool>)]
    pub bursts: Option<String>,
}

impl NarrativesQuery {
    /// The store filter the parameters ask for.
    pub(crate) fn filter(&self, tz: &jiff::tz::TimeZone) -> Result<NarrativeFilter, ApiError> {
        let since = match self
            .since
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => {
                let date: jiff::civil::Date = s.parse().map_err(|_| {
                    ApiError::with_detail(
                        ErrorCode::InvalidQuery,
                        format!("since: `{s}` is not a date (YYYY-MM-DD)"),
                    )
                })?;
                time::day_bounds(Some(date), None, tz).0
            }
        };
        let bursts_only = match self.bursts.as_deref() {
            None | Some("") | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ApiError::with_detail(
                    ErrorCode::InvalidQuery,
                    format!("bursts: `{other}` (expected true or false)"),
                ));
            }
        };
        let min_items = self.min_items.unwrap_or(2);
        if min_items > MAX_MIN_ITEMS {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                format!("min_items: {min_items} is more than {MAX_MIN_ITEMS}"),
            ));
        }
        Ok(NarrativeFilter {
            since,
            min_items: min_items.max(1),
            bursts_only,
            limit: LISTED,
        })
    }
}

/// Which alerts to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    /// Only this rule: `false_match`, `burst`, `growth` or `escalation`.
    #[param(schema_with = crate::api_doc::alert_rule_schema)]
    pub rule: Option<String>,
}

impl AlertsQuery {
    /// The store filter the parameters ask for.
    pub(crate) fn filter(&self) -> Result<AlertFilter, ApiError> {
        let rule = match self.rule.as_deref().filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => Some(r.parse::<AlertRule>().map_err(|e| {
                ApiError::with_detail(ErrorCode::InvalidQuery, format!("rule: {e}"))
            })?),
        };
        Ok(AlertFilter { rule, limit: 200 })
    }
}
