//! Narratives, their copy-paste bursts, and alerts: the desk's pages (`/narratives`,
//! `/narratives/{id}`, `/alerts`) and the same data in the JSON API. Read-only: the monitor
//! (claimdesk-monitor) writes them; the desk shows them and contacts no one.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use claimdesk_core::{Alert, AlertRule, Burst, NarrativeId};
use claimdesk_store::{AlertFilter, NarrativeDetail, NarrativeFilter, NarrativeSummary, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiPath, ApiQuery};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::pages::{Chrome, PageError, fail, page_id, render};
use crate::{AppState, time};

/// Narratives listed per page.
const LISTED: u32 = 100;
/// Items shown on a narrative's page.
const ITEMS_SHOWN: u32 = 200;
/// Characters of a narrative's text shown in the list.
const EXCERPT: usize = 280;

pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route("/narratives", get(narratives_page))
        .route("/narratives/{id}", get(narrative_page))
        .route("/alerts", get(alerts_page))
}

fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// One item of a burst's evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceView {
    /// The item's id.
    pub item: i64,
    /// When it appeared (RFC 3339, UTC): published, else ingested.
    pub at: String,
    /// Its source.
    pub source: Option<String>,
    /// How it joined the narrative: `seed`, `fingerprint` or `embedding`.
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
    pub evidence: Vec<EvidenceView>,
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
                .map(|e| EvidenceView {
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
    /// How it joined: `seed`, `fingerprint` or `embedding`.
    pub joined_by: String,
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
    pub since: Option<String>,
    /// Only narratives of at least this many items (default 2).
    pub min_items: Option<u32>,
    /// Only narratives with a copy-paste burst (`true`).
    pub bursts: Option<String>,
}

impl NarrativesQuery {
    fn filter(&self, tz: &jiff::tz::TimeZone) -> Result<NarrativeFilter, ApiError> {
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
        Ok(NarrativeFilter {
            since,
            min_items: self.min_items.unwrap_or(2).max(1),
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
    pub rule: Option<String>,
}

impl AlertsQuery {
    fn filter(&self) -> Result<AlertFilter, ApiError> {
        let rule = match self.rule.as_deref().filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => Some(r.parse::<AlertRule>().map_err(|e| {
                ApiError::with_detail(ErrorCode::InvalidQuery, format!("rule: {e}"))
            })?),
        };
        Ok(AlertFilter { rule, limit: 200 })
    }
}

async fn load_narratives(state: &AppState, q: &NarrativesQuery) -> Result<NarrativeList, ApiError> {
    let filter = q.filter(&state.config().time_zone)?;
    let list = state.store().narratives(&filter).await?;
    Ok(NarrativeList {
        narratives: list.into_iter().map(NarrativeView::from).collect(),
    })
}

async fn load_narrative(state: &AppState, id: i64) -> Result<NarrativeDetailView, ApiError> {
    let detail = state
        .store()
        .narrative(NarrativeId(id), ITEMS_SHOWN)
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("narrative {id}")))?;
    Ok(detail.into())
}

async fn load_alerts(state: &AppState, q: &AlertsQuery) -> Result<AlertList, ApiError> {
    let alerts = state.store().alerts(&q.filter()?).await?;
    Ok(AlertList {
        alerts: alerts.into_iter().map(AlertView::from).collect(),
    })
}

/// Narratives (items that say the same thing), most recently seen first, with their
/// copy-paste bursts.
#[utoipa::path(
    get, path = "/api/narratives", tag = "narratives", params(NarrativesQuery),
    responses(
        (status = 200, description = "Narratives", body = NarrativeList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_narratives(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<NarrativesQuery>,
) -> Result<Json<NarrativeList>, ApiError> {
    Ok(Json(load_narratives(&state, &q).await?))
}

/// A narrative with its volume by hour, languages, sources, matched fact-checks, items and
/// the evidence of its burst.
#[utoipa::path(
    get, path = "/api/narratives/{id}", tag = "narratives",
    params(("id" = i64, Path, description = "The narrative's id")),
    responses(
        (status = 200, description = "The narrative", body = NarrativeDetailView),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = ErrorBody),
        (status = 404, description = "No such narrative (`not_found`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_narrative(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<NarrativeDetailView>, ApiError> {
    Ok(Json(load_narrative(&state, id).await?))
}

/// Alerts, newest first: false-rated matches, copy-paste bursts, fast-growing narratives.
#[utoipa::path(
    get, path = "/api/alerts", tag = "narratives", params(AlertsQuery),
    responses(
        (status = 200, description = "Alerts", body = AlertList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_alerts(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AlertsQuery>,
) -> Result<Json<AlertList>, ApiError> {
    Ok(Json(load_alerts(&state, &q).await?))
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        out.push('…');
    }
    out
}

/// A narrative as a row of the list.
struct NarrativeRow {
    n: NarrativeView,
    excerpt: String,
    /// Items, sources, and first to last seen, in words.
    counts: (String, String, String),
}

/// "N items", "N sources", "FIRST to LAST" in the page's language.
fn counts(chrome: &Chrome, n: &NarrativeView) -> (String, String, String) {
    let t = chrome.t;
    (
        t.with("narratives.items", &[("n", &n.items)]),
        t.with("narratives.sources", &[("n", &n.sources)]),
        t.with(
            "narratives.seen",
            &[
                ("first", &chrome.date(&n.first_seen)),
                ("last", &chrome.date(&n.last_seen)),
            ],
        ),
    )
}

#[derive(Template)]
#[template(path = "narratives.html")]
struct NarrativesPage {
    chrome: Chrome,
    since: String,
    min_items: u32,
    bursts: bool,
    rows: Vec<NarrativeRow>,
}

async fn narratives_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<NarrativesQuery>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("narratives");
    let list = load_narratives(&state, &q).await.map_err(fail(&chrome))?;
    let rows = list
        .narratives
        .into_iter()
        .map(|n| NarrativeRow {
            excerpt: excerpt(&n.representative_text),
            counts: counts(&chrome, &n),
            n,
        })
        .collect();
    let page = NarrativesPage {
        since: q.since.clone().unwrap_or_default(),
        min_items: q.min_items.unwrap_or(2).max(1),
        bursts: q.bursts.as_deref() == Some("true"),
        rows,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

/// An hour of volume with its share of the busiest hour, for a `<meter>`.
struct VolumeRow {
    hour: String,
    items: u32,
    max: u32,
}

#[derive(Template)]
#[template(path = "narrative.html")]
struct NarrativePage {
    chrome: Chrome,
    d: NarrativeDetailView,
    counts: (String, String, String),
    burst_summary: String,
    volume: Vec<VolumeRow>,
    /// The burst's evidence with times in the desk's zone.
    evidence: Vec<(EvidenceView, String)>,
    /// The fact-checks with their item count in words.
    fact_checks: Vec<(NarrativeFactCheckView, String)>,
    /// The items with times in the desk's zone and how they joined (a catalog key).
    items: Vec<(NarrativeItemView, String, String)>,
}

async fn narrative_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("narratives");
    let id = page_id(&chrome, &raw)?;
    let d = load_narrative(&state, id).await.map_err(fail(&chrome))?;
    let max = d.volume.iter().map(|v| v.items).max().unwrap_or(1);
    let volume = d
        .volume
        .iter()
        .map(|v| VolumeRow {
            hour: chrome.date(&v.hour),
            items: v.items,
            max,
        })
        .collect();
    let evidence = d
        .narrative
        .burst
        .iter()
        .flat_map(|b| b.evidence.iter())
        .map(|e| (e.clone(), chrome.date(&e.at)))
        .collect();
    let items = d
        .items
        .iter()
        .map(|i| {
            (
                i.clone(),
                chrome.date(&i.at),
                format!("joined.{}", i.joined_by),
            )
        })
        .collect();
    let fact_checks = d
        .fact_checks
        .iter()
        .map(|f| {
            (
                f.clone(),
                chrome.t.with("narratives.items", &[("n", &f.items)]),
            )
        })
        .collect();
    let burst_summary = d.narrative.burst.as_ref().map_or(String::new(), |b| {
        chrome.t.with(
            "narrative.burst_summary",
            &[("items", &b.items), ("sources", &b.sources)],
        )
    });
    let page = NarrativePage {
        counts: counts(&chrome, &d.narrative),
        burst_summary,
        volume,
        evidence,
        fact_checks,
        items,
        d,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

/// An alert as a row, with where its subject is shown.
struct AlertRow {
    a: AlertView,
    rule_key: String,
    created: String,
    link: Option<String>,
    /// The narrative's items, and first to last seen, in words, when the alert carries them.
    story: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    chrome: Chrome,
    rules: Vec<(&'static str, String, bool)>,
    rows: Vec<AlertRow>,
}

async fn alerts_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<AlertsQuery>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("alerts");
    let list = load_alerts(&state, &q).await.map_err(fail(&chrome))?;
    let rule = q.rule.clone().unwrap_or_default();
    let rules = AlertRule::ALL
        .iter()
        .map(|r| {
            (
                r.as_str(),
                format!("alert_rule.{}", r.as_str()),
                r.as_str() == rule,
            )
        })
        .collect();
    let rows = list
        .alerts
        .into_iter()
        .map(|a| AlertRow {
            rule_key: format!("alert_rule.{}", a.rule),
            created: chrome.date(&a.created_at),
            story: match (a.count, &a.first_seen, &a.last_seen) {
                (Some(n), Some(first), Some(last)) => Some((
                    chrome.t.with("narratives.items", &[("n", &n)]),
                    chrome.t.with(
                        "narratives.seen",
                        &[("first", &chrome.date(first)), ("last", &chrome.date(last))],
                    ),
                )),
                _ => None,
            },
            link: match (a.narrative, a.item) {
                (Some(n), _) => Some(format!("/narratives/{n}")),
                (None, Some(i)) => Some(format!("/items/{i}")),
                _ => None,
            },
            a,
        })
        .collect();
    let page = AlertsPage {
        rules,
        rows,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}
