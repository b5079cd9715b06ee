//! The fact-check pages (`/factchecks`, `/factchecks/{id}`): the list with search and a
//! fact-check with its aliases; admins withdraw one there (`POST /factchecks/{id}/withdraw`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use claimdesk_core::{Actor, FactCheckId, Role};
use claimdesk_store::prelude::*;
use serde::Deserialize;

use crate::error::ApiError;
use crate::error_page::{PageError, fail, page_id};
use crate::extract::{ApiPath, CurrentUser};
use crate::factchecks::load::{load_fact_check, load_fact_checks};
use crate::params::{QueueQuery, SearchQuery};
use crate::render::{Chrome, Pager, pager, render};
use crate::state::AppState;
use crate::views::{FactCheckDetail, FactCheckView, web_link};

/// A fact-check of a list as the page shows it.
pub(crate) struct FactCheckRow {
    pub fc: FactCheckView,
    pub published: Option<String>,
}

#[derive(Template)]
#[template(path = "factchecks.html")]
struct FactChecksPage {
    chrome: Chrome,
    q: String,
    rows: Vec<FactCheckRow>,
    pager: Pager,
}

/// `GET /factchecks`: fact-checks, newest first, optionally searched.
pub(crate) async fn fact_checks(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("factchecks");
    let list = load_fact_checks(&state, &q).await.map_err(fail(&chrome))?;
    let pager = pager(
        chrome.t,
        &list.paging,
        list.fact_checks.len(),
        "/factchecks",
        |p| q.with_page(p),
    );
    let rows = list
        .fact_checks
        .into_iter()
        .map(|mut fc| {
            // The rating in the page's language when the desk's scale knows it.
            if let Some(v) = fc.verdict.as_mut() {
                v.label = v
                    .label
                    .take()
                    .map(|l| crate::public::published::verdict_in(&state, &l, chrome.lang));
            }
            FactCheckRow {
                published: fc.date_published.as_deref().map(|d| chrome.date(d)),
                fc,
            }
        })
        .collect();
    let page = FactChecksPage {
        q: QueueQuery::shown(&q.q).to_string(),
        rows,
        pager,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "factcheck.html")]
struct FactCheckPage {
    chrome: Chrome,
    detail: FactCheckDetail,
    link: Option<String>,
    published: Option<String>,
    claim_date: Option<String>,
    /// Appearances with their link when they are web addresses.
    appearances: Vec<(String, Option<String>)>,
    /// That it was withdrawn and when (a sentence), and why.
    withdrawn: Option<(String, String)>,
    /// Whether the reader may withdraw it (admins, while it stands and is not a draft's).
    may_withdraw: bool,
}

/// `GET /factchecks/{id}`: a fact-check with its aliases.
pub(crate) async fn fact_check(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("factchecks");
    let id = page_id(&chrome, &raw)?;
    let detail = load_fact_check(&state, id).await.map_err(fail(&chrome))?;
    let fc = &detail.fact_check;
    let page = FactCheckPage {
        link: fc.link().map(str::to_string),
        published: fc.date_published.as_deref().map(|d| chrome.date(d)),
        claim_date: fc.claim_date.as_deref().map(|d| chrome.date(d)),
        appearances: fc
            .appearances
            .iter()
            .map(|a| (a.clone(), web_link(a).map(str::to_string)))
            .collect(),
        withdrawn: fc.withdrawn.as_ref().map(|w| {
            let date = chrome.date(&w.at);
            let on = chrome.t.with("factcheck.withdrawn_on", &[("date", &date)]);
            (on, w.reason.clone())
        }),
        may_withdraw: fc.withdrawn.is_none()
            && chrome.user.as_ref().is_some_and(|u| u.role >= Role::Admin),
        detail,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The withdrawal form.
#[derive(Debug, Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

/// `POST /factchecks/{id}/withdraw`: an admin withdraws the fact-check, saying why; back
/// to its page, which says so.
pub(crate) async fn withdraw_fact_check(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<WithdrawForm>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("factchecks");
    state
        .store()
        .withdraw_fact_check(FactCheckId(id), Actor::User(who.user.id), &f.reason)
        .await
        .map_err(|e| fail(&chrome)(ApiError::from(e)))?;
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/factchecks/{id}"))],
    )
        .into_response())
}
