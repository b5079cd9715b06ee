//! The monitoring's pages: narratives, a narrative (volume by hour, languages, sources,
//! fact-checks, the burst's evidence) and alerts.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use claimdesk_core::{Actor, AlertId, AlertRule, Role};
use claimdesk_store::AlertDecision;
use claimdesk_store::prelude::*;
use serde::Deserialize;

use crate::cases::ops::narrative_case;
use crate::error::{ApiError, ErrorCode};
use crate::error_page::{PageError, fail, page_id};
use crate::extract::{ApiPath, CurrentUser};
use crate::monitoring::load::{load_alerts, load_narrative, load_narratives};
use crate::monitoring::views::*;
use crate::render::{Chrome, render};
use crate::state::AppState;

/// Characters of a narrative's text shown in the list.
const EXCERPT: usize = 280;

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

/// `GET /narratives`.
pub(crate) async fn narratives_page(
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
    evidence: Vec<(BurstEvidenceView, String)>,
    /// The fact-checks with their item count in words.
    fact_checks: Vec<(NarrativeFactCheckView, String)>,
    /// The items with times in the desk's zone and how they joined, in the page's language.
    items: Vec<(NarrativeItemView, String, String)>,
    /// Whether the reader may open a case (editors and above).
    act: bool,
}

/// `GET /narratives/{id}`.
pub(crate) async fn narrative_page(
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
            let joined = match &i.image {
                Some(j) => chrome
                    .t
                    .with("joined.image_of", &[("distance", &j.distance)]),
                None => chrome.t.get(&format!("joined.{}", i.joined_by)).to_string(),
            };
            (i.clone(), chrome.date(&i.at), joined)
        })
        .collect();
    let fact_checks = d
        .fact_checks
        .iter()
        .map(|f| {
            let mut f = f.clone();
            // The rating in the page's language when the desk's scale knows it.
            f.rating_label = f
                .rating_label
                .map(|l| crate::public::published::verdict_in(&state, &l, chrome.lang));
            let items = chrome.t.with("narratives.items", &[("n", &f.items)]);
            (f, items)
        })
        .collect();
    let burst_summary = d.narrative.burst.as_ref().map_or(String::new(), |b| {
        chrome.t.with(
            "narrative.burst_summary",
            &[("items", &b.items), ("sources", &b.sources)],
        )
    });
    let page = NarrativePage {
        act: chrome.user.as_ref().is_some_and(|u| u.role >= Role::Editor),
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

/// What the alerts' rows need from the store, each read once per page.
#[derive(Default)]
struct AlertTexts {
    posts: std::collections::HashMap<(bool, i64), Option<String>>,
    claims: std::collections::HashMap<i64, Option<(String, Option<String>)>>,
}

impl AlertTexts {
    /// The text of item `id` (`narrative` false) or of narrative `id`'s first post.
    async fn post(
        &mut self,
        state: &AppState,
        narrative: bool,
        id: i64,
    ) -> Result<Option<String>, crate::error::ApiError> {
        use claimdesk_store::prelude::*;
        if let Some(text) = self.posts.get(&(narrative, id)) {
            return Ok(text.clone());
        }
        let text = if narrative {
            state
                .store()
                .narrative(claimdesk_core::NarrativeId(id), 0)
                .await?
                .map(|d| d.summary.representative_text)
        } else {
            state
                .store()
                .item(claimdesk_core::ItemId(id))
                .await?
                .map(|i| i.item.text)
        };
        let text = text.map(|t| excerpt(&t));
        self.posts.insert((narrative, id), text.clone());
        Ok(text)
    }

    /// The claim and rating of fact-check `id`.
    async fn claim(
        &mut self,
        state: &AppState,
        id: i64,
    ) -> Result<Option<(String, Option<String>)>, crate::error::ApiError> {
        use claimdesk_store::prelude::*;
        if let Some(c) = self.claims.get(&id) {
            return Ok(c.clone());
        }
        let fc = state
            .store()
            .fact_checks_by_id(&[claimdesk_core::FactCheckId(id)])
            .await?
            .into_iter()
            .next()
            .map(|f| {
                let label = f.fact_check.rating.and_then(|r| r.label);
                (f.fact_check.claim, label)
            });
        self.claims.insert(id, fc.clone());
        Ok(fc)
    }

    /// The alert in the page's language, from its fields (the stored summary is the
    /// English of the log and the webhooks): what happened, and the post it is about.
    async fn describe(
        &mut self,
        state: &AppState,
        chrome: &Chrome,
        a: &AlertView,
    ) -> Result<(String, Option<String>), crate::error::ApiError> {
        let t = chrome.t;
        let detail = |k: &str| a.details.get(k).and_then(serde_json::Value::as_f64);
        let post = match (a.item, a.narrative) {
            (Some(i), _) => self.post(state, false, i).await?,
            (None, Some(n)) => self.post(state, true, n).await?,
            _ => None,
        };
        let what = match a.rule.as_str() {
            "false_match" => {
                let fc = match a.fact_check {
                    Some(f) => self.claim(state, f).await?,
                    None => None,
                };
                match fc {
                    Some((claim, label)) => {
                        let rating = label
                            .map(|l| crate::public::published::verdict_in(state, &l, chrome.lang))
                            .unwrap_or_else(|| t.get("alert_text.false_rating").to_string());
                        t.with(
                            "alert_text.false_match",
                            &[("rating", &rating), ("claim", &claim)],
                        )
                    }
                    None => t.get("alert_rule.false_match").to_string(),
                }
            }
            "burst" => {
                let minutes = match (detail("window_start"), detail("window_end")) {
                    (Some(s), Some(e)) => ((e - s) / 60.0).floor().max(0.0) as i64,
                    _ => 0,
                };
                t.with(
                    "alert_text.burst",
                    &[
                        ("items", &detail("items").unwrap_or(0.0)),
                        ("sources", &detail("sources").unwrap_or(0.0)),
                        ("minutes", &minutes),
                    ],
                )
            }
            "growth" => t.with(
                "alert_text.growth",
                &[(
                    "rate",
                    &format!("{:.1}", detail("items_per_hour").unwrap_or(0.0)),
                )],
            ),
            "escalation" => t.with(
                "alert_text.escalation",
                &[
                    ("multiple", &detail("multiple").unwrap_or(0.0)),
                    ("base", &detail("first_alert_items").unwrap_or(0.0)),
                ],
            ),
            other => t.get(&format!("alert_rule.{other}")).to_string(),
        };
        Ok((what, post))
    }
}

/// An alert as a row, with where its subject is shown.
struct AlertRow {
    id: i64,
    rule_key: String,
    /// What the desk decided, in words ("Acknowledged by editor, DATE"); none yet: `None`.
    decided: Option<String>,
    /// Whether it was dismissed (shown quieter).
    dismissed: bool,
    /// Where "Open a case" posts: the narrative's or the item's case.
    case_action: Option<String>,
    /// What happened, in the page's language.
    what: String,
    /// The text of the post it is about (the item's, else the narrative's first post's).
    post: Option<String>,
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
    /// Whether the reader may act on alerts (editors and above).
    act: bool,
}

/// `GET /alerts`.
pub(crate) async fn alerts_page(
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
    let mut texts = AlertTexts::default();
    let mut rows = Vec::with_capacity(list.alerts.len());
    let mut names = std::collections::HashMap::new();
    for a in list.alerts {
        let (what, post) = texts
            .describe(&state, &chrome, &a)
            .await
            .map_err(fail(&chrome))?;
        let decided = match (&a.decision, &a.decided_at) {
            (Some(decision), Some(at)) => {
                let by = match a.decided_by {
                    Some(id) => match names.get(&id) {
                        Some(name) => String::clone(name),
                        None => {
                            let user = state
                                .store()
                                .user_by_id(claimdesk_core::UserId(id))
                                .await
                                .map_err(|e| fail(&chrome)(ApiError::from(e)))?;
                            let name = user.map(|u| u.username).unwrap_or_default();
                            names.insert(id, name.clone());
                            name
                        }
                    },
                    None => "cli".to_string(),
                };
                let at = chrome.date(at);
                Some(match decision.as_str() {
                    "dismissed" => chrome.t.with(
                        "alerts.dismissed_by",
                        &[
                            ("by", &by),
                            ("at", &at),
                            ("reason", &a.dismissed_because.clone().unwrap_or_default()),
                        ],
                    ),
                    _ => chrome
                        .t
                        .with("alerts.acknowledged_by", &[("by", &by), ("at", &at)]),
                })
            }
            _ => None,
        };
        rows.push(AlertRow {
            id: a.id,
            dismissed: a.decision.as_deref() == Some("dismissed"),
            decided,
            case_action: match (a.narrative, a.item) {
                (Some(n), _) => Some(format!("/narratives/{n}/case")),
                (None, Some(i)) => Some(format!("/items/{i}/case")),
                _ => None,
            },
            what,
            post,
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
        });
    }
    let act = chrome.user.as_ref().is_some_and(|u| u.role >= Role::Editor);
    let page = AlertsPage {
        rules,
        rows,
        act,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Back to the alert on the alerts page.
fn see_alert(id: i64) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/alerts#alert-{id}"))],
    )
        .into_response()
}

/// `POST /alerts/{id}/acknowledge`: the alert is seen and being handled.
pub(crate) async fn acknowledge_alert(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("alerts");
    state
        .store()
        .decide_alert(
            AlertId(id),
            &AlertDecision::Acknowledged,
            Actor::User(who.user.id),
        )
        .await
        .map_err(|e| fail(&chrome)(ApiError::from(e)))?;
    Ok(see_alert(id))
}

/// The dismissal form.
#[derive(Debug, Deserialize)]
pub(crate) struct DismissForm {
    #[serde(default)]
    reason: String,
}

/// `POST /alerts/{id}/dismiss`: the alert is not worth acting on, and why.
pub(crate) async fn dismiss_alert(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<DismissForm>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("alerts");
    if f.reason.trim().is_empty() {
        return Err(fail(&chrome)(
            ApiError::with_detail(ErrorCode::InvalidRequest, "a dismissal needs a reason")
                .because(crate::error::Reason::new("reason.dismiss_needs_reason")),
        ));
    }
    state
        .store()
        .decide_alert(
            AlertId(id),
            &AlertDecision::Dismissed { reason: f.reason },
            Actor::User(who.user.id),
        )
        .await
        .map_err(|e| fail(&chrome)(ApiError::from(e)))?;
    Ok(see_alert(id))
}

/// `POST /narratives/{id}/case`: the narrative's case (its first post's), opened with the
/// narrative's posts attached when it has none.
pub(crate) async fn open_narrative_case(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let case = narrative_case(&state, id, &who.user, |n, items| {
        t.with(
            "narrative.case_note",
            &[("id", &id), ("n", &n), ("items", &items)],
        )
    })
    .await
    .map_err(fail(&chrome))?;
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/cases/{}", case.id.0))],
    )
        .into_response())
}
