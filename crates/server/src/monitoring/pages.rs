//! The monitoring's pages: narratives, a narrative (volume by hour, languages, sources,
//! fact-checks, the burst's evidence) and alerts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use claimdesk_core::AlertRule;

use crate::error_page::{PageError, fail, page_id};
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
    evidence: Vec<(EvidenceView, String)>,
    /// The fact-checks with their item count in words.
    fact_checks: Vec<(NarrativeFactCheckView, String)>,
    /// The items with times in the desk's zone and how they joined (a catalog key).
    items: Vec<(NarrativeItemView, String, String)>,
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
