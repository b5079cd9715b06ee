//! The desk's page of watched sources (`/sources`): each feed or folder with its health, so
//! an editor sees at a glance which sources fail, since when, why, and when they are retried.
//! Admins add and remove sources here, with the same checks and refusals as `claimdesk
//! source` (`claimdesk_engine::sources`), audited as the CLI's are (`source.add`,
//! `source.remove`).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use claimdesk_core::{Actor, Role};
use claimdesk_engine::sources::{self as engine_sources, Refusal};
use claimdesk_ingest::poll::parse_interval;
use claimdesk_store::prelude::*;
use claimdesk_store::{SourceHealth, SourceId, SourceKind};
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode, Reason};
use crate::error_page::{PageError, fail};
use crate::extract::{ApiPath, CurrentUser};
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
    /// The remove button's name for screen readers ("Stop watching source 3").
    pub remove_label: String,
    /// Paused: not polled until resumed.
    pub paused: bool,
    /// The pause or resume button's name for screen readers.
    pub pause_label: String,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    chrome: Chrome,
    rows: Vec<SourceRow>,
    /// Whether the reader may add and remove sources (admins).
    manage: bool,
    /// What the last change did, in the page's language.
    notice: Option<String>,
}

/// What `/sources` was redirected with after a change.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SourcesQuery {
    /// The id of the source just added.
    added: Option<i64>,
    /// Set when the feed just added has a host that does not resolve now.
    unresolved: Option<String>,
    /// The id of the source just removed.
    removed: Option<i64>,
    /// The id of the source just paused.
    paused: Option<i64>,
    /// The id of the source just resumed.
    resumed: Option<i64>,
}

impl SourcesQuery {
    /// The notice these parameters ask for.
    fn notice(&self, chrome: &Chrome) -> Option<String> {
        let t = chrome.t;
        if let Some(id) = self.added {
            let mut notice = t.with("sources.added", &[("id", &id)]);
            if self.unresolved.is_some() {
                notice.push(' ');
                notice.push_str(t.get("sources.unresolved"));
            }
            return Some(notice);
        }
        let done = [
            ("sources.removed", self.removed),
            ("sources.paused", self.paused),
            ("sources.resumed", self.resumed),
        ];
        done.into_iter()
            .find_map(|(key, id)| id.map(|id| t.with(key, &[("id", &id)])))
    }
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
    Query(query): Query<SourcesQuery>,
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
                remove_label: t.with("sources.remove_label", &[("id", &s.id.0)]),
                pause_label: t.with(
                    if s.paused {
                        "sources.resume_label"
                    } else {
                        "sources.pause_label"
                    },
                    &[("id", &s.id.0)],
                ),
                paused: s.paused,
            }
        })
        .collect();
    let manage = chrome.user.as_ref().is_some_and(|u| u.role >= Role::Admin);
    let notice = query.notice(&chrome);
    Ok(render(
        StatusCode::OK,
        &SourcesPage {
            chrome,
            rows,
            manage,
            notice,
        },
    ))
}

/// The form that adds a source.
#[derive(Debug, Deserialize)]
pub(crate) struct AddSourceForm {
    location: String,
    interval: String,
}

/// A refused location as the API says it, and in the page's language.
fn refused(e: claimdesk_engine::Error) -> ApiError {
    use claimdesk_engine::Error as E;
    match e {
        E::Source(r) => {
            let reason = match &r {
                Refusal::NotUrlOrFolder(location) => {
                    Reason::new("reason.source_not_url_or_folder").text("location", location)
                }
                Refusal::File(path) => Reason::new("reason.source_is_file").text("path", path),
                Refusal::BadUrl { location, reason } => Reason::new("reason.source_bad_url")
                    .text("location", location)
                    .text("reason", reason),
                Refusal::Internal {
                    location,
                    host,
                    addr,
                    ..
                } => Reason::new("reason.source_internal")
                    .text("location", location)
                    .text("host", host)
                    .text("addr", addr),
                Refusal::Guarded { location, detail } => Reason::new("reason.source_guarded")
                    .text("location", location)
                    .text("detail", detail),
            };
            ApiError::with_detail(ErrorCode::InvalidRequest, r.to_string()).because(reason)
        }
        E::Store(e) => e.into(),
        e => ApiError::with_detail(ErrorCode::Internal, e.to_string()),
    }
}

/// A `303 See Other` to `/sources` with `query`.
fn see_sources(query: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/sources?{query}"))],
    )
        .into_response()
}

/// `POST /sources` (admins): watches a feed or a folder, as `claimdesk source add` does.
pub(crate) async fn add_source(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    Form(f): Form<AddSourceForm>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("sources");
    let interval = f.interval.trim();
    let every = (!interval.is_empty())
        .then(|| parse_interval(interval))
        .transpose()
        .map_err(|e| {
            fail(&chrome)(
                ApiError::with_detail(ErrorCode::InvalidRequest, format!("interval {e}"))
                    .because(Reason::new("reason.source_interval").text("interval", interval)),
            )
        })?;
    let added = engine_sources::add(state.engine(), &f.location, every, Actor::User(who.user.id))
        .await
        .map_err(|e| fail(&chrome)(refused(e)))?;
    let unresolved = if added.warning.is_some() {
        "&unresolved=1"
    } else {
        ""
    };
    Ok(see_sources(&format!(
        "added={}{unresolved}",
        added.source.id.0
    )))
}

/// `POST /sources/{id}/pause` (admins): the source is kept but not polled until resumed.
pub(crate) async fn pause_source(
    state: State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    id: ApiPath<i64>,
) -> Result<Response, PageError> {
    set_paused(state, chrome, who, id, true).await
}

/// `POST /sources/{id}/resume` (admins): a paused source is polled again.
pub(crate) async fn resume_source(
    state: State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    id: ApiPath<i64>,
) -> Result<Response, PageError> {
    set_paused(state, chrome, who, id, false).await
}

async fn set_paused(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    paused: bool,
) -> Result<Response, PageError> {
    let chrome = chrome.section("sources");
    state
        .store()
        .set_source_paused(SourceId(id), paused, Actor::User(who.user.id))
        .await
        .map_err(|e| fail(&chrome)(ApiError::from(e)))?;
    let done = if paused { "paused" } else { "resumed" };
    Ok(see_sources(&format!("{done}={id}")))
}

/// `POST /sources/{id}/remove` (admins): stops watching a source; its items stay.
pub(crate) async fn remove_source(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("sources");
    let removed = state
        .store()
        .remove_source(SourceId(id), Actor::User(who.user.id))
        .await
        .map_err(|e| fail(&chrome)(ApiError::from(e)))?;
    Ok(see_sources(&format!("removed={}", removed.id.0)))
}
