//! The desk's page of watched sources (`/sources`): each feed or folder with its health, so
//! an editor sees at a glance which sources fail, since when, why, and when they are retried.
//! Sources are added and removed with `claimdesk source`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use claimdesk_store::prelude::*;
use claimdesk_store::{SourceHealth, SourceKind};

use crate::error::ApiError;
use crate::error_page::{PageError, fail};
use crate::render::{Chrome, render};
use crate::state::AppState;

/// A source as the page shows it.
pub(crate) struct SourceRow {
    pub id: i64,
    pub kind: &'static str,
    pub location: String,
    pub every: String,
    /// `new`, `ok` or `failing`, for the row's class.
    pub state: &'static str,
    pub health: String,
    pub items: u64,
    pub next_poll: String,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    chrome: Chrome,
    rows: Vec<SourceRow>,
}

/// `90s`, `15m`, `2h`, `1d`.
fn every(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `GET /sources`: every watched source with its health.
pub(crate) async fn sources_page(
    State(state): State<AppState>,
    chrome: Chrome,
) -> Result<Response, PageError> {
    let chrome = chrome.section("sources");
    let sources = state
        .store()
        .sources()
        .await
        .map_err(|e| fail(&chrome)(ApiError::from(e)))?;
    let t = chrome.t;
    let rows = sources
        .into_iter()
        .map(|s| {
            let (state, health) = match s.health() {
                SourceHealth::New => ("new", t.get("sources.health_new").to_string()),
                SourceHealth::Ok { last_success_at } => (
                    "ok",
                    t.with(
                        "sources.health_ok",
                        &[("at", &chrome.date(&last_success_at))],
                    ),
                ),
                SourceHealth::Failing {
                    since,
                    failures,
                    error,
                    retry_at,
                } => (
                    "failing",
                    t.with(
                        "sources.health_failing",
                        &[
                            ("since", &chrome.date(&since)),
                            ("failures", &failures),
                            ("error", &error),
                            ("retry", &chrome.date(&retry_at)),
                        ],
                    ),
                ),
            };
            SourceRow {
                id: s.id.0,
                kind: match s.kind {
                    SourceKind::Feed => t.get("sources.kind_feed"),
                    SourceKind::Folder => t.get("sources.kind_folder"),
                },
                location: s.location,
                every: every(s.interval_secs),
                state,
                health,
                items: s.items_seen,
                next_poll: chrome.date(&s.next_poll_at),
            }
        })
        .collect();
    Ok(render(StatusCode::OK, &SourcesPage { chrome, rows }))
}
